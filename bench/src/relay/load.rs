//! The simulated devices: each signs in to its team, creates one account and
//! then edits its name, one real Automerge change per push, at the pace the
//! benchmark's phase asks for. A reader task per device counts what arrives
//! and times every change against the moment its author sent it.
//!
//! Timing: before a timed push, its author notes the send time under a hash
//! of the change's bytes in its team's table; a receiver hashes each entry it
//! gets and looks the time up. Both clocks are this process's monotonic clock.
//!
//! Loss: a device counts the entries it receives (their seqs must strictly
//! increase) and the changes of its own that were acknowledged. Once its
//! cursor reaches the team's head, the two must add up to every seq after the
//! cursor it started from: nothing lost, nothing twice.

use crate::conn::{self, Endpoint};
use crate::histogram::Histogram;
use anyhow::{Context, bail};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{DocChange, ServerMsg};
use campo_core::record::{Edit, Kind, RecordDoc, Stamp};
use campo_relay::rate::PushRate;
use futures_util::{Sink, Stream, StreamExt};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Latency windows: which phase a timed change was sent in.
pub const WINDOWS: usize = 4;
pub const FANOUT: usize = 0;
/// While the slow client is not reading: every team.
pub const SLOW: usize = 1;
/// While the slow client is not reading: its own team only.
pub const SLOW_TEAM: usize = 2;
pub const SOAK: usize = 3;

/// Receive buffer of the slow client's socket: small, so that its backlog
/// piles up at the relay rather than in the kernel.
pub const SLOW_RECV_BUFFER: u32 = 4096;

/// What the writers do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Idle,
    /// One timed push per interval, in latency window `window`.
    Steady {
        window: usize,
    },
    /// Push again as soon as the previous push is acknowledged.
    Flood,
    Stop,
}

/// One team of the benchmark.
pub struct TeamState {
    pub index: usize,
    pub name: String,
    pub token: String,
    /// The team's head when the benchmark began; devices sign in with it.
    pub start: Seq,
    /// Changes of this team acknowledged so far (each stored once: every
    /// change is new).
    pub acked: AtomicU64,
    /// Send times of timed changes by the hash of their bytes.
    sent: Mutex<HashMap<u64, (Instant, usize)>>,
}

