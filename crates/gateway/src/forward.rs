//! Forwarding: one task per next hop. It leases due queue entries, relays them to the
//! peer over mutual TLS (reusing connections, at most `concurrency_per_peer` at once),
//! verifies the peer's signed receipt against the federation CA, and only then
//! acknowledges the lease. A bad or missing receipt, an error or a timeout schedules a
//! retry with backoff; a peer that is down affects only its own queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lienthong_store::{FailOutcome, Lease};
use tokio::sync::{Notify, Semaphore};

use crate::core::link::{self, LinkSays};
use crate::core::peer::judge_answer;
use crate::core::receipt::{Expected, check_receipt};
use crate::core::relay::headers;
use crate::net::{CONNECT_LIMIT, HttpsClient, client, error_chain, transfer_timeout};
use crate::state::AppState;

/// Why a relay attempt failed, and whether trying again can help.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) reason: String,
    /// The peer refused the message itself.
    pub(crate) permanent: bool,
    /// What it says about the link.
    pub(crate) link: LinkSays,
}

impl From<String> for Failure {
    fn from(reason: String) -> Failure {
        Failure {
            reason,
            permanent: false,
            link: LinkSays::Nothing,
        }
    }
}

impl Failure {
    pub(crate) fn link(reason: String) -> Failure {
        Failure {
            reason,
            permanent: false,
            link: LinkSays::Failed,
        }
    }
}

/// An id no message has (UUID v7 at the epoch, zero random bits): asking a peer for its
/// receipt tests the link (TCP, TLS both ways, the peer's authorisation) and changes nothing.
const PROBE_ID: &str = "00000000-0000-7000-8000-000000000000";

/// One forwarder: the next hop, where it is, and how to work.
pub struct Forwarder {
    /// Shared gateway state.
    pub state: Arc<AppState>,
    /// The next hop's gateway id.
    pub hop: String,
    /// Its base URL.
    pub url: String,
    /// TLS configurations (the client one is used).
    pub tls: Arc<crate::tls::TlsState>,
    /// Notified when new work is queued for this hop.
    pub wake: Arc<Notify>,
    /// Notified to stop.
    pub stop: Arc<Notify>,
    /// Relays in flight at most.
    pub concurrency: usize,
    /// Lease length, ms.
    pub lease_ms: u64,
    /// Time for one relay, before its body's share.
    pub request_timeout: Duration,
    /// The slowest link still used (bytes per second): a body's share of the timeout.
    pub min_bytes_per_second: u64,
    /// From this size on, a resend first asks whether the peer has the message already.
    pub resend_check_bytes: u64,
    /// While the link is down, probe it after the first value, doubling up to the second
    /// (`[forward] probe_min_ms`, `probe_max_ms`).
    pub probe_every: (Duration, Duration),
}

