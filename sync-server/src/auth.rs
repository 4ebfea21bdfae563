//! Access tokens: how they look, how they are stored, how a Hello is checked.
//!
//! A token is `campo_` followed by 43 base64url characters (32 random bytes). The
//! relay stores only its SHA-256, so a copy of the database grants no access, and
//! never logs the token text.

use crate::names::{Rep, Team};
use crate::store::{Store, StoreError, TokenInfo};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::fmt;

/// What every token starts with, so a leaked one is recognisable by scanners.
pub const TOKEN_PREFIX: &str = "campo_";
/// Random bytes in a token.
pub const TOKEN_RANDOM_BYTES: usize = 32;
/// Base64url characters those bytes take (no padding).
pub const TOKEN_RANDOM_CHARS: usize = 43;

/// A token's secret text. Its `Debug` hides the secret so it cannot end up in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}…)", TOKEN_PREFIX)
    }
}

impl Token {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Result<Token, AuthError> {
        let mut bytes = [0u8; TOKEN_RANDOM_BYTES];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(Token(format!(
            "{TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// The text to hand to the rep (printed once by `token create`).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

/// True if `text` has the shape of a token; a cheap check before a lookup.
pub fn looks_like_token(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
        rest.len() == TOKEN_RANDOM_CHARS
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// SHA-256 of a token's text: the key it is stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }
}

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the system random source failed: {0}")]
    Random(String),
    #[error(
        "team {team} has no active token for rep {rep:?}; see `campo-relay token list --team {team}`"
    )]
    NoActiveToken { team: Team, rep: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who a valid token signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub team: Team,
    pub rep: String,
}

/// Why a Hello's credentials were refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Unknown, revoked or not even shaped like a token.
    #[error("this token is not valid")]
    Unknown,
    /// A valid token of another team than the Hello names.
    #[error("this token is not valid for team {0}")]
    OtherTeam(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a token may do besides syncing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Signs a rep's devices in.
    Rep,
    /// Also lists, creates and revokes the team's tokens ([`crate::admin`]).
    /// A team's first admin is made on the command line (`token create --admin`).
    Admin,
}

/// Creates a rep's token for `rep` in `team`; only its hash is stored.
pub fn issue(store: &dyn Store, team: &Team, rep: &Rep) -> Result<Token, AuthError> {
    issue_as(store, team, rep, Role::Rep)
}

/// Creates a token with `role` for `rep` in `team`; only its hash is stored.
pub fn issue_as(store: &dyn Store, team: &Team, rep: &Rep, role: Role) -> Result<Token, AuthError> {
    let token = Token::generate()?;
    store.create_token(team, rep.as_str(), &token.hash().0, role == Role::Admin)?;
    Ok(token)
}

/// Revokes every active token of `rep` in `team`; returns how many.
pub fn revoke(store: &dyn Store, team: &Team, rep: &str) -> Result<usize, AuthError> {
    match store.revoke_tokens(team, rep)? {
        0 => Err(AuthError::NoActiveToken {
            team: team.clone(),
            rep: rep.to_owned(),
        }),
        n => Ok(n),
    }
}

/// The team's tokens (no secrets).
pub fn list(store: &dyn Store, team: &Team) -> Result<Vec<TokenInfo>, AuthError> {
    Ok(store.list_tokens(team)?)
}

/// Checks a Hello's token against the team it names. Blocking (one lookup).
pub fn sign_in(store: &dyn Store, team: &str, token: &str) -> Result<SignedIn, Refusal> {
    if !looks_like_token(token) {
        return Err(Refusal::Unknown);
    }
    let record = store
        .find_token(&TokenHash::of(token).0)?
        .filter(|r| !r.revoked)
        .ok_or(Refusal::Unknown)?;
    if record.team != team {
        return Err(Refusal::OtherTeam(team.to_owned()));
    }
    // The stored team was validated when the token was issued.
    let team = Team::parse(&record.team)
        .map_err(|e| Refusal::Store(StoreError::Corrupt(e.to_string())))?;
    Ok(SignedIn {
        team,
        rep: record.rep,
    })
}

/// Why a request to the admin API was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminRefusal {
    /// Unknown, revoked or not even shaped like a token.
    #[error("this token is not valid; sign in with an administrator's token of the team")]
    Unknown,
    /// A valid token of another team than the request names.
    #[error("this token is not valid for team {0}")]
    OtherTeam(Team),
    /// A valid token of the team that is not an administrator's.
    #[error(
        "this token is not an administrator's; an admin of team {0} can act, or make one with `campo-relay token create --admin`"
    )]
    NotAdmin(Team),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks that `token` is an unrevoked administrator's token of `team`, and
/// says whose. Blocking (one lookup).
pub fn admin_sign_in(
    store: &dyn Store,
    team: &Team,
    token: &str,
) -> Result<SignedIn, AdminRefusal> {
    if !looks_like_token(token) {
        return Err(AdminRefusal::Unknown);
    }
    let record = store
        .find_token(&TokenHash::of(token).0)?
        .filter(|r| !r.revoked)
        .ok_or(AdminRefusal::Unknown)?;
    if record.team != team.as_str() {
        return Err(AdminRefusal::OtherTeam(team.clone()));
    }
    if !record.admin {
        return Err(AdminRefusal::NotAdmin(team.clone()));
    }
    Ok(SignedIn {
        team: team.clone(),
        rep: record.rep,
    })
}

/// True while the token with this hash exists and is not revoked. Blocking
/// (one lookup by primary key); an open session calls it periodically, so a
/// `token revoke` run by another process reaches sessions already signed in.
pub fn still_valid(store: &dyn Store, hash: &TokenHash) -> Result<bool, StoreError> {
    Ok(store.find_token(&hash.0)?.is_some_and(|r| !r.revoked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;
    use std::sync::Arc;

    #[test]
    fn tokens_have_the_documented_format_and_differ() {
        let a = Token::generate().unwrap();
        let b = Token::generate().unwrap();
        assert_ne!(a, b);
        assert!(a.reveal().starts_with("campo_"));
        assert_eq!(a.reveal().len(), TOKEN_PREFIX.len() + TOKEN_RANDOM_CHARS);
        assert!(looks_like_token(a.reveal()));
        assert!(!looks_like_token("campo_short"));
        assert!(!looks_like_token(&format!("other_{}", &a.reveal()[6..])));
        assert!(
            !format!("{a:?}").contains(&a.reveal()[6..]),
            "Debug must not leak the secret"
        );
    }

    #[test]
    fn the_hash_is_sha256_of_the_token_text() {
        // SHA-256("abc") from FIPS 180-2.
        let h = TokenHash::of("abc");
        assert_eq!(
            h.0[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "known SHA-256 test vector"
        );
        assert_eq!(h.0[28..], [0xf2, 0x00, 0x15, 0xad]);
    }

    #[test]
    fn sign_in_tells_unknown_revoked_and_other_team_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let acme = Team::parse("acme").unwrap();
        let token = issue(&store, &acme, &Rep::parse("Anna").unwrap()).unwrap();

        let ok = sign_in(&store, "acme", token.reveal()).unwrap();
        assert_eq!(
            ok,
            SignedIn {
                team: acme.clone(),
                rep: "Anna".into()
            }
        );

        let other = sign_in(&store, "globex", token.reveal()).unwrap_err();
        assert_eq!(other.to_string(), "this token is not valid for team globex");

        let forged = Token::generate().unwrap();
        assert!(matches!(
            sign_in(&store, "acme", forged.reveal()),
            Err(Refusal::Unknown)
        ));
        assert!(matches!(
            sign_in(&store, "acme", "garbage"),
            Err(Refusal::Unknown)
        ));

        assert!(still_valid(&store, &token.hash()).unwrap());
        assert_eq!(revoke(&store, &acme, "Anna").unwrap(), 1);
        assert!(!still_valid(&store, &token.hash()).unwrap());
        assert!(!still_valid(&store, &forged.hash()).unwrap());
        assert!(matches!(
            sign_in(&store, "acme", token.reveal()),
            Err(Refusal::Unknown)
        ));
        assert!(matches!(
            revoke(&store, &acme, "Anna"),
            Err(AuthError::NoActiveToken { .. })
        ));
    }

    #[test]
    fn only_an_unrevoked_admin_of_the_team_passes_admin_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Arc::new(())).unwrap();
        let acme = Team::parse("acme").unwrap();
        let globex = Team::parse("globex").unwrap();
        let boss = issue_as(&store, &acme, &Rep::parse("Boss").unwrap(), Role::Admin).unwrap();
        let anna = issue(&store, &acme, &Rep::parse("Anna").unwrap()).unwrap();

        let ok = admin_sign_in(&store, &acme, boss.reveal()).unwrap();
        assert_eq!(ok.rep, "Boss");
        // An admin token still signs devices in like any other.
        assert_eq!(sign_in(&store, "acme", boss.reveal()).unwrap().rep, "Boss");

        assert!(matches!(
            admin_sign_in(&store, &acme, anna.reveal()),
            Err(AdminRefusal::NotAdmin(_))
        ));
        assert!(matches!(
            admin_sign_in(&store, &globex, boss.reveal()),
            Err(AdminRefusal::OtherTeam(_))
        ));
        assert!(matches!(
            admin_sign_in(&store, &acme, "garbage"),
            Err(AdminRefusal::Unknown)
        ));
        assert!(matches!(
            admin_sign_in(&store, &acme, Token::generate().unwrap().reveal()),
            Err(AdminRefusal::Unknown)
        ));

        revoke(&store, &acme, "Boss").unwrap();
        assert!(matches!(
            admin_sign_in(&store, &acme, boss.reveal()),
            Err(AdminRefusal::Unknown)
        ));
    }
}
