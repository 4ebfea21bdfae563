//! The customer document: one Automerge document per customer.
//!
//! Schema (version [`SCHEMA_VERSION`]), all created in the document's first change
//! so every device shares the containers' ancestry:
//! ```text
//! { schema: 1, created_at: ms, created_by: rep,
//!   name, company, role, phone, email, preferences, source: "own"|"imported"|"enrichment",
//!   address: { street, city, postcode, country },
//!   tags: { <tag>: true },                 // a set: concurrent adds both survive
//!   notes: Text,                           // character-level merge
//!   interactions: { <id>: { channel, date, summary, outcome, by, at } } }
//! ```
//! Scalar fields are last-writer-wins per field *with the losers kept*: when two
//! devices set the same field concurrently Automerge keeps both values, picks the
//! same winner on every device, and [`Customer::conflicts`] lists them all until a
//! rep picks one (a new write that supersedes both).
//!
//! Every change carries its author's rep name as the commit message and the
//! wall-clock time in milliseconds, which is what the history view reads.

use crate::ids::DocId;
use crate::validate::{self, Invalid};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, ScalarValueRef, Value, ValueRef,
};
use std::fmt;

/// The schema version this build writes. Readers accept documents of this version
/// and older; migrations add missing containers with a deterministic change.
pub const SCHEMA_VERSION: u64 = 1;

/// An editable scalar field of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    Company,
    Role,
    Phone,
    Email,
    Street,
    City,
    Postcode,
    Country,
    Preferences,
    Source,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Name,
        Field::Company,
        Field::Role,
        Field::Phone,
        Field::Email,
        Field::Street,
        Field::City,
        Field::Postcode,
        Field::Country,
        Field::Preferences,
        Field::Source,
    ];

    /// The key under which the field is stored (also the translation key in the UI).
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Company => "company",
            Field::Role => "role",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Street => "street",
            Field::City => "city",
            Field::Postcode => "postcode",
            Field::Country => "country",
            Field::Preferences => "preferences",
            Field::Source => "source",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Address parts live in the nested `address` map; the rest at the root.
    fn in_address(self) -> bool {
        matches!(
            self,
            Field::Street | Field::City | Field::Postcode | Field::Country
        )
    }

    /// Fields whose values are free text (longer limit).
    pub fn is_long_text(self) -> bool {
        matches!(self, Field::Preferences)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where a customer record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    OwnEntry,
    ImportedList,
    Enrichment,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::OwnEntry, Source::ImportedList, Source::Enrichment];

    pub fn key(self) -> &'static str {
        match self {
            Source::OwnEntry => "own",
            Source::ImportedList => "imported",
            Source::Enrichment => "enrichment",
        }
    }

    pub fn from_key(key: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The channel of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Visit,
    Phone,
    Email,
    Letter,
    Video,
    Chat,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Visit,
        Channel::Phone,
        Channel::Email,
        Channel::Letter,
        Channel::Video,
        Channel::Chat,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Channel::Visit => "visit",
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Letter => "letter",
            Channel::Video => "video",
            Channel::Chat => "chat",
        }
    }

    pub fn from_key(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// One logged interaction with the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    /// Stable id (32 hex digits) chosen by the device that logged it.
    pub id: String,
    pub channel: Channel,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub summary: String,
    pub outcome: String,
    /// Rep who logged it.
    pub by: String,
    /// When it was logged, ms since the Unix epoch.
    pub at: i64,
}

/// Two or more values written concurrently to one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: Field,
    /// Every concurrent value; the first is the one every device shows.
    pub values: Vec<ConflictValue>,
}

/// One side of a [`Conflict`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictValue {
    pub value: String,
    /// The rep whose change wrote it, when known.
    pub by: Option<String>,
}

/// A customer as read from its document: plain data for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Customer {
    pub id: Option<DocId>,
    pub name: String,
    pub company: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    pub preferences: String,
    pub source: Source,
    pub tags: Vec<String>,
    pub notes: String,
    /// Newest first (by date, then by time logged).
    pub interactions: Vec<Interaction>,
    pub conflicts: Vec<Conflict>,
    pub created_by: String,
    pub created_at: i64,
    /// Rep and time (ms) of the newest change, when known.
    pub last_edit: Option<(String, i64)>,
}

