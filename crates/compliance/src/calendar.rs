//! The working-day calendar, in Vietnam time (UTC+7, no daylight saving): Monday to Friday
//! are working days except the configured holidays; a working day runs from its start to its
//! end (08:00–17:00 by default).
//!
//! Days are numbered from 1970-01-01 (day 0) in Vietnam time, so that a report's period and
//! the aggregates' keys are plain integers.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use lienthong_types::Timestamp;
use serde::{Deserialize, Serialize};

/// Vietnam's offset from UTC, in milliseconds.
pub const VN_OFFSET_MS: i64 = 7 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;
/// How far a search for the next working day looks (a year of holidays in a row is a
/// configuration error; the search then stops there rather than loop).
const MAX_DAYS_AHEAD: i32 = 400;

/// A calendar day in Vietnam time: days since 1970-01-01. In JSON it is the ISO 8601 date,
/// `2026-11-01` (reading also takes the number of days, the form records written before
/// were in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Day(pub i32);

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Day, E> {
                i32::try_from(v).map(Day).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Day, E> {
                i32::try_from(v).map(Day).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Day, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A day or month that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{given}' is not a {what} ({expected})")]
pub struct ParseDayError {
    /// What was given.
    pub given: String,
    /// What was expected: "date", "month", "quarter", "time of day".
    pub what: &'static str,
    /// Its form.
    pub expected: &'static str,
}

fn epoch() -> jiff::civil::Date {
    jiff::civil::date(1970, 1, 1)
}

impl Day {
    /// The Vietnam-time day of instant `t`.
    pub fn of(t: Timestamp) -> Day {
        let ms = i64::try_from(t.as_millis()).unwrap_or(i64::MAX / 2) + VN_OFFSET_MS;
        Day(i32::try_from(ms.div_euclid(DAY_MS)).unwrap_or(i32::MAX))
    }

    /// The civil date.
    pub fn date(self) -> jiff::civil::Date {
        epoch()
            .checked_add(jiff::Span::new().days(i64::from(self.0)))
            .unwrap_or(epoch())
    }

    /// The day of a civil date.
    pub fn from_date(d: jiff::civil::Date) -> Day {
        let days = d.since(epoch()).map(|s| s.get_days()).unwrap_or_default();
        Day(days)
    }

    /// The instant `minutes` after this day's midnight, Vietnam time.
    pub fn at_minute(self, minutes: u32) -> Timestamp {
        let ms = i64::from(self.0) * DAY_MS - VN_OFFSET_MS + i64::from(minutes) * MINUTE_MS;
        Timestamp::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u8 {
        u8::try_from((self.0 + 3).rem_euclid(7)).unwrap_or(0)
    }

    /// The next day.
    pub fn next(self) -> Day {
        Day(self.0.saturating_add(1))
    }

    /// `yyyy-mm` of this day.
    pub fn month(self) -> Month {
        let d = self.date();
        Month {
            year: d.year(),
            month: u8::try_from(d.month()).unwrap_or(1),
        }
    }

    /// `dd/MM/yyyy`, as Vietnamese readers write dates.
    pub fn vietnamese(self) -> String {
        let d = self.date();
        format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date())
    }
}

impl FromStr for Day {
    type Err = ParseDayError;
    fn from_str(s: &str) -> Result<Day, ParseDayError> {
        let bad = || ParseDayError {
            given: s.chars().take(40).collect(),
            what: "date",
            expected: "YYYY-MM-DD",
        };
        if s.len() != 10 {
            return Err(bad());
        }
        jiff::civil::Date::from_str(s)
            .map(Day::from_date)
            .map_err(|_| bad())
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    /// The year.
    pub year: i16,
    /// 1–12.
    pub month: u8,
}

impl Month {
    /// Its first day.
    pub fn first(self) -> Day {
        Day::from_date(jiff::civil::date(
            self.year,
            i8::try_from(self.month).unwrap_or(1),
            1,
        ))
    }

    /// The month after.
    pub fn next(self) -> Month {
        match self.month {
            12 => Month {
                year: self.year.saturating_add(1),
                month: 1,
            },
            m => Month {
                year: self.year,
                month: m + 1,
            },
        }
    }

    /// Its last day.
    pub fn last(self) -> Day {
        Day(self.next().first().0 - 1)
    }

    /// A month number that orders months (year × 12 + month − 1), for keys.
    pub fn index(self) -> i32 {
        i32::from(self.year) * 12 + i32::from(self.month) - 1
    }

    /// The month of a [`Month::index`].
    pub fn from_index(i: i32) -> Month {
        Month {
            year: i16::try_from(i.div_euclid(12)).unwrap_or(1970),
            month: u8::try_from(i.rem_euclid(12) + 1).unwrap_or(1),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ParseDayError;
    fn from_str(s: &str) -> Result<Month, ParseDayError> {
        let bad = || ParseDayError {
            given: s.chars().take(40).collect(),
            what: "month",
            expected: "YYYY-MM",
        };
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: Day,
    /// Last day (inclusive).
    pub to: Day,
}

impl Period {
    /// A month, `YYYY-MM`.
    pub fn month(s: &str) -> Result<Period, ParseDayError> {
        let m: Month = s.parse()?;
        Ok(Period {
            from: m.first(),
            to: m.last(),
        })
    }

    /// A quarter, `YYYYQn`.
    pub fn quarter(s: &str) -> Result<Period, ParseDayError> {
        let bad = || ParseDayError {
            given: s.chars().take(40).collect(),
            what: "quarter",
            expected: "YYYYQn, e.g. 2026Q4",
        };
        let (y, q) = s
            .split_once('Q')
            .or_else(|| s.split_once('q'))
            .ok_or_else(bad)?;
        let q: u8 = q.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=4).contains(&q) {
            return Err(bad());
        }
        let first: Month = format!("{y}-{:02}", (q - 1) * 3 + 1)
            .parse()
            .map_err(|_| bad())?;
        let last = first.next().next();
        Ok(Period {
            from: first.first(),
            to: last.last(),
        })
    }

    /// How many days it spans.
    pub fn days(self) -> u32 {
        u32::try_from(self.to.0 - self.from.0 + 1).unwrap_or(0)
    }

    /// Whether `d` is in it.
    pub fn contains(self, d: Day) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A time of day, `HH:MM`, as minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay(pub u32);

impl FromStr for TimeOfDay {
    type Err = ParseDayError;
    fn from_str(s: &str) -> Result<TimeOfDay, ParseDayError> {
        let bad = || ParseDayError {
            given: s.chars().take(40).collect(),
            what: "time of day",
            expected: "HH:MM, 00:00 to 24:00",
        };
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if m > 59 || h * 60 + m > 24 * 60 {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 60 + m))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Working days and hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Day>,
    start: TimeOfDay,
    end: TimeOfDay,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            holidays: BTreeSet::new(),
            start: TimeOfDay(8 * 60),
            end: TimeOfDay(17 * 60),
        }
    }
}

/// Why a calendar cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A day or time that could not be read.
    #[error(transparent)]
    Parse(#[from] ParseDayError),
    /// The working day ends before it starts.
    #[error("the working day ends ({end}) before it starts ({start})")]
    Order {
        /// Start.
        start: TimeOfDay,
        /// End.
        end: TimeOfDay,
    },
}

impl Calendar {
    /// A calendar with these holidays (`YYYY-MM-DD`) and working hours (`HH:MM`).
    pub fn new(holidays: &[String], start: &str, end: &str) -> Result<Calendar, CalendarError> {
        let (start, end): (TimeOfDay, TimeOfDay) = (start.parse()?, end.parse()?);
        if end <= start {
            return Err(CalendarError::Order { start, end });
        }
        let holidays = holidays
            .iter()
            .map(|h| h.parse())
            .collect::<Result<_, ParseDayError>>()?;
        Ok(Calendar {
            holidays,
            start,
            end,
        })
    }

    /// When the working day starts.
    pub fn start(&self) -> TimeOfDay {
        self.start
    }

    /// When the working day ends.
    pub fn end(&self) -> TimeOfDay {
        self.end
    }

    /// The holidays.
    pub fn holidays(&self) -> impl Iterator<Item = Day> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether `d` is a working day.
    pub fn is_working(&self, d: Day) -> bool {
        d.weekday() < 5 && !self.holidays.contains(&d)
    }

    /// The first working day on or after `d`.
    pub fn working_on_or_after(&self, d: Day) -> Day {
        let mut day = d;
        for _ in 0..MAX_DAYS_AHEAD {
            if self.is_working(day) {
                return day;
            }
            day = day.next();
        }
        day
    }

    /// By when a document delivered at `at` must have its receipt notified: the end of
    /// that working day, or, delivered after the end of the day or on a day off, the end of
    /// the next working day.
    pub fn notice_deadline(&self, at: Timestamp) -> Timestamp {
        let d = Day::of(at);
        let day = if self.is_working(d) && at < d.at_minute(self.end.0) {
            d
        } else {
            self.working_on_or_after(d.next())
        };
        day.at_minute(self.end.0)
    }

    /// The instant `minutes` working minutes after `at` (counting only working hours of
    /// working days).
    pub fn add_working_minutes(&self, at: Timestamp, minutes: u32) -> Timestamp {
        let mut left = i64::from(minutes) * MINUTE_MS;
        let mut day = Day::of(at);
        let mut cursor = at;
        for _ in 0..MAX_DAYS_AHEAD {
            if self.is_working(day) {
                let (open, close) = (day.at_minute(self.start.0), day.at_minute(self.end.0));
                let from = cursor.max(open);
                if from < close {
                    let room = i64::try_from(close.millis_since(from)).unwrap_or(i64::MAX);
                    if left <= room {
                        return from.plus_millis(u64::try_from(left).unwrap_or(0));
                    }
                    left -= room;
                }
            }
            day = day.next();
            cursor = day.at_minute(0);
        }
        cursor
    }

    /// Working milliseconds between `a` and `b` (0 if `b` is not later).
    pub fn working_millis_between(&self, a: Timestamp, b: Timestamp) -> u64 {
        let mut total = 0u64;
        let (mut day, last) = (Day::of(a), Day::of(b));
        while day <= last {
            if self.is_working(day) {
                let (open, close) = (day.at_minute(self.start.0), day.at_minute(self.end.0));
                let (from, to) = (a.max(open), b.min(close));
                total += to.millis_since(from);
            }
            day = day.next();
        }
        total
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `"2026-11-02 16:59"`, Vietnam time (for this crate's tests).
    pub(crate) fn at(s: &str) -> Timestamp {
        let (d, t) = s.split_once(' ').unwrap();
        let day: Day = d.parse().unwrap();
        let tod: TimeOfDay = t.parse().unwrap();
        day.at_minute(tod.0)
    }

    fn cal() -> Calendar {
        Calendar::new(&["2026-11-20".into()], "08:00", "17:00").unwrap()
    }

    #[test]
    fn days_are_vietnam_days() {
        // 2026-11-02 00:30 in Vietnam is 2026-11-01 17:30 UTC.
        let t = at("2026-11-02 00:30");
        assert_eq!(t.as_millis() % DAY_MS as u64, (17 * 60 + 30) * 60_000);
        assert_eq!(Day::of(t).to_string(), "2026-11-02");
        assert_eq!(Day::of(Timestamp::from_millis(0)), Day(0));
        assert_eq!("1970-01-01".parse::<Day>().unwrap(), Day(0));
        assert_eq!(Day(0).weekday(), 3, "a Thursday");
        assert_eq!(
            "2026-11-02".parse::<Day>().unwrap().weekday(),
            0,
            "a Monday"
        );
        assert_eq!(
            "2026-11-02".parse::<Day>().unwrap().vietnamese(),
            "02/11/2026"
        );
    }

    #[test]
    fn bad_days_and_times_are_refused() {
        for s in [
            "2026-13-01",
            "2026-02-30",
            "26-11-01",
            "2026-11-1",
            "",
            "2026-11-01x",
        ] {
            assert!(s.parse::<Day>().is_err(), "{s}");
        }
        for s in ["25:00", "8:00", "08:60", "0800", "24:01"] {
            assert!(s.parse::<TimeOfDay>().is_err(), "{s}");
        }
        assert!(matches!(
            Calendar::new(&[], "17:00", "08:00"),
            Err(CalendarError::Order { .. })
        ));
        assert!(Calendar::new(&["2026-02-31".into()], "08:00", "17:00").is_err());
        for s in ["2026-00", "2026-13", "2026/11", "26-11"] {
            assert!(s.parse::<Month>().is_err(), "{s}");
        }
        for s in ["2026Q0", "2026Q5", "2026", "Q4"] {
            assert!(Period::quarter(s).is_err(), "{s}");
        }
    }

    #[test]
    fn months_and_quarters() {
        let p = Period::month("2026-02").unwrap();
        assert_eq!(
            (p.from.to_string(), p.to.to_string()),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        let q = Period::quarter("2026Q4").unwrap();
        assert_eq!(
            (q.from.to_string(), q.to.to_string()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        assert_eq!(q.days(), 92);
        let m = Month {
            year: 2026,
            month: 12,
        };
        assert_eq!(Month::from_index(m.index()), m);
        assert_eq!(m.next().to_string(), "2027-01");
    }

    #[test]
    fn the_notice_is_due_by_the_end_of_the_working_day() {
        let c = cal();
        // Monday 10:00 → Monday 17:00.
        assert_eq!(
            c.notice_deadline(at("2026-11-02 10:00")),
            at("2026-11-02 17:00")
        );
        // Before opening: the same day.
        assert_eq!(
            c.notice_deadline(at("2026-11-02 06:00")),
            at("2026-11-02 17:00")
        );
        // After the end of the day: the next working day.
        assert_eq!(
            c.notice_deadline(at("2026-11-02 17:00")),
            at("2026-11-03 17:00")
        );
        // Friday evening and the weekend: Monday.
        assert_eq!(
            c.notice_deadline(at("2026-11-06 18:00")),
            at("2026-11-09 17:00")
        );
        assert_eq!(
            c.notice_deadline(at("2026-11-08 09:00")),
            at("2026-11-09 17:00")
        );
        // Thursday evening before the Friday holiday: Monday.
        assert_eq!(
            c.notice_deadline(at("2026-11-19 17:30")),
            at("2026-11-23 17:00")
        );
        assert_eq!(
            c.notice_deadline(at("2026-11-20 09:00")),
            at("2026-11-23 17:00")
        );
    }

    #[test]
    fn working_minutes_skip_nights_weekends_and_holidays() {
        let c = cal();
        assert_eq!(
            c.add_working_minutes(at("2026-11-02 10:00"), 60),
            at("2026-11-02 11:00")
        );
        assert_eq!(
            c.add_working_minutes(at("2026-11-02 16:30"), 60),
            at("2026-11-03 08:30")
        );
        assert_eq!(
            c.add_working_minutes(at("2026-11-06 16:30"), 60),
            at("2026-11-09 08:30")
        );
        assert_eq!(
            c.add_working_minutes(at("2026-11-19 20:00"), 60),
            at("2026-11-23 09:00")
        );
        assert_eq!(
            c.add_working_minutes(at("2026-11-07 12:00"), 0),
            at("2026-11-09 08:00")
        );
        assert_eq!(
            c.working_millis_between(at("2026-11-06 16:30"), at("2026-11-09 08:30")),
            3_600_000
        );
        assert_eq!(
            c.working_millis_between(at("2026-11-09 10:00"), at("2026-11-09 09:00")),
            0
        );
    }

    #[test]
    fn a_year_of_holidays_stops_the_search() {
        let all: Vec<String> = (0..800)
            .map(|i| Day("2026-01-01".parse::<Day>().unwrap().0 + i).to_string())
            .collect();
        let c = Calendar::new(&all, "08:00", "17:00").unwrap();
        let t = at("2026-01-05 09:00");
        assert!(c.notice_deadline(t) > t);
        assert!(c.add_working_minutes(t, 60) > t);
    }
}
