//! Cross-selling: which products go together, and what each account might buy next.
//!
//! Each live account's *basket* is the set of products it has bought (lines with
//! a positive quantity on counted orders up to today). Over the `N` non-empty
//! baskets, for products `a` and `b` bought together in `k` baskets:
//! - support of `{a, b}` = `k / N`;
//! - confidence of `a → b` = `k / baskets with a`;
//! - lift of `a → b` = confidence / (`baskets with b` / `N`): above 1 means
//!   buying `a` makes `b` more likely than it is across the book.
//!
//! A rule `a → b` is kept when its pair's support, its confidence and its lift
//! reach the minimums in [`CrossSellParams`]. Only products that reach the
//! minimum support on their own can be in such a pair, so the others are left
//! out before pairs are counted (the Apriori property). Pairs are counted in a
//! triangle of counters, so at most [`MAX_RULE_PRODUCTS`] products take part:
//! when more reach the minimum support (a very low minimum on a large catalogue),
//! the ones in most baskets do, and [`CrossSell::frequent_products`] tells.
//!
//! Suggestions are item-based: for an account, every product it has not bought
//! that a rule leads to from a product it has bought is a candidate. A candidate
//! scores the confidence of its strongest rule; candidates rank by that score,
//! then by how many of the account's products lead to them, then by lift. For
//! speed each product's suggestions use only its `rules_per_product` most
//! confident rules.

use super::groups::Groups;
use super::id_index::key;
use super::prepare::Prepared;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Thresholds and sizes of the cross-sell analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CrossSellParams {
    /// Minimum support of a pair, as a share of baskets (0..=1). At least one
    /// basket is always required.
    pub min_support: f64,
    /// Minimum confidence of a rule (0..=1).
    pub min_confidence: f64,
    /// Minimum lift of a rule; 1.0 drops the rules worse than chance.
    pub min_lift: f64,
    /// Rules listed in [`CrossSell::rules`]; suggestions read all rules, up to
    /// `rules_per_product` per product.
    pub max_rules: usize,
    /// Suggestions per account.
    pub suggestions_per_account: usize,
    /// Rules per product considered for suggestions.
    pub rules_per_product: usize,
}

impl Default for CrossSellParams {
    fn default() -> CrossSellParams {
        CrossSellParams {
            min_support: 0.01,
            min_confidence: 0.2,
            min_lift: 1.0,
            max_rules: 200,
            suggestions_per_account: 5,
            rules_per_product: 20,
        }
    }
}

/// An association rule: accounts that buy `antecedent` also buy `consequent`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub antecedent: DocId,
    pub consequent: DocId,
    /// Baskets holding both products.
    pub baskets: u32,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
}

/// Why a product is suggested: the strongest rule leading to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Up to three of the account's products that lead to the suggestion, the
    /// strongest rule's antecedent first.
    pub bought_with: Vec<DocId>,
    pub confidence: f64,
    pub lift: f64,
    pub support: f64,
}

/// A product an account has not bought yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub product: DocId,
    /// The confidence of the strongest rule (0..=1).
    pub score: f64,
    /// How many of the account's products lead to it.
    pub rules: u32,
    pub reason: Reason,
}

/// Suggestions for one live account, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSuggestions {
    pub account: DocId,
    pub suggestions: Vec<Suggestion>,
}

/// The most products that take part in rules; their pair counters then take 2 MiB.
pub const MAX_RULE_PRODUCTS: usize = 1024;

/// Association rules and per-account suggestions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossSell {
    /// Non-empty baskets (live accounts with a purchase).
    pub baskets: u32,
    /// The minimum support as a count of baskets.
    pub min_baskets: u32,
    /// Products that reach the minimum support; when above
    /// [`MAX_RULE_PRODUCTS`], only that many (those in most baskets) form rules.
    pub frequent_products: u32,
    /// The strongest rules (by lift, then confidence, then baskets), at most
    /// `max_rules` of them.
    pub rules: Vec<Rule>,
    /// Rules found in all, before the `max_rules` cut.
    pub rules_total: u32,
    /// Live accounts with at least one suggestion, in book order.
    pub suggestions: Vec<AccountSuggestions>,
}

