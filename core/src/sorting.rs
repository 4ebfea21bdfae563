//! Stable sorts that share one compiled sort routine.
//!
//! `slice::sort_by` and its relatives compile a whole sort (quicksort, merges,
//! small-slice networks: 3-4 KB of WebAssembly) for every element type *and*
//! every comparison closure. These functions sort the positions `0..n` with one
//! non-generic routine, calling the comparison through `dyn`, then move the
//! elements into that order: a call site adds only its comparison and a small
//! permutation loop. They are stable, like `sort_by`. The price is an indirect
//! call per comparison and a `usize` per element: well under a millisecond for the
//! 10,000 summaries of a book, so lists, search and the app use them. Analytics
//! keeps the standard sorts: the dashboard sorts tens of thousands of numbers
//! within its 100 ms budget, where the inlined comparison is several times faster.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order (like `slice::sort_by`).
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let order = positions(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` by a key, keeping equal elements in their order (like
/// `slice::sort_by_key`); `key` runs twice per comparison.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` by a key computed once per element (like `slice::sort_by_cached_key`).
pub fn sort_by_cached_key<T, K: Ord>(v: &mut [T], key: impl FnMut(&T) -> K) {
    let keys: Vec<K> = v.iter().map(key).collect();
    let order = positions(v.len(), &mut |a, b| keys[a].cmp(&keys[b]));
    permute(v, order);
}

/// Sorts `v` in ascending order, keeping equal elements in their order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The positions `0..n` in the stable order that `cmp` gives them: the one
/// instance of the standard library's sort that every function here shares.
#[inline(never)]
fn positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`, one cycle of
/// the permutation at a time (each element moves once; `order` is used up).
pub(crate) fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the comparison with the standard
    /// library's sorts covers many shapes without a dependency.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn same_order_as_the_standard_stable_sorts() {
        let mut seed = 7;
        for len in [0usize, 1, 2, 3, 5, 8, 20, 33, 100, 1000] {
            for range in [1u64, 3, 10, 1000] {
                // (key, original position): ties are told apart by the position.
                let v: Vec<(u64, usize)> = (0..len).map(|i| (lcg(&mut seed) % range, i)).collect();

                let mut expected = v.clone();
                expected.sort_by_key(|e| e.0);
                let mut got = v.clone();
                sort_by(&mut got, |a, b| a.0.cmp(&b.0));
                assert_eq!(got, expected, "sort_by, len {len}, range {range}");

                let mut got = v.clone();
                sort_by_key(&mut got, |e| std::cmp::Reverse(e.0));
                expected.sort_by_key(|e| std::cmp::Reverse(e.0));
                assert_eq!(got, expected, "sort_by_key, len {len}, range {range}");

                let mut got = v.clone();
                sort_by_cached_key(&mut got, |e| e.0.to_string());
                expected.sort_by_cached_key(|e| e.0.to_string());
                assert_eq!(
                    got, expected,
                    "sort_by_cached_key, len {len}, range {range}"
                );

                let mut got = v.clone();
                sort(&mut got);
                expected.sort();
                assert_eq!(got, expected, "sort, len {len}, range {range}");
            }
        }
    }

    #[test]
    fn moves_elements_that_are_not_copy() {
        let mut v: Vec<String> = ["pera", "mela", "kiwi", "mela", "fico"]
            .map(String::from)
            .to_vec();
        sort(&mut v);
        assert_eq!(v, ["fico", "kiwi", "mela", "mela", "pera"]);
    }
}
