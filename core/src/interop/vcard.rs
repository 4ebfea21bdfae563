//! vCard contacts: reading 2.1, 3.0 and 4.0 files (phone address books, Monica,
//! Outlook) into [`VCard`]s, and writing vCard 4.0.
//!
//! Reading is lenient about what exporters get wrong in practice (unknown
//! properties, 2.1's bare `TEL;CELL:` parameters, Apple's `item1.` groups and
//! labels, Apple's `\:` escapes, base64 photos) and strict about structure: a card
//! without `END:VCARD`, with a line that is not `NAME:value`, with no name at all or
//! with a birthday that is not a date is an error for that card alone.

use super::content_line::{
    self, ContentLine, escape_text, push_folded, split_unescaped, unescape_text,
};
use super::date::parse_date;
use super::encoding;
use crate::sorting;

/// A value with its kinds, e.g. a phone number with `["work", "cell"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// Lower-case TYPE values (`home`, `work`, `cell`, `voice`, …), `pref` for the
    /// preferred one, and Apple's custom labels, sorted. `internet` is left out:
    /// every email is one.
    pub kinds: Vec<String>,
    pub value: String,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// As for [`Typed::kinds`].
    pub kinds: Vec<String>,
    /// The street lines; a post-office box and an extended address, when given,
    /// come first, one per line.
    pub street: String,
    pub city: String,
    /// Region, state or province.
    pub region: String,
    pub postcode: String,
    pub country: String,
}

/// One contact. Empty strings and lists are things the card did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VCard {
    /// FN; when the card has none, given and family name joined, or the
    /// organisation. Never empty in a card read from a file.
    pub full_name: String,
    pub given: String,
    pub family: String,
    /// The organisation's name (the first part of ORG).
    pub org: String,
    /// Departments and units (the other parts of ORG).
    pub org_units: Vec<String>,
    pub title: String,
    pub role: String,
    pub phones: Vec<Typed>,
    pub emails: Vec<Typed>,
    pub addresses: Vec<Address>,
    /// The first URL.
    pub url: String,
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is not known.
    pub birthday: Option<String>,
    pub note: String,
    pub categories: Vec<String>,
}

/// What is wrong with a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VCardProblem {
    #[error("the card has no END:VCARD; the file may be cut short, export it again")]
    Unterminated,
    #[error("this line is not a vCard property (NAME:value); fix or remove it")]
    MissingColon,
    #[error("the card has no name (FN, N or ORG); add one in the address book")]
    NoName,
    #[error("{0:?} is not a birthday date (like 1980-03-15)")]
    InvalidBirthday(String),
}

/// A card that could not be read, and the file line where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct VCardError {
    pub line: usize,
    pub problem: VCardProblem,
}

/// Why a file could not be read as vCards at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VCardFileError {
    #[error("the file holds no contacts (no BEGIN:VCARD); export contacts as vCard (.vcf)")]
    NoCards,
}

/// Reads every card in a file, in order. Each entry is a card or the reason that
/// card could not be read; the other cards are unaffected.
pub fn read_vcards(bytes: &[u8]) -> Result<Vec<Result<VCard, VCardError>>, VCardFileError> {
    let text = encoding::decode(bytes).text;
    let mut cards = Vec::new();
    let mut current: Option<CardLines> = None;
    for logical in content_line::unfold(&text, true) {
        let trimmed = logical.text.trim();
        if trimmed.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some(open) = current.take() {
                cards.push(Err(VCardError {
                    line: open.start,
                    problem: VCardProblem::Unterminated,
                }));
            }
            current = Some(CardLines::new(logical.line));
            continue;
        }
        // Text between cards is not ours to judge.
        let Some(card) = current.as_mut() else {
            continue;
        };
        if trimmed.eq_ignore_ascii_case("END:VCARD") {
            if let Some(done) = current.take() {
                cards.push(done.finish());
            }
            continue;
        }
        match content_line::parse(&logical.text) {
            Some(line) => {
                card.in_base64 = is_base64(&line);
                card.lines.push((logical.line, line));
            }
            // vCard 2.1 base64 data may continue on lines without indentation.
            None if card.in_base64 => {}
            None => {
                card.error.get_or_insert(VCardError {
                    line: logical.line,
                    problem: VCardProblem::MissingColon,
                });
            }
        }
    }
    if let Some(open) = current {
        cards.push(Err(VCardError {
            line: open.start,
            problem: VCardProblem::Unterminated,
        }));
    }
    if cards.is_empty() {
        return Err(VCardFileError::NoCards);
    }
    Ok(cards)
}

