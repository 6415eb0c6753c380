//! End to end with real `lienthong serve` processes across the four levels of the demo
//! federation (national, two provinces, a district, a commune):
//!
//! * many documents with mixed recipients reach every recipient exactly once,
//!   byte-identical, with every hop's receipt verified offline;
//! * chaos: the same while a random gateway is SIGKILLed every few seconds and restarted;
//! * partition: a mid-level gateway stops for a while; queues build, nothing is lost, and
//!   delivery completes when it returns.
//!
//! Sizes: `LIENTHONG_E2E_DOCS` (default 2000), `LIENTHONG_CHAOS_DOCS` (default 300),
//! `LIENTHONG_CHAOS_SECONDS` between kills (default 2). The long runs are documented in
//! docs/PERFORMANCE.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lienthong_gateway::ApiClient;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_testkit::federation::{AGENCIES, agency};
use support::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Gateways as child processes.
struct Procs {
    fed: Federation,
    children: HashMap<String, Child>,
    logs: PathBuf,
}

impl Procs {
    async fn start(tag: &str) -> Procs {
        let root = tempdir(tag);
        let spec = FederationSpec {
            nodes: nodes(None),
            certs: certs(),
            root: root.clone(),
            policy: SignaturePolicy::Require,
            extra_toml: format!(
                "{FAST_RETRY}\n[limits]\nper_peer_rate = 100000\nper_peer_burst = 100000\n"
            ),
        };
        let mut fed = Federation::prepare(&spec).unwrap();
        fed.release_ports();
        let mut p = Procs {
            fed,
            children: HashMap::new(),
            logs: root,
        };
        let ids: Vec<String> = p.fed.nodes.keys().cloned().collect();
        for id in &ids {
            p.spawn(id);
        }
        for id in &ids {
            p.wait_ready(id).await;
        }
        p
    }

    fn spawn(&mut self, id: &str) {
        let node = &self.fed.nodes[id];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.logs.join(format!("{id}.log")))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_lienthong"))
            .args(["serve", "--log-format", "json", "--config"])
            .arg(&node.config_path)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children.insert(id.to_owned(), child);
    }

    async fn wait_ready(&self, id: &str) {
        let c = self.fed.client(id, None).unwrap();
        eventually(&format!("{id} ready"), Duration::from_secs(30), || async {
            c.get("/readyz")
                .await
                .ok()
                .filter(|a| a.status == 200)
                .map(|_| ())
        })
        .await;
    }

    /// SIGKILL.
    fn kill(&mut self, id: &str) {
        if let Some(mut c) = self.children.remove(id) {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGTERM, and wait for the process to end.
    fn stop(&mut self, id: &str) {
        if let Some(mut c) = self.children.remove(id) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            c.wait().unwrap();
        }
    }

    fn client(&self, gw: &str, identity: &str) -> ApiClient {
        self.fed.client(gw, Some(identity)).unwrap()
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        let ids: Vec<String> = self.children.keys().cloned().collect();
        for id in ids {
            self.kill(&id);
        }
    }
}

/// One document to send: sender, recipients, signed bytes.
struct Doc {
    from: &'static str,
    to: Vec<&'static str>,
    bytes: Vec<u8>,
}

fn documents(n: usize, seed: u64) -> Vec<Doc> {
    let codes: Vec<&'static str> = AGENCIES.iter().map(|a| a.code).collect();
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let from = codes[(next() % codes.len() as u64) as usize];
            let k = 1 + (next() % 3) as usize;
            let mut to: Vec<&'static str> = Vec::new();
            while to.len() < k {
                let c = codes[(next() % codes.len() as u64) as usize];
                if c != from && !to.contains(&c) {
                    to.push(c);
                }
            }
            let bytes = document(from, &to, 10_000 + i as u32);
            Doc { from, to, bytes }
        })
        .collect()
}

