//! The customer index: a plain-struct summary of every document, kept beside the
//! documents so lists and search never open an Automerge document.
//!
//! Invariant: a summary is always derived from its document ([`CustomerSummary::of`])
//! and rewritten in the same storage transaction as the document, so the two
//! never disagree after a reload.

use crate::customer::Customer;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What lists and search need of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: DocId,
    pub name: String,
    pub company: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub tags: Vec<String>,
    /// Date (`YYYY-MM-DD`) of the newest interaction.
    pub last_contact: Option<String>,
    pub interactions: u32,
    /// Fields with unresolved concurrent values.
    pub conflicts: u32,
    pub updated_by: String,
    pub updated_at: i64,
}

impl CustomerSummary {
    /// Projects a customer (read from its document) to its summary.
    /// Returns `None` for a document whose creating change has not arrived yet.
    pub fn of(c: &Customer) -> Option<CustomerSummary> {
        let (updated_by, updated_at) = c.last_edit.clone().unwrap_or_default();
        Some(CustomerSummary {
            id: c.id?,
            name: c.name.clone(),
            company: c.company.clone(),
            city: c.city.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            tags: c.tags.clone(),
            last_contact: c.interactions.first().map(|i| i.date.clone()),
            interactions: c.interactions.len() as u32,
            conflicts: c.conflicts.len() as u32,
            updated_by,
            updated_at,
        })
    }

    /// Compact bytes for storage.
    pub fn encode(&self) -> Vec<u8> {
        // Serializing a plain struct into a Vec cannot fail.
        postcard::to_allocvec(self).expect("postcard encoding into a Vec")
    }

    pub fn decode(bytes: &[u8]) -> Result<CustomerSummary, postcard::Error> {
        postcard::from_bytes(bytes)
    }

    fn haystack(&self) -> String {
        let mut s = String::new();
        for part in [
            &self.name,
            &self.company,
            &self.city,
            &self.email,
            &self.phone,
        ]
        .into_iter()
        .chain(&self.tags)
        {
            s.push_str(&fold(part));
            s.push('\u{1}');
        }
        // Phones are searched by digits too, whatever the separators.
        s.extend(self.phone.chars().filter(char::is_ascii_digit));
        s
    }

    fn sort_key(&self) -> String {
        fold(&self.name)
    }
}

/// Lowercases and strips the accents Italian and other Latin-script names carry,
/// so "citta" finds "Città" and "JOSE" finds "José".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        })
        .collect()
}

struct Row {
    summary: CustomerSummary,
    key: String,
    haystack: String,
}

/// All summaries, sorted by name, with precomputed search text.
#[derive(Default)]
pub struct Index {
    rows: Vec<Row>,
    by_id: HashMap<DocId, usize>,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult<'a> {
    /// The first `limit` matches, by name.
    pub items: Vec<&'a CustomerSummary>,
    /// How many customers match in all.
    pub total: usize,
}

impl Index {
    /// Builds the index from summaries in any order.
    pub fn new(summaries: Vec<CustomerSummary>) -> Index {
        let mut rows: Vec<Row> = summaries.into_iter().map(Self::row).collect();
        rows.sort_by(|a, b| a.key.cmp(&b.key).then(a.summary.id.cmp(&b.summary.id)));
        let mut index = Index {
            rows,
            by_id: HashMap::new(),
        };
        index.reindex(0);
        index
    }

    fn row(summary: CustomerSummary) -> Row {
        Row {
            key: summary.sort_key(),
            haystack: summary.haystack(),
            summary,
        }
    }

