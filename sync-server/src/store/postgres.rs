//! A PostgreSQL store that several relay instances share behind a load balancer.
//!
//! Writes: each instance has one writer task on a connection of its own that
//! does group commits like the SQLite writer: it drains every queued push into
//! one transaction, with `synchronous_commit = on`. Per team, the transaction
//! locks the team's counter row in `campo_teams` and advances it; instances
//! writing the same team therefore take turns, and a rolled-back transaction
//! leaves no gap, since only a commit moves the counter. Teams are locked in
//! name order, so two instances' groups never wait on each other in a cycle.
//!
//! Fan-out between instances: the transaction ends with
//! `NOTIFY campo_team, '<team>:<first>:<upto>'`, which PostgreSQL delivers at
//! commit; every instance listens and feeds its local hub ([`feed`]).
//!
//! Reads and token administration use a small pool. The store's IO runs on a
//! small runtime of its own, so its blocking methods work from any thread,
//! inside an async runtime or not, like the SQLite store's.

mod feed;

use super::{
    Batch, CommitListener, Committed, LogEntry, MAX_GROUP_REQUESTS, SnapshotRow, Store, StoreError,
    Ticket, TokenInfo, TokenRecord,
};
use crate::names::Team;
use campo_core::ids::{DeviceId, DocId, Seq};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use feed::Feed;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::config::Host;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Statement, Transaction};

/// The `LISTEN`/`NOTIFY` channel on which instances announce commits.
pub const NOTIFY_CHANNEL: &str = "campo_team";
/// Most pooled connections for reads and tokens; the writer and the listener
/// have one each besides.
pub const MAX_POOL_CONNECTIONS: usize = 16;
/// How long connecting (or waiting for a pooled connection) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing store lets its writer finish the pushes already queued.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Rows fetched by the first query of a bounded read; later queries fetch
/// about as many as the byte budget left holds at the sizes seen.
const FIRST_FETCH_ROWS: u64 = 64;
const MAX_FETCH_ROWS: u64 = 1024;
/// Threads of the store's own runtime (the machine's relay work is elsewhere).
const WORKER_THREADS: usize = 2;
/// Serializes schema migrations of instances starting at once (an arbitrary
/// constant: "campo" in ASCII).
const MIGRATION_LOCK: i64 = 0x63_61_6d_70_6f;

/// The schema, one step per version; `campo_schema` records how many ran.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE campo_tokens (
    hash BYTEA PRIMARY KEY,
    team TEXT NOT NULL,
    rep TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ,
    -- Creation order, to list tokens made in the same second oldest first.
    made BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX campo_tokens_team ON campo_tokens (team, rep);
-- One row per team: the last seq committed. Locking it serializes the team's writers.
CREATE TABLE campo_teams (
    team TEXT PRIMARY KEY,
    head BIGINT NOT NULL
);
CREATE TABLE campo_log (
    team TEXT NOT NULL,
    seq BIGINT NOT NULL,
    doc BYTEA NOT NULL,
    device BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (team, seq),
    UNIQUE (team, hash)
);
",
    "
-- Administrators. Tokens made before are not admins.
ALTER TABLE campo_tokens ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;
",
    "
-- Snapshots, derived from the log (see campo_core::snapshot).
CREATE TABLE campo_snapshot_marks (
    team TEXT PRIMARY KEY,
    upto BIGINT NOT NULL
);
CREATE TABLE campo_snapshot_docs (
    team TEXT NOT NULL,
    doc BYTEA NOT NULL,
    saved BYTEA NOT NULL,
    summary BYTEA NOT NULL,
    PRIMARY KEY (team, doc)
);
",
];

/// A `postgres://` URL naming the database. Shown without its password.
#[derive(Clone)]
pub struct PostgresUrl {
    // Boxed: a Config is large, and a URL is passed around by value.
    config: Box<Config>,
}

impl PostgresUrl {
    /// Checks `text` is a `postgres://` (or `postgresql://`) URL naming a database.
    pub fn parse(text: &str) -> Result<PostgresUrl, String> {
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err(
                "a PostgreSQL store is given as a URL such as postgres://campo@db.internal/campo"
                    .into(),
            );
        }
        let config: Config = text
            .parse()
            .map_err(|e| format!("not a valid PostgreSQL URL: {e}"))?;
        if config.get_dbname().is_none() {
            return Err("name the database in the URL: postgres://user@host/DATABASE".into());
        }
        Ok(PostgresUrl {
            config: Box::new(config),
        })
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.write_str("postgres://")?;
        if let Some(user) = c.get_user() {
            write!(f, "{user}@")?;
        }
        for (i, host) in c.get_hosts().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match host {
                Host::Tcp(name) => f.write_str(name)?,
                Host::Unix(path) => write!(f, "[{}]", path.display())?,
            }
            if let Some(port) = c.get_ports().get(i).or(c.get_ports().first()) {
                write!(f, ":{port}")?;
            }
        }
        write!(f, "/{}", c.get_dbname().unwrap_or_default())
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

fn seq_to_sql(seq: Seq) -> i64 {
    // Cursors come from clients; anything beyond i64 is beyond every log.
    i64::try_from(seq.0).unwrap_or(i64::MAX)
}

