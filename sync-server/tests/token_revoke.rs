//! Scenario: an administrator revokes a rep's token with the `token revoke`
//! subcommand while the relay runs; the rep's next connection is refused, other
//! reps are unaffected.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ErrorCode;
use common::{Device, Relay};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

fn cli(args: &[&str], data: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run campo-relay")
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_the_next_connection() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let url = relay.ws_url();

    // Anna signs in fine.
    let (a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.close().await;

    // The administrator revokes Anna's tokens from another process.
    let out = cli(
        &["token", "revoke", "--team", "acme", "--rep", "Anna"],
        &relay.data_dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The listing shows Anna revoked and Ben active, and never a token.
    let out = cli(&["token", "list", "--team", "acme"], &relay.data_dir);
    let listing = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        listing
            .lines()
            .any(|l| l.contains("Anna") && l.contains("revoked")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.contains("Ben") && l.contains("active")),
        "{listing}"
    );
    assert!(!listing.contains(&anna[6..]) && !listing.contains(&ben[6..]));

    // Anna's next connection is refused as unauthorized.
    let mut a = Device::open(&url, 1).await;
    a.hello("acme", &anna, Seq(0)).await;
    let refusal = a.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::Unauthorized);
    assert_eq!(
        (refusal.close_code, refusal.reason.as_str()),
        (4401, "this token is not valid")
    );

    // Ben still signs in.
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(0)).await;
    b.catch_up().await;

    // Revoking again is an error that says what to do.
    let out = cli(
        &["token", "revoke", "--team", "acme", "--rep", "Anna"],
        &relay.data_dir,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no active token"));

    // A bad team name is refused with a clear message.
    let out = cli(
        &["token", "create", "--team", "Acme Corp", "--rep", "X"],
        &relay.data_dir,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a-z, 0-9"));
}
