//! Scenario: the relay process is killed (SIGKILL, no shutdown) right after
//! acknowledging pushes. Restarted on the same data directory, it still has
//! every acknowledged change, exactly once, with contiguous sequence numbers.

mod common;

use campo_core::ids::Seq;
use common::{Device, customer_changes};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

/// Starts `campo-relay serve` on a free port; returns the child and its URL from
/// the one line it prints.
fn start_relay(data: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--static-dir"])
        .arg(data.join("no-dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn campo-relay");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let url = line
        .trim()
        .strip_prefix("campo-relay listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, format!("ws://{url}/ws"))
}

fn create_token(data: &Path, team: &str, rep: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--team", team, "--rep", rep, "--data"])
        .arg(data)
        .output()
        .expect("run token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(
        token.starts_with("campo_") && token.len() == 49,
        "{token:?}"
    );
    token
}

#[tokio::test]
async fn acknowledged_changes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // The token is made by the real subcommand, before the relay runs.
    let token = create_token(&data, "acme", "Anna");
    let (mut relay, url) = start_relay(&data);

    // Anna pushes 12 batches of 3 changes from two devices, waiting for each Ack.
    let (mut phone, _) = Device::sign_in(&url, 1, "acme", &token, Seq(0)).await;
    phone.catch_up().await;
    let (mut laptop, _) = Device::sign_in(&url, 2, "acme", &token, Seq(0)).await;
    laptop.catch_up().await;
    let mut acknowledged = Vec::new();
    for i in 0..12u8 {
        let changes = customer_changes(i, "Anna", 3);
        let device = if i % 2 == 0 { &mut phone } else { &mut laptop };
        device.push(u64::from(i), changes.clone()).await;
        acknowledged.extend(changes.into_iter().map(|c| c.bytes));
    }

    // Kill the process outright: no flush, no graceful shutdown.
    relay.kill().expect("SIGKILL the relay");
    relay.wait().expect("reap the relay");

    // Restart on the same data directory; a fresh device reads the whole log.
    let (mut relay, url) = start_relay(&data);
    let (mut fresh, head) = Device::sign_in(&url, 3, "acme", &token, Seq(0)).await;
    assert_eq!(head, Seq(acknowledged.len() as u64));
    let (entries, upto, _) = fresh.catch_up().await;
    assert_eq!(upto, head);
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq.0).collect();
    assert_eq!(
        seqs,
        (1..=acknowledged.len() as u64).collect::<Vec<_>>(),
        "contiguous, once each"
    );
    let stored: Vec<Vec<u8>> = entries.into_iter().map(|e| e.bytes).collect();
    assert_eq!(
        stored, acknowledged,
        "every acknowledged change, in push order"
    );

    relay.kill().expect("stop the relay");
    relay.wait().expect("reap the relay");
}
