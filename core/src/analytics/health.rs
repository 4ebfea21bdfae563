//! Relationship health: a 0-100 score per account, now and `lookback_days` ago,
//! and the accounts whose health fell most.
//!
//! The score as of a day `D` adds four parts, each read from records dated on or
//! before `D` (windows are the `window_days` days ending with `D`, 90 by default,
//! and the window before that):
//!
//! | part | points | rule |
//! |---|---|---|
//! | contact | 0-35 | days since the last interaction or purchase: ≤ 14 days gives 35, ≥ 180 gives 0, linear between; never contacted gives 0 |
//! | order trend | 0-25 | revenue in the window against the window before: ≥ 120% gives 25, ≤ 50% gives 0, linear between; revenue from nothing gives 25; no revenue in the window gives 0 |
//! | open issues | 0-20 | 20 minus 10 per open issue (tasks marked as issues, not done) |
//! | outcomes | 0-20 | interactions in the window with an outcome: 20 × (positive + ½ neutral) / rated; none rated gives 10 |
//!
//! Tasks carry no dates of opening or closing, so the score of `lookback_days`
//! ago counts the issues open now as well: the fall in health reflects contact,
//! orders and outcomes. Every part is integer arithmetic, rounded down.

use super::period::{Period, days_between, shift};
use super::prepare::Prepared;
use crate::day::Day;
use crate::ids::DocId;
use crate::vocab::Outcome;
use serde::{Deserialize, Serialize};

/// The windows of the health score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthParams {
    /// How far back the comparison score is taken.
    pub lookback_days: u32,
    /// The length of the order-trend and outcome windows.
    pub window_days: u32,
}

impl Default for HealthParams {
    fn default() -> HealthParams {
        HealthParams {
            lookback_days: 30,
            window_days: 90,
        }
    }
}

/// The parts of a health score; they add up to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthParts {
    /// 0..=35.
    pub contact: u8,
    /// 0..=25.
    pub trend: u8,
    /// 0..=20.
    pub issues: u8,
    /// 0..=20.
    pub outcomes: u8,
}

impl HealthParts {
    /// The score, 0..=100.
    pub fn score(&self) -> u8 {
        self.contact + self.trend + self.issues + self.outcomes
    }
}

/// One account's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub account: DocId,
    /// The score today.
    pub now: u8,
    /// The score `lookback_days` ago.
    pub then: u8,
    /// How today's score is made.
    pub parts: HealthParts,
    pub open_issues: u32,
}

impl Health {
    /// Points lost since `then` (negative when health improved).
    pub fn fall(&self) -> i16 {
        self.then as i16 - self.now as i16
    }
}

/// Health of the live accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    pub params: HealthParams,
    /// Every live account, in book order.
    pub accounts: Vec<Health>,
    /// Accounts whose score fell, largest fall first (then lowest score now, then id).
    pub dropped: Vec<Health>,
}

const CONTACT_POINTS: i64 = 35;
const CONTACT_FULL_DAYS: i64 = 14;
const CONTACT_ZERO_DAYS: i64 = 180;
const TREND_POINTS: i128 = 25;
const ISSUE_POINTS: i64 = 20;
const POINTS_PER_ISSUE: i64 = 10;
const OUTCOME_POINTS: i64 = 20;

/// Points for `days` since the last contact.
pub fn contact_points(days: Option<i64>) -> u8 {
    match days {
        None => 0,
        Some(d) if d <= CONTACT_FULL_DAYS => CONTACT_POINTS as u8,
        Some(d) if d >= CONTACT_ZERO_DAYS => 0,
        Some(d) => {
            (CONTACT_POINTS * (CONTACT_ZERO_DAYS - d) / (CONTACT_ZERO_DAYS - CONTACT_FULL_DAYS))
                as u8
        }
    }
}

/// Points for revenue `current` in the window against `previous` before it.
pub fn trend_points(current: i64, previous: i64) -> u8 {
    if current <= 0 {
        return 0;
    }
    if previous <= 0 {
        return TREND_POINTS as u8;
    }
    // 25 × (ratio − 0.5) / 0.7, with ratio = current / previous, in integers.
    let (c, p) = (current as i128, previous as i128);
    (TREND_POINTS * (10 * c - 5 * p) / (7 * p)).clamp(0, TREND_POINTS) as u8
}

/// Points for `open` issues.
pub fn issue_points(open: u32) -> u8 {
    (ISSUE_POINTS - POINTS_PER_ISSUE * open.min(100) as i64).max(0) as u8
}

