//! What every [`Store`] must do, as test steps that each backend's unit tests
//! run against a fresh store of its own.

use super::{Batch, CommitListener, Committed, Group, Store, Ticket, TokenRecord};
use crate::names::Team;
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::DocChange;
use campo_core::record::{Edit, Kind, RecordDoc, Stamp};
use std::sync::{Arc, Mutex};

/// Records every announced group, to check order and contents.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<(Team, Arc<Group>)>>);

impl CommitListener for Recorder {
    fn committed(&self, team: &Team, group: Arc<Group>) {
        self.0.lock().unwrap().push((team.clone(), group));
    }
}

impl Recorder {
    /// The seqs announced for `team`, in announcement order.
    pub fn seqs(&self, team: &Team) -> Vec<u64> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _)| t == team)
            .flat_map(|(_, g)| g.entries.iter().map(|e| e.seq.0))
            .collect()
    }
}

pub fn team(name: &str) -> Team {
    Team::parse(name).unwrap()
}

/// `n` real changes to customer `doc`: its creation, then edits.
pub fn changes(doc: u8, n: usize) -> Vec<DocChange> {
    let id = DocId([doc; 16]);
    let stamp = Stamp {
        rep: "anna",
        now_ms: 1_700_000_000_000,
    };
    let (mut d, first) = RecordDoc::create(
        Kind::Account,
        id,
        &stamp,
        &[Edit::Set("name".into(), "Bar Roma".into())],
    )
    .unwrap();
    let mut out = vec![DocChange {
        doc: id,
        bytes: first,
    }];
    for i in 1..n {
        let bytes = d
            .edit(&stamp, &[Edit::Set("city".into(), format!("City {i}"))])
            .unwrap()
            .remove(0);
        out.push(DocChange { doc: id, bytes });
    }
    out
}

pub fn batch(t: &str, device: u8, changes: Vec<DocChange>) -> Batch {
    Batch::validate(team(t), DeviceId([device; 16]), changes).unwrap()
}

pub async fn concurrent_batches_share_commits_and_get_contiguous_seqs(
    store: &dyn Store,
    recorder: &Recorder,
) {
    // Queue many tickets before awaiting any, so the writer finds several
    // batches waiting and folds them into fewer transactions.
    let tickets: Vec<Ticket> = (0..20u8)
        .map(|i| {
            store.append(batch(
                if i % 2 == 0 { "north" } else { "south" },
                i,
                changes(i, 3),
            ))
        })
        .collect();
    for t in tickets {
        assert_eq!(t.await.unwrap().stored, 3);
    }

    let north = team("north");
    assert_eq!(store.head(&north).unwrap(), Seq(30));
    let all = store
        .read_range(&north, Seq(0), Seq(30), usize::MAX)
        .unwrap();
    let seqs: Vec<u64> = all.iter().map(|e| e.seq.0).collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
    // Each batch's entries stay together and in push order.
    for chunk in all.chunks(3) {
        assert!(chunk.iter().all(|e| e.device == chunk[0].device));
    }

    // Every new entry was announced exactly once, in seq order per team.
    assert_eq!(recorder.seqs(&north), (1..=30).collect::<Vec<_>>());
    assert_eq!(recorder.seqs(&team("south")), (1..=30).collect::<Vec<_>>());
    assert!(
        recorder.0.lock().unwrap().len() <= 20,
        "no more groups than batches"
    );
}

pub async fn a_change_already_stored_consumes_no_seq(store: &dyn Store) {
    let cs = changes(1, 2);

    let first = store.append(batch("acme", 1, cs.clone())).await.unwrap();
    assert_eq!(
        first,
        Committed {
            stored: 2,
            head: Seq(2)
        }
    );

    // The same changes again, from another device, plus a duplicate inside the batch.
    let mut again = cs.clone();
    again.push(cs[0].clone());
    let second = store.append(batch("acme", 2, again)).await.unwrap();
    assert_eq!(
        second,
        Committed {
            stored: 0,
            head: Seq(2)
        }
    );

    // A batch that repeats one of its own new changes stores it once.
    let fresh = changes(3, 1);
    let doubled = vec![fresh[0].clone(), fresh[0].clone()];
    let third = store.append(batch("acme", 1, doubled)).await.unwrap();
    assert_eq!(
        third,
        Committed {
            stored: 1,
            head: Seq(3)
        }
    );

    // Another team has its own log: the same change is new there.
    let other = store.append(batch("other", 1, cs)).await.unwrap();
    assert_eq!(
        other,
        Committed {
            stored: 2,
            head: Seq(2)
        }
    );
    assert_eq!(store.head(&team("acme")).unwrap(), Seq(3));
}

pub fn a_batch_with_one_bad_change_is_refused_whole(store: &dyn Store) {
    let mut cs = changes(1, 3);
    cs[1].bytes = b"not a change".to_vec();

    let err = Batch::validate(team("acme"), DeviceId([1; 16]), cs).unwrap_err();
    assert_eq!(err.index, 1);
    assert!(err.to_string().contains("not a valid Automerge change"));
    assert_eq!(store.head(&team("acme")).unwrap(), Seq(0));
}

