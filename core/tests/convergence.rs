//! Property: whatever edits three devices make to records of every kind (the team
//! document included), and in whatever order and however often their changes are
//! delivered, once every device has every change they all hold the same heads and
//! read the same records; every conflict shows its winner first; and no value
//! written concurrently is silently dropped: every field with several current
//! values (read from the changes themselves) is listed as a conflict with exactly
//! those values, and every listed conflict is one.

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{ActorId, ScalarValue};
use campo_core::ids::DocId;
use campo_core::record::{Edit, FieldType, Kind, Place, Record, RecordDoc, Stamp, TEAM_DOC, Val};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::collections::{BTreeMap, HashMap, HashSet};

const REPS: [&str; 3] = ["Anna", "Bruno", "Carla"];
const KINDS: [Kind; 5] = [
    Kind::Account,
    Kind::Person,
    Kind::Product,
    Kind::Deal,
    Kind::Task,
];
const TAGS: [&str; 4] = ["vip", "bio", "horeca", "nord"];
const WORDS: [&str; 4] = ["Milano", "Lodi", "Como", "pane"];

#[derive(Debug, Clone)]
enum Step {
    /// Device `d` creates a record of kind `KINDS[k]`.
    Create { d: usize, k: usize, n: u8 },
    /// Device `d` edits one of the records it has (picked by `doc`).
    Edit { d: usize, doc: usize, op: Op },
    /// Deliver change number `k` (modulo how many exist) to device `d`.
    Deliver { d: usize, k: usize },
}

/// An edit, in numbers that pick among what the record holds when it is made.
#[derive(Debug, Clone)]
enum Op {
    Field {
        f: u8,
        v: u8,
    },
    Tag {
        t: u8,
    },
    Notes {
        at: u8,
        w: u8,
        delete: bool,
    },
    Custom {
        c: u8,
        v: u8,
    },
    NewItem {
        coll: u8,
        v: u8,
    },
    ItemField {
        coll: u8,
        item: u8,
        f: u8,
        v: u8,
    },
    NewLine {
        item: u8,
        v: u8,
    },
    LineField {
        item: u8,
        line: u8,
        f: u8,
        v: u8,
    },
    Remove {
        coll: u8,
        item: u8,
    },
    Delete {
        restore: bool,
    },
    /// Pick value `v` of conflict `c`.
    Resolve {
        c: u8,
        v: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), any::<u8>()).prop_map(|(f, v)| Op::Field { f, v }),
        1 => any::<u8>().prop_map(|t| Op::Tag { t }),
        1 => (any::<u8>(), any::<u8>(), any::<bool>())
            .prop_map(|(at, w, delete)| Op::Notes { at, w, delete }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(c, v)| Op::Custom { c, v }),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(coll, v)| Op::NewItem { coll, v }),
        2 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(coll, item, f, v)| Op::ItemField { coll, item, f, v }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(item, v)| Op::NewLine { item, v }),
        1 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(item, line, f, v)| Op::LineField { item, line, f, v }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(coll, item)| Op::Remove { coll, item }),
        1 => any::<bool>().prop_map(|restore| Op::Delete { restore }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(c, v)| Op::Resolve { c, v }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0usize..3, 0usize..KINDS.len(), any::<u8>()).prop_map(|(d, k, n)| Step::Create { d, k, n }),
        4 => (0usize..3, any::<usize>(), op()).prop_map(|(d, doc, op)| Step::Edit { d, doc, op }),
        4 => (0usize..3, any::<usize>()).prop_map(|(d, k)| Step::Deliver { d, k }),
    ]
}

/// A valid input for a field of type `ty`, chosen by `n`.
fn input(ty: FieldType, required: bool, n: u8) -> String {
    let n = n as usize;
    let pick = |options: &[&str]| options[n % options.len()].to_owned();
    let v = match ty {
        FieldType::Text => pick(&["Milano", " Lodi ", "", "Como"]),
        FieldType::LongText => pick(&["una nota", "", "riga\nriga", "  spazi  "]),
        FieldType::Email => pick(&["anna@example.it", "info@bar.com", ""]),
        FieldType::Phone => pick(&["+39 02 123456", "0341 222333", ""]),
        FieldType::Url => pick(&["www.bar.it", "https://bar.com/x", ""]),
        FieldType::VatId => pick(&["IT01234567897", "de 123456789", ""]),
        FieldType::Date => pick(&["2026-01-31", "2025-12-01", ""]),
        FieldType::Time => pick(&["09:30", "18:00", ""]),
        FieldType::Money => pick(&["12", "1.234,50", "0,99", ""]),
        FieldType::Quantity => pick(&["1", "2,5", "0.125"]),
        FieldType::Int { min, max } => [min, max, (min + max) / 2][n % 3].to_string(),
        FieldType::Bool => pick(&["true", "false", "sì", ""]),
        FieldType::Choice(keys) => pick(keys),
        FieldType::Ref(_) => match n % 3 {
            0 => String::new(),
            i => DocId([i as u8; 16]).to_hex(),
        },
        FieldType::Rep => pick(&["Anna", "Bruno", ""]),
    };
    if required && v.trim().is_empty() {
        input(ty, true, (n + 1) as u8)
    } else {
        v
    }
}

