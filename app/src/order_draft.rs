//! Orders as plain data: the totals of stored orders, and an order as a rep enters
//! it (a [`OrderDraft`] with its [`LineDraft`]s), checked as a whole and turned into
//! the edits that save it in one change. Pure, so it is tested natively.
//!
//! A draft is saved all or nothing: [`OrderDraft::to_edits`] checks every field of
//! the order and of every line against the schema first and returns every problem
//! at once, so the rep fixes them in one pass and no half order is ever written.

use campo_core::analytics::facts::{LineFacts, counts};
use campo_core::ids::DocId;
use campo_core::record::schema::{LINES, ORDERS};
use campo_core::record::{CollSpec, Edit, Invalid, Item, value};
use campo_core::sorting;
use campo_core::summary::Summary;
use campo_core::vocab::OrderStatus;

/// The account collection that holds orders.
pub const ORDERS_COLL: &str = "orders";

/// What a new order starts as.
pub const DEFAULT_STATUS: &str = "confirmed";
pub const DEFAULT_KIND: &str = "sale";

/// `round(quantity × unit_price × (1 − discount/100))` in cents. This is the
/// analytics' own rule ([`LineFacts::total`]), so a total shown on an order is the
/// revenue the dashboard counts for it.
pub fn line_total(quantity: f64, unit_price: i64, discount_pct: f64) -> i64 {
    LineFacts {
        // The product does not enter the total.
        product: DocId([0; 16]),
        quantity,
        unit_price,
        discount_pct,
    }
    .total()
}

/// A stored line's total in cents (positive whatever the order's kind).
pub fn stored_line_total(line: &Item) -> i64 {
    line_total(
        line.get("quantity").as_num().unwrap_or(0.0),
        line.get("unit_price").as_int().unwrap_or(0),
        line.get("discount").as_num().unwrap_or(0.0),
    )
}

/// Whether a stored order is a refund (its total counts negative).
pub fn is_refund(order: &Item) -> bool {
    order.text("kind") == "refund"
}

/// A stored order's total in cents: the sum of its lines, negative for a refund.
pub fn order_total(order: &Item) -> i64 {
    let sum = order
        .sub
        .iter()
        .fold(0i64, |sum, l| sum.saturating_add(stored_line_total(l)));
    if is_refund(order) { -sum } else { sum }
}

/// A stored order's status; orders written without one read as confirmed, the
/// way analytics reads them.
pub fn order_status(order: &Item) -> OrderStatus {
    OrderStatus::from_key(order.text("status")).unwrap_or(OrderStatus::Confirmed)
}

/// The live orders of an account, newest first (by date, then by entry time).
pub fn newest_first<'a>(orders: impl Iterator<Item = &'a Item>) -> Vec<Item> {
    let mut list: Vec<Item> = orders.filter(|o| !o.removed).cloned().collect();
    sorting::sort_by(&mut list, |a, b| {
        b.text("date")
            .cmp(a.text("date"))
            .then(b.at.cmp(&a.at))
            .then(b.id.cmp(&a.id))
    });
    list
}

/// What the account has bought: the total of its confirmed and delivered orders
/// (drafts and cancelled orders count for nothing, refunds subtract).
pub fn purchased_total(orders: &[Item]) -> i64 {
    orders
        .iter()
        .filter(|o| counts(order_status(o)))
        .fold(0i64, |sum, o| sum.saturating_add(order_total(o)))
}

/// The edit that sets an existing order's status.
pub fn status_edit(order_id: &str, status: &str) -> Edit {
    Edit::PutItem {
        coll: ORDERS_COLL.into(),
        id: order_id.into(),
        fields: vec![("status".into(), status.into())],
    }
}

/// The edit that removes an order (a flag: it stays in the document's history).
pub fn remove_edit(order_id: &str) -> Edit {
    Edit::RemoveItem {
        coll: ORDERS_COLL.into(),
        id: order_id.into(),
    }
}

/// One line of an order being entered, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineDraft {
    /// The line's id inside the order (32 hex digits, made when the line is added).
    pub id: String,
    /// The product's record id as hex; empty until one is picked.
    pub product: String,
    /// Copied from the product when it is picked, so the order reads the same
    /// after the catalogue changes.
    pub code: String,
    pub name: String,
    pub category: String,
    pub quantity: String,
    /// Euros as typed (`12,50`); starts as the product's current price.
    pub unit_price: String,
    /// Percent, 0-100; empty means none.
    pub discount: String,
}

