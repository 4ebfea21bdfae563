//! Each record kind's rules and merges, two devices at a time.

use campo_core::ids::DocId;
use campo_core::record::{Edit, EditError, Invalid, Kind, RecordDoc, Stamp, Touch, Val};

fn stamp(rep: &str, t: i64) -> Stamp<'_> {
    Stamp {
        rep,
        now_ms: 1_790_000_000_000 + t,
    }
}

fn set(k: &str, v: &str) -> Edit {
    Edit::Set(k.into(), v.into())
}

/// Creates a record on device A and copies it to device B.
fn pair(kind: Kind, edits: &[Edit]) -> (RecordDoc, RecordDoc) {
    let id = DocId([kind as u8 + 1; 16]);
    let (a, first) = RecordDoc::create(kind, id, &stamp("Anna", 0), edits).unwrap();
    let mut b = RecordDoc::empty(id);
    b.apply(&first).unwrap();
    (a, b)
}

/// Exchanges every change between the two devices.
fn sync(a: &mut RecordDoc, b: &mut RecordDoc) {
    let (sa, sb) = (a.save(), b.save());
    a.apply(&sb).unwrap();
    b.apply(&sa).unwrap();
}

fn invalid(r: Result<impl std::fmt::Debug, EditError>) -> Invalid {
    match r {
        Err(EditError::Invalid(i)) => i,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn account_fields_merge_field_by_field_and_collide_visibly() {
    let (mut a, mut b) = pair(
        Kind::Account,
        &[set("name", "Bar Centrale"), set("status", "active")],
    );
    a.edit(
        &stamp("Anna", 1),
        &[set("phone", "+39 02 111111"), set("city", "Monza")],
    )
    .unwrap();
    b.edit(
        &stamp("Bruno", 2),
        &[set("email", "bar@example.it"), set("city", "Lodi")],
    )
    .unwrap();
    sync(&mut a, &mut b);
    let (ra, rb) = (a.read(), b.read());
    assert_eq!(ra, rb);
    assert_eq!(ra.text("phone"), "+39 02 111111");
    assert_eq!(ra.text("email"), "bar@example.it");
    let city = ra
        .conflict("city")
        .expect("concurrent city edits are a conflict");
    assert_eq!(city.values.len(), 2);
    let mut by: Vec<_> = city.values.iter().filter_map(|v| v.by.clone()).collect();
    by.sort();
    assert_eq!(by, ["Anna", "Bruno"]);
    // Picking the value already shown still resolves the conflict everywhere.
    let shown = ra.text("city").to_owned();
    let pick = b.edit(&stamp("Bruno", 3), &[set("city", &shown)]).unwrap();
    assert_eq!(pick.len(), 1);
    a.apply(&pick[0]).unwrap();
    assert!(a.read().conflicts.is_empty());
    assert_eq!(a.read().text("city"), shown);
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let (mut a, _) = pair(Kind::Account, &[set("name", "Bar")]);
    let heads = a.heads();
    assert_eq!(
        invalid(a.edit(
            &stamp("Anna", 1),
            &[set("phone", "+39 02 1"), set("email", "nope")]
        )),
        Invalid::Phone("+39 02 1".into())
    );
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 1), &[set("vat_id", "01234567890")])),
        Invalid::VatId("01234567890".into())
    );
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 1), &[set("name", "  ")])),
        Invalid::Required("name".into())
    );
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 1), &[set("nope", "x")])),
        Invalid::UnknownField("nope".into())
    );
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 1), &[set("status", "gone")])),
        Invalid::Choice("status".into(), "gone".into())
    );
    // A valid edit before an invalid one in the same save is not written either.
    assert!(
        a.edit(
            &stamp("Anna", 1),
            &[set("city", "Como"), set("source_date", "2026-02-30")]
        )
        .is_err()
    );
    assert_eq!(a.heads(), heads);
    assert_eq!(a.read().text("city"), "");
    assert_eq!(
        invalid(RecordDoc::create(
            Kind::Product,
            DocId([1; 16]),
            &stamp("Anna", 0),
            &[set("name", "Olio")]
        )),
        Invalid::Required("code".into())
    );
}

