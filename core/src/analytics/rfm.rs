//! Recency, frequency, monetary (RFM) scores and the segments named after them.
//!
//! Over the live accounts with at least one purchase on or before today:
//! - **recency**: days since the last purchase day (fewer is better);
//! - **frequency**: distinct purchase days (two orders on one day are one visit);
//! - **monetary**: net revenue of all counted orders on or before today, refunds
//!   included.
//!
//! Each is scored 1..=5 by *mid-rank percentile*: with `less` accounts strictly
//! worse and `equal` accounts tied (itself included) among `n`, the score is
//! `1 + ⌊5 × (less + equal/2) / n⌋`, capped at 5. Tied values always share a score,
//! the result does not depend on input order, and a lone account (or a book where
//! everybody ties) scores 3, in the middle, rather than at an arbitrary end.

use super::period::days_between;
use super::prepare::Prepared;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};

/// The RFM segment of an account, from its R and F scores (the map below). It is
/// the widely used RFM segment map, with its bottom-left corner split so that the
/// longest-silent accounts (R = 1) read as lost rather than hibernating:
///
/// | R \ F | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | new | potential loyalist | potential loyalist | champions | champions |
/// | 4 | promising | potential loyalist | potential loyalist | loyal | loyal |
/// | 3 | about to sleep | about to sleep | need attention | loyal | loyal |
/// | 2 | hibernating | hibernating | at risk | at risk | cannot lose |
/// | 1 | lost | lost | at risk | at risk | cannot lose |
///
/// Accounts with no purchase are [`Segment::NoOrders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CannotLose,
    Hibernating,
    Lost,
    /// No purchase on record (prospects, or only drafts, cancellations and refunds).
    NoOrders,
}

impl Segment {
    /// Every segment, best first; charts list segments in this order.
    pub const ALL: &'static [Segment] = &[
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLose,
        Segment::Hibernating,
        Segment::Lost,
        Segment::NoOrders,
    ];

    /// The stable name of the segment (and its translation key in the app).
    pub fn key(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CannotLose => "cannot_lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
            Segment::NoOrders => "no_orders",
        }
    }

    /// The segment stored as `key`, if any.
    pub fn from_key(key: &str) -> Option<Segment> {
        Segment::ALL.iter().copied().find(|s| s.key() == key)
    }

    /// The segment of R and F scores (1..=5; out-of-range scores are clamped).
    pub fn of(r: u8, f: u8) -> Segment {
        match (r.clamp(1, 5), f.clamp(1, 5)) {
            (5, 1) => Segment::New,
            (4, 1) => Segment::Promising,
            (4..=5, 2..=3) => Segment::PotentialLoyalist,
            (5, 4..=5) => Segment::Champions,
            (3..=4, 4..=5) => Segment::Loyal,
            (3, 3) => Segment::NeedAttention,
            (3, 1..=2) => Segment::AboutToSleep,
            (1..=2, 3..=4) => Segment::AtRisk,
            (1..=2, 5) => Segment::CannotLose,
            (2, 1..=2) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One account's RFM figures and scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScore {
    pub account: DocId,
    /// Days since the last purchase; `None` with no purchase.
    pub recency_days: Option<u32>,
    /// Distinct purchase days.
    pub frequency: u32,
    /// Net revenue in cents.
    pub monetary: i64,
    /// Scores 1..=5; all 0 for an account with no purchase (not scored).
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// How many accounts a segment holds and what they bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentSize {
    pub segment: Segment,
    pub accounts: u32,
    /// Sum of the accounts' monetary figures.
    pub revenue: i64,
}

/// RFM over the book's live accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rfm {
    /// Every live account, in book order.
    pub accounts: Vec<RfmScore>,
    /// Every segment of [`Segment::ALL`], in that order, empty ones included.
    pub segments: Vec<SegmentSize>,
}

/// Mid-rank percentile scores 1..=5 of `values` (higher is better); see the
/// module docs.
pub fn quintile_scores(values: &[i64]) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| values[i]);
    let mut scores = vec![0u8; n];
    let mut start = 0;
    while start < n {
        let v = values[order[start]];
        let mut end = start;
        while end < n && values[order[end]] == v {
            end += 1;
        }
        let (less, equal) = (start as u64, (end - start) as u64);
        let score = (1 + 5 * (2 * less + equal) / (2 * n as u64)).min(5) as u8;
        for &i in &order[start..end] {
            scores[i] = score;
        }
        start = end;
    }
    scores
}

