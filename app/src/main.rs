//! Campo in the browser: a Leptos client-side app over the shared core.
//!
//! Layout:
//! - [`app`]: root component, screens and routing.
//! - [`pages`]: one file per page; [`components`]: pieces shared by pages.
//! - [`state`]: the signals the pages read.
//! - [`session`]: start-up, sign-in and saves (storage + sync together).
//! - [`customers`]: customer documents on this device (open, edit, apply remote).
//! - [`storage`]: IndexedDB. [`sync_conn`]: the WebSocket driving the core's `SyncClient`.
//! - [`settings`]: small per-device settings. [`i18n`]: every user-visible string.
//! - [`platform`]: clock and randomness. [`tabs`]: coordination between tabs
//!   (who syncs, what changed).

mod app;
mod components;
mod customers;
mod i18n;
mod pages;
mod platform;
mod session;
mod settings;
mod state;
mod storage;
mod sync_conn;
mod tabs;

fn main() {
    // A panic shows in the console with its message instead of a bare "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
