//! Identifier newtypes shared by the app, the relay and the protocol.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A customer document's identity: 16 random bytes, shown as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocId(pub [u8; 16]);

/// A device's identity (one browser profile), 16 random bytes. It also seeds the
/// Automerge actor id, so changes from one device are recognisable in history.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeviceId(pub [u8; 16]);

/// A position in a team's change log. Sequence numbers start at 1; a cursor of
/// `Seq(0)` means "nothing received yet".
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default, Serialize, Deserialize,
)]
pub struct Seq(pub u64);

/// Why a hex identifier could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 32 hexadecimal digits, got {0:?}")]
pub struct BadId(pub String);

fn to_hex(bytes: &[u8; 16]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn from_hex(s: &str) -> Result<[u8; 16], BadId> {
    let bad = || BadId(s.chars().take(40).collect());
    let b = s.as_bytes();
    if b.len() != 32 {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (i, pair) in b.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
        let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Ok(out)
}

macro_rules! hex_id {
    ($t:ident) => {
        impl $t {
            /// Lowercase hex form, used as the storage key and in URLs.
            pub fn to_hex(&self) -> String {
                to_hex(&self.0)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.to_hex())
            }
        }
        impl FromStr for $t {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                from_hex(s).map($t)
            }
        }
    };
}
hex_id!(DocId);
hex_id!(DeviceId);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn doc_id_hex_round_trips(bytes in any::<[u8; 16]>()) {
            let id = DocId(bytes);
            prop_assert_eq!(id.to_hex().parse::<DocId>(), Ok(id));
        }
    }

    #[test]
    fn bad_hex_is_an_error_not_a_panic() {
        assert!("zz".parse::<DocId>().is_err());
        assert!("é".repeat(16).parse::<DocId>().is_err());
        assert!("0".repeat(31).parse::<DeviceId>().is_err());
    }
}
