//! Reading a record's document into plain data for the UI, the index and analytics.

use super::schema::{CollSpec, FieldSpec, Kind, Place};
use super::value::Val;
use super::{RecordDoc, SCHEMA_VERSION};
use crate::ids::DocId;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValueRef, Value, ValueRef};
use std::collections::BTreeMap;

/// A record as read from its document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub id: Option<DocId>,
    pub kind: Option<Kind>,
    /// The schema version the document was written at.
    pub schema: u64,
    /// Current (winning) value of every field that has one, by key.
    pub fields: BTreeMap<&'static str, Val>,
    pub tags: Vec<String>,
    pub notes: String,
    /// Custom field values by definition id.
    pub custom: BTreeMap<String, String>,
    /// Items of each collection (removed ones included, flagged), by collection key.
    pub collections: BTreeMap<&'static str, Vec<Item>>,
    pub conflicts: Vec<Conflict>,
    /// In the bin.
    pub deleted: bool,
    pub created_by: String,
    pub created_at: i64,
    /// Rep and time (ms) of the newest change, when known.
    pub last_edit: Option<(String, i64)>,
}

/// One item of a collection (an interaction, an address, an order, a line…).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub id: String,
    pub fields: BTreeMap<&'static str, Val>,
    /// Rep who created it, and when (ms).
    pub by: String,
    pub at: i64,
    pub removed: bool,
    /// The nested collection's items (an order's lines), removed ones dropped.
    pub sub: Vec<Item>,
}

/// Two or more values written concurrently to one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// `city`, `custom/<id>`, `deleted` (a deletion and a restore),
    /// `<collection>/<item id>/<field>`, or for an order's line
    /// `<collection>/<item id>/<sub collection>/<line id>/<field>`.
    pub path: String,
    /// Every concurrent value; the first is the one every device shows.
    pub values: Vec<ConflictValue>,
}

/// One side of a [`Conflict`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictValue {
    pub value: Val,
    /// The rep whose change wrote it, when known.
    pub by: Option<String>,
}

impl Record {
    /// A field's current value (empty when never set).
    pub fn get(&self, key: &str) -> &Val {
        static EMPTY: Val = Val::Empty;
        self.fields.get(key).unwrap_or(&EMPTY)
    }

    /// A text field's value (`""` for other types and empty fields).
    pub fn text(&self, key: &str) -> &str {
        self.get(key).as_str()
    }

    /// The record's display title (an account's name, a deal's title…).
    pub fn title(&self) -> &str {
        self.kind.map_or("", |k| self.text(k.spec().title))
    }

    /// Items of a collection that are not removed, in stored order.
    pub fn items(&self, coll: &str) -> impl Iterator<Item = &Item> {
        self.collections
            .get(coll)
            .into_iter()
            .flatten()
            .filter(|i| !i.removed)
    }

    /// The conflict on a field path, if any.
    pub fn conflict(&self, path: &str) -> Option<&Conflict> {
        self.conflicts.iter().find(|c| c.path == path)
    }
}

impl Item {
    pub fn get(&self, key: &str) -> &Val {
        static EMPTY: Val = Val::Empty;
        self.fields.get(key).unwrap_or(&EMPTY)
    }

    pub fn text(&self, key: &str) -> &str {
        self.get(key).as_str()
    }
}

/// A conflicted field found while scanning: the map holding it and its path.
struct Conflicted {
    obj: ObjId,
    key: String,
    path: String,
}

impl RecordDoc {
    /// Reads the whole record, conflicts (with their authors) and last edit included.
    pub fn read(&mut self) -> Record {
        let (mut r, conflicted) = read_doc(&self.doc, self.id);
        for c in conflicted {
            let mut values: Vec<(Val, ObjId)> = self
                .doc
                .get_all(&c.obj, &c.key)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(v, id)| match v {
                    Value::Scalar(s) => Some((Val::of_owned(&s), id)),
                    Value::Object(_) => None,
                })
                .collect();
            // Automerge's winner is the value with the greatest op id: the last one.
            values.reverse();
            let values = values
                .into_iter()
                .map(|(value, op)| ConflictValue {
                    by: self.author_of(&op),
                    value,
                })
                .collect();
            r.conflicts.push(Conflict {
                path: c.path,
                values,
            });
        }
        r.last_edit = self.last_edit();
        r
    }

    fn author_of(&mut self, op: &ObjId) -> Option<String> {
        let hash = self.doc.hash_for_opid(op)?;
        let change = self.doc.document().get_change_by_hash(&hash)?;
        change.message().map(str::to_owned)
    }
}

