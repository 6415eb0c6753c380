//! Who may call: typed checks of the peer's identity (from its certificate), the query
//! parameters refused with the API's JSON error, and the alias-to-main-code step for an
//! agency's certificate, in one place.

use axum::extract::{FromRequestParts, Query};
use axum::http::{HeaderMap, header};
use lienthong_edxml::AgencyCode;
use lienthong_routing::GatewayId;
use lienthong_store::MessageId;
use lienthong_types::Code;

use crate::error::ApiError;
use crate::identity::Peer;
use crate::state::AppState;

/// Query parameters, refused with the API's JSON error (`request.bad_request`, naming the
/// parameter) rather than axum's plain-text rejection.
pub(crate) struct ApiQuery<T>(pub(crate) T);

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
            Err(e) => Err(ApiError::new(Code::RequestBadRequest, e.body_text())),
        }
    }
}

pub(crate) fn require_cert(peer: &Peer) -> Result<(), ApiError> {
    match peer {
        Peer::Anonymous => Err(ApiError::new(
            Code::AuthNoClientCertificate,
            "a client certificate is required",
        )),
        Peer::Unidentified(why) => Err(ApiError::new(Code::AuthUnidentified, why.clone())),
        _ => Ok(()),
    }
}

pub(crate) fn require_agency(peer: &Peer) -> Result<AgencyCode, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Agency(a) => Ok(a.clone()),
        other => Err(ApiError::new(
            Code::AuthForbidden,
            format!("this endpoint is for an agency's DMS, not {other}"),
        )),
    }
}

/// The calling gateway, for the endpoints only gateways may use.
pub(crate) fn require_gateway(peer: &Peer) -> Result<GatewayId, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Gateway(g) => Ok(g.clone()),
        other => Err(ApiError::new(
            Code::AuthForbidden,
            format!("this endpoint is for gateways, not {other}"),
        )),
    }
}

/// The directory's main code for an agency known by an alias; the code itself otherwise.
pub(crate) fn canonical_agency(s: &AppState, code: AgencyCode) -> AgencyCode {
    s.directory().canonical(&code).cloned().unwrap_or(code)
}

/// An operator's state-changing request must say `Content-Type: application/json`: a web
/// page cannot make a browser send that cross-site without asking first (CORS), so a page
/// an operator visits cannot use the operator certificate in the browser to cancel or
/// retry messages (cross-site request forgery).
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            Code::RequestBadRequest,
            "send Content-Type: application/json (the body may be {})",
        ))
    }
}

/// The operator's name, or `auth.forbidden` for any other caller.
pub(crate) fn require_operator(peer: &Peer) -> Result<&str, ApiError> {
    require_cert(peer)?;
    match peer {
        Peer::Operator(name) => Ok(name),
        other => Err(ApiError::new(
            Code::AuthForbidden,
            format!("this endpoint needs an operator certificate, not {other}"),
        )),
    }
}

pub(crate) fn parse_id(id: &str) -> Result<MessageId, ApiError> {
    id.parse::<MessageId>()
        .map_err(|_| ApiError::new(Code::NotFound, format!("'{id}' is not a message id")))
}
