//! Refusals: each with its error code, and nothing stored. Also the authorization rules
//! of the design, one by one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_gateway::federation::Federation;
use support::*;

async fn stored_messages(f: &Federation, gw: &str) -> u64 {
    let g = f.running(gw).unwrap();
    let stats = g
        .state
        .store
        .queue_stats(lienthong_store::Timestamp::now_utc())
        .unwrap();
    stats.states.values().sum()
}

/// Bytes in the gateway's payload log (its segment files).
fn payload_bytes(f: &Federation, gw: &str) -> u64 {
    let data = f.nodes[gw]
        .config_path
        .parent()
        .unwrap()
        .join("data/payloads");
    std::fs::read_dir(data).map_or(0, |d| {
        d.flatten()
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum()
    })
}

async fn assert_nothing_stored(f: &Federation, gw: &str) {
    assert_eq!(stored_messages(f, gw).await, 0, "{gw} stored a message");
    assert_eq!(payload_bytes(f, gw), 0, "{gw} wrote a payload");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dms_refusals_leave_no_trace() {
    let spec_extra = format!("{FAST_RETRY}\n[limits]\nmax_body_bytes = 65536\n");
    let root = tempdir("refusals");
    let spec = lienthong_gateway::federation::FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50", "gw-h48"])),
        certs: certs(),
        root,
        policy: lienthong_gateway::config::SignaturePolicy::Require,
        extra_toml: spec_extra,
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let gw = "gw-h50";
    let me = "000.00.11.H50";
    let dms = f
        .client(gw, Some(&format!("dms/{me}")))
        .unwrap()
        .with_language("en");
    let good = document(me, &["000.00.11.H48"], 7);

    // No client certificate.
    let anon = f.client(gw, None).unwrap();
    let a = anon.submit(good.clone()).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (401, Some("auth.no_client_certificate"))
    );
    // Health checks need none.
    assert_eq!(anon.get("/healthz").await.unwrap().status, 200);
    assert_eq!(anon.get("/readyz").await.unwrap().status, 200);
    assert_eq!(
        anon.get("/metrics").await.unwrap().error_code().as_deref(),
        Some("auth.no_client_certificate")
    );

    // A client certificate from another CA: refused in the TLS handshake.
    let other = lienthong_testkit::pki::DevPki::generate_named("Rogue Root CA").unwrap();
    let rogue_dir = tempdir("rogue");
    other.write_to(&rogue_dir).unwrap();
    let rogue = lienthong_gateway::ApiClient::new(
        &f.url(gw).unwrap(),
        &[certs().join("ca.pem").as_path()],
        Some((
            rogue_dir.join(format!("dms/{me}.pem")).as_path(),
            rogue_dir.join(format!("dms/{me}.key")).as_path(),
        )),
    )
    .unwrap();
    let err = rogue.submit(good.clone()).await;
    assert!(
        err.is_err() || err.as_ref().unwrap().status.is_client_error(),
        "{err:?}"
    );
    // Counted, with its reason, for the operator who hears "we cannot connect".
    let m = metrics_text(&f, gw).await;
    assert!(
        metric_value(
            &m,
            "lienthong_tls_handshake_failures_total{reason=\"certificate\"}"
        ) >= Some(1.0),
        "{m}"
    );

    // A DMS posting as another agency.
    let a = f
        .client(gw, Some("dms/000.00.00.H50"))
        .unwrap()
        .submit(good.clone())
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (403, Some("auth.wrong_agency"))
    );

    // A gateway certificate or operator certificate cannot submit documents.
    let a = f
        .client(gw, Some("gateways/gw-h48"))
        .unwrap()
        .submit(good.clone())
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (403, Some("auth.forbidden"))
    );
    let a = f
        .client(gw, Some("operator/ops"))
        .unwrap()
        .submit(good.clone())
        .await
        .unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));

    // A bad signature under `require`: tampered, unsigned, wrong signer.
    let tampered = String::from_utf8(good.clone())
        .unwrap()
        .replace("thử nghiệm", "giả mạo")
        .into_bytes();
    let a = dms.submit(tampered).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (422, Some("signature.required"))
    );
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed after signing")
    );
    let unsigned = {
        let s = String::from_utf8(good.clone()).unwrap();
        let i = s.find("<Signature").unwrap();
        let j = s.find("</Signature>").unwrap() + 12;
        format!("{}{}", &s[..i], &s[j..]).into_bytes()
    };
    let a = dms.submit(unsigned).await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("signature.required"));
    assert_eq!(a.json()["error"]["detail"]["verdict"], "unsigned");

    // An unknown recipient.
    let a = dms
        .submit(document(me, &["000.99.99.H99"], 8))
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (422, Some("routing.refused")),
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(
        a.json()["error"]["detail"]["refused"][0]["recipient"],
        "000.99.99.H99"
    );

    // An oversized body (limit 64 KiB here; 100 MiB by default).
    let big = vec![b' '; 70_000];
    let a = dms.submit(big).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (413, Some("request.too_large"))
    );

    // Not XML, and XML that is not edXML, with their positions.
    let a = dms.submit(b"<!DOCTYPE x><x/>".to_vec()).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (400, Some("document.unreadable"))
    );
    assert_eq!(a.json()["error"]["detail"]["line"], 1);
    let a = dms.submit(b"<html/>".to_vec()).await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("document.not_edxml"));

    assert_nothing_stored(&f, gw).await;
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_rules() {
    let mut f = federation(
        "relay-rules",
        Some(&["gw-g22", "gw-h50", "gw-h50-giolinh", "gw-h48"]),
    )
    .await;
    let doc = document("000.00.21.H50", &["000.00.11.H48"], 9);
    let sha = lienthong_store::Sha256::digest(&doc).to_hex();
    let id = lienthong_store::MessageId::new_v7(lienthong_store::Timestamp::now_utc()).to_string();
    let relay = |from: &str, to: &str, recipients: &str, hops: &str| {
        let c = f.client(to, Some(&format!("gateways/{from}"))).unwrap();
        let body = doc.clone();
        let (recipients, hops, id, sha) = (
            recipients.to_owned(),
            hops.to_owned(),
            id.clone(),
            sha.clone(),
        );
        async move {
            c.call_with_headers(
                hyper::Method::POST,
                "/v1/relay",
                body,
                &[
                    ("lienthong-message-id", id.as_str()),
                    ("lienthong-sha256", sha.as_str()),
                    ("lienthong-recipients", recipients.as_str()),
                    ("lienthong-hops", hops.as_str()),
                ],
            )
            .await
            .unwrap()
        }
    };
    // gw-h48 is not a neighbour of gw-h50.
    let a = relay("gw-h48", "gw-h50", "000.00.11.H48", "gw-h48").await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (403, Some("auth.relay_not_routed"))
    );
    // A child sending up a recipient of its own subtree.
    let a = relay(
        "gw-h50-giolinh",
        "gw-h50",
        "000.00.21.H50",
        "gw-h50-giolinh",
    )
    .await;
    assert_eq!(a.error_code().as_deref(), Some("auth.relay_not_routed"));
    // The parent sending down a recipient outside our subtree.
    let a = relay("gw-g22", "gw-h50", "000.00.11.H48", "gw-g22").await;
    assert_eq!(a.error_code().as_deref(), Some("auth.relay_not_routed"));
    // The hop list must end with the sender.
    let a = relay("gw-h50-giolinh", "gw-h50", "000.00.11.H48", "gw-h48").await;
    assert_eq!(a.error_code().as_deref(), Some("auth.relay_not_routed"));
    // A recipient the document does not name.
    let a = relay(
        "gw-h50-giolinh",
        "gw-h50",
        "000.00.00.G22",
        "gw-h50-giolinh",
    )
    .await;
    assert_eq!(a.error_code().as_deref(), Some("auth.relay_not_routed"));
    // A child relaying up a document its subtree did not send: Quảng Ngãi's finance
    // department (gw-h48) is not behind the Gio Linh gateway.
    {
        let foreign = document("000.00.11.H48", &["000.00.00.G22"], 9);
        let a = relay_as(
            &f,
            "gw-h50-giolinh",
            "gw-h50",
            &id,
            foreign,
            "000.00.00.G22",
            "gw-h50-giolinh",
        )
        .await;
        assert_eq!(
            a.error_code().as_deref(),
            Some("auth.relay_not_routed"),
            "{}",
            String::from_utf8_lossy(&a.body)
        );
        assert!(String::from_utf8_lossy(&a.body).contains("outside gw-h50-giolinh's subtree"));
    }
    // A loop: gw-h50 already in the hop list.
    let a = relay(
        "gw-h50-giolinh",
        "gw-h50",
        "000.00.11.H48",
        "gw-h50,gw-h50-giolinh",
    )
    .await;
    assert_eq!(a.error_code().as_deref(), Some("routing.refused"));
    // A DMS certificate cannot relay.
    let c = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = c.submit(doc.clone()).await.unwrap();
    assert_ne!(a.error_code().as_deref(), Some("auth.relay_not_routed"));
    assert_nothing_stored(&f, "gw-h50").await;

    // The right relay is accepted with a signed receipt; a duplicate gets the same receipt.
    let a = relay(
        "gw-h50-giolinh",
        "gw-h50",
        "000.00.11.H48",
        "gw-h50-giolinh",
    )
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let b = relay(
        "gw-h50-giolinh",
        "gw-h50",
        "000.00.11.H48",
        "gw-h50-giolinh",
    )
    .await;
    assert_eq!(
        a.body, b.body,
        "a duplicate relay gets the original receipt"
    );
    let receipt = lienthong_dsig::Receipt::parse(&a.body).unwrap();
    assert_eq!(
        (receipt.receiving_gateway.as_str(), receipt.hop),
        ("gw-h50", 1)
    );
    assert_eq!(receipt.document_sha256.to_hex(), sha);
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_endpoints_need_an_operator() {
    let mut f = federation("operator", Some(&["gw-g22", "gw-h50"])).await;
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    for path in ["/v1/queues", "/v1/messages?state=dead", "/metrics"] {
        let a = dms.get(path).await.unwrap();
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_deref()),
            (403, Some("auth.forbidden")),
            "{path}"
        );
        assert_eq!(ops.get(path).await.unwrap().status, 200, "{path}");
    }
    let a = dms
        .post_json(
            "/v1/messages/0190f3a2-7c1e-7b3a-9f00-000000000001/retry",
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    let a = ops
        .post_json(
            "/v1/messages/0190f3a2-7c1e-7b3a-9f00-000000000001/retry",
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (404, Some("not_found"))
    );
    let a = ops.get("/v1/messages?state=nonsense").await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("request.bad_request"));
    // The inbox is per agency: another agency cannot read a delivered message.
    let sender = f.client("gw-h50", Some("dms/000.00.00.H50")).unwrap();
    let a = sender
        .submit(document("000.00.00.H50", &["000.00.11.H50"], 3))
        .await
        .unwrap();
    let id = a.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        dms.get(&format!("/v1/inbox/{id}")).await.unwrap().status,
        200
    );
    let a = sender.get(&format!("/v1/inbox/{id}")).await.unwrap();
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_deref()),
        (404, Some("not_found"))
    );
    // Metrics name what happened.
    let m = String::from_utf8(ops.get("/metrics").await.unwrap().body.to_vec()).unwrap();
    assert!(m.contains("lienthong_accepted_total"), "{m}");
    assert!(m.contains("lienthong_delivered_total"), "{m}");
    assert!(
        m.contains("lienthong_refused_total{reason=\"auth.forbidden\"}"),
        "{m}"
    );
    assert!(
        m.contains("lienthong_certificate_expiry_timestamp_seconds{certificate=\"tls\"}"),
        "{m}"
    );
    assert!(
        m.contains("lienthong_accept_duration_seconds_bucket"),
        "{m}"
    );
    f.stop_all().await;
}
