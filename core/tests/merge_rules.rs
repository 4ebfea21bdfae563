//! Merge rules of records not covered by `records.rs`, replayed the way devices meet
//! them: each device holds its own copy, and changes travel as raw change bytes.
//! Tags merge as a set, notes character by character, a pick among conflicting
//! values clears the conflict whichever value it keeps, changes wait for their
//! dependencies, and damaged bytes are refused without harm. Two properties check
//! the tag and notes rules on random edits.

use campo_core::ids::DocId;
use campo_core::record::{Edit, Kind, RecordDoc, Stamp, Touch, Val};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::collections::BTreeSet;

const ID: DocId = DocId([42; 16]);

fn stamp(rep: &str, t: i64) -> Stamp<'_> {
    Stamp {
        rep,
        now_ms: 1_790_000_000_000 + t,
    }
}

fn set(k: &str, v: &str) -> Edit {
    Edit::Set(k.into(), v.into())
}

/// Anna creates an account; Bruno receives it through its creating change only.
fn two_devices(edits: &[Edit]) -> (RecordDoc, RecordDoc) {
    let (anna, created) = RecordDoc::create(Kind::Account, ID, &stamp("Anna", 0), edits).unwrap();
    let mut bruno = RecordDoc::empty(ID);
    bruno.apply(&created).unwrap();
    assert!(bruno.is_ready());
    (anna, bruno)
}

/// One save that must change something; returns its change.
fn edit(doc: &mut RecordDoc, rep: &str, t: i64, edits: &[Edit]) -> Vec<u8> {
    let mut changes = doc.edit(&stamp(rep, t), edits).unwrap();
    assert_eq!(changes.len(), 1, "one save, one change");
    changes.pop().unwrap()
}

#[test]
fn picking_the_losing_value_clears_the_conflict_everywhere() {
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma")]);
    let a = edit(&mut anna, "Anna", 1, &[set("phone", "+39 02 111111")]);
    let b = edit(&mut bruno, "Bruno", 1, &[set("phone", "+39 02 222222")]);
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let r = anna.read();
    assert_eq!(r, bruno.read(), "the same winner and conflict on both");
    let conflict = r.conflict("phone").expect("the collision is visible");
    assert_eq!(&conflict.values[0].value, r.get("phone"), "winner first");
    let loser = conflict.values[1].value.clone();
    assert_ne!(&loser, r.get("phone"));

    let pick = edit(&mut bruno, "Bruno", 2, &[set("phone", loser.as_str())]);
    anna.apply(&pick).unwrap();
    for doc in [&mut anna, &mut bruno] {
        let r = doc.read();
        assert_eq!(r.get("phone"), &loser);
        assert!(r.conflicts.is_empty());
    }
}

#[test]
fn concurrent_tags_merge_as_a_set() {
    let (mut anna, mut bruno) = two_devices(&[
        set("name", "Bar Roma"),
        Edit::Tags(vec!["horeca".into(), "bio".into()]),
    ]);
    // Anna adds "vip"; Bruno removes "horeca". Both apply; "bio", untouched, stays.
    let a = edit(
        &mut anna,
        "Anna",
        1,
        &[Edit::Tags(vec![
            "horeca".into(),
            "bio".into(),
            "vip".into(),
        ])],
    );
    let b = edit(&mut bruno, "Bruno", 1, &[Edit::Tags(vec!["bio".into()])]);
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let mut tags = anna.read().tags;
    tags.sort();
    assert_eq!(tags, ["bio", "vip"]);
    assert_eq!(anna.read(), bruno.read());
}

#[test]
fn the_same_tag_added_twice_concurrently_is_one_tag_and_one_removal_removes_it() {
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma")]);
    let a = edit(&mut anna, "Anna", 1, &[Edit::Tags(vec!["vip".into()])]);
    let b = edit(&mut bruno, "Bruno", 1, &[Edit::Tags(vec!["vip".into()])]);
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    assert_eq!(anna.read().tags, ["vip"]);
    assert!(anna.read().conflicts.is_empty(), "tags are not fields");
    let untag = edit(&mut bruno, "Bruno", 2, &[Edit::Tags(vec![])]);
    anna.apply(&untag).unwrap();
    assert!(anna.read().tags.is_empty(), "the removal saw both adds");
}

