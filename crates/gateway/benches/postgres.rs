//! The gateway on PostgreSQL, side by side in one run with what PostgreSQL itself does on
//! the same server (a throw-away cluster with durable commits: `fsync = on`,
//! `synchronous_commit = on`):
//!
//! 1. `pgbench`: 64 clients inserting 64 KiB rows (a prepared `INSERT` of a 64 KiB `bytea`,
//!    stored uncompressed as the store's payloads are), for `LIENTHONG_BENCH_SECONDS` (20);
//! 2. the gateway accepting signed 64 KiB documents over 64 mTLS connections
//!    (`LIENTHONG_BENCH_DOCS`, 4000) to a recipient homed there, its store on PostgreSQL,
//!    one node;
//! 3. the same with two nodes of the gateway on the same database, 32 connections each;
//! 4. the same on the embedded store (sled), for reference.
//!
//! Each round runs all four, `LIENTHONG_BENCH_ROUNDS` (2) rounds in turn, so that the
//! machine's drift falls on all alike; each gateway run gets a fresh database.
//!
//! Each run also reports the CPU it took per document (per row for pgbench), from
//! `/proc`: this process (the gateway nodes, gw-g22 and the clients) and everything else
//! (PostgreSQL; and pgbench itself in its run), and how much of the machine stayed idle.
//! On a machine where all of them share the cores, that bounds what any store could reach.
//!
//! With `LIENTHONG_BENCH_PG_DELAY_US=N`, pgbench and the gateway reach PostgreSQL through a
//! proxy in this process that holds every chunk N µs each way, as a database on another
//! machine would be (a round trip of 2N µs more).
//!
//! `cargo bench -p lienthong-gateway --bench postgres`.
//!
//! With `LIENTHONG_BENCH_RESTART_URL=postgres://…` instead: start gw-h50 on that database
//! (a deep one: `LIENTHONG_BENCH_PG_URL` of the store's `deep_queue` bench), and report how
//! long until `/readyz` answers 200 and the first document is accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use lienthong_gateway::ApiClient;
use lienthong_gateway::federation::Federation;
use lienthong_testkit::postgres::{BENCH_SETTINGS, PgCluster};

mod common;
use common::*;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The machine's CPU time so far, from `/proc` (in USER_HZ ticks, 100 per second).
#[derive(Clone, Copy)]
struct CpuTicks {
    total: u64,
    idle: u64,
    own: u64,
    cores: u64,
}

fn cpu_ticks() -> CpuTicks {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let first: Vec<u64> = stat
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().unwrap())
        .collect();
    let cores = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .count();
    let own = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &own[own.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after_name.split_whitespace().collect();
    CpuTicks {
        total: first.iter().sum(),
        idle: first[3] + first[4],
        own: f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap(),
        cores: cores as u64,
    }
}

/// CPU per unit of work over a run: this process, everything else, and the idle share.
#[derive(Clone, Copy, Default)]
struct CpuUse {
    own_ms: f64,
    rest_ms: f64,
    idle: f64,
}

impl CpuUse {
    fn between(a: CpuTicks, b: CpuTicks, units: usize) -> CpuUse {
        // /proc/stat counts every core's ticks: per core, a tick is 10 ms.
        let total = (b.total - a.total) as f64;
        let idle = (b.idle - a.idle) as f64;
        let own = (b.own - a.own) as f64;
        let n = units.max(1) as f64;
        CpuUse {
            own_ms: own * 10.0 / n,
            rest_ms: (total - idle - own).max(0.0) * 10.0 / n,
            idle: idle / total.max(1.0),
        }
    }

    /// Documents per second the machine could reach at this CPU per document with no core
    /// idle.
    fn ceiling(&self, cores: u64) -> f64 {
        cores as f64 * 1000.0 / (self.own_ms + self.rest_ms)
    }
}

/// A run's figures: documents/s, p50, p99, CPU.
struct Run {
    rate: f64,
    p50: Duration,
    p99: Duration,
    cpu: CpuUse,
}

/// Documents/s, p50, p99 and CPU of accepting `bodies` over `clients`.
async fn accept(clients: Vec<ApiClient>, bodies: Arc<Vec<Vec<u8>>>) -> Run {
    let n = bodies.len();
    let before = cpu_ticks();
    let (took, lat) = accept_all(clients, bodies).await;
    let after = cpu_ticks();
    Run {
        rate: n as f64 / took.as_secs_f64(),
        p50: pct(&lat, 0.5),
        p99: pct(&lat, 0.99),
        cpu: CpuUse::between(before, after, n),
    }
}

/// A TCP proxy on loopback to `port` that holds every chunk `delay` each way; its port.
async fn delay_proxy(port: u16, delay: Duration) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
                continue;
            };
            inbound.set_nodelay(true).ok();
            outbound.set_nodelay(true).ok();
            let (ri, wi) = inbound.into_split();
            let (ro, wo) = outbound.into_split();
            tokio::spawn(held(ri, wo, delay));
            tokio::spawn(held(ro, wi, delay));
        }
    });
    local
}

