//! Times in the VXP API: the SDK and the national axis work in Vietnam's legal time
//! (UTC+7, no daylight saving). Answers carry ISO 8601 with the offset; the list filters
//! `fromDate`/`toDate` are free text in the SDK, read here in the forms DMSs use.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};

/// Vietnam's offset from UTC.
fn vietnam() -> TimeZone {
    TimeZone::fixed(Offset::constant(7))
}

/// `ms` since the epoch as ISO 8601 in Vietnam time, e.g. `2026-12-05T13:39:41+07:00`.
pub fn vietnam_iso(ms: u64) -> String {
    let t = i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let d = t.to_zoned(vietnam()).datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// The SDK timestamp (`XroadVnpt-timestamp`) of `ms` since the epoch, in Vietnam time.
pub fn sdk_stamp(ms: u64) -> String {
    let t = i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    crate::stamp::format(t.to_zoned(vietnam()).datetime())
}

/// A civil time read as Vietnam time, in ms since the epoch (`None` before 1970).
pub fn vietnam_ms(t: DateTime) -> Option<u64> {
    let z = t.to_zoned(vietnam()).ok()?;
    u64::try_from(z.timestamp().as_millisecond()).ok()
}

/// A list filter's bound in ms since the epoch: `fromDate` is the start of its day (or its
/// time, when it has one), `toDate` the end of its day (or its time). Accepted: `2026-12-05`,
/// `05/12/2026`, `05-12-2026`, `05122026`, and those with a time (`2026-12-05T08:30:00`,
/// `2026-12-05 08:30:00`, `05/12/2026 08:30:00`) or an SDK timestamp. `None` if none fits.
pub fn filter_bound(text: &str, end_of_day: bool) -> Option<u64> {
    let text = text.trim();
    if let Some(t) = crate::stamp::parse(text) {
        return vietnam_ms(t);
    }
    let (date_part, time_part) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let date = parse_date(date_part)?;
    let t = match time_part {
        Some(t) => date.to_datetime(parse_time(t)?),
        None if end_of_day => date
            .tomorrow()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
        None => date.to_datetime(jiff::civil::Time::midnight()),
    };
    let ms = vietnam_ms(t)?;
    // The end of a day is the last millisecond before the next one.
    Some(if end_of_day && time_part.is_none() {
        ms.saturating_sub(1)
    } else {
        ms
    })
}

fn parse_date(s: &str) -> Option<Date> {
    let digits = |p: &str| -> Option<i32> {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..]
        && y.len() == 4
    {
        (digits(y)?, digits(m)?, digits(d)?)
    } else if let [d, m, y] = s.split(['/', '-']).collect::<Vec<_>>()[..] {
        (digits(y)?, digits(m)?, digits(d)?)
    } else if s.len() == 8 {
        (
            digits(s.get(4..8)?)?,
            digits(s.get(2..4)?)?,
            digits(s.get(0..2)?)?,
        )
    } else {
        return None;
    };
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

fn parse_time(s: &str) -> Option<jiff::civil::Time> {
    let parts: Vec<&str> = s.split(':').collect();
    let n = |i: usize| -> Option<i8> {
        let p = parts.get(i)?;
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.len() {
        2 => jiff::civil::Time::new(n(0)?, n(1)?, 0, 0).ok(),
        3 => jiff::civil::Time::new(n(0)?, n(1)?, n(2)?, 0).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_time_both_ways() {
        // 2026-12-05T06:39:41Z is 13:39:41 in Vietnam.
        let ms = 1_796_452_781_000;
        assert_eq!(vietnam_iso(ms), "2026-12-05T13:39:41+07:00");
        let t = crate::stamp::parse("05122026T133941+0000").unwrap();
        assert_eq!(vietnam_ms(t), Some(ms));
        assert_eq!(sdk_stamp(ms + 937), "05122026T133941+0937");
    }

    #[test]
    fn list_filters_in_the_forms_dms_send() {
        let start = filter_bound("2026-12-05", false).unwrap();
        assert_eq!(vietnam_iso(start), "2026-12-05T00:00:00+07:00");
        for same in ["05/12/2026", "05-12-2026", "05122026", " 2026-12-05 "] {
            assert_eq!(filter_bound(same, false), Some(start), "{same}");
        }
        let end = filter_bound("05/12/2026", true).unwrap();
        assert_eq!(end, start + 86_400_000 - 1);
        let at = filter_bound("2026-12-05 08:30:00", true).unwrap();
        assert_eq!(vietnam_iso(at), "2026-12-05T08:30:00+07:00");
        assert_eq!(filter_bound("2026-12-05T08:30", false), Some(at));
        assert_eq!(
            filter_bound("05122026T083000+0000", false),
            Some(at),
            "an SDK timestamp"
        );
        for bad in [
            "",
            "hôm nay",
            "2026-13-01",
            "31/02/2026",
            "2026-12-05 25:00",
            "1/1",
        ] {
            assert_eq!(filter_bound(bad, false), None, "{bad}");
        }
    }
}
