//! What the Today page shows, chosen from the index's summaries: tasks overdue and
//! due today, visits planned for the coming week, customers due for contact, and
//! deals expected to close this week. Pure, so it is tested natively.
//!
//! "Today" is the device's calendar day; the page passes it in. Deleted records
//! never show, and accounts folded into another one (merged) are not customers
//! to contact: their successor is.

use campo_core::analytics::reorder::Rhythm;
use campo_core::day::Day;
use campo_core::ids::DocId;
use campo_core::index::fold;
use campo_core::record::Kind;
use campo_core::sorting;
use campo_core::summary::{Facts, Summary};
use campo_core::vocab::{AccountStatus, Stage};
use std::collections::{HashMap, HashSet};

/// Visits are planned this many days ahead (today included, plus seven).
pub const VISIT_DAYS: i32 = 7;

/// An active account with no contact for this many days is due a call.
pub const IDLE_DAYS: i32 = 30;

/// The task type of a planned visit.
pub const VISIT: &str = "visit";

/// A task with what its row shows of its account.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub task: Summary,
    /// The linked account's name; empty without one.
    pub account_name: String,
    /// The linked account's city; empty without one.
    pub city: String,
}

/// Why a customer is due for contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Past the day its purchase rhythm says it should have reordered.
    Reorder { overdue_days: u32 },
    /// An active account nobody has been in touch with for [`IDLE_DAYS`] or more;
    /// `last` is `None` when it was never contacted.
    NoContact { last: Option<Day> },
}

/// A customer due for contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub account: Summary,
    pub reason: Reason,
}

/// Everything the Today page lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Open tasks due before today, longest overdue first.
    pub overdue: Vec<TaskRow>,
    /// Open tasks due today, by time (untimed last).
    pub today: Vec<TaskRow>,
    /// Open visits due today or in the next [`VISIT_DAYS`] days, soonest first.
    pub visits: Vec<TaskRow>,
    /// Reorders overdue (most overdue first), then active accounts without
    /// recent contact (longest silence first, never contacted first of all).
    pub contacts: Vec<Contact>,
    /// Open deals expected to close in today's week (Monday to Sunday), soonest first.
    pub closing: Vec<Summary>,
}

/// The Monday and the Sunday of `day`'s week.
pub fn week_of(day: Day) -> (Day, Day) {
    let monday = day.plus(-(day.weekday() as i32));
    (monday, monday.plus(6))
}

/// Whether a record belongs to `owner`; `None` means everyone's.
fn owned_by(s: &Summary, owner: Option<&str>) -> bool {
    owner.is_none_or(|o| s.owner == o)
}

fn merged(s: &Summary) -> bool {
    matches!(s.facts.get(), Facts::Account { account, .. } if account.merged_into.is_some())
}

/// Tasks within one day: timed ones by time, then untimed; then by title.
fn task_key(s: &Summary) -> (Option<Day>, bool, String, String) {
    (
        s.due,
        s.subtitle.is_empty(),
        s.subtitle.clone(),
        fold(&s.title),
    )
}