/// A rule between frequent-item numbers, before ids are attached.
#[derive(Debug, Clone, Copy)]
struct RawRule {
    from: u32,
    to: u32,
    baskets: u32,
    confidence: f64,
    lift: f64,
}

/// A share parameter made safe: not a number becomes `default`, the rest is
/// clamped to `0..=max`.
fn sane(v: f64, default: f64, max: f64) -> f64 {
    if v.is_nan() {
        default
    } else {
        v.clamp(0.0, max)
    }
}

/// Association rules and suggestions for every live account.
pub fn analyse(p: &Prepared, params: &CrossSellParams) -> CrossSell {
    let defaults = CrossSellParams::default();
    let min_support = sane(params.min_support, defaults.min_support, 1.0);
    let min_confidence = sane(params.min_confidence, defaults.min_confidence, 1.0);
    let min_lift = sane(params.min_lift, defaults.min_lift, f64::MAX);

    // Baskets: each live account's distinct bought products.
    let mut owners: Vec<usize> = Vec::new();
    let mut basket_start: Vec<u32> = vec![0];
    let mut items: Vec<u32> = Vec::new();
    let mut in_basket = vec![false; p.product_ids.len()];
    for a in p.live_accounts() {
        let first = items.len();
        for o in p.orders_of(a).take_while(|o| o.date <= p.today) {
            for l in p.lines_of(o) {
                if l.bought && !in_basket[l.product as usize] {
                    in_basket[l.product as usize] = true;
                    items.push(l.product);
                }
            }
        }
        if items.len() > first {
            for &it in &items[first..] {
                in_basket[it as usize] = false;
            }
            owners.push(a);
            basket_start.push(items.len() as u32);
        }
    }
    let n = owners.len();
    let min_baskets = ((min_support * n as f64).ceil() as u32).max(1);

    // Frequent products, numbered densely in id order; baskets cut down to them.
    let mut count = vec![0u32; p.product_ids.len()];
    for &it in &items {
        count[it as usize] += 1;
    }
    let mut frequent: Vec<u32> = (0..count.len() as u32)
        .filter(|&i| count[i as usize] >= min_baskets)
        .collect();
    let frequent_products = frequent.len() as u32;
    if frequent.len() > MAX_RULE_PRODUCTS {
        frequent.sort_unstable_by_key(|&i| {
            (Reverse(count[i as usize]), key(&p.product_ids[i as usize]))
        });
        frequent.truncate(MAX_RULE_PRODUCTS);
    }
    frequent.sort_unstable_by_key(|&i| key(&p.product_ids[i as usize]));
    let mut dense = vec![u32::MAX; p.product_ids.len()];
    for (f, &i) in frequent.iter().enumerate() {
        dense[i as usize] = f as u32;
    }
    let m = frequent.len();
    let fcount: Vec<u32> = frequent.iter().map(|&i| count[i as usize]).collect();
    let mut fbaskets: Groups<u32> = Groups::new();
    let mut scratch: Vec<u32> = Vec::new();
    for b in 0..n {
        scratch.clear();
        scratch.extend(
            items[basket_start[b] as usize..basket_start[b + 1] as usize]
                .iter()
                .map(|&i| dense[i as usize])
                .filter(|&f| f != u32::MAX),
        );
        scratch.sort_unstable();
        fbaskets.push_group(scratch.iter().copied());
    }

    // Pair counts in the upper triangle of an m × m table: the pair (a, c), a < c,
    // is at row_base[a] + c.
    let mut row_base = Vec::with_capacity(m);
    let mut size = 0usize;
    for a in 0..m {
        row_base.push(size.wrapping_sub(a + 1));
        size += m - a - 1;
    }
    let mut pairs = vec![0u32; size];
    for b in 0..n {
        let basket = fbaskets.get(b);
        for (i, &a) in basket.iter().enumerate() {
            let base = row_base[a as usize];
            for &c in &basket[i + 1..] {
                pairs[base.wrapping_add(c as usize)] += 1;
            }
        }
    }
    let nf = n as f64;
    let mut raw: Vec<RawRule> = Vec::new();
    for a in 0..m {
        let base = row_base[a];
        for c in a + 1..m {
            let k = pairs[base.wrapping_add(c)];
            if k < min_baskets {
                continue;
            }
            let (ca, cc) = (fcount[a] as f64, fcount[c] as f64);
            let lift = k as f64 * nf / (ca * cc);
            for (from, to, base) in [(a, c, ca), (c, a, cc)] {
                let confidence = k as f64 / base;
                if confidence >= min_confidence && lift >= min_lift {
                    raw.push(RawRule {
                        from: from as u32,
                        to: to as u32,
                        baskets: k,
                        confidence,
                        lift,
                    });
                }
            }
        }
    }
    drop(pairs);

    let id = |f: u32| p.product_ids[frequent[f as usize] as usize];
    let support = |k: u32| if n > 0 { k as f64 / nf } else { 0.0 };

    // Each product's strongest rules, for suggestions.
    raw.sort_by(|x, y| {
        x.from
            .cmp(&y.from)
            .then(y.confidence.total_cmp(&x.confidence))
            .then(y.lift.total_cmp(&x.lift))
            .then(x.to.cmp(&y.to))
    });
    let mut by_from: Vec<(u32, u32)> = vec![(0, 0); m];
    let mut i = 0;
    while i < raw.len() {
        let from = raw[i].from as usize;
        let mut j = i;
        while j < raw.len() && raw[j].from as usize == from {
            j += 1;
        }
        by_from[from] = (
            i as u32,
            i.saturating_add(params.rules_per_product).min(j) as u32,
        );
        i = j;
    }

    let mut suggestions = Vec::new();
    let mut picker = Picker::new(m);
    for (b, &owner) in owners.iter().enumerate() {
        let best = picker.best(
            fbaskets.get(b),
            &raw,
            &by_from,
            params.suggestions_per_account,
        );
        if best.is_empty() {
            continue;
        }
        suggestions.push(AccountSuggestions {
            account: p.account_id(owner),
            suggestions: best
                .iter()
                .map(|c| {
                    let strongest = &raw[c.strongest as usize];
                    Suggestion {
                        product: id(c.product),
                        score: strongest.confidence,
                        rules: c.rules,
                        reason: Reason {
                            bought_with: c.with[..c.with_len].iter().map(|w| id(w.0)).collect(),
                            confidence: strongest.confidence,
                            lift: strongest.lift,
                            support: support(strongest.baskets),
                        },
                    }
                })
                .collect(),
        });
    }

    let rules_total = raw.len() as u32;
    raw.sort_by(|x, y| {
        y.lift
            .total_cmp(&x.lift)
            .then(y.confidence.total_cmp(&x.confidence))
            .then(y.baskets.cmp(&x.baskets))
            .then(x.from.cmp(&y.from))
            .then(x.to.cmp(&y.to))
    });
    raw.truncate(params.max_rules);
    CrossSell {
        baskets: n as u32,
        min_baskets,
        frequent_products,
        rules: raw
            .iter()
            .map(|r| Rule {
                antecedent: id(r.from),
                consequent: id(r.to),
                baskets: r.baskets,
                support: support(r.baskets),
                confidence: r.confidence,
                lift: r.lift,
            })
            .collect(),
        rules_total,
        suggestions,
    }
}

