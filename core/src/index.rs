//! The book index: every record's [`Summary`], kept in memory in title order with
//! precomputed search text, and the list queries (search, filters, sort, saved views)
//! that run on it. Nothing here opens an Automerge document.

use crate::analytics::facts::Book;
use crate::day::Day;
use crate::ids::DocId;
use crate::record::Kind;
use crate::sorting;
use crate::summary::{Facts, Summary, SummaryRef};
use memchr::memmem;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// Lowercases and strips the accents Italian and other Latin-script names carry,
/// so "citta" finds "Città" and "JOSE" finds "José".
pub fn fold(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    fold_into(&mut out, s);
    String::from_utf8(out).expect("folding keeps text UTF-8")
}

/// [`fold`], appended to `out` as UTF-8. Most text is ASCII: runs of it are
/// copied whole and lowercased eight bytes at a time, and only the other
/// characters go through the Unicode tables.
fn fold_into(out: &mut Vec<u8>, s: &str) {
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = ascii_len(rest.as_bytes());
        let start = out.len();
        out.extend_from_slice(&rest.as_bytes()[..ascii]);
        lowercase_ascii(&mut out[start..]);
        let mut chars = rest[ascii..].chars();
        if let Some(c) = chars.next() {
            for l in c.to_lowercase() {
                out.extend_from_slice(strip_accent(l).encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
        rest = chars.as_str();
    }
}

const LANES: u64 = 0x0101_0101_0101_0101;

/// How many bytes at the start of `b` are ASCII.
fn ascii_len(b: &[u8]) -> usize {
    let mut n = 0;
    for w in b.chunks_exact(8) {
        if u64::from_le_bytes(w.try_into().expect("8 bytes")) & (LANES * 0x80) != 0 {
            break;
        }
        n += 8;
    }
    n + b[n..].iter().take_while(|b| b.is_ascii()).count()
}

/// Lowercases ASCII bytes in place, eight at a time.
fn lowercase_ascii(b: &mut [u8]) {
    let mut words = b.chunks_exact_mut(8);
    for w in &mut words {
        let x = u64::from_le_bytes((&*w).try_into().expect("8 bytes"));
        // Each byte is below 0x80, so no sum carries into the next byte: the
        // top bit of a byte says it is at least 'A', and above 'Z'.
        let from_a = x + LANES * u64::from(0x80 - b'A');
        let past_z = x + LANES * u64::from(0x7f - b'Z');
        let upper = from_a & !past_z & (LANES * 0x80);
        w.copy_from_slice(&(x | (upper >> 2)).to_le_bytes());
    }
    words.into_remainder().make_ascii_lowercase();
}

fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// The folded search text of a summary, and the length of its folded title
/// at its start.
fn haystack(s: &SummaryRef<'_>) -> (Box<[u8]>, u32) {
    let parts = s.searched();
    let len: usize = parts.clone().map(|p| p.len() + 1).sum();
    let mut h = Vec::with_capacity(s.title.len() + 1 + len + s.phone.len());
    fold_into(&mut h, s.title);
    let key_len = h.len() as u32;
    h.push(SEPARATOR);
    for part in parts {
        fold_into(&mut h, part);
        h.push(SEPARATOR);
    }
    // Phones are searched by digits too, whatever the separators.
    h.extend(s.phone.bytes().filter(u8::is_ascii_digit));
    (h.into_boxed_slice(), key_len)
}

/// Between the fields of a search text: no query word holds it (it is a
/// control character), so no match spans two fields.
const SEPARATOR: u8 = 1;

/// One summary's encoded bytes ([`Summary::encode`]) within a buffer that
/// others share: start-up keeps each stored pack of summaries whole and
/// points into it, rather than copying out every summary.
#[derive(Clone)]
pub struct StoredSummary {
    buf: Arc<[u8]>,
    start: u32,
    end: u32,
}

impl StoredSummary {
    /// The summary held by `buf[range]`; `None` when the range is not in `buf`.
    pub fn new(buf: Arc<[u8]>, range: std::ops::Range<usize>) -> Option<StoredSummary> {
        if range.start > range.end || range.end > buf.len() || buf.len() > u32::MAX as usize {
            return None;
        }
        Some(StoredSummary {
            start: range.start as u32,
            end: range.end as u32,
            buf,
        })
    }

    /// The summary held by `part`, a slice borrowed from `buf` (as
    /// [`crate::snapshot::decode_pack`] returns them); `None` when it is not.
    pub fn within(buf: &Arc<[u8]>, part: &[u8]) -> Option<StoredSummary> {
        let start = (part.as_ptr() as usize).checked_sub(buf.as_ptr() as usize)?;
        StoredSummary::new(buf.clone(), start..start.checked_add(part.len())?)
    }

    /// A summary whose bytes are all of `buf`.
    pub fn whole(buf: Arc<[u8]>) -> Option<StoredSummary> {
        let len = buf.len();
        StoredSummary::new(buf, 0..len)
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start as usize..self.end as usize]
    }
}

/// A row's summary: read from its stored bytes when first asked for, or made
/// by the app (an edit, a change from elsewhere) and given whole.
struct LazySummary {
    stored: Option<StoredSummary>,
    /// Boxed: sorting and merging move rows, not whole summaries.
    decoded: OnceLock<Box<Summary>>,
}

impl LazySummary {
    fn stored(bytes: StoredSummary) -> LazySummary {
        LazySummary {
            stored: Some(bytes),
            decoded: OnceLock::new(),
        }
    }

    fn get(&self) -> &Summary {
        self.decoded.get_or_init(|| {
            let stored = self
                .stored
                .as_ref()
                .expect("a row has its bytes or its summary");
            // The bytes were read with `SummaryRef::parse` when the row was made,
            // and reading the same bytes again gives the same result.
            let s = SummaryRef::parse(stored.bytes()).expect("parsed when the row was made");
            Box::new(s.to_summary())
        })
    }
}

struct Row {
    /// Copied from the summary: scans by kind or account, and sorting, read
    /// the row alone, without making the summary.
    id: DocId,
    kind: Kind,
    deleted: bool,
    account: Option<DocId>,
    summary: LazySummary,
    /// The folded fields searched (UTF-8), the folded title first: the sort
    /// key is its first `key_len` bytes.
    haystack: Box<[u8]>,
    key_len: u32,
}

impl Row {
    /// The row of a stored summary, read in place as `s`.
    fn stored(s: &SummaryRef<'_>, bytes: StoredSummary) -> Row {
        let (haystack, key_len) = haystack(s);
        Row {
            id: s.id,
            kind: s.kind,
            deleted: s.deleted,
            account: s.account,
            summary: LazySummary::stored(bytes),
            haystack,
            key_len,
        }
    }

    fn of(summary: Summary) -> Row {
        let (haystack, key_len) = haystack(&summary.view());
        Row {
            id: summary.id,
            kind: summary.kind,
            deleted: summary.deleted,
            account: summary.account,
            summary: LazySummary {
                stored: None,
                decoded: OnceLock::from(Box::new(summary)),
            },
            haystack,
            key_len,
        }
    }

    fn summary(&self) -> &Summary {
        self.summary.get()
    }

    fn key(&self) -> &[u8] {
        &self.haystack[..self.key_len as usize]
    }

    /// The index's order: by folded title, then id.
    fn order(&self, other: &Row) -> std::cmp::Ordering {
        self.key().cmp(other.key()).then(self.id.cmp(&other.id))
    }
}

/// The first sixteen bytes of a sort key, big-endian, so integers order as the
/// bytes do: most comparisons while sorting a book look at nothing else.
fn key_prefix(key: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = key.len().min(16);
    b[..n].copy_from_slice(&key[..n]);
    u128::from_be_bytes(b)
}

/// Sorts rows by folded title, then id. Start-up sorts the whole book, so the
/// comparisons run on a copy of each key's prefix beside the row's position,
/// and only equal prefixes look at the rows themselves.
fn sort_rows(rows: &mut [Row]) -> Vec<usize> {
    let mut order: Vec<(u128, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (key_prefix(r.key()), i as u32))
        .collect();
    // First by prefix alone (ties by position, to be put right below): the
    // comparison is two integers, with nothing to look up.
    order.sort_unstable();
    // Then each run of equal prefixes, rare, by the whole key and the id.
    let mut start = 0;
    while start < order.len() {
        let prefix = order[start].0;
        let end = start + order[start..].partition_point(|o| o.0 == prefix);
        if end - start > 1 {
            order[start..end]
                .sort_unstable_by(|a, b| rows[a.1 as usize].order(&rows[b.1 as usize]));
        }
        start = end;
    }
    let from: Vec<usize> = order.into_iter().map(|(_, i)| i as usize).collect();
    sorting::permute(rows, from.clone());
    from
}

/// All summaries, in title order, with precomputed search text. A summary
/// read from storage stays in its stored bytes until something reads it;
/// search by text, kind and account, and the title order, need only the row.
#[derive(Default)]
pub struct Index {
    rows: Vec<Row>,
    /// Positions by id. Ids are random bytes: a fast non-keyed hash is enough.
    by_id: FxHashMap<DocId, usize>,
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By name or title, A to Z.
    #[default]
    Title,
    /// Longest without contact first (never contacted first of all).
    LastContact,
    /// Most recently edited first.
    Updated,
    /// Soonest due (or expected to close) first; undated last.
    Due,
    /// Largest amount first.
    Amount,
    City,
}

impl Sort {
    pub const ALL: [Sort; 6] = [
        Sort::Title,
        Sort::LastContact,
        Sort::Updated,
        Sort::Due,
        Sort::Amount,
        Sort::City,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Sort::Title => "title",
            Sort::LastContact => "last_contact",
            Sort::Updated => "updated",
            Sort::Due => "due",
            Sort::Amount => "amount",
            Sort::City => "city",
        }
    }

    pub fn from_key(key: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A list query: what a list view shows. Saved views store it as text
/// ([`Query::to_text`] / [`Query::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// One kind of record, or every kind (global search).
    pub kind: Option<Kind>,
    /// Every word must appear (case- and accent-insensitive).
    pub text: String,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub city: Option<String>,
    /// An analytics segment's key (the caller resolves it to ids).
    pub segment: Option<String>,
    /// Only records with no contact for at least this many days (or none ever).
    pub idle_days: Option<u32>,
    /// Show the bin (deleted records) instead of the live ones.
    pub deleted: bool,
    /// Hide done tasks and discontinued products.
    pub open_only: bool,
    pub sort: Sort,
}

/// Why a saved view's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the saved view {0:?} cannot be read: {1}")]
pub struct BadQuery(pub String, pub &'static str);

fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '%' | '&' | '=' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex: String = chars.by_ref().take(2).collect();
            out.push(u8::from_str_radix(&hex, 16).ok()? as char);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl Query {
    /// The query as `key=value&…` text (stable, for saved views and URLs).
    pub fn to_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |k: &str, v: &str| parts.push(format!("{k}={}", escape(v)));
        if let Some(k) = self.kind {
            push("kind", k.key());
        }
        if !self.text.is_empty() {
            push("q", &self.text);
        }
        for (k, v) in [
            ("owner", &self.owner),
            ("status", &self.status),
            ("tag", &self.tag),
            ("city", &self.city),
            ("segment", &self.segment),
        ] {
            if let Some(v) = v {
                push(k, v);
            }
        }
        if let Some(d) = self.idle_days {
            push("idle", &d.to_string());
        }
        if self.deleted {
            push("bin", "1");
        }
        if self.open_only {
            push("open", "1");
        }
        if self.sort != Sort::Title {
            push("sort", self.sort.key());
        }
        parts.join("&")
    }

    /// Reads [`Query::to_text`]'s form back; unknown keys are refused.
    pub fn parse(text: &str) -> Result<Query, BadQuery> {
        let bad = |why| BadQuery(text.chars().take(80).collect(), why);
        let mut q = Query::default();
        for part in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| bad("a part has no '='"))?;
            let v = unescape(v).ok_or_else(|| bad("bad escape"))?;
            match k {
                "kind" => q.kind = Some(Kind::from_key(&v).ok_or_else(|| bad("unknown kind"))?),
                "q" => q.text = v,
                "owner" => q.owner = Some(v),
                "status" => q.status = Some(v),
                "tag" => q.tag = Some(v),
                "city" => q.city = Some(v),
                "segment" => q.segment = Some(v),
                "idle" => q.idle_days = Some(v.parse().map_err(|_| bad("idle is not a number"))?),
                "bin" => q.deleted = v == "1",
                "open" => q.open_only = v == "1",
                "sort" => q.sort = Sort::from_key(&v).ok_or_else(|| bad("unknown sort"))?,
                _ => return Err(bad("unknown filter")),
            }
        }
        Ok(q)
    }
}

