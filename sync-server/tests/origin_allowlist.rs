//! Scenario: web pages open the relay's WebSocket. Browsers always send
//! `Origin`; the relay accepts its own origin and those given with
//! `--allowed-origin`, refuses any other page with 403 and a reason, and lets
//! programs that send no `Origin` through (they still need a token).

mod common;

use campo_core::ids::Seq;
use common::{Device, Relay};

#[tokio::test]
async fn only_the_relays_own_origin_and_allowed_ones_may_open_the_socket() {
    let relay = Relay::start_allowing(&["https://crm.example.com"]).await;
    let anna = relay.token("acme", "Anna");
    let url = relay.ws_url();

    // The app served by the relay itself (same origin) signs in.
    let own = format!("http://{}", relay.addr);
    let mut d = Device::open_from(&url, 1, &own)
        .await
        .expect("same origin is accepted");
    d.hello("acme", &anna, Seq(0)).await;
    assert!(matches!(
        d.recv().await,
        campo_core::protocol::ServerMsg::Welcome { .. }
    ));
    d.close().await;

    // A page from another site is refused before the upgrade, with a reason
    // that tells the operator how to allow it.
    let (status, body) = match Device::open_from(&url, 2, "https://evil.example").await {
        Err(refused) => refused,
        Ok(_) => panic!("a foreign origin was accepted"),
    };
    assert_eq!(status, 403);
    assert!(
        body.contains("--allowed-origin https://evil.example"),
        "{body}"
    );

    // A sandboxed page sends `Origin: null`: refused too.
    let refused = Device::open_from(&url, 3, "null").await;
    assert!(matches!(refused, Err((403, _))));

    // The origin allowed on the command line signs in.
    let mut d = Device::open_from(&url, 4, "https://crm.example.com")
        .await
        .expect("an allowed origin is accepted");
    d.hello("acme", &anna, Seq(0)).await;
    assert!(matches!(
        d.recv().await,
        campo_core::protocol::ServerMsg::Welcome { .. }
    ));

    // A program (no Origin) still connects and signs in with its token.
    let (mut p, _) = Device::sign_in(&url, 5, "acme", &anna, Seq(0)).await;
    p.catch_up().await;
}

#[tokio::test]
async fn without_allowed_origins_only_the_relays_own_origin_is_accepted() {
    let relay = Relay::start().await;
    let url = relay.ws_url();
    assert!(
        Device::open_from(&url, 1, &format!("http://{}", relay.addr))
            .await
            .is_ok()
    );
    assert!(
        Device::open_from(&url, 2, &format!("https://{}", relay.addr))
            .await
            .is_ok(),
        "the same host behind TLS (a proxy) is the same site"
    );
    assert!(matches!(
        Device::open_from(&url, 3, "https://crm.example.com").await,
        Err((403, _))
    ));
}
