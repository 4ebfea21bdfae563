//! Summaries written by this build under [`SUMMARY_FORMAT`] must stay readable
//! by every build that claims the same format: devices keep them in storage and
//! relays ship them in snapshots. The fixture holds summaries encoded when the
//! format got its number; changing `Summary` breaks this test until
//! `SUMMARY_FORMAT` is raised and the fixture rewritten
//! (`CAMPO_WRITE_FIXTURES=1 cargo test -p campo-core --test summary_format`).

use campo_core::record::RecordDoc;
use campo_core::seed::{BookSpec, book};
use campo_core::summary::{SUMMARY_FORMAT, Summary};
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("summary-format-{SUMMARY_FORMAT}.bin"))
}

fn summaries() -> Vec<Summary> {
    book(11, BookSpec::scaled(3), &["Anna", "Bruno"])
        .into_iter()
        .filter_map(|g| {
            let mut doc = RecordDoc::empty(g.id);
            g.changes.iter().for_each(|c| doc.apply(c).unwrap());
            Summary::of(&doc.read())
        })
        .collect()
}

#[test]
fn summary_format_is_pinned() {
    let path = fixture();
    if std::env::var_os("CAMPO_WRITE_FIXTURES").is_some() {
        let encoded: Vec<Vec<u8>> = summaries().iter().map(Summary::encode).collect();
        std::fs::write(&path, postcard::to_allocvec(&encoded).unwrap()).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: SUMMARY_FORMAT {SUMMARY_FORMAT} has no fixture; write it with CAMPO_WRITE_FIXTURES=1",
            path.display()
        )
    });
    let encoded: Vec<Vec<u8>> = postcard::from_bytes(&bytes).unwrap();
    assert!(encoded.len() > 10, "the fixture holds every kind of record");
    for (i, e) in encoded.iter().enumerate() {
        let s = Summary::decode(e).unwrap_or_else(|err| {
            panic!("summary {i} of the fixture no longer decodes ({err}): raise SUMMARY_FORMAT and rewrite the fixture")
        });
        // The facts are decoded lazily: decode them and encode them again, so
        // their layout is pinned too, not only copied through.
        let mut reread = s.clone();
        reread.facts = s.facts.get().clone().into();
        assert_eq!(
            &reread.encode(),
            e,
            "summary {i} decodes into something else: raise SUMMARY_FORMAT and rewrite the fixture"
        );
    }
}

#[test]
fn facts_decode_on_first_read_and_reencode_after_a_change() {
    for s in summaries() {
        let bytes = s.encode();
        let lazy = Summary::decode(&bytes).unwrap();
        assert_eq!(lazy, s, "the facts read back as written");
        assert_eq!(
            lazy.encode(),
            bytes,
            "untouched facts are written back as they came"
        );
        let mut changed = Summary::decode(&bytes).unwrap();
        if let campo_core::summary::Facts::Account { orders, .. } = changed.facts.get_mut() {
            orders.clear();
        }
        let again = Summary::decode(&changed.encode()).unwrap();
        assert_eq!(
            again.facts.get(),
            changed.facts.get(),
            "a change is encoded, not the old bytes"
        );
    }
}
