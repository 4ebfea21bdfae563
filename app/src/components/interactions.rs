//! The interactions log of an account or a person, and logging a new one. A visit
//! takes three taps: the channel, (optionally a summary,) the rating, "Log".

use crate::i18n::{self, Msg, t};
use crate::pages::record::{Ctx, Notice};
use crate::platform;
use crate::state::Route;
use campo_core::day::Day;
use campo_core::record::{Edit, Item, Kind, schema};
use campo_core::sorting;
use leptos::prelude::*;

#[component]
pub fn Interactions(ctx: Ctx) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let channel = RwSignal::new(None::<&'static str>);
    let date = RwSignal::new(platform::today());
    let summary = RwSignal::new(String::new());
    let next_step = RwSignal::new(String::new());
    let rating = RwSignal::new("");
    let direction = RwSignal::new("out");
    let time = RwSignal::new(String::new());
    let duration = RwSignal::new(String::new());
    let detail_error = RwSignal::new(None::<campo_core::record::Invalid>);
    let error = RwSignal::new(None::<campo_core::record::Invalid>);

    let log_it = move || {
        let Some(ch) = channel.get_untracked() else {
            return;
        };
        let d = date.get_untracked();
        if let Err(e) = Day::parse(&d) {
            error.set(Some(campo_core::record::Invalid::Date(e.0)));
            return;
        }
        error.set(None);
        let mut fields = vec![
            ("channel".to_owned(), ch.to_owned()),
            ("date".to_owned(), d),
            (
                "summary".to_owned(),
                summary.get_untracked().trim().to_owned(),
            ),
            (
                "next_step".to_owned(),
                next_step.get_untracked().trim().to_owned(),
            ),
            ("rating".to_owned(), rating.get_untracked().to_owned()),
            ("direction".to_owned(), direction.get_untracked().to_owned()),
            ("time".to_owned(), time.get_untracked().trim().to_owned()),
            (
                "duration".to_owned(),
                duration.get_untracked().trim().to_owned(),
            ),
        ];
        // Time and duration are checked here so their message shows in this form.
        let spec = campo_core::record::schema::INTERACTIONS;
        for key in ["time", "duration"] {
            let typed = fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            if let Some(f) = spec.field(key)
                && let Err(e) = campo_core::record::value::parse(key, f.ty, &typed)
            {
                detail_error.set(Some(e));
                return;
            }
        }
        detail_error.set(None);
        if ctx.kind == Kind::Person
            && let Some(id) = ctx.id
        {
            fields.push(("person".to_owned(), id.to_hex()));
        }
        let edit = Edit::PutItem {
            coll: "interactions".into(),
            id: platform::random_hex(),
            fields,
        };
        ctx.save_edits(vec![edit], move || {
            channel.set(None);
            summary.set(String::new());
            next_step.set(String::new());
            rating.set("");
            time.set(String::new());
            duration.set(String::new());
            ctx.notice.set(Some(Notice::Saved));
        });
    };

    let chips = move || {
        schema::CHANNELS
            .iter()
            .map(|c| {
                let c: &'static str = c;
                view! {
                    <button type="button" class="chip" data-testid=format!("log-{c}")
                        aria-pressed=move || (channel.get() == Some(c)).to_string()
                        on:click=move |_| channel.set(Some(c))>
                        {move || i18n::choice_label(lang(), "channel", c)}
                    </button>
                }
            })
            .collect_view()
    };
    let details = move || {
        channel.get().map(|_| {
            view! {
                <div class="form-grid interaction-details">
                    <div class="field" class:invalid=move || error.with(Option::is_some)>
                        <label for="i-date">{move || i18n::field_label(lang(), Kind::Account, "date")}</label>
                        <input id="i-date" type="date" data-testid="interaction-date" prop:value=move || date.get()
                            on:input=move |ev| date.set(event_target_value(&ev)) />
                        {move || error.get().map(|e| view! {
                            <p class="error" data-testid="error-interaction-date" role="alert">{i18n::invalid(lang(), &e)}</p>
                        })}
                    </div>
                    <div class="field">
                        <span class="label">{move || i18n::field_label(lang(), Kind::Account, "rating")}</span>
                        <div class="chips" role="group">
                            {["positive", "neutral", "negative"].map(|r| view! {
                                <button type="button" class="chip" data-testid=format!("rating-{r}")
                                    aria-pressed=move || (rating.get() == r).to_string()
                                    on:click=move |_| rating.set(if rating.get_untracked() == r { "" } else { r })>
                                    {move || i18n::choice_label(lang(), "rating", r)}
                                </button>
                            })}
                        </div>
                    </div>
                    <div class="field">
                        <span class="label">{move || i18n::field_label(lang(), Kind::Account, "direction")}</span>
                        <div class="chips" role="group">
                            {["out", "in"].map(|d| view! {
                                <button type="button" class="chip" data-testid=format!("direction-{d}")
                                    aria-pressed=move || (direction.get() == d).to_string()
                                    on:click=move |_| direction.set(d)>
                                    {move || i18n::choice_label(lang(), "direction", d)}
                                </button>
                            })}
                        </div>
                    </div>
                    <div class="field">
                        <label for="i-time">{move || i18n::field_label(lang(), Kind::Account, "time")}</label>
                        <input id="i-time" type="time" data-testid="interaction-time" prop:value=move || time.get()
                            on:input=move |ev| time.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="i-duration">{move || i18n::field_label(lang(), Kind::Account, "duration")}</label>
                        <input id="i-duration" type="number" min="0" max="1440" inputmode="numeric" data-testid="interaction-duration"
                            prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev)) />
                    </div>
                    <div class="field wide">
                        <label for="i-summary">{move || i18n::field_label(lang(), Kind::Account, "summary")}</label>
                        <textarea id="i-summary" rows="2" data-testid="interaction-summary" prop:value=move || summary.get()
                            on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
                    </div>
                    <div class="field wide">
                        <label for="i-next">{move || i18n::field_label(lang(), Kind::Account, "next_step")}</label>
                        <input id="i-next" data-testid="interaction-next-step" prop:value=move || next_step.get()
                            on:input=move |ev| next_step.set(event_target_value(&ev)) />
                    </div>
                    {move || detail_error.get().map(|e| view! {
                        <p class="error wide" data-testid="error-interaction-detail" role="alert">{i18n::invalid(lang(), &e)}</p>
                    })}
                    <div class="form-actions">
                        <button type="button" class="primary" data-testid="add-interaction" on:click=move |_| log_it()>
                            {move || t(lang(), Msg::AddInteraction)}
                        </button>
                        <button type="button" class="ghost" on:click=move |_| channel.set(None)>{move || t(lang(), Msg::Cancel)}</button>
                    </div>
                </div>
            }
        })
    };

    let rows = move || {
        let lang = lang();
        let mut list: Vec<Item> = ctx.record.with(|r| {
            r.as_ref()
                .map(|r| r.items("interactions").cloned().collect())
                .unwrap_or_default()
        });
        sorting::sort_by(&mut list, |a, b| {
            b.text("date").cmp(a.text("date")).then(b.at.cmp(&a.at))
        });
        if list.is_empty() {
            return view! { <p class="muted">{t(lang, Msg::NoInteractions)}</p> }.into_any();
        }
        view! {
            <ul class="interactions">
                {list.into_iter().map(|i| interaction_row(ctx, lang, i)).collect_view()}
            </ul>
        }
        .into_any()
    };

    view! {
        <section class="card interactions-card">
            <h2>{move || t(lang(), Msg::Interactions)}</h2>
            <div class="log-interaction">
                <p class="small muted">{move || t(lang(), Msg::LogInteraction)}</p>
                <div class="chips" role="group">{chips}</div>
                {details}
            </div>
            {rows}
        </section>
    }
}

