//! The dashboard: revenue against the previous period, its monthly trend, RFM
//! segments, how concentrated revenue is (Pareto), the weighted pipeline, and the
//! rankings behind them (accounts, products, categories, reps, falling health,
//! referrers).
//!
//! The figures come from the core, computed once per index revision
//! (`analytics_view::dashboard`), so the page opens at once with no spinner. Every
//! chart leads to the list behind it; every chart has a text equivalent (a
//! visually hidden table, or rows whose labels carry the figures).

use crate::analytics_view;
use crate::charts::{self, Frame, Linear, Ticks, num};
use crate::i18n::analytics::{self as words, Text};
use crate::i18n::{self, Lang};
use crate::state::{AppState, Route, use_app};
use campo_core::analytics::Dashboard;
use campo_core::analytics::rfm::Segment;
use campo_core::ids::DocId;
use campo_core::index::{Query, Sort};
use campo_core::record::Kind;
use leptos::prelude::*;

/// Rows in each ranking.
const TOP: usize = 10;
/// Most months the pipeline chart shows; later months are summed in a line below.
const PIPELINE_MONTHS: usize = 12;

/// Where a chart element leads.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Record(Kind, DocId),
    /// A kind's list with this query.
    List(Kind, Query),
    Nowhere,
}

impl Target {
    fn href(&self) -> Option<String> {
        match self {
            Target::Record(k, id) => Some(Route::Record(*k, *id).hash()),
            Target::List(k, _) => Some(Route::List(*k).hash()),
            Target::Nowhere => None,
        }
    }

    /// Opens the target: a list gets its query first, so it shows filtered.
    pub fn follow(&self, ui: AppState) {
        match self {
            Target::Record(k, id) => ui.go(Route::Record(*k, *id)),
            Target::List(k, q) => {
                ui.set_query(*k, q.clone());
                ui.go(Route::List(*k));
            }
            Target::Nowhere => {}
        }
    }
}

/// The accounts list filtered to an RFM segment.
pub fn segment_target(segment: Segment) -> Target {
    Target::List(
        Kind::Account,
        Query {
            kind: Some(Kind::Account),
            segment: Some(segment.key().to_owned()),
            ..Query::default()
        },
    )
}

/// The deals list, soonest expected close first.
fn deals_by_due() -> Target {
    Target::List(
        Kind::Deal,
        Query {
            kind: Some(Kind::Deal),
            sort: Sort::Due,
            ..Query::default()
        },
    )
}

/// A segment's chart colour: good, growing, slipping, at risk, gone, none.
pub fn segment_series(s: Segment) -> u8 {
    match s {
        Segment::Champions | Segment::Loyal => 1,
        Segment::PotentialLoyalist | Segment::New | Segment::Promising => 2,
        Segment::NeedAttention | Segment::AboutToSleep => 3,
        Segment::AtRisk | Segment::CannotLose => 5,
        Segment::Hibernating | Segment::Lost => 6,
        Segment::NoOrders => 4,
    }
}

fn title_of(ui: AppState, id: &DocId) -> Option<String> {
    ui.index.with_value(|i| i.get(id).map(|s| s.title.clone()))
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let ui = use_app();
    let body = move || {
        ui.index_rev.track();
        let lang = ui.lang.get();
        let d = analytics_view::dashboard(ui);
        view! {
            <div class="page-head">
                <h1>{words::t(lang, Text::Title)}</h1>
            </div>
            <p class="muted" data-testid="dash-period">{words::period(lang, d.revenue.period)}</p>
            {tiles(ui, lang, &d)}
            <div class="dash-grid">
                {monthly_chart(lang, &d)}
                {segments_chart(ui, lang, &d)}
                {pareto_chart(lang, &d)}
                {pipeline_chart(ui, lang, &d)}
                {top_accounts(ui, lang, &d)}
                {top_products(ui, lang, &d)}
                {top_categories(ui, lang, &d)}
                {revenue_per_rep(ui, lang, &d)}
                {health_drops(ui, lang, &d)}
                {top_referrers(ui, lang, &d)}
            </div>
        }
    };
    view! { <section class="dashboard-page" data-testid="dashboard">{body}</section> }
}

