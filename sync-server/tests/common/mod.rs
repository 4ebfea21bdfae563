//! Shared test harness: a relay on 127.0.0.1:0 with a temporary data directory,
//! devices speaking the real protocol over tokio-tungstenite, and real Automerge
//! changes made with the core's customer model.
//!
//! The relay's store is SQLite in its data directory, or, when
//! `CAMPO_TEST_POSTGRES` holds a `postgres://` URL of a server whose user may
//! create databases, a fresh PostgreSQL database per test (named in the data
//! directory's `store.url`, so the `token` subcommands find it too). `./tasks
//! test` runs the suite both ways.
#![allow(dead_code)] // Each scenario file uses a different part of the harness.

use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{ClientMsg, DocChange, Entry, ErrorCode, Hello, ServerMsg};
use campo_core::record::{Edit, Kind, RecordDoc, Stamp};
use campo_relay::http::Site;
use campo_relay::hub::Hub;
use campo_relay::limits::Limits;
use campo_relay::names::{Rep, Team};
use campo_relay::origin::AllowedOrigin;
use campo_relay::store::{STORE_URL_FILE, StoreLocation};
use campo_relay::{AppState, Shutdown, app, auth};
use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Generous bound for anything that should happen "at once".
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The variable naming the PostgreSQL server to test against.
pub const POSTGRES_VAR: &str = "CAMPO_TEST_POSTGRES";

/// A store for one test: SQLite in `data_dir`, or a fresh PostgreSQL database
/// (see the module docs). Relays started on the same `TestStore` share it, as
/// relay instances behind a load balancer do.
#[derive(Clone)]
pub struct TestStore {
    pub location: StoreLocation,
    /// The database's URL (PostgreSQL only).
    pub url: Option<String>,
    _database: Option<Arc<TestDatabase>>,
}

impl TestStore {
    /// A fresh store whose configuration lives in `data_dir` (created).
    pub async fn fresh(data_dir: &Path) -> TestStore {
        std::fs::create_dir_all(data_dir).expect("create the data directory");
        let Ok(admin) = std::env::var(POSTGRES_VAR) else {
            return TestStore {
                location: StoreLocation::Sqlite {
                    data_dir: data_dir.to_owned(),
                },
                url: None,
                _database: None,
            };
        };
        let database = TestDatabase::create(&admin).await;
        let url = database.url();
        std::fs::write(data_dir.join(STORE_URL_FILE), &url).expect("write store.url");
        let location = StoreLocation::resolve(data_dir, None).expect("read store.url");
        assert!(matches!(location, StoreLocation::Postgres(_)));
        TestStore {
            location,
            url: Some(url),
            _database: Some(Arc::new(database)),
        }
    }

    /// Names the same store in another data directory, for another instance.
    pub fn share_into(&self, data_dir: &Path) {
        std::fs::create_dir_all(data_dir).expect("create the data directory");
        if let Some(url) = &self.url {
            std::fs::write(data_dir.join(STORE_URL_FILE), url).expect("write store.url");
        }
    }
}

/// A database created for one test on the `CAMPO_TEST_POSTGRES` server and
/// dropped (with the connections still open to it) when the test ends.
pub struct TestDatabase {
    admin: String,
    name: String,
}

impl TestDatabase {
    async fn create(admin: &str) -> TestDatabase {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "campo_test_{}_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let client = admin_client(admin).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("create database {name} on {POSTGRES_VAR}: {e}"));
        TestDatabase {
            admin: admin.to_owned(),
            name,
        }
    }

    /// The admin URL with this database's name in place of its own.
    fn url(&self) -> String {
        let (base, query) = match self.admin.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.admin.as_str(), None),
        };
        let (server, _) = base
            .rsplit_once('/')
            .filter(|(server, _)| server.contains("://"))
            .unwrap_or_else(|| {
                panic!("{POSTGRES_VAR} must name a database: postgres://user@host/db")
            });
        match query {
            Some(q) => format!("{server}/{}?{q}", self.name),
            None => format!("{server}/{}", self.name),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Dropped inside the test's runtime, which may not block on another:
        // a thread of its own does the work.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let client = admin_client(&admin).await;
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            });
        });
        let _ = done.join();
    }
}