/// What a query needs from outside the index.
#[derive(Debug, Clone, Copy)]
pub struct QueryContext<'a> {
    pub today: Day,
    /// The ids in [`Query::segment`], resolved by analytics.
    pub segment: Option<&'a HashSet<DocId>>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult<'a> {
    /// The first `limit` matches, in the query's order.
    pub items: Vec<&'a Summary>,
    /// How many records match in all.
    pub total: usize,
}

/// Reads stored summaries into rows, setting aside the ids whose bytes are
/// not a summary of this format for that id.
fn push_stored(
    rows: &mut Vec<Row>,
    damaged: &mut Vec<DocId>,
    stored: impl IntoIterator<Item = (DocId, StoredSummary)>,
) {
    let stored = stored.into_iter();
    rows.reserve(stored.size_hint().0);
    for (id, bytes) in stored {
        match SummaryRef::parse(bytes.bytes()) {
            Ok(s) if s.id == id => rows.push(Row::stored(&s, bytes.clone())),
            _ => damaged.push(id),
        }
    }
}

/// [`Index::from_stored`] a part at a time: start-up hands over each part of
/// the stored book as it arrives, so reading it in place overlaps reading the
/// next part from storage, and only the sort waits for the last one.
#[derive(Default)]
pub struct IndexBuilder {
    rows: Vec<Row>,
    damaged: Vec<DocId>,
}

