//! A VXP client that sends what the official SDK sends: the signed headers, `{}` bodies,
//! `sendEdoc`'s file and CRLF with its hash in the SDK's form, one timestamp per client
//! object, and (like the SDK's shared header map) the parameters of earlier calls carried
//! into later ones when `sticky` is set. For the uplink to an upstream axis and for tests.

use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lienthong_vxp::Operation;
use serde_json::Value;

use crate::net::plain_connector;

/// The CAs an `https` endpoint's certificate must chain to.
pub use rustls::RootCertStore as Roots;

/// An answer: the HTTP status and the JSON (or, for `downloadEdoc`, the raw bytes).
#[derive(Debug, Clone)]
pub struct VxpAnswer {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl VxpAnswer {
    /// The body as JSON (`Null` if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// `status` is `OK` and `ErrorCode` is `"0"`, as the SDK's callers test.
    pub fn ok(&self) -> bool {
        let v = self.json();
        v["status"] == "OK" && v["ErrorCode"] == "0"
    }

    /// The start of the body (300 bytes at most), for logs.
    pub fn excerpt(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).into_owned()
    }

    /// `ErrorCode`.
    pub fn code(&self) -> String {
        match &self.json()["ErrorCode"] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        }
    }
}

/// A request made ready to send: its operation, signed headers and body.
#[derive(Debug, Clone)]
pub struct Prepared {
    op: Operation,
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// The slowest link a transfer is given time for, bytes a second (512 kbit/s).
const SLOWEST: u64 = 65_536;

type Http = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client of one system at one endpoint.
pub struct VxpClient {
    endpoint: String,
    system: String,
    secret: Vec<u8>,
    timestamp: String,
    sticky: Option<Mutex<Vec<(String, String)>>>,
    http: Http,
    timeout: Duration,
}

impl std::fmt::Debug for VxpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VxpClient")
            .field("endpoint", &self.endpoint)
            .field("system", &self.system)
            .finish_non_exhaustive()
    }
}

