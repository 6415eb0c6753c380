//! Who may call: typed extractors of the peer's identity (from its certificate:
//! [`KnownPeer`], [`AgencyPeer`], [`GatewayPeer`], [`OperatorPeer`]), the query parameters
//! refused with the API's JSON error, and the alias-to-main-code step for an agency's
//! certificate, in one place.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use lienthong_edxml::AgencyCode;
use lienthong_i18n::{Arg, msg};
use lienthong_routing::GatewayId;
use lienthong_store::MessageId;
use lienthong_types::Code;
use serde_json::json;

use crate::core::Snapshot;
use crate::error::ApiError;
use crate::identity::Peer;

/// Query parameters, refused with the API's JSON error rather than axum's plain-text
/// rejection: `request.bad_request` with a catalog message naming the parameter, the
/// parameter in `detail.parameter` and the parser's words in `detail.reason`. A parameter
/// given with an empty value (`state=`, or `state` alone) is the same as one left out, for
/// every parameter of every endpoint (the OpenAPI file says `allowEmptyValue`).
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let given = without_empty_values(parts.uri.query().unwrap_or_default());
        let uri: Uri = format!("/?{given}").parse().map_err(|e| {
            ApiError::new(Code::RequestBadRequest, msg!("api-bad-query")).because(e)
        })?;
        match Query::<T>::try_from_uri(&uri) {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_refusal(&e.body_text())),
        }
    }
}

/// The query string without its parameters that have an empty value.
fn without_empty_values(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| pair.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
        .collect::<Vec<_>>()
        .join("&")
}

/// The refusal of a query string that does not read as the endpoint's parameters, from
/// what the parser said: `NAME: why` for a value it cannot read, ``missing field `NAME` ``
/// for a required parameter left out, ``duplicate field `NAME` `` for one given twice.
fn query_refusal(said: &str) -> ApiError {
    let said = said
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(said);
    let is_name =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if let Some((name, why)) = said.split_once(": ")
        && is_name(name)
    {
        return bad_parameter(msg!("api-bad-parameter", name = name), name, why);
    }
    match said.split('`').nth(1).filter(|n| is_name(n)) {
        Some(name) if said.starts_with("missing field") => {
            bad_parameter(msg!("api-missing-parameter", name = name), name, said)
        }
        Some(name) => bad_parameter(msg!("api-bad-parameter", name = name), name, said),
        None => ApiError::new(Code::RequestBadRequest, msg!("api-bad-query")).because(said),
    }
}

/// `request.bad_request` about query parameter `name`: `message`, the parameter in
/// `detail.parameter` and `why` in `detail.reason`.
fn bad_parameter(message: lienthong_i18n::Msg, name: &str, why: &str) -> ApiError {
    ApiError::new(Code::RequestBadRequest, message)
        .with(json!({"parameter": name}))
        .because(why)
}

/// Path parameters, refused with the API's JSON error (`not_found`: no such resource)
/// rather than axum's plain-text rejection (a segment that is not UTF-8, say).
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match <Path<T> as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => {
                Err(ApiError::new(Code::NotFound, msg!("api-no-endpoint")).because(e.body_text()))
            }
        }
    }
}

/// `limit`: how many items a page holds, 1…1000 (100 when not given); anything else is
/// `request.bad_request`.
pub(crate) fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-limit", value = n, max = MAX_PAGE),
        )
        .with(json!({"parameter": "limit"}))),
    }
}

/// Items in a page when `limit` is not given.
pub(crate) const DEFAULT_PAGE: usize = 100;
/// The most items a page holds.
pub(crate) const MAX_PAGE: usize = 1000;

/// A message id given as query parameter `name` (`after`, say): a malformed one is
/// `request.bad_request` naming the parameter (in a path it is `not_found`: no such message).
pub(crate) fn query_id(name: &str, value: &str) -> Result<MessageId, ApiError> {
    value.parse::<MessageId>().map_err(|e| {
        ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-value", name = name, value = value),
        )
        .with(json!({"parameter": name}))
        .because(e)
    })
}

