//! The deal board as plain data: deals grouped by stage into columns (lead to
//! won and lost), each column's count, total and weighted value, the board's
//! filters, and the edits that move a deal to another stage. Pure, so it is
//! tested natively.

use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::index::fold;
use campo_core::record::Edit;
use campo_core::sorting;
use campo_core::summary::{Facts, Summary};
use campo_core::vocab::Stage;

/// One deal on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: DocId,
    pub title: String,
    pub account: Option<DocId>,
    /// The account's name; empty without one (or when it is not on this device).
    pub account_name: String,
    pub owner: String,
    pub stage: Stage,
    /// Cents.
    pub value: i64,
    /// Win probability, percent.
    pub probability: u8,
    pub expected_close: Option<Day>,
}

/// One stage's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub stage: Stage,
    /// Soonest expected close first (undated last), then by title.
    pub cards: Vec<Card>,
    /// Sum of the cards' values, cents.
    pub total: i64,
    /// Sum of value × probability, cents.
    pub weighted: i64,
}

/// What the board shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Only this rep's deals; `None` for everyone's.
    pub owner: Option<&'a str>,
    /// Every word must appear in the title, the account's name or the owner
    /// (case- and accent-insensitive).
    pub text: &'a str,
}

/// A deal's win probability as the summary knows it: the stored one, or its
/// stage's default when none is stored (and for deals with no account, whose
/// summaries carry no deal facts).
pub fn probability_of(s: &Summary, stage: Stage) -> u8 {
    match s.facts.get() {
        Facts::Deal(d) => d.probability,
        _ => stage.default_probability(),
    }
}

/// `value` weighted by `probability` percent, rounded half away from zero.
pub fn weighted(value: i64, probability: u8) -> i64 {
    let x = i128::from(value) * i128::from(probability.min(100));
    let rounded = if x >= 0 {
        (x + 50) / 100
    } else {
        (x - 50) / 100
    };
    // |value| × 100 / 100 fits back in an i64.
    rounded as i64
}

/// Groups live deals into one column per stage, in pipeline order.
/// `account_name` finds an account's name by id.
pub fn board<'a, 'n>(
    deals: impl IntoIterator<Item = &'a Summary>,
    account_name: impl Fn(&DocId) -> Option<&'n str>,
    filter: &Filter<'_>,
) -> Vec<Column> {
    let folded = fold(filter.text);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut columns: Vec<Column> = Stage::ALL
        .iter()
        .map(|&stage| Column {
            stage,
            cards: Vec::new(),
            total: 0,
            weighted: 0,
        })
        .collect();
    for s in deals.into_iter().filter(|s| !s.deleted) {
        if filter.owner.is_some_and(|o| s.owner != o) {
            continue;
        }
        let account_name = s
            .account
            .and_then(|a| account_name(&a))
            .unwrap_or_default()
            .to_owned();
        if !words.is_empty() {
            let haystack = fold(&format!("{} {} {}", s.title, account_name, s.owner));
            if !words.iter().all(|w| haystack.contains(w)) {
                continue;
            }
        }
        let stage = Stage::from_key(&s.status).unwrap_or(Stage::Lead);
        let card = Card {
            id: s.id,
            title: s.title.clone(),
            account: s.account,
            account_name,
            owner: s.owner.clone(),
            stage,
            value: s.amount,
            probability: probability_of(s, stage),
            expected_close: s.due,
        };
        // `Stage::ALL` lists every stage, so the column exists.
        if let Some(col) = columns.iter_mut().find(|c| c.stage == stage) {
            col.total = col.total.saturating_add(card.value);
            col.weighted = col
                .weighted
                .saturating_add(weighted(card.value, card.probability));
            col.cards.push(card);
        }
    }
    for col in &mut columns {
        sorting::sort_by_cached_key(&mut col.cards, |c| {
            (
                c.expected_close.is_none(),
                c.expected_close,
                fold(&c.title),
                c.id,
            )
        });
    }
    columns
}

/// Why a deal was not moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a deal moved to lost needs the reason it was lost: type it and try again")]
    LostReasonRequired,
}

