//! Starting a gateway: load and check everything, open the store, bind, then serve
//! connections and run the forwarders.

use crate::trust_files::{
    PdfTrustFiles, load_doc_trust, load_gateway_trust, pdf_with_pins, with_pins,
};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use lienthong_dsig::TrustStore;
use lienthong_store::{RetryPolicy, Store, StoreConfig, Timestamp};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::Validated;
use crate::conns::{Activity, Caps, ConnCaps, Lifetimes};
use crate::identity::{FingerprintMap, Peer, identify};
use crate::metrics::Metrics;
use crate::revocation::Revoked;
use crate::state::{AppState, Signing, Snapshot};
use crate::tls::{TlsFiles, TlsState};

/// Memory for payloads just accepted, kept for their forwarders ([`crate::hot`]): 32 MiB,
/// about 500 documents of 64 KiB.
const HOT_PAYLOAD_BYTES: usize = 32 * 1024 * 1024;
/// The HTTP/2 header list size (names, values and 32 bytes per field, RFC 9113 §6.5.2)
/// accepted before `head_limits` looks: room for the largest target and fields allowed.
const H2_MAX_HEADER_LIST: u32 = (crate::config::MAX_URI_BYTES
    + crate::config::MAX_HEADER_BYTES
    + 36 * crate::config::MAX_HEADERS
    + 4096) as u32;

/// Why a gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// TLS files.
    #[error("TLS: {0}")]
    Tls(String),
    /// Signing key or trust files.
    #[error("keys: {0}")]
    Keys(String),
    /// The store.
    #[error("store: {0}")]
    Store(String),
    /// A part of the configuration that cannot be used (a VXP secret file, say).
    #[error("configuration: {0}")]
    Config(String),
    /// Binding the listener.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
}

/// A running gateway.
pub struct RunningGateway {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// Shared state (for tests and the demo).
    pub state: Arc<AppState>,
    tls: Arc<TlsState>,
    signing_files: (std::path::PathBuf, std::path::PathBuf),
    /// The federation CA files (`tls.client_ca`), re-read on reload for receipts.
    gateway_trust_files: Vec<std::path::PathBuf>,
    /// Document roots and CRLs, re-read on reload.
    doc_trust_files: (Vec<std::path::PathBuf>, Vec<std::path::PathBuf>),
    pdf_trust_files: PdfTrustFiles,
    /// Held by a reload (directory or TLS), so that two never interleave.
    reloading: std::sync::Mutex<()>,
    stop: Arc<Notify>,
    /// The accept loop, which owns every connection.
    accept: Option<tokio::task::JoinHandle<()>>,
    stop_forwarders: Vec<Arc<Notify>>,
    tasks: JoinSet<()>,
    /// The VXP listener, with `[vxp]`.
    pub vxp: Option<crate::vxp::VxpRunning>,
}

impl std::fmt::Debug for RunningGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningGateway")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// The next hops of a configuration: parent, children, shortcut targets, with their URLs
/// (the config's own URLs win over the directory's).
fn next_hops(v: &Validated) -> HashMap<String, String> {
    let mut peer_urls: HashMap<String, String> = HashMap::new();
    if let Some(p) = v.directory.parent(&v.id)
        && let Some(g) = v.directory.gateway(p)
    {
        peer_urls.insert(p.to_string(), g.url.clone());
    }
    for ch in v.directory.children(&v.id) {
        if let Some(g) = v.directory.gateway(ch) {
            peer_urls.insert(ch.to_string(), g.url.clone());
        }
    }
    for sc in v.directory.shortcuts_from(&v.id) {
        if let Some(g) = v.directory.gateway(sc) {
            peer_urls.insert(sc.to_string(), g.url.clone());
        }
    }
    if let Some(p) = &v.config.parent {
        peer_urls.insert(p.id.clone(), p.url.clone());
    }
    for ch in &v.config.child {
        peer_urls.insert(ch.id.clone(), ch.url.clone());
    }
    peer_urls
}

/// Why a TLS handshake failed, as [`crate::metrics::HANDSHAKE_FAILURES`] names it.
fn handshake_failure(e: &std::io::Error) -> &'static str {
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(
            rustls::Error::InvalidCertificate(_)
            | rustls::Error::NoCertificatesPresented
            | rustls::Error::InvalidCertRevocationList(_),
        ) => "certificate",
        Some(_) => "protocol",
        None if e.kind() == std::io::ErrorKind::InvalidData => "protocol",
        None => "connection",
    }
}

