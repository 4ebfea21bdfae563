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
mod incoming;
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
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use incoming::Chunk;
use std::collections::HashSet;
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
    /// A change that does not fit the document (Automerge would panic applying it)
    /// or is not a well-formed change; nothing of the call was applied.
    #[error("a change to this record was refused: {0}")]
    BadChange(String),
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
    /// Changes received before their dependencies: checked and applied when those
    /// arrive (`incoming.rs`), and saved with the document meanwhile.
    waiting: Vec<automerge::Change>,
    /// The authors of the document's changes, which changes from elsewhere may
    /// name; worked out on the first apply.
    authors: Option<HashSet<ActorId>>,
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
        let mut record = RecordDoc::with_doc(id, doc);
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

    /// Opens a document from saved bytes (what [`RecordDoc::save`] wrote) or a
    /// concatenation of changes, each checked like [`RecordDoc::apply_many`]'s.
    /// Changes alone must be complete: one whose dependency is missing is an error.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<RecordDoc, DocError> {
        let mut record = RecordDoc::empty(id);
        let chunks = incoming::chunks(bytes)?;
        let mut rest = &chunks[..];
        let mut saved = false;
        if let Some((Chunk::Document(doc), tail)) = chunks.split_first() {
            // The document this device saved: its operations were checked when
            // they arrived. What follows are the changes that were waiting.
            record.doc = AutoCommit::load(doc)?;
            rest = tail;
            saved = true;
        }
        let mut changes = Vec::with_capacity(rest.len());
        for chunk in rest {
            match chunk {
                Chunk::Change(bytes) => changes.push(incoming::parse(bytes)?),
                Chunk::Document(_) => {
                    return Err(DocError::BadChange(
                        "a saved document follows other chunks".into(),
                    ));
                }
            }
        }
        record.apply_changes(changes)?;
        if !saved && !record.waiting.is_empty() {
            return Err(automerge::AutomergeError::MissingDeps.into());
        }
        record.schema()?;
        Ok(record)
    }

    /// An empty document that changes from the relay are applied to, for a record
    /// this device has not seen yet.
    pub fn empty(id: DocId) -> RecordDoc {
        RecordDoc::with_doc(id, AutoCommit::new())
    }

    fn with_doc(id: DocId, doc: AutoCommit) -> RecordDoc {
        RecordDoc {
            id,
            doc,
            waiting: Vec::new(),
            authors: None,
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

    /// Applies a change, several concatenated, or a saved document, received from
    /// elsewhere: see [`RecordDoc::apply_many`]. Unlike `load_incremental`, which
    /// tolerates a damaged tail, damage is an error here.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        let mut changes = Vec::new();
        for chunk in incoming::chunks(bytes)? {
            match chunk {
                Chunk::Change(bytes) => changes.push(incoming::parse(bytes)?),
                Chunk::Document(bytes) => {
                    let mut other = AutoCommit::load(bytes)?;
                    changes.extend(self.doc.get_changes_added(&mut other));
                }
            }
        }
        self.apply_changes(changes)
    }

    /// Applies changes received from elsewhere (each one raw change, as the relay
    /// stores them) in one Automerge call, which costs much less than one call per
    /// change. Applying something already present is a no-op; a change whose
    /// dependencies are missing waits beside the document until they arrive.
    ///
    /// Every change that can apply is first checked against the document and the
    /// changes before it: one that Automerge 0.12 would panic on (an operation on
    /// an object or list position the document does not have, an author it has
    /// never seen…) is refused with [`DocError::BadChange`], and then nothing of
    /// the call is applied; apply the changes one at a time to skip it. A change
    /// that waited for a dependency and does not fit is dropped when the
    /// dependency arrives.
    pub fn apply_many<B: AsRef<[u8]>>(&mut self, changes: &[B]) -> Result<(), DocError> {
        let changes = changes
            .iter()
            .map(|c| incoming::parse(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        self.apply_changes(changes)
    }

    fn apply_changes(&mut self, changes: Vec<automerge::Change>) -> Result<(), DocError> {
        if changes.is_empty() {
            return Ok(());
        }
        let doc = &mut self.doc;
        let authors = self.authors.get_or_insert_with(|| incoming::authors(doc));
        let sorted = incoming::sort_and_check(doc, authors, self.waiting.clone(), changes)?;
        doc.apply_changes(sorted.ready)?;
        authors.extend(sorted.actors);
        self.waiting = sorted.waiting;
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

    /// The compact saved form, for storage, followed by the changes still
    /// waiting for a dependency.
    pub fn save(&mut self) -> Vec<u8> {
        let mut bytes = self.doc.save();
        for change in &self.waiting {
            bytes.extend_from_slice(change.raw_bytes());
        }
        bytes
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
            // Its author is the shared one: work the authors out again.
            self.authors = None;
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
        if let Some(authors) = &mut self.authors {
            authors.insert(self.doc.get_actor().clone());
        }
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
