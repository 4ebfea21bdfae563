//! One device's WebSocket session, from Hello to close.
//!
//! Order of events, as the protocol requires:
//! 1. Hello within [`HELLO_TIMEOUT`]; the token is checked against the team named.
//! 2. Subscribe to the team's live commits, then read the head and send Welcome,
//!    then the catch-up from the cursor to that head. Subscribing first means a
//!    commit made meanwhile arrives live; entries already sent are skipped by seq.
//! 3. Live: forward committed groups without the device's own entries (a group
//!    of only its own entries still goes out, empty, to move its cursor); answer
//!    pushes with Ack once durable.
//!
//! Limits, from [`crate::limits::Limits`]: a team has at most
//! `max_connections_per_team` sessions; pushes are rate-limited per connection
//! (refused before anything is stored); the token is re-checked on every push
//! (by the store, in the transaction that would store it)
//! and every `token_recheck_interval`, so a revoked token's sessions close; the
//! relay pings every `ping_interval` and closes a session that sent nothing,
//! not even a pong, for `idle_timeout`, and ends one whose write has waited as
//! long for the client to read (see [`write`]).
//!
//! A cursor above the head (the relay's data was reset or replaced) is treated as
//! a cursor of 0: the device receives the whole log again, its own entries
//! included. Automerge ignores changes it already has, so this is safe, and it
//! restores a wiped relay's entries to a device that has them in a different order.

use crate::AppState;
use crate::auth::TokenHash;
use crate::error::{Farewell, SessionError, UpgradeRefusal, close_reason};
use crate::names::Team;
use crate::rate::PushRate;
use crate::store::{Batch, Group, LogEntry, Store, StoreError};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use campo_core::ids::{DeviceId, Seq};
use campo_core::protocol::{
    CHUNK_TARGET_BYTES, ClientMsg, DecodeError, ENTRY_OVERHEAD_BYTES, Entry, Hello,
    MAX_FRAME_BYTES, ServerMsg, changes_frame, chunk_entries,
};
use futures_util::SinkExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, Interval, MissedTickBehavior, sleep_until, timeout};

/// How long a new connection may take to send Hello.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the client's reply to our close frame.
pub const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// The WebSocket layer's read buffer per session. The library zero-fills
/// the buffer's free room before every read attempt, and a session attempts a
/// read each time it wakes (for every live group it forwards): at the default
/// 128 KiB that filling was a quarter of the relay's CPU with 1,000 sessions,
/// and the buffers most of its memory. Larger pushes take a few more reads.
pub const WS_READ_BUFFER_BYTES: usize = 16 * 1024;
/// Pushes up to this size are checked on the session's own thread; larger
/// ones on the blocking pool.
pub const INLINE_CHECK_BYTES: usize = 16 * 1024;
/// Most committed groups forwarded in one live message (they are chunked by
/// size as any entries are).
pub const MAX_GROUPS_PER_MESSAGE: usize = 64;
/// The WebSocket layer's own limit, above [`MAX_FRAME_BYTES`] so an oversized
/// frame still reaches the decoder and is refused with a code and a reason
/// instead of a dropped socket.
pub const WS_MAX_MESSAGE_BYTES: usize = 2 * MAX_FRAME_BYTES;

/// `GET /ws`: checks the page's origin (see [`crate::origin`]), upgrades and
/// runs a session.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    uri: Uri,
    State(state): State<AppState>,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        // HTTP/1.1 names the host in `Host`, HTTP/2 in the URI's authority.
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| uri.authority().map(|a| a.as_str()));
        let origin_text = origin.to_str().ok();
        // An Origin that is not even text cannot be on any list.
        let allowed = origin_text.is_some()
            && crate::origin::is_allowed(origin_text, host, &state.allowed_origins);
        if !allowed {
            let shown = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            tracing::info!(origin = %shown, "refused a WebSocket from a foreign origin");
            return UpgradeRefusal::ForeignOrigin(shown).into_response();
        }
    }
    ws.max_message_size(WS_MAX_MESSAGE_BYTES)
        .max_frame_size(WS_MAX_MESSAGE_BYTES)
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .on_upgrade(move |socket| run(socket, state))
}

