//! Records: every account, person, product, deal, task (and the team's settings) is
//! one Automerge document with Campo's schema on top.
//!
//! Document layout (schema [`SCHEMA_VERSION`]):
//! ```text
//! { schema: 2, kind: "account"|"person"|…, created_at: ms, created_by: rep,
//!   <field>: scalar,                       // per [`schema::KindSpec::fields`]
//!   address: { street, city, postcode, province, country },   // accounts
//!   tags: { <tag>: true },                 // a set: concurrent adds both survive
//!   notes: Text,                           // character-level merge
//!   custom: { <custom field id>: text },   // team-defined fields
//!   <collection>: { <item id>: { <field>: scalar, by, at, removed?,
//!                                <sub collection>: { <id>: {…} } } },
//!   deleted?: bool }                       // a tombstone, never a removal
//! ```
//! The creating change writes every container, so all devices share their ancestry;
//! scalars need no creation. Schema-1 documents (the customers written before kinds
//! existed) read as accounts, and the first edit adds the missing containers with a
//! migration change every device builds byte for byte the same (`migrate.rs`).
//!
//! Merge rules: scalar fields keep concurrent values (every device shows the same
//! winner, [`Record::conflicts`] lists them all until a rep picks one); tags are a
//! set; notes merge by character; items of a collection are keyed by random ids, so
//! concurrent additions are all kept; removal and deletion are flags, so an edit made
//! offline to something another rep removed is never lost and can be restored.
//!
//! Every change carries its author's rep name as the commit message and the
//! wall-clock time in milliseconds: history and "last edited by" come from them.

mod history;
mod migrate;
mod read;
pub mod schema;
pub mod value;

pub use history::{HistoryEntry, Touch};
pub use read::{Conflict, ConflictValue, Item, Record};
pub use schema::{CollSpec, FieldSpec, FieldType, Kind, KindSpec, Place};
pub use value::{Invalid, Val};

use crate::ids::DocId;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use std::fmt;

/// The schema version this build writes. Readers accept this version and older.
pub const SCHEMA_VERSION: u64 = 2;

/// The id of the team's settings document (custom fields, saved views). Every
/// device creates it with the same first change ([`RecordDoc::team`]), so the relay
/// stores it once however many devices start at the same moment.
pub const TEAM_DOC: DocId = DocId([0; 16]);

/// Who makes a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp<'a> {
    pub rep: &'a str,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// One edit a rep makes. A save turns a list of edits into one Automerge change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Set a field from what the rep typed. Writing a field that is in conflict
    /// resolves the conflict, even with the value it already shows.
    Set(String, String),
    /// Replace the tag set (added tags are inserted, missing ones removed).
    Tags(Vec<String>),
    /// Replace the notes text (merged character by character).
    Notes(String),
    /// Set a team-defined custom field (already checked against its definition
    /// with [`value::parse`] or the app's rules; stored as text).
    Custom(String, String),
    /// Create an item in a collection, or update the given fields of an existing one.
    PutItem {
        coll: String,
        id: String,
        fields: Vec<(String, String)>,
    },
    /// Create or update an item of an item's nested collection (an order's line).
    PutSubItem {
        coll: String,
        id: String,
        sub_id: String,
        fields: Vec<(String, String)>,
    },
    /// Mark an item removed (it stays in the document and its history).
    RemoveItem { coll: String, id: String },
    /// Remove a line from an order.
    RemoveSubItem {
        coll: String,
        id: String,
        sub_id: String,
    },
    /// Move the record to the bin (a flag; nothing is removed).
    Delete,
    /// Bring a deleted record back.
    Restore,
}

/// Why a document could not be opened or updated.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the record's document is damaged: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the record was written by a newer version of Campo (schema {0}); update the app")]
    NewerSchema(u64),
    #[error("not a Campo record")]
    NotARecord,
    #[error("this record is a {found}, not a {expected}")]
    WrongKind {
        expected: &'static str,
        found: &'static str,
    },
}