/// RFM scores and segments as of the book's today.
pub fn score(p: &Prepared) -> Rfm {
    let today = p.today;
    let mut accounts: Vec<RfmScore> = p
        .live_accounts()
        .map(|a| {
            let days = p.purchase_days.get(a);
            let monetary = p
                .orders_of(a)
                .take_while(|o| o.date <= today)
                .fold(0i64, |s, o| s.saturating_add(o.total));
            RfmScore {
                account: p.account_id(a),
                recency_days: days.last().map(|&d| days_between(d, today).max(0) as u32),
                frequency: days.len() as u32,
                monetary,
                r: 0,
                f: 0,
                m: 0,
                segment: Segment::NoOrders,
            }
        })
        .collect();

    let scored: Vec<usize> = (0..accounts.len())
        .filter(|&i| accounts[i].recency_days.is_some())
        .collect();
    let pick = |f: &dyn Fn(&RfmScore) -> i64| -> Vec<u8> {
        quintile_scores(&scored.iter().map(|&i| f(&accounts[i])).collect::<Vec<_>>())
    };
    // Fewer days since the last purchase is better, hence the minus.
    let r = pick(&|s| -(s.recency_days.unwrap_or(0) as i64));
    let f = pick(&|s| s.frequency as i64);
    let m = pick(&|s| s.monetary);
    for (k, &i) in scored.iter().enumerate() {
        let s = &mut accounts[i];
        (s.r, s.f, s.m) = (r[k], f[k], m[k]);
        s.segment = Segment::of(s.r, s.f);
    }

    let mut segments: Vec<SegmentSize> = Segment::ALL
        .iter()
        .map(|&segment| SegmentSize {
            segment,
            accounts: 0,
            revenue: 0,
        })
        .collect();
    for s in &accounts {
        // ALL lists the variants in declaration order, so the discriminant is the index.
        let row = &mut segments[s.segment as usize];
        row.accounts += 1;
        row.revenue = row.revenue.saturating_add(s.monetary);
    }
    Rfm { accounts, segments }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_of_ten_distinct_values() {
        let v = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
        assert_eq!(quintile_scores(&v), vec![5, 1, 5, 1, 4, 2, 4, 2, 3, 3]);
    }

    #[test]
    fn ties_share_a_score_and_one_value_is_the_middle() {
        assert_eq!(quintile_scores(&[7]), vec![3]);
        assert_eq!(quintile_scores(&[4, 4, 4, 4]), vec![3, 3, 3, 3]);
        // Five values, the two lowest tied: less = 0, equal = 2 → 1 + 5·2/10 = 2.
        assert_eq!(quintile_scores(&[1, 1, 2, 3, 4]), vec![2, 2, 3, 4, 5]);
        assert_eq!(quintile_scores(&[]), Vec::<u8>::new());
    }

    #[test]
    fn segment_map_covers_every_cell() {
        let table = [
            // F = 1..5 for R = 5, 4, 3, 2, 1
            [
                "new",
                "potential_loyalist",
                "potential_loyalist",
                "champions",
                "champions",
            ],
            [
                "promising",
                "potential_loyalist",
                "potential_loyalist",
                "loyal",
                "loyal",
            ],
            [
                "about_to_sleep",
                "about_to_sleep",
                "need_attention",
                "loyal",
                "loyal",
            ],
            [
                "hibernating",
                "hibernating",
                "at_risk",
                "at_risk",
                "cannot_lose",
            ],
            ["lost", "lost", "at_risk", "at_risk", "cannot_lose"],
        ];
        for (row, r) in table.iter().zip([5u8, 4, 3, 2, 1]) {
            for (key, f) in row.iter().zip(1u8..=5) {
                assert_eq!(Segment::of(r, f).key(), *key, "R{r} F{f}");
            }
        }
        for s in Segment::ALL {
            assert_eq!(Segment::from_key(s.key()), Some(*s));
            assert_eq!(Segment::ALL[*s as usize], *s);
        }
    }
}
