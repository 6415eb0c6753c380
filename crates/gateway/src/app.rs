//! The HTTP application: shared state, the router, the middleware layers and the handlers.
//!
//! Layers, outermost first: per-request timeout, concurrency limit (503 when full),
//! per-peer rate limit (429), then the handler. The peer's identity arrives as a
//! [`Peer`] request extension, put there by the connection loop from the client
//! certificate; every handler states which identities may call it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use http_body_util::BodyExt;
use lienthong_dsig::{ExpectedAgency, Policy, Profile, Receipt, SigningKey, TrustStore, Verdict};
use lienthong_edxml::{AgencyCode, BusinessDocType, Package};
use lienthong_routing::{Directory, GatewayId, NextHops, RouteDecision};
use lienthong_store::{
    AcceptRequest, ActionBy, BusinessType, Dispatch, FetchResult, InboxCursor, MessageId,
    MessageKind, MessageQuery, MessageState, Origin, RecipientState, StatusNote, Store, Timestamp,
};
use rustls_pki_types::CertificateDer;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore};

use crate::config::{LimitsSection, SignaturePolicy};
use crate::error::ApiError;
use crate::identity::Peer;
use crate::metrics::Metrics;

/// Header names of the relay transport metadata.
pub mod headers {
    /// The message id given by the first gateway.
    pub const MESSAGE_ID: &str = "lienthong-message-id";
    /// SHA-256 of the body, hex.
    pub const SHA256: &str = "lienthong-sha256";
    /// The recipients behind this link, comma-separated.
    pub const RECIPIENTS: &str = "lienthong-recipients";
    /// Gateways the message passed, comma-separated, the sending gateway last.
    pub const HOPS: &str = "lienthong-hops";
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
            at: lienthong_dsig::now(),
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
pub(crate) fn current<T>(lock: &std::sync::RwLock<Arc<T>>) -> Arc<T> {
    match lock.read() {
        Ok(g) => Arc::clone(&g),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    }
}

/// Replace what a reload re-read.
pub(crate) fn replace<T>(lock: &std::sync::RwLock<Arc<T>>, value: T) {
    let mut g = lock
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *g = Arc::new(value);
}

/// Everything handlers share.
pub struct AppState {
    /// This gateway.
    pub id: GatewayId,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The routing directory (replaced when a reload brings a new one with the same
    /// next hops; read it with [`AppState::directory`]).
    pub directory: std::sync::RwLock<Arc<Directory>>,
    /// The directory is the whole federation's (not a local view): an agency missing from
    /// it does not exist, and is refused at once rather than passed up to the root.
    pub full_directory: bool,
    /// Document-signature trust.
    /// Replaced when the operator reloads (SIGHUP) with new roots or fresher CRLs.
    pub doc_trust: std::sync::RwLock<Arc<TrustStore>>,
    /// Trust for peers' receipts (the federation CA).
    /// Replaced on reload (a federation CA added or rotated in `tls.client_ca`).
    pub gateway_trust: std::sync::RwLock<Arc<TrustStore>>,
    /// Signature policy.
    pub policy: SignaturePolicy,
    /// How far back a relayed document's signature may be checked (`retry.max_age_ms`).
    pub relay_window_ms: u64,
    /// The receipt-signing key and certificate chain (replaced on reload).
    pub signing: std::sync::RwLock<Arc<Signing>>,
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
    /// Online backups.
    pub backups: Arc<crate::backups::Backups>,
    /// Payloads just accepted, for their forwarders.
    pub hot: crate::hot::HotPayloads,
}

impl AppState {
    /// The routing directory in force.
    pub fn directory(&self) -> Arc<Directory> {
        current(&self.directory)
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

type Shared = Arc<AppState>;

/// Milliseconds now.
pub fn now() -> Timestamp {
    Timestamp::now_utc()
}

fn today(now: Timestamp) -> lienthong_routing::Date {
    lienthong_routing::Date::from_unix_millis(now.as_millis())
}

/// Run blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// Query parameters, refused with the API's JSON error (`request.bad_request`, naming the
/// parameter) rather than axum's plain-text rejection.
struct ApiQuery<T>(T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match <Query<T> as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError::new("request.bad_request", e.body_text())),
        }
    }
}

/// The router with every route and layer.
pub fn router(state: Shared) -> Router {
    let timeout = Duration::from_millis(state.limits.request_timeout_ms);
    let min_rate = state.limits.min_bytes_per_second;
    let max_body = state.limits.max_body_bytes as u64;
    Router::new()
        .route("/metrics", get(metrics))
        .route("/v1/documents", post(submit).get(sent_documents))
        .route("/v1/documents/{id}", get(track))
        .route("/v1/inbox", get(inbox_list))
        .route("/v1/inbox/{id}", get(inbox_get))
        .route("/v1/inbox/{id}/ack", post(inbox_ack))
        .route("/v1/inbox/{id}/signature", get(inbox_signature))
        .route("/v1/agencies", get(agencies))
        .route("/v1/agencies/activity", get(agency_activity))
        .route("/v1/relay", post(relay))
        .route("/v1/relay/{id}", get(relay_trail))
        .route("/v1/relay/{id}/receipt", get(relay_receipt))
        .route("/v1/queues", get(queues))
        .route("/v1/certificates", get(certificates))
        .route("/v1/backups", post(backup_start).get(backup_status))
        .route("/console", get(console))
        .route("/v1/messages", get(messages))
        .route("/v1/messages/{id}/{action}", post(message_action))
        .fallback(|| async { ApiError::new("not_found", "no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            concurrency,
        ))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                // A body's share: its declared length at the slowest rate still served (a
                // length above the body limit is refused with 413 before it matters).
                let declared = req
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(0)
                    .min(max_body);
                let limit = crate::forward::transfer_timeout(timeout, declared, min_rate);
                with_timeout(limit, req, next)
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_refusals,
        ))
        // Probes come after the layers, so that neither the rate limit (one bucket for every
        // caller without a certificate) nor the concurrency limit can fail them under load.
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// The routes the router serves, for the test that compares them with the OpenAPI file.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("post", "/v1/documents"),
    ("get", "/v1/documents"),
    ("get", "/v1/documents/{id}"),
    ("get", "/v1/inbox"),
    ("get", "/v1/inbox/{id}"),
    ("post", "/v1/inbox/{id}/ack"),
    ("get", "/v1/inbox/{id}/signature"),
    ("get", "/v1/agencies"),
    ("get", "/v1/agencies/activity"),
    ("post", "/v1/relay"),
    ("get", "/v1/relay/{id}"),
    ("get", "/v1/relay/{id}/receipt"),
    ("get", "/v1/queues"),
    ("get", "/v1/certificates"),
    ("post", "/v1/backups"),
    ("get", "/v1/backups"),
    ("get", "/console"),
    ("get", "/v1/messages"),
    ("post", "/v1/messages/{id}/{action}"),
];

/// Every refusal is counted here, by its code, whichever layer or handler made it.
async fn count_refusals(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    if let Some(code) = r.extensions().get::<crate::error::ErrorCode>() {
        s.metrics.refused(code.0);
    }
    r
}

async fn with_timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new("request.timeout", "the request took too long").into_response(),
    }
}

/// The request's slot under `max_concurrent_requests`, which a long poll gives back while it
/// waits.
#[derive(Clone)]
struct BusySlot(Arc<Mutex<Option<tokio::sync::OwnedSemaphorePermit>>>);

impl BusySlot {
    fn release(&self) {
        if let Ok(mut g) = self.0.lock() {
            g.take();
        }
    }
}

async fn concurrency(State(s): State<Shared>, mut req: Request, next: Next) -> Response {
    match s.busy.clone().try_acquire_owned() {
        Ok(permit) => {
            req.extensions_mut()
                .insert(BusySlot(Arc::new(Mutex::new(Some(permit)))));
            next.run(req).await
        }
        Err(_) => ApiError::new(
            "server.busy",
            "too many requests in progress; try again shortly",
        )
        .into_response(),
    }
}

async fn rate_limit(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let key = req
        .extensions()
        .get::<Peer>()
        .map_or_else(|| "anonymous".to_owned(), Peer::key);
    let allowed = {
        let rate = f64::from(s.limits.per_peer_rate);
        let burst = f64::from(s.limits.per_peer_burst);
        match s.buckets.lock() {
            Ok(mut b) => {
                let now = Instant::now();
                if b.len() > 100_000 {
                    b.clear();
                }
                let (tokens, last) = b.entry(key).or_insert((burst, now));
                *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(burst);
                *last = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    true
                } else {
                    false
                }
            }
            Err(_) => true,
        }
    };
    if allowed {
        next.run(req).await
    } else {
        ApiError::new(
            "request.rate_limited",
            "too many requests from this peer; slow down",
        )
        .into_response()
    }
}

// ---- identities -----------------------------------------------------------------------