#[test]
fn an_unchanged_save_makes_no_change() {
    let (mut a, _) = pair(Kind::Account, &[set("name", "Bar"), set("city", "Como")]);
    assert!(
        a.edit(
            &stamp("Anna", 1),
            &[set("name", "Bar"), set("city", "Como"), set("phone", "")]
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn orders_with_lines_merge_and_refuse_bad_quantities() {
    let (mut a, mut b) = pair(Kind::Account, &[set("name", "Bar")]);
    let line = |q: &str| {
        vec![
            ("product".to_owned(), "aa".repeat(16)),
            ("quantity".to_owned(), q.to_owned()),
            ("unit_price".to_owned(), "12,50".to_owned()),
            ("discount".to_owned(), "10".to_owned()),
        ]
    };
    let order = Edit::PutItem {
        coll: "orders".into(),
        id: "o1".into(),
        fields: vec![
            ("date".into(), "2026-03-01".into()),
            ("status".into(), "confirmed".into()),
        ],
    };
    let bad = Edit::PutSubItem {
        coll: "orders".into(),
        id: "o1".into(),
        sub_id: "l1".into(),
        fields: line("-2"),
    };
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 1), &[order.clone(), bad])),
        Invalid::Quantity("-2".into())
    );
    let l1 = Edit::PutSubItem {
        coll: "orders".into(),
        id: "o1".into(),
        sub_id: "l1".into(),
        fields: line("2"),
    };
    a.edit(&stamp("Anna", 1), &[order, l1]).unwrap();
    sync(&mut a, &mut b);
    // Concurrently: A adds a line, B changes the status.
    let l2 = Edit::PutSubItem {
        coll: "orders".into(),
        id: "o1".into(),
        sub_id: "l2".into(),
        fields: line("1,5"),
    };
    a.edit(&stamp("Anna", 2), &[l2]).unwrap();
    b.edit(
        &stamp("Bruno", 2),
        &[Edit::PutItem {
            coll: "orders".into(),
            id: "o1".into(),
            fields: vec![("status".into(), "delivered".into())],
        }],
    )
    .unwrap();
    sync(&mut a, &mut b);
    let r = a.read();
    assert_eq!(r, b.read());
    let o = r.items("orders").next().unwrap();
    assert_eq!(o.text("status"), "delivered");
    assert_eq!(o.by, "Anna");
    assert_eq!(o.sub.len(), 2);
    assert_eq!(o.sub[0].get("unit_price"), &Val::Int(1250));
    assert_eq!(o.sub[1].get("quantity"), &Val::Num(1.5));
    // Removing a line keeps it in the document, out of the order.
    a.edit(
        &stamp("Anna", 3),
        &[Edit::RemoveSubItem {
            coll: "orders".into(),
            id: "o1".into(),
            sub_id: "l2".into(),
        }],
    )
    .unwrap();
    assert_eq!(a.read().items("orders").next().unwrap().sub.len(), 1);
}

#[test]
fn concurrent_interactions_are_all_kept() {
    let (mut a, mut b) = pair(Kind::Person, &[set("name", "Giulia Bianchi")]);
    let log = |id: &str, ch: &str| Edit::PutItem {
        coll: "interactions".into(),
        id: id.into(),
        fields: vec![
            ("channel".into(), ch.into()),
            ("date".into(), "2026-04-01".into()),
        ],
    };
    a.edit(&stamp("Anna", 1), &[log("i1", "visit")]).unwrap();
    b.edit(&stamp("Bruno", 1), &[log("i2", "phone")]).unwrap();
    sync(&mut a, &mut b);
    let r = a.read();
    let who: Vec<_> = r
        .items("interactions")
        .map(|i| (i.id.as_str(), i.by.as_str()))
        .collect();
    assert_eq!(who, [("i1", "Anna"), ("i2", "Bruno")]);
    assert_eq!(
        invalid(a.edit(&stamp("Anna", 2), &[log("i3", "pigeon")])),
        Invalid::Choice("channel".into(), "pigeon".into())
    );
}

