//! "A day of edits by 20 reps" on a generated book: field edits, logged
//! interactions and orders on random existing accounts, each a change on top
//! of the record's history, authored by one of the reps.

use campo_core::ids::DocId;
use campo_core::protocol::DocChange;
use campo_core::record::{Edit, Kind, RecordDoc, Stamp, Val};
use campo_core::seed::{Generated, ProductRef, Rng, account_edits, interaction, order};
use std::collections::HashMap;

/// The reps of the generated team: the book's authors and the day's editors.
pub const REPS: [&str; 20] = [
    "Giulia Rossi",
    "Marco Bianchi",
    "Francesca Ferrari",
    "Luca Esposito",
    "Chiara Colombo",
    "Andrea Ricci",
    "Sara Marino",
    "Matteo Greco",
    "Elena Bruno",
    "Davide Gallo",
    "Anna Conti",
    "Paolo De Luca",
    "Laura Costa",
    "Stefano Fontana",
    "Valentina Caruso",
    "Giorgio Mancini",
    "Marta Lombardi",
    "Simone Moretti",
    "Alessia Barbieri",
    "Roberto Villa",
];

const DAY_MS: i64 = 86_400_000;
/// A working day: the edits are spread over ten hours.
const WORKDAY_MS: i64 = 10 * 3_600_000;

/// The catalogue as orders need it, read back from the product records.
fn catalogue(book: &[Generated]) -> Vec<ProductRef> {
    book.iter()
        .filter(|g| g.kind == Kind::Product)
        .map(|g| {
            let r = open(g).read();
            let price_cents = match r.get("unit_price") {
                Val::Int(c) => *c,
                _ => 0,
            };
            ProductRef {
                id: g.id,
                code: r.text("code").to_owned(),
                name: r.text("name").to_owned(),
                category: r.text("category").to_owned(),
                price_cents,
            }
        })
        .collect()
}

fn open(g: &Generated) -> RecordDoc {
    let mut doc = RecordDoc::empty(g.id);
    for c in &g.changes {
        // The book's own changes, generated valid.
        doc.apply(c).expect("a generated change applies");
    }
    doc
}

/// `n` edits made during the day that starts at `day_start_ms`: half logged
/// interactions, a fifth orders, the rest edits of one or two fields. Each is
/// one change (as a rep's save is; `n` changes in all) on a random account of `book`.
pub fn edits(book: &[Generated], n: usize, seed: u64, day_start_ms: i64) -> Vec<DocChange> {
    let accounts: Vec<&Generated> = book.iter().filter(|g| g.kind == Kind::Account).collect();
    if accounts.is_empty() || n == 0 {
        return Vec::new();
    }
    let products = catalogue(book);
    let mut rng = Rng::new(seed ^ 0x00da_70fe_d17a);
    let mut docs: HashMap<DocId, RecordDoc> = HashMap::new();
    let mut out = Vec::with_capacity(n);
    let mut k = 0;
    while out.len() < n {
        let account = accounts[rng.below(accounts.len())];
        let rep = *rng.pick(&REPS);
        let now_ms = day_start_ms + WORKDAY_MS * k as i64 / n as i64;
        k += 1;
        // Interactions and orders dated over the last 300 days, today included.
        let history_start = day_start_ms - 299 * DAY_MS;
        let batch: Vec<Edit> = match rng.below(10) {
            0..=4 => vec![interaction(&mut rng, history_start)],
            5 | 6 if !products.is_empty() => order(&mut rng, &products, history_start),
            _ => {
                let mut sets: Vec<Edit> = account_edits(&mut rng)
                    .into_iter()
                    .filter(|e| matches!(e, Edit::Set(..)))
                    .collect();
                let first = sets.swap_remove(rng.below(sets.len()));
                let mut chosen = vec![first];
                if rng.below(2) == 0 {
                    chosen.push(sets.swap_remove(rng.below(sets.len())));
                }
                chosen
            }
        };
        let doc = docs.entry(account.id).or_insert_with(|| open(account));
        // A field set to the value it has makes no change: that save is
        // drawn again, so the day has `n` changes.
        let changes = doc
            .edit(&Stamp { rep, now_ms }, &batch)
            .expect("generated edits are valid");
        out.extend(changes.into_iter().map(|bytes| DocChange {
            doc: account.id,
            bytes,
        }));
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::seed::{BookSpec, book};

    #[test]
    fn a_day_of_edits_lands_on_existing_accounts_by_the_reps() {
        let b = book(7, BookSpec::scaled(5), &REPS);
        let day = edits(&b, 40, 7, 1_790_000_000_000);
        assert_eq!(day.len(), 40, "one change per save");
        for c in &day {
            let g = b
                .iter()
                .find(|g| g.id == c.doc)
                .expect("an existing record");
            assert_eq!(g.kind, Kind::Account);
            campo_core::change::check(&c.bytes).expect("a valid change");
        }
        // Applied on top of the book, the records read with the new items.
        let first = b.iter().find(|g| g.id == day[0].doc).unwrap();
        let mut doc = open(first);
        for c in day.iter().filter(|c| c.doc == first.id) {
            doc.apply(&c.bytes).unwrap();
        }
        let r = doc.read();
        assert!(
            r.last_edit
                .is_some_and(|(rep, _)| REPS.contains(&rep.as_str()))
        );
    }
}
