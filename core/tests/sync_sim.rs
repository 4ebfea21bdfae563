//! Deterministic simulation of the sync protocol: several devices, each a
//! `SyncClient` with its own documents, talk to an in-memory relay that follows
//! the protocol's rules (per-team log, cursors, dedup by change hash, no echo of a
//! device's own entries, ack after "durable"). A seeded scheduler interleaves
//! edits, deliveries and dropped connections. At the end every device holds the
//! same customers and nothing is left waiting. A failing seed is printed.

use campo_core::change;
use campo_core::customer::{CustomerDoc, Edit, Field, Stamp};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{ClientMsg, DocChange, Entry, ServerMsg, chunk_entries};
use campo_core::seed::Rng;
use campo_core::sync::{Credentials, Effect, Phase, SyncClient};
use std::collections::{BTreeMap, HashSet, VecDeque};

struct Relay {
    log: Vec<(Entry, DeviceId)>,
    hashes: HashSet<[u8; 32]>,
}

impl Relay {
    fn head(&self) -> Seq {
        Seq(self.log.len() as u64)
    }

    /// Catch-up frames for a Hello, as the relay sends them.
    fn hello(&self, device: DeviceId, cursor: Seq) -> Vec<Vec<u8>> {
        let mut frames = vec![
            ServerMsg::Welcome {
                team: "t".into(),
                rep: "r".into(),
                head: self.head(),
            }
            .encode(),
        ];
        let missing: Vec<Entry> = self.log[cursor.0 as usize..]
            .iter()
            .filter(|(_, d)| cursor.0 == 0 || *d != device)
            .map(|(e, _)| e.clone())
            .collect();
        let chunks = chunk_entries(missing);
        let n = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let upto = if i + 1 == n {
                self.head()
            } else {
                chunk.last().map_or(self.head(), |e| e.seq)
            };
            frames.push(
                ServerMsg::Changes {
                    entries: chunk,
                    upto,
                    more: i + 1 < n,
                }
                .encode(),
            );
        }
        if n == 0 {
            frames.push(
                ServerMsg::Changes {
                    entries: vec![],
                    upto: self.head(),
                    more: false,
                }
                .encode(),
            );
        }
        frames
    }

    /// Stores a push; returns the new entries.
    fn push(&mut self, device: DeviceId, changes: Vec<DocChange>) -> Vec<Entry> {
        let mut added = Vec::new();
        for c in changes {
            let hash = change::check(&c.bytes)
                .expect("devices only send real changes")
                .0;
            if self.hashes.insert(hash) {
                let e = Entry {
                    seq: Seq(self.log.len() as u64 + 1),
                    doc: c.doc,
                    bytes: c.bytes,
                };
                self.log.push((e.clone(), device));
                added.push(e);
            }
        }
        added
    }
}

/// One connection's frames in flight: (device → relay, relay → device).
type Link = (VecDeque<Vec<u8>>, VecDeque<Vec<u8>>);

struct Device {
    id: DeviceId,
    rep: &'static str,
    client: SyncClient,
    docs: BTreeMap<DocId, CustomerDoc>,
    next_outbox: u64,
    /// Frames in flight on the current connection, each way; `None` when offline.
    link: Option<Link>,
}

impl Device {
    fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(frame) => {
                    if let Some((up, _)) = &mut self.link {
                        up.push_back(frame);
                    }
                }
                Effect::Apply { entries, upto } => {
                    for e in entries {
                        let doc = self
                            .docs
                            .entry(e.doc)
                            .or_insert_with(|| CustomerDoc::empty(e.doc));
                        doc.apply(&e.bytes)
                            .expect("relay entries are valid changes");
                    }
                    self.client.stored(upto);
                }
                Effect::Acked(_) | Effect::Refused { .. } => {}
            }
        }
    }

    fn edit(&mut self, rng: &mut Rng, t: i64) {
        let stamp = Stamp {
            rep: self.rep,
            now_ms: t,
        };
        let ready: Vec<DocId> = self
            .docs
            .iter()
            .filter(|(_, d)| d.is_ready())
            .map(|(id, _)| *id)
            .collect();
        let (doc, change) = if ready.is_empty() || rng.below(4) == 0 {
            let id = DocId(rng.bytes16());
            let (doc, change) = CustomerDoc::create(
                id,
                &stamp,
                &[Edit::Set(Field::Name, format!("C{}", rng.below(100)))],
            )
            .unwrap();
            self.docs.insert(id, doc);
            (id, change)
        } else {
            let id = *rng.pick(&ready);
            let field = *rng.pick(&[Field::Phone, Field::City, Field::Role]);
            let value = match field {
                Field::Phone => format!("+39 02 {}", 10_000 + rng.below(90_000)),
                _ => format!("v{}", rng.below(50)),
            };
            match self
                .docs
                .get_mut(&id)
                .unwrap()
                .edit(&stamp, &[Edit::Set(field, value)])
                .unwrap()
            {
                Some(change) => (id, change),
                None => return,
            }
        };
        self.next_outbox += 1;
        let effects = self
            .client
            .push(self.next_outbox, DocChange { doc, bytes: change });
        self.perform(effects);
    }
}

