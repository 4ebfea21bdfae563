//! The embedded store: one SQLite file in the data directory.
//!
//! WAL mode with `synchronous=FULL` (a commit returns only after fsync), one
//! writer thread doing group commits, pooled connections for reads and token
//! administration. See [`super`] for the invariants every store keeps.

use super::{
    Batch, CommitListener, Committed, Group, LogEntry, MAX_GROUP_REQUESTS, SnapshotRow, Store,
    StoreError, Ticket, TokenInfo, TokenRecord,
};
use crate::names::Team;
use campo_core::ids::{DeviceId, DocId, Seq};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "campo.sqlite3";
/// How long a connection waits for another process (the `token` subcommands)
/// holding the write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle pooled read connections kept open.
pub const MAX_IDLE_READERS: usize = 8;

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

/// Changes to [`SCHEMA`], in order; `PRAGMA user_version` counts how many a
/// database has had. [`SCHEMA`] stays as the first relays created it, so a new
/// database and an old one take the same steps to the current shape.
const MIGRATIONS: &[&str] = &[
    // 1: administrators. Tokens made before are not admins.
    "ALTER TABLE tokens ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;",
    // 2: snapshots, derived from the log (see campo_core::snapshot).
    "CREATE TABLE snapshot_marks (team TEXT PRIMARY KEY NOT NULL, upto INTEGER NOT NULL);
     CREATE TABLE snapshot_docs (
         team TEXT NOT NULL,
         doc BLOB NOT NULL,
         saved BLOB NOT NULL,
         summary BLOB NOT NULL,
         PRIMARY KEY (team, doc)
     ) WITHOUT ROWID;",
];

