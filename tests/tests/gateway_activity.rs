//! Per-agency activity for operators (`GET /v1/agencies/activity` and the inbox gauges): what
//! each agency sent and received, and what its DMS has not acknowledged yet, since when.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.H50";
const IDLE: &str = "000.00.01.H50";

fn row<'a>(j: &'a Value, agency: &str) -> &'a Value {
    j["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agency"] == agency)
        .unwrap_or_else(|| panic!("no row for {agency}: {j}"))
}

fn gauge(text: &str, name: &str, agency: &str) -> Option<f64> {
    metric_value(text, &format!("{name}{{agency=\"{agency}\"}}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_see_each_agencys_traffic_and_what_its_dms_left_unacknowledged() {
    let mut f = federation("activity", Some(&["gw-g22", "gw-h50"])).await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let inbox = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();

    // Before any traffic: every agency homed here is listed, with zeros.
    let j = ops.get("/v1/agencies/activity").await.unwrap().json();
    assert_eq!(j["gateway"], "gw-h50");
    for code in [FROM, TO, IDLE] {
        let r = row(&j, code);
        assert_eq!(r["home"], true, "{r}");
        assert_eq!(r["received_documents"], 0);
        assert_eq!(r["unacknowledged"], 0);
        assert!(r["oldest_unacknowledged_at"].is_null());
    }
    assert!(row(&j, TO)["name"].as_str().is_some_and(|n| !n.is_empty()));

    let doc = document(FROM, &[TO], 1);
    let a = sender.submit(doc.clone()).await.unwrap();
    assert_eq!(a.status, 202);
    let first = a.json()["id"].as_str().unwrap().to_owned();
    // The same bytes again: a duplicate, not counted twice.
    assert_eq!(sender.submit(doc).await.unwrap().json()["duplicate"], true);
    let b = sender.submit(document(FROM, &[TO], 2)).await.unwrap();
    let second = b.json()["id"].as_str().unwrap().to_owned();

    let j = ops.get("/v1/agencies/activity").await.unwrap().json();
    assert_eq!(row(&j, FROM)["sent_documents"], 2, "{j}");
    let to = row(&j, TO);
    assert_eq!(to["received_documents"], 2, "{j}");
    assert_eq!(to["unacknowledged"], 2);
    assert!(time_ms(&to["oldest_unacknowledged_at"]).is_some(), "{to}");
    assert!(
        to["oldest_unacknowledged_age_seconds"].as_u64().is_some(),
        "{to}"
    );
    assert_eq!(row(&j, IDLE)["received_documents"], 0);

    let text = metrics_text(&f, "gw-h50").await;
    assert_eq!(
        gauge(&text, "lienthong_inbox_unacknowledged", TO),
        Some(2.0),
        "{text}"
    );
    assert!(
        gauge(
            &text,
            "lienthong_inbox_oldest_unacknowledged_age_seconds",
            TO
        )
        .is_some()
    );

    // The DMS acknowledges one as done and one as failed.
    for (id, result) in [(&first, "done"), (&second, "fail")] {
        ack_inbox(&inbox, id, result).await;
    }
    let j = ops.get("/v1/agencies/activity").await.unwrap().json();
    let to = row(&j, TO);
    assert_eq!(to["unacknowledged"], 0, "{to}");
    assert!(to["oldest_unacknowledged_at"].is_null());
    assert_eq!(to["acknowledged_done"], 1);
    assert_eq!(to["acknowledged_failed"], 1);
    let text = metrics_text(&f, "gw-h50").await;
    assert_eq!(
        gauge(&text, "lienthong_inbox_unacknowledged", TO),
        Some(0.0)
    );

    // Only operators: a DMS may not see other agencies' figures.
    let r = inbox.get("/v1/agencies/activity").await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.error_code().as_deref(), Some("auth.forbidden"));
    f.stop_all().await;
}
