//! The simulated month of `gateway_compliance.rs`: the agencies, the plan (random traffic
//! and edge cases), and the test's own model of what the report must say, written without
//! the code under test (its own weekday arithmetic, deadline rule and score formula).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::BTreeMap;

use lienthong_edxml::StatusCode;
use lienthong_types::Timestamp;

/// 1 November 2026, 00:00 in Vietnam (UTC+7), in seconds since the epoch: the simulation's
/// day 0 (a Sunday). Kept here, not computed by the code under test.
pub const NOV_1_VN: u64 = 1_793_491_200 - 7 * 3600;
/// 20 November (day 19) is a holiday in this simulation's calendar.
pub const HOLIDAY: u32 = 19;

pub const G22: &str = "000.00.00.G22";
pub const UBND: &str = "000.00.00.H50";
pub const VP: &str = "000.00.01.H50";
pub const STC: &str = "000.00.11.H50";
pub const HUYEN: &str = "000.00.21.H50";
pub const XA: &str = "000.05.21.H50";
pub const AGENCIES: [&str; 6] = [G22, UBND, VP, STC, HUYEN, XA];

pub fn home(code: &str) -> &'static str {
    match code {
        G22 => "gw-g22",
        HUYEN => "gw-h50-giolinh",
        XA => "gw-h50-giomai",
        _ => "gw-h50",
    }
}

pub fn level(code: &str) -> &'static str {
    match code {
        G22 => "central",
        UBND => "province",
        VP | STC => "department",
        HUYEN => "district",
        _ => "commune",
    }
}

/// A time of the simulation: day index from 1 November, minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct At {
    pub day: u32,
    pub min: u32,
}

impl At {
    pub fn ts(self) -> Timestamp {
        Timestamp::from_millis(
            (NOV_1_VN + u64::from(self.day) * 86_400 + u64::from(self.min) * 60) * 1000,
        )
    }
    pub fn plus(self, minutes: u32) -> At {
        let m = self.min + minutes;
        At {
            day: self.day + m / 1440,
            min: m % 1440,
        }
    }
}

/// The test's own working-day rule: Monday to Friday except the holiday; by 17:00.
pub fn working(day: u32) -> bool {
    let weekday = (day + 6) % 7; // day 0, 1 November 2026, is a Sunday
    weekday < 5 && day != HOLIDAY
}

pub fn notice_deadline(at: At) -> At {
    if working(at.day) && at.min < 17 * 60 {
        return At {
            day: at.day,
            min: 17 * 60,
        };
    }
    let mut d = at.day + 1;
    while !working(d) {
        d += 1;
    }
    At {
        day: d,
        min: 17 * 60,
    }
}

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// What one recipient does with a document.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub notice: Option<(StatusCode, At)>,
    pub completed: Option<At>,
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub n: u32,
    pub sender: &'static str,
    pub to: Vec<&'static str>,
    pub at: At,
    pub signed: bool,
    pub paper: bool,
    /// Day index of the due date.
    pub due: Option<u32>,
    pub urgent: bool,
    pub recall: Option<At>,
    pub answers: BTreeMap<&'static str, Answer>,
}