/// Remembers when an address was last logged, so that a client retrying with a refused
/// certificate every second gives one line a minute, not sixty.
#[derive(Debug, Default)]
struct RateLimitedLog {
    last: std::sync::Mutex<HashMap<std::net::IpAddr, std::time::Instant>>,
}

impl RateLimitedLog {
    const EVERY: Duration = Duration::from_secs(60);
    /// Addresses remembered at most; the memory is cleared when full.
    const MAX: usize = 10_000;

    fn first_in_a_while(&self, ip: std::net::IpAddr) -> bool {
        let mut m = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        if m.get(&ip)
            .is_some_and(|t| now.duration_since(*t) < Self::EVERY)
        {
            return false;
        }
        if m.len() >= Self::MAX {
            m.clear();
        }
        m.insert(ip, now);
        true
    }
}

impl RunningGateway {
    /// Take the routing directory of a re-read configuration `v` (agencies added, renamed,
    /// given aliases or validity dates, moved between gateways below us) without a restart.
    /// Refused, keeping the directory in force, when the configuration is for another
    /// gateway, switches between a directory file and the local view, or changes this
    /// gateway's next hops or their URLs (a new peer needs its own forwarder: restart).
    /// Returns what was loaded, in words.
    pub fn reload_directory(&self, v: &Validated) -> Result<String, String> {
        // One reload at a time: both replace the document trust (pins, roots and CRLs).
        let _one = self
            .reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let st = &self.state;
        if v.id != st.id {
            return Err(format!(
                "the configuration is now for gateway {}, not {}: restart to apply it",
                v.id, st.id
            ));
        }
        if v.config.directory.is_some() != st.snapshot().full_directory {
            return Err(
                "the configuration switches between a directory file and the local view: restart to apply it"
                    .into(),
            );
        }
        let hops = next_hops(v);
        if hops != st.peer_urls {
            let mut changes = Vec::new();
            for (h, url) in &hops {
                match st.peer_urls.get(h) {
                    None => changes.push(format!("{h} added")),
                    Some(old) if old != url => changes.push(format!("{h} moved to {url}")),
                    Some(_) => {}
                }
            }
            for h in st.peer_urls.keys() {
                if !hops.contains_key(h) {
                    changes.push(format!("{h} removed"));
                }
            }
            changes.sort();
            return Err(format!(
                "the next hops changed ({}): restart to apply the new directory",
                changes.join(", ")
            ));
        }
        let before = st.directory().agencies().len();
        let after = v.directory.agencies().len();
        let pins_before = st.snapshot().doc_trust.pin_count();
        // The pinned signers come with the directory: the trust store follows it, in the
        // same snapshot (a request sees both or neither).
        let trust = with_pins((*st.snapshot().doc_trust).clone(), &v.directory);
        let pdf_trust = pdf_with_pins((*st.snapshot().pdf_trust).clone(), &v.directory);
        let pins = trust.pin_count();
        st.update_snapshot(|snap| {
            snap.directory = Arc::new(v.directory.clone());
            snap.doc_trust = Arc::new(trust);
            snap.pdf_trust = Arc::new(pdf_trust);
        });
        Ok(format!(
            "{after} agencies (before: {before}), {pins} pinned signing certificates (before: {pins_before})"
        ))
    }

    /// Re-read TLS certificates and keys; on error the old ones stay.
    /// Re-read the receipt-signing certificate and key, and the document roots and CRLs,
    /// too. Each part is replaced only if its new files are good; the first error is
    /// returned.
    pub fn reload_tls(&self) -> Result<(), String> {
        let _one = self
            .reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let st = &self.state;
        let tls = self.tls.reload();
        let now = st.clock.now();
        warn_if_client_crls_stale(&self.tls, now);
        let trust = load_doc_trust(&self.doc_trust_files.0, &self.doc_trust_files.1)
            .map(|t| with_pins(t, &st.directory()));
        let pdf_trust = self.pdf_trust_files.load(&st.directory());
        // The federation CA(s) first: a new signing certificate is checked against them.
        let gateway = load_gateway_trust(&self.gateway_trust_files);
        let checked_with = match &gateway {
            Ok(g) => Arc::new(g.clone()),
            Err(_) => Arc::clone(&st.snapshot().gateway_trust),
        };
        let signing = crate::state::load_signing(
            &self.signing_files.0,
            &self.signing_files.1,
            &st.id,
            &checked_with,
            now,
        )
        .map(Arc::new);
        // Each part that read cleanly replaces its old value, all in one snapshot.
        st.update_snapshot(|snap| {
            if let Ok(t) = &trust {
                snap.doc_trust = Arc::new(t.clone());
            }
            if let Ok(t) = &pdf_trust {
                snap.pdf_trust = Arc::new(t.clone());
            }
            if gateway.is_ok() {
                snap.gateway_trust = Arc::clone(&checked_with);
            }
            if let Ok(s) = &signing {
                snap.signing = Arc::clone(s);
            }
        });
        tls.and(gateway.map(drop))
            .and(signing.map(drop))
            .and(trust.map(drop))
            .and(pdf_trust.map(drop))
    }

