//! What the Data page computes, as plain functions tested natively: an imported
//! row as record edits, the plan of an import (new records, merges into existing
//! accounts, skipped duplicates), contacts from vCards, and the rows of exports.
//!
//! # Imported values and the record's checks
//! The interop layer has already normalised and checked each row (emails, phones,
//! VAT ids, dates, lengths). Every value is checked once more against the field it
//! goes into ([`value::parse`]), so an import never writes what a form would
//! refuse; a row that fails is refused whole, with its reasons. One exception: a
//! website (or, in a vCard, a phone or email) the field's check refuses is kept as
//! an extra contact of the record (the contacts list takes any text) instead of
//! refusing the row: nothing the file said is lost, and the rep sees it there.
//!
//! # Duplicates
//! A row matches records of the book on the keys the index holds: emails and phone
//! numbers of accounts, and of people (a person's match stands for their account).
//! VAT ids are not in summaries, so a VAT id matches only earlier rows of the same
//! file, not the book (checking the book would mean opening every account).

use crate::i18n::{self, Lang};
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::index::fold;
use campo_core::interop::mapping::MAX_TAG_CHARS;
use campo_core::interop::phone::phone_digits;
use campo_core::interop::{
    CalendarItem, CalendarKind, CalendarStart, CsvTable, DuplicateKey, Duplicates, ImportRow,
    ItemStatus, RowError, RowProblem, Target, Typed, VCard, apply_mapping, find_duplicates,
};
use campo_core::record::{Edit, FieldType, Invalid, Kind, Record, value};
use campo_core::sorting;
use campo_core::summary::Summary;
use std::collections::HashMap;

/// The task type of a planned visit.
pub const VISIT: &str = "visit";

/// How long a planned visit with a start time lasts in an exported calendar.
/// Tasks record no duration; an hour is the slot reps usually book.
pub const VISIT_MINUTES: u32 = 60;

/// Where imported records come from, written on every account an import creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The imported file's name.
    pub file_name: String,
    /// The day of the import, `YYYY-MM-DD`.
    pub date: String,
}

impl Provenance {
    /// The account fields saying so: source `imported`, the file, the day.
    fn edits(&self) -> Vec<Edit> {
        // The file name goes into a one-line field; a name longer than the field
        // allows is cut rather than refusing the whole import.
        let file: String = self
            .file_name
            .chars()
            .take(value::MAX_FIELD_CHARS)
            .collect();
        vec![
            Edit::Set("source".into(), "imported".into()),
            Edit::Set("source_detail".into(), file.trim().to_owned()),
            Edit::Set("source_date".into(), self.date.clone()),
        ]
    }
}

/// The edits one imported row becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowEdits {
    /// The row's file line.
    pub line: usize,
    /// The account's edits (provenance included).
    pub account: Vec<Edit>,
    /// The contact person's edits, without the link to the account (the plan adds
    /// it once it knows which account).
    pub person: Option<Vec<Edit>>,
}

/// Field edits being collected, with the problems of the values refused.
struct Builder<'a> {
    kind: Kind,
    edits: Vec<Edit>,
    problems: Vec<RowProblem>,
    new_id: &'a mut dyn FnMut() -> String,
}

impl Builder<'_> {
    /// Sets `key` to `v` when `v` is not empty and the field's check passes;
    /// otherwise notes the problem, in the terms of the column's `target`.
    fn set(&mut self, target: Target, key: &str, v: &str) {
        if v.trim().is_empty() {
            return;
        }
        let Some(field) = self.kind.spec().field(key) else {
            return;
        };
        match value::parse(key, field.ty, v) {
            Ok(_) => self.edits.push(Edit::Set(key.to_owned(), v.to_owned())),
            Err(e) => self.problems.push(problem(target, field.ty, v, &e)),
        }
    }

    /// Like [`Builder::set`], but a value the field refuses becomes an extra
    /// contact of kind `contact_kind`.
    fn set_or_contact(&mut self, target: Target, key: &str, v: &str, contact_kind: &str) {
        let Some(field) = self.kind.spec().field(key) else {
            return;
        };
        match value::parse(key, field.ty, v) {
            _ if v.trim().is_empty() => {}
            Ok(_) => self.edits.push(Edit::Set(key.to_owned(), v.to_owned())),
            Err(e @ Invalid::TooLong(..)) => self.problems.push(problem(target, field.ty, v, &e)),
            Err(_) => self.contact(contact_kind, v),
        }
    }

    /// An extra contact (phone, mobile, email, website…) in the record's list.
    fn contact(&mut self, kind: &str, v: &str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        if v.chars().count() > value::MAX_FIELD_CHARS {
            self.problems.push(RowProblem::TooLong {
                field: Target::Notes,
                max_chars: value::MAX_FIELD_CHARS,
            });
            return;
        }
        self.edits.push(Edit::PutItem {
            coll: "contacts".into(),
            id: (self.new_id)(),
            fields: vec![("kind".into(), kind.into()), ("value".into(), v.into())],
        });
    }

    fn tags(&mut self, tags: &[String]) {
        let mut ok = Vec::new();
        for t in tags {
            match value::tag(t) {
                Ok(()) => ok.push(t.clone()),
                Err(_) => self.problems.push(RowProblem::TooLong {
                    field: Target::Tags,
                    max_chars: MAX_TAG_CHARS,
                }),
            }
        }
        if !ok.is_empty() {
            self.edits.push(Edit::Tags(ok));
        }
    }

    fn notes(&mut self, notes: &str) {
        if notes.trim().is_empty() {
            return;
        }
        if notes.chars().count() > value::MAX_TEXT_CHARS {
            self.problems.push(RowProblem::TooLong {
                field: Target::Notes,
                max_chars: value::MAX_TEXT_CHARS,
            });
        } else {
            self.edits.push(Edit::Notes(notes.to_owned()));
        }
    }
}

/// The row problem for a value a field refused. Text fields can only be too
/// long; the typed ones say what they expect.
fn problem(target: Target, ty: FieldType, v: &str, e: &Invalid) -> RowProblem {
    let value = v.to_owned();
    let max_chars = if ty == FieldType::LongText {
        value::MAX_TEXT_CHARS
    } else {
        value::MAX_FIELD_CHARS
    };
    if matches!(e, Invalid::TooLong(..)) {
        return RowProblem::TooLong {
            field: target,
            max_chars,
        };
    }
    match ty {
        FieldType::Email => RowProblem::InvalidEmail {
            field: target,
            value,
        },
        FieldType::Phone => RowProblem::InvalidPhone {
            field: target,
            value,
        },
        FieldType::VatId => RowProblem::InvalidVatId { value },
        FieldType::Date => RowProblem::InvalidDate { value },
        FieldType::Choice(_) => RowProblem::InvalidStatus { value },
        _ => RowProblem::TooLong {
            field: target,
            max_chars,
        },
    }
}

