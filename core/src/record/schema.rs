//! What each kind of record holds: its fields, their types, where they live in the
//! document, and its collections. The document code, the validation and the app's
//! forms all read these tables, so a field is declared once.

use serde::{Deserialize, Serialize};

/// The kinds of record a team's book holds. Each record is one Automerge document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    /// A company or person the team sells to or buys from; holds its addresses,
    /// extra contacts, interactions and orders.
    Account,
    /// A person at an account (may move between accounts).
    Person,
    /// A catalogue product.
    Product,
    /// A deal in the pipeline.
    Deal,
    /// A task, follow-up or planned visit.
    Task,
    /// The team's shared settings: custom field definitions and saved views.
    /// One per team, created identically by every device (see [`super::TEAM_DOC`]).
    Team,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Account,
        Kind::Person,
        Kind::Product,
        Kind::Deal,
        Kind::Task,
        Kind::Team,
    ];

    /// The stored form (and the app's translation key).
    pub fn key(self) -> &'static str {
        match self {
            Kind::Account => "account",
            Kind::Person => "person",
            Kind::Product => "product",
            Kind::Deal => "deal",
            Kind::Task => "task",
            Kind::Team => "team",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// This kind's schema.
    pub fn spec(self) -> &'static KindSpec {
        match self {
            Kind::Account => &ACCOUNT,
            Kind::Person => &PERSON,
            Kind::Product => &PRODUCT,
            Kind::Deal => &DEAL,
            Kind::Task => &TASK,
            Kind::Team => &TEAM,
        }
    }
}

/// How a field's value is entered, checked and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text (≤ 200 characters).
    Text,
    /// Free text (≤ 20,000 characters).
    LongText,
    Email,
    Phone,
    /// A web address; `example.it` is accepted and stored as typed.
    Url,
    /// A VAT id: Italian (11 digits with check digit, optional `IT`) or another EU
    /// country's prefix followed by 2-13 letters and digits.
    VatId,
    /// `YYYY-MM-DD`, stored as text.
    Date,
    /// `HH:MM`, stored as text.
    Time,
    /// Euros, entered as `1.234,56` or `1234.56`, stored as integer cents; never negative.
    Money,
    /// A decimal quantity, stored as a float; never negative (refunds are orders of
    /// kind `refund`, not negative quantities).
    Quantity,
    /// A whole number within bounds, stored as an integer.
    Int {
        min: i64,
        max: i64,
    },
    /// Yes/no, stored as a boolean; entered as `true`/`false` (or empty for false).
    Bool,
    /// One of a fixed set of keys.
    Choice(&'static [&'static str]),
    /// Another record of this kind, by its 32-hex-digit id.
    Ref(Kind),
    /// A rep's name on the team.
    Rep,
}

/// Where in the document a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Root,
    /// The nested `address` map (the main address; schema 1 kept it there).
    Address,
}

/// Root keys the document model itself uses; no field may take them.
pub const RESERVED: &[&str] = &[
    "schema",
    "kind",
    "created_at",
    "created_by",
    "deleted",
    "tags",
    "notes",
    "custom",
    "address",
];

/// One field of a record or of a collection item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub ty: FieldType,
    pub place: Place,
    /// Saving with this field empty is refused.
    pub required: bool,
}

/// A collection inside a record: a map of items keyed by id, each a map of fields.
/// Items are never physically removed: removal sets `removed`, so a concurrent edit
/// of a removed item is still visible in history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollSpec {
    pub key: &'static str,
    pub fields: &'static [FieldSpec],
    /// Items carry a nested collection (an order's lines).
    pub sub: Option<&'static CollSpec>,
}

/// A kind's whole schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    pub kind: Kind,
    pub fields: &'static [FieldSpec],
    pub collections: &'static [CollSpec],
    /// The field lists show as the record's title.
    pub title: &'static str,
}

impl KindSpec {
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn collection(&self, key: &str) -> Option<&'static CollSpec> {
        self.collections.iter().find(|c| c.key == key)
    }
}

impl CollSpec {
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }
}

const fn f(key: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        key,
        ty,
        place: Place::Root,
        required: false,
    }
}

const fn required(key: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        key,
        ty,
        place: Place::Root,
        required: true,
    }
}

const fn addr(key: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        ty: FieldType::Text,
        place: Place::Address,
        required: false,
    }
}

