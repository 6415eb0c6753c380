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
}
