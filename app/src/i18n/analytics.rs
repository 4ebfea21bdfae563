//! The words of the analytics screens (the dashboard and an account's insights
//! card) in Italian and English, and the sentences built around their figures.

use super::Lang;
use super::format::{day, money, number, percent};
use campo_core::analytics::Period;
use campo_core::analytics::revenue::Trend;
use campo_core::day::Day;
use campo_core::vocab::Channel;

/// A fixed text of the analytics screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Title,
    Revenue,
    RevenuePrevious,
    WeightedPipeline,
    ReordersDue,
    RevenueByMonth,
    Segments,
    SegmentsHint,
    Pareto,
    Pipeline,
    OpenDeals,
    TopAccounts,
    TopProducts,
    TopCategories,
    RevenueByRep,
    HealthDrops,
    TopReferrers,
    NoOrdersYet,
    NoRevenueInPeriod,
    NoOpenDeals,
    NoDrops,
    NoReferrers,
    Month,
    Orders,
    AccountsShare,
    RevenueShare,
    Deals,
    Value,
    Weighted,
    Health,
    Uncategorised,
    UnknownProduct,
    NoRep,
    Insights,
    RfmSegment,
    Contribution,
    Reorder,
    Channels,
    CrossSell,
    NoSuggestions,
    NoPurchases,
    NoInteractions,
    TooFewOrders,
    HealthContact,
    HealthTrend,
    HealthIssues,
    HealthOutcomes,
}

pub fn t(lang: Lang, text: Text) -> &'static str {
    use Text::*;
    let (it, en) = match text {
        Title => ("Analisi", "Dashboard"),
        Revenue => ("Fatturato", "Revenue"),
        RevenuePrevious => ("Periodo precedente", "Previous period"),
        WeightedPipeline => ("Trattative ponderate", "Weighted pipeline"),
        ReordersDue => ("Riordini in ritardo", "Reorders overdue"),
        RevenueByMonth => ("Fatturato per mese", "Revenue by month"),
        Segments => ("Segmenti RFM", "RFM segments"),
        SegmentsHint => (
            "Tocca un segmento per vederne i clienti.",
            "Tap a segment to see its accounts.",
        ),
        Pareto => ("Concentrazione del fatturato", "Revenue concentration"),
        Pipeline => ("Previsione delle trattative", "Pipeline forecast"),
        OpenDeals => ("Trattative per scadenza", "Deals by due date"),
        TopAccounts => ("Clienti principali", "Top accounts"),
        TopProducts => ("Prodotti principali", "Top products"),
        TopCategories => ("Categorie principali", "Top categories"),
        RevenueByRep => ("Fatturato per venditore", "Revenue per rep"),
        HealthDrops => ("Salute in calo", "Health dropping"),
        TopReferrers => ("Chi porta clienti", "Top referrers"),
        NoOrdersYet => ("Ancora nessun ordine.", "No orders yet."),
        NoRevenueInPeriod => ("Nessun fatturato nel periodo.", "No revenue in the period."),
        NoOpenDeals => ("Nessuna trattativa aperta.", "No open deals."),
        NoDrops => ("Nessun cliente in calo.", "No account is dropping."),
        NoReferrers => (
            "Nessun cliente presentato da un altro.",
            "No account was referred by another.",
        ),
        Month => ("Mese", "Month"),
        Orders => ("Ordini", "Orders"),
        AccountsShare => ("Quota dei clienti", "Share of accounts"),
        RevenueShare => ("Quota del fatturato", "Share of revenue"),
        Deals => ("Trattative", "Deals"),
        Value => ("Valore", "Value"),
        Weighted => ("Ponderato", "Weighted"),
        Health => ("Salute", "Health"),
        Uncategorised => ("Senza categoria", "Uncategorised"),
        UnknownProduct => ("Prodotto non in catalogo", "Product not in the catalogue"),
        NoRep => ("Nessun venditore", "No rep"),
        Insights => ("Analisi del cliente", "Insights"),
        RfmSegment => ("Segmento RFM", "RFM segment"),
        Contribution => ("Contributo al fatturato", "Revenue contribution"),
        Reorder => ("Riordino", "Reorders"),
        Channels => ("Canali", "Channels"),
        CrossSell => ("Da proporre", "Cross-sell"),
        NoSuggestions => ("Nessun suggerimento per ora.", "No suggestions yet."),
        NoPurchases => ("Nessun acquisto registrato.", "No purchases on record."),
        NoInteractions => ("Nessun contatto registrato.", "No interactions on record."),
        TooFewOrders => (
            "Servono almeno due giorni di acquisto per stimare il ritmo.",
            "Two purchase days are needed to estimate the rhythm.",
        ),
        HealthContact => ("Contatti", "Contact"),
        HealthTrend => ("Andamento ordini", "Order trend"),
        HealthIssues => ("Problemi aperti", "Open issues"),
        HealthOutcomes => ("Esiti", "Outcomes"),
    };
    if lang == Lang::It { it } else { en }
}

