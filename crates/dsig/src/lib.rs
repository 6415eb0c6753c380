//! # lienthong-dsig
//!
//! Signatures for lienthong: who signed a document, and whether anything changed since.
//!
//! * [`c14n`]: Canonical XML 1.0 and Exclusive XML Canonicalization 1.0 (with or without
//!   comments, `InclusiveNamespaces PrefixList`), over the strict tree of `lienthong-xml`,
//!   streaming into a digest.
//! * [`sign_enveloped`]: enveloped XML Signature over the whole document (`URI=""`,
//!   exclusive C14N, SHA-256, RSA-SHA256 or ECDSA-P256-SHA256, certificates in `KeyInfo`),
//!   spliced into the original bytes.
//! * [`verify`] / [`verify_bytes`]: verification that fails closed (see the module docs
//!   of [`verify`](mod@verify) for what is refused) and defends against signature
//!   wrapping, with a [`Report`] whose problems are worded for a clerk.
//! * [`TrustStore`]: X.509 path validation with rustls-webpki (ring), validity at a given
//!   time, CRLs, KeyUsage, and binding of the signer to an agency
//!   (`urn:lienthong:agency:CODE` in subjectAltName, the code in a subject attribute, or a
//!   pinned fingerprint).
//! * [`Receipt`]: the signed proof a gateway returns for each hop.
//!
//! Crypto is ring only. OpenSSL and xmlsec1 appear only in tests, as oracles.

pub mod algorithms;
pub mod c14n;
mod error;
mod keys;
pub mod receipt;
mod sign;
pub mod time;
mod trust;
pub mod verify;

pub use algorithms::{DigestAlgorithm, SignatureAlgorithm, XMLDSIG_NS};
pub use error::DsigError;
pub use keys::{SigningKey, certs_from_pem};
pub use receipt::{Receipt, is_receipt, verify_receipt, verify_receipt_doc};
pub use sign::{Placement, Target, sign_enveloped, sign_with_target};
pub use trust::{
    AGENCY_URI_PREFIX, CertInfo, GATEWAY_URI_PREFIX, MONITOR_URI_PREFIX, OPERATOR_URI_PREFIX,
    TrustStore, cert_info,
};
pub use verify::{ExpectedAgency, Policy, Profile, Report, Signer, Verdict, verify, verify_bytes};

/// A time given in seconds since the Unix epoch, for [`Policy::at`].
pub fn unix_time(secs: u64) -> rustls_pki_types::UnixTime {
    rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
}
