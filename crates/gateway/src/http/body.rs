//! Request bodies read within the limits (size, arrival rate, the memory budget), and
//! response bodies that hold their share of the budget until sent.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::Bytes;
use http_body_util::BodyExt;
use lienthong_i18n::msg;
use lienthong_types::Code;
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// How long a body of declared length waits for its share of the memory budget.
pub(crate) const BUDGET_WAIT: Duration = Duration::from_secs(5);

/// The refusal when the memory budget for bodies is spent, or `who`'s share of it.
pub(crate) fn busy(s: &AppState, why: crate::budget::Busy) -> ApiError {
    match why {
        crate::budget::Busy::Budget => budget_busy(s),
        crate::budget::Busy::Holder => ApiError::new(
            Code::ServerBusy,
            msg!("api-body-client-share"),
        )
        .with(json!({"max_buffered_body_bytes_per_identity": s.limits.max_buffered_body_bytes_per_identity})),
    }
}

/// The refusal when the memory budget for bodies is spent.
pub(crate) fn budget_busy(s: &AppState) -> ApiError {
    ApiError::new(Code::ServerBusy, msg!("api-body-memory"))
        .with(json!({"max_buffered_body_bytes": s.limits.max_buffered_body_bytes}))
}

/// `who`'s share of the memory budget for a body of `bytes`, waiting at most
/// [`BUDGET_WAIT`] for it; `server.busy` when it does not come.
pub(crate) async fn body_share(
    s: &AppState,
    who: &str,
    bytes: u64,
) -> Result<crate::budget::BodyPermit, ApiError> {
    s.body_budget
        .acquire_for(who, bytes, BUDGET_WAIT)
        .await
        .map_err(|why| busy(s, why))
}

/// Read a request body within the limits: its size, its arrival rate, and the memory budget
/// for bodies held at once, of which the caller `who` (its `Peer::key`) may hold its share
/// only (the returned permit holds the body's share; keep it while the bytes are in use).
pub(crate) async fn read_body(
    s: &AppState,
    who: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, crate::budget::BodyPermit), ApiError> {
    let max = s.limits.max_body_bytes;
    let too_large = || {
        ApiError::new(Code::RequestTooLarge, msg!("api-body-too-large", max = max))
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
        Some(len) => body_share(s, who, len).await?,
        None => crate::budget::BodyPermit::default(),
    };
    // In whole KiB, as the budget counts: a body arriving in small frames grows its share a
    // KiB at a time, not a KiB per frame.
    let mut covered = declared.unwrap_or(0).div_ceil(1024) * 1024;
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
                    Code::RequestTimeout,
                    msg!("api-body-too-slow", rate = rate),
                )
                .with(json!({"received": received, "min_bytes_per_second": rate})));
            }
            Ok(None) => return Ok((buf.freeze(), permit)),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    let after = (buf.len() + data.len()) as u64;
                    if after > covered {
                        let target = after.div_ceil(1024) * 1024;
                        s.body_budget
                            .try_grow_for(who, &mut permit, target - covered)
                            .map_err(|why| busy(s, why))?;
                        covered = target;
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
                return Err(
                    ApiError::new(Code::RequestBadRequest, msg!("api-body-unreadable")).because(e),
                );
            }
        }
    }
}

/// A response body that holds its share of the memory budget until hyper has sent it.
pub(crate) struct HeldBody {
    pub(crate) data: Option<Bytes>,
    pub(crate) _share: crate::budget::BodyPermit,
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