const MONTHS_IT: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month's short name (1..=12; anything else reads as December or January).
pub fn month_short(lang: Lang, month: u32) -> &'static str {
    let i = (month.clamp(1, 12) - 1) as usize;
    if lang == Lang::It {
        MONTHS_IT[i]
    } else {
        MONTHS_EN[i]
    }
}

/// `nov 2026` / `Nov 2026`.
pub fn month_year(lang: Lang, year: i32, month: u32) -> String {
    format!("{} {year}", month_short(lang, month))
}

/// The dashboard's period: `Ultimi 90 giorni: 26/08/2026 – 23/11/2026`.
pub fn period(lang: Lang, p: Period) -> String {
    let (from, to, n) = (day(lang, p.from), day(lang, p.to), p.days());
    match lang {
        Lang::It => format!("Ultimi {n} giorni: {from} – {to}"),
        Lang::En => format!("Last {n} days: {from} – {to}"),
    }
}

/// The comparison base under the revenue tile.
pub fn versus(lang: Lang, previous: Period) -> String {
    let (from, to) = (day(lang, previous.from), day(lang, previous.to));
    match lang {
        Lang::It => format!("{from} – {to}"),
        Lang::En => format!("{from} – {to}"),
    }
}

/// A trend as a signed percentage (`+12,5%`, `-3%`), `nuovo`/`new` when growing
/// from nothing, and `–` when there is nothing either side.
pub fn trend(lang: Lang, tr: Trend) -> String {
    match tr.change_pct() {
        Some(pct) => {
            // Whole percentages from 10% up, or when the decimal would be 0.
            let decimals = if pct.abs() >= 10.0 || (pct - pct.round()).abs() < 0.05 {
                0
            } else {
                1
            };
            let text = number(lang, pct, decimals);
            let zero = !text.bytes().any(|b| b.is_ascii_digit() && b != b'0');
            let sign = if pct > 0.0 && !zero { "+" } else { "" };
            format!("{sign}{text}%")
        }
        None if tr.current != 0 => (if lang == Lang::It { "nuovo" } else { "new" }).into(),
        None => "–".into(),
    }
}

/// Whether a trend reads as up, down or flat (for its colour and arrow).
pub fn trend_direction(tr: Trend) -> &'static str {
    match tr.current.cmp(&tr.previous) {
        std::cmp::Ordering::Greater => "up",
        std::cmp::Ordering::Less => "down",
        std::cmp::Ordering::Equal => "flat",
    }
}

/// A trend with its base, for screen readers and the tile's second line.
pub fn trend_sentence(lang: Lang, tr: Trend) -> String {
    let prev = money(lang, tr.previous);
    let change = trend(lang, tr);
    match lang {
        Lang::It => format!("{change} rispetto a {prev}"),
        Lang::En => format!("{change} on {prev}"),
    }
}

