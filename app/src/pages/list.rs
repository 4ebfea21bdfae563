//! A list of one kind of record: search as you type, filters, sort and saved
//! views, over the in-memory index, rendered in pages of 100 rows so 10,000
//! accounts stay fast.

use crate::components::kanban::{BoardToggle, Kanban};
use crate::i18n::{self, Lang, Msg, t};
use crate::platform;
use crate::records::log;
use crate::state::{AppState, Route, use_app};
use campo_core::index::{Query, QueryContext, Sort};
use campo_core::record::{Edit, FieldType, Kind, TEAM_DOC};
use campo_core::summary::Summary;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Rows rendered per page; "show more" adds another page.
const PAGE: usize = 50;

/// The statuses a kind's list can filter on (the field `Summary::status` holds).
fn status_choices(kind: Kind) -> &'static [&'static str] {
    let key = match kind {
        Kind::Account => "status",
        Kind::Deal => "stage",
        Kind::Task => "type",
        _ => return &[],
    };
    match kind.spec().field(key).map(|f| f.ty) {
        Some(FieldType::Choice(keys)) => keys,
        _ => &[],
    }
}

fn status_field(kind: Kind) -> &'static str {
    match kind {
        Kind::Deal => "stage",
        Kind::Task => "type",
        _ => "status",
    }
}

#[component]
pub fn ListPage(kind: Kind) -> impl IntoView {
    let ui = use_app();
    let limit = RwSignal::new(PAGE);
    // Deals can show as a board by stage instead of rows (a per-device choice).
    let board = RwSignal::new(kind == Kind::Deal && crate::settings::deals_as_board());
    let query = Memo::new(move |_| {
        ui.queries.track();
        ui.query(kind)
    });
    let set = move |f: &dyn Fn(&mut Query)| {
        let mut q = ui.query(kind);
        f(&mut q);
        ui.set_query(kind, q);
        limit.set(PAGE);
    };
    // Every recomputation is a change (the query, the page size or the book
    // changed): comparing the old rows with the new would decode each shown
    // summary's details just to compare them (~2 ms a keystroke).
    let results = Memo::new_with_compare(
        move |_| {
            ui.index_rev.track();
            let q = query.get();
            let n = limit.get();
            let segment = crate::analytics_view::segment_ids(ui, q.segment.as_deref());
            let ctx = QueryContext {
                today: platform::today_day(),
                segment: segment.as_ref(),
            };
            ui.index.with_value(|index| {
                let r = index.search(&q, &ctx, n);
                let items: Vec<Summary> = r.items.into_iter().cloned().collect();
                let any = index.of_kind(kind).next().is_some();
                (items, r.total, any)
            })
        },
        |_, _| true,
    );
    let lang = move || ui.lang.get();

    let rows = move || {
        let lang = lang();
        let (items, total, any) = results.get();
        if items.is_empty() {
            let msg = if any { Msg::NoMatches } else { Msg::NoneYet };
            return view! { <p class="empty">{t(lang, msg)}</p> }.into_any();
        }
        let more = total - items.len();
        view! {
            <ul class="rows record-list">
                {items.into_iter().map(|s| row(lang, s)).collect_view()}
            </ul>
            {(more > 0).then(|| view! {
                <button type="button" class="secondary list-more" data-testid="list-more" on:click=move |_| limit.update(|l| *l += PAGE)>
                    {i18n::more_results(lang, more)}
                </button>
            })}
        }
        .into_any()
    };

    view! {
        <section class="list-page" data-kind=kind.key()>
            <div class="page-head">
                <h1>{move || i18n::kind_plural(lang(), kind)}</h1>
                <span class="spacer"></span>
                {(kind == Kind::Deal).then(|| view! { <BoardToggle board=board /> })}
                <a class="button primary" data-testid=format!("new-{}", kind.key()) href=Route::New(kind, None).hash()>
                    {move || i18n::new_record(lang(), kind)}
                </a>
            </div>
            <div class="toolbar" role="search" hidden=move || board.get()>
                <input
                    type="search"
                    class="search"
                    data-testid="search"
                    aria-label=move || t(lang(), Msg::Search)
                    placeholder=move || t(lang(), Msg::Search)
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); set(&|q| q.text = v.clone()); }
                />
                {filters(ui, kind, query, set)}
            </div>
            {move || (!board.get()).then(|| saved_views(ui, kind, query))}
            <p class="muted small count" data-testid="list-count" hidden=move || board.get()>
                {move || i18n::record_count(lang(), kind, results.get().1)}
            </p>
            {move || if board.get() { view! { <Kanban /> }.into_any() } else { rows() }}
        </section>
    }
}