    fn reindex(&mut self, from: usize) {
        for (i, r) in self.rows.iter().enumerate().skip(from) {
            self.by_id.insert(r.summary.id, i);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, id: &DocId) -> Option<&CustomerSummary> {
        self.by_id.get(id).map(|&i| &self.rows[i].summary)
    }

    /// Inserts or replaces a summary, keeping the name order.
    pub fn upsert(&mut self, summary: CustomerSummary) {
        let mut from = usize::MAX;
        if let Some(&i) = self.by_id.get(&summary.id) {
            self.rows.remove(i);
            from = i;
        }
        let row = Self::row(summary);
        let at = self
            .rows
            .partition_point(|r| (&r.key, r.summary.id) < (&row.key, row.summary.id));
        self.rows.insert(at, row);
        self.reindex(from.min(at));
    }

    /// Inserts or replaces many summaries: one sort instead of many shifts.
    pub fn upsert_many(&mut self, summaries: Vec<CustomerSummary>) {
        if summaries.len() < 16 {
            summaries.into_iter().for_each(|s| self.upsert(s));
            return;
        }
        let mut all: HashMap<DocId, CustomerSummary> = std::mem::take(&mut self.rows)
            .into_iter()
            .map(|r| (r.summary.id, r.summary))
            .collect();
        all.extend(summaries.into_iter().map(|s| (s.id, s)));
        *self = Index::new(all.into_values().collect());
    }

    /// Customers whose name, company, city, email, phone or tags contain every word
    /// of `query` (case- and accent-insensitive), by name; at most `limit` returned.
    pub fn search(&self, query: &str, limit: usize) -> SearchResult<'_> {
        let folded = fold(query);
        let words: Vec<&str> = folded.split_whitespace().collect();
        let mut items = Vec::new();
        let mut total = 0;
        for r in &self.rows {
            if words.iter().all(|w| r.haystack.contains(w)) {
                total += 1;
                if items.len() < limit {
                    items.push(&r.summary);
                }
            }
        }
        SearchResult { items, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: u8, name: &str, city: &str) -> CustomerSummary {
        CustomerSummary {
            id: DocId([id; 16]),
            name: name.into(),
            company: String::new(),
            city: city.into(),
            phone: "+39 02 555-1234".into(),
            email: String::new(),
            tags: vec!["vip".into()],
            last_contact: None,
            interactions: 0,
            conflicts: 0,
            updated_by: String::new(),
            updated_at: 0,
        }
    }

    #[test]
    fn search_is_accent_and_case_insensitive_and_sorted() {
        let idx = Index::new(vec![
            s(1, "Zeta Bar", "Forlì"),
            s(2, "Àlfa Caffè", "Milano"),
        ]);
        let r = idx.search("caffe", 10);
        assert_eq!(r.total, 1);
        assert_eq!(r.items[0].name, "Àlfa Caffè");
        assert_eq!(idx.search("FORLI", 10).items[0].name, "Zeta Bar");
        let all = idx.search("", 10);
        assert_eq!(
            all.items.iter().map(|x| x.id.0[0]).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(idx.search("vip bar", 10).total, 1, "every word must match");
        assert_eq!(idx.search("5551234", 10).total, 2, "phone digits match");
    }

    #[test]
    fn upsert_replaces_and_keeps_order() {
        let mut idx = Index::new(vec![s(1, "B", ""), s(2, "C", "")]);
        idx.upsert(s(3, "A", ""));
        idx.upsert(s(2, "0 first", ""));
        let names: Vec<_> = idx
            .search("", 10)
            .items
            .iter()
            .map(|x| x.name.clone())
            .collect();
        assert_eq!(names, vec!["0 first", "A", "B"]);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.get(&DocId([2; 16])).unwrap().name, "0 first");
        assert_eq!(idx.get(&DocId([1; 16])).unwrap().name, "B");
        let many: Vec<_> = (10..40).map(|i| s(i, &format!("m{i}"), "")).collect();
        idx.upsert_many(many);
        assert_eq!(idx.len(), 33);
        assert_eq!(idx.search("", 1).items[0].name, "0 first");
        assert_eq!(idx.get(&DocId([39; 16])).unwrap().name, "m39");
    }

    #[test]
    fn limit_caps_items_not_total() {
        let idx = Index::new((0..50).map(|i| s(i, &format!("n{i:02}"), "")).collect());
        let r = idx.search("n", 5);
        assert_eq!((r.items.len(), r.total), (5, 50));
    }

    #[test]
    fn summary_round_trips() {
        let x = s(9, "Bar Sport", "Bra");
        assert_eq!(CustomerSummary::decode(&x.encode()).unwrap(), x);
    }
}