#[test]
fn concurrent_notes_merge_character_by_character() {
    let (mut anna, mut bruno) = two_devices(&[
        set("name", "Bar Roma"),
        Edit::Notes("Chiuso il lunedì.".into()),
    ]);
    let a = edit(
        &mut anna,
        "Anna",
        1,
        &[Edit::Notes(
            "Chiuso il lunedì. Preferisce il mattino.".into(),
        )],
    );
    let b = edit(
        &mut bruno,
        "Bruno",
        1,
        &[Edit::Notes("Nota: chiuso il lunedì.".into())],
    );
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let notes = anna.read().notes;
    assert_eq!(notes, "Nota: chiuso il lunedì. Preferisce il mattino.");
    assert_eq!(bruno.read().notes, notes);
}

#[test]
fn edits_of_a_receiving_device_land_in_the_creators_containers() {
    // The reason the whole schema lives in the creating change: Bruno never
    // creates containers, he only receives them, so his edits land in Anna's.
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma")]);
    let b = edit(
        &mut bruno,
        "Bruno",
        1,
        &[
            Edit::Tags(vec!["horeca".into(), "bio".into()]),
            Edit::Custom("orari".into(), "8-14".into()),
            set("city", "Monza"),
        ],
    );
    anna.apply(&b).unwrap();
    let r = anna.read();
    assert_eq!(r.tags, ["bio", "horeca"]);
    assert_eq!(r.custom.get("orari").map(String::as_str), Some("8-14"));
    assert_eq!(r.text("city"), "Monza");
}

#[test]
fn changes_out_of_order_wait_for_their_dependencies() {
    let (mut anna, created) = RecordDoc::create(
        Kind::Task,
        ID,
        &stamp("Anna", 0),
        &[set("title", "Richiamare")],
    )
    .unwrap();
    let e1 = edit(&mut anna, "Anna", 1, &[set("due", "2026-05-02")]);
    let e2 = edit(&mut anna, "Anna", 2, &[set("due", "2026-05-09")]);
    let mut late = RecordDoc::empty(ID);
    late.apply(&e2).unwrap();
    late.apply(&e1).unwrap();
    assert!(
        !late.is_ready(),
        "nothing visible before the creating change"
    );
    assert_eq!(late.kind(), None);
    late.apply(&created).unwrap();
    late.apply(&e2).unwrap(); // a duplicate delivery is harmless
    assert_eq!(late.read().text("due"), "2026-05-09");
    assert_eq!(late.heads(), anna.heads());
    assert_eq!(late.read(), anna.read());
}

#[test]
fn damaged_bytes_are_refused_and_leave_the_record_intact() {
    assert!(RecordDoc::load(ID, b"definitely not automerge").is_err());
    let (mut anna, _) = two_devices(&[set("name", "Bar Roma")]);
    let good = edit(&mut anna, "Anna", 1, &[set("city", "Como")]);
    let before = anna.heads();
    assert!(anna.apply(b"\x85\x6f\x4a\x83garbage").is_err());
    let mut cut = good.clone();
    cut.pop();
    assert!(anna.apply(&cut).is_err(), "a truncated change");
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0xff;
    assert!(
        anna.apply(&flipped).is_err(),
        "a change whose checksum fails"
    );
    assert_eq!(anna.heads(), before);
    assert_eq!(anna.read().text("name"), "Bar Roma");
    assert_eq!(anna.read().text("city"), "Como");
}

#[test]
fn creator_history_and_last_edit_name_the_reps() {
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma")]);
    let b = edit(&mut bruno, "Bruno", 5_000, &[set("industry", "Bar")]);
    anna.apply(&b).unwrap();
    let r = anna.read();
    assert_eq!(r.created_by, "Anna");
    assert_eq!(r.created_at, stamp("Anna", 0).now_ms);
    assert_eq!(
        r.last_edit,
        Some(("Bruno".into(), stamp("Bruno", 5_000).now_ms))
    );
    let history = anna.history();
    let who: Vec<(&str, i64)> = history.iter().map(|h| (h.rep.as_str(), h.at)).collect();
    assert_eq!(
        who,
        [
            ("Anna", stamp("Anna", 0).now_ms),
            ("Bruno", stamp("Bruno", 5_000).now_ms)
        ]
    );
    assert_eq!(
        history[1].touched,
        [Touch::Field("industry".into(), Val::Str("Bar".into()))]
    );
}

