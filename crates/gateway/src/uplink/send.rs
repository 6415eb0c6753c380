//! The uplink's forwarder: lease the entries queued for the uplink's hop and send each
//! with `sendEdoc`, as the message's sender; the store's leases, retries, dead letters and
//! link state do the rest, as for a peer gateway.

use std::sync::Arc;
use std::time::Instant;

use lienthong_store::{Lease, MessageKind};
use tokio::sync::{Notify, Semaphore};

use super::Uplink;
use crate::core::link::LinkSays;
use crate::forward::{Failure, finish, wait_for_work, with_renewal};
use crate::state::Shared;

/// Sends in flight at most (an SDK client allows 1 to 10 connections).
const CONCURRENCY: usize = 4;
/// A lease's length; renewed while its send goes on (`forward::with_renewal`).
const LEASE_MS: u64 = 60 * 1000;

pub(super) async fn run(state: Shared, up: Arc<Uplink>, wake: Arc<Notify>, stop: Arc<Notify>) {
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        // While the upstream cannot be reached nothing is sent (no message spends its
        // attempts on the link); the poller asks it every interval, and sends resume, with
        // the retries held back due at once, when it answers.
        if state.links.is_down(&up.hop) {
            tokio::select! {
                () = stop.notified() => return,
                () = tokio::time::sleep(up.every) => {}
            }
            continue;
        }
        let st = state.clone();
        let hop = up.hop.clone();
        let free = limit.available_permits().max(1);
        let leases = tokio::task::spawn_blocking(move || {
            st.store.lease(&hop, st.clock.now(), free, LEASE_MS)
        })
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
        if leases.is_empty() {
            if wait_for_work(&state, &up.hop, LEASE_MS, &wake, &stop)
                .await
                .is_none()
            {
                return;
            }
            continue;
        }
        for lease in leases {
            let Ok(permit) = limit.clone().acquire_owned().await else {
                return;
            };
            let (st, up) = (state.clone(), up.clone());
            tokio::spawn(async move {
                let _permit = permit;
                let started = Instant::now();
                let outcome = with_renewal(&st, &lease, LEASE_MS, send(&st, &up, &lease)).await;
                finish(&st, lease, outcome, started).await;
            });
        }
        if limit.available_permits() == 0 {
            let _ = limit.acquire().await.map(drop);
        }
    }
}

/// Send one leased message up; the upstream's answer is kept as the hop's receipt.
async fn send(s: &Shared, up: &Uplink, lease: &Lease) -> Result<Vec<u8>, Failure> {
    let _share = s.body_budget.acquire_patiently(lease.size).await;
    let store = s.store.clone();
    let id = lease.id;
    let (body, info) = tokio::task::spawn_blocking(move || {
        Ok::<_, lienthong_store::StoreError>((store.read_payload(id)?, store.message(id)?))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let kind = match info.kind {
        MessageKind::Edoc => "edoc",
        MessageKind::Status => "status",
    };
    let answer = up
        .client
        .send_edoc(&body, kind, &info.sender)
        .await
        .map_err(|e| {
            // No answer in time (a big document on a slow link) says nothing sure about the
            // link: the message's own failure, retried with its backoff.
            if e.contains("in time") {
                Failure::from(format!("upstream: {e}"))
            } else {
                Failure::link(format!("upstream: {e}"))
            }
        })?;
    if answer.ok()
        && answer.json()["DocId"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    {
        return Ok(answer.body);
    }
    let v = answer.json();
    let reason = format!(
        "upstream answered {} {}: {}",
        answer.status,
        v["ErrorCode"].as_str().unwrap_or("(no ErrorCode)"),
        v["ErrorDesc"].as_str().unwrap_or_default()
    );
    Err(Failure {
        reason,
        // The upstream's codes are its own: every refusal is retried with backoff until
        // the entry is dead-lettered, and an operator decides.
        permanent: false,
        link: if answer.status == 401 || answer.status == 403 {
            LinkSays::Failed
        } else {
            LinkSays::Works
        },
    })
}
