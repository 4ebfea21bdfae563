//! Scenario: one device stops reading while its team pushes megabytes. Its
//! session falls behind the team's broadcast (which holds only a few groups
//! here); the other devices are not slowed, and when the slow device reads again
//! it receives every entry exactly once, in order, re-read from the store.

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use campo_core::ids::{DocId, Seq};
use campo_core::protocol::{DocChange, MAX_CHANGE_BYTES, ServerMsg};
use campo_relay::hub::Hub;
use common::{Device, Relay};

/// Total pushed; well above what loopback socket buffers hold, so the slow
/// session blocks on its socket and its broadcast receiver lags.
const PUSHES: u64 = 50;

/// A real Automerge change of about 150 KB (an incompressible string).
fn big_change(i: u64) -> DocChange {
    let mut state = (i as u32).wrapping_mul(2_654_435_761).wrapping_add(1);
    let text: String = (0..200_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "blob", text).expect("put");
    doc.commit();
    let bytes = doc
        .get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec();
    assert!(bytes.len() <= MAX_CHANGE_BYTES);
    DocChange {
        doc: DocId([i as u8; 16]),
        bytes,
    }
}

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
