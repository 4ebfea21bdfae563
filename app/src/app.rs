//! The root component: which screen shows, the URL hash, `<html lang>`.

use crate::components::lang_switch::LangSwitch;
use crate::components::status::SyncStatus;
use crate::i18n::{self, Msg, t};
use crate::pages::customer::CustomerPage;
use crate::pages::list::ListPage;
use crate::pages::signin::SignIn;
use crate::session;
use crate::settings;
use crate::state::{AppState, Route, Stage, use_app};
use campo_core::protocol::ErrorCode;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The coarse screen, so the sign-in form is not rebuilt (and its inputs lost)
/// when the sign-in attempt changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Starting,
    NoStorage,
    SignIn,
    Main,
}

#[component]
pub fn App() -> impl IntoView {
    let ui = AppState::new(settings::lang(), Route::from_hash(&location_hash()));
    provide_context(ui);

    Effect::new(move |_| {
        let lang = ui.lang.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.code());
        }
    });
    // The route is mirrored in the hash, so reloads and the back button work.
    Effect::new(move |_| {
        let hash = ui.route.get().hash();
        if location_hash() != hash
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().set_hash(&hash);
        }
    });
    let _ = window_event_listener_untyped("hashchange", move |_| {
        let route = Route::from_hash(&location_hash());
        if ui.route.get_untracked() != route {
            ui.route.set(route);
        }
    });

    spawn_local(session::boot(ui));

    let screen = Memo::new(move |_| match ui.stage.get() {
        Stage::Starting => Screen::Starting,
        Stage::NoStorage => Screen::NoStorage,
        Stage::SignedOut | Stage::SigningIn => Screen::SignIn,
        Stage::SignedIn => Screen::Main,
    });
    move || {
        match screen.get() {
        Screen::Starting => view! { <p class="splash">{move || t(ui.lang.get(), Msg::Loading)}</p> }.into_any(),
        Screen::NoStorage => {
            view! { <p class="splash error" role="alert">{move || t(ui.lang.get(), Msg::StorageUnavailable)}</p> }
                .into_any()
        }
        Screen::SignIn => view! { <SignIn /> }.into_any(),
        Screen::Main => view! { <Main /> }.into_any(),
    }
    }
}

#[component]
fn Main() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let banner = move || {
        let r = ui.refusal.get()?;
        let action = if r.code == ErrorCode::UnsupportedVersion {
            Some(
                view! {
                    <button type="button" class="secondary" on:click=|_| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    }>{t(lang(), Msg::Reload)}</button>
                }
                .into_any(),
            )
        } else if r.code.is_fatal() {
            Some(
                view! {
                    <button type="button" class="secondary" on:click=move |_| {
                        if let Some(c) = ui.campo() {
                            c.sign_out();
                        }
                    }>{t(lang(), Msg::SignInAgain)}</button>
                }
                .into_any(),
            )
        } else {
            None
        };
        Some(view! {
            <div class="banner" role="alert">
                <p>{i18n::refusal(lang(), r.code, &r.team)}</p>
                {action}
            </div>
        })
    };
    let persist_notice = move || {
        ui.persist_refused.get().then(|| {
            view! {
                <div class="banner notice small" data-testid="persist-notice">
                    <p>{t(lang(), Msg::PersistRefused)}</p>
                    <button type="button" class="secondary" data-testid="persist-dismiss" on:click=move |_| {
                        settings::dismiss_persist_notice();
                        ui.persist_refused.set(false);
                    }>{t(lang(), Msg::Dismiss)}</button>
                </div>
            }
        })
    };
    let storage_full = move || {
        ui.storage_full.get().then(|| {
            view! {
                <div class="banner" role="alert" data-testid="storage-full">
                    <p>{t(lang(), Msg::StorageFull)}</p>
                </div>
            }
        })
    };
    let page = move || match ui.route.get() {
        Route::List => view! { <ListPage /> }.into_any(),
        Route::New => view! { <CustomerPage id=None /> }.into_any(),
        Route::Customer(id) => view! { <CustomerPage id=Some(id) /> }.into_any(),
    };
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="#/">"Campo"</a>
                <span class="who muted small">{move || i18n::signed_in_as(lang(), &ui.rep.get(), &ui.team.get())}</span>
                <span class="spacer"></span>
                <SyncStatus />
                <LangSwitch />
            </header>
            {banner}
            {storage_full}
            {persist_notice}
            <main class="page">{page}</main>
        </div>
    }
}
