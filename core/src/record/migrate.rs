//! Changes every device must build byte for byte the same: the team document's
//! creation and the schema-1 → 2 upgrade.
//!
//! Two devices that each create a container make two different objects, and after
//! a merge one side's contents vanish from view. So a container added later is
//! created by a change with a fixed actor, timestamp 0, no message, and as its only
//! dependency the document's creating change: every device that builds it gets the
//! same bytes and hash, the relay stores it once, and everyone's later edits land
//! in the same objects.

use super::schema::Kind;
use super::{RecordDoc, SCHEMA_VERSION, TEAM_DOC, create_containers};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ROOT, ReadDoc, Value};

/// The actor of changes that must be identical on every device.
const SHARED_ACTOR: [u8; 16] = *b"campo-shared-v2.";

fn shared_doc() -> AutoCommit {
    AutoCommit::new().with_actor(ActorId::from(SHARED_ACTOR.as_slice()))
}

fn commit_shared(doc: &mut AutoCommit) -> Vec<u8> {
    doc.commit_with(CommitOptions::default().with_time(0));
    // A change was just committed on this document.
    doc.get_last_local_change()
        .map(|c| c.raw_bytes().to_vec())
        .unwrap_or_default()
}

pub(super) fn team_document() -> (RecordDoc, Vec<u8>) {
    let mut doc = shared_doc();
    let written = (|| -> Result<(), automerge::AutomergeError> {
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.put(ROOT, "kind", Kind::Team.key())?;
        create_containers(&mut doc, Kind::Team)
    })();
    // Puts into a fresh document's root cannot fail.
    debug_assert!(written.is_ok());
    let change = commit_shared(&mut doc);
    // This device's own edits must not reuse the shared actor's sequence numbers.
    doc.set_actor(ActorId::random());
    (RecordDoc::with_doc(TEAM_DOC, doc), change)
}

/// Brings an older document to the current schema. Returns the migration change
/// (already applied to `record`) or `None` when the document is current.
pub(super) fn upgrade(
    record: &mut RecordDoc,
) -> Result<Option<Vec<u8>>, automerge::AutomergeError> {
    if record.schema().unwrap_or(SCHEMA_VERSION) >= SCHEMA_VERSION {
        return Ok(None);
    }
    // The creating change is the one with no dependencies.
    let changes = record.doc.get_changes(&[]);
    let Some(first) = changes.iter().find(|c| c.deps().is_empty()).cloned() else {
        return Ok(None);
    };
    let mut base = shared_doc();
    base.apply_changes([first])?;
    let missing = |base: &AutoCommit, key: &str| {
        !matches!(base.get(ROOT, key), Ok(Some((Value::Object(_), _))))
    };
    base.put(ROOT, "schema", SCHEMA_VERSION)?;
    base.put(ROOT, "kind", Kind::Account.key())?;
    for key in ["custom", "addresses", "contacts", "orders"] {
        if missing(&base, key) {
            base.put_object(ROOT, key, automerge::ObjType::Map)?;
        }
    }
    let change = commit_shared(&mut base);
    let parsed = automerge::Change::try_from(change.as_slice())?;
    record.doc.apply_changes([parsed])?;
    Ok(Some(change))
}
