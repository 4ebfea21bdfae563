//! Which web pages may open the relay's WebSocket.
//!
//! Browsers send `Origin` with every WebSocket request and let any page open a
//! socket to any host, so without this check a page from another site could
//! use a rep's relay from the rep's browser. A request whose `Origin` is present
//! must name the relay itself (the `Host` it was sent to, over http or https)
//! or an origin allowed with `--allowed-origin`. Requests without `Origin` come
//! from programs, not pages, and are let through: they still need a token.

use std::fmt;

/// An origin given with `--allowed-origin`: `scheme://host[:port]`, lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin(String);

/// Why an `--allowed-origin` value was refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0:?} is not an origin; give it as scheme://host[:port] with http or https and nothing after, e.g. https://crm.example.com"
)]
pub struct BadOrigin(String);

impl AllowedOrigin {
    pub fn parse(text: &str) -> Result<AllowedOrigin, BadOrigin> {
        let bad = || BadOrigin(text.to_owned());
        let lower = text.trim_end_matches('/').to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let host_ok = !rest.is_empty()
            && rest.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
            });
        if !host_ok {
            return Err(bad());
        }
        Ok(AllowedOrigin(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AllowedOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True if a WebSocket request with this `Origin` (None: absent), sent to
/// `host` (None: unknown), may be upgraded.
pub fn is_allowed(origin: Option<&str>, host: Option<&str>, allowed: &[AllowedOrigin]) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    // Scheme and host are case-insensitive; browsers send them lowercase.
    let origin = origin.to_ascii_lowercase();
    if let Some(host) = host {
        let host = host.to_ascii_lowercase();
        if origin == format!("http://{host}") || origin == format!("https://{host}") {
            return true;
        }
    }
    allowed.iter().any(|a| a.0 == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_origins_are_normalised_and_checked() {
        let o = AllowedOrigin::parse("HTTPS://CRM.example.com:8443/").unwrap();
        assert_eq!(o.as_str(), "https://crm.example.com:8443");
        assert!(AllowedOrigin::parse("crm.example.com").is_err());
        assert!(AllowedOrigin::parse("ftp://crm.example.com").is_err());
        assert!(AllowedOrigin::parse("https://crm.example.com/app").is_err());
        assert!(AllowedOrigin::parse("https://").is_err());
    }

    #[test]
    fn same_origin_and_listed_origins_pass_others_do_not() {
        let host = Some("relay.example:8080");
        let none: &[AllowedOrigin] = &[];
        assert!(is_allowed(None, host, none), "no Origin: not a browser");
        assert!(is_allowed(Some("http://relay.example:8080"), host, none));
        assert!(is_allowed(Some("https://Relay.Example:8080"), host, none));
        assert!(!is_allowed(Some("https://evil.example"), host, none));
        assert!(!is_allowed(Some("null"), host, none));
        assert!(
            !is_allowed(Some("http://relay.example"), host, none),
            "port differs"
        );
        assert!(!is_allowed(Some("http://relay.example:8080"), None, none));
        let extra = [AllowedOrigin::parse("https://crm.example.com").unwrap()];
        assert!(is_allowed(Some("https://crm.example.com"), host, &extra));
        assert!(is_allowed(Some("http://relay.example:8080"), host, &extra));
    }
}
