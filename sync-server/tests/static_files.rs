//! Scenario: a browser loads the app. The relay serves the build with the right
//! caching and security headers, sends index.html for app routes, and explains
//! itself when there is no build.

mod common;

use common::Relay;
use std::collections::HashMap;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const INLINE: &str = "import init from '/app-0123456789abcdef.js'; init();";

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A minimal HTTP/1.1 GET, so the test sees exactly what goes on the wire.
async fn get(addr: SocketAddr, path: &str, accept_encoding: &str) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().expect("status line")[9..12]
        .parse()
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

#[tokio::test]
async fn the_built_app_is_served_with_caching_and_security_headers() {
    // A build like Trunk's: index.html with an inline module script, hashed assets.
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let index = format!(
        "<!doctype html><html><head><script type=\"module\">{INLINE}</script></head><body></body></html>"
    );
    std::fs::write(dist.join("index.html"), &index).unwrap();
    std::fs::write(
        dist.join("app-0123456789abcdef.js"),
        "export default function init() {}\n".repeat(200),
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    let relay = Relay::start_in(tempfile::tempdir().unwrap(), Some(&dist)).await;

    // The root: index.html, revalidated every time, CSP allowing its inline script.
    let root = get(relay.addr, "/", "identity").await;
    assert_eq!(root.status, 200);
    assert_eq!(root.body, index.as_bytes());
    assert_eq!(root.headers["cache-control"], "no-cache");
    assert_eq!(root.headers["x-content-type-options"], "nosniff");
    assert_eq!(root.headers["referrer-policy"], "no-referrer");
    let csp = &root.headers["content-security-policy"];
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(INLINE));
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
        )),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));

    // A hashed asset: cached for a year, compressed for a browser that accepts brotli.
    let asset = get(relay.addr, "/app-0123456789abcdef.js", "br, gzip").await;
    assert_eq!(asset.status, 200);
    assert_eq!(
        asset.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.headers["content-encoding"], "br");

    // The service worker is revalidated; an app route gets index.html; a missing
    // file is a real 404, not HTML.
    assert_eq!(
        get(relay.addr, "/sw.js", "identity").await.headers["cache-control"],
        "no-cache"
    );
    let route = get(relay.addr, "/customers/42", "identity").await;
    assert_eq!(
        (route.status, route.body.as_slice()),
        (200, index.as_bytes())
    );
    let missing = get(relay.addr, "/app-ffffffffffffffff.wasm", "identity").await;
    assert_eq!(missing.status, 404);
    assert!(
        !missing.headers.contains_key("cache-control"),
        "a 404 is never cached as immutable"
    );

    // Health check.
    let health = get(relay.addr, "/healthz", "identity").await;
    assert_eq!(
        (health.status, health.body.as_slice()),
        (200, b"ok".as_slice())
    );
}

#[tokio::test]
async fn without_a_build_the_relay_says_how_to_make_one() {
    let relay = Relay::start().await;
    let page = get(relay.addr, "/", "identity").await;
    assert_eq!(page.status, 503);
    assert!(String::from_utf8_lossy(&page.body).contains("not built"));
    // Sync still works without the app: /healthz answers.
    assert_eq!(get(relay.addr, "/healthz", "identity").await.status, 200);
}
