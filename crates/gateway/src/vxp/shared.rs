//! What the VXP handlers share: the state, the answer in the SDK's shape, and what an
//! operation gives back.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lienthong_types::Code;
use lienthong_vxp::{Operation, Reply};

use super::systems::VxpState;
use crate::error::ErrorCode;
use crate::state::Shared;

/// What the VXP handlers share: the gateway's state and the systems.
#[derive(Clone)]
pub(crate) struct Vxp {
    pub(crate) s: Shared,
    pub(crate) vx: Arc<VxpState>,
}

/// Marks a response as already in the VXP shape.
#[derive(Debug, Clone, Copy)]
pub(super) struct VxpAnswer;

/// The JSON answer `reply`, with HTTP status `status` (the SDK reads the body whatever the
/// status; tools and logs see the right one).
pub(super) fn answer(reply: Reply, status: u16) -> Response {
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
/// A refusal of `op` with `code`. For `downloadEdoc` an empty body with the code's status:
/// the SDK writes any non-empty body to disk as the document, whatever the status, so a
/// JSON refusal would become a "document"; an empty one is its FAIL.
pub(super) fn fail(op: Option<Operation>, code: Code, message: impl Into<String>) -> Response {
    if op == Some(Operation::DownloadEdoc) {
        let message = message.into();
        tracing::debug!(code = %code, reason = %message, "downloadEdoc refused with an empty body");
        let mut r = (
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            Body::empty(),
        )
            .into_response();
        r.extensions_mut().insert(VxpAnswer);
        r.extensions_mut().insert(ErrorCode(code));
        return r;
    }
    answer(Reply::fail(op, code, message), code.http_status())
}

/// What an operation answers: the envelope, or raw bytes (`downloadEdoc`).
pub(super) enum Done {
    Reply(Reply),
    Raw(Response),
}

impl Done {
    /// `bytes` as the answer, of `content_type`.
    pub(super) fn raw(bytes: Body, content_type: &'static str) -> Done {
        let mut r = Response::new(bytes);
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r.extensions_mut().insert(VxpAnswer);
        Done::Raw(r)
    }
}
