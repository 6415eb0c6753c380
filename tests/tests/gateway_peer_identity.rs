//! A next hop's URL that leads to another gateway of the federation (a typo in a directory
//! or config): the forwarder refuses the handshake because the certificate names another
//! gateway, so not a byte of the document reaches the wrong holder; the message waits with
//! the reason in its history. And a document signer's certificate is not a client identity.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_url_hands_nothing_to_the_wrong_gateway() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50", "gw-h48"])),
        certs: certs(),
        root: tempdir("peer-identity"),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    // gw-h50's parent, as its own config has it, is at gw-h48's address.
    let wrong = f.nodes["gw-h48"].url.clone();
    let cfg = f.nodes["gw-h50"].config_path.clone();
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!("\n[parent]\nid = \"gw-g22\"\nurl = \"{wrong}\"\n"));
    std::fs::write(&cfg, text).unwrap();
    f.start_all().await.unwrap();

    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = dms
        .submit(document("000.00.11.H50", &["000.00.00.G22"], 61))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();

    // The attempt fails at the handshake, saying whose certificate it met.
    let reason = eventually("a failed attempt", Duration::from_secs(20), || async {
        let t = dms
            .get(&format!("/v1/documents/{id}"))
            .await
            .unwrap()
            .json();
        t["history"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|h| h["event"]["reason"].as_str().map(str::to_owned))
    })
    .await;
    assert!(reason.contains("not gateway gw-g22"), "{reason}");
    assert!(reason.contains("gw-h48"), "{reason}");
    // gw-h48 never received it.
    let mid: lienthong_store::MessageId = id.parse().unwrap();
    let held = f.running("gw-h48").unwrap().state.store.message(mid);
    assert_eq!(held.unwrap_err().code(), "store.not_found");
    f.stop_all().await;
}

/// A document signer's certificate (same CA, naming its agency, but no clientAuth extended
/// key usage) does not log in as the agency's DMS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signer_certificate_is_not_a_client_identity() {
    let mut f = federation("signer-as-client", Some(&["gw-h50", "gw-g22", "gw-h48"])).await;
    let me = "000.00.11.H50";
    let signer = f
        .client("gw-h50", Some(&format!("signers/{me}")))
        .unwrap()
        .with_language("en");
    let r = signer.get("/v1/inbox").await.unwrap();
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_deref()),
        (403, Some("auth.unidentified")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("clientAuth"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = signer
        .submit(document(me, &["000.00.11.H48"], 41))
        .await
        .unwrap();
    assert_eq!(r.error_code().as_deref(), Some("auth.unidentified"));
    // The agency's DMS certificate is served.
    let dms = f.client("gw-h50", Some(&format!("dms/{me}"))).unwrap();
    assert_eq!(dms.get("/v1/inbox").await.unwrap().status, 200);
    f.stop_all().await;
}