/// The lines of one card, collected until END:VCARD.
struct CardLines {
    start: usize,
    lines: Vec<(usize, ContentLine)>,
    error: Option<VCardError>,
    in_base64: bool,
}

fn is_base64(line: &ContentLine) -> bool {
    line.has_param("ENCODING", "b") || line.has_param("ENCODING", "base64")
}

impl CardLines {
    fn new(start: usize) -> CardLines {
        CardLines {
            start,
            lines: Vec::new(),
            error: None,
            in_base64: false,
        }
    }

    fn finish(self) -> Result<VCard, VCardError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut card = VCard::default();
        // Which group each typed value came from, to apply Apple's labels after.
        let mut phone_groups = Vec::new();
        let mut email_groups = Vec::new();
        let mut address_groups = Vec::new();
        let mut labels: Vec<(String, String)> = Vec::new();
        for (number, line) in &self.lines {
            if is_base64(line) {
                continue;
            }
            let value = decoded_value(line);
            let group = line.group.clone();
            match line.name.as_str() {
                "FN" => card.full_name = unescape_text(&value).trim().to_owned(),
                "N" => {
                    let parts = components(&value);
                    card.family = parts.first().cloned().unwrap_or_default();
                    card.given = parts.get(1).cloned().unwrap_or_default();
                }
                "ORG" => {
                    let mut parts = components(&value).into_iter();
                    card.org = parts.next().unwrap_or_default();
                    card.org_units = parts.filter(|p| !p.is_empty()).collect();
                }
                "TITLE" => card.title = unescape_text(&value).trim().to_owned(),
                "ROLE" => card.role = unescape_text(&value).trim().to_owned(),
                "NOTE" => {
                    if !card.note.is_empty() {
                        card.note.push('\n');
                    }
                    card.note.push_str(unescape_text(&value).trim());
                }
                "URL" if card.url.is_empty() => card.url = unescape_text(&value).trim().to_owned(),
                "TEL" => {
                    let v = unescape_text(&value);
                    let v = v.trim();
                    let v = v.strip_prefix("tel:").unwrap_or(v);
                    if !v.is_empty() {
                        card.phones.push(Typed {
                            kinds: kinds(line),
                            value: v.to_owned(),
                        });
                        phone_groups.push(group);
                    }
                }
                "EMAIL" => {
                    let v = unescape_text(&value).trim().to_owned();
                    if !v.is_empty() {
                        card.emails.push(Typed {
                            kinds: kinds(line),
                            value: v,
                        });
                        email_groups.push(group);
                    }
                }
                "ADR" => {
                    let p = components(&value);
                    let part = |i: usize| p.get(i).cloned().unwrap_or_default();
                    let street: Vec<String> = [part(0), part(1), part(2)]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect();
                    let address = Address {
                        kinds: kinds(line),
                        street: street.join("\n"),
                        city: part(3),
                        region: part(4),
                        postcode: part(5),
                        country: part(6),
                    };
                    let has_text = [
                        &address.street,
                        &address.city,
                        &address.region,
                        &address.postcode,
                        &address.country,
                    ]
                    .iter()
                    .any(|p| !p.is_empty());
                    if has_text {
                        card.addresses.push(address);
                        address_groups.push(group);
                    }
                }
                "BDAY" => card.birthday = birthday(line, &value, *number)?,
                "CATEGORIES" => {
                    for c in split_unescaped(&value, ',') {
                        let c = unescape_text(c).trim().to_owned();
                        if !c.is_empty() && !card.categories.contains(&c) {
                            card.categories.push(c);
                        }
                    }
                }
                "X-ABLABEL" => {
                    if let Some(g) = group {
                        let label = unescape_text(&value);
                        let label = label.trim();
                        // Apple writes its own labels as `_$!<Mobile>!$_`.
                        let label = label
                            .strip_prefix("_$!<")
                            .and_then(|l| l.strip_suffix(">!$_"))
                            .unwrap_or(label);
                        if !label.is_empty() {
                            labels.push((g, label.to_lowercase()));
                        }
                    }
                }
                _ => {}
            }
        }
        for (group, label) in &labels {
            let targets = phone_groups
                .iter()
                .zip(card.phones.iter_mut().map(|t| &mut t.kinds))
                .chain(
                    email_groups
                        .iter()
                        .zip(card.emails.iter_mut().map(|t| &mut t.kinds)),
                )
                .chain(
                    address_groups
                        .iter()
                        .zip(card.addresses.iter_mut().map(|a| &mut a.kinds)),
                );
            for (g, kinds) in targets {
                if g.as_ref() == Some(group) && !kinds.contains(label) {
                    kinds.push(label.clone());
                }
            }
        }
        // Kinds are a set; sorted, two cards saying the same compare equal.
        for kinds in card
            .phones
            .iter_mut()
            .chain(card.emails.iter_mut())
            .map(|t| &mut t.kinds)
            .chain(card.addresses.iter_mut().map(|a| &mut a.kinds))
        {
            sorting::sort(kinds);
        }
        if card.full_name.is_empty() {
            card.full_name = format!("{} {}", card.given, card.family).trim().to_owned();
        }
        if card.full_name.is_empty() {
            card.full_name = card.org.clone();
        }
        if card.full_name.is_empty() {
            return Err(VCardError {
                line: self.start,
                problem: VCardProblem::NoName,
            });
        }
        Ok(card)
    }
}

