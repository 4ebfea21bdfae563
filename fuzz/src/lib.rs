//! The properties the fuzz targets assert, so each target in `fuzz_targets/` is
//! one line and the seed inputs can be checked by an ordinary test.
//!
//! - [`client_msg`], [`server_msg`]: the protocol decoder never panics; it
//!   reports an empty frame, an oversized frame and a foreign version as such,
//!   before parsing; an accepted frame re-encodes to a frame that decodes to the
//!   same message (`decode(encode(msg)) == msg`), which is the frame itself or a
//!   shorter one (postcard accepts over-long varints, so the canonical form can
//!   only be shorter); no strict prefix of an accepted frame is accepted; a
//!   client message respects every field limit; and decoding allocates at most
//!   [`alloc_bound`] bytes, so a small frame claiming a huge length cannot make
//!   the relay reserve memory for it.
//! - [`change_check`]: `change::check` never panics and is deterministic; an
//!   accepted change stops being one when cut short or lengthened; it is raw
//!   (not compressed), its checksum matches its contents and its hash is
//!   Automerge's; and its operations expand (authors resolve) without
//!   panicking. Inputs that do not start with Automerge's magic bytes are given
//!   a valid chunk header and checksum first, so the fuzzer explores the change
//!   parser instead of stopping at the checksum.

use campo_core::change::{self, ChangeHash};
use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{
    ClientMsg, DecodeError, DocChange, Entry, ErrorCode, Hello, MAX_CHANGE_BYTES,
    MAX_CHANGES_PER_PUSH, MAX_FRAME_BYTES, MAX_TEAM_BYTES, MAX_TOKEN_BYTES, PROTOCOL_VERSION,
    ServerMsg,
};
use campo_core::record::{Edit, Kind, RecordDoc, Stamp};
use sha2::{Digest, Sha256};
use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Automerge's chunk magic bytes; a change chunk starts with them.
pub const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Automerge's chunk type of an uncompressed change.
const CHUNK_TYPE_CHANGE: u8 = 1;
/// serde preallocates at most this much for a sequence whatever length the
/// input claims (`serde::de::size_hint::cautious`).
pub const SERDE_PREALLOC_CAP: usize = 1024 * 1024;
/// Nesting of sequences in one message (entries or changes, then bytes): each
/// level may preallocate [`SERDE_PREALLOC_CAP`] for a length it never gets.
pub const SEQUENCE_NESTING: usize = 2;

/// Most bytes decoding a frame of `len` bytes may have allocated at once: the
/// preallocation a lying length can cause at each nesting level, plus a small
/// multiple of the input (a decoded element is at most a few times the bytes it
/// was read from, and a growing vector at most doubles that).
pub fn alloc_bound(len: usize) -> usize {
    SEQUENCE_NESTING * SERDE_PREALLOC_CAP + 64 * 1024 + 8 * len
}

/// Counts live heap bytes and their peak, so a target can measure what one
/// decode allocates. libFuzzer runs one input at a time (`-jobs` starts
/// separate processes), so one global counter is exact.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // A moving realloc holds both blocks for a moment: count that peak.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most bytes it had allocated at once
/// beyond what was live before.
pub fn peak_alloc<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(before))
}

/// What every decoder must say about a frame before parsing its body.
fn check_framing(frame: &[u8], result: Result<(), &DecodeError>) {
    match frame.first() {
        None => assert_eq!(result, Err(&DecodeError::Empty)),
        Some(_) if frame.len() > MAX_FRAME_BYTES => {
            assert_eq!(result, Err(&DecodeError::TooLarge(frame.len())))
        }
        Some(&v) if v != PROTOCOL_VERSION => assert_eq!(result, Err(&DecodeError::Version(v))),
        Some(_) => {}
    }
    if let Err(e) = result {
        // Every refusal maps to an application close code and says something.
        let close = e.code().close_code();
        assert!((4000..5000).contains(&close), "{e:?} closes with {close}");
        assert!(!e.to_string().is_empty());
    }
}