/// Why an edit was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Doc(#[from] DocError),
}

impl From<automerge::AutomergeError> for EditError {
    fn from(e: automerge::AutomergeError) -> Self {
        EditError::Doc(e.into())
    }
}

/// A record's Automerge document.
pub struct RecordDoc {
    id: DocId,
    doc: AutoCommit,
}

impl fmt::Debug for RecordDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordDoc").field("id", &self.id).finish()
    }
}

fn commit_options(stamp: &Stamp<'_>) -> CommitOptions {
    CommitOptions::default()
        .with_message(stamp.rep.to_owned())
        .with_time(stamp.now_ms)
}

/// Writes the containers a kind's documents hold (all in the creating change).
fn create_containers(d: &mut AutoCommit, kind: Kind) -> Result<(), automerge::AutomergeError> {
    if kind != Kind::Team {
        d.put_object(ROOT, "tags", ObjType::Map)?;
        d.put_object(ROOT, "notes", ObjType::Text)?;
        d.put_object(ROOT, "custom", ObjType::Map)?;
    }
    if kind.spec().fields.iter().any(|f| f.place == Place::Address) {
        d.put_object(ROOT, "address", ObjType::Map)?;
    }
    for coll in kind.spec().collections {
        d.put_object(ROOT, coll.key, ObjType::Map)?;
    }
    Ok(())
}

impl RecordDoc {
    /// Creates a record. The first change holds the whole schema, so later edits
    /// from any device land in shared containers. Returns the document and the
    /// change bytes to send. Required fields must be among the edits.
    pub fn create(
        kind: Kind,
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<(RecordDoc, Vec<u8>), EditError> {
        let spec = kind.spec();
        check_edits(spec, edits)?;
        for field in spec.fields.iter().filter(|f| f.required) {
            let given = edits
                .iter()
                .any(|e| matches!(e, Edit::Set(k, v) if k == field.key && !v.trim().is_empty()));
            if !given {
                return Err(Invalid::Required(field.key.to_owned()).into());
            }
        }
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.put(ROOT, "kind", kind.key())?;
        doc.put(ROOT, "created_at", ScalarValue::Timestamp(stamp.now_ms))?;
        doc.put(ROOT, "created_by", stamp.rep)?;
        create_containers(&mut doc, kind)?;
        let mut record = RecordDoc { id, doc };
        record.apply_edits(spec, stamp, edits)?;
        record.doc.commit_with(commit_options(stamp));
        let change = record.last_local_change()?;
        Ok((record, change))
    }

    /// The team's settings document, created the same way on every device: a
    /// fixed actor, time and content make a byte-identical first change.
    pub fn team() -> (RecordDoc, Vec<u8>) {
        migrate::team_document()
    }

    /// Opens a document from saved bytes or a concatenation of changes.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<RecordDoc, DocError> {
        let doc = AutoCommit::load(bytes)?;
        let record = RecordDoc { id, doc };
        record.schema()?;
        Ok(record)
    }

    /// An empty document that changes from the relay are applied to, for a record
    /// this device has not seen yet.
    pub fn empty(id: DocId) -> RecordDoc {
        RecordDoc {
            id,
            doc: AutoCommit::new(),
        }
    }

    pub fn id(&self) -> DocId {
        self.id
    }