/// Money on a chart axis, whole euros, thousands and millions shortened:
/// `950 €`, `12.000 €`, `120 k€`, `1,5 M€` / `€950`, `€12,000`, `€120k`, `€1.5M`.
pub fn axis_money(lang: Lang, cents: i64) -> String {
    let euros = cents as f64 / 100.0;
    let abs = euros.abs();
    let (value, unit) = if abs >= 1_000_000.0 {
        (euros / 1_000_000.0, "M")
    } else if abs >= 100_000.0 {
        (euros / 1_000.0, "k")
    } else {
        (euros, "")
    };
    let decimals = if unit == "M" && (value - value.round()).abs() >= 0.05 {
        1
    } else {
        0
    };
    let n = number(lang, value, decimals);
    match (lang, unit) {
        (Lang::It, "") => format!("{n} €"),
        (Lang::It, u) => format!("{n} {u}€"),
        (Lang::En, u) => {
            let (sign, digits) = n.strip_prefix('-').map_or(("", n.as_str()), |d| ("-", d));
            format!("{sign}€{digits}{u}")
        }
    }
}

/// `1 cliente`, `12 clienti` / `1 account`, `12 accounts`.
pub fn accounts(lang: Lang, n: u32) -> String {
    let count = number(lang, n as f64, 0);
    match (lang, n) {
        (Lang::It, 1) => "1 cliente".into(),
        (Lang::It, _) => format!("{count} clienti"),
        (Lang::En, 1) => "1 account".into(),
        (Lang::En, _) => format!("{count} accounts"),
    }
}

/// `1 trattativa`, `3 trattative` / `1 deal`, `3 deals`.
pub fn deals(lang: Lang, n: u32) -> String {
    let count = number(lang, n as f64, 0);
    match (lang, n) {
        (Lang::It, 1) => "1 trattativa".into(),
        (Lang::It, _) => format!("{count} trattative"),
        (Lang::En, 1) => "1 deal".into(),
        (Lang::En, _) => format!("{count} deals"),
    }
}

/// The Pareto call-out: how much of the revenue the top 20% of accounts bring.
pub fn pareto_callout(lang: Lang, top_accounts: u32, share: f64) -> String {
    let who = accounts(lang, top_accounts);
    let share = percent(lang, share);
    match lang {
        Lang::It => format!("Il 20% migliore dei clienti ({who}) porta il {share} del fatturato"),
        Lang::En => format!("The top 20% of accounts ({who}) bring {share} of revenue"),
    }
}

/// Open deals outside the monthly bars: overdue or undated.
pub fn pipeline_bucket(lang: Lang, overdue: bool, n: u32, weighted: i64) -> String {
    let (d, w) = (deals(lang, n), money(lang, weighted));
    match (lang, overdue) {
        (Lang::It, true) => format!("Chiusura prevista già passata: {d}, {w} ponderati"),
        (Lang::It, false) => format!("Senza data di chiusura: {d}, {w} ponderati"),
        (Lang::En, true) => format!("Expected close already past: {d}, {w} weighted"),
        (Lang::En, false) => format!("No expected close date: {d}, {w} weighted"),
    }
}

/// A health fall: `da 80 a 45` / `from 80 to 45`.
pub fn health_change(lang: Lang, then: u8, now: u8) -> String {
    match lang {
        Lang::It => format!("da {then} a {now}"),
        Lang::En => format!("from {then} to {now}"),
    }
}

/// `3 presentati, 5 in tutto` / `3 referred, 5 in all`.
pub fn referred(lang: Lang, direct: u32, all: u32) -> String {
    match (lang, direct == all) {
        (Lang::It, true) => format!("{direct} presentati"),
        (Lang::It, false) => format!("{direct} presentati, {all} in tutto"),
        (Lang::En, true) => format!("{direct} referred"),
        (Lang::En, false) => format!("{direct} referred, {all} in all"),
    }
}

/// A rep's name, or a label for orders credited to nobody.
pub fn rep_name(lang: Lang, rep: &str) -> String {
    if rep.trim().is_empty() {
        t(lang, Text::NoRep).to_owned()
    } else {
        rep.to_owned()
    }
}

