//! The Team page's reps and tokens. With an administrator's token of the team
//! (typed here and kept only in memory while the page is open, never stored),
//! an admin lists the team's reps and their tokens, creates a token for a rep
//! (shown once) and revokes a rep's tokens, through the relay's admin API
//! (`/api/teams/{team}/tokens`). This needs the network: offline, it says so.

use crate::i18n::admin::{AdminMsg, t};
use crate::i18n::{self, Lang};
use crate::state::use_app;
use campo_core::sorting;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Longest rep name the relay accepts (its `names::MAX_REP_CHARS`).
pub const MAX_REP_CHARS: usize = 64;

/// One token as the relay lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub rep: String,
    pub admin: bool,
    /// UTC, `2026-01-31T09:30:00Z`.
    pub created: String,
    pub revoked: Option<String>,
    /// The first hex digits of the token's hash: tells a rep's tokens apart.
    pub hash_prefix: String,
}

/// An active token in a rep's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub hash_prefix: String,
    pub created: String,
}

/// One rep's tokens: a row of the table. Revoking acts on a rep (every active
/// token of theirs), so the table has a row per rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepRow {
    pub rep: String,
    /// One of the rep's active tokens is an administrator's.
    pub admin: bool,
    /// The active tokens, oldest first.
    pub active: Vec<ActiveToken>,
    /// When the last token was revoked, for a rep with no active token.
    pub revoked: Option<String>,
}

impl RepRow {
    pub fn is_active(&self) -> bool {
        !self.active.is_empty()
    }

    /// The question to ask before revoking: one token, or all of them.
    pub fn confirm_revoke(&self) -> AdminMsg {
        if self.active.len() > 1 {
            AdminMsg::ConfirmRevokeAll
        } else {
            AdminMsg::ConfirmRevoke
        }
    }
}

/// The table's rows: one per rep, reps with an active token first, then by
/// name (ignoring case). `tokens` comes oldest first, as the relay lists it.
pub fn by_rep(tokens: &[TokenRow]) -> Vec<RepRow> {
    let mut reps: Vec<RepRow> = Vec::new();
    for token in tokens {
        let i = match reps.iter().position(|r| r.rep == token.rep) {
            Some(i) => i,
            None => {
                reps.push(RepRow {
                    rep: token.rep.clone(),
                    admin: false,
                    active: Vec::new(),
                    revoked: None,
                });
                reps.len() - 1
            }
        };
        let row = &mut reps[i];
        match &token.revoked {
            None => {
                row.active.push(ActiveToken {
                    hash_prefix: token.hash_prefix.clone(),
                    created: token.created.clone(),
                });
                row.admin |= token.admin;
            }
            // ISO dates in one format compare as text.
            Some(at) => {
                if row.revoked.as_ref().is_none_or(|r| at > r) {
                    row.revoked = Some(at.clone());
                }
            }
        }
    }
    for row in &mut reps {
        if row.is_active() {
            row.revoked = None;
        }
    }
    sorting::sort_by_cached_key(&mut reps, |r| (!r.is_active(), r.rep.to_lowercase()));
    reps
}

/// Why a request failed, kept as a kind so it re-translates on a language switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No admin token was typed.
    NeedToken,
    /// Unknown or revoked (401).
    BadToken,
    /// A rep's token, or another team's (403).
    NotAdmin,
    BadRepName,
    /// Nothing to revoke (404).
    NoActiveToken,
    /// No answer: offline, or the relay is down.
    Unreachable,
    /// The relay failed or answered something unexpected.
    Server,
}

impl Failure {
    pub fn msg(self) -> AdminMsg {
        match self {
            Failure::NeedToken => AdminMsg::NeedAdminToken,
            Failure::BadToken => AdminMsg::BadAdminToken,
            Failure::NotAdmin => AdminMsg::NotAdmin,
            Failure::BadRepName => AdminMsg::BadRepName,
            Failure::NoActiveToken => AdminMsg::NoActiveToken,
            Failure::Unreachable => AdminMsg::Unreachable,
            Failure::Server => AdminMsg::ServerFailed,
        }
    }