fn tiles(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let total = d.revenue.total;
    let direction = words::trend_direction(total);
    let arrow = match direction {
        "up" => "▲",
        "down" => "▼",
        _ => "",
    };
    let pipeline = deals_by_due();
    let pipeline_href = pipeline.href();
    view! {
        <div class="stats dash-stats">
            <div class="stat" data-testid="stat-revenue">
                <span class="value" data-testid="stat-revenue-value">{i18n::money(lang, total.current)}</span>
                <span class="label">{words::t(lang, Text::Revenue)}</span>
                <span class=format!("trend {direction}") data-testid="stat-revenue-trend">
                    <span aria-hidden="true">{arrow}" "</span>{words::trend_sentence(lang, total)}
                </span>
            </div>
            <div class="stat" data-testid="stat-revenue-previous">
                <span class="value">{i18n::money(lang, total.previous)}</span>
                <span class="label">{words::t(lang, Text::RevenuePrevious)}</span>
                <span class="small muted">{words::versus(lang, d.revenue.previous)}</span>
            </div>
            <a class="stat" data-testid="stat-pipeline" href=pipeline_href on:click=move |ev| {
                ev.prevent_default();
                pipeline.follow(ui);
            }>
                <span class="value">{i18n::money(lang, d.pipeline.total.weighted)}</span>
                <span class="label">{words::t(lang, Text::WeightedPipeline)}</span>
                <span class="small muted">{words::deals(lang, d.pipeline.total.deals)}</span>
            </a>
            <div class="stat" data-testid="stat-reorders">
                <span class="value">{i18n::number(lang, d.reorder.overdue.len() as f64, 0)}</span>
                <span class="label">{words::t(lang, Text::ReordersDue)}</span>
            </div>
        </div>
    }
}

/// A card holding one chart or ranking.
fn card(testid: &'static str, heading: String, body: impl IntoView + 'static) -> impl IntoView {
    view! {
        <section class="card dash-card" data-testid=testid>
            <h2>{heading}</h2>
            {body}
        </section>
    }
}

