//! X.509 trust: path validation to configured roots (rustls-webpki, ring), validity at
//! the verification time, CRLs, the signer's key usage, and which agency a certificate
//! speaks for. Problems are worded for a clerk.

use lienthong_i18n::{Msg, msg};
use lienthong_types::Code;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use webpki::{
    BorrowedCertRevocationList, CertRevocationList, EndEntityCert, ExpirationPolicy,
    ExtendedKeyUsageValidator, KeyPurposeIdIter, RevocationCheckDepth, RevocationOptionsBuilder,
    UnknownStatusPolicy,
};
use x509_parser::prelude::*;

use crate::error::DsigError;
use crate::time::format_date;

/// URI prefix naming an agency in a certificate's subjectAltName.
pub const AGENCY_URI_PREFIX: &str = "urn:lienthong:agency:";
/// URI prefix naming a gateway.
pub const GATEWAY_URI_PREFIX: &str = "urn:lienthong:gateway:";
/// URI prefix naming an operator.
pub const OPERATOR_URI_PREFIX: &str = "urn:lienthong:operator:";
/// SAN URI prefix naming a monitor (reads metrics, the console and reports; acts on nothing).
pub const MONITOR_URI_PREFIX: &str = "urn:lienthong:monitor:";

/// Trusted roots and revocation lists.
///
/// Successful path validations are cached per certificate chain (SHA-256 of the DER of
/// the signer and intermediates) for as long as every certificate in the path is valid
/// and every CRL is fresh, so a gateway that sees the same signers all day validates each
/// chain once per window. Any change to the store starts a new, empty cache.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cache: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<[u8; 32], CachedPath>>>,
    /// The earliest `nextUpdate` of the CRLs (seconds), if any.
    crls_fresh_until: Option<u64>,
    roots: Vec<CertificateDer<'static>>,
    /// Subjects of the roots, read once.
    root_subjects: Vec<String>,
    crls: Vec<CertificateRevocationListDer<'static>>,
    /// Issuers of the CRLs, read once.
    crl_issuers: Vec<String>,
    /// Certificates pinned to an agency: (SHA-256 of the DER, agency code).
    pins: Vec<([u8; 32], String)>,
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Add trusted root certificates from PEM.
    pub fn add_roots_pem(&mut self, pem: &[u8]) -> Result<usize, DsigError> {
        let certs = crate::keys::certs_from_pem(pem)?;
        let n = certs.len();
        for c in certs {
            self.add_root_der(c)?;
        }
        Ok(n)
    }

    fn reset_cache(&mut self) {
        self.cache = std::sync::Arc::default();
    }

    /// Add a trusted root certificate (DER).
    pub fn add_root_der(&mut self, der: CertificateDer<'static>) -> Result<(), DsigError> {
        self.reset_cache();
        webpki::anchor_from_trusted_cert(&der)
            .map_err(|e| DsigError::Certificate(format!("not usable as a trust root: {e:?}")))?;
        self.root_subjects.push(cert_info(&der)?.subject);
        self.roots.push(der);
        Ok(())
    }

    /// Add CRLs from PEM (`BEGIN X509 CRL`) or DER.
    pub fn add_crls(&mut self, bytes: &[u8]) -> Result<usize, DsigError> {
        let crls: Vec<CertificateRevocationListDer<'static>> = if bytes.starts_with(b"-----") {
            CertificateRevocationListDer::pem_slice_iter(bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| DsigError::Certificate(format!("bad CRL PEM: {e}")))?
        } else {
            vec![CertificateRevocationListDer::from(bytes.to_vec())]
        };
        for c in &crls {
            BorrowedCertRevocationList::from_der(c)
                .map_err(|e| DsigError::Certificate(format!("unreadable CRL: {e:?}")))?;
            let (_, crl) = parse_x509_crl(c)
                .map_err(|e| DsigError::Certificate(format!("unreadable CRL: {e}")))?;
            self.crl_issuers.push(crl.issuer().to_string());
            if let Some(next) = crl.next_update() {
                let next = u64::try_from(next.timestamp()).unwrap_or(0);
                self.crls_fresh_until = Some(self.crls_fresh_until.map_or(next, |c| c.min(next)));
            }
        }
        self.reset_cache();
        let n = crls.len();
        self.crls.extend(crls);
        Ok(n)
    }

    /// Pin a certificate (by the SHA-256 of its DER) to an agency, for certificates that
    /// cannot name the agency themselves.
    pub fn pin(&mut self, fingerprint: [u8; 32], agency: &str) {
        self.reset_cache();
        self.pins.push((fingerprint, agency.to_owned()));
    }

    /// Replace every pin with `pins` (a directory reloaded with other pinned signers).
    pub fn set_pins(&mut self, pins: impl IntoIterator<Item = ([u8; 32], String)>) {
        self.reset_cache();
        self.pins = pins.into_iter().collect();
    }

    /// How many certificates are pinned.
    pub fn pin_count(&self) -> usize {
        self.pins.len()
    }

    /// Is anything trusted?
    pub fn has_roots(&self) -> bool {
        !self.roots.is_empty()
    }

    /// Has any CRL been given?
    pub fn has_crls(&self) -> bool {
        !self.crls.is_empty()
    }

    /// The earliest `nextUpdate` of the CRLs, in seconds since the Unix epoch: after it every
    /// signature checked against this store is refused (`cert.crl_expired`) until fresher
    /// CRLs are loaded. `None` without CRLs (or when none gives a `nextUpdate`).
    pub fn crls_fresh_until(&self) -> Option<u64> {
        self.crls_fresh_until
    }

    pub(crate) fn roots(&self) -> &[CertificateDer<'static>] {
        &self.roots
    }

    pub(crate) fn pinned_agency(&self, fingerprint: &[u8; 32]) -> Option<&str> {
        self.pins
            .iter()
            .find(|(f, _)| f == fingerprint)
            .map(|(_, a)| a.as_str())
    }
}

