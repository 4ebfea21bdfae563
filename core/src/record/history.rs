//! A record's history: who changed which fields, and when, from change metadata.

use super::RecordDoc;
use super::value::Val;
use automerge::{PatchAction, Prop};

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The rep (empty for the shared migration changes).
    pub rep: String,
    /// Milliseconds since the epoch.
    pub at: i64,
    /// What it touched, in document order, without repeats.
    pub touched: Vec<Touch>,
}

/// Something a change touched.
#[derive(Debug, Clone, PartialEq)]
pub enum Touch {
    /// A field (`city`, `custom/<id>`) and the value written (`Empty` when cleared).
    Field(String, Val),
    Tags,
    Notes,
    /// An item of a collection was added or edited.
    Item {
        coll: String,
        id: String,
    },
    Deleted(bool),
    /// The record was created.
    Created,
}

impl RecordDoc {
    /// Every change in causal order, oldest first, with the fields each touched.
    /// Costs one diff per change: meant for the record a rep has open.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        let changes = self.doc.get_changes(&[]);
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            let rep = change.message().map(str::to_owned).unwrap_or_default();
            let at = change.timestamp();
            let touched = if change.deps().is_empty() {
                vec![Touch::Created]
            } else {
                let patches = self.doc.diff(change.deps(), &[change.hash()]);
                let mut touched: Vec<Touch> = Vec::new();
                for p in patches {
                    let t = touch_of(&p.path, &p.action);
                    if let Some(t) = t
                        && !touched.contains(&t)
                    {
                        touched.push(t);
                    }
                }
                touched
            };
            out.push(HistoryEntry { rep, at, touched });
        }
        out
    }
}

fn touch_of(path: &[(automerge::ObjId, Prop)], action: &PatchAction) -> Option<Touch> {
    let key = |p: &Prop| match p {
        Prop::Map(k) => Some(k.clone()),
        Prop::Seq(_) => None,
    };
    let put = match action {
        PatchAction::PutMap { key, value, .. } => Some((key.clone(), value_of(&value.0))),
        PatchAction::DeleteMap { key } => Some((key.clone(), Val::Empty)),
        _ => None,
    };
    match path {
        [] => {
            let (k, v) = put?;
            match k.as_str() {
                "deleted" => Some(Touch::Deleted(v.as_bool())),
                "schema" | "kind" | "created_at" | "created_by" => None,
                _ => Some(Touch::Field(k, v)),
            }
        }
        [(_, top), rest @ ..] => {
            let top = key(top)?;
            match (top.as_str(), rest) {
                ("tags", _) => Some(Touch::Tags),
                ("notes", _) => Some(Touch::Notes),
                ("address", []) => put.map(|(k, v)| Touch::Field(k, v)),
                ("custom", []) => put.map(|(k, v)| Touch::Field(format!("custom/{k}"), v)),
                (coll, []) => put.map(|(id, _)| Touch::Item {
                    coll: coll.to_owned(),
                    id,
                }),
                (coll, [(_, id), ..]) => Some(Touch::Item {
                    coll: coll.to_owned(),
                    id: key(id)?,
                }),
            }
        }
    }
}

fn value_of(v: &automerge::Value<'_>) -> Val {
    match v {
        automerge::Value::Scalar(s) => Val::of_owned(s),
        automerge::Value::Object(_) => Val::Empty,
    }
}