type Setter = dyn Fn(&dyn Fn(&mut Query));

fn select_filter(
    ui: AppState,
    testid: &'static str,
    label: Msg,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    current: impl Fn() -> String + Send + Sync + Copy + 'static,
    on: impl Fn(String) + 'static,
) -> impl IntoView {
    let lang = move || ui.lang.get();
    // Each option follows the filter's value, not the whole query: typing in
    // the search box must not revisit every option of every filter.
    let current = Memo::new(move |_| current());
    view! {
        <label class="filter">
            <span class="sr-only">{move || t(lang(), label)}</span>
            <select data-testid=testid aria-label=move || t(lang(), label) on:change=move |ev| on(event_target_value(&ev))>
                <option value="" prop:selected=move || current.with(String::is_empty)>{move || t(lang(), label)}</option>
                {move || options().into_iter().map(|(v, text)| {
                    let v2 = v.clone();
                    view! { <option value=v prop:selected=move || current.with(|c| *c == v2)>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn filters(
    ui: AppState,
    kind: Kind,
    query: Memo<Query>,
    set: impl Fn(&dyn Fn(&mut Query)) + Copy + 'static,
) -> impl IntoView {
    let lang = move || ui.lang.get();
    let _: Option<&Setter> = None;
    let owners = move || {
        ui.index_rev.track();
        ui.index
            .with_value(|i| i.values(kind, |s| [s.owner.as_str()]))
            .into_iter()
            .map(|o| (o.clone(), o))
            .collect()
    };
    let tags = move || {
        ui.index_rev.track();
        ui.index
            .with_value(|i| i.values(kind, |s| s.tags.iter().map(String::as_str)))
            .into_iter()
            .map(|o| (o.clone(), o))
            .collect()
    };
    let cities = move || {
        ui.index_rev.track();
        ui.index
            .with_value(|i| i.values(kind, |s| [s.city.as_str()]))
            .into_iter()
            .map(|o| (o.clone(), o))
            .collect()
    };
    let statuses = move || {
        let field = status_field(kind);
        status_choices(kind)
            .iter()
            .filter(|k| !k.is_empty())
            .map(|k| {
                (
                    k.to_string(),
                    i18n::choice_label(lang(), field, k).to_owned(),
                )
            })
            .collect()
    };
    let segments = move || crate::analytics_view::segment_options(lang());
    let idle = move || {
        [30u32, 60, 90, 180]
            .iter()
            .map(|d| (d.to_string(), i18n::idle_days(lang(), *d)))
            .collect()
    };
    let sorts = move || {
        Sort::ALL
            .iter()
            .map(|s| (s.key().to_owned(), i18n::sort_label(lang(), *s).to_owned()))
            .collect::<Vec<_>>()
    };
    let has_contacts = matches!(kind, Kind::Account | Kind::Person);
    let sort = Memo::new(move |_| query.with(|q| q.sort));
    view! {
        {select_filter(ui, "filter-owner", if kind == Kind::Task { Msg::AnyAssignee } else { Msg::AnyOwner }, owners,
            move || query.with(|q| q.owner.clone().unwrap_or_default()),
            move |v| set(&|q| q.owner = (!v.is_empty()).then(|| v.clone())))}
        {(!status_choices(kind).is_empty()).then(|| select_filter(ui, "filter-status", Msg::AnyStatus, statuses,
            move || query.with(|q| q.status.clone().unwrap_or_default()),
            move |v| set(&|q| q.status = (!v.is_empty()).then(|| v.clone()))))}
        {select_filter(ui, "filter-tag", Msg::AnyTag, tags,
            move || query.with(|q| q.tag.clone().unwrap_or_default()),
            move |v| set(&|q| q.tag = (!v.is_empty()).then(|| v.clone())))}
        {has_contacts.then(|| select_filter(ui, "filter-city", Msg::AnyCity, cities,
            move || query.with(|q| q.city.clone().unwrap_or_default()),
            move |v| set(&|q| q.city = (!v.is_empty()).then(|| v.clone()))))}
        {(kind == Kind::Account).then(|| select_filter(ui, "filter-segment", Msg::AnySegment, segments,
            move || query.with(|q| q.segment.clone().unwrap_or_default()),
            move |v| set(&|q| q.segment = (!v.is_empty()).then(|| v.clone()))))}
        {has_contacts.then(|| select_filter(ui, "filter-idle", Msg::AnyLastContact, idle,
            move || query.with(|q| q.idle_days.map(|d| d.to_string()).unwrap_or_default()),
            move |v| set(&|q| q.idle_days = v.parse().ok())))}
        <label class="filter">
            <span class="sr-only">{move || t(lang(), Msg::SortBy)}</span>
            <select data-testid="sort" aria-label=move || t(lang(), Msg::SortBy)
                on:change=move |ev| { let v = event_target_value(&ev); set(&|q| q.sort = Sort::from_key(&v).unwrap_or_default()); }>
                {move || sorts().into_iter().map(|(v, text)| {
                    let v2 = v.clone();
                    view! { <option value=v prop:selected=move || sort.get().key() == v2>{text}</option> }
                }).collect_view()}
            </select>
        </label>
        <label class="filter toggle">
            <input type="checkbox" data-testid="filter-bin" prop:checked=move || query.with(|q| q.deleted)
                on:change=move |ev| { let on = event_target_checked(&ev); set(&|q| q.deleted = on); } />
            {move || t(lang(), Msg::Bin)}
        </label>
        {matches!(kind, Kind::Task | Kind::Product).then(|| view! {
            <label class="filter toggle">
                <input type="checkbox" data-testid="filter-open" prop:checked=move || query.with(|q| q.open_only)
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|q| q.open_only = on); } />
                {move || t(lang(), if kind == Kind::Task { Msg::OpenOnly } else { Msg::InCatalogue })}
            </label>
        })}
    }
}

/// The team's saved views for this kind, and saving the current query as one.
fn saved_views(ui: AppState, kind: Kind, query: Memo<Query>) -> impl IntoView {
    let lang = move || ui.lang.get();
    let views = move || {
        ui.team_doc.with(|t| {
            t.as_ref()
                .map(|t| {
                    t.items("views")
                        .filter(|v| v.text("list") == kind.key())
                        .map(|v| {
                            (
                                v.id.clone(),
                                v.text("name").to_owned(),
                                v.text("query").to_owned(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let save_view = move |_| {
        let lang = ui.lang.get_untracked();
        let Some(name) = web_sys::window()
            .and_then(|w| w.prompt_with_message(t(lang, Msg::ViewName)).ok().flatten())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
        else {
            return;
        };
        let text = query.get_untracked().to_text();
        let Some(campo) = ui.campo() else { return };
        spawn_local(async move {
            let edit = Edit::PutItem {
                coll: "views".into(),
                id: platform::random_hex(),
                fields: vec![
                    ("name".into(), name),
                    ("list".into(), kind.key().into()),
                    ("query".into(), text),
                ],
            };
            match campo.save(Kind::Team, Some(TEAM_DOC), vec![edit]).await {
                Ok(saved) => ui.team_doc.set(Some(saved.record)),
                Err(e) => log(&format!("cannot save the view: {e}")),
            }
        });
    };
    view! {
        <div class="saved-views chips" data-testid="saved-views">
            {move || views().into_iter().map(|(_, name, text)| {
                let active = query.with(|q| q.to_text() == text);
                view! {
                    <button type="button" class="chip" aria-pressed=active.to_string() data-testid="saved-view" on:click=move |_| {
                        match Query::parse(&text) {
                            Ok(mut q) => {
                                q.kind = Some(kind);
                                ui.set_query(kind, q);
                            }
                            Err(e) => log(&format!("{e}")),
                        }
                    }>{name}</button>
                }
            }).collect_view()}
            <button type="button" class="ghost small" data-testid="save-view" on:click=save_view>{move || t(lang(), Msg::SaveView)}</button>
        </div>
    }
}

fn row(lang: Lang, s: Summary) -> impl IntoView {
    let href = Route::Record(s.kind, s.id).hash();
    let meta = i18n::summary_meta(lang, &s);
    let side = i18n::summary_side(lang, &s);
    let done_box = (s.kind == Kind::Task && !s.deleted)
        .then(|| crate::pages::today::done_checkbox(use_app(), lang, &s, |_, _| {}));
    view! {
        <li class="row" class:done=s.done>
            {done_box}
            <a class="record-row" data-testid="record-row" href=href>
                <span class="row-main">
                    <span class="row-title">{s.title.clone()}</span>
                    <span class="row-meta muted small">{meta}</span>
                </span>
                <span class="row-side">
                    {(s.conflicts > 0).then(|| view! { <span class="badge warn">{t(lang, Msg::Conflicts)}</span> })}
                    <span class="row-meta small">{side}</span>
                </span>
            </a>
        </li>
    }
}
