//! A connection's push rate limit: two token buckets, one for bytes and one for
//! messages. Time is passed in, so the arithmetic is tested without a clock.

use crate::limits::Limits;
use tokio::time::Instant;

/// A token bucket: holds up to `burst` tokens, refilled at `per_sec`.
#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
}

impl Bucket {
    fn full(per_sec: u64, burst: u64) -> Bucket {
        Bucket {
            tokens: burst as f64,
            burst: burst as f64,
            per_sec: per_sec as f64,
        }
    }

    fn refill(&mut self, elapsed_secs: f64) {
        self.tokens = (self.tokens + elapsed_secs * self.per_sec).min(self.burst);
    }
}

/// The push budget of one connection.
#[derive(Debug, Clone)]
pub struct PushRate {
    bytes: Bucket,
    messages: Bucket,
    last: Instant,
}

impl PushRate {
    /// A full budget: a device that just connected may send its backlog.
    pub fn new(limits: &Limits, now: Instant) -> PushRate {
        PushRate {
            bytes: Bucket::full(limits.push_bytes_per_sec, limits.push_burst_bytes),
            messages: Bucket::full(limits.push_messages_per_sec, limits.push_burst_messages),
            last: now,
        }
    }

    /// Spends one message and `bytes` bytes if both buckets hold enough, and
    /// returns whether it did; a refused push spends nothing.
    pub fn admit(&mut self, bytes: usize, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.bytes.refill(elapsed);
        self.messages.refill(elapsed);
        let bytes = bytes as f64;
        if self.bytes.tokens < bytes || self.messages.tokens < 1.0 {
            return false;
        }
        self.bytes.tokens -= bytes;
        self.messages.tokens -= 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> Limits {
        Limits {
            push_bytes_per_sec: 100,
            push_burst_bytes: 1_000,
            push_messages_per_sec: 2,
            push_burst_messages: 5,
            ..Limits::default()
        }
    }

    #[test]
    fn a_burst_of_messages_is_allowed_then_the_sustained_rate() {
        let t0 = Instant::now();
        let mut rate = PushRate::new(&limits(), t0);
        for _ in 0..5 {
            assert!(rate.admit(10, t0));
        }
        assert!(!rate.admit(10, t0), "the burst is spent");
        // Half a second refills one message at 2 per second.
        let t1 = t0 + Duration::from_millis(500);
        assert!(rate.admit(10, t1));
        assert!(!rate.admit(10, t1));
        // A long pause refills up to the burst, never beyond it.
        let t2 = t1 + Duration::from_secs(3600);
        for _ in 0..5 {
            assert!(rate.admit(10, t2));
        }
        assert!(!rate.admit(10, t2));
    }

    #[test]
    fn bytes_are_limited_and_a_refused_push_spends_nothing() {
        let t0 = Instant::now();
        let mut rate = PushRate::new(&limits(), t0);
        assert!(rate.admit(900, t0));
        assert!(!rate.admit(200, t0), "only 100 bytes left");
        // The refusal spent no message: four remain.
        for _ in 0..4 {
            assert!(rate.admit(25, t0));
        }
        assert!(!rate.admit(0, t0), "messages are spent");
        // One second refills 100 bytes and 2 messages.
        let t1 = t0 + Duration::from_secs(1);
        assert!(rate.admit(100, t1));
        assert!(!rate.admit(1, t1));
    }
}
