//! Fan-out between relay instances that share one PostgreSQL database.
//!
//! Every commit ends with `NOTIFY campo_team, '<team>:<first>:<upto>'`. Each
//! instance listens on a connection of its own and hands its
//! [`CommitListener`] (the local hub) every team's entries once, in seq order,
//! whichever instance wrote them:
//! - its own writer's groups straight from memory, before their Acks;
//! - another instance's groups read back from the store, only for teams that
//!   have sessions here.
//!
//! Per team the feed remembers the last seq it handed on (`fed`); whatever is
//! at or below it is not announced again, so the notification of an
//! instance's own commit is a no-op, and a group that arrives after a gap is
//! preceded by the missing entries, read from the store. When the listening
//! connection drops, the listener reconnects and catches up every team from
//! what it last saw, since notifications sent meanwhile are lost.

use super::{PostgresUrl, read_range};
use crate::names::Team;
use crate::store::{CommitListener, Group, LogEntry, StoreError};
use campo_core::ids::Seq;
use deadpool_postgres::Pool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::AsyncMessage;

/// Change bytes read per group when entries are read back for the hub.
pub const FEED_READ_BYTES: usize = 1024 * 1024;
/// First wait before reconnecting the listening connection; doubles up to
/// [`RECONNECT_DELAY_MAX`].
pub const RECONNECT_DELAY_MIN: Duration = Duration::from_millis(100);
pub const RECONNECT_DELAY_MAX: Duration = Duration::from_secs(5);

/// The notification payload for a commit of `first..=upto` to `team`.
pub fn payload(team: &Team, first: Seq, upto: Seq) -> String {
    format!("{team}:{}:{}", first.0, upto.0)
}

/// Reads a payload back; None for anything malformed.
pub fn parse_payload(text: &str) -> Option<(Team, Seq, Seq)> {
    let mut parts = text.split(':');
    let team = Team::parse(parts.next()?).ok()?;
    let first: u64 = parts.next()?.parse().ok()?;
    let upto: u64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || first == 0 || first > upto {
        return None;
    }
    Some((team, Seq(first), Seq(upto)))
}

/// Hands each team's committed entries to the listener, once and in order.
pub struct Feed {
    pool: Pool,
    listener: Arc<dyn CommitListener>,
    /// Per team, the last seq handed on (None: not yet known). Held across
    /// the read that fills a gap, so the writer and the listener take turns.
    fed: Mutex<HashMap<Team, Arc<tokio::sync::Mutex<Option<Seq>>>>>,
}

impl Feed {
    pub fn new(pool: Pool, listener: Arc<dyn CommitListener>) -> Feed {
        Feed {
            pool,
            listener,
            fed: Mutex::new(HashMap::new()),
        }
    }

    fn cell(&self, team: &Team) -> Arc<tokio::sync::Mutex<Option<Seq>>> {
        let mut fed = self.fed.lock().unwrap_or_else(|p| p.into_inner());
        fed.entry(team.clone()).or_default().clone()
    }

    /// This instance's writer committed `entries` (contiguous, in order).
    pub async fn local(&self, team: &Team, entries: Vec<LogEntry>) {
        let (Some(first), Some(upto)) = (entries.first(), entries.last()) else {
            return;
        };
        let (first, upto) = (first.seq, upto.seq);
        self.advance(team, first, upto, Some(entries)).await;
    }

    /// Some instance (maybe this one) committed `first..=upto`.
    pub async fn remote(&self, team: &Team, first: Seq, upto: Seq) {
        self.advance(team, first, upto, None).await;
    }

