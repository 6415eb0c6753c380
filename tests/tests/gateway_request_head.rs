//! Request heads past the configured limits (a long target, too many or too large header
//! fields) are refused with the JSON error and its code, 414 `request.uri_too_long` or 431
//! `request.headers_too_large`, on HTTP/1 and on HTTP/2, and counted; a normal request on
//! the same kind of connection is still served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn one_gateway(tag: &str) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22"])),
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: format!(
            "{FAST_RETRY}\n[limits]\nmax_uri_bytes = 2048\nmax_header_bytes = 8192\nmax_headers = 40\n"
        ),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f
}

/// A head to send: what it is, its target and extra fields, the status and code expected.
type Case = (
    &'static str,
    String,
    Vec<(String, String)>,
    u16,
    &'static str,
);

/// The heads sent past the limits.
fn bad_heads() -> Vec<Case> {
    let long_target = format!("/v1/agencies?q={}", "a".repeat(3000));
    let many: Vec<_> = (0..60)
        .map(|i| (format!("x-many-{i}"), "1".to_owned()))
        .collect();
    let large: Vec<_> = (0..12)
        .map(|i| (format!("x-large-{i}"), "v".repeat(1000)))
        .collect();
    vec![
        (
            "a 3 KB target",
            long_target,
            vec![],
            414,
            "request.uri_too_long",
        ),
        (
            "60 header fields",
            "/v1/agencies".into(),
            many,
            431,
            "request.headers_too_large",
        ),
        (
            "12 KB of header fields",
            "/v1/agencies".into(),
            large,
            431,
            "request.headers_too_large",
        ),
    ]
}

/// The JSON error's code in an answer body.
fn error_code(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    Some(v["error"]["code"].as_str()?.to_owned())
}

/// One HTTP/1 request on a new connection as the DMS; the status line's code and the body.
async fn http1(f: &Federation, target: &str, headers: &[(String, String)]) -> (u16, Vec<u8>) {
    let mut tls = raw_tls(f, Some("dms/000.00.00.G22")).await;
    let mut head = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.flush().await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut answer))
        .await
        .expect("no answer within 10 s")
        .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text}"));
    let body = match text.find("\r\n\r\n") {
        Some(i) => answer[i + 4..].to_vec(),
        None => Vec::new(),
    };
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_heads_get_the_json_error_on_http1() {
    let mut f = one_gateway("head-h1").await;
    for (what, target, headers, status, code) in bad_heads() {
        let (got, body) = http1(&f, &target, &headers).await;
        assert_eq!(got, status, "{what}: {}", String::from_utf8_lossy(&body));
        assert_eq!(error_code(&body).as_deref(), Some(code), "{what}");
    }
    // Just within the limits: served.
    let fine: Vec<_> = (0..30)
        .map(|i| (format!("x-f-{i}"), "v".repeat(100)))
        .collect();
    let (got, body) = http1(&f, &format!("/v1/agencies?q={}", "a".repeat(1000)), &fine).await;
    assert_eq!(got, 200, "{}", String::from_utf8_lossy(&body));
    let m = metrics_text(&f, "gw-g22").await;
    for (series, n) in [
        ("request.uri_too_long", 1.0),
        ("request.headers_too_large", 2.0),
    ] {
        let key = format!("lienthong_refused_total{{reason=\"{series}\"}}");
        assert_eq!(metric_value(&m, &key), Some(n), "{key} in\n{m}");
    }
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_heads_get_the_json_error_on_http2() {
    let mut f = one_gateway("head-h2").await;
    let tls = raw_tls(&f, Some("dms/000.00.00.G22")).await;
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tls),
    )
    .await
    .unwrap();
    let driver = tokio::spawn(conn);
    let mut cases = bad_heads();
    cases.push(("a plain request", "/v1/agencies".into(), vec![], 200, ""));
    for (what, target, headers, status, code) in cases {
        let mut req = hyper::Request::get(format!("https://127.0.0.1{target}"));
        for (n, v) in &headers {
            req = req.header(n.as_str(), v.as_str());
        }
        let r = sender
            .send_request(req.body(Empty::<Bytes>::new()).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let got = r.status().as_u16();
        let body = r.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(got, status, "{what}: {}", String::from_utf8_lossy(&body));
        if !code.is_empty() {
            assert_eq!(error_code(&body).as_deref(), Some(code), "{what}");
        }
    }
    driver.abort();
    f.stop_all().await;
}
