//! An HTTPS client of the gateway API, with a client certificate: used by the CLI
//! commands (`send`, `inbox`, `status`, `track`, `queue`), the demo and the tests.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;
use serde_json::Value;

use crate::client_error::{CallError, Failure, classify};
use crate::net::{error_chain, plain_connector};
use crate::tls::{load_certs, load_key};

/// A response: status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Body bytes.
    pub body: Bytes,
    /// Response headers.
    pub headers: hyper::HeaderMap,
}

impl Answer {
    /// The body as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The error code of a JSON error body, if any.
    pub fn error_code(&self) -> Option<String> {
        self.json()["error"]["code"].as_str().map(str::to_owned)
    }
}

/// A client of one gateway.
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    http: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    language: Option<String>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client of the gateway at `base` (`https://host:port`), trusting the CAs in `ca`,
    /// presenting `cert`/`key` if given.
    pub fn new(
        base: &str,
        ca: &[&Path],
        identity: Option<(&Path, &Path)>,
    ) -> Result<ApiClient, String> {
        Self::build(base, ca, identity, true)
    }

    /// The same client speaking HTTP/1.1 only (keep-alive, one request at a time per
    /// connection), as most DMS HTTP stacks do.
    pub fn new_http1(
        base: &str,
        ca: &[&Path],
        identity: Option<(&Path, &Path)>,
    ) -> Result<ApiClient, String> {
        Self::build(base, ca, identity, false)
    }

    fn build(
        base: &str,
        ca: &[&Path],
        identity: Option<(&Path, &Path)>,
        http2: bool,
    ) -> Result<ApiClient, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for f in ca {
            for c in load_certs(f)? {
                roots.add(c).map_err(|e| format!("{}: {e}", f.display()))?;
            }
        }
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots);
        let cfg = match identity {
            Some((cert, key)) => builder
                .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
                .map_err(|e| format!("client certificate: {e}"))?,
            None => builder.with_no_client_auth(),
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(cfg)
            .https_only()
            .enable_http1();
        let https = if http2 {
            https.enable_http2().wrap_connector(plain_connector())
        } else {
            https.wrap_connector(plain_connector())
        };
        Ok(ApiClient {
            base: base.trim_end_matches('/').to_owned(),
            http: Client::builder(TokioExecutor::new()).build(https),
            timeout: Duration::from_secs(60),
            language: None,
        })
    }

    /// Give up on an answer after `timeout` (default 60 s); a long poll needs more than its
    /// `wait`.
    pub fn with_timeout(mut self, timeout: Duration) -> ApiClient {
        self.timeout = timeout;
        self
    }

    /// Ask for answers (the `message` of errors, texts for people) in this language
    /// (`Accept-Language`: `vi` or `en`); without it the gateway answers in Vietnamese.
    pub fn with_language(mut self, tag: &str) -> ApiClient {
        self.language = Some(tag.to_owned());
        self
    }

    /// Send a request.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<(Bytes, &str)>,
    ) -> Result<Answer, CallError> {
        match body {
            Some((b, ctype)) => {
                self.call_with_headers(method, path, b, &[("content-type", ctype)])
                    .await
            }
            None => {
                self.call_with_headers(method, path, Bytes::new(), &[])
                    .await
            }
        }
    }

    /// A request with extra headers (the relay transport metadata, in tests).
    pub async fn call_with_headers(
        &self,
        method: Method,
        path: &str,
        body: impl Into<Bytes>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, CallError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        if let Some(l) = &self.language {
            req = req.header("accept-language", l.as_str());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(body.into()))
            .map_err(|e| CallError::new(&self.base, Failure::Other, e.to_string()))?;
        let resp = tokio::time::timeout(self.timeout, self.http.request(req))
            .await
            .map_err(|_| CallError::new(&self.base, Failure::Timeout, String::new()))?
            .map_err(|e| CallError::new(&self.base, classify(&e), error_chain(&e)))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| CallError::new(&self.base, classify(&e), error_chain(&e)))?
            .to_bytes();
        Ok(Answer {
            status,
            body,
            headers,
        })
    }

    /// `POST /v1/documents`.
    pub async fn submit(&self, edxml: Vec<u8>) -> Result<Answer, CallError> {
        self.call(
            Method::POST,
            "/v1/documents",
            Some((Bytes::from(edxml), "application/xml")),
        )
        .await
    }

    /// `GET` a path.
    pub async fn get(&self, path: &str) -> Result<Answer, CallError> {
        self.call(Method::GET, path, None).await
    }

    /// `POST` JSON to a path.
    pub async fn post_json(&self, path: &str, v: &Value) -> Result<Answer, CallError> {
        self.call(
            Method::POST,
            path,
            Some((Bytes::from(v.to_string()), "application/json")),
        )
        .await
    }
}