impl LineDraft {
    /// An empty line; the quantity starts at one.
    pub fn new(id: String) -> LineDraft {
        LineDraft {
            id,
            quantity: "1".into(),
            ..LineDraft::default()
        }
    }

    /// Takes a product from the catalogue: its id, code, name, category and
    /// current unit price (a product without a price leaves the price to type).
    pub fn pick(&mut self, product: &Summary) {
        self.product = product.id.to_hex();
        self.code = product.subtitle.clone();
        self.name = product.title.clone();
        self.category = product.status.clone();
        self.unit_price = if product.amount > 0 {
            value::format_cents(product.amount)
        } else {
            String::new()
        };
    }

    /// Forgets the picked product (the typed quantity and discount stay).
    pub fn clear_product(&mut self) {
        self.product.clear();
        self.code.clear();
        self.name.clear();
        self.category.clear();
        self.unit_price.clear();
    }

    /// What is typed in one of the line's fields (empty for unknown keys).
    pub fn input(&self, key: &str) -> &str {
        self.fields()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v)
    }

    fn fields(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("product", &self.product),
            ("code", &self.code),
            ("name", &self.name),
            ("category", &self.category),
            ("quantity", &self.quantity),
            ("unit_price", &self.unit_price),
            ("discount", &self.discount),
        ]
    }

    /// Every problem of the line, by field key.
    pub fn problems(&self) -> Vec<(&'static str, Invalid)> {
        check(&LINES, &self.fields())
    }

    /// The line's total in cents once quantity, price and discount are valid
    /// (positive whatever the order's kind).
    pub fn total(&self) -> Option<i64> {
        let quantity = value::quantity(self.quantity.trim()).ok()?;
        let price = match self.unit_price.trim() {
            "" => 0,
            p => value::money(p).ok()?,
        };
        let discount = match self.discount.trim() {
            "" => 0,
            d => d.parse::<i64>().ok().filter(|d| (0..=100).contains(d))?,
        };
        Some(line_total(quantity, price, discount as f64))
    }
}

