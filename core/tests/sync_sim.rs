//! Deterministic simulation of sync: five devices, each a [`SyncClient`] with its own
//! [`RecordDoc`]s, talk to an in-memory relay that follows the protocol's rules: one
//! log per team with contiguous sequence numbers, a change stored once (by its hash,
//! through [`change::check`]), group commit with the Ack only after the commit, no
//! echo of a device's own entries beyond the cursor move, catch-up in chunks
//! ([`chunk_entries`]), and live fan-out through a bounded channel that a slow
//! connection can overrun (it then re-reads from the log).
//!
//! A seeded scheduler interleaves reps' edits of every record kind — creations,
//! fields of every type, tags, notes, custom fields, collection items and order
//! lines, removals, deletion and restore, the team document, the migration of a
//! schema-1 document — with faults the network and the processes really have:
//! - reordering: a connection's frames stay in order (WebSocket), but the relay's
//!   fan-out reaches the devices in any order, and connections interleave freely;
//! - delay: a connection is held back for a while (a slow link: its relay session
//!   stops draining the live channel too, so it may lag and re-read the log);
//! - drop: a connection dies with frames in flight both ways; a push may have been
//!   committed or not, and the outbox sends it again, so the relay sees duplicates;
//! - crash: a device restarts from its durable cursor and outbox; the relay restarts
//!   and loses the pushes it had not committed (they were never acknowledged); a
//!   rep signs in on a fresh device and catches up from nothing;
//! - partition: a group of devices is cut from the relay, edits offline, then heals.
//!
//! Then the network heals and runs until quiet, and the oracle checks:
//! - every device is live with an empty outbox and the relay's head as its cursor;
//!   the relay's log holds every change made anywhere exactly once;
//! - every device holds every record with the same heads (the maximal changes of
//!   all that were made) and reads the same [`Record`];
//! - every write is accounted for. The ledger records every write as read from the
//!   changes themselves (document, object and key, value, change hash), so it holds
//!   exactly what was written. Each write is either visible — the field's value when
//!   it is the only current one, else a value its conflict lists, with its author —
//!   or superseded: a write to the same field was made on a device that had already
//!   seen it (its change has the written one in its causal past, computed from the
//!   changes' dependencies, and cross-checked against the values Automerge records
//!   each write as replacing; saving the value a conflicted field already shows
//!   keeps the write of that value and supersedes the others). Items added are
//!   present, flagged if removed; order lines are present unless a later change
//!   removed them. Read the other way, the records show nothing that the ledger does
//!   not predict. A record's `deleted` flag and an order line's fields list their
//!   conflicts like every field; only bookkeeping (an item's author, time and
//!   `removed` flag, the record's schema and creation) keeps concurrent values
//!   unlisted, counted as `unreported_conflicts`, and every device must show the
//!   same winner;
//! - a rep reads back every edit right after saving it, and an invalid edit writes
//!   nothing;
//! - when one change to a record's notes has every other in its past, the notes are
//!   exactly the text its rep saved.
//!
//! `CAMPO_SIM_SEEDS=n` runs seeds `0..n` (default 1), `CAMPO_SIM_SEED=s` runs seed `s`
//! only, and `CAMPO_SIM_EDITS=n` sets the edits per seed (default 10,000). A failure
//! names its seed and the command that replays it. The seed fixes the schedule, the
//! edits and the faults; Automerge's actor ids are random (`RecordDoc` draws them),
//! so change hashes, and which of two concurrent values wins, differ between runs.
//! The scheduler never decides on either, so a replay follows the same path (the
//! ledger's tallies can differ a little: saving the value a conflict shows is
//! recorded differently from saving another one). The exception: a change's size
//! can differ by a byte or two (a text edit's position is encoded relative to
//! characters whose order depends on actor ids), which can move a catch-up chunk's
//! boundary by one entry.

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, ChangeHash, ObjType, ScalarValue};
use campo_core::change;
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{
    CHUNK_TARGET_BYTES, ClientMsg, DocChange, Entry, ServerMsg, chunk_entries,
};
use campo_core::record::{
    CollSpec, Edit, EditError, FieldType, Item, Kind, Place, Record, RecordDoc, Stamp, TEAM_DOC,
    Val, value,
};
use campo_core::seed::Rng;
use campo_core::sync::{Credentials, Effect, Phase, SyncClient};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

const REPS: [&str; 5] = ["Anna", "Bruno", "Carla", "Dario", "Elisa"];
const TEAM: &str = "acme";
const DEFAULT_EDITS: usize = 10_000;
const DEFAULT_SEEDS: u64 = 1;
/// Groups the relay's live channel buffers per connection (the relay's hub keeps
/// 256; a small buffer makes slow connections lag often).
const LIVE_CAPACITY: usize = 4;
/// Edits favour a few records (the oldest and the newest), so reps often edit the
/// same ones at once.
const HOT_DOCS: usize = 12;
/// Wall-clock milliseconds at tick 0.
const T0: i64 = 1_790_000_000_000;
/// The schema-1 document in the relay's log before any device connects.
const LEGACY_DOC: DocId = DocId([7; 16]);
const LEGACY_DEVICE: DeviceId = DeviceId([0xee; 16]);
const LEGACY_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v1");

const WORDS: &[&str] = &[
    "Milano", "Monza", "Lodi", "Como", "Bar", "Roma", "Rossi", "Bianchi", "olio", "vino", "pane",
    "sole", "verde", "Nord", "Caffe", "Tessuti", "Ferro", "Luce",
];
const TAGS: &[&str] = &["vip", "bio", "horeca", "nord", "sud", "gdo", "estero"];

#[test]
fn five_devices_converge_and_every_edit_is_accounted_for() {
    let config = Config::from_env();
    let mut total = Stats::default();
    for &seed in &config.seeds {
        let started = std::time::Instant::now();
        match std::panic::catch_unwind(AssertUnwindSafe(|| run(seed, config.edits))) {
            Ok(stats) => {
                println!(
                    "seed {seed}: {:.1?}: {}",
                    started.elapsed(),
                    stats.summary()
                );
                total.add(&stats);
            }
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!(
                    "sync simulation failed with seed {seed} ({edits} edits): {why}\n\
                     replay it with: CAMPO_SIM_SEED={seed} CAMPO_SIM_EDITS={edits} \
                     cargo test -p campo-core --test sync_sim -- --nocapture",
                    edits = config.edits
                );
            }
        }
    }
    if config.edits >= DEFAULT_EDITS {
        total.assert_coverage();
    }
}

struct Config {
    seeds: Vec<u64>,
    edits: usize,
}

impl Config {
    fn from_env() -> Config {
        let number = |name: &str| {
            std::env::var(name).ok().map(|v| {
                v.trim()
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}"))
            })
        };
        let edits = number("CAMPO_SIM_EDITS").map_or(DEFAULT_EDITS, |n| n as usize);
        let seeds = match number("CAMPO_SIM_SEED") {
            Some(seed) => vec![seed],
            None => (0..number("CAMPO_SIM_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(),
        };
        Config { seeds, edits }
    }
}

macro_rules! counters {
    ($($name:ident),* $(,)?) => {
        /// What a run did, so a change to the scheduler cannot quietly stop
        /// exercising a fault.
        #[derive(Debug, Default, Clone)]
        struct Stats { $($name: u64,)* }
        impl Stats {
            fn add(&mut self, other: &Stats) { $(self.$name += other.$name;)* }
            fn summary(&self) -> String {
                let mut s = String::new();
                $(let _ = write!(s, "{} {}, ", self.$name, stringify!($name));)*
                s.trim_end_matches(", ").to_owned()
            }
        }
    };
}

counters! {
    // The run.
    edits, creations, refused, changes, records, ticks,
    // The network, the relay and the devices' processes.
    pushes, duplicates, commits, catch_ups, catch_up_chunks, lag_recoveries,
    drops, crashes, relay_restarts, partitions, holds, reinstalls,
    // How devices stored what they received (one `apply_many` per record and
    // batch; one at a time only when it refuses a change, which should not happen).
    loaded_whole, batches_tried, applied_together, applied_one_by_one,
    // Changes every device builds the same.
    team_creations, migrations,
    // How the ledger's writes stand at the end.
    writes, shown, in_conflict, superseded, resolutions, hidden_by_removal,
    unreported_conflicts, conflicts_at_end,
    // Time spent.
    ms_running, ms_settling, ms_checking,
}

impl Stats {
    fn assert_coverage(&self) {
        let exercised = [
            ("duplicate pushes absorbed by the relay", self.duplicates),
            ("multi-chunk catch-ups", self.catch_up_chunks),
            (
                "lagging connections re-reading the log",
                self.lag_recoveries,
            ),
            ("dropped connections", self.drops),
            ("device crashes", self.crashes),
            ("relay restarts", self.relay_restarts),
            ("partitions", self.partitions),
            ("held connections", self.holds),
            ("devices starting afresh", self.reinstalls),
            ("writes shown as conflicts", self.in_conflict),
            ("superseded writes", self.superseded),
            ("refused invalid edits", self.refused),
        ];
        for (what, n) in exercised {
            assert!(n > 0, "the simulation no longer exercises {what}");
        }
        assert!(
            self.team_creations >= 2,
            "the team document must be created on several devices"
        );
        assert!(
            self.migrations >= 2,
            "the schema-1 record must be migrated on several devices"
        );
    }
}

fn run(seed: u64, edits: usize) -> Stats {
    let mut sim = Sim::new(seed);
    let started = std::time::Instant::now();
    while (sim.stats.edits as usize) < edits / 2 {
        sim.step();
    }
    // Half way, one rep moves to a fresh device, which catches up on the whole
    // log (in many chunks) while the others carry on.
    sim.devices[seed as usize % REPS.len()].reinstall_when_sent = true;
    while (sim.stats.edits as usize) < edits {
        sim.step();
    }
    sim.stats.ms_running = started.elapsed().as_millis() as u64;
    let started = std::time::Instant::now();
    sim.settle();
    sim.stats.ms_settling = started.elapsed().as_millis() as u64;
    let started = std::time::Instant::now();
    sim.check();
    sim.stats.ms_checking = started.elapsed().as_millis() as u64;
    sim.stats.ticks = sim.tick;
    sim.stats
}

// ---------------------------------------------------------------------------
// The relay.

/// Entries committed together, as the store announces them.
struct Group {
    entries: Vec<(Entry, DeviceId)>,
}

impl Group {
    fn upto(&self) -> Seq {
        self.entries.last().map_or(Seq(0), |(e, _)| e.seq)
    }
}

/// A push received and waiting for the writer's next group commit.
struct Pending {
    conn: u64,
    batch: u64,
    device: DeviceId,
    changes: Vec<DocChange>,
}

struct Relay {
    /// The team's log: entry `n` has seq `n + 1`, with the device that pushed it.
    log: Vec<(Entry, DeviceId)>,
    stored: HashSet<[u8; 32]>,
    /// Not durable: a restart loses these (and they were never acknowledged).
    pending: Vec<Pending>,
}

impl Relay {
    fn head(&self) -> Seq {
        Seq(self.log.len() as u64)
    }

