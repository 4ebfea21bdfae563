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
    // Automerge 0.12 panics while applying a change whose operations name an
    // author (by index) beyond the change's list of authors, and its parser lets
    // such a change through: check every index here.
    let authors = 1 + change.other_actor_ids().len();
    actor_indices_within(bytes, authors).map_err(InvalidChange)?;
    Ok(ChangeHash(hash))
}

/// Column type of actor indices in Automerge's column specification (low 3 bits).
const ACTOR_COLUMN: u32 = 1;

/// Checks that every actor index in the change's actor columns is below
/// `authors`. `bytes` already parsed as one uncompressed change, so the layout
/// is known to be sound; every read is still checked, as this must not panic.
/// The layout (Automerge's binary format): chunk header, then dependencies,
/// author, seq, start op, time, message, other authors, the column list (spec,
/// length) and the columns' data. Actor columns are run-length encoded.
fn actor_indices_within(bytes: &[u8], authors: usize) -> Result<(), String> {
    let malformed = || "its operation columns are malformed".to_owned();
    let mut r = Reader { bytes, at: 8 };
    r.byte().ok_or_else(malformed)?; // chunk type
    r.uleb().ok_or_else(malformed)?; // chunk length
    let deps = r.uleb().ok_or_else(malformed)?;
    r.skip(deps.checked_mul(32).ok_or_else(malformed)?)
        .ok_or_else(malformed)?;
    r.length_prefixed().ok_or_else(malformed)?; // author
    r.uleb().ok_or_else(malformed)?; // seq
    r.uleb().ok_or_else(malformed)?; // start op
    r.uleb().ok_or_else(malformed)?; // time (signed, same length)
    r.length_prefixed().ok_or_else(malformed)?; // message
    let others = r.uleb().ok_or_else(malformed)?;
    for _ in 0..others {
        r.length_prefixed().ok_or_else(malformed)?;
    }
    let count = r.uleb().ok_or_else(malformed)?;
    let mut columns = Vec::new();
    for _ in 0..count {
        let spec = r.uleb().ok_or_else(malformed)?;
        let len = r.uleb().ok_or_else(malformed)?;
        columns.push((spec, usize::try_from(len).map_err(|_| malformed())?));
    }
    let mut data = r.at;
    for (spec, len) in columns {
        let end = data.checked_add(len).ok_or_else(malformed)?;
        let column = bytes.get(data..end).ok_or_else(malformed)?;
        data = end;
        if spec & 0b111 == u64::from(ACTOR_COLUMN) {
            let highest = highest_in_rle(column).ok_or_else(malformed)?;
            if let Some(index) = highest.filter(|i| *i >= authors as u64) {
                return Err(format!(
                    "an operation names author {index}, but the change lists {authors}"
                ));
            }
        }
    }
    Ok(())
}

/// The highest value in a run-length encoded column of unsigned integers
/// (`None` inside when it holds only nulls), or `None` if it is malformed.
/// Runs are a signed count, then one value (count > 0, repeated), `-count`
/// values (count < 0), or a count of nulls (count = 0).
fn highest_in_rle(column: &[u8]) -> Option<Option<u64>> {
    let mut r = Reader {
        bytes: column,
        at: 0,
    };
    let mut highest = None;
    while r.at < column.len() {
        let count = r.sleb()?;
        let values = match count {
            0 => {
                r.uleb()?; // a run of nulls
                0
            }
            c if c > 0 => 1,
            c => c.unsigned_abs(),
        };
        for _ in 0..values {
            highest = highest.max(Some(r.uleb()?));
        }
    }
    Some(highest)
}

/// A cursor over bytes whose reads return `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn skip(&mut self, n: u64) -> Option<()> {
        let end = self.at.checked_add(usize::try_from(n).ok()?)?;
        (end <= self.bytes.len()).then(|| self.at = end)
    }

    /// An unsigned LEB128 number of at most 64 bits.
    fn uleb(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A signed LEB128 number of at most 64 bits.
    fn sleb(&mut self) -> Option<i64> {
        let mut value = 0i64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= i64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                if shift + 7 < 64 && b & 0x40 != 0 {
                    value |= -1i64 << (shift + 7);
                }
                return Some(value);
            }
        }
        None
    }

    fn length_prefixed(&mut self) -> Option<()> {
        let len = self.uleb()?;
        self.skip(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DocId;
    use crate::record::{Edit, Kind, RecordDoc, Stamp};

    fn a_change() -> Vec<u8> {
        let stamp = Stamp {
            rep: "anna",
            now_ms: 1,
        };
        RecordDoc::create(
            Kind::Account,
            DocId([1; 16]),
            &stamp,
            &[Edit::Set("name".into(), "Bar Roma".into())],
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

    /// Regression (fuzz crasher `change_check-op-names-unknown-author`): an
    /// operation naming author 1 in a change that lists only its own author
    /// passed the check and made Automerge panic on apply.
    #[test]
    fn an_operation_must_name_a_listed_author() {
        let crasher = include_bytes!("../tests/fuzz-crashers/change_check-op-names-unknown-author");
        let err = check(crasher).unwrap_err();
        assert!(err.to_string().contains("names author 1"), "{err}");
    }

    #[test]
    fn run_length_columns_are_read_as_automerge_writes_them() {
        // A run of three 2s; a literal run of 0, 5; two nulls.
        assert_eq!(highest_in_rle(&[3, 2, 0x7e, 0, 5, 0, 2]), Some(Some(5)));
        assert_eq!(highest_in_rle(&[0, 9]), Some(None));
        assert_eq!(highest_in_rle(&[]), Some(None));
        // Cut short, or a literal run longer than the column: malformed.
        assert_eq!(highest_in_rle(&[3]), None);
        assert_eq!(highest_in_rle(&[0x7d, 1]), None);
        // The most negative count does not overflow.
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
        assert_eq!(highest_in_rle(&min), None);
    }

    /// Regression: a compressed change (what `Change::bytes` gives for a large
    /// one) made the length comparison underflow and panic.
    #[test]
    fn a_compressed_change_is_refused_without_panicking() {
        let stamp = Stamp {
            rep: "anna",
            now_ms: 1,
        };
        let (_, raw) = RecordDoc::create(
            Kind::Account,
            DocId([2; 16]),
            &stamp,
            &[
                Edit::Set("name".into(), "Bar Roma".into()),
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
