//! A recipient's DMS asks the gateway who signed a message in its inbox
//! (`GET /v1/inbox/{id}/signature`): the clerk sees the signer and whether the signature
//! holds, without the DMS implementing XML signatures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.H50";
const OTHER: &str = "000.00.01.H50";
const NATIONAL: &str = "000.00.00.G22";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipients_see_who_signed_and_whether_it_holds() {
    // Policy `record`: a document whose signature is broken is delivered all the same, and
    // this is where the recipient learns it.
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("signature-view"),
        policy: SignaturePolicy::Record,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let inbox = f
        .client("gw-h50", Some(&format!("dms/{TO}")))
        .unwrap()
        .with_language("en");
    let submit = |c: &lienthong_gateway::ApiClient, body: Vec<u8>| {
        let c = c.clone();
        async move {
            let a = c.submit(body).await.unwrap();
            assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
            a.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let good = submit(&sender, document(FROM, &[TO], 1)).await;
    // Changed after signing: the subject's number.
    let signed = String::from_utf8(document(FROM, &[TO], 2)).unwrap();
    assert!(signed.contains("số 2<"));
    let tampered = submit(&sender, signed.replace("số 2<", "số 9<").into_bytes()).await;
    // From the national level, relayed here: checked as of its entry into the network.
    let national = f
        .client("gw-g22", Some(&format!("dms/{NATIONAL}")))
        .unwrap();
    let relayed = submit(&national, document(NATIONAL, &[TO], 3)).await;
    eventually(
        "the relayed one delivered",
        Duration::from_secs(20),
        || async {
            let a = inbox.get(&format!("/v1/inbox/{relayed}")).await.unwrap();
            (a.status == 200).then_some(())
        },
    )
    .await;

    let view = |id: String| {
        let c = inbox.clone();
        async move {
            let a = c.get(&format!("/v1/inbox/{id}/signature")).await.unwrap();
            assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
            let j = a.json();
            assert_eq!(j["id"], id.as_str());
            j["signature"].clone()
        }
    };
    for (id, signer) in [(good.clone(), FROM), (relayed, NATIONAL)] {
        let s = view(id).await;
        assert_eq!(s["valid"], true, "{s:#}");
        assert_eq!(s["verdict"], "valid");
        assert_eq!(s["signer"]["agency"], signer, "{s:#}");
        assert!(s["chain"].as_array().unwrap().len() >= 2, "{s:#}");
        assert_eq!(s["problem_codes"], serde_json::json!([]));
    }
    let s = view(tampered.clone()).await;
    assert_eq!(s["valid"], false, "{s:#}");
    assert_eq!(s["verdict"], "invalid");
    assert!(
        s["problem_codes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "sig.digest_mismatch"),
        "{s:#}"
    );
    assert_eq!(s["intact"], false);
    // For the clerk, the same problems in the language asked for; `problems` stays English.
    assert_eq!(
        s["problems_text"], s["problems"],
        "English asked for: {s:#}"
    );
    let vi = f
        .client("gw-h50", Some(&format!("dms/{TO}")))
        .unwrap()
        .get(&format!("/v1/inbox/{tampered}/signature"))
        .await
        .unwrap()
        .json();
    let said = vi["signature"]["problems_text"].as_array().unwrap();
    assert_eq!(said.len(), s["problems"].as_array().unwrap().len());
    assert!(
        said.iter()
            .any(|p| p.as_str().unwrap().contains("sửa đổi sau khi ký")),
        "{vi:#}"
    );
    assert_eq!(
        vi["signature"]["problems"], s["problems"],
        "JSON for programs: English"
    );

    // Only the recipient may ask; an id that is none is not found; operators are not DMSs.
    let other = f.client("gw-h50", Some(&format!("dms/{OTHER}"))).unwrap();
    let a = other
        .get(&format!("/v1/inbox/{tampered}/signature"))
        .await
        .unwrap();
    assert_eq!(a.status, 404);
    assert_eq!(a.error_code().as_deref(), Some("not_found"));
    let a = inbox.get("/v1/inbox/not-an-id/signature").await.unwrap();
    assert_eq!(a.status, 404);
    assert!(String::from_utf8_lossy(&a.body).contains("'not-an-id' is not a message id"));
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let a = ops
        .get(&format!("/v1/inbox/{tampered}/signature"))
        .await
        .unwrap();
    assert_eq!(a.status, 403);

    // Taken over, then past retention: the bytes are gone, and the answer says so (410
    // `store.purged`), for the document and for its signature alike.
    ack_inbox(&inbox, &good, "done").await;
    let store = f.running("gw-h50").unwrap().state.store.clone();
    let later = lienthong_store::Timestamp::now_utc().plus_millis(91 * 24 * 3_600_000);
    let purged = tokio::task::spawn_blocking(move || store.purge_expired(later, 100))
        .await
        .unwrap()
        .unwrap();
    assert!(purged >= 1);
    for path in [
        format!("/v1/inbox/{good}"),
        format!("/v1/inbox/{good}/signature"),
    ] {
        let a = inbox.get(&path).await.unwrap();
        assert_eq!(
            a.status,
            410,
            "{path}: {}",
            String::from_utf8_lossy(&a.body)
        );
        assert_eq!(a.error_code().as_deref(), Some("store.purged"));
    }
    f.stop_all().await;
}
