//! Schema 1 documents (committed fixtures, written before record kinds existed) are
//! read by today's code as accounts, and their migration to schema 2 is the same
//! change on every device, so edits after it merge into shared containers.

use campo_core::ids::DocId;
use campo_core::record::{Edit, Kind, RecordDoc, Stamp, Val};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v1");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).expect("fixture file")
}

fn id() -> DocId {
    DocId([7; 16])
}

#[test]
fn a_schema_1_customer_reads_as_an_account() {
    let mut doc = RecordDoc::load(id(), &fixture("bar-centrale.saved")).unwrap();
    let r = doc.read();
    assert_eq!(r.kind, Some(Kind::Account));
    assert_eq!(r.schema, 1);
    assert_eq!(r.text("name"), "Bar Centrale");
    assert_eq!(r.text("company"), "Rossi & C. srl");
    assert_eq!(r.text("email"), "info@barcentrale.it");
    assert_eq!(r.text("street"), "Via Roma 1");
    assert_eq!(r.text("postcode"), "20100");
    assert_eq!(r.text("phone"), "+39 02 654321");
    assert_eq!(r.tags, vec!["horeca", "vip"]);
    assert_eq!(r.notes, "Chiuso il lunedì.");
    let visits: Vec<_> = r.items("interactions").collect();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].id, "0123456789abcdef0123456789abcdef");
    assert_eq!(visits[0].text("channel"), "visit");
    assert_eq!(visits[0].text("date"), "2026-01-02");
    assert_eq!(visits[0].text("summary"), "Presentazione listino");
    assert_eq!(visits[0].by, "Anna");
    // The concurrent city edits are still a conflict, winner first.
    let city = r.conflict("city").expect("city conflict survives");
    assert_eq!(r.text("city"), "Lodi");
    let values: Vec<_> = city.values.iter().map(|v| v.value.clone()).collect();
    assert_eq!(
        values,
        vec![Val::Str("Lodi".into()), Val::Str("Monza".into())]
    );
    assert_eq!(city.values[1].by.as_deref(), Some("Anna"));
    assert_eq!(r.last_edit, Some(("Bruno".into(), 1_767_398_500_000)));
}

#[test]
fn the_changes_replay_to_the_same_document() {
    let mut doc = RecordDoc::empty(id());
    for i in [3, 2, 1, 0] {
        doc.apply(&fixture(&format!("bar-centrale.change{i}")))
            .unwrap();
    }
    let mut saved = RecordDoc::load(id(), &fixture("bar-centrale.saved")).unwrap();
    assert_eq!(doc.read(), saved.read());
}

#[test]
fn two_devices_migrate_identically_and_their_orders_merge() {
    let stamp = |rep| Stamp {
        rep,
        now_ms: 1_800_000_000_000,
    };
    let mut a = RecordDoc::load(id(), &fixture("bar-centrale.saved")).unwrap();
    let mut b = RecordDoc::empty(id());
    // B has only the creating change: migration must not depend on later history.
    b.apply(&fixture("bar-centrale.change0")).unwrap();

    let order = |n: &str| Edit::PutItem {
        coll: "orders".into(),
        id: format!("order{n}"),
        fields: vec![
            ("date".into(), "2026-02-01".into()),
            ("number".into(), n.into()),
        ],
    };
    let from_a = a.edit(&stamp("Anna"), &[order("1")]).unwrap();
    let from_b = b
        .edit(
            &stamp("Bruno"),
            &[order("2"), Edit::Custom("f1".into(), "x".into())],
        )
        .unwrap();
    assert_eq!(from_a.len(), 2, "migration change, then the edit");
    assert_eq!(from_b.len(), 2);
    assert_eq!(
        from_a[0], from_b[0],
        "the migration change is byte-identical"
    );

    for c in &from_b {
        a.apply(c).unwrap();
    }
    for c in from_a.iter().chain(
        ["change1", "change2", "change3"]
            .iter()
            .map(|n| fixture(&format!("bar-centrale.{n}")))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        b.apply(c).unwrap();
    }
    let (ra, rb) = (a.read(), b.read());
    assert_eq!(ra, rb);
    assert_eq!(ra.schema, 2);
    let numbers: Vec<_> = ra
        .items("orders")
        .map(|o| o.text("number").to_owned())
        .collect();
    assert_eq!(numbers, vec!["1", "2"], "both orders kept");
    assert_eq!(ra.custom.get("f1").map(String::as_str), Some("x"));
    assert_eq!(a.heads().len(), 2);
}

#[test]
fn a_document_of_a_newer_schema_is_refused_with_a_clear_error() {
    // A schema-3 document: made by hand, as a future version would write it.
    use automerge::transaction::Transactable;
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "schema", 3u64).unwrap();
    let err = RecordDoc::load(id(), &doc.save()).unwrap_err();
    assert!(err.to_string().contains("newer version"), "{err}");
}