/// The text equivalent of an SVG chart: a table only screen readers see.
fn data_table(caption: String, head: Vec<&'static str>, rows: Vec<Vec<String>>) -> impl IntoView {
    view! {
        <table class="sr-only">
            <caption>{caption}</caption>
            <thead><tr>{head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let mut cells = r.into_iter();
                    let first = cells.next().unwrap_or_default();
                    view! {
                        <tr>
                            <th scope="row">{first}</th>
                            {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The frame of the column charts (monthly revenue, pipeline).
const COLUMNS: Frame = Frame {
    width: 480.0,
    height: 240.0,
    top: 12.0,
    right: 8.0,
    bottom: 28.0,
    left: 64.0,
};

/// Horizontal grid lines and money labels for a value axis.
fn money_axis(lang: Lang, frame: &Frame, ticks: &Ticks, y: &Linear) -> impl IntoView + use<> {
    let (x0, x1) = (num(frame.x0()), num(frame.x1()));
    let label_x = num(frame.x0() - 6.0);
    let lines = ticks
        .values
        .iter()
        .map(|&v| {
            let at = y.map(v);
            let (yy, ty) = (num(at), num(at + 4.0));
            let label = words::axis_money(lang, v.round() as i64);
            let (x0, x1, label_x) = (x0.clone(), x1.clone(), label_x.clone());
            view! {
                <g class="grid"><line x1=x0 x2=x1 y1=yy.clone() y2=yy /></g>
                <text x=label_x y=ty text-anchor="end">{label}</text>
            }
        })
        .collect_view();
    view! { <g class="axis">{lines}</g> }
}

/// Columns for `values` with labels under them; `label_of(i)` names band `i`.
fn column_chart(
    lang: Lang,
    id: &'static str,
    title: String,
    values: &[i64],
    labels: Vec<String>,
    series: u8,
    bar_testid: &'static str,
) -> impl IntoView + use<> {
    let frame = COLUMNS;
    let floats: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    // Whole euros at least: a chart of a few cents has no ticks between them.
    let ticks = charts::value_ticks(&floats, 5, 100.0);
    let y = frame.y_scale(&ticks);
    let bars = charts::columns(&floats, &frame, &y, 0.3);
    let n = values.len();
    let every = charts::label_every(n, frame.plot_width(), 34.0);
    let base = num(frame.height - 8.0);
    let month_labels = labels
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, text)| {
            let x = num(charts::band_center(&frame, i, n));
            view! { <text x=x y=base.clone() text-anchor="middle">{text}</text> }
        })
        .collect_view();
    let rects = bars
        .iter()
        .map(|b| {
            view! {
                <rect class="bar" data-testid=bar_testid x=num(b.x) y=num(b.y) width=num(b.w) height=num(b.h) rx="2" />
            }
        })
        .collect_view();
    let zero = num(y.map(0.0));
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <figure class="chart dash-chart">
            <svg viewBox=frame.view_box() role="img" aria-labelledby=labelled_by focusable="false">
                <title id=title_id>{title}</title>
                {money_axis(lang, &frame, &ticks, &y)}
                <g class=format!("series-{series}")>{rects}</g>
                <g class="axis">
                    <line class="zero" x1=num(frame.x0()) x2=num(frame.x1()) y1=zero.clone() y2=zero />
                    {month_labels}
                </g>
            </svg>
        </figure>
    }
}

fn monthly_chart(lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::RevenueByMonth).to_owned();
    let months = &d.monthly;
    let any = months.iter().any(|m| m.revenue != 0 || m.orders > 0);
    let body = if any {
        let values: Vec<i64> = months.iter().map(|m| m.revenue).collect();
        let labels = months
            .iter()
            .map(|m| words::month_short(lang, m.month).to_owned())
            .collect();
        let rows = months
            .iter()
            .map(|m| {
                vec![
                    words::month_year(lang, m.year, m.month),
                    i18n::money(lang, m.revenue),
                    i18n::number(lang, m.orders as f64, 0),
                ]
            })
            .collect();
        view! {
            {column_chart(lang, "dash-monthly", title.clone(), &values, labels, 1, "revenue-bar")}
            {data_table(title.clone(), vec![words::t(lang, Text::Month), words::t(lang, Text::Revenue), words::t(lang, Text::Orders)], rows)}
        }
        .into_any()
    } else {
        view! { <p class="muted">{words::t(lang, Text::NoOrdersYet)}</p> }.into_any()
    };
    card("chart-revenue", title, body)
}

/// One row of a horizontal bar chart: a link (or plain row) with its label, its
/// figure and a bar. The label and figure are the row's text, so the chart reads
/// the same to a screen reader with the bar hidden.
#[derive(Debug, Clone)]
struct BarRow {
    label: String,
    figure: String,
    /// A second line under the label (a trend, a reason).
    detail: Option<String>,
    value: f64,
    series: u8,
    target: Target,
    /// `data-key`, for tests and for styling one row.
    key: String,
}

fn bar_list(
    ui: AppState,
    list_testid: &'static str,
    row_testid: &'static str,
    rows: Vec<BarRow>,
) -> impl IntoView {
    let fractions = charts::bar_fractions(&rows.iter().map(|r| r.value).collect::<Vec<_>>());
    let items = rows
        .into_iter()
        .zip(fractions)
        .map(|(r, f)| {
            let width = num(f * 100.0);
            let inner = view! {
                <span class="hbar-text">
                    <span class="hbar-label">{r.label}</span>
                    <span class="hbar-figure">{r.figure}</span>
                </span>
                {r.detail.map(|d| view! { <span class="hbar-detail small muted">{d}</span> })}
                <svg class=format!("hbar series-{}", r.series) viewBox="0 0 100 8" preserveAspectRatio="none"
                    aria-hidden="true" focusable="false">
                    <rect class="bar" x="0" y="0" width=width height="8" rx="1" />
                </svg>
            };
            let link = match r.target.href() {
                Some(href) => {
                    let target = r.target.clone();
                    view! {
                        <a class="hbar-row" href=href data-testid=row_testid data-key=r.key on:click=move |ev| {
                            ev.prevent_default();
                            target.follow(ui);
                        }>{inner}</a>
                    }
                    .into_any()
                }
                None => view! { <div class="hbar-row" data-testid=row_testid data-key=r.key>{inner}</div> }.into_any(),
            };
            view! { <li>{link}</li> }
        })
        .collect_view();
    view! { <ul class="hbars" data-testid=list_testid>{items}</ul> }
}

fn segments_chart(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::Segments).to_owned();
    let rows: Vec<BarRow> = d
        .rfm
        .segments
        .iter()
        .filter(|s| s.accounts > 0)
        .map(|s| BarRow {
            label: i18n::segment_label(lang, s.segment).to_owned(),
            figure: words::accounts(lang, s.accounts),
            detail: Some(i18n::money(lang, s.revenue)),
            value: s.accounts as f64,
            series: segment_series(s.segment),
            target: segment_target(s.segment),
            key: s.segment.key().to_owned(),
        })
        .collect();
    let body = if rows.is_empty() {
        view! { <p class="muted">{words::t(lang, Text::NoOrdersYet)}</p> }.into_any()
    } else {
        view! {
            <p class="small muted">{words::t(lang, Text::SegmentsHint)}</p>
            <figure class="chart dash-bars" aria-label=title.clone()>
                {bar_list(ui, "segment-bars", "segment-bar", rows)}
            </figure>
        }
        .into_any()
    };
    card("chart-segments", title, body)
}

