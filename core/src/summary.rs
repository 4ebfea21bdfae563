//! Summaries: the plain-struct projection of one record that lists, search, the
//! Today view and analytics run on, so the app never opens every document.
//!
//! Invariant: a summary is always derived from its document ([`Summary::of`]) and
//! rewritten in the same storage transaction as the document, so the two never
//! disagree after a reload.

use crate::analytics::facts::{
    AccountFacts, DealFacts, InteractionFacts, LineFacts, OrderFacts, ProductFacts, TaskFacts,
};
use crate::day::Day;
use crate::ids::DocId;
use crate::record::{Item, Kind, Record};
use crate::vocab::{AccountStatus, Channel, OrderStatus, Outcome, Stage};
use crate::wire::{Malformed, Reader};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The layout of [`Summary::encode`]'s bytes. Summaries are stored on devices
/// and shipped in relay snapshots made by other builds; a reader that finds
/// another format rebuilds the summary from its document. Change this number
/// with every change to `Summary` or the structs inside it (the
/// `summary_format_is_pinned` test fails until the fixture is rewritten).
pub const SUMMARY_FORMAT: u32 = 1;

/// How many characters of a record's notes the summary keeps for search.
pub const NOTES_IN_SUMMARY: usize = 300;

/// What lists, search and analytics need of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: DocId,
    pub kind: Kind,
    /// Name or title.
    pub title: String,
    /// A second line: an account's company, a person's role, a product's code…
    pub subtitle: String,
    /// The account a person, deal or task belongs to.
    pub account: Option<DocId>,
    /// Owner of an account or deal, assignee of a task.
    pub owner: String,
    /// Account status, deal stage, task type; empty for other kinds.
    pub status: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub tags: Vec<String>,
    /// The start of the notes, for search.
    pub notes: String,
    /// Day of the newest interaction (accounts and people).
    pub last_contact: Option<Day>,
    /// A task's due day or a deal's expected close.
    pub due: Option<Day>,
    /// A task is done; a product is discontinued.
    pub done: bool,
    /// A deal's value or a product's price, in cents.
    pub amount: i64,
    pub interactions: u32,
    /// Fields with unresolved concurrent values.
    pub conflicts: u32,
    pub deleted: bool,
    pub updated_by: String,
    pub updated_at: i64,
    /// Custom field values by definition id.
    pub custom: Vec<(String, String)>,
    /// What analytics reads of this record, decoded on first use. It is
    /// encoded last, after the fields above (see [`Summary::encode`]).
    #[serde(skip)]
    pub facts: LazyFacts,
}

/// A summary's analytics facts, kept as their encoded bytes until something
/// reads them. Start-up decodes every summary of the book for lists and search,
/// which read none of the facts; the dashboard, Today and a record's insights
/// decode them when they first look. Facts whose bytes do not decode (a damaged
/// store: another format is caught by [`SUMMARY_FORMAT`]) read as [`Facts::None`].
#[derive(Default)]
pub struct LazyFacts {
    /// Their postcard bytes; empty once changed through [`LazyFacts::get_mut`].
    encoded: Box<[u8]>,
    decoded: OnceLock<Facts>,
}

impl LazyFacts {
    fn from_encoded(bytes: &[u8]) -> LazyFacts {
        LazyFacts {
            encoded: bytes.into(),
            decoded: OnceLock::new(),
        }
    }

    pub fn get(&self) -> &Facts {
        self.decoded
            .get_or_init(|| postcard::from_bytes(&self.encoded).unwrap_or(Facts::None))
    }

    pub fn get_mut(&mut self) -> &mut Facts {
        self.get();
        self.encoded = Box::default();
        self.decoded.get_mut().expect("decoded just above")
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        match self.decoded.get() {
            Some(facts) if self.encoded.is_empty() => {
                let bytes = postcard::to_allocvec(facts).expect("postcard encoding into a Vec");
                out.extend_from_slice(&bytes);
            }
            _ => out.extend_from_slice(&self.encoded),
        }
    }
}