/// Runs one session to its end and says goodbye the way the error requires.
pub async fn run(mut socket: WebSocket, state: AppState) {
    let outcome = match state.slots.clone().try_acquire_owned() {
        Ok(_permit) => session(&mut socket, &state).await,
        Err(_) => Err(SessionError::Full),
    };
    if let Err(e) = outcome {
        match &e {
            SessionError::Store(_) | SessionError::Task(_) => {
                tracing::error!(error = %e, "session failed")
            }
            _ => tracing::debug!(error = %e, "session ended"),
        }
        // A message the WebSocket layer refused at its header is still
        // arriving, and the layer reads nothing after its error. Closing at once
        // would reset the connection with that input unread, and a reset can make
        // the client drop the Error and close frames unread; so the socket stays
        // open for the close grace (a lingering close).
        let unread_input = matches!(
            e,
            SessionError::Decode(DecodeError::TooLarge(size)) if size > WS_MAX_MESSAGE_BYTES
        );
        farewell(&mut socket, e.farewell()).await;
        if unread_input {
            tokio::time::sleep(CLOSE_GRACE).await;
        }
    }
}

async fn farewell(socket: &mut WebSocket, farewell: Farewell) {
    let (code, reason) = match farewell {
        Farewell::Silent => return,
        Farewell::Close { code, reason } => (code, reason),
        Farewell::Refuse { code, message } => {
            let frame = ServerMsg::error(code, message.clone()).encode();
            let _ = write(
                CLOSE_GRACE,
                socket.send(Message::Binary(Bytes::from(frame))),
            )
            .await;
            (code.close_code(), message)
        }
    };
    let close = CloseFrame {
        code,
        reason: close_reason(&reason).into(),
    };
    // Bounded like every write: a client that reads nothing holds no farewell
    // (nor the relay's shutdown) for longer than the grace.
    if write(CLOSE_GRACE, socket.send(Message::Close(Some(close))))
        .await
        .is_ok()
    {
        // Let the client answer the close so it sees a clean close, not a reset.
        let _ = timeout(CLOSE_GRACE, async {
            while let Some(Ok(_)) = socket.recv().await {}
        })
        .await;
    }
}

/// What the client sent.
enum Incoming {
    Frame(Bytes),
    /// A ping or pong: no content, but proof the client is there. (axum
    /// answers pings itself.)
    Control,
}

/// The next thing the client sent; `None` when it closed.
async fn next_incoming(socket: &mut WebSocket) -> Result<Option<Incoming>, SessionError> {
    match socket.recv().await {
        None | Some(Ok(Message::Close(_))) => Ok(None),
        Some(Err(e)) => Err(read_error(e)),
        Some(Ok(Message::Binary(b))) => Ok(Some(Incoming::Frame(b))),
        Some(Ok(Message::Text(_))) => Err(SessionError::TextFrame),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(Some(Incoming::Control)),
    }
}

/// Why reading failed. A message over [`WS_MAX_MESSAGE_BYTES`] is stopped by
/// the WebSocket layer at its header, before it is read; it is refused like any
/// oversized frame (4413 with its size), not taken for a dropped connection, so
/// the client learns why. Anything else means the connection is gone.
fn read_error(e: axum::Error) -> SessionError {
    use tungstenite::error::{CapacityError, Error};
    match e.into_inner().downcast::<Error>().map(|e| *e) {
        Ok(Error::Capacity(CapacityError::MessageTooLong { size, .. })) => {
            SessionError::Decode(DecodeError::TooLarge(size))
        }
        _ => SessionError::Gone,
    }
}

