//! Calendar days: a `Day` is a count of days since 1970-01-01 (UTC), so date
//! arithmetic (intervals between orders, "due in 3 days") is integer arithmetic.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar day, as days since 1970-01-01. Stored in documents as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(pub i32);

const MS_PER_DAY: i64 = 86_400_000;

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a date (expected YYYY-MM-DD)")]
pub struct BadDay(pub String);

impl Day {
    /// The day holding the instant `ms` (milliseconds since the Unix epoch, UTC).
    pub fn from_ms(ms: i64) -> Day {
        Day(ms.div_euclid(MS_PER_DAY) as i32)
    }

    /// Midnight UTC at the start of this day, in milliseconds since the epoch.
    pub fn to_ms(self) -> i64 {
        self.0 as i64 * MS_PER_DAY
    }

    /// The day of a civil date; `None` when the date does not exist.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Day> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// The civil date (year, month, day) of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Parses `YYYY-MM-DD` (years 1900-9999, real month lengths and leap years).
    pub fn parse(s: &str) -> Result<Day, BadDay> {
        let bad = || BadDay(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let digits = |r: std::ops::Range<usize>| {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse::<u32>().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        if y < 1900 {
            return Err(bad());
        }
        Day::from_ymd(y as i32, m, d).ok_or_else(bad)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// The first day of this day's month.
    pub fn month_start(self) -> Day {
        let (y, m, _) = self.ymd();
        Day::from_ymd(y, m, 1).unwrap_or(self)
    }

    /// `(year, month)` of this day, handy as a grouping key.
    pub fn month(self) -> (i32, u32) {
        let (y, m, _) = self.ymd();
        (y, m)
    }

    pub fn plus(self, days: i32) -> Day {
        Day(self.0 + days)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!(Day::parse("1970-01-01"), Ok(Day(0)));
        assert_eq!(Day::parse("2026-11-23").unwrap().to_string(), "2026-11-23");
        assert_eq!(
            Day::parse("2024-02-29").unwrap().plus(1).to_string(),
            "2024-03-01"
        );
        assert_eq!(Day::parse("2026-11-23").unwrap().weekday(), 0, "a Monday");
        assert_eq!(Day::from_ms(-1), Day(-1));
    }

    #[test]
    fn refuses_impossible_dates() {
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "+026-01-01",
            "1899-12-31",
            "",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(n in -25_000i32..2_900_000) {
            let day = Day(n);
            prop_assert_eq!(Day::parse(&day.to_string()), Ok(day));
        }
    }
}
