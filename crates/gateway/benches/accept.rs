//! Whole-gateway benchmark over real mutual TLS on loopback:
//!
//! 1. accept rate: signed 64 KiB documents posted over 64 keep-alive connections (each
//!    client its own connection), to a recipient homed at the same gateway; reports
//!    documents/s and latency percentiles.
//! 2. the added latency of one relay hop: one document at a time to a recipient one hop
//!    away, time from 202 to its appearance in the recipient's inbox, minus the same for a
//!    local recipient.
//!
//! `cargo bench -p lienthong-gateway --bench accept` (env: LIENTHONG_BENCH_DOCS, default 4000;
//! LIENTHONG_BENCH_HTTP=1 for HTTP/1.1 connections instead of HTTP/2).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use lienthong_gateway::federation::Federation;

mod common;
use common::*;

fn main() {
    let docs: usize = std::env::var("LIENTHONG_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let root = std::env::temp_dir().join(format!("lienthong-bench-{}", std::process::id()));
        let spec = pair_spec(root.clone());
        let mut f = Federation::prepare(&spec).unwrap();
        f.start_all().await.unwrap();

        // ~60 KiB of base64 so the signed document is about 64 KiB.
        let payload = payload_64k();
        eprintln!("signing {docs} documents…");
        let bodies: Vec<Vec<u8>> = (0..docs).map(|n| signed_doc("000.00.11.H50", "000.00.00.H50", n, &payload)).collect();
        let size = bodies[0].len();
        let bodies = Arc::new(bodies);
        let conns = 64;
        // LIENTHONG_BENCH_HTTP=1 for HTTP/1.1 keep-alive connections (default: HTTP/2, one
        // stream at a time per connection).
        let http1 = std::env::var("LIENTHONG_BENCH_HTTP").is_ok_and(|v| v == "1");
        let clients: Vec<_> = (0..conns)
            .map(|_| match http1 {
                true => f.client_http1("gw-h50", Some("dms/000.00.11.H50")).unwrap(),
                false => f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap(),
            })
            .collect();
        let (took, lat) = accept_all(clients, bodies).await;
        println!(
            "accept: {docs} signed documents of {size} bytes over {conns} mTLS keep-alive {} connections in {:.2} s = {:.0} documents/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            if http1 { "HTTP/1.1" } else { "HTTP/2" },
            took.as_secs_f64(),
            docs as f64 / took.as_secs_f64(),
            pct(&lat, 0.5).as_secs_f64() * 1e3,
            pct(&lat, 0.99).as_secs_f64() * 1e3,
            lat.last().unwrap().as_secs_f64() * 1e3,
        );

        // Added latency of one relay hop: time to appear in the inbox, local vs one hop away.
        let sender = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
        let near = f.client("gw-h50", Some("dms/000.00.00.H50")).unwrap();
        let far = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
        let small = "QUJD".repeat(100);
        let mut local = Vec::new();
        let mut hop = Vec::new();
        // Each recipient's DMS long-polls its inbox from its end.
        let mut near_cursor = inbox_end(&near).await;
        let mut far_cursor = inbox_end(&far).await;
        for n in 0..100 {
            for (to, inbox, cursor, out) in [
                ("000.00.00.H50", &near, &mut near_cursor, &mut local),
                ("000.00.00.G22", &far, &mut far_cursor, &mut hop),
            ] {
                let body = signed_doc("000.00.11.H50", to, 1_000_000 + n * 2 + usize::from(to.ends_with("G22")), &small);
                let t = Instant::now();
                let a = sender.submit(body).await.unwrap();
                let id = a.json()["id"].as_str().unwrap().to_owned();
                await_in_inbox(inbox, cursor, &id).await;
                out.push(t.elapsed());
            }
        }
        local.sort();
        hop.sort();
        println!(
            "one relay hop: submit-to-inbox p50 local {:.2} ms, one hop away {:.2} ms: the hop adds {:.2} ms at p50 (p99 local {:.2} ms, hop {:.2} ms)",
            pct(&local, 0.5).as_secs_f64() * 1e3,
            pct(&hop, 0.5).as_secs_f64() * 1e3,
            (pct(&hop, 0.5).as_secs_f64() - pct(&local, 0.5).as_secs_f64()) * 1e3,
            pct(&local, 0.99).as_secs_f64() * 1e3,
            pct(&hop, 0.99).as_secs_f64() * 1e3,
        );
        f.stop_all().await;
        std::fs::remove_dir_all(&root).ok();
    });
}
