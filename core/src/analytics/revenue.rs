//! Revenue: per account, rep, product and category over a period against the
//! previous period of equal length; the monthly series; and how concentrated it is
//! (Pareto).
//!
//! Revenue is the sum of the line totals of counted orders (refund lines lower
//! it), by order date. Per-account rows show live accounts only; the totals, reps,
//! products and categories include every counted order.

use super::id_index::key;
use super::id_map::{self, FastMap};
use super::period::{Period, month_of};
use super::prepare::Prepared;
use crate::day::Day;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};

/// Revenue in a period against the period before it, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Trend {
    pub current: i64,
    pub previous: i64,
}

impl Trend {
    /// `current − previous`.
    pub fn change(&self) -> i64 {
        self.current.saturating_sub(self.previous)
    }

    /// Change in percent of the previous figure (`+50.0` = half as much again);
    /// `None` when the previous figure is zero, since no percentage describes
    /// growth from nothing. A negative previous figure (refunds) is taken by size.
    pub fn change_pct(&self) -> Option<f64> {
        if self.previous == 0 {
            return None;
        }
        Some(self.change() as f64 / self.previous.unsigned_abs() as f64 * 100.0)
    }

    fn add(&mut self, slot: Slot, cents: i64) {
        match slot {
            Slot::Current => self.current = self.current.saturating_add(cents),
            Slot::Previous => self.previous = self.previous.saturating_add(cents),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Current,
    Previous,
}

/// One account's revenue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRevenue {
    pub account: DocId,
    pub revenue: Trend,
}

/// One rep's revenue (orders credited to the rep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepRevenue {
    pub rep: String,
    pub revenue: Trend,
}

/// One product's revenue (its order lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRevenue {
    pub product: DocId,
    pub revenue: Trend,
}

/// One category's revenue; the empty category holds uncategorised products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRevenue {
    pub category: String,
    pub revenue: Trend,
}

/// Revenue over a period, broken down four ways. A row appears when it has a
/// counted order (or line) in either period; rows are sorted by current revenue,
/// then previous revenue, both descending, then by key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueReport {
    pub period: Period,
    /// The comparison base: [`Period::previous`].
    pub previous: Period,
    pub total: Trend,
    pub by_account: Vec<AccountRevenue>,
    pub by_rep: Vec<RepRevenue>,
    pub by_product: Vec<ProductRevenue>,
    pub by_category: Vec<CategoryRevenue>,
}

/// Accumulates trends for dense keys `0..n`, remembering which keys were seen.
struct Tally {
    trend: Vec<Trend>,
    seen: Vec<bool>,
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            trend: vec![Trend::default(); n],
            seen: vec![false; n],
        }
    }

    /// Adds one more key.
    fn grow(&mut self) {
        self.trend.push(Trend::default());
        self.seen.push(false);
    }

    fn add(&mut self, k: usize, slot: Slot, cents: i64) {
        self.trend[k].add(slot, cents);
        self.seen[k] = true;
    }

    /// Seen rows, sorted as [`RevenueReport`] says (`key` orders equal figures),
    /// then made by `row`. Sorting numbers rather than rows keeps the moves small.
    fn rows<R, K: Ord>(&self, key: impl Fn(usize) -> K, row: impl Fn(usize, Trend) -> R) -> Vec<R> {
        let mut order: Vec<u32> = (0..self.trend.len() as u32)
            .filter(|&k| self.seen[k as usize])
            .collect();
        order.sort_unstable_by(|&a, &b| {
            let (ta, tb) = (self.trend[a as usize], self.trend[b as usize]);
            tb.current
                .cmp(&ta.current)
                .then(tb.previous.cmp(&ta.previous))
                .then_with(|| key(a as usize).cmp(&key(b as usize)))
        });
        order
            .into_iter()
            .map(|k| row(k as usize, self.trend[k as usize]))
            .collect()
    }
}

