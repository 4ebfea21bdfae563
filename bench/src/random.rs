//! Ids that differ between runs and calls (device and record ids): the
//! clock, the process id and a counter through the seed module's generator.
//! Not for secrets.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static CALLS: AtomicU64 = AtomicU64::new(0);

pub fn u64() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let seed = nanos ^ (u64::from(std::process::id()) << 40) ^ call.rotate_left(20);
    campo_core::seed::Rng::new(seed).next_u64()
}

pub fn bytes16() -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&u64().to_le_bytes());
    out[8..].copy_from_slice(&u64().to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn calls_differ() {
        let ids: std::collections::HashSet<[u8; 16]> =
            (0..1000).map(|_| super::bytes16()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
