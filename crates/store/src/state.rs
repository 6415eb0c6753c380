//! The message lifecycle as types: per-recipient states, their transitions, the summary state of a
//! message, the status of a queue entry, and the events recorded in a message's history.
//!
//! Every transition is a function that checks the current state and returns the next one, or a
//! [`Refused`] naming the state found and the action refused. The store applies the transition to
//! every affected recipient and records one [`Event`] with a timestamp.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use lienthong_types::{Sha256, Timestamp};

/// What a DMS reports after fetching a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchResult {
    /// Taken over successfully.
    Done,
    /// The DMS could not process it.
    Fail,
}
/// Where one recipient of one message stands at this gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RecipientState {
    /// Durable here, not yet routed.
    Accepted,
    /// Waiting in the queue of `hop`.
    Queued {
        /// The next hop.
        hop: String,
    },
    /// Being sent to `hop` (leased).
    InFlight {
        /// The next hop.
        hop: String,
        /// Attempt number (1-based).
        attempt: u32,
    },
    /// A send to `hop` failed; the next attempt is due at `at`.
    RetryScheduled {
        /// The next hop.
        hop: String,
        /// When the next attempt is due.
        at: Timestamp,
        /// Attempts made so far.
        attempt: u32,
    },
    /// Handed to `hop`, which signed a receipt.
    Relayed {
        /// The hop.
        hop: String,
        /// SHA-256 of the receipt bytes.
        receipt_sha256: Sha256,
    },
    /// In the recipient agency's inbox here.
    Delivered,
    /// The recipient's DMS fetched and acknowledged it.
    Fetched {
        /// What the DMS reported (the latest acknowledgement).
        result: FetchResult,
    },
    /// Held by an operator; `hop` is the queue it was in, if it was queued.
    Suspended {
        /// The queue it will return to on resume.
        hop: Option<String>,
    },
    /// Given up on (attempts or age exhausted); an operator may retry.
    Dead {
        /// The hop that could not be reached.
        hop: String,
        /// The last failure.
        reason: String,
    },
    /// Cancelled by an operator. Final.
    Cancelled,
}

/// A refused transition: what state was found and which action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Name of the state found.
    pub from: &'static str,
    /// The action.
    pub action: &'static str,
}

type Next = Result<RecipientState, Refused>;

