//! `[uplink.vxp]`: this gateway as a VXP client of an upstream axis (the national one), the
//! way a provincial axis bridges to it.
//!
//! - [`send`]: the uplink is a next hop like any other (its own queue, leases, retries,
//!   dead letters, link state and metrics); its forwarder sends each message with
//!   `sendEdoc` instead of `POST /v1/relay`, and keeps the upstream's answer (its `DocId`)
//!   as the hop's receipt.
//! - [`poll`]: every `poll_interval_ms` it asks the upstream for documents and statuses
//!   (`getReceivedEdocList`), takes each (`getEdoc`), stores it durably and dispatches it,
//!   and only then answers `updateStatus done`. Delivery from upstream is at least once:
//!   a document taken again is found by its content and not stored twice.

mod poll;
mod send;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::SignaturePolicy;
use crate::config::vxp::UplinkVxpSection;
use crate::state::Shared;
use crate::vxp::client::{Roots, VxpClient};

/// A configured uplink.
pub(crate) struct Uplink {
    /// Its hop id.
    pub(crate) hop: String,
    /// The upstream, as this gateway's system there.
    pub(crate) client: VxpClient,
    /// Signature policy for what comes down.
    pub(crate) policy: SignaturePolicy,
    /// Between two polls.
    pub(crate) every: std::time::Duration,
}

/// Start the uplink's forwarder and poller, if `[uplink.vxp]` is set. `wake` is its hop's
/// notifier (new work queued for it).
pub(crate) fn start(
    section: Option<&UplinkVxpSection>,
    state: &Shared,
    wake: Arc<Notify>,
    stop: Arc<Notify>,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<(), String> {
    let Some(c) = section else { return Ok(()) };
    let secret = crate::config::vxp::read_secret(&c.secret_file)?;
    let mut roots = Roots::empty();
    for f in &c.ca {
        for cert in crate::tls::load_certs(f)? {
            roots
                .add(cert)
                .map_err(|e| format!("{}: {e}", f.display()))?;
        }
    }
    // The SDK's timestamp: the client's local time (Vietnam), once per client.
    let stamp = lienthong_vxp::time::sdk_stamp(state.clock.now().as_millis());
    let client = VxpClient::new(&c.endpoint, &c.system, &secret, &stamp, roots)?;
    let up = Arc::new(Uplink {
        hop: c.id.clone(),
        client,
        policy: c.policy,
        every: std::time::Duration::from_millis(c.poll_interval_ms),
    });
    tasks.spawn(send::run(state.clone(), up.clone(), wake, stop.clone()));
    tasks.spawn(poll::run(state.clone(), up, stop));
    tracing::info!(hop = %c.id, endpoint = %c.endpoint, system = %c.system, "uplink to an upstream axis started");
    Ok(())
}