impl Customer {
    /// The current (winning) value of a scalar field.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Company => &self.company,
            Field::Role => &self.role,
            Field::Phone => &self.phone,
            Field::Email => &self.email,
            Field::Street => &self.street,
            Field::City => &self.city,
            Field::Postcode => &self.postcode,
            Field::Country => &self.country,
            Field::Preferences => &self.preferences,
            Field::Source => self.source.key(),
        }
    }

    fn slot(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::Name => &mut self.name,
            Field::Company => &mut self.company,
            Field::Role => &mut self.role,
            Field::Phone => &mut self.phone,
            Field::Email => &mut self.email,
            Field::Street => &mut self.street,
            Field::City => &mut self.city,
            Field::Postcode => &mut self.postcode,
            Field::Country => &mut self.country,
            Field::Preferences => &mut self.preferences,
            Field::Source => return None,
        })
    }

    fn set(&mut self, field: Field, value: &str) {
        match self.slot(field) {
            Some(slot) => *slot = value.to_owned(),
            None => self.source = Source::from_key(value).unwrap_or_default(),
        }
    }

    /// The conflict on `field`, if any.
    pub fn conflict(&self, field: Field) -> Option<&Conflict> {
        self.conflicts.iter().find(|c| c.field == field)
    }
}

/// One edit a rep makes. A save turns a list of edits into one Automerge change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Set a scalar field. Writing a field that is in conflict resolves the conflict.
    Set(Field, String),
    /// Replace the tag set (added tags are inserted, missing ones removed).
    Tags(Vec<String>),
    /// Replace the notes text (merged character by character).
    Notes(String),
    /// Log an interaction.
    AddInteraction {
        id: String,
        channel: Channel,
        date: String,
        summary: String,
        outcome: String,
    },
}

/// Who makes a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp<'a> {
    pub rep: &'a str,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// A conflicting field's values with the op that wrote each, winner first.
type FieldValues = (Field, Vec<(String, ObjId)>);

/// Why a document could not be opened or updated.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the customer document is damaged: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the document was written by a newer version of Campo (schema {0}); update the app")]
    NewerSchema(u64),
    #[error("not a Campo customer document")]
    NotACustomer,
}

/// Why an edit was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Doc(#[from] DocError),
}

/// A customer's Automerge document with Campo's schema on top.
pub struct CustomerDoc {
    id: DocId,
    doc: AutoCommit,
}

impl fmt::Debug for CustomerDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerDoc").field("id", &self.id).finish()
    }
}

fn commit_options(stamp: &Stamp<'_>) -> CommitOptions {
    CommitOptions::default()
        .with_message(stamp.rep.to_owned())
        .with_time(stamp.now_ms)
}

