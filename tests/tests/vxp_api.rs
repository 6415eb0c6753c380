//! The VXP listener driven as the official SDK drives it (signed headers, `{}` bodies,
//! `sendEdoc`'s file and CRLF, one timestamp per client, parameters carried from call to
//! call): every operation, both message types, the refusals (each leaving nothing stored),
//! and the full flow between a DMS on VXP and a DMS on the mTLS API, both ways.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_edxml::StatusCode;
use lienthong_gateway::federation::Federation;
use lienthong_vxp::Operation;
use support::*;

const SECRET: &str = "h50-test-secret-0123456789";
const REQUIRE_SECRET: &str = "h50-strict-secret-0123456789";
const VXP_AGENCY: &str = "000.00.01.H50";
const MTLS_AGENCY: &str = "000.00.11.H50";

fn systems() -> [VxpSystemSpec; 2] {
    [
        VxpSystemSpec {
            id: "vxp.test.h50",
            secret: SECRET,
            agencies: &[VXP_AGENCY],
            policy: "record",
        },
        VxpSystemSpec {
            id: "vxp.strict.h50",
            secret: REQUIRE_SECRET,
            agencies: &["000.00.00.H50"],
            policy: "require",
        },
    ]
}

/// How many messages gw-h50 holds (any state).
async fn stored(f: &Federation) -> usize {
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let r = ops.get("/v1/messages?state=all&limit=1000").await.unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["messages"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_in_the_sdk_s_shape() {
    let (mut f, addr) = vxp_federation("vxp-ops", &systems()).await;
    let c = vxp_client(addr, "vxp.test.h50", SECRET).sticky();
    for op in [
        Operation::GetAgenciesList,
        Operation::GetAgenciesListQd20,
        Operation::GetSynchronizeUnit,
    ] {
        let a = c.call(op, &[], None).await.unwrap();
        assert!(a.body.is_ascii(), "{}: not ASCII", op.name());
        assert!(
            a.ok(),
            "{}: {}",
            op.name(),
            String::from_utf8_lossy(&a.body)
        );
        let items = a.json()["data"].as_array().unwrap().clone();
        let h50 = items
            .iter()
            .find(|i| i["code"] == VXP_AGENCY)
            .unwrap_or_else(|| panic!("{}: {items:?}", op.name()));
        assert_eq!(
            h50["name"],
            "Văn phòng UBND tỉnh Quảng Trị",
            "{}",
            op.name()
        );
        for item in &items {
            for (k, v) in item.as_object().unwrap() {
                assert!(
                    !v.is_null() && !v.is_array() && !v.is_object(),
                    "{}: {k} = {v}",
                    op.name()
                );
            }
        }
    }
    for op in [Operation::CountReceiveEdoc, Operation::CountReceiveStatus] {
        let a = c.call(op, &[], None).await.unwrap();
        assert!(a.ok(), "{}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.json()["count"], 0);
    }
    for messagetype in ["edoc", "status"] {
        assert!(c.received(messagetype).await.unwrap().is_empty());
        let a = c
            .call(
                Operation::GetSentEdocList,
                &[("servicetype", "eDoc"), ("messagetype", messagetype)],
                None,
            )
            .await
            .unwrap();
        assert!(a.ok());
        assert_eq!(a.json()["data"], serde_json::json!([]));
    }
    for op in [Operation::RegisterAgency, Operation::DeleteAgency] {
        let a = c
            .call(op, &[("AgencyCode", "99.99.99.G21")], None)
            .await
            .unwrap();
        let v = a.json();
        assert_eq!(v["status"], "FAIL");
        assert_eq!(v["ErrorCode"], "vxp.not_supported");
        assert!(v["ErrorDesc"].as_str().unwrap().contains("directory"));
    }
    // An operation that does not exist, and a document that is not there: the envelope,
    // with getEdoc's `data` and sendEdoc's `DocId` kept.
    let http = vxp_client(addr, "vxp.test.h50", SECRET);
    let a = http
        .call(Operation::GetEdoc, &[("docId", "42")], None)
        .await
        .unwrap();
    let v = a.json();
    assert_eq!(
        (v["status"].as_str(), v["ErrorCode"].as_str()),
        (Some("FAIL"), Some("vxp.not_found"))
    );
    assert_eq!(v["data"], "");
    let a = http.send_edoc(b"<not-edxml/>", "edoc", "").await.unwrap();
    assert_eq!(a.json()["status"], "FAIL");
    assert_eq!(a.json()["DocId"], "");
    let raw = raw_post(addr, "/XrdAdapter/adapter/noSuchOp", "").await;
    assert!(raw.contains("vxp.unknown_operation"), "{raw}");
    assert!(raw.contains("\"status\":\"FAIL\""), "{raw}");
    f.stop_all().await;
}

/// A POST with no VXP headers at all on a plain connection: the raw answer.
async fn raw_post(addr: std::net::SocketAddr, path: &str, extra: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}Content-Length: 2\r\n\r\n{{}}")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_from_vxp_to_mtls_and_its_status_comes_back() {
    let (mut f, addr) = vxp_federation("vxp-flow", &systems()).await;
    // One SDK service object for the whole run: its parameters leak from call to call.
    let c = vxp_client(addr, "vxp.test.h50", SECRET).sticky();
    let doc = document(VXP_AGENCY, &[MTLS_AGENCY], 1);
    let sent = c.send_edoc(&doc, "edoc", VXP_AGENCY).await.unwrap();
    assert!(sent.ok(), "{}", String::from_utf8_lossy(&sent.body));
    let doc_id = sent.json()["DocId"].as_str().unwrap().to_owned();
    // The SDK sends again when its connection drops: the same message, not a second one.
    let again = c.send_edoc(&doc, "edoc", VXP_AGENCY).await.unwrap();
    assert_eq!(again.json()["DocId"], doc_id.as_str());

    // The mTLS DMS receives the exact bytes.
    let dms = f
        .client("gw-h50", Some(&format!("dms/{MTLS_AGENCY}")))
        .unwrap();
    let ids = inbox_item_ids(&dms, "kind=edoc").await;
    assert_eq!(ids, std::slice::from_ref(&doc_id));
    let got = dms.get(&format!("/v1/inbox/{doc_id}")).await.unwrap();
    assert_eq!(got.body, doc);
    // Tracked like any other document, with its signature verdict.
    let t = f
        .client("gw-h50", Some(&format!("dms/{VXP_AGENCY}")))
        .unwrap()
        .get(&format!("/v1/documents/{doc_id}"))
        .await
        .unwrap();
    assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
    ack_inbox(&dms, &doc_id, "done").await;

    // The status package comes back to the VXP system.
    let st = status(MTLS_AGENCY, VXP_AGENCY, 1, StatusCode::Arrived);
    let r = dms.submit(st.clone()).await.unwrap();
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let status_id = r.json()["id"].as_str().unwrap().to_owned();
    assert!(c.received("edoc").await.unwrap().is_empty());
    assert_eq!(
        c.received("status").await.unwrap(),
        std::slice::from_ref(&status_id)
    );
    let counted = c
        .call(Operation::CountReceiveStatus, &[], None)
        .await
        .unwrap();
    assert_eq!(counted.json()["count"], 1);
    assert_eq!(c.get_edoc(&status_id).await.unwrap(), st);
    let done = c.update_status(&status_id, "done").await.unwrap();
    assert!(done.ok(), "{}", String::from_utf8_lossy(&done.body));
    // Again: harmless.
    assert!(c.update_status(&status_id, "done").await.unwrap().ok());
    assert!(c.received("status").await.unwrap().is_empty());

    // The sent list says where the document stands (the `docId` the SDK carries over from
    // the calls above names a received item: no filter).
    let sent_list = c
        .call(
            Operation::GetSentEdocList,
            &[("servicetype", "eDoc"), ("messagetype", "edoc")],
            None,
        )
        .await
        .unwrap();
    let items = sent_list.json()["data"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["senderDocId"], doc_id.as_str());
    assert_eq!(items[0]["toCode"], MTLS_AGENCY);
    assert_eq!(items[0]["receiveStatus"], "done");
    // Asked for by its id: that one.
    let one = c
        .call(
            Operation::GetSentEdocList,
            &[("messagetype", "edoc"), ("docId", &doc_id)],
            None,
        )
        .await
        .unwrap();
    assert_eq!(one.json()["data"].as_array().unwrap().len(), 1);
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_from_mtls_to_vxp() {
    let (mut f, addr) = vxp_federation("vxp-receive", &systems()).await;
    let c = vxp_client(addr, "vxp.test.h50", SECRET);
    let dms = f
        .client("gw-h50", Some(&format!("dms/{MTLS_AGENCY}")))
        .unwrap();
    let doc = document(MTLS_AGENCY, &[VXP_AGENCY], 2);
    let r = dms.submit(doc.clone()).await.unwrap();
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let listed = c
        .call(
            Operation::GetReceivedEdocList,
            &[
                ("servicetype", "eDoc"),
                ("messagetype", "edoc"),
                ("fromDate", "01/01/2026"),
            ],
            None,
        )
        .await
        .unwrap();
    let item = listed.json()["data"][0].clone();
    assert_eq!(item["docId"], id.as_str());
    assert_eq!(item["from"], MTLS_AGENCY);
    assert_eq!(item["to"], VXP_AGENCY);
    assert!(item["created_time"].as_str().unwrap().ends_with("+07:00"));
    // A window that ends before it: not listed; a date that is not one: refused.
    let none = c
        .call(
            Operation::GetReceivedEdocList,
            &[
                ("servicetype", "eDoc"),
                ("messagetype", "edoc"),
                ("toDate", "2020-01-01"),
            ],
            None,
        )
        .await
        .unwrap();
    assert_eq!(none.json()["data"], serde_json::json!([]));
    let bad = c
        .call(
            Operation::GetReceivedEdocList,
            &[
                ("servicetype", "eDoc"),
                ("messagetype", "edoc"),
                ("fromDate", "hôm qua"),
            ],
            None,
        )
        .await
        .unwrap();
    assert_eq!(bad.code(), "vxp.malformed");
    // getEdoc and downloadEdoc give the exact bytes.
    assert_eq!(c.get_edoc(&id).await.unwrap(), doc);
    let raw = c
        .call(Operation::DownloadEdoc, &[("docId", &id)], None)
        .await
        .unwrap();
    assert_eq!(raw.body, doc);
    // Another system does not see it.
    let strict = vxp_client(addr, "vxp.strict.h50", REQUIRE_SECRET);
    assert_eq!(
        strict
            .call(Operation::GetEdoc, &[("docId", &id)], None)
            .await
            .unwrap()
            .code(),
        "vxp.not_found"
    );
    // `processing` keeps it listed; `fail` is the DMS's refusal, seen by the sender.
    assert!(c.update_status(&id, "processing").await.unwrap().ok());
    assert_eq!(c.received("edoc").await.unwrap(), std::slice::from_ref(&id));
    assert!(c.update_status(&id, "fail").await.unwrap().ok());
    assert!(c.received("edoc").await.unwrap().is_empty());
    let t = dms
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert_eq!(
        t["message"]["recipients"][VXP_AGENCY]["result"], "fail",
        "{t:#}"
    );
    // A status that is not one.
    assert_eq!(
        c.update_status(&id, "archived").await.unwrap().code(),
        "vxp.malformed"
    );
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_clear_and_store_nothing() {
    let (mut f, addr) = vxp_federation("vxp-refusals", &systems()).await;
    let doc = document(VXP_AGENCY, &[MTLS_AGENCY], 3);
    let before = stored(&f).await;
    let cases: Vec<(
        &str,
        lienthong_gateway::vxp::client::VxpClient,
        Vec<u8>,
        &str,
        &str,
    )> = vec![
        (
            "a wrong secret",
            vxp_client(addr, "vxp.test.h50", "not-the-secret-at-all"),
            doc.clone(),
            VXP_AGENCY,
            "vxp.bad_signature",
        ),
        (
            "an unknown system",
            vxp_client(addr, "vxp.nobody", SECRET),
            doc.clone(),
            VXP_AGENCY,
            "vxp.unknown_system",
        ),
        (
            "another system's agency in from",
            vxp_client(addr, "vxp.test.h50", SECRET),
            doc.clone(),
            MTLS_AGENCY,
            "vxp.agency_not_allowed",
        ),
        (
            "a document from another agency",
            vxp_client(addr, "vxp.test.h50", SECRET),
            document(MTLS_AGENCY, &[VXP_AGENCY], 4),
            "",
            "vxp.agency_not_allowed",
        ),
        (
            "an unsigned document under require",
            vxp_client(addr, "vxp.strict.h50", REQUIRE_SECRET),
            edoc_xml("000.00.00.H50", &[MTLS_AGENCY], 5).into_bytes(),
            "",
            "signature.required",
        ),
    ];
    for (what, client, file, from, code) in cases {
        let a = client.send_edoc(&file, "edoc", from).await.unwrap();
        let v = a.json();
        assert_eq!(v["status"], "FAIL", "{what}: {v}");
        assert_eq!(v["ErrorCode"], code, "{what}: {v}");
        assert!(!v["ErrorDesc"].as_str().unwrap().is_empty(), "{what}");
        assert_eq!(v["DocId"], "", "{what}");
    }
    // Headers that disagree with what was signed, and a file that is not the hashed one.
    let signed = lienthong_vxp::sign::signed_headers(
        "vxp.test.h50",
        SECRET.as_bytes(),
        "05122026T133941+0937",
        &[
            ("from", VXP_AGENCY),
            ("messagetype", "edoc"),
            ("hash-file", &lienthong_vxp::hashfile::hash_file(&doc)),
        ],
        "application/octet-stream",
    );
    for (what, change, code) in [
        (
            "a changed header",
            Some(("XroadVnpt-messagetype", "status")),
            "vxp.header_mismatch",
        ),
        ("another file", None, "vxp.hash_mismatch"),
    ] {
        let mut headers = String::new();
        for (n, v) in &signed {
            let v = match change {
                Some((cn, cv)) if cn == n => cv.to_owned(),
                _ => v.clone(),
            };
            headers.push_str(&format!("{n}: {v}\r\n"));
        }
        let answer = raw_send(addr, &headers, b"<other/>\r\n").await;
        assert!(
            answer.contains(&format!("\"ErrorCode\":\"{code}\"")),
            "{what}: {answer}"
        );
    }
    assert_eq!(stored(&f).await, before, "a refusal stored something");
    // No signature at all.
    let raw = raw_post(addr, "/sendEdoc", "").await;
    assert!(raw.contains("vxp.unsigned"), "{raw}");
    // Counted by system and outcome, and by code.
    let m = metrics_text(&f, "gw-h50").await;
    for (series, at_least) in [
        (
            "lienthong_vxp_requests_total{system=\"-\",outcome=\"refused\"}",
            4.0,
        ),
        (
            "lienthong_vxp_requests_total{system=\"vxp.test.h50\",outcome=\"refused\"}",
            2.0,
        ),
        (
            "lienthong_vxp_requests_total{system=\"vxp.strict.h50\",outcome=\"ok\"}",
            0.0,
        ),
        ("lienthong_refused_total{reason=\"vxp.bad_signature\"}", 1.0),
        ("lienthong_refused_total{reason=\"vxp.hash_mismatch\"}", 1.0),
    ] {
        assert!(
            metric_value(&m, series).is_some_and(|v| v >= at_least),
            "{series} in\n{m}"
        );
    }
    f.stop_all().await;
}

/// sendEdoc with these header lines and body, on a plain connection: the raw answer.
async fn raw_send(addr: std::net::SocketAddr, headers: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "POST /sendEdoc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    s.write_all(&req).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_signatures_are_recorded_and_secrets_rotate() {
    let (mut f, addr) = vxp_federation("vxp-record", &systems()).await;
    let c = vxp_client(addr, "vxp.test.h50", SECRET);
    // An unsigned document (as SDK-based DMSs send them): accepted under `record`, with
    // its verdict kept in tracking.
    let a = c
        .send_edoc(
            edoc_xml(VXP_AGENCY, &[MTLS_AGENCY], 6).as_bytes(),
            "edoc",
            "",
        )
        .await
        .unwrap();
    assert!(a.ok(), "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["DocId"].as_str().unwrap().to_owned();
    // The recipient's DMS sees the verdict in the signature view.
    let dms = f
        .client("gw-h50", Some(&format!("dms/{MTLS_AGENCY}")))
        .unwrap();
    let view = dms.get(&format!("/v1/inbox/{id}/signature")).await.unwrap();
    assert_eq!(view.status, 200, "{}", String::from_utf8_lossy(&view.body));
    assert_eq!(
        view.json()["signature"]["verdict"],
        "unsigned",
        "{}",
        view.json()
    );

    // Rotation: the new secret in force, the old one still accepted while it is listed.
    let config = f.nodes["gw-h50"].config_path.clone();
    let dir = config.parent().unwrap();
    std::fs::write(dir.join("vxp.test.h50.new"), "the-new-secret-0123456789\n").unwrap();
    let old_line = format!(
        "secret_file = \"{}\"",
        dir.join("vxp.test.h50.secret").display()
    );
    let previous = format!(
        "previous_secret_file = \"{}\"\n",
        dir.join("vxp.test.h50.secret").display()
    );
    let before = std::fs::read_to_string(&config).unwrap();
    assert!(before.contains(&old_line), "{before}");
    let text = before.replace(
        &old_line,
        &format!("secret_file = \"vxp.test.h50.new\"\n{previous}"),
    );
    std::fs::write(&config, &text).unwrap();
    let v = lienthong_gateway::config::Config::load(&config).unwrap();
    let running = f.running("gw-h50").unwrap();
    assert_eq!(running.reload_vxp(&v).unwrap(), "2 VXP systems");
    let new = vxp_client(addr, "vxp.test.h50", "the-new-secret-0123456789");
    assert!(new.received("edoc").await.is_ok());
    assert!(
        c.received("edoc").await.is_ok(),
        "the previous secret is still accepted"
    );
    // The old one removed: refused.
    std::fs::write(&config, text.replace(&previous, "")).unwrap();
    let v = lienthong_gateway::config::Config::load(&config).unwrap();
    running.reload_vxp(&v).unwrap();
    let refused = c
        .call(Operation::CountReceiveEdoc, &[], None)
        .await
        .unwrap();
    assert_eq!(refused.code(), "vxp.bad_signature");
    assert!(new.received("edoc").await.is_ok());
    // A secret file that cannot be read keeps the systems in force.
    std::fs::remove_file(dir.join("vxp.test.h50.new")).unwrap();
    let v = lienthong_gateway::config::Config::load(&config);
    assert!(v.is_err(), "the check reads the secret files");
    assert!(new.received("edoc").await.is_ok());
    f.stop_all().await;
}

/// A document a VXP system's `record` policy accepted with a legacy (here: no) signature
/// crosses gateways whose own policy is `require`: the sender's home gateway tells each next
/// hop that it recorded the verdict, and the message started there. Tracking shows the
/// verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_document_crosses_gateways_that_require_signatures() {
    let (mut f, addr) = vxp_federation("vxp-cross", &systems()).await;
    let c = vxp_client(addr, "vxp.test.h50", SECRET);
    let bytes = edoc_xml(VXP_AGENCY, &["000.00.00.G22"], 9).into_bytes();
    let a = c.send_edoc(&bytes, "edoc", VXP_AGENCY).await.unwrap();
    assert!(a.ok(), "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["DocId"].as_str().unwrap().to_owned();
    let g22 = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    let got = eventually(
        "delivery at gw-g22",
        std::time::Duration::from_secs(20),
        || async {
            let r = g22.get(&format!("/v1/inbox/{id}")).await.ok()?;
            (r.status == 200).then_some(r)
        },
    )
    .await;
    assert_eq!(got.body, bytes);
    let view = g22.get(&format!("/v1/inbox/{id}/signature")).await.unwrap();
    assert_eq!(view.json()["signature"]["verdict"], "unsigned");
    let ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    let t = ops
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert_eq!(t["message"]["signature"]["verdict"], "unsigned", "{t:#}");
    assert_eq!(t["message"]["signature"]["recorded"], true, "{t:#}");
    // The same document submitted over the mTLS API (the gateway's own policy, require) is
    // refused.
    let dms = f
        .client("gw-h50", Some(&format!("dms/{VXP_AGENCY}")))
        .unwrap();
    let other = edoc_xml(VXP_AGENCY, &["000.00.00.G22"], 10).into_bytes();
    let r = dms.submit(other).await.unwrap();
    assert_eq!(r.error_code().as_deref(), Some("signature.required"));
    f.stop_all().await;
}

/// The SDK's Apache stack sends `Expect: 100-continue` with its `{}` bodies and waits
/// (about 3 s) for `100 Continue` or an answer before sending them: the answer comes at
/// once, and the connection serves the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_continue_is_answered_at_once_on_a_kept_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut f, addr) = vxp_federation("vxp-expect", &systems()).await;
    let head = |op: &str| {
        let signed = lienthong_vxp::sign::signed_headers(
            "vxp.test.h50",
            SECRET.as_bytes(),
            "05122026T133941+0937",
            &[("docId", "1")],
            "application/json",
        );
        let mut h = format!(
            "POST /XrdAdapter/adapter/{op} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Keep-Alive\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
        );
        for (n, v) in signed {
            h.push_str(&format!("{n}: {v}\r\n"));
        }
        h.push_str("\r\n");
        h
    };
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    for op in ["countReceiveEdoc", "getEdoc"] {
        s.write_all(head(op).as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut buf))
            .await
            .expect("an answer without waiting for the body")
            .unwrap();
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if text.starts_with("HTTP/1.1 100") {
            // Asked for the body: send it and read the answer.
            s.write_all(b"{}").await.unwrap();
            let mut rest = vec![0u8; 4096];
            let m = tokio::time::timeout(std::time::Duration::from_secs(2), s.read(&mut rest))
                .await
                .expect("the answer after the body")
                .unwrap();
            let text = String::from_utf8_lossy(&rest[..m]).into_owned();
            assert!(text.contains("\"ErrorCode\""), "{op}: {text}");
        } else {
            assert!(text.contains("\"ErrorCode\""), "{op}: {text}");
            // The body the client did not send is not awaited on the next request: hyper
            // closes such a connection, or reads the next request. Either way the SDK
            // opens a new one; here we do too.
            s = tokio::net::TcpStream::connect(addr).await.unwrap();
        }
    }
    f.stop_all().await;
}

/// With `tls = true` the listener speaks HTTPS with the gateway's server certificate and
/// asks the SDK for no client certificate; plain HTTP is not answered there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_speaks_https_when_asked() {
    let spec = lienthong_gateway::federation::FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("vxp-tls"),
        policy: lienthong_gateway::config::SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.add_vxp(
        "gw-h50",
        &[("vxp.test.h50", SECRET, &[VXP_AGENCY], "record")],
    )
    .unwrap();
    let config = f.nodes["gw-h50"].config_path.clone();
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "listen = \"127.0.0.1:0\"",
            "listen = \"127.0.0.1:0\"\ntls = true",
        ),
    )
    .unwrap();
    f.start_all().await.unwrap();
    let addr = f.running("gw-h50").unwrap().vxp.as_ref().unwrap().addr;
    let mut roots = lienthong_gateway::vxp::client::Roots::empty();
    for c in lienthong_gateway::tls::load_certs(&certs().join("ca.pem")).unwrap() {
        roots.add(c).unwrap();
    }
    let c = lienthong_gateway::vxp::client::VxpClient::new(
        &format!("https://127.0.0.1:{}", addr.port()),
        "vxp.test.h50",
        SECRET.as_bytes(),
        "05122026T133941+0937",
        roots,
    )
    .unwrap();
    let doc = document(VXP_AGENCY, &[MTLS_AGENCY], 11);
    let a = c.send_edoc(&doc, "edoc", VXP_AGENCY).await.unwrap();
    assert!(a.ok(), "{}", String::from_utf8_lossy(&a.body));
    assert!(c.received("edoc").await.unwrap().is_empty());
    // Plain HTTP to the HTTPS listener gets no VXP answer.
    let plain = vxp_client(addr, "vxp.test.h50", SECRET);
    assert!(
        plain
            .call(Operation::CountReceiveEdoc, &[], None)
            .await
            .map_or(true, |r| !r.ok()),
        "plain HTTP was served on the TLS listener"
    );
    f.stop_all().await;
}

