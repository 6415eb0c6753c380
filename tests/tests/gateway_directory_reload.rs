//! A new agency joins without a restart: the province edits the directory file and reloads
//! (`SIGHUP`), and documents are routed to the agency at once. A change of this gateway's
//! next hops needs a restart, and the reload says so and keeps the directory in force.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

const FROM: &str = "000.00.11.H50";
const NATIONAL: &str = "000.00.00.G22";
const NEW: &str = "000.03.11.H50";
const BEYOND: &str = "000.07.11.H50";

fn append(path: &std::path::Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_agency_is_routed_after_a_reload_and_new_next_hops_need_a_restart() {
    let root = tempdir("directory-reload");
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let local = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let national = f
        .client("gw-g22", Some(&format!("dms/{NATIONAL}")))
        .unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();

    // Not in the directory yet: refused, at the province and at the national gateway.
    let a = local.submit(document(FROM, &[NEW], 1)).await.unwrap();
    assert_eq!(a.status, 422, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.error_code().as_deref(), Some("routing.refused"));
    let a = national
        .submit(document(NATIONAL, &[NEW], 2))
        .await
        .unwrap();
    assert_eq!(a.error_code().as_deref(), Some("routing.refused"));

    // The province adds the agency to the directory file and both gateways reload.
    let dir = root.join("directory.toml");
    append(
        &dir,
        &format!(
            "\n[[agency]]\ncode = \"{NEW}\"\nname = \"Sở Thử nghiệm\"\ngateway = \"gw-h50\"\n"
        ),
    );
    for gw in ["gw-h50", "gw-g22"] {
        let said = f.reload_directory(gw).unwrap();
        assert!(said.contains("agencies"), "{said}");
    }
    let agencies = ops.get("/v1/agencies").await.unwrap().json();
    assert!(agencies.to_string().contains(NEW), "{agencies}");
    // Now routed: locally, and down from the national gateway.
    let a = local.submit(document(FROM, &[NEW], 3)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let a = national
        .submit(document(NATIONAL, &[NEW], 4))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    eventually(
        "both in the new agency's inbox",
        Duration::from_secs(20),
        || async {
            let j = ops.get("/v1/agencies/activity").await.unwrap().json();
            j["agencies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["agency"] == NEW)
                .filter(|r| r["received_documents"] == 2)
                .map(|_| ())
        },
    )
    .await;

    // A new gateway below the province: a new next hop for gw-h50 (refused, with the
    // reason, the directory in force kept), but not for gw-g22 (taken).
    append(
        &dir,
        &format!(
            "\n[[gateway]]\nid = \"gw-h50-new\"\nurl = \"https://127.0.0.1:9\"\nparent = \"gw-h50\"\n\n[[agency]]\ncode = \"{BEYOND}\"\nname = \"UBND xã mới\"\ngateway = \"gw-h50-new\"\n"
        ),
    );
    let e = f.reload_directory("gw-h50").unwrap_err();
    assert!(
        e.contains("gw-h50-new added") && e.contains("restart"),
        "{e}"
    );
    let a = local.submit(document(FROM, &[BEYOND], 5)).await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("routing.refused"));
    let a = local.submit(document(FROM, &[NEW], 6)).await.unwrap();
    assert_eq!(
        a.status, 202,
        "the directory in force still has the new agency"
    );
    f.reload_directory("gw-g22").unwrap();

    // A directory that does not load (an agency at an unknown gateway): nothing changes.
    append(
        &dir,
        "\n[[agency]]\ncode = \"000.09.11.H50\"\nname = \"X\"\ngateway = \"gw-nowhere\"\n",
    );
    let e = f.reload_directory("gw-g22").unwrap_err();
    assert!(e.contains("gw-nowhere"), "{e}");
    f.stop_all().await;
}