fn require_cert(peer: &Peer) -> Result<(), ApiError> {
    match peer {
        Peer::Anonymous => Err(ApiError::new(
            "auth.no_client_certificate",
            "a client certificate is required",
        )),
        Peer::Unidentified(why) => Err(ApiError::new("auth.unidentified", why.clone())),
        _ => Ok(()),
    }
}

fn require_agency(peer: &Peer) -> Result<AgencyCode, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Agency(a) => Ok(a.clone()),
        other => Err(ApiError::new(
            "auth.forbidden",
            format!("this endpoint is for an agency's DMS, not {other}"),
        )),
    }
}

/// The calling gateway, for the endpoints only gateways may use.
fn require_gateway(peer: &Peer) -> Result<GatewayId, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Gateway(g) => Ok(g.clone()),
        other => Err(ApiError::new(
            "auth.forbidden",
            format!("this endpoint is for gateways, not {other}"),
        )),
    }
}

/// The directory's main code for an agency known by an alias; the code itself otherwise.
fn canonical_agency(s: &AppState, code: AgencyCode) -> AgencyCode {
    s.directory().canonical(&code).cloned().unwrap_or(code)
}

/// An operator's state-changing request must say `Content-Type: application/json`: a web
/// page cannot make a browser send that cross-site without asking first (CORS), so a page
/// an operator visits cannot use the operator certificate in the browser to cancel or
/// retry messages (cross-site request forgery).
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            "request.bad_request",
            "send Content-Type: application/json (the body may be {})",
        ))
    }
}

/// The operator's name, or `auth.forbidden` for any other caller.
fn require_operator(peer: &Peer) -> Result<&str, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Operator(name) => Ok(name),
        other => Err(ApiError::new(
            "auth.forbidden",
            format!("this endpoint needs an operator certificate, not {other}"),
        )),
    }
}

// ---- bodies ---------------------------------------------------------------------------

/// How long a body of declared length waits for its share of the memory budget.
const BUDGET_WAIT: Duration = Duration::from_secs(5);

/// The refusal when the memory budget for bodies is spent.
fn budget_busy(s: &AppState) -> ApiError {
    ApiError::new(
        "server.busy",
        "the gateway holds as many document bodies as its memory allows; try again shortly",
    )
    .with(json!({"max_buffered_body_bytes": s.limits.max_buffered_body_bytes}))
}

/// Read a request body within the limits: its size, its arrival rate, and the memory budget
/// for bodies held at once (the returned permit holds the body's share; keep it while the
/// bytes are in use).
async fn read_body(
    s: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, crate::budget::BodyPermit), ApiError> {
    let max = s.limits.max_body_bytes;
    let too_large = || {
        ApiError::new(
            "request.too_large",
            format!("the body is larger than {max} bytes"),
        )
        .with(json!({"limit": max}))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    // A declared length takes its whole share first, waiting a little for it; a body without
    // one takes its share frame by frame and is refused at once when the budget is spent (so
    // that half-read bodies never wait for each other).
    let mut permit = match declared {
        Some(len) => s
            .body_budget
            .acquire(len, BUDGET_WAIT)
            .await
            .ok_or_else(|| budget_busy(s))?,
        None => crate::budget::BodyPermit::default(),
    };
    let mut covered = declared.unwrap_or(0);
    // The body must keep coming at `min_bytes_per_second` on average (after the header
    // time as a start-up allowance): a client that trickles bytes to hold a request slot is
    // cut off as soon as it falls behind, not when the size-scaled request timeout ends.
    let rate = s.limits.min_bytes_per_second.max(1);
    let allowance = Duration::from_millis(s.limits.header_timeout_ms);
    let started = tokio::time::Instant::now();
    let mut body = http_body_util::Limited::new(body, max);
    // A declared length already holds its share of the budget: take the memory at once, so
    // that the body is not copied as it grows and its buffer is no larger than it.
    let mut buf = bytes::BytesMut::with_capacity(
        usize::try_from(declared.unwrap_or(0)).map_or(0, |n| n.min(max)),
    );
    loop {
        let received = buf.len() as u64;
        let deadline = started
            + allowance
            + Duration::from_millis(received.saturating_add(1).saturating_mul(1000) / rate);
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                return Err(ApiError::new(
                    "request.timeout",
                    format!("the body arrived slower than {rate} bytes per second"),
                )
                .with(json!({"received": received, "min_bytes_per_second": rate})));
            }
            Ok(None) => return Ok((buf.freeze(), permit)),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    let after = (buf.len() + data.len()) as u64;
                    if after > covered {
                        if !s.body_budget.try_grow(&mut permit, after - covered) {
                            return Err(budget_busy(s));
                        }
                        covered = after;
                    }
                    buf.extend_from_slice(&data);
                }
            }
            Ok(Some(Err(e)))
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some() =>
            {
                return Err(too_large());
            }
            Ok(Some(Err(e))) => {
                return Err(ApiError::new(
                    "request.bad_request",
                    format!("reading the body failed: {e}"),
                ));
            }
        }
    }
}

// ---- checking a document --------------------------------------------------------------

/// What the gateway reads from a document.
struct Checked {
    kind: MessageKind,
    sender: String,
    recipients: Vec<AgencyCode>,
    document_id: Option<String>,
    business: Option<BusinessType>,
    /// What a status package says.
    status: Option<StatusNote>,
    verdict: Verdict,
    problems: Vec<String>,
}

/// When a relayed document's signature is checked: when the message entered the network (the
/// time in its UUID v7 id, given by the first gateway, which checked the signature then),
/// so that a signer certificate that expired while the message waited in a queue does not
/// make the next hop refuse a document that was valid when it was sent. Never later than
/// `now`, and never earlier than `window_ms` (the retry policy's `max_age_ms`: nothing
/// legitimately travels longer) before it.
fn relay_signature_time(id: MessageId, now: Timestamp, window_ms: u64) -> Timestamp {
    let entered = id
        .as_uuid()
        .get_timestamp()
        .map(|t| {
            let (secs, nanos) = t.to_unix();
            secs.saturating_mul(1000)
                .saturating_add(u64::from(nanos) / 1_000_000)
        })
        .unwrap_or(now.as_millis());
    let earliest = now.as_millis().saturating_sub(window_ms);
    Timestamp::from_millis(entered.clamp(earliest, now.as_millis()))
}

/// Parse and check a document or status package; its signature is checked as of
/// `signature_at` (now for a submission, the message's entry into the network for a relay).
fn check_document(
    s: &AppState,
    bytes: &[u8],
    signature_at: Timestamp,
) -> Result<Checked, ApiError> {
    let (doc, parsed) = read_document(s, bytes)?;
    let (kind, raw_recipients, document_id, business) = match &parsed.package {
        Package::Edoc(e) => (
            MessageKind::Edoc,
            e.header
                .to
                .iter()
                .map(|t| t.organ_id.clone())
                .collect::<Vec<_>>(),
            e.header.document_id.clone(),
            e.trace
                .business
                .as_ref()
                .and_then(|b| b.business_doc_type.as_ref())
                .and_then(|t| match t {
                    BusinessDocType::New => Some(BusinessType::New),
                    BusinessDocType::Revoke => Some(BusinessType::Revoke),
                    BusinessDocType::Update => Some(BusinessType::Update),
                    BusinessDocType::Replace => Some(BusinessType::Replace),
                    BusinessDocType::Other(_) => None,
                }),
        ),
        Package::Status(st) => (
            MessageKind::Status,
            st.response_for.organ_id.iter().cloned().collect(),
            st.response_for.document_id.clone(),
            None,
        ),
    };
    let mut recipients = Vec::new();
    let mut bad = Vec::new();
    for r in &raw_recipients {
        // Aliases become the agency's own code, so each agency has one inbox.
        match AgencyCode::parse(r).map(|c| s.directory().canonical(&c).cloned().unwrap_or(c)) {
            Ok(c) if !recipients.contains(&c) => recipients.push(c),
            Ok(_) => {}
            Err(e) => bad.push(json!({"recipient": r, "problem": e.to_string()})),
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::new(
            "document.bad_recipient",
            "a recipient code is not a valid agency code",
        )
        .with(json!({"recipients": bad})));
    }
    if recipients.is_empty() {
        return Err(ApiError::new(
            "document.no_recipients",
            match kind {
                MessageKind::Edoc => "the document has no To recipient",
                MessageKind::Status => "the status package has no ResponseFor/OrganId to return to",
            },
        ));
    }
    let from = parsed.package.from();
    let report = signature_report(s, &doc, from, signature_at);
    if s.policy == SignaturePolicy::Require && !report.valid {
        return Err(ApiError::new(
            "signature.required",
            format!("the document's signature is not acceptable: {}", report.problems.join("; ")),
        )
        .with(json!({"verdict": report.verdict, "problems": report.problems, "problem_codes": report.problem_codes})));
    }
    // Stored under the agency's own code when the document names it by an alias (common
    // since the 2025 mergers), so that tracking, DocumentId conflicts and returning statuses
    // all see one sender.
    let sender = match AgencyCode::parse(&from.organ_id) {
        Ok(c) => s.directory().canonical(&c).unwrap_or(&c).to_string(),
        Err(_) => from.organ_id.clone(),
    };
    let status = match &parsed.package {
        Package::Status(st) => Some(StatusNote {
            code: st.status_code.wire().to_owned(),
            description: st.description.clone(),
        }),
        Package::Edoc(_) => None,
    };
    Ok(Checked {
        kind,
        sender,
        recipients,
        document_id,
        business,
        status,
        verdict: report.verdict,
        problems: report.problems,
    })
}

