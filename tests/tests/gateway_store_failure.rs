//! A storage failure (an `fdatasync` that fails, as on a failing or full disk) while the
//! gateway runs: the submission that hit it is refused with `store.unavailable` and is not
//! stored, every later write is refused the same way (after a failed fsync the kernel may
//! have dropped pages, so a later "successful" sync proves nothing), reads keep working, and
//! the operator sees it at once in `/readyz` and `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_fsync_stops_writes_and_is_reported() {
    let mut f = federation("store-failure", Some(&["gw-g22", "gw-h50"])).await;
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let anon = f.client("gw-h50", None).unwrap();

    let first = dms
        .submit(document("000.00.11.H50", &["000.00.01.H50"], 1))
        .await
        .unwrap();
    assert_eq!(first.status, 202);
    let first_id = first.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(anon.get("/readyz").await.unwrap().status, 200);
    let m = ops.get("/metrics").await.unwrap();
    assert!(String::from_utf8_lossy(&m.body).contains("lienthong_store_failed 0"));

    // The disk fails under the next payload's fdatasync.
    f.running("gw-h50")
        .unwrap()
        .state
        .store
        .inject_sync_failure();
    let refused = dms
        .submit(document("000.00.11.H50", &["000.00.01.H50"], 2))
        .await
        .unwrap();
    assert_eq!(
        (refused.status.as_u16(), refused.error_code().as_deref()),
        (503, Some("store.unavailable")),
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    // The caller learns nothing about our disks.
    assert!(!String::from_utf8_lossy(&refused.body).contains("payloads"));

    // Every later write is refused too, even though the disk would now "work".
    let again = dms
        .submit(document("000.00.11.H50", &["000.00.01.H50"], 3))
        .await
        .unwrap();
    assert_eq!(again.error_code().as_deref(), Some("store.unavailable"));

    // The operator sees it: readiness fails with the reason, the gauge is 1.
    let ready = anon.get("/readyz").await.unwrap();
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["status"], "store_failed");
    let reason = ready.json()["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("payload log"), "{reason}");
    assert_eq!(anon.get("/healthz").await.unwrap().status, 200);
    let m = ops.get("/metrics").await.unwrap();
    assert!(String::from_utf8_lossy(&m.body).contains("lienthong_store_failed 1"));

    // Reads keep working: the recipient still fetches what was accepted before.
    let inbox = f.client("gw-h50", Some("dms/000.00.01.H50")).unwrap();
    let list = inbox.get("/v1/inbox").await.unwrap();
    assert_eq!(list.status, 200);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "only the first document was stored");
    assert_eq!(items[0]["id"], first_id.as_str());
    f.stop_all().await;
}
