//! A seeded generator of realistic customer books, for benchmarks, demos and tests.
//! The same seed gives the same book on every platform.

use crate::customer::{Channel, CustomerDoc, Edit, Field, Source, Stamp};
use crate::ids::DocId;

/// A small, fast, seedable generator (SplitMix64); not for secrets.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

const FIRST: &[&str] = &[
    "Giulia",
    "Marco",
    "Francesca",
    "Luca",
    "Chiara",
    "Andrea",
    "Sara",
    "Matteo",
    "Elena",
    "Davide",
    "Anna",
    "Paolo",
    "Laura",
    "Stefano",
    "Valentina",
    "Giorgio",
];
const LAST: &[&str] = &[
    "Rossi", "Bianchi", "Ferrari", "Esposito", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
    "Gallo", "Conti", "De Luca", "Costa", "Fontana", "Caruso", "Mancini",
];
const KIND: &[&str] = &[
    "Bar",
    "Trattoria",
    "Ristorante",
    "Pasticceria",
    "Caffè",
    "Enoteca",
    "Pizzeria",
    "Hotel",
    "Farmacia",
    "Ferramenta",
    "Alimentari",
    "Panificio",
];
const NAME: &[&str] = &[
    "Roma",
    "Centrale",
    "Sport",
    "Da Gino",
    "Al Duomo",
    "Bella Vista",
    "La Piazza",
    "Stazione",
    "Il Portico",
    "San Marco",
    "Aurora",
    "Del Corso",
    "Vittoria",
    "Garibaldi",
];
const CITY: &[&str] = &[
    "Milano", "Torino", "Bologna", "Firenze", "Verona", "Bergamo", "Brescia", "Padova", "Parma",
    "Modena", "Genova", "Cuneo", "Alba", "Forlì", "Como", "Trento",
];
const ROLE: &[&str] = &[
    "Titolare",
    "Buyer",
    "Responsabile acquisti",
    "Socio",
    "Direttore",
];
const TAG: &[&str] = &[
    "horeca",
    "vip",
    "bio",
    "nuovo",
    "stagionale",
    "catena",
    "export",
];
const NOTE: &[&str] = &[
    "Preferisce essere contattato al mattino.",
    "Chiuso il lunedì, consegne solo il martedì.",
    "Interessato alla linea biologica e ai formati grandi.",
    "Paga a 60 giorni; chiedere conferma prima di spedire.",
    "Ha una seconda sede in centro, stessa gestione.",
];
const SUMMARY: &[&str] = &[
    "Visita di presentazione del nuovo listino",
    "Telefonata per riordino",
    "Email con offerta promozionale",
    "Degustazione prodotti in negozio",
    "Reclamo su consegna in ritardo, risolto",
];

/// The edits that create one generated customer.
pub fn customer_edits(rng: &mut Rng) -> Vec<Edit> {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let name = format!("{} {}", rng.pick(KIND), rng.pick(NAME));
    let city = rng.pick(CITY);
    let tags = (0..1 + rng.below(3))
        .map(|_| rng.pick(TAG).to_string())
        .collect::<Vec<_>>();
    let mut tags_unique = tags.clone();
    tags_unique.sort();
    tags_unique.dedup();
    vec![
        Edit::Set(Field::Name, format!("{name} {}", rng.below(1000))),
        Edit::Set(Field::Company, format!("{last} & C. srl")),
        Edit::Set(Field::Role, rng.pick(ROLE).to_string()),
        Edit::Set(
            Field::Phone,
            format!(
                "+39 0{} {}",
                2 + rng.below(90),
                100_000 + rng.below(900_000)
            ),
        ),
        Edit::Set(
            Field::Email,
            format!(
                "{}.{}@example.it",
                first.to_lowercase(),
                last.to_lowercase().replace(' ', "")
            ),
        ),
        Edit::Set(
            Field::Street,
            format!("Via {} {}", rng.pick(LAST), 1 + rng.below(200)),
        ),
        Edit::Set(Field::City, city.to_string()),
        Edit::Set(
            Field::Postcode,
            format!("{:05}", 10_000 + rng.below(89_999)),
        ),
        Edit::Set(Field::Country, "IT".into()),
        Edit::Set(Field::Source, rng.pick(&Source::ALL).key().into()),
        Edit::Tags(tags_unique),
        Edit::Notes(rng.pick(NOTE).to_string()),
    ]
}

/// An interaction for a generated customer.
pub fn interaction(rng: &mut Rng) -> Edit {
    Edit::AddInteraction {
        id: DocId(rng.bytes16()).to_hex(),
        channel: *rng.pick(&Channel::ALL),
        date: format!("2026-{:02}-{:02}", 1 + rng.below(11), 1 + rng.below(28)),
        summary: rng.pick(SUMMARY).to_string(),
        outcome: String::new(),
    }
}

/// One generated customer document: created by one rep, then `interactions`
/// logged one change each, as a rep would over months. Returns the document and
/// every change in order.
pub fn customer(rng: &mut Rng, reps: &[&str], interactions: usize) -> (CustomerDoc, Vec<Vec<u8>>) {
    let id = DocId(rng.bytes16());
    let mut t = 1_767_225_600_000 + rng.below(300) as i64 * 86_400_000; // from 2026-01-01
    let rep = *rng.pick(reps);
    let edits = customer_edits(rng);
    // Generated edits are valid by construction.
    let (mut doc, first) = CustomerDoc::create(id, &Stamp { rep, now_ms: t }, &edits)
        .expect("generated customers are valid");
    let mut changes = vec![first];
    for _ in 0..interactions {
        t += 86_400_000;
        let rep = *rng.pick(reps);
        if let Ok(Some(c)) = doc.edit(&Stamp { rep, now_ms: t }, &[interaction(rng)]) {
            changes.push(c);
        }
    }
    (doc, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_book() {
        let a = customer(&mut Rng::new(1), &["Anna"], 3).0.read();
        let b = customer(&mut Rng::new(1), &["Anna"], 3).0.read();
        assert_eq!(a, b);
        assert_eq!(a.interactions.len(), 3);
        assert!(a.conflicts.is_empty());
    }
}
