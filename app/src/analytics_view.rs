//! The book's analytics, computed by the core over the index's facts and kept
//! until the index changes, so the dashboard, the Today view, segment filters and
//! the account page all share one computation.

use crate::i18n::{self, Lang};
use crate::platform;
use crate::state::AppState;
use campo_core::analytics::rfm::Segment;
use campo_core::analytics::{Dashboard, DashboardParams};
use campo_core::ids::DocId;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

thread_local! {
    /// The last dashboard and the index revision it was computed from.
    static CACHE: RefCell<Option<(u64, Rc<Dashboard>)>> = const { RefCell::new(None) };
}

/// The analytics of the current book (recomputed when the index changed).
/// Reading it does not subscribe to anything: callers track `index_rev` themselves.
pub fn dashboard(ui: AppState) -> Rc<Dashboard> {
    let rev = ui.index_rev.get_untracked();
    if let Some(d) = CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(r, _)| *r == rev)
            .map(|(_, d)| d.clone())
    }) {
        return d;
    }
    let today = platform::today_day();
    let book = ui.index.with_value(|i| i.book(today));
    let d = Rc::new(Dashboard::compute(
        &book,
        &DashboardParams::for_today(today),
    ));
    CACHE.with(|c| *c.borrow_mut() = Some((rev, d.clone())));
    d
}

/// The accounts of an RFM segment, for the list's segment filter.
pub fn segment_ids(ui: AppState, key: Option<&str>) -> Option<HashSet<DocId>> {
    let segment = Segment::from_key(key?)?;
    let d = dashboard(ui);
    Some(
        d.rfm
            .accounts
            .iter()
            .filter(|a| a.segment == segment)
            .map(|a| a.account)
            .collect(),
    )
}

/// Every segment as (key, label), for filter menus.
pub fn segment_options(lang: Lang) -> Vec<(String, String)> {
    Segment::ALL
        .iter()
        .map(|s| (s.key().to_owned(), i18n::segment_label(lang, *s).to_owned()))
        .collect()
}
