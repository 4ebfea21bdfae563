//! The facts analytics reads: plain structs filled from the record documents.
//!
//! They are the contract between the record model and the metrics: nothing here
//! knows about Automerge, and every metric reads only these. Money is `i64` cents
//! (EUR) everywhere; dates are [`Day`]s.
//!
//! Rules every metric follows (tested in `core/tests/analytics.rs`):
//! - **Counted orders.** Only `Confirmed` and `Delivered` orders count; `Draft` and
//!   `Cancelled` orders count for no revenue, no purchase and no rhythm.
//! - **Refunds** are lines with a negative quantity; they lower revenue where they
//!   fall. An order is a *purchase* when it counts and has at least one line with a
//!   positive quantity, so a refund-only order is not a visit to the shop.
//! - **Merged accounts.** An account with `merged_into` hands all of its orders,
//!   interactions, deals and tasks to the account it was merged into (following
//!   chains of merges). A merge target that is not in the book leaves the records
//!   where they are; a loop of merges sends them all to the account with the
//!   smallest id in the loop.
//! - **Deleted accounts** (and merged ones) appear in no per-account result: no
//!   ranking, segment, rhythm, health, suggestion or referral. The money they made
//!   still counts in the team's totals (per rep, product, category, month), because
//!   it was real. Records of an account id not in the book count the same way.
//! - **Today.** History metrics (segments, rhythms, health, referrals, baskets) read
//!   orders dated on or before [`Book::today`]; revenue over a period reads the
//!   orders in that period, whatever today is.

use crate::day::Day;
use crate::ids::DocId;
use crate::vocab::{AccountStatus, Channel, OrderStatus, Outcome, Stage};
use serde::{Deserialize, Serialize};

/// Everything analytics reads about a team's book, as of one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// The day the figures are computed for ("now").
    pub today: Day,
    pub accounts: Vec<AccountFacts>,
    pub products: Vec<ProductFacts>,
    pub orders: Vec<OrderFacts>,
    pub interactions: Vec<InteractionFacts>,
    pub deals: Vec<DealFacts>,
    pub tasks: Vec<TaskFacts>,
}

impl Book {
    /// A book with no records, as of `today`.
    pub fn empty(today: Day) -> Book {
        Book {
            today,
            accounts: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
            interactions: Vec::new(),
            deals: Vec::new(),
            tasks: Vec::new(),
        }
    }
}

/// One account (a customer company). When the same id appears twice, the first
/// occurrence is the account and later ones are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub id: DocId,
    pub name: String,
    /// The rep who owns the account.
    pub owner: String,
    pub status: AccountStatus,
    /// The account whose word of mouth brought this one, if known.
    pub referred_by: Option<DocId>,
    pub created: Day,
    pub deleted: bool,
    /// Set when this account was a duplicate folded into another one.
    pub merged_into: Option<DocId>,
}

/// One product of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFacts {
    pub id: DocId,
    pub code: String,
    pub name: String,
    /// Free-text category; the empty category collects uncategorised products and
    /// order lines whose product is not in the catalogue.
    pub category: String,
    /// List price in cents.
    pub unit_price: i64,
}

/// One order. See the module docs for which orders count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub id: DocId,
    pub account: DocId,
    /// The rep credited with the order.
    pub rep: String,
    pub date: Day,
    pub status: OrderStatus,
    pub lines: Vec<LineFacts>,
}

impl OrderFacts {
    /// Whether the order counts for revenue: `Confirmed` and `Delivered` do, a
    /// `Draft` (not yet agreed) and a `Cancelled` order do not.
    pub fn counts(&self) -> bool {
        counts(self.status)
    }

    /// Sum of the line totals, in cents, whatever the status.
    pub fn total(&self) -> i64 {
        self.lines
            .iter()
            .fold(0i64, |sum, l| sum.saturating_add(l.total()))
    }

    /// Whether this counted order is a purchase: it has a line with a positive quantity.
    pub fn is_purchase(&self) -> bool {
        self.counts() && self.lines.iter().any(|l| l.quantity > 0.0)
    }
}

/// Whether orders with this status count for revenue (see [`OrderFacts::counts`]).
pub fn counts(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Confirmed | OrderStatus::Delivered)
}

/// One line of an order. A refund is a line with a negative quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineFacts {
    pub product: DocId,
    pub quantity: f64,
    /// Price per unit in cents, as agreed on this order.
    pub unit_price: i64,
    /// Discount in percent (10.0 = 10% off).
    pub discount_pct: f64,
}

/// Line totals beyond ±10¹⁵ cents (ten trillion euro) are data errors; clamping
/// them keeps every sum far from `i64` overflow.
const MAX_LINE_CENTS: f64 = 1e15;

impl LineFacts {
    /// `round(quantity × unit_price × (1 − discount/100))` in cents, rounding half
    /// away from zero and clamped to ±10¹⁵. A quantity or discount that is not a
    /// finite number gives 0.
    pub fn total(&self) -> i64 {
        if !self.quantity.is_finite() || !self.discount_pct.is_finite() {
            return 0;
        }
        let t = self.quantity * self.unit_price as f64 * (1.0 - self.discount_pct / 100.0);
        if t.is_nan() {
            return 0;
        }
        // Infinite only through overflow of finite figures: clamped like any huge total.
        t.round().clamp(-MAX_LINE_CENTS, MAX_LINE_CENTS) as i64
    }
}

/// One logged interaction (a visit, a call, an email…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionFacts {
    pub account: DocId,
    /// The contact person spoken to, if recorded.
    pub person: Option<DocId>,
    pub channel: Channel,
    pub date: Day,
    pub outcome: Outcome,
    pub rep: String,
}

/// One deal in the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealFacts {
    pub id: DocId,
    pub account: DocId,
    pub owner: String,
    pub stage: Stage,
    /// Value if won, in cents.
    pub value: i64,
    /// Chance of winning, in percent; values above 100 are read as 100.
    pub probability: u8,
    pub expected_close: Option<Day>,
}

/// One task; tasks marked as issues (complaints, problems) weigh on health while open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFacts {
    pub account: Option<DocId>,
    pub due: Option<Day>,
    pub done: bool,
    pub is_issue: bool,
}
