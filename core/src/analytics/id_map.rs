//! Hash maps keyed by short strings (categories, rep names), with a fast
//! non-cryptographic hasher. The standard SipHash guards servers against crafted
//! keys; these keys come from the team's own book. Ids have [`super::id_index`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map with the fast [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A new empty map with room for `n` entries.
pub(crate) fn with_capacity<K, V>(n: usize) -> FastMap<K, V> {
    HashMap::with_capacity_and_hasher(n, Default::default())
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Multiply-rotate hashing of 8-byte words (in the style of rustc's FxHasher),
/// with a final mix so the high bits the table uses depend on every input bit.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            // chunks_exact(8) yields 8-byte slices.
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Byte by byte: a copy into a buffer would call memcpy for a few bytes.
            let w = rest
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | (b as u64) << (8 * i));
            self.add(w ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(K) ^ (h >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_of_any_length() {
        let mut m: FastMap<&str, usize> = with_capacity(0);
        for (i, s) in ["", "a", "Anna", "Anna Maria Rossi", "Anna Maria Rossi!"]
            .iter()
            .enumerate()
        {
            m.insert(s, i);
        }
        assert_eq!(m.len(), 5);
        assert_eq!(m["Anna Maria Rossi!"], 4);
    }
}
