//! The OpenAPI file and the gateway agree, as an outside oracle finds them: schemathesis
//! (`schemathesis==4.32.5`, run by the Python of `$LIENTHONG_PYTHON`) reads
//! docs/api/openapi.yaml, makes requests from it (its examples, the boundaries and wrong
//! values of every parameter, random ones, methods a path does not serve, and sequences it
//! infers from the answers) and checks every answer against the file: no server error,
//! only the statuses, content types and headers the file lists, bodies that match their
//! schemas, valid input accepted and invalid input refused. Without schemathesis the test is
//! skipped with a notice (a failure under `LIENTHONG_REQUIRE_TOOLS=1`, as in CI).
//!
//! It calls a real gateway on loopback (gw-h50 below gw-g22, the development PKI) that holds
//! real data, so that the lists are not empty and the bodies checked are real ones: a
//! document delivered here, fetched and acknowledged, with its recipient's status back; a
//! document relayed to gw-g22 with its signed receipt and that recipient's status back; a
//! finished backup. Only loopback: schemathesis sends thousands of odd requests.
//!
//! The identity is the monitor certificate (`certs-dev/monitor/prometheus.pem`): a monitor
//! reads what operators read and may change nothing, so the generated requests can run
//! against the gateway without retrying, cancelling or backing up anything; every endpoint
//! for another kind of caller (a DMS, a gateway, an operator acting) answers it
//! `auth.forbidden` (403), which the file lists for each. Every check runs (`--checks all`);
//! the exceptions are per operation, in the configuration written below, each with why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lienthong_edxml::StatusCode;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use serde_json::json;
use support::*;

const FROM: &str = "000.00.11.H50";
/// Homed at gw-h50 too: the document is delivered here.
const LOCAL: &str = "000.00.01.H50";
/// Homed at gw-g22: the document is relayed up, with a signed receipt.
const FAR: &str = "000.00.00.G22";

const T: Duration = Duration::from_secs(30);

/// The whole run at most (it takes about a minute); past it the run is stopped and the
/// test fails.
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// The seed of the generated cases: the same cases every run, so that a failure comes back
/// until it is fixed (`LIENTHONG_SCHEMATHESIS_SEED` tries others).
const SEED: &str = "20261206";

/// The configuration of the run: the exceptions, per operation.
fn config(tracked: &str) -> String {
    format!(
        r#"# Written by tests/tests/schemathesis.rs for one run.

# A search by DocumentId needs `sender` when the DocumentId does not start with an agency
# code, and a report needs its period as from+to, or month, or quarter (one of the three):
# OpenAPI 3.0 cannot say that one parameter depends on another, so a request that is valid
# parameter by parameter may be refused as a whole (400 `request.bad_request`): 400 is added
# to the statuses schemathesis expects for valid data there. Invalid values are still
# checked to be refused, and everything else about the answers.
[[operations]]
include-path = "/v1/messages"
include-method = "GET"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

[[operations]]
include-path = "/v1/reports/agencies"
include-method = "GET"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

# Tracking a message that exists (the relayed one, with its receipt, its status back and,
# with trail=true, gw-g22's answer), rather than random ids that are all 404.
[[operations]]
include-path = "/v1/documents/{{id}}"
include-method = "GET"
parameters = {{ "path.id" = "{tracked}" }}
"#
    )
}

/// A path as an argument.
fn path(p: &Path) -> String {
    p.display().to_string()
}

