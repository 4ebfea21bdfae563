//! The Data page: import (CSV with a mapping step, preview, duplicates; vCard),
//! export (each list as CSV, people as vCard, open tasks and visits as iCalendar)
//! and backup (the whole book as one file, and restoring it).
//!
//! The computations are in [`crate::data_logic`]; this file reads files, shows
//! the steps, and hands the planned records to the session, which stores an
//! import whole or not at all.

use crate::data_logic::{
    self, CardEdits, Choice, CsvAnalysis, Plan, Planned, Provenance, RowEdits,
};
use crate::i18n::data::{self as words, DataMsg, t};
use crate::i18n::{self, Lang};
use crate::platform;
use crate::records::{BulkError, BulkOp, RestoreError, log};
use crate::state::{AppState, Route, kind_slug, use_app};
use crate::storage::StorageError;
use campo_core::backup::{Backup, BackupError};
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::index::{QueryContext, fold};
use campo_core::interop::{
    CsvOptions, CsvTable, RowProblem, Target, VCard, VCardError, error_report, parse_csv,
    read_vcards, suggest_mapping, write_calendar, write_csv, write_vcards,
};
use campo_core::record::Kind;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// Rows the preview shows.
const PREVIEW_ROWS: usize = 10;
/// Duplicates listed at first; "show more" adds as many again.
const DUPLICATES_PAGE: usize = 50;
/// The lists that export as CSV, in the navigation's order.
const LISTS: [Kind; 5] = [
    Kind::Account,
    Kind::Person,
    Kind::Deal,
    Kind::Task,
    Kind::Product,
];

// ---------------------------------------------------------------- browser glue

/// The picked file's name and bytes.
async fn read_picked(input: &web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Offers `bytes` as a download named `name`.
fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = document.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    // The browser has started the download when click() returns; the URL is
    // released a minute later, well after it has read the blob.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// A day and an `HH:MM` time in the device's time zone, in ms since the epoch.
fn local_ms(day: Day, time: &str) -> Option<i64> {
    let (h, m) = time.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    let (y, mo, d) = day.ymd();
    let date =
        js_sys::Date::new_with_year_month_day_hr_min(y as u32, mo as i32 - 1, d as i32, h, m);
    let ms = date.get_time();
    ms.is_finite().then_some(ms as i64)
}

// ---------------------------------------------------------------- page

#[component]
pub fn DataPage() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    view! {
        <section class="data-page">
            <h1>{move || t(lang(), DataMsg::Title)}</h1>
            <ImportSection />
            <ExportSection />
            <BackupSection />
        </section>
    }
}

// ---------------------------------------------------------------- import

/// A file picked for import.
#[derive(Clone)]
enum Loaded {
    Csv {
        name: String,
        table: Arc<CsvTable>,
    },
    Cards {
        name: String,
        cards: Arc<Vec<Result<VCard, VCardError>>>,
    },
}

/// Why a file cannot be imported, kept as data so it re-translates.
#[derive(Clone, PartialEq)]
enum LoadError {
    Csv(campo_core::interop::CsvError),
    Cards(campo_core::interop::vcard::VCardFileError),
    Unreadable,
}

/// Where an import (or a restore) stands.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Idle,
    Building {
        done: usize,
        total: usize,
    },
    Saving,
    Imported {
        accounts: usize,
        people: usize,
        merged: usize,
        skipped: usize,
    },
    Restored {
        added: usize,
        merged: usize,
    },
    Failed(Failure),
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Failure {
    Nothing,
    Refused(usize),
    Full,
    Other,
    Damaged,
}

impl Phase {
    fn busy(self) -> bool {
        matches!(self, Phase::Building { .. } | Phase::Saving)
    }
}

fn failure_text(lang: Lang, f: Failure, restoring: bool) -> String {
    match f {
        Failure::Nothing => t(lang, DataMsg::NothingToImport).into(),
        Failure::Refused(n) => words::refused_records(lang, n),
        Failure::Full => t(lang, DataMsg::StorageFull).into(),
        Failure::Damaged => words::backup_record_damaged(lang).into(),
        Failure::Other if restoring => t(lang, DataMsg::RestoreFailed).into(),
        Failure::Other => t(lang, DataMsg::ImportFailed).into(),
    }
}