fn seq_from_sql(seq: i64) -> Result<Seq, StoreError> {
    u64::try_from(seq)
        .map(Seq)
        .map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))
}

fn id16(blob: &[u8], what: &str) -> Result<[u8; 16], StoreError> {
    blob.try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} of {} bytes", blob.len())))
}

fn pool_error(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => StoreError::Postgres(e),
        other => StoreError::Pool(other.to_string()),
    }
}

/// Opens a plain connection (the writer's, the listener's) and drives it.
async fn connect(url: &PostgresUrl) -> Result<Client, StoreError> {
    let (client, connection) = url
        .config
        .connect(NoTls)
        .await
        .map_err(StoreError::Connect)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "a PostgreSQL connection ended");
        }
    });
    Ok(client)
}

/// Brings the schema up to date. Instances starting together take turns.
async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    // "already exists, skipping" on every start is not news.
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS campo_schema (version INTEGER NOT NULL)")
        .await?;
    let version: i32 = tx
        .query_opt("SELECT max(version) FROM campo_schema", &[])
        .await?
        .and_then(|r| r.get::<_, Option<i32>>(0))
        .unwrap_or(0);
    let done = usize::try_from(version).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {version}, made by a newer campo-relay; upgrade this relay"
        )));
    }
    for step in &MIGRATIONS[done..] {
        tx.batch_execute(step).await?;
    }
    if done < MIGRATIONS.len() {
        tx.execute("DELETE FROM campo_schema", &[]).await?;
        let latest = MIGRATIONS.len() as i32;
        tx.execute("INSERT INTO campo_schema (version) VALUES ($1)", &[&latest])
            .await?;
        tracing::info!(version = latest, "PostgreSQL schema migrated");
    }
    tx.commit().await?;
    Ok(())
}

/// Entries of `team` with `after < seq <= upto`, in order, stopping once about
/// `max_bytes` of change bytes are read (always at least one entry if any).
async fn read_range(
    pool: &Pool,
    team: &Team,
    after: Seq,
    upto: Seq,
    max_bytes: usize,
) -> Result<Vec<LogEntry>, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let stmt = client
        .prepare_cached(
            "SELECT seq, doc, device, bytes FROM campo_log
             WHERE team = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
        )
        .await?;
    let mut out: Vec<LogEntry> = Vec::new();
    let mut size = 0usize;
    let mut after = after;
    // Seqs are contiguous, so the range holds exactly `upto - after` rows;
    // fetching them in bounded steps keeps a small budget from pulling a
    // large range over the wire.
    let mut fetch = upto.0.saturating_sub(after.0).min(FIRST_FETCH_ROWS);
    while size < max_bytes && after < upto && fetch > 0 {
        let limit = i64::try_from(fetch).unwrap_or(i64::MAX);
        let rows = client
            .query(
                &stmt,
                &[
                    &team.as_str(),
                    &seq_to_sql(after),
                    &seq_to_sql(upto),
                    &limit,
                ],
            )
            .await?;
        let complete = (rows.len() as u64) < fetch;
        for row in rows {
            if size >= max_bytes {
                break;
            }
            let bytes: Vec<u8> = row.try_get(3)?;
            size += bytes.len();
            let entry = LogEntry {
                seq: seq_from_sql(row.try_get(0)?)?,
                doc: DocId(id16(row.try_get(1)?, "doc id")?),
                device: DeviceId(id16(row.try_get(2)?, "device id")?),
                bytes,
            };
            after = entry.seq;
            out.push(entry);
        }
        if complete {
            break;
        }
        let average = (size / out.len().max(1)).max(1);
        let room = (max_bytes.saturating_sub(size) / average) as u64;
        fetch = room
            .clamp(1, MAX_FETCH_ROWS)
            .min(upto.0.saturating_sub(after.0));
    }
    Ok(out)
}

struct WriteRequest {
    batch: Batch,
    reply: oneshot::Sender<Result<Committed, StoreError>>,
}

/// The PostgreSQL store of one relay instance.
pub struct PostgresStore {
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    writer: Option<mpsc::UnboundedSender<WriteRequest>>,
    /// Hears when the writer has finished; a Mutex only to make the store Sync.
    writer_done: std::sync::Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    stop_listening: Option<oneshot::Sender<()>>,
}

/// Runs `fut` on `runtime` and waits for it on this thread, whatever runtime
/// (if any) this thread belongs to.
fn block<T, F>(runtime: &tokio::runtime::Runtime, fut: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, StoreError>> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv().map_err(|_| StoreError::WriterGone)?
}

