//! Merge and conflict rules of the customer document, replayed the way devices
//! meet them: each device holds its own copy, changes travel as raw change bytes.

use campo_core::customer::{Channel, CustomerDoc, Edit, Field, Stamp};
use campo_core::ids::DocId;

const ID: DocId = DocId([42; 16]);

fn stamp(rep: &str, now_ms: i64) -> Stamp<'_> {
    Stamp { rep, now_ms }
}

/// Anna creates "Bar Roma"; Bruno receives it through its creating change only.
fn two_devices() -> (CustomerDoc, CustomerDoc) {
    let (anna, created) = CustomerDoc::create(
        ID,
        &stamp("Anna", 1_000),
        &[
            Edit::Set(Field::Name, "Bar Roma".into()),
            Edit::Set(Field::Phone, "+39 02 111111".into()),
            Edit::Tags(vec!["horeca".into()]),
        ],
    )
    .unwrap();
    let mut bruno = CustomerDoc::empty(ID);
    bruno.apply(&created).unwrap();
    assert!(bruno.is_ready());
    (anna, bruno)
}

fn edit(doc: &mut CustomerDoc, rep: &str, now: i64, edits: &[Edit]) -> Vec<u8> {
    doc.edit(&stamp(rep, now), edits)
        .unwrap()
        .expect("the edit changes something")
}

#[test]
fn edits_to_different_fields_both_survive() {
    let (mut anna, mut bruno) = two_devices();
    // Both offline: Anna edits the phone, Bruno the email.
    let a = edit(
        &mut anna,
        "Anna",
        2_000,
        &[Edit::Set(Field::Phone, "+39 02 222222".into())],
    );
    let b = edit(
        &mut bruno,
        "Bruno",
        2_001,
        &[Edit::Set(Field::Email, "info@barroma.it".into())],
    );
    // Back online: each receives the other's change.
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    for doc in [&mut anna, &mut bruno] {
        let c = doc.read();
        assert_eq!(c.phone, "+39 02 222222");
        assert_eq!(c.email, "info@barroma.it");
        assert!(c.conflicts.is_empty());
    }
    assert_eq!(anna.heads(), bruno.heads());
}

#[test]
fn same_field_converges_and_shows_both_values_until_picked() {
    let (mut anna, mut bruno) = two_devices();
    let a = edit(
        &mut anna,
        "Anna",
        2_000,
        &[Edit::Set(Field::Phone, "111".repeat(2))],
    );
    let b = edit(
        &mut bruno,
        "Bruno",
        2_000,
        &[Edit::Set(Field::Phone, "222".repeat(2))],
    );
    // Delivery order differs per device; the result must not.
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let (ca, cb) = (anna.read(), bruno.read());
    assert_eq!(ca.phone, cb.phone, "every device shows the same winner");
    assert_eq!(ca.conflicts, cb.conflicts, "and the same conflict");
    let conflict = ca.conflict(Field::Phone).expect("the collision is visible");
    let mut values: Vec<_> = conflict.values.iter().map(|v| v.value.clone()).collect();
    assert_eq!(values[0], ca.phone, "the shown value comes first");
    values.sort();
    assert_eq!(values, vec!["111111", "222222"]);
    let mut authors: Vec<_> = conflict
        .values
        .iter()
        .filter_map(|v| v.by.clone())
        .collect();
    authors.sort();
    assert_eq!(
        authors,
        vec!["Anna", "Bruno"],
        "each value names who wrote it"
    );

    // Bruno picks the losing value; the pick supersedes both and clears the conflict everywhere.
    let loser = conflict.values[1].value.clone();
    let pick = edit(
        &mut bruno,
        "Bruno",
        3_000,
        &[Edit::Set(Field::Phone, loser.clone())],
    );
    anna.apply(&pick).unwrap();
    for doc in [&mut anna, &mut bruno] {
        let c = doc.read();
        assert_eq!(c.phone, loser);
        assert!(c.conflicts.is_empty());
    }
}

#[test]
fn picking_the_winning_value_also_resolves() {
    let (mut anna, mut bruno) = two_devices();
    let a = edit(
        &mut anna,
        "Anna",
        2_000,
        &[Edit::Set(Field::City, "Milano".into())],
    );
    let b = edit(
        &mut bruno,
        "Bruno",
        2_000,
        &[Edit::Set(Field::City, "Monza".into())],
    );
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let winner = anna.read().city;
    // Same text as shown, but it is a conflict: the write must still happen.
    let pick = anna
        .edit(
            &stamp("Anna", 3_000),
            &[Edit::Set(Field::City, winner.clone())],
        )
        .unwrap();
    bruno
        .apply(&pick.expect("resolving writes a change"))
        .unwrap();
    assert!(bruno.read().conflicts.is_empty());
    assert_eq!(bruno.read().city, winner);
}

