//! Every user-visible string, in Italian and English. Nothing outside this module
//! spells out text the user reads.

pub mod admin;
pub mod analytics;
pub mod data;
mod format;
pub mod kanban;
mod labels;
pub mod orders;
pub mod today;

pub use format::{date, date_time, day, money, number, percent};
pub use labels::{choice_label, coll_label, field_label, kind_label, kind_plural};

use campo_core::analytics::rfm::Segment;
use campo_core::index::Sort;
use campo_core::protocol::ErrorCode;
use campo_core::record::{Invalid, Kind};
use campo_core::summary::Summary;

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
}

impl Lang {
    /// The BCP 47 code, for `<html lang>` and storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.to_ascii_lowercase();
        if code.starts_with("it") {
            Some(Lang::It)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::It => Lang::En,
            Lang::En => Lang::It,
        }
    }

    /// The language's own name, shown on the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::It => "Italiano",
            Lang::En => "English",
        }
    }
}

/// A fixed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Tagline,
    SignInTitle,
    Team,
    Token,
    SignIn,
    SigningIn,
    SignInHelp,
    Unreachable,
    SignInAgain,
    Reload,
    StorageUnavailable,
    StorageFull,
    PersistRefused,
    Dismiss,
    Loading,
    PageLoadFailed,
    StatusOffline,
    StatusConnecting,
    StatusOnline,
    StatusSynced,
    StatusRefused,
    Search,
    NoMatches,
    Conflicts,
    Back,
    Save,
    Saved,
    NothingToSave,
    FixErrors,
    SaveFailed,
    NotFound,
    Address,
    Details,
    Tags,
    Notes,
    ConflictExplain,
    UnknownRep,
    Interactions,
    LogInteraction,
    AddInteraction,
    NoInteractions,
    Unsaved,
    LanguageSwitch,
    InTheBin,
    Restore,
    Delete,
    ConfirmDelete,
    TagsHint,
    OpenMap,
    TypeToSearch,
    Close,
    ClearChoice,
    NoneYet,
    ReferredBy,
    Referrals,
    NoReferrals,
    HasReferred,
    History,
    ShowAll,
    Created,
    MovedToBin,
    Restored,
    CustomField,
    SystemUpdate,
    Cancel,
    AnyOwner,
    AnyAssignee,
    AnyStatus,
    AnyTag,
    AnyCity,
    AnySegment,
    AnyLastContact,
    SortBy,
    Bin,
    OpenOnly,
    InCatalogue,
    ViewName,
    SaveView,
    NavToday,
    NavDashboard,
    NavSearch,
    NavAdmin,
    NavData,
    MainNav,
    SearchEverything,
}

