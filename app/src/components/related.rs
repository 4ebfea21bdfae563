//! The records of one kind linked to an account (its people, deals, tasks), with
//! a button that starts a new one already linked.

use crate::i18n::{self, Msg, t};
use crate::state::{Route, use_app};
use campo_core::ids::DocId;
use campo_core::record::Kind;
use campo_core::summary::Summary;
use leptos::prelude::*;

#[component]
pub fn Related(account: DocId, kind: Kind) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let items = Memo::new(move |_| {
        ui.index_rev.track();
        ui.index.with_value(|i| {
            i.related(account, kind)
                .into_iter()
                .cloned()
                .collect::<Vec<Summary>>()
        })
    });
    view! {
        <section class="card related" data-testid=format!("related-{}", kind.key())>
            <div class="section-head">
                <h2>{move || i18n::kind_plural(lang(), kind)}</h2>
                <a class="button secondary" data-testid=format!("add-{}", kind.key()) href=Route::New(kind, Some(account)).hash()>
                    {move || i18n::new_record(lang(), kind)}
                </a>
            </div>
            {move || {
                let list = items.get();
                if list.is_empty() {
                    return view! { <p class="muted">{t(lang(), Msg::NoneYet)}</p> }.into_any();
                }
                view! {
                    <ul class="rows">
                        {list.into_iter().map(|s| {
                            let meta = i18n::summary_meta(lang(), &s);
                            view! {
                                <li class="row" class:done=s.done>
                                    <a href=Route::Record(kind, s.id).hash() data-testid="related-row">
                                        <span class="row-title">{s.title.clone()}</span>
                                        <span class="row-meta muted small">{meta}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
