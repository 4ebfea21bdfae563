//! The device's database: IndexedDB `campo`, the only durable state of the app.
//!
//! Stores (all values are `Uint8Array`s unless noted):
//! - `docs`: doc id (hex) → the record's saved Automerge document.
//! - `summaries`: doc id (hex) → its postcard-encoded [`Summary`], the
//!   materialized index that start-up reads instead of opening every document.
//! - `outbox`: outbox id (number) → a local change not yet acknowledged by the relay,
//!   as the 16 bytes of the doc id followed by the raw change.
//! - `meta`: `cursor`, `next_outbox` (numbers), `team` (string) and `device` (this
//!   database's device id, hex).
//! - `packs`: the first doc id (hex) of a run of documents from a relay snapshot
//!   (which come in id order) → their saved bytes, one `encode_pack` value;
//!   `pack_summaries`: the same key → their encoded summaries (empty: none). A
//!   fresh device stores a whole book in a few dozen writes instead of one per
//!   record, and finds a packed document by the greatest pack key not above it.
//!
//! Invariants:
//! - Every write that touches more than one store happens in one transaction, so a
//!   document, its summary, its outbox entry and the cursor never disagree after a
//!   crash or a closed tab.
//! - `docs` and `summaries` overlay the packs: a document in `docs` is newer than
//!   its copy in a pack (it was made from it, or merged with it), so reads look
//!   there first. Packs are written only while a snapshot is stored, and never
//!   changed after.

use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::index::StoredSummary;
use campo_core::protocol::DocChange;
use campo_core::snapshot::{decode_pack, encode_pack};
use campo_core::summary::Summary;
use campo_core::sync::OutboxId;
use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::IntoFuture;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

const DB_NAME: &str = "campo";
const DB_VERSION: u32 = 2;
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const PACKS: &str = "packs";
const PACK_SUMMARIES: &str = "pack_summaries";
const ALL_STORES: [&str; 6] = [DOCS, SUMMARIES, OUTBOX, META, PACKS, PACK_SUMMARIES];
/// Packs of summaries per read at start-up (a pack holds up to 250): small
/// enough that little is left to read in place after the last one arrives.
const PACKS_PER_READ: usize = 8;

const META_CURSOR: &str = "cursor";
const META_NEXT_OUTBOX: &str = "next_outbox";
const META_TEAM: &str = "team";
const META_DEVICE: &str = "device";

/// Why the device's database could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the browser database failed: {0}")]
    Idb(#[from] idb::Error),
    #[error("a database transaction was aborted")]
    Aborted,
    /// The browser refused the write for lack of space (`QuotaExceededError`);
    /// the transaction was aborted as a whole, so nothing of it was stored.
    #[error("the device's storage is full")]
    Full,
    /// The wasm module that reads and writes documents (the record engine,
    /// `records::load_engine`) could not be fetched: only on a first visit cut
    /// off before the service worker had stored it. Nothing was read or written.
    #[error("part of the app could not be downloaded; reconnect and reload the page")]
    EngineUnavailable,
}

impl StorageError {
    fn is_quota(name: &str) -> bool {
        name == "QuotaExceededError"
    }
}

/// What `meta` holds.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// Highest log sequence whose entries are stored in `docs`.
    pub cursor: Seq,
    /// The next outbox id to hand out.
    pub next_outbox: OutboxId,
    /// The team whose records this database holds.
    pub team: Option<String>,
    /// The device id this database syncs as, once chosen.
    pub device: Option<DeviceId>,
}

/// One document of a pack: its id, saved bytes and encoded summary (empty: none).
pub struct PackDoc {
    pub id: DocId,
    pub saved: Vec<u8>,
    pub summary: Vec<u8>,
}

/// One document written by a remote batch.
pub struct StoredDoc {
    pub id: DocId,
    pub bytes: Vec<u8>,
    /// `None` while the document's creating change has not arrived.
    pub summary: Option<Summary>,
}

/// A local edit, written atomically.
pub struct LocalEdit<'a> {
    pub id: DocId,
    pub doc: &'a [u8],
    pub summary: Option<&'a Summary>,
    /// The id of the first change; the others take the following ids.
    pub outbox_id: OutboxId,
    pub changes: &'a [Vec<u8>],
}

