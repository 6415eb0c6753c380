//! Digests and signature checks with ring, by OID, with the algorithm named for a report
//! and judged weak (SHA-1, RSA under 2048 bits) or not. Weak algorithms are still
//! verified, through ring's legacy verifiers.

use lienthong_i18n::{Msg, msg};
use ring::digest;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::cms::AlgId;

pub(crate) const SHA1: &str = "1.3.14.3.2.26";
pub(crate) const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub(crate) const SHA384: &str = "2.16.840.1.101.3.4.2.2";
pub(crate) const SHA512: &str = "2.16.840.1.101.3.4.2.3";

/// A hash the verifier computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn from_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            SHA1 | "1.2.840.113549.1.1.5" => Hash::Sha1,
            SHA256 | "1.2.840.113549.1.1.11" => Hash::Sha256,
            SHA384 | "1.2.840.113549.1.1.12" => Hash::Sha384,
            SHA512 | "1.2.840.113549.1.1.13" => Hash::Sha512,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    fn ring(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    pub(crate) fn context(self) -> digest::Context {
        digest::Context::new(self.ring())
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        digest::digest(self.ring(), data).as_ref().to_vec()
    }
}

/// The signer's key, read from its certificate.
pub(crate) struct Key {
    pub(crate) spki_bits: Vec<u8>,
    pub(crate) kind: KeyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa(usize),
    EcP256,
    EcP384,
    Other,
}

impl Key {
    pub(crate) fn of(cert: &X509Certificate<'_>) -> Key {
        let spki = cert.public_key();
        let kind = match spki.parsed() {
            Ok(PublicKey::RSA(r)) => KeyKind::Rsa(r.key_size()),
            Ok(PublicKey::EC(_)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string());
                match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => KeyKind::EcP256,
                    Some("1.3.132.0.34") => KeyKind::EcP384,
                    _ => KeyKind::Other,
                }
            }
            _ => KeyKind::Other,
        };
        Key {
            spki_bits: spki.subject_public_key.data.to_vec(),
            kind,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self.kind {
            KeyKind::Rsa(bits) => format!("RSA-{bits}"),
            KeyKind::EcP256 => "ECDSA P-256".into(),
            KeyKind::EcP384 => "ECDSA P-384".into(),
            KeyKind::Other => "an unsupported key type".into(),
        }
    }

    pub(crate) fn weak(&self) -> bool {
        matches!(self.kind, KeyKind::Rsa(bits) if bits < 2048)
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SigFailure {
    /// What is not supported (for the report's algorithm), and the problem.
    Unsupported(String, Msg),
    Invalid,
}

/// Verify `sig` over `message` with `key`, by the SignerInfo's signature algorithm and
/// digest algorithm (many signers put plain `rsaEncryption` as the signature algorithm).
/// Returns the algorithm's name.
pub(crate) fn verify(
    key: &Key,
    sig_alg: &AlgId<'_>,
    digest_alg: Hash,
    message: &[u8],
    sig: &[u8],
) -> Result<String, SigFailure> {
    let hash = match sig_alg.oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.10045.2.1" => digest_alg,
        "1.2.840.113549.1.1.10" => pss_hash(sig_alg).ok_or_else(|| {
            SigFailure::Unsupported(
                "RSASSA-PSS with parameters the verifier does not support".into(),
                msg!("pdf-unsupported-pss"),
            )
        })?,
        "1.2.840.10045.4.1" => Hash::Sha1,
        "1.2.840.10045.4.3.2" => Hash::Sha256,
        "1.2.840.10045.4.3.3" => Hash::Sha384,
        "1.2.840.10045.4.3.4" => Hash::Sha512,
        other => Hash::from_oid(other).ok_or_else(|| {
            SigFailure::Unsupported(
                format!("the signature algorithm {other}"),
                msg!("pdf-unsupported-algorithm", oid = other),
            )
        })?,
    };
    let pss = sig_alg.oid == "1.2.840.113549.1.1.10";
    let alg: &'static dyn VerificationAlgorithm = match (key.kind, hash, pss) {
        (KeyKind::Rsa(_), Hash::Sha1, false) => {
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (KeyKind::Rsa(b), Hash::Sha256, false) if b < 2048 => {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (KeyKind::Rsa(_), Hash::Sha256, false) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (KeyKind::Rsa(_), Hash::Sha384, false) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (KeyKind::Rsa(b), Hash::Sha512, false) if b < 2048 => {
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (KeyKind::Rsa(_), Hash::Sha512, false) => &signature::RSA_PKCS1_2048_8192_SHA512,
        (KeyKind::Rsa(_), Hash::Sha256, true) => &signature::RSA_PSS_2048_8192_SHA256,
        (KeyKind::Rsa(_), Hash::Sha384, true) => &signature::RSA_PSS_2048_8192_SHA384,
        (KeyKind::Rsa(_), Hash::Sha512, true) => &signature::RSA_PSS_2048_8192_SHA512,
        (KeyKind::EcP256, Hash::Sha256, _) => &signature::ECDSA_P256_SHA256_ASN1,
        (KeyKind::EcP256, Hash::Sha384, _) => &signature::ECDSA_P256_SHA384_ASN1,
        (KeyKind::EcP384, Hash::Sha256, _) => &signature::ECDSA_P384_SHA256_ASN1,
        (KeyKind::EcP384, Hash::Sha384, _) => &signature::ECDSA_P384_SHA384_ASN1,
        (k, h, _) => {
            let key = Key {
                spki_bits: Vec::new(),
                kind: k,
            }
            .describe();
            let problem = if k == KeyKind::Other {
                msg!("pdf-unsupported-key-type", hash = h.name())
            } else {
                msg!(
                    "pdf-unsupported-combination",
                    key = key.as_str(),
                    hash = h.name()
                )
            };
            return Err(SigFailure::Unsupported(
                format!("{key} with {}", h.name()),
                problem,
            ));
        }
    };
    UnparsedPublicKey::new(alg, &key.spki_bits)
        .verify(message, sig)
        .map_err(|_| SigFailure::Invalid)?;
    let scheme = match key.kind {
        KeyKind::Rsa(_) if pss => "RSASSA-PSS",
        KeyKind::Rsa(_) => "RSASSA-PKCS1-v1_5",
        _ => "ECDSA",
    };
    Ok(format!("{} with {scheme}, {}", hash.name(), key.describe()))
}

fn pss_hash(alg: &AlgId<'_>) -> Option<Hash> {
    let params = alg.params?.children().ok()?;
    let first = params.first()?;
    if first.tag != 0xa0 {
        return Some(Hash::Sha1);
    }
    let inner = first.children().ok()?.into_iter().next()?;
    let id = crate::cms::alg_id(&inner).ok()?;
    Hash::from_oid(&id.oid)
}

/// The name of a signature algorithm OID in a certificate.
pub(crate) fn cert_sig_weak(oid: &str) -> bool {
    matches!(
        oid,
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.113549.1.1.4"
    )
}

/// Read a DER certificate.
pub(crate) fn parse_cert(der: &[u8]) -> Option<X509Certificate<'_>> {
    parse_x509_certificate(der).ok().map(|(_, c)| c)
}
