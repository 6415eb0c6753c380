//! Who is on the other end of a connection, from its client certificate.
//!
//! DMS certificates name their agency (`urn:lienthong:agency:CODE`), gateway certificates
//! their gateway (`urn:lienthong:gateway:ID`), operator certificates the operator
//! (`urn:lienthong:operator:NAME`), monitor certificates the monitoring system
//! (`urn:lienthong:monitor:NAME`: it reads metrics, the console and the reports, and acts on
//! nothing). Certificates that cannot carry these are mapped by
//! SHA-256 fingerprint in the config. A certificate naming more than one role is refused,
//! and so is one without the clientAuth extended key usage (a document signer's, say),
//! unless the configuration maps its fingerprint.

use std::collections::HashMap;
use std::fmt;

use lienthong_dsig::{
    AGENCY_URI_PREFIX, GATEWAY_URI_PREFIX, MONITOR_URI_PREFIX, OPERATOR_URI_PREFIX,
};
use lienthong_edxml::AgencyCode;
use lienthong_routing::GatewayId;
use x509_parser::prelude::*;

/// The identity of a peer, as handlers see it (a typed request extension).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Peer {
    /// An agency's document-management system.
    Agency(AgencyCode),
    /// Another gateway.
    Gateway(GatewayId),
    /// An operator: reads and acts.
    Operator(String),
    /// A monitor (Prometheus, a wall screen): reads `/metrics`, the console and the
    /// reports, and may do nothing else.
    Monitor(String),
    /// A valid client certificate that names no usable identity.
    Unidentified(String),
    /// No client certificate (only health checks are open to this).
    Anonymous,
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Agency(a) => write!(f, "agency {a}"),
            Peer::Gateway(g) => write!(f, "gateway {g}"),
            Peer::Operator(o) => write!(f, "operator {o}"),
            Peer::Monitor(m) => write!(f, "monitor {m}"),
            Peer::Unidentified(why) => write!(f, "unidentified ({why})"),
            Peer::Anonymous => f.write_str("anonymous"),
        }
    }
}

impl Peer {
    /// A short key for rate limiting and logs.
    pub fn key(&self) -> String {
        self.to_string()
    }
}

/// Fingerprint → identity, from `[[identity]]`.
#[derive(Debug, Clone, Default)]
pub struct FingerprintMap(HashMap<[u8; 32], Peer>);

impl FingerprintMap {
    /// Build from config entries (already validated).
    pub fn from_config(entries: &[crate::config::IdentitySection]) -> FingerprintMap {
        let mut m = HashMap::new();
        for e in entries {
            let mut fp = [0u8; 32];
            let ok = e.fingerprint.len() == 64
                && (0..32).all(|i| {
                    u8::from_str_radix(&e.fingerprint[2 * i..2 * i + 2], 16)
                        .map(|b| fp[i] = b)
                        .is_ok()
                });
            if !ok {
                continue;
            }
            let peer = if let Some(a) = &e.agency {
                AgencyCode::parse(a).ok().map(Peer::Agency)
            } else if let Some(g) = &e.gateway {
                GatewayId::parse(g).ok().map(Peer::Gateway)
            } else if let Some(o) = &e.operator {
                Some(Peer::Operator(o.clone()))
            } else {
                e.monitor.clone().map(Peer::Monitor)
            };
            if let Some(p) = peer {
                m.insert(fp, p);
            }
        }
        FingerprintMap(m)
    }
}

/// The identity named by a client certificate.
pub fn identify(cert_der: &[u8], map: &FingerprintMap) -> Peer {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert_der);
    let mut fp = [0u8; 32];
    fp.copy_from_slice(digest.as_ref());
    if let Some(p) = map.0.get(&fp) {
        return p.clone();
    }
    let Ok((_, cert)) = parse_x509_certificate(cert_der) else {
        return Peer::Unidentified("unreadable certificate".into());
    };
    // A client identity is a certificate issued for it: a document-signing certificate of
    // the same CA (no EKU, or another purpose) does not log in as its agency.
    let client_auth = matches!(cert.extended_key_usage(), Ok(Some(eku)) if eku.value.client_auth);
    if !client_auth {
        return Peer::Unidentified(format!(
            "the certificate ({}) is not for client authentication (no clientAuth extended key usage)",
            cert.subject()
        ));
    }
    let mut found: Vec<Peer> = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::URI(uri) = name {
                if let Some(a) = uri.strip_prefix(AGENCY_URI_PREFIX) {
                    match AgencyCode::parse(a) {
                        Ok(code) => found.push(Peer::Agency(code)),
                        Err(e) => {
                            return Peer::Unidentified(format!("bad agency in certificate: {e}"));
                        }
                    }
                } else if let Some(g) = uri.strip_prefix(GATEWAY_URI_PREFIX) {
                    match GatewayId::parse(g) {
                        Ok(id) => found.push(Peer::Gateway(id)),
                        Err(e) => {
                            return Peer::Unidentified(format!("bad gateway in certificate: {e}"));
                        }
                    }
                } else if let Some(o) = uri.strip_prefix(OPERATOR_URI_PREFIX) {
                    found.push(Peer::Operator(o.to_owned()));
                } else if let Some(m) = uri.strip_prefix(MONITOR_URI_PREFIX) {
                    found.push(Peer::Monitor(m.to_owned()));
                }
            }
        }
    }
    match found.len() {
        1 => found.remove(0),
        0 => Peer::Unidentified(format!(
            "the certificate ({}) names no agency, gateway, operator or monitor",
            cert.subject()
        )),
        _ => Peer::Unidentified("the certificate names more than one identity".into()),
    }
}
