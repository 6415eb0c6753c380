//! Limits that protect a public endpoint: per-peer rate, slow headers (slowloris), and
//! certificate reload that keeps the old certificate when the new one is bad.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Now, in seconds since the epoch, to read `*_timestamp_seconds` gauges against.
fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

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

/// The first bytes of the answer on a raw connection, within `secs` seconds (else fail
/// with `what`).
async fn raw_answer(
    tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    secs: u64,
    what: &str,
) -> String {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(secs), tls.read(&mut buf))
        .await
        .expect(what)
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off() {
    let mut f = one_gateway(
        "slowloris",
        "\n[limits]\nheader_timeout_ms = 300\n",
        certs(),
    )
    .await;
    let mut tls = raw_tls(&f, None).await;
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

/// A client that declares a big body and then sends almost nothing (holding a request slot)
/// is cut off once it falls behind the minimum rate, with `request.timeout`, long before
/// the request timeout its declared size would allow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off() {
    let mut f = one_gateway(
        "slow-body",
        "\n[limits]\nheader_timeout_ms = 300\nmin_bytes_per_second = 1000\nrequest_timeout_ms = 600000\n",
        certs(),
    )
    .await;
    let mut tls = raw_tls(&f, Some("dms/000.00.00.G22")).await;
    // 900 KB declared (15 min at the declared size and rate), 10 bytes sent.
    tls.write_all(
        b"POST /v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 900000\r\n\r\n<edXML:edX",
    )
    .await
    .unwrap();
    tls.flush().await.unwrap();
    let started = Instant::now();
    let answer = raw_answer(&mut tls, 10, "the server kept waiting for a trickled body").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request.timeout"), "{answer}");
    // Said in the default language, Vietnamese (the request names none).
    assert!(answer.contains("chậm hơn 1000 byte mỗi giây"), "{answer}");
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
        .snapshot()
        .signing
        .clone();
    let r = lienthong_dsig::Receipt {
        message_id: "0190f3a2-7c1e-7b3a-9f00-000000000001".parse().unwrap(),
        document_sha256: "ab".repeat(32).parse().unwrap(),
        receiving_gateway: "gw-g22".parse().unwrap(),
        received_at_ms: 1,
        hop: 1,
    };
    assert!(r.sign(&signing.key, &signing.chain).is_ok());
    let fresh = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    assert_eq!(fresh.get("/v1/agencies").await.unwrap().status, 200);
    f.stop_all().await;
}

/// A CA's new CRL takes effect on reload (SIGHUP), without a restart; a broken CRL file is
/// refused by the reload and the CRLs in use stay; the CRLs' nextUpdate is a metric.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_picks_up_a_new_crl() {
    const SERIAL: u64 = 77_777;
    const AGENCY: &str = "000.00.00.G22";
    let pki_dir = tempdir("reload-crl-pki");
    let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
    pki.write_to(&pki_dir).unwrap();
    // A signer of our own, with a serial number we can revoke.
    let signer = pki
        .issue(&lienthong_testkit::pki::LeafSpec::signer(
            AGENCY,
            "Văn phòng Chính phủ",
            SERIAL,
        ))
        .unwrap();
    let sign = |n: u32| {
        let key = lienthong_dsig::SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
        let chain = lienthong_dsig::certs_from_pem(signer.cert_pem.as_bytes()).unwrap();
        let placement = lienthong_dsig::Placement::LastChildOf {
            namespace: lienthong_edxml::EDXML_NS.into(),
            local: "edXMLHeader".into(),
        };
        lienthong_dsig::sign_enveloped(
            edoc_xml(AGENCY, &[AGENCY], n).as_bytes(),
            &key,
            &chain,
            &placement,
        )
        .unwrap()
    };
    let mut f = one_gateway("reload-crl", "", pki_dir.clone()).await;
    let dms = f.client("gw-g22", Some(&format!("dms/{AGENCY}"))).unwrap();
    let ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    assert_eq!(dms.submit(sign(1)).await.unwrap().status, 202);
    let m = String::from_utf8_lossy(&ops.get("/metrics").await.unwrap().body).into_owned();
    let next_update: f64 = m
        .lines()
        .find_map(|l| l.strip_prefix("lienthong_document_crl_next_update_timestamp_seconds "))
        .unwrap_or_else(|| panic!("no CRL nextUpdate gauge in:\n{m}"))
        .parse()
        .unwrap();
    assert!(
        next_update - unix_now() > 365.0 * 86_400.0,
        "{next_update}\n{m}"
    );

    // The CA revokes the signer: new CRL file, reload.
    let crl_file = pki_dir.join("ca.crl.pem");
    let (revoking, _) = pki.crl(&[SERIAL], 2).unwrap();
    std::fs::write(&crl_file, revoking).unwrap();
    f.running("gw-g22").unwrap().reload_tls().unwrap();
    let refused = dms.submit(sign(2)).await.unwrap();
    assert_eq!(refused.error_code().as_deref(), Some("signature.required"));
    let codes = refused.json()["error"]["detail"]["problem_codes"].clone();
    assert!(codes.to_string().contains("revoked"), "{codes}");

    // A broken CRL file: the reload says which file, and the revocation stays in force.
    std::fs::write(
        &crl_file,
        "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n",
    )
    .unwrap();
    let err = f.running("gw-g22").unwrap().reload_tls().unwrap_err();
    assert!(err.contains("ca.crl.pem"), "{err}");
    let still = dms.submit(sign(3)).await.unwrap();
    assert_eq!(still.error_code().as_deref(), Some("signature.required"));
    f.stop_all().await;
}

