//! Field values: checking what a rep typed, turning it into the scalar stored in the
//! document, and back into the text a form shows.

use super::schema::{FieldType, Kind};
use crate::day::Day;
use crate::ids::DocId;
use automerge::{ScalarValue, ScalarValueRef};
use serde::{Deserialize, Serialize};

/// Longest accepted single-line field, in characters.
pub const MAX_FIELD_CHARS: usize = 200;
/// Longest accepted free text (notes, preferences, summaries), in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Largest accepted amount of money: a hundred million euros, in cents.
pub const MAX_MONEY_CENTS: i64 = 10_000_000_000;
/// Largest accepted quantity on an order line.
pub const MAX_QUANTITY: f64 = 1_000_000.0;

/// A stored field value, as read from a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub enum Val {
    /// Absent (never written) or written empty.
    #[default]
    Empty,
    Str(String),
    Int(i64),
    Num(f64),
    Bool(bool),
}

/// Why a value was refused. The app shows the message beside the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("{0} is required")]
    Required(String),
    #[error("{0} is too long (at most {1} characters)")]
    TooLong(String, usize),
    #[error("not a valid email address: {0:?}")]
    Email(String),
    #[error("not a valid phone number: {0:?} (digits, spaces, + - ( ) . / only; 6-15 digits)")]
    Phone(String),
    #[error("not a valid web address: {0:?}")]
    Url(String),
    #[error("not a valid VAT id: {0:?} (Italian: 11 digits; other EU: country code and number)")]
    VatId(String),
    #[error("not a valid date: {0:?} (expected YYYY-MM-DD)")]
    Date(String),
    #[error("not a valid time: {0:?} (expected HH:MM)")]
    Time(String),
    #[error("not a valid amount: {0:?} (for example 1234,50)")]
    Money(String),
    #[error("not a valid quantity: {0:?} (a number greater than zero)")]
    Quantity(String),
    #[error("{1:?} is not a whole number from {2} to {3} for {0}")]
    Int(String, String, i64, i64),
    #[error("{1:?} is not a valid choice for {0}")]
    Choice(String, String),
    #[error("not a valid record id: {0:?}")]
    Id(String),
    #[error("tag {0:?} is not valid (1-40 characters, no commas)")]
    Tag(String),
    #[error("{0} is not a field of this record")]
    UnknownField(String),
    #[error("product code {0:?} is already used by another product")]
    DuplicateCode(String),
}

impl Invalid {
    /// The field the problem is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Invalid::Required(f)
            | Invalid::TooLong(f, _)
            | Invalid::Int(f, ..)
            | Invalid::Choice(f, _)
            | Invalid::UnknownField(f) => Some(f),
            _ => None,
        }
    }
}

/// Checks `input` for a field of type `ty` and returns the scalar to store.
/// Empty input stores an empty value (clearing the field) except where noted.
pub fn parse(key: &str, ty: FieldType, input: &str) -> Result<ScalarValue, Invalid> {
    let trimmed = input.trim();
    let long = matches!(ty, FieldType::LongText);
    let limit = if long {
        MAX_TEXT_CHARS
    } else {
        MAX_FIELD_CHARS
    };
    if input.chars().count() > limit {
        return Err(Invalid::TooLong(key.to_owned(), limit));
    }
    let text = |s: &str| Ok(ScalarValue::Str(s.into()));
    match ty {
        FieldType::LongText => text(input),
        FieldType::Text | FieldType::Rep => text(trimmed),
        _ if trimmed.is_empty() => Ok(match ty {
            FieldType::Bool => ScalarValue::Boolean(false),
            _ => ScalarValue::Str("".into()),
        }),
        FieldType::Email => email(trimmed).and_then(|_| text(trimmed)),
        FieldType::Phone => phone(trimmed).and_then(|_| text(trimmed)),
        FieldType::Url => url(trimmed).and_then(|_| text(trimmed)),
        FieldType::VatId => vat_id(trimmed).map(|v| ScalarValue::Str(v.into())),
        FieldType::Date => Day::parse(trimmed)
            .map_err(|_| Invalid::Date(trimmed.to_owned()))
            .and_then(|_| text(trimmed)),
        FieldType::Time => time(trimmed).and_then(|_| text(trimmed)),
        FieldType::Money => money(trimmed).map(ScalarValue::Int),
        FieldType::Quantity => quantity(trimmed).map(ScalarValue::F64),
        FieldType::Int { min, max } => match trimmed.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(ScalarValue::Int(n)),
            _ => Err(Invalid::Int(key.to_owned(), trimmed.to_owned(), min, max)),
        },
        FieldType::Bool => match trimmed {
            "true" | "1" | "yes" | "sì" | "si" => Ok(ScalarValue::Boolean(true)),
            "false" | "0" | "no" => Ok(ScalarValue::Boolean(false)),
            _ => Err(Invalid::Choice(key.to_owned(), trimmed.to_owned())),
        },
        FieldType::Choice(keys) => {
            if keys.contains(&trimmed) {
                text(trimmed)
            } else {
                Err(Invalid::Choice(key.to_owned(), trimmed.to_owned()))
            }
        }
        FieldType::Ref(_) => trimmed
            .parse::<DocId>()
            .map_err(|_| Invalid::Id(trimmed.to_owned()))
            .and_then(|_| text(trimmed)),
    }
}

