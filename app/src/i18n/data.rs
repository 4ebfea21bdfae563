//! The Data page's words (import, export, backup) and the new-version banner, in
//! Italian and English.

use super::{Lang, number};
use campo_core::backup::BackupError;
use campo_core::interop::vcard::{VCardFileError, VCardProblem};
use campo_core::interop::{
    CsvError, DuplicateKey, RowProblem, Separator, Target, TextEncoding, VCardError,
};
use campo_core::record::Kind;

/// A fixed message of the Data page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMsg {
    Title,
    Import,
    ImportHelp,
    ChooseFile,
    Reading,
    Columns,
    ColumnsHelp,
    Column,
    Example,
    GoesTo,
    Preview,
    PreviewHelp,
    Line,
    Outcome,
    Ready,
    Duplicates,
    DuplicatesHelp,
    DefaultChoice,
    ChoiceMerge,
    ChoiceSkip,
    ChoiceNew,
    InTheBook,
    DownloadReport,
    ReportLine,
    ReportProblems,
    RefusedHelp,
    Preparing,
    Saving,
    OpenAccounts,
    OpenPeople,
    NothingToImport,
    ImportFailed,
    StorageFull,
    Export,
    ExportHelp,
    ExcelItaly,
    VCardPeople,
    CalendarTasks,
    CalendarHelp,
    ExportFailed,
    Backup,
    BackupHelp,
    DownloadBackup,
    BackupFailed,
    Restore,
    RestoreHelp,
    ChooseBackup,
    RestoreStart,
    RestoreFailed,
    Restoring,
    LastContact,
    Yes,
    No,
    Birthday,
    Address,
    UpdateReady,
    UpdateReload,
    Unreadable,
    ShowMore,
}