impl CustomerDoc {
    /// Creates a new customer. The first change holds the whole schema, so later
    /// edits from any device land in shared containers. Returns the document and
    /// the change bytes to send.
    pub fn create(
        id: DocId,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<(CustomerDoc, Vec<u8>), EditError> {
        check_edits(edits)?;
        if !edits
            .iter()
            .any(|e| matches!(e, Edit::Set(Field::Name, v) if !v.trim().is_empty()))
        {
            return Err(Invalid::Required(Field::Name).into());
        }
        let mut doc = AutoCommit::new();
        let d = &mut doc;
        let r = (|| -> Result<(), automerge::AutomergeError> {
            d.put(ROOT, "schema", SCHEMA_VERSION)?;
            d.put(ROOT, "created_at", ScalarValue::Timestamp(stamp.now_ms))?;
            d.put(ROOT, "created_by", stamp.rep)?;
            for f in Field::ALL.iter().filter(|f| !f.in_address()) {
                let initial = if *f == Field::Source {
                    Source::OwnEntry.key()
                } else {
                    ""
                };
                d.put(ROOT, f.key(), initial)?;
            }
            let address = d.put_object(ROOT, "address", ObjType::Map)?;
            for f in Field::ALL.iter().filter(|f| f.in_address()) {
                d.put(&address, f.key(), "")?;
            }
            d.put_object(ROOT, "tags", ObjType::Map)?;
            d.put_object(ROOT, "notes", ObjType::Text)?;
            d.put_object(ROOT, "interactions", ObjType::Map)?;
            Ok(())
        })();
        r.map_err(DocError::from)?;
        let mut customer = CustomerDoc { id, doc };
        customer.apply_edits(stamp, edits)?;
        customer.doc.commit_with(commit_options(stamp));
        let change = customer
            .doc
            .get_last_local_change()
            .map(|c| c.raw_bytes().to_vec())
            .ok_or(DocError::NotACustomer)?;
        Ok((customer, change))
    }

    /// Opens a document from saved bytes or a concatenation of changes.
    pub fn load(id: DocId, bytes: &[u8]) -> Result<CustomerDoc, DocError> {
        let doc = AutoCommit::load(bytes)?;
        let customer = CustomerDoc { id, doc };
        customer.check_schema()?;
        Ok(customer)
    }

    /// An empty document that changes from the relay are applied to, for a
    /// customer this device has not seen yet.
    pub fn empty(id: DocId) -> CustomerDoc {
        CustomerDoc {
            id,
            doc: AutoCommit::new(),
        }
    }

    pub fn id(&self) -> DocId {
        self.id
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

    fn check_schema(&self) -> Result<(), DocError> {
        match self.doc.get(ROOT, "schema")? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Uint(v) if *v <= SCHEMA_VERSION => Ok(()),
                ScalarValue::Uint(v) => Err(DocError::NewerSchema(*v)),
                _ => Err(DocError::NotACustomer),
            },
            Some(_) => Err(DocError::NotACustomer),
            // Changes may arrive before the creating change; that is not an error.
            None => Ok(()),
        }
    }

    /// The compact saved form, for storage.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies `edits` as one change stamped with the rep and time. Returns the
    /// change bytes to send, or `None` when the edits changed nothing.
    /// Every edit is validated first; on error nothing is written.
    pub fn edit(
        &mut self,
        stamp: &Stamp<'_>,
        edits: &[Edit],
    ) -> Result<Option<Vec<u8>>, EditError> {
        check_edits(edits)?;
        if !self.is_ready() {
            return Err(DocError::NotACustomer.into());
        }
        self.check_schema()?;
        if let Err(e) = self.apply_edits(stamp, edits) {
            self.doc.rollback();
            return Err(e);
        }
        if self.doc.pending_ops() == 0 {
            self.doc.rollback();
            return Ok(None);
        }
        self.doc.commit_with(commit_options(stamp));
        Ok(self
            .doc
            .get_last_local_change()
            .map(|c| c.raw_bytes().to_vec()))
    }

    fn apply_edits(&mut self, stamp: &Stamp<'_>, edits: &[Edit]) -> Result<(), EditError> {
        // Reading through `read()` would commit the open transaction (Automerge
        // closes it to look up change metadata), splitting this edit in two.
        let (current, _) = self.read_fields();
        let d = &mut self.doc;
        let address = obj(d, &ROOT, "address")?;
        for edit in edits {
            match edit {
                Edit::Set(field, value) => {
                    let in_conflict = current.conflict(*field).is_some();
                    if current.get(*field) != value || in_conflict {
                        let target = if field.in_address() { &address } else { &ROOT };
                        d.put(target, field.key(), value.as_str())
                            .map_err(DocError::from)?;
                    }
                }
                Edit::Tags(tags) => {
                    let tags_obj = obj(d, &ROOT, "tags")?;
                    for old in current.tags.iter().filter(|t| !tags.contains(t)) {
                        d.delete(&tags_obj, old.as_str()).map_err(DocError::from)?;
                    }
                    for new in tags.iter().filter(|t| !current.tags.contains(t)) {
                        d.put(&tags_obj, new.as_str(), true)
                            .map_err(DocError::from)?;
                    }
                }
                Edit::Notes(text) => {
                    if *text != current.notes {
                        let notes = obj(d, &ROOT, "notes")?;
                        d.update_text(&notes, text).map_err(DocError::from)?;
                    }
                }
                Edit::AddInteraction {
                    id,
                    channel,
                    date,
                    summary,
                    outcome,
                } => {
                    let all = obj(d, &ROOT, "interactions")?;
                    let it = d
                        .put_object(&all, id.as_str(), ObjType::Map)
                        .map_err(DocError::from)?;
                    let put = |d: &mut AutoCommit, k: &str, v: ScalarValue| {
                        d.put(&it, k, v).map_err(DocError::from)
                    };
                    put(d, "channel", channel.key().into())?;
                    put(d, "date", date.as_str().into())?;
                    put(d, "summary", summary.as_str().into())?;
                    put(d, "outcome", outcome.as_str().into())?;
                    put(d, "by", stamp.rep.into())?;
                    put(d, "at", ScalarValue::Timestamp(stamp.now_ms))?;
                }
            }
        }
        Ok(())
    }

