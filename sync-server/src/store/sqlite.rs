//! Durable storage: each team's append-only change log and the token table.
//!
//! [`Store`] is the interface the relay talks to, so another backend (PostgreSQL)
//! can sit behind it later. [`SqliteStore`] is the embedded default.
//!
//! Invariants:
//! - Per team, sequence numbers start at 1 and are contiguous.
//! - A change hash appears at most once per team; re-sending it consumes no seq.
//! - A batch is stored whole or not at all, and is acknowledged only after the
//!   transaction holding it is committed with `synchronous=FULL` (fsync).
//! - Committed groups are announced to the [`CommitListener`] in commit order,
//!   before any waiter hears its acknowledgement.

use crate::names::Team;
use campo_core::change::{self, ChangeHash, InvalidChange};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::DocChange;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "campo.sqlite3";
/// Most push requests folded into one transaction; bounds a commit's latency.
pub const MAX_GROUP_REQUESTS: usize = 512;
/// How long a connection waits for another process (the `token` subcommands)
/// holding the write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle pooled read connections kept open.
pub const MAX_IDLE_READERS: usize = 8;

/// Why the store failed. The connection reports these as `Internal`: the
/// client keeps its changes and retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the group commit failed: {0}")]
    Commit(String),
    #[error("the writer thread has stopped")]
    WriterGone,
    #[error("the database holds a damaged row: {0}")]
    Corrupt(String),
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
        })
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub entries: Vec<LogEntry>,
}

impl Group {
    /// The last sequence number of the group.
    pub fn upto(&self) -> Seq {
        self.entries.last().map_or(Seq(0), |e| e.seq)
    }
}

/// Hears about every committed group, in commit order. Called on the writer
/// thread, so it must not block.
pub trait CommitListener: Send + Sync {
    fn committed(&self, team: &Team, group: Arc<Group>);
}

/// A listener that ignores commits (the `token` subcommands).
impl CommitListener for () {
    fn committed(&self, _team: &Team, _group: Arc<Group>) {}
}

/// A token row, as needed to sign a device in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub team: String,
    pub rep: String,
    pub revoked: bool,
}

/// A token row, as listed to an administrator (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The first hex digits of the token's hash: enough to tell tokens apart.
    pub id: String,
    pub rep: String,
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
    /// The token whose SHA-256 is `hash`.
    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError>;
    /// Records a new token by its hash.
    fn create_token(&self, team: &Team, rep: &str, hash: &[u8; 32]) -> Result<(), StoreError>;
    /// The team's tokens, oldest first.
    fn list_tokens(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes the rep's active tokens; returns how many.
    fn revoke_tokens(&self, team: &Team, rep: &str) -> Result<usize, StoreError>;
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    hash BLOB PRIMARY KEY NOT NULL,
    team TEXT NOT NULL,
    rep TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_team ON tokens (team, rep);
CREATE TABLE IF NOT EXISTS log (
    team TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc BLOB NOT NULL,
    device BLOB NOT NULL,
    hash BLOB NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (team, seq),
    UNIQUE (team, hash)
);
";

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers run beside the writer; FULL syncs the WAL on every commit,
    // so an acknowledged batch survives a power cut, not only a crash.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn seq_to_sql(seq: Seq) -> i64 {
    // Cursors come from clients; anything beyond i64 is beyond every log.
    i64::try_from(seq.0).unwrap_or(i64::MAX)
}

fn id16(blob: Vec<u8>, what: &str) -> Result<[u8; 16], StoreError> {
    blob.try_into()
        .map_err(|b: Vec<u8>| StoreError::Corrupt(format!("{what} of {} bytes", b.len())))
}

struct WriteRequest {
    batch: Batch,
    reply: oneshot::Sender<Result<Committed, StoreError>>,
}

