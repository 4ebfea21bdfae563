//! Importing spreadsheets as people really export them: each fixture under
//! `fixtures/import/` is read, mapped with the suggested mapping and checked value
//! by value.

use campo_core::ids::DocId;
use campo_core::interop::{
    AccountFields, CsvTable, DuplicateKey, ImportRow, Match, PersonFields, RowError, RowProblem,
    Separator, Target, TextEncoding, apply_mapping, error_report, find_duplicates, parse_csv,
    suggest_mapping,
};
use campo_core::vocab::AccountStatus;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads a fixture and maps it with the suggested mapping.
fn import(name: &str) -> (CsvTable, Vec<Target>, Vec<Result<ImportRow, RowError>>) {
    let table = parse_csv(&fixture(name)).unwrap();
    let mapping = suggest_mapping(&table.headers);
    let rows = apply_mapping(&table, &mapping);
    (table, mapping, rows)
}

fn ok_rows(rows: Vec<Result<ImportRow, RowError>>) -> Vec<ImportRow> {
    rows.into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected error: {e}")))
        .collect()
}

fn tags(ts: &[&str]) -> Vec<String> {
    ts.iter().map(|t| t.to_string()).collect()
}

#[test]
fn excel_italy_windows_1252_semicolons_crlf() {
    let (table, mapping, rows) = import("excel-italia.csv");
    assert_eq!(table.encoding, TextEncoding::Windows1252);
    assert_eq!(table.separator, Separator::Semicolon);
    assert_eq!(table.headers[3], "Città");
    use Target::*;
    assert_eq!(
        mapping,
        [
            Name, VatId, Street, City, Postcode, Province, Phone, Mobile, Email, Website, Industry,
            Tags, Notes, Ignore
        ]
    );
    // The two `;;;;` lines Excel leaves after the data are not rows.
    let rows = ok_rows(rows);
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 4]);

    assert_eq!(
        rows[0].account,
        AccountFields {
            name: "Caffè Però S.r.l.".into(),
            vat_id: "01234567897".into(),
            phone: "0543 123456".into(),
            mobile: "333 1234567".into(),
            email: "info@caffepero.it".into(),
            website: "www.caffepero.it".into(),
            street: "Via Garibaldi 12".into(),
            city: "Forlì".into(),
            postcode: "47121".into(),
            province: "FC".into(),
            country: "".into(),
            industry: "Bar e caffetterie".into(),
            tags: tags(&["horeca", "vip"]),
            notes: "Chiuso il lunedì. Sconto 5 €".into(),
            status: None,
        }
    );
    assert_eq!(rows[0].person, None);

    // Excel took the P.IVA and the CAP for numbers and dropped their leading zeros.
    let trattoria = &rows[1].account;
    assert_eq!(trattoria.name, "Trattoria Dà Nonna Luì");
    assert_eq!(trattoria.vat_id, "07654321004");
    assert_eq!(trattoria.postcode, "00184");
    assert_eq!(trattoria.street, "Piazza Università 3");
    assert_eq!(trattoria.phone, "06/1234567");
    assert_eq!(trattoria.tags, tags(&["horeca", "roma"]));
    assert_eq!(trattoria.notes, "Prenotare con anticipo: è sempre pieno");

    let agricola = &rows[2].account;
    assert_eq!(agricola.name, "Società Agricola Ölberg");
    assert_eq!(agricola.vat_id, "IT00743110157");
    assert_eq!(agricola.street, "Località Pièvè 1");
    assert_eq!(agricola.city, "Città di Castello");
    assert_eq!(agricola.postcode, "06012");
    assert_eq!(agricola.phone, "+39 075 855 1234");
    assert_eq!(agricola.notes, "Vendita diretta; cantina");
    assert!(agricola.tags.is_empty());
}

