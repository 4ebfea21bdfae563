//! Scenario: the operator runs the real relay with every log turned on
//! (`RUST_LOG=trace`, which also lets the HTTP and WebSocket libraries log), and
//! reps sign in with good tokens and bad ones: unknown, one character off a real
//! one, another team's, too long. The token commands are run too. No token — not
//! its text, not its secret part, not its bytes in hex — appears in anything the
//! relay logs or the commands print, except the one line `token create` prints
//! on stdout on purpose.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::ErrorCode;
use common::{Device, customer_changes};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

/// Runs a token command; returns (stdout, stderr).
fn cli(data: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "trace")
        .output()
        .expect("run campo-relay");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// Every way a token could show up in text: whole, its secret part, a prefix
/// of the secret long enough to matter, and its bytes in hex (how frame
/// payloads are dumped).
fn forms(token: &str) -> Vec<String> {
    let secret = token.strip_prefix("campo_").unwrap_or(token);
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    vec![
        token.to_owned(),
        secret.to_owned(),
        secret[..12.min(secret.len())].to_owned(),
        hex(secret),
        hex(secret).to_uppercase(),
    ]
}

fn assert_absent(text: &str, where_: &str, tokens: &[&str]) {
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for token in tokens {
        for form in forms(token) {
            assert!(
                !text.contains(&form) && !squashed.contains(&form),
                "{where_} contains {form:?}"
            );
        }
    }
}

#[tokio::test]
async fn no_token_appears_in_the_relays_logs_even_at_trace_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // Tokens, as `token create` makes them: stdout is the token, stderr is not.
    let (anna, anna_err) = cli(
        &data,
        &["token", "create", "--team", "acme", "--rep", "Anna"],
    );
    let anna = anna.trim().to_owned();
    let (gina, gina_err) = cli(
        &data,
        &["token", "create", "--team", "globex", "--rep", "Gina"],
    );
    let gina = gina.trim().to_owned();
    assert!(anna.starts_with("campo_") && gina.starts_with("campo_"));
    // One character off Anna's: what a typo or a guess looks like.
    let mut near = anna.clone().into_bytes();
    let last = near.len() - 1;
    near[last] = if near[last] == b'A' { b'B' } else { b'A' };
    let near = String::from_utf8(near).unwrap();
    let unknown = format!("campo_{}", "Zz9".repeat(14) + "Z");
    let too_long = format!("{anna}{anna}{anna}");
    let all = [
        anna.as_str(),
        gina.as_str(),
        near.as_str(),
        unknown.as_str(),
        too_long.as_str(),
    ];
    assert_absent(&anna_err, "token create's stderr", &all);
    assert_absent(&gina_err, "token create's stderr", &all);

    // The relay, logging everything to a file.
    let log_path = dir.path().join("relay.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut relay = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--static-dir")
        .arg(dir.path().join("no-dist"))
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start the relay");
    let mut line = String::new();
    BufReader::new(relay.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the listening line");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("an address")
        .to_owned();
    let url = format!("ws://{addr}/ws");

    // A good sign-in that pushes and receives.
    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    a.push(1, customer_changes(1, "Anna", 2)).await;
    a.expect_echo(Seq(2)).await;
    let (mut b, _) = Device::sign_in(&url, 2, "acme", &anna, Seq(0)).await;
    assert_eq!(b.catch_up().await.0.len(), 2);

    // Bad sign-ins, each refused.
    for (team, token, code) in [
        ("acme", &unknown, ErrorCode::Unauthorized),
        ("acme", &near, ErrorCode::Unauthorized),
        ("acme", &gina, ErrorCode::WrongTeam),
        ("globex", &anna, ErrorCode::WrongTeam),
        ("acme", &too_long, ErrorCode::TooLarge),
    ] {
        let mut d = Device::open(&url, 9).await;
        d.hello(team, token, Seq(0)).await;
        assert_eq!(d.expect_refusal().await.code, code);
    }

    // The token commands, while the relay runs: list, then revoke Anna, whose
    // open sessions are then closed.
    let (list_out, list_err) = cli(&data, &["token", "list", "--team", "acme"]);
    assert!(list_out.contains("Anna"), "{list_out}");
    let (revoke_out, revoke_err) = cli(
        &data,
        &["token", "revoke", "--team", "acme", "--rep", "Anna"],
    );
    for (what, text) in [
        ("token list's stdout", &list_out),
        ("token list's stderr", &list_err),
        ("token revoke's stdout", &revoke_out),
        ("token revoke's stderr", &revoke_err),
    ] {
        assert_absent(text, what, &all);
    }
    assert_eq!(a.expect_refusal().await.code, ErrorCode::Unauthorized);
    assert_eq!(b.expect_refusal().await.code, ErrorCode::Unauthorized);

    // Stop the relay so every line is written, then read what it logged.
    let status = Command::new("kill")
        .args(["-TERM", &relay.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let started = Instant::now();
    while relay.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "relay exits");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logged = std::fs::read_to_string(&log_path).expect("the log");

    // The log really is the trace-level one and covers the sign-ins...
    assert!(logged.contains("TRACE"), "trace level is on");
    assert!(logged.contains("signed in"), "the good sign-in is logged");
    assert!(
        logged.contains("this token is not valid"),
        "the refusals are logged"
    );
    // ...and holds no token in any form.
    assert_absent(&logged, "the relay's log", &all);
}
