//! An account's orders: the purchase history (newest first; a tap shows an order's
//! lines), entering a new order line by line with a running total, and changing an
//! order's status or removing it. Totals and checks live in [`crate::order_draft`].

use crate::components::ref_picker::RefPicker;
use crate::i18n::orders::{self as words, OrdersMsg};
use crate::i18n::{self, Lang, Msg};
use crate::order_draft::{self, LineDraft, OrderDraft, Problem};
use crate::pages::record::Ctx;
use crate::platform;
use crate::state::Route;
use campo_core::ids::DocId;
use campo_core::record::schema::{ORDER_KINDS, ORDER_STATUSES};
use campo_core::record::{Invalid, Item, Kind};
use campo_core::vocab::OrderStatus;
use leptos::prelude::*;
use std::collections::BTreeSet;

type Draft = RwSignal<Option<OrderDraft>>;

#[component]
pub fn Orders(ctx: Ctx) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let orders = Memo::new(move |_| {
        ctx.record.with(|r| {
            r.as_ref()
                .map(|r| order_draft::newest_first(r.items(order_draft::ORDERS_COLL)))
                .unwrap_or_default()
        })
    });
    let expanded = RwSignal::new(BTreeSet::<String>::new());
    let draft: Draft = RwSignal::new(None);
    // Only opening and closing the form re-renders it, not every keystroke.
    let editing = Memo::new(move |_| draft.with(Option::is_some));

    let start = move |_| {
        let mut d = OrderDraft::new(platform::today());
        d.lines.push(LineDraft::new(platform::random_hex()));
        draft.set(Some(d));
    };
    let history = move || {
        let lang = lang();
        let list = orders.get();
        if list.is_empty() {
            return view! { <p class="muted" data-testid="no-orders">{words::t(lang, OrdersMsg::NoOrders)}</p> }
                .into_any();
        }
        let summary = words::orders_summary(lang, list.len(), order_draft::purchased_total(&list));
        view! {
            <p class="muted small" data-testid="orders-summary">{summary}</p>
            <ul class="rows orders-list">
                {list.into_iter().map(|o| order_row(ctx, lang, o, expanded)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card orders" data-testid="orders">
            <div class="section-head">
                <h2>{move || i18n::coll_label(lang(), "orders")}</h2>
                {move || (!editing.get()).then(|| view! {
                    <button type="button" class="secondary" data-testid="new-order" on:click=start>
                        {words::t(lang(), OrdersMsg::NewOrder)}
                    </button>
                })}
            </div>
            {move || editing.get().then(|| order_form(ctx, draft))}
            {history}
        </section>
    }
}

/// One stored order: a head that shows and hides its lines, a one-tap status
/// select, and (with the lines) "mark cancelled" and "remove".
fn order_row(ctx: Ctx, lang: Lang, o: Item, expanded: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let id = o.id.clone();
    let status = order_draft::order_status(&o);
    let refund = order_draft::is_refund(&o);
    let total = order_draft::order_total(&o);
    let rep = match o.text("rep") {
        "" => o.by.clone(),
        rep => rep.to_owned(),
    };
    let date = o.text("date").to_owned();
    let title = words::order_title(lang, o.text("number"), &date);
    let meta = format!(
        "{} · {} · {}",
        i18n::choice_label(lang, "kind", if refund { "refund" } else { "sale" }),
        words::line_count(lang, o.sub.len()),
        words::entered_by(lang, &rep),
    );
    let detail_id = format!("order-{id}");
    let open = {
        let id = id.clone();
        move || expanded.with(|e| e.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            expanded.update(|e| {
                if !e.remove(&id) {
                    e.insert(id.clone());
                }
            })
        }
    };
    let set_status = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let next = event_target_value(&ev);
            if next != status.key() {
                ctx.save_edits(vec![order_draft::status_edit(&id, &next)], || {});
            }
        }
    };
    let detail = {
        let open = open.clone();
        let detail_id = detail_id.clone();
        move || open().then(|| order_detail(ctx, lang, &o, status, detail_id.clone()))
    };
    view! {
        <li class="order" data-testid="order-row" data-status=status.key() data-kind=if refund { "refund" } else { "sale" }
            class:cancelled=status == OrderStatus::Cancelled>
            <div class="order-bar">
                <button type="button" class="order-head" data-testid="order-toggle"
                    aria-expanded=move || open().to_string() aria-controls=detail_id
                    on:click=toggle>
                    <span class="row-main">
                        <span class="row-title" data-testid="order-title">{title}</span>
                        <span class="row-meta">
                            <time datetime=date.clone()>{i18n::date(lang, &date)}</time>
                            " · " {meta}
                        </span>
                    </span>
                    <span class="order-total" class:negative=total < 0 data-testid="order-total">
                        {i18n::money(lang, total)}
                    </span>
                </button>
                <select class="order-status" data-testid="order-status" data-status=status.key()
                    aria-label=words::t(lang, OrdersMsg::OrderStatus) on:change=set_status>
                    {ORDER_STATUSES.iter().map(|k| view! {
                        <option value=*k selected=*k == status.key()>{i18n::choice_label(lang, "status", k)}</option>
                    }).collect_view()}
                </select>
            </div>
            {detail}
        </li>
    }
}

