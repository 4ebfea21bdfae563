//! Scenario: someone tries to read or write team acme's book with credentials
//! that are not an acme rep's active token. The matrix is every client message
//! type (Hello, which reads the log; Push, which writes it) × every kind of
//! credential (acme's own, another team's, revoked, unknown, malformed). Only
//! acme's own token reads acme's entries or writes acme's log; every other row
//! is refused with its code before anything of acme's is sent, and stores
//! nothing in any team. Teams acme and globex each have a device online all
//! along, which must hear only their own team's new entries.

mod common;

use campo_core::ids::{DeviceId, DocId, Seq};
use campo_core::protocol::{ClientMsg, DocChange, ErrorCode, Hello, PROTOCOL_VERSION, ServerMsg};
use campo_relay::names::Team;
use common::{Device, Relay, customer_changes};
use std::collections::BTreeSet;
use std::time::Duration;

/// The credentials a row uses, always against team acme.
#[derive(Debug, Clone, Copy)]
enum Credential {
    /// An active token of an acme rep.
    Own,
    /// An active token of a globex rep.
    OtherTeam,
    /// An acme rep's token that was revoked.
    Revoked,
    /// Shaped like a token, but never issued.
    Unknown,
    /// Not a token at all.
    NotAToken,
    /// Empty.
    Empty,
    /// Longer than any token may be.
    TooLong,
    /// Not even UTF-8 text.
    NotText,
}

/// The message a row sends.
#[derive(Debug, Clone, Copy)]
enum Attempt {
    /// Hello: on success the relay sends the log (a read).
    Read,
    /// Hello and at once a Push, without waiting for Welcome (a write).
    Write,
}

/// What must happen.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Welcome to acme and exactly acme's entries.
    ReadsOwnTeam,
    /// Ack, and the change is in acme's log only.
    WritesOwnTeam,
    /// Error with this code and a close, before anything of acme's.
    Refused(ErrorCode),
}

const MATRIX: [(Attempt, Credential, Outcome); 16] = {
    use Attempt::*;
    use Credential::*;
    use Outcome::*;
    [
        (Read, Own, ReadsOwnTeam),
        (Read, OtherTeam, Refused(ErrorCode::WrongTeam)),
        (Read, Revoked, Refused(ErrorCode::Unauthorized)),
        (Read, Unknown, Refused(ErrorCode::Unauthorized)),
        (Read, NotAToken, Refused(ErrorCode::Unauthorized)),
        (Read, Empty, Refused(ErrorCode::Unauthorized)),
        (Read, TooLong, Refused(ErrorCode::TooLarge)),
        (Read, NotText, Refused(ErrorCode::Malformed)),
        (Write, Own, WritesOwnTeam),
        (Write, OtherTeam, Refused(ErrorCode::WrongTeam)),
        (Write, Revoked, Refused(ErrorCode::Unauthorized)),
        (Write, Unknown, Refused(ErrorCode::Unauthorized)),
        (Write, NotAToken, Refused(ErrorCode::Unauthorized)),
        (Write, Empty, Refused(ErrorCode::Unauthorized)),
        (Write, TooLong, Refused(ErrorCode::TooLarge)),
        (Write, NotText, Refused(ErrorCode::Malformed)),
    ]
};

struct Tokens {
    own: String,
    other_team: String,
    revoked: String,
}

/// The Hello frame a row sends, byte for byte.
fn hello_frame(credential: Credential, tokens: &Tokens, device: DeviceId) -> Vec<u8> {
    let token = match credential {
        Credential::Own => tokens.own.clone(),
        Credential::OtherTeam => tokens.other_team.clone(),
        Credential::Revoked => tokens.revoked.clone(),
        Credential::Unknown => format!("campo_{}", "Q".repeat(43)),
        Credential::NotAToken => "letmein".into(),
        Credential::Empty => String::new(),
        Credential::TooLong => format!("campo_{}", "Q".repeat(200)),
        Credential::NotText => {
            // Postcard writes a string as its length then its bytes: the
            // token's two bytes become 0xff 0xfe, which no UTF-8 text holds.
            let mut frame = ClientMsg::Hello(Hello {
                team: "acme".into(),
                token: "ab".into(),
                device,
                cursor: Seq(0),
            })
            .encode();
            let at = frame
                .windows(3)
                .position(|w| w == [2, b'a', b'b'])
                .expect("the token's bytes");
            frame[at + 1..at + 3].copy_from_slice(&[0xff, 0xfe]);
            return frame;
        }
    };
    ClientMsg::Hello(Hello {
        team: "acme".into(),
        token,
        device,
        cursor: Seq(0),
    })
    .encode()
}

fn docs(entries: &[campo_core::protocol::Entry]) -> BTreeSet<DocId> {
    entries.iter().map(|e| e.doc).collect()
}

/// Every doc id in a team's log, as a new device of the team receives it.
async fn logged_docs(relay: &Relay, team: &str, token: &str) -> BTreeSet<DocId> {
    let (mut d, _) = Device::sign_in(&relay.ws_url(), 99, team, token, Seq(0)).await;
    let (entries, _, _) = d.catch_up().await;
    d.close().await;
    docs(&entries)
}

