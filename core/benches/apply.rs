//! What a device pays to apply changes that arrive from the relay, natively.
//! Prints a table; asserts nothing about time (a benchmark, not a test).
//!
//!   cargo bench -p campo-core --bench apply            # 300 accounts
//!   CAMPO_BENCH_DOCS=50 cargo bench -p campo-core --bench apply

use campo_core::record::{Edit, RecordDoc, Stamp};
use campo_core::seed::{self, Rng};
use std::time::{Duration, Instant};

const REPS: [&str; 4] = ["Anna", "Bruno", "Carla", "Dario"];
/// Edits another device makes to each account while this one is offline.
const REMOTE_EDITS: usize = 20;

fn row(what: &str, total: Duration, n: usize, unit: &str) {
    let per = total.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "| {what:<52} | {:>9.1} ms | {per:>8.1} µs per {unit} |",
        total.as_secs_f64() * 1e3
    );
}

/// One account as stored on this device, and what the relay sends about it.
struct Case {
    saved: Vec<u8>,
    /// Every change of the account, oldest first (what a new device receives).
    history: Vec<Vec<u8>>,
    /// Changes made elsewhere after `saved`.
    remote: Vec<Vec<u8>>,
}

fn main() {
    let n: usize = std::env::var("CAMPO_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut rng = Rng::new(7);
    let products: Vec<seed::ProductRef> = (0..50).map(|i| seed::product(&mut rng, i).2).collect();
    let cases: Vec<Case> = (0..n)
        .map(|_| {
            let (mut doc, mut history) = seed::account(&mut rng, &REPS, 10, 5, &products);
            let saved = doc.save();
            let mut other = RecordDoc::load(doc.id(), &saved).expect("a saved account loads");
            let mut remote = Vec::new();
            for k in 0..REMOTE_EDITS {
                let stamp = Stamp {
                    rep: "Bruno",
                    now_ms: 1_800_000_000_000 + k as i64,
                };
                let edit = match k % 3 {
                    0 => Edit::Set("phone".into(), format!("+39 02 {:06}", 100_000 + k)),
                    1 => Edit::Notes(format!("Richiamare, giro {k}")),
                    _ => seed::interaction(&mut rng, 1_800_000_000_000),
                };
                remote.extend(other.edit(&stamp, &[edit]).expect("valid edits"));
            }
            history.extend(remote.iter().cloned());
            Case {
                saved,
                history,
                remote,
            }
        })
        .collect();
    let changes: usize = cases.iter().map(|c| c.remote.len()).sum();
    println!(
        "Campo apply benchmark (native): {n} accounts (10 interactions, 5 orders), \
         {REMOTE_EDITS} remote edits each\n"
    );
    println!("| step | total | per item |\n|---|---:|---:|");

    let load = |c: &Case| RecordDoc::load(campo_core::ids::DocId([1; 16]), &c.saved).unwrap();

    // The check's cost: the same changes through Automerge alone (what the apply
    // did before it checked) and through `RecordDoc::apply`, one record after the
    // other so that both see the same machine load; by kind of edit.
    let mut unchecked = [Duration::ZERO; 3];
    let mut checked = [Duration::ZERO; 3];
    let mut counts = [0usize; 3];
    for _ in 0..3 {
        for case in &cases {
            let mut raw = automerge::AutoCommit::load(&case.saved).unwrap();
            let mut doc = load(case);
            for (k, change) in case.remote.iter().enumerate() {
                let t = Instant::now();
                let parsed = automerge::Change::try_from(&change[..]).unwrap();
                raw.apply_changes([parsed]).unwrap();
                unchecked[k % 3] += t.elapsed();
                let t = Instant::now();
                doc.apply(change).unwrap();
                checked[k % 3] += t.elapsed();
                counts[k % 3] += 1;
            }
        }
    }
    for (k, what) in ["a field", "the notes", "an interaction"]
        .iter()
        .enumerate()
    {
        row(
            &format!("apply an edit of {what}: Automerge alone"),
            unchecked[k],
            counts[k],
            "change",
        );
        row(
            &format!("apply an edit of {what}: checked (RecordDoc::apply)"),
            checked[k],
            counts[k],
            "change",
        );
    }

    let mut docs: Vec<RecordDoc> = cases.iter().map(load).collect();
    let t = Instant::now();
    for (doc, case) in docs.iter_mut().zip(&cases) {
        for change in &case.remote {
            doc.apply(change).unwrap();
        }
    }
    row(
        "apply remote changes, one call each",
        t.elapsed(),
        changes,
        "change",
    );
    let expected: Vec<_> = docs.iter_mut().map(RecordDoc::heads).collect();

    let mut docs: Vec<RecordDoc> = cases.iter().map(load).collect();
    let t = Instant::now();
    for (doc, case) in docs.iter_mut().zip(&cases) {
        if doc.apply(&case.remote.concat()).is_err() {
            for change in &case.remote {
                doc.apply(change).unwrap();
            }
        }
    }
    row(
        "apply a record's remote changes as one batch",
        t.elapsed(),
        changes,
        "change",
    );
    let got: Vec<_> = docs.iter_mut().map(RecordDoc::heads).collect();
    assert_eq!(got, expected, "both ways reach the same document");

    let mut docs: Vec<RecordDoc> = cases.iter().map(load).collect();
    let t = Instant::now();
    for (doc, case) in docs.iter_mut().zip(&cases) {
        doc.apply_many(&case.remote).unwrap();
    }
    row(
        "apply a record's remote changes with apply_many",
        t.elapsed(),
        changes,
        "change",
    );
    let got: Vec<_> = docs.iter_mut().map(RecordDoc::heads).collect();
    assert_eq!(got, expected, "apply_many reaches the same document");

    let t = Instant::now();
    for case in &cases {
        let doc = RecordDoc::load(campo_core::ids::DocId([1; 16]), &case.history.concat());
        std::hint::black_box(doc.unwrap());
    }
    row(
        "open a record new to the device from all its changes",
        t.elapsed(),
        n,
        "record",
    );

    let t = Instant::now();
    for case in &cases {
        let mut doc = RecordDoc::empty(campo_core::ids::DocId([1; 16]));
        doc.apply_many(&case.history).unwrap();
        std::hint::black_box(doc);
    }
    row(
        "the same with apply_many on an empty document",
        t.elapsed(),
        n,
        "record",
    );
}
