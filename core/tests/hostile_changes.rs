//! Scenario: a rep with a valid token pushes changes that are well formed (the
//! relay's check passes them) but do not fit the record they name: an operation on
//! an object or a text position the record does not have, a map written as a list,
//! an author the record has never seen. Automerge 0.12 panics applying each of these
//! (the app, built with `panic = "abort"`, would die on every teammate's device);
//! a device refuses them with `DocError::BadChange`, keeps its document as it was,
//! and goes on applying good changes. Changes that do fit — objects made earlier in
//! the same change or batch, batches out of order, changes waiting for a
//! dependency across a save — still apply.

use automerge::legacy::{ElementId, Key, MarkData, ObjectId, OpId, OpType};
use automerge::{ActorId, AutoCommit, ExpandedChange, ROOT, ReadDoc, ScalarValue};
use campo_core::change;
use campo_core::ids::DocId;
use campo_core::record::{DocError, Edit, Kind, RecordDoc, Stamp};

const ID: DocId = DocId([9; 16]);

fn stamp(rep: &str, t: i64) -> Stamp<'_> {
    Stamp {
        rep,
        now_ms: 1_790_000_000_000 + t,
    }
}

fn set(k: &str, v: &str) -> Edit {
    Edit::Set(k.into(), v.into())
}

/// Anna's account with notes, as a second device (Bruno's) holds it.
struct Setup {
    /// Anna's saved document, for a fresh copy per case.
    saved: Vec<u8>,
    /// Object ids in it: the notes text, and the operation that wrote the name.
    notes: OpId,
    name_op: OpId,
    /// A real change from Bruno (one field), to bend into hostile shapes.
    phone: ExpandedChange,
    /// A real notes edit from Bruno.
    notes_edit: ExpandedChange,
}

fn op_id(id: &automerge::ObjId) -> OpId {
    match id {
        automerge::ObjId::Id(counter, actor, _) => OpId(*counter, actor.clone()),
        automerge::ObjId::Root => panic!("not the root"),
    }
}

fn setup() -> Setup {
    let (mut anna, _) = RecordDoc::create(
        Kind::Account,
        ID,
        &stamp("Anna", 0),
        &[
            set("name", "Bar Roma"),
            Edit::Notes("Chiuso il lunedì".into()),
        ],
    )
    .unwrap();
    let saved = anna.save();
    let raw = AutoCommit::load(&saved).unwrap();
    let notes = op_id(&raw.get(ROOT, "notes").unwrap().unwrap().1);
    let name_op = op_id(&raw.get(ROOT, "name").unwrap().unwrap().1);
    let mut bruno = RecordDoc::load(ID, &saved).unwrap();
    let decode = |bytes: &[u8]| automerge::Change::try_from(bytes).unwrap().decode();
    let phone = bruno
        .edit(&stamp("Bruno", 1), &[set("phone", "+39 02 222222")])
        .unwrap();
    let notes_edit = bruno
        .edit(
            &stamp("Bruno", 2),
            &[Edit::Notes("Chiuso il lunedì e il martedì".into())],
        )
        .unwrap();
    Setup {
        saved,
        notes,
        name_op,
        phone: decode(&phone[0]),
        notes_edit: decode(&notes_edit[0]),
    }
}

/// Encodes a (bent) change; the relay's check must accept it, or the case would
/// not reach a device.
fn encode(e: ExpandedChange) -> Vec<u8> {
    let bytes = automerge::Change::from(e).raw_bytes().to_vec();
    change::check(&bytes).expect("the relay accepts the bent change");
    bytes
}

fn no_preds() -> automerge::legacy::SortedVec<OpId> {
    Vec::new().into()
}

/// Applies `bad` to a fresh copy of the account, one call and in a batch:
/// refused both ways, the document unchanged and still working.
fn refused(setup: &Setup, case: &str, bad: Vec<u8>) {
    let mut doc = RecordDoc::load(ID, &setup.saved).unwrap();
    let before = (doc.heads(), doc.read());
    let err = doc.apply(&bad).expect_err(case);
    assert!(matches!(err, DocError::BadChange(_)), "{case}: {err}");
    let err = doc.apply_many(std::slice::from_ref(&bad)).expect_err(case);
    assert!(matches!(err, DocError::BadChange(_)), "{case}: {err}");
    assert_eq!((doc.heads(), doc.read()), before, "{case}: nothing applied");

    // A good change in the same batch is not applied either (all or nothing); on
    // its own it is.
    let good = encode(setup.phone.clone());
    assert!(doc.apply_many(&[good.clone(), bad]).is_err(), "{case}");
    assert_eq!(
        doc.heads(),
        before.0,
        "{case}: nothing of the batch applied"
    );
    doc.apply(&good).unwrap();
    assert_eq!(doc.read().get("phone").as_str(), "+39 02 222222", "{case}");
    let reloaded = RecordDoc::load(ID, &doc.save()).unwrap().read();
    assert_eq!(reloaded, doc.read(), "{case}: saves and loads");
}

