//! Scenario: a device re-sends changes the relay already holds (its Ack was lost
//! in a dropped connection). They are acknowledged and not stored twice.

mod common;

use campo_core::ids::Seq;
use common::{Device, Relay, customer_changes};
use std::time::Duration;

#[tokio::test]
async fn re_pushing_a_stored_change_is_acknowledged_and_not_stored_again() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let url = relay.ws_url();
    let changes = customer_changes(1, "Anna", 3);

    // Anna pushes three changes: head 3.
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    a.push(1, changes.clone()).await;
    a.expect_echo(Seq(3)).await;
    assert_eq!(relay.head("acme"), Seq(3));

    // Ben is online and receives them once.
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(0)).await;
    assert_eq!(b.catch_up().await.0.len(), 3);

    // Anna reconnects and pushes the same batch again, plus one change twice in
    // the same batch: acknowledged, the head does not move.
    a.close().await;
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    let mut again = changes.clone();
    again.push(changes[0].clone());
    a.push(2, again).await;
    assert_eq!(relay.head("acme"), Seq(3));

    // Nobody hears anything: nothing was stored, not even a cursor move.
    b.expect_nothing(Duration::from_millis(300)).await;
    a.expect_nothing(Duration::from_millis(300)).await;

    // A genuinely new change after the duplicates takes the next seq, 4.
    let new = customer_changes(2, "Anna", 1);
    a.push(3, new).await;
    assert_eq!(relay.head("acme"), Seq(4));
    let (entries, upto, _) = b.catch_up().await;
    assert_eq!((entries.len(), entries[0].seq, upto), (1, Seq(4), Seq(4)));
}
