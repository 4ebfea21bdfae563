//! A device as the app runs it, for scenarios over the real relay: the core's
//! [`SyncClient`] fed with frames from a real WebSocket, the records it has
//! stored (a map of [`RecordDoc`]s, what IndexedDB holds in the app), its
//! durable cursor and its outbox. Entries are applied and the cursor moved
//! together, as the app does in one transaction, so "stored" here means in
//! this struct, which outlives connections (and a relay killed under it).
//!
//! Besides the device's state it keeps a ledger for the checks: the hash of
//! every change it made and of every change the relay acknowledged, and every
//! entry the relay sent it, by seq. Receiving a seq twice is a failure on the
//! spot ([`SyncClient`] refuses a replayed seq too).
#![allow(dead_code)] // Each scenario file uses a different part of it.

use campo_core::change::{self, ChangeHash};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{DocChange, ServerMsg};
use campo_core::record::{Edit, Kind, Record, RecordDoc, Stamp};
use campo_core::seed::{self, Rng};
use campo_core::sync::{Credentials, Effect, OutboxId, Phase, SyncClient};
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest wait for a frame the device is sure to get.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// An open connection to the relay.
pub struct Link {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// The connection ended (closed, reset, or never opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped;

/// One device: its sync state, its stored records and the checks' ledger.
pub struct Replica {
    /// For failure messages.
    pub name: String,
    pub rep: String,
    pub device: DeviceId,
    pub client: SyncClient,
    pub docs: BTreeMap<DocId, RecordDoc>,
    next_outbox: OutboxId,
    /// Outbox entries not yet acknowledged, with their changes' hashes.
    unacked: BTreeMap<OutboxId, ChangeHash>,
    /// Every change this device made, in order.
    pub made: Vec<ChangeHash>,
    pub made_set: HashSet<ChangeHash>,
    /// Every change the relay acknowledged.
    pub acked: HashSet<ChangeHash>,
    /// Every entry the relay sent, by seq.
    pub received: BTreeMap<Seq, ChangeHash>,
    /// The head the last Welcome announced.
    pub welcome_head: Seq,
}

impl Replica {
    /// A device with nothing stored: cursor 0, no records, empty outbox.
    pub fn new(team: &str, token: &str, device: DeviceId, rep: &str) -> Replica {
        Replica::restored(team, token, device, rep, Seq(0), BTreeMap::new())
    }

    /// A device whose storage holds `docs` as of `cursor` (e.g. a snapshot).
    pub fn restored(
        team: &str,
        token: &str,
        device: DeviceId,
        rep: &str,
        cursor: Seq,
        docs: BTreeMap<DocId, RecordDoc>,
    ) -> Replica {
        let credentials = Credentials {
            team: team.into(),
            token: token.into(),
            device,
        };
        Replica {
            name: format!("{rep}'s device {:02x}", device.0[0]),
            rep: rep.into(),
            device,
            client: SyncClient::new(credentials, cursor, []),
            docs,
            next_outbox: 1,
            unacked: BTreeMap::new(),
            made: Vec::new(),
            made_set: HashSet::new(),
            acked: HashSet::new(),
            received: BTreeMap::new(),
            welcome_head: Seq(0),
        }
    }

    pub fn cursor(&self) -> Seq {
        self.client.cursor()
    }

    pub fn pending(&self) -> usize {
        self.client.status().pending
    }

    pub fn phase(&self) -> Phase {
        self.client.status().phase
    }

    /// Opens a socket and sends Hello with the durable cursor.
    pub async fn connect(&mut self, url: &str) -> Result<Link, Dropped> {
        let ws = match tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(url)).await {
            Ok(Ok((ws, _))) => ws,
            _ => {
                self.client.disconnected(None);
                return Err(Dropped);
            }
        };
        let mut link = Link { ws };
        let hello = self.client.connect();
        self.send(&mut link, hello).await?;
        Ok(link)
    }

    /// Closes the connection on purpose (the device goes offline).
    pub async fn disconnect(&mut self, mut link: Link) {
        let _ = link.ws.close(None).await;
        self.client.disconnected(None);
    }

