//! Time: [`Timestamp`] and the [`Clock`] decisions take it from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in time: milliseconds since the Unix epoch (UTC).
///
/// In JSON (the API, and the store's records) it is RFC 3339 text in UTC with milliseconds,
/// `2026-12-06T01:52:12.345Z`: one form everywhere. Reading also takes the number of
/// milliseconds, the form records written before were in, and any RFC 3339 offset.
///
/// The store never reads the clock itself: every operation that needs the time takes `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
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

/// The last millisecond RFC 3339 can write (9999-12-31T23:59:59.999Z); later times are
/// written as it.
const LAST_WRITABLE_MS: u64 = 253_402_300_799_999;

impl Timestamp {
    /// RFC 3339 in UTC with milliseconds: `2026-12-06T01:52:12.345Z`.
    pub fn to_rfc3339(self) -> String {
        let ms = i64::try_from(self.0.min(LAST_WRITABLE_MS)).unwrap_or(0);
        match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            Err(_) => "9999-12-31T23:59:59.999Z".to_owned(),
        }
    }

    /// An RFC 3339 time with any offset (`2026-12-06T08:52:12+07:00`); times before the
    /// epoch are refused, precision beyond milliseconds is cut.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let t: jiff::Timestamp = text.trim().parse().ok()?;
        u64::try_from(t.as_millisecond()).ok().map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time, or milliseconds since the epoch")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map(Timestamp)
                    .map_err(|_| E::custom("a time before 1970"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v)
                    .ok_or_else(|| E::custom(format!("'{v}' is not an RFC 3339 time")))
            }
        }
        d.deserialize_any(V)
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

    #[test]
    fn json_has_one_form_rfc_3339_and_reads_the_old_number_too() {
        let t = Timestamp::from_millis(1_765_000_000_123);
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(text, "\"2025-12-06T05:46:40.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&text).unwrap(), t);
        assert_eq!(
            serde_json::from_str::<Timestamp>("1765000000123").unwrap(),
            t
        );
        assert_eq!(
            serde_json::from_str::<Timestamp>("\"2025-12-06T12:46:40.123+07:00\"").unwrap(),
            t
        );
        assert_eq!(t.to_string(), "2025-12-06T05:46:40.123Z");
        assert_eq!(Timestamp::ZERO.to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::MAX.to_rfc3339(), "9999-12-31T23:59:59.999Z");
        for bad in [
            "\"yesterday\"",
            "-5",
            "\"1969-12-31T23:59:59Z\"",
            "\"2025-12-06\"",
            "true",
        ] {
            assert!(serde_json::from_str::<Timestamp>(bad).is_err(), "{bad}");
        }
    }
}
