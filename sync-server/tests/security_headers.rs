//! Scenario: a browser (or anything else) talks HTTP to the relay. Every
//! response — the app, a missing file, `/healthz`, the admin API's refusals,
//! `/ws` refused for a foreign origin or for not being an upgrade, the upgrade
//! itself, the "not built" page —
//! carries the security headers: no sniffing, no framing, no referrer, a CSP
//! with `frame-ancestors 'none'`; and HSTS exactly when the TLS proxy in front
//! says the request came over HTTPS.

mod common;

use campo_relay::http::{CSP_NONE, HSTS};
use common::Relay;
use std::collections::HashMap;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
}

/// A raw HTTP/1.1 GET with extra header lines, so the test sees exactly what
/// goes on the wire.
async fn get(addr: SocketAddr, path: &str, extra: &[(&str, &str)]) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    if !extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("connection"))
    {
        req.push_str("Connection: close\r\n");
    }
    for (name, value) in extra {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
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
    let mut headers = HashMap::new();
    for (k, v) in lines.filter_map(|l| l.split_once(": ")) {
        let previous = headers.insert(k.to_ascii_lowercase(), v.to_owned());
        assert!(previous.is_none(), "{path}: header {k} sent twice");
    }
    Reply { status, headers }
}

/// Asserts the headers every response needs; `https` says whether HSTS is due.
fn assert_secure(what: &str, headers: &HashMap<String, String>, https: bool) {
    let h = |name: &str| headers.get(name).map(String::as_str);
    assert_eq!(h("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(h("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(h("referrer-policy"), Some("no-referrer"), "{what}");
    let csp = h("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        csp.starts_with("default-src 'self'") || csp.starts_with("default-src 'none'"),
        "{what}: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    if https {
        assert_eq!(h("strict-transport-security"), Some(HSTS), "{what}");
    } else {
        assert_eq!(h("strict-transport-security"), None, "{what}");
    }
}

/// The ways a request can say how it reached the proxy, and whether HSTS is due.
const TRANSPORTS: [(&[(&str, &str)], bool); 4] = [
    (&[], false),
    (&[("X-Forwarded-Proto", "http")], false),
    (&[("X-Forwarded-Proto", "https")], true),
    (&[("X-Forwarded-Proto", "https, http")], true),
];

/// (what, path, extra headers, expected status, whether the CSP is the app's
/// own rather than the fallback)
type Request = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
    u16,
    bool,
);

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><html><head><script>init();</script></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js"), "export default 1;").unwrap();
    let relay = Relay::start_in(dir, Some(&dist)).await;
    let own_origin = format!("http://{}", relay.addr);

    let requests: Vec<Request> = vec![
        ("the app", "/", vec![], 200, true),
        ("an app route", "/customers/42", vec![], 200, true),
        (
            "a hashed asset",
            "/app-0123456789abcdef.js",
            vec![],
            200,
            true,
        ),
        (
            "a missing file",
            "/missing-0123456789abcdef.js",
            vec![],
            404,
            true,
        ),
        ("the health check", "/healthz", vec![], 200, false),
        (
            "the admin API without a token",
            "/api/teams/acme/tokens",
            vec![],
            401,
            false,
        ),
        (
            "an unknown admin endpoint",
            "/api/nothing",
            vec![],
            404,
            false,
        ),
        ("/ws without an upgrade", "/ws", vec![], 400, false),
        (
            "/ws from a foreign origin",
            "/ws",
            vec![
                // "close" too, so the refused connection ends after the reply.
                ("Connection", "Upgrade, close"),
                ("Upgrade", "websocket"),
                ("Sec-WebSocket-Version", "13"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("Origin", "https://evil.example"),
            ],
            403,
            false,
        ),
    ];
    for (what, path, headers, status, app_csp) in requests {
        for (transport, https) in TRANSPORTS {
            let mut all = headers.clone();
            all.extend_from_slice(transport);
            let reply = get(relay.addr, path, &all).await;
            let what = format!("{what} ({transport:?})");
            assert_eq!(reply.status, status, "{what}");
            assert_secure(&what, &reply.headers, https);
            let csp = &reply.headers["content-security-policy"];
            if app_csp {
                // The app's own policy, with the inline script's hash; not
                // replaced by the fallback.
                assert!(csp.contains("'sha256-"), "{what}: {csp}");
            } else {
                assert_eq!(csp, CSP_NONE, "{what}");
            }
        }
    }

    // The WebSocket upgrade itself (101) carries them too.
    for (transport, https) in TRANSPORTS {
        let mut request = relay.ws_url().into_client_request().expect("a ws URL");
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(&own_origin).unwrap());
        for (name, value) in transport {
            request
                .headers_mut()
                .insert(*name, HeaderValue::from_static(value));
        }
        let (_ws, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgrade");
        assert_eq!(response.status().as_u16(), 101);
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        assert_secure(&format!("the upgrade ({transport:?})"), &headers, https);
    }
}

#[tokio::test]
async fn without_a_build_the_explanation_carries_them_too() {
    let relay = Relay::start().await;
    for (transport, https) in TRANSPORTS {
        for path in ["/", "/healthz"] {
            let reply = get(relay.addr, path, transport).await;
            let what = format!("{path} with no build ({transport:?})");
            assert_eq!(reply.status, if path == "/" { 503 } else { 200 }, "{what}");
            assert_secure(&what, &reply.headers, https);
        }
    }
}
