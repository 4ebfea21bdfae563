//! The words of orders, the catalogue's "who buys this", and an account's or a
//! person's extra addresses and contacts, in Italian and English.

use super::{Lang, money, number};

/// A fixed message of these sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdersMsg {
    NewOrder,
    NoOrders,
    AddLine,
    RemoveLine,
    SaveOrder,
    Total,
    LineTotal,
    OrderStatus,
    MarkCancelled,
    RemoveOrder,
    ConfirmRemoveOrder,
    NoLines,
    FixOrder,
    Buyers,
    NoBuyers,
    Account,
    Revenue,
    Orders,
    LastOrder,
    BuyersNote,
    Add,
    Remove,
    ConfirmRemoveItem,
    NoItems,
    FixItem,
}

/// The text of a fixed message.
pub fn t(lang: Lang, msg: OrdersMsg) -> &'static str {
    use OrdersMsg::*;
    let (it, en) = match msg {
        NewOrder => ("Nuovo ordine", "New order"),
        NoOrders => ("Ancora nessun ordine", "No orders yet"),
        AddLine => ("Aggiungi riga", "Add line"),
        RemoveLine => ("Togli riga", "Remove line"),
        SaveOrder => ("Salva ordine", "Save order"),
        Total => ("Totale", "Total"),
        LineTotal => ("Totale riga", "Line total"),
        OrderStatus => ("Stato dell'ordine", "Order status"),
        MarkCancelled => ("Segna come annullato", "Mark cancelled"),
        RemoveOrder => ("Elimina ordine", "Remove order"),
        ConfirmRemoveOrder => (
            "Eliminare questo ordine? Non conterà più nel fatturato.",
            "Remove this order? It will no longer count in revenue.",
        ),
        NoLines => (
            "Aggiungi almeno una riga con un prodotto",
            "Add at least one line with a product",
        ),
        FixOrder => (
            "Correggi i campi segnati: l'ordine non è stato salvato",
            "Fix the marked fields: the order was not saved",
        ),
        Buyers => ("Chi lo compra", "Who buys this"),
        NoBuyers => (
            "Nessuna azienda l'ha ancora ordinato",
            "No account has ordered it yet",
        ),
        Account => ("Azienda", "Account"),
        Revenue => ("Fatturato", "Revenue"),
        Orders => ("Ordini", "Orders"),
        LastOrder => ("Ultimo ordine", "Last order"),
        BuyersNote => (
            "Ordini confermati e consegnati, resi sottratti",
            "Confirmed and delivered orders, refunds subtracted",
        ),
        Add => ("Aggiungi", "Add"),
        Remove => ("Elimina", "Remove"),
        ConfirmRemoveItem => ("Eliminare questa voce?", "Remove this entry?"),
        NoItems => ("Nessuna voce", "None yet"),
        FixItem => (
            "Correggi i campi segnati: non è stato salvato",
            "Fix the marked fields: it was not saved",
        ),
    };
    if lang == Lang::It { it } else { en }
}

/// A quantity with at most three decimals, trailing zeros dropped: `12`, `2,5`.
pub fn quantity(lang: Lang, q: f64) -> String {
    let rounded = (q * 1000.0).round() / 1000.0;
    let decimals = (0..=3)
        .find(|d| {
            let scale = 10f64.powi(*d);
            ((rounded * scale).round() - rounded * scale).abs() < 1e-6
        })
        .unwrap_or(3) as usize;
    number(lang, rounded, decimals)
}

/// How many lines an order has: `1 riga`, `3 righe`.
pub fn line_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::It, 1) => "1 riga".into(),
        (Lang::It, n) => format!("{n} righe"),
        (Lang::En, 1) => "1 line".into(),
        (Lang::En, n) => format!("{n} lines"),
    }
}

/// A discount beside a line: `-10%`.
pub fn discount(lang: Lang, pct: f64) -> String {
    format!("-{}%", quantity(lang, pct))
}

/// The head of the order history: how many orders and what they bought.
pub fn orders_summary(lang: Lang, n: usize, purchased: i64) -> String {
    let total = money(lang, purchased);
    match (lang, n) {
        (Lang::It, 1) => format!("1 ordine · acquistato {total}"),
        (Lang::It, n) => format!("{n} ordini · acquistato {total}"),
        (Lang::En, 1) => format!("1 order · bought {total}"),
        (Lang::En, n) => format!("{n} orders · bought {total}"),
    }
}

/// Who entered an order.
pub fn entered_by(lang: Lang, rep: &str) -> String {
    match lang {
        Lang::It => format!("di {rep}"),
        Lang::En => format!("by {rep}"),
    }
}

/// The order's name in a list: its number, else its date's.
pub fn order_title(lang: Lang, number: &str, date: &str) -> String {
    match (lang, number.trim()) {
        (Lang::It, "") => format!("Ordine del {}", super::date(lang, date)),
        (Lang::En, "") => format!("Order of {}", super::date(lang, date)),
        (Lang::It, n) => format!("Ordine {n}"),
        (Lang::En, n) => format!("Order {n}"),
    }
}

/// The heading of the form that adds an address or a contact.
pub fn new_item(lang: Lang, coll: &str) -> &'static str {
    match (lang, coll) {
        (Lang::It, "addresses") => "Nuovo indirizzo",
        (Lang::En, "addresses") => "New address",
        (Lang::It, "contacts") => "Nuovo recapito",
        (Lang::En, "contacts") => "New contact",
        (Lang::It, _) => "Nuova voce",
        (Lang::En, _) => "New entry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_drop_trailing_zeros() {
        assert_eq!(quantity(Lang::It, 12.0), "12");
        assert_eq!(quantity(Lang::It, 2.5), "2,5");
        assert_eq!(quantity(Lang::En, 1234.125), "1,234.125");
        assert_eq!(quantity(Lang::En, -3.0), "-3");
        assert_eq!(discount(Lang::It, 10.0), "-10%");
    }

    #[test]
    fn counts_and_titles_read_naturally() {
        assert_eq!(line_count(Lang::It, 1), "1 riga");
        assert_eq!(line_count(Lang::En, 3), "3 lines");
        assert_eq!(
            orders_summary(Lang::It, 2, 123_450),
            "2 ordini · acquistato 1.234,50 €"
        );
        assert_eq!(
            order_title(Lang::It, "", "2026-11-20"),
            "Ordine del 20/11/2026"
        );
        assert_eq!(order_title(Lang::En, "A-17", "2026-11-20"), "Order A-17");
    }
}
