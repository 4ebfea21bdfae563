//! The generated book's changes kept in a file, so loading the same book again
//! pushes the same bytes (Automerge actors are random: a book generated anew
//! is new changes, and the relay would store it a second time).
//!
//! Layout: the magic line, the number of records, then per record its 16-byte
//! id, its kind's key (length-prefixed), its number of changes and each change
//! (length-prefixed). Integers are little-endian `u32`/`u64`.

use anyhow::{Context, bail};
use campo_core::ids::DocId;
use campo_core::record::Kind;
use campo_core::seed::Generated;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"campo-bench book 1\n";

pub fn write(path: &Path, records: &[Generated]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Written beside and renamed, so a crash never leaves half a book to reuse.
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let mut out = BufWriter::new(file);
    out.write_all(MAGIC)?;
    out.write_all(&(records.len() as u64).to_le_bytes())?;
    for r in records {
        out.write_all(&r.id.0)?;
        let key = r.kind.key().as_bytes();
        out.write_all(&[key.len() as u8])?;
        out.write_all(key)?;
        out.write_all(&(r.changes.len() as u32).to_le_bytes())?;
        for c in &r.changes {
            out.write_all(&(c.len() as u32).to_le_bytes())?;
            out.write_all(c)?;
        }
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))
}

/// Reads a book file; `None` if there is none at `path`.
pub fn read(path: &Path) -> anyhow::Result<Option<Vec<Generated>>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let damaged = || {
        format!(
            "{} is damaged: delete it to generate the book again",
            path.display()
        )
    };
    let mut input = BufReader::new(file);
    let mut magic = vec![0; MAGIC.len()];
    input.read_exact(&mut magic).with_context(damaged)?;
    if magic != MAGIC {
        bail!(damaged());
    }
    let count = read_u64(&mut input).with_context(damaged)?;
    let mut records = Vec::new();
    for _ in 0..count {
        let mut id = [0u8; 16];
        input.read_exact(&mut id).with_context(damaged)?;
        let mut len = [0u8; 1];
        input.read_exact(&mut len).with_context(damaged)?;
        let mut key = vec![0; len[0] as usize];
        input.read_exact(&mut key).with_context(damaged)?;
        let kind = std::str::from_utf8(&key)
            .ok()
            .and_then(Kind::from_key)
            .with_context(damaged)?;
        let n = read_u32(&mut input).with_context(damaged)?;
        let mut changes = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let len = read_u32(&mut input).with_context(damaged)? as usize;
            if len > campo_core::protocol::MAX_CHANGE_BYTES {
                bail!(damaged());
            }
            let mut c = vec![0; len];
            input.read_exact(&mut c).with_context(damaged)?;
            changes.push(c);
        }
        records.push(Generated {
            id: DocId(id),
            kind,
            changes,
        });
    }
    Ok(Some(records))
}

fn read_u64(input: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    input.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    input.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use campo_core::seed::{BookSpec, book};

    #[test]
    fn a_book_round_trips_and_damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.bin");
        assert!(read(&path).unwrap().is_none());
        let records = book(3, BookSpec::scaled(2), &["Anna"]);
        write(&path, &records).unwrap();
        let back = read(&path).unwrap().unwrap();
        assert_eq!(back.len(), records.len());
        for (a, b) in records.iter().zip(&back) {
            assert!(a.id == b.id && a.kind == b.kind && a.changes == b.changes);
        }
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let err = read(&path).err().unwrap();
        assert!(err.to_string().contains("is damaged"), "{err}");
    }
}
