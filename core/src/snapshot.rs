//! A team's whole book in one stream, for a device that has nothing yet.
//!
//! Replaying a team's log from the first entry costs a fresh device one
//! Automerge apply per change and one summary per record (seconds for 10,000
//! accounts), and the raw changes weigh about twice the documents they make. So
//! the relay keeps a *snapshot*: every document saved compactly as of one log
//! position (`upto`), with its summary beside it. A fresh device stores both as
//! they come, without opening a single document, then asks the log for what
//! follows `upto`.
//!
//! # Stream format
//! ```text
//! "CAMPOSN1"                       8 bytes, the magic
//! frame: header                    postcard SnapshotHeader
//! frame: doc, repeated             postcard SnapshotDoc
//! u32 0                            the end (an empty frame)
//! ```
//! Each frame is a `u32` little-endian length followed by that many bytes. The
//! end marker tells a complete stream from one cut short: a reader that has not
//! seen it reports [`SnapshotError::Truncated`] and the device keeps nothing
//! of the stream's position.
//!
//! Summaries travel as bytes, tagged with the [`SUMMARY_FORMAT`] the relay
//! encoded them with; a device built for another format ignores them and
//! rebuilds summaries from the documents (slower, never wrong).

use crate::ids::{DocId, Seq};
use crate::record::{DocError, RecordDoc};
use crate::summary::{SUMMARY_FORMAT, Summary};
use crate::wire::{Malformed, Reader};
use serde::{Deserialize, Serialize};

/// The first bytes of every snapshot stream.
pub const MAGIC: &[u8; 8] = b"CAMPOSN1";
/// Largest frame a reader accepts: one document with its summary. Documents
/// are bounded by what reps write; this bounds what a damaged stream can make a
/// device allocate.
pub const MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// What the stream is a snapshot of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// The team whose book this is.
    pub team: String,
    /// Every log entry up to and including this one is in the documents.
    pub upto: Seq,
    /// How many documents the snapshot had when the stream started (for
    /// progress): a compaction running meanwhile may add some.
    pub docs: u64,
    /// The [`SUMMARY_FORMAT`] of the summaries' bytes.
    pub summary_format: u32,
}

/// One document of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDoc {
    pub id: DocId,
    /// The document as [`RecordDoc::save`] writes it, with its whole history.
    pub saved: Vec<u8>,
    /// Its encoded [`Summary`]; empty when the document has none (the team
    /// document, or a record whose creating change has not arrived).
    pub summary: Vec<u8>,
}

/// Why bytes are not a complete snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a Campo snapshot (the stream does not start with {MAGIC:?})")]
    NotASnapshot,
    #[error("the snapshot stream ended before its end marker: the transfer was cut short")]
    Truncated,
    #[error("a snapshot frame of {0} bytes is over the limit")]
    TooLarge(usize),
    #[error("a snapshot frame is damaged: {0}")]
    Malformed(String),
    #[error("the snapshot has bytes after its end marker")]
    TrailingBytes,
}

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    // Frames are bounded by MAX_FRAME_BYTES, far below u32::MAX.
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
}

/// The magic and the header frame: the start of a stream.
pub fn write_header(header: &SnapshotHeader) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    frame(
        &mut out,
        &postcard::to_allocvec(header).expect("postcard encoding into a Vec"),
    );
    out
}

/// Appends one document's frame to `out`.
pub fn write_doc(out: &mut Vec<u8>, doc: &SnapshotDoc) {
    frame(
        out,
        &postcard::to_allocvec(doc).expect("postcard encoding into a Vec"),
    );
}

/// The end marker.
pub fn write_end(out: &mut Vec<u8>) {
    out.extend_from_slice(&0u32.to_le_bytes());
}

/// What a [`SnapshotReader`] has made of the bytes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Magic,
    Header,
    Docs,
    Done,
}

