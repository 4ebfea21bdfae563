//! From a [`CsvTable`] to import rows: which column fills which record field
//! ([`Target`], [`suggest_mapping`]), and reading, normalising and checking each row
//! ([`apply_mapping`]).

use super::csv_import::CsvTable;
use super::date::parse_date;
use super::phone::{is_valid_phone, phone_digits};
use super::vat::{normalize_vat_id, vat_id_key};
use crate::record::value::{MAX_FIELD_CHARS, MAX_TEXT_CHARS};
use crate::sorting;
use crate::vocab::AccountStatus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest accepted tag, in characters (the form's rule).
pub const MAX_TAG_CHARS: usize = 40;

/// A record field an imported column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Target {
    // The account (the company or the private customer).
    Name,
    VatId,
    Phone,
    Mobile,
    Email,
    Website,
    Street,
    City,
    Postcode,
    Province,
    Country,
    Industry,
    /// Several tags in one cell, separated by `,`, `;` or `|`.
    Tags,
    Notes,
    /// An [`AccountStatus`], by key or by a common Italian or English word.
    Status,
    // The contact person at the account.
    FirstName,
    LastName,
    /// The whole name, when the file does not split it.
    FullName,
    Role,
    PersonEmail,
    PersonPhone,
    /// Any date form [`super::date::parse_date`] reads.
    Birthday,
    /// The column is not imported.
    Ignore,
}

