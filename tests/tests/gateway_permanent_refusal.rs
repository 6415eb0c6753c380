//! A next hop that refuses a message (a 4xx) does not get it again and again: the message
//! is dead-lettered at once, with the peer's reason, and an operator can see it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_by_the_next_hop_is_dead_at_once() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("permanent"),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    // gw-h50 accepts unsigned documents (policy record); gw-g22 requires signatures and
    // does not take what another gateway recorded.
    let cfg = &f.nodes["gw-h50"].config_path;
    let text = std::fs::read_to_string(cfg)
        .unwrap()
        .replace("policy = \"require\"", "policy = \"record\"");
    std::fs::write(cfg, text).unwrap();
    let cfg = &f.nodes["gw-g22"].config_path;
    let text = std::fs::read_to_string(cfg).unwrap().replace(
        "policy = \"require\"",
        "policy = \"require\"\naccept_recorded_relays = false",
    );
    std::fs::write(cfg, text).unwrap();
    f.start_all().await.unwrap();

    let signed = String::from_utf8(document("000.00.11.H50", &["000.00.00.G22"], 5)).unwrap();
    let i = signed.find("<Signature").unwrap();
    let j = signed.find("</Signature>").unwrap() + "</Signature>".len();
    let unsigned = format!("{}{}", &signed[..i], &signed[j..]);
    let a = f
        .client("gw-h50", Some("dms/000.00.11.H50"))
        .unwrap()
        .submit(unsigned.into_bytes())
        .await
        .unwrap();
    assert_eq!(
        a.status,
        202,
        "accepted under 'record': {}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(a.json()["signature"], "unsigned");
    let id = a.json()["id"].as_str().unwrap().to_owned();

    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let dead = eventually("dead letter", Duration::from_secs(20), || async {
        let j = ops.get("/v1/messages?state=dead").await.unwrap().json();
        j["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id.as_str())
            .cloned()
    })
    .await;
    assert_eq!(
        dead["recipients"]["000.00.00.G22"]["state"], "dead",
        "{dead:#}"
    );
    // Found by its reason (to retry once the peer's trust is fixed), and not by another.
    let by = |reason: &'static str| {
        let ops = ops.clone();
        let id = id.clone();
        async move {
            let j = ops
                .get(&format!("/v1/messages?state=dead&reason={reason}"))
                .await
                .unwrap()
                .json();
            j["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == id.as_str())
        }
    };
    assert!(by("signature.required").await);
    assert!(!by("routing.refused").await);
    let t = ops
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert!(
        t["history"].to_string().contains("signature.required"),
        "the peer's reason is kept: {t:#}"
    );
    let m = String::from_utf8(ops.get("/metrics").await.unwrap().body.to_vec()).unwrap();
    assert!(
        m.contains("lienthong_dead_letters_total{hop=\"gw-g22\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("lienthong_retries_total{hop=\"gw-g22\"} 1"),
        "one attempt only: {m}"
    );
    f.stop_all().await;
}
