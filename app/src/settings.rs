//! Small per-device settings in `localStorage`: the device id, the signed-in team,
//! token and rep, and the interface language. Records never live here; they are
//! in IndexedDB ([`crate::storage`]).
//!
//! Each value is stored as a JSON string (`"it"`), written and read by the
//! browser's own `JSON`: the format of the settings saved before, without a JSON
//! library in the app's WebAssembly.

use crate::i18n::Lang;
use crate::platform;
use campo_core::ids::DeviceId;
use wasm_bindgen::JsValue;

const DEVICE: &str = "campo.device";
const TEAM: &str = "campo.team";
const TOKEN: &str = "campo.token";
const REP: &str = "campo.rep";
const LANG: &str = "campo.lang";
const PERSIST_NOTICE: &str = "campo.persist_notice";
const DEALS_VIEW: &str = "campo.deals_view";

/// Who this device signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub team: String,
    pub token: String,
    pub rep: String,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    let stored = local_storage()?.get_item(key).ok().flatten()?;
    js_sys::JSON::parse(&stored).ok()?.as_string()
}

fn set(key: &str, value: &str) {
    let stored = js_sys::JSON::stringify(&JsValue::from_str(value))
        .ok()
        .and_then(|s| s.as_string());
    let result = match (local_storage(), stored) {
        (Some(storage), Some(stored)) => storage.set_item(key, &stored),
        _ => Err(JsValue::from_str("localStorage is not available")),
    };
    if let Err(e) = result {
        web_sys::console::warn_2(&format!("could not store setting {key}:").into(), &e);
    }
}

/// This browser profile's id, created on first use.
pub fn device_id() -> DeviceId {
    if let Some(id) = get(DEVICE).and_then(|s| s.parse().ok()) {
        return id;
    }
    let id = DeviceId(platform::random16());
    set(DEVICE, &id.to_hex());
    id
}

/// The remembered session, if the device signed in before.
pub fn session() -> Option<Session> {
    Some(Session {
        team: get(TEAM)?,
        token: get(TOKEN)?,
        rep: get(REP)?,
    })
}

pub fn save_session(s: &Session) {
    set(TEAM, &s.team);
    set(TOKEN, &s.token);
    set(REP, &s.rep);
}

/// Forgets the token (the team is kept to prefill the sign-in form).
pub fn forget_token() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(TOKEN);
    }
}

pub fn last_team() -> Option<String> {
    get(TEAM)
}

/// The chosen language, else the browser's, else English.
pub fn lang() -> Lang {
    get(LANG)
        .and_then(|c| Lang::from_code(&c))
        .or_else(|| {
            let nav = web_sys::window()?.navigator();
            nav.languages()
                .iter()
                .filter_map(|l| l.as_string())
                .chain(nav.language())
                .find_map(|l| Lang::from_code(&l))
        })
        .unwrap_or(Lang::En)
}

pub fn set_lang(lang: Lang) {
    set(LANG, lang.code());
}

/// The rep closed the notice that the browser may clear offline data.
pub fn persist_notice_dismissed() -> bool {
    get(PERSIST_NOTICE).as_deref() == Some("dismissed")
}

pub fn dismiss_persist_notice() {
    set(PERSIST_NOTICE, "dismissed");
}

/// The deals list shows the board (columns by stage) instead of rows.
pub fn deals_as_board() -> bool {
    get(DEALS_VIEW).as_deref() == Some("board")
}

pub fn set_deals_as_board(board: bool) {
    set(DEALS_VIEW, if board { "board" } else { "list" });
}