/// Whether the rep set a deal's probability by hand: a stored value other than
/// its current stage's default. (A deal's probability is written with the
/// stage's default when it is created or moved, so a different value was typed.)
pub fn typed_probability(stage: Stage, probability: Option<i64>) -> bool {
    probability.is_some_and(|p| p != i64::from(stage.default_probability()))
}

/// The edits that move a deal from `from` to `to`, as one save: the stage, the
/// new stage's default probability unless the rep had typed one, and for `lost`
/// the (required) reason. Nothing to do when the stage does not change.
pub fn move_edits(
    from: Stage,
    probability: Option<i64>,
    to: Stage,
    lost_reason: &str,
) -> Result<Vec<Edit>, MoveError> {
    if from == to {
        return Ok(Vec::new());
    }
    let reason = lost_reason.trim();
    if to == Stage::Lost && reason.is_empty() {
        return Err(MoveError::LostReasonRequired);
    }
    let mut edits = vec![Edit::Set("stage".into(), to.key().into())];
    if !typed_probability(from, probability) {
        edits.push(Edit::Set(
            "probability".into(),
            to.default_probability().to_string(),
        ));
    }
    if to == Stage::Lost {
        edits.push(Edit::Set("lost_reason".into(), reason.into()));
    }
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::analytics::facts::DealFacts;
    use campo_core::record::Kind;

    fn id(n: u8) -> DocId {
        DocId([n; 16])
    }

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn summary(n: u8, kind: Kind, title: &str) -> Summary {
        Summary {
            id: id(n),
            kind,
            title: title.into(),
            subtitle: String::new(),
            account: None,
            owner: String::new(),
            status: String::new(),
            city: String::new(),
            phone: String::new(),
            email: String::new(),
            tags: Vec::new(),
            notes: String::new(),
            last_contact: None,
            due: None,
            done: false,
            amount: 0,
            interactions: 0,
            conflicts: 0,
            deleted: false,
            updated_by: String::new(),
            updated_at: 0,
            custom: Vec::new(),
            facts: Facts::None.into(),
        }
    }

    /// A deal on account 100 unless `account` is `None`; `probability` is the
    /// stored one (`None`: not stored).
    fn deal(
        n: u8,
        title: &str,
        owner: &str,
        stage: Stage,
        value: i64,
        probability: Option<u8>,
        close: Option<&str>,
    ) -> Summary {
        let mut s = summary(n, Kind::Deal, title);
        s.owner = owner.into();
        s.status = stage.key().into();
        s.amount = value;
        s.due = close.map(day);
        s.account = Some(id(100));
        s.facts = Facts::Deal(DealFacts {
            id: s.id,
            account: id(100),
            owner: owner.into(),
            stage,
            value,
            probability: probability.unwrap_or(stage.default_probability()),
            expected_close: s.due,
        })
        .into();
        s
    }

    fn names(_: &DocId) -> Option<&'static str> {
        Some("Bar Sport")
    }

    fn column(cols: &[Column], stage: Stage) -> &Column {
        cols.iter().find(|c| c.stage == stage).unwrap()
    }

    #[test]
    fn deals_group_by_stage_with_totals() {
        let mut no_account = deal(4, "No account", "Anna", Stage::Proposal, 10_000, None, None);
        no_account.account = None;
        no_account.facts = Facts::None.into();
        let mut deleted = deal(5, "Binned", "Anna", Stage::Proposal, 99_999, None, None);
        deleted.deleted = true;
        let deals = vec![
            deal(
                1,
                "Late close",
                "Anna",
                Stage::Proposal,
                100_000,
                Some(30),
                Some("2026-12-20"),
            ),
            deal(
                2,
                "Early close",
                "Anna",
                Stage::Proposal,
                50_001,
                None,
                Some("2026-12-01"),
            ),
            deal(3, "Lead", "Bruno", Stage::Lead, 7_000, None, None),
            no_account,
            deleted,
        ];
        let cols = board(&deals, names, &Filter::default());
        let stages: Vec<Stage> = cols.iter().map(|c| c.stage).collect();
        assert_eq!(stages, Stage::ALL);

        let proposal = column(&cols, Stage::Proposal);
        let titles: Vec<&str> = proposal.cards.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Early close", "Late close", "No account"]);
        assert_eq!(proposal.total, 160_001);
        // 100,000 × 30% + 50,001 × 50% (25,000.5 → 25,001) + 10,000 × 50% (the
        // stage default for a deal whose summary has no facts).
        assert_eq!(proposal.weighted, 30_000 + 25_001 + 5_000);
        assert_eq!(proposal.cards[0].account_name, "Bar Sport");
        assert_eq!(proposal.cards[2].account_name, "");

        let lead = column(&cols, Stage::Lead);
        assert_eq!(
            (lead.cards.len(), lead.total, lead.weighted),
            (1, 7_000, 700)
        );
        assert!(column(&cols, Stage::Won).cards.is_empty());
    }

    #[test]
    fn filters_by_owner_and_text() {
        let deals = vec![
            deal(1, "Macchina caffè", "Anna", Stage::Lead, 0, None, None),
            deal(2, "Forniture", "Anna", Stage::Won, 0, None, None),
            deal(3, "Caffè grani", "Bruno", Stage::Lead, 0, None, None),
        ];
        let count = |f: Filter<'_>| -> usize {
            board(&deals, names, &f).iter().map(|c| c.cards.len()).sum()
        };
        assert_eq!(
            count(Filter {
                owner: Some("Anna"),
                text: ""
            }),
            2
        );
        assert_eq!(
            count(Filter {
                owner: None,
                text: "CAFFE"
            }),
            2
        );
        assert_eq!(
            count(Filter {
                owner: Some("Anna"),
                text: "caffe"
            }),
            1
        );
        // The account's name and the owner are searched too.
        assert_eq!(
            count(Filter {
                owner: None,
                text: "bar sport"
            }),
            3
        );
        assert_eq!(
            count(Filter {
                owner: None,
                text: "bruno grani"
            }),
            1
        );
        assert_eq!(
            count(Filter {
                owner: None,
                text: "nothing"
            }),
            0
        );
    }

    #[test]
    fn weighting_rounds_and_never_overflows() {
        assert_eq!(weighted(1_000, 25), 250);
        assert_eq!(weighted(1, 50), 1);
        assert_eq!(weighted(-1, 50), -1);
        assert_eq!(weighted(i64::MAX, 100), i64::MAX);
        assert_eq!(
            weighted(500, 200),
            500,
            "probabilities above 100 count as 100"
        );
    }

    #[test]
    fn moving_sets_the_stage_and_its_default_probability() {
        let edits = move_edits(Stage::Lead, Some(10), Stage::Proposal, "").unwrap();
        assert_eq!(
            edits,
            [
                Edit::Set("stage".into(), "proposal".into()),
                Edit::Set("probability".into(), "50".into()),
            ]
        );
        // No stored probability counts as the default.
        let edits = move_edits(Stage::Qualified, None, Stage::Won, "").unwrap();
        assert_eq!(edits[1], Edit::Set("probability".into(), "100".into()));
    }

    #[test]
    fn a_typed_probability_is_kept() {
        assert!(typed_probability(Stage::Lead, Some(35)));
        assert!(!typed_probability(Stage::Lead, Some(10)));
        assert!(!typed_probability(Stage::Lead, None));
        let edits = move_edits(Stage::Lead, Some(35), Stage::Negotiation, "").unwrap();
        assert_eq!(edits, [Edit::Set("stage".into(), "negotiation".into())]);
    }

    #[test]
    fn lost_needs_a_reason() {
        assert_eq!(
            move_edits(Stage::Proposal, Some(50), Stage::Lost, "  "),
            Err(MoveError::LostReasonRequired)
        );
        let edits = move_edits(Stage::Proposal, Some(50), Stage::Lost, " Price too high ").unwrap();
        assert_eq!(
            edits,
            [
                Edit::Set("stage".into(), "lost".into()),
                Edit::Set("probability".into(), "0".into()),
                Edit::Set("lost_reason".into(), "Price too high".into()),
            ]
        );
        assert_eq!(
            move_edits(Stage::Lost, Some(0), Stage::Lost, ""),
            Ok(Vec::new())
        );
    }
}
