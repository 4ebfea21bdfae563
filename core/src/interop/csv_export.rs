//! Writing a table as CSV: headers and rows of strings, quoted only where needed,
//! with cells a spreadsheet would run as formulas escaped ([`super::formula`]).

use super::csv_import::Separator;
use super::formula;

/// How to write a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub separator: Separator,
    /// Start with the UTF-8 byte-order mark. Excel needs it to read UTF-8 (without
    /// it, accented letters come out as `Ã¨`); other programs ignore it.
    pub bom: bool,
}

impl CsvOptions {
    /// What Excel in Italy opens by double-click: `;` and a BOM.
    pub const EXCEL_ITALY: CsvOptions = CsvOptions {
        separator: Separator::Semicolon,
        bom: true,
    };
    /// The common interchange form: `,`, no BOM.
    pub const STANDARD: CsvOptions = CsvOptions {
        separator: Separator::Comma,
        bom: false,
    };
}

/// Writes `headers` then `rows` as UTF-8 CSV with CRLF line ends (RFC 4180). A
/// field is quoted when it holds the separator, a quote (doubled inside), a line
/// break, or leading or trailing spaces; a row that is one empty field is written
/// as `""` so it is not a blank line. Rows may differ in length. A field that
/// starts with `=`, `+`, `-`, `@`, a tab or a CR gets a leading `'` unless it is a
/// phone or a number ([`formula::escape`]); [`super::parse_csv`] takes it off.
pub fn write_csv<H, R, F>(headers: &[H], rows: R, options: CsvOptions) -> Vec<u8>
where
    H: AsRef<str>,
    R: IntoIterator,
    R::Item: AsRef<[F]>,
    F: AsRef<str>,
{
    let mut out = Vec::new();
    if options.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let sep = options.separator.byte();
    write_record(&mut out, headers, sep);
    for row in rows {
        write_record(&mut out, row.as_ref(), sep);
    }
    out
}

fn write_record<F: AsRef<str>>(out: &mut Vec<u8>, fields: &[F], sep: u8) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        let field = formula::escape(field.as_ref());
        let needs_quotes = (fields.len() == 1 && field.is_empty())
            || field.starts_with(' ')
            || field.ends_with(' ')
            || field
                .bytes()
                .any(|b| matches!(b, b'"' | b'\r' | b'\n') || b == sep);
        if needs_quotes {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_where_needed() {
        let rows = [
            vec!["Bar \"Roma\"", "a;b", "x,y"],
            vec!["riga\nnuova", " spazio", "città"],
        ];
        let out = write_csv(&["Nome", "Note", "Altro"], &rows, CsvOptions::EXCEL_ITALY);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}Nome;Note;Altro\r\n\"Bar \"\"Roma\"\"\";\"a;b\";x,y\r\n\"riga\nnuova\";\" spazio\";città\r\n"
        );
        let one_empty: [&[&str]; 1] = [&[""]];
        let out = write_csv(&["Nome"], one_empty, CsvOptions::STANDARD);
        assert_eq!(out, b"Nome\r\n\"\"\r\n");
    }

    #[test]
    fn formulas_are_written_as_text_and_phones_as_they_are() {
        let rows = [vec!["=1+1", "+39 02 1234 5678", "-12,50", "\tx", "@a;b"]];
        let out = write_csv(&["A", "B", "C", "D", "E"], &rows, CsvOptions::EXCEL_ITALY);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}A;B;C;D;E\r\n'=1+1;+39 02 1234 5678;-12,50;'\tx;\"'@a;b\"\r\n"
        );
    }
}
