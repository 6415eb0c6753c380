//! Two lienthong federations joined through a VXP uplink, as a provincial axis bridges to
//! the national one: A's bridge gateway is a VXP client (system `bridge.a`) of B's VXP
//! listener. Documents and statuses go both ways; the upstream stopped and started while A
//! polls loses and duplicates nothing; an upstream whose `getEdoc` bytes do not match the
//! listed SHA-256 is refused and asked again, never stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_edxml::StatusCode;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};
use support::*;

const A_AGENCY: &str = "000.00.01.H50";
const B_AGENCY: &str = "000.00.11.H48";
const BRIDGE_SECRET: &str = "bridge-a-secret-0123456789";

fn node(id: &str, agencies: &[&str]) -> NodeSpec {
    NodeSpec {
        id: id.into(),
        parent: None,
        agencies: agencies
            .iter()
            .map(|a| ((*a).to_owned(), format!("agency {a}")))
            .collect(),
    }
}

/// B, the upstream: gw-h48 homes its own agency and, for system `bridge.a`, A's agency.
async fn upstream(tag: &str) -> (Federation, std::net::SocketAddr) {
    let spec = FederationSpec {
        nodes: vec![node("gw-h48", &[B_AGENCY, A_AGENCY])],
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_RETRY.into(),
    };
    let mut b = Federation::prepare(&spec).unwrap();
    b.add_vxp(
        "gw-h48",
        &[("bridge.a", BRIDGE_SECRET, &[A_AGENCY], "record")],
    )
    .unwrap();
    b.start_all().await.unwrap();
    let addr = b.running("gw-h48").unwrap().vxp.as_ref().unwrap().addr;
    (b, addr)
}

/// A, the bridged side: gw-h50 homes its own agency, and B's agency behind its uplink to
/// the VXP endpoint `endpoint`.
async fn bridged(tag: &str, endpoint: &str) -> Federation {
    let root = tempdir(tag);
    std::fs::create_dir_all(&root).unwrap();
    let secret = root.join("bridge.a.secret");
    std::fs::write(&secret, format!("{BRIDGE_SECRET}\n")).unwrap();
    let spec = FederationSpec {
        nodes: vec![node("gw-h50", &[A_AGENCY, B_AGENCY])],
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        extra_toml: format!(
            "{FAST_RETRY}\n[uplink.vxp]\nendpoint = \"{endpoint}\"\nsystem = \"bridge.a\"\nsecret_file = \"{}\"\npoll_interval_ms = 100\n",
            secret.display()
        ),
    };
    let mut a = Federation::prepare(&spec).unwrap();
    let dir = root.join("directory.toml");
    let text = std::fs::read_to_string(&dir).unwrap();
    let line = format!("code = \"{B_AGENCY}\"\n");
    assert!(text.contains(&line));
    std::fs::write(&dir, text.replace(&line, &format!("{line}uplink = true\n"))).unwrap();
    a.start_all().await.unwrap();
    a
}

