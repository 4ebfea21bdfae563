//! The wire protocol between a device and the relay.
//!
//! Every WebSocket message is one binary frame: a version byte ([`PROTOCOL_VERSION`])
//! followed by a postcard-encoded [`ClientMsg`] or [`ServerMsg`]. The version byte
//! comes first so a relay can refuse an old client with a clear reason before it
//! tries to parse anything else.
//!
//! The conversation:
//! 1. The device sends [`ClientMsg::Hello`] with its team, token and cursor (the
//!    highest [`Seq`] it has stored). The token travels inside the first frame, never
//!    in the URL.
//! 2. The relay answers [`ServerMsg::Welcome`], then sends every log entry after the
//!    cursor in [`ServerMsg::Changes`] chunks of at most [`CHUNK_TARGET_BYTES`]; the
//!    last catch-up chunk has `more: false` (it may be empty). Entries written by the
//!    same device are left out when the cursor is above zero (the device has them).
//! 3. Afterwards the relay forwards new entries as they are committed, each message
//!    with `more: false`. The device that pushed them gets the same message without
//!    its own entries (possibly empty): only `upto` moves, so its cursor stays
//!    exact and its next Hello does not ask for its own changes again.
//! 4. The device sends [`ClientMsg::Push`] batches of its own changes at any time
//!    after Welcome; the relay answers [`ServerMsg::Ack`] only once the whole batch
//!    is durable on disk. Pushing a change the relay already holds is acknowledged
//!    without storing it twice.
//! 5. On any error the relay sends [`ServerMsg::Error`] and closes the socket with
//!    [`ErrorCode::close_code`] and the same text as the reason.

use crate::ids::{DeviceId, DocId, Seq};
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u8 = 1;
// The size limits below are chosen, not inherited: each bounds what one
// message can cost its receiver, and each is well above what a rep's work
// produces (an edit is ~100-200 bytes, a new customer ~300 bytes to a few KiB).

/// Largest frame either side sends or accepts: three of the largest changes in
/// one push, four times a catch-up chunk. It bounds what the relay buffers and
/// checks per message; the WebSocket layer stops anything over twice this at its
/// header, before reading it. Big transfers are chunked, never allowed through
/// by a large limit.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;
/// Largest single Automerge change accepted in a push: room for a customer
/// created with pages of notes pasted in, while one change always fits a frame
/// with room to spare.
pub const MAX_CHANGE_BYTES: usize = 256 * 1024;
/// Most changes in one push. Each is parsed and hashed and all are stored in one
/// transaction, so this bounds one push's work and how many empty changes a
/// frame can carry; a device with a longer outbox sends several pushes
/// ([`batch_changes`]).
pub const MAX_CHANGES_PER_PUSH: usize = 2048;
/// Target size of one catch-up chunk; an entry larger than this travels alone.
pub const CHUNK_TARGET_BYTES: usize = 256 * 1024;
/// Longest team name accepted (names are short identifiers).
pub const MAX_TEAM_BYTES: usize = 64;
/// Longest token accepted: today's tokens are 49 characters; the rest leaves
/// room for a longer format while keeping a garbage Hello small.
pub const MAX_TOKEN_BYTES: usize = 128;
/// Bytes of framing an entry or change costs beyond its payload (ids, lengths).
pub const ENTRY_OVERHEAD_BYTES: usize = 32;

/// What a device sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello(Hello),
    Push {
        /// Chosen by the device; echoed in the [`ServerMsg::Ack`].
        batch: u64,
        changes: Vec<DocChange>,
    },
}

/// The first frame of every connection. Its `Debug` leaves the token out, so
/// logging a message can never leak a credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub team: String,
    pub token: String,
    pub device: DeviceId,
    /// The highest sequence number the device has stored.
    pub cursor: Seq,
}

/// What a redacted secret shows in `Debug` output.
pub const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for Hello {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hello")
            .field("team", &self.team)
            .field("token", &format_args!("{REDACTED}"))
            .field("device", &self.device)
            .field("cursor", &self.cursor)
            .finish()
    }
}

