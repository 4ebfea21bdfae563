//! Names of record kinds, fields, collections and fixed choices, by the keys the
//! core's schema uses (`campo_core::record::schema`).

use super::Lang;
use campo_core::record::Kind;

fn pick(lang: Lang, (it, en): (&'static str, &'static str)) -> &'static str {
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// One record of a kind: "Cliente", "Account".
pub fn kind_label(lang: Lang, kind: Kind) -> &'static str {
    pick(
        lang,
        match kind {
            Kind::Account => ("Azienda", "Account"),
            Kind::Person => ("Persona", "Person"),
            Kind::Product => ("Prodotto", "Product"),
            Kind::Deal => ("Trattativa", "Deal"),
            Kind::Task => ("Attività", "Task"),
            Kind::Team => ("Team", "Team"),
        },
    )
}

/// The kind's list: "Aziende", "Accounts".
pub fn kind_plural(lang: Lang, kind: Kind) -> &'static str {
    pick(
        lang,
        match kind {
            Kind::Account => ("Aziende", "Accounts"),
            Kind::Person => ("Persone", "People"),
            Kind::Product => ("Prodotti", "Products"),
            Kind::Deal => ("Trattative", "Deals"),
            Kind::Task => ("Attività", "Tasks"),
            Kind::Team => ("Team", "Team"),
        },
    )
}

/// A field's label. Keys are shared across kinds where they mean the same.
pub fn field_label(lang: Lang, kind: Kind, key: &str) -> &'static str {
    let pair = match (kind, key) {
        (Kind::Account, "name") => ("Ragione sociale o insegna", "Name"),
        (Kind::Person, "name") => ("Nome e cognome", "Full name"),
        (Kind::Product, "name") => ("Descrizione", "Name"),
        (Kind::Team, "name") => ("Nome del team", "Team name"),
        (Kind::Person, "account") | (Kind::Deal, "account") | (Kind::Task, "account") => {
            ("Azienda", "Account")
        }
        (_, "type") => ("Tipo", "Type"),
        (_, "category") => ("Categoria", "Category"),
        (_, "company") => ("Denominazione legale", "Legal name"),
        (_, "relation") => ("Relazione", "Relationship"),
        (_, "status") => ("Stato", "Status"),
        (_, "vat_id") => ("Partita IVA", "VAT id"),
        (_, "phone") => ("Telefono", "Phone"),
        (_, "mobile") => ("Cellulare", "Mobile"),
        (_, "email") => ("Email", "Email"),
        (_, "website") => ("Sito web", "Website"),
        (_, "industry") => ("Settore", "Industry"),
        (_, "size") => ("Dimensione", "Size"),
        (_, "traits") => ("Caratteristiche", "Traits"),
        (_, "preferences") => ("Preferenze", "Preferences"),
        (_, "source") => ("Origine dei dati", "Data source"),
        (_, "source_detail") => (
            "Dettaglio origine (file, fornitore)",
            "Source detail (file, provider)",
        ),
        (_, "source_date") => ("Data di acquisizione", "Acquired on"),
        (_, "owner") => ("Responsabile", "Owner"),
        (_, "referred_by") => ("Segnalato da", "Referred by"),
        (_, "merged_into") => ("Unito a", "Merged into"),
        (_, "street") => ("Via e numero", "Street"),
        (_, "city") => ("Città", "City"),
        (_, "postcode") => ("CAP", "Postcode"),
        (_, "province") => ("Provincia", "Province"),
        (_, "country") => ("Paese", "Country"),
        (_, "role") => ("Ruolo", "Role"),
        (_, "preferred_channel") => ("Canale preferito", "Preferred channel"),
        (_, "birthday") => ("Compleanno", "Birthday"),
        (_, "code") => ("Codice", "Code"),
        (_, "unit_price") => ("Prezzo unitario", "Unit price"),
        (_, "unit") => ("Unità", "Unit"),
        (_, "discontinued") => ("Fuori catalogo", "Discontinued"),
        (_, "title") => ("Titolo", "Title"),
        (_, "person") => ("Persona", "Person"),
        (_, "stage") => ("Fase", "Stage"),
        (_, "value") => ("Valore", "Value"),
        (_, "probability") => ("Probabilità (%)", "Probability (%)"),
        (_, "expected_close") => ("Chiusura prevista", "Expected close"),
        (_, "lost_reason") => ("Motivo della perdita", "Lost reason"),
        (_, "due") => ("Scadenza", "Due"),
        (_, "time") => ("Ora", "Time"),
        (_, "assignee") => ("Assegnata a", "Assigned to"),
        (_, "deal") => ("Trattativa", "Deal"),
        (_, "done") => ("Fatta", "Done"),
        (_, "channel") => ("Canale", "Channel"),
        (_, "direction") => ("Direzione", "Direction"),
        (_, "date") => ("Data", "Date"),
        (_, "duration") => ("Durata (minuti)", "Duration (minutes)"),
        (_, "summary") => ("Sintesi", "Summary"),
        (_, "outcome") => ("Esito", "Outcome"),
        (_, "rating") => ("Com'è andata", "How it went"),
        (_, "next_step") => ("Prossimo passo", "Next step"),
        (_, "kind") => ("Tipo", "Kind"),
        (_, "label") => ("Etichetta", "Label"),
        (_, "number") => ("Numero", "Number"),
        (_, "rep") => ("Agente", "Rep"),
        (_, "note") => ("Nota", "Note"),
        (_, "product") => ("Prodotto", "Product"),
        (_, "quantity") => ("Quantità", "Quantity"),
        (_, "discount") => ("Sconto (%)", "Discount (%)"),
        (_, "choices") => ("Scelte (separate da |)", "Choices (separated by |)"),
        (_, "applies_to") => ("Si applica a", "Applies to"),
        (_, "position") => ("Posizione", "Position"),
        (_, "list") => ("Elenco", "List"),
        (_, "query") => ("Filtro", "Filter"),
        (_, "tags") => ("Etichette", "Tags"),
        (_, "notes") => ("Note", "Notes"),
        _ => ("", ""),
    };
    let label = pick(lang, pair);
    if label.is_empty() { "?" } else { label }
}