/// Reads a stream as it arrives, in pieces of any size.
pub struct SnapshotReader {
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    pos: usize,
    stage: Stage,
    header: Option<SnapshotHeader>,
}

impl Default for SnapshotReader {
    fn default() -> Self {
        SnapshotReader::new()
    }
}

impl SnapshotReader {
    pub fn new() -> SnapshotReader {
        SnapshotReader {
            buf: Vec::new(),
            pos: 0,
            stage: Stage::Magic,
            header: None,
        }
    }

    /// The header, once its frame has arrived.
    pub fn header(&self) -> Option<&SnapshotHeader> {
        self.header.as_ref()
    }

    /// Takes the next piece of the stream; returns the documents it completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SnapshotDoc>, SnapshotError> {
        if self.stage == Stage::Done {
            return if bytes.is_empty() {
                Ok(Vec::new())
            } else {
                Err(SnapshotError::TrailingBytes)
            };
        }
        // Drop what was consumed before growing the buffer.
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
        let mut docs = Vec::new();
        loop {
            let rest = &self.buf[self.pos..];
            match self.stage {
                Stage::Magic => {
                    let n = rest.len().min(MAGIC.len());
                    if rest[..n] != MAGIC[..n] {
                        return Err(SnapshotError::NotASnapshot);
                    }
                    if n < MAGIC.len() {
                        return Ok(docs);
                    }
                    self.pos += MAGIC.len();
                    self.stage = Stage::Header;
                }
                Stage::Header | Stage::Docs => {
                    let Some(len) = rest.first_chunk::<4>().map(|b| u32::from_le_bytes(*b)) else {
                        return Ok(docs);
                    };
                    let len = len as usize;
                    if len > MAX_FRAME_BYTES {
                        return Err(SnapshotError::TooLarge(len));
                    }
                    if self.stage == Stage::Docs && len == 0 {
                        self.pos += 4;
                        self.stage = Stage::Done;
                        if self.pos < self.buf.len() {
                            return Err(SnapshotError::TrailingBytes);
                        }
                        return Ok(docs);
                    }
                    if rest.len() < 4 + len {
                        return Ok(docs);
                    }
                    let body = &rest[4..4 + len];
                    let bad = |e: postcard::Error| SnapshotError::Malformed(e.to_string());
                    if self.stage == Stage::Header {
                        self.header = Some(postcard::from_bytes(body).map_err(bad)?);
                        self.stage = Stage::Docs;
                    } else {
                        docs.push(postcard::from_bytes(body).map_err(bad)?);
                    }
                    self.pos += 4 + len;
                }
                Stage::Done => return Ok(docs),
            }
        }
    }

    /// Says whether the stream was complete; call when it has ended.
    pub fn finish(&self) -> Result<&SnapshotHeader, SnapshotError> {
        match (self.stage, &self.header) {
            (Stage::Done, Some(h)) => Ok(h),
            _ => Err(SnapshotError::Truncated),
        }
    }
}

/// One document brought up to date: its saved bytes and summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compacted {
    pub saved: Vec<u8>,
    pub summary: Vec<u8>,
}

/// Applies `changes` (in log order) to the document saved as `prior` (or to an
/// empty one) and saves it with its summary. A change that does not apply is
/// skipped and counted, as a device does: the relay checked every change when
/// it was pushed, and one damaged change must not stop the rest of the book.
pub fn compact_doc(
    id: DocId,
    prior: Option<&[u8]>,
    changes: &[&[u8]],
) -> Result<(Compacted, usize), DocError> {
    let mut doc = match prior {
        Some(bytes) => RecordDoc::load(id, bytes)?,
        None => RecordDoc::empty(id),
    };
    let mut skipped = 0;
    // One call for all of them is much cheaper; a refused change sends us
    // back to one at a time, to skip only it.
    if doc.apply_many(changes).is_err() {
        for change in changes {
            if doc.apply(change).is_err() {
                skipped += 1;
            }
        }
    }
    let summary = if doc.is_ready() {
        Summary::of(&doc.read()).map_or_else(Vec::new, |s| s.encode())
    } else {
        Vec::new()
    };
    Ok((
        Compacted {
            saved: doc.save(),
            summary,
        },
        skipped,
    ))
}