/// One Automerge change (its raw bytes) to one customer document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocChange {
    pub doc: DocId,
    #[serde(with = "raw_bytes")]
    pub bytes: Vec<u8>,
}

/// What the relay sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    Welcome {
        team: String,
        /// The rep the token belongs to.
        rep: String,
        /// The team log's newest sequence number at sign-in.
        head: Seq,
    },
    Changes {
        entries: Vec<Entry>,
        /// After storing these entries the device holds everything up to `upto`.
        upto: Seq,
        /// More catch-up chunks follow.
        more: bool,
    },
    /// Every change of the batch is durable on the relay.
    Ack {
        batch: u64,
    },
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// One entry of a team's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: Seq,
    pub doc: DocId,
    #[serde(with = "raw_bytes")]
    pub bytes: Vec<u8>,
}

impl Entry {
    /// Approximate bytes this entry takes in a frame, for chunking.
    pub fn wire_size(&self) -> usize {
        self.bytes.len() + ENTRY_OVERHEAD_BYTES
    }
}

/// Why the relay refused something. Each maps to a WebSocket close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The frame is not a valid message (truncated, garbage, trailing bytes).
    Malformed,
    /// The frame's protocol version is not the relay's.
    UnsupportedVersion,
    /// The token is unknown or revoked.
    Unauthorized,
    /// The token belongs to another team.
    WrongTeam,
    /// A frame, a change or a batch is over its limit.
    TooLarge,
    /// Bytes that should be an Automerge change are not one.
    InvalidChange,
    /// A message that is not allowed now (e.g. a push before Hello).
    OutOfOrder,
    /// The connection sent too much too fast, or the team has too many connections.
    RateLimited,
    /// The relay failed; the change was not stored. Retry later.
    Internal,
}

impl ErrorCode {
    /// The WebSocket close code (4000-4999 are application codes; the last three
    /// digits echo the HTTP status of the same meaning).
    pub fn close_code(self) -> u16 {
        match self {
            ErrorCode::Malformed => 4400,
            ErrorCode::Unauthorized => 4401,
            ErrorCode::WrongTeam => 4403,
            ErrorCode::OutOfOrder => 4409,
            ErrorCode::TooLarge => 4413,
            ErrorCode::InvalidChange => 4422,
            ErrorCode::UnsupportedVersion => 4426,
            ErrorCode::RateLimited => 4429,
            ErrorCode::Internal => 1011,
        }
    }

    pub fn from_close_code(code: u16) -> Option<ErrorCode> {
        use ErrorCode::*;
        [
            Malformed,
            Unauthorized,
            WrongTeam,
            OutOfOrder,
            TooLarge,
            InvalidChange,
            UnsupportedVersion,
            RateLimited,
            Internal,
        ]
        .into_iter()
        .find(|c| c.close_code() == code)
    }

    /// Errors after which reconnecting with the same credentials cannot help.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            ErrorCode::Unauthorized | ErrorCode::WrongTeam | ErrorCode::UnsupportedVersion
        )
    }
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty frame")]
    Empty,
    #[error("frame of {0} bytes is over the {MAX_FRAME_BYTES}-byte limit")]
    TooLarge(usize),
    #[error(
        "protocol version {0} is not supported; this relay speaks version {PROTOCOL_VERSION}: reload the app to update"
    )]
    Version(u8),
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("{what} is over its limit ({len} > {max})")]
    Limit {
        what: &'static str,
        len: usize,
        max: usize,
    },
}

impl DecodeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::Empty | DecodeError::Malformed(_) => ErrorCode::Malformed,
            DecodeError::TooLarge(_) | DecodeError::Limit { .. } => ErrorCode::TooLarge,
            DecodeError::Version(_) => ErrorCode::UnsupportedVersion,
        }
    }
}