/// The progress bar and the outcome of an import or a restore.
fn progress_view(
    ui: AppState,
    phase: RwSignal<Phase>,
    testid: &'static str,
    working: DataMsg,
) -> impl IntoView {
    let lang = move || ui.lang.get();
    move || {
        let lang = lang();
        match phase.get() {
            Phase::Idle => ().into_any(),
            Phase::Building { done, total } => view! {
                <div class="data-progress" role="status">
                    <progress class="progress" data-testid=testid max=total.max(1) value=done></progress>
                    <p class="small muted">{words::progress(lang, working, done, total)}</p>
                </div>
            }
            .into_any(),
            Phase::Saving => view! {
                <div class="data-progress" role="status">
                    <progress class="progress" data-testid=testid></progress>
                    <p class="small muted">{t(lang, DataMsg::Saving)}</p>
                </div>
            }
            .into_any(),
            Phase::Imported { accounts, people, merged, skipped } => view! {
                <div class="banner ok data-outcome" role="status" data-testid="import-done">
                    <p>{words::import_done(lang, accounts, people, merged, skipped)}</p>
                    <a class="button secondary" data-testid="import-open-accounts" href=Route::List(Kind::Account).hash()>
                        {t(lang, DataMsg::OpenAccounts)}
                    </a>
                    {(people > 0).then(|| view! {
                        <a class="button secondary" data-testid="import-open-people" href=Route::List(Kind::Person).hash()>
                            {t(lang, DataMsg::OpenPeople)}
                        </a>
                    })}
                </div>
            }
            .into_any(),
            Phase::Restored { added, merged } => view! {
                <div class="banner ok data-outcome" role="status" data-testid="restore-done">
                    <p>{words::restore_done(lang, added, merged)}</p>
                    <a class="button secondary" data-testid="restore-open-accounts" href=Route::List(Kind::Account).hash()>
                        {t(lang, DataMsg::OpenAccounts)}
                    </a>
                </div>
            }
            .into_any(),
            Phase::Failed(f) => view! {
                <p class="banner data-outcome" role="alert" data-testid=format!("{testid}-failed")>
                    {failure_text(lang, f, testid.starts_with("restore"))}
                </p>
            }
            .into_any(),
        }
    }
}

/// Stores a planned import through the session, moving the progress bar.
fn run_plan(ui: AppState, plan: Plan, phase: RwSignal<Phase>, done: impl FnOnce() + 'static) {
    let Some(campo) = ui.campo() else { return };
    if plan.ops.is_empty() {
        phase.set(Phase::Failed(Failure::Nothing));
        return;
    }
    let total = plan.ops.len();
    let outcome = Phase::Imported {
        accounts: plan.new_accounts,
        people: plan.new_people,
        merged: plan.merged_rows,
        skipped: plan.skipped_rows,
    };
    let ops: Vec<BulkOp> = plan
        .ops
        .into_iter()
        .map(|op| match op {
            Planned::Create { id, kind, edits } => BulkOp::Create { id, kind, edits },
            Planned::Merge { id, edits } => BulkOp::Merge {
                id,
                edits: Box::new(move |existing| data_logic::merge_edits(existing, &edits)),
            },
        })
        .collect();
    phase.set(Phase::Building { done: 0, total });
    spawn_local(async move {
        let progress = move |n: usize| {
            phase.set(if n >= total {
                Phase::Saving
            } else {
                Phase::Building { done: n, total }
            })
        };
        match campo.save_many(ops, &progress).await {
            Ok(_) => {
                phase.set(outcome);
                done();
            }
            Err(BulkError::Refused(list)) => {
                for (i, e) in list.iter().take(5) {
                    log(&format!("import: record {i} refused: {e}"));
                }
                phase.set(Phase::Failed(Failure::Refused(list.len())));
            }
            Err(BulkError::Storage(StorageError::Full)) => phase.set(Phase::Failed(Failure::Full)),
            Err(e) => {
                log(&format!("import failed: {e}"));
                phase.set(Phase::Failed(Failure::Other));
            }
        }
    });
}

#[component]
fn ImportSection() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let loaded = RwSignal::new(None::<Loaded>);
    let error = RwSignal::new(None::<LoadError>);
    let reading = RwSignal::new(false);
    let phase = RwSignal::new(Phase::Idle);
    let input = NodeRef::<html::Input>::new();

    let on_pick = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let el: web_sys::HtmlInputElement = el;
        reading.set(true);
        error.set(None);
        loaded.set(None);
        phase.set(Phase::Idle);
        spawn_local(async move {
            let picked = read_picked(&el).await;
            reading.set(false);
            let Some((name, bytes)) = picked else {
                error.set(Some(LoadError::Unreadable));
                return;
            };
            let is_vcard = name.to_lowercase().ends_with(".vcf")
                || name.to_lowercase().ends_with(".vcard")
                || bytes
                    .windows(11)
                    .take(4096)
                    .any(|w| w.eq_ignore_ascii_case(b"BEGIN:VCARD"));
            if is_vcard {
                match read_vcards(&bytes) {
                    Ok(cards) => loaded.set(Some(Loaded::Cards {
                        name,
                        cards: Arc::new(cards),
                    })),
                    Err(e) => error.set(Some(LoadError::Cards(e))),
                }
            } else {
                match parse_csv(&bytes) {
                    Ok(table) => loaded.set(Some(Loaded::Csv {
                        name,
                        table: Arc::new(table),
                    })),
                    Err(e) => error.set(Some(LoadError::Csv(e))),
                }
            }
        });
    };
    // After an import the file is done with: the page goes back to choosing one.
    let reset = move || {
        loaded.set(None);
        if let Some(el) = input.get_untracked() {
            el.set_value("");
        }
    };

    view! {
        <section class="card data-section" data-testid="import-section" aria-labelledby="import-title">
            <h2 id="import-title">{move || t(lang(), DataMsg::Import)}</h2>
            <p class="muted small">{move || t(lang(), DataMsg::ImportHelp)}</p>
            <div class="field">
                <label for="import-file">{move || t(lang(), DataMsg::ChooseFile)}</label>
                <input id="import-file" type="file" node_ref=input data-testid="import-file"
                    accept=".csv,.txt,.tsv,.vcf,.vcard,text/csv,text/vcard"
                    disabled=move || phase.get().busy()
                    on:change=on_pick />
            </div>
            {move || reading.get().then(|| view! { <p class="small muted" role="status">{t(lang(), DataMsg::Reading)}</p> })}
            {move || error.get().map(|e| {
                let text = match &e {
                    LoadError::Csv(e) => words::csv_error(lang(), e),
                    LoadError::Cards(e) => words::vcard_file_error(lang(), e),
                    LoadError::Unreadable => t(lang(), DataMsg::ImportFailed).to_owned(),
                };
                view! { <p class="banner" role="alert" data-testid="import-error">{text}</p> }
            })}
            {move || match loaded.get() {
                Some(Loaded::Csv { name, table }) => {
                    view! { <CsvImport name=name table=table phase=phase reset=reset /> }.into_any()
                }
                Some(Loaded::Cards { name, cards }) => {
                    view! { <CardsImport name=name cards=cards phase=phase reset=reset /> }.into_any()
                }
                None => ().into_any(),
            }}
            {progress_view(ui, phase, "import-progress", DataMsg::Preparing)}
        </section>
    }
}

