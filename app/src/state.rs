//! The UI's shared state: signals the pages read, set by the session and the
//! sync connection. Plain `Copy` handles, provided once as context.

use crate::i18n::Lang;
use crate::session::Campo;
use campo_core::ids::DocId;
use campo_core::index::{Index, Query};
use campo_core::protocol::ErrorCode;
use campo_core::record::{Kind, Record};
use campo_core::summary::Summary;
use campo_core::sync::{Phase, Status};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Which page is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The rep's day: overdue and due tasks, planned visits, who to contact.
    Today,
    /// A list of one kind of record.
    List(Kind),
    /// One record.
    Record(Kind, DocId),
    /// A new record, linked to an account when one is given.
    New(Kind, Option<DocId>),
    /// Search across every kind.
    Search,
    Dashboard,
    /// Team settings: custom fields, saved views, rep tokens.
    Admin,
    /// Import, export and backup.
    Data,
}

/// The URL word for a kind's pages.
pub fn kind_slug(kind: Kind) -> &'static str {
    match kind {
        Kind::Account => "accounts",
        Kind::Person => "people",
        Kind::Product => "products",
        Kind::Deal => "deals",
        Kind::Task => "tasks",
        Kind::Team => "team",
    }
}

fn kind_of_slug(slug: &str) -> Option<Kind> {
    Kind::ALL
        .into_iter()
        .find(|k| *k != Kind::Team && kind_slug(*k) == slug)
}

impl Route {
    /// The URL hash for the route: `#/accounts/<id>`, `#/people/new?account=<id>`…
    pub fn hash(self) -> String {
        match self {
            Route::Today => "#/".into(),
            Route::List(k) => format!("#/{}", kind_slug(k)),
            Route::Record(k, id) => format!("#/{}/{id}", kind_slug(k)),
            Route::New(k, None) => format!("#/{}/new", kind_slug(k)),
            Route::New(k, Some(a)) => format!("#/{}/new?account={a}", kind_slug(k)),
            Route::Search => "#/search".into(),
            Route::Dashboard => "#/dashboard".into(),
            Route::Admin => "#/admin".into(),
            Route::Data => "#/data".into(),
        }
    }

    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut parts = path.split('/');
        let (first, second) = (parts.next().unwrap_or(""), parts.next());
        match (first, second) {
            ("search", None) => Route::Search,
            ("dashboard", None) => Route::Dashboard,
            ("admin", None) => Route::Admin,
            ("data", None) => Route::Data,
            (slug, rest) => match (kind_of_slug(slug), rest) {
                (Some(k), None) => Route::List(k),
                (Some(k), Some("new")) => Route::New(
                    k,
                    query
                        .strip_prefix("account=")
                        .and_then(|id| id.parse().ok()),
                ),
                (Some(k), Some(id)) => match id.parse() {
                    Ok(id) => Route::Record(k, id),
                    Err(_) => Route::List(k),
                },
                (None, _) => Route::Today,
            },
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
    /// Every record's summary; `index_rev` changes whenever it does.
    pub index: StoredValue<Index>,
    pub index_rev: RwSignal<u64>,
    pub remote: RwSignal<RemoteChanges>,
    /// Each list's query (search text, filters, sort), kept while a record is open.
    pub queries: RwSignal<BTreeMap<Kind, Query>>,
    /// The global search's text.
    pub search: RwSignal<String>,
    /// The team's settings document (custom fields, saved views), once stored.
    pub team_doc: RwSignal<Option<Record>>,
    /// The browser refused to keep offline data under storage pressure (and the
    /// rep has not dismissed the notice).
    pub persist_refused: RwSignal<bool>,
    /// The last write of changes from the relay failed for lack of space.
    pub storage_full: RwSignal<bool>,
    /// A fresh device is storing the team's book: records stored, and how many.
    pub download: RwSignal<Option<(u64, u64)>>,
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
            queries: RwSignal::new(BTreeMap::new()),
            search: RwSignal::new(String::new()),
            team_doc: RwSignal::new(None),
            persist_refused: RwSignal::new(false),
            storage_full: RwSignal::new(false),
            download: RwSignal::new(None),
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
    pub fn upsert(&self, summaries: Vec<Summary>) {
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
        if self.route.get_untracked() != route {
            crate::platform::release_focus();
        }
        self.route.set(route);
    }

    /// The query of a kind's list.
    pub fn query(&self, kind: Kind) -> Query {
        self.queries.with(|q| {
            q.get(&kind).cloned().unwrap_or_else(|| Query {
                kind: Some(kind),
                ..Query::default()
            })
        })
    }

    pub fn set_query(&self, kind: Kind, query: Query) {
        self.queries.update(|q| {
            q.insert(kind, query);
        });
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
        let mut routes = vec![
            Route::Today,
            Route::Search,
            Route::Dashboard,
            Route::Admin,
            Route::Data,
        ];
        for k in [
            Kind::Account,
            Kind::Person,
            Kind::Product,
            Kind::Deal,
            Kind::Task,
        ] {
            routes.extend([
                Route::List(k),
                Route::Record(k, id),
                Route::New(k, None),
                Route::New(k, Some(id)),
            ]);
        }
        for r in routes {
            assert_eq!(Route::from_hash(&r.hash()), r);
        }
        assert_eq!(Route::from_hash(""), Route::Today);
        assert_eq!(
            Route::from_hash("#/accounts/not-an-id"),
            Route::List(Kind::Account)
        );
        assert_eq!(Route::from_hash("#/nowhere"), Route::Today);
    }
}
