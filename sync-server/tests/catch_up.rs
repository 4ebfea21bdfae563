//! Scenario: a device goes offline, the team keeps working, the device comes
//! back with its cursor and receives only what it missed; a new device receives
//! the whole log, in order, in chunks when it is large.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::{CHUNK_TARGET_BYTES, MAX_FRAME_BYTES, ServerMsg};
use common::{Device, Relay, bulky_customer, customer_changes};

#[tokio::test]
async fn a_returning_device_receives_only_what_it_missed() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let url = relay.ws_url();

    // Step 1: both online; Ben pushes a customer of his own, Anna one of hers.
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(0)).await;
    b.catch_up().await;
    b.push(1, customer_changes(10, "Ben", 2)).await; // seqs 1, 2
    b.expect_echo(Seq(2)).await;
    let (from_ben, _, _) = a.catch_up().await; // the live message
    assert_eq!(from_ben.len(), 2);
    a.push(1, customer_changes(11, "Anna", 1)).await; // seq 3
    a.expect_echo(Seq(3)).await;
    let (seen, ben_cursor, _) = b.catch_up().await;
    assert_eq!((seen.len(), ben_cursor), (1, Seq(3)));

    // Step 2: Ben goes offline; Anna keeps working.
    b.close().await;
    let missed = customer_changes(12, "Anna", 4);
    a.push(2, missed.clone()).await; // seqs 4..=7
    a.expect_echo(Seq(7)).await;

    // Step 3: Ben returns with cursor 3 and receives exactly seqs 4..=7.
    let (mut b, head) = Device::sign_in(&url, 2, "acme", &ben, ben_cursor).await;
    assert_eq!(head, Seq(7));
    let (entries, upto, _) = b.catch_up().await;
    assert_eq!(upto, Seq(7));
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        vec![4, 5, 6, 7]
    );
    assert_eq!(
        entries.iter().map(|e| e.bytes.clone()).collect::<Vec<_>>(),
        missed.iter().map(|c| c.bytes.clone()).collect::<Vec<_>>()
    );

    // Step 4: Ben had a cursor of 1 (he stored only the first entry): his own
    // seq 2 is not echoed, Anna's seq 3 onwards is sent, and upto still reaches 7.
    b.close().await;
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(1)).await;
    let (entries, upto, _) = b.catch_up().await;
    assert_eq!(upto, Seq(7));
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        vec![3, 4, 5, 6, 7]
    );

    // Step 5: a cursor beyond the head (the relay was reset) gets the whole log,
    // own entries included.
    b.close().await;
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(99)).await;
    let (entries, upto, _) = b.catch_up().await;
    assert_eq!(upto, Seq(7));
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=7).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_new_device_receives_a_large_log_in_ordered_chunks() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();

    // Anna pushes 40 customers with 20,000 characters of notes each: more than
    // one chunk's worth.
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    let bulky: Vec<_> = (0..40).map(|i| bulky_customer(i, 20_000)).collect();
    let total: usize = bulky.iter().map(|c| c.bytes.len()).sum();
    assert!(
        total > 2 * CHUNK_TARGET_BYTES,
        "the log must need several chunks ({total} bytes)"
    );
    for (i, pair) in bulky.chunks(2).enumerate() {
        a.push(i as u64, pair.to_vec()).await;
    }

    // A fresh device of Anna's (cursor 0) receives everything, in order, in
    // several chunks, every frame under the frame limit.
    let mut fresh = Device::open(&url, 9).await;
    fresh.hello("acme", &anna, Seq(0)).await;
    assert!(matches!(
        fresh.recv().await,
        ServerMsg::Welcome { head: Seq(40), .. }
    ));
    let mut entries = Vec::new();
    let mut chunks = 0;
    loop {
        let msg = fresh.recv().await;
        assert!(msg.encode().len() <= MAX_FRAME_BYTES);
        let ServerMsg::Changes {
            entries: e,
            upto,
            more,
        } = msg
        else {
            panic!("expected Changes");
        };
        chunks += 1;
        assert_eq!(
            e.last().map(|x| x.seq),
            Some(upto),
            "each chunk's upto is its last entry"
        );
        entries.extend(e);
        if !more {
            break;
        }
    }
    assert!(chunks >= 3, "expected several chunks, got {chunks}");
    assert_eq!(
        entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>()
    );
    for (e, c) in entries.iter().zip(&bulky) {
        assert_eq!((e.doc, &e.bytes), (c.doc, &c.bytes));
    }
}