impl Val {
    pub(crate) fn of(v: &ScalarValueRef<'_>) -> Val {
        match v {
            ScalarValueRef::Str(s) if s.is_empty() => Val::Empty,
            ScalarValueRef::Str(s) => Val::Str(s.to_string()),
            ScalarValueRef::Int(n) | ScalarValueRef::Timestamp(n) => Val::Int(*n),
            ScalarValueRef::Uint(n) => Val::Int(*n as i64),
            ScalarValueRef::F64(x) => Val::Num(*x),
            ScalarValueRef::Boolean(b) => Val::Bool(*b),
            _ => Val::Empty,
        }
    }

    pub(crate) fn of_owned(v: &ScalarValue) -> Val {
        match v {
            ScalarValue::Str(s) if s.is_empty() => Val::Empty,
            ScalarValue::Str(s) => Val::Str(s.to_string()),
            ScalarValue::Int(n) | ScalarValue::Timestamp(n) => Val::Int(*n),
            ScalarValue::Uint(n) => Val::Int(*n as i64),
            ScalarValue::F64(x) => Val::Num(*x),
            ScalarValue::Boolean(b) => Val::Bool(*b),
            _ => Val::Empty,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Val::Empty)
    }

    /// The text form, as a form's input shows it for a field of type `ty`
    /// (money `1234.50`, booleans `true`/`false`). [`parse`] accepts it back.
    pub fn input(&self, ty: FieldType) -> String {
        match (self, ty) {
            (Val::Empty, _) => String::new(),
            (Val::Int(c), FieldType::Money) => format_cents(*c),
            (Val::Str(s), _) => s.clone(),
            (Val::Int(n), _) => n.to_string(),
            (Val::Num(x), _) => format_quantity(*x),
            (Val::Bool(b), _) => b.to_string(),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Val::Str(s) => s,
            _ => "",
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(n) => Some(*n),
            Val::Num(x) if x.is_finite() => Some(*x as i64),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(x) if x.is_finite() => Some(*x),
            Val::Int(n) => Some(*n as f64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub fn as_day(&self) -> Option<Day> {
        Day::parse(self.as_str()).ok()
    }

    pub fn as_id(&self) -> Option<DocId> {
        self.as_str().parse().ok()
    }

    /// A reference's target kind is not checked when reading: the id alone is kept.
    pub fn as_ref_to(&self, _kind: Kind) -> Option<DocId> {
        self.as_id()
    }
}

/// Cents as `1234.50` (the form's input format; the app formats for display).
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

fn format_quantity(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email(value: &str) -> Result<(), Invalid> {
    let bad = || Invalid::Email(value.to_owned());
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty());
    if ok { Ok(()) } else { Err(bad()) }
}

/// Digits and the separators people type (`+` only in front); 6-15 digits (E.164).
pub fn phone(value: &str) -> Result<(), Invalid> {
    let bad = || Invalid::Phone(value.to_owned());
    let body = value.strip_prefix('+').unwrap_or(value);
    let allowed = body
        .chars()
        .all(|c| c.is_ascii_digit() || " -().//".contains(c));
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if allowed && (6..=15).contains(&digits) {
        Ok(())
    } else {
        Err(bad())
    }
}

fn url(value: &str) -> Result<(), Invalid> {
    let bad = || Invalid::Url(value.to_owned());
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ok = !value.chars().any(char::is_whitespace)
        && host.contains('.')
        && host.split('.').all(|p| !p.is_empty())
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.' || c == ':');
    if ok { Ok(()) } else { Err(bad()) }
}

/// Checks a VAT id and returns its canonical form (upper case, no spaces or dots).
/// Italian ids (with or without `IT`) must pass the partita IVA check digit.
pub fn vat_id(value: &str) -> Result<String, Invalid> {
    let bad = || Invalid::VatId(value.to_owned());
    let canon: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    if !canon.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad());
    }
    let digits = canon.strip_prefix("IT").unwrap_or(&canon);
    if digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return if partita_iva_ok(digits) {
            Ok(canon)
        } else {
            Err(bad())
        };
    }
    let (country, number) = canon.split_at(canon.len().min(2));
    let eu = country.bytes().all(|b| b.is_ascii_uppercase())
        && country != "IT"
        && (2..=13).contains(&number.len())
        && number.bytes().any(|b| b.is_ascii_digit());
    if eu { Ok(canon) } else { Err(bad()) }
}

