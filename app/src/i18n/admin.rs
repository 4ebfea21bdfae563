//! The team page's words (custom fields, saved views, rep tokens), in Italian and English.

use super::Lang;

/// A fixed message of the team page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminMsg {
    Title,
    CustomFields,
    CustomFieldsHelp,
    NoCustomFields,
    AddField,
    SavedViews,
    NoSavedViews,
    Remove,
    ConfirmRemove,
    Rename,
    NewName,
    Reps,
    RepsHelp,
    RepName,
    AdminToken,
    AdminTokenHelp,
    CreateToken,
    Revoke,
    ConfirmRevoke,
    TokenCreated,
    TokenOnce,
    NoTokens,
    NotAdmin,
    Unreachable,
    Created,
    Revoked,
    LoadTokens,
    NeedAdminToken,
    BadAdminToken,
    ServerFailed,
    BadRepName,
    NoActiveToken,
    ConfirmRevokeAll,
    MakeAdmin,
    RoleAdmin,
    RoleRep,
    Active,
    ColRep,
    ColRole,
    ColTokens,
    ColStatus,
    ColActions,
    TokensRevoked,
    Done,
    CloseAdmin,
    NewTokenFor,
}

pub fn t(lang: Lang, msg: AdminMsg) -> &'static str {
    use AdminMsg::*;
    let (it, en) = match msg {
        Title => ("Impostazioni del team", "Team settings"),
        CustomFields => ("Campi personalizzati", "Custom fields"),
        CustomFieldsHelp => (
            "Campi in più per aziende, persone o trattative: definiti qui una volta, valgono per tutto il team.",
            "Extra fields for accounts, people or deals: defined here once, they apply to the whole team.",
        ),
        NoCustomFields => ("Nessun campo personalizzato.", "No custom fields."),
        AddField => ("Aggiungi campo", "Add field"),
        SavedViews => ("Viste salvate", "Saved views"),
        NoSavedViews => (
            "Nessuna vista salvata: negli elenchi, imposta filtri e ordinamento e tocca «Salva vista».",
            "No saved views: in a list, set filters and sort, then tap “Save view”.",
        ),
        Remove => ("Elimina", "Remove"),
        ConfirmRemove => (
            "Eliminare per tutto il team?",
            "Remove it for the whole team?",
        ),
        Rename => ("Rinomina", "Rename"),
        NewName => ("Nuovo nome", "New name"),
        Reps => ("Agenti e token di accesso", "Reps and access tokens"),
        RepsHelp => (
            "Ogni agente accede con il proprio token. Un token revocato chiude subito le sessioni aperte.",
            "Each rep signs in with their own token. A revoked token closes its open sessions at once.",
        ),
        RepName => ("Nome dell'agente", "Rep's name"),
        AdminToken => ("Token di amministratore", "Admin token"),
        AdminTokenHelp => (
            "Serve un token creato con «campo-relay token create --admin». Resta solo in questa pagina.",
            "Needs a token made with “campo-relay token create --admin”. It stays on this page only.",
        ),
        CreateToken => ("Crea token", "Create token"),
        Revoke => ("Revoca", "Revoke"),
        ConfirmRevoke => (
            "Revocare questo token? L'agente dovrà riceverne uno nuovo.",
            "Revoke this token? The rep will need a new one.",
        ),
        TokenCreated => (
            "Token creato: consegnalo all'agente.",
            "Token created: give it to the rep.",
        ),
        TokenOnce => ("Sarà mostrato solo ora.", "It is shown only now."),
        NoTokens => ("Nessun token.", "No tokens."),
        NotAdmin => (
            "Questo token non è di un amministratore del team.",
            "This token is not a team admin's.",
        ),
        Unreachable => (
            "Server non raggiungibile: riprova quando sei in linea.",
            "Server unreachable: try again when online.",
        ),
        Created => ("creato", "created"),
        Revoked => ("revocato", "revoked"),
        LoadTokens => ("Mostra i token", "Show tokens"),
        NeedAdminToken => (
            "Inserisci prima il token di amministratore.",
            "Enter the admin token first.",
        ),
        BadAdminToken => (
            "Questo token di amministratore non è valido o è stato revocato.",
            "This admin token is not valid or was revoked.",
        ),
        ServerFailed => (
            "Il server non ha completato l'operazione: nulla è cambiato. Riprova più tardi.",
            "The server could not do it; nothing changed. Try again later.",
        ),
        BadRepName => (
            "Il nome dell'agente deve avere da 1 a 64 caratteri, senza a capo.",
            "The rep's name needs 1 to 64 characters, with no line breaks.",
        ),
        NoActiveToken => (
            "Questo agente non ha token attivi.",
            "This rep has no active token.",
        ),
        ConfirmRevokeAll => (
            "Revocare tutti i token di questo agente? Le sue sessioni aperte si chiuderanno e gli servirà un nuovo token.",
            "Revoke all of this rep's tokens? Their open sessions will close, and they will need a new token.",
        ),
        MakeAdmin => (
            "Amministratore (può gestire i token del team)",
            "Admin (may manage the team's tokens)",
        ),
        RoleAdmin => ("Amministratore", "Admin"),
        RoleRep => ("Agente", "Rep"),
        Active => ("attivo", "active"),
        ColRep => ("Agente", "Rep"),
        ColRole => ("Ruolo", "Role"),
        ColTokens => ("Token (impronta)", "Tokens (fingerprint)"),
        ColStatus => ("Stato", "Status"),
        ColActions => ("Azioni", "Actions"),
        TokensRevoked => ("Token revocati", "Tokens revoked"),
        Done => ("Fatto", "Done"),
        CloseAdmin => ("Chiudi la gestione dei token", "Close token management"),
        NewTokenFor => ("Nuovo token per", "New token for"),
    };
    if lang == Lang::It { it } else { en }
}