impl Target {
    /// Every target, in the order a mapping screen lists them.
    pub const ALL: &'static [Target] = &[
        Target::Name,
        Target::VatId,
        Target::Phone,
        Target::Mobile,
        Target::Email,
        Target::Website,
        Target::Street,
        Target::City,
        Target::Postcode,
        Target::Province,
        Target::Country,
        Target::Industry,
        Target::Tags,
        Target::Notes,
        Target::Status,
        Target::FirstName,
        Target::LastName,
        Target::FullName,
        Target::Role,
        Target::PersonEmail,
        Target::PersonPhone,
        Target::Birthday,
        Target::Ignore,
    ];

    /// The stable key (also the translation key in the app).
    pub fn key(self) -> &'static str {
        match self {
            Target::Name => "name",
            Target::VatId => "vat_id",
            Target::Phone => "phone",
            Target::Mobile => "mobile",
            Target::Email => "email",
            Target::Website => "website",
            Target::Street => "street",
            Target::City => "city",
            Target::Postcode => "postcode",
            Target::Province => "province",
            Target::Country => "country",
            Target::Industry => "industry",
            Target::Tags => "tags",
            Target::Notes => "notes",
            Target::Status => "status",
            Target::FirstName => "first_name",
            Target::LastName => "last_name",
            Target::FullName => "full_name",
            Target::Role => "role",
            Target::PersonEmail => "person_email",
            Target::PersonPhone => "person_phone",
            Target::Birthday => "birthday",
            Target::Ignore => "ignore",
        }
    }

    /// The target with this key.
    pub fn from_key(key: &str) -> Option<Target> {
        Self::ALL.iter().copied().find(|t| t.key() == key)
    }

    /// Whether the target belongs to the contact person rather than the account.
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Target::FirstName
                | Target::LastName
                | Target::FullName
                | Target::Role
                | Target::PersonEmail
                | Target::PersonPhone
                | Target::Birthday
        )
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Header names and the target they suggest, compared after [`header_key`] (lower
/// case, no accents, letters and digits only). Italian spreadsheets, Salesforce
/// report and data exports (labels and API names), HubSpot exports, English.
const HEADER_NAMES: &[(&str, Target)] = &[
    // Account name.
    ("ragionesociale", Target::Name),
    ("denominazione", Target::Name),
    ("azienda", Target::Name),
    ("nomeazienda", Target::Name),
    ("societa", Target::Name),
    ("ditta", Target::Name),
    ("cliente", Target::Name),
    ("nomecliente", Target::Name),
    ("organizzazione", Target::Name),
    ("name", Target::Name),
    ("company", Target::Name),
    ("companyname", Target::Name),
    ("account", Target::Name),
    ("accountname", Target::Name),
    ("organization", Target::Name),
    ("organisation", Target::Name),
    ("businessname", Target::Name),
    // VAT id.
    ("partitaiva", Target::VatId),
    ("piva", Target::VatId),
    ("pi", Target::VatId),
    ("iva", Target::VatId),
    ("vat", Target::VatId),
    ("vatid", Target::VatId),
    ("vatnumber", Target::VatId),
    ("vatno", Target::VatId),
    ("vatregistrationnumber", Target::VatId),
    ("taxid", Target::VatId),
    // Phones.
    ("telefono", Target::Phone),
    ("tel", Target::Phone),
    ("telefonofisso", Target::Phone),
    ("telefonoufficio", Target::Phone),
    ("phone", Target::Phone),
    ("phonenumber", Target::Phone),
    ("telephone", Target::Phone),
    ("businessphone", Target::Phone),
    ("officephone", Target::Phone),
    ("workphone", Target::Phone),
    ("cellulare", Target::Mobile),
    ("cell", Target::Mobile),
    ("telefonocellulare", Target::Mobile),
    ("mobile", Target::Mobile),
    ("mobilephone", Target::Mobile),
    ("mobilephonenumber", Target::Mobile),
    ("cellphone", Target::Mobile),
    // Email and web.
    ("email", Target::Email),
    ("mail", Target::Email),
    ("emailaddress", Target::Email),
    ("indirizzoemail", Target::Email),
    ("postaelettronica", Target::Email),
    ("pec", Target::Email),
    ("sito", Target::Website),
    ("sitoweb", Target::Website),
    ("sitointernet", Target::Website),
    ("website", Target::Website),
    ("web", Target::Website),
    ("url", Target::Website),
    ("homepage", Target::Website),
    ("dominio", Target::Website),
    ("domain", Target::Website),
    ("companydomainname", Target::Website),
    // Address.
    ("indirizzo", Target::Street),
    ("via", Target::Street),
    ("street", Target::Street),
    ("address", Target::Street),
    ("streetaddress", Target::Street),
    ("billingstreet", Target::Street),
    ("mailingstreet", Target::Street),
    ("shippingstreet", Target::Street),
    ("citta", Target::City),
    ("comune", Target::City),
    ("localita", Target::City),
    ("city", Target::City),
    ("town", Target::City),
    ("billingcity", Target::City),
    ("mailingcity", Target::City),
    ("shippingcity", Target::City),
    ("cap", Target::Postcode),
    ("codicepostale", Target::Postcode),
    ("postcode", Target::Postcode),
    ("postalcode", Target::Postcode),
    ("zip", Target::Postcode),
    ("zipcode", Target::Postcode),
    ("billingzippostalcode", Target::Postcode),
    ("billingpostalcode", Target::Postcode),
    ("mailingzippostalcode", Target::Postcode),
    ("mailingpostalcode", Target::Postcode),
    ("shippingzippostalcode", Target::Postcode),
    ("provincia", Target::Province),
    ("prov", Target::Province),
    ("pr", Target::Province),
    ("province", Target::Province),
    ("state", Target::Province),
    ("county", Target::Province),
    ("stateprovince", Target::Province),
    ("stateregion", Target::Province),
    ("billingstateprovince", Target::Province),
    ("billingstate", Target::Province),
    ("mailingstateprovince", Target::Province),
    ("mailingstate", Target::Province),
    ("nazione", Target::Country),
    ("paese", Target::Country),
    ("country", Target::Country),
    ("countryregion", Target::Country),
    ("billingcountry", Target::Country),
    ("mailingcountry", Target::Country),
    // Classification and free text.
    ("settore", Target::Industry),
    ("settoremerceologico", Target::Industry),
    ("attivita", Target::Industry),
    ("industry", Target::Industry),
    ("tag", Target::Tags),
    ("tags", Target::Tags),
    ("etichetta", Target::Tags),
    ("etichette", Target::Tags),
    ("categorie", Target::Tags),
    ("categories", Target::Tags),
    ("labels", Target::Tags),
    ("note", Target::Notes),
    ("nota", Target::Notes),
    ("notes", Target::Notes),
    ("descrizione", Target::Notes),
    ("description", Target::Notes),
    ("commenti", Target::Notes),
    ("commento", Target::Notes),
    ("comments", Target::Notes),
    ("osservazioni", Target::Notes),
    ("status", Target::Status),
    ("statocliente", Target::Status),
    ("accountstatus", Target::Status),
    ("leadstatus", Target::Status),
    ("lifecyclestage", Target::Status),
    // The person.
    ("nome", Target::FirstName),
    ("nomereferente", Target::FirstName),
    ("firstname", Target::FirstName),
    ("givenname", Target::FirstName),
    ("cognome", Target::LastName),
    ("cognomereferente", Target::LastName),
    ("lastname", Target::LastName),
    ("surname", Target::LastName),
    ("familyname", Target::LastName),
    ("referente", Target::FullName),
    ("contatto", Target::FullName),
    ("nomecognome", Target::FullName),
    ("nomecompleto", Target::FullName),
    ("fullname", Target::FullName),
    ("contact", Target::FullName),
    ("contactname", Target::FullName),
    ("ruolo", Target::Role),
    ("qualifica", Target::Role),
    ("mansione", Target::Role),
    ("carica", Target::Role),
    ("role", Target::Role),
    ("title", Target::Role),
    ("jobtitle", Target::Role),
    ("position", Target::Role),
    ("emailreferente", Target::PersonEmail),
    ("emailcontatto", Target::PersonEmail),
    ("contactemail", Target::PersonEmail),
    ("telefonoreferente", Target::PersonPhone),
    ("cellularereferente", Target::PersonPhone),
    ("contactphone", Target::PersonPhone),
    ("compleanno", Target::Birthday),
    ("datadinascita", Target::Birthday),
    ("datanascita", Target::Birthday),
    ("birthday", Target::Birthday),
    ("birthdate", Target::Birthday),
    ("dateofbirth", Target::Birthday),
];

/// Words that, inside a longer header, suggest a target ("Telefono sede",
/// "E-mail aziendale"). Checked in order, after the exact names.
const HEADER_WORDS: &[(&str, Target)] = &[
    ("partitaiva", Target::VatId),
    ("vatnumber", Target::VatId),
    ("email", Target::Email),
    ("cellulare", Target::Mobile),
    ("mobile", Target::Mobile),
    ("telefono", Target::Phone),
    ("phone", Target::Phone),
    ("indirizzo", Target::Street),
    ("street", Target::Street),
    ("citta", Target::City),
    ("city", Target::City),
    ("postalcode", Target::Postcode),
    ("zipcode", Target::Postcode),
    ("provincia", Target::Province),
    ("ragionesociale", Target::Name),
    ("note", Target::Notes),
];

/// A header in the form it is compared in: lower case, accents removed, and only
/// letters and digits kept ("Città" → "citta", "P.IVA" → "piva",
/// "Billing Zip/Postal Code" → "billingzippostalcode").
pub fn header_key(header: &str) -> String {
    let mut key = String::with_capacity(header.len());
    for c in header.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'ß' => {
                key.push_str("ss");
                continue;
            }
            other => other,
        };
        if base.is_alphanumeric() {
            key.push(base);
        }
    }
    key
}