/// The embedded store: one SQLite file, one writer thread doing group commits,
/// pooled connections for reads and token administration.
pub struct SqliteStore {
    path: PathBuf,
    writer: Option<mpsc::Sender<WriteRequest>>,
    writer_thread: Option<JoinHandle<()>>,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed) `<data_dir>/campo.sqlite3` and starts the writer.
    pub fn open(
        data_dir: &Path,
        listener: Arc<dyn CommitListener>,
    ) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE_NAME);
        let conn = open_connection(&path)?;
        conn.execute_batch(SCHEMA)?;
        let (tx, rx) = mpsc::channel();
        let writer_thread = std::thread::Builder::new()
            .name("campo-writer".into())
            .spawn(move || writer_loop(conn, rx, listener))
            .map_err(|source| StoreError::DataDir {
                path: data_dir.to_owned(),
                source,
            })?;
        Ok(SqliteStore {
            path,
            writer: Some(tx),
            writer_thread: Some(writer_thread),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a pooled connection (opened on demand).
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let out = f(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channel lets the writer finish what is queued, then stop.
        self.writer.take();
        if let Some(t) = self.writer_thread.take() {
            let _ = t.join();
        }
    }
}

impl Store for SqliteStore {
    fn append(&self, batch: Batch) -> Ticket {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .writer
            .as_ref()
            .map(|w| w.send(WriteRequest { batch, reply }).is_ok())
            .unwrap_or(false);
        Box::pin(async move {
            if !sent {
                return Err(StoreError::WriterGone);
            }
            answer.await.map_err(|_| StoreError::WriterGone)?
        })
    }

    fn head(&self, team: &Team) -> Result<Seq, StoreError> {
        self.with_conn(|c| head_of(c, team))
    }

    fn read_range(
        &self,
        team: &Team,
        after: Seq,
        upto: Seq,
        max_bytes: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, doc, device, bytes FROM log
                 WHERE team = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
            )?;
            let mut rows =
                stmt.query(params![team.as_str(), seq_to_sql(after), seq_to_sql(upto)])?;
            let mut out = Vec::new();
            let mut size = 0;
            while size < max_bytes {
                let Some(row) = rows.next()? else { break };
                let seq: i64 = row.get(0)?;
                let bytes: Vec<u8> = row.get(3)?;
                size += bytes.len();
                out.push(LogEntry {
                    seq: Seq(u64::try_from(seq)
                        .map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?),
                    doc: DocId(id16(row.get(1)?, "doc id")?),
                    device: DeviceId(id16(row.get(2)?, "device id")?),
                    bytes,
                });
            }
            Ok(out)
        })
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT team, rep, revoked_at IS NOT NULL FROM tokens WHERE hash = ?1",
                params![&hash[..]],
                |r| {
                    Ok(TokenRecord {
                        team: r.get(0)?,
                        rep: r.get(1)?,
                        revoked: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn create_token(&self, team: &Team, rep: &str, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO tokens (hash, team, rep) VALUES (?1, ?2, ?3)",
                params![&hash[..], team.as_str(), rep],
            )?;
            Ok(())
        })
    }

    fn list_tokens(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT hash, rep, created_at, revoked_at FROM tokens
                 WHERE team = ?1 ORDER BY created_at, rowid",
            )?;
            let rows = stmt.query_map(params![team.as_str()], |r| {
                let hash: Vec<u8> = r.get(0)?;
                Ok(TokenInfo {
                    id: hash.iter().take(4).map(|b| format!("{b:02x}")).collect(),
                    rep: r.get(1)?,
                    created_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn revoke_tokens(&self, team: &Team, rep: &str) -> Result<usize, StoreError> {
        self.with_conn(|c| {
            Ok(c.execute(
                "UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                 WHERE team = ?1 AND rep = ?2 AND revoked_at IS NULL",
                params![team.as_str(), rep],
            )?)
        })
    }
}

fn head_of(conn: &Connection, team: &Team) -> Result<Seq, StoreError> {
    let head: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM log WHERE team = ?1",
        params![team.as_str()],
        |r| r.get(0),
    )?;
    u64::try_from(head)
        .map(Seq)
        .map_err(|_| StoreError::Corrupt(format!("negative head {head}")))
}

/// The writer thread: waits for a request, takes everything else already queued,
/// and commits it all in one transaction (one fsync for many pushes).
fn writer_loop(
    mut conn: Connection,
    queue: mpsc::Receiver<WriteRequest>,
    listener: Arc<dyn CommitListener>,
) {
    while let Ok(first) = queue.recv() {
        let mut requests = vec![first];
        while requests.len() < MAX_GROUP_REQUESTS {
            match queue.try_recv() {
                Ok(r) => requests.push(r),
                Err(_) => break,
            }
        }
        let batches: Vec<&Batch> = requests.iter().map(|r| &r.batch).collect();
        match write_group(&mut conn, &batches) {
            Ok((results, groups)) => {
                // Announce before acknowledging: once a pusher sees its Ack, every
                // live subscriber has the entries queued.
                for (team, group) in groups {
                    listener.committed(&team, Arc::new(group));
                }
                for (request, result) in requests.into_iter().zip(results) {
                    let _ = request.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                let message = e.to_string();
                for request in requests {
                    let _ = request.reply.send(Err(StoreError::Commit(message.clone())));
                }
            }
        }
    }
}

type GroupOutcome = (Vec<Result<Committed, StoreError>>, BTreeMap<Team, Group>);

/// Writes `batches` in one transaction. Each batch sits in its own savepoint, so
/// a batch that fails is rolled back alone and the others still commit.
fn write_group(conn: &mut Connection, batches: &[&Batch]) -> Result<GroupOutcome, StoreError> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batches.len());
    let mut groups: BTreeMap<Team, Group> = BTreeMap::new();
    for batch in batches {
        let sp = tx.savepoint()?;
        match write_batch(&sp, batch) {
            Ok((entries, head)) => {
                sp.commit()?;
                results.push(Ok(Committed {
                    stored: entries.len(),
                    head,
                }));
                if !entries.is_empty() {
                    groups
                        .entry(batch.team.clone())
                        .or_insert_with(|| Group {
                            entries: Vec::new(),
                        })
                        .entries
                        .extend(entries);
                }
            }
            Err(e) => {
                // Dropping the savepoint rolls this batch back.
                drop(sp);
                results.push(Err(e));
            }
        }
    }
    tx.commit()?;
    Ok((results, groups))
}

fn write_batch(conn: &Connection, batch: &Batch) -> Result<(Vec<LogEntry>, Seq), StoreError> {
    let mut head = head_of(conn, &batch.team)?;
    let mut known = conn.prepare_cached("SELECT 1 FROM log WHERE team = ?1 AND hash = ?2")?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO log (team, seq, doc, device, hash, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut stored = Vec::new();
    for c in &batch.changes {
        if known.exists(params![batch.team.as_str(), &c.hash.0[..]])? {
            continue;
        }
        head = Seq(head.0 + 1);
        insert.execute(params![
            batch.team.as_str(),
            seq_to_sql(head),
            &c.doc.0[..],
            &batch.device.0[..],
            &c.hash.0[..],
            &c.bytes,
        ])?;
        stored.push(LogEntry {
            seq: head,
            doc: c.doc,
            device: batch.device,
            bytes: c.bytes.clone(),
        });
    }
    Ok((stored, head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::customer::{CustomerDoc, Edit, Field, Stamp};

    /// Records every announced group, to check order and contents.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(Team, Arc<Group>)>>);

    impl CommitListener for Recorder {
        fn committed(&self, team: &Team, group: Arc<Group>) {
            self.0.lock().unwrap().push((team.clone(), group));
        }
    }

    fn team(name: &str) -> Team {
        Team::parse(name).unwrap()
    }

    fn changes(doc: u8, n: usize) -> Vec<DocChange> {
        let id = DocId([doc; 16]);
        let stamp = Stamp {
            rep: "anna",
            now_ms: 1_700_000_000_000,
        };
        let (mut d, first) =
            CustomerDoc::create(id, &stamp, &[Edit::Set(Field::Name, "Bar Roma".into())]).unwrap();
        let mut out = vec![DocChange {
            doc: id,
            bytes: first,
        }];
        for i in 1..n {
            let bytes = d
                .edit(&stamp, &[Edit::Set(Field::City, format!("City {i}"))])
                .unwrap()
                .unwrap();
            out.push(DocChange { doc: id, bytes });
        }
        out
    }

    fn batch(t: &str, device: u8, changes: Vec<DocChange>) -> Batch {
        Batch::validate(team(t), DeviceId([device; 16]), changes).unwrap()
    }

    #[tokio::test]
    async fn concurrent_batches_share_commits_and_get_contiguous_seqs() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Arc::new(Recorder::default());
        let store = SqliteStore::open(dir.path(), recorder.clone()).unwrap();

        // Queue many tickets before awaiting any, so the writer finds several
        // batches waiting and folds them into fewer transactions.
        let tickets: Vec<Ticket> = (0..20u8)
            .map(|i| {
                store.append(batch(
                    if i % 2 == 0 { "north" } else { "south" },
                    i,
                    changes(i, 3),
                ))
            })
            .collect();
        for t in tickets {
            assert_eq!(t.await.unwrap().stored, 3);
        }

        let north = team("north");
        assert_eq!(store.head(&north).unwrap(), Seq(30));
        let all = store
            .read_range(&north, Seq(0), Seq(30), usize::MAX)
            .unwrap();
        let seqs: Vec<u64> = all.iter().map(|e| e.seq.0).collect();
        assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
        // Each batch's entries stay together and in push order.
        for chunk in all.chunks(3) {
            assert!(chunk.iter().all(|e| e.device == chunk[0].device));
        }

        // Every new entry was announced exactly once, in seq order per team.
        let announced = recorder.0.lock().unwrap();
        let mut north_seqs = Vec::new();
        for (t, g) in announced.iter().filter(|(t, _)| *t == north) {
            assert_eq!(t, &north);
            north_seqs.extend(g.entries.iter().map(|e| e.seq.0));
        }
        assert_eq!(north_seqs, (1..=30).collect::<Vec<_>>());
        assert!(announced.len() <= 20, "no more groups than batches");
    }

    #[tokio::test]
    async fn a_change_already_stored_consumes_no_seq() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let cs = changes(1, 2);

        let first = store.append(batch("acme", 1, cs.clone())).await.unwrap();
        assert_eq!(
            first,
            Committed {
                stored: 2,
                head: Seq(2)
            }
        );

        // The same changes again, from another device, plus a duplicate inside the batch.
        let mut again = cs.clone();
        again.push(cs[0].clone());
        let second = store.append(batch("acme", 2, again)).await.unwrap();
        assert_eq!(
            second,
            Committed {
                stored: 0,
                head: Seq(2)
            }
        );

        // Another team has its own log: the same change is new there.
        let other = store.append(batch("other", 1, cs)).await.unwrap();
        assert_eq!(
            other,
            Committed {
                stored: 2,
                head: Seq(2)
            }
        );
        assert_eq!(store.head(&team("acme")).unwrap(), Seq(2));
    }

    #[tokio::test]
    async fn a_batch_with_one_bad_change_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let mut cs = changes(1, 3);
        cs[1].bytes = b"not a change".to_vec();

        let err = Batch::validate(team("acme"), DeviceId([1; 16]), cs).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(err.to_string().contains("not a valid Automerge change"));
        assert_eq!(store.head(&team("acme")).unwrap(), Seq(0));
    }

    #[tokio::test]
    async fn a_failing_batch_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        // A trigger makes every insert for team "doomed" fail half-way through its
        // batch, as a full disk would: the first change is written, the second fails.
        store
            .with_conn(|c| {
                c.execute_batch(
                    "CREATE TRIGGER doom BEFORE INSERT ON log
                     WHEN NEW.team = 'doomed' AND NEW.seq = 2
                     BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
                )?;
                Ok(())
            })
            .unwrap();

        let doomed = store.append(batch("doomed", 1, changes(1, 2)));
        let fine = store.append(batch("fine", 1, changes(2, 2)));
        assert!(doomed.await.is_err());
        assert_eq!(fine.await.unwrap().stored, 2);
        assert_eq!(
            store.head(&team("doomed")).unwrap(),
            Seq(0),
            "nothing half-stored"
        );
        assert_eq!(store.head(&team("fine")).unwrap(), Seq(2));
    }

    #[test]
    fn reads_are_bounded_by_bytes_but_never_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(store.append(batch("acme", 1, changes(1, 5))))
            .unwrap();
        let t = team("acme");

        let one = store.read_range(&t, Seq(0), Seq(5), 1).unwrap();
        assert_eq!(
            one.len(),
            1,
            "a budget smaller than one entry still returns it"
        );
        let tail = store.read_range(&t, Seq(3), Seq(5), usize::MAX).unwrap();
        assert_eq!(tail.iter().map(|e| e.seq.0).collect::<Vec<_>>(), vec![4, 5]);
        let capped = store.read_range(&t, Seq(0), Seq(2), usize::MAX).unwrap();
        assert_eq!(capped.len(), 2);
    }

    #[test]
    fn tokens_are_found_listed_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let t = team("acme");
        store.create_token(&t, "anna", &[1; 32]).unwrap();
        store.create_token(&t, "ben", &[2; 32]).unwrap();

        assert_eq!(
            store.find_token(&[1; 32]).unwrap(),
            Some(TokenRecord {
                team: "acme".into(),
                rep: "anna".into(),
                revoked: false
            })
        );
        assert_eq!(store.find_token(&[3; 32]).unwrap(), None);
        assert_eq!(store.revoke_tokens(&t, "anna").unwrap(), 1);
        assert_eq!(
            store.revoke_tokens(&t, "anna").unwrap(),
            0,
            "already revoked"
        );
        assert!(store.find_token(&[1; 32]).unwrap().unwrap().revoked);

        let listed = store.list_tokens(&t).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].id, "01010101");
        assert!(listed[0].revoked_at.is_some());
        assert!(listed[1].revoked_at.is_none());
    }
}
