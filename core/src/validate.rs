//! Input rules for customer fields. Each rule returns a value the UI can show next
//! to the field; nothing is written to a document until every rule passes.

use crate::customer::Field;

/// Longest accepted single-line field, in characters.
pub const MAX_FIELD_CHARS: usize = 200;
/// Longest accepted free text (notes, preferences, interaction summaries), in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// A field value the user must correct before it can be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("{0} is required")]
    Required(Field),
    #[error("{0} is too long (at most {1} characters)")]
    TooLong(Field, usize),
    #[error("not a valid email address: {0:?}")]
    Email(String),
    #[error("not a valid phone number: {0:?} (digits, spaces, + - ( ) . / only)")]
    Phone(String),
    #[error("not a valid date: {0:?} (expected YYYY-MM-DD)")]
    Date(String),
    #[error("{1:?} is not a valid choice for {0}")]
    Choice(Field, String),
    #[error("not a valid record id: {0:?}")]
    Id(String),
    #[error("tag {0:?} is not valid (1-40 characters, no commas)")]
    Tag(String),
}

/// Checks one scalar field's new value.
pub fn field(field: Field, value: &str) -> Result<(), Invalid> {
    let limit = if field.is_long_text() {
        MAX_TEXT_CHARS
    } else {
        MAX_FIELD_CHARS
    };
    if value.chars().count() > limit {
        return Err(Invalid::TooLong(field, limit));
    }
    match field {
        Field::Name if value.trim().is_empty() => Err(Invalid::Required(field)),
        Field::Email if !value.is_empty() => email(value),
        Field::Phone if !value.is_empty() => phone(value),
        _ => Ok(()),
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

/// Phone numbers as people type them: at least 5 digits, an optional leading `+`,
/// and the usual separators.
pub fn phone(value: &str) -> Result<(), Invalid> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -().//".contains(c) || (c == '+' && i == 0));
    if (5..=20).contains(&digits) && allowed {
        Ok(())
    } else {
        Err(Invalid::Phone(value.to_owned()))
    }
}

/// A calendar date as `YYYY-MM-DD`, with real month lengths and leap years.
pub fn date(value: &str) -> Result<(), Invalid> {
    let bad = || Invalid::Date(value.to_owned());
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| value[r].parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if (1..=days).contains(&d) && y >= 1900 {
        Ok(())
    } else {
        Err(bad())
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
    fn emails() {
        assert!(email("anna.rossi@example.it").is_ok());
        for bad in [
            "anna", "anna@", "@x.it", "a@b", "a b@x.it", "a@@x.it", "a@x..it",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(phone("+39 02 1234 5678").is_ok());
        assert!(phone("(02) 123-456").is_ok());
        for bad in ["12", "+39 abc 1234", "02+1234567", ""] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert!(date("2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "24-01-01",
            "2024-1-1",
            "2024-04-31",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn name_is_required_and_limits_apply() {
        assert_eq!(
            field(Field::Name, "  "),
            Err(Invalid::Required(Field::Name))
        );
        assert!(field(Field::Company, &"x".repeat(201)).is_err());
        assert!(field(Field::Preferences, &"x".repeat(5000)).is_ok());
        assert!(
            field(Field::Email, "").is_ok(),
            "optional fields may be empty"
        );
    }
}
