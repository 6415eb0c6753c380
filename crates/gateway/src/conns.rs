//! Who may hold connections, so that no client can fill the pool (`limits.max_connections`)
//! and lock everyone else out:
//!
//! * TLS handshakes in progress, per source address (`max_handshakes_per_address`);
//! * connections whose client presented no usable certificate (probes, scanners, an
//!   attacker): per source address and in all (`max_anonymous_per_address`,
//!   `max_anonymous_connections`), well below the pool;
//! * connections of one identity, an agency's DMS, a gateway or an operator
//!   (`max_connections_per_identity`).
//!
//! A slot is held by a [`Held`] and given back when it is dropped. And every connection,
//! whoever holds it, is closed when idle ([`Activity`]) or old (the accept loop).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::config::LimitsSection;

/// The caps, from `[limits]`.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Handshakes in progress from one address.
    pub handshakes_per_address: usize,
    /// Connections without a usable certificate, in all.
    pub anonymous_total: usize,
    /// Connections without a usable certificate from one address.
    pub anonymous_per_address: usize,
    /// Connections of one identity.
    pub per_identity: usize,
}

impl Caps {
    /// The caps a configuration sets.
    pub fn from_limits(l: &LimitsSection) -> Caps {
        Caps {
            handshakes_per_address: l.max_handshakes_per_address,
            anonymous_total: l.max_anonymous_connections,
            anonymous_per_address: l.max_anonymous_per_address,
            per_identity: l.max_connections_per_identity,
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    handshakes: HashMap<IpAddr, usize>,
    anonymous: HashMap<IpAddr, usize>,
    anonymous_total: usize,
    identities: HashMap<String, usize>,
}

/// The slots held now.
#[derive(Debug)]
pub struct ConnCaps {
    caps: Caps,
    counts: Mutex<Counts>,
}

/// Which slot a [`Held`] holds.
#[derive(Debug)]
enum Slot {
    Handshake(IpAddr),
    Anonymous(IpAddr),
    Identity(String),
}

/// A slot, given back on drop.
#[derive(Debug)]
pub struct Held {
    owner: Arc<ConnCaps>,
    slot: Slot,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut c = self.owner.lock();
        match &self.slot {
            Slot::Handshake(ip) => give_back(&mut c.handshakes, ip),
            Slot::Anonymous(ip) => {
                give_back(&mut c.anonymous, ip);
                c.anonymous_total = c.anonymous_total.saturating_sub(1);
            }
            Slot::Identity(id) => give_back(&mut c.identities, id),
        }
    }
}

fn give_back<K: std::hash::Hash + Eq>(m: &mut HashMap<K, usize>, k: &K) {
    if let Some(n) = m.get_mut(k) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            m.remove(k);
        }
    }
}

/// Take one of `cap` slots of `k`, if one is free.
fn take<K: std::hash::Hash + Eq + Clone>(m: &mut HashMap<K, usize>, k: &K, cap: usize) -> bool {
    let n = m.entry(k.clone()).or_insert(0);
    if *n >= cap {
        if *n == 0 {
            m.remove(k);
        }
        return false;
    }
    *n += 1;
    true
}

impl ConnCaps {
    /// No slot held yet.
    pub fn new(caps: Caps) -> Arc<ConnCaps> {
        Arc::new(ConnCaps {
            caps,
            counts: Mutex::new(Counts::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // Counts are changed in single steps, so a poisoned lock still holds whole counts.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn held(self: &Arc<Self>, slot: Slot) -> Held {
        Held {
            owner: Arc::clone(self),
            slot,
        }
    }

    /// A handshake from `ip`, if that address has fewer in progress than the cap.
    pub fn handshake(self: &Arc<Self>, ip: IpAddr) -> Option<Held> {
        let ok = take(
            &mut self.lock().handshakes,
            &ip,
            self.caps.handshakes_per_address,
        );
        ok.then(|| self.held(Slot::Handshake(ip)))
    }

    /// A connection without a usable certificate from `ip`, if both caps allow it.
    pub fn anonymous(self: &Arc<Self>, ip: IpAddr) -> Option<Held> {
        let mut c = self.lock();
        if c.anonymous_total >= self.caps.anonymous_total
            || !take(&mut c.anonymous, &ip, self.caps.anonymous_per_address)
        {
            return None;
        }
        c.anonymous_total += 1;
        drop(c);
        Some(self.held(Slot::Anonymous(ip)))
    }

    /// A connection of identity `key` (see `Peer::key`), if it holds fewer than the cap.
    pub fn identity(self: &Arc<Self>, key: &str) -> Option<Held> {
        let ok = take(
            &mut self.lock().identities,
            &key.to_owned(),
            self.caps.per_identity,
        );
        ok.then(|| self.held(Slot::Identity(key.to_owned())))
    }
}

/// A connection's requests in progress and when the last one ended, for the idle timeout.
#[derive(Debug)]
pub struct Activity {
    born: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `born` when the last request ended (or the connection began).
    last_ms: AtomicU64,
}

/// A request in progress; its end is recorded when dropped (answered or abandoned).
#[derive(Debug)]
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        a.last_ms.store(a.since_born_ms(), Ordering::Relaxed);
        a.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Activity {
    /// A connection that begins now.
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            born: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_ms: AtomicU64::new(0),
        })
    }

    fn since_born_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A request begins.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }

    /// How long the connection has been without a request in progress (zero while one is).
    pub fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Duration::ZERO;
        }
        let last = self.last_ms.load(Ordering::Relaxed);
        Duration::from_millis(self.since_born_ms().saturating_sub(last))
    }

    /// How long the connection has been open.
    pub fn age(&self) -> Duration {
        self.born.elapsed()
    }
}