impl TeamState {
    pub fn new(index: usize, name: String, token: String, start: Seq) -> TeamState {
        TeamState {
            index,
            name,
            token,
            start,
            acked: AtomicU64::new(0),
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// The team's head once every acknowledged change is counted.
    pub fn expected_head(&self) -> Seq {
        Seq(self.start.0 + self.acked.load(Ordering::SeqCst))
    }

    /// Forgets send times older than `age` (their receivers are long done).
    pub fn forget_older_than(&self, age: Duration) {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.retain(|_, (t, _)| now.duration_since(*t) < age);
    }
}

/// Everything the devices share with the benchmark's conductor.
#[derive(Default)]
pub struct Shared {
    /// Fan-out latency per window.
    pub latency: [Histogram; WINDOWS],
    /// Push to Ack per window.
    pub ack: [Histogram; WINDOWS],
    /// Changes acknowledged to pushes made in [`Mode::Flood`].
    pub flood_acks: AtomicU64,
    /// Push to Ack in [`Mode::Flood`].
    pub ack_flood: Histogram,
    /// Set while the slow client does not read.
    pub paused: AtomicBool,
    /// Wakes the slow client's reader when `paused` is cleared.
    pub resume: tokio::sync::Notify,
    /// Set once the conductor is closing the connections.
    pub closing: AtomicBool,
    /// What went wrong on any connection.
    pub errors: Mutex<Vec<String>>,
}

impl Shared {
    fn error(&self, what: String) {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(what);
    }
}

/// One device's counters.
#[derive(Default)]
pub struct Counts {
    pub received: AtomicU64,
    pub own_acked: AtomicU64,
    /// The cursor: everything up to it is received or the device's own.
    pub upto: AtomicU64,
    pub last_seq: AtomicU64,
    /// Entries whose seq did not increase (duplicates or out of order).
    pub disorder: AtomicU64,
    /// Times the device signed in again after the relay closed its connection.
    pub reconnects: AtomicU64,
}

/// A simulated device.
pub struct Device {
    pub index: usize,
    pub team: Arc<TeamState>,
    pub device: DeviceId,
    /// Only reads, and stops reading while [`Shared::paused`] is set.
    pub slow: bool,
    pub counts: Counts,
}

fn key(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Device {
    /// Handles one message from the relay: counts and times entries, passes
    /// acknowledgements on.
    fn handle(
        &self,
        msg: ServerMsg,
        shared: &Shared,
        acks: Option<&mpsc::UnboundedSender<u64>>,
    ) -> anyhow::Result<()> {
        match msg {
            ServerMsg::Changes { entries, upto, .. } => {
                let now = Instant::now();
                let c = &self.counts;
                for e in &entries {
                    if e.seq.0 <= c.last_seq.load(Ordering::Relaxed) {
                        c.disorder.fetch_add(1, Ordering::Relaxed);
                    }
                    c.last_seq.store(e.seq.0, Ordering::Relaxed);
                    c.received.fetch_add(1, Ordering::Relaxed);
                    let found = self
                        .team
                        .sent
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get(&key(&e.bytes))
                        .copied();
                    // The slow client's own delays are not the others' latency.
                    if let Some((sent, window)) = found.filter(|_| !self.slow) {
                        let latency = now.duration_since(sent);
                        shared.latency[window].record(latency);
                        if window == SLOW && self.team.index == 0 {
                            shared.latency[SLOW_TEAM].record(latency);
                        }
                    }
                }
                c.upto.fetch_max(upto.0, Ordering::SeqCst);
                Ok(())
            }
            ServerMsg::Ack { batch } => match acks {
                Some(tx) => {
                    let _ = tx.send(batch);
                    Ok(())
                }
                None => bail!("an Ack for batch {batch} nobody waits for"),
            },
            other => bail!("unexpected message {other:?}"),
        }
    }

    /// Reads until the catch-up ends (`more: false`).
    async fn catch_up<S>(&self, ws: &mut S, shared: &Shared) -> anyhow::Result<()>
    where
        S: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        loop {
            match conn::recv(ws).await? {
                Some(ServerMsg::Changes {
                    entries,
                    upto,
                    more,
                }) => {
                    self.handle(
                        ServerMsg::Changes {
                            entries,
                            upto,
                            more,
                        },
                        shared,
                        None,
                    )?;
                    if !more {
                        return Ok(());
                    }
                }
                Some(other) => bail!("expected catch-up, got {other:?}"),
                None => bail!("the relay closed the connection during catch-up"),
            }
        }
    }

    async fn sign_in(
        &self,
        endpoint: &Endpoint,
        cursor: Seq,
        shared: &Shared,
    ) -> anyhow::Result<conn::Socket> {
        let buffer = self.slow.then_some(SLOW_RECV_BUFFER);
        let mut ws = endpoint.connect(buffer).await?;
        conn::hello(
            &mut ws,
            &self.team.name,
            &self.team.token,
            self.device,
            cursor,
        )
        .await?;
        self.catch_up(&mut ws, shared).await?;
        Ok(ws)
    }
}

/// Connects a device, creates its account (pushers) and starts its reader and
/// writer tasks.
pub async fn start(
    device: Arc<Device>,
    endpoint: Endpoint,
    shared: Arc<Shared>,
    mode: watch::Receiver<Mode>,
    interval: Duration,
    rep: String,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut ws = device
        .sign_in(&endpoint, device.team.start, &shared)
        .await?;
    let (ack_tx, ack_rx) = mpsc::unbounded_channel();
    let doc = if device.slow {
        None
    } else {
        let id = DocId(crate::random::bytes16());
        let stamp = Stamp {
            rep: &rep,
            now_ms: now_ms(),
        };
        let name = format!("Bench account {}", device.index);
        let (doc, change) =
            RecordDoc::create(Kind::Account, id, &stamp, &[Edit::Set("name".into(), name)])
                .context("creating the device's account")?;
        conn::send(
            &mut ws,
            &conn::push(
                0,
                vec![DocChange {
                    doc: id,
                    bytes: change,
                }],
            ),
        )
        .await?;
        loop {
            match conn::recv(&mut ws).await? {
                Some(ServerMsg::Ack { batch: 0 }) => break,
                Some(msg) => device.handle(msg, &shared, None)?,
                None => bail!("the relay closed the connection before acknowledging the account"),
            }
        }
        device.counts.own_acked.fetch_add(1, Ordering::SeqCst);
        device.team.acked.fetch_add(1, Ordering::SeqCst);
        Some(doc)
    };
    let (sink, stream) = ws.split();
    let mut tasks = Vec::new();
    {
        let (device, shared, endpoint) = (device.clone(), shared.clone(), endpoint.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = read(&device, stream, device.slow, &endpoint, &shared, ack_tx).await
                && !shared.closing.load(Ordering::SeqCst)
            {
                shared.error(format!(
                    "device {} (team {}) reading: {e:#}",
                    device.index, device.team.name
                ));
            }
        }));
    }
    if let Some(doc) = doc {
        let (device, shared) = (device.clone(), shared.clone());
        tasks.push(tokio::spawn(async move {
            let writer = Writer {
                device: &device,
                shared: &shared,
                doc,
                rep,
                interval,
                batch: 0,
            };
            if let Err(e) = writer.run(sink, ack_rx, mode).await
                && !shared.closing.load(Ordering::SeqCst)
            {
                shared.error(format!(
                    "device {} (team {}) pushing: {e:#}",
                    device.index, device.team.name
                ));
            }
        }));
    } else {
        // The slow client only reads: its sending half stays open, unused,
        // until the reader ends.
        tasks.push(tokio::spawn(async move {
            let _sink = sink;
            let _acks = ack_rx;
            std::future::pending::<()>().await;
        }));
    }
    Ok(tasks)
}

