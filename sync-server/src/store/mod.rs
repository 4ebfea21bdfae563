//! Durable storage: each team's append-only change log and the token table.
//!
//! [`Store`] is the interface the relay talks to. Two backends sit behind it:
//! - [`sqlite`]: the embedded default, one file in the data directory.
//! - [`postgres`]: a PostgreSQL database that several relay instances share
//!   (behind a load balancer); they hear each other's commits through
//!   `LISTEN`/`NOTIFY`.
//!
//! [`StoreLocation`] says which one a relay uses (`--store`, `--data`).
//!
//! Invariants, on both backends:
//! - Per team, sequence numbers start at 1 and are contiguous, also when several
//!   relay instances write the same team.
//! - A change hash appears at most once per team; re-sending it consumes no seq.
//! - A batch is stored whole or not at all, and is acknowledged only after the
//!   transaction holding it is durably committed.
//! - A batch that names its pusher's token ([`Batch::require_token`]) is stored
//!   only if that token exists and is unrevoked in the transaction that would
//!   store it; otherwise it fails with [`StoreError::Revoked`].
//! - Committed groups are announced to the [`CommitListener`] in seq order per
//!   team, each entry once, before any waiter hears its acknowledgement.

#[cfg(test)]
mod contract;
pub mod postgres;
pub mod sqlite;

pub use postgres::{PostgresStore, PostgresUrl};
pub use sqlite::{DB_FILE_NAME, SqliteStore};

use crate::names::Team;
use axum::body::Bytes;
use campo_core::change::{self, ChangeHash, InvalidChange};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{self, DocChange};
use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

/// Most push requests folded into one transaction; bounds a commit's latency.
pub const MAX_GROUP_REQUESTS: usize = 512;
/// Why the store failed. A session reports these as `Internal`: the client
/// keeps its changes and retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    // The client's errors name only their kind ("db error"); the message
    // carries their causes too, and they are not also given as a source, so a
    // report of the chain does not repeat them.
    #[error("PostgreSQL error: {}", with_causes(.0))]
    Postgres(tokio_postgres::Error),
    #[error(
        "cannot connect to PostgreSQL: {}; check the --store URL and that the server runs and accepts this user",
        with_causes(.0)
    )]
    Connect(tokio_postgres::Error),
    #[error("no PostgreSQL connection is available: {0}")]
    Pool(String),
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    StoreUrlFile { path: PathBuf, message: String },
    #[error("cannot start the store's worker threads: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the group commit failed: {0}")]
    Commit(String),
    #[error("the writer has stopped")]
    WriterGone,
    #[error("the token that pushed the batch is unknown or revoked")]
    Revoked,
    #[error("the database holds a damaged row: {0}")]
    Corrupt(String),
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Postgres(e)
    }
}

/// `e` and its causes, as one line.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// One Automerge change that passed [`change::check`], with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidChange {
    pub doc: DocId,
    pub hash: ChangeHash,
    pub bytes: Vec<u8>,
}

/// Why a pushed batch was refused: the first change that is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change {index} of the batch: {source}")]
pub struct BadChange {
    pub index: usize,
    #[source]
    pub source: InvalidChange,
}

/// A device's push, every change checked. Only [`Batch::validate`] makes one, so
/// the store never sees bytes that are not Automerge changes.
#[derive(Debug, Clone)]
pub struct Batch {
    team: Team,
    device: DeviceId,
    changes: Vec<ValidChange>,
    /// The SHA-256 of the token that must still be valid when it is stored.
    token: Option<[u8; 32]>,
}

