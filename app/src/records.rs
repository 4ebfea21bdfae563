//! The record documents on this device: opening, editing, and applying what
//! the relay sends, with IndexedDB underneath.
//!
//! Only documents the rep opens are kept in memory (a small cache); remote
//! changes to other documents are applied to a copy loaded for the moment and
//! written back with their summaries (FLOOR.md: loading all documents at start
//! costs seconds and 120 MiB for 10,000 records).
//!
//! Invariant: every operation that reads a document, changes it and writes it
//! back holds `lock` (this tab) and the Web Lock `campo-docs` (every tab of the
//! device) from start to end, and reads the document from IndexedDB, not from
//! the cache (another tab may have written it). Without that, a remote batch and
//! a local save interleaving at their IndexedDB awaits could each write a copy
//! missing the other's change.
//!
//! The operations themselves are the record engine (`records/engine.rs`), a
//! wasm module of its own loaded on first use; this facade only forwards.

mod engine;

use crate::storage::{Storage, StorageError};
use campo_core::ids::{DocId, Seq};
use campo_core::protocol::{DocChange, Entry};
use campo_core::record::{DocError, Edit, EditError, HistoryEntry, Kind, Record, Stamp};
use campo_core::snapshot::SnapshotDoc;
use campo_core::summary::Summary;
use campo_core::sync::OutboxId;
use futures::lock::Mutex;
use leptos::wasm_split::{SplitLoaderError, wasm_split};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

/// How many opened documents stay in memory.
const CACHE_DOCS: usize = 16;

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the record is not on this device")]
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
    pub record: Record,
    pub summary: Option<Summary>,
    /// The changes to send, in order (empty when the edits changed nothing).
    pub outbox: Vec<(OutboxId, DocChange)>,
}

/// What a remote batch changed.
pub struct Applied {
    pub summaries: Vec<Summary>,
    pub docs: Vec<DocId>,
}

/// How many records a bulk write builds between two yields to the browser, so
/// the page (its progress bar) stays responsive: ~200 records are 40-100 ms.
const BULK_CHUNK: usize = 200;

/// The edits a merge makes, given the record as stored.
pub type MergeFn = Box<dyn Fn(&Record) -> Vec<Edit>>;

/// One record of a bulk write ([`Records::create_many`]).
pub enum BulkOp {
    /// A new record. The caller picks the id, so records of one import can refer
    /// to each other (a person to the account created with it).
    Create {
        id: DocId,
        kind: Kind,
        edits: Vec<Edit>,
    },
    /// Edits to a stored record, computed from its current state while the write
    /// lock is held (filling an existing account's empty fields from an imported
    /// row). No edits, no change.
    Merge { id: DocId, edits: MergeFn },
}

/// What a bulk write stored.
pub struct BulkSaved {
    /// Every document written, created or changed.
    pub docs: Vec<DocId>,
    pub summaries: Vec<Summary>,
    pub outbox: Vec<(OutboxId, DocChange)>,
}