// `key()` is not const (it comes from a macro shared with non-const code), so the
// choice lists are spelled out here and checked against the enums in the tests.
pub const RELATIONS: &[&str] = &["customer", "supplier", "both"];
pub const ACCOUNT_STATUSES: &[&str] = &["prospect", "active", "dormant", "lost"];
pub const SOURCES: &[&str] = &["own", "imported", "enrichment"];
pub const CHANNELS: &[&str] = &[
    "visit", "phone", "email", "letter", "video", "chat", "other",
];
pub const DIRECTIONS: &[&str] = &["out", "in"];
pub const OUTCOMES: &[&str] = &["", "positive", "neutral", "negative"];
pub const ORDER_STATUSES: &[&str] = &["draft", "confirmed", "delivered", "cancelled"];
pub const ORDER_KINDS: &[&str] = &["sale", "refund"];
pub const STAGES: &[&str] = &[
    "lead",
    "qualified",
    "proposal",
    "negotiation",
    "won",
    "lost",
];
pub const SIZES: &[&str] = &["", "micro", "small", "medium", "large"];
pub const ADDRESS_KINDS: &[&str] = &["billing", "shipping", "office", "warehouse", "other"];
pub const CONTACT_KINDS: &[&str] = &["phone", "mobile", "fax", "email", "website", "other"];
pub const TASK_KINDS: &[&str] = &["task", "call", "visit", "email", "issue"];
pub const CUSTOM_TYPES: &[&str] = &["text", "number", "date", "choice"];
pub const CUSTOM_TARGETS: &[&str] = &["account", "person", "deal"];

pub static ACCOUNT: KindSpec = KindSpec {
    kind: Kind::Account,
    title: "name",
    fields: &[
        required("name", FieldType::Text),
        // Stored as `company` since schema 1.
        f("company", FieldType::Text),
        f("relation", FieldType::Choice(RELATIONS)),
        f("status", FieldType::Choice(ACCOUNT_STATUSES)),
        f("vat_id", FieldType::VatId),
        f("phone", FieldType::Phone),
        f("email", FieldType::Email),
        f("website", FieldType::Url),
        f("industry", FieldType::Text),
        f("size", FieldType::Choice(SIZES)),
        f("traits", FieldType::LongText),
        f("preferences", FieldType::LongText),
        f("source", FieldType::Choice(SOURCES)),
        f("source_detail", FieldType::Text),
        f("source_date", FieldType::Date),
        f("owner", FieldType::Rep),
        f("referred_by", FieldType::Ref(Kind::Account)),
        // Set when this account was a duplicate folded into another one.
        f("merged_into", FieldType::Ref(Kind::Account)),
        addr("street"),
        addr("city"),
        addr("postcode"),
        addr("province"),
        addr("country"),
    ],
    collections: &[INTERACTIONS, ADDRESSES, CONTACTS, ORDERS],
};

pub static PERSON: KindSpec = KindSpec {
    kind: Kind::Person,
    title: "name",
    fields: &[
        required("name", FieldType::Text),
        f("account", FieldType::Ref(Kind::Account)),
        f("role", FieldType::Text),
        f("phone", FieldType::Phone),
        f("mobile", FieldType::Phone),
        f("email", FieldType::Email),
        f("preferred_channel", FieldType::Choice(CHANNELS)),
        f("birthday", FieldType::Date),
        f("owner", FieldType::Rep),
    ],
    collections: &[INTERACTIONS, CONTACTS],
};

pub static PRODUCT: KindSpec = KindSpec {
    kind: Kind::Product,
    title: "name",
    fields: &[
        required("code", FieldType::Text),
        required("name", FieldType::Text),
        f("category", FieldType::Text),
        f("unit_price", FieldType::Money),
        f("unit", FieldType::Text),
        f("discontinued", FieldType::Bool),
    ],
    collections: &[],
};

pub static DEAL: KindSpec = KindSpec {
    kind: Kind::Deal,
    title: "title",
    fields: &[
        required("title", FieldType::Text),
        f("account", FieldType::Ref(Kind::Account)),
        f("person", FieldType::Ref(Kind::Person)),
        f("owner", FieldType::Rep),
        f("stage", FieldType::Choice(STAGES)),
        f("value", FieldType::Money),
        f("probability", FieldType::Int { min: 0, max: 100 }),
        f("expected_close", FieldType::Date),
        f("lost_reason", FieldType::Text),
    ],
    collections: &[],
};

pub static TASK: KindSpec = KindSpec {
    kind: Kind::Task,
    title: "title",
    fields: &[
        required("title", FieldType::Text),
        f("type", FieldType::Choice(TASK_KINDS)),
        f("due", FieldType::Date),
        f("time", FieldType::Time),
        f("assignee", FieldType::Rep),
        f("account", FieldType::Ref(Kind::Account)),
        f("person", FieldType::Ref(Kind::Person)),
        f("deal", FieldType::Ref(Kind::Deal)),
        f("done", FieldType::Bool),
    ],
    collections: &[],
};

pub static TEAM: KindSpec = KindSpec {
    kind: Kind::Team,
    title: "name",
    fields: &[f("name", FieldType::Text)],
    collections: &[CUSTOM_FIELDS, VIEWS],
};