#[test]
fn utf8_bom_with_quoted_newlines_and_doubled_quotes() {
    let (table, mapping, rows) = import("utf8-bom-quoted.csv");
    assert_eq!(table.encoding, TextEncoding::Utf8Bom);
    assert_eq!(table.separator, Separator::Comma);
    // The BOM is not part of the first header.
    assert_eq!(table.headers[0], "Company");
    use Target::*;
    assert_eq!(mapping, [Name, Street, City, Email, Notes, Tags]);
    let rows = ok_rows(rows);
    // The first row spans lines 2-4.
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 5, 6]);
    assert_eq!(rows[0].account.name, "Bar \"Il Ritrovo\"");
    assert_eq!(rows[0].account.street, "Via Roma 1\nScala B");
    assert_eq!(rows[0].account.notes, "Orari: 7-20\nChiuso la domenica");
    assert_eq!(rows[0].account.tags, tags(&["bar", "milano"]));
    assert_eq!(rows[1].account.name, "Pasticceria Dolce Vita");
    assert_eq!(rows[1].account.notes, "Dice: \"il migliore\"");
    assert_eq!(rows[1].account.email, "");
    assert_eq!(rows[2].account.name, "Rossi, Bianchi & C.");
    assert_eq!(rows[2].account.city, "Torino");
}

#[test]
fn salesforce_accounts_report() {
    let (table, mapping, rows) = import("salesforce-accounts.csv");
    assert_eq!(table.separator, Separator::Comma);
    use Target::*;
    // "Type" and "Account Owner" are not record fields; the shipping street is a
    // second street, left to the billing one.
    assert_eq!(
        mapping,
        [
            Name, Ignore, Street, City, Province, Postcode, Country, Ignore, Phone, Website,
            Industry, Ignore
        ]
    );
    let rows = ok_rows(rows);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].account,
        AccountFields {
            name: "Acme Italia S.p.A.".into(),
            phone: "+39 02 9876543".into(),
            website: "https://www.acme.example".into(),
            street: "Viale Monza 100".into(),
            city: "Milano".into(),
            postcode: "20127".into(),
            province: "MI".into(),
            country: "Italy".into(),
            industry: "Manufacturing".into(),
            ..AccountFields::default()
        }
    );
    assert_eq!(rows[1].account.name, "Gelateria Polare");
    assert_eq!(rows[1].account.website, "");
    assert_eq!(rows[1].account.industry, "Food & Beverage");
    // An Austrian postcode has four digits and keeps them.
    let brenner = &rows[2].account;
    assert_eq!(
        (
            brenner.street.as_str(),
            brenner.postcode.as_str(),
            brenner.country.as_str()
        ),
        ("Brennerstraße 7", "6020", "Austria")
    );
}

#[test]
fn hubspot_contacts_export() {
    let (_, mapping, rows) = import("hubspot-contacts.csv");
    use Target::*;
    // A file of people: the email and the only phone are the person's.
    assert_eq!(
        mapping,
        [
            Ignore,
            FirstName,
            LastName,
            PersonEmail,
            PersonPhone,
            Role,
            Name,
            City,
            Postcode,
            Status,
            Ignore
        ]
    );
    let rows = ok_rows(rows);
    assert_eq!(rows[0].account.name, "Ottica Bianchi");
    assert_eq!(rows[0].account.city, "Bologna");
    assert_eq!(rows[0].account.status, Some(AccountStatus::Active));
    assert_eq!(
        rows[0].person,
        Some(PersonFields {
            first_name: "Giulia".into(),
            last_name: "Bianchi".into(),
            full_name: "Giulia Bianchi".into(),
            role: "Responsabile acquisti".into(),
            email: "giulia.bianchi@example.com".into(),
            phone: "+39 347 1112223".into(),
            birthday: "".into(),
        })
    );
    // No company: a private customer, named after the person.
    assert_eq!(rows[1].account.name, "Marco Esposito");
    assert_eq!(rows[1].account.status, Some(AccountStatus::Prospect));
    assert_eq!(rows[1].person.as_ref().unwrap().phone, "");
    assert_eq!(rows[2].account.name, "Wei Trading");
    assert_eq!(rows[2].person.as_ref().unwrap().phone, "(02) 555-0199");
    // HubSpot's "Subscriber" stage is a prospect.
    assert_eq!(rows[2].account.status, Some(AccountStatus::Prospect));
}

