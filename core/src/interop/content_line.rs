//! The line syntax vCard (RFC 6350, and 2.1/3.0 before it) and iCalendar (RFC 5545)
//! share: `[group.]NAME;PARAM=value:VALUE` lines, folded at 75 octets, with
//! backslash escapes in text values.

/// One logical line after unfolding, with the file line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Logical {
    pub line: usize,
    pub text: String,
}

/// Joins folded lines: a line that starts with a space or a tab continues the one
/// before it (the first whitespace character is dropped). Lines end with CRLF or LF.
///
/// With `qp_soft_breaks`, a line whose parameters say QUOTED-PRINTABLE and which ends
/// with `=` continues on the next line as it is (vCard 2.1's soft line breaks, which
/// do not start with whitespace).
pub(crate) fn unfold(text: &str, qp_soft_breaks: bool) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut in_soft_break = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let number = i + 1;
        if in_soft_break && let Some(last) = out.last_mut() {
            last.text.pop(); // the trailing '='
            last.text.push_str(line);
        } else if (line.starts_with(' ') || line.starts_with('\t')) && !out.is_empty() {
            if let Some(last) = out.last_mut() {
                last.text.push_str(&line[1..]);
            }
        } else {
            out.push(Logical {
                line: number,
                text: line.to_owned(),
            });
        }
        in_soft_break = qp_soft_breaks
            && out
                .last()
                .is_some_and(|l| l.text.ends_with('=') && is_quoted_printable(&l.text));
    }
    out.retain(|l| !l.text.trim().is_empty());
    out
}

fn is_quoted_printable(line: &str) -> bool {
    let head = match split_at_value(line) {
        Some((head, _)) => head,
        None => return false,
    };
    head.to_ascii_uppercase().contains("QUOTED-PRINTABLE")
}

/// Splits a content line at the first `:` that is not inside a quoted parameter value.
fn split_at_value(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Splits at `sep` outside double quotes.
fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// A parsed content line. Names and parameter names are upper-cased; parameter
/// values are unquoted but otherwise as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    pub group: Option<String>,
    pub name: String,
    pub params: Vec<(String, Vec<String>)>,
    pub value: String,
}

impl ContentLine {
    /// All values of the parameters called `name`.
    pub fn param_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, vs)| vs.iter().map(String::as_str))
    }

    /// Whether a parameter `name` has the value `value` (case-insensitive).
    pub fn has_param(&self, name: &str, value: &str) -> bool {
        self.param_values(name)
            .any(|v| v.eq_ignore_ascii_case(value))
    }
}

/// Parses `[group.]NAME[;PARAM[=v[,v]]]*:VALUE`. `None` when there is no `:` or no
/// name. A parameter without `=` (vCard 2.1's `TEL;CELL;PREF:`) is a TYPE value, or
/// the ENCODING when it names one.
pub(crate) fn parse(line: &str) -> Option<ContentLine> {
    let (head, value) = split_at_value(line)?;
    let mut parts = split_outside_quotes(head, ';').into_iter();
    let full_name = parts.next()?.trim();
    let (group, name) = match full_name.split_once('.') {
        Some((g, n)) => (Some(g.to_owned()), n),
        None => (None, full_name),
    };
    if name.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        match p.split_once('=') {
            Some((k, v)) => {
                let values = split_outside_quotes(v, ',')
                    .into_iter()
                    .map(|v| v.trim().trim_matches('"').to_owned())
                    .collect();
                params.push((k.trim().to_ascii_uppercase(), values));
            }
            None => {
                let upper = p.to_ascii_uppercase();
                let key = match upper.as_str() {
                    "QUOTED-PRINTABLE" | "BASE64" | "B" | "8BIT" | "7BIT" => "ENCODING",
                    _ => "TYPE",
                };
                params.push((key.to_owned(), vec![p.to_owned()]));
            }
        }
    }
    Some(ContentLine {
        group,
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_owned(),
    })
}

/// Escapes a text value: backslash, `;`, `,` and line breaks.
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Undoes [`escape_text`]; also accepts `\N` and `\:` (Apple escapes colons). An
/// unknown escape is kept as written.
pub(crate) fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(e @ (',' | ';' | '\\' | ':')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a value at `sep` where it is not escaped with a backslash; the parts stay
/// escaped.
pub(crate) fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Longest line, in octets, before folding (RFC 5545 §3.1, RFC 6350 §3.2).
pub(crate) const FOLD_OCTETS: usize = 75;

/// Appends `line` folded at 75 octets, never inside a UTF-8 character, each
/// physical line ending in CRLF and each continuation starting with a space.
pub(crate) fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = FOLD_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // Continuation lines carry the leading space within their 75 octets.
        limit = FOLD_OCTETS - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let line = format!("NOTE:{}", "àèìòù€".repeat(20));
        let mut out = String::new();
        push_folded(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= FOLD_OCTETS, "{} octets", physical.len());
        }
        let back = unfold(&out, false);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].text, line);
    }

    #[test]
    fn escapes_round_trip() {
        let s = "a,b;c\\d\ne\r\nf";
        assert_eq!(escape_text(s), "a\\,b\\;c\\\\d\\ne\\nf");
        assert_eq!(unescape_text(&escape_text(s)), "a,b;c\\d\ne\nf");
        assert_eq!(unescape_text("http\\://x.it \\q\\"), "http://x.it \\q\\");
    }

    #[test]
    fn content_lines_with_groups_and_parameters() {
        let l = parse("item1.EMAIL;type=INTERNET;TYPE=\"work,pref\":a@b.it").unwrap();
        assert_eq!(l.group.as_deref(), Some("item1"));
        assert_eq!(l.name, "EMAIL");
        assert_eq!(
            l.params,
            vec![
                ("TYPE".to_owned(), vec!["INTERNET".to_owned()]),
                ("TYPE".to_owned(), vec!["work,pref".to_owned()]),
            ]
        );
        assert_eq!(l.value, "a@b.it");
        let l = parse("TEL;CELL;QUOTED-PRINTABLE:=33").unwrap();
        assert!(l.has_param("TYPE", "cell"));
        assert!(l.has_param("ENCODING", "quoted-printable"));
        assert_eq!(parse("no colon here"), None);
    }

    #[test]
    fn split_respects_escapes() {
        assert_eq!(
            split_unescaped("a\\;b;c;;d", ';'),
            vec!["a\\;b", "c", "", "d"]
        );
    }

    #[test]
    fn quoted_printable_soft_breaks_join_lines() {
        let text = "NOTE;ENCODING=QUOTED-PRINTABLE:abc=\r\ndef=\r\nghi\r\nFN:x\r\n";
        let lines = unfold(text, true);
        assert_eq!(lines[0].text, "NOTE;ENCODING=QUOTED-PRINTABLE:abcdefghi");
        assert_eq!((lines[1].line, lines[1].text.as_str()), (4, "FN:x"));
    }
}