/// Change bytes as one byte string rather than a sequence of numbers. In
/// postcard both are the length then the bytes, so frames are the same; but
/// a sequence is written and read one byte at a time, which was a fifth of the
/// relay's CPU when it forwards changes to many devices.
mod raw_bytes {
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        // Formats without a byte string type write a sequence of numbers.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    // Serializing these plain enums into a Vec cannot fail.
    postcard::to_io(msg, &mut out).expect("postcard encoding into a Vec");
    out
}

fn decode<'a, T: Deserialize<'a>>(frame: &'a [u8]) -> Result<T, DecodeError> {
    let (&version, body) = frame.split_first().ok_or(DecodeError::Empty)?;
    if frame.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge(frame.len()));
    }
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::Version(version));
    }
    let (msg, rest) =
        postcard::take_from_bytes(body).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(DecodeError::Malformed(format!(
            "{} unexpected bytes after the message",
            rest.len()
        )));
    }
    Ok(msg)
}

fn limit(what: &'static str, len: usize, max: usize) -> Result<(), DecodeError> {
    if len > max {
        Err(DecodeError::Limit { what, len, max })
    } else {
        Ok(())
    }
}

impl ClientMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes and checks every field's bounds.
    pub fn decode(frame: &[u8]) -> Result<ClientMsg, DecodeError> {
        let msg: ClientMsg = decode(frame)?;
        match &msg {
            ClientMsg::Hello(h) => {
                limit("team name", h.team.len(), MAX_TEAM_BYTES)?;
                limit("token", h.token.len(), MAX_TOKEN_BYTES)?;
            }
            ClientMsg::Push { changes, .. } => {
                limit("changes in one push", changes.len(), MAX_CHANGES_PER_PUSH)?;
                for c in changes {
                    limit("change", c.bytes.len(), MAX_CHANGE_BYTES)?;
                }
            }
        }
        Ok(msg)
    }
}

impl ServerMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(frame: &[u8]) -> Result<ServerMsg, DecodeError> {
        decode(frame)
    }

    pub fn error(code: ErrorCode, message: impl Into<String>) -> ServerMsg {
        ServerMsg::Error {
            code,
            message: message.into(),
        }
    }
}

/// Appends one log entry to `out`, encoded as it sits inside a
/// [`ServerMsg::Changes`]. A relay that forwards an entry to many devices
/// encodes it once and builds each device's message from these parts with
/// [`changes_frame`].
pub fn encode_entry_into(out: &mut Vec<u8>, seq: Seq, doc: &DocId, bytes: &[u8]) {
    /// The change bytes as one byte string, as [`raw_bytes`] writes them.
    struct Raw<'a>(&'a [u8]);
    impl Serialize for Raw<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    /// [`Entry`]'s fields, in order, borrowed.
    #[derive(Serialize)]
    struct EntryRef<'a> {
        seq: Seq,
        doc: &'a DocId,
        bytes: Raw<'a>,
    }
    let entry = EntryRef {
        seq,
        doc,
        bytes: Raw(bytes),
    };
    // Serializing into a Vec cannot fail.
    postcard::to_io(&entry, out).expect("postcard encoding into a Vec");
}

/// The frame of `ServerMsg::Changes { entries, upto, more }` from its entries
/// encoded by [`encode_entry_into`]: byte for byte what [`ServerMsg::encode`]
/// makes.
pub fn changes_frame(entries: &[&[u8]], upto: Seq, more: bool) -> Vec<u8> {
    let body: usize = entries.iter().map(|e| e.len()).sum();
    let mut out = changes_header(entries.len(), body);
    for e in entries {
        out.extend_from_slice(e);
    }
    changes_trailer(&mut out, upto, more);
    out
}

