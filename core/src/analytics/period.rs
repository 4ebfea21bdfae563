//! A span of whole days, `[from, to]` inclusive, and the one before it.

use crate::day::Day;
use serde::{Deserialize, Serialize};

/// The days `from..=to`. A period whose `from` is after its `to` holds no day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    /// The days `from..=to`.
    pub fn new(from: Day, to: Day) -> Period {
        Period { from, to }
    }

    /// The `days` days ending with `to` (at least one day).
    pub fn ending(to: Day, days: u32) -> Period {
        let days = days.clamp(1, i32::MAX as u32) as i32;
        Period {
            from: shift(to, -(days - 1)),
            to,
        }
    }

    /// Number of days in the period (0 when empty; at most `u32::MAX`).
    pub fn days(self) -> u32 {
        if self.from > self.to {
            0
        } else {
            (self.to.0 as i64 - self.from.0 as i64 + 1).min(u32::MAX as i64) as u32
        }
    }

    /// Whether `day` is one of the period's days.
    pub fn contains(self, day: Day) -> bool {
        self.from <= day && day <= self.to
    }

    /// The period of equal length that ends the day before this one starts; the
    /// comparison base of every trend. An empty period's previous period is empty.
    pub fn previous(self) -> Period {
        let len = self.days().min(i32::MAX as u32) as i32;
        if len == 0 {
            return self;
        }
        Period {
            from: shift(self.from, -len),
            to: shift(self.from, -1),
        }
    }
}

/// `day + n` that saturates instead of overflowing on absurd dates.
pub(crate) fn shift(day: Day, n: i32) -> Day {
    Day(day.0.saturating_add(n))
}

/// Dates this far from 1970 (about 270,000 years) are data errors; calendar
/// conversions clamp to them so that `Day::ymd`'s arithmetic cannot overflow.
const CALENDAR_LIMIT: i32 = 100_000_000;

/// `(year, month)` of a day, with absurd days clamped to the calendar limit.
pub(crate) fn month_of(day: Day) -> (i32, u32) {
    Day(day.0.clamp(-CALENDAR_LIMIT, CALENDAR_LIMIT)).month()
}

/// Days from `a` to `b` (`b − a`), saturating.
pub(crate) fn days_between(a: Day, b: Day) -> i32 {
    b.0.saturating_sub(a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn previous_period_has_equal_length_and_touches() {
        let p = Period::new(d("2026-03-01"), d("2026-03-31"));
        assert_eq!(p.days(), 31);
        let q = p.previous();
        assert_eq!(q, Period::new(d("2026-01-29"), d("2026-02-28")));
        assert_eq!(q.days(), 31);
    }

    #[test]
    fn inverted_period_is_empty() {
        let p = Period::new(d("2026-03-31"), d("2026-03-01"));
        assert_eq!(p.days(), 0);
        assert!(!p.contains(d("2026-03-15")));
        assert_eq!(p.previous().days(), 0);
    }

    #[test]
    fn ending_counts_today() {
        let p = Period::ending(d("2026-11-23"), 7);
        assert_eq!(p.from, d("2026-11-17"));
        assert_eq!(p.days(), 7);
        assert_eq!(Period::ending(d("2026-11-23"), 0).days(), 1);
        assert_eq!(Period::ending(Day(i32::MIN + 3), 10).from, Day(i32::MIN));
    }

    #[test]
    fn whole_range_is_not_empty() {
        let all = Period::new(Day(i32::MIN), Day(i32::MAX));
        assert_eq!(all.days(), u32::MAX);
        assert_eq!(all.previous().to, Day(i32::MIN));
        assert_eq!(month_of(Day(i32::MAX)), Day(CALENDAR_LIMIT).month());
    }
}