async fn admin_client(admin: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {POSTGRES_VAR}: {e}"));
    tokio::spawn(connection);
    client
}

/// An in-process relay serving on a free port.
pub struct Relay {
    pub addr: SocketAddr,
    pub state: AppState,
    pub data_dir: PathBuf,
    pub store: TestStore,
    _shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Relay {
    pub async fn start() -> Relay {
        let dir = tempfile::tempdir().expect("temp dir");
        Relay::start_in(dir, None).await
    }

    /// Starts with `static_dir` as the app build (None: a missing one).
    pub async fn start_in(dir: tempfile::TempDir, static_dir: Option<&Path>) -> Relay {
        Relay::start_with(dir, static_dir, Hub::new()).await
    }

    /// Starts with a given hub (e.g. a tiny broadcast capacity).
    pub async fn start_with(dir: tempfile::TempDir, static_dir: Option<&Path>, hub: Hub) -> Relay {
        Relay::start_configured(dir, static_dir, hub, Limits::default(), Vec::new()).await
    }

    /// Starts with given limits (e.g. tiny rates or timeouts).
    pub async fn start_limited(limits: Limits) -> Relay {
        let dir = tempfile::tempdir().expect("temp dir");
        Relay::start_configured(dir, None, Hub::new(), limits, Vec::new()).await
    }

    /// Starts accepting pages from `origins` besides its own, as
    /// `serve --allowed-origin` does.
    pub async fn start_allowing(origins: &[&str]) -> Relay {
        let dir = tempfile::tempdir().expect("temp dir");
        let origins = origins
            .iter()
            .map(|o| AllowedOrigin::parse(o).expect("an origin"))
            .collect();
        Relay::start_configured(dir, None, Hub::new(), Limits::default(), origins).await
    }

    pub async fn start_configured(
        dir: tempfile::TempDir,
        static_dir: Option<&Path>,
        hub: Hub,
        limits: Limits,
        origins: Vec<AllowedOrigin>,
    ) -> Relay {
        let data_dir = dir.path().join("data");
        let store = TestStore::fresh(&data_dir).await;
        Relay::serve(dir, store, static_dir, hub, limits, origins).await
    }

    /// Starts another relay instance on `store` (shared with other relays).
    pub async fn start_on(store: &TestStore) -> Relay {
        let dir = tempfile::tempdir().expect("temp dir");
        store.share_into(&dir.path().join("data"));
        Relay::serve(
            dir,
            store.clone(),
            None,
            Hub::new(),
            Limits::default(),
            Vec::new(),
        )
        .await
    }

    async fn serve(
        dir: tempfile::TempDir,
        store: TestStore,
        static_dir: Option<&Path>,
        hub: Hub,
        limits: Limits,
        origins: Vec<AllowedOrigin>,
    ) -> Relay {
        let data_dir = dir.path().join("data");
        let static_dir = static_dir
            .map(Path::to_owned)
            .unwrap_or_else(|| dir.path().join("no-dist"));
        let (state, shutdown) = AppState::open_with(&store.location, hub, Site::load(&static_dir))
            .expect("open the store");
        let state = state.with_limits(limits).with_allowed_origins(origins);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let router = app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Relay {
            addr,
            state,
            data_dir,
            store,
            _shutdown: shutdown,
            _dir: dir,
        }
    }

    /// Issues a token the way `campo-relay token create` does.
    pub fn token(&self, team: &str, rep: &str) -> String {
        let token = auth::issue(
            &*self.state.store,
            &Team::parse(team).expect("team"),
            &Rep::parse(rep).expect("rep"),
        )
        .expect("issue token");
        token.reveal().to_owned()
    }

    /// The team's log head, read from the store.
    pub fn head(&self, team: &str) -> Seq {
        self.state
            .store
            .head(&Team::parse(team).expect("team"))
            .expect("head")
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

/// What a refused connection received.
#[derive(Debug)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
    pub close_code: u16,
    pub reason: String,
}

/// One device's connection.
pub struct Device {
    pub id: DeviceId,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Messages received while waiting for something else (e.g. an Ack).
    buffered: VecDeque<ServerMsg>,
}

impl Device {
    /// Opens a socket without saying anything.
    pub async fn open(url: &str, id: u8) -> Device {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("connect");
        Device {
            id: DeviceId([id; 16]),
            ws,
            buffered: VecDeque::new(),
        }
    }

    /// Opens a socket the way a page from `origin` does (sending `Origin`), or
    /// returns the HTTP status and body the upgrade was refused with.
    pub async fn open_from(url: &str, id: u8, origin: &str) -> Result<Device, (u16, String)> {
        let mut request = url.into_client_request().expect("a ws URL");
        request.headers_mut().insert(
            "origin",
            HeaderValue::from_str(origin).expect("a header value"),
        );
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, _)) => Ok(Device {
                id: DeviceId([id; 16]),
                ws,
                buffered: VecDeque::new(),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let body = response.body().clone().unwrap_or_default();
                Err((
                    response.status().as_u16(),
                    String::from_utf8_lossy(&body).into_owned(),
                ))
            }
            Err(e) => panic!("connect failed: {e}"),
        }
    }