/// The edit `op` describes for this record, if it applies to it. New items and
/// lines are named `fresh` (unique, as the app's random ids are: two items made
/// concurrently under one id would be two objects, one hidden by the other).
fn edit(kind: Kind, r: &Record, op: &Op, fresh: &str) -> Option<Edit> {
    let spec = kind.spec();
    let team = kind == Kind::Team;
    let nth = |n: u8, len: usize| (len > 0).then(|| n as usize % len);
    match *op {
        Op::Field { f, v } => {
            let field = &spec.fields[f as usize % spec.fields.len()];
            Some(Edit::Set(
                field.key.into(),
                input(field.ty, field.required, v),
            ))
        }
        Op::Tag { t } if !team => {
            let tag = TAGS[t as usize % TAGS.len()].to_owned();
            let mut tags: Vec<String> = r.tags.iter().filter(|x| **x != tag).cloned().collect();
            if tags.len() == r.tags.len() {
                tags.push(tag);
            }
            Some(Edit::Tags(tags))
        }
        Op::Notes { at, w, delete } if !team => {
            let chars: Vec<char> = r.notes.chars().collect();
            let at = at as usize % (chars.len() + 1);
            let text: String = if delete {
                let end = (at + 1 + w as usize % 5).min(chars.len());
                chars[..at].iter().chain(&chars[end..]).collect()
            } else {
                let word = format!(" {}", WORDS[w as usize % WORDS.len()]);
                chars[..at]
                    .iter()
                    .copied()
                    .chain(word.chars())
                    .chain(chars[at..].iter().copied())
                    .collect()
            };
            Some(Edit::Notes(text))
        }
        Op::Custom { c, v } if !team => Some(Edit::Custom(
            format!("cf{}", c % 3),
            ["", "aperto", " chiuso "][v as usize % 3].into(),
        )),
        Op::NewItem { coll, v } => {
            let cspec = &spec.collections[nth(coll, spec.collections.len())?];
            let fields = cspec
                .fields
                .iter()
                .enumerate()
                .filter(|(i, f)| f.required || (v as usize + i).is_multiple_of(3))
                .map(|(_, f)| (f.key.to_owned(), input(f.ty, f.required, v)))
                .collect();
            Some(Edit::PutItem {
                coll: cspec.key.into(),
                id: format!("i{fresh}"),
                fields,
            })
        }
        Op::ItemField { coll, item, f, v } => {
            let cspec = &spec.collections[nth(coll, spec.collections.len())?];
            let items: Vec<_> = r.items(cspec.key).collect();
            let it = items[nth(item, items.len())?];
            let field = &cspec.fields[f as usize % cspec.fields.len()];
            Some(Edit::PutItem {
                coll: cspec.key.into(),
                id: it.id.clone(),
                fields: vec![(field.key.into(), input(field.ty, field.required, v))],
            })
        }
        Op::NewLine { item, v } => {
            let sub = spec.collection("orders")?.sub?;
            let orders: Vec<_> = r.items("orders").collect();
            let order = orders[nth(item, orders.len())?];
            let fields = sub
                .fields
                .iter()
                .filter(|f| f.required || v % 2 == 0)
                .map(|f| (f.key.to_owned(), input(f.ty, f.required, v)))
                .collect();
            Some(Edit::PutSubItem {
                coll: "orders".into(),
                id: order.id.clone(),
                sub_id: format!("l{fresh}"),
                fields,
            })
        }
        Op::LineField { item, line, f, v } => {
            let sub = spec.collection("orders")?.sub?;
            let orders: Vec<_> = r.items("orders").collect();
            let order = orders[nth(item, orders.len())?];
            let l = &order.sub[nth(line, order.sub.len())?];
            let field = &sub.fields[f as usize % sub.fields.len()];
            Some(Edit::PutSubItem {
                coll: "orders".into(),
                id: order.id.clone(),
                sub_id: l.id.clone(),
                fields: vec![(field.key.into(), input(field.ty, field.required, v))],
            })
        }
        Op::Remove { coll, item } => {
            let cspec = &spec.collections[nth(coll, spec.collections.len())?];
            let items: Vec<_> = r.items(cspec.key).collect();
            let it = items[nth(item, items.len())?];
            if let Some(line) = it.sub.first().filter(|_| item % 2 == 0) {
                return Some(Edit::RemoveSubItem {
                    coll: cspec.key.into(),
                    id: it.id.clone(),
                    sub_id: line.id.clone(),
                });
            }
            Some(Edit::RemoveItem {
                coll: cspec.key.into(),
                id: it.id.clone(),
            })
        }
        Op::Delete { restore } if !team => Some(if restore { Edit::Restore } else { Edit::Delete }),
        Op::Resolve { c, v } => {
            let conflict = &r.conflicts[nth(c, r.conflicts.len())?];
            let value = &conflict.values[v as usize % conflict.values.len()].value;
            let parts: Vec<&str> = conflict.path.split('/').collect();
            match parts.as_slice() {
                [key] => {
                    let f = spec.field(key)?;
                    Some(Edit::Set(f.key.into(), value.input(f.ty)))
                }
                ["custom", id] => Some(Edit::Custom(id.to_string(), value.as_str().into())),
                [coll, id, key] => {
                    let f = spec.collection(coll)?.field(key)?;
                    Some(Edit::PutItem {
                        coll: coll.to_string(),
                        id: id.to_string(),
                        fields: vec![(f.key.into(), value.input(f.ty))],
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
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

/// The conflicts a record must list, read from its changes: every field (by the
/// record's conflict path) with several current values, and those values. A
/// value is current when no later write names it as the value it replaced.
fn expected_conflicts(kind: Kind, changes: &[&Vec<u8>]) -> BTreeMap<String, Vec<String>> {
    struct Write {
        obj: ObjectId,
        key: String,
        value: Option<ScalarValue>,
        made: Option<ObjectId>,
        id: (u64, ActorId),
    }
    let mut writes = Vec::new();
    let mut replaced: HashSet<(u64, ActorId)> = HashSet::new();
    let mut seen = HashSet::new();
    for bytes in changes {
        let change = automerge::Change::try_from(bytes.as_slice()).expect("a change");
        if !seen.insert(change.hash()) {
            continue;
        }
        let expanded = change.decode();
        for (n, op) in expanded.operations.into_iter().enumerate() {
            let id = (
                expanded.start_op.get() + n as u64,
                expanded.actor_id.clone(),
            );
            replaced.extend(op.pred.iter().map(|p| (p.0, p.1.clone())));
            let Key::Map(key) = op.key else { continue };
            let (value, made) = match op.action {
                OpType::Put(v) => (Some(v), None),
                OpType::Make(_) => (None, Some(ObjectId::Id(OpId(id.0, id.1.clone())))),
                _ => continue,
            };
            writes.push(Write {
                obj: op.obj,
                key: key.to_string(),
                value,
                made,
                id,
            });
        }
    }
    let mut parent: HashMap<ObjectId, (ObjectId, String)> = HashMap::new();
    for w in &writes {
        if let Some(obj) = &w.made {
            parent.insert(obj.clone(), (w.obj.clone(), w.key.clone()));
        }
    }
    let path_of = |obj: &ObjectId| {
        let mut path = Vec::new();
        let mut at = obj.clone();
        while let Some((up, key)) = parent.get(&at) {
            path.push(key.clone());
            at = up.clone();
        }
        path.reverse();
        path
    };
    let spec = kind.spec();
    // Order lines removed (by a current write) are dropped from the record.
    let removed: HashSet<&ObjectId> = writes
        .iter()
        .filter(|w| !replaced.contains(&w.id))
        .filter(|w| w.key == "removed" && w.value == Some(ScalarValue::Boolean(true)))
        .map(|w| &w.obj)
        .collect();
    let mut current: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for w in writes.iter().filter(|w| !replaced.contains(&w.id)) {
        let Some(value) = &w.value else { continue };
        let path = path_of(&w.obj);
        let key = w.key.as_str();
        let reported = match path.as_slice() {
            [] if key == "deleted" => Some(key.to_owned()),
            [] => spec
                .field(key)
                .filter(|f| f.place == Place::Root)
                .map(|_| key.to_owned()),
            [a] if a == "address" => spec
                .field(key)
                .filter(|f| f.place == Place::Address)
                .map(|_| key.to_owned()),
            [c] if c == "custom" => Some(format!("custom/{key}")),
            [coll, id] => spec
                .collection(coll)
                .and_then(|c| c.field(key))
                .map(|_| format!("{coll}/{id}/{key}")),
            [coll, id, sub, line] if !removed.contains(&w.obj) => spec
                .collection(coll)
                .and_then(|c| c.sub)
                .filter(|s| s.key == sub)
                .and_then(|s| s.field(key))
                .map(|_| format!("{coll}/{id}/{sub}/{line}/{key}")),
            _ => None,
        };
        if let Some(path) = reported {
            current
                .entry(path)
                .or_default()
                .push(format!("{:?}", val_of(value)));
        }
    }
    current
        .into_iter()
        .filter(|(_, values)| values.len() > 1)
        .map(|(path, mut values)| {
            values.sort();
            (path, values)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/convergence.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn replicas_converge(steps in prop::collection::vec(step(), 1..60)) {
        // Every device starts as the app does: with the team document, which each
        // builds byte for byte the same.
        let mut devices: Vec<BTreeMap<DocId, RecordDoc>> = (0..3)
            .map(|_| BTreeMap::from([(TEAM_DOC, RecordDoc::team().0)]))
            .collect();
        let mut changes: Vec<(DocId, Vec<u8>)> = vec![(TEAM_DOC, RecordDoc::team().1)];
        let mut created = 0u8;
        for (t, s) in steps.iter().enumerate() {
            let stamp = |d: usize| Stamp { rep: REPS[d], now_ms: 1_000 + t as i64 };
            match s {
                Step::Create { d, k, n } => {
                    created += 1;
                    let kind = KINDS[*k];
                    let id = DocId([created; 16]);
                    let edits: Vec<Edit> = kind
                        .spec()
                        .fields
                        .iter()
                        .filter(|f| f.required || (*n as usize).is_multiple_of(4))
                        .map(|f| Edit::Set(f.key.into(), input(f.ty, f.required, *n)))
                        .collect();
                    let (doc, c) = RecordDoc::create(kind, id, &stamp(*d), &edits)
                        .expect("valid inputs");
                    devices[*d].insert(id, doc);
                    changes.push((id, c));
                }
                Step::Edit { d, doc, op } => {
                    let ready: Vec<DocId> = devices[*d]
                        .iter()
                        .filter(|(_, doc)| doc.is_ready())
                        .map(|(id, _)| *id)
                        .collect();
                    let id = ready[doc % ready.len()];
                    let record = devices[*d].get_mut(&id).expect("ready");
                    let kind = record.kind().expect("ready");
                    let before = record.read();
                    if let Some(e) = edit(kind, &before, op, &format!("{d}x{t}")) {
                        let made = record.edit(&stamp(*d), std::slice::from_ref(&e));
                        let made = made.unwrap_or_else(|err| panic!("{e:?} refused: {err}"));
                        changes.extend(made.into_iter().map(|c| (id, c)));
                    }
                }
                Step::Deliver { d, k } => {
                    let (id, c) = &changes[k % changes.len()];
                    devices[*d].entry(*id).or_insert_with(|| RecordDoc::empty(*id)).apply(c).unwrap();
                }
            }
        }
        // Heal: everyone receives everything, newest first (the worst order for
        // dependencies), some of it twice.
        for device in devices.iter_mut() {
            for (id, c) in changes.iter().rev().chain(changes.iter().step_by(3)) {
                device.entry(*id).or_insert_with(|| RecordDoc::empty(*id)).apply(c).unwrap();
            }
        }
        let ids: Vec<DocId> = devices[0].keys().copied().collect();
        for device in &devices {
            prop_assert_eq!(device.keys().copied().collect::<Vec<_>>(), ids.clone());
        }
        for id in ids {
            let reads: Vec<Record> = devices.iter_mut().map(|d| d.get_mut(&id).unwrap().read()).collect();
            let heads: Vec<_> = devices.iter_mut().map(|d| d.get_mut(&id).unwrap().heads()).collect();
            prop_assert_eq!(&reads[0], &reads[1]);
            prop_assert_eq!(&reads[1], &reads[2]);
            prop_assert_eq!(&heads[0], &heads[1]);
            prop_assert_eq!(&heads[1], &heads[2]);
            let r = &reads[0];
            let kind = r.kind.expect("every record has its creating change");
            for c in &r.conflicts {
                prop_assert!(c.values.len() > 1, "{} lists one value", c.path);
                for v in &c.values {
                    let by = v.by.as_deref().unwrap_or("");
                    prop_assert!(REPS.contains(&by), "{}: written by {:?}", c.path, by);
                }
            }
            // Every conflict shows its winner first (where the record shows it).
            for c in r.conflicts.iter().filter(|c| !c.path.contains('/')) {
                let shown = match c.path.as_str() {
                    "deleted" => Val::Bool(r.deleted),
                    path => r.get(path).clone(),
                };
                prop_assert_eq!(&c.values[0].value, &shown);
            }
            let of_doc: Vec<&Vec<u8>> = changes.iter().filter(|(d, _)| *d == id).map(|(_, c)| c).collect();
            let listed: BTreeMap<String, Vec<String>> = r
                .conflicts
                .iter()
                .map(|c| {
                    let mut values: Vec<String> = c.values.iter().map(|v| format!("{:?}", v.value)).collect();
                    values.sort();
                    (c.path.clone(), values)
                })
                .collect();
            prop_assert_eq!(listed, expected_conflicts(kind, &of_doc));
        }
    }
}
