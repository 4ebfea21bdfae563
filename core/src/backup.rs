//! A whole book in one file: every stored document's saved bytes, for the rep to
//! keep and to restore into an empty device or into another team.
//!
//! A backup holds documents, not summaries or the outbox: the documents are the
//! truth (summaries are rebuilt from them) and each keeps its whole history, so a
//! restore merges into what a device holds instead of overwriting it.
//!
//! # Format
//! ```text
//! offset  size  content
//! 0       8     magic: the ASCII bytes "CAMPOBK1"
//! 8       2     format version, u16 little-endian (FORMAT_VERSION)
//! 10      8     body length n in bytes, u64 little-endian
//! 18      n     body: postcard encoding of (team: String, created_ms: i64,
//!               docs: Vec<(DocId, Vec<u8>)>), each document as RecordDoc::save wrote it
//! 18+n    4     CRC-32 (IEEE 802.3, as zip and PNG use) of the body, u32 little-endian
//! ```
//! The magic never changes: it says "this is a Campo backup". The version says how
//! to read what follows it; a reader refuses versions it does not know. The length
//! tells a file cut short (an interrupted copy) from a damaged one, and the
//! checksum catches damage before any document is looked at.

use crate::ids::DocId;
use serde::{Deserialize, Serialize};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 8] = b"CAMPOBK1";

/// The body layout this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Magic, version and body length.
const HEADER_LEN: usize = 8 + 2 + 8;
const CHECKSUM_LEN: usize = 4;

/// A team's book as saved documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup {
    /// The team the documents were saved from (shown before restoring).
    pub team: String,
    /// When the backup was made, in milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Each document's id and its saved bytes (a whole Automerge document).
    pub docs: Vec<(DocId, Vec<u8>)>,
}

/// Why bytes could not be read as a backup. Nothing is restored from such a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("this is not a Campo backup file: pick the file Campo saved with \"Download backup\"")]
    NotABackup,
    #[error(
        "this backup was made by another version of Campo (format {0}; this one reads format {FORMAT_VERSION}): update Campo, then restore it"
    )]
    UnsupportedVersion(u16),
    #[error(
        "the backup file is incomplete ({got} of {expected} bytes): it was cut short while being copied; use a complete copy"
    )]
    Truncated { expected: u64, got: u64 },
    #[error("the backup file is damaged (its checksum does not match): use another copy")]
    Damaged,
    #[error(
        "the backup file has {0} unexpected bytes after its end: it is damaged; use another copy"
    )]
    TrailingBytes(u64),
    #[error("the backup holds document {0} twice: it is damaged; use another copy")]
    DuplicateDoc(DocId),
}

/// The body, borrowed for writing.
#[derive(Serialize)]
struct BodyRef<'a> {
    team: &'a str,
    created_ms: i64,
    docs: &'a [(DocId, Vec<u8>)],
}

/// The body, owned for reading (field order as in [`BodyRef`]).
#[derive(Deserialize)]
struct Body {
    team: String,
    created_ms: i64,
    docs: Vec<(DocId, Vec<u8>)>,
}

impl Backup {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let body = BodyRef {
            team: &self.team,
            created_ms: self.created_ms,
            docs: &self.docs,
        };
        // Serializing plain data into a Vec cannot fail.
        let body = postcard::to_allocvec(&body).expect("postcard encoding into a Vec");
        let mut out = Vec::with_capacity(HEADER_LEN + body.len() + CHECKSUM_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_le_bytes());
        out
    }

    /// Reads a backup file. Checks, in order: the magic, the version, the length,
    /// the checksum, then the body's structure; the documents' own contents are
    /// checked when they are loaded.
    pub fn decode(bytes: &[u8]) -> Result<Backup, BackupError> {
        if bytes.len() < MAGIC.len() {
            return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
                BackupError::Truncated {
                    expected: HEADER_LEN as u64,
                    got: bytes.len() as u64,
                }
            } else {
                BackupError::NotABackup
            });
        }
        if &bytes[..MAGIC.len()] != MAGIC {
            return Err(BackupError::NotABackup);
        }
        let Some(header) = bytes.get(..HEADER_LEN) else {
            return Err(BackupError::Truncated {
                expected: HEADER_LEN as u64,
                got: bytes.len() as u64,
            });
        };
        let version = u16::from_le_bytes([header[8], header[9]]);
        if version != FORMAT_VERSION {
            return Err(BackupError::UnsupportedVersion(version));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&header[10..HEADER_LEN]);
        let body_len = u64::from_le_bytes(len);
        let expected = (HEADER_LEN as u64)
            .saturating_add(body_len)
            .saturating_add(CHECKSUM_LEN as u64);
        let got = bytes.len() as u64;
        if got < expected {
            return Err(BackupError::Truncated { expected, got });
        }
        if got > expected {
            return Err(BackupError::TrailingBytes(got - expected));
        }
        // `expected` fits in memory, so the body length fits in a usize.
        let body_end = HEADER_LEN + body_len as usize;
        let body = &bytes[HEADER_LEN..body_end];
        let mut sum = [0u8; 4];
        sum.copy_from_slice(&bytes[body_end..]);
        if crc32(body) != u32::from_le_bytes(sum) {
            return Err(BackupError::Damaged);
        }
        // The checksum matched, so a body that does not parse was written wrong,
        // not damaged on the way; either way the file cannot be used.
        let (parsed, rest): (Body, &[u8]) =
            postcard::take_from_bytes(body).map_err(|_| BackupError::Damaged)?;
        if !rest.is_empty() {
            return Err(BackupError::Damaged);
        }
        let mut seen = std::collections::HashSet::with_capacity(parsed.docs.len());
        for (id, _) in &parsed.docs {
            if !seen.insert(*id) {
                return Err(BackupError::DuplicateDoc(*id));
            }
        }
        Ok(Backup {
            team: parsed.team,
            created_ms: parsed.created_ms,
            docs: parsed.docs,
        })
    }

    /// The total size of the documents' bytes.
    pub fn doc_bytes(&self) -> usize {
        self.docs.iter().map(|(_, b)| b.len()).sum()
    }
}