    /// Opens a socket, sends Hello and expects Welcome; returns the head.
    pub async fn sign_in(url: &str, id: u8, team: &str, token: &str, cursor: Seq) -> (Device, Seq) {
        let mut d = Device::open(url, id).await;
        d.hello(team, token, cursor).await;
        match d.recv().await {
            ServerMsg::Welcome { team: t, head, .. } => {
                assert_eq!(t, team);
                (d, head)
            }
            other => panic!("expected Welcome, got {other:?}"),
        }
    }

    pub async fn hello(&mut self, team: &str, token: &str, cursor: Seq) {
        let hello = ClientMsg::Hello(Hello {
            team: team.into(),
            token: token.into(),
            device: self.id,
            cursor,
        });
        self.send_raw(hello.encode()).await;
    }

    pub async fn send_raw(&mut self, frame: Vec<u8>) {
        self.send_message(Message::Binary(frame.into())).await;
    }

    pub async fn send_message(&mut self, msg: Message) {
        self.ws.send(msg).await.expect("send");
    }

    pub async fn send_push(&mut self, batch: u64, changes: Vec<DocChange>) {
        self.send_raw(ClientMsg::Push { batch, changes }.encode())
            .await;
    }

    /// Pushes and waits for the Ack; other messages stay buffered.
    pub async fn push(&mut self, batch: u64, changes: Vec<DocChange>) {
        self.send_push(batch, changes).await;
        loop {
            let msg = self.next_from_socket().await;
            match msg {
                ServerMsg::Ack { batch: b } if b == batch => return,
                ServerMsg::Error { code, message } => panic!("push refused: {code:?} {message}"),
                other => self.buffered.push_back(other),
            }
        }
    }

    /// The next message (buffered first); panics on close or timeout.
    pub async fn recv(&mut self) -> ServerMsg {
        match self.buffered.pop_front() {
            Some(m) => m,
            None => self.next_from_socket().await,
        }
    }

