//! The HTTP shell: the router, its layers, and the handlers by audience. Layers, outermost
//! first: refusal counting, the request head's size (414, 431), per-request timeout, concurrency limit (503 when full),
//! per-peer rate limit (429), then the handler. The peer's identity arrives as a
//! [`Peer`] request extension, put there by the connection loop from the client
//! certificate; handlers take it through the typed checks of [`extract`].

pub mod body;
pub mod dms;
pub mod extract;
pub mod health;
mod layers;
pub mod operator;
pub mod relay;
pub mod reports;
pub mod tracking;
pub(crate) mod view;

use axum::Router;
use axum::routing::{get, post};
use lienthong_types::Code;

use crate::error::ApiError;
use crate::state::Shared;

pub(crate) use layers::lang_of;
use layers::rate_limit;
pub(crate) use layers::{
    BusySlot, TimeLimits, concurrency, count_refusals, head_limits, localize, peer_rate_limiter,
    time_limit,
};

use dms::{agencies, inbox_ack, inbox_get, inbox_list, inbox_signature, sent_documents, submit};
use health::{healthz, readyz};
use operator::{
    agency_activity, backup_start, backup_status, certificates, console, message_action, messages,
    metrics, queues,
};
use relay::relay;
use reports::{agency_report, gateway_report, inbox_overdue, overdue};
use tracking::{relay_receipt, relay_trail, track};

/// The router with every route and layer.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/v1/documents", post(submit).get(sent_documents))
        .route("/v1/documents/{id}", get(track))
        .route("/v1/inbox", get(inbox_list))
        .route("/v1/inbox/overdue", get(inbox_overdue))
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
        .route("/v1/reports/agencies", get(agency_report))
        .route("/v1/reports/gateway", get(gateway_report))
        .route("/v1/overdue", get(overdue))
        .fallback(|| async {
            ApiError::new(Code::NotFound, lienthong_i18n::msg!("api-no-endpoint"))
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            concurrency,
        ))
        .layer(axum::middleware::from_fn_with_state(
            layers::TimeLimits::of(&state.limits),
            layers::time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            head_limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_refusals,
        ))
        .layer(axum::middleware::from_fn(localize))
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
    ("get", "/v1/inbox/overdue"),
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
    ("get", "/v1/reports/agencies"),
    ("get", "/v1/reports/gateway"),
    ("get", "/v1/overdue"),
];