/// The caller as the connection loop identified it from its certificate (anonymous when
/// it presented none).
fn peer_of(parts: &Parts) -> Peer {
    parts
        .extensions
        .get::<Peer>()
        .cloned()
        .unwrap_or(Peer::Anonymous)
}

fn require_cert(peer: &Peer) -> Result<(), ApiError> {
    match peer {
        Peer::Anonymous => Err(ApiError::new(
            Code::AuthNoClientCertificate,
            msg!("api-no-client-certificate"),
        )),
        Peer::Unidentified(why) => Err(ApiError::new(Code::AuthUnidentified, why.clone())),
        _ => Ok(()),
    }
}

/// Any caller with an identified certificate (agency, gateway, operator or monitor).
pub(crate) struct KnownPeer(pub(crate) Peer);

/// An agency's DMS: the agency code its certificate names, as the certificate names it
/// (an alias stays an alias; [`AgencyPeer::main`] gives the directory's main code).
pub(crate) struct AgencyPeer(pub(crate) AgencyCode);

/// A gateway of the federation.
pub(crate) struct GatewayPeer(pub(crate) GatewayId);

/// An operator, by the name in its certificate.
pub(crate) struct OperatorPeer(pub(crate) String);

/// Who may read what operators read (queues, messages, metrics, the console, reports): an
/// operator or a monitor. Acting (retry, cancel, backups) takes an [`OperatorPeer`].
pub(crate) struct ReaderPeer(pub(crate) Peer);

impl AgencyPeer {
    /// The key its shares of limits are counted under (see [`share_key`]).
    pub(crate) fn key(&self, snap: &Snapshot) -> String {
        Peer::Agency(self.main(snap)).key()
    }

    /// The directory's main code for this agency (the alias-to-main-code step, in one
    /// place), read from the request's snapshot.
    pub(crate) fn main(&self, snap: &Snapshot) -> AgencyCode {
        canonical(snap, &self.0)
    }
}

/// The key a peer's shares of the limits (connections, the body budget, the request rate)
/// are counted under: an agency by the directory's main code, so that certificates naming
/// its aliases share one allowance instead of getting one each.
pub(crate) fn share_key(snap: &Snapshot, peer: &Peer) -> String {
    match peer {
        Peer::Agency(code) => Peer::Agency(canonical(snap, code)).key(),
        other => other.key(),
    }
}

/// The directory's main code for an agency known by an alias; the code itself otherwise.
pub(crate) fn canonical(snap: &Snapshot, code: &AgencyCode) -> AgencyCode {
    snap.directory.main_code(code)
}

/// The caller, refused unless its certificate identified it.
fn identified(parts: &Parts) -> Result<Peer, ApiError> {
    let peer = peer_of(parts);
    require_cert(&peer)?;
    Ok(peer)
}

fn forbidden(endpoint_is_for: &'static str, caller: &Peer) -> ApiError {
    ApiError::new(
        Code::AuthForbidden,
        msg!(
            "api-forbidden",
            needed = Arg::Msg(endpoint_is_for),
            caller = caller.to_string()
        ),
    )
}

impl<S: Send + Sync> FromRequestParts<S> for KnownPeer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        identified(parts).map(KnownPeer)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AgencyPeer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identified(parts)? {
            Peer::Agency(a) => Ok(AgencyPeer(a)),
            other => Err(forbidden("api-for-agency", &other)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for GatewayPeer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identified(parts)? {
            Peer::Gateway(g) => Ok(GatewayPeer(g)),
            other => Err(forbidden("api-for-gateway", &other)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for OperatorPeer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identified(parts)? {
            Peer::Operator(name) => Ok(OperatorPeer(name)),
            other => Err(forbidden("api-for-operator", &other)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReaderPeer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match identified(parts)? {
            p @ (Peer::Operator(_) | Peer::Monitor(_)) => Ok(ReaderPeer(p)),
            other => Err(forbidden("api-for-reader", &other)),
        }
    }
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
            msg!("api-send-json"),
        ))
    }
}

pub(crate) fn parse_id(id: &str) -> Result<MessageId, ApiError> {
    id.parse::<MessageId>()
        .map_err(|_| ApiError::new(Code::NotFound, msg!("api-not-a-message-id", id = id)))
}