/// The text of a fixed message.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    let (it, en) = match msg {
        Tagline => (
            "Il CRM per chi lavora sul campo",
            "The CRM for reps in the field",
        ),
        SignInTitle => ("Accedi", "Sign in"),
        Team => ("Team", "Team"),
        Token => ("Token di accesso", "Access token"),
        SignIn => ("Accedi", "Sign in"),
        SigningIn => ("Accesso in corso…", "Signing in…"),
        SignInHelp => (
            "Il token te lo dà il responsabile del tuo team.",
            "Your team manager gives you the token.",
        ),
        Unreachable => (
            "Impossibile raggiungere il server di Campo. Nuovo tentativo tra poco…",
            "Cannot reach the Campo server. Trying again shortly…",
        ),
        SignInAgain => ("Accedi di nuovo", "Sign in again"),
        Reload => ("Ricarica", "Reload"),
        StorageUnavailable => (
            "Questo browser non permette a Campo di salvare dati (navigazione privata?).",
            "This browser does not let Campo store data (private browsing?).",
        ),
        StorageFull => (
            "La memoria del dispositivo è piena: non è stato salvato nulla. Libera un po' di spazio.",
            "Device storage is full: nothing was saved; free some space.",
        ),
        PersistRefused => (
            "Il browser non garantisce di conservare i dati offline: se la memoria scarseggia potrebbe cancellarli. Le modifiche già sincronizzate restano sul server.",
            "The browser does not promise to keep offline data: it may clear it when storage runs low. Changes already synced stay on the server.",
        ),
        Dismiss => ("Chiudi", "Dismiss"),
        Loading => ("Caricamento…", "Loading…"),
        PageLoadFailed => (
            "Questa pagina non si è caricata: controlla la connessione e ricarica.",
            "This page did not load: check the connection and reload.",
        ),
        StatusOffline => ("Offline", "Offline"),
        StatusConnecting => ("Connessione…", "Connecting…"),
        StatusOnline => ("Online", "Online"),
        StatusSynced => ("Sincronizzato", "Synced"),
        StatusRefused => ("Accesso rifiutato", "Access refused"),
        Search => (
            "Cerca per nome, azienda, città, tag…",
            "Search name, company, city, tag…",
        ),
        NoMatches => (
            "Nessun cliente corrisponde alla ricerca.",
            "No customer matches the search.",
        ),
        Conflicts => ("Modifiche concorrenti", "Concurrent edits"),
        Back => ("← Clienti", "← Customers"),
        Save => ("Salva", "Save"),
        Saved => ("Salvato", "Saved"),
        NothingToSave => ("Nessuna modifica da salvare", "No changes to save"),
        FixErrors => (
            "Non è stato salvato nulla: correggi i campi segnalati.",
            "Nothing was saved: correct the fields marked below.",
        ),
        SaveFailed => (
            "Impossibile salvare su questo dispositivo. Riprova.",
            "Could not save on this device. Try again.",
        ),
        NotFound => (
            "Questo cliente non è (ancora) su questo dispositivo.",
            "This customer is not on this device (yet).",
        ),
        Address => ("Indirizzo", "Address"),
        Details => ("Dettagli", "Details"),
        Tags => ("Tag (separati da virgole)", "Tags (comma-separated)"),
        Notes => ("Note", "Notes"),
        ConflictExplain => (
            "Modificato contemporaneamente da due persone. Scegli il valore da tenere:",
            "Two people edited this at the same time. Pick the value to keep:",
        ),
        UnknownRep => ("sconosciuto", "unknown"),
        Interactions => ("Interazioni", "Interactions"),
        LogInteraction => ("Registra un'interazione", "Log an interaction"),
        AddInteraction => ("Registra", "Log it"),
        NoInteractions => (
            "Nessuna interazione registrata.",
            "No interactions logged yet.",
        ),
        Unsaved => ("Modifiche non salvate", "Unsaved changes"),
        LanguageSwitch => ("Lingua", "Language"),
        InTheBin => (
            "Questa scheda è nel cestino: non compare negli elenchi.",
            "This record is in the bin: it does not show in lists.",
        ),
        Restore => ("Ripristina", "Restore"),
        Delete => ("Sposta nel cestino", "Move to bin"),
        ConfirmDelete => (
            "Spostare questa scheda nel cestino? Si potrà ripristinare.",
            "Move this record to the bin? It can be restored.",
        ),
        TagsHint => ("Separate da virgole", "Separated by commas"),
        OpenMap => ("Apri sulla mappa", "Open on the map"),
        TypeToSearch => ("Scrivi per cercare…", "Type to search…"),
        Close => ("Chiudi", "Close"),
        ClearChoice => ("Nessuna scelta", "Clear the choice"),
        NoneYet => ("Ancora nessuno.", "None yet."),
        ReferredBy => ("Segnalato da", "Referred by"),
        Referrals => ("Passaparola", "Referrals"),
        NoReferrals => (
            "Non ha ancora segnalato nessuno.",
            "Has not referred anyone yet.",
        ),
        HasReferred => ("Ha segnalato:", "Has referred:"),
        History => ("Cronologia", "History"),
        ShowAll => ("Mostra tutto", "Show all"),
        Created => ("Creata la scheda", "Created the record"),
        MovedToBin => ("Spostata nel cestino", "Moved to the bin"),
        Restored => ("Ripristinata", "Restored"),
        CustomField => ("Campo personalizzato", "Custom field"),
        SystemUpdate => ("Aggiornamento di Campo", "Campo update"),
        Cancel => ("Annulla", "Cancel"),
        AnyOwner => ("Tutti i responsabili", "Any owner"),
        AnyAssignee => ("Tutti gli assegnatari", "Any assignee"),
        AnyStatus => ("Tutti gli stati", "Any status"),
        AnyTag => ("Tutte le etichette", "Any tag"),
        AnyCity => ("Tutte le città", "Any city"),
        AnySegment => ("Tutti i segmenti", "Any segment"),
        AnyLastContact => ("Qualsiasi ultimo contatto", "Any last contact"),
        SortBy => ("Ordina per", "Sort by"),
        Bin => ("Cestino", "Bin"),
        OpenOnly => ("Solo da fare", "Open only"),
        InCatalogue => ("Solo a catalogo", "In catalogue only"),
        ViewName => ("Nome della vista", "Name of the view"),
        SaveView => ("Salva vista", "Save view"),
        NavToday => ("Oggi", "Today"),
        NavDashboard => ("Analisi", "Dashboard"),
        NavSearch => ("Cerca", "Search"),
        NavAdmin => ("Team", "Team"),
        NavData => ("Dati", "Data"),
        MainNav => ("Sezioni", "Sections"),
        SearchEverything => (
            "Cerca in aziende, persone, trattative, note…",
            "Search accounts, people, deals, notes…",
        ),
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// Why a value was refused, for the message beside the field.
pub fn invalid(lang: Lang, e: &Invalid) -> String {
    let it = lang == Lang::It;
    match e {
        Invalid::Required(_) => if it { "Campo obbligatorio" } else { "Required" }.into(),
        Invalid::TooLong(_, n) => {
            if it {
                format!("Troppo lungo (al massimo {n} caratteri)")
            } else {
                format!("Too long (at most {n} characters)")
            }
        }
        Invalid::Email(_) => if it {
            "Indirizzo email non valido"
        } else {
            "Not a valid email address"
        }
        .into(),
        Invalid::Phone(_) => if it {
            "Numero non valido: solo cifre, spazi e + - ( ) . /, da 6 a 15 cifre"
        } else {
            "Not a valid number: digits, spaces and + - ( ) . / only, 6 to 15 digits"
        }
        .into(),
        Invalid::Url(_) => if it {
            "Indirizzo web non valido"
        } else {
            "Not a valid web address"
        }
        .into(),
        Invalid::VatId(_) => if it {
            "Partita IVA non valida (11 cifre con cifra di controllo, o codice paese UE e numero)"
        } else {
            "Not a valid VAT id (11 digits with check digit, or EU country code and number)"
        }
        .into(),
        Invalid::Date(_) => if it {
            "Data non valida"
        } else {
            "Not a valid date"
        }
        .into(),
        Invalid::Time(_) => if it {
            "Ora non valida (HH:MM)"
        } else {
            "Not a valid time (HH:MM)"
        }
        .into(),
        Invalid::Money(_) => if it {
            "Importo non valido (es. 1.234,50)"
        } else {
            "Not a valid amount (e.g. 1,234.50)"
        }
        .into(),
        Invalid::Quantity(_) => if it {
            "La quantità deve essere maggiore di zero"
        } else {
            "The quantity must be greater than zero"
        }
        .into(),
        Invalid::Int(_, _, min, max) => {
            if it {
                format!("Un numero intero da {min} a {max}")
            } else {
                format!("A whole number from {min} to {max}")
            }
        }
        Invalid::Choice(..) => if it {
            "Scelta non valida"
        } else {
            "Not a valid choice"
        }
        .into(),
        Invalid::Id(_) => if it {
            "Riferimento non valido"
        } else {
            "Not a valid reference"
        }
        .into(),
        Invalid::Tag(tag) => {
            if it {
                format!("Etichetta non valida: «{tag}» (1-40 caratteri, senza virgole)")
            } else {
                format!("Not a valid tag: “{tag}” (1-40 characters, no commas)")
            }
        }
        Invalid::UnknownField(_) => if it {
            "Campo sconosciuto"
        } else {
            "Unknown field"
        }
        .into(),
        Invalid::DuplicateCode(code) => {
            if it {
                format!("Il codice «{code}» è già usato da un altro prodotto")
            } else {
                format!("Code “{code}” is already used by another product")
            }
        }
    }
}

