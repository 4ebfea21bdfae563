//! The team administration API: a team's administrator lists, creates and
//! revokes the team's tokens over HTTP. The app's Team page uses it; the
//! `token` subcommands do the same on the relay's machine.
//!
//! - `GET /api/teams/{team}/tokens` → `200 {"team", "tokens": [{"rep", "admin",
//!   "created", "revoked", "hash_prefix"}]}`, oldest first; `revoked` is null
//!   for an active token. Never the tokens themselves.
//! - `POST /api/teams/{team}/tokens` with `{"rep": "Anna", "admin": false}`
//!   (`admin` optional) → `201 {"token", "rep", "admin"}`: the only time the
//!   token is shown.
//! - `DELETE /api/teams/{team}/tokens/{rep}` → `200 {"revoked": n}`, every
//!   active token of the rep, or 404 when there is none. The rep's open
//!   sessions close within the re-check interval, as after `token revoke`.
//!
//! Every request carries `Authorization: Bearer <token>`, an unrevoked
//! administrator's token of the team named in the path: without one (missing,
//! malformed, unknown, revoked) the answer is 401; another team's token or a
//! rep's token gets 403. Errors are `{"error": "<code>", "message": "<what to
//! do>"}`. Replies are never cached (`Cache-Control: no-store`), tokens are
//! never logged, and bodies are at most [`MAX_BODY_BYTES`].

use crate::AppState;
use crate::auth::{self, AdminRefusal, AuthError, Role, SignedIn};
use crate::names::{BadRep, BadTeam, Rep, Team};
use crate::store::{Store, StoreError, TokenInfo};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted; a token request is a rep's name and a flag.
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// The API's routes, to merge into [`crate::app`]'s router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/teams/{team}/tokens", get(list).post(create))
        .route("/api/teams/{team}/tokens/{rep}", delete(revoke))
        // Anything else under /api is a client's mistake, not a page of the app.
        .route("/api/{*rest}", any(|| async { AdminError::NoSuchEndpoint }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Why an admin request failed; [`IntoResponse`] gives each its status.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(
        "send an administrator's token of the team in the header Authorization: Bearer <token>"
    )]
    NoCredentials,
    #[error(transparent)]
    Refused(#[from] AdminRefusal),
    #[error(transparent)]
    BadTeam(#[from] BadTeam),
    #[error(transparent)]
    BadRep(#[from] BadRep),
    /// The path or the body could not be read (malformed JSON, too large…).
    #[error("{message}")]
    BadRequest { status: StatusCode, message: String },
    #[error(
        "team {team} has no active token for rep {rep:?}; list the team's tokens to see who has one"
    )]
    NoActiveToken { team: Team, rep: String },
    #[error("there is no such endpoint; see /api/teams/TEAM/tokens")]
    NoSuchEndpoint,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a relay task failed: {0}")]
    Task(String),
}

impl From<AuthError> for AdminError {
    fn from(e: AuthError) -> AdminError {
        match e {
            AuthError::NoActiveToken { team, rep } => AdminError::NoActiveToken { team, rep },
            AuthError::Store(e) => AdminError::Store(e),
            AuthError::Random(message) => AdminError::Task(message),
        }
    }
}

impl From<JsonRejection> for AdminError {
    fn from(r: JsonRejection) -> AdminError {
        AdminError::BadRequest {
            status: r.status(),
            message: r.body_text(),
        }
    }
}

impl From<PathRejection> for AdminError {
    fn from(r: PathRejection) -> AdminError {
        AdminError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            message: r.body_text(),
        }
    }
}

impl AdminError {
    /// The status and the machine-readable code of the error body.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            AdminError::NoCredentials | AdminError::Refused(AdminRefusal::Unknown) => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            AdminError::Refused(AdminRefusal::OtherTeam(_) | AdminRefusal::NotAdmin(_)) => {
                (StatusCode::FORBIDDEN, "forbidden")
            }
            AdminError::BadTeam(_) | AdminError::BadRep(_) => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            AdminError::BadRequest { status, .. } => (*status, "bad_request"),
            AdminError::NoActiveToken { .. } | AdminError::NoSuchEndpoint => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            AdminError::Refused(AdminRefusal::Store(_))
            | AdminError::Store(_)
            | AdminError::Task(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, error) = self.status();
        // Internal failures are logged in full and described generically.
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "an admin request failed");
            "the relay failed; nothing was changed. Retry later".to_owned()
        } else {
            self.to_string()
        };
        (status, Json(ErrorBody { error, message })).into_response()
    }
}

/// One token as listed.
#[derive(Debug, Serialize)]
pub struct TokenRow {
    pub rep: String,
    pub admin: bool,
    /// UTC, to the second: `2026-01-31T09:30:00Z`.
    pub created: String,
    pub revoked: Option<String>,
    /// The first hex digits of the token's SHA-256, to tell tokens apart.
    pub hash_prefix: String,
}

