//! One record of any kind: the edit form built from the kind's schema (with
//! per-field errors and concurrent-edit pickers), the sections the kind has
//! (people, interactions, orders, deals, tasks, referrals), and its history.
//! Also the "new record" form.

use crate::components::collection::Collection;
use crate::components::history::History;
use crate::components::insights::Insights;
use crate::components::interactions::Interactions;
use crate::components::orders::Orders;
use crate::components::product_buyers::ProductBuyers;
use crate::components::ref_picker::RefPicker;
use crate::components::related::Related;
use crate::form::{self, FieldError, Snapshot};
use crate::i18n::{self, Lang, Msg, t};
use crate::records::{SaveError, log};
use crate::state::{AppState, Route, use_app};
use crate::storage::StorageError;
use campo_core::ids::DocId;
use campo_core::record::{
    Edit, EditError, FieldSpec, FieldType, Invalid, Kind, Place, Record, Val,
};
use campo_core::sorting;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Missing,
    Failed,
}

/// A short message after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Saved,
    NothingToSave,
    FixErrors,
    SaveFailed,
    StorageFull,
}

/// The page's signals, `Copy` so every handler can hold them.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub ui: AppState,
    pub kind: Kind,
    pub id: Option<DocId>,
    current: RwSignal<Snapshot>,
    original: RwSignal<Snapshot>,
    /// The record as last read (for conflicts, sections and history).
    pub record: RwSignal<Option<Record>>,
    errors: RwSignal<Vec<FieldError>>,
    pub notice: RwSignal<Option<Notice>>,
    load: RwSignal<Load>,
}

impl Ctx {
    fn error(&self, key: &str) -> Option<Invalid> {
        self.errors
            .with(|e| e.iter().find(|(k, _)| k == key).map(|(_, e)| e.clone()))
    }

    fn fill(&self, s: Snapshot) {
        self.current.set(s.clone());
        self.original.set(s);
    }

    /// Takes a newer version of the record: fields the rep has not touched follow
    /// it, fields they are editing keep their input.
    fn merge(&self, fresh: Snapshot) {
        // A save finishing after the page closed has no form to merge into.
        let (Some(original), Some(current)) = (
            self.original.try_get_untracked(),
            self.current.try_get_untracked(),
        ) else {
            return;
        };
        let mut next = current.clone();
        let mut kept = fresh.clone();
        for (key, value) in &fresh.fields {
            if current.get(key) == original.get(key) {
                next.fields.insert(key, value.clone());
            } else {
                kept.fields.insert(key, original.get(key).to_owned());
            }
        }
        if current.tags == original.tags {
            next.tags = fresh.tags.clone();
        } else {
            kept.tags = original.tags.clone();
        }
        if current.notes == original.notes {
            next.notes = fresh.notes.clone();
        } else {
            kept.notes = original.notes.clone();
        }
        for (id, value) in &fresh.custom {
            if current.custom.get(id) == original.custom.get(id) {
                next.custom.insert(id.clone(), value.clone());
            } else if let Some(o) = original.custom.get(id) {
                kept.custom.insert(id.clone(), o.clone());
            }
        }
        self.current.set(next);
        self.original.set(kept);
    }

    /// Saves edits that do not come from the form (a section's action) and shows
    /// the result; `done` runs after a successful save.
    pub fn save_edits(&self, edits: Vec<Edit>, done: impl FnOnce() + 'static) {
        let ctx = *self;
        let (Some(campo), Some(id)) = (ctx.ui.campo(), ctx.id) else {
            return;
        };
        spawn_local(async move {
            match campo.save(ctx.kind, Some(id), edits).await {
                Ok(saved) => {
                    ctx.merge(Snapshot::of(&saved.record));
                    ctx.record.set(Some(saved.record));
                    ctx.notice.set(Some(Notice::Saved));
                    done();
                }
                Err(e) => failed(ctx, e),
            }
        });
    }
}

