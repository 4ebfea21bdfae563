//! The pipeline forecast: open deals weighted by their chance of winning, by the
//! month they are expected to close.
//!
//! A deal is open in the stages before `Won` and `Lost`. Its weighted value is
//! `value × probability / 100` in cents, rounded half away from zero, with
//! probabilities above 100 read as 100; buckets add the deals' weighted values.
//! A deal expected to close before today is *overdue* (its date needs updating),
//! one with no date is *undated*; neither lands in a month. Deals of deleted
//! accounts are left out, since nobody will close them; deals of merged accounts
//! count under the account they were merged into.

use super::period::month_of;
use super::prepare::Prepared;
use crate::vocab::Stage;
use serde::{Deserialize, Serialize};

/// Deals added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bucket {
    pub deals: u32,
    /// Sum of the deals' values, in cents.
    pub value: i64,
    /// Sum of the deals' weighted values, in cents.
    pub weighted: i64,
}

impl Bucket {
    fn add(&mut self, value: i64, weighted: i64) {
        self.deals += 1;
        self.value = self.value.saturating_add(value);
        self.weighted = self.weighted.saturating_add(weighted);
    }
}

/// Open deals expected to close in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthBucket {
    pub year: i32,
    /// 1..=12.
    pub month: u32,
    pub bucket: Bucket,
}

/// Open deals in one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageBucket {
    pub stage: Stage,
    pub bucket: Bucket,
}

/// The weighted forecast of open deals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Months (from today's month on) that have deals, oldest first.
    pub months: Vec<MonthBucket>,
    /// Expected to close before today.
    pub overdue: Bucket,
    /// No expected close date.
    pub undated: Bucket,
    /// Every open deal counted.
    pub total: Bucket,
    /// Every open stage, in pipeline order, empty ones included.
    pub by_stage: Vec<StageBucket>,
}

/// `value × probability / 100`, rounded half away from zero.
pub fn weighted(value: i64, probability: u8) -> i64 {
    let v = value as i128 * probability.min(100) as i128;
    let rounded = if v >= 0 {
        (v + 50) / 100
    } else {
        (v - 50) / 100
    };
    rounded as i64
}

/// The forecast as of the book's today.
pub fn forecast(p: &Prepared) -> Forecast {
    let n = p.unknown();
    let mut months: Vec<MonthBucket> = Vec::new();
    let mut overdue = Bucket::default();
    let mut undated = Bucket::default();
    let mut total = Bucket::default();
    let mut by_stage: Vec<StageBucket> = Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|&stage| StageBucket {
            stage,
            bucket: Bucket::default(),
        })
        .collect();
    for d in p.book.deals.iter().filter(|d| d.stage.is_open()) {
        let a = p.home_of(&d.account);
        if a < n && !p.live[a as usize] {
            continue;
        }
        let w = weighted(d.value, d.probability);
        total.add(d.value, w);
        if let Some(s) = by_stage.iter_mut().find(|s| s.stage == d.stage) {
            s.bucket.add(d.value, w);
        }
        match d.expected_close {
            None => undated.add(d.value, w),
            Some(day) if day < p.today => overdue.add(d.value, w),
            Some(day) => {
                let (year, month) = month_of(day);
                match months.binary_search_by_key(&(year, month), |m| (m.year, m.month)) {
                    Ok(i) => months[i].bucket.add(d.value, w),
                    Err(i) => {
                        let mut bucket = Bucket::default();
                        bucket.add(d.value, w);
                        months.insert(
                            i,
                            MonthBucket {
                                year,
                                month,
                                bucket,
                            },
                        );
                    }
                }
            }
        }
    }
    Forecast {
        months,
        overdue,
        undated,
        total,
        by_stage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_rounds_half_away_from_zero() {
        assert_eq!(weighted(1_000, 25), 250);
        assert_eq!(weighted(1_002, 25), 251); // 250.5
        assert_eq!(weighted(-1_002, 25), -251);
        assert_eq!(weighted(999, 200), 999);
        assert_eq!(weighted(i64::MAX, 100), i64::MAX);
        assert_eq!(weighted(77, 0), 0);
    }
}