    /// Stop accepting, stop forwarders, and wait for the tasks to end.
    pub async fn shutdown(mut self) {
        // notify_one leaves a permit if the accept loop is busy between two accepts.
        self.stop.notify_one();
        for s in &self.stop_forwarders {
            s.notify_waiters();
            s.notify_one();
        }
        // The accept loop closes every connection, so that nothing (a peer's idle keep-alive
        // connection, say) keeps the gateway's state, and its store, open after we return.
        if let Some(mut accept) = self.accept.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut accept)
                .await
                .is_err()
        {
            accept.abort();
            let _ = accept.await;
        }
        if let Some(v) = self.vxp.take() {
            v.task.abort();
            let _ = v.task.await;
        }
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        // Blocking work already started (a store write, say) cannot be aborted: let it end
        // (within 10 s), so that the store is closed, and its lock released, on return.
        let until = tokio::time::Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&self.state) > 1 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Everything a gateway reads from key and certificate files.
pub struct Keys {
    /// Server and forwarding TLS.
    pub tls: TlsState,
    /// The receipt-signing key, checked to sign receipts that peers accept.
    pub signing: Signing,
    /// Roots and CRLs for agencies' document signatures.
    pub doc_trust: TrustStore,
    /// Trust for the signatures inside PDF attachments.
    pub pdf_trust: lienthong_pdfsig::PdfTrust,
    /// Roots for peers' receipts (the federation CA of `tls.client_ca`).
    pub gateway_trust: TrustStore,
}

/// A client CRL past its nextUpdate is still used (unless `[tls] crl_expired = "refuse"`);
/// say so, once per start or reload, besides the metric.
fn warn_if_client_crls_stale(tls: &TlsState, now: Timestamp) {
    if let Some(until) = tls.revoked().fresh_until
        && until.saturating_mul(1000) < now.as_millis()
    {
        tracing::warn!(
            next_update = %lienthong_dsig::time::format_rfc3339(until),
            "a client CRL is past its nextUpdate: fetch a fresh one from the CA and reload (SIGHUP)"
        );
    }
}

/// Read and check every key, certificate and CRL the configuration names, as a start does
/// (and `serve --check`, so that a bad file is found before the service is restarted).
/// `now` is when the receipt-signing certificate must be valid.
pub fn load_keys(v: &Validated, now: Timestamp) -> Result<Keys, StartError> {
    let c = &v.config;
    let tls = TlsState::load(TlsFiles {
        cert: c.tls.cert.clone(),
        key: c.tls.key.clone(),
        client_ca: c.tls.client_ca.clone(),
        client_crls: c.tls.client_crls.clone(),
        refuse_on_expired_crl: c.tls.crl_expired == crate::config::CrlExpired::Refuse,
    })
    .map_err(StartError::Tls)?;
    let gateway_trust = load_gateway_trust(&c.tls.client_ca).map_err(StartError::Keys)?;
    let signing =
        crate::state::load_signing(&c.signing.cert, &c.signing.key, &v.id, &gateway_trust, now)
            .map_err(StartError::Keys)?;
    let doc_trust = with_pins(
        load_doc_trust(&c.trust.document_roots, &c.trust.crls).map_err(StartError::Keys)?,
        &v.directory,
    );
    let pdf_trust = PdfTrustFiles::of(&c.trust)
        .load(&v.directory)
        .map_err(StartError::Keys)?;
    Ok(Keys {
        tls,
        signing,
        doc_trust,
        pdf_trust,
        gateway_trust,
    })
}

