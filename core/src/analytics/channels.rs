//! Channels: how each account and each person is reached, which channel they
//! prefer, and which one converts best.
//!
//! An interaction *converts* when the account (after merges) makes a purchase on
//! the interaction's day or within the next `window_days` days (14 by default):
//! the visit that ends with an order counts, the order that was already placed
//! the day before does not. Interactions of the last `window_days` days have not
//! had their whole window yet, so recent rates read a little low.

use super::id_index::key;
use super::period::shift;
use super::prepare::{NO_PERSON, Prepared, Touch};
use crate::day::Day;
use crate::ids::DocId;
use crate::vocab::Channel;
use serde::{Deserialize, Serialize};

/// Number of channels; arrays in [`ChannelStats`] are indexed in [`Channel::ALL`] order.
pub const CHANNELS: usize = Channel::ALL.len();

/// The default conversion window, in days.
pub const CONVERSION_WINDOW_DAYS: u32 = 14;

/// Interactions and conversions per channel for one account, person or the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChannelStats {
    /// Interactions per channel, in [`Channel::ALL`] order.
    pub interactions: [u32; CHANNELS],
    /// Of those, the ones that converted.
    pub converted: [u32; CHANNELS],
    /// The most used channel (ties: the earlier in [`Channel::ALL`]); `None` with
    /// no interactions.
    pub preferred: Option<Channel>,
    /// The channel with the best conversion rate among those that converted at
    /// least once (ties: more interactions, then the earlier in [`Channel::ALL`]).
    pub best_converting: Option<Channel>,
}

impl ChannelStats {
    /// Interactions on channel `c`.
    pub fn count(&self, c: Channel) -> u32 {
        self.interactions[c as usize]
    }

    /// Interactions on channel `c` that converted.
    pub fn conversions(&self, c: Channel) -> u32 {
        self.converted[c as usize]
    }

    /// Share (0..=1) of the channel's interactions that converted; 0 when unused.
    pub fn rate(&self, c: Channel) -> f64 {
        match self.count(c) {
            0 => 0.0,
            n => self.conversions(c) as f64 / n as f64,
        }
    }

    /// Interactions on every channel.
    pub fn total(&self) -> u32 {
        self.interactions.iter().sum()
    }

    fn add(&mut self, c: Channel, converted: bool) {
        self.interactions[c as usize] += 1;
        self.converted[c as usize] += u32::from(converted);
    }

    fn conclude(&mut self) {
        // `Channel::ALL` is in declaration order, so index i is `Channel::ALL[i]`.
        let mut preferred: Option<usize> = None;
        let mut best: Option<usize> = None;
        for i in 0..CHANNELS {
            let n = self.interactions[i];
            if n > 0 && preferred.is_none_or(|p| n > self.interactions[p]) {
                preferred = Some(i);
            }
            let c = self.converted[i];
            if c == 0 {
                continue;
            }
            let better = best.is_none_or(|b| {
                // c/n > cb/nb without division: c·nb > cb·n.
                let (cb, nb) = (self.converted[b] as u64, self.interactions[b] as u64);
                let (lhs, rhs) = (c as u64 * nb, cb * n as u64);
                lhs > rhs || (lhs == rhs && n as u64 > nb)
            });
            if better {
                best = Some(i);
            }
        }
        self.preferred = preferred.map(|i| Channel::ALL[i]);
        self.best_converting = best.map(|i| Channel::ALL[i]);
    }
}

/// One live account's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChannels {
    pub account: DocId,
    pub stats: ChannelStats,
}

/// One contact person's channels (their interactions on live accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChannels {
    pub person: DocId,
    pub stats: ChannelStats,
}

/// Channel use across the book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelReport {
    pub window_days: u32,
    /// The whole team, every interaction included.
    pub overall: ChannelStats,
    /// Live accounts with at least one interaction, in book order.
    pub by_account: Vec<AccountChannels>,
    /// People with at least one interaction on a live account, by id.
    pub by_person: Vec<PersonChannels>,
}

/// Marks each of `touches` (by date) as converted or not against `purchases`
/// (ascending): one forward pass over both.
fn conversions<'t>(
    touches: &'t [Touch],
    purchases: &'t [Day],
    window: i32,
) -> impl Iterator<Item = (&'t Touch, bool)> + 't {
    let mut j = 0;
    touches.iter().map(move |t| {
        while j < purchases.len() && purchases[j] < t.date {
            j += 1;
        }
        let converted = j < purchases.len() && purchases[j] <= shift(t.date, window);
        (t, converted)
    })
}

/// Channel statistics with a conversion window of `window_days`.
pub fn analyse(p: &Prepared, window_days: u32) -> ChannelReport {
    let window = window_days.min(i32::MAX as u32) as i32;
    let n = p.accounts.len();
    let mut overall = ChannelStats::default();
    let mut by_account = Vec::new();
    let mut people = vec![ChannelStats::default(); p.persons.len()];
    for a in 0..=n {
        let touches = p.touches.get(a);
        if touches.is_empty() {
            continue;
        }
        let live = a < n && p.live[a];
        let mut stats = ChannelStats::default();
        for (t, converted) in conversions(touches, p.purchase_days.get(a), window) {
            overall.add(t.channel, converted);
            if live {
                stats.add(t.channel, converted);
                if t.person != NO_PERSON {
                    people[t.person as usize].add(t.channel, converted);
                }
            }
        }
        if live {
            stats.conclude();
            by_account.push(AccountChannels {
                account: p.account_id(a),
                stats,
            });
        }
    }
    overall.conclude();
    // Sorting numbers rather than the records themselves moves 4 bytes at a time.
    let mut order: Vec<u32> = (0..people.len() as u32)
        .filter(|&i| people[i as usize].total() > 0)
        .collect();
    order.sort_unstable_by_key(|&i| key(&p.persons[i as usize]));
    let by_person = order
        .into_iter()
        .map(|i| {
            let mut stats = people[i as usize];
            stats.conclude();
            PersonChannels {
                person: p.persons[i as usize],
                stats,
            }
        })
        .collect();
    ChannelReport {
        window_days,
        overall,
        by_account,
        by_person,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_and_best_converting() {
        let mut s = ChannelStats::default();
        for _ in 0..5 {
            s.add(Channel::Email, false);
        }
        s.add(Channel::Email, true);
        s.add(Channel::Visit, true);
        s.add(Channel::Visit, false);
        s.add(Channel::Phone, true);
        s.add(Channel::Phone, false);
        s.conclude();
        assert_eq!(s.preferred, Some(Channel::Email));
        // Visit and phone both convert 1 in 2; equal counts, so the earlier (visit).
        assert_eq!(s.best_converting, Some(Channel::Visit));
        assert_eq!(s.rate(Channel::Email), 1.0 / 6.0);
        assert_eq!(s.rate(Channel::Video), 0.0);
        assert_eq!(s.total(), 10);
    }

    #[test]
    fn no_conversion_means_no_best_channel() {
        let mut s = ChannelStats::default();
        s.add(Channel::Chat, false);
        s.conclude();
        assert_eq!(s.preferred, Some(Channel::Chat));
        assert_eq!(s.best_converting, None);
    }
}
