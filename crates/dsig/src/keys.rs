//! Signing keys and certificates, read from PEM.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::algorithms::SignatureAlgorithm;
use crate::error::DsigError;

/// A private key that can sign: RSA (2048 bits or more) or ECDSA P-256.
pub struct SigningKey {
    inner: Inner,
    rng: SystemRandom,
}

enum Inner {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        write!(f, "SigningKey({:?})", self.algorithm())
    }
}

impl SigningKey {
    /// Read a PKCS#8 private key from PEM (`BEGIN PRIVATE KEY`).
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey, DsigError> {
        let key = PrivateKeyDer::from_pem_slice(pem)
            .map_err(|e| DsigError::Key(format!("no private key found in PEM: {e}")))?;
        match key {
            PrivateKeyDer::Pkcs8(p8) => SigningKey::from_pkcs8(p8.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(_) => Err(DsigError::Key(
                "RSA key in PKCS#1 form; convert it with `openssl pkcs8 -topk8 -nocrypt`".into(),
            )),
            PrivateKeyDer::Sec1(_) => Err(DsigError::Key(
                "EC key in SEC1 form; convert it with `openssl pkcs8 -topk8 -nocrypt`".into(),
            )),
            _ => Err(DsigError::Key("unsupported private key form".into())),
        }
    }

    /// Read a PKCS#8 DER private key.
    pub fn from_pkcs8(der: &[u8]) -> Result<SigningKey, DsigError> {
        let rng = SystemRandom::new();
        let rsa = RsaKeyPair::from_pkcs8(der);
        if let Err(e) = &rsa
            && e.to_string() == "TooSmall"
        {
            return Err(DsigError::Key(
                "RSA key shorter than 2048 bits; at least 2048 are required".into(),
            ));
        }
        if let Ok(k) = rsa {
            if k.public().modulus_len() * 8 < 2048 {
                return Err(DsigError::Key(format!(
                    "RSA key of {} bits; at least 2048 are required",
                    k.public().modulus_len() * 8
                )));
            }
            return Ok(SigningKey {
                inner: Inner::Rsa(k),
                rng,
            });
        }
        match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng) {
            Ok(k) => Ok(SigningKey {
                inner: Inner::Ecdsa(k),
                rng,
            }),
            Err(_) => Err(DsigError::Key(
                "the key is neither RSA (2048+ bits) nor ECDSA P-256".into(),
            )),
        }
    }

    /// The XML Signature algorithm this key signs with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.inner {
            Inner::Rsa(_) => SignatureAlgorithm::RsaSha256,
            Inner::Ecdsa(_) => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    /// The public key bytes as they appear in a certificate's subjectPublicKey.
    pub fn public_key(&self) -> &[u8] {
        match &self.inner {
            Inner::Rsa(k) => k.public_key().as_ref(),
            Inner::Ecdsa(k) => k.public_key().as_ref(),
        }
    }

    /// Sign `data`.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, DsigError> {
        match &self.inner {
            Inner::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &self.rng, data, &mut sig)
                    .map_err(|_| DsigError::Key("RSA signing failed".into()))?;
                Ok(sig)
            }
            Inner::Ecdsa(k) => k
                .sign(&self.rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| DsigError::Key("ECDSA signing failed".into())),
        }
    }
}

/// Read every certificate from PEM text.
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, DsigError> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    let certs = certs.map_err(|e| DsigError::Certificate(format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(DsigError::Certificate("no certificate found in PEM".into()));
    }
    Ok(certs)
}

/// The subjectPublicKey bits of a certificate.
pub(crate) fn cert_public_key(der: &[u8]) -> Result<Vec<u8>, DsigError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| DsigError::Certificate(format!("unreadable certificate: {e}")))?;
    Ok(cert.public_key().subject_public_key.data.to_vec())
}
