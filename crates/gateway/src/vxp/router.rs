//! The VXP router: one handler for every path (the operation is the last segment), the
//! caller authenticated from the signed headers, behind the mTLS API's layers; and the
//! outer layer that puts every refusal in the SDK's envelope.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use lienthong_types::Code;
use lienthong_vxp::{Operation, Signed};

use super::ops;
use super::shared::{Done, Vxp, VxpAnswer, answer, fail};
use super::systems::{System, VxpState};
use crate::error::{ErrorCode, ErrorText};
use crate::state::Shared;

/// The VXP router: one handler for every path (the operation is the last segment), behind
/// the mTLS API's layers for the head's size, the time limit and the concurrency limit.
pub(crate) fn router(s: Shared, vx: Arc<VxpState>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::middleware::from_fn_with_state(
            s.clone(),
            crate::http::concurrency,
        ))
        .layer(axum::middleware::from_fn_with_state(
            crate::http::TimeLimits::of(&s.limits),
            crate::http::time_limit,
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
            let text = r.extensions().get::<ErrorText>().map_or_else(
                || lienthong_i18n::code_message(*code, lienthong_i18n::Lang::default()),
                |t| t.0.clone(),
            );
            fail(op, *code, text)
        }
        None => r,
    }
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
            v.s.metrics.vxp_request("-", "refused");
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
    v.s.metrics
        .vxp_request(&system.id, if result.is_ok() { "ok" } else { "refused" });
    match result {
        Ok(Done::Reply(reply)) => answer(reply, 200),
        Ok(Done::Raw(r)) => r,
        Err(e) => {
            tracing::info!(system = %system.id, operation = op.name(), code = %e.code, reason = %e.message, "VXP operation refused");
            fail(Some(op), e.code, e.message)
        }
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
