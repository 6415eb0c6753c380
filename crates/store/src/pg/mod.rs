//! The PostgreSQL engine under the store: the same key spaces and payloads as on sled, in two
//! tables of a database that several gateway nodes share.
//!
//! | module | job |
//! |---|---|
//! | this one | the connection pool, its runtime, and running a database call from blocking code |
//! | [`options`] | what the configuration gives: URL, TLS, pool size, timeouts |
//! | [`schema`] | the migrations kept in the repository and applied at open, with the version check |
//! | [`kv`] | reading key spaces; the batch transaction that holds the gateway-wide write lock |
//! | [`page`] | one page of a range read: the query |
//! | [`known`] | what the node knows of the key spaces between its batches, and what an operation read before the lock |
//! | [`payloads`] | payload rows: stored before any metadata refers to them, checked on read |
//! | [`listen`] | `LISTEN`/`NOTIFY`: what another node delivered or queued, told to this one |
//! | [`snapshot`] | a consistent view of the whole database, for the online backup |
//!
//! **Why one lock for the whole gateway.** The store's logic computes every operation's
//! writes against the current state under one write lock (on sled, a process-wide mutex).
//! Across nodes the same guarantee comes from a transaction-scoped advisory lock
//! (`pg_advisory_xact_lock`) that each node's group-commit batch takes before its first
//! operation computes and that its `COMMIT` releases. The commit does not wait for the WAL
//! flush (`synchronous_commit` off for that transaction), so the next batch computes during
//! the flush; the node then waits for durability with a write of its own `lt_flush` row at the
//! server's level, and acknowledges the batch's operations only after it (`kv::commit_batch`).
//! So the nodes' operations are serialised exactly as one process's are, leases are handed out
//! once, inboxes are written once, and counters never lose an update; many operations share
//! one transaction. Payload bytes, the bulk of the data, are written outside the lock,
//! concurrently from every node. What an operation reads under the lock comes from memory
//! whenever it can be known to hold ([`known`]), as every round trip there is one that all
//! the other operations of every node wait for.

pub(crate) mod known;
pub(crate) mod kv;
pub(crate) mod listen;
mod options;
pub(crate) mod page;
pub(crate) mod payloads;
pub(crate) mod schema;
pub(crate) mod snapshot;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::config::SslMode;

use crate::error::{Result, StoreError};

pub use options::PgOptions;

/// The advisory lock of a gateway's store: one per database ("lienthon" in ASCII).
pub(crate) const WRITE_LOCK: i64 = 0x6c69_656e_7468_6f6e;

/// Connections, the runtime that drives them, and the options they were made with.
pub(crate) struct PgEngine {
    rt: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    pool: Pool,
    /// For connections outside the pool: batch writers and the listener.
    config: tokio_postgres::Config,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    timeout: Duration,
    /// Where the database is, without credentials, for messages.
    pub(crate) shown: String,
    /// Connections that held a batch and committed it, kept for the next batch.
    writers: std::sync::Mutex<Vec<kv::Writer>>,
    /// What this node knows of `lt_kv` between its batches.
    known: Arc<std::sync::Mutex<known::Known>>,
    pub(crate) listener: listen::Listener,
}

