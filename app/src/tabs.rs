//! Several tabs of Campo on one device share one IndexedDB database. They agree
//! through two browser facilities:
//!
//! - the Web Lock `campo-sync`: only the tab holding it opens the WebSocket; the
//!   browser hands it to another tab when the holder closes. The Web Lock
//!   `campo-docs` is held around every read-modify-write of stored documents, so
//!   two tabs never write back copies that each miss the other's change.
//! - the `BroadcastChannel` `campo`, carrying [`TabMsg`]s: a tab that saved an
//!   edit says so (`outbox`, `docs`), the syncing tab says what the relay changed
//!   (`docs`) and how sync stands (`status`); a new tab asks for the status (`hello`).

use campo_core::ids::DocId;
use campo_core::sync::{Phase, Status};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Name of the lock that makes a tab the syncing one.
pub const SYNC_LOCK: &str = "campo-sync";
/// Name of the lock around every read-modify-write of stored documents.
pub const DOCS_LOCK: &str = "campo-docs";
const CHANNEL: &str = "campo";

/// A message between tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabMsg {
    /// A tab without the sync lock stored new outbox entries: the syncing tab
    /// loads them from IndexedDB and sends them.
    Outbox,
    /// These documents (and their summaries) changed in IndexedDB.
    Docs(Vec<DocId>),
    /// The syncing tab's sync status.
    Status(Status),
    /// A tab started: the syncing tab answers with its status.
    Hello,
}

fn phase_code(p: Phase) -> &'static str {
    match p {
        Phase::Offline => "offline",
        Phase::Connecting => "connecting",
        Phase::CatchingUp => "catching-up",
        Phase::Live => "live",
        Phase::Refused => "refused",
    }
}

fn phase_from(code: &str) -> Option<Phase> {
    Some(match code {
        "offline" => Phase::Offline,
        "connecting" => Phase::Connecting,
        "catching-up" => Phase::CatchingUp,
        "live" => Phase::Live,
        "refused" => Phase::Refused,
        _ => return None,
    })
}

impl TabMsg {
    /// The message as a string (`outbox`, `hello`, `docs <hex>…`,
    /// `status <phase> <pending> [=<rep>]`).
    pub fn encode(&self) -> String {
        match self {
            TabMsg::Outbox => "outbox".into(),
            TabMsg::Hello => "hello".into(),
            TabMsg::Docs(ids) => {
                let mut s = String::from("docs");
                for id in ids {
                    s.push(' ');
                    s.push_str(&id.to_hex());
                }
                s
            }
            TabMsg::Status(st) => {
                let mut s = format!("status {} {}", phase_code(st.phase), st.pending);
                if let Some(rep) = &st.rep {
                    s.push_str(" =");
                    s.push_str(rep);
                }
                s
            }
        }
    }

    pub fn decode(s: &str) -> Option<TabMsg> {
        let mut parts = s.splitn(4, ' ');
        match parts.next()? {
            "outbox" => Some(TabMsg::Outbox),
            "hello" => Some(TabMsg::Hello),
            "docs" => {
                let rest = s.strip_prefix("docs")?;
                rest.split_whitespace()
                    .map(|h| h.parse().ok())
                    .collect::<Option<Vec<DocId>>>()
                    .map(TabMsg::Docs)
            }
            "status" => {
                let phase = phase_from(parts.next()?)?;
                let pending = parts.next()?.parse().ok()?;
                let rep = match parts.next() {
                    Some(r) => Some(r.strip_prefix('=')?.to_owned()),
                    None => None,
                };
                Some(TabMsg::Status(Status {
                    phase,
                    pending,
                    rep,
                }))
            }
            _ => None,
        }
    }
}

/// The channel to the other tabs of Campo on this device.
pub struct Channel {
    channel: Option<web_sys::BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

impl Channel {
    /// Opens the channel; `on_message` gets every message of the other tabs.
    /// Without `BroadcastChannel` the tab works alone.
    pub fn open(mut on_message: impl FnMut(TabMsg) + 'static) -> Channel {
        let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
            return Channel {
                channel: None,
                _on_message: None,
            };
        };
        let handler =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(msg) = ev.data().as_string().and_then(|s| TabMsg::decode(&s)) {
                    on_message(msg);
                }
            });
        channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        Channel {
            channel: Some(channel),
            _on_message: Some(handler),
        }
    }

    pub fn send(&self, msg: &TabMsg) {
        if let Some(c) = &self.channel
            && let Err(e) = c.post_message(&JsValue::from_str(&msg.encode()))
        {
            crate::records::log(&format!("telling the other tabs failed: {e:?}"));
        }
    }
}

/// `navigator.locks.request(name, callback)`, or `None` without Web Locks.
fn request_lock(name: &str, callback: &JsValue) -> Option<js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request: js_sys::Function = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into()
        .ok()?;
    request
        .call2(&locks, &JsValue::from_str(name), callback)
        .ok()?
        .dyn_into()
        .ok()
}

/// Waits for the lock `name` and calls `granted` once this tab holds it; the
/// tab then keeps it until it closes. Returns false without Web Locks (the
/// caller then acts as the only tab).
pub fn hold_until_closed(name: &str, granted: impl FnOnce() + 'static) -> bool {
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        granted();
        // A promise that never settles: the lock is released when the tab goes.
        js_sys::Promise::new(&mut |_, _| {}).into()
    });
    request_lock(name, &callback).is_some()
}

/// A Web Lock held until dropped.
pub struct HeldLock {
    release: js_sys::Function,
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// Waits for the lock `name`; `None` without Web Locks (then there is nothing
/// to coordinate with).
pub async fn acquire(name: &str) -> Option<HeldLock> {
    let (granted_tx, granted_rx) = futures::channel::oneshot::channel::<()>();
    let mut release = None;
    let released = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
    let release = release?;
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = granted_tx.send(());
        released.into()
    });
    let held = HeldLock { release };
    let _released = request_lock(name, &callback)?;
    granted_rx.await.ok()?;
    Some(held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let msgs = [
            TabMsg::Outbox,
            TabMsg::Hello,
            TabMsg::Docs(vec![]),
            TabMsg::Docs(vec![DocId([1; 16]), DocId([0xab; 16])]),
            TabMsg::Status(Status {
                phase: Phase::Live,
                pending: 3,
                rep: Some("Anna Maria =x".into()),
            }),
            TabMsg::Status(Status {
                phase: Phase::CatchingUp,
                pending: 0,
                rep: None,
            }),
        ];
        for m in msgs {
            assert_eq!(TabMsg::decode(&m.encode()), Some(m));
        }
        assert_eq!(TabMsg::decode("docs nothex"), None);
        assert_eq!(TabMsg::decode("status sideways 1"), None);
        assert_eq!(TabMsg::decode("other"), None);
    }
}
