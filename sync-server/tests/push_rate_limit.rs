//! Scenario: a device pushes faster than its connection's budget (a runaway
//! loop in a client). The push over the budget is refused with 4429 "too many
//! changes too fast; slow down" and nothing of it is stored; the pushes before
//! it were acknowledged and kept. Budgets are per connection: another device
//! pushes normally.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ErrorCode;
use campo_relay::limits::Limits;
use common::{Device, Relay, bulky_customer, customer_changes};

#[tokio::test]
async fn pushing_more_messages_than_the_burst_is_refused_and_not_stored() {
    // A burst of 3 pushes, never refilled (so the test cannot depend on how
    // fast the machine is): the fourth push is over budget.
    let relay = Relay::start_limited(Limits {
        push_messages_per_sec: 0,
        push_burst_messages: 3,
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;

    for batch in 1..=3 {
        a.push(batch, customer_changes(batch as u8, "Anna", 1))
            .await;
    }
    assert_eq!(relay.head("acme"), Seq(3));

    a.send_push(4, customer_changes(4, "Anna", 1)).await;
    // The echoes of the three stored pushes come first.
    for upto in 1..=3 {
        a.expect_echo(Seq(upto)).await;
    }
    let refusal = a.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::RateLimited);
    assert_eq!(
        (refusal.close_code, refusal.reason.as_str()),
        (4429, "too many changes too fast; slow down")
    );
    assert_eq!(relay.head("acme"), Seq(3), "nothing of the refused push");

    // Another device has its own budget.
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(3)).await;
    b.catch_up().await;
    b.push(1, customer_changes(5, "Anna", 1)).await;
    assert_eq!(relay.head("acme"), Seq(4));
}

#[tokio::test]
async fn pushing_more_bytes_than_the_burst_is_refused_and_not_stored() {
    // A 40 KB burst refilled at 1 KB/s: two pushes of about 15 KB fit, the
    // third does not.
    let relay = Relay::start_limited(Limits {
        push_bytes_per_sec: 1_000,
        push_burst_bytes: 40_000,
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;

    a.push(1, vec![bulky_customer(1, 15_000)]).await;
    a.push(2, vec![bulky_customer(2, 15_000)]).await;
    a.send_push(3, vec![bulky_customer(3, 15_000)]).await;
    a.expect_echo(Seq(1)).await;
    a.expect_echo(Seq(2)).await;
    let refusal = a.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::RateLimited);
    assert_eq!(refusal.close_code, 4429);
    assert_eq!(relay.head("acme"), Seq(2), "nothing of the refused push");
}