/// Run a forwarder until it is stopped.
pub async fn run(f: Forwarder) {
    let Forwarder {
        state,
        hop,
        url,
        tls,
        wake,
        stop,
        concurrency,
        lease_ms,
        request_timeout,
        min_bytes_per_second,
        resend_check_bytes,
        probe_every: probe_bounds,
    } = f;
    // A lease lasts `lease_ms` and is renewed while its relay goes on (`with_renewal`), so a
    // slow relay of a big body keeps it, and the leases of a node that died (several nodes
    // on one PostgreSQL) are taken by another within `lease_ms`.
    let limit = Arc::new(Semaphore::new(concurrency));
    // A connection gets three quarters of the request timeout (so that a hung handshake
    // ends as a connection failure, before the request's own deadline), at most
    // CONNECT_LIMIT.
    let connect_limit = (request_timeout * 3 / 4).min(CONNECT_LIMIT);
    let mut generation = tls.generation();
    let mut http = client(&tls, &hop, connect_limit, state.clock.clone());
    let mut probe_every = probe_bounds.0;
    let mut last_probe = tokio::time::Instant::now();
    // Set when a wake (new work, the peer connecting to us) was taken while the link was
    // still up: if the link turns out to be down by then, that wake is for a probe.
    let mut woken = false;
    loop {
        // After a reload (SIGHUP) new relays use the new certificate and trust.
        if http.is_none() || generation != tls.generation() {
            generation = tls.generation();
            http = client(&tls, &hop, connect_limit, state.clock.clone());
        }
        if state.links.is_down(&hop) {
            // While the link is down no message is sent: none uses up its attempts or ages
            // into a dead letter because of the link (dead letters are for what a working
            // peer keeps refusing). Let the relays in flight finish, then probe the link,
            // 1 s apart and doubling up to 10 s; when it works, `link_outcome` makes the
            // waiting retries due and this loop sends again.
            if limit.available_permits() < concurrency {
                let _ = limit.acquire().await.map(drop);
                continue;
            }
            // New work (a submission, an operator's retry) or the peer connecting to us
            // (server.rs) brings the next probe forward, but not closer than a second after
            // the last one. The wake may have been taken by the wait below while the link
            // was still up (a relay failing meanwhile took it down): `woken` keeps it.
            let woke = std::mem::take(&mut woken)
                || tokio::select! {
                    () = stop.notified() => return,
                    () = tokio::time::sleep(probe_every) => false,
                    () = wake.notified() => true,
                };
            if woke {
                tokio::select! {
                    () = stop.notified() => return,
                    () = tokio::time::sleep_until(link::earliest_probe(last_probe, probe_bounds.0)) => {}
                }
            }
            last_probe = tokio::time::Instant::now();
            probe_every = link::next_probe_interval(probe_every, probe_bounds);
            let answer = match &http {
                Some(c) => probe_link(c, &url, request_timeout).await,
                None => Err("no TLS client configuration".to_owned()),
            };
            link_outcome(&state, &hop, answer.as_ref().err().map(String::as_str)).await;
            continue;
        }
        probe_every = probe_bounds.0;
        woken = false;
        let st = state.clone();
        let h = hop.clone();
        let free = limit.available_permits().max(1);
        let leases = match tokio::task::spawn_blocking(move || {
            st.store.lease(&h, st.clock.now(), free, lease_ms)
        })
        .await
        {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => {
                tracing::warn!(hop = %hop, error = %e, "leasing from the queue failed; trying again");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(hop = %hop, error = %e, "leasing task failed");
                Vec::new()
            }
        };
        if leases.is_empty() {
            match wait_for_work(&state, &hop, lease_ms, &wake, &stop).await {
                None => return,
                Some(w) => woken = w,
            }
            continue;
        }
        for lease in leases {
            let Ok(permit) = limit.clone().acquire_owned().await else {
                return;
            };
            let st = state.clone();
            let url = url.clone();
            let client = http.clone();
            let trust = Arc::clone(&state.snapshot().gateway_trust);
            tokio::spawn(async move {
                let _permit = permit;
                let started = Instant::now();
                let relay = async {
                    match client {
                        Some(c) => {
                            send(
                                &st,
                                &c,
                                &url,
                                &lease,
                                &trust,
                                (request_timeout, min_bytes_per_second, resend_check_bytes),
                            )
                            .await
                        }
                        None => Err(Failure::link("no TLS client configuration".to_owned())),
                    }
                };
                let outcome = with_renewal(&st, &lease, lease_ms, relay).await;
                finish(&st, lease, outcome, started).await;
            });
        }
        // Let at least one relay finish before leasing more when the pool is full.
        if limit.available_permits() == 0 {
            let _ = limit.acquire().await.map(drop);
        }
        if tokio::time::timeout(Duration::from_millis(0), stop.notified())
            .await
            .is_ok()
        {
            return;
        }
    }
}

