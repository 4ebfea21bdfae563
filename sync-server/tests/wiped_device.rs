//! Scenario: two reps' devices sync a book; then one device's storage is wiped
//! (cleared site data, a new browser profile). It starts again with nothing —
//! cursor 0, no records, a new device id, as a new IndexedDB database has — and
//! rebuilds everything from the relay, ending with the same records as the
//! other device, and keeps syncing.
//!
//! With a log past the compaction threshold it takes the snapshot path the app
//! takes: `GET /api/teams/{team}/snapshot`, the saved documents loaded as they
//! are, then Hello with the snapshot's mark and only the tail from the log.
//! With a short log (no snapshot yet, 204) it reads the whole log from seq 1,
//! its own old entries included.

mod common;
mod replica;

use campo_core::ids::{DeviceId, Seq};
use campo_core::record::RecordDoc;
use campo_core::seed::Rng;
use campo_core::snapshot::SnapshotReader;
use campo_relay::snapshot::COMPACT_AFTER_ENTRIES;
use common::Relay;
use replica::Replica;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NOW_MS: i64 = 1_780_000_000_000;

/// An HTTP/1.0 GET of the team's snapshot with the device's token: the status
/// and the body (not chunked; it ends when the relay closes).
async fn get_snapshot(addr: SocketAddr, token: &str) -> (u16, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /api/teams/acme/snapshot HTTP/1.0\r\nHost: {addr}\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the head");
    let status = String::from_utf8_lossy(&raw[9..12])
        .parse()
        .expect("a status");
    (status, raw[split + 4..].to_vec())
}

/// What the app does with nothing stored: the team's snapshot when the relay
/// has one (its documents stored as they are, the cursor at its mark), else
/// nothing and cursor 0. Returns the device and the mark it starts from.
async fn fresh_device(relay: &Relay, token: &str, device: DeviceId, rep: &str) -> (Replica, Seq) {
    let (status, body) = get_snapshot(relay.addr, token).await;
    match status {
        204 => (Replica::new("acme", token, device, rep), Seq(0)),
        200 => {
            let mut reader = SnapshotReader::new();
            // The body arrives in pieces; feed it as such.
            let mut docs = BTreeMap::new();
            for piece in body.chunks(7_000) {
                for d in reader.feed(piece).expect("a well-formed snapshot") {
                    let doc = RecordDoc::load(d.id, &d.saved).expect("a saved document");
                    assert!(docs.insert(d.id, doc).is_none(), "a document twice");
                }
            }
            let header = reader.finish().expect("a complete snapshot").clone();
            assert_eq!(header.team, "acme");
            // The count is the snapshot's size when the stream began; a
            // compaction meanwhile may add documents.
            assert!(header.docs <= docs.len() as u64);
            let mark = header.upto;
            let r = Replica::restored("acme", token, device, rep, mark, docs);
            (r, mark)
        }
        other => panic!("snapshot: HTTP {other}"),
    }
}

/// `n` changes made offline, then delivered; returns when the device is live
/// with an empty outbox, disconnected again.
async fn write(relay: &Relay, r: &mut Replica, rng: &mut Rng, n: usize, clock: &mut i64) {
    // An edit that changes nothing (the value it already had) makes no change.
    let target = r.made.len() + n;
    while r.made.len() < target {
        *clock += 60_000;
        r.random_edit(None, rng, *clock).await.expect("offline");
    }
    let link = r.sync_to(&relay.ws_url(), Seq(0)).await;
    r.disconnect(link).await;
}

/// Both devices catch up to the relay's head.
async fn catch_up(relay: &Relay, devices: &mut [&mut Replica]) {
    let head = relay.head("acme");
    for r in devices.iter_mut() {
        let link = r.sync_to(&relay.ws_url(), head).await;
        r.disconnect(link).await;
    }
}

