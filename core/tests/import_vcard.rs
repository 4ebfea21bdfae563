//! Importing address books: vCard 3.0 from an iPhone, 4.0 from Monica, 2.1 from an
//! Android phone, each checked field by field.

use campo_core::interop::vcard::{VCardProblem, read_vcards};
use campo_core::interop::{Address, Typed, VCard, VCardError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn typed(kinds: &[&str], value: &str) -> Typed {
    Typed {
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        value: value.into(),
    }
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

#[test]
fn iphone_vcard_3_with_folds_groups_and_labels() {
    let cards = read_vcards(&fixture("iphone.vcf")).unwrap();
    assert_eq!(cards.len(), 2);
    let mario = cards[0].as_ref().unwrap();
    assert_eq!(
        mario,
        &VCard {
            full_name: "Dott. Mario Giuseppe Rossi".into(),
            given: "Mario".into(),
            family: "Rossi".into(),
            org: "Rossi Impianti S.r.l.".into(),
            org_units: strings(&["Ufficio tecnico"]),
            title: "Direttore tecnico".into(),
            role: "".into(),
            phones: vec![
                typed(&["cell", "pref", "voice"], "+39 333 123 4567"),
                // item2's custom label "Centralino" becomes a kind.
                typed(&["centralino"], "+39 02 555 0101"),
            ],
            emails: vec![
                // item1's Apple label _$!<Work>!$_ becomes "work".
                typed(&["pref", "work"], "mario.rossi@rossi-impianti.example"),
                typed(&["home"], "mario@casa.example"),
            ],
            addresses: vec![Address {
                kinds: strings(&["pref", "work"]),
                street: "Via dell'Industria 15\nCapannone 3".into(),
                // Folded in the middle of the word.
                city: "Sesto San Giovanni".into(),
                region: "MI".into(),
                postcode: "20099".into(),
                country: "Italia".into(),
            }],
            // Apple escapes the colon.
            url: "https://www.rossi-impianti.example".into(),
            // Stored by iOS as 1604-07-21 with X-APPLE-OMIT-YEAR=1604.
            birthday: Some("--07-21".into()),
            note: "Preferisce essere chiamato al mattino, mai dopo le 18.\n\
                   Referente per i preventivi: ufficio tecnico; chiedere di Laura."
                .into(),
            categories: strings(&["Clienti", "Impianti"]),
        }
    );
    // A company card: empty N and FN, named after its organisation.
    let pizzeria = cards[1].as_ref().unwrap();
    assert_eq!(pizzeria.full_name, "Pizzeria Da Gennaro");
    assert_eq!(pizzeria.org, "Pizzeria Da Gennaro");
    assert!(pizzeria.org_units.is_empty());
    assert_eq!(pizzeria.phones, [typed(&["voice", "work"], "081 123 4567")]);
}

#[test]
fn monica_vcard_4_bad_cards_fail_alone() {
    let cards = read_vcards(&fixture("monica.vcf")).unwrap();
    assert_eq!(cards.len(), 5);
    let laura = cards[0].as_ref().unwrap();
    assert_eq!(
        laura,
        &VCard {
            full_name: "Laura Ferri".into(),
            given: "Laura".into(),
            family: "Ferri".into(),
            org: "Ferri Consulting".into(),
            role: "Consulente".into(),
            phones: vec![
                typed(&["cell", "pref", "voice"], "+39 349 765 4321"),
                typed(&["work"], "059 123456"),
            ],
            emails: vec![typed(&["work"], "laura.ferri@example.org")],
            addresses: vec![Address {
                kinds: strings(&["home"]),
                street: "Via Emilia 200".into(),
                city: "Modena".into(),
                region: "MO".into(),
                postcode: "41121".into(),
                country: "Italia".into(),
            }],
            birthday: Some("1985-04-12".into()),
            note: "Conosciuta alla fiera di Bologna.\nAma il caffè, non il tè.".into(),
            categories: strings(&["amici", "lavoro"]),
            ..VCard::default()
        }
    );
    assert_eq!(
        cards[1],
        Err(VCardError {
            line: 22,
            problem: VCardProblem::MissingColon
        })
    );
    let sara = cards[2].as_ref().unwrap();
    assert_eq!(sara.full_name, "Sara Conti");
    assert_eq!(sara.birthday.as_deref(), Some("--11-03"));
    assert_eq!(sara.emails, [typed(&[], "sara.conti@example.net")]);
    assert_eq!(sara.url, "https://sara.example");
    assert_eq!(
        cards[3],
        Err(VCardError {
            line: 35,
            problem: VCardProblem::InvalidBirthday("1990-02-30".into())
        })
    );
    // The last card is cut short: reported at its BEGIN.
    assert_eq!(
        cards[4],
        Err(VCardError {
            line: 37,
            problem: VCardProblem::Unterminated
        })
    );
    assert_eq!(
        cards[4].as_ref().unwrap_err().to_string(),
        "line 37: the card has no END:VCARD; the file may be cut short, export it again"
    );
}

#[test]
fn android_vcard_2_1_quoted_printable() {
    let cards = read_vcards(&fixture("android-21.vcf")).unwrap();
    assert_eq!(cards.len(), 2);
    let nicolo = cards[0].as_ref().unwrap();
    assert_eq!(nicolo.full_name, "Nicolò Nòbili");
    assert_eq!(
        (nicolo.given.as_str(), nicolo.family.as_str()),
        ("Nicolò", "Nòbili")
    );
    // Bare 2.1 parameters: TEL;CELL;PREF.
    assert_eq!(
        nicolo.phones,
        [
            typed(&["cell", "pref"], "+393351234567"),
            typed(&["work"], "0521 987654")
        ]
    );
    assert_eq!(nicolo.emails, [typed(&[], "nicolo@nobili.example")]);
    assert_eq!(nicolo.org, "Nobili & Figli");
    // A soft line break in the middle of "Italia".
    assert_eq!(
        nicolo.addresses,
        [Address {
            kinds: strings(&["work"]),
            street: "Strada della Repubblica 5".into(),
            city: "Parma".into(),
            region: "PR".into(),
            postcode: "43121".into(),
            country: "Italia".into(),
        }]
    );
    assert_eq!(
        nicolo.note,
        "Consegne solo il martedì.\nPagamento a 30 giorni €."
    );
    // ISO-8859-1 quoted-printable, and no FN: the name comes from N.
    let bar = cards[1].as_ref().unwrap();
    assert_eq!((bar.given.as_str(), bar.family.as_str()), ("Bar", "Cafè"));
    assert_eq!(bar.full_name, "Bar Cafè");
    assert_eq!(bar.phones, [typed(&["home", "voice"], "0522 445566")]);
}
