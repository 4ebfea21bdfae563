//! Scenario: a team's administrator manages the team's tokens over the admin
//! API (`/api/teams/{team}/tokens`), as the app's Team page does. The first
//! admin is made on the command line (`token create --admin`). The admin lists
//! the tokens, creates one for a new rep, who signs in with it, and revokes it,
//! which closes the rep's open session. Reps' tokens, other teams' admins and
//! requests without a valid token are refused; bad names and bodies get 400;
//! no token ever appears in a listing or in the relay's log.

mod common;

use campo_core::ids::Seq;
use campo_core::protocol::{ErrorCode, ServerMsg};
use campo_relay::auth::TokenHash;
use campo_relay::limits::Limits;
use common::{Device, PATIENCE, Relay, TestStore};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_campo-relay");

/// Makes a team's admin the way an operator makes the first one.
fn admin_token(data: &Path, team: &str, rep: &str) -> String {
    let out = Command::new(BIN)
        .args(["token", "create", "--admin", "--team", team, "--rep", rep])
        .arg("--data")
        .arg(data)
        .output()
        .expect("run campo-relay");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("a JSON body ({e}): {:?}", self.body))
    }

    /// The machine-readable code of an error reply.
    fn error(&self) -> String {
        assert_eq!(
            self.headers.get("content-type").map(String::as_str),
            Some("application/json"),
            "errors are JSON: {}",
            self.body
        );
        let body = self.json();
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error says what to do: {body}"
        );
        body["error"].as_str().expect("an error code").to_owned()
    }
}

/// One raw HTTP/1.1 request, so the test sees exactly what goes on the wire.
async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    s.write_all(&bytes).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE, s.read_to_end(&mut raw))
        .await
        .expect("a reply within the patience limit")
        .expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().expect("status line")[9..12]
        .parse()
        .expect("status");
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).expect("a UTF-8 body"),
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap().trim(), 16)
            .expect("hex chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
}

/// A request with `token` as its bearer credentials and `body` as JSON.
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    raw(addr, method, path, &headers, body.as_bytes()).await
}

async fn list(addr: SocketAddr, token: &str) -> Reply {
    call(addr, "GET", "/api/teams/acme/tokens", Some(token), None).await
}

async fn create(addr: SocketAddr, token: &str, rep: &str, admin: bool) -> Reply {
    let body = json!({ "rep": rep, "admin": admin });
    call(
        addr,
        "POST",
        "/api/teams/acme/tokens",
        Some(token),
        Some(body),
    )
    .await
}

async fn revoke(addr: SocketAddr, token: &str, rep_in_path: &str) -> Reply {
    let path = format!("/api/teams/acme/tokens/{rep_in_path}");
    call(addr, "DELETE", &path, Some(token), None).await
}

/// The listed token rows of `rep`.
fn rows_of<'a>(listing: &'a Value, rep: &str) -> Vec<&'a Value> {
    listing["tokens"]
        .as_array()
        .expect("a token array")
        .iter()
        .filter(|t| t["rep"] == rep)
        .collect()
}

