//! The spine at book scale, natively: what a device pays per account.
//! Prints a table; asserts nothing about time (a benchmark, not a test).
//!
//!   cargo bench -p campo-core --bench book            # 10,000 accounts
//!   CAMPO_BENCH_CUSTOMERS=500 cargo bench -p campo-core --bench book

use campo_core::index::{Index, Query, QueryContext, StoredSummary};
use campo_core::record::{Edit, RecordDoc, Stamp};
use campo_core::seed::{self, Rng};
use campo_core::summary::Summary;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPS: [&str; 20] = [
    "Anna", "Bruno", "Carla", "Dario", "Elisa", "Fabio", "Gaia", "Ivo", "Luisa", "Mirko", "Nadia",
    "Oscar", "Piera", "Rocco", "Silvia", "Tiziano", "Ugo", "Vera", "Zeno", "Alba",
];

fn row(what: &str, total: Duration, n: usize) {
    let per = total.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "| {what:<44} | {:>10.1} ms | {per:>10.1} µs |",
        total.as_secs_f64() * 1e3
    );
}

fn main() {
    let n: usize = std::env::var("CAMPO_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    println!("Campo book benchmark (native): {n} accounts, 10 interactions and 5 orders each\n");
    println!("| step | total | per account |\n|---|---:|---:|");

    let mut rng = Rng::new(2026);
    let products: Vec<seed::ProductRef> = (0..(n / 2).max(10))
        .map(|i| seed::product(&mut rng, i).2)
        .collect();
    let t = Instant::now();
    let mut docs: Vec<RecordDoc> = Vec::with_capacity(n);
    let mut change_bytes = 0usize;
    for _ in 0..n {
        let (doc, changes) = seed::account(&mut rng, &REPS, 10, 5, &products);
        change_bytes += changes.iter().map(Vec::len).sum::<usize>();
        docs.push(doc);
    }
    row(
        "generate (create + interactions and orders)",
        t.elapsed(),
        n,
    );

    let t = Instant::now();
    let saved: Vec<(campo_core::ids::DocId, Vec<u8>)> =
        docs.iter_mut().map(|d| (d.id(), d.save())).collect();
    row("save (compact)", t.elapsed(), n);
    let saved_bytes: usize = saved.iter().map(|(_, b)| b.len()).sum();

    let t = Instant::now();
    let mut loaded: Vec<RecordDoc> = saved
        .iter()
        .map(|(id, b)| RecordDoc::load(*id, b).unwrap())
        .collect();
    row("load every document", t.elapsed(), n);

    let t = Instant::now();
    let summaries: Vec<Summary> = loaded
        .iter_mut()
        .filter_map(|d| Summary::of(&d.read()))
        .collect();
    row("read + summarize every document", t.elapsed(), n);

    let encoded: Vec<Vec<u8>> = summaries.iter().map(Summary::encode).collect();
    let summary_bytes: usize = encoded.iter().map(Vec::len).sum();
    let t = Instant::now();
    let decoded: Vec<Summary> = encoded
        .iter()
        .map(|b| Summary::decode(b).unwrap())
        .collect();
    row("decode stored summaries (cold start)", t.elapsed(), n);
    let t = Instant::now();
    let index = Index::new(decoded);
    row("build the search index", t.elapsed(), n);

    // What start-up does: the summaries stay in one stored buffer and the
    // index reads them in place.
    let mut buf = Vec::with_capacity(summary_bytes);
    let mut ranges = Vec::with_capacity(n);
    for (b, s) in encoded.iter().zip(&summaries) {
        ranges.push((s.id, buf.len()..buf.len() + b.len()));
        buf.extend_from_slice(b);
    }
    let buf: Arc<[u8]> = buf.into();
    let t = Instant::now();
    let (stored, damaged) = Index::from_stored(
        ranges
            .into_iter()
            .map(|(id, r)| (id, StoredSummary::new(buf.clone(), r).unwrap())),
    );
    row(
        "index stored summaries in place (cold start)",
        t.elapsed(),
        n,
    );
    assert!(damaged.is_empty() && stored.len() == index.len());

    // Typing a query one keystroke at a time, as the list does.
    let query = "trattoria milano";
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    for k in 1..=query.len() {
        let t = Instant::now();
        let q = Query {
            text: query[..k].to_owned(),
            ..Query::default()
        };
        let ctx = QueryContext {
            today: campo_core::day::Day(20_500),
            segment: None,
        };
        let r = index.search(&q, &ctx, 100);
        std::hint::black_box(r.total);
        let e = t.elapsed();
        worst = worst.max(e);
        total += e;
    }
    println!();
    println!("| figure | measured |\n|---|---:|");
    println!(
        "| search, mean per keystroke over {n} | {:.2} ms |",
        total.as_secs_f64() * 1e3 / query.len() as f64
    );
    println!(
        "| search, worst keystroke | {:.2} ms |",
        worst.as_secs_f64() * 1e3
    );

    let (id, bytes) = &saved[n / 2];
    let t = Instant::now();
    let mut doc = RecordDoc::load(*id, bytes).unwrap();
    let c = doc.read();
    println!(
        "| open one record (load + read) | {:.3} ms |",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let change = doc
        .edit(
            &Stamp {
                rep: "Anna",
                now_ms: 1,
            },
            &[Edit::Set("phone".into(), "+39 02 999999".into())],
        )
        .unwrap()
        .remove(0);
    let _ = doc.save();
    let _ = Summary::of(&doc.read());
    println!(
        "| edit one field (edit + save + summarize) | {:.3} ms |",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!("| bytes of a one-field edit change | {} B |", change.len());
    println!(
        "| saved documents, total | {:.1} MB ({:.2} KB per account) |",
        saved_bytes as f64 / 1e6,
        saved_bytes as f64 / 1e3 / n as f64
    );
    println!(
        "| raw changes, total | {:.1} MB |",
        change_bytes as f64 / 1e6
    );
    println!(
        "| stored summaries, total | {:.1} MB |",
        summary_bytes as f64 / 1e6
    );
    assert_eq!(c.items("interactions").count(), 10, "the generated shape");
    assert_eq!(index.len(), n);
}
