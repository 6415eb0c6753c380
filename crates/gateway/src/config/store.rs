//! `[store]`: where the gateway keeps its messages. `engine = "sled"` (the default) is the
//! embedded store in `gateway.data_dir`; `engine = "postgres"` is a PostgreSQL database that
//! any number of nodes with this gateway's id share (OPERATIONS.md, "Several nodes").

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lienthong_i18n::{Msg, msg};
use serde::Deserialize;

/// Which engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreEngine {
    /// sled and the payload log in `gateway.data_dir`: one process, nothing else to run.
    #[default]
    Sled,
    /// A PostgreSQL database, shared by every node of the gateway.
    Postgres,
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// `sled` (default) or `postgres`.
    #[serde(default)]
    pub engine: StoreEngine,
    /// `postgres`: the database, `postgres://USER@HOST:PORT/DATABASE?sslmode=require`
    /// (libpq's URL form). One database per gateway id. The password goes in
    /// `password_file`, not here.
    pub url: Option<String>,
    /// `postgres`: a file holding the database password (its text, trailing line break
    /// ignored).
    pub password_file: Option<PathBuf>,
    /// `postgres`: connections per node for reads and payloads (2 to 1000; each node also
    /// opens up to three more: two for its write batches and one for `LISTEN`).
    #[serde(default = "pool_size")]
    pub pool_size: usize,
    /// `postgres`: longest wait for a connection, a query or a commit, in ms (1000 to
    /// 600000). A request that waits longer fails with 503 `store.unavailable`.
    #[serde(default = "wait_ms")]
    pub timeout_ms: u64,
    /// `postgres`: longest wait for the gateway-wide write lock that another node's batch
    /// holds, in ms (1000 to 600000).
    #[serde(default = "wait_ms")]
    pub lock_wait_ms: u64,
    /// `postgres`: TLS to the server (with `sslmode=require` in the URL).
    pub tls: Option<StoreTlsSection>,
}

impl Default for StoreSection {
    fn default() -> StoreSection {
        StoreSection {
            engine: StoreEngine::Sled,
            url: None,
            password_file: None,
            pool_size: pool_size(),
            timeout_ms: wait_ms(),
            lock_wait_ms: wait_ms(),
            tls: None,
        }
    }
}

fn pool_size() -> usize {
    16
}

fn wait_ms() -> u64 {
    10_000
}

/// `[store.tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreTlsSection {
    /// CAs the server's certificate chains to (PEM).
    pub ca: Vec<PathBuf>,
    /// A client certificate for the server, if it asks for one (PEM).
    pub cert: Option<PathBuf>,
    /// Its private key (PKCS#8 PEM).
    pub key: Option<PathBuf>,
}

impl StoreSection {
    /// Resolve relative paths against `base`.
    pub(super) fn resolve(&mut self, base: &Path) {
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(p) = &mut self.password_file {
            resolve(p);
        }
        if let Some(t) = &mut self.tls {
            t.ca.iter_mut().for_each(resolve);
            if let Some(p) = &mut t.cert {
                resolve(p);
            }
            if let Some(p) = &mut t.key {
                resolve(p);
            }
        }
    }

    /// What is wrong with the section, given whether `gateway.data_dir` is set.
    pub(super) fn check(&self, data_dir: bool, problems: &mut Vec<Msg>) {
        match self.engine {
            StoreEngine::Sled => {
                if !data_dir {
                    problems.push(msg!("config-store-data-dir"));
                }
                if self.url.is_some() || self.tls.is_some() || self.password_file.is_some() {
                    problems.push(msg!("config-store-sled-extra"));
                }
            }
            StoreEngine::Postgres => {
                if self.url.is_none() {
                    problems.push(msg!("config-store-url-missing"));
                }
                if !(2..=1000).contains(&self.pool_size) {
                    problems.push(msg!(
                        "config-store-range",
                        key = "store.pool_size",
                        value = self.pool_size.to_string(),
                        min = "2",
                        max = "1000"
                    ));
                }
                for (key, v) in [
                    ("store.timeout_ms", self.timeout_ms),
                    ("store.lock_wait_ms", self.lock_wait_ms),
                ] {
                    if !(1000..=600_000).contains(&v) {
                        problems.push(msg!(
                            "config-store-range",
                            key = key,
                            value = v.to_string(),
                            min = "1000",
                            max = "600000"
                        ));
                    }
                }
                if self.url.is_some()
                    && let Err(e) = self.options()
                {
                    problems.push(msg!("config-key-error", key = "store", error = e));
                }
            }
        }
    }

    /// The PostgreSQL options: the URL with the password from its file, the TLS settings
    /// loaded (so that a missing or bad file shows at `serve --check`).
    pub fn options(&self) -> Result<lienthong_store::PgOptions, String> {
        let url = self.url.clone().unwrap_or_default();
        let mut opts = lienthong_store::PgOptions::new(url);
        if let Some(f) = &self.password_file {
            opts.password = Some(read_password(f).map_err(|e| format!("password_file {e}"))?);
        }
        opts.pool_size = self.pool_size;
        opts.timeout = Duration::from_millis(self.timeout_ms);
        opts.lock_wait = Duration::from_millis(self.lock_wait_ms);
        if let Some(t) = &self.tls {
            opts.tls = Some(Arc::new(client_tls(t)?));
        }
        opts.check()?;
        Ok(opts)
    }
}

/// A database password from its file: the text without the trailing line break.
pub fn read_password(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// The rustls (ring) client configuration for the database server.
fn client_tls(t: &StoreTlsSection) -> Result<rustls::ClientConfig, String> {
    use crate::tls::{load_certs, load_key};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for f in &t.ca {
        for c in load_certs(f)? {
            roots
                .add(c)
                .map_err(|e| format!("store.tls.ca {}: {e}", f.display()))?;
        }
    }
    if roots.is_empty() {
        return Err("store.tls.ca: at least one CA certificate".into());
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    match (&t.cert, &t.key) {
        (Some(cert), Some(key)) => builder
            .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
            .map_err(|e| format!("store.tls.cert: {e}")),
        (None, None) => Ok(builder.with_no_client_auth()),
        _ => Err("store.tls: cert and key go together".into()),
    }
}
