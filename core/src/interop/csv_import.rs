//! Reading a CSV file into a [`CsvTable`]: decoding, separator detection, quoted
//! fields (embedded separators, newlines and doubled quotes) and line numbers.

use super::encoding::{self, TextEncoding};
use super::formula;
use serde::{Deserialize, Serialize};

/// A field separator Campo recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Separator {
    /// `;`, what Excel writes where the decimal separator is a comma (Italy).
    Semicolon,
    /// `,`, what most web applications export.
    Comma,
    /// A tab, what spreadsheets copy to the clipboard and "TSV" exports use.
    Tab,
}

impl Separator {
    /// Every separator, in the order detection prefers them on a tie.
    pub const ALL: [Separator; 3] = [Separator::Semicolon, Separator::Comma, Separator::Tab];

    /// The separator's byte.
    pub fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
            Separator::Tab => b'\t',
        }
    }

    /// The separator's character.
    pub fn as_char(self) -> char {
        char::from(self.byte())
    }
}

/// One data row of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// The file line this row starts on, 1-based, counting the header line (a
    /// quoted field with newlines makes a row span several lines). Error reports
    /// use it so the user finds the row in their spreadsheet.
    pub line: usize,
    /// The fields as written (unquoted, not trimmed, with the `'` that protects a
    /// formula-like cell taken off: [`formula::unescape`]). A row may have fewer
    /// or more fields than there are headers.
    pub fields: Vec<String>,
}

/// A CSV file as read: the header row and the data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// The encoding the bytes were decoded from.
    pub encoding: TextEncoding,
    /// The separator used (detected, or the one asked for).
    pub separator: Separator,
    /// The first row of the file.
    pub headers: Vec<String>,
    /// The data rows, in file order. Rows whose fields are all blank (Excel writes
    /// `;;;;` lines after the data) are left out.
    pub rows: Vec<CsvRow>,
}

impl CsvTable {
    /// The row starting on file line `line`.
    pub fn row_at_line(&self, line: usize) -> Option<&CsvRow> {
        self.rows
            .binary_search_by_key(&line, |r| r.line)
            .ok()
            .map(|i| &self.rows[i])
    }
}

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// Nothing but blank lines.
    #[error("the file is empty: export the table again, with its header row")]
    Empty,
    /// The CSV reader gave up (in practice only on input that is not text).
    #[error("line {line}: the file could not be read as CSV ({message}); save it again as CSV")]
    Malformed { line: usize, message: String },
}

/// How many records separator detection looks at.
const DETECT_RECORDS: usize = 20;

/// Reads a CSV file, detecting its encoding and separator.
pub fn parse_csv(bytes: &[u8]) -> Result<CsvTable, CsvError> {
    let decoded = encoding::decode(bytes);
    let separator = detect_separator(&decoded.text);
    read_table(decoded.text, decoded.encoding, separator)
}

/// Reads a CSV file with a separator the user chose, detecting only its encoding.
pub fn parse_csv_with(bytes: &[u8], separator: Separator) -> Result<CsvTable, CsvError> {
    let decoded = encoding::decode(bytes);
    read_table(decoded.text, decoded.encoding, separator)
}

/// Picks the separator that splits the first records into the same number of
/// fields, more than one, as the header. The records are read by the CSV parser
/// with each candidate, so separators inside quoted fields do not count. Prefers
/// the candidate consistent over most records, then the one giving more columns;
/// a file with a single column is read with `,`.
pub fn detect_separator(text: &str) -> Separator {
    let mut best = Separator::Comma;
    let mut best_score = (false, 0usize, 0usize);
    for sep in Separator::ALL {
        let counts: Vec<usize> = reader(sep, text.as_bytes())
            .records()
            .take(DETECT_RECORDS)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some((&header, rest)) = counts.split_first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let matching = rest.iter().filter(|&&n| n == header).count();
        let score = (matching == rest.len(), matching, header);
        if score > best_score {
            best_score = score;
            best = sep;
        }
    }
    best
}

fn reader(separator: Separator, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(separator.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

fn read_table(
    text: String,
    encoding: TextEncoding,
    separator: Separator,
) -> Result<CsvTable, CsvError> {
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut rdr = reader(separator, text.as_bytes());
    loop {
        let more = rdr
            .read_record(&mut record)
            .map_err(|e| CsvError::Malformed {
                line: e.position().map_or(0, |p| lines.line_at(p.byte() as usize)),
                message: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        let fields: Vec<String> = record
            .iter()
            .map(|f| formula::unescape(f).to_owned())
            .collect();
        if headers.is_none() {
            headers = Some(fields);
        } else if fields.iter().any(|f| !f.trim().is_empty()) {
            rows.push(CsvRow { line, fields });
        }
    }
    let headers = headers.ok_or(CsvError::Empty)?;
    Ok(CsvTable {
        encoding,
        separator,
        headers,
        rows,
    })
}

/// Line numbers from byte offsets. The CSV reader's own line count is one short
/// after CRLF line ends (a record's position is taken before the LF of the line
/// before is consumed), so lines are counted here, moving forward only.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record starting at `byte`: line breaks before the record's
    /// first character are skipped, since no record starts with one.
    fn line_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.offset {
            self.line += self.text[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_ignores_separators_inside_quotes() {
        let text = "\"Nome; ditta\",Città\n\"Bar; Roma\",Milano\n\"A;B;C\",Lodi\n";
        assert_eq!(detect_separator(text), Separator::Comma);
        let text = "Ragione sociale;Fatturato\nBar Roma;1,5\nBar Lodi;2,75\n";
        assert_eq!(detect_separator(text), Separator::Semicolon);
        let text = "a\tb\tc\n1\t2\t3\n";
        assert_eq!(detect_separator(text), Separator::Tab);
        assert_eq!(detect_separator("Nome\nBar\n"), Separator::Comma);
    }

    #[test]
    fn rows_keep_their_starting_line() {
        let bytes = b"Nome;Note\nBar;\"riga 1\nriga 2\"\n;\nTrattoria;\"di \"\"Gino\"\"\"\n";
        let t = parse_csv(bytes).unwrap();
        assert_eq!(t.headers, ["Nome", "Note"]);
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(t.rows[0].fields, ["Bar", "riga 1\nriga 2"]);
        assert_eq!(t.rows[1].fields, ["Trattoria", "di \"Gino\""]);
        assert_eq!(t.row_at_line(5), Some(&t.rows[1]));
        assert_eq!(t.row_at_line(3), None);
    }

    #[test]
    fn crlf_and_lf_files_number_lines_alike() {
        let lf = "Nome;Note\nA;\"x\ny\"\n\nB;z\n";
        let crlf = lf.replace('\n', "\r\n");
        for text in [lf, crlf.as_str()] {
            let t = parse_csv(text.as_bytes()).unwrap();
            let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 5], "{text:?}");
        }
    }

    #[test]
    fn the_formula_escape_is_taken_off() {
        let t = parse_csv("'=Nome;Tel\n'=1+1;'+39 333 1234567\n'Bar;''=x\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["=Nome", "Tel"]);
        assert_eq!(t.rows[0].fields, ["=1+1", "+39 333 1234567"]);
        assert_eq!(t.rows[1].fields, ["'Bar", "'=x"]);
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert_eq!(parse_csv(b""), Err(CsvError::Empty));
        assert_eq!(parse_csv(b"\xEF\xBB\xBF\r\n\r\n"), Err(CsvError::Empty));
    }
}