pub fn t(lang: Lang, msg: DataMsg) -> &'static str {
    use DataMsg::*;
    let (it, en) = match msg {
        Title => ("Importa, esporta e backup", "Import, export and backup"),
        Import => ("Importa", "Import"),
        ImportHelp => (
            "Un foglio CSV (Excel, Salesforce, HubSpot…) di aziende o contatti, oppure contatti vCard (.vcf) dal telefono. Prima di importare vedi dove va ogni colonna, le righe con problemi e i doppioni.",
            "A CSV sheet (Excel, Salesforce, HubSpot…) of companies or contacts, or vCard contacts (.vcf) from a phone. Before importing you see where each column goes, the rows with problems and the duplicates.",
        ),
        ChooseFile => ("Scegli il file da importare", "Choose the file to import"),
        Reading => ("Lettura del file…", "Reading the file…"),
        Columns => ("Colonne", "Columns"),
        ColumnsHelp => (
            "Campo ha proposto dove va ogni colonna in base al titolo: correggi dove serve.",
            "Campo suggested where each column goes from its heading: correct it where needed.",
        ),
        Column => ("Colonna", "Column"),
        Example => ("Esempio", "Example"),
        GoesTo => ("Va in", "Goes to"),
        Preview => ("Anteprima", "Preview"),
        PreviewHelp => (
            "Le prime 10 righe, come verranno importate.",
            "The first 10 rows, as they will be imported.",
        ),
        Line => ("Riga", "Line"),
        Outcome => ("Esito", "Outcome"),
        Ready => ("Pronta", "Ready"),
        Duplicates => ("Doppioni", "Duplicates"),
        DuplicatesHelp => (
            "Righe con la stessa email o lo stesso telefono di un'azienda già in archivio (o con la stessa email, telefono o partita IVA di una riga precedente). La partita IVA si confronta solo tra le righe del file: le schede in archivio non la riassumono.",
            "Rows with the same email or phone as an account already in the book (or the same email, phone or VAT id as an earlier row). VAT ids are compared only between the file's rows: the book's summaries do not hold them.",
        ),
        DefaultChoice => ("Per tutti i doppioni", "For every duplicate"),
        ChoiceMerge => (
            "Unisci: completa i campi vuoti della scheda esistente",
            "Merge: fill the existing record's empty fields",
        ),
        ChoiceSkip => ("Salta la riga", "Skip the row"),
        ChoiceNew => ("Importa come nuova azienda", "Import as a new account"),
        InTheBook => ("in archivio", "in the book"),
        DownloadReport => (
            "Scarica il rapporto delle righe rifiutate",
            "Download the report of refused rows",
        ),
        ReportLine => ("Riga", "Line"),
        ReportProblems => ("Problemi", "Problems"),
        RefusedHelp => (
            "Le righe rifiutate non vengono importate: scarica il rapporto, correggile nel foglio e importale di nuovo.",
            "Refused rows are not imported: download the report, fix them in the sheet and import them again.",
        ),
        Preparing => ("Preparazione delle schede", "Preparing the records"),
        Saving => ("Salvataggio sul dispositivo…", "Saving on the device…"),
        OpenAccounts => ("Vai alle aziende", "Go to accounts"),
        OpenPeople => ("Vai alle persone", "Go to people"),
        NothingToImport => (
            "Non c'è niente da importare.",
            "There is nothing to import.",
        ),
        ImportFailed => (
            "Importazione non riuscita: non è stato salvato niente.",
            "The import failed: nothing was saved.",
        ),
        StorageFull => (
            "Lo spazio del dispositivo è pieno: non è stato salvato niente. Libera spazio e riprova.",
            "The device's storage is full: nothing was saved. Free some space and try again.",
        ),
        Export => ("Esporta", "Export"),
        ExportHelp => (
            "Ogni elenco si esporta con le colonne che mostra, e con la ricerca e i filtri che hai impostato lì.",
            "Each list exports the columns it shows, with the search and filters you set there.",
        ),
        ExcelItaly => (
            "Per Excel in italiano (separatore ; e BOM)",
            "For Excel in Italian (; separator and BOM)",
        ),
        VCardPeople => ("Persone · vCard (.vcf)", "People · vCard (.vcf)"),
        CalendarTasks => (
            "Attività aperte e visite · calendario (.ics)",
            "Open tasks and visits · calendar (.ics)",
        ),
        CalendarHelp => (
            "Le attività da fare con una scadenza e le visite pianificate, da aprire nel calendario del telefono.",
            "Open tasks with a due date and planned visits, to open in the phone's calendar.",
        ),
        ExportFailed => (
            "Esportazione non riuscita: riprova.",
            "The export failed: try again.",
        ),
        Backup => ("Backup", "Backup"),
        BackupHelp => (
            "Tutto l'archivio del team in un solo file, con la storia di ogni scheda. Conservalo in un posto sicuro: si ripristina su un dispositivo vuoto o in un nuovo team.",
            "The team's whole book in one file, with every record's history. Keep it somewhere safe: it restores onto an empty device or into a new team.",
        ),
        DownloadBackup => ("Scarica il backup", "Download backup"),
        BackupFailed => (
            "Backup non riuscito: riprova.",
            "The backup failed: try again.",
        ),
        Restore => ("Ripristina un backup", "Restore a backup"),
        RestoreHelp => (
            "Le schede del backup si uniscono a quelle di questo dispositivo (niente si perde, la storia resta) e le modifiche arrivano al server per tutto il team.",
            "The backup's records merge with this device's (nothing is lost, history stays) and the changes reach the server for the whole team.",
        ),
        ChooseBackup => ("Scegli il file di backup", "Choose the backup file"),
        RestoreStart => ("Ripristina", "Restore"),
        RestoreFailed => (
            "Ripristino non riuscito: non è stato salvato niente.",
            "The restore failed: nothing was saved.",
        ),
        Restoring => ("Ripristino delle schede", "Restoring the records"),
        LastContact => ("Ultimo contatto", "Last contact"),
        Yes => ("sì", "yes"),
        No => ("no", "no"),
        Birthday => ("Compleanno", "Birthday"),
        Address => ("Indirizzo", "Address"),
        UpdateReady => (
            "È pronta una nuova versione di Campo.",
            "A new version of Campo is ready.",
        ),
        UpdateReload => ("Ricarica", "Reload"),
        Unreadable => ("Non leggibile", "Unreadable"),
        ShowMore => ("Mostra altri", "Show more"),
    };
    if lang == Lang::It { it } else { en }
}

