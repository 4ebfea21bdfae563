//! A latency histogram that many tasks record into at once: log-linear
//! buckets (64 per power of two, so a reading is within 1.6%), atomic counts,
//! and the exact maximum.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Sub-buckets per power of two.
const SUB: u64 = 64;
/// Values below this (in µs) have a bucket each.
const LINEAR: u64 = 2 * SUB;
const BUCKETS: usize = (LINEAR + (64 - 7) * SUB) as usize;

pub struct Histogram {
    counts: Vec<AtomicU64>,
    total: AtomicU64,
    max: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            total: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }
}

fn index(us: u64) -> usize {
    if us < LINEAR {
        return us as usize;
    }
    let msb = 63 - u64::from(us.leading_zeros());
    let shift = msb - 6;
    (LINEAR + (msb - 7) * SUB + ((us >> shift) - SUB)) as usize
}

/// The middle of bucket `i`, in µs.
fn value(i: usize) -> u64 {
    let i = i as u64;
    if i < LINEAR {
        return i;
    }
    let msb = (i - LINEAR) / SUB + 7;
    let shift = msb - 6;
    let low = (SUB + (i - LINEAR) % SUB) << shift;
    low + (1 << shift) / 2
}

impl Histogram {
    pub fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.counts[index(us)].fetch_add(1, Ordering::Relaxed);
        self.total.fetch_add(1, Ordering::Relaxed);
        self.max.fetch_max(us, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max.load(Ordering::Relaxed))
    }

    /// The value below which `q` (0..=1) of the readings fall; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        let total = self.count();
        if total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c.load(Ordering::Relaxed);
            if seen >= rank {
                return Duration::from_micros(value(i)).min(self.max());
            }
        }
        self.max()
    }
}

/// `d` in milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ordered_and_within_two_percent() {
        let mut last = 0;
        for us in (0..5_000_000u64).step_by(37) {
            let i = index(us);
            assert!(i >= last && i < BUCKETS);
            last = i;
            let v = value(i);
            assert!(
                v.abs_diff(us) as f64 <= 0.02 * us as f64 + 1.0,
                "{us} -> {v}"
            );
        }
        assert!(index(u64::MAX) < BUCKETS);
    }

    #[test]
    fn quantiles_of_a_known_spread() {
        let h = Histogram::default();
        for ms in 1..=100 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).as_secs_f64() * 1000.0;
        let p99 = h.quantile(0.99).as_secs_f64() * 1000.0;
        assert!((49.0..=51.0).contains(&p50), "{p50}");
        assert!((98.0..=100.0).contains(&p99), "{p99}");
        assert_eq!(h.max(), Duration::from_millis(100));
        assert_eq!(Histogram::default().quantile(0.99), Duration::ZERO);
    }
}