/// Many documents' bytes (saved documents, or encoded summaries) as one value,
/// for a device to store a snapshot in a few large writes.
pub fn encode_pack(entries: &[(DocId, &[u8])]) -> Vec<u8> {
    postcard::to_allocvec(entries).expect("postcard encoding into a Vec")
}

/// Reads what [`encode_pack`] wrote, borrowing the bytes (start-up reads every
/// stored pack: see [`crate::wire`]).
pub fn decode_pack(bytes: &[u8]) -> Result<Vec<(DocId, &[u8])>, SnapshotError> {
    fn read(bytes: &[u8]) -> Result<Vec<(DocId, &[u8])>, Malformed> {
        let mut r = Reader::new(bytes);
        let n = r.count()?;
        // An entry takes at least 17 bytes: a count beyond what is left is
        // refused before anything is reserved for it.
        let mut entries = Vec::with_capacity(n.min(r.rest().len() / 17));
        for _ in 0..n {
            entries.push((r.id()?, r.bytes()?));
        }
        Ok(entries)
    }
    read(bytes).map_err(|e| SnapshotError::Malformed(e.to_string()))
}

/// The header for a snapshot of `team` written by this build.
pub fn header(team: &str, upto: Seq, docs: u64) -> SnapshotHeader {
    SnapshotHeader {
        team: team.to_owned(),
        upto,
        docs,
        summary_format: SUMMARY_FORMAT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{BookSpec, book};

    fn sample() -> (SnapshotHeader, Vec<SnapshotDoc>, Vec<u8>) {
        let docs: Vec<SnapshotDoc> = book(3, BookSpec::scaled(4), &["Anna", "Bruno"])
            .into_iter()
            .map(|g| {
                let changes: Vec<&[u8]> = g.changes.iter().map(Vec::as_slice).collect();
                let (c, skipped) = compact_doc(g.id, None, &changes).unwrap();
                assert_eq!(skipped, 0);
                SnapshotDoc {
                    id: g.id,
                    saved: c.saved,
                    summary: c.summary,
                }
            })
            .collect();
        let h = header("acme", Seq(77), docs.len() as u64);
        let mut bytes = write_header(&h);
        for d in &docs {
            write_doc(&mut bytes, d);
        }
        write_end(&mut bytes);
        (h, docs, bytes)
    }

    #[test]
    fn reads_back_in_pieces_of_any_size() {
        let (h, docs, bytes) = sample();
        for piece in [1, 3, 7, 64, 1000, bytes.len()] {
            let mut r = SnapshotReader::new();
            let mut got = Vec::new();
            for chunk in bytes.chunks(piece) {
                got.extend(r.feed(chunk).unwrap());
            }
            assert_eq!(r.finish().unwrap(), &h, "piece {piece}");
            assert_eq!(got, docs, "piece {piece}");
        }
    }

    #[test]
    fn documents_and_summaries_match_the_log() {
        let (_, docs, _) = sample();
        let generated = book(3, BookSpec::scaled(4), &["Anna", "Bruno"]);
        for (d, g) in docs.iter().zip(&generated) {
            let mut from_log = RecordDoc::empty(g.id);
            g.changes.iter().for_each(|c| from_log.apply(c).unwrap());
            let mut loaded = RecordDoc::load(d.id, &d.saved).unwrap();
            assert_eq!(loaded.read(), from_log.read());
            let s = Summary::decode(&d.summary).unwrap();
            assert_eq!(Some(s), Summary::of(&from_log.read()));
        }
    }

    #[test]
    fn compacting_on_top_of_a_prior_snapshot_equals_compacting_from_scratch() {
        let g = book(5, BookSpec::scaled(1), &["Anna"])
            .into_iter()
            .find(|g| g.changes.len() > 3)
            .unwrap();
        let all: Vec<&[u8]> = g.changes.iter().map(Vec::as_slice).collect();
        let (whole, _) = compact_doc(g.id, None, &all).unwrap();
        let (first, _) = compact_doc(g.id, None, &all[..2]).unwrap();
        let (rest, _) = compact_doc(g.id, Some(&first.saved), &all[2..]).unwrap();
        let read = |b: &[u8]| RecordDoc::load(g.id, b).unwrap().read();
        assert_eq!(read(&rest.saved), read(&whole.saved));
        assert_eq!(rest.summary, whole.summary);
        // Changes the prior snapshot already holds change nothing.
        let (again, _) = compact_doc(g.id, Some(&whole.saved), &all).unwrap();
        assert_eq!(read(&again.saved), read(&whole.saved));
    }

    #[test]
    fn packs_round_trip_and_damage_is_an_error() {
        let a = DocId([1; 16]);
        let b = DocId([2; 16]);
        let bytes = encode_pack(&[(a, b"saved a"), (b, b"")]);
        assert_eq!(
            decode_pack(&bytes).unwrap(),
            [(a, &b"saved a"[..]), (b, &b""[..])]
        );
        for cut in 0..bytes.len() {
            assert!(decode_pack(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A count no pack of these bytes could hold.
        assert!(decode_pack(&[0xff, 0xff, 0xff, 0x7f]).is_err());
        // What postcard reads from a larger pack, this reads too.
        let big: Vec<(DocId, Vec<u8>)> = (0..300u16)
            .map(|i| (DocId([i as u8; 16]), vec![7; usize::from(i)]))
            .collect();
        let refs: Vec<(DocId, &[u8])> = big.iter().map(|(id, b)| (*id, b.as_slice())).collect();
        let bytes = encode_pack(&refs);
        let by_serde: Vec<(DocId, &[u8])> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(decode_pack(&bytes).unwrap(), by_serde);
        assert_eq!(by_serde, refs);
        assert!(decode_pack(&encode_pack(&[])).unwrap().is_empty());
    }

    #[test]
    fn a_cut_stream_is_truncated_never_complete() {
        let (_, _, bytes) = sample();
        for cut in [0, 4, 8, 12, bytes.len() / 2, bytes.len() - 1] {
            let mut r = SnapshotReader::new();
            r.feed(&bytes[..cut]).unwrap();
            assert_eq!(r.finish(), Err(SnapshotError::Truncated), "cut at {cut}");
        }
    }

    #[test]
    fn damage_is_reported() {
        let (_, _, bytes) = sample();
        let mut r = SnapshotReader::new();
        assert_eq!(r.feed(b"CAMPOBK1"), Err(SnapshotError::NotASnapshot));

        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            SnapshotReader::new().feed(&trailing),
            Err(SnapshotError::TrailingBytes)
        );

        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            SnapshotReader::new().feed(&huge),
            Err(SnapshotError::TooLarge(_))
        ));

        // The count is the snapshot's size when the stream began, for progress:
        // a compaction meanwhile may add documents, and that is no error.
        let mut grown = write_header(&header("acme", Seq(1), 0));
        write_doc(
            &mut grown,
            &SnapshotDoc {
                id: DocId([1; 16]),
                saved: vec![1],
                summary: Vec::new(),
            },
        );
        write_end(&mut grown);
        let mut r = SnapshotReader::new();
        assert_eq!(r.feed(&grown).unwrap().len(), 1);
        assert_eq!(r.finish().unwrap().docs, 0);

        let mut garbage = MAGIC.to_vec();
        frame(&mut garbage, &[0xff; 3]);
        assert!(matches!(
            SnapshotReader::new().feed(&garbage),
            Err(SnapshotError::Malformed(_))
        ));
    }
}
