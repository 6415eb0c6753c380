//! The one error vocabulary of the HTTP API: every refusal has a stable code, an HTTP
//! status, a message for people and a detail object for programs:
//! `{"error": {"code": "…", "message": "…", "detail": {…}}}`. Refusals change no state.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lienthong_store::StoreError;
use serde_json::{Value, json};

/// Every error code the API can return, with its HTTP status (documented in
/// docs/api/openapi.yaml; a test keeps the two in agreement).
pub const CODES: &[(&str, u16)] = &[
    ("auth.no_client_certificate", 401),
    ("auth.unidentified", 403),
    ("auth.forbidden", 403),
    ("auth.wrong_agency", 403),
    ("auth.relay_not_routed", 403),
    ("request.too_large", 413),
    ("request.bad_request", 400),
    ("request.rate_limited", 429),
    ("request.timeout", 408),
    ("server.busy", 503),
    ("document.unreadable", 400),
    ("document.not_edxml", 400),
    ("document.bad_recipient", 400),
    ("document.no_recipients", 400),
    ("document.checksum", 400),
    ("signature.required", 422),
    ("routing.refused", 422),
    ("store.conflict", 409),
    ("state.invalid", 409),
    ("not_found", 404),
    ("store.purged", 410),
    ("store.unavailable", 503),
    ("backup.not_configured", 409),
    ("backup.running", 409),
    ("internal", 500),
];

/// The code of an error response, kept in the response's extensions for counting.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

/// An API error.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Stable code from [`CODES`].
    pub code: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// For people.
    pub message: String,
    /// For programs.
    pub detail: Value,
}

impl ApiError {
    /// An error with this code; the status comes from [`CODES`].
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        let status = CODES
            .iter()
            .find(|(c, _)| *c == code)
            .and_then(|(_, s)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            code,
            status,
            message: message.into(),
            detail: json!({}),
        }
    }

    /// With a detail object.
    pub fn with(mut self, detail: Value) -> ApiError {
        self.detail = detail;
        self
    }

    /// An internal error; the message is logged, the client sees a generic text.
    pub fn internal(what: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %what, "internal error");
        ApiError::new("internal", "internal error; see the gateway log")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"error": {"code": self.code, "message": self.message, "detail": self.detail}});
        let mut r = (self.status, axum::Json(body)).into_response();
        r.extensions_mut().insert(ErrorCode(self.code));
        if self.status == StatusCode::TOO_MANY_REQUESTS
            || self.status == StatusCode::SERVICE_UNAVAILABLE
        {
            r.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        r
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        if let StoreError::Conflict {
            document_id,
            sender,
            existing,
        } = &e
        {
            // The id of the message that holds the DocumentId: a DMS that lost the answer to
            // its first submission and signed again adopts it instead of sending an update.
            return ApiError::new("store.conflict", e.to_string()).with(json!({
                "existing_id": existing.to_string(),
                "document_id": document_id,
                "sender": sender,
            }));
        }
        match e.code() {
            "store.conflict" | "store.id_conflict" => {
                ApiError::new("store.conflict", e.to_string())
            }
            // Retention removed the bytes; metadata, history and receipts remain.
            "store.purged" => ApiError::new("store.purged", e.to_string()),
            "store.not_found" => ApiError::new("not_found", e.to_string()),
            "store.invalid_state" => ApiError::new("state.invalid", e.to_string()),
            // Storage trouble (disk full, IO error): nothing was stored; the caller may try
            // again later. The details (paths, OS error) go to the log, not to the caller.
            "store.io" | "store.flush" => {
                tracing::error!(error = %e, "storage failure");
                ApiError::new(
                    "store.unavailable",
                    "the gateway cannot store anything right now (storage failure); nothing was stored, try again later",
                )
            }
            _ => ApiError::internal(e),
        }
    }
}