    /// The record's kind; `None` until the creating change has arrived. Schema-1
    /// documents have no `kind` and are accounts.
    pub fn kind(&self) -> Option<Kind> {
        if !self.is_ready() {
            return None;
        }
        match self.doc.get(ROOT, "kind").ok().flatten() {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(k) => Kind::from_key(k),
                _ => None,
            },
            _ => Some(Kind::Account),
        }
    }

    /// Applies changes (or a saved document) received from elsewhere. Applying
    /// something already present is a no-op; changes whose dependencies are
    /// missing wait inside Automerge until they arrive.
    ///
    /// `bytes` must be exactly one change or a whole saved document: unlike
    /// `load_incremental`, which tolerates a damaged tail, damage is an error here.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        match automerge::Change::try_from(bytes) {
            Ok(change) if change.raw_bytes().len() == bytes.len() => {
                self.doc.apply_changes([change])?;
            }
            _ => {
                let mut other = AutoCommit::load(bytes)?;
                self.doc.merge(&mut other)?;
            }
        }
        Ok(())
    }

    /// True once the document's first change (the schema) is present.
    pub fn is_ready(&self) -> bool {
        self.doc.get(ROOT, "schema").ok().flatten().is_some()
    }

    /// The document's schema version (0 before its creating change arrives).
    pub fn schema(&self) -> Result<u64, DocError> {
        match self.doc.get(ROOT, "schema")? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Uint(v) if *v <= SCHEMA_VERSION => Ok(*v),
                ScalarValue::Uint(v) => Err(DocError::NewerSchema(*v)),
                _ => Err(DocError::NotARecord),
            },
            Some(_) => Err(DocError::NotARecord),
            None => Ok(0),
        }
    }

    /// The compact saved form, for storage.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies `edits` as one change stamped with the rep and time. Returns the
    /// changes to send: none when the edits changed nothing; the migration change
    /// first when an older document needed one. Every edit is validated first; on
    /// error nothing is written.
    pub fn edit(&mut self, stamp: &Stamp<'_>, edits: &[Edit]) -> Result<Vec<Vec<u8>>, EditError> {
        let kind = self.kind().ok_or(DocError::NotARecord)?;
        self.schema()?;
        let spec = kind.spec();
        check_edits(spec, edits)?;
        let mut out = Vec::new();
        if let Some(migration) = migrate::upgrade(self)? {
            out.push(migration);
        }
        if let Err(e) = self.apply_edits(spec, stamp, edits) {
            self.doc.rollback();
            return Err(e);
        }
        if self.doc.pending_ops() == 0 {
            self.doc.rollback();
            return Ok(out);
        }
        self.doc.commit_with(commit_options(stamp));
        out.push(self.last_local_change()?);
        Ok(out)
    }

    fn last_local_change(&mut self) -> Result<Vec<u8>, DocError> {
        self.doc
            .get_last_local_change()
            .map(|c| c.raw_bytes().to_vec())
            .ok_or(DocError::NotARecord)
    }

    fn apply_edits(
        &mut self,
        spec: &'static KindSpec,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<(), EditError> {
        let d = &mut self.doc;
        for edit in edits {
            match edit {
                Edit::Set(key, input) => {
                    // check_edits has made sure the field exists.
                    let Some(field) = spec.field(key) else {
                        continue;
                    };
                    let target = match field.place {
                        Place::Root => ROOT,
                        Place::Address => container(d, "address")?,
                    };
                    let value = value::parse(key, field.ty, input)?;
                    put_if_changed(d, &target, key, value)?;
                }
                Edit::Tags(tags) => {
                    let obj = container(d, "tags")?;
                    let current: Vec<String> =
                        d.map_range(&obj, ..).map(|i| i.key.into_owned()).collect();
                    for old in current.iter().filter(|t| !tags.contains(t)) {
                        d.delete(&obj, old.as_str())?;
                    }
                    for new in tags.iter().filter(|t| !current.contains(t)) {
                        d.put(&obj, new.as_str(), true)?;
                    }
                }
                Edit::Notes(text) => {
                    let obj = container(d, "notes")?;
                    if d.text(&obj)? != *text {
                        d.update_text(&obj, text)?;
                    }
                }
                Edit::Custom(id, input) => {
                    let obj = container(d, "custom")?;
                    put_if_changed(d, &obj, id, ScalarValue::Str(input.trim().into()))?;
                }
                Edit::PutItem { coll, id, fields } => {
                    let cspec = spec.collection(coll).ok_or_else(|| unknown(coll))?;
                    let all = container(d, coll)?;
                    let item = put_item(d, &all, cspec, id, fields, stamp)?;
                    if let Some(sub) = cspec.sub
                        && !matches!(d.get(&item, sub.key)?, Some((Value::Object(_), _)))
                    {
                        d.put_object(&item, sub.key, ObjType::Map)?;
                    }
                }
                Edit::PutSubItem {
                    coll,
                    id,
                    sub_id,
                    fields,
                } => {
                    let cspec = spec.collection(coll).ok_or_else(|| unknown(coll))?;
                    let sub = cspec.sub.ok_or_else(|| unknown(coll))?;
                    let all = container(d, coll)?;
                    let item = child(d, &all, id)?.ok_or_else(|| unknown(id))?;
                    let lines = child(d, &item, sub.key)?.ok_or_else(|| unknown(sub.key))?;
                    put_item(d, &lines, sub, sub_id, fields, stamp)?;
                }
                Edit::RemoveItem { coll, id } => {
                    let all = container(d, coll)?;
                    let item = child(d, &all, id)?.ok_or_else(|| unknown(id))?;
                    put_if_changed(d, &item, "removed", ScalarValue::Boolean(true))?;
                }
                Edit::RemoveSubItem { coll, id, sub_id } => {
                    let cspec = spec.collection(coll).ok_or_else(|| unknown(coll))?;
                    let sub = cspec.sub.ok_or_else(|| unknown(coll))?;
                    let all = container(d, coll)?;
                    let item = child(d, &all, id)?.ok_or_else(|| unknown(id))?;
                    let lines = child(d, &item, sub.key)?.ok_or_else(|| unknown(sub.key))?;
                    let line = child(d, &lines, sub_id)?.ok_or_else(|| unknown(sub_id))?;
                    put_if_changed(d, &line, "removed", ScalarValue::Boolean(true))?;
                }
                Edit::Delete => put_if_changed(d, &ROOT, "deleted", ScalarValue::Boolean(true))?,
                Edit::Restore => put_if_changed(d, &ROOT, "deleted", ScalarValue::Boolean(false))?,
            }
        }
        Ok(())
    }

    /// Every change of the document, oldest first (dependencies before the changes
    /// that build on them), as raw change bytes the relay accepts. A restored
    /// backup sends them all: the relay stores each change once by its hash, so
    /// the ones it already has cost nothing but the transfer.
    pub fn changes(&mut self) -> Vec<Vec<u8>> {
        self.doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect()
    }

    /// The document's heads, to compare replicas.
    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.doc.get_heads()
    }

    /// The newest change's author and time. With concurrent heads, the latest time wins.
    pub fn last_edit(&mut self) -> Option<(String, i64)> {
        let doc = self.doc.document();
        doc.get_heads()
            .iter()
            .filter_map(|h| doc.get_change_by_hash(h))
            .map(|c| {
                (
                    c.message().map(str::to_owned).unwrap_or_default(),
                    c.timestamp(),
                )
            })
            .filter(|(rep, _)| !rep.is_empty())
            .max_by_key(|(_, t)| *t)
    }
}

