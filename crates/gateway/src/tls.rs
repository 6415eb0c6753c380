//! TLS for the server (mutual TLS, client certificate optional only so that `/healthz`
//! and `/readyz` answer without one) and for forwarding (client certificate, peers
//! verified against the federation CA). ring is the only crypto provider.
//!
//! Certificates reload without downtime: [`TlsState::reload`] builds new configurations
//! from the files and swaps them in only if every file reads and matches; otherwise the
//! old ones stay and the reason is returned (and logged by the caller). New connections
//! use the new configuration; an open one whose client certificate a new CRL revokes is
//! refused at its next request and closed (see [`crate::revocation`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};

/// The files TLS is built from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain, PEM.
    pub cert: PathBuf,
    /// Private key, PKCS#8 PEM.
    pub key: PathBuf,
    /// CA certificates for client (and peer) certificates.
    pub client_ca: Vec<PathBuf>,
    /// CRLs for client certificates.
    pub client_crls: Vec<PathBuf>,
    /// Refuse client certificates while a client CRL is past its nextUpdate (`[tls]
    /// crl_expired = "refuse"`), rather than only warning.
    pub refuse_on_expired_crl: bool,
}

/// The current TLS configurations.
#[derive(Debug)]
pub struct TlsState {
    files: TlsFiles,
    server: RwLock<Arc<ServerConfig>>,
    client: RwLock<Arc<ClientConfig>>,
    /// The webpki verifier of peers' server certificates (wrapped per peer by
    /// [`TlsState::client_for`]).
    server_verifier: RwLock<Arc<WebPkiServerVerifier>>,
    /// The certificates in use (its own, the CAs it trusts): file, expiry and subject.
    expiry: RwLock<Vec<OwnCert>>,
    /// Bumped by every successful reload, so that long-lived clients rebuild.
    generation: std::sync::atomic::AtomicU64,
    /// The client certificates the client CRLs revoke, for connections opened before.
    revoked: RwLock<Arc<crate::revocation::Revoked>>,
    /// The server certificates next hops presented, by gateway id.
    pub next_hops: Arc<crate::seen::Seen>,
    /// The client certificates presented here, by identity (`agency CODE`, …).
    pub clients: Arc<crate::seen::Seen>,
}

/// Identities whose certificates are kept in [`TlsState::clients`] at most (a province
/// with its districts and communes has a few thousand agencies).
const SEEN_CLIENTS: usize = 20_000;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Certificates from a PEM file.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read(path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", path.display()));
    }
    Ok(certs)
}

/// A private key from a PEM file.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| format!("{}: {e}", path.display()))
}

fn roots(files: &[PathBuf]) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    for f in files {
        for c in load_certs(f)? {
            store.add(c).map_err(|e| format!("{}: {e}", f.display()))?;
        }
    }
    Ok(store)
}

/// A certificate this gateway holds (its own, or a CA it trusts), as operators read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnCert {
    /// The file, as configured but with its `.` and `..` components worked out
    /// ([`clean_path`]): `deploy/federation/../../certs-dev/ca.pem` reads `certs-dev/ca.pem`.
    pub file: String,
    /// Not valid after, seconds since the epoch.
    pub not_after: u64,
    /// Subject distinguished name.
    pub subject: String,
    /// The `certificate` label of its expiry gauge: its role in the configuration, without
    /// folders ([`crate::metrics::certificate_labels`]), set once all are read.
    pub label: String,
}

/// The certificate in `der` as [`OwnCert`] read from `file`, if it parses.
fn own_cert(file: &Path, der: &[u8]) -> Option<OwnCert> {
    let (_, c) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(OwnCert {
        file: clean_path(file).display().to_string(),
        not_after: u64::try_from(c.validity().not_after.timestamp()).ok()?,
        subject: c.subject().to_string(),
        label: String::new(),
    })
}