    async fn next_from_socket(&mut self) -> ServerMsg {
        loop {
            let msg = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a message within the patience limit")
                .expect("socket open")
                .expect("socket healthy");
            match msg {
                Message::Binary(b) => return ServerMsg::decode(&b).expect("a valid server frame"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a binary frame, got {other:?}"),
            }
        }
    }

    /// Receives catch-up chunks until `more: false`; returns the entries, the
    /// final `upto` and how many chunks it took.
    pub async fn catch_up(&mut self) -> (Vec<Entry>, Seq, usize) {
        let mut all = Vec::new();
        let mut chunks = 0;
        loop {
            match self.recv().await {
                ServerMsg::Changes {
                    entries,
                    upto,
                    more,
                } => {
                    chunks += 1;
                    if let Some(last) = entries.last() {
                        assert!(last.seq <= upto, "upto covers the chunk");
                    }
                    all.extend(entries);
                    if !more {
                        return (all, upto, chunks);
                    }
                }
                other => panic!("expected Changes, got {other:?}"),
            }
        }
    }

    /// Expects the empty live message a pusher gets for its own entries: only
    /// its cursor moves, to `upto`.
    pub async fn expect_echo(&mut self, upto: Seq) {
        match self.recv().await {
            ServerMsg::Changes {
                entries,
                upto: u,
                more: false,
            } if entries.is_empty() => {
                assert_eq!(u, upto, "the pusher's cursor moves to its last entry");
            }
            other => panic!("expected an empty Changes up to {upto:?}, got {other:?}"),
        }
    }

    /// Asserts nothing arrives for `quiet`.
    pub async fn expect_nothing(&mut self, quiet: Duration) {
        assert!(self.buffered.is_empty(), "unexpected {:?}", self.buffered);
        if let Ok(Some(msg)) = tokio::time::timeout(quiet, self.ws.next()).await {
            panic!("expected nothing, got {msg:?}");
        }
    }

    /// Keeps reading for `quiet`, answering pings (tungstenite does so while
    /// reading) and counting them; panics on anything else. Returns the pings.
    pub async fn answer_pings_for(&mut self, quiet: Duration) -> usize {
        assert!(self.buffered.is_empty(), "unexpected {:?}", self.buffered);
        let deadline = tokio::time::Instant::now() + quiet;
        let mut pings = 0;
        while let Ok(msg) = tokio::time::timeout_at(deadline, self.ws.next()).await {
            match msg {
                Some(Ok(Message::Ping(_))) => pings += 1,
                other => panic!("expected only pings, got {other:?}"),
            }
        }
        pings
    }

    /// Waits for the server's close frame (no Error before it); returns its
    /// code and reason.
    pub async fn expect_close_reason(&mut self) -> (u16, String) {
        loop {
            let msg = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("close within the patience limit");
            match msg {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (u16::from(frame.code), frame.reason.to_string());
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    /// Expects Error, then a close frame; returns both.
    pub async fn expect_refusal(&mut self) -> Refusal {
        let (code, message) = match self.recv().await {
            ServerMsg::Error { code, message } => (code, message),
            other => panic!("expected Error, got {other:?}"),
        };
        let close = loop {
            let msg = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("close within the patience limit");
            match msg {
                Some(Ok(Message::Close(Some(frame)))) => break frame,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        Refusal {
            code,
            message,
            close_code: u16::from(close.code),
            reason: close.reason.to_string(),
        }
    }

    /// Waits for the server's close frame (no Error before it); returns its code.
    pub async fn expect_close(&mut self) -> u16 {
        loop {
            let msg = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("close within the patience limit");
            match msg {
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// `n` real Automerge changes to one new customer: its creation, then edits.
pub fn customer_changes(doc: u8, rep: &str, n: usize) -> Vec<DocChange> {
    let id = DocId([doc; 16]);
    let stamp = Stamp {
        rep,
        now_ms: 1_700_000_000_000,
    };
    let (mut d, first) = RecordDoc::create(
        Kind::Account,
        id,
        &stamp,
        &[Edit::Set("name".into(), format!("Customer {doc}"))],
    )
    .expect("create a customer");
    let mut out = vec![DocChange {
        doc: id,
        bytes: first,
    }];
    for i in 1..n {
        let bytes = d
            .edit(&stamp, &[Edit::Set("city".into(), format!("City {i}"))])
            .expect("edit")
            .pop()
            .expect("a change");
        out.push(DocChange { doc: id, bytes });
    }
    out
}

/// A customer whose notes are `chars` characters of incompressible text, so its
/// creating change is large.
pub fn bulky_customer(doc: u8, chars: usize) -> DocChange {
    let mut state = u32::from(doc) * 7919 + 1;
    let notes: String = (0..chars)
        .map(|_| {
            // A small LCG: deterministic, and random enough to defeat compression.
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    let id = DocId([doc; 16]);
    let stamp = Stamp {
        rep: "anna",
        now_ms: 1_700_000_000_000,
    };
    let (_, bytes) = RecordDoc::create(
        Kind::Account,
        id,
        &stamp,
        &[
            Edit::Set("name".into(), format!("Bulky {doc}")),
            Edit::Notes(notes),
        ],
    )
    .expect("create a bulky customer");
    DocChange { doc: id, bytes }
}

/// A real Automerge change of about 150 KB (an incompressible string) to
/// document `[i; 16]`: not a record, so no field limit applies.
pub fn big_change(i: u64) -> DocChange {
    let mut state = (i as u32).wrapping_mul(2_654_435_761).wrapping_add(1);
    let text: String = (0..200_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    let mut doc = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "blob", text)
        .expect("put");
    doc.commit();
    let bytes = doc
        .get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec();
    assert!(bytes.len() <= campo_core::protocol::MAX_CHANGE_BYTES);
    DocChange {
        doc: DocId([i as u8; 16]),
        bytes,
    }
}

/// How a connection ended, seen from the device.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// The relay sent Error, then a close frame.
    Refused {
        code: ErrorCode,
        message: String,
        close_code: u16,
        reason: String,
    },
    /// A close frame with no Error before it.
    Closed { close_code: u16, reason: String },
    /// The socket ended without a close frame.
    Dropped,
}

impl Device {
    /// Reads whatever comes until the connection ends, for up to `limit`
    /// (`None` if it is still open then); returns the highest `upto` of the
    /// Changes read on the way (`Seq(0)` if none).
    pub async fn read_to_end_within(&mut self, limit: Duration) -> Option<Seq> {
        let mut upto = self
            .buffered
            .drain(..)
            .filter_map(|m| match m {
                ServerMsg::Changes { upto, .. } => Some(upto),
                _ => None,
            })
            .max()
            .unwrap_or(Seq(0));
        let ws = &mut self.ws;
        tokio::time::timeout(limit, async {
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Binary(b) = msg
                    && let Ok(ServerMsg::Changes { upto: u, .. }) = ServerMsg::decode(&b)
                {
                    upto = upto.max(u);
                }
            }
        })
        .await
        .ok()?;
        Some(upto)
    }

    /// Waits up to `limit` for the connection to end, skipping pings; panics
    /// on any other message. For endings that come late on purpose (the Hello
    /// timeout) or that may not be a clean close.
    pub async fn ending_within(&mut self, limit: Duration) -> Ending {
        assert!(self.buffered.is_empty(), "unexpected {:?}", self.buffered);
        let deadline = tokio::time::Instant::now() + limit;
        let mut error = None;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("the connection ends within the limit");
            match msg {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Binary(b))) if error.is_none() => {
                    match ServerMsg::decode(&b).expect("a valid server frame") {
                        ServerMsg::Error { code, message } => error = Some((code, message)),
                        other => panic!("expected the connection to end, got {other:?}"),
                    }
                }
                Some(Ok(Message::Close(Some(frame)))) => {
                    let (close_code, reason) = (u16::from(frame.code), frame.reason.to_string());
                    return match error {
                        Some((code, message)) => Ending::Refused {
                            code,
                            message,
                            close_code,
                            reason,
                        },
                        None => Ending::Closed { close_code, reason },
                    };
                }
                None | Some(Err(_)) | Some(Ok(Message::Close(None))) => return Ending::Dropped,
                other => panic!("expected the connection to end, got {other:?}"),
            }
        }
    }
}
