//! Scenario: a device stops reading for good (its app froze, or its network
//! vanished without a close) while its team pushes megabytes. The relay's
//! writes to it fill the socket buffers and wait. Once one has waited the idle
//! timeout, the relay ends that session (with no farewell: it could not be
//! written either) instead of holding it, and its shutdown, on a write that may
//! never finish. The other devices are served throughout; the dropped device
//! reconnects and catches up from its cursor like after any lost connection.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ServerMsg;
use campo_relay::limits::Limits;
use common::{Device, Relay, big_change};
use std::time::Duration;

/// Pushed in all: about 6 MB, well above what loopback socket buffers hold.
const PUSHES: u8 = 40;
const IDLE: Duration = Duration::from_millis(800);

#[tokio::test]
async fn a_device_that_reads_nothing_is_dropped_once_a_write_has_waited_the_idle_timeout() {
    let relay = Relay::start_limited(Limits {
        ping_interval: Duration::from_millis(200),
        idle_timeout: IDLE,
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();
    let (mut pusher, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    pusher.catch_up().await;
    let (mut reader, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    reader.catch_up().await;
    let (mut stuck, _) = Device::sign_in(&url, 3, "acme", &anna, Seq(0)).await;

    // The stuck device reads nothing from here on; the reading one gets each
    // push as it is acknowledged.
    for i in 1..=PUSHES {
        pusher
            .push(u64::from(i), vec![big_change(u64::from(i))])
            .await;
        match reader.recv().await {
            ServerMsg::Changes { upto, .. } => assert_eq!(upto, Seq(u64::from(i))),
            other => panic!("expected live Changes, got {other:?}"),
        }
    }
    // The team goes on, long enough for the blocked write to pass the idle
    // timeout; the two reading devices answer the relay's pings meanwhile.
    let until = tokio::time::Instant::now() + IDLE * 3;
    let mut doc = 150u8;
    while tokio::time::Instant::now() < until {
        doc += 1;
        pusher
            .push(u64::from(doc), common::customer_changes(doc, "Anna", 1))
            .await;
        assert!(matches!(reader.recv().await, ServerMsg::Changes { .. }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // What the stuck device finds when it reads again: the frames that were in
    // the buffers, then the end of the connection, short of the head.
    let upto = stuck
        .read_to_end_within(Duration::from_secs(20))
        .await
        .expect("the relay still holds the stuck session");
    assert!(
        upto < Seq(u64::from(PUSHES)),
        "the stuck device was sent everything ({upto:?}), so no write ever waited"
    );

    // A new session catches the device up from where it was cut.
    let (mut again, _) = Device::sign_in(&url, 3, "acme", &anna, upto).await;
    let (entries, head, _) = again.catch_up().await;
    assert_eq!(head, relay.head("acme"));
    assert_eq!(entries.first().map(|e| e.seq), Some(Seq(upto.0 + 1)));
}
