//! The rep's day, the app's home: overdue tasks, tasks due today, visits planned
//! for the coming week, customers due for contact and deals closing this week,
//! with their counts on top. Tasks are ticked done in one tap (and unticked to
//! undo); a toggle shows the whole team's day instead of the rep's own.
//! What is listed is chosen by [`crate::today_logic`].

use crate::analytics_view;
use crate::i18n::today::{self as words, TodayMsg};
use crate::i18n::{self, Lang, Msg};
use crate::platform;
use crate::records::{SaveError, log};
use crate::state::{AppState, Route, use_app};
use crate::today_logic::{self, Contact, Plan, Reason, TaskRow};
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::record::{Edit, Kind};
use campo_core::summary::Summary;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A one-tap "done" checkbox for a task row; unticking it undoes. `after` runs
/// once the save is stored (with the task's id and new state) or has failed
/// (the box is then put back as it was).
pub fn done_checkbox<F>(
    ui: AppState,
    lang: Lang,
    task: &Summary,
    after: F,
) -> impl IntoView + use<F>
where
    F: Fn(DocId, Result<bool, SaveError>) + Copy + 'static,
{
    let id = task.id;
    view! {
        <input
            type="checkbox"
            class="task-done"
            data-testid="task-done"
            aria-label=words::mark_done(lang, &task.title)
            prop:checked=task.done
            on:change=move |ev| {
                let input: web_sys::HtmlInputElement = event_target(&ev);
                let done = input.checked();
                let Some(campo) = ui.campo() else {
                    input.set_checked(!done);
                    return;
                };
                spawn_local(async move {
                    let edit = Edit::Set("done".into(), done.to_string());
                    match campo.save(Kind::Task, Some(id), vec![edit]).await {
                        Ok(_) => after(id, Ok(done)),
                        Err(e) => {
                            log(&format!("cannot mark task {id} done: {e}"));
                            input.set_checked(!done);
                            after(id, Err(e));
                        }
                    }
                });
            }
        />
    }
}

/// The page's signals, `Copy` so every row can hold them.
#[derive(Clone, Copy)]
struct Page {
    ui: AppState,
    /// Show the whole team's day.
    everyone: RwSignal<bool>,
    /// Tasks ticked done on this page, newest last. Done tasks leave the lists,
    /// so this is where the rep finds them again to untick them.
    just_done: RwSignal<Vec<DocId>>,
    /// The last tick could not be saved.
    failed: RwSignal<bool>,
}

