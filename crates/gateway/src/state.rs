//! What handlers and forwarders share: [`AppState`], which holds the current
//! [`Snapshot`] (everything a reload replaces) and swaps it whole on reload.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use lienthong_routing::{Directory, GatewayId};
use lienthong_store::{Store, Timestamp};
use tokio::sync::{Notify, Semaphore};

use crate::config::LimitsSection;
pub use crate::core::{Signing, Snapshot};
use crate::error::ApiError;
use crate::metrics::Metrics;

/// The current value of something a reload replaces. Writers only swap the `Arc`, so even a
/// poisoned lock holds a whole value.
pub(crate) fn current<T>(lock: &RwLock<Arc<T>>) -> Arc<T> {
    match lock.read() {
        Ok(g) => Arc::clone(&g),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    }
}

/// Everything handlers share.
pub struct AppState {
    /// This gateway.
    pub id: GatewayId,
    /// The store.
    pub store: Arc<dyn Store>,
    /// What a reload replaces; read it once per request with [`AppState::snapshot`].
    pub snapshot: RwLock<Arc<Snapshot>>,
    /// Limits.
    pub limits: LimitsSection,
    /// Wakes the forwarder of a hop.
    pub notify: HashMap<String, Arc<Notify>>,
    /// Peer URLs by gateway id.
    pub peer_urls: HashMap<String, String>,
    /// TLS (its client side reaches peers for tracking trails).
    pub tls: Arc<crate::tls::TlsState>,
    /// Metrics.
    pub metrics: Metrics,
    /// Concurrency limit.
    pub busy: Arc<Semaphore>,
    /// Inbox long polls, woken by deliveries.
    pub inbox_waiters: Arc<crate::waiters::InboxWaiters>,
    /// Memory for document bodies held at once.
    pub body_budget: Arc<crate::budget::BodyBudget>,
    /// The health of each link to a next hop.
    pub links: Arc<crate::links::Links>,
    /// The per-peer rate limit (`limits.per_peer_rate`, `per_peer_burst`), one bucket per
    /// peer key.
    pub rate: governor::DefaultKeyedRateLimiter<String>,
    /// Set once the store is open and the listener bound.
    pub ready: std::sync::atomic::AtomicBool,
    /// Where the shell reads the time it passes to decisions.
    pub clock: Arc<dyn lienthong_types::Clock>,
    /// Online backups.
    pub backups: Arc<crate::backups::Backups>,
    /// Payloads just accepted, for their forwarders.
    pub hot: crate::hot::HotPayloads,
    /// The compliance report's score rule and the time a subtree report may take.
    pub compliance: crate::config::compliance::ComplianceSection,
    /// The overdue totals the metrics last counted, and when (counting scans every open
    /// obligation, so a scrape reuses a count younger than a minute).
    pub overdue_counted: std::sync::Mutex<Option<(std::time::Instant, u64, u64)>>,
}

impl AppState {
    /// Everything a reload replaces, as one value.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        current(&self.snapshot)
    }

    /// The routing directory in force.
    pub fn directory(&self) -> Arc<Directory> {
        Arc::clone(&self.snapshot().directory)
    }

    /// Replace parts of the snapshot: `change` gets a copy of the one in force.
    pub fn update_snapshot(&self, change: impl FnOnce(&mut Snapshot)) {
        let mut g = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut next = (**g).clone();
        change(&mut next);
        *g = Arc::new(next);
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The state as handlers hold it.
pub type Shared = Arc<AppState>;

/// Run blocking store work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// Read the receipt-signing certificate and key files and check them with
/// [`Signing::from_pem`].
pub fn load_signing(
    cert: &std::path::Path,
    key: &std::path::Path,
    id: &GatewayId,
    trust: &lienthong_dsig::TrustStore,
    now: Timestamp,
) -> Result<Signing, String> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let (cert_name, key_name) = (cert.display().to_string(), key.display().to_string());
    Signing::from_pem(
        (&cert_name, &read(cert)?),
        (&key_name, &read(key)?),
        id,
        trust,
        now,
    )
}