/// The frame of the Pareto curve.
const PARETO: Frame = Frame {
    width: 480.0,
    height: 280.0,
    top: 28.0,
    right: 12.0,
    bottom: 44.0,
    left: 48.0,
};

fn pareto_chart(lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::Pareto).to_owned();
    let p = &d.pareto;
    if p.ranking.is_empty() {
        let body = view! { <p class="muted">{words::t(lang, Text::NoRevenueInPeriod)}</p> };
        return card("chart-pareto", title, body.into_any());
    }
    let f = PARETO;
    let x = Linear::new((0.0, 1.0), (f.x0(), f.x1()));
    let y = Linear::new((0.0, 1.0), (f.y1(), f.y0()));
    let curve: Vec<(f64, f64)> = p
        .curve
        .iter()
        .map(|c| (c.accounts_share, c.revenue_share))
        .collect();
    let ticks = charts::nice_ticks(0.0, 1.0, 6, 0.0);
    let grid = ticks
        .values
        .iter()
        .map(|&v| {
            let (gx, gy) = (num(x.map(v)), num(y.map(v)));
            let label = i18n::percent(lang, v);
            view! {
                <g class="grid">
                    <line x1=num(f.x0()) x2=num(f.x1()) y1=gy.clone() y2=gy.clone() />
                </g>
                <g class="axis">
                    <text x=num(f.x0() - 6.0) y=num(y.map(v) + 4.0) text-anchor="end">{label.clone()}</text>
                    <text x=gx y=num(f.y1() + 18.0) text-anchor="middle">{label}</text>
                </g>
            }
        })
        .collect_view();
    let top = 0.2;
    let (mx, my) = (num(x.map(top)), num(y.map(p.top_share)));
    let callout = words::pareto_callout(lang, p.top_accounts, p.top_share);
    let rows = p
        .curve
        .iter()
        .step_by(10)
        .map(|c| {
            vec![
                i18n::percent(lang, c.accounts_share),
                i18n::percent(lang, c.revenue_share),
            ]
        })
        .collect();
    let body = view! {
        <p class="callout" data-testid="pareto-callout">{callout.clone()}</p>
        <figure class="chart dash-chart">
            <svg viewBox=f.view_box() role="img" aria-labelledby="dash-pareto-title" focusable="false">
                <title id="dash-pareto-title">{title.clone()}": "{callout}</title>
                {grid}
                <g class="axis">
                    <text x=num(f.x0()) y="14" text-anchor="start">{words::t(lang, Text::RevenueShare)}</text>
                    <text x=num((f.x0() + f.x1()) / 2.0) y=num(f.height - 4.0) text-anchor="middle">{words::t(lang, Text::AccountsShare)}</text>
                    <line class="reference" x1=num(x.map(0.0)) y1=num(y.map(0.0)) x2=num(x.map(1.0)) y2=num(y.map(1.0)) />
                </g>
                <g class="series-2">
                    <path class="area" d=charts::area(&curve, &x, &y, f.y1()) />
                    <polyline class="line" points=charts::points(&curve, &x, &y) />
                </g>
                <g class="series-3">
                    <line class="marker" x1=mx.clone() x2=mx.clone() y1=num(f.y1()) y2=my.clone() />
                    <line class="marker" x1=num(f.x0()) x2=mx.clone() y1=my.clone() y2=my.clone() />
                    <circle class="dot" cx=mx cy=my r="5" />
                </g>
            </svg>
        </figure>
        {data_table(title.clone(), vec![words::t(lang, Text::AccountsShare), words::t(lang, Text::RevenueShare)], rows)}
    };
    card("chart-pareto", title, body.into_any())
}

