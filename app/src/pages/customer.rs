//! One customer: the edit form (with per-field errors and concurrent-edit
//! pickers) and the interactions log. Also the "new customer" form.
//!
//! The form remembers the values it was filled with (`original`). Saving writes
//! only the fields the rep changed, so a save never overwrites what another rep
//! changed meanwhile in a different field; a remote change refreshes every field
//! the rep has not touched.

use crate::customers::{SaveError, log};
use crate::i18n::{self, Lang, Msg, t};
use crate::platform;
use crate::state::{AppState, Route, use_app};
use crate::storage::StorageError;
use campo_core::customer::{Channel, Customer, Edit, EditError, Field, Source};
use campo_core::ids::DocId;
use campo_core::validate::{self, Invalid};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Fields in the order of [`Field::ALL`], for the form's signal array.
const N_FIELDS: usize = Field::ALL.len();

fn slot(field: Field) -> usize {
    Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
}

/// The form's values as plain data: what was loaded, or what is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    fields: [String; N_FIELDS],
    tags: String,
    notes: String,
}

impl Snapshot {
    fn empty() -> Snapshot {
        let mut fields: [String; N_FIELDS] = Default::default();
        fields[slot(Field::Source)] = Source::OwnEntry.key().to_owned();
        Snapshot {
            fields,
            tags: String::new(),
            notes: String::new(),
        }
    }

    fn of(c: &Customer) -> Snapshot {
        Snapshot {
            fields: Field::ALL.map(|f| c.get(f).to_owned()),
            tags: c.tags.join(", "),
            notes: c.notes.clone(),
        }
    }

    fn get(&self, f: Field) -> &str {
        &self.fields[slot(f)]
    }
}

fn parse_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_owned());
        }
    }
    tags
}

fn same_tags(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (parse_tags(a), parse_tags(b));
    a.sort();
    b.sort();
    a == b
}

