//! The team page: custom field definitions and saved views (both in the team's
//! settings document, so they sync and merge like any record) and rep tokens.

use crate::i18n::admin::{AdminMsg, t};
use crate::i18n::{self, Msg};
use crate::platform;
use crate::records::log;
use crate::state::{AppState, use_app};
use campo_core::record::{Edit, Item, Kind, TEAM_DOC, schema};
use campo_core::sorting;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Saves edits to the team document and refreshes the page's copy.
fn save_team(ui: AppState, edits: Vec<Edit>, error: RwSignal<Option<String>>) {
    let Some(campo) = ui.campo() else { return };
    spawn_local(async move {
        match campo.save(Kind::Team, Some(TEAM_DOC), edits).await {
            Ok(saved) => {
                error.set(None);
                ui.team_doc.set(Some(saved.record));
            }
            Err(e) => {
                log(&format!("cannot save the team settings: {e}"));
                error.set(Some(match e {
                    crate::records::SaveError::Edit(campo_core::record::EditError::Invalid(i)) => {
                        i18n::invalid(ui.lang.get_untracked(), &i)
                    }
                    _ => i18n::t(ui.lang.get_untracked(), Msg::SaveFailed).to_owned(),
                }));
            }
        }
    });
}

fn confirm(lang: i18n::Lang, msg: AdminMsg) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(t(lang, msg)).ok())
        .unwrap_or(false)
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    view! {
        <section class="admin-page">
            <h1>{move || t(lang(), AdminMsg::Title)}</h1>
            <CustomFields />
            <SavedViews />
            <crate::components::tokens::Tokens />
        </section>
    }
}

