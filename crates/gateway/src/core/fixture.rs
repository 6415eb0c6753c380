//! A snapshot of the demo federation, seen from the province gateway `gw-h50`, for the
//! decision tests: the directory, the development PKI's trust, gw-h50's receipt key.

use std::sync::{Arc, OnceLock};

use lienthong_dsig::{SigningKey, TrustStore};
use lienthong_edxml::AgencyCode;
use lienthong_routing::{Directory, GatewayId};
use lienthong_store::{
    MessageId, MessageInfo, MessageKind, MessageState, Origin, RecipientState, Sha256, Timestamp,
};
use lienthong_testkit::federation::{AGENCIES, GATEWAYS};
use lienthong_testkit::pki::DevPki;

use super::{Signing, Snapshot};
use crate::config::SignaturePolicy;

/// The development PKI, made once per test process.
pub(crate) fn pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| DevPki::generate().expect("dev PKI"))
}

pub(crate) fn at(ms: u64) -> Timestamp {
    // 2026-11-22, inside every development certificate's validity.
    Timestamp::from_millis(1_795_305_600_000 + ms)
}

pub(crate) fn code(c: &str) -> AgencyCode {
    AgencyCode::parse(c).expect("agency code")
}

pub(crate) fn gw(g: &str) -> GatewayId {
    GatewayId::parse(g).expect("gateway id")
}

fn directory() -> Directory {
    let mut t = String::from("version = 1\n");
    for g in GATEWAYS {
        t.push_str(&format!(
            "\n[[gateway]]\nid = \"{}\"\nurl = \"https://127.0.0.1:{}\"\n",
            g.id, g.port
        ));
        if let Some(p) = g.parent {
            t.push_str(&format!("parent = \"{p}\"\n"));
        }
    }
    for a in AGENCIES {
        t.push_str(&format!(
            "\n[[agency]]\ncode = \"{}\"\nname = \"{}\"\ngateway = \"{}\"\n",
            a.code, a.name, a.gateway
        ));
    }
    Directory::from_toml(&t).expect("directory")
}

/// The trust of the development CA.
pub(crate) fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_roots_pem(pki().ca.cert_pem.as_bytes()).expect("root");
    t
}

/// The receipt key of gateway `id`.
pub(crate) fn signing(id: &str) -> Signing {
    let g = &pki().gateways[id];
    Signing {
        key: SigningKey::from_pem(g.key_pem.as_bytes()).expect("key"),
        chain: lienthong_dsig::certs_from_pem(g.cert_pem.as_bytes()).expect("cert"),
    }
}

/// gw-h50's snapshot; `full`: with the whole federation's directory (else a local view).
pub(crate) fn snapshot(full: bool) -> Snapshot {
    Snapshot {
        id: gw("gw-h50"),
        directory: Arc::new(directory()),
        full_directory: full,
        doc_trust: Arc::new(trust()),
        gateway_trust: Arc::new(trust()),
        signing: Arc::new(signing("gw-h50")),
        policy: SignaturePolicy::Require,
        pdf_trust: Arc::new(lienthong_pdfsig::PdfTrust::government()),
        pdf_policy: SignaturePolicy::Record,
        accept_recorded_relays: true,
        relay_window_ms: 7 * 86_400_000,
        max_body_bytes: 1 << 20,
        uplink: None,
    }
}

/// A stored message's info with these recipient states.
pub(crate) fn info_with(id: MessageId, recipients: &[(&str, RecipientState)]) -> MessageInfo {
    MessageInfo {
        id,
        sender: "000.00.01.H50".to_owned(),
        kind: MessageKind::Edoc,
        sha256: Sha256::from_bytes([0; 32]),
        size: 1,
        document_id: None,
        business: None,
        origin: Origin::Local,
        accepted_at: Timestamp::ZERO,
        state: MessageState::Accepted,
        recipients: recipients
            .iter()
            .map(|(c, s)| ((*c).to_owned(), s.clone()))
            .collect(),
        finished_at: None,
        purged_at: None,
        status: None,
        signature: None,
    }
}