/// CRC-32 with the IEEE polynomial (reflected, as zip, gzip and PNG compute it).
fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &b in bytes {
        crc = TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Edit, Kind, RecordDoc, Stamp};

    fn sample() -> Backup {
        Backup {
            team: "acme".into(),
            created_ms: 1_767_225_600_000,
            docs: vec![
                (DocId([1; 16]), b"first document".to_vec()),
                (DocId([2; 16]), vec![0, 255, 7]),
                (DocId([3; 16]), Vec::new()),
            ],
        }
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        // The check value every CRC-32/IEEE implementation gives for "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip() {
        let b = sample();
        let bytes = b.encode();
        assert_eq!(&bytes[..8], b"CAMPOBK1");
        assert_eq!(Backup::decode(&bytes), Ok(b.clone()));
        assert_eq!(b.doc_bytes(), 17);
        let empty = Backup {
            team: String::new(),
            created_ms: 0,
            docs: Vec::new(),
        };
        assert_eq!(Backup::decode(&empty.encode()), Ok(empty));
    }

    #[test]
    fn another_file_is_not_a_backup() {
        for bytes in [
            &b""[..],
            b"Ragione sociale;P.IVA\r\n",
            b"PK\x03\x04 a zip file, say",
            b"CAMPOBKX and more bytes after it",
        ] {
            assert_eq!(
                Backup::decode(bytes),
                Err(BackupError::NotABackup),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn a_file_cut_short_says_so_wherever_it_was_cut() {
        let bytes = sample().encode();
        for cut in [3, 8, 12, HEADER_LEN, HEADER_LEN + 5, bytes.len() - 1] {
            match Backup::decode(&bytes[..cut]) {
                Err(BackupError::Truncated { expected, got }) => {
                    assert_eq!(got, cut as u64);
                    assert!(expected > got);
                }
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        let err = Backup::decode(&bytes[..bytes.len() - 1]).unwrap_err();
        assert!(err.to_string().contains("incomplete"), "{err}");
    }

    #[test]
    fn another_version_is_refused_with_its_number() {
        let mut bytes = sample().encode();
        bytes[8..10].copy_from_slice(&2u16.to_le_bytes());
        let err = Backup::decode(&bytes).unwrap_err();
        assert_eq!(err, BackupError::UnsupportedVersion(2));
        assert!(err.to_string().contains("update Campo"), "{err}");
        bytes[8..10].copy_from_slice(&0u16.to_le_bytes());
        assert_eq!(
            Backup::decode(&bytes),
            Err(BackupError::UnsupportedVersion(0))
        );
    }

    #[test]
    fn damage_and_extra_bytes_are_caught() {
        let bytes = sample().encode();
        for at in [HEADER_LEN, HEADER_LEN + 10, bytes.len() - 2] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x40;
            assert_eq!(
                Backup::decode(&damaged),
                Err(BackupError::Damaged),
                "byte {at}"
            );
        }
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"xx");
        assert_eq!(Backup::decode(&longer), Err(BackupError::TrailingBytes(2)));
        // A length field beyond any real file is "incomplete", not a crash.
        let mut huge = bytes.clone();
        huge[10..18].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            Backup::decode(&huge),
            Err(BackupError::Truncated { .. })
        ));
    }

    #[test]
    fn a_document_listed_twice_is_refused() {
        let mut b = sample();
        b.docs.push((DocId([2; 16]), b"again".to_vec()));
        assert_eq!(
            Backup::decode(&b.encode()),
            Err(BackupError::DuplicateDoc(DocId([2; 16])))
        );
    }

    /// The documents inside load as they were saved, and their changes rebuild
    /// the same document elsewhere (what a restore sends to the relay).
    #[test]
    fn real_documents_survive_with_their_history() {
        let anna = Stamp {
            rep: "Anna",
            now_ms: 1_000,
        };
        let bruno = Stamp {
            rep: "Bruno",
            now_ms: 2_000,
        };
        let id = DocId([9; 16]);
        let (mut doc, _) = RecordDoc::create(
            Kind::Account,
            id,
            &anna,
            &[Edit::Set("name".into(), "Bar Roma".into())],
        )
        .unwrap();
        doc.edit(&bruno, &[Edit::Set("city".into(), "Lodi".into())])
            .unwrap();
        let backup = Backup {
            team: "acme".into(),
            created_ms: 3_000,
            docs: vec![(id, doc.save())],
        };
        let back = Backup::decode(&backup.encode()).unwrap();
        let mut loaded = RecordDoc::load(id, &back.docs[0].1).unwrap();
        assert_eq!(loaded.read().text("city"), "Lodi");
        assert_eq!(loaded.history().len(), 2);

        let changes = loaded.changes();
        assert_eq!(changes.len(), 2);
        let mut rebuilt = RecordDoc::empty(id);
        for c in &changes {
            crate::change::check(c).unwrap();
            rebuilt.apply(c).unwrap();
        }
        assert_eq!(rebuilt.heads(), doc.heads());
        assert_eq!(rebuilt.read().text("name"), "Bar Roma");
    }
}