impl Page {
    fn after_tick(self, id: DocId, result: Result<bool, SaveError>) {
        match result {
            Ok(done) => {
                self.failed.set(false);
                self.just_done.update(|ids| {
                    ids.retain(|x| *x != id);
                    if done {
                        ids.push(id);
                    }
                });
            }
            Err(_) => self.failed.set(true),
        }
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let ui = use_app();
    let page = Page {
        ui,
        everyone: RwSignal::new(false),
        just_done: RwSignal::new(Vec::new()),
        failed: RwSignal::new(false),
    };
    let plan = Memo::new(move |_| {
        ui.index_rev.track();
        let owner = (!page.everyone.get()).then(|| ui.rep.get());
        let today = platform::today_day();
        let dashboard = analytics_view::dashboard(ui);
        let plan = ui.index.with_value(|i| {
            today_logic::plan(i.all(), &dashboard.reorder.overdue, today, owner.as_deref())
        });
        (today, plan)
    });
    let done_here = Memo::new(move |_| {
        ui.index_rev.track();
        page.just_done.with(|ids| {
            ui.index.with_value(|i| {
                ids.iter()
                    .rev()
                    .filter_map(|id| i.get(id))
                    .filter(|s| s.done && !s.deleted)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let lang = move || ui.lang.get();

    view! {
        <section class="today-page" data-testid="today">
            <div class="page-head">
                <h1>{move || words::t(lang(), TodayMsg::Title)}</h1>
                <span class="muted" data-testid="today-date">
                    {move || i18n::day(lang(), plan.with(|(d, _)| *d))}
                </span>
                <span class="spacer"></span>
                <label class="filter toggle">
                    <input
                        type="checkbox"
                        data-testid="today-everyone"
                        prop:checked=move || page.everyone.get()
                        on:change=move |ev| page.everyone.set(event_target_checked(&ev))
                    />
                    {move || words::t(lang(), TodayMsg::ShowEveryone)}
                </label>
            </div>
            {move || page.failed.get().then(|| view! {
                <p class="banner" role="alert" data-testid="today-error">{i18n::t(lang(), Msg::SaveFailed)}</p>
            })}
            {move || {
                let lang = lang();
                let (today, plan) = plan.get();
                body(page, lang, today, plan, done_here.get())
            }}
        </section>
    }
}

fn body(page: Page, lang: Lang, today: Day, plan: Plan, done: Vec<Summary>) -> impl IntoView {
    let team = page.everyone.get_untracked();
    let stat = |testid: &'static str, n: usize, label: TodayMsg| {
        view! {
            <div class="stat" data-testid=testid role="listitem">
                <span class="value" data-testid="stat-value">{i18n::number(lang, n as f64, 0)}</span>
                <span class="label">{words::t(lang, label)}</span>
            </div>
        }
    };
    let stats = view! {
        <div class="stats today-stats" role="list" aria-label=words::t(lang, TodayMsg::Summary)>
            {stat("stat-overdue", plan.overdue.len(), TodayMsg::Overdue)}
            {stat("stat-due", plan.today.len(), TodayMsg::DueToday)}
            {stat("stat-visits", plan.visits.len(), TodayMsg::Visits)}
            {stat("stat-contacts", plan.contacts.len(), TodayMsg::ToContact)}
            {stat("stat-closing", plan.closing.len(), TodayMsg::Closing)}
        </div>
    };
    let tasks = |rows: Vec<TaskRow>, visits: bool| -> Vec<AnyView> {
        rows.into_iter()
            .map(|r| task_row(page, lang, today, r, team, visits).into_any())
            .collect()
    };
    let overdue = tasks(plan.overdue, false);
    let due = tasks(plan.today, false);
    let visits = tasks(plan.visits, true);
    let contacts: Vec<AnyView> = plan
        .contacts
        .into_iter()
        .map(|c| contact_row(lang, today, c, team).into_any())
        .collect();
    let closing: Vec<AnyView> = plan
        .closing
        .into_iter()
        .map(|d| deal_row(page.ui, lang, d, team).into_any())
        .collect();
    let done: Vec<AnyView> = done
        .into_iter()
        .map(|s| {
            let row = TaskRow {
                task: s,
                account_name: String::new(),
                city: String::new(),
            };
            task_row(page, lang, today, row, team, false).into_any()
        })
        .collect();
    let any_done = !done.is_empty();
    view! {
        {stats}
        <div class="today-grid">
            {section(lang, "today-overdue", TodayMsg::Overdue, TodayMsg::NothingOverdue, overdue)}
            {section(lang, "today-due", TodayMsg::DueToday, TodayMsg::NothingToday, due)}
            {section(lang, "today-visits", TodayMsg::Visits, TodayMsg::NoVisits, visits)}
            {section(lang, "today-contacts", TodayMsg::ToContact, TodayMsg::NoContacts, contacts)}
            {section(lang, "today-closing", TodayMsg::Closing, TodayMsg::NoClosing, closing)}
            {any_done.then(|| section(lang, "today-done", TodayMsg::JustDone, TodayMsg::JustDone, done))}
        </div>
    }
}

/// A titled card with its rows, or a short line when there are none.
fn section(
    lang: Lang,
    testid: &'static str,
    heading: TodayMsg,
    empty: TodayMsg,
    rows: Vec<AnyView>,
) -> impl IntoView {
    let heading_id = format!("{testid}-heading");
    let labelled_by = heading_id.clone();
    let list = if rows.is_empty() {
        view! { <p class="empty" data-testid="today-empty">{words::t(lang, empty)}</p> }.into_any()
    } else {
        view! { <ul class="rows">{rows}</ul> }.into_any()
    };
    view! {
        <section class="card today-section" data-testid=testid aria-labelledby=labelled_by>
            <h2 id=heading_id>{words::t(lang, heading)}</h2>
            {list}
        </section>
    }
}

/// A task: the done box, a link to the task, and for visits a map of the city.
fn task_row(
    page: Page,
    lang: Lang,
    today: Day,
    row: TaskRow,
    team: bool,
    visit: bool,
) -> impl IntoView {
    let s = row.task;
    let mut meta: Vec<String> = vec![i18n::choice_label(lang, "type", &s.status).to_owned()];
    if !row.account_name.is_empty() {
        meta.push(row.account_name.clone());
    }
    if visit && !row.city.is_empty() {
        meta.push(row.city.clone());
    }
    if team && !s.owner.is_empty() {
        meta.push(s.owner.clone());
    }
    let meta = meta
        .into_iter()
        .filter(|m| !m.is_empty() && m != "—")
        .collect::<Vec<_>>()
        .join(" · ");
    let late = s.due.filter(|d| *d < today && !s.done);
    let side = match (late, s.due) {
        (Some(d), _) => words::late_by(lang, today_logic::days_between(d, today)),
        (None, Some(d)) if visit || d != today => words::when(lang, d, today),
        _ => String::new(),
    };
    let side = match (side.is_empty(), s.subtitle.is_empty()) {
        (_, true) => side,
        (true, false) => s.subtitle.clone(),
        (false, false) => format!("{side} · {}", s.subtitle),
    };
    let map = visit
        .then(|| today_logic::map_url(&row.city))
        .flatten()
        .map(|href| {
            view! {
                <span class="row-actions">
                    <a class="button ghost" data-testid="visit-map" href=href target="_blank" rel="noopener"
                        aria-label=words::map_of(lang, &row.city)>
                        {words::t(lang, TodayMsg::Map)}
                    </a>
                </span>
            }
        });
    let after = move |id, r| page.after_tick(id, r);
    view! {
        <li class="row task-row" class:done=s.done data-testid="task-row">
            {done_checkbox(page.ui, lang, &s, after)}
            <a href=Route::Record(Kind::Task, s.id).hash() data-testid="task-link">
                <span class="row-main">
                    <span class="row-title">{s.title.clone()}</span>
                    <span class="row-meta">{meta}</span>
                </span>
                <span class="row-side">
                    <span class="row-meta" class:late=late.is_some()>{side}</span>
                </span>
            </a>
            {map}
        </li>
    }
}

/// A customer due for contact, linking to the account, with the reason.
fn contact_row(lang: Lang, today: Day, c: Contact, team: bool) -> impl IntoView {
    let a = c.account;
    let (reason_key, reason) = match c.reason {
        Reason::Reorder { overdue_days } => ("reorder", words::reorder_late(lang, overdue_days)),
        Reason::NoContact { last } => (
            "no-contact",
            words::silent_for(lang, last.map(|l| today_logic::days_between(l, today))),
        ),
    };
    let mut meta: Vec<String> = Vec::new();
    if !a.city.is_empty() {
        meta.push(a.city.clone());
    }
    if let Some(l) = a.last_contact {
        meta.push(i18n::last_contact(lang, l));
    }
    if team && !a.owner.is_empty() {
        meta.push(a.owner.clone());
    }
    view! {
        <li class="row" data-testid="contact-row" data-reason=reason_key>
            <a href=Route::Record(Kind::Account, a.id).hash() data-testid="contact-link">
                <span class="row-main">
                    <span class="row-title">{a.title.clone()}</span>
                    <span class="row-meta">{meta.join(" · ")}</span>
                </span>
                <span class="row-side">
                    <span class="badge warn">{reason}</span>
                </span>
            </a>
        </li>
    }
}

/// A deal expected to close this week.
fn deal_row(ui: AppState, lang: Lang, d: Summary, team: bool) -> impl IntoView {
    let account = d
        .account
        .and_then(|a| ui.index.with_value(|i| i.get(&a).map(|s| s.title.clone())));
    let mut meta: Vec<String> = vec![i18n::choice_label(lang, "stage", &d.status).to_owned()];
    meta.extend(account);
    if team && !d.owner.is_empty() {
        meta.push(d.owner.clone());
    }
    let close = d.due.map(|x| i18n::day(lang, x)).unwrap_or_default();
    view! {
        <li class="row" data-testid="closing-row">
            <a href=Route::Record(Kind::Deal, d.id).hash() data-testid="closing-link">
                <span class="row-main">
                    <span class="row-title">{d.title.clone()}</span>
                    <span class="row-meta">{meta.join(" · ")}</span>
                </span>
                <span class="row-side">
                    <span class="row-title">{i18n::money(lang, d.amount)}</span>
                    <span class="row-meta">{close}</span>
                </span>
            </a>
        </li>
    }
}