fn suggest_one(header: &str) -> Target {
    let key = header_key(header);
    // A yes/no column about emails or calls ("Email Opt Out") holds no address.
    if key.contains("optout") || key.contains("donotcall") {
        return Target::Ignore;
    }
    if let Some(&(_, t)) = HEADER_NAMES.iter().find(|(name, _)| *name == key) {
        return t;
    }
    HEADER_WORDS
        .iter()
        .find(|(word, _)| key.contains(word))
        .map_or(Target::Ignore, |&(_, t)| t)
}

/// Suggests a target for each header, from its name in Italian or English or in a
/// CRM's export (case, accents and punctuation do not matter).
///
/// Each target is suggested once, for the first column that names it; later ones
/// are `Ignore` ("Shipping Street" after "Billing Street"), except tags and notes,
/// which gather every column.
///
/// In a file of people (it has a first, last or full name column) the first email
/// column is the person's, and so is the mobile column, or the first phone column
/// when there is no mobile: a contacts export describes people. When there is a
/// mobile, the phone column stays the account's (the office number).
pub fn suggest_mapping(headers: &[String]) -> Vec<Target> {
    let mut targets: Vec<Target> = headers.iter().map(|h| suggest_one(h)).collect();
    let has_person_name = targets
        .iter()
        .any(|t| matches!(t, Target::FirstName | Target::LastName | Target::FullName));
    if has_person_name {
        let first = |ts: &[Target], t: Target| ts.iter().position(|&x| x == t);
        if first(&targets, Target::PersonEmail).is_none()
            && let Some(i) = first(&targets, Target::Email)
        {
            targets[i] = Target::PersonEmail;
        }
        if first(&targets, Target::PersonPhone).is_none()
            && let Some(i) =
                first(&targets, Target::Mobile).or_else(|| first(&targets, Target::Phone))
        {
            targets[i] = Target::PersonPhone;
        }
    }
    let mut seen = Vec::new();
    for t in &mut targets {
        if matches!(t, Target::Tags | Target::Notes | Target::Ignore) {
            continue;
        }
        if seen.contains(t) {
            *t = Target::Ignore;
        } else {
            seen.push(*t);
        }
    }
    targets
}