/// Where a column goes, as the mapping step lists it.
pub fn target_label(lang: Lang, target: Target) -> &'static str {
    use Target::*;
    let (it, en) = match target {
        Name => ("Azienda: ragione sociale", "Account: name"),
        VatId => ("Azienda: partita IVA", "Account: VAT id"),
        Phone => ("Azienda: telefono", "Account: phone"),
        Mobile => ("Azienda: cellulare", "Account: mobile"),
        Email => ("Azienda: email", "Account: email"),
        Website => ("Azienda: sito web", "Account: website"),
        Street => ("Azienda: via e numero", "Account: street"),
        City => ("Azienda: città", "Account: city"),
        Postcode => ("Azienda: CAP", "Account: postcode"),
        Province => ("Azienda: provincia", "Account: province"),
        Country => ("Azienda: paese", "Account: country"),
        Industry => ("Azienda: settore", "Account: industry"),
        Tags => ("Azienda: etichette", "Account: tags"),
        Notes => ("Azienda: note", "Account: notes"),
        Status => ("Azienda: stato", "Account: status"),
        FirstName => ("Persona: nome", "Person: first name"),
        LastName => ("Persona: cognome", "Person: last name"),
        FullName => ("Persona: nome e cognome", "Person: full name"),
        Role => ("Persona: ruolo", "Person: role"),
        PersonEmail => ("Persona: email", "Person: email"),
        PersonPhone => ("Persona: telefono", "Person: phone"),
        Birthday => ("Persona: compleanno", "Person: birthday"),
        Ignore => ("Non importare", "Do not import"),
    };
    if lang == Lang::It { it } else { en }
}

/// The short name of a target inside a message ("email", "telefono").
fn field_name(lang: Lang, target: Target) -> &'static str {
    let label = target_label(lang, target);
    label.split_once(": ").map_or(label, |(_, f)| f)
}

/// What is wrong with a value of a row.
pub fn problem(lang: Lang, p: &RowProblem) -> String {
    match (lang, p) {
        (Lang::It, RowProblem::MissingName) => {
            "manca il nome: scrivi la ragione sociale o il nome della persona".into()
        }
        (Lang::En, RowProblem::MissingName) => {
            "no name: fill in the company or the person's name".into()
        }
        (Lang::It, RowProblem::InvalidEmail { field, value }) => {
            format!(
                "{}: «{value}» non è un indirizzo email",
                field_name(lang, *field)
            )
        }
        (Lang::En, RowProblem::InvalidEmail { field, value }) => {
            format!(
                "{}: “{value}” is not an email address",
                field_name(lang, *field)
            )
        }
        (Lang::It, RowProblem::InvalidVatId { value }) => {
            format!(
                "«{value}» non è una partita IVA valida (11 cifre, o prefisso del paese e numero)"
            )
        }
        (Lang::En, RowProblem::InvalidVatId { value }) => {
            format!(
                "“{value}” is not a valid VAT id (11 digits, or a country prefix and the number)"
            )
        }
        (Lang::It, RowProblem::InvalidPhone { field, value }) => {
            format!(
                "{}: «{value}» non è un numero di telefono (da 6 a 15 cifre)",
                field_name(lang, *field)
            )
        }
        (Lang::En, RowProblem::InvalidPhone { field, value }) => {
            format!(
                "{}: “{value}” is not a phone number (6 to 15 digits)",
                field_name(lang, *field)
            )
        }
        (Lang::It, RowProblem::InvalidDate { value }) => {
            format!("«{value}» non è una data completa (scrivila come 15/03/1980)")
        }
        (Lang::En, RowProblem::InvalidDate { value }) => {
            format!("“{value}” is not a full date (write it as 15/03/1980)")
        }
        (Lang::It, RowProblem::InvalidStatus { value }) => {
            format!("«{value}» non è uno stato (potenziale, attivo, dormiente o perso)")
        }
        (Lang::En, RowProblem::InvalidStatus { value }) => {
            format!("“{value}” is not a status (prospect, active, dormant or lost)")
        }
        (Lang::It, RowProblem::TooLong { field, max_chars }) => {
            format!(
                "{}: troppo lungo, al massimo {max_chars} caratteri",
                field_name(lang, *field)
            )
        }
        (Lang::En, RowProblem::TooLong { field, max_chars }) => {
            format!(
                "{}: too long, at most {max_chars} characters",
                field_name(lang, *field)
            )
        }
    }
}

