//! The book indexed once, so every metric reads the same resolved view and the
//! dashboard pays for hashing ids and grouping orders a single time.

use super::facts::{AccountFacts, Book};
use super::groups::Groups;
use super::id_index::{IdIndex, key};
use super::id_map::{self, FastMap};
use crate::day::Day;
use crate::ids::DocId;
use crate::vocab::{Channel, Outcome};

/// Marks "no such person" in [`Touch::person`].
pub(crate) const NO_PERSON: u32 = u32::MAX;

/// A counted order, reduced to what the metrics read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    /// The account the order belongs to after merges; [`Prepared::unknown`] when
    /// its account is not in the book.
    pub(crate) account: u32,
    /// Its position in [`Book::orders`], for what is read rarely (the rep).
    pub(crate) fact: u32,
    pub(crate) date: Day,
    pub(crate) total: i64,
    pub(crate) purchase: bool,
    /// This order's lines are `Prepared::lines[lines.0..lines.1]`.
    pub(crate) lines: (u32, u32),
}

/// A line of a counted order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub(crate) product: u32,
    pub(crate) total: i64,
    /// Bought (positive quantity) rather than refunded.
    pub(crate) bought: bool,
}

/// An interaction, reduced to what the metrics read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Touch {
    pub(crate) date: Day,
    pub(crate) channel: Channel,
    pub(crate) outcome: Outcome,
    pub(crate) person: u32,
}

/// A [`Book`] indexed for analytics: accounts resolved through merges, ids turned
/// into dense numbers, counted orders and interactions grouped by account and
/// sorted by date. Build it once and hand it to every metric.
pub struct Prepared<'a> {
    pub(crate) book: &'a Book,
    pub(crate) today: Day,
    /// Accounts with distinct ids, in book order; their position is their number.
    pub(crate) accounts: Vec<&'a AccountFacts>,
    /// Their ids, side by side: every per-account result names its account.
    account_ids: Vec<DocId>,
    account_ix: IdIndex,
    /// The account each account's records go to (itself unless merged).
    pub(crate) home: Vec<u32>,
    /// Shown in per-account results: neither deleted nor merged away.
    pub(crate) live: Vec<bool>,
    /// Catalogue products first, then ids only seen on order lines.
    pub(crate) product_ids: Vec<DocId>,
    pub(crate) product_category: Vec<u32>,
    pub(crate) categories: Vec<&'a str>,
    /// Counted orders (Confirmed, Delivered) in book order.
    pub(crate) orders: Vec<Order>,
    pub(crate) lines: Vec<Line>,
    /// Per account (plus a last group for unknown accounts): order numbers by date.
    pub(crate) orders_by_account: Groups<u32>,
    /// Per account: distinct days, ascending, with a purchase on or before today.
    pub(crate) purchase_days: Groups<Day>,
    /// Per account (plus the unknown group): interactions by date.
    pub(crate) touches: Groups<Touch>,
    pub(crate) persons: Vec<DocId>,
}

impl<'a> Prepared<'a> {
    /// Indexes `book` in one pass over each kind of record.
    pub fn new(book: &'a Book) -> Prepared<'a> {
        let mut accounts = Vec::with_capacity(book.accounts.len());
        let mut account_ix = IdIndex::with_capacity(book.accounts.len());
        for a in &book.accounts {
            if account_ix.insert(&a.id).1 {
                accounts.push(a);
            }
        }
        let account_ids: Vec<DocId> = accounts.iter().map(|a| a.id).collect();
        let n = accounts.len();
        let home = resolve_merges(&accounts, &account_ix);
        let live = (0..n)
            .map(|i| home[i] as usize == i && !accounts[i].deleted)
            .collect();

        let mut product_ids = Vec::with_capacity(book.products.len());
        let mut product_category = Vec::with_capacity(book.products.len());
        let mut product_ix = IdIndex::with_capacity(book.products.len());
        let mut categories: Vec<&str> = vec![""];
        let mut category_ix: FastMap<&str, u32> = id_map::with_capacity(64);
        category_ix.insert("", 0);
        for p in &book.products {
            if !product_ix.insert(&p.id).1 {
                continue;
            }
            let c = *category_ix.entry(p.category.as_str()).or_insert_with(|| {
                categories.push(p.category.as_str());
                categories.len() as u32 - 1
            });
            product_ids.push(p.id);
            product_category.push(c);
        }

        // Records of one document arrive together, so each lookup first checks
        // the id looked up last.
        let mut homes = HomeLookup {
            ix: &account_ix,
            home: &home,
            last: None,
        };
        let mut orders = Vec::with_capacity(book.orders.len());
        let mut lines = Vec::with_capacity(book.orders.len() * 5);
        for (number, o) in book.orders.iter().enumerate() {
            if !o.counts() {
                continue;
            }
            let first = lines.len() as u32;
            let mut total = 0i64;
            let mut purchase = false;
            for l in &o.lines {
                let (product, new) = product_ix.insert(&l.product);
                if new {
                    product_ids.push(l.product);
                    product_category.push(0);
                }
                let t = l.total();
                total = total.saturating_add(t);
                let bought = l.quantity > 0.0;
                purchase |= bought;
                lines.push(Line {
                    product,
                    total: t,
                    bought,
                });
            }
            orders.push(Order {
                account: homes.of(&o.account),
                fact: number as u32,
                date: o.date,
                total,
                purchase,
                lines: (first, lines.len() as u32),
            });
        }
        let mut orders_by_account =
            Groups::by_key(n + 1, orders.len(), |o| orders[o].account as usize);
        orders_by_account.sort_each_by_key(|&o| orders[o as usize].date);

        let today = book.today;
        let mut purchase_days = Groups::new();
        for a in 0..n {
            let mut last = None;
            purchase_days.push_group(orders_by_account.get(a).iter().filter_map(|&o| {
                let o = &orders[o as usize];
                let new_day = o.purchase && o.date <= today && last != Some(o.date);
                if new_day {
                    last = Some(o.date);
                }
                new_day.then_some(o.date)
            }));
        }

        let touch_homes: Vec<u32> = book
            .interactions
            .iter()
            .map(|i| homes.of(&i.account))
            .collect();
        let mut persons = Vec::new();
        let mut person_ix = IdIndex::with_capacity(1024);
        let mut touches = Groups::by_key(n + 1, touch_homes.len(), |i| touch_homes[i] as usize)
            .map(|i| {
                let i = &book.interactions[i as usize];
                let person = i.person.map_or(NO_PERSON, |p| {
                    let (n, new) = person_ix.insert(&p);
                    if new {
                        persons.push(p);
                    }
                    n
                });
                Touch {
                    date: i.date,
                    channel: i.channel,
                    outcome: i.outcome,
                    person,
                }
            });
        touches.sort_each_by_key(|t| t.date);

        Prepared {
            book,
            today,
            accounts,
            account_ids,
            account_ix,
            home,
            live,
            product_ids,
            product_category,
            categories,
            orders,
            lines,
            orders_by_account,
            purchase_days,
            touches,
            persons,
        }
    }

    /// Number of distinct accounts; also the group number of records whose
    /// account is not in the book.
    pub(crate) fn unknown(&self) -> u32 {
        self.accounts.len() as u32
    }

    /// The account (after merges) that records naming `id` belong to, or
    /// [`Prepared::unknown`].
    pub(crate) fn home_of(&self, id: &DocId) -> u32 {
        self.account_ix
            .get(id)
            .map_or(self.unknown(), |i| self.home[i as usize])
    }

    pub(crate) fn account_id(&self, a: usize) -> DocId {
        self.account_ids[a]
    }

    /// Numbers of the accounts shown in per-account results, in book order.
    pub(crate) fn live_accounts(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.accounts.len()).filter(|&a| self.live[a])
    }