/// The next binary frame, skipping pings and pongs; `None` when the client closed.
async fn next_frame(socket: &mut WebSocket) -> Result<Option<Bytes>, SessionError> {
    loop {
        match next_incoming(socket).await? {
            None => return Ok(None),
            Some(Incoming::Frame(b)) => return Ok(Some(b)),
            Some(Incoming::Control) => continue,
        }
    }
}

/// An interval whose first tick is one `period` from now; a late tick is not
/// made up for.
fn every(period: Duration) -> Interval {
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval
}

/// Sends one message, waiting at most `within` for the client to make room
/// for it ([`write`]).
async fn send(
    socket: &mut WebSocket,
    msg: &ServerMsg,
    within: Duration,
) -> Result<(), SessionError> {
    write(
        within,
        socket.send(Message::Binary(Bytes::from(msg.encode()))),
    )
    .await
}

/// Awaits a write to the client for at most `within` (the idle timeout). A
/// write waits while the client's socket buffers are full; one still waiting
/// after that long means the client reads nothing (it stopped, or its network
/// vanished without a close), and waiting on would hold its session, and the
/// relay's shutdown, on a write that may never finish. The session then ends
/// without a farewell, which could not be written either; the device
/// reconnects and catches up from its cursor.
async fn write<E>(
    within: Duration,
    write: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), SessionError> {
    match timeout(within, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SessionError::Gone),
        Err(_) => Err(SessionError::NotReading(within)),
    }
}

/// Runs a blocking store call off the async runtime.
async fn blocking<T, E>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> Result<T, E> + Send + 'static,
) -> Result<T, SessionError>
where
    T: Send + 'static,
    E: Into<SessionError> + Send + 'static,
{
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .map_err(|e| SessionError::Task(e.to_string()))?
        .map_err(Into::into)
}

