//! The deal board: one column per stage (lead to won and lost) with its count,
//! total and weighted value, and a card per deal. A deal moves with the stage
//! menu on its card (keyboard and touch) or by dragging its handle to another
//! column (pointer events, so mouse, pen and touch alike). Moving to `lost` asks
//! for the reason in a small form inside the card. Grouping, totals and the
//! edits of a move are [`crate::kanban_logic`].

use crate::i18n::kanban::{self as words, BoardMsg};
use crate::i18n::{self, Lang, Msg};
use crate::kanban_logic::{self, Card, Column, Filter, MoveError};
use crate::records::{OpenError, SaveError, log};
use crate::settings;
use crate::state::{AppState, Route, use_app};
use campo_core::ids::DocId;
use campo_core::record::Kind;
use campo_core::vocab::Stage;
use leptos::ev::PointerEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// A card being dragged by its handle.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Drag {
    id: DocId,
    from: Stage,
    /// Where the pointer went down, and how far it has moved (CSS pixels).
    x0: i32,
    y0: i32,
    dx: i32,
    dy: i32,
    /// The column under the pointer.
    over: Option<Stage>,
}

/// The board's signals, `Copy` so every card's handlers can hold them.
#[derive(Clone, Copy)]
struct Board {
    ui: AppState,
    /// Only the signed-in rep's deals.
    mine: RwSignal<bool>,
    text: RwSignal<String>,
    drag: RwSignal<Option<Drag>>,
    /// The card whose "why was it lost" form is open, and the stage it is in.
    lost: RwSignal<Option<(DocId, Stage)>>,
    reason: RwSignal<String>,
    reason_missing: RwSignal<bool>,
    /// The last move could not be saved.
    failed: RwSignal<bool>,
    /// A deal moved with its stage menu: the menu takes the focus again in the
    /// deal's new column, so keyboard users stay on it.
    refocus: RwSignal<Option<DocId>>,
}

/// Why a move was not saved.
#[derive(Debug, thiserror::Error)]
enum MoveFailure {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("the deal is not on this device yet: wait for sync and try again")]
    Missing,
    #[error(transparent)]
    Rule(#[from] MoveError),
    #[error(transparent)]
    Save(#[from] SaveError),
}

/// The deals list's "list / board" switch; the choice is remembered on this device.
#[component]
pub fn BoardToggle(board: RwSignal<bool>) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let chip = move |as_board: bool, testid: &'static str, label: BoardMsg| {
        view! {
            <button type="button" class="chip" data-testid=testid
                aria-pressed=move || (board.get() == as_board).to_string()
                on:click=move |_| {
                    board.set(as_board);
                    settings::set_deals_as_board(as_board);
                }>
                {move || words::t(lang(), label)}
            </button>
        }
    };
    view! {
        <div class="chips view-toggle" role="group" aria-label=move || words::t(lang(), BoardMsg::ShowAs)>
            {chip(false, "view-list", BoardMsg::List)}
            {chip(true, "view-board", BoardMsg::Board)}
        </div>
    }
}