/// Creates the tables if missing and brings them up to date. The write lock
/// taken first (IMMEDIATE) makes a `token` subcommand and `serve` starting at
/// once take turns, so each step runs once.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(SCHEMA)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let done = usize::try_from(version).unwrap_or(usize::MAX);
    if done > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {version}, made by a newer campo-relay; upgrade this relay"
        )));
    }
    for step in &MIGRATIONS[done..] {
        tx.execute_batch(step)?;
    }
    if done < MIGRATIONS.len() {
        // PRAGMA takes no parameters; the value is a constant of ours.
        tx.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len()))?;
    }
    tx.commit()?;
    Ok(())
}

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
        let mut conn = open_connection(&path)?;
        migrate(&mut conn)?;
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

    fn teams(&self) -> Result<Vec<(Team, Seq)>, StoreError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached("SELECT team, MAX(seq) FROM log GROUP BY team")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (team, head) = row?;
                let team = Team::parse(&team).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                out.push((team, seq_from_sql(head)?));
            }
            Ok(out)
        })
    }

    fn snapshot_mark(&self, team: &Team) -> Result<(Seq, u64), StoreError> {
        self.with_conn(|c| snapshot_mark_of(c, team))
    }

    fn snapshot_page(
        &self,
        team: &Team,
        after: Option<DocId>,
        max_bytes: usize,
    ) -> Result<Vec<SnapshotRow>, StoreError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc, saved, summary FROM snapshot_docs
                 WHERE team = ?1 AND doc > ?2 ORDER BY doc",
            )?;
            let after = after.map_or_else(Vec::new, |d| d.0.to_vec());
            let mut rows = stmt.query(params![team.as_str(), after])?;
            let mut out = Vec::new();
            let mut size = 0;
            while size < max_bytes {
                let Some(row) = rows.next()? else { break };
                let r = SnapshotRow {
                    doc: DocId(id16(row.get(0)?, "doc id")?),
                    saved: row.get(1)?,
                    summary: row.get(2)?,
                };
                size += r.size();
                out.push(r);
            }
            Ok(out)
        })
    }

    fn snapshot_saved(
        &self,
        team: &Team,
        docs: &[DocId],
    ) -> Result<Vec<(DocId, Vec<u8>)>, StoreError> {
        self.with_conn(|c| {
            let mut stmt =
                c.prepare_cached("SELECT saved FROM snapshot_docs WHERE team = ?1 AND doc = ?2")?;
            let mut out = Vec::new();
            for doc in docs {
                if let Some(saved) = stmt
                    .query_row(params![team.as_str(), &doc.0[..]], |r| r.get(0))
                    .optional()?
                {
                    out.push((*doc, saved));
                }
            }
            Ok(out)
        })
    }

    fn snapshot_advance(
        &self,
        team: &Team,
        from: Seq,
        upto: Seq,
        rows: &[SnapshotRow],
    ) -> Result<bool, StoreError> {
        self.with_conn(|c| {
            // IMMEDIATE: the mark is read under the write lock, so two
            // compactions of one team never both advance from the same mark.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if snapshot_mark_of(&tx, team)?.0 != from {
                return Ok(false);
            }
            {
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO snapshot_docs (team, doc, saved, summary)
                     VALUES (?1, ?2, ?3, ?4)",
                )?;
                for r in rows {
                    put.execute(params![team.as_str(), &r.doc.0[..], r.saved, r.summary])?;
                }
                tx.execute(
                    "INSERT OR REPLACE INTO snapshot_marks (team, upto) VALUES (?1, ?2)",
                    params![team.as_str(), seq_to_sql(upto)],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        self.with_conn(|c| {
            // Cached: every push and every session's periodic re-check looks a token up.
            let mut stmt = c.prepare_cached(
                "SELECT team, rep, revoked_at IS NOT NULL, admin FROM tokens WHERE hash = ?1",
            )?;
            Ok(stmt
                .query_row(params![&hash[..]], |r| {
                    Ok(TokenRecord {
                        team: r.get(0)?,
                        rep: r.get(1)?,
                        revoked: r.get(2)?,
                        admin: r.get(3)?,
                    })
                })
                .optional()?)
        })
    }

    fn create_token(
        &self,
        team: &Team,
        rep: &str,
        hash: &[u8; 32],
        admin: bool,
    ) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO tokens (hash, team, rep, admin) VALUES (?1, ?2, ?3, ?4)",
                params![&hash[..], team.as_str(), rep, admin],
            )?;
            Ok(())
        })
    }

    fn list_tokens(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT hash, rep, admin, created_at, revoked_at FROM tokens
                 WHERE team = ?1 ORDER BY created_at, rowid",
            )?;
            let rows = stmt.query_map(params![team.as_str()], |r| {
                let hash: Vec<u8> = r.get(0)?;
                Ok(TokenInfo {
                    id: hash.iter().take(4).map(|b| format!("{b:02x}")).collect(),
                    rep: r.get(1)?,
                    admin: r.get(2)?,
                    created_at: r.get(3)?,
                    revoked_at: r.get(4)?,
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

fn seq_from_sql(seq: i64) -> Result<Seq, StoreError> {
    u64::try_from(seq)
        .map(Seq)
        .map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))
}

fn snapshot_mark_of(conn: &Connection, team: &Team) -> Result<(Seq, u64), StoreError> {
    let upto: Option<i64> = conn
        .query_row(
            "SELECT upto FROM snapshot_marks WHERE team = ?1",
            params![team.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let docs: i64 = conn.query_row(
        "SELECT COUNT(*) FROM snapshot_docs WHERE team = ?1",
        params![team.as_str()],
        |r| r.get(0),
    )?;
    Ok((seq_from_sql(upto.unwrap_or(0))?, docs.max(0) as u64))
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
                        .or_insert_with(|| Group::new(Vec::new()))
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
    if let Some(hash) = &batch.token {
        let mut valid =
            conn.prepare_cached("SELECT 1 FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")?;
        if !valid.exists(params![&hash[..]])? {
            return Err(StoreError::Revoked);
        }
    }
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
    use crate::store::contract::{self, Recorder, batch, changes, team};

    fn open(listener: Arc<dyn CommitListener>) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), listener).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn concurrent_batches_share_commits_and_get_contiguous_seqs() {
        let recorder = Arc::new(Recorder::default());
        let (_dir, store) = open(recorder.clone());
        contract::concurrent_batches_share_commits_and_get_contiguous_seqs(&store, &recorder).await;
    }

    #[tokio::test]
    async fn a_change_already_stored_consumes_no_seq() {
        let (_dir, store) = open(Arc::new(()));
        contract::a_change_already_stored_consumes_no_seq(&store).await;
    }

    #[test]
    fn a_batch_with_one_bad_change_is_refused_whole() {
        let (_dir, store) = open(Arc::new(()));
        contract::a_batch_with_one_bad_change_is_refused_whole(&store);
    }

    #[tokio::test]
    async fn reads_are_bounded_by_bytes_but_never_empty() {
        let (_dir, store) = open(Arc::new(()));
        contract::reads_are_bounded_by_bytes_but_never_empty(&store).await;
    }

    #[tokio::test]
    async fn snapshots_advance_from_their_mark_only() {
        let (_dir, store) = open(Arc::new(()));
        contract::snapshots_advance_from_their_mark_only(&store).await;
    }

    #[test]
    fn tokens_are_found_listed_and_revoked() {
        let (_dir, store) = open(Arc::new(()));
        contract::tokens_are_found_listed_and_revoked(&store);
    }

    #[test]
    fn admin_tokens_are_told_apart() {
        let (_dir, store) = open(Arc::new(()));
        contract::admin_tokens_are_told_apart(&store);
    }

    #[test]
    fn a_database_from_before_admins_is_migrated_and_its_tokens_are_not_admins() {
        let dir = tempfile::tempdir().unwrap();
        // The database as relays made it before the admin column.
        let old = Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
        old.execute_batch(SCHEMA).unwrap();
        old.execute(
            "INSERT INTO tokens (hash, team, rep) VALUES (?1, 'acme', 'anna')",
            params![&[1u8; 32][..]],
        )
        .unwrap();
        drop(old);

        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let anna = store.find_token(&[1; 32]).unwrap().unwrap();
        assert!(!anna.admin && !anna.revoked);
        store
            .create_token(&team("acme"), "boss", &[2; 32], true)
            .unwrap();
        assert!(store.find_token(&[2; 32]).unwrap().unwrap().admin);
        drop(store);

        // Opening again runs nothing twice (ADD COLUMN would fail if it did).
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let version: i64 = store
            .with_conn(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(store.list_tokens(&team("acme")).unwrap().len(), 2);
    }

    #[test]
    fn a_database_from_a_newer_relay_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let newer = Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
        newer
            .execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len() + 1))
            .unwrap();
        drop(newer);
        let err = SqliteStore::open(dir.path(), Arc::new(()))
            .err()
            .expect("refused");
        assert!(err.to_string().contains("upgrade this relay"), "{err}");
    }

    #[tokio::test]
    async fn a_failing_batch_rolls_back_alone() {
        let (_dir, store) = open(Arc::new(()));
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
}
