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
    parse(bytes).map(|change| ChangeHash(change.hash().0))
}

/// Parses `bytes` as exactly one well-formed, raw Automerge change (what
/// [`check`] accepts), for a device to apply.
pub fn parse(bytes: &[u8]) -> Result<automerge::Change, InvalidChange> {
    // Automerge 0.12 panics on some hostile changes: its parser on an author
    // index or a counter beyond 32 bits, its apply on an operation naming an
    // author the change does not list. A release relay aborts on a panic, and a
    // device that receives such a change would crash on it, so the layout is
    // read and bounded here before Automerge sees the bytes.
    scan(bytes).map_err(InvalidChange)?;
    // Bytes after the change are refused by the parser itself (`LeftoverData`).
    let change = automerge::Change::try_from(bytes).map_err(|e| InvalidChange(e.to_string()))?;
    // The relay stores and forwards exactly what devices apply: one raw change.
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
    // applying one that breaks this (it never registers the author).
    if change.deps().is_empty() && (change.seq() != 1 || !change.other_actor_ids().is_empty()) {
        return Err(InvalidChange(format!(
            "a change with no predecessors must be its author's first (it says number {}) \
             and name no other author (it names {})",
            change.seq(),
            change.other_actor_ids().len()
        )));
    }
    Ok(change)
}

/// Automerge's chunk magic bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk type of one uncompressed change.
const CHUNK_CHANGE: u8 = 1;
/// Column types (the low 3 bits of a column's specification).
const GROUP_COLUMN: u64 = 0;
const ACTOR_COLUMN: u64 = 1;
const INTEGER_COLUMN: u64 = 2;
const DELTA_COLUMN: u64 = 3;
/// The bit of a column's specification that marks it compressed.
const DEFLATE_BIT: u64 = 0b1000;
/// Automerge holds counters and author indices in 32 bits.
const MAX_COUNTER: i128 = u32::MAX as i128;

/// Reads the change's layout (Automerge's binary format: chunk header, then
/// dependencies, author, seq, start op, time, message, other authors, the
/// column list and the columns' run-length encoded data) and bounds what
/// Automerge would otherwise panic on: author indices within the change's
/// authors, counters within 32 bits, group sizes within the change. Every read
/// is checked: this runs on untrusted bytes and must not panic.
fn scan(bytes: &[u8]) -> Result<(), String> {
    let malformed = || "its layout is malformed".to_owned();
    let mut r = Reader { bytes, at: 0 };
    if r.take(4) != Some(&MAGIC[..]) {
        return Err("it does not start with Automerge's magic bytes".into());
    }
    r.take(4).ok_or_else(malformed)?; // checksum, verified after parsing
    match r.byte().ok_or_else(malformed)? {
        CHUNK_CHANGE => {}
        other => {
            return Err(format!(
                "it is a chunk of type {other}, not one raw change (a compressed change, or a document)"
            ));
        }
    }
    let len = r.uleb().ok_or_else(malformed)?;
    if usize::try_from(len).ok() != bytes.len().checked_sub(r.at) {
        return Err(format!(
            "its header says {len} bytes follow, but {} do",
            bytes.len().saturating_sub(r.at)
        ));
    }
    let deps = r.uleb().ok_or_else(malformed)?;
    r.skip(deps.checked_mul(32).ok_or_else(malformed)?)
        .ok_or_else(malformed)?;
    r.length_prefixed().ok_or_else(malformed)?; // author
    r.uleb().ok_or_else(malformed)?; // seq
    let start_op = r.uleb().ok_or_else(malformed)?;
    // Each operation takes at least a byte, so this bounds the last one's counter.
    if i128::from(start_op) + bytes.len() as i128 > MAX_COUNTER {
        return Err(format!(
            "its first operation number {start_op} is too large"
        ));
    }
    r.uleb().ok_or_else(malformed)?; // time (signed, same length)
    r.length_prefixed().ok_or_else(malformed)?; // message
    let others = r.uleb().ok_or_else(malformed)?;
    for _ in 0..others {
        r.length_prefixed().ok_or_else(malformed)?;
    }
    let authors = i128::from(others) + 1;
    let count = r.uleb().ok_or_else(malformed)?;
    let mut columns = Vec::new();
    for _ in 0..count {
        let spec = r.uleb().ok_or_else(malformed)?;
        let len = usize::try_from(r.uleb().ok_or_else(malformed)?).map_err(|_| malformed())?;
        columns.push((spec, len));
    }
    let mut at = r.at;
    for (spec, len) in columns {
        let end = at.checked_add(len).ok_or_else(malformed)?;
        let column = bytes.get(at..end).ok_or_else(malformed)?;
        at = end;
        if spec & DEFLATE_BIT != 0 {
            return Err("its operation columns are compressed".into());
        }
        match spec & 0b111 {
            ACTOR_COLUMN => for_each_run(column, false, |_, v| match v {
                Some(i) if i >= authors => Err(format!(
                    "an operation names author {i}, but the change lists {authors}"
                )),
                _ => Ok(()),
            })?,
            INTEGER_COLUMN => for_each_run(column, false, |_, v| match v {
                Some(n) if n > MAX_COUNTER => Err(format!("a number {n} is too large")),
                _ => Ok(()),
            })?,
            DELTA_COLUMN => {
                let mut value: i128 = 0;
                for_each_run(column, true, |times, delta| {
                    let Some(delta) = delta else { return Ok(()) };
                    let first = value + delta;
                    value = i128::from(times)
                        .checked_mul(delta)
                        .and_then(|d| value.checked_add(d))
                        .ok_or_else(malformed)?;
                    if [first, value]
                        .iter()
                        .any(|v| !(0..=MAX_COUNTER).contains(v))
                    {
                        return Err("an operation counter is out of range".into());
                    }
                    Ok(())
                })?
            }
            GROUP_COLUMN => {
                let mut total: i128 = 0;
                for_each_run(column, false, |times, size| {
                    total = i128::from(times)
                        .checked_mul(size.unwrap_or(0))
                        .and_then(|n| total.checked_add(n))
                        .filter(|t| *t <= bytes.len() as i128)
                        .ok_or("a group is larger than the change")?;
                    Ok(())
                })?
            }
            _ => {}
        }
    }
    Ok(())
}