#[component]
pub fn Kanban() -> impl IntoView {
    let ui = use_app();
    let b = Board {
        ui,
        mine: RwSignal::new(true),
        text: RwSignal::new(String::new()),
        drag: RwSignal::new(None),
        lost: RwSignal::new(None),
        reason: RwSignal::new(String::new()),
        reason_missing: RwSignal::new(false),
        failed: RwSignal::new(false),
        refocus: RwSignal::new(None),
    };
    let columns = Memo::new(move |_| {
        ui.index_rev.track();
        let rep = ui.rep.get();
        let text = b.text.get();
        let filter = Filter {
            owner: b.mine.get().then_some(rep.as_str()),
            text: &text,
        };
        ui.index.with_value(|i| {
            kanban_logic::board(
                i.of_kind(Kind::Deal),
                |id| i.get(id).map(|s| s.title.as_str()),
                &filter,
            )
        })
    });
    let lang = move || ui.lang.get();
    let owner_chip = move |mine: bool, testid: &'static str, label: BoardMsg| {
        view! {
            <button type="button" class="chip" data-testid=testid
                aria-pressed=move || (b.mine.get() == mine).to_string()
                on:click=move |_| b.mine.set(mine)>
                {move || words::t(lang(), label)}
            </button>
        }
    };
    view! {
        <div class="kanban-board" data-testid="kanban">
            <div class="toolbar" role="search">
                <input
                    type="search"
                    class="search"
                    data-testid="board-search"
                    aria-label=move || words::t(lang(), BoardMsg::Search)
                    placeholder=move || words::t(lang(), BoardMsg::Search)
                    prop:value=move || b.text.get()
                    on:input=move |ev| b.text.set(event_target_value(&ev))
                />
                <div class="chips" role="group" aria-label=move || words::t(lang(), BoardMsg::Whose)>
                    {owner_chip(true, "board-mine", BoardMsg::Mine)}
                    {owner_chip(false, "board-everyone", BoardMsg::Everyone)}
                </div>
            </div>
            {move || b.failed.get().then(|| view! {
                <p class="banner" role="alert" data-testid="board-error">{words::t(lang(), BoardMsg::MoveFailed)}</p>
            })}
            <div class="kanban" aria-label=move || words::t(lang(), BoardMsg::Columns)>
                {move || {
                    let lang = lang();
                    columns.get().into_iter().map(|c| column_view(b, lang, c)).collect_view()
                }}
            </div>
        </div>
    }
}

fn column_view(b: Board, lang: Lang, col: Column) -> impl IntoView {
    let stage = col.stage;
    let heading_id = format!("kanban-{}", stage.key());
    let labelled_by = heading_id.clone();
    let n = col.cards.len();
    let cards = if col.cards.is_empty() {
        view! { <p class="muted small kanban-empty">{words::t(lang, BoardMsg::EmptyColumn)}</p> }
            .into_any()
    } else {
        view! {
            <ul class="kanban-cards">
                {col.cards.into_iter().map(|c| card_view(b, lang, c)).collect_view()}
            </ul>
        }
        .into_any()
    };
    let drop_target = move || {
        b.drag
            .with(|d| d.is_some_and(|d| d.over == Some(stage) && d.from != stage))
    };
    view! {
        <section class="kanban-col" data-stage=stage.key() data-testid=format!("col-{}", stage.key())
            class:drop-target=drop_target aria-labelledby=labelled_by>
            <header>
                <h2 id=heading_id>{i18n::choice_label(lang, "stage", stage.key())}</h2>
                <span class="badge" data-testid="col-count" data-count=n.to_string()>{words::deal_count(lang, n)}</span>
            </header>
            <p class="kanban-totals small">
                <span class="kanban-total" data-testid="col-total">{i18n::money(lang, col.total)}</span>
                " · "
                <span class="muted" data-testid="col-weighted">{words::weighted(lang, col.weighted)}</span>
            </p>
            {cards}
        </section>
    }
}

