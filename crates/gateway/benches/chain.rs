//! The four-level chain: commune → district → province → national → province, signed
//! 64 KiB documents, every hop over mutual TLS with a verified signed receipt.
//! Reports sustained end-to-end throughput (submit until in the far inbox) and the
//! end-to-end latency at light load.
//!
//! `cargo bench -p lienthong-gateway --bench chain` (env: LIENTHONG_BENCH_DOCS, default 2000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};

fn main() {
    let docs: usize = std::env::var("LIENTHONG_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let root = std::env::temp_dir().join(format!("lienthong-chain-{}", std::process::id()));
        let g = |id: &str, parent: Option<&str>, agencies: &[(&str, &str)]| NodeSpec {
            id: id.into(),
            parent: parent.map(Into::into),
            agencies: agencies.iter().map(|(c, n)| ((*c).into(), (*n).into())).collect(),
        };
        let spec = FederationSpec {
            nodes: vec![
                g("gw-g22", None, &[("000.00.00.G22", "VPCP")]),
                g("gw-h50", Some("gw-g22"), &[("000.00.00.H50", "UBND tỉnh")]),
                g("gw-h50-giolinh", Some("gw-h50"), &[("000.00.21.H50", "UBND huyện")]),
                g("gw-h50-giomai", Some("gw-h50-giolinh"), &[("000.05.21.H50", "UBND xã")]),
                g("gw-h48", Some("gw-g22"), &[("000.00.11.H48", "Sở Tài chính")]),
            ],
            certs: certs(),
            root: root.clone(),
            policy: SignaturePolicy::Require,
            extra_toml: "\n[limits]\nper_peer_rate = 1000000\nper_peer_burst = 1000000\n[forward]\nconcurrency_per_peer = 32\n".into(),
        };
        let mut f = Federation::prepare(&spec).unwrap();
        f.start_all().await.unwrap();
        let (from, to) = ("000.05.21.H50", "000.00.11.H48");
        let payload = payload_64k();
        eprintln!("signing {docs} documents…");
        let bodies = Arc::new((0..docs).map(|n| signed_doc(from, to, n, &payload)).collect::<Vec<_>>());
        let size = bodies[0].len();
        let inbox = f.client("gw-h48", Some(&format!("dms/{to}"))).unwrap();

        // Light load first: one document at a time, submit until it is in the far inbox, as
        // the recipient's DMS learns it: a long poll of its inbox (`wait`), answered by the
        // delivery.
        let sender = f.client("gw-h50-giomai", Some(&format!("dms/{from}"))).unwrap();
        let mut lat = Vec::new();
        let mut cursor: Option<String> = None;
        for n in 0..100 {
            let body = signed_doc(from, to, 1_000_000 + n, &payload);
            let t = Instant::now();
            let a = sender.submit(body).await.unwrap();
            let id = a.json()["id"].as_str().unwrap().to_owned();
            await_in_inbox(&inbox, &mut cursor, &id).await;
            lat.push(t.elapsed());
        }
        lat.sort();
        println!(
            "chain light load: 100 documents of {size} bytes one at a time through 4 hops: end-to-end p50 {:.1} ms, p99 {:.1} ms",
            pct(&lat, 0.5).as_secs_f64() * 1e3,
            pct(&lat, 0.99).as_secs_f64() * 1e3
        );

        // Sustained: 32 submitters, until every document is in the far inbox.
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let c = f.client("gw-h50-giomai", Some(&format!("dms/{from}"))).unwrap();
            let (bodies, next) = (bodies.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= bodies.len() {
                        return;
                    }
                    let a = c.submit(bodies[i].clone()).await.unwrap();
                    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let submitted = started.elapsed();
        // Count arrivals in the far inbox (the 100 light-load documents are already there).
        let mut after: Option<String> = None;
        let mut arrived = 0usize;
        while arrived < docs + 100 {
            let q = match &after {
                Some(a) => format!("/v1/inbox?limit=1000&after={a}"),
                None => "/v1/inbox?limit=1000".to_owned(),
            };
            let j = inbox.get(&q).await.unwrap().json();
            let items = j["items"].as_array().unwrap();
            if items.is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            arrived += items.len();
            after = j["next"].as_str().map(str::to_owned);
        }
        let took = started.elapsed();
        println!(
            "chain sustained: {docs} documents of {size} bytes through 4 hops in {:.2} s = {:.0} documents/s end to end (all submitted after {:.2} s)",
            took.as_secs_f64(),
            docs as f64 / took.as_secs_f64(),
            submitted.as_secs_f64()
        );
        f.stop_all().await;
        std::fs::remove_dir_all(&root).ok();
    });
}