/// Walks a run-length encoded column, calling `each(times, value)` for every
/// run of one value (`None` for nulls). A run is a signed count, then one value
/// (count > 0, repeated), `-count` values (count < 0), or a count of nulls
/// (count 0). Values are signed or unsigned LEB128.
fn for_each_run(
    column: &[u8],
    signed: bool,
    mut each: impl FnMut(u64, Option<i128>) -> Result<(), String>,
) -> Result<(), String> {
    let malformed = || "its operation columns are malformed".to_owned();
    let mut r = Reader {
        bytes: column,
        at: 0,
    };
    let value = |r: &mut Reader| {
        if signed {
            r.sleb().map(i128::from)
        } else {
            r.uleb().map(i128::from)
        }
    };
    while r.at < column.len() {
        match r.sleb().ok_or_else(malformed)? {
            0 => each(r.uleb().ok_or_else(malformed)?, None)?,
            n if n > 0 => each(n.unsigned_abs(), Some(value(&mut r).ok_or_else(malformed)?))?,
            // Each literal takes at least a byte: a count beyond the column ends
            // in a failed read, not a long loop.
            n => {
                for _ in 0..n.unsigned_abs() {
                    each(1, Some(value(&mut r).ok_or_else(malformed)?))?;
                }
            }
        }
    }
    Ok(())
}

/// A cursor over bytes whose reads return `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

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

    /// Regression (fuzz crasher `change_check-author-index-beyond-32-bits`): an
    /// object id whose author index is beyond 32 bits made Automerge's parser
    /// itself panic, which aborts a release relay.
    #[test]
    fn an_index_beyond_32_bits_is_refused_before_automerge_parses_it() {
        let crasher =
            include_bytes!("../tests/fuzz-crashers/change_check-author-index-beyond-32-bits");
        let err = check(crasher).unwrap_err();
        assert!(
            err.to_string().contains("names author 2966703516990"),
            "{err}"
        );
    }

    #[test]
    fn run_length_columns_are_read_as_automerge_writes_them() {
        let runs = |column: &[u8], signed| {
            let mut seen = Vec::new();
            for_each_run(column, signed, |times, v| {
                seen.push((times, v));
                Ok(())
            })
            .map(|()| seen)
        };
        // A run of three 2s; a literal run of 0, 5; two nulls.
        assert_eq!(
            runs(&[3, 2, 0x7e, 0, 5, 0, 2], false),
            Ok(vec![(3, Some(2)), (1, Some(0)), (1, Some(5)), (2, None)])
        );
        // Signed values: a run of four -1s.
        assert_eq!(runs(&[4, 0x7f], true), Ok(vec![(4, Some(-1))]));
        assert_eq!(runs(&[], false), Ok(vec![]));
        // Cut short, or a literal run longer than the column: malformed.
        assert!(runs(&[3], false).is_err());
        assert!(runs(&[0x7d, 1], false).is_err());
        // The most negative count neither overflows nor loops for long.
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
        assert!(runs(&min, false).is_err());
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