/// The ids in an agency's inbox, once it holds `n` items of `kind` (or fail after 20 s).
async fn inbox_of(f: &Federation, gw: &str, agency: &str, kind: &str, n: usize) -> Vec<String> {
    let c = f.client(gw, Some(&format!("dms/{agency}"))).unwrap();
    eventually(
        &format!("{n} {kind} in the inbox of {agency}"),
        Duration::from_secs(20),
        || async {
            let ids = inbox_item_ids(&c, &format!("kind={kind}")).await;
            (ids.len() >= n).then_some(ids)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_statuses_cross_the_uplink_both_ways() {
    let (mut b, addr) = upstream("uplink-b").await;
    let mut a = bridged("uplink-a", &format!("http://{addr}/XrdAdapter/adapter")).await;

    // A -> B: queued for the uplink, sent with sendEdoc, delivered at B byte for byte.
    let doc = document(A_AGENCY, &[B_AGENCY], 1);
    let dms_a = a
        .client("gw-h50", Some(&format!("dms/{A_AGENCY}")))
        .unwrap();
    let r = dms_a.submit(doc.clone()).await.unwrap();
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let sent_id = r.json()["id"].as_str().unwrap().to_owned();
    let ids = inbox_of(&b, "gw-h48", B_AGENCY, "edoc", 1).await;
    let dms_b = b
        .client("gw-h48", Some(&format!("dms/{B_AGENCY}")))
        .unwrap();
    let got = dms_b.get(&format!("/v1/inbox/{}", ids[0])).await.unwrap();
    assert_eq!(got.body, doc);
    ack_inbox(&dms_b, &ids[0], "done").await;
    // The uplink is a next hop like any other in A's queue figures.
    let ops = a.client("gw-h50", Some("operator/ops")).unwrap();
    let q = ops.get("/v1/queues").await.unwrap().json();
    assert_eq!(q["links"]["uplink-vxp"]["up"], true, "{q:#}");

    // B -> A: the status comes back down, is stored and delivered at A, then acknowledged
    // upstream (B no longer lists it).
    let st = status(B_AGENCY, A_AGENCY, 1, StatusCode::Arrived);
    let r = dms_b.submit(st.clone()).await.unwrap();
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let ids = inbox_of(&a, "gw-h50", A_AGENCY, "status", 1).await;
    assert_eq!(
        dms_a
            .get(&format!("/v1/inbox/{}", ids[0]))
            .await
            .unwrap()
            .body,
        st
    );
    let bridge = vxp_client(addr, "bridge.a", BRIDGE_SECRET);
    eventually(
        "the status acknowledged upstream",
        Duration::from_secs(10),
        || async {
            bridge
                .received("status")
                .await
                .ok()?
                .is_empty()
                .then_some(())
        },
    )
    .await;
    // A's tracking of its document shows where it went and B's answer.
    let track = dms_a
        .get(&format!("/v1/documents/{sent_id}"))
        .await
        .unwrap()
        .json();
    assert_eq!(
        track["message"]["recipients"][B_AGENCY]["hop"], "uplink-vxp",
        "{track:#}"
    );
    let codes: Vec<&str> = track["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["status_code"].as_str())
        .collect();
    assert_eq!(codes, ["01"], "{track:#}");

    // A document from B to A.
    let doc = document(B_AGENCY, &[A_AGENCY], 2);
    assert_eq!(dms_b.submit(doc.clone()).await.unwrap().status, 202);
    let ids = inbox_of(&a, "gw-h50", A_AGENCY, "edoc", 1).await;
    assert_eq!(
        dms_a
            .get(&format!("/v1/inbox/{}", ids[0]))
            .await
            .unwrap()
            .body,
        doc
    );
    a.stop_all().await;
    b.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstream_stopped_while_polled_loses_and_duplicates_nothing() {
    let (mut b, addr) = upstream("uplink-kill-b").await;
    // B comes back on the same port.
    let config = b.nodes["gw-h48"].config_path.clone();
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("listen = \"127.0.0.1:0\"", &format!("listen = \"{addr}\"")),
    )
    .unwrap();
    let mut a = bridged("uplink-kill-a", &format!("http://{addr}")).await;
    let dms_b = b
        .client("gw-h48", Some(&format!("dms/{B_AGENCY}")))
        .unwrap();
    let total = 12;
    for n in 0..total {
        let r = dms_b
            .submit(document(B_AGENCY, &[A_AGENCY], 100 + n))
            .await
            .unwrap();
        assert_eq!(r.status, 202);
        if n == total / 2 {
            // The upstream goes away in the middle of A's polling, and comes back; what A
            // sends up meanwhile waits in the uplink's queue.
            b.stop("gw-h48").await;
            let up = a
                .client("gw-h50", Some(&format!("dms/{A_AGENCY}")))
                .unwrap()
                .submit(document(A_AGENCY, &[B_AGENCY], 900))
                .await
                .unwrap();
            assert_eq!(up.status, 202, "{}", String::from_utf8_lossy(&up.body));
            tokio::time::sleep(Duration::from_millis(300)).await;
            b.start("gw-h48").await.unwrap();
        }
    }
    let ids = inbox_of(&a, "gw-h50", A_AGENCY, "edoc", total as usize).await;
    // Each document once, by its DocumentId.
    let dms_a = a
        .client("gw-h50", Some(&format!("dms/{A_AGENCY}")))
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for id in &ids {
        let body = dms_a.get(&format!("/v1/inbox/{id}")).await.unwrap().body;
        let text = String::from_utf8_lossy(&body).into_owned();
        let n = text
            .split("<edXML:CodeNumber>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap()
            .to_owned();
        assert!(seen.insert(n.clone()), "document {n} delivered twice");
    }
    assert_eq!(seen.len(), total as usize, "{seen:?}");
    // What A sent up while B was away arrived once.
    assert_eq!(inbox_of(&b, "gw-h48", B_AGENCY, "edoc", 1).await.len(), 1);
    // Nothing left upstream, once A has taken everything.
    let vxp_addr = b.running("gw-h48").unwrap().vxp.as_ref().unwrap().addr;
    let bridge = vxp_client(vxp_addr, "bridge.a", BRIDGE_SECRET);
    eventually(
        "everything acknowledged upstream",
        Duration::from_secs(10),
        || async { bridge.received("edoc").await.ok()?.is_empty().then_some(()) },
    )
    .await;
    a.stop_all().await;
    b.stop_all().await;
}

/// What the fake upstream has done.
#[derive(Default)]
struct Fake {
    gets: usize,
    acks: Vec<(String, String)>,
}

/// A VXP upstream that lists document `good` (with its SHA-256) and answers the first
/// `bad_gets` getEdoc calls with `bad` instead.
async fn fake_upstream(
    good: Vec<u8>,
    bad: Vec<u8>,
    bad_gets: usize,
) -> (std::net::SocketAddr, std::sync::Arc<std::sync::Mutex<Fake>>) {
    use base64::Engine;
    use http_body_util::Full;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = std::sync::Arc::new(std::sync::Mutex::new(Fake::default()));
    let sha = lienthong_store::Sha256::digest(&good).to_hex();
    let shared = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (state, good, bad, sha) = (shared.clone(), good.clone(), bad.clone(), sha.clone());
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let (state, good, bad, sha) =
                            (state.clone(), good.clone(), bad.clone(), sha.clone());
                        async move {
                            let op = req
                                .uri()
                                .path()
                                .rsplit('/')
                                .next()
                                .unwrap_or_default()
                                .to_owned();
                            let header = |n: &str| {
                                req.headers()
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_owned()
                            };
                            let mut s = state.lock().unwrap();
                            let acked = s.acks.iter().any(|(id, st)| id == "77" && st == "done");
                            let body = match op.as_str() {
                                "getReceivedEdocList"
                                    if header("XroadVnpt-messagetype") == "edoc" && !acked =>
                                {
                                    serde_json::json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": [
                                        {"docId": "77", "serviceType": "eDoc", "messageType": "edoc", "from": B_AGENCY, "to": A_AGENCY, "contentSha256": sha}
                                    ]})
                                }
                                "getReceivedEdocList" => {
                                    serde_json::json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": []})
                                }
                                "getEdoc" => {
                                    s.gets += 1;
                                    let bytes = if s.gets <= bad_gets { &bad } else { &good };
                                    serde_json::json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": "",
                                    "data": base64::engine::general_purpose::STANDARD.encode(bytes)})
                                }
                                "updateStatus" => {
                                    s.acks.push((
                                        header("XroadVnpt-docId"),
                                        header("XroadVnpt-status"),
                                    ));
                                    serde_json::json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": ""})
                                }
                                _ => {
                                    serde_json::json!({"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "no", "DocId": ""})
                                }
                            };
                            Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                                bytes::Bytes::from(body.to_string()),
                            )))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    (addr, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_do_not_match_the_listed_hash_are_never_stored() {
    let good = document(B_AGENCY, &[A_AGENCY], 7);
    // Another document, valid in itself: stored if the hash were not checked.
    let bad = document(B_AGENCY, &[A_AGENCY], 8);
    let (addr, fake) = fake_upstream(good.clone(), bad, 3).await;
    let mut a = bridged("uplink-hash-a", &format!("http://{addr}")).await;
    let ids = inbox_of(&a, "gw-h50", A_AGENCY, "edoc", 1).await;
    assert_eq!(ids.len(), 1, "{ids:?}");
    let dms_a = a
        .client("gw-h50", Some(&format!("dms/{A_AGENCY}")))
        .unwrap();
    assert_eq!(
        dms_a
            .get(&format!("/v1/inbox/{}", ids[0]))
            .await
            .unwrap()
            .body,
        good
    );
    let ops = a.client("gw-h50", Some("operator/ops")).unwrap();
    let stored = ops.get("/v1/messages?state=all").await.unwrap().json();
    assert_eq!(
        stored["messages"].as_array().unwrap().len(),
        1,
        "{stored:#}"
    );
    eventually(
        "the good copy acknowledged",
        Duration::from_secs(10),
        || async {
            let s = fake.lock().unwrap();
            (!s.acks.is_empty()).then(|| (s.gets, s.acks.clone()))
        },
    )
    .await;
    let (gets, acks) = {
        let s = fake.lock().unwrap();
        (s.gets, s.acks.clone())
    };
    assert!(gets >= 4, "taken {gets} times");
    assert_eq!(acks, [("77".to_owned(), "done".to_owned())]);
    let m = metrics_text(&a, "gw-h50").await;
    assert!(
        metric_value(&m, "lienthong_refused_total{reason=\"vxp.hash_mismatch\"}")
            .is_some_and(|v| v >= 3.0),
        "{m}"
    );
    a.stop_all().await;
}