impl RecipientState {
    /// A short name, e.g. `"in_flight"`.
    pub fn name(&self) -> &'static str {
        match self {
            RecipientState::Accepted => "accepted",
            RecipientState::Queued { .. } => "queued",
            RecipientState::InFlight { .. } => "in_flight",
            RecipientState::RetryScheduled { .. } => "retry_scheduled",
            RecipientState::Relayed { .. } => "relayed",
            RecipientState::Delivered => "delivered",
            RecipientState::Fetched { .. } => "fetched",
            RecipientState::Suspended { .. } => "suspended",
            RecipientState::Dead { .. } => "dead",
            RecipientState::Cancelled => "cancelled",
        }
    }

    fn refuse(&self, action: &'static str) -> Refused {
        Refused {
            from: self.name(),
            action,
        }
    }

    /// The hop this recipient is queued for, if any (queued, in flight, scheduled, suspended in a queue, dead).
    pub fn queue_hop(&self) -> Option<&str> {
        match self {
            RecipientState::Queued { hop }
            | RecipientState::InFlight { hop, .. }
            | RecipientState::RetryScheduled { hop, .. }
            | RecipientState::Dead { hop, .. } => Some(hop),
            RecipientState::Suspended { hop } => hop.as_deref(),
            _ => None,
        }
    }

    /// True for states in which this gateway is done with the recipient:
    /// relayed, fetched, dead or cancelled.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            RecipientState::Relayed { .. }
                | RecipientState::Fetched { .. }
                | RecipientState::Dead { .. }
                | RecipientState::Cancelled
        )
    }

    /// True for states an operator can still suspend or cancel (work remains here).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            RecipientState::Accepted
                | RecipientState::Queued { .. }
                | RecipientState::InFlight { .. }
                | RecipientState::RetryScheduled { .. }
        )
    }

    /// Put into the queue of `hop`. From accepted (or suspended without a queue: it stays suspended).
    pub fn enqueue(&self, hop: &str) -> Next {
        match self {
            RecipientState::Accepted => Ok(RecipientState::Queued {
                hop: hop.to_owned(),
            }),
            RecipientState::Suspended { hop: None } => Ok(RecipientState::Suspended {
                hop: Some(hop.to_owned()),
            }),
            _ => Err(self.refuse("enqueue")),
        }
    }

    /// Leased for `hop`, attempt `attempt`. From queued or retry-scheduled on the same hop.
    pub fn lease(&self, hop: &str, attempt: u32) -> Next {
        match self {
            RecipientState::Queued { hop: h } | RecipientState::RetryScheduled { hop: h, .. }
                if h == hop =>
            {
                Ok(RecipientState::InFlight {
                    hop: hop.to_owned(),
                    attempt,
                })
            }
            _ => Err(self.refuse("lease")),
        }
    }

    /// A lease ran out without an answer: back to queued.
    pub fn lease_expired(&self) -> Next {
        match self {
            RecipientState::InFlight { hop, .. } => Ok(RecipientState::Queued { hop: hop.clone() }),
            _ => Err(self.refuse("expire lease")),
        }
    }

    /// `hop` acknowledged with a receipt. Also accepted late (after the lease expired or while suspended).
    pub fn relayed(&self, hop: &str, receipt_sha256: Sha256) -> Next {
        match self {
            RecipientState::Queued { hop: h }
            | RecipientState::InFlight { hop: h, .. }
            | RecipientState::RetryScheduled { hop: h, .. }
            | RecipientState::Dead { hop: h, .. }
            | RecipientState::Suspended { hop: Some(h) }
                if h == hop =>
            {
                Ok(RecipientState::Relayed {
                    hop: hop.to_owned(),
                    receipt_sha256,
                })
            }
            _ => Err(self.refuse("acknowledge")),
        }
    }

    /// The attempt failed; another is due at `at`.
    pub fn retry_scheduled(&self, at: Timestamp, attempt: u32) -> Next {
        match self {
            RecipientState::InFlight { hop, .. } | RecipientState::Queued { hop } => {
                Ok(RecipientState::RetryScheduled {
                    hop: hop.clone(),
                    at,
                    attempt,
                })
            }
            _ => Err(self.refuse("schedule a retry")),
        }
    }

    /// The attempt failed and no more are allowed.
    pub fn dead(&self, reason: &str) -> Next {
        match self {
            RecipientState::InFlight { hop, .. } | RecipientState::Queued { hop } => {
                Ok(RecipientState::Dead {
                    hop: hop.clone(),
                    reason: reason.to_owned(),
                })
            }
            _ => Err(self.refuse("dead-letter")),
        }
    }

    /// Operator suspend: pending recipients are held.
    pub fn suspend(&self) -> Next {
        match self {
            RecipientState::Accepted => Ok(RecipientState::Suspended { hop: None }),
            RecipientState::Queued { hop }
            | RecipientState::InFlight { hop, .. }
            | RecipientState::RetryScheduled { hop, .. } => Ok(RecipientState::Suspended {
                hop: Some(hop.clone()),
            }),
            _ => Err(self.refuse("suspend")),
        }
    }

    /// Operator resume: back to the queue (due now), or to accepted if it was not queued.
    pub fn resume(&self) -> Next {
        match self {
            RecipientState::Suspended { hop: None } => Ok(RecipientState::Accepted),
            RecipientState::Suspended { hop: Some(hop) } => {
                Ok(RecipientState::Queued { hop: hop.clone() })
            }
            _ => Err(self.refuse("resume")),
        }
    }

    /// Operator cancel: anything not yet handed on. Final.
    pub fn cancel(&self) -> Next {
        match self {
            RecipientState::Accepted
            | RecipientState::Queued { .. }
            | RecipientState::InFlight { .. }
            | RecipientState::RetryScheduled { .. }
            | RecipientState::Suspended { .. }
            | RecipientState::Dead { .. } => Ok(RecipientState::Cancelled),
            _ => Err(self.refuse("cancel")),
        }
    }

    /// Operator "retry now": a dead or scheduled recipient is queued again, due now.
    pub fn retry_now(&self) -> Next {
        match self {
            RecipientState::Dead { hop, .. } | RecipientState::RetryScheduled { hop, .. } => {
                Ok(RecipientState::Queued { hop: hop.clone() })
            }
            _ => Err(self.refuse("retry")),
        }
    }

    /// Put into the recipient's inbox here. From accepted.
    pub fn deliver(&self) -> Next {
        match self {
            RecipientState::Accepted => Ok(RecipientState::Delivered),
            _ => Err(self.refuse("deliver")),
        }
    }

    /// The DMS acknowledged a fetch. From delivered, or again from fetched (the last answer counts).
    pub fn fetched(&self, result: FetchResult) -> Next {
        match self {
            RecipientState::Delivered | RecipientState::Fetched { .. } => {
                Ok(RecipientState::Fetched { result })
            }
            _ => Err(self.refuse("acknowledge the fetch of")),
        }
    }
}

