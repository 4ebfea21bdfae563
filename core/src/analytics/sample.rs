//! A seeded generator of realistic books for analytics: benchmarks, demos and tests.
//! The same spec gives the same book on every platform.
//!
//! What makes it realistic enough to exercise every metric:
//! - accounts are created over five years; about a fifth were referred by an
//!   earlier account, often a recent one, so referral chains form;
//! - each account buys at its own rhythm (weekly to quarterly, with jitter, the odd
//!   long gap and the odd second order on the same day), some stopped buying months
//!   ago, and a tenth never bought;
//! - order volume is heavy-tailed across accounts, so a few bring most revenue;
//! - products sit in categories with a few popular items each, accounts favour a
//!   few categories, and products come in pairs bought together;
//! - interactions often lead up to orders, visits and calls more than emails;
//! - a few orders are cancelled, drafts or carry refund lines; a few accounts are
//!   deleted or merged into another.

use super::facts::{
    AccountFacts, Book, DealFacts, InteractionFacts, LineFacts, OrderFacts, ProductFacts, TaskFacts,
};
use crate::day::Day;
use crate::ids::DocId;
use crate::seed::Rng;
use crate::vocab::{AccountStatus, Channel, OrderStatus, Outcome, Stage};

/// The shape of a generated book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSpec {
    pub seed: u64,
    pub today: Day,
    pub accounts: usize,
    pub interactions: usize,
    pub orders: usize,
    pub products: usize,
    pub categories: usize,
    pub deals: usize,
    pub tasks: usize,
}

impl Default for SampleSpec {
    /// A team's book at full size: 10,000 accounts, 100,000 interactions, 50,000
    /// orders over 5,000 products in 20 categories.
    fn default() -> SampleSpec {
        SampleSpec::with_accounts(10_000)
    }
}

impl SampleSpec {
    /// A book of `accounts` accounts in the default proportions (10 interactions,
    /// 5 orders, 0.3 deals and 0.5 tasks per account; half a product per account,
    /// between 50 and 5,000).
    pub fn with_accounts(accounts: usize) -> SampleSpec {
        SampleSpec {
            seed: 2026,
            today: Day::from_ymd(2026, 11, 23).unwrap_or(Day(20_415)),
            accounts,
            interactions: accounts * 10,
            orders: accounts * 5,
            products: (accounts / 2).clamp(50, 5_000),
            categories: 20,
            deals: accounts * 3 / 10,
            tasks: accounts / 2,
        }
    }
}

const REPS: &[&str] = &[
    "Anna", "Bruno", "Carla", "Dario", "Elisa", "Fabio", "Gaia", "Ivo", "Luisa", "Mirko", "Nadia",
    "Oscar", "Piera", "Rocco", "Silvia", "Tiziano", "Ugo", "Vera", "Zeno", "Alba",
];
const CATEGORIES: &[&str] = &[
    "Caffè",
    "Vini",
    "Birre",
    "Acque",
    "Bibite",
    "Liquori",
    "Pasta",
    "Riso",
    "Farine",
    "Olio",
    "Conserve",
    "Dolci",
    "Formaggi",
    "Salumi",
    "Surgelati",
    "Latte",
    "Tè",
    "Spezie",
    "Carta",
    "Detergenti",
];
const ADJECTIVES: &[&str] = &[
    "classico",
    "bio",
    "extra",
    "premium",
    "gran riserva",
    "della casa",
    "leggero",
    "intenso",
];
const KINDS: &[&str] = &[
    "Bar",
    "Trattoria",
    "Ristorante",
    "Pasticceria",
    "Caffè",
    "Enoteca",
    "Pizzeria",
    "Hotel",
    "Alimentari",
    "Panificio",
];
/// Typical days between orders.
const RHYTHMS: &[i32] = &[7, 10, 14, 21, 30, 30, 45, 60, 90];

/// Uniform in `[0, 1)`.
fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    unit(rng) < p
}

/// An index in `0..n` that favours small values (roughly harmonic), for
/// popularity: a few items are picked often, most rarely.
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let k = rng.below(n) + 1;
    rng.below(k)
}

/// Picks by weight.
fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut r = rng.below(total.max(1) as usize) as u32;
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    items[0].0
}

/// Splits `total` in proportion to `weights` (floors, then one more each to the
/// first accounts with weight until the sum is exact).
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let mut out: Vec<usize> = weights
        .iter()
        .map(|w| (total as f64 * w / sum).floor() as usize)
        .collect();
    let mut left = total.saturating_sub(out.iter().sum());
    while left > 0 {
        for (i, w) in weights.iter().enumerate() {
            if left == 0 {
                break;
            }
            if *w > 0.0 {
                out[i] += 1;
                left -= 1;
            }
        }
    }
    out
}

