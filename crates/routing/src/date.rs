//! Calendar dates (no time zone) for agency validity windows.
//!
//! The crate takes "today" as a parameter (sans-IO): the caller reads the clock and passes a
//! [`Date`]. Validity windows are whole days, both ends inclusive, in the caller's legal time
//! zone (Vietnam, UTC+7).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A proleptic Gregorian calendar date between 0001-01-01 and 9999-12-31 (checked by `jiff`).
///
/// Ordering is chronological. Parsed from and written as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` is chronological.
    year: u16,
    month: u8,
    day: u8,
}

/// Why a string is not a [`Date`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the shape `YYYY-MM-DD` (four, two and two ASCII digits).
    #[error("'{0}' is not a date of the form YYYY-MM-DD")]
    Format(String),
    /// The shape is right but the day does not exist (month 13, 30 February, year 0 …).
    #[error("'{0}' is not a day of the calendar")]
    NoSuchDay(String),
}

impl Date {
    /// 1970-01-01.
    pub const EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// The UTC date of a time given in milliseconds since the Unix epoch.
    pub fn from_unix_millis(ms: u64) -> Date {
        let civil = i64::try_from(ms)
            .ok()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
        match civil {
            Some(d) => Date::from_civil(d).unwrap_or(Date::EPOCH),
            None => Date::EPOCH,
        }
    }

    fn from_civil(d: jiff::civil::Date) -> Option<Date> {
        Date::new(
            u16::try_from(d.year()).ok()?,
            u8::try_from(d.month()).ok()?,
            u8::try_from(d.day()).ok()?,
        )
    }

    /// The date `year-month-day`, or `None` if that day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(year), i8::try_from(month), i8::try_from(day))
        else {
            return None;
        };
        if !(1..=9999).contains(&year) || jiff::civil::Date::new(y, m, d).is_err() {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parse `YYYY-MM-DD`, strictly (no time, no zone, no missing zeros).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Format(s.to_owned()));
        }
        let num = |r: std::ops::Range<usize>| -> u16 {
            b[r].iter()
                .fold(0u16, |acc, c| acc * 10 + u16::from(c - b'0'))
        };
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
            return Err(DateError::NoSuchDay(s.to_owned()));
        };
        Date::new(year, month, day).ok_or_else(|| DateError::NoSuchDay(s.to_owned()))
    }

    /// The year (1–9999).
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_unix_millis() {
        assert_eq!(Date::from_unix_millis(0), Date::EPOCH);
        assert_eq!(
            Date::from_unix_millis(1_795_305_600_000),
            Date::new(2026, 11, 22).unwrap()
        );
        assert_eq!(
            Date::from_unix_millis(951_782_400_000),
            Date::new(2000, 2, 29).unwrap()
        );
        assert_eq!(
            Date::from_unix_millis(951_868_799_999),
            Date::new(2000, 2, 29).unwrap()
        );
    }

    #[test]
    fn parses_and_orders() {
        let a = Date::parse("2025-06-30").unwrap();
        let b = Date::parse("2025-07-01").unwrap();
        assert!(a < b);
        assert_eq!(a.to_string(), "2025-06-30");
        assert_eq!((b.year(), b.month(), b.day()), (2025, 7, 1));
        assert_eq!(Date::new(2025, 7, 1), Some(b));
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2000-02-29").is_ok());
    }

    #[test]
    fn refuses_bad_dates() {
        for s in [
            "",
            "2025-6-30",
            "2025/06/30",
            "30-06-2025",
            "2025-06-30T00:00",
            "２025-06-30",
            "+025-06-30",
        ] {
            assert!(matches!(Date::parse(s), Err(DateError::Format(_))), "{s}");
        }
        for s in [
            "2025-02-29",
            "1900-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "0000-01-01",
        ] {
            assert!(
                matches!(Date::parse(s), Err(DateError::NoSuchDay(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn serde_is_a_string() {
        let d = Date::parse("2016-04-01").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2016-04-01\"");
        assert_eq!(serde_json::from_str::<Date>("\"2016-04-01\"").unwrap(), d);
        assert!(serde_json::from_str::<Date>("\"2016-04-31\"").is_err());
    }
}
