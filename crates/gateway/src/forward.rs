//! Forwarding: one task per next hop. It leases due queue entries, relays them to the
//! peer over mutual TLS (reusing connections, at most `concurrency_per_peer` at once),
//! verifies the peer's signed receipt against the federation CA, and only then
//! acknowledges the lease. A bad or missing receipt, an error or a timeout schedules a
//! retry with backoff; a peer that is down affects only its own queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lienthong_dsig::{Policy, verify_receipt};
use lienthong_store::{FailOutcome, Lease};
use tokio::sync::{Notify, Semaphore};

use crate::app::{AppState, headers, now};

/// The HTTPS client used for relays.
pub type HttpsClient = Client<TimedConnector, Full<Bytes>>;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The HTTPS connector with one time limit on the TCP connection *and* the TLS handshake: a
/// peer that accepts connections but never completes the handshake (hung, or a middlebox
/// holding the connection) is a link failure after it, like one that refuses connections,
/// instead of each relay waiting for its whole request timeout.
#[derive(Clone, Debug)]
pub struct TimedConnector {
    inner: Https,
    limit: Duration,
    /// The peer this connector reaches, and where its certificate is recorded once the
    /// handshake has completed (so only a certificate the peer proved it holds the key of).
    peer: (String, Arc<crate::seen::Seen>),
}

impl tower::Service<hyper::Uri> for TimedConnector {
    type Response = <Https as tower::Service<hyper::Uri>>::Response;
    type Error = BoxError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, BoxError>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let limit = self.limit;
        let peer = self.peer.clone();
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(Ok(stream)) => {
                    if let hyper_rustls::MaybeHttpsStream::Https(tls) = &stream
                        && let Some(cert) = tls
                            .inner()
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|c| c.first())
                    {
                        let (hop, seen) = &peer;
                        seen.record(hop, cert.as_ref(), crate::app::now().as_millis());
                    }
                    Ok(stream)
                }
                Ok(Err(e)) => Err(e),
                Err(_) => Err(format!(
                    "no TLS connection within {} ms (TCP and handshake)",
                    limit.as_millis()
                )
                .into()),
            }
        })
    }
}

/// The longest a connection to a peer may take, TCP and TLS handshake together.
pub const CONNECT_LIMIT: Duration = Duration::from_secs(10);

/// Why a relay attempt failed, and whether trying again can help.
#[derive(Debug)]
struct Failure {
    reason: String,
    /// The peer refused the message itself.
    permanent: bool,
    /// What it says about the link.
    link: LinkSays,
}

/// What a failed attempt says about the link to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkSays {
    /// Nothing (it failed here, before or after talking to the peer).
    Nothing,
    /// It works: the peer answered.
    Works,
    /// It failed, not this message: no answer, or our certificate refused.
    Failed,
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
    fn link(reason: String) -> Failure {
        Failure {
            reason,
            permanent: false,
            link: LinkSays::Failed,
        }
    }
}

/// The least time between two probes of a link that is down, whatever wakes the forwarder.
const PROBE_GAP: Duration = Duration::from_secs(1);

/// An id no message has (UUID v7 at the epoch, zero random bits): asking a peer for its
/// receipt tests the link (TCP, TLS both ways, the peer's authorisation) and changes nothing.
const PROBE_ID: &str = "00000000-0000-7000-8000-000000000000";

/// A TCP connector with Nagle off: small requests and answers must not wait for the
/// peer's delayed ACK (40 ms per round trip otherwise).
pub fn plain_connector() -> HttpConnector {
    let mut c = HttpConnector::new();
    c.enforce_http(false);
    c.set_nodelay(true);
    c.set_connect_timeout(Some(Duration::from_secs(10)));
    c
}