/// The summary state of a whole message, used for listing (`GET /v1/messages?state=`) and counts.
///
/// It is the first of these that any recipient is in: suspended, in flight, retry scheduled,
/// queued, accepted, dead, delivered, relayed, fetched; otherwise cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Some recipient is accepted but not routed yet.
    Accepted,
    /// Some recipient waits in a queue.
    Queued,
    /// Some recipient is being sent.
    InFlight,
    /// Some recipient waits for a retry.
    RetryScheduled,
    /// Held by an operator.
    Suspended,
    /// Some recipient is dead-lettered (and nothing is pending).
    Dead,
    /// Handed on to next hops (nothing pending, nothing left in inboxes here).
    Relayed,
    /// Some recipient has it in an inbox here, not yet fetched.
    Delivered,
    /// Fetched by the local recipients (and the rest relayed or cancelled).
    Fetched,
    /// Cancelled by an operator.
    Cancelled,
}

impl MessageState {
    /// All states, in tag order.
    pub const ALL: [MessageState; 10] = [
        MessageState::Accepted,
        MessageState::Queued,
        MessageState::InFlight,
        MessageState::RetryScheduled,
        MessageState::Suspended,
        MessageState::Dead,
        MessageState::Relayed,
        MessageState::Delivered,
        MessageState::Fetched,
        MessageState::Cancelled,
    ];

    /// The name used in the API, e.g. `"retry_scheduled"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageState::Accepted => "accepted",
            MessageState::Queued => "queued",
            MessageState::InFlight => "in_flight",
            MessageState::RetryScheduled => "retry_scheduled",
            MessageState::Suspended => "suspended",
            MessageState::Dead => "dead",
            MessageState::Relayed => "relayed",
            MessageState::Delivered => "delivered",
            MessageState::Fetched => "fetched",
            MessageState::Cancelled => "cancelled",
        }
    }

    /// The one-byte tag used in on-disk index keys. Stable across versions.
    pub(crate) const fn tag(self) -> u8 {
        match self {
            MessageState::Accepted => 1,
            MessageState::Queued => 2,
            MessageState::InFlight => 3,
            MessageState::RetryScheduled => 4,
            MessageState::Suspended => 5,
            MessageState::Dead => 6,
            MessageState::Relayed => 7,
            MessageState::Delivered => 8,
            MessageState::Fetched => 9,
            MessageState::Cancelled => 10,
        }
    }

    /// Compute the summary from the recipients' states.
    pub fn summarize<'a>(states: impl IntoIterator<Item = &'a RecipientState>) -> MessageState {
        let mut seen = [false; 10];
        for s in states {
            let i = match s {
                RecipientState::Suspended { .. } => 0,
                RecipientState::InFlight { .. } => 1,
                RecipientState::RetryScheduled { .. } => 2,
                RecipientState::Queued { .. } => 3,
                RecipientState::Accepted => 4,
                RecipientState::Dead { .. } => 5,
                RecipientState::Delivered => 6,
                RecipientState::Relayed { .. } => 7,
                RecipientState::Fetched { .. } => 8,
                RecipientState::Cancelled => 9,
            };
            seen[i] = true;
        }
        const ORDER: [MessageState; 10] = [
            MessageState::Suspended,
            MessageState::InFlight,
            MessageState::RetryScheduled,
            MessageState::Queued,
            MessageState::Accepted,
            MessageState::Dead,
            MessageState::Delivered,
            MessageState::Relayed,
            MessageState::Fetched,
            MessageState::Cancelled,
        ];
        seen.iter()
            .position(|&b| b)
            .map_or(MessageState::Cancelled, |i| ORDER[i])
    }

    /// Summary of a recipient map.
    pub fn of(recipients: &BTreeMap<String, RecipientState>) -> MessageState {
        MessageState::summarize(recipients.values())
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MessageState {
    type Err = crate::StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageState::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| crate::StoreError::InvalidInput(format!("unknown message state '{s}'")))
    }
}

/// Status of one queue entry (one message, one next hop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum EntryStatus {
    /// Waiting until its due time (a retry when `attempt > 0`).
    Ready,
    /// Leased until `deadline`.
    Leased {
        /// When the lease runs out.
        deadline: Timestamp,
    },
    /// Held by an operator.
    Suspended,
    /// Dead-lettered.
    Dead {
        /// The last failure.
        reason: String,
    },
}

