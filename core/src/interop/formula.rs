//! CSV formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is read by Excel, LibreOffice and Google Sheets as a formula, so
//! an account named `=HYPERLINK("http://…","Apri")` or `=cmd|'/c calc'!A0` would run
//! when a colleague opens the export. Campo writes such a cell with a leading `'`
//! (OWASP's advice): spreadsheets show the text, and the `'` marks it as text.
//!
//! Two kinds of value are left alone because they cannot call anything and are what
//! those characters mostly begin in a CRM's data:
//! - a phone number as Campo stores it, `+` then digits and spaces (`+39 02 1234
//!   5678`): a `'` in front of every phone would be visible in most programs that
//!   are not Excel and in every CRM the file is imported into. Digits and spaces
//!   hold no function name, cell reference or DDE link; a spreadsheet that
//!   evaluates one shows, at worst, a number. A phone written any other way
//!   (`+39 (02) 1234-5678`) is escaped, since `(`, `-` and `/` are operators.
//! - a plain number, `-12.50` or `-1.234,50` (a refund, a negative amount): the same
//!   reasoning, and a number must stay a number for the spreadsheet to add it up.
//!
//! The importer undoes the escape ([`unescape`]), so a file Campo wrote reads back
//! exactly as the values it was written from. So that this holds for a value that
//! itself starts with `'`, such a value is escaped too when the character after its
//! `'` is another `'` or a formula character. A file from another program that
//! protected its phones the same way (`'+39 333 1234567`) reads as the phone.

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The character put in front of a risky cell.
const TEXT_MARK: char = '\'';

fn is_formula_start(c: char) -> bool {
    FORMULA_START.contains(&c)
}

/// `+` then digits and spaces, as Campo stores phone numbers.
fn is_plain_phone(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.chars().all(|c| c.is_ascii_digit() || c == ' ')
    })
}

/// A sign, digits, and at most one `.` or `,` decimal separator (or grouping
/// dots/commas between digit groups): `-12.50`, `-1.234,50`, `+3`.
fn is_plain_number(value: &str) -> bool {
    let Some(rest) = value.strip_prefix(['-', '+']) else {
        return false;
    };
    rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.ends_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && !rest.contains("..")
        && !rest.contains(",,")
        && !rest.contains(".,")
        && !rest.contains(",.")
}

/// Whether `value` must be written with a leading `'` (see the module docs).
pub fn needs_escape(value: &str) -> bool {
    let mut chars = value.chars();
    match chars.next() {
        Some(TEXT_MARK) => chars
            .next()
            .is_some_and(|c| c == TEXT_MARK || is_formula_start(c)),
        Some(c) if is_formula_start(c) => !is_plain_phone(value) && !is_plain_number(value),
        _ => false,
    }
}

/// The cell as written to a CSV file: `value`, or `'` and `value` when a
/// spreadsheet could run it as a formula.
pub fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    if needs_escape(value) {
        format!("{TEXT_MARK}{value}").into()
    } else {
        value.into()
    }
}

/// A cell as read from a CSV file, with the escape of [`escape`] taken off: a `'`
/// followed by another `'` or a formula character is dropped.
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_MARK) {
        Some(rest) if rest.starts_with(|c: char| c == TEXT_MARK || is_formula_start(c)) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped() {
        for risky in [
            "=HYPERLINK(\"http://x.example\",\"Apri\")",
            "=cmd|'/c calc'!A0",
            "+SUM(A1:A9)",
            "-2+3",
            "@SUM(A1)",
            "\tcalc",
            "\r=1",
            "+39 (02) 1234-5678",
            "+",
            "-",
            "=",
            "- fragile",
        ] {
            assert!(needs_escape(risky), "{risky:?}");
            assert_eq!(escape(risky), format!("'{risky}"));
        }
    }

    #[test]
    fn phones_numbers_and_plain_text_stay_as_they_are() {
        for safe in [
            "+39 02 1234 5678",
            "+393331234567",
            "-12.50",
            "-1.234,50",
            "+3",
            "Bar Roma",
            "0521/123456",
            "mario@example.com",
            "'citazione",
            "'",
            "",
            " =1+1",
        ] {
            assert!(!needs_escape(safe), "{safe:?}");
            assert_eq!(escape(safe), safe);
        }
        // Not quite a plain number: an operator hides in it.
        for risky in ["-1.2.3-4", "-1..2", "-12.", "+39 02 1234 5678x", "+ 39 02"] {
            assert!(needs_escape(risky), "{risky:?}");
        }
        assert!(!needs_escape("-1.2.3"), "grouped digits read as a number");
    }

    #[test]
    fn a_leading_quote_is_escaped_only_where_the_importer_would_drop_it() {
        assert_eq!(escape("'=1"), "''=1");
        assert_eq!(escape("''x"), "'''x");
        assert_eq!(escape("'x"), "'x");
    }

    #[test]
    fn unescape_undoes_escape() {
        for value in [
            "=1+1",
            "'=1",
            "''",
            "'''=",
            "'x",
            "'",
            "+39 02 1234 5678",
            "+39 (02) 123",
            "-12,50",
            "\t",
            "\r\n",
            "@",
            "testo",
            "",
        ] {
            assert_eq!(unescape(&escape(value)), value, "{value:?}");
        }
        // Another program's protected phone reads as the phone.
        assert_eq!(unescape("'+39 333 1234567"), "+39 333 1234567");
        assert_eq!(unescape("'Bar"), "'Bar");
    }
}