/// Parse a document or status package: the XML tree and what edXML says.
fn read_document(
    s: &AppState,
    bytes: &[u8],
) -> Result<(lienthong_xml::Document, lienthong_edxml::Parsed), ApiError> {
    let limits = lienthong_xml::Limits {
        max_bytes: s.limits.max_body_bytes,
        ..lienthong_xml::Limits::default()
    };
    let doc = lienthong_xml::Document::parse_with(bytes, &limits).map_err(|e| {
        ApiError::new("document.unreadable", format!("not readable as XML: {e}")).with(json!({
            "xml_code": e.code(), "line": e.position.line, "column": e.position.column
        }))
    })?;
    let parsed = lienthong_edxml::from_document(&doc, bytes).map_err(|e| {
        let p = e.position();
        ApiError::new("document.not_edxml", e.to_string())
            .with(json!({"edxml_code": e.code(), "line": p.line, "column": p.column}))
    })?;
    Ok((doc, parsed))
}

/// Verify the signature of a parsed document from `from` as of `signature_at`, under the
/// document trust in force, with revocation lists that must be fresh today.
fn signature_report(
    s: &AppState,
    doc: &lienthong_xml::Document,
    from: &lienthong_edxml::Organization,
    signature_at: Timestamp,
) -> lienthong_dsig::Report {
    let trust = current(&s.doc_trust);
    let dir = s.directory();
    let policy = Policy {
        trust: &trust,
        at: lienthong_dsig::unix_time(signature_at.as_millis() / 1000),
        expected_agency: Some(ExpectedAgency {
            code: from.organ_id.clone(),
            name: from.organ_name.clone(),
            // The directory's other codes for the same agency (its main code and aliases):
            // a certificate issued before a merger or renaming still speaks for it.
            other_codes: AgencyCode::parse(&from.organ_id)
                .ok()
                .and_then(|c| dir.agency(&c))
                .map(|a| {
                    std::iter::once(&a.code)
                        .chain(&a.aliases)
                        .map(ToString::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        }),
    };
    let mut report = lienthong_dsig::verify(doc, &Profile::edxml(), &policy);
    // A relayed signature is judged as of the message's entry into the network, but the
    // revocation lists must be fresh today: stale CRLs cannot vouch that a certificate was
    // not revoked since.
    let today = now().as_millis() / 1000;
    if let Some(until) = trust.crls_fresh_until()
        && until < today
        && report.valid
    {
        report.problem_codes.push("cert.crl_expired");
        report.problems.push(format!(
            "the revocation lists in use passed their nextUpdate on {}; fetch fresh ones (trust.crls) and reload",
            lienthong_dsig::time::format_rfc3339(until)
        ));
        report.valid = false;
        report.verdict = Verdict::Invalid;
    }
    report
}

/// Route every recipient; refuse (with every reason) if any cannot be routed.
fn route_all(
    s: &AppState,
    recipients: &[AgencyCode],
    hops: &[GatewayId],
    now: Timestamp,
) -> Result<NextHops, ApiError> {
    if s.full_directory {
        let unknown: Vec<Value> = recipients
            .iter()
            .filter(|r| s.directory().agency(r).is_none())
            .map(|r| {
                json!({"recipient": r.to_string(), "code": "unknown_agency",
                       "reason": format!("agency {r} is not in the federation directory")})
            })
            .collect();
        if let Some(first) = unknown.first() {
            let msg = format!(
                "cannot route every recipient: {}",
                first["reason"].as_str().unwrap_or_default()
            );
            return Err(ApiError::new("routing.refused", msg).with(json!({"refused": unknown})));
        }
    }
    let next = s
        .directory()
        .group_by_next_hop(recipients, &s.id, hops, today(now));
    if !next.refused.is_empty() {
        let detail: Vec<Value> = next
            .refused
            .iter()
            .map(|r| json!({"recipient": r.recipient.to_string(), "code": r.reason.code(), "reason": r.reason.to_string()}))
            .collect();
        let first = next
            .refused
            .first()
            .map(|r| r.reason.to_string())
            .unwrap_or_default();
        return Err(ApiError::new(
            "routing.refused",
            format!("cannot route every recipient: {first}"),
        )
        .with(json!({"refused": detail})));
    }
    Ok(next)
}

/// The dispatch of a new message (local deliveries, one queue entry per next hop, the receipt
/// we issued), stored in the same commit as the message itself.
fn plan(next: &NextHops, issued_receipt: Option<Vec<u8>>) -> Dispatch {
    Dispatch {
        deliver: next.local.iter().map(|d| d.agency.to_string()).collect(),
        enqueue: next
            .forward
            .iter()
            .map(|(hop, rs)| {
                (
                    hop.to_string(),
                    rs.iter().map(ToString::to_string).collect(),
                )
            })
            .collect(),
        issued_receipt,
    }
}

/// What a planned dispatch did, for metrics and waking forwarders.
fn planned(s: &AppState, plan: &Dispatch) -> Vec<String> {
    for agency in &plan.deliver {
        s.metrics.delivered();
        s.inbox_waiters.delivered(agency);
    }
    plan.enqueue.iter().map(|(hop, _)| hop.clone()).collect()
}

/// Deliver local recipients and queue the rest, idempotently: recipients already past
/// `accepted` are left alone. Returns the hops that got work. Used for a duplicate submission
/// or relay, whose original may predate dispatch-with-accept.
fn dispatch(
    s: &AppState,
    id: MessageId,
    next: &NextHops,
    now: Timestamp,
) -> Result<Vec<String>, ApiError> {
    let info = s.store.message(id)?;
    let pending = |code: &str| matches!(info.recipients.get(code), Some(RecipientState::Accepted));
    for d in &next.local {
        let code = d.agency.to_string();
        if pending(&code) {
            s.store.deliver(id, &code, now)?;
            s.metrics.delivered();
            s.inbox_waiters.delivered(&code);
        }
    }
    let mut hops = Vec::new();
    for (hop, recipients) in &next.forward {
        let list: Vec<String> = recipients
            .iter()
            .map(ToString::to_string)
            .filter(|r| pending(r))
            .collect();
        if !list.is_empty() {
            s.store.enqueue(id, hop.as_str(), &list, now, now)?;
            hops.push(hop.to_string());
        }
    }
    Ok(hops)
}

fn wake(s: &AppState, hops: &[String]) {
    for h in hops {
        if let Some(n) = s.notify.get(h) {
            n.notify_one();
        }
    }
}

// ---- health -----------------------------------------------------------------------------

async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(s): State<Shared>) -> Response {
    if !s.ready.load(std::sync::atomic::Ordering::Acquire) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "starting"})),
        )
            .into_response();
    }
    let st = s.clone();
    let failure = blocking(move || Ok(st.store.failure()))
        .await
        .unwrap_or_else(|e| Some(e.message));
    if let Some(reason) = failure {
        // Reads still work, but nothing can be accepted until the disk is fixed and the
        // gateway restarted: take it out of the load balancer and page someone.
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "store_failed",
                "gateway": s.id.to_string(),
                "reason": reason,
                "action": "the store refuses writes after a storage failure; fix the disk (space, IO errors in the kernel log), then restart the gateway",
            })),
        )
            .into_response()
    } else {
        Json(json!({"status": "ready", "gateway": s.id.to_string()})).into_response()
    }
}