fn run(seed: u64) {
    let mut rng = Rng::new(seed);
    let mut relay = Relay {
        log: Vec::new(),
        hashes: HashSet::new(),
    };
    let reps = ["Anna", "Bruno", "Carla", "Dario", "Elisa"];
    let mut devices: Vec<Device> = reps
        .iter()
        .enumerate()
        .map(|(i, rep)| {
            let id = DeviceId([i as u8 + 1; 16]);
            let creds = Credentials {
                team: "t".into(),
                token: "x".into(),
                device: id,
            };
            Device {
                id,
                rep,
                client: SyncClient::new(creds, Seq(0), []),
                docs: BTreeMap::new(),
                next_outbox: 0,
                link: None,
            }
        })
        .collect();

    let connect = |d: &mut Device, relay: &Relay| {
        let hello = d.client.connect();
        let ClientMsg::Hello(h) = ClientMsg::decode(&hello).unwrap() else {
            unreachable!()
        };
        d.link = Some((VecDeque::new(), relay.hello(d.id, h.cursor).into()));
    };

    for t in 0..3_000i64 {
        let i = rng.below(devices.len());
        match rng.below(10) {
            0..=2 => devices[i].edit(&mut rng, t),
            3 => {
                // The connection drops: frames in flight are lost both ways.
                if devices[i].link.take().is_some() {
                    devices[i].client.disconnected(Some(1006));
                }
            }
            4 if devices[i].link.is_none() => connect(&mut devices[i], &relay),
            _ => step(&mut devices, i, &mut relay),
        }
    }
    // Heal: everyone online, run until nothing moves.
    for d in devices.iter_mut().filter(|d| d.link.is_none()) {
        connect(d, &relay);
    }
    for _ in 0..100_000 {
        let busy: Vec<usize> = (0..devices.len())
            .filter(|&i| {
                devices[i]
                    .link
                    .as_ref()
                    .is_some_and(|(u, d)| !u.is_empty() || !d.is_empty())
            })
            .collect();
        if busy.is_empty() {
            break;
        }
        let i = *rng.pick(&busy);
        step(&mut devices, i, &mut relay);
    }

    let mut reference: Option<BTreeMap<DocId, campo_core::customer::Customer>> = None;
    for d in devices.iter_mut() {
        let s = d.client.status();
        assert_eq!(
            (s.phase, s.pending),
            (Phase::Live, 0),
            "seed {seed}: {} still has work",
            d.rep
        );
        assert_eq!(
            d.client.cursor(),
            relay.head(),
            "seed {seed}: {} cursor",
            d.rep
        );
        let mut view: BTreeMap<_, _> = d
            .docs
            .iter_mut()
            .map(|(id, doc)| (*id, doc.read()))
            .collect();
        for c in view.values_mut() {
            c.last_edit = None; // equal times from different reps may tie-break differently
        }
        match &reference {
            None => reference = Some(view),
            Some(r) => assert!(r == &view, "seed {seed}: {} diverged", d.rep),
        }
    }
    assert!(!relay.log.is_empty());
}

/// Moves one frame on device `i`'s link: up to the relay, or down to the device.
fn step(devices: &mut [Device], i: usize, relay: &mut Relay) {
    let Some((up, down)) = devices[i].link.as_mut() else {
        return;
    };
    if let Some(frame) = up.pop_front() {
        if let ClientMsg::Push { batch, changes } = ClientMsg::decode(&frame).unwrap() {
            let added = relay.push(devices[i].id, changes);
            down.push_back(ServerMsg::Ack { batch }.encode());
            if let Some(upto) = added.last().map(|e| e.seq) {
                for (j, other) in devices.iter_mut().enumerate() {
                    // The pusher gets no echo of its own entries, only the cursor
                    // move, so its next Hello does not ask for them again. A
                    // connection still catching up has this queued behind its
                    // catch-up (the relay subscribes before reading the log).
                    let entries = if j == i { Vec::new() } else { added.clone() };
                    if let Some((_, down)) = &mut other.link {
                        down.push_back(
                            ServerMsg::Changes {
                                entries,
                                upto,
                                more: false,
                            }
                            .encode(),
                        );
                    }
                }
            }
        }
    } else if let Some(frame) = down.pop_front() {
        let effects = devices[i]
            .client
            .receive(&frame)
            .expect("the relay speaks the protocol");
        devices[i].perform(effects);
    }
}

#[test]
fn devices_converge_under_drops_and_reconnects() {
    let seeds: u64 = std::env::var("CAMPO_SIM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    for seed in 0..seeds {
        run(seed);
    }
}