impl PostgresStore {
    /// Connects to `url`, creates or migrates the schema, and starts the writer
    /// and the listener that feeds `listener` with every instance's commits.
    pub fn open(
        url: &PostgresUrl,
        listener: Arc<dyn CommitListener>,
    ) -> Result<PostgresStore, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("campo-postgres")
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let mut url = url.clone();
        url.config
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("campo-relay");
        let manager = Manager::from_config(
            (*url.config).clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(MAX_POOL_CONNECTIONS)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;

        // Connecting now makes a wrong URL fail at start, with a clear message.
        let first_writer = {
            let url = url.clone();
            block(&runtime, async move {
                let mut client = connect(&url).await?;
                migrate(&mut client).await?;
                Writer::prepare(client).await
            })?
        };

        let feed = Arc::new(Feed::new(pool.clone(), listener));
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let (stop_tx, stop_rx) = oneshot::channel();
        runtime.spawn(feed::listen(url.clone(), feed.clone(), stop_rx, ready_tx));
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            writer_loop(url, first_writer, queue_rx, feed).await;
            let _ = done_tx.send(());
        });
        let store = PostgresStore {
            runtime: Some(runtime),
            pool,
            writer: Some(queue_tx),
            writer_done: std::sync::Mutex::new(Some(done_rx)),
            stop_listening: Some(stop_tx),
        };
        // Listening before serving means a device here hears every commit made
        // elsewhere from now on. The listener keeps retrying on its own, so a
        // slow first attempt only delays the start.
        match ready_rx.recv_timeout(CONNECT_TIMEOUT) {
            Ok(()) => {}
            Err(_) => tracing::warn!("not yet listening for other relay instances' commits"),
        }
        Ok(store)
    }

    /// Runs `f` with the pool on the store's runtime; blocks until it is done.
    fn run<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Pool) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let runtime = self.runtime.as_ref().ok_or(StoreError::WriterGone)?;
        block(runtime, f(self.pool.clone()))
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Closing the queue lets the writer finish what is queued, then stop.
        self.writer.take();
        self.stop_listening.take();
        let done = self
            .writer_done
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(done) = done {
            let _ = done.recv_timeout(SHUTDOWN_GRACE);
        }
        if let Some(runtime) = self.runtime.take() {
            // Not a blocking shutdown: the store may be dropped inside an async
            // runtime, where blocking on another runtime is refused.
            runtime.shutdown_background();
        }
    }
}

impl Store for PostgresStore {
    fn append(&self, batch: Batch) -> Ticket {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .writer
            .as_ref()
            .is_some_and(|w| w.send(WriteRequest { batch, reply }).is_ok());
        Box::pin(async move {
            if !sent {
                return Err(StoreError::WriterGone);
            }
            answer.await.map_err(|_| StoreError::WriterGone)?
        })
    }

    fn head(&self, team: &Team) -> Result<Seq, StoreError> {
        let team = team.clone();
        self.run(|pool| async move { head(&pool, &team).await })
    }

    fn read_range(
        &self,
        team: &Team,
        after: Seq,
        upto: Seq,
        max_bytes: usize,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let team = team.clone();
        self.run(|pool| async move { read_range(&pool, &team, after, upto, max_bytes).await })
    }