pub fn refusal(lang: Lang, code: ErrorCode, team: &str) -> String {
    let it = lang == Lang::It;
    match code {
        ErrorCode::Unauthorized => {
            if it {
                "Questo token non è valido".into()
            } else {
                "This token is not valid".into()
            }
        }
        ErrorCode::WrongTeam => {
            if it {
                format!("Questo token non è valido per il team {team}")
            } else {
                format!("This token is not valid for team {team}")
            }
        }
        ErrorCode::UnsupportedVersion => if it {
            "Campo è stato aggiornato: ricarica la pagina"
        } else {
            "Campo was updated: reload"
        }
        .into(),
        ErrorCode::RateLimited => if it {
            "Troppe richieste al server: nuovo tentativo tra poco"
        } else {
            "Too many requests to the server: trying again shortly"
        }
        .into(),
        ErrorCode::Internal => if it {
            "Il server ha avuto un problema: nuovo tentativo tra poco"
        } else {
            "The server had a problem: trying again shortly"
        }
        .into(),
        ErrorCode::Malformed
        | ErrorCode::TooLarge
        | ErrorCode::InvalidChange
        | ErrorCode::OutOfOrder => if it {
            "Il server ha rifiutato una modifica di questo dispositivo"
        } else {
            "The server refused a change from this device"
        }
        .into(),
    }
}