/// Any extended key usage is acceptable for a document signer; what matters is the
/// KeyUsage extension (digitalSignature or nonRepudiation), checked separately, because
/// webpki ignores KeyUsage.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for purpose in iter {
            purpose?;
        }
        Ok(())
    }
}

static SIG_ALGS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// Facts about a certificate, for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Organisation (O) of the subject, if any.
    pub organization: Option<String>,
    /// Serial number, hex.
    pub serial: String,
    /// Not valid before (RFC 3339).
    pub not_before: String,
    /// Not valid after (RFC 3339).
    pub not_after: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint_sha256: String,
    /// Agencies named in `urn:lienthong:agency:` subjectAltName URIs.
    pub agencies: Vec<String>,
    /// Gateways named in `urn:lienthong:gateway:` subjectAltName URIs.
    pub gateways: Vec<String>,
    /// Is it a CA certificate?
    pub is_ca: bool,
    /// KeyUsage allows digitalSignature.
    pub digital_signature: bool,
    /// KeyUsage allows nonRepudiation.
    pub non_repudiation: bool,
    /// Has a KeyUsage extension at all.
    pub has_key_usage: bool,
    #[serde(skip)]
    pub(crate) subject_values: Vec<String>,
    #[serde(skip)]
    pub(crate) fingerprint: [u8; 32],
    #[serde(skip)]
    pub(crate) not_before_secs: u64,
    #[serde(skip)]
    pub(crate) not_after_secs: u64,
}

/// A cached successful validation.
#[derive(Debug, Clone)]
struct CachedPath {
    chain: Vec<String>,
    notes: Vec<Msg>,
    /// The result holds for verification times in this window (seconds).
    from: u64,
    until: u64,
}

/// Most chains kept in the cache; it is emptied when full.
const CACHE_LIMIT: usize = 4096;