fn pipeline_chart(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::Pipeline).to_owned();
    let fc = &d.pipeline;
    let target = deals_by_due();
    let href = target.href();
    let shown = &fc.months[..fc.months.len().min(PIPELINE_MONTHS)];
    let later = &fc.months[shown.len()..];
    let chart = (!shown.is_empty()).then(|| {
        let values: Vec<i64> = shown.iter().map(|m| m.bucket.weighted).collect();
        // Months without deals are skipped, so every label names its month.
        let labels = shown
            .iter()
            .map(|m| {
                if m.month == 1 || shown.len() <= 6 {
                    words::month_year(lang, m.year, m.month)
                } else {
                    words::month_short(lang, m.month).to_owned()
                }
            })
            .collect();
        let rows = shown
            .iter()
            .map(|m| {
                vec![
                    words::month_year(lang, m.year, m.month),
                    i18n::number(lang, m.bucket.deals as f64, 0),
                    i18n::money(lang, m.bucket.value),
                    i18n::money(lang, m.bucket.weighted),
                ]
            })
            .collect();
        view! {
            {column_chart(lang, "dash-pipeline", title.clone(), &values, labels, 2, "pipeline-bar")}
            {data_table(
                title.clone(),
                vec![words::t(lang, Text::Month), words::t(lang, Text::Deals), words::t(lang, Text::Value), words::t(lang, Text::Weighted)],
                rows,
            )}
        }
    });
    let later_line = (!later.is_empty()).then(|| {
        let deals: u32 = later.iter().map(|m| m.bucket.deals).sum();
        let weighted: i64 = later.iter().fold(0i64, |s, m| s.saturating_add(m.bucket.weighted));
        let first = &later[0];
        view! {
            <p class="small muted">
                {words::month_year(lang, first.year, first.month)}" → "{words::deals(lang, deals)}", "{i18n::money(lang, weighted)}
            </p>
        }
    });
    let extra = [(true, fc.overdue), (false, fc.undated)]
        .into_iter()
        .filter(|(_, b)| b.deals > 0)
        .map(|(overdue, b)| view! { <p class="small">{words::pipeline_bucket(lang, overdue, b.deals, b.weighted)}</p> })
        .collect_view();
    let empty = (fc.total.deals == 0)
        .then(|| view! { <p class="muted">{words::t(lang, Text::NoOpenDeals)}</p> });
    let body = view! {
        {empty}
        {chart}
        {later_line}
        {extra}
        <a class="button secondary" data-testid="pipeline-deals" href=href on:click=move |ev| {
            ev.prevent_default();
            target.follow(ui);
        }>{words::t(lang, Text::OpenDeals)}</a>
    };
    card("chart-pipeline", title, body)
}

