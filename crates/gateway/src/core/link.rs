//! Link decisions: what an attempt says about the link to a next hop, and when to probe a
//! link that is down. The state itself (up or down, since when) is [`crate::links::Links`],
//! whose transitions take the time as an argument.

use std::time::Duration;

/// What a failed attempt says about the link to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSays {
    /// Nothing (it failed here, before or after talking to the peer; or a request timed out
    /// on a connection that was made: a big body on a slow link is the message's failure).
    Nothing,
    /// It works: the peer answered.
    Works,
    /// It failed, not this message: no connection, or our certificate refused.
    Failed,
    /// It works, but the peer is at its limits (`server.busy`, `store.unavailable`,
    /// `request.rate_limited`): the message is retried with its backoff, and once a relay
    /// gets through again the retries waiting for theirs are made due, so that a queue held
    /// back by the peer's load drains when the load passes, not minutes later.
    Busy,
}

/// Does this answer say that the peer does not accept us (rather than this message)?
pub fn refuses_us(status: u16) -> bool {
    matches!(status, 401 | 403)
}

/// Does this answer say that the peer is at its limits (not refusing us or the message)?
/// `code` is its lienthong error code, when it gave one.
pub fn peer_busy(status: u16, code: Option<lienthong_types::Code>) -> bool {
    use lienthong_types::Code;
    match code {
        Some(c) => matches!(
            c,
            Code::ServerBusy | Code::StoreUnavailable | Code::RequestRateLimited
        ),
        None => matches!(status, 429 | 503),
    }
}

/// The least time between two drains of a busy peer's waiting retries (each is a pass
/// over the hop's queue in the store).
pub const BUSY_DRAIN_GAP_MS: u64 = 1_000;

/// The probe of a link that is down: any answer but "who are you?" means the link works.
pub fn probe_says(status: u16) -> Result<(), String> {
    if refuses_us(status) {
        Err(format!("probe: the peer answered {status}"))
    } else {
        Ok(())
    }
}

/// The least time between two probes of a link that is down, whatever wakes the forwarder.
pub const PROBE_GAP: Duration = Duration::from_secs(1);

/// The wait before the probe after this one: doubling from the configured least, up to the
/// configured most (`[forward] probe_min_ms`, `probe_max_ms`).
pub fn next_probe_interval(current: Duration, bounds: (Duration, Duration)) -> Duration {
    current
        .saturating_mul(2)
        .clamp(bounds.0, bounds.1.max(bounds.0))
}

/// When a woken forwarder may probe again: not closer than [`PROBE_GAP`] (or the least
/// interval, if smaller) after the last probe.
pub fn earliest_probe<T: std::ops::Add<Duration, Output = T>>(last: T, least: Duration) -> T {
    last + PROBE_GAP.min(least)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_answers_say_busy_and_nothing_else_does() {
        use lienthong_types::Code;
        assert!(peer_busy(503, Some(Code::ServerBusy)));
        assert!(peer_busy(503, Some(Code::StoreUnavailable)));
        assert!(peer_busy(429, Some(Code::RequestRateLimited)));
        assert!(peer_busy(503, None) && peer_busy(429, None));
        assert!(!peer_busy(500, Some(Code::Internal)));
        assert!(!peer_busy(422, Some(Code::SignatureRequired)));
        assert!(!peer_busy(503, Some(Code::Internal)));
        assert!(!peer_busy(502, None));
    }

    #[test]
    fn probes_back_off_from_the_least_to_the_most() {
        let b = (Duration::from_secs(1), Duration::from_secs(10));
        let mut every = b.0;
        let mut seen = vec![];
        for _ in 0..6 {
            every = next_probe_interval(every, b);
            seen.push(every.as_secs());
        }
        assert_eq!(seen, [2, 4, 8, 10, 10, 10]);
        // Bounds given the wrong way round never panic.
        assert_eq!(
            next_probe_interval(
                Duration::ZERO,
                (Duration::from_secs(5), Duration::from_secs(1))
            ),
            Duration::from_secs(5)
        );
        assert_eq!(
            earliest_probe(Duration::from_secs(7), Duration::from_millis(300)),
            Duration::from_millis(7300)
        );
        assert_eq!(
            earliest_probe(Duration::from_secs(7), Duration::from_secs(5)),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn only_a_refusal_of_us_takes_a_link_down() {
        assert!(probe_says(401).is_err() && probe_says(403).is_err());
        for s in [200, 404, 422, 500, 503] {
            assert!(probe_says(s).is_ok(), "{s}");
        }
    }
}