/// Revenue in `period` and in the period before it.
pub fn report(p: &Prepared, period: Period) -> RevenueReport {
    let previous = period.previous();
    let n = p.accounts.len();
    let mut total = Trend::default();
    let mut accounts = Tally::new(n);
    // Reps are named on only some orders' facts, so they are numbered here rather
    // than for every order in `Prepared`.
    let mut rep_names: Vec<&str> = Vec::new();
    let mut rep_ix: FastMap<&str, u32> = id_map::with_capacity(64);
    let mut reps = Tally::new(0);
    // Orders of one account often share a rep: try the last one first.
    let mut last_rep: Option<(&str, u32)> = None;
    let mut products = Tally::new(p.product_ids.len());
    let mut categories = Tally::new(p.categories.len());
    for o in &p.orders {
        let slot = if period.contains(o.date) {
            Slot::Current
        } else if previous.contains(o.date) {
            Slot::Previous
        } else {
            continue;
        };
        total.add(slot, o.total);
        let a = o.account as usize;
        if a < n && p.live[a] {
            accounts.add(a, slot, o.total);
        }
        let name = p.book.orders[o.fact as usize].rep.as_str();
        let rep = match last_rep {
            Some((last, r)) if last == name => r,
            _ => {
                let r = *rep_ix.entry(name).or_insert_with(|| {
                    rep_names.push(name);
                    reps.grow();
                    rep_names.len() as u32 - 1
                });
                last_rep = Some((name, r));
                r
            }
        };
        reps.add(rep as usize, slot, o.total);
        for l in p.lines_of(o) {
            let k = l.product as usize;
            products.add(k, slot, l.total);
            categories.add(p.product_category[k] as usize, slot, l.total);
        }
    }
    RevenueReport {
        period,
        previous,
        total,
        by_account: accounts.rows(
            |a| key(&p.account_id(a)),
            |a, revenue| AccountRevenue {
                account: p.account_id(a),
                revenue,
            },
        ),
        by_rep: reps.rows(
            |k| rep_names[k],
            |k, revenue| RepRevenue {
                rep: rep_names[k].to_owned(),
                revenue,
            },
        ),
        by_product: products.rows(
            |k| key(&p.product_ids[k]),
            |k, revenue| ProductRevenue {
                product: p.product_ids[k],
                revenue,
            },
        ),
        by_category: categories.rows(
            |k| p.categories[k],
            |k, revenue| CategoryRevenue {
                category: p.categories[k].to_owned(),
                revenue,
            },
        ),
    }
}

/// Revenue of one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRevenue {
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    pub revenue: i64,
    /// Counted orders dated in the month.
    pub orders: u32,
}

/// Longest monthly series served (20 years), so a wrong parameter cannot ask for
/// billions of months.
pub const MAX_MONTHS: u32 = 240;

fn month_number(d: Day) -> i64 {
    let (y, m) = month_of(d);
    y as i64 * 12 + m as i64 - 1
}

/// Revenue per calendar month for the `months` months (1..=[`MAX_MONTHS`]) ending
/// with the month of `last`, oldest first; months with no orders are present with 0.
pub fn monthly(p: &Prepared, last: Day, months: u32) -> Vec<MonthRevenue> {
    let months = months.clamp(1, MAX_MONTHS) as i64;
    let end = month_number(last);
    let first = end - months + 1;
    let mut out: Vec<MonthRevenue> = (first..=end)
        .map(|m| MonthRevenue {
            year: m.div_euclid(12) as i32,
            month: m.rem_euclid(12) as u32 + 1,
            revenue: 0,
            orders: 0,
        })
        .collect();
    for o in &p.orders {
        let m = month_number(o.date);
        if (first..=end).contains(&m) {
            let row = &mut out[(m - first) as usize];
            row.revenue = row.revenue.saturating_add(o.total);
            row.orders += 1;
        }
    }
    out
}

/// One account in the Pareto ranking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoEntry {
    pub account: DocId,
    pub revenue: i64,
    /// Share (0..=1) of the ranking's total brought by this account and all above it.
    pub cumulative_share: f64,
}

/// A point of the Pareto curve: the best `accounts_share` of accounts bring
/// `revenue_share` of the revenue (both 0..=1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoPoint {
    pub accounts_share: f64,
    pub revenue_share: f64,
}

/// How concentrated revenue is: live accounts with positive revenue in the
/// period, best first. Accounts at zero or below (refunds) would bend the curve
/// past 100%, so they are counted in `left_out` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pareto {
    pub ranking: Vec<ParetoEntry>,
    /// Sum of the ranking's revenue.
    pub total: i64,
    /// 101 points, at 0%, 1%, …, 100% of the ranked accounts.
    pub curve: Vec<ParetoPoint>,
    /// How many accounts make the top 20% (rounded up; 0 when nobody is ranked).
    pub top_accounts: u32,
    /// The share of revenue (0..=1) they bring.
    pub top_share: f64,
    /// Live accounts with counted orders in the period but no positive revenue.
    pub left_out: u32,
}