/// An order's lines, note and actions.
fn order_detail(
    ctx: Ctx,
    lang: Lang,
    o: &Item,
    status: OrderStatus,
    dom_id: String,
) -> impl IntoView + use<> {
    let sign = if order_draft::is_refund(o) { -1 } else { 1 };
    let id = o.id.clone();
    let remove_id = id.clone();
    let note = o.text("note").to_owned();
    let lines = o
        .sub
        .iter()
        .map(|l| stored_line(ctx, lang, l, sign))
        .collect_view();
    let head = |key: &str| i18n::field_label(lang, Kind::Product, key);
    let cancel = move |_| ctx.save_edits(vec![order_draft::status_edit(&id, "cancelled")], || {});
    let remove = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(words::t(lang, OrdersMsg::ConfirmRemoveOrder))
                    .ok()
            })
            .unwrap_or(false);
        if confirmed {
            ctx.save_edits(vec![order_draft::remove_edit(&remove_id)], || {});
        }
    };
    view! {
        <div class="order-detail" id=dom_id data-testid="order-detail">
            <div class="table">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{head("code")}</th>
                            <th scope="col">{head("name")}</th>
                            <th scope="col" class="num">{i18n::field_label(lang, Kind::Account, "quantity")}</th>
                            <th scope="col" class="num">{head("unit_price")}</th>
                            <th scope="col" class="num">{i18n::field_label(lang, Kind::Account, "discount")}</th>
                            <th scope="col" class="num">{words::t(lang, OrdersMsg::LineTotal)}</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                </table>
            </div>
            {(!note.is_empty()).then(|| view! { <p class="order-note" data-testid="order-note-text">{note}</p> })}
            <div class="form-actions">
                {(status != OrderStatus::Cancelled).then(|| view! {
                    <button type="button" class="secondary" data-testid="order-cancel" on:click=cancel>
                        {words::t(lang, OrdersMsg::MarkCancelled)}
                    </button>
                })}
                <button type="button" class="danger ghost" data-testid="order-remove" on:click=remove>
                    {words::t(lang, OrdersMsg::RemoveOrder)}
                </button>
            </div>
        </div>
    }
}