/// "Offline · 2 changes waiting" and friends.
/// The status while a fresh device downloads the team's book.
pub fn book_download(lang: Lang, done: u64, total: u64) -> String {
    let (done, total) = (
        format::number(lang, done as f64, 0),
        format::number(lang, total as f64, 0),
    );
    match lang {
        Lang::It => format!("Scarico l'archivio del team: {done} di {total} schede"),
        Lang::En => format!("Downloading the team's book: {done} of {total} records"),
    }
}

pub fn changes_waiting(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::It, 1) => "1 modifica in attesa".into(),
        (Lang::It, n) => format!("{n} modifiche in attesa"),
        (Lang::En, 1) => "1 change waiting".into(),
        (Lang::En, n) => format!("{n} changes waiting"),
    }
}

/// The button under a capped list.
pub fn more_results(lang: Lang, n: usize) -> String {
    match lang {
        Lang::It => format!("Mostra altri ({n} ancora)"),
        Lang::En => format!("Show more ({n} left)"),
    }
}

/// "12 aziende", "1 deal".
pub fn record_count(lang: Lang, kind: Kind, n: usize) -> String {
    let (one, many) = match (lang, kind) {
        (Lang::It, Kind::Account) => ("azienda", "aziende"),
        (Lang::It, Kind::Person) => ("persona", "persone"),
        (Lang::It, Kind::Product) => ("prodotto", "prodotti"),
        (Lang::It, Kind::Deal) => ("trattativa", "trattative"),
        (Lang::It, Kind::Task) => ("attività", "attività"),
        (Lang::En, Kind::Account) => ("account", "accounts"),
        (Lang::En, Kind::Person) => ("person", "people"),
        (Lang::En, Kind::Product) => ("product", "products"),
        (Lang::En, Kind::Deal) => ("deal", "deals"),
        (Lang::En, Kind::Task) => ("task", "tasks"),
        (_, Kind::Team) => ("", ""),
    };
    format!(
        "{} {}",
        number(lang, n as f64, 0),
        if n == 1 { one } else { many }
    )
}

/// "Nuova azienda", "New deal".
pub fn new_record(lang: Lang, kind: Kind) -> String {
    match (lang, kind) {
        (Lang::It, Kind::Account) => "Nuova azienda".into(),
        (Lang::It, Kind::Person) => "Nuova persona".into(),
        (Lang::It, Kind::Product) => "Nuovo prodotto".into(),
        (Lang::It, Kind::Deal) => "Nuova trattativa".into(),
        (Lang::It, Kind::Task) => "Nuova attività".into(),
        (Lang::En, k) => format!("New {}", kind_label(Lang::En, k).to_lowercase()),
        (Lang::It, Kind::Team) => "Team".into(),
    }
}

/// The second line of a list row.
pub fn summary_meta(lang: Lang, s: &Summary) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |p: String| {
        if !p.is_empty() {
            parts.push(p);
        }
    };
    match s.kind {
        Kind::Account => {
            push(choice_label(lang, "status", &s.status).to_owned());
            push(s.city.clone());
            push(s.owner.clone());
        }
        Kind::Person => {
            push(s.subtitle.clone());
            push(s.phone.clone());
            push(s.email.clone());
        }
        Kind::Product => {
            push(s.subtitle.clone());
            push(s.status.clone());
            push(money(lang, s.amount));
        }
        Kind::Deal => {
            push(choice_label(lang, "stage", &s.status).to_owned());
            push(money(lang, s.amount));
            push(s.owner.clone());
        }
        Kind::Task => {
            push(choice_label(lang, "type", &s.status).to_owned());
            push(s.owner.clone());
        }
        Kind::Team => {}
    }
    parts.join(" · ")
}