/// The edits of one imported row: the account (with `source` = imported, the
/// file and the day), its mobile as an extra contact (accounts have no mobile
/// field), and the contact person when the row has one. Refused whole, with every
/// reason, when a value does not pass its field's check.
pub fn row_edits(
    row: &ImportRow,
    provenance: &Provenance,
    new_id: &mut dyn FnMut() -> String,
) -> Result<RowEdits, RowError> {
    let a = &row.account;
    let mut b = Builder {
        kind: Kind::Account,
        edits: Vec::new(),
        problems: Vec::new(),
        new_id,
    };
    b.set(Target::Name, "name", &a.name);
    if a.name.trim().is_empty() {
        b.problems.push(RowProblem::MissingName);
    }
    b.set(Target::VatId, "vat_id", &a.vat_id);
    b.set(Target::Phone, "phone", &a.phone);
    b.set(Target::Email, "email", &a.email);
    b.set_or_contact(Target::Website, "website", &a.website, "website");
    b.set(Target::Industry, "industry", &a.industry);
    if let Some(status) = a.status {
        b.set(Target::Status, "status", status.key());
    }
    b.set(Target::Street, "street", &a.street);
    b.set(Target::City, "city", &a.city);
    b.set(Target::Postcode, "postcode", &a.postcode);
    b.set(Target::Province, "province", &a.province);
    b.set(Target::Country, "country", &a.country);
    b.tags(&a.tags);
    b.notes(&a.notes);
    b.edits.extend(provenance.edits());
    if !a.mobile.trim().is_empty() {
        b.contact("mobile", &a.mobile);
    }
    let account = std::mem::take(&mut b.edits);

    let person = row.person.as_ref().map(|p| {
        b.kind = Kind::Person;
        // A person needs a name: the file's, else what identifies them.
        let name = [&p.full_name, &p.email, &p.phone]
            .into_iter()
            .find(|v| !v.trim().is_empty())
            .unwrap_or(&a.name);
        b.set(Target::FullName, "name", name);
        b.set(Target::Role, "role", &p.role);
        b.set(Target::PersonEmail, "email", &p.email);
        b.set(Target::PersonPhone, "phone", &p.phone);
        b.set(Target::Birthday, "birthday", &p.birthday);
        std::mem::take(&mut b.edits)
    });
    if b.problems.is_empty() {
        Ok(RowEdits {
            line: row.row,
            account,
            person,
        })
    } else {
        let mut reasons = b.problems;
        sorting::sort_by_key(&mut reasons, RowProblem::field);
        reasons.dedup();
        Err(RowError {
            row: row.row,
            reasons,
        })
    }
}

/// A CSV file read with a mapping: each row's edits or why it is refused, and
/// the duplicates of the valid rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvAnalysis {
    /// One entry per row of the table, in order.
    pub rows: Vec<Result<(ImportRow, RowEdits), RowError>>,
    /// The valid rows' duplicates, in the order of the valid rows.
    pub dups: Vec<Duplicates<DocId>>,
}

impl CsvAnalysis {
    pub fn valid(&self) -> impl Iterator<Item = &(ImportRow, RowEdits)> {
        self.rows.iter().filter_map(|r| r.as_ref().ok())
    }

    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.rows.iter().filter_map(|r| r.as_ref().err())
    }

    /// How many valid rows match a record of the book or an earlier row.
    pub fn duplicates(&self) -> usize {
        self.dups.iter().filter(|d| !d.is_unique()).count()
    }
}

/// Reads every row of `table` with `mapping`: the interop checks, then the
/// record's ([`row_edits`]), then duplicates against `book` ([`book_keys`]) and
/// between the valid rows.
pub fn analyse_csv(
    table: &CsvTable,
    mapping: &[Target],
    provenance: &Provenance,
    book: Vec<(DocId, Vec<DuplicateKey>)>,
    new_id: &mut dyn FnMut() -> String,
) -> CsvAnalysis {
    let rows: Vec<Result<(ImportRow, RowEdits), RowError>> = apply_mapping(table, mapping)
        .into_iter()
        .map(|r| {
            let row = r?;
            let edits = row_edits(&row, provenance, new_id)?;
            Ok((row, edits))
        })
        .collect();
    let valid: Vec<ImportRow> = rows
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|(row, _)| row.clone()))
        .collect();
    let dups = find_duplicates(&valid, book);
    CsvAnalysis { rows, dups }
}

/// The duplicate keys of the book's live records, by the account they stand for:
/// an account's own email and phone, and those of its people. VAT ids are not in
/// summaries (see the module docs).
pub fn book_keys<'a>(
    summaries: impl IntoIterator<Item = &'a Summary>,
) -> Vec<(DocId, Vec<DuplicateKey>)> {
    summaries
        .into_iter()
        .filter(|s| !s.deleted)
        .filter_map(|s| {
            let id = match s.kind {
                Kind::Account => s.id,
                Kind::Person => s.account?,
                _ => return None,
            };
            let mut keys = Vec::new();
            let email = s.email.trim().to_lowercase();
            if !email.is_empty() {
                keys.push(DuplicateKey::Email(email));
            }
            let digits = phone_digits(&s.phone);
            if !digits.is_empty() {
                keys.push(DuplicateKey::Phone(digits));
            }
            (!keys.is_empty()).then_some((id, keys))
        })
        .collect()
}

/// What to do with a row that matches a record of the book or an earlier row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Choice {
    /// Fill the matched account's empty fields from the row (and add the row's
    /// person to it when that person is not there yet).
    Merge,
    /// Leave the row out.
    Skip,
    /// Import it as a separate account all the same.
    New,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Merge, Choice::Skip, Choice::New];

    pub fn key(self) -> &'static str {
        match self {
            Choice::Merge => "merge",
            Choice::Skip => "skip",
            Choice::New => "new",
        }
    }

    pub fn from_key(key: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// One write of an import, before it becomes a storage operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    Create {
        id: DocId,
        kind: Kind,
        edits: Vec<Edit>,
    },
    /// Fill the stored account's empty fields with these edits ([`merge_edits`]).
    Merge { id: DocId, edits: Vec<Edit> },
}

/// What an import will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub ops: Vec<Planned>,
    pub new_accounts: usize,
    pub new_people: usize,
    /// Rows merged into an account of the book or of an earlier row.
    pub merged_rows: usize,
    pub skipped_rows: usize,
}

/// Where a row's account went.
#[derive(Clone, Copy)]
enum Home {
    /// Created by this import: the op's position in the plan.
    New { op: usize, id: DocId },
    /// An account of the book.
    Book(DocId),
}

impl Home {
    fn id(self) -> DocId {
        match self {
            Home::New { id, .. } | Home::Book(id) => id,
        }
    }
}