#[component]
fn CustomFields() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let error = RwSignal::new(None::<String>);
    let label = RwSignal::new(String::new());
    let ty = RwSignal::new("text".to_owned());
    let choices = RwSignal::new(String::new());
    let target = RwSignal::new("account".to_owned());
    let defs = move || -> Vec<Item> {
        ui.team_doc.with(|t| {
            let mut d: Vec<Item> = t
                .as_ref()
                .map(|t| t.items("custom_fields").cloned().collect())
                .unwrap_or_default();
            sorting::sort_by_key(&mut d, |i| (i.get("position").as_int().unwrap_or(0), i.at));
            d
        })
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let position = defs().len().to_string();
        let edit = Edit::PutItem {
            coll: "custom_fields".into(),
            id: platform::random_hex(),
            fields: vec![
                ("label".into(), label.get_untracked()),
                ("type".into(), ty.get_untracked()),
                ("choices".into(), choices.get_untracked()),
                ("applies_to".into(), target.get_untracked()),
                ("position".into(), position),
            ],
        };
        save_team(ui, vec![edit], error);
        label.set(String::new());
        choices.set(String::new());
    };
    let select = |key: &'static str, options: &'static [&'static str], sig: RwSignal<String>| {
        view! {
            <select id=format!("cf-{key}") data-testid=format!("cf-{key}") on:change=move |ev| sig.set(event_target_value(&ev))>
                {options.iter().map(|o| view! {
                    <option value=*o prop:selected=move || sig.get() == *o>{move || i18n::choice_label(ui.lang.get(), key, o)}</option>
                }).collect_view()}
            </select>
        }
    };
    view! {
        <section class="card" data-testid="custom-fields">
            <h2>{move || t(lang(), AdminMsg::CustomFields)}</h2>
            <p class="muted small">{move || t(lang(), AdminMsg::CustomFieldsHelp)}</p>
            <ul class="rows">
                {move || {
                    let list = defs();
                    if list.is_empty() {
                        return view! { <li class="empty">{t(lang(), AdminMsg::NoCustomFields)}</li> }.into_any();
                    }
                    list.into_iter().map(|d| {
                        let id = d.id.clone();
                        let id2 = d.id.clone();
                        let meta = format!(
                            "{} · {}{}",
                            i18n::choice_label(lang(), "type", d.text("type")),
                            i18n::choice_label(lang(), "applies_to", d.text("applies_to")),
                            if d.text("choices").is_empty() { String::new() } else { format!(" · {}", d.text("choices")) },
                        );
                        view! {
                            <li class="row" data-testid="custom-field-row">
                                <span class="row-main">
                                    <span class="row-title">{d.text("label").to_owned()}</span>
                                    <span class="row-meta muted small">{meta}</span>
                                </span>
                                <span class="row-side">
                                    <button type="button" class="ghost small" on:click=move |_| {
                                        let lang = ui.lang.get_untracked();
                                        if let Some(name) = web_sys::window()
                                            .and_then(|w| w.prompt_with_message(t(lang, AdminMsg::NewName)).ok().flatten())
                                            .filter(|n| !n.trim().is_empty())
                                        {
                                            save_team(ui, vec![Edit::PutItem { coll: "custom_fields".into(), id: id2.clone(), fields: vec![("label".into(), name)] }], error);
                                        }
                                    }>{move || t(lang(), AdminMsg::Rename)}</button>
                                    <button type="button" class="danger ghost small" data-testid="custom-field-remove" on:click=move |_| {
                                        if confirm(ui.lang.get_untracked(), AdminMsg::ConfirmRemove) {
                                            save_team(ui, vec![Edit::RemoveItem { coll: "custom_fields".into(), id: id.clone() }], error);
                                        }
                                    }>{move || t(lang(), AdminMsg::Remove)}</button>
                                </span>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
            <form class="form-grid" novalidate on:submit=add>
                <div class="field">
                    <label for="cf-label">{move || i18n::field_label(lang(), Kind::Team, "label")}</label>
                    <input id="cf-label" data-testid="cf-label" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="cf-type">{move || i18n::field_label(lang(), Kind::Team, "type")}</label>
                    {select("type", schema::CUSTOM_TYPES, ty)}
                </div>
                <div class="field">
                    <label for="cf-applies_to">{move || i18n::field_label(lang(), Kind::Team, "applies_to")}</label>
                    {select("applies_to", schema::CUSTOM_TARGETS, target)}
                </div>
                {move || (ty.get() == "choice").then(|| view! {
                    <div class="field">
                        <label for="cf-choices">{move || i18n::field_label(lang(), Kind::Team, "choices")}</label>
                        <input id="cf-choices" data-testid="cf-choices" prop:value=move || choices.get() on:input=move |ev| choices.set(event_target_value(&ev)) />
                    </div>
                })}
                <div class="form-actions">
                    <button type="submit" class="primary" data-testid="cf-add">{move || t(lang(), AdminMsg::AddField)}</button>
                    {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="cf-error">{e}</p> })}
                </div>
            </form>
        </section>
    }
}

#[component]
fn SavedViews() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let error = RwSignal::new(None::<String>);
    let views = move || -> Vec<Item> {
        ui.team_doc.with(|t| {
            t.as_ref()
                .map(|t| t.items("views").cloned().collect())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card" data-testid="saved-views-admin">
            <h2>{move || t(lang(), AdminMsg::SavedViews)}</h2>
            <ul class="rows">
                {move || {
                    let list = views();
                    if list.is_empty() {
                        return view! { <li class="empty">{t(lang(), AdminMsg::NoSavedViews)}</li> }.into_any();
                    }
                    list.into_iter().map(|v| {
                        let id = v.id.clone();
                        let kind = Kind::from_key(v.text("list")).unwrap_or(Kind::Account);
                        view! {
                            <li class="row">
                                <span class="row-main">
                                    <span class="row-title">{v.text("name").to_owned()}</span>
                                    <span class="row-meta muted small">{move || i18n::kind_plural(lang(), kind)} " · " {v.by.clone()}</span>
                                </span>
                                <button type="button" class="danger ghost small" on:click=move |_| {
                                    if confirm(ui.lang.get_untracked(), AdminMsg::ConfirmRemove) {
                                        save_team(ui, vec![Edit::RemoveItem { coll: "views".into(), id: id.clone() }], error);
                                    }
                                }>{move || t(lang(), AdminMsg::Remove)}</button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
