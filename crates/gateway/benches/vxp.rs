//! The VXP path against the mTLS path, in the same run: signed 64 KiB documents sent by 64
//! clients at once, as `sendEdoc` the way the national axis's SDK sends it (HTTP/1.1, the
//! signed headers, the file and CRLF with its hash-file; plain HTTP on loopback, as
//! deploy/federation serves it) and as `POST /v1/documents` over mutual TLS (HTTP/1.1
//! keep-alive, as a DMS would). Batches alternate between the two paths, so that the
//! machine's noise falls on both; the figure is the ratio of their rates.
//!
//! `cargo bench -p lienthong-gateway --bench vxp` (env: LIENTHONG_BENCH_DOCS, documents per
//! batch, default 1500; LIENTHONG_BENCH_ROUNDS, batch pairs, default 4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lienthong_gateway::federation::Federation;
use lienthong_gateway::vxp::client::{Prepared, Roots, VxpClient};

mod common;
use common::*;

const CONNS: usize = 64;

/// A batch of signed documents.
type Docs = Arc<Vec<Vec<u8>>>;
/// The same as prepared `sendEdoc` requests.
type Requests = Arc<Vec<Prepared>>;
const SECRET: &str = "bench-secret-0123456789abcdef";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Send `bodies` with `CONNS` tasks, each calling `send` on its own client; the rate and
/// the sorted latencies.
async fn batch<C, T, F, Fut>(
    clients: &[Arc<C>],
    bodies: Arc<Vec<T>>,
    send: F,
) -> (f64, Vec<Duration>)
where
    C: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    F: Fn(Arc<C>, T) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in clients {
        let (c, bodies, next) = (c.clone(), bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() {
                    break;
                }
                let t = Instant::now();
                send(c.clone(), bodies[i].clone()).await;
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let rate = bodies.len() as f64 / started.elapsed().as_secs_f64();
    lat.sort();
    (rate, lat)
}

fn main() {
    let docs = env("LIENTHONG_BENCH_DOCS", 1500);
    let rounds = env("LIENTHONG_BENCH_ROUNDS", 4);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let root = std::env::temp_dir().join(format!("lienthong-bench-vxp-{}", std::process::id()));
        let spec = pair_spec(root.clone());
        let mut f = Federation::prepare(&spec).unwrap();
        f.add_vxp("gw-h50", &[("vxp.bench", SECRET, &["000.00.11.H50"], "require")]).unwrap();
        f.start_all().await.unwrap();
        let vxp_addr = f.running("gw-h50").unwrap().vxp.as_ref().unwrap().addr;

        let payload = payload_64k();
        eprintln!("signing {} documents…", docs * rounds * 2);
        let mut n = 0;
        let mut make = || {
            let v: Vec<Vec<u8>> = (0..docs)
                .map(|_| {
                    n += 1;
                    signed_doc("000.00.11.H50", "000.00.00.H50", n, &payload)
                })
                .collect();
            Arc::new(v)
        };
        let batches: Vec<(Docs, Docs)> = (0..rounds).map(|_| (make(), make())).collect();
        let size = batches[0].0[0].len();
        // The SDK's work (hash-file, the signed headers) is the client's, done on the DMS's
        // machine: prepared before the clock starts, as the mTLS documents are signed before.
        let vxp_send = VxpClient::new(&format!("http://{vxp_addr}"), "vxp.bench", SECRET.as_bytes(), "05122026T133941+0937", Roots::empty()).unwrap();
        let batches: Vec<(Docs, Requests, Docs, Requests)> = batches
            .into_iter()
            .map(|(a, b)| {
                let prep = |docs: &Arc<Vec<Vec<u8>>>| {
                    Arc::new(
                        docs.iter()
                            .map(|d| {
                                vxp_send.prepare(
                                    lienthong_vxp::Operation::SendEdoc,
                                    &[("from", "000.00.11.H50"), ("servicetype", "eDoc"), ("messagetype", "edoc")],
                                    Some(d),
                                )
                            })
                            .collect::<Vec<_>>(),
                    )
                };
                let (pa, pb) = (prep(&a), prep(&b));
                (a, pa, b, pb)
            })
            .collect();
        let mtls: Vec<Arc<lienthong_gateway::ApiClient>> = (0..CONNS)
            .map(|_| Arc::new(f.client_http1("gw-h50", Some("dms/000.00.11.H50")).unwrap()))
            .collect();
        let vxp: Vec<Arc<VxpClient>> = (0..CONNS)
            .map(|_| {
                Arc::new(
                    VxpClient::new(&format!("http://{vxp_addr}"), "vxp.bench", SECRET.as_bytes(), "05122026T133941+0937", Roots::empty())
                        .unwrap(),
                )
            })
            .collect();
        // Warm both.
        for c in &mtls {
            assert_eq!(c.get("/v1/agencies").await.unwrap().status, 200);
        }
        for c in &vxp {
            assert!(c.call(lienthong_vxp::Operation::CountReceiveEdoc, &[], None).await.unwrap().ok());
        }
        println!("machine: {} cores; documents of {size} bytes, {docs} per batch, {CONNS} clients, HTTP/1.1 keep-alive", std::thread::available_parallelism().map_or(0, |n| n.get()));
        let mut ratios = Vec::new();
        for (round, (a, pa, b, pb)) in batches.into_iter().enumerate() {
            // Alternate which path goes first.
            let (m, v) = if round % 2 == 0 {
                drop(pa);
                let m = batch(&mtls, a, |c, body| async move {
                    let r = c.submit(body).await.unwrap();
                    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
                }).await;
                let v = batch(&vxp, pb, |c, p: Prepared| async move {
                    let r = c.send(&p).await.unwrap();
                    assert!(r.ok(), "{}", String::from_utf8_lossy(&r.body));
                }).await;
                drop(b);
                (m, v)
            } else {
                let v = batch(&vxp, pa, |c, p: Prepared| async move {
                    let r = c.send(&p).await.unwrap();
                    assert!(r.ok(), "{}", String::from_utf8_lossy(&r.body));
                }).await;
                drop(a);
                let m = batch(&mtls, b, |c, body| async move {
                    let r = c.submit(body).await.unwrap();
                    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
                }).await;
                drop(pb);
                (m, v)
            };
            let ratio = v.0 / m.0;
            ratios.push(ratio);
            println!(
                "round {}: mTLS POST /v1/documents {:.0}/s (p50 {:.1} ms, p99 {:.1} ms); VXP sendEdoc {:.0}/s (p50 {:.1} ms, p99 {:.1} ms); VXP/mTLS {:.0} %",
                round + 1,
                m.0,
                pct(&m.1, 0.5).as_secs_f64() * 1e3,
                pct(&m.1, 0.99).as_secs_f64() * 1e3,
                v.0,
                pct(&v.1, 0.5).as_secs_f64() * 1e3,
                pct(&v.1, 0.99).as_secs_f64() * 1e3,
                ratio * 100.0
            );
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        println!("VXP sendEdoc rate / mTLS POST /v1/documents rate, median of {} rounds: {:.0} % (at least 90 % required)", ratios.len(), median * 100.0);
        f.stop_all().await;
        std::fs::remove_dir_all(&root).ok();
    });
}