#[test]
fn a_concurrent_delete_and_restore_agree_and_list_the_conflict() {
    // Anna and Carla both delete; Bruno, having seen only Anna's deletion,
    // restores. Carla's deletion and Bruno's restore are concurrent.
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma")]);
    let mut carla = RecordDoc::empty(ID);
    carla.apply(&anna.save()).unwrap();
    let a = edit(&mut anna, "Anna", 1, &[Edit::Delete]);
    let c = edit(&mut carla, "Carla", 1, &[Edit::Delete]);
    bruno.apply(&a).unwrap();
    let b = edit(&mut bruno, "Bruno", 2, &[Edit::Restore]);
    for (doc, others) in [
        (&mut anna, [&b, &c]),
        (&mut bruno, [&a, &c]),
        (&mut carla, [&a, &b]),
    ] {
        for change in others {
            doc.apply(change).unwrap();
        }
    }
    assert_eq!(
        anna.heads().len(),
        2,
        "Carla's deletion and Bruno's restore"
    );
    let r = anna.read();
    assert_eq!(r, bruno.read());
    assert_eq!(r, carla.read());
    // The flag holds both values, every device shows the same one, and the
    // conflict lists both with their authors, the shown one first.
    let conflict = r.conflict("deleted").expect("the deletion and the restore");
    assert_eq!(conflict.values[0].value, Val::Bool(r.deleted));
    let mut listed: Vec<(Val, Option<String>)> = conflict
        .values
        .iter()
        .map(|v| (v.value.clone(), v.by.clone()))
        .collect();
    listed.sort_by_key(|(v, _)| v.clone() == Val::Bool(true));
    assert_eq!(
        listed,
        [
            (Val::Bool(false), Some("Bruno".into())),
            (Val::Bool(true), Some("Carla".into()))
        ]
    );
    // A pick (a restore, here) is an ordinary write that clears it everywhere.
    let pick = edit(&mut carla, "Carla", 3, &[Edit::Restore]);
    for doc in [&mut anna, &mut bruno] {
        doc.apply(&pick).unwrap();
    }
    for doc in [&mut anna, &mut bruno, &mut carla] {
        let r = doc.read();
        assert!(!r.deleted);
        assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    }
}

#[test]
fn concurrent_edits_of_an_order_line_agree_and_list_the_conflict() {
    let order = Edit::PutItem {
        coll: "orders".into(),
        id: "o1".into(),
        fields: vec![("date".into(), "2026-03-01".into())],
    };
    let line = |q: &str| Edit::PutSubItem {
        coll: "orders".into(),
        id: "o1".into(),
        sub_id: "l1".into(),
        fields: vec![
            ("product".into(), "ab".repeat(16)),
            ("quantity".into(), q.into()),
        ],
    };
    let (mut anna, mut bruno) = two_devices(&[set("name", "Bar Roma"), order, line("1")]);
    let a = edit(&mut anna, "Anna", 1, &[line("2")]);
    let b = edit(&mut bruno, "Bruno", 1, &[line("3")]);
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let r = anna.read();
    assert_eq!(r, bruno.read());
    let shown = r.items("orders").next().unwrap().sub[0]
        .get("quantity")
        .clone();
    assert!([Val::Num(2.0), Val::Num(3.0)].contains(&shown));
    // Both quantities are kept and listed under the line's path, the shown first.
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    let conflict = r.conflict("orders/o1/lines/l1/quantity").expect("listed");
    assert_eq!(conflict.values[0].value, shown);
    let mut listed: Vec<(Option<String>, Val)> = conflict
        .values
        .iter()
        .map(|v| (v.by.clone(), v.value.clone()))
        .collect();
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        listed,
        [
            (Some("Anna".into()), Val::Num(2.0)),
            (Some("Bruno".into()), Val::Num(3.0))
        ]
    );
    // Picking a value clears it everywhere; a removed line's conflict is not listed.
    let pick = edit(&mut anna, "Anna", 2, &[line("3")]);
    bruno.apply(&pick).unwrap();
    assert!(bruno.read().conflicts.is_empty());
    edit(&mut anna, "Anna", 3, &[line("4")]);
    let b = edit(&mut bruno, "Bruno", 3, &[line("5")]);
    anna.apply(&b).unwrap();
    assert!(
        anna.read()
            .conflict("orders/o1/lines/l1/quantity")
            .is_some()
    );
    let removal = Edit::RemoveSubItem {
        coll: "orders".into(),
        id: "o1".into(),
        sub_id: "l1".into(),
    };
    edit(&mut anna, "Anna", 4, &[removal]);
    let r = anna.read();
    assert!(r.items("orders").next().unwrap().sub.is_empty());
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
}

