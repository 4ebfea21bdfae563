//! iCalendar (RFC 5545) export of tasks and planned visits, so reps see them in
//! the calendar app on their phone; and a reader for what this module writes.
//!
//! A task is a VTODO: its start is the due date (`DUE`); with a duration, `DTSTART`
//! is the start and `DUE` the end. A visit is a VEVENT: `DTSTART`, and `DURATION`
//! for a timed visit or an exclusive `DTEND` on the next day for an all-day one.
//! Times are written in UTC (`…Z`), so no time-zone definitions are needed.

use super::content_line::{self, escape_text, push_folded, unescape_text};
use crate::day::Day;

/// Which calendar component an item becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarKind {
    /// A task (VTODO).
    Task,
    /// A planned visit (VEVENT).
    Visit,
}

/// When an item starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarStart {
    /// The whole day.
    AllDay(Day),
    /// An instant, in milliseconds since the Unix epoch (UTC). Written to the
    /// second: milliseconds are dropped.
    At(i64),
}

/// Whether an item is still to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    Open,
    Done,
}

/// A task or a visit to put in a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    /// Stable across exports (the record's id), so a calendar that imports the file
    /// again updates the item instead of adding a copy.
    pub uid: String,
    pub kind: CalendarKind,
    pub summary: String,
    pub description: String,
    pub start: CalendarStart,
    /// How long it takes, for items with a start time; ignored for all-day items.
    pub duration_minutes: Option<u32>,
    pub location: String,
    pub status: ItemStatus,
}

/// Writes `items` as one VCALENDAR. `stamp_ms` is the time of the export (the
/// DTSTAMP of every item), passed in because the core has no clock.
pub fn write_calendar(items: &[CalendarItem], stamp_ms: i64) -> Vec<u8> {
    let mut out = String::new();
    let mut line = |s: String| push_folded(&mut out, &s);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Campo//Campo//EN".into());
    line("CALSCALE:GREGORIAN".into());
    for item in items {
        let component = match item.kind {
            CalendarKind::Task => "VTODO",
            CalendarKind::Visit => "VEVENT",
        };
        line(format!("BEGIN:{component}"));
        line(format!("UID:{}", escape_text(&item.uid)));
        line(format!("DTSTAMP:{}", format_utc(stamp_ms)));
        line(format!("SUMMARY:{}", escape_text(&item.summary)));
        if !item.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape_text(&item.description)));
        }
        if !item.location.is_empty() {
            line(format!("LOCATION:{}", escape_text(&item.location)));
        }
        let minutes = match item.start {
            CalendarStart::At(_) => item.duration_minutes.filter(|&m| m > 0),
            CalendarStart::AllDay(_) => None,
        };
        match (item.kind, item.start) {
            (CalendarKind::Task, start) => {
                let due = match (start, minutes) {
                    (CalendarStart::At(ms), Some(m)) => {
                        line(format!("DTSTART{}", date_value(start)));
                        CalendarStart::At(ms + i64::from(m) * 60_000)
                    }
                    _ => start,
                };
                line(format!("DUE{}", date_value(due)));
                match item.status {
                    ItemStatus::Open => line("STATUS:NEEDS-ACTION".into()),
                    ItemStatus::Done => {
                        line("STATUS:COMPLETED".into());
                        line("PERCENT-COMPLETE:100".into());
                    }
                }
            }
            (CalendarKind::Visit, start) => {
                line(format!("DTSTART{}", date_value(start)));
                match start {
                    CalendarStart::AllDay(day) => {
                        line(format!(
                            "DTEND{}",
                            date_value(CalendarStart::AllDay(day.plus(1)))
                        ));
                    }
                    CalendarStart::At(_) => {
                        if let Some(m) = minutes {
                            line(format!("DURATION:PT{m}M"));
                        }
                    }
                }
                line("STATUS:CONFIRMED".into());
                // VEVENT has no "done" status; keep it for our own reader.
                if item.status == ItemStatus::Done {
                    line("X-CAMPO-STATUS:DONE".into());
                }
            }
        }
        line(format!("END:{component}"));
    }
    line("END:VCALENDAR".into());
    out.into_bytes()
}

