//! Analytics on small books written out by hand: every figure below was worked
//! out on paper from the fixture it sits beside. Then the edges (an empty book,
//! one order, same-day orders, refunds, merges, deletions, referral loops) and a
//! property test that no book makes the dashboard panic or produce a non-finite
//! number.

use campo_core::analytics::channels::{self, ChannelStats};
use campo_core::analytics::cross_sell::{self, CrossSellParams};
use campo_core::analytics::health::{self, HealthParams, HealthParts};
use campo_core::analytics::rfm::{self, Segment};
use campo_core::analytics::{
    AccountFacts, Book, Dashboard, DashboardParams, DealFacts, InteractionFacts, LineFacts,
    OrderFacts, Period, Prepared, ProductFacts, TaskFacts, pipeline, referrals, reorder, revenue,
};
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::vocab::{AccountStatus, Channel, OrderStatus, Outcome, Stage};

// ---- fixture builders ----

fn id(n: u8) -> DocId {
    DocId([n; 16])
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn account(n: u8) -> AccountFacts {
    AccountFacts {
        id: id(n),
        name: format!("Account {n}"),
        owner: "Anna".into(),
        status: AccountStatus::Active,
        referred_by: None,
        created: day("2024-01-01"),
        deleted: false,
        merged_into: None,
    }
}

fn deleted(n: u8) -> AccountFacts {
    AccountFacts {
        deleted: true,
        ..account(n)
    }
}

fn merged(n: u8, into: u8) -> AccountFacts {
    AccountFacts {
        merged_into: Some(id(into)),
        deleted: true,
        ..account(n)
    }
}

fn product(n: u8, category: &str, unit_price: i64) -> ProductFacts {
    ProductFacts {
        id: id(n),
        code: format!("P{n}"),
        name: format!("Product {n}"),
        category: category.into(),
        unit_price,
    }
}

fn line(product: u8, quantity: f64, unit_price: i64) -> LineFacts {
    LineFacts {
        product: id(product),
        quantity,
        unit_price,
        discount_pct: 0.0,
    }
}

fn order(account: u8, rep: &str, date: &str, lines: Vec<LineFacts>) -> OrderFacts {
    OrderFacts {
        id: DocId([account, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        account: id(account),
        rep: rep.into(),
        date: day(date),
        status: OrderStatus::Delivered,
        lines,
    }
}

/// An order of one line worth `cents`.
fn sale(account: u8, date: &str, cents: i64) -> OrderFacts {
    order(account, "Anna", date, vec![line(200, 1.0, cents)])
}

fn with_status(o: OrderFacts, status: OrderStatus) -> OrderFacts {
    OrderFacts { status, ..o }
}

fn touch(account: u8, date: &str, channel: Channel, person: Option<u8>) -> InteractionFacts {
    InteractionFacts {
        account: id(account),
        person: person.map(id),
        channel,
        date: day(date),
        outcome: Outcome::None,
        rep: "Anna".into(),
    }
}

fn rated(account: u8, date: &str, outcome: Outcome) -> InteractionFacts {
    InteractionFacts {
        outcome,
        ..touch(account, date, Channel::Phone, None)
    }
}

fn book(today: &str) -> Book {
    Book::empty(day(today))
}

// ---- facts ----

#[test]
fn line_totals_round_half_away_from_zero_and_refunds_are_negative() {
    let l = |q: f64, p: i64, d: f64| LineFacts {
        discount_pct: d,
        ..line(1, q, p)
    };
    assert_eq!(l(3.0, 1999, 10.0).total(), 5397); // 5397.3
    assert_eq!(l(2.5, 1000, 0.0).total(), 2500); // weighed goods
    assert_eq!(l(-2.0, 500, 0.0).total(), -1000); // a refund
    assert_eq!(l(1.0, 5, 50.0).total(), 3); // 2.5 rounds up
    assert_eq!(l(-1.0, 5, 50.0).total(), -3); // and -2.5 down
    assert_eq!(l(f64::NAN, 100, 0.0).total(), 0);
    assert_eq!(l(1.0, 100, f64::INFINITY).total(), 0);
    assert_eq!(l(1e300, i64::MAX, 0.0).total(), 1_000_000_000_000_000);
}

#[test]
fn facts_round_trip_through_postcard() {
    let mut b = book("2026-03-31");
    b.accounts = vec![account(1), merged(2, 1)];
    b.products = vec![product(10, "Caffè", 1000)];
    b.orders = vec![order(1, "Anna", "2026-03-05", vec![line(10, 2.5, 1000)])];
    b.interactions = vec![touch(1, "2026-03-01", Channel::Visit, Some(7))];
    b.deals = vec![DealFacts {
        id: id(30),
        account: id(1),
        owner: "Anna".into(),
        stage: Stage::Proposal,
        value: 10_000,
        probability: 50,
        expected_close: None,
    }];
    b.tasks = vec![TaskFacts {
        account: Some(id(1)),
        due: Some(day("2026-04-01")),
        done: false,
        is_issue: true,
    }];
    let bytes = postcard::to_allocvec(&b).unwrap();
    assert_eq!(postcard::from_bytes::<Book>(&bytes).unwrap(), b);
}

// ---- revenue ----

/// Accounts 1 and 2 are live, 3 is deleted, 4 was merged into 1; 99 is not in the
/// book. Products 10, 11 are coffee, 12 wine; 13 is not in the catalogue.
fn revenue_book() -> Book {
    let mut b = book("2026-03-31");
    b.accounts = vec![account(1), account(2), deleted(3), merged(4, 1)];
    b.products = vec![
        product(10, "Caffè", 1000),
        product(11, "Caffè", 400),
        product(12, "Vini", 2000),
    ];
    let discounted = LineFacts {
        discount_pct: 10.0,
        ..line(12, 1.0, 2000)
    };
    b.orders = vec![
        // 3000 + 1800 = 4800, this period.
        order(
            1,
            "Anna",
            "2026-03-05",
            vec![line(10, 3.0, 1000), discounted],
        ),
        // 2000, the previous period.
        order(1, "Bruno", "2026-02-10", vec![line(10, 2.0, 1000)]),
        // 2000 less a refund of 1000.
        order(
            2,
            "Bruno",
            "2026-03-20",
            vec![line(11, 5.0, 400), line(10, -1.0, 1000)],
        ),
        with_status(
            order(2, "Anna", "2026-03-21", vec![line(12, 10.0, 2000)]),
            OrderStatus::Cancelled,
        ),
        with_status(
            order(2, "Anna", "2026-03-22", vec![line(12, 10.0, 2000)]),
            OrderStatus::Draft,
        ),
        // A deleted account: counts for the team, not in rankings.
        order(3, "Anna", "2026-03-10", vec![line(12, 1.0, 3000)]),
        // A merged account: its order goes to account 1.
        order(4, "Carla", "2026-03-15", vec![line(11, 1.0, 500)]),
        // An unknown account and an unknown product.
        order(99, "Carla", "2026-03-02", vec![line(13, 1.0, 700)]),
        // January: in neither period, but in the monthly series.
        order(1, "Anna", "2026-01-15", vec![line(10, 1.0, 1000)]),
    ];
    b
}

#[test]
fn revenue_per_account_rep_product_and_category_against_the_previous_period() {
    let b = revenue_book();
    let p = Prepared::new(&b);
    let march = Period::new(day("2026-03-01"), day("2026-03-31"));
    let r = revenue::report(&p, march);
    assert_eq!(
        r.previous,
        Period::new(day("2026-01-29"), day("2026-02-28"))
    );
    assert_eq!((r.total.current, r.total.previous), (10_000, 2_000));

    let accounts: Vec<_> = r
        .by_account
        .iter()
        .map(|a| (a.account, a.revenue.current, a.revenue.previous))
        .collect();
    assert_eq!(accounts, vec![(id(1), 5_300, 2_000), (id(2), 1_000, 0)]);
    assert_eq!(r.by_account[0].revenue.change_pct(), Some(165.0));
    assert_eq!(r.by_account[1].revenue.change_pct(), None);

    let reps: Vec<_> = r
        .by_rep
        .iter()
        .map(|x| (x.rep.as_str(), x.revenue.current, x.revenue.previous))
        .collect();
    assert_eq!(
        reps,
        vec![
            ("Anna", 7_800, 0),
            ("Carla", 1_200, 0),
            ("Bruno", 1_000, 2_000)
        ]
    );

    let products: Vec<_> = r
        .by_product
        .iter()
        .map(|x| (x.product, x.revenue.current, x.revenue.previous))
        .collect();
    assert_eq!(
        products,
        vec![
            (id(12), 4_800, 0),
            (id(11), 2_500, 0),
            (id(10), 2_000, 2_000),
            (id(13), 700, 0),
        ]
    );

    let categories: Vec<_> = r
        .by_category
        .iter()
        .map(|x| (x.category.as_str(), x.revenue.current, x.revenue.previous))
        .collect();
    assert_eq!(
        categories,
        vec![("Vini", 4_800, 0), ("Caffè", 4_500, 2_000), ("", 700, 0)]
    );
}

#[test]
fn monthly_series_and_pareto() {
    let b = revenue_book();
    let p = Prepared::new(&b);
    let months: Vec<_> = revenue::monthly(&p, day("2026-03-31"), 3)
        .iter()
        .map(|m| (m.year, m.month, m.revenue, m.orders))
        .collect();
    assert_eq!(
        months,
        vec![
            (2026, 1, 1_000, 1),
            (2026, 2, 2_000, 1),
            (2026, 3, 10_000, 5)
        ]
    );
    // Across a year boundary, with empty months kept.
    let across: Vec<_> = revenue::monthly(&p, day("2026-01-15"), 3)
        .iter()
        .map(|m| (m.year, m.month, m.revenue))
        .collect();
    assert_eq!(across, vec![(2025, 11, 0), (2025, 12, 0), (2026, 1, 1_000)]);

    let pareto = revenue::pareto(&p, Period::new(day("2026-03-01"), day("2026-03-31")));
    assert_eq!(pareto.total, 6_300);
    assert_eq!(pareto.top_accounts, 1); // 20% of 2, rounded up
    assert_eq!(pareto.top_share, 5_300.0 / 6_300.0);
    assert_eq!(pareto.ranking[1].cumulative_share, 1.0);
}

// ---- RFM ----

/// Five buyers with distinct recency, frequency and value, a prospect, and an
/// account whose only order is a refund. Today is 2026-06-30.
fn rfm_book() -> Book {
    let mut b = book("2026-06-30");
    b.accounts = (1..=7).map(account).collect();
    let mut o = Vec::new();
    for d in [
        "2026-06-28",
        "2026-06-14",
        "2026-05-31",
        "2026-05-17",
        "2026-05-03",
    ] {
        o.push(sale(1, d, 10_000));
    }
    // Account 2: two orders on 2026-06-20 are one purchase day.
    for (d, c) in [
        ("2026-06-20", 5_000),
        ("2026-06-20", 5_000),
        ("2026-06-06", 5_000),
        ("2026-05-23", 2_500),
        ("2026-05-09", 2_500),
    ] {
        o.push(sale(2, d, c));
    }
    for d in ["2026-05-31", "2026-04-30", "2026-03-31"] {
        o.push(sale(3, d, 10_000));
    }
    for d in ["2026-03-02", "2026-01-30"] {
        o.push(sale(4, d, 2_500));
    }
    o.push(sale(5, "2025-12-02", 1_000));
    // A cancelled order does not make account 5 recent.
    o.push(with_status(
        sale(5, "2026-06-01", 9_000),
        OrderStatus::Cancelled,
    ));
    // Account 6 is a prospect; account 7 only has a refund.
    o.push(order(7, "Anna", "2026-06-01", vec![line(200, -1.0, 800)]));
    b.orders = o;
    b
}

#[test]
fn rfm_scores_and_segments() {
    let b = rfm_book();
    let r = rfm::score(&Prepared::new(&b));
    let rows: Vec<_> = r
        .accounts
        .iter()
        .map(|s| {
            (
                s.recency_days,
                s.frequency,
                s.monetary,
                (s.r, s.f, s.m),
                s.segment,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(2), 5, 50_000, (5, 5, 5), Segment::Champions),
            (Some(10), 4, 20_000, (4, 4, 3), Segment::Loyal),
            (Some(30), 3, 30_000, (3, 3, 4), Segment::NeedAttention),
            (Some(120), 2, 5_000, (2, 2, 2), Segment::Hibernating),
            (Some(210), 1, 1_000, (1, 1, 1), Segment::Lost),
            (None, 0, 0, (0, 0, 0), Segment::NoOrders),
            (None, 0, -800, (0, 0, 0), Segment::NoOrders),
        ]
    );
    let sizes: Vec<_> = r
        .segments
        .iter()
        .filter(|s| s.accounts > 0)
        .map(|s| (s.segment.key(), s.accounts, s.revenue))
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("champions", 1, 50_000),
            ("loyal", 1, 20_000),
            ("need_attention", 1, 30_000),
            ("hibernating", 1, 5_000),
            ("lost", 1, 1_000),
            ("no_orders", 2, -800),
        ]
    );
    assert_eq!(r.segments.len(), Segment::ALL.len());
}

#[test]
fn one_buyer_scores_in_the_middle() {
    let mut b = book("2026-06-30");
    b.accounts = vec![account(1)];
    b.orders = vec![sale(1, "2026-06-01", 500)];
    let r = rfm::score(&Prepared::new(&b));
    assert_eq!(
        (r.accounts[0].r, r.accounts[0].f, r.accounts[0].m),
        (3, 3, 3)
    );
    assert_eq!(r.accounts[0].segment, Segment::NeedAttention);
}

// ---- reorder ----

#[test]
fn reorder_intervals_use_the_median_gap_of_purchase_days() {
    let mut b = book("2026-06-30");
    b.accounts = (1..=5).map(account).collect();
    b.orders = vec![
        // Account 1: gaps 7, 7, 90, 7 (the 90 is a closure) → median 7; the
        // second order on 04-22 is the same purchase day.
        sale(1, "2026-01-01", 100),
        sale(1, "2026-01-08", 100),
        sale(1, "2026-01-15", 100),
        sale(1, "2026-04-15", 100),
        sale(1, "2026-04-22", 100),
        sale(1, "2026-04-22", 100),
        // Account 2: one gap of 10 days.
        sale(2, "2026-06-11", 100),
        sale(2, "2026-06-01", 100),
        // Account 3: one order.
        sale(3, "2026-05-01", 100),
        // Account 4: two orders, one day.
        sale(4, "2026-06-01", 100),
        sale(4, "2026-06-01", 100),
        // Account 5: a refund only.
        order(5, "Anna", "2026-06-01", vec![line(200, -1.0, 100)]),
    ];
    let r = reorder::rhythms(&Prepared::new(&b));
    let rows: Vec<_> = r
        .accounts
        .iter()
        .map(|x| {
            (
                x.purchase_days,
                x.interval_days,
                x.expected_next,
                x.overdue_days,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (5, Some(7), Some(day("2026-04-29")), 62),
            (2, Some(10), Some(day("2026-06-21")), 9),
            (1, None, None, 0),
            (1, None, None, 0),
            (0, None, None, 0),
        ]
    );
    let overdue: Vec<_> = r
        .overdue
        .iter()
        .map(|x| (x.account, x.overdue_days))
        .collect();
    assert_eq!(overdue, vec![(id(1), 62), (id(2), 9)]);
}

// ---- merges ----

#[test]
fn a_merged_duplicate_adds_its_history_to_the_survivor() {
    let mut b = book("2026-06-30");
    // 2 was a duplicate of 1; 3 was merged into 2, so it also ends up in 1.
    b.accounts = vec![account(1), merged(2, 1), merged(3, 2)];
    b.orders = vec![
        sale(1, "2026-06-01", 1_000),
        sale(2, "2026-06-11", 1_000),
        sale(3, "2026-06-21", 1_000),
    ];
    b.interactions = vec![touch(3, "2026-06-20", Channel::Visit, None)];
    let p = Prepared::new(&b);

    let r = rfm::score(&p);
    assert_eq!(r.accounts.len(), 1, "only the survivor is listed");
    assert_eq!(
        (r.accounts[0].frequency, r.accounts[0].monetary),
        (3, 3_000)
    );

    let rhythm = &reorder::rhythms(&p).accounts[0];
    assert_eq!(rhythm.interval_days, Some(10));
    assert_eq!(rhythm.expected_next, Some(day("2026-07-01")));

    let c = channels::analyse(&p, 14);
    assert_eq!(c.by_account[0].account, id(1));
    assert_eq!(c.by_account[0].stats.conversions(Channel::Visit), 1);
}

// ---- channels ----

#[test]
fn channels_preferred_and_converting_per_account_person_and_team() {
    let mut b = book("2026-06-30");
    b.accounts = vec![account(1), deleted(2)];
    b.orders = vec![
        sale(1, "2026-06-10", 1_000),
        sale(1, "2026-06-25", 1_000),
        with_status(sale(1, "2026-06-05", 1_000), OrderStatus::Draft),
    ];
    let (p1, p2) = (Some(51), Some(52));
    b.interactions = vec![
        touch(1, "2026-06-01", Channel::Visit, p1), // → 06-10 purchase: converts
        touch(1, "2026-06-03", Channel::Email, p1), // converts
        touch(1, "2026-04-01", Channel::Email, p2), // no purchase by 04-15
        touch(1, "2026-05-01", Channel::Email, p2), // none by 05-15
        touch(1, "2026-05-20", Channel::Email, p2), // none by 06-03
        touch(1, "2026-06-10", Channel::Phone, p2), // same day as an order: converts
        touch(1, "2026-06-11", Channel::Phone, None), // 06-25 is day 14: converts
        touch(1, "2026-06-12", Channel::Phone, p1), // converts
        touch(1, "2026-06-26", Channel::Visit, p1), // nothing after
        touch(2, "2026-06-01", Channel::Visit, Some(53)), // a deleted account
    ];
    let r = channels::analyse(&Prepared::new(&b), 14);
    let counts = |s: &ChannelStats| {
        [Channel::Visit, Channel::Phone, Channel::Email].map(|c| (s.count(c), s.conversions(c)))
    };

    assert_eq!(r.by_account.len(), 1);
    let a = &r.by_account[0].stats;
    assert_eq!(counts(a), [(2, 1), (3, 3), (4, 1)]);
    assert_eq!(a.preferred, Some(Channel::Email));
    assert_eq!(a.best_converting, Some(Channel::Phone));
    assert_eq!(a.rate(Channel::Email), 0.25);

    let people: Vec<_> = r.by_person.iter().map(|x| x.person).collect();
    assert_eq!(
        people,
        vec![id(51), id(52)],
        "not the deleted account's contact"
    );
    let one = &r.by_person[0].stats;
    assert_eq!(counts(one), [(2, 1), (1, 1), (1, 1)]);
    assert_eq!(one.preferred, Some(Channel::Visit));
    // Phone and email both convert 1 of 1; phone comes first in Channel::ALL.
    assert_eq!(one.best_converting, Some(Channel::Phone));
    let two = &r.by_person[1].stats;
    assert_eq!(counts(two), [(0, 0), (1, 1), (3, 0)]);
    assert_eq!(two.preferred, Some(Channel::Email));
    assert_eq!(two.best_converting, Some(Channel::Phone));

    assert_eq!(counts(&r.overall), [(3, 1), (3, 3), (4, 1)]);
    assert_eq!(r.overall.total(), 10);
}

// ---- cross-sell ----

fn baskets_book(baskets: &[&[u8]]) -> Book {
    let mut b = book("2026-06-30");
    for (i, basket) in baskets.iter().enumerate() {
        let a = i as u8 + 1;
        b.accounts.push(account(a));
        b.orders.push(order(
            a,
            "Anna",
            "2026-06-01",
            basket.iter().map(|&p| line(p, 1.0, 100)).collect(),
        ));
    }
    b
}

fn params(min_support: f64, min_confidence: f64) -> CrossSellParams {
    CrossSellParams {
        min_support,
        min_confidence,
        min_lift: 1.0,
        ..CrossSellParams::default()
    }
}

#[test]
fn association_rules_support_confidence_lift() {
    // Products a=20, b=21, c=22, d=23 over five baskets.
    let b = baskets_book(&[&[20, 21, 22], &[20, 21], &[20, 21, 23], &[20], &[22, 23]]);
    let r = cross_sell::analyse(&Prepared::new(&b), &params(0.2, 0.5));
    assert_eq!((r.baskets, r.min_baskets, r.rules_total), (5, 1, 4));
    let rules: Vec<_> = r
        .rules
        .iter()
        .map(|x| {
            (
                x.antecedent,
                x.consequent,
                x.baskets,
                x.support,
                x.confidence,
                x.lift,
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            // b → a: 3 of b's 3 baskets hold a; lift 1.0 / (4/5).
            (id(21), id(20), 3, 0.6, 1.0, 1.25),
            (id(20), id(21), 3, 0.6, 0.75, 1.25),
            (id(22), id(23), 1, 0.2, 0.5, 1.25),
            (id(23), id(22), 1, 0.2, 0.5, 1.25),
        ]
    );
    let suggested: Vec<_> = r
        .suggestions
        .iter()
        .map(|s| {
            let x = &s.suggestions[0];
            (
                s.account,
                s.suggestions.len(),
                x.product,
                x.score,
                x.reason.bought_with.clone(),
            )
        })
        .collect();
    assert_eq!(
        suggested,
        vec![
            (id(1), 1, id(23), 0.5, vec![id(22)]),
            (id(3), 1, id(22), 0.5, vec![id(23)]),
            (id(4), 1, id(21), 0.75, vec![id(20)]),
        ]
    );
    let reason = &r.suggestions[2].suggestions[0].reason;
    assert_eq!(
        (reason.confidence, reason.lift, reason.support),
        (0.75, 1.25, 0.6)
    );
}

#[test]
fn suggestions_led_to_by_several_products() {
    // x=30, y=31, z=32 pairwise in two of five baskets; w=33 alone.
    let b = baskets_book(&[&[30, 31, 32], &[30, 32], &[31, 32], &[30, 31], &[33]]);
    let r = cross_sell::analyse(&Prepared::new(&b), &params(0.2, 0.5));
    // Six rules among x, y, z, each of confidence 2/3 and lift 10/9.
    assert_eq!(r.rules_total, 6);
    assert!(r.rules.iter().all(|x| x.confidence == 2.0 / 3.0));
    let of = |a: u8| {
        r.suggestions.iter().find(|s| s.account == id(a)).map(|s| {
            let x = &s.suggestions[0];
            (x.product, x.rules, x.reason.bought_with.clone())
        })
    };
    assert_eq!(of(4), Some((id(32), 2, vec![id(30), id(31)])));
    assert_eq!(of(2), Some((id(31), 2, vec![id(30), id(32)])));
    assert_eq!(of(3), Some((id(30), 2, vec![id(31), id(32)])));
    assert_eq!(of(1), None, "has them all");
    assert_eq!(of(5), None, "w goes with nothing");
    // A high support bar leaves nothing frequent enough.
    let none = cross_sell::analyse(&Prepared::new(&b), &params(0.9, 0.5));
    assert_eq!((none.min_baskets, none.rules_total), (5, 0));
    assert!(none.suggestions.is_empty());
}

// ---- health ----

#[test]
fn health_now_and_a_month_ago() {
    let mut b = book("2026-06-30");
    // H=1 (with merged duplicate 5), G=2, K=3, L=4.
    b.accounts = vec![
        account(1),
        account(2),
        account(3),
        account(4),
        merged(5, 1),
        deleted(6),
    ];
    b.orders = vec![
        sale(1, "2026-04-15", 12_000),
        sale(1, "2026-02-01", 10_000),
        sale(2, "2026-05-20", 5_000),
        sale(2, "2026-02-10", 5_000),
        sale(4, "2026-05-15", 10_000),
    ];
    b.interactions = vec![
        rated(1, "2026-06-20", Outcome::Positive),
        rated(1, "2026-06-25", Outcome::Negative),
        rated(1, "2026-05-10", Outcome::Neutral),
        rated(2, "2026-05-25", Outcome::Positive),
        rated(4, "2026-05-30", Outcome::Positive),
        rated(4, "2026-06-15", Outcome::Negative),
        rated(4, "2026-06-16", Outcome::Negative),
    ];
    let task = |account: Option<u8>, done: bool, is_issue: bool| TaskFacts {
        account: account.map(id),
        due: None,
        done,
        is_issue,
    };
    b.tasks = vec![
        task(Some(1), false, true),
        task(Some(5), false, true), // on the merged duplicate: counts for 1
        task(Some(1), true, true),  // done
        task(Some(1), false, false), // not an issue
        task(Some(6), false, true), // deleted account
        task(None, false, true),
    ];
    let r = health::assess(&Prepared::new(&b), &HealthParams::default());
    let rows: Vec<_> = r
        .accounts
        .iter()
        .map(|h| (h.account, h.now, h.then, h.open_issues))
        .collect();
    assert_eq!(
        rows,
        vec![
            // Now: contact 5 days ago 35, trend 12000/10000 = 1.2 → 25, two issues 0,
            // outcomes (1 positive, 1 neutral, 1 negative) 20·3/6 = 10. A month ago:
            // contact 21 days 35·159/166 → 33, trend 25, issues 0, outcomes 10.
            (id(1), 70, 68, 2),
            // Now: contact 36 days 35·144/166 → 30, trend 1.0 → 17, 20, 20.
            // Then: 6 days 35, 17, 20, 20.
            (id(2), 87, 92, 0),
            // Never contacted, never bought: 0 + 0 + 20 + 10.
            (id(3), 30, 30, 0),
            // Now: 14 days 35, from nothing 25, 20, outcomes 20·2/6 → 6.
            // Then: 1 day 35, 25, 20, one positive 20.
            (id(4), 86, 100, 0),
        ]
    );
    assert_eq!(
        r.accounts[0].parts,
        HealthParts {
            contact: 35,
            trend: 25,
            issues: 0,
            outcomes: 10
        }
    );
    let dropped: Vec<_> = r.dropped.iter().map(|h| (h.account, h.fall())).collect();
    assert_eq!(dropped, vec![(id(4), 14), (id(2), 5)]);
}

// ---- referrals ----

#[test]
fn referral_forest_revenue_and_loops() {
    let mut b = book("2026-06-30");
    let referred = |n: u8, by: u8| AccountFacts {
        referred_by: Some(id(by)),
        ..account(n)
    };
    let mut r6 = referred(6, 7);
    r6.created = day("2023-01-01"); // older than 7: its link is the one dropped
    b.accounts = vec![
        account(1),
        referred(2, 1),
        referred(3, 2),
        referred(4, 1),
        referred(5, 9), // 9 is deleted: 5 becomes a root
        r6,
        referred(7, 6),
        referred(8, 8), // itself
        deleted(9),
        merged(10, 2),
        referred(11, 10), // referred by a duplicate of 2: hangs under 2
    ];
    b.orders = vec![
        sale(1, "2026-01-01", 100),
        sale(2, "2026-01-01", 200),
        sale(10, "2026-01-01", 50), // merged into 2
        sale(3, "2026-01-01", 300),
        sale(4, "2026-01-01", 400),
        sale(11, "2026-01-01", 1_000),
        sale(6, "2026-01-01", 60),
        sale(7, "2026-01-01", 70),
        sale(7, "2026-12-01", 7_000), // after today: not yet
    ];
    let r = referrals::forest(&Prepared::new(&b));
    assert_eq!(r.cycles_broken, vec![id(6)]);
    let links: Vec<_> = r.links.iter().map(|l| (l.account, l.referred_by)).collect();
    assert_eq!(
        links,
        vec![
            (id(2), id(1)),
            (id(3), id(2)),
            (id(4), id(1)),
            (id(7), id(6)),
            (id(11), id(2)),
        ]
    );
    let referrers: Vec<_> = r
        .referrers
        .iter()
        .map(|x| {
            (
                x.account,
                x.direct,
                x.all,
                x.direct_revenue,
                x.subtree_revenue,
            )
        })
        .collect();
    assert_eq!(
        referrers,
        vec![
            (id(1), 2, 4, 650, 1_950),
            (id(2), 2, 2, 1_300, 1_300),
            (id(6), 1, 1, 70, 70),
        ]
    );
}

#[test]
fn a_three_account_referral_loop_is_broken_once() {
    let mut b = book("2026-06-30");
    let referred = |n: u8, by: u8, created: &str| AccountFacts {
        referred_by: Some(id(by)),
        created: day(created),
        ..account(n)
    };
    b.accounts = vec![
        referred(1, 3, "2025-03-01"),
        referred(2, 1, "2025-01-01"),
        referred(3, 2, "2025-02-01"),
    ];
    let r = referrals::forest(&Prepared::new(&b));
    assert_eq!(r.cycles_broken, vec![id(2)]);
    assert_eq!(r.links.len(), 2);
    assert_eq!(r.referrers[0].account, id(2));
    assert_eq!(r.referrers[0].all, 2);
}

// ---- pipeline ----

#[test]
fn pipeline_forecast_by_month_with_overdue_and_undated() {
    let mut b = book("2026-06-15");
    b.accounts = vec![account(1), deleted(2)];
    let deal = |stage: Stage, probability: u8, value: i64, close: Option<&str>| DealFacts {
        id: id(40),
        account: id(1),
        owner: "Anna".into(),
        stage,
        value,
        probability,
        expected_close: close.map(day),
    };
    b.deals = vec![
        deal(Stage::Lead, 10, 100_000, Some("2026-07-10")),
        deal(Stage::Proposal, 50, 30_001, Some("2026-07-31")), // 15000.5 → 15001
        deal(Stage::Negotiation, 75, 40_000, Some("2026-09-01")),
        deal(Stage::Qualified, 25, 20_000, None),
        deal(Stage::Qualified, 25, 8_000, Some("2026-06-01")),
        deal(Stage::Won, 100, 50_000, Some("2026-07-01")),
        deal(Stage::Lost, 0, 50_000, Some("2026-07-01")),
        DealFacts {
            account: id(2),
            ..deal(Stage::Lead, 10, 9_999, Some("2026-07-01"))
        },
        deal(Stage::Proposal, 150, 1_000, Some("2026-06-15")), // today; 150% reads as 100%
    ];
    let f = pipeline::forecast(&Prepared::new(&b));
    let months: Vec<_> = f
        .months
        .iter()
        .map(|m| {
            (
                m.year,
                m.month,
                m.bucket.deals,
                m.bucket.value,
                m.bucket.weighted,
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![
            (2026, 6, 1, 1_000, 1_000),
            (2026, 7, 2, 130_001, 25_001),
            (2026, 9, 1, 40_000, 30_000),
        ]
    );
    assert_eq!((f.undated.deals, f.undated.weighted), (1, 5_000));
    assert_eq!((f.overdue.deals, f.overdue.weighted), (1, 2_000));
    assert_eq!(
        (f.total.deals, f.total.value, f.total.weighted),
        (6, 199_001, 63_001)
    );
    let stages: Vec<_> = f
        .by_stage
        .iter()
        .map(|s| (s.stage, s.bucket.deals, s.bucket.weighted))
        .collect();
    assert_eq!(
        stages,
        vec![
            (Stage::Lead, 1, 10_000),
            (Stage::Qualified, 2, 7_000),
            (Stage::Proposal, 2, 16_001),
            (Stage::Negotiation, 1, 30_000),
        ]
    );
}

// ---- the whole dashboard ----

#[test]
fn an_empty_book_has_a_defined_dashboard() {
    let b = book("2026-11-23");
    let d = Dashboard::compute(&b, &DashboardParams::for_today(b.today));
    assert_eq!(d.revenue.total.current, 0);
    assert!(d.revenue.by_account.is_empty() && d.revenue.by_rep.is_empty());
    assert_eq!(d.monthly.len(), 12);
    assert!(d.monthly.iter().all(|m| m.revenue == 0));
    assert_eq!((d.monthly[11].year, d.monthly[11].month), (2026, 11));
    assert_eq!(d.pareto.top_share, 0.0);
    assert_eq!(d.pareto.curve.len(), 101);
    assert!(d.rfm.accounts.is_empty());
    assert!(d.rfm.segments.iter().all(|s| s.accounts == 0));
    assert!(d.reorder.accounts.is_empty());
    assert_eq!(d.channels.overall.preferred, None);
    assert_eq!((d.cross_sell.baskets, d.cross_sell.rules_total), (0, 0));
    assert!(d.health.accounts.is_empty());
    assert!(d.referrals.referrers.is_empty());
    assert_eq!(d.pipeline.total.deals, 0);
}

#[test]
fn the_dashboard_equals_its_parts() {
    let b = revenue_book();
    let params = DashboardParams::for_today(b.today);
    let d = Dashboard::compute(&b, &params);
    let p = Prepared::new(&b);
    assert_eq!(d.revenue, revenue::report(&p, params.period));
    assert_eq!(d.pareto, revenue::pareto(&p, params.period));
    assert_eq!(d.rfm, rfm::score(&p));
    assert_eq!(d.reorder, reorder::rhythms(&p));
    assert_eq!(
        d.channels,
        channels::analyse(&p, params.conversion_window_days)
    );
    assert_eq!(d.cross_sell, cross_sell::analyse(&p, &params.cross_sell));
    assert_eq!(d.health, health::assess(&p, &params.health));
    assert_eq!(d.referrals, referrals::forest(&p));
    assert_eq!(d.pipeline, pipeline::forecast(&p));
    // Merged and deleted accounts appear in no per-account result.
    let live = [id(1), id(2)];
    assert!(d.rfm.accounts.iter().all(|s| live.contains(&s.account)));
    assert!(d.health.accounts.iter().all(|h| live.contains(&h.account)));
    assert!(d.reorder.accounts.iter().all(|r| live.contains(&r.account)));
}

#[test]
fn the_sample_book_gives_meaningful_figures() {
    use campo_core::analytics::sample::{self, SampleSpec};
    let b = sample::book(&SampleSpec::with_accounts(1_000));
    let d = Dashboard::compute(&b, &DashboardParams::for_today(b.today));
    assert!(d.revenue.total.current > 0);
    assert!(d.pareto.top_share > 0.4, "revenue is concentrated");
    assert!(!d.reorder.overdue.is_empty());
    assert!(d.rfm.segments.iter().filter(|s| s.accounts > 0).count() >= 8);
    assert!(d.cross_sell.rules_total > 0 && !d.cross_sell.suggestions.is_empty());
    assert!(!d.referrals.referrers.is_empty());
    assert!(
        d.referrals.referrers.iter().any(|r| r.all > r.direct),
        "chains"
    );
    assert!(!d.health.dropped.is_empty());
    assert!(d.pipeline.total.deals > 0 && d.pipeline.overdue.deals > 0);
    assert_eq!(d.channels.overall.total() as usize, b.interactions.len());
}

// ---- property: no book breaks the dashboard ----

mod random_books {
    use super::*;
    use proptest::prelude::*;

    /// Ids from a small pool, so duplicates, unknown references and loops happen.
    fn pool_id() -> impl Strategy<Value = DocId> {
        (0u8..8).prop_map(id)
    }

    fn any_day() -> impl Strategy<Value = Day> {
        prop_oneof![
            (20_300i32..20_450).prop_map(Day),
            Just(Day(i32::MIN)),
            Just(Day(i32::MAX)),
        ]
    }

    fn quantity() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-5i32..20).prop_map(|q| q as f64),
            (-100.0f64..100.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(0.0),
        ]
    }

    fn account() -> impl Strategy<Value = AccountFacts> {
        (
            pool_id(),
            proptest::option::of(pool_id()),
            any_day(),
            any::<bool>(),
            proptest::option::of(pool_id()),
        )
            .prop_map(
                |(id, referred_by, created, deleted, merged_into)| AccountFacts {
                    id,
                    name: String::new(),
                    owner: "Anna".into(),
                    status: AccountStatus::Active,
                    referred_by,
                    created,
                    deleted,
                    merged_into,
                },
            )
    }

    fn order() -> impl Strategy<Value = OrderFacts> {
        let line = (pool_id(), quantity(), -1_000i64..100_000, -50.0f64..150.0).prop_map(
            |(product, quantity, unit_price, discount_pct)| LineFacts {
                product,
                quantity,
                unit_price,
                discount_pct,
            },
        );
        (
            pool_id(),
            prop_oneof![Just("Anna"), Just("Bruno"), Just("")],
            any_day(),
            proptest::sample::select(OrderStatus::ALL),
            proptest::collection::vec(line, 0..4),
        )
            .prop_map(|(account, rep, date, status, lines)| OrderFacts {
                id: account,
                account,
                rep: rep.into(),
                date,
                status,
                lines,
            })
    }

    fn interaction() -> impl Strategy<Value = InteractionFacts> {
        (
            pool_id(),
            proptest::option::of(pool_id()),
            proptest::sample::select(Channel::ALL),
            any_day(),
            proptest::sample::select(Outcome::ALL),
        )
            .prop_map(
                |(account, person, channel, date, outcome)| InteractionFacts {
                    account,
                    person,
                    channel,
                    date,
                    outcome,
                    rep: "Anna".into(),
                },
            )
    }

    fn deal() -> impl Strategy<Value = DealFacts> {
        (
            pool_id(),
            proptest::sample::select(Stage::ALL),
            any::<i64>(),
            any::<u8>(),
            proptest::option::of(any_day()),
        )
            .prop_map(
                |(account, stage, value, probability, expected_close)| DealFacts {
                    id: account,
                    account,
                    owner: "Anna".into(),
                    stage,
                    value,
                    probability,
                    expected_close,
                },
            )
    }

    fn task() -> impl Strategy<Value = TaskFacts> {
        (
            proptest::option::of(pool_id()),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(account, done, is_issue)| TaskFacts {
                account,
                due: None,
                done,
                is_issue,
            })
    }

    fn book() -> impl Strategy<Value = Book> {
        (
            (20_350i32..20_450).prop_map(Day),
            proptest::collection::vec(account(), 0..7),
            proptest::collection::vec((pool_id(), 0u8..3), 0..6),
            proptest::collection::vec(order(), 0..14),
            proptest::collection::vec(interaction(), 0..14),
            proptest::collection::vec(deal(), 0..5),
            proptest::collection::vec(task(), 0..5),
        )
            .prop_map(
                |(today, accounts, products, orders, interactions, deals, tasks)| Book {
                    today,
                    accounts,
                    products: products
                        .into_iter()
                        .map(|(p, c)| ProductFacts {
                            id: p,
                            code: String::new(),
                            name: String::new(),
                            category: ["", "Caffè", "Vini"][c as usize].into(),
                            unit_price: 100,
                        })
                        .collect(),
                    orders,
                    interactions,
                    deals,
                    tasks,
                },
            )
    }

    fn params(today: Day) -> impl Strategy<Value = DashboardParams> {
        (
            any_day(),
            0u32..400,
            0u32..30,
            0u32..40,
            prop_oneof![Just(f64::NAN), -1.0f64..2.0],
            prop_oneof![Just(f64::NAN), -1.0f64..2.0],
            0u32..100,
        )
            .prop_map(
                move |(from, days, months, window, support, confidence, lookback)| {
                    let mut p = DashboardParams::for_today(today);
                    p.period = Period::new(from, Day(from.0.saturating_add(days as i32)));
                    p.trend_months = months;
                    p.conversion_window_days = window;
                    p.cross_sell.min_support = support;
                    p.cross_sell.min_confidence = confidence;
                    p.health.lookback_days = lookback;
                    p.health.window_days = window;
                    p
                },
            )
    }

    fn finite(x: f64, what: &str) -> Result<(), TestCaseError> {
        prop_assert!(x.is_finite(), "{what} is {x}");
        Ok(())
    }

    fn check(d: &Dashboard) -> Result<(), TestCaseError> {
        let r = &d.revenue;
        for t in r
            .by_account
            .iter()
            .map(|x| x.revenue)
            .chain(r.by_rep.iter().map(|x| x.revenue))
            .chain(r.by_product.iter().map(|x| x.revenue))
            .chain(r.by_category.iter().map(|x| x.revenue))
            .chain([r.total])
        {
            finite(t.change_pct().unwrap_or(0.0), "change_pct")?;
        }
        finite(d.pareto.top_share, "top_share")?;
        let mut last = 0.0;
        for pt in &d.pareto.curve {
            finite(pt.revenue_share, "curve")?;
            prop_assert!(pt.revenue_share >= last && pt.revenue_share <= 1.0 + 1e-9);
            last = pt.revenue_share;
        }
        for e in &d.pareto.ranking {
            finite(e.cumulative_share, "cumulative_share")?;
        }
        for s in &d.rfm.accounts {
            let scored = s.recency_days.is_some();
            for score in [s.r, s.f, s.m] {
                let ok = if scored {
                    (1..=5).contains(&score)
                } else {
                    score == 0
                };
                prop_assert!(ok, "score {} for {:?}", score, s);
            }
        }
        let stats = std::iter::once(&d.channels.overall)
            .chain(d.channels.by_account.iter().map(|x| &x.stats))
            .chain(d.channels.by_person.iter().map(|x| &x.stats));
        for s in stats {
            for c in Channel::ALL {
                let rate = s.rate(*c);
                finite(rate, "rate")?;
                prop_assert!((0.0..=1.0).contains(&rate));
            }
        }
        for rule in &d.cross_sell.rules {
            finite(rule.support, "support")?;
            finite(rule.confidence, "confidence")?;
            finite(rule.lift, "lift")?;
            prop_assert!(rule.confidence <= 1.0);
        }
        for s in d.cross_sell.suggestions.iter().flat_map(|a| &a.suggestions) {
            finite(s.score, "score")?;
            finite(s.reason.confidence, "reason confidence")?;
            finite(s.reason.lift, "reason lift")?;
            finite(s.reason.support, "reason support")?;
            prop_assert!(!s.reason.bought_with.is_empty());
        }
        for h in &d.health.accounts {
            prop_assert_eq!(h.parts.score(), h.now);
            prop_assert!(h.now <= 100 && h.then <= 100);
        }
        let f = &d.pipeline;
        let months: u32 = f.months.iter().map(|m| m.bucket.deals).sum();
        prop_assert_eq!(months + f.overdue.deals + f.undated.deals, f.total.deals);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_small_book_gives_a_finite_dashboard(
            (book, params) in book().prop_flat_map(|b| {
                let today = b.today;
                (Just(b), params(today))
            })
        ) {
            let d = Dashboard::compute(&book, &params);
            check(&d)?;
        }
    }
}