/// A system answering for two agencies: a document to both is listed once per agency, and
/// one `updateStatus done` takes it off the list for both. A `downloadEdoc` refusal has an
/// empty body (the SDK writes any body to disk as the document).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_answer_for_every_agency_of_the_system_and_empty_download_refusals() {
    let (mut f, addr) = vxp_federation(
        "vxp-two",
        &[VxpSystemSpec {
            id: "vxp.two.h50",
            secret: SECRET,
            agencies: &[VXP_AGENCY, MTLS_AGENCY],
            policy: "record",
        }],
    )
    .await;
    let c = vxp_client(addr, "vxp.two.h50", SECRET);
    let dms = f.client("gw-h50", Some("dms/000.00.00.H50")).unwrap();
    let r = dms
        .submit(document("000.00.00.H50", &[VXP_AGENCY, MTLS_AGENCY], 12))
        .await
        .unwrap();
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(c.received("edoc").await.unwrap(), [id.clone(), id.clone()]);
    assert!(c.update_status(&id, "done").await.unwrap().ok());
    assert!(c.received("edoc").await.unwrap().is_empty());
    let t = dms
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    for a in [VXP_AGENCY, MTLS_AGENCY] {
        assert_eq!(t["message"]["recipients"][a]["result"], "done", "{t:#}");
    }
    let missing = c
        .call(
            Operation::DownloadEdoc,
            &[("docId", "01a24757-d870-7bc5-8f93-a048235c5249")],
            None,
        )
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.is_empty(),
        "{}",
        String::from_utf8_lossy(&missing.body)
    );
    f.stop_all().await;
}

/// A waiver is taken only from the gateway where the message started: a gateway further
/// on that claims one (here gw-g22 relaying an unsigned document of a gw-h50 agency to
/// gw-h48 as if gw-h50 had recorded it) is refused under `require`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiver_passed_on_by_another_gateway_is_not_taken() {
    let mut f = federation("waiver-forged", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let body = edoc_xml(VXP_AGENCY, &["000.00.00.H48"], 13).into_bytes();
    let forged = relay_as_with(
        &f,
        ("gw-g22", "gw-h48"),
        "01a24757-d870-7bc5-8f93-a048235c0013",
        body,
        ("000.00.00.H48", "gw-h50,gw-g22"),
        &[("lienthong-signature-policy", "record")],
    )
    .await;
    assert_eq!(
        forged.error_code().as_deref(),
        Some("signature.required"),
        "{}",
        String::from_utf8_lossy(&forged.body)
    );
    let dms = f.client("gw-h48", Some("dms/000.00.00.H48")).unwrap();
    assert!(inbox_item_ids(&dms, "kind=edoc").await.is_empty());
    f.stop_all().await;
}