/// The account part of an imported row. Empty strings are fields the file did not
/// fill.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFields {
    /// Never empty: when the file names no company but names a person, the account
    /// is named after the person (a private customer).
    pub name: String,
    /// Compacted and checked ([`super::vat::normalize_vat_id`]).
    pub vat_id: String,
    /// As typed (trimmed); [`super::phone::phone_digits`] gives the form to match on.
    pub phone: String,
    pub mobile: String,
    /// Lower-cased.
    pub email: String,
    pub website: String,
    pub street: String,
    pub city: String,
    /// Italian postcodes (5 digits) get back the leading zeros Excel drops.
    pub postcode: String,
    pub province: String,
    pub country: String,
    pub industry: String,
    /// Trimmed, without empty or repeated tags.
    pub tags: Vec<String>,
    pub notes: String,
    pub status: Option<AccountStatus>,
}

/// The contact-person part of an imported row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFields {
    pub first_name: String,
    pub last_name: String,
    /// The full-name column, or first and last name joined.
    pub full_name: String,
    pub role: String,
    /// Lower-cased.
    pub email: String,
    /// As typed (trimmed).
    pub phone: String,
    /// `YYYY-MM-DD`, or `--MM-DD` without a year; empty when not given.
    pub birthday: String,
}

/// A row that passed every check, ready to become records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The file line the row starts on (1-based, as in [`super::CsvRow::line`]).
    pub row: usize,
    pub account: AccountFields,
    /// Present when any person column holds something.
    pub person: Option<PersonFields>,
}

/// What is wrong with one value of a row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("no name: fill in the company name or the person's name")]
    MissingName,
    #[error("{field}: {value:?} is not an email address (like name@example.it)")]
    InvalidEmail { field: Target, value: String },
    #[error(
        "{value:?} is not a valid VAT id (11 digits for Italy, or a country prefix and the number)"
    )]
    InvalidVatId { value: String },
    #[error("{field}: {value:?} is not a phone number (6-15 digits, an optional leading +)")]
    InvalidPhone { field: Target, value: String },
    #[error("{value:?} is not a date (write it as 15/03/1980 or 1980-03-15)")]
    InvalidDate { value: String },
    #[error("{value:?} is not a status (prospect, active, dormant or lost)")]
    InvalidStatus { value: String },
    #[error("{field} is too long: shorten it to {max_chars} characters")]
    TooLong { field: Target, max_chars: usize },
}