impl From<Facts> for LazyFacts {
    fn from(facts: Facts) -> LazyFacts {
        LazyFacts {
            encoded: Box::default(),
            decoded: OnceLock::from(facts),
        }
    }
}

impl Clone for LazyFacts {
    fn clone(&self) -> LazyFacts {
        match self.decoded.get() {
            Some(facts) if self.encoded.is_empty() => facts.clone().into(),
            _ => LazyFacts::from_encoded(&self.encoded),
        }
    }
}

impl PartialEq for LazyFacts {
    fn eq(&self, other: &LazyFacts) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for LazyFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// The analytics facts a record contributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Facts {
    None,
    Account {
        account: AccountFacts,
        orders: Vec<OrderFacts>,
        interactions: Vec<InteractionFacts>,
    },
    /// A person's own interactions, credited to their account when they have one.
    Person {
        interactions: Vec<InteractionFacts>,
    },
    Product(ProductFacts),
    Deal(DealFacts),
    Task(TaskFacts),
}

impl Summary {
    /// Projects a record (read from its document). `None` for a document whose
    /// creating change has not arrived yet, and for the team document.
    pub fn of(r: &Record) -> Option<Summary> {
        let id = r.id?;
        let kind = r.kind?;
        if kind == Kind::Team {
            return None;
        }
        let (updated_by, updated_at) = r.last_edit.clone().unwrap_or_default();
        let interactions: Vec<&Item> = r.items("interactions").collect();
        let last_contact = interactions
            .iter()
            .filter_map(|i| i.get("date").as_day())
            .max();
        let mut s = Summary {
            id,
            kind,
            title: r.title().to_owned(),
            subtitle: String::new(),
            account: r.get("account").as_id(),
            owner: r.text("owner").to_owned(),
            status: String::new(),
            city: r.text("city").to_owned(),
            phone: r.text("phone").to_owned(),
            email: r.text("email").to_owned(),
            tags: r.tags.clone(),
            notes: r.notes.chars().take(NOTES_IN_SUMMARY).collect(),
            last_contact,
            due: None,
            done: false,
            amount: 0,
            interactions: interactions.len() as u32,
            conflicts: r.conflicts.len() as u32,
            deleted: r.deleted,
            updated_by,
            updated_at,
            custom: r
                .custom
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            facts: LazyFacts::default(),
        };
        let created = Day::from_ms(r.created_at);
        let mut facts = Facts::None;
        match kind {
            Kind::Account => {
                s.subtitle = r.text("company").to_owned();
                let status =
                    AccountStatus::from_key(r.text("status")).unwrap_or(AccountStatus::Prospect);
                s.status = status.key().to_owned();
                facts = Facts::Account {
                    account: AccountFacts {
                        id,
                        name: s.title.clone(),
                        owner: s.owner.clone(),
                        status,
                        referred_by: r.get("referred_by").as_id(),
                        created,
                        deleted: r.deleted,
                        merged_into: r.get("merged_into").as_id(),
                    },
                    orders: r
                        .items("orders")
                        .filter_map(|o| order_facts(id, &s.owner, o))
                        .collect(),
                    interactions: interactions
                        .iter()
                        .filter_map(|i| interaction_facts(id, i))
                        .collect(),
                };
            }
            Kind::Person => {
                s.subtitle = r.text("role").to_owned();
                if s.phone.is_empty() {
                    s.phone = r.text("mobile").to_owned();
                }
                facts = Facts::Person {
                    interactions: match s.account {
                        Some(account) => interactions
                            .iter()
                            .filter_map(|i| {
                                let mut f = interaction_facts(account, i)?;
                                f.person = Some(id);
                                Some(f)
                            })
                            .collect(),
                        None => Vec::new(),
                    },
                };
            }
            Kind::Product => {
                s.subtitle = r.text("code").to_owned();
                s.status = r.text("category").to_owned();
                s.amount = r.get("unit_price").as_int().unwrap_or(0);
                s.done = r.get("discontinued").as_bool();
                facts = Facts::Product(ProductFacts {
                    id,
                    code: s.subtitle.clone(),
                    name: s.title.clone(),
                    category: s.status.clone(),
                    unit_price: s.amount,
                });
            }
            Kind::Deal => {
                let stage = Stage::from_key(r.text("stage")).unwrap_or(Stage::Lead);
                s.status = stage.key().to_owned();
                s.amount = r.get("value").as_int().unwrap_or(0);
                s.due = r.get("expected_close").as_day();
                let probability = r
                    .get("probability")
                    .as_int()
                    .map_or(stage.default_probability(), |p| p.clamp(0, 100) as u8);
                if let Some(account) = s.account {
                    facts = Facts::Deal(DealFacts {
                        id,
                        account,
                        owner: s.owner.clone(),
                        stage,
                        value: s.amount,
                        probability,
                        expected_close: s.due,
                    });
                }
            }
            Kind::Task => {
                s.owner = r.text("assignee").to_owned();
                s.status = r.text("type").to_owned();
                s.due = r.get("due").as_day();
                s.done = r.get("done").as_bool();
                s.subtitle = r.text("time").to_owned();
                facts = Facts::Task(TaskFacts {
                    account: s.account,
                    due: s.due,
                    done: s.done,
                    is_issue: s.status == "issue",
                });
            }
            Kind::Team => {}
        }
        s.facts = facts.into();
        Some(s)
    }

