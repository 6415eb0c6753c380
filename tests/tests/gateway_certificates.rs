//! "Whose certificate expires next?": a gateway shows every certificate it depends on, its
//! own, its next hops' and its clients', with the days they have left
//! (`GET /v1/certificates`, the `peer_certificate` of each link in `GET /v1/queues`, and the
//! expiry gauges), so that an operator renews or calls before the link breaks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::Value;
use support::*;

const FROM: &str = "000.00.11.H50";
const NATIONAL: &str = "000.00.00.G22";

/// The fingerprint and serial of a certs-dev certificate, as the dsig crate reads them.
fn dev_cert(name: &str) -> (String, String) {
    let der = CertificateDer::from_pem_file(certs().join(format!("{name}.pem"))).unwrap();
    let i = lienthong_dsig::cert_info(der.as_ref()).unwrap();
    (i.fingerprint_sha256, i.serial.to_ascii_lowercase())
}

/// Assert that `c` (a certificate in the API's form) is certs-dev's `name`, valid for
/// `days_left` days from now.
fn is_dev_cert(c: &Value, name: &str) {
    let (fingerprint, serial) = dev_cert(name);
    assert_eq!(
        c["fingerprint_sha256"],
        fingerprint.as_str(),
        "{name}: {c:#}"
    );
    assert_eq!(
        c["serial"].as_str().unwrap().to_ascii_lowercase(),
        serial,
        "{c:#}"
    );
    let days = c["days_left"].as_f64().unwrap();
    let not_after = time_ms(&c["not_after"]).unwrap();
    let now = lienthong_store::Timestamp::now_utc().as_millis();
    let expected = (not_after as f64 - now as f64) / 86_400_000.0;
    assert!((days - expected).abs() < 0.2, "{days} vs {expected}: {c:#}");
    assert!(
        days > 0.0,
        "certs-dev certificates are valid for years: {c:#}"
    );
    assert!(c["subject"].as_str().unwrap().contains("CN="), "{c:#}");
}

fn peer<'a>(list: &'a Value, key: &str, who: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e[key] == who)
        .unwrap_or_else(|| panic!("no {who} in {list:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_see_every_certificate_and_its_days_left() {
    let mut f = federation("certificates", Some(&["gw-g22", "gw-h50"])).await;
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = sender.submit(document(FROM, &[NATIONAL], 1)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let national = f
        .client("gw-g22", Some(&format!("dms/{NATIONAL}")))
        .unwrap();
    eventually("relayed and delivered", Duration::from_secs(20), || async {
        let a = national.get(&format!("/v1/inbox/{id}")).await.unwrap();
        (a.status == 200).then_some(())
    })
    .await;

    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let a = ops.get("/v1/certificates").await.unwrap();
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["gateway"], "gw-h50");
    // Its own certificate (and the CA's), the one expiring first first.
    let own = v["own"].as_array().unwrap();
    assert!(
        own.iter()
            .any(|c| c["file"].as_str().unwrap().ends_with("gw-h50.pem")),
        "{v:#}"
    );
    let days: Vec<f64> = own
        .iter()
        .map(|c| c["days_left"].as_f64().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    // The next hop's server certificate, as presented when the forwarder connected.
    is_dev_cert(
        &peer(&v["next_hops"], "hop", "gw-g22")["certificate"],
        "gateways/gw-g22",
    );
    // A next hop never connected to (its gateway is not running here) has none yet.
    for h in v["next_hops"].as_array().unwrap() {
        if h["hop"] != "gw-g22" {
            assert_eq!(h["certificate"], Value::Null, "{h:#}");
        }
    }
    // The clients that connected: the sending DMS and this operator.
    is_dev_cert(
        &peer(&v["clients"], "peer", &format!("agency {FROM}"))["certificate"],
        &format!("dms/{FROM}"),
    );
    is_dev_cert(
        &peer(&v["clients"], "peer", "operator ops")["certificate"],
        "operator/ops",
    );
    // The national gateway saw gw-h50 as a client when it relayed.
    let v = f
        .client("gw-g22", Some("operator/ops"))
        .unwrap()
        .get("/v1/certificates")
        .await
        .unwrap()
        .json();
    is_dev_cert(
        &peer(&v["clients"], "peer", "gateway gw-h50")["certificate"],
        "gateways/gw-h50",
    );

    // The same next-hop certificate with the link's health.
    let q = ops.get("/v1/queues").await.unwrap().json();
    is_dev_cert(&q["links"]["gw-g22"]["peer_certificate"], "gateways/gw-g22");

    // And as gauges: when each expires, in Unix seconds, a client by kind and id.
    let text = metrics_text(&f, "gw-h50").await;
    let hop = metric_value(
        &text,
        "lienthong_peer_certificate_expiry_timestamp_seconds{hop=\"gw-g22\"}",
    )
    .unwrap_or_else(|| panic!("no peer gauge\n{text}"));
    let labels = format!("kind=\"agency\",id=\"{FROM}\"");
    let client = metric_value(
        &text,
        &format!("lienthong_client_certificate_expiry_timestamp_seconds{{{labels}}}"),
    )
    .unwrap_or_else(|| panic!("no client gauge\n{text}"));
    let listed = |v: &Value| time_ms(&v["certificate"]["not_after"]).unwrap() as f64 / 1000.0;
    let v = ops.get("/v1/certificates").await.unwrap().json();
    assert_eq!(hop, listed(peer(&v["next_hops"], "hop", "gw-g22")));
    assert_eq!(
        client,
        listed(peer(&v["clients"], "peer", &format!("agency {FROM}")))
    );

    // Operators only.
    let a = sender.get("/v1/certificates").await.unwrap();
    assert_eq!(a.status, 403);
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    let a = f
        .client("gw-h50", None)
        .unwrap()
        .get("/v1/certificates")
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    f.stop_all().await;
}