/// The reading side. The slow client waits while paused; if the relay closed
/// its connection meanwhile it signs in again with its cursor and goes on.
async fn read<S>(
    device: &Device,
    mut stream: S,
    may_reconnect: bool,
    endpoint: &Endpoint,
    shared: &Shared,
    acks: mpsc::UnboundedSender<u64>,
) -> anyhow::Result<()>
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let closed = read_until_closed(device, &mut stream, shared, &acks).await;
    if !may_reconnect || shared.closing.load(Ordering::SeqCst) {
        return closed.and_then(|()| bail!("the relay closed the connection"));
    }
    drop(stream);
    loop {
        let cursor = Seq(device.counts.upto.load(Ordering::SeqCst));
        let mut ws = device.sign_in(endpoint, cursor, shared).await?;
        device.counts.reconnects.fetch_add(1, Ordering::SeqCst);
        let closed = read_until_closed(device, &mut ws, shared, &acks).await;
        if shared.closing.load(Ordering::SeqCst) {
            return closed;
        }
    }
}

/// Reads until the connection ends (`Ok`) or fails.
async fn read_until_closed<S>(
    device: &Device,
    stream: &mut S,
    shared: &Shared,
    acks: &mpsc::UnboundedSender<u64>,
) -> anyhow::Result<()>
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    loop {
        if device.slow {
            while shared.paused.load(Ordering::SeqCst) {
                let woken = shared.resume.notified();
                if !shared.paused.load(Ordering::SeqCst) {
                    break;
                }
                woken.await;
            }
        }
        match conn::recv(stream).await {
            Ok(Some(msg)) => device.handle(msg, shared, Some(acks))?,
            Ok(None) => return Ok(()),
            // A connection the relay dropped while the client was not reading.
            Err(_) if device.slow => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// The pushing side of a device.
struct Writer<'a> {
    device: &'a Device,
    shared: &'a Shared,
    doc: RecordDoc,
    rep: String,
    interval: Duration,
    batch: u64,
}

impl Writer<'_> {
    /// The next edit of the account's name, as change bytes.
    fn next_change(&mut self) -> anyhow::Result<DocChange> {
        self.batch += 1;
        let value = format!("Bench account {} edit {}", self.device.index, self.batch);
        let stamp = Stamp {
            rep: &self.rep,
            now_ms: now_ms(),
        };
        let mut changes = self
            .doc
            .edit(&stamp, &[Edit::Set("name".into(), value)])
            .context("editing the device's account")?;
        let bytes = changes.pop().context("an edit that changed nothing")?;
        Ok(DocChange {
            doc: self.doc.id(),
            bytes,
        })
    }

    async fn run<K>(
        mut self,
        mut sink: K,
        mut acks: mpsc::UnboundedReceiver<u64>,
        mut mode: watch::Receiver<Mode>,
    ) -> anyhow::Result<()>
    where
        K: Sink<Message, Error = WsError> + Unpin,
    {
        let mut rate = conn::push_rate();
        let mut prepared: Option<DocChange> = None;
        loop {
            let current = *mode.borrow_and_update();
            match current {
                Mode::Stop => return Ok(()),
                Mode::Idle => {
                    if mode.changed().await.is_err() {
                        return Ok(());
                    }
                }
                Mode::Flood => {
                    let change = match prepared.take() {
                        Some(c) => c,
                        None => self.next_change()?,
                    };
                    let batch = self.batch;
                    let frame = conn::push(batch, vec![change]).encode();
                    wait_for_rate(&mut rate, frame.len()).await;
                    let sent = Instant::now();
                    conn::send_frame(&mut sink, frame).await?;
                    // Build the next change while the relay works on this one.
                    prepared = Some(self.next_change()?);
                    self.await_ack(&mut acks, batch).await?;
                    self.shared.flood_acks.fetch_add(1, Ordering::Relaxed);
                    self.shared.ack_flood.record(sent.elapsed());
                }
                Mode::Steady { window } => {
                    // Devices start at random points of the interval, so the
                    // pushes of a team are spread, not in step.
                    let offset = Duration::from_micros(
                        (crate::random::u64() % self.interval.as_micros().max(1) as u64).max(1),
                    );
                    let mut next = tokio::time::Instant::now() + offset;
                    loop {
                        tokio::select! {
                            () = tokio::time::sleep_until(next) => {}
                            changed = mode.changed() => {
                                if changed.is_err() {
                                    return Ok(());
                                }
                                // The same mode again (a new window) keeps the schedule.
                                match *mode.borrow() {
                                    Mode::Steady { .. } => continue,
                                    _ => break,
                                }
                            }
                        }
                        let window = match *mode.borrow() {
                            Mode::Steady { window: w } => w,
                            _ => window,
                        };
                        let change = match prepared.take() {
                            Some(c) => c,
                            None => self.next_change()?,
                        };
                        let batch = self.batch;
                        let frame = conn::push(batch, vec![change.clone()]).encode();
                        wait_for_rate(&mut rate, frame.len()).await;
                        let sent = Instant::now();
                        self.device
                            .team
                            .sent
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(key(&change.bytes), (sent, window));
                        conn::send_frame(&mut sink, frame).await?;
                        self.await_ack(&mut acks, batch).await?;
                        self.shared.ack[window].record(sent.elapsed());
                        next += self.interval;
                        let now = tokio::time::Instant::now();
                        if next < now {
                            next = now;
                        }
                    }
                }
            }
        }
    }

    /// Waits for the Ack of `batch`; counts the change as stored.
    async fn await_ack(
        &self,
        acks: &mut mpsc::UnboundedReceiver<u64>,
        batch: u64,
    ) -> anyhow::Result<()> {
        let got = tokio::time::timeout(Duration::from_secs(60), acks.recv())
            .await
            .with_context(|| format!("no Ack for batch {batch} within 60 s"))?
            .context("the connection closed before the Ack")?;
        if got != batch {
            bail!("Ack for batch {got}, expected {batch}");
        }
        self.device.counts.own_acked.fetch_add(1, Ordering::SeqCst);
        self.device.team.acked.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Sleeps until the relay's push bucket (mirrored here) admits `bytes`.
async fn wait_for_rate(rate: &mut PushRate, bytes: usize) {
    while !rate.admit(bytes, tokio::time::Instant::now()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
