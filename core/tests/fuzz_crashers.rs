//! Scenario: every input a fuzz target once failed on (`tests/fuzz-crashers/`,
//! see its README) is replayed through the protocol decoders, the relay's
//! change check and a device's apply, asserting what the fuzz targets assert. The replay also runs on
//! hostile shapes written here, so it is exercised even in a folder with no
//! crasher.

use campo_core::change;
use campo_core::ids::DocId;
use campo_core::protocol::{ClientMsg, DecodeError, ServerMsg};
use campo_core::record::{Edit, Kind, RecordDoc, Stamp};
use std::path::Path;

/// The properties of one input, for every decoder it could have crashed.
fn replay(name: &str, bytes: &[u8]) {
    if let Ok(msg) = ClientMsg::decode(bytes) {
        assert_eq!(
            ClientMsg::decode(&msg.encode()).as_ref(),
            Ok(&msg),
            "{name}: client message round trip"
        );
        assert!(
            ClientMsg::decode(&bytes[..bytes.len() - 1]).is_err(),
            "{name}"
        );
    }
    if let Ok(msg) = ServerMsg::decode(bytes) {
        assert_eq!(
            ServerMsg::decode(&msg.encode()).as_ref(),
            Ok(&msg),
            "{name}: server message round trip"
        );
        assert!(
            ServerMsg::decode(&bytes[..bytes.len() - 1]).is_err(),
            "{name}"
        );
    }
    let checked = change::check(bytes);
    assert_eq!(
        checked,
        change::check(bytes),
        "{name}: check is deterministic"
    );
    if let Ok(hash) = checked {
        assert!(
            change::check(&bytes[..bytes.len() - 1]).is_err(),
            "{name}: a change cut short is refused"
        );
        // Exactly one raw change, whose checksum (after the 4 magic bytes) is
        // the start of its hash.
        let parsed = automerge::Change::try_from(bytes).expect("accepted bytes parse");
        assert_eq!(parsed.raw_bytes(), bytes, "{name}: raw, not compressed");
        assert_eq!(bytes[4..8], hash.0[..4], "{name}: checksum");
        // Its operations expand (every author index resolves) without panicking.
        let _ = parsed.decode();
        // A device applies it or refuses it, to a new record and to one it holds,
        // without panicking (the app aborts on a panic).
        let id = DocId([3; 16]);
        let _ = RecordDoc::empty(id).apply(bytes);
        let _ = RecordDoc::load(id, bytes);
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
        let _ = held.apply_many(&[bytes]);
        let _ = held.read();
    }
}

#[test]
fn every_committed_crasher_replays_without_failure() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers");
    let mut replayed = 0;
    let mut readme = false;
    for file in std::fs::read_dir(&dir).expect("tests/fuzz-crashers exists") {
        let path = file.expect("a readable entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" {
            readme = true;
            continue;
        }
        let bytes = std::fs::read(&path).expect("a readable crasher");
        replay(&name, &bytes);
        replayed += 1;
    }
    assert!(readme, "the folder explains itself");
    eprintln!("replayed {replayed} fuzz crasher(s)");
    // Each crasher committed so far is a change the check must now refuse.
    for name in [
        "change_check-root-change-with-seq-101",
        "change_check-op-names-unknown-author",
        "change_check-author-index-beyond-32-bits",
        "change_check-flipped-bit",
        "change_check-compressed-change",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("a committed crasher");
        assert!(change::check(&bytes).is_err(), "{name} is refused");
    }
    // One the relay must accept (whether it fits depends on the document's
    // history) and a device must refuse.
    let name = "device_apply-op-on-missing-object";
    let bytes = std::fs::read(dir.join(name)).expect("a committed crasher");
    assert!(change::check(&bytes).is_ok(), "{name} passes the relay");
    assert!(
        RecordDoc::empty(DocId([3; 16])).apply(&bytes).is_err(),
        "{name} is refused by a device"
    );
}

/// The replay itself works on the shapes crashers take: empty, foreign version,
/// a lying length, garbage that looks like an Automerge chunk.
#[test]
fn the_replay_handles_hostile_shapes() {
    let lying_length = [
        1, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
    ];
    assert!(matches!(
        ClientMsg::decode(&lying_length),
        Err(DecodeError::Malformed(_))
    ));
    for (name, bytes) in [
        ("empty", &[][..]),
        ("version 0", &[0, 0][..]),
        ("lying length", &lying_length[..]),
        (
            "magic only",
            &[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0][..],
        ),
    ] {
        replay(name, bytes);
    }
}