fn top_accounts(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::TopAccounts).to_owned();
    let total = d.revenue.total.current;
    let rows: Vec<BarRow> = d
        .revenue
        .by_account
        .iter()
        .filter(|a| a.revenue.current > 0)
        .take(TOP)
        .map(|a| {
            let share = charts::share(a.revenue.current as f64, total as f64);
            BarRow {
                label: title_of(ui, &a.account).unwrap_or_else(|| a.account.to_string()),
                figure: i18n::money(lang, a.revenue.current),
                detail: Some(format!(
                    "{} · {}",
                    i18n::percent(lang, share),
                    words::trend(lang, a.revenue)
                )),
                value: a.revenue.current as f64,
                series: 1,
                target: Target::Record(Kind::Account, a.account),
                key: a.account.to_string(),
            }
        })
        .collect();
    ranking(
        ui,
        lang,
        "top-accounts",
        "top-account-row",
        title,
        rows,
        Text::NoRevenueInPeriod,
    )
}

/// A ranking card: bars, or a sentence when there is nothing to rank.
fn ranking(
    ui: AppState,
    lang: Lang,
    testid: &'static str,
    row_testid: &'static str,
    title: String,
    rows: Vec<BarRow>,
    empty: Text,
) -> impl IntoView + use<> {
    let body = if rows.is_empty() {
        view! { <p class="muted">{words::t(lang, empty)}</p> }.into_any()
    } else {
        view! {
            <figure class="chart dash-bars" aria-label=title.clone()>
                {bar_list(ui, "bars", row_testid, rows)}
            </figure>
        }
        .into_any()
    };
    card(testid, title, body)
}

fn top_products(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::TopProducts).to_owned();
    let rows: Vec<BarRow> = d
        .revenue
        .by_product
        .iter()
        .filter(|p| p.revenue.current != 0)
        .take(TOP)
        .map(|p| {
            let name = title_of(ui, &p.product);
            BarRow {
                target: if name.is_some() {
                    Target::Record(Kind::Product, p.product)
                } else {
                    Target::Nowhere
                },
                label: name.unwrap_or_else(|| words::t(lang, Text::UnknownProduct).to_owned()),
                figure: i18n::money(lang, p.revenue.current),
                detail: Some(words::trend(lang, p.revenue)),
                value: p.revenue.current as f64,
                series: 2,
                key: p.product.to_string(),
            }
        })
        .collect();
    ranking(
        ui,
        lang,
        "top-products",
        "top-product-row",
        title,
        rows,
        Text::NoRevenueInPeriod,
    )
}

fn top_categories(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::TopCategories).to_owned();
    let rows: Vec<BarRow> = d
        .revenue
        .by_category
        .iter()
        .filter(|c| c.revenue.current != 0)
        .take(TOP)
        .map(|c| BarRow {
            label: words::category_name(lang, &c.category),
            figure: i18n::money(lang, c.revenue.current),
            detail: Some(words::trend(lang, c.revenue)),
            value: c.revenue.current as f64,
            series: 4,
            // A product's category is what its list filters on as "status".
            target: Target::List(
                Kind::Product,
                Query {
                    kind: Some(Kind::Product),
                    status: Some(c.category.clone()),
                    ..Query::default()
                },
            ),
            key: c.category.clone(),
        })
        .collect();
    ranking(
        ui,
        lang,
        "top-categories",
        "top-category-row",
        title,
        rows,
        Text::NoRevenueInPeriod,
    )
}

