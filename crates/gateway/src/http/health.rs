//! Health probes, answered without a client certificate and outside the limits.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::{Shared, blocking};

/// Alive, and which gateway answers: so that a script or a probe that finds the port open can
/// tell its own gateway from another process that holds the port.
pub(crate) async fn healthz(State(s): State<Shared>) -> impl IntoResponse {
    Json(json!({"status": "ok", "gateway": s.id.to_string()}))
}

pub(crate) async fn readyz(State(s): State<Shared>) -> Response {
    if !s.ready.load(std::sync::atomic::Ordering::Acquire) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "starting"})),
        )
            .into_response();
    }
    let st = s.clone();
    let failure = blocking(move || Ok(st.store.failure()))
        .await
        .unwrap_or_else(|e| Some(e.message));
    if let Some(reason) = failure
        .as_ref()
        .filter(|r| r.starts_with(lienthong_store::DATABASE_UNREACHABLE))
    {
        // This node cannot reach the gateway's database (PostgreSQL down, or the network to
        // it cut): out of the load balancer until it can; nothing to restart.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "store_unreachable",
                "gateway": s.id.to_string(),
                "reason": reason,
                "action": "the database does not answer this node; check PostgreSQL and the network to it; the gateway reconnects by itself",
            })),
        )
            .into_response();
    }
    if let Some(reason) = failure {
        // Reads still work, but nothing can be accepted until the disk is fixed and the
        // gateway restarted: take it out of the load balancer and page someone.
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "store_failed",
                "gateway": s.id.to_string(),
                "reason": reason,
                "action": "the store refuses writes after a storage failure; fix the disk (space, IO errors in the kernel log), then restart the gateway",
            })),
        )
            .into_response()
    } else {
        Json(json!({"status": "ready", "gateway": s.id.to_string()})).into_response()
    }
}
