//! Snapshots: each team's book as saved documents with their summaries, kept
//! up to date behind the log, and streamed in one response to a device that has
//! nothing yet (see [`campo_core::snapshot`] for the format and why).
//!
//! - The [`Compactor`] hears every commit. Once a team's log is
//!   [`COMPACT_AFTER_ENTRIES`] past its snapshot's mark, a background thread
//!   folds the new entries into the snapshot, a page of the log at a time: each
//!   page's documents are loaded from the snapshot, the page's changes applied,
//!   and the documents saved with their summaries and the new mark in one
//!   transaction. A snapshot is derived data: the log stays the truth, and a
//!   snapshot can always be rebuilt from it.
//! - `GET /api/teams/{team}/snapshot`, with `Authorization: Bearer <token>` (any
//!   unrevoked token of the team), answers `200` with the stream, compressed
//!   (brotli or gzip, as the client accepts), or `204` when the team has no
//!   snapshot yet; the device then reads the log from the start.
//!
//! The stream's documents may be newer than its header's mark (a compaction can
//! run while the stream is read). That is safe: the device asks the log for
//! everything after the mark, and applying a change a document already holds
//! changes nothing.

use crate::AppState;
use crate::auth::{self, Refusal};
use crate::names::Team;
use crate::store::{SnapshotRow, Store, StoreError};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use campo_core::ids::{DocId, Seq};
use campo_core::snapshot::{self as format, SnapshotDoc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak, mpsc};
use std::time::{Duration, Instant};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// A team's log is folded into its snapshot once it is this many entries past
/// the snapshot's mark. Below it, a fresh device reads those entries from the
/// log: cheap, and it spares the relay re-saving documents after every edit.
pub const COMPACT_AFTER_ENTRIES: u64 = 500;
/// A team is compacted at most once in this long. Each compaction loads,
/// saves and summarizes every document its entries touch, so when a team
/// pushes hundreds of changes a second, compacting every 500 entries would
/// re-save the same documents over and over (with 1,000 devices pushing as fast
/// as they can, it was a quarter of the relay's CPU). Waiting lets one
/// compaction fold in more changes per document; a fresh device meanwhile
/// reads the few seconds of entries past the mark from the log.
pub const COMPACT_MIN_INTERVAL: Duration = Duration::from_secs(10);
/// Change bytes read from the log per compaction step (one transaction).
pub const COMPACT_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Bytes of documents read from the store per step of a snapshot response.
pub const SERVE_PAGE_BYTES: usize = 1024 * 1024;
/// Pages of a response buffered ahead of a slow client.
const SERVE_PAGES_AHEAD: usize = 2;

/// Keeps the teams' snapshots close behind their logs, on its own thread.
pub struct Compactor {
    wake: Mutex<Option<mpsc::Sender<(Team, Seq)>>>,
}