/// The right side of a list row: last contact, due date, close date.
pub fn summary_side(lang: Lang, s: &Summary) -> String {
    match s.kind {
        Kind::Account | Kind::Person => s
            .last_contact
            .map(|d| last_contact(lang, d))
            .unwrap_or_default(),
        Kind::Task | Kind::Deal => s.due.map(|d| day(lang, d)).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A duration in minutes ("30 min" in both languages).
pub fn minutes(lang: Lang, n: i64) -> String {
    format!("{} min", number(lang, n as f64, 0))
}

/// "No contact for 30+ days".
pub fn idle_days(lang: Lang, days: u32) -> String {
    match lang {
        Lang::It => format!("Nessun contatto da {days}+ giorni"),
        Lang::En => format!("No contact for {days}+ days"),
    }
}

pub fn sort_label(lang: Lang, sort: Sort) -> &'static str {
    let (it, en) = match sort {
        Sort::Title => ("Nome", "Name"),
        Sort::LastContact => ("Contatto meno recente", "Longest without contact"),
        Sort::Updated => ("Modificati di recente", "Recently edited"),
        Sort::Due => ("Scadenza", "Due date"),
        Sort::Amount => ("Importo", "Amount"),
        Sort::City => ("Città", "City"),
    };
    if lang == Lang::It { it } else { en }
}

/// An RFM segment's name.
pub fn segment_label(lang: Lang, s: Segment) -> &'static str {
    let (it, en) = match s {
        Segment::Champions => ("Campioni", "Champions"),
        Segment::Loyal => ("Fedeli", "Loyal"),
        Segment::PotentialLoyalist => ("Potenziali fedeli", "Potential loyalists"),
        Segment::New => ("Nuovi", "New"),
        Segment::Promising => ("Promettenti", "Promising"),
        Segment::NeedAttention => ("Da seguire", "Need attention"),
        Segment::AboutToSleep => ("In calo", "About to sleep"),
        Segment::AtRisk => ("A rischio", "At risk"),
        Segment::CannotLose => ("Da non perdere", "Cannot lose"),
        Segment::Hibernating => ("Inattivi", "Hibernating"),
        Segment::Lost => ("Persi", "Lost"),
        Segment::NoOrders => ("Senza ordini", "No orders"),
    };
    if lang == Lang::It { it } else { en }
}

pub fn signed_in_as(lang: Lang, rep: &str, team: &str) -> String {
    match lang {
        Lang::It => format!("{rep} · team {team}"),
        Lang::En => format!("{rep} · team {team}"),
    }
}

pub fn by_rep(lang: Lang, rep: Option<&str>) -> String {
    let rep = rep
        .filter(|r| !r.is_empty())
        .unwrap_or(t(lang, Msg::UnknownRep));
    match lang {
        Lang::It => format!("scritto da {rep}"),
        Lang::En => format!("written by {rep}"),
    }
}

pub fn keep_value(lang: Lang, value: &str) -> String {
    match lang {
        Lang::It => format!("Tieni «{value}»"),
        Lang::En => format!("Keep “{value}”"),
    }
}

pub fn empty_value(lang: Lang) -> &'static str {
    if lang == Lang::It {
        "(vuoto)"
    } else {
        "(empty)"
    }
}

pub fn last_edit(lang: Lang, rep: &str, at_ms: i64) -> String {
    let when = date_time(lang, at_ms);
    match lang {
        Lang::It => format!("Ultima modifica di {rep}, {when}"),
        Lang::En => format!("Last edited by {rep}, {when}"),
    }
}

pub fn last_contact(lang: Lang, d: campo_core::day::Day) -> String {
    let d = day(lang, d);
    match lang {
        Lang::It => format!("Ultimo contatto {d}"),
        Lang::En => format!("Last contact {d}"),
    }
}

pub fn logged_by(lang: Lang, rep: &str) -> String {
    match lang {
        Lang::It => format!("registrata da {rep}"),
        Lang::En => format!("logged by {rep}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_team() {
        assert_eq!(
            refusal(Lang::En, ErrorCode::Unauthorized, "x"),
            "This token is not valid"
        );
        assert_eq!(
            refusal(Lang::It, ErrorCode::Unauthorized, "x"),
            "Questo token non è valido"
        );
        assert_eq!(
            refusal(Lang::En, ErrorCode::WrongTeam, "acme"),
            "This token is not valid for team acme"
        );
        assert_eq!(
            refusal(Lang::En, ErrorCode::UnsupportedVersion, ""),
            "Campo was updated: reload"
        );
    }

    #[test]
    fn browser_languages_map_to_ours() {
        assert_eq!(Lang::from_code("it-IT"), Some(Lang::It));
        assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }
}
