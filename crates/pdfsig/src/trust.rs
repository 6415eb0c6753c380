//! What a PDF signature is checked against: trusted roots, extra intermediates, CRLs,
//! agency pins, and whether legacy algorithms (SHA-1 links of the Government CA's G1
//! hierarchy, RSA keys under 2048 bits) may be verified at all. Nothing is fetched.
//!
//! Chains are built by rustls-webpki with ring, given a list of signature algorithms that
//! adds ring's `*_FOR_LEGACY_USE_ONLY` verifiers when the configuration allows them; each
//! link of a path found is then looked at again to mark the weak ones.

use lienthong_i18n::{Arg, Msg, msg};
use lienthong_types::Code;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, CertificateRevocationListDer, InvalidSignature,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
use webpki::{
    BorrowedCertRevocationList, CertRevocationList, EndEntityCert, ExpirationPolicy,
    ExtendedKeyUsageValidator, KeyPurposeIdIter, RevocationCheckDepth, RevocationOptionsBuilder,
    UnknownStatusPolicy,
};
use x509_parser::prelude::*;

/// The Government CA's public certificates, shipped with lienthong (see `trust/vgca/`).
pub const GOVERNMENT_ROOTS: &[(&str, &str)] = &[
    (
        "vgca-rootca-g2.pem",
        include_str!("../trust/vgca/vgca-rootca-g2.pem"),
    ),
    (
        "vgca-rootca-g1.pem",
        include_str!("../trust/vgca/vgca-rootca-g1.pem"),
    ),
];
/// The Government CA's intermediates, shipped with lienthong.
pub const GOVERNMENT_INTERMEDIATES: &[(&str, &str)] = &[
    (
        "vgca-cpcag2.pem",
        include_str!("../trust/vgca/vgca-cpcag2.pem"),
    ),
    (
        "vgca-cp-g1.pem",
        include_str!("../trust/vgca/vgca-cp-g1.pem"),
    ),
];

/// Trust for PDF signatures.
#[derive(Debug, Clone)]
pub struct PdfTrust {
    roots: Vec<CertificateDer<'static>>,
    extras: Vec<CertificateDer<'static>>,
    crls: Vec<CertificateRevocationListDer<'static>>,
    /// Raw DER of each CRL's issuer name.
    crl_issuers: Vec<Vec<u8>>,
    pins: Vec<([u8; 32], String)>,
    tax_pins: Vec<(String, String)>,
    allow_legacy: bool,
}

impl Default for PdfTrust {
    fn default() -> PdfTrust {
        PdfTrust {
            roots: Vec::new(),
            extras: Vec::new(),
            crls: Vec::new(),
            crl_issuers: Vec::new(),
            pins: Vec::new(),
            tax_pins: Vec::new(),
            allow_legacy: true,
        }
    }
}

/// A certificate or CRL that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TrustError(pub String);

impl PdfTrust {
    /// Nothing trusted; legacy algorithms allowed (and reported weak).
    pub fn new() -> PdfTrust {
        PdfTrust::default()
    }

    /// The Government CA's roots (G1, G2) and intermediates, as shipped.
    pub fn government() -> PdfTrust {
        let mut t = PdfTrust::new();
        for (_, pem) in GOVERNMENT_ROOTS {
            // shipped and pinned by a test: they parse
            let _ = t.add_roots_pem(pem.as_bytes());
        }
        for (_, pem) in GOVERNMENT_INTERMEDIATES {
            let _ = t.add_intermediates_pem(pem.as_bytes());
        }
        t
    }

