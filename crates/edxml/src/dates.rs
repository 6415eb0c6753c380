//! Dates and times as edXML writes them (`yyyy/MM/dd`, `yyyy/MM/dd HH:mm:ss`), read
//! leniently: `dd/MM/yyyy` (seen in Tây Ninh files), ISO `yyyy-MM-dd` and
//! `yyyy-MM-ddTHH:mm:ss` (with an optional zone, which is dropped: edXML times are
//! Vietnam local time) are accepted too.

use std::fmt;

use serde::{Serialize, Serializer};

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31 (checked against the month).
    pub day: u8,
}

/// A local date and time (Vietnam time, as edXML carries it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59 (60 for a leap second is accepted).
    pub second: u8,
}

fn num<T: std::str::FromStr>(s: &str, min_len: usize, max_len: usize) -> Option<T> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    /// A checked date.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(year), i8::try_from(month), i8::try_from(day))
        else {
            return None;
        };
        if year == 0 || jiff::civil::Date::new(y, m, d).is_err() {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parse `yyyy/MM/dd`, `dd/MM/yyyy` or `yyyy-MM-dd` (one- or two-digit month and day).
    pub fn parse_lenient(s: &str) -> Option<Date> {
        let s = s.trim();
        let sep = if s.contains('/') { '/' } else { '-' };
        let mut it = s.split(sep);
        let (a, b, c) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        if a.len() == 4 {
            Date::new(num(a, 4, 4)?, num(b, 1, 2)?, num(c, 1, 2)?)
        } else if c.len() == 4 && sep == '/' {
            Date::new(num(c, 4, 4)?, num(b, 1, 2)?, num(a, 1, 2)?)
        } else {
            None
        }
    }

    /// ISO 8601 `yyyy-MM-dd`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    /// The edXML form `yyyy/MM/dd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl DateTime {
    /// A checked date and time.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Option<DateTime> {
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        Some(DateTime {
            date,
            hour,
            minute,
            second,
        })
    }

    /// Parse `yyyy/MM/dd HH:mm:ss` and the lenient variants of [`Date::parse_lenient`],
    /// with `T` or a space between date and time, optional fractional seconds and zone.
    /// A date alone is read as midnight.
    pub fn parse_lenient(s: &str) -> Option<DateTime> {
        let s = s.trim();
        let (d, t) = match s.find(['T', ' ']) {
            Some(i) => (&s[..i], s[i + 1..].trim()),
            None => (s, ""),
        };
        let date = Date::parse_lenient(d)?;
        if t.is_empty() {
            return DateTime::new(date, 0, 0, 0);
        }
        // Drop a zone designator and fractional seconds.
        let t = t.trim_end_matches('Z');
        let t = match t.rfind(['+', '-']) {
            Some(i) if i >= 5 => &t[..i],
            _ => t,
        };
        let t = t.split('.').next()?;
        let mut it = t.split(':');
        let h = num(it.next()?, 1, 2)?;
        let m = num(it.next()?, 1, 2)?;
        let sec = match it.next() {
            Some(x) => num(x, 1, 2)?,
            None => 0,
        };
        if it.next().is_some() {
            return None;
        }
        DateTime::new(date, h, m, sec)
    }

    /// ISO 8601 local time `yyyy-MM-ddTHH:mm:ss`.
    pub fn iso(&self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}",
            self.date.iso(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

impl fmt::Display for DateTime {
    /// The edXML form `yyyy/MM/dd HH:mm:ss`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_date_forms() {
        let d = Date::new(2020, 10, 30).unwrap();
        assert_eq!(Date::parse_lenient("2020/10/30"), Some(d));
        assert_eq!(Date::parse_lenient("30/10/2020"), Some(d));
        assert_eq!(Date::parse_lenient("2020-10-30"), Some(d));
        assert_eq!(Date::parse_lenient(" 2020/1/5 "), Date::new(2020, 1, 5));
        assert_eq!(d.to_string(), "2020/10/30");
        assert_eq!(d.iso(), "2020-10-30");
    }

    #[test]
    fn invalid_dates() {
        assert_eq!(Date::parse_lenient("2014/02/30"), None);
        assert_eq!(Date::parse_lenient("2016/02/29").map(|d| d.day), Some(29));
        assert_eq!(Date::parse_lenient("2015/02/29"), None);
        assert_eq!(Date::parse_lenient("2015/13/01"), None);
        assert_eq!(Date::parse_lenient("20/10/20"), None);
        assert_eq!(Date::parse_lenient("yesterday"), None);
        assert_eq!(Date::parse_lenient("2020/10/30/1"), None);
        assert_eq!(Date::parse_lenient(""), None);
    }

    #[test]
    fn date_times() {
        let t = DateTime::parse_lenient("2015/09/20 11:08:36").unwrap();
        assert_eq!(t.to_string(), "2015/09/20 11:08:36");
        assert_eq!(t.iso(), "2015-09-20T11:08:36");
        assert_eq!(
            DateTime::parse_lenient("2015-09-20T11:08:36+07:00"),
            Some(t)
        );
        assert_eq!(DateTime::parse_lenient("2015-09-20T11:08:36.123Z"), Some(t));
        assert_eq!(DateTime::parse_lenient("20/09/2015 11:08:36"), Some(t));
        assert_eq!(
            DateTime::parse_lenient("2015/09/20").map(|t| t.hour),
            Some(0)
        );
        assert_eq!(DateTime::parse_lenient("2015/09/20 25:00:00"), None);
        assert_eq!(DateTime::parse_lenient("2015/09/20 aa:00:00"), None);
    }
}
