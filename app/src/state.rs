//! The UI's shared state: signals the pages read, set by the session and the
//! sync connection. Plain `Copy` handles, provided once as context.

use crate::i18n::Lang;
use crate::session::Campo;
use campo_core::ids::DocId;
use campo_core::index::{CustomerSummary, Index};
use campo_core::protocol::ErrorCode;
use campo_core::sync::{Phase, Status};
use leptos::prelude::*;
use std::rc::Rc;

/// Which page is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    List,
    New,
    Customer(DocId),
}

impl Route {
    /// The URL hash for the route (`#/c/<id>` for a customer).
    pub fn hash(self) -> String {
        match self {
            Route::List => "#/".into(),
            Route::New => "#/new".into(),
            Route::Customer(id) => format!("#/c/{id}"),
        }
    }

    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        if path == "/new" {
            Route::New
        } else if let Some(id) = path.strip_prefix("/c/").and_then(|s| s.parse().ok()) {
            Route::Customer(id)
        } else {
            Route::List
        }
    }
}

/// Where the app stands as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Opening the database.
    Starting,
    /// The database cannot be used; nothing else works.
    NoStorage,
    /// No session: the sign-in form shows.
    SignedOut,
    /// Credentials sent; waiting for the relay's Welcome.
    SigningIn,
    /// Main view.
    SignedIn,
}

/// The relay's last refusal, kept as a code so it re-translates on a language switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub team: String,
}

/// Documents that changed because of the relay, so an open form can refresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteChanges {
    pub rev: u64,
    pub docs: Vec<DocId>,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub route: RwSignal<Route>,
    pub stage: RwSignal<Stage>,
    pub status: RwSignal<Status>,
    pub refusal: RwSignal<Option<Refusal>>,
    /// The relay could not be reached while signing in.
    pub unreachable: RwSignal<bool>,
    pub team: RwSignal<String>,
    pub rep: RwSignal<String>,
    /// Every customer's summary; `index_rev` changes whenever it does.
    pub index: StoredValue<Index>,
    pub index_rev: RwSignal<u64>,
    pub remote: RwSignal<RemoteChanges>,
    /// The list's search text, kept while a customer is open.
    pub search: RwSignal<String>,
    /// The browser refused to keep offline data under storage pressure (and the
    /// rep has not dismissed the notice).
    pub persist_refused: RwSignal<bool>,
    /// The last write of changes from the relay failed for lack of space.
    pub storage_full: RwSignal<bool>,
    /// The session (storage + sync), once the database is open.
    pub campo: StoredValue<Option<Rc<Campo>>, LocalStorage>,
}

impl AppState {
    pub fn new(lang: Lang, route: Route) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            route: RwSignal::new(route),
            stage: RwSignal::new(Stage::Starting),
            status: RwSignal::new(Status {
                phase: Phase::Offline,
                pending: 0,
                rep: None,
            }),
            refusal: RwSignal::new(None),
            unreachable: RwSignal::new(false),
            team: RwSignal::new(String::new()),
            rep: RwSignal::new(String::new()),
            index: StoredValue::new(Index::default()),
            index_rev: RwSignal::new(0),
            remote: RwSignal::new(RemoteChanges::default()),
            search: RwSignal::new(String::new()),
            persist_refused: RwSignal::new(false),
            storage_full: RwSignal::new(false),
            campo: StoredValue::new_local(None),
        }
    }

    pub fn campo(&self) -> Option<Rc<Campo>> {
        self.campo.with_value(Clone::clone)
    }

    /// Replaces the whole index.
    pub fn set_index(&self, index: Index) {
        self.index.set_value(index);
        self.index_rev.update(|r| *r += 1);
    }

    /// Adds or refreshes summaries in the index.
    pub fn upsert(&self, summaries: Vec<CustomerSummary>) {
        if summaries.is_empty() {
            return;
        }
        self.index.update_value(|i| i.upsert_many(summaries));
        self.index_rev.update(|r| *r += 1);
    }

    pub fn remote_changed(&self, docs: Vec<DocId>) {
        if !docs.is_empty() {
            self.remote.update(|r| {
                r.rev += 1;
                r.docs = docs;
            });
        }
    }

    pub fn go(&self, route: Route) {
        self.route.set(route);
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_hash() {
        let id = DocId([0xab; 16]);
        for r in [Route::List, Route::New, Route::Customer(id)] {
            assert_eq!(Route::from_hash(&r.hash()), r);
        }
        assert_eq!(Route::from_hash(""), Route::List);
        assert_eq!(Route::from_hash("#/c/not-an-id"), Route::List);
    }
}