/// A collection's heading.
pub fn coll_label(lang: Lang, coll: &str) -> &'static str {
    pick(
        lang,
        match coll {
            "interactions" => ("Interazioni", "Interactions"),
            "addresses" => ("Altri indirizzi", "Other addresses"),
            "contacts" => ("Altri recapiti", "Other contacts"),
            "orders" => ("Ordini", "Orders"),
            "lines" => ("Righe", "Lines"),
            "custom_fields" => ("Campi personalizzati", "Custom fields"),
            "views" => ("Viste salvate", "Saved views"),
            _ => ("?", "?"),
        },
    )
}

/// The label of a fixed choice, by the field it belongs to and its stored key.
pub fn choice_label(lang: Lang, field: &str, key: &str) -> &'static str {
    let pair = match (field, key) {
        (_, "") => ("—", "—"),
        ("relation", "customer") => ("Cliente", "Customer"),
        ("relation", "supplier") => ("Fornitore", "Supplier"),
        ("relation", "both") => ("Cliente e fornitore", "Customer and supplier"),
        ("status", "prospect") => ("Potenziale", "Prospect"),
        ("status", "active") => ("Attivo", "Active"),
        ("status", "dormant") => ("Dormiente", "Dormant"),
        ("status", "lost") => ("Perso", "Lost"),
        ("status", "draft") => ("Bozza", "Draft"),
        ("status", "confirmed") => ("Confermato", "Confirmed"),
        ("status", "delivered") => ("Consegnato", "Delivered"),
        ("status", "cancelled") => ("Annullato", "Cancelled"),
        ("source", "own") => ("Inserimento proprio", "Own entry"),
        ("source", "imported") => ("Lista importata", "Imported list"),
        ("source", "enrichment") => ("Arricchimento da terzi", "Third-party enrichment"),
        ("channel" | "preferred_channel", "visit") => ("Visita", "Visit"),
        ("channel" | "preferred_channel", "phone") => ("Telefonata", "Phone call"),
        ("channel" | "preferred_channel", "email") => ("Email", "Email"),
        ("channel" | "preferred_channel", "letter") => ("Lettera", "Letter"),
        ("channel" | "preferred_channel", "video") => ("Videochiamata", "Video call"),
        ("channel" | "preferred_channel", "chat") => ("Chat", "Chat"),
        ("channel" | "preferred_channel", "other") => ("Altro", "Other"),
        ("direction", "out") => ("In uscita", "Outbound"),
        ("direction", "in") => ("In entrata", "Inbound"),
        ("rating", "positive") => ("Bene", "Well"),
        ("rating", "neutral") => ("Così così", "So-so"),
        ("rating", "negative") => ("Male", "Badly"),
        ("stage", "lead") => ("Contatto", "Lead"),
        ("stage", "qualified") => ("Qualificata", "Qualified"),
        ("stage", "proposal") => ("Offerta", "Proposal"),
        ("stage", "negotiation") => ("Negoziazione", "Negotiation"),
        ("stage", "won") => ("Vinta", "Won"),
        ("stage", "lost") => ("Persa", "Lost"),
        ("size", "micro") => ("Micro (1-9)", "Micro (1-9)"),
        ("size", "small") => ("Piccola (10-49)", "Small (10-49)"),
        ("size", "medium") => ("Media (50-249)", "Medium (50-249)"),
        ("size", "large") => ("Grande (250+)", "Large (250+)"),
        ("kind", "billing") => ("Fatturazione", "Billing"),
        ("kind", "shipping") => ("Consegna", "Shipping"),
        ("kind", "office") => ("Sede", "Office"),
        ("kind", "warehouse") => ("Magazzino", "Warehouse"),
        ("kind", "phone") => ("Telefono", "Phone"),
        ("kind", "mobile") => ("Cellulare", "Mobile"),
        ("kind", "fax") => ("Fax", "Fax"),
        ("kind", "email") => ("Email", "Email"),
        ("kind", "website") => ("Sito web", "Website"),
        ("kind", "sale") => ("Vendita", "Sale"),
        ("kind", "refund") => ("Reso", "Refund"),
        ("kind" | "type", "other") => ("Altro", "Other"),
        ("type", "task") => ("Da fare", "To do"),
        ("type", "call") => ("Chiamata", "Call"),
        ("type", "visit") => ("Visita", "Visit"),
        ("type", "email") => ("Email", "Email"),
        ("type", "issue") => ("Problema aperto", "Open issue"),
        ("type", "text") => ("Testo", "Text"),
        ("type", "number") => ("Numero", "Number"),
        ("type", "date") => ("Data", "Date"),
        ("type", "choice") => ("Scelta", "Choice"),
        ("applies_to", "account") => ("Aziende", "Accounts"),
        ("applies_to", "person") => ("Persone", "People"),
        ("applies_to", "deal") => ("Trattative", "Deals"),
        _ => ("?", "?"),
    };
    pick(lang, pair)
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::record::FieldType;

    /// Every field and every choice of every kind has a label in both languages.
    #[test]
    fn every_schema_key_is_translated() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            let colls = spec
                .collections
                .iter()
                .flat_map(|c| std::iter::once(c.fields).chain(c.sub.map(|s| s.fields)));
            for f in spec.fields.iter().chain(colls.flatten()) {
                for lang in [Lang::It, Lang::En] {
                    assert_ne!(field_label(lang, kind, f.key), "?", "{kind:?}.{}", f.key);
                    if let FieldType::Choice(keys) = f.ty {
                        for k in keys {
                            assert_ne!(choice_label(lang, f.key, k), "?", "{}={k}", f.key);
                        }
                    }
                }
            }
            for c in spec.collections {
                assert_ne!(coll_label(Lang::It, c.key), "?");
            }
        }
    }
}
