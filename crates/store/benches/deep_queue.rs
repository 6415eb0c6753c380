//! Deep queue: accept rate on an empty store vs. with a deep queue, reopen time with the deep
//! queue, and peak RSS.
//!
//! `cargo bench -p lienthong-store --bench deep_queue`. Environment: `LIENTHONG_BENCH_DEPTH`
//! (queued messages, default 100000; the acceptance figure uses 1000000), `LIENTHONG_BENCH_N`
//! (messages per rate measurement, default 20000), `LIENTHONG_BENCH_THREADS` (64),
//! `LIENTHONG_BENCH_SIZE` (bytes per message, default 1024), `LIENTHONG_BENCH_DIR`,
//! `LIENTHONG_BENCH_CACHE_MIB` (sled's page cache; default the store's, 256),
//! `LIENTHONG_BENCH_BACKUP=1` (then also: an online backup of the deep store while
//! `LIENTHONG_BENCH_THREADS` writers keep accepting, and their rate meanwhile),
//! `LIENTHONG_BENCH_PG_URL` (the store on this PostgreSQL database, which must be empty,
//! instead of sled in a folder; each rate is then measured right after a `CHECKPOINT`, so
//! that both start at the same point of PostgreSQL's checkpoint cycle).

#![allow(clippy::expect_used)]

use lienthong_store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lienthong_store::{
    AcceptRequest, KvStore, MessageKind, Origin, PgOptions, StoreConfig, Timestamp, VerifyLevel,
};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// A local submission of `body` from the national office to `recipient`.
fn request(body: &[u8], recipient: &str) -> AcceptRequest {
    AcceptRequest {
        sender: "000.00.00.G22".into(),
        kind: MessageKind::Edoc,
        bytes: body.to_vec(),
        document_id: None,
        business: None,
        recipients: vec![recipient.to_owned()],
        origin: Origin::Local,
        status: None,
        signature: None,
        facts: None,
    }
}

