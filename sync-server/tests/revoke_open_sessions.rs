//! Scenario: an administrator revokes a rep's token with `token revoke` (another
//! process, same database) while the rep's devices are online. The relay closes
//! those sessions with 4401 within its re-check interval, refuses a push made
//! with the revoked token at once, and leaves other reps online.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ErrorCode;
use campo_relay::limits::Limits;
use common::{Device, PATIENCE, Relay, customer_changes};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

fn revoke(data: &Path, rep: &str) {
    let out = Command::new(BIN)
        .args(["token", "revoke", "--team", "acme", "--rep", rep, "--data"])
        .arg(data)
        .output()
        .expect("run campo-relay");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_revoked_reps_open_sessions_are_closed_within_the_recheck_interval() {
    // A short re-check interval stands in for the default 5 s.
    let recheck = Duration::from_millis(200);
    let relay = Relay::start_limited(Limits {
        token_recheck_interval: recheck,
        ..Limits::default()
    })
    .await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let url = relay.ws_url();

    // Anna has two devices online, Ben one; all are idle.
    let (mut phone, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    phone.catch_up().await;
    let (mut laptop, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    laptop.catch_up().await;
    let (mut b, _) = Device::sign_in(&url, 3, "acme", &ben, Seq(0)).await;
    b.catch_up().await;

    // The administrator revokes Anna from another process.
    let revoked_at = Instant::now();
    revoke(&relay.data_dir, "Anna");

    // Both of Anna's sessions are told, and closed with 4401, within a few
    // re-check intervals.
    for device in [&mut phone, &mut laptop] {
        let refusal = device.expect_refusal().await;
        assert_eq!(refusal.code, ErrorCode::Unauthorized);
        assert_eq!(
            (refusal.close_code, refusal.reason.as_str()),
            (4401, "this token was revoked")
        );
    }
    assert!(
        revoked_at.elapsed() < recheck * 5,
        "closed after {:?}",
        revoked_at.elapsed()
    );

    // Ben is still online: his push is acknowledged.
    b.push(1, customer_changes(1, "Ben", 1)).await;
    assert_eq!(relay.head("acme"), Seq(1));
}

#[tokio::test]
async fn a_push_with_a_revoked_token_is_refused_before_the_next_recheck() {
    // The default interval (5 s) is longer than this test: only the push's own
    // check can catch the revocation.
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    a.push(1, customer_changes(1, "Anna", 1)).await;
    a.expect_echo(Seq(1)).await;

    revoke(&relay.data_dir, "Anna");

    // The next push is refused as unauthorized, and nothing of it is stored.
    let pushed_at = Instant::now();
    a.send_push(2, customer_changes(2, "Anna", 3)).await;
    let refusal = a.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::Unauthorized);
    assert_eq!(refusal.close_code, 4401);
    assert_eq!(refusal.message, "this token was revoked");
    assert!(pushed_at.elapsed() < PATIENCE);
    assert_eq!(relay.head("acme"), Seq(1));
}