/// Copy `from` to `to`, each chunk written `delay` after it was read (in order).
async fn held(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at + delay).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx
                    .send((tokio::time::Instant::now(), buf[..n].to_vec()))
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// gw-g22 and gw-h50 prepared under `root`; gw-h50's store on `url` (sled if `None`).
fn prepare(root: &std::path::Path, url: Option<&str>) -> Federation {
    let f = Federation::prepare(&pair_spec(root.to_path_buf())).unwrap();
    if let Some(url) = url {
        let path = &f.nodes["gw-h50"].config_path;
        let text: String = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("data_dir = "))
            .collect::<Vec<_>>()
            .join("\n")
            + &format!("\n[store]\nengine = \"postgres\"\nurl = \"{url}\"\npool_size = 32\n");
        std::fs::write(path, text).unwrap();
    }
    f
}

/// gw-h50 (its store on `url`, sled if `None`) with gw-g22 beside it, on `nodes` nodes (1
/// or 2) sharing 64 connections alike: its accept rate, p50 and p99 for `bodies`.
async fn gateway_run(
    root: &std::path::Path,
    url: Option<&str>,
    nodes: usize,
    bodies: Arc<Vec<Vec<u8>>>,
) -> Run {
    let mut f = prepare(root, url);
    f.start_all().await.unwrap();
    let mut urls = vec![f.url("gw-h50").unwrap()];
    let mut second = None;
    if nodes == 2 {
        let (node2, url2) = second_node(&f).await;
        urls.push(url2);
        second = Some(node2);
    }
    let clients = (0..64).map(|i| client(&urls[i % urls.len()])).collect();
    let r = accept(clients, bodies).await;
    if let Some(node2) = second {
        node2.shutdown().await;
    }
    f.stop_all().await;
    r
}

/// A second node of gw-h50: its configuration with another listening address.
async fn second_node(f: &Federation) -> (lienthong_gateway::RunningGateway, String) {
    let path = &f.nodes["gw-h50"].config_path;
    let addr = f.nodes["gw-h50"].addr;
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace(&format!("addr = \"{addr}\""), &format!("addr = \"{free}\""));
    let p2 = path.with_file_name("node2.toml");
    std::fs::write(&p2, text).unwrap();
    let v = lienthong_gateway::Config::load(&p2).unwrap();
    let g = lienthong_gateway::start(v).await.unwrap();
    (g, format!("https://{free}"))
}

/// A client of the gateway at `url` with the certificate `CERTS/<identity>.pem`.
fn client_as(url: &str, identity: &str) -> ApiClient {
    let c = certs();
    ApiClient::new(
        url,
        &[c.join("ca.pem").as_path()],
        Some((
            c.join(format!("{identity}.pem")).as_path(),
            c.join(format!("{identity}.key")).as_path(),
        )),
    )
    .unwrap()
}

/// The sending DMS's client.
fn client(url: &str) -> ApiClient {
    client_as(url, "dms/000.00.11.H50")
}

