//! The rarely used pages (dashboard, import/export, team administration), each
//! compiled into its own wasm module that the browser fetches the first time the
//! page opens, so they are not part of the first load (ARCHITECTURE.md,
//! "Release profile").
//!
//! Each `#[wasm_split]` function is a split point: in the wasm build it calls
//! through an import that `app/wasm-split.sh` (a Trunk hook, after cargo) links
//! to the split module; everything only that function reaches moves there.
//! Natively (the unit tests) it is a plain call. A failed fetch (offline
//! without the module in the service worker's cache) shows a message with a
//! Reload button instead of aborting the app; the next visit tries again.

use crate::i18n::{Msg, t};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

#[wasm_split(dashboard, wasm_split_path = ::leptos::wasm_split, fallible)]
fn dashboard_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::pages::dashboard::DashboardPage /> }.into_any())
}

#[wasm_split(data, wasm_split_path = ::leptos::wasm_split, fallible)]
fn data_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::pages::data::DataPage /> }.into_any())
}

#[wasm_split(admin, wasm_split_path = ::leptos::wasm_split, fallible)]
fn admin_page() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::pages::admin::AdminPage /> }.into_any())
}

/// Which lazily loaded page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LazyPage {
    Dashboard,
    Data,
    Admin,
}

/// The page once its module is loaded; "Loading…" until then.
pub fn lazy_page(page: LazyPage) -> AnyView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let loaded = async move {
        let view = match page {
            LazyPage::Dashboard => dashboard_page().await,
            LazyPage::Data => data_page().await,
            LazyPage::Admin => admin_page().await,
        };
        view.unwrap_or_else(|_| load_failed())
    };
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || t(lang(), Msg::Loading)}</p> }>
            {Suspend::new(loaded)}
        </Suspense>
    }
    .into_any()
}

fn load_failed() -> AnyView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    view! {
        <div class="banner" role="alert" data-testid="page-load-failed">
            <p>{move || t(lang(), Msg::PageLoadFailed)}</p>
            <button type="button" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }>{move || t(lang(), Msg::Reload)}</button>
        </div>
    }
    .into_any()
}
