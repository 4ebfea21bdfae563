//! The "new version ready" banner. A new build's service worker installs in the
//! background and waits; swapping it in while a rep is typing would reload the
//! page under their hands, so the page's script (`index.html`) announces it
//! instead — the `campo-update-ready` window event, and `window.campoUpdateReady`
//! for an announcement made before the app started — and the rep reloads when it
//! suits them: `window.campoApplyUpdate()` tells the waiting worker to take over,
//! then reloads.
//!
//! The banner is its own small Leptos root at the end of `<body>`, so it shows
//! over every page.

use crate::i18n::data::{DataMsg, t};
use crate::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

const EVENT: &str = "campo-update-ready";
const FLAG: &str = "campoUpdateReady";
const APPLY: &str = "campoApplyUpdate";

fn window_value(name: &str) -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &name.into()).ok()
}

/// Starts listening for a waiting new version and mounts the banner. Call once.
pub fn watch(ui: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let ready = RwSignal::new(window_value(FLAG).is_some_and(|v| v.is_truthy()));
    let announce = Closure::<dyn FnMut()>::new(move || ready.set(true));
    let _ = window.add_event_listener_with_callback(EVENT, announce.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    announce.forget();

    let Some(document) = window.document() else {
        return;
    };
    let (Some(body), Ok(host)) = (document.body(), document.create_element("div")) else {
        return;
    };
    host.set_class_name("update-host");
    if body.append_child(&host).is_err() {
        return;
    }
    let handle = leptos::mount::mount_to(host.unchecked_into(), move || {
        view! { <UpdateBanner ui=ui ready=ready /> }
    });
    // Mounted for the life of the page.
    handle.forget();
}

/// Tells the waiting worker to take over and reloads (just reloads when the
/// page's script is not there).
fn apply() {
    let called = window_value(APPLY)
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .is_some_and(|f| f.call0(&wasm_bindgen::JsValue::NULL).is_ok());
    if !called && let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

#[component]
fn UpdateBanner(ui: AppState, ready: RwSignal<bool>) -> impl IntoView {
    let lang = move || ui.lang.get();
    let reloading = RwSignal::new(false);
    move || {
        ready.get().then(|| {
            view! {
                <div class="banner notice update-ready" role="status" data-testid="update-ready">
                    <p>{move || t(lang(), DataMsg::UpdateReady)}</p>
                    <button type="button" class="primary" data-testid="update-reload"
                        aria-busy=move || reloading.get().to_string()
                        on:click=move |_| {
                            reloading.set(true);
                            apply();
                        }>
                        {move || t(lang(), DataMsg::UpdateReload)}
                    </button>
                </div>
            }
        })
    }
}
