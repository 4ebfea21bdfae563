//! "Who buys this" on a product's page: the accounts whose orders hold the product,
//! with how much they bought and the revenue it made. Read from the index's
//! summaries (`Facts::Account { orders, .. }`), so no document is opened and it
//! works offline.
//!
//! It follows the analytics' rules (`campo_core::analytics::facts`): only confirmed
//! and delivered orders count, refunds subtract, and an account merged into
//! another hands its orders to that one.

use crate::i18n::orders::{self as words, OrdersMsg};
use crate::i18n::{self, Lang};
use crate::state::{Route, use_app};
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::record::Kind;
use campo_core::sorting;
use campo_core::summary::{Facts, Summary};
use leptos::prelude::*;
use std::collections::HashMap;

/// One account's purchases of one product.
#[derive(Debug, Clone, PartialEq)]
pub struct Buyer {
    pub account: DocId,
    pub name: String,
    /// Units bought, refunds subtracted.
    pub quantity: f64,
    /// Cents, refunds subtracted.
    pub revenue: i64,
    /// Counted orders with the product in them (refunds not included).
    pub orders: u32,
    /// The newest of those orders.
    pub last: Option<Day>,
}

/// The buyers of `product` among `accounts` (live account summaries), by revenue,
/// largest first. Accounts that never bought it are left out.
pub fn buyers<'a>(accounts: impl Iterator<Item = &'a Summary>, product: DocId) -> Vec<Buyer> {
    let accounts: Vec<&Summary> = accounts.filter(|s| s.kind == Kind::Account).collect();
    let by_id: HashMap<DocId, &Summary> = accounts.iter().map(|s| (s.id, *s)).collect();
    let merged_into = |s: &Summary| match s.facts.get() {
        Facts::Account { account, .. } => account.merged_into,
        _ => None,
    };
    // Follows merges to an account in the book; a chain that loops or leaves the
    // book stops at the last account found.
    let owner = |s: &'a Summary| -> &'a Summary {
        let mut at = s;
        for _ in 0..accounts.len() {
            match merged_into(at).and_then(|id| by_id.get(&id)) {
                Some(next) if next.id != s.id => at = next,
                _ => break,
            }
        }
        at
    };
    let mut out: HashMap<DocId, Buyer> = HashMap::new();
    for s in &accounts {
        let Facts::Account { orders, .. } = s.facts.get() else {
            continue;
        };
        let to = owner(s);
        for order in orders.iter().filter(|o| o.counts()) {
            let lines: Vec<_> = order
                .lines
                .iter()
                .filter(|l| l.product == product)
                .collect();
            if lines.is_empty() {
                continue;
            }
            let b = out.entry(to.id).or_insert_with(|| Buyer {
                account: to.id,
                name: to.title.clone(),
                quantity: 0.0,
                revenue: 0,
                orders: 0,
                last: None,
            });
            for l in &lines {
                b.quantity += l.quantity;
                b.revenue = b.revenue.saturating_add(l.total());
            }
            if lines.iter().any(|l| l.quantity > 0.0) {
                b.orders += 1;
                b.last = b.last.max(Some(order.date));
            }
        }
    }
    let mut list: Vec<Buyer> = out.into_values().filter(|b| b.orders > 0).collect();
    sorting::sort_by(&mut list, |a, b| {
        b.revenue.cmp(&a.revenue).then_with(|| a.name.cmp(&b.name))
    });
    list
}