/// How long a connection may live: idle, in all, and the HTTP/2 keep-alive.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// Without a request in progress.
    pub idle: Duration,
    /// In all, before it is asked to close.
    pub max_age: Duration,
    /// After being asked to close, before it is cut.
    pub grace: Duration,
    /// HTTP/2 ping interval.
    pub keepalive_interval: Duration,
    /// HTTP/2 ping answer time.
    pub keepalive_timeout: Duration,
}

impl Lifetimes {
    /// The lifetimes a configuration sets.
    pub fn from_limits(l: &LimitsSection) -> Lifetimes {
        Lifetimes {
            idle: Duration::from_millis(l.idle_timeout_ms),
            max_age: Duration::from_millis(l.max_connection_age_ms),
            grace: Duration::from_millis(l.request_timeout_ms),
            keepalive_interval: Duration::from_millis(l.http2_keepalive_interval_ms),
            keepalive_timeout: Duration::from_millis(l.http2_keepalive_timeout_ms),
        }
    }

    /// How often the accept loop looks at a connection: a quarter of the shorter limit,
    /// between 20 ms and 1 s.
    pub fn check_every(&self) -> Duration {
        (self.idle.min(self.max_age) / 4).clamp(Duration::from_millis(20), Duration::from_secs(1))
    }

    /// How long a connection asked to close for `why` may take to finish: an idle one has
    /// nothing to finish and a revoked one is owed nothing (a second for the goodbye to be
    /// sent), an old one its requests.
    pub fn grace_for(&self, why: &str) -> Duration {
        if why == "idle" || why == "revoked" {
            self.grace.min(Duration::from_secs(1))
        } else {
            self.grace
        }
    }

    /// Why a connection with this `activity` must close now, if it must: `"idle"` or
    /// `"max_age"`.
    pub fn ended(&self, activity: &Activity) -> Option<&'static str> {
        if activity.age() >= self.max_age {
            Some("max_age")
        } else if activity.idle_for() >= self.idle {
            Some("idle")
        } else {
            None
        }
    }
}

/// hyper's HTTP/1 header count, above `config::MAX_HEADERS` so that the router's
/// `head_limits` answers with the JSON error. Its read buffer (408 KiB by default) already
/// holds a request line of `MAX_URI_BYTES` and `MAX_HEADER_BYTES` of fields.
pub(crate) const HYPER_MAX_HEADERS: usize = 4 * crate::config::MAX_HEADERS;

/// Serve `conn` until it ends, or `ended` (asked every [`Lifetimes::check_every`]) names a
/// reason to close it: then `shutdown` asks it to close (HTTP/2 GOAWAY; HTTP/1 after its
/// answer), and it gets [`Lifetimes::grace_for`] that reason to finish. Returns the reason
/// when the gateway closed it.
pub(crate) async fn serve_until_ended<C, E>(
    mut conn: std::pin::Pin<&mut C>,
    remote: std::net::SocketAddr,
    lives: &Lifetimes,
    mut ended: impl FnMut() -> Option<&'static str>,
    shutdown: impl FnOnce(std::pin::Pin<&mut C>),
) -> Option<&'static str>
where
    C: std::future::Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut tick = tokio::time::interval(lives.check_every());
    let why = loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%remote, error = %e, "connection ended with an error");
                }
                return None;
            }
            _ = tick.tick() => {
                if let Some(why) = ended() {
                    break why;
                }
            }
        }
    };
    shutdown(conn.as_mut());
    let _ = tokio::time::timeout(lives.grace_for(why), conn).await;
    Some(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Arc<ConnCaps> {
        ConnCaps::new(Caps {
            handshakes_per_address: 2,
            anonymous_total: 3,
            anonymous_per_address: 2,
            per_identity: 1,
        })
    }

    #[test]
    fn handshakes_are_capped_per_address_and_given_back() {
        let c = caps();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let h1 = c.handshake(a).unwrap();
        let _h2 = c.handshake(a).unwrap();
        assert!(
            c.handshake(a).is_none(),
            "a third handshake from one address"
        );
        assert!(c.handshake(b).is_some(), "another address is not affected");
        drop(h1);
        assert!(c.handshake(a).is_some(), "a slot comes back when dropped");
    }

    #[test]
    fn anonymous_connections_are_capped_per_address_and_in_all() {
        let c = caps();
        let ips: Vec<IpAddr> = (1..=3).map(|i| IpAddr::from([10, 0, 0, i])).collect();
        let _a1 = c.anonymous(ips[0]).unwrap();
        let a2 = c.anonymous(ips[0]).unwrap();
        assert!(c.anonymous(ips[0]).is_none(), "per address");
        let _b1 = c.anonymous(ips[1]).unwrap();
        assert!(c.anonymous(ips[2]).is_none(), "in all");
        drop(a2);
        assert!(c.anonymous(ips[2]).is_some());
    }

    #[test]
    fn an_identity_holds_at_most_its_share() {
        let c = caps();
        let one = c.identity("agency:000.00.00.G22").unwrap();
        assert!(c.identity("agency:000.00.00.G22").is_none());
        assert!(c.identity("gateway:gw-h50").is_some());
        drop(one);
        assert!(c.identity("agency:000.00.00.G22").is_some());
    }

    #[test]
    fn a_connection_is_idle_only_without_requests() {
        let a = Activity::new();
        let r = a.begin();
        assert_eq!(a.idle_for(), Duration::ZERO);
        drop(r);
        assert!(a.idle_for() < Duration::from_secs(5));
    }
}
