//! Search across every kind of record: accounts, people, deals, tasks and
//! products, names, contacts, tags and notes.

use crate::i18n::{self, Msg, t};
use crate::platform;
use crate::state::{Route, use_app};
use campo_core::index::{Query, QueryContext};
use campo_core::summary::Summary;
use leptos::prelude::*;

/// Matches shown.
const LIMIT: usize = 50;

#[component]
pub fn SearchPage() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let results = Memo::new(move |_| {
        ui.index_rev.track();
        let text = ui.search.get();
        if text.trim().is_empty() {
            return (Vec::new(), 0);
        }
        let q = Query {
            text,
            ..Query::default()
        };
        let ctx = QueryContext {
            today: platform::today_day(),
            segment: None,
        };
        ui.index.with_value(|i| {
            let r = i.search(&q, &ctx, LIMIT);
            (
                r.items.into_iter().cloned().collect::<Vec<Summary>>(),
                r.total,
            )
        })
    });
    view! {
        <section class="search-page">
            <h1>{move || t(lang(), Msg::NavSearch)}</h1>
            <input
                type="search"
                class="search"
                data-testid="global-search"
                autofocus
                aria-label=move || t(lang(), Msg::SearchEverything)
                placeholder=move || t(lang(), Msg::SearchEverything)
                prop:value=move || ui.search.get()
                on:input=move |ev| ui.search.set(event_target_value(&ev))
            />
            <ul class="rows">
                {move || results.get().0.into_iter().map(|s| {
                    let meta = i18n::summary_meta(lang(), &s);
                    view! {
                        <li class="row">
                            <a href=Route::Record(s.kind, s.id).hash() data-testid="search-row">
                                <span class="row-main">
                                    <span class="row-title">{s.title.clone()}</span>
                                    <span class="row-meta muted small">{meta}</span>
                                </span>
                                <span class="badge muted">{i18n::kind_label(lang(), s.kind)}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
