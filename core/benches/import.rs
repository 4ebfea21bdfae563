//! Importing a large spreadsheet natively: an Excel-Italy file (Windows-1252, `;`,
//! CRLF, quoted notes with line breaks) of 10,000 rows is decoded, parsed, mapped,
//! checked and matched against a book of 10,000 records. Prints a table; asserts
//! nothing about time (a benchmark, not a test).
//!
//!   cargo bench -p campo-core --bench import             # 10,000 rows
//!   CAMPO_BENCH_ROWS=1000 cargo bench -p campo-core --bench import

use campo_core::ids::DocId;
use campo_core::interop::{
    DuplicateKey, ImportRow, apply_mapping, error_report, find_duplicates, parse_csv,
    suggest_mapping,
};
use campo_core::seed::Rng;
use std::time::{Duration, Instant};

const PREFIXES: [&str; 6] = [
    "Bar",
    "Trattoria",
    "Caffè",
    "Pasticceria",
    "Ferramenta",
    "Società",
];
const NAMES: [&str; 8] = [
    "Roma",
    "Però",
    "Dà Nonna",
    "Centrale",
    "Sport",
    "Lucà",
    "Verdi",
    "Ölberg",
];
const CITIES: [(&str, &str, &str); 5] = [
    ("Milano", "20121", "MI"),
    ("Forlì", "47121", "FC"),
    ("Roma", "184", "RM"),
    ("Città di Castello", "6012", "PG"),
    ("Cantù", "22063", "CO"),
];

/// A partita IVA with a correct check digit, built from ten random digits.
fn partita_iva(rng: &mut Rng) -> String {
    let d: Vec<u32> = (0..10).map(|_| rng.below(10) as u32).collect();
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| match (i % 2, x * 2) {
            (0, _) => x,
            (_, y) if y > 9 => y - 9,
            (_, y) => y,
        })
        .sum();
    let digits: String = d
        .iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

/// Windows-1252 bytes of text that only uses Latin-1 letters and the euro sign.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            c => u8::try_from(u32::from(c)).unwrap_or(b'?'),
        })
        .collect()
}

fn generate(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut text = String::from(
        "Ragione sociale;P.IVA;Indirizzo;Città;CAP;Provincia;Telefono;Email;Tag;Note\r\n",
    );
    for i in 0..n {
        let (city, cap, prov) = *rng.pick(&CITIES);
        // About 1 row in 50 has a bad email and 1 in 50 an earlier row's email.
        let email = match rng.below(50) {
            0 => format!("info{i}@@example.it"),
            1 if i > 0 => format!("info{}@example.it", rng.below(i)),
            _ => format!("info{i}@example.it"),
        };
        let note = if rng.below(4) == 0 {
            format!("\"Chiuso il lunedì; sconto 5 €\r\nref. \"\"{i}\"\"\"")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{} {} {i};{};Via Garibaldi {};{city};{cap};{prov};+39 02 {:07};{email};horeca, vip;{note}\r\n",
            rng.pick(&PREFIXES),
            rng.pick(&NAMES),
            partita_iva(rng),
            rng.below(200) + 1,
            rng.below(10_000_000),
        ));
    }
    windows_1252(&text)
}

fn book_keys(rng: &mut Rng, n: usize) -> Vec<(DocId, Vec<DuplicateKey>)> {
    (0..n)
        .map(|i| {
            // Some existing records share an email with the file.
            let email = if i % 20 == 0 {
                format!("info{i}@example.it")
            } else {
                format!("cliente{i}@example.com")
            };
            let keys = vec![
                DuplicateKey::Email(email),
                DuplicateKey::VatId(format!("IT{}", partita_iva(rng))),
                DuplicateKey::Phone(format!("02{:07}", rng.below(10_000_000))),
            ];
            (DocId(rng.bytes16()), keys)
        })
        .collect()
}

fn main() {
    let n: usize = std::env::var("CAMPO_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut rng = Rng::new(2026);
    let bytes = generate(&mut rng, n);
    let book = book_keys(&mut rng, n);
    println!(
        "Campo import benchmark (native): {n} rows, {:.1} MB Windows-1252, against {n} records\n",
        bytes.len() as f64 / 1e6
    );

    let mut steps: Vec<(&str, Duration)> = Vec::new();
    let t = Instant::now();
    let table = parse_csv(&bytes).expect("the generated file is a table");
    steps.push(("decode + detect separator + parse", t.elapsed()));
    let t = Instant::now();
    let mapping = suggest_mapping(&table.headers);
    let results = apply_mapping(&table, &mapping);
    steps.push(("suggest mapping + map + validate", t.elapsed()));
    let t = Instant::now();
    let (rows, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    let rows: Vec<ImportRow> = rows.into_iter().filter_map(Result::ok).collect();
    let errors: Vec<_> = errors.into_iter().filter_map(Result::err).collect();
    let dups = find_duplicates(&rows, book);
    steps.push(("find duplicates (file + book)", t.elapsed()));
    let total: Duration = steps.iter().map(|(_, d)| *d).sum();
    let t = Instant::now();
    let report = error_report(&table, &errors, ["Riga", "Problemi"]);
    let report_time = t.elapsed();

    println!("| step | time |\n|---|---:|");
    for (what, d) in &steps {
        println!("| {what:<36} | {:>8.1} ms |", d.as_secs_f64() * 1e3);
    }
    println!(
        "| {:<36} | {:>8.1} ms |",
        "error report (not in the total)",
        report_time.as_secs_f64() * 1e3
    );
    println!();
    println!("| figure | target | measured |\n|---|---:|---:|");
    println!(
        "| parse + map + validate + dedup, {n} rows | 1 s for 10,000 | {:.0} ms |",
        total.as_secs_f64() * 1e3
    );
    let in_file = dups.iter().filter(|d| !d.earlier_rows.is_empty()).count();
    let in_book = dups.iter().filter(|d| !d.existing.is_empty()).count();
    println!(
        "\n{} rows imported, {} refused ({} B report), {in_file} duplicate an earlier row, {in_book} match the book",
        rows.len(),
        errors.len(),
        report.len()
    );
    assert_eq!(rows.len() + errors.len(), n, "every row is accounted for");
}
