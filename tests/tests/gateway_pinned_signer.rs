//! A signer whose certificate cannot name its agency (as the national CA's certificates carry
//! only the agency's name): its signature does not count for the agency until the directory
//! pins the certificate to it (`signers = [fingerprint]`), which a reload applies without a
//! restart, at every gateway that re-checks the document on its way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_testkit::pki::{LeafSpec, issue_from_dev_ca};
use support::*;

const FROM: &str = "000.00.11.H50";
const LOCAL_TO: &str = "000.00.01.H50";
const FAR_TO: &str = "000.00.00.G22";

/// Insert `line` into the `[[agency]]` table of `code` in a directory file.
fn pin_in_directory(path: &std::path::Path, code: &str, line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let anchor = format!("code = \"{code}\"\n");
    assert!(text.contains(&anchor), "{code} is in {}", path.display());
    std::fs::write(
        path,
        text.replacen(&anchor, &format!("{anchor}{line}\n"), 1),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signer_pinned_in_the_directory_speaks_for_its_agency_after_a_reload() {
    // A clerk's certificate from the development CA that names neither the agency's code
    // nor its URI: only the organisation's name, like a national CA's.
    let ca_key = std::fs::read_to_string(certs().join("ca.key")).unwrap();
    let clerk = issue_from_dev_ca(
        &ca_key,
        &LeafSpec {
            cn: "Nguyễn Văn An".into(),
            org: Some("Sở Tài chính tỉnh Quảng Trị".into()),
            uris: vec![],
            ..LeafSpec::signer(FROM, "unused", 7001)
        },
    )
    .unwrap();
    let fingerprint: String = lienthong_store::Sha256::digest(&clerk.cert_der)
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let signed = |to: &str, n: u32| {
        sign_with(
            &edoc_xml(FROM, &[to], n),
            clerk.key_pem.as_bytes(),
            clerk.cert_pem.as_bytes(),
        )
    };

    let mut f = federation("pinned-signer", Some(&["gw-g22", "gw-h50"])).await;
    // The directory file all gateways of the federation read (beside their folders).
    let dir = f.nodes["gw-h50"]
        .config_path
        .parent()
        .and_then(|home| home.parent())
        .unwrap()
        .join("directory.toml");
    let dms = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();

    // Unpinned: the signature is valid but does not speak for the sender. Refused, with the
    // reason naming who signed and how to pin the certificate, and nothing stored.
    let a = dms.submit(signed(LOCAL_TO, 1)).await.unwrap();
    assert_eq!(a.status, 422, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.error_code().as_deref(), Some("signature.required"));
    let body = String::from_utf8_lossy(&a.body).to_string();
    assert!(
        body.contains("sig.wrong_agency") && body.contains("Sở Tài chính tỉnh Quảng Trị"),
        "{body}"
    );
    let hex = fingerprint.replace(':', "").to_lowercase();
    assert!(
        body.contains(&format!(
            "pin it in the directory (signers = [\\\"{hex}\\\"])"
        )),
        "{body}"
    );
    let msgs = ops.get("/v1/messages?state=all").await.unwrap().json();
    assert_eq!(msgs["messages"].as_array().map(Vec::len), Some(0), "{msgs}");

    // A malformed pin is refused by the reload, naming where; the directory in force stays.
    let good = std::fs::read_to_string(&dir).unwrap();
    pin_in_directory(&dir, FROM, "signers = [\"AB:CD\"]");
    let e = f.reload_directory("gw-h50").unwrap_err();
    assert!(
        e.contains("signers[0]") && e.contains("4 hex digits") && e.contains(FROM),
        "{e}"
    );
    // The same certificate pinned to two agencies: refused too.
    std::fs::write(&dir, &good).unwrap();
    pin_in_directory(&dir, FROM, &format!("signers = [\"{fingerprint}\"]"));
    pin_in_directory(&dir, LOCAL_TO, &format!("signers = [\"{fingerprint}\"]"));
    let e = f.reload_directory("gw-h50").unwrap_err();
    assert!(e.contains("already pinned"), "{e}");
    let a = dms.submit(signed(LOCAL_TO, 2)).await.unwrap();
    assert_eq!(a.status, 422, "nothing pinned yet");

    // Pinned (as `openssl x509 -fingerprint -sha256` prints it), reloaded at both gateways:
    // accepted, delivered locally and relayed to the national gateway, which checks again.
    std::fs::write(&dir, &good).unwrap();
    pin_in_directory(&dir, FROM, &format!("signers = [\"{fingerprint}\"]"));
    for gw in ["gw-h50", "gw-g22"] {
        let said = f.reload_directory(gw).unwrap();
        assert!(
            said.contains("1 pinned signing certificates (before: 0)"),
            "{said}"
        );
    }
    let local = dms.submit(signed(LOCAL_TO, 3)).await.unwrap();
    assert_eq!(
        local.status,
        202,
        "{}",
        String::from_utf8_lossy(&local.body)
    );
    let j = local.json();
    assert_eq!(j["signature"], "valid", "{j}");
    // The recipient's clerk sees the signer speak for the sender, through the pin.
    let local_id = j["id"].as_str().unwrap().to_string();
    let recipient = f
        .client("gw-h50", Some(&format!("dms/{LOCAL_TO}")))
        .unwrap();
    let view = recipient
        .get(&format!("/v1/inbox/{local_id}/signature"))
        .await
        .unwrap()
        .json();
    assert_eq!(view["signature"]["verdict"], "valid", "{view:#}");
    assert_eq!(view["signature"]["signer"]["agency"], FROM, "{view:#}");
    let far = dms.submit(signed(FAR_TO, 4)).await.unwrap();
    assert_eq!(far.status, 202, "{}", String::from_utf8_lossy(&far.body));
    let far_id = far.json()["id"].as_str().unwrap().to_string();
    let national = f.client("gw-g22", Some(&format!("dms/{FAR_TO}"))).unwrap();
    eventually(
        "the relayed document in the national inbox",
        Duration::from_secs(20),
        || async {
            let j = national.get("/v1/inbox").await.unwrap().json();
            j["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == far_id.as_str())
                .map(|_| ())
        },
    )
    .await;
    // The directory lists the pin, normalized.
    let agencies = ops.get("/v1/agencies").await.unwrap().json();
    let from = agencies["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == FROM)
        .unwrap()
        .clone();
    assert_eq!(
        from["signers"][0],
        fingerprint.replace(':', "").to_lowercase(),
        "{from}"
    );

    // A restart reads the pins from the directory too.
    f.stop("gw-h50").await;
    f.start("gw-h50").await.unwrap();
    let dms = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let a = dms.submit(signed(LOCAL_TO, 6)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));

    // Unpinned again: refused again, without a restart.
    std::fs::write(&dir, &good).unwrap();
    for gw in ["gw-h50", "gw-g22"] {
        f.reload_directory(gw).unwrap();
    }
    let a = dms.submit(signed(LOCAL_TO, 5)).await.unwrap();
    assert_eq!(a.status, 422, "{}", String::from_utf8_lossy(&a.body));
    f.stop_all().await;
}
