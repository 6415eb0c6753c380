//! Times for verification reports: Unix seconds to and from UTC calendar dates,
//! without a date library (the arithmetic is Howard Hinnant's civil-from-days).

/// Days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2025-03-01T00:00:00Z`.
pub fn format_rfc3339(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `2025-03-01`.
pub fn format_date(secs: u64) -> String {
    format_rfc3339(secs)[..10].to_owned()
}

/// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]` or `YYYY-MM-DD HH:MM:SS` (UTC when
/// no offset is given) into Unix seconds.
pub fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let num = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1970 {
        return None;
    }
    let (time, offset) = if rest.is_empty() {
        ("00:00:00", 0i64)
    } else if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']).filter(|&i| i >= 5) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let mut op = off[1..].split(':');
        let oh = num(op.next()?)?;
        let om = op.next().map_or(Some(0), num)?;
        (t, sign * (oh * 3600 + om * 60))
    } else {
        (rest, 0)
    };
    let time = time.split('.').next()?;
    let mut tp = time.split(':');
    let (h, mi) = (num(tp.next()?)?, num(tp.next()?)?);
    let sec = tp.next().map_or(Some(0), num)?;
    if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?);
    let total = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(total).ok()
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