pub async fn reads_are_bounded_by_bytes_but_never_empty(store: &dyn Store) {
    store.append(batch("acme", 1, changes(1, 5))).await.unwrap();
    let t = team("acme");

    let one = store.read_range(&t, Seq(0), Seq(5), 1).unwrap();
    assert_eq!(
        one.len(),
        1,
        "a budget smaller than one entry still returns it"
    );
    let tail = store.read_range(&t, Seq(3), Seq(5), usize::MAX).unwrap();
    assert_eq!(tail.iter().map(|e| e.seq.0).collect::<Vec<_>>(), vec![4, 5]);
    let capped = store.read_range(&t, Seq(0), Seq(2), usize::MAX).unwrap();
    assert_eq!(capped.len(), 2);
    let size = one[0].bytes.len();
    let two = store.read_range(&t, Seq(0), Seq(5), size + 1).unwrap();
    assert_eq!(two.len(), 2, "reading stops once the budget is spent");
    assert!(
        store
            .read_range(&t, Seq(5), Seq(9), usize::MAX)
            .unwrap()
            .is_empty()
    );
}

pub fn tokens_are_found_listed_and_revoked(store: &dyn Store) {
    let t = team("acme");
    store.create_token(&t, "anna", &[1; 32], false).unwrap();
    store.create_token(&t, "ben", &[2; 32], false).unwrap();
    store
        .create_token(&team("globex"), "carla", &[3; 32], false)
        .unwrap();

    assert_eq!(
        store.find_token(&[1; 32]).unwrap(),
        Some(TokenRecord {
            team: "acme".into(),
            rep: "anna".into(),
            revoked: false,
            admin: false,
        })
    );
    assert_eq!(store.find_token(&[4; 32]).unwrap(), None);
    assert_eq!(store.revoke_tokens(&t, "anna").unwrap(), 1);
    assert_eq!(
        store.revoke_tokens(&t, "anna").unwrap(),
        0,
        "already revoked"
    );
    assert!(store.find_token(&[1; 32]).unwrap().unwrap().revoked);

    let listed = store.list_tokens(&t).unwrap();
    assert_eq!(listed.len(), 2, "only the team's own tokens");
    assert_eq!(listed[0].id, "01010101");
    assert_eq!(
        (listed[0].rep.as_str(), listed[1].rep.as_str()),
        ("anna", "ben")
    );
    assert!(listed[0].revoked_at.is_some());
    assert!(listed[1].revoked_at.is_none());
    // Dates are UTC, to the second, in one format on every backend.
    let created = &listed[0].created_at;
    assert_eq!(created.len(), "2026-01-01T00:00:00Z".len(), "{created}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
}

pub fn admin_tokens_are_told_apart(store: &dyn Store) {
    let t = team("acme");
    store.create_token(&t, "anna", &[1; 32], true).unwrap();
    store.create_token(&t, "ben", &[2; 32], false).unwrap();

    let anna = store.find_token(&[1; 32]).unwrap().unwrap();
    let ben = store.find_token(&[2; 32]).unwrap().unwrap();
    assert!(anna.admin && !ben.admin);
    let listed = store.list_tokens(&t).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|i| (i.rep.as_str(), i.admin))
            .collect::<Vec<_>>(),
        [("anna", true), ("ben", false)]
    );

    // Revoking an admin's tokens is like revoking anyone's: the flag stays,
    // the token no longer signs in.
    assert_eq!(store.revoke_tokens(&t, "anna").unwrap(), 1);
    let anna = store.find_token(&[1; 32]).unwrap().unwrap();
    assert!(anna.admin && anna.revoked);
}

pub async fn snapshots_advance_from_their_mark_only(store: &dyn Store) {
    use super::SnapshotRow;
    let t = team("acme");
    let other = team("zeta");
    assert_eq!(store.snapshot_mark(&t).unwrap(), (Seq(0), 0));
    assert!(store.snapshot_page(&t, None, 1 << 20).unwrap().is_empty());
    store.append(batch("acme", 1, changes(1, 3))).await.unwrap();
    store.append(batch("zeta", 1, changes(2, 2))).await.unwrap();
    let mut teams = store.teams().unwrap();
    teams.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(teams, [(t.clone(), Seq(3)), (other.clone(), Seq(2))]);

    let row = |d: u8, saved: &[u8]| SnapshotRow {
        doc: DocId([d; 16]),
        saved: saved.to_vec(),
        summary: vec![d],
    };
    assert!(
        store
            .snapshot_advance(&t, Seq(0), Seq(2), &[row(3, b"c"), row(1, b"a")])
            .unwrap()
    );
    assert_eq!(store.snapshot_mark(&t).unwrap(), (Seq(2), 2));
    // Another advance from the old mark is a compaction that lost the race.
    assert!(
        !store
            .snapshot_advance(&t, Seq(0), Seq(3), &[row(1, b"stale")])
            .unwrap()
    );
    assert!(
        store
            .snapshot_advance(&t, Seq(2), Seq(3), &[row(1, b"A"), row(2, b"b")])
            .unwrap()
    );
    assert_eq!(store.snapshot_mark(&t).unwrap(), (Seq(3), 3));
    // Pages come in id order, bounded by bytes but never empty.
    let first = store.snapshot_page(&t, None, 1).unwrap();
    assert_eq!(first, [row(1, b"A")]);
    let rest = store
        .snapshot_page(&t, Some(first[0].doc), 1 << 20)
        .unwrap();
    assert_eq!(rest, [row(2, b"b"), row(3, b"c")]);
    assert_eq!(
        store
            .snapshot_saved(&t, &[DocId([3; 16]), DocId([9; 16])])
            .unwrap(),
        [(DocId([3; 16]), b"c".to_vec())]
    );
    // Teams never see each other's snapshots.
    assert_eq!(store.snapshot_mark(&other).unwrap(), (Seq(0), 0));
    assert!(
        store
            .snapshot_saved(&other, &[DocId([1; 16])])
            .unwrap()
            .is_empty()
    );
}