/// pgbench's transactions per second (64 clients, each inserting 64 KiB rows) through
/// `port`, and the CPU per row.
fn pgbench(
    cluster: &PgCluster,
    port: u16,
    db: &str,
    script: &std::path::Path,
    seconds: u64,
) -> (f64, CpuUse) {
    let before = cpu_ticks();
    let out = std::process::Command::new(cluster.bin().join("pgbench"))
        .args(["-n", "-M", "prepared", "-c", "64", "-j", "2"])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(script)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-U", "lienthong", db])
        .output()
        .unwrap();
    let after = cpu_ticks();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "pgbench: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tps: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no tps in: {text}"));
    let rows = (tps * seconds as f64) as usize;
    (tps, CpuUse::between(before, after, rows))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if let Ok(url) = std::env::var("LIENTHONG_BENCH_RESTART_URL") {
        restart(&url);
        return;
    }
    let rounds = env("LIENTHONG_BENCH_ROUNDS", 2);
    let docs = env("LIENTHONG_BENCH_DOCS", 4000) as usize;
    let seconds = env("LIENTHONG_BENCH_SECONDS", 20);
    let cluster = PgCluster::start_with(BENCH_SETTINGS);
    let work = std::env::temp_dir().join(format!("lienthong-bench-pg-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();

    // pgbench's table and script: one 64 KiB row per transaction.
    cluster.sql("postgres", "CREATE DATABASE pgbench64k");
    cluster.sql(
        "pgbench64k",
        "CREATE TABLE rows64k (id bigserial PRIMARY KEY, data bytea NOT NULL); \
         ALTER TABLE rows64k ALTER COLUMN data SET STORAGE EXTERNAL",
    );
    let hex: String = (0..65536u32)
        .map(|i| format!("{:02x}", (i.wrapping_mul(2_654_435_761) >> 13) as u8))
        .collect();
    let script = work.join("insert64k.sql");
    std::fs::write(
        &script,
        format!("INSERT INTO rows64k (data) VALUES ('\\x{hex}'::bytea);\n"),
    )
    .unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let payload = payload_64k();
    eprintln!("signing {docs} documents…");
    let bodies: Vec<Vec<u8>> = (0..docs)
        .map(|n| signed_doc("000.00.11.H50", "000.00.00.H50", n, &payload))
        .collect();
    let size = bodies[0].len();
    let bodies = Arc::new(bodies);
    let delay = Duration::from_micros(env("LIENTHONG_BENCH_PG_DELAY_US", 0));
    let port = match delay.is_zero() {
        true => cluster.port(),
        false => rt.block_on(delay_proxy(cluster.port(), delay)),
    };
    let through = |url: String| url.replace(&format!(":{}/", cluster.port()), &format!(":{port}/"));
    if !delay.is_zero() {
        println!(
            "PostgreSQL reached through a proxy holding each chunk {} µs each way",
            delay.as_micros()
        );
    }
    let cores = cpu_ticks().cores;
    let show = |what: &str, r: &Run| {
        println!(
            "  {what}: {:.0} documents/s (p50 {:.1} ms, p99 {:.1} ms); CPU per document: \
             this process {:.2} ms, PostgreSQL {:.2} ms, {:.0} % idle (at full CPU: {:.0}/s)",
            r.rate,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.cpu.own_ms,
            r.cpu.rest_ms,
            r.cpu.idle * 100.0,
            r.cpu.ceiling(cores),
        );
    };
    let mut rows = Vec::new();
    for round in 0..rounds {
        println!("round {round}:");
        let (tps, pg_cpu) = pgbench(&cluster, port, "pgbench64k", &script, seconds);
        println!(
            "  pgbench, 64 clients inserting 64 KiB rows: {tps:.0} rows/s; CPU per row \
             (PostgreSQL and pgbench) {:.2} ms, {:.0} % idle",
            pg_cpu.rest_ms + pg_cpu.own_ms,
            pg_cpu.idle * 100.0
        );
        let one = rt.block_on(gateway_run(
            &work.join(format!("pg1-{round}")),
            Some(&through(cluster.database())),
            1,
            bodies.clone(),
        ));
        show("gateway on PostgreSQL, one node", &one);
        let two = rt.block_on(gateway_run(
            &work.join(format!("pg2-{round}")),
            Some(&through(cluster.database())),
            2,
            bodies.clone(),
        ));
        show("gateway on PostgreSQL, two nodes", &two);
        let sled = rt.block_on(gateway_run(
            &work.join(format!("sled-{round}")),
            None,
            1,
            bodies.clone(),
        ));
        show("gateway on sled (reference)", &sled);
        rows.push((tps, one, two, sled));
    }
    println!(
        "\nsummary ({docs} documents of {size} bytes; pgbench {seconds} s per round; {cores} cores):"
    );
    println!(
        "round | pgbench rows/s | PostgreSQL, 1 node | 2 nodes | sled | 1 node / pgbench | 2 nodes / 1 node | 1 node CPU/doc: gateway + PostgreSQL (ms) | idle"
    );
    for (i, (tps, one, two, sled)) in rows.iter().enumerate() {
        println!(
            "{i} | {tps:.0} | {:.0} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} + {:.2} | {:.0} %",
            one.rate,
            two.rate,
            sled.rate,
            one.rate / tps,
            two.rate / one.rate,
            one.cpu.own_ms,
            one.cpu.rest_ms,
            one.cpu.idle * 100.0
        );
    }
    std::fs::remove_dir_all(&work).ok();
}

/// A node starting on the database at `url`: the time to ready and to its first accept.
fn restart(url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let work = std::env::temp_dir().join(format!("lienthong-bench-restart-{}", std::process::id()));
    let f = prepare(&work, Some(url));
    let path = f.nodes["gw-h50"].config_path.clone();
    let addr = f.nodes["gw-h50"].addr;
    drop(f);
    // A number of its own per run: the database keeps the documents of earlier runs.
    let n = usize::try_from(std::process::id()).unwrap_or(0) + 10_000_000;
    let body = signed_doc("000.00.11.H50", "000.00.00.H50", n, &payload_64k());
    rt.block_on(async {
        let started = Instant::now();
        let v = lienthong_gateway::Config::load(&path).unwrap();
        let g = lienthong_gateway::start(v).await.unwrap();
        let url = format!("https://{addr}");
        let c = client(&url);
        loop {
            if c.get("/readyz").await.is_ok_and(|a| a.status == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ready = started.elapsed();
        let a = c.submit(body).await.unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
        let served = started.elapsed();
        let q = client_as(&url, "operator/ops")
            .get("/v1/queues")
            .await
            .unwrap()
            .json();
        println!(
            "restart on {}: ready after {:.2} s, first document accepted after {:.2} s; queues: {}",
            url,
            ready.as_secs_f64(),
            served.as_secs_f64(),
            q
        );
        g.shutdown().await;
    });
    std::fs::remove_dir_all(&work).ok();
}
