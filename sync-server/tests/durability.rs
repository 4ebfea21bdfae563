//! Scenario: the relay process is killed (SIGKILL, no shutdown) right after
//! acknowledging pushes. Restarted on the same data directory, it still has
//! every acknowledged change, exactly once, with contiguous sequence numbers.
//!
//! Then the same under load, on SQLite or on PostgreSQL (`CAMPO_TEST_POSTGRES`,
//! as the other relay tests): four devices (the core's `SyncClient` over real
//! WebSockets, applying what they receive) push and receive concurrently while
//! the relay is killed at random points, cycle after cycle. After every restart
//! the log holds every acknowledged change exactly once, with contiguous seqs
//! and nothing rewritten, and each device resumes from its stored cursor,
//! re-pushes what was not acknowledged and receives every entry it did not
//! write, once. At the end the devices' records are identical.
//!
//! `CAMPO_KILL_CYCLES=n` sets the cycles (default 4; the heavy run is 100,
//! README), `CAMPO_KILL_SEED=s` replays a seed: it fixes each cycle's kill
//! point (after how many acknowledgements, then how long) and every device's
//! edits and pacing; the operating system's scheduling is not replayed.

mod common;
mod replica;

use campo_core::change::{self, ChangeHash};
use campo_core::ids::{DeviceId, Seq};
use campo_core::seed::Rng;
use campo_core::sync::Phase;
use common::{Device, TestStore, customer_changes};
use replica::{Dropped, Replica};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

/// Starts `campo-relay serve` on a free port; returns the child and its URL from
/// the one line it prints.
fn start_relay(data: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--static-dir"])
        .arg(data.join("no-dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn campo-relay");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let url = line
        .trim()
        .strip_prefix("campo-relay listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, format!("ws://{url}/ws"))
}

fn create_token(data: &Path, team: &str, rep: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--team", team, "--rep", rep, "--data"])
        .arg(data)
        .output()
        .expect("run token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(
        token.starts_with("campo_") && token.len() == 49,
        "{token:?}"
    );
    token
}

#[tokio::test]
async fn acknowledged_changes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // The token is made by the real subcommand, before the relay runs.
    let token = create_token(&data, "acme", "Anna");
    let (mut relay, url) = start_relay(&data);

    // Anna pushes 12 batches of 3 changes from two devices, waiting for each Ack.
    let (mut phone, _) = Device::sign_in(&url, 1, "acme", &token, Seq(0)).await;
    phone.catch_up().await;
    let (mut laptop, _) = Device::sign_in(&url, 2, "acme", &token, Seq(0)).await;
    laptop.catch_up().await;
    let mut acknowledged = Vec::new();
    for i in 0..12u8 {
        let changes = customer_changes(i, "Anna", 3);
        let device = if i % 2 == 0 { &mut phone } else { &mut laptop };
        device.push(u64::from(i), changes.clone()).await;
        acknowledged.extend(changes.into_iter().map(|c| c.bytes));
    }

    // Kill the process outright: no flush, no graceful shutdown.
    relay.kill().expect("SIGKILL the relay");
    relay.wait().expect("reap the relay");

    // Restart on the same data directory; a fresh device reads the whole log.
    let (mut relay, url) = start_relay(&data);
    let (mut fresh, head) = Device::sign_in(&url, 3, "acme", &token, Seq(0)).await;
    assert_eq!(head, Seq(acknowledged.len() as u64));
    let (entries, upto, _) = fresh.catch_up().await;
    assert_eq!(upto, head);
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq.0).collect();
    assert_eq!(
        seqs,
        (1..=acknowledged.len() as u64).collect::<Vec<_>>(),
        "contiguous, once each"
    );
    let stored: Vec<Vec<u8>> = entries.into_iter().map(|e| e.bytes).collect();
    assert_eq!(
        stored, acknowledged,
        "every acknowledged change, in push order"
    );

    relay.kill().expect("stop the relay");
    relay.wait().expect("reap the relay");
}

/// A relay process that is killed when dropped, so a failing test leaves no
/// process behind.
struct RelayProcess(Child);

impl RelayProcess {
    fn start(data: &Path) -> (RelayProcess, String) {
        let (child, url) = start_relay(data);
        (RelayProcess(child), url)
    }