fn revenue_per_rep(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::RevenueByRep).to_owned();
    let rows: Vec<BarRow> = d
        .revenue
        .by_rep
        .iter()
        .filter(|r| r.revenue.current != 0)
        .map(|r| BarRow {
            label: words::rep_name(lang, &r.rep),
            figure: i18n::money(lang, r.revenue.current),
            detail: Some(words::trend(lang, r.revenue)),
            value: r.revenue.current as f64,
            series: 3,
            // Orders are credited to a rep; the list behind is the rep's accounts.
            target: if r.rep.trim().is_empty() {
                Target::Nowhere
            } else {
                Target::List(
                    Kind::Account,
                    Query {
                        kind: Some(Kind::Account),
                        owner: Some(r.rep.clone()),
                        ..Query::default()
                    },
                )
            },
            key: r.rep.clone(),
        })
        .collect();
    ranking(
        ui,
        lang,
        "revenue-reps",
        "rep-row",
        title,
        rows,
        Text::NoRevenueInPeriod,
    )
}

fn health_drops(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::HealthDrops).to_owned();
    let rows: Vec<BarRow> = d
        .health
        .dropped
        .iter()
        .take(TOP)
        .map(|h| BarRow {
            label: title_of(ui, &h.account).unwrap_or_else(|| h.account.to_string()),
            figure: format!("-{}", h.fall()),
            detail: Some(words::health_change(lang, h.then, h.now)),
            value: h.fall() as f64,
            series: 5,
            target: Target::Record(Kind::Account, h.account),
            key: h.account.to_string(),
        })
        .collect();
    ranking(
        ui,
        lang,
        "health-drops",
        "health-drop-row",
        title,
        rows,
        Text::NoDrops,
    )
}

fn top_referrers(ui: AppState, lang: Lang, d: &Dashboard) -> impl IntoView + use<> {
    let title = words::t(lang, Text::TopReferrers).to_owned();
    let rows: Vec<BarRow> = d
        .referrals
        .referrers
        .iter()
        .take(TOP)
        .map(|r| BarRow {
            label: title_of(ui, &r.account).unwrap_or_else(|| r.account.to_string()),
            figure: i18n::money(lang, r.subtree_revenue),
            detail: Some(words::referred(lang, r.direct, r.all)),
            value: r.subtree_revenue as f64,
            series: 6,
            target: Target::Record(Kind::Account, r.account),
            key: r.account.to_string(),
        })
        .collect();
    ranking(
        ui,
        lang,
        "top-referrers",
        "referrer-row",
        title,
        rows,
        Text::NoReferrers,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_links_filter_the_accounts_list() {
        let Target::List(kind, q) = segment_target(Segment::AtRisk) else {
            panic!("a segment leads to a list");
        };
        assert_eq!(kind, Kind::Account);
        assert_eq!(q.kind, Some(Kind::Account));
        assert_eq!(q.segment.as_deref(), Some("at_risk"));
        assert_eq!(q.text, "");
        assert_eq!(
            segment_target(Segment::Lost).href().as_deref(),
            Some("#/accounts")
        );
    }

    #[test]
    fn pipeline_leads_to_deals_by_due() {
        let Target::List(kind, q) = deals_by_due() else {
            panic!("the pipeline leads to a list");
        };
        assert_eq!((kind, q.sort), (Kind::Deal, Sort::Due));
        assert_eq!(Target::Nowhere.href(), None);
    }

    #[test]
    fn every_segment_has_a_chart_colour() {
        for s in Segment::ALL {
            assert!((1..=6).contains(&segment_series(*s)));
        }
    }
}
