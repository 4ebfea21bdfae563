//! The CRDT engine: every operation on the records' Automerge documents
//! (open, edit, create, apply the relay's changes, merge a snapshot or a
//! backup). It is its own wasm module (split point `engine`, see
//! [`super::load_engine`]): Automerge is a third of the app's code and nothing
//! on the way to the list needs it (start-up reads summaries, never documents),
//! so the first load leaves it out and the app fetches it in the background
//! once the list shows (ARCHITECTURE.md, "Split wasm").
//!
//! Nothing outside this module names a `RecordDoc`: the facade ([`Records`])
//! reaches these operations only through the [`Engine`] trait object this
//! module hands out, and the cache of opened documents is an opaque box that
//! only this module fills and reads. A direct call, or a `RecordDoc` dropped
//! in the facade, would pull Automerge back into the first load.

use super::{
    Applied, BULK_CHUNK, BulkError, BulkOp, BulkSaved, CACHE_DOCS, Engine, Fut, OpenError, Records,
    RestoreError, Restored, SaveError, Saved, log,
};
use crate::storage::{LocalEdit, PackDoc, StorageError, StoredDoc};
use crate::tabs::{self, HeldLock};
use campo_core::ids::{DocId, Seq};
use campo_core::protocol::{DocChange, Entry};
use campo_core::record::{Edit, EditError, HistoryEntry, Kind, Record, RecordDoc, Stamp};
use campo_core::snapshot::SnapshotDoc;
use campo_core::summary::Summary;
use campo_core::sync::OutboxId;
use futures::lock::MutexGuard;
use std::cell::RefMut;
use std::collections::{HashMap, HashSet};
use std::ops::Deref;

/// The engine the facade calls (a unit: all state is in [`Records`]).
pub(super) struct Automerge;

impl Engine for Automerge {
    fn open<'a>(&self, r: &'a Records, id: DocId) -> Fut<'a, Result<Option<Record>, OpenError>> {
        Box::pin(async move { Ops(r).open(id).await })
    }

    fn reload_cached<'a>(
        &self,
        r: &'a Records,
        ids: &'a [DocId],
    ) -> Fut<'a, Result<(), OpenError>> {
        Box::pin(async move { Ops(r).reload_cached(ids).await })
    }

    fn read_cached(&self, r: &Records, id: DocId) -> Option<Record> {
        Ops(r).read_cached(id)
    }

    fn history<'a>(
        &self,
        r: &'a Records,
        id: DocId,
    ) -> Fut<'a, Option<(Option<Kind>, Vec<HistoryEntry>)>> {
        Box::pin(async move { Ops(r).history(id).await })
    }

    fn create<'a>(
        &self,
        r: &'a Records,
        kind: Kind,
        stamp: &'a Stamp<'a>,
        edits: &'a [Edit],
    ) -> Fut<'a, Result<Saved, SaveError>> {
        Box::pin(async move { Ops(r).create(kind, stamp, edits).await })
    }

    fn ensure_team_doc<'a>(&self, r: &'a Records) -> Fut<'a, Result<Option<Saved>, SaveError>> {
        Box::pin(async move { Ops(r).ensure_team_doc().await })
    }

    fn edit<'a>(
        &self,
        r: &'a Records,
        id: DocId,
        stamp: &'a Stamp<'a>,
        edits: &'a [Edit],
    ) -> Fut<'a, Result<Saved, SaveError>> {
        Box::pin(async move { Ops(r).edit(id, stamp, edits).await })
    }

    fn read_many<'a>(
        &self,
        r: &'a Records,
        ids: &'a [DocId],
    ) -> Fut<'a, Result<Vec<Record>, StorageError>> {
        Box::pin(async move { Ops(r).read_many(ids).await })
    }

    fn create_many<'a>(
        &self,
        r: &'a Records,
        ops: Vec<BulkOp>,
        stamp: &'a Stamp<'a>,
        progress: &'a dyn Fn(usize),
    ) -> Fut<'a, Result<BulkSaved, BulkError>> {
        Box::pin(async move { Ops(r).create_many(ops, stamp, progress).await })
    }

    fn restore<'a>(
        &self,
        r: &'a Records,
        docs: Vec<(DocId, Vec<u8>)>,
        progress: &'a dyn Fn(usize),
    ) -> Fut<'a, Result<Restored, RestoreError>> {
        Box::pin(async move { Ops(r).restore(docs, progress).await })
    }

    fn apply_remote<'a>(
        &self,
        r: &'a Records,
        entries: Vec<Entry>,
        upto: Seq,
    ) -> Fut<'a, Result<Applied, StorageError>> {
        Box::pin(async move { Ops(r).apply_remote(entries, upto).await })
    }

    fn store_snapshot_chunk<'a>(
        &self,
        r: &'a Records,
        docs: Vec<SnapshotDoc>,
        unpacked: &'a HashSet<DocId>,
        summaries_readable: bool,
    ) -> Fut<'a, Result<Vec<Summary>, StorageError>> {
        Box::pin(async move {
            Ops(r)
                .store_snapshot_chunk(docs, unpacked, summaries_readable)
                .await
        })
    }

    fn rebuild_summaries<'a>(
        &self,
        r: &'a Records,
        ids: &'a [DocId],
    ) -> Fut<'a, Result<Vec<Summary>, StorageError>> {
        Box::pin(async move { Ops(r).rebuild_summaries(ids).await })
    }
}