impl IndexBuilder {
    /// Adds stored summaries; of a record added twice, the last one wins.
    pub fn add(&mut self, stored: impl IntoIterator<Item = (DocId, StoredSummary)>) {
        push_stored(&mut self.rows, &mut self.damaged, stored);
    }

    /// How many summaries were read so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether nothing was read so far.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The index, and the ids whose stored bytes were damaged.
    pub fn finish(self) -> (Index, Vec<DocId>) {
        (Index::of_rows(self.rows), self.damaged)
    }
}

impl Index {
    /// Builds the index from summaries in any order (boxed or not: start-up
    /// decodes them straight into boxes).
    pub fn new(summaries: impl IntoIterator<Item = Summary>) -> Index {
        Index::of_rows(summaries.into_iter().map(Row::of).collect())
    }

    /// Builds the index from stored summaries, each under the id it was
    /// stored by, reading each in place ([`SummaryRef`]). Also returns the ids
    /// whose bytes are not a summary of this format for that id (a damaged
    /// store): they are left out, for the caller to rebuild from documents.
    /// A record listed twice keeps its last summary.
    pub fn from_stored(
        stored: impl IntoIterator<Item = (DocId, StoredSummary)>,
    ) -> (Index, Vec<DocId>) {
        let mut builder = IndexBuilder::default();
        builder.add(stored);
        builder.finish()
    }

    fn stored_rows(
        stored: impl IntoIterator<Item = (DocId, StoredSummary)>,
    ) -> (Vec<Row>, Vec<DocId>) {
        let mut rows = Vec::new();
        let mut damaged = Vec::new();
        push_stored(&mut rows, &mut damaged, stored);
        (rows, damaged)
    }

