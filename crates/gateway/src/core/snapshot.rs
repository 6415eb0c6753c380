//! [`Snapshot`]: everything a reload replaces (directory, document and gateway trust, the
//! receipt-signing key), read by a request as one value. A request reads one snapshot once
//! and decides with it, so a reload can never show it two directories or a directory with
//! another directory's pins.

use std::sync::Arc;

use lienthong_dsig::{Policy, Receipt, SigningKey, TrustStore};
use lienthong_routing::{Directory, GatewayId};
use lienthong_store::Timestamp;
use rustls_pki_types::CertificateDer;

use crate::config::SignaturePolicy;

/// Everything a reload replaces, read by a request as one value.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// This gateway.
    pub id: GatewayId,
    /// The routing directory.
    pub directory: Arc<Directory>,
    /// The directory is the whole federation's (not a local view): an agency missing from
    /// it does not exist, and is refused at once rather than passed up to the root.
    pub full_directory: bool,
    /// Document-signature trust (roots, CRLs, the directory's pinned signers).
    pub doc_trust: Arc<TrustStore>,
    /// Trust for peers' receipts (the federation CA).
    pub gateway_trust: Arc<TrustStore>,
    /// The receipt-signing key and certificate chain.
    pub signing: Arc<Signing>,
    /// Signature policy.
    pub policy: SignaturePolicy,
    /// Trust for the signatures inside PDF attachments (the Government CA, roots, CRLs,
    /// the directory's pinned signers).
    pub pdf_trust: Arc<lienthong_pdfsig::PdfTrust>,
    /// `[trust] pdf_signatures`.
    pub pdf_policy: SignaturePolicy,
    /// `[trust] accept_recorded_relays`.
    pub accept_recorded_relays: bool,
    /// How far back a relayed document's signature may be checked (`retry.max_age_ms`).
    pub relay_window_ms: u64,
    /// The largest document accepted (the XML reader's size limit).
    pub max_body_bytes: usize,
    /// The uplink's hop id, with `[uplink.vxp]`: agencies the directory marks `uplink`
    /// (and, at the root, agencies it does not know) are sent there.
    pub uplink: Option<GatewayId>,
}

/// A receipt-signing key with its certificate chain.
#[derive(Debug)]
pub struct Signing {
    /// The key.
    pub key: SigningKey,
    /// The chain, signer first.
    pub chain: Vec<CertificateDer<'static>>,
}

impl Signing {
    /// Read and check: the key must sign for the certificate, and a receipt it signs must be
    /// one that peers accept, checked as they check it (a certificate trusted by `trust`, the
    /// federation CA, valid now, naming this gateway `id`). Otherwise every peer would refuse
    /// our receipts and keep resending what we already stored.
    ///
    /// `cert_name` and `key_name` name the two inputs in errors (their file paths).
    pub fn from_pem(
        (cert_name, cert_pem): (&str, &[u8]),
        (key_name, key_pem): (&str, &[u8]),
        id: &GatewayId,
        trust: &TrustStore,
        now: Timestamp,
    ) -> Result<Signing, String> {
        let key_v = SigningKey::from_pem(key_pem).map_err(|e| format!("{key_name}: {e}"))?;
        let chain =
            lienthong_dsig::certs_from_pem(cert_pem).map_err(|e| format!("{cert_name}: {e}"))?;
        let probe = Receipt {
            message_id: lienthong_types::MessageId::new_v7(now),
            document_sha256: lienthong_types::Sha256::digest(b"probe"),
            receiving_gateway: id.clone(),
            received_at_ms: 0,
            hop: 0,
        };
        let signed = probe
            .sign(&key_v, &chain)
            .map_err(|e| format!("{cert_name} / {key_name}: {e}"))?;
        let policy = Policy {
            trust,
            at: lienthong_dsig::unix_time(now.as_millis() / 1000),
            expected_agency: None,
        };
        let (_, report) = lienthong_dsig::verify_receipt(&signed, &policy)
            .map_err(|e| format!("{cert_name}: {e}"))?;
        if !report.valid {
            return Err(format!(
                "{cert_name}: peers would refuse the receipts this certificate signs: {}",
                report.problems.join("; ")
            ));
        }
        Ok(Signing { key: key_v, chain })
    }
}
