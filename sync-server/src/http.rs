//! Serving the built app: static files, the single-page fallback, caching and
//! security headers.
//!
//! Trunk names assets with a content hash (`app-0123456789abcdef_bg.wasm`), so
//! those are cached forever; the files that point at them (`index.html`, the
//! service worker, the manifest) must be revalidated every time.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// For content-hashed assets.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For the entry points that name the hashed assets.
pub const CACHE_REVALIDATE: &str = "no-cache";
/// Files that must always be revalidated, whatever their name looks like.
pub const ENTRY_FILES: [&str; 3] = ["index.html", "sw.js", "manifest.webmanifest"];
/// Hex digits Trunk puts in a hashed file name: a 64-bit hash printed without
/// leading zeros, so usually 16 and now and then fewer.
pub const ASSET_HASH_DIGITS: std::ops::RangeInclusive<usize> = 12..=16;

/// The built app, as found at startup.
pub enum Site {
    /// `index.html` was read; its inline scripts are allowed by hash.
    Ready {
        dir: PathBuf,
        index: Vec<u8>,
        csp: HeaderValue,
    },
    /// No build found: every page says how to build it.
    Missing { dir: PathBuf },
}

impl Site {
    /// Reads `<dir>/index.html` and computes the Content-Security-Policy.
    pub fn load(dir: &Path) -> Site {
        match std::fs::read(dir.join("index.html")) {
            Ok(index) => {
                let csp = content_security_policy(&inline_script_hashes(&index));
                match HeaderValue::from_str(&csp) {
                    Ok(csp) => Site::Ready {
                        dir: dir.to_owned(),
                        index,
                        csp,
                    },
                    // Hashes are base64 and the rest is ASCII: a failure here
                    // means a bug, reported rather than served half-secured.
                    Err(e) => {
                        tracing::error!(error = %e, "cannot build the CSP header");
                        Site::Missing {
                            dir: dir.to_owned(),
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "no built app to serve");
                Site::Missing {
                    dir: dir.to_owned(),
                }
            }
        }
    }

    fn csp(&self) -> HeaderValue {
        match self {
            Site::Ready { csp, .. } => csp.clone(),
            // Only plain text is served then; the base policy fits it. The
            // string is a constant of ASCII characters.
            Site::Missing { .. } => HeaderValue::from_str(&content_security_policy(&[]))
                .unwrap_or(HeaderValue::from_static("default-src 'none'")),
        }
    }
}

/// The policy: same-origin everything, WebAssembly compilation allowed, and
/// exactly the inline scripts of `index.html` (by hash).
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(&format!(" 'sha256-{h}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )
}

/// Base64 SHA-256 of the body of every inline `<script>` (one without `src`).
pub fn inline_script_hashes(html: &[u8]) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&lower[at..], b"<script").map(|i| at + i) {
        let Some(tag_end) = find(&lower[start..], b">").map(|i| start + i) else {
            break;
        };
        let body_start = tag_end + 1;
        let Some(body_end) = find(&lower[body_start..], b"</script").map(|i| body_start + i) else {
            break;
        };
        let tag = &lower[start..tag_end];
        if find(tag, b" src=").is_none() {
            hashes.push(STANDARD.encode(Sha256::digest(&html[body_start..body_end])));
        }
        at = body_end;
    }
    hashes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `Cache-Control` a successful response for `path` gets, if any.
pub fn cache_policy(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || ENTRY_FILES.contains(&name) || !name.contains('.') {
        // The root, the entry files, and app routes (which get index.html).
        Some(CACHE_REVALIDATE)
    } else if is_hashed_asset(name) {
        Some(CACHE_IMMUTABLE)
    } else {
        None
    }
}

/// True for names with `-` followed by a run of [`ASSET_HASH_DIGITS`] hex
/// digits (Trunk's hash) ending at `_` or `.`, e.g. `app-0123456789abcdef_bg.wasm`.
pub fn is_hashed_asset(name: &str) -> bool {
    name.split('-').skip(1).any(|rest| {
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        ASSET_HASH_DIGITS.contains(&digits)
            && matches!(rest.as_bytes().get(digits), Some(b'_' | b'.'))
    })
}

/// Routes for the app's files; everything the other routes do not claim.
pub fn routes<S: Clone + Send + Sync + 'static>(site: Arc<Site>) -> Router<S> {
    let router = match &*site {
        Site::Ready { dir, .. } => {
            let fallback_site = site.clone();
            let spa =
                (move |uri: Uri| async move { spa_fallback(&fallback_site, &uri) }).into_service();
            let index_site = site.clone();
            let index = move || async move { index_response(&index_site) };
            Router::new()
                .route("/", get(index.clone()))
                .route("/index.html", get(index))
                .fallback_service(ServeDir::new(dir).fallback(spa))
        }
        Site::Missing { .. } => {
            let missing_site = site.clone();
            Router::new().fallback(move || async move { not_built(&missing_site) })
        }
    };
    router
        .layer(middleware::from_fn_with_state(site, static_headers))
        .layer(CompressionLayer::new().br(true).gzip(true))
}

fn index_response(site: &Site) -> Response {
    match site {
        Site::Ready { index, .. } => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Body::from(index.clone()),
        )
            .into_response(),
        Site::Missing { .. } => not_built(site),
    }
}