fn id(rng: &mut Rng) -> DocId {
    DocId(rng.bytes16())
}

/// What the generator decided about an account before writing its records.
struct Profile {
    favourite_categories: Vec<usize>,
    favourite_channel: Channel,
    persons: Vec<DocId>,
    /// How much bigger than a typical order this account's orders are.
    size: f64,
    fading: bool,
    order_days: Vec<Day>,
}

/// Generates a book. Deterministic for a spec.
pub fn book(spec: &SampleSpec) -> Book {
    let mut rng = Rng::new(spec.seed);
    let today = spec.today;
    let mut book = Book::empty(today);

    // Products: categories in contiguous blocks, each product paired with a
    // neighbour that is often bought with it.
    let n_cat = spec.categories.max(1);
    let category_names: Vec<String> = (0..n_cat)
        .map(|c| match CATEGORIES.get(c) {
            Some(name) if c < CATEGORIES.len() => name.to_string(),
            _ => format!(
                "{} {}",
                CATEGORIES[c % CATEGORIES.len()],
                c / CATEGORIES.len() + 1
            ),
        })
        .collect();
    let base_price: Vec<i64> = (0..n_cat).map(|_| 150 + rng.below(3_000) as i64).collect();
    let mut by_category: Vec<Vec<usize>> = vec![Vec::new(); n_cat];
    for i in 0..spec.products {
        let c = i * n_cat / spec.products.max(1);
        by_category[c].push(i);
        let price = base_price[c] as f64 * (0.5 + 1.5 * unit(&mut rng));
        book.products.push(ProductFacts {
            id: id(&mut rng),
            code: format!("P{i:05}"),
            name: format!("{} {} {}", category_names[c], rng.pick(ADJECTIVES), i + 1),
            category: category_names[c].clone(),
            unit_price: price.round() as i64,
        });
    }
    let partner = |c: usize, pos: usize| -> Option<usize> {
        let list = &by_category[c];
        let other = pos ^ 1;
        (other < list.len()).then(|| list[other])
    };

    // Accounts, oldest first, so a referrer is always created before the referred.
    let n = spec.accounts;
    let span = 5 * 365;
    let mut profiles = Vec::with_capacity(n);
    let mut order_weight = Vec::with_capacity(n);
    for i in 0..n {
        let created =
            Day(today.0 - span + (i as i64 * (span as i64 - 30) / n.max(1) as i64) as i32);
        let referred_by = (i >= 10 && chance(&mut rng, 0.2)).then(|| {
            let back = 1 + skewed(&mut rng, i.min(400));
            book.accounts[i - back].id
        });
        book.accounts.push(AccountFacts {
            id: id(&mut rng),
            name: format!(
                "{} {} {}",
                rng.pick(KINDS),
                rng.pick(crate::seed::NAME),
                i + 1
            ),
            owner: rng.pick(REPS).to_string(),
            status: AccountStatus::Prospect,
            referred_by,
            created,
            deleted: false,
            merged_into: None,
        });
        let prospect = chance(&mut rng, 0.1);
        let u = unit(&mut rng);
        let w = if prospect {
            0.0
        } else {
            1.0 / (1.0 - 0.97 * u)
        };
        order_weight.push(w);
        let favourites = 2 + rng.below(3);
        profiles.push(Profile {
            favourite_categories: (0..favourites).map(|_| rng.below(n_cat)).collect(),
            favourite_channel: weighted(
                &mut rng,
                &[
                    (Channel::Visit, 30),
                    (Channel::Phone, 35),
                    (Channel::Email, 25),
                    (Channel::Chat, 6),
                    (Channel::Video, 4),
                ],
            ),
            persons: (0..1 + rng.below(3)).map(|_| id(&mut rng)).collect(),
            size: w.sqrt(),
            fading: chance(&mut rng, 0.18),
            order_days: Vec::new(),
        });
    }

    // Orders: each account's count in proportion to its weight, laid out backwards
    // from its last order at its own rhythm.
    let counts = if spec.products > 0 {
        apportion(spec.orders, &order_weight)
    } else {
        vec![0; n]
    };
    for (i, &k) in counts.iter().enumerate() {
        if k == 0 {
            continue;
        }
        let created = book.accounts[i].created;
        let life = (today.0 - created.0).max(1);
        let mut interval = *rng.pick(RHYTHMS);
        let last = if profiles[i].fading {
            today.0 - 90 - rng.below(600.min(life as usize).max(1)) as i32
        } else {
            today.0 - rng.below((interval + interval / 2) as usize) as i32
        };
        let last = last.max(created.0);
        interval = interval.min(((last - created.0) / k as i32).max(1));
        let mut day = last;
        for _ in 0..k {
            profiles[i].order_days.push(Day(day));
            let mut gap = interval + rng.below((interval / 2 + 1) as usize) as i32 - interval / 4;
            if chance(&mut rng, 0.04) {
                gap *= 3; // a holiday, a closure: the long gap a median shrugs off
            }
            if chance(&mut rng, 0.02) {
                gap = 0; // a second order on the same day
            }
            day = (day - gap.max(0)).max(created.0);
        }
    }
    for (i, profile) in profiles.iter().enumerate() {
        let owner = book.accounts[i].owner.clone();
        for &date in profile.order_days.iter().rev() {
            let status = if chance(&mut rng, 0.02) {
                OrderStatus::Cancelled
            } else if chance(&mut rng, 0.01) {
                OrderStatus::Draft
            } else if date.0 > today.0 - 10 {
                OrderStatus::Confirmed
            } else {
                OrderStatus::Delivered
            };
            let rep = if chance(&mut rng, 0.85) {
                owner.clone()
            } else {
                rng.pick(REPS).to_string()
            };
            let mut lines = Vec::new();
            for _ in 0..1 + rng.below(6) {
                let c = if chance(&mut rng, 0.8) {
                    *rng.pick(&profile.favourite_categories)
                } else {
                    rng.below(n_cat)
                };
                if by_category[c].is_empty() {
                    continue;
                }
                let pos = skewed(&mut rng, by_category[c].len());
                let mut picks = vec![by_category[c][pos]];
                if chance(&mut rng, 0.35) {
                    picks.extend(partner(c, pos));
                }
                for p in picks {
                    let list = book.products[p].unit_price;
                    let unit_price = if chance(&mut rng, 0.1) {
                        (list as f64 * (0.9 + 0.15 * unit(&mut rng))).round() as i64
                    } else {
                        list
                    };
                    let base = if chance(&mut rng, 0.1) {
                        (1 + rng.below(40)) as f64 / 4.0 // weighed goods: kilos
                    } else {
                        (1 + rng.below(12)) as f64
                    };
                    lines.push(LineFacts {
                        product: book.products[p].id,
                        quantity: (base * profile.size).round().max(1.0),
                        unit_price,
                        discount_pct: *rng.pick(&[0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 5.0, 10.0, 15.0]),
                    });
                }
            }
            if !lines.is_empty() && chance(&mut rng, 0.01) {
                // A refund of part of something bought on this order.
                let refunded = lines[rng.below(lines.len())].clone();
                lines.push(LineFacts {
                    quantity: -((1 + rng.below(3)) as f64),
                    ..refunded
                });
            }
            book.orders.push(OrderFacts {
                id: id(&mut rng),
                account: book.accounts[i].id,
                rep,
                date,
                status,
                lines,
            });
        }
        let account = &mut book.accounts[i];
        account.status = match profile.order_days.first() {
            None => AccountStatus::Prospect,
            Some(last) if today.0 - last.0 > 365 => AccountStatus::Lost,
            Some(last) if today.0 - last.0 > 120 => AccountStatus::Dormant,
            Some(_) => AccountStatus::Active,
        };
    }

    // Interactions: busier accounts are contacted more; many lead up to an order.
    let touch_weight: Vec<f64> = profiles
        .iter()
        .map(|p| p.order_days.len() as f64 + 2.0)
        .collect();
    let touch_counts = if n > 0 {
        apportion(spec.interactions, &touch_weight)
    } else {
        Vec::new()
    };
    for (i, &k) in touch_counts.iter().enumerate() {
        let profile = &profiles[i];
        let created = book.accounts[i].created.0;
        for _ in 0..k {
            let before_order = !profile.order_days.is_empty() && chance(&mut rng, 0.45);
            let date = if before_order {
                let order = *rng.pick(&profile.order_days);
                (order.0 - rng.below(15) as i32).max(created)
            } else {
                created + rng.below((today.0 - created + 1).max(1) as usize) as i32
            };
            let channel = if before_order {
                *rng.pick(&[
                    Channel::Visit,
                    Channel::Visit,
                    Channel::Phone,
                    Channel::Phone,
                    Channel::Email,
                ])
            } else if chance(&mut rng, 0.45) {
                profile.favourite_channel
            } else {
                *rng.pick(Channel::ALL)
            };
            let souring = profile.fading && date > today.0 - 120;
            let outcome = if before_order {
                weighted(
                    &mut rng,
                    &[
                        (Outcome::Positive, 60),
                        (Outcome::Neutral, 25),
                        (Outcome::None, 15),
                    ],
                )
            } else if souring {
                weighted(
                    &mut rng,
                    &[
                        (Outcome::Positive, 10),
                        (Outcome::Neutral, 30),
                        (Outcome::Negative, 35),
                        (Outcome::None, 25),
                    ],
                )
            } else {
                weighted(
                    &mut rng,
                    &[
                        (Outcome::Positive, 25),
                        (Outcome::Neutral, 30),
                        (Outcome::Negative, 10),
                        (Outcome::None, 35),
                    ],
                )
            };
            let person = chance(&mut rng, 0.9).then(|| *rng.pick(&profile.persons));
            let rep = if chance(&mut rng, 0.8) {
                book.accounts[i].owner.clone()
            } else {
                rng.pick(REPS).to_string()
            };
            book.interactions.push(InteractionFacts {
                account: book.accounts[i].id,
                person,
                channel,
                date: Day(date.min(today.0)),
                outcome,
                rep,
            });
        }
    }

    if n > 0 {
        for _ in 0..spec.deals {
            let a = &book.accounts[rng.below(n)];
            let stage = weighted(
                &mut rng,
                &[
                    (Stage::Lead, 20),
                    (Stage::Qualified, 20),
                    (Stage::Proposal, 15),
                    (Stage::Negotiation, 10),
                    (Stage::Won, 20),
                    (Stage::Lost, 15),
                ],
            );
            let probability = if stage.is_open() {
                (stage.default_probability() as i32 + rng.below(21) as i32 - 10).clamp(0, 100) as u8
            } else {
                stage.default_probability()
            };
            let expected_close = if chance(&mut rng, 0.08) {
                None
            } else if stage.is_open() {
                Some(Day(today.0 - 60 + rng.below(330) as i32))
            } else {
                Some(Day(today.0 - 1 - rng.below(700) as i32))
            };
            book.deals.push(DealFacts {
                id: id(&mut rng),
                account: a.id,
                owner: a.owner.clone(),
                stage,
                value: 50_000 * (1 + skewed(&mut rng, 200) as i64),
                probability,
                expected_close,
            });
        }
        for _ in 0..spec.tasks {
            let is_issue = chance(&mut rng, 0.2);
            book.tasks.push(TaskFacts {
                account: chance(&mut rng, 0.95).then(|| book.accounts[rng.below(n)].id),
                due: chance(&mut rng, 0.9).then(|| Day(today.0 - 60 + rng.below(121) as i32)),
                done: chance(&mut rng, if is_issue { 0.5 } else { 0.6 }),
                is_issue,
            });
        }
    }

    // A few accounts deleted, a few merged into an older live one (duplicates
    // are folded and archived).
    for i in 0..n {
        if chance(&mut rng, 0.005) {
            book.accounts[i].deleted = true;
        } else if i > 0 && chance(&mut rng, 0.005) {
            let into = rng.below(i);
            if !book.accounts[into].deleted && book.accounts[into].merged_into.is_none() {
                book.accounts[i].merged_into = Some(book.accounts[into].id);
                book.accounts[i].deleted = true;
            }
        }
    }
    book
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_spec_same_book() {
        let spec = SampleSpec::with_accounts(200);
        assert_eq!(book(&spec), book(&spec));
        let other = SampleSpec {
            seed: 7,
            ..spec.clone()
        };
        assert_ne!(book(&spec), book(&other));
    }

    #[test]
    fn sizes_follow_the_spec() {
        let spec = SampleSpec::with_accounts(300);
        let b = book(&spec);
        assert_eq!(b.accounts.len(), 300);
        assert_eq!(b.orders.len(), spec.orders);
        assert_eq!(b.interactions.len(), spec.interactions);
        assert_eq!(b.products.len(), spec.products);
        assert_eq!(b.deals.len(), spec.deals);
        assert_eq!(b.tasks.len(), spec.tasks);
        let referred = b
            .accounts
            .iter()
            .filter(|a| a.referred_by.is_some())
            .count();
        assert!((30..=90).contains(&referred), "{referred} referred");
        assert!(b.orders.iter().any(|o| o.status == OrderStatus::Cancelled));
        assert!(b.orders.iter().all(|o| o.date <= b.today));
        assert!(b.interactions.iter().all(|i| i.date <= b.today));
    }

    #[test]
    fn empty_spec_gives_an_empty_book() {
        let spec = SampleSpec {
            accounts: 0,
            products: 0,
            ..SampleSpec::with_accounts(0)
        };
        let b = book(&spec);
        assert!(b.accounts.is_empty() && b.orders.is_empty() && b.deals.is_empty());
    }
}
