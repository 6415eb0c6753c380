//! Store configuration and the retry policy.

use crate::types::{MessageId, Sha256, Timestamp};

/// How failed sends are retried.
///
/// The delay before attempt `n + 1` after attempt `n` failed is
/// `min(cap, base × factor^(n−1))`, minus a jitter of up to `jitter_percent` % of that value.
/// The jitter is derived from SHA-256(message id ‖ hop ‖ attempt), so it is deterministic (tests
/// are reproducible) yet spreads entries of different messages apart. The delay is never above
/// `cap_ms`.
///
/// An entry is dead-lettered when an attempt fails and either `attempt ≥ max_attempts` or the
/// entry has been queued for `max_age_ms` or longer.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Delay after the first failure, in milliseconds.
    pub base_ms: u64,
    /// Growth factor per attempt (≥ 1.0).
    pub factor: f64,
    /// Largest delay, in milliseconds.
    pub cap_ms: u64,
    /// Jitter: up to this percentage of the delay is subtracted (0–100).
    pub jitter_percent: u8,
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// Age (since queued) after which a failure dead-letters the entry, in milliseconds.
    pub max_age_ms: u64,
}

impl Default for RetryPolicy {
    /// 5 s, ×2, capped at 1 h, 20 % jitter, 50 attempts, 3 days.
    fn default() -> Self {
        RetryPolicy {
            base_ms: 5_000,
            factor: 2.0,
            cap_ms: 3_600_000,
            jitter_percent: 20,
            max_attempts: 50,
            max_age_ms: 3 * 24 * 3_600_000,
        }
    }
}

impl RetryPolicy {
    /// The delay without jitter after attempt `attempt` (1-based) failed.
    pub fn raw_delay_ms(&self, attempt: u32) -> u64 {
        let exp = attempt.saturating_sub(1).min(1000) as i32;
        let factor = if self.factor.is_finite() && self.factor >= 1.0 {
            self.factor
        } else {
            1.0
        };
        let d = (self.base_ms as f64) * factor.powi(exp);
        let cap = self.cap_ms as f64;
        if !d.is_finite() || d >= cap {
            self.cap_ms
        } else {
            d as u64
        }
    }

    /// The delay with deterministic jitter after attempt `attempt` of `id` over `hop` failed.
    pub fn delay_ms(&self, id: MessageId, hop: &str, attempt: u32) -> u64 {
        let raw = self.raw_delay_ms(attempt);
        let pct = u64::from(self.jitter_percent.min(100));
        let span = raw / 100 * pct + (raw % 100) * pct / 100;
        if span == 0 {
            return raw;
        }
        let mut input = Vec::with_capacity(16 + hop.len() + 4);
        input.extend_from_slice(&id.to_bytes());
        input.extend_from_slice(hop.as_bytes());
        input.extend_from_slice(&attempt.to_be_bytes());
        let h = Sha256::digest(&input);
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&h.as_bytes()[..8]);
        let r = u64::from_be_bytes(eight) % (span + 1);
        raw - r
    }

    /// What to do after attempt `attempt` failed at `now` for an entry queued at `enqueued_at`:
    /// `Some(next due time)` or `None` (dead-letter).
    pub fn next_attempt(
        &self,
        id: MessageId,
        hop: &str,
        attempt: u32,
        enqueued_at: Timestamp,
        now: Timestamp,
    ) -> Option<Timestamp> {
        if attempt >= self.max_attempts || now.millis_since(enqueued_at) >= self.max_age_ms {
            return None;
        }
        Some(now.plus_millis(self.delay_ms(id, hop, attempt)))
    }
}

/// How much the store checks when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VerifyLevel {
    /// Nothing beyond the format version (for forensics on a damaged store).
    Off,
    /// Every referenced payload lies inside its segment file (one `stat` per segment).
    #[default]
    BlobsPresent,
    /// Every referenced payload is read and its SHA-256 compared (slow on big stores).
    BlobsHashed,
}

