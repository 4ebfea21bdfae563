//! Dense numbers for document ids: the first new id gets 0, the next 1, and so on.
//!
//! Building the dashboard looks up a few hundred thousand ids (every order line's
//! product, every interaction's account and person). A small open-addressing table
//! over the ids as 128-bit numbers does that in one probe most of the time, with
//! less code and memory than a general-purpose hash map.

use crate::ids::DocId;

/// A document id as one number. Big-endian, so numbers order like the ids.
pub(crate) fn key(id: &DocId) -> u128 {
    u128::from_be_bytes(id.0)
}

/// A free slot.
const EMPTY: u64 = u64::MAX;

/// Maps ids to dense numbers `0..len`, in order of first insertion.
///
/// Slots hold 8 bytes, `hash bits << 32 | number`, and the ids themselves sit in
/// `keys` by number: the table for thousands of ids stays small enough for the
/// processor's cache, and the hash bits spare most visits to `keys`.
#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    /// A power of two long, at most half full.
    slots: Vec<u64>,
    keys: Vec<u128>,
}

impl IdIndex {
    /// An empty index with room for `n` ids before it grows.
    pub(crate) fn with_capacity(n: usize) -> IdIndex {
        let size = (n.max(8) * 2).next_power_of_two();
        IdIndex {
            slots: vec![EMPTY; size],
            keys: Vec::with_capacity(n),
        }
    }

    /// A multiply-xor mix of both halves, so ids that differ anywhere spread over
    /// the table. The top bits pick the first slot, the low 32 are the stored check.
    fn hash(k: u128) -> u64 {
        const M1: u64 = 0x9E37_79B9_7F4A_7C15;
        const M2: u64 = 0xBF58_476D_1CE4_E5B9;
        ((k as u64).wrapping_mul(M1) ^ ((k >> 64) as u64)).wrapping_mul(M2)
    }

    /// The slot holding `k`, or the free slot where it would go.
    fn find(&self, k: u128, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let bits = self.slots.len().trailing_zeros();
        let mut i = (h >> (64 - bits)) as usize;
        let check = h & 0xFFFF_FFFF;
        loop {
            let s = self.slots[i];
            if s == EMPTY || (s >> 32 == check && self.keys[(s & 0xFFFF_FFFF) as usize] == k) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The number of `id`, if it has one.
    pub(crate) fn get(&self, id: &DocId) -> Option<u32> {
        let k = key(id);
        let s = self.slots[self.find(k, Self::hash(k))];
        (s != EMPTY).then_some((s & 0xFFFF_FFFF) as u32)
    }

    /// The number of `id`, giving it the next number if it is new; the flag
    /// tells whether it was new.
    pub(crate) fn insert(&mut self, id: &DocId) -> (u32, bool) {
        // At most half full, so probes stay short and always find a free slot.
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let k = key(id);
        let h = Self::hash(k);
        let i = self.find(k, h);
        if self.slots[i] != EMPTY {
            return ((self.slots[i] & 0xFFFF_FFFF) as u32, false);
        }
        let n = self.keys.len() as u32;
        self.slots[i] = (h & 0xFFFF_FFFF) << 32 | n as u64;
        self.keys.push(k);
        (n, true)
    }

    fn grow(&mut self) {
        self.slots = vec![EMPTY; self.slots.len() * 2];
        for n in 0..self.keys.len() {
            let k = self.keys[n];
            let h = Self::hash(k);
            let i = self.find(k, h);
            self.slots[i] = (h & 0xFFFF_FFFF) << 32 | n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_of_first_insertion_and_growth_keeps_them() {
        let mut ix = IdIndex::with_capacity(0);
        for round in 0..2 {
            for i in 0..=255u8 {
                for pos in [0usize, 7, 8, 15] {
                    let mut b = [0u8; 16];
                    b[pos] = i;
                    let (n, new) = ix.insert(&DocId(b));
                    if round == 1 {
                        assert!(!new);
                    }
                    assert_eq!(ix.get(&DocId(b)), Some(n));
                }
            }
        }
        // 256 values × 4 positions, the all-zero id counted once.
        assert_eq!(ix.keys.len(), 256 * 4 - 3);
        assert_eq!(ix.get(&DocId([0; 16])), Some(0));
        assert_eq!(ix.get(&DocId([7; 16])), None);
        // Ids with equal halves (as in hand-written fixtures) do not collide.
        let mut same = IdIndex::with_capacity(4);
        for n in 0..100u8 {
            assert_eq!(same.insert(&DocId([n; 16])), (n as u32, true));
        }
    }

    #[test]
    fn keys_order_like_ids() {
        let a = DocId([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
        let b = DocId([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(a < b && key(&a) < key(&b));
    }
}