impl From<TokenInfo> for TokenRow {
    fn from(t: TokenInfo) -> TokenRow {
        TokenRow {
            rep: t.rep,
            admin: t.admin,
            created: t.created_at,
            revoked: t.revoked_at,
            hash_prefix: t.id,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TokenList {
    pub team: String,
    pub tokens: Vec<TokenRow>,
}

/// `POST`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub rep: String,
    #[serde(default)]
    pub admin: bool,
}

/// `POST`'s reply: the token, shown this once.
#[derive(Serialize)]
pub struct Created {
    pub token: String,
    pub rep: String,
    pub admin: bool,
}

#[derive(Debug, Serialize)]
pub struct Revoked {
    pub revoked: usize,
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<TokenList>, AdminError> {
    let Path(team) = path?;
    let (team, _admin) = authorize(&state, &headers, &team).await?;
    let listed = {
        let team = team.clone();
        blocking(&state, move |s| auth::list(s, &team)).await?
    };
    Ok(Json(TokenList {
        team: team.to_string(),
        tokens: listed.into_iter().map(TokenRow::from).collect(),
    }))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), AdminError> {
    let Path(team) = path?;
    // Credentials first: a caller without them learns nothing from the body's checks.
    let (team, by) = authorize(&state, &headers, &team).await?;
    let Json(new) = body?;
    let rep = Rep::parse(&new.rep)?;
    let role = if new.admin { Role::Admin } else { Role::Rep };
    let token = {
        let (team, rep) = (team.clone(), rep.clone());
        blocking(&state, move |s| auth::issue_as(s, &team, &rep, role)).await?
    };
    tracing::info!(%team, rep = %rep, admin = new.admin, by = %by.rep, "token created");
    Ok((
        StatusCode::CREATED,
        Json(Created {
            token: token.reveal().to_owned(),
            rep: rep.to_string(),
            admin: new.admin,
        }),
    ))
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Revoked>, AdminError> {
    let Path((team, rep)) = path?;
    let (team, by) = authorize(&state, &headers, &team).await?;
    let rep = Rep::parse(&rep)?;
    // The same revocation as `token revoke`: open sessions notice it at their
    // next token re-check and close.
    let revoked = {
        let (team, rep) = (team.clone(), rep.clone());
        blocking(&state, move |s| auth::revoke(s, &team, rep.as_str())).await?
    };
    tracing::info!(%team, rep = %rep, revoked, by = %by.rep, "tokens revoked");
    Ok(Json(Revoked { revoked }))
}

/// The caller's `Bearer` token, checked to be an unrevoked admin token of
/// `team`; returns the team and who the caller is.
async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    team: &str,
) -> Result<(Team, SignedIn), AdminError> {
    let token = bearer(headers).ok_or(AdminError::NoCredentials)?.to_owned();
    let team = Team::parse(team)?;
    let checked = team.clone();
    let admin = blocking(state, move |s| auth::admin_sign_in(s, &checked, &token)).await?;
    Ok((team, admin))
}

/// The token of an `Authorization: Bearer <token>` header (the scheme's case
/// does not matter, RFC 7235), if there is one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Runs a blocking store call off the async runtime.
async fn blocking<T, E>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, E> + Send + 'static,
) -> Result<T, AdminError>
where
    T: Send + 'static,
    E: Into<AdminError> + Send + 'static,
{
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .map_err(|e| AdminError::Task(e.to_string()))?
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn the_bearer_token_is_read_from_the_authorization_header() {
        assert_eq!(
            bearer(&with_authorization("Bearer campo_abc")),
            Some("campo_abc")
        );
        assert_eq!(
            bearer(&with_authorization("bearer   campo_abc ")),
            Some("campo_abc")
        );
        assert_eq!(bearer(&with_authorization("Basic dXNlcjpwdw==")), None);
        assert_eq!(bearer(&with_authorization("Bearer")), None);
        assert_eq!(bearer(&with_authorization("Bearer  ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn each_failure_has_its_status() {
        let acme = Team::parse("acme").unwrap();
        let status = |e: AdminError| e.status().0.as_u16();
        assert_eq!(status(AdminError::NoCredentials), 401);
        assert_eq!(status(AdminRefusal::Unknown.into()), 401);
        assert_eq!(status(AdminRefusal::OtherTeam(acme.clone()).into()), 403);
        assert_eq!(status(AdminRefusal::NotAdmin(acme.clone()).into()), 403);
        assert_eq!(status(BadRep("".into()).into()), 400);
        assert_eq!(status(BadTeam("A".into()).into()), 400);
        assert_eq!(
            status(AdminError::NoActiveToken {
                team: acme,
                rep: "Anna".into()
            }),
            404
        );
        assert_eq!(status(StoreError::WriterGone.into()), 500);
    }
}
