//! Scenario: two devices of one team are online; one pushes, the other receives
//! the entry at once; a device of another team hears nothing.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ServerMsg;
use common::{Device, Relay, customer_changes};
use std::time::Duration;

#[tokio::test]
async fn a_push_reaches_the_team_and_only_the_team() {
    // A relay with two teams: Anna and Ben in acme, Carla in globex.
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let carla = relay.token("globex", "Carla");
    let url = relay.ws_url();

    // Everyone signs in with an empty log: Welcome with head 0, then an empty
    // final catch-up chunk.
    let (mut a, head) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    assert_eq!(head, Seq(0));
    assert_eq!(a.catch_up().await, (vec![], Seq(0), 1));
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(0)).await;
    assert_eq!(b.catch_up().await.0, vec![]);
    let (mut c, _) = Device::sign_in(&url, 3, "globex", &carla, Seq(0)).await;
    assert_eq!(c.catch_up().await.0, vec![]);

    // Anna creates a customer and edits it; the push is acknowledged.
    let changes = customer_changes(1, "Anna", 2);
    a.push(7, changes.clone()).await;

    // Ben receives both entries in one live message, numbered 1 and 2.
    match b.recv().await {
        ServerMsg::Changes {
            entries,
            upto,
            more,
        } => {
            assert_eq!(upto, Seq(2));
            assert!(!more, "live messages never announce more");
            let got: Vec<_> = entries
                .iter()
                .map(|e| (e.seq, e.doc, e.bytes.clone()))
                .collect();
            let want: Vec<_> = changes
                .iter()
                .enumerate()
                .map(|(i, c)| (Seq(i as u64 + 1), c.doc, c.bytes.clone()))
                .collect();
            assert_eq!(got, want);
        }
        other => panic!("expected Changes, got {other:?}"),
    }

    // Anna's own entries are not echoed back to her: she gets only the cursor
    // move to 2. Carla's team hears nothing.
    a.expect_echo(Seq(2)).await;
    a.expect_nothing(Duration::from_millis(300)).await;
    c.expect_nothing(Duration::from_millis(300)).await;

    // Ben answers; Anna receives his entry, numbered 3.
    let reply = customer_changes(2, "Ben", 1);
    b.push(1, reply.clone()).await;
    b.expect_echo(Seq(3)).await;
    match a.recv().await {
        ServerMsg::Changes { entries, upto, .. } => {
            assert_eq!(upto, Seq(3));
            assert_eq!(entries.len(), 1);
            assert_eq!(entries[0].bytes, reply[0].bytes);
        }
        other => panic!("expected Changes, got {other:?}"),
    }
    assert_eq!(relay.head("acme"), Seq(3));
    assert_eq!(relay.head("globex"), Seq(0));
}
