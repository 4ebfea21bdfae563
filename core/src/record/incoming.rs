//! Changes from elsewhere, checked against the document before Automerge applies them.
//!
//! Automerge 0.12 trusts every operation of a change to fit the document it is
//! applied to. An operation on an object the document does not have, a list
//! position it does not have, a map written as a list (or the reverse), or an
//! author it has never seen makes `apply_changes` panic — and the app, built with
//! `panic = "abort"`, dies. Whether an object exists depends on the document's
//! history, which the relay does not interpret (ARCHITECTURE.md, Invariants), so any
//! rep with a valid token could push such a change to the whole team. The device
//! therefore checks each change here, against the document and the changes before
//! it in the same batch, and refuses it with an error instead.
//!
//! Only changes whose dependencies are all present are checked and applied: an
//! operation may name an object created by a change that has not arrived yet. The
//! others wait beside the document ([`super::RecordDoc`] keeps and saves them, as
//! Automerge does its own queue) until their dependencies arrive.

use super::DocError;
use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{
    ActorId, AutoCommit, Automerge, Change, ChangeHash, ExpandedChange, ObjType, ReadDoc,
};
use std::collections::{HashMap, HashSet};

/// Automerge's chunk magic bytes and the chunk types this module reads.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT: u8 = 0;

/// One chunk of a byte string: a saved document, or one change.
pub(super) enum Chunk<'a> {
    Document(&'a [u8]),
    Change(&'a [u8]),
}

/// Splits a saved document and/or concatenated changes into their chunks
/// (magic bytes, checksum, type, LEB128 length, contents). Damage anywhere is an
/// error: unlike `load_incremental`, nothing is silently dropped.
pub(super) fn chunks(bytes: &[u8]) -> Result<Vec<Chunk<'_>>, DocError> {
    let damaged = |what: &str| DocError::BadChange(format!("the bytes are damaged ({what})"));
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.get(..4) != Some(&MAGIC[..]) {
            return Err(damaged("no Automerge chunk starts here"));
        }
        let kind = *rest.get(8).ok_or_else(|| damaged("a cut header"))?;
        let (len, header) =
            uleb(rest.get(9..).unwrap_or_default()).ok_or_else(|| damaged("a cut header"))?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| (9 + header).checked_add(len))
            .filter(|end| *end <= rest.len())
            .ok_or_else(|| damaged("a chunk longer than the bytes"))?;
        let chunk = &rest[..end];
        out.push(if kind == CHUNK_DOCUMENT {
            Chunk::Document(chunk)
        } else {
            Chunk::Change(chunk)
        });
        at += end;
    }
    Ok(out)
}

/// An unsigned LEB128 number and how many bytes it took.
fn uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Parses one change received from elsewhere with the relay's own check (which
/// bounds what Automerge's parser and decoder would otherwise panic on).
pub(super) fn parse(bytes: &[u8]) -> Result<Change, DocError> {
    crate::change::parse(bytes).map_err(|e| DocError::BadChange(e.to_string()))
}

/// What a batch of changes adds to the document, as far as the checks need.
#[derive(Default)]
struct Added {
    /// Objects created by changes accepted so far.
    objects: HashMap<OpId, ObjType>,
    /// List and text elements inserted by changes accepted so far, with their object.
    elements: HashMap<OpId, ObjectId>,
    /// Changes accepted so far.
    hashes: HashSet<ChangeHash>,
    /// Authors whose first change was accepted so far.
    actors: HashSet<ActorId>,
    /// The document's changes by author (first and last operation counter, hash),
    /// read when an operation names a list position, and the changes decoded.
    ranges: Option<HashMap<ActorId, Vec<OpRange>>>,
    decoded: HashMap<ChangeHash, ExpandedChange>,
    /// The characters each text object of the document shows, by their ids.
    visible: HashMap<OpId, HashSet<OpId>>,
}

/// One change of the document: its first and last operation counter, and its hash.
type OpRange = (u64, u64, ChangeHash);

/// A batch sorted by [`sort_and_check`].
pub(super) struct Sorted {
    /// Changes to apply now, each after its dependencies, all checked.
    pub ready: Vec<Change>,
    /// Changes waiting for a dependency.
    pub waiting: Vec<Change>,
    /// Authors that `ready` adds to the document.
    pub actors: HashSet<ActorId>,
}

