//! `campo-bench seed`: generates a team book (and optionally a day of edits)
//! and pushes every change to a running relay over the real protocol.
//!
//! The book's changes are kept in a file beside the build (see
//! [`crate::book_file`]) so a second run pushes the same bytes, which the relay
//! acknowledges without storing them twice. Pushes go over several
//! connections of one device (so the relay echoes none of them back), one batch
//! in flight per connection, each connection within the relay's push rate
//! limits.

use crate::book_file;
use crate::conn::{self, Endpoint};
use crate::day;
use crate::report::{megabytes, thousands};
use anyhow::{Context, bail};
use campo_core::ids::{DeviceId, Seq};
use campo_core::protocol::{ClientMsg, DocChange, ServerMsg, batch_changes};
use campo_core::seed::{BookSpec, Generated, book};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// The relay's WebSocket URL, e.g. ws://127.0.0.1:8080/ws.
    #[arg(long)]
    pub url: String,
    /// The team to load the book into.
    #[arg(long)]
    pub team: String,
    /// A rep token of that team (`campo-relay token create`).
    #[arg(long)]
    pub token: String,
    /// Accounts in the book (with 2 people, 10 interactions and 5 orders each,
    /// one product per 2 accounts, a deal and a task per 5).
    #[arg(long, default_value_t = 10_000)]
    pub accounts: usize,
    /// The generator's seed: the same seed gives the same book.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also push a day of this many edits by 20 reps (field edits, logged
    /// interactions, orders) on random accounts of the book.
    #[arg(long, default_value_t = 0)]
    pub edits: usize,
    /// Connections to push over at once.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Where generated books are kept; a book found there is pushed again
    /// byte for byte. Default: `campo-bench-books` in the build's target folder.
    #[arg(long)]
    pub book_dir: Option<PathBuf>,
}

/// What a push of many changes cost.
struct Pushed {
    changes: usize,
    bytes: usize,
    batches: usize,
    elapsed: Duration,
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    if args.accounts == 0 {
        bail!("--accounts must be at least 1");
    }
    if args.connections == 0 || args.connections > 64 {
        bail!("--connections must be between 1 and 64");
    }
    campo_relay::names::Team::parse(&args.team).map_err(|e| anyhow::anyhow!("--team: {e}"))?;
    let endpoint = Endpoint::resolve(&args.url).await?;
    let dir = match &args.book_dir {
        Some(d) => d.clone(),
        None => default_book_dir()?,
    };

    let started = Instant::now();
    let book_path = dir.join(format!("book-s{}-a{}.bin", args.seed, args.accounts));
    let (records, reused) = match book_file::read(&book_path)? {
        Some(records) => (records, true),
        None => {
            let spec = BookSpec::scaled(args.accounts);
            let records =
                tokio::task::spawn_blocking(move || book(args.seed, spec, &day::REPS)).await?;
            book_file::write(&book_path, &records)?;
            forget_edits(&dir, &args)?;
            (records, false)
        }
    };
    let changes: Vec<DocChange> = records
        .iter()
        .flat_map(|g| {
            g.changes.iter().map(|c| DocChange {
                doc: g.id,
                bytes: c.clone(),
            })
        })
        .collect();
    println!(
        "book: {} records, {} changes, {} ({} in {:.1} s: {})",
        thousands(records.len() as u64),
        thousands(changes.len() as u64),
        megabytes(changes.iter().map(|c| c.bytes.len() as u64).sum()),
        if reused { "read" } else { "generated" },
        started.elapsed().as_secs_f64(),
        book_path.display()
    );

    let before = conn::head(&endpoint, &args.team, &args.token).await?;
    println!(
        "team {} (signed in as {}): head {} before",
        args.team, before.rep, before.head.0
    );
    let pushed = push_all(&endpoint, &args, before.head, changes).await?;
    report("book", &pushed);

    if args.edits > 0 {
        let started = Instant::now();
        let edits = day_of_edits(&dir, &args, records).await?;
        println!(
            "day of edits: {} changes, {} ({:.1} s)",
            thousands(edits.len() as u64),
            megabytes(edits.iter().map(|c| c.bytes.len() as u64).sum()),
            started.elapsed().as_secs_f64()
        );
        let mid = conn::head(&endpoint, &args.team, &args.token).await?;
        let pushed = push_all(&endpoint, &args, mid.head, edits).await?;
        report("edits", &pushed);
    }

    let after = conn::head(&endpoint, &args.team, &args.token).await?;
    println!(
        "team {}: head {} after; {} changes newly stored (changes the relay already held were acknowledged, not stored again)",
        args.team,
        after.head.0,
        thousands(after.head.0.saturating_sub(before.head.0))
    );
    Ok(())
}

fn report(what: &str, p: &Pushed) {
    let secs = p.elapsed.as_secs_f64().max(1e-9);
    println!(
        "pushed {what}: {} changes, {} in {} batches, {:.2} s ({} changes/s, {:.1} MB/s), every batch acknowledged",
        thousands(p.changes as u64),
        megabytes(p.bytes as u64),
        p.batches,
        secs,
        thousands((p.changes as f64 / secs) as u64),
        p.bytes as f64 / 1e6 / secs
    );
}

