//! The HTTP shape of the one error vocabulary ([`Code`]): every refusal has a stable code,
//! the HTTP status that code carries, a message for people and a detail object for programs:
//! `{"error": {"code": "…", "message": "…", "detail": {…}}}`. Nested causes (the XML or
//! edXML error, the problems of a signature, each recipient that cannot be routed) are put
//! under one key, `detail.causes`, each with its own code. Refusals change no state.
//!
//! The message is in the caller's language (`Accept-Language`, Vietnamese by default): an
//! error carries a catalog message ([`Msg`]) until the answer is written. A text that no
//! catalog has (a library's error) is the `detail.reason`, and the message is then what the
//! code means.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lienthong_i18n::{Lang, msg};

pub use crate::core::Text;
use lienthong_store::StoreError;
use lienthong_types::Code;
use serde_json::{Value, json};

/// The code of an error response, kept in the response's extensions for counting.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub Code);

/// The message of an error response, kept in its extensions for answers in another shape
/// (the VXP API's envelope).
#[derive(Debug, Clone)]
pub struct ErrorText(pub String);

/// An API error.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The code; the HTTP status is the code's.
    pub code: Code,
    /// For people, in English (logs; the answer is in the caller's language).
    pub message: String,
    /// What the message says, for any language.
    pub text: Text,
    /// For programs.
    pub detail: Value,
}

impl ApiError {
    /// An error with this code.
    pub fn new(code: Code, text: impl Into<Text>) -> ApiError {
        let text = text.into();
        ApiError {
            code,
            message: text.render(code, Lang::En).0,
            text,
            detail: json!({}),
        }
    }

    /// With a detail object.
    pub fn with(mut self, detail: Value) -> ApiError {
        self.detail = detail;
        self
    }

    /// With the text of what went wrong underneath (a library's error, in English) as
    /// `detail.reason`.
    pub fn because(mut self, reason: impl std::fmt::Display) -> ApiError {
        if !self.detail.is_object() {
            self.detail = json!({});
        }
        self.detail["reason"] = Value::String(reason.to_string());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// An internal error; the message is logged, the client sees a generic text.
    pub fn internal(what: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %what, "internal error");
        ApiError::new(Code::Internal, msg!("api-internal"))
    }

    /// The JSON body in `lang`.
    pub fn body(&self, lang: Lang) -> Value {
        let (message, reason) = self.text.render(self.code, lang);
        let mut detail = self.detail.clone();
        if let (Some(r), Some(d)) = (reason, detail.as_object_mut()) {
            d.entry("reason").or_insert(Value::String(r));
        }
        json!({"error": {"code": self.code, "message": message, "detail": detail}})
    }

    /// The answer in `lang`.
    pub fn response(self, lang: Lang) -> Response {
        let status = self.status();
        let body = self.body(lang);
        let text = body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut r = (status, axum::Json(body)).into_response();
        r.extensions_mut().insert(ErrorCode(self.code));
        r.extensions_mut().insert(ErrorText(text));
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        r.extensions_mut().insert(self);
        r
    }
}

impl From<crate::core::Refusal> for ApiError {
    fn from(r: crate::core::Refusal) -> ApiError {
        ApiError {
            code: r.code,
            message: r.message,
            text: r.text,
            detail: r.detail,
        }
    }
}

/// Written in the default language, Vietnamese; the localizing layer rewrites it for a
/// caller that asked for English.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.response(Lang::default())
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
            return ApiError::new(Code::StoreConflict, e.to_string()).with(json!({
                "existing_id": existing.to_string(),
                "document_id": document_id,
                "sender": sender,
            }));
        }
        if let StoreError::Replayed { existing, .. } = &e {
            return ApiError::new(Code::DocumentReplayed, e.to_string())
                .with(json!({"existing_id": existing.to_string()}));
        }
        match e.code() {
            Code::StoreConflict | Code::StoreIdConflict => {
                ApiError::new(Code::StoreConflict, e.to_string())
            }
            // Retention removed the bytes; metadata, history and receipts remain.
            Code::StorePurged => ApiError::new(Code::StorePurged, e.to_string()),
            Code::StoreNotFound => ApiError::new(Code::NotFound, e.to_string()),
            Code::StoreInvalidState => ApiError::new(Code::StateInvalid, e.to_string()),
            // Storage trouble (disk full, IO error): nothing was stored; the caller may try
            // again later. The details (paths, OS error) go to the log, not to the caller.
            Code::StoreIo | Code::StoreFlush | Code::StoreDatabase => {
                tracing::error!(error = %e, "storage failure");
                ApiError::new(Code::StoreUnavailable, msg!("api-store-unavailable"))
            }
            _ => ApiError::internal(e),
        }
    }
}
