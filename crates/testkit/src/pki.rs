//! The development PKI, made with rcgen: a root CA, gateway, DMS-client, operator and
//! document-signer certificates, an expired signer, a revoked signer and its CRL.
//!
//! **Development only.** Everything here is for tests and the demo.
//!
//! Every key is made at run time; none is compiled in. rcgen makes the ECDSA P-256 keys;
//! ring cannot generate RSA keys (neither can rcgen on ring), so the RSA-2048 signers' keys
//! come from the `rsa` crate, used for nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SanType, SerialNumber, date_time_ymd,
};

use crate::federation::{AGENCIES, GATEWAYS};

/// A fresh RSA key of `bits` bits, PKCS#8 PEM (2048 for the signers; tests that check short
/// keys are refused ask for 1024).
pub fn rsa_key_pem(bits: usize) -> Result<String, PkiError> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits)
        .map_err(|e| rcgen::Error::PemError(format!("generating an RSA key: {e}")))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| rcgen::Error::PemError(format!("encoding an RSA key: {e}")))?;
    Ok(pem.to_string())
}

/// An issued certificate and its key.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Certificate, PEM.
    pub cert_pem: String,
    /// Certificate, DER.
    pub cert_der: Vec<u8>,
    /// Private key, PKCS#8 PEM.
    pub key_pem: String,
}

/// What kind of certificate to issue.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// Common name.
    pub cn: String,
    /// Organisation.
    pub org: Option<String>,
    /// subjectAltName URIs.
    pub uris: Vec<String>,
    /// subjectAltName DNS names.
    pub dns: Vec<String>,
    /// subjectAltName IP addresses.
    pub ips: Vec<std::net::IpAddr>,
    /// Key usages.
    pub key_usages: Vec<KeyUsagePurpose>,
    /// Extended key usages.
    pub ekus: Vec<ExtendedKeyUsagePurpose>,
    /// Validity: (year, month, day) from and until.
    pub valid: ((i32, u8, u8), (i32, u8, u8)),
    /// Use this PKCS#8 PEM key (e.g. an RSA key) instead of a fresh P-256 key.
    pub key_pem: Option<String>,
    /// Serial number.
    pub serial: u64,
}

impl LeafSpec {
    /// A client certificate (a DMS, an operator, a monitor): clientAuth, the identity in a
    /// SAN URI, valid 2026–2036.
    pub fn client(cn: &str, org: &str, uri: &str, serial: u64) -> LeafSpec {
        LeafSpec {
            cn: cn.into(),
            org: Some(org.into()),
            uris: vec![uri.into()],
            dns: vec![],
            ips: vec![],
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            ekus: vec![ExtendedKeyUsagePurpose::ClientAuth],
            valid: ((2026, 1, 1), (2036, 1, 1)),
            key_pem: None,
            serial,
        }
    }

    /// An agency's DMS client certificate: clientAuth, the agency URI.
    pub fn dms(code: &str, org: &str, serial: u64) -> LeafSpec {
        LeafSpec::client(
            &format!("DMS {org}"),
            org,
            &format!("urn:lienthong:agency:{code}"),
            serial,
        )
    }

    /// A person's signing certificate (a competent person of `org`): digitalSignature +
    /// nonRepudiation, no agency URI (a person speaks for no agency by certificate).
    pub fn person(name: &str, org: &str, serial: u64) -> LeafSpec {
        LeafSpec {
            cn: name.to_owned(),
            org: Some(org.to_owned()),
            uris: vec![],
            dns: vec![],
            ips: vec![],
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            ekus: vec![],
            valid: ((2026, 1, 1), (2036, 1, 1)),
            key_pem: None,
            serial,
        }
    }

    /// A document signer for an agency: digitalSignature + nonRepudiation, the agency URI.
    pub fn signer(code: &str, org: &str, serial: u64) -> LeafSpec {
        LeafSpec {
            cn: format!("{org} - ký số văn bản"),
            org: Some(org.to_owned()),
            uris: vec![format!("urn:lienthong:agency:{code}")],
            dns: vec![],
            ips: vec![],
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            ekus: vec![],
            valid: ((2026, 1, 1), (2036, 1, 1)),
            key_pem: None,
            serial,
        }
    }
}

/// The whole development PKI.
pub struct DevPki {
    /// The root CA certificate.
    pub ca: Issued,
    issuer: Issuer<'static, KeyPair>,
    /// Gateway certificates by gateway id (serverAuth + clientAuth, receipt signing).
    pub gateways: BTreeMap<String, Issued>,
    /// DMS client certificates by agency code.
    pub dms: BTreeMap<String, Issued>,
    /// The operator's client certificate.
    pub operator: Issued,
    /// The monitoring system's client certificate (`urn:lienthong:monitor:prometheus`):
    /// reads metrics, the console and reports, acts on nothing.
    pub monitor: Issued,
    /// Document signers: `CODE` (ECDSA P-256) and `CODE-rsa` (RSA-2048) entries.
    pub signers: BTreeMap<String, Issued>,
    /// A signer whose certificate expired on 2025-03-01.
    pub expired_signer: Issued,
    /// A signer whose certificate is revoked in [`DevPki::crl_pem`].
    pub revoked_signer: Issued,
    /// The CA's CRL, revoking [`DevPki::revoked_signer`].
    pub crl_pem: String,
    /// The CA's CRL, DER.
    pub crl_der: Vec<u8>,
}