fn stored_line(ctx: Ctx, lang: Lang, l: &Item, sign: i64) -> impl IntoView + use<> {
    let quantity = l.get("quantity").as_num().unwrap_or(0.0);
    let discount = l.get("discount").as_num().unwrap_or(0.0);
    let product = l.get("product").as_id();
    // Lines keep the product's name from when they were entered; older or imported
    // lines without one fall back to the catalogue.
    let name = match l.text("name") {
        "" => product
            .and_then(|id| {
                ctx.ui
                    .index
                    .with_value(|i| i.get(&id).map(|s| s.title.clone()))
            })
            .unwrap_or_default(),
        name => name.to_owned(),
    };
    let name = match product {
        Some(id) => view! { <a href=Route::Record(Kind::Product, id).hash()>{name}</a> }.into_any(),
        None => view! { <span>{name}</span> }.into_any(),
    };
    view! {
        <tr data-testid="order-line">
            <td>{l.text("code").to_owned()}</td>
            <td>{name}</td>
            <td class="num">{words::quantity(lang, quantity)}</td>
            <td class="num">{i18n::money(lang, l.get("unit_price").as_int().unwrap_or(0))}</td>
            <td class="num">{if discount > 0.0 { words::discount(lang, discount) } else { "—".to_owned() }}</td>
            <td class="num" data-testid="order-line-total">{i18n::money(lang, sign * order_draft::stored_line_total(l))}</td>
        </tr>
    }
}

