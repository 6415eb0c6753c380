//! A relay whose answer was lost is not uploaded again when the body is big: the sending
//! gateway first asks the next hop for its receipt (`GET /v1/relay/{id}/receipt`) and, since
//! the next hop has the message, acknowledges with that receipt. Made deterministic here: the
//! next hop is down for the first attempt; the test then relays the message itself, as the
//! sending gateway, so that the next hop has it while the sender's entry still waits; an
//! operator's retry then finds it there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_store::MessageId;
use support::*;

/// Retries a minute apart (the test drives them), and every resend asks first.
const CONFIG: &str = "\n[retry]\nbase_ms = 60000\nfactor = 2.0\ncap_ms = 60000\njitter_percent = 0\nmax_attempts = 1000\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 2000\nresend_check_bytes = 0\n";

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_not_sent_again() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("resend"),
        policy: SignaturePolicy::Require,
        extra_toml: CONFIG.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f.stop("gw-g22").await;
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = dms
        .submit(document("000.00.11.H50", &["000.00.00.G22"], 51))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let mid: MessageId = id.parse().unwrap();
    let track = || async {
        dms.get(&format!("/v1/documents/{id}"))
            .await
            .unwrap()
            .json()
    };
    eventually(
        "the first attempt failed",
        Duration::from_secs(20),
        || async {
            let t = track().await;
            (t["message"]["recipients"]["000.00.00.G22"]["state"] == "retry_scheduled")
                .then_some(())
        },
    )
    .await;

    // The next hop comes back and receives the message (as if the first attempt had
    // arrived and only its answer been lost).
    f.start("gw-g22").await.unwrap();
    let body = f
        .running("gw-h50")
        .unwrap()
        .state
        .store
        .read_payload(mid)
        .unwrap();
    let first = relay_as(&f, "gw-h50", "gw-g22", &id, body, "000.00.00.G22", "gw-h50").await;
    let as_h50 = f.client("gw-g22", Some("gateways/gw-h50")).unwrap();
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );

    // Only the gateway that relayed it may fetch the receipt.
    let r = as_h50
        .get(&format!("/v1/relay/{id}/receipt"))
        .await
        .unwrap();
    assert_eq!(r.body, first.body);
    let other = f.client("gw-g22", Some("gateways/gw-h48")).unwrap();
    assert_eq!(
        other
            .get(&format!("/v1/relay/{id}/receipt"))
            .await
            .unwrap()
            .error_code()
            .as_deref(),
        Some("not_found")
    );
    let agency = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    assert_eq!(
        agency
            .get(&format!("/v1/relay/{id}/receipt"))
            .await
            .unwrap()
            .error_code()
            .as_deref(),
        Some("auth.forbidden")
    );

    // The operator retries now: the sender asks, gets that receipt, acknowledges. A note
    // that is not one (unknown field, control character, too long) is refused first, and
    // leaves no trace in the history.
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let history_before = track().await["history"].clone();
    for bad in [
        serde_json::json!({"nota": "typo"}),
        serde_json::json!({"note": "bell\u{7}"}),
        serde_json::json!({"note": "x".repeat(1001)}),
    ] {
        let r = ops
            .post_json(&format!("/v1/messages/{id}/retry"), &bad)
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error_code().as_deref(), Some("request.bad_request"));
    }
    // Not JSON: what a cross-site form or a bare POST sends. A page the operator visits
    // cannot use the operator certificate in the browser to act (CSRF).
    let path = format!("/v1/messages/{id}/retry");
    for (body, ctype) in [
        ("note=x", Some("application/x-www-form-urlencoded")),
        ("{}", Some("text/plain")),
        ("", None),
    ] {
        let r = ops
            .call(
                hyper::Method::POST,
                &path,
                ctype.map(|c| (bytes::Bytes::from(body), c)),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{ctype:?}");
        assert_eq!(r.error_code().as_deref(), Some("request.bad_request"));
    }
    assert_eq!(track().await["history"], history_before);
    let retry = ops
        .post_json(
            &format!("/v1/messages/{id}/retry"),
            &serde_json::json!({"note": "gw-g22 back after maintenance"}),
        )
        .await
        .unwrap();
    assert_eq!(
        retry.status,
        200,
        "{}",
        String::from_utf8_lossy(&retry.body)
    );
    let t = eventually(
        "relayed with the stored receipt",
        Duration::from_secs(20),
        || async {
            let t = track().await;
            (t["message"]["recipients"]["000.00.00.G22"]["state"] == "relayed").then_some(t)
        },
    )
    .await;
    assert_eq!(
        t["receipts"][0]["xml"].as_str().unwrap().as_bytes(),
        first.body.as_ref()
    );
    // The history says who retried it, and why.
    let retried: Vec<_> = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["event"]["event"] == "retry_now")
        .collect();
    assert_eq!(retried.len(), 1, "{}", t["history"]);
    assert_eq!(retried[0]["event"]["operator"], "ops");
    assert_eq!(retried[0]["event"]["note"], "gw-g22 back after maintenance");
    // gw-g22 received the body once: no duplicate relay reached it.
    let g22_ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    let m = String::from_utf8_lossy(&g22_ops.get("/metrics").await.unwrap().body).into_owned();
    assert_eq!(metric(&m, "lienthong_relay_received_total"), 1.0, "{m}");
    assert_eq!(metric(&m, "lienthong_relay_duplicates_total"), 0.0, "{m}");
    f.stop_all().await;
}