/// Chooses what the Today page shows for `owner` (`None`: the whole team).
///
/// `records` is every summary of the book; `reorder_overdue` is the analytics'
/// list of accounts past their reorder day ([`campo_core::analytics::reorder::Reorder::overdue`]).
pub fn plan<'a>(
    records: impl IntoIterator<Item = &'a Summary>,
    reorder_overdue: &[Rhythm],
    today: Day,
    owner: Option<&str>,
) -> Plan {
    let mut accounts: HashMap<DocId, &Summary> = HashMap::new();
    let mut tasks: Vec<&Summary> = Vec::new();
    let mut deals: Vec<&Summary> = Vec::new();
    for s in records.into_iter().filter(|s| !s.deleted) {
        match s.kind {
            Kind::Account if !merged(s) => {
                accounts.insert(s.id, s);
            }
            Kind::Task if !s.done && owned_by(s, owner) => tasks.push(s),
            Kind::Deal if owned_by(s, owner) => deals.push(s),
            _ => {}
        }
    }
    let row = |s: &Summary| {
        let account = s.account.and_then(|a| accounts.get(&a));
        TaskRow {
            task: s.clone(),
            account_name: account.map(|a| a.title.clone()).unwrap_or_default(),
            city: account.map(|a| a.city.clone()).unwrap_or_default(),
        }
    };
    let select = |keep: &dyn Fn(Day, &Summary) -> bool| {
        let mut chosen: Vec<&Summary> = tasks
            .iter()
            .copied()
            .filter(|s| s.due.is_some_and(|d| keep(d, s)))
            .collect();
        sorting::sort_by_cached_key(&mut chosen, |s| task_key(s));
        chosen.into_iter().map(row).collect::<Vec<_>>()
    };
    let last_visit_day = today.plus(VISIT_DAYS);
    let overdue = select(&|d, _| d < today);
    let due_today = select(&|d, _| d == today);
    let visits = select(&|d, s| s.status == VISIT && (today..=last_visit_day).contains(&d));

    // Reorders first: they are the sharper signal (a customer buying on a known
    // rhythm has missed it). An account listed there is not listed again below.
    let mut late: Vec<&Rhythm> = reorder_overdue
        .iter()
        .filter(|r| r.overdue_days > 0)
        .collect();
    sorting::sort_by(&mut late, |a, b| {
        b.overdue_days
            .cmp(&a.overdue_days)
            .then(a.account.cmp(&b.account))
    });
    let mut contacts: Vec<Contact> = Vec::new();
    let mut listed: HashSet<DocId> = HashSet::new();
    for r in late {
        if let Some(a) = accounts.get(&r.account).filter(|a| owned_by(a, owner))
            && listed.insert(a.id)
        {
            contacts.push(Contact {
                account: (*a).clone(),
                reason: Reason::Reorder {
                    overdue_days: r.overdue_days,
                },
            });
        }
    }
    let idle_since = today.plus(-IDLE_DAYS);
    let mut idle: Vec<&Summary> = accounts
        .values()
        .copied()
        .filter(|a| {
            owned_by(a, owner)
                && a.status == AccountStatus::Active.key()
                && a.last_contact.is_none_or(|l| l <= idle_since)
                && !listed.contains(&a.id)
        })
        .collect();
    // `None` sorts before any day: never contacted comes first.
    sorting::sort_by_cached_key(&mut idle, |a| (a.last_contact, fold(&a.title), a.id));
    contacts.extend(idle.into_iter().map(|a| Contact {
        account: a.clone(),
        reason: Reason::NoContact {
            last: a.last_contact,
        },
    }));

    let (monday, sunday) = week_of(today);
    let mut closing: Vec<&Summary> = deals
        .into_iter()
        .filter(|s| {
            Stage::from_key(&s.status).unwrap_or(Stage::Lead).is_open()
                && s.due.is_some_and(|d| (monday..=sunday).contains(&d))
        })
        .collect();
    sorting::sort_by_cached_key(&mut closing, |s| {
        (s.due, std::cmp::Reverse(s.amount), fold(&s.title))
    });

    Plan {
        overdue,
        today: due_today,
        visits,
        contacts,
        closing: closing.into_iter().cloned().collect(),
    }
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Day, to: Day) -> i32 {
    to.0 - from.0
}