    /// Compact bytes for storage: the fields in order, then the facts (the
    /// postcard encoding of the whole struct, as [`SUMMARY_FORMAT`] pins it).
    pub fn encode(&self) -> Vec<u8> {
        // Serializing a plain struct into a Vec cannot fail.
        let mut out = postcard::to_allocvec(self).expect("postcard encoding into a Vec");
        self.facts.encode_into(&mut out);
        out
    }

    /// Decodes every field but the facts, which keep their bytes until read.
    pub fn decode(bytes: &[u8]) -> Result<Summary, Malformed> {
        SummaryRef::parse(bytes).map(|r| r.to_summary())
    }

    /// This summary's fields, borrowed.
    pub fn view(&self) -> SummaryRef<'_> {
        SummaryRef {
            id: self.id,
            kind: self.kind,
            title: &self.title,
            subtitle: &self.subtitle,
            account: self.account,
            owner: &self.owner,
            status: &self.status,
            city: &self.city,
            phone: &self.phone,
            email: &self.email,
            tags: self.tags.iter().map(String::as_str).collect(),
            notes: &self.notes,
            last_contact: self.last_contact,
            due: self.due,
            done: self.done,
            amount: self.amount,
            interactions: self.interactions,
            conflicts: self.conflicts,
            deleted: self.deleted,
            updated_by: &self.updated_by,
            updated_at: self.updated_at,
            custom: self
                .custom
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            facts: &[],
        }
    }
}

/// A stored summary read in place: its text borrowed from the encoded bytes,
/// its facts left encoded. Start-up reads every summary of the book this way,
/// for the index's search text and sort key, without copying any of it; the
/// whole [`Summary`] is made when something first reads that record
/// ([`crate::index::Index::from_stored`]).
///
/// Its fields are [`Summary`]'s, in the same order, and [`SummaryRef::parse`]
/// reads them as postcard writes them; it is how [`Summary::decode`] reads
/// [`SUMMARY_FORMAT`], so the two cannot drift apart unnoticed (the round
/// trip and pinned-format tests).
#[derive(Debug)]
pub struct SummaryRef<'a> {
    pub id: DocId,
    pub kind: Kind,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub account: Option<DocId>,
    pub owner: &'a str,
    pub status: &'a str,
    pub city: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub tags: Vec<&'a str>,
    pub notes: &'a str,
    pub last_contact: Option<Day>,
    pub due: Option<Day>,
    pub done: bool,
    pub amount: i64,
    pub interactions: u32,
    pub conflicts: u32,
    pub deleted: bool,
    pub updated_by: &'a str,
    pub updated_at: i64,
    pub custom: Vec<(&'a str, &'a str)>,
    /// The facts' encoded bytes (empty for a summary borrowed with
    /// [`Summary::view`]).
    pub facts: &'a [u8],
}