/// The reproducer the `change_check` fuzz target found: a change the relay
/// accepts whose operation targets object `11@<author>`, which nothing creates.
#[test]
fn the_fuzz_reproducer_is_refused_instead_of_panicking() {
    let bytes = include_bytes!("fuzz-crashers/device_apply-op-on-missing-object");
    change::check(bytes).expect("the relay accepts it: existence depends on history");
    let mut empty = RecordDoc::empty(ID);
    let err = empty.apply(bytes).unwrap_err();
    assert!(
        err.to_string().contains("which this record does not have"),
        "{err}"
    );
    assert!(!empty.is_ready(), "nothing applied");
    assert!(RecordDoc::load(ID, bytes).is_err(), "nor loaded");
    let setup = setup();
    refused(&setup, "fuzz reproducer", bytes.to_vec());
}

#[test]
fn operations_on_objects_the_record_does_not_have_are_refused() {
    let s = setup();
    let mut e = s.phone.clone();
    e.operations[0].obj = ObjectId::Id(OpId(99_999, s.notes.1.clone()));
    refused(&s, "missing object", encode(e));

    // An operation id that exists but wrote a scalar, not an object.
    let mut e = s.phone.clone();
    e.operations[0].obj = ObjectId::Id(s.name_op.clone());
    refused(&s, "a scalar as an object", encode(e));

    // An object made later in the same change does not exist yet.
    let mut e = s.phone.clone();
    let mut make = e.operations[0].clone();
    make.action = OpType::Make(automerge::ObjType::Map);
    make.key = Key::Map("later".into());
    make.pred = no_preds();
    let mut put = e.operations[0].clone();
    put.obj = ObjectId::Id(OpId(e.start_op.get() + 1, e.actor_id.clone()));
    put.key = Key::Map("k".into());
    put.pred = no_preds();
    e.operations = vec![put, make];
    refused(&s, "an object made after its use", encode(e));
}

#[test]
fn maps_written_as_lists_and_lists_as_maps_are_refused() {
    let s = setup();
    let elem = s.notes_edit.operations[0].key.clone();
    let mut e = s.phone.clone();
    e.operations[0].key = elem;
    refused(&s, "a map with a list position", encode(e));

    let mut e = s.phone.clone();
    e.operations[0].insert = true;
    refused(&s, "an insert into a map", encode(e));

    let mut e = s.phone.clone();
    e.operations[0].action = OpType::MarkBegin(MarkData {
        name: "bold".into(),
        value: ScalarValue::Boolean(true),
        expand: false,
    });
    refused(&s, "a mark in a map", encode(e));

    let mut e = s.phone.clone();
    let op = &mut e.operations[0];
    op.obj = ObjectId::Id(s.notes.clone());
    op.pred = no_preds();
    refused(&s, "a text with a map key", encode(e));

    // Campo's text is only inserted and deleted: a write over an existing
    // character (which would make an element id that is not an insertion) is refused.
    let existing = s.notes_edit.operations[0].key.clone();
    let mut e = s.phone.clone();
    let op = &mut e.operations[0];
    op.obj = ObjectId::Id(s.notes.clone());
    op.key = existing;
    op.pred = no_preds();
    refused(&s, "a write over a character", encode(e));
}

#[test]
fn text_positions_the_record_does_not_have_are_refused() {
    let s = setup();
    let missing = ElementId::Id(OpId(77_777, s.notes.1.clone()));
    for (case, insert, action) in [
        (
            "an insert after a missing position",
            true,
            OpType::Put("x".into()),
        ),
        (
            "a write to a missing position",
            false,
            OpType::Put("x".into()),
        ),
        ("a delete of a missing position", false, OpType::Delete),
        ("a mark at a missing position", true, OpType::MarkEnd(false)),
    ] {
        let mut e = s.phone.clone();
        let op = &mut e.operations[0];
        op.obj = ObjectId::Id(s.notes.clone());
        op.key = Key::Seq(missing.clone());
        op.insert = insert;
        op.action = action;
        op.pred = no_preds();
        refused(&s, case, encode(e));
    }
}

#[test]
fn authors_the_record_has_never_seen_are_refused() {
    let s = setup();
    let stranger = ActorId::from([5u8; 16].as_slice());
    let mut e = s.phone.clone();
    e.operations[0].pred = vec![OpId(1, stranger.clone())].into();
    refused(&s, "a predecessor by a stranger", encode(e));

    // A stranger's fifth change, without the first four.
    let mut e = s.phone.clone();
    e.actor_id = stranger;
    e.seq = 5;
    refused(&s, "a stranger's later change", encode(e));

    let mut e = s.phone.clone();
    let own = OpId(e.start_op.get() + 3, e.actor_id.clone());
    e.operations[0].pred = vec![own].into();
    refused(&s, "a predecessor newer than the operation", encode(e));
}

