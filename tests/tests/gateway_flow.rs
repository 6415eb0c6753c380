//! Submit → relay through gateways → deliver → fetch the same bytes → statuses back →
//! tracking; and a recall (13 → 15). Real mutual TLS on loopback, the certs-dev PKI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_edxml::StatusCode;
use support::*;

const T: Duration = Duration::from_secs(20);

async fn inbox_ids(
    f: &lienthong_gateway::federation::Federation,
    gw: &str,
    agency: &str,
    kind: &str,
) -> Vec<String> {
    let c = f.client(gw, Some(&format!("dms/{agency}"))).unwrap();
    inbox_item_ids(&c, &format!("kind={kind}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_travels_and_statuses_come_back() {
    let mut f = federation(
        "flow",
        Some(&["gw-g22", "gw-h50", "gw-h50-giolinh", "gw-h48"]),
    )
    .await;
    let sender = "000.00.21.H50"; // UBND huyện Gio Linh, at gw-h50-giolinh
    let far = "000.00.11.H48"; // Sở Tài chính Quảng Ngãi, at gw-h48 (other province)
    let near = "000.00.11.H50"; // Sở Tài chính Quảng Trị, at gw-h50
    let doc = document(sender, &[far, near], 1);
    let dms = f
        .client("gw-h50-giolinh", Some(&format!("dms/{sender}")))
        .unwrap();
    let a = dms.submit(doc.clone()).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(a.json()["recipients"], serde_json::json!([far, near]));
    // Idempotent: the same bytes again give the same id.
    let again = dms.submit(doc.clone()).await.unwrap();
    assert_eq!(again.json()["id"], id.as_str());
    assert_eq!(again.json()["duplicate"], true);

    // Both recipients get it exactly once, byte-identical.
    for (gw, agency) in [("gw-h48", far), ("gw-h50", near)] {
        let ids = eventually("delivery", T, || async {
            let ids = inbox_ids(&f, gw, agency, "edoc").await;
            (!ids.is_empty()).then_some(ids)
        })
        .await;
        assert_eq!(ids, vec![id.clone()], "{agency} inbox");
        let c = f.client(gw, Some(&format!("dms/{agency}"))).unwrap();
        let got = c.get(&format!("/v1/inbox/{id}")).await.unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(
            got.body.as_ref(),
            doc.as_slice(),
            "byte-identical delivery to {agency}"
        );
        ack_inbox(&c, &id, "done").await;
    }

    // The far recipient answers 01, 03, 04, 05, 06; they come back to the sender.
    let far_dms = f.client("gw-h48", Some(&format!("dms/{far}"))).unwrap();
    let codes = [
        StatusCode::Arrived,
        StatusCode::Accepted,
        StatusCode::Assigned,
        StatusCode::Processing,
        StatusCode::Completed,
    ];
    for code in &codes {
        let a = far_dms
            .submit(status(far, sender, 1, code.clone()))
            .await
            .unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.json()["recipients"], serde_json::json!([sender]));
    }
    let statuses = eventually("statuses at the sender", T, || async {
        let ids = inbox_ids(&f, "gw-h50-giolinh", sender, "status").await;
        (ids.len() == codes.len()).then_some(ids)
    })
    .await;
    assert_eq!(statuses.len(), 5);

    // Tracking at the sender's gateway: per-recipient state, receipts, statuses, history.
    let t = dms
        .get(&format!("/v1/documents/{id}?trail=true"))
        .await
        .unwrap();
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    let t = t.json();
    let receipts = t["receipts"].as_array().unwrap();
    assert_eq!(
        receipts.len(),
        1,
        "one link out of the district gateway: {t:#}"
    );
    assert_eq!(receipts[0]["receipt"]["receiving_gateway"], "gw-h50");
    let got: Vec<&str> = t["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status_code"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["01", "03", "04", "05", "06"], "{t:#}");
    assert!(!t["history"].as_array().unwrap().is_empty());
    // End to end: the sender's gateway asks down the path (gw-h50, then gw-g22 and gw-h48)
    // and sees both recipients fetched at their own gateways.
    let e2e = &t["end_to_end"];
    assert_eq!(e2e[near]["state"], "fetched", "{t:#}");
    assert_eq!(e2e[near]["gateway"], "gw-h50", "{t:#}");
    assert_eq!(e2e[far]["state"], "fetched", "{t:#}");
    assert_eq!(e2e[far]["gateway"], "gw-h48", "{t:#}");
    let trail = &t["trail"][0];
    assert_eq!(trail["gateway"], "gw-h50");
    assert_eq!(trail["next"][0]["gateway"], "gw-g22", "{t:#}");
    assert_eq!(trail["next"][0]["next"][0]["gateway"], "gw-h48", "{t:#}");
    // By default: this gateway's view alone (a polling DMS does not make the whole path work).
    let local = dms
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert!(local.get("end_to_end").is_none());
    assert!(local.get("trail").is_none());
    // Trails are for the gateways the message came through: not for a DMS, nor for a
    // gateway off its path.
    assert_eq!(
        f.client("gw-h50", Some(&format!("dms/{near}")))
            .unwrap()
            .get(&format!("/v1/relay/{id}"))
            .await
            .unwrap()
            .error_code()
            .as_deref(),
        Some("auth.forbidden")
    );
    let via_giolinh = f.client("gw-h50", Some("gateways/gw-h50-giolinh")).unwrap();
    assert_eq!(
        via_giolinh
            .get(&format!("/v1/relay/{id}"))
            .await
            .unwrap()
            .status,
        200
    );
    let off_path = f.client("gw-h50", Some("gateways/gw-h48")).unwrap();
    assert_eq!(
        off_path
            .get(&format!("/v1/relay/{id}"))
            .await
            .unwrap()
            .error_code()
            .as_deref(),
        Some("not_found")
    );
    // Another agency cannot track it.
    let other = f
        .client("gw-h50-giolinh", Some("dms/000.05.21.H50"))
        .unwrap();
    assert_eq!(
        other
            .get(&format!("/v1/documents/{id}"))
            .await
            .unwrap()
            .status,
        404
    );

    // A recall: the sender sends 13 to the far recipient, who answers 15.
    let a = dms
        .submit(status(sender, far, 1, StatusCode::RecallRequested))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    eventually("13 at the recipient", T, || async {
        (inbox_ids(&f, "gw-h48", far, "status").await.len() == 1).then_some(())
    })
    .await;
    let a = far_dms
        .submit(status(far, sender, 1, StatusCode::RecallAccepted))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    eventually("15 back at the sender", T, || async {
        (inbox_ids(&f, "gw-h50-giolinh", sender, "status")
            .await
            .len()
            == 6)
            .then_some(())
    })
    .await;
    let t = dms
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    let last = t["statuses"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status_code"], "15");

    // Months later, retention has removed the status packages' bytes (the sender's DMS
    // took them over): tracking still says what each one said.
    let codes = |t: &serde_json::Value| -> Vec<String> {
        t["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status_code"].as_str().unwrap_or("(none)").to_owned())
            .collect()
    };
    let before = codes(&t);
    for sid in inbox_ids(&f, "gw-h50-giolinh", sender, "status").await {
        ack_inbox(&dms, &sid, "done").await;
    }
    let store = f.running("gw-h50-giolinh").unwrap().state.store.clone();
    let later = lienthong_store::Timestamp::now_utc().plus_millis(91 * 24 * 3_600_000);
    let purged = tokio::task::spawn_blocking(move || store.purge_expired(later, 100))
        .await
        .unwrap()
        .unwrap();
    assert!(purged >= 6, "{purged}");
    let t = dms
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert_eq!(codes(&t), before, "{t:#}");
    f.stop_all().await;
}