    /// Entries in `(after, upto]`, stopping once a chunk's worth of bytes is read,
    /// as the store reads them.
    fn read_range(&self, after: Seq, upto: Seq) -> &[(Entry, DeviceId)] {
        let (start, end) = (after.0 as usize, upto.0 as usize);
        let mut n = start;
        let mut size = 0;
        while n < end && size < CHUNK_TARGET_BYTES {
            size += self.log[n].0.bytes.len();
            n += 1;
        }
        &self.log[start..n]
    }

    /// The writer's group commit: every queued push in one transaction. Returns the
    /// pushes to acknowledge and the group to announce (none when every change was
    /// already stored).
    fn commit(&mut self, stats: &mut Stats) -> (Vec<Pending>, Option<Rc<Group>>) {
        let pushes = std::mem::take(&mut self.pending);
        let mut entries = Vec::new();
        for push in &pushes {
            for c in &push.changes {
                // Checked when the push arrived.
                let hash = change::check(&c.bytes).map(|h| h.0).unwrap_or_default();
                if !self.stored.insert(hash) {
                    stats.duplicates += 1;
                    continue;
                }
                let entry = Entry {
                    seq: Seq(self.log.len() as u64 + 1),
                    doc: c.doc,
                    bytes: c.bytes.clone(),
                };
                self.log.push((entry.clone(), push.device));
                entries.push((entry, push.device));
            }
        }
        stats.commits += 1;
        let group = (!entries.is_empty()).then(|| Rc::new(Group { entries }));
        (pushes, group)
    }
}

/// The relay's side of one connection after Hello (sync-server `connection.rs`).
struct Session {
    device: DeviceId,
    /// The highest seq sent to the device (or deliberately not sent: its own).
    sent: Seq,
    /// The live channel: groups committed since Hello, not yet forwarded.
    live: VecDeque<Rc<Group>>,
    /// The channel overflowed: the session must re-read the log.
    lagged: bool,
    /// A push is being committed; the session handles nothing else until its Ack.
    awaiting: bool,
}

impl Session {
    /// Sends the log's entries in `(from, to]`; in catch-up mode as `Changes`
    /// chunks with `more` on all but the last, always ending with `upto = to`.
    #[allow(clippy::too_many_arguments)]
    fn send_log(
        &mut self,
        relay: &Relay,
        from: Seq,
        to: Seq,
        skip_own: bool,
        catch_up: bool,
        down: &mut VecDeque<Vec<u8>>,
        stats: &mut Stats,
    ) {
        let mut after = from;
        let mut finished = false;
        while after < to {
            let rows = relay.read_range(after, to);
            let Some(last) = rows.last().map(|(e, _)| e.seq) else {
                break;
            };
            let entries: Vec<Entry> = rows
                .iter()
                .filter(|(_, d)| !(skip_own && *d == self.device))
                .map(|(e, _)| e.clone())
                .collect();
            if !catch_up {
                self.send_live(entries, last, down);
                after = last;
                continue;
            }
            let chunks = chunk_entries(entries);
            let count = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                let upto = if i + 1 == count {
                    last
                } else {
                    chunk.last().map_or(last, |e| e.seq)
                };
                let more = upto < to;
                finished |= !more;
                stats.catch_up_chunks += u64::from(more);
                down.push_back(
                    ServerMsg::Changes {
                        entries: chunk,
                        upto,
                        more,
                    }
                    .encode(),
                );
            }
            after = last;
            self.sent = self.sent.max(last);
        }
        if catch_up && !finished {
            down.push_back(
                ServerMsg::Changes {
                    entries: Vec::new(),
                    upto: to,
                    more: false,
                }
                .encode(),
            );
        }
        self.sent = self.sent.max(to);
    }

    /// Forwards a live group, minus the device's own entries and anything sent.
    fn forward(&mut self, relay: &Relay, group: &Group, down: &mut VecDeque<Vec<u8>>) {
        let upto = group.upto();
        if upto <= self.sent {
            return;
        }
        let first_new = group
            .entries
            .iter()
            .map(|(e, _)| e.seq)
            .find(|s| *s > self.sent);
        if first_new != Some(Seq(self.sent.0 + 1)) {
            self.recover(relay, down);
            return;
        }
        let entries = group
            .entries
            .iter()
            .filter(|(e, d)| e.seq > self.sent && *d != self.device)
            .map(|(e, _)| e.clone())
            .collect();
        self.send_live(entries, upto, down);
    }

    /// Live messages ending at `upto`; one empty message when every entry was the
    /// device's own, so its cursor still moves.
    fn send_live(&mut self, entries: Vec<Entry>, upto: Seq, down: &mut VecDeque<Vec<u8>>) {
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
            down.push_back(
                ServerMsg::Changes {
                    entries: chunk,
                    upto: chunk_upto,
                    more: false,
                }
                .encode(),
            );
        }
        self.sent = self.sent.max(upto);
    }

    /// Re-reads everything after what was sent, up to the head.
    fn recover(&mut self, relay: &Relay, down: &mut VecDeque<Vec<u8>>) {
        let mut unused = Stats::default();
        self.send_log(
            relay,
            self.sent,
            relay.head(),
            true,
            false,
            down,
            &mut unused,
        );
    }
}

/// One WebSocket connection: frames in flight each way, in order.
struct Conn {
    id: u64,
    up: VecDeque<Vec<u8>>,
    down: VecDeque<Vec<u8>>,
    /// The relay's session, once it has read the Hello.
    session: Option<Session>,
    /// A slow link: nothing moves on it before this tick.
    held_until: u64,
}

// ---------------------------------------------------------------------------
// The devices.

struct Device {
    rep: &'static str,
    id: DeviceId,
    client: SyncClient,
    docs: BTreeMap<DocId, RecordDoc>,
    /// The outbox as stored: what a restarted client is given back.
    outbox: BTreeMap<u64, DocChange>,
    next_outbox: u64,
    conn: Option<Conn>,
    /// Cut from the relay until this tick.
    cut_until: Option<u64>,
    /// The rep will move to a fresh device once everything is sent.
    reinstall_when_sent: bool,
}

fn credentials(device: DeviceId) -> Credentials {
    Credentials {
        team: TEAM.into(),
        token: "campo_token".into(),
        device,
    }
}

impl Device {
    /// Carries out the client's effects, as the app's shell does.
    fn perform(&mut self, effects: Vec<Effect>, stats: &mut Stats) {
        for effect in effects {
            match effect {
                Effect::Send(frame) => match &mut self.conn {
                    Some(conn) => conn.up.push_back(frame),
                    None => panic!("{}'s client sent a frame while offline", self.rep),
                },
                Effect::Apply { entries, upto } => {
                    self.store(entries, stats);
                    // The documents and the cursor are stored together.
                    self.client.stored(upto);
                }
                Effect::Acked(ids) => {
                    for id in ids {
                        self.outbox.remove(&id);
                    }
                }
                Effect::Refused { code, message } => {
                    panic!("the relay refused {}: {code:?} {message}", self.rep)
                }
            }
        }
    }

    /// Applies a batch of entries the way the app stores one
    /// (`app/src/records.rs`): grouped by record; a record new to the device is
    /// loaded from all its changes at once, one it holds gets them in one
    /// `apply_many` call, or one at a time when that call refuses a change.
    fn store(&mut self, entries: Vec<Entry>, stats: &mut Stats) {
        let mut order: Vec<DocId> = Vec::new();
        let mut by_doc: HashMap<DocId, Vec<Vec<u8>>> = HashMap::new();
        for e in entries {
            let changes = by_doc.entry(e.doc).or_default();
            if changes.is_empty() {
                order.push(e.doc);
            }
            changes.push(e.bytes);
        }
        for id in order {
            let changes = &by_doc[&id];
            if !self.docs.contains_key(&id) {
                if let Ok(doc) = RecordDoc::load(id, &changes.concat()) {
                    self.docs.insert(id, doc);
                    stats.loaded_whole += 1;
                    continue;
                }
                self.docs.insert(id, RecordDoc::empty(id));
            }
            let doc = self.docs.get_mut(&id).expect("inserted above");
            stats.batches_tried += 1;
            if doc.apply_many(changes).is_ok() {
                stats.applied_together += 1;
                continue;
            }
            stats.applied_one_by_one += changes.len() as u64;
            for c in changes {
                if let Err(e) = doc.apply(c) {
                    panic!("{} cannot apply a change to {id:?}: {e}", self.rep);
                }
            }
        }
    }

    fn ready(&self, id: &DocId) -> bool {
        self.docs.get(id).is_some_and(RecordDoc::is_ready)
    }
}

/// What the reps know of the team's book, to pick what to edit and refer to.
struct Book {
    /// Every record, in order of creation (the schema-1 one first).
    created: Vec<DocId>,
    by_kind: BTreeMap<Kind, Vec<DocId>>,
    custom_ids: Vec<String>,
}

// ---------------------------------------------------------------------------
// The scheduler.

struct Sim {
    rng: Rng,
    tick: u64,
    relay: Relay,
    devices: Vec<Device>,
    ledger: Ledger,
    book: Book,
    /// The last reading of each record and the heads it was read at: any device
    /// whose copy has the same heads reads the same (reading costs about as much
    /// as saving, and each edit reads twice).
    last_read: HashMap<DocId, (Vec<ChangeHash>, Record)>,
    next_conn: u64,
    stats: Stats,
}

