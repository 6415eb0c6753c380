//! The algorithms of our XML Signature profile.

use serde::Serialize;

/// XML Signature namespace.
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Enveloped-signature transform.
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Signature methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (2048-bit keys or more).
    #[serde(rename = "rsa-sha256")]
    RsaSha256,
    /// ECDSA on P-256 with SHA-256.
    #[serde(rename = "ecdsa-p256-sha256")]
    EcdsaP256Sha256,
    /// RSA PKCS#1 v1.5 with SHA-1: verified only, always reported as weak.
    #[serde(rename = "rsa-sha1")]
    RsaSha1,
}

impl SignatureAlgorithm {
    /// From the `SignatureMethod` URI.
    pub fn from_uri(uri: &str) -> Option<SignatureAlgorithm> {
        match uri {
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => Some(Self::RsaSha256),
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => Some(Self::EcdsaP256Sha256),
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => Some(Self::RsaSha1),
            _ => None,
        }
    }

    /// The `SignatureMethod` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::EcdsaP256Sha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        }
    }

    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaSha256 => "RSA-SHA256",
            Self::EcdsaP256Sha256 => "ECDSA-P256-SHA256",
            Self::RsaSha1 => "RSA-SHA1",
        }
    }

    /// Is it too weak to trust today?
    pub fn is_weak(self) -> bool {
        matches!(self, Self::RsaSha1)
    }

    pub(crate) fn ring(self) -> &'static dyn ring::signature::VerificationAlgorithm {
        match self {
            Self::RsaSha256 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            Self::EcdsaP256Sha256 => &ring::signature::ECDSA_P256_SHA256_FIXED,
            Self::RsaSha1 => &ring::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        }
    }
}

/// Digest methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DigestAlgorithm {
    /// SHA-256.
    #[serde(rename = "sha256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "sha384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "sha512")]
    Sha512,
    /// SHA-1: verified only, always reported as weak.
    #[serde(rename = "sha1")]
    Sha1,
}

impl DigestAlgorithm {
    /// From the `DigestMethod` URI.
    pub fn from_uri(uri: &str) -> Option<DigestAlgorithm> {
        match uri {
            "http://www.w3.org/2001/04/xmlenc#sha256" => Some(Self::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => Some(Self::Sha384),
            "http://www.w3.org/2001/04/xmlenc#sha512" => Some(Self::Sha512),
            "http://www.w3.org/2000/09/xmldsig#sha1" => Some(Self::Sha1),
            _ => None,
        }
    }

    /// The `DigestMethod` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        }
    }

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha1 => "SHA-1",
        }
    }

    /// Is it too weak to trust today?
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Sha1)
    }

    pub(crate) fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        }
    }
}