/// The value with QUOTED-PRINTABLE and its CHARSET undone (still vCard-escaped).
fn decoded_value(line: &ContentLine) -> String {
    if !line.has_param("ENCODING", "quoted-printable") {
        return line.value.clone();
    }
    let bytes = decode_quoted_printable(&line.value);
    let latin = line.param_values("CHARSET").any(|c| {
        matches!(
            c.to_ascii_lowercase().as_str(),
            "iso-8859-1" | "iso-8859-15" | "windows-1252" | "cp1252" | "latin1"
        )
    });
    let text = if latin {
        encoding::decode_windows_1252(&bytes)
    } else {
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => encoding::decode_windows_1252(e.as_bytes()),
        }
    };
    // Encoded line breaks are CRLF; text values use `\n` like escaped ones.
    text.replace("\r\n", "\n")
}

/// `=XX` becomes the byte 0xXX; anything else, a malformed `=` included, is kept.
fn decode_quoted_printable(value: &str) -> Vec<u8> {
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |x: u8| char::from(x).to_digit(16);
        if b[i] == b'='
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// The `;`-separated parts of a structured value, unescaped and trimmed.
fn components(value: &str) -> Vec<String> {
    split_unescaped(value, ';')
        .into_iter()
        .map(|p| unescape_text(p).trim().to_owned())
        .collect()
}

fn kinds(line: &ContentLine) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |k: String| {
        if !k.is_empty() && k != "internet" && !out.contains(&k) {
            out.push(k);
        }
    };
    for v in line.param_values("TYPE") {
        for k in v.split(',') {
            add(k.trim().to_lowercase());
        }
    }
    if line.param_values("PREF").next().is_some() {
        add("pref".to_owned());
    }
    out
}

fn birthday(line: &ContentLine, value: &str, number: usize) -> Result<Option<String>, VCardError> {
    // A free-text birthday ("circa 1960") is not a date to keep.
    if line.has_param("VALUE", "text") {
        return Ok(None);
    }
    let value = unescape_text(value);
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    // Apple stores a birthday without a year in a placeholder year it names.
    let omitted = line
        .param_values("X-APPLE-OMIT-YEAR")
        .next()
        .and_then(|y| value.strip_prefix(y));
    let parsed = match omitted {
        Some(rest) => parse_date(&format!("--{}", rest.trim_start_matches('-'))),
        None => parse_date(value),
    };
    match parsed {
        Some(d) => Ok(Some(d)),
        None => Err(VCardError {
            line: number,
            problem: VCardProblem::InvalidBirthday(value.to_owned()),
        }),
    }
}

/// Writes the cards as vCard 4.0 (RFC 6350): CRLF lines folded at 75 octets, text
/// escaped. `pref` in kinds becomes `PREF=1`; characters a parameter cannot hold
/// (`" ; : ,`) are dropped from kinds. A card without a full name gets one from its
/// given and family name, or its organisation.
pub fn write_vcards(cards: &[VCard]) -> Vec<u8> {
    let mut out = String::new();
    for card in cards {
        write_card(&mut out, card);
    }
    out.into_bytes()
}