#[test]
fn concurrent_tags_notes_and_interactions_all_merge() {
    let (mut anna, mut bruno) = two_devices();
    edit(
        &mut anna,
        "Anna",
        1_500,
        &[Edit::Notes("Chiuso il lunedì.".into())],
    );
    let base = anna.save();
    let mut bruno2 = CustomerDoc::load(ID, &base).unwrap();
    std::mem::swap(&mut bruno, &mut bruno2);
    let a = edit(
        &mut anna,
        "Anna",
        2_000,
        &[
            Edit::Tags(vec!["horeca".into(), "vip".into()]),
            Edit::Notes("Chiuso il lunedì. Preferisce il mattino.".into()),
            Edit::AddInteraction {
                id: "a1".into(),
                channel: Channel::Visit,
                date: "2026-11-20".into(),
                summary: "Visita".into(),
                outcome: "Ordine".into(),
            },
        ],
    );
    let b = edit(
        &mut bruno,
        "Bruno",
        2_000,
        &[
            Edit::Tags(vec![]),
            Edit::Notes("Nota: chiuso il lunedì.".into()),
            Edit::AddInteraction {
                id: "b1".into(),
                channel: Channel::Phone,
                date: "2026-11-21".into(),
                summary: "Chiamata".into(),
                outcome: String::new(),
            },
        ],
    );
    anna.apply(&b).unwrap();
    bruno.apply(&a).unwrap();
    let (ca, cb) = (anna.read(), bruno.read());
    assert_eq!(ca, cb);
    // Bruno removed "horeca" while Anna added "vip": the set keeps Anna's add, drops the removal.
    assert_eq!(ca.tags, vec!["vip".to_string()]);
    // Text merges character by character: both insertions survive.
    assert!(
        ca.notes.contains("Nota:") && ca.notes.contains("Preferisce il mattino."),
        "{}",
        ca.notes
    );
    // Both interactions are kept, newest date first, each with its author.
    let ids: Vec<_> = ca
        .interactions
        .iter()
        .map(|i| (i.id.as_str(), i.by.as_str()))
        .collect();
    assert_eq!(ids, vec![("b1", "Bruno"), ("a1", "Anna")]);
}

#[test]
fn independently_created_schemas_would_not_merge_so_creation_is_single() {
    // The reason the whole schema lives in the creating change: Bruno never
    // creates containers, he only receives them, so his edits land in Anna's objects.
    let (mut anna, mut bruno) = two_devices();
    let b = edit(
        &mut bruno,
        "Bruno",
        2_000,
        &[Edit::Tags(vec!["horeca".into(), "bio".into()])],
    );
    anna.apply(&b).unwrap();
    let mut tags = anna.read().tags;
    tags.sort();
    assert_eq!(tags, vec!["bio", "horeca"]);
}

#[test]
fn changes_out_of_order_wait_for_their_dependencies() {
    let (mut anna, _) = two_devices();
    let created = anna.save();
    let e1 = edit(
        &mut anna,
        "Anna",
        2_000,
        &[Edit::Set(Field::Role, "Titolare".into())],
    );
    let e2 = edit(
        &mut anna,
        "Anna",
        3_000,
        &[Edit::Set(Field::Role, "Socio".into())],
    );
    let mut late = CustomerDoc::empty(ID);
    late.apply(&e2).unwrap();
    late.apply(&e1).unwrap();
    assert!(
        !late.is_ready(),
        "nothing visible before the creating change"
    );
    late.apply(&created).unwrap();
    late.apply(&e2).unwrap(); // duplicate delivery is harmless
    assert_eq!(late.read().role, "Socio");
    assert_eq!(late.heads(), anna.heads());
}

#[test]
fn invalid_edits_write_nothing() {
    let (mut anna, _) = two_devices();
    let before = anna.heads();
    let err = anna
        .edit(
            &stamp("Anna", 2_000),
            &[
                Edit::Set(Field::Company, "Roma srl".into()),
                Edit::Set(Field::Email, "not-an-email".into()),
            ],
        )
        .unwrap_err();
    assert!(err.to_string().contains("not a valid email"), "{err}");
    assert_eq!(anna.heads(), before);
    assert_eq!(anna.read().company, "");
    assert!(
        CustomerDoc::create(ID, &stamp("Anna", 1), &[Edit::Set(Field::Name, " ".into())]).is_err()
    );
    assert!(
        anna.edit(
            &stamp("Anna", 2),
            &[Edit::Set(Field::Source, "friend".into())]
        )
        .is_err()
    );
    let bad_date = Edit::AddInteraction {
        id: "x".into(),
        channel: Channel::Chat,
        date: "2026-02-30".into(),
        summary: String::new(),
        outcome: String::new(),
    };
    assert!(anna.edit(&stamp("Anna", 2), &[bad_date]).is_err());
    assert_eq!(anna.heads(), before);
}

#[test]
fn an_edit_that_changes_nothing_makes_no_change() {
    let (mut anna, _) = two_devices();
    let same = anna
        .edit(
            &stamp("Anna", 2_000),
            &[Edit::Set(Field::Name, "Bar Roma".into())],
        )
        .unwrap();
    assert_eq!(same, None);
}

#[test]
fn garbage_is_not_a_document() {
    assert!(CustomerDoc::load(ID, b"definitely not automerge").is_err());
    let (mut anna, _) = two_devices();
    assert!(anna.apply(b"\x85\x6f\x4a\x83garbage").is_err());
    assert_eq!(
        anna.read().name,
        "Bar Roma",
        "a refused apply leaves the document intact"
    );
}

#[test]
fn history_and_last_edit_name_the_reps() {
    let (mut anna, mut bruno) = two_devices();
    let b = edit(
        &mut bruno,
        "Bruno",
        5_000,
        &[Edit::Set(Field::Role, "Buyer".into())],
    );
    anna.apply(&b).unwrap();
    let c = anna.read();
    assert_eq!(c.created_by, "Anna");
    assert_eq!(c.created_at, 1_000);
    assert_eq!(c.last_edit, Some(("Bruno".into(), 5_000)));
    assert_eq!(
        anna.history(),
        vec![("Anna".into(), 1_000), ("Bruno".into(), 5_000)]
    );
}