/// A preview table's value for a target: the imported value of a valid row, the
/// cell as written in a refused one.
fn preview_cell(
    table: &CsvTable,
    mapping: &[Target],
    row: usize,
    a: &CsvAnalysis,
    target: Target,
) -> String {
    match &a.rows[row] {
        Ok((r, _)) => data_logic::target_value(r, target),
        Err(_) => mapping
            .iter()
            .zip(&table.rows[row].fields)
            .find(|(t, v)| **t == target && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default(),
    }
}

#[component]
fn CsvImport(
    name: String,
    table: Arc<CsvTable>,
    phase: RwSignal<Phase>,
    reset: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let mapping = RwSignal::new(suggest_mapping(&table.headers));
    let default_choice = RwSignal::new(Choice::Merge);
    let choices = RwSignal::new(HashMap::<usize, Choice>::new());
    let valid_only = RwSignal::new(false);
    let shown_dups = RwSignal::new(DUPLICATES_PAGE);
    let provenance = Provenance {
        file_name: name.clone(),
        date: platform::today(),
    };
    let stored_table = StoredValue::new(table.clone());
    // Recomputed when the mapping changes. The book is read as it is then (not
    // tracked): once imported, the rows would match themselves.
    let analysis = Memo::new(move |_| {
        let mapping = mapping.get();
        let book = ui.index.with_value(|i| data_logic::book_keys(i.all()));
        let table = stored_table.get_value();
        Arc::new(data_logic::analyse_csv(
            &table,
            &mapping,
            &provenance,
            book,
            &mut platform::random_hex,
        ))
    });
    let info = {
        let table = table.clone();
        let name = name.clone();
        move || {
            words::csv_info(
                lang(),
                &name,
                table.rows.len(),
                table.encoding,
                table.separator,
            )
        }
    };

    // --- mapping step
    let mapping_rows = {
        let table = table.clone();
        move || {
            let lang = lang();
            table
                .headers
                .iter()
                .enumerate()
                .map(|(i, header)| {
                    let example = table
                        .rows
                        .iter()
                        .take(20)
                        .filter_map(|r| r.fields.get(i))
                        .find(|v| !v.trim().is_empty())
                        .cloned()
                        .unwrap_or_default();
                    let header_label = header.clone();
                    let current = move || mapping.with(|m| m.get(i).copied().unwrap_or(Target::Ignore));
                    view! {
                        <tr data-testid="map-row">
                            <th scope="row"><label for=format!("map-{i}")>{header.clone()}</label></th>
                            <td class="muted example">{example}</td>
                            <td>
                                <select id=format!("map-{i}") data-testid=format!("map-{i}") data-header=header_label
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(target) = Target::from_key(&v) {
                                            mapping.update(|m| {
                                                if i < m.len() {
                                                    m[i] = target;
                                                }
                                            });
                                        }
                                    }>
                                    {Target::ALL.iter().map(|&target| view! {
                                        <option value=target.key() prop:selected=move || current() == target>
                                            {words::target_label(lang, target)}
                                        </option>
                                    }).collect_view()}
                                </select>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        }
    };

    // --- preview
    let preview = {
        let table = table.clone();
        move || {
            let lang = lang();
            let a = analysis.get();
            let mapping = mapping.get();
            let mut targets: Vec<Target> = Vec::new();
            for t in &mapping {
                if *t != Target::Ignore && !targets.contains(t) {
                    targets.push(*t);
                }
            }
            let mut valid_index = 0;
            let dup_of: Vec<Option<usize>> = a
                .rows
                .iter()
                .map(|r| {
                    r.as_ref().ok().map(|_| {
                        valid_index += 1;
                        valid_index - 1
                    })
                })
                .collect();
            let heads = targets.clone();
            let rows = (0..table.rows.len().min(PREVIEW_ROWS))
                .map(|i| {
                    let line = table.rows[i].line;
                    let (refused, outcome) = match &a.rows[i] {
                        Err(e) => (true, e.reasons.iter().map(|p| words::problem(lang, p)).collect::<Vec<_>>().join("; ")),
                        Ok(_) => {
                            let dup = dup_of[i].and_then(|v| a.dups.get(v)).filter(|d| !d.is_unique());
                            (false, match dup {
                                Some(d) => describe_duplicate(ui, lang, d),
                                None => t(lang, DataMsg::Ready).to_owned(),
                            })
                        }
                    };
                    let cells = targets
                        .iter()
                        .map(|t| view! { <td>{preview_cell(&table, &mapping, i, &a, *t)}</td> })
                        .collect_view();
                    view! {
                        <tr data-testid="preview-row" data-line=line.to_string() class:refused=refused>
                            <td class="num">{line}</td>
                            {cells}
                            <td data-testid="preview-outcome" class:error=refused>{outcome}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table data-preview" tabindex="0" role="region" aria-labelledby="preview-title">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(lang, DataMsg::Line)}</th>
                                {heads.into_iter().map(|t| view! { <th scope="col">{words::target_label(lang, t)}</th> }).collect_view()}
                                <th scope="col">{t(lang, DataMsg::Outcome)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        }
    };

    // --- counts, refused rows, report
    let counts = move || {
        let a = analysis.get();
        (a.valid().count(), a.errors().count(), a.duplicates())
    };
    let report = {
        let name = name.clone();
        move |_| {
            let lang = ui.lang.get_untracked();
            let a = analysis.get_untracked();
            let table = stored_table.get_value();
            let bytes = error_report(
                &table,
                a.errors(),
                [
                    t(lang, DataMsg::ReportLine),
                    t(lang, DataMsg::ReportProblems),
                ],
            );
            let file = format!("{}-errors.csv", data_logic::stem(&name));
            if let Err(e) = download(&file, "text/csv;charset=utf-8", &bytes) {
                log(&format!("cannot offer the report: {e:?}"));
            }
        }
    };

    // --- duplicates
    let duplicates = move || {
        let lang = lang();
        let a = analysis.get();
        let rows: Vec<(usize, String, String, bool)> = a
            .valid()
            .zip(&a.dups)
            .filter(|(_, d)| !d.is_unique())
            .map(|((r, _), d)| {
                (
                    r.row,
                    r.account.name.clone(),
                    describe_duplicate(ui, lang, d),
                    !d.existing.is_empty(),
                )
            })
            .collect();
        if rows.is_empty() {
            return ().into_any();
        }
        let total = rows.len();
        let shown = shown_dups.get();
        view! {
            <section class="data-step" data-testid="duplicates" aria-labelledby="dup-title">
                <h3 id="dup-title">{t(lang, DataMsg::Duplicates)}</h3>
                <p class="muted small">{t(lang, DataMsg::DuplicatesHelp)}</p>
                <div class="field">
                    <label for="dup-default">{t(lang, DataMsg::DefaultChoice)}</label>
                    <select id="dup-default" data-testid="dup-default" on:change=move |ev| {
                        if let Some(c) = Choice::from_key(&event_target_value(&ev)) {
                            default_choice.set(c);
                            choices.set(HashMap::new());
                        }
                    }>
                        {Choice::ALL.into_iter().map(|c| view! {
                            <option value=c.key() prop:selected=move || default_choice.get() == c>{choice_label(lang, c)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <ul class="rows">
                    {rows.into_iter().take(shown).map(|(line, name, why, _)| {
                        let current = move || choices.with(|c| c.get(&line).copied()).unwrap_or_else(|| default_choice.get());
                        view! {
                            <li class="row dup-row" data-testid="dup-row" data-line=line.to_string()>
                                <span class="row-main">
                                    <span class="row-title">{format!("{} · {name}", words::row_name(lang, line))}</span>
                                    <span class="row-meta">{why}</span>
                                </span>
                                <label class="sr-only" for=format!("dup-{line}")>{t(lang, DataMsg::Outcome)}</label>
                                <select id=format!("dup-{line}") data-testid="dup-choice" on:change=move |ev| {
                                    if let Some(c) = Choice::from_key(&event_target_value(&ev)) {
                                        choices.update(|m| { m.insert(line, c); });
                                    }
                                }>
                                    {Choice::ALL.into_iter().map(|c| view! {
                                        <option value=c.key() prop:selected=move || current() == c>{choice_label(lang, c)}</option>
                                    }).collect_view()}
                                </select>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(total > shown).then(|| view! {
                    <button type="button" class="secondary" data-testid="dup-more" on:click=move |_| shown_dups.update(|n| *n += DUPLICATES_PAGE)>
                        {words::show_more(lang, total - shown)}
                    </button>
                })}
            </section>
        }
        .into_any()
    };

    // --- import
    let start = move |_| {
        let a = analysis.get_untracked();
        let rows: Vec<RowEdits> = a.valid().map(|(_, e)| e.clone()).collect();
        let overrides = choices.get_untracked();
        let default = default_choice.get_untracked();
        let choice = move |line: usize| overrides.get(&line).copied().unwrap_or(default);
        let book_people = |id: DocId| {
            ui.index.with_value(|i| {
                i.related(id, Kind::Person)
                    .into_iter()
                    .map(|s| (s.title.clone(), s.email.clone()))
                    .collect()
            })
        };
        let plan = data_logic::plan_import(
            &rows,
            &a.dups,
            &choice,
            &book_people,
            &mut platform::new_doc_id,
        );
        run_plan(ui, plan, phase, reset);
    };
    let can_start = move || {
        let (valid, refused, _) = counts();
        !phase.get().busy() && valid > 0 && (refused == 0 || valid_only.get())
    };

    view! {
        <div class="data-steps" data-testid="csv-import">
            <p class="small" data-testid="import-format">{info}</p>
            <section class="data-step" aria-labelledby="map-title">
                <h3 id="map-title">{move || t(lang(), DataMsg::Columns)}</h3>
                <p class="muted small">{move || t(lang(), DataMsg::ColumnsHelp)}</p>
                <div class="table data-mapping">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{move || t(lang(), DataMsg::Column)}</th>
                                <th scope="col">{move || t(lang(), DataMsg::Example)}</th>
                                <th scope="col">{move || t(lang(), DataMsg::GoesTo)}</th>
                            </tr>
                        </thead>
                        <tbody>{mapping_rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="data-step" aria-labelledby="preview-title">
                <h3 id="preview-title">{move || t(lang(), DataMsg::Preview)}</h3>
                <p class="muted small">{move || t(lang(), DataMsg::PreviewHelp)}</p>
                {preview}
            </section>
            <p class="data-counts" data-testid="import-summary">
                {move || { let (v, r, d) = counts(); words::counts(lang(), v, r, d) }}
            </p>
            {move || (counts().1 > 0).then(|| {
                let report = report.clone();
                view! {
                    <div class="banner notice data-refused" data-testid="import-refused">
                        <p>{t(lang(), DataMsg::RefusedHelp)}</p>
                        <button type="button" class="secondary" data-testid="import-report" on:click=report>
                            {t(lang(), DataMsg::DownloadReport)}
                        </button>
                        <label class="filter toggle">
                            <input type="checkbox" data-testid="import-valid-only" prop:checked=move || valid_only.get()
                                on:change=move |ev| valid_only.set(event_target_checked(&ev)) />
                            {words::valid_only(lang(), counts().0)}
                        </label>
                    </div>
                }
            })}
            {duplicates}
            <div class="form-actions">
                <button type="button" class="primary" data-testid="import-start" disabled=move || !can_start() on:click=start>
                    {move || words::import_button(lang(), counts().0)}
                </button>
            </div>
        </div>
    }
}

fn choice_label(lang: Lang, c: Choice) -> &'static str {
    t(
        lang,
        match c {
            Choice::Merge => DataMsg::ChoiceMerge,
            Choice::Skip => DataMsg::ChoiceSkip,
            Choice::New => DataMsg::ChoiceNew,
        },
    )
}

/// "email in comune con «Bar Roma» (in archivio)", for the first match.
fn describe_duplicate(
    ui: AppState,
    lang: Lang,
    d: &campo_core::interop::Duplicates<DocId>,
) -> String {
    if let Some(m) = d.existing.first() {
        let title = ui
            .index
            .with_value(|i| i.get(&m.with).map(|s| s.title.clone()))
            .unwrap_or_default();
        return words::duplicate_of(lang, &m.keys, &title, true);
    }
    match d.earlier_rows.first() {
        Some(m) => words::duplicate_of(lang, &m.keys, &words::row_name(lang, m.with), false),
        None => String::new(),
    }
}

#[component]
fn CardsImport(
    name: String,
    cards: Arc<Vec<Result<VCard, VCardError>>>,
    phase: RwSignal<Phase>,
    reset: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let valid_only = RwSignal::new(false);
    let provenance = Provenance {
        file_name: name.clone(),
        date: platform::today(),
    };
    let stored = StoredValue::new(cards.clone());
    // The cards as edits (notes lines in the language of the moment).
    let edits = Memo::new(move |_| {
        let lang = ui.lang.get();
        let label = move |what: &str, v: &str| words::note_line(lang, what, v);
        let cards = stored.get_value();
        Arc::new(
            cards
                .iter()
                .map(|c| match c {
                    Ok(card) => {
                        data_logic::card_edits(card, &provenance, &label, &mut platform::random_hex)
                            .map_err(CardProblem::Values)
                    }
                    Err(e) => Err(CardProblem::Read(e.clone())),
                })
                .collect::<Vec<_>>(),
        )
    });
    let counts = move || {
        let e = edits.get();
        let ok = e.iter().filter(|c| c.is_ok()).count();
        (ok, e.len() - ok)
    };
    let unreadable = cards.iter().filter(|c| c.is_err()).count();
    let total = cards.len();
    let info = move || words::vcf_info(lang(), &name, total, unreadable);
    let preview = move || {
        let lang = lang();
        let e = edits.get();
        let cards = stored.get_value();
        cards
            .iter()
            .zip(e.iter())
            .take(PREVIEW_ROWS)
            .map(|(card, edits)| {
                let (name, org, email, phone) = match card {
                    Ok(c) => (
                        c.full_name.clone(),
                        c.org.clone(),
                        c.emails
                            .first()
                            .map(|x| x.value.clone())
                            .unwrap_or_default(),
                        c.phones
                            .first()
                            .map(|x| x.value.clone())
                            .unwrap_or_default(),
                    ),
                    Err(_) => (
                        t(lang, DataMsg::Unreadable).to_owned(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ),
                };
                let (refused, outcome) = match edits {
                    Ok(_) => (false, t(lang, DataMsg::Ready).to_owned()),
                    Err(p) => (true, p.text(lang)),
                };
                view! {
                    <tr data-testid="preview-row" class:refused=refused>
                        <td>{name}</td>
                        <td>{org}</td>
                        <td>{email}</td>
                        <td>{phone}</td>
                        <td data-testid="preview-outcome" class:error=refused>{outcome}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let start = move |_| {
        let e = edits.get_untracked();
        let valid: Vec<CardEdits> = e.iter().filter_map(|c| c.as_ref().ok().cloned()).collect();
        let accounts: HashMap<String, DocId> = ui.index.with_value(|i| {
            let mut m = HashMap::new();
            for s in i.of_kind(Kind::Account) {
                m.entry(fold(s.title.trim())).or_insert(s.id);
            }
            m
        });
        let plan = data_logic::plan_cards(&valid, &accounts, &mut platform::new_doc_id);
        run_plan(ui, plan, phase, reset);
    };
    let can_start = move || {
        let (ok, bad) = counts();
        !phase.get().busy() && ok > 0 && (bad == 0 || valid_only.get())
    };
    view! {
        <div class="data-steps" data-testid="vcard-import">
            <p class="small" data-testid="import-format">{info}</p>
            <section class="data-step" aria-labelledby="cards-title">
                <h3 id="cards-title">{move || t(lang(), DataMsg::Preview)}</h3>
                <div class="table data-preview" tabindex="0" role="region" aria-labelledby="cards-title">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n::field_label(lang(), Kind::Person, "name")}</th>
                                <th scope="col">{move || i18n::field_label(lang(), Kind::Person, "account")}</th>
                                <th scope="col">{move || i18n::field_label(lang(), Kind::Person, "email")}</th>
                                <th scope="col">{move || i18n::field_label(lang(), Kind::Person, "phone")}</th>
                                <th scope="col">{move || t(lang(), DataMsg::Outcome)}</th>
                            </tr>
                        </thead>
                        <tbody>{preview}</tbody>
                    </table>
                </div>
            </section>
            {move || (counts().1 > 0).then(|| view! {
                <div class="banner notice data-refused" data-testid="import-refused">
                    <label class="filter toggle">
                        <input type="checkbox" data-testid="import-valid-only" prop:checked=move || valid_only.get()
                            on:change=move |ev| valid_only.set(event_target_checked(&ev)) />
                        {words::valid_only(lang(), counts().0)}
                    </label>
                </div>
            })}
            <div class="form-actions">
                <button type="button" class="primary" data-testid="import-start" disabled=move || !can_start() on:click=start>
                    {move || words::import_button(lang(), counts().0)}
                </button>
            </div>
        </div>
    }
}

/// Why a card is not imported.
#[derive(Debug, Clone, PartialEq)]
enum CardProblem {
    Read(VCardError),
    Values(Vec<RowProblem>),
}

impl CardProblem {
    fn text(&self, lang: Lang) -> String {
        match self {
            CardProblem::Read(e) => words::vcard_error(lang, e),
            CardProblem::Values(p) => p
                .iter()
                .map(|p| words::problem(lang, p))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

// ---------------------------------------------------------------- export

#[component]
fn ExportSection() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let excel = RwSignal::new(ui.lang.get_untracked() == Lang::It);
    let status = RwSignal::new(None::<Result<String, ()>>);
    let busy = RwSignal::new(false);

    // How many records each list's current query selects.
    let totals = Memo::new(move |_| {
        ui.index_rev.track();
        ui.queries.track();
        LISTS.map(|kind| {
            let q = ui.query(kind);
            let segment = crate::analytics_view::segment_ids(ui, q.segment.as_deref());
            let ctx = QueryContext {
                today: platform::today_day(),
                segment: segment.as_ref(),
            };
            ui.index.with_value(|i| i.search(&q, &ctx, 0).total)
        })
    });
    let offer = move |name: String, mime: &str, bytes: &[u8]| {
        status.set(Some(match download(&name, mime, bytes) {
            Ok(()) => Ok(name),
            Err(e) => {
                log(&format!("cannot offer the download: {e:?}"));
                Err(())
            }
        }));
    };
    let export_list = move |kind: Kind| {
        let lang = ui.lang.get_untracked();
        let q = ui.query(kind);
        let segment = crate::analytics_view::segment_ids(ui, q.segment.as_deref());
        let ctx = QueryContext {
            today: platform::today_day(),
            segment: segment.as_ref(),
        };
        let decimal_comma = excel.get_untracked();
        let (headers, rows) = ui.index.with_value(|i| {
            let found = i.search(&q, &ctx, usize::MAX);
            let account = |id: DocId| i.get(&id).map(|s| s.title.clone()).unwrap_or_default();
            data_logic::list_export(lang, kind, &found.items, &account, decimal_comma)
        });
        let options = if decimal_comma {
            CsvOptions::EXCEL_ITALY
        } else {
            CsvOptions::STANDARD
        };
        let bytes = write_csv(&headers, &rows, options);
        offer(
            data_logic::file_name(kind_slug(kind), &platform::today(), "csv"),
            "text/csv;charset=utf-8",
            &bytes,
        );
    };
    let export_vcard = move |_| {
        let Some(campo) = ui.campo() else { return };
        let q = ui.query(Kind::Person);
        let ctx = QueryContext {
            today: platform::today_day(),
            segment: None,
        };
        let ids: Vec<DocId> = ui.index.with_value(|i| {
            i.search(&q, &ctx, usize::MAX)
                .items
                .iter()
                .map(|s| s.id)
                .collect()
        });
        busy.set(true);
        spawn_local(async move {
            let records = campo.read_many(&ids).await;
            busy.set(false);
            match records {
                Ok(records) => {
                    let cards: Vec<VCard> = records
                        .iter()
                        .map(|r| {
                            let account = r
                                .get("account")
                                .as_id()
                                .and_then(|a| {
                                    ui.index.with_value(|i| i.get(&a).map(|s| s.title.clone()))
                                })
                                .unwrap_or_default();
                            data_logic::person_card(r, &account)
                        })
                        .collect();
                    offer(
                        data_logic::file_name("people", &platform::today(), "vcf"),
                        "text/vcard;charset=utf-8",
                        &write_vcards(&cards),
                    );
                }
                Err(e) => {
                    log(&format!("cannot read the people: {e}"));
                    status.set(Some(Err(())));
                }
            }
        });
    };
    let export_ics = move |_| {
        let items = ui.index.with_value(|i| {
            let tasks: Vec<_> = i.of_kind(Kind::Task).collect();
            let account = |id: DocId| i.get(&id).map(|s| (s.title.clone(), s.city.clone()));
            data_logic::calendar_items(&tasks, &account, &local_ms)
        });
        let bytes = write_calendar(&items, platform::now_ms());
        offer(
            data_logic::file_name("calendar", &platform::today(), "ics"),
            "text/calendar;charset=utf-8",
            &bytes,
        );
    };

    view! {
        <section class="card data-section" data-testid="export-section" aria-labelledby="export-title">
            <h2 id="export-title">{move || t(lang(), DataMsg::Export)}</h2>
            <p class="muted small">{move || t(lang(), DataMsg::ExportHelp)}</p>
            <label class="filter toggle">
                <input type="checkbox" data-testid="export-excel" prop:checked=move || excel.get()
                    on:change=move |ev| excel.set(event_target_checked(&ev)) />
                {move || t(lang(), DataMsg::ExcelItaly)}
            </label>
            <div class="data-buttons">
                {LISTS.into_iter().enumerate().map(|(n, kind)| view! {
                    <button type="button" class="secondary" data-testid=format!("export-csv-{}", kind.key())
                        on:click=move |_| export_list(kind)>
                        {move || words::export_button(lang(), kind, totals.get()[n])}
                    </button>
                }).collect_view()}
                <button type="button" class="secondary" data-testid="export-vcard" aria-busy=move || busy.get().to_string()
                    disabled=move || busy.get() on:click=export_vcard>
                    {move || t(lang(), DataMsg::VCardPeople)}
                </button>
                <button type="button" class="secondary" data-testid="export-ics" on:click=export_ics>
                    {move || t(lang(), DataMsg::CalendarTasks)}
                </button>
            </div>
            <p class="muted small">{move || t(lang(), DataMsg::CalendarHelp)}</p>
            {move || status.get().map(|s| match s {
                Ok(name) => view! { <p class="small" role="status" data-testid="export-status">{words::downloaded(lang(), &name)}</p> }.into_any(),
                Err(()) => view! { <p class="error" role="alert" data-testid="export-status">{t(lang(), DataMsg::ExportFailed)}</p> }.into_any(),
            })}
        </section>
    }
}

// ---------------------------------------------------------------- backup

/// A backup file picked for restoring, as shown before restoring it.
#[derive(Clone, PartialEq)]
struct Picked {
    team: String,
    created_ms: i64,
    docs: usize,
}

#[component]
fn BackupSection() -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let backup_status = RwSignal::new(None::<Result<(String, usize, usize), ()>>);
    let backing_up = RwSignal::new(false);
    let picked = RwSignal::new(None::<Picked>);
    let chosen = StoredValue::new_local(None::<Backup>);
    let bad_file = RwSignal::new(None::<BackupError>);
    let phase = RwSignal::new(Phase::Idle);
    let input = NodeRef::<html::Input>::new();

    let download_backup = move |_| {
        let Some(campo) = ui.campo() else { return };
        backing_up.set(true);
        spawn_local(async move {
            let docs = campo.all_docs().await;
            backing_up.set(false);
            let docs = match docs {
                Ok(docs) => docs,
                Err(e) => {
                    log(&format!("cannot read the book for a backup: {e}"));
                    backup_status.set(Some(Err(())));
                    return;
                }
            };
            let team = ui.team.get_untracked();
            let backup = Backup {
                team: team.clone(),
                created_ms: platform::now_ms(),
                docs,
            };
            let bytes = backup.encode();
            let name =
                data_logic::file_name(&format!("backup {team}"), &platform::today(), "campobk");
            backup_status.set(Some(
                match download(&name, "application/octet-stream", &bytes) {
                    Ok(()) => Ok((name, backup.docs.len(), bytes.len())),
                    Err(e) => {
                        log(&format!("cannot offer the backup: {e:?}"));
                        Err(())
                    }
                },
            ));
        });
    };

    let on_pick = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let el: web_sys::HtmlInputElement = el;
        picked.set(None);
        bad_file.set(None);
        phase.set(Phase::Idle);
        chosen.set_value(None);
        spawn_local(async move {
            let Some((_, bytes)) = read_picked(&el).await else {
                bad_file.set(Some(BackupError::NotABackup));
                return;
            };
            match Backup::decode(&bytes) {
                Ok(b) => {
                    picked.set(Some(Picked {
                        team: b.team.clone(),
                        created_ms: b.created_ms,
                        docs: b.docs.len(),
                    }));
                    chosen.set_value(Some(b));
                }
                Err(e) => bad_file.set(Some(e)),
            }
        });
    };

    let restore = move |_| {
        let Some(campo) = ui.campo() else { return };
        let Some(backup) = chosen.try_update_value(Option::take).flatten() else {
            return;
        };
        let total = backup.docs.len();
        phase.set(Phase::Building { done: 0, total });
        spawn_local(async move {
            let progress = move |n: usize| {
                phase.set(if n >= total {
                    Phase::Saving
                } else {
                    Phase::Building { done: n, total }
                })
            };
            match campo.restore(backup.docs, &progress).await {
                Ok(r) => {
                    phase.set(Phase::Restored {
                        added: r.added,
                        merged: r.merged,
                    });
                    picked.set(None);
                    if let Some(el) = input.get_untracked() {
                        el.set_value("");
                    }
                }
                Err(RestoreError::Damaged(id, e)) => {
                    log(&format!("backup record {id} is damaged: {e}"));
                    phase.set(Phase::Failed(Failure::Damaged));
                }
                Err(RestoreError::Storage(StorageError::Full)) => {
                    phase.set(Phase::Failed(Failure::Full))
                }
                Err(e) => {
                    log(&format!("restore failed: {e}"));
                    phase.set(Phase::Failed(Failure::Other));
                }
            }
        });
    };

    view! {
        <section class="card data-section" data-testid="backup-section" aria-labelledby="backup-title">
            <h2 id="backup-title">{move || t(lang(), DataMsg::Backup)}</h2>
            <p class="muted small">{move || t(lang(), DataMsg::BackupHelp)}</p>
            <div class="form-actions">
                <button type="button" class="primary" data-testid="backup-download" aria-busy=move || backing_up.get().to_string()
                    disabled=move || backing_up.get() on:click=download_backup>
                    {move || t(lang(), DataMsg::DownloadBackup)}
                </button>
            </div>
            {move || backup_status.get().map(|s| match s {
                Ok((name, docs, bytes)) => view! {
                    <p class="small" role="status" data-testid="backup-status">{words::backup_done(lang(), &name, docs, bytes)}</p>
                }.into_any(),
                Err(()) => view! {
                    <p class="error" role="alert" data-testid="backup-status">{t(lang(), DataMsg::BackupFailed)}</p>
                }.into_any(),
            })}

            <h3>{move || t(lang(), DataMsg::Restore)}</h3>
            <p class="muted small">{move || t(lang(), DataMsg::RestoreHelp)}</p>
            <div class="field">
                <label for="restore-file">{move || t(lang(), DataMsg::ChooseBackup)}</label>
                <input id="restore-file" type="file" node_ref=input data-testid="restore-file" accept=".campobk,application/octet-stream"
                    disabled=move || phase.get().busy() on:change=on_pick />
            </div>
            {move || bad_file.get().map(|e| view! {
                <p class="banner" role="alert" data-testid="restore-error">{words::backup_error(lang(), &e)}</p>
            })}
            {move || picked.get().map(|p| {
                let lang = lang();
                let current = ui.team.get();
                let other = (p.team != current).then(|| view! {
                    <p class="small" data-testid="restore-other-team">{words::other_team(lang, &p.team, &current)}</p>
                });
                view! {
                    <div class="data-step" data-testid="restore-picked">
                        <p data-testid="restore-info">{words::restore_info(lang, &p.team, &i18n::date_time(lang, p.created_ms), p.docs)}</p>
                        {other}
                        <div class="form-actions">
                            <button type="button" class="primary" data-testid="restore-start" disabled=move || phase.get().busy() on:click=restore>
                                {t(lang, DataMsg::RestoreStart)}
                            </button>
                        </div>
                    </div>
                }
            })}
            {progress_view(ui, phase, "restore-progress", DataMsg::Restoring)}
        </section>
    }
}