/// The round-trip properties shared by both directions.
fn check_round_trip<M: PartialEq + std::fmt::Debug>(
    frame: &[u8],
    msg: &M,
    encode: impl Fn(&M) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<M, DecodeError>,
) {
    let canonical = encode(msg);
    assert_eq!(
        decode(&canonical).as_ref(),
        Ok(msg),
        "decode(encode(msg)) != msg"
    );
    assert!(
        canonical == frame || canonical.len() < frame.len(),
        "an accepted frame re-encodes to different bytes that are not shorter:\n{frame:?}\n{canonical:?}"
    );
    // Frames are self-delimiting: no strict prefix of a message is one.
    for cut in [frame.len() - 1, frame.len() / 2] {
        assert!(
            decode(&frame[..cut]).is_err(),
            "a prefix of {cut} bytes is accepted too"
        );
    }
}

fn check_alloc(frame: &[u8], peak: usize) {
    assert!(
        peak <= alloc_bound(frame.len()),
        "decoding {} bytes allocated {peak} bytes at once (bound {})",
        frame.len(),
        alloc_bound(frame.len())
    );
}

/// The `client_msg` target: what the relay decodes from every device.
pub fn client_msg(frame: &[u8]) {
    let (result, peak) = peak_alloc(|| ClientMsg::decode(frame));
    check_alloc(frame, peak);
    check_framing(frame, result.as_ref().map(|_| ()));
    let Ok(msg) = result else { return };
    match &msg {
        ClientMsg::Hello(h) => {
            assert!(h.team.len() <= MAX_TEAM_BYTES);
            assert!(h.token.len() <= MAX_TOKEN_BYTES);
        }
        ClientMsg::Push { changes, .. } => {
            assert!(changes.len() <= MAX_CHANGES_PER_PUSH);
            assert!(changes.iter().all(|c| c.bytes.len() <= MAX_CHANGE_BYTES));
        }
    }
    check_round_trip(frame, &msg, ClientMsg::encode, ClientMsg::decode);
}

/// The `server_msg` target: what every device decodes from the relay.
pub fn server_msg(frame: &[u8]) {
    let (result, peak) = peak_alloc(|| ServerMsg::decode(frame));
    check_alloc(frame, peak);
    check_framing(frame, result.as_ref().map(|_| ()));
    let Ok(msg) = result else { return };
    check_round_trip(frame, &msg, ServerMsg::encode, ServerMsg::decode);
}

/// The bytes the `change_check` target checks: the input itself when it starts
/// with Automerge's magic bytes, otherwise the input as the body of a change
/// chunk with a correct header and checksum.
pub fn change_bytes(input: &[u8]) -> Cow<'_, [u8]> {
    if input.starts_with(&AUTOMERGE_MAGIC) {
        return Cow::Borrowed(input);
    }
    // The header Automerge writes: magic, the first 4 bytes of SHA-256 over
    // (type, LEB128 length, body), type, length, then the body.
    let mut typed = vec![CHUNK_TYPE_CHANGE];
    let mut len = input.len() as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            typed.push(byte);
            break;
        }
        typed.push(byte | 0x80);
    }
    let hash = Sha256::new()
        .chain_update(&typed)
        .chain_update(input)
        .finalize();
    let mut out = AUTOMERGE_MAGIC.to_vec();
    out.extend_from_slice(&hash[..4]);
    out.extend_from_slice(&typed);
    out.extend_from_slice(input);
    Cow::Owned(out)
}

/// The body of a change chunk (what follows its header), if `bytes` is one.
pub fn change_body(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(&AUTOMERGE_MAGIC)?.get(4..)?;
    let (&kind, rest) = rest.split_first()?;
    if kind != CHUNK_TYPE_CHANGE {
        return None;
    }
    let length_bytes = rest.iter().position(|b| b & 0x80 == 0)? + 1;
    rest.get(length_bytes..)
}