#[test]
fn bad_rows_are_reported_with_their_file_lines() {
    let (table, _, rows) = import("bad-rows.csv");
    let errors: Vec<&RowError> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
    // Row 3 spans lines 3-4 (a quoted newline), so the next row is on line 5.
    assert_eq!(
        errors,
        [
            &RowError {
                row: 3,
                reasons: vec![RowProblem::InvalidEmail {
                    field: Target::Email,
                    value: "sport@@example.it".into()
                }],
            },
            &RowError {
                row: 5,
                reasons: vec![RowProblem::MissingName]
            },
            &RowError {
                row: 6,
                reasons: vec![RowProblem::InvalidVatId {
                    value: "12345678901".into()
                }],
            },
            &RowError {
                row: 9,
                reasons: vec![RowProblem::InvalidPhone {
                    field: Target::Phone,
                    value: "12".into()
                }],
            },
        ]
    );

    // The report: the refused rows as they were, with the reasons, for Excel.
    let report = error_report(&table, errors.iter().copied(), ["Riga", "Problemi"]);
    let expected = "\u{feff}Riga;Problemi;Ragione sociale;Partita IVA;Email;Telefono;Città\r\n\
        3;invalid_email:email;Bar Sport;;sport@@example.it;02 7654321;\"Milano\nCentro\"\r\n\
        5;missing_name:name;;;nessuno@example.it;;Lodi\r\n\
        6;invalid_vat_id:vat_id;Ferramenta Rossi;12345678901;ferramenta@rossi.it;0371 998877;Lodi\r\n\
        9;invalid_phone:phone;Tabacchi Neri;;;12;Pavia\r\n";
    assert_eq!(String::from_utf8(report.clone()).unwrap(), expected);
    // It reads back as a table, for a second attempt once fixed.
    let back = parse_csv(&report).unwrap();
    assert_eq!(back.rows.len(), 4);
    assert_eq!(back.rows[0].fields[6], "Milano\nCentro");
}

#[test]
fn duplicates_in_the_file_and_in_the_book() {
    let (_, _, rows) = import("bad-rows.csv");
    let rows: Vec<ImportRow> = rows.into_iter().filter_map(Result::ok).collect();
    assert_eq!(
        rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [2, 7, 8, 10]
    );

    let book = DocId([1; 16]);
    let german = DocId([2; 16]);
    let unrelated = DocId([3; 16]);
    let existing = vec![
        (
            book,
            vec![DuplicateKey::Email("info@barcentrale.it".into())],
        ),
        (german, vec![DuplicateKey::VatId("DE123456789".into())]),
        (unrelated, vec![DuplicateKey::Phone("0371998877".into())]),
    ];
    let dups = find_duplicates(&rows, existing);

    let email = || DuplicateKey::Email("info@barcentrale.it".into());
    let phone = || DuplicateKey::Phone("021234567".into());
    // Line 2 is already in the book (same email).
    assert_eq!(dups[0].row, 2);
    assert_eq!(
        dups[0].existing,
        [Match {
            with: book,
            keys: vec![email()]
        }]
    );
    assert!(dups[0].earlier_rows.is_empty());
    // Line 7 writes line 2's VAT id with the IT prefix.
    assert_eq!(dups[1].row, 7);
    assert!(dups[1].existing.is_empty());
    assert_eq!(
        dups[1].earlier_rows,
        [Match {
            with: 2,
            keys: vec![DuplicateKey::VatId("IT01234567897".into())]
        }]
    );
    // Line 8 has line 2's email in capitals and its phone with +39.
    assert_eq!(
        dups[2].existing,
        [Match {
            with: book,
            keys: vec![email()]
        }]
    );
    assert_eq!(
        dups[2].earlier_rows,
        [Match {
            with: 2,
            keys: vec![email(), phone()]
        }]
    );
    // Line 10 has a German VAT id already in the book.
    assert_eq!(
        dups[3].existing,
        [Match {
            with: german,
            keys: vec![DuplicateKey::VatId("DE123456789".into())]
        }]
    );
    assert!(dups[3].earlier_rows.is_empty());
}