/// Why a bulk write stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// Some operations cannot be carried out; by their position in the input.
    #[error("{} records cannot be saved, so none was", .0.len())]
    Refused(Vec<(usize, SaveError)>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What a restore stored.
pub struct Restored {
    pub docs: Vec<DocId>,
    pub summaries: Vec<Summary>,
    /// Every change of every restored document, for the relay.
    pub outbox: Vec<(OutboxId, DocChange)>,
    /// Documents this device did not have, and documents merged into stored ones.
    pub added: usize,
    pub merged: usize,
}

/// Why a restore stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("the backup's record {0} is damaged ({1}); nothing was restored")]
    Damaged(DocId, DocError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A boxed future the engine hands back (its code lives in the engine's module).
pub(crate) type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The operations on documents, as the engine module implements them
/// ([`engine::Automerge`]). The facade holds no code that touches Automerge:
/// it calls these through the trait object [`load_engine`] returns, so the
/// engine's code is reached only from its own module.
pub(crate) trait Engine {
    fn open<'a>(&self, r: &'a Records, id: DocId) -> Fut<'a, Result<Option<Record>, OpenError>>;
    fn reload_cached<'a>(&self, r: &'a Records, ids: &'a [DocId])
    -> Fut<'a, Result<(), OpenError>>;
    fn read_cached(&self, r: &Records, id: DocId) -> Option<Record>;
    fn history<'a>(
        &self,
        r: &'a Records,
        id: DocId,
    ) -> Fut<'a, Option<(Option<Kind>, Vec<HistoryEntry>)>>;
    fn create<'a>(
        &self,
        r: &'a Records,
        kind: Kind,
        stamp: &'a Stamp<'a>,
        edits: &'a [Edit],
    ) -> Fut<'a, Result<Saved, SaveError>>;
    fn ensure_team_doc<'a>(&self, r: &'a Records) -> Fut<'a, Result<Option<Saved>, SaveError>>;
    fn edit<'a>(
        &self,
        r: &'a Records,
        id: DocId,
        stamp: &'a Stamp<'a>,
        edits: &'a [Edit],
    ) -> Fut<'a, Result<Saved, SaveError>>;
    fn read_many<'a>(
        &self,
        r: &'a Records,
        ids: &'a [DocId],
    ) -> Fut<'a, Result<Vec<Record>, StorageError>>;
    fn create_many<'a>(
        &self,
        r: &'a Records,
        ops: Vec<BulkOp>,
        stamp: &'a Stamp<'a>,
        progress: &'a dyn Fn(usize),
    ) -> Fut<'a, Result<BulkSaved, BulkError>>;
    fn restore<'a>(
        &self,
        r: &'a Records,
        docs: Vec<(DocId, Vec<u8>)>,
        progress: &'a dyn Fn(usize),
    ) -> Fut<'a, Result<Restored, RestoreError>>;
    fn apply_remote<'a>(
        &self,
        r: &'a Records,
        entries: Vec<Entry>,
        upto: Seq,
    ) -> Fut<'a, Result<Applied, StorageError>>;
    fn store_snapshot_chunk<'a>(
        &self,
        r: &'a Records,
        docs: Vec<SnapshotDoc>,
        unpacked: &'a HashSet<DocId>,
        summaries_readable: bool,
    ) -> Fut<'a, Result<Vec<Summary>, StorageError>>;
    fn rebuild_summaries<'a>(
        &self,
        r: &'a Records,
        ids: &'a [DocId],
    ) -> Fut<'a, Result<Vec<Summary>, StorageError>>;
}

/// The engine, from its own wasm module: fetched on the first call (the
/// service worker has it precached, so offline too), at once afterwards.
#[wasm_split(engine, wasm_split_path = ::leptos::wasm_split, fallible)]
fn engine_module() -> Result<&'static dyn Engine, SplitLoaderError> {
    Ok(&engine::Automerge)
}

thread_local! {
    static ENGINE: Cell<Option<&'static dyn Engine>> = const { Cell::new(None) };
}

/// The engine, loading its module if no call has yet.
pub async fn load_engine() -> Result<&'static dyn Engine, StorageError> {
    if let Some(engine) = ENGINE.get() {
        return Ok(engine);
    }
    let engine = engine_module().await.map_err(|e| {
        log(&format!("the record engine did not load: {e}"));
        StorageError::EngineUnavailable
    })?;
    ENGINE.set(Some(engine));
    Ok(engine)
}

pub struct Records {
    storage: Storage,
    lock: Mutex<()>,
    /// Opened documents, most recently used last: a `Vec<RecordDoc>` that only
    /// the engine module creates and reads, boxed so that this module holds no
    /// Automerge code (dropping it calls the engine's drop through the box).
    cache: RefCell<Option<Box<dyn Any>>>,
    next_outbox: Cell<OutboxId>,
}