/// Read the facts of a certificate.
pub fn cert_info(der: &[u8]) -> Result<CertInfo, DsigError> {
    let (_, cert) = parse_x509_certificate(der)
        .map_err(|e| DsigError::Certificate(format!("unreadable certificate: {e}")))?;
    let fp = ring::digest::digest(&ring::digest::SHA256, der);
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(fp.as_ref());
    let mut agencies = Vec::new();
    let mut gateways = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::URI(uri) = name {
                if let Some(a) = uri.strip_prefix(AGENCY_URI_PREFIX) {
                    agencies.push(a.to_owned());
                } else if let Some(g) = uri.strip_prefix(GATEWAY_URI_PREFIX) {
                    gateways.push(g.to_owned());
                }
            }
        }
    }
    let (has_key_usage, digital_signature, non_repudiation) = match cert.key_usage() {
        Ok(Some(ku)) => (
            true,
            ku.value.digital_signature(),
            ku.value.non_repudiation(),
        ),
        _ => (false, false, false),
    };
    let is_ca = matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    let subject_values = cert
        .subject()
        .iter_attributes()
        .filter_map(|a| a.as_str().ok().map(str::to_owned))
        .collect();
    let organization = cert
        .subject()
        .iter_organization()
        .next()
        .and_then(|o| o.as_str().ok())
        .map(str::to_owned);
    let not_before_secs = u64::try_from(cert.validity().not_before.timestamp()).unwrap_or(0);
    let not_after_secs = u64::try_from(cert.validity().not_after.timestamp()).unwrap_or(0);
    Ok(CertInfo {
        not_before_secs,
        not_after_secs,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        organization,
        serial: cert.raw_serial_as_string(),
        not_before: crate::time::format_rfc3339(
            u64::try_from(cert.validity().not_before.timestamp()).unwrap_or(0),
        ),
        not_after: crate::time::format_rfc3339(
            u64::try_from(cert.validity().not_after.timestamp()).unwrap_or(0),
        ),
        fingerprint_sha256: hex(&fingerprint),
        agencies,
        gateways,
        is_ca,
        digital_signature,
        non_repudiation,
        has_key_usage,
        subject_values,
        fingerprint,
    })
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The outcome of validating a signer's certificate path.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainOutcome {
    pub problems: Vec<(Code, Msg)>,
    pub notes: Vec<Msg>,
    /// Subjects from the signer to the root.
    pub chain: Vec<String>,
}

/// Validate `leaf` (with `intermediates`) against the store at time `at`, for signing.
pub(crate) fn check_signer(
    store: &TrustStore,
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    at: UnixTime,
    leaf_info: &CertInfo,
) -> ChainOutcome {
    let mut out = ChainOutcome::default();
    out.chain.push(leaf_info.subject.clone());
    if leaf_info.is_ca {
        out.problems
            .push((Code::CertCaAsSigner, msg!("sig-cert-ca-as-signer")));
    }
    if !leaf_info.has_key_usage {
        out.problems
            .push((Code::CertNoKeyUsage, msg!("sig-cert-no-key-usage")));
    } else if !leaf_info.digital_signature && !leaf_info.non_repudiation {
        out.problems
            .push((Code::CertKeyUsage, msg!("sig-cert-key-usage")));
    }
    let key = {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(leaf);
        for i in intermediates {
            ctx.update(&(i.len() as u64).to_le_bytes());
            ctx.update(i);
        }
        let mut k = [0u8; 32];
        k.copy_from_slice(ctx.finish().as_ref());
        k
    };
    let now = at.as_secs();
    if let Ok(cache) = store.cache.lock()
        && let Some(hit) = cache.get(&key)
        && hit.from <= now
        && now < hit.until
    {
        out.chain = hit.chain.clone();
        out.notes.extend(hit.notes.iter().cloned());
        return out;
    }
    if !store.has_roots() {
        out.problems
            .push((Code::CertNoTrustRoots, msg!("sig-cert-no-roots")));
        return out;
    }
    let anchors: Vec<_> = store
        .roots()
        .iter()
        .filter_map(|r| webpki::anchor_from_trusted_cert(r).ok())
        .collect();
    let ee = match EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            out.problems.push((
                Code::CertMalformed,
                msg!("sig-cert-malformed", error = format!("{e:?}")),
            ));
            return out;
        }
    };
    let crls: Vec<CertRevocationList<'_>> = store
        .crls
        .iter()
        .filter_map(|c| {
            BorrowedCertRevocationList::from_der(c)
                .ok()
                .map(CertRevocationList::from)
        })
        .collect();
    let crl_refs: Vec<&CertRevocationList<'_>> = crls.iter().collect();
    let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
        b.with_depth(RevocationCheckDepth::Chain)
            .with_status_policy(UnknownStatusPolicy::Allow)
            .with_expiration_policy(ExpirationPolicy::Enforce)
            .build()
    });
    if revocation.is_none() {
        out.notes.push(msg!("sig-note-no-crl"));
    }
    let inter: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| c.clone().into_owned())
        .collect();
    match ee.verify_for_usage(SIG_ALGS, &anchors, &inter, at, AnyEku, revocation, None) {
        Ok(path) => {
            let mut from = leaf_info.not_before_secs;
            let mut until = leaf_info.not_after_secs;
            for i in path.intermediate_certificates() {
                if let Ok(info) = cert_info(&i.der()) {
                    from = from.max(info.not_before_secs);
                    until = until.min(info.not_after_secs);
                    out.chain.push(info.subject);
                }
            }
            // Name the root: the configured root whose subject issued the last element.
            let last_issuer = path
                .intermediate_certificates()
                .next_back()
                .and_then(|c| cert_info(&c.der()).ok())
                .map_or(leaf_info.issuer.clone(), |i| i.issuer);
            if let Some(root) = store.root_subjects.iter().find(|s| **s == last_issuer) {
                out.chain.push(root.clone());
            }
            if revocation_unknown(store, leaf_info) {
                out.notes.push(msg!(
                    "sig-note-no-issuer-crl",
                    issuer = leaf_info.issuer.as_str()
                ));
            }
            if let Some(fresh) = store.crls_fresh_until {
                until = until.min(fresh);
            }
            // Only a clean result is cached (problems above are leaf checks, not cached).
            if out.problems.is_empty()
                && let Ok(mut cache) = store.cache.lock()
            {
                if cache.len() >= CACHE_LIMIT {
                    cache.clear();
                }
                cache.insert(
                    key,
                    CachedPath {
                        chain: out.chain.clone(),
                        notes: out.notes.clone(),
                        from,
                        until,
                    },
                );
            }
        }
        Err(e) => out.problems.push(explain(&e, leaf_info, at)),
    }
    out
}