/// Bruno adds an interaction (a new object) and then edits it: the second change
/// writes into an object only the first creates.
fn interaction_changes() -> (Vec<u8>, [Vec<u8>; 2]) {
    let (mut anna, created) = RecordDoc::create(
        Kind::Account,
        ID,
        &stamp("Anna", 0),
        &[set("name", "Bar Roma")],
    )
    .unwrap();
    let mut bruno = RecordDoc::load(ID, &anna.save()).unwrap();
    let add = |summary: &str| Edit::PutItem {
        coll: "interactions".into(),
        id: "visit-1".into(),
        fields: vec![
            ("channel".into(), "visit".into()),
            ("date".into(), "2026-11-20".into()),
            ("summary".into(), summary.into()),
        ],
    };
    let first = bruno
        .edit(&stamp("Bruno", 1), &[add("Ordine in arrivo")])
        .unwrap()
        .remove(0);
    let second = bruno
        .edit(&stamp("Bruno", 2), &[add("Ordine confermato")])
        .unwrap()
        .remove(0);
    (created, [first, second])
}

#[test]
fn objects_made_earlier_in_the_batch_count_in_any_delivery_order() {
    let (created, [first, second]) = interaction_changes();
    let mut in_order = RecordDoc::empty(ID);
    in_order
        .apply_many(&[created.clone(), first.clone(), second.clone()])
        .unwrap();
    let mut reversed = RecordDoc::empty(ID);
    reversed
        .apply_many(&[second.clone(), first.clone(), created.clone()])
        .unwrap();
    let mut one_by_one = RecordDoc::empty(ID);
    for c in [&created, &first, &second] {
        one_by_one.apply(c).unwrap();
    }
    let mut concatenated = RecordDoc::empty(ID);
    concatenated
        .apply(&[created.clone(), first.clone(), second.clone()].concat())
        .unwrap();
    let loaded = RecordDoc::load(ID, &[created, first, second].concat()).unwrap();
    let want = one_by_one.read();
    let item = want.items("interactions").next().expect("the interaction");
    assert_eq!(item.get("summary").as_str(), "Ordine confermato");
    for mut doc in [in_order, reversed, concatenated, loaded] {
        assert_eq!(doc.read(), want);
        assert_eq!(doc.heads(), one_by_one.heads());
    }
}

#[test]
fn a_change_waiting_for_its_dependency_survives_a_save_and_is_checked_when_it_arrives() {
    let (created, [first, second]) = interaction_changes();
    let mut doc = RecordDoc::empty(ID);
    doc.apply(&created).unwrap();
    // The edit of the interaction arrives before the change that creates it.
    doc.apply(&second).unwrap();
    assert_eq!(doc.read().items("interactions").count(), 0, "it waits");
    let mut reopened = RecordDoc::load(ID, &doc.save()).unwrap();
    reopened.apply(&first).unwrap();
    let r = reopened.read();
    let item = r.items("interactions").next().expect("both applied");
    assert_eq!(item.get("summary").as_str(), "Ordine confermato");
    // Applying what is already there is a no-op.
    let heads = reopened.heads();
    reopened.apply_many(&[first, second, created]).unwrap();
    assert_eq!(reopened.heads(), heads);
}

#[test]
fn a_bad_change_waiting_for_a_dependency_is_refused_when_the_dependency_arrives() {
    let (created, [first, second]) = interaction_changes();
    // A change after `first` that writes into an object nobody made.
    let mut e = automerge::Change::try_from(&second[..]).unwrap().decode();
    e.operations[0].obj = ObjectId::Id(OpId(4_242, e.actor_id.clone()));
    let bad = encode(e);
    let mut doc = RecordDoc::empty(ID);
    doc.apply(&created).unwrap();
    doc.apply(&bad).unwrap();
    let waiting = doc.save();
    // It waits across a save; when `first` arrives, `first` applies and the bad
    // change is dropped, not applied (Automerge would panic) and not kept.
    let mut doc = RecordDoc::load(ID, &waiting).unwrap();
    doc.apply(&first).unwrap();
    let r = doc.read();
    let item = r.items("interactions").next().expect("the interaction");
    assert_eq!(item.get("summary").as_str(), "Ordine in arrivo");
    let mut expected = RecordDoc::load(ID, &[created, first].concat()).unwrap();
    assert_eq!(doc.heads(), expected.heads());
    assert_eq!(doc.save(), expected.save(), "nothing waits any more");
}
