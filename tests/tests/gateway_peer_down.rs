//! A peer down for a while: messages queue and back off, other peers are not blocked,
//! and everything is delivered exactly once after it returns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_down_then_back() {
    let mut f = federation("peer-down", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let sender = "000.00.11.H50";
    let down = "000.00.11.H48"; // behind gw-h48, which goes down
    let up = "000.00.00.G22"; // at gw-g22, which stays up
    f.stop("gw-h48").await;
    let dms = f.client("gw-h50", Some(&format!("dms/{sender}"))).unwrap();
    let mut ids = Vec::new();
    for n in 0..10 {
        let a = dms
            .submit(document(sender, &[down, up], 100 + n))
            .await
            .unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
        ids.push(a.json()["id"].as_str().unwrap().to_owned());
    }
    // The agency whose gateway is up gets everything meanwhile.
    let g22 = f.client("gw-g22", Some(&format!("dms/{up}"))).unwrap();
    eventually(
        "delivery to the gateway that is up",
        Duration::from_secs(20),
        || async {
            let a = g22.get("/v1/inbox?kind=edoc").await.unwrap();
            (a.json()["items"].as_array().unwrap().len() == 10).then_some(())
        },
    )
    .await;
    // The queue towards gw-h48 at gw-g22 builds; the link is down, and while it is, the
    // gateway probes it but sends no message: between two failed probes, no retry.
    let ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    let failures_then_retries = |at_least: u64| {
        let ops = ops.clone();
        let f = &f;
        async move {
            eventually("link failures", Duration::from_secs(20), || async {
                let q = ops.get("/v1/queues").await.unwrap().json();
                let l = &q["links"]["gw-h48"];
                (l["up"] == false && l["consecutive_failures"].as_u64() >= Some(at_least))
                    .then_some(())
            })
            .await;
            let m = metrics_text(f, "gw-g22").await;
            metric_value(&m, "lienthong_retries_total{hop=\"gw-h48\"}").unwrap()
        }
    };
    let before = failures_then_retries(2).await;
    assert!(
        before >= 1.0,
        "the failure that found the link down is counted"
    );
    let after = failures_then_retries(3).await;
    assert_eq!(before, after, "no message was sent while the link was down");
    let m = metrics_text(&f, "gw-g22").await;
    assert_eq!(
        metric_value(&m, "lienthong_dead_letters_total{hop=\"gw-h48\"}"),
        Some(0.0)
    );
    let q = ops.get("/v1/queues").await.unwrap().json();
    let hop = q["queues"]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hop"] == "gw-h48")
        .cloned()
        .unwrap();
    assert_eq!(hop["depth"], 10, "{q:#}");
    // The sender's tracking follows the message to gw-g22: delivered there, and waiting for
    // gw-h48 with the reason of the last failure, seen from the gateway where it waits.
    let t = dms
        .get(&format!("/v1/documents/{}?trail=true", ids[0]))
        .await
        .unwrap()
        .json();
    assert_eq!(t["end_to_end"][up]["state"], "delivered", "{t:#}");
    assert_eq!(t["end_to_end"][up]["gateway"], "gw-g22", "{t:#}");
    let waiting = &t["end_to_end"][down];
    assert_eq!(waiting["gateway"], "gw-g22", "{t:#}");
    assert!(
        ["retry_scheduled", "in_flight", "queued"].contains(&waiting["state"].as_str().unwrap()),
        "{t:#}"
    );
    // With gw-g22 down too, the trail says so instead of hanging.
    f.stop("gw-g22").await;
    let t = dms
        .get(&format!("/v1/documents/{}?trail=true", ids[0]))
        .await
        .unwrap()
        .json();
    assert_eq!(t["end_to_end"][down]["state"], "relayed", "{t:#}");
    assert!(
        t["end_to_end"][down]["beyond"]
            .as_str()
            .unwrap()
            .starts_with("gw-g22: "),
        "{t:#}"
    );
    assert!(t["trail"][0]["error"].is_string(), "{t:#}");
    f.start("gw-g22").await.unwrap();

    // It comes back: everything is delivered, once.
    f.start("gw-h48").await.unwrap();
    let inbox = f.client("gw-h48", Some(&format!("dms/{down}"))).unwrap();
    let got: Vec<String> = eventually(
        "delivery after the peer returned",
        Duration::from_secs(30),
        || async {
            let items = inbox_item_ids(&inbox, "kind=edoc&limit=1000").await;
            (items.len() >= 10).then_some(items)
        },
    )
    .await;
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "a message was delivered twice");
    assert_eq!(unique, ids.iter().collect::<HashSet<_>>());
    // The queue drained.
    eventually("queue drained", Duration::from_secs(20), || async {
        let q = ops.get("/v1/queues").await.unwrap().json();
        q["queues"]["hops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["hop"] != "gw-h48" || h["depth"] == 0)
            .then_some(())
    })
    .await;
    f.stop_all().await;
}