impl RowProblem {
    /// A stable key for the kind of problem (also its translation key).
    pub fn key(&self) -> &'static str {
        match self {
            RowProblem::MissingName => "missing_name",
            RowProblem::InvalidEmail { .. } => "invalid_email",
            RowProblem::InvalidVatId { .. } => "invalid_vat_id",
            RowProblem::InvalidPhone { .. } => "invalid_phone",
            RowProblem::InvalidDate { .. } => "invalid_date",
            RowProblem::InvalidStatus { .. } => "invalid_status",
            RowProblem::TooLong { .. } => "too_long",
        }
    }

    /// The field the problem is in.
    pub fn field(&self) -> Target {
        match self {
            RowProblem::MissingName => Target::Name,
            RowProblem::InvalidEmail { field, .. }
            | RowProblem::InvalidPhone { field, .. }
            | RowProblem::TooLong { field, .. } => *field,
            RowProblem::InvalidVatId { .. } => Target::VatId,
            RowProblem::InvalidDate { .. } => Target::Birthday,
            RowProblem::InvalidStatus { .. } => Target::Status,
        }
    }

    /// `key:field`, e.g. `invalid_email:person_email`, as the error report writes it.
    pub fn code(&self) -> String {
        format!("{}:{}", self.key(), self.field().key())
    }
}

/// A row that cannot be imported, and every reason why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {row}: {}", describe(.reasons))]
pub struct RowError {
    /// The file line the row starts on (1-based).
    pub row: usize,
    pub reasons: Vec<RowProblem>,
}

