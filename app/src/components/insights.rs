//! What the analytics know about one account (or one contact person), on its page:
//! its RFM segment and scores, its share of the team's revenue, its reorder rhythm,
//! the channels it prefers and that convert, its health and its parts, and the
//! products to offer next with the reason. A person's card shows their channels.
//!
//! The figures come from the dashboard computed for the book
//! (`analytics_view::dashboard`); this card only looks the record up in it. When
//! the book changed since the last computation (~100 ms for 10,000 accounts),
//! the card computes it just after the page has shown, so opening a record never
//! waits for analytics.

use crate::analytics_view;
use crate::charts::{self, num};
use crate::i18n::analytics::{self as words, Text};
use crate::i18n::{self, Lang};
use crate::pages::dashboard::{segment_series, segment_target};
use crate::state::{AppState, Route, use_app};
use campo_core::analytics::Dashboard;
use campo_core::analytics::channels::ChannelStats;
use campo_core::analytics::cross_sell::Suggestion;
use campo_core::analytics::health::Health;
use campo_core::analytics::reorder::Rhythm;
use campo_core::analytics::rfm::RfmScore;
use campo_core::ids::DocId;
use campo_core::record::Kind;
use campo_core::vocab::Channel;
use leptos::prelude::*;

#[component]
pub fn Insights(id: DocId, kind: Kind) -> impl IntoView {
    let ui = use_app();
    // The card follows the book after the next paint: the record itself shows
    // (or shows a remote change) first, and a burst of changes recomputes the
    // analytics once, for the newest revision.
    let shown_rev = RwSignal::new(None::<u64>);
    Effect::new(move |_| {
        ui.index_rev.track();
        crate::platform::after_paint(move || {
            // The card may have closed in the meantime (its signals are gone).
            let Some(shown) = shown_rev.try_get_untracked() else {
                return;
            };
            let latest = ui.index_rev.get_untracked();
            if shown != Some(latest) {
                shown_rev.set(Some(latest));
            }
        });
    });
    let body = move || {
        let lang = ui.lang.get();
        if shown_rev.get().is_none() {
            return view! { <p class="muted">{i18n::t(lang, i18n::Msg::Loading)}</p> }.into_any();
        }
        let d = analytics_view::dashboard(ui);
        match kind {
            Kind::Account => account_insights(ui, lang, &d, id).into_any(),
            _ => person_insights(lang, &d, id).into_any(),
        }
    };
    view! {
        <section class="card insights" data-testid="insights">
            <h2>{move || words::t(ui.lang.get(), Text::Insights)}</h2>
            {body}
        </section>
    }
}

/// A labelled fact of the card.
fn fact(testid: &'static str, label: &'static str, body: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="insight" data-testid=testid>
            <dt>{label}</dt>
            <dd>{body}</dd>
        </div>
    }
}

/// A thin bar for a score out of its maximum.
fn score_bar(got: f64, max: f64, series: u8) -> impl IntoView {
    let width = charts::share(got, max);
    view! {
        <svg class=format!("hbar series-{series}") viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            <rect class="track" x="0" y="0" width="100" height="8" rx="1" />
            <rect class="bar" x="0" y="0" width=num(width * 100.0) height="8" rx="1" />
        </svg>
    }
}

/// What the card says about one account, looked up in the book's dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInsight {
    /// `None` for an account analytics leaves out (deleted or merged).
    pub rfm: Option<RfmScore>,
    /// The account's revenue in the dashboard's period, and the team's.
    pub revenue: i64,
    pub team_revenue: i64,
    /// `revenue / team_revenue` (0..=1).
    pub share: f64,
    pub rhythm: Option<Rhythm>,
    pub channels: Option<ChannelStats>,
    pub health: Option<Health>,
    pub suggestions: Vec<Suggestion>,
}

/// The figures of account `id` in `d`.
pub fn account_insight(d: &Dashboard, id: DocId) -> AccountInsight {
    let revenue = d
        .revenue
        .by_account
        .iter()
        .find(|a| a.account == id)
        .map_or(0, |a| a.revenue.current);
    let team_revenue = d.revenue.total.current;
    AccountInsight {
        rfm: d.rfm.accounts.iter().find(|a| a.account == id).copied(),
        revenue,
        team_revenue,
        share: charts::share(revenue as f64, team_revenue as f64),
        rhythm: d.reorder.accounts.iter().find(|r| r.account == id).copied(),
        channels: d
            .channels
            .by_account
            .iter()
            .find(|c| c.account == id)
            .map(|c| c.stats),
        health: d.health.accounts.iter().find(|h| h.account == id).copied(),
        suggestions: d
            .cross_sell
            .suggestions
            .iter()
            .find(|s| s.account == id)
            .map(|s| s.suggestions.clone())
            .unwrap_or_default(),
    }
}