/// Points for the outcomes of rated interactions.
pub fn outcome_points(positive: u32, neutral: u32, negative: u32) -> u8 {
    let rated = positive as i64 + neutral as i64 + negative as i64;
    if rated == 0 {
        return (OUTCOME_POINTS / 2) as u8;
    }
    (OUTCOME_POINTS * (2 * positive as i64 + neutral as i64) / (2 * rated)) as u8
}

/// The parts of account `a`'s score as of `day`.
fn parts_of(p: &Prepared, a: usize, day: Day, window: u32, open_issues: u32) -> HealthParts {
    let touches = p.touches.get(a);
    let upto = touches.partition_point(|t| t.date <= day);
    let touches = &touches[..upto];
    let purchases = p.purchase_days.get(a);
    let last_purchase = purchases[..purchases.partition_point(|&d| d <= day)].last();
    let last_contact = touches.last().map(|t| t.date).max(last_purchase.copied());

    let current = Period::ending(day, window);
    let previous = current.previous();
    let (mut cur, mut prev) = (0i64, 0i64);
    for o in p.orders_of(a).take_while(|o| o.date <= day) {
        if current.contains(o.date) {
            cur = cur.saturating_add(o.total);
        } else if previous.contains(o.date) {
            prev = prev.saturating_add(o.total);
        }
    }

    let (mut pos, mut neu, mut neg) = (0, 0, 0);
    let from = touches.partition_point(|t| t.date < current.from);
    for t in &touches[from..] {
        match t.outcome {
            Outcome::Positive => pos += 1,
            Outcome::Neutral => neu += 1,
            Outcome::Negative => neg += 1,
            Outcome::None => {}
        }
    }
    HealthParts {
        contact: contact_points(last_contact.map(|l| days_between(l, day) as i64)),
        trend: trend_points(cur, prev),
        issues: issue_points(open_issues),
        outcomes: outcome_points(pos, neu, neg),
    }
}

/// Health of every live account now and `lookback_days` ago.
pub fn assess(p: &Prepared, params: &HealthParams) -> HealthReport {
    let n = p.accounts.len();
    let mut issues = vec![0u32; n];
    for t in &p.book.tasks {
        if let (true, false, Some(id)) = (t.is_issue, t.done, &t.account) {
            let a = p.home_of(id) as usize;
            if a < n {
                issues[a] += 1;
            }
        }
    }
    let window = params.window_days.max(1);
    let then_day = shift(p.today, -(params.lookback_days.min(i32::MAX as u32) as i32));
    let accounts: Vec<Health> = p
        .live_accounts()
        .map(|a| {
            let parts = parts_of(p, a, p.today, window, issues[a]);
            let then = parts_of(p, a, then_day, window, issues[a]);
            Health {
                account: p.account_id(a),
                now: parts.score(),
                then: then.score(),
                parts,
                open_issues: issues[a],
            }
        })
        .collect();
    let mut dropped: Vec<Health> = accounts.iter().filter(|h| h.fall() > 0).copied().collect();
    dropped.sort_by(|x, y| {
        y.fall()
            .cmp(&x.fall())
            .then(x.now.cmp(&y.now))
            .then(x.account.cmp(&y.account))
    });
    HealthReport {
        params: *params,
        accounts,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_points_fall_linearly() {
        assert_eq!(contact_points(None), 0);
        assert_eq!(contact_points(Some(0)), 35);
        assert_eq!(contact_points(Some(14)), 35);
        // 35 × (180 − 97) / 166 = 17.5 → 17
        assert_eq!(contact_points(Some(97)), 17);
        assert_eq!(contact_points(Some(180)), 0);
        assert_eq!(contact_points(Some(10_000)), 0);
    }

    #[test]
    fn trend_points_from_ratio() {
        assert_eq!(trend_points(0, 0), 0);
        assert_eq!(trend_points(-5, 100), 0);
        assert_eq!(trend_points(100, 0), 25);
        assert_eq!(trend_points(120, 100), 25);
        assert_eq!(trend_points(500, 100), 25);
        // ratio 1: 25 × 0.5 / 0.7 = 17.86 → 17
        assert_eq!(trend_points(100, 100), 17);
        assert_eq!(trend_points(50, 100), 0);
        assert_eq!(trend_points(i64::MAX, 1), 25);
    }

    #[test]
    fn issue_and_outcome_points() {
        assert_eq!(issue_points(0), 20);
        assert_eq!(issue_points(1), 10);
        assert_eq!(issue_points(7), 0);
        assert_eq!(outcome_points(0, 0, 0), 10);
        assert_eq!(outcome_points(3, 0, 0), 20);
        assert_eq!(outcome_points(1, 1, 2), 7); // 20 × 3 / 8 = 7.5 → 7
    }
}