#[component]
pub fn ProductBuyers(product: DocId) -> impl IntoView {
    let ui = use_app();
    let lang = move || ui.lang.get();
    let list = Memo::new(move |_| {
        ui.index_rev.track();
        ui.index
            .with_value(|i| buyers(i.of_kind(Kind::Account), product))
    });
    view! {
        <section class="card product-buyers" data-testid="product-buyers">
            <h2>{move || words::t(lang(), OrdersMsg::Buyers)}</h2>
            {move || {
                let lang = lang();
                let list = list.get();
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="no-buyers">{words::t(lang, OrdersMsg::NoBuyers)}</p> }.into_any();
                }
                view! {
                    <p class="muted small">{words::t(lang, OrdersMsg::BuyersNote)}</p>
                    <div class="table">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{words::t(lang, OrdersMsg::Account)}</th>
                                    <th scope="col" class="num">{i18n::field_label(lang, Kind::Account, "quantity")}</th>
                                    <th scope="col" class="num">{words::t(lang, OrdersMsg::Orders)}</th>
                                    <th scope="col">{words::t(lang, OrdersMsg::LastOrder)}</th>
                                    <th scope="col" class="num">{words::t(lang, OrdersMsg::Revenue)}</th>
                                </tr>
                            </thead>
                            <tbody>{list.into_iter().map(|b| buyer_row(lang, b)).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

fn buyer_row(lang: Lang, b: Buyer) -> impl IntoView {
    view! {
        <tr data-testid="buyer-row">
            <td><a href=Route::Record(Kind::Account, b.account).hash()>{b.name}</a></td>
            <td class="num" data-testid="buyer-quantity">{words::quantity(lang, b.quantity)}</td>
            <td class="num">{b.orders}</td>
            <td>{b.last.map(|d| i18n::day(lang, d)).unwrap_or_default()}</td>
            <td class="num" data-testid="buyer-revenue">{i18n::money(lang, b.revenue)}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::record::{Item, Record, Val};
    use std::collections::BTreeMap;

    const COFFEE: DocId = DocId([0xc0; 16]);
    const TEA: DocId = DocId([0x7e; 16]);

    fn line(product: DocId, qty: f64, price: i64, discount: i64) -> Item {
        let mut f = BTreeMap::new();
        f.insert("product", Val::Str(product.to_hex()));
        f.insert("quantity", Val::Num(qty));
        f.insert("unit_price", Val::Int(price));
        f.insert("discount", Val::Int(discount));
        Item {
            id: format!("l{qty}{price}"),
            fields: f,
            ..Item::default()
        }
    }

    fn order(id: &str, date: &str, kind: &str, status: &str, lines: Vec<Item>) -> Item {
        let mut f = BTreeMap::new();
        f.insert("date", Val::Str(date.into()));
        f.insert("kind", Val::Str(kind.into()));
        f.insert("status", Val::Str(status.into()));
        Item {
            id: id.into(),
            fields: f,
            sub: lines,
            ..Item::default()
        }
    }

    fn account(n: u8, name: &str, merged_into: Option<DocId>, orders: Vec<Item>) -> Summary {
        let mut fields = BTreeMap::new();
        fields.insert("name", Val::Str(name.into()));
        if let Some(to) = merged_into {
            fields.insert("merged_into", Val::Str(to.to_hex()));
        }
        let mut collections = BTreeMap::new();
        collections.insert("orders", orders);
        Summary::of(&Record {
            id: Some(DocId([n; 16])),
            kind: Some(Kind::Account),
            schema: 2,
            fields,
            collections,
            ..Record::default()
        })
        .expect("an account has a summary")
    }

    #[test]
    fn buyers_by_revenue_with_refunds_drafts_and_merges() {
        let book = [
            account(
                1,
                "Bar Roma",
                None,
                vec![
                    order(
                        "a",
                        "2026-01-10",
                        "sale",
                        "delivered",
                        vec![line(COFFEE, 10.0, 1890, 0), line(TEA, 5.0, 500, 0)],
                    ),
                    order(
                        "b",
                        "2026-03-02",
                        "sale",
                        "confirmed",
                        vec![line(COFFEE, 60.0, 1890, 10)],
                    ),
                    // A refund of two bags: subtracts, is not a purchase.
                    order(
                        "c",
                        "2026-03-09",
                        "refund",
                        "confirmed",
                        vec![line(COFFEE, 2.0, 1890, 0)],
                    ),
                    // Drafts and cancelled orders count for nothing.
                    order(
                        "d",
                        "2026-04-01",
                        "sale",
                        "draft",
                        vec![line(COFFEE, 100.0, 1890, 0)],
                    ),
                    order(
                        "e",
                        "2026-04-02",
                        "sale",
                        "cancelled",
                        vec![line(COFFEE, 100.0, 1890, 0)],
                    ),
                ],
            ),
            account(
                2,
                "Caffè Centrale",
                None,
                vec![order(
                    "f",
                    "2026-02-01",
                    "sale",
                    "confirmed",
                    vec![line(COFFEE, 1.0, 1890, 0)],
                )],
            ),
            // A duplicate folded into Caffè Centrale: its purchases are Centrale's.
            account(
                3,
                "Caffe Centrale (doppione)",
                Some(DocId([2; 16])),
                vec![order(
                    "g",
                    "2026-05-01",
                    "sale",
                    "confirmed",
                    vec![line(COFFEE, 3.0, 1890, 0)],
                )],
            ),
            account(
                4,
                "Solo tè",
                None,
                vec![order(
                    "h",
                    "2026-02-01",
                    "sale",
                    "confirmed",
                    vec![line(TEA, 9.0, 500, 0)],
                )],
            ),
        ];
        let list = buyers(book.iter(), COFFEE);
        let rows: Vec<(&str, f64, i64, u32, Option<Day>)> = list
            .iter()
            .map(|b| (b.name.as_str(), b.quantity, b.revenue, b.orders, b.last))
            .collect();
        assert_eq!(
            rows,
            [
                // 189,00 + 1.020,60 - 37,80
                ("Bar Roma", 68.0, 117_180, 2, Day::parse("2026-03-02").ok()),
                (
                    "Caffè Centrale",
                    4.0,
                    7_560,
                    2,
                    Day::parse("2026-05-01").ok()
                ),
            ]
        );
        assert!(buyers(book.iter(), DocId([9; 16])).is_empty());
    }

    #[test]
    fn merge_loops_do_not_hang() {
        let a = account(
            1,
            "A",
            Some(DocId([2; 16])),
            vec![order(
                "x",
                "2026-01-01",
                "sale",
                "confirmed",
                vec![line(COFFEE, 1.0, 100, 0)],
            )],
        );
        let b = account(2, "B", Some(DocId([1; 16])), vec![]);
        let list = buyers([a, b].iter(), COFFEE);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].revenue, 100);
    }
}
