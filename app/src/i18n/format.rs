//! Dates, numbers and money the way each language writes them: Italian
//! `05/03/2025`, `1.234,50 €`; English `5 Mar 2025`, `€1,234.50`. EUR throughout.

use super::Lang;
use campo_core::day::Day;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A `YYYY-MM-DD` date in the language's format (unparseable text is shown as is).
pub fn date(lang: Lang, iso: &str) -> String {
    match Day::parse(iso) {
        Ok(d) => day(lang, d),
        Err(_) => iso.to_owned(),
    }
}

/// A day in the language's format.
pub fn day(lang: Lang, d: Day) -> String {
    let (y, m, dd) = d.ymd();
    match lang {
        Lang::It => format!("{dd:02}/{m:02}/{y}"),
        Lang::En => format!(
            "{dd} {} {y}",
            MONTHS_EN[(m as usize).saturating_sub(1).min(11)]
        ),
    }
}

/// A moment (ms since the epoch) in the device's time zone.
pub fn date_time(lang: Lang, ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let local = Day::from_ymd(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .map(|x| day(lang, x))
        .unwrap_or_default();
    format!("{local} {:02}:{:02}", d.get_hours(), d.get_minutes())
}

fn group(digits: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` decimals and the language's separators.
pub fn number(lang: Lang, x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (thousands, point) = match lang {
        Lang::It => ('.', ','),
        Lang::En => (',', '.'),
    };
    let sign = if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    let mut out = format!("{sign}{}", group(int, thousands));
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Cents as euros: `1.234,50 €` / `€1,234.50`.
pub fn money(lang: Lang, cents: i64) -> String {
    let abs = cents.unsigned_abs();
    let digits = group(
        &(abs / 100).to_string(),
        if lang == Lang::It { '.' } else { ',' },
    );
    let sign = if cents < 0 { "-" } else { "" };
    match lang {
        Lang::It => format!("{sign}{digits},{:02} €", abs % 100),
        Lang::En => format!("{sign}€{digits}.{:02}", abs % 100),
    }
}

/// A share (0.25) as a percentage: `25%`, `25,5%`.
pub fn percent(lang: Lang, share: f64) -> String {
    let p = share * 100.0;
    let decimals = if (p - p.round()).abs() < 0.05 { 0 } else { 1 };
    format!("{}%", number(lang, p, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(date(Lang::It, "2025-03-05"), "05/03/2025");
        assert_eq!(date(Lang::En, "2025-03-05"), "5 Mar 2025");
        assert_eq!(date(Lang::En, "garbage"), "garbage");
    }

    #[test]
    fn money_and_numbers_follow_the_language() {
        assert_eq!(money(Lang::It, 123_456), "1.234,56 €");
        assert_eq!(money(Lang::En, 123_456), "€1,234.56");
        assert_eq!(money(Lang::It, -5), "-0,05 €");
        assert_eq!(money(Lang::En, 100_000_000), "€1,000,000.00");
        assert_eq!(number(Lang::It, 1234.5, 1), "1.234,5");
        assert_eq!(number(Lang::En, -0.0001, 2), "0.00");
        assert_eq!(percent(Lang::It, 0.255), "25,5%");
        assert_eq!(percent(Lang::En, 0.8), "80%");
    }
}
