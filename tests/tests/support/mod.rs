//! Shared helpers for the gateway integration tests: a federation on loopback with the
//! committed development PKI, signed documents and status packages, and polling.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lienthong_edxml::{
    Date, DocCode, Edoc, MessageHeader, Organization, ResponseFor, Status, StatusCode,
};
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};

pub fn certs() -> PathBuf {
    lienthong_testkit::repo_root().join("certs-dev")
}

/// A fresh temporary folder. The folders of this process stay for a look after a failure;
/// those of earlier test processes that have ended are removed the first time a process
/// asks for one, so that repeated runs do not fill the disk.
pub fn tempdir(tag: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_ended_runs);
    let d = std::env::temp_dir().join(format!(
        "lienthong-it-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Remove `lienthong-it-TAG-PID-NANOS` folders whose process is gone (Linux: no
/// `/proc/PID`). Best effort: a folder that cannot be removed is left.
fn sweep_ended_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("lienthong-it-") else {
            continue;
        };
        // TAG may hold dashes: the pid is the second field from the end.
        let mut fields = rest.rsplit('-');
        let (Some(_nanos), Some(pid)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The demo federation's gateways and agencies (from testkit), all of them or a subset.
pub fn nodes(only: Option<&[&str]>) -> Vec<NodeSpec> {
    lienthong_testkit::federation::GATEWAYS
        .iter()
        .filter(|g| only.is_none_or(|o| o.contains(&g.id)))
        .map(|g| NodeSpec {
            id: g.id.into(),
            parent: g.parent.map(Into::into),
            agencies: lienthong_testkit::federation::AGENCIES
                .iter()
                .filter(|a| a.gateway == g.id)
                .map(|a| (a.code.into(), a.name.into()))
                .collect(),
        })
        .collect()
}

/// Fast retries for tests.
pub const FAST_RETRY: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 5000\n";

pub async fn federation(tag: &str, only: Option<&[&str]>) -> Federation {
    federation_with(tag, only, FAST_RETRY).await
}

/// As [`federation`], with `extra_toml` appended to every gateway's configuration instead
/// of the fast retries.
pub async fn federation_with(tag: &str, only: Option<&[&str]>, extra_toml: &str) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(only),
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: extra_toml.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f
}

fn org(code: &str) -> Organization {
    Organization {
        organ_id: code.into(),
        organ_name: lienthong_testkit::federation::agency(code).map(|a| a.name.to_owned()),
        ..Organization::default()
    }
}

/// Sign `xml` with the key of agency `signer`.
pub fn sign_xml(xml: &str, signer: &str) -> Vec<u8> {
    sign(xml, signer)
}

fn sign(xml: &str, signer: &str) -> Vec<u8> {
    sign_with(
        xml,
        &std::fs::read(certs().join(format!("signers/{signer}.key"))).unwrap(),
        &std::fs::read(certs().join(format!("signers/{signer}.pem"))).unwrap(),
    )
}

/// Sign `xml` with a key and certificate chain given as PEM.
pub fn sign_with(xml: &str, key_pem: &[u8], chain_pem: &[u8]) -> Vec<u8> {
    let key = lienthong_dsig::SigningKey::from_pem(key_pem).unwrap();
    let chain = lienthong_dsig::certs_from_pem(chain_pem).unwrap();
    let placement = lienthong_dsig::Placement::LastChildOf {
        namespace: lienthong_edxml::EDXML_NS.into(),
        local: "edXMLHeader".into(),
    };
    lienthong_dsig::sign_enveloped(xml.as_bytes(), &key, &chain, &placement).unwrap()
}

/// The unsigned XML of a document from `from` to `to`, numbered `n`.
pub fn edoc_xml(from: &str, to: &[&str], n: u32) -> String {
    edoc_xml_with(from, to, n, Vec::new())
}

/// [`edoc_xml`] with attachments.
pub fn edoc_xml_with(
    from: &str,
    to: &[&str],
    n: u32,
    attachments: Vec<lienthong_edxml::Attachment>,
) -> String {
    let e = Edoc {
        attachments,
        header: MessageHeader {
            from: org(from),
            to: to.iter().map(|t| org(t)).collect(),
            document_id: Some(format!("{from},2026/11/22,{n}/UBND")),
            code: Some(DocCode {
                code_number: Some(n.to_string()),
                code_notation: Some("UBND".into()),
            }),
            subject: Some(format!("V/v thử nghiệm liên thông số {n}")),
            ..MessageHeader::default()
        },
        ..Edoc::default()
    };
    lienthong_edxml::write_edoc(&e)
}

/// A signed document from `from` to `to`, numbered `n`.
pub fn document(from: &str, to: &[&str], n: u32) -> Vec<u8> {
    sign(&edoc_xml(from, to, n), from)
}

/// A document from `from` to `to`, numbered `n`, signed with the key of agency `signer`.
pub fn document_signed_by(from: &str, to: &[&str], n: u32, signer: &str) -> Vec<u8> {
    sign(&edoc_xml(from, to, n), signer)
}

/// A signed status package from `from` about document `n` of `sender`.
pub fn status(from: &str, sender: &str, n: u32, code: StatusCode) -> Vec<u8> {
    let s = Status {
        from: org(from),
        response_for: ResponseFor {
            organ_id: Some(sender.into()),
            code: Some(format!("{n}/UBND")),
            promulgation_date: Date::new(2026, 11, 22),
            document_id: Some(format!("{sender},2026/11/22,{n}/UBND")),
        },
        staff_info: None,
        description: Some(code.label_vi().into()),
        status_code: code,
        timestamp: None,
        extra: vec![],
    };
    sign(&lienthong_edxml::write_status(&s), from)
}

/// `POST /v1/relay` to gateway `to`, made with gateway `from`'s certificate, as `from`'s
/// forwarder would: message `id`, the body's SHA-256, the recipients behind the link and
/// the hop list in the headers.
pub async fn relay_as(
    f: &Federation,
    from: &str,
    to: &str,
    id: &str,
    body: Vec<u8>,
    recipients: &str,
    hops: &str,
) -> lienthong_gateway::Answer {
    relay_as_with(f, (from, to), id, body, (recipients, hops), &[]).await
}

/// [`relay_as`] with `extra` headers besides the relay's own.
pub async fn relay_as_with(
    f: &Federation,
    (from, to): (&str, &str),
    id: &str,
    body: Vec<u8>,
    (recipients, hops): (&str, &str),
    extra: &[(&str, &str)],
) -> lienthong_gateway::Answer {
    let sha = lienthong_store::Sha256::digest(&body).to_hex();
    let mut headers = vec![
        ("lienthong-message-id", id),
        ("lienthong-sha256", sha.as_str()),
        ("lienthong-recipients", recipients),
        ("lienthong-hops", hops),
    ];
    headers.extend_from_slice(extra);
    // The refusals' messages in English, which the tests read.
    f.client(to, Some(&format!("gateways/{from}")))
        .unwrap()
        .with_language("en")
        .call_with_headers(hyper::Method::POST, "/v1/relay", body, &headers)
        .await
        .unwrap()
}

/// Poll `f` every 20 ms until it gives `Some`, or fail after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Gateway `gw`'s `/metrics` text, read with the operator certificate.
pub async fn metrics_text(f: &Federation, gw: &str) -> String {
    try_metrics_text(f, gw).await.unwrap()
}

/// As [`metrics_text`], or why it could not be read (the connection refused, say).
pub async fn try_metrics_text(f: &Federation, gw: &str) -> Result<String, String> {
    let ops = f.client(gw, Some("operator/ops"))?;
    let body = ops.get("/metrics").await?.body.to_vec();
    String::from_utf8(body).map_err(|e| e.to_string())
}

/// The value of one series in Prometheus text: `series` is the name with its labels as
/// served, e.g. `lienthong_inbox_waiters` or `lienthong_inbox_unacknowledged{agency="…"}`.
pub fn metric_value(text: &str, series: &str) -> Option<f64> {
    let prefix = format!("{series} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse().unwrap())
}

/// The ids in an agency's inbox (`GET /v1/inbox?QUERY` with the agency's DMS client).
pub async fn inbox_item_ids(c: &lienthong_gateway::ApiClient, query: &str) -> Vec<String> {
    let a = c.get(&format!("/v1/inbox?{query}")).await.unwrap();
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    a.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST /v1/inbox/{id}/ack` with `result` (`done` or `fail`), which must be answered 200.
pub async fn ack_inbox(c: &lienthong_gateway::ApiClient, id: &str, result: &str) {
    let r = c
        .post_json(
            &format!("/v1/inbox/{id}/ack"),
            &serde_json::json!({"result": result}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

/// A TLS connection to gateway `gw` of `f`, as `identity` (a file stem under certs-dev, e.g.
/// `dms/000.00.00.G22`) or with no client certificate; the error when the server does not
/// complete it.
pub async fn try_raw_tls_to(
    f: &Federation,
    gw: &str,
    identity: Option<&str>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for c in lienthong_gateway::tls::load_certs(&certs().join("ca.pem")).unwrap() {
        roots.add(c).unwrap();
    }
    let builder = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    let cfg = match identity {
        None => builder.with_no_client_auth(),
        Some(id) => builder
            .with_client_auth_cert(
                lienthong_gateway::tls::load_certs(&certs().join(format!("{id}.pem"))).unwrap(),
                lienthong_gateway::tls::load_key(&certs().join(format!("{id}.key"))).unwrap(),
            )
            .unwrap(),
    };
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(f.nodes[gw].addr).await?;
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    connector.connect(name, tcp).await
}

/// [`try_raw_tls_to`] gateway `gw-g22`, which must complete the handshake.
pub async fn raw_tls(
    f: &Federation,
    identity: Option<&str>,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    try_raw_tls_to(f, "gw-g22", identity).await.unwrap()
}

/// Whether the server closes `conn` within `limit` (reads until end of stream or error,
/// discarding what comes).
pub async fn closed_within<S: tokio::io::AsyncRead + Unpin>(conn: &mut S, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// A VXP system for [`vxp_federation`]: id, secret, agencies, policy (`record` or
/// `require`).
pub struct VxpSystemSpec {
    pub id: &'static str,
    pub secret: &'static str,
    pub agencies: &'static [&'static str],
    pub policy: &'static str,
}

/// gw-g22 with gw-h50 below it, policy `require`, fast retries: configured, not started
/// (a test edits a configuration first).
pub fn prepare_pair(tag: &str) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    Federation::prepare(&spec).unwrap()
}

/// gw-g22 and gw-h50 with fast retries, gw-h50 serving VXP (plain HTTP on loopback) to
/// `systems` (their secrets in files beside its configuration); the VXP address.
pub async fn vxp_federation(
    tag: &str,
    systems: &[VxpSystemSpec],
) -> (Federation, std::net::SocketAddr) {
    let mut f = prepare_pair(tag);
    let list: Vec<(&str, &str, &[&str], &str)> = systems
        .iter()
        .map(|s| (s.id, s.secret, s.agencies, s.policy))
        .collect();
    f.add_vxp("gw-h50", &list).unwrap();
    f.start_all().await.unwrap();
    let addr = f.running("gw-h50").unwrap().vxp.as_ref().unwrap().addr;
    (f, addr)
}

/// A VXP client of `system` with `secret` at the listener `addr`, behind the prefix the
/// national axis's adapter uses.
pub fn vxp_client(
    addr: std::net::SocketAddr,
    system: &str,
    secret: &str,
) -> lienthong_gateway::vxp::client::VxpClient {
    lienthong_gateway::vxp::client::VxpClient::new(
        &format!("http://{addr}/XrdAdapter/adapter"),
        system,
        secret.as_bytes(),
        "05122026T133941+0937",
        rustls::RootCertStore::empty(),
    )
    .unwrap()
}

/// A time the API wrote (RFC 3339, as every time in its JSON), in milliseconds since the
/// epoch; `None` when it is not one.
pub fn time_ms(v: &serde_json::Value) -> Option<u64> {
    v.as_str()
        .and_then(lienthong_store::Timestamp::parse_rfc3339)
        .map(lienthong_store::Timestamp::as_millis)
}
