//! Analytics over a team's book: revenue and its trend, concentration (Pareto),
//! RFM segments, reorder rhythm, channels, cross-selling, relationship health,
//! referrals and the pipeline forecast.
//!
//! Everything is a pure function of plain input structs, the [`facts`], which the
//! record model fills from documents. The rules every metric shares (which orders
//! count, refunds, merged and deleted accounts, "today") are stated once in
//! [`facts`]. Money is `i64` cents; no figure is ever NaN or infinite, and no input
//! makes a metric panic: empty books, accounts with no or one order, same-day
//! orders, refunds and loops in merges or referrals all have defined results.
//!
//! # Layout
//! - [`facts`]: the input structs.
//! - [`Prepared`]: the book indexed once (accounts resolved through merges, orders
//!   and interactions grouped by account and sorted by date); every metric reads it.
//! - One metric per module: [`revenue`] (with the monthly series and Pareto),
//!   [`rfm`], [`reorder`], [`channels`], [`cross_sell`], [`health`], [`referrals`],
//!   [`pipeline`].
//! - [`Dashboard`]: everything at once, the way the app shows it.
//! - [`sample`]: a seeded generator of realistic books (benchmarks, demos, tests).

pub mod channels;
pub mod cross_sell;
pub mod facts;
mod groups;
pub mod health;
mod id_index;
mod id_map;
pub mod period;
pub mod pipeline;
mod prepare;
pub mod referrals;
pub mod reorder;
pub mod revenue;
pub mod rfm;
pub mod sample;

pub use facts::{
    AccountFacts, Book, DealFacts, InteractionFacts, LineFacts, OrderFacts, ProductFacts, TaskFacts,
};
pub use period::Period;
pub use prepare::Prepared;

use crate::day::Day;
use serde::{Deserialize, Serialize};

/// What the dashboard is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DashboardParams {
    /// The revenue period; trends compare it with the period before it.
    pub period: Period,
    /// Length of the monthly revenue series, ending with the period's last month.
    pub trend_months: u32,
    /// Days after an interaction within which a purchase makes it convert.
    pub conversion_window_days: u32,
    pub cross_sell: cross_sell::CrossSellParams,
    pub health: health::HealthParams,
}

impl DashboardParams {
    /// The 90 days ending `today`, a year of monthly revenue, and the default
    /// thresholds.
    pub fn for_today(today: Day) -> DashboardParams {
        DashboardParams {
            period: Period::ending(today, 90),
            trend_months: 12,
            conversion_window_days: channels::CONVERSION_WINDOW_DAYS,
            cross_sell: cross_sell::CrossSellParams::default(),
            health: health::HealthParams::default(),
        }
    }
}

/// Every figure the analytics page shows, computed in one go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: Day,
    pub revenue: revenue::RevenueReport,
    /// The revenue chart: `trend_months` months ending with the period's month.
    pub monthly: Vec<revenue::MonthRevenue>,
    pub pareto: revenue::Pareto,
    pub rfm: rfm::Rfm,
    pub reorder: reorder::Reorder,
    pub channels: channels::ChannelReport,
    pub cross_sell: cross_sell::CrossSell,
    pub health: health::HealthReport,
    pub referrals: referrals::Referrals,
    pub pipeline: pipeline::Forecast,
}

impl Dashboard {
    /// Indexes `book` once and computes every metric from that index.
    pub fn compute(book: &Book, params: &DashboardParams) -> Dashboard {
        Dashboard::from_prepared(&Prepared::new(book), params)
    }

    /// Every metric from an already indexed book.
    pub fn from_prepared(p: &Prepared, params: &DashboardParams) -> Dashboard {
        let revenue = revenue::report(p, params.period);
        // The Pareto view reuses the per-account figures of the report.
        let pareto = revenue::pareto_of(&revenue.by_account);
        Dashboard {
            today: p.today,
            monthly: revenue::monthly(p, params.period.to, params.trend_months),
            revenue,
            pareto,
            rfm: rfm::score(p),
            reorder: reorder::rhythms(p),
            channels: channels::analyse(p, params.conversion_window_days),
            cross_sell: cross_sell::analyse(p, &params.cross_sell),
            health: health::assess(p, &params.health),
            referrals: referrals::forest(p),
            pipeline: pipeline::forecast(p),
        }
    }
}
