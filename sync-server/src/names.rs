//! Validated names: a team and a rep.
//!
//! Both travel in tokens and log rows, so they are checked once, where they enter
//! the relay (the `token` subcommands), and carried as newtypes afterwards.

use std::fmt;

/// Longest team name accepted; equal to the protocol's limit so every valid team
/// fits in a Hello.
pub const MAX_TEAM_CHARS: usize = campo_core::protocol::MAX_TEAM_BYTES;
/// Longest rep name accepted.
pub const MAX_REP_CHARS: usize = 64;

/// A team: 1-64 characters from `[a-z0-9_-]`. Every log and token belongs to one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Team(String);

/// Why a team name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "team name {0:?} is not valid: use 1 to {MAX_TEAM_CHARS} characters from a-z, 0-9, '_' and '-'"
)]
pub struct BadTeam(pub String);

impl Team {
    /// Checks `name` against the team rules.
    pub fn parse(name: &str) -> Result<Team, BadTeam> {
        let ok = !name.is_empty()
            && name.len() <= MAX_TEAM_CHARS
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Team(name.to_owned()))
        } else {
            Err(BadTeam(name.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A sales rep's display name, as shown to the team (`Welcome.rep`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rep(String);

/// Why a rep name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "rep name {0:?} is not valid: use 1 to {MAX_REP_CHARS} characters, no control characters, not only spaces"
)]
pub struct BadRep(pub String);

impl Rep {
    /// Checks `name`: it is shown in every client, so no control characters and
    /// not blank.
    pub fn parse(name: &str) -> Result<Rep, BadRep> {
        let ok = !name.trim().is_empty()
            && name.chars().count() <= MAX_REP_CHARS
            && !name.chars().any(char::is_control);
        if ok {
            Ok(Rep(name.to_owned()))
        } else {
            Err(BadRep(name.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Rep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_follow_the_rules() {
        for good in ["acme", "a", "sales-north_2", &"x".repeat(64)] {
            assert_eq!(Team::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "Acme", "acme team", "acmé", "a/b", &"x".repeat(65)] {
            let err = Team::parse(bad).unwrap_err();
            assert!(err.to_string().contains("a-z, 0-9"), "{err}");
        }
    }

    #[test]
    fn rep_names_are_printable_and_not_blank() {
        assert!(Rep::parse("Anna Rossi").is_ok());
        assert!(Rep::parse("Zoë").is_ok());
        assert!(Rep::parse("   ").is_err());
        assert!(Rep::parse("").is_err());
        assert!(Rep::parse("a\nb").is_err());
        assert!(Rep::parse(&"x".repeat(65)).is_err());
    }
}
