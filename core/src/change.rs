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
    // Bytes after the change are refused by the parser itself (`LeftoverData`).
    let change = automerge::Change::try_from(bytes).map_err(|e| InvalidChange(e.to_string()))?;
    // A compressed change parses to its inflated bytes. The relay stores and
    // forwards exactly what devices apply, so only the raw form is accepted.
    if change.raw_bytes() != bytes {
        return Err(InvalidChange(
            "the change is compressed; send its raw bytes".into(),
        ));
    }
    // Automerge's parser does not verify the chunk's checksum (only loading a
    // document does), and a device that loads a damaged change fails on it: so
    // compare the checksum (the 4 bytes after the magic bytes) with the first 4
    // bytes of the hash of the data.
    let hash = change.hash().0;
    if bytes.get(4..8) != Some(&hash[..4]) {
        return Err(InvalidChange(
            "its checksum does not match its contents: the bytes were damaged".into(),
        ));
    }
    // A change with no dependencies starts a document, so it is its author's
    // first (seq 1) and refers to no other author. Automerge 0.12 panics while
    // applying one that breaks this (it never registers the author), which
    // would take down every device of the team that receives it.
    if change.deps().is_empty() && (change.seq() != 1 || !change.other_actor_ids().is_empty()) {
        return Err(InvalidChange(format!(
            "a change with no predecessors must be its author's first (it says number {}) \
             and name no other author (it names {})",
            change.seq(),
            change.other_actor_ids().len()
        )));
    }
    Ok(ChangeHash(hash))
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

    /// Regression: the parser does not verify the checksum, so a bit flipped
    /// where the change still parses used to be accepted (and then broke every
    /// device that loaded the document).
    #[test]
    fn a_flipped_bit_anywhere_is_refused() {
        let c = a_change();
        for at in 0..c.len() {
            for bit in [0x01, 0x80] {
                let mut damaged = c.clone();
                damaged[at] ^= bit;
                assert!(check(&damaged).is_err(), "bit {bit:#x} of byte {at}");
            }
        }
    }

    /// Regression (fuzz crasher `change_check-root-change-with-seq-101`): a
    /// change with no dependencies but a sequence number above 1, or naming
    /// other authors, passed the check and made Automerge panic on apply.
    #[test]
    fn a_root_change_must_be_its_authors_first_and_name_no_one_else() {
        let crasher =
            include_bytes!("../tests/fuzz-crashers/change_check-root-change-with-seq-101");
        let err = check(crasher).unwrap_err();
        assert!(err.to_string().contains("no predecessors"), "{err}");
        // A real first change is accepted and applies.
        let c = a_change();
        check(&c).unwrap();
        let change = automerge::Change::try_from(&c[..]).unwrap();
        assert!(change.deps().is_empty() && change.seq() == 1);
        automerge::Automerge::new().apply_changes([change]).unwrap();
    }

    /// Regression: a compressed change (what `Change::bytes` gives for a large
    /// one) made the length comparison underflow and panic.
    #[test]
    fn a_compressed_change_is_refused_without_panicking() {
        let stamp = Stamp {
            rep: "anna",
            now_ms: 1,
        };
        let (_, raw) = CustomerDoc::create(
            DocId([2; 16]),
            &stamp,
            &[
                Edit::Set(Field::Name, "Bar Roma".into()),
                Edit::Notes("caffè ".repeat(400)),
            ],
        )
        .unwrap();
        let compressed = automerge::Change::try_from(&raw[..])
            .unwrap()
            .bytes()
            .into_owned();
        assert!(compressed.len() < raw.len(), "it really is compressed");
        let err = check(&compressed).unwrap_err();
        assert!(err.to_string().contains("compressed"), "{err}");
        assert!(check(&raw).is_ok());
    }
}
