//! The health of each link to a next hop, as its forwarder sees it: up or down, since
//! when, how many failures in a row, the last error. Operators read it in `GET /v1/queues`
//! and the `lienthong_link_up` gauge ("the queue to gw-g22 grows: why?" gets an answer
//! such as "down since 01:42: connection refused").
//!
//! A link is down after a failure that is the link's and not one message's: no connection
//! (refused, reset, a TLS handshake that fails or does not finish in time, connect timeout;
//! see `forward::TimedConnector`) or the peer refusing our certificate
//! (401, 403). A request that times out on a connection that was made is the message's
//! failure (a big body on a slow link), retried with its own backoff. A peer that answers anything else is up, even when it refuses
//! a message or is busy. While a link is down, its forwarder sends no message (none spends
//! its attempts or ages into a dead letter because of the link) and probes the link; when
//! it works again, the retries that wait for their backoff are made due at once
//! (`Store::retry_hop_now`). A peer that answers that it is at its limits (503
//! `server.busy`, 429) is up, but its link remembers it: at the next relay that gets
//! through, the retries that wait are made due too (at most once a second), so that a queue
//! held back by the peer's load drains as soon as the load passes.

use std::collections::HashMap;
use std::sync::Mutex;

use lienthong_store::Timestamp;
use serde::Serialize;

use crate::core::link::BUSY_DRAIN_GAP_MS;

/// Whether a success makes the retries waiting for their backoff due now, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drain {
    /// No: nothing held them back.
    No,
    /// The link was down and works again.
    Recovered,
    /// The peer was busy and took a relay again.
    BusyPassed,
}

/// One link's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkHealth {
    /// False from a link failure until a relay or probe gets through.
    pub up: bool,
    /// When it went down or came back; null before either.
    pub since: Option<Timestamp>,
    /// Link failures in a row.
    pub consecutive_failures: u32,
    /// The last link failure's reason.
    pub last_error: Option<String>,
    /// When the last link failure happened.
    pub last_failure_at: Option<Timestamp>,
    /// When a relay or probe last got through.
    pub last_success_at: Option<Timestamp>,
    /// When the peer last answered that it was at its limits.
    pub last_busy_at: Option<Timestamp>,
    /// The peer was busy since the last drain of the waiting retries.
    #[serde(skip)]
    busy_pending: bool,
    /// When the waiting retries were last made due after the peer was busy (ms).
    #[serde(skip)]
    last_drain_at: u64,
}

impl Default for LinkHealth {
    fn default() -> LinkHealth {
        LinkHealth {
            up: true,
            since: None,
            consecutive_failures: 0,
            last_error: None,
            last_failure_at: None,
            last_success_at: None,
            last_busy_at: None,
            busy_pending: false,
            last_drain_at: 0,
        }
    }
}

/// The links of one gateway (a fixed set of next hops).
#[derive(Debug, Default)]
pub struct Links {
    map: HashMap<String, Mutex<LinkHealth>>,
}