#[derive(Clone, Copy)]
enum Event {
    Up(usize),
    Down(usize),
    Forward(usize),
    Commit,
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let devices = REPS
            .iter()
            .enumerate()
            .map(|(i, rep)| {
                let id = DeviceId([i as u8 + 1; 16]);
                Device {
                    rep,
                    id,
                    client: SyncClient::new(credentials(id), Seq(0), []),
                    docs: BTreeMap::new(),
                    outbox: BTreeMap::new(),
                    next_outbox: 0,
                    conn: None,
                    cut_until: None,
                    reinstall_when_sent: false,
                }
            })
            .collect();
        let mut sim = Sim {
            rng: Rng::new(seed),
            tick: 0,
            relay: Relay {
                log: Vec::new(),
                stored: HashSet::new(),
                pending: Vec::new(),
            },
            devices,
            ledger: Ledger::default(),
            book: Book {
                created: Vec::new(),
                by_kind: BTreeMap::new(),
                custom_ids: vec!["cf-orari".into(), "cf-chiusura".into()],
            },
            last_read: HashMap::new(),
            next_conn: 0,
            stats: Stats::default(),
        };
        sim.seed_legacy_record();
        for i in 0..sim.devices.len() {
            sim.start_app(i);
        }
        sim
    }

    /// What the app does when it starts signed in: make sure the team document
    /// exists (every device builds the same first change).
    fn start_app(&mut self, i: usize) {
        if let std::collections::btree_map::Entry::Vacant(slot) =
            self.devices[i].docs.entry(TEAM_DOC)
        {
            let (doc, bytes) = RecordDoc::team();
            slot.insert(doc);
            self.stats.team_creations += 1;
            self.local_change(i, TEAM_DOC, bytes, None);
        }
    }

    /// The rep signs in on a fresh browser profile: a new device id, nothing
    /// stored, the whole log to catch up from cursor 0. (Signing out is refused
    /// while changes wait to be sent, so none are lost.)
    fn reinstall(&mut self, i: usize) {
        let d = &mut self.devices[i];
        d.reinstall_when_sent = false;
        d.id.0[1] = d.id.0[1].wrapping_add(1);
        d.conn = None;
        d.docs.clear();
        d.client = SyncClient::new(credentials(d.id), Seq(0), []);
        self.stats.reinstalls += 1;
        self.start_app(i);
    }

    /// A customer written by schema-1 clients is already in the relay's log.
    fn seed_legacy_record(&mut self) {
        for n in 0..4 {
            let path = format!("{LEGACY_DIR}/bar-centrale.change{n}");
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            self.ledger.add(LEGACY_DOC, &bytes, Origin::Legacy, None);
            let hash = change::check(&bytes).expect("the fixture is a change").0;
            self.relay.stored.insert(hash);
            let seq = Seq(self.relay.log.len() as u64 + 1);
            let entry = Entry {
                seq,
                doc: LEGACY_DOC,
                bytes,
            };
            self.relay.log.push((entry, LEGACY_DEVICE));
        }
        self.book.created.push(LEGACY_DOC);
        self.book
            .by_kind
            .entry(Kind::Account)
            .or_default()
            .push(LEGACY_DOC);
    }

    fn now(&self) -> i64 {
        T0 + self.tick as i64 * 1_000
    }

    /// One tick: a device is drawn, then what happens to it. Both draws happen
    /// whether or not that can happen now, so an event that finds nothing to do
    /// does not shift the random stream.
    fn step(&mut self) {
        self.tick += 1;
        for i in 0..self.devices.len() {
            let d = &mut self.devices[i];
            if d.cut_until.is_some_and(|t| t <= self.tick) {
                d.cut_until = None;
            }
            if d.reinstall_when_sent && d.outbox.is_empty() {
                self.reinstall(i);
            }
        }
        let i = self.rng.below(self.devices.len());
        match self.rng.below(1000) {
            0..=99 => self.edit(i),
            100..=349 => self.run_event(Event::Up(i)),
            350..=699 => self.run_event(Event::Down(i)),
            700..=889 => self.run_event(Event::Forward(i)),
            890..=919 => self.run_event(Event::Commit),
            920..=959 => self.connect(i),
            960..=965 => self.drop_connection(i),
            966..=967 => self.crash(i),
            968 => match self.rng.below(144) {
                0..=47 => self.restart_relay(),
                48 => self.devices[i].reinstall_when_sent = true,
                _ => {}
            },
            969 => {
                if self.rng.below(3) == 0 {
                    self.partition();
                }
            }
            970..=973 => self.hold(i),
            _ => self.run_event(Event::Down(i)),
        }
    }

    fn enabled(&self, event: Event) -> bool {
        let conn = |i: usize| {
            self.devices[i]
                .conn
                .as_ref()
                .filter(|c| c.held_until <= self.tick)
        };
        match event {
            Event::Up(i) => conn(i).is_some_and(|c| {
                !c.up.is_empty() && !c.session.as_ref().is_some_and(|s| s.awaiting)
            }),
            Event::Down(i) => conn(i).is_some_and(|c| !c.down.is_empty()),
            Event::Forward(i) => conn(i).is_some_and(|c| {
                c.session
                    .as_ref()
                    .is_some_and(|s| !s.awaiting && (s.lagged || !s.live.is_empty()))
            }),
            Event::Commit => !self.relay.pending.is_empty(),
        }
    }

    fn run_event(&mut self, event: Event) {
        if !self.enabled(event) {
            return;
        }
        match event {
            Event::Up(i) => self.deliver_up(i),
            Event::Down(i) => self.deliver_down(i),
            Event::Forward(i) => self.forward(i),
            Event::Commit => self.commit(),
        }
    }

    /// The relay reads the next frame from device `i`.
    fn deliver_up(&mut self, i: usize) {
        let Sim {
            devices,
            relay,
            stats,
            ..
        } = self;
        let d = &mut devices[i];
        let conn = d.conn.as_mut().expect("enabled");
        let frame = conn.up.pop_front().expect("enabled");
        let msg = ClientMsg::decode(&frame)
            .unwrap_or_else(|e| panic!("{} sent an unreadable frame: {e}", d.rep));
        match (msg, &mut conn.session) {
            (ClientMsg::Hello(hello), None) => {
                // Subscribe, read the head, Welcome, then catch up to that head.
                let head = relay.head();
                conn.down.push_back(
                    ServerMsg::Welcome {
                        team: TEAM.into(),
                        rep: d.rep.into(),
                        head,
                    }
                    .encode(),
                );
                let (from, skip_own) = if hello.cursor > head {
                    (Seq(0), false)
                } else {
                    (hello.cursor, hello.cursor > Seq(0))
                };
                let mut session = Session {
                    device: hello.device,
                    sent: from,
                    live: VecDeque::new(),
                    lagged: false,
                    awaiting: false,
                };
                session.send_log(relay, from, head, skip_own, true, &mut conn.down, stats);
                conn.session = Some(session);
                stats.catch_ups += 1;
            }
            (ClientMsg::Push { batch, changes }, Some(session)) => {
                for c in &changes {
                    if let Err(e) = change::check(&c.bytes) {
                        panic!("{} pushed bytes that are not a change: {e}", d.rep);
                    }
                }
                stats.pushes += 1;
                relay.pending.push(Pending {
                    conn: conn.id,
                    batch,
                    device: session.device,
                    changes,
                });
                session.awaiting = true;
            }
            (msg, _) => panic!("{} broke the protocol: {msg:?}", d.rep),
        }
    }

    /// Device `i` reads the next frame from the relay.
    fn deliver_down(&mut self, i: usize) {
        let d = &mut self.devices[i];
        let frame = d
            .conn
            .as_mut()
            .and_then(|c| c.down.pop_front())
            .expect("enabled");
        match d.client.receive(&frame) {
            Ok(effects) => d.perform(effects, &mut self.stats),
            Err(e) => panic!("{}'s client refused the relay's frame: {e}", d.rep),
        }
    }

    /// Device `i`'s relay session handles its live channel.
    fn forward(&mut self, i: usize) {
        let Sim {
            devices,
            relay,
            stats,
            ..
        } = self;
        let conn = devices[i].conn.as_mut().expect("enabled");
        let session = conn.session.as_mut().expect("enabled");
        if session.lagged {
            session.lagged = false;
            stats.lag_recoveries += 1;
            session.recover(relay, &mut conn.down);
        } else if let Some(group) = session.live.pop_front() {
            session.forward(relay, &group, &mut conn.down);
        }
    }

    /// The relay's writer commits every queued push, announces the group, then
    /// acknowledges each push on its connection (if that is still open).
    fn commit(&mut self) {
        let (pushes, group) = self.relay.commit(&mut self.stats);
        for d in &mut self.devices {
            let Some(conn) = &mut d.conn else { continue };
            let Some(session) = &mut conn.session else {
                continue;
            };
            if let Some(group) = &group {
                session.live.push_back(group.clone());
                if session.live.len() > LIVE_CAPACITY {
                    session.live.pop_front();
                    session.lagged = true;
                }
            }
            for push in pushes.iter().filter(|p| p.conn == conn.id) {
                conn.down
                    .push_back(ServerMsg::Ack { batch: push.batch }.encode());
                session.awaiting = false;
            }
        }
    }

    fn connect(&mut self, i: usize) {
        let d = &mut self.devices[i];
        if d.conn.is_some() || d.cut_until.is_some() || !d.client.may_connect() {
            return;
        }
        self.next_conn += 1;
        d.conn = Some(Conn {
            id: self.next_conn,
            up: VecDeque::from([d.client.connect()]),
            down: VecDeque::new(),
            session: None,
            held_until: 0,
        });
    }

    /// The connection dies with frames in flight both ways.
    fn drop_connection(&mut self, i: usize) {
        let d = &mut self.devices[i];
        if d.conn.take().is_some() {
            d.client.disconnected(Some(1006));
            self.stats.drops += 1;
        }
    }

    /// The app restarts: only what it stored survives (documents, cursor, outbox).
    fn crash(&mut self, i: usize) {
        let d = &mut self.devices[i];
        d.conn = None;
        d.client = SyncClient::new(credentials(d.id), d.client.cursor(), d.outbox.clone());
        self.stats.crashes += 1;
    }

    /// The relay restarts: connections close, uncommitted pushes are lost.
    fn restart_relay(&mut self) {
        self.relay.pending.clear();
        for d in &mut self.devices {
            if d.conn.take().is_some() {
                d.client.disconnected(Some(1012));
            }
        }
        self.stats.relay_restarts += 1;
    }

    /// Cuts one to three devices from the relay for a while.
    fn partition(&mut self) {
        let size = 1 + self.rng.below(3);
        // Mostly minutes; sometimes long enough that catching up takes chunks.
        let length = match self.rng.below(10) {
            0 => 5_000 + self.rng.below(10_000),
            _ => 300 + self.rng.below(2_700),
        };
        let until = self.tick + length as u64;
        for _ in 0..size {
            let i = self.rng.below(self.devices.len());
            let d = &mut self.devices[i];
            if d.conn.take().is_some() {
                d.client.disconnected(Some(1006));
            }
            d.cut_until = Some(d.cut_until.map_or(until, |t| t.max(until)));
        }
        self.stats.partitions += 1;
    }

    /// Device `i`'s link stalls for a while.
    fn hold(&mut self, i: usize) {
        let until = self.tick + 20 + self.rng.below(380) as u64;
        if let Some(conn) = &mut self.devices[i].conn {
            conn.held_until = until;
            self.stats.holds += 1;
        }
    }

    /// Heals everything and runs the network until nothing moves.
    fn settle(&mut self) {
        for d in &mut self.devices {
            d.cut_until = None;
            if let Some(c) = &mut d.conn {
                c.held_until = 0;
            }
        }
        for round in 0.. {
            assert!(round < 50_000_000, "the network never went quiet");
            for i in 0..self.devices.len() {
                assert!(
                    self.devices[i].client.may_connect(),
                    "{} was refused",
                    self.devices[i].rep
                );
                self.connect(i);
            }
            let events: Vec<Event> = (0..self.devices.len())
                .flat_map(|i| [Event::Up(i), Event::Down(i), Event::Forward(i)])
                .chain([Event::Commit])
                .filter(|e| self.enabled(*e))
                .collect();
            if events.is_empty() {
                break;
            }
            let event = *self.rng.pick(&events);
            self.run_event(event);
        }
    }

    // -----------------------------------------------------------------------
    // Edits.

    fn edit(&mut self, i: usize) {
        match self.rng.below(100) {
            0..=11 => self.create(i),
            12..=14 => self.edit_team(i),
            15..=17 => self.invalid_edit(i),
            _ => self.edit_record(i),
        }
    }

    /// A change made on device `i`: into the ledger, the outbox and the client.
    fn local_change(&mut self, i: usize, doc: DocId, bytes: Vec<u8>, notes: Option<String>) {
        self.ledger.add(doc, &bytes, Origin::Device, notes);
        self.stats.changes += 1;
        let d = &mut self.devices[i];
        d.next_outbox += 1;
        let change = DocChange { doc, bytes };
        d.outbox.insert(d.next_outbox, change.clone());
        let effects = d.client.push(d.next_outbox, change);
        d.perform(effects, &mut self.stats);
    }

    fn create(&mut self, i: usize) {
        let kind = *self.rng.pick(&[
            Kind::Account,
            Kind::Account,
            Kind::Account,
            Kind::Person,
            Kind::Person,
            Kind::Product,
            Kind::Deal,
            Kind::Deal,
            Kind::Task,
            Kind::Task,
        ]);
        let id = DocId(self.rng.bytes16());
        let edits = typing::creation(&mut self.rng, &self.book, kind);
        let now_ms = self.now();
        let rep = self.devices[i].rep;
        let (mut doc, bytes) = RecordDoc::create(kind, id, &Stamp { rep, now_ms }, &edits)
            .unwrap_or_else(|e| panic!("{rep} could not create a {kind:?} with {edits:?}: {e}"));
        let r = doc.read();
        check_own_edits(rep, id, kind, &edits, &r);
        assert_eq!(
            (r.created_by.as_str(), r.created_at),
            (rep, now_ms),
            "{id:?} names its creator"
        );
        self.last_read.insert(id, (doc.heads(), r.clone()));
        self.devices[i].docs.insert(id, doc);
        self.book.created.push(id);
        self.book.by_kind.entry(kind).or_default().push(id);
        self.stats.creations += 1;
        self.stats.edits += 1;
        self.local_change(i, id, bytes, Some(r.notes));
    }

    /// An edit of the team document, which the device creates first if it has
    /// not received it: the same change on every device.
    fn edit_team(&mut self, i: usize) {
        self.start_app(i);
        self.edit_doc(i, TEAM_DOC);
    }

    fn edit_record(&mut self, i: usize) {
        if let Some(id) = self.pick_doc(i) {
            self.edit_doc(i, id);
        }
    }

    /// A record to edit, mostly one of the first made; `None` when device `i` does
    /// not have it yet.
    fn pick_doc(&mut self, i: usize) -> Option<DocId> {
        let n = self.book.created.len();
        let index = if self.rng.below(10) < 3 {
            // The oldest records, which grow long histories, and the newest,
            // which everyone is busy with.
            let hot = self.rng.below(HOT_DOCS);
            if hot < 3 {
                hot.min(n - 1)
            } else {
                n - 1 - (hot - 3).min(n - 1)
            }
        } else {
            self.rng.below(n)
        };
        let id = self.book.created[index];
        self.devices[i].ready(&id).then_some(id)
    }

    fn edit_doc(&mut self, i: usize, id: DocId) {
        let now_ms = self.now();
        let rep = self.devices[i].rep;
        let d = &mut self.devices[i];
        let Some(doc) = d.docs.get_mut(&id).filter(|d| d.is_ready()) else {
            return;
        };
        let kind = doc.kind().expect("a ready record has a kind");
        let heads = doc.heads();
        let before = match self.last_read.remove(&id) {
            Some((at, r)) if at == heads => r,
            _ => doc.read(),
        };
        let edits = typing::edits(&mut self.rng, &self.book, kind, &before);
        if edits.is_empty() {
            return;
        }
        let changes = doc
            .edit(&Stamp { rep, now_ms }, &edits)
            .unwrap_or_else(|e| panic!("{rep}'s valid edit of {id:?} was refused: {e}\n{edits:?}"));
        let after = doc.read();
        check_own_edits(rep, id, kind, &edits, &after);
        self.last_read.insert(id, (doc.heads(), after.clone()));
        for e in &edits {
            if let Edit::PutItem { coll, id: item, .. } = e
                && coll == "custom_fields"
                && !self.book.custom_ids.contains(item)
            {
                self.book.custom_ids.push(item.clone());
            }
        }
        if changes.is_empty() {
            return;
        }
        self.stats.edits += 1;
        // The migration is the change without an author.
        self.stats.migrations += changes
            .iter()
            .filter(|c| {
                automerge::Change::try_from(c.as_slice()).is_ok_and(|c| c.message().is_none())
            })
            .count() as u64;
        let last = changes.len() - 1;
        for (n, bytes) in changes.into_iter().enumerate() {
            let notes = (n == last).then(|| after.notes.clone());
            self.local_change(i, id, bytes, notes);
        }
    }

    /// An edit with a value its field refuses (sometimes after a valid one):
    /// nothing may be written.
    fn invalid_edit(&mut self, i: usize) {
        let now_ms = self.now();
        let rep = self.devices[i].rep;
        if self.rng.below(5) == 0 {
            // A creation without its required fields.
            let kind = *self
                .rng
                .pick(&[Kind::Account, Kind::Product, Kind::Deal, Kind::Task]);
            let optional = kind.spec().fields.iter().find(|f| !f.required);
            let edits: Vec<Edit> = optional
                .map(|f| {
                    let v = typing::value(&mut self.rng, &self.book, f.ty, false);
                    Edit::Set(f.key.into(), v)
                })
                .into_iter()
                .collect();
            let made = RecordDoc::create(kind, DocId([9; 16]), &Stamp { rep, now_ms }, &edits);
            assert!(
                matches!(made, Err(EditError::Invalid(_))),
                "a {kind:?} without its required fields was created"
            );
            self.stats.refused += 1;
            return;
        }
        let Some(id) = self.pick_doc(i) else { return };
        let doc = self.devices[i].docs.get_mut(&id).expect("picked");
        let kind = doc.kind().expect("ready");
        let edits = typing::invalid(&mut self.rng, &self.book, kind);
        let heads = doc.heads();
        match doc.edit(&Stamp { rep, now_ms }, &edits) {
            Err(EditError::Invalid(_)) => {}
            other => panic!("{rep}'s invalid edit {edits:?} of {id:?} gave {other:?}"),
        }
        assert_eq!(doc.heads(), heads, "a refused edit wrote something");
        self.stats.refused += 1;
    }

    // -----------------------------------------------------------------------
    // The oracle.

    fn check(&mut self) {
        let head = self.relay.head();
        assert!(self.relay.pending.is_empty(), "pushes left uncommitted");
        for d in &self.devices {
            let status = d.client.status();
            assert_eq!(
                (status.phase, status.pending, d.outbox.len()),
                (Phase::Live, 0, 0),
                "{} still has work",
                d.rep
            );
            assert_eq!(d.client.cursor(), head, "{}'s cursor", d.rep);
            assert_eq!(
                d.docs.len(),
                self.ledger.docs.len(),
                "{} holds a different number of records",
                d.rep
            );
        }
        // The log holds every change made anywhere, once.
        let logged: HashSet<ChangeHash> = self
            .relay
            .log
            .iter()
            .map(|(e, _)| ChangeHash(change::check(&e.bytes).expect("stored changes").0))
            .collect();
        assert_eq!(logged.len(), self.relay.log.len(), "a change stored twice");
        let made: HashSet<ChangeHash> = self
            .ledger
            .docs
            .values()
            .flat_map(|h| h.changes.iter().map(|c| c.hash))
            .collect();
        assert!(logged == made, "the relay's log is not every change made");

        let mut ids: Vec<DocId> = self.ledger.docs.keys().copied().collect();
        ids.sort();
        let mut problems = Vec::new();
        for id in ids {
            let history = &self.ledger.docs[&id];
            let heads = history.heads();
            let mut reads: Vec<(&str, Record)> = Vec::new();
            for d in &mut self.devices {
                let doc = d.docs.get_mut(&id).expect("counted above");
                if doc.heads() != heads {
                    problems.push(format!("{id:?}: {} has other heads", d.rep));
                }
                reads.push((d.rep, doc.read()));
            }
            let first = &reads[0];
            for (rep, r) in &reads[1..] {
                if r != &first.1 {
                    problems.push(format!(
                        "{id:?}: {rep} reads it differently from {}: {}",
                        first.0,
                        describe_difference(&first.1, r)
                    ));
                }
            }
            let r = &first.1;
            self.stats.records += 1;
            self.stats.conflicts_at_end += r.conflicts.len() as u64;
            check_record(id, history, r, &mut self.stats, &mut problems);
        }
        if !problems.is_empty() {
            let shown: Vec<&str> = problems.iter().take(30).map(String::as_str).collect();
            panic!(
                "the oracle found {} problems:\n{}",
                problems.len(),
                shown.join("\n")
            );
        }
    }
}

