//! The WebSocket to the relay, driving [`SyncClient`] (the pure protocol state
//! machine in the core): socket events go in, the client's effects are carried out.
//!
//! Incoming frames are processed strictly one at a time, in arrival order, by a
//! single async worker fed from a queue: applying a batch awaits IndexedDB, and
//! the next frame must not overtake it (the cursor would run ahead of the stored
//! documents). Socket opens and closes go through the same queue so they stay
//! ordered with the frames around them.
//!
//! A device with nothing stored (cursor 0) first fetches the team's snapshot
//! (`GET /api/teams/{team}/snapshot`, see `campo_core::snapshot`): the whole book
//! as saved documents with summaries, stored in packs of [`PACK_DOCS`] without
//! opening one document. Its cursor then moves to the snapshot's mark and the
//! WebSocket asks only for what follows.
//!
//! Only the tab holding the sync lock ([`crate::tabs`]) connects; in the other
//! tabs the connection stays closed, local changes are announced to the syncing
//! tab, and the status shown is the syncing tab's.

use crate::records::{Records, log};
use crate::settings::Session;
use crate::state::{AppState, Refusal, Stage};
use crate::tabs::{Channel, TabMsg};
use campo_core::protocol::{DocChange, ErrorCode};
use campo_core::sync::{Credentials, Effect, OutboxId, Phase, SyncClient};
use gloo_timers::callback::Timeout;
use js_sys::{ArrayBuffer, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// First reconnection delay; it doubles after each failure up to [`MAX_BACKOFF_MS`].
const FIRST_BACKOFF_MS: u32 = 1_000;
const MAX_BACKOFF_MS: u32 = 5_000;
/// Close code the app uses when it drops a connection itself (bad frame, storage failure).
const CLOSE_APP: u16 = 4000;
/// Documents per pack of a stored snapshot: one IndexedDB write each (~250-700
/// KB). Opening a packed document reads its whole pack, so packs stay small
/// enough for that read to take a few milliseconds.
const PACK_DOCS: usize = 250;

/// A socket event, tagged with the connection it belongs to.
enum SocketEvent {
    Open(u64),
    Frame(u64, Vec<u8>),
    Closed(u64, u16),
}

/// One WebSocket and the callbacks that must live as long as it.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Detaches the callbacks and closes the socket; its later events are ignored.
    fn shut(self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

pub struct SyncConn {
    records: Rc<Records>,
    ui: AppState,
    tabs: Rc<Channel>,
    /// This tab holds the sync lock.
    leader: Cell<bool>,
    client: RefCell<Option<SyncClient>>,
    credentials: RefCell<Option<Credentials>>,
    /// Signing in to a team other than the one stored: the database is emptied
    /// when the relay welcomes us (not before, so a mistyped team or a refused
    /// token never costs the stored records and unsent changes).
    reset_on_welcome: Cell<bool>,
    socket: RefCell<Option<Socket>>,
    /// Number of the current connection; events of older ones are dropped.
    generation: Cell<u64>,
    /// A connection on which the app gave up (bad frame); its queued frames are dropped.
    broken: Cell<u64>,
    queue: RefCell<VecDeque<SocketEvent>>,
    working: Cell<bool>,
    backoff_ms: Cell<u32>,
    retry: RefCell<Option<Timeout>>,
    /// The snapshot step is done for this client (stored, or none to fetch).
    bootstrapped: Cell<bool>,
    /// A snapshot is being fetched and stored.
    bootstrapping: Cell<bool>,
}

/// Why fetching the snapshot failed.
enum SnapshotFailure {
    /// The relay refused the token.
    Refused(ErrorCode),
    /// No answer, a server error, or a stream cut short: try again later.
    Retry(String),
    /// Storing it failed.
    Storage(crate::storage::StorageError),
}

impl SyncConn {
    pub fn new(records: Rc<Records>, ui: AppState, tabs: Rc<Channel>) -> Rc<SyncConn> {
        Rc::new(SyncConn {
            records,
            ui,
            tabs,
            leader: Cell::new(false),
            client: RefCell::new(None),
            credentials: RefCell::new(None),
            reset_on_welcome: Cell::new(false),
            socket: RefCell::new(None),
            generation: Cell::new(0),
            broken: Cell::new(0),
            queue: RefCell::new(VecDeque::new()),
            working: Cell::new(false),
            backoff_ms: Cell::new(FIRST_BACKOFF_MS),
            retry: RefCell::new(None),
            bootstrapped: Cell::new(false),
            bootstrapping: Cell::new(false),
        })
    }

    /// Starts syncing as `credentials`, from the stored cursor and outbox; with
    /// `new_team`, from nothing, replacing the stored records once welcomed.
    pub fn start(self: &Rc<Self>, credentials: Credentials, client: SyncClient, new_team: bool) {
        self.reset_on_welcome.set(new_team);
        self.ui.team.set(credentials.team.clone());
        self.bootstrapped
            .set(client.cursor() > campo_core::ids::Seq(0));
        *self.credentials.borrow_mut() = Some(credentials);
        *self.client.borrow_mut() = Some(client);
        self.backoff_ms.set(FIRST_BACKOFF_MS);
        self.publish();
        self.connect_now();
    }

    /// This tab now holds the sync lock (the caller restarts from storage).
    pub fn become_leader(&self) {
        self.leader.set(true);
    }

    /// Who this tab syncs as, once started.
    pub fn credentials(&self) -> Option<Credentials> {
        self.credentials.borrow().clone()
    }

    /// This tab carries the sync itself: it holds the sync lock, or it is signing
    /// in (the form needs the relay's answer) and keeps the connection it opened.
    pub fn syncs(&self) -> bool {
        self.leader.get()
            || self.ui.stage.get_untracked() == Stage::SigningIn
            || self.socket.borrow().is_some()
    }

    /// Tells the other tabs how sync stands (a new tab asked).
    pub fn announce(&self) {
        if self.syncs()
            && let Some(status) = self.client.borrow().as_ref().map(SyncClient::status)
        {
            self.tabs.send(&TabMsg::Status(status));
        }
    }

    /// Another tab's status, shown while this tab does not sync.
    pub fn mirror(&self, status: campo_core::sync::Status) {
        if !self.syncs() && self.ui.status.get_untracked() != status {
            self.ui.status.set(status);
        }
    }

    /// Stops syncing (before signing in again).
    pub fn stop(&self) {
        self.retry.borrow_mut().take();
        self.generation.set(self.generation.get() + 1);
        if let Some(s) = self.socket.borrow_mut().take() {
            s.shut();
        }
        *self.client.borrow_mut() = None;
    }

    fn phase(&self) -> Option<Phase> {
        self.client.borrow().as_ref().map(|c| c.status().phase)
    }

    /// Reconnects at once if the device is offline (the browser's `online` event).
    pub fn network_back(self: &Rc<Self>) {
        if self.phase() == Some(Phase::Offline) {
            self.backoff_ms.set(FIRST_BACKOFF_MS);
            self.connect_now();
        }
    }

    /// The browser says the network is gone: close now rather than wait for a timeout.
    pub fn network_lost(&self) {
        if let Some(s) = self.socket.borrow().as_ref() {
            let _ = s.ws.close();
        }
    }

    /// Opens a new socket, replacing any current one.
    fn connect_now(self: &Rc<Self>) {
        self.retry.borrow_mut().take();
        if !self.leader.get() && self.ui.stage.get_untracked() != Stage::SigningIn {
            // Another tab syncs.
            return;
        }
        if !self
            .client
            .borrow()
            .as_ref()
            .is_some_and(SyncClient::may_connect)
        {
            return;
        }
        if let Some(old) = self.socket.borrow_mut().take() {
            old.shut();
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        if !self.bootstrapped.get() {
            if !self.bootstrapping.replace(true) {
                spawn_local(self.clone().bootstrap(generation));
            }
            return;
        }
        match self.open_socket(generation) {
            Ok(socket) => *self.socket.borrow_mut() = Some(socket),
            Err(e) => {
                log(&format!("cannot open the connection to the relay: {e:?}"));
                self.schedule_retry();
            }
        }
    }

    fn open_socket(self: &Rc<Self>, generation: u64) -> Result<Socket, wasm_bindgen::JsValue> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        let url = format!("{scheme}://{}/ws", location.host()?);
        let ws = WebSocket::new(&url)?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let weak = Rc::downgrade(self);
        let on_open = Closure::<dyn FnMut()>::new(move || {
            crate::platform::mark("campo-socket-open");
            enqueue(&weak, SocketEvent::Open(generation));
        });
        let weak = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match ev.data().dyn_into::<ArrayBuffer>() {
                Ok(buf) => enqueue(
                    &weak,
                    SocketEvent::Frame(generation, Uint8Array::new(&buf).to_vec()),
                ),
                // The protocol is binary only; a text frame is a relay bug.
                Err(_) => log("ignoring a non-binary frame from the relay"),
            }
        });
        let weak = Rc::downgrade(self);
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            enqueue(&weak, SocketEvent::Closed(generation, ev.code()));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Fetches and stores the team's snapshot, then connects.
    async fn bootstrap(self: Rc<Self>, generation: u64) {
        let result = self.fetch_snapshot(generation).await;
        self.bootstrapping.set(false);
        self.ui.download.set(None);
        if self.generation.get() != generation {
            // Stopped or restarted meanwhile; the new start decides.
            return;
        }
        match result {
            Ok(()) => {
                self.bootstrapped.set(true);
                self.connect_now();
            }
            Err(SnapshotFailure::Refused(code)) => {
                if let Some(c) = self.client.borrow_mut().as_mut() {
                    c.disconnected(Some(code.close_code()));
                }
                self.refused(code);
                self.publish();
            }
            Err(SnapshotFailure::Retry(why)) => {
                log(&format!("fetching the team's book: {why}"));
                if self.ui.stage.get_untracked() == Stage::SigningIn {
                    self.ui.unreachable.set(true);
                }
                self.schedule_retry();
            }
            Err(SnapshotFailure::Storage(e)) => {
                if matches!(e, crate::storage::StorageError::Full) {
                    self.ui.storage_full.set(true);
                }
                log(&format!("storing the team's book: {e}"));
                self.schedule_retry();
            }
        }
    }

    async fn fetch_snapshot(&self, generation: u64) -> Result<(), SnapshotFailure> {
        use campo_core::snapshot::{SnapshotDoc, SnapshotReader};
        use wasm_bindgen_futures::JsFuture;
        let Some(creds) = self.credentials.borrow().clone() else {
            return Ok(());
        };
        let retry = |what: &str| SnapshotFailure::Retry(what.to_owned());
        let window = web_sys::window().ok_or_else(|| retry("no window"))?;
        let headers = web_sys::Headers::new().map_err(|_| retry("no headers"))?;
        headers
            .set("Authorization", &format!("Bearer {}", creds.token))
            .map_err(|_| SnapshotFailure::Refused(ErrorCode::Unauthorized))?;
        let init = web_sys::RequestInit::new();
        init.set_method("GET");
        init.set_headers(&headers);
        let path = format!(
            "/api/teams/{}/snapshot",
            js_sys::encode_uri_component(&creds.team)
        );
        crate::platform::mark("campo-snapshot-fetch");
        let request = web_sys::Request::new_with_str_and_init(&path, &init)
            .map_err(|_| retry("cannot make the request"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| retry("the relay is unreachable"))?
            .dyn_into()
            .map_err(|_| retry("not a response"))?;
        match response.status() {
            200 => {}
            // No snapshot yet: the log has everything, from the start.
            204 => return Ok(()),
            401 => return Err(SnapshotFailure::Refused(ErrorCode::Unauthorized)),
            403 => return Err(SnapshotFailure::Refused(ErrorCode::WrongTeam)),
            status => return Err(retry(&format!("the relay answered {status}"))),
        }
        crate::platform::mark("campo-snapshot-response");
        let body = response.body().ok_or_else(|| retry("an empty answer"))?;
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let mut stream = SnapshotReader::new();
        let mut pending: Vec<SnapshotDoc> = Vec::new();
        let mut started = false;
        let mut unpacked = std::collections::HashSet::new();
        let mut readable = true;
        let mut stored = 0u64;
        let mut summaries = Vec::new();
        // Where the time goes, logged at the end (waiting for bytes, reading
        // them, storing them).
        let now = || js_sys::Date::now();
        let (mut waited, mut parsed, mut storing) = (0.0, 0.0, 0.0);
        loop {
            let t = now();
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| retry("the transfer was cut short"))?;
            waited += now() - t;
            let done = js_sys::Reflect::get(&chunk, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if !done {
                let value: Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
                    .map_err(|_| retry("an unreadable chunk"))?
                    .unchecked_into();
                let t = now();
                pending.extend(
                    stream
                        .feed(&value.to_vec())
                        .map_err(|e| retry(&e.to_string()))?,
                );
                parsed += now() - t;
            }
            if self.generation.get() != generation {
                return Ok(());
            }
            if !started && let Some(header) = stream.header() {
                if header.team != creds.team {
                    return Err(retry("the relay sent another team's book"));
                }
                readable = header.summary_format == campo_core::summary::SUMMARY_FORMAT;
                self.prepare_for_snapshot()
                    .await
                    .map_err(SnapshotFailure::Storage)?;
                unpacked = self
                    .records
                    .storage()
                    .unpacked_doc_ids()
                    .await
                    .map_err(SnapshotFailure::Storage)?;
                self.ui.download.set(Some((0, header.docs)));
                started = true;
            }
            while pending.len() >= PACK_DOCS || (done && !pending.is_empty()) {
                let t = now();
                let take = pending.len().min(PACK_DOCS);
                let chunk: Vec<SnapshotDoc> = pending.drain(..take).collect();
                stored += chunk.len() as u64;
                let shown = self
                    .records
                    .store_snapshot_chunk(chunk, &unpacked, readable)
                    .await
                    .map_err(SnapshotFailure::Storage)?;
                // Shown all at once at the end: each upsert rebuilds the index.
                summaries.extend(shown);
                let total = stream.header().map_or(stored, |h| h.docs.max(stored));
                self.ui.download.set(Some((stored, total)));
                storing += now() - t;
            }
            if done {
                break;
            }
        }
        let header = stream.finish().map_err(|e| retry(&e.to_string()))?.clone();
        crate::platform::mark("campo-snapshot-stored");
        log(&format!(
            "stored the team's book: {stored} records; waiting for bytes {waited:.0} ms, reading {parsed:.0} ms, storing {storing:.0} ms"
        ));
        self.ui.upsert(summaries);
        crate::platform::mark("campo-snapshot-indexed");
        let storage = self.records.storage();
        if !readable {
            // Another build's summaries: make them from the documents.
            let ids = storage
                .load_doc_ids()
                .await
                .map_err(SnapshotFailure::Storage)?;
            let rebuilt = self
                .records
                .rebuild_summaries(&ids)
                .await
                .map_err(SnapshotFailure::Storage)?;
            self.ui.upsert(rebuilt);
        }
        storage
            .set_cursor(header.upto)
            .await
            .map_err(SnapshotFailure::Storage)?;
        if let Some(c) = self.client.borrow_mut().as_mut() {
            c.stored(header.upto);
        }
        Ok(())
    }

    /// Before storing a snapshot: a database of another team is emptied (the
    /// relay accepted the token, so the team is right) and syncs under a new
    /// device id; packs left by a snapshot cut short are dropped.
    async fn prepare_for_snapshot(&self) -> Result<(), crate::storage::StorageError> {
        let storage = self.records.storage();
        if self.reset_on_welcome.get() {
            let team = self.credentials.borrow().as_ref().map(|c| c.team.clone());
            if let Some(team) = team {
                storage.reset_for_team(&team).await?;
                self.records.reset(0);
                self.ui.set_index(campo_core::index::Index::default());
                let device = campo_core::ids::DeviceId(crate::platform::random16());
                storage.set_device(device).await?;
                let creds = self.credentials.borrow_mut().as_mut().map(|c| {
                    c.device = device;
                    c.clone()
                });
                if let Some(creds) = creds {
                    *self.client.borrow_mut() =
                        Some(SyncClient::new(creds, campo_core::ids::Seq(0), Vec::new()));
                }
                self.reset_on_welcome.set(false);
            }
        }
        storage.clear_packs().await
    }

    fn schedule_retry(self: &Rc<Self>) {
        let delay = self.backoff_ms.get();
        self.backoff_ms.set((delay * 2).min(MAX_BACKOFF_MS));
        let weak = Rc::downgrade(self);
        let timer = Timeout::new(delay, move || {
            if let Some(me) = weak.upgrade() {
                me.connect_now();
            }
        });
        *self.retry.borrow_mut() = Some(timer);
    }

    /// Sends a local change (or keeps it in the outbox while offline). In a tab
    /// that does not sync, tells the syncing tab to send it (it is stored).
    pub fn push(&self, id: OutboxId, change: DocChange) {
        if !self.syncs() {
            self.tabs.send(&TabMsg::Outbox);
            return;
        }
        let effects = match self.client.borrow_mut().as_mut() {
            Some(c) => c.push(id, change),
            None => return,
        };
        for e in effects {
            if let Effect::Send(frame) = e {
                self.send(&frame);
            }
        }
        self.publish();
    }

    fn send(&self, frame: &[u8]) {
        if let Some(s) = self.socket.borrow().as_ref()
            && let Err(e) = s.ws.send_with_u8_array(frame)
        {
            // The close event follows and the outbox is re-sent on reconnection.
            log(&format!("sending to the relay failed: {e:?}"));
        }
    }

    /// Drops the current connection; the close event schedules a reconnection.
    fn abandon(&self, generation: u64, why: &str) {
        log(why);
        self.broken.set(generation);
        if let Some(s) = self.socket.borrow().as_ref() {
            let _ = s.ws.close_with_code_and_reason(CLOSE_APP, "client error");
        }
    }

    /// Copies the client's status into the UI, and to the other tabs.
    fn publish(&self) {
        if !self.syncs() {
            return;
        }
        let status = self.client.borrow().as_ref().map(SyncClient::status);
        if let Some(status) = status
            && self.ui.status.get_untracked() != status
        {
            self.ui.status.set(status.clone());
            self.tabs.send(&TabMsg::Status(status));
        }
    }

    async fn run(self: Rc<Self>) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(event) = next else { break };
            self.handle(event).await;
            self.publish();
        }
        self.working.set(false);
    }

    async fn handle(self: &Rc<Self>, event: SocketEvent) {
        let current = self.generation.get();
        match event {
            SocketEvent::Open(g) if g == current => {
                let hello = match self.client.borrow_mut().as_mut() {
                    Some(c) => c.connect(),
                    None => return,
                };
                self.send(&hello);
            }
            SocketEvent::Frame(g, frame) if g == current && g != self.broken.get() => {
                let result = match self.client.borrow_mut().as_mut() {
                    Some(c) => c.receive(&frame),
                    None => return,
                };
                match result {
                    Ok(effects) => {
                        if self.reset_on_welcome.get() && !self.reset_for_new_team().await {
                            self.abandon(g, "could not clear the previous team's records");
                            return;
                        }
                        self.perform(g, effects).await
                    }
                    Err(e) => self.abandon(g, &format!("dropping the connection: {e}")),
                }
            }
            SocketEvent::Closed(g, code) if g == current => {
                self.socket.borrow_mut().take();
                let may_connect = match self.client.borrow_mut().as_mut() {
                    Some(c) => {
                        c.disconnected(Some(code));
                        c.may_connect()
                    }
                    None => return,
                };
                if self.ui.stage.get_untracked() == Stage::SigningIn && may_connect {
                    self.ui.unreachable.set(true);
                }
                if may_connect {
                    self.schedule_retry();
                } else if self.ui.refusal.get_untracked().is_none() {
                    // Refused by close code alone (no Error frame arrived first).
                    let code = ErrorCode::from_close_code(code).unwrap_or(ErrorCode::Unauthorized);
                    self.refused(code);
                }
            }
            _ => {}
        }
    }

    /// Empties the database for the newly welcomed team. Returns false on failure.
    async fn reset_for_new_team(&self) -> bool {
        let welcomed = self
            .client
            .borrow()
            .as_ref()
            .is_some_and(|c| c.status().rep.is_some());
        let team = self.credentials.borrow().as_ref().map(|c| c.team.clone());
        let (true, Some(team)) = (welcomed, team) else {
            return true;
        };
        if let Err(e) = self.records.storage().reset_for_team(&team).await {
            log(&format!("resetting the database: {e}"));
            return false;
        }
        let device = self.credentials.borrow().as_ref().map(|c| c.device);
        if let Some(device) = device
            && let Err(e) = self.records.storage().set_device(device).await
        {
            log(&format!("recording the device id: {e}"));
            return false;
        }
        self.records.reset(0);
        self.ui.set_index(campo_core::index::Index::default());
        self.reset_on_welcome.set(false);
        true
    }

    async fn perform(self: &Rc<Self>, generation: u64, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(frame) => self.send(&frame),
                Effect::Apply { entries, upto } => {
                    crate::platform::mark("campo-entries-received");
                    match self.records.apply_remote(entries, upto).await {
                        Ok(applied) => {
                            crate::platform::mark("campo-entries-stored");
                            if let Some(c) = self.client.borrow_mut().as_mut() {
                                c.stored(upto);
                            }
                            if self.ui.storage_full.get_untracked() {
                                self.ui.storage_full.set(false);
                            }
                            self.ui.upsert(applied.summaries);
                            self.tabs.send(&TabMsg::Docs(applied.docs.clone()));
                            self.ui.remote_changed(applied.docs);
                        }
                        Err(e) => {
                            if matches!(e, crate::storage::StorageError::Full) {
                                self.ui.storage_full.set(true);
                            }
                            // The cursor did not move: reconnecting fetches the batch again.
                            self.abandon(
                                generation,
                                &format!("could not store changes from the relay: {e}"),
                            );
                            return;
                        }
                    }
                }
                Effect::Acked(ids) => {
                    if let Err(e) = self.records.storage().delete_outbox(&ids).await {
                        // They stay stored and are re-sent next time; the relay stores a change once.
                        log(&format!("could not clear acknowledged changes: {e}"));
                    }
                }
                Effect::Refused { code, message } => {
                    log(&format!("the relay refused: {code:?}: {message}"));
                    self.refused(code);
                }
            }
        }
        self.welcomed();
    }

    /// After the relay's Welcome: the session is confirmed and remembered.
    fn welcomed(&self) {
        let rep = self.client.borrow().as_ref().and_then(|c| c.status().rep);
        let Some(rep) = rep else { return };
        self.backoff_ms.set(FIRST_BACKOFF_MS);
        if self.ui.unreachable.get_untracked() {
            self.ui.unreachable.set(false);
        }
        let signing_in = self.ui.stage.get_untracked() == Stage::SigningIn;
        if signing_in || self.ui.rep.get_untracked() != rep {
            if let Some(c) = self.credentials.borrow().as_ref() {
                crate::settings::save_session(&Session {
                    team: c.team.clone(),
                    token: c.token.clone(),
                    rep: rep.clone(),
                });
            }
            self.ui.rep.set(rep);
        }
        if self.ui.refusal.get_untracked().is_some() {
            self.ui.refusal.set(None);
        }
        if signing_in {
            self.ui.stage.set(Stage::SignedIn);
        }
    }

    fn refused(&self, code: ErrorCode) {
        self.ui.refusal.set(Some(Refusal {
            code,
            team: self
                .credentials
                .borrow()
                .as_ref()
                .map(|c| c.team.clone())
                .unwrap_or_default(),
        }));
        if code.is_fatal() && self.ui.stage.get_untracked() == Stage::SigningIn {
            self.ui.unreachable.set(false);
            self.stop_after_refusal();
        }
    }

    fn stop_after_refusal(&self) {
        self.retry.borrow_mut().take();
        self.ui.stage.set(Stage::SignedOut);
    }
}

fn enqueue(conn: &Weak<SyncConn>, event: SocketEvent) {
    let Some(conn) = conn.upgrade() else { return };
    conn.queue.borrow_mut().push_back(event);
    if !conn.working.replace(true) {
        spawn_local(conn.run());
    }
}