/// Submit until accepted (the gateway may be down for a moment; resubmitting the same
/// bytes is idempotent). Returns the message id.
async fn submit(p: &Arc<Mutex<Procs>>, doc: &Doc) -> String {
    let gw = agency(doc.from).unwrap().gateway;
    let client = p.lock().unwrap().client(gw, &format!("dms/{}", doc.from));
    let start = Instant::now();
    loop {
        match client.submit(doc.bytes.clone()).await {
            Ok(a) if a.status == 202 => return a.json()["id"].as_str().unwrap().to_owned(),
            Ok(a) if a.status.is_client_error() && a.status != 429 => {
                panic!("refused: {}", String::from_utf8_lossy(&a.body))
            }
            _ => {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "could not submit for 60 s"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Every recipient has every message meant for it exactly once, byte-identical, and every
/// link of every path has a receipt that verifies offline.
async fn check_all_delivered(p: &Arc<Mutex<Procs>>, sent: &[(String, &Doc)], limit: Duration) {
    let mut expected: BTreeMap<&str, HashMap<String, &Doc>> = BTreeMap::new();
    for (id, d) in sent {
        for r in &d.to {
            expected.entry(*r).or_default().insert(id.clone(), *d);
        }
    }
    for (agency_code, want) in &expected {
        let gw = agency(agency_code).unwrap().gateway;
        let c = p.lock().unwrap().client(gw, &format!("dms/{agency_code}"));
        let got: Vec<(String, String)> = eventually(
            &format!("all {} messages in {agency_code}'s inbox", want.len()),
            limit,
            || async {
                let mut all = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let q = match &after {
                        Some(a) => format!("/v1/inbox?limit=1000&after={a}"),
                        None => "/v1/inbox?limit=1000".to_owned(),
                    };
                    let a = c.get(&q).await.ok()?;
                    if a.status != 200 {
                        return None;
                    }
                    let j = a.json();
                    let items = j["items"].as_array()?.clone();
                    if items.is_empty() {
                        break;
                    }
                    for i in &items {
                        all.push((
                            i["id"].as_str()?.to_owned(),
                            i["sha256"].as_str()?.to_owned(),
                        ));
                    }
                    after = j["next"].as_str().map(str::to_owned);
                }
                (all.len() >= want.len()).then_some(all)
            },
        )
        .await;
        let ids: Vec<&String> = got.iter().map(|(i, _)| i).collect();
        let unique: HashSet<&String> = ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{agency_code} received a message twice"
        );
        assert_eq!(
            unique.len(),
            want.len(),
            "{agency_code} received unexpected messages"
        );
        for (id, sha) in &got {
            let d = want
                .get(id)
                .unwrap_or_else(|| panic!("{agency_code} got {id}, not meant for it"));
            assert_eq!(*sha, lienthong_store::Sha256::digest(&d.bytes).to_hex());
        }
        // Fetch a sample in full: the exact bytes.
        for (id, _) in got.iter().take(20) {
            let a = c.get(&format!("/v1/inbox/{id}")).await.unwrap();
            assert_eq!(
                a.body.as_ref(),
                want[id].bytes.as_slice(),
                "bytes changed on the way"
            );
        }
    }
    // Receipts: every link of every path, verified offline against the CA.
    let mut trust = lienthong_dsig::TrustStore::new();
    trust
        .add_roots_pem(&std::fs::read(certs().join("ca.pem")).unwrap())
        .unwrap();
    let policy = lienthong_dsig::Policy {
        trust: &trust,
        at: lienthong_dsig::unix_time(
            lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis() / 1000,
        ),
        expected_agency: None,
    };
    let dir = lienthong_routing::Directory::from_toml(
        &std::fs::read_to_string(p.lock().unwrap().logs.join("directory.toml")).unwrap(),
    )
    .unwrap();
    let mut links_checked = 0;
    let ops: HashMap<String, ApiClient> = {
        let g = p.lock().unwrap();
        g.fed
            .nodes
            .keys()
            .map(|id| (id.clone(), g.client(id, "operator/ops")))
            .collect()
    };
    // A hop's receipt is recorded when its answer comes back. An answer lost to a kill is
    // recovered by a resend once the link works again (probed up to 30 s apart), which may
    // come after the delivery it answers: wait until no queue holds anything.
    eventually("every queue drained", limit, || async {
        for c in ops.values() {
            let q = c.get("/v1/queues").await.ok()?.json();
            if q["queues"]["hops"]
                .as_array()?
                .iter()
                .any(|h| h["depth"].as_u64() != Some(0))
            {
                return None;
            }
        }
        Some(())
    })
    .await;
    for (id, d) in sent.iter().take(300) {
        let from_gw = lienthong_routing::GatewayId::parse(agency(d.from).unwrap().gateway).unwrap();
        let mut links = HashSet::new();
        for r in &d.to {
            let to_gw = lienthong_routing::GatewayId::parse(agency(r).unwrap().gateway).unwrap();
            for w in dir.path(&from_gw, &to_gw).unwrap().windows(2) {
                links.insert((w[0].to_string(), w[1].to_string()));
            }
        }
        for (here, next) in links {
            let t = ops[&here]
                .get(&format!("/v1/documents/{id}"))
                .await
                .unwrap()
                .json();
            let r = t["receipts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["hop"] == next.as_str())
                .unwrap_or_else(|| panic!("{here} has no receipt from {next} for {id}: {t:#}"));
            let (receipt, report) =
                lienthong_dsig::verify_receipt(r["xml"].as_str().unwrap().as_bytes(), &policy)
                    .unwrap();
            assert!(report.valid, "{:?}", report.problems);
            assert_eq!(receipt.receiving_gateway.as_str(), next);
            assert_eq!(
                receipt.document_sha256,
                lienthong_store::Sha256::digest(&d.bytes)
            );
            links_checked += 1;
        }
    }
    assert!(links_checked > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_documents_across_four_levels() {
    let n = env_usize("LIENTHONG_E2E_DOCS", 2000);
    let docs = Arc::new(documents(n, 0x9E37_79B9_7F4A_7C15));
    let p = Arc::new(Mutex::new(Procs::start("e2e").await));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..16 {
        let (p, docs, next) = (p.clone(), docs.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= docs.len() {
                    return out;
                }
                out.push((i, submit(&p, &docs[i]).await));
            }
        }));
    }
    let mut ids = vec![String::new(); n];
    for t in tasks {
        for (i, id) in t.await.unwrap() {
            ids[i] = id;
        }
    }
    let sent: Vec<(String, &Doc)> = ids.into_iter().zip(docs.iter()).collect();
    check_all_delivered(&p, &sent, Duration::from_secs(240)).await;
    eprintln!(
        "{n} documents, all delivered exactly once, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chaos_random_sigkill() {
    let n = env_usize("LIENTHONG_CHAOS_DOCS", 300);
    let every = Duration::from_secs(env_usize("LIENTHONG_CHAOS_SECONDS", 2) as u64);
    let docs = Arc::new(documents(n, 0xD1B5_4A32_D192_ED03));
    let p = Arc::new(Mutex::new(Procs::start("chaos").await));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let (p, done) = (p.clone(), done.clone());
        tokio::spawn(async move {
            let ids: Vec<String> = p.lock().unwrap().fed.nodes.keys().cloned().collect();
            let mut k = 7u64;
            let mut kills = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                tokio::time::sleep(every).await;
                k = k.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let victim = ids[(k >> 33) as usize % ids.len()].clone();
                p.lock().unwrap().kill(&victim);
                kills += 1;
                tokio::time::sleep(Duration::from_millis(300)).await;
                let restart = {
                    let mut g = p.lock().unwrap();
                    g.spawn(&victim);
                    g.fed.client(&victim, None).unwrap()
                };
                eventually("restarted", Duration::from_secs(30), || async {
                    restart
                        .get("/readyz")
                        .await
                        .ok()
                        .filter(|a| a.status == 200)
                        .map(|_| ())
                })
                .await;
            }
            kills
        })
    };
    let mut sent_ids = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        sent_ids.push(submit(&p, d).await);
        if i % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    // Let the killer run a little longer while messages are in flight, then stop it.
    tokio::time::sleep(every * 2).await;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let kills = killer.await.unwrap();
    assert!(kills >= 1, "no gateway was killed");
    let sent: Vec<(String, &Doc)> = sent_ids.into_iter().zip(docs.iter()).collect();
    check_all_delivered(&p, &sent, Duration::from_secs(240)).await;
    eprintln!("chaos: {n} documents, {kills} SIGKILLs, nothing lost, nothing twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn partition_of_a_mid_level_gateway() {
    let p = Arc::new(Mutex::new(Procs::start("partition").await));
    // The district gateway's parent (the province) goes away.
    p.lock().unwrap().stop("gw-h50");
    let commune = "000.05.21.H50";
    let docs: Vec<Doc> = (0..40)
        .map(|i| {
            let to = vec!["000.00.11.H48", "000.00.21.H50"];
            Doc {
                from: commune,
                to: to.clone(),
                bytes: document(commune, &to, 50_000 + i),
            }
        })
        .collect();
    let mut sent = Vec::new();
    for d in &docs {
        sent.push((submit(&p, d).await, d));
    }
    // The district recipient (below the cut) is served; the queue to the province builds,
    // and the link to it is reported down.
    let ops = p.lock().unwrap().client("gw-h50-giolinh", "operator/ops");
    eventually(
        "queue towards gw-h50 builds, its link down",
        Duration::from_secs(30),
        || async {
            let q = ops.get("/v1/queues").await.ok()?.json();
            (q["links"]["gw-h50"]["up"] == false).then_some(())?;
            q["queues"]["hops"]
                .as_array()?
                .iter()
                .find(|h| h["hop"] == "gw-h50" && h["depth"].as_u64() == Some(40))
                .map(|_| ())
        },
    )
    .await;
    let ready = {
        let mut g = p.lock().unwrap();
        g.spawn("gw-h50");
        g.fed.client("gw-h50", None).unwrap()
    };
    eventually("gw-h50 back", Duration::from_secs(30), || async {
        ready
            .get("/readyz")
            .await
            .ok()
            .filter(|a| a.status == 200)
            .map(|_| ())
    })
    .await;
    check_all_delivered(&p, &sent, Duration::from_secs(120)).await;
    let q = ops.get("/v1/queues").await.unwrap().json();
    assert_eq!(q["links"]["gw-h50"]["up"], true, "{q:#}");
}

/// `SIGHUP` makes a running `lienthong serve` take a new directory: an agency added to the
/// file is routed without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn directory_reload_on_sighup() {
    let p = Procs::start("sighup").await;
    let new = "000.03.11.H50";
    let dir = p.logs.join("directory.toml");
    let sender = p.client("gw-h50", "dms/000.00.11.H50");
    let refused = sender
        .submit(document("000.00.11.H50", &[new], 60_001))
        .await
        .unwrap();
    assert_eq!(refused.error_code().as_deref(), Some("routing.refused"));
    let mut text = std::fs::read_to_string(&dir).unwrap();
    text.push_str(&format!(
        "\n[[agency]]\ncode = \"{new}\"\nname = \"Sở Thử nghiệm\"\ngateway = \"gw-h50\"\n"
    ));
    std::fs::write(&dir, text).unwrap();
    let pid = p.children["gw-h50"].id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    // The reload is asynchronous: a submission is refused (nothing stored) until it is done.
    let doc = document("000.00.11.H50", &[new], 60_002);
    eventually("the new agency routed", Duration::from_secs(20), || async {
        let a = sender.submit(doc.clone()).await.ok()?;
        (a.status == 202).then_some(())
    })
    .await;
}