impl<'a> SummaryRef<'a> {
    /// Reads [`Summary::encode`]'s bytes in place.
    pub fn parse(bytes: &'a [u8]) -> Result<SummaryRef<'a>, Malformed> {
        let mut r = Reader::new(bytes);
        let day = |r: &mut Reader<'a>| -> Result<Option<Day>, Malformed> {
            Ok(if r.some()? { Some(Day(r.i32()?)) } else { None })
        };
        let s = SummaryRef {
            id: r.id()?,
            kind: *Kind::ALL.get(r.u32()? as usize).ok_or(Malformed)?,
            title: r.str()?,
            subtitle: r.str()?,
            account: if r.some()? { Some(r.id()?) } else { None },
            owner: r.str()?,
            status: r.str()?,
            city: r.str()?,
            phone: r.str()?,
            email: r.str()?,
            tags: {
                let n = r.count()?;
                // Each tag takes at least a byte: a count beyond the bytes
                // left is refused before anything is reserved for it.
                let mut tags = Vec::with_capacity(n.min(r.rest().len()));
                for _ in 0..n {
                    tags.push(r.str()?);
                }
                tags
            },
            notes: r.str()?,
            last_contact: day(&mut r)?,
            due: day(&mut r)?,
            done: r.bool()?,
            amount: r.i64()?,
            interactions: r.u32()?,
            conflicts: r.u32()?,
            deleted: r.bool()?,
            updated_by: r.str()?,
            updated_at: r.i64()?,
            custom: {
                let n = r.count()?;
                let mut custom = Vec::with_capacity(n.min(r.rest().len() / 2));
                for _ in 0..n {
                    custom.push((r.str()?, r.str()?));
                }
                custom
            },
            facts: &[],
        };
        Ok(SummaryRef {
            facts: r.rest(),
            ..s
        })
    }

    /// The searched text fields after the title, in the index's order.
    pub fn searched(&self) -> impl Iterator<Item = &'a str> + Clone + '_ {
        [self.subtitle, self.city, self.email, self.phone, self.notes]
            .into_iter()
            .chain(self.tags.iter().copied())
            .chain(self.custom.iter().map(|&(_, v)| v))
    }

    /// The owned summary, its facts still encoded until read.
    pub fn to_summary(&self) -> Summary {
        Summary {
            id: self.id,
            kind: self.kind,
            title: self.title.to_owned(),
            subtitle: self.subtitle.to_owned(),
            account: self.account,
            owner: self.owner.to_owned(),
            status: self.status.to_owned(),
            city: self.city.to_owned(),
            phone: self.phone.to_owned(),
            email: self.email.to_owned(),
            tags: self.tags.iter().map(|&t| t.to_owned()).collect(),
            notes: self.notes.to_owned(),
            last_contact: self.last_contact,
            due: self.due,
            done: self.done,
            amount: self.amount,
            interactions: self.interactions,
            conflicts: self.conflicts,
            deleted: self.deleted,
            updated_by: self.updated_by.to_owned(),
            updated_at: self.updated_at,
            custom: self
                .custom
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            facts: LazyFacts::from_encoded(self.facts),
        }
    }
}

/// Order ids are 32 hex digits when the app makes them; other ids (imports,
/// tests) map to a stable id derived from the account and the item id.
fn item_doc_id(account: DocId, item: &str) -> DocId {
    item.parse().unwrap_or_else(|_| {
        // FNV-1a over the account id and the item id, spread over 16 bytes.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in account.0.iter().chain(item.as_bytes()) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&h.to_le_bytes());
        out[8..].copy_from_slice(&h.rotate_left(29).to_le_bytes());
        DocId(out)
    })
}