    fn of_rows(mut rows: Vec<Row>) -> Index {
        // Where each row was given: of a record given twice, the last wins.
        let given = sort_rows(&mut rows);
        let mut by_id: FxHashMap<DocId, usize> =
            FxHashMap::with_capacity_and_hasher(rows.len(), Default::default());
        let mut dropped = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if let Some(j) = by_id.insert(r.id, i) {
                let (keep, drop) = if given[i] > given[j] { (i, j) } else { (j, i) };
                by_id.insert(r.id, keep);
                dropped.push(drop);
            }
        }
        let mut index = Index { by_id, rows };
        if !dropped.is_empty() {
            dropped.sort_unstable();
            let mut i = 0;
            index.rows.retain(|_| {
                i += 1;
                dropped.binary_search(&(i - 1)).is_err()
            });
            index.by_id.clear();
            index.reindex(0..index.rows.len());
        }
        index
    }

    /// Records the positions of the rows in `range` (the ones that moved).
    fn reindex(&mut self, range: std::ops::Range<usize>) {
        for (i, r) in self.rows[range.clone()].iter().enumerate() {
            self.by_id.insert(r.id, range.start + i);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, id: &DocId) -> Option<&Summary> {
        self.by_id.get(id).map(|&i| self.rows[i].summary())
    }

    /// Every summary, in title order.
    pub fn all(&self) -> impl Iterator<Item = &Summary> {
        self.rows.iter().map(Row::summary)
    }

    /// Rows of live records of one kind, read without making their summaries.
    fn live_rows(&self, kind: Kind) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(move |r| r.kind == kind && !r.deleted)
    }

    /// Live (not deleted) records of one kind, in title order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Summary> {
        self.live_rows(kind).map(Row::summary)
    }

    /// Inserts or replaces a summary, keeping the title order.
    pub fn upsert(&mut self, summary: Summary) {
        let mut from = usize::MAX;
        if let Some(&i) = self.by_id.get(&summary.id) {
            self.rows.remove(i);
            from = i;
        }
        let row = Row::of(summary);
        let at = self.rows.partition_point(|r| r.order(&row).is_lt());
        self.rows.insert(at, row);
        // A replaced row moves from `from` to `at` and shifts only the rows in
        // between; a new one shifts every row after it.
        let moved = match from {
            usize::MAX => at..self.rows.len(),
            from => from.min(at)..from.max(at) + 1,
        };
        self.reindex(moved);
    }

    /// Inserts or replaces many summaries: the new rows are sorted alone and
    /// merged into the existing ones, whose search keys are kept, so the cost
    /// is one pass over the index plus the new rows' keys.
    pub fn upsert_many(&mut self, summaries: Vec<Summary>) {
        if summaries.len() < 16 {
            summaries.into_iter().for_each(|s| self.upsert(s));
            return;
        }
        // The last summary of each record wins, as with one upsert after another.
        let latest: HashMap<DocId, Summary> = summaries.into_iter().map(|s| (s.id, s)).collect();
        self.merge(latest.into_values().map(Row::of).collect());
    }

    /// [`Index::upsert_many`] for stored summaries (a fresh device's book, as
    /// it is stored): read in place like [`Index::from_stored`], whose
    /// damaged ids it returns.
    pub fn upsert_stored(
        &mut self,
        stored: impl IntoIterator<Item = (DocId, StoredSummary)>,
    ) -> Vec<DocId> {
        let (rows, damaged) = Index::stored_rows(stored);
        if self.rows.is_empty() {
            *self = Index::of_rows(rows);
        } else {
            let mut latest: FxHashMap<DocId, Row> =
                FxHashMap::with_capacity_and_hasher(rows.len(), Default::default());
            latest.extend(rows.into_iter().map(|r| (r.id, r)));
            self.merge(latest.into_values().collect());
        }
        damaged
    }

    /// Merges rows of distinct records into the index, replacing the rows of
    /// the same records.
    fn merge(&mut self, mut fresh: Vec<Row>) {
        sort_rows(&mut fresh);
        let replaced: HashSet<DocId> = fresh.iter().map(|r| r.id).collect();
        let old = std::mem::take(&mut self.rows);
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        let mut fresh = fresh.into_iter().peekable();
        for row in old.into_iter().filter(|r| !replaced.contains(&r.id)) {
            while let Some(f) = fresh.next_if(|f| f.order(&row).is_lt()) {
                merged.push(f);
            }
            merged.push(row);
        }
        merged.extend(fresh);
        self.rows = merged;
        self.by_id.clear();
        self.reindex(0..self.rows.len());
    }

    /// The records a query selects, in its order; at most `limit` returned.
    pub fn search(&self, q: &Query, ctx: &QueryContext<'_>, limit: usize) -> SearchResult<'_> {
        let folded = fold(&q.text);
        // One searcher per word for the whole scan, not one per row.
        let words: Vec<memmem::Finder<'_>> = folded
            .split_whitespace()
            .map(|w| memmem::Finder::new(w.as_bytes()))
            .collect();
        let tag = q.tag.as_deref();
        let city = q.city.as_deref().map(fold);
        let idle_before = q.idle_days.map(|d| ctx.today.plus(-(d as i32)));
        // What the row holds is checked first; the other filters read the
        // summary, which a row read from storage makes on first use.
        let reads_summary = q.open_only
            || q.owner.is_some()
            || q.status.is_some()
            || tag.is_some()
            || city.is_some()
            || idle_before.is_some();
        let matches = |r: &Row| {
            q.kind.is_none_or(|k| r.kind == k)
                && r.deleted == q.deleted
                && (q.segment.is_none() || ctx.segment.is_some_and(|ids| ids.contains(&r.id)))
                && words.iter().all(|w| w.find(&r.haystack).is_some())
                && (!reads_summary || {
                    let s = r.summary();
                    !(q.open_only && s.done)
                        && q.owner.as_deref().is_none_or(|o| s.owner == o)
                        && q.status.as_deref().is_none_or(|st| s.status == st)
                        && tag.is_none_or(|t| s.tags.iter().any(|x| x == t))
                        && city.as_deref().is_none_or(|c| fold(&s.city) == c)
                        && idle_before.is_none_or(|day| s.last_contact.is_none_or(|l| l <= day))
                })
        };
        if q.sort == Sort::Title {
            let mut items = Vec::new();
            let mut total = 0;
            for r in self.rows.iter().filter(|r| matches(r)) {
                total += 1;
                if items.len() < limit {
                    items.push(r.summary());
                }
            }
            return SearchResult { items, total };
        }
        let mut all: Vec<&Summary> = self
            .rows
            .iter()
            .filter(|r| matches(r))
            .map(Row::summary)
            .collect();
        let total = all.len();
        // Stable sorts: ties keep the title order.
        match q.sort {
            Sort::Title => {}
            Sort::LastContact => sorting::sort_by_key(&mut all, |s| s.last_contact),
            Sort::Updated => sorting::sort_by_key(&mut all, |s| std::cmp::Reverse(s.updated_at)),
            Sort::Due => sorting::sort_by_key(&mut all, |s| (s.due.is_none(), s.due)),
            Sort::Amount => sorting::sort_by_key(&mut all, |s| std::cmp::Reverse(s.amount)),
            Sort::City => {
                sorting::sort_by_cached_key(&mut all, |s| (s.city.is_empty(), fold(&s.city)))
            }
        }
        all.truncate(limit);
        SearchResult { items: all, total }
    }

    /// Live records of `kind` linked to `account` (its people, deals, tasks).
    pub fn related(&self, account: DocId, kind: Kind) -> Vec<&Summary> {
        self.live_rows(kind)
            .filter(|r| r.account == Some(account))
            .map(Row::summary)
            .collect()
    }

    /// Live accounts whose `referred_by` is `account`.
    pub fn referred_by(&self, account: DocId) -> Vec<&Summary> {
        self.of_kind(Kind::Account)
            .filter(|s| matches!(s.facts.get(), Facts::Account { account: a, .. } if a.referred_by == Some(account)))
            .collect()
    }

    /// The live product using `code` (case-insensitive), other than `except`.
    pub fn product_with_code(&self, code: &str, except: Option<DocId>) -> Option<&Summary> {
        let code = fold(code.trim());
        self.of_kind(Kind::Product)
            .find(|s| Some(s.id) != except && fold(&s.subtitle) == code)
    }

    /// Distinct values of a text attribute among live records of a kind (filter
    /// menus, suggestions), in folded order. Duplicates are dropped before
    /// anything is copied or sorted: a book has thousands of records but few
    /// distinct owners, cities or tags. It makes the summaries of the kind:
    /// menus and suggestions ask again at every change to the book, and then
    /// read fields already made.
    pub fn values<'a, V>(&'a self, kind: Kind, of: impl Fn(&'a Summary) -> V) -> Vec<String>
    where
        V: IntoIterator<Item = &'a str>,
    {
        let mut seen: FxHashSet<&str> = Default::default();
        for s in self.of_kind(kind) {
            seen.extend(of(s).into_iter().filter(|v| !v.is_empty()));
        }
        let mut out: Vec<String> = seen.into_iter().map(str::to_owned).collect();
        // Ties in folded form ("Milano", "milano") keep a fixed order.
        sorting::sort_by_cached_key(&mut out, |v| (fold(v), v.clone()));
        out
    }

    /// The facts analytics reads, as of `today`: every record, deleted ones
    /// included (analytics decides what they count for).
    pub fn book(&self, today: Day) -> Book {
        let mut book = Book::empty(today);
        for s in self.all() {
            match s.facts.get() {
                Facts::None => {}
                Facts::Account {
                    account,
                    orders,
                    interactions,
                } => {
                    book.accounts.push(account.clone());
                    book.orders.extend(orders.iter().cloned());
                    book.interactions.extend(interactions.iter().cloned());
                }
                Facts::Person { interactions } if !s.deleted => {
                    book.interactions.extend(interactions.iter().cloned())
                }
                Facts::Person { .. } => {}
                Facts::Product(p) if !s.deleted => book.products.push(p.clone()),
                Facts::Deal(d) if !s.deleted => book.deals.push(d.clone()),
                Facts::Task(t) if !s.deleted => book.tasks.push(t.clone()),
                Facts::Product(_) | Facts::Deal(_) | Facts::Task(_) => {}
            }
        }
        book
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: u8, kind: Kind, title: &str, city: &str) -> Summary {
        Summary {
            id: DocId([id; 16]),
            kind,
            title: title.into(),
            subtitle: String::new(),
            account: None,
            owner: "Anna".into(),
            status: "active".into(),
            city: city.into(),
            phone: "+39 02 555-1234".into(),
            email: String::new(),
            tags: vec!["vip".into()],
            notes: "chiuso il lunedì".into(),
            last_contact: None,
            due: None,
            done: false,
            amount: id as i64,
            interactions: 0,
            conflicts: 0,
            deleted: false,
            updated_by: String::new(),
            updated_at: id as i64,
            custom: vec![],
            facts: Facts::None.into(),
        }
    }

    fn ctx() -> QueryContext<'static> {
        QueryContext {
            today: Day::parse("2026-06-01").unwrap(),
            segment: None,
        }
    }

    fn text(t: &str) -> Query {
        Query {
            text: t.into(),
            ..Query::default()
        }
    }

    #[test]
    fn search_is_accent_and_case_insensitive_and_sorted() {
        let idx = Index::new(vec![
            s(1, Kind::Account, "Zeta Bar", "Forlì"),
            s(2, Kind::Account, "Àlfa Caffè", "Milano"),
            s(3, Kind::Deal, "Fornitura caffè", ""),
        ]);
        let r = idx.search(&text("caffe"), &ctx(), 10);
        assert_eq!(r.total, 2, "global search spans kinds");
        let accounts = Query {
            kind: Some(Kind::Account),
            ..text("caffe")
        };
        assert_eq!(
            idx.search(&accounts, &ctx(), 10).items[0].title,
            "Àlfa Caffè"
        );
        assert_eq!(
            idx.search(&text("FORLI"), &ctx(), 10).items[0].title,
            "Zeta Bar"
        );
        assert_eq!(
            idx.search(&text("vip bar"), &ctx(), 10).total,
            1,
            "every word must match"
        );
        assert_eq!(
            idx.search(&text("5551234"), &ctx(), 10).total,
            3,
            "phone digits match"
        );
        assert_eq!(
            idx.search(&text("lunedi"), &ctx(), 10).total,
            3,
            "notes are searched"
        );
    }

    #[test]
    fn filters_and_sorts() {
        let mut a = s(1, Kind::Account, "A", "Milano");
        a.last_contact = Some(Day::parse("2026-05-30").unwrap());
        let mut b = s(2, Kind::Account, "B", "milano");
        b.last_contact = Some(Day::parse("2026-01-01").unwrap());
        b.owner = "Bruno".into();
        let mut c = s(3, Kind::Account, "C", "Roma");
        c.deleted = true;
        let idx = Index::new(vec![a, b, c]);
        let q = |q: Query| {
            idx.search(&q, &ctx(), 10)
                .items
                .iter()
                .map(|s| s.title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            q(Query {
                city: Some("MILANO".into()),
                ..Query::default()
            }),
            ["A", "B"]
        );
        assert_eq!(
            q(Query {
                idle_days: Some(30),
                ..Query::default()
            }),
            ["B"]
        );
        assert_eq!(
            q(Query {
                owner: Some("Anna".into()),
                ..Query::default()
            }),
            ["A"]
        );
        assert_eq!(
            q(Query {
                deleted: true,
                ..Query::default()
            }),
            ["C"]
        );
        assert_eq!(
            q(Query {
                sort: Sort::Amount,
                ..Query::default()
            }),
            ["B", "A"]
        );
        assert_eq!(
            q(Query {
                sort: Sort::LastContact,
                ..Query::default()
            }),
            ["B", "A"]
        );
        let seg: HashSet<DocId> = [DocId([2; 16])].into();
        let seg_ctx = QueryContext {
            segment: Some(&seg),
            ..ctx()
        };
        let r = idx.search(
            &Query {
                segment: Some("at_risk".into()),
                ..Query::default()
            },
            &seg_ctx,
            10,
        );
        assert_eq!(r.items[0].title, "B");
    }

    #[test]
    fn saved_view_text_round_trips() {
        let q = Query {
            kind: Some(Kind::Account),
            text: "bar & caffè = 100%".into(),
            owner: Some("Anna".into()),
            status: Some("active".into()),
            tag: Some("vip".into()),
            city: Some("Forlì".into()),
            segment: Some("champions".into()),
            idle_days: Some(30),
            deleted: false,
            open_only: true,
            sort: Sort::LastContact,
        };
        assert_eq!(Query::parse(&q.to_text()), Ok(q));
        assert!(Query::parse("kind=spaceship").is_err());
        assert!(Query::parse("idle=many").is_err());
        assert!(Query::parse("colour=red").is_err());
        assert_eq!(Query::parse(""), Ok(Query::default()));
    }

    #[test]
    fn upsert_replaces_and_keeps_order() {
        let mut idx = Index::new(vec![
            s(1, Kind::Account, "B", ""),
            s(2, Kind::Account, "C", ""),
        ]);
        idx.upsert(s(3, Kind::Account, "A", ""));
        idx.upsert(s(2, Kind::Account, "0 first", ""));
        let names: Vec<_> = idx.all().map(|x| x.title.clone()).collect();
        assert_eq!(names, vec!["0 first", "A", "B"]);
        assert_eq!(idx.get(&DocId([2; 16])).unwrap().title, "0 first");
        let many: Vec<_> = (10..40)
            .map(|i| s(i, Kind::Account, &format!("m{i}"), ""))
            .collect();
        idx.upsert_many(many);
        assert_eq!(idx.len(), 33);
        assert_eq!(idx.get(&DocId([39; 16])).unwrap().title, "m39");
    }

    #[test]
    fn positions_follow_rows_that_move_either_way() {
        let titles = ["d", "b", "f", "a", "e", "c"];
        let mut idx = Index::new((0..6u8).map(|i| s(i, Kind::Account, titles[i as usize], "")));
        // Moves down, up, to either end, in place, and new rows at each end.
        for (id, title) in [
            (3, "z"),
            (2, "0"),
            (5, "cc"),
            (0, "d"),
            (6, "00"),
            (7, "zz"),
            (1, "e"),
        ] {
            idx.upsert(s(id, Kind::Account, title, ""));
            for (pos, row) in idx.rows.iter().enumerate() {
                assert_eq!(idx.by_id[&row.id], pos, "after {title}");
            }
            let keys: Vec<_> = idx.rows.iter().map(|r| r.key().to_owned()).collect();
            assert!(keys.is_sorted(), "{keys:?}");
        }
    }

    #[test]
    fn upsert_many_equals_building_the_index_again() {
        let base: Vec<_> = (0..60)
            .map(|i| {
                s(
                    i,
                    Kind::Account,
                    &format!("t{:02}", (u32::from(i) * 7) % 60),
                    "",
                )
            })
            .collect();
        let mut idx = Index::new(base.clone());
        // Replacements (new titles move rows), new records, and one record twice.
        let mut batch: Vec<_> = (50..90)
            .map(|i| {
                s(
                    i,
                    Kind::Account,
                    &format!("u{:02}", (u32::from(i) * 13) % 40),
                    "",
                )
            })
            .collect();
        batch.push(s(55, Kind::Account, "a last word", ""));
        idx.upsert_many(batch.clone());
        let mut all: HashMap<DocId, Summary> = base.into_iter().map(|x| (x.id, x)).collect();
        all.extend(batch.into_iter().map(|x| (x.id, x)));
        let rebuilt = Index::new(all.into_values());
        let ids = |i: &Index| i.all().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(ids(&idx), ids(&rebuilt));
        assert_eq!(idx.get(&DocId([55; 16])).unwrap().title, "a last word");
        for x in rebuilt.all() {
            assert_eq!(idx.get(&x.id), Some(x));
        }
        let hit = |i: &Index| {
            i.search(&text("last"), &ctx(), 10)
                .items
                .iter()
                .map(|x| x.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(hit(&idx), hit(&rebuilt));
    }

    #[test]
    fn fold_lowercases_ascii_and_strips_accents() {
        assert_eq!(fold("Bar SPORT 42"), "bar sport 42");
        assert_eq!(
            fold("CITTÀ Forlì José Ñandú Ça"),
            "citta forli jose nandu ca"
        );
        let mut out = b"x|".to_vec();
        fold_into(&mut out, "ÈE");
        assert_eq!(out, b"x|ee");
        // Eight bytes at a time, with the rest byte by byte, across every ASCII byte.
        let ascii: String = (0u8..128).map(char::from).collect();
        for cut in [0, 3, 8, 61, 128] {
            let text = format!("{}é{}", &ascii[..cut], &ascii[cut..]);
            let expected: String = text
                .chars()
                .map(|c| {
                    if c == 'é' {
                        'e'
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            assert_eq!(fold(&text), expected);
        }
        assert_eq!(ascii_len("abcdefghij€".as_bytes()), 10);
        assert_eq!(ascii_len("€".as_bytes()), 0);
    }

    #[test]
    fn values_are_distinct_and_in_folded_order() {
        let mut a = s(1, Kind::Account, "A", "milano");
        a.owner = "Bruno".into();
        let mut b = s(2, Kind::Account, "B", "Àvola");
        b.owner = "anna".into();
        let mut c = s(3, Kind::Account, "C", "Milano");
        c.owner = "Bruno".into();
        let d = s(4, Kind::Account, "D", "milano");
        let idx = Index::new(vec![a, b, c, d]);
        assert_eq!(
            idx.values(Kind::Account, |s| [s.city.as_str()]),
            ["Àvola", "Milano", "milano"]
        );
        // d keeps the helper's owner, "Anna".
        assert_eq!(
            idx.values(Kind::Account, |s| [s.owner.as_str()]),
            ["Anna", "anna", "Bruno"]
        );
    }

    #[test]
    fn limit_caps_items_not_total() {
        let idx = Index::new((0..50).map(|i| s(i, Kind::Account, &format!("n{i:02}"), "")));
        let r = idx.search(&text("n"), &ctx(), 5);
        assert_eq!((r.items.len(), r.total), (5, 50));
    }

    /// The summaries encoded into one shared buffer, as a stored pack holds them.
    fn stored(summaries: &[Summary]) -> Vec<(DocId, StoredSummary)> {
        let mut buf = Vec::new();
        let mut ranges = Vec::new();
        for x in summaries {
            let start = buf.len();
            buf.extend(x.encode());
            ranges.push((x.id, start..buf.len()));
        }
        let buf: Arc<[u8]> = buf.into();
        ranges
            .into_iter()
            .map(|(id, r)| (id, StoredSummary::new(buf.clone(), r).unwrap()))
            .collect()
    }

    fn book() -> Vec<Summary> {
        (0..40u8)
            .map(|i| {
                let mut x = s(
                    i,
                    if i % 3 == 0 {
                        Kind::Person
                    } else {
                        Kind::Account
                    },
                    &format!("Bar {}", (u32::from(i) * 17) % 40),
                    ["Forlì", "Milano", ""][usize::from(i % 3)],
                );
                x.owner = ["Anna", "Bruno"][usize::from(i % 2)].into();
                x.tags = (0..i % 3).map(|t| format!("tag{t}")).collect();
                x.custom = vec![("f1".into(), format!("valore {i}"))];
                x.deleted = i % 11 == 0;
                x
            })
            .collect()
    }

    #[test]
    fn stored_summaries_index_as_decoded_ones() {
        let book = book();
        let (idx, damaged) = Index::from_stored(stored(&book));
        assert!(damaged.is_empty());
        let decoded = Index::new(book.clone());
        let ids = |i: &Index| i.all().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(ids(&idx), ids(&decoded));
        for x in &book {
            assert_eq!(idx.get(&x.id), Some(x));
        }
        let queries = [
            text("bar 1"),
            text("valore 7"),
            text("forli"),
            Query {
                owner: Some("Bruno".into()),
                tag: Some("tag1".into()),
                ..text("bar")
            },
            Query {
                kind: Some(Kind::Person),
                deleted: true,
                ..Query::default()
            },
            Query {
                sort: Sort::City,
                ..text("1")
            },
        ];
        for q in &queries {
            let hits = |i: &Index| {
                let r = i.search(q, &ctx(), 5);
                (r.items.iter().map(|x| x.id).collect::<Vec<_>>(), r.total)
            };
            assert_eq!(hits(&idx), hits(&decoded), "{q:?}");
        }
    }

    #[test]
    fn stored_summaries_are_made_when_first_read() {
        let (idx, _) = Index::from_stored(stored(&book()));
        let made = |i: &Index| {
            i.rows
                .iter()
                .filter(|r| r.summary.decoded.get().is_some())
                .count()
        };
        assert_eq!(made(&idx), 0);
        // Text, kind and title order read the rows alone: only the items shown are made.
        let r = idx.search(
            &Query {
                kind: Some(Kind::Account),
                ..text("bar")
            },
            &ctx(),
            3,
        );
        assert_eq!(r.items.len(), 3);
        assert!(r.total > 3);
        assert_eq!(made(&idx), 3);
        // A filter on a summary's field reads every candidate's summary.
        let owned = idx.search(
            &Query {
                owner: Some("Anna".into()),
                ..Query::default()
            },
            &ctx(),
            3,
        );
        assert!(owned.items.iter().all(|x| x.owner == "Anna"));
        assert_eq!(made(&idx), idx.rows.iter().filter(|r| !r.deleted).count());
    }

    #[test]
    fn values_of_stored_summaries() {
        let book = book();
        let (idx, _) = Index::from_stored(stored(&book));
        let tags = idx.values(Kind::Account, |s| s.tags.iter().map(String::as_str));
        assert_eq!(tags, ["tag0", "tag1"]);
        let people = idx.values(Kind::Person, |s| [s.owner.as_str(), s.city.as_str()]);
        assert_eq!(people, ["Anna", "Bruno", "Forlì"]);
    }

    #[test]
    fn damaged_stored_summaries_are_left_out_and_named() {
        let book = book();
        let mut entries = stored(&book[..3]);
        // Stored under another record's id.
        entries[1].0 = DocId([200; 16]);
        // Cut short.
        let (id, whole) = &entries[2];
        let cut = StoredSummary::new(
            whole.buf.clone(),
            whole.start as usize..whole.end as usize - 4,
        )
        .unwrap();
        entries[2] = (*id, cut);
        // Not a summary at all.
        entries.push((
            DocId([201; 16]),
            StoredSummary::whole(vec![0xff; 9].into()).unwrap(),
        ));
        let (idx, damaged) = Index::from_stored(entries);
        assert_eq!(damaged, [DocId([200; 16]), book[2].id, DocId([201; 16])]);
        assert_eq!(idx.all().map(|x| x.id).collect::<Vec<_>>(), [book[0].id]);
        assert!(StoredSummary::new(vec![1, 2].into(), 1..3).is_none());
        let buf: Arc<[u8]> = vec![1, 2, 3, 4].into();
        let part = StoredSummary::within(&buf, &buf[1..3]).unwrap();
        assert_eq!(part.bytes(), [2, 3]);
        assert!(StoredSummary::within(&buf, &[2, 3]).is_none());
    }

    #[test]
    fn a_record_stored_twice_keeps_its_last_summary() {
        let first = s(7, Kind::Account, "Prima", "");
        let mut last = first.clone();
        last.title = "Ultima".into();
        let (idx, _) =
            Index::from_stored(stored(&[first, s(8, Kind::Account, "B", ""), last.clone()]));
        assert_eq!(idx.len(), 2);
        assert_eq!(idx.get(&last.id), Some(&last));
        assert_eq!(idx.search(&text("prima"), &ctx(), 5).total, 0);
        // Three times, given in another order than the titles sort.
        let versions: Vec<Summary> = ["Zeta", "Alfa", "Mezzo"]
            .into_iter()
            .map(|t| s(9, Kind::Account, t, ""))
            .collect();
        let (idx, _) = Index::from_stored(stored(&versions));
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.get(&DocId([9; 16])).unwrap().title, "Mezzo");
        assert_eq!(idx.search(&text("a"), &ctx(), 5).total, 0);
    }

    #[test]
    fn upsert_stored_equals_upsert_many() {
        let book = book();
        let (base, batch) = book.split_at(25);
        let mut changed: Vec<Summary> = base[..5]
            .iter()
            .map(|x| Summary {
                title: format!("zz {}", x.title),
                ..x.clone()
            })
            .collect();
        changed.extend(batch.iter().cloned());
        let mut a = Index::new(base.to_vec());
        a.upsert_many(changed.clone());
        let mut b = Index::new(base.to_vec());
        assert!(b.upsert_stored(stored(&changed)).is_empty());
        let mut c = Index::default();
        assert!(c.upsert_stored(stored(&changed)).is_empty());
        let ids = |i: &Index| i.all().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        for x in a.all() {
            assert_eq!(b.get(&x.id), Some(x));
        }
        assert_eq!(ids(&c), ids(&Index::new(changed)));
    }

    #[test]
    fn titles_alike_past_sixteen_bytes_sort_by_whole_title_then_id() {
        let titles = [
            "Trattoria da Mario Rossi",
            "Trattoria da Mario Bianchi",
            "TRATTORIA DA MARIO ROSSI",
            "Trattoria da Mario",
            "Trattoria da Mario Bianchi e figli",
            "Trattoria",
            "Trattoria da Màrio Verdi",
        ];
        // Ids given out of step with the titles, and each title twice.
        let mut book: Vec<Summary> = (0..titles.len() * 2)
            .map(|i| {
                s(
                    (i * 5 % 14) as u8 + 1,
                    Kind::Account,
                    titles[i % titles.len()],
                    "",
                )
            })
            .collect();
        book.reverse();
        let mut expected: Vec<(String, DocId)> =
            book.iter().map(|x| (fold(&x.title), x.id)).collect();
        expected.sort();
        let idx = Index::new(book.clone());
        let got: Vec<(String, DocId)> = idx.all().map(|x| (fold(&x.title), x.id)).collect();
        assert_eq!(got, expected);
        let (stored_idx, damaged) = Index::from_stored(stored(&book));
        assert!(damaged.is_empty());
        let got: Vec<DocId> = stored_idx.all().map(|x| x.id).collect();
        assert_eq!(got, expected.iter().map(|x| x.1).collect::<Vec<_>>());
    }

    #[test]
    fn an_index_built_in_parts_equals_one_built_at_once() {
        let book = book();
        let (whole, _) = Index::from_stored(stored(&book));
        let mut builder = IndexBuilder::default();
        for part in book.chunks(7) {
            builder.add(stored(part));
        }
        // A newer summary of one record comes in the last part, as loose
        // summaries come after the packed ones.
        let newer = Summary {
            title: "Zz nuovo nome".into(),
            ..book[3].clone()
        };
        builder.add(stored(std::slice::from_ref(&newer)));
        assert_eq!(builder.len(), book.len() + 1);
        let (parts, damaged) = builder.finish();
        assert!(damaged.is_empty());
        assert_eq!(parts.len(), whole.len());
        assert_eq!(parts.get(&newer.id), Some(&newer));
        let ids = |i: &Index| {
            i.all()
                .map(|x| x.id)
                .filter(|id| *id != newer.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&parts), ids(&whole));
        assert_eq!(parts.all().last().map(|x| x.id), Some(newer.id));
    }

    #[test]
    fn summary_round_trips() {
        let x = s(9, Kind::Person, "Giulia", "Bra");
        assert_eq!(Summary::decode(&x.encode()).unwrap(), x);
    }
}