fn card_view(b: Board, lang: Lang, c: Card) -> impl IntoView {
    let id = c.id;
    let stage = c.stage;
    let select_id = format!("stage-{id}");
    let dragging = move || b.drag.with(|d| d.is_some_and(|d| d.id == id));
    let offset = move || {
        b.drag.with(|d| match d {
            Some(d) if d.id == id => Some(format!("translate({}px, {}px)", d.dx, d.dy)),
            _ => None,
        })
    };
    // While the "lost" form is open the menu shows `lost`; cancelling puts it
    // back, and so does a move that could not be saved.
    let shown_stage = move || {
        b.failed.track();
        let asking = b.lost.with(|l| l.is_some_and(|(x, _)| x == id));
        if asking {
            Stage::Lost.key()
        } else {
            stage.key()
        }
    };
    let menu = NodeRef::<leptos::html::Select>::new();
    menu.on_load(move |el| {
        if b.refocus.get_untracked() == Some(id) {
            b.refocus.set(None);
            let _ = el.focus();
        }
    });
    let close = c.expected_close.map(|d| words::closes(lang, d));
    let options = Stage::ALL
        .iter()
        .map(|s| {
            view! {
                <option value=s.key() selected=*s == stage>{i18n::choice_label(lang, "stage", s.key())}</option>
            }
        })
        .collect_view();
    view! {
        <li class="card deal-card" data-testid="deal-card" data-id=id.to_hex()
            class:dragging=dragging style:transform=offset>
            <div class="deal-card-head">
                <a class="deal-title" href=Route::Record(Kind::Deal, id).hash() data-testid="deal-link">{c.title.clone()}</a>
                <span
                    class="drag-handle"
                    data-testid="deal-drag"
                    title=words::t(lang, BoardMsg::DragHandle)
                    aria-hidden="true"
                    on:pointerdown=move |ev| drag_start(b, id, stage, ev)
                    on:pointermove=move |ev| drag_move(b, id, ev)
                    on:pointerup=move |ev| drag_end(b, id, ev)
                    on:pointercancel=move |_| b.drag.set(None)
                ></span>
            </div>
            {(!c.account_name.is_empty()).then(|| view! { <p class="small muted deal-account">{c.account_name.clone()}</p> })}
            <p class="deal-figures">
                <strong data-testid="deal-value">{i18n::money(lang, c.value)}</strong>
                <span class="muted small">{format!(" · {}%", c.probability)}</span>
            </p>
            {close.map(|t| view! { <p class="small">{t}</p> })}
            {(!c.owner.is_empty()).then(|| view! { <p class="small muted deal-owner">{c.owner.clone()}</p> })}
            <label class="sr-only" for=select_id.clone()>{words::stage_of(lang, &c.title)}</label>
            <select id=select_id node_ref=menu data-testid="deal-stage" prop:value=shown_stage
                on:change=move |ev| {
                    if let Some(to) = Stage::from_key(&event_target_value(&ev)) {
                        b.refocus.set((to != Stage::Lost).then_some(id));
                        request_move(b, id, stage, to);
                    }
                }>
                {options}
            </select>
            {move || {
                let asking = b.lost.with(|l| l.is_some_and(|(x, _)| x == id));
                asking.then(|| lost_form(b, id, stage))
            }}
        </li>
    }
}

/// "Why was it lost?": the reason is required, and the move is saved with it.
fn lost_form(b: Board, id: DocId, from: Stage) -> impl IntoView {
    let lang = move || b.ui.lang.get();
    let input_id = format!("lost-{id}");
    let input = NodeRef::<leptos::html::Input>::new();
    input.on_load(|el| {
        let _ = el.focus();
    });
    let cancel = move || {
        b.lost.set(None);
        b.reason_missing.set(false);
    };
    view! {
        <form class="lost-form" data-testid="lost-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                let reason = b.reason.get_untracked();
                if let Err(MoveError::LostReasonRequired) =
                    kanban_logic::move_edits(from, None, Stage::Lost, &reason)
                {
                    b.reason_missing.set(true);
                    return;
                }
                b.reason_missing.set(false);
                save_move(b, id, Stage::Lost, reason);
            }
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    cancel();
                }
            }>
            <div class="field" class:invalid=move || b.reason_missing.get()>
                <label for=input_id.clone()>{move || words::t(lang(), BoardMsg::LostReason)}</label>
                <input id=input_id node_ref=input data-testid="lost-reason" maxlength="200" required
                    aria-invalid=move || b.reason_missing.get().to_string()
                    prop:value=move || b.reason.get()
                    on:input=move |ev| b.reason.set(event_target_value(&ev)) />
                {move || b.reason_missing.get().then(|| view! {
                    <p class="error" role="alert" data-testid="lost-reason-error">{words::t(lang(), BoardMsg::ReasonRequired)}</p>
                })}
            </div>
            <div class="form-actions">
                <button type="submit" class="danger" data-testid="lost-confirm">{move || words::t(lang(), BoardMsg::MarkLost)}</button>
                <button type="button" class="ghost" data-testid="lost-cancel" on:click=move |_| cancel()>
                    {move || i18n::t(lang(), Msg::Cancel)}
                </button>
            </div>
        </form>
    }
}