/// Sorts `held` (changes held back earlier for a dependency) and `incoming` into
/// the changes that can apply now, in an order where each follows its
/// dependencies, and those that still wait for a dependency. Every change that can
/// apply is checked: the first of `incoming` that does not fit the document is the
/// error, and then nothing applies; one of `held` that does not fit is dropped (it
/// was accepted to wait, and its caller is gone), and nothing that depends on it
/// will ever apply. `actors` are the authors of the document's changes
/// ([`authors`]).
pub(super) fn sort_and_check(
    doc: &mut AutoCommit,
    actors: &HashSet<ActorId>,
    held: Vec<Change>,
    incoming: Vec<Change>,
) -> Result<Sorted, DocError> {
    let mut added = Added::default();
    let doc = doc.document();
    let mut ready = Vec::new();
    let mut waiting: Vec<(bool, Change)> = Vec::new();
    let mut seen = HashSet::new();
    let tagged = held
        .into_iter()
        .map(|c| (true, c))
        .chain(incoming.into_iter().map(|c| (false, c)));
    for (was_held, change) in tagged {
        let hash = change.hash();
        // Already in the document or twice in the batch: applying it again is a no-op.
        if seen.insert(hash) && !doc.get_missing_deps(&[hash]).is_empty() {
            waiting.push((was_held, change));
        }
    }
    // Passes until no more changes become ready: one pass when the batch comes
    // in log order, which follows dependencies.
    loop {
        let before = ready.len();
        let mut still = Vec::with_capacity(waiting.len());
        for (was_held, change) in waiting {
            let deps_here = doc
                .get_missing_deps(change.deps())
                .iter()
                .all(|dep| added.hashes.contains(dep));
            if !deps_here {
                still.push((was_held, change));
                continue;
            }
            match check(doc, actors, &mut added, &change) {
                Ok(()) => {
                    added.hashes.insert(change.hash());
                    ready.push(change);
                }
                Err(_) if was_held => {}
                Err(e) => return Err(e),
            }
        }
        let progress = ready.len() > before;
        waiting = still;
        if !progress || waiting.is_empty() {
            return Ok(Sorted {
                ready,
                waiting: waiting.into_iter().map(|(_, c)| c).collect(),
                actors: added.actors,
            });
        }
    }
}

