//! The national axis's DMS API (VXP) on a second listener (`[vxp]`), so that a DMS built on
//! the official SDK connects unchanged. The wire contract is `lienthong-vxp`'s; this is the
//! shell: the listener, authentication against the configured systems, and the operations
//! carried out through the same core, store, inboxes and statuses as the mTLS API.
//!
//! Every answer is the SDK's envelope (`status`, `ErrorCode`, `ErrorDesc`): a refusal made
//! by a shared layer (the head's size, the time limit, the concurrency limit) is turned into
//! one by [`envelope`], with the API's code as `ErrorCode`.

pub mod client;
mod listen;
mod ops;
mod systems;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lienthong_types::Code;
use lienthong_vxp::{Operation, Reply, Signed};

use crate::error::{ErrorCode, ErrorText};
use crate::state::Shared;

pub use lienthong_vxp::sign::new_secret;
pub use listen::VxpRunning;
pub(crate) use listen::start;
pub use systems::{System, Systems, VxpState};

/// What the VXP handlers share: the gateway's state and the systems.
#[derive(Clone)]
pub(crate) struct Vxp {
    pub(crate) s: Shared,
    pub(crate) vx: Arc<VxpState>,
}

/// Marks a response as already in the VXP shape.
#[derive(Debug, Clone, Copy)]
struct VxpAnswer;

/// The VXP router: one handler for every path (the operation is the last segment), behind
/// the mTLS API's layers for the head's size, the time limit and the concurrency limit.
pub(crate) fn router(s: Shared, vx: Arc<VxpState>) -> Router {
    let timeout = std::time::Duration::from_millis(s.limits.request_timeout_ms);
    let min_rate = s.limits.min_bytes_per_second;
    let max_body = s.limits.max_body_bytes as u64;
    Router::new()
        .fallback(handle)
        .layer(axum::middleware::from_fn_with_state(
            s.clone(),
            crate::http::concurrency,
        ))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let declared = req
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(0)
                    .min(max_body);
                let limit = crate::net::transfer_timeout(timeout, declared, min_rate);
                crate::http::with_timeout(limit, req, next)
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            s.clone(),
            crate::http::head_limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            s.clone(),
            crate::http::count_refusals,
        ))
        .layer(axum::middleware::from_fn(envelope))
        .with_state(Vxp { s, vx })
}

/// Every answer in the SDK's shape: a refusal made as an API error becomes a FAIL envelope
/// with its code, its message and the operation's required members.
async fn envelope(req: Request, next: Next) -> Response {
    let op = Operation::from_path(req.uri().path());
    let r = next.run(req).await;
    if r.extensions().get::<VxpAnswer>().is_some() {
        return r;
    }
    match r.extensions().get::<ErrorCode>() {
        Some(ErrorCode(code)) => {
            let text = r
                .extensions()
                .get::<ErrorText>()
                .map_or_else(|| code.message().to_owned(), |t| t.0.clone());
            answer(Reply::fail(op, *code, text), code.http_status())
        }
        None => r,
    }
}

/// The JSON answer `reply`, with HTTP status `status` (the SDK reads the body whatever the
/// status; tools and logs see the right one).
fn answer(reply: Reply, status: u16) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        reply.to_bytes(),
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.extensions_mut().insert(VxpAnswer);
    if !reply.is_ok()
        && let Some(code) = Code::parse(reply.code())
    {
        r.extensions_mut().insert(ErrorCode(code));
    }
    r
}

/// A refusal of `op` with `code`.
fn fail(op: Option<Operation>, code: Code, message: impl Into<String>) -> Response {
    answer(Reply::fail(op, code, message), code.http_status())
}

/// The one handler: the operation from the path, the caller from the signed headers, then
/// the operation.
async fn handle(State(v): State<Vxp>, req: Request) -> Response {
    let Some(op) = Operation::from_path(req.uri().path()) else {
        return fail(
            None,
            Code::VxpUnknownOperation,
            "no such VXP operation: the last segment of the path names it (sendEdoc, getReceivedEdocList, getEdoc, updateStatus, …)",
        );
    };
    let (parts, body) = req.into_parts();
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let systems = v.vx.systems();
    let signed = match lienthong_vxp::authenticate(&headers, |id| {
        systems.get(id).map(System::secrets)
    }) {
        Ok(s) => s,
        Err(e) => {
            tracing::info!(operation = op.name(), code = %e.code, reason = %e.message, "VXP request refused");
            return fail(Some(op), e.code, e.message);
        }
    };
    if let Err(e) = check_skew(&v, &signed) {
        return fail(Some(op), Code::VxpClockSkew, e);
    }
    let Some(system) = systems.get(&signed.system) else {
        return fail(Some(op), Code::VxpUnknownSystem, "no such system");
    };
    if signed.by_previous_secret {
        tracing::info!(system = %system.id, "VXP request signed with the previous secret: rotation still in progress");
    }
    let result = ops::run(&v, op, system, &signed, &parts.headers, body).await;
    match result {
        Ok(Done::Reply(reply)) => answer(reply, 200),
        Ok(Done::Raw(r)) => r,
        Err(e) => {
            tracing::info!(system = %system.id, operation = op.name(), code = %e.code, reason = %e.message, "VXP operation refused");
            fail(Some(op), e.code, e.message)
        }
    }
}

/// What an operation answers: the envelope, or raw bytes (`downloadEdoc`).
enum Done {
    Reply(Reply),
    Raw(Response),
}

impl Done {
    fn raw(bytes: Body) -> Done {
        let mut r = Response::new(bytes);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        r.extensions_mut().insert(VxpAnswer);
        Done::Raw(r)
    }
}

/// With `[vxp] max_clock_skew_s`: the request's timestamp (Vietnam time) within that of the
/// gateway's clock.
fn check_skew(v: &Vxp, signed: &Signed) -> Result<(), String> {
    let Some(max) = v.vx.max_clock_skew_s else {
        return Ok(());
    };
    let sent = lienthong_vxp::stamp::parse(&signed.timestamp)
        .and_then(lienthong_vxp::time::vietnam_ms)
        .ok_or_else(|| {
            format!(
                "XroadVnpt-timestamp '{}' is not ddMMyyyyTHHmmss+SSSS",
                signed.timestamp.chars().take(40).collect::<String>()
            )
        })?;
    let now = v.s.clock.now().as_millis();
    let skew = now.abs_diff(sent) / 1000;
    if skew > max {
        return Err(format!(
            "XroadVnpt-timestamp is {skew} s from the gateway's clock; at most {max} s is allowed here"
        ));
    }
    Ok(())
}

impl crate::server::RunningGateway {
    /// Re-read the VXP systems and their secrets from a re-read configuration `v` (as
    /// `SIGHUP` does); on error the ones in force stay. Nothing to do without `[vxp]`; a
    /// listener added or removed, or its address changed, needs a restart.
    pub fn reload_vxp(&self, v: &crate::config::Validated) -> Result<String, String> {
        match (&self.vxp, &v.config.vxp) {
            (None, None) => Ok("no VXP listener".into()),
            (Some(running), Some(section)) => running.state.reload(section),
            _ => Err("[vxp] was added or removed: restart to apply it".into()),
        }
    }
}