#[tokio::test]
async fn a_wiped_device_rebuilds_from_the_snapshot_and_the_tail() {
    let relay = Relay::start().await;
    let anna_token = relay.token("acme", "Anna");
    let bruno_token = relay.token("acme", "Bruno");
    let mut anna = Replica::new("acme", &anna_token, DeviceId([1; 16]), "Anna");
    let mut bruno = Replica::new("acme", &bruno_token, DeviceId([2; 16]), "Bruno");
    let mut rng = Rng::new(6);
    let mut clock = NOW_MS;

    // A book of more entries than the compaction threshold, written by both.
    let half = COMPACT_AFTER_ENTRIES as usize / 2 + 50;
    write(&relay, &mut anna, &mut rng, half, &mut clock).await;
    catch_up(&relay, &mut [&mut bruno]).await;
    write(&relay, &mut bruno, &mut rng, half, &mut clock).await;
    assert!(relay.head("acme").0 > COMPACT_AFTER_ENTRIES);

    // The relay's compactor folds the log into a snapshot in the background.
    let give_up = Instant::now() + Duration::from_secs(60);
    while get_snapshot(relay.addr, &anna_token).await.0 != 200 {
        assert!(Instant::now() < give_up, "no snapshot within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // More edits after it, Bruno's among them: the tail a fresh device reads
    // from the log.
    write(&relay, &mut anna, &mut rng, 30, &mut clock).await;
    catch_up(&relay, &mut [&mut bruno]).await;
    write(&relay, &mut bruno, &mut rng, 20, &mut clock).await;
    catch_up(&relay, &mut [&mut anna, &mut bruno]).await;
    let head = relay.head("acme");
    let before = bruno.read_all();
    assert_eq!(anna.read_all(), before);

    // Bruno's storage is wiped: a new database, so a new device id.
    drop(bruno);
    let (mut rebuilt, mark) = fresh_device(&relay, &bruno_token, DeviceId([3; 16]), "Bruno").await;
    assert!(
        mark > Seq(0) && mark < head,
        "the snapshot's mark {mark:?} is before the head {head:?}"
    );
    let link = rebuilt.sync_to(&relay.ws_url(), head).await;
    rebuilt.disconnect(link).await;
    assert!(
        rebuilt
            .received
            .keys()
            .copied()
            .eq((mark.0 + 1..=head.0).map(Seq)),
        "from the log, exactly the entries after the mark"
    );
    let rebuilt_book = rebuilt.read_all();
    assert_eq!(rebuilt_book.len(), before.len());
    assert!(
        rebuilt_book == before,
        "the rebuilt device reads the same book"
    );

    // It keeps working: an edit from it reaches Anna, and they still agree.
    write(&relay, &mut rebuilt, &mut rng, 5, &mut clock).await;
    catch_up(&relay, &mut [&mut anna, &mut rebuilt]).await;
    assert!(anna.read_all() == rebuilt.read_all());
}

#[tokio::test]
async fn a_wiped_device_rebuilds_from_the_whole_log_when_there_is_no_snapshot() {
    let relay = Relay::start().await;
    let anna_token = relay.token("acme", "Anna");
    let bruno_token = relay.token("acme", "Bruno");
    let mut anna = Replica::new("acme", &anna_token, DeviceId([1; 16]), "Anna");
    let mut bruno = Replica::new("acme", &bruno_token, DeviceId([2; 16]), "Bruno");
    let mut rng = Rng::new(7);
    let mut clock = NOW_MS;

    write(&relay, &mut anna, &mut rng, 60, &mut clock).await;
    catch_up(&relay, &mut [&mut bruno]).await;
    write(&relay, &mut bruno, &mut rng, 40, &mut clock).await;
    catch_up(&relay, &mut [&mut anna, &mut bruno]).await;
    let head = relay.head("acme");
    let before = bruno.read_all();
    let own = bruno.made.len();
    drop(bruno);

    // No snapshot yet (the log is short): the device starts from cursor 0. Even
    // with its old device id it receives every entry, its own included.
    let (mut rebuilt, mark) = fresh_device(&relay, &bruno_token, DeviceId([2; 16]), "Bruno").await;
    assert_eq!(mark, Seq(0), "no snapshot for a short log");
    let link = rebuilt.sync_to(&relay.ws_url(), head).await;
    rebuilt.disconnect(link).await;
    assert!(
        rebuilt.received.keys().copied().eq((1..=head.0).map(Seq)),
        "every entry from seq 1, the {own} it once wrote among them"
    );
    assert!(
        rebuilt.read_all() == before,
        "the same book as before the wipe"
    );
    assert!(anna.read_all() == before);

    write(&relay, &mut rebuilt, &mut rng, 5, &mut clock).await;
    catch_up(&relay, &mut [&mut anna, &mut rebuilt]).await;
    assert!(anna.read_all() == rebuilt.read_all());
}