/// The `change_check` target: the relay's gate on pushed change bytes.
pub fn change_check(input: &[u8]) {
    let bytes = change_bytes(input);
    let result = change::check(&bytes);
    assert_eq!(result, change::check(&bytes), "check is deterministic");
    let Ok(ChangeHash(hash)) = result else { return };
    assert!(
        change::check(&bytes[..bytes.len() - 1]).is_err(),
        "a change cut short is still accepted"
    );
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(
        change::check(&longer).is_err(),
        "a change with a byte after it is still accepted"
    );
    let parsed = automerge::Change::try_from(&bytes[..]).expect("check accepted it");
    assert_eq!(parsed.hash().0, hash, "the hash is Automerge's");
    assert_eq!(
        parsed.raw_bytes(),
        &bytes[..],
        "one raw change, not compressed"
    );
    assert_eq!(bytes[4..8], hash[..4], "the checksum matches the contents");
    // What a device's apply does first: expand every operation, naming its
    // authors by index.
    let _ = parsed.decode();
    // Whether each operation's object exists depends on the document's history,
    // which the relay does not see: a device checks that before Automerge applies
    // it, so applying or refusing it must never panic, to a new record or to one
    // the device holds (`device_apply-op-on-missing-object`).
    let id = DocId([7; 16]);
    let _ = RecordDoc::empty(id).apply(&bytes);
    let (mut held, _) = RecordDoc::create(
        Kind::Account,
        id,
        &Stamp {
            rep: "Anna",
            now_ms: 1,
        },
        &[Edit::Set("name".into(), "Bar Roma".into())],
    )
    .expect("a valid account");
    let _ = held.apply(&bytes);
    let _ = held.read();
}