/// Resolves when the relay shuts down; never if nobody can trigger shutdown.
async fn shutdown_requested(state: &AppState) {
    let mut rx = state.shutdown.clone();
    if rx.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn session(socket: &mut WebSocket, state: &AppState) -> Result<(), SessionError> {
    let first = match timeout(HELLO_TIMEOUT, next_frame(socket)).await {
        Err(_) => return Err(SessionError::HelloTimeout(HELLO_TIMEOUT)),
        Ok(frame) => frame?,
    };
    let Some(first) = first else { return Ok(()) };
    let hello: Hello = match ClientMsg::decode(&first)? {
        ClientMsg::Hello(h) => h,
        ClientMsg::Push { .. } => return Err(SessionError::PushBeforeHello),
    };

    let (team_name, token) = (hello.team.clone(), hello.token.clone());
    let signed_in = blocking(state, move |s| crate::auth::sign_in(s, &team_name, &token)).await?;
    let limits = state.limits;
    // Held until the session ends.
    let _team_slot = state
        .team_slots
        .try_acquire(&signed_in.team, limits.max_connections_per_team)
        .ok_or_else(|| SessionError::TeamFull(signed_in.team.clone()))?;
    tracing::info!(team = %signed_in.team, rep = %signed_in.rep, device = %hello.device, "signed in");

    // Subscribe before reading the head: see the module docs.
    let mut live = state.hub.subscribe(&signed_in.team);
    let team = signed_in.team.clone();
    let head = blocking(state, move |s| s.head(&team)).await?;
    // The push rate starts before Welcome goes out: a client that paces its
    // pushes from Welcome on (as `campo-bench seed` does) never counts on
    // tokens this bucket does not have yet.
    let rate = PushRate::new(&limits, Instant::now());
    send(
        socket,
        &ServerMsg::Welcome {
            team: signed_in.team.to_string(),
            rep: signed_in.rep.clone(),
            head,
        },
        limits.idle_timeout,
    )
    .await?;

    let (from, skip_own) = if hello.cursor > head {
        (Seq(0), false)
    } else {
        (hello.cursor, hello.cursor > Seq(0))
    };
    let mut s = Session {
        socket,
        state,
        team: signed_in.team,
        device: hello.device,
        token: TokenHash::of(&hello.token),
        rate,
        sent: from,
    };
    s.send_log(from, head, skip_own, true).await?;

    let mut recheck = every(limits.token_recheck_interval);
    let mut ping = every(limits.ping_interval);
    // Made once, not on every turn of the loop: a session turns for every live
    // group, and registering a shutdown waiter and an idle timer each time
    // was work multiplied by every device of the team.
    let shutdown = shutdown_requested(state);
    tokio::pin!(shutdown);
    let idle = sleep_until(Instant::now() + limits.idle_timeout);
    tokio::pin!(idle);
    loop {
        // Biased, so each branch has a fixed rank: shutdown and the rare timers
        // first (a client flooding pings cannot put off the token re-check),
        // and what the client sent before the idle deadline, so a client whose
        // pong waited behind a long send to it is not taken for idle.
        tokio::select! {
            biased;
            () = &mut shutdown => return Err(SessionError::ShuttingDown),
            _ = recheck.tick() => match s.check_token().await {
                // A failed lookup proves nothing about the token: keep the
                // session and look again next time. (A push's own check fails
                // the push instead.)
                Err(e @ (SessionError::Store(_) | SessionError::Task(_))) => {
                    tracing::warn!(error = %e, "could not re-check a session's token");
                }
                other => other?,
            },
            _ = ping.tick() => {
                write(limits.idle_timeout, s.socket.send(Message::Ping(Bytes::new()))).await?;
            }
            incoming = next_incoming(s.socket) => match incoming? {
                None => return Ok(()),
                Some(Incoming::Control) => {
                    idle.as_mut().reset(Instant::now() + limits.idle_timeout);
                }
                Some(Incoming::Frame(bytes)) => {
                    idle.as_mut().reset(Instant::now() + limits.idle_timeout);
                    s.handle_frame(&bytes).await?;
                }
            },
            group = live.recv() => match group {
                Ok(group) => {
                    // Groups already waiting go out with it, in one message:
                    // when the relay is busy, one write carries many commits.
                    let mut groups = vec![group];
                    let mut lagged = false;
                    while groups.len() < MAX_GROUPS_PER_MESSAGE {
                        match live.try_recv() {
                            Ok(g) => groups.push(g),
                            Err(TryRecvError::Lagged(_)) => {
                                lagged = true;
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    if lagged {
                        // The store has every committed entry, these included.
                        s.recover().await?;
                    } else {
                        s.forward(&groups).await?;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "slow connection re-reads from the store");
                    s.recover().await?;
                }
                Err(RecvError::Closed) => return Err(SessionError::ShuttingDown),
            },
            () = &mut idle => return Err(SessionError::Idle(limits.idle_timeout)),
        }
    }
}

/// A signed-in session.
struct Session<'a> {
    socket: &'a mut WebSocket,
    state: &'a AppState,
    team: Team,
    device: DeviceId,
    /// The hash of the token the session signed in with, to re-check it.
    token: TokenHash,
    rate: PushRate,
    /// The highest seq the device has been sent (or deliberately not sent,
    /// because it wrote the entry). Nothing at or below it is sent again.
    sent: Seq,
}

fn to_entry(e: LogEntry) -> Entry {
    Entry {
        seq: e.seq,
        doc: e.doc,
        bytes: e.bytes,
    }
}

/// Bytes an entry takes in a message, as [`chunk_entries`] counts them.
fn wire_size(e: &LogEntry) -> usize {
    e.bytes.len() + ENTRY_OVERHEAD_BYTES
}

/// Entries of live groups waiting to go out in messages built for one device:
/// each entry's encoding (shared with the group's other recipients), its size
/// and seq.
#[derive(Default)]
struct Pending<'g> {
    parts: Vec<(&'g [u8], usize, Seq)>,
}

impl Pending<'_> {
    /// Live messages (`more: false`) carrying the entries, chunked as
    /// [`chunk_entries`] chunks, the last one ending at `upto`; one empty
    /// message when there are none.
    fn frames(&self, upto: Seq) -> Vec<Bytes> {
        let mut frames = Vec::new();
        let mut chunk: Vec<&[u8]> = Vec::new();
        let mut size = 0;
        let mut last = upto;
        for &(part, bytes, seq) in &self.parts {
            if !chunk.is_empty() && size + bytes > CHUNK_TARGET_BYTES {
                frames.push(Bytes::from(changes_frame(&chunk, last, false)));
                chunk.clear();
                size = 0;
            }
            size += bytes;
            chunk.push(part);
            last = seq;
        }
        frames.push(Bytes::from(changes_frame(&chunk, upto, false)));
        frames
    }
}

impl Session<'_> {
    /// How long a write to this device may wait ([`write`]).
    fn within(&self) -> Duration {
        self.state.limits.idle_timeout
    }

    async fn handle_frame(&mut self, frame: &[u8]) -> Result<(), SessionError> {
        match ClientMsg::decode(frame)? {
            ClientMsg::Hello(_) => Err(SessionError::SecondHello),
            ClientMsg::Push { batch, changes } => {
                if !self.rate.admit(frame.len(), Instant::now()) {
                    return Err(SessionError::TooFast);
                }
                let (team, device) = (self.team.clone(), self.device);
                // Parsing a usual push (an edit or a few: hundreds of bytes)
                // takes microseconds and is done here; a large one, up to a
                // megabyte of changes, is CPU work and runs off the runtime's
                // worker threads.
                let valid = if frame.len() <= INLINE_CHECK_BYTES {
                    Batch::validate(team, device, changes)?
                } else {
                    blocking(self.state, move |_| Batch::validate(team, device, changes)).await?
                };
                // The store checks the token in the transaction that stores
                // the batch: no lookup of its own per push.
                let committed = match self
                    .state
                    .store
                    .append(valid.require_token(self.token.0))
                    .await
                {
                    Err(StoreError::Revoked) => return Err(SessionError::Revoked),
                    other => other?,
                };
                tracing::debug!(batch, stored = committed.stored, head = ?committed.head, "push durable");
                send(self.socket, &ServerMsg::Ack { batch }, self.within()).await
            }
        }
    }

    /// Ends the session if its token was revoked since it signed in.
    async fn check_token(&mut self) -> Result<(), SessionError> {
        let hash = self.token;
        if blocking(self.state, move |s| crate::auth::still_valid(s, &hash)).await? {
            Ok(())
        } else {
            Err(SessionError::Revoked)
        }
    }

    /// Sends the log entries in `(from, to]` as `Changes` chunks. In catch-up
    /// mode `more` marks all but the last chunk, and a final (possibly empty)
    /// chunk with `upto = to` always ends it; otherwise every chunk is a live
    /// message (`more: false`), see [`Session::send_live`].
    async fn send_log(
        &mut self,
        from: Seq,
        to: Seq,
        skip_own: bool,
        catch_up: bool,
    ) -> Result<(), SessionError> {
        let mut after = from;
        let mut finished = false;
        while after < to {
            let team = self.team.clone();
            let rows = blocking(self.state, move |s| {
                s.read_range(&team, after, to, CHUNK_TARGET_BYTES)
            })
            .await?;
            let Some(last) = rows.last().map(|e| e.seq) else {
                break;
            };
            let device = self.device;
            let entries: Vec<Entry> = rows
                .into_iter()
                .filter(|e| !(skip_own && e.device == device))
                .map(to_entry)
                .collect();
            if !catch_up {
                self.send_live(entries, last).await?;
                after = last;
                continue;
            }
            let chunks = chunk_entries(entries);
            let count = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                // The read's last chunk also covers any own entries left out
                // after its last entry.
                let upto = if i + 1 == count {
                    last
                } else {
                    chunk.last().map_or(last, |e| e.seq)
                };
                let more = upto < to;
                finished |= !more;
                send(
                    self.socket,
                    &ServerMsg::Changes {
                        entries: chunk,
                        upto,
                        more,
                    },
                    self.within(),
                )
                .await?;
            }
            after = last;
            self.sent = self.sent.max(last);
        }
        if catch_up && !finished {
            send(
                self.socket,
                &ServerMsg::Changes {
                    entries: Vec::new(),
                    upto: to,
                    more: false,
                },
                self.within(),
            )
            .await?;
        }
        self.sent = self.sent.max(to);
        Ok(())
    }

    /// Forwards live groups (in commit order), minus this device's entries and
    /// anything sent. Each group is encoded once for all its recipients: a
    /// device that wrote none of a group gets the group's shared message; the
    /// entries of groups it wrote some of go out in messages built from the
    /// groups' encoded entries. All are written, then flushed once.
    async fn forward(&mut self, groups: &[Arc<Group>]) -> Result<(), SessionError> {
        let mut upto = self.sent;
        // What the frames in `out` bring the device's cursor to.
        let mut covered = self.sent;
        let mut out: Vec<Bytes> = Vec::new();
        let mut pending = Pending::default();
        for group in groups {
            if group.upto() <= upto {
                continue;
            }
            let first_new = group.entries.iter().map(|e| e.seq).find(|s| *s > upto);
            if first_new != Some(Seq(upto.0 + 1)) {
                // Entries between what was sent and this group are missing from the
                // broadcast (should not happen, as groups come in commit order):
                // the store has them.
                return self.recover().await;
            }
            let wire = group.wire();
            let whole = group.entries.first().map(|e| e.seq) == first_new;
            let shared = whole
                && group.entries.iter().all(|e| e.device != self.device)
                && (group.entries.len() == 1
                    || group.entries.iter().map(wire_size).sum::<usize>() <= CHUNK_TARGET_BYTES);
            if shared {
                if !pending.parts.is_empty() {
                    out.extend(pending.frames(upto));
                }
                pending = Pending::default();
                out.push(wire.frame.clone());
                covered = group.upto();
            } else {
                for (i, e) in group.entries.iter().enumerate() {
                    if e.seq > upto && e.device != self.device {
                        pending.parts.push((wire.part(i), wire_size(e), e.seq));
                    }
                }
            }
            upto = group.upto();
        }
        if upto <= self.sent {
            return Ok(());
        }
        if covered < upto {
            // With no entries (all were this device's own) one empty message
            // still moves the device's cursor to `upto`, as the protocol
            // requires, so its next Hello does not ask for its own changes again.
            out.extend(pending.frames(upto));
        }
        let within = self.within();
        let socket = &mut *self.socket;
        write(within, async move {
            for frame in out {
                socket.feed(Message::Binary(frame)).await?;
            }
            socket.flush().await
        })
        .await?;
        self.sent = upto;
        Ok(())
    }

    /// Sends `entries` (in seq order) as live messages ending at `upto`. A group
    /// can hold many pushes, so it is chunked to keep each frame under the
    /// limit. With no entries (all were this device's own) one empty message
    /// still moves the device's cursor to `upto`, as the protocol requires, so
    /// its next Hello does not ask for its own changes again.
    async fn send_live(&mut self, entries: Vec<Entry>, upto: Seq) -> Result<(), SessionError> {
        let mut chunks = chunk_entries(entries);
        if chunks.is_empty() {
            chunks.push(Vec::new());
        }
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let chunk_upto = if i + 1 == count {
                upto
            } else {
                chunk.last().map_or(upto, |e| e.seq)
            };
            send(
                self.socket,
                &ServerMsg::Changes {
                    entries: chunk,
                    upto: chunk_upto,
                    more: false,
                },
                self.within(),
            )
            .await?;
        }
        self.sent = self.sent.max(upto);
        Ok(())
    }

    /// Re-reads from the store everything after what was sent, up to the head.
    async fn recover(&mut self) -> Result<(), SessionError> {
        let team = self.team.clone();
        let head = blocking(self.state, move |s| s.head(&team)).await?;
        self.send_log(self.sent, head, true, false).await
    }
}
