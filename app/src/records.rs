//! The customer documents on this device: opening, editing, and applying what
//! the relay sends, with IndexedDB underneath.
//!
//! Only documents the rep opens are kept in memory (a small cache); remote
//! changes to other documents are applied to a copy loaded for the moment and
//! written back with their summaries (FLOOR.md: loading all documents at start
//! costs seconds and 120 MiB for 10,000 customers).
//!
//! Invariant: every operation that reads a document, changes it and writes it
//! back holds `lock` (this tab) and the Web Lock `campo-docs` (every tab of the
//! device) from start to end, and reads the document from IndexedDB, not from
//! the cache (another tab may have written it). Without that, a remote batch and
//! a local save interleaving at their IndexedDB awaits could each write a copy
//! missing the other's change.

use crate::storage::{LocalEdit, Storage, StorageError, StoredDoc};
use crate::tabs::{self, HeldLock};
use campo_core::customer::{Customer, CustomerDoc, DocError, Edit, EditError, Stamp};
use campo_core::ids::{DocId, Seq};
use campo_core::index::CustomerSummary;
use campo_core::protocol::{DocChange, Entry};
use campo_core::sync::OutboxId;
use futures::lock::{Mutex, MutexGuard};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// How many opened documents stay in memory.
const CACHE_DOCS: usize = 16;

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the customer is not on this device")]
    NotFound,
}

/// Why a document could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Doc(#[from] DocError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A saved local change, ready for the outbox.
pub struct Saved {
    pub id: DocId,
    pub customer: Customer,
    pub summary: Option<CustomerSummary>,
    /// `None` when the edits changed nothing.
    pub outbox: Option<(OutboxId, DocChange)>,
}

/// What a remote batch changed.
pub struct Applied {
    pub summaries: Vec<CustomerSummary>,
    pub docs: Vec<DocId>,
}

pub struct Customers {
    storage: Storage,
    lock: Mutex<()>,
    /// Opened documents, most recently used last.
    cache: RefCell<Vec<CustomerDoc>>,
    next_outbox: Cell<OutboxId>,
}

