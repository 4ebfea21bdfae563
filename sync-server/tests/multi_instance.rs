//! Scenario: two relay instances serve one team from one PostgreSQL database,
//! as behind a load balancer. One instance runs in this process, the other is
//! the real `campo-relay serve --store postgres://…` process. Devices on
//! either instance hear each other live, seqs stay contiguous while both
//! instances take pushes at once, a device catches up through either instance,
//! and an instance that loses its notification connection catches up after
//! reconnecting.
//!
//! Runs only when `CAMPO_TEST_POSTGRES` names a server (`./tasks test` starts
//! one); otherwise each test says it skipped and passes.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::{DocChange, Entry, ServerMsg};
use common::{Device, PATIENCE, POSTGRES_VAR, Relay, TestStore, customer_changes};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

/// The first instance (in this process) on a fresh database, or None when no
/// server is configured.
async fn first_instance(test: &str) -> Option<Relay> {
    if std::env::var(POSTGRES_VAR).is_err() {
        eprintln!("skipped {test}: set {POSTGRES_VAR} to a postgres:// URL to run it");
        return None;
    }
    let relay = Relay::start().await;
    assert!(relay.store.url.is_some(), "a PostgreSQL store");
    Some(relay)
}

/// A second instance on the same database: the real binary, given the URL
/// with `--store`. Killed when dropped.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    fn start(store: &TestStore) -> Process {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--store"])
            .arg(store.url.as_deref().expect("a PostgreSQL store"))
            .arg("--static-dir")
            .arg(dir.path().join("no-dist"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn campo-relay");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("campo-relay listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Process {
            child,
            url: format!("ws://{addr}/ws"),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads live messages until `upto`, returning the entries; asserts upto only
/// grows and no seq comes twice.
async fn live_until(device: &mut Device, upto: Seq) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut last = Seq(0);
    while last < upto {
        match device.recv().await {
            ServerMsg::Changes {
                entries: e,
                upto: u,
                more: false,
            } => {
                assert!(u > last, "upto only grows ({last:?} then {u:?})");
                for entry in &e {
                    assert!(entry.seq > last && entry.seq <= u, "in order, once");
                }
                entries.extend(e);
                last = u;
            }
            other => panic!("expected live Changes, got {other:?}"),
        }
    }
    assert_eq!(last, upto, "the cursor lands on the head");
    entries
}

#[tokio::test]
async fn a_device_on_one_instance_hears_live_what_a_device_on_the_other_pushed() {
    let Some(a) = first_instance("live across instances").await else {
        return;
    };
    let b = Process::start(&a.store);
    let anna = a.token("acme", "Anna");
    let ben = a.token("acme", "Ben");

    // Anna's phone is on instance A, Ben's laptop on instance B.
    let (mut phone, _) = Device::sign_in(&a.ws_url(), 1, "acme", &anna, Seq(0)).await;
    phone.catch_up().await;
    let (mut laptop, _) = Device::sign_in(&b.url, 2, "acme", &ben, Seq(0)).await;
    laptop.catch_up().await;

    // Anna pushes through A; Ben receives it live through B, numbered 1 and 2.
    let changes = customer_changes(1, "Anna", 2);
    phone.push(1, changes.clone()).await;
    phone.expect_echo(Seq(2)).await;
    let got = live_until(&mut laptop, Seq(2)).await;
    assert_eq!(
        got.iter()
            .map(|e| (e.seq, e.bytes.clone()))
            .collect::<Vec<_>>(),
        vec![
            (Seq(1), changes[0].bytes.clone()),
            (Seq(2), changes[1].bytes.clone())
        ]
    );

    // Ben answers through B; Anna receives it through A, numbered 3.
    let reply = customer_changes(2, "Ben", 1);
    laptop.push(1, reply.clone()).await;
    laptop.expect_echo(Seq(3)).await;
    let got = live_until(&mut phone, Seq(3)).await;
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].seq, &got[0].bytes), (Seq(3), &reply[0].bytes));

    // Nothing arrives twice: the notification of a device's own instance's
    // commit adds nothing there.
    phone.expect_nothing(Duration::from_millis(300)).await;
    laptop.expect_nothing(Duration::from_millis(300)).await;
    assert_eq!(a.head("acme"), Seq(3));
}