fn order_facts(account: DocId, owner: &str, o: &Item) -> Option<OrderFacts> {
    let refund = o.text("kind") == "refund";
    let sign = if refund { -1.0 } else { 1.0 };
    Some(OrderFacts {
        id: item_doc_id(account, &o.id),
        account,
        rep: match o.text("rep") {
            "" => owner.to_owned(),
            rep => rep.to_owned(),
        },
        date: o.get("date").as_day()?,
        status: OrderStatus::from_key(o.text("status")).unwrap_or(OrderStatus::Confirmed),
        lines: o
            .sub
            .iter()
            .filter_map(|l| {
                Some(LineFacts {
                    product: l.get("product").as_id()?,
                    quantity: sign * l.get("quantity").as_num()?,
                    unit_price: l.get("unit_price").as_int().unwrap_or(0),
                    discount_pct: l.get("discount").as_num().unwrap_or(0.0),
                })
            })
            .collect(),
    })
}

fn interaction_facts(account: DocId, i: &Item) -> Option<InteractionFacts> {
    Some(InteractionFacts {
        account,
        person: i.get("person").as_id(),
        channel: Channel::from_key(i.text("channel")).unwrap_or(Channel::Other),
        date: i.get("date").as_day()?,
        outcome: Outcome::from_key(i.text("rating")).unwrap_or_default(),
        rep: i.by.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        ".{0,24}"
    }

    prop_compose! {
        fn summary()(
            id: [u8; 16], kind in 0..6usize, title in text(), subtitle in text(),
            account: Option<[u8; 16]>, owner in text(), status in text(), city in text(),
            phone in text(), email in text(),
            tags in proptest::collection::vec(text(), 0..4), notes in ".{0,300}",
            last_contact: Option<i32>, due: Option<i32>, done: bool, amount: i64,
            interactions: u32, conflicts: u32, deleted: bool, updated_by in text(),
            updated_at: i64, custom in proptest::collection::vec((text(), text()), 0..3),
            interaction_count in 0..3usize,
        ) -> Summary {
            let interactions_facts = (0..interaction_count)
                .map(|i| InteractionFacts {
                    account: DocId(id),
                    person: None,
                    channel: Channel::Visit,
                    date: Day(i as i32),
                    outcome: Outcome::default(),
                    rep: owner.clone(),
                })
                .collect();
            Summary {
                id: DocId(id), kind: Kind::ALL[kind], title, subtitle,
                account: account.map(DocId), owner, status, city, phone, email, tags, notes,
                last_contact: last_contact.map(Day), due: due.map(Day), done, amount,
                interactions, conflicts, deleted, updated_by, updated_at, custom,
                facts: Facts::Person { interactions: interactions_facts }.into(),
            }
        }
    }

    proptest! {
        /// The hand-written reader agrees with postcard's on every field, and
        /// refuses every cut that ends inside the fields.
        #[test]
        fn parse_reads_what_encode_writes(s in summary()) {
            let bytes = s.encode();
            let parsed = SummaryRef::parse(&bytes).unwrap();
            let (by_serde, facts): (Summary, &[u8]) = postcard::take_from_bytes(&bytes).unwrap();
            prop_assert_eq!(parsed.facts, facts);
            prop_assert_eq!(&Summary { facts: LazyFacts::from_encoded(facts), ..by_serde }, &s);
            prop_assert_eq!(&parsed.to_summary(), &s);
            prop_assert_eq!(&Summary::decode(&bytes).unwrap(), &s);
            let fields = bytes.len() - facts.len();
            for cut in 0..fields {
                prop_assert!(SummaryRef::parse(&bytes[..cut]).is_err(), "cut at {}", cut);
            }
        }
    }

    #[test]
    fn a_kind_is_its_position_among_the_kinds() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(postcard::to_allocvec(&kind).unwrap(), [i as u8]);
        }
    }
}