#[component]
pub fn RecordPage(
    kind: Kind,
    id: Option<DocId>,
    #[prop(optional)] account: Option<DocId>,
) -> impl IntoView {
    let ui = use_app();
    let ctx = Ctx {
        ui,
        kind,
        id,
        current: RwSignal::new(Snapshot::default()),
        original: RwSignal::new(Snapshot::default()),
        record: RwSignal::new(None),
        errors: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
        load: RwSignal::new(if id.is_some() {
            Load::Loading
        } else {
            Load::Ready
        }),
    };
    let mut fresh = Snapshot::new_record(kind);
    if let (Some(account), true) = (account, kind.spec().field("account").is_some()) {
        fresh.fields.insert("account", account.to_hex());
    }
    if kind.spec().field("owner").is_some() {
        fresh.fields.insert("owner", ui.rep.get_untracked());
    }
    if kind.spec().field("assignee").is_some() {
        fresh.fields.insert("assignee", ui.rep.get_untracked());
    }
    ctx.fill(fresh);
    if let Some(id) = id {
        open(ctx, id);
    }

    // A remote change to this record refreshes the page.
    Effect::new(move |seen: Option<u64>| {
        let remote = ui.remote.get();
        if let (Some(seen), Some(id)) = (seen, id)
            && remote.rev != seen
            && remote.docs.contains(&id)
        {
            untrack(|| refresh(ctx, id));
        }
        remote.rev
    });

    // The sections below the form (people, interactions, orders, referrals,
    // history…) are built once the form has painted: opening a record shows
    // its fields without waiting for everything the page holds below them.
    let below = RwSignal::new(false);
    Effect::new(move |_| {
        if ctx.load.get() == Load::Ready && !below.get_untracked() {
            crate::platform::after_paint(move || below.set(true));
        }
    });

    let dirty = Memo::new(move |_| ctx.original.with(|o| ctx.current.with(|c| o != c)));
    let lang = move || ui.lang.get();
    let body = move || match ctx.load.get() {
        Load::Loading => view! { <p class="muted">{t(lang(), Msg::Loading)}</p> }.into_any(),
        Load::Missing => view! { <p class="notice">{t(lang(), Msg::NotFound)}</p> }.into_any(),
        Load::Failed => view! { <p class="error">{t(lang(), Msg::SaveFailed)}</p> }.into_any(),
        Load::Ready => view! {
            {deleted_banner(ctx)}
            {form_view(ctx, dirty)}
            {move || ctx.id.filter(|_| below.get()).map(|id| sections(ctx, id))}
        }
        .into_any(),
    };
    let title = move || {
        let name = ctx.original.with(|o| o.get(kind.spec().title).to_owned());
        if name.is_empty() {
            i18n::new_record(lang(), kind)
        } else {
            name
        }
    };
    view! {
        <section class="record-page" data-kind=kind.key()>
            <div class="page-head">
                <button type="button" class="ghost" data-testid="back" on:click=move |_| ui.go(Route::List(kind))>
                    {move || t(lang(), Msg::Back)}
                </button>
                <h1>{title}</h1>
                <span class="badge muted">{move || i18n::kind_label(lang(), kind)}</span>
            </div>
            {body}
        </section>
    }
}

fn open(ctx: Ctx, id: DocId) {
    let Some(campo) = ctx.ui.campo() else { return };
    spawn_local(async move {
        match campo.open(id).await {
            Ok(Some(r)) if r.kind == Some(ctx.kind) => {
                ctx.fill(Snapshot::of(&r));
                ctx.record.set(Some(r));
                ctx.load.set(Load::Ready);
            }
            Ok(_) => ctx.load.set(Load::Missing),
            Err(e) => {
                log(&format!("cannot open record {id}: {e}"));
                ctx.load.set(Load::Failed);
            }
        }
    });
}

fn refresh(ctx: Ctx, id: DocId) {
    if ctx.load.get_untracked() != Load::Ready {
        open(ctx, id);
        return;
    }
    let Some(r) = ctx.ui.campo().and_then(|campo| campo.read_cached(id)) else {
        return;
    };
    ctx.merge(Snapshot::of(&r));
    ctx.record.set(Some(r));
}