/// The operations, on the facade's state.
struct Ops<'a>(&'a Records);

impl Deref for Ops<'_> {
    type Target = Records;
    fn deref(&self) -> &Records {
        self.0
    }
}

/// A document built in memory by a bulk write, waiting to be stored.
struct Built {
    id: DocId,
    bytes: Vec<u8>,
    summary: Option<Summary>,
    changes: Vec<Vec<u8>>,
}

/// What [`Ops::store_built`] stored.
struct Stored {
    docs: Vec<DocId>,
    summaries: Vec<Summary>,
    outbox: Vec<(OutboxId, DocChange)>,
}

/// Lets the browser paint (the progress bar) and handle input between chunks.
async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

impl Ops<'_> {
    /// The opened documents, most recently used last (created on first use:
    /// the box's type, and so its drop, belong to this module).
    fn docs(&self) -> RefMut<'_, Vec<RecordDoc>> {
        RefMut::map(self.0.cache.borrow_mut(), |c| {
            c.get_or_insert_with(|| Box::new(Vec::<RecordDoc>::new()))
                .downcast_mut::<Vec<RecordDoc>>()
                .expect("only the engine fills the cache")
        })
    }

    fn take_cached(&self, id: DocId) -> Option<RecordDoc> {
        let mut cache = self.docs();
        let at = cache.iter().position(|d| d.id() == id)?;
        Some(cache.remove(at))
    }

    fn put_cached(&self, doc: RecordDoc) {
        let mut cache = self.docs();
        cache.retain(|d| d.id() != doc.id());
        if cache.len() >= CACHE_DOCS {
            cache.remove(0);
        }
        cache.push(doc);
    }

    fn is_cached(&self, id: DocId) -> bool {
        self.docs().iter().any(|d| d.id() == id)
    }

    /// Holds this tab's lock and the device-wide one, for a read-modify-write.
    async fn write_lock(&self) -> (MutexGuard<'_, ()>, Option<HeldLock>) {
        let guard = self.lock.lock().await;
        let held = tabs::acquire(tabs::DOCS_LOCK).await;
        (guard, held)
    }

    /// The stored document (another tab may have changed it since it was cached).
    /// Lock held by the caller.
    async fn fetch(&self, id: DocId) -> Result<Option<RecordDoc>, OpenError> {
        self.take_cached(id);
        match self.storage.load_doc(id).await? {
            Some(bytes) => Ok(Some(RecordDoc::load(id, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Opens a record for reading and editing; `None` if it is not on this device.
    async fn open(&self, id: DocId) -> Result<Option<Record>, OpenError> {
        let _guard = self.lock.lock().await;
        let Some(mut doc) = self.fetch(id).await? else {
            return Ok(None);
        };
        if !doc.is_ready() {
            return Ok(None);
        }
        let record = doc.read();
        self.put_cached(doc);
        Ok(Some(record))
    }

    /// Re-reads the cached ones of these documents from IndexedDB (another tab
    /// changed them), so the forms showing them refresh from what is stored.
    async fn reload_cached(&self, ids: &[DocId]) -> Result<(), OpenError> {
        let _guard = self.lock.lock().await;
        for id in ids {
            if !self.is_cached(*id) {
                continue;
            }
            self.take_cached(*id);
            if let Some(bytes) = self.storage.load_doc(*id).await? {
                self.put_cached(RecordDoc::load(*id, &bytes)?);
            }
        }
        Ok(())
    }

    /// The current state of an opened record, without waiting (for refreshing
    /// a form after a remote change).
    fn read_cached(&self, id: DocId) -> Option<Record> {
        let mut cache = self.docs();
        let doc = cache.iter_mut().find(|d| d.id() == id)?;
        doc.is_ready().then(|| doc.read())
    }

    /// A record's kind and history (one diff per change: for the record on screen).
    async fn history(
        &self,
        id: DocId,
    ) -> Option<(Option<Kind>, Vec<campo_core::record::HistoryEntry>)> {
        let _guard = self.lock.lock().await;
        let mut doc = match self.take_cached(id) {
            Some(doc) => doc,
            None => RecordDoc::load(id, &self.storage.load_doc(id).await.ok()??).ok()?,
        };
        let out = (doc.kind(), doc.history());
        self.put_cached(doc);
        Some(out)
    }

    /// Creates a record of `kind` from the form's edits.
    async fn create(
        &self,
        kind: Kind,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<Saved, SaveError> {
        let _guard = self.write_lock().await;
        let id = crate::platform::new_doc_id();
        let (doc, change) = RecordDoc::create(kind, id, stamp, edits)?;
        self.commit(doc, vec![change]).await
    }

    /// Makes sure the team's settings document exists on this device. Every
    /// device builds the same first change, so the relay stores it once.
    async fn ensure_team_doc(&self) -> Result<Option<Saved>, SaveError> {
        let _guard = self.write_lock().await;
        if self
            .storage
            .load_doc(campo_core::record::TEAM_DOC)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let (doc, change) = RecordDoc::team();
        self.commit(doc, vec![change]).await.map(Some)
    }

    /// Applies the edits to an existing record as one change.
    async fn edit(&self, id: DocId, stamp: &Stamp<'_>, edits: &[Edit]) -> Result<Saved, SaveError> {
        let _guard = self.write_lock().await;
        let mut doc = match self.fetch(id).await {
            Ok(Some(doc)) => doc,
            Ok(None) => return Err(SaveError::NotFound),
            Err(OpenError::Doc(e)) => return Err(EditError::Doc(e).into()),
            Err(OpenError::Storage(e)) => return Err(e.into()),
        };
        let change = match doc.edit(stamp, edits) {
            Ok(change) => change,
            Err(e) => {
                // Nothing was written (the core rolls back), so the document stays usable.
                self.put_cached(doc);
                return Err(e.into());
            }
        };
        self.commit(doc, change).await
    }

    async fn commit(&self, mut doc: RecordDoc, changes: Vec<Vec<u8>>) -> Result<Saved, SaveError> {
        let id = doc.id();
        let record = doc.read();
        let summary = Summary::of(&record);
        if changes.is_empty() {
            self.put_cached(doc);
            return Ok(Saved {
                id,
                record,
                summary,
                outbox: Vec::new(),
            });
        }
        // Ids grow with the clock (1024 per millisecond) as well as with each save,
        // so two tabs of one device practically never hand out the same id and
        // overwrite each other's outbox entry. Stays below 2^53 (exact in IndexedDB
        // as a number) until the year 2250.
        let outbox_id = self
            .next_outbox
            .get()
            .max(crate::platform::now_ms().max(0) as u64 * 1024);
        let bytes = doc.save();
        let written = self
            .storage
            .commit_local_edit(LocalEdit {
                id,
                doc: &bytes,
                summary: summary.as_ref(),
                outbox_id,
                changes: &changes,
            })
            .await;
        if let Err(e) = written {
            // The in-memory document holds a change storage does not: drop it so
            // the next open reads what is really stored.
            return Err(e.into());
        }
        self.next_outbox.set(outbox_id + changes.len() as u64);
        self.put_cached(doc);
        Ok(Saved {
            id,
            record,
            summary,
            outbox: changes
                .into_iter()
                .enumerate()
                .map(|(i, bytes)| (outbox_id + i as u64, DocChange { doc: id, bytes }))
                .collect(),
        })
    }

    /// Stores built documents in one transaction and hands out their outbox ids
    /// (from the clock as well, see [`Ops::commit`]). Lock held by the caller.
    async fn store_built(&self, built: Vec<Built>) -> Result<Stored, StorageError> {
        let first = self
            .next_outbox
            .get()
            .max(crate::platform::now_ms().max(0) as u64 * 1024);
        let mut next = first;
        let mut edits = Vec::with_capacity(built.len());
        for b in &built {
            edits.push(LocalEdit {
                id: b.id,
                doc: &b.bytes,
                summary: b.summary.as_ref(),
                outbox_id: next,
                changes: &b.changes,
            });
            next += b.changes.len() as u64;
        }
        self.storage.commit_local_edits(&edits).await?;
        drop(edits);
        self.next_outbox.set(next);
        let mut out = Stored {
            docs: Vec::with_capacity(built.len()),
            summaries: Vec::with_capacity(built.len()),
            outbox: Vec::with_capacity((next - first) as usize),
        };
        let mut outbox_id = first;
        for b in built {
            out.docs.push(b.id);
            out.summaries.extend(b.summary);
            for bytes in b.changes {
                out.outbox.push((outbox_id, DocChange { doc: b.id, bytes }));
                outbox_id += 1;
            }
        }
        Ok(out)
    }

    /// Reads several records (for exports and previews); records not on this
    /// device, not yet complete or damaged are left out.
    async fn read_many(&self, ids: &[DocId]) -> Result<Vec<Record>, StorageError> {
        let _guard = self.lock.lock().await;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BULK_CHUNK) {
            let loaded = self.storage.load_docs(chunk).await?;
            for (id, bytes) in chunk.iter().zip(loaded) {
                let Some(bytes) = bytes else { continue };
                match RecordDoc::load(*id, &bytes) {
                    Ok(mut doc) if doc.is_ready() => out.push(doc.read()),
                    Ok(_) => {}
                    Err(e) => log(&format!("stored document {id} is damaged: {e}")),
                }
            }
            yield_to_browser().await;
        }
        Ok(out)
    }

    /// Creates and merges many records at once (an import): every document is
    /// built in memory first, and only when all of them are valid are they stored,
    /// with their summaries and outbox entries, in one transaction. So an import
    /// is stored whole or not at all. `progress` hears how many operations are
    /// built; the browser gets control back every [`BULK_CHUNK`].
    async fn create_many(
        &self,
        ops: Vec<BulkOp>,
        stamp: &Stamp<'_>,
        progress: &dyn Fn(usize),
    ) -> Result<BulkSaved, BulkError> {
        let _guard = self.write_lock().await;
        let mut refused: Vec<(usize, SaveError)> = Vec::new();

        // The records to merge into, as stored now (another tab may have changed them).
        let mut merge_ids: Vec<DocId> = Vec::new();
        for op in &ops {
            if let BulkOp::Merge { id, .. } = op
                && !merge_ids.contains(id)
            {
                merge_ids.push(*id);
            }
        }
        let mut merging: HashMap<DocId, (RecordDoc, Vec<Vec<u8>>)> = HashMap::new();
        for chunk in merge_ids.chunks(BULK_CHUNK) {
            let loaded = self.storage.load_docs(chunk).await?;
            for (id, bytes) in chunk.iter().zip(loaded) {
                self.take_cached(*id);
                if let Some(Ok(doc)) = bytes.map(|b| RecordDoc::load(*id, &b)) {
                    merging.insert(*id, (doc, Vec::new()));
                }
            }
        }

        let mut built: Vec<Built> = Vec::new();
        let total = ops.len();
        for (i, op) in ops.into_iter().enumerate() {
            match op {
                BulkOp::Create { id, kind, edits } => {
                    match RecordDoc::create(kind, id, stamp, &edits) {
                        // Only collected while nothing is refused: after the
                        // first refusal the rest are checked, not kept.
                        Ok((mut doc, change)) if refused.is_empty() => {
                            let summary = Summary::of(&doc.read());
                            built.push(Built {
                                id,
                                bytes: doc.save(),
                                summary,
                                changes: vec![change],
                            });
                        }
                        Ok(_) => {}
                        Err(e) => refused.push((i, e.into())),
                    }
                }
                BulkOp::Merge { id, edits } => match merging.get_mut(&id) {
                    Some((doc, changes)) => {
                        let edits = edits(&doc.read());
                        if !edits.is_empty() {
                            match doc.edit(stamp, &edits) {
                                Ok(more) => changes.extend(more),
                                Err(e) => refused.push((i, e.into())),
                            }
                        }
                    }
                    None => refused.push((i, SaveError::NotFound)),
                },
            }
            if (i + 1) % BULK_CHUNK == 0 || i + 1 == total {
                progress(i + 1);
                yield_to_browser().await;
            }
        }
        if !refused.is_empty() {
            return Err(BulkError::Refused(refused));
        }
        for id in merge_ids {
            let Some((mut doc, changes)) = merging.remove(&id) else {
                continue;
            };
            if changes.is_empty() {
                continue;
            }
            let summary = Summary::of(&doc.read());
            built.push(Built {
                id,
                bytes: doc.save(),
                summary,
                changes,
            });
        }

        let stored = self.store_built(built).await?;
        Ok(BulkSaved {
            docs: stored.docs,
            summaries: stored.summaries,
            outbox: stored.outbox,
        })
    }

    /// Restores documents from a backup: each is merged into the stored one (both
    /// histories kept) or stored as new, with every change of the backup's copy
    /// queued for the relay (it keeps each change once, so the ones it has cost
    /// nothing). Every document is checked before anything is stored, and all are
    /// stored in one transaction.
    async fn restore(
        &self,
        docs: Vec<(DocId, Vec<u8>)>,
        progress: &dyn Fn(usize),
    ) -> Result<Restored, RestoreError> {
        let _guard = self.write_lock().await;
        let mut built: Vec<Built> = Vec::with_capacity(docs.len());
        let (mut added, mut merged) = (0, 0);
        let mut done = 0;
        for chunk in docs.chunks(BULK_CHUNK) {
            let ids: Vec<DocId> = chunk.iter().map(|(id, _)| *id).collect();
            let stored = self.storage.load_docs(&ids).await?;
            for ((id, bytes), stored) in chunk.iter().zip(stored) {
                self.take_cached(*id);
                let mut doc =
                    RecordDoc::load(*id, bytes).map_err(|e| RestoreError::Damaged(*id, e))?;
                let changes = doc.changes();
                match stored {
                    Some(stored) => {
                        merged += 1;
                        if let Err(e) = doc.apply(&stored) {
                            // The backup's copy replaces a stored copy that cannot be read.
                            log(&format!(
                                "stored document {id} is damaged ({e}); restoring the backup's copy"
                            ));
                        }
                    }
                    None => added += 1,
                }
                let summary = if doc.is_ready() {
                    Summary::of(&doc.read())
                } else {
                    None
                };
                built.push(Built {
                    id: *id,
                    bytes: doc.save(),
                    summary,
                    changes,
                });
            }
            done += chunk.len();
            progress(done);
            yield_to_browser().await;
        }

        let stored = self.store_built(built).await?;
        Ok(Restored {
            docs: stored.docs,
            summaries: stored.summaries,
            outbox: stored.outbox,
            added,
            merged,
        })
    }

    /// Applies entries from the relay and stores them with the new cursor in one
    /// transaction. An entry that is not a valid change is logged and skipped: the
    /// relay checked it, so this only happens with a damaged store, and refusing
    /// the batch would stop sync for good.
    async fn apply_remote(&self, entries: Vec<Entry>, upto: Seq) -> Result<Applied, StorageError> {
        let _guard = self.write_lock().await;
        // Group by document, keeping each document's entries in log order.
        let mut order: Vec<DocId> = Vec::new();
        let mut by_doc: HashMap<DocId, Vec<Vec<u8>>> = HashMap::new();
        for e in entries {
            by_doc
                .entry(e.doc)
                .or_insert_with(|| {
                    order.push(e.doc);
                    Vec::new()
                })
                .push(e.bytes);
        }
        // Every document is read from storage: another tab may have written it.
        let to_load: Vec<DocId> = order.clone();
        let loaded = self.storage.load_docs(&to_load).await?;
        let mut loaded: HashMap<DocId, Option<Vec<u8>>> = to_load.into_iter().zip(loaded).collect();

        let mut stored = Vec::with_capacity(order.len());
        let mut back_to_cache = Vec::new();
        for id in &order {
            let mut fresh = false;
            let cached = self.take_cached(*id).is_some();
            let mut doc = match loaded.remove(id).flatten() {
                Some(bytes) => RecordDoc::load(*id, &bytes).unwrap_or_else(|e| {
                    log(&format!(
                        "stored document {id} is damaged ({e}); rebuilding it"
                    ));
                    RecordDoc::empty(*id)
                }),
                // A document new to this device: loading all its changes at
                // once is several times faster than applying them to an empty one.
                None => match RecordDoc::load(*id, &by_doc[id].concat()) {
                    Ok(doc) => {
                        fresh = true;
                        doc
                    }
                    Err(_) => RecordDoc::empty(*id),
                },
            };
            // One call for all of a document's changes in the batch is much cheaper
            // than one per change; a refused change (nothing of the call applied)
            // sends us back to one at a time, to apply the others and log it.
            let changes = &by_doc[id];
            if fresh {
                // Already loaded from these very changes.
            } else if doc.apply_many(changes).is_err() {
                for change in changes {
                    if let Err(e) = doc.apply(change) {
                        log(&format!(
                            "skipping a change to {id} that does not apply: {e}"
                        ));
                    }
                }
            }
            let summary = if doc.is_ready() {
                Summary::of(&doc.read())
            } else {
                None
            };
            stored.push(StoredDoc {
                id: *id,
                bytes: doc.save(),
                summary,
            });
            if cached {
                back_to_cache.push(doc);
            }
        }
        self.storage.commit_remote(&stored, upto).await?;
        // Open documents are cached as now stored (after a failed write they are
        // read from storage again on the next open).
        for doc in back_to_cache {
            self.put_cached(doc);
        }
        Ok(Applied {
            summaries: stored.iter().filter_map(|d| d.summary.clone()).collect(),
            docs: order,
        })
    }

    /// Stores one chunk of a relay snapshot as a pack. A document this device
    /// already holds in `docs` (`unpacked`) is merged with its snapshot copy
    /// instead, so nothing made here is ever overwritten. Summaries are kept
    /// only when `summaries_readable` (the snapshot's format is this build's);
    /// otherwise they are rebuilt from the documents later. Returns the
    /// summaries to show.
    async fn store_snapshot_chunk(
        &self,
        mut docs: Vec<SnapshotDoc>,
        unpacked: &HashSet<DocId>,
        summaries_readable: bool,
    ) -> Result<Vec<Summary>, StorageError> {
        let _guard = self.write_lock().await;
        // Packs are found by their first id: each holds one run of ids.
        docs.sort_unstable_by_key(|d| d.id);
        let (to_merge, to_pack): (Vec<SnapshotDoc>, Vec<SnapshotDoc>) =
            docs.into_iter().partition(|d| unpacked.contains(&d.id));
        let mut shown = Vec::with_capacity(to_pack.len() + to_merge.len());
        let mut merged = Vec::with_capacity(to_merge.len());
        if !to_merge.is_empty() {
            let ids: Vec<DocId> = to_merge.iter().map(|d| d.id).collect();
            let local = self.storage.load_docs(&ids).await?;
            for (snap, local) in to_merge.into_iter().zip(local) {
                let id = snap.id;
                let mut doc = local
                    .and_then(|b| RecordDoc::load(id, &b).ok())
                    .unwrap_or_else(|| RecordDoc::empty(id));
                match RecordDoc::load(id, &snap.saved) {
                    Ok(mut theirs) => {
                        for change in theirs.changes() {
                            if let Err(e) = doc.apply(&change) {
                                log(&format!(
                                    "skipping a change to {id} that does not apply: {e}"
                                ));
                            }
                        }
                    }
                    Err(e) => log(&format!("the relay's copy of {id} is damaged: {e}")),
                }
                let summary = if doc.is_ready() {
                    Summary::of(&doc.read())
                } else {
                    None
                };
                shown.extend(summary.clone());
                merged.push(StoredDoc {
                    id,
                    bytes: doc.save(),
                    summary,
                });
                if self.take_cached(id).is_some() {
                    self.put_cached(doc);
                }
            }
        }
        let pack: Vec<PackDoc> = to_pack
            .into_iter()
            .map(|d| {
                let summary = if summaries_readable && !d.summary.is_empty() {
                    match Summary::decode(&d.summary) {
                        Ok(s) => {
                            shown.push(s);
                            d.summary
                        }
                        Err(_) => Vec::new(),
                    }
                } else {
                    Vec::new()
                };
                PackDoc {
                    id: d.id,
                    saved: d.saved,
                    summary,
                }
            })
            .collect();
        self.storage.put_pack(&pack, &merged).await?;
        Ok(shown)
    }

    /// Rebuilds the summaries of these documents from the documents themselves
    /// (for summaries that are missing or unreadable).
    async fn rebuild_summaries(&self, ids: &[DocId]) -> Result<Vec<Summary>, StorageError> {
        let _guard = self.write_lock().await;
        let mut summaries = Vec::new();
        for chunk in ids.chunks(200) {
            let loaded = self.storage.load_docs(chunk).await?;
            for (id, bytes) in chunk.iter().zip(loaded) {
                let Some(bytes) = bytes else { continue };
                match RecordDoc::load(*id, &bytes) {
                    Ok(mut doc) if doc.is_ready() => {
                        summaries.extend(Summary::of(&doc.read()));
                    }
                    Ok(_) => {}
                    Err(e) => log(&format!("stored document {id} is damaged: {e}")),
                }
            }
        }
        self.storage.put_summaries(&summaries).await?;
        Ok(summaries)
    }
}