// ---------------------------------------------------------------------------
// What reps type.

mod typing {
    use super::*;

    /// A valid input for a field of type `ty` (sometimes empty when allowed).
    pub fn value(rng: &mut Rng, book: &Book, ty: FieldType, required: bool) -> String {
        if !required && rng.below(12) == 0 {
            return if rng.below(2) == 0 { "" } else { "  " }.into();
        }
        let word = *rng.pick(WORDS);
        let n = rng.below(1_000);
        match ty {
            FieldType::Text => match rng.below(4) {
                0 => format!("{word} {n}"),
                1 => format!("  {word} "),
                _ => word.into(),
            },
            FieldType::LongText => {
                let words: Vec<&str> = (0..1 + rng.below(6)).map(|_| *rng.pick(WORDS)).collect();
                words.join(if rng.below(3) == 0 { "\n" } else { " " })
            }
            FieldType::Email => format!("{}{n}@example.it", word.to_lowercase()),
            FieldType::Phone => {
                format!("+39 0{} {}", 2 + rng.below(8), 100_000 + rng.below(900_000))
            }
            FieldType::Url => match rng.below(2) {
                0 => format!("www.{}{n}.it", word.to_lowercase()),
                _ => format!("https://{}.example.com/p/{n}", word.to_lowercase()),
            },
            FieldType::VatId => match rng.below(2) {
                0 => italian_vat(rng),
                _ => format!("de {:09}", rng.below(1_000_000_000)),
            },
            FieldType::Date => format!(
                "{}-{:02}-{:02}",
                2025 + rng.below(4),
                1 + rng.below(12),
                1 + rng.below(28)
            ),
            FieldType::Time => format!("{:02}:{:02}", rng.below(24), rng.below(60)),
            FieldType::Money => {
                let cents = rng.below(50_000_000);
                let (units, c) = (cents / 100, cents % 100);
                match rng.below(4) {
                    0 => units.to_string(),
                    1 => format!("{units},{c:02}"),
                    2 => format!("{units}.{c:02}"),
                    _ if units >= 1_000 => format!("{}.{:03},{c:02}", units / 1_000, units % 1_000),
                    _ => format!("€ {units},{c:02}"),
                }
            }
            FieldType::Quantity => match rng.below(3) {
                0 => (1 + rng.below(100)).to_string(),
                1 => format!("{},{}", rng.below(50), 1 + rng.below(9)),
                _ => format!("{}.{:03}", 1 + rng.below(20), rng.below(1_000)),
            },
            FieldType::Int { min, max } => {
                (min + rng.below((max - min + 1) as usize) as i64).to_string()
            }
            FieldType::Bool => rng
                .pick(&["true", "false", "sì", "no", "1", "0"])
                .to_string(),
            FieldType::Choice(keys) => rng.pick(keys).to_string(),
            FieldType::Ref(kind) => match book.by_kind.get(&kind) {
                Some(ids) => rng.pick(ids).to_hex(),
                None => DocId(rng.bytes16()).to_hex(),
            },
            FieldType::Rep => rng.pick(&REPS).to_string(),
        }
    }

