//! The one place where a session's failures become protocol errors and WebSocket
//! close codes.

use crate::auth::Refusal;
use crate::names::Team;
use crate::store::{BadChange, StoreError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use campo_core::protocol::{DecodeError, ErrorCode};
use std::time::Duration;

/// A close frame's reason is at most 123 bytes (RFC 6455 §5.5: 125-byte control
/// payload minus the 2-byte code).
pub const MAX_CLOSE_REASON_BYTES: usize = 123;
/// Close code when the relay shuts down or drops an idle connection ("going
/// away"); the client reconnects.
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close reason for a connection that sent nothing for the idle timeout.
pub const IDLE_REASON: &str = "idle";

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("malformed message: frames must be binary")]
    TextFrame,
    #[error("no Hello within {} s", .0.as_secs())]
    HelloTimeout(Duration),
    #[error("a Push arrived before Hello; send Hello first")]
    PushBeforeHello,
    #[error("Hello was already received on this connection")]
    SecondHello,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    BadChange(#[from] BadChange),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a relay task failed: {0}")]
    Task(String),
    #[error("the relay has too many connections; retry later")]
    Full,
    #[error("team {0} has too many connections open; close some devices or retry later")]
    TeamFull(Team),
    /// The session's token was revoked while it was open.
    #[error("this token was revoked")]
    Revoked,
    #[error("too many changes too fast; slow down")]
    TooFast,
    #[error("nothing received for {} s", .0.as_secs())]
    Idle(Duration),
    /// A write to the client waited this long for room: it reads nothing.
    #[error("nothing read for {} s", .0.as_secs())]
    NotReading(Duration),
    /// The socket closed or failed: nobody to tell.
    #[error("the connection is gone")]
    Gone,
    #[error("the relay is shutting down")]
    ShuttingDown,
}

/// How to say goodbye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Farewell {
    /// The socket is gone; nothing can be sent.
    Silent,
    /// A close frame only (no protocol error to report).
    Close { code: u16, reason: String },
    /// [`campo_core::protocol::ServerMsg::Error`], then a close frame with the
    /// code's close code and the (truncated) message as reason.
    Refuse { code: ErrorCode, message: String },
}

impl SessionError {
    /// The error code the client is told. Internal failures are described
    /// generically: their details are logged, not sent.
    pub fn farewell(&self) -> Farewell {
        let refuse = |code: ErrorCode| Farewell::Refuse {
            code,
            message: self.to_string(),
        };
        match self {
            SessionError::Decode(e) => refuse(e.code()),
            SessionError::TextFrame => refuse(ErrorCode::Malformed),
            SessionError::HelloTimeout(_)
            | SessionError::PushBeforeHello
            | SessionError::SecondHello => refuse(ErrorCode::OutOfOrder),
            SessionError::Refused(Refusal::Unknown) => refuse(ErrorCode::Unauthorized),
            SessionError::Refused(Refusal::OtherTeam(_)) => refuse(ErrorCode::WrongTeam),
            SessionError::BadChange(_) => refuse(ErrorCode::InvalidChange),
            SessionError::Revoked => refuse(ErrorCode::Unauthorized),
            SessionError::Full | SessionError::TeamFull(_) | SessionError::TooFast => {
                refuse(ErrorCode::RateLimited)
            }
            SessionError::Idle(_) => Farewell::Close {
                code: CLOSE_GOING_AWAY,
                reason: IDLE_REASON.into(),
            },
            SessionError::Refused(Refusal::Store(_))
            | SessionError::Store(_)
            | SessionError::Task(_) => Farewell::Refuse {
                code: ErrorCode::Internal,
                message: "the relay failed; nothing of this batch was stored. Retry later".into(),
            },
            // A client that reads nothing would not read a farewell either.
            SessionError::Gone | SessionError::NotReading(_) => Farewell::Silent,
            SessionError::ShuttingDown => Farewell::Close {
                code: CLOSE_GOING_AWAY,
                reason: "the relay is restarting; reconnect shortly".into(),
            },
        }
    }
}

/// Why a request to `/ws` was refused before the upgrade.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeRefusal {
    #[error(
        "pages from {0} may not use this relay; its operator can allow them with --allowed-origin {0}"
    )]
    ForeignOrigin(String),
}

impl IntoResponse for UpgradeRefusal {
    fn into_response(self) -> Response {
        let status = match self {
            UpgradeRefusal::ForeignOrigin(_) => StatusCode::FORBIDDEN,
        };
        (status, self.to_string()).into_response()
    }
}

/// `message` cut to fit a close frame, on a character boundary.
pub fn close_reason(message: &str) -> &str {
    if message.len() <= MAX_CLOSE_REASON_BYTES {
        return message;
    }
    let mut end = MAX_CLOSE_REASON_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_cut_on_a_char_boundary() {
        assert_eq!(close_reason("short"), "short");
        let long = "é".repeat(100); // 200 bytes
        let cut = close_reason(&long);
        assert_eq!(cut.len(), 122);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(close_reason(&"a".repeat(200)).len(), 123);
    }

    #[test]
    fn each_refusal_has_its_close_code() {
        let code = |e: SessionError| match e.farewell() {
            Farewell::Refuse { code, .. } => code.close_code(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(code(Refusal::Unknown.into()), 4401);
        assert_eq!(code(Refusal::OtherTeam("x".into()).into()), 4403);
        assert_eq!(code(SessionError::PushBeforeHello), 4409);
        assert_eq!(code(DecodeError::Version(9).into()), 4426);
        assert_eq!(code(DecodeError::TooLarge(1 << 21).into()), 4413);
        assert_eq!(code(DecodeError::Malformed("x".into()).into()), 4400);
        assert_eq!(code(SessionError::Store(StoreError::WriterGone)), 1011);
        assert_eq!(code(SessionError::Revoked), 4401);
        assert_eq!(code(SessionError::TooFast), 4429);
        assert_eq!(
            code(SessionError::TeamFull(Team::parse("acme").unwrap())),
            4429
        );
        assert_eq!(
            SessionError::Idle(Duration::from_secs(60)).farewell(),
            Farewell::Close {
                code: 1001,
                reason: "idle".into()
            }
        );
        let refused = UpgradeRefusal::ForeignOrigin("https://evil.example".into()).into_response();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(SessionError::Gone.farewell(), Farewell::Silent);
        assert_eq!(
            SessionError::NotReading(Duration::from_secs(60)).farewell(),
            Farewell::Silent
        );
    }
}