/// The frame of `ServerMsg::Changes { entries, upto, more }` for entries given
/// as `(seq, doc, bytes)`, and where each entry's encoding sits in it (for
/// [`changes_frame`] to build other messages from).
pub fn changes_frame_of<'a>(
    entries: &[(Seq, &'a DocId, &'a [u8])],
    upto: Seq,
    more: bool,
) -> (Vec<u8>, Vec<std::ops::Range<usize>>) {
    let body: usize = entries
        .iter()
        .map(|(_, _, b)| b.len() + ENTRY_OVERHEAD_BYTES)
        .sum();
    let mut out = changes_header(entries.len(), body);
    let mut ranges = Vec::with_capacity(entries.len());
    for (seq, doc, bytes) in entries {
        let start = out.len();
        encode_entry_into(&mut out, *seq, doc, bytes);
        ranges.push(start..out.len());
    }
    changes_trailer(&mut out, upto, more);
    (out, ranges)
}

// Postcard writes the variant's index, the number of entries and `upto` as
// unsigned LEB128 varints, and a bool as one byte.
fn changes_header(count: usize, body: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body + 24);
    out.push(PROTOCOL_VERSION);
    push_varint(&mut out, CHANGES_VARIANT);
    push_varint(&mut out, count as u64);
    out
}

fn changes_trailer(out: &mut Vec<u8>, upto: Seq, more: bool) {
    push_varint(out, upto.0);
    out.push(u8::from(more));
}

