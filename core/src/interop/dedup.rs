//! Finding imported rows that are already in the book, or twice in the file.

use super::mapping::ImportRow;
use std::collections::HashMap;

/// A value two records share when they are probably the same customer. Values are
/// normalised: emails lower-cased, VAT ids by [`super::vat::vat_id_key`], phones by
/// [`super::phone::phone_digits`]. Build the keys of existing records with those
/// same functions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DuplicateKey {
    Email(String),
    VatId(String),
    Phone(String),
}

impl DuplicateKey {
    /// A stable key for the kind of match (also its translation key).
    pub fn kind(&self) -> &'static str {
        match self {
            DuplicateKey::Email(_) => "email",
            DuplicateKey::VatId(_) => "vat_id",
            DuplicateKey::Phone(_) => "phone",
        }
    }
}

/// Something an imported row matches, and on which keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<T> {
    /// An existing record's id, or the line of an earlier row in the file.
    pub with: T,
    /// The keys they share, in the row's key order.
    pub keys: Vec<DuplicateKey>,
}

/// The duplicates of one imported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicates<I> {
    /// The row's line in the file ([`ImportRow::row`]).
    pub row: usize,
    /// Existing records sharing a key with the row, in the order first matched.
    pub existing: Vec<Match<I>>,
    /// Earlier rows of the same file sharing a key with the row, by line.
    pub earlier_rows: Vec<Match<usize>>,
}

impl<I> Duplicates<I> {
    /// Whether the row matches nothing.
    pub fn is_unique(&self) -> bool {
        self.existing.is_empty() && self.earlier_rows.is_empty()
    }
}

/// For each row (in order), the existing records and earlier rows it shares a
/// [`DuplicateKey`] with. `existing` yields each record's id and keys; it is read
/// once, so a whole book can be streamed from the index.
pub fn find_duplicates<I, E>(rows: &[ImportRow], existing: E) -> Vec<Duplicates<I>>
where
    I: Clone + PartialEq,
    E: IntoIterator<Item = (I, Vec<DuplicateKey>)>,
{
    let row_keys: Vec<Vec<DuplicateKey>> = rows.iter().map(ImportRow::duplicate_keys).collect();
    // Index only the keys some row has: the book can be much larger than the file.
    let mut wanted: HashMap<&DuplicateKey, Vec<I>> =
        row_keys.iter().flatten().map(|k| (k, Vec::new())).collect();
    for (id, keys) in existing {
        for key in keys {
            if let Some(ids) = wanted.get_mut(&key)
                && !ids.contains(&id)
            {
                ids.push(id.clone());
            }
        }
    }
    let mut seen: HashMap<&DuplicateKey, Vec<usize>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (row, keys) in rows.iter().zip(&row_keys) {
        let mut dup = Duplicates {
            row: row.row,
            existing: Vec::new(),
            earlier_rows: Vec::new(),
        };
        for key in keys {
            for id in wanted.get(key).into_iter().flatten() {
                add(&mut dup.existing, id, key);
            }
            let lines = seen.entry(key).or_default();
            for line in lines.iter() {
                add(&mut dup.earlier_rows, line, key);
            }
            lines.push(row.row);
        }
        out.push(dup);
    }
    out
}

fn add<T: Clone + PartialEq>(matches: &mut Vec<Match<T>>, with: &T, key: &DuplicateKey) {
    match matches.iter_mut().find(|m| m.with == *with) {
        Some(m) => {
            if !m.keys.contains(key) {
                m.keys.push(key.clone());
            }
        }
        None => matches.push(Match {
            with: with.clone(),
            keys: vec![key.clone()],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::mapping::{AccountFields, ImportRow};

    fn row(line: usize, email: &str, vat: &str, phone: &str) -> ImportRow {
        ImportRow {
            row: line,
            account: AccountFields {
                name: format!("row {line}"),
                email: email.into(),
                vat_id: vat.into(),
                phone: phone.into(),
                ..AccountFields::default()
            },
            person: None,
        }
    }

    #[test]
    fn matches_existing_records_and_earlier_rows() {
        let rows = [
            row(2, "a@x.it", "01234567897", ""),
            row(3, "b@x.it", "IT01234567897", "+39 02 123456"),
            row(4, "a@x.it", "", "02 123456"),
            row(5, "c@x.it", "", ""),
        ];
        let existing = vec![
            ("r1", vec![DuplicateKey::Phone("02123456".into())]),
            ("r2", vec![DuplicateKey::Email("a@x.it".into())]),
            ("r3", vec![DuplicateKey::Email("z@x.it".into())]),
        ];
        let d = find_duplicates(&rows, existing);
        assert_eq!(d.len(), 4);
        assert_eq!(
            d[0].existing.iter().map(|m| m.with).collect::<Vec<_>>(),
            ["r2"]
        );
        assert!(d[0].earlier_rows.is_empty());
        // Same VAT id written two ways.
        assert_eq!(
            d[1].earlier_rows,
            [Match {
                with: 2,
                keys: vec![DuplicateKey::VatId("IT01234567897".into())]
            }]
        );
        assert_eq!(d[1].existing[0].with, "r1");
        // Row 4 shares the email with row 2 and the phone with row 3.
        let earlier: Vec<usize> = d[2].earlier_rows.iter().map(|m| m.with).collect();
        assert_eq!(earlier, [2, 3]);
        let existing: Vec<&str> = d[2].existing.iter().map(|m| m.with).collect();
        assert_eq!(existing, ["r2", "r1"]);
        assert!(d[3].is_unique());
    }
}
