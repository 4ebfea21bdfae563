//! Import and export formats: pure functions from a file's bytes to plain structs,
//! and back. No IO: the app reads the file the user picked and hands over its
//! bytes; exports come back as bytes to download.
//!
//! # Importing a spreadsheet
//! 1. [`parse_csv`] decodes the bytes ([`encoding`]: UTF-8 with or without BOM,
//!    UTF-16 with BOM, else Windows-1252), detects the separator and reads a
//!    [`CsvTable`] whose rows keep their line in the file.
//! 2. [`suggest_mapping`] proposes a [`Target`] per column from the header names;
//!    the user corrects it.
//! 3. [`apply_mapping`] turns each row into an [`ImportRow`] (account fields and an
//!    optional contact person, normalised) or a [`RowError`] listing every
//!    [`RowProblem`] with the row's line.
//! 4. [`find_duplicates`] matches rows against the existing records' keys and
//!    against earlier rows of the same file ([`DuplicateKey`]).
//! 5. [`error_report`] writes the refused rows as CSV for the user to fix.
//!
//! # Contacts and calendars
//! [`vcard`] reads vCard 2.1, 3.0 and 4.0 into [`VCard`]s (one bad card does not
//! stop the others) and writes vCard 4.0. [`ical`] writes tasks and planned visits
//! as an iCalendar file.
//!
//! # Layout
//! - [`encoding`], [`csv_import`], [`mapping`], [`dedup`], [`report`]: the CSV
//!   import steps above; [`vat`], [`phone`], [`date`]: the value rules they use.
//! - [`csv_export`]: any table as CSV; [`formula`]: the escape that keeps a cell
//!   like `=HYPERLINK(…)` from running in a spreadsheet, undone on import.
//! - [`vcard`], [`ical`]: contacts and calendars; `content_line` holds the line
//!   syntax (folding, escaping) both share.

mod content_line;
pub mod csv_export;
pub mod csv_import;
pub mod date;
pub mod dedup;
pub mod encoding;
pub mod formula;
pub mod ical;
pub mod mapping;
pub mod phone;
pub mod report;
pub mod vat;
pub mod vcard;

pub use csv_export::{CsvOptions, write_csv};
pub use csv_import::{CsvError, CsvRow, CsvTable, Separator, parse_csv, parse_csv_with};
pub use dedup::{DuplicateKey, Duplicates, Match, find_duplicates};
pub use encoding::TextEncoding;
pub use ical::{
    CalendarItem, CalendarKind, CalendarStart, ItemStatus, read_calendar, write_calendar,
};
pub use mapping::{
    AccountFields, ImportRow, PersonFields, RowError, RowProblem, Target, apply_mapping,
    suggest_mapping,
};
pub use report::error_report;
pub use vcard::{Address, Typed, VCard, VCardError, read_vcards, write_vcards};
