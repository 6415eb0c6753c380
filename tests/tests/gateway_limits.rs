//! Limits that protect a public endpoint: per-peer rate, slow headers (slowloris), and
//! certificate reload that keeps the old certificate when the new one is bad.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn one_gateway(tag: &str, extra: &str, certs_dir: std::path::PathBuf) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22"])),
        certs: certs_dir,
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: format!("{FAST_RETRY}{extra}"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_peer_rate_limit() {
    let mut f = one_gateway(
        "rate",
        "\n[limits]\nper_peer_rate = 1\nper_peer_burst = 3\n",
        certs(),
    )
    .await;
    let a = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    let b = f.client("gw-g22", Some("operator/ops")).unwrap();
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(a.get("/v1/agencies").await.unwrap().status.as_u16());
    }
    assert_eq!(&codes[..3], &[200, 200, 200], "{codes:?}");
    assert!(codes[3..].contains(&429), "{codes:?}");
    let r = a.get("/v1/agencies").await.unwrap();
    assert_eq!(r.error_code().as_deref(), Some("request.rate_limited"));
    // Another peer is not affected.
    assert_eq!(b.get("/v1/queues").await.unwrap().status, 200);
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off() {
    let mut f = one_gateway(
        "slowloris",
        "\n[limits]\nheader_timeout_ms = 300\n",
        certs(),
    )
    .await;
    let addr = f.nodes["gw-g22"].addr;
    let mut roots = rustls::RootCertStore::empty();
    for c in lienthong_gateway::tls::load_certs(&certs().join("ca.pem")).unwrap() {
        roots.add(c).unwrap();
    }
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    // Start a request and never finish the headers.
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server kept a slow connection open for 10 s"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    f.stop_all().await;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_keeps_the_old_certificate_when_the_new_one_is_bad() {
    let pki = tempdir("reload-pki");
    copy_dir(&certs(), &pki);
    let mut f = one_gateway("reload", "", pki.clone()).await;
    let c = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    assert_eq!(c.get("/v1/agencies").await.unwrap().status, 200);
    let cert = pki.join("gateways/gw-g22.pem");
    let good = std::fs::read(&cert).unwrap();
    // A broken certificate file: the reload fails, says why, and the old one serves on.
    std::fs::write(
        &cert,
        b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let err = f.running("gw-g22").unwrap().reload_tls().unwrap_err();
    assert!(err.contains("gw-g22.pem"), "{err}");
    let fresh = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    assert_eq!(fresh.get("/v1/agencies").await.unwrap().status, 200);
    // A certificate that does not match the key: refused too.
    std::fs::copy(pki.join("gateways/gw-h48.pem"), &cert).unwrap();
    assert!(f.running("gw-g22").unwrap().reload_tls().is_err());
    assert_eq!(fresh.get("/v1/agencies").await.unwrap().status, 200);
    // A good one again: reloaded, and receipts are still signed with a good key.
    std::fs::write(&cert, good).unwrap();
    f.running("gw-g22").unwrap().reload_tls().unwrap();
    let signing = f
        .running("gw-g22")
        .unwrap()
        .state
        .signing
        .read()
        .unwrap()
        .clone();
    let r = lienthong_dsig::Receipt {
        message_id: "m".into(),
        document_sha256: "ab".repeat(32),
        receiving_gateway: "gw-g22".into(),
        received_at_ms: 1,
        hop: 1,
    };
    assert!(r.sign(&signing.key, &signing.chain).is_ok());
    let fresh = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    assert_eq!(fresh.get("/v1/agencies").await.unwrap().status, 200);
    f.stop_all().await;
}
