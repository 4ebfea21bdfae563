//! The error report a user downloads after an import: the rows that were not
//! imported, why, and the row as it was, to fix in a spreadsheet and import again.

use super::csv_export::{CsvOptions, write_csv};
use super::csv_import::CsvTable;
use super::mapping::{RowError, RowProblem};

/// Writes the rows of `errors` as CSV, in the table's own separator with a UTF-8
/// BOM so Excel opens it. Columns: `labels[0]` (the file line), `labels[1]` (the
/// problems as codes like `invalid_email:email`, comma-separated), then the
/// table's own headers and the row's original fields.
///
/// `labels` are the two column titles in the user's language, e.g.
/// `["Riga", "Problemi"]`. Errors whose line is not a row of `table` are written
/// without the original fields.
pub fn error_report<'a>(
    table: &CsvTable,
    errors: impl IntoIterator<Item = &'a RowError>,
    labels: [&str; 2],
) -> Vec<u8> {
    let headers: Vec<&str> = labels
        .into_iter()
        .chain(table.headers.iter().map(String::as_str))
        .collect();
    let rows: Vec<Vec<String>> = errors
        .into_iter()
        .map(|e| {
            let codes: Vec<String> = e.reasons.iter().map(RowProblem::code).collect();
            let mut fields = vec![e.row.to_string(), codes.join(", ")];
            if let Some(r) = table.row_at_line(e.row) {
                fields.extend(r.fields.iter().cloned());
            }
            fields
        })
        .collect();
    write_csv(
        &headers,
        &rows,
        CsvOptions {
            separator: table.separator,
            bom: true,
        },
    )
}