impl std::fmt::Debug for PgEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgEngine")
            .field("database", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Drop for PgEngine {
    fn drop(&mut self) {
        // The store may be dropped on an async task: never block there.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A database error in words: the server's message and where it came from, or the client's.
pub(crate) fn db_error(what: &str, e: &tokio_postgres::Error) -> StoreError {
    let detail = match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(c) = src {
                s.push_str(": ");
                s.push_str(&c.to_string());
                src = c.source();
            }
            s
        }
    };
    StoreError::Database(format!("{what}: {detail}"))
}

impl PgEngine {
    /// Make the pool (no connection is opened yet).
    pub(crate) fn new(opts: &PgOptions) -> Result<PgEngine> {
        let mut config: tokio_postgres::Config = opts
            .url
            .parse()
            .map_err(|e| StoreError::InvalidInput(format!("store url: {e}")))?;
        if let Some(pw) = &opts.password {
            config.password(pw.as_bytes());
        }
        if config.get_application_name().is_none() {
            config.application_name("lienthong");
        }
        config.connect_timeout(opts.timeout);
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(10));
        // A node cut off mid-batch must not hold the write lock for long: the server ends a
        // session idle inside a transaction (and so releases its lock) after six timeouts
        // (a batch connection is idle while its operations compute on other connections). A
        // node that dies outright closes its sockets, and the server sees that at once.
        let idle = opts.timeout.as_millis().saturating_mul(6).max(10_000);
        config.options(format!(
            "-c idle_in_transaction_session_timeout={idle} -c lock_timeout={}",
            opts.lock_wait.as_millis().max(1000)
        ));
        let shown = options::shown(&config);
        let tls = match (&opts.tls, config.get_ssl_mode()) {
            (Some(tls), _) => Some(tokio_postgres_rustls::MakeRustlsConnect::new(
                (**tls).clone(),
            )),
            (None, SslMode::Require) => {
                return Err(StoreError::InvalidInput(
                    "store url asks for sslmode=require but no TLS settings are given ([store.tls])"
                        .into(),
                ));
            }
            (None, _) => None,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lienthong-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::io("starting the database runtime", "postgres", e))?;
        let handle = rt.handle().clone();
        let mgr_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let mgr = match &tls {
            Some(t) => Manager::from_config(config.clone(), t.clone(), mgr_config),
            None => Manager::from_config(config.clone(), tokio_postgres::NoTls, mgr_config),
        };
        let pool = Pool::builder(mgr)
            .max_size(opts.pool_size.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(opts.timeout))
            .create_timeout(Some(opts.timeout))
            .recycle_timeout(Some(opts.timeout))
            .build()
            .map_err(|e| StoreError::InvalidInput(format!("store pool: {e}")))?;
        Ok(PgEngine {
            rt: Some(rt),
            handle,
            pool,
            config,
            tls,
            timeout: opts.timeout,
            shown,
            writers: std::sync::Mutex::new(Vec::new()),
            known: Arc::default(),
            listener: listen::Listener::default(),
        })
    }

    /// Run `fut` on the engine's runtime and wait for it, within the operation timeout. Works
    /// from any thread, blocking or not (it never enters a runtime itself).
    pub(crate) fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        fut: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let timeout = self.timeout;
        self.handle.spawn(async move {
            let r = match tokio::time::timeout(timeout, fut).await {
                Ok(r) => r,
                Err(_) => Err(StoreError::Database(format!(
                    "{what}: no answer within {} ms",
                    timeout.as_millis()
                ))),
            };
            let _ = tx.send(r);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(StoreError::Database(format!(
                "{what}: the database runtime stopped"
            )))
        })
    }

    /// Whether the database answers now (a `SELECT 1` within two seconds, or the
    /// operation timeout if shorter): for readiness probes.
    pub(crate) fn ping(&self) -> Result<()> {
        let pool = self.pool();
        let within = self.timeout.min(Duration::from_secs(2));
        self.run("reaching the database", async move {
            match tokio::time::timeout(within, async {
                let c = pool.get().await.map_err(kv::pool_error)?;
                c.simple_query("SELECT 1")
                    .await
                    .map_err(|e| db_error("reaching the database", &e))?;
                Ok(())
            })
            .await
            {
                Ok(r) => r,
                Err(_) => Err(StoreError::Database(format!(
                    "no answer within {} ms",
                    within.as_millis()
                ))),
            }
        })
    }

    /// A pooled connection, for reads and payload writes.
    pub(crate) fn pool(&self) -> Pool {
        self.pool.clone()
    }

    /// A connection of its own (not pooled), with its task on the runtime this runs on.
    pub(crate) async fn connect_owned(
        config: tokio_postgres::Config,
        tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    ) -> Result<tokio_postgres::Client> {
        match tls {
            Some(tls) => {
                let (client, conn) = config
                    .connect(tls)
                    .await
                    .map_err(|e| db_error("connecting", &e))?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                Ok(client)
            }
            None => {
                let (client, conn) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(|e| db_error("connecting", &e))?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                Ok(client)
            }
        }
    }

    /// What [`PgEngine::connect_owned`] needs, to move into a future.
    pub(crate) fn connect_args(
        &self,
    ) -> (
        tokio_postgres::Config,
        Option<tokio_postgres_rustls::MakeRustlsConnect>,
    ) {
        (self.config.clone(), self.tls.clone())
    }

    /// The runtime's handle, for the listener's task.
    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

/// Shared so that the store's key spaces can hold it.
pub(crate) type Engine = Arc<PgEngine>;
