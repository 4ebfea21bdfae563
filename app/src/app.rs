//! The root component: which screen shows, the URL hash, `<html lang>`.

use crate::components::lang_switch::LangSwitch;
use crate::components::status::SyncStatus;
use crate::i18n::{self, Msg, t};
use crate::pages::lazy::{LazyPage, lazy_page};
use crate::pages::list::ListPage;
use crate::pages::record::RecordPage;
use crate::pages::search::SearchPage;
use crate::pages::signin::SignIn;
use crate::pages::today::TodayPage;
use crate::platform;
use crate::session;
use crate::settings;
use crate::state::{AppState, Route, Stage, use_app};
use campo_core::protocol::ErrorCode;
use campo_core::record::Kind;
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
            platform::release_focus();
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
        Route::List(kind) => view! { <ListPage kind=kind /> }.into_any(),
        Route::New(kind, account) => match account {
            Some(a) => view! { <RecordPage kind=kind id=None account=a /> }.into_any(),
            None => view! { <RecordPage kind=kind id=None /> }.into_any(),
        },
        Route::Record(kind, id) => view! { <RecordPage kind=kind id=Some(id) /> }.into_any(),
        Route::Search => view! { <SearchPage /> }.into_any(),
        Route::Dashboard => lazy_page(LazyPage::Dashboard),
        Route::Admin => lazy_page(LazyPage::Admin),
        Route::Today => view! { <TodayPage /> }.into_any(),
        Route::Data => lazy_page(LazyPage::Data),
    };
    keyboard_shortcuts(ui);
    // Once there is a book and the page is idle, the code that opens a record
    // is compiled ahead of the first tap (`record::warm_up`).
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        ui.index_rev.track();
        let ready = ui.index.with_value(|i| !i.is_empty());
        if ready {
            platform::after_paint(move || {
                spawn_local(async move {
                    if crate::records::load_engine().await.is_ok() {
                        platform::when_idle(move || crate::pages::record::warm_up(ui));
                    }
                })
            });
        }
        ready
    });
    // The team's settings document: created here if missing (every device makes
    // the same one), then re-read whenever it changes.
    if let Some(campo) = ui.campo() {
        spawn_local(async move {
            campo.ensure_team_doc().await;
            campo.load_team().await;
        });
    }
    Effect::new(move |_| {
        let changed = ui
            .remote
            .with(|r| r.docs.contains(&campo_core::record::TEAM_DOC));
        if changed && let Some(campo) = ui.campo() {
            spawn_local(async move { campo.load_team().await });
        }
    });
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="#/">"Campo"</a>
                <span class="who muted small">{move || i18n::signed_in_as(lang(), &ui.rep.get(), &ui.team.get())}</span>
                <span class="spacer"></span>
                <SyncStatus />
                <LangSwitch />
            </header>
            <MainNav />
            {banner}
            {storage_full}
            {persist_notice}
            <main class="page">{page}</main>
        </div>
    }
}

/// The sections of the app. On phones the stylesheet turns it into a bottom bar.
#[component]
fn MainNav() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let items = [
        (Route::Today, "today"),
        (Route::List(Kind::Account), "accounts"),
        (Route::List(Kind::Person), "people"),
        (Route::List(Kind::Deal), "deals"),
        (Route::List(Kind::Task), "tasks"),
        (Route::List(Kind::Product), "products"),
        (Route::Dashboard, "dashboard"),
        (Route::Search, "search"),
        (Route::Data, "data"),
        (Route::Admin, "admin"),
    ];
    let label = |l: i18n::Lang, r: Route| match r {
        Route::List(k) => i18n::kind_plural(l, k),
        Route::Today => t(l, Msg::NavToday),
        Route::Dashboard => t(l, Msg::NavDashboard),
        Route::Search => t(l, Msg::NavSearch),
        Route::Data => t(l, Msg::NavData),
        _ => t(l, Msg::NavAdmin),
    };
    let section = move |r: Route| match r {
        Route::Record(k, _) | Route::New(k, _) => Route::List(k),
        other => other,
    };
    view! {
        <nav class="mainnav" aria-label=move || t(lang(), Msg::MainNav)>
            {items.into_iter().map(|(route, id)| {
                view! {
                    <a href=route.hash() data-testid=format!("nav-{id}") data-section=id
                        aria-current=move || (section(ui.route.get()) == route).then_some("page")>
                        {move || label(lang(), route)}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

/// Desktop shortcuts: `/` search, `n` a new record of the list showing,
/// `g` then a letter to go to a section. Ignored while typing in a field.
fn keyboard_shortcuts(ui: AppState) {
    use std::cell::Cell;
    use std::rc::Rc;
    let pending_g = Rc::new(Cell::new(false));
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.has_attribute("contenteditable")
            });
        if typing {
            return;
        }
        let key = ev.key();
        if pending_g.replace(false) {
            let to = match key.as_str() {
                "t" => Some(Route::Today),
                "a" => Some(Route::List(Kind::Account)),
                "p" => Some(Route::List(Kind::Person)),
                "d" => Some(Route::List(Kind::Deal)),
                "k" => Some(Route::List(Kind::Task)),
                "c" => Some(Route::List(Kind::Product)),
                "s" => Some(Route::Dashboard),
                _ => None,
            };
            if let Some(r) = to {
                ev.prevent_default();
                ui.go(r);
            }
            return;
        }
        match key.as_str() {
            "/" => {
                ev.prevent_default();
                ui.go(Route::Search);
            }
            "g" => pending_g.set(true),
            "n" => {
                if let Route::List(k) = ui.route.get_untracked() {
                    ev.prevent_default();
                    ui.go(Route::New(k, None));
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}