    /// Reads the whole customer, conflicts (with their authors) and last edit included.
    pub fn read(&mut self) -> Customer {
        let (mut c, conflicts) = self.read_fields();
        c.conflicts = conflicts
            .into_iter()
            .map(|(field, values)| Conflict {
                field,
                values: values
                    .into_iter()
                    .map(|(value, op)| ConflictValue {
                        by: self.author_of(&op),
                        value,
                    })
                    .collect(),
            })
            .collect();
        c.last_edit = self.last_edit();
        c
    }

    /// The fields and conflicting values (with the op that wrote each, winner
    /// first), without touching change metadata, so an open transaction stays open.
    ///
    /// One ordered scan per map (`map_range`) instead of a lookup per key: lookups
    /// cost ~7x more on this shape, and a full read runs for every remote change.
    /// `get_all` runs only for the keys the scan flags as conflicting.
    fn read_fields(&self) -> (Customer, Vec<FieldValues>) {
        let mut c = Customer {
            id: Some(self.id),
            ..Customer::default()
        };
        let d = &self.doc;
        let mut conflicted: Vec<(ObjId, Field)> = Vec::new();
        let (mut address, mut tags, mut notes, mut interactions) = (None, None, None, None);
        for item in d.map_range(ROOT, ..) {
            match (item.key.as_ref(), &item.value) {
                ("address", ValueRef::Object(ObjType::Map)) => address = Some(item.id()),
                ("tags", ValueRef::Object(ObjType::Map)) => tags = Some(item.id()),
                ("notes", ValueRef::Object(ObjType::Text)) => notes = Some(item.id()),
                ("interactions", ValueRef::Object(ObjType::Map)) => interactions = Some(item.id()),
                ("created_by", ValueRef::Scalar(ScalarValueRef::Str(s))) => {
                    c.created_by = s.to_string()
                }
                (
                    "created_at",
                    ValueRef::Scalar(ScalarValueRef::Timestamp(t) | ScalarValueRef::Int(t)),
                ) => c.created_at = *t,
                (key, ValueRef::Scalar(ScalarValueRef::Str(s))) => {
                    if let Some(f) = Field::from_key(key).filter(|f| !f.in_address()) {
                        c.set(f, s);
                        if item.conflict {
                            conflicted.push((ROOT, f));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(a) = &address {
            for item in d.map_range(a, ..) {
                if let (Some(f), ValueRef::Scalar(ScalarValueRef::Str(s))) = (
                    Field::from_key(&item.key).filter(|f| f.in_address()),
                    &item.value,
                ) {
                    c.set(f, s);
                    if item.conflict {
                        conflicted.push((a.clone(), f));
                    }
                }
            }
        }
        let mut conflicts = Vec::new();
        for (parent, field) in conflicted {
            let mut values: Vec<(String, ObjId)> = d
                .get_all(&parent, field.key())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(v, id)| as_str(&v).map(|s| (s.to_owned(), id)))
                .collect();
            // Automerge's winner is the value with the greatest op id: the last one.
            values.reverse();
            c.conflicts.push(Conflict {
                field,
                values: values
                    .iter()
                    .map(|(value, _)| ConflictValue {
                        value: value.clone(),
                        by: None,
                    })
                    .collect(),
            });
            conflicts.push((field, values));
        }
        if let Some(tags) = &tags {
            c.tags = d.map_range(tags, ..).map(|i| i.key.into_owned()).collect();
        }
        if let Some(notes) = &notes {
            c.notes = d.text(notes).unwrap_or_default();
        }
        if let Some(all) = &interactions {
            c.interactions = d
                .map_range(all, ..)
                .filter(|i| matches!(i.value, ValueRef::Object(ObjType::Map)))
                .map(|i| read_interaction(d, &i.id(), i.key.into_owned()))
                .collect();
            c.interactions.sort_by(|a, b| {
                b.date
                    .cmp(&a.date)
                    .then(b.at.cmp(&a.at))
                    .then(a.id.cmp(&b.id))
            });
        }
        (c, conflicts)
    }

    fn author_of(&mut self, op: &automerge::ObjId) -> Option<String> {
        let hash = self.doc.hash_for_opid(op)?;
        let change = self.doc.document().get_change_by_hash(&hash)?;
        change.message().map(str::to_owned)
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
            .max_by_key(|(_, t)| *t)
    }

    /// Every change in causal order as (rep, time ms), oldest first: the record's history.
    pub fn history(&mut self) -> Vec<(String, i64)> {
        self.doc
            .get_changes(&[])
            .iter()
            .map(|c| {
                (
                    c.message().map(str::to_owned).unwrap_or_default(),
                    c.timestamp(),
                )
            })
            .collect()
    }

    /// The document's heads, to compare replicas.
    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.doc.get_heads()
    }
}

fn check_edits(edits: &[Edit]) -> Result<(), Invalid> {
    for edit in edits {
        match edit {
            Edit::Set(Field::Source, v) => {
                if Source::from_key(v).is_none() {
                    return Err(Invalid::Choice(Field::Source, v.clone()));
                }
            }
            Edit::Set(field, value) => validate::field(*field, value)?,
            Edit::Tags(tags) => tags.iter().try_for_each(|t| validate::tag(t))?,
            Edit::Notes(text) => {
                if text.chars().count() > validate::MAX_TEXT_CHARS {
                    return Err(Invalid::TooLong(
                        Field::Preferences,
                        validate::MAX_TEXT_CHARS,
                    ));
                }
            }
            Edit::AddInteraction {
                id,
                date,
                summary,
                outcome,
                ..
            } => {
                validate::date(date)?;
                if id.is_empty() || id.len() > 64 {
                    return Err(Invalid::Id(id.clone()));
                }
                for t in [summary, outcome] {
                    if t.chars().count() > validate::MAX_TEXT_CHARS {
                        return Err(Invalid::TooLong(
                            Field::Preferences,
                            validate::MAX_TEXT_CHARS,
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn obj<D: ReadDoc>(d: &D, parent: &ObjId, key: &str) -> Result<ObjId, DocError> {
    match d.get(parent, key)? {
        Some((Value::Object(_), id)) => Ok(id),
        _ => Err(DocError::NotACustomer),
    }
}

fn as_str<'a>(v: &'a Value<'_>) -> Option<&'a str> {
    match v {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.as_str()),
            _ => None,
        },
        Value::Object(_) => None,
    }
}

fn read_interaction<D: ReadDoc>(d: &D, it: &ObjId, id: String) -> Interaction {
    let mut out = Interaction {
        id,
        channel: Channel::Visit,
        date: String::new(),
        summary: String::new(),
        outcome: String::new(),
        by: String::new(),
        at: 0,
    };
    for item in d.map_range(it, ..) {
        match (item.key.as_ref(), &item.value) {
            ("channel", ValueRef::Scalar(ScalarValueRef::Str(s))) => {
                out.channel = Channel::from_key(s).unwrap_or(Channel::Visit)
            }
            ("date", ValueRef::Scalar(ScalarValueRef::Str(s))) => out.date = s.to_string(),
            ("summary", ValueRef::Scalar(ScalarValueRef::Str(s))) => out.summary = s.to_string(),
            ("outcome", ValueRef::Scalar(ScalarValueRef::Str(s))) => out.outcome = s.to_string(),
            ("by", ValueRef::Scalar(ScalarValueRef::Str(s))) => out.by = s.to_string(),
            ("at", ValueRef::Scalar(ScalarValueRef::Timestamp(t) | ScalarValueRef::Int(t))) => {
                out.at = *t
            }
            _ => {}
        }
    }
    out
}
