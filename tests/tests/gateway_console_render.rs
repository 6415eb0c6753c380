//! The console page's script, run under Node against the gateway's real answers: it shows a
//! link that is down and why, each agency's unfetched post, the certificates and the
//! backups, and never fails on what the API returns. (Node is installed by `.ci/run`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use serde_json::{Value, json};
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.01.H50";
/// Homed at gw-h50-giolinh, which is in the directory but not running here.
const UNREACHABLE: &str = "000.00.21.H50";

fn cells(v: &Value, table: &str) -> Vec<Vec<String>> {
    v["tables"][table]
        .as_array()
        .unwrap_or_else(|| panic!("no table {table}: {v:#}"))
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_what_the_api_says() {
    let root = tempdir("console-render");
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50", "gw-h50-giolinh"])),
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        extra_toml: format!("{FAST_RETRY}\n[backup]\ndir = \"backups\"\n"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start("gw-g22").await.unwrap();
    f.start("gw-h50").await.unwrap();
    // Nothing listens at gw-h50-giolinh's address: connections are refused.
    f.release_ports();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    // Post waiting in an inbox, and a document for a gateway that is not running.
    for (n, to) in [(1, TO), (2, UNREACHABLE)] {
        let a = sender.submit(document(FROM, &[to], n)).await.unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    }
    eventually("the link down", Duration::from_secs(20), || async {
        let q = ops.get("/v1/queues").await.unwrap().json();
        (q["links"]["gw-h50-giolinh"]["up"] == false).then_some(())
    })
    .await;
    let a = ops.post_json("/v1/backups", &json!({})).await.unwrap();
    assert_eq!(a.status, 202);
    eventually("the backup", Duration::from_secs(30), || async {
        let v = ops.get("/v1/backups").await.unwrap().json();
        (v["running"].is_null() && v["backups"].as_array().is_some_and(|b| !b.is_empty()))
            .then_some(())
    })
    .await;

    // What the page fetches, answered by the gateway now.
    let mut answers = serde_json::Map::new();
    for path in [
        "/v1/queues",
        "/v1/messages?state=dead&limit=50",
        "/v1/agencies/activity",
        "/v1/certificates",
        "/v1/backups",
    ] {
        let a = ops.get(path).await.unwrap();
        answers.insert(
            path.to_owned(),
            json!({"status": a.status.as_u16(), "body": a.json()}),
        );
    }
    let page = lienthong_gateway::console::PAGE;
    let script = page
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let dir = root.join("console");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("page.js"), script).unwrap();
    std::fs::write(dir.join("answers.json"), Value::Object(answers).to_string()).unwrap();
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console/harness.js");
    let out = std::process::Command::new("node")
        .arg(&harness)
        .arg(dir.join("page.js"))
        .arg(dir.join("answers.json"))
        .output()
        .expect("node (installed by .ci/run: apt-get install nodejs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(v["title"], "lienthong gw-h50");
    assert_eq!(
        v["status"]["cls"], "muted",
        "no part failed: {}",
        v["status"]
    );
    assert!(
        v["status"]["text"]
            .as_str()
            .unwrap()
            .starts_with("updated ")
    );
    // The link that is down, why, and its waiting entry.
    let links = cells(&v, "links");
    assert_eq!(links[0][0], "next hop");
    let down = links.iter().find(|r| r[0] == "gw-h50-giolinh").unwrap();
    assert!(
        down[1].starts_with("down since ") && down[1].contains("connection"),
        "{down:?}"
    );
    assert_eq!(down[2], "1", "{down:?}");
    let up = links.iter().find(|r| r[0] == "gw-g22").unwrap();
    assert_eq!(up[1], "up");
    assert!(
        v["states"].as_str().unwrap().starts_with("messages: "),
        "{v:#}"
    );
    // No dead letters: said so.
    assert_eq!(cells(&v, "dead")[1], ["none"]);
    // The agency whose post waits comes first, with its count and name.
    let agencies = cells(&v, "agencies");
    assert_eq!(agencies[1][0], TO, "{agencies:?}");
    assert_eq!(agencies[1][4], "1", "{agencies:?}");
    assert!(!agencies[1][1].is_empty(), "its name: {agencies:?}");
    // Certificates: the sending DMS's among them, with days left.
    let certs = cells(&v, "certs");
    assert!(
        certs
            .iter()
            .any(|r| r[0] == "client" && r[1] == format!("agency {FROM}") && r[3].ends_with(" d")),
        "{certs:?}"
    );
    // The backup just made.
    let b = &v["backups"][0];
    assert!(b["text"].as_str().unwrap().starts_with("newest: "), "{b}");
    assert_eq!(b["cls"], "ok");
    // It fetched exactly what it declares.
    let fetched: Vec<&str> = v["fetched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for call in lienthong_gateway::console::CALLS {
        assert!(
            fetched.iter().any(|p| p.starts_with(call)),
            "{call} not fetched: {fetched:?}"
        );
    }
    f.stop_all().await;
}