/// The fraction of accounts [`Pareto::top_share`] speaks of.
pub const TOP_PERCENT: u64 = 20;

/// The Pareto view of per-account revenue rows (their `current` figures).
pub fn pareto_of(rows: &[AccountRevenue]) -> Pareto {
    let mut ranked: Vec<(DocId, i64)> = rows
        .iter()
        .filter(|r| r.revenue.current > 0)
        .map(|r| (r.account, r.revenue.current))
        .collect();
    let left_out = (rows.len() - ranked.len()) as u32;
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // i128 prefix sums: exact whatever the figures, so shares are exact ratios.
    let mut prefix: Vec<i128> = Vec::with_capacity(ranked.len() + 1);
    prefix.push(0);
    for r in &ranked {
        prefix.push(prefix[prefix.len() - 1] + r.1 as i128);
    }
    let total = prefix[ranked.len()];
    let share = |k: usize| {
        if total > 0 {
            prefix[k] as f64 / total as f64
        } else {
            0.0
        }
    };
    let n = ranked.len() as u64;
    let ranking = ranked
        .iter()
        .enumerate()
        .map(|(i, &(account, revenue))| ParetoEntry {
            account,
            revenue,
            cumulative_share: share(i + 1),
        })
        .collect();
    let curve = (0..=100u64)
        .map(|pct| ParetoPoint {
            accounts_share: pct as f64 / 100.0,
            revenue_share: share((n * pct).div_ceil(100) as usize),
        })
        .collect();
    let top = (n * TOP_PERCENT).div_ceil(100) as usize;
    Pareto {
        ranking,
        total: total.clamp(0, i64::MAX as i128) as i64,
        curve,
        top_accounts: top as u32,
        top_share: share(top),
        left_out,
    }
}

/// The Pareto view of live accounts' revenue in `period`.
pub fn pareto(p: &Prepared, period: Period) -> Pareto {
    pareto_of(&report(p, period).by_account)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u8, current: i64) -> AccountRevenue {
        AccountRevenue {
            account: DocId([n; 16]),
            revenue: Trend {
                current,
                previous: 0,
            },
        }
    }

    #[test]
    fn change_pct_is_none_from_zero() {
        let t = Trend {
            current: 150,
            previous: 100,
        };
        assert_eq!(t.change(), 50);
        assert_eq!(t.change_pct(), Some(50.0));
        let from_nothing = Trend {
            current: 10,
            previous: 0,
        };
        assert_eq!(from_nothing.change_pct(), None);
        let from_refunds = Trend {
            current: 0,
            previous: -200,
        };
        assert_eq!(from_refunds.change_pct(), Some(100.0));
    }

    #[test]
    fn pareto_of_ten_accounts() {
        // Ten accounts bring 50, 20, 10, 5, 5, 4, 3, 1, 1, 1 (= 100), in shuffled order.
        let figures = [5, 20, 1, 50, 10, 4, 1, 5, 3, 1];
        let mut rows: Vec<_> = figures
            .iter()
            .enumerate()
            .map(|(i, &c)| row(i as u8, c))
            .collect();
        rows.push(row(20, 0));
        rows.push(row(21, -7));
        let p = pareto_of(&rows);
        assert_eq!(p.total, 100);
        assert_eq!(p.left_out, 2);
        assert_eq!(p.ranking.len(), 10);
        assert_eq!(p.ranking[0].account, DocId([3; 16]));
        assert_eq!(p.top_accounts, 2);
        assert!((p.top_share - 0.70).abs() < 1e-12);
        assert_eq!(p.curve.len(), 101);
        assert_eq!(p.curve[0].revenue_share, 0.0);
        assert!((p.curve[10].revenue_share - 0.5).abs() < 1e-12);
        assert!((p.curve[100].revenue_share - 1.0).abs() < 1e-12);
        // Equal figures rank by id: accounts 0 and 7 both have 5.
        assert_eq!(p.ranking[3].account, DocId([0; 16]));
        assert_eq!(p.ranking[4].account, DocId([7; 16]));
    }

    #[test]
    fn pareto_of_nothing() {
        let p = pareto_of(&[]);
        assert_eq!(p.top_accounts, 0);
        assert_eq!(p.top_share, 0.0);
        assert!(p.curve.iter().all(|pt| pt.revenue_share == 0.0));
    }
}
