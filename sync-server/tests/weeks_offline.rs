//! Scenario: a rep's device goes offline for weeks. Meanwhile two other reps
//! write thousands of entries; the traveller keeps working, and hundreds of
//! edits — new accounts, and edits of accounts the others are editing too —
//! wait in its outbox, stamped with the days they were made. When it reconnects
//! it delivers every one (each acknowledged, each in the log exactly once, with
//! its old time), receives everything it missed and nothing twice, and the three
//! devices end with identical records.

mod common;
mod replica;

use campo_core::change::{self, ChangeHash};
use campo_core::ids::{DeviceId, Seq};
use campo_core::seed::Rng;
use common::{Device, Relay};
use replica::Replica;
use std::collections::{HashMap, HashSet};

const NOW_MS: i64 = 1_780_000_000_000;
const DAY_MS: i64 = 86_400_000;
/// How long the traveller is away.
const AWAY_DAYS: i64 = 42;
/// Edits waiting in the traveller's outbox.
const OFFLINE_EDITS: usize = 400;
/// Rounds of writing by the others while it is away, and edits per rep per round.
const ROUNDS: usize = 12;
const EDITS_PER_ROUND: usize = 125;

/// `n` changes made offline, then delivered and caught up to the head.
async fn write(relay: &Relay, r: &mut Replica, rng: &mut Rng, n: usize, clock: &mut i64) {
    // An edit that changes nothing (the value it already had) makes no change.
    let target = r.made.len() + n;
    while r.made.len() < target {
        *clock += 60_000;
        r.random_edit(None, rng, *clock).await.expect("offline");
    }
    let link = r.sync_to(&relay.ws_url(), Seq(0)).await;
    r.disconnect(link).await;
}

#[tokio::test]
async fn a_device_offline_for_weeks_delivers_every_edit_and_receives_all_it_missed() {
    let relay = Relay::start().await;
    let url = relay.ws_url();
    let tokens: Vec<String> = ["Anna", "Bruno", "Carla"]
        .iter()
        .map(|rep| relay.token("acme", rep))
        .collect();
    let mut anna = Replica::new("acme", &tokens[0], DeviceId([1; 16]), "Anna");
    let mut bruno = Replica::new("acme", &tokens[1], DeviceId([2; 16]), "Bruno");
    let mut carla = Replica::new("acme", &tokens[2], DeviceId([3; 16]), "Carla");
    let mut rng = Rng::new(42);

    // The team's book before Carla leaves; everyone holds it.
    let away_from = NOW_MS - AWAY_DAYS * DAY_MS;
    let mut clock = away_from - DAY_MS;
    write(&relay, &mut anna, &mut rng, 80, &mut clock).await;
    for r in [&mut bruno, &mut carla] {
        let link = r.sync_to(&url, relay.head("acme")).await;
        r.disconnect(link).await;
    }
    let left_at = carla.cursor();
    assert_eq!(left_at, relay.head("acme"));

    // Six weeks away: Carla's edits, one every couple of hours, stay in her
    // outbox (she cannot send them; her socket is closed).
    while carla.made.len() < OFFLINE_EDITS {
        let day = carla.made.len() as i64 * AWAY_DAYS / OFFLINE_EDITS as i64;
        let at = away_from + day * DAY_MS + rng.below(10 * 3_600_000) as i64;
        carla
            .random_edit(None, &mut rng, at)
            .await
            .expect("offline");
    }
    assert_eq!(carla.pending(), OFFLINE_EDITS);

    // Meanwhile Anna and Bruno write thousands of entries, seeing each other's.
    let mut team_clock = away_from;
    for _ in 0..ROUNDS {
        write(
            &relay,
            &mut anna,
            &mut rng,
            EDITS_PER_ROUND,
            &mut team_clock,
        )
        .await;
        write(
            &relay,
            &mut bruno,
            &mut rng,
            EDITS_PER_ROUND,
            &mut team_clock,
        )
        .await;
    }
    let missed = relay.head("acme").0 - left_at.0;
    assert!(missed >= 3_000, "{missed} entries written while away");

    // Carla is back: she sends her whole outbox and catches up.
    let link = carla.sync_to(&url, relay.head("acme")).await;
    carla.disconnect(link).await;
    let head = relay.head("acme");
    assert_eq!(carla.pending(), 0);
    for hash in &carla.made {
        assert!(carla.acked.contains(hash), "an edit never acknowledged");
    }

    // The log, read from seq 1: each change once, every one of Carla's among
    // them with the time she made it, and nothing no device made.
    let (mut reader, _) = Device::sign_in(&url, 0xEE, "acme", &tokens[0], Seq(0)).await;
    let (entries, upto, _) = reader.catch_up().await;
    assert_eq!(upto, head);
    assert!(
        entries.iter().map(|e| e.seq.0).eq(1..=head.0),
        "contiguous seqs"
    );
    let mut seq_of: HashMap<ChangeHash, Seq> = HashMap::new();
    for e in &entries {
        let hash = change::check(&e.bytes).expect("a change");
        assert!(
            seq_of.insert(hash, e.seq).is_none(),
            "a change stored twice"
        );
        if carla.made_set.contains(&hash) {
            let c = change::parse(&e.bytes).expect("a change");
            assert_eq!(c.message(), Some("Carla"));
            assert!(
                (away_from..=NOW_MS).contains(&c.timestamp()),
                "Carla's change keeps its time ({})",
                c.timestamp()
            );
        }
    }
    let made: HashSet<ChangeHash> = [&anna, &bruno, &carla]
        .iter()
        .flat_map(|r| r.made.iter().copied())
        .collect();
    let logged: HashSet<ChangeHash> = seq_of.keys().copied().collect();
    assert_eq!(logged, made, "the log holds exactly what the devices made");

    // What Carla received since she left: every entry she did not write, once
    // (a seq received twice fails where it arrives).
    let expected: Vec<Seq> = entries
        .iter()
        .filter(|e| e.seq > left_at)
        .filter(|e| {
            !carla
                .made_set
                .contains(&change::check(&e.bytes).expect("a change"))
        })
        .map(|e| e.seq)
        .collect();
    let received: Vec<Seq> = carla
        .received
        .range(Seq(left_at.0 + 1)..)
        .map(|(s, _)| *s)
        .collect();
    assert_eq!(received.len(), expected.len());
    assert!(received == expected, "exactly the entries she missed");

    // The others receive her edits; all three read the same book.
    for r in [&mut anna, &mut bruno] {
        let link = r.sync_to(&url, head).await;
        r.disconnect(link).await;
    }
    let book = carla.read_all();
    assert!(anna.read_all() == book, "Anna and Carla differ");
    assert!(bruno.read_all() == book, "Bruno and Carla differ");
    println!(
        "weeks offline: {} of Carla's changes delivered, {} entries missed, {} records",
        carla.made.len(),
        expected.len(),
        book.len()
    );
}