    fn certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        let certs: Vec<_> =
            if pem.starts_with(b"-----") || pem.windows(11).any(|w| w == b"-----BEGIN ") {
                CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<_, _>>()
                    .map_err(|e| TrustError(format!("bad certificate PEM: {e}")))?
            } else {
                vec![CertificateDer::from(pem.to_vec())]
            };
        if certs.is_empty() {
            return Err(TrustError("no certificate in the file".into()));
        }
        for c in &certs {
            parse_x509_certificate(c)
                .map_err(|e| TrustError(format!("unreadable certificate: {e}")))?;
        }
        Ok(certs)
    }

    /// Add trusted roots (PEM, or one DER certificate).
    pub fn add_roots_pem(&mut self, pem: &[u8]) -> Result<usize, TrustError> {
        let certs = Self::certs(pem)?;
        for c in &certs {
            webpki::anchor_from_trusted_cert(c)
                .map_err(|e| TrustError(format!("not usable as a trust root: {e:?}")))?;
        }
        let n = certs.len();
        self.roots.extend(certs);
        Ok(n)
    }

    /// Add intermediates offered to every chain (for leaf-only CMS).
    pub fn add_intermediates_pem(&mut self, pem: &[u8]) -> Result<usize, TrustError> {
        let certs = Self::certs(pem)?;
        let n = certs.len();
        self.extras.extend(certs);
        Ok(n)
    }

    /// Add CRLs (PEM or DER).
    pub fn add_crls(&mut self, bytes: &[u8]) -> Result<usize, TrustError> {
        let crls: Vec<CertificateRevocationListDer<'static>> = if bytes.starts_with(b"-----") {
            CertificateRevocationListDer::pem_slice_iter(bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| TrustError(format!("bad CRL PEM: {e}")))?
        } else {
            vec![CertificateRevocationListDer::from(bytes.to_vec())]
        };
        for c in &crls {
            BorrowedCertRevocationList::from_der(c)
                .map_err(|e| TrustError(format!("unreadable CRL: {e:?}")))?;
            let (_, crl) =
                parse_x509_crl(c).map_err(|e| TrustError(format!("unreadable CRL: {e}")))?;
            self.crl_issuers.push(crl.issuer().as_raw().to_vec());
        }
        let n = crls.len();
        self.crls.extend(crls);
        Ok(n)
    }

    /// Pin a certificate (SHA-256 of its DER) to an agency code.
    pub fn pin_fingerprint(&mut self, fingerprint: [u8; 32], agency: &str) {
        self.pins.push((fingerprint, agency.to_owned()));
    }

    /// Replace every fingerprint pin (a directory reloaded with other pinned signers).
    pub fn set_pins(&mut self, pins: impl IntoIterator<Item = ([u8; 32], String)>) {
        self.pins = pins.into_iter().collect();
    }

    /// Pin a tax code (MST) or budget-unit code (MNS) to an agency code: a certificate
    /// whose subject carries `UID=MST:<code>` or `UID=MNS:<code>` speaks for it.
    pub fn pin_tax_code(&mut self, code: &str, agency: &str) {
        self.tax_pins.push((code.to_owned(), agency.to_owned()));
    }

    /// Allow (default) or refuse the legacy algorithms: SHA-1 and RSA under 2048 bits.
    /// Allowed, they are verified and reported weak; refused, a chain through them fails.
    pub fn set_legacy(&mut self, allow: bool) {
        self.allow_legacy = allow;
    }

    /// Is anything trusted?
    pub fn has_roots(&self) -> bool {
        !self.roots.is_empty()
    }

    pub(crate) fn pinned(&self, fingerprint: &[u8; 32]) -> Option<&str> {
        self.pins
            .iter()
            .find(|(f, _)| f == fingerprint)
            .map(|(_, a)| a.as_str())
    }

    pub(crate) fn tax_pinned(&self, code: &str) -> Option<&str> {
        self.tax_pins
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, a)| a.as_str())
    }
}

/// Any purpose: KeyUsage is checked by the caller.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for p in iter {
            p?;
        }
        Ok(())
    }
}

/// sha1WithRSAEncryption, with NULL parameters.
const RSA_PKCS1_SHA1_ID: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);

/// An RSA PKCS#1 verifier of ring's legacy family, for webpki.
#[derive(Debug)]
struct Legacy {
    sig_id: AlgorithmIdentifier,
    ring: &'static ring::signature::RsaParameters,
}

impl SignatureVerificationAlgorithm for Legacy {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        ring::signature::UnparsedPublicKey::new(self.ring, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }
    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }
    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.sig_id
    }
    fn fips(&self) -> bool {
        false
    }
}

