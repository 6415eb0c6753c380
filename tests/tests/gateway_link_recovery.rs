//! A link that fails is reported down with its reason, and when it works again the
//! retries that wait for a long backoff go at once instead of at the end of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use serde_json::Value;
use support::*;

/// Retries ten minutes apart: anything delivered within the test came from the recovery.
const SLOW_RETRY: &str = "\n[retry]\nbase_ms = 600000\nfactor = 2.0\ncap_ms = 3600000\njitter_percent = 0\nmax_attempts = 50\nmax_age_ms = 86400000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 5000\n";

const FROM: &str = "000.00.11.H50";
const FAR: &str = "000.00.00.G22";

fn link(q: &Value) -> Value {
    q["links"]["gw-g22"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_down_is_reported_and_its_recovery_sends_the_waiting_retries_at_once() {
    let mut f = federation_with("link-recovery", Some(&["gw-g22", "gw-h50"]), SLOW_RETRY).await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    // Before any relay: up, nothing known.
    let q = ops.get("/v1/queues").await.unwrap().json();
    assert_eq!(link(&q)["up"], true, "{q:#}");
    assert!(link(&q)["since"].is_null());

    f.stop("gw-g22").await;
    let dms = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let mut ids = Vec::new();
    for n in 0..3 {
        let a = dms.submit(document(FROM, &[FAR], 300 + n)).await.unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
        ids.push(a.json()["id"].as_str().unwrap().to_owned());
    }
    // The first to go fails and waits ten minutes; the link is down, with the reason, and
    // the others wait in the queue without being tried while it is.
    let q = eventually(
        "the link reported down",
        Duration::from_secs(20),
        || async {
            let q = ops.get("/v1/queues").await.unwrap().json();
            let n = |s: &str| q["queues"]["states"][s].as_u64().unwrap_or(0);
            (link(&q)["up"] == false
                && n("retry_scheduled") >= 1
                && n("retry_scheduled") + n("queued") == 3)
                .then_some(q)
        },
    )
    .await;
    let l = link(&q);
    assert!(l["consecutive_failures"].as_u64().unwrap() >= 1, "{l}");
    assert!(
        l["last_error"].as_str().unwrap().contains("connection"),
        "{l}"
    );
    assert!(time_ms(&l["since"]).is_some(), "{l}");
    // Why, in words an operator can act on (the raw text stays beside it).
    assert!(
        l["last_error_text"]
            .as_str()
            .unwrap()
            .contains("từ chối kết nối"),
        "{l}"
    );
    let m = metrics_text(&f, "gw-h50").await;
    assert_eq!(
        metric_value(&m, "lienthong_link_up{hop=\"gw-g22\"}"),
        Some(0.0),
        "{m}"
    );

    // It comes back: delivered long before the ten minutes, each exactly once.
    f.start("gw-g22").await.unwrap();
    let inbox = f.client("gw-g22", Some(&format!("dms/{FAR}"))).unwrap();
    let got: Vec<String> = eventually(
        "delivery once the link works again",
        Duration::from_secs(60),
        || async {
            let items = inbox_item_ids(&inbox, "kind=edoc").await;
            (items.len() >= 3).then_some(items)
        },
    )
    .await;
    let mut got_sorted = got.clone();
    got_sorted.sort();
    got_sorted.dedup();
    assert_eq!(got_sorted.len(), got.len(), "a message was delivered twice");
    let mut want = ids.clone();
    want.sort();
    assert_eq!(got_sorted, want);
    let q = ops.get("/v1/queues").await.unwrap().json();
    let l = link(&q);
    assert_eq!(l["up"], true, "{l}");
    assert_eq!(l["consecutive_failures"], 0, "{l}");
    assert!(
        time_ms(&l["last_success_at"]) >= time_ms(&l["since"]),
        "{l}"
    );
    // The history says why the retry went early.
    let t = dms
        .get(&format!("/v1/documents/{}", ids[0]))
        .await
        .unwrap()
        .json();
    let events: Vec<&str> = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"]["event"].as_str().unwrap_or(""))
        .collect();
    assert!(events.contains(&"link_recovered"), "{events:?}");
    let m = metrics_text(&f, "gw-h50").await;
    assert_eq!(
        metric_value(&m, "lienthong_link_up{hop=\"gw-g22\"}"),
        Some(1.0),
        "{m}"
    );
    f.stop_all().await;
}

/// As [`SLOW_RETRY`] (which ends in `[forward]`), with probes ten minutes apart: a recovery
/// within the test came from the peer's own contact.
fn slow_probes() -> String {
    format!("{SLOW_RETRY}probe_min_ms = 600000\nprobe_max_ms = 600000\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_connects_again_is_probed_at_once() {
    let mut f = federation_with("link-contact", Some(&["gw-g22", "gw-h50"]), &slow_probes()).await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    f.stop("gw-g22").await;
    let dms = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = dms.submit(document(FROM, &[FAR], 400)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let waiting = a.json()["id"].as_str().unwrap().to_owned();
    eventually(
        "the link reported down",
        Duration::from_secs(20),
        || async {
            let q = ops.get("/v1/queues").await.unwrap().json();
            (link(&q)["up"] == false).then_some(())
        },
    )
    .await;

    // gw-g22 returns and sends gw-h50 a document of its own: gw-h50 probes it at once
    // (the next probe was ten minutes away) and its waiting document leaves.
    f.start("gw-g22").await.unwrap();
    let national = f.client("gw-g22", Some(&format!("dms/{FAR}"))).unwrap();
    let a = national.submit(document(FAR, &[FROM], 401)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    eventually(
        "the waiting document delivered after the peer's contact",
        Duration::from_secs(30),
        || async {
            let items = inbox_item_ids(&national, "kind=edoc").await;
            items.contains(&waiting).then_some(())
        },
    )
    .await;
    let q = ops.get("/v1/queues").await.unwrap().json();
    assert_eq!(link(&q)["up"], true, "{q:#}");
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_completes_the_handshake_is_a_link_down() {
    let mut f = federation_with("link-hung", Some(&["gw-g22", "gw-h50"]), SLOW_RETRY).await;
    // gw-g22's address now accepts TCP connections and never answers.
    let addr = f
        .url("gw-g22")
        .unwrap()
        .trim_start_matches("https://")
        .to_owned();
    f.stop("gw-g22").await;
    f.release_ports();
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    let hung = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let dms = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = dms.submit(document(FROM, &[FAR], 500)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    // request_timeout_ms is 5 s: the handshake gets 3.75 s, then the link is down.
    let q = eventually(
        "the link reported down",
        Duration::from_secs(30),
        || async {
            let q = ops.get("/v1/queues").await.unwrap().json();
            (link(&q)["up"] == false).then_some(q)
        },
    )
    .await;
    let l = link(&q);
    assert!(
        l["last_error"]
            .as_str()
            .unwrap()
            .contains("no TLS connection within 3750 ms"),
        "{l}"
    );
    assert_eq!(
        q["queues"]["states"]["dead"].as_u64().unwrap_or(0),
        0,
        "{q:#}"
    );
    hung.abort();
    f.stop_all().await;
}