/// Accept (and, with `queue`, enqueue) `count` messages numbered from `first`, from `threads`
/// threads; returns messages per second.
fn fill(
    store: &Arc<KvStore>,
    first: u64,
    count: u64,
    threads: u64,
    size: usize,
    queue: bool,
) -> f64 {
    let next = Arc::new(AtomicU64::new(first));
    let end = first + count;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, next) = (store.clone(), next.clone());
            std::thread::spawn(move || {
                let hops = ["gw-parent", "gw-child-1", "gw-child-2"];
                let mut body = vec![b'x'; size];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    body[..8].copy_from_slice(&i.to_le_bytes());
                    let recipient = format!("000.00.{:02}.H50", i % 97);
                    let req = request(&body, &recipient);
                    let now = Timestamp::now_utc();
                    let a = store.accept(&req, now).expect("accept");
                    if !queue {
                        continue;
                    }
                    // Due in an hour: the queue stays deep.
                    store
                        .enqueue(
                            a.id,
                            hops[(i % 3) as usize],
                            &[recipient],
                            now.plus_millis(3_600_000),
                            now,
                        )
                        .expect("enqueue");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// PostgreSQL: write everything to the data files now (`psql … -c CHECKPOINT`).
fn checkpoint(pg: Option<&PgOptions>) {
    let Some(o) = pg else { return };
    let psql = lienthong_testkit::postgres::pg_bin()
        .expect("PostgreSQL's programs")
        .join("psql");
    let t = Instant::now();
    let ok = std::process::Command::new(psql)
        .args([o.url.as_str(), "-qc", "CHECKPOINT"])
        .status()
        .expect("psql")
        .success();
    assert!(ok, "CHECKPOINT failed");
    println!(
        "deep_queue: CHECKPOINT took {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let depth = env("LIENTHONG_BENCH_DEPTH", 100_000);
    let n = env("LIENTHONG_BENCH_N", 20_000);
    let threads = env("LIENTHONG_BENCH_THREADS", 64);
    let size = env("LIENTHONG_BENCH_SIZE", 1024) as usize;
    // sled's page cache (the store's `cache_capacity_bytes`), MiB; default the store's default.
    let cache = match env("LIENTHONG_BENCH_CACHE_MIB", 0) {
        0 => StoreConfig::default().cache_capacity_bytes,
        mib => mib * 1024 * 1024,
    };
    let config = || StoreConfig {
        cache_capacity_bytes: cache,
        ..StoreConfig::default()
    };
    let parent = std::env::var("LIENTHONG_BENCH_DIR")
        .unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let dir = tempfile::tempdir_in(parent).expect("temp dir");
    let pg = std::env::var("LIENTHONG_BENCH_PG_URL").ok().map(|url| {
        let mut o = PgOptions::new(url);
        o.pool_size = 64;
        o
    });
    let open = |config: StoreConfig| match &pg {
        Some(o) => KvStore::open_postgres(o, config),
        None => KvStore::open_at(dir.path(), config, Timestamp::now_utc()),
    };
    let engine = if pg.is_some() { "PostgreSQL" } else { "sled" };
    println!("deep_queue: store on {engine}");
    let mut store = Arc::new(open(config()).expect("open"));

    // Warm-up (first files and directory blocks), not measured.
    let warm = 5_000.min(depth);
    fill(&store, 0, warm, threads, size, true);
    checkpoint(pg.as_ref());
    let empty_rate = fill(&store, 10 * depth + 1, n, threads, size, false);
    println!(
        "deep_queue: empty store: {empty_rate:.0} accepts/s ({n} x {size} B, {threads} threads)"
    );

    let t = Instant::now();
    let fill_rate = fill(&store, warm, depth - warm, threads, size, true);
    println!(
        "deep_queue: filled to {depth} queued in {:.1} s ({fill_rate:.0} accept+enqueue/s)",
        t.elapsed().as_secs_f64()
    );

    checkpoint(pg.as_ref());
    let deep_rate = fill(&store, 20 * depth + 1, n, threads, size, false);
    println!(
        "deep_queue: with {depth} queued: {deep_rate:.0} accepts/s = {:.0}% of empty",
        100.0 * deep_rate / empty_rate
    );
    let stats = store.queue_stats(Timestamp::now_utc()).expect("stats");
    let total: u64 = stats.hops.iter().map(|h| h.depth).sum();
    println!(
        "deep_queue: queue depth {total}, sled size on disk {:.0} MiB (0 on PostgreSQL)",
        store.metadata_size_on_disk().unwrap_or(0) as f64 / 1048576.0
    );
    let t = Instant::now();
    let _ = store
        .lease("gw-parent", Timestamp::now_utc(), 100, 1000)
        .expect("lease");
    println!("deep_queue: lease poll with nothing due: {:?}", t.elapsed());
    let hwm_before = vm_hwm_kib();

    drop(store);
    let t = Instant::now();
    let off = StoreConfig {
        verify_on_open: VerifyLevel::Off,
        ..config()
    };
    drop(open(off).expect("reopen"));
    println!(
        "deep_queue: reopen without blob check ({engine} recovery only): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    store = Arc::new(open(config()).expect("reopen"));
    let reopen = t.elapsed();
    // Serving again: the first accept after the reopen.
    let first = Instant::now();
    store
        .accept(
            &request(b"after the reopen", "000.00.01.H50"),
            Timestamp::now_utc(),
        )
        .expect("accept after reopen");
    println!(
        "deep_queue: reopened and the first accept done after {:.2} s (the accept {:.1} ms)",
        reopen.as_secs_f64() + first.elapsed().as_secs_f64(),
        first.elapsed().as_secs_f64() * 1e3
    );
    let stats = store.queue_stats(Timestamp::now_utc()).expect("stats");
    let total_after: u64 = stats.hops.iter().map(|h| h.depth).sum();
    println!(
        "deep_queue: reopen with {total_after} queued (blob presence check): {:.2} s",
        reopen.as_secs_f64()
    );
    println!(
        "deep_queue: peak RSS (VmHWM) {:.0} MiB (before reopen {:.0} MiB)",
        vm_hwm_kib() as f64 / 1024.0,
        hwm_before as f64 / 1024.0
    );
    if env("LIENTHONG_BENCH_BACKUP", 0) == 1 {
        backup_while_writing(&store, threads, size, 30 * depth + 1);
    }
}

/// An online backup of `store` while `threads` writers accept: how long it takes, how long
/// writes were held, and the accept rate meanwhile.
fn backup_while_writing(store: &Arc<KvStore>, threads: u64, size: usize, first: u64) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..threads)
        .map(|t| {
            let (store, stop, accepted) = (store.clone(), stop.clone(), accepted.clone());
            std::thread::spawn(move || {
                let mut body = vec![b'y'; size];
                let mut i = first + t * 1_000_000_000;
                while !stop.load(Ordering::Relaxed) {
                    body[..8].copy_from_slice(&i.to_le_bytes());
                    store
                        .accept(&request(&body, "000.00.01.H50"), Timestamp::now_utc())
                        .expect("accept");
                    accepted.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    let parent = store.dir().parent().map(std::path::Path::to_path_buf);
    let to = tempfile::tempdir_in(parent.unwrap_or_else(std::env::temp_dir)).expect("temp dir");
    let before = accepted.load(Ordering::Relaxed);
    let t = Instant::now();
    let r = store
        .backup(&to.path().join("backup"), Timestamp::now_utc())
        .expect("backup");
    let took = t.elapsed().as_secs_f64();
    let during = accepted.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("writer");
    }
    println!(
        "deep_queue: online backup: {} entries, {} replayed, {:.0} MiB of payload segments, \
         took {took:.1} s, writes held {} ms; {during} accepts meanwhile ({:.0}/s)",
        r.entries,
        r.replayed,
        r.segment_bytes as f64 / 1048576.0,
        r.paused_ms,
        during as f64 / took
    );
}