/// Why a CSV file could not be read.
pub fn csv_error(lang: Lang, e: &CsvError) -> String {
    match (lang, e) {
        (Lang::It, CsvError::Empty) => {
            "Il file è vuoto: esporta di nuovo la tabella, con la riga dei titoli.".into()
        }
        (Lang::En, CsvError::Empty) => {
            "The file is empty: export the table again, with its heading row.".into()
        }
        (Lang::It, CsvError::Malformed { line, .. }) => {
            format!(
                "Riga {line}: il file non si legge come CSV. Salvalo di nuovo come CSV dal foglio di calcolo."
            )
        }
        (Lang::En, CsvError::Malformed { line, .. }) => {
            format!(
                "Line {line}: the file cannot be read as CSV. Save it again as CSV from the spreadsheet."
            )
        }
    }
}

/// Why a vCard file holds nothing to import.
pub fn vcard_file_error(lang: Lang, e: &VCardFileError) -> String {
    match (lang, e) {
        (Lang::It, VCardFileError::NoCards) => {
            "Il file non contiene contatti (manca BEGIN:VCARD): esporta i contatti come vCard (.vcf).".into()
        }
        (Lang::En, VCardFileError::NoCards) => {
            "The file holds no contacts (no BEGIN:VCARD): export the contacts as vCard (.vcf).".into()
        }
    }
}

/// Why one card could not be read.
pub fn vcard_error(lang: Lang, e: &VCardError) -> String {
    let why = match (lang, &e.problem) {
        (Lang::It, VCardProblem::Unterminated) => {
            "il contatto non finisce (manca END:VCARD): il file forse è tagliato".into()
        }
        (Lang::En, VCardProblem::Unterminated) => {
            "the contact does not end (no END:VCARD): the file may be cut short".into()
        }
        (Lang::It, VCardProblem::MissingColon) => {
            "questa riga non è una proprietà vCard (NOME:valore)".into()
        }
        (Lang::En, VCardProblem::MissingColon) => {
            "this line is not a vCard property (NAME:value)".into()
        }
        (Lang::It, VCardProblem::NoName) => "il contatto non ha un nome".into(),
        (Lang::En, VCardProblem::NoName) => "the contact has no name".into(),
        (Lang::It, VCardProblem::InvalidBirthday(v)) => {
            format!("«{v}» non è una data di compleanno")
        }
        (Lang::En, VCardProblem::InvalidBirthday(v)) => format!("“{v}” is not a birthday date"),
    };
    match lang {
        Lang::It => format!("Riga {}: {why}", e.line),
        Lang::En => format!("Line {}: {why}", e.line),
    }
}

/// Why a file could not be restored.
pub fn backup_error(lang: Lang, e: &BackupError) -> String {
    match (lang, e) {
        (Lang::It, BackupError::NotABackup) => {
            "Questo non è un file di backup di Campo: scegli il file salvato con «Scarica il backup».".into()
        }
        (Lang::En, BackupError::NotABackup) => {
            "This is not a Campo backup file: choose the file saved with “Download backup”.".into()
        }
        (Lang::It, BackupError::UnsupportedVersion(v)) => {
            format!("Questo backup è di un'altra versione di Campo (formato {v}): aggiorna Campo e riprova.")
        }
        (Lang::En, BackupError::UnsupportedVersion(v)) => {
            format!("This backup is from another version of Campo (format {v}): update Campo and try again.")
        }
        (Lang::It, BackupError::Truncated { .. }) => {
            "Il file di backup è incompleto (la copia si è interrotta): usa una copia completa.".into()
        }
        (Lang::En, BackupError::Truncated { .. }) => {
            "The backup file is incomplete (the copy was interrupted): use a complete copy.".into()
        }
        (Lang::It, BackupError::Damaged | BackupError::TrailingBytes(_) | BackupError::DuplicateDoc(_)) => {
            "Il file di backup è danneggiato: usa un'altra copia.".into()
        }
        (Lang::En, BackupError::Damaged | BackupError::TrailingBytes(_) | BackupError::DuplicateDoc(_)) => {
            "The backup file is damaged: use another copy.".into()
        }
    }
}