/// Unknown paths: app routes (no file extension) get `index.html`, so deep
/// links work; missing files stay 404 so a broken asset is not masked as HTML.
fn spa_fallback(site: &Site, uri: &Uri) -> Response {
    let name = uri.path().rsplit('/').next().unwrap_or("");
    if name.contains('.') {
        (StatusCode::NOT_FOUND, "not found").into_response()
    } else {
        index_response(site)
    }
}

fn not_built(site: &Site) -> Response {
    let dir = match site {
        Site::Missing { dir } | Site::Ready { dir, .. } => dir.display().to_string(),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "The Campo app is not built: no {dir}/index.html.\n\
             Build it (trunk build --release) or start the relay with --static-dir pointing at the build.\n"
        ),
    )
        .into_response()
}

/// `Strict-Transport-Security` value: one year, this host only. Subdomains are
/// left alone: they may be other services of the operator's, not on HTTPS.
pub const HSTS: &str = "max-age=31536000";
/// The policy of responses that are not the app (`/healthz`, refusals of `/ws`):
/// nothing may load, nothing may frame them.
pub const CSP_NONE: &str = "default-src 'none'; frame-ancestors 'none'";

/// The headers every response of the relay carries, `/ws` refusals and
/// `/healthz` included: no MIME sniffing, no framing (`X-Frame-Options` for
/// browsers that predate CSP's `frame-ancestors`), no referrer, a CSP when the
/// route set none, and HSTS when the request reached us over HTTPS.
///
/// HTTPS is decided by the request's `X-Forwarded-Proto` rather than by a
/// `--behind-tls` flag. The relay itself speaks only plain HTTP, so HTTPS means a
/// TLS-terminating proxy in front, and that proxy is the one that sets the
/// header. Trusting it costs nothing even when a client forges it: browsers
/// ignore `Strict-Transport-Security` received over plain HTTP (RFC 6797 §8.1),
/// so a forged header can only add HSTS to a response nobody will honour, and a
/// proxy that does not set the header only loses HSTS, never gains it wrongly.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let https = came_over_https(&req);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP_NONE),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    res
}

/// True when the proxy in front says the client used HTTPS. With a chain of
/// proxies the header is a list and the first one is the client's side.
fn came_over_https(req: &Request) -> bool {
    req.headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Caching by file kind, plus the security headers every page needs.
async fn static_headers(State(site): State<Arc<Site>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, site.csp());
    if res.status().is_success()
        && let Some(policy) = cache_policy(&path)
    {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_immutable_and_entry_points_revalidate() {
        assert_eq!(
            cache_policy("/app-0123456789abcdef_bg.wasm"),
            Some(CACHE_IMMUTABLE)
        );
        assert_eq!(
            cache_policy("/app-0123456789abcdef.js"),
            Some(CACHE_IMMUTABLE)
        );
        assert_eq!(
            cache_policy("/style-a1b2c3d4e5f60718.css"),
            Some(CACHE_IMMUTABLE)
        );
        for path in [
            "/",
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/customers/42",
        ] {
            assert_eq!(cache_policy(path), Some(CACHE_REVALIDATE), "{path}");
        }
        // Trunk drops a hash's leading zeros.
        assert_eq!(
            cache_policy("/app-f1a6dbb351548b1.js"),
            Some(CACHE_IMMUTABLE)
        );
        // Not Trunk's hash: too short, too long, not hex.
        assert_eq!(cache_policy("/icon-192.png"), None);
        assert_eq!(cache_policy("/app-0123456789a.js"), None);
        assert_eq!(cache_policy("/app-0123456789abcdef0.js"), None);
        assert_eq!(cache_policy("/app-0123456789abcdeg.js"), None);
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = br#"<html><head>
<script type="module">import init from '/app-0123456789abcdef.js';init();</script>
<SCRIPT src="/other.js"></SCRIPT>
</head></html>"#;
        let hashes = inline_script_hashes(html);
        let body = "import init from '/app-0123456789abcdef.js';init();";
        assert_eq!(
            hashes,
            vec![STANDARD.encode(Sha256::digest(body.as_bytes()))]
        );
        let csp = content_security_policy(&hashes);
        assert!(csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{}';",
            hashes[0]
        )));
        assert!(csp.starts_with("default-src 'self';"));
        assert!(csp.ends_with("object-src 'none'"));
    }

    #[test]
    fn only_https_per_the_first_forwarded_proto_counts() {
        let with = |value: Option<&str>| {
            let mut req = Request::new(Body::empty());
            if let Some(v) = value {
                req.headers_mut()
                    .insert("x-forwarded-proto", HeaderValue::from_str(v).unwrap());
            }
            came_over_https(&req)
        };
        assert!(with(Some("https")));
        assert!(with(Some("HTTPS")));
        assert!(with(Some("https, http")));
        assert!(!with(Some("http, https")));
        assert!(!with(Some("http")));
        assert!(!with(Some("httpsx")));
        assert!(!with(None));
    }

    #[test]
    fn a_missing_build_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let site = Site::load(&dir.path().join("dist"));
        assert!(matches!(site, Site::Missing { .. }));
        let res = not_built(&site);
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