/// The store settings a configuration gives (retry policy, retention).
pub fn store_config(v: &Validated) -> StoreConfig {
    let c = &v.config;
    StoreConfig {
        retry: RetryPolicy {
            base_ms: c.retry.base_ms,
            factor: c.retry.factor,
            cap_ms: c.retry.cap_ms,
            jitter_percent: c.retry.jitter_percent,
            max_attempts: c.retry.max_attempts,
            max_age_ms: c.retry.max_age_ms,
        },
        retention_ms: c.retention.payload_days.saturating_mul(86_400_000),
        compliance: v.rules.clone(),
        ..StoreConfig::default()
    }
}

/// Start a gateway from a validated configuration, binding `listen.addr`.
pub async fn start(v: Validated) -> Result<RunningGateway, StartError> {
    start_inner(v, None, Arc::new(lienthong_types::SystemClock)).await
}

/// Start a gateway on a listener bound beforehand (so that every gateway of a test
/// federation knows its peers' ports before any starts).
pub async fn start_on(
    v: Validated,
    listener: std::net::TcpListener,
) -> Result<RunningGateway, StartError> {
    start_inner(v, Some(listener), Arc::new(lienthong_types::SystemClock)).await
}

/// Start a gateway whose decisions take the time from `clock` instead of the system's
/// (tests that simulate days and weeks), on a listener bound beforehand if given. TLS still
/// checks certificates against the system time.
pub async fn start_with_clock(
    v: Validated,
    listener: Option<std::net::TcpListener>,
    clock: Arc<dyn lienthong_types::Clock>,
) -> Result<RunningGateway, StartError> {
    start_inner(v, listener, clock).await
}

