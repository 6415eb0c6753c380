//! Soak under attack: a three-gateway federation on loopback (gw-g22 with gw-h50 and gw-h48
//! below it) carries an honest load, first alone and then with every attack of issue 15 at
//! once, in the same run:
//!
//! * idle HTTP/2 connections without a certificate, as many as can be opened;
//! * TCP connections that never start TLS (stalled handshakes);
//! * one DMS declaring big bodies on several connections and trickling them;
//! * one DMS submitting node bombs (4 MB of empty elements);
//! * a neighbouring gateway replaying a relayed document under new message ids;
//! * ambiguous documents (two senders);
//! * a document signer's certificate used as a client.
//!
//! It reports the honest throughput and p99 latency of both phases, checks that every
//! honest document reached its inbox (nothing lost), and exits 1 if the throughput under
//! attack falls below 70 % of the quiet one.
//!
//! `bash benches/soak.sh` (= `cargo bench -p lienthong-gateway --bench soak`); env
//! `LIENTHONG_SOAK_SECS` (each phase, default 60; at most 240, so a run stays within 10
//! minutes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::*;

/// Honest senders per direction.
const SENDERS: usize = 8;

fn node(id: &str, parent: Option<&str>, agencies: &[&str]) -> NodeSpec {
    NodeSpec {
        id: id.into(),
        parent: parent.map(Into::into),
        agencies: agencies
            .iter()
            .map(|a| ((*a).to_owned(), format!("Cơ quan {a}")))
            .collect(),
    }
}

/// What the attacks did, counted by outcome.
#[derive(Default)]
struct Tally {
    flood_open: AtomicU64,
    stalled: AtomicU64,
    hoard_refused: AtomicU64,
    bombs_refused: AtomicU64,
    replays_refused: AtomicU64,
    ambiguous_refused: AtomicU64,
    signer_refused: AtomicU64,
    unexpected: AtomicU64,
    first_unexpected: std::sync::Mutex<Vec<String>>,
}

impl Tally {
    fn unexpected(&self, what: String) {
        self.unexpected.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut v) = self.first_unexpected.lock()
            && v.len() < 5
        {
            v.push(what.chars().take(300).collect());
        }
    }
}

struct Phase {
    sent: u64,
    secs: f64,
    p50: Duration,
    p99: Duration,
}

/// The honest load for `secs`: SENDERS clients each way between gw-h50 and gw-h48.
async fn honest_load(f: &Federation, secs: u64, first: usize, payload: &str) -> Phase {
    let stop = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for dir in 0..2 {
        let (gw, from, to) = if dir == 0 {
            ("gw-h50", "000.00.11.H50", "000.00.11.H48")
        } else {
            ("gw-h48", "000.00.11.H48", "000.00.11.H50")
        };
        for s in 0..SENDERS {
            let c = f.client(gw, Some(&format!("dms/{from}"))).unwrap();
            let payload = payload.to_owned();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut n = first + (dir * SENDERS + s) * 1_000_000;
                while Instant::now() < stop {
                    let body = signed_doc(from, to, n, &payload);
                    n += 1;
                    let t = Instant::now();
                    let r = c.submit(body).await.unwrap();
                    assert_eq!(
                        r.status.as_u16(),
                        202,
                        "{}",
                        String::from_utf8_lossy(&r.body)
                    );
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
    }
    let started = Instant::now();
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort();
    Phase {
        sent: lat.len() as u64,
        secs,
        p50: pct(&lat, 0.5),
        p99: pct(&lat, 0.99),
    }
}

/// Documents received from other agencies by `agency` at gateway `gw` (its counters).
fn received(f: &Federation, gw: &str, agency: &str) -> u64 {
    let g = f.running(gw).unwrap();
    g.state
        .store
        .agency_activity()
        .unwrap()
        .into_iter()
        .find(|a| a.agency == agency)
        .map_or(0, |a| a.received_documents)
}

/// The attackers' own address on loopback (127.0.0.66), so that the caps per address fall
/// on them and not on the honest clients and gateways (127.0.0.1), as they would on a real
/// network.
async fn connect_from_attacker(to: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, 66], 0)))?;
    socket.connect(to).await
}