/// Run schemathesis (`python -m schemathesis.cli ARGS` in `dir`) for at most `limit`: its
/// exit code (`None` when it was stopped) and what it printed.
fn run(py: &str, args: &[String], dir: &Path, limit: Duration) -> (Option<i32>, String) {
    let out = dir.join("schemathesis.out");
    let file = std::fs::File::create(&out).unwrap();
    let mut child = Command::new(py)
        .args(["-m", "schemathesis.cli"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    (code, std::fs::read_to_string(&out).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_the_gateway_as_the_openapi_file_says() {
    let Some(py) = lienthong_testkit::python_with("schemathesis") else {
        return;
    };
    let root = tempdir("schemathesis");
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        // No rate limit in the way of one client's thousands of requests; backups on.
        extra_toml: format!(
            "{FAST_RETRY}\n[limits]\nper_peer_rate = 100000\nper_peer_burst = 100000\n\n[backup]\ndir = \"backups\"\n"
        ),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let local = f.client("gw-h50", Some(&format!("dms/{LOCAL}"))).unwrap();
    let far = f.client("gw-g22", Some(&format!("dms/{FAR}"))).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();

    // Delivered here, fetched and acknowledged, and its recipient's "arrived" back.
    let a = sender.submit(document(FROM, &[LOCAL], 1)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let delivered = a.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        inbox_item_ids(&local, "kind=edoc").await,
        std::slice::from_ref(&delivered)
    );
    ack_inbox(&local, &delivered, "done").await;
    let s = local
        .submit(status(LOCAL, FROM, 1, StatusCode::Arrived))
        .await
        .unwrap();
    assert_eq!(s.status, 202, "{}", String::from_utf8_lossy(&s.body));
    // Relayed up to gw-g22 with its signed receipt, and its recipient's "arrived" back.
    let a = sender.submit(document(FROM, &[FAR], 2)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let relayed = a.json()["id"].as_str().unwrap().to_owned();
    let s = far
        .submit(status(FAR, FROM, 2, StatusCode::Arrived))
        .await
        .unwrap();
    assert_eq!(s.status, 202, "{}", String::from_utf8_lossy(&s.body));
    eventually("the relay and the status back", T, || async {
        let t = ops
            .get(&format!("/v1/documents/{relayed}"))
            .await
            .unwrap()
            .json();
        (t["message"]["state"] == "relayed"
            && t["statuses"].as_array().is_some_and(|s| !s.is_empty()))
        .then_some(())
    })
    .await;
    // A finished backup, listed.
    let b = ops.post_json("/v1/backups", &json!({})).await.unwrap();
    assert_eq!(b.status, 202, "{}", String::from_utf8_lossy(&b.body));
    eventually("the backup", Duration::from_secs(60), || async {
        let v = ops.get("/v1/backups").await.unwrap().json();
        (v["running"].is_null() && v["backups"].as_array().is_some_and(|b| !b.is_empty()))
            .then_some(())
    })
    .await;

    let cfg = root.join("schemathesis.toml");
    std::fs::write(&cfg, config(&relayed)).unwrap();
    let pki = certs();
    let seed = std::env::var("LIENTHONG_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.into());
    let args: Vec<String> = vec![
        "--config-file".into(),
        path(&cfg),
        "run".into(),
        path(&lienthong_testkit::repo_root().join("docs/api/openapi.yaml")),
        "--url".into(),
        f.url("gw-h50").unwrap(),
        "--request-cert".into(),
        path(&pki.join("monitor/prometheus.pem")),
        "--request-cert-key".into(),
        path(&pki.join("monitor/prometheus.key")),
        "--tls-verify".into(),
        path(&pki.join("ca.pem")),
        "--checks".into(),
        "all".into(),
        "--max-examples".into(),
        "15".into(),
        "--workers".into(),
        "1".into(),
        "--seed".into(),
        seed,
        "--generation-database".into(),
        "none".into(),
        "--request-timeout".into(),
        "10".into(),
        "--request-retries".into(),
        "2".into(),
        "--no-color".into(),
    ];
    let dir = root.clone();
    // The gateways serve on this runtime while schemathesis runs in its own process.
    let (code, out) = tokio::task::spawn_blocking(move || run(&py, &args, &dir, RUN_LIMIT))
        .await
        .unwrap();
    f.stop_all().await;
    assert!(
        code.is_some(),
        "schemathesis did not finish in {RUN_LIMIT:?}:\n{out}"
    );
    assert_eq!(
        code,
        Some(0),
        "schemathesis found the gateway and docs/api/openapi.yaml disagreeing:\n{out}"
    );
}