/// The partita IVA check digit (a Luhn variant over 10 digits).
fn partita_iva_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.bytes().map(|b| (b - b'0') as u32).collect();
    let mut sum = 0;
    for (i, x) in d[..10].iter().enumerate() {
        sum += if i % 2 == 0 {
            *x
        } else {
            let y = x * 2;
            if y > 9 { y - 9 } else { y }
        };
    }
    (10 - sum % 10) % 10 == d[10]
}

fn time(value: &str) -> Result<(), Invalid> {
    let bad = || Invalid::Time(value.to_owned());
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    let ok = h.len() == 2
        && m.len() == 2
        && h.parse::<u32>().is_ok_and(|h| h < 24)
        && m.parse::<u32>().is_ok_and(|m| m < 60);
    if ok { Ok(()) } else { Err(bad()) }
}

/// Euros to cents. Accepts `1234.5`, `1234,50`, `1.234,50`, `1,234.50`, `€ 12`;
/// at most two decimals; never negative.
pub fn money(value: &str) -> Result<i64, Invalid> {
    let bad = || Invalid::Money(value.to_owned());
    let s: String = value
        .chars()
        .filter(|c| !matches!(c, '€' | ' ' | '\u{a0}' | '\''))
        .collect();
    if s.is_empty() || s.starts_with('-') {
        return Err(bad());
    }
    // The last separator followed by 1-2 digits is the decimal one; any others
    // group thousands, all alike, in groups of three.
    let last_sep = s.rfind([',', '.']);
    let (int_part, frac) = match last_sep {
        Some(i) if (1..=2).contains(&(s.len() - i - 1)) => (&s[..i], &s[i + 1..]),
        Some(i) if s.len() - i - 1 == 3 => (s.as_str(), ""),
        Some(_) => return Err(bad()),
        None => (s.as_str(), ""),
    };
    let decimal_sep = last_sep
        .filter(|_| !frac.is_empty())
        .map(|i| s.as_bytes()[i]);
    let groups: Vec<&str> = int_part.split([',', '.']).collect();
    if groups.len() > 1 {
        let seps: Vec<u8> = int_part
            .bytes()
            .filter(|b| matches!(b, b',' | b'.'))
            .collect();
        let consistent = seps.windows(2).all(|w| w[0] == w[1]) && Some(seps[0]) != decimal_sep;
        let shaped = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !consistent || !shaped {
            return Err(bad());
        }
    }
    let int_digits: String = groups.concat();
    if int_digits.is_empty()
        || !int_digits.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int_digits.len() > 12
    {
        return Err(bad());
    }
    let units: i64 = int_digits.parse().map_err(|_| bad())?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    let total = units * 100 + cents;
    if total > MAX_MONEY_CENTS {
        return Err(bad());
    }
    Ok(total)
}