#[tokio::test]
async fn an_admin_lists_creates_and_revokes_and_the_new_token_signs_in() {
    let relay = Relay::start().await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let anna = relay.token("acme", "Anna");
    let addr = relay.addr;

    // The listing shows both tokens, who is admin, and no token.
    let reply = list(addr, &boss).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.headers.get("cache-control").map(String::as_str),
        Some("no-store")
    );
    assert!(
        reply.headers.contains_key("content-security-policy"),
        "the security headers cover the API"
    );
    let listing = reply.json();
    assert_eq!(listing["team"], "acme");
    let boss_row = rows_of(&listing, "Boss")[0];
    assert_eq!(boss_row["admin"], true);
    assert_eq!(boss_row["revoked"], Value::Null);
    let anna_row = rows_of(&listing, "Anna")[0];
    assert_eq!(anna_row["admin"], false);
    let created = anna_row["created"].as_str().expect("a creation date");
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    for token in [&boss, &anna] {
        assert!(
            !reply.body.contains(&token[6..]),
            "a token in {}",
            reply.body
        );
    }

    // A token for a new rep, shown once.
    let reply = create(addr, &boss, "Bruno Neri", false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.headers.get("cache-control").map(String::as_str),
        Some("no-store")
    );
    let made = reply.json();
    assert_eq!(
        (&made["rep"], &made["admin"]),
        (&json!("Bruno Neri"), &json!(false))
    );
    let bruno = made["token"].as_str().expect("the token").to_owned();
    assert!(bruno.starts_with("campo_"));

    // Bruno signs in with it over the WebSocket, as himself.
    let mut device = Device::open(&relay.ws_url(), 1).await;
    device.hello("acme", &bruno, Seq(0)).await;
    match device.recv().await {
        ServerMsg::Welcome { team, rep, .. } => {
            assert_eq!((team.as_str(), rep.as_str()), ("acme", "Bruno Neri"))
        }
        other => panic!("expected Welcome, got {other:?}"),
    }
    device.close().await;

    // It is listed by its hash's first digits, never by its text.
    let reply = list(addr, &boss).await;
    assert!(
        !reply.body.contains(&bruno[6..]),
        "the token in {}",
        reply.body
    );
    let listing = reply.json();
    let rows = rows_of(&listing, "Bruno Neri");
    assert_eq!(rows.len(), 1);
    let hash = TokenHash::of(&bruno).0;
    let prefix: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(rows[0]["hash_prefix"], prefix.as_str());
    assert_eq!(rows[0]["revoked"], Value::Null);

    // Revoking him (a name with a space travels percent-encoded).
    let reply = revoke(addr, &boss, "Bruno%20Neri").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), json!({ "revoked": 1 }));
    let listing = list(addr, &boss).await.json();
    assert!(rows_of(&listing, "Bruno Neri")[0]["revoked"].is_string());
    assert_eq!(rows_of(&listing, "Anna")[0]["revoked"], Value::Null);

    // Again: nothing left to revoke.
    let reply = revoke(addr, &boss, "Bruno%20Neri").await;
    assert_eq!(reply.status, 404, "{}", reply.body);
    assert_eq!(reply.error(), "not_found");

    // His token no longer signs in.
    let mut device = Device::open(&relay.ws_url(), 2).await;
    device.hello("acme", &bruno, Seq(0)).await;
    assert_eq!(device.expect_refusal().await.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn revoking_over_the_api_closes_the_reps_open_websocket() {
    // A short re-check interval stands in for the default 5 s.
    let recheck = Duration::from_millis(200);
    let relay = Relay::start_limited(Limits {
        token_recheck_interval: recheck,
        ..Limits::default()
    })
    .await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let bruno = create(relay.addr, &boss, "Bruno", false).await.json()["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let anna = relay.token("acme", "Anna");
    let (mut b, _) = Device::sign_in(&relay.ws_url(), 1, "acme", &bruno, Seq(0)).await;
    b.catch_up().await;
    let (mut a, _) = Device::sign_in(&relay.ws_url(), 2, "acme", &anna, Seq(0)).await;
    a.catch_up().await;

    let revoked_at = Instant::now();
    let reply = revoke(relay.addr, &boss, "Bruno").await;
    assert_eq!(reply.json(), json!({ "revoked": 1 }));

    let refusal = b.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::Unauthorized);
    assert_eq!(
        (refusal.close_code, refusal.reason.as_str()),
        (4401, "this token was revoked")
    );
    assert!(
        revoked_at.elapsed() < recheck * 5,
        "closed after {:?}",
        revoked_at.elapsed()
    );
    // Anna stays online.
    a.expect_nothing(recheck * 3).await;
}

#[tokio::test]
async fn an_admin_made_over_the_api_can_administer() {
    let relay = Relay::start().await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let reply = create(relay.addr, &boss, "Carla", true).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let carla = reply.json()["token"].as_str().expect("a token").to_owned();

    let listing = list(relay.addr, &carla).await;
    assert_eq!(listing.status, 200, "{}", listing.body);
    assert_eq!(rows_of(&listing.json(), "Carla")[0]["admin"], true);
    // `admin` may be left out: a rep's token.
    let reply = call(
        relay.addr,
        "POST",
        "/api/teams/acme/tokens",
        Some(&carla),
        Some(json!({ "rep": "Dario" })),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["admin"], false);
}

#[tokio::test]
async fn a_reps_token_and_another_teams_admin_are_forbidden() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let gina = admin_token(&relay.data_dir, "globex", "Gina");
    let addr = relay.addr;

    for (who, token) in [
        ("a rep of the team", &anna),
        ("another team's admin", &gina),
    ] {
        let reply = list(addr, token).await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.body);
        assert_eq!(reply.error(), "forbidden");
        let reply = create(addr, token, "Mallory", true).await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.body);
        assert_eq!(reply.error(), "forbidden");
        let reply = revoke(addr, token, "Anna").await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.body);
        assert_eq!(reply.error(), "forbidden");
    }
    let reply = list(addr, &anna).await;
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("--admin")
    );

    // Nothing changed: Anna still signs in, and no token was made for Mallory.
    let (mut a, _) = Device::sign_in(&relay.ws_url(), 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let listing = list(addr, &boss).await.json();
    assert!(rows_of(&listing, "Mallory").is_empty());
    assert_eq!(listing["tokens"].as_array().unwrap().len(), 2);
    // Gina's own team is hers to manage, and holds only her.
    let reply = call(addr, "GET", "/api/teams/globex/tokens", Some(&gina), None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["tokens"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn requests_without_a_valid_admin_token_are_unauthorized() {
    let relay = Relay::start().await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let old_boss = admin_token(&relay.data_dir, "acme", "Old Boss");
    assert_eq!(
        revoke(relay.addr, &boss, "Old%20Boss").await.json(),
        json!({ "revoked": 1 })
    );
    // Shaped like a token, but never issued.
    let forged = format!("campo_{}", "A".repeat(43));

    let path = "/api/teams/acme/tokens";
    let (forged, old_boss) = (format!("Bearer {forged}"), format!("Bearer {old_boss}"));
    let cases: [(&str, Vec<(&str, &str)>); 6] = [
        ("no header", vec![]),
        ("garbage", vec![("Authorization", "Bearer garbage")]),
        (
            "another scheme",
            vec![("Authorization", "Basic Ym9zczpwdw==")],
        ),
        ("an empty bearer", vec![("Authorization", "Bearer ")]),
        ("a forged token", vec![("Authorization", forged.as_str())]),
        (
            "a revoked admin token",
            vec![("Authorization", old_boss.as_str())],
        ),
    ];
    for (what, headers) in &cases {
        for method in ["GET", "POST", "DELETE"] {
            let (path, body) = match method {
                "GET" => (path.to_owned(), String::new()),
                "POST" => (path.to_owned(), json!({ "rep": "Eve" }).to_string()),
                _ => (format!("{path}/Boss"), String::new()),
            };
            let mut headers = headers.clone();
            headers.push(("Content-Type", "application/json"));
            let reply = raw(relay.addr, method, &path, &headers, body.as_bytes()).await;
            assert_eq!(reply.status, 401, "{what}, {method}: {}", reply.body);
            assert_eq!(reply.error(), "unauthorized", "{what}, {method}");
        }
    }
    // The refused DELETEs revoked nothing, the POSTs made nothing.
    let listing = list(relay.addr, &boss).await.json();
    assert_eq!(rows_of(&listing, "Boss")[0]["revoked"], Value::Null);
    assert!(rows_of(&listing, "Eve").is_empty());
}

#[tokio::test]
async fn bad_names_and_bodies_are_refused_with_what_to_fix() {
    let relay = Relay::start().await;
    let boss = admin_token(&relay.data_dir, "acme", "Boss");
    let addr = relay.addr;
    let auth = format!("Bearer {boss}");

    // Rep names the relay refuses everywhere.
    for bad in ["", "   ", "a\nb", &"x".repeat(65)] {
        let reply = create(addr, &boss, bad, false).await;
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.body);
        assert_eq!(reply.error(), "bad_request");
        assert!(
            reply.json()["message"]
                .as_str()
                .unwrap()
                .contains("rep name")
        );
    }
    let reply = revoke(addr, &boss, "a%0Ab").await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.error(), "bad_request");

    // A team name that is not one.
    let reply = call(
        addr,
        "GET",
        "/api/teams/Acme%20Corp/tokens",
        Some(&boss),
        None,
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("a-z, 0-9")
    );

    // Bodies: not JSON, the wrong shape, an unknown field, no content type, too large.
    let json_type = ("Content-Type", "application/json");
    let post = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let auth = auth.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("Authorization", &auth)];
            all.extend(headers.iter().map(|(k, v)| (*k, v.as_str())));
            raw(addr, "POST", "/api/teams/acme/tokens", &all, &body).await
        }
    };
    let typed = || vec![(json_type.0, json_type.1.to_owned())];
    for (what, headers, body, status) in [
        ("not JSON", typed(), b"{rep: Anna".to_vec(), 400),
        (
            "a number for the name",
            typed(),
            br#"{"rep": 7}"#.to_vec(),
            422,
        ),
        (
            "an unknown field",
            typed(),
            br#"{"rep": "A", "root": true}"#.to_vec(),
            422,
        ),
        (
            "no content type",
            vec![],
            br#"{"rep": "Anna"}"#.to_vec(),
            415,
        ),
        (
            "too large",
            typed(),
            json!({ "rep": "x".repeat(8 * 1024) })
                .to_string()
                .into_bytes(),
            413,
        ),
    ] {
        let reply = post(headers, body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        assert_eq!(reply.error(), "bad_request", "{what}");
    }

    // Anything else under /api is not found, in JSON too, never the app.
    let reply = call(addr, "GET", "/api/teams/acme/people", Some(&boss), None).await;
    assert_eq!(reply.status, 404, "{}", reply.body);
    assert_eq!(reply.error(), "not_found");

    // Nothing was created along the way.
    let listing = list(addr, &boss).await.json();
    assert_eq!(listing["tokens"].as_array().unwrap().len(), 1);
}

