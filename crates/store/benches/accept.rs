//! Durable accept rate: 64 KiB messages from 64 concurrent writer threads.
//!
//! `cargo bench -p lienthong-store --bench accept`. Environment: `LIENTHONG_BENCH_N` (messages,
//! default 20000), `LIENTHONG_BENCH_THREADS` (64), `LIENTHONG_BENCH_SIZE` (65536 bytes),
//! `LIENTHONG_BENCH_DIR` (parent of the temporary store, default the system temp dir).

#![allow(clippy::expect_used)]

use lienthong_store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lienthong_store::{AcceptRequest, KvStore, MessageKind, Origin, StoreConfig, Timestamp};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env("LIENTHONG_BENCH_N", 20_000);
    let threads = env("LIENTHONG_BENCH_THREADS", 64);
    let size = env("LIENTHONG_BENCH_SIZE", 64 * 1024) as usize;
    let parent = std::env::var("LIENTHONG_BENCH_DIR")
        .unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let dir = tempfile::tempdir_in(parent).expect("temp dir");
    let store = Arc::new(
        KvStore::open_at(dir.path(), StoreConfig::default(), Timestamp::now_utc()).expect("open"),
    );
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (store, next) = (store.clone(), next.clone());
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                let mut body = vec![0u8; size];
                for (i, b) in body.iter_mut().enumerate() {
                    *b = (i as u8) ^ (t as u8);
                }
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    body[..8].copy_from_slice(&i.to_le_bytes());
                    let req = AcceptRequest {
                        sender: "000.00.00.H50".into(),
                        kind: MessageKind::Edoc,
                        bytes: body.clone(),
                        document_id: None,
                        business: None,
                        recipients: vec!["000.00.00.G22".into()],
                        origin: Origin::Local,
                        status: None,
                        signature: None,
                        facts: None,
                    };
                    let t0 = Instant::now();
                    store.accept(&req, Timestamp::now_utc()).expect("accept");
                    lat.push(t0.elapsed().as_micros() as u64);
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    let secs = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "accept: {n} x {size} B, {threads} threads: {:.0} msg/s ({:.1} MiB/s), {secs:.2} s, \
         {} group flushes ({:.1} writers/flush), latency p50 {} us p99 {} us max {} us",
        n as f64 / secs,
        n as f64 * size as f64 / secs / 1048576.0,
        store.flush_count(),
        n as f64 / store.flush_count().max(1) as f64,
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(0),
    );
}