impl Batch {
    /// Checks every change; one bad change refuses the whole batch (atomicity).
    pub fn validate(
        team: Team,
        device: DeviceId,
        changes: Vec<DocChange>,
    ) -> Result<Batch, BadChange> {
        let changes = changes
            .into_iter()
            .enumerate()
            .map(|(index, c)| match change::check(&c.bytes) {
                Ok(hash) => Ok(ValidChange {
                    doc: c.doc,
                    hash,
                    bytes: c.bytes,
                }),
                Err(source) => Err(BadChange { index, source }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Batch {
            team,
            device,
            changes,
            token: None,
        })
    }

    /// Stores the batch only if the token whose SHA-256 is `hash` exists and
    /// is not revoked, checked in the transaction that stores it (so a push
    /// costs no lookup of its own, and a revocation committed before it is
    /// never missed).
    pub fn require_token(mut self, hash: [u8; 32]) -> Batch {
        self.token = Some(hash);
        self
    }

    pub fn team(&self) -> &Team {
        &self.team
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// What a durable batch produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    /// Changes newly stored (the others were already in the log).
    pub stored: usize,
    /// The team's head after this batch.
    pub head: Seq,
}

/// One row of a team's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: Seq,
    pub doc: DocId,
    /// The device that pushed it, so it is not echoed back.
    pub device: DeviceId,
    pub bytes: Vec<u8>,
}

/// The new entries of one team committed by one transaction, in seq order
/// (contiguous).
#[derive(Clone)]
pub struct Group {
    pub entries: Vec<LogEntry>,
    /// The group on the wire, made once by the first session that forwards it.
    wire: OnceLock<Wire>,
}

/// A group encoded once for all its recipients.
#[derive(Debug, Clone)]
pub struct Wire {
    /// The whole group as one live `Changes` message (`upto` its last entry),
    /// for every device that wrote none of it.
    pub frame: Bytes,
    /// Where each entry's encoding sits in `frame`, in the order of
    /// [`Group::entries`], for the messages of the devices that wrote some.
    pub parts: Vec<Range<usize>>,
}

impl Wire {
    /// The encoding of the group's entry `i`.
    pub fn part(&self, i: usize) -> &[u8] {
        &self.frame[self.parts[i].clone()]
    }
}

impl Group {
    pub fn new(entries: Vec<LogEntry>) -> Group {
        Group {
            entries,
            wire: OnceLock::new(),
        }
    }

    /// The last sequence number of the group.
    pub fn upto(&self) -> Seq {
        self.entries.last().map_or(Seq(0), |e| e.seq)
    }

    /// The group encoded for the wire (once; the first caller pays).
    pub fn wire(&self) -> &Wire {
        self.wire.get_or_init(|| {
            let entries: Vec<(Seq, &DocId, &[u8])> = self
                .entries
                .iter()
                .map(|e| (e.seq, &e.doc, &e.bytes[..]))
                .collect();
            let (frame, parts) = protocol::changes_frame_of(&entries, self.upto(), false);
            Wire {
                frame: Bytes::from(frame),
                parts,
            }
        })
    }
}

/// Groups are their entries; the encoding is a cache.
impl PartialEq for Group {
    fn eq(&self, other: &Group) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Group {}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// Hears about every committed group of a team, in seq order. Called on the
/// store's writer (or notification) task, so it must not block.
pub trait CommitListener: Send + Sync {
    fn committed(&self, team: &Team, group: Arc<Group>);

    /// Whether anyone here wants `team`'s groups. A store that must read a
    /// group back before announcing it (another relay instance wrote it) skips
    /// the read for teams nobody wants.
    fn wants(&self, _team: &Team) -> bool {
        true
    }
}

/// A listener that ignores commits (the `token` subcommands).
impl CommitListener for () {
    fn committed(&self, _team: &Team, _group: Arc<Group>) {}

    fn wants(&self, _team: &Team) -> bool {
        false
    }
}

/// One document of a team's snapshot: saved as of the snapshot's mark, with its
/// encoded summary (see [`campo_core::snapshot`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub doc: DocId,
    pub saved: Vec<u8>,
    pub summary: Vec<u8>,
}

impl SnapshotRow {
    pub fn size(&self) -> usize {
        self.saved.len() + self.summary.len()
    }
}

/// A token row, as needed to sign a device in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub team: String,
    pub rep: String,
    pub revoked: bool,
    /// May manage the team's tokens (the admin API); tokens made before admins
    /// existed are not.
    pub admin: bool,
}

/// A token row, as listed to an administrator (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The first hex digits of the token's hash: enough to tell tokens apart.
    pub id: String,
    pub rep: String,
    /// An administrator's token.
    pub admin: bool,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Resolves once a batch is durable (or failed).
pub type Ticket = Pin<Box<dyn Future<Output = Result<Committed, StoreError>> + Send>>;

/// The relay's storage. Every method but [`Store::append`] blocks: call them from
/// `spawn_blocking` or a plain thread.
pub trait Store: Send + Sync + 'static {
    /// Queues `batch` for the next group commit; the ticket resolves once it is
    /// durable. Changes the team already holds are acknowledged, not stored again.
    fn append(&self, batch: Batch) -> Ticket;
    /// The team's newest sequence number (0 for an empty log).
    fn head(&self, team: &Team) -> Result<Seq, StoreError>;
    /// Entries with `after < seq <= upto`, in order, stopping once about
    /// `max_bytes` of change bytes are read (always at least one entry if any).
    fn read_range(
        &self,
        team: &Team,
        after: Seq,
        upto: Seq,
        max_bytes: usize,
    ) -> Result<Vec<LogEntry>, StoreError>;
    /// Every team with a log, and its head.
    fn teams(&self) -> Result<Vec<(Team, Seq)>, StoreError>;
    /// The log position the team's snapshot holds every entry up to (0: no
    /// snapshot yet), and how many documents it has.
    fn snapshot_mark(&self, team: &Team) -> Result<(Seq, u64), StoreError>;
    /// Snapshot documents with an id above `after`, in id order, stopping once
    /// about `max_bytes` are read (always at least one if any).
    fn snapshot_page(
        &self,
        team: &Team,
        after: Option<DocId>,
        max_bytes: usize,
    ) -> Result<Vec<SnapshotRow>, StoreError>;
    /// The saved bytes of those of `docs` the snapshot has.
    fn snapshot_saved(
        &self,
        team: &Team,
        docs: &[DocId],
    ) -> Result<Vec<(DocId, Vec<u8>)>, StoreError>;
    /// Writes `rows` and moves the mark from `from` to `upto`, in one
    /// transaction. Returns false, writing nothing, when the mark is no longer
    /// `from` (another relay instance moved it first).
    fn snapshot_advance(
        &self,
        team: &Team,
        from: Seq,
        upto: Seq,
        rows: &[SnapshotRow],
    ) -> Result<bool, StoreError>;
    /// The token whose SHA-256 is `hash`.
    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError>;
    /// Records a new token by its hash; `admin` lets it manage the team's tokens.
    fn create_token(
        &self,
        team: &Team,
        rep: &str,
        hash: &[u8; 32],
        admin: bool,
    ) -> Result<(), StoreError>;
    /// The team's tokens, oldest first.
    fn list_tokens(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes the rep's active tokens; returns how many.
    fn revoke_tokens(&self, team: &Team, rep: &str) -> Result<usize, StoreError>;
}

/// The file in a data directory that may name a PostgreSQL store, so `serve` and
/// `token` find it without `--store` and its password stays off command lines.
pub const STORE_URL_FILE: &str = "store.url";

/// Where a relay keeps its data.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// The embedded SQLite file in this data directory.
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL database, possibly shared by several relay instances.
    Postgres(PostgresUrl),
}