impl EntryStatus {
    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            EntryStatus::Ready => "ready",
            EntryStatus::Leased { .. } => "leased",
            EntryStatus::Suspended => "suspended",
            EntryStatus::Dead { .. } => "dead",
        }
    }
}

/// Who asked for an operator action and why, as a message's history keeps it: the audit
/// answer to "who cancelled this, and on whose word?". Both fields are absent in records
/// written before they were kept (they read back as `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionBy {
    /// The operator, as their certificate names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The reason the operator gave (at most [`ActionBy::MAX_NOTE`] bytes, no control or
    /// invisible formatting characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ActionBy {
    /// Longest note kept, in bytes.
    pub const MAX_NOTE: usize = 1000;

    /// An action by `operator`, with an optional note.
    pub fn operator(operator: impl Into<String>, note: Option<String>) -> ActionBy {
        ActionBy {
            operator: Some(operator.into()),
            note,
        }
    }

    /// Refuse a note or name that is too long or holds control or invisible formatting
    /// characters: it is kept for good and printed on operators' terminals.
    pub fn check(&self) -> Result<(), String> {
        for (what, v, max) in [
            ("operator", &self.operator, Self::MAX_NOTE),
            ("note", &self.note, Self::MAX_NOTE),
        ] {
            let Some(v) = v else { continue };
            if v.len() > max {
                return Err(format!("{what} is longer than {max} bytes"));
            }
            if v.chars().any(|c| c.is_control() || invisible(c)) {
                return Err(format!(
                    "{what} holds a control or invisible formatting character"
                ));
            }
        }
        Ok(())
    }
}