fn interaction_row(ctx: Ctx, lang: i18n::Lang, i: Item) -> impl IntoView {
    let person = i
        .get("person")
        .as_id()
        .filter(|_| ctx.kind == Kind::Account)
        .and_then(|id| {
            ctx.ui
                .index
                .with_value(|x| x.get(&id).map(|s| (id, s.title.clone())))
        });
    let rating = i.text("rating").to_owned();
    view! {
        <li class="interaction" data-testid="interaction-row">
            <div class="interaction-head">
                <span class="badge">{i18n::choice_label(lang, "channel", i.text("channel"))}</span>
                <time datetime=i.text("date").to_owned()>{i18n::date(lang, i.text("date"))}</time>
                {(!i.text("time").is_empty()).then(|| view! { <span class="small">{i.text("time").to_owned()}</span> })}
                {(i.text("direction") == "in").then(|| view! { <span class="badge muted">{i18n::choice_label(lang, "direction", "in")}</span> })}
                {i.get("duration").as_int().filter(|d| *d > 0).map(|d| view! { <span class="small muted">{i18n::minutes(lang, d)}</span> })}
                {(!rating.is_empty()).then(|| view! { <span class="badge muted">{i18n::choice_label(lang, "rating", &rating)}</span> })}
                {person.map(|(id, name)| view! { <a class="small" href=Route::Record(Kind::Person, id).hash()>{name}</a> })}
                <span class="muted small">{i18n::logged_by(lang, &i.by)}</span>
            </div>
            {(!i.text("summary").is_empty()).then(|| view! { <p>{i.text("summary").to_owned()}</p> })}
            {(!i.text("outcome").is_empty()).then(|| view! {
                <p class="outcome"><strong>{i18n::field_label(lang, Kind::Account, "outcome")} ": "</strong>{i.text("outcome").to_owned()}</p>
            })}
            {(!i.text("next_step").is_empty()).then(|| view! {
                <p class="small"><strong>{i18n::field_label(lang, Kind::Account, "next_step")} ": "</strong>{i.text("next_step").to_owned()}</p>
            })}
        </li>
    }
}
