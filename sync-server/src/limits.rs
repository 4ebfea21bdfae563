//! The relay's per-team and per-connection limits, and the count of each team's
//! open sessions that enforces one of them.
//!
//! The values are fields of [`Limits`] (defaults: the constants below) so tests
//! can make them small; the binary uses the defaults.

use crate::names::Team;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most signed-in sessions of one team at once; more are refused with
/// `RateLimited`, so one team cannot take all of [`crate::MAX_CONNECTIONS`].
pub const MAX_CONNECTIONS_PER_TEAM: usize = 2_000;
/// Sustained rate of pushed bytes one connection may send.
pub const PUSH_RATE_BYTES_PER_SEC: u64 = 4 * 1024 * 1024;
/// Pushed bytes one connection may send at once after being quiet (a device
/// coming back online with a backlog).
pub const PUSH_BURST_BYTES: u64 = 16 * 1024 * 1024;
/// Sustained rate of pushes one connection may send.
pub const PUSH_RATE_MESSAGES_PER_SEC: u64 = 200;
/// Pushes one connection may send at once after being quiet.
pub const PUSH_BURST_MESSAGES: u64 = 1_000;
/// How often a live session re-checks that its token is still valid, so a
/// `token revoke` run by another process closes it within this time.
pub const TOKEN_RECHECK_INTERVAL: Duration = Duration::from_secs(5);
/// How often the relay pings a live session.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// A live session that sends nothing (no pong, no message) for this long is
/// closed; a few pings fit in it, so one lost pong is not fatal.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The limits a relay enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections_per_team: usize,
    pub push_bytes_per_sec: u64,
    pub push_burst_bytes: u64,
    pub push_messages_per_sec: u64,
    pub push_burst_messages: u64,
    pub token_recheck_interval: Duration,
    pub ping_interval: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections_per_team: MAX_CONNECTIONS_PER_TEAM,
            push_bytes_per_sec: PUSH_RATE_BYTES_PER_SEC,
            push_burst_bytes: PUSH_BURST_BYTES,
            push_messages_per_sec: PUSH_RATE_MESSAGES_PER_SEC,
            push_burst_messages: PUSH_BURST_MESSAGES,
            token_recheck_interval: TOKEN_RECHECK_INTERVAL,
            ping_interval: PING_INTERVAL,
            idle_timeout: IDLE_TIMEOUT,
        }
    }
}

/// How many sessions each team has open.
#[derive(Debug, Default)]
pub struct TeamSlots {
    open: Mutex<HashMap<Team, usize>>,
}

/// One open session of a team; dropping it frees the slot.
#[derive(Debug)]
pub struct TeamSlot {
    slots: Arc<TeamSlots>,
    team: Team,
}

impl TeamSlots {
    /// Takes a slot for `team` unless it already has `max` sessions open.
    pub fn try_acquire(self: &Arc<Self>, team: &Team, max: usize) -> Option<TeamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(team.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(TeamSlot {
            slots: self.clone(),
            team: team.clone(),
        })
    }

    /// Sessions `team` has open.
    pub fn open(&self, team: &Team) -> usize {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.get(team).copied().unwrap_or(0)
    }
}

impl Drop for TeamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.team) {
            *count = count.saturating_sub(1);
            // Forget teams with no session, so the map does not grow forever.
            if *count == 0 {
                open.remove(&self.team);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_gets_at_most_max_slots_and_dropping_one_frees_it() {
        let slots = Arc::new(TeamSlots::default());
        let acme = Team::parse("acme").unwrap();
        let globex = Team::parse("globex").unwrap();
        let a = slots.try_acquire(&acme, 2).unwrap();
        let _b = slots.try_acquire(&acme, 2).unwrap();
        assert!(
            slots.try_acquire(&acme, 2).is_none(),
            "the third is refused"
        );
        let _g = slots
            .try_acquire(&globex, 2)
            .expect("other teams are unaffected");
        drop(a);
        assert_eq!(slots.open(&acme), 1);
        let _c = slots
            .try_acquire(&acme, 2)
            .expect("a freed slot is reusable");
        drop((_b, _c));
        assert!(!slots.open.lock().unwrap().contains_key(&acme));
    }
}