/// `path` with its `.` components dropped and each `..` taking away the component before
/// it, by the text alone: the file need not exist, and links are not followed. A `..` with
/// nothing before it to take away stays (at the start of a relative path), or goes (after
/// the root).
pub fn clean_path(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// What [`build`] makes from the files.
struct Built {
    server: ServerConfig,
    client: ClientConfig,
    server_verifier: Arc<WebPkiServerVerifier>,
    expiry: Vec<OwnCert>,
    revoked: crate::revocation::Revoked,
}

fn build(files: &TlsFiles) -> Result<Built, String> {
    let certs = load_certs(&files.cert)?;
    let key = load_key(&files.key)?;
    let roots = Arc::new(roots(&files.client_ca)?);
    let mut crls = Vec::new();
    for f in &files.client_crls {
        let pem = read(f)?;
        for c in CertificateRevocationListDer::pem_slice_iter(&pem) {
            crls.push(c.map_err(|e| format!("{}: {e}", f.display()))?);
        }
    }
    let revoked = crate::revocation::Revoked::from_crls(&crls)?;
    let p = provider();
    let mut builder = WebPkiClientVerifier::builder_with_provider(roots.clone(), p.clone())
        .with_crls(crls)
        .allow_unauthenticated();
    if files.refuse_on_expired_crl {
        builder = builder.enforce_revocation_expiration();
    }
    let verifier = builder
        .build()
        .map_err(|e| format!("client verifier: {e}"))?;
    let mut server = ServerConfig::builder_with_provider(p.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs.clone(), key.clone_key())
        .map_err(|e| format!("{} / {}: {e}", files.cert.display(), files.key.display()))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let server_verifier = WebPkiServerVerifier::builder_with_provider(roots.clone(), p.clone())
        .build()
        .map_err(|e| format!("server verifier: {e}"))?;
    let client = ClientConfig::builder_with_provider(p)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_webpki_verifier(server_verifier.clone())
        .with_client_auth_cert(certs.clone(), key)
        .map_err(|e| format!("client certificate: {e}"))?;
    // ALPN for the client is set by hyper-rustls (it refuses a preset list).
    let mut expiry = Vec::new();
    // Each one's role in the configuration and file, for its label.
    let mut roles: Vec<(&str, &Path)> = Vec::new();
    if let Some(c) = certs.first().and_then(|c| own_cert(&files.cert, c)) {
        expiry.push(c);
        roles.push(("tls", files.cert.as_path()));
    }
    for f in &files.client_ca {
        for c in load_certs(f)? {
            if let Some(c) = own_cert(f, &c) {
                expiry.push(c);
                roles.push(("client_ca", f.as_path()));
            }
        }
    }
    for (c, label) in expiry
        .iter_mut()
        .zip(crate::metrics::certificate_labels(&roles))
    {
        c.label = label;
    }
    Ok(Built {
        server,
        client,
        server_verifier,
        expiry,
        revoked,
    })
}

impl TlsState {
    /// Build from files; fails with the reason if anything is wrong.
    pub fn load(files: TlsFiles) -> Result<TlsState, String> {
        let Built {
            server,
            client,
            server_verifier,
            expiry,
            revoked,
        } = build(&files)?;
        Ok(TlsState {
            revoked: RwLock::new(Arc::new(revoked)),
            files,
            server: RwLock::new(Arc::new(server)),
            client: RwLock::new(Arc::new(client)),
            server_verifier: RwLock::new(server_verifier),
            generation: std::sync::atomic::AtomicU64::new(0),
            expiry: RwLock::new(expiry),
            next_hops: Arc::new(crate::seen::Seen::new(1_000)),
            clients: Arc::new(crate::seen::Seen::new(SEEN_CLIENTS)),
        })
    }

    /// Re-read the files. On any error the old configuration stays and the error is returned.
    pub fn reload(&self) -> Result<(), String> {
        let Built {
            server,
            client,
            server_verifier,
            expiry,
            revoked,
        } = build(&self.files)?;
        if let Ok(mut r) = self.revoked.write() {
            *r = Arc::new(revoked);
        }
        if let Ok(mut v) = self.server_verifier.write() {
            *v = server_verifier;
        }
        if let Ok(mut s) = self.server.write() {
            *s = Arc::new(server);
        }
        if let Ok(mut c) = self.client.write() {
            *c = Arc::new(client);
        }
        if let Ok(mut e) = self.expiry.write() {
            *e = expiry;
        }
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// The client certificates the client CRLs in use revoke.
    pub fn revoked(&self) -> Arc<crate::revocation::Revoked> {
        // A writer only swaps the `Arc`, so even a poisoned lock holds a whole value.
        match self.revoked.read() {
            Ok(r) => Arc::clone(&r),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// How many reloads succeeded: a client built at another generation is out of date.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The current server configuration.
    pub fn server(&self) -> Option<Arc<ServerConfig>> {
        self.server.read().ok().map(|s| s.clone())
    }

    /// The current client configuration.
    pub fn client(&self) -> Option<Arc<ClientConfig>> {
        self.client.read().ok().map(|c| c.clone())
    }

    /// The client configuration for reaching gateway `gateway`: as [`TlsState::client`], and
    /// the peer's certificate must also name that gateway (`urn:lienthong:gateway:ID`), so
    /// that a wrong URL in a directory or config cannot hand documents to another gateway
    /// of the same federation: the handshake fails before a byte of the body is sent.
    pub fn client_for(&self, gateway: &str) -> Option<Arc<ClientConfig>> {
        let base = self.client()?;
        let inner = self.server_verifier.read().ok().map(|v| v.clone())?;
        let mut cfg = (*base).clone();
        cfg.dangerous()
            .set_certificate_verifier(Arc::new(ExpectGateway {
                inner,
                gateway: gateway.to_owned(),
            }));
        Some(Arc::new(cfg))
    }

    /// Certificates in use (its own, then the CAs it trusts): file, expiry and subject.
    pub fn own_certificates(&self) -> Vec<OwnCert> {
        self.expiry.read().map(|e| e.clone()).unwrap_or_default()
    }

    /// When each certificate in use expires (seconds since the epoch), by its `certificate`
    /// label (`tls`, `client_ca`, …) rather than its file, for the expiry gauge: labels that
    /// do not change with where files are installed.
    pub fn expiry_by_label(&self) -> Vec<(String, u64)> {
        self.own_certificates()
            .into_iter()
            .map(|c| (c.label, c.not_after))
            .collect()
    }
}

/// A peer gateway's server certificate, verified as webpki verifies it and then checked to
/// name the gateway we meant to reach.
#[derive(Debug)]
struct ExpectGateway {
    inner: Arc<WebPkiServerVerifier>,
    gateway: String,
}

impl rustls::client::danger::ServerCertVerifier for ExpectGateway {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls_pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let named = lienthong_dsig::cert_info(end_entity.as_ref())
            .map(|i| i.gateways)
            .unwrap_or_default();
        if named.contains(&self.gateway) {
            Ok(verified)
        } else {
            Err(rustls::Error::General(format!(
                "the peer's certificate is for {}, not gateway {}",
                if named.is_empty() {
                    "no gateway".to_owned()
                } else {
                    format!("gateway {}", named.join(", "))
                },
                self.gateway
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_by_their_text() {
        let clean = |p: &str| clean_path(Path::new(p)).display().to_string();
        assert_eq!(
            clean("deploy/federation/../../certs-dev/gateways/gw-h50.pem"),
            "certs-dev/gateways/gw-h50.pem"
        );
        assert_eq!(
            clean("/etc/lienthong/./tls/../ca.pem"),
            "/etc/lienthong/ca.pem"
        );
        assert_eq!(clean("../certs/ca.pem"), "../certs/ca.pem");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean("/../ca.pem"), "/ca.pem");
        assert_eq!(clean("a/.."), ".");
    }
}
