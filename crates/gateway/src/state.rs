//! What handlers and forwarders share: [`AppState`], and the [`Snapshot`] of everything a
//! reload replaces (directory, document and gateway trust, the receipt-signing key). A
//! request reads one snapshot once and decides with it, so a reload can never show it two
//! directories or a directory with another directory's pins.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use lienthong_dsig::{Policy, Receipt, SigningKey, TrustStore};
use lienthong_routing::{Directory, GatewayId};
use lienthong_store::{Store, Timestamp};
use rustls_pki_types::CertificateDer;
use tokio::sync::{Notify, Semaphore};

use crate::config::{LimitsSection, SignaturePolicy};
use crate::error::ApiError;
use crate::metrics::Metrics;

/// Everything a reload replaces, read by a request as one value.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// This gateway.
    pub id: GatewayId,
    /// The routing directory.
    pub directory: Arc<Directory>,
    /// The directory is the whole federation's (not a local view): an agency missing from
    /// it does not exist, and is refused at once rather than passed up to the root.
    pub full_directory: bool,
    /// Document-signature trust (roots, CRLs, the directory's pinned signers).
    pub doc_trust: Arc<TrustStore>,
    /// Trust for peers' receipts (the federation CA).
    pub gateway_trust: Arc<TrustStore>,
    /// The receipt-signing key and certificate chain.
    pub signing: Arc<Signing>,
    /// Signature policy.
    pub policy: SignaturePolicy,
    /// How far back a relayed document's signature may be checked (`retry.max_age_ms`).
    pub relay_window_ms: u64,
    /// The largest document accepted (the XML reader's size limit).
    pub max_body_bytes: usize,
}

/// A receipt-signing key with its certificate chain.
#[derive(Debug)]
pub struct Signing {
    /// The key.
    pub key: SigningKey,
    /// The chain, signer first.
    pub chain: Vec<CertificateDer<'static>>,
}

impl Signing {
    /// Read and check: the key must sign for the certificate, and a receipt it signs must be
    /// one that peers accept, checked as they check it (a certificate trusted by `trust`, the
    /// federation CA, valid now, naming this gateway `id`). Otherwise every peer would refuse
    /// our receipts and keep resending what we already stored.
    pub fn load(
        cert: &std::path::Path,
        key: &std::path::Path,
        id: &GatewayId,
        trust: &TrustStore,
        now: Timestamp,
    ) -> Result<Signing, String> {
        let read =
            |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        let key_v =
            SigningKey::from_pem(&read(key)?).map_err(|e| format!("{}: {e}", key.display()))?;
        let chain = lienthong_dsig::certs_from_pem(&read(cert)?)
            .map_err(|e| format!("{}: {e}", cert.display()))?;
        let probe = Receipt {
            message_id: "probe".into(),
            document_sha256: "0".repeat(64),
            receiving_gateway: id.to_string(),
            received_at_ms: 0,
            hop: 0,
        };
        let signed = probe
            .sign(&key_v, &chain)
            .map_err(|e| format!("{} / {}: {e}", cert.display(), key.display()))?;
        let policy = Policy {
            trust,
            at: lienthong_dsig::unix_time(now.as_millis() / 1000),
            expected_agency: None,
        };
        let (_, report) = lienthong_dsig::verify_receipt(&signed, &policy)
            .map_err(|e| format!("{}: {e}", cert.display()))?;
        if !report.valid {
            return Err(format!(
                "{}: peers would refuse the receipts this certificate signs: {}",
                cert.display(),
                report.problems.join("; ")
            ));
        }
        Ok(Signing { key: key_v, chain })
    }
}

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
    /// Token buckets per peer.
    pub buckets: Mutex<HashMap<String, (f64, Instant)>>,
    /// Set once the store is open and the listener bound.
    pub ready: std::sync::atomic::AtomicBool,
    /// Where the shell reads the time it passes to decisions.
    pub clock: Arc<dyn lienthong_types::Clock>,
    /// Online backups.
    pub backups: Arc<crate::backups::Backups>,
    /// Payloads just accepted, for their forwarders.
    pub hot: crate::hot::HotPayloads,
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
