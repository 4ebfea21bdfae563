//! The deal board's words, in Italian and English.

use super::{Lang, day, money, number};
use campo_core::day::Day;

/// A fixed message of the deal board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardMsg {
    ShowAs,
    List,
    Board,
    Whose,
    Mine,
    Everyone,
    Search,
    Columns,
    EmptyColumn,
    LostReason,
    MarkLost,
    ReasonRequired,
    DragHandle,
    MoveFailed,
}

/// The text of a fixed message.
pub fn t(lang: Lang, msg: BoardMsg) -> &'static str {
    use BoardMsg::*;
    let (it, en) = match msg {
        ShowAs => ("Mostra come", "Show as"),
        List => ("Elenco", "List"),
        Board => ("Bacheca", "Board"),
        Whose => ("Di chi", "Whose deals"),
        Mine => ("Le mie", "Mine"),
        Everyone => ("Di tutti", "Everyone's"),
        Search => (
            "Cerca trattative, aziende, responsabili…",
            "Search deals, accounts, owners…",
        ),
        Columns => ("Trattative per fase", "Deals by stage"),
        EmptyColumn => ("Nessuna trattativa", "No deals"),
        LostReason => ("Perché è stata persa?", "Why was it lost?"),
        MarkLost => ("Segna come persa", "Mark as lost"),
        ReasonRequired => (
            "Scrivi il motivo della perdita: serve per capire cosa migliorare.",
            "Type why the deal was lost: it is needed to learn from it.",
        ),
        DragHandle => (
            "Trascina in un'altra colonna per cambiare fase",
            "Drag to another column to change the stage",
        ),
        MoveFailed => (
            "Impossibile spostare la trattativa su questo dispositivo. Riprova.",
            "Could not move the deal on this device. Try again.",
        ),
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// A column's count: "3 deals".
pub fn deal_count(lang: Lang, n: usize) -> String {
    let n_text = number(lang, n as f64, 0);
    match (lang, n) {
        (Lang::It, 1) => "1 trattativa".into(),
        (Lang::It, _) => format!("{n_text} trattative"),
        (Lang::En, 1) => "1 deal".into(),
        (Lang::En, _) => format!("{n_text} deals"),
    }
}

/// A column's weighted value: "weighted €1,200.00".
pub fn weighted(lang: Lang, cents: i64) -> String {
    let m = money(lang, cents);
    match lang {
        Lang::It => format!("ponderato {m}"),
        Lang::En => format!("weighted {m}"),
    }
}

/// A card's expected close: "closes 5 Mar 2026".
pub fn closes(lang: Lang, d: Day) -> String {
    let d = day(lang, d);
    match lang {
        Lang::It => format!("chiusura {d}"),
        Lang::En => format!("closes {d}"),
    }
}

/// The stage menu's label on a card: "Stage of “Espresso machines”".
pub fn stage_of(lang: Lang, title: &str) -> String {
    match lang {
        Lang::It => format!("Fase di «{title}»"),
        Lang::En => format!("Stage of “{title}”"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_figures_follow_the_language() {
        assert_eq!(deal_count(Lang::En, 1), "1 deal");
        assert_eq!(deal_count(Lang::It, 1_200), "1.200 trattative");
        assert_eq!(weighted(Lang::It, 123_456), "ponderato 1.234,56 €");
        assert_eq!(
            closes(Lang::En, Day::parse("2026-03-05").unwrap()),
            "closes 5 Mar 2026"
        );
    }
}