    /// A partita IVA with a correct check digit, with or without `IT`.
    fn italian_vat(rng: &mut Rng) -> String {
        let digits: Vec<u32> = (0..10).map(|_| rng.below(10) as u32).collect();
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    d
                } else if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            })
            .sum();
        let check = (10 - sum % 10) % 10;
        let body: String = digits
            .iter()
            .chain([&check])
            .map(|d| char::from(b'0' + *d as u8))
            .collect();
        if rng.below(2) == 0 {
            format!("IT {body}")
        } else {
            body
        }
    }

    /// An input the field refuses.
    pub fn bad_value(ty: FieldType, required: bool) -> String {
        if required {
            return "   ".into();
        }
        match ty {
            FieldType::Text | FieldType::Rep => "x".repeat(201),
            FieldType::LongText => "x".repeat(20_001),
            FieldType::Email => "anna.rossi@".into(),
            FieldType::Phone => "12".into(),
            FieldType::Url => "not a url".into(),
            FieldType::VatId => "01234567890".into(),
            FieldType::Date => "2026-02-30".into(),
            FieldType::Time => "24:00".into(),
            FieldType::Money => "-5".into(),
            FieldType::Quantity => "0".into(),
            FieldType::Int { max, .. } => (max + 1).to_string(),
            FieldType::Bool => "forse".into(),
            FieldType::Choice(_) => "zzz".into(),
            FieldType::Ref(_) => "xyz".into(),
        }
    }

    pub fn new_id(rng: &mut Rng, prefix: &str) -> String {
        format!("{prefix}{:010x}", rng.next_u64() >> 24)
    }

    /// Fields for a new item (every required one, some others) or an update.
    fn item_fields(
        rng: &mut Rng,
        book: &Book,
        spec: &CollSpec,
        new: bool,
    ) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        if new {
            for f in spec.fields {
                if f.required || rng.below(3) == 0 {
                    fields.push((f.key.to_owned(), value(rng, book, f.ty, f.required)));
                }
            }
            if fields.is_empty() {
                let f = rng.pick(spec.fields);
                fields.push((f.key.to_owned(), value(rng, book, f.ty, f.required)));
            }
        } else {
            for _ in 0..1 + rng.below(2) {
                let f = rng.pick(spec.fields);
                if !fields.iter().any(|(k, _)| k == f.key) {
                    fields.push((f.key.to_owned(), value(rng, book, f.ty, f.required)));
                }
            }
        }
        fields
    }

    /// The edits of a new record: its required fields and a few others.
    pub fn creation(rng: &mut Rng, book: &Book, kind: Kind) -> Vec<Edit> {
        let spec = kind.spec();
        let mut edits: Vec<Edit> = spec
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| Edit::Set(f.key.into(), value(rng, book, f.ty, true)))
            .collect();
        let mut keys: BTreeSet<&str> = spec
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.key)
            .collect();
        for _ in 0..rng.below(5) {
            let f = rng.pick(spec.fields);
            let v = value(rng, book, f.ty, f.required);
            if keys.insert(f.key) {
                edits.push(Edit::Set(f.key.into(), v));
            }
        }
        if rng.below(3) == 0 {
            edits.push(Edit::Tags(vec![rng.pick(TAGS).to_string()]));
        }
        if rng.below(4) == 0 {
            edits.push(Edit::Notes(format!(
                "{} {}",
                rng.pick(WORDS),
                rng.pick(WORDS)
            )));
        }
        if !spec.collections.is_empty() && rng.below(3) == 0 {
            let coll = rng.pick(spec.collections);
            edits.push(Edit::PutItem {
                coll: coll.key.into(),
                id: new_id(rng, "i"),
                fields: item_fields(rng, book, coll, true),
            });
        }
        edits
    }

    /// One to three edits of distinct things, saved together.
    pub fn edits(rng: &mut Rng, book: &Book, kind: Kind, r: &Record) -> Vec<Edit> {
        let n = *rng.pick(&[1, 1, 1, 2, 2, 3]);
        let mut targets = BTreeSet::new();
        let mut edits = Vec::new();
        for _ in 0..n {
            if let Some((target, edit)) = one(rng, book, kind, r)
                && targets.insert(target)
            {
                edits.push(edit);
            }
        }
        edits
    }

    /// One edit and what it targets (a save touches each thing once, so what a rep
    /// reads back afterwards is what the last edit of it said).
    fn one(rng: &mut Rng, book: &Book, kind: Kind, r: &Record) -> Option<(String, Edit)> {
        let spec = kind.spec();
        let roll = rng.below(100);
        let team = kind == Kind::Team;
        if team && roll < 75 || !team && roll >= 78 {
            return collection(rng, book, kind, r);
        }
        match roll {
            45..=54 if !team => {
                let mut tags = r.tags.clone();
                let tag = rng.pick(TAGS).to_string();
                match tags.iter().position(|t| *t == tag) {
                    Some(at) => {
                        tags.remove(at);
                    }
                    None => tags.push(tag),
                }
                Some(("tags".into(), Edit::Tags(tags)))
            }
            55..=64 if !team => Some(("notes".into(), Edit::Notes(notes(rng, &r.notes)))),
            65..=70 if !team => {
                let id = rng.pick(&book.custom_ids).clone();
                let v = match rng.below(5) {
                    0 => String::new(),
                    1 => format!(" {} ", rng.pick(WORDS)),
                    _ => format!("{} {}", rng.pick(WORDS), rng.below(100)),
                };
                Some((format!("custom:{id}"), Edit::Custom(id, v)))
            }
            71..=73 if !team => {
                let edit = if rng.below(2) == 0 {
                    Edit::Delete
                } else {
                    Edit::Restore
                };
                Some(("deleted".into(), edit))
            }
            74..=77 if !r.conflicts.is_empty() => resolve(rng, kind, r),
            _ => {
                let f = rng.pick(spec.fields);
                let v = value(rng, book, f.ty, f.required);
                Some((format!("field:{}", f.key), Edit::Set(f.key.into(), v)))
            }
        }
    }

    /// Notes with a word inserted somewhere, or a stretch deleted.
    fn notes(rng: &mut Rng, current: &str) -> String {
        let chars: Vec<char> = current.chars().collect();
        let n = chars.len();
        if n > 300 || n > 0 && rng.below(10) < 3 {
            let start = rng.below(n);
            let len = 1 + rng.below(if n > 300 { 80 } else { 10 });
            let end = (start + len).min(n);
            chars[..start].iter().chain(&chars[end..]).collect()
        } else {
            let at = rng.below(n + 1);
            let sep = if rng.below(5) == 0 { '\n' } else { ' ' };
            let word = format!("{sep}{}", rng.pick(WORDS));
            let mut out: String = chars[..at].iter().collect();
            out.push_str(&word);
            out.extend(&chars[at..]);
            out
        }
    }

    /// A rep picks one of a conflict's values. Which one depends on the values'
    /// authors, not their order (which follows random actor ids).
    fn resolve(rng: &mut Rng, kind: Kind, r: &Record) -> Option<(String, Edit)> {
        let spec = kind.spec();
        let conflict = rng.pick(&r.conflicts);
        let pick = conflict
            .values
            .iter()
            .min_by_key(|v| (v.by.clone(), format!("{:?}", v.value)))?;
        let parts: Vec<&str> = conflict.path.split('/').collect();
        match parts.as_slice() {
            [key] => {
                let f = spec.field(key)?;
                Some((
                    format!("field:{key}"),
                    Edit::Set(f.key.into(), pick.value.input(f.ty)),
                ))
            }
            ["custom", id] => Some((
                format!("custom:{id}"),
                Edit::Custom(id.to_string(), pick.value.as_str().to_owned()),
            )),
            [coll, id, key] => {
                let f = spec.collection(coll)?.field(key)?;
                Some((
                    format!("item:{coll}:{id}"),
                    Edit::PutItem {
                        coll: coll.to_string(),
                        id: id.to_string(),
                        fields: vec![(f.key.into(), pick.value.input(f.ty))],
                    },
                ))
            }
            _ => None,
        }
    }

    /// Adds, updates or removes an item of a collection, or a line of an order.
    fn collection(rng: &mut Rng, book: &Book, kind: Kind, r: &Record) -> Option<(String, Edit)> {
        let spec = kind.spec();
        if spec.collections.is_empty() {
            let f = rng.pick(spec.fields);
            let v = value(rng, book, f.ty, f.required);
            return Some((format!("field:{}", f.key), Edit::Set(f.key.into(), v)));
        }
        let cspec = rng.pick(spec.collections);
        let coll = cspec.key.to_owned();
        let visible: Vec<&Item> = r.items(&coll).collect();
        let roll = rng.below(100);
        // The team's settings gain few items and change often.
        let new_share = if kind == Kind::Team { 20 } else { 40 };
        if roll < new_share || visible.is_empty() {
            let id = new_id(rng, "i");
            let fields = item_fields(rng, book, cspec, true);
            return Some((
                format!("item:{coll}:{id}"),
                Edit::PutItem { coll, id, fields },
            ));
        }
        let item = visible[rng.below(visible.len())];
        let id = item.id.clone();
        let target = format!("item:{coll}:{id}");
        // Past the new ones: updates, removals, and an order's lines.
        let Some(sub) = cspec.sub.filter(|_| roll >= 70) else {
            return Some(if (62..70).contains(&roll) {
                (target, Edit::RemoveItem { coll, id })
            } else {
                let fields = item_fields(rng, book, cspec, false);
                (target, Edit::PutItem { coll, id, fields })
            });
        };
        let roll = rng.below(100);
        if roll < 50 || item.sub.is_empty() {
            let sub_id = new_id(rng, "l");
            let fields = item_fields(rng, book, sub, true);
            return Some((
                format!("line:{coll}:{id}:{sub_id}"),
                Edit::PutSubItem {
                    coll,
                    id,
                    sub_id,
                    fields,
                },
            ));
        }
        let sub_id = item.sub[rng.below(item.sub.len())].id.clone();
        let target = format!("line:{coll}:{id}:{sub_id}");
        Some(if roll < 85 {
            let fields = item_fields(rng, book, sub, false);
            (
                target,
                Edit::PutSubItem {
                    coll,
                    id,
                    sub_id,
                    fields,
                },
            )
        } else {
            (target, Edit::RemoveSubItem { coll, id, sub_id })
        })
    }

    /// A save the schema refuses: a bad value for a field or a new item's field,
    /// sometimes after a valid edit of another field.
    pub fn invalid(rng: &mut Rng, book: &Book, kind: Kind) -> Vec<Edit> {
        let spec = kind.spec();
        let mut edits = Vec::new();
        if rng.below(2) == 0 {
            let f = rng.pick(spec.fields);
            edits.push(Edit::Set(f.key.into(), value(rng, book, f.ty, true)));
        }
        if spec.collections.is_empty() || rng.below(10) < 7 {
            let f = rng.pick(spec.fields);
            edits.push(Edit::Set(f.key.into(), bad_value(f.ty, f.required)));
        } else {
            let cspec = rng.pick(spec.collections);
            let mut fields = item_fields(rng, book, cspec, true);
            let at = rng.below(fields.len());
            let f = cspec.field(&fields[at].0).expect("generated from the spec");
            fields[at].1 = bad_value(f.ty, f.required);
            edits.push(Edit::PutItem {
                coll: cspec.key.into(),
                id: new_id(rng, "i"),
                fields,
            });
        }
        edits
    }
}