fn save(ctx: Ctx) {
    let creating = ctx.id.is_none();
    let original = ctx.original.get_untracked();
    let current = ctx.current.get_untracked();
    let mut edits = match form::diff(ctx.kind, &original, &current, creating) {
        Ok(edits) => edits,
        Err(errors) => {
            ctx.errors.set(errors);
            ctx.notice.set(Some(Notice::FixErrors));
            return;
        }
    };
    // Product codes are unique in the catalogue (checked against this device's book).
    if ctx.kind == Kind::Product {
        let code = current.get("code").trim().to_owned();
        let taken = ctx
            .ui
            .index
            .with_value(|i| i.product_with_code(&code, ctx.id).is_some());
        if taken {
            ctx.errors
                .set(vec![("code".into(), Invalid::DuplicateCode(code))]);
            ctx.notice.set(Some(Notice::FixErrors));
            return;
        }
    }
    ctx.errors.set(Vec::new());
    if edits.is_empty() {
        ctx.notice.set(Some(Notice::NothingToSave));
        return;
    }
    if creating && ctx.kind == Kind::Deal {
        // A new deal starts with its stage's usual probability unless one was typed.
        if current.get("probability").is_empty() {
            let stage = campo_core::vocab::Stage::from_key(current.get("stage"))
                .unwrap_or(campo_core::vocab::Stage::Lead);
            edits.push(Edit::Set(
                "probability".into(),
                stage.default_probability().to_string(),
            ));
        }
    }
    let Some(campo) = ctx.ui.campo() else { return };
    spawn_local(async move {
        match campo.save(ctx.kind, ctx.id, edits).await {
            Ok(saved) if creating => ctx.ui.go(Route::Record(ctx.kind, saved.id)),
            Ok(saved) => {
                ctx.fill(Snapshot::of(&saved.record));
                ctx.record.set(Some(saved.record));
                ctx.notice.set(Some(Notice::Saved));
            }
            Err(e) => failed(ctx, e),
        }
    });
}

pub fn failed(ctx: Ctx, e: SaveError) {
    match e {
        SaveError::Edit(EditError::Invalid(invalid)) => {
            ctx.errors.set(vec![(form::error_key(&invalid), invalid)]);
            ctx.notice.set(Some(Notice::FixErrors));
        }
        SaveError::Storage(StorageError::Full) => {
            log("save failed: the device's storage is full");
            ctx.notice.set(Some(Notice::StorageFull));
        }
        e => {
            log(&format!("save failed: {e}"));
            ctx.notice.set(Some(Notice::SaveFailed));
        }
    }
}

fn deleted_banner(ctx: Ctx) -> impl IntoView {
    let lang = move || ctx.ui.lang.get();
    move || {
        let deleted = ctx.record.with(|r| r.as_ref().is_some_and(|r| r.deleted));
        deleted.then(|| {
            view! {
                <div class="banner notice" data-testid="deleted-banner" role="status">
                    <p>{t(lang(), Msg::InTheBin)}</p>
                    <button type="button" class="secondary" data-testid="restore" on:click=move |_| {
                        ctx.save_edits(vec![Edit::Restore], || {});
                    }>{t(lang(), Msg::Restore)}</button>
                </div>
            }
        })
    }
}

fn notice_view(ctx: Ctx) -> impl IntoView {
    let lang = move || ctx.ui.lang.get();
    move || {
        ctx.notice.get().map(|n| {
            let (class, msg) = match n {
                Notice::Saved => ("ok", Msg::Saved),
                Notice::NothingToSave => ("muted", Msg::NothingToSave),
                Notice::FixErrors => ("error", Msg::FixErrors),
                Notice::SaveFailed => ("error", Msg::SaveFailed),
                Notice::StorageFull => ("error", Msg::StorageFull),
            };
            view! { <p class=format!("form-notice {class}") role="status" data-testid="form-notice">{t(lang(), msg)}</p> }
        })
    }
}