/// Run `work` (the relay of `lease`), renewing the lease every third of `lease_ms` while it
/// runs: the entry stays this sender's for as long as the relay goes on, and no longer
/// than `lease_ms` after this node stops renewing (it died, or lost the database).
pub(crate) async fn with_renewal<T>(
    state: &Arc<AppState>,
    lease: &Lease,
    lease_ms: u64,
    work: impl std::future::Future<Output = T>,
) -> T {
    let every = Duration::from_millis((lease_ms / 3).max(100));
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            () = tokio::time::sleep(every) => {
                let (st, l) = (state.clone(), lease.clone());
                let deadline = state.clock.now().plus_millis(lease_ms);
                match tokio::task::spawn_blocking(move || st.store.renew_lease(&l, deadline)).await {
                    Ok(Ok(true)) => {}
                    Ok(Ok(false)) => tracing::warn!(message_id = %lease.id, hop = %lease.hop, "lease lost while sending (it expired and another sender took it); the next hop deduplicates the copies"),
                    Ok(Err(e)) => tracing::warn!(message_id = %lease.id, hop = %lease.hop, error = %e, "renewing the lease failed; trying again"),
                    Err(e) => tracing::error!(error = %e, "lease renewal task failed"),
                }
            }
        }
    }
}

async fn send(
    s: &AppState,
    client: &HttpsClient,
    url: &str,
    lease: &Lease,
    trust: &lienthong_dsig::TrustStore,
    (timeout, min_rate, resend_check_bytes): (Duration, u64, u64),
) -> Result<Vec<u8>, Failure> {
    let store = s.store.clone();
    let id = lease.id;
    // The body's share of the memory budget, held until the relay is answered: a backlog of
    // big documents drains without holding more of them in memory than the budget allows.
    let _share = s.body_budget.acquire_patiently(lease.size).await;
    // Just accepted here: the bytes are still in memory. Otherwise both store reads in one
    // blocking task, off the async workers.
    let (body, mut hops, recorded) = match s.hot.get(id) {
        Some(hot) => (hot.body, hot.hops, hot.recorded),
        None => {
            let (body, info) = tokio::task::spawn_blocking(move || {
                Ok::<_, lienthong_store::StoreError>((store.read_payload(id)?, store.message(id)?))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            let recorded = info.signature.is_some_and(|n| n.recorded);
            let hops = match info.origin {
                lienthong_store::Origin::Relayed { hops, .. } => hops,
                lienthong_store::Origin::Local => Vec::new(),
            };
            (Bytes::from(body), hops, recorded)
        }
    };
    // Only the gateway where the message started (its sender's home, or the bridge that took
    // it from the uplink) says that it waived the signature: a gateway further on passes
    // nothing on, so that no gateway can waive a signature for another's agencies.
    let waived_here = recorded && hops.is_empty();
    hops.push(s.id.to_string());
    let size = body.len() as u64;
    // Sending a big body again: ask first whether the peer has it already (the earlier
    // attempt may have arrived and only the answer been lost), and if so take its receipt.
    if lease.attempt > 1
        && size >= resend_check_bytes
        && let Some(receipt) =
            stored_receipt(client, url, lease, trust, timeout, s.clock.now()).await
    {
        tracing::info!(message_id = %lease.id, hop = %lease.hop, "the peer had it already: acknowledged without sending it again");
        return Ok(receipt);
    }
    let mut req = hyper::Request::post(format!("{}/v1/relay", url.trim_end_matches('/')));
    if waived_here {
        req = req.header(headers::SIGNATURE_POLICY, "record");
    }
    let req = req
        .header("content-type", "application/xml")
        .header(headers::MESSAGE_ID, lease.id.to_string())
        .header(headers::SHA256, lease.sha256.to_hex())
        .header(headers::RECIPIENTS, lease.recipients.join(","))
        .header(headers::HOPS, hops.join(","))
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    // One deadline for the request and the answer (the lease is renewed until it ends).
    let deadline = tokio::time::Instant::now() + transfer_timeout(timeout, size, min_rate);
    // A timeout says nothing sure about the link (a big body on a slow link times out
    // while probes pass): it is this message's failure, retried with its own backoff. A
    // peer that cannot be reached fails to connect (within the connector's 10 s) first.
    let resp = tokio::time::timeout_at(deadline, client.request(req))
        .await
        .map_err(|_| Failure::from("the peer did not answer in time".to_owned()))?
        .map_err(|e| Failure::link(format!("connection: {}", error_chain(&e))))?;
    let status = resp.status();
    let bytes = tokio::time::timeout_at(deadline, resp.into_body().collect())
        .await
        .map_err(|_| Failure::from("the peer's answer did not arrive in time".to_owned()))?
        .map_err(|e| Failure::link(format!("connection: {e}")))?
        .to_bytes();
    if !status.is_success() {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned();
        let answer = judge_answer(status.as_u16(), &bytes);
        return Err(Failure {
            reason: format!("peer answered {status}: {text}"),
            permanent: answer.permanent,
            link: answer.link,
        });
    }
    good_receipt(&bytes, lease, trust, s.clock.now())
}

/// The receipt of `lease`'s relay, checked ([`check_receipt`]); a bad one is a failure.
fn good_receipt(
    bytes: &[u8],
    lease: &Lease,
    trust: &lienthong_dsig::TrustStore,
    now: lienthong_store::Timestamp,
) -> Result<Vec<u8>, Failure> {
    let expect = Expected {
        hop: &lease.hop,
        id: lease.id,
        sha256: lease.sha256,
    };
    check_receipt(bytes, expect, trust, now)
        .map(|_| bytes.to_vec())
        .map_err(|p| Failure::from(format!("receipt: {p}")))
}

/// The receipt the peer signed for this message, if it has the message already (asked before
/// sending a big body again) and the receipt holds up. Any failure means "send it".
async fn stored_receipt(
    client: &HttpsClient,
    url: &str,
    lease: &Lease,
    trust: &lienthong_dsig::TrustStore,
    timeout: Duration,
    now: lienthong_store::Timestamp,
) -> Option<Vec<u8>> {
    let req = hyper::Request::get(format!(
        "{}/v1/relay/{}/receipt",
        url.trim_end_matches('/'),
        lease.id
    ))
    .body(Full::new(Bytes::new()))
    .ok()?;
    let asked = async {
        let resp = client.request(req).await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        http_body_util::Limited::new(resp.into_body(), 1024 * 1024)
            .collect()
            .await
            .ok()
            .map(|b| b.to_bytes())
    };
    let bytes = tokio::time::timeout(timeout, asked).await.ok()??;
    good_receipt(&bytes, lease, trust, now).ok()
}

/// With nothing to lease for `hop`: sleep until its next entry is due (at most 30 s, and at
/// most `lease_ms`: another node's lease may expire meanwhile, its entry to be sent from
/// here), new work wakes it, or it is stopped (`None`). `Some(true)`: woken by new work.
pub(crate) async fn wait_for_work(
    state: &Arc<AppState>,
    hop: &str,
    lease_ms: u64,
    wake: &Notify,
    stop: &Notify,
) -> Option<bool> {
    let st = state.clone();
    let h = hop.to_owned();
    let due = tokio::task::spawn_blocking(move || st.store.next_due(&h))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let longest = lease_ms.clamp(1, 30_000);
    let wait = due.map_or(Duration::from_millis(longest), |d| {
        Duration::from_millis(d.millis_since(state.clock.now()).clamp(1, longest))
    });
    tokio::select! {
        () = wake.notified() => Some(true),
        () = stop.notified() => None,
        () = tokio::time::sleep(wait) => Some(false),
    }
}

pub(crate) async fn finish(
    s: &Arc<AppState>,
    lease: Lease,
    outcome: Result<Vec<u8>, Failure>,
    started: Instant,
) {
    let st = s.clone();
    let hop = lease.hop.clone();
    let id = lease.id;
    match &outcome {
        Ok(_) => link_outcome(s, &hop, None).await,
        Err(f) if f.link == LinkSays::Works => link_outcome(s, &hop, None).await,
        Err(f) if f.link == LinkSays::Failed => link_outcome(s, &hop, Some(&f.reason)).await,
        Err(f) if f.link == LinkSays::Busy => s.links.busy(&hop, s.clock.now()),
        Err(_) => {}
    }
    match outcome {
        Ok(receipt) => {
            let r = tokio::task::spawn_blocking(move || {
                st.store.ack_lease(&lease, &receipt, st.clock.now())
            })
            .await;
            match r {
                Ok(Ok(_)) => {
                    s.metrics.relayed(&hop, started.elapsed());
                    tracing::info!(message_id = %id, hop = %hop, "relayed, receipt verified");
                }
                Ok(Err(e)) => {
                    tracing::error!(message_id = %id, hop = %hop, error = %e, "recording the receipt failed; the lease will expire and be retried")
                }
                Err(e) => tracing::error!(message_id = %id, error = %e, "task failed"),
            }
        }
        Err(Failure {
            reason, permanent, ..
        }) => {
            let why = reason.clone();
            let r = tokio::task::spawn_blocking(move || {
                if permanent {
                    st.store
                        .fail_lease_permanently(&lease, &why, st.clock.now())
                } else {
                    st.store.fail_lease(&lease, &why, st.clock.now())
                }
            })
            .await;
            match r {
                Ok(Ok(FailOutcome::RetryAt(at))) => {
                    s.metrics.retry(&hop, false);
                    tracing::warn!(message_id = %id, hop = %hop, reason = %reason, retry_in_ms = at.millis_since(s.clock.now()), "relay failed; retry scheduled");
                }
                Ok(Ok(FailOutcome::Dead)) => {
                    s.metrics.retry(&hop, true);
                    tracing::error!(message_id = %id, hop = %hop, reason = %reason, "relay failed; dead-lettered");
                }
                Ok(Err(e)) => {
                    tracing::warn!(message_id = %id, hop = %hop, error = %e, "could not record the failure")
                }
                Err(e) => tracing::error!(message_id = %id, error = %e, "task failed"),
            }
        }
    }
}

/// Ask the peer for the receipt of a message no one has: any answer but "who are you?"
/// means the link works.
async fn probe_link(client: &HttpsClient, url: &str, timeout: Duration) -> Result<(), String> {
    let req = hyper::Request::get(format!(
        "{}/v1/relay/{PROBE_ID}/receipt",
        url.trim_end_matches('/')
    ))
    .body(Full::new(Bytes::new()))
    .map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(timeout, client.request(req))
        .await
        .map_err(|_| "probe: the peer did not answer in time".to_owned())?
        .map_err(|e| format!("probe: connection: {}", error_chain(&e)))?;
    let status = resp.status();
    // Read the (small) answer so that the connection can be reused.
    let _ = tokio::time::timeout(timeout, resp.into_body().collect()).await;
    link::probe_says(status.as_u16())
}

/// Record how the link to `hop` did (`failure`: its reason, `None`: the peer answered).
/// When it works again after failing, the retries waiting for their backoff are due now.
pub(crate) async fn link_outcome(s: &Arc<AppState>, hop: &str, failure: Option<&str>) {
    let at = s.clock.now();
    match failure {
        Some(reason) => {
            if s.links.failure(hop, reason, at) {
                tracing::warn!(hop = %hop, reason = %reason, "link down: one message at a time, probing until it works again");
            }
        }
        None => {
            let drain = s.links.success(hop, at);
            if drain != crate::links::Drain::No {
                let mut due = 0usize;
                loop {
                    let st = s.clone();
                    let h = hop.to_owned();
                    match tokio::task::spawn_blocking(move || {
                        st.store.retry_hop_now(&h, st.clock.now(), 1000)
                    })
                    .await
                    {
                        Ok(Ok(n)) => {
                            due += n;
                            if n < 1000 {
                                break;
                            }
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(hop = %hop, error = %e, "could not make the waiting retries due");
                            break;
                        }
                        Err(e) => {
                            tracing::error!(hop = %hop, error = %e, "task failed");
                            break;
                        }
                    }
                }
                if drain == crate::links::Drain::Recovered {
                    tracing::info!(hop = %hop, retries_due_now = due, "link works again");
                } else if due > 0 {
                    tracing::info!(hop = %hop, retries_due_now = due, "the peer takes relays again after it was busy");
                }
                if let Some(n) = s.notify.get(hop) {
                    n.notify_one();
                }
            }
        }
    }
}