    fn teams(&self) -> Result<Vec<(Team, Seq)>, StoreError> {
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query("SELECT team, head FROM campo_teams WHERE head > 0", &[])
                .await?;
            rows.iter()
                .map(|r| {
                    let team: String = r.try_get(0)?;
                    let team =
                        Team::parse(&team).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok((team, seq_from_sql(r.try_get(1)?)?))
                })
                .collect()
        })
    }

    fn snapshot_mark(&self, team: &Team) -> Result<(Seq, u64), StoreError> {
        let team = team.clone();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let row = client
                .query_one(
                    "SELECT (SELECT upto FROM campo_snapshot_marks WHERE team = $1),
                            (SELECT count(*) FROM campo_snapshot_docs WHERE team = $1)",
                    &[&team.as_str()],
                )
                .await?;
            let upto: Option<i64> = row.try_get(0)?;
            let docs: i64 = row.try_get(1)?;
            Ok((seq_from_sql(upto.unwrap_or(0))?, docs.max(0) as u64))
        })
    }

    fn snapshot_page(
        &self,
        team: &Team,
        after: Option<DocId>,
        max_bytes: usize,
    ) -> Result<Vec<SnapshotRow>, StoreError> {
        let team = team.clone();
        self.run(move |pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let stmt = client
                .prepare_cached(
                    "SELECT doc, saved, summary FROM campo_snapshot_docs
                     WHERE team = $1 AND doc > $2 ORDER BY doc LIMIT $3",
                )
                .await?;
            let after = after.map_or_else(Vec::new, |d| d.0.to_vec());
            let mut out = Vec::new();
            let mut size = 0usize;
            let mut after = after;
            let mut fetch = FIRST_FETCH_ROWS as i64;
            while size < max_bytes {
                let rows = client
                    .query(&stmt, &[&team.as_str(), &after, &fetch])
                    .await?;
                let complete = (rows.len() as i64) < fetch;
                for row in rows {
                    if size >= max_bytes {
                        break;
                    }
                    let r = SnapshotRow {
                        doc: DocId(id16(row.try_get(0)?, "doc id")?),
                        saved: row.try_get(1)?,
                        summary: row.try_get(2)?,
                    };
                    size += r.size();
                    after = r.doc.0.to_vec();
                    out.push(r);
                }
                if complete {
                    break;
                }
                fetch = (fetch * 2).min(MAX_FETCH_ROWS as i64);
            }
            Ok(out)
        })
    }

    fn snapshot_saved(
        &self,
        team: &Team,
        docs: &[DocId],
    ) -> Result<Vec<(DocId, Vec<u8>)>, StoreError> {
        let team = team.clone();
        let ids: Vec<Vec<u8>> = docs.iter().map(|d| d.0.to_vec()).collect();
        self.run(move |pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query(
                    "SELECT doc, saved FROM campo_snapshot_docs WHERE team = $1 AND doc = ANY($2)",
                    &[&team.as_str(), &ids],
                )
                .await?;
            rows.iter()
                .map(|r| Ok((DocId(id16(r.try_get(0)?, "doc id")?), r.try_get(1)?)))
                .collect()
        })
    }

    fn snapshot_advance(
        &self,
        team: &Team,
        from: Seq,
        upto: Seq,
        rows: &[SnapshotRow],
    ) -> Result<bool, StoreError> {
        let team = team.clone();
        let rows = rows.to_vec();
        self.run(move |pool| async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await?;
            tx.execute(
                "INSERT INTO campo_snapshot_marks (team, upto) VALUES ($1, 0) ON CONFLICT DO NOTHING",
                &[&team.as_str()],
            )
            .await?;
            // The row lock makes two instances' compactions of a team take turns.
            let mark: i64 = tx
                .query_one(
                    "SELECT upto FROM campo_snapshot_marks WHERE team = $1 FOR UPDATE",
                    &[&team.as_str()],
                )
                .await?
                .try_get(0)?;
            if seq_from_sql(mark)? != from {
                return Ok(false);
            }
            let put = tx
                .prepare(
                    "INSERT INTO campo_snapshot_docs (team, doc, saved, summary)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (team, doc) DO UPDATE SET saved = EXCLUDED.saved, summary = EXCLUDED.summary",
                )
                .await?;
            for r in &rows {
                tx.execute(&put, &[&team.as_str(), &&r.doc.0[..], &r.saved, &r.summary])
                    .await?;
            }
            tx.execute(
                "UPDATE campo_snapshot_marks SET upto = $2 WHERE team = $1",
                &[&team.as_str(), &seq_to_sql(upto)],
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        let hash = *hash;
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let stmt = client
                .prepare_cached(
                    "SELECT team, rep, revoked_at IS NOT NULL, admin FROM campo_tokens
                     WHERE hash = $1",
                )
                .await?;
            let row = client.query_opt(&stmt, &[&&hash[..]]).await?;
            row.map(|r| {
                Ok(TokenRecord {
                    team: r.try_get(0)?,
                    rep: r.try_get(1)?,
                    revoked: r.try_get(2)?,
                    admin: r.try_get(3)?,
                })
            })
            .transpose()
        })
    }

    fn create_token(
        &self,
        team: &Team,
        rep: &str,
        hash: &[u8; 32],
        admin: bool,
    ) -> Result<(), StoreError> {
        let (team, rep, hash) = (team.clone(), rep.to_owned(), *hash);
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute(
                    "INSERT INTO campo_tokens (hash, team, rep, admin) VALUES ($1, $2, $3, $4)",
                    &[&&hash[..], &team.as_str(), &rep, &admin],
                )
                .await?;
            Ok(())
        })
    }

    fn list_tokens(&self, team: &Team) -> Result<Vec<TokenInfo>, StoreError> {
        let team = team.clone();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            // The same text as the SQLite store keeps: UTC, to the second.
            let rows = client
                .query(
                    r#"SELECT hash, rep, admin,
                        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                        to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    FROM campo_tokens WHERE team = $1 ORDER BY created_at, made"#,
                    &[&team.as_str()],
                )
                .await?;
            rows.into_iter()
                .map(|r| {
                    let hash: &[u8] = r.try_get(0)?;
                    Ok(TokenInfo {
                        id: hash.iter().take(4).map(|b| format!("{b:02x}")).collect(),
                        rep: r.try_get(1)?,
                        admin: r.try_get(2)?,
                        created_at: r.try_get(3)?,
                        revoked_at: r.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    fn revoke_tokens(&self, team: &Team, rep: &str) -> Result<usize, StoreError> {
        let (team, rep) = (team.clone(), rep.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(pool_error)?;
            let n = client
                .execute(
                    "UPDATE campo_tokens SET revoked_at = now()
                     WHERE team = $1 AND rep = $2 AND revoked_at IS NULL",
                    &[&team.as_str(), &rep],
                )
                .await?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }
}

async fn head(pool: &Pool, team: &Team) -> Result<Seq, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let stmt = client
        .prepare_cached("SELECT head FROM campo_teams WHERE team = $1")
        .await?;
    match client.query_opt(&stmt, &[&team.as_str()]).await? {
        Some(row) => seq_from_sql(row.try_get(0)?),
        None => Ok(Seq(0)),
    }
}

/// The writer's connection and its prepared statements.
struct Writer {
    client: Client,
    statements: Statements,
}

struct Statements {
    /// Locks the team's counter row (creating it) and returns its head.
    lock_team: Statement,
    /// Which of the given hashes the team already holds.
    known: Statement,
    insert: Statement,
    set_head: Statement,
    notify: Statement,
    /// Which of the given token hashes exist unrevoked.
    valid_tokens: Statement,
}

impl Writer {
    async fn connect(url: &PostgresUrl) -> Result<Writer, StoreError> {
        Writer::prepare(connect(url).await?).await
    }

    async fn prepare(client: Client) -> Result<Writer, StoreError> {
        // An Ack promises durability: never let a server or database default
        // turn synchronous commit off for this session.
        client.batch_execute("SET synchronous_commit = on").await?;
        let notify = format!(
            "SELECT pg_notify('{NOTIFY_CHANNEL}', payload) FROM unnest($1::text[]) AS payload"
        );
        let (lock_team, known, insert, set_head, notify, valid_tokens) = tokio::try_join!(
            // Updating the row to itself takes its lock for the transaction.
            client.prepare(
                "INSERT INTO campo_teams (team, head) VALUES ($1, 0)
                 ON CONFLICT (team) DO UPDATE SET head = campo_teams.head
                 RETURNING head"
            ),
            client.prepare("SELECT hash FROM campo_log WHERE team = $1 AND hash = ANY($2)"),
            client.prepare(
                "INSERT INTO campo_log (team, seq, doc, device, hash, bytes)
                 SELECT $1, * FROM unnest($2::bigint[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[])"
            ),
            client.prepare("UPDATE campo_teams SET head = $2 WHERE team = $1"),
            client.prepare(&notify),
            client.prepare(
                "SELECT hash FROM campo_tokens WHERE hash = ANY($1) AND revoked_at IS NULL"
            ),
        )?;
        Ok(Writer {
            client,
            statements: Statements {
                lock_team,
                known,
                insert,
                set_head,
                notify,
                valid_tokens,
            },
        })
    }
}

/// What one team's part of a group produced: an outcome per batch (in the
/// order given) and the new entries.
type TeamOutcome = (Vec<Committed>, Vec<LogEntry>);

/// The writer: waits for a request, takes everything else already queued, and
/// commits it all in one transaction (one durable commit for many pushes).
async fn writer_loop(
    url: PostgresUrl,
    first: Writer,
    mut queue: mpsc::UnboundedReceiver<WriteRequest>,
    feed: Arc<Feed>,
) {
    let mut writer = Some(first);
    while let Some(first) = queue.recv().await {
        let mut requests = vec![first];
        while requests.len() < MAX_GROUP_REQUESTS {
            match queue.try_recv() {
                Ok(r) => requests.push(r),
                Err(_) => break,
            }
        }
        let w = match writer.take().filter(|w| !w.client.is_closed()) {
            Some(w) => w,
            None => match Writer::connect(&url).await {
                Ok(w) => w,
                Err(e) => {
                    tracing::error!(error = %e, "cannot reach PostgreSQL to commit pushes");
                    fail_all(requests, &e);
                    continue;
                }
            },
        };
        let w = writer.insert(w);
        let batches: Vec<&Batch> = requests.iter().map(|r| &r.batch).collect();
        match write_group(w, &batches).await {
            Ok((results, groups)) => {
                // Announce before acknowledging: once a pusher sees its Ack,
                // every live subscriber here has the entries queued.
                for (team, entries) in groups {
                    feed.local(&team, entries).await;
                }
                for (request, result) in requests.into_iter().zip(results) {
                    let _ = request.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                fail_all(requests, &e);
            }
        }
    }
}

fn fail_all(requests: Vec<WriteRequest>, e: &StoreError) {
    let message = e.to_string();
    for request in requests {
        let _ = request.reply.send(Err(StoreError::Commit(message.clone())));
    }
}

type GroupOutcome = (
    Vec<Result<Committed, StoreError>>,
    Vec<(Team, Vec<LogEntry>)>,
);

/// Writes `batches` in one transaction. Each team's batches sit in their own
/// savepoint, so a team whose write fails is rolled back alone.
async fn write_group(w: &mut Writer, batches: &[&Batch]) -> Result<GroupOutcome, StoreError> {
    let mut results: Vec<Option<Result<Committed, StoreError>>> =
        batches.iter().map(|_| None).collect();
    let statements = &w.statements;
    let tx = w.client.transaction().await?;
    // The tokens the batches require, in one lookup inside the transaction.
    let tokens: Vec<&[u8]> = batches
        .iter()
        .filter_map(|b| b.token.as_ref().map(|t| &t[..]))
        .collect();
    let mut valid: HashSet<[u8; 32]> = HashSet::new();
    if !tokens.is_empty() {
        for row in tx.query(&statements.valid_tokens, &[&tokens]).await? {
            let hash: &[u8] = row.try_get(0)?;
            if let Ok(hash) = hash.try_into() {
                valid.insert(hash);
            }
        }
    }
    let mut by_team: BTreeMap<&Team, Vec<usize>> = BTreeMap::new();
    for (i, b) in batches.iter().enumerate() {
        if b.token.is_some_and(|t| !valid.contains(&t)) {
            results[i] = Some(Err(StoreError::Revoked));
            continue;
        }
        by_team.entry(&b.team).or_default().push(i);
    }
    let mut groups = Vec::new();
    let single_team = by_team.len() == 1;
    for (team, indices) in by_team {
        let team_batches: Vec<&Batch> = indices.iter().map(|&i| batches[i]).collect();
        let outcome = if single_team {
            // Nothing else shares the transaction: a failure may end it.
            Some(write_team(&tx, statements, team, &team_batches, false).await?)
        } else {
            match write_team(&tx, statements, team, &team_batches, true).await {
                Ok(o) => {
                    tx.batch_execute("RELEASE SAVEPOINT campo_team").await?;
                    Some(o)
                }
                Err(e) => {
                    tracing::error!(error = %e, %team, "a team's pushes failed and were rolled back");
                    tx.batch_execute("ROLLBACK TO SAVEPOINT campo_team").await?;
                    let message = e.to_string();
                    for &i in &indices {
                        results[i] = Some(Err(StoreError::Commit(message.clone())));
                    }
                    None
                }
            }
        };
        if let Some((committed, entries)) = outcome {
            for (&i, c) in indices.iter().zip(committed) {
                results[i] = Some(Ok(c));
            }
            if !entries.is_empty() {
                groups.push((team.clone(), entries));
            }
        }
    }
    if !groups.is_empty() {
        let payloads: Vec<String> = groups
            .iter()
            .map(|(team, entries)| {
                let first = entries.first().map_or(0, |e| e.seq.0);
                let upto = entries.last().map_or(0, |e| e.seq.0);
                feed::payload(team, Seq(first), Seq(upto))
            })
            .collect();
        // Delivered to every listening instance when, and only if, this commits.
        tx.execute(&statements.notify, &[&payloads]).await?;
    }
    tx.commit().await?;
    let results = results
        .into_iter()
        .map(|r| r.unwrap_or(Err(StoreError::Commit("the batch was not written".into()))))
        .collect();
    Ok((results, groups))
}

/// Stores one team's batches, in order, skipping changes the team holds.
async fn write_team(
    tx: &Transaction<'_>,
    st: &Statements,
    team: &Team,
    batches: &[&Batch],
    savepoint: bool,
) -> Result<TeamOutcome, StoreError> {
    let mut hashes: Vec<&[u8]> = Vec::new();
    for b in batches {
        hashes.extend(b.changes.iter().map(|c| &c.hash.0[..]));
    }
    let name = team.as_str();
    let lock_params: [&(dyn ToSql + Sync); 1] = [&name];
    let known_params: [&(dyn ToSql + Sync); 2] = [&name, &hashes];
    // Sent together: the server runs them in order, so the lookup of known
    // hashes happens under the team's lock.
    let (head, known_rows) = if savepoint {
        let (_, head, known) = tokio::try_join!(
            tx.batch_execute("SAVEPOINT campo_team"),
            tx.query_one(&st.lock_team, &lock_params),
            tx.query(&st.known, &known_params),
        )?;
        (head, known)
    } else {
        tokio::try_join!(
            tx.query_one(&st.lock_team, &lock_params),
            tx.query(&st.known, &known_params),
        )?
    };
    let mut head = seq_from_sql(head.try_get(0)?)?;
    let mut known: HashSet<[u8; 32]> = HashSet::with_capacity(hashes.len());
    for row in known_rows {
        let hash: &[u8] = row.try_get(0)?;
        known.insert(
            hash.try_into()
                .map_err(|_| StoreError::Corrupt(format!("a hash of {} bytes", hash.len())))?,
        );
    }

    let mut committed = Vec::with_capacity(batches.len());
    let mut entries = Vec::new();
    let mut new_hashes: Vec<&[u8]> = Vec::new();
    for b in batches {
        let mut stored = 0;
        for c in &b.changes {
            // Also catches a change repeated within the group.
            if !known.insert(c.hash.0) {
                continue;
            }
            head = Seq(head.0 + 1);
            stored += 1;
            new_hashes.push(&c.hash.0);
            entries.push(LogEntry {
                seq: head,
                doc: c.doc,
                device: b.device,
                bytes: c.bytes.clone(),
            });
        }
        committed.push(Committed { stored, head });
    }
    if !entries.is_empty() {
        let seqs: Vec<i64> = entries.iter().map(|e| seq_to_sql(e.seq)).collect();
        let docs: Vec<&[u8]> = entries.iter().map(|e| &e.doc.0[..]).collect();
        let devices: Vec<&[u8]> = entries.iter().map(|e| &e.device.0[..]).collect();
        let bytes: Vec<&[u8]> = entries.iter().map(|e| &e.bytes[..]).collect();
        let new_head = seq_to_sql(head);
        let insert_params: [&(dyn ToSql + Sync); 6] =
            [&name, &seqs, &docs, &devices, &new_hashes, &bytes];
        let head_params: [&(dyn ToSql + Sync); 2] = [&name, &new_head];
        tokio::try_join!(
            tx.execute(&st.insert, &insert_params),
            tx.execute(&st.set_head, &head_params),
        )?;
    }
    Ok((committed, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::contract::{self, Recorder, batch, changes, team};

    #[test]
    fn urls_are_checked_and_shown_without_password() {
        let url = PostgresUrl::parse("postgres://campo:s3cret@db.internal:6543/crm").unwrap();
        assert_eq!(url.to_string(), "postgres://campo@db.internal:6543/crm");
        assert!(!format!("{url:?}").contains("s3cret"));
        let socket = PostgresUrl::parse("postgresql://postgres@%2Ftmp%2Fpg/campo").unwrap();
        assert_eq!(
            socket.to_string(),
            "postgres://postgres@[/tmp/pg]:5432/campo"
        );
        assert!(
            PostgresUrl::parse("mysql://x@y/z")
                .unwrap_err()
                .contains("postgres://")
        );
        assert!(
            PostgresUrl::parse("postgres://x@y")
                .unwrap_err()
                .contains("DATABASE")
        );
    }

    #[test]
    fn payloads_round_trip() {
        let t = team("acme-2");
        let p = feed::payload(&t, Seq(3), Seq(9));
        assert_eq!(p, "acme-2:3:9");
        assert_eq!(feed::parse_payload(&p), Some((t, Seq(3), Seq(9))));
        for bad in [
            "acme", "acme:1", "acme:0:3", "acme:5:3", "Acme:1:2", "a:b:c",
        ] {
            assert_eq!(feed::parse_payload(bad), None, "{bad}");
        }
    }

    /// Runs `fut` to completion on a thread and runtime of its own (tests
    /// run inside runtimes that may not block on another).
    fn on_own_thread<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> T {
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(fut)
        })
        .join()
        .expect("the admin task")
    }

    /// A database made for one test on the server named by
    /// `CAMPO_TEST_POSTGRES`, dropped with it.
    struct TestDb {
        admin: PostgresUrl,
        url: PostgresUrl,
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            let admin = self.admin.clone();
            let name = self.url.config.get_dbname().unwrap_or_default().to_owned();
            on_own_thread(async move {
                let dropped = match connect(&admin).await {
                    Ok(client) => client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .map_err(StoreError::from),
                    Err(e) => Err(e),
                };
                if let Err(e) = dropped {
                    eprintln!("could not drop the test database {name}: {e}");
                }
            });
        }
    }

    /// A fresh database, or None (the test then says it skipped) when
    /// `CAMPO_TEST_POSTGRES` is not set.
    fn fresh_database(test: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var("CAMPO_TEST_POSTGRES") else {
            eprintln!("skipped {test}: set CAMPO_TEST_POSTGRES to a postgres:// URL to run it");
            return None;
        };
        let admin = PostgresUrl::parse(&admin).expect("CAMPO_TEST_POSTGRES is a postgres:// URL");
        let name = format!(
            "campo_unit_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        let (server, created) = (admin.clone(), name.clone());
        on_own_thread(async move {
            let client = connect(&server)
                .await
                .expect("connect to CAMPO_TEST_POSTGRES");
            client
                .batch_execute(&format!("CREATE DATABASE {created}"))
                .await
                .expect("create a test database");
        });
        let mut url = admin.clone();
        url.config.dbname(&name);
        Some(TestDb { admin, url })
    }

    /// A store on a database of its own; the database goes after the store.
    struct Opened {
        store: PostgresStore,
        _db: TestDb,
    }

    impl std::ops::Deref for Opened {
        type Target = PostgresStore;
        fn deref(&self) -> &PostgresStore {
            &self.store
        }
    }

    fn open(test: &str, listener: Arc<dyn CommitListener>) -> Option<Opened> {
        let db = fresh_database(test)?;
        let store = PostgresStore::open(&db.url, listener).expect("open the store");
        Some(Opened { store, _db: db })
    }

    #[tokio::test]
    async fn concurrent_batches_share_commits_and_get_contiguous_seqs() {
        let recorder = Arc::new(Recorder::default());
        let Some(store) = open("concurrent batches", recorder.clone()) else {
            return;
        };
        contract::concurrent_batches_share_commits_and_get_contiguous_seqs(&*store, &recorder)
            .await;
    }

    #[tokio::test]
    async fn a_change_already_stored_consumes_no_seq() {
        let Some(store) = open("dedup", Arc::new(())) else {
            return;
        };
        contract::a_change_already_stored_consumes_no_seq(&*store).await;
    }

    #[test]
    fn a_batch_with_one_bad_change_is_refused_whole() {
        let Some(store) = open("bad batch", Arc::new(())) else {
            return;
        };
        contract::a_batch_with_one_bad_change_is_refused_whole(&*store);
    }

    #[tokio::test]
    async fn reads_are_bounded_by_bytes_but_never_empty() {
        let Some(store) = open("bounded reads", Arc::new(())) else {
            return;
        };
        contract::reads_are_bounded_by_bytes_but_never_empty(&*store).await;
    }

    #[tokio::test]
    async fn snapshots_advance_from_their_mark_only() {
        let Some(store) = open("snapshots", Arc::new(())) else {
            return;
        };
        contract::snapshots_advance_from_their_mark_only(&*store).await;
    }

    #[test]
    fn tokens_are_found_listed_and_revoked() {
        let Some(store) = open("tokens", Arc::new(())) else {
            return;
        };
        contract::tokens_are_found_listed_and_revoked(&*store);
    }

    #[test]
    fn admin_tokens_are_told_apart() {
        let Some(store) = open("admin tokens", Arc::new(())) else {
            return;
        };
        contract::admin_tokens_are_told_apart(&*store);
    }

    #[test]
    fn a_database_from_before_admins_is_migrated_and_its_tokens_are_not_admins() {
        let Some(db) = fresh_database("admin migration") else {
            return;
        };
        // The database as relays made it before the admin column: schema 1.
        let url = db.url.clone();
        on_own_thread(async move {
            let client = connect(&url).await.expect("connect");
            client.batch_execute(MIGRATIONS[0]).await.expect("schema 1");
            client
                .batch_execute(
                    "CREATE TABLE campo_schema (version INTEGER NOT NULL);
                     INSERT INTO campo_schema (version) VALUES (1);",
                )
                .await
                .expect("its version");
            client
                .execute(
                    "INSERT INTO campo_tokens (hash, team, rep) VALUES ($1, 'acme', 'anna')",
                    &[&&[1u8; 32][..]],
                )
                .await
                .expect("an old token");
        });

        let store = PostgresStore::open(&db.url, Arc::new(())).unwrap();
        let anna = store.find_token(&[1; 32]).unwrap().unwrap();
        assert!(!anna.admin && !anna.revoked);
        store
            .create_token(&team("acme"), "boss", &[2; 32], true)
            .unwrap();
        assert!(store.find_token(&[2; 32]).unwrap().unwrap().admin);
        drop(store);

        // Opening again runs nothing twice (ADD COLUMN would fail if it did).
        let store = PostgresStore::open(&db.url, Arc::new(())).unwrap();
        assert_eq!(store.list_tokens(&team("acme")).unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_failing_team_rolls_back_alone() {
        let Some(store) = open("failing team", Arc::new(())) else {
            return;
        };
        // A trigger makes the second insert of team "doomed" fail, as a full
        // disk would: its batch is rolled back whole, other teams commit.
        store
            .run(|pool| async move {
                let client = pool.get().await.map_err(pool_error)?;
                client
                    .batch_execute(
                        "CREATE FUNCTION doom() RETURNS trigger LANGUAGE plpgsql AS $$
                         BEGIN
                           IF NEW.team = 'doomed' AND NEW.seq = 2 THEN
                             RAISE EXCEPTION 'disk full';
                           END IF;
                           RETURN NEW;
                         END $$;
                         CREATE TRIGGER doom BEFORE INSERT ON campo_log
                         FOR EACH ROW EXECUTE FUNCTION doom();",
                    )
                    .await?;
                Ok(())
            })
            .unwrap();

        // Queued together, so they share one transaction.
        let doomed = store.append(batch("doomed", 1, changes(1, 2)));
        let fine = store.append(batch("fine", 1, changes(2, 2)));
        assert!(doomed.await.is_err());
        assert_eq!(fine.await.unwrap().stored, 2);
        assert_eq!(
            store.head(&team("doomed")).unwrap(),
            Seq(0),
            "nothing half-stored, and the counter did not move"
        );
        assert_eq!(store.head(&team("fine")).unwrap(), Seq(2));

        // Alone in its group, it fails the same way, and the next push of the
        // team still starts at 1.
        assert!(
            store
                .append(batch("doomed", 1, changes(1, 2)))
                .await
                .is_err()
        );
        let one = store
            .append(batch("doomed", 1, changes(3, 1)))
            .await
            .unwrap();
        assert_eq!(one.head, Seq(1));
    }

    #[tokio::test]
    async fn two_instances_on_one_database_hear_each_other_once_and_never_gap() {
        let Some(db) = fresh_database("two instances") else {
            return;
        };
        let url = &db.url;
        let heard_a = Arc::new(Recorder::default());
        let heard_b = Arc::new(Recorder::default());
        let a = PostgresStore::open(url, heard_a.clone()).unwrap();
        let b = PostgresStore::open(url, heard_b.clone()).unwrap();

        // Both instances push to one team at once, several batches each.
        let mut tickets = Vec::new();
        for i in 0..10u8 {
            let store: &PostgresStore = if i % 2 == 0 { &a } else { &b };
            tickets.push(store.append(batch("acme", i, changes(i, 2))));
        }
        for t in tickets {
            assert_eq!(t.await.unwrap().stored, 2);
        }
        let acme = team("acme");
        assert_eq!(a.head(&acme).unwrap(), Seq(20));
        let all = b.read_range(&acme, Seq(0), Seq(20), usize::MAX).unwrap();
        assert_eq!(
            all.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
            (1..=20).collect::<Vec<_>>()
        );

        // Each instance announces every entry exactly once, in order, whether
        // it wrote it or heard of it.
        let want: Vec<u64> = (1..=20).collect();
        for heard in [&heard_a, &heard_b] {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while heard.seqs(&acme).len() < 20 && std::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert_eq!(heard.seqs(&acme), want);
        }
    }
}
