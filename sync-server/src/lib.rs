//! Campo's relay: a small server that keeps each team's append-only log of
//! Automerge changes and syncs devices through it.
//!
//! # Data model
//! A team's log is a sequence of entries `(seq, doc, device, change bytes)`, seq
//! starting at 1 with no gaps. The relay checks that each pushed change is a
//! well-formed Automerge change and stores it once per team (by hash). Only the
//! snapshot compactor opens documents, to keep derived snapshots for fresh
//! devices ([`snapshot`]). Tokens are stored as SHA-256 hashes.
//!
//! # Layout
//! - [`store`]: the storage interface and its backends, embedded SQLite and
//!   PostgreSQL shared by several relay instances (group commit on both).
//! - [`hub`]: per-team fan-out of committed groups to live connections.
//! - [`connection`]: one WebSocket session (Hello, catch-up, live, pushes).
//! - [`auth`]: token format, hashing, sign-in.
//! - [`admin`]: the HTTP API with which a team's administrator manages its tokens.
//! - [`limits`]: per-team and per-connection limits ([`limits::Limits`]).
//! - [`rate`]: a connection's push rate limit (token buckets).
//! - [`origin`]: which web pages may open the WebSocket.
//! - [`names`]: validated team and rep names.
//! - [`error`]: the one mapping from failures to protocol errors and close codes.
//! - [`snapshot`]: each team's book as saved documents with summaries, for fresh
//!   devices (the compactor and `GET /api/teams/{team}/snapshot`).
//! - [`http`]: the built app's static files and headers.
//! - [`cli`]: the command line.

pub mod admin;
pub mod auth;
pub mod cli;
pub mod connection;
pub mod error;
pub mod http;
pub mod hub;
pub mod limits;
pub mod names;
pub mod origin;
pub mod rate;
pub mod snapshot;
pub mod store;

use axum::Router;
use axum::routing::get;
use hub::Hub;
use limits::{Limits, TeamSlots};
use origin::AllowedOrigin;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use store::{CommitListener, Group, Store, StoreError, StoreLocation};
use tokio::sync::{Semaphore, watch};

/// Most WebSocket sessions at once; more are refused with `RateLimited`.
pub const MAX_CONNECTIONS: usize = 10_000;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub site: Arc<http::Site>,
    pub limits: Limits,
    /// Origins allowed besides the relay's own (`--allowed-origin`).
    pub allowed_origins: Arc<[AllowedOrigin]>,
    /// Keeps the teams' snapshots up to date ([`snapshot`]).
    pub compactor: Arc<snapshot::Compactor>,
    shutdown: watch::Receiver<bool>,
    slots: Arc<Semaphore>,
    team_slots: Arc<TeamSlots>,
}

/// Tells every session to close ("going away") so the server can stop.
pub struct Shutdown(watch::Sender<bool>);

impl Shutdown {
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl AppState {
    /// Assembles the state from its parts. `hub` must be the listener the
    /// store announces commits to, or live fan-out stays silent.
    pub fn new(store: Arc<dyn Store>, hub: Arc<Hub>, site: http::Site) -> (AppState, Shutdown) {
        AppState::assemble(store, hub, Arc::new(TeamSlots::default()), site)
    }

    fn assemble(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        team_slots: Arc<TeamSlots>,
        site: http::Site,
    ) -> (AppState, Shutdown) {
        let (tx, rx) = watch::channel(false);
        let state = AppState {
            store,
            hub,
            site: Arc::new(site),
            limits: Limits::default(),
            allowed_origins: Arc::new([]),
            compactor: snapshot::Compactor::idle(),
            shutdown: rx,
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            team_slots,
        };
        (state, Shutdown(tx))
    }

    /// The same state with other limits (tests make them small).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.limits = limits;
        self
    }

    /// The same state also accepting WebSocket requests from `origins`.
    pub fn with_allowed_origins(mut self, origins: Vec<AllowedOrigin>) -> AppState {
        self.allowed_origins = origins.into();
        self
    }

    /// Sessions `team` has open (signed in and not yet closed).
    pub fn open_sessions(&self, team: &names::Team) -> usize {
        self.team_slots.open(team)
    }

    /// The relay's setup: the store at `location`, the app from `static_dir`.
    pub fn open(
        location: &StoreLocation,
        static_dir: &Path,
    ) -> Result<(AppState, Shutdown), StoreError> {
        AppState::open_with(location, Hub::new(), http::Site::load(static_dir))
    }

    /// Opens the store at `location` announcing commits to `hub` for the teams
    /// with sessions here, and assembles the state around it.
    pub fn open_with(
        location: &StoreLocation,
        hub: Hub,
        site: http::Site,
    ) -> Result<(AppState, Shutdown), StoreError> {
        let hub = Arc::new(hub);
        let team_slots = Arc::new(TeamSlots::default());
        let listener = Arc::new(LocalSessions {
            hub: hub.clone(),
            team_slots: team_slots.clone(),
            compactor: OnceLock::new(),
        });
        let store = location.open(listener.clone())?;
        let compactor = snapshot::Compactor::start(&store);
        let _ = listener.compactor.set(compactor.clone());
        let (mut state, shutdown) = AppState::assemble(store, hub, team_slots, site);
        state.compactor = compactor;
        Ok((state, shutdown))
    }
}

/// What a store tells about commits: the hub, for the teams that have sessions
/// on this relay instance (a shared store skips reading back other instances'
/// entries for the rest).
struct LocalSessions {
    hub: Arc<Hub>,
    team_slots: Arc<TeamSlots>,
    /// Set once the store is open (the compactor reads from it).
    compactor: OnceLock<Arc<snapshot::Compactor>>,
}

impl CommitListener for LocalSessions {
    fn committed(&self, team: &names::Team, group: Arc<Group>) {
        if let Some(c) = self.compactor.get() {
            c.committed(team, group.upto());
        }
        self.hub.committed(team, group);
    }

    // A session takes its team slot before subscribing to the hub and reading
    // the head, so a team without slots has no session waiting for entries.
    fn wants(&self, team: &names::Team) -> bool {
        self.team_slots.open(team) > 0
    }
}

/// The relay's routes: `/ws`, `/healthz`, the admin API (`/api`) and the app.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/ws", get(connection::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .merge(snapshot::routes())
        .merge(admin::routes())
        .merge(http::routes(state.site.clone()))
        .layer(axum::middleware::from_fn(http::security_headers))
        .with_state(state)
}