fn unknown(key: &str) -> EditError {
    Invalid::UnknownField(key.to_owned()).into()
}

/// A container at the root; a document without it is not a Campo record (or is
/// an older one the migration has not reached, which `edit` prevents).
fn container(d: &AutoCommit, key: &str) -> Result<ObjId, EditError> {
    child(d, &ROOT, key)?.ok_or_else(|| DocError::NotARecord.into())
}

fn child(d: &AutoCommit, parent: &ObjId, key: &str) -> Result<Option<ObjId>, EditError> {
    Ok(match d.get(parent, key)? {
        Some((Value::Object(_), id)) => Some(id),
        _ => None,
    })
}

/// Writes `value` unless the field already holds exactly it with no conflict:
/// unchanged fields make no ops, and a write to a conflicted field resolves it.
fn put_if_changed(
    d: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: ScalarValue,
) -> Result<(), EditError> {
    let all = d.get_all(obj, key)?;
    let same = all.len() == 1 && matches!(&all[0].0, Value::Scalar(s) if s.as_ref() == &value);
    let absent_and_empty = all.is_empty() && matches!(&value, ScalarValue::Str(s) if s.is_empty())
        || all.is_empty() && value == ScalarValue::Boolean(false);
    if !same && !absent_and_empty {
        d.put(obj, key, value)?;
    }
    Ok(())
}

