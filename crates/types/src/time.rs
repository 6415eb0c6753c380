//! Time: [`Timestamp`] and the [`Clock`] decisions take it from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since the Unix epoch (UTC).
///
/// The store never reads the clock itself: every operation that needs the time takes `now`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The epoch itself.
    pub const ZERO: Timestamp = Timestamp(0);
    /// The largest representable time.
    pub const MAX: Timestamp = Timestamp(u64::MAX);

    /// A timestamp `ms` milliseconds after the Unix epoch.
    pub const fn from_millis(ms: u64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This time plus `ms` milliseconds, saturating at [`Timestamp::MAX`].
    pub const fn plus_millis(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (0 if `earlier` is later).
    pub const fn millis_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// The current wall-clock time. Only for callers (the gateway, benches); the store never calls it.
    pub fn now_utc() -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        Timestamp(ms)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// Where the time comes from. Decisions never read the system clock: the IO shell passes
/// `clock.now()` in, and tests pass a [`FixedClock`].
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now_utc()
    }
}

/// A clock that says what it is told (tests, simulations).
#[derive(Debug, Default)]
pub struct FixedClock(std::sync::atomic::AtomicU64);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: Timestamp) -> FixedClock {
        FixedClock(std::sync::atomic::AtomicU64::new(at.as_millis()))
    }

    /// Set it to `at`.
    pub fn set(&self, at: Timestamp) {
        self.0
            .store(at.as_millis(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Move it on by `ms` milliseconds.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_what_it_is_told() {
        let c = FixedClock::new(Timestamp::from_millis(5));
        assert_eq!(c.now(), Timestamp::from_millis(5));
        c.advance(10);
        assert_eq!(c.now().as_millis(), 15);
        c.set(Timestamp::ZERO);
        assert_eq!(c.now(), Timestamp::ZERO);
        assert!(SystemClock.now() > Timestamp::from_millis(1_700_000_000_000));
        assert_eq!(Timestamp::MAX.plus_millis(1), Timestamp::MAX);
        assert_eq!(
            Timestamp::from_millis(3).millis_since(Timestamp::from_millis(5)),
            0
        );
    }
}
