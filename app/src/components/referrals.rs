//! Word of mouth, both ways: who referred this account, and whom it referred.

use crate::i18n::{Msg, t};
use crate::state::{Route, use_app};
use campo_core::ids::DocId;
use campo_core::record::{Kind, Record};
use leptos::prelude::*;

#[component]
pub fn Referrals(account: DocId, record: Signal<Option<Record>>) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let by = move || {
        let id = record.with(|r| r.as_ref().and_then(|r| r.get("referred_by").as_id()))?;
        ui.index_rev.track();
        let title = ui
            .index
            .with_value(|i| i.get(&id).map(|s| s.title.clone()))?;
        Some(view! {
            <p data-testid="referred-by">
                {t(lang(), Msg::ReferredBy)} " "
                <a href=Route::Record(Kind::Account, id).hash()>{title}</a>
            </p>
        })
    };
    let referred = Memo::new(move |_| {
        ui.index_rev.track();
        ui.index.with_value(|i| {
            i.referred_by(account)
                .into_iter()
                .map(|s| (s.id, s.title.clone()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="card referrals" data-testid="referrals">
            <h2>{move || t(lang(), Msg::Referrals)}</h2>
            {by}
            {move || {
                let list = referred.get();
                if list.is_empty() {
                    return view! { <p class="muted">{t(lang(), Msg::NoReferrals)}</p> }.into_any();
                }
                view! {
                    <p>{t(lang(), Msg::HasReferred)}</p>
                    <ul class="rows">
                        {list.into_iter().map(|(id, title)| view! {
                            <li class="row"><a href=Route::Record(Kind::Account, id).hash() data-testid="referred-row">{title}</a></li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