impl std::fmt::Debug for DevPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevPki")
            .field("gateways", &self.gateways.keys())
            .field("dms", &self.dms.keys())
            .field("signers", &self.signers.keys())
            .finish_non_exhaustive()
    }
}

/// Errors from rcgen.
pub type PkiError = rcgen::Error;

const REVOKED_SERIAL: u64 = 9002;

impl DevPki {
    /// Generate the PKI of the demo federation.
    pub fn generate() -> Result<DevPki, PkiError> {
        DevPki::generate_named("lienthong DEV Root CA")
    }

    /// Generate it under a root CA with another name (for "untrusted root" tests).
    pub fn generate_named(ca_name: &str) -> Result<DevPki, PkiError> {
        let ca_key = KeyPair::generate()?;
        let ca = ca_params(ca_name);
        let ca_cert = ca.self_signed(&ca_key)?;
        let ca_issued = Issued {
            cert_pem: ca_cert.pem(),
            cert_der: ca_cert.der().to_vec(),
            key_pem: ca_key.serialize_pem(),
        };
        let issuer = Issuer::new(ca, ca_key);
        let mut pki = DevPki {
            ca: ca_issued,
            issuer,
            gateways: BTreeMap::new(),
            dms: BTreeMap::new(),
            operator: Issued {
                cert_pem: String::new(),
                cert_der: vec![],
                key_pem: String::new(),
            },
            monitor: Issued {
                cert_pem: String::new(),
                cert_der: vec![],
                key_pem: String::new(),
            },
            signers: BTreeMap::new(),
            expired_signer: Issued {
                cert_pem: String::new(),
                cert_der: vec![],
                key_pem: String::new(),
            },
            revoked_signer: Issued {
                cert_pem: String::new(),
                cert_der: vec![],
                key_pem: String::new(),
            },
            crl_pem: String::new(),
            crl_der: vec![],
        };
        let mut serial = 100u64;
        for g in GATEWAYS {
            serial += 1;
            let spec = LeafSpec {
                cn: g.id.to_owned(),
                org: Some(format!("lienthong gateway ({})", g.level)),
                uris: vec![format!("urn:lienthong:gateway:{}", g.id)],
                dns: vec!["localhost".into()],
                ips: vec![std::net::IpAddr::from([127, 0, 0, 1])],
                key_usages: vec![KeyUsagePurpose::DigitalSignature],
                ekus: vec![
                    ExtendedKeyUsagePurpose::ServerAuth,
                    ExtendedKeyUsagePurpose::ClientAuth,
                ],
                valid: ((2026, 1, 1), (2036, 1, 1)),
                key_pem: None,
                serial,
            };
            pki.gateways.insert(g.id.to_owned(), pki.issue(&spec)?);
        }
        for a in AGENCIES {
            serial += 1;
            pki.dms.insert(
                a.code.to_owned(),
                pki.issue(&LeafSpec::dms(a.code, a.name, serial))?,
            );
            serial += 1;
            pki.signers.insert(
                a.code.to_owned(),
                pki.issue(&LeafSpec::signer(a.code, a.name, serial))?,
            );
        }
        // RSA-2048 signers for the commune and the Quảng Ngãi finance department.
        for code in ["000.05.21.H50", "000.00.11.H48"] {
            serial += 1;
            let name = crate::federation::agency(code).map_or(code, |a| a.name);
            let mut spec = LeafSpec::signer(code, name, serial);
            spec.key_pem = Some(rsa_key_pem(2048)?);
            pki.signers.insert(format!("{code}-rsa"), pki.issue(&spec)?);
        }
        serial += 1;
        pki.operator = pki.issue(&LeafSpec::client(
            "operator ops",
            "Trung tâm CNTT (vận hành)",
            "urn:lienthong:operator:ops",
            serial,
        ))?;
        serial += 1;
        pki.monitor = pki.issue(&LeafSpec::client(
            "monitor prometheus",
            "Trung tâm CNTT (giám sát)",
            "urn:lienthong:monitor:prometheus",
            serial,
        ))?;
        let mut expired = LeafSpec::signer("000.00.11.H50", "Sở Tài chính tỉnh Quảng Trị", 9001);
        expired.valid = ((2024, 3, 1), (2025, 3, 1));
        pki.expired_signer = pki.issue(&expired)?;
        pki.revoked_signer = pki.issue(&LeafSpec::signer(
            "000.00.09.H48",
            "Sở Nội vụ tỉnh Quảng Ngãi",
            REVOKED_SERIAL,
        ))?;
        let (crl_pem, crl_der) = pki.crl(&[REVOKED_SERIAL], 1)?;
        pki.crl_pem = crl_pem;
        pki.crl_der = crl_der;
        Ok(pki)
    }