/// A candidate product for one basket.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    product: u32,
    /// Index in the rules of the strongest rule leading here.
    strongest: u32,
    rules: u32,
    /// The antecedents of the strongest rules (product, confidence, lift), strongest first.
    with: [(u32, f64, f64); 3],
    with_len: usize,
}

impl Candidate {
    fn better_than(&self, other: &Candidate, raw: &[RawRule]) -> bool {
        let (a, b) = (
            &raw[self.strongest as usize],
            &raw[other.strongest as usize],
        );
        a.confidence
            .total_cmp(&b.confidence)
            .then(self.rules.cmp(&other.rules))
            .then(a.lift.total_cmp(&b.lift))
            .then(other.product.cmp(&self.product))
            .is_gt()
    }
}

/// Picks the best candidates of one basket after another, reusing its scratch
/// space (indexed by frequent-product number) between baskets.
struct Picker {
    /// Where each product's candidate is in `cands`, or `u32::MAX`.
    slot: Vec<u32>,
    owned: Vec<bool>,
    cands: Vec<Candidate>,
    best: Vec<Candidate>,
}

impl Picker {
    fn new(m: usize) -> Picker {
        Picker {
            slot: vec![u32::MAX; m],
            owned: vec![false; m],
            cands: Vec::new(),
            best: Vec::new(),
        }
    }

