//! Who may call: typed extractors of the peer's identity (from its certificate:
//! [`KnownPeer`], [`AgencyPeer`], [`GatewayPeer`], [`OperatorPeer`]), the query parameters
//! refused with the API's JSON error, and the alias-to-main-code step for an agency's
//! certificate, in one place.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use lienthong_edxml::AgencyCode;
use lienthong_i18n::{Arg, msg};
use lienthong_routing::GatewayId;
use lienthong_store::MessageId;
use lienthong_types::Code;

use crate::core::Snapshot;
use crate::error::ApiError;
use crate::identity::Peer;

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
            Err(e) => Err(ApiError::new(
                Code::RequestBadRequest,
                msg!("api-bad-parameter", reason = e.body_text()),
            )),
        }
    }
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

/// Any caller with an identified certificate (agency, gateway or operator).
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
