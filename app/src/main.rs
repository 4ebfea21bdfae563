//! Campo in the browser: a Leptos client-side app over the shared core.
//!
//! Layout:
//! - [`app`]: root component, screens and routing.
//! - [`pages`]: one file per page; [`components`]: pieces shared by pages.
//! - [`state`]: the signals the pages read. [`form`]: a record form's values and edits.
//! - [`analytics_view`]: the book's analytics, computed once per index change;
//!   [`charts`]: the geometry of the dashboard's SVG charts.
//! - [`session`]: start-up, sign-in and saves (storage + sync together).
//! - [`records`]: record documents on this device (open, edit, apply remote).
//! - [`storage`]: IndexedDB. [`sync_conn`]: the WebSocket driving the core's `SyncClient`.
//! - [`settings`]: small per-device settings. [`i18n`]: every user-visible string.
//! - [`platform`]: clock and randomness. [`tabs`]: coordination between tabs
//!   (who syncs, what changed).

mod analytics_view;
mod app;
mod charts;
mod components;
mod data_logic;
mod form;
mod i18n;
mod kanban_logic;
mod order_draft;
mod pages;
mod platform;
mod records;
mod session;
mod settings;
mod state;
mod storage;
mod sync_conn;
mod tabs;
mod today_logic;
mod update;

fn main() {
    // A panic shows in the console with its message instead of a bare "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