async fn start_inner(
    v: Validated,
    pre_bound: Option<std::net::TcpListener>,
    clock: Arc<dyn lienthong_types::Clock>,
) -> Result<RunningGateway, StartError> {
    let c = &v.config;
    let now = clock.now();
    let Keys {
        tls,
        signing,
        doc_trust,
        pdf_trust,
        gateway_trust,
    } = load_keys(&v, now)?;
    let tls = Arc::new(tls);
    warn_if_client_crls_stale(&tls, now);
    let store_config = store_config(&v);
    let dir = c.gateway.data_dir.clone();
    let section = c.store.clone();
    let store: Arc<dyn Store> = tokio::task::spawn_blocking(move || {
        crate::storage::open_store(dir.as_deref(), &section, store_config, now)
    })
    .await
    .map_err(|e| StartError::Store(e.to_string()))?
    .map(|s| Arc::new(s) as Arc<dyn Store>)
    .map_err(StartError::Store)?;

    let peer_urls = next_hops(&v);
    // The uplink (if any) is a next hop too: its queue, link state and metrics.
    let uplink_hop = c.uplink.vxp.as_ref().map(|u| u.id.clone());
    let notify: HashMap<String, Arc<Notify>> = peer_urls
        .keys()
        .chain(uplink_hop.iter())
        .map(|k| (k.clone(), Arc::new(Notify::new())))
        .collect();
    let tls_for_metrics = tls.clone();
    let state = Arc::new(AppState {
        id: v.id.clone(),
        store,
        snapshot: std::sync::RwLock::new(Arc::new(Snapshot {
            id: v.id.clone(),
            directory: Arc::new(v.directory.clone()),
            full_directory: c.directory.is_some(),
            doc_trust: Arc::new(doc_trust),
            gateway_trust: Arc::new(gateway_trust),
            signing: Arc::new(signing),
            policy: c.trust.policy,
            pdf_trust: Arc::new(pdf_trust),
            pdf_policy: c.trust.pdf_signatures,
            accept_recorded_relays: c.trust.accept_recorded_relays,
            relay_window_ms: c.retry.max_age_ms,
            max_body_bytes: c.limits.max_body_bytes,
            uplink: c
                .uplink
                .vxp
                .as_ref()
                .and_then(|u| lienthong_routing::GatewayId::parse(&u.id).ok()),
        })),
        clock,
        limits: c.limits.clone(),
        notify: notify.clone(),
        peer_urls: peer_urls.clone(),
        tls: tls.clone(),
        metrics: Metrics::new(Arc::new(move || tls_for_metrics.expiry_by_label())),
        busy: Arc::new(Semaphore::new(c.limits.max_concurrent_requests)),
        body_budget: Arc::new(crate::budget::BodyBudget::new(
            c.limits.max_buffered_body_bytes,
            c.limits.max_buffered_body_bytes_per_identity,
        )),
        inbox_waiters: Arc::new(crate::waiters::InboxWaiters::new(
            c.limits.max_inbox_waiters,
        )),
        links: Arc::new(crate::links::Links::new(
            peer_urls.keys().chain(uplink_hop.iter()),
        )),
        rate: crate::http::peer_rate_limiter(&c.limits),
        ready: std::sync::atomic::AtomicBool::new(false),
        compliance: c.compliance.clone(),
        overdue_counted: std::sync::Mutex::new(None),
        hot: crate::hot::HotPayloads::new(HOT_PAYLOAD_BYTES),
        backups: Arc::new(crate::backups::Backups::new(
            c.backup.dir.clone(),
            v.id.as_ref(),
        )),
    });
    match state.backups.newest() {
        Some(r) => state.metrics.backup_done(&r),
        None if c.backup.dir.is_some() => state.metrics.no_backup_yet(),
        None => {}
    }
    crate::storage::follow_other_nodes(&state);
    let hops: Vec<String> = peer_urls.keys().chain(uplink_hop.iter()).cloned().collect();
    let codes: Vec<&'static str> = lienthong_types::Code::api().map(|c| c.as_str()).collect();
    state.metrics.register(state.id.as_str(), &hops, &codes);
    let st = state.clone();
    let recovered =
        tokio::task::spawn_blocking(move || crate::apply::recover_unrouted(&st, st.clock.now()))
            .await
            .map_err(|e| StartError::Store(e.to_string()))?
            .map_err(|e| StartError::Store(e.message))?;
    if recovered > 0 {
        tracing::warn!(
            recovered,
            "messages accepted before a crash were routed again"
        );
    }

    let listener = match pre_bound {
        Some(l) => l
            .set_nonblocking(true)
            .and_then(|()| TcpListener::from_std(l))
            .map_err(|source| StartError::Bind {
                addr: v.addr,
                source,
            })?,
        None => TcpListener::bind(v.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: v.addr,
                source,
            })?,
    };
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: v.addr,
        source,
    })?;
    let stop = Arc::new(Notify::new());
    let mut tasks = JoinSet::new();
    let router = crate::http::router(state.clone());
    let fingerprints = Arc::new(FingerprintMap::from_config(&c.identity));
    let accept = tokio::spawn(accept_loop(
        listener,
        tls.clone(),
        router,
        fingerprints,
        state.clone(),
        stop.clone(),
    ));
    let mut stop_forwarders = Vec::new();
    for (hop, url) in peer_urls {
        let s = Arc::new(Notify::new());
        stop_forwarders.push(s.clone());
        let wake = notify.get(&hop).cloned().unwrap_or_default();
        tasks.spawn(crate::forward::run(crate::forward::Forwarder {
            state: state.clone(),
            hop,
            url,
            tls: tls.clone(),
            wake,
            stop: s,
            concurrency: c.forward.concurrency_per_peer,
            lease_ms: c.forward.lease_ms,
            request_timeout: Duration::from_millis(c.forward.request_timeout_ms),
            min_bytes_per_second: c.forward.min_bytes_per_second,
            resend_check_bytes: c.forward.resend_check_bytes,
            probe_every: (
                Duration::from_millis(c.forward.probe_min_ms),
                Duration::from_millis(c.forward.probe_max_ms),
            ),
        }));
    }
    if let Some(hop) = &uplink_hop {
        let s = Arc::new(Notify::new());
        stop_forwarders.push(s.clone());
        let wake = notify.get(hop).cloned().unwrap_or_default();
        crate::uplink::start(c.uplink.vxp.as_ref(), &state, wake, s, &mut tasks)
            .map_err(StartError::Config)?;
    }
    let st = state.clone();
    tasks.spawn(async move {
        // Give back the space of dead payload-log ranges right after opening (a crash may have
        // left payloads nobody refers to), then hourly after the retention purge.
        loop {
            let s = st.clone();
            match tokio::task::spawn_blocking(move || s.store.sweep_orphan_payloads()).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(reclaimed = n, "payload log: dead ranges reclaimed")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "payload log sweep failed"),
                _ => {}
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
            let s = st.clone();
            match tokio::task::spawn_blocking(move || s.store.purge_expired(s.clock.now(), 10_000))
                .await
            {
                Ok(Ok(n)) if n > 0 => tracing::info!(purged = n, "retention: payloads purged"),
                Ok(Err(e)) => tracing::warn!(error = %e, "retention purge failed"),
                _ => {}
            }
        }
    });
    let vxp = crate::vxp::start(&v, &state, &tls)
        .await
        .map_err(|e| match e {
            crate::vxp::ListenFailure::Systems(why) => StartError::Config(why),
            crate::vxp::ListenFailure::Bind { addr, source } => StartError::Bind { addr, source },
        })?;
    state.ready.store(true, Ordering::Release);
    tracing::info!(gateway = %v.id, %addr, "gateway listening");
    Ok(RunningGateway {
        addr,
        state,
        tls,
        signing_files: (c.signing.cert.clone(), c.signing.key.clone()),
        doc_trust_files: (c.trust.document_roots.clone(), c.trust.crls.clone()),
        pdf_trust_files: PdfTrustFiles::of(&c.trust),
        reloading: std::sync::Mutex::new(()),
        gateway_trust_files: c.tls.client_ca.clone(),
        stop,
        accept: Some(accept),
        stop_forwarders,
        tasks,
        vxp,
    })
}