/// Documents at the edges of the rules, each with one recipient: (sent, notice, due day,
/// completion, urgent).
#[allow(clippy::type_complexity)]
pub const EDGES: &[(At, Option<At>, Option<u32>, Option<At>, bool)] = &[
    // Monday 16:50, notified 17:05: late.
    (
        At { day: 2, min: 1010 },
        Some(At { day: 2, min: 1025 }),
        None,
        None,
        false,
    ),
    // Monday 16:50, notified 16:59: on time.
    (
        At { day: 2, min: 1010 },
        Some(At { day: 2, min: 1019 }),
        None,
        None,
        false,
    ),
    // Tuesday 17:05 (after hours), notified Wednesday 09:00: on time.
    (
        At { day: 3, min: 1025 },
        Some(At { day: 4, min: 540 }),
        None,
        None,
        false,
    ),
    // Friday 18:00, notified Monday 16:59: on time; Monday 17:01: late.
    (
        At { day: 6, min: 1080 },
        Some(At { day: 9, min: 1019 }),
        None,
        None,
        false,
    ),
    (
        At { day: 6, min: 1080 },
        Some(At { day: 9, min: 1021 }),
        None,
        None,
        false,
    ),
    // Saturday, notified Tuesday: late.
    (
        At { day: 7, min: 600 },
        Some(At { day: 10, min: 600 }),
        None,
        None,
        false,
    ),
    // Thursday 19 November 17:30, before the Friday holiday: Monday 23 10:00 is on time.
    (
        At { day: 18, min: 1050 },
        Some(At { day: 22, min: 600 }),
        None,
        None,
        false,
    ),
    // On the holiday itself, notified Monday 16:00: on time; Tuesday: late.
    (
        At { day: 19, min: 600 },
        Some(At { day: 22, min: 960 }),
        None,
        None,
        false,
    ),
    (
        At { day: 19, min: 600 },
        Some(At { day: 23, min: 600 }),
        None,
        None,
        false,
    ),
    // hỏa tốc at 14:00: notified 14:59 meets the hour, 15:01 does not (but is the same day).
    (
        At { day: 11, min: 840 },
        Some(At { day: 11, min: 899 }),
        None,
        None,
        true,
    ),
    (
        At { day: 11, min: 840 },
        Some(At { day: 11, min: 901 }),
        None,
        None,
        true,
    ),
    // Due on the 16th: completed at 23:59 that day is on time; 00:01 the next day is late.
    (
        At { day: 12, min: 600 },
        Some(At { day: 12, min: 630 }),
        Some(15),
        Some(At { day: 15, min: 1439 }),
        false,
    ),
    (
        At { day: 12, min: 600 },
        Some(At { day: 12, min: 630 }),
        Some(15),
        Some(At { day: 16, min: 1 }),
        false,
    ),
    // Delivered on the last day of the month at 23:00 (a Monday): counted in November.
    (
        At { day: 29, min: 1380 },
        Some(At { day: 30, min: 600 }),
        None,
        None,
        false,
    ),
];

/// The month's plan, from a seed: random traffic, then the edge cases.
pub fn plan(seed: u64) -> Vec<Doc> {
    let mut docs = random_plan(seed);
    for (i, (at, notice, due, completed, urgent)) in EDGES.iter().enumerate() {
        let n = 1001 + u32::try_from(i).unwrap();
        let sender = AGENCIES[i % 6];
        let to = AGENCIES[(i + 1 + i / 6) % 6];
        let to = if to == sender {
            AGENCIES[(i + 2) % 6]
        } else {
            to
        };
        let mut answers = BTreeMap::new();
        answers.insert(
            to,
            Answer {
                notice: notice.map(|t| (StatusCode::Arrived, t)),
                completed: *completed,
            },
        );
        docs.push(Doc {
            n,
            sender,
            to: vec![to],
            at: *at,
            signed: i % 3 != 0,
            paper: i % 4 == 0,
            due: *due,
            urgent: *urgent,
            recall: None,
            answers,
        });
    }
    docs
}