    /// Counted orders of account `a` (or of the unknown group), by date.
    pub(crate) fn orders_of(&self, a: usize) -> impl Iterator<Item = &Order> + '_ {
        self.orders_by_account
            .get(a)
            .iter()
            .map(|&o| &self.orders[o as usize])
    }

    pub(crate) fn lines_of(&self, o: &Order) -> &[Line] {
        &self.lines[o.lines.0 as usize..o.lines.1 as usize]
    }
}

/// Finds the account (after merges) of an id, remembering the last answer.
struct HomeLookup<'m> {
    ix: &'m IdIndex,
    home: &'m [u32],
    last: Option<(u128, u32)>,
}

impl HomeLookup<'_> {
    fn of(&mut self, id: &DocId) -> u32 {
        let k = key(id);
        match self.last {
            Some((last, h)) if last == k => h,
            _ => {
                let unknown = self.home.len() as u32;
                let h = self.ix.get(id).map_or(unknown, |i| self.home[i as usize]);
                self.last = Some((k, h));
                h
            }
        }
    }
}

/// Where each account's records go: follow `merged_into` through accounts in the
/// book; a target not in the book ends the chain, and a loop ends at the account
/// with the smallest id in the loop, so every account of the loop agrees.
fn resolve_merges(accounts: &[&AccountFacts], ix: &IdIndex) -> Vec<u32> {
    const UNSET: u32 = u32::MAX;
    let n = accounts.len();
    let mut home = vec![UNSET; n];
    let mut on_path = vec![UNSET; n];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..n {
        if home[start] != UNSET {
            continue;
        }
        path.clear();
        let mut cur = start;
        let end = loop {
            if home[cur] != UNSET {
                break home[cur];
            }
            if on_path[cur] == start as u32 {
                // A loop: `cur` is on the path, so the loop is the path from `cur` on.
                let from = path.iter().position(|&p| p == cur).unwrap_or(0);
                let min = path[from..]
                    .iter()
                    .copied()
                    .min_by_key(|&p| accounts[p].id)
                    .unwrap_or(cur);
                break min as u32;
            }
            on_path[cur] = start as u32;
            path.push(cur);
            match accounts[cur].merged_into.and_then(|t| ix.get(&t)) {
                Some(next) if next as usize != cur => cur = next as usize,
                _ => break cur as u32,
            }
        };
        for &p in &path {
            home[p] = end;
        }
    }
    home
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::AccountStatus;

    fn account(n: u8, merged_into: Option<u8>) -> AccountFacts {
        AccountFacts {
            id: DocId([n; 16]),
            name: format!("A{n}"),
            owner: "Anna".into(),
            status: AccountStatus::Active,
            referred_by: None,
            created: Day(0),
            deleted: false,
            merged_into: merged_into.map(|m| DocId([m; 16])),
        }
    }

    #[test]
    fn merges_follow_chains_stop_at_unknown_targets_and_break_loops() {
        let accs = [
            account(1, Some(2)), // 1 → 2 → 3
            account(2, Some(3)),
            account(3, None),
            account(4, Some(99)), // unknown target: stays
            account(5, Some(6)),  // loop 5 → 6 → 7 → 5: all go to 5
            account(6, Some(7)),
            account(7, Some(5)),
            account(8, Some(8)), // merged into itself: stays
            account(9, Some(6)), // into the loop
        ];
        let refs: Vec<&AccountFacts> = accs.iter().collect();
        let mut ix = IdIndex::with_capacity(0);
        for a in &refs {
            ix.insert(&a.id);
        }
        assert_eq!(resolve_merges(&refs, &ix), vec![2, 2, 2, 3, 4, 4, 4, 7, 4]);
    }
}