/// Build a client for reaching gateway `peer` from the TLS state's current client
/// configuration: the peer's certificate must name that gateway.
pub fn client(
    tls: &crate::tls::TlsState,
    peer: &str,
    connect_limit: Duration,
) -> Option<HttpsClient> {
    let cfg = tls.client_for(peer)?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*cfg).clone())
        .https_only()
        .enable_http1()
        .enable_http2()
        .wrap_connector(plain_connector());
    Some(
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .build(TimedConnector {
                inner: https,
                limit: connect_limit,
                peer: (peer.to_owned(), tls.next_hops.clone()),
            }),
    )
}

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
    /// The largest body there can be (leases outlast its relay).
    pub max_body_bytes: u64,
    /// From this size on, a resend first asks whether the peer has the message already.
    pub resend_check_bytes: u64,
    /// While the link is down, probe it after the first value, doubling up to the second
    /// (`[forward] probe_min_ms`, `probe_max_ms`).
    pub probe_every: (Duration, Duration),
}

/// The time a transfer of `bytes` gets: `base` plus the bytes at `rate` bytes per second.
pub fn transfer_timeout(base: Duration, bytes: u64, rate: u64) -> Duration {
    base.saturating_add(Duration::from_millis(
        bytes.saturating_mul(1000) / rate.max(1),
    ))
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
        max_body_bytes,
        resend_check_bytes,
        probe_every: probe_bounds,
    } = f;
    // A lease must outlast the slowest relay of the largest body, or the entry would be
    // leased (and sent) again while its first relay is still going.
    let lease_ms = lease_ms.max(
        u64::try_from(
            transfer_timeout(request_timeout, max_body_bytes, min_bytes_per_second).as_millis(),
        )
        .unwrap_or(u64::MAX)
        .saturating_add(10_000),
    );
    let limit = Arc::new(Semaphore::new(concurrency));
    // A connection gets three quarters of the request timeout (so that a hung handshake
    // ends as a connection failure, before the request's own deadline), at most
    // CONNECT_LIMIT.
    let connect_limit = (request_timeout * 3 / 4).min(CONNECT_LIMIT);
    let mut generation = tls.generation();
    let mut http = client(&tls, &hop, connect_limit);
    let mut probe_every = probe_bounds.0;
    let mut last_probe = tokio::time::Instant::now();
    // Set when a wake (new work, the peer connecting to us) was taken while the link was
    // still up: if the link turns out to be down by then, that wake is for a probe.
    let mut woken = false;
    loop {
        // After a reload (SIGHUP) new relays use the new certificate and trust.
        if http.is_none() || generation != tls.generation() {
            generation = tls.generation();
            http = client(&tls, &hop, connect_limit);
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
                    () = tokio::time::sleep_until(last_probe + PROBE_GAP.min(probe_bounds.0)) => {}
                }
            }
            last_probe = tokio::time::Instant::now();
            probe_every = (probe_every * 2).min(probe_bounds.1);
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
        let leases = tokio::task::spawn_blocking(move || st.store.lease(&h, now(), free, lease_ms))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        if leases.is_empty() {
            // Sleep until the next entry is due, new work arrives, or we are stopped.
            let st = state.clone();
            let h = hop.clone();
            let due = tokio::task::spawn_blocking(move || st.store.next_due(&h))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten();
            let wait = due.map_or(Duration::from_secs(30), |d| {
                Duration::from_millis(d.millis_since(now()).clamp(1, 30_000))
            });
            tokio::select! {
                () = wake.notified() => woken = true,
                () = stop.notified() => return,
                () = tokio::time::sleep(wait) => {}
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
            let trust = crate::app::current(&state.gateway_trust);
            tokio::spawn(async move {
                let _permit = permit;
                let started = Instant::now();
                let outcome = match client {
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
                };
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
    let (body, mut hops) = match s.hot.get(id) {
        Some(hot) => (hot.body, hot.hops),
        None => {
            let (body, origin) = tokio::task::spawn_blocking(move || {
                Ok::<_, lienthong_store::StoreError>((
                    store.read_payload(id)?,
                    store.message(id)?.origin,
                ))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            let hops = match origin {
                lienthong_store::Origin::Relayed { hops, .. } => hops,
                lienthong_store::Origin::Local => Vec::new(),
            };
            (Bytes::from(body), hops)
        }
    };
    hops.push(s.id.to_string());
    let size = body.len() as u64;
    // Sending a big body again: ask first whether the peer has it already (the earlier
    // attempt may have arrived and only the answer been lost), and if so take its receipt.
    if lease.attempt > 1
        && size >= resend_check_bytes
        && let Some(receipt) = stored_receipt(client, url, lease, trust, timeout).await
    {
        tracing::info!(message_id = %lease.id, hop = %lease.hop, "the peer had it already: acknowledged without sending it again");
        return Ok(receipt);
    }
    let req = hyper::Request::post(format!("{}/v1/relay", url.trim_end_matches('/')))
        .header("content-type", "application/xml")
        .header(headers::MESSAGE_ID, lease.id.to_string())
        .header(headers::SHA256, lease.sha256.to_hex())
        .header(headers::RECIPIENTS, lease.recipients.join(","))
        .header(headers::HOPS, hops.join(","))
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    // One deadline for the request and the answer: the lease outlasts exactly this.
    let deadline = tokio::time::Instant::now() + transfer_timeout(timeout, size, min_rate);
    // A timeout says nothing sure about the link (a big body on a slow link times out
    // while probes pass): it is this message's failure, retried with its own backoff. A
    // peer that cannot be reached fails to connect (within the connector's 10 s) first.
    let resp = tokio::time::timeout_at(deadline, client.request(req))
        .await
        .map_err(|_| Failure::from("the peer did not answer in time".to_owned()))?
        .map_err(|e| Failure::link(format!("connection: {}", crate::client::error_chain(&e))))?;
    let status = resp.status();
    let bytes = tokio::time::timeout_at(deadline, resp.into_body().collect())
        .await
        .map_err(|_| Failure::from("the peer's answer did not arrive in time".to_owned()))?
        .map_err(|e| Failure::link(format!("connection: {e}")))?
        .to_bytes();
    if !status.is_success() {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned();
        let permanent = refusal_is_permanent(status, &bytes);
        return Err(Failure {
            reason: format!("peer answered {status}: {text}"),
            permanent,
            link: if refuses_us(status) {
                LinkSays::Failed
            } else {
                LinkSays::Works
            },
        });
    }
    check_receipt(&bytes, lease, trust)
}

/// The receipt the peer signed for this message, if it has the message already (asked before
/// sending a big body again) and the receipt holds up. Any failure means "send it".
async fn stored_receipt(
    client: &HttpsClient,
    url: &str,
    lease: &Lease,
    trust: &lienthong_dsig::TrustStore,
    timeout: Duration,
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
    check_receipt(&bytes, lease, trust).ok()
}

/// A receipt from the next hop, checked before the lease is acknowledged: valid, signed by a
/// certificate of that gateway, for this message id and these bytes.
fn check_receipt(
    bytes: &[u8],
    lease: &Lease,
    trust: &lienthong_dsig::TrustStore,
) -> Result<Vec<u8>, Failure> {
    let policy = Policy {
        trust,
        at: lienthong_dsig::now(),
        expected_agency: None,
    };
    let (receipt, report) =
        verify_receipt(bytes, &policy).map_err(|e| format!("receipt unreadable: {e}"))?;
    if !report.valid {
        return Err(format!("receipt not valid: {}", report.problems.join("; ")).into());
    }
    if receipt.receiving_gateway != lease.hop {
        return Err(format!(
            "receipt is from {}, not {}",
            receipt.receiving_gateway, lease.hop
        )
        .into());
    }
    if receipt.message_id != lease.id.to_string()
        || receipt.document_sha256 != lease.sha256.to_hex()
    {
        return Err("receipt is for another message or other bytes"
            .to_owned()
            .into());
    }
    Ok(bytes.to_vec())
}

/// Does the peer's answer refuse this message itself, so that sending the same bytes again
/// cannot help (dead-letter it at once, with the reason)? Or is it about the link, the peer's
/// configuration or its load (retry with backoff; the operator may fix the cause meanwhile)?
///
/// A lienthong peer says which in its error code: the document, its signature, its routing, a
/// conflict with what the peer stores, or its size are about the message; an unaccepted
/// certificate (`auth.*`, e.g. after a certificate rotation on either side, or a directory
/// that does not yet route this link), a timeout, a rate limit or storage trouble are not.
/// Without a code (another implementation), a 4xx other than 401, 403, 404, 408 and 429 is
/// taken as a refusal of the message.
fn refusal_is_permanent(status: hyper::StatusCode, body: &[u8]) -> bool {
    let answer = serde_json::from_slice::<serde_json::Value>(body).ok();
    let code = answer
        .as_ref()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
    // A signature refused because of the peer's own trust setup (its CRL past nextUpdate,
    // no roots, a root it lacks, revocation it cannot decide) is for its operator to fix:
    // the same bytes will pass then.
    let peer_trust_trouble = answer.as_ref().is_some_and(|v| {
        v["error"]["detail"]["problem_codes"]
            .as_array()
            .is_some_and(|codes| {
                codes.iter().any(|c| {
                    matches!(
                        c.as_str(),
                        Some(
                            "cert.crl_expired"
                                | "cert.no_trust_roots"
                                | "cert.untrusted"
                                | "cert.revocation_unknown"
                        )
                    )
                })
            })
    });
    if peer_trust_trouble {
        return false;
    }
    match code.as_deref() {
        Some(c) => {
            c.starts_with("document.")
                || matches!(
                    c,
                    "signature.required"
                        | "routing.refused"
                        | "store.conflict"
                        | "request.too_large"
                        | "request.bad_request"
                )
        }
        None => status.is_client_error() && !matches!(status.as_u16(), 401 | 403 | 404 | 408 | 429),
    }
}

async fn finish(
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
        Err(_) => {}
    }
    match outcome {
        Ok(receipt) => {
            let r =
                tokio::task::spawn_blocking(move || st.store.ack_lease(&lease, &receipt, now()))
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
                    st.store.fail_lease_permanently(&lease, &why, now())
                } else {
                    st.store.fail_lease(&lease, &why, now())
                }
            })
            .await;
            match r {
                Ok(Ok(FailOutcome::RetryAt(at))) => {
                    s.metrics.retry(&hop, false);
                    tracing::warn!(message_id = %id, hop = %hop, reason = %reason, retry_in_ms = at.millis_since(now()), "relay failed; retry scheduled");
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

/// Does this answer say that the peer does not accept us (rather than this message)?
fn refuses_us(status: hyper::StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403)
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
        .map_err(|e| format!("probe: connection: {}", crate::client::error_chain(&e)))?;
    let status = resp.status();
    // Read the (small) answer so that the connection can be reused.
    let _ = tokio::time::timeout(timeout, resp.into_body().collect()).await;
    if refuses_us(status) {
        return Err(format!("probe: the peer answered {status}"));
    }
    Ok(())
}

/// Record how the link to `hop` did (`failure`: its reason, `None`: the peer answered).
/// When it works again after failing, the retries waiting for their backoff are due now.
async fn link_outcome(s: &Arc<AppState>, hop: &str, failure: Option<&str>) {
    let at = now();
    match failure {
        Some(reason) => {
            if s.links.failure(hop, reason, at) {
                tracing::warn!(hop = %hop, reason = %reason, "link down: one message at a time, probing until it works again");
            }
        }
        None => {
            if s.links.success(hop, at) {
                let mut due = 0usize;
                loop {
                    let st = s.clone();
                    let h = hop.to_owned();
                    match tokio::task::spawn_blocking(move || {
                        st.store.retry_hop_now(&h, now(), 1000)
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
                tracing::info!(hop = %hop, retries_due_now = due, "link works again");
                if let Some(n) = s.notify.get(hop) {
                    n.notify_one();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{refusal_is_permanent, transfer_timeout};
    use std::time::Duration;

    #[test]
    fn big_bodies_get_time_for_a_slow_link() {
        let base = Duration::from_secs(30);
        // A 10 MB scan at 512 kbit/s: 30 s + 152.6 s.
        assert_eq!(
            transfer_timeout(base, 10_000_000, 65_536),
            Duration::from_millis(30_000 + 152_587)
        );
        assert_eq!(transfer_timeout(base, 0, 65_536), base);
        // No overflow, whatever the numbers.
        assert!(transfer_timeout(base, u64::MAX, 1) > base);
        assert!(transfer_timeout(base, 1, 0) > base);
    }
    use hyper::StatusCode as S;

    fn err(code: &str) -> Vec<u8> {
        serde_json::to_vec(
            &serde_json::json!({"error": {"code": code, "message": "m", "detail": {}}}),
        )
        .unwrap_or_default()
    }

    #[test]
    fn refusals_of_the_message_are_permanent_and_link_trouble_is_not() {
        for (status, code) in [
            (S::BAD_REQUEST, "document.not_edxml"),
            (S::BAD_REQUEST, "document.checksum"),
            (S::UNPROCESSABLE_ENTITY, "signature.required"),
            (S::UNPROCESSABLE_ENTITY, "routing.refused"),
            (S::CONFLICT, "store.conflict"),
            (S::PAYLOAD_TOO_LARGE, "request.too_large"),
        ] {
            assert!(refusal_is_permanent(status, &err(code)), "{code}");
        }
        for (status, code) in [
            (S::UNAUTHORIZED, "auth.no_client_certificate"),
            (S::FORBIDDEN, "auth.forbidden"),
            (S::FORBIDDEN, "auth.relay_not_routed"),
            (S::REQUEST_TIMEOUT, "request.timeout"),
            (S::TOO_MANY_REQUESTS, "request.rate_limited"),
            (S::SERVICE_UNAVAILABLE, "server.busy"),
            (S::SERVICE_UNAVAILABLE, "store.unavailable"),
            (S::INTERNAL_SERVER_ERROR, "internal"),
            (S::NOT_FOUND, "not_found"),
        ] {
            assert!(!refusal_is_permanent(status, &err(code)), "{code}");
        }
        // The peer's own trust setup: retried until its operator fixes it.
        for trouble in [
            "cert.crl_expired",
            "cert.no_trust_roots",
            "cert.untrusted",
            "cert.revocation_unknown",
        ] {
            let body = serde_json::to_vec(&serde_json::json!({"error": {"code": "signature.required", "message": "m", "detail": {"problem_codes": ["sig.weak", trouble]}}})).unwrap_or_default();
            assert!(
                !refusal_is_permanent(S::UNPROCESSABLE_ENTITY, &body),
                "{trouble}"
            );
        }
        let body = serde_json::to_vec(&serde_json::json!({"error": {"code": "signature.required", "message": "m", "detail": {"problem_codes": ["sig.digest_mismatch"]}}})).unwrap_or_default();
        assert!(refusal_is_permanent(S::UNPROCESSABLE_ENTITY, &body));
        // Another implementation, without our error shape: by status alone.
        assert!(refusal_is_permanent(S::BAD_REQUEST, b"<html>bad</html>"));
        assert!(refusal_is_permanent(S::GONE, b""));
        for s in [
            S::UNAUTHORIZED,
            S::FORBIDDEN,
            S::NOT_FOUND,
            S::REQUEST_TIMEOUT,
            S::TOO_MANY_REQUESTS,
            S::BAD_GATEWAY,
        ] {
            assert!(!refusal_is_permanent(s, b"plain text"), "{s}");
        }
    }
}
