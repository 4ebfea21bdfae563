//! The few things the browser provides that the core deliberately does not:
//! the clock and randomness; and the app's memory, for the benchmark.

use campo_core::day::Day;
use campo_core::ids::DocId;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today in the device's time zone, as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// Today in the device's time zone.
pub fn today_day() -> Day {
    let d = js_sys::Date::new_0();
    Day::from_ymd(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_else(|| Day::from_ms(now_ms()))
}

/// 16 random bytes from the browser's CSPRNG.
pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Only reachable without `crypto.getRandomValues`, which every browser
        // Campo runs in has; ids then stay unique in practice, not in theory.
        for x in &mut b {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b
}

pub fn new_doc_id() -> DocId {
    DocId(random16())
}

/// 32 hex digits, for interaction ids.
pub fn random_hex() -> String {
    DocId(random16()).to_hex()
}

/// Bytes of the app's WebAssembly memory (its Rust heap). Exported for the
/// benchmark, which adds it to the JavaScript heap to report the app's memory.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// A `performance.mark`, for the benchmark to time start-up's parts.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Runs `f` after the browser has painted what is on screen now: for work a
/// page shows below or after its main content (analytics, history,
/// suggestions), so the content itself is never kept waiting for it.
pub fn after_paint(f: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(f, std::time::Duration::ZERO)
    });
}

/// Takes focus off the focused field before the page holding it is replaced.
/// Removing a focused element makes the browser bring the whole old page's
/// style up to date first (to move the focus), work thrown away a moment
/// later; blurring it while the page is still clean costs nothing.
pub fn release_focus() {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        el.blur().ok();
    }
}

/// Runs `f` when the browser is idle (`requestIdleCallback`, at most two
/// seconds away), or after a short pause in a browser without it.
pub fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let has_idle = js_sys::Reflect::has(&window, &"requestIdleCallback".into()).unwrap_or(false);
    if !has_idle {
        leptos::prelude::set_timeout(f, std::time::Duration::from_millis(300));
        return;
    }
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(2000);
    let callback = Closure::once_into_js(f);
    let _ = window.request_idle_callback_with_options(callback.unchecked_ref(), &options);
}

/// Resolves at the start of the next frame (`requestAnimationFrame`).
pub async fn next_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
}