fn describe(reasons: &[RowProblem]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads every row of `table` with `mapping` (one target per column; missing
/// entries count as `Ignore`), normalises the values and checks them. The result
/// has one entry per table row, in order.
///
/// When several columns map to the same target, the first non-empty value wins;
/// tags are gathered from all of them and notes joined by newlines.
pub fn apply_mapping(table: &CsvTable, mapping: &[Target]) -> Vec<Result<ImportRow, RowError>> {
    table
        .rows
        .iter()
        .map(|r| map_row(r.line, &r.fields, mapping))
        .collect()
}

/// Raw values of one row, per target.
#[derive(Default)]
struct Raw<'a> {
    values: Vec<(Target, &'a str)>,
}

impl<'a> Raw<'a> {
    fn first(&self, target: Target) -> &'a str {
        self.values
            .iter()
            .find(|(t, v)| *t == target && !v.trim().is_empty())
            .map_or("", |(_, v)| v.trim())
    }

    fn all(&self, target: Target) -> impl Iterator<Item = &'a str> + '_ {
        self.values
            .iter()
            .filter(move |(t, v)| *t == target && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }
}

fn map_row(row: usize, fields: &[String], mapping: &[Target]) -> Result<ImportRow, RowError> {
    let mut raw = Raw::default();
    for (i, value) in fields.iter().enumerate() {
        let target = mapping.get(i).copied().unwrap_or(Target::Ignore);
        if target != Target::Ignore {
            raw.values.push((target, value.as_str()));
        }
    }
    let mut problems = Vec::new();

    let mut person = PersonFields {
        first_name: raw.first(Target::FirstName).to_owned(),
        last_name: raw.first(Target::LastName).to_owned(),
        full_name: raw.first(Target::FullName).to_owned(),
        role: raw.first(Target::Role).to_owned(),
        email: email(&raw, Target::PersonEmail, &mut problems),
        phone: phone(&raw, Target::PersonPhone, &mut problems),
        birthday: String::new(),
    };
    let birthday = raw.first(Target::Birthday);
    if !birthday.is_empty() {
        match parse_date(birthday) {
            Some(d) => person.birthday = d,
            None => problems.push(RowProblem::InvalidDate {
                value: birthday.to_owned(),
            }),
        }
    }
    if person.full_name.is_empty() {
        person.full_name = format!("{} {}", person.first_name, person.last_name)
            .trim()
            .to_owned();
    }
    let has_person = person != PersonFields::default();

    let country = raw.first(Target::Country).to_owned();
    let mut account = AccountFields {
        name: raw.first(Target::Name).to_owned(),
        vat_id: String::new(),
        phone: phone(&raw, Target::Phone, &mut problems),
        mobile: phone(&raw, Target::Mobile, &mut problems),
        email: email(&raw, Target::Email, &mut problems),
        website: raw.first(Target::Website).to_owned(),
        street: raw.first(Target::Street).to_owned(),
        city: raw.first(Target::City).to_owned(),
        postcode: postcode(raw.first(Target::Postcode), &country),
        province: raw.first(Target::Province).to_owned(),
        country,
        industry: raw.first(Target::Industry).to_owned(),
        tags: tags(&raw),
        notes: raw.all(Target::Notes).collect::<Vec<_>>().join("\n"),
        status: None,
    };
    let vat = raw.first(Target::VatId);
    if !vat.is_empty() {
        match normalize_vat_id(vat) {
            Some(v) => account.vat_id = v,
            None => problems.push(RowProblem::InvalidVatId {
                value: vat.to_owned(),
            }),
        }
    }
    let status = raw.first(Target::Status);
    if !status.is_empty() {
        match parse_status(status) {
            Some(s) => account.status = Some(s),
            None => problems.push(RowProblem::InvalidStatus {
                value: status.to_owned(),
            }),
        }
    }
    if account.name.is_empty() {
        if person.full_name.is_empty() {
            problems.push(RowProblem::MissingName);
        } else {
            account.name = person.full_name.clone();
        }
    }
    check_lengths(&account, &person, &mut problems);
    // In the order of the fields on the form, so the report reads left to right.
    sorting::sort_by_key(&mut problems, RowProblem::field);

    if problems.is_empty() {
        Ok(ImportRow {
            row,
            account,
            person: has_person.then_some(person),
        })
    } else {
        Err(RowError {
            row,
            reasons: problems,
        })
    }
}

fn email(raw: &Raw<'_>, target: Target, problems: &mut Vec<RowProblem>) -> String {
    let value = raw.first(target);
    if value.is_empty() {
        return String::new();
    }
    let lower = value.to_lowercase();
    if crate::record::value::email(&lower).is_err() {
        problems.push(RowProblem::InvalidEmail {
            field: target,
            value: value.to_owned(),
        });
    }
    lower
}

fn phone(raw: &Raw<'_>, target: Target, problems: &mut Vec<RowProblem>) -> String {
    let value = raw.first(target);
    if !value.is_empty() && !is_valid_phone(value) {
        problems.push(RowProblem::InvalidPhone {
            field: target,
            value: value.to_owned(),
        });
    }
    value.to_owned()
}

/// Excel reads a CAP such as `00184` (Rome) as the number 184; put the zeros back
/// when the address is Italian (or has no country).
fn postcode(value: &str, country: &str) -> String {
    let italian = matches!(
        header_key(country).as_str(),
        "" | "it" | "ita" | "italia" | "italy"
    );
    if italian && (3..5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        format!("{value:0>5}")
    } else {
        value.to_owned()
    }
}

fn tags(raw: &Raw<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cell in raw.all(Target::Tags) {
        for tag in cell.split([',', ';', '|']) {
            let tag = tag.trim();
            if !tag.is_empty() && !out.iter().any(|t| t == tag) {
                out.push(tag.to_owned());
            }
        }
    }
    out
}

/// An account status from its key or a word exports use for it (HubSpot lifecycle
/// stages included).
pub fn parse_status(value: &str) -> Option<AccountStatus> {
    if let Some(s) = AccountStatus::from_key(value.trim()) {
        return Some(s);
    }
    match header_key(value).as_str() {
        "prospect"
        | "potenziale"
        | "potenzialecliente"
        | "lead"
        | "subscriber"
        | "marketingqualifiedlead"
        | "salesqualifiedlead"
        | "opportunity"
        | "opportunita"
        | "nuovo" => Some(AccountStatus::Prospect),
        "active" | "attivo" | "attiva" | "cliente" | "customer" | "evangelist" => {
            Some(AccountStatus::Active)
        }
        "dormant" | "dormiente" | "inactive" | "inattivo" | "inattiva" | "sospeso" => {
            Some(AccountStatus::Dormant)
        }
        "lost" | "perso" | "persa" | "excliente" | "formercustomer" | "churned" => {
            Some(AccountStatus::Lost)
        }
        _ => None,
    }
}

fn check_lengths(account: &AccountFields, person: &PersonFields, problems: &mut Vec<RowProblem>) {
    let single_line = [
        (Target::Name, &account.name),
        (Target::VatId, &account.vat_id),
        (Target::Phone, &account.phone),
        (Target::Mobile, &account.mobile),
        (Target::Email, &account.email),
        (Target::Website, &account.website),
        (Target::Street, &account.street),
        (Target::City, &account.city),
        (Target::Postcode, &account.postcode),
        (Target::Province, &account.province),
        (Target::Country, &account.country),
        (Target::Industry, &account.industry),
        (Target::FirstName, &person.first_name),
        (Target::LastName, &person.last_name),
        (Target::FullName, &person.full_name),
        (Target::Role, &person.role),
        (Target::PersonEmail, &person.email),
        (Target::PersonPhone, &person.phone),
    ];
    for (field, value) in single_line {
        if value.chars().count() > MAX_FIELD_CHARS {
            problems.push(RowProblem::TooLong {
                field,
                max_chars: MAX_FIELD_CHARS,
            });
        }
    }
    if account.notes.chars().count() > MAX_TEXT_CHARS {
        problems.push(RowProblem::TooLong {
            field: Target::Notes,
            max_chars: MAX_TEXT_CHARS,
        });
    }
    if account
        .tags
        .iter()
        .any(|t| t.chars().count() > MAX_TAG_CHARS)
    {
        problems.push(RowProblem::TooLong {
            field: Target::Tags,
            max_chars: MAX_TAG_CHARS,
        });
    }
}

impl ImportRow {
    /// The keys this row is matched on against existing records and earlier rows:
    /// both emails, the VAT id, and the digits of every phone.
    pub fn duplicate_keys(&self) -> Vec<super::dedup::DuplicateKey> {
        use super::dedup::DuplicateKey;
        let mut keys = Vec::new();
        let person = self.person.as_ref();
        for email in [Some(&self.account.email), person.map(|p| &p.email)]
            .into_iter()
            .flatten()
        {
            if !email.is_empty() {
                keys.push(DuplicateKey::Email(email.clone()));
            }
        }
        if !self.account.vat_id.is_empty() {
            keys.push(DuplicateKey::VatId(vat_id_key(&self.account.vat_id)));
        }
        for phone in [
            Some(&self.account.phone),
            Some(&self.account.mobile),
            person.map(|p| &p.phone),
        ]
        .into_iter()
        .flatten()
        {
            let digits = phone_digits(phone);
            if !digits.is_empty() {
                keys.push(DuplicateKey::Phone(digits));
            }
        }
        keys.dedup();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::csv_import::{CsvRow, Separator};
    use crate::interop::encoding::TextEncoding;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn header_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(header_key("Città"), "citta");
        assert_eq!(header_key("P.IVA"), "piva");
        assert_eq!(
            header_key(" Billing Zip/Postal Code "),
            "billingzippostalcode"
        );
        assert_eq!(header_key("E-MAIL"), "email");
    }

    #[test]
    fn italian_company_list() {
        let h = headers(&[
            "Ragione sociale",
            "P.IVA",
            "Indirizzo",
            "CITTÀ",
            "Cap",
            "Prov.",
            "Telefono",
            "Cellulare",
            "E-mail",
            "Sito",
            "Note",
            "Tag",
            "Codice interno",
        ]);
        use Target::*;
        assert_eq!(
            suggest_mapping(&h),
            [
                Name, VatId, Street, City, Postcode, Province, Phone, Mobile, Email, Website,
                Notes, Tags, Ignore
            ]
        );
    }

    #[test]
    fn people_files_give_email_and_mobile_to_the_person() {
        use Target::*;
        let h = headers(&[
            "Nome",
            "Cognome",
            "Azienda",
            "Telefono",
            "Cellulare",
            "Email",
            "Ruolo",
        ]);
        assert_eq!(
            suggest_mapping(&h),
            [
                FirstName,
                LastName,
                Name,
                Phone,
                PersonPhone,
                PersonEmail,
                Role
            ]
        );
        let h = headers(&[
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Email Opt Out",
        ]);
        assert_eq!(
            suggest_mapping(&h),
            [FirstName, LastName, PersonEmail, PersonPhone, Ignore]
        );
    }

    #[test]
    fn each_target_is_suggested_once() {
        use Target::*;
        let h = headers(&["Billing Street", "Shipping Street", "Note", "Descrizione"]);
        assert_eq!(suggest_mapping(&h), [Street, Ignore, Notes, Notes]);
    }

    fn table(rows: &[&[&str]]) -> CsvTable {
        CsvTable {
            encoding: TextEncoding::Utf8,
            separator: Separator::Semicolon,
            headers: Vec::new(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| CsvRow {
                    line: i + 2,
                    fields: r.iter().map(|f| f.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn values_are_normalised() {
        use Target::*;
        let t = table(&[&[
            "  Bar Roma ",
            "1234567897",
            " INFO@BarRoma.IT ",
            "+39 02 1234567",
            "184",
            "horeca; vip | horeca,,",
            "Attivo",
        ]]);
        let rows = apply_mapping(&t, &[Name, VatId, Email, Phone, Postcode, Tags, Status]);
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.row, 2);
        assert_eq!(row.account.name, "Bar Roma");
        assert_eq!(row.account.vat_id, "01234567897");
        assert_eq!(row.account.email, "info@barroma.it");
        assert_eq!(row.account.phone, "+39 02 1234567");
        assert_eq!(row.account.postcode, "00184");
        assert_eq!(row.account.tags, ["horeca", "vip"]);
        assert_eq!(row.account.status, Some(AccountStatus::Active));
        assert_eq!(row.person, None);
    }

    #[test]
    fn a_private_customer_is_named_after_the_person() {
        use Target::*;
        let t = table(&[&["", "Anna", "Rossi", "15/03/1980"]]);
        let rows = apply_mapping(&t, &[Name, FirstName, LastName, Birthday]);
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.account.name, "Anna Rossi");
        let p = row.person.as_ref().unwrap();
        assert_eq!(
            (p.full_name.as_str(), p.birthday.as_str()),
            ("Anna Rossi", "1980-03-15")
        );
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        use Target::*;
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let t = table(&[&["", "anna@", "12345678901", "12", "31/02/1990", "boh", &long]]);
        let rows = apply_mapping(&t, &[Name, Email, VatId, Phone, Birthday, Status, City]);
        let err = rows[0].as_ref().unwrap_err();
        let codes: Vec<String> = err.reasons.iter().map(RowProblem::code).collect();
        assert_eq!(
            codes,
            [
                "missing_name:name",
                "invalid_vat_id:vat_id",
                "invalid_phone:phone",
                "invalid_email:email",
                "too_long:city",
                "invalid_status:status",
                "invalid_date:birthday",
            ]
        );
        assert!(err.to_string().starts_with("line 2: "));
    }

    #[test]
    fn target_keys_round_trip() {
        for &t in Target::ALL {
            assert_eq!(Target::from_key(t.key()), Some(t));
        }
    }
}