#[tokio::test]
async fn only_a_teams_own_active_token_reads_or_writes_its_log() {
    let relay = Relay::start().await;
    let url = relay.ws_url();
    let tokens = Tokens {
        own: relay.token("acme", "Anna"),
        other_team: relay.token("globex", "Gina"),
        revoked: relay.token("acme", "Rita"),
    };
    campo_relay::auth::revoke(&*relay.state.store, &Team::parse("acme").unwrap(), "Rita")
        .expect("revoke Rita");

    // Each team has a customer, and a device online that stays all along.
    let ben = relay.token("acme", "Ben");
    let (mut acme_online, _) = Device::sign_in(&url, 1, "acme", &ben, Seq(0)).await;
    acme_online.catch_up().await;
    acme_online.push(1, customer_changes(1, "Ben", 2)).await;
    acme_online.expect_echo(Seq(2)).await;
    let (mut globex_online, _) =
        Device::sign_in(&url, 2, "globex", &tokens.other_team, Seq(0)).await;
    globex_online.catch_up().await;
    globex_online
        .push(1, customer_changes(200, "Gina", 1))
        .await;
    globex_online.expect_echo(Seq(1)).await;
    let mut acme_docs = BTreeSet::from([DocId([1; 16])]);
    let globex_docs = BTreeSet::from([DocId([200; 16])]);

    for (row, (attempt, credential, outcome)) in MATRIX.into_iter().enumerate() {
        let what = format!("{attempt:?} with {credential:?}");
        let acme_head = relay.head("acme");
        let globex_head = relay.head("globex");
        // Each row's change is a new customer, so its doc id says which row wrote it.
        let doc = 10 + row as u8;
        let change = customer_changes(doc, "Mallory", 1);

        let mut d = Device::open(&url, 100 + row as u8).await;
        d.send_raw(hello_frame(credential, &tokens, d.id)).await;
        if matches!(attempt, Attempt::Write) {
            d.send_push(7, change.clone()).await;
        }

        match outcome {
            Outcome::Refused(code) => {
                // The first thing received is the refusal: no Welcome, no entry.
                let refusal = d.expect_refusal().await;
                assert_eq!(refusal.code, code, "{what}: {refusal:?}");
                assert_eq!(refusal.close_code, code.close_code(), "{what}");
                assert!(!refusal.message.is_empty(), "{what}");
            }
            Outcome::ReadsOwnTeam => {
                match d.recv().await {
                    ServerMsg::Welcome { team, .. } => assert_eq!(team, "acme", "{what}"),
                    other => panic!("{what}: expected Welcome, got {other:?}"),
                }
                let (entries, _, _) = d.catch_up().await;
                assert_eq!(docs(&entries), acme_docs, "{what}: exactly acme's entries");
                d.close().await;
            }
            Outcome::WritesOwnTeam => {
                assert!(
                    matches!(d.recv().await, ServerMsg::Welcome { .. }),
                    "{what}"
                );
                let (entries, _, _) = d.catch_up().await;
                assert_eq!(docs(&entries), acme_docs, "{what}: exactly acme's entries");
                match d.recv().await {
                    ServerMsg::Ack { batch: 7 } => {}
                    other => panic!("{what}: expected Ack, got {other:?}"),
                }
                acme_docs.insert(DocId([doc; 16]));
                d.close().await;
            }
        }

        // Only an own-team write moves acme's head; globex's never moves.
        let wrote = outcome == Outcome::WritesOwnTeam;
        assert_eq!(
            relay.head("acme"),
            Seq(acme_head.0 + u64::from(wrote)),
            "{what}: acme's log"
        );
        assert_eq!(relay.head("globex"), globex_head, "{what}: globex's log");
        if wrote {
            let (entries, _, _) = acme_online.catch_up().await;
            assert_eq!(docs(&entries), BTreeSet::from([DocId([doc; 16])]), "{what}");
        }
        acme_online.expect_nothing(Duration::from_millis(50)).await;
        globex_online
            .expect_nothing(Duration::from_millis(50))
            .await;
    }

    // Each log holds its own team's customers and nothing else.
    assert_eq!(logged_docs(&relay, "acme", &ben).await, acme_docs);
    assert_eq!(
        logged_docs(&relay, "globex", &tokens.other_team).await,
        globex_docs
    );
}

/// The Push row for a token revoked while its session is open: the write is
/// refused before anything is stored, and the session is closed.
#[tokio::test]
async fn a_push_on_a_session_whose_token_was_revoked_writes_nothing() {
    let relay = Relay::start().await;
    let url = relay.ws_url();
    let rita = relay.token("acme", "Rita");
    let (mut d, _) = Device::sign_in(&url, 1, "acme", &rita, Seq(0)).await;
    d.catch_up().await;
    campo_relay::auth::revoke(&*relay.state.store, &Team::parse("acme").unwrap(), "Rita")
        .expect("revoke Rita");

    d.send_push(1, customer_changes(1, "Rita", 1)).await;
    let refusal = d.expect_refusal().await;
    assert_eq!(refusal.code, ErrorCode::Unauthorized, "{refusal:?}");
    assert_eq!(relay.head("acme"), Seq(0));
}

/// A frame claiming another protocol version is refused before its Hello is
/// read, so no credential in it is ever checked.
#[tokio::test]
async fn a_hello_of_another_version_is_refused_before_its_token_is_looked_at() {
    let relay = Relay::start().await;
    let anna = relay.token("acme", "Anna");
    let mut frame = ClientMsg::Hello(Hello {
        team: "acme".into(),
        token: anna,
        device: DeviceId([1; 16]),
        cursor: Seq(0),
    })
    .encode();
    frame[0] = PROTOCOL_VERSION + 1;
    let mut d = Device::open(&relay.ws_url(), 1).await;
    d.send_raw(frame).await;
    d.send_push(
        1,
        vec![DocChange {
            doc: DocId([1; 16]),
            bytes: customer_changes(1, "Anna", 1).remove(0).bytes,
        }],
    )
    .await;
    assert_eq!(d.expect_refusal().await.code, ErrorCode::UnsupportedVersion);
    assert_eq!(relay.head("acme"), Seq(0));
}