/// An OpenStreetMap search for a place (an account's city); `None` for no place.
pub fn map_url(place: &str) -> Option<String> {
    let place = place.trim();
    if place.is_empty() {
        return None;
    }
    Some(format!(
        "https://www.openstreetmap.org/search?query={}",
        percent_encode(place)
    ))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, byte by byte
/// of the UTF-8 text, so any city name makes a valid query.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::analytics::facts::AccountFacts;

    const TODAY: &str = "2026-11-25"; // a Wednesday

    fn today() -> Day {
        Day::parse(TODAY).unwrap()
    }

    fn id(n: u8) -> DocId {
        DocId([n; 16])
    }

    fn blank(n: u8, kind: Kind, title: &str, owner: &str) -> Summary {
        Summary {
            id: id(n),
            kind,
            title: title.into(),
            subtitle: String::new(),
            account: None,
            owner: owner.into(),
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
            updated_by: owner.into(),
            updated_at: 0,
            custom: Vec::new(),
            facts: Facts::None.into(),
        }
    }

    fn task(n: u8, title: &str, owner: &str, ty: &str, due: i32) -> Summary {
        let mut s = blank(n, Kind::Task, title, owner);
        s.status = ty.into();
        s.due = Some(today().plus(due));
        s
    }

    fn account(
        n: u8,
        title: &str,
        owner: &str,
        status: AccountStatus,
        last: Option<i32>,
    ) -> Summary {
        let mut s = blank(n, Kind::Account, title, owner);
        s.status = status.key().into();
        s.city = "Bra".into();
        s.last_contact = last.map(|d| today().plus(d));
        s.facts = Facts::Account {
            account: AccountFacts {
                id: s.id,
                name: s.title.clone(),
                owner: owner.into(),
                status,
                referred_by: None,
                created: Day(0),
                deleted: false,
                merged_into: None,
            },
            orders: Vec::new(),
            interactions: Vec::new(),
        }
        .into();
        s
    }

    fn deal(n: u8, title: &str, owner: &str, stage: Stage, close: i32, amount: i64) -> Summary {
        let mut s = blank(n, Kind::Deal, title, owner);
        s.status = stage.key().into();
        s.due = Some(today().plus(close));
        s.amount = amount;
        s
    }

    fn titles(rows: &[TaskRow]) -> Vec<&str> {
        rows.iter().map(|r| r.task.title.as_str()).collect()
    }

    fn rhythm(account: DocId, overdue_days: u32) -> Rhythm {
        Rhythm {
            account,
            purchase_days: 4,
            last_purchase: Some(today().plus(-40)),
            interval_days: Some(20),
            expected_next: Some(today().plus(-(overdue_days as i32))),
            overdue_days,
        }
    }

    #[test]
    fn tasks_split_into_overdue_today_and_visits() {
        let mut timed = task(3, "Call at nine", "Anna", "call", 0);
        timed.subtitle = "09:00".into();
        let mut late_timed = task(4, "Call at five", "Anna", "call", 0);
        late_timed.subtitle = "17:00".into();
        let mut done = task(5, "Already done", "Anna", "task", -1);
        done.done = true;
        let mut deleted = task(6, "Binned", "Anna", "task", -1);
        deleted.deleted = true;
        let records = vec![
            task(1, "Week late", "Anna", "task", -7),
            task(2, "Day late", "Anna", "task", -1),
            task(7, "Untimed today", "Anna", "task", 0),
            late_timed,
            timed,
            done,
            deleted,
            task(8, "Visit today", "Anna", VISIT, 0),
            task(9, "Visit in a week", "Anna", VISIT, 7),
            task(10, "Visit in eight days", "Anna", VISIT, 8),
            task(11, "Visit missed", "Anna", VISIT, -2),
            task(12, "Someone else's", "Bruno", "task", 0),
            task(13, "Undated", "Anna", "task", 0),
        ];
        let mut records = records;
        records.last_mut().unwrap().due = None;
        let p = plan(&records, &[], today(), Some("Anna"));
        assert_eq!(
            titles(&p.overdue),
            ["Week late", "Visit missed", "Day late"]
        );
        assert_eq!(
            titles(&p.today),
            [
                "Call at nine",
                "Call at five",
                "Untimed today",
                "Visit today"
            ]
        );
        assert_eq!(titles(&p.visits), ["Visit today", "Visit in a week"]);

        let everyone = plan(&records, &[], today(), None);
        assert!(titles(&everyone.today).contains(&"Someone else's"));
    }

    #[test]
    fn task_rows_carry_their_account() {
        let shop = account(1, "Bar Sport", "Anna", AccountStatus::Active, Some(-1));
        let mut visit = task(2, "Visit the bar", "Anna", VISIT, 1);
        visit.account = Some(shop.id);
        let p = plan(&[visit, shop], &[], today(), Some("Anna"));
        assert_eq!(p.visits[0].account_name, "Bar Sport");
        assert_eq!(p.visits[0].city, "Bra");
    }

    #[test]
    fn customers_due_for_contact_reorders_first_then_silent_ones() {
        let records = vec![
            account(
                1,
                "Reorder a bit late",
                "Anna",
                AccountStatus::Active,
                Some(-2),
            ),
            account(
                2,
                "Reorder very late",
                "Anna",
                AccountStatus::Active,
                Some(-50),
            ),
            account(
                3,
                "Silent 45 days",
                "Anna",
                AccountStatus::Active,
                Some(-45),
            ),
            account(4, "Never contacted", "Anna", AccountStatus::Active, None),
            account(
                5,
                "Silent exactly 30",
                "Anna",
                AccountStatus::Active,
                Some(-30),
            ),
            account(
                6,
                "Spoke 29 days ago",
                "Anna",
                AccountStatus::Active,
                Some(-29),
            ),
            account(
                7,
                "Silent prospect",
                "Anna",
                AccountStatus::Prospect,
                Some(-90),
            ),
            account(
                8,
                "Bruno's silent one",
                "Bruno",
                AccountStatus::Active,
                None,
            ),
            account(
                9,
                "Bruno's reorder",
                "Bruno",
                AccountStatus::Active,
                Some(-1),
            ),
        ];
        let reorder = [rhythm(id(2), 30), rhythm(id(9), 20), rhythm(id(1), 3)];
        let p = plan(&records, &reorder, today(), Some("Anna"));
        let shown: Vec<(&str, Reason)> = p
            .contacts
            .iter()
            .map(|c| (c.account.title.as_str(), c.reason))
            .collect();
        assert_eq!(
            shown,
            [
                ("Reorder very late", Reason::Reorder { overdue_days: 30 }),
                ("Reorder a bit late", Reason::Reorder { overdue_days: 3 }),
                ("Never contacted", Reason::NoContact { last: None }),
                (
                    "Silent 45 days",
                    Reason::NoContact {
                        last: Some(today().plus(-45))
                    }
                ),
                (
                    "Silent exactly 30",
                    Reason::NoContact {
                        last: Some(today().plus(-30))
                    }
                ),
            ]
        );

        let everyone = plan(&records, &reorder, today(), None);
        assert_eq!(everyone.contacts[1].account.title, "Bruno's reorder");
        assert!(
            everyone
                .contacts
                .iter()
                .any(|c| c.account.title == "Bruno's silent one")
        );
    }

    #[test]
    fn merged_and_deleted_accounts_are_not_contacted() {
        let mut merged = account(1, "Merged away", "Anna", AccountStatus::Active, None);
        if let Facts::Account { account, .. } = merged.facts.get_mut() {
            account.merged_into = Some(id(9));
        }
        let mut deleted = account(2, "Binned", "Anna", AccountStatus::Active, None);
        deleted.deleted = true;
        let p = plan(
            &[merged, deleted],
            &[rhythm(id(1), 5), rhythm(id(2), 5)],
            today(),
            None,
        );
        assert!(p.contacts.is_empty());
    }

    #[test]
    fn deals_closing_this_week_are_open_ones_in_the_calendar_week() {
        // Today is a Wednesday: the week runs from Monday (-2) to Sunday (+4).
        let records = vec![
            deal(1, "Friday small", "Anna", Stage::Proposal, 2, 100),
            deal(2, "Friday big", "Anna", Stage::Negotiation, 2, 900),
            deal(3, "Monday", "Anna", Stage::Lead, -2, 50),
            deal(4, "Last Sunday", "Anna", Stage::Lead, -3, 50),
            deal(5, "Next Monday", "Anna", Stage::Lead, 5, 50),
            deal(6, "Won already", "Anna", Stage::Won, 1, 50),
            deal(7, "Lost already", "Anna", Stage::Lost, 1, 50),
            deal(8, "Bruno's", "Bruno", Stage::Lead, 1, 50),
        ];
        let p = plan(&records, &[], today(), Some("Anna"));
        let shown: Vec<&str> = p.closing.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(shown, ["Monday", "Friday big", "Friday small"]);
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        let monday = Day::parse("2026-11-23").unwrap();
        let sunday = Day::parse("2026-11-29").unwrap();
        for d in 0..7 {
            assert_eq!(week_of(monday.plus(d)), (monday, sunday));
        }
        assert_eq!(week_of(sunday.plus(1)).0, sunday.plus(1));
    }

    #[test]
    fn map_links_encode_the_place() {
        assert_eq!(map_url("  "), None);
        assert_eq!(
            map_url("Forlì Cesena").as_deref(),
            Some("https://www.openstreetmap.org/search?query=Forl%C3%AC%20Cesena")
        );
        assert_eq!(
            map_url("a&b=c").as_deref(),
            Some("https://www.openstreetmap.org/search?query=a%26b%3Dc")
        );
        assert_eq!(days_between(today(), today().plus(-3)), -3);
    }
}