impl VxpClient {
    /// A client of `system` with `secret` at `endpoint` (`http://…` or `https://…`, with
    /// any prefix), signing with the SDK timestamp `timestamp` (computed once, as the SDK
    /// does). `roots`: the CAs an `https` endpoint's certificate must chain to.
    pub fn new(
        endpoint: &str,
        system: &str,
        secret: &[u8],
        timestamp: &str,
        roots: rustls::RootCertStore,
    ) -> Result<VxpClient, String> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(cfg)
            .https_or_http()
            .enable_http1()
            .wrap_connector(plain_connector());
        Ok(VxpClient {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            system: system.to_owned(),
            secret: secret.to_vec(),
            timestamp: timestamp.to_owned(),
            sticky: None,
            http: Client::builder(TokioExecutor::new()).build(connector),
            timeout: Duration::from_secs(60),
        })
    }

    /// Carry every call's parameters into the later calls, as one SDK service object does.
    pub fn sticky(mut self) -> VxpClient {
        self.sticky = Some(Mutex::new(Vec::new()));
        self
    }

    /// Give up on an answer after `timeout` (default 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> VxpClient {
        self.timeout = timeout;
        self
    }

    /// Call `op` with `params`, the SDK's way: `sendEdoc` sends `file` and CRLF as
    /// `application/octet-stream` with `hash-file`; the others send `{}` (lists and
    /// agencies send nothing) as `application/json`.
    pub async fn call(
        &self,
        op: Operation,
        params: &[(&str, &str)],
        file: Option<&[u8]>,
    ) -> Result<VxpAnswer, String> {
        let p = self.prepare(op, params, file);
        self.send(&p).await
    }

    /// The request [`VxpClient::call`] sends, made ready (signed, its body built), so that
    /// it can be sent later or again (the SDK re-sends a POST byte for byte).
    pub fn prepare(&self, op: Operation, params: &[(&str, &str)], file: Option<&[u8]>) -> Prepared {
        let mut all: Vec<(String, String)> = match &self.sticky {
            Some(m) => m.lock().map(|g| g.clone()).unwrap_or_default(),
            None => Vec::new(),
        };
        let mut put = |k: &str, v: &str| match all.iter_mut().find(|(n, _)| n == k) {
            Some(e) => e.1 = v.to_owned(),
            None => all.push((k.to_owned(), v.to_owned())),
        };
        for (k, v) in params {
            // A header value cannot hold control characters (a line break in a refusal's
            // description, say): they become spaces.
            let clean: String = v
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            put(k, &clean);
        }
        let (body, content_type) = match (op, file) {
            (Operation::SendEdoc, Some(f)) => {
                put("hash-file", &lienthong_vxp::hashfile::hash_file(f));
                let mut b = Vec::with_capacity(f.len() + 2);
                b.extend_from_slice(f);
                b.extend_from_slice(b"\r\n");
                (b, "application/octet-stream")
            }
            (
                Operation::GetAgenciesList
                | Operation::GetAgenciesListQd20
                | Operation::GetSynchronizeUnit
                | Operation::GetReceivedEdocList
                | Operation::GetSentEdocList
                | Operation::DownloadEdoc,
                _,
            ) => (Vec::new(), "application/json"),
            _ => (b"{}".to_vec(), "application/json"),
        };
        if let Some(m) = &self.sticky
            && let Ok(mut g) = m.lock()
        {
            *g = all.clone();
        }
        let view: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let headers = lienthong_vxp::sign::signed_headers(
            &self.system,
            &self.secret,
            &self.timestamp,
            &view,
            content_type,
        );
        Prepared {
            op,
            headers,
            body: Bytes::from(body),
        }
    }

    /// Send a prepared request.
    pub async fn send(&self, p: &Prepared) -> Result<VxpAnswer, String> {
        let op = p.op;
        let mut req = hyper::Request::builder().method(op.method()).uri(format!(
            "{}/{}",
            self.endpoint,
            op.name()
        ));
        for (n, v) in &p.headers {
            req = req.header(n.as_str(), v.as_bytes());
        }
        let req = req
            .body(Full::new(p.body.clone()))
            .map_err(|e| e.to_string())?;
        // A big document gets its length at the slowest rate still used, both ways.
        let sending = crate::net::transfer_timeout(self.timeout, p.body.len() as u64, SLOWEST);
        let r = tokio::time::timeout(sending, self.http.request(req))
            .await
            .map_err(|_| format!("{}: no answer in time", op.name()))?
            .map_err(|e| format!("{}: {}", op.name(), crate::net::error_chain(&e)))?;
        let status = r.status().as_u16();
        let declared = r
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .unwrap_or(0);
        let reading = crate::net::transfer_timeout(self.timeout, declared, SLOWEST);
        let body = tokio::time::timeout(reading, r.into_body().collect())
            .await
            .map_err(|_| format!("{}: the answer did not arrive in time", op.name()))?
            .map_err(|e| format!("{}: {e}", op.name()))?
            .to_bytes()
            .to_vec();
        Ok(VxpAnswer { status, body })
    }

    /// `sendEdoc` of `file` (`messagetype` edoc or status), from `from` (may be empty):
    /// the answer.
    pub async fn send_edoc(
        &self,
        file: &[u8],
        messagetype: &str,
        from: &str,
    ) -> Result<VxpAnswer, String> {
        self.call(
            Operation::SendEdoc,
            &[
                ("from", from),
                ("servicetype", "eDoc"),
                ("messagetype", messagetype),
            ],
            Some(file),
        )
        .await
    }

    /// `getReceivedEdocList` for `messagetype`: the listed ids (`docId`).
    pub async fn received(&self, messagetype: &str) -> Result<Vec<String>, String> {
        let a = self
            .call(
                Operation::GetReceivedEdocList,
                &[("servicetype", "eDoc"), ("messagetype", messagetype)],
                None,
            )
            .await?;
        if !a.ok() {
            return Err(format!(
                "getReceivedEdocList: {}",
                String::from_utf8_lossy(&a.body)
            ));
        }
        Ok(a.json()["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["docId"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `getEdoc` of `doc_id`: the bytes (base64-decoded `data`).
    pub async fn get_edoc(&self, doc_id: &str) -> Result<Vec<u8>, String> {
        let a = self
            .call(Operation::GetEdoc, &[("docId", doc_id)], None)
            .await?;
        if !a.ok() {
            return Err(format!("getEdoc: {}", String::from_utf8_lossy(&a.body)));
        }
        let data = a.json()["data"].as_str().unwrap_or_default().to_owned();
        base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| format!("getEdoc: data is not base64: {e}"))
    }

    /// `updateStatus` of `doc_id` to `status` (done, fail, processing).
    pub async fn update_status(&self, doc_id: &str, status: &str) -> Result<VxpAnswer, String> {
        self.call(
            Operation::UpdateStatus,
            &[("docId", doc_id), ("status", status)],
            None,
        )
        .await
    }
}