static LEGACY_SHA1: Legacy = Legacy {
    sig_id: RSA_PKCS1_SHA1_ID,
    ring: &ring::signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
};
static LEGACY_SHA256: Legacy = Legacy {
    sig_id: alg_id::RSA_PKCS1_SHA256,
    ring: &ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
};
static LEGACY_SHA512: Legacy = Legacy {
    sig_id: alg_id::RSA_PKCS1_SHA512,
    ring: &ring::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
};

static MODERN: &[&dyn SignatureVerificationAlgorithm] = &[
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

static WITH_LEGACY: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    &LEGACY_SHA1,
    &LEGACY_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    &LEGACY_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// One certificate of a path, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainLink {
    /// Subject distinguished name.
    pub subject: String,
    /// Where it came from: `signer`, `cms`, `configured` or `root`.
    pub source: &'static str,
    /// Signed by its issuer with a weak algorithm (SHA-1, or an RSA key under 2048 bits).
    pub weak: bool,
}

/// The outcome of path validation.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainOutcome {
    pub(crate) links: Vec<ChainLink>,
    /// Each with an empty `prefix`, set by [`crate::report::prefixed`] for a TSA's chain.
    pub(crate) problems: Vec<(Code, Msg)>,
    /// A CRL covered the signer (and it was not revoked).
    pub(crate) revocation_checked: bool,
    /// Intermediates came from the configuration (the CMS lacked them).
    pub(crate) used_configured: bool,
    pub(crate) weak: bool,
}

/// The `prefix` of a chain's problem before it is known whose chain it is: nothing.
fn no_prefix() -> Arg {
    Arg::Msg("pdf-empty")
}

fn fmt_time(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(
            || secs.to_string(),
            |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

/// Validate `leaf` at `at` (Unix seconds) with the CMS's certificates and the configured
/// intermediates.
pub(crate) fn check_chain(
    trust: &PdfTrust,
    leaf: &[u8],
    cms_certs: &[&[u8]],
    at: u64,
) -> ChainOutcome {
    let mut out = ChainOutcome::default();
    let Some(leaf_cert) = crate::crypto::parse_cert(leaf) else {
        out.problems.push((
            Code::CertMalformed,
            msg!("pdf-chain-unreadable", prefix = no_prefix()),
        ));
        return out;
    };
    out.links.push(ChainLink {
        subject: leaf_cert.subject().to_string(),
        source: "signer",
        weak: false,
    });
    if trust.roots.is_empty() {
        out.problems.push((
            Code::CertNoTrustRoots,
            msg!("pdf-chain-no-roots", prefix = no_prefix()),
        ));
        return out;
    }
    let leaf_der = CertificateDer::from(leaf);
    let ee = match EndEntityCert::try_from(&leaf_der) {
        Ok(ee) => ee,
        Err(e) => {
            out.problems.push((
                Code::CertMalformed,
                msg!(
                    "pdf-chain-malformed",
                    prefix = no_prefix(),
                    detail = format!("{e:?}")
                ),
            ));
            return out;
        }
    };
    let anchors: Vec<_> = trust
        .roots
        .iter()
        .filter_map(|r| webpki::anchor_from_trusted_cert(r).ok())
        .collect();
    let mut inter: Vec<CertificateDer<'_>> = cms_certs
        .iter()
        .filter(|c| **c != leaf)
        .map(|c| CertificateDer::from(*c))
        .collect();
    inter.extend(trust.extras.iter().cloned());
    let crls: Vec<CertRevocationList<'_>> = trust
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
            .with_expiration_policy(ExpirationPolicy::Ignore)
            .build()
    });
    let algs = if trust.allow_legacy {
        WITH_LEGACY
    } else {
        MODERN
    };
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at));
    match ee.verify_for_usage(algs, &anchors, &inter, time, AnyEku, revocation, None) {
        Ok(path) => {
            let mut issued_by = vec![(
                leaf_cert.signature_algorithm.algorithm.to_id_string(),
                leaf_cert.issuer().as_raw().to_vec(),
            )];
            let mut subjects_keys: Vec<(Vec<u8>, bool)> = Vec::new();
            for c in path.intermediate_certificates() {
                let der_owned = c.der();
                let der: &[u8] = der_owned.as_ref();
                let from_cms = cms_certs.contains(&der);
                if !from_cms {
                    out.used_configured = true;
                }
                if let Some(pc) = crate::crypto::parse_cert(der) {
                    subjects_keys.push((
                        pc.subject().as_raw().to_vec(),
                        crate::crypto::Key::of(&pc).weak(),
                    ));
                    issued_by.push((
                        pc.signature_algorithm.algorithm.to_id_string(),
                        pc.issuer().as_raw().to_vec(),
                    ));
                    out.links.push(ChainLink {
                        subject: pc.subject().to_string(),
                        source: if from_cms { "cms" } else { "configured" },
                        weak: false,
                    });
                }
            }
            let last_issuer = issued_by.last().map(|(_, i)| i.clone()).unwrap_or_default();
            if let Some(root) = trust
                .roots
                .iter()
                .filter_map(|r| crate::crypto::parse_cert(r))
                .find(|r| r.subject().as_raw() == last_issuer.as_slice())
            {
                subjects_keys.push((
                    root.subject().as_raw().to_vec(),
                    crate::crypto::Key::of(&root).weak(),
                ));
                out.links.push(ChainLink {
                    subject: root.subject().to_string(),
                    source: "root",
                    weak: false,
                });
            }
            // link i is weak when its own signature is SHA-1 or its issuer's key is short
            for (i, (sig_oid, issuer)) in issued_by.iter().enumerate() {
                let short_key = subjects_keys.iter().any(|(s, weak)| s == issuer && *weak);
                if (crate::crypto::cert_sig_weak(sig_oid) || short_key)
                    && let Some(link) = out.links.get_mut(i)
                {
                    link.weak = true;
                    out.weak = true;
                }
            }
            out.revocation_checked = trust
                .crl_issuers
                .iter()
                .any(|i| i.as_slice() == leaf_cert.issuer().as_raw());
        }
        Err(e) => out
            .problems
            .push(explain(&e, &leaf_cert, at, trust.allow_legacy)),
    }
    out
}