    /// SIGKILL: no flush, no graceful shutdown.
    fn kill(mut self) {
        self.0.kill().expect("SIGKILL the relay");
        self.0.wait().expect("reap the relay");
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The team's whole log as a device with nothing stored reads it.
#[derive(Default)]
struct Log {
    entries: Vec<(Vec<u8>, ChangeHash)>,
    seq_of: HashMap<ChangeHash, Seq>,
}

impl Log {
    /// Reads the log from seq 1 and checks it against what was read before:
    /// seqs contiguous from 1, every earlier entry still there byte for byte,
    /// no change stored twice.
    async fn read(url: &str, token: &str, before: &Log) -> Log {
        let (mut reader, head) = Device::sign_in(url, 0xEE, "acme", token, Seq(0)).await;
        let (entries, upto, _) = reader.catch_up().await;
        reader.close().await;
        assert_eq!(upto, head);
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq.0).collect();
        assert!(
            seqs.iter().copied().eq(1..=head.0),
            "seqs are contiguous from 1 (head {head:?}, {} entries)",
            seqs.len()
        );
        assert!(
            entries.len() >= before.entries.len(),
            "the log shrank from {} to {} entries",
            before.entries.len(),
            entries.len()
        );
        let mut log = Log::default();
        for (i, e) in entries.into_iter().enumerate() {
            let hash = match before.entries.get(i) {
                Some((bytes, hash)) => {
                    assert_eq!(&e.bytes, bytes, "seq {:?} was rewritten", e.seq);
                    *hash
                }
                None => change::check(&e.bytes).expect("the log holds changes"),
            };
            if let Some(first) = log.seq_of.insert(hash, e.seq) {
                panic!("a change stored twice, at {first:?} and {:?}", e.seq);
            }
            log.entries.push((e.bytes, hash));
        }
        log
    }

    fn head(&self) -> Seq {
        Seq(self.entries.len() as u64)
    }

    fn hash_at(&self, seq: Seq) -> ChangeHash {
        self.entries[seq.0 as usize - 1].1
    }

    /// What a device may have seen agrees with the log: every change the
    /// relay acknowledged to it is there; every entry it received is the
    /// log's entry at that seq; below its cursor it received every entry it
    /// did not write itself (own entries are left out of what it is sent,
    /// except when it connects with cursor 0).
    fn check(&self, r: &Replica) {
        for hash in &r.acked {
            assert!(
                self.seq_of.contains_key(hash),
                "{}: an acknowledged change is missing from the log",
                r.name
            );
        }
        assert!(
            r.cursor() <= self.head(),
            "{}: cursor {:?} is past the head {:?}",
            r.name,
            r.cursor(),
            self.head()
        );
        for (seq, hash) in &r.received {
            assert_eq!(
                &self.hash_at(*seq),
                hash,
                "{}: received another change at {seq:?}",
                r.name
            );
        }
        for seq in (1..=r.cursor().0).map(Seq) {
            let own = r.made_set.contains(&self.hash_at(seq));
            assert!(
                own || r.received.contains_key(&seq),
                "{}: gap: never received {seq:?} (cursor {:?})",
                r.name,
                r.cursor()
            );
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number"))
    })
}

/// Most pushes one connection makes, well under the relay's push burst (1,000).
const MAX_EDITS_PER_CONNECTION: usize = 400;

/// One device during a cycle: connects (again and again while the relay is
/// down), receives, and edits at a seeded pace, online or offline, until `stop`.
async fn run_device(
    mut r: Replica,
    mut rng: Rng,
    url: String,
    stop: Arc<AtomicBool>,
    acks: Arc<AtomicUsize>,
    clock: Arc<AtomicUsize>,
) -> (Replica, Rng) {
    let now = |clock: &AtomicUsize| {
        1_780_000_000_000 + clock.fetch_add(1, Ordering::Relaxed) as i64 * 1000
    };
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut link) = r.connect(&url).await else {
            // The relay is down: the rep keeps working offline now and then.
            if rng.below(4) == 0 {
                let _ = r.random_edit(None, &mut rng, now(&clock)).await;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
            continue;
        };
        let mut edits = 0;
        loop {
            let acked = r.acked.len();
            let wait = Duration::from_millis(1 + rng.below(8) as u64);
            let step = r.step_within(&mut link, wait).await;
            acks.fetch_add(r.acked.len() - acked, Ordering::Relaxed);
            if step == Err(Dropped) {
                break;
            }
            if stop.load(Ordering::Relaxed) {
                r.disconnect(link).await;
                return (r, rng);
            }
            let online = matches!(r.phase(), Phase::CatchingUp | Phase::Live);
            if online && edits < MAX_EDITS_PER_CONNECTION && rng.below(3) == 0 {
                edits += 1;
                if r.random_edit(Some(&mut link), &mut rng, now(&clock)).await == Err(Dropped) {
                    break;
                }
            }
        }
    }
    (r, rng)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_change_survives_sigkill_under_load() {
    let cycles = env_number("CAMPO_KILL_CYCLES").unwrap_or(4);
    let seed = env_number("CAMPO_KILL_SEED").unwrap_or_else(rand::random);
    println!(
        "SIGKILL under load: seed {seed}, {cycles} cycles (replay: CAMPO_KILL_SEED={seed} CAMPO_KILL_CYCLES={cycles})"
    );
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    // SQLite in the data directory, or a PostgreSQL database named in its
    // `store.url` when `CAMPO_TEST_POSTGRES` is set (the relay's own setting).
    let _store = TestStore::fresh(&data).await;
    let anna = create_token(&data, "acme", "Anna");
    let bruno = create_token(&data, "acme", "Bruno");
    let carla = create_token(&data, "acme", "Carla");

    // Anna on two devices, Bruno and Carla on one each.
    let mut devices: Vec<(Replica, Rng)> = [
        (&anna, 1u8, "Anna"),
        (&anna, 2, "Anna"),
        (&bruno, 3, "Bruno"),
        (&carla, 4, "Carla"),
    ]
    .into_iter()
    .map(|(token, id, rep)| {
        let rng = Rng::new(seed ^ u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (Replica::new("acme", token, DeviceId([id; 16]), rep), rng)
    })
    .collect();
    let mut killer = Rng::new(seed);
    let clock = Arc::new(AtomicUsize::new(0));
    let mut log = Log::default();

    // Changes found at a restart committed but never acknowledged (the kill
    // came between the commit and the Ack), and changes not committed at all
    // (in flight or still in the outbox): both are the devices' to send again.
    let mut committed_unacked = HashSet::new();
    let mut uncommitted = HashSet::new();
    for cycle in 0..cycles {
        let (relay, url) = RelayProcess::start(&data);
        log = Log::read(&url, &anna, &log).await;
        for (r, _) in &devices {
            log.check(r);
            for hash in r.made.iter().filter(|h| !r.acked.contains(h)) {
                if log.seq_of.contains_key(hash) {
                    committed_unacked.insert(*hash);
                } else {
                    uncommitted.insert(*hash);
                }
            }
        }

        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(AtomicUsize::new(0));
        let running: Vec<_> = devices
            .drain(..)
            .map(|(r, rng)| {
                tokio::spawn(run_device(
                    r,
                    rng,
                    url.clone(),
                    stop.clone(),
                    acks.clone(),
                    clock.clone(),
                ))
            })
            .collect();

        // The kill point: after a seeded number of acknowledgements in this
        // cycle (0: while the devices connect and catch up), then a seeded pause.
        let after_acks = killer.below(40);
        let pause = Duration::from_millis(killer.below(15) as u64);
        let give_up = Instant::now() + Duration::from_secs(120);
        while acks.load(Ordering::Relaxed) < after_acks {
            assert!(
                Instant::now() < give_up,
                "cycle {cycle}: {} of {after_acks} acknowledgements in 120 s",
                acks.load(Ordering::Relaxed)
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(pause).await;
        relay.kill();

        stop.store(true, Ordering::Relaxed);
        for task in running {
            devices.push(
                task.await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            );
        }
    }

    // The last restart: every device delivers what is left in its outbox, then
    // catches up to the head.
    let (relay, url) = RelayProcess::start(&data);
    log = Log::read(&url, &anna, &log).await;
    for (r, _) in &mut devices {
        log.check(r);
        let link = r.sync_to(&url, Seq(0)).await;
        r.disconnect(link).await;
    }
    log = Log::read(&url, &anna, &log).await;
    for (r, _) in &mut devices {
        let link = r.sync_to(&url, log.head()).await;
        r.disconnect(link).await;
        log.check(r);
        assert_eq!(r.cursor(), log.head(), "{}", r.name);
    }
    relay.kill();

    // Every change any device made was acknowledged and is in the log once;
    // the log holds nothing else.
    let mut made = HashSet::new();
    for (r, _) in &devices {
        for hash in &r.made {
            assert!(
                r.acked.contains(hash),
                "{}: a change never acknowledged",
                r.name
            );
            assert!(made.insert(*hash));
        }
    }
    let logged: HashSet<ChangeHash> = log.seq_of.keys().copied().collect();
    assert_eq!(logged, made, "the log holds exactly the changes made");

    // And the devices read the same book.
    let first = devices[0].0.read_all();
    assert!(!first.is_empty());
    for (r, _) in &mut devices[1..] {
        assert!(r.read_all() == first, "{} reads another book", r.name);
    }
    println!(
        "SIGKILL under load: {cycles} cycles, {} changes acknowledged ({} found committed \
         but unacknowledged at a restart, {} not committed), {} records, {:.1} s (seed {seed})",
        made.len(),
        committed_unacked.len(),
        uncommitted.len(),
        first.len(),
        started.elapsed().as_secs_f64()
    );
}
