//! The device side of the sync protocol, as a pure state machine.
//!
//! The shell (the app) owns the socket and storage. It feeds events in
//! ([`SyncClient::connect`], [`SyncClient::receive`], [`SyncClient::push`],
//! [`SyncClient::stored`], [`SyncClient::disconnected`]) and carries out the
//! [`Effect`]s that come back. No IO, no clocks, so every interleaving can be
//! tested natively.
//!
//! Invariants:
//! - A local change stays in the outbox until the relay acknowledges the batch
//!   that carried it; on every (re)connection the whole outbox is sent again (the
//!   relay stores a change once however often it arrives).
//! - The cursor only moves when the shell reports that the entries up to it are
//!   stored ([`SyncClient::stored`]); the next Hello carries that durable cursor.

use crate::ids::{DeviceId, Seq};
use crate::protocol::{
    ClientMsg, DecodeError, DocChange, Entry, ErrorCode, Hello, ServerMsg, batch_changes,
};
use std::collections::{BTreeMap, BTreeSet};

/// A local change's key in the device's outbox (assigned by the shell, increasing).
pub type OutboxId = u64;

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No connection.
    Offline,
    /// Socket open, Hello sent, no Welcome yet.
    Connecting,
    /// Receiving what the device missed.
    CatchingUp,
    /// Up to date; new entries arrive as they are committed.
    Live,
    /// The relay refused the credentials or the protocol version; retrying cannot help.
    Refused,
}

/// What the UI shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub phase: Phase,
    /// Local changes not yet acknowledged by the relay.
    pub pending: usize,
    /// The rep the relay signed us in as.
    pub rep: Option<String>,
}

/// Something the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this frame on the socket.
    Send(Vec<u8>),
    /// Apply these entries to their documents and store them; then call
    /// [`SyncClient::stored`] with `upto`.
    Apply { entries: Vec<Entry>, upto: Seq },
    /// The relay holds these outbox changes durably: delete them locally.
    Acked(Vec<OutboxId>),
    /// The relay refused the connection or a message. Show `message` to the user.
    /// After a fatal code ([`ErrorCode::is_fatal`]) the shell must not reconnect
    /// until the user signs in again.
    Refused { code: ErrorCode, message: String },
}

/// Who the device signs in as. Its `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub team: String,
    pub token: String,
    pub device: DeviceId,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("team", &self.team)
            .field("token", &format_args!("{}", crate::protocol::REDACTED))
            .field("device", &self.device)
            .finish()
    }
}

