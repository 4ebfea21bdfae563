//! A seeded generator of realistic team books — accounts with their people,
//! interactions and orders, a product catalogue, deals and tasks — as the
//! Automerge changes reps would have made, for benchmarks, demos and tests.
//! The same seed gives the same records on every platform (Automerge actors are
//! random, so the change bytes differ).

use crate::ids::DocId;
use crate::record::{Edit, Kind, RecordDoc, Stamp, schema};

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
/// Shop and place names, shared with the analytics sample book.
pub(crate) const NAME: &[&str] = &[
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

const CATEGORY: &[&str] = &[
    "Caffè",
    "Bevande",
    "Vini",
    "Birre",
    "Olio",
    "Pasta",
    "Conserve",
    "Dolci",
    "Formaggi",
    "Salumi",
    "Surgelati",
    "Detergenti",
    "Monouso",
    "Attrezzature",
    "Farine",
    "Spezie",
    "Latticini",
    "Acque",
    "Liquori",
    "Snack",
];
const DEAL: &[&str] = &[
    "Fornitura estiva",
    "Nuova linea bio",
    "Rinnovo listino",
    "Apertura seconda sede",
    "Macchina caffè in comodato",
    "Contratto annuale",
];
const TASK: &[&str] = &[
    "Richiamare per l'ordine",
    "Portare campionatura",
    "Inviare listino aggiornato",
    "Visita di cortesia",
    "Verificare pagamento",
];

/// The first day of the generated history (2026-01-01), in ms.
const START_MS: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

fn set(key: &str, value: impl Into<String>) -> Edit {
    Edit::Set(key.to_owned(), value.into())
}

fn date_after(start_ms: i64, days: usize) -> String {
    crate::day::Day::from_ms(start_ms + days as i64 * DAY_MS).to_string()
}

/// The edits that create one generated account.
pub fn account_edits(rng: &mut Rng) -> Vec<Edit> {
    let last = rng.pick(LAST);
    let name = format!("{} {}", rng.pick(KIND), rng.pick(NAME));
    let city = rng.pick(CITY);
    let mut tags: Vec<String> = (0..1 + rng.below(3))
        .map(|_| rng.pick(TAG).to_string())
        .collect();
    tags.sort();
    tags.dedup();
    vec![
        set("name", format!("{name} {}", rng.below(1000))),
        set("company", format!("{last} & C. srl")),
        set(
            "status",
            *rng.pick(&["active", "active", "active", "prospect", "dormant"]),
        ),
        set(
            "phone",
            format!(
                "+39 0{} {}",
                2 + rng.below(90),
                100_000 + rng.below(900_000)
            ),
        ),
        set(
            "email",
            format!("info.{}@example.it", last.to_lowercase().replace(' ', "")),
        ),
        set(
            "street",
            format!("Via {} {}", rng.pick(LAST), 1 + rng.below(200)),
        ),
        set("city", *city),
        set("postcode", format!("{:05}", 10_000 + rng.below(89_999))),
        set("country", "IT"),
        set("source", *rng.pick(schema::SOURCES)),
        Edit::Tags(tags),
        Edit::Notes(rng.pick(NOTE).to_string()),
    ]
}

/// An interaction logged on an account.
pub fn interaction(rng: &mut Rng, start_ms: i64) -> Edit {
    Edit::PutItem {
        coll: "interactions".into(),
        id: DocId(rng.bytes16()).to_hex(),
        fields: vec![
            ("channel".into(), rng.pick(schema::CHANNELS).to_string()),
            ("date".into(), date_after(start_ms, rng.below(300))),
            ("summary".into(), rng.pick(SUMMARY).to_string()),
            ("rating".into(), rng.pick(schema::OUTCOMES).to_string()),
        ],
    }
}

/// A product of the generated catalogue, as an order line needs it.
#[derive(Debug, Clone)]
pub struct ProductRef {
    pub id: DocId,
    pub code: String,
    pub name: String,
    pub category: String,
    pub price_cents: i64,
}

/// The edits of one order with 1-4 lines over `products` (not empty).
pub fn order(rng: &mut Rng, products: &[ProductRef], start_ms: i64) -> Vec<Edit> {
    let id = DocId(rng.bytes16()).to_hex();
    let mut edits = vec![Edit::PutItem {
        coll: "orders".into(),
        id: id.clone(),
        fields: vec![
            ("date".into(), date_after(start_ms, rng.below(320))),
            (
                "status".into(),
                rng.pick(&["confirmed", "delivered", "delivered", "cancelled"])
                    .to_string(),
            ),
            ("number".into(), format!("{}", 1000 + rng.below(9000))),
        ],
    }];
    for _ in 0..1 + rng.below(4) {
        let p = rng.pick(products);
        edits.push(Edit::PutSubItem {
            coll: "orders".into(),
            id: id.clone(),
            sub_id: DocId(rng.bytes16()).to_hex(),
            fields: vec![
                ("product".into(), p.id.to_hex()),
                ("code".into(), p.code.clone()),
                ("name".into(), p.name.clone()),
                ("category".into(), p.category.clone()),
                ("quantity".into(), (1 + rng.below(24)).to_string()),
                (
                    "unit_price".into(),
                    crate::record::value::format_cents(p.price_cents),
                ),
                (
                    "discount".into(),
                    rng.pick(&["0", "0", "5", "10"]).to_string(),
                ),
            ],
        });
    }
    edits
}

/// One generated account: created by one rep, then its interactions and orders
/// logged a few at a time, as reps would over months. Returns the document and
/// every change in order.
pub fn account(
    rng: &mut Rng,
    reps: &[&str],
    interactions: usize,
    orders: usize,
    products: &[ProductRef],
) -> (RecordDoc, Vec<Vec<u8>>) {
    let id = DocId(rng.bytes16());
    let mut t = START_MS + rng.below(30) as i64 * DAY_MS;
    let owner = *rng.pick(reps);
    let mut edits = account_edits(rng);
    edits.push(set("owner", owner));
    // Generated edits are valid by construction.
    let (mut doc, first) = RecordDoc::create(
        Kind::Account,
        id,
        &Stamp {
            rep: owner,
            now_ms: t,
        },
        &edits,
    )
    .expect("generated accounts are valid");
    let mut changes = vec![first];
    let mut pending: Vec<Edit> = Vec::new();
    let total = interactions + orders;
    for k in 0..total {
        if k < interactions {
            pending.push(interaction(rng, START_MS));
        } else if !products.is_empty() {
            pending.extend(order(rng, products, START_MS));
        }
        // A change per few items keeps generation fast and histories realistic.
        if pending.len() >= 6 || k + 1 == total {
            t += 7 * DAY_MS;
            let rep = *rng.pick(reps);
            let out = doc
                .edit(&Stamp { rep, now_ms: t }, &std::mem::take(&mut pending))
                .expect("generated edits are valid");
            changes.extend(out);
        }
    }
    (doc, changes)
}

/// A catalogue product.
pub fn product(rng: &mut Rng, n: usize) -> (RecordDoc, Vec<u8>, ProductRef) {
    let id = DocId(rng.bytes16());
    let category = rng.pick(CATEGORY).to_string();
    let name = format!("{} {} {}", category, rng.pick(NAME), n);
    let price_cents = 100 + rng.below(5_000) as i64;
    let code = format!("P{n:05}");
    let (doc, change) = RecordDoc::create(
        Kind::Product,
        id,
        &Stamp {
            rep: "Admin",
            now_ms: START_MS,
        },
        &[
            set("code", code.clone()),
            set("name", name.clone()),
            set("category", category.clone()),
            set(
                "unit_price",
                crate::record::value::format_cents(price_cents),
            ),
        ],
    )
    .expect("generated products are valid");
    (
        doc,
        change,
        ProductRef {
            id,
            code,
            name,
            category,
            price_cents,
        },
    )
}

/// A person at `account`.
pub fn person(rng: &mut Rng, rep: &str, account: DocId) -> (RecordDoc, Vec<u8>) {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    RecordDoc::create(
        Kind::Person,
        DocId(rng.bytes16()),
        &Stamp {
            rep,
            now_ms: START_MS + rng.below(300) as i64 * DAY_MS,
        },
        &[
            set("name", format!("{first} {last}")),
            set("account", account.to_hex()),
            set("role", *rng.pick(ROLE)),
            set(
                "mobile",
                format!(
                    "+39 3{} {}",
                    20 + rng.below(80),
                    1_000_000 + rng.below(8_999_999)
                ),
            ),
            set(
                "email",
                format!(
                    "{}.{}@example.it",
                    first.to_lowercase(),
                    last.to_lowercase().replace(' ', "")
                ),
            ),
            set("preferred_channel", *rng.pick(schema::CHANNELS)),
        ],
    )
    .expect("generated people are valid")
}

/// A deal on `account`.
pub fn deal(rng: &mut Rng, rep: &str, account: DocId) -> (RecordDoc, Vec<u8>) {
    let stage = *rng.pick(schema::STAGES);
    RecordDoc::create(
        Kind::Deal,
        DocId(rng.bytes16()),
        &Stamp {
            rep,
            now_ms: START_MS + rng.below(300) as i64 * DAY_MS,
        },
        &[
            set("title", *rng.pick(DEAL)),
            set("account", account.to_hex()),
            set("owner", rep),
            set("stage", stage),
            set("value", format!("{}", 500 + rng.below(20_000))),
            set("expected_close", date_after(START_MS, 300 + rng.below(120))),
        ],
    )
    .expect("generated deals are valid")
}

/// A task on `account`.
pub fn task(rng: &mut Rng, rep: &str, account: DocId) -> (RecordDoc, Vec<u8>) {
    RecordDoc::create(
        Kind::Task,
        DocId(rng.bytes16()),
        &Stamp {
            rep,
            now_ms: START_MS + rng.below(300) as i64 * DAY_MS,
        },
        &[
            set("title", *rng.pick(TASK)),
            set("type", *rng.pick(&["task", "call", "visit", "issue"])),
            set("account", account.to_hex()),
            set("assignee", rep),
            set("due", date_after(START_MS, 280 + rng.below(90))),
            set("done", if rng.below(3) == 0 { "true" } else { "false" }),
        ],
    )
    .expect("generated tasks are valid")
}

/// The shape of a generated book.
#[derive(Debug, Clone, Copy)]
pub struct BookSpec {
    pub accounts: usize,
    pub people_per_account: usize,
    pub interactions_per_account: usize,
    pub orders_per_account: usize,
    pub products: usize,
    /// One deal and one task per this many accounts.
    pub accounts_per_deal: usize,
}

impl BookSpec {
    /// The workload the benchmarks use: 10,000 accounts with 2 people each,
    /// 100,000 interactions, 50,000 orders over 5,000 products, 2,000 deals and tasks.
    pub const TEAM: BookSpec = BookSpec {
        accounts: 10_000,
        people_per_account: 2,
        interactions_per_account: 10,
        orders_per_account: 5,
        products: 5_000,
        accounts_per_deal: 5,
    };

    /// The same proportions for `accounts` accounts (products scale too, at least 10).
    pub fn scaled(accounts: usize) -> BookSpec {
        BookSpec {
            accounts,
            products: (accounts / 2).max(10),
            ..BookSpec::TEAM
        }
    }
}

/// One generated record: its id, kind and every change, in order.
pub struct Generated {
    pub id: DocId,
    pub kind: Kind,
    pub changes: Vec<Vec<u8>>,
}

/// A whole team book. Products come first, so every order's product exists.
pub fn book(seed: u64, spec: BookSpec, reps: &[&str]) -> Vec<Generated> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut products = Vec::with_capacity(spec.products);
    for n in 0..spec.products {
        let (doc, change, p) = product(&mut rng, n);
        out.push(Generated {
            id: doc.id(),
            kind: Kind::Product,
            changes: vec![change],
        });
        products.push(p);
    }
    for a in 0..spec.accounts {
        let (doc, changes) = account(
            &mut rng,
            reps,
            spec.interactions_per_account,
            spec.orders_per_account,
            &products,
        );
        let id = doc.id();
        out.push(Generated {
            id,
            kind: Kind::Account,
            changes,
        });
        let rep = *rng.pick(reps);
        for _ in 0..spec.people_per_account {
            let (doc, change) = person(&mut rng, rep, id);
            out.push(Generated {
                id: doc.id(),
                kind: Kind::Person,
                changes: vec![change],
            });
        }
        if spec.accounts_per_deal > 0 && a % spec.accounts_per_deal == 0 {
            let (doc, change) = deal(&mut rng, rep, id);
            out.push(Generated {
                id: doc.id(),
                kind: Kind::Deal,
                changes: vec![change],
            });
            let (doc, change) = task(&mut rng, rep, id);
            out.push(Generated {
                id: doc.id(),
                kind: Kind::Task,
                changes: vec![change],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_book() {
        let spec = BookSpec::scaled(3);
        let a = book(1, spec, &["Anna", "Bruno"]);
        let b = book(1, spec, &["Anna", "Bruno"]);
        assert_eq!(a.len(), b.len());
        // Actors are random, so compare what the records hold, not their bytes.
        let read = |g: &Generated| {
            let mut doc = RecordDoc::empty(g.id);
            g.changes.iter().for_each(|c| doc.apply(c).unwrap());
            let mut r = doc.read();
            r.last_edit = None;
            r
        };
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && read(x) == read(y))
        );
        let acc = a.iter().find(|g| g.kind == Kind::Account).unwrap();
        let mut doc = RecordDoc::empty(acc.id);
        for c in &acc.changes {
            doc.apply(c).unwrap();
        }
        let r = doc.read();
        assert_eq!(r.items("interactions").count(), 10);
        assert_eq!(r.items("orders").count(), 5);
        assert!(r.items("orders").all(|o| !o.sub.is_empty()));
        assert!(r.conflicts.is_empty());
    }
}
