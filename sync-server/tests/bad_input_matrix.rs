//! Scenario: bad input, message type by message type, beyond `bad_input.rs`.
//! Every client message (Hello, Push, and server messages a confused client
//! sends back) truncated at every byte, oversized, of another protocol version,
//! for the wrong team, and replayed; garbage Automerge in a push; a push before
//! Hello; a silent connection; a frame over the WebSocket layer's own limit.
//! Each is refused with its code and a reason that says what went wrong, and
//! nothing is stored: the head does not move and a second device's catch-up
//! receives nothing it should not.
//!
//! (A Push names no team: it writes to the team its session signed in to, so
//! "wrong team" for a Push is a Hello for the wrong team followed by a Push,
//! covered in `team_isolation.rs`.)

mod common;

use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{
    ClientMsg, DocChange, ErrorCode, Hello, MAX_FRAME_BYTES, MAX_TEAM_BYTES, MAX_TOKEN_BYTES,
    PROTOCOL_VERSION, ServerMsg,
};
use campo_relay::connection::{HELLO_TIMEOUT, WS_MAX_MESSAGE_BYTES};
use campo_relay::error::close_reason;
use common::{Device, Ending, Relay, customer_changes};
use futures_util::StreamExt;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Bad clients connected at once in the big matrix.
const CONCURRENT_CASES: usize = 16;

/// When the bad frame is sent.
#[derive(Debug, Clone, Copy)]
enum When {
    /// As the first frame, instead of Hello.
    First,
    /// After signing in and catching up.
    AfterSignIn,
}

struct Case {
    what: String,
    when: When,
    frame: Vec<u8>,
    code: ErrorCode,
    /// Words the reason must contain.
    says: &'static str,
}

fn hello(team: &str, token: &str) -> Vec<u8> {
    ClientMsg::Hello(Hello {
        team: team.into(),
        token: token.into(),
        device: DeviceId([66; 16]),
        cursor: Seq(0),
    })
    .encode()
}

fn push(batch: u64, changes: Vec<DocChange>) -> Vec<u8> {
    ClientMsg::Push { batch, changes }.encode()
}

/// `frame` with another version byte.
fn versioned(mut frame: Vec<u8>, version: u8) -> Vec<u8> {
    frame[0] = version;
    frame
}

/// `frame` padded with trailing bytes to `len`: the size is refused before the
/// trailing bytes are ever looked at.
fn padded(mut frame: Vec<u8>, len: usize) -> Vec<u8> {
    frame.resize(len, 0);
    frame
}