/// Checks typed fields against a collection's schema: required fields must be
/// given, and every value must be what [`value::parse`] accepts.
fn check(spec: &CollSpec, fields: &[(&'static str, &str)]) -> Vec<(&'static str, Invalid)> {
    fields
        .iter()
        .filter_map(|(key, input)| {
            let Some(f) = spec.field(key) else {
                return Some((*key, Invalid::UnknownField((*key).to_owned())));
            };
            if f.required && input.trim().is_empty() {
                return Some((f.key, Invalid::Required(f.key.to_owned())));
            }
            value::parse(f.key, f.ty, input).err().map(|e| (f.key, e))
        })
        .collect()
}

/// Why a draft order cannot be saved; the form shows each beside its control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A field of the order itself (`date`, `status`, `kind`, `number`, `note`).
    #[error("order {0}: {1}")]
    Order(&'static str, Invalid),
    /// A field of one line, by the line's id.
    #[error("line {line}, {field}: {invalid}")]
    Line {
        line: String,
        field: &'static str,
        invalid: Invalid,
    },
    #[error("an order needs at least one line: add a product")]
    NoLines,
}

/// An order being entered, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub status: String,
    /// `sale` or `refund`.
    pub kind: String,
    /// The order's number on paper, if it has one.
    pub number: String,
    pub note: String,
    pub lines: Vec<LineDraft>,
}

impl OrderDraft {
    /// A new confirmed sale dated `today`, with no lines yet.
    pub fn new(today: String) -> OrderDraft {
        OrderDraft {
            date: today,
            status: DEFAULT_STATUS.into(),
            kind: DEFAULT_KIND.into(),
            number: String::new(),
            note: String::new(),
            lines: Vec::new(),
        }
    }

    pub fn line(&self, id: &str) -> Option<&LineDraft> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn line_mut(&mut self, id: &str) -> Option<&mut LineDraft> {
        self.lines.iter_mut().find(|l| l.id == id)
    }

    pub fn remove_line(&mut self, id: &str) {
        self.lines.retain(|l| l.id != id);
    }

    pub fn is_refund(&self) -> bool {
        self.kind == "refund"
    }

    /// What is typed in one of the order's own fields (empty for unknown keys).
    pub fn input(&self, key: &str) -> &str {
        self.fields("")
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v)
    }

    /// The running total in cents: the lines valid so far, negative for a refund.
    pub fn total(&self) -> i64 {
        let sum = self
            .lines
            .iter()
            .filter_map(LineDraft::total)
            .fold(0i64, i64::saturating_add);
        if self.is_refund() { -sum } else { sum }
    }

    fn fields<'a>(&'a self, rep: &'a str) -> Vec<(&'static str, &'a str)> {
        vec![
            ("number", &self.number),
            ("date", &self.date),
            ("kind", &self.kind),
            ("status", &self.status),
            ("rep", rep),
            ("note", &self.note),
        ]
    }

    /// Every problem of the order and of every line, in form order.
    pub fn problems(&self) -> Vec<Problem> {
        // The rep's name is never typed here; any name is valid text.
        let mut out: Vec<Problem> = check(&ORDERS, &self.fields(""))
            .into_iter()
            .map(|(field, invalid)| Problem::Order(field, invalid))
            .collect();
        if self.lines.is_empty() {
            out.push(Problem::NoLines);
        }
        for line in &self.lines {
            out.extend(
                line.problems()
                    .into_iter()
                    .map(|(field, invalid)| Problem::Line {
                        line: line.id.clone(),
                        field,
                        invalid,
                    }),
            );
        }
        out
    }

    /// The edits that save the draft as order `order_id` entered by `rep`: the
    /// order first, then one [`Edit::PutSubItem`] per line, for one change. Every
    /// problem is returned instead when there is any; then nothing is to be saved.
    pub fn to_edits(&self, order_id: &str, rep: &str) -> Result<Vec<Edit>, Vec<Problem>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let given = |fields: Vec<(&'static str, &str)>| -> Vec<(String, String)> {
            fields
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .collect()
        };
        let mut edits = vec![Edit::PutItem {
            coll: ORDERS_COLL.into(),
            id: order_id.to_owned(),
            fields: given(self.fields(rep)),
        }];
        edits.extend(self.lines.iter().map(|line| Edit::PutSubItem {
            coll: ORDERS_COLL.into(),
            id: order_id.to_owned(),
            sub_id: line.id.clone(),
            fields: given(line.fields()),
        }));
        Ok(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::record::{Kind, Record, RecordDoc, Stamp, Val};
    use std::collections::BTreeMap;

    const ORDER: &str = "0123456789abcdef0123456789abcdef";

    fn product(code: &str, name: &str, category: &str, price: i64) -> Summary {
        let mut fields = BTreeMap::new();
        fields.insert("code", Val::Str(code.into()));
        fields.insert("name", Val::Str(name.into()));
        fields.insert("category", Val::Str(category.into()));
        fields.insert("unit_price", Val::Int(price));
        let r = Record {
            id: Some(DocId([7; 16])),
            kind: Some(Kind::Product),
            schema: 2,
            fields,
            ..Record::default()
        };
        Summary::of(&r).expect("a product has a summary")
    }

    fn line(id: &str, qty: &str, price: &str, discount: &str) -> LineDraft {
        let mut l = LineDraft::new(id.into());
        l.pick(&product("CAF-1", "Caffè in grani 1 kg", "Caffè", 1890));
        l.quantity = qty.into();
        l.unit_price = price.into();
        l.discount = discount.into();
        l
    }

    #[test]
    fn line_totals_round_to_cents_like_analytics() {
        assert_eq!(line_total(3.0, 1250, 0.0), 3750);
        // 60 × 18,90 € less 10% = 1.020,60 €
        assert_eq!(line_total(60.0, 1890, 10.0), 102_060);
        // 1 × 0,05 € less 50% = 0,025 €, rounded half away from zero.
        assert_eq!(line_total(1.0, 5, 50.0), 3);
        assert_eq!(line_total(-1.0, 5, 50.0), -3);
        assert_eq!(line_total(2.5, 999, 0.0), 2498);
        assert_eq!(line_total(1.0, 1000, 100.0), 0);
    }

    #[test]
    fn a_picked_product_fills_the_line() {
        let mut l = LineDraft::new("a".into());
        l.pick(&product("CAF-1", "Caffè in grani 1 kg", "Caffè", 1890));
        assert_eq!(l.product, DocId([7; 16]).to_hex());
        assert_eq!(
            (l.code.as_str(), l.name.as_str(), l.category.as_str()),
            ("CAF-1", "Caffè in grani 1 kg", "Caffè")
        );
        assert_eq!(l.unit_price, "18.90");
        assert_eq!(l.quantity, "1");
        assert_eq!(l.total(), Some(1890));

        l.pick(&product("X", "Campione", "", 0));
        assert_eq!(l.unit_price, "", "no price to copy: the rep types it");
        l.clear_product();
        assert_eq!((l.product.as_str(), l.code.as_str()), ("", ""));
        assert!(l.problems().iter().any(|(k, _)| *k == "product"));
    }

    #[test]
    fn the_running_total_counts_valid_lines_and_refunds_negative() {
        let mut d = OrderDraft::new("2026-11-20".into());
        d.lines.push(line("a", "10", "18,90", ""));
        d.lines.push(line("b", "60", "18.90", "10"));
        assert_eq!(d.lines[0].total(), Some(18_900));
        assert_eq!(d.total(), 120_960);
        d.lines.push(line("c", "-3", "18,90", ""));
        assert_eq!(d.lines[2].total(), None);
        assert_eq!(d.total(), 120_960, "an invalid line adds nothing yet");
        d.remove_line("c");
        d.kind = "refund".into();
        assert_eq!(d.total(), -120_960);
    }

    #[test]
    fn every_problem_is_reported_and_nothing_is_saved() {
        let mut d = OrderDraft::new("2026-13-40".into());
        d.status = "shipped".into();
        d.lines.push(line("a", "-2", "abc", "150"));
        let mut b = LineDraft::new("b".into());
        b.quantity = String::new();
        d.lines.push(b);
        let problems = d.to_edits(ORDER, "Anna").expect_err("invalid draft");
        let at: Vec<(String, &str)> = problems
            .iter()
            .map(|p| match p {
                Problem::Order(f, _) => ("order".to_owned(), *f),
                Problem::Line { line, field, .. } => (line.clone(), *field),
                Problem::NoLines => ("-".to_owned(), "lines"),
            })
            .collect();
        assert_eq!(
            at,
            [
                ("order".to_owned(), "date"),
                ("order".to_owned(), "status"),
                ("a".to_owned(), "quantity"),
                ("a".to_owned(), "unit_price"),
                ("a".to_owned(), "discount"),
                ("b".to_owned(), "product"),
                ("b".to_owned(), "quantity"),
            ]
        );
        // The quantity's error is the one value::parse gives, shown inline.
        assert!(problems.contains(&Problem::Line {
            line: "a".into(),
            field: "quantity",
            invalid: Invalid::Quantity("-2".into()),
        }));
        assert!(problems.contains(&Problem::Line {
            line: "b".into(),
            field: "quantity",
            invalid: Invalid::Required("quantity".into()),
        }));

        let empty = OrderDraft::new("2026-11-20".into());
        assert_eq!(empty.to_edits(ORDER, "Anna"), Err(vec![Problem::NoLines]));
    }

    #[test]
    fn a_valid_draft_becomes_one_put_item_then_one_put_sub_item_per_line() {
        let mut d = OrderDraft::new("2026-11-20".into());
        d.number = " A-17 ".into();
        d.lines.push(line("a", "10", "18,90", ""));
        d.lines.push(line("b", "60", "18.90", "10"));
        let edits = d.to_edits(ORDER, "Anna").expect("valid draft");
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let product = DocId([7; 16]).to_hex();
        assert_eq!(
            edits,
            vec![
                Edit::PutItem {
                    coll: "orders".into(),
                    id: ORDER.into(),
                    fields: pairs(&[
                        ("number", "A-17"),
                        ("date", "2026-11-20"),
                        ("kind", "sale"),
                        ("status", "confirmed"),
                        ("rep", "Anna"),
                    ]),
                },
                Edit::PutSubItem {
                    coll: "orders".into(),
                    id: ORDER.into(),
                    sub_id: "a".into(),
                    fields: pairs(&[
                        ("product", &product),
                        ("code", "CAF-1"),
                        ("name", "Caffè in grani 1 kg"),
                        ("category", "Caffè"),
                        ("quantity", "10"),
                        ("unit_price", "18,90"),
                    ]),
                },
                Edit::PutSubItem {
                    coll: "orders".into(),
                    id: ORDER.into(),
                    sub_id: "b".into(),
                    fields: pairs(&[
                        ("product", &product),
                        ("code", "CAF-1"),
                        ("name", "Caffè in grani 1 kg"),
                        ("category", "Caffè"),
                        ("quantity", "60"),
                        ("unit_price", "18.90"),
                        ("discount", "10"),
                    ]),
                },
            ]
        );
    }

    /// The edits go through the real document model: one change holds the order
    /// and its lines, and the stored order reads back with the same total.
    #[test]
    fn saved_edits_read_back_as_the_same_order() {
        let stamp = Stamp {
            rep: "Anna",
            now_ms: 1_763_600_000_000,
        };
        let (mut doc, _) = RecordDoc::create(
            Kind::Account,
            DocId([1; 16]),
            &stamp,
            &[Edit::Set("name".into(), "Bar Roma".into())],
        )
        .expect("account");
        let mut d = OrderDraft::new("2026-11-20".into());
        d.lines.push(line("aa", "10", "18,90", ""));
        d.lines.push(line("bb", "60", "18.90", "10"));
        let draft_total = d.total();
        let changes = doc
            .edit(&stamp, &d.to_edits(ORDER, "Anna").expect("valid"))
            .expect("saved");
        assert_eq!(changes.len(), 1, "one change for the order and its lines");
        let r = doc.read();
        let orders = newest_first(r.items(ORDERS_COLL));
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].sub.len(), 2);
        assert_eq!(orders[0].text("rep"), "Anna");
        assert_eq!(order_total(&orders[0]), draft_total);
        assert_eq!(order_total(&orders[0]), 120_960);
        // The summary analytics reads agrees.
        let s = Summary::of(&r).expect("summary");
        let campo_core::summary::Facts::Account { orders: facts, .. } = s.facts.get() else {
            panic!("an account's facts");
        };
        assert_eq!(facts[0].total(), 120_960);

        doc.edit(&stamp, &[status_edit(ORDER, "cancelled")])
            .expect("status");
        let r = doc.read();
        let orders = newest_first(r.items(ORDERS_COLL));
        assert_eq!(order_status(&orders[0]), OrderStatus::Cancelled);
        assert_eq!(
            purchased_total(&orders),
            0,
            "a cancelled order buys nothing"
        );
        doc.edit(&stamp, &[remove_edit(ORDER)]).expect("removed");
        assert!(newest_first(doc.read().items(ORDERS_COLL)).is_empty());
    }

    #[test]
    fn history_is_newest_first_and_refunds_subtract() {
        let order = |id: &str, date: &str, at: i64, kind: &str, status: &str| {
            let mut lf = BTreeMap::new();
            lf.insert("quantity", Val::Num(2.0));
            lf.insert("unit_price", Val::Int(1000));
            let mut fields = BTreeMap::new();
            fields.insert("date", Val::Str(date.into()));
            fields.insert("kind", Val::Str(kind.into()));
            fields.insert("status", Val::Str(status.into()));
            Item {
                id: id.into(),
                fields,
                at,
                sub: vec![Item {
                    id: "l".into(),
                    fields: lf,
                    ..Item::default()
                }],
                ..Item::default()
            }
        };
        let all = [
            order("old", "2026-01-10", 5, "sale", "delivered"),
            order("new", "2026-03-01", 1, "sale", "confirmed"),
            order("same-day-later", "2026-03-01", 9, "refund", "confirmed"),
            order("draft", "2026-02-01", 3, "sale", "draft"),
        ];
        let list = newest_first(all.iter());
        let ids: Vec<&str> = list.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["same-day-later", "new", "draft", "old"]);
        assert_eq!(order_total(&list[0]), -2000);
        assert_eq!(order_total(&list[1]), 2000);
        // 2000 (old) + 2000 (new) - 2000 (refund); the draft does not count.
        assert_eq!(purchased_total(&list), 2000);
    }
}
