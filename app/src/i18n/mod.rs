//! Every user-visible string, in Italian and English. Nothing outside this module
//! spells out text the user reads.

use campo_core::customer::{Channel, Field, Source};
use campo_core::protocol::ErrorCode;
use campo_core::validate::Invalid;

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
    StatusOffline,
    StatusConnecting,
    StatusOnline,
    StatusSynced,
    StatusRefused,
    Search,
    NewCustomer,
    NoCustomers,
    NoMatches,
    Conflicts,
    Back,
    Save,
    Saved,
    NothingToSave,
    FixErrors,
    SaveFailed,
    NotFound,
    Contact,
    Address,
    Details,
    Tags,
    Notes,
    ConflictExplain,
    UnknownRep,
    Interactions,
    LogInteraction,
    Channel,
    Date,
    Summary,
    Outcome,
    AddInteraction,
    NoInteractions,
    InteractionLogged,
    Unsaved,
    LanguageSwitch,
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
        StatusOffline => ("Offline", "Offline"),
        StatusConnecting => ("Connessione…", "Connecting…"),
        StatusOnline => ("Online", "Online"),
        StatusSynced => ("Sincronizzato", "Synced"),
        StatusRefused => ("Accesso rifiutato", "Access refused"),
        Search => (
            "Cerca per nome, azienda, città, tag…",
            "Search name, company, city, tag…",
        ),
        NewCustomer => ("Nuovo cliente", "New customer"),
        NoCustomers => (
            "Nessun cliente ancora. Crea il primo con «Nuovo cliente».",
            "No customers yet. Create the first with “New customer”.",
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
        Contact => ("Contatto", "Contact"),
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
        Channel => ("Canale", "Channel"),
        Date => ("Data", "Date"),
        Summary => ("Riepilogo", "Summary"),
        Outcome => ("Esito", "Outcome"),
        AddInteraction => ("Registra", "Log it"),
        NoInteractions => (
            "Nessuna interazione registrata.",
            "No interactions logged yet.",
        ),
        InteractionLogged => ("Interazione registrata", "Interaction logged"),
        Unsaved => ("Modifiche non salvate", "Unsaved changes"),
        LanguageSwitch => ("Lingua", "Language"),
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

pub fn field_label(lang: Lang, field: Field) -> &'static str {
    let (it, en) = match field {
        Field::Name => ("Nome", "Name"),
        Field::Company => ("Azienda", "Company"),
        Field::Role => ("Ruolo", "Role"),
        Field::Phone => ("Telefono", "Phone"),
        Field::Email => ("Email", "Email"),
        Field::Street => ("Via e numero", "Street"),
        Field::City => ("Città", "City"),
        Field::Postcode => ("CAP", "Postcode"),
        Field::Country => ("Paese", "Country"),
        Field::Preferences => ("Preferenze", "Preferences"),
        Field::Source => ("Origine dei dati", "Data source"),
    };
    if lang == Lang::It { it } else { en }
}

pub fn source_label(lang: Lang, source: Source) -> &'static str {
    let (it, en) = match source {
        Source::OwnEntry => ("Inserimento proprio", "Own entry"),
        Source::ImportedList => ("Lista importata", "Imported list"),
        Source::Enrichment => ("Arricchimento da terzi", "Third-party enrichment"),
    };
    if lang == Lang::It { it } else { en }
}

pub fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    let (it, en) = match channel {
        Channel::Visit => ("Visita", "Visit"),
        Channel::Phone => ("Telefonata", "Phone call"),
        Channel::Email => ("Email", "Email"),
        Channel::Letter => ("Lettera", "Letter"),
        Channel::Video => ("Videochiamata", "Video call"),
        Channel::Chat => ("Chat", "Chat"),
    };
    if lang == Lang::It { it } else { en }
}

/// Why a field's value was refused, said so the rep knows what to type.
pub fn invalid(lang: Lang, e: &Invalid) -> String {
    let it = lang == Lang::It;
    match e {
        Invalid::Required(_) => {
            if it {
                "Campo obbligatorio".into()
            } else {
                "This field is required".into()
            }
        }
        Invalid::TooLong(_, n) => {
            if it {
                format!("Troppo lungo: al massimo {n} caratteri")
            } else {
                format!("Too long: at most {n} characters")
            }
        }
        Invalid::Email(_) => if it {
            "Indirizzo email non valido (es. nome@azienda.it)"
        } else {
            "Not a valid email address (e.g. name@company.com)"
        }
        .into(),
        Invalid::Phone(_) => if it {
            "Numero non valido: almeno 5 cifre; ammessi spazi e + - ( ) . /"
        } else {
            "Not a valid phone number: at least 5 digits; spaces and + - ( ) . / allowed"
        }
        .into(),
        Invalid::Date(_) => if it {
            "Data non valida"
        } else {
            "Not a valid date"
        }
        .into(),
        Invalid::Choice(..) => if it {
            "Scegli una delle opzioni"
        } else {
            "Pick one of the options"
        }
        .into(),
        Invalid::Id(_) => if it {
            "Identificativo non valido"
        } else {
            "Not a valid identifier"
        }
        .into(),
        Invalid::Tag(tag) => {
            if it {
                format!("Tag «{tag}» non valido: da 1 a 40 caratteri, separati da virgole")
            } else {
                format!("Tag “{tag}” is not valid: 1 to 40 characters, separated by commas")
            }
        }
    }
}

/// The relay's refusal, in plain words.
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
pub fn changes_waiting(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::It, 1) => "1 modifica in attesa".into(),
        (Lang::It, n) => format!("{n} modifiche in attesa"),
        (Lang::En, 1) => "1 change waiting".into(),
        (Lang::En, n) => format!("{n} changes waiting"),
    }
}

/// The note under a capped list.
pub fn more_results(lang: Lang, n: usize) -> String {
    match lang {
        Lang::It => format!("Altri {n} clienti: affina la ricerca"),
        Lang::En => format!("{n} more — refine the search"),
    }
}

pub fn customer_count(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::It, 1) => "1 cliente".into(),
        (Lang::It, n) => format!("{n} clienti"),
        (Lang::En, 1) => "1 customer".into(),
        (Lang::En, n) => format!("{n} customers"),
    }
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

pub fn last_contact(lang: Lang, iso: &str) -> String {
    let d = date(lang, iso);
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

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A `YYYY-MM-DD` date the way the language writes it: 05/03/2025, 5 Mar 2025.
pub fn date(lang: Lang, iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    let [y, m, d] = parts[..] else {
        return iso.to_owned();
    };
    match lang {
        Lang::It => format!("{d}/{m}/{y}"),
        Lang::En => {
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|m| MONTHS_EN.get(m.wrapping_sub(1)))
                .copied();
            match (month, d.parse::<u32>()) {
                (Some(month), Ok(day)) => format!("{day} {month} {y}"),
                _ => iso.to_owned(),
            }
        }
    }
}

/// A moment (ms since the epoch) in the device's time zone.
pub fn date_time(lang: Lang, ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let iso = format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    );
    format!(
        "{} {:02}:{:02}",
        date(lang, &iso),
        d.get_hours(),
        d.get_minutes()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(date(Lang::It, "2025-03-05"), "05/03/2025");
        assert_eq!(date(Lang::En, "2025-03-05"), "5 Mar 2025");
        assert_eq!(date(Lang::En, "garbage"), "garbage");
    }

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