/// A category's name, or the label of the uncategorised.
pub fn category_name(lang: Lang, category: &str) -> String {
    if category.trim().is_empty() {
        t(lang, Text::Uncategorised).to_owned()
    } else {
        category.to_owned()
    }
}

/// `R 5 · F 4 · M 3`, with the letters spelled out for screen readers elsewhere.
pub fn rfm_scores(r: u8, f: u8, m: u8) -> String {
    format!("R {r} · F {f} · M {m}")
}

/// What the RFM scores stand for, as the scores' accessible name.
pub fn rfm_explained(lang: Lang, r: u8, f: u8, m: u8) -> String {
    match lang {
        Lang::It => format!("Recenza {r}, frequenza {f}, valore {m} (da 1 a 5)"),
        Lang::En => format!("Recency {r}, frequency {f}, monetary {m} (1 to 5)"),
    }
}

/// The RFM figures behind the scores.
pub fn rfm_figures(lang: Lang, recency_days: u32, purchase_days: u32, monetary: i64) -> String {
    let m = money(lang, monetary);
    match lang {
        Lang::It => format!(
            "ultimo acquisto {} · {} · {m} in tutto",
            days_ago(lang, recency_days),
            purchases(lang, purchase_days)
        ),
        Lang::En => format!(
            "last purchase {} · {} · {m} in all",
            days_ago(lang, recency_days),
            purchases(lang, purchase_days)
        ),
    }
}

fn days_ago(lang: Lang, days: u32) -> String {
    match (lang, days) {
        (Lang::It, 0) => "oggi".into(),
        (Lang::It, 1) => "ieri".into(),
        (Lang::It, d) => format!("{d} giorni fa"),
        (Lang::En, 0) => "today".into(),
        (Lang::En, 1) => "yesterday".into(),
        (Lang::En, d) => format!("{d} days ago"),
    }
}

fn purchases(lang: Lang, n: u32) -> String {
    match (lang, n) {
        (Lang::It, 1) => "1 giorno di acquisto".into(),
        (Lang::It, n) => format!("{n} giorni di acquisto"),
        (Lang::En, 1) => "1 purchase day".into(),
        (Lang::En, n) => format!("{n} purchase days"),
    }
}

/// The account's share of the team's revenue in the period.
pub fn contribution(lang: Lang, share: f64, revenue: i64, total: i64) -> String {
    let (s, r, tot) = (
        percent(lang, share),
        money(lang, revenue),
        money(lang, total),
    );
    match lang {
        Lang::It => format!("{s} del fatturato del team ({r} su {tot})"),
        Lang::En => format!("{s} of the team's revenue ({r} of {tot})"),
    }
}

/// The typical interval between orders.
pub fn interval(lang: Lang, days: u32) -> String {
    match (lang, days) {
        (Lang::It, 1) => "Riordina di solito ogni giorno".into(),
        (Lang::It, d) => format!("Riordina di solito ogni {d} giorni"),
        (Lang::En, 1) => "Usually reorders every day".into(),
        (Lang::En, d) => format!("Usually reorders every {d} days"),
    }
}

/// When the next order is expected, or how late it is.
pub fn next_order(lang: Lang, expected: Day, overdue_days: u32) -> String {
    if overdue_days > 0 {
        return match (lang, overdue_days) {
            (Lang::It, 1) => "In ritardo di 1 giorno".into(),
            (Lang::It, d) => format!("In ritardo di {d} giorni"),
            (Lang::En, 1) => "Overdue by 1 day".into(),
            (Lang::En, d) => format!("Overdue by {d} days"),
        };
    }
    let d = day(lang, expected);
    match lang {
        Lang::It => format!("Prossimo ordine atteso il {d}"),
        Lang::En => format!("Next order expected on {d}"),
    }
}

