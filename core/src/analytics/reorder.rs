//! Purchase rhythm: how often an account reorders, when the next order is due,
//! and who is late.
//!
//! An account's purchase days are the distinct days (on or before today) with a
//! purchase, so two orders on one day are one visit. Its interval is the median
//! of the gaps between consecutive purchase days: one long holiday gap, or a
//! burst of orders in one week, moves a median far less than a mean. With an
//! even number of gaps the two middle ones are averaged, rounding half up.
//! Fewer than two purchase days give no interval, no due date and no lateness.

use super::period::{days_between, shift};
use super::prepare::Prepared;
use crate::day::Day;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};

/// One account's purchase rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rhythm {
    pub account: DocId,
    pub purchase_days: u32,
    pub last_purchase: Option<Day>,
    /// Typical days between purchases (the median gap); `None` below two purchase days.
    pub interval_days: Option<u32>,
    /// Last purchase + interval.
    pub expected_next: Option<Day>,
    /// Days past `expected_next` as of today; 0 when not yet due or no interval.
    pub overdue_days: u32,
}

/// Rhythms of the live accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reorder {
    /// Every live account, in book order.
    pub accounts: Vec<Rhythm>,
    /// Accounts past their expected reorder day, most overdue first (ties by id).
    pub overdue: Vec<Rhythm>,
}

/// The median of the gaps between consecutive `days` (ascending, distinct).
pub fn median_gap(days: &[Day]) -> Option<u32> {
    let mut gaps: Vec<u32> = days
        .windows(2)
        .map(|w| days_between(w[0], w[1]).max(0) as u32)
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    let mid = gaps.len() / 2;
    Some(if gaps.len() % 2 == 1 {
        gaps[mid]
    } else {
        ((gaps[mid - 1] as u64 + gaps[mid] as u64).div_ceil(2)) as u32
    })
}

/// The rhythm of account `a` as of `today`.
pub(crate) fn rhythm_of(p: &Prepared, a: usize) -> Rhythm {
    let days = p.purchase_days.get(a);
    let last_purchase = days.last().copied();
    let interval_days = median_gap(days);
    let expected_next = match (last_purchase, interval_days) {
        (Some(last), Some(i)) => Some(shift(last, i.min(i32::MAX as u32) as i32)),
        _ => None,
    };
    let overdue_days = expected_next.map_or(0, |e| days_between(e, p.today).max(0) as u32);
    Rhythm {
        account: p.account_id(a),
        purchase_days: days.len() as u32,
        last_purchase,
        interval_days,
        expected_next,
        overdue_days,
    }
}

/// Purchase rhythms of every live account, and the overdue list.
pub fn rhythms(p: &Prepared) -> Reorder {
    let accounts: Vec<Rhythm> = p.live_accounts().map(|a| rhythm_of(p, a)).collect();
    let mut overdue: Vec<Rhythm> = accounts
        .iter()
        .filter(|r| r.overdue_days > 0)
        .copied()
        .collect();
    overdue.sort_by(|a, b| {
        b.overdue_days
            .cmp(&a.overdue_days)
            .then(a.account.cmp(&b.account))
    });
    Reorder { accounts, overdue }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(v: &[i32]) -> Vec<Day> {
        v.iter().map(|&d| Day(d)).collect()
    }

    #[test]
    fn median_ignores_one_long_gap() {
        // Gaps 7, 7, 8, 60: the median of an even count averages 7 and 8 → 7.5 → 8.
        assert_eq!(median_gap(&days(&[0, 7, 14, 22, 82])), Some(8));
        // Gaps 7, 60, 7: odd count → 7.
        assert_eq!(median_gap(&days(&[0, 7, 67, 74])), Some(7));
    }

    #[test]
    fn fewer_than_two_days_have_no_interval() {
        assert_eq!(median_gap(&[]), None);
        assert_eq!(median_gap(&days(&[5])), None);
        assert_eq!(median_gap(&days(&[5, 9])), Some(4));
    }
}