fn explain(e: &webpki::Error, leaf: &X509Certificate<'_>, at: u64, legacy: bool) -> (Code, Msg) {
    use webpki::Error as E;
    let when = fmt_time(at);
    let p = no_prefix;
    match e {
        E::CertExpired { not_after, .. } => (
            Code::CertExpired,
            msg!(
                "pdf-chain-expired",
                prefix = p(),
                expired = fmt_time(not_after.as_secs()),
                at = when
            ),
        ),
        E::CertNotValidYet { not_before, .. } => (
            Code::CertNotYetValid,
            msg!(
                "pdf-chain-not-yet-valid",
                prefix = p(),
                from = fmt_time(not_before.as_secs()),
                at = when
            ),
        ),
        E::CertRevoked => (
            Code::CertRevoked,
            msg!(
                "pdf-chain-revoked",
                prefix = p(),
                serial = leaf.raw_serial_as_string(),
                issuer = leaf.issuer().to_string()
            ),
        ),
        E::UnknownIssuer => (
            Code::CertUntrusted,
            msg!(
                "pdf-chain-untrusted",
                prefix = p(),
                issuer = leaf.issuer().to_string()
            ),
        ),
        E::InvalidSignatureForPublicKey => (
            Code::CertBadChainSignature,
            msg!(
                "pdf-chain-bad-signature",
                prefix = p(),
                issuer = leaf.issuer().to_string()
            ),
        ),
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            if !legacy =>
        {
            (Code::PdfWeak, msg!("pdf-chain-legacy", prefix = p()))
        }
        E::CaUsedAsEndEntity => (Code::CertCaAsSigner, msg!("pdf-chain-ca", prefix = p())),
        other => (
            Code::CertInvalid,
            msg!(
                "pdf-chain-invalid",
                prefix = p(),
                detail = format!("{other:?}")
            ),
        ),
    }
}
