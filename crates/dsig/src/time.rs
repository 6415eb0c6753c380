//! Times for verification reports: Unix seconds to and from UTC calendar dates (`jiff`).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, fmt::strtime};

fn timestamp(secs: u64) -> Timestamp {
    i64::try_from(secs)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MAX)
}

/// `2025-03-01T00:00:00Z`.
pub fn format_rfc3339(secs: u64) -> String {
    strtime::format("%Y-%m-%dT%H:%M:%SZ", timestamp(secs)).unwrap_or_default()
}

/// `2025-03-01`.
pub fn format_date(secs: u64) -> String {
    strtime::format("%Y-%m-%d", timestamp(secs)).unwrap_or_default()
}

/// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]` or `YYYY-MM-DD HH:MM:SS` (UTC when
/// no offset is given) into Unix seconds. Times before 1970 are refused.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let at = match s.parse::<Timestamp>() {
        Ok(t) => t,
        // no offset: a civil date (midnight) or date and time, read as UTC
        Err(_) => s
            .parse::<DateTime>()
            .ok()?
            .to_zoned(TimeZone::UTC)
            .ok()?
            .timestamp(),
    };
    u64::try_from(at.as_second()).ok()
}

/// The last second of the year 9999 (`9999-12-31T23:59:59Z`), in Unix seconds.
pub const LAST_SECOND: u64 = 253_402_300_799;

/// [`parse_time`] for a bound of a search (from, until): a date or time before 1970 is
/// 1970 (`0`: nothing is older), and one late in the year 9999, past what an instant can be
/// here, is [`LAST_SECOND`]. `None` for what is not a date or time at all.
pub fn parse_bound(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(t) = parse_time(s) {
        return Some(t);
    }
    // With an offset: an instant before 1970.
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(u64::try_from(t.as_second()).unwrap_or(0));
    }
    // A real date (and time) whose instant is out of reach: which side of it?
    let year = jiff::fmt::temporal::Pieces::parse(s).ok()?.date().year();
    if year < 1970 {
        Some(0)
    } else if year >= 9999 {
        Some(LAST_SECOND)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(parse_time("2025-03-01"), Some(1_740_787_200));
        assert_eq!(format_date(1_740_787_200), "2025-03-01");
        assert_eq!(parse_time("2025-03-01T07:00:00+07:00"), Some(1_740_787_200));
        assert_eq!(parse_time("2025-03-01 00:00:01"), Some(1_740_787_201));
        assert_eq!(
            parse_time("2024-02-29T12:00:00Z")
                .map(format_rfc3339)
                .as_deref(),
            Some("2024-02-29T12:00:00Z")
        );
        for t in [0u64, 951_782_400, 1_700_000_000, 4_102_444_800] {
            assert_eq!(parse_time(&format_rfc3339(t)), Some(t));
        }
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2025-13-01"), None);
        assert_eq!(parse_time("2025-01-01T25:00:00Z"), None);
    }

    #[test]
    fn search_bounds_reach_every_date() {
        assert_eq!(parse_bound("2025-03-01"), Some(1_740_787_200));
        assert_eq!(parse_bound("1969-12-31"), Some(0));
        assert_eq!(parse_bound("0001-01-01"), Some(0));
        assert_eq!(parse_bound("0001-01-01T00:00:00+05:00"), Some(0));
        assert_eq!(parse_bound("1970-01-01T00:30:00+01:00"), Some(0));
        assert_eq!(parse_bound("9999-12-31"), Some(LAST_SECOND));
        assert_eq!(parse_bound("9999-12-31T23:59:59Z"), Some(LAST_SECOND));
        assert_eq!(
            parse_bound("9999-12-31T23:59:59.5-23:59"),
            Some(LAST_SECOND)
        );
        assert_eq!(parse_bound("soon"), None);
        assert_eq!(parse_bound("2024-02-30"), None);
        assert_eq!(parse_bound("1969-13-01"), None);
    }
}