/// Checks every operation of `change` against the document plus what the batch
/// added before it, and records what the change adds.
fn check(
    doc: &Automerge,
    actors: &HashSet<ActorId>,
    added: &mut Added,
    change: &Change,
) -> Result<(), DocError> {
    let refuse = |what: String| {
        DocError::BadChange(format!(
            "change {} by {:?} {what}",
            change.seq(),
            change.message().unwrap_or_default()
        ))
    };
    // Automerge registers an author when it applies the author's first change,
    // and panics on a change that names one it has not registered.
    let author = change.actor_id();
    let first = change.seq() == 1;
    if let Some(stranger) = change
        .actors()
        .find(|a| !(actors.contains(*a) || added.actors.contains(*a) || first && *a == author))
    {
        return Err(refuse(format!(
            "names author {stranger}, whose first change this record does not have"
        )));
    }
    let expanded = change.decode();
    let start = expanded.start_op.get();
    for (i, op) in expanded.operations.iter().enumerate() {
        let id = OpId(start + i as u64, author.clone());
        let ty = match &op.obj {
            ObjectId::Root => ObjType::Map,
            ObjectId::Id(obj) => match added.objects.get(obj) {
                Some(ty) => *ty,
                None => doc.object_type(exid(obj)).map_err(|_| {
                    refuse(format!(
                        "writes into object {}@{}, which this record does not have",
                        obj.0, obj.1
                    ))
                })?,
            },
        };
        let mark = matches!(op.action, OpType::MarkBegin(_) | OpType::MarkEnd(_));
        match (ty, &op.key) {
            (ObjType::Map | ObjType::Table, Key::Map(_)) if !op.insert && !mark => {}
            (ObjType::Map | ObjType::Table, _) => {
                return Err(refuse(format!(
                    "writes into map {:?} as if it were a list",
                    op.obj
                )));
            }
            // Campo's documents hold no lists, and their text (notes) is only ever
            // written by inserting and deleting characters. Holding text to that
            // keeps every element id an insertion, which `has_element` relies on.
            (ObjType::List, _) => {
                return Err(refuse(format!("writes into list {:?}", op.obj)));
            }
            (ObjType::Text, Key::Seq(elem)) => {
                let shape = match (op.insert, &op.action) {
                    (true, OpType::Put(_)) => Ok(()),
                    (false, OpType::Delete) if *elem != ElementId::Head => Ok(()),
                    _ => Err(refuse(format!(
                        "writes into text {:?} other than by inserting or deleting a character",
                        op.obj
                    ))),
                };
                shape?;
                if let ElementId::Id(elem) = elem {
                    let here = match added.elements.get(elem) {
                        Some(obj) => *obj == op.obj,
                        None => has_element(doc, added, &op.obj, elem),
                    };
                    if !here {
                        return Err(refuse(format!(
                            "refers to position {}@{}, which text {:?} does not have",
                            elem.0, elem.1, op.obj
                        )));
                    }
                }
            }
            (ObjType::Text, Key::Map(_)) => {
                return Err(refuse(format!(
                    "writes into text {:?} as if it were a map",
                    op.obj
                )));
            }
        }
        // An operation replaces only operations that came before it.
        if let Some(p) = op.pred.iter().find(|p| p.0 >= id.0) {
            return Err(refuse(format!(
                "replaces operation {}@{}, which is not older than it",
                p.0, p.1
            )));
        }
        if let OpType::Make(ty) = op.action {
            added.objects.insert(id.clone(), ty);
        }
        if op.insert {
            added.elements.insert(id, op.obj.clone());
        }
    }
    if first {
        added.actors.insert(author.clone());
    }
    Ok(())
}

/// The document's id for an object named by an operation.
fn exid(obj: &OpId) -> automerge::ObjId {
    // The index is only a hint: Automerge looks the author up when it does not match.
    automerge::ObjId::Id(obj.0, obj.1.clone(), 0)
}

/// Whether the text `obj` of the document has (or had) the character `elem`: whether
/// the operation `elem` of the document's history is an insertion into `obj`.
/// (Automerge's own cursor lookup asserts that the element is in the object, so it
/// cannot answer this for an operation that is not.) The characters the text shows
/// answer at once; a deleted one is looked up in the change that inserted it.
fn has_element(doc: &Automerge, added: &mut Added, obj: &ObjectId, elem: &OpId) -> bool {
    let ObjectId::Id(text) = obj else {
        return false;
    };
    let shown = added.visible.entry(text.clone()).or_insert_with(|| {
        doc.list_range(exid(text), ..)
            .filter_map(|item| match item.id() {
                automerge::ObjId::Id(counter, actor, _) => Some(OpId(counter, actor)),
                automerge::ObjId::Root => None,
            })
            .collect()
    });
    if shown.contains(elem) {
        return true;
    }
    let ranges = added.ranges.get_or_insert_with(|| {
        let mut ranges: HashMap<ActorId, Vec<OpRange>> = HashMap::new();
        for m in doc.get_changes_meta(&[]) {
            ranges
                .entry(m.actor.into_owned())
                .or_default()
                .push((m.start_op, m.max_op, m.hash));
        }
        ranges
    });
    let Some(&(start, _, hash)) = ranges.get(&elem.1).and_then(|r| {
        r.iter()
            .find(|(start, max, _)| (*start..=*max).contains(&elem.0))
    }) else {
        return false;
    };
    let change = match added.decoded.entry(hash) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => match doc.get_change_by_hash(&hash) {
            Some(change) => e.insert(change.decode()),
            None => return false,
        },
    };
    usize::try_from(elem.0 - start)
        .ok()
        .and_then(|i| change.operations.get(i))
        .is_some_and(|op| op.insert && op.obj == *obj)
}

/// The authors of every change in the document.
pub(super) fn authors(doc: &mut AutoCommit) -> HashSet<ActorId> {
    doc.document()
        .get_changes_meta(&[])
        .into_iter()
        .map(|m| m.actor.into_owned())
        .collect()
}
