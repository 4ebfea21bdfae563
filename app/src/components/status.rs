//! The sync status: always visible, so a rep knows whether their edits have left
//! the tablet.

use crate::i18n::{Msg, book_download, changes_waiting, t};
use crate::state::use_app;
use campo_core::sync::Phase;
use leptos::prelude::*;

/// The `data-state` the status shows (also what the end-to-end tests read).
fn state_of(phase: Phase, pending: usize) -> &'static str {
    match phase {
        Phase::Refused => "refused",
        Phase::Offline => "offline",
        Phase::Connecting | Phase::CatchingUp => "connecting",
        Phase::Live if pending > 0 => "pending",
        Phase::Live => "synced",
    }
}

#[component]
pub fn SyncStatus() -> impl IntoView {
    let ui = use_app();
    let state = move || {
        let s = ui.status.get();
        state_of(s.phase, s.pending)
    };
    let text = move || {
        let lang = ui.lang.get();
        let s = ui.status.get();
        if let Some((done, total)) = ui.download.get() {
            return book_download(lang, done, total);
        }
        let head = match s.phase {
            Phase::Refused => t(lang, Msg::StatusRefused),
            Phase::Offline => t(lang, Msg::StatusOffline),
            Phase::Connecting | Phase::CatchingUp => t(lang, Msg::StatusConnecting),
            Phase::Live if s.pending > 0 => t(lang, Msg::StatusOnline),
            Phase::Live => t(lang, Msg::StatusSynced),
        };
        if s.pending > 0 && s.phase != Phase::Refused {
            format!("{head} · {}", changes_waiting(lang, s.pending))
        } else {
            head.to_owned()
        }
    };
    view! {
        <div class="status" data-testid="sync-status" data-state=state role="status" aria-live="polite">
            <span class="status-dot" aria-hidden="true"></span>
            <span class="status-text">{text}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_match_the_test_contract() {
        assert_eq!(state_of(Phase::Offline, 2), "offline");
        assert_eq!(state_of(Phase::Connecting, 0), "connecting");
        assert_eq!(state_of(Phase::CatchingUp, 0), "connecting");
        assert_eq!(state_of(Phase::Live, 1), "pending");
        assert_eq!(state_of(Phase::Live, 0), "synced");
        assert_eq!(state_of(Phase::Refused, 3), "refused");
    }
}