/// An open handle on the database.
pub struct Storage {
    db: Database,
    /// The packs' keys (their first doc ids), sorted; read on first need.
    pack_keys: RefCell<Option<Rc<Vec<DocId>>>>,
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

fn to_bytes(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

fn key(id: &DocId) -> JsValue {
    JsValue::from_str(&id.to_hex())
}

fn number(n: u64) -> JsValue {
    // Outbox ids and sequence numbers stay far below 2^53, where f64 is exact.
    JsValue::from_f64(n as f64)
}

fn outbox_value(change: &DocChange) -> JsValue {
    let mut v = Vec::with_capacity(16 + change.bytes.len());
    v.extend_from_slice(&change.doc.0);
    v.extend_from_slice(&change.bytes);
    bytes(&v)
}

fn parse_outbox(v: &[u8]) -> Option<DocChange> {
    let (doc, change) = v.split_at_checked(16)?;
    Some(DocChange {
        doc: DocId(doc.try_into().ok()?),
        bytes: change.to_vec(),
    })
}

impl Storage {
    /// Opens (and on first use creates) the database.
    pub async fn open() -> Result<Storage, StorageError> {
        let factory = Factory::new()?;
        let mut request = factory.open(DB_NAME, Some(DB_VERSION))?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            let existing = db.store_names();
            for name in ALL_STORES {
                if !existing.iter().any(|n| n == name)
                    && let Err(e) = db.create_object_store(name, ObjectStoreParams::new())
                {
                    web_sys::console::error_1(&format!("creating store {name}: {e}").into());
                }
            }
        });
        Ok(Storage {
            db: request.await?,
            pack_keys: RefCell::new(None),
        })
    }

