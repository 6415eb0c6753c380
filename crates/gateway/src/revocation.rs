//! Which client certificates the client CRLs revoke now. The TLS handshake checks new
//! connections; this lets the accept loop refuse a connection opened *before* a CRL reload
//! at its next request (401 `auth.revoked`) and then close it, so that revoking a DMS's
//! certificate takes effect at once, not when its HTTP/2 connection ends. It also says
//! until when the client CRLs are fresh (their earliest nextUpdate), for the metrics.

use std::collections::HashSet;

use rustls_pki_types::CertificateRevocationListDer;
use x509_parser::prelude::*;

/// A certificate as a CRL names it: its issuer's name (DER) and its serial number.
pub type CertKey = (Vec<u8>, Vec<u8>);

/// The revoked certificates of a set of CRLs.
#[derive(Debug, Default)]
pub struct Revoked {
    keys: HashSet<CertKey>,
    /// The earliest nextUpdate of the CRLs, seconds since the epoch (`None`: no CRL, or
    /// none says).
    pub fresh_until: Option<u64>,
}

impl Revoked {
    /// Read the CRLs (already checked by the TLS verifier; one that does not parse here is
    /// an error all the same).
    pub fn from_crls(crls: &[CertificateRevocationListDer<'_>]) -> Result<Revoked, String> {
        let mut r = Revoked::default();
        for der in crls {
            let (_, crl) =
                parse_x509_crl(der.as_ref()).map_err(|e| format!("a client CRL: {e}"))?;
            let issuer = crl.issuer().as_raw().to_vec();
            for revoked in crl.iter_revoked_certificates() {
                r.keys
                    .insert((issuer.clone(), revoked.raw_serial().to_vec()));
            }
            if let Some(next) = crl.next_update() {
                let t = u64::try_from(next.timestamp()).unwrap_or(0);
                r.fresh_until = Some(r.fresh_until.map_or(t, |u| u.min(t)));
            }
        }
        Ok(r)
    }

    /// The key a certificate is revoked under (`None` for one that does not parse).
    pub fn key_of(cert_der: &[u8]) -> Option<CertKey> {
        let (_, cert) = parse_x509_certificate(cert_der).ok()?;
        Some((cert.issuer().as_raw().to_vec(), cert.raw_serial().to_vec()))
    }

    /// Whether the certificate with this key is revoked.
    pub fn contains(&self, key: &CertKey) -> bool {
        self.keys.contains(key)
    }

    /// How many certificates are revoked.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn the_dev_crl_revokes_the_revoked_signer_and_nobody_else() {
        let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
        let crl = CertificateRevocationListDer::from_pem_slice(pki.crl_pem.as_bytes()).unwrap();
        let r = Revoked::from_crls(&[crl]).unwrap();
        assert_eq!(r.len(), 1);
        let revoked = Revoked::key_of(&pki.revoked_signer.cert_der).unwrap();
        assert!(r.contains(&revoked));
        let dms = &pki.dms["000.00.00.G22"];
        assert!(!r.contains(&Revoked::key_of(&dms.cert_der).unwrap()));
        assert!(r.fresh_until.is_some());
        assert!(Revoked::key_of(b"not a certificate").is_none());
    }
}
