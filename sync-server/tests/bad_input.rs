//! Scenario: misbehaving clients. Each gets `Error` with the right code, then a
//! close frame with the matching close code and the message as reason; nothing
//! invalid is stored; a well-behaved client on the same team keeps working
//! throughout.

mod common;

use campo_core::ids::{DocId, Seq};
use campo_core::protocol::{
    ClientMsg, DocChange, ErrorCode, MAX_CHANGE_BYTES, MAX_CHANGES_PER_PUSH, MAX_FRAME_BYTES,
    PROTOCOL_VERSION, ServerMsg,
};
use campo_relay::error::close_reason;
use common::{Device, Refusal, Relay, customer_changes};
use tokio_tungstenite::tungstenite::Message;

/// What a bad client does after opening its socket.
enum Misdeed {
    /// Sends this frame instead of Hello.
    First(Vec<u8>),
    /// Signs in properly, then sends this frame.
    AfterHello(Vec<u8>),
    /// Sends Hello with this team and token.
    Hello { team: &'static str, token: String },
    /// Sends a text frame.
    Text,
}

fn push(changes: Vec<DocChange>) -> Vec<u8> {
    ClientMsg::Push { batch: 1, changes }.encode()
}

async fn misbehave(relay: &Relay, token: &str, misdeed: Misdeed) -> Refusal {
    let mut d = Device::open(&relay.ws_url(), 66).await;
    match misdeed {
        Misdeed::First(frame) => d.send_raw(frame).await,
        Misdeed::AfterHello(frame) => {
            d.hello("acme", token, Seq(0)).await;
            assert!(matches!(d.recv().await, ServerMsg::Welcome { .. }));
            d.catch_up().await;
            d.send_raw(frame).await;
        }
        Misdeed::Hello { team, token } => d.hello(team, &token, Seq(0)).await,
        Misdeed::Text => d.send_text("hello").await,
    }
    d.expect_refusal().await
}

impl Device {
    async fn send_text(&mut self, text: &str) {
        self.send_message(Message::Text(text.into())).await;
    }
}

#[tokio::test]
async fn every_bad_input_is_refused_with_its_code_and_nothing_invalid_is_stored() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let ben = relay.token("acme", "Ben");
    let globex = relay.token("globex", "Gina");
    let url = relay.ws_url();

    // The well-behaved pair: Ben pushes, Anna receives, all along.
    let (mut good_a, _) = Device::sign_in(&url, 1, "acme", &anna, Seq(0)).await;
    good_a.catch_up().await;
    let (mut good_b, _) = Device::sign_in(&url, 2, "acme", &ben, Seq(0)).await;
    good_b.catch_up().await;

    let valid = customer_changes(40, "Anna", 2);
    let mut wrong_version = push(valid.clone());
    wrong_version[0] = PROTOCOL_VERSION + 1;
    let mut truncated = push(valid.clone());
    truncated.truncate(truncated.len() / 2);
    let mut oversized = vec![PROTOCOL_VERSION; MAX_FRAME_BYTES + 1];
    oversized[1] = 1; // a Push tag, so only the size is wrong
    let huge_change = vec![DocChange {
        doc: DocId([1; 16]),
        bytes: vec![0; MAX_CHANGE_BYTES + 1],
    }];
    let too_many = vec![
        DocChange {
            doc: DocId([1; 16]),
            bytes: vec![]
        };
        MAX_CHANGES_PER_PUSH + 1
    ];
    // A valid change, then garbage: the valid one must not be stored either.
    let mut half_bad = valid.clone();
    half_bad.push(DocChange {
        doc: DocId([2; 16]),
        bytes: b"definitely not automerge".to_vec(),
    });
    let mut damaged = valid[0].bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x55;