/// A hyper executor whose tasks (HTTP/2 stream handlers) can all be ended at shutdown.
#[derive(Clone, Default)]
struct TrackedExecutor {
    tasks: Arc<std::sync::Mutex<JoinSet<()>>>,
}

impl<F> hyper::rt::Executor<F> for TrackedExecutor
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    fn execute(&self, fut: F) {
        let mut set = self
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Finished tasks are collected as new ones come, so the set stays small.
        while set.try_join_next().is_some() {}
        set.spawn(fut);
    }
}

impl TrackedExecutor {
    /// Abort every task and wait until they have ended.
    async fn shutdown(&self) {
        let mut set = std::mem::take(
            &mut *self
                .tasks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        set.shutdown().await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Arc<TlsState>,
    router: axum::Router,
    fingerprints: Arc<FingerprintMap>,
    state: Arc<AppState>,
    stop: Arc<Notify>,
) {
    let connections = Arc::new(Semaphore::new(state.limits.max_connections));
    let caps = ConnCaps::new(Caps::from_limits(&state.limits));
    let lives = Lifetimes::from_limits(&state.limits);
    let handshake = Duration::from_millis(state.limits.handshake_timeout_ms);
    let header_timeout = Duration::from_millis(state.limits.header_timeout_ms);
    // Every connection is a task of this set, and every HTTP/2 stream's handler a task of
    // `streams`: stopping the loop ends them all, so that nothing keeps running against the
    // store after a shutdown.
    let mut conns = JoinSet::new();
    let streams = TrackedExecutor::default();
    let warned = Arc::new(RateLimitedLog::default());
    loop {
        let (tcp, remote) = tokio::select! {
            () = stop.notified() => {
                // A request cut off here was not acknowledged: its client tries again, and
                // whatever its handler had already made durable is found as a duplicate.
                conns.shutdown().await;
                streams.shutdown().await;
                return;
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Nagle off: answers must not wait for the client's delayed ACK.
        let _ = tcp.set_nodelay(true);
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            state.metrics.connection_refused("max_connections");
            tracing::warn!(%remote, "connection limit reached; closing");
            continue;
        };
        let Some(handshaking) = caps.handshake(remote.ip()) else {
            state.metrics.connection_refused("handshakes_per_address");
            continue;
        };
        let Some(server_config) = tls.server() else {
            continue;
        };
        let acceptor = TlsAcceptor::from(server_config);
        let router = router.clone();
        let fingerprints = fingerprints.clone();
        let streams = streams.clone();
        let metrics = state.metrics.clone();
        let warned = warned.clone();
        let seen = tls.clients.clone();
        let st = state.clone();
        let caps = caps.clone();
        let tls = tls.clone();
        conns.spawn(async move {
            let _permit = permit;
            let stream = match tokio::time::timeout(handshake, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    let reason = handshake_failure(&e);
                    metrics.handshake_failed(reason);
                    if reason == "certificate" {
                        // "The commune says it cannot connect": its certificate expired, or
                        // is from a CA we do not trust. Worth a line, once a minute per
                        // address; scanners and broken connections are not.
                        if warned.first_in_a_while(remote.ip()) {
                            tracing::warn!(%remote, error = %e, "TLS handshake failed: client certificate refused");
                        }
                    } else {
                        tracing::debug!(%remote, error = %e, reason, "TLS handshake failed");
                    }
                    return;
                }
                Err(_) => {
                    metrics.handshake_failed("timeout");
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            drop(handshaking);
            let presented = stream.get_ref().1.peer_certificates().and_then(|c| c.first());
            let peer = presented.map_or(Peer::Anonymous, |c| identify(c, &fingerprints));
            // Clients without a usable certificate get a small pool of their own, and one
            // identity no more than its share: neither can lock the others out.
            let slot = match &peer {
                Peer::Anonymous | Peer::Unidentified(_) => caps
                    .anonymous(remote.ip())
                    .ok_or("anonymous"),
                known => caps
                    .identity(&crate::http::extract::share_key(&st.snapshot(), known))
                    .ok_or("per_identity"),
            };
            let _slot = match slot {
                Ok(s) => s,
                Err(reason) => {
                    metrics.connection_refused(reason);
                    tracing::debug!(%remote, %peer, reason, "connection cap reached; closing");
                    return;
                }
            };
            if let Some(c) = presented
                && matches!(
                    peer,
                    Peer::Agency(_) | Peer::Gateway(_) | Peer::Operator(_) | Peer::Monitor(_)
                )
            {
                seen.record(&peer.to_string(), c.as_ref(), st.clock.now().as_millis());
            }
            // A next hop whose link we hold down has just reached us: it is probably back.
            // Bring our probe of it forward instead of waiting up to `forward.probe_max_ms`.
            if let Peer::Gateway(g) = &peer
                && st.links.is_down(g.as_str())
                && let Some(n) = st.notify.get(g.as_str())
            {
                n.notify_one();
            }
            let activity = Activity::new();
            // A certificate a CRL loaded after the handshake revokes: refused at the next
            // request, and the connection closed.
            let cert_key = presented.and_then(|c| Revoked::key_of(c.as_ref()));
            let is_revoked = {
                let tls = tls.clone();
                move || cert_key.as_ref().is_some_and(|k| tls.revoked().contains(k))
            };
            let svc = {
                let activity = activity.clone();
                let is_revoked = is_revoked.clone();
                let metrics = metrics.clone();
                hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                    req.extensions_mut().insert(peer.clone());
                    let revoked = is_revoked();
                    let lang = crate::http::lang_of(req.headers());
                    let metrics = metrics.clone();
                    // The request counts as in progress until its answer's body is sent.
                    let in_flight = activity.begin();
                    let answer = router.clone().oneshot(req);
                    async move {
                        if revoked {
                            drop(in_flight);
                            metrics.refused(lienthong_types::Code::AuthRevoked.as_str());
                            return Ok(crate::error::ApiError::new(
                                lienthong_types::Code::AuthRevoked,
                                lienthong_i18n::msg!("api-client-revoked"),
                            )
                            .response(lang));
                        }
                        let r = answer.await?;
                        Ok::<_, std::convert::Infallible>(r.map(|b| {
                            axum::body::Body::new(http_body_util::BodyExt::map_frame(
                                b,
                                move |f| {
                                    let _ = &in_flight;
                                    f
                                },
                            ))
                        }))
                    }
                })
            };
            let mut builder = auto::Builder::new(streams);
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_headers(crate::conns::HYPER_MAX_HEADERS);
            builder
                .http2()
                .timer(TokioTimer::new())
                .max_header_list_size(H2_MAX_HEADER_LIST)
                .keep_alive_interval(Some(lives.keepalive_interval))
                .keep_alive_timeout(lives.keepalive_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            let ended = || {
                if is_revoked() {
                    return Some("revoked");
                }
                lives.ended(&activity)
            };
            if let Some(why) =
                crate::conns::serve_until_ended(conn, remote, &lives, ended, |c| {
                    c.graceful_shutdown();
                })
                .await
            {
                metrics.connection_closed(why);
            }
        });
    }
}

impl RunningGateway {
    /// Re-read the VXP systems and their secrets from a re-read configuration `v` (as
    /// `SIGHUP` does); on error the ones in force stay. Nothing to do without `[vxp]`; a
    /// listener added or removed, or its address changed, needs a restart.
    pub fn reload_vxp(&self, v: &crate::config::Validated) -> Result<String, String> {
        match (&self.vxp, &v.config.vxp) {
            (None, None) => Ok("no VXP listener".into()),
            (Some(running), Some(section)) => running.state.reload(section),
            _ => Err("[vxp] was added or removed: restart to apply it".into()),
        }
    }
}
