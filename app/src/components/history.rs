//! A record's history from its Automerge changes: who changed which fields, when.
//! Works offline: the changes are on the device.

use crate::i18n::{self, Msg, t};
use crate::state::use_app;
use campo_core::ids::DocId;
use campo_core::record::{HistoryEntry, Kind, Touch};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Entries shown before "show all".
const RECENT: usize = 10;

#[component]
pub fn History(id: DocId) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let entries = RwSignal::new(None::<(Option<Kind>, Vec<HistoryEntry>)>);
    let all = RwSignal::new(false);
    let load = move || {
        let Some(campo) = ui.campo() else { return };
        spawn_local(async move {
            if let Some(h) = campo.history(id).await {
                entries.set(Some(h));
            }
        });
    };
    // Reload when the record changes here or remotely, after the record has
    // shown the change.
    Effect::new(move |_| {
        ui.remote.track();
        ui.index_rev.track();
        crate::platform::after_paint(move || untrack(load));
    });
    let rows = move || {
        let lang = lang();
        entries.with(|e| {
            let (kind, list) = e.as_ref()?;
            let kind = kind.unwrap_or(Kind::Account);
            let total = list.len();
            let shown: Vec<HistoryEntry> = if all.get() {
                list.iter().rev().cloned().collect()
            } else {
                list.iter().rev().take(RECENT).cloned().collect()
            };
            Some(view! {
                <ol class="history" data-testid="history">
                    {shown.into_iter().map(|h| {
                        let what = h.touched.iter().map(|t| touch_text(lang, kind, t)).collect::<Vec<_>>().join("; ");
                        let who = if h.rep.is_empty() { t(lang, Msg::SystemUpdate).to_owned() } else { h.rep.clone() };
                        view! {
                            <li data-testid="history-entry">
                                <span class="history-who">{who}</span>
                                <span class="muted small">{i18n::date_time(lang, h.at)}</span>
                                <span class="history-what">{what}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {(total > RECENT && !all.get()).then(|| view! {
                    <button type="button" class="ghost" on:click=move |_| all.set(true)>{t(lang, Msg::ShowAll)}</button>
                })}
            })
        })
    };
    view! {
        <section class="card">
            <h2>{move || t(lang(), Msg::History)}</h2>
            {rows}
        </section>
    }
}

fn touch_text(lang: i18n::Lang, kind: Kind, touch: &Touch) -> String {
    match touch {
        Touch::Created => t(lang, Msg::Created).to_owned(),
        Touch::Tags => i18n::field_label(lang, kind, "tags").to_owned(),
        Touch::Notes => i18n::field_label(lang, kind, "notes").to_owned(),
        Touch::Deleted(true) => t(lang, Msg::MovedToBin).to_owned(),
        Touch::Deleted(false) => t(lang, Msg::Restored).to_owned(),
        Touch::Item { coll, .. } => i18n::coll_label(lang, coll).to_owned(),
        Touch::Field(key, value) => {
            let label = match key.strip_prefix("custom/") {
                Some(_) => t(lang, Msg::CustomField),
                None => i18n::field_label(lang, kind, key),
            };
            let spec = kind.spec().field(key);
            let shown = match (spec.map(|f| f.ty), value) {
                (_, v) if v.is_empty() => i18n::empty_value(lang).to_owned(),
                (Some(campo_core::record::FieldType::Choice(_)), v) => {
                    i18n::choice_label(lang, key, v.as_str()).to_owned()
                }
                (Some(campo_core::record::FieldType::Money), v) => {
                    i18n::money(lang, v.as_int().unwrap_or(0))
                }
                (Some(campo_core::record::FieldType::Ref(_)), _) => "…".to_owned(),
                (Some(ty), v) => v.input(ty),
                (None, v) => v.input(campo_core::record::FieldType::Text),
            };
            format!("{label}: {shown}")
        }
    }
}