/// Characters that change how text around them is shown without being seen: bidirectional
/// overrides and isolates, zero-width characters, line and paragraph separators. A note
/// holding them could make a terminal or page show something else than what is stored.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// One transition in a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// Accepted here (durable).
    Accepted,
    /// Queued for `hop` with these recipients.
    Queued {
        /// The next hop.
        hop: String,
        /// Recipients behind it.
        recipients: Vec<String>,
    },
    /// Leased for sending.
    InFlight {
        /// The hop.
        hop: String,
        /// Attempt number.
        attempt: u32,
    },
    /// A lease ran out (or was in flight at a restart) and the entry is ready again.
    LeaseExpired {
        /// The hop.
        hop: String,
        /// The attempt that did not finish.
        attempt: u32,
    },
    /// Acknowledged by the next hop.
    Relayed {
        /// The hop.
        hop: String,
        /// SHA-256 of the receipt bytes.
        receipt_sha256: Sha256,
    },
    /// An attempt failed; next one at `at`.
    RetryScheduled {
        /// The hop.
        hop: String,
        /// When the next attempt is due.
        at: Timestamp,
        /// The attempt that failed.
        attempt: u32,
        /// Why.
        reason: String,
    },
    /// Given up.
    Dead {
        /// The hop.
        hop: String,
        /// Why.
        reason: String,
    },
    /// Suspended by an operator.
    Suspended {
        /// Who, and why.
        #[serde(flatten)]
        by: ActionBy,
    },
    /// Resumed by an operator.
    Resumed {
        /// Who, and why.
        #[serde(flatten)]
        by: ActionBy,
    },
    /// Cancelled by an operator.
    Cancelled {
        /// Who, and why.
        #[serde(flatten)]
        by: ActionBy,
    },
    /// An operator asked for an immediate retry.
    RetryNow {
        /// Who, and why.
        #[serde(flatten)]
        by: ActionBy,
    },
    /// The link to `hop` works again after failing: the next attempt is now instead of at
    /// the end of its backoff.
    LinkRecovered {
        /// The hop.
        hop: String,
    },
    /// Put in an agency's inbox.
    Delivered {
        /// The agency.
        agency: String,
    },
    /// The agency's DMS acknowledged a fetch.
    Fetched {
        /// The agency.
        agency: String,
        /// done or fail.
        result: FetchResult,
        /// The DMS's note, if any.
        note: Option<String>,
    },
    /// The payload was purged by retention.
    Purged,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha() -> Sha256 {
        Sha256::digest(b"r")
    }

    #[test]
    fn operator_events_read_records_written_before_they_named_the_operator() {
        // Records written before `by` was kept have the bare tag.
        for (old, want) in [
            (r#"{"event":"suspended"}"#, "suspended"),
            (r#"{"event":"resumed"}"#, "resumed"),
            (r#"{"event":"cancelled"}"#, "cancelled"),
            (r#"{"event":"retry_now"}"#, "retry_now"),
        ] {
            let e: Event = serde_json::from_str(old).unwrap();
            let by = match &e {
                Event::Suspended { by }
                | Event::Resumed { by }
                | Event::Cancelled { by }
                | Event::RetryNow { by } => by,
                other => panic!("{old} read as {other:?}"),
            };
            assert_eq!(by, &ActionBy::default());
            // And an event without `by` writes the bare tag again.
            assert_eq!(serde_json::to_string(&e).unwrap(), old, "{want}");
        }
        let e = Event::Cancelled {
            by: ActionBy::operator("op-an", Some("gửi nhầm".into())),
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"event":"cancelled","operator":"op-an","note":"gửi nhầm"}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }

    #[test]
    fn happy_path_relay() {
        let s = RecipientState::Accepted;
        let s = s.enqueue("gw").unwrap();
        let s = s.lease("gw", 1).unwrap();
        let s = s.retry_scheduled(Timestamp::from_millis(5), 1).unwrap();
        let s = s.lease("gw", 2).unwrap();
        let s = s.relayed("gw", sha()).unwrap();
        assert!(s.is_final());
        assert_eq!(
            s.cancel().unwrap_err(),
            Refused {
                from: "relayed",
                action: "cancel"
            }
        );
    }

    #[test]
    fn happy_path_local() {
        let s = RecipientState::Accepted.deliver().unwrap();
        let s = s.fetched(FetchResult::Fail).unwrap();
        let s = s.fetched(FetchResult::Done).unwrap();
        assert_eq!(
            s,
            RecipientState::Fetched {
                result: FetchResult::Done
            }
        );
        assert!(s.deliver().is_err());
    }

    #[test]
    fn refusals() {
        assert!(RecipientState::Accepted.lease("gw", 1).is_err());
        assert!(
            RecipientState::Queued { hop: "a".into() }
                .lease("b", 1)
                .is_err()
        );
        assert!(RecipientState::Delivered.enqueue("gw").is_err());
        assert!(RecipientState::Cancelled.suspend().is_err());
        assert!(RecipientState::Accepted.resume().is_err());
        assert!(
            RecipientState::Queued { hop: "a".into() }
                .retry_now()
                .is_err()
        );
        assert!(
            RecipientState::Relayed {
                hop: "a".into(),
                receipt_sha256: sha()
            }
            .relayed("a", sha())
            .is_err()
        );
        assert!(
            RecipientState::Queued { hop: "a".into() }
                .relayed("b", sha())
                .is_err()
        );
    }

    #[test]
    fn suspend_resume_roundtrip() {
        let q = RecipientState::InFlight {
            hop: "a".into(),
            attempt: 2,
        };
        let s = q.suspend().unwrap();
        assert_eq!(
            s.resume().unwrap(),
            RecipientState::Queued { hop: "a".into() }
        );
        let s = RecipientState::Accepted.suspend().unwrap();
        assert_eq!(
            s.enqueue("b").unwrap(),
            RecipientState::Suspended {
                hop: Some("b".into())
            }
        );
        assert_eq!(s.resume().unwrap(), RecipientState::Accepted);
    }

    #[test]
    fn dead_can_be_retried_or_cancelled() {
        let d = RecipientState::InFlight {
            hop: "a".into(),
            attempt: 3,
        }
        .dead("x")
        .unwrap();
        assert_eq!(
            d.retry_now().unwrap(),
            RecipientState::Queued { hop: "a".into() }
        );
        assert_eq!(d.cancel().unwrap(), RecipientState::Cancelled);
        assert!(d.relayed("a", sha()).is_ok(), "a late receipt beats dead");
    }

    #[test]
    fn summary_precedence() {
        use RecipientState as R;
        let s = |v: Vec<R>| MessageState::summarize(v.iter());
        assert_eq!(s(vec![R::Accepted]), MessageState::Accepted);
        assert_eq!(
            s(vec![R::Delivered, R::Queued { hop: "a".into() }]),
            MessageState::Queued
        );
        assert_eq!(
            s(vec![
                R::Fetched {
                    result: FetchResult::Done
                },
                R::Cancelled
            ]),
            MessageState::Fetched
        );
        assert_eq!(s(vec![R::Cancelled]), MessageState::Cancelled);
        assert_eq!(
            s(vec![R::Suspended { hop: None }, R::Delivered]),
            MessageState::Suspended
        );
        for m in MessageState::ALL {
            assert_eq!(m.as_str().parse::<MessageState>().unwrap(), m);
        }
        assert!("nope".parse::<MessageState>().is_err());
    }
}