/// Seed inputs made from real messages: real Automerge changes of real
/// customers inside real frames. Returns (target, file name, bytes).
pub fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let doc = DocId([7; 16]);
    let stamp = Stamp {
        rep: "Anna",
        now_ms: 1_700_000_000_000,
    };
    let (mut customer, created) = RecordDoc::create(
        Kind::Account,
        doc,
        &stamp,
        &[Edit::Set("name".into(), "Bar Roma".into())],
    )
    .expect("a valid customer");
    let edited = customer
        .edit(&stamp, &[Edit::Set("city".into(), "Bologna".into())])
        .expect("a valid edit")
        .pop()
        .expect("a change");
    let changes = vec![
        DocChange {
            doc,
            bytes: created.clone(),
        },
        DocChange {
            doc,
            bytes: edited.clone(),
        },
    ];
    let entries: Vec<Entry> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| Entry {
            seq: Seq(i as u64 + 1),
            doc: c.doc,
            bytes: c.bytes.clone(),
        })
        .collect();
    let hello = ClientMsg::Hello(Hello {
        team: "acme".into(),
        token: format!("campo_{}", "x".repeat(43)),
        device: DeviceId([3; 16]),
        cursor: Seq(41),
    });
    let body = |bytes: &[u8]| change_body(bytes).expect("a change chunk").to_vec();
    // The same creation, compressed (what `Change::bytes` gives for a large
    // change): refused by the check, but it leads the fuzzer into the inflater.
    let (_, long) = RecordDoc::create(
        Kind::Account,
        DocId([8; 16]),
        &stamp,
        &[
            Edit::Set("name".into(), "Bar Roma".into()),
            Edit::Notes("caffè e cornetto ".repeat(40)),
        ],
    )
    .expect("a valid customer");
    let compressed = automerge::Change::try_from(&long[..])
        .expect("a change")
        .bytes()
        .into_owned();
    vec![
        ("client_msg", "hello", hello.encode()),
        (
            "client_msg",
            "push-empty",
            ClientMsg::Push {
                batch: 1,
                changes: vec![],
            }
            .encode(),
        ),
        (
            "client_msg",
            "push-two-changes",
            ClientMsg::Push {
                batch: 2,
                changes: changes.clone(),
            }
            .encode(),
        ),
        (
            "server_msg",
            "welcome",
            ServerMsg::Welcome {
                team: "acme".into(),
                rep: "Anna".into(),
                head: Seq(2),
            }
            .encode(),
        ),
        (
            "server_msg",
            "changes-catch-up",
            ServerMsg::Changes {
                entries,
                upto: Seq(2),
                more: true,
            }
            .encode(),
        ),
        (
            "server_msg",
            "changes-empty-live",
            ServerMsg::Changes {
                entries: vec![],
                upto: Seq(3),
                more: false,
            }
            .encode(),
        ),
        ("server_msg", "ack", ServerMsg::Ack { batch: 2 }.encode()),
        (
            "server_msg",
            "error",
            ServerMsg::error(
                ErrorCode::WrongTeam,
                "this token is not valid for team acme",
            )
            .encode(),
        ),
        ("change_check", "created", created.clone()),
        ("change_check", "edited", edited.clone()),
        ("change_check", "created-body", body(&created)),
        ("change_check", "edited-body", body(&edited)),
        ("change_check", "compressed", compressed),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// `CAMPO_WRITE_SEEDS=1 cargo test` (in `fuzz/`) rewrites `seeds/` from
    /// [`seeds`]; without it the committed seeds are checked to be what each
    /// target accepts (all but the compressed change, which the check refuses),
    /// so they keep reaching deep after a protocol change.
    #[test]
    fn committed_seeds_are_accepted_by_their_targets() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        if std::env::var_os("CAMPO_WRITE_SEEDS").is_some() {
            for target in ["client_msg", "server_msg", "change_check"] {
                let _ = std::fs::remove_dir_all(root.join(target));
                std::fs::create_dir_all(root.join(target)).unwrap();
            }
            for (target, name, bytes) in seeds() {
                std::fs::write(root.join(target).join(name), bytes).unwrap();
            }
        }
        let mut seen = 0;
        for target in ["client_msg", "server_msg", "change_check"] {
            for file in std::fs::read_dir(root.join(target)).unwrap() {
                let path = file.unwrap().path();
                let bytes = std::fs::read(&path).unwrap();
                let accepted = match target {
                    "client_msg" => ClientMsg::decode(&bytes).is_ok(),
                    "server_msg" => ServerMsg::decode(&bytes).is_ok(),
                    _ => change::check(&change_bytes(&bytes)).is_ok(),
                };
                let compressed = path.ends_with("change_check/compressed");
                assert_eq!(accepted, !compressed, "{}", path.display());
                // And the target's own properties hold on it.
                match target {
                    "client_msg" => client_msg(&bytes),
                    "server_msg" => server_msg(&bytes),
                    _ => change_check(&bytes),
                }
                seen += 1;
            }
        }
        assert_eq!(seen, seeds().len());
    }

    #[test]
    fn a_body_gets_the_header_automerge_would_write() {
        for (target, _, bytes) in seeds() {
            // Compressed chunks have another type: no change body to rewrap.
            if let Some(body) = change_body(&bytes).filter(|_| target == "change_check") {
                assert_eq!(change_bytes(body), bytes);
            }
        }
    }

    #[test]
    fn a_lying_length_is_refused_within_the_allocation_bound() {
        // A Push claiming 2^63 changes, then a change claiming 2^62 bytes.
        let mut frame = vec![PROTOCOL_VERSION, 1, 0];
        frame.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        frame.extend([9; 16]);
        frame.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
        frame.extend([1, 2, 3]);
        let (result, peak) = peak_alloc(|| ClientMsg::decode(&frame));
        assert!(result.is_err());
        assert!(peak <= alloc_bound(frame.len()), "{peak}");
        client_msg(&frame);
    }
}