fn put_item(
    d: &mut AutoCommit,
    all: &ObjId,
    spec: &'static CollSpec,
    id: &str,
    fields: &[(String, String)],
    stamp: &Stamp<'_>,
) -> Result<ObjId, EditError> {
    let existing = child(d, all, id)?;
    if existing.is_none() {
        for field in spec.fields.iter().filter(|f| f.required) {
            if !fields
                .iter()
                .any(|(k, v)| k == field.key && !v.trim().is_empty())
            {
                return Err(Invalid::Required(field.key.to_owned()).into());
            }
        }
    }
    let item = match existing {
        Some(item) => item,
        None => {
            let item = d.put_object(all, id, ObjType::Map)?;
            d.put(&item, "by", stamp.rep)?;
            d.put(&item, "at", ScalarValue::Timestamp(stamp.now_ms))?;
            item
        }
    };
    for (key, input) in fields {
        let field = spec.field(key).ok_or_else(|| unknown(key))?;
        let value = value::parse(key, field.ty, input)?;
        put_if_changed(d, &item, key, value)?;
    }
    Ok(item)
}

/// Validates every edit against the kind's schema before anything is written.
fn check_edits(spec: &KindSpec, edits: &[Edit]) -> Result<(), Invalid> {
    let check_fields = |cspec: &CollSpec, fields: &[(String, String)]| {
        fields.iter().try_for_each(|(k, v)| {
            let field = cspec
                .field(k)
                .ok_or_else(|| Invalid::UnknownField(k.clone()))?;
            value::parse(k, field.ty, v)?;
            if field.required && v.trim().is_empty() {
                return Err(Invalid::Required(k.clone()));
            }
            Ok(())
        })
    };
    let check_id = |id: &str| {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(Invalid::Id(id.to_owned()))
        }
    };
    for edit in edits {
        match edit {
            Edit::Set(key, input) => {
                let field = spec
                    .field(key)
                    .ok_or_else(|| Invalid::UnknownField(key.clone()))?;
                value::parse(key, field.ty, input)?;
                if field.required && input.trim().is_empty() {
                    return Err(Invalid::Required(key.clone()));
                }
            }
            Edit::Tags(tags) => tags.iter().try_for_each(|t| value::tag(t))?,
            Edit::Notes(text) => {
                if text.chars().count() > value::MAX_TEXT_CHARS {
                    return Err(Invalid::TooLong("notes".into(), value::MAX_TEXT_CHARS));
                }
            }
            Edit::Custom(id, input) => {
                check_id(id)?;
                if input.chars().count() > value::MAX_FIELD_CHARS {
                    return Err(Invalid::TooLong(id.clone(), value::MAX_FIELD_CHARS));
                }
            }
            Edit::PutItem { coll, id, fields } => {
                let cspec = spec
                    .collection(coll)
                    .ok_or_else(|| Invalid::UnknownField(coll.clone()))?;
                check_id(id)?;
                check_fields(cspec, fields)?;
            }
            Edit::PutSubItem {
                coll,
                id,
                sub_id,
                fields,
            } => {
                let sub = spec
                    .collection(coll)
                    .and_then(|c| c.sub)
                    .ok_or_else(|| Invalid::UnknownField(coll.clone()))?;
                check_id(id)?;
                check_id(sub_id)?;
                check_fields(sub, fields)?;
            }
            Edit::RemoveItem { coll, id } | Edit::RemoveSubItem { coll, id, .. } => {
                spec.collection(coll)
                    .ok_or_else(|| Invalid::UnknownField(coll.clone()))?;
                check_id(id)?;
            }
            Edit::Delete | Edit::Restore => {}
        }
    }
    Ok(())
}