/// Why a frame from the relay could not be used. The shell should close the socket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("the relay sent an unreadable message: {0}")]
    Decode(#[from] DecodeError),
    #[error("the relay sent {0} before Welcome")]
    OutOfOrder(&'static str),
    #[error("the relay sent entries out of order (seq {got} after cursor {cursor})")]
    Gap { got: u64, cursor: u64 },
}

/// The device's sync state.
pub struct SyncClient {
    credentials: Credentials,
    cursor: Seq,
    /// Highest `upto` handed to the shell to apply (≥ cursor).
    applying: Seq,
    phase: Phase,
    rep: Option<String>,
    outbox: BTreeMap<OutboxId, DocChange>,
    /// Batches sent on this connection, awaiting Ack.
    in_flight: BTreeMap<u64, Vec<OutboxId>>,
    sent: BTreeSet<OutboxId>,
    next_batch: u64,
}

impl SyncClient {
    /// A client restored from storage: its durable cursor and unacknowledged outbox.
    pub fn new(
        credentials: Credentials,
        cursor: Seq,
        outbox: impl IntoIterator<Item = (OutboxId, DocChange)>,
    ) -> SyncClient {
        SyncClient {
            credentials,
            cursor,
            applying: cursor,
            phase: Phase::Offline,
            rep: None,
            outbox: outbox.into_iter().collect(),
            in_flight: BTreeMap::new(),
            sent: BTreeSet::new(),
            next_batch: 1,
        }
    }

    pub fn status(&self) -> Status {
        Status {
            phase: self.phase,
            pending: self.outbox.len(),
            rep: self.rep.clone(),
        }
    }

    pub fn cursor(&self) -> Seq {
        self.cursor
    }

    /// The socket opened: returns the Hello frame to send.
    pub fn connect(&mut self) -> Vec<u8> {
        self.reset_connection();
        self.phase = Phase::Connecting;
        ClientMsg::Hello(Hello {
            team: self.credentials.team.clone(),
            token: self.credentials.token.clone(),
            device: self.credentials.device,
            cursor: self.cursor,
        })
        .encode()
    }

    /// The socket closed (or never opened). A close code from the relay that means
    /// a fatal refusal keeps the client in [`Phase::Refused`].
    pub fn disconnected(&mut self, close_code: Option<u16>) {
        self.reset_connection();
        let fatal = close_code
            .and_then(ErrorCode::from_close_code)
            .is_some_and(ErrorCode::is_fatal);
        self.phase = if fatal || self.phase == Phase::Refused {
            Phase::Refused
        } else {
            Phase::Offline
        };
    }

    fn reset_connection(&mut self) {
        self.in_flight.clear();
        self.sent.clear();
        self.applying = self.cursor;
    }

    /// True while the shell may (re)connect.
    pub fn may_connect(&self) -> bool {
        self.phase != Phase::Refused
    }

    /// A local change to send; it is kept until acknowledged.
    pub fn push(&mut self, id: OutboxId, change: DocChange) -> Vec<Effect> {
        self.outbox.insert(id, change);
        self.flush()
    }

    /// Frames for every outbox change not yet sent on this connection.
    fn flush(&mut self) -> Vec<Effect> {
        if !matches!(self.phase, Phase::CatchingUp | Phase::Live) {
            return Vec::new();
        }
        let unsent: Vec<(OutboxId, DocChange)> = self
            .outbox
            .iter()
            .filter(|(id, _)| !self.sent.contains(id))
            .map(|(id, c)| (*id, c.clone()))
            .collect();
        let mut effects = Vec::new();
        for batch in batch_changes(unsent) {
            let number = self.next_batch;
            self.next_batch += 1;
            let ids: Vec<OutboxId> = batch.iter().map(|(id, _)| *id).collect();
            self.sent.extend(&ids);
            self.in_flight.insert(number, ids);
            let changes = batch.into_iter().map(|(_, c)| c).collect();
            effects.push(Effect::Send(
                ClientMsg::Push {
                    batch: number,
                    changes,
                }
                .encode(),
            ));
        }
        effects
    }

    /// A frame from the relay.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Vec<Effect>, SyncError> {
        match ServerMsg::decode(frame)? {
            ServerMsg::Welcome { rep, .. } => {
                self.rep = Some(rep);
                self.phase = Phase::CatchingUp;
                Ok(self.flush())
            }
            ServerMsg::Changes {
                entries,
                upto,
                more,
            } => {
                if self.phase == Phase::Connecting {
                    return Err(SyncError::OutOfOrder("changes"));
                }
                if let Some(e) = entries
                    .iter()
                    .find(|e| e.seq <= self.applying || e.seq > upto)
                {
                    return Err(SyncError::Gap {
                        got: e.seq.0,
                        cursor: self.applying.0,
                    });
                }
                if !more {
                    self.phase = Phase::Live;
                }
                if upto <= self.applying {
                    return Ok(Vec::new());
                }
                self.applying = upto;
                Ok(vec![Effect::Apply { entries, upto }])
            }
            ServerMsg::Ack { batch } => {
                let ids = self.in_flight.remove(&batch).unwrap_or_default();
                for id in &ids {
                    self.outbox.remove(id);
                    self.sent.remove(id);
                }
                Ok(if ids.is_empty() {
                    Vec::new()
                } else {
                    vec![Effect::Acked(ids)]
                })
            }
            ServerMsg::Error { code, message } => {
                if code.is_fatal() {
                    self.phase = Phase::Refused;
                }
                Ok(vec![Effect::Refused { code, message }])
            }
        }
    }

    /// The shell stored every entry up to `upto` durably.
    pub fn stored(&mut self, upto: Seq) {
        if upto > self.cursor {
            self.cursor = upto;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DocId;

    fn client() -> SyncClient {
        SyncClient::new(
            Credentials {
                team: "acme".into(),
                token: "t".into(),
                device: DeviceId([7; 16]),
            },
            Seq(0),
            [],
        )
    }

    #[test]
    fn debug_output_of_credentials_never_shows_the_token() {
        let secret = "campo_s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3Ts3c";
        let credentials = Credentials {
            team: "acme".into(),
            token: secret.into(),
            device: DeviceId([7; 16]),
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("acme") && shown.contains(crate::protocol::REDACTED));
    }

    fn change(n: u8) -> DocChange {
        DocChange {
            doc: DocId([n; 16]),
            bytes: vec![n],
        }
    }

    fn welcome() -> Vec<u8> {
        ServerMsg::Welcome {
            team: "acme".into(),
            rep: "Anna".into(),
            head: Seq(0),
        }
        .encode()
    }

    fn sent_pushes(effects: &[Effect]) -> Vec<ClientMsg> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(f) => Some(ClientMsg::decode(f).unwrap()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn offline_changes_wait_then_go_after_welcome_and_leave_on_ack() {
        let mut c = client();
        assert!(c.push(1, change(1)).is_empty(), "offline: nothing sent");
        assert_eq!(c.status().pending, 1);
        let hello = ClientMsg::decode(&c.connect()).unwrap();
        assert!(matches!(
            hello,
            ClientMsg::Hello(Hello { cursor: Seq(0), .. })
        ));
        let effects = c.receive(&welcome()).unwrap();
        let pushes = sent_pushes(&effects);
        assert_eq!(pushes.len(), 1);
        let ClientMsg::Push { batch, changes } = &pushes[0] else {
            panic!("push expected")
        };
        assert_eq!(changes, &vec![change(1)]);
        let acked = c
            .receive(&ServerMsg::Ack { batch: *batch }.encode())
            .unwrap();
        assert_eq!(acked, vec![Effect::Acked(vec![1])]);
        assert_eq!(c.status().pending, 0);
    }

    #[test]
    fn unacked_changes_are_resent_after_reconnect() {
        let mut c = client();
        c.connect();
        c.receive(&welcome()).unwrap();
        assert_eq!(sent_pushes(&c.push(5, change(5))).len(), 1);
        c.disconnected(None);
        assert_eq!(c.status().phase, Phase::Offline);
        c.connect();
        let again = sent_pushes(&c.receive(&welcome()).unwrap());
        assert_eq!(again.len(), 1, "the unacknowledged change goes again");
        // An Ack for a batch of the old connection must not drop anything.
        assert!(
            c.receive(&ServerMsg::Ack { batch: 999 }.encode())
                .unwrap()
                .is_empty()
        );
        assert_eq!(c.status().pending, 1);
    }

    #[test]
    fn cursor_moves_only_when_stored() {
        let mut c = client();
        c.connect();
        c.receive(&welcome()).unwrap();
        let entries = vec![Entry {
            seq: Seq(3),
            doc: DocId([1; 16]),
            bytes: vec![1],
        }];
        let frame = ServerMsg::Changes {
            entries: entries.clone(),
            upto: Seq(4),
            more: false,
        }
        .encode();
        let effects = c.receive(&frame).unwrap();
        assert_eq!(
            effects,
            vec![Effect::Apply {
                entries,
                upto: Seq(4)
            }]
        );
        assert_eq!(c.status().phase, Phase::Live);
        assert_eq!(c.cursor(), Seq(0), "not stored yet");
        c.disconnected(None);
        let ClientMsg::Hello(h) = ClientMsg::decode(&c.connect()).unwrap() else {
            panic!()
        };
        assert_eq!(h.cursor, Seq(0), "a crash before storing re-fetches");
        c.receive(&welcome()).unwrap();
        c.receive(&frame).unwrap();
        c.stored(Seq(4));
        c.disconnected(None);
        let ClientMsg::Hello(h) = ClientMsg::decode(&c.connect()).unwrap() else {
            panic!()
        };
        assert_eq!(h.cursor, Seq(4));
    }

    #[test]
    fn a_replayed_entry_is_a_protocol_error() {
        let mut c = client();
        c.connect();
        c.receive(&welcome()).unwrap();
        let e = |s| Entry {
            seq: Seq(s),
            doc: DocId([1; 16]),
            bytes: vec![],
        };
        c.receive(
            &ServerMsg::Changes {
                entries: vec![e(1), e(2)],
                upto: Seq(2),
                more: false,
            }
            .encode(),
        )
        .unwrap();
        let replay = ServerMsg::Changes {
            entries: vec![e(2)],
            upto: Seq(3),
            more: false,
        }
        .encode();
        assert!(matches!(
            c.receive(&replay),
            Err(SyncError::Gap { got: 2, .. })
        ));
    }

    #[test]
    fn changes_before_welcome_are_refused() {
        let mut c = client();
        c.connect();
        let frame = ServerMsg::Changes {
            entries: vec![],
            upto: Seq(1),
            more: false,
        }
        .encode();
        assert_eq!(c.receive(&frame), Err(SyncError::OutOfOrder("changes")));
    }

    #[test]
    fn a_wrong_token_is_fatal_and_stops_reconnecting() {
        let mut c = client();
        c.connect();
        let frame = ServerMsg::error(
            ErrorCode::WrongTeam,
            "this token is not valid for team acme",
        )
        .encode();
        let effects = c.receive(&frame).unwrap();
        assert!(matches!(
            &effects[0],
            Effect::Refused {
                code: ErrorCode::WrongTeam,
                ..
            }
        ));
        c.disconnected(Some(4403));
        assert!(!c.may_connect());
        let mut d = client();
        d.connect();
        d.disconnected(Some(ErrorCode::Unauthorized.close_code()));
        assert_eq!(d.status().phase, Phase::Refused);
        let mut e = client();
        e.connect();
        e.disconnected(Some(1006));
        assert!(e.may_connect(), "a dropped network is not a refusal");
    }
}