/// Random traffic for the month.
pub fn random_plan(seed: u64) -> Vec<Doc> {
    let mut rng = Rng(seed);
    let mut docs = Vec::new();
    let mut n = 0;
    for day in 1..=28u32 {
        let count = if working(day) {
            2 + rng.below(4)
        } else {
            rng.below(3)
        };
        for _ in 0..count {
            n += 1;
            let sender = AGENCIES[rng.below(6) as usize];
            let others: Vec<&str> = AGENCIES.iter().copied().filter(|a| *a != sender).collect();
            let mut to = vec![others[rng.below(5) as usize]];
            if rng.chance(40) {
                let second = others[rng.below(5) as usize];
                if !to.contains(&second) {
                    to.push(second);
                }
            }
            // Urgent documents go out in working hours on working days, so that their
            // hour is plain arithmetic here.
            let urgent = working(day) && rng.chance(20);
            let at = if urgent {
                At {
                    day,
                    min: 9 * 60 + rng.below(6 * 60) as u32,
                }
            } else {
                At {
                    day,
                    min: 6 * 60 + rng.below(15 * 60) as u32,
                }
            };
            let due = rng.chance(50).then(|| day + 2 + rng.below(5) as u32);
            let mut answers = BTreeMap::new();
            for r in &to {
                let mut a = Answer::default();
                let roll = rng.below(100);
                a.notice = match roll {
                    0..=29 => Some((StatusCode::Arrived, at.plus(10 + rng.below(20) as u32))),
                    30..=49 => Some((StatusCode::Arrived, at.plus(90 + rng.below(180) as u32))),
                    50..=64 => Some((StatusCode::Arrived, at.plus(1440 + rng.below(2000) as u32))),
                    65..=74 => Some((StatusCode::Refused, at.plus(30 + rng.below(300) as u32))),
                    _ => None,
                };
                let refused = matches!(a.notice, Some((StatusCode::Refused, _)));
                if !refused && rng.chance(60) {
                    a.completed = Some(match due {
                        Some(d) if rng.chance(60) => At {
                            day: d,
                            min: 10 * 60,
                        },
                        Some(d) => At {
                            day: d + 1 + rng.below(3) as u32,
                            min: 11 * 60,
                        },
                        None => at.plus(2 * 1440),
                    });
                }
                let noticed = a.notice.as_ref().map(|(_, t)| *t);
                a.completed = a.completed.filter(|c| noticed.is_none_or(|t| t < *c));
                answers.insert(*r, a);
            }
            docs.push(Doc {
                n,
                sender,
                to,
                at,
                signed: rng.chance(75),
                paper: rng.chance(20),
                due,
                urgent,
                recall: rng.chance(8).then(|| at.plus(120 + rng.below(600) as u32)),
                answers,
            });
        }
    }
    docs
}

/// Expected figures per agency, computed from the plan for days `from..=to` as of `today`.
pub fn expected(
    docs: &[Doc],
    from: u32,
    to: u32,
    today: u32,
) -> BTreeMap<&'static str, BTreeMap<&'static str, u64>> {
    let mut e: BTreeMap<&'static str, BTreeMap<&'static str, u64>> =
        AGENCIES.iter().map(|a| (*a, BTreeMap::new())).collect();
    let mut add = |a: &'static str, k: &'static str, v: bool| {
        *e.get_mut(a).unwrap().entry(k).or_default() += u64::from(v);
    };
    for d in docs.iter().filter(|d| from <= d.at.day && d.at.day <= to) {
        add(d.sender, "sent", true);
        add(d.sender, "signed", d.signed);
        add(d.sender, "paper", d.paper);
        add(d.sender, "recalled", d.recall.is_some());
        for (r, a) in &d.answers {
            let notice = a.notice.as_ref().map(|(_, t)| *t);
            add(r, "received", true);
            add(r, "notified", notice.is_some());
            add(
                r,
                "same_day",
                notice.is_some_and(|t| t <= notice_deadline(d.at)),
            );
            add(
                r,
                "refused",
                matches!(a.notice, Some((StatusCode::Refused, _))),
            );
            add(r, "with_due", d.due.is_some());
            add(r, "completed", a.completed.is_some());
            add(
                r,
                "on_time",
                matches!((d.due, a.completed), (Some(due), Some(c)) if c.day <= due),
            );
            add(r, "urgent", d.urgent);
            add(
                r,
                "urgent_met",
                d.urgent && notice.is_some_and(|t| t <= d.at.plus(60)),
            );
            let refused = matches!(a.notice, Some((StatusCode::Refused, _)));
            add(
                r,
                "overdue_open",
                d.due.is_some_and(|due| due < today)
                    && a.completed.is_none()
                    && !refused
                    && d.recall.is_none(),
            );
        }
    }
    e
}

/// The test's own score: 0 without documents sent; 1 when both shares reach 90 %;
/// otherwise the mean of each share over 90 %, capped at 1.
pub fn score(c: &BTreeMap<&'static str, u64>) -> f64 {
    let get = |k: &str| c.get(k).copied().unwrap_or(0) as f64;
    if get("sent") == 0.0 {
        return 0.0;
    }
    let signed = get("signed") / get("sent");
    let same = if get("received") == 0.0 {
        1.0
    } else {
        get("same_day") / get("received")
    };
    let s = if signed >= 0.9 && same >= 0.9 {
        1.0
    } else {
        (0.5 * (signed / 0.9).min(1.0) + 0.5 * (same / 0.9).min(1.0)) / 1.0
    };
    (s * 10_000.0).round() / 10_000.0
}
