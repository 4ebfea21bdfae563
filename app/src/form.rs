//! A record's edit form as plain data: what was loaded, what is typed, and the
//! edits between them. Pure, so it is tested natively.
//!
//! The form remembers the values it was filled with (`original`). Saving writes
//! only the fields the rep changed, so a save never overwrites what another rep
//! changed meanwhile in a different field; a remote change refreshes every field
//! the rep has not touched.

use campo_core::record::{Edit, FieldType, Invalid, Kind, Record, value};
use campo_core::sorting;
use std::collections::BTreeMap;

/// A field error: the field's key (`tags`, `notes`, `custom/<id>` included) and why.
pub type FieldError = (String, Invalid);

/// The form's values as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub fields: BTreeMap<&'static str, String>,
    pub tags: String,
    pub notes: String,
    pub custom: BTreeMap<String, String>,
}

impl Snapshot {
    /// An empty form for a new record, with the kind's defaults.
    pub fn new_record(kind: Kind) -> Snapshot {
        let mut s = Snapshot::default();
        for f in kind.spec().fields {
            s.fields.insert(f.key, default_input(kind, f.key, f.ty));
        }
        s
    }

    pub fn of(r: &Record) -> Snapshot {
        let Some(kind) = r.kind else {
            return Snapshot::default();
        };
        Snapshot {
            fields: kind
                .spec()
                .fields
                .iter()
                .map(|f| (f.key, r.get(f.key).input(f.ty)))
                .collect(),
            tags: r.tags.join(", "),
            notes: r.notes.clone(),
            custom: r.custom.clone(),
        }
    }

    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }
}

/// What a new record's field starts as.
fn default_input(kind: Kind, key: &str, ty: FieldType) -> String {
    match (kind, key, ty) {
        (_, "source", _) => "own".into(),
        (Kind::Account, "relation", _) => "customer".into(),
        (Kind::Account, "status", _) => "prospect".into(),
        (Kind::Deal, "stage", _) => "lead".into(),
        (Kind::Task, "type", _) => "task".into(),
        (_, _, FieldType::Bool) => "false".into(),
        _ => String::new(),
    }
}

/// Tags typed as `a, b, c`: trimmed, empty ones dropped, first occurrence kept.
pub fn parse_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

fn same_tags(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (parse_tags(a), parse_tags(b));
    sorting::sort(&mut a);
    sorting::sort(&mut b);
    a == b
}

/// The edits that turn `original` into `current`, or every reason they cannot be
/// saved. `creating` also checks required fields the rep left empty.
pub fn diff(
    kind: Kind,
    original: &Snapshot,
    current: &Snapshot,
    creating: bool,
) -> Result<Vec<Edit>, Vec<FieldError>> {
    let mut edits = Vec::new();
    let mut errors: Vec<FieldError> = Vec::new();
    for f in kind.spec().fields {
        let typed = current.get(f.key);
        let value = if f.ty == FieldType::LongText {
            typed
        } else {
            typed.trim()
        };
        if f.required && value.is_empty() && (creating || !original.get(f.key).is_empty()) {
            errors.push((f.key.to_owned(), Invalid::Required(f.key.to_owned())));
            continue;
        }
        if !creating && value == original.get(f.key).trim() {
            continue;
        }
        if creating && value == default_input(kind, f.key, f.ty) && value.is_empty() {
            continue;
        }
        match value::parse(f.key, f.ty, value) {
            Ok(_) => edits.push(Edit::Set(f.key.to_owned(), value.to_owned())),
            Err(e) => errors.push((f.key.to_owned(), e)),
        }
    }
    if kind != Kind::Team {
        if !same_tags(&original.tags, &current.tags) {
            let tags = parse_tags(&current.tags);
            match tags.iter().try_for_each(|t| value::tag(t)) {
                Ok(()) => edits.push(Edit::Tags(tags)),
                Err(e) => errors.push(("tags".into(), e)),
            }
        }
        if original.notes != current.notes {
            if current.notes.chars().count() > value::MAX_TEXT_CHARS {
                errors.push((
                    "notes".into(),
                    Invalid::TooLong("notes".into(), value::MAX_TEXT_CHARS),
                ));
            } else {
                edits.push(Edit::Notes(current.notes.clone()));
            }
        }
        for (id, v) in &current.custom {
            let v = v.trim();
            if original.custom.get(id).map_or("", |o| o.trim()) != v {
                if v.chars().count() > value::MAX_FIELD_CHARS {
                    errors.push((
                        format!("custom/{id}"),
                        Invalid::TooLong(id.clone(), value::MAX_FIELD_CHARS),
                    ));
                } else {
                    edits.push(Edit::Custom(id.clone(), v.to_owned()));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}

/// The form key an error from the core belongs to.
pub fn error_key(e: &Invalid) -> String {
    match e {
        Invalid::Email(_) => "email".into(),
        Invalid::Phone(_) => "phone".into(),
        Invalid::Url(_) => "website".into(),
        Invalid::VatId(_) => "vat_id".into(),
        Invalid::Money(_) => "value".into(),
        Invalid::Tag(_) => "tags".into(),
        Invalid::DuplicateCode(_) => "code".into(),
        other => other.field().unwrap_or("form").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(kind: Kind, key: &'static str, value: &str) -> Snapshot {
        let mut s = Snapshot::new_record(kind);
        s.fields.insert(key, value.to_owned());
        s
    }

    #[test]
    fn only_changed_fields_are_written() {
        let original = with(Kind::Account, "name", "Bar Roma");
        let mut current = original.clone();
        current.fields.insert("city", " Milano ".into());
        assert_eq!(
            diff(Kind::Account, &original, &current, false).unwrap(),
            vec![Edit::Set("city".into(), "Milano".into())]
        );
        assert_eq!(
            diff(Kind::Account, &original, &original, false).unwrap(),
            vec![]
        );
    }

    #[test]
    fn every_invalid_field_is_reported_and_nothing_saved() {
        let mut current = with(Kind::Account, "email", "anna@");
        current.fields.insert("phone", "12".into());
        current.fields.insert("vat_id", "IT123".into());
        current.tags = format!("ok, {}", "x".repeat(41));
        let errors = diff(
            Kind::Account,
            &Snapshot::new_record(Kind::Account),
            &current,
            true,
        )
        .unwrap_err();
        let mut keys: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort();
        assert_eq!(keys, vec!["email", "name", "phone", "tags", "vat_id"]);
    }

    #[test]
    fn a_new_record_writes_its_defaults_and_typed_fields() {
        let current = with(Kind::Deal, "title", "Fornitura");
        let edits = diff(
            Kind::Deal,
            &Snapshot::new_record(Kind::Deal),
            &current,
            true,
        )
        .unwrap();
        assert!(edits.contains(&Edit::Set("title".into(), "Fornitura".into())));
        assert!(edits.contains(&Edit::Set("stage".into(), "lead".into())));
    }

    #[test]
    fn tags_compare_as_sets() {
        assert!(same_tags("vip, bar", "bar,vip,  vip"));
        assert!(!same_tags("vip", "vip, bar"));
    }
}