/// The tags `edit` would leave: `(base ∖ (removed by A ∪ removed by B)) ∪ added by
/// A ∪ added by B`.
fn merged_tags(base: &BTreeSet<String>, a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    let removed: BTreeSet<&String> = base
        .iter()
        .filter(|t| !a.contains(*t) || !b.contains(*t))
        .collect();
    base.iter()
        .filter(|t| !removed.contains(t))
        .chain(a.difference(base))
        .chain(b.difference(base))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn tag_set() -> impl Strategy<Value = BTreeSet<String>> {
    prop::collection::btree_set(
        prop::sample::select(vec!["vip", "bio", "horeca", "nord", "sud"]),
        0..5,
    )
    .prop_map(|s| s.into_iter().map(String::from).collect())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/merge_rules.txt",
        ))),
        ..ProptestConfig::default()
    })]

    /// Two reps replace the tags of one record concurrently: every tag either
    /// added survives, every tag either removed goes, the rest stay.
    #[test]
    fn concurrent_tag_edits_merge_as_sets(base in tag_set(), a in tag_set(), b in tag_set()) {
        let as_vec = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>();
        let (mut anna, mut bruno) = two_devices(&[set("name", "Bar"), Edit::Tags(as_vec(&base))]);
        let ca = anna.edit(&stamp("Anna", 1), &[Edit::Tags(as_vec(&a))]).unwrap();
        let cb = bruno.edit(&stamp("Bruno", 1), &[Edit::Tags(as_vec(&b))]).unwrap();
        for c in &cb { anna.apply(c).unwrap(); }
        for c in &ca { bruno.apply(c).unwrap(); }
        let mut tags = anna.read().tags;
        tags.sort();
        prop_assert_eq!(&tags, &merged_tags(&base, &a, &b));
        prop_assert_eq!(anna.read(), bruno.read());
    }

    /// Two reps insert text into the same notes concurrently: both insertions
    /// survive whole, and the original text stays in order around them.
    #[test]
    fn concurrent_note_insertions_both_survive(
        base in "[a-z ]{0,20}",
        (at_a, word_a) in (any::<prop::sample::Index>(), "[A-Z]{1,6}"),
        (at_b, word_b) in (any::<prop::sample::Index>(), "[0-9]{1,6}"),
    ) {
        let insert = |at: &prop::sample::Index, word: &str| {
            let chars: Vec<char> = base.chars().collect();
            let i = at.index(chars.len() + 1);
            chars[..i].iter().copied().chain(word.chars()).chain(chars[i..].iter().copied()).collect::<String>()
        };
        let (mut anna, mut bruno) = two_devices(&[set("name", "Bar"), Edit::Notes(base.clone())]);
        let ca = anna.edit(&stamp("Anna", 1), &[Edit::Notes(insert(&at_a, &word_a))]).unwrap();
        let cb = bruno.edit(&stamp("Bruno", 1), &[Edit::Notes(insert(&at_b, &word_b))]).unwrap();
        for c in &cb { anna.apply(c).unwrap(); }
        for c in &ca { bruno.apply(c).unwrap(); }
        let notes = anna.read().notes;
        prop_assert_eq!(&notes, &bruno.read().notes);
        prop_assert!(notes.contains(&word_a), "{:?} lost {:?}", notes, word_a);
        prop_assert!(notes.contains(&word_b), "{:?} lost {:?}", notes, word_b);
        let rest: String = notes.chars().filter(|c| !c.is_ascii_uppercase() && !c.is_ascii_digit()).collect();
        prop_assert_eq!(rest, base);
    }
}