    /// Commits a read-write transaction. An aborted one stored nothing at all;
    /// a lack of space is reported as [`StorageError::Full`].
    async fn finish(tx: idb::Transaction) -> Result<(), StorageError> {
        let raw: web_sys::IdbTransaction = tx.into();
        let handle = raw.clone();
        let quota = |handle: &web_sys::IdbTransaction| {
            handle
                .error()
                .is_some_and(|e| StorageError::is_quota(&e.name()))
        };
        let result = match idb::Transaction::from(raw).commit() {
            Ok(tx) => tx.await,
            Err(e) => Err(e),
        };
        match result {
            Ok(r) if r.is_committed() => Ok(()),
            _ if quota(&handle) => Err(StorageError::Full),
            Ok(_) => Err(StorageError::Aborted),
            Err(idb::Error::DomException(e)) if StorageError::is_quota(&e.name()) => {
                Err(StorageError::Full)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored summary, as its stored bytes under its record's id, handed
    /// to `part` a few packs at a time and the loose summaries last (a loose
    /// summary is newer than the packed one of its record, which is skipped), for
    /// [`IndexBuilder`](campo_core::index::IndexBuilder). Every part is asked
    /// for at once and handed over as it arrives, so reading one in place
    /// overlaps the database reading the next. Returns the ids of records
    /// whose summary is missing (another build's format, a record not yet
    /// created), for the caller to make from their documents.
    pub async fn read_summaries(
        &self,
        mut part: impl FnMut(Vec<(DocId, StoredSummary)>),
    ) -> Result<Vec<DocId>, StorageError> {
        let tx = self
            .db
            .transaction(&[SUMMARIES, PACK_SUMMARIES], TransactionMode::ReadOnly)?;
        let pack_keys = tx
            .object_store(PACK_SUMMARIES)?
            .get_all_keys(None, None)?
            .into_future();
        let store = tx.object_store(SUMMARIES)?;
        let keys = store.get_all_keys(None, None)?.into_future();
        let values = store.get_all(None, None)?.into_future();
        let (pack_keys, keys) = (pack_keys.await?, keys.await?);
        // A loose summary is newer than the packed one of its record: the packed
        // one is neither read nor reported missing (its record would otherwise
        // be rebuilt from its document at every start).
        let loose: HashSet<DocId> = keys
            .iter()
            .filter_map(|k| k.as_string().and_then(|k| k.parse::<DocId>().ok()))
            .collect();
        // The packs in key ranges, each asked for in a read of its own, all at
        // once (a transaction of their own: this one may have ended).
        let packs_tx = self
            .db
            .transaction(&[PACK_SUMMARIES], TransactionMode::ReadOnly)?;
        let packs = packs_tx.object_store(PACK_SUMMARIES)?;
        let reads = pack_keys
            .chunks(PACKS_PER_READ)
            .map(|keys| {
                let range = KeyRange::bound(&keys[0], &keys[keys.len() - 1], None, None)?;
                Ok(packs.get_all(Some(range.into()), None)?.into_future())
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let mut missing = Vec::new();
        for read in reads {
            for pack in read.await?.iter().filter_map(|p| p.dyn_ref::<Uint8Array>()) {
                // Copied into wasm memory once and kept whole: the index reads
                // its summaries in place.
                let buf: Arc<[u8]> = pack.to_vec().into();
                let Ok(entries) = decode_pack(&buf) else {
                    web_sys::console::warn_1(&"a stored pack of summaries is damaged".into());
                    continue;
                };
                let mut summaries = Vec::with_capacity(entries.len());
                for (id, summary) in entries {
                    if loose.contains(&id) {
                        continue;
                    }
                    match StoredSummary::within(&buf, summary) {
                        Some(s) if !summary.is_empty() => summaries.push((id, s)),
                        _ => missing.push(id),
                    }
                }
                part(summaries);
            }
        }
        let values = values.await?;
        crate::platform::mark("campo-summaries-read");
        let mut summaries = Vec::with_capacity(values.len());
        for (k, v) in keys.iter().zip(&values) {
            let Some(id) = k.as_string().and_then(|k| k.parse::<DocId>().ok()) else {
                continue;
            };
            match to_bytes(v).and_then(|b| StoredSummary::whole(b.into())) {
                Some(s) => summaries.push((id, s)),
                None => missing.push(id),
            }
        }
        part(summaries);
        Ok(missing)
    }

    /// The packs' keys, sorted (read once, then kept until packs change).
    async fn pack_keys(&self) -> Result<Rc<Vec<DocId>>, StorageError> {
        if let Some(keys) = self.pack_keys.borrow().as_ref() {
            return Ok(keys.clone());
        }
        let tx = self.db.transaction(&[PACKS], TransactionMode::ReadOnly)?;
        let keys = tx.object_store(PACKS)?.get_all_keys(None, None)?.await?;
        let mut keys: Vec<DocId> = keys
            .iter()
            .filter_map(|k| k.as_string().and_then(|k| k.parse().ok()))
            .collect();
        keys.sort_unstable();
        let keys = Rc::new(keys);
        *self.pack_keys.borrow_mut() = Some(keys.clone());
        Ok(keys)
    }

    /// The packed copies of those of `ids` that are packed, one read per pack.
    async fn load_packed(&self, ids: &[DocId]) -> Result<HashMap<DocId, Vec<u8>>, StorageError> {
        let keys = self.pack_keys().await?;
        let mut wanted: HashMap<DocId, HashSet<DocId>> = HashMap::new();
        for id in ids {
            // The pack whose first id is the greatest not above `id`.
            let at = keys.partition_point(|k| k <= id);
            if at > 0 {
                wanted.entry(keys[at - 1]).or_default().insert(*id);
            }
        }
        let mut out = HashMap::new();
        if wanted.is_empty() {
            return Ok(out);
        }
        let tx = self.db.transaction(&[PACKS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(PACKS)?;
        let requests = wanted
            .keys()
            .map(|first| store.get(key(first)).map(IntoFuture::into_future))
            .collect::<Result<Vec<_>, _>>()?;
        for (r, docs) in requests.into_iter().zip(wanted.values()) {
            let Some(bytes) = r.await?.as_ref().and_then(to_bytes) else {
                continue;
            };
            let Ok(entries) = decode_pack(&bytes) else {
                web_sys::console::warn_1(&"a stored pack of documents is damaged".into());
                continue;
            };
            for (id, saved) in entries {
                if docs.contains(&id) {
                    out.insert(id, saved.to_vec());
                }
            }
        }
        Ok(out)
    }

    /// Ids of every packed document (reads every pack of summaries).
    async fn packed_doc_ids(&self) -> Result<Vec<DocId>, StorageError> {
        let tx = self
            .db
            .transaction(&[PACK_SUMMARIES], TransactionMode::ReadOnly)?;
        let values = tx
            .object_store(PACK_SUMMARIES)?
            .get_all(None, None)?
            .await?;
        let mut ids = Vec::new();
        for v in &values {
            if let Some(entries) = to_bytes(v).and_then(|b| {
                decode_pack(&b)
                    .ok()
                    .map(|e| e.into_iter().map(|(id, _)| id).collect::<Vec<_>>())
            }) {
                ids.extend(entries);
            }
        }
        Ok(ids)
    }

    /// Ids of the documents in `docs` (not the packed ones).
    pub async fn unpacked_doc_ids(&self) -> Result<HashSet<DocId>, StorageError> {
        let tx = self.db.transaction(&[DOCS], TransactionMode::ReadOnly)?;
        let keys = tx.object_store(DOCS)?.get_all_keys(None, None)?.await?;
        Ok(keys
            .iter()
            .filter_map(|k| k.as_string().and_then(|k| k.parse().ok()))
            .collect())
    }

    /// Empties the packs (a snapshot starts over: one cut short is replaced whole).
    pub async fn clear_packs(&self) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[PACKS, PACK_SUMMARIES], TransactionMode::ReadWrite)?;
        tx.object_store(PACKS)?.clear()?;
        tx.object_store(PACK_SUMMARIES)?.clear()?;
        self.pack_keys.borrow_mut().take();
        Self::finish(tx).await
    }

    /// Stores a pack of documents (in id order, after every earlier pack's) and,
    /// in the same transaction, documents that were merged with their snapshot
    /// copy instead of packed.
    pub async fn put_pack(
        &self,
        docs: &[PackDoc],
        merged: &[StoredDoc],
    ) -> Result<(), StorageError> {
        let saved: Vec<(DocId, &[u8])> = docs.iter().map(|d| (d.id, &d.saved[..])).collect();
        let summaries: Vec<(DocId, &[u8])> = docs.iter().map(|d| (d.id, &d.summary[..])).collect();
        let tx = self.db.transaction(
            &[PACKS, PACK_SUMMARIES, DOCS, SUMMARIES],
            TransactionMode::ReadWrite,
        )?;
        if let Some(first) = docs.first() {
            let k = key(&first.id);
            tx.object_store(PACKS)?
                .put(&bytes(&encode_pack(&saved)), Some(&k))?;
            tx.object_store(PACK_SUMMARIES)?
                .put(&bytes(&encode_pack(&summaries)), Some(&k))?;
        }
        let doc_store = tx.object_store(DOCS)?;
        let summary_store = tx.object_store(SUMMARIES)?;
        for d in merged {
            doc_store.put(&bytes(&d.bytes), Some(&key(&d.id)))?;
            if let Some(s) = &d.summary {
                summary_store.put(&bytes(&s.encode()), Some(&key(&d.id)))?;
            }
        }
        self.pack_keys.borrow_mut().take();
        Self::finish(tx).await
    }

    /// The snapshot is stored whole: the cursor moves to its mark.
    pub async fn set_cursor(&self, cursor: Seq) -> Result<(), StorageError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        tx.object_store(META)?
            .put(&number(cursor.0), Some(&JsValue::from_str(META_CURSOR)))?;
        Self::finish(tx).await
    }

    /// Records the device id this database syncs as.
    pub async fn set_device(&self, device: DeviceId) -> Result<(), StorageError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        tx.object_store(META)?.put(
            &JsValue::from_str(&device.to_hex()),
            Some(&JsValue::from_str(META_DEVICE)),
        )?;
        Self::finish(tx).await
    }

    /// The stored summaries of these documents (those that have one), for
    /// another tab's changes.
    pub async fn load_summaries(&self, ids: &[DocId]) -> Result<Vec<Summary>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self
            .db
            .transaction(&[SUMMARIES], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SUMMARIES)?;
        let requests = ids
            .iter()
            .map(|id| store.get(key(id)).map(IntoFuture::into_future))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for r in requests {
            if let Some(s) = r
                .await?
                .as_ref()
                .and_then(to_bytes)
                .and_then(|b| Summary::decode(&b).ok())
            {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Ids of every stored document (to find documents without a summary).
    pub async fn load_doc_ids(&self) -> Result<Vec<DocId>, StorageError> {
        let mut ids = self.unpacked_doc_ids().await?;
        ids.extend(self.packed_doc_ids().await?);
        Ok(ids.into_iter().collect())
    }

    /// The unacknowledged local changes, in outbox order.
    pub async fn load_outbox(&self) -> Result<Vec<(OutboxId, DocChange)>, StorageError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let store = tx.object_store(OUTBOX)?;
        let keys = store.get_all_keys(None, None)?.into_future();
        let values = store.get_all(None, None)?.into_future();
        let (keys, values) = (keys.await?, values.await?);
        Ok(keys
            .iter()
            .zip(&values)
            .filter_map(|(k, v)| {
                let id = k.as_f64()? as OutboxId;
                Some((id, parse_outbox(&to_bytes(v)?)?))
            })
            .collect())
    }

    pub async fn load_meta(&self) -> Result<Meta, StorageError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let store = tx.object_store(META)?;
        let cursor = store.get(JsValue::from_str(META_CURSOR))?.into_future();
        let next = store
            .get(JsValue::from_str(META_NEXT_OUTBOX))?
            .into_future();
        let team = store.get(JsValue::from_str(META_TEAM))?.into_future();
        let device = store.get(JsValue::from_str(META_DEVICE))?.into_future();
        let num = |v: Option<JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64;
        Ok(Meta {
            cursor: Seq(num(cursor.await?)),
            next_outbox: num(next.await?),
            team: team.await?.and_then(|v| v.as_string()),
            device: device
                .await?
                .and_then(|v| v.as_string())
                .and_then(|s| s.parse().ok()),
        })
    }

    /// One document's saved bytes.
    pub async fn load_doc(&self, id: DocId) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.load_docs(&[id]).await?.pop().flatten())
    }

    /// Several documents' saved bytes, in one transaction, in the order asked.
    pub async fn load_docs(&self, ids: &[DocId]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.db.transaction(&[DOCS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(DOCS)?;
        // Every request is issued before the first await so they run together.
        let requests = ids
            .iter()
            .map(|id| store.get(key(id)).map(IntoFuture::into_future))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for r in requests {
            out.push(r.await?.as_ref().and_then(to_bytes));
        }
        let missing: Vec<DocId> = ids
            .iter()
            .zip(&out)
            .filter(|(_, d)| d.is_none())
            .map(|(id, _)| *id)
            .collect();
        if !missing.is_empty() {
            let mut packed = self.load_packed(&missing).await?;
            for (id, d) in ids.iter().zip(out.iter_mut()) {
                if d.is_none() {
                    *d = packed.remove(id);
                }
            }
        }
        Ok(out)
    }

    /// A local edit: the document, its summary, the outbox entry and the next
    /// outbox id, in one transaction.
    pub async fn commit_local_edit(&self, edit: LocalEdit<'_>) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
        tx.object_store(DOCS)?
            .put(&bytes(edit.doc), Some(&key(&edit.id)))?;
        if let Some(s) = edit.summary {
            tx.object_store(SUMMARIES)?
                .put(&bytes(&s.encode()), Some(&key(&edit.id)))?;
        }
        let outbox = tx.object_store(OUTBOX)?;
        for (i, bytes) in edit.changes.iter().enumerate() {
            let change = DocChange {
                doc: edit.id,
                bytes: bytes.clone(),
            };
            outbox.put(
                &outbox_value(&change),
                Some(&number(edit.outbox_id + i as u64)),
            )?;
        }
        tx.object_store(META)?.put(
            &number(edit.outbox_id + edit.changes.len() as u64),
            Some(&JsValue::from_str(META_NEXT_OUTBOX)),
        )?;
        Self::finish(tx).await
    }

    /// Many local edits (an import, a restore) in one transaction: every document,
    /// summary and outbox entry is stored, or none is. The outbox ids of the edits
    /// must not overlap; the next outbox id stored is the one after the highest.
    pub async fn commit_local_edits(&self, edits: &[LocalEdit<'_>]) -> Result<(), StorageError> {
        if edits.is_empty() {
            return Ok(());
        }
        let tx = self
            .db
            .transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
        let docs = tx.object_store(DOCS)?;
        let summaries = tx.object_store(SUMMARIES)?;
        let outbox = tx.object_store(OUTBOX)?;
        let mut next = 0;
        for edit in edits {
            docs.put(&bytes(edit.doc), Some(&key(&edit.id)))?;
            if let Some(s) = edit.summary {
                summaries.put(&bytes(&s.encode()), Some(&key(&edit.id)))?;
            }
            for (i, change) in edit.changes.iter().enumerate() {
                let mut v = Vec::with_capacity(16 + change.len());
                v.extend_from_slice(&edit.id.0);
                v.extend_from_slice(change);
                outbox.put(&bytes(&v), Some(&number(edit.outbox_id + i as u64)))?;
            }
            next = next.max(edit.outbox_id + edit.changes.len() as u64);
        }
        tx.object_store(META)?
            .put(&number(next), Some(&JsValue::from_str(META_NEXT_OUTBOX)))?;
        Self::finish(tx).await
    }

    /// Every stored document's id and saved bytes (for a backup), in one read.
    /// Entries whose key is not a document id are skipped.
    pub async fn load_all_docs(&self) -> Result<Vec<(DocId, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(&[DOCS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(DOCS)?;
        let keys = store.get_all_keys(None, None)?.into_future();
        let values = store.get_all(None, None)?.into_future();
        let (keys, values) = (keys.await?, values.await?);
        let mut docs: Vec<(DocId, Vec<u8>)> = keys
            .iter()
            .zip(&values)
            .filter_map(|(k, v)| Some((k.as_string()?.parse().ok()?, to_bytes(v)?)))
            .collect();
        let unpacked: HashSet<DocId> = docs.iter().map(|(id, _)| *id).collect();
        let tx = self.db.transaction(&[PACKS], TransactionMode::ReadOnly)?;
        let packs = tx.object_store(PACKS)?.get_all(None, None)?.await?;
        for pack in &packs {
            let Some(bytes) = to_bytes(pack) else {
                continue;
            };
            if let Ok(entries) = decode_pack(&bytes) {
                docs.extend(
                    entries
                        .into_iter()
                        .filter(|(id, _)| !unpacked.contains(id))
                        .map(|(id, saved)| (id, saved.to_vec())),
                );
            }
        }
        Ok(docs)
    }

    /// Documents changed by the relay and the new cursor, in one transaction, so
    /// the cursor never runs ahead of the stored documents.
    pub async fn commit_remote(&self, docs: &[StoredDoc], cursor: Seq) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[DOCS, SUMMARIES, META], TransactionMode::ReadWrite)?;
        let doc_store = tx.object_store(DOCS)?;
        let summary_store = tx.object_store(SUMMARIES)?;
        for d in docs {
            doc_store.put(&bytes(&d.bytes), Some(&key(&d.id)))?;
            if let Some(s) = &d.summary {
                summary_store.put(&bytes(&s.encode()), Some(&key(&d.id)))?;
            }
        }
        tx.object_store(META)?
            .put(&number(cursor.0), Some(&JsValue::from_str(META_CURSOR)))?;
        Self::finish(tx).await
    }

    /// Summaries rebuilt from their documents.
    pub async fn put_summaries(&self, summaries: &[Summary]) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[SUMMARIES], TransactionMode::ReadWrite)?;
        let store = tx.object_store(SUMMARIES)?;
        for s in summaries {
            store.put(&bytes(&s.encode()), Some(&key(&s.id)))?;
        }
        Self::finish(tx).await
    }

    /// Drops outbox entries the relay acknowledged.
    pub async fn delete_outbox(&self, ids: &[OutboxId]) -> Result<(), StorageError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.object_store(OUTBOX)?;
        for id in ids {
            store.delete(number(*id))?;
        }
        Self::finish(tx).await
    }

    /// Empties every store and records `team` as the owner: signing in to another
    /// team must not mix its records with the previous team's.
    pub async fn reset_for_team(&self, team: &str) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
        for name in ALL_STORES {
            tx.object_store(name)?.clear()?;
        }
        self.pack_keys.borrow_mut().take();
        tx.object_store(META)?.put(
            &JsValue::from_str(team),
            Some(&JsValue::from_str(META_TEAM)),
        )?;
        Self::finish(tx).await
    }
}

/// Asks the browser to keep this site's data under storage pressure
/// (`navigator.storage.persist()`, only when not persisted already). Returns
/// false when the browser refused; true when granted or not supported.
pub async fn ensure_persisted() -> bool {
    use wasm_bindgen_futures::JsFuture;
    let Some(window) = web_sys::window() else {
        return true;
    };
    let navigator = window.navigator();
    let has_storage = js_sys::Reflect::get(&navigator, &JsValue::from_str("storage"))
        .is_ok_and(|s| !s.is_undefined() && !s.is_null());
    if !has_storage {
        return true;
    }
    let manager = navigator.storage();
    let ask = |p: Result<js_sys::Promise, JsValue>| async move {
        match p {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
            Err(_) => None,
        }
    };
    match ask(manager.persisted()).await {
        Some(true) | None => true,
        Some(false) => ask(manager.persist()).await.unwrap_or(true),
    }
}