impl Customers {
    pub fn new(storage: Storage, next_outbox: OutboxId) -> Customers {
        Customers {
            storage,
            lock: Mutex::new(()),
            cache: RefCell::new(Vec::new()),
            next_outbox: Cell::new(next_outbox),
        }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Forgets every cached document (after the database was reset).
    pub fn reset(&self, next_outbox: OutboxId) {
        self.cache.borrow_mut().clear();
        self.next_outbox.set(next_outbox);
    }

    fn take_cached(&self, id: DocId) -> Option<CustomerDoc> {
        let mut cache = self.cache.borrow_mut();
        let at = cache.iter().position(|d| d.id() == id)?;
        Some(cache.remove(at))
    }

    fn put_cached(&self, doc: CustomerDoc) {
        let mut cache = self.cache.borrow_mut();
        cache.retain(|d| d.id() != doc.id());
        if cache.len() >= CACHE_DOCS {
            cache.remove(0);
        }
        cache.push(doc);
    }

    fn is_cached(&self, id: DocId) -> bool {
        self.cache.borrow().iter().any(|d| d.id() == id)
    }

    /// Holds this tab's lock and the device-wide one, for a read-modify-write.
    async fn write_lock(&self) -> (MutexGuard<'_, ()>, Option<HeldLock>) {
        let guard = self.lock.lock().await;
        let held = tabs::acquire(tabs::DOCS_LOCK).await;
        (guard, held)
    }

    /// The stored document (another tab may have changed it since it was cached).
    /// Lock held by the caller.
    async fn fetch(&self, id: DocId) -> Result<Option<CustomerDoc>, OpenError> {
        self.take_cached(id);
        match self.storage.load_doc(id).await? {
            Some(bytes) => Ok(Some(CustomerDoc::load(id, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Opens a customer for reading and editing; `None` if it is not on this device.
    pub async fn open(&self, id: DocId) -> Result<Option<Customer>, OpenError> {
        let _guard = self.lock.lock().await;
        let Some(mut doc) = self.fetch(id).await? else {
            return Ok(None);
        };
        if !doc.is_ready() {
            return Ok(None);
        }
        let customer = doc.read();
        self.put_cached(doc);
        Ok(Some(customer))
    }

    /// Re-reads the cached ones of these documents from IndexedDB (another tab
    /// changed them), so the forms showing them refresh from what is stored.
    pub async fn reload_cached(&self, ids: &[DocId]) -> Result<(), OpenError> {
        let _guard = self.lock.lock().await;
        for id in ids {
            if !self.is_cached(*id) {
                continue;
            }
            self.take_cached(*id);
            if let Some(bytes) = self.storage.load_doc(*id).await? {
                self.put_cached(CustomerDoc::load(*id, &bytes)?);
            }
        }
        Ok(())
    }

    /// The current state of an opened customer, without waiting (for refreshing
    /// a form after a remote change).
    pub fn read_cached(&self, id: DocId) -> Option<Customer> {
        let mut cache = self.cache.borrow_mut();
        let doc = cache.iter_mut().find(|d| d.id() == id)?;
        doc.is_ready().then(|| doc.read())
    }

    /// Creates a customer from the form's edits.
    pub async fn create(&self, stamp: &Stamp<'_>, edits: &[Edit]) -> Result<Saved, SaveError> {
        let _guard = self.write_lock().await;
        let id = crate::platform::new_doc_id();
        let (doc, change) = CustomerDoc::create(id, stamp, edits)?;
        self.commit(doc, Some(change)).await
    }

    /// Applies the edits to an existing customer as one change.
    pub async fn edit(
        &self,
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<Saved, SaveError> {
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

    async fn commit(
        &self,
        mut doc: CustomerDoc,
        change: Option<Vec<u8>>,
    ) -> Result<Saved, SaveError> {
        let id = doc.id();
        let customer = doc.read();
        let summary = CustomerSummary::of(&customer);
        let Some(change) = change else {
            self.put_cached(doc);
            return Ok(Saved {
                id,
                customer,
                summary,
                outbox: None,
            });
        };
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
                change: &change,
            })
            .await;
        if let Err(e) = written {
            // The in-memory document holds a change storage does not: drop it so
            // the next open reads what is really stored.
            return Err(e.into());
        }
        self.next_outbox.set(outbox_id + 1);
        self.put_cached(doc);
        Ok(Saved {
            id,
            customer,
            summary,
            outbox: Some((
                outbox_id,
                DocChange {
                    doc: id,
                    bytes: change,
                },
            )),
        })
    }

    /// Applies entries from the relay and stores them with the new cursor in one
    /// transaction. An entry that is not a valid change is logged and skipped: the
    /// relay checked it, so this only happens with a damaged store, and refusing
    /// the batch would stop sync for good.
    pub async fn apply_remote(
        &self,
        entries: Vec<Entry>,
        upto: Seq,
    ) -> Result<Applied, StorageError> {
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
                Some(bytes) => CustomerDoc::load(*id, &bytes).unwrap_or_else(|e| {
                    log(&format!(
                        "stored document {id} is damaged ({e}); rebuilding it"
                    ));
                    CustomerDoc::empty(*id)
                }),
                // A document new to this device: loading all its changes at
                // once is several times faster than applying them to an empty one.
                None => match CustomerDoc::load(*id, &by_doc[id].concat()) {
                    Ok(doc) => {
                        fresh = true;
                        doc
                    }
                    Err(_) => CustomerDoc::empty(*id),
                },
            };
            // One call for all of a document's changes in the batch is much cheaper
            // than one per change; a bad change sends us back to one at a time.
            let changes = &by_doc[id];
            if fresh {
                // Already loaded from these very changes.
            } else if changes.len() == 1 || doc.apply(&changes.concat()).is_err() {
                for change in changes {
                    if let Err(e) = doc.apply(change) {
                        log(&format!(
                            "skipping a change to {id} that does not apply: {e}"
                        ));
                    }
                }
            }
            let summary = if doc.is_ready() {
                CustomerSummary::of(&doc.read())
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

    /// Rebuilds the summaries of these documents from the documents themselves
    /// (for summaries that are missing or unreadable).
    pub async fn rebuild_summaries(
        &self,
        ids: &[DocId],
    ) -> Result<Vec<CustomerSummary>, StorageError> {
        let _guard = self.write_lock().await;
        let mut summaries = Vec::new();
        for chunk in ids.chunks(200) {
            let loaded = self.storage.load_docs(chunk).await?;
            for (id, bytes) in chunk.iter().zip(loaded) {
                let Some(bytes) = bytes else { continue };
                match CustomerDoc::load(*id, &bytes) {
                    Ok(mut doc) if doc.is_ready() => {
                        summaries.extend(CustomerSummary::of(&doc.read()));
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

pub fn log(msg: &str) {
    web_sys::console::warn_1(&msg.into());
}