/// A person's channels (their interactions on live accounts).
pub fn person_channels(d: &Dashboard, id: DocId) -> Option<ChannelStats> {
    let people = &d.channels.by_person;
    // `by_person` is sorted by id.
    people
        .binary_search_by_key(&id, |p| p.person)
        .ok()
        .map(|i| people[i].stats)
}

fn account_insights(ui: AppState, lang: Lang, d: &Dashboard, id: DocId) -> impl IntoView + use<> {
    let t = |x| words::t(lang, x);
    let facts = account_insight(d, id);

    let segment = facts.rfm.map(|s| {
        let target = segment_target(s.segment);
        let body = match s.recency_days {
            Some(recency) => view! {
                <a class="segment-link" href=Route::List(Kind::Account).hash()
                    data-testid="insight-segment-link" data-segment=s.segment.key() on:click=move |ev| {
                        ev.prevent_default();
                        target.follow(ui);
                    }>
                    <span class=format!("swatch series-{}", segment_series(s.segment)) aria-hidden="true"></span>
                    {i18n::segment_label(lang, s.segment)}
                </a>
                " "
                <span class="badge muted" data-testid="insight-scores" aria-label=words::rfm_explained(lang, s.r, s.f, s.m)>
                    {words::rfm_scores(s.r, s.f, s.m)}
                </span>
                <p class="small muted">{words::rfm_figures(lang, recency, s.frequency, s.monetary)}</p>
            }
            .into_any(),
            None => view! {
                <span class="badge muted">{i18n::segment_label(lang, s.segment)}</span>
                <p class="small muted">{t(Text::NoPurchases)}</p>
            }
            .into_any(),
        };
        fact("insight-segment", t(Text::RfmSegment), body)
    });

    let contribution = fact(
        "insight-contribution",
        t(Text::Contribution),
        view! {
            <span>{words::contribution(lang, facts.share, facts.revenue, facts.team_revenue)}</span>
            <p class="small muted">{words::period(lang, d.revenue.period)}</p>
        },
    );

    let reorder = facts.rhythm.map(|r| {
        let body = match (r.interval_days, r.expected_next) {
            (Some(days), Some(next)) => view! {
                <span>{words::interval(lang, days)}</span>
                <p class="next-order" class:overdue={r.overdue_days > 0} data-testid="insight-next-order">
                    {words::next_order(lang, next, r.overdue_days)}
                </p>
            }
            .into_any(),
            _ => view! { <span class="muted">{t(Text::TooFewOrders)}</span> }.into_any(),
        };
        fact("insight-reorder", t(Text::Reorder), body)
    });

    let channels = fact(
        "insight-channels",
        t(Text::Channels),
        channels_view(lang, facts.channels),
    );

    let health = facts.health.map(|h| {
        let p = h.parts;
        let parts = [
            (Text::HealthContact, p.contact, 35u8),
            (Text::HealthTrend, p.trend, 25),
            (Text::HealthIssues, p.issues, 20),
            (Text::HealthOutcomes, p.outcomes, 20),
        ]
        .into_iter()
        .map(|(label, got, max)| {
            view! {
                <li data-testid="insight-health-part">
                    <span class="part-label">{t(label)}</span>
                    <span class="part-figure">{words::points(got, max)}</span>
                    {score_bar(got as f64, max as f64, 1)}
                </li>
            }
        })
        .collect_view();
        let series = if h.now >= 70 { 1 } else if h.now >= 40 { 3 } else { 5 };
        let body = view! {
            <span data-testid="insight-health-score">{words::health_now(lang, h.now, h.then, d.health.params.lookback_days)}</span>
            {score_bar(h.now as f64, 100.0, series)}
            <ul class="health-parts">{parts}</ul>
        };
        fact("insight-health", t(Text::Health), body)
    });

    let cross_sell = if facts.suggestions.is_empty() {
        view! { <span class="muted">{t(Text::NoSuggestions)}</span> }.into_any()
    } else {
        let name = move |p: &DocId| {
            ui.index
                .with_value(|i| i.get(p).map(|s| s.title.clone()))
                .unwrap_or_else(|| t(Text::UnknownProduct).to_owned())
        };
        let items = facts
            .suggestions
            .into_iter()
            .map(|s| {
                let with: Vec<String> = s.reason.bought_with.iter().map(name).collect();
                let reason = words::suggestion_reason(lang, &with, s.reason.confidence, s.reason.lift);
                view! {
                    <li data-testid="insight-suggestion">
                        <a href=Route::Record(Kind::Product, s.product).hash()>{name(&s.product)}</a>
                        <span class="small muted">{reason}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="suggestions">{items}</ul> }.into_any()
    };
    let cross_sell = fact("insight-cross-sell", t(Text::CrossSell), cross_sell);

    view! {
        <dl class="insight-list">
            {segment}
            {contribution}
            {reorder}
            {channels}
            {health}
            {cross_sell}
        </dl>
    }
}

/// The channel sentence and each used channel's figures.
fn channels_view(lang: Lang, stats: Option<ChannelStats>) -> AnyView {
    let Some(stats) = stats.filter(|s| s.total() > 0) else {
        return view! { <span class="muted">{words::t(lang, Text::NoInteractions)}</span> }
            .into_any();
    };
    let used = Channel::ALL
        .iter()
        .copied()
        .filter(|c| stats.count(*c) > 0)
        .map(|c| {
            view! {
                <li data-testid="insight-channel" data-channel=c.key()>
                    <span class="part-label">{i18n::choice_label(lang, "channel", c.key())}</span>
                    <span class="part-figure">{words::channel_use(lang, stats.count(c), stats.rate(c))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <span data-testid="insight-channel-summary">{words::channels_sentence(lang, stats.preferred, stats.best_converting)}</span>
        <ul class="channel-use">{used}</ul>
    }
    .into_any()
}

fn person_insights(lang: Lang, d: &Dashboard, id: DocId) -> impl IntoView + use<> {
    let stats = person_channels(d, id);
    view! {
        <dl class="insight-list">
            {fact("insight-channels", words::t(lang, Text::Channels), channels_view(lang, stats))}
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use campo_core::analytics::rfm::Segment;
    use campo_core::analytics::{
        AccountFacts, Book, DashboardParams, InteractionFacts, LineFacts, OrderFacts, ProductFacts,
    };
    use campo_core::day::Day;
    use campo_core::vocab::{AccountStatus, OrderStatus, Outcome};

    const TODAY: &str = "2026-11-23";
    const COFFEE: DocId = DocId([0xc0; 16]);
    const SUGAR: DocId = DocId([0x50; 16]);

    fn day(offset: i32) -> Day {
        Day::parse(TODAY).unwrap().plus(offset)
    }

    fn account(n: u8, name: &str) -> AccountFacts {
        AccountFacts {
            id: DocId([n; 16]),
            name: name.into(),
            owner: "Anna".into(),
            status: AccountStatus::Active,
            referred_by: None,
            created: day(-60),
            deleted: false,
            merged_into: None,
        }
    }

    fn order(n: u8, account: u8, offset: i32, lines: &[(DocId, f64, i64)]) -> OrderFacts {
        OrderFacts {
            id: DocId([0xa0 + n; 16]),
            account: DocId([account; 16]),
            rep: "Anna".into(),
            date: day(offset),
            status: OrderStatus::Confirmed,
            lines: lines
                .iter()
                .map(|&(product, quantity, unit_price)| LineFacts {
                    product,
                    quantity,
                    unit_price,
                    discount_pct: 0.0,
                })
                .collect(),
        }
    }

    /// The book of the browser test `tests/e2e/dashboard.spec.js`.
    fn book() -> Book {
        let mut b = Book::empty(day(0));
        b.accounts = vec![
            account(1, "Bar Sport"),
            account(2, "Caffè Centrale"),
            account(3, "Pasticceria Dolce"),
            account(4, "Enoteca Vuota"),
        ];
        b.products = vec![
            ProductFacts {
                id: COFFEE,
                code: "CAF1".into(),
                name: "Caffè Arabica".into(),
                category: "Caffè".into(),
                unit_price: 1250,
            },
            ProductFacts {
                id: SUGAR,
                code: "ZUC1".into(),
                name: "Zucchero di canna".into(),
                category: "Dolci".into(),
                unit_price: 300,
            },
        ];
        b.orders = vec![
            order(1, 1, -30, &[(COFFEE, 10.0, 1250)]),
            order(2, 1, 0, &[(COFFEE, 4.0, 1250), (SUGAR, 10.0, 300)]),
            order(3, 2, 0, &[(COFFEE, 2.0, 1250), (SUGAR, 5.0, 300)]),
            order(4, 3, 0, &[(COFFEE, 6.0, 1250)]),
        ];
        b.interactions = vec![InteractionFacts {
            account: DocId([1; 16]),
            person: None,
            channel: Channel::Visit,
            date: day(0),
            outcome: Outcome::None,
            rep: "Anna".into(),
        }];
        b
    }

    fn dashboard() -> Dashboard {
        let b = book();
        Dashboard::compute(&b, &DashboardParams::for_today(b.today))
    }

    #[test]
    fn a_loyal_account_with_a_rhythm_and_a_converting_channel() {
        let d = dashboard();
        let bar = account_insight(&d, DocId([1; 16]));
        let rfm = bar.rfm.expect("a live account is scored");
        assert_eq!(
            rfm.segment,
            Segment::Loyal,
            "two purchase days against one for the others"
        );
        assert_eq!((rfm.r, rfm.f, rfm.m), (3, 5, 5));
        assert_eq!((bar.revenue, bar.team_revenue), (20_500, 32_000));
        assert_eq!(
            words::contribution(Lang::It, bar.share, bar.revenue, bar.team_revenue),
            "64,1% del fatturato del team (205,00 € su 320,00 €)"
        );
        let rhythm = bar.rhythm.expect("every live account has a rhythm");
        assert_eq!(rhythm.interval_days, Some(30));
        assert_eq!(rhythm.expected_next, Some(day(30)));
        assert_eq!(rhythm.overdue_days, 0);
        let ch = bar.channels.expect("the visit was logged");
        assert_eq!(
            words::channels_sentence(Lang::It, ch.preferred, ch.best_converting),
            "Preferisce le visite; le visite convertono meglio"
        );
        assert!(bar.health.is_some());
        assert!(bar.suggestions.is_empty(), "it already buys both products");
    }

    #[test]
    fn cross_selling_explains_itself() {
        let d = dashboard();
        let dolce = account_insight(&d, DocId([3; 16]));
        assert_eq!(dolce.rfm.map(|r| r.segment), Some(Segment::AboutToSleep));
        assert_eq!(dolce.suggestions.len(), 1);
        let s = &dolce.suggestions[0];
        assert_eq!(s.product, SUGAR);
        assert_eq!(s.reason.bought_with, vec![COFFEE]);
        assert_eq!(
            words::suggestion_reason(
                Lang::It,
                &["Caffè Arabica".into()],
                s.reason.confidence,
                s.reason.lift
            ),
            "comprato con Caffè Arabica: confidenza 66,7%, lift 1,0"
        );
    }

    #[test]
    fn an_account_without_orders_or_contacts() {
        let d = dashboard();
        let empty = account_insight(&d, DocId([4; 16]));
        assert_eq!(empty.rfm.map(|r| r.segment), Some(Segment::NoOrders));
        assert_eq!((empty.revenue, empty.share), (0, 0.0));
        assert_eq!(empty.rhythm.and_then(|r| r.interval_days), None);
        assert_eq!(empty.channels, None);
        // The dashboard's segment bars of the same book add up to its four accounts.
        let sizes: Vec<(Segment, u32)> = d
            .rfm
            .segments
            .iter()
            .filter(|s| s.accounts > 0)
            .map(|s| (s.segment, s.accounts))
            .collect();
        assert_eq!(
            sizes,
            vec![
                (Segment::Loyal, 1),
                (Segment::AboutToSleep, 2),
                (Segment::NoOrders, 1)
            ]
        );
        assert_eq!(d.pareto.top_accounts, 1);
        assert_eq!(crate::i18n::percent(Lang::It, d.pareto.top_share), "64,1%");
        // An account not in the book (or deleted) has no figures, not an error.
        let unknown = account_insight(&d, DocId([9; 16]));
        assert_eq!(unknown.rfm, None);
        assert_eq!(person_channels(&d, DocId([9; 16])), None);
    }
}