    async fn send(&mut self, link: &mut Link, frame: Vec<u8>) -> Result<(), Dropped> {
        if link.ws.send(Message::Binary(frame.into())).await.is_err() {
            self.client.disconnected(None);
            return Err(Dropped);
        }
        Ok(())
    }

    /// Creates a record locally and puts its change in the outbox (sent at
    /// once when connected).
    pub async fn create(
        &mut self,
        link: Option<&mut Link>,
        kind: Kind,
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<(), Dropped> {
        let (doc, bytes) = RecordDoc::create(kind, id, stamp, edits)
            .unwrap_or_else(|e| panic!("{}: create {kind:?}: {e}", self.name));
        self.docs.insert(id, doc);
        self.queue(link, id, vec![bytes]).await
    }

    /// Edits a stored record locally and puts the changes in the outbox.
    pub async fn edit(
        &mut self,
        link: Option<&mut Link>,
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<(), Dropped> {
        let doc = self.docs.get_mut(&id).expect("a stored record");
        let changes = doc
            .edit(stamp, edits)
            .unwrap_or_else(|e| panic!("{}: edit: {e}", self.name));
        self.queue(link, id, changes).await
    }

    async fn queue(
        &mut self,
        mut link: Option<&mut Link>,
        doc: DocId,
        changes: Vec<Vec<u8>>,
    ) -> Result<(), Dropped> {
        for bytes in changes {
            let hash = change::check(&bytes).expect("a change this device made");
            assert!(
                self.made_set.insert(hash),
                "{}: a change made twice",
                self.name
            );
            self.made.push(hash);
            let id = self.next_outbox;
            self.next_outbox += 1;
            self.unacked.insert(id, hash);
            let effects = self.client.push(id, DocChange { doc, bytes });
            match link.as_deref_mut() {
                Some(link) => self.carry_out(link, effects).await?,
                None => assert!(effects.is_empty(), "{}: sent while offline", self.name),
            }
        }
        Ok(())
    }

    /// Handles one frame from the relay, waiting at most `wait` for it.
    /// Returns whether a frame came.
    pub async fn step_within(&mut self, link: &mut Link, wait: Duration) -> Result<bool, Dropped> {
        let msg = match tokio::time::timeout(wait, link.ws.next()).await {
            Err(_) => return Ok(false),
            Ok(msg) => msg,
        };
        match msg {
            Some(Ok(Message::Binary(frame))) => {
                if let Ok(ServerMsg::Welcome { head, .. }) = ServerMsg::decode(&frame) {
                    self.welcome_head = head;
                }
                let effects = self
                    .client
                    .receive(&frame)
                    .unwrap_or_else(|e| panic!("{}: {e}", self.name));
                self.carry_out(link, effects).await?;
                Ok(true)
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(true),
            Some(Ok(Message::Close(frame))) => {
                self.client.disconnected(frame.map(|f| u16::from(f.code)));
                Err(Dropped)
            }
            Some(Ok(other)) => panic!("{}: unexpected {other:?}", self.name),
            None | Some(Err(_)) => {
                self.client.disconnected(None);
                Err(Dropped)
            }
        }
    }

    /// Handles frames until `done` holds; each must come within [`PATIENCE`].
    pub async fn settle(&mut self, link: &mut Link, done: impl Fn(&Replica) -> bool) {
        while !done(self) {
            let came = self
                .step_within(link, PATIENCE)
                .await
                .unwrap_or_else(|_| panic!("{}: the connection dropped", self.name));
            assert!(
                came,
                "{}: nothing from the relay within {PATIENCE:?}",
                self.name
            );
        }
    }

    /// Connects and handles frames until the outbox is empty and the cursor
    /// has reached `head`, live.
    pub async fn sync_to(&mut self, url: &str, head: Seq) -> Link {
        let mut link = self
            .connect(url)
            .await
            .unwrap_or_else(|_| panic!("{}: could not connect", self.name));
        self.settle(&mut link, |r| {
            r.phase() == Phase::Live && r.pending() == 0 && r.cursor() >= head
        })
        .await;
        link
    }

    async fn carry_out(&mut self, link: &mut Link, effects: Vec<Effect>) -> Result<(), Dropped> {
        for effect in effects {
            match effect {
                Effect::Send(frame) => self.send(link, frame).await?,
                Effect::Apply { entries, upto } => {
                    let mut by_doc: HashMap<DocId, Vec<Vec<u8>>> = HashMap::new();
                    for e in entries {
                        let hash = change::check(&e.bytes)
                            .unwrap_or_else(|err| panic!("{}: seq {:?}: {err}", self.name, e.seq));
                        if let Some(before) = self.received.insert(e.seq, hash) {
                            panic!(
                                "{}: seq {:?} received twice ({before:?}, then {hash:?})",
                                self.name, e.seq
                            );
                        }
                        by_doc.entry(e.doc).or_default().push(e.bytes);
                    }
                    for (id, changes) in by_doc {
                        self.docs
                            .entry(id)
                            .or_insert_with(|| RecordDoc::empty(id))
                            .apply_many(&changes)
                            .unwrap_or_else(|e| panic!("{}: apply to {id:?}: {e}", self.name));
                    }
                    // Applied and stored: the cursor may move.
                    self.client.stored(upto);
                }
                Effect::Acked(ids) => {
                    for id in ids {
                        let hash = self
                            .unacked
                            .remove(&id)
                            .unwrap_or_else(|| panic!("{}: Ack of unknown {id}", self.name));
                        self.acked.insert(hash);
                    }
                }
                Effect::Refused { code, message } => {
                    panic!("{}: refused: {code:?} {message}", self.name)
                }
            }
        }
        Ok(())
    }

    /// Every record as it reads, for comparing devices.
    pub fn read_all(&mut self) -> BTreeMap<DocId, Record> {
        self.docs
            .iter_mut()
            .map(|(id, doc)| (*id, doc.read()))
            .collect()
    }

    /// Ids of the records whose creating change this device holds.
    pub fn ready_docs(&self) -> Vec<DocId> {
        self.docs
            .iter()
            .filter(|(_, d)| d.is_ready())
            .map(|(id, _)| *id)
            .collect()
    }

    /// A random edit of the kind reps make: a new account one time in five,
    /// otherwise a field, the tags, the notes or a logged interaction of a
    /// record it holds. `now_ms` stamps the change.
    pub async fn random_edit(
        &mut self,
        link: Option<&mut Link>,
        rng: &mut Rng,
        now_ms: i64,
    ) -> Result<(), Dropped> {
        let rep = self.rep.clone();
        let stamp = Stamp { rep: &rep, now_ms };
        let ready = self.ready_docs();
        if ready.is_empty() || rng.below(5) == 0 {
            let id = DocId(rng.bytes16());
            let mut edits = seed::account_edits(rng);
            edits.push(Edit::Set("owner".into(), rep.clone()));
            return self.create(link, Kind::Account, id, &stamp, &edits).await;
        }
        let id = *rng.pick(&ready);
        let edits = match rng.below(5) {
            0 => vec![Edit::Set(
                "city".into(),
                (*rng.pick(&["Bari", "Lecce", "Matera", "Torino", "Udine", "Pavia"])).into(),
            )],
            1 => vec![Edit::Set(
                "phone".into(),
                format!(
                    "+39 0{} {}",
                    2 + rng.below(90),
                    100_000 + rng.below(900_000)
                ),
            )],
            2 => {
                let mut tags: Vec<String> = (0..1 + rng.below(3))
                    .map(|_| (*rng.pick(&["vip", "north", "south", "late", "new"])).into())
                    .collect();
                tags.sort();
                tags.dedup();
                vec![Edit::Tags(tags)]
            }
            3 => vec![Edit::Notes(format!(
                "Called by {rep}; next visit in {} days.",
                1 + rng.below(30)
            ))],
            _ => vec![seed::interaction(rng, now_ms)],
        };
        // Only accounts are made here, so every edit fits the record.
        self.edit(link, id, &stamp, &edits).await
    }
}