/// A record of the backup that does not load.
pub fn backup_record_damaged(lang: Lang) -> &'static str {
    match lang {
        Lang::It => {
            "Una scheda del backup è danneggiata: non è stato ripristinato niente. Usa un'altra copia."
        }
        Lang::En => "A record in the backup is damaged: nothing was restored. Use another copy.",
    }
}

fn encoding_name(e: TextEncoding) -> &'static str {
    match e {
        TextEncoding::Utf8 => "UTF-8",
        TextEncoding::Utf8Bom => "UTF-8 (BOM)",
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => "UTF-16",
        TextEncoding::Windows1252 => "Windows-1252",
    }
}

fn separator_name(lang: Lang, s: Separator) -> &'static str {
    match (lang, s) {
        (Lang::It, Separator::Semicolon) => "punto e virgola",
        (Lang::En, Separator::Semicolon) => "semicolon",
        (Lang::It, Separator::Comma) => "virgola",
        (Lang::En, Separator::Comma) => "comma",
        (Lang::It, Separator::Tab) => "tabulazione",
        (Lang::En, Separator::Tab) => "tab",
    }
}

/// "clienti.csv · 3 righe · Windows-1252 · separatore: punto e virgola".
pub fn csv_info(lang: Lang, name: &str, rows: usize, e: TextEncoding, s: Separator) -> String {
    let n = number(lang, rows as f64, 0);
    match lang {
        Lang::It => format!(
            "{name} · {n} {} · {} · separatore: {}",
            if rows == 1 { "riga" } else { "righe" },
            encoding_name(e),
            separator_name(lang, s)
        ),
        Lang::En => format!(
            "{name} · {n} {} · {} · separator: {}",
            if rows == 1 { "row" } else { "rows" },
            encoding_name(e),
            separator_name(lang, s)
        ),
    }
}

