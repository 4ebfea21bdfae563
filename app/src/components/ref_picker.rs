//! Picks another record (an account, a person, a product…) by typing part of its
//! name: the matches come from the in-memory index, so it works offline and fast.

use crate::i18n::{Msg, t};
use crate::state::use_app;
use campo_core::ids::DocId;
use campo_core::index::{Query, QueryContext};
use campo_core::record::Kind;
use leptos::prelude::*;

/// Matches shown while typing.
const MATCHES: usize = 8;

#[component]
pub fn RefPicker(
    dom_id: String,
    kind: Kind,
    testid: String,
    /// The picked record's id as hex, or empty.
    value: Signal<String>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let ui = use_app();
    let typed = RwSignal::new(None::<String>);
    let title = move || {
        let id: Option<DocId> = value.get().parse().ok();
        ui.index_rev.track();
        id.and_then(|id| ui.index.with_value(|i| i.get(&id).map(|s| s.title.clone())))
            .unwrap_or_default()
    };
    let matches = move || {
        let text = typed.get()?;
        if text.trim().is_empty() {
            return Some(Vec::new());
        }
        let q = Query {
            kind: Some(kind),
            text,
            ..Query::default()
        };
        let ctx = QueryContext {
            today: crate::platform::today_day(),
            segment: None,
        };
        Some(ui.index.with_value(|i| {
            i.search(&q, &ctx, MATCHES)
                .items
                .into_iter()
                .map(|s| (s.id, s.title.clone(), s.city.clone()))
                .collect::<Vec<_>>()
        }))
    };
    let list_id = format!("{dom_id}-matches");
    view! {
        <div class="ref-picker">
            <input
                id=dom_id
                type="search"
                autocomplete="off"
                role="combobox"
                aria-controls=list_id.clone()
                aria-expanded=move || typed.with(Option::is_some).to_string()
                data-testid=testid
                placeholder=move || t(ui.lang.get(), Msg::TypeToSearch)
                prop:value=move || typed.get().unwrap_or_else(title)
                on:input=move |ev| typed.set(Some(event_target_value(&ev)))
                on:focus=move |_| if typed.get_untracked().is_none() { typed.set(Some(String::new())) }
            />
            {move || matches().map(|m| {
                let none = m.is_empty();
                view! {
                    <ul class="ref-matches" id=list_id.clone() role="listbox">
                        {m.into_iter().map(|(id, name, city)| view! {
                            <li role="option">
                                <button type="button" class="ghost" data-testid="ref-match" on:click=move |_| {
                                    on_pick.run(id.to_hex());
                                    typed.set(None);
                                }>
                                    {name}
                                    {(!city.is_empty()).then(|| view! { <span class="muted small">" · " {city.clone()}</span> })}
                                </button>
                            </li>
                        }).collect_view()}
                        <li>
                            <button type="button" class="ghost small" data-testid="ref-clear" on:click=move |_| {
                                on_pick.run(String::new());
                                typed.set(None);
                            }>{move || t(ui.lang.get(), if none { Msg::Close } else { Msg::ClearChoice })}</button>
                        </li>
                    </ul>
                }
            })}
        </div>
    }
}