    /// The `data-failure` the error shows (what the end-to-end tests read).
    pub fn code(self) -> &'static str {
        match self {
            Failure::NeedToken => "need-token",
            Failure::BadToken => "unauthorized",
            Failure::NotAdmin => "forbidden",
            Failure::BadRepName => "bad-rep",
            Failure::NoActiveToken => "no-active-token",
            Failure::Unreachable => "unreachable",
            Failure::Server => "server",
        }
    }

    /// The failure an HTTP status of the admin API means.
    pub fn of_status(status: u16) -> Failure {
        match status {
            401 => Failure::BadToken,
            403 => Failure::NotAdmin,
            404 => Failure::NoActiveToken,
            // The only input a request carries is the rep's name.
            400 | 413 | 422 => Failure::BadRepName,
            _ => Failure::Server,
        }
    }
}

/// The rep's name as it will be sent, trimmed, checked by the relay's rules
/// (1 to 64 characters, no control characters) so a mistake is caught here.
pub fn check_rep(name: &str) -> Result<String, Failure> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_REP_CHARS
        && !name.chars().any(char::is_control);
    if ok {
        Ok(name.to_owned())
    } else {
        Err(Failure::BadRepName)
    }
}

/// `text` as one URL path segment: everything but RFC 3986's unreserved
/// characters percent-encoded (rep names have spaces, slashes, accents).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The team's tokens in the admin API.
pub fn tokens_path(team: &str) -> String {
    format!("/api/teams/{}/tokens", path_segment(team))
}

/// One rep's tokens in the admin API.
pub fn rep_path(team: &str, rep: &str) -> String {
    format!("{}/{}", tokens_path(team), path_segment(rep))
}

/// Calls the admin API with `token` as the bearer; the reply's JSON when the
/// status is a success.
async fn call(
    method: &str,
    path: &str,
    token: &str,
    body: Option<JsValue>,
) -> Result<JsValue, Failure> {
    let window = web_sys::window().ok_or(Failure::Unreachable)?;
    let headers = web_sys::Headers::new().map_err(|_| Failure::Server)?;
    // A token with characters no header may hold is not a token.
    headers
        .set("Authorization", &format!("Bearer {token}"))
        .map_err(|_| Failure::BadToken)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| Failure::Server)?;
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| Failure::Server)?;
    // fetch rejects only when no answer came: offline or the relay is down.
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Failure::Unreachable)?
        .dyn_into()
        .map_err(|_| Failure::Server)?;
    if !response.ok() {
        return Err(Failure::of_status(response.status()));
    }
    let json = response.json().map_err(|_| Failure::Server)?;
    JsFuture::from(json).await.map_err(|_| Failure::Server)
}

