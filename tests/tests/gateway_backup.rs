//! An operator backs up a running gateway (`POST /v1/backups`), the gateway keeps working,
//! and the backup restores: put in place of the data folder, the gateway starts with
//! everything it had at the backup and nothing after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use serde_json::Value;
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.01.H50";
const NATIONAL: &str = "000.00.00.G22";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_backup_restores_to_the_gateway_as_it_was() {
    let root = tempdir("backup");
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        extra_toml: format!("{FAST_RETRY}\n[backup]\ndir = \"backups\"\n"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let submit = |n: u32| {
        let c = sender.clone();
        async move {
            let body = document(FROM, &[TO, NATIONAL], n);
            let a = c.submit(body.clone()).await.unwrap();
            assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
            (a.json()["id"].as_str().unwrap().to_owned(), body)
        }
    };
    let mut before = Vec::new();
    for n in 1..=3 {
        before.push(submit(n).await);
    }
    let relayed = |id: String| {
        let ops = ops.clone();
        async move {
            let t = ops
                .get(&format!("/v1/documents/{id}"))
                .await
                .unwrap()
                .json();
            t["message"]["recipients"][NATIONAL]["state"] == "relayed"
        }
    };
    for (id, _) in &before {
        eventually("relayed", Duration::from_secs(20), || async {
            relayed(id.clone()).await.then_some(())
        })
        .await;
    }

    // Operators only.
    let a = sender
        .post_json("/v1/backups", &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 403);
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    // A backup takes no parameters: a body other than `{}` is refused, and none starts.
    for body in [
        serde_json::json!({"dir": "/elsewhere"}),
        serde_json::json!([]),
        serde_json::json!(null),
        serde_json::json!("now"),
    ] {
        let a = ops.post_json("/v1/backups", &body).await.unwrap();
        assert_eq!(
            a.status,
            400,
            "{body}: {}",
            String::from_utf8_lossy(&a.body)
        );
        assert_eq!(
            a.error_code().as_deref(),
            Some("request.bad_request"),
            "{body}"
        );
    }
    let listed = ops.get("/v1/backups").await.unwrap().json();
    assert!(listed["running"].is_null(), "{listed:#}");
    // A backup cut short at its very end (a crash between its manifest and its rename)
    // left a `.partial` folder with a manifest: never listed, removed by the next backup.
    let backups = root.join("gw-h50").join("backups");
    let cut_short = backups.join("gw-h50-2026-11-30T23-59-59.000Z.partial");
    std::fs::create_dir_all(&cut_short).unwrap();
    std::fs::write(
        cut_short.join("BACKUP.json"),
        serde_json::json!({"dir": cut_short, "at": 1, "entries": 1, "replayed": 0,
            "segments": 0, "segment_bytes": 0, "paused_ms": 0, "took_ms": 0})
        .to_string(),
    )
    .unwrap();
    let listed = ops.get("/v1/backups").await.unwrap().json();
    assert_eq!(listed["backups"], serde_json::json!([]), "{listed:#}");
    let a = ops
        .post_json("/v1/backups", &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let started = a.json();
    let name = started["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("gw-h50-"), "{started}");
    assert_eq!(started["by"], "operator ops");
    let listed: Value = eventually("the backup done", Duration::from_secs(60), || async {
        let v = ops.get("/v1/backups").await.unwrap().json();
        (v["running"].is_null() && !v["backups"].as_array().unwrap().is_empty()).then_some(v)
    })
    .await;
    assert_eq!(listed["last_error"], Value::Null, "{listed:#}");
    assert_eq!(listed["backups"].as_array().unwrap().len(), 1, "{listed:#}");
    assert!(!cut_short.exists(), "the unfinished backup is removed");
    let b = &listed["backups"][0];
    let dir = std::path::PathBuf::from(b["dir"].as_str().unwrap());
    assert!(dir.ends_with(&name), "{listed:#}");
    assert!(
        dir.starts_with(root.join("gw-h50").join("backups")),
        "{listed:#}"
    );
    assert!(b["entries"].as_u64().unwrap() > 0);
    let text = metrics_text(&f, "gw-h50").await;
    let at = metric_value(&text, "lienthong_backup_last_success_timestamp_seconds").unwrap();
    assert!(
        (at - time_ms(&b["at"]).unwrap() as f64 / 1000.0).abs() < 0.01,
        "{at} {b}"
    );

    // Working on after the backup: this one is not in it.
    let (after, _) = submit(4).await;

    // Restore: stop, put the backup in place of the data folder, start.
    f.stop("gw-h50").await;
    let data = root.join("gw-h50").join("data");
    std::fs::rename(&data, root.join("gw-h50").join("data.before-restore")).unwrap();
    std::fs::rename(&dir, &data).unwrap();
    f.start("gw-h50").await.unwrap();
    let inbox = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    for (id, body) in &before {
        let a = inbox.get(&format!("/v1/inbox/{id}")).await.unwrap();
        assert_eq!(a.status, 200, "{id}");
        assert_eq!(
            a.body.as_ref(),
            body.as_slice(),
            "byte-identical after the restore"
        );
        assert!(relayed(id.clone()).await, "{id}: relayed, with its receipt");
    }
    let a = inbox.get(&format!("/v1/inbox/{after}")).await.unwrap();
    assert_eq!(
        a.error_code().as_deref(),
        Some("not_found"),
        "after the cut"
    );
    let t = ops
        .get(&format!("/v1/documents/{}", before[0].0))
        .await
        .unwrap()
        .json();
    assert_eq!(t["receipts"].as_array().unwrap().len(), 1, "{t:#}");
    // And it works on.
    let (next, body) = submit(5).await;
    let a = eventually(
        "delivered after the restore",
        Duration::from_secs(20),
        || async {
            let a = inbox.get(&format!("/v1/inbox/{next}")).await.unwrap();
            (a.status == 200).then_some(a)
        },
    )
    .await;
    assert_eq!(a.body.as_ref(), body.as_slice());
    drop(inbox);
    f.stop_all().await;
}
