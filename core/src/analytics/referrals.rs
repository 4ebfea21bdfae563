//! Word of mouth: who referred whom, and the revenue that came through each referrer.
//!
//! The forest's nodes are the live accounts; an account hangs under the account
//! named in its `referred_by` (after merges) when that account is live and is not
//! itself. A referrer that was deleted, or is not in the book, leaves the account
//! a root; a merged account's own link goes with it.
//!
//! Loops (A referred by B, B referred by A) are data errors that would make the
//! revenue sums endless. Each loop is broken by dropping the link of its member
//! created first (ties: smallest id): the oldest account cannot have been brought
//! by a younger one, so its link is the one most likely wrong.
//!
//! Revenue is each account's net revenue from counted orders up to today.

use super::groups::Groups;
use super::prepare::Prepared;
use crate::ids::DocId;
use serde::{Deserialize, Serialize};

/// One link of the forest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralLink {
    pub account: DocId,
    pub referred_by: DocId,
}

/// What one account brought by word of mouth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    pub account: DocId,
    /// Accounts it referred itself.
    pub direct: u32,
    /// Accounts in its whole subtree (referred by it, by them, and so on).
    pub all: u32,
    /// Revenue of the accounts it referred itself.
    pub direct_revenue: i64,
    /// Revenue of its whole subtree (itself excluded).
    pub subtree_revenue: i64,
}

/// The referral forest and its referrers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referrals {
    /// Every link kept, in book order of the referred account.
    pub links: Vec<ReferralLink>,
    /// Accounts whose link was dropped to break a loop.
    pub cycles_broken: Vec<DocId>,
    /// Accounts that referred at least one other, by subtree revenue, then direct
    /// revenue (both descending), then id.
    pub referrers: Vec<Referrer>,
}

const NONE: u32 = u32::MAX;

/// The referral forest of the live accounts.
pub fn forest(p: &Prepared) -> Referrals {
    let n = p.accounts.len();
    let mut parent = vec![NONE; n];
    for a in p.live_accounts() {
        if let Some(r) = &p.accounts[a].referred_by {
            let r = p.home_of(r) as usize;
            if r < n && r != a && p.live[r] {
                parent[a] = r as u32;
            }
        }
    }

    // Break loops: walk up from every account, stamping the path.
    const DONE: u32 = u32::MAX - 1;
    let mut mark = vec![NONE; n];
    let mut path: Vec<usize> = Vec::new();
    let mut cycles_broken = Vec::new();
    for s in 0..n {
        path.clear();
        let mut cur = s;
        while mark[cur] == NONE {
            mark[cur] = s as u32;
            path.push(cur);
            if parent[cur] == NONE {
                break;
            }
            cur = parent[cur] as usize;
        }
        // The walk stopped at a root, at a node of an earlier walk, or at a node of
        // this very walk; only the last has a parent and this walk's mark.
        if mark[cur] == s as u32 && parent[cur] != NONE {
            let from = path.iter().position(|&x| x == cur).unwrap_or(0);
            let oldest = path[from..]
                .iter()
                .copied()
                .min_by_key(|&x| (p.accounts[x].created, p.accounts[x].id))
                .unwrap_or(cur);
            parent[oldest] = NONE;
            cycles_broken.push(p.account_id(oldest));
        }
        for &x in &path {
            mark[x] = DONE;
        }
    }
    cycles_broken.sort();

    let revenue: Vec<i64> = (0..n)
        .map(|a| {
            p.orders_of(a)
                .take_while(|o| o.date <= p.today)
                .fold(0i64, |s, o| s.saturating_add(o.total))
        })
        .collect();
    let children = Groups::by_key(n, n, |c| parent[c] as usize);

    // Breadth-first from the roots; children are then summed into parents in
    // reverse order, each after its whole subtree.
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&a| p.live[a as usize] && parent[a as usize] == NONE)
        .collect();
    let mut i = 0;
    while i < order.len() {
        order.extend_from_slice(children.get(order[i] as usize));
        i += 1;
    }
    let mut all = vec![0u32; n];
    let mut subtree = vec![0i64; n];
    let mut direct = vec![0u32; n];
    let mut direct_revenue = vec![0i64; n];
    for &c in order.iter().rev() {
        let c = c as usize;
        let up = parent[c];
        if up == NONE {
            continue;
        }
        let up = up as usize;
        direct[up] += 1;
        direct_revenue[up] = direct_revenue[up].saturating_add(revenue[c]);
        all[up] += 1 + all[c];
        subtree[up] = subtree[up]
            .saturating_add(revenue[c])
            .saturating_add(subtree[c]);
    }

    let links = p
        .live_accounts()
        .filter(|&a| parent[a] != NONE)
        .map(|a| ReferralLink {
            account: p.account_id(a),
            referred_by: p.account_id(parent[a] as usize),
        })
        .collect();
    let mut referrers: Vec<Referrer> = (0..n)
        .filter(|&a| direct[a] > 0)
        .map(|a| Referrer {
            account: p.account_id(a),
            direct: direct[a],
            all: all[a],
            direct_revenue: direct_revenue[a],
            subtree_revenue: subtree[a],
        })
        .collect();
    referrers.sort_by(|x, y| {
        y.subtree_revenue
            .cmp(&x.subtree_revenue)
            .then(y.direct_revenue.cmp(&x.direct_revenue))
            .then(x.account.cmp(&y.account))
    });
    Referrals {
        links,
        cycles_broken,
        referrers,
    }
}
