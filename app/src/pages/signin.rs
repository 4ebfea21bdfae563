//! Sign-in: team name and token. The main view appears once the relay welcomes us.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{self, Msg, t};
use crate::settings;
use crate::state::{Stage, use_app};
use campo_core::record::Invalid;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SignIn() -> impl IntoView {
    let ui = use_app();
    let team = RwSignal::new(settings::last_team().unwrap_or_default());
    let token = RwSignal::new(String::new());
    // Which inputs were left empty on submit.
    let missing = RwSignal::new((false, false));
    let busy = move || ui.stage.get() == Stage::SigningIn;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (team, token) = (
            team.get_untracked().trim().to_owned(),
            token.get_untracked().trim().to_owned(),
        );
        missing.set((team.is_empty(), token.is_empty()));
        if team.is_empty() || token.is_empty() {
            return;
        }
        if let Some(campo) = ui.campo() {
            spawn_local(async move { campo.sign_in(team, token).await });
        }
    };
    let required = move |lang| i18n::invalid(lang, &Invalid::Required("team".into()));

    view! {
        <main class="signin">
            <form class="card signin-card" on:submit=submit novalidate>
                <div class="signin-head">
                    <h1 class="brand">"Campo"</h1>
                    <LangSwitch />
                </div>
                <p class="muted">{move || t(ui.lang.get(), Msg::Tagline)}</p>
                <h2>{move || t(ui.lang.get(), Msg::SignInTitle)}</h2>
                <div class="field">
                    <label for="signin-team">{move || t(ui.lang.get(), Msg::Team)}</label>
                    <input
                        id="signin-team"
                        data-testid="signin-team"
                        autocomplete="organization"
                        autocapitalize="none"
                        prop:value=move || team.get()
                        on:input=move |ev| team.set(event_target_value(&ev))
                    />
                    {move || missing.get().0.then(|| view! { <p class="error">{required(ui.lang.get())}</p> })}
                </div>
                <div class="field">
                    <label for="signin-token">{move || t(ui.lang.get(), Msg::Token)}</label>
                    <input
                        id="signin-token"
                        type="password"
                        data-testid="signin-token"
                        autocomplete="current-password"
                        prop:value=move || token.get()
                        on:input=move |ev| token.set(event_target_value(&ev))
                    />
                    {move || missing.get().1.then(|| view! { <p class="error">{required(ui.lang.get())}</p> })}
                </div>
                {move || {
                    ui.refusal
                        .get()
                        .map(|r| {
                            view! {
                                <p class="error banner-error" data-testid="signin-error" role="alert">
                                    {i18n::refusal(ui.lang.get(), r.code, &r.team)}
                                </p>
                            }
                        })
                }}
                {move || {
                    ui.unreachable
                        .get()
                        .then(|| view! { <p class="notice" role="status">{t(ui.lang.get(), Msg::Unreachable)}</p> })
                }}
                <button type="submit" class="primary" data-testid="signin-submit" aria-busy=move || busy().to_string()>
                    {move || t(ui.lang.get(), if busy() { Msg::SigningIn } else { Msg::SignIn })}
                </button>
                <p class="muted small">{move || t(ui.lang.get(), Msg::SignInHelp)}</p>
            </form>
        </main>
    }
}