/// `lienthong_buffered_body_bytes` of gw-g22.
async fn buffered(f: &Federation) -> u64 {
    metric_value(
        &metrics_text(f, "gw-g22").await,
        "lienthong_buffered_body_bytes",
    )
    .map_or(0, |v| v as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_held_at_once_stay_within_the_memory_budget() {
    // A budget of 200,000 bytes, the size of the largest body; the half-sent body below is
    // not cut off for 30 s (header_timeout_ms is the start-up allowance of a body).
    let mut f = one_gateway(
        "budget",
        "\n[limits]\nmax_body_bytes = 200000\nmax_buffered_body_bytes = 200000\nheader_timeout_ms = 30000\n",
        certs(),
    )
    .await;
    // A: declares 150,000 bytes, sends 1,000, and holds its share.
    let mut a = raw_tls(&f, Some("dms/000.00.00.G22")).await;
    let mut head = b"POST /v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 150000\r\n\r\n".to_vec();
    head.extend_from_slice(&[b' '; 1000]);
    a.write_all(&head).await.unwrap();
    a.flush().await.unwrap();
    eventually("A's share", Duration::from_secs(20), || async {
        (buffered(&f).await >= 150_000).then_some(())
    })
    .await;

    // B: no length (chunked), 16 KiB chunks: refused at once when its share runs out.
    let mut b = raw_tls(&f, Some("dms/000.00.00.G22")).await;
    b.write_all(b"POST /v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = [b' '; 16 * 1024];
    for _ in 0..6 {
        let mut c = format!("{:x}\r\n", chunk.len()).into_bytes();
        c.extend_from_slice(&chunk);
        c.extend_from_slice(b"\r\n");
        // The server may answer and close before all chunks are written.
        if b.write_all(&c).await.is_err() {
            break;
        }
    }
    let _ = b.flush().await;
    let answer = raw_answer(&mut b, 20, "B is answered without waiting").await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("server.busy"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );

    // C: 60,000 declared bytes do not fit next to A: after a short wait, 503, nothing read.
    let c = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    let post_60k = || async {
        c.call_with_headers(
            hyper::Method::POST,
            "/v1/documents",
            vec![b'x'; 60_000],
            &[("content-type", "application/xml")],
        )
        .await
        .unwrap()
    };
    let r = post_60k().await;
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_code().as_deref(), Some("server.busy"));
    assert_eq!(
        r.json()["error"]["detail"]["max_buffered_body_bytes"],
        200_000
    );

    // A gives up: its share comes back, and C's body is read (and refused for what it is).
    drop(a);
    eventually("A's share given back", Duration::from_secs(20), || async {
        (buffered(&f).await == 0).then_some(())
    })
    .await;
    let r = post_60k().await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        r.error_code().unwrap().starts_with("document."),
        "{:?}",
        r.error_code()
    );
    f.stop_all().await;
}

/// A DMS certificate revoked while its connection is open: once the new CRL is loaded
/// (SIGHUP), that connection's next request is refused with `auth.revoked` and the
/// connection closed; a new one fails the handshake; other clients are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_client_is_cut_off_on_its_open_connection() {
    const SERIAL: u64 = 88_888;
    const AGENCY: &str = "000.00.00.G22";
    let pki_dir = tempdir("revoke-open-pki");
    let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
    pki.write_to(&pki_dir).unwrap();
    // This DMS's own certificate, with a serial number the CA will revoke.
    let dms_cert = pki
        .issue(&lienthong_testkit::pki::LeafSpec::dms(
            AGENCY,
            "Văn phòng Chính phủ",
            SERIAL,
        ))
        .unwrap();
    std::fs::write(pki_dir.join("dms/revocable.pem"), &dms_cert.cert_pem).unwrap();
    std::fs::write(pki_dir.join("dms/revocable.key"), &dms_cert.key_pem).unwrap();
    let mut f = one_gateway("revoke-open", "", pki_dir.clone()).await;
    let url = f.url("gw-g22").unwrap();
    let ca = pki_dir.join("ca.pem");
    let client = |name: &str| {
        lienthong_gateway::ApiClient::new(
            &url,
            &[ca.as_path()],
            Some((
                pki_dir.join(format!("dms/{name}.pem")).as_path(),
                pki_dir.join(format!("dms/{name}.key")).as_path(),
            )),
        )
        .unwrap()
    };
    let dms = client("revocable");
    // The connection is open and serving.
    assert_eq!(dms.get("/v1/inbox").await.unwrap().status, 200);
    // The CA revokes it; the gateway reloads its CRLs.
    let (revoking, _) = pki.crl(&[SERIAL], 2).unwrap();
    std::fs::write(pki_dir.join("ca.crl.pem"), revoking).unwrap();
    f.running("gw-g22").unwrap().reload_tls().unwrap();
    // The same (pooled) connection: refused at once.
    let r = dms.get("/v1/inbox").await;
    match r {
        Ok(a) => assert_eq!(
            (a.status.as_u16(), a.error_code().as_deref()),
            (401, Some("auth.revoked")),
            "{}",
            String::from_utf8_lossy(&a.body)
        ),
        // Closed by the gateway before the request went out: refused all the same.
        Err(e) => assert!(
            matches!(
                e.failure(),
                lienthong_gateway::Failure::ClientRefused(_) | lienthong_gateway::Failure::Closed
            ),
            "{e}"
        ),
    }
    // And from now on: a new connection fails the handshake.
    let again = client("revocable").get("/v1/inbox").await;
    assert!(
        again.is_err() || again.as_ref().unwrap().status.as_u16() == 401,
        "{again:?}"
    );
    // Another agency is served.
    let other = f.client("gw-g22", Some("operator/ops")).unwrap();
    assert_eq!(other.get("/v1/queues").await.unwrap().status, 200);
    let m = metrics_text(&f, "gw-g22").await;
    assert!(
        metric_value(&m, "lienthong_client_crl_next_update_timestamp_seconds")
            .is_some_and(|t| t - unix_now() > 365.0 * 86_400.0),
        "{m}"
    );
    f.stop_all().await;
}