/// "prefers phone" as part of a sentence.
fn prefers(lang: Lang, c: Channel) -> &'static str {
    let (it, en) = match c {
        Channel::Visit => ("preferisce le visite", "prefers visits"),
        Channel::Phone => ("preferisce il telefono", "prefers phone"),
        Channel::Email => ("preferisce l'email", "prefers email"),
        Channel::Letter => ("preferisce le lettere", "prefers letters"),
        Channel::Video => ("preferisce le videochiamate", "prefers video calls"),
        Channel::Chat => ("preferisce la chat", "prefers chat"),
        Channel::Other => ("preferisce altri canali", "prefers other channels"),
    };
    if lang == Lang::It { it } else { en }
}

/// "visits convert best" as part of a sentence.
fn converts(lang: Lang, c: Channel) -> &'static str {
    let (it, en) = match c {
        Channel::Visit => ("le visite convertono meglio", "visits convert best"),
        Channel::Phone => ("il telefono converte meglio", "phone converts best"),
        Channel::Email => ("l'email converte meglio", "email converts best"),
        Channel::Letter => ("le lettere convertono meglio", "letters convert best"),
        Channel::Video => (
            "le videochiamate convertono meglio",
            "video calls convert best",
        ),
        Channel::Chat => ("la chat converte meglio", "chat converts best"),
        Channel::Other => (
            "gli altri canali convertono meglio",
            "other channels convert best",
        ),
    };
    if lang == Lang::It { it } else { en }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "Prefers phone; visits convert best" (either half may be missing).