fn form_view(ctx: Ctx, dirty: Memo<bool>) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let spec = ctx.kind.spec();
    let main: Vec<&'static FieldSpec> = spec
        .fields
        .iter()
        .filter(|f| f.place == Place::Root)
        .collect();
    let address: Vec<&'static FieldSpec> = spec
        .fields
        .iter()
        .filter(|f| f.place == Place::Address)
        .collect();
    let last_edit = move || {
        ctx.record.with(|r| {
            r.as_ref()
                .and_then(|r| r.last_edit.clone())
                .map(|(rep, at)| view! { <p class="muted small" data-testid="last-edit">{i18n::last_edit(lang(), &rep, at)}</p> })
        })
    };
    let has_address = !address.is_empty();
    let delete = move || {
        let live = ctx.id.is_some() && ctx.record.with(|r| r.as_ref().is_some_and(|r| !r.deleted));
        live.then(|| {
            view! {
                <button type="button" class="danger ghost" data-testid="delete-record" on:click=move |_| {
                    let confirmed = web_sys::window()
                        .and_then(|w| w.confirm_with_message(t(ui.lang.get_untracked(), Msg::ConfirmDelete)).ok())
                        .unwrap_or(false);
                    if confirmed {
                        ctx.save_edits(vec![Edit::Delete], || {});
                    }
                }>{t(lang(), Msg::Delete)}</button>
            }
        })
    };
    view! {
        <form class="card record-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save(ctx);
        }>
            {last_edit}
            <div class="form-grid">
                {main.into_iter().map(|f| field_view(ctx, f)).collect_view()}
            </div>
            {has_address.then(|| view! {
                <fieldset>
                    <legend>{move || t(lang(), Msg::Address)}</legend>
                    <div class="form-grid">
                        {address.into_iter().map(|f| field_view(ctx, f)).collect_view()}
                    </div>
                    {move || map_link(ctx)}
                </fieldset>
            })}
            {(ctx.kind != Kind::Team).then(|| extras(ctx))}
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="save-record">
                    {move || t(lang(), Msg::Save)}
                </button>
                {move || dirty.get().then(|| view! { <span class="muted small">{t(lang(), Msg::Unsaved)}</span> })}
                {notice_view(ctx)}
                <span class="spacer"></span>
                {delete}
            </div>
        </form>
    }
}

