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