pub fn channels_sentence(lang: Lang, preferred: Option<Channel>, best: Option<Channel>) -> String {
    let parts: Vec<&str> = [
        preferred.map(|c| prefers(lang, c)),
        best.map(|c| converts(lang, c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    capitalised(&parts.join("; "))
}

/// One channel's use: `12 contatti, 25% convertiti` / `12 interactions, 25% converted`.
pub fn channel_use(lang: Lang, interactions: u32, rate: f64) -> String {
    let r = percent(lang, rate);
    match lang {
        Lang::It => format!("{interactions} contatti, {r} convertiti"),
        Lang::En => format!("{interactions} interactions, {r} converted"),
    }
}

/// Why a product is suggested: `comprato con Caffè, Zucchero: confidenza 45%, lift 2,3`.
pub fn suggestion_reason(lang: Lang, bought_with: &[String], confidence: f64, lift: f64) -> String {
    let with = bought_with.join(", ");
    let (c, l) = (percent(lang, confidence), number(lang, lift, 1));
    match lang {
        Lang::It => format!("comprato con {with}: confidenza {c}, lift {l}"),
        Lang::En => format!("bought with {with}: confidence {c}, lift {l}"),
    }
}

/// A score's part: `28/35`.
pub fn points(got: u8, max: u8) -> String {
    format!("{got}/{max}")
}

/// A health score with its change over the lookback.
pub fn health_now(lang: Lang, now: u8, then: u8, lookback_days: u32) -> String {
    match (lang, now.cmp(&then)) {
        (Lang::It, std::cmp::Ordering::Equal) => {
            format!("{now}/100, stabile negli ultimi {lookback_days} giorni")
        }
        (Lang::It, _) => format!("{now}/100, era {then} {lookback_days} giorni fa"),
        (Lang::En, std::cmp::Ordering::Equal) => {
            format!("{now}/100, steady over {lookback_days} days")
        }
        (Lang::En, _) => format!("{now}/100, was {then} {lookback_days} days ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(current: i64, previous: i64) -> Trend {
        Trend { current, previous }
    }

    #[test]
    fn trends_read_as_signed_percentages() {
        assert_eq!(trend(Lang::It, tr(150, 100)), "+50%");
        assert_eq!(trend(Lang::En, tr(1_055, 1_000)), "+5.5%");
        assert_eq!(trend(Lang::It, tr(1_055, 1_000)), "+5,5%");
        assert_eq!(trend(Lang::It, tr(97, 100)), "-3%");
        assert_eq!(trend(Lang::En, tr(100, 100)), "0%");
        assert_eq!(
            trend(Lang::En, tr(-100, -200)),
            "+50%",
            "refunds shrinking is growth"
        );
        assert_eq!(trend(Lang::It, tr(500, 0)), "nuovo");
        assert_eq!(trend(Lang::En, tr(0, 0)), "–");
        assert_eq!(trend_direction(tr(1, 2)), "down");
        assert_eq!(
            trend_sentence(Lang::It, tr(15_000, 10_000)),
            "+50% rispetto a 100,00 €"
        );
    }

    #[test]
    fn axis_money_is_short() {
        assert_eq!(axis_money(Lang::It, 95_000), "950 €");
        assert_eq!(axis_money(Lang::It, 1_200_000), "12.000 €");
        assert_eq!(axis_money(Lang::En, 1_200_000), "€12,000");
        assert_eq!(axis_money(Lang::It, 12_000_000), "120 k€");
        assert_eq!(axis_money(Lang::En, 12_000_000), "€120k");
        assert_eq!(axis_money(Lang::It, 150_000_000), "1,5 M€");
        assert_eq!(axis_money(Lang::En, 200_000_000), "€2M");
        assert_eq!(axis_money(Lang::En, -50_000), "-€500");
        assert_eq!(axis_money(Lang::It, 0), "0 €");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(accounts(Lang::It, 1), "1 cliente");
        assert_eq!(accounts(Lang::It, 1200), "1.200 clienti");
        assert_eq!(deals(Lang::En, 2), "2 deals");
        assert_eq!(referred(Lang::En, 3, 3), "3 referred");
        assert_eq!(referred(Lang::It, 2, 5), "2 presentati, 5 in tutto");
    }

    #[test]
    fn pareto_and_periods() {
        assert_eq!(
            pareto_callout(Lang::It, 2, 0.7),
            "Il 20% migliore dei clienti (2 clienti) porta il 70% del fatturato"
        );
        assert_eq!(
            pareto_callout(Lang::En, 1, 0.655),
            "The top 20% of accounts (1 account) bring 65.5% of revenue"
        );
        let p = Period::ending(Day::parse("2026-11-23").unwrap(), 90);
        assert_eq!(
            period(Lang::It, p),
            "Ultimi 90 giorni: 26/08/2026 – 23/11/2026"
        );
        assert_eq!(month_year(Lang::It, 2026, 11), "nov 2026");
        assert_eq!(month_short(Lang::En, 0), "Jan");
    }

    #[test]
    fn channels_make_a_sentence() {
        assert_eq!(
            channels_sentence(Lang::En, Some(Channel::Phone), Some(Channel::Visit)),
            "Prefers phone; visits convert best"
        );
        assert_eq!(
            channels_sentence(Lang::It, Some(Channel::Phone), Some(Channel::Visit)),
            "Preferisce il telefono; le visite convertono meglio"
        );
        assert_eq!(
            channels_sentence(Lang::It, None, Some(Channel::Email)),
            "L'email converte meglio"
        );
        assert_eq!(channels_sentence(Lang::En, None, None), "");
    }

    #[test]
    fn reorder_sentences() {
        let d = Day::parse("2026-12-05").unwrap();
        assert_eq!(
            next_order(Lang::It, d, 0),
            "Prossimo ordine atteso il 05/12/2026"
        );
        assert_eq!(next_order(Lang::En, d, 4), "Overdue by 4 days");
        assert_eq!(next_order(Lang::It, d, 1), "In ritardo di 1 giorno");
        assert_eq!(interval(Lang::En, 30), "Usually reorders every 30 days");
    }

    #[test]
    fn reasons_and_contribution() {
        let with = vec!["Caffè".to_owned(), "Zucchero".to_owned()];
        assert_eq!(
            suggestion_reason(Lang::It, &with, 0.45, 2.31),
            "comprato con Caffè, Zucchero: confidenza 45%, lift 2,3"
        );
        assert_eq!(
            contribution(Lang::En, 0.125, 12_500, 100_000),
            "12.5% of the team's revenue (€125.00 of €1,000.00)"
        );
        assert_eq!(rep_name(Lang::En, " "), "No rep");
        assert_eq!(category_name(Lang::It, ""), "Senza categoria");
    }
}