impl Compactor {
    /// Starts the compaction thread over `store`; it first looks at every team
    /// the store has, then at the teams [`Compactor::committed`] names.
    pub fn start(store: &Arc<dyn Store>) -> Arc<Compactor> {
        let (tx, rx) = mpsc::channel();
        // Weak: the store owns the listener that owns this compactor; the
        // thread must not keep the store open after the relay drops it.
        let store = Arc::downgrade(store);
        let spawned = std::thread::Builder::new()
            .name("campo-compactor".into())
            .spawn(move || compaction_loop(&store, rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the snapshot compactor; fresh devices will read the whole log");
        }
        Arc::new(Compactor {
            wake: Mutex::new(Some(tx)),
        })
    }

    /// A compactor that never compacts (tools that only read or write tokens).
    pub fn idle() -> Arc<Compactor> {
        Arc::new(Compactor {
            wake: Mutex::new(None),
        })
    }

    /// The team's log now reaches `head`.
    pub fn committed(&self, team: &Team, head: Seq) {
        let wake = self.wake.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = wake.as_ref() {
            // The thread gone means the relay is stopping; nothing to do.
            let _ = tx.send((team.clone(), head));
        }
    }

    /// Stops the thread after the step it is in.
    pub fn stop(&self) {
        self.wake.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

fn compaction_loop(store: &Weak<dyn Store>, wake: mpsc::Receiver<(Team, Seq)>) {
    let mut heads: HashMap<Team, Seq> = HashMap::new();
    let mut marks: HashMap<Team, Seq> = HashMap::new();
    let mut last: HashMap<Team, Instant> = HashMap::new();
    if let Some(store) = store.upgrade() {
        match store.teams() {
            Ok(teams) => heads.extend(teams),
            Err(e) => tracing::warn!(error = %e, "cannot list the teams to compact"),
        }
    }
    loop {
        // Compact every team that is far enough behind, then wait for news
        // (without holding the store meanwhile), or until a team that is far
        // enough behind may be compacted again.
        let Some(strong) = store.upgrade() else {
            return;
        };
        let next = compact_due(&*strong, &heads, &mut marks, &mut last);
        drop(strong);
        let news = match next {
            None => wake.recv().ok(),
            Some(at) => match wake.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(news) => Some(news),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => None,
            },
        };
        let Some((team, head)) = news else {
            return;
        };
        let mut news = vec![(team, head)];
        news.extend(wake.try_iter());
        for (team, head) in news {
            let h = heads.entry(team).or_default();
            *h = (*h).max(head);
        }
    }
}

/// Compacts the teams whose log is [`COMPACT_AFTER_ENTRIES`] past their mark
/// and that were not compacted in the last [`COMPACT_MIN_INTERVAL`]; returns
/// when the next of the teams that are far enough behind may be compacted.
fn compact_due(
    store: &dyn Store,
    heads: &HashMap<Team, Seq>,
    marks: &mut HashMap<Team, Seq>,
    last: &mut HashMap<Team, Instant>,
) -> Option<Instant> {
    let now = Instant::now();
    let mut next: Option<Instant> = None;
    let mut due = Vec::new();
    for (team, head) in heads {
        let mark = *marks
            .entry(team.clone())
            .or_insert_with(|| store.snapshot_mark(team).map(|(m, _)| m).unwrap_or(Seq(0)));
        if head.0.saturating_sub(mark.0) < COMPACT_AFTER_ENTRIES {
            continue;
        }
        match last.get(team).map(|t| *t + COMPACT_MIN_INTERVAL) {
            Some(at) if at > now => next = Some(next.map_or(at, |n| n.min(at))),
            _ => due.push(team.clone()),
        }
    }
    for team in due {
        let head = heads[&team];
        last.insert(team.clone(), Instant::now());
        match compact(store, &team, head) {
            Ok(mark) => {
                marks.insert(team, mark);
            }
            Err(e) => {
                tracing::warn!(%team, error = %e, "snapshot compaction failed; retrying later");
                marks.remove(&team);
            }
        }
    }
    next
}

/// Folds the team's log up to `head` into its snapshot; returns the new mark.
pub fn compact(store: &dyn Store, team: &Team, head: Seq) -> Result<Seq, StoreError> {
    let (mut mark, _) = store.snapshot_mark(team)?;
    while mark < head {
        let entries = store.read_range(team, mark, head, COMPACT_PAGE_BYTES)?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            break;
        };
        // Each document's changes, in log order.
        let mut by_doc: BTreeMap<DocId, Vec<Vec<u8>>> = BTreeMap::new();
        for e in entries {
            by_doc.entry(e.doc).or_default().push(e.bytes);
        }
        let ids: Vec<DocId> = by_doc.keys().copied().collect();
        let mut prior: HashMap<DocId, Vec<u8>> =
            store.snapshot_saved(team, &ids)?.into_iter().collect();
        let mut rows = Vec::with_capacity(by_doc.len());
        for (doc, changes) in by_doc {
            let changes: Vec<&[u8]> = changes.iter().map(Vec::as_slice).collect();
            let prior = prior.remove(&doc);
            match format::compact_doc(doc, prior.as_deref(), &changes) {
                Ok((c, skipped)) => {
                    if skipped > 0 {
                        tracing::warn!(%team, %doc, skipped, "changes that do not apply were left out of the snapshot");
                    }
                    rows.push(SnapshotRow {
                        doc,
                        saved: c.saved,
                        summary: c.summary,
                    });
                }
                // The stored snapshot of this document does not load: rebuild
                // it from the log at the next full compaction; leave it out.
                Err(e) => {
                    return Err(StoreError::Corrupt(format!(
                        "the snapshot of document {doc} does not load: {e}"
                    )));
                }
            }
        }
        if !store.snapshot_advance(team, mark, last, &rows)? {
            // Another relay instance moved the mark: carry on from there.
            mark = store.snapshot_mark(team)?.0;
            continue;
        }
        mark = last;
    }
    Ok(mark)
}

/// The snapshot route, to merge into [`crate::app`]'s router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/teams/{team}/snapshot", get(serve))
        // Documents are compressed inside, summaries are not. Brotli's level 1
        // takes a 10,000-account stream (56 MB) to 36 MB in 0.3 s of one core;
        // level 4 saves 2 MB more for ten times the time, which a fresh device
        // waits for.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(1)),
        )
}