/// `;VALUE=DATE:20260315` or `:20260315T083000Z`.
fn date_value(start: CalendarStart) -> String {
    match start {
        CalendarStart::AllDay(day) => {
            let (y, m, d) = day.ymd();
            format!(";VALUE=DATE:{y:04}{m:02}{d:02}")
        }
        CalendarStart::At(ms) => format!(":{}", format_utc(ms)),
    }
}

fn format_utc(ms: i64) -> String {
    let (y, m, d) = Day::from_ms(ms).ymd();
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Why a calendar file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcalError {
    #[error("the file is not an iCalendar file (no BEGIN:VCALENDAR)")]
    NotACalendar,
    #[error("line {0}: the item has no END; the file may be cut short")]
    Unterminated(usize),
    #[error("line {0}: the item has no UID")]
    MissingUid(usize),
    #[error("line {0}: the item has no start (DTSTART or DUE)")]
    MissingStart(usize),
    #[error("line {line}: {value:?} is not a UTC date-time or a date")]
    BadDate { line: usize, value: String },
    #[error("line {line}: {value:?} is not a duration")]
    BadDuration { line: usize, value: String },
}

/// Reads back the VTODOs and VEVENTs of a calendar written by [`write_calendar`]:
/// the properties above, UTC times and dates only. Not a general importer:
/// recurrence, time zones and alarms are not understood (alarms and other nested
/// components are skipped).
pub fn read_calendar(bytes: &[u8]) -> Result<Vec<CalendarItem>, IcalError> {
    let text = super::encoding::decode(bytes).text;
    let lines = content_line::unfold(&text, false);
    if !lines
        .iter()
        .any(|l| l.text.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(IcalError::NotACalendar);
    }
    let mut items = Vec::new();
    let mut current: Option<Pending> = None;
    let mut nested = 0usize;
    for l in &lines {
        let Some(cl) = content_line::parse(&l.text) else {
            continue;
        };
        let value = cl.value.trim().to_ascii_uppercase();
        match (cl.name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value == "VTODO" || value == "VEVENT" => {
                let kind = if value == "VTODO" {
                    CalendarKind::Task
                } else {
                    CalendarKind::Visit
                };
                current = Some(Pending::new(kind, l.line));
            }
            ("BEGIN", Some(_)) => nested += 1,
            ("END", Some(_)) if nested > 0 => nested -= 1,
            ("END", Some(_)) => {
                if let Some(p) = current.take() {
                    items.push(p.finish()?);
                }
            }
            (_, Some(p)) if nested == 0 => p.property(&cl, l.line)?,
            _ => {}
        }
    }
    if let Some(p) = current {
        return Err(IcalError::Unterminated(p.line));
    }
    Ok(items)
}

/// An item being read.
struct Pending {
    kind: CalendarKind,
    line: usize,
    uid: Option<String>,
    summary: String,
    description: String,
    location: String,
    dtstart: Option<CalendarStart>,
    due: Option<CalendarStart>,
    dtend: Option<CalendarStart>,
    duration: Option<i64>,
    done: bool,
}

impl Pending {
    fn new(kind: CalendarKind, line: usize) -> Pending {
        Pending {
            kind,
            line,
            uid: None,
            summary: String::new(),
            description: String::new(),
            location: String::new(),
            dtstart: None,
            due: None,
            dtend: None,
            duration: None,
            done: false,
        }
    }

    fn property(&mut self, cl: &content_line::ContentLine, line: usize) -> Result<(), IcalError> {
        let text = || unescape_text(&cl.value);
        match cl.name.as_str() {
            "UID" => self.uid = Some(text()),
            "SUMMARY" => self.summary = text(),
            "DESCRIPTION" => self.description = text(),
            "LOCATION" => self.location = text(),
            "DTSTART" => self.dtstart = Some(parse_start(cl, line)?),
            "DUE" => self.due = Some(parse_start(cl, line)?),
            "DTEND" => self.dtend = Some(parse_start(cl, line)?),
            "DURATION" => {
                self.duration =
                    Some(
                        parse_duration(cl.value.trim()).ok_or_else(|| IcalError::BadDuration {
                            line,
                            value: cl.value.clone(),
                        })?,
                    )
            }
            "STATUS" if cl.value.trim().eq_ignore_ascii_case("COMPLETED") => self.done = true,
            "X-CAMPO-STATUS" => self.done = cl.value.trim().eq_ignore_ascii_case("DONE"),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<CalendarItem, IcalError> {
        let uid = self.uid.ok_or(IcalError::MissingUid(self.line))?;
        let start = self
            .dtstart
            .or(self.due)
            .ok_or(IcalError::MissingStart(self.line))?;
        let end = match self.kind {
            CalendarKind::Task => self.due,
            CalendarKind::Visit => self.dtend,
        };
        let minutes = match (start, end, self.duration) {
            (CalendarStart::At(_), _, Some(ms)) => Some(ms / 60_000),
            (CalendarStart::At(s), Some(CalendarStart::At(e)), None) => Some((e - s) / 60_000),
            _ => None,
        };
        Ok(CalendarItem {
            uid,
            kind: self.kind,
            summary: self.summary,
            description: self.description,
            start,
            duration_minutes: minutes
                .filter(|&m| m > 0)
                .and_then(|m| u32::try_from(m).ok()),
            location: self.location,
            status: if self.done {
                ItemStatus::Done
            } else {
                ItemStatus::Open
            },
        })
    }
}

fn parse_start(cl: &content_line::ContentLine, line: usize) -> Result<CalendarStart, IcalError> {
    let v = cl.value.trim();
    let bad = || IcalError::BadDate {
        line,
        value: v.to_owned(),
    };
    let num = |s: &str| -> Result<u32, IcalError> {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let date = |s: &str| -> Result<Day, IcalError> {
        if s.len() != 8 {
            return Err(bad());
        }
        Day::from_ymd(num(&s[..4])? as i32, num(&s[4..6])?, num(&s[6..])?).ok_or_else(bad)
    };
    if cl.has_param("VALUE", "DATE") || v.len() == 8 {
        return Ok(CalendarStart::AllDay(date(v)?));
    }
    // Only UTC times: YYYYMMDDTHHMMSSZ.
    if v.len() != 16 || v.as_bytes()[8] != b'T' || !v.ends_with('Z') {
        return Err(bad());
    }
    let day = date(&v[..8])?;
    let (h, m, s) = (num(&v[9..11])?, num(&v[11..13])?, num(&v[13..15])?);
    if h > 23 || m > 59 || s > 60 {
        return Err(bad());
    }
    let secs = i64::from(h * 3600 + m * 60 + s.min(59));
    Ok(CalendarStart::At(day.to_ms() + secs * 1000))
}

/// An RFC 5545 duration (`PT90M`, `P1DT2H`, `P2W`), in milliseconds.
fn parse_duration(v: &str) -> Option<i64> {
    let (sign, rest) = match v.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, v.strip_prefix('+').unwrap_or(v)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = 0i64;
    let mut number = String::new();
    let mut in_time = false;
    let mut parts = 0;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' if number.is_empty() => in_time = true,
            _ => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                let secs = match (c, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(secs * 1000)?)?;
                parts += 1;
            }
        }
    }
    (number.is_empty() && parts > 0).then_some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_to_the_second() {
        // 2026-03-15 08:30:05.999 UTC.
        let day = Day::from_ymd(2026, 3, 15).unwrap();
        let ms = day.to_ms() + (8 * 3600 + 30 * 60 + 5) * 1000 + 999;
        assert_eq!(format_utc(ms), "20260315T083005Z");
        assert_eq!(format_utc(-1000), "19691231T235959Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT90M"), Some(90 * 60_000));
        assert_eq!(parse_duration("P1DT2H"), Some(26 * 3_600_000));
        assert_eq!(parse_duration("P2W"), Some(14 * 86_400_000));
        assert_eq!(parse_duration("-PT5M"), Some(-5 * 60_000));
        for bad in ["", "P", "PT", "90M", "PT5", "P5M", "PT5H3D"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
