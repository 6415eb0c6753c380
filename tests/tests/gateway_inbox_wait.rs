//! Inbox long polling (`GET /v1/inbox?wait=N`): a DMS is answered as soon as something is
//! delivered to its agency; a waiting poll holds no request slot; waiters are bounded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.H50";

async fn gateways(tag: &str, extra: &str) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: format!("{FAST_RETRY}{extra}"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f
}

/// The `lienthong_inbox_waiters` gauge of gw-h50.
async fn waiters(f: &Federation) -> u64 {
    metric_value(&metrics_text(f, "gw-h50").await, "lienthong_inbox_waiters")
        .map_or(0, |v| v as u64)
}

async fn wait_for_waiters(f: &Federation, n: u64) {
    eventually(
        &format!("{n} inbox waiters"),
        Duration::from_secs(20),
        || async { (waiters(f).await == n).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_poll_is_answered_by_the_delivery_and_holds_no_request_slot() {
    // Two request slots only: three waiting polls must leave room for the submission.
    let mut f = gateways("wait-wake", "\n[limits]\nmax_concurrent_requests = 2\n").await;
    // One after the other: a poll holds its slot until it starts waiting, and a third request
    // while two are being answered would rightly get 503.
    let mut polls = Vec::new();
    for n in 1..=3 {
        let c = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
        polls.push(tokio::spawn(async move {
            c.get("/v1/inbox?wait=30").await.unwrap()
        }));
        wait_for_waiters(&f, n).await;
    }

    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = sender.submit(document(FROM, &[TO], 1)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();

    for p in polls {
        let r = p.await.unwrap();
        assert_eq!(r.status, 200);
        let j = r.json();
        let items = j["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{j}");
        assert_eq!(items[0]["id"], id.as_str());
        assert_eq!(j["next"].as_str().unwrap(), items[0]["cursor"].to_string());
    }
    assert_eq!(waiters(&f).await, 0, "every slot given back");

    // With a cursor past the only item, a poll waits again and sees only the next document.
    let c = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    let first = c.get("/v1/inbox").await.unwrap().json();
    let cursor = first["next"].as_str().unwrap().to_owned();
    let poll = tokio::spawn(async move {
        c.get(&format!("/v1/inbox?after={cursor}&wait=30"))
            .await
            .unwrap()
    });
    wait_for_waiters(&f, 1).await;
    let b = sender.submit(document(FROM, &[TO], 2)).await.unwrap();
    let id2 = b.json()["id"].as_str().unwrap().to_owned();
    let j = poll.await.unwrap().json();
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{j}");
    assert_eq!(items[0]["id"], id2.as_str());
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_to_another_agency_does_not_answer_the_poll_and_the_wait_ends_empty() {
    let mut f = gateways("wait-other", "").await;
    let c = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    let started = Instant::now();
    let poll = tokio::spawn(async move { c.get("/v1/inbox?wait=2").await.unwrap() });
    wait_for_waiters(&f, 1).await;
    // To 000.00.01.H50, not to the waiting agency.
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = sender
        .submit(document(FROM, &["000.00.01.H50"], 3))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    let r = poll.await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
    assert!(r.json()["next"].is_null());
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "answered before its wait ended: {:?}",
        started.elapsed()
    );
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_are_bounded_and_a_bad_wait_is_refused() {
    let mut f = gateways("wait-bounded", "\n[limits]\nmax_inbox_waiters = 1\n").await;
    let c = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    let c2 = c.clone();
    let first = tokio::spawn(async move { c2.get("/v1/inbox?wait=30").await.unwrap() });
    wait_for_waiters(&f, 1).await;
    // No slot left: answered at once with what is there (nothing), not after 30 s.
    let second = tokio::time::timeout(Duration::from_secs(15), c.get("/v1/inbox?wait=30"))
        .await
        .expect("a poll beyond max_inbox_waiters is answered at once")
        .unwrap();
    assert_eq!(second.status, 200);
    assert_eq!(second.json()["items"].as_array().unwrap().len(), 0);
    assert_eq!(waiters(&f).await, 1, "the first poll still waits");

    // Too long, and malformed: the API's JSON error, naming the parameter.
    for (query, named) in [("wait=61", "wait=61"), ("wait=soon", "wait")] {
        let r = c.get(&format!("/v1/inbox?{query}")).await.unwrap();
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.error_code().as_deref(), Some("request.bad_request"));
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(named), "{query}: {message}");
    }

    // The first poll is still answered by a delivery.
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    assert_eq!(
        sender
            .submit(document(FROM, &[TO], 4))
            .await
            .unwrap()
            .status,
        202
    );
    let j = first.await.unwrap().json();
    assert_eq!(j["items"].as_array().unwrap().len(), 1, "{j}");
    f.stop_all().await;
}
