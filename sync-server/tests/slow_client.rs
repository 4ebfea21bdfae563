//! Scenario: one device stops reading while its team pushes megabytes. Its
//! session falls behind the team's broadcast (which holds only a few groups
//! here); the other devices are not slowed, and when the slow device reads again
//! it receives every entry exactly once, in order, re-read from the store.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ServerMsg;
use campo_relay::hub::Hub;
use common::{Device, Relay, big_change};

/// Total pushed; well above what loopback socket buffers hold, so the slow
/// session blocks on its socket and its broadcast receiver lags.
const PUSHES: u64 = 50;

#[tokio::test]
async fn a_slow_device_lags_without_stalling_others_or_losing_entries() {
    let relay = Relay::start_with(tempfile::tempdir().unwrap(), None, Hub::with_capacity(2)).await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();

    // Three devices: the pusher, a device that keeps reading, a device that stops.
    let (mut pusher, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    pusher.catch_up().await;
    let (mut reader, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    reader.catch_up().await;
    let (mut slow, _) = Device::sign_in(&url, 3, "acme", &anna, Seq(0)).await;
    slow.catch_up().await;

    // The pusher sends one big change per batch; the reading device receives
    // each one right after its Ack, however far behind the slow device is.
    for i in 1..=PUSHES {
        pusher.push(i, vec![big_change(i)]).await;
        match reader.recv().await {
            ServerMsg::Changes {
                entries,
                upto,
                more: false,
            } => {
                assert_eq!(upto, Seq(i));
                assert_eq!(
                    entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
                    vec![Seq(i)]
                );
            }
            other => panic!("expected live Changes, got {other:?}"),
        }
    }

    // The slow device now reads: every entry once, in order, nothing skipped.
    let mut seqs = Vec::new();
    let mut last_upto = Seq(0);
    while last_upto < Seq(PUSHES) {
        match slow.recv().await {
            ServerMsg::Changes {
                entries,
                upto,
                more: false,
            } => {
                assert!(upto > last_upto, "upto only grows");
                seqs.extend(entries.iter().map(|e| e.seq.0));
                last_upto = upto;
            }
            other => panic!("expected live Changes, got {other:?}"),
        }
    }
    assert_eq!(seqs, (1..=PUSHES).collect::<Vec<_>>());
}
