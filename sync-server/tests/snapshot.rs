//! Scenario: a team's log grows past the compaction threshold; the relay folds
//! it into a snapshot, and a fresh device fetches the whole book in one response
//! — every document equal to what the log makes, every summary equal to what a
//! device would compute — then asks the log only for what follows the mark.
//! Without a token of the team the snapshot is refused.

mod common;

use campo_core::ids::{DocId, Seq};
use campo_core::protocol::DocChange;
use campo_core::record::RecordDoc;
use campo_core::snapshot::{SnapshotDoc, SnapshotHeader, SnapshotReader};
use campo_core::summary::{SUMMARY_FORMAT, Summary};
use campo_relay::names::Team;
use campo_relay::snapshot::{COMPACT_AFTER_ENTRIES, compact};
use common::{Device, Relay, customer_changes};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// An HTTP/1.0 GET: the reply is not chunked and ends when the relay closes.
async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the head");
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head[9..12].parse().expect("a status");
    Reply {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

fn snapshot_path(team: &str) -> String {
    format!("/api/teams/{team}/snapshot")
}

async fn fetch(relay: &Relay, team: &str, token: &str) -> Reply {
    let auth = format!("Bearer {token}");
    get(
        relay.addr,
        &snapshot_path(team),
        &[("Authorization", auth.as_str())],
    )
    .await
}

fn read_stream(body: &[u8]) -> (SnapshotHeader, Vec<SnapshotDoc>) {
    let mut reader = SnapshotReader::new();
    let docs = reader.feed(body).expect("a well-formed stream");
    (reader.finish().expect("a complete stream").clone(), docs)
}

/// Folds the team's log up to its head into the snapshot now; returns the mark.
async fn compact_now(relay: &Relay, team: &str) -> Seq {
    let team = Team::parse(team).unwrap();
    let store = relay.state.store.clone();
    let head = relay.head(team.as_str());
    tokio::task::spawn_blocking(move || compact(&*store, &team, head))
        .await
        .unwrap()
        .expect("compact")
}

/// Pushes `docs` customers of `edits` changes each; returns every change.
async fn fill(relay: &Relay, token: &str, docs: u8, edits: usize) -> Vec<DocChange> {
    let (mut device, _) = Device::sign_in(&relay.ws_url(), 1, "acme", token, Seq(0)).await;
    let mut all = Vec::new();
    for d in 0..docs {
        let changes = customer_changes(d + 1, "Anna", edits);
        all.extend(changes.iter().cloned());
        device.push(u64::from(d), changes).await;
    }
    device.close().await;
    all
}

#[tokio::test]
async fn a_fresh_device_gets_the_whole_book_in_one_response_then_only_the_tail() {
    let relay = Relay::start().await;
    let token = relay.token("acme", "Anna");

    // A small log has no snapshot yet: the device reads the log.
    fill(&relay, &token, 1, 10).await;
    assert_eq!(fetch(&relay, "acme", &token).await.status, 204);

    // Past the threshold, the compactor folds the log into a snapshot.
    let per_doc = 60;
    let docs = (COMPACT_AFTER_ENTRIES as usize / per_doc + 2) as u8;
    let mut changes = customer_changes(1, "Anna", 10);
    changes.extend(
        fill(&relay, &token, docs, per_doc)
            .await
            .into_iter()
            .filter(|c| c.doc != DocId([1; 16])),
    );
    let head = relay.head("acme");
    let deadline = Instant::now() + Duration::from_secs(30);
    let reply = loop {
        let reply = fetch(&relay, "acme", &token).await;
        if reply.status == 200 || Instant::now() > deadline {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(reply.status, 200, "the compactor made a snapshot");
    assert!(
        reply.head.contains("cache-control: no-store"),
        "{}",
        reply.head
    );
    let (header, snap) = read_stream(&reply.body);
    assert_eq!(header.team, "acme");
    assert_eq!(header.summary_format, SUMMARY_FORMAT);
    assert!(header.upto > Seq(0) && header.upto <= head);
    // The count is the size when the stream began; a compaction may add to it.
    assert!(header.docs > 0 && header.docs <= snap.len() as u64);

    // Every document of the snapshot is what the log makes of it, as of the mark.
    let mut from_log: HashMap<DocId, RecordDoc> = HashMap::new();
    let (mut reader, _) = Device::sign_in(&relay.ws_url(), 2, "acme", &token, Seq(0)).await;
    let (entries, _, _) = reader.catch_up().await;
    for e in entries.iter().filter(|e| e.seq <= header.upto) {
        from_log
            .entry(e.doc)
            .or_insert_with(|| RecordDoc::empty(e.doc))
            .apply(&e.bytes)
            .expect("a change of the log applies");
    }
    assert_eq!(snap.len(), from_log.len());
    for d in &snap {
        let mut loaded = RecordDoc::load(d.id, &d.saved).expect("a saved document");
        let expected = from_log
            .get_mut(&d.id)
            .expect("a document of the log")
            .read();
        assert_eq!(loaded.read(), expected);
        assert_eq!(
            Summary::decode(&d.summary).ok(),
            Summary::of(&expected),
            "the summary is the device's own"
        );
    }
    // The documents are in id order (the stream pages by id).
    assert!(snap.windows(2).all(|w| w[0].id < w[1].id));

    // The saved documents weigh less than the raw changes they hold.
    let saved: usize = snap.iter().map(|d| d.saved.len()).sum();
    let raw: usize = changes.iter().map(|c| c.bytes.len()).sum();
    assert!(saved < raw, "saved {saved} B, raw changes {raw} B");

    // From the mark, the log sends only what follows it.
    let (mut fresh, _) = Device::sign_in(&relay.ws_url(), 3, "acme", &token, header.upto).await;
    let (tail, upto, _) = fresh.catch_up().await;
    assert_eq!(upto, head);
    assert_eq!(tail.len() as u64, head.0 - header.upto.0);
    assert!(tail.iter().all(|e| e.seq > header.upto));
}

#[tokio::test]
async fn the_snapshot_is_compressed_when_the_client_accepts_it() {
    let relay = Relay::start().await;
    let token = relay.token("acme", "Anna");
    fill(&relay, &token, 1, 10).await;
    compact_now(&relay, "acme").await;
    let auth = format!("Bearer {token}");
    for (accept, encoding) in [("br", "br"), ("gzip", "gzip")] {
        let reply = get(
            relay.addr,
            &snapshot_path("acme"),
            &[
                ("Authorization", auth.as_str()),
                ("Accept-Encoding", accept),
            ],
        )
        .await;
        assert_eq!(reply.status, 200);
        assert!(
            reply
                .head
                .contains(&format!("content-encoding: {encoding}")),
            "{}",
            reply.head
        );
    }
}

#[tokio::test]
async fn compacting_again_folds_in_only_what_is_new_and_keeps_every_document() {
    let relay = Relay::start().await;
    let token = relay.token("acme", "Anna");
    let pushed = fill(&relay, &token, 3, 5).await;
    let first = relay.head("acme");
    assert_eq!(compact_now(&relay, "acme").await, first);

    // A second rep edits one of the customers; only that document changes.
    let mut doc = RecordDoc::empty(DocId([2; 16]));
    for c in pushed.iter().filter(|c| c.doc == DocId([2; 16])) {
        doc.apply(&c.bytes).unwrap();
    }
    let bruno = relay.token("acme", "Bruno");
    let (mut device, _) = Device::sign_in(&relay.ws_url(), 9, "acme", &bruno, first).await;
    let edit = doc
        .edit(
            &campo_core::record::Stamp {
                rep: "Bruno",
                now_ms: 1_700_000_100_000,
            },
            &[campo_core::record::Edit::Set("city".into(), "Lecce".into())],
        )
        .unwrap();
    device
        .push(
            1,
            edit.into_iter()
                .map(|bytes| DocChange {
                    doc: DocId([2; 16]),
                    bytes,
                })
                .collect(),
        )
        .await;
    let second = relay.head("acme");
    assert!(second > first);
    let before = fetch(&relay, "acme", &token).await;
    assert_eq!(compact_now(&relay, "acme").await, second);
    let after = fetch(&relay, "acme", &token).await;
    let (h1, d1) = read_stream(&before.body);
    let (h2, d2) = read_stream(&after.body);
    assert_eq!((h1.upto, h2.upto), (first, second));
    assert_eq!(d1.len(), 3);
    assert_eq!(d2.len(), 3);
    for (a, b) in d1.iter().zip(&d2) {
        assert_eq!(a.id, b.id);
        if a.id == DocId([2; 16]) {
            let r = RecordDoc::load(b.id, &b.saved).unwrap().read();
            assert_eq!(r.text("city"), "Lecce");
            assert_ne!(a.saved, b.saved);
        } else {
            assert_eq!(a, b, "an untouched document is not rewritten");
        }
    }
}

#[tokio::test]
async fn only_a_token_of_the_team_gets_its_snapshot() {
    let relay = Relay::start().await;
    let acme = relay.token("acme", "Anna");
    let other = relay.token("zeta", "Zoe");
    fill(&relay, &acme, 1, 3).await;
    compact_now(&relay, "acme").await;
    assert_eq!(fetch(&relay, "acme", &acme).await.status, 200);

    let refused = [
        (get(relay.addr, &snapshot_path("acme"), &[]).await, 401),
        (fetch(&relay, "acme", "campo_not-a-real-token").await, 401),
        (fetch(&relay, "acme", &other).await, 403),
        (fetch(&relay, "Not-A-Team", &acme).await, 400),
    ];
    for (reply, status) in refused {
        assert_eq!(reply.status, status, "{}", reply.head);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("a JSON error");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(!reply.body.windows(8).any(|w| w == b"CAMPOSN1"));
    }
    // A revoked token is refused too.
    campo_relay::auth::revoke(&*relay.state.store, &Team::parse("acme").unwrap(), "Anna").unwrap();
    assert_eq!(fetch(&relay, "acme", &acme).await.status, 401);
}
