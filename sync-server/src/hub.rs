//! Per-team fan-out of committed groups to live connections.
//!
//! The store's writer thread announces each committed group here, in commit
//! order; every connection of the team holds a broadcast receiver. A receiver
//! that falls behind gets `Lagged` and re-reads from the store, so a slow client
//! never stalls the writer or the other clients, and never silently loses entries.

use crate::names::Team;
use crate::store::{CommitListener, Group};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Committed groups buffered per team before a slow receiver lags.
pub const TEAM_BROADCAST_CAPACITY: usize = 256;

/// The teams' broadcast channels, created on first subscription.
pub struct Hub {
    teams: Mutex<HashMap<Team, broadcast::Sender<Arc<Group>>>>,
    capacity: usize,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub::with_capacity(TEAM_BROADCAST_CAPACITY)
    }
}

impl Hub {
    pub fn new() -> Hub {
        Hub::default()
    }

    /// A hub buffering `capacity` groups per team (at least 1); small values
    /// make lagging receivers easy to provoke in tests.
    pub fn with_capacity(capacity: usize) -> Hub {
        Hub {
            teams: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Subscribes to the team's future commits. Subscribe before reading the
    /// catch-up from the store, so no commit falls between the two.
    pub fn subscribe(&self, team: &Team) -> broadcast::Receiver<Arc<Group>> {
        let mut teams = self.teams.lock().unwrap_or_else(|p| p.into_inner());
        teams
            .entry(team.clone())
            .or_insert_with(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }
}

impl CommitListener for Hub {
    fn committed(&self, team: &Team, group: Arc<Group>) {
        let mut teams = self.teams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = teams.get(team) {
            // An error means nobody listens any more: forget the team's channel.
            if sender.send(group).is_err() {
                teams.remove(team);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LogEntry;
    use campo_core::ids::{DeviceId, DocId, Seq};

    fn group(seq: u64) -> Arc<Group> {
        Arc::new(Group::new(vec![LogEntry {
            seq: Seq(seq),
            doc: DocId([0; 16]),
            device: DeviceId([0; 16]),
            bytes: vec![],
        }]))
    }

    #[test]
    fn commits_reach_only_their_team_and_idle_teams_are_forgotten() {
        let hub = Hub::new();
        let acme = Team::parse("acme").unwrap();
        let globex = Team::parse("globex").unwrap();
        let mut a = hub.subscribe(&acme);
        let mut g = hub.subscribe(&globex);

        hub.committed(&acme, group(1));
        assert_eq!(a.try_recv().unwrap().upto(), Seq(1));
        assert!(g.try_recv().is_err());

        drop(g);
        hub.committed(&globex, group(1));
        assert!(!hub.teams.lock().unwrap().contains_key(&globex));
    }
}
