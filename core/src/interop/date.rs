//! Dates as imported files write them (birthdays, mostly).

use crate::day::Day;

/// Reads a date in the forms exports use and returns it as `YYYY-MM-DD`, or as
/// `--MM-DD` when the year is unknown. `None` when it is not a real date.
///
/// Accepted: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`; the Italian day-first
/// `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY` (one-digit day and month too); and
/// without a year `--MMDD` or `--MM-DD` (vCard). A time after the date (`T…`, or
/// after a space) is ignored. Day-first is assumed because the files are Italian;
/// a year of two digits is refused as ambiguous.
pub fn parse_date(value: &str) -> Option<String> {
    let value = value.trim();
    let date = value.split([' ', 'T']).next().unwrap_or(value);
    if let Some(rest) = date.strip_prefix("--") {
        let digits: String = rest.chars().filter(|&c| c != '-').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (m, d) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
        // 2000 is a leap year, so 29 February is allowed.
        Day::from_ymd(2000, m, d)?;
        return Some(format!("--{m:02}-{d:02}"));
    }
    let (y, m, d) = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        (
            date[..4].parse().ok()?,
            date[4..6].parse().ok()?,
            date[6..].parse().ok()?,
        )
    } else {
        let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
        let [a, b, c] = parts[..] else {
            return None;
        };
        if ![a, b, c]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|x| x.is_ascii_digit()))
        {
            return None;
        }
        match (a.len(), b.len(), c.len()) {
            (4, 1..=2, 1..=2) => (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?),
            (1..=2, 1..=2, 4) => (c.parse().ok()?, b.parse().ok()?, a.parse().ok()?),
            _ => return None,
        }
    };
    let y: i32 = y;
    if !(1000..=9999).contains(&y) {
        return None;
    }
    let day = Day::from_ymd(y, m, d)?;
    Some(day.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_exports_use() {
        for (input, want) in [
            ("1980-03-15", "1980-03-15"),
            ("1980/3/5", "1980-03-05"),
            ("19800315", "1980-03-15"),
            ("15/03/1980", "1980-03-15"),
            ("5.3.1980", "1980-03-05"),
            ("15-03-1980", "1980-03-15"),
            ("1980-03-15T00:00:00Z", "1980-03-15"),
            ("15/03/1980 00:00", "1980-03-15"),
            ("--0315", "--03-15"),
            ("--02-29", "--02-29"),
        ] {
            assert_eq!(parse_date(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "",
            "31/02/1980",
            "15/03/80",
            "1980-13-01",
            "--1301",
            "ieri",
            "2023-02-29",
            "0999-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
