//! The SDK's `XroadVnpt-timestamp`: `ddMMyyyy'T'HHmmss+SSSS`, the client's local time with
//! no zone, where `+` is a literal and `SSSS` the milliseconds padded to four digits
//! (`05122026T133941+0937` is 5 December 2026, 13:39:41.937). The SDK computes it once per
//! client object and reuses it, so it says when the client started, not when it sent: it
//! can only bound the clock skew of clients known to be fresh (`max_clock_skew_s`).

use jiff::civil::DateTime;

/// Read a timestamp as a civil date and time (no zone).
pub fn parse(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    if b.len() != 20 || b[8] != b'T' || b[15] != b'+' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i32> {
        let digits = s.get(from..to)?;
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let (day, month, year) = (num(0, 2)?, num(2, 4)?, num(4, 8)?);
    let (hour, minute, second, milli) = (num(9, 11)?, num(11, 13)?, num(13, 15)?, num(16, 20)?);
    if milli > 999 {
        return None;
    }
    DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        milli * 1_000_000,
    )
    .ok()
}

/// Write a civil date and time the SDK's way.
pub fn format(t: DateTime) -> String {
    format!(
        "{:02}{:02}{:04}T{:02}{:02}{:02}+{:04}",
        t.day(),
        t.month(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        t.subsec_nanosecond() / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_s_example_both_ways() {
        let t = parse("05122026T133941+0937").unwrap();
        assert_eq!(t.to_string(), "2026-12-05T13:39:41.937");
        assert_eq!(format(t), "05122026T133941+0937");
        let early = parse("01012026T000000+0000").unwrap();
        assert_eq!(format(early), "01012026T000000+0000");
    }

    #[test]
    fn anything_else_is_not_a_timestamp() {
        for bad in [
            "",
            "05122026T133941",
            "05122026T133941+1000",
            "32122026T133941+0937",
            "05132026T133941+0937",
            "05122026X133941+0937",
            "0512202âT133941+0937",
            "05122026T13394+10937",
            "+5122026T133941+0937",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