/// Why a snapshot request was refused.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotRequestError {
    #[error("send a token of the team in the header Authorization: Bearer <token>")]
    NoCredentials,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    BadTeam(#[from] crate::names::BadTeam),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a relay task failed: {0}")]
    Task(String),
}

impl IntoResponse for SnapshotRequestError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            SnapshotRequestError::NoCredentials
            | SnapshotRequestError::Refused(Refusal::Unknown) => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            SnapshotRequestError::Refused(Refusal::OtherTeam(_)) => {
                (StatusCode::FORBIDDEN, "forbidden")
            }
            SnapshotRequestError::BadTeam(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            SnapshotRequestError::Refused(Refusal::Store(_))
            | SnapshotRequestError::Store(_)
            | SnapshotRequestError::Task(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "a snapshot request failed");
            "the relay failed; retry later".to_owned()
        } else {
            self.to_string()
        };
        (
            status,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(ErrorBody {
                error: code,
                message,
            }),
        )
            .into_response()
    }
}

#[derive(serde::Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
}

async fn serve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(team): Path<String>,
) -> Result<Response, SnapshotRequestError> {
    let token = crate::admin::bearer(&headers)
        .ok_or(SnapshotRequestError::NoCredentials)?
        .to_owned();
    let team = Team::parse(&team)?;
    let store = state.store.clone();
    let checked = team.clone();
    let (mark, docs) = tokio::task::spawn_blocking(move || {
        auth::sign_in(&*store, checked.as_str(), &token)?;
        Ok::<_, SnapshotRequestError>(store.snapshot_mark(&checked)?)
    })
    .await
    .map_err(|e| SnapshotRequestError::Task(e.to_string()))??;
    if mark == Seq(0) {
        return Ok((
            StatusCode::NO_CONTENT,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response());
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(SERVE_PAGES_AHEAD);
    let store = state.store.clone();
    let header_bytes = format::write_header(&format::header(team.as_str(), mark, docs));
    tokio::task::spawn_blocking(move || {
        if tx.blocking_send(Ok(Bytes::from(header_bytes))).is_err() {
            return;
        }
        let mut after = None;
        loop {
            let page = match store.snapshot_page(&team, after, SERVE_PAGE_BYTES) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(%team, error = %e, "reading the snapshot failed mid-stream");
                    // The stream ends without its end marker: the device sees
                    // it cut short and keeps nothing of its position.
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                    return;
                }
            };
            let mut out = Vec::with_capacity(SERVE_PAGE_BYTES + 64 * 1024);
            let done = page.is_empty();
            for row in page {
                after = Some(row.doc);
                format::write_doc(
                    &mut out,
                    &SnapshotDoc {
                        id: row.doc,
                        saved: row.saved,
                        summary: row.summary,
                    },
                );
            }
            if done {
                format::write_end(&mut out);
            }
            if tx.blocking_send(Ok(Bytes::from(out))).is_err() || done {
                return;
            }
        }
    });
    let mut response = Body::from_stream(Pages(rx)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The pages of a response as a stream. Polling it again after its end gives
/// the end again (a compressing layer does so), never a panic.
struct Pages(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_util::Stream for Pages {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
