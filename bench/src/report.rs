//! The benchmark's results: one row per figure, printed as a table and, with
//! `--out`, appended to a file as JSON lines that the project's benchmark step
//! merges with the browser figures. The row format is fixed:
//! `{"figure": "...", "target": "...", "measured": "...", "pass": true|false|null}`.

use anyhow::Context;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub figure: String,
    pub target: String,
    pub measured: String,
    /// `None` for figures without a target.
    pub pass: Option<bool>,
}

impl Row {
    pub fn new(
        figure: impl Into<String>,
        target: impl Into<String>,
        measured: impl Into<String>,
        pass: Option<bool>,
    ) -> Row {
        Row {
            figure: figure.into(),
            target: target.into(),
            measured: measured.into(),
            pass,
        }
    }
}

/// Prints the rows as a Markdown table (it reads as a plain table too).
pub fn print(rows: &[Row]) {
    println!();
    println!("| figure | target | measured | pass |");
    println!("|---|---|---|---|");
    for r in rows {
        let pass = match r.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "-",
        };
        println!(
            "| {} | {} | {} | {} |",
            r.figure, r.target, r.measured, pass
        );
    }
}

/// Appends the rows to `path`, one JSON object per line.
pub fn append(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut text = String::new();
    for r in rows {
        // Serializing plain strings and booleans cannot fail.
        text.push_str(&serde_json::to_string(r).expect("a row serializes"));
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as "12.3 MB".
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The machine the figures come from: cores and load average now.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, load average {} at start", load_average())
}

/// The 1-minute load average.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_the_fixed_json_shape() {
        let r = Row::new("fan-out p99", "< 50 ms", "3.2 ms", Some(true));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"figure":"fan-out p99","target":"< 50 ms","measured":"3.2 ms","pass":true}"#
        );
        let none = Row::new("machine", "", "2 cores", None);
        assert!(
            serde_json::to_string(&none)
                .unwrap()
                .ends_with(r#""pass":null}"#)
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
