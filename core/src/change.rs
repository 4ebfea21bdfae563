//! Checks on raw Automerge change bytes: the relay's gate against garbage.
//!
//! The relay never interprets a change's contents; it only makes sure the bytes
//! are one well-formed Automerge change (checksum included) and learns its hash,
//! which makes storing a re-sent change idempotent.

/// A change's identity: its Automerge hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeHash(pub [u8; 32]);

/// Why bytes were refused as a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid Automerge change: {0}")]
pub struct InvalidChange(pub String);

/// Parses `bytes` as exactly one Automerge change and returns its hash.
pub fn check(bytes: &[u8]) -> Result<ChangeHash, InvalidChange> {
    let change = automerge::Change::try_from(bytes).map_err(|e| InvalidChange(e.to_string()))?;
    if change.raw_bytes().len() != bytes.len() {
        return Err(InvalidChange(format!(
            "{} unexpected bytes after the change",
            bytes.len() - change.raw_bytes().len()
        )));
    }
    Ok(ChangeHash(change.hash().0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{CustomerDoc, Edit, Field, Stamp};
    use crate::ids::DocId;

    fn a_change() -> Vec<u8> {
        let stamp = Stamp {
            rep: "anna",
            now_ms: 1,
        };
        CustomerDoc::create(
            DocId([1; 16]),
            &stamp,
            &[Edit::Set(Field::Name, "Bar Roma".into())],
        )
        .unwrap()
        .1
    }

    #[test]
    fn a_real_change_passes_and_hashes_stably() {
        let c = a_change();
        assert_eq!(check(&c).unwrap(), check(&c.clone()).unwrap());
    }

    #[test]
    fn garbage_and_damaged_changes_are_refused() {
        let c = a_change();
        assert!(check(b"hello world").is_err());
        assert!(check(&[]).is_err());
        assert!(check(&c[..c.len() - 1]).is_err(), "truncated");
        let mut flipped = c.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(
            check(&flipped).is_err(),
            "checksum must catch a flipped byte"
        );
        let mut trailing = c.clone();
        trailing.extend_from_slice(&c);
        assert!(check(&trailing).is_err(), "two changes glued together");
    }
}