async fn raw_tls(
    f: &Federation,
    gw: &str,
    identity: Option<&str>,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in lienthong_gateway::tls::load_certs(&certs().join("ca.pem")).unwrap() {
        roots.add(c).unwrap();
    }
    let b = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    let cfg = match identity {
        None => b.with_no_client_auth(),
        Some(id) => b
            .with_client_auth_cert(
                lienthong_gateway::tls::load_certs(&certs().join(format!("{id}.pem"))).unwrap(),
                lienthong_gateway::tls::load_key(&certs().join(format!("{id}.key"))).unwrap(),
            )
            .unwrap(),
    };
    let tcp = connect_from_attacker(f.nodes[gw].addr).await?;
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(name, tcp)
        .await
}

/// Every attack, until `stop`.
fn attacks(
    f: &Arc<Federation>,
    stop: &Arc<AtomicBool>,
    tally: &Arc<Tally>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    // Idle HTTP/2 connections without a certificate, reopened as they are closed.
    for _ in 0..4 {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut held = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(mut c) = raw_tls(&f, "gw-h50", None).await {
                    let _ = c
                        .write_all(
                            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00",
                        )
                        .await;
                    tally.flood_open.fetch_add(1, Ordering::Relaxed);
                    held.push(c);
                    if held.len() > 64 {
                        held.remove(0);
                    }
                }
                // Ten connections a second per task, forty in all.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    // Connections that never start TLS.
    {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut held = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(c) = connect_from_attacker(f.nodes["gw-h48"].addr).await {
                    tally.stalled.fetch_add(1, Ordering::Relaxed);
                    held.push(c);
                    if held.len() > 200 {
                        held.remove(0);
                    }
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }));
    }
    // One DMS hoarding the body budget: big declared bodies, trickled.
    for _ in 0..6 {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut c) = raw_tls(&f, "gw-h48", Some("dms/000.00.09.H48")).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let head =
                    "POST /v1/documents HTTP/1.1\r\nhost: gw\r\ncontent-length: 15000000\r\n\r\n";
                if c.write_all(head.as_bytes()).await.is_err() {
                    continue;
                }
                let mut buf = vec![0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    match tokio::time::timeout(Duration::from_millis(5), c.read(&mut buf)).await {
                        Ok(Ok(n)) if n > 0 => {
                            if String::from_utf8_lossy(&buf[..n]).contains("server.busy") {
                                tally.hoard_refused.fetch_add(1, Ordering::Relaxed);
                            }
                            break;
                        }
                        Ok(_) => break,
                        Err(_) => {}
                    }
                    if c.write_all(&[b' '; 1000]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
            }
        }));
    }
    // Node bombs.
    {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let real =
                String::from_utf8(signed_doc("000.00.09.H48", "000.00.00.H48", 1, "QUJD")).unwrap();
            let at = real.find("</edXML:edXMLEnvelope>").unwrap();
            let bomb = format!("{}{}{}", &real[..at], "<x/>".repeat(1_000_000), &real[at..]);
            let c = f.client("gw-h48", Some("dms/000.00.09.H48")).unwrap();
            while !stop.load(Ordering::Relaxed) {
                match c.submit(bomb.clone().into_bytes()).await {
                    // Refused for what it is, or (the same DMS hoards its body share) busy.
                    Ok(r)
                        if r.error_code().as_deref() == Some("document.unreadable")
                            || r.status.as_u16() == 503
                            || r.status.as_u16() == 429 =>
                    {
                        tally.bombs_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    // The caps close the connection of a client that holds too much.
                    Err(_) => {
                        tally.bombs_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    other => tally.unexpected(format!("bomb: {other:?}")),
                }
                // Five 4 MB bombs a second, from one DMS.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }
    // A neighbour replaying a relayed document under new ids.
    {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let doc = signed_doc("000.00.00.H48", "000.00.00.H50", 7, "QUJD");
            let sha = lienthong_store::Sha256::digest(&doc).to_hex();
            let peer = f.client("gw-h50", Some("gateways/gw-g22")).unwrap();
            let mut t = 1_795_305_600_000u64;
            while !stop.load(Ordering::Relaxed) {
                t += 1;
                let id =
                    lienthong_store::MessageId::new_v7(lienthong_store::Timestamp::from_millis(t))
                        .to_string();
                let r = peer
                    .call_with_headers(
                        hyper::Method::POST,
                        "/v1/relay",
                        doc.clone(),
                        &[
                            ("lienthong-message-id", id.as_str()),
                            ("lienthong-sha256", sha.as_str()),
                            ("lienthong-recipients", "000.00.00.H50"),
                            ("lienthong-hops", "gw-h48,gw-g22"),
                        ],
                    )
                    .await;
                match r {
                    Ok(a) if a.error_code().as_deref() == Some("document.replayed") => {
                        tally.replays_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    // The first one is a relay like any other.
                    Ok(a) if a.status.as_u16() == 200 => {}
                    Ok(a) if a.status.as_u16() == 429 || a.status.as_u16() == 503 => {}
                    // A new connection refused by the caps (all of loopback is one address).
                    Err(_) => {}
                    other => tally.unexpected(format!("replay: {other:?}")),
                }
                // A hundred replays a second.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    // Ambiguous documents, and a signer's certificate as a client.
    {
        let (f, stop, tally) = (f.clone(), stop.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let dms = f.client("gw-h50", Some("dms/000.00.00.H50")).unwrap();
            let signer = f.client("gw-h50", Some("signers/000.00.00.H50")).unwrap();
            let doc =
                String::from_utf8(signed_doc("000.00.00.H50", "000.00.11.H50", 1, "QUJD")).unwrap();
            let a = doc.find("<edXML:From>").unwrap();
            let b = doc[a..].find("</edXML:From>").unwrap() + a + "</edXML:From>".len();
            let spoof = doc[a..b].replace("000.00.00.H50", "000.00.00.G22");
            let two = format!("{}{spoof}{}", &doc[..b], &doc[b..]).into_bytes();
            while !stop.load(Ordering::Relaxed) {
                match dms.submit(two.clone()).await {
                    Ok(r) if r.error_code().as_deref() == Some("document.ambiguous") => {
                        tally.ambiguous_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) if r.status.as_u16() == 429 || r.status.as_u16() == 503 => {}
                    Err(_) => {}
                    other => tally.unexpected(format!("ambiguous: {other:?}")),
                }
                // An unidentified certificate counts as anonymous: when the flood holds the
                // anonymous pool, its connection is closed at once, a refusal too.
                match signer.get("/v1/inbox").await {
                    Ok(r) if r.error_code().as_deref() == Some("auth.unidentified") => {
                        tally.signer_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        tally.signer_refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) if r.status.as_u16() == 429 || r.status.as_u16() == 503 => {}
                    other => tally.unexpected(format!("signer: {other:?}")),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tasks
}

fn main() {
    let secs: u64 = std::env::var("LIENTHONG_SOAK_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
        .clamp(5, 240);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let ok = rt.block_on(async move {
        let root = std::env::temp_dir().join(format!("lienthong-soak-{}", std::process::id()));
        let spec = FederationSpec {
            nodes: vec![
                node("gw-g22", None, &["000.00.00.G22"]),
                node("gw-h50", Some("gw-g22"), &["000.00.00.H50", "000.00.11.H50"]),
                node("gw-h48", Some("gw-g22"), &["000.00.00.H48", "000.00.11.H48", "000.00.09.H48"]),
            ],
            certs: certs(),
            root: root.clone(),
            policy: SignaturePolicy::Require,
            extra_toml: "\n[limits]\nper_peer_rate = 1000\nper_peer_burst = 2000\nmax_connections = 512\nmax_anonymous_connections = 32\nmax_body_bytes = 16000000\nmax_buffered_body_bytes = 128000000\nmax_buffered_body_bytes_per_identity = 32000000\nmin_bytes_per_second = 4000\nidle_timeout_ms = 5000\n".into(),
        };
        let f = Arc::new({
            let mut f = Federation::prepare(&spec).unwrap();
            f.start_all().await.unwrap();
            f
        });
        // About 16 KiB of base64: a signed document of about 18 KiB.
        let payload = payload_64k()[..16_000].to_owned();
        eprintln!("quiet phase: {secs} s of honest load…");
        let quiet = honest_load(&f, secs, 0, &payload).await;
        eprintln!("attack phase: the same load and every attack, {secs} s…");
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Tally::default());
        let attackers = attacks(&f, &stop, &tally);
        // Let the attacks take hold first.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let attacked = honest_load(&f, secs, 500_000, &payload).await;
        stop.store(true, Ordering::Relaxed);
        for a in attackers {
            a.abort();
        }
        // Nothing lost: every honest document reaches its inbox.
        let sent_each_way = |p: &Phase| p.sent;
        let expected = sent_each_way(&quiet) + sent_each_way(&attacked);
        let deadline = Instant::now() + Duration::from_secs(120);
        let delivered = loop {
            let d = received(&f, "gw-h48", "000.00.11.H48") + received(&f, "gw-h50", "000.00.11.H50");
            if d >= expected || Instant::now() > deadline {
                break d;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let rate = |p: &Phase| p.sent as f64 / p.secs;
        let ratio = rate(&attacked) / rate(&quiet);
        println!("machine: {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
        println!(
            "quiet:       {:>6} documents in {:.1} s = {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
            quiet.sent, quiet.secs, rate(&quiet), quiet.p50.as_secs_f64() * 1e3, quiet.p99.as_secs_f64() * 1e3
        );
        println!(
            "under attack: {:>6} documents in {:.1} s = {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
            attacked.sent, attacked.secs, rate(&attacked), attacked.p50.as_secs_f64() * 1e3, attacked.p99.as_secs_f64() * 1e3
        );
        println!("honest throughput under attack: {:.0} % of quiet (at least 70 % required)", ratio * 100.0);
        println!("honest documents delivered: {delivered} of {expected}");
        let t = &tally;
        println!(
            "attacks: {} anonymous h2 connections opened, {} stalled TCP connections, {} hoarded bodies refused, {} node bombs refused, {} replays refused, {} ambiguous documents refused, {} signer logins refused, {} unexpected answers",
            t.flood_open.load(Ordering::Relaxed),
            t.stalled.load(Ordering::Relaxed),
            t.hoard_refused.load(Ordering::Relaxed),
            t.bombs_refused.load(Ordering::Relaxed),
            t.replays_refused.load(Ordering::Relaxed),
            t.ambiguous_refused.load(Ordering::Relaxed),
            t.signer_refused.load(Ordering::Relaxed),
            t.unexpected.load(Ordering::Relaxed),
        );
        if delivered < expected {
            for gw in ["gw-h50", "gw-g22", "gw-h48"] {
                let g = f.running(gw).unwrap();
                let st = g.state.store.queue_stats(g.state.clock.now()).unwrap();
                println!("  {gw}: states {:?}", st.states);
                for h in &st.hops {
                    println!(
                        "  {gw} -> {}: depth {}, in flight {}, oldest {} ms, link {:?}",
                        h.hop,
                        h.depth,
                        h.in_flight,
                        h.oldest_age_ms,
                        g.state.links.all().into_iter().find(|(n, _)| *n == h.hop).map(|(_, l)| l)
                    );
                }
            }
        }
        if let Ok(v) = t.first_unexpected.lock() {
            for u in v.iter() {
                println!("  unexpected: {u}");
            }
        }
        let ok = ratio >= 0.7 && delivered == expected && t.unexpected.load(Ordering::Relaxed) == 0;
        if let Ok(f) = Arc::try_unwrap(f) {
            let mut f = f;
            f.stop_all().await;
        }
        let _ = std::fs::remove_dir_all(&root);
        ok
    });
    if !ok {
        eprintln!("soak FAILED");
        std::process::exit(1);
    }
}