impl StoreLocation {
    /// `--store` when given; otherwise the URL in `<data_dir>/store.url` when
    /// that file exists; otherwise SQLite in `data_dir`.
    pub fn resolve(
        data_dir: &Path,
        store: Option<PostgresUrl>,
    ) -> Result<StoreLocation, StoreError> {
        if let Some(url) = store {
            return Ok(StoreLocation::Postgres(url));
        }
        let path = data_dir.join(STORE_URL_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => PostgresUrl::parse(text.trim())
                .map(StoreLocation::Postgres)
                .map_err(|message| StoreError::StoreUrlFile { path, message }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoreLocation::Sqlite {
                data_dir: data_dir.to_owned(),
            }),
            Err(e) => Err(StoreError::StoreUrlFile {
                path,
                message: format!("cannot read it: {e}"),
            }),
        }
    }

    /// Opens the store (creating or migrating its schema); `listener` hears
    /// every committed group.
    pub fn open(&self, listener: Arc<dyn CommitListener>) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            StoreLocation::Sqlite { data_dir } => Arc::new(SqliteStore::open(data_dir, listener)?),
            StoreLocation::Postgres(url) => Arc::new(PostgresStore::open(url, listener)?),
        })
    }
}

/// For logs and error messages: never shows a password.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite { data_dir } => {
                write!(f, "SQLite at {}", data_dir.join(DB_FILE_NAME).display())
            }
            StoreLocation::Postgres(url) => write!(f, "PostgreSQL at {url}"),
        }
    }
}
