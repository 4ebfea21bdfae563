//! Scenario: a team opens more sessions than its cap allows (a misbehaving
//! script, or a token shared far too widely). The extra Hello is refused with
//! 4429 so the team cannot take every connection of the relay; other teams are
//! unaffected, and a closed session frees its place.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ErrorCode;
use campo_relay::limits::Limits;
use campo_relay::names::Team;
use common::{Device, PATIENCE, Relay};
use std::time::Instant;

#[tokio::test]
async fn a_team_over_its_connection_cap_is_refused_and_others_are_not() {
    let relay = Relay::start_limited(Limits {
        max_connections_per_team: 2,
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let gina = relay.token("globex", "Gina");
    let url = relay.ws_url();

    // Two acme devices sign in: the cap.
    let (mut first, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    first.catch_up().await;
    let (mut second, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    second.catch_up().await;

    // The third is refused at Hello with RateLimited / 4429.
    let mut third = Device::open(&url, 3).await;
    third.hello("acme", &anna, Seq(0)).await;
    let refusal = third.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::RateLimited);
    assert_eq!(refusal.close_code, 4429);
    assert!(
        refusal
            .message
            .contains("team acme has too many connections")
    );

    // Another team is not counted against acme.
    let (mut g, _) = Device::sign_in(&url, 4, "globex", &gina, Seq(0)).await;
    g.catch_up().await;

    // Closing an acme session frees its place for a new one.
    first.close().await;
    let acme = Team::parse("acme").unwrap();
    let start = Instant::now();
    while relay.state.open_sessions(&acme) >= 2 {
        assert!(
            start.elapsed() < PATIENCE,
            "the closed session was not released"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (mut again, _) = Device::sign_in(&url, 5, "acme", &anna, Seq(0)).await;
    again.catch_up().await;
}
