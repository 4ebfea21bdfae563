//! Scenario: a device's network vanishes without a close (a laptop lid shut,
//! a phone in a tunnel). The relay pings every session; one that answers stays
//! open however quiet it is, one that sends nothing at all, not even a pong,
//! is closed with 1001 "idle" once the idle timeout passes.

mod common;

use campo_core::ids::Seq;
use campo_relay::limits::Limits;
use common::{Device, Relay};
use std::time::Duration;

#[tokio::test]
async fn a_session_that_answers_pings_stays_and_a_silent_one_is_closed() {
    let relay = Relay::start_limited(Limits {
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(600),
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();

    // Two devices sign in and send nothing more.
    let (mut awake, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    awake.catch_up().await;
    let (mut gone, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    gone.catch_up().await;

    // The awake device keeps reading, so its client answers the pings; it is
    // still open after more than twice the idle timeout.
    let pings = awake.answer_pings_for(Duration::from_millis(1_500)).await;
    assert!(pings >= 5, "pinged every 100 ms, got {pings}");

    // The other device read nothing all that time, so it never answered: the
    // relay has closed it as idle.
    assert_eq!(gone.expect_close_reason().await, (1001, "idle".to_owned()));

    // The awake one still works.
    awake.push(1, common::customer_changes(1, "Anna", 1)).await;
}