/// Interactions on an account or a person. `by` and `at` are set from the stamp of
/// the change that logs it.
pub const INTERACTIONS: CollSpec = CollSpec {
    key: "interactions",
    fields: &[
        f("channel", FieldType::Choice(CHANNELS)),
        f("direction", FieldType::Choice(DIRECTIONS)),
        required("date", FieldType::Date),
        f("time", FieldType::Time),
        f(
            "duration",
            FieldType::Int {
                min: 0,
                max: 24 * 60,
            },
        ),
        f("person", FieldType::Ref(Kind::Person)),
        f("summary", FieldType::LongText),
        f("outcome", FieldType::LongText),
        f("rating", FieldType::Choice(OUTCOMES)),
        f("next_step", FieldType::Text),
    ],
    sub: None,
};

/// Addresses beyond the main one.
pub const ADDRESSES: CollSpec = CollSpec {
    key: "addresses",
    fields: &[
        f("kind", FieldType::Choice(ADDRESS_KINDS)),
        f("street", FieldType::Text),
        f("city", FieldType::Text),
        f("postcode", FieldType::Text),
        f("province", FieldType::Text),
        f("country", FieldType::Text),
    ],
    sub: None,
};

/// Phones, emails and web addresses beyond the main ones.
pub const CONTACTS: CollSpec = CollSpec {
    key: "contacts",
    fields: &[
        f("kind", FieldType::Choice(CONTACT_KINDS)),
        f("label", FieldType::Text),
        required("value", FieldType::Text),
    ],
    sub: None,
};

/// An account's orders (a refund is an order of kind `refund`).
pub const ORDERS: CollSpec = CollSpec {
    key: "orders",
    fields: &[
        f("number", FieldType::Text),
        required("date", FieldType::Date),
        f("kind", FieldType::Choice(ORDER_KINDS)),
        f("status", FieldType::Choice(ORDER_STATUSES)),
        f("rep", FieldType::Rep),
        f("note", FieldType::LongText),
    ],
    sub: Some(&LINES),
};

/// The lines of an order. Code, name and category are copied from the product when
/// the line is entered, so an order reads the same after the catalogue changes.
pub const LINES: CollSpec = CollSpec {
    key: "lines",
    fields: &[
        required("product", FieldType::Ref(Kind::Product)),
        f("code", FieldType::Text),
        f("name", FieldType::Text),
        f("category", FieldType::Text),
        required("quantity", FieldType::Quantity),
        f("unit_price", FieldType::Money),
        f("discount", FieldType::Int { min: 0, max: 100 }),
    ],
    sub: None,
};

/// Custom field definitions (team document).
pub const CUSTOM_FIELDS: CollSpec = CollSpec {
    key: "custom_fields",
    fields: &[
        required("label", FieldType::Text),
        f("type", FieldType::Choice(CUSTOM_TYPES)),
        f("choices", FieldType::Text),
        f("applies_to", FieldType::Choice(CUSTOM_TARGETS)),
        f("position", FieldType::Int { min: 0, max: 1000 }),
    ],
    sub: None,
};

/// Saved list views (team document): a kind and a filter query string.
pub const VIEWS: CollSpec = CollSpec {
    key: "views",
    fields: &[
        required("name", FieldType::Text),
        f("list", FieldType::Text),
        f("query", FieldType::LongText),
    ],
    sub: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{
        AccountStatus, Channel, Direction, OrderStatus, Outcome, Relation, Source, Stage,
    };

    fn keys<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| key(*v)).collect()
    }

    #[test]
    fn choice_lists_match_the_vocabularies() {
        assert_eq!(RELATIONS, keys(Relation::ALL, Relation::key));
        assert_eq!(
            ACCOUNT_STATUSES,
            keys(AccountStatus::ALL, AccountStatus::key)
        );
        assert_eq!(SOURCES, keys(Source::ALL, Source::key));
        assert_eq!(CHANNELS, keys(Channel::ALL, Channel::key));
        assert_eq!(DIRECTIONS, keys(Direction::ALL, Direction::key));
        assert_eq!(OUTCOMES, keys(Outcome::ALL, Outcome::key));
        assert_eq!(ORDER_STATUSES, keys(OrderStatus::ALL, OrderStatus::key));
        assert_eq!(STAGES, keys(Stage::ALL, Stage::key));
    }

    #[test]
    fn keys_are_unique_per_kind() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            let mut keys: Vec<_> = spec.fields.iter().map(|f| f.key).collect();
            keys.extend(spec.collections.iter().map(|c| c.key));
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "{kind:?}");
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
            assert!(spec.field(spec.title).is_some());
            for f in spec.fields {
                assert!(
                    !RESERVED.contains(&f.key),
                    "{kind:?}.{} is a reserved key",
                    f.key
                );
            }
        }
    }
}