/// Configuration of a [`crate::KvStore`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    /// Retry policy for failed sends.
    pub retry: RetryPolicy,
    /// Payloads of finished messages are purged this long after they finished, in milliseconds.
    pub retention_ms: u64,
    /// Checks made by `open` before it returns.
    pub verify_on_open: VerifyLevel,
    /// sled page-cache size in bytes.
    pub cache_capacity_bytes: u64,
    /// A payload-log segment is sealed when the next payload would take it past this many
    /// bytes (one larger payload gets a segment of its own). Space is given back per payload
    /// (holes) and per segment (deleted when its last payload is purged).
    pub segment_bytes: u64,
    /// Most bytes of writes an online backup records while it copies (the memory it may
    /// take); past it the backup is abandoned, to be tried at a quieter time. 256 MiB.
    pub backup_max_replay_bytes: usize,
    /// The working-day calendar and the urgency thresholds by which deliveries get their
    /// receipt-notice deadlines (kept with each delivery; a change applies to later ones).
    pub compliance: lienthong_compliance::Rules,
}

impl Default for StoreConfig {
    /// Default retry policy, 30 days retention, payload presence check at open, 256 MiB cache,
    /// 64 MiB payload segments.
    fn default() -> Self {
        StoreConfig {
            retry: RetryPolicy::default(),
            retention_ms: 30 * 24 * 3_600_000,
            verify_on_open: VerifyLevel::BlobsPresent,
            cache_capacity_bytes: 256 * 1024 * 1024,
            segment_bytes: crate::blob::SEGMENT_TARGET,
            backup_max_replay_bytes: 256 * 1024 * 1024,
            compliance: lienthong_compliance::Rules::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> MessageId {
        MessageId::new_v7(Timestamp::from_millis(1_700_000_000_000))
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            base_ms: 1000,
            factor: 2.0,
            cap_ms: 30_000,
            jitter_percent: 0,
            max_attempts: 100,
            max_age_ms: u64::MAX,
        };
        let d: Vec<u64> = (1..=8).map(|a| p.delay_ms(id(), "gw", a)).collect();
        assert_eq!(d, vec![1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        assert_eq!(p.raw_delay_ms(u32::MAX), 30_000);
    }

    #[test]
    fn jitter_is_deterministic_bounded_and_varies() {
        let p = RetryPolicy {
            jitter_percent: 50,
            ..RetryPolicy::default()
        };
        let i = id();
        let mut distinct = std::collections::HashSet::new();
        for a in 1..=30 {
            let raw = p.raw_delay_ms(a);
            let d = p.delay_ms(i, "gw", a);
            assert_eq!(d, p.delay_ms(i, "gw", a));
            assert!(d <= raw && d >= raw / 2, "attempt {a}: {d} vs {raw}");
            assert!(d <= p.cap_ms);
            distinct.insert(raw - d);
        }
        assert!(distinct.len() > 5, "jitter should vary: {distinct:?}");
    }

    #[test]
    fn dead_after_attempts_or_age() {
        let p = RetryPolicy {
            max_attempts: 3,
            max_age_ms: 10_000,
            ..RetryPolicy::default()
        };
        let t0 = Timestamp::from_millis(1000);
        assert!(p.next_attempt(id(), "h", 1, t0, t0).is_some());
        assert!(p.next_attempt(id(), "h", 2, t0, t0).is_some());
        assert!(p.next_attempt(id(), "h", 3, t0, t0).is_none());
        assert!(
            p.next_attempt(id(), "h", 1, t0, t0.plus_millis(9_999))
                .is_some()
        );
        assert!(
            p.next_attempt(id(), "h", 1, t0, t0.plus_millis(10_000))
                .is_none()
        );
    }

    #[test]
    fn silly_factor_is_tamed() {
        let p = RetryPolicy {
            factor: f64::NAN,
            jitter_percent: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(p.delay_ms(id(), "h", 10), p.base_ms);
    }
}