fn write_card(out: &mut String, card: &VCard) {
    let mut line = |s: String| push_folded(out, &s);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line("PRODID:-//Campo//Campo//EN".into());
    let full_name = if !card.full_name.is_empty() {
        card.full_name.clone()
    } else if !card.given.is_empty() || !card.family.is_empty() {
        format!("{} {}", card.given, card.family).trim().to_owned()
    } else {
        card.org.clone()
    };
    line(format!("FN:{}", escape_text(&full_name)));
    if !card.given.is_empty() || !card.family.is_empty() {
        line(format!(
            "N:{};{};;;",
            escape_text(&card.family),
            escape_text(&card.given)
        ));
    }
    if !card.org.is_empty() || !card.org_units.is_empty() {
        let parts: Vec<String> = std::iter::once(&card.org)
            .chain(&card.org_units)
            .map(|p| escape_text(p))
            .collect();
        line(format!("ORG:{}", parts.join(";")));
    }
    for (name, value) in [("TITLE", &card.title), ("ROLE", &card.role)] {
        if !value.is_empty() {
            line(format!("{name}:{}", escape_text(value)));
        }
    }
    for t in &card.phones {
        line(format!("TEL{}:{}", params(&t.kinds), escape_text(&t.value)));
    }
    for t in &card.emails {
        line(format!(
            "EMAIL{}:{}",
            params(&t.kinds),
            escape_text(&t.value)
        ));
    }
    for a in &card.addresses {
        let parts =
            [&a.street, &a.city, &a.region, &a.postcode, &a.country].map(|p| escape_text(p));
        line(format!("ADR{}:;;{}", params(&a.kinds), parts.join(";")));
    }
    if !card.url.is_empty() {
        // A URI is not text: only a backslash and line breaks need escaping.
        let url = card.url.replace('\\', "\\\\").replace('\n', "\\n");
        line(format!("URL:{url}"));
    }
    if let Some(b) = &card.birthday {
        match parse_date(b) {
            // vCard 4.0 writes dates in the basic form: 19800315, --0315.
            Some(d) => match d.strip_prefix("--") {
                Some(month_day) => line(format!("BDAY:--{}", month_day.replace('-', ""))),
                None => line(format!("BDAY:{}", d.replace('-', ""))),
            },
            None => line(format!("BDAY;VALUE=text:{}", escape_text(b))),
        }
    }
    if !card.note.is_empty() {
        line(format!("NOTE:{}", escape_text(&card.note)));
    }
    if !card.categories.is_empty() {
        let cats: Vec<String> = card.categories.iter().map(|c| escape_text(c)).collect();
        line(format!("CATEGORIES:{}", cats.join(",")));
    }
    line("END:VCARD".into());
}

fn params(kinds: &[String]) -> String {
    let mut types: Vec<String> = Vec::new();
    let mut pref = false;
    for k in kinds {
        let clean: String = k
            .chars()
            .filter(|c| !"\";:,".contains(*c) && !c.is_control())
            .collect();
        let clean = clean.trim().to_lowercase();
        if clean == "pref" {
            pref = true;
        } else if !clean.is_empty() && !types.contains(&clean) {
            types.push(clean);
        }
    }
    let mut out = String::new();
    if !types.is_empty() {
        out.push_str(";TYPE=");
        out.push_str(&types.join(","));
    }
    if pref {
        out.push_str(";PREF=1");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_bytes() {
        assert_eq!(
            decode_quoted_printable("Citt=C3=A0 =3D x="),
            "Città = x=".as_bytes()
        );
        assert_eq!(decode_quoted_printable("=ZZ=4"), b"=ZZ=4");
    }

    #[test]
    fn birthdays_without_a_year() {
        let line = content_line::parse("BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15").unwrap();
        assert_eq!(
            birthday(&line, &line.value, 1),
            Ok(Some("--03-15".to_owned()))
        );
        let line = content_line::parse("BDAY:--0315").unwrap();
        assert_eq!(
            birthday(&line, &line.value, 1),
            Ok(Some("--03-15".to_owned()))
        );
        let line = content_line::parse("BDAY;VALUE=text:circa 1960").unwrap();
        assert_eq!(birthday(&line, &line.value, 1), Ok(None));
    }

    #[test]
    fn a_file_without_cards_is_refused() {
        assert_eq!(read_vcards(b"hello\r\n"), Err(VCardFileError::NoCards));
    }
}