/// Plans an import. `rows` and `dups` are aligned (`dups` from
/// [`campo_core::interop::find_duplicates`] over the same rows). A row without
/// matches becomes a new account (and person); a row with matches follows its
/// choice: merged into the first matching account of the book, else into the
/// account of the earliest matching row (a second contact at the same company
/// becomes a second person there), skipped, or imported as new. A row merging
/// into a row that was itself skipped is skipped too. `book_people(account)`
/// lists the names and emails of the people an account of the book has, so a
/// merged row does not add a person who is already there.
pub fn plan_import(
    rows: &[RowEdits],
    dups: &[Duplicates<DocId>],
    choice: &dyn Fn(usize) -> Choice,
    book_people: &dyn Fn(DocId) -> Vec<(String, String)>,
    new_id: &mut dyn FnMut() -> DocId,
) -> Plan {
    let mut plan = Plan::default();
    let mut homes: HashMap<usize, Option<Home>> = HashMap::new();
    // People planned or known per account, as (folded name, email).
    let mut people: HashMap<DocId, Vec<(String, String)>> = HashMap::new();

    for (row, dup) in rows.iter().zip(dups) {
        let matched = !dup.existing.is_empty() || !dup.earlier_rows.is_empty();
        let choice = if matched {
            choice(row.line)
        } else {
            Choice::New
        };
        let home = match choice {
            Choice::Skip => None,
            Choice::New => {
                let id = new_id();
                plan.ops.push(Planned::Create {
                    id,
                    kind: Kind::Account,
                    edits: row.account.clone(),
                });
                plan.new_accounts += 1;
                Some(Home::New {
                    op: plan.ops.len() - 1,
                    id,
                })
            }
            Choice::Merge => {
                let target = match dup.existing.first() {
                    Some(m) => Some(Home::Book(m.with)),
                    None => dup
                        .earlier_rows
                        .iter()
                        .find_map(|m| homes.get(&m.with))
                        .copied()
                        .flatten(),
                };
                match target {
                    Some(Home::Book(id)) => {
                        plan.ops.push(Planned::Merge {
                            id,
                            edits: row.account.clone(),
                        });
                        people
                            .entry(id)
                            .or_insert_with(|| person_keys(book_people(id)));
                    }
                    Some(Home::New { op, .. }) => {
                        if let Planned::Create { edits, .. } = &mut plan.ops[op] {
                            let more = fill_edits(edits, &row.account);
                            edits.extend(more);
                        }
                    }
                    None => {}
                }
                target
            }
        };
        homes.insert(row.line, home);
        let Some(home) = home else {
            plan.skipped_rows += 1;
            continue;
        };
        if choice == Choice::Merge {
            plan.merged_rows += 1;
        }
        let Some(person) = &row.person else { continue };
        let known = people.entry(home.id()).or_default();
        let key = person_key(person);
        if known.iter().any(|k| same_person(k, &key)) {
            continue;
        }
        known.push(key);
        let mut edits = person.clone();
        edits.push(Edit::Set("account".into(), home.id().to_hex()));
        plan.ops.push(Planned::Create {
            id: new_id(),
            kind: Kind::Person,
            edits,
        });
        plan.new_people += 1;
    }
    plan
}

fn person_keys(people: Vec<(String, String)>) -> Vec<(String, String)> {
    people
        .into_iter()
        .map(|(name, email)| (fold(name.trim()), email.trim().to_lowercase()))
        .collect()
}

/// A planned person's (folded name, email).
fn person_key(edits: &[Edit]) -> (String, String) {
    let get = |key: &str| {
        edits.iter().find_map(|e| match e {
            Edit::Set(k, v) if k == key => Some(v.trim().to_owned()),
            _ => None,
        })
    };
    (
        fold(&get("name").unwrap_or_default()),
        get("email").unwrap_or_default().to_lowercase(),
    )
}

fn same_person(a: &(String, String), b: &(String, String)) -> bool {
    (!a.0.is_empty() && a.0 == b.0) || (!a.1.is_empty() && a.1 == b.1)
}

/// Fields that say where a record came from: a merge never rewrites them (the
/// account was not created by this import), nor the name it is known by.
const KEPT_ON_MERGE: &[&str] = &["name", "source", "source_detail", "source_date"];