#[tokio::test]
async fn concurrent_pushes_to_both_instances_get_contiguous_seqs() {
    let Some(a) = first_instance("concurrent pushes").await else {
        return;
    };
    let b = Relay::start_on(&a.store).await;
    let token = a.token("acme", "Anna");

    // Three devices on each instance push 10 batches of 2 changes each, all
    // at once; each device also hears everybody else's entries live.
    const DEVICES: u8 = 6;
    const BATCHES: u8 = 10;
    let total = u64::from(DEVICES) * u64::from(BATCHES) * 2;
    // Everyone is online before the first push, so all of it arrives live.
    let mut devices = Vec::new();
    for d in 1..=DEVICES {
        let url = if d % 2 == 0 { a.ws_url() } else { b.ws_url() };
        let (mut device, head) = Device::sign_in(&url, d, "acme", &token, Seq(0)).await;
        assert_eq!(head, Seq(0));
        device.catch_up().await;
        devices.push((d, device));
    }
    let mut tasks = Vec::new();
    for (d, mut device) in devices {
        tasks.push(tokio::spawn(async move {
            let mut mine: Vec<DocChange> = Vec::new();
            for i in 0..BATCHES {
                let changes = customer_changes(d * 20 + i, "Anna", 2);
                device.push(u64::from(i), changes.clone()).await;
                mine.extend(changes);
            }
            // Everything up to the final head arrives live, once, in order;
            // this device's own entries only move its cursor.
            let heard = live_until(&mut device, Seq(total)).await;
            (mine, heard)
        }));
    }
    let mut pushed: BTreeMap<Vec<u8>, u8> = BTreeMap::new();
    let mut heard_by: Vec<(u8, Vec<Entry>)> = Vec::new();
    for (d, task) in (1..=DEVICES).zip(tasks) {
        let (mine, heard) = tokio::time::timeout(PATIENCE * 3, task)
            .await
            .expect("the pushes finish")
            .expect("the device task");
        for c in mine {
            assert!(pushed.insert(c.bytes, d).is_none(), "distinct changes");
        }
        heard_by.push((d, heard));
    }
    assert_eq!(a.head("acme"), Seq(total));
    assert_eq!(b.head("acme"), Seq(total));

    // A fresh device reads the whole log: contiguous from 1, every change once.
    let (mut fresh, head) = Device::sign_in(&a.ws_url(), 99, "acme", &token, Seq(0)).await;
    assert_eq!(head, Seq(total));
    let (log, upto, _) = fresh.catch_up().await;
    assert_eq!(upto, Seq(total));
    assert_eq!(
        log.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>(),
        "contiguous, once each"
    );
    let mut stored: BTreeMap<Vec<u8>, Seq> = BTreeMap::new();
    for e in &log {
        stored.insert(e.bytes.clone(), e.seq);
    }
    assert_eq!(stored.len(), pushed.len());
    assert!(pushed.keys().all(|k| stored.contains_key(k)));

    // Each device heard exactly the others' entries, whichever instance took them.
    for (d, heard) in heard_by {
        let want: Vec<Seq> = log
            .iter()
            .filter(|e| pushed[&e.bytes] != d)
            .map(|e| e.seq)
            .collect();
        assert_eq!(
            heard.iter().map(|e| e.seq).collect::<Vec<_>>(),
            want,
            "device {d}"
        );
    }
}

#[tokio::test]
async fn a_device_catches_up_through_either_instance() {
    let Some(a) = first_instance("catch-up through either instance").await else {
        return;
    };
    let b = Process::start(&a.store);
    let token = a.token("acme", "Anna");

    // Pushes go through both instances, with nobody else online.
    let (mut one, _) = Device::sign_in(&a.ws_url(), 1, "acme", &token, Seq(0)).await;
    one.catch_up().await;
    let (mut two, _) = Device::sign_in(&b.url, 2, "acme", &token, Seq(0)).await;
    two.catch_up().await;
    for i in 0..5u8 {
        one.push(u64::from(i), customer_changes(i, "Anna", 3)).await;
        two.push(u64::from(i), customer_changes(50 + i, "Anna", 3))
            .await;
    }
    one.close().await;
    two.close().await;

    // A new device reads the same log through A and through B, and one that
    // has the first 10 reads only the rest.
    let (mut via_a, head) = Device::sign_in(&a.ws_url(), 3, "acme", &token, Seq(0)).await;
    assert_eq!(head, Seq(30));
    let (log_a, _, _) = via_a.catch_up().await;
    let (mut via_b, head) = Device::sign_in(&b.url, 4, "acme", &token, Seq(0)).await;
    assert_eq!(head, Seq(30));
    let (log_b, _, _) = via_b.catch_up().await;
    assert_eq!(log_a, log_b);
    assert_eq!(
        log_a.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=30).collect::<Vec<_>>()
    );
    let (mut later, _) = Device::sign_in(&b.url, 5, "acme", &token, Seq(10)).await;
    let (rest, upto, _) = later.catch_up().await;
    assert_eq!(upto, Seq(30));
    assert_eq!(rest, log_a[10..].to_vec());
}

#[tokio::test]
async fn an_instance_that_lost_its_notifications_catches_up_after_reconnecting() {
    let Some(a) = first_instance("notification connection lost").await else {
        return;
    };
    let b = Relay::start_on(&a.store).await;
    let token = a.token("acme", "Anna");
    let (mut listener, _) = Device::sign_in(&a.ws_url(), 1, "acme", &token, Seq(0)).await;
    listener.catch_up().await;
    let (mut pusher, _) = Device::sign_in(&b.ws_url(), 2, "acme", &token, Seq(0)).await;
    pusher.catch_up().await;

    // The database ends every instance's LISTEN connection (as a failover or
    // a network cut would), and B commits while A is not listening: that
    // notification is lost for A.
    let url = a.store.url.clone().expect("a PostgreSQL store");
    let ended = terminate_listeners(&url).await;
    assert_eq!(ended, 2, "one listening connection per instance");
    let changes = customer_changes(1, "Anna", 2);
    pusher.push(1, changes.clone()).await;

    // A reconnects, reads what it missed from the store, and its device gets
    // the entries live, once, in order.
    let got = live_until(&mut listener, Seq(2)).await;
    assert_eq!(
        got.iter().map(|e| e.bytes.clone()).collect::<Vec<_>>(),
        changes.iter().map(|c| c.bytes.clone()).collect::<Vec<_>>()
    );

    // And live delivery goes on as before.
    let more = customer_changes(2, "Anna", 1);
    pusher.push(2, more.clone()).await;
    let got = live_until(&mut listener, Seq(3)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes, more[0].bytes);
    listener.expect_nothing(Duration::from_millis(300)).await;
}

/// Ends the connections of `url`'s database that are listening for commits;
/// returns how many.
async fn terminate_listeners(url: &str) -> usize {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN %'
               AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("terminate the listeners");
    rows.len()
}
