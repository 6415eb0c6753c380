//! What opening a PostgreSQL store needs: where the database is, how to reach it, how many
//! connections, and how long to wait.

use std::sync::Arc;
use std::time::Duration;

/// How to reach the database of a PostgreSQL store.
#[derive(Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/database?sslmode=…` (libpq's URL form), or the
    /// `key=value` form.
    pub url: String,
    /// The password, if not in the URL (read from a file by the caller).
    pub password: Option<String>,
    /// TLS to the server (ring-based rustls), if the URL's `sslmode` is `prefer` or `require`.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Connections in the pool for reads and payload writes (each node also holds up to two
    /// for its write batches and one for `LISTEN`).
    pub pool_size: usize,
    /// Longest wait for a connection, a query or a commit before the call fails with
    /// `store.database` (the gateway answers 503).
    pub timeout: Duration,
    /// Longest wait for the gateway-wide write lock (another node's batch) before the call
    /// fails the same way.
    pub lock_wait: Duration,
}

impl PgOptions {
    /// Defaults: 16 connections, 10 s for everything.
    pub fn new(url: impl Into<String>) -> PgOptions {
        PgOptions {
            url: url.into(),
            password: None,
            tls: None,
            pool_size: 16,
            timeout: Duration::from_secs(10),
            lock_wait: Duration::from_secs(10),
        }
    }
}

impl PgOptions {
    /// The URL's settings, or what is wrong with them: an unreadable URL, no database
    /// name, `sslmode=require` without TLS settings.
    pub fn check(&self) -> Result<(), String> {
        let c: tokio_postgres::Config = self
            .url
            .parse()
            .map_err(|e| format!("url: {e} (postgres://USER@HOST:PORT/DATABASE)"))?;
        if c.get_dbname().is_none_or(str::is_empty) {
            return Err("url: name the database (postgres://USER@HOST:PORT/DATABASE)".into());
        }
        if c.get_hosts().is_empty() {
            return Err("url: name the server (postgres://USER@HOST:PORT/DATABASE)".into());
        }
        if c.get_ssl_mode() == tokio_postgres::config::SslMode::Require && self.tls.is_none() {
            return Err("url asks for sslmode=require: give [store.tls] ca".into());
        }
        Ok(())
    }
}

impl std::fmt::Debug for PgOptions {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self
            .url
            .parse::<tokio_postgres::Config>()
            .map(|c| shown(&c))
            .unwrap_or_else(|_| "(unreadable url)".into());
        f.debug_struct("PgOptions")
            .field("database", &shown)
            .field("tls", &self.tls.is_some())
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .field("lock_wait", &self.lock_wait)
            .finish()
    }
}

/// `postgres://user@host:port/database`, without the password, for messages and logs.
pub(super) fn shown(c: &tokio_postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(t) => t.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        c.get_user().unwrap_or(""),
        c.get_dbname().unwrap_or("")
    )
}