/// Sends one bad frame on a new connection and asserts it is refused with its
/// code and reason.
async fn refuse(relay: &Relay, token: &str, case: &Case) {
    let mut d = Device::open(&relay.ws_url(), 66).await;
    if let When::AfterSignIn = case.when {
        d.hello("acme", token, Seq(0)).await;
        assert!(matches!(d.recv().await, ServerMsg::Welcome { .. }));
        d.catch_up().await;
    }
    d.send_raw(case.frame.clone()).await;
    let what = &case.what;
    match d.ending_within(Duration::from_secs(10)).await {
        Ending::Refused {
            code,
            message,
            close_code,
            reason,
        } => {
            assert_eq!(code, case.code, "{what}: {message}");
            assert_eq!(close_code, case.code.close_code(), "{what}");
            assert!(
                message.contains(case.says),
                "{what}: {message:?} lacks {:?}",
                case.says
            );
            assert_eq!(reason, close_reason(&message), "{what}");
        }
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

/// What a second device of the team receives from the start of the log.
async fn fresh_catch_up(relay: &Relay, token: &str) -> Vec<campo_core::protocol::Entry> {
    let (mut d, _) = Device::sign_in(&relay.ws_url(), 77, "acme", token, Seq(0)).await;
    let (entries, _, _) = d.catch_up().await;
    d.close().await;
    entries
}

#[tokio::test]
async fn every_message_type_truncated_oversized_or_of_another_version_is_refused() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let good_hello = hello("acme", &anna);
    let real_push = push(1, customer_changes(1, "Anna", 2));

    let mut cases = Vec::new();
    for (name, frame, when) in [
        ("Hello", &good_hello, When::First),
        ("Push", &real_push, When::AfterSignIn),
    ] {
        // Every truncation, down to the empty frame.
        for cut in 0..frame.len() {
            cases.push(Case {
                what: format!("{name} cut to {cut} bytes"),
                when,
                frame: frame[..cut].to_vec(),
                code: ErrorCode::Malformed,
                says: if cut == 0 { "empty frame" } else { "malformed" },
            });
        }
        // One byte too many after a complete message.
        let mut trailing = frame.clone();
        trailing.push(0);
        cases.push(Case {
            what: format!("{name} with a trailing byte"),
            when,
            frame: trailing,
            code: ErrorCode::Malformed,
            says: "unexpected bytes after the message",
        });
        // Over the frame limit.
        cases.push(Case {
            what: format!("{name} over the frame limit"),
            when,
            frame: padded(frame.clone(), MAX_FRAME_BYTES + 1),
            code: ErrorCode::TooLarge,
            says: "limit",
        });
        // Another protocol version, older or newer.
        for version in [0, PROTOCOL_VERSION + 1, u8::MAX] {
            cases.push(Case {
                what: format!("{name} of version {version}"),
                when,
                frame: versioned(frame.clone(), version),
                code: ErrorCode::UnsupportedVersion,
                says: "reload the app",
            });
        }
    }
    // Hello's own fields over their limits.
    cases.push(Case {
        what: "Hello with a team name over its limit".into(),
        when: When::First,
        frame: hello(&"a".repeat(MAX_TEAM_BYTES + 1), &anna),
        code: ErrorCode::TooLarge,
        says: "team name is over its limit",
    });
    cases.push(Case {
        what: "Hello with a token over its limit".into(),
        when: When::First,
        frame: hello("acme", &"a".repeat(MAX_TOKEN_BYTES + 1)),
        code: ErrorCode::TooLarge,
        says: "token is over its limit",
    });
    // A Hello for the wrong team: another team, one that does not exist, one
    // that is not even a valid name.
    for team in ["globex", "nobody", "ACME!"] {
        cases.push(Case {
            what: format!("Hello naming team {team:?}"),
            when: When::First,
            frame: hello(team, &anna),
            code: ErrorCode::WrongTeam,
            says: "not valid for team",
        });
    }
    // A Hello replayed on a signed-in connection.
    cases.push(Case {
        what: "Hello replayed on its connection".into(),
        when: When::AfterSignIn,
        frame: good_hello.clone(),
        code: ErrorCode::OutOfOrder,
        says: "already received",
    });
    // Server messages sent back by a confused client, before and after Hello.
    let server_msgs = [
        (
            "Welcome",
            ServerMsg::Welcome {
                team: "acme".into(),
                rep: "Anna".into(),
                head: Seq(2),
            },
        ),
        (
            "Changes",
            ServerMsg::Changes {
                entries: vec![],
                upto: Seq(3),
                more: false,
            },
        ),
        ("Ack", ServerMsg::Ack { batch: 1 }),
        ("Error", ServerMsg::error(ErrorCode::Internal, "x")),
    ];
    for (name, msg) in server_msgs {
        for when in [When::First, When::AfterSignIn] {
            cases.push(Case {
                what: format!("a server's {name} sent by a client ({when:?})"),
                when,
                frame: msg.encode(),
                code: ErrorCode::Malformed,
                says: "malformed",
            });
        }
    }

    // Each case has its own connection: several at once keep the run short.
    let count = cases.len();
    futures_util::stream::iter(&cases)
        .for_each_concurrent(CONCURRENT_CASES, |case| async {
            refuse(&relay, &anna, case).await;
            assert_eq!(relay.head("acme"), Seq(0), "{}: nothing stored", case.what);
        })
        .await;
    assert!(count > good_hello.len() + real_push.len(), "{count} cases");
    assert!(fresh_catch_up(&relay, &ben).await.is_empty());
}

#[tokio::test]
async fn a_connection_that_sends_no_hello_is_refused_after_the_hello_timeout() {
    let relay = Relay::start().await;
    let mut d = Device::open(&relay.ws_url(), 1).await;
    let opened = Instant::now();
    // Pings prove the client is there but are not a Hello.
    d.send_message(Message::Ping(vec![1].into())).await;
    match d
        .ending_within(HELLO_TIMEOUT + Duration::from_secs(3))
        .await
    {
        Ending::Refused {
            code,
            message,
            close_code,
            ..
        } => {
            assert_eq!((code, close_code), (ErrorCode::OutOfOrder, 4409));
            assert_eq!(
                message,
                format!("no Hello within {} s", HELLO_TIMEOUT.as_secs())
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let waited = opened.elapsed();
    assert!(
        waited >= HELLO_TIMEOUT - Duration::from_millis(100),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_frame_over_the_websocket_limit_is_refused_and_stores_nothing() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");

    let (mut d, _) = Device::sign_in(&relay.ws_url(), 1, "acme", &anna, Seq(0)).await;
    d.catch_up().await;
    // A real push, padded past what the WebSocket layer reads at all.
    let frame = padded(
        push(1, customer_changes(1, "Anna", 2)),
        WS_MAX_MESSAGE_BYTES + 1,
    );
    d.send_raw(frame).await;
    // The WebSocket layer stops it at its header, and the relay says why.
    match d.ending_within(Duration::from_secs(10)).await {
        Ending::Refused {
            code,
            message,
            close_code,
            ..
        } => {
            assert_eq!((code, close_code), (ErrorCode::TooLarge, 4413));
            assert_eq!(
                message,
                format!(
                    "frame of {} bytes is over the {MAX_FRAME_BYTES}-byte limit",
                    WS_MAX_MESSAGE_BYTES + 1
                )
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(relay.head("acme"), Seq(0));
    assert!(fresh_catch_up(&relay, &ben).await.is_empty());
}

#[tokio::test]
async fn a_push_replayed_after_a_reconnect_is_acknowledged_and_stored_once() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let url = relay.ws_url();
    let changes = customer_changes(1, "Anna", 2);
    // The exact bytes of one push, as a device would re-send them from its
    // outbox after losing the Ack.
    let frame = push(9, changes.clone());

    let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    a.catch_up().await;
    a.send_raw(frame.clone()).await;
    assert_eq!(a.recv().await, ServerMsg::Ack { batch: 9 });
    a.expect_echo(Seq(2)).await;
    a.close().await;

    // Reconnecting with its cursor, then with none (a device that lost it),
    // the device replays the same frame: acknowledged, nothing new stored.
    for cursor in [Seq(2), Seq(0)] {
        let (mut a, _) = Device::sign_in(&url, 1, "acme", &anna, cursor).await;
        a.catch_up().await;
        a.send_raw(frame.clone()).await;
        assert_eq!(a.recv().await, ServerMsg::Ack { batch: 9 });
        assert_eq!(relay.head("acme"), Seq(2), "replay from cursor {cursor:?}");
        a.expect_nothing(Duration::from_millis(200)).await;
        a.close().await;
    }

    // Another device receives each change exactly once, at seq 1 and 2.
    let entries = fresh_catch_up(&relay, &ben).await;
    let got: Vec<(Seq, &[u8])> = entries.iter().map(|e| (e.seq, &e.bytes[..])).collect();
    assert_eq!(
        got,
        vec![
            (Seq(1), &changes[0].bytes[..]),
            (Seq(2), &changes[1].bytes[..])
        ]
    );
}

#[tokio::test]
async fn garbage_automerge_in_a_push_is_refused_and_nothing_is_stored() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let doc = DocId([5; 16]);
    let valid = customer_changes(5, "Anna", 1).remove(0).bytes;
    // A saved document is Automerge too, but not a change.
    let mut whole = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut whole, automerge::ROOT, "name", "Bar Roma")
        .unwrap();
    let saved_document = whole.save();
    let mut flipped = valid.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let mut trailing = valid.clone();
    trailing.push(0);
    let glued = [valid.clone(), valid.clone()].concat();
    let garbage: Vec<(&str, Vec<u8>)> = vec![
        ("text", b"definitely not automerge".to_vec()),
        ("no bytes", vec![]),
        ("the magic bytes alone", vec![0x85, 0x6f, 0x4a, 0x83]),
        ("a change cut short", valid[..valid.len() - 1].to_vec()),
        ("a change with a flipped bit", flipped),
        ("a change with a byte after it", trailing),
        ("two changes glued together", glued),
        ("a whole saved document", saved_document),
    ];

    for (what, bytes) in garbage {
        let case = Case {
            what: format!("push of {what}"),
            when: When::AfterSignIn,
            // The valid change first: a batch is all or nothing.
            frame: push(
                1,
                vec![
                    DocChange {
                        doc,
                        bytes: valid.clone(),
                    },
                    DocChange { doc, bytes },
                ],
            ),
            code: ErrorCode::InvalidChange,
            // The relay counts a batch's changes from 0: the second is "1".
            says: "change 1 of the batch: not a valid Automerge change",
        };
        refuse(&relay, &anna, &case).await;
        assert_eq!(relay.head("acme"), Seq(0), "{what}: nothing stored");
    }
    assert!(
        fresh_catch_up(&relay, &ben).await.is_empty(),
        "a second device receives nothing"
    );
}

#[tokio::test]
async fn a_push_before_hello_is_refused_and_nothing_is_stored() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let mut d = Device::open(&relay.ws_url(), 1).await;
    // A real push, then a proper Hello: the Hello comes too late.
    d.send_push(1, customer_changes(1, "Anna", 2)).await;
    d.hello("acme", &anna, Seq(0)).await;
    match d.ending_within(Duration::from_secs(10)).await {
        Ending::Refused {
            code,
            message,
            close_code,
            ..
        } => {
            assert_eq!((code, close_code), (ErrorCode::OutOfOrder, 4409));
            assert_eq!(message, "a Push arrived before Hello; send Hello first");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(relay.head("acme"), Seq(0));
    assert!(fresh_catch_up(&relay, &ben).await.is_empty());
}