    /// A CRL of this CA (valid 2026-01-01 to 2036-01-01, number `number`) revoking the
    /// certificates with these serial numbers (key compromise, 2026-06-01): PEM and DER.
    pub fn crl(&self, serials: &[u64], number: u64) -> Result<(String, Vec<u8>), PkiError> {
        self.crl_until(serials, number, (2036, 1, 1))
    }

    /// [`DevPki::crl`] with another `nextUpdate` (a stale CRL, say).
    pub fn crl_until(
        &self,
        serials: &[u64],
        number: u64,
        (y, m, d): (i32, u8, u8),
    ) -> Result<(String, Vec<u8>), PkiError> {
        let crl = CertificateRevocationListParams {
            this_update: date_time_ymd(2026, 1, 1),
            next_update: date_time_ymd(y, m, d),
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|&s| RevokedCertParams {
                    serial_number: SerialNumber::from(s),
                    revocation_time: date_time_ymd(2026, 6, 1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&self.issuer)?;
        Ok((crl.pem()?, crl.der().to_vec()))
    }

    /// Issue a certificate from this CA.
    pub fn issue(&self, spec: &LeafSpec) -> Result<Issued, PkiError> {
        issue_leaf(spec, &self.issuer)
    }

    /// Write the PKI as PEM files under `dir`; returns the paths written.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        let mut put = |rel: String, contents: &str| -> std::io::Result<()> {
            let p = dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, contents)?;
            written.push(p);
            Ok(())
        };
        put("ca.pem".into(), &self.ca.cert_pem)?;
        put("ca.key".into(), &self.ca.key_pem)?;
        put("ca.crl.pem".into(), &self.crl_pem)?;
        for (id, i) in &self.gateways {
            put(format!("gateways/{id}.pem"), &i.cert_pem)?;
            put(format!("gateways/{id}.key"), &i.key_pem)?;
        }
        for (code, i) in &self.dms {
            put(format!("dms/{code}.pem"), &i.cert_pem)?;
            put(format!("dms/{code}.key"), &i.key_pem)?;
        }
        put("operator/ops.pem".into(), &self.operator.cert_pem)?;
        put("operator/ops.key".into(), &self.operator.key_pem)?;
        put("monitor/prometheus.pem".into(), &self.monitor.cert_pem)?;
        put("monitor/prometheus.key".into(), &self.monitor.key_pem)?;
        for (name, i) in &self.signers {
            put(format!("signers/{name}.pem"), &i.cert_pem)?;
            put(format!("signers/{name}.key"), &i.key_pem)?;
        }
        put("signers/expired.pem".into(), &self.expired_signer.cert_pem)?;
        put("signers/expired.key".into(), &self.expired_signer.key_pem)?;
        put("signers/revoked.pem".into(), &self.revoked_signer.cert_pem)?;
        put("signers/revoked.key".into(), &self.revoked_signer.key_pem)?;
        Ok(written)
    }
}

/// The parameters of the development root CA named `ca_name`.
fn ca_params(ca_name: &str) -> CertificateParams {
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "lienthong DEVELOPMENT ONLY");
    dn.push(DnType::CommonName, ca_name);
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = date_time_ymd(2024, 1, 1);
    ca.not_after = date_time_ymd(2046, 1, 1);
    ca.serial_number = Some(SerialNumber::from(1u64));
    ca.key_identifier_method = KeyIdMethod::Sha256;
    ca
}

/// Issue a certificate from the development root CA `lienthong DEV Root CA` whose key is
/// `ca_key_pem` (`certs-dev/ca.key`): for tests that need a certificate the committed PKI
/// lacks, e.g. a signer that does not name its agency.
pub fn issue_from_dev_ca(ca_key_pem: &str, spec: &LeafSpec) -> Result<Issued, PkiError> {
    let key = KeyPair::from_pem(ca_key_pem)?;
    issue_leaf(spec, &Issuer::new(ca_params("lienthong DEV Root CA"), key))
}

fn issue_leaf<S: rcgen::SigningKey>(
    spec: &LeafSpec,
    issuer: &Issuer<'_, S>,
) -> Result<Issued, PkiError> {
    let key = match &spec.key_pem {
        Some(pem) => KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256)?,
        None => KeyPair::generate()?,
    };
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    if let Some(o) = &spec.org {
        dn.push(DnType::OrganizationName, o.as_str());
    }
    dn.push(DnType::CommonName, spec.cn.as_str());
    p.distinguished_name = dn;
    for u in &spec.uris {
        p.subject_alt_names
            .push(SanType::URI(u.as_str().try_into()?));
    }
    for d in &spec.dns {
        p.subject_alt_names
            .push(SanType::DnsName(d.as_str().try_into()?));
    }
    for ip in &spec.ips {
        p.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    p.key_usages = spec.key_usages.clone();
    p.extended_key_usages = spec.ekus.clone();
    let ((fy, fm, fd), (uy, um, ud)) = spec.valid;
    p.not_before = date_time_ymd(fy, fm, fd);
    p.not_after = date_time_ymd(uy, um, ud);
    p.serial_number = Some(SerialNumber::from(spec.serial));
    p.use_authority_key_identifier_extension = true;
    let cert = p.signed_by(&key, issuer)?;
    Ok(Issued {
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
    })
}