/// The new-order form. Errors show beside their controls as soon as something
/// invalid is typed, and every remaining one after a refused save.
fn order_form(ctx: Ctx, draft: Draft) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    // One id per draft: saving twice (a double tap) rewrites the same order.
    let order_id = StoredValue::new(platform::random_hex());
    let tried = RwSignal::new(false);
    let problems = Memo::new(move |_| {
        draft.with(|d| d.as_ref().map(OrderDraft::problems).unwrap_or_default())
    });
    let order_error = move |field: &'static str| -> Option<Invalid> {
        let typed = draft.with(|d| {
            d.as_ref()
                .is_some_and(|d| !d.input(field).trim().is_empty())
        });
        if !(tried.get() || typed) {
            return None;
        }
        problems.with(|ps| {
            ps.iter().find_map(|p| match p {
                Problem::Order(f, e) if *f == field => Some(e.clone()),
                _ => None,
            })
        })
    };
    let set = move |f: fn(&mut OrderDraft, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(d) = d {
                    f(d, v)
                }
            })
        }
    };
    let get = move |f: fn(&OrderDraft) -> String| {
        move || draft.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let save = move || {
        let Some(d) = draft.get_untracked() else {
            return;
        };
        match d.to_edits(&order_id.get_value(), &ui.rep.get_untracked()) {
            Err(_) => tried.set(true),
            Ok(edits) => ctx.save_edits(edits, move || draft.set(None)),
        }
    };
    let add_line = move |_| {
        draft.update(|d| {
            if let Some(d) = d {
                d.lines.push(LineDraft::new(platform::random_hex()))
            }
        })
    };
    let line_ids = Memo::new(move |_| {
        draft.with(|d| {
            d.as_ref()
                .map(|d| d.lines.iter().map(|l| l.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let error = move |testid: &'static str, field: &'static str| {
        move || {
            order_error(field).map(|e| {
                view! { <p class="error" role="alert" data-testid=testid>{i18n::invalid(lang(), &e)}</p> }
            })
        }
    };
    let kind_label = move |key: &str| i18n::field_label(lang(), Kind::Account, key);
    view! {
        <form class="order-form" data-testid="order-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save();
        }>
            <h3>{move || words::t(lang(), OrdersMsg::NewOrder)}</h3>
            <div class="form-grid">
                <div class="field" class:invalid=move || order_error("date").is_some()>
                    <label for="o-date">{move || kind_label("date")}" *"</label>
                    <input id="o-date" type="date" data-testid="order-date" prop:value=get(|d| d.date.clone())
                        aria-invalid=move || order_error("date").is_some().to_string()
                        on:input=set(|d, v| d.date = v) />
                    {error("error-order-date", "date")}
                </div>
                <div class="field">
                    <label for="o-status">{move || kind_label("status")}</label>
                    <select id="o-status" data-testid="order-new-status" on:change=set(|d, v| d.status = v)>
                        {ORDER_STATUSES.iter().map(|k| view! {
                            <option value=*k prop:selected=move || draft.with(|d| d.as_ref().is_some_and(|d| d.status == *k))>
                                {move || i18n::choice_label(lang(), "status", k)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="o-kind">{move || kind_label("kind")}</label>
                    <select id="o-kind" data-testid="order-kind" on:change=set(|d, v| d.kind = v)>
                        {ORDER_KINDS.iter().map(|k| view! {
                            <option value=*k prop:selected=move || draft.with(|d| d.as_ref().is_some_and(|d| d.kind == *k))>
                                {move || i18n::choice_label(lang(), "kind", k)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field" class:invalid=move || order_error("number").is_some()>
                    <label for="o-number">{move || kind_label("number")}</label>
                    <input id="o-number" data-testid="order-number" autocomplete="off" prop:value=get(|d| d.number.clone())
                        on:input=set(|d, v| d.number = v) />
                    {error("error-order-number", "number")}
                </div>
                <div class="field wide" class:invalid=move || order_error("note").is_some()>
                    <label for="o-note">{move || kind_label("note")}</label>
                    <textarea id="o-note" rows="2" data-testid="order-note" prop:value=get(|d| d.note.clone())
                        on:input=set(|d, v| d.note = v)></textarea>
                    {error("error-order-note", "note")}
                </div>
            </div>
            <fieldset class="order-lines-edit">
                <legend>{move || i18n::coll_label(lang(), "lines")}</legend>
                <ol class="line-edits">
                    <For each=move || line_ids.get() key=|id| id.clone() let:id>
                        {line_editor(ctx, draft, id, tried, problems)}
                    </For>
                </ol>
                {move || (tried.get() && problems.with(|ps| ps.contains(&Problem::NoLines))).then(|| view! {
                    <p class="error" role="alert" data-testid="error-order-lines">{words::t(lang(), OrdersMsg::NoLines)}</p>
                })}
                <button type="button" class="secondary" data-testid="add-line" on:click=add_line>
                    {move || words::t(lang(), OrdersMsg::AddLine)}
                </button>
            </fieldset>
            <p class="order-draft-total">
                <span>{move || words::t(lang(), OrdersMsg::Total)}</span>
                <output data-testid="order-draft-total" aria-live="polite">
                    {move || i18n::money(lang(), draft.with(|d| d.as_ref().map_or(0, OrderDraft::total)))}
                </output>
            </p>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="save-order">{move || words::t(lang(), OrdersMsg::SaveOrder)}</button>
                <button type="button" class="ghost" data-testid="discard-order" on:click=move |_| draft.set(None)>
                    {move || i18n::t(lang(), Msg::Cancel)}
                </button>
                {move || (tried.get() && problems.with(|ps| !ps.is_empty())).then(|| view! {
                    <p class="error" role="alert" data-testid="order-form-error">{words::t(lang(), OrdersMsg::FixOrder)}</p>
                })}
            </div>
        </form>
    }
}

fn with_line<T: Default>(draft: Draft, id: &str, f: impl FnOnce(&LineDraft) -> T) -> T {
    draft.with(|d| {
        d.as_ref()
            .and_then(|d| d.line(id))
            .map(f)
            .unwrap_or_default()
    })
}

fn update_line(draft: Draft, id: &str, f: impl FnOnce(&mut LineDraft)) {
    draft.update(|d| {
        if let Some(line) = d.as_mut().and_then(|d| d.line_mut(id)) {
            f(line)
        }
    })
}

/// One line of the new order: the product picker, quantity, price, discount and
/// the line's total.
fn line_editor(
    ctx: Ctx,
    draft: Draft,
    id: String,
    tried: RwSignal<bool>,
    problems: Memo<Vec<Problem>>,
) -> impl IntoView {
    let ui = ctx.ui;
    let lang = move || ui.lang.get();
    let line_id = StoredValue::new(id);
    let id = move || line_id.get_value();
    let error = move |field: &'static str| -> Option<Invalid> {
        let typed = with_line(draft, &id(), |l| !l.input(field).trim().is_empty());
        if !(tried.get() || typed) {
            return None;
        }
        problems.with(|ps| {
            ps.iter().find_map(|p| match p {
                Problem::Line {
                    line,
                    field: f,
                    invalid,
                } if *line == id() && *f == field => Some(invalid.clone()),
                _ => None,
            })
        })
    };
    let error_view = move |field: &'static str| {
        move || {
            error(field).map(|e| {
                view! { <p class="error" role="alert" data-testid=format!("error-line-{field}")>{i18n::invalid(lang(), &e)}</p> }
            })
        }
    };
    let set = move |f: fn(&mut LineDraft, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            update_line(draft, &id(), |l| f(l, v));
        }
    };
    let get = move |f: fn(&LineDraft) -> String| move || with_line(draft, &id(), f);
    let pick = Callback::new(move |hex: String| {
        let product = hex
            .parse::<DocId>()
            .ok()
            .and_then(|pid| ui.index.with_value(|i| i.get(&pid).cloned()));
        update_line(draft, &id(), |l| match product {
            Some(p) => l.pick(&p),
            None => l.clear_product(),
        });
    });
    let dom = |what: &str| format!("l-{}-{what}", line_id.get_value());
    let picked = move || {
        with_line(draft, &id(), |l| {
            (!l.product.is_empty()).then(|| {
                [l.code.as_str(), l.category.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
        })
        .filter(|s| !s.is_empty())
        .map(|s| view! { <span class="muted small" data-testid="line-code">{s}</span> })
    };
    let total = move || {
        let refund = draft.with(|d| d.as_ref().is_some_and(OrderDraft::is_refund));
        with_line(draft, &id(), LineDraft::total)
            .map(|t| i18n::money(lang(), if refund { -t } else { t }))
            .unwrap_or_else(|| "—".to_owned())
    };
    let label = move |key: &str| i18n::field_label(lang(), Kind::Account, key);
    view! {
        <li class="line-edit" data-testid="line-edit">
            <div class="field line-product" class:invalid=move || error("product").is_some()>
                <label for=dom("product")>{move || label("product")}" *"</label>
                <RefPicker dom_id=dom("product") kind=Kind::Product testid="line-product".to_owned()
                    value=Signal::derive(move || with_line(draft, &id(), |l| l.product.clone())) on_pick=pick />
                {picked}
                {error_view("product")}
            </div>
            <div class="field line-quantity" class:invalid=move || error("quantity").is_some()>
                <label for=dom("quantity")>{move || label("quantity")}" *"</label>
                <input id=dom("quantity") type="text" inputmode="decimal" autocomplete="off" data-testid="line-quantity"
                    prop:value=get(|l| l.quantity.clone()) aria-invalid=move || error("quantity").is_some().to_string()
                    on:input=set(|l, v| l.quantity = v) />
                {error_view("quantity")}
            </div>
            <div class="field line-price" class:invalid=move || error("unit_price").is_some()>
                <label for=dom("price")>{move || label("unit_price")}</label>
                <input id=dom("price") type="text" inputmode="decimal" autocomplete="off" data-testid="line-price"
                    prop:value=get(|l| l.unit_price.clone()) aria-invalid=move || error("unit_price").is_some().to_string()
                    on:input=set(|l, v| l.unit_price = v) />
                {error_view("unit_price")}
            </div>
            <div class="field line-discount" class:invalid=move || error("discount").is_some()>
                <label for=dom("discount")>{move || label("discount")}</label>
                <input id=dom("discount") type="text" inputmode="numeric" autocomplete="off" data-testid="line-discount"
                    prop:value=get(|l| l.discount.clone()) aria-invalid=move || error("discount").is_some().to_string()
                    on:input=set(|l, v| l.discount = v) />
                {error_view("discount")}
            </div>
            <div class="line-total">
                <span class="label small">{move || words::t(lang(), OrdersMsg::LineTotal)}</span>
                <output data-testid="line-total">{total}</output>
            </div>
            <button type="button" class="danger ghost line-remove" data-testid="line-remove"
                on:click=move |_| draft.update(|d| if let Some(d) = d { d.remove_line(&id()) })>
                {move || words::t(lang(), OrdersMsg::RemoveLine)}
            </button>
        </li>
    }
}
