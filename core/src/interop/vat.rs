//! VAT identification numbers: Italian partite IVA with their check digit, and the
//! other EU numbers by shape.

/// Country prefixes of EU VAT ids (Greece writes `EL`, Northern Ireland `XI`).
const EU_PREFIXES: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// Checks a VAT id and returns it compacted: upper-case, without spaces, dots,
/// dashes or slashes. `None` when it is not valid.
///
/// Accepted: an Italian partita IVA (11 digits whose last is the check digit),
/// with or without the `IT` prefix; another EU id, a member-state prefix and 2-13
/// letters or digits. An Italian number of 8-10 digits gets its leading zeros back
/// when the check digit then matches, because Excel drops them when it takes the
/// column for a number.
pub fn normalize_vat_id(value: &str) -> Option<String> {
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '\u{a0}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let (prefix, number) = match compact.get(..2) {
        Some(p) if p.bytes().all(|b| b.is_ascii_uppercase()) => (p, &compact[2..]),
        _ => ("", compact.as_str()),
    };
    match prefix {
        "" | "IT" => {
            let digits = restore_zeros(number)?;
            is_valid_partita_iva(&digits).then(|| format!("{prefix}{digits}"))
        }
        p if EU_PREFIXES.contains(&p) => {
            let ok = (2..=13).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_alphanumeric());
            ok.then_some(compact)
        }
        _ => None,
    }
}

/// The form two VAT ids are compared in: the compacted id with `IT` in front of a
/// bare Italian number, so `01234567897` and `IT 01234567897` are the same company.
pub fn vat_id_key(normalized: &str) -> String {
    if normalized.bytes().all(|b| b.is_ascii_digit()) {
        format!("IT{normalized}")
    } else {
        normalized.to_owned()
    }
}

fn restore_zeros(number: &str) -> Option<String> {
    if !number.bytes().all(|b| b.is_ascii_digit()) || !(8..=11).contains(&number.len()) {
        return None;
    }
    Some(format!("{number:0>11}"))
}

/// The partita IVA check: digits in odd positions are added, digits in even
/// positions are doubled (minus 9 when over 9) and added, and the eleventh digit
/// makes the sum of the first ten a multiple of 10.
fn is_valid_partita_iva(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || d[..7].iter().all(|&x| x == 0) {
        return false;
    }
    let sum: u32 = d[..10]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                x
            } else if x * 2 > 9 {
                x * 2 - 9
            } else {
                x * 2
            }
        })
        .sum();
    (10 - sum % 10) % 10 == d[10]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_numbers_need_the_right_check_digit() {
        assert_eq!(
            normalize_vat_id("01234567897").as_deref(),
            Some("01234567897")
        );
        assert_eq!(
            normalize_vat_id("it 012.345.678-97").as_deref(),
            Some("IT01234567897")
        );
        // Every other last digit is wrong.
        for last in (0..10).filter(|&d| d != 7) {
            assert_eq!(normalize_vat_id(&format!("0123456789{last}")), None);
        }
        assert_eq!(normalize_vat_id("00000000000"), None);
        assert_eq!(normalize_vat_id("0123456789"), None);
        assert_eq!(normalize_vat_id("ITABCDEFGHIJK"), None);
    }

    #[test]
    fn excel_lost_zeros_come_back() {
        assert_eq!(
            normalize_vat_id("1234567897").as_deref(),
            Some("01234567897")
        );
        assert_eq!(normalize_vat_id("1234567"), None);
    }

    #[test]
    fn other_eu_ids_by_shape() {
        assert_eq!(
            normalize_vat_id("DE 123456789").as_deref(),
            Some("DE123456789")
        );
        assert_eq!(
            normalize_vat_id("FRXX999999999").as_deref(),
            Some("FRXX999999999")
        );
        assert_eq!(
            normalize_vat_id("ESX1234567X").as_deref(),
            Some("ESX1234567X")
        );
        assert_eq!(normalize_vat_id("DE1"), None);
        assert_eq!(normalize_vat_id("US123456789"), None);
        assert_eq!(normalize_vat_id("DE12345678901234"), None);
    }

    #[test]
    fn keys_put_it_in_front_of_bare_italian_numbers() {
        assert_eq!(vat_id_key("01234567897"), "IT01234567897");
        assert_eq!(vat_id_key("IT01234567897"), "IT01234567897");
        assert_eq!(vat_id_key("DE123456789"), "DE123456789");
    }
}
