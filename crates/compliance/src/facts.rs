//! What is kept per document for the reports ([`DocFacts`], one per message, with one
//! [`Receipt`] per recipient delivered here), how it changes (sans-IO: every change takes
//! the time), and what it adds to the per-agency-per-day counts ([`Counts`]).
//!
//! The counts are a pure function of the facts ([`DocFacts::contributions`]): a store keeps
//! them incrementally by adding the difference between a record's contributions before and
//! after each change, and its check recomputes them from the records.

use std::collections::BTreeMap;

use lienthong_types::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Day};

/// Longest number/symbol kept (edXML allows 11 + 1 + 30 characters).
pub const MAX_NUMBER_CHARS: usize = 64;
/// Longest subject kept (the rest is cut at a character boundary, with "…").
pub const MAX_SUBJECT_CHARS: usize = 300;

/// The highest edXML priority: 4, hỏa tốc hẹn giờ.
pub const MAX_PRIORITY: u8 = 4;

/// What a report needs of one document, kept with its message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFacts {
    /// `OtherInfo/Priority`: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
    #[serde(default)]
    pub priority: u8,
    /// `DueDate`, the processing deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Day>,
    /// `Paper = 1`: a paper original also follows.
    #[serde(default)]
    pub paper: bool,
    /// Số/ký hiệu, `CodeNumber/CodeNotation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// `Subject` (trích yếu), cut to [`MAX_SUBJECT_CHARS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Signed validly by the sending agency (the envelope, or an organisation signature of
    /// the sender in a PDF attachment).
    #[serde(default)]
    pub signed: bool,
    /// The day it was sent, when its agency sent it through this gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<Day>,
    /// Its sender asked for it back (status 13).
    #[serde(default)]
    pub recalled: bool,
    /// Per recipient delivered here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recipients: BTreeMap<String, Receipt>,
}

/// One recipient's handling of a document delivered to it here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// When it was put in the inbox.
    pub delivered_at: Timestamp,
    /// The end of the working day by which receipt must be notified.
    pub notice_by: Timestamp,
    /// For an urgent document, its tighter deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_by: Option<Timestamp>,
    /// The first status 01 or 02 it sent: the code and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// It sent status 02 (refused).
    #[serde(default)]
    pub refused: bool,
    /// When it first sent status 06 (completed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// The document was asked back (13) or the recipient agreed to a recall (15): nothing is
    /// owed any more.
    #[serde(default)]
    pub withdrawn: bool,
}

/// A receipt notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// `01` or `02`.
    pub code: String,
    /// When the gateway accepted it.
    pub at: Timestamp,
}

/// The tighter deadlines of urgent documents, in working minutes after delivery, for
/// priorities 1 (khẩn) to 4 (hỏa tốc hẹn giờ); `None`: the ordinary rule only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgencyRules {
    /// Index 0 is priority 1.
    pub minutes: [Option<u32>; 4],
}

impl Default for UrgencyRules {
    /// khẩn: 4 working hours; thượng khẩn: 2; hỏa tốc and hỏa tốc hẹn giờ: 1.
    fn default() -> UrgencyRules {
        UrgencyRules {
            minutes: [Some(240), Some(120), Some(60), Some(60)],
        }
    }
}

impl UrgencyRules {
    /// The threshold of `priority`, in working minutes.
    pub fn threshold(&self, priority: u8) -> Option<u32> {
        let i = usize::from(priority.checked_sub(1)?);
        self.minutes.get(i).copied().flatten()
    }
}

/// The calendar and the urgency thresholds: everything a change of the facts depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Working days and hours.
    pub calendar: Calendar,
    /// Urgent documents' thresholds.
    pub urgency: UrgencyRules,
}