/// What a field holds after `input` is saved into it.
fn stored(key: &str, ty: FieldType, input: &str) -> Val {
    let v = value::parse(key, ty, input)
        .unwrap_or_else(|e| panic!("generated input {input:?} for {key} is invalid: {e}"));
    val_of(&v)
}

/// A stored scalar as [`Record`] shows it.
fn val_of(v: &ScalarValue) -> Val {
    match v {
        ScalarValue::Str(s) if s.is_empty() => Val::Empty,
        ScalarValue::Str(s) => Val::Str(s.to_string()),
        ScalarValue::Int(n) | ScalarValue::Timestamp(n) => Val::Int(*n),
        ScalarValue::Uint(n) => Val::Int(*n as i64),
        ScalarValue::F64(x) => Val::Num(*x),
        ScalarValue::Boolean(b) => Val::Bool(*b),
        _ => Val::Empty,
    }
}

fn own_edit_lost(rep: &str, doc: DocId, what: String) -> ! {
    panic!("{rep} does not read back an edit of {doc:?}: {what}")
}

/// Right after saving, the rep reads back every edit: the value written, and no
/// conflict on it (a write resolves one).
fn check_own_edits(rep: &str, doc: DocId, kind: Kind, edits: &[Edit], r: &Record) {
    let spec = kind.spec();
    let fail = |what: String| own_edit_lost(rep, doc, what);
    let item = |coll: &str, id: &str| {
        r.collections
            .get(coll)
            .and_then(|items| items.iter().find(|i| i.id == id))
            .unwrap_or_else(|| fail(format!("item {coll}/{id} is missing")))
    };
    let same = |path: &str, got: &Val, want: Val| {
        // A yes/no field never set reads as empty, and saving "no" into it writes
        // nothing.
        let unset_no = want == Val::Bool(false) && *got == Val::Empty;
        if *got != want && !unset_no {
            fail(format!("{path} is {got:?}, saved {want:?}"));
        }
        if r.conflict(path).is_some() {
            fail(format!("{path} is still in conflict"));
        }
    };
    for e in edits {
        match e {
            Edit::Set(key, input) => {
                let f = spec.field(key).expect("generated from the spec");
                same(key, r.get(key), stored(key, f.ty, input));
            }
            Edit::Tags(tags) => {
                let mut want = tags.clone();
                want.sort();
                let mut got = r.tags.clone();
                got.sort();
                if got != want {
                    fail(format!("tags are {got:?}, saved {want:?}"));
                }
            }
            Edit::Notes(text) => {
                if r.notes != *text {
                    fail(format!("notes are {:?}, saved {text:?}", r.notes));
                }
            }
            Edit::Custom(id, input) => {
                let got = r.custom.get(id).map_or(Val::Empty, |s| Val::Str(s.clone()));
                let want = match input.trim() {
                    "" => Val::Empty,
                    s => Val::Str(s.into()),
                };
                same(&format!("custom/{id}"), &got, want);
            }
            Edit::PutItem { coll, id, fields } => {
                let cspec = spec.collection(coll).expect("generated from the spec");
                let it = item(coll, id);
                for (key, input) in fields {
                    let f = cspec.field(key).expect("generated from the spec");
                    same(
                        &format!("{coll}/{id}/{key}"),
                        it.get(key),
                        stored(key, f.ty, input),
                    );
                }
            }
            Edit::PutSubItem {
                coll,
                id,
                sub_id,
                fields,
            } => {
                let sub = spec.collection(coll).and_then(|c| c.sub).expect("orders");
                let line = item(coll, id)
                    .sub
                    .iter()
                    .find(|l| l.id == *sub_id)
                    .unwrap_or_else(|| fail(format!("line {coll}/{id}/{sub_id} is missing")));
                for (key, input) in fields {
                    let f = sub.field(key).expect("generated from the spec");
                    if *line.get(key) != stored(key, f.ty, input) {
                        fail(format!("{coll}/{id}/{sub_id}/{key} is {:?}", line.get(key)));
                    }
                }
            }
            Edit::RemoveItem { coll, id } => {
                if !item(coll, id).removed {
                    fail(format!("{coll}/{id} is not removed"));
                }
            }
            Edit::RemoveSubItem { coll, id, sub_id } => {
                if item(coll, id).sub.iter().any(|l| l.id == *sub_id) {
                    fail(format!("line {coll}/{id}/{sub_id} is still there"));
                }
            }
            Edit::Delete | Edit::Restore => {
                if r.deleted != matches!(e, Edit::Delete) {
                    fail(format!("deleted is {}", r.deleted));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The ledger: every change made, and every write in it.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Device,
    /// The schema-1 fixture: written before today's schema, may hold keys it
    /// no longer reads.
    Legacy,
}

#[derive(Default)]
struct Ledger {
    docs: HashMap<DocId, History>,
}

/// A record's changes, in the order they were made (so dependencies come first).
#[derive(Default)]
struct History {
    index: HashMap<ChangeHash, usize>,
    changes: Vec<ChangeRec>,
    /// Every write to a map key: a field, a tag, an item, a container.
    ops: Vec<OpRec>,
    op_index: HashMap<(u64, ActorId), usize>,
}

struct ChangeRec {
    hash: ChangeHash,
    deps: Vec<usize>,
    /// The rep (none for changes every device builds the same).
    message: Option<String>,
    origin: Origin,
    /// The notes as its rep read them right after saving.
    notes: Option<String>,
    /// Objects it edited by position (the notes' text).
    text_objs: Vec<ObjectId>,
}

#[derive(Debug)]
enum Act {
    Put(ScalarValue),
    Make(ObjType),
    Delete,
    Other,
}

struct OpRec {
    change: usize,
    counter: u64,
    actor: ActorId,
    obj: ObjectId,
    key: String,
    act: Act,
    /// The values this write replaced, as Automerge recorded them.
    pred: Vec<(u64, ActorId)>,
}

impl OpRec {
    fn id(&self) -> ObjectId {
        ObjectId::Id(OpId(self.counter, self.actor.clone()))
    }
}

impl Ledger {
    fn add(&mut self, doc: DocId, bytes: &[u8], origin: Origin, notes: Option<String>) {
        let change = automerge::Change::try_from(bytes).expect("a change made here");
        let h = self.docs.entry(doc).or_default();
        let hash = change.hash();
        if h.index.contains_key(&hash) {
            return;
        }
        let deps = change
            .deps()
            .iter()
            .map(|d| {
                *h.index
                    .get(d)
                    .expect("a change's dependencies were made before it")
            })
            .collect();
        let at = h.changes.len();
        let expanded = change.decode();
        let start = expanded.start_op.get();
        let mut text_objs = Vec::new();
        for (n, op) in expanded.operations.into_iter().enumerate() {
            let key = match op.key {
                Key::Map(key) => key.to_string(),
                Key::Seq(_) => {
                    if !text_objs.contains(&op.obj) {
                        text_objs.push(op.obj);
                    }
                    continue;
                }
            };
            let act = match op.action {
                OpType::Put(v) => Act::Put(v),
                OpType::Make(t) => Act::Make(t),
                OpType::Delete => Act::Delete,
                _ => Act::Other,
            };
            let counter = start + n as u64;
            h.op_index
                .insert((counter, expanded.actor_id.clone()), h.ops.len());
            h.ops.push(OpRec {
                change: at,
                counter,
                actor: expanded.actor_id.clone(),
                obj: op.obj,
                key,
                act,
                pred: op.pred.iter().map(|p| (p.0, p.1.clone())).collect(),
            });
        }
        h.index.insert(hash, at);
        h.changes.push(ChangeRec {
            hash,
            deps,
            message: change.message().map(str::to_owned),
            origin,
            notes,
            text_objs,
        });
    }
}

impl History {
    /// The changes no other change depends on: what every replica's heads must be.
    fn heads(&self) -> Vec<ChangeHash> {
        let mut depended = vec![false; self.changes.len()];
        for c in &self.changes {
            for &d in &c.deps {
                depended[d] = true;
            }
        }
        let mut heads: Vec<ChangeHash> = self
            .changes
            .iter()
            .zip(depended)
            .filter(|(_, d)| !d)
            .map(|(c, _)| c.hash)
            .collect();
        heads.sort();
        heads
    }

    /// Each change's causal past, as bit sets over change positions.
    fn ancestry(&self) -> Vec<Vec<u64>> {
        let words = self.changes.len().div_ceil(64);
        let mut past: Vec<Vec<u64>> = Vec::with_capacity(self.changes.len());
        for c in &self.changes {
            let mut mine = vec![0u64; words];
            for &d in &c.deps {
                for (w, x) in mine.iter_mut().zip(&past[d]) {
                    *w |= x;
                }
                mine[d / 64] |= 1 << (d % 64);
            }
            past.push(mine);
        }
        past
    }
}

fn in_past(past: &[Vec<u64>], of: usize, change: usize) -> bool {
    past[of][change / 64] >> (change % 64) & 1 == 1
}

/// How a write stands at the end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// The only current value.
    Shown,
    /// One of the values a reported conflict lists.
    InConflict,
    /// Current, inside an order line a later change removed.
    Hidden,
    /// One of several current values on a path whose conflicts the record does
    /// not report (see `Model::scalar`).
    Unreported,
    /// Current, under a key today's schema does not read (schema-1 only).
    Legacy,
}

/// The record as the ledger predicts it, flattened to paths, in the same form as
/// [`view_of_record`] makes of what a device reads.
#[derive(Default, PartialEq, Debug)]
struct View {
    shown: BTreeMap<String, Val>,
    conflicts: BTreeMap<String, Vec<(Val, Option<String>)>>,
}

impl View {
    fn show(&mut self, path: impl Into<String>, v: Val) {
        let empty = matches!(&v, Val::Empty) || matches!(&v, Val::Str(s) if s.is_empty());
        if !empty {
            self.shown.insert(path.into(), v);
        }
    }
}

/// Which writes are current, from causality alone: a write is superseded by a
/// later write to the same key made with it in its causal past (or later in the
/// same change), except that saving the value a conflicted field already shows
/// keeps that write and replaces only the others (Automerge records such a save as
/// a deletion of the losing values; in Campo only tags are ever really deleted).
/// The values Automerge records each write as replacing must be exactly the
/// current ones in its causal past, less the one it keeps.
fn causal_analysis(
    id: DocId,
    h: &History,
    past: &[Vec<u64>],
    stats: &mut Stats,
    problems: &mut Vec<String>,
) -> Vec<bool> {
    let tag_sets: Vec<ObjectId> = h
        .ops
        .iter()
        .filter(|o| o.obj == ObjectId::Root && o.key == "tags" && matches!(o.act, Act::Make(_)))
        .map(OpRec::id)
        .collect();
    // Ops are recorded in change order, dependencies first, so a group's order is
    // a causal order.
    let mut groups: HashMap<(&ObjectId, &str), Vec<usize>> = HashMap::new();
    for (n, op) in h.ops.iter().enumerate() {
        groups
            .entry((&op.obj, op.key.as_str()))
            .or_default()
            .push(n);
    }
    let before = |x: usize, y: usize| {
        let (a, b) = (&h.ops[x], &h.ops[y]);
        if a.change == b.change {
            a.counter < b.counter
        } else {
            in_past(past, b.change, a.change)
        }
    };
    let is_delete = |x: usize| matches!(h.ops[x].act, Act::Delete);
    let op_name = |x: usize| format!("{}@{}", h.ops[x].counter, h.ops[x].actor);
    let mut kept: Vec<Option<usize>> = vec![None; h.ops.len()];
    let mut live = vec![false; h.ops.len()];
    for ops in groups.values() {
        for (at, &y) in ops.iter().enumerate() {
            let seen: Vec<usize> = ops[..at]
                .iter()
                .copied()
                .filter(|&x| before(x, y))
                .collect();
            let current: Vec<usize> = seen
                .iter()
                .copied()
                .filter(|&x| {
                    !is_delete(x) && !seen.iter().any(|&z| before(x, z) && kept[z] != Some(x))
                })
                .collect();
            if is_delete(y) && !tag_sets.contains(&h.ops[y].obj) {
                let winner = current.iter().copied().max_by(|&a, &b| {
                    (h.ops[a].counter, &h.ops[a].actor).cmp(&(h.ops[b].counter, &h.ops[b].actor))
                });
                kept[y] = winner;
                stats.resolutions += 1;
            }
            let mut expected: Vec<(u64, ActorId)> = current
                .iter()
                .filter(|&&x| kept[y] != Some(x))
                .map(|&x| (h.ops[x].counter, h.ops[x].actor.clone()))
                .collect();
            let mut recorded = h.ops[y].pred.clone();
            expected.sort();
            recorded.sort();
            if expected != recorded {
                problems.push(format!(
                    "{id:?}: write {} to {} ({:?}, change {} by {:?}) replaced {:?}, but causality says {:?}",
                    op_name(y),
                    h.ops[y].key,
                    h.ops[y].act,
                    h.ops[y].change,
                    h.changes[h.ops[y].change].message,
                    recorded,
                    expected
                ));
            }
        }
        for &x in ops {
            live[x] = !is_delete(x) && !ops.iter().any(|&y| before(x, y) && kept[y] != Some(x));
        }
    }
    live
}

/// Checks one record against its ledger: the causal analysis, then the record the
/// current writes predict, which must be exactly what the device reads (so each
/// write the model shows, lists in a conflict or hides is shown, listed or hidden
/// by the record), then the notes; and tallies how every write stands.
fn check_record(id: DocId, h: &History, r: &Record, stats: &mut Stats, problems: &mut Vec<String>) {
    let past = h.ancestry();
    let live = causal_analysis(id, h, &past, stats, problems);
    let mut model = Model::new(h, &live);
    let kind = model.walk(id);
    problems.extend(model.problems.drain(..).map(|p| format!("{id:?}: {p}")));
    let predicted = std::mem::take(&mut model.view);
    let read = view_of_record(r, kind);
    if read != predicted {
        problems.push(format!(
            "{id:?} does not read as its ledger predicts: {}",
            describe_views(&predicted, &read, ("predicted", "read"))
        ));
    }

    for (n, op) in h.ops.iter().enumerate() {
        let Act::Put(_) = op.act else { continue };
        stats.writes += 1;
        if !live[n] {
            stats.superseded += 1;
            continue;
        }
        match model.class[n] {
            Some(Class::Shown) => stats.shown += 1,
            Some(Class::InConflict) => stats.in_conflict += 1,
            Some(Class::Hidden) => stats.hidden_by_removal += 1,
            Some(Class::Unreported) => stats.unreported_conflicts += 1,
            Some(Class::Legacy) => {}
            None if h.changes[op.change].origin == Origin::Legacy => {}
            None => problems.push(format!(
                "{id:?}: a current write to {} ({:?}) is not read at all",
                op.key, op.act
            )),
        }
    }

    // Notes: when one change has every other change to them in its past, they are
    // exactly what its rep saved.
    if let Some(notes_obj) = model.notes.clone() {
        let writers: Vec<usize> = (0..h.changes.len())
            .filter(|&c| h.changes[c].text_objs.contains(&notes_obj))
            .collect();
        if let Some(&last) = writers.last()
            && writers
                .iter()
                .all(|&w| w == last || in_past(&past, last, w))
            && let Some(text) = &h.changes[last].notes
            && r.notes != *text
        {
            problems.push(format!(
                "{id:?}: notes are {:?}, but the last change to them saved {text:?}",
                r.notes
            ));
        }
    }
}

/// Walks the current (live) writes from the root, the way a record is read.
struct Model<'a> {
    h: &'a History,
    /// Current writes by object and key, the winner (greatest op id) first.
    live: HashMap<&'a ObjectId, BTreeMap<&'a str, Vec<usize>>>,
    class: Vec<Option<Class>>,
    view: View,
    notes: Option<ObjectId>,
    problems: Vec<String>,
}

impl<'a> Model<'a> {
    fn new(h: &'a History, live: &[bool]) -> Model<'a> {
        let mut by_obj: HashMap<&ObjectId, BTreeMap<&str, Vec<usize>>> = HashMap::new();
        for (n, op) in h.ops.iter().enumerate().filter(|(n, _)| live[*n]) {
            by_obj
                .entry(&op.obj)
                .or_default()
                .entry(op.key.as_str())
                .or_default()
                .push(n);
        }
        for keys in by_obj.values_mut() {
            for ops in keys.values_mut() {
                ops.sort_by(|&a, &b| {
                    let (a, b) = (&h.ops[a], &h.ops[b]);
                    (b.counter, &b.actor).cmp(&(a.counter, &a.actor))
                });
            }
        }
        Model {
            h,
            live: by_obj,
            class: vec![None; h.ops.len()],
            view: View::default(),
            notes: None,
            problems: Vec::new(),
        }
    }

    fn keys(&self, obj: &ObjectId) -> Vec<(&'a str, Vec<usize>)> {
        self.live
            .get(obj)
            .map(|m| m.iter().map(|(k, v)| (*k, v.clone())).collect())
            .unwrap_or_default()
    }

    fn mark(&mut self, ops: &[usize], class: Class) {
        for &o in ops {
            self.class[o] = Some(class);
        }
    }

    fn val(&self, op: usize) -> Val {
        match &self.h.ops[op].act {
            Act::Put(v) => val_of(v),
            _ => Val::Empty,
        }
    }

    /// The object a key holds: exactly one must be current, or the contents of
    /// the others vanish from view.
    fn container(&mut self, path: &str, ops: &[usize]) -> Option<ObjectId> {
        let expected = if path == "notes" {
            ObjType::Text
        } else {
            ObjType::Map
        };
        match self.h.ops[ops[0]].act {
            Act::Make(ty) if ty == expected => {}
            Act::Make(ty) => {
                self.problems
                    .push(format!("{path} is a {ty:?}, not a {expected:?}"));
                return None;
            }
            _ => return None,
        }
        if ops.len() > 1 {
            self.problems.push(format!(
                "{path}: {} objects were made for it concurrently; all but one vanish",
                ops.len()
            ));
        }
        self.mark(ops, Class::Shown);
        Some(self.h.ops[ops[0]].id())
    }

    /// A scalar field: the winner shows; with several current values the conflict
    /// lists them all, newest op first, each with its author — where the record
    /// reports conflicts at all (`reported`: every field a rep edits, the
    /// `deleted` flag and an order line's fields included).
    fn scalar(&mut self, path: String, ops: &[usize], reported: bool) {
        let values: Vec<Val> = ops.iter().map(|&o| self.val(o)).collect();
        self.view.show(path.clone(), values[0].clone());
        if ops.len() == 1 {
            self.mark(ops, Class::Shown);
        } else if reported {
            let listed = ops
                .iter()
                .zip(&values)
                .map(|(&o, v)| {
                    (
                        v.clone(),
                        self.h.changes[self.h.ops[o].change].message.clone(),
                    )
                })
                .collect();
            self.view.conflicts.insert(path, listed);
            self.mark(ops, Class::InConflict);
        } else if values.iter().all(|v| *v == values[0]) {
            self.mark(ops, Class::Shown);
        } else {
            self.mark(ops, Class::Unreported);
        }
    }

    /// Everything inside `obj` is out of view (a removed line).
    fn hide(&mut self, obj: &ObjectId) {
        for (_, ops) in self.keys(obj) {
            self.mark(&ops, Class::Hidden);
            for &o in &ops {
                if matches!(self.h.ops[o].act, Act::Make(_)) {
                    let inner = self.h.ops[o].id();
                    self.hide(&inner);
                }
            }
        }
    }

    fn walk(&mut self, id: DocId) -> Option<Kind> {
        let root = self.keys(&ObjectId::Root);
        let winner = |key: &str| root.iter().find(|(k, _)| *k == key).map(|(_, ops)| ops[0]);
        let schema = winner("schema").map_or(Val::Empty, |o| self.val(o));
        let kind = match winner("kind").map(|o| self.val(o)) {
            Some(Val::Str(k)) => Kind::from_key(&k),
            _ if matches!(schema, Val::Int(1)) => Some(Kind::Account),
            _ => None,
        };
        let Some(kind) = kind else {
            self.problems.push(format!("{id:?} has no kind"));
            return None;
        };
        self.view.show("·kind", Val::Str(kind.key().into()));
        let spec = kind.spec();
        for (key, ops) in root {
            match key {
                "schema" => self.scalar("·schema".into(), &ops, false),
                "kind" => self.mark(&ops, Class::Shown),
                "created_by" => self.scalar("·created_by".into(), &ops, false),
                "created_at" => self.scalar("·created_at".into(), &ops, false),
                "deleted" => {
                    self.scalar("deleted".into(), &ops, true);
                    if self.view.shown.get("deleted") == Some(&Val::Bool(false)) {
                        self.view.shown.remove("deleted");
                    }
                }
                "address" | "tags" | "custom" | "notes" => {
                    let Some(obj) = self.container(key, &ops) else {
                        continue;
                    };
                    match key {
                        "address" => {
                            for (k, ops) in self.keys(&obj) {
                                if let Some(f) = spec.field(k).filter(|f| f.place == Place::Address)
                                {
                                    self.scalar(f.key.into(), &ops, true);
                                }
                            }
                        }
                        "tags" => {
                            for (tag, ops) in self.keys(&obj) {
                                self.view.show(format!("tags/{tag}"), Val::Bool(true));
                                self.mark(&ops, Class::Shown);
                            }
                        }
                        "custom" => {
                            for (cid, ops) in self.keys(&obj) {
                                self.scalar(format!("custom/{cid}"), &ops, true);
                            }
                        }
                        _ => self.notes = Some(obj),
                    }
                }
                _ => {
                    if let Some(cspec) = spec.collection(key) {
                        if let Some(obj) = self.container(key, &ops) {
                            self.items(&obj, cspec, key.to_owned(), true);
                        }
                    } else if let Some(f) = spec.field(key).filter(|f| f.place == Place::Root) {
                        self.scalar(f.key.into(), &ops, true);
                    } else if self.h.changes[self.h.ops[ops[0]].change].origin == Origin::Legacy {
                        self.mark(&ops, Class::Legacy);
                    }
                }
            }
        }
        Some(kind)
    }

    /// The items of a collection (or an order's lines, `top == false`).
    fn items(&mut self, obj: &ObjectId, spec: &CollSpec, prefix: String, top: bool) {
        for (item_id, ops) in self.keys(obj) {
            let path = format!("{prefix}/{item_id}");
            let Some(item) = self.container(&path, &ops) else {
                continue;
            };
            let keys = self.keys(&item);
            let removed = keys
                .iter()
                .any(|(k, ops)| *k == "removed" && self.val(ops[0]) == Val::Bool(true));
            if removed && !top {
                // Lines removed from an order are dropped from the record.
                self.mark(&ops, Class::Hidden);
                self.hide(&item);
                continue;
            }
            self.view.show(path.clone(), Val::Str("item".into()));
            for (key, ops) in keys {
                match key {
                    "by" | "at" | "removed" => {
                        self.scalar(format!("{path}/{key}"), &ops, false);
                        if key == "removed"
                            && self.view.shown.get(&format!("{path}/removed"))
                                == Some(&Val::Bool(false))
                        {
                            self.view.shown.remove(&format!("{path}/removed"));
                        }
                    }
                    _ => {
                        if let Some(sub) = spec.sub.filter(|s| s.key == key) {
                            if let Some(lines) = self.container(&format!("{path}/{key}"), &ops) {
                                self.items(&lines, sub, format!("{path}/{key}"), false);
                            }
                        } else if let Some(f) = spec.field(key) {
                            self.scalar(format!("{path}/{}", f.key), &ops, true);
                        } else if self.h.changes[self.h.ops[ops[0]].change].origin == Origin::Legacy
                        {
                            self.mark(&ops, Class::Legacy);
                        }
                    }
                }
            }
        }
    }
}

/// What a device reads, flattened to the paths [`Model`] predicts.
fn view_of_record(r: &Record, kind: Option<Kind>) -> View {
    let mut v = View::default();
    if let Some(k) = r.kind {
        v.show("·kind", Val::Str(k.key().into()));
    }
    v.show("·schema", Val::Int(r.schema as i64));
    v.show("·created_by", Val::Str(r.created_by.clone()));
    if r.created_at != 0 {
        v.show("·created_at", Val::Int(r.created_at));
    }
    if r.deleted {
        v.show("deleted", Val::Bool(true));
    }
    for (key, val) in &r.fields {
        v.show(*key, val.clone());
    }
    for tag in &r.tags {
        v.show(format!("tags/{tag}"), Val::Bool(true));
    }
    for (id, s) in &r.custom {
        v.show(format!("custom/{id}"), Val::Str(s.clone()));
    }
    let item_view = |v: &mut View, path: &str, it: &Item| {
        v.show(path, Val::Str("item".into()));
        v.show(format!("{path}/by"), Val::Str(it.by.clone()));
        if it.at != 0 {
            v.show(format!("{path}/at"), Val::Int(it.at));
        }
        if it.removed {
            v.show(format!("{path}/removed"), Val::Bool(true));
        }
        for (key, val) in &it.fields {
            v.show(format!("{path}/{key}"), val.clone());
        }
    };
    for (coll, items) in &r.collections {
        let sub = kind
            .and_then(|k| k.spec().collection(coll))
            .and_then(|c| c.sub)
            .map_or("", |s| s.key);
        for it in items {
            let path = format!("{coll}/{}", it.id);
            item_view(&mut v, &path, it);
            for line in &it.sub {
                item_view(&mut v, &format!("{path}/{sub}/{}", line.id), line);
            }
        }
    }
    for c in &r.conflicts {
        let values = c
            .values
            .iter()
            .map(|x| (x.value.clone(), x.by.clone()))
            .collect();
        if v.conflicts.insert(c.path.clone(), values).is_some() {
            v.conflicts
                .insert(format!("{} (listed twice)", c.path), Vec::new());
        }
    }
    v
}

/// The paths where two views differ (at most ten), `a` and `b` naming them.
fn describe_views(a: &View, b: &View, names: (&str, &str)) -> String {
    let mut out = Vec::new();
    let paths: BTreeSet<&String> = a.shown.keys().chain(b.shown.keys()).collect();
    for p in paths {
        let (x, y) = (a.shown.get(p), b.shown.get(p));
        if x != y {
            out.push(format!("{p}: {} {x:?}, {} {y:?}", names.0, names.1));
        }
    }
    let paths: BTreeSet<&String> = a.conflicts.keys().chain(b.conflicts.keys()).collect();
    for p in paths {
        let (x, y) = (a.conflicts.get(p), b.conflicts.get(p));
        if x != y {
            out.push(format!(
                "conflict on {p}: {} {x:?}, {} {y:?}",
                names.0, names.1
            ));
        }
    }
    out.truncate(10);
    out.join("; ")
}

fn describe_difference(a: &Record, b: &Record) -> String {
    let (va, vb) = (view_of_record(a, a.kind), view_of_record(b, b.kind));
    let mut out = describe_views(&va, &vb, ("one", "the other"));
    if a.notes != b.notes {
        out.push_str(&format!("; notes {:?} / {:?}", a.notes, b.notes));
    }
    if a.last_edit != b.last_edit {
        out.push_str(&format!(
            "; last edit {:?} / {:?}",
            a.last_edit, b.last_edit
        ));
    }
    out
}