    /// The best `k` candidates for `basket`, best first.
    fn best(
        &mut self,
        basket: &[u32],
        raw: &[RawRule],
        by_from: &[(u32, u32)],
        k: usize,
    ) -> &[Candidate] {
        for &f in basket {
            self.owned[f as usize] = true;
        }
        for &a in basket {
            let (lo, hi) = by_from[a as usize];
            for r in lo..hi {
                let rule = &raw[r as usize];
                if self.owned[rule.to as usize] {
                    continue;
                }
                let s = &mut self.slot[rule.to as usize];
                if *s == u32::MAX {
                    *s = self.cands.len() as u32;
                    self.cands.push(Candidate {
                        product: rule.to,
                        strongest: r,
                        rules: 0,
                        with: [(0, 0.0, 0.0); 3],
                        with_len: 0,
                    });
                }
                let c = &mut self.cands[*s as usize];
                c.rules += 1;
                let best = &raw[c.strongest as usize];
                if rule
                    .confidence
                    .total_cmp(&best.confidence)
                    .then(rule.lift.total_cmp(&best.lift))
                    .is_gt()
                {
                    c.strongest = r;
                }
                // Keep the three strongest antecedents, in order (as `strongest`:
                // confidence, then lift; the earlier product on exact ties).
                let entry = (a, rule.confidence, rule.lift);
                let mut pos = c.with_len;
                while pos > 0 && {
                    let w = c.with[pos - 1];
                    w.1.total_cmp(&entry.1)
                        .then(w.2.total_cmp(&entry.2))
                        .is_lt()
                } {
                    pos -= 1;
                }
                if pos < 3 {
                    let end = c.with_len.min(2);
                    c.with.copy_within(pos..end, pos + 1);
                    c.with[pos] = entry;
                    c.with_len = (c.with_len + 1).min(3);
                }
            }
        }
        // The best k by insertion into a short sorted list.
        self.best.clear();
        for c in &self.cands {
            let pos = self.best.partition_point(|b| b.better_than(c, raw));
            if pos < k {
                if self.best.len() == k {
                    self.best.pop();
                }
                self.best.insert(pos, *c);
            }
            self.slot[c.product as usize] = u32::MAX;
        }
        self.cands.clear();
        for &f in basket {
            self.owned[f as usize] = false;
        }
        &self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insane_parameters_are_made_safe() {
        assert_eq!(sane(f64::NAN, 0.5, 1.0), 0.5);
        assert_eq!(sane(-3.0, 0.5, 1.0), 0.0);
        assert_eq!(sane(f64::INFINITY, 0.5, 1.0), 1.0);
    }
}