impl Records {
    pub fn new(storage: Storage, next_outbox: OutboxId) -> Records {
        Records {
            storage,
            lock: Mutex::new(()),
            cache: RefCell::new(None),
            next_outbox: Cell::new(next_outbox),
        }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Forgets every cached document (after the database was reset).
    pub fn reset(&self, next_outbox: OutboxId) {
        self.cache.borrow_mut().take();
        self.next_outbox.set(next_outbox);
    }

    /// Opens a record for reading and editing; `None` if it is not on this device.
    pub async fn open(&self, id: DocId) -> Result<Option<Record>, OpenError> {
        load_engine().await?.open(self, id).await
    }

    /// Re-reads the cached ones of these documents from IndexedDB (another tab
    /// changed them), so the forms showing them refresh from what is stored.
    pub async fn reload_cached(&self, ids: &[DocId]) -> Result<(), OpenError> {
        // Nothing is cached before the engine has loaded.
        let Some(engine) = ENGINE.get() else {
            return Ok(());
        };
        engine.reload_cached(self, ids).await
    }

    /// The current state of an opened record, without waiting (for refreshing
    /// a form after a remote change).
    pub fn read_cached(&self, id: DocId) -> Option<Record> {
        ENGINE.get()?.read_cached(self, id)
    }

    /// A record's kind and history (one diff per change: for the record on screen).
    pub async fn history(&self, id: DocId) -> Option<(Option<Kind>, Vec<HistoryEntry>)> {
        load_engine().await.ok()?.history(self, id).await
    }

    /// Creates a record of `kind` from the form's edits.
    pub async fn create(
        &self,
        kind: Kind,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<Saved, SaveError> {
        load_engine().await?.create(self, kind, stamp, edits).await
    }

    /// Makes sure the team's settings document exists on this device. Every
    /// device builds the same first change, so the relay stores it once.
    pub async fn ensure_team_doc(&self) -> Result<Option<Saved>, SaveError> {
        load_engine().await?.ensure_team_doc(self).await
    }

    /// Applies the edits to an existing record as one change.
    pub async fn edit(
        &self,
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<Saved, SaveError> {
        load_engine().await?.edit(self, id, stamp, edits).await
    }

    /// Reads several records (for exports and previews); records not on this
    /// device, not yet complete or damaged are left out.
    pub async fn read_many(&self, ids: &[DocId]) -> Result<Vec<Record>, StorageError> {
        load_engine().await?.read_many(self, ids).await
    }

    /// Creates and merges many records at once (an import): every document is
    /// built in memory first, and only when all of them are valid are they stored,
    /// with their summaries and outbox entries, in one transaction. So an import
    /// is stored whole or not at all. `progress` hears how many operations are
    /// built; the browser gets control back every [`BULK_CHUNK`].
    pub async fn create_many(
        &self,
        ops: Vec<BulkOp>,
        stamp: &Stamp<'_>,
        progress: &dyn Fn(usize),
    ) -> Result<BulkSaved, BulkError> {
        load_engine()
            .await?
            .create_many(self, ops, stamp, progress)
            .await
    }

    /// Restores documents from a backup: each is merged into the stored one (both
    /// histories kept) or stored as new, with every change of the backup's copy
    /// queued for the relay (it keeps each change once, so the ones it has cost
    /// nothing). Every document is checked before anything is stored, and all are
    /// stored in one transaction.
    pub async fn restore(
        &self,
        docs: Vec<(DocId, Vec<u8>)>,
        progress: &dyn Fn(usize),
    ) -> Result<Restored, RestoreError> {
        load_engine().await?.restore(self, docs, progress).await
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
        load_engine().await?.apply_remote(self, entries, upto).await
    }

    /// Stores one chunk of a relay snapshot as a pack. A document this device
    /// already holds in `docs` (`unpacked`) is merged with its snapshot copy
    /// instead, so nothing made here is ever overwritten. Summaries are kept
    /// only when `summaries_readable` (the snapshot's format is this build's);
    /// otherwise they are rebuilt from the documents later. Returns the
    /// summaries to show.
    pub async fn store_snapshot_chunk(
        &self,
        docs: Vec<SnapshotDoc>,
        unpacked: &HashSet<DocId>,
        summaries_readable: bool,
    ) -> Result<Vec<Summary>, StorageError> {
        load_engine()
            .await?
            .store_snapshot_chunk(self, docs, unpacked, summaries_readable)
            .await
    }

    /// Rebuilds the summaries of these documents from the documents themselves
    /// (for summaries that are missing or unreadable).
    pub async fn rebuild_summaries(&self, ids: &[DocId]) -> Result<Vec<Summary>, StorageError> {
        load_engine().await?.rebuild_summaries(self, ids).await
    }
}

pub fn log(msg: &str) {
    web_sys::console::warn_1(&msg.into());
}