async fn metrics(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let st = s.clone();
    let (stats, failed, activity) = blocking(move || {
        Ok((
            st.store.queue_stats(now())?,
            st.store.failure().is_some(),
            st.store.agency_activity()?,
        ))
    })
    .await?;
    let at = now();
    let inboxes: Vec<crate::metrics::InboxGauge> = activity
        .iter()
        .map(|a| crate::metrics::InboxGauge {
            agency: a.agency.clone(),
            unacknowledged: a.unacknowledged,
            oldest_age_seconds: a
                .oldest_unacknowledged_at
                .map_or(0, |t| at.millis_since(t) / 1000),
        })
        .collect();
    let health = crate::metrics::Health {
        store_failed: failed,
        document_crls_fresh_until: current(&s.doc_trust).crls_fresh_until(),
        inbox_waiters: s.inbox_waiters.waiting(),
        buffered_body_bytes: s.body_budget.held_bytes(),
    };
    let seen = crate::metrics::SeenGauges {
        next_hops: s.tls.next_hops.all(),
        clients: s.tls.clients.all(),
    };
    let text = s
        .metrics
        .render(&stats, &health, &inboxes, &s.links.all(), &seen);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

// ---- DMS ------------------------------------------------------------------------------

async fn submit(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let caller = require_agency(&peer)?;
    let (bytes, _body_share) = read_body(&s, &headers, body).await?;
    let kept = bytes.clone();
    let st = s.clone();
    let (id, sha, recipients, duplicate, hops, verdict) = blocking(move || {
        let now = now();
        let checked = check_document(&st, &bytes, now)?;
        let canon = |c: &AgencyCode| st.directory().canonical(c).cloned().unwrap_or_else(|| c.clone());
        let sender = AgencyCode::parse(&checked.sender).ok().map(|c| canon(&c));
        if sender != Some(canon(&caller)) {
            return Err(ApiError::new(
                "auth.wrong_agency",
                format!("the document is from {} but this certificate acts for {caller}", checked.sender),
            )
            .with(json!({"from": checked.sender, "certificate_agency": caller.to_string()})));
        }
        let next = route_all(&st, &checked.recipients, &[], now)?;
        let plan = plan(&next, None);
        let outcome = st.store.accept_with(
            &AcceptRequest {
                sender: checked.sender.clone(),
                kind: checked.kind,
                bytes: bytes.to_vec(),
                document_id: checked.document_id.clone(),
                business: checked.business,
                recipients: checked.recipients.iter().map(ToString::to_string).collect(),
                origin: Origin::Local,
                status: checked.status.clone(),
            },
            &plan,
            now,
        )?;
        if !checked.problems.is_empty() {
            tracing::warn!(message_id = %outcome.id, verdict = ?checked.verdict, problems = ?checked.problems, "accepted under policy 'record' with a signature that is not valid");
        }
        let hops = if outcome.duplicate {
            dispatch(&st, outcome.id, &next, now)?
        } else {
            planned(&st, &plan)
        };
        Ok((
            outcome.id,
            outcome.sha256,
            checked.recipients,
            outcome.duplicate,
            hops,
            checked.verdict,
        ))
    })
    .await?;
    if !duplicate && !hops.is_empty() {
        s.hot.put(id, kept, Vec::new());
    }
    wake(&s, &hops);
    if !duplicate {
        s.metrics.accepted(started.elapsed());
    }
    tracing::info!(message_id = %id, duplicate, "document accepted");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "id": id.to_string(),
            "sha256": sha.to_hex(),
            "recipients": recipients.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "duplicate": duplicate,
            "signature": verdict,
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct InboxQuery {
    after: Option<String>,
    limit: Option<usize>,
    kind: Option<String>,
    /// Long poll: seconds to wait for something new when the list is empty.
    wait: Option<u64>,
}

/// The longest inbox long poll, in seconds (also at most half the request timeout).
pub const MAX_INBOX_WAIT_S: u64 = 60;

async fn inbox_list(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    slot: Option<Extension<BusySlot>>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Response, ApiError> {
    // The inbox is kept under the agency's main code, also for a certificate naming an alias.
    let agency = canonical_agency(&s, require_agency(&peer)?);
    let after = match &q.after {
        Some(a) => Some(a.parse::<InboxCursor>().map_err(|_| {
            ApiError::new(
                "request.bad_request",
                format!("after='{a}' is not a cursor"),
            )
        })?),
        None => None,
    };
    let kind = match q.kind.as_deref() {
        None => None,
        Some("edoc") => Some(MessageKind::Edoc),
        Some("status") => Some(MessageKind::Status),
        Some(k) => {
            return Err(ApiError::new(
                "request.bad_request",
                format!("kind='{k}': use edoc or status"),
            ));
        }
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let wait = match q.wait {
        Some(w) if w > MAX_INBOX_WAIT_S => {
            return Err(ApiError::new(
                "request.bad_request",
                format!("wait={w}: at most {MAX_INBOX_WAIT_S} seconds"),
            ));
        }
        w => Duration::from_secs(w.unwrap_or(0))
            .min(Duration::from_millis(s.limits.request_timeout_ms / 2)),
    };
    let list = || {
        let (st, agency) = (s.clone(), agency.clone());
        blocking(move || Ok(st.store.list_inbox(agency.as_str(), after, limit, kind)?))
    };
    let mut items = list().await?;
    if items.is_empty() && !wait.is_zero() {
        // No slot free: answer at once, as without `wait`.
        if let Some(waiter) = s.inbox_waiters.register(agency.as_str()) {
            if let Some(Extension(slot)) = &slot {
                slot.release();
            }
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let mut woken = std::pin::pin!(waiter.notified());
                woken.as_mut().enable();
                // Delivered between the last look and `enable`: seen here.
                items = list().await?;
                if !items.is_empty() {
                    break;
                }
                if tokio::time::timeout_at(deadline, woken).await.is_err() {
                    break;
                }
            }
        }
    }
    let next = items.last().map(|i| i.cursor.to_string());
    Ok(Json(json!({"items": items, "next": next})).into_response())
}

fn parse_id(id: &str) -> Result<MessageId, ApiError> {
    id.parse::<MessageId>()
        .map_err(|_| ApiError::new("not_found", format!("'{id}' is not a message id")))
}

async fn inbox_get(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // The inbox is kept under the agency's main code, also for a certificate naming an alias.
    let agency = canonical_agency(&s, require_agency(&peer)?);
    let id = parse_id(&id)?;
    let st = s.clone();
    let size = blocking(move || Ok(in_inbox(&st, &agency, id)?.size)).await?;
    // The body's share of the memory budget is held until the answer has been sent.
    let share = s
        .body_budget
        .acquire(size, BUDGET_WAIT)
        .await
        .ok_or_else(|| budget_busy(&s))?;
    let st = s.clone();
    let bytes = blocking(move || Ok(st.store.read_payload(id)?)).await?;
    let mut r = Body::new(HeldBody {
        data: Some(Bytes::from(bytes)),
        _share: share,
    })
    .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

/// Message `id` if it is in `agency`'s inbox; otherwise `not_found` (the same for a
/// message that exists elsewhere, so that other agencies learn nothing).
fn in_inbox(
    s: &AppState,
    agency: &AgencyCode,
    id: MessageId,
) -> Result<lienthong_store::MessageInfo, ApiError> {
    let info = s.store.message(id)?;
    let ours = matches!(
        info.recipients.get(agency.as_str()),
        Some(RecipientState::Delivered | RecipientState::Fetched { .. })
    );
    if !ours {
        return Err(ApiError::new(
            "not_found",
            "no such message in this agency's inbox",
        ));
    }
    Ok(info)
}

/// Who signed a message in the caller's inbox, and whether the signature holds: verified
/// by the gateway under its document trust, as of the message's entry into the network
/// (as every hop checked it), with today's revocation lists. A DMS shows this to the clerk
/// instead of implementing XML signatures and the PKI itself.
async fn inbox_signature(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let agency = canonical_agency(&s, require_agency(&peer)?);
    let id = parse_id(&id)?;
    let st = s.clone();
    let info = blocking(move || in_inbox(&st, &agency, id)).await?;
    let share = s
        .body_budget
        .acquire(info.size, BUDGET_WAIT)
        .await
        .ok_or_else(|| budget_busy(&s))?;
    let st = s.clone();
    let report = blocking(move || {
        let _share = share;
        let bytes = st.store.read_payload(id)?;
        let (doc, parsed) = read_document(&st, &bytes)?;
        // As this gateway judged it when it accepted the message, however long ago.
        let at = relay_signature_time(id, info.accepted_at, st.relay_window_ms);
        Ok(signature_report(&st, &doc, parsed.package.from(), at))
    })
    .await?;
    Ok(Json(json!({"id": id.to_string(), "signature": report})).into_response())
}

/// A response body that holds its share of the memory budget until hyper has sent it.
struct HeldBody {
    data: Option<Bytes>,
    _share: crate::budget::BodyPermit,
}

impl hyper::body::Body for HeldBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.data.take().map(|d| Ok(hyper::body::Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AckBody {
    result: FetchResult,
    note: Option<String>,
}

async fn inbox_ack(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // The inbox is kept under the agency's main code, also for a certificate naming an alias.
    let agency = canonical_agency(&s, require_agency(&peer)?);
    let id = parse_id(&id)?;
    let (bytes, _body_share) = read_body(&s, &headers, body).await?;
    let ack: AckBody = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            "request.bad_request",
            format!("expected {{\"result\": \"done\"|\"fail\", \"note\": …}}: {e}"),
        )
    })?;
    if ack.note.as_ref().is_some_and(|n| n.len() > 4096) {
        return Err(ApiError::new(
            "request.bad_request",
            "note is longer than 4096 bytes",
        ));
    }
    let st = s.clone();
    blocking(move || {
        Ok(st
            .store
            .ack_inbox(agency.as_str(), id, ack.result, ack.note.as_deref(), now())?)
    })
    .await?;
    Ok(Json(json!({"id": id.to_string(), "result": ack.result})).into_response())
}

/// `GET /v1/documents/{id}?trail=true`: also ask the gateways down the path. Off by default:
/// a DMS that polls tracking must not make every gateway on the path work for it.
#[derive(Debug, Deserialize)]
struct TrackQuery {
    trail: Option<bool>,
}

async fn track(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> Result<Response, ApiError> {
    require_cert(&peer)?;
    let id = parse_id(&id)?;
    let st = s.clone();
    let mut view = blocking(move || {
        let info = st.store.message(id)?;
        let allowed = match &peer {
            Peer::Operator(_) => true,
            Peer::Agency(a) => {
                info.sender == a.as_str()
                    || st.directory().canonical(a).map(AgencyCode::as_str)
                        == Some(info.sender.as_str())
            }
            _ => false,
        };
        if !allowed {
            return Err(ApiError::new(
                "not_found",
                "no such message sent by this agency",
            ));
        }
        let history = st.store.history(id)?;
        let queue = st.store.queue_entries(id)?;
        let receipts: Vec<Value> = st
            .store
            .received_receipts(id)?
            .into_iter()
            .map(|r| {
                let parsed = Receipt::parse(&r.bytes).ok();
                json!({
                    "hop": r.hop,
                    "at": r.at,
                    "receipt": parsed,
                    "xml": String::from_utf8_lossy(&r.bytes),
                })
            })
            .collect();
        let statuses = statuses_for(&st, &info)?;
        Ok(json!({
            "id": id.to_string(),
            "message": info,
            "queue": queue,
            "receipts": receipts,
            "statuses": statuses,
            "history": history,
        }))
    })
    .await?;
    if q.trail == Some(true) {
        // Beyond this gateway: ask each next hop that signed a receipt, which asks its own.
        let hops: Vec<String> = view["receipts"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["hop"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_millis(TRAIL_BUDGET_MS);
        let next = trail_next(&s, id, hops, TRAIL_MAX_DEPTH, deadline).await;
        let recipients = view["message"]["recipients"].clone();
        view["end_to_end"] = end_to_end(s.id.as_str(), &recipients, &next);
        view["trail"] = Value::Array(next);
    }
    Ok(Json(view).into_response())
}

// ---- trails: what became of a message beyond this gateway --------------------------------

/// How many gateways down a trail may go (far beyond any real path; the hop limit is lower).
const TRAIL_MAX_DEPTH: u32 = 16;
/// Time for a whole trail: every gateway down the path answers within it, or is reported as
/// not answering.
const TRAIL_BUDGET_MS: u64 = 3_000;
/// Largest trail answer read from a peer.
const TRAIL_MAX_BYTES: usize = 1024 * 1024;

/// `GET /v1/relay/{id}?depth=N&budget_ms=T`.
#[derive(Debug, Deserialize)]
struct TrailQuery {
    depth: Option<u32>,
    budget_ms: Option<u64>,
}

/// For a gateway that relayed the message here (or one before it on the path): this
/// gateway's state of each recipient behind it, the receipts of its own next hops, and (down
/// to `depth` more gateways, within `budget_ms`) their trails in turn.
async fn relay_trail(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TrailQuery>,
) -> Result<Response, ApiError> {
    let caller = require_gateway(&peer)?;
    let id = parse_id(&id)?;
    let st = s.clone();
    let (mut node, hops) = blocking(move || {
        // Only gateways the message came through may ask.
        let info = relayed_message(&st, id, |hops| hops.iter().any(|h| h == caller.as_str()))?;
        let receipts: Vec<Value> = st
            .store
            .received_receipts(id)?
            .into_iter()
            .map(|r| {
                // The signed XML too: the sender keeps every hop's receipt, not only the
                // first, and a clerk verifies each offline.
                json!({"hop": r.hop, "at": r.at, "receipt": Receipt::parse(&r.bytes).ok(),
                       "xml": String::from_utf8_lossy(&r.bytes)})
            })
            .collect();
        let hops = receipts
            .iter()
            .filter_map(|r| r["hop"].as_str().map(str::to_owned))
            .collect::<Vec<_>>();
        Ok((
            json!({
                "gateway": st.id.to_string(),
                "recipients": info.recipients,
                "queue": st.store.queue_entries(id)?,
                "receipts": receipts,
            }),
            hops,
        ))
    })
    .await?;
    let depth = q.depth.unwrap_or(0).min(TRAIL_MAX_DEPTH);
    let budget = q.budget_ms.unwrap_or(TRAIL_BUDGET_MS).min(TRAIL_BUDGET_MS);
    let deadline = Instant::now() + Duration::from_millis(budget);
    node["next"] = Value::Array(trail_next(&s, id, hops, depth, deadline).await);
    Ok(Json(node).into_response())
}

/// The receipt this gateway signed for a message, for the gateway that relayed it here: a
/// sender that lost our answer asks before sending a big body again, and acknowledges with
/// this receipt if we have the message. `not_found` when we do not (or to anyone else).
async fn relay_receipt(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let caller = require_gateway(&peer)?;
    let id = parse_id(&id)?;
    let st = s.clone();
    let receipt = blocking(move || {
        // Only the gateway that relayed it here may ask.
        relayed_message(&st, id, |hops| {
            hops.last().map(String::as_str) == Some(caller.as_str())
        })?;
        st.store.issued_receipt(id)?.ok_or_else(not_relayed_here)
    })
    .await?;
    let mut r = receipt.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

fn not_relayed_here() -> ApiError {
    ApiError::new("not_found", "no such message relayed here by this gateway")
}

/// A message that came here by relay with a hop list that `may_ask` accepts; otherwise
/// `not_found`, the same as for a message that is not here, so that gateways off the path
/// learn nothing.
fn relayed_message(
    s: &AppState,
    id: MessageId,
    may_ask: impl FnOnce(&[String]) -> bool,
) -> Result<lienthong_store::MessageInfo, ApiError> {
    let info = match s.store.message(id) {
        Ok(i) => i,
        Err(e) if e.code() == "store.not_found" => return Err(not_relayed_here()),
        Err(e) => return Err(e.into()),
    };
    match &info.origin {
        Origin::Relayed { hops, .. } if may_ask(hops) => Ok(info),
        _ => Err(not_relayed_here()),
    }
}

/// The trails of `hops` for message `id`, asked concurrently; a hop that cannot answer in
/// time (down, or too far) is listed with the reason instead.
async fn trail_next(
    s: &Shared,
    id: MessageId,
    hops: Vec<String>,
    depth: u32,
    deadline: Instant,
) -> Vec<Value> {
    if hops.is_empty() {
        return Vec::new();
    }
    if depth == 0 {
        return hops
            .into_iter()
            .map(|h| json!({"gateway": h, "error": "not asked: the trail is deep enough"}))
            .collect();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, hop) in hops.iter().enumerate() {
        let url = s.peer_urls.get(hop).cloned();
        let client = crate::forward::client(&s.tls, hop, crate::forward::CONNECT_LIMIT);
        // Leave each level a little of the budget to answer in.
        let left = deadline.saturating_duration_since(Instant::now());
        let sub_budget = left.saturating_sub(Duration::from_millis(200));
        let path = format!(
            "/v1/relay/{id}?depth={}&budget_ms={}",
            depth - 1,
            sub_budget.as_millis()
        );
        tasks.spawn(async move {
            let answer = match (url, client) {
                (None, _) => Err("no URL for this gateway".to_owned()),
                (_, None) => Err("no client TLS configuration".to_owned()),
                (Some(url), Some(client)) => {
                    tokio::time::timeout(left, trail_get(&client, &url, &path))
                        .await
                        .unwrap_or_else(|_| Err("did not answer in time".to_owned()))
                }
            };
            (i, answer)
        });
    }
    let mut out: Vec<Value> = hops
        .iter()
        .map(|h| json!({"gateway": h, "error": "did not answer"}))
        .collect();
    while let Some(done) = tasks.join_next().await {
        if let Ok((i, answer)) = done
            && let Some(slot) = out.get_mut(i)
        {
            match answer {
                // The peer's answer is shown as it is, but must name the gateway asked.
                Ok(v) if v["gateway"] == slot["gateway"] => *slot = v,
                Ok(_) => slot["error"] = json!("answered for another gateway"),
                Err(e) => slot["error"] = json!(e),
            }
        }
    }
    out
}

async fn trail_get(
    client: &crate::forward::HttpsClient,
    base: &str,
    path: &str,
) -> Result<Value, String> {
    let req = hyper::Request::get(format!("{}{path}", base.trim_end_matches('/')))
        .body(http_body_util::Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let resp = client
        .request(req)
        .await
        .map_err(|e| format!("connection: {}", crate::client::error_chain(&e)))?;
    let status = resp.status();
    let body = http_body_util::Limited::new(resp.into_body(), TRAIL_MAX_BYTES)
        .collect()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?
        .to_bytes();
    if !status.is_success() {
        let code = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("answered {status} {code}").trim_end().to_owned());
    }
    serde_json::from_slice(&body).map_err(|e| format!("unreadable answer: {e}"))
}

/// Per recipient, the furthest state known: follow `relayed` into the next hop's trail as
/// long as it answered, so the sender sees `delivered`/`fetched` at the recipient's gateway,
/// or `dead` with the reason wherever the message stopped.
fn end_to_end(here: &str, recipients: &Value, next: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(rs) = recipients.as_object() {
        for (code, state) in rs {
            out.insert(code.clone(), follow(code, here, state, next, 0));
        }
    }
    Value::Object(out)
}

fn follow(code: &str, gateway: &str, state: &Value, next: &[Value], depth: u32) -> Value {
    let mut known = state.clone();
    if state["state"] == "relayed"
        && depth < TRAIL_MAX_DEPTH
        && let Some(hop) = state["hop"].as_str()
        && let Some(node) = next.iter().find(|n| n["gateway"] == hop)
    {
        if let Some(err) = node.get("error") {
            known["beyond"] = json!(format!("{hop}: {}", err.as_str().unwrap_or("no answer")));
        } else if let Some(further) = node["recipients"].get(code) {
            let deeper = node["next"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            return follow(code, hop, further, deeper, depth + 1);
        }
    }
    if let Some(obj) = known.as_object_mut() {
        obj.insert("gateway".into(), json!(gateway));
    }
    known
}

/// Business statuses that came back for a document: status packages delivered to the
/// sender here whose ResponseFor names this document's DocumentId (a store index).
fn statuses_for(s: &AppState, info: &lienthong_store::MessageInfo) -> Result<Vec<Value>, ApiError> {
    let Some(doc_id) = &info.document_id else {
        return Ok(vec![]);
    };
    if info.kind != MessageKind::Edoc {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    // The store indexes delivered status packages by the document they answer.
    for id in s.store.statuses_delivered(&info.sender, doc_id)? {
        let m = s.store.message(id)?;
        // Only statuses from this document's recipients (or about a recall, from them).
        if !info.recipients.contains_key(&m.sender) {
            continue;
        }
        // Kept with the metadata (it outlives retention); read off the bytes for messages
        // stored before it was.
        let note = m.status.clone().or_else(|| {
            s.store
                .read_payload(id)
                .ok()
                .and_then(|b| lienthong_edxml::read(&b).ok())
                .and_then(|p| match p.package {
                    Package::Status(st) => Some(StatusNote {
                        code: st.status_code.wire().to_owned(),
                        description: st.description.clone(),
                    }),
                    Package::Edoc(_) => None,
                })
        });
        let code = note.map(|n| {
            let label = lienthong_edxml::StatusCode::from_wire(&n.code)
                .label_vi()
                .to_owned();
            (n.code, label, n.description)
        });
        out.push((
            id,
            json!({
                "message_id": id.to_string(),
                "from": m.sender,
                "status_code": code.as_ref().map(|c| c.0.clone()),
                "label": code.as_ref().map(|c| c.1.clone()),
                "description": code.and_then(|c| c.2),
                "received_at": m.accepted_at,
            }),
        ));
    }
    // Relays run in parallel, so arrival order is not sending order. Ids are UUIDv7 given
    // by the gateway that accepted each status, so they sort by when it was sent.
    out.sort_by_key(|(id, _)| *id);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}

async fn agencies(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_cert(&peer)?;
    let list: Vec<Value> = s
        .directory()
        .agencies()
        .iter()
        .map(|a| serde_json::to_value(a).unwrap_or(Value::Null))
        .collect();
    Ok(Json(json!({"gateway": s.id.to_string(), "agencies": list})).into_response())
}

/// Operators: per agency homed here (and any other agency with activity here), what it sent
/// and received and what its DMS has not acknowledged yet, oldest first by age; for watching
/// each agency's compliance.
async fn agency_activity(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let st = s.clone();
    let stored = blocking(move || Ok(st.store.agency_activity()?)).await?;
    let rows = activity_rows(&s, stored, now());
    Ok(Json(json!({"gateway": s.id.to_string(), "agencies": rows})).into_response())
}

/// Activity rows: every agency homed at this gateway (zeros when it did nothing, itself worth
/// knowing), then any other agency with activity here (relayed statuses, say), with names and
/// the age of the oldest unacknowledged inbox entry.
fn activity_rows(
    s: &AppState,
    stored: Vec<lienthong_store::AgencyActivity>,
    now: Timestamp,
) -> Vec<Value> {
    let mut by_code: std::collections::BTreeMap<String, lienthong_store::AgencyActivity> =
        stored.into_iter().map(|a| (a.agency.clone(), a)).collect();
    for a in s.directory().agencies() {
        if a.gateway == s.id {
            let code = a.code.to_string();
            by_code
                .entry(code.clone())
                .or_insert_with(|| lienthong_store::AgencyActivity {
                    agency: code,
                    ..Default::default()
                });
        }
    }
    by_code
        .into_values()
        .map(|a| {
            let known = AgencyCode::parse(&a.agency)
                .ok()
                .and_then(|c| s.directory().agency(&c).cloned());
            json!({
                "agency": a.agency,
                "name": known.as_ref().map(|k| k.name.clone()),
                "home": known.as_ref().is_some_and(|k| k.gateway == s.id),
                "sent_documents": a.sent_documents,
                "sent_statuses": a.sent_statuses,
                "received_documents": a.received_documents,
                "received_statuses": a.received_statuses,
                "unacknowledged": a.unacknowledged,
                "oldest_unacknowledged_at": a.oldest_unacknowledged_at,
                "oldest_unacknowledged_age_seconds": a.oldest_unacknowledged_at.map(|t| now.millis_since(t) / 1000),
                "acknowledged_done": a.acknowledged_done,
                "acknowledged_failed": a.acknowledged_failed,
            })
        })
        .collect()
}

// ---- relay ----------------------------------------------------------------------------

fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Result<&'h str, ApiError> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new("request.bad_request", format!("header {name} is missing")))
}

async fn relay(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let from = require_gateway(&peer)?;
    let from_log = from.clone();
    let id = header_str(&headers, headers::MESSAGE_ID)?
        .parse::<MessageId>()
        .map_err(|_| {
            ApiError::new(
                "request.bad_request",
                "lienthong-message-id is not a message id",
            )
        })?;
    let sha = header_str(&headers, headers::SHA256)?.to_ascii_lowercase();
    let mut hops = Vec::new();
    for h in header_str(&headers, headers::HOPS)?
        .split(',')
        .filter(|h| !h.is_empty())
    {
        hops.push(
            GatewayId::parse(h.trim()).map_err(|e| {
                ApiError::new("request.bad_request", format!("lienthong-hops: {e}"))
            })?,
        );
    }
    let mut recipients = Vec::new();
    for r in header_str(&headers, headers::RECIPIENTS)?
        .split(',')
        .filter(|r| !r.is_empty())
    {
        let code = AgencyCode::parse(r.trim()).map_err(|e| {
            ApiError::new("request.bad_request", format!("lienthong-recipients: {e}"))
        })?;
        recipients.push(s.directory().canonical(&code).cloned().unwrap_or(code));
    }
    if hops.last() != Some(&from) {
        return Err(ApiError::new(
            "auth.relay_not_routed",
            format!("the hop list must end with the sending gateway {from}"),
        ));
    }
    let (bytes, _body_share) = read_body(&s, &headers, body).await?;
    let kept = bytes.clone();
    let path: Vec<String> = hops.iter().map(ToString::to_string).collect();
    let st = s.clone();
    let started = Instant::now();
    let (receipt, wake_hops, duplicate) = blocking(move || {
        let now = now();
        // A duplicate gets the original receipt, before any other work.
        if let Ok(Some(r)) = st.store.issued_receipt(id) {
            return Ok((r, vec![], true));
        }
        let actual = lienthong_store::Sha256::digest(&bytes).to_hex();
        if actual != sha {
            return Err(ApiError::new(
                "document.checksum",
                "the body does not match lienthong-sha256",
            )
            .with(json!({"expected": sha, "actual": actual})));
        }
        check_relay_routes(&st, &from, &hops, &recipients, now)?;
        let checked = check_document(
            &st,
            &bytes,
            relay_signature_time(id, now, st.relay_window_ms),
        )?;
        if let Some(r) = recipients.iter().find(|r| !checked.recipients.contains(r)) {
            return Err(ApiError::new(
                "auth.relay_not_routed",
                format!("{r} is not a recipient of this document"),
            ));
        }
        // A child sends up only what the agencies of its own subtree sent (a sender this
        // directory does not know is left to the signature check).
        if st.directory().parent(&from) == Some(&st.id)
            && let Ok(sender) = AgencyCode::parse(&checked.sender)
            && let Some(home) = st.directory().home_gateway(&sender)
            && !st.directory().subtree_contains(&from, home)
        {
            return Err(ApiError::new(
                "auth.relay_not_routed",
                format!(
                    "{from} relays a message from {sender}, which is homed at {home}, outside {from}'s subtree"
                ),
            ));
        }
        let next = route_all(&st, &recipients, &hops, now)?;
        // Sign the receipt first, so that it is stored in the same commit as the message.
        let receipt = Receipt {
            message_id: id.to_string(),
            document_sha256: actual,
            receiving_gateway: st.id.to_string(),
            received_at_ms: now.as_millis(),
            hop: u32::try_from(hops.len()).unwrap_or(u32::MAX),
        };
        let signing = st
            .signing
            .read()
            .map(|g| g.clone())
            .map_err(|_| ApiError::internal("signing key lock poisoned"))?;
        let signed = receipt
            .sign(&signing.key, &signing.chain)
            .map_err(ApiError::internal)?;
        let plan = plan(&next, Some(signed.clone()));
        let outcome = st.store.accept_with(
            &AcceptRequest {
                sender: checked.sender.clone(),
                kind: checked.kind,
                bytes: bytes.to_vec(),
                document_id: checked.document_id.clone(),
                business: checked.business,
                recipients: recipients.iter().map(ToString::to_string).collect(),
                origin: Origin::Relayed {
                    from_gateway: from.to_string(),
                    id,
                    hops: hops.iter().map(ToString::to_string).collect(),
                },
                status: checked.status.clone(),
            },
            &plan,
            now,
        )?;
        if !outcome.duplicate {
            return Ok((signed, planned(&st, &plan), false));
        }
        let wake = dispatch(&st, id, &next, now)?;
        // A duplicate gets the receipt stored first (the same bytes as the original's).
        let stored = st.store.put_issued_receipt(id, &signed, now)?;
        Ok((stored, wake, true))
    })
    .await?;
    if !duplicate && !wake_hops.is_empty() {
        s.hot.put(id, kept, path);
    }
    wake(&s, &wake_hops);
    s.metrics.received_relay(started.elapsed(), duplicate);
    tracing::info!(message_id = %id, from = %from_log, "relay received");
    let mut r = receipt.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

/// A gateway may relay to us only what the directory routes through it to us: from a
/// child, recipients outside that child's subtree; from the parent or a shortcut,
/// recipients in our subtree.
fn check_relay_routes(
    s: &AppState,
    from: &GatewayId,
    hops: &[GatewayId],
    recipients: &[AgencyCode],
    now: Timestamp,
) -> Result<(), ApiError> {
    // One directory for the whole check, even if a reload replaces it meanwhile.
    let dir = s.directory();
    let is_child = dir.parent(from) == Some(&s.id);
    let is_parent = dir.parent(&s.id) == Some(from);
    let is_shortcut = dir.shortcuts_from(from).any(|g| g == &s.id);
    if !(is_child || is_parent || is_shortcut) {
        return Err(ApiError::new(
            "auth.relay_not_routed",
            format!("{from} is not a neighbour of {} in the directory", s.id),
        ));
    }
    for r in recipients {
        let home = dir.home_gateway(r);
        let ok = match home {
            Some(h) => {
                let below_us = dir.subtree_contains(&s.id, h);
                if is_child {
                    !dir.subtree_contains(from, h)
                } else {
                    below_us
                }
            }
            // Unknown here: only a child may send it up (we pass it to our parent).
            None => is_child,
        };
        if !ok {
            return Err(ApiError::new(
                "auth.relay_not_routed",
                format!(
                    "{from} may not relay {r} to {}: the directory does not route it through this link",
                    s.id
                ),
            ));
        }
        if let RouteDecision::Refuse(reason) = dir.route(r, &s.id, hops, today(now)) {
            return Err(ApiError::new("routing.refused", reason.to_string())
                .with(json!({"recipient": r.to_string(), "code": reason.code()})));
        }
    }
    Ok(())
}

// ---- operators ------------------------------------------------------------------------

async fn queues(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let st = s.clone();
    let stats = blocking(move || Ok(st.store.queue_stats(now())?)).await?;
    let now_ms = now().as_millis();
    let links: serde_json::Map<String, Value> = s
        .links
        .all()
        .into_iter()
        .map(|(hop, h)| {
            let mut v = json!(h);
            v["peer_certificate"] = s
                .tls
                .next_hops
                .get(&hop)
                .map_or(Value::Null, |c| seen_json(&c, now_ms));
            (hop, v)
        })
        .collect();
    Ok(Json(json!({"gateway": s.id.to_string(), "queues": stats, "links": links})).into_response())
}

/// `GET /console`: the operators' read-only web page ([`crate::console`]).
async fn console(Extension(peer): Extension<Peer>) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let mut r = crate::console::PAGE.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::console::csp()),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

/// `POST /v1/backups`: start an online backup; 202 with its name.
async fn backup_start(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    require_json(&headers)?;
    let metrics = s.metrics.clone();
    let running = s
        .backups
        .start(s.store.clone(), now(), peer.to_string(), move |r| {
            metrics.backup_done(r);
        })?;
    tracing::info!(backup = %running.name, operator = %peer, "backup started");
    Ok((StatusCode::ACCEPTED, Json(json!(running))).into_response())
}

/// `GET /v1/backups`: the one running, the last failure, and the backups made.
async fn backup_status(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let b = s.backups.clone();
    let v = tokio::task::spawn_blocking(move || b.status())
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(v).into_response())
}

/// A certificate a peer presented, with the days it has left.
fn seen_json(c: &crate::seen::SeenCert, now_ms: u64) -> Value {
    let mut v = json!(c);
    v["days_left"] = json!(crate::seen::days_left(c.not_after, now_ms));
    v
}

/// `GET /v1/certificates`: every certificate this gateway depends on and when it expires,
/// the one expiring first first in each list: its own (and the CAs it trusts), the next
/// hops' (as presented when their forwarders last connected) and its clients' (DMSs,
/// gateways and operators, as presented when they last connected).
async fn certificates(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    let now_ms = now().as_millis();
    let mut own: Vec<(String, u64)> = s.tls.expiry();
    own.sort_by_key(|(_, t)| *t);
    let own: Vec<Value> = own
        .into_iter()
        .map(|(file, secs)| {
            let not_after = secs.saturating_mul(1000);
            json!({
                "file": file,
                "not_after": not_after,
                "days_left": crate::seen::days_left(not_after, now_ms),
            })
        })
        .collect();
    let mut next_hops: Vec<(String, Option<crate::seen::SeenCert>)> = s
        .links
        .all()
        .into_iter()
        .map(|(hop, _)| {
            let c = s.tls.next_hops.get(&hop);
            (hop, c)
        })
        .collect();
    // Not yet seen (never connected) last.
    next_hops.sort_by_key(|(hop, c)| (c.as_ref().map_or(u64::MAX, |c| c.not_after), hop.clone()));
    let next_hops: Vec<Value> = next_hops
        .into_iter()
        .map(|(hop, c)| {
            json!({
                "hop": hop,
                "certificate": c.map_or(Value::Null, |c| seen_json(&c, now_ms)),
            })
        })
        .collect();
    let clients: Vec<Value> = s
        .tls
        .clients
        .all()
        .into_iter()
        .map(|(who, c)| json!({"peer": who, "certificate": seen_json(&c, now_ms)}))
        .collect();
    Ok(Json(json!({
        "gateway": s.id.to_string(),
        "now": now_ms,
        "own": own,
        "next_hops": next_hops,
        "clients": clients,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
struct MessagesQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    /// Start at this time (RFC 3339 or YYYY-MM-DD, UTC): ids are UUID v7, in time order.
    since: Option<String>,
    /// Stop before this time.
    until: Option<String>,
    /// Only messages this agency sent or that have it among their recipients.
    agency: Option<String>,
    /// Only messages with a dead letter whose reason contains this text.
    reason: Option<String>,
    /// Find a document by its edXML DocumentId instead of listing a state.
    document_id: Option<String>,
    /// Its sender (default: the agency code before the first comma of the DocumentId,
    /// as edXML producers write it: `CODE,DATE,NUMBER/NOTATION`).
    sender: Option<String>,
}

fn parse_state(s: &str) -> Option<MessageState> {
    MessageState::ALL.into_iter().find(|m| {
        serde_json::to_value(m)
            .ok()
            .and_then(|v| v.as_str().map(|x| x == s))
            .unwrap_or(false)
    })
}

async fn messages(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Response, ApiError> {
    require_operator(&peer)?;
    if let Some(doc) = q.document_id.clone() {
        return find_document(&s, doc, q.sender.clone()).await;
    }
    let state_name = q.state.clone().unwrap_or_else(|| "dead".into());
    let agency = match &q.agency {
        Some(raw) => {
            let code = AgencyCode::parse(raw).map_err(|e| {
                ApiError::new("request.bad_request", format!("agency '{raw}': {e}"))
            })?;
            Some(canonical_agency(&s, code))
        }
        None => None,
    };
    let mut query = search_query(
        &state_name,
        &q.after,
        &q.since,
        &q.until,
        q.limit,
        agency.as_ref(),
    )?;
    query.reason = q.reason.clone().filter(|r| !r.is_empty());
    let st = s.clone();
    let page = blocking(move || Ok(st.store.find_messages(&query)?)).await?;
    let mut body = json!({
        "state": state_name,
        "messages": page.messages,
        "next": page.next.map(|id| id.to_string()),
        "scanned": page.scanned,
    });
    if let Some(a) = agency {
        body["agency"] = json!(a.to_string());
    }
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize)]
struct SentQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    since: Option<String>,
    until: Option<String>,
}

/// A DMS's own sent documents and statuses, by state and time: "which of mine are still
/// on their way, and did any fail?" (`GET /v1/messages` for the caller's agency, as sender).
async fn sent_documents(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    ApiQuery(q): ApiQuery<SentQuery>,
) -> Result<Response, ApiError> {
    let caller = canonical_agency(&s, require_agency(&peer)?);
    let state_name = q.state.clone().unwrap_or_else(|| "all".into());
    let mut query = search_query(&state_name, &q.after, &q.since, &q.until, q.limit, None)?;
    query.sender = Some(caller.to_string());
    let st = s.clone();
    let page = blocking(move || Ok(st.store.find_messages(&query)?)).await?;
    Ok(Json(json!({
        "state": state_name,
        "agency": caller.to_string(),
        "messages": page.messages,
        "next": page.next.map(|id| id.to_string()),
        "scanned": page.scanned,
    }))
    .into_response())
}

/// The store query of a search: `state` (a state or `all`), `after` (an id), `since` and
/// `until` (times), `limit` (1…1000, default 100), and optionally an agency.
fn search_query(
    state_name: &str,
    after: &Option<String>,
    since: &Option<String>,
    until: &Option<String>,
    limit: Option<usize>,
    agency: Option<&AgencyCode>,
) -> Result<MessageQuery, ApiError> {
    let state = match state_name {
        "all" => None,
        name => Some(parse_state(name).ok_or_else(|| {
            ApiError::new(
                "request.bad_request",
                format!("state='{name}' is not a message state (nor 'all')"),
            )
        })?),
    };
    let after = match after {
        Some(a) => Some(parse_id(a)?),
        None => None,
    };
    let since = since.as_deref().map(|t| time_id("since", t)).transpose()?;
    let before = until.as_deref().map(|t| time_id("until", t)).transpose()?;
    Ok(MessageQuery {
        state,
        // Whichever starts later.
        after: after.max(since),
        before,
        agency: agency.map(ToString::to_string),
        sender: None,
        reason: None,
        limit: limit.unwrap_or(100).clamp(1, 1000),
        scan_limit: MESSAGES_SCAN_LIMIT,
    })
}

/// How many messages one `GET /v1/messages` page examines at most: a search for a rare
/// agency in a store of millions answers in bounded time, and says where to go on.
const MESSAGES_SCAN_LIMIT: usize = 20_000;

/// The first possible message id at the time `value` (query parameter `name`).
fn time_id(name: &str, value: &str) -> Result<MessageId, ApiError> {
    let secs = lienthong_dsig::time::parse_time(value).ok_or_else(|| {
        ApiError::new(
            "request.bad_request",
            format!("{name}='{value}' is not a time (use 2026-11-22 or 2026-11-22T08:00:00Z)"),
        )
    })?;
    Ok(MessageId::first_at(Timestamp::from_millis(
        secs.saturating_mul(1000),
    )))
}

/// An operator asked about "document 123/UBND-VP": the message with that DocumentId.
async fn find_document(
    s: &Shared,
    document_id: String,
    sender: Option<String>,
) -> Result<Response, ApiError> {
    let raw = sender
        .or_else(|| {
            document_id
                .split(',')
                .next()
                .map(str::trim)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let sender = AgencyCode::parse(&raw).map_err(|e| {
        ApiError::new(
            "request.bad_request",
            format!(
                "sender '{raw}': {e} (give sender=CODE when the DocumentId does not start with it)"
            ),
        )
    })?;
    let sender = s.directory().canonical(&sender).cloned().unwrap_or(sender);
    let st = s.clone();
    let (doc, code) = (document_id.clone(), sender.to_string());
    let list = blocking(move || {
        let found = match st.store.document_message(&code, &doc)? {
            Some(id) => vec![st.store.message(id)?],
            None => Vec::new(),
        };
        Ok(found)
    })
    .await?;
    Ok(Json(json!({
        "document_id": document_id,
        "sender": sender.to_string(),
        "messages": list,
        "next": null,
    }))
    .into_response())
}

/// The optional body of an operator action.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    /// Why: kept in the message's history with the operator's name.
    note: Option<String>,
}

async fn message_action(
    State(s): State<Shared>,
    Extension(peer): Extension<Peer>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let operator = require_operator(&peer)?;
    require_json(&headers)?;
    let id = parse_id(&id)?;
    let (bytes, _body_share) = read_body(&s, &headers, body).await?;
    let body: ActionBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        ActionBody::default()
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(
                "request.bad_request",
                format!("expected no body or {{\"note\": \"why\"}}: {e}"),
            )
        })?
    };
    let by = ActionBy::operator(operator, body.note.filter(|n| !n.trim().is_empty()));
    by.check()
        .map_err(|e| ApiError::new("request.bad_request", format!("{action}: {e}")))?;
    let st = s.clone();
    let act = action.clone();
    let who = by.clone();
    let hops = blocking(move || {
        let now = now();
        match act.as_str() {
            "retry" => st.store.retry_now(id, now, &who)?,
            "suspend" => st.store.suspend(id, now, &who)?,
            "resume" => st.store.resume(id, now, &who)?,
            "cancel" => st.store.cancel(id, now, &who)?,
            other => {
                return Err(ApiError::new(
                    "not_found",
                    format!("no action '{other}' (retry, suspend, resume, cancel)"),
                ));
            }
        }
        Ok(st
            .store
            .queue_entries(id)?
            .into_iter()
            .map(|e| e.hop)
            .collect::<Vec<_>>())
    })
    .await?;
    wake(&s, &hops);
    tracing::info!(
        message_id = %id,
        action = %action,
        operator = %peer,
        note = by.note.as_deref().unwrap_or(""),
        "operator action"
    );
    Ok(Json(json!({"id": id.to_string(), "action": action, "done": true})).into_response())
}

/// Messages accepted but not yet routed (a crash between accepting and queueing): route
/// and queue them again. Run at start.
pub fn recover_unrouted(s: &AppState) -> Result<usize, ApiError> {
    let mut done = 0;
    let mut after = None;
    loop {
        let batch = s.store.list_messages(MessageState::Accepted, after, 500)?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for info in batch {
            let pending: Vec<AgencyCode> = info
                .recipients
                .iter()
                .filter(|(_, st)| matches!(st, RecipientState::Accepted))
                .filter_map(|(c, _)| AgencyCode::parse(c).ok())
                .collect();
            if pending.is_empty() {
                continue;
            }
            let hops: Vec<GatewayId> = match &info.origin {
                Origin::Local => vec![],
                Origin::Relayed { hops, .. } => hops
                    .iter()
                    .filter_map(|h| GatewayId::parse(h).ok())
                    .collect(),
            };
            let now = now();
            let next = s
                .directory()
                .group_by_next_hop(&pending, &s.id, &hops, today(now));
            dispatch(s, info.id, &next, now)?;
            done += 1;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relayed_signature_is_checked_as_of_the_message_entering_the_network() {
        let day = 86_400_000;
        let now = Timestamp::from_millis(1_795_305_600_000);
        let sent = Timestamp::from_millis(now.as_millis() - 2 * day);
        let id = MessageId::new_v7(sent);
        // Within the window: the time the first gateway gave the message.
        assert_eq!(relay_signature_time(id, now, 3 * day), sent);
        // Older than anything may travel: no earlier than the window allows.
        assert_eq!(
            relay_signature_time(id, now, day),
            Timestamp::from_millis(now.as_millis() - day)
        );
        // An id from the future (a peer's clock ahead): now.
        let ahead = MessageId::new_v7(Timestamp::from_millis(now.as_millis() + day));
        assert_eq!(relay_signature_time(ahead, now, 3 * day), now);
    }
}