    let cases: Vec<(&str, Misdeed, ErrorCode, &str)> = vec![
        (
            "unknown token",
            Misdeed::Hello {
                team: "acme",
                token: format!("campo_{}", "A".repeat(43)),
            },
            ErrorCode::Unauthorized,
            "this token is not valid",
        ),
        (
            "not even a token",
            Misdeed::Hello {
                team: "acme",
                token: "letmein".into(),
            },
            ErrorCode::Unauthorized,
            "this token is not valid",
        ),
        (
            "another team's token",
            Misdeed::Hello {
                team: "acme",
                token: globex.clone(),
            },
            ErrorCode::WrongTeam,
            "this token is not valid for team acme",
        ),
        (
            "a good token for a team it does not belong to",
            Misdeed::Hello {
                team: "globex",
                token: anna.clone(),
            },
            ErrorCode::WrongTeam,
            "this token is not valid for team globex",
        ),
        (
            "push before Hello",
            Misdeed::First(push(valid.clone())),
            ErrorCode::OutOfOrder,
            "before Hello",
        ),
        (
            "wrong protocol version",
            Misdeed::First(wrong_version),
            ErrorCode::UnsupportedVersion,
            "reload the app",
        ),
        (
            "truncated Hello",
            Misdeed::First(truncated.clone()),
            ErrorCode::Malformed,
            "malformed",
        ),
        (
            "empty frame",
            Misdeed::First(vec![]),
            ErrorCode::Malformed,
            "empty frame",
        ),
        ("text frame", Misdeed::Text, ErrorCode::Malformed, "binary"),
        (
            "truncated push",
            Misdeed::AfterHello(truncated),
            ErrorCode::Malformed,
            "malformed",
        ),
        (
            "frame over the limit",
            Misdeed::AfterHello(oversized),
            ErrorCode::TooLarge,
            "limit",
        ),
        (
            "change over the limit",
            Misdeed::AfterHello(push(huge_change)),
            ErrorCode::TooLarge,
            "change is over its limit",
        ),
        (
            "too many changes",
            Misdeed::AfterHello(push(too_many)),
            ErrorCode::TooLarge,
            "changes in one push",
        ),
        (
            "garbage change",
            Misdeed::AfterHello(push(half_bad)),
            ErrorCode::InvalidChange,
            "change 2 of the batch",
        ),
        (
            "damaged change",
            Misdeed::AfterHello(push(vec![DocChange {
                doc: valid[0].doc,
                bytes: damaged,
            }])),
            ErrorCode::InvalidChange,
            "not a valid Automerge change",
        ),
        (
            "second Hello",
            Misdeed::AfterHello(
                ClientMsg::Hello(campo_core::protocol::Hello {
                    team: "acme".into(),
                    token: anna.clone(),
                    device: campo_core::ids::DeviceId([66; 16]),
                    cursor: Seq(0),
                })
                .encode(),
            ),
            ErrorCode::OutOfOrder,
            "already received",
        ),
    ];

    for (round, (what, misdeed, code, says)) in cases.into_iter().enumerate() {
        // The bad client is refused with the right code and reason.
        let refusal = misbehave(&relay, &anna, misdeed).await;
        assert_eq!(refusal.code, code, "{what}: {refusal:?}");
        assert_eq!(refusal.close_code, code.close_code(), "{what}");
        assert!(
            refusal.message.contains(says),
            "{what}: {:?} lacks {says:?}",
            refusal.message
        );
        assert_eq!(
            refusal.reason,
            close_reason(&refusal.message),
            "{what}: reason is the message"
        );
        assert!(refusal.reason.len() <= 123);

        // Nothing was stored by the bad client.
        assert_eq!(
            relay.head("acme"),
            Seq(round as u64),
            "{what}: nothing stored"
        );

        // The good pair still works: Ben's push arrives at Anna.
        good_b
            .push(round as u64, customer_changes(round as u8, "Ben", 1))
            .await;
        let (entries, upto, _) = good_a.catch_up().await;
        assert_eq!((entries.len(), upto), (1, Seq(round as u64 + 1)), "{what}");
    }

    // The valid half of the refused batch was never stored: a fresh device sees
    // only Ben's entries.
    let (mut fresh, _) = Device::sign_in(&url, 3, "acme", &anna, Seq(0)).await;
    let (entries, _, _) = fresh.catch_up().await;
    assert!(
        entries
            .iter()
            .all(|e| valid.iter().all(|v| v.bytes != e.bytes))
    );
}
