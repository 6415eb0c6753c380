//! An agency known by a second code (a directory alias, as after the 1 July 2025 mergers):
//! a document whose From is the alias, signed with a certificate naming the agency's main
//! code, is accepted with a valid signature, stored under the main code, tracked by the
//! agency's DMS, and the statuses that answer it (addressed to the alias) come back to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_edxml::StatusCode;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;

const MAIN: &str = "000.00.11.H50";
const ALIAS: &str = "000.00.99.H50";
const RECIPIENT: &str = "000.00.01.H50";
const RENAMED: &str = "000.00.97.H50";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_is_the_same_agency_everywhere() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("aliases"),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    let dir = spec.root.join("directory.toml");
    let text = std::fs::read_to_string(&dir).unwrap();
    let main_line = format!("code = \"{MAIN}\"\n");
    assert!(text.contains(&main_line));
    // The recipient, for its part, was renamed: its certificate names its old code, now an
    // alias of RENAMED.
    let rcpt_line = format!("code = \"{RECIPIENT}\"\n");
    assert!(text.contains(&rcpt_line));
    std::fs::write(
        &dir,
        text.replace(&main_line, &format!("{main_line}aliases = [\"{ALIAS}\"]\n"))
            .replace(
                &rcpt_line,
                &format!("code = \"{RENAMED}\"\naliases = [\"{RECIPIENT}\"]\n"),
            ),
    )
    .unwrap();
    f.start_all().await.unwrap();

    let dms = f.client("gw-h50", Some(&format!("dms/{MAIN}"))).unwrap();
    let a = dms
        .submit(document_signed_by(ALIAS, &[RECIPIENT], 7, MAIN))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["signature"], "valid");
    let id = a.json()["id"].as_str().unwrap().to_owned();

    // Tracked by the agency that sent it, under its main code.
    let t = dms.get(&format!("/v1/documents/{id}")).await.unwrap();
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    assert_eq!(t.json()["message"]["sender"], MAIN);

    // The same DocumentId (it carries the alias) with other content from the main code is
    // the same agency's DocumentId reused: a conflict, not a second document.
    let reuse = support::edoc_xml(ALIAS, &[RECIPIENT], 7).replace("thử nghiệm", "sửa đổi");
    let b = dms.submit(sign_xml(&reuse, MAIN)).await.unwrap();
    assert_eq!(
        b.error_code().as_deref(),
        Some("store.conflict"),
        "{}",
        String::from_utf8_lossy(&b.body)
    );
    // The refusal names the message that holds the DocumentId, for a DMS to adopt.
    let detail = &b.json()["error"]["detail"];
    assert_eq!(detail["existing_id"], id.as_str(), "{detail}");
    assert_eq!(detail["sender"], MAIN);
    assert!(detail["document_id"].as_str().unwrap().starts_with(ALIAS));

    // The recipient's DMS, whose certificate names the old code, finds it in its inbox
    // (kept under the new code).
    let rcpt = f
        .client("gw-h50", Some(&format!("dms/{RECIPIENT}")))
        .unwrap();
    let items = rcpt.get("/v1/inbox?kind=edoc").await.unwrap().json();
    assert_eq!(items["items"][0]["id"], id.as_str(), "{items:#}");
    assert_eq!(
        rcpt.get(&format!("/v1/inbox/{id}")).await.unwrap().status,
        200
    );
    ack_inbox(&rcpt, &id, "done").await;
    // The recipient answers the alias; the status reaches the agency and its tracking.
    let s = rcpt
        .submit(status(RECIPIENT, ALIAS, 7, StatusCode::Arrived))
        .await
        .unwrap();
    assert_eq!(s.status, 202, "{}", String::from_utf8_lossy(&s.body));
    let got = eventually(
        "the status in the sender's tracking",
        Duration::from_secs(20),
        || async {
            let t = dms
                .get(&format!("/v1/documents/{id}"))
                .await
                .unwrap()
                .json();
            let codes: Vec<String> = t["statuses"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["status_code"].as_str().map(str::to_owned))
                .collect();
            (!codes.is_empty()).then_some(codes)
        },
    )
    .await;
    assert_eq!(got, ["01"]);
    let inbox = dms.get("/v1/inbox?kind=status").await.unwrap().json();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
    f.stop_all().await;
}

/// Certificates naming an agency's main code and its alias are one client for the limits:
/// they share one request rate and one connection allowance, instead of one each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_shares_the_agency_s_allowance() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("alias-shares"),
        policy: SignaturePolicy::Require,
        extra_toml: format!(
            "{FAST_RETRY}\n[limits]\nper_peer_rate = 1\nper_peer_burst = 3\nmax_connections_per_identity = 2\n"
        ),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    // RECIPIENT's own entry goes; its code becomes an alias of MAIN.
    let dir = spec.root.join("directory.toml");
    let text = std::fs::read_to_string(&dir).unwrap();
    let start = text
        .find(&format!("[[agency]]\ncode = \"{RECIPIENT}\"\n"))
        .expect("the directory lists RECIPIENT");
    let end = text[start..]
        .find("\n\n")
        .map_or(text.len(), |e| start + e + 2);
    let main_line = format!("code = \"{MAIN}\"\n");
    let merged = format!("{}{}", &text[..start], &text[end..]).replace(
        &main_line,
        &format!("{main_line}aliases = [\"{RECIPIENT}\"]\n"),
    );
    assert!(!merged.contains(&format!("parent = \"{RECIPIENT}\"")));
    std::fs::write(&dir, merged).unwrap();
    f.start_all().await.unwrap();

    // Two connections held with the main code's certificate: the alias's next one is closed.
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(
            try_raw_tls_to(&f, "gw-h50", Some(&format!("dms/{MAIN}")))
                .await
                .unwrap(),
        );
    }
    for c in &mut held {
        assert!(!closed_within(c, Duration::from_millis(200)).await);
    }
    let refused = match try_raw_tls_to(&f, "gw-h50", Some(&format!("dms/{RECIPIENT}"))).await {
        Err(_) => true,
        Ok(mut c) => closed_within(&mut c, Duration::from_secs(2)).await,
    };
    assert!(refused, "the alias got a third connection");
    drop(held);
    let main = f.client("gw-h50", Some(&format!("dms/{MAIN}"))).unwrap();
    let alias = f
        .client("gw-h50", Some(&format!("dms/{RECIPIENT}")))
        .unwrap();
    // The held connections are gone once the gateway has seen them close.
    eventually(
        "a connection for the main code",
        Duration::from_secs(10),
        || async { (main.get("/v1/agencies").await.ok()?.status == 200).then_some(()) },
    )
    .await;
    for _ in 0..2 {
        assert_eq!(main.get("/v1/agencies").await.unwrap().status, 200);
    }
    // The burst is spent, for the alias too.
    let r = alias.get("/v1/agencies").await.unwrap();
    assert_eq!(r.error_code().as_deref(), Some("request.rate_limited"));
    // Another agency is not affected.
    let other = f.client("gw-h50", Some("dms/000.00.00.H50")).unwrap();
    assert_eq!(other.get("/v1/agencies").await.unwrap().status, 200);

    let m = metrics_text(&f, "gw-h50").await;
    assert!(
        metric_value(
            &m,
            "lienthong_connections_refused_total{reason=\"per_identity\"}"
        )
        .is_some_and(|v| v >= 1.0),
        "{m}"
    );
    f.stop_all().await;
}