/// "contatti.vcf · 12 contatti, 1 non leggibile".
pub fn vcf_info(lang: Lang, name: &str, cards: usize, unreadable: usize) -> String {
    let n = number(lang, cards as f64, 0);
    match lang {
        Lang::It => format!(
            "{name} · {n} {}{}",
            if cards == 1 { "contatto" } else { "contatti" },
            if unreadable > 0 {
                format!(", {unreadable} non leggibili")
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "{name} · {n} {}{}",
            if cards == 1 { "contact" } else { "contacts" },
            if unreadable > 0 {
                format!(", {unreadable} unreadable")
            } else {
                String::new()
            }
        ),
    }
}

/// "3 da importare · 1 rifiutata · 2 doppioni".
pub fn counts(lang: Lang, ready: usize, refused: usize, duplicates: usize) -> String {
    let n = |x: usize| number(lang, x as f64, 0);
    match lang {
        Lang::It => format!(
            "{} da importare · {} {} · {} {}",
            n(ready),
            n(refused),
            if refused == 1 {
                "rifiutata"
            } else {
                "rifiutate"
            },
            n(duplicates),
            if duplicates == 1 {
                "doppione"
            } else {
                "doppioni"
            }
        ),
        Lang::En => format!(
            "{} to import · {} refused · {} {}",
            n(ready),
            n(refused),
            n(duplicates),
            if duplicates == 1 {
                "duplicate"
            } else {
                "duplicates"
            }
        ),
    }
}

/// The opt-in to import without the refused rows.
pub fn valid_only(lang: Lang, valid: usize) -> String {
    let n = number(lang, valid as f64, 0);
    match lang {
        Lang::It => format!("Importa solo le {n} righe valide, senza quelle rifiutate"),
        Lang::En => format!("Import only the {n} valid rows, without the refused ones"),
    }
}

/// The import button.
pub fn import_button(lang: Lang, rows: usize) -> String {
    let n = number(lang, rows as f64, 0);
    match (lang, rows) {
        (Lang::It, 1) => "Importa 1 riga".into(),
        (Lang::It, _) => format!("Importa {n} righe"),
        (Lang::En, 1) => "Import 1 row".into(),
        (Lang::En, _) => format!("Import {n} rows"),
    }
}

/// "Preparazione delle schede: 200 di 3.000".
pub fn progress(lang: Lang, what: DataMsg, done: usize, total: usize) -> String {
    let (d, n) = (number(lang, done as f64, 0), number(lang, total as f64, 0));
    match lang {
        Lang::It => format!("{}: {d} di {n}", t(lang, what)),
        Lang::En => format!("{}: {d} of {n}", t(lang, what)),
    }
}

/// What an import did.
pub fn import_done(
    lang: Lang,
    accounts: usize,
    people: usize,
    merged: usize,
    skipped: usize,
) -> String {
    let n = |x: usize| number(lang, x as f64, 0);
    match lang {
        Lang::It => format!(
            "Importazione completata: {} {}, {} {}; {} {} nelle schede esistenti, {} {}.",
            n(accounts),
            if accounts == 1 {
                "azienda nuova"
            } else {
                "aziende nuove"
            },
            n(people),
            if people == 1 {
                "persona nuova"
            } else {
                "persone nuove"
            },
            n(merged),
            if merged == 1 {
                "riga unita"
            } else {
                "righe unite"
            },
            n(skipped),
            if skipped == 1 { "saltata" } else { "saltate" }
        ),
        Lang::En => format!(
            "Import complete: {} new {}, {} new {}; {} {} merged into existing records, {} skipped.",
            n(accounts),
            if accounts == 1 { "account" } else { "accounts" },
            n(people),
            if people == 1 { "person" } else { "people" },
            n(merged),
            if merged == 1 { "row" } else { "rows" },
            n(skipped)
        ),
    }
}

/// How a duplicate row matches: "email e telefono in comune con «Bar Roma» (in archivio)".
pub fn duplicate_of(lang: Lang, keys: &[DuplicateKey], with: &str, in_book: bool) -> String {
    let key = |k: &DuplicateKey| match (lang, k) {
        (Lang::It, DuplicateKey::Email(_)) => "email",
        (Lang::En, DuplicateKey::Email(_)) => "email",
        (Lang::It, DuplicateKey::VatId(_)) => "partita IVA",
        (Lang::En, DuplicateKey::VatId(_)) => "VAT id",
        (Lang::It, DuplicateKey::Phone(_)) => "telefono",
        (Lang::En, DuplicateKey::Phone(_)) => "phone",
    };
    let mut names: Vec<&str> = keys.iter().map(key).collect();
    names.dedup();
    let and = if lang == Lang::It { " e " } else { " and " };
    let names = names.join(and);
    let place = if in_book {
        format!(" ({})", t(lang, DataMsg::InTheBook))
    } else {
        String::new()
    };
    match lang {
        Lang::It => format!("{names} in comune con «{with}»{place}"),
        Lang::En => format!("same {names} as “{with}”{place}"),
    }
}

/// An earlier row, as a duplicate names it.
pub fn row_name(lang: Lang, line: usize) -> String {
    match lang {
        Lang::It => format!("riga {line}"),
        Lang::En => format!("line {line}"),
    }
}

/// An export button: "Aziende (12) · CSV".
pub fn export_button(lang: Lang, kind: Kind, n: usize) -> String {
    format!(
        "{} ({}) · CSV",
        super::kind_plural(lang, kind),
        number(lang, n as f64, 0)
    )
}

/// After a download.
pub fn downloaded(lang: Lang, name: &str) -> String {
    match lang {
        Lang::It => format!("Scaricato: {name}"),
        Lang::En => format!("Downloaded: {name}"),
    }
}

/// A size in bytes: "1,2 MB", "800 KB".
pub fn size(lang: Lang, bytes: usize) -> String {
    let b = bytes as f64;
    if b >= 1_000_000.0 {
        format!("{} MB", number(lang, b / 1_000_000.0, 1))
    } else {
        format!("{} KB", number(lang, (b / 1000.0).ceil(), 0))
    }
}

/// After a backup was downloaded.
pub fn backup_done(lang: Lang, name: &str, docs: usize, bytes: usize) -> String {
    let n = number(lang, docs as f64, 0);
    let s = size(lang, bytes);
    match lang {
        Lang::It => format!("Backup scaricato: {name} ({n} schede, {s})."),
        Lang::En => format!("Backup downloaded: {name} ({n} records, {s})."),
    }
}

/// What a chosen backup holds.
pub fn restore_info(lang: Lang, team: &str, when: &str, docs: usize) -> String {
    let n = number(lang, docs as f64, 0);
    match lang {
        Lang::It => format!("Backup del team «{team}» del {when}: {n} schede."),
        Lang::En => format!("Backup of team “{team}” from {when}: {n} records."),
    }
}

/// The backup is another team's.
pub fn other_team(lang: Lang, backup: &str, current: &str) -> String {
    match lang {
        Lang::It => format!(
            "È di un altro team: le sue schede entreranno nel team «{current}», che le vedrà tutto (non in «{backup}»)."
        ),
        Lang::En => format!(
            "It is another team's: its records will join team “{current}”, where everyone will see them (not “{backup}”)."
        ),
    }
}

/// What a restore did.
pub fn restore_done(lang: Lang, added: usize, merged: usize) -> String {
    let (a, m) = (
        number(lang, added as f64, 0),
        number(lang, merged as f64, 0),
    );
    match lang {
        Lang::It => format!(
            "Ripristino completato: {a} schede nuove, {m} unite a quelle del dispositivo. Le modifiche vengono inviate al server."
        ),
        Lang::En => format!(
            "Restore complete: {a} new records, {m} merged with the device's. The changes are being sent to the server."
        ),
    }
}

/// Records a bulk save refused (their values fail the record's checks).
pub fn refused_records(lang: Lang, n: usize) -> String {
    match lang {
        Lang::It => format!("{n} schede non si possono salvare: non è stato importato niente."),
        Lang::En => format!("{n} records cannot be saved: nothing was imported."),
    }
}

/// A note line for what the record has no field for ("Compleanno: --03-15").
pub fn note_line(lang: Lang, what: &str, value: &str) -> String {
    let label = match what {
        "birthday" => t(lang, DataMsg::Birthday),
        _ => t(lang, DataMsg::Address),
    };
    format!("{label}: {value}")
}

/// "Mostra altri (40 ancora)".
pub fn show_more(lang: Lang, left: usize) -> String {
    match lang {
        Lang::It => format!("{} ({left} ancora)", t(lang, DataMsg::ShowMore)),
        Lang::En => format!("{} ({left} left)", t(lang, DataMsg::ShowMore)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_a_label_in_both_languages() {
        for &target in Target::ALL {
            for lang in [Lang::It, Lang::En] {
                assert!(!target_label(lang, target).is_empty());
            }
        }
        assert_eq!(field_name(Lang::It, Target::PersonEmail), "email");
        assert_eq!(field_name(Lang::En, Target::Ignore), "Do not import");
    }

    #[test]
    fn messages_read_well() {
        let p = RowProblem::InvalidPhone {
            field: Target::Mobile,
            value: "12".into(),
        };
        assert_eq!(
            problem(Lang::It, &p),
            "cellulare: «12» non è un numero di telefono (da 6 a 15 cifre)"
        );
        assert_eq!(
            counts(Lang::En, 3, 1, 0),
            "3 to import · 1 refused · 0 duplicates"
        );
        assert_eq!(
            import_done(Lang::It, 1, 0, 2, 1),
            "Importazione completata: 1 azienda nuova, 0 persone nuove; 2 righe unite nelle schede esistenti, 1 saltata."
        );
        let keys = [
            DuplicateKey::Email("a".into()),
            DuplicateKey::Phone("1".into()),
        ];
        assert_eq!(
            duplicate_of(Lang::En, &keys, "Bar", true),
            "same email and phone as “Bar” (in the book)"
        );
        assert_eq!(size(Lang::It, 1_260_000), "1,3 MB");
        assert_eq!(size(Lang::En, 800), "1 KB");
        assert_eq!(
            csv_info(
                Lang::En,
                "a.csv",
                3,
                TextEncoding::Windows1252,
                Separator::Semicolon
            ),
            "a.csv · 3 rows · Windows-1252 · separator: semicolon"
        );
    }
}