    async fn advance(&self, team: &Team, first: Seq, upto: Seq, own: Option<Vec<LogEntry>>) {
        let cell = self.cell(team);
        let mut fed = cell.lock().await;
        if fed.is_some_and(|f| f >= upto) {
            return;
        }
        if !self.listener.wants(team) {
            // Nobody here to tell; a session that signs in later reads the
            // head after this commit, so it needs nothing before `upto`.
            *fed = Some(upto);
            return;
        }
        // Not yet known: start at this commit. A session here that is further
        // behind sees the gap and re-reads it from the store itself.
        let from = fed.unwrap_or(Seq(first.0.saturating_sub(1)));
        match own {
            Some(entries) => {
                if from.0 + 1 < first.0 {
                    let gap_end = Seq(first.0 - 1);
                    if let Err(e) = self.read_and_announce(team, from, gap_end).await {
                        tracing::warn!(error = %e, %team, "could not read other instances' entries; sessions re-read them");
                    }
                }
                let entries: Vec<LogEntry> = entries.into_iter().filter(|e| e.seq > from).collect();
                if !entries.is_empty() {
                    self.listener.committed(team, Arc::new(Group::new(entries)));
                }
                *fed = Some(upto);
            }
            None => match self.read_and_announce(team, from, upto).await {
                Ok(()) => *fed = Some(upto),
                // `fed` stays: the next notification reads from there.
                Err(e) => {
                    tracing::warn!(error = %e, %team, "could not read entries another instance committed")
                }
            },
        }
    }

    /// Reads `after < seq <= upto` and announces it in groups of about
    /// [`FEED_READ_BYTES`].
    async fn read_and_announce(
        &self,
        team: &Team,
        after: Seq,
        upto: Seq,
    ) -> Result<(), StoreError> {
        let mut after = after;
        while after < upto {
            let entries = read_range(&self.pool, team, after, upto, FEED_READ_BYTES).await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                return Err(StoreError::Corrupt(format!(
                    "team {team} has no entry after {} though its head is {}",
                    after.0, upto.0
                )));
            };
            self.listener.committed(team, Arc::new(Group::new(entries)));
            after = last;
        }
        Ok(())
    }

    /// Catches every team up to its head: what was committed while this
    /// instance was not listening.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let heads: Vec<(String, i64)> = {
            let client = self.pool.get().await.map_err(super::pool_error)?;
            client
                .query("SELECT team, head FROM campo_teams WHERE head > 0", &[])
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, StoreError>>()?
        };
        for (name, head) in heads {
            let (Ok(team), Ok(head)) = (Team::parse(&name), u64::try_from(head)) else {
                continue;
            };
            // A team not yet known gets only its last entry: enough for its
            // sessions here to notice a gap and re-read it.
            self.advance(&team, Seq(head), Seq(head), None).await;
        }
        Ok(())
    }
}

/// Listens for commits until `stop` fires (or its sender is dropped),
/// reconnecting with backoff. `ready` hears once, after the first `LISTEN`.
pub async fn listen(
    url: PostgresUrl,
    feed: Arc<Feed>,
    mut stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::SyncSender<()>,
) {
    let mut delay = RECONNECT_DELAY_MIN;
    let mut ready = Some(ready);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            result = listen_once(&url, &feed, &mut delay, &mut ready) => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, store = %url, "not listening for other relay instances' commits; reconnecting");
                }
            }
        }
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(RECONNECT_DELAY_MAX);
    }
}

async fn listen_once(
    url: &PostgresUrl,
    feed: &Feed,
    delay: &mut Duration,
    ready: &mut Option<std::sync::mpsc::SyncSender<()>>,
) -> Result<(), StoreError> {
    let (client, mut connection) = url
        .config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(StoreError::Connect)?;
    let (tx, mut notifications) = mpsc::unbounded_channel();
    // Drives the connection and passes notifications on; it ends when the
    // connection does.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if tx.send(n).is_err() {
                        return Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {}", super::NOTIFY_CHANNEL))
        .await?;
    *delay = RECONNECT_DELAY_MIN;
    // Listening first, then reading the heads: a commit falls in one or both,
    // and a second mention of it is a no-op.
    feed.catch_up().await?;
    if let Some(ready) = ready.take() {
        let _ = ready.try_send(());
    }
    while let Some(n) = notifications.recv().await {
        match parse_payload(n.payload()) {
            Some((team, first, upto)) => feed.remote(&team, first, upto).await,
            None => tracing::warn!(
                payload = n.payload(),
                "ignored a malformed commit notification"
            ),
        }
    }
    drop(client);
    match driver.await {
        Ok(Err(e)) => Err(e.into()),
        _ => Err(StoreError::Pool(
            "the notification connection closed".into(),
        )),
    }
}
