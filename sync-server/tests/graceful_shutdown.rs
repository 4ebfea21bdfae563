//! Scenario: the operator stops the relay with SIGTERM while devices are
//! connected. Each device is told the relay is going away (close 1001, so it
//! reconnects later) and the process exits cleanly.

mod common;

use campo_core::ids::Seq;
use common::Device;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

#[tokio::test]
async fn sigterm_closes_sessions_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = Command::new(BIN)
        .args([
            "token", "create", "--team", "acme", "--rep", "Anna", "--data",
        ])
        .arg(&data)
        .output()
        .expect("token create");
    let token = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();

    // The relay prints exactly one line on stdout once it listens.
    let (mut relay, addr) = start_relay(&data);
    let addr = addr.as_str();
    assert!(!addr.ends_with(":0"), "the real port is printed: {addr}");

    // A device is online.
    let (mut d, _) = Device::sign_in(&format!("ws://{addr}/ws"), 1, "acme", &token, Seq(0)).await;
    d.catch_up().await;

    // SIGTERM: the device gets "going away" and the process exits with success.
    let status = Command::new("kill")
        .args(["-TERM", &relay.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    assert_eq!(d.expect_close().await, 1001);
    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = relay.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the relay did not exit"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}");
}

/// Regression: a SIGTERM sent as soon as the listening line appears used to be
/// able to arrive before the handler was registered, killing the process.
#[tokio::test]
async fn sigterm_right_after_the_listening_line_is_graceful() {
    let dir = tempfile::tempdir().expect("temp dir");
    for _ in 0..5 {
        let (mut relay, _) = start_relay(dir.path());
        let status = Command::new("kill")
            .args(["-TERM", &relay.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let exit = relay.wait().expect("wait");
        assert!(exit.success(), "{exit:?}");
    }
}

/// Starts the real relay on a free port and returns it with the address from
/// its one stdout line.
fn start_relay(data: &Path) -> (Child, String) {
    let mut relay = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(relay.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let addr = line
        .trim()
        .strip_prefix("campo-relay listening on http://")
        .unwrap_or_else(|| panic!("the listening line, got {line:?}"))
        .to_owned();
    (relay, addr)
}
