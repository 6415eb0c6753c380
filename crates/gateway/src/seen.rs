//! The certificates this gateway's peers present, and when they expire: the next hops'
//! server certificates (seen when a forwarder connects) and the client certificates of
//! the DMSs, gateways and operators that connect here. An outage that everybody can see
//! coming ("the commune's DMS certificate expires on Friday") is then one an operator can
//! prevent: `GET /v1/certificates`, `lienthong certs status`, the gauges
//! `lienthong_peer_certificate_expiry_timestamp_seconds` and
//! `lienthong_client_certificate_expiry_timestamp_seconds`.
//!
//! Only certificates that passed verification are recorded, under the identity they were
//! verified as, so nothing here comes from an unauthenticated party. The table is bounded
//! ([`Seen::new`]): when it is full, a new identity takes the place of the one that has gone
//! longest without connecting (an agency merged away, a retired operator), so that the
//! table follows who is in service now.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

/// One certificate a peer presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenCert {
    /// Subject distinguished name.
    pub subject: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint_sha256: String,
    /// Not valid after.
    pub not_after: lienthong_types::Timestamp,
    /// When it was last presented.
    pub seen_at: lienthong_types::Timestamp,
}

/// Certificates by identity (a gateway id, or `agency CODE`, `gateway ID`, `operator NAME`).
#[derive(Debug)]
pub struct Seen {
    map: Mutex<HashMap<String, SeenCert>>,
    cap: usize,
}

impl Seen {
    /// An empty table holding at most `cap` identities.
    pub fn new(cap: usize) -> Seen {
        Seen {
            map: Mutex::new(HashMap::new()),
            cap,
        }
    }

    /// `who` presented `der` at `now_ms` (after it was verified). A certificate that does
    /// not parse is not recorded (it could not have been verified).
    pub fn record(&self, who: &str, der: &[u8], now_ms: u64) {
        let fingerprint = hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref());
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = map.get_mut(who)
            && c.fingerprint_sha256 == fingerprint
        {
            c.seen_at = lienthong_types::Timestamp::from_millis(now_ms);
            return;
        }
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
            return;
        };
        let Ok(not_after) = u64::try_from(cert.validity().not_after.timestamp()) else {
            return;
        };
        if map.len() >= self.cap && !map.contains_key(who) {
            // Full: a scan, but only when a new identity arrives at a full table.
            let stalest = map
                .iter()
                .min_by(|a, b| a.1.seen_at.cmp(&b.1.seen_at).then(a.0.cmp(b.0)))
                .map(|(k, _)| k.clone());
            match stalest {
                Some(k) => {
                    map.remove(&k);
                }
                None => return,
            }
        }
        let not_after = not_after.saturating_mul(1000);
        map.insert(
            who.to_owned(),
            SeenCert {
                subject: cert.subject().to_string(),
                serial: cert.raw_serial_as_string().replace(':', ""),
                fingerprint_sha256: fingerprint,
                not_after: lienthong_types::Timestamp::from_millis(not_after),
                seen_at: lienthong_types::Timestamp::from_millis(now_ms),
            },
        );
    }

    /// The certificate `who` presented last.
    pub fn get(&self, who: &str) -> Option<SeenCert> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(who)
            .cloned()
    }

    /// Every identity, the certificate expiring first first.
    pub fn all(&self) -> Vec<(String, SeenCert)> {
        let mut v: Vec<(String, SeenCert)> = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, c)| (k.clone(), c.clone()))
            .collect();
        v.sort_by(|a, b| a.1.not_after.cmp(&b.1.not_after).then(a.0.cmp(&b.0)));
        v
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Days from `now` until `not_after` (negative once expired), to one decimal.
pub fn days_left(not_after: lienthong_types::Timestamp, now: lienthong_types::Timestamp) -> f64 {
    let d = (not_after.as_millis() as f64 - now.as_millis() as f64) / 86_400_000.0;
    (d * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate expiring at midnight (UTC) of that day.
    fn cert(name: &str, (y, m, d): (i32, u8, u8)) -> Vec<u8> {
        let mut p = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
        p.not_after = rcgen::date_time_ymd(y, m, d);
        let k = rcgen::KeyPair::generate().unwrap();
        p.self_signed(&k).unwrap().der().to_vec()
    }

    #[test]
    fn records_updates_and_bounds() {
        let s = Seen::new(2);
        let a1 = cert("a", (2030, 1, 1));
        let a2 = cert("a", (2030, 1, 31));
        s.record("gateway gw-a", &a1, 1);
        s.record("gateway gw-a", &a1, 5);
        let c = s.get("gateway gw-a").unwrap();
        assert_eq!(
            c.seen_at.as_millis(),
            5,
            "the same certificate again: only seen_at moves"
        );
        assert_eq!(c.not_after.as_millis(), 1_893_456_000_000);
        // A renewed certificate replaces the old one.
        s.record("gateway gw-a", &a2, 9);
        let c = s.get("gateway gw-a").unwrap();
        assert_eq!(c.not_after.as_millis(), 1_893_456_000_000 + 30 * 86_400_000);
        assert_eq!(c.seen_at.as_millis(), 9);
        // Bounded: a third identity takes the place of the one unseen longest (gw-a, seen
        // at 9, against B at 10); the known ones still update.
        s.record("agency B", &cert("b", (2029, 12, 22)), 10);
        s.record("agency C", &cert("c", (2029, 12, 12)), 11);
        assert!(s.get("gateway gw-a").is_none(), "evicted");
        assert!(s.get("agency B").is_some() && s.get("agency C").is_some());
        s.record("agency B", &cert("b", (2029, 12, 22)), 12);
        s.record("gateway gw-a", &a1, 13);
        assert!(s.get("agency C").is_none(), "now C was unseen longest");
        assert_eq!(
            s.get("gateway gw-a").unwrap().not_after.as_millis(),
            1_893_456_000_000
        );
        // Expiring first, first.
        let order: Vec<String> = s.all().into_iter().map(|(k, _)| k).collect();
        assert_eq!(order, ["agency B", "gateway gw-a"]);
        // Not a certificate: nothing recorded.
        s.record("gateway gw-a", b"not a certificate", 14);
        assert_eq!(s.get("gateway gw-a").unwrap().seen_at.as_millis(), 13);
        s.record("agency D", b"not a certificate", 15);
        assert_eq!(s.all().len(), 2, "nothing evicted for it");
    }

    #[test]
    fn days_left_rounds_and_goes_negative() {
        let day = 86_400_000;
        let t = lienthong_types::Timestamp::from_millis;
        assert_eq!(days_left(t(day * 10), t(0)), 10.0);
        assert_eq!(days_left(t(day * 10), t(day * 10 + day / 2)), -0.5);
        assert_eq!(days_left(t(100_000_000), t(0)), 1.2);
    }
}
