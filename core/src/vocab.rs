//! The fixed vocabularies records use: channels, outcomes, statuses. Each is stored
//! in documents by its `key()`, which is also its translation key in the app.

/// Declares a vocabulary enum with `ALL`, `key()` and `from_key()`.
macro_rules! vocab {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored form (and translation key).
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}
vocab! {
    /// The channel of an interaction.
    Channel {
        Visit => "visit",
        Phone => "phone",
        Email => "email",
        Letter => "letter",
        Video => "video",
        Chat => "chat",
        Other => "other",
    }
}

vocab! {
    /// Who started an interaction.
    Direction { Outbound => "out", Inbound => "in" }
}

vocab! {
    /// How an interaction went.
    #[derive(Default)]
    Outcome { #[default] None => "", Positive => "positive", Neutral => "neutral", Negative => "negative" }
}

vocab! {
    /// Where a record's data came from.
    #[derive(Default)]
    Source { #[default] OwnEntry => "own", ImportedList => "imported", Enrichment => "enrichment" }
}

vocab! {
    /// The relationship an account has with the team.
    AccountStatus { Prospect => "prospect", Active => "active", Dormant => "dormant", Lost => "lost" }
}

vocab! {
    /// Which way the relationship runs: an account can be a customer, a supplier, or both.
    Relation { Customer => "customer", Supplier => "supplier", Both => "both" }
}

vocab! {
    /// The state of an order. Cancelled orders count for nothing.
    OrderStatus { Draft => "draft", Confirmed => "confirmed", Delivered => "delivered", Cancelled => "cancelled" }
}

vocab! {
    /// The pipeline stages of a deal; `Won` and `Lost` close it.
    Stage {
        Lead => "lead",
        Qualified => "qualified",
        Proposal => "proposal",
        Negotiation => "negotiation",
        Won => "won",
        Lost => "lost",
    }
}

impl Stage {
    /// Stages of a deal still in play.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Lost)
    }

    /// The default win probability (percent) a deal gets on entering the stage.
    pub fn default_probability(self) -> u8 {
        match self {
            Stage::Lead => 10,
            Stage::Qualified => 25,
            Stage::Proposal => 50,
            Stage::Negotiation => 75,
            Stage::Won => 100,
            Stage::Lost => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            key: fn(T) -> &'static str,
            from: fn(&str) -> Option<T>,
        ) {
            let mut keys: Vec<_> = all.iter().map(|v| key(*v)).collect();
            for v in all {
                assert_eq!(from(key(*v)), Some(*v));
            }
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), all.len());
        }
        check(Channel::ALL, Channel::key, Channel::from_key);
        check(Outcome::ALL, Outcome::key, Outcome::from_key);
        check(Stage::ALL, Stage::key, Stage::from_key);
        check(OrderStatus::ALL, OrderStatus::key, OrderStatus::from_key);
        check(
            AccountStatus::ALL,
            AccountStatus::key,
            AccountStatus::from_key,
        );
        check(Source::ALL, Source::key, Source::from_key);
    }
}
