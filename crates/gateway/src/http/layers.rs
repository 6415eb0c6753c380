//! The layers every request passes: refusal counting, the request head's size, the time
//! limit, the concurrency limit (with the slot a long poll gives back) and the per-peer rate
//! limit.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use lienthong_i18n::{Lang, msg};
use lienthong_types::Code;

use crate::config::LimitsSection;
use crate::error::ApiError;
use crate::identity::Peer;
use crate::state::Shared;

/// The caller's language, from `Accept-Language` (Vietnamese when it names neither
/// Vietnamese nor English), as a request extension for handlers; an error answer is written
/// in it here, whichever layer or handler made it.
pub(crate) async fn localize(mut req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    req.extensions_mut().insert(lang);
    let r = next.run(req).await;
    if lang == Lang::default() {
        return r;
    }
    match r.extensions().get::<ApiError>() {
        Some(e) => {
            let e = e.clone();
            let headers = r.headers().clone();
            let mut again = e.response(lang);
            for (name, value) in &headers {
                if name != axum::http::header::CONTENT_LENGTH
                    && name != axum::http::header::CONTENT_TYPE
                {
                    again.headers_mut().insert(name.clone(), value.clone());
                }
            }
            again
        }
        None => r,
    }
}

/// The language an `Accept-Language` header asks for.
pub(crate) fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Every refusal is counted here, by its code, whichever layer or handler made it.
pub(crate) async fn count_refusals(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    if let Some(code) = r.extensions().get::<crate::error::ErrorCode>() {
        s.metrics.refused(code.0.as_str());
    }
    r
}

/// The request head within `max_uri_bytes`, `max_headers` and `max_header_bytes`: past
/// them, 414 `request.uri_too_long` or 431 `request.headers_too_large` with the JSON error.
/// The HTTP stack's own limits are set above these (see `server`), so that this layer, not
/// the stack's bare answer, is what a client meets.
pub(crate) async fn head_limits(State(s): State<Shared>, req: Request, next: Next) -> Response {
    match head_refusal(&s.limits, &req) {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    }
}

fn head_refusal(l: &LimitsSection, req: &Request) -> Option<ApiError> {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > l.max_uri_bytes {
        return Some(ApiError::new(
            Code::RequestUriTooLong,
            msg!("api-uri-too-long", bytes = target, max = l.max_uri_bytes),
        ));
    }
    let count = req.headers().len();
    if count > l.max_headers {
        return Some(ApiError::new(
            Code::RequestHeadersTooLarge,
            msg!("api-too-many-headers", count = count, max = l.max_headers),
        ));
    }
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if bytes > l.max_header_bytes {
        return Some(ApiError::new(
            Code::RequestHeadersTooLarge,
            msg!(
                "api-headers-too-large",
                bytes = bytes,
                max = l.max_header_bytes
            ),
        ));
    }
    None
}

/// What a request's time limit is made of: `request_timeout_ms`, plus its declared body at
/// the slowest rate still served (a length above the body limit is refused with 413
/// before it matters).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeLimits {
    base: Duration,
    min_rate: u64,
    max_body: u64,
}

impl TimeLimits {
    pub(crate) fn of(l: &LimitsSection) -> TimeLimits {
        TimeLimits {
            base: Duration::from_millis(l.request_timeout_ms),
            min_rate: l.min_bytes_per_second,
            max_body: l.max_body_bytes as u64,
        }
    }
}

/// The request within its time: its base time plus its body's share (408 after).
pub(crate) async fn time_limit(State(t): State<TimeLimits>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(0)
        .min(t.max_body);
    let limit = crate::net::transfer_timeout(t.base, declared, t.min_rate);
    with_timeout(limit, req, next).await
}

async fn with_timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(Code::RequestTimeout, msg!("api-timeout")).into_response(),
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
        Err(_) => ApiError::new(Code::ServerBusy, msg!("api-busy")).into_response(),
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
    let key = req.extensions().get::<Peer>().map_or_else(
        || "anonymous".to_owned(),
        |p| super::extract::share_key(&s.snapshot(), p),
    );
    if s.rate.len() > RATE_KEYS {
        s.rate.retain_recent();
    }
    if s.rate.check_key(&key).is_ok() {
        next.run(req).await
    } else {
        ApiError::new(Code::RequestRateLimited, msg!("api-rate-limited")).into_response()
    }
}
