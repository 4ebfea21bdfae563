//! Phone numbers as people type them, and the digits-only form used to match them.

/// Fewest and most digits a phone number may have (the ITU limit is 15).
pub const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 6..=15;

/// Whether `value` looks like a phone number: digits, spaces and `- ( ) . /`, an
/// optional leading `+`, and 6 to 15 digits. `/` is accepted because Italians write
/// `0521/123456`.
pub fn is_valid_phone(value: &str) -> bool {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -()./".contains(c) || (c == '+' && i == 0));
    allowed && PHONE_DIGITS.contains(&digits)
}

/// The digits of a phone number, for matching: without the international prefix
/// (`+` or `00`) of Italy (`39`), so `+39 02 1234567`, `0039 02 1234567` and
/// `02/1234567` all give `021234567`. Other countries keep their code.
pub fn phone_digits(value: &str) -> String {
    let value = value.trim();
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let international = if value.starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    match international {
        Some(d) => d.strip_prefix("39").unwrap_or(d).to_owned(),
        None => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_typed() {
        for ok in [
            "+39 02 1234 5678",
            "(02) 123-456",
            "0521/123456",
            "333.123.4567",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "12345",
            "+39 abc 1234",
            "02+1234567",
            "",
            "1234567890123456",
            "x123456",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn italian_prefix_is_dropped_for_matching() {
        assert_eq!(phone_digits("+39 02 1234567"), "021234567");
        assert_eq!(phone_digits("0039 02 1234567"), "021234567");
        assert_eq!(phone_digits("02/1234567"), "021234567");
        assert_eq!(phone_digits("+41 91 123 45 67"), "41911234567");
        // A national number that happens to start with 39 is left alone.
        assert_eq!(phone_digits("393 1234567"), "3931234567");
    }
}