#[test]
fn a_person_moves_between_accounts_with_history() {
    let (mut p, _) = pair(
        Kind::Person,
        &[set("name", "Luca Verdi"), set("account", &"01".repeat(16))],
    );
    p.edit(&stamp("Bruno", 5), &[set("account", &"02".repeat(16))])
        .unwrap();
    assert_eq!(p.read().get("account").as_id(), Some(DocId([2; 16])));
    let history = p.history();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].touched, vec![Touch::Created]);
    assert_eq!(history[1].rep, "Bruno");
    assert_eq!(
        history[1].touched,
        vec![Touch::Field("account".into(), Val::Str("02".repeat(16)))]
    );
}

#[test]
fn deals_move_through_stages_and_validate_probability() {
    let (mut d, mut e) = pair(
        Kind::Deal,
        &[
            set("title", "Fornitura estate"),
            set("stage", "lead"),
            set("value", "5.000"),
        ],
    );
    assert_eq!(d.read().get("value"), &Val::Int(500_000));
    assert_eq!(
        invalid(d.edit(&stamp("Anna", 1), &[set("probability", "150")])),
        Invalid::Int("probability".into(), "150".into(), 0, 100)
    );
    d.edit(&stamp("Anna", 1), &[set("stage", "proposal")])
        .unwrap();
    e.edit(&stamp("Bruno", 1), &[set("expected_close", "2026-07-31")])
        .unwrap();
    sync(&mut d, &mut e);
    let r = d.read();
    assert_eq!(
        (r.text("stage"), r.text("expected_close")),
        ("proposal", "2026-07-31")
    );
}

#[test]
fn tasks_complete_and_products_need_a_code() {
    let (mut t, _) = pair(
        Kind::Task,
        &[
            set("title", "Richiamare"),
            set("due", "2026-05-02"),
            set("type", "call"),
        ],
    );
    t.edit(&stamp("Anna", 1), &[set("done", "true")]).unwrap();
    assert!(t.read().get("done").as_bool());
    let (p, _) = pair(
        Kind::Product,
        &[
            set("code", "OL-1"),
            set("name", "Olio 1 l"),
            set("unit_price", "9,90"),
        ],
    );
    let mut p = p;
    assert_eq!(p.read().get("unit_price"), &Val::Int(990));
    assert_eq!(
        invalid(p.edit(&stamp("Anna", 1), &[set("unit_price", "-1")])),
        Invalid::Money("-1".into())
    );
}

#[test]
fn a_deletion_is_a_flag_that_an_offline_edit_does_not_lose() {
    let (mut a, mut b) = pair(Kind::Account, &[set("name", "Bar")]);
    a.edit(&stamp("Anna", 1), &[Edit::Delete]).unwrap();
    b.edit(&stamp("Bruno", 1), &[set("phone", "+39 02 222222")])
        .unwrap();
    sync(&mut a, &mut b);
    let r = a.read();
    assert!(r.deleted, "the deletion stands");
    assert_eq!(r.text("phone"), "+39 02 222222", "the offline edit is kept");
    let history = a.history();
    assert!(
        history
            .iter()
            .any(|h| h.touched.contains(&Touch::Deleted(true)) && h.rep == "Anna")
    );
    b.edit(&stamp("Bruno", 2), &[Edit::Restore]).unwrap();
    sync(&mut a, &mut b);
    assert!(!a.read().deleted);
}

#[test]
fn the_team_document_is_created_identically_everywhere() {
    let (mut t1, c1) = RecordDoc::team();
    let (mut t2, c2) = RecordDoc::team();
    assert_eq!(c1, c2, "byte-identical first change");
    let def = |id: &str, label: &str| Edit::PutItem {
        coll: "custom_fields".into(),
        id: id.into(),
        fields: vec![
            ("label".into(), label.into()),
            ("type".into(), "text".into()),
            ("applies_to".into(), "account".into()),
        ],
    };
    t1.edit(&stamp("Anna", 1), &[def("f1", "Orari")]).unwrap();
    t2.edit(&stamp("Bruno", 1), &[def("f2", "Giorno di chiusura")])
        .unwrap();
    sync(&mut t1, &mut t2);
    let labels: Vec<_> = t1
        .read()
        .items("custom_fields")
        .map(|f| f.text("label").to_owned())
        .collect();
    assert_eq!(labels, ["Orari", "Giorno di chiusura"]);
    assert_eq!(t1.read().kind, Some(Kind::Team));
}
