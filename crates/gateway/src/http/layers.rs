//! The layers every request passes: refusal counting, the time limit, the concurrency limit
//! (with the slot a long poll gives back) and the per-peer rate limit.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use lienthong_types::Code;

use crate::config::LimitsSection;
use crate::error::ApiError;
use crate::identity::Peer;
use crate::state::Shared;

/// Every refusal is counted here, by its code, whichever layer or handler made it.
pub(crate) async fn count_refusals(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    if let Some(code) = r.extensions().get::<crate::error::ErrorCode>() {
        s.metrics.refused(code.0.as_str());
    }
    r
}

pub(crate) async fn with_timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(Code::RequestTimeout, "the request took too long").into_response(),
    }
}

/// The request's slot under `max_concurrent_requests`, which a long poll gives back while it
/// waits.
#[derive(Clone)]
pub(crate) struct BusySlot(pub(crate) Arc<Mutex<Option<tokio::sync::OwnedSemaphorePermit>>>);

impl BusySlot {
    pub(crate) fn release(&self) {
        if let Ok(mut g) = self.0.lock() {
            g.take();
        }
    }
}

pub(crate) async fn concurrency(State(s): State<Shared>, mut req: Request, next: Next) -> Response {
    match s.busy.clone().try_acquire_owned() {
        Ok(permit) => {
            req.extensions_mut()
                .insert(BusySlot(Arc::new(Mutex::new(Some(permit)))));
            next.run(req).await
        }
        Err(_) => ApiError::new(
            Code::ServerBusy,
            "too many requests in progress; try again shortly",
        )
        .into_response(),
    }
}

/// Peer keys remembered at most; past this, keys whose buckets are full again are dropped.
const RATE_KEYS: usize = 100_000;

/// The per-peer limiter: `per_peer_rate` requests a second, bursts of `per_peer_burst`.
pub(crate) fn peer_rate_limiter(limits: &LimitsSection) -> DefaultKeyedRateLimiter<String> {
    // the configuration check refuses zeroes; 1 is the floor here all the same
    let rate = NonZeroU32::new(limits.per_peer_rate).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(limits.per_peer_burst).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
}

pub(crate) async fn rate_limit(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let key = req
        .extensions()
        .get::<Peer>()
        .map_or_else(|| "anonymous".to_owned(), Peer::key);
    if s.rate.len() > RATE_KEYS {
        s.rate.retain_recent();
    }
    if s.rate.check_key(&key).is_ok() {
        next.run(req).await
    } else {
        ApiError::new(
            Code::RequestRateLimited,
            "too many requests from this peer; slow down",
        )
        .into_response()
    }
}