/// A move asked for by the menu or a drop. `lost` first asks why.
fn request_move(b: Board, id: DocId, from: Stage, to: Stage) {
    if from == to {
        return;
    }
    if to == Stage::Lost {
        b.reason.set(String::new());
        b.reason_missing.set(false);
        b.lost.set(Some((id, from)));
        return;
    }
    if b.lost.with_untracked(|l| l.is_some_and(|(x, _)| x == id)) {
        b.lost.set(None);
    }
    save_move(b, id, to, String::new());
}

/// Saves a move in one change. The stage and probability are re-read from the
/// document rather than the summary, so a probability the rep typed is known
/// exactly (summaries of deals without an account carry no probability).
fn save_move(b: Board, id: DocId, to: Stage, reason: String) {
    let Some(campo) = b.ui.campo() else { return };
    // Only a change of `failed` resets the menus (see `card_view`).
    if b.failed.get_untracked() {
        b.failed.set(false);
    }
    spawn_local(async move {
        let result: Result<(), MoveFailure> = async {
            let record = campo.open(id).await?.ok_or(MoveFailure::Missing)?;
            let from = Stage::from_key(record.text("stage")).unwrap_or(Stage::Lead);
            let probability = record.get("probability").as_int();
            let edits = kanban_logic::move_edits(from, probability, to, &reason)?;
            if !edits.is_empty() {
                campo.save(Kind::Deal, Some(id), edits).await?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                if to == Stage::Lost {
                    b.lost.set(None);
                    b.reason.set(String::new());
                }
            }
            Err(MoveFailure::Rule(MoveError::LostReasonRequired)) => b.reason_missing.set(true),
            Err(e) => {
                log(&format!("cannot move deal {id}: {e}"));
                b.refocus.set(None);
                b.failed.set(true);
            }
        }
    });
}

/// The stage of the column under a point, looking through the dragged card
/// (which is painted over the column it is dragged to).
fn stage_at(x: i32, y: i32) -> Option<Stage> {
    let doc = web_sys::window()?.document()?;
    doc.elements_from_point(x as f32, y as f32)
        .iter()
        .filter_map(|v| v.dyn_into::<web_sys::Element>().ok())
        .find_map(|el| el.get_attribute("data-stage"))
        .and_then(|key| Stage::from_key(&key))
}

fn drag_start(b: Board, id: DocId, from: Stage, ev: PointerEvent) {
    if !ev.is_primary() || ev.button() != 0 {
        return;
    }
    // No text selection or scrolling while dragging; the handle keeps the
    // pointer even when it leaves it.
    ev.prevent_default();
    if let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
    b.drag.set(Some(Drag {
        id,
        from,
        x0: ev.client_x(),
        y0: ev.client_y(),
        dx: 0,
        dy: 0,
        over: Some(from),
    }));
}

fn drag_move(b: Board, id: DocId, ev: PointerEvent) {
    if !b.drag.with_untracked(|d| d.is_some_and(|d| d.id == id)) {
        return;
    }
    let (x, y) = (ev.client_x(), ev.client_y());
    let over = stage_at(x, y);
    b.drag.update(|d| {
        if let Some(d) = d {
            d.dx = x - d.x0;
            d.dy = y - d.y0;
            d.over = over;
        }
    });
}

fn drag_end(b: Board, id: DocId, ev: PointerEvent) {
    let Some(drag) = b.drag.get_untracked().filter(|d| d.id == id) else {
        return;
    };
    let to = stage_at(ev.client_x(), ev.client_y());
    b.drag.set(None);
    if let Some(to) = to {
        request_move(b, id, drag.from, to);
    }
}
