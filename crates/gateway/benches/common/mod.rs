//! Shared by the whole-gateway benchmarks.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

use std::time::Duration;

/// gw-g22 over gw-h50 (agencies 000.00.00.H50 and 000.00.11.H50), signatures required,
/// per-peer rate limits out of the way, under `root`.
pub fn pair_spec(root: std::path::PathBuf) -> lienthong_gateway::federation::FederationSpec {
    use lienthong_gateway::federation::{FederationSpec, NodeSpec};
    FederationSpec {
        nodes: vec![
            NodeSpec {
                id: "gw-g22".into(),
                parent: None,
                agencies: vec![("000.00.00.G22".into(), "VPCP".into())],
            },
            NodeSpec {
                id: "gw-h50".into(),
                parent: Some("gw-g22".into()),
                agencies: vec![
                    ("000.00.00.H50".into(), "UBND".into()),
                    ("000.00.11.H50".into(), "STC".into()),
                ],
            },
        ],
        certs: certs(),
        root,
        policy: lienthong_gateway::config::SignaturePolicy::Require,
        extra_toml: "\n[limits]\nper_peer_rate = 1000000\nper_peer_burst = 1000000\n".into(),
    }
}

pub fn certs() -> std::path::PathBuf {
    lienthong_testkit::repo_root().join("certs-dev")
}

pub fn signed_doc(from: &str, to: &str, n: usize, payload: &str) -> Vec<u8> {
    let src = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>{from}</edXML:OrganId><edXML:OrganName>Benchmark</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>{to}</edXML:OrganId></edXML:To>
        <edXML:DocumentId>{from},2026/11/22,{n}/BENCH</edXML:DocumentId>
        <edXML:Subject>V/v đo hiệu năng số {n}</edXML:Subject>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0"><edXML:Reference><edXML:ContentId>cid:a</edXML:ContentId></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded><Attachment><ContentId>cid:a</ContentId><AttachmentName>a.pdf</AttachmentName><edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">{payload}</edXML:ContentTransferEncoded></Attachment></AttachmentEncoded>
</edXML>
"#
    );
    let key = lienthong_dsig::SigningKey::from_pem(
        &std::fs::read(certs().join(format!("signers/{from}.key"))).unwrap(),
    )
    .unwrap();
    let chain = lienthong_dsig::certs_from_pem(
        &std::fs::read(certs().join(format!("signers/{from}.pem"))).unwrap(),
    )
    .unwrap();
    let placement = lienthong_dsig::Placement::LastChildOf {
        namespace: lienthong_edxml::EDXML_NS.into(),
        local: "edXMLHeader".into(),
    };
    lienthong_dsig::sign_enveloped(src.as_bytes(), &key, &chain, &placement).unwrap()
}

pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// About 60 KiB of base64, so that a signed document is about 64 KiB.
pub fn payload_64k() -> String {
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVm".repeat(1200)[..62_000].to_owned()
}

/// The cursor after the last item of an inbox (None when it is empty).
pub async fn inbox_end(inbox: &lienthong_gateway::ApiClient) -> Option<String> {
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/v1/inbox?after={c}&limit=1000"),
            None => "/v1/inbox?limit=1000".to_owned(),
        };
        let j = inbox.get(&q).await.unwrap().json();
        match j["next"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return cursor,
        }
    }
}

/// Wait until message `id` is in the inbox, as a DMS learns it: long polls (`wait`) after
/// `cursor`, which moves past what they return.
pub async fn await_in_inbox(
    inbox: &lienthong_gateway::ApiClient,
    cursor: &mut Option<String>,
    id: &str,
) {
    loop {
        let q = match cursor.as_deref() {
            Some(c) => format!("/v1/inbox?after={c}&wait=30"),
            None => "/v1/inbox?wait=30".to_owned(),
        };
        let j = inbox.get(&q).await.unwrap().json();
        if let Some(c) = j["next"].as_str() {
            *cursor = Some(c.to_owned());
        }
        if j["items"].as_array().unwrap().iter().any(|i| i["id"] == id) {
            return;
        }
    }
}

/// Submit every one of `bodies` (each answered 202) over `clients`, each client one request
/// at a time, after warming the connections: the time it took and the latencies, sorted.
pub async fn accept_all(
    clients: Vec<lienthong_gateway::ApiClient>,
    bodies: std::sync::Arc<Vec<Vec<u8>>>,
) -> (Duration, Vec<Duration>) {
    for c in &clients {
        assert_eq!(c.get("/v1/agencies").await.unwrap().status, 200);
    }
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for c in clients {
        let (bodies, next) = (bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t = std::time::Instant::now();
                let a = c.submit(body.clone()).await.unwrap();
                assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let took = started.elapsed();
    lat.sort();
    (took, lat)
}