/// [`ServerMsg::Changes`]'s index among the enum's variants.
const CHANGES_VARIANT: u64 = 1;

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Splits `entries` (in sequence order) into catch-up chunks of about
/// [`CHUNK_TARGET_BYTES`] each; a chunk never splits an entry.
pub fn chunk_entries(entries: Vec<Entry>) -> Vec<Vec<Entry>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for e in entries {
        if !current.is_empty() && size + e.wire_size() > CHUNK_TARGET_BYTES {
            chunks.push(std::mem::take(&mut current));
            size = 0;
        }
        size += e.wire_size();
        current.push(e);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Splits changes into push batches that fit [`MAX_FRAME_BYTES`] and
/// [`MAX_CHANGES_PER_PUSH`].
pub fn batch_changes<T>(items: Vec<(T, DocChange)>) -> Vec<Vec<(T, DocChange)>> {
    let budget = MAX_FRAME_BYTES - 1024;
    let mut batches = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for item in items {
        let s = item.1.bytes.len() + ENTRY_OVERHEAD_BYTES;
        if !current.is_empty() && (size + s > budget || current.len() == MAX_CHANGES_PER_PUSH) {
            batches.push(std::mem::take(&mut current));
            size = 0;
        }
        size += s;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A message built from entries encoded once is the message
        /// `ServerMsg::encode` makes, whatever the sizes and numbers.
        #[test]
        fn changes_built_from_encoded_entries_are_the_encoded_message(
            entries in prop::collection::vec(
                (any::<u64>(), any::<[u8; 16]>(), prop::collection::vec(any::<u8>(), 0..300)),
                0..200,
            ),
            upto in any::<u64>(),
            more in any::<bool>(),
        ) {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|(seq, doc, bytes)| Entry { seq: Seq(seq), doc: DocId(doc), bytes })
                .collect();
            let parts: Vec<Vec<u8>> = entries
                .iter()
                .map(|e| {
                    let mut part = Vec::new();
                    encode_entry_into(&mut part, e.seq, &e.doc, &e.bytes);
                    part
                })
                .collect();
            let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            let refs: Vec<(Seq, &DocId, &[u8])> =
                entries.iter().map(|e| (e.seq, &e.doc, &e.bytes[..])).collect();
            let (whole, ranges) = changes_frame_of(&refs, Seq(upto), more);
            let msg = ServerMsg::Changes { entries: entries.clone(), upto: Seq(upto), more };
            prop_assert_eq!(changes_frame(&parts, Seq(upto), more), msg.encode());
            prop_assert_eq!(&whole, &msg.encode());
            // The parts found in the whole frame make the same message again.
            let found: Vec<&[u8]> = ranges.iter().map(|r| &whole[r.clone()]).collect();
            prop_assert_eq!(changes_frame(&found, Seq(upto), more), msg.encode());
        }
    }

    fn doc_change() -> impl Strategy<Value = DocChange> {
        (
            any::<[u8; 16]>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(d, bytes)| DocChange {
                doc: DocId(d),
                bytes,
            })
    }

    fn client_msg() -> impl Strategy<Value = ClientMsg> {
        prop_oneof![
            (
                "[a-z]{0,64}",
                "[ -~]{0,128}",
                any::<[u8; 16]>(),
                any::<u64>()
            )
                .prop_map(|(team, token, d, c)| ClientMsg::Hello(Hello {
                    team,
                    token,
                    device: DeviceId(d),
                    cursor: Seq(c)
                })),
            (any::<u64>(), proptest::collection::vec(doc_change(), 0..8))
                .prop_map(|(batch, changes)| ClientMsg::Push { batch, changes }),
        ]
    }

    fn server_msg() -> impl Strategy<Value = ServerMsg> {
        let entry = (any::<u64>(), doc_change()).prop_map(|(s, c)| Entry {
            seq: Seq(s),
            doc: c.doc,
            bytes: c.bytes,
        });
        prop_oneof![
            (".{0,20}", ".{0,20}", any::<u64>()).prop_map(|(team, rep, h)| ServerMsg::Welcome {
                team,
                rep,
                head: Seq(h)
            }),
            (
                proptest::collection::vec(entry, 0..8),
                any::<u64>(),
                any::<bool>()
            )
                .prop_map(|(entries, upto, more)| ServerMsg::Changes {
                    entries,
                    upto: Seq(upto),
                    more
                }),
            any::<u64>().prop_map(|batch| ServerMsg::Ack { batch }),
            (0usize..9, ".{0,40}").prop_map(|(i, m)| ServerMsg::error(
                [
                    ErrorCode::Malformed,
                    ErrorCode::UnsupportedVersion,
                    ErrorCode::Unauthorized,
                    ErrorCode::WrongTeam,
                    ErrorCode::TooLarge,
                    ErrorCode::InvalidChange,
                    ErrorCode::OutOfOrder,
                    ErrorCode::RateLimited,
                    ErrorCode::Internal
                ][i],
                m
            )),
        ]
    }

    proptest! {
        #[test]
        fn client_messages_round_trip(msg in client_msg()) {
            prop_assert_eq!(ClientMsg::decode(&msg.encode()), Ok(msg));
        }

        #[test]
        fn server_messages_round_trip(msg in server_msg()) {
            prop_assert_eq!(ServerMsg::decode(&msg.encode()), Ok(msg));
        }

        #[test]
        fn every_truncation_is_an_error(msg in client_msg()) {
            let frame = msg.encode();
            for cut in 0..frame.len() {
                prop_assert!(ClientMsg::decode(&frame[..cut]).is_err(), "cut at {}", cut);
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = ClientMsg::decode(&bytes);
            let _ = ServerMsg::decode(&bytes);
        }

        #[test]
        fn chunks_keep_order_and_size(sizes in proptest::collection::vec(0usize..100_000, 0..40)) {
            let entries: Vec<Entry> = sizes.iter().enumerate().map(|(i, s)| Entry {
                seq: Seq(i as u64 + 1), doc: DocId([0; 16]), bytes: vec![0; *s],
            }).collect();
            let chunks = chunk_entries(entries.clone());
            for c in &chunks {
                let size: usize = c.iter().map(Entry::wire_size).sum();
                prop_assert!(c.len() == 1 || size <= CHUNK_TARGET_BYTES);
            }
            prop_assert_eq!(chunks.concat(), entries);
        }
    }

    #[test]
    fn debug_output_of_a_hello_never_shows_the_token() {
        let secret = "campo_s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3Ts3c";
        let hello = Hello {
            team: "acme".into(),
            token: secret.into(),
            device: DeviceId([7; 16]),
            cursor: Seq(3),
        };
        for shown in [
            format!("{hello:?}"),
            format!("{hello:#?}"),
            format!("{:?}", ClientMsg::Hello(hello.clone())),
        ] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(
                shown.contains(REDACTED) && shown.contains("acme"),
                "{shown}"
            );
        }
    }

    #[test]
    fn change_bytes_are_framed_as_a_length_then_the_bytes() {
        // The frame as a sequence of u8 was written before change bytes were
        // written as one string: the same bytes, so old and new builds agree.
        let frame = ServerMsg::Changes {
            entries: vec![Entry {
                seq: Seq(5),
                doc: DocId([9; 16]),
                bytes: vec![1, 2, 200],
            }],
            upto: Seq(6),
            more: false,
        }
        .encode();
        let mut expected = vec![PROTOCOL_VERSION, 1, 1, 5];
        expected.extend([9; 16]);
        expected.extend([3, 1, 2, 200, 6, 0]);
        assert_eq!(frame, expected);
        let push = ClientMsg::Push {
            batch: 2,
            changes: vec![DocChange {
                doc: DocId([4; 16]),
                bytes: vec![0xff; 130],
            }],
        }
        .encode();
        assert_eq!(&push[..4], &[PROTOCOL_VERSION, 1, 2, 1]);
        // 130 bytes: a two-byte varint length.
        assert_eq!(&push[20..23], &[130, 1, 0xff]);
        assert_eq!(push.len(), 4 + 16 + 2 + 130);
    }

    #[test]
    fn wrong_version_is_reported_before_parsing() {
        let mut frame = ClientMsg::Push {
            batch: 1,
            changes: vec![],
        }
        .encode();
        frame[0] = 0;
        let err = ClientMsg::decode(&frame).unwrap_err();
        assert_eq!(err, DecodeError::Version(0));
        assert_eq!(err.code().close_code(), 4426);
        assert!(err.to_string().contains("reload the app"));
    }

    #[test]
    fn trailing_bytes_are_malformed() {
        let mut frame = ClientMsg::Push {
            batch: 1,
            changes: vec![],
        }
        .encode();
        frame.push(0);
        assert!(matches!(
            ClientMsg::decode(&frame),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn oversized_change_is_refused() {
        let frame = ClientMsg::Push {
            batch: 1,
            changes: vec![DocChange {
                doc: DocId([1; 16]),
                bytes: vec![0; MAX_CHANGE_BYTES + 1],
            }],
        }
        .encode();
        assert_eq!(
            ClientMsg::decode(&frame).unwrap_err().code(),
            ErrorCode::TooLarge
        );
        let huge = vec![PROTOCOL_VERSION; MAX_FRAME_BYTES + 1];
        assert_eq!(
            ClientMsg::decode(&huge),
            Err(DecodeError::TooLarge(MAX_FRAME_BYTES + 1))
        );
    }

    #[test]
    fn close_codes_are_distinct_and_invertible() {
        for code in [
            ErrorCode::Malformed,
            ErrorCode::UnsupportedVersion,
            ErrorCode::Unauthorized,
            ErrorCode::WrongTeam,
            ErrorCode::TooLarge,
            ErrorCode::InvalidChange,
            ErrorCode::OutOfOrder,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
        ] {
            assert_eq!(ErrorCode::from_close_code(code.close_code()), Some(code));
        }
    }

    #[test]
    fn push_batches_respect_the_frame_limit() {
        let items: Vec<(u32, DocChange)> = (0..10)
            .map(|i| {
                (
                    i,
                    DocChange {
                        doc: DocId([0; 16]),
                        bytes: vec![7; 200_000],
                    },
                )
            })
            .collect();
        let batches = batch_changes(items);
        assert!(batches.len() >= 2);
        for b in &batches {
            let frame = ClientMsg::Push {
                batch: 0,
                changes: b.iter().map(|x| x.1.clone()).collect(),
            }
            .encode();
            assert!(frame.len() <= MAX_FRAME_BYTES);
        }
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 10);
    }
}