/// The relay binary, logging everything, for the log check below.
struct Logged {
    child: std::process::Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
}

impl Logged {
    fn start(dir: &Path, data: &Path) -> Logged {
        let log = dir.join("relay.log");
        let file = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .arg("--static-dir")
            .arg(dir.join("no-dist"))
            .env("RUST_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(file)
            .spawn()
            .expect("start the relay");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the listening line");
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("an address in {line:?}"));
        Logged { child, addr, log }
    }

    /// Stops the relay (SIGTERM, so every line is written) and returns its log.
    async fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let started = Instant::now();
        while self.child.try_wait().expect("wait").is_none() {
            assert!(started.elapsed() < PATIENCE, "the relay exits");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        std::fs::read_to_string(&self.log).expect("the log")
    }
}

#[tokio::test]
async fn no_token_appears_in_the_relays_log_when_the_api_is_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let _store = TestStore::fresh(&data).await;
    let boss = admin_token(&data, "acme", "Boss");
    let relay = Logged::start(dir.path(), &data);

    let made = create(relay.addr, &boss, "Bruno", false).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let bruno = made.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(list(relay.addr, &boss).await.status, 200);
    assert_eq!(list(relay.addr, &bruno).await.status, 403);
    assert_eq!(revoke(relay.addr, &boss, "Bruno").await.status, 200);
    assert_eq!(list(relay.addr, &bruno).await.status, 401);

    let logged = relay.stop().await;
    assert!(logged.contains("TRACE"), "trace level is on");
    assert!(logged.contains("token created"), "the creation is logged");
    assert!(
        logged.contains("tokens revoked"),
        "the revocation is logged"
    );
    for token in [&boss, &bruno] {
        let secret = &token[6..];
        assert!(!logged.contains(secret), "a token in the log");
        assert!(
            !logged.contains(&secret[..12]),
            "part of a token in the log"
        );
    }
}
