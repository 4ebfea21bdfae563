//! The Today page's words, in Italian and English.

use super::{Lang, day};
use campo_core::day::Day;

/// A fixed message of the Today page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayMsg {
    Title,
    ShowEveryone,
    Overdue,
    DueToday,
    Visits,
    ToContact,
    Closing,
    JustDone,
    NothingOverdue,
    NothingToday,
    NoVisits,
    NoContacts,
    NoClosing,
    Map,
    Summary,
    NeverContacted,
}

/// The text of a fixed message.
pub fn t(lang: Lang, msg: TodayMsg) -> &'static str {
    use TodayMsg::*;
    let (it, en) = match msg {
        Title => ("Oggi", "Today"),
        ShowEveryone => ("Mostra quelle di tutto il team", "Show everyone's"),
        Overdue => ("In ritardo", "Overdue"),
        DueToday => ("Da fare oggi", "Due today"),
        Visits => ("Visite in programma", "Planned visits"),
        ToContact => ("Clienti da contattare", "Customers to contact"),
        Closing => ("In chiusura questa settimana", "Closing this week"),
        JustDone => ("Appena fatte", "Just done"),
        NothingOverdue => ("Niente in ritardo.", "Nothing overdue."),
        NothingToday => ("Niente in scadenza oggi.", "Nothing due today."),
        NoVisits => (
            "Nessuna visita nei prossimi 7 giorni.",
            "No visits planned for the next 7 days.",
        ),
        NoContacts => (
            "Tutti i clienti sono stati sentiti di recente.",
            "Every customer has been heard from recently.",
        ),
        NoClosing => (
            "Nessuna trattativa in chiusura questa settimana.",
            "No deals expected to close this week.",
        ),
        Map => ("Mappa", "Map"),
        Summary => ("Riepilogo della giornata", "The day at a glance"),
        NeverContacted => ("Mai contattato", "Never contacted"),
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// "3 days late" for a task due `days` days ago.
pub fn late_by(lang: Lang, days: i32) -> String {
    match (lang, days) {
        (Lang::It, 1) => "in ritardo di 1 giorno".into(),
        (Lang::It, n) => format!("in ritardo di {n} giorni"),
        (Lang::En, 1) => "1 day late".into(),
        (Lang::En, n) => format!("{n} days late"),
    }
}

/// "Reorder 12 days late".
pub fn reorder_late(lang: Lang, days: u32) -> String {
    match (lang, days) {
        (Lang::It, 1) => "Riordino in ritardo di 1 giorno".into(),
        (Lang::It, n) => format!("Riordino in ritardo di {n} giorni"),
        (Lang::En, 1) => "Reorder 1 day late".into(),
        (Lang::En, n) => format!("Reorder {n} days late"),
    }
}

/// "No contact for 45 days" (or "Never contacted").
pub fn silent_for(lang: Lang, days: Option<i32>) -> String {
    match (lang, days) {
        (_, None) => t(lang, TodayMsg::NeverContacted).into(),
        (Lang::It, Some(n)) => format!("Nessun contatto da {n} giorni"),
        (Lang::En, Some(n)) => format!("No contact for {n} days"),
    }
}

/// A visit's day: "today", "tomorrow", or the date.
pub fn when(lang: Lang, d: Day, today: Day) -> String {
    match (lang, d.0 - today.0) {
        (Lang::It, 0) => "oggi".into(),
        (Lang::It, 1) => "domani".into(),
        (Lang::En, 0) => "today".into(),
        (Lang::En, 1) => "tomorrow".into(),
        _ => day(lang, d),
    }
}

/// The done checkbox's label: "Mark “Call Bar Roma” done".
pub fn mark_done(lang: Lang, title: &str) -> String {
    match lang {
        Lang::It => format!("Segna «{title}» come fatta"),
        Lang::En => format!("Mark “{title}” done"),
    }
}

/// The map link's accessible name: "Map of Milano".
pub fn map_of(lang: Lang, city: &str) -> String {
    match lang {
        Lang::It => format!("Mappa di {city}"),
        Lang::En => format!("Map of {city}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(late_by(Lang::En, 1), "1 day late");
        assert_eq!(late_by(Lang::It, 3), "in ritardo di 3 giorni");
        assert_eq!(reorder_late(Lang::En, 12), "Reorder 12 days late");
        assert_eq!(silent_for(Lang::It, None), "Mai contattato");
        assert_eq!(silent_for(Lang::En, Some(45)), "No contact for 45 days");
    }

    #[test]
    fn near_days_have_names() {
        let today = Day::parse("2026-11-25").unwrap();
        assert_eq!(when(Lang::En, today, today), "today");
        assert_eq!(when(Lang::It, today.plus(1), today), "domani");
        assert_eq!(when(Lang::En, today.plus(3), today), "28 Nov 2026");
    }
}