/// The edits that fill an account from a row, given what it holds: each field
/// that is empty, the row's tags added to its tags, the notes when it has none,
/// and contacts it does not list yet. What the account holds is never replaced.
pub fn merge_edits(existing: &Record, row: &[Edit]) -> Vec<Edit> {
    let contacts: Vec<String> = existing
        .items("contacts")
        .map(|i| fold(i.text("value").trim()))
        .collect();
    let mut out = Vec::new();
    for edit in row {
        match edit {
            Edit::Set(k, _)
                if !KEPT_ON_MERGE.contains(&k.as_str()) && existing.get(k).is_empty() =>
            {
                out.push(edit.clone());
            }
            Edit::Tags(tags) => {
                let mut all = existing.tags.clone();
                let before = all.len();
                all.extend(tags.iter().filter(|t| !existing.tags.contains(t)).cloned());
                if all.len() > before {
                    out.push(Edit::Tags(all));
                }
            }
            Edit::Notes(n) if existing.notes.trim().is_empty() => out.push(Edit::Notes(n.clone())),
            Edit::PutItem { coll, fields, .. } if coll == "contacts" => {
                let value = fields
                    .iter()
                    .find(|(k, _)| k == "value")
                    .map(|(_, v)| fold(v.trim()))
                    .unwrap_or_default();
                if !contacts.contains(&value) {
                    out.push(edit.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// [`merge_edits`] between two rows of one file, before either is stored: the
/// later row's edits that fill what the earlier one left empty.
fn fill_edits(earlier: &[Edit], later: &[Edit]) -> Vec<Edit> {
    let mut record = Record::default();
    let mut tags = Vec::new();
    for e in earlier {
        match e {
            Edit::Set(k, v) => {
                if let Some(f) = Kind::Account.spec().field(k) {
                    record
                        .fields
                        .insert(f.key, campo_core::record::Val::Str(v.clone()));
                }
            }
            Edit::Tags(t) => tags.extend(t.iter().cloned()),
            Edit::Notes(n) => record.notes = n.clone(),
            _ => {}
        }
    }
    record.tags = tags;
    let contacts: Vec<String> = earlier
        .iter()
        .filter_map(|e| match e {
            Edit::PutItem { coll, fields, .. } if coll == "contacts" => fields
                .iter()
                .find(|(k, _)| k == "value")
                .map(|(_, v)| fold(v.trim())),
            _ => None,
        })
        .collect();
    merge_edits(&record, later)
        .into_iter()
        .filter(|e| match e {
            Edit::PutItem { fields, .. } => !fields
                .iter()
                .any(|(k, v)| k == "value" && contacts.contains(&fold(v.trim()))),
            _ => true,
        })
        .collect()
}

/// A contact read from a vCard: the person's edits, and the organisation they
/// work for (an account to find or create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardEdits {
    /// `None` for a card of an organisation alone (no person's name on it).
    pub person: Option<Vec<Edit>>,
    /// The organisation's name and the account's edits if it must be created.
    pub org: Option<(String, Vec<Edit>)>,
}

/// A card's phones, emails and website, into the fields of a person or an
/// account, the rest into extra contacts. Phones typed `cell` go to a person's
/// mobile (an account's extra contacts), others to the phone field, the first
/// of each.
fn card_contacts(b: &mut Builder<'_>, card: &VCard, with_url: bool) {
    let person = b.kind == Kind::Person;
    let is_cell = |t: &Typed| t.kinds.iter().any(|k| k == "cell");
    let phone = card.phones.iter().position(|t| !is_cell(t));
    let mobile = card.phones.iter().position(is_cell);
    for (i, p) in card.phones.iter().enumerate() {
        if Some(i) == phone {
            b.set_or_contact(Target::PersonPhone, "phone", &p.value, "phone");
        } else if Some(i) == mobile && person {
            b.set_or_contact(Target::PersonPhone, "mobile", &p.value, "mobile");
        } else {
            b.contact(if is_cell(p) { "mobile" } else { "phone" }, &p.value);
        }
    }
    for (i, e) in card.emails.iter().enumerate() {
        if i == 0 {
            b.set_or_contact(
                Target::PersonEmail,
                "email",
                &e.value.to_lowercase(),
                "email",
            );
        } else {
            b.contact("email", &e.value);
        }
    }
    if with_url && !card.url.is_empty() {
        if person {
            b.contact("website", &card.url);
        } else {
            b.set_or_contact(Target::Website, "website", &card.url, "website");
        }
    }
}

/// A vCard as record edits. The person gets the name, role, phones, emails,
/// birthday, categories as tags and the note; the organisation becomes an
/// account (the address and website, provenance). A card that names only an
/// organisation (as phones save a company) is that account alone, with the
/// phones and emails. What a record has no field for goes into the notes, a line
/// each, written by `label`: a birthday without a year (the birthday field needs
/// one), the address of a person without an organisation, and categories that
/// cannot be tags.
pub fn card_edits(
    card: &VCard,
    provenance: &Provenance,
    label: &dyn Fn(&str, &str) -> String,
    new_id: &mut dyn FnMut() -> String,
) -> Result<CardEdits, Vec<RowProblem>> {
    let org = card.org.trim();
    let org_only = !org.is_empty()
        && card.given.trim().is_empty()
        && card.family.trim().is_empty()
        && fold(card.full_name.trim()) == fold(org);
    let mut b = Builder {
        kind: if org_only {
            Kind::Account
        } else {
            Kind::Person
        },
        edits: Vec::new(),
        problems: Vec::new(),
        new_id,
    };
    let mut notes: Vec<String> = Vec::new();
    if !card.note.trim().is_empty() {
        notes.push(card.note.trim().to_owned());
    }
    let mut tags = Vec::new();
    for c in &card.categories {
        if value::tag(c.trim()).is_ok() {
            tags.push(c.trim().to_owned());
        } else if !c.trim().is_empty() {
            notes.push(c.trim().to_owned());
        }
    }
    let address = card.addresses.first();
    let set_address = |b: &mut Builder<'_>| {
        if let Some(a) = address {
            b.set(Target::Street, "street", &a.street.replace('\n', ", "));
            b.set(Target::City, "city", &a.city);
            b.set(Target::Postcode, "postcode", &a.postcode);
            b.set(Target::Province, "province", &a.region);
            b.set(Target::Country, "country", &a.country);
        }
    };

    if org_only {
        b.set(Target::Name, "name", org);
        card_contacts(&mut b, card, true);
        set_address(&mut b);
        if !tags.is_empty() {
            b.edits.push(Edit::Tags(tags));
        }
        b.notes(&notes.join("\n"));
        b.edits.extend(provenance.edits());
        let account = std::mem::take(&mut b.edits);
        return finish(
            b.problems,
            CardEdits {
                person: None,
                org: Some((org.to_owned(), account)),
            },
        );
    }

    b.set(Target::FullName, "name", &card.full_name);
    let role = if card.title.is_empty() {
        &card.role
    } else {
        &card.title
    };
    b.set(Target::Role, "role", role);
    card_contacts(&mut b, card, org.is_empty());
    match card.birthday.as_deref() {
        Some(d) if d.starts_with("--") => notes.push(label("birthday", d)),
        Some(d) => b.set(Target::Birthday, "birthday", d),
        None => {}
    }
    if org.is_empty()
        && let Some(a) = address
    {
        let text = [&a.street, &a.postcode, &a.city, &a.region, &a.country]
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().replace('\n', ", "))
            .collect::<Vec<_>>()
            .join(", ");
        if !text.is_empty() {
            notes.push(label("address", &text));
        }
    }
    if !tags.is_empty() {
        b.edits.push(Edit::Tags(tags));
    }
    b.notes(&notes.join("\n"));
    let person = std::mem::take(&mut b.edits);
    let org = (!org.is_empty()).then(|| {
        b.kind = Kind::Account;
        b.set(Target::Name, "name", org);
        if !card.url.is_empty() {
            b.set_or_contact(Target::Website, "website", &card.url, "website");
        }
        set_address(&mut b);
        b.edits.extend(provenance.edits());
        (org.to_owned(), std::mem::take(&mut b.edits))
    });
    finish(
        b.problems,
        CardEdits {
            person: Some(person),
            org,
        },
    )
}

fn finish(mut problems: Vec<RowProblem>, edits: CardEdits) -> Result<CardEdits, Vec<RowProblem>> {
    if problems.is_empty() {
        Ok(edits)
    } else {
        sorting::sort_by_key(&mut problems, RowProblem::field);
        problems.dedup();
        Err(problems)
    }
}

/// Plans a vCard import: a person per card, linked to the account of its
/// organisation — an account of the book with that name (case and accents aside),
/// or one created for the first card that names it. A card of an organisation
/// alone becomes that account, unless the book or an earlier card has it
/// already (then it is skipped). `book_accounts` maps folded names to live
/// accounts.
pub fn plan_cards(
    cards: &[CardEdits],
    book_accounts: &HashMap<String, DocId>,
    new_id: &mut dyn FnMut() -> DocId,
) -> Plan {
    let mut plan = Plan::default();
    let mut created: HashMap<String, DocId> = HashMap::new();
    for card in cards {
        let account = card.org.as_ref().map(|(name, edits)| {
            let key = fold(name.trim());
            match book_accounts.get(&key).or_else(|| created.get(&key)) {
                Some(id) => (*id, false),
                None => {
                    let id = new_id();
                    plan.ops.push(Planned::Create {
                        id,
                        kind: Kind::Account,
                        edits: edits.clone(),
                    });
                    plan.new_accounts += 1;
                    created.insert(key, id);
                    (id, true)
                }
            }
        });
        let Some(person) = &card.person else {
            if account.is_some_and(|(_, new)| !new) {
                plan.skipped_rows += 1;
            }
            continue;
        };
        let mut person = person.clone();
        if let Some((id, _)) = account {
            person.push(Edit::Set("account".into(), id.to_hex()));
        }
        plan.ops.push(Planned::Create {
            id: new_id(),
            kind: Kind::Person,
            edits: person,
        });
        plan.new_people += 1;
    }
    plan
}

/// A person as a vCard: name, role, account (as the organisation), phones,
/// emails, birthday, tags, notes, and their extra contacts.
pub fn person_card(r: &Record, account: &str) -> VCard {
    let typed = |kinds: &[&str], value: &str| Typed {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        value: value.to_owned(),
    };
    let mut card = VCard {
        full_name: r.text("name").to_owned(),
        org: account.to_owned(),
        title: r.text("role").to_owned(),
        birthday: (!r.text("birthday").is_empty()).then(|| r.text("birthday").to_owned()),
        note: r.notes.clone(),
        categories: r.tags.clone(),
        ..VCard::default()
    };
    if !r.text("phone").is_empty() {
        card.phones.push(typed(&["voice", "work"], r.text("phone")));
    }
    if !r.text("mobile").is_empty() {
        card.phones.push(typed(&["cell"], r.text("mobile")));
    }
    if !r.text("email").is_empty() {
        card.emails.push(typed(&["work"], r.text("email")));
    }
    for c in r.items("contacts") {
        let v = c.text("value");
        match c.text("kind") {
            "phone" => card.phones.push(typed(&["voice"], v)),
            "mobile" => card.phones.push(typed(&["cell"], v)),
            "fax" => card.phones.push(typed(&["fax"], v)),
            "email" => card.emails.push(typed(&[], v)),
            "website" if card.url.is_empty() => card.url = v.to_owned(),
            _ => {}
        }
    }
    card
}

/// How an export turns one summary into a row.
type RowFn<'a> = Box<dyn Fn(&Summary) -> Vec<String> + 'a>;

/// A list's rows as a table to export: the columns the list shows, in the UI's
/// language. Dates are `YYYY-MM-DD` (every spreadsheet reads them); amounts are
/// plain numbers with a decimal comma when `decimal_comma` (Excel in Italy) and a
/// point otherwise. `account` gives an account's name by id.
pub fn list_export(
    lang: Lang,
    kind: Kind,
    items: &[&Summary],
    account: &dyn Fn(DocId) -> String,
    decimal_comma: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    use crate::i18n::data::{DataMsg, t};
    let label = |key: &str| i18n::field_label(lang, kind, key).to_owned();
    let money = |cents: i64| {
        let s = value::format_cents(cents);
        if decimal_comma {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
    let account_of = |s: &Summary| s.account.map(account).unwrap_or_default();
    let yes_no = |b: bool| t(lang, if b { DataMsg::Yes } else { DataMsg::No }).to_owned();
    let tags = |s: &Summary| s.tags.join(", ");
    let (headers, row): (Vec<String>, RowFn<'_>) = match kind {
        Kind::Account => (
            vec![
                label("name"),
                label("status"),
                label("city"),
                label("phone"),
                label("email"),
                label("owner"),
                t(lang, DataMsg::LastContact).to_owned(),
                label("tags"),
            ],
            Box::new(move |s| {
                vec![
                    s.title.clone(),
                    i18n::choice_label(lang, "status", &s.status).to_owned(),
                    s.city.clone(),
                    s.phone.clone(),
                    s.email.clone(),
                    s.owner.clone(),
                    day(s.last_contact),
                    tags(s),
                ]
            }),
        ),
        Kind::Person => (
            vec![
                label("name"),
                label("role"),
                label("account"),
                label("phone"),
                label("email"),
                t(lang, DataMsg::LastContact).to_owned(),
                label("tags"),
            ],
            Box::new(move |s| {
                vec![
                    s.title.clone(),
                    s.subtitle.clone(),
                    account_of(s),
                    s.phone.clone(),
                    s.email.clone(),
                    day(s.last_contact),
                    tags(s),
                ]
            }),
        ),
        Kind::Deal => (
            vec![
                label("title"),
                label("stage"),
                label("value"),
                label("account"),
                label("owner"),
                label("expected_close"),
            ],
            Box::new(move |s| {
                vec![
                    s.title.clone(),
                    i18n::choice_label(lang, "stage", &s.status).to_owned(),
                    money(s.amount),
                    account_of(s),
                    s.owner.clone(),
                    day(s.due),
                ]
            }),
        ),
        Kind::Task => (
            vec![
                label("title"),
                label("type"),
                label("due"),
                label("time"),
                label("assignee"),
                label("account"),
                label("done"),
            ],
            Box::new(move |s| {
                vec![
                    s.title.clone(),
                    i18n::choice_label(lang, "type", &s.status).to_owned(),
                    day(s.due),
                    s.subtitle.clone(),
                    s.owner.clone(),
                    account_of(s),
                    yes_no(s.done),
                ]
            }),
        ),
        Kind::Product | Kind::Team => (
            vec![
                label("code"),
                label("name"),
                label("category"),
                label("unit_price"),
                label("discontinued"),
            ],
            Box::new(move |s| {
                vec![
                    s.subtitle.clone(),
                    s.title.clone(),
                    s.status.clone(),
                    money(s.amount),
                    yes_no(s.done),
                ]
            }),
        ),
    };
    let rows = items.iter().map(|s| row(s)).collect();
    (headers, rows)
}

/// Open tasks with a due day, as calendar items: visits as events, the others as
/// to-dos. `account` gives a linked account's name and city (the item's
/// description and location); `at` turns a day and an `HH:MM` time in the
/// device's time zone into milliseconds since the epoch. Tasks without a due day
/// have no place in a calendar and are left out.
pub fn calendar_items(
    tasks: &[&Summary],
    account: &dyn Fn(DocId) -> Option<(String, String)>,
    at: &dyn Fn(Day, &str) -> Option<i64>,
) -> Vec<CalendarItem> {
    tasks
        .iter()
        .filter(|s| s.kind == Kind::Task && !s.done && !s.deleted)
        .filter_map(|s| {
            let due = s.due?;
            let visit = s.status == VISIT;
            let (name, city) = s.account.and_then(account).unwrap_or_default();
            let start = match at(due, &s.subtitle) {
                Some(ms) if !s.subtitle.is_empty() => CalendarStart::At(ms),
                _ => CalendarStart::AllDay(due),
            };
            Some(CalendarItem {
                uid: format!("{}@campo", s.id),
                kind: if visit {
                    CalendarKind::Visit
                } else {
                    CalendarKind::Task
                },
                summary: s.title.clone(),
                description: name,
                start,
                duration_minutes: visit.then_some(VISIT_MINUTES),
                location: city,
                status: ItemStatus::Open,
            })
        })
        .collect()
}

/// A file name for a download: `campo-<what>-<YYYY-MM-DD>.<ext>`, with
/// `what` reduced to letters, digits and dashes.
pub fn file_name(what: &str, date: &str, ext: &str) -> String {
    let slug: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("campo-{slug}-{date}.{ext}")
}

/// A name without its extension (`clienti.csv` → `clienti`).
pub fn stem(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// The value a preview shows for a target of an imported row.
pub fn target_value(row: &ImportRow, t: Target) -> String {
    let a = &row.account;
    let p = row.person.as_ref();
    let pf = |f: fn(&campo_core::interop::PersonFields) -> &String| {
        p.map(|p| f(p).clone()).unwrap_or_default()
    };
    match t {
        Target::Name => a.name.clone(),
        Target::VatId => a.vat_id.clone(),
        Target::Phone => a.phone.clone(),
        Target::Mobile => a.mobile.clone(),
        Target::Email => a.email.clone(),
        Target::Website => a.website.clone(),
        Target::Street => a.street.clone(),
        Target::City => a.city.clone(),
        Target::Postcode => a.postcode.clone(),
        Target::Province => a.province.clone(),
        Target::Country => a.country.clone(),
        Target::Industry => a.industry.clone(),
        Target::Tags => a.tags.join(", "),
        Target::Notes => a.notes.clone(),
        Target::Status => a.status.map(|s| s.key().to_owned()).unwrap_or_default(),
        Target::FirstName => pf(|p| &p.first_name),
        Target::LastName => pf(|p| &p.last_name),
        Target::FullName => pf(|p| &p.full_name),
        Target::Role => pf(|p| &p.role),
        Target::PersonEmail => pf(|p| &p.email),
        Target::PersonPhone => pf(|p| &p.phone),
        Target::Birthday => pf(|p| &p.birthday),
        Target::Ignore => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::interop::{AccountFields, PersonFields, parse_csv, suggest_mapping};
    use campo_core::record::{RecordDoc, Stamp};
    use campo_core::summary::Facts;
    use campo_core::vocab::AccountStatus;

    fn provenance() -> Provenance {
        Provenance {
            file_name: "clienti.csv".into(),
            date: "2026-03-05".into(),
        }
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("c{n}")
        }
    }

    fn doc_ids() -> impl FnMut() -> DocId {
        let mut n = 0u8;
        move || {
            n += 1;
            DocId([n; 16])
        }
    }

    fn row(line: usize, name: &str, email: &str, phone: &str) -> ImportRow {
        ImportRow {
            row: line,
            account: AccountFields {
                name: name.into(),
                email: email.into(),
                phone: phone.into(),
                ..AccountFields::default()
            },
            person: None,
        }
    }

    fn set(k: &str, v: &str) -> Edit {
        Edit::Set(k.into(), v.into())
    }

    #[test]
    fn a_row_becomes_account_and_person_edits_with_provenance() {
        let r = ImportRow {
            row: 2,
            account: AccountFields {
                name: "Caffè Però S.r.l.".into(),
                vat_id: "01234567897".into(),
                phone: "0543 123456".into(),
                mobile: "333 1234567".into(),
                email: "info@caffepero.it".into(),
                website: "www.caffepero.it".into(),
                city: "Forlì".into(),
                postcode: "47121".into(),
                tags: vec!["horeca".into(), "vip".into()],
                notes: "Chiuso il lunedì".into(),
                status: Some(AccountStatus::Active),
                ..AccountFields::default()
            },
            person: Some(PersonFields {
                full_name: "Anna Rossi".into(),
                role: "Titolare".into(),
                email: "anna@caffepero.it".into(),
                birthday: "1980-03-15".into(),
                ..PersonFields::default()
            }),
        };
        let e = row_edits(&r, &provenance(), &mut ids()).unwrap();
        assert_eq!(e.line, 2);
        assert_eq!(
            e.account,
            vec![
                set("name", "Caffè Però S.r.l."),
                set("vat_id", "01234567897"),
                set("phone", "0543 123456"),
                set("email", "info@caffepero.it"),
                set("website", "www.caffepero.it"),
                set("status", "active"),
                set("city", "Forlì"),
                set("postcode", "47121"),
                Edit::Tags(vec!["horeca".into(), "vip".into()]),
                Edit::Notes("Chiuso il lunedì".into()),
                set("source", "imported"),
                set("source_detail", "clienti.csv"),
                set("source_date", "2026-03-05"),
                Edit::PutItem {
                    coll: "contacts".into(),
                    id: "c1".into(),
                    fields: vec![
                        ("kind".into(), "mobile".into()),
                        ("value".into(), "333 1234567".into())
                    ],
                },
            ]
        );
        assert_eq!(
            e.person.unwrap(),
            vec![
                set("name", "Anna Rossi"),
                set("role", "Titolare"),
                set("email", "anna@caffepero.it"),
                set("birthday", "1980-03-15"),
            ]
        );
        // Every edit is one the record accepts.
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1,
        };
        let (mut doc, _) =
            RecordDoc::create(Kind::Account, DocId([1; 16]), &stamp, &e.account).unwrap();
        let rec = doc.read();
        assert_eq!(rec.text("source"), "imported");
        assert_eq!(rec.items("contacts").count(), 1);
    }

    #[test]
    fn values_the_record_refuses_refuse_the_row_or_become_contacts() {
        let mut r = row(7, "Bar", "", "");
        r.account.website = "not a site".into();
        r.person = Some(PersonFields {
            full_name: "Anna".into(),
            birthday: "--03-15".into(),
            ..PersonFields::default()
        });
        let err = row_edits(&r, &provenance(), &mut ids()).unwrap_err();
        assert_eq!(err.row, 7);
        assert_eq!(
            err.reasons,
            [RowProblem::InvalidDate {
                value: "--03-15".into()
            }]
        );

        r.person = None;
        let e = row_edits(&r, &provenance(), &mut ids()).unwrap();
        assert!(
            e.account
                .iter()
                .any(|x| matches!(x, Edit::PutItem { fields, .. }
            if fields[0].1 == "website" && fields[1].1 == "not a site"))
        );
        assert!(
            !e.account
                .iter()
                .any(|x| matches!(x, Edit::Set(k, _) if k == "website"))
        );

        let long = "x".repeat(300);
        let p = Provenance {
            file_name: long,
            date: "2026-03-05".into(),
        };
        let e = row_edits(&row(2, "Bar", "", ""), &p, &mut ids()).unwrap();
        assert!(
            e.account
                .iter()
                .any(|x| matches!(x, Edit::Set(k, v) if k == "source_detail" && v.len() == 200))
        );
    }

    fn summary(id: u8, kind: Kind, email: &str, phone: &str, account: Option<DocId>) -> Summary {
        Summary {
            id: DocId([id; 16]),
            kind,
            title: format!("r{id}"),
            subtitle: String::new(),
            account,
            owner: String::new(),
            status: String::new(),
            city: String::new(),
            phone: phone.into(),
            email: email.into(),
            tags: vec![],
            notes: String::new(),
            last_contact: None,
            due: None,
            done: false,
            amount: 0,
            interactions: 0,
            conflicts: 0,
            deleted: false,
            updated_by: String::new(),
            updated_at: 0,
            custom: vec![],
            facts: Facts::None.into(),
        }
    }

    #[test]
    fn the_books_keys_stand_for_accounts() {
        let acct = summary(1, Kind::Account, "Info@Bar.it", "+39 02 123456", None);
        let person = summary(2, Kind::Person, "anna@bar.it", "", Some(DocId([1; 16])));
        let loose = summary(3, Kind::Person, "solo@x.it", "", None);
        let mut gone = summary(4, Kind::Account, "gone@x.it", "", None);
        gone.deleted = true;
        let keys = book_keys([&acct, &person, &loose, &gone]);
        assert_eq!(
            keys,
            vec![
                (
                    DocId([1; 16]),
                    vec![
                        DuplicateKey::Email("info@bar.it".into()),
                        DuplicateKey::Phone("02123456".into())
                    ]
                ),
                (
                    DocId([1; 16]),
                    vec![DuplicateKey::Email("anna@bar.it".into())]
                ),
            ]
        );
    }

    #[test]
    fn the_plan_creates_merges_skips_and_links_people() {
        let book = DocId([0xbb; 16]);
        let mut rows = vec![
            row(2, "Bar Roma", "info@barroma.it", ""),
            row(3, "Bar Roma srl", "", "02 123456"),
            row(4, "Trattoria", "t@x.it", ""),
            row(5, "Trattoria (copia)", "t@x.it", ""),
            row(6, "Pizzeria", "p@x.it", ""),
        ];
        rows[0].person = Some(PersonFields {
            full_name: "Anna".into(),
            ..Default::default()
        });
        rows[3].person = Some(PersonFields {
            full_name: "Bruno".into(),
            ..Default::default()
        });
        rows[4].person = Some(PersonFields {
            full_name: "Carla".into(),
            ..Default::default()
        });
        let edits: Vec<RowEdits> = rows
            .iter()
            .map(|r| row_edits(r, &provenance(), &mut ids()).unwrap())
            .collect();
        let existing = vec![
            (book, vec![DuplicateKey::Phone("02123456".into())]),
            (
                DocId([0xcc; 16]),
                vec![DuplicateKey::Email("p@x.it".into())],
            ),
        ];
        let dups = find_duplicates(&rows, existing);
        let choice = |line: usize| {
            if line == 6 {
                Choice::Skip
            } else {
                Choice::Merge
            }
        };
        let people = |id: DocId| {
            if id == book {
                vec![("ANNA".to_owned(), String::new())]
            } else {
                vec![]
            }
        };
        let plan = plan_import(&edits, &dups, &choice, &people, &mut doc_ids());

        assert_eq!(
            (
                plan.new_accounts,
                plan.new_people,
                plan.merged_rows,
                plan.skipped_rows
            ),
            (2, 2, 2, 1)
        );
        // Row 2: a new account and Anna in it.
        let Planned::Create {
            id: bar,
            kind: Kind::Account,
            ..
        } = &plan.ops[0]
        else {
            panic!("{:?}", plan.ops[0])
        };
        assert!(
            matches!(&plan.ops[1], Planned::Create { kind: Kind::Person, edits, .. }
            if edits.contains(&set("account", &bar.to_hex())))
        );
        // Row 3 merges into the book's account (its phone matched).
        assert!(matches!(&plan.ops[2], Planned::Merge { id, .. } if *id == book));
        // Row 4 is new; row 5 (same email) fills it and adds Bruno to it.
        let Planned::Create {
            id: trattoria,
            edits,
            ..
        } = &plan.ops[3]
        else {
            panic!()
        };
        assert_eq!(
            edits
                .iter()
                .filter(|e| matches!(e, Edit::Set(k, _) if k == "name"))
                .count(),
            1
        );
        assert!(
            matches!(&plan.ops[4], Planned::Create { kind: Kind::Person, edits, .. }
            if edits.contains(&set("name", "Bruno")) && edits.contains(&set("account", &trattoria.to_hex())))
        );
        // Row 6 is skipped with its person.
        assert_eq!(plan.ops.len(), 5);
    }

    #[test]
    fn a_merged_person_already_there_is_not_added_again() {
        let book = DocId([0xbb; 16]);
        let mut r = row(2, "Bar", "info@bar.it", "");
        r.person = Some(PersonFields {
            full_name: "Anna Rossi".into(),
            ..Default::default()
        });
        let edits = vec![row_edits(&r, &provenance(), &mut ids()).unwrap()];
        let dups = find_duplicates(
            &[r],
            vec![(book, vec![DuplicateKey::Email("info@bar.it".into())])],
        );
        let people = |_| vec![("anna rossi".to_owned(), String::new())];
        let plan = plan_import(&edits, &dups, &|_| Choice::Merge, &people, &mut doc_ids());
        assert_eq!(plan.ops.len(), 1);
        assert_eq!(plan.new_people, 0);
        let plan = plan_import(&edits, &dups, &|_| Choice::New, &people, &mut doc_ids());
        assert_eq!((plan.new_accounts, plan.new_people), (1, 1));
    }

    #[test]
    fn merging_fills_only_what_is_empty() {
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1,
        };
        let (mut doc, _) = RecordDoc::create(
            Kind::Account,
            DocId([1; 16]),
            &stamp,
            &[
                set("name", "Bar Roma"),
                set("phone", "02 123456"),
                set("source", "own"),
                Edit::Tags(vec!["vip".into()]),
                Edit::Notes("Chiuso il lunedì".into()),
            ],
        )
        .unwrap();
        let existing = doc.read();
        let row = vec![
            set("name", "BAR ROMA SRL"),
            set("phone", "02 999999"),
            set("email", "info@barroma.it"),
            set("city", "Milano"),
            Edit::Tags(vec!["horeca".into(), "vip".into()]),
            Edit::Notes("Altro".into()),
            set("source", "imported"),
            set("source_detail", "x.csv"),
            Edit::PutItem {
                coll: "contacts".into(),
                id: "m".into(),
                fields: vec![
                    ("kind".into(), "mobile".into()),
                    ("value".into(), "333 1".into()),
                ],
            },
        ];
        let edits = merge_edits(&existing, &row);
        assert_eq!(
            edits,
            vec![
                set("email", "info@barroma.it"),
                set("city", "Milano"),
                Edit::Tags(vec!["vip".into(), "horeca".into()]),
                row[8].clone(),
            ]
        );
        doc.edit(&stamp, &edits).unwrap();
        let after = doc.read();
        // The contact is there now: merging the same row again changes nothing.
        assert!(merge_edits(&after, &row).is_empty());
    }

    #[test]
    fn the_excel_italy_fixture_plans_three_accounts() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/fixtures/import/excel-italia.csv"
        ))
        .unwrap();
        let table = parse_csv(&bytes).unwrap();
        let mapping = suggest_mapping(&table.headers);
        // The book holds the first row's phone already.
        let book = vec![(
            DocId([0xbb; 16]),
            vec![DuplicateKey::Phone("0543123456".into())],
        )];
        let a = analyse_csv(&table, &mapping, &provenance(), book, &mut ids());
        assert_eq!(a.rows.len(), 3);
        assert_eq!(a.errors().count(), 0);
        assert_eq!(a.duplicates(), 1);
        let edits: Vec<RowEdits> = a.valid().map(|(_, e)| e.clone()).collect();
        let plan = plan_import(
            &edits,
            &a.dups,
            &|_| Choice::New,
            &|_| vec![],
            &mut doc_ids(),
        );
        assert_eq!((plan.new_accounts, plan.new_people), (3, 0));
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1,
        };
        for op in &plan.ops {
            let Planned::Create { id, kind, edits } = op else {
                panic!()
            };
            RecordDoc::create(*kind, *id, &stamp, edits).unwrap();
        }
    }

    #[test]
    fn vcards_become_people_in_accounts_found_or_created() {
        let card = |name: &str, org: &str| VCard {
            full_name: name.into(),
            org: org.into(),
            phones: vec![
                Typed {
                    kinds: vec!["cell".into()],
                    value: "+39 333 1234567".into(),
                },
                Typed {
                    kinds: vec!["work".into()],
                    value: "02 123456".into(),
                },
                Typed {
                    kinds: vec!["home".into()],
                    value: "tel:+39021".into(),
                },
            ],
            emails: vec![Typed {
                kinds: vec![],
                value: "Anna@Bar.it".into(),
            }],
            birthday: Some("--03-15".into()),
            ..VCard::default()
        };
        let label = |what: &str, v: &str| format!("{what}: {v}");
        let a = card_edits(&card("Anna", "Bar Roma"), &provenance(), &label, &mut ids()).unwrap();
        let person = a.person.clone().unwrap();
        assert!(person.contains(&set("mobile", "+39 333 1234567")));
        assert!(person.contains(&set("phone", "02 123456")));
        assert!(person.contains(&set("email", "anna@bar.it")));
        assert!(person.contains(&Edit::Notes("birthday: --03-15".into())));
        assert!(
            person
                .iter()
                .any(|e| matches!(e, Edit::PutItem { fields, .. } if fields[1].1 == "tel:+39021"))
        );
        let (org, acct) = a.org.clone().unwrap();
        assert_eq!(org, "Bar Roma");
        assert!(acct.contains(&set("source", "imported")));
        let b = card_edits(
            &card("Bruno", "bar roma"),
            &provenance(),
            &label,
            &mut ids(),
        )
        .unwrap();
        let c = card_edits(
            &card("Carla", "Trattoria"),
            &provenance(),
            &label,
            &mut ids(),
        )
        .unwrap();

        let book: HashMap<String, DocId> = [(fold("Trattoria"), DocId([0xee; 16]))].into();
        let plan = plan_cards(&[a, b, c], &book, &mut doc_ids());
        assert_eq!((plan.new_accounts, plan.new_people), (1, 3));
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1,
        };
        let mut made = Vec::new();
        for op in &plan.ops {
            let Planned::Create { id, kind, edits } = op else {
                panic!()
            };
            let (mut d, _) = RecordDoc::create(*kind, *id, &stamp, edits).unwrap();
            made.push(d.read());
        }
        let bar = made[0].id.unwrap();
        assert_eq!(made[1].get("account").as_id(), Some(bar));
        assert_eq!(made[2].get("account").as_id(), Some(bar));
        assert_eq!(made[3].get("account").as_id(), Some(DocId([0xee; 16])));

        // And back out as a card.
        let out = person_card(&made[1], "Bar Roma");
        assert_eq!(out.full_name, "Anna");
        assert_eq!(out.org, "Bar Roma");
        assert_eq!(out.phones.len(), 3);
    }

    /// Every card of the committed phone and Monica exports that reads becomes
    /// records the store accepts; a company saved as a contact is an account.
    #[test]
    fn the_vcard_fixtures_import() {
        let label = |what: &str, v: &str| format!("{what}: {v}");
        let mut all = Vec::new();
        for name in ["iphone.vcf", "android-21.vcf", "monica.vcf"] {
            let path = format!(
                "{}/../core/tests/fixtures/import/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let cards = campo_core::interop::read_vcards(&std::fs::read(path).unwrap()).unwrap();
            for card in cards.into_iter().flatten() {
                match card_edits(&card, &provenance(), &label, &mut ids()) {
                    Ok(e) => all.push(e),
                    Err(p) => panic!("{name}: {} refused: {p:?}", card.full_name),
                }
            }
        }
        let pizzeria = all
            .iter()
            .find(|c| {
                c.org
                    .as_ref()
                    .is_some_and(|(n, _)| n == "Pizzeria Da Gennaro")
            })
            .unwrap();
        assert_eq!(pizzeria.person, None);
        assert!(
            pizzeria
                .org
                .as_ref()
                .unwrap()
                .1
                .contains(&set("phone", "081 123 4567"))
        );
        let plan = plan_cards(&all, &HashMap::new(), &mut doc_ids());
        assert!(plan.new_people >= 3, "{plan:?}");
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1,
        };
        for op in &plan.ops {
            let Planned::Create { id, kind, edits } = op else {
                panic!()
            };
            RecordDoc::create(*kind, *id, &stamp, edits)
                .unwrap_or_else(|e| panic!("{edits:?}: {e}"));
        }
        // The iPhone card's yearless birthday is kept in the notes.
        assert!(plan.ops.iter().any(|op| matches!(op, Planned::Create { edits, .. }
            if edits.iter().any(|e| matches!(e, Edit::Notes(n) if n.contains("birthday: --07-21"))))));
    }

    #[test]
    fn exports_have_the_lists_columns() {
        let mut s = summary(1, Kind::Deal, "", "", Some(DocId([9; 16])));
        s.title = "Fornitura".into();
        s.status = "proposal".into();
        s.amount = 123_450;
        s.owner = "Anna".into();
        s.due = Day::parse("2026-04-01").ok();
        let account = |_| "Bar Roma".to_owned();
        let (h, rows) = list_export(Lang::It, Kind::Deal, &[&s], &account, true);
        assert_eq!(
            h,
            [
                "Titolo",
                "Fase",
                "Valore",
                "Azienda",
                "Responsabile",
                "Chiusura prevista"
            ]
        );
        assert_eq!(
            rows,
            [[
                "Fornitura",
                "Offerta",
                "1234,50",
                "Bar Roma",
                "Anna",
                "2026-04-01"
            ]]
        );
        let (h, rows) = list_export(Lang::En, Kind::Deal, &[&s], &account, false);
        assert_eq!(h[2], "Value");
        assert_eq!(rows[0][2], "1234.50");

        let mut a = summary(2, Kind::Account, "info@bar.it", "02 1", None);
        a.title = "Bar".into();
        a.status = "active".into();
        a.city = "Lodi".into();
        a.tags = vec!["vip".into(), "horeca".into()];
        let (h, rows) = list_export(Lang::En, Kind::Account, &[&a], &account, false);
        assert_eq!(
            h,
            [
                "Name",
                "Status",
                "City",
                "Phone",
                "Email",
                "Owner",
                "Last contact",
                "Tags"
            ]
        );
        assert_eq!(
            rows[0],
            [
                "Bar",
                "Active",
                "Lodi",
                "02 1",
                "info@bar.it",
                "",
                "",
                "vip, horeca"
            ]
        );
    }

    #[test]
    fn calendars_hold_open_dated_tasks_and_visits() {
        let mut visit = summary(1, Kind::Task, "", "", Some(DocId([9; 16])));
        visit.title = "Visita".into();
        visit.status = VISIT.into();
        visit.due = Day::parse("2026-04-01").ok();
        visit.subtitle = "09:30".into();
        let mut call = summary(2, Kind::Task, "", "", None);
        call.status = "call".into();
        call.due = Day::parse("2026-04-02").ok();
        let mut done = call.clone();
        done.id = DocId([3; 16]);
        done.done = true;
        let mut undated = call.clone();
        undated.id = DocId([4; 16]);
        undated.due = None;
        let account = |_| Some(("Bar Roma".to_owned(), "Lodi".to_owned()));
        let at = |d: Day, t: &str| (t == "09:30").then(|| d.to_ms() + 9 * 3_600_000 + 1_800_000);
        let items = calendar_items(&[&visit, &call, &done, &undated], &account, &at);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].kind, CalendarKind::Visit);
        assert_eq!(
            items[0].start,
            CalendarStart::At(Day::parse("2026-04-01").unwrap().to_ms() + 34_200_000)
        );
        assert_eq!(items[0].duration_minutes, Some(VISIT_MINUTES));
        assert_eq!(
            (items[0].description.as_str(), items[0].location.as_str()),
            ("Bar Roma", "Lodi")
        );
        assert_eq!(items[1].kind, CalendarKind::Task);
        assert_eq!(
            items[1].start,
            CalendarStart::AllDay(Day::parse("2026-04-02").unwrap())
        );
        assert_eq!(items[0].uid, format!("{}@campo", DocId([1; 16])));
    }

    #[test]
    fn file_names() {
        assert_eq!(
            file_name("Aziende", "2026-03-05", "csv"),
            "campo-aziende-2026-03-05.csv"
        );
        assert_eq!(
            file_name("acme & co", "2026-03-05", "campobk"),
            "campo-acme-co-2026-03-05.campobk"
        );
        assert_eq!(stem("clienti.2026.csv"), "clienti.2026");
        assert_eq!(stem(".csv"), ".csv");
    }
}