/// A quantity: greater than zero, at most three decimals, `,` or `.` as decimal point.
pub fn quantity(value: &str) -> Result<f64, Invalid> {
    let bad = || Invalid::Quantity(value.to_owned());
    let s = value.replace(',', ".");
    if s.matches('.').count() > 1 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    if s.split_once('.').is_some_and(|(_, f)| f.len() > 3) {
        return Err(bad());
    }
    match s.parse::<f64>() {
        Ok(q) if q > 0.0 && q <= MAX_QUANTITY => Ok(q),
        _ => Err(bad()),
    }
}

/// A tag: trimmed, 1-40 characters, no commas (commas separate tags in the form).
pub fn tag(value: &str) -> Result<(), Invalid> {
    let n = value.chars().count();
    if (1..=40).contains(&n) && !value.contains(',') && value.trim() == value {
        Ok(())
    } else {
        Err(Invalid::Tag(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_the_forms_people_type() {
        for (input, cents) in [
            ("12", 1200),
            ("12,5", 1250),
            ("12.50", 1250),
            ("1.234,56", 123_456),
            ("1,234.56", 123_456),
            ("€ 1 234,00", 123_400),
            ("0,99", 99),
            ("1.234", 123_400),
        ] {
            assert_eq!(money(input), Ok(cents), "{input}");
        }
        for bad in [
            "-5",
            "12,345,6789.1.2x",
            "abc",
            "1,2,",
            "€",
            "1.5.5,123",
            "1.234.56",
            ",5",
            "1234.5678",
            "1,234,56.00",
        ] {
            assert!(money(bad).is_err(), "{bad}");
        }
        assert_eq!(format_cents(123_456), "1234.56");
        assert_eq!(money(&format_cents(5)), Ok(5));
    }

    #[test]
    fn quantities_are_positive() {
        assert_eq!(quantity("2,5"), Ok(2.5));
        for bad in ["-1", "0", "1.2345", "x", "1e3"] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vat_ids() {
        // A well-formed partita IVA (check digit computed by hand).
        assert_eq!(vat_id("IT 01234567897"), Ok("IT01234567897".into()));
        assert_eq!(vat_id("01234567897"), Ok("01234567897".into()));
        assert!(vat_id("01234567890").is_err(), "wrong check digit");
        assert_eq!(vat_id("de123456789"), Ok("DE123456789".into()));
        for bad in ["12", "IT123", "€€123456789", "XX"] {
            assert!(vat_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_phones_urls_times() {
        assert!(email("anna.rossi@example.it").is_ok());
        for bad in [
            "anna", "anna@", "@x.it", "a@b", "a b@x.it", "a@@x.it", "a@x..it",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(phone("+39 02 1234 5678").is_ok());
        assert!(phone("(02) 123-456").is_ok());
        for bad in ["12", "+39 abc 1234", "02+1234567", ""] {
            assert!(phone(bad).is_err(), "{bad}");
        }
        assert!(url("www.example.it").is_ok());
        assert!(url("https://example.it/x?y").is_ok());
        assert!(url("not a url").is_err());
        assert!(time("09:30").is_ok());
        assert!(time("24:00").is_err());
    }

    #[test]
    fn parse_by_type() {
        assert_eq!(
            parse("probability", FieldType::Int { min: 0, max: 100 }, "101"),
            Err(Invalid::Int("probability".into(), "101".into(), 0, 100))
        );
        assert_eq!(
            parse("done", FieldType::Bool, ""),
            Ok(ScalarValue::Boolean(false))
        );
        assert_eq!(
            parse("value", FieldType::Money, "10"),
            Ok(ScalarValue::Int(1000))
        );
        assert!(parse("x", FieldType::Text, &"y".repeat(201)).is_err());
        assert!(parse("x", FieldType::Choice(&["a"]), "b").is_err());
        let round = |ty, s: &str| {
            let v = Val::of_owned(&parse("k", ty, s).unwrap());
            v.input(ty)
        };
        assert_eq!(round(FieldType::Money, "1.234,5"), "1234.50");
        assert_eq!(round(FieldType::Quantity, "2,5"), "2.5");
        assert_eq!(round(FieldType::Bool, "true"), "true");
    }
}