/// A client CRL past its nextUpdate: by default still used, with the nextUpdate gauge in
/// the past; with `crl_expired = "refuse"`, the clients it covers are refused until a
/// fresh one is loaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_client_crl_warns_or_refuses_by_policy() {
    for policy in ["warn", "refuse"] {
        let pki_dir = tempdir(&format!("stale-crl-{policy}"));
        let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
        pki.write_to(&pki_dir).unwrap();
        // Its nextUpdate, 2026-06-01, is past.
        let (stale, _) = pki.crl_until(&[], 2, (2026, 6, 1)).unwrap();
        std::fs::write(pki_dir.join("ca.crl.pem"), stale).unwrap();
        let spec = FederationSpec {
            nodes: nodes(Some(&["gw-g22"])),
            certs: pki_dir.clone(),
            root: tempdir(&format!("stale-crl-{policy}-fed")),
            policy: SignaturePolicy::Require,
            extra_toml: FAST_RETRY.to_owned(),
        };
        let mut f = Federation::prepare(&spec).unwrap();
        let config = &f.nodes["gw-g22"].config_path;
        let text = std::fs::read_to_string(config).unwrap();
        let at = text.find("client_crls = ").unwrap();
        let end = text[at..].find('\n').unwrap() + at + 1;
        let text = format!(
            "{}crl_expired = \"{policy}\"\n{}",
            &text[..end],
            &text[end..]
        );
        std::fs::write(config, text).unwrap();
        f.start_all().await.unwrap();
        let url = f.url("gw-g22").unwrap();
        let dms = lienthong_gateway::ApiClient::new(
            &url,
            &[pki_dir.join("ca.pem").as_path()],
            Some((
                pki_dir.join("dms/000.00.00.G22.pem").as_path(),
                pki_dir.join("dms/000.00.00.G22.key").as_path(),
            )),
        )
        .unwrap();
        let r = dms.get("/v1/inbox").await;
        if policy == "warn" {
            assert_eq!(r.unwrap().status, 200, "{policy}");
            let ops = lienthong_gateway::ApiClient::new(
                &url,
                &[pki_dir.join("ca.pem").as_path()],
                Some((
                    pki_dir.join("operator/ops.pem").as_path(),
                    pki_dir.join("operator/ops.key").as_path(),
                )),
            )
            .unwrap();
            let m = String::from_utf8_lossy(&ops.get("/metrics").await.unwrap().body).into_owned();
            assert!(
                metric_value(&m, "lienthong_client_crl_next_update_timestamp_seconds")
                    .is_some_and(|t| t < unix_now()),
                "{m}"
            );
        } else {
            assert!(
                r.is_err() || r.as_ref().unwrap().status.is_client_error(),
                "{policy}: {r:?}"
            );
        }
        f.stop_all().await;
    }
}