fn text_of(obj: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

fn flag_of(obj: &JsValue, key: &str) -> bool {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The rows of a `GET` reply (rows missing their rep are skipped).
fn parse_list(json: &JsValue) -> Vec<TokenRow> {
    let Ok(tokens) = js_sys::Reflect::get(json, &JsValue::from_str("tokens")) else {
        return Vec::new();
    };
    if !js_sys::Array::is_array(&tokens) {
        return Vec::new();
    }
    tokens
        .unchecked_into::<js_sys::Array>()
        .iter()
        .filter_map(|t| {
            Some(TokenRow {
                rep: text_of(&t, "rep")?,
                admin: flag_of(&t, "admin"),
                created: text_of(&t, "created").unwrap_or_default(),
                revoked: text_of(&t, "revoked"),
                hash_prefix: text_of(&t, "hash_prefix").unwrap_or_default(),
            })
        })
        .collect()
}

/// A `POST` body: `{"rep": …, "admin": …}`, escaped by the browser's JSON.
fn new_token_body(rep: &str, admin: bool) -> Option<JsValue> {
    let body = js_sys::Object::new();
    js_sys::Reflect::set(&body, &"rep".into(), &rep.into()).ok()?;
    js_sys::Reflect::set(&body, &"admin".into(), &admin.into()).ok()?;
    js_sys::JSON::stringify(&body).ok().map(JsValue::from)
}

/// A relay date (UTC) in the device's time zone and the language's format.
fn when(lang: Lang, iso: &str) -> String {
    let ms = js_sys::Date::parse(iso);
    if ms.is_finite() {
        i18n::date_time(lang, ms as i64)
    } else {
        iso.to_owned()
    }
}

fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

#[component]
pub fn Tokens() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    // The admin token lives in this signal only, gone when the page closes.
    let admin_token = RwSignal::new(String::new());
    let tokens = RwSignal::new(None::<Vec<TokenRow>>);
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let new_rep = RwSignal::new(String::new());
    let new_admin = RwSignal::new(false);
    // (rep, token) of the token just made: shown once, until "Done".
    let created = RwSignal::new(None::<(String, String)>);
    let revoked = RwSignal::new(None::<(String, usize)>);

    // The admin token to send, or None after saying one is needed.
    let credentials = move || {
        let token = admin_token.get_untracked().trim().to_owned();
        if token.is_empty() {
            failure.set(Some(Failure::NeedToken));
            None
        } else {
            Some(token)
        }
    };
    // Fetches the list; once it is shown, `then` is the message to show (a
    // successful reload clears an earlier failure unless told otherwise).
    let load = move |then: Option<Failure>| {
        let Some(token) = credentials() else { return };
        let team = ui.team.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let answer = call("GET", &tokens_path(&team), &token, None).await;
            busy.set(false);
            match answer {
                Ok(json) => {
                    tokens.set(Some(parse_list(&json)));
                    failure.set(then);
                }
                Err(f) => {
                    // Without admin rights nothing here may stay on screen.
                    if matches!(f, Failure::BadToken | Failure::NotAdmin) {
                        tokens.set(None);
                    }
                    failure.set(Some(f));
                }
            }
        });
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = credentials() else { return };
        let rep = match check_rep(&new_rep.get_untracked()) {
            Ok(rep) => rep,
            Err(f) => {
                failure.set(Some(f));
                return;
            }
        };
        let Some(body) = new_token_body(&rep, new_admin.get_untracked()) else {
            failure.set(Some(Failure::Server));
            return;
        };
        let team = ui.team.get_untracked();
        busy.set(true);
        revoked.set(None);
        spawn_local(async move {
            let answer = call("POST", &tokens_path(&team), &token, Some(body)).await;
            busy.set(false);
            match answer {
                Ok(json) => match text_of(&json, "token") {
                    Some(new) => {
                        created.set(Some((rep, new)));
                        new_rep.set(String::new());
                        new_admin.set(false);
                        load(None);
                    }
                    None => failure.set(Some(Failure::Server)),
                },
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    let revoke = move |rep: String, question: AdminMsg| {
        let lang = ui.lang.get_untracked();
        if !confirm(&format!("{rep} — {}", t(lang, question))) {
            return;
        }
        let Some(token) = credentials() else { return };
        let team = ui.team.get_untracked();
        busy.set(true);
        created.set(None);
        spawn_local(async move {
            let answer = call("DELETE", &rep_path(&team, &rep), &token, None).await;
            busy.set(false);
            match answer {
                Ok(json) => {
                    let n = js_sys::Reflect::get(&json, &"revoked".into())
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0) as usize;
                    revoked.set(Some((rep, n)));
                    load(None);
                }
                // Someone else revoked it meanwhile: show the list as it is now.
                Err(Failure::NoActiveToken) => load(Some(Failure::NoActiveToken)),
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    let close = move |_| {
        admin_token.set(String::new());
        tokens.set(None);
        created.set(None);
        revoked.set(None);
        failure.set(None);
    };

    let table = move || {
        let list = tokens.get()?;
        let lang = lang();
        if list.is_empty() {
            return Some(view! { <p class="muted" data-testid="tokens-empty">{t(lang, AdminMsg::NoTokens)}</p> }.into_any());
        }
        let rows = by_rep(&list).into_iter().map(|r| {
            let rep = r.rep.clone();
            let role = if r.admin { t(lang, AdminMsg::RoleAdmin) } else { t(lang, AdminMsg::RoleRep) };
            let status = match &r.revoked {
                Some(at) => format!("{} {}", t(lang, AdminMsg::Revoked), when(lang, at)),
                None => t(lang, AdminMsg::Active).to_owned(),
            };
            let state = if r.is_active() { "active" } else { "revoked" };
            let badge = if r.admin { "badge" } else { "badge muted" };
            let action = r.is_active().then(|| {
                let label = format!("{} {}", t(lang, AdminMsg::Revoke), r.rep);
                let rep = rep.clone();
                let question = r.confirm_revoke();
                view! {
                    <button type="button" class="danger ghost" data-testid="token-revoke" aria-label=label
                        disabled=move || busy.get() on:click=move |_| revoke(rep.clone(), question)>
                        {t(lang, AdminMsg::Revoke)}
                    </button>
                }
            });
            view! {
                <tr data-testid="token-row" data-rep=r.rep.clone() data-state=state>
                    <th scope="row">{r.rep.clone()}</th>
                    <td>
                        <span class=badge data-testid="token-role">{role}</span>
                    </td>
                    <td>
                        {r.active.iter().map(|a| view! {
                            <div data-testid="token-fingerprint">
                                <code>{a.hash_prefix.clone()}</code>
                                " "
                                <span class="muted small">{format!("{} {}", t(lang, AdminMsg::Created), when(lang, &a.created))}</span>
                            </div>
                        }).collect_view()}
                    </td>
                    <td data-testid="token-status">{status}</td>
                    <td>{action}</td>
                </tr>
            }
        }).collect_view();
        Some(
            view! {
                <div class="table">
                    <table data-testid="tokens-table">
                        <thead>
                            <tr>
                                <th scope="col">{t(lang, AdminMsg::ColRep)}</th>
                                <th scope="col">{t(lang, AdminMsg::ColRole)}</th>
                                <th scope="col">{t(lang, AdminMsg::ColTokens)}</th>
                                <th scope="col">{t(lang, AdminMsg::ColStatus)}</th>
                                <th scope="col">{t(lang, AdminMsg::ColActions)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        )
    };

    let new_token = move || {
        created.get().map(|(rep, token)| view! {
            <div class="banner notice" data-testid="token-created" role="status">
                <div class="field wide">
                    <label for="new-token">{move || format!("{} {rep}", t(lang(), AdminMsg::NewTokenFor))}</label>
                    // Read-only and selected on focus, to copy it whole.
                    <input id="new-token" type="text" readonly data-testid="new-token" autocomplete="off"
                        spellcheck="false" prop:value=token aria-describedby="new-token-help"
                        on:focus=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            input.select();
                        } />
                    <p id="new-token-help" class="muted small">
                        {move || format!("{} {}", t(lang(), AdminMsg::TokenCreated), t(lang(), AdminMsg::TokenOnce))}
                    </p>
                </div>
                <button type="button" class="secondary" data-testid="token-created-done" on:click=move |_| created.set(None)>
                    {move || t(lang(), AdminMsg::Done)}
                </button>
            </div>
        })
    };

    view! {
        <section class="card" data-testid="tokens">
            <h2>{move || t(lang(), AdminMsg::Reps)}</h2>
            <p class="muted small">{move || t(lang(), AdminMsg::RepsHelp)}</p>
            <div class="form-grid">
                <div class="field">
                    <label for="admin-token">{move || t(lang(), AdminMsg::AdminToken)}</label>
                    // No <form> around it, so the browser does not offer to save it.
                    <input id="admin-token" type="password" autocomplete="off" spellcheck="false"
                        data-testid="admin-token" aria-describedby="admin-token-help"
                        prop:value=move || admin_token.get()
                        on:input=move |ev| admin_token.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { load(None) } />
                    <p id="admin-token-help" class="muted small">{move || t(lang(), AdminMsg::AdminTokenHelp)}</p>
                </div>
                <div class="form-actions">
                    <button type="button" class="secondary" data-testid="tokens-load"
                        aria-busy=move || busy.get().to_string() disabled=move || busy.get()
                        on:click=move |_| load(None)>
                        {move || t(lang(), AdminMsg::LoadTokens)}
                    </button>
                    {move || tokens.with(Option::is_some).then(|| view! {
                        <button type="button" class="ghost" data-testid="tokens-close" on:click=close>
                            {move || t(lang(), AdminMsg::CloseAdmin)}
                        </button>
                    })}
                </div>
            </div>
            {move || failure.get().map(|f| view! {
                <p class="error" role="alert" data-testid="tokens-error" data-failure=f.code()>{t(lang(), f.msg())}</p>
            })}
            {move || revoked.get().map(|(rep, n)| view! {
                <p role="status" data-testid="tokens-revoked">{format!("{}: {rep} ({n})", t(lang(), AdminMsg::TokensRevoked))}</p>
            })}
            {new_token}
            {table}
            {move || tokens.with(Option::is_some).then(|| view! {
                <form class="form-grid" novalidate data-testid="token-create-form" on:submit=create>
                    <div class="field">
                        <label for="token-rep">{move || t(lang(), AdminMsg::RepName)}</label>
                        <input id="token-rep" data-testid="token-rep" autocomplete="off"
                            prop:value=move || new_rep.get() on:input=move |ev| new_rep.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="token-admin">{move || t(lang(), AdminMsg::MakeAdmin)}</label>
                        <input id="token-admin" type="checkbox" data-testid="token-admin"
                            prop:checked=move || new_admin.get() on:change=move |ev| new_admin.set(event_target_checked(&ev)) />
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="primary" data-testid="token-create" disabled=move || busy.get()>
                            {move || t(lang(), AdminMsg::CreateToken)}
                        </button>
                    </div>
                </form>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(
        rep: &str,
        admin: bool,
        created: &str,
        revoked: Option<&str>,
        prefix: &str,
    ) -> TokenRow {
        TokenRow {
            rep: rep.into(),
            admin,
            created: created.into(),
            revoked: revoked.map(Into::into),
            hash_prefix: prefix.into(),
        }
    }

    #[test]
    fn the_table_has_a_row_per_rep_active_ones_first() {
        let rows = by_rep(&[
            token(
                "bruno",
                false,
                "2026-01-01T08:00:00Z",
                Some("2026-01-03T08:00:00Z"),
                "aa",
            ),
            token("Anna", true, "2026-01-02T08:00:00Z", None, "bb"),
            token(
                "Carla",
                false,
                "2026-01-02T09:00:00Z",
                Some("2026-01-04T08:00:00Z"),
                "cc",
            ),
            token("Anna", false, "2026-01-05T08:00:00Z", None, "dd"),
            token("bruno", false, "2026-01-06T08:00:00Z", None, "ee"),
            token(
                "Carla",
                false,
                "2026-01-01T08:00:00Z",
                Some("2026-01-02T08:00:00Z"),
                "ff",
            ),
        ]);
        let names: Vec<&str> = rows.iter().map(|r| r.rep.as_str()).collect();
        assert_eq!(
            names,
            ["Anna", "bruno", "Carla"],
            "active first, then by name, any case"
        );

        let prefixes = |r: &RepRow| {
            r.active
                .iter()
                .map(|a| a.hash_prefix.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(prefixes(&rows[0]), ["bb", "dd"]);
        assert_eq!(rows[0].active[1].created, "2026-01-05T08:00:00Z");
        assert!(
            rows[0].admin,
            "an active admin token makes the rep an admin"
        );
        assert_eq!(rows[0].revoked, None);
        assert_eq!(rows[0].confirm_revoke(), AdminMsg::ConfirmRevokeAll);

        // A revoked token does not hide a newer active one.
        assert_eq!(prefixes(&rows[1]), ["ee"]);
        assert_eq!(rows[1].revoked, None);
        assert_eq!(rows[1].confirm_revoke(), AdminMsg::ConfirmRevoke);

        assert!(!rows[2].is_active());
        assert_eq!(
            rows[2].revoked.as_deref(),
            Some("2026-01-04T08:00:00Z"),
            "the last revocation"
        );
    }

    #[test]
    fn a_revoked_admin_token_does_not_make_an_admin() {
        let rows = by_rep(&[
            token(
                "Anna",
                true,
                "2026-01-01T08:00:00Z",
                Some("2026-01-02T08:00:00Z"),
                "aa",
            ),
            token("Anna", false, "2026-01-03T08:00:00Z", None, "bb"),
        ]);
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].admin);
        assert!(by_rep(&[]).is_empty());
    }

    #[test]
    fn statuses_become_failures() {
        assert_eq!(Failure::of_status(401), Failure::BadToken);
        assert_eq!(Failure::of_status(403), Failure::NotAdmin);
        assert_eq!(Failure::of_status(404), Failure::NoActiveToken);
        assert_eq!(Failure::of_status(400), Failure::BadRepName);
        assert_eq!(Failure::of_status(413), Failure::BadRepName);
        assert_eq!(Failure::of_status(500), Failure::Server);
        assert_eq!(Failure::of_status(502), Failure::Server);
        // Each has its own words and code.
        let all = [
            Failure::NeedToken,
            Failure::BadToken,
            Failure::NotAdmin,
            Failure::BadRepName,
            Failure::NoActiveToken,
            Failure::Unreachable,
            Failure::Server,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.msg(), b.msg());
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn rep_names_follow_the_relays_rules() {
        assert_eq!(check_rep("  Bruno Neri "), Ok("Bruno Neri".into()));
        assert_eq!(check_rep("Zoë"), Ok("Zoë".into()));
        assert_eq!(check_rep(&"é".repeat(64)), Ok("é".repeat(64)));
        assert_eq!(check_rep(""), Err(Failure::BadRepName));
        assert_eq!(check_rep("   "), Err(Failure::BadRepName));
        assert_eq!(check_rep("a\nb"), Err(Failure::BadRepName));
        assert_eq!(check_rep(&"x".repeat(65)), Err(Failure::BadRepName));
    }

    #[test]
    fn paths_encode_names_as_one_segment() {
        assert_eq!(tokens_path("acme"), "/api/teams/acme/tokens");
        assert_eq!(
            rep_path("acme", "Bruno Neri"),
            "/api/teams/acme/tokens/Bruno%20Neri"
        );
        assert_eq!(path_segment("a/b?c#d%"), "a%2Fb%3Fc%23d%25");
        assert_eq!(path_segment("Zoë"), "Zo%C3%AB");
        assert_eq!(path_segment("sales-north_2.x~"), "sales-north_2.x~");
    }

    #[test]
    fn every_word_of_the_tokens_card_exists_in_both_languages() {
        for msg in [
            AdminMsg::NeedAdminToken,
            AdminMsg::BadAdminToken,
            AdminMsg::ServerFailed,
            AdminMsg::BadRepName,
            AdminMsg::NoActiveToken,
            AdminMsg::ConfirmRevokeAll,
            AdminMsg::MakeAdmin,
            AdminMsg::RoleAdmin,
            AdminMsg::RoleRep,
            AdminMsg::Active,
            AdminMsg::ColRep,
            AdminMsg::ColRole,
            AdminMsg::ColTokens,
            AdminMsg::ColStatus,
            AdminMsg::ColActions,
            AdminMsg::TokensRevoked,
            AdminMsg::Done,
            AdminMsg::CloseAdmin,
            AdminMsg::NewTokenFor,
        ] {
            assert!(
                !t(Lang::It, msg).is_empty() && !t(Lang::En, msg).is_empty(),
                "{msg:?}"
            );
        }
    }
}