fn revocation_unknown(store: &TrustStore, leaf: &CertInfo) -> bool {
    store.has_crls() && !store.crl_issuers.contains(&leaf.issuer)
}

/// Why the path is not valid, for a clerk. Dates are ISO (`2025-03-01`), as in the
/// English text.
fn explain(e: &webpki::Error, leaf: &CertInfo, at: UnixTime) -> (Code, Msg) {
    use webpki::Error as E;
    let when = format_date(at.as_secs());
    match e {
        E::CertExpired { not_after, .. } => (
            Code::CertExpired,
            msg!(
                "sig-cert-expired",
                date = format_date(not_after.as_secs()),
                checked = when
            ),
        ),
        E::CertNotValidYet { not_before, .. } => (
            Code::CertNotYetValid,
            msg!(
                "sig-cert-not-yet-valid",
                date = format_date(not_before.as_secs()),
                checked = when
            ),
        ),
        E::CertRevoked => (
            Code::CertRevoked,
            msg!(
                "sig-cert-revoked",
                serial = leaf.serial.as_str(),
                issuer = leaf.issuer.as_str()
            ),
        ),
        E::UnknownIssuer => (
            Code::CertUntrusted,
            msg!("sig-cert-untrusted", issuer = leaf.issuer.as_str()),
        ),
        E::CrlExpired { next_update, .. } => (
            Code::CertCrlExpired,
            msg!(
                "sig-cert-crl-expired",
                date = format_date(next_update.as_secs())
            ),
        ),
        E::UnknownRevocationStatus => (
            Code::CertRevocationUnknown,
            msg!("sig-cert-revocation-unknown"),
        ),
        E::InvalidSignatureForPublicKey => (
            Code::CertBadChainSignature,
            msg!(
                "sig-cert-bad-chain-signature",
                issuer = leaf.issuer.as_str()
            ),
        ),
        E::CaUsedAsEndEntity => (Code::CertCaAsSigner, msg!("sig-cert-ca-as-signer")),
        other => (
            Code::CertInvalid,
            msg!("sig-cert-invalid", error = format!("{other:?}")),
        ),
    }
}