impl Links {
    /// Every link up, nothing known yet.
    pub fn new<'a>(hops: impl IntoIterator<Item = &'a String>) -> Links {
        Links {
            map: hops
                .into_iter()
                .map(|h| (h.clone(), Mutex::new(LinkHealth::default())))
                .collect(),
        }
    }

    fn with<T>(&self, hop: &str, f: impl FnOnce(&mut LinkHealth) -> T) -> Option<T> {
        let m = self.map.get(hop)?;
        // A poisoned lock only means another thread panicked while holding it; the health
        // record is still usable.
        let mut g = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(f(&mut g))
    }

    /// The health of `hop`, if it is a next hop here.
    pub fn get(&self, hop: &str) -> Option<LinkHealth> {
        self.with(hop, |h| h.clone())
    }

    /// Every link, by hop.
    pub fn all(&self) -> Vec<(String, LinkHealth)> {
        let mut v: Vec<(String, LinkHealth)> = self
            .map
            .keys()
            .filter_map(|k| self.get(k).map(|h| (k.clone(), h)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Is `hop` down?
    pub fn is_down(&self, hop: &str) -> bool {
        self.with(hop, |h| !h.up).unwrap_or(false)
    }

    /// A relay or probe got through. The retries waiting for their backoff are to be made
    /// due when the link was down (it just recovered), or when the peer was busy since they
    /// were last made due, at most once per [`BUSY_DRAIN_GAP_MS`].
    pub fn success(&self, hop: &str, now: Timestamp) -> Drain {
        self.with(hop, |h| {
            let recovered = !h.up;
            if recovered {
                h.up = true;
                h.since = Some(now);
            }
            h.consecutive_failures = 0;
            h.last_success_at = Some(now);
            let busy_passed = h.busy_pending
                && now.as_millis().saturating_sub(h.last_drain_at) >= BUSY_DRAIN_GAP_MS;
            if recovered || busy_passed {
                h.busy_pending = false;
                h.last_drain_at = now.as_millis();
            }
            match (recovered, busy_passed) {
                (true, _) => Drain::Recovered,
                (false, true) => Drain::BusyPassed,
                (false, false) => Drain::No,
            }
        })
        .unwrap_or(Drain::No)
    }

    /// The peer answered that it is at its limits: the link is up, and the retries waiting
    /// are made due at a later success.
    pub fn busy(&self, hop: &str, now: Timestamp) {
        self.with(hop, |h| {
            h.busy_pending = true;
            h.last_busy_at = Some(now);
        });
    }

    /// The link failed with `reason`. True when it was up: it just went down.
    pub fn failure(&self, hop: &str, reason: &str, now: Timestamp) -> bool {
        self.with(hop, |h| {
            let went_down = h.up;
            if went_down {
                h.up = false;
                h.since = Some(now);
            }
            h.consecutive_failures = h.consecutive_failures.saturating_add(1);
            h.last_error = Some(reason.chars().take(500).collect());
            h.last_failure_at = Some(now);
            went_down
        })
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_on_failure_up_on_success_with_times_and_counts() {
        let hops = vec!["gw-g22".to_owned()];
        let l = Links::new(&hops);
        let t = Timestamp::from_millis;
        assert!(!l.is_down("gw-g22"));
        assert_eq!(l.success("gw-g22", t(1)), Drain::No, "it was not down");
        assert!(l.failure("gw-g22", "connection refused", t(2)));
        assert!(!l.failure("gw-g22", "connection refused again", t(3)));
        let h = l.get("gw-g22").unwrap();
        assert!(!h.up && l.is_down("gw-g22"));
        assert_eq!(h.since, Some(t(2)));
        assert_eq!(h.consecutive_failures, 2);
        assert_eq!(h.last_error.as_deref(), Some("connection refused again"));
        assert_eq!(
            (h.last_failure_at, h.last_success_at),
            (Some(t(3)), Some(t(1)))
        );
        assert_eq!(l.success("gw-g22", t(4)), Drain::Recovered);
        let h = l.get("gw-g22").unwrap();
        assert!(h.up);
        assert_eq!((h.since, h.consecutive_failures), (Some(t(4)), 0));
        assert_eq!(h.last_error.as_deref(), Some("connection refused again"));
        // An unknown hop: nothing to say, nothing recorded.
        assert!(!l.failure("gw-x", "x", t(5)));
        assert!(l.get("gw-x").is_none() && !l.is_down("gw-x"));
        assert_eq!(l.all().len(), 1);
    }

    #[test]
    fn a_busy_peer_s_waiting_retries_drain_at_the_next_success_once_a_second() {
        let hops = vec!["gw-g22".to_owned()];
        let l = Links::new(&hops);
        let t = Timestamp::from_millis;
        l.busy("gw-g22", t(10_000));
        let h = l.get("gw-g22").unwrap();
        assert!(h.up, "a busy peer's link is up");
        assert_eq!(h.last_busy_at, Some(t(10_000)));
        assert_eq!(l.success("gw-g22", t(10_100)), Drain::BusyPassed);
        assert_eq!(l.success("gw-g22", t(10_200)), Drain::No, "drained already");
        // Busy again at once: the next drain waits for the gap.
        l.busy("gw-g22", t(10_300));
        assert_eq!(l.success("gw-g22", t(10_400)), Drain::No);
        assert_eq!(l.success("gw-g22", t(11_100)), Drain::BusyPassed);
        // A link that was down drains when it recovers, busy or not.
        l.busy("gw-g22", t(11_200));
        assert!(l.failure("gw-g22", "connection refused", t(11_300)));
        assert_eq!(l.success("gw-g22", t(11_400)), Drain::Recovered);
        assert_eq!(l.success("gw-g22", t(13_000)), Drain::No);
    }
}