/// Tags, notes and the team's custom fields for this kind.
fn extras(ctx: Ctx) -> impl IntoView {
    let lang = move || ctx.ui.lang.get();
    let custom_defs = move || {
        let kind = ctx.kind.key();
        ctx.ui.team_doc.with(|t| {
            let mut defs: Vec<(String, String, String, String, i64)> = t
                .as_ref()
                .map(|t| {
                    t.items("custom_fields")
                        .filter(|d| {
                            d.text("applies_to") == kind
                                || (d.text("applies_to").is_empty() && kind == "account")
                        })
                        .map(|d| {
                            (
                                d.id.clone(),
                                d.text("label").to_owned(),
                                d.text("type").to_owned(),
                                d.text("choices").to_owned(),
                                d.get("position").as_int().unwrap_or(0),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            sorting::sort_by_key(&mut defs, |d| d.4);
            defs
        })
    };
    view! {
        <fieldset>
            <legend>{move || t(lang(), Msg::Details)}</legend>
            <div class="form-grid">
                {move || custom_defs().into_iter().map(|(id, label, ty, choices, _)| custom_field(ctx, id, label, ty, choices)).collect_view()}
                <div class="field wide" class:invalid=move || ctx.error("tags").is_some()>
                    <label for="f-tags">{move || t(lang(), Msg::Tags)}</label>
                    <input
                        id="f-tags"
                        data-testid="field-tags"
                        prop:value=move || ctx.current.with(|c| c.tags.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); ctx.current.update(|c| c.tags = v); }
                    />
                    <p class="hint small">{move || t(lang(), Msg::TagsHint)}</p>
                    {error_view(ctx, "tags".into())}
                </div>
                <div class="field wide" class:invalid=move || ctx.error("notes").is_some()>
                    <label for="f-notes">{move || t(lang(), Msg::Notes)}</label>
                    <textarea
                        id="f-notes"
                        rows="4"
                        data-testid="field-notes"
                        prop:value=move || ctx.current.with(|c| c.notes.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); ctx.current.update(|c| c.notes = v); }
                    ></textarea>
                    {error_view(ctx, "notes".into())}
                </div>
            </div>
        </fieldset>
    }
}

fn custom_field(ctx: Ctx, id: String, label: String, ty: String, choices: String) -> impl IntoView {
    let key = format!("custom/{id}");
    let dom_id = format!("c-{id}");
    let value = {
        let id = id.clone();
        move || {
            ctx.current
                .with(|c| c.custom.get(&id).cloned().unwrap_or_default())
        }
    };
    let set = {
        let id = id.clone();
        move |v: String| {
            ctx.current.update(|c| {
                c.custom.insert(id.clone(), v);
            })
        }
    };
    let input = match ty.as_str() {
        "choice" => {
            let options: Vec<String> = choices
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            let value = value.clone();
            view! {
                <select id=dom_id.clone() data-testid=format!("field-{key}") on:change=move |ev| set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {options.into_iter().map(|o| {
                        let v = value.clone();
                        let o2 = o.clone();
                        view! { <option value=o.clone() prop:selected=move || v() == o2>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        other => {
            let input_type = match other {
                "number" => "number",
                "date" => "date",
                _ => "text",
            };
            view! {
                <input id=dom_id.clone() type=input_type data-testid=format!("field-{key}") prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    let conflict_key = key.clone();
    view! {
        <div class="field">
            <label for=dom_id>{label}</label>
            {input}
            {error_view(ctx, key)}
            {conflict_view(ctx, conflict_key, None)}
        </div>
    }
}

fn error_view(ctx: Ctx, key: String) -> impl IntoView {
    move || {
        ctx.error(&key).map(|e| {
            view! {
                <p class="error" data-testid=format!("error-{key}") role="alert">
                    {i18n::invalid(ctx.ui.lang.get(), &e)}
                </p>
            }
        })
    }
}

fn html_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Email => "email",
        FieldType::Phone => "tel",
        FieldType::Url => "url",
        FieldType::Date => "date",
        FieldType::Time => "time",
        FieldType::Int { .. } => "number",
        _ => "text",
    }
}

fn field_view(ctx: Ctx, f: &'static FieldSpec) -> impl IntoView {
    let ui = ctx.ui;
    let key = f.key;
    let dom_id = format!("f-{key}");
    let value = move || ctx.current.with(|c| c.get(key).to_owned());
    let set = move |v: String| {
        ctx.current.update(|c| {
            c.fields.insert(key, v);
        })
    };
    let lang = move || ui.lang.get();
    let input = match f.ty {
        FieldType::Choice(keys) => view! {
            <select id=dom_id.clone() data-testid=format!("field-{key}") on:change=move |ev| set(event_target_value(&ev))>
                {keys.iter().map(|k| view! {
                    <option value=*k prop:selected=move || value() == *k>{move || i18n::choice_label(lang(), key, k)}</option>
                }).collect_view()}
            </select>
        }
        .into_any(),
        FieldType::Bool => view! {
            <input id=dom_id.clone() type="checkbox" class="checkbox" data-testid=format!("field-{key}")
                prop:checked=move || value() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string()) />
        }
        .into_any(),
        FieldType::LongText => view! {
            <textarea id=dom_id.clone() rows="3" data-testid=format!("field-{key}") prop:value=value
                on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        FieldType::Ref(target) => view! {
            <RefPicker dom_id=dom_id.clone() kind=target testid=format!("field-{key}")
                value=Signal::derive(value) on_pick=Callback::new(move |v: String| set(v)) />
        }
        .into_any(),
        FieldType::Rep => {
            let list = format!("reps-{key}");
            // Suggestions read the whole book: they come after the form shows.
            let suggest = RwSignal::new(false);
            crate::platform::after_paint(move || suggest.set(true));
            let reps = move || ui.index.with_value(|i| {
                ui.index_rev.track();
                if !suggest.get() {
                    return Vec::new();
                }
                let mut reps = i.values(ctx.kind, |s| [s.owner.as_str(), s.updated_by.as_str()]);
                let me = ui.rep.get_untracked();
                if !reps.contains(&me) {
                    reps.push(me);
                }
                reps
            });
            view! {
                <input id=dom_id.clone() list=list.clone() data-testid=format!("field-{key}") prop:value=value
                    on:input=move |ev| set(event_target_value(&ev)) />
                <datalist id=list>{move || reps().into_iter().map(|r| view! { <option value=r></option> }).collect_view()}</datalist>
            }
            .into_any()
        }
        FieldType::Money | FieldType::Quantity => view! {
            <input id=dom_id.clone() type="text" inputmode="decimal" data-testid=format!("field-{key}") prop:value=value
                on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any(),
        ty => view! {
            <input id=dom_id.clone() type=html_type(ty) data-testid=format!("field-{key}") prop:value=value
                aria-invalid=move || ctx.error(key).is_some().to_string()
                on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any(),
    };
    let link = move || contact_link(f.ty, &value());
    let wide = matches!(f.ty, FieldType::LongText);
    view! {
        <div class="field" class:wide=wide class:invalid=move || ctx.error(key).is_some()>
            <label for=dom_id>{move || i18n::field_label(lang(), ctx.kind, key)}{f.required.then_some(" *")}</label>
            {input}
            {link}
            {error_view(ctx, key.to_owned())}
            {conflict_view(ctx, key.to_owned(), Some(f))}
        </div>
    }
}

/// tel:, mailto: and web links beside phones, emails and websites.
fn contact_link(ty: FieldType, value: &str) -> Option<impl IntoView + use<>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let href = match ty {
        FieldType::Phone => format!(
            "tel:{}",
            v.chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect::<String>()
        ),
        FieldType::Email if campo_core::record::value::email(v).is_ok() => format!("mailto:{v}"),
        FieldType::Url if v.starts_with("http://") || v.starts_with("https://") => v.to_owned(),
        FieldType::Url => format!("https://{v}"),
        _ => return None,
    };
    let text = v.to_owned();
    Some(view! { <a class="field-link small" href=href rel="noopener" target="_blank">{text}</a> })
}

/// A map link for the main address.
fn map_link(ctx: Ctx) -> Option<impl IntoView + use<>> {
    let address = ctx.original.with(|o| {
        ["street", "postcode", "city", "province", "country"]
            .iter()
            .map(|k| o.get(k).trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    });
    if address.is_empty() {
        return None;
    }
    let href = format!(
        "https://www.openstreetmap.org/search?query={}",
        js_sys::encode_uri_component(&address)
    );
    let lang = ctx.ui.lang.get();
    Some(
        view! { <a class="field-link small" data-testid="map-link" href=href rel="noopener" target="_blank">{t(lang, Msg::OpenMap)}</a> },
    )
}

/// How a stored value reads in the UI.
fn shown(lang: Lang, ctx: Ctx, f: Option<&FieldSpec>, v: &Val) -> String {
    if v.is_empty() {
        return i18n::empty_value(lang).to_owned();
    }
    match f.map(|f| f.ty) {
        Some(FieldType::Choice(_)) => {
            i18n::choice_label(lang, f.map_or("", |f| f.key), v.as_str()).to_owned()
        }
        Some(FieldType::Money) => i18n::money(lang, v.as_int().unwrap_or(0)),
        Some(FieldType::Ref(_)) => v
            .as_id()
            .and_then(|id| {
                ctx.ui
                    .index
                    .with_value(|i| i.get(&id).map(|s| s.title.clone()))
            })
            .unwrap_or_else(|| v.as_str().to_owned()),
        Some(ty) => v.input(ty),
        None => v.input(FieldType::Text),
    }
}

fn conflict_view(ctx: Ctx, key: String, f: Option<&'static FieldSpec>) -> impl IntoView {
    move || {
        let lang = ctx.ui.lang.get();
        let conflict = ctx
            .record
            .with(|r| r.as_ref().and_then(|r| r.conflict(&key).cloned()))?;
        let values = conflict
            .values
            .into_iter()
            .map(|v| {
                let text = shown(lang, ctx, f, &v.value);
                let input = v.value.input(f.map_or(FieldType::Text, |f| f.ty));
                let key = key.clone();
                view! {
                    <li>
                        <span class="conflict-value">{text.clone()}</span>
                        <span class="muted small">{i18n::by_rep(lang, v.by.as_deref())}</span>
                        <button type="button" class="secondary" data-testid="conflict-pick" on:click=move |_| {
                            let edit = match key.strip_prefix("custom/") {
                                Some(id) => Edit::Custom(id.to_owned(), input.clone()),
                                None => Edit::Set(key.clone(), input.clone()),
                            };
                            ctx.save_edits(vec![edit], || {});
                        }>
                            {i18n::keep_value(lang, &text)}
                        </button>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="conflict" data-testid=format!("conflict-{key}") role="group">
                <p>{t(lang, Msg::ConflictExplain)}</p>
                <ul>{values}</ul>
            </div>
        })
    }
}

/// What a kind shows below its form.
fn sections(ctx: Ctx, id: DocId) -> impl IntoView {
    let record = Signal::derive(move || ctx.record.get());
    match ctx.kind {
        Kind::Account => view! {
            <Related account=id kind=Kind::Person />
            <Insights id=id kind=Kind::Account />
            <Interactions ctx=ctx />
            <Orders ctx=ctx />
            <Related account=id kind=Kind::Deal />
            <Related account=id kind=Kind::Task />
            <crate::components::referrals::Referrals account=id record=record />
            <Collection ctx=ctx coll="addresses" />
            <Collection ctx=ctx coll="contacts" />
            <History id=id />
        }
        .into_any(),
        Kind::Person => view! {
            <Interactions ctx=ctx />
            <Insights id=id kind=Kind::Person />
            <Collection ctx=ctx coll="contacts" />
            <History id=id />
        }
        .into_any(),
        Kind::Product => view! {
            <ProductBuyers product=id />
            <History id=id />
        }
        .into_any(),
        _ => view! { <History id=id /> }.into_any(),
    }
}

/// Builds one record's page off-screen, then drops it. The browser compiles
/// each wasm function the first time it runs, so on a device that has just
/// installed or updated the app, the first record opened would otherwise also
/// wait for compiling the code that reads a document and builds the form
/// (~20 ms). Called once after start-up, when the page is idle; nothing is
/// shown or stored (opening a record only reads it).
pub fn warm_up(ui: AppState) {
    use wasm_bindgen::JsCast;
    if matches!(ui.route.get_untracked(), Route::Record(..) | Route::New(..)) {
        return; // already compiled by the record on screen
    }
    let Some(id) = ui
        .index
        .with_value(|i| i.of_kind(Kind::Account).next().map(|s| s.id))
    else {
        return;
    };
    let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
    else {
        return;
    };
    let host: web_sys::HtmlElement = host.unchecked_into();
    let page = leptos::mount::mount_to(host.clone(), move || {
        provide_context(ui);
        view! { <RecordPage kind=Kind::Account id=Some(id) /> }
    });
    // Dropped in the first frame after the form is built (it waits for the
    // engine and the read), before the sections below it would start, or
    // after some 600 frames (ten seconds at 60 Hz).
    spawn_local(async move {
        for _ in 0..600 {
            crate::platform::next_frame().await;
            if host.query_selector("form").ok().flatten().is_some() {
                break;
            }
        }
        drop(page);
        crate::platform::mark("campo-warmed");
    });
}