/// `<target>/campo-bench-books`, beside the running binary's profile folder.
fn default_book_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating campo-bench")?;
    let target = exe
        .parent()
        .and_then(|profile| profile.parent())
        .context("campo-bench is not inside a build folder: give --book-dir")?;
    Ok(target.join("campo-bench-books"))
}

/// The day's edits, kept in a file like the book (they build on its bytes).
async fn day_of_edits(
    dir: &std::path::Path,
    args: &SeedArgs,
    records: Vec<Generated>,
) -> anyhow::Result<Vec<DocChange>> {
    let path = dir.join(format!(
        "edits-s{}-a{}-e{}.bin",
        args.seed, args.accounts, args.edits
    ));
    let to_changes = |rs: Vec<Generated>| -> Vec<DocChange> {
        rs.into_iter()
            .flat_map(|g| {
                let doc = g.id;
                g.changes
                    .into_iter()
                    .map(move |bytes| DocChange { doc, bytes })
            })
            .collect()
    };
    if let Some(saved) = book_file::read(&path)? {
        return Ok(to_changes(saved));
    }
    let (n, seed) = (args.edits, args.seed);
    let day_start = today_start_ms();
    let edits =
        tokio::task::spawn_blocking(move || day::edits(&records, n, seed, day_start)).await?;
    // Saved as one-change records of the edited accounts.
    let as_records: Vec<Generated> = edits
        .iter()
        .map(|c| Generated {
            id: c.doc,
            kind: campo_core::record::Kind::Account,
            changes: vec![c.bytes.clone()],
        })
        .collect();
    book_file::write(&path, &as_records)?;
    Ok(edits)
}

/// Removes the days of edits made on an earlier book of the same seed and
/// size: they build on that book's changes, not on a new one's.
fn forget_edits(dir: &std::path::Path, args: &SeedArgs) -> anyhow::Result<()> {
    let prefix = format!("edits-s{}-a{}-", args.seed, args.accounts);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            std::fs::remove_file(e.path())
                .with_context(|| format!("removing {}", e.path().display()))?;
        }
    }
    Ok(())
}

/// Today at 08:00 UTC, in ms.
fn today_start_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    now - now % 86_400_000 + 8 * 3_600_000
}

/// Pushes `changes` in batches over `args.connections` connections of one
/// device and waits for every Ack.
async fn push_all(
    endpoint: &Endpoint,
    args: &SeedArgs,
    cursor: Seq,
    changes: Vec<DocChange>,
) -> anyhow::Result<Pushed> {
    let count = changes.len();
    let bytes = changes.iter().map(|c| c.bytes.len()).sum();
    let batches: VecDeque<(u64, Vec<DocChange>)> =
        batch_changes(changes.into_iter().map(|c| ((), c)).collect())
            .into_iter()
            .enumerate()
            .map(|(i, b)| (i as u64 + 1, b.into_iter().map(|(_, c)| c).collect()))
            .collect();
    let batch_count = batches.len();
    let queue = Arc::new(Mutex::new(batches));
    // One device: the relay forwards none of its own changes back to it.
    let device = DeviceId(crate::random::bytes16());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections.min(batch_count.max(1)) {
        let (endpoint, team, token, queue) = (
            endpoint.clone(),
            args.team.clone(),
            args.token.clone(),
            queue.clone(),
        );
        tasks.push(tokio::spawn(async move {
            push_queue(&endpoint, &team, &token, device, cursor, &queue).await
        }));
    }
    for t in tasks {
        t.await.context("a pushing task failed")??;
    }
    Ok(Pushed {
        changes: count,
        bytes,
        batches: batch_count,
        elapsed: started.elapsed(),
    })
}

/// One connection: takes batches off the queue until it is empty, each sent
/// within the push rate limits and acknowledged before the next.
async fn push_queue(
    endpoint: &Endpoint,
    team: &str,
    token: &str,
    device: DeviceId,
    cursor: Seq,
    queue: &Mutex<VecDeque<(u64, Vec<DocChange>)>>,
) -> anyhow::Result<()> {
    let mut ws = endpoint.connect(None).await?;
    conn::hello(&mut ws, team, token, device, cursor).await?;
    // The relay's bucket starts before it sends Welcome, so before this one,
    // and holds more (`conn::push_rate`).
    let mut rate = conn::push_rate();
    loop {
        let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
        let Some((batch, changes)) = next else { break };
        let frame = ClientMsg::Push { batch, changes }.encode();
        while !rate.admit(frame.len(), tokio::time::Instant::now()) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        conn::send_frame(&mut ws, frame).await?;
        loop {
            match conn::recv(&mut ws).await? {
                Some(ServerMsg::Ack { batch: b }) if b == batch => break,
                Some(_) => continue,
                None => bail!("the relay closed the connection before acknowledging batch {batch}"),
            }
        }
    }
    let _ = futures_util::SinkExt::close(&mut ws).await;
    Ok(())
}