/// Cut `s` to `max` characters (with "…" when cut); `None` for blank text.
pub fn clip(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().count() <= max {
        return Some(s.to_owned());
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    Some(out)
}

impl DocFacts {
    /// The document was put into `agency`'s inbox at `at` (a second delivery changes nothing).
    pub fn on_delivered(&mut self, agency: &str, at: Timestamp, rules: &Rules) {
        if self.recipients.contains_key(agency) {
            return;
        }
        let urgent_by = rules
            .urgency
            .threshold(self.priority)
            .map(|m| rules.calendar.add_working_minutes(at, m));
        self.recipients.insert(
            agency.to_owned(),
            Receipt {
                delivered_at: at,
                notice_by: rules.calendar.notice_deadline(at),
                urgent_by,
                notice: None,
                refused: false,
                completed_at: None,
                withdrawn: false,
            },
        );
    }

    /// `agency` sent a status package with `code` about this document at `at`. Returns
    /// whether anything changed. Codes that say nothing the reports count are ignored.
    pub fn on_status_from_recipient(&mut self, agency: &str, code: &str, at: Timestamp) -> bool {
        let Some(r) = self.recipients.get_mut(agency) else {
            return false;
        };
        let before = r.clone();
        match code {
            "01" | "02" => {
                if r.notice.is_none() {
                    r.notice = Some(Notice {
                        code: code.to_owned(),
                        at,
                    });
                }
                if code == "02" {
                    r.refused = true;
                }
            }
            "06" if r.completed_at.is_none() => r.completed_at = Some(at),
            "15" => r.withdrawn = true,
            _ => {}
        }
        *r != before
    }

    /// The sender asked for the document back (status 13) from `recipients`. `by_sender_here`:
    /// the sender sent the 13 through this gateway (it counts as a recall on its row).
    pub fn on_recall(&mut self, recipients: &[String], by_sender_here: bool) -> bool {
        let mut changed = false;
        if by_sender_here && self.sent.is_some() && !self.recalled {
            self.recalled = true;
            changed = true;
        }
        for a in recipients {
            if let Some(r) = self.recipients.get_mut(a)
                && !r.withdrawn
            {
                r.withdrawn = true;
                changed = true;
            }
        }
        changed
    }

    /// What this document adds to the counts: `(agency, day, counts)`, the sender's row on
    /// the day it was sent and each recipient's on the day it was delivered.
    pub fn contributions(&self, sender: &str) -> Vec<(String, Day, Counts)> {
        let mut out = Vec::with_capacity(1 + self.recipients.len());
        if let Some(day) = self.sent {
            let c = Counts {
                sent: 1,
                signed: u64::from(self.signed),
                paper: u64::from(self.paper),
                recalled: u64::from(self.recalled),
                ..Counts::default()
            };
            out.push((sender.to_owned(), day, c));
        }
        for (agency, r) in &self.recipients {
            let noticed = r.notice.as_ref().map(|n| n.at);
            let urgent = self.priority > 0;
            let c = Counts {
                received: 1,
                notified: u64::from(noticed.is_some()),
                same_day: u64::from(noticed.is_some_and(|t| t <= r.notice_by)),
                refused: u64::from(r.refused),
                with_due: u64::from(self.due.is_some()),
                completed: u64::from(r.completed_at.is_some()),
                on_time: u64::from(match (self.due, r.completed_at) {
                    (Some(due), Some(done)) => Day::of(done) <= due,
                    _ => false,
                }),
                urgent: u64::from(urgent),
                urgent_met: u64::from(
                    urgent
                        && match (noticed, r.urgent_by) {
                            (Some(t), Some(by)) => t <= by,
                            (Some(t), None) => t <= r.notice_by,
                            _ => false,
                        },
                ),
                ..Counts::default()
            };
            out.push((agency.clone(), Day::of(r.delivered_at), c));
        }
        out
    }

    /// Recipients that still owe a receipt notice, with its deadline (the tighter one for
    /// an urgent document).
    pub fn open_notices(&self) -> Vec<(&str, Timestamp)> {
        self.recipients
            .iter()
            .filter(|(_, r)| r.notice.is_none() && !r.withdrawn)
            .map(|(a, r)| {
                let by = r.urgent_by.map_or(r.notice_by, |u| u.min(r.notice_by));
                (a.as_str(), by)
            })
            .collect()
    }

    /// Recipients that have not completed (06) a document with a due date, with that date.
    pub fn open_dues(&self) -> Vec<(&str, Day)> {
        let Some(due) = self.due else {
            return Vec::new();
        };
        self.recipients
            .iter()
            .filter(|(_, r)| r.completed_at.is_none() && !r.refused && !r.withdrawn)
            .map(|(a, _)| (a.as_str(), due))
            .collect()
    }
}

macro_rules! counts {
    ($($(#[$doc:meta])* $field:ident),* $(,)?) => {
        /// What one agency did on one day (or over a period, summed).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counts {
            $($(#[$doc])* #[serde(default)] pub $field: u64,)*
        }

        impl Counts {
            /// The field names, in storage order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn values(&self) -> Vec<u64> {
                vec![$(self.$field),*]
            }

            fn from_values(v: &[u64]) -> Counts {
                let mut it = v.iter().copied();
                Counts { $($field: it.next().unwrap_or(0),)* }
            }
        }
    };
}

counts! {
    /// Documents it sent electronically.
    sent,
    /// Of those, signed validly by it.
    signed,
    /// Of those, also sent on paper.
    paper,
    /// Of those, asked back (13).
    recalled,
    /// Documents delivered to it.
    received,
    /// Of those, receipt notified (01/02) at all.
    notified,
    /// Of those, notified by the end of the working day.
    same_day,
    /// Of those, refused (02).
    refused,
    /// Of those, with a due date.
    with_due,
    /// Of those, completed (06).
    completed,
    /// Of those, completed (06) by the due date.
    on_time,
    /// Of those, urgent (priority 1–4).
    urgent,
    /// Of those, notified within their urgency threshold.
    urgent_met,
}

/// First byte of an encoded [`Counts`].
const COUNTS_VERSION: u8 = 1;

impl Counts {
    /// `self + other`, field by field (saturating).
    pub fn add(&mut self, other: &Counts) {
        let (a, b) = (self.values(), other.values());
        let sum: Vec<u64> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| x.saturating_add(*y))
            .collect();
        *self = Counts::from_values(&sum);
    }

    /// `self − other`, field by field, as signed differences.
    pub fn diff(&self, other: &Counts) -> Vec<i64> {
        self.values()
            .iter()
            .zip(other.values())
            .map(|(a, b)| i64::try_from(*a).unwrap_or(i64::MAX) - i64::try_from(b).unwrap_or(0))
            .collect()
    }

    /// Apply signed differences (from [`Counts::diff`]); a field never goes below zero.
    pub fn apply(&mut self, delta: &[i64]) {
        let v: Vec<u64> = self
            .values()
            .iter()
            .zip(delta.iter().chain(std::iter::repeat(&0)))
            .map(|(x, d)| x.saturating_add_signed(*d))
            .collect();
        *self = Counts::from_values(&v);
    }

    /// Whether every field is zero.
    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    /// `[version] ++ [field count] ++ each field as u64 big-endian`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let v = self.values();
        let mut out = Vec::with_capacity(2 + 8 * v.len());
        out.push(COUNTS_VERSION);
        out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
        for x in v {
            out.extend_from_slice(&x.to_be_bytes());
        }
        out
    }

    /// Read [`Counts::to_bytes`]; fields a later version added are ignored, fields an older
    /// one lacked are zero. `None` when the bytes are not counts.
    pub fn from_bytes(b: &[u8]) -> Option<Counts> {
        let (&ver, rest) = b.split_first()?;
        let (&n, rest) = rest.split_first()?;
        if ver != COUNTS_VERSION || rest.len() != usize::from(n) * 8 {
            return None;
        }
        let v: Vec<u64> = rest
            .chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                u64::from_be_bytes(a)
            })
            .collect();
        Some(Counts::from_values(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::at;

    fn rules() -> Rules {
        Rules {
            calendar: Calendar::new(&[], "08:00", "17:00").unwrap(),
            urgency: UrgencyRules::default(),
        }
    }

    #[test]
    fn a_document_counts_for_its_sender_and_each_recipient() {
        let mut f = DocFacts {
            priority: 3,
            due: Some("2026-11-10".parse().unwrap()),
            paper: true,
            signed: true,
            sent: Some("2026-11-02".parse().unwrap()),
            ..DocFacts::default()
        };
        f.on_delivered("B", at("2026-11-02 10:00"), &rules());
        f.on_delivered("C", at("2026-11-02 16:30"), &rules());
        f.on_delivered("B", at("2026-11-03 10:00"), &rules());
        assert_eq!(f.recipients["B"].urgent_by, Some(at("2026-11-02 11:00")));
        assert_eq!(f.recipients["C"].urgent_by, Some(at("2026-11-03 08:30")));
        assert!(f.on_status_from_recipient("B", "01", at("2026-11-02 10:30")));
        assert!(f.on_status_from_recipient("C", "01", at("2026-11-02 16:50")));
        assert!(!f.on_status_from_recipient("C", "01", at("2026-11-02 16:55")));
        assert!(!f.on_status_from_recipient("Z", "01", at("2026-11-02 16:55")));
        assert!(f.on_status_from_recipient("B", "06", at("2026-11-10 23:00")));
        assert!(f.on_status_from_recipient("C", "06", at("2026-11-11 00:10")));
        let c = f.contributions("A");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].0, "A");
        assert_eq!((c[0].2.sent, c[0].2.signed, c[0].2.paper), (1, 1, 1));
        let b = &c[1].2;
        assert_eq!(
            (b.received, b.same_day, b.urgent, b.urgent_met),
            (1, 1, 1, 1)
        );
        assert_eq!((b.with_due, b.completed, b.on_time), (1, 1, 1));
        let cc = &c[2].2;
        assert_eq!((cc.same_day, cc.urgent_met, cc.on_time), (1, 1, 0));
        assert!(f.open_notices().is_empty() && f.open_dues().is_empty());
    }

    #[test]
    fn late_refused_and_recalled() {
        let mut f = DocFacts {
            due: Some("2026-11-05".parse().unwrap()),
            sent: Some("2026-11-02".parse().unwrap()),
            ..DocFacts::default()
        };
        for a in ["B", "C", "D"] {
            f.on_delivered(a, at("2026-11-02 09:00"), &rules());
        }
        assert_eq!(f.open_notices().len(), 3);
        f.on_status_from_recipient("B", "01", at("2026-11-03 09:00"));
        f.on_status_from_recipient("C", "02", at("2026-11-02 09:30"));
        let c = f.contributions("A");
        assert_eq!((c[1].2.notified, c[1].2.same_day), (1, 0));
        assert_eq!((c[2].2.same_day, c[2].2.refused), (1, 1));
        assert_eq!(f.open_notices(), vec![("D", at("2026-11-02 17:00"))]);
        assert_eq!(f.open_dues().len(), 2, "B and D; C refused");
        assert!(f.on_recall(&["D".into()], true));
        assert!(!f.on_recall(&["D".into()], true));
        assert!(f.open_notices().is_empty());
        assert_eq!(f.open_dues().len(), 1);
        assert_eq!(f.contributions("A")[0].2.recalled, 1);
    }

    #[test]
    fn counts_round_trip_and_tolerate_other_versions() {
        let c = Counts {
            sent: 3,
            urgent_met: u64::MAX,
            ..Counts::default()
        };
        assert_eq!(Counts::from_bytes(&c.to_bytes()), Some(c));
        // An older record with fewer fields reads as zeros for the rest.
        let mut short = vec![COUNTS_VERSION, 1];
        short.extend_from_slice(&7u64.to_be_bytes());
        assert_eq!(Counts::from_bytes(&short).unwrap().sent, 7);
        assert_eq!(Counts::from_bytes(&[9, 0]), None);
        assert_eq!(Counts::from_bytes(&[COUNTS_VERSION, 2, 1]), None);
        let mut a = c;
        let d = Counts {
            sent: 1,
            ..Counts::default()
        }
        .diff(&Counts {
            sent: 4,
            ..Counts::default()
        });
        a.apply(&d);
        assert_eq!(a.sent, 0);
        assert!(!a.is_zero() && Counts::default().is_zero());
    }

    #[test]
    fn clip_cuts_at_characters() {
        assert_eq!(clip("  ", 5), None);
        assert_eq!(clip("Công văn", 20).unwrap(), "Công văn");
        assert_eq!(clip("Công văn số", 5).unwrap(), "Công…");
    }
}