/// Reads fields, containers and items without touching change metadata (so an open
/// transaction stays open), one ordered scan per map: `map_range` is ~7x cheaper
/// than a lookup per key on this shape, and a read runs for every remote change.
fn read_doc(d: &AutoCommit, id: DocId) -> (Record, Vec<Conflicted>) {
    let mut r = Record {
        id: Some(id),
        ..Record::default()
    };
    let mut conflicted = Vec::new();
    let mut containers: Vec<(String, ObjId)> = Vec::new();
    let mut kind_key: Option<String> = None;
    // Fields are matched against the kind's spec after the scan (the kind may sort
    // after them), so collect raw scalars first.
    let mut scalars: Vec<(String, Val, bool)> = Vec::new();
    for item in d.map_range(ROOT, ..) {
        match (item.key.as_ref(), &item.value) {
            (_, ValueRef::Object(_)) => containers.push((item.key.to_string(), item.id())),
            ("kind", ValueRef::Scalar(ScalarValueRef::Str(s))) => kind_key = Some(s.to_string()),
            ("schema", ValueRef::Scalar(ScalarValueRef::Uint(v))) => r.schema = *v,
            ("created_by", ValueRef::Scalar(ScalarValueRef::Str(s))) => {
                r.created_by = s.to_string()
            }
            (
                "created_at",
                ValueRef::Scalar(ScalarValueRef::Timestamp(t) | ScalarValueRef::Int(t)),
            ) => r.created_at = *t,
            ("deleted", ValueRef::Scalar(ScalarValueRef::Boolean(b))) => {
                r.deleted = *b;
                if item.conflict {
                    conflicted.push(Conflicted {
                        obj: ROOT,
                        key: "deleted".into(),
                        path: "deleted".into(),
                    });
                }
            }
            (key, ValueRef::Scalar(s)) => scalars.push((key.to_owned(), Val::of(s), item.conflict)),
        }
    }
    if r.schema == 0 {
        return (r, conflicted);
    }
    let kind = match kind_key {
        Some(k) => Kind::from_key(&k),
        // Schema 1 had one kind of record: the customer, now an account.
        None if r.schema < SCHEMA_VERSION => Some(Kind::Account),
        None => None,
    };
    r.kind = kind;
    let Some(kind) = kind else {
        return (r, conflicted);
    };
    let spec = kind.spec();
    for (key, val, conflict) in scalars {
        if let Some(f) = spec.field(&key).filter(|f| f.place == Place::Root) {
            if conflict {
                conflicted.push(Conflicted {
                    obj: ROOT,
                    key: key.clone(),
                    path: key,
                });
            }
            if !val.is_empty() {
                r.fields.insert(f.key, val);
            }
        }
    }
    for (key, obj) in containers {
        match key.as_str() {
            "address" => read_fields(
                d,
                &obj,
                spec.fields,
                Place::Address,
                &mut r.fields,
                "",
                &mut conflicted,
            ),
            "tags" => r.tags = d.map_range(&obj, ..).map(|i| i.key.into_owned()).collect(),
            "notes" => r.notes = d.text(&obj).unwrap_or_default(),
            "custom" => {
                for item in d.map_range(&obj, ..) {
                    if let ValueRef::Scalar(ScalarValueRef::Str(s)) = &item.value {
                        if item.conflict {
                            conflicted.push(Conflicted {
                                obj: obj.clone(),
                                key: item.key.to_string(),
                                path: format!("custom/{}", item.key),
                            });
                        }
                        if !s.is_empty() {
                            r.custom.insert(item.key.to_string(), s.to_string());
                        }
                    }
                }
            }
            other => {
                if let Some(cspec) = spec.collection(other) {
                    let items = read_items(d, &obj, cspec, "", &mut conflicted);
                    r.collections.insert(cspec.key, items);
                }
            }
        }
    }
    (r, conflicted)
}

fn read_fields(
    d: &AutoCommit,
    obj: &ObjId,
    specs: &'static [FieldSpec],
    place: Place,
    out: &mut BTreeMap<&'static str, Val>,
    prefix: &str,
    conflicted: &mut Vec<Conflicted>,
) {
    for item in d.map_range(obj, ..) {
        let Some(f) = specs
            .iter()
            .find(|f| f.key == item.key.as_ref() && f.place == place)
        else {
            continue;
        };
        if let ValueRef::Scalar(s) = &item.value {
            if item.conflict {
                conflicted.push(Conflicted {
                    obj: obj.clone(),
                    key: f.key.to_owned(),
                    path: format!("{prefix}{}", f.key),
                });
            }
            let val = Val::of(s);
            if !val.is_empty() {
                out.insert(f.key, val);
            }
        }
    }
}

/// The items of a collection under `base` (`""`, or an order's path for its
/// lines). Top-level items are kept when removed (flagged); an order's removed
/// lines are dropped, with their conflicts.
fn read_items(
    d: &AutoCommit,
    all: &ObjId,
    spec: &'static CollSpec,
    base: &str,
    conflicted: &mut Vec<Conflicted>,
) -> Vec<Item> {
    let lines = !base.is_empty();
    let mut items = Vec::new();
    for entry in d.map_range(all, ..) {
        if !matches!(entry.value, ValueRef::Object(ObjType::Map)) {
            continue;
        }
        let obj = entry.id();
        let mut item = Item {
            id: entry.key.to_string(),
            ..Item::default()
        };
        let prefix = format!("{base}{}/{}/", spec.key, item.id);
        let mut sub_obj = None;
        let mut mine = Vec::new();
        for f in d.map_range(&obj, ..) {
            match (f.key.as_ref(), &f.value) {
                ("by", ValueRef::Scalar(ScalarValueRef::Str(s))) => item.by = s.to_string(),
                ("at", ValueRef::Scalar(ScalarValueRef::Timestamp(t) | ScalarValueRef::Int(t))) => {
                    item.at = *t
                }
                ("removed", ValueRef::Scalar(ScalarValueRef::Boolean(b))) => item.removed = *b,
                (key, ValueRef::Object(ObjType::Map)) if spec.sub.is_some_and(|s| s.key == key) => {
                    sub_obj = Some(f.id())
                }
                (key, ValueRef::Scalar(s)) => {
                    if let Some(field) = spec.field(key) {
                        if f.conflict {
                            mine.push(Conflicted {
                                obj: obj.clone(),
                                key: key.to_owned(),
                                path: format!("{prefix}{key}"),
                            });
                        }
                        let val = Val::of(s);
                        if !val.is_empty() {
                            item.fields.insert(field.key, val);
                        }
                    }
                }
                _ => {}
            }
        }
        if lines && item.removed {
            continue;
        }
        conflicted.append(&mut mine);
        if let (Some(sub), Some(sub_obj)) = (spec.sub, sub_obj) {
            item.sub = read_items(d, &sub_obj, sub, &prefix, conflicted);
        }
        items.push(item);
    }
    items
}