/// A field error, keyed like the `error-<key>` test hooks.
type FieldError = (&'static str, Invalid);

/// The edits that turn `original` into `current`, or every reason they cannot
/// be saved. `creating` demands a name even though the empty form had none.
fn diff(
    original: &Snapshot,
    current: &Snapshot,
    creating: bool,
) -> Result<Vec<Edit>, Vec<FieldError>> {
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    for field in Field::ALL {
        let value = current.get(field).trim();
        if creating && field == Field::Name && value.is_empty() {
            errors.push((field.key(), Invalid::Required(field)));
            continue;
        }
        if value == original.get(field).trim() {
            continue;
        }
        let checked = if field == Field::Source {
            Source::from_key(value)
                .map(|_| ())
                .ok_or_else(|| Invalid::Choice(field, value.to_owned()))
        } else {
            validate::field(field, value)
        };
        match checked {
            Ok(()) => edits.push(Edit::Set(field, value.to_owned())),
            Err(e) => errors.push((field.key(), e)),
        }
    }
    if !same_tags(&original.tags, &current.tags) {
        let tags = parse_tags(&current.tags);
        match tags.iter().try_for_each(|t| validate::tag(t)) {
            Ok(()) => edits.push(Edit::Tags(tags)),
            Err(e) => errors.push(("tags", e)),
        }
    }
    if original.notes != current.notes {
        if current.notes.chars().count() > validate::MAX_TEXT_CHARS {
            errors.push((
                "notes",
                Invalid::TooLong(Field::Preferences, validate::MAX_TEXT_CHARS),
            ));
        } else {
            edits.push(Edit::Notes(current.notes.clone()));
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(errors)
    }
}

/// The error key of a refusal from the core (for the few checks only it makes).
fn error_key(e: &Invalid) -> &'static str {
    match e {
        Invalid::Required(f) | Invalid::TooLong(f, _) | Invalid::Choice(f, _) => f.key(),
        Invalid::Email(_) => "email",
        Invalid::Phone(_) => "phone",
        Invalid::Date(_) => "interaction-date",
        Invalid::Tag(_) => "tags",
        Invalid::Id(_) => "form",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Missing,
    Failed,
}

/// A short message after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Saved,
    NothingToSave,
    FixErrors,
    SaveFailed,
    StorageFull,
    InteractionLogged,
}

/// The page's signals, `Copy` so every handler can hold them.
#[derive(Clone, Copy)]
struct Ctx {
    ui: AppState,
    id: Option<DocId>,
    fields: [RwSignal<String>; N_FIELDS],
    tags: RwSignal<String>,
    notes: RwSignal<String>,
    original: RwSignal<Snapshot>,
    customer: RwSignal<Option<Customer>>,
    errors: RwSignal<Vec<FieldError>>,
    notice: RwSignal<Option<Notice>>,
    load: RwSignal<Load>,
}

impl Ctx {
    fn sig(&self, f: Field) -> RwSignal<String> {
        self.fields[slot(f)]
    }

    fn current(&self) -> Snapshot {
        Snapshot {
            fields: self.fields.map(|s| s.get_untracked()),
            tags: self.tags.get_untracked(),
            notes: self.notes.get_untracked(),
        }
    }

    fn fill(&self, s: &Snapshot) {
        for (sig, v) in self.fields.iter().zip(&s.fields) {
            sig.set(v.clone());
        }
        self.tags.set(s.tags.clone());
        self.notes.set(s.notes.clone());
        self.original.set(s.clone());
    }

    /// Takes a newer version of the record: fields the rep has not touched follow
    /// it, fields they are editing keep their input.
    fn merge(&self, fresh: &Snapshot) {
        let original = self.original.get_untracked();
        let mut kept = fresh.clone();
        for (i, sig) in self.fields.iter().enumerate() {
            if sig.get_untracked() == original.fields[i] {
                sig.set(fresh.fields[i].clone());
            } else {
                kept.fields[i] = original.fields[i].clone();
            }
        }
        if self.tags.get_untracked() == original.tags {
            self.tags.set(fresh.tags.clone());
        } else {
            kept.tags = original.tags.clone();
        }
        if self.notes.get_untracked() == original.notes {
            self.notes.set(fresh.notes.clone());
        } else {
            kept.notes = original.notes.clone();
        }
        self.original.set(kept);
    }

    fn error(&self, key: &str) -> Option<Invalid> {
        self.errors
            .with(|e| e.iter().find(|(k, _)| *k == key).map(|(_, e)| e.clone()))
    }
}

#[component]
pub fn CustomerPage(id: Option<DocId>) -> impl IntoView {
    let ui = use_app();
    let ctx = Ctx {
        ui,
        id,
        fields: std::array::from_fn(|_| RwSignal::new(String::new())),
        tags: RwSignal::new(String::new()),
        notes: RwSignal::new(String::new()),
        original: RwSignal::new(Snapshot::empty()),
        customer: RwSignal::new(None),
        errors: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
        load: RwSignal::new(if id.is_some() {
            Load::Loading
        } else {
            Load::Ready
        }),
    };
    ctx.fill(&Snapshot::empty());
    if let Some(id) = id {
        open(ctx, id);
    }

    // A remote change to this customer refreshes the page.
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

    let dirty = Memo::new(move |_| {
        let original = ctx.original.get();
        ctx.fields
            .iter()
            .zip(&original.fields)
            .any(|(s, o)| s.with(|v| v != o))
            || ctx.tags.with(|t| *t != original.tags)
            || ctx.notes.with(|n| *n != original.notes)
    });

    let lang = move || ui.lang.get();
    let body = move || match ctx.load.get() {
        Load::Loading => view! { <p class="muted">{t(lang(), Msg::Loading)}</p> }.into_any(),
        Load::Missing => view! { <p class="notice">{t(lang(), Msg::NotFound)}</p> }.into_any(),
        Load::Failed => view! { <p class="error">{t(lang(), Msg::SaveFailed)}</p> }.into_any(),
        Load::Ready => form(ctx, dirty).into_any(),
    };

    view! {
        <section class="customer-page">
            <div class="page-head">
                <button type="button" class="ghost" data-testid="back" on:click=move |_| ui.go(Route::List)>
                    {move || t(lang(), Msg::Back)}
                </button>
                <h1>
                    {move || {
                        let name = ctx.original.with(|o| o.get(Field::Name).to_owned());
                        if name.is_empty() { t(lang(), Msg::NewCustomer).to_owned() } else { name }
                    }}
                </h1>
            </div>
            {body}
        </section>
    }
}

fn open(ctx: Ctx, id: DocId) {
    let Some(campo) = ctx.ui.campo() else { return };
    spawn_local(async move {
        match campo.open(id).await {
            Ok(Some(c)) => {
                ctx.fill(&Snapshot::of(&c));
                ctx.customer.set(Some(c));
                ctx.load.set(Load::Ready);
            }
            Ok(None) => ctx.load.set(Load::Missing),
            Err(e) => {
                log(&format!("cannot open customer {id}: {e}"));
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
    let Some(c) = ctx.ui.campo().and_then(|campo| campo.read_cached(id)) else {
        return;
    };
    ctx.merge(&Snapshot::of(&c));
    ctx.customer.set(Some(c));
}

fn save(ctx: Ctx) {
    let creating = ctx.id.is_none();
    let edits = match diff(&ctx.original.get_untracked(), &ctx.current(), creating) {
        Ok(edits) => edits,
        Err(errors) => {
            ctx.errors.set(errors);
            ctx.notice.set(Some(Notice::FixErrors));
            return;
        }
    };
    ctx.errors.set(Vec::new());
    if edits.is_empty() {
        ctx.notice.set(Some(Notice::NothingToSave));
        return;
    }
    let Some(campo) = ctx.ui.campo() else { return };
    spawn_local(async move {
        match campo.save(ctx.id, edits).await {
            Ok(saved) if creating => ctx.ui.go(Route::Customer(saved.id)),
            Ok(saved) => {
                ctx.fill(&Snapshot::of(&saved.customer));
                ctx.customer.set(Some(saved.customer));
                ctx.notice.set(Some(Notice::Saved));
            }
            Err(e) => failed(ctx, e),
        }
    });
}

fn failed(ctx: Ctx, e: SaveError) {
    match e {
        SaveError::Edit(EditError::Invalid(invalid)) => {
            ctx.errors.set(vec![(error_key(&invalid), invalid)]);
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

/// Resolves a concurrent edit by writing the chosen value.
fn pick(ctx: Ctx, field: Field, value: String) {
    let (Some(campo), Some(id)) = (ctx.ui.campo(), ctx.id) else {
        return;
    };
    spawn_local(async move {
        match campo
            .save(Some(id), vec![Edit::Set(field, value.clone())])
            .await
        {
            Ok(saved) => {
                ctx.sig(field).set(value.clone());
                ctx.original.update(|o| o.fields[slot(field)] = value);
                ctx.customer.set(Some(saved.customer));
                ctx.notice.set(Some(Notice::Saved));
            }
            Err(e) => failed(ctx, e),
        }
    });
}

fn form(ctx: Ctx, dirty: Memo<bool>) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let notice = move || {
        ctx.notice.get().map(|n| {
            let (class, msg) = match n {
                Notice::Saved => ("ok", Msg::Saved),
                Notice::InteractionLogged => ("ok", Msg::InteractionLogged),
                Notice::NothingToSave => ("muted", Msg::NothingToSave),
                Notice::FixErrors => ("error", Msg::FixErrors),
                Notice::SaveFailed => ("error", Msg::SaveFailed),
                Notice::StorageFull => ("error", Msg::StorageFull),
            };
            view! { <p class=format!("form-notice {class}") role="status">{t(lang(), msg)}</p> }
        })
    };
    let last_edit = move || {
        ctx.customer.with(|c| {
            c.as_ref()
                .and_then(|c| c.last_edit.clone())
                .map(|(rep, at)| view! { <p class="muted small">{i18n::last_edit(lang(), &rep, at)}</p> })
        })
    };
    view! {
        <form class="card customer-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save(ctx);
        }>
            {last_edit}
            <fieldset>
                <legend>{move || t(lang(), Msg::Contact)}</legend>
                <div class="grid">
                    {text_field(ctx, Field::Name, "text")}
                    {text_field(ctx, Field::Company, "text")}
                    {text_field(ctx, Field::Role, "text")}
                    {text_field(ctx, Field::Phone, "tel")}
                    {text_field(ctx, Field::Email, "email")}
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || t(lang(), Msg::Address)}</legend>
                <div class="grid">
                    {text_field(ctx, Field::Street, "text")}
                    {text_field(ctx, Field::City, "text")}
                    {text_field(ctx, Field::Postcode, "text")}
                    {text_field(ctx, Field::Country, "text")}
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || t(lang(), Msg::Details)}</legend>
                <div class="grid">
                    {text_field(ctx, Field::Preferences, "text")}
                    {source_field(ctx)}
                    <div class="field wide" class:invalid=move || ctx.error("tags").is_some()>
                        <label for="f-tags">{move || t(lang(), Msg::Tags)}</label>
                        <input
                            id="f-tags"
                            data-testid="field-tags"
                            prop:value=move || ctx.tags.get()
                            on:input=move |ev| ctx.tags.set(event_target_value(&ev))
                        />
                        {error_view(ctx, "tags")}
                    </div>
                    <div class="field wide" class:invalid=move || ctx.error("notes").is_some()>
                        <label for="f-notes">{move || t(lang(), Msg::Notes)}</label>
                        <textarea
                            id="f-notes"
                            rows="5"
                            data-testid="field-notes"
                            prop:value=move || ctx.notes.get()
                            on:input=move |ev| ctx.notes.set(event_target_value(&ev))
                        ></textarea>
                        {error_view(ctx, "notes")}
                    </div>
                </div>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="save-customer">
                    {move || t(lang(), Msg::Save)}
                </button>
                {move || dirty.get().then(|| view! { <span class="muted small">{t(lang(), Msg::Unsaved)}</span> })}
                {notice}
            </div>
        </form>
        {move || ctx.id.map(|_| interactions(ctx))}
    }
}

fn error_view(ctx: Ctx, key: &'static str) -> impl IntoView {
    move || {
        ctx.error(key).map(|e| {
            view! {
                <p class="error" data-testid=format!("error-{key}") role="alert">
                    {i18n::invalid(ctx.ui.lang.get(), &e)}
                </p>
            }
        })
    }
}

fn text_field(ctx: Ctx, field: Field, kind: &'static str) -> impl IntoView {
    let ui = ctx.ui;
    let key = field.key();
    let sig = ctx.sig(field);
    let id = format!("f-{key}");
    view! {
        <div class="field" class:invalid=move || ctx.error(key).is_some()>
            <label for=id.clone()>{move || i18n::field_label(ui.lang.get(), field)}</label>
            <input
                id=id
                type=kind
                data-testid=format!("field-{key}")
                aria-invalid=move || ctx.error(key).is_some().to_string()
                prop:value=move || sig.get()
                on:input=move |ev| sig.set(event_target_value(&ev))
            />
            {error_view(ctx, key)}
            {conflict_view(ctx, field)}
        </div>
    }
}

fn source_field(ctx: Ctx) -> impl IntoView {
    let ui = ctx.ui;
    let sig = ctx.sig(Field::Source);
    view! {
        <div class="field" class:invalid=move || ctx.error("source").is_some()>
            <label for="f-source">{move || i18n::field_label(ui.lang.get(), Field::Source)}</label>
            <select id="f-source" data-testid="field-source" on:change=move |ev| sig.set(event_target_value(&ev))>
                {Source::ALL
                    .map(|s| {
                        view! {
                            <option value=s.key() prop:selected=move || sig.get() == s.key()>
                                {move || i18n::source_label(ui.lang.get(), s)}
                            </option>
                        }
                    })}
            </select>
            {error_view(ctx, "source")}
            {conflict_view(ctx, Field::Source)}
        </div>
    }
}

/// How a stored value reads in the UI (the data source by its label).
fn shown(lang: Lang, field: Field, value: &str) -> String {
    if field == Field::Source
        && let Some(s) = Source::from_key(value)
    {
        return i18n::source_label(lang, s).to_owned();
    }
    if value.is_empty() {
        i18n::empty_value(lang).to_owned()
    } else {
        value.to_owned()
    }
}

fn conflict_view(ctx: Ctx, field: Field) -> impl IntoView {
    let key = field.key();
    move || {
        let lang = ctx.ui.lang.get();
        let conflict = ctx
            .customer
            .with(|c| c.as_ref().and_then(|c| c.conflict(field).cloned()))?;
        let values = conflict
            .values
            .into_iter()
            .map(|v| {
                let text = shown(lang, field, &v.value);
                let value = v.value;
                view! {
                    <li>
                        <span class="conflict-value">{text.clone()}</span>
                        <span class="muted small">{i18n::by_rep(lang, v.by.as_deref())}</span>
                        <button
                            type="button"
                            class="secondary"
                            data-testid="conflict-pick"
                            on:click=move |_| pick(ctx, field, value.clone())
                        >
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

fn interactions(ctx: Ctx) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let channel = RwSignal::new(Channel::Visit.key().to_owned());
    let date = RwSignal::new(platform::today());
    let summary = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let date_error = RwSignal::new(None::<Invalid>);

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(campo), Some(id)) = (ui.campo(), ctx.id) else {
            return;
        };
        let d = date.get_untracked();
        if let Err(e) = validate::date(&d) {
            date_error.set(Some(e));
            return;
        }
        date_error.set(None);
        let edit = Edit::AddInteraction {
            id: platform::random_hex(),
            channel: Channel::from_key(&channel.get_untracked()).unwrap_or(Channel::Visit),
            date: d,
            summary: summary.get_untracked().trim().to_owned(),
            outcome: outcome.get_untracked().trim().to_owned(),
        };
        spawn_local(async move {
            match campo.save(Some(id), vec![edit]).await {
                Ok(saved) => {
                    ctx.customer.set(Some(saved.customer));
                    summary.set(String::new());
                    outcome.set(String::new());
                    ctx.notice.set(Some(Notice::InteractionLogged));
                }
                Err(SaveError::Edit(EditError::Invalid(e))) => date_error.set(Some(e)),
                Err(e) => failed(ctx, e),
            }
        });
    };

    let rows = move || {
        let lang = lang();
        ctx.customer.with(|c| {
            let list = c.as_ref().map(|c| c.interactions.clone()).unwrap_or_default();
            if list.is_empty() {
                return view! { <p class="muted">{t(lang, Msg::NoInteractions)}</p> }.into_any();
            }
            view! {
                <ul class="interactions">
                    {list
                        .into_iter()
                        .map(|i| {
                            view! {
                                <li class="interaction" data-testid="interaction-row">
                                    <div class="interaction-head">
                                        <span class="chip">{i18n::channel_label(lang, i.channel)}</span>
                                        <time datetime=i.date.clone()>{i18n::date(lang, &i.date)}</time>
                                        <span class="muted small">{i18n::logged_by(lang, &i.by)}</span>
                                    </div>
                                    {(!i.summary.is_empty()).then(|| view! { <p>{i.summary.clone()}</p> })}
                                    {(!i.outcome.is_empty())
                                        .then(|| {
                                            view! {
                                                <p class="outcome">
                                                    <strong>{t(lang, Msg::Outcome)} ": "</strong>
                                                    {i.outcome.clone()}
                                                </p>
                                            }
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        })
    };

    view! {
        <section class="card interactions-card">
            <h2>{move || t(lang(), Msg::Interactions)}</h2>
            <form class="interaction-form" novalidate on:submit=add>
                <h3>{move || t(lang(), Msg::LogInteraction)}</h3>
                <div class="grid">
                    <div class="field">
                        <label for="i-channel">{move || t(lang(), Msg::Channel)}</label>
                        <select
                            id="i-channel"
                            data-testid="interaction-channel"
                            on:change=move |ev| channel.set(event_target_value(&ev))
                        >
                            {Channel::ALL
                                .map(|c| {
                                    view! {
                                        <option value=c.key() prop:selected=move || channel.get() == c.key()>
                                            {move || i18n::channel_label(lang(), c)}
                                        </option>
                                    }
                                })}
                        </select>
                    </div>
                    <div class="field" class:invalid=move || date_error.with(Option::is_some)>
                        <label for="i-date">{move || t(lang(), Msg::Date)}</label>
                        <input
                            id="i-date"
                            type="date"
                            data-testid="interaction-date"
                            prop:value=move || date.get()
                            on:input=move |ev| date.set(event_target_value(&ev))
                        />
                        {move || {
                            date_error
                                .get()
                                .map(|e| {
                                    view! {
                                        <p class="error" data-testid="error-interaction-date" role="alert">
                                            {i18n::invalid(lang(), &e)}
                                        </p>
                                    }
                                })
                        }}
                    </div>
                    <div class="field wide">
                        <label for="i-summary">{move || t(lang(), Msg::Summary)}</label>
                        <textarea
                            id="i-summary"
                            rows="3"
                            data-testid="interaction-summary"
                            prop:value=move || summary.get()
                            on:input=move |ev| summary.set(event_target_value(&ev))
                        ></textarea>
                    </div>
                    <div class="field wide">
                        <label for="i-outcome">{move || t(lang(), Msg::Outcome)}</label>
                        <input
                            id="i-outcome"
                            data-testid="interaction-outcome"
                            prop:value=move || outcome.get()
                            on:input=move |ev| outcome.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="primary" data-testid="add-interaction">
                        {move || t(lang(), Msg::AddInteraction)}
                    </button>
                </div>
            </form>
            {rows}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(field: Field, value: &str) -> Snapshot {
        let mut s = Snapshot::empty();
        s.fields[slot(field)] = value.to_owned();
        s
    }

    #[test]
    fn only_changed_fields_are_written() {
        let original = with(Field::Name, "Bar Roma");
        let mut current = original.clone();
        current.fields[slot(Field::City)] = " Milano ".into();
        assert_eq!(
            diff(&original, &current, false).unwrap(),
            vec![Edit::Set(Field::City, "Milano".into())]
        );
        assert_eq!(diff(&original, &original, false).unwrap(), vec![]);
    }

    #[test]
    fn every_invalid_field_is_reported_and_nothing_saved() {
        let mut current = with(Field::Email, "anna@");
        current.fields[slot(Field::Phone)] = "12".into();
        current.tags = "ok, {}".replace("{}", &"x".repeat(41));
        let errors = diff(&Snapshot::empty(), &current, true).unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec!["name", "phone", "email", "tags"]);
    }

    #[test]
    fn tags_compare_as_sets() {
        assert!(same_tags("vip, bar", "bar,vip,  vip"));
        assert!(!same_tags("vip", "vip, bar"));
        let original = Snapshot {
            tags: "vip, bar".into(),
            ..with(Field::Name, "X")
        };
        let current = Snapshot {
            tags: "bar, vip".into(),
            ..original.clone()
        };
        assert_eq!(diff(&original, &current, false).unwrap(), vec![]);
    }
}
