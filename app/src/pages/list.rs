//! The customer list: search as you type over the in-memory index, capped so
//! 10,000 customers stay fast.

use crate::i18n::{self, Msg, t};
use crate::state::{Route, use_app};
use campo_core::index::CustomerSummary;
use leptos::prelude::*;

/// Rows rendered at most; the rest are counted and the rep refines the search.
const LIST_LIMIT: usize = 100;

#[component]
pub fn ListPage() -> impl IntoView {
    let ui = use_app();
    let results = Memo::new(move |_| {
        ui.index_rev.track();
        let query = ui.search.get();
        ui.index.with_value(|index| {
            let r = index.search(&query, LIST_LIMIT);
            let items: Vec<CustomerSummary> = r.items.into_iter().cloned().collect();
            (items, r.total, index.len())
        })
    });

    let rows = move || {
        let lang = ui.lang.get();
        let (items, total, all) = results.get();
        if items.is_empty() {
            let msg = if all == 0 {
                Msg::NoCustomers
            } else {
                Msg::NoMatches
            };
            return view! { <p class="empty">{t(lang, msg)}</p> }.into_any();
        }
        let more = total - items.len();
        view! {
            <ul class="customer-list">
                {items.into_iter().map(|s| row(lang, s)).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="list-more" data-testid="list-more">{i18n::more_results(lang, more)}</p> })}
        }
        .into_any()
    };

    view! {
        <section class="list-page">
            <div class="list-tools">
                <input
                    type="search"
                    class="search"
                    data-testid="search"
                    aria-label=move || t(ui.lang.get(), Msg::Search)
                    placeholder=move || t(ui.lang.get(), Msg::Search)
                    prop:value=move || ui.search.get()
                    on:input=move |ev| ui.search.set(event_target_value(&ev))
                />
                <button type="button" class="primary" data-testid="new-customer" on:click=move |_| ui.go(Route::New)>
                    {move || t(ui.lang.get(), Msg::NewCustomer)}
                </button>
            </div>
            <p class="muted small count">
                {move || {
                    let (_, total, _) = results.get();
                    i18n::customer_count(ui.lang.get(), total)
                }}
            </p>
            {rows}
        </section>
    }
}

fn row(lang: i18n::Lang, s: CustomerSummary) -> impl IntoView {
    let href = Route::Customer(s.id).hash();
    let meta: Vec<&str> = [s.company.as_str(), s.city.as_str()]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let meta = meta.join(" · ");
    let contact = s
        .last_contact
        .as_deref()
        .map(|d| i18n::last_contact(lang, d));
    view! {
        <li>
            <a class="customer-row" data-testid="customer-row" href=href>
                <span class="row-main">
                    <span class="row-name">{s.name}</span>
                    <span class="row-meta">{meta}</span>
                </span>
                <span class="row-side">
                    {(s.conflicts > 0).then(|| view! { <span class="badge badge-warn">{t(lang, Msg::Conflicts)}</span> })}
                    {contact.map(|c| view! { <span class="row-meta">{c}</span> })}
                </span>
            </a>
        </li>
    }
}
