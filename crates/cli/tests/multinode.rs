//! Several nodes of one gateway on one PostgreSQL, as real processes: gw-h50 runs as two
//! `lienthong serve` processes behind a TCP load balancer, gw-g22 (its parent) as one.
//! Under continuous traffic a node is SIGKILLed again and again, PostgreSQL is stopped and
//! started, and the network to it is cut; every document a DMS was told was accepted must
//! reach each of its two inboxes (one at gw-h50, one at gw-g22) exactly once, counted from
//! the recipients' side by the bytes' SHA-256.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
mod ha;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fed::eventually;
use ha::Ha;
use lienthong_types::Sha256;

const SENDER: &str = "000.00.01.H50";
/// At gw-h50: delivered by whichever node accepts.
const LOCAL: &str = "000.00.11.H50";
/// At gw-g22: relayed by whichever node leases the entry.
const REMOTE: &str = "000.00.00.G22";

/// What the submitting DMSs saw.
#[derive(Default)]
struct Seen {
    /// Document number → the message id the gateway acknowledged.
    accepted: Mutex<BTreeMap<u32, String>>,
    /// Answers 503 `store.unavailable`.
    unavailable: AtomicU64,
    /// Calls without an answer (a killed node, a cut).
    no_answer: AtomicU64,
    /// Any other refusal (there must be none).
    other: Mutex<Vec<String>>,
}

/// Submit documents `range` through the load balancer with `workers` DMS connections, each
/// retried until acknowledged; returns when all are acknowledged. Runs on the harness's
/// runtime.
fn traffic(
    ha: &Ha,
    docs: Arc<Vec<(u32, Vec<u8>)>>,
    workers: usize,
    seen: Arc<Seen>,
) -> std::thread::JoinHandle<()> {
    let clients: Vec<_> = (0..workers)
        .map(|_| ha.client_at(ha.lb.addr, Some(&format!("dms/{SENDER}"))))
        .collect();
    let handle = ha.rt.handle().clone();
    std::thread::spawn(move || {
        handle.block_on(async move {
            let next = Arc::new(AtomicU64::new(0));
            let mut tasks = Vec::new();
            for c in clients {
                let (docs, seen, next) = (docs.clone(), seen.clone(), next.clone());
                tasks.push(tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                        let Some((n, bytes)) = docs.get(i) else { break };
                        loop {
                            match c.submit(bytes.clone()).await {
                                Ok(a) if a.status.is_success() => {
                                    let id = a.json()["id"].as_str().unwrap_or_default().to_owned();
                                    seen.accepted.lock().unwrap().insert(*n, id);
                                    break;
                                }
                                Ok(a) if a.status == 503 => {
                                    assert_eq!(
                                        a.error_code().as_deref(),
                                        Some("store.unavailable"),
                                        "a 503 says why: {}",
                                        a.json()
                                    );
                                    seen.unavailable.fetch_add(1, Ordering::SeqCst);
                                }
                                Ok(a) => seen.other.lock().unwrap().push(format!(
                                    "{} {}",
                                    a.status,
                                    a.json()
                                )),
                                Err(_) => {
                                    seen.no_answer.fetch_add(1, Ordering::SeqCst);
                                }
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }));
            }
            for t in tasks {
                let _ = t.await;
            }
        });
    })
}

/// Signed documents from [`SENDER`] to [`LOCAL`] and [`REMOTE`], numbered `from..to`.
fn documents(from: u32, to: u32) -> Arc<Vec<(u32, Vec<u8>)>> {
    Arc::new(
        (from..to)
            .map(|n| (n, support::document(SENDER, &[LOCAL, REMOTE], n)))
            .collect(),
    )
}

/// Every acknowledged document is in both inboxes exactly once, and nothing else is:
/// waits (at most two minutes) for the forwarders to finish, then counts.
fn assert_exactly_once(ha: &Ha, docs: &[(u32, Vec<u8>)], seen: &Seen) {
    let accepted = seen.accepted.lock().unwrap().clone();
    let want: BTreeMap<String, u32> = docs
        .iter()
        .filter(|(n, _)| accepted.contains_key(n))
        .map(|(n, b)| (Sha256::digest(b).to_hex(), *n))
        .collect();
    assert_eq!(want.len(), accepted.len());
    let start = Instant::now();
    loop {
        let local = ha.inbox(ha.lb.addr, LOCAL);
        let remote = ha.inbox(ha.g22_addr(), REMOTE);
        let count = |items: &[(String, String)]| {
            let mut m: BTreeMap<String, usize> = BTreeMap::new();
            for (sha, _) in items {
                *m.entry(sha.clone()).or_default() += 1;
            }
            m
        };
        let (l, r) = (count(&local), count(&remote));
        for (name, m) in [("gw-h50", &l), ("gw-g22", &r)] {
            let doubled: Vec<_> = m.iter().filter(|(_, c)| **c > 1).collect();
            assert!(
                doubled.is_empty(),
                "twice in an inbox at {name}: {doubled:?}"
            );
            let stray: Vec<_> = m.keys().filter(|s| !want.contains_key(*s)).collect();
            assert!(
                stray.is_empty(),
                "in an inbox at {name} but never acknowledged to the DMS: {stray:?}"
            );
        }
        let missing_l = want.keys().filter(|s| !l.contains_key(*s)).count();
        let missing_r = want.keys().filter(|s| !r.contains_key(*s)).count();
        if missing_l == 0 && missing_r == 0 {
            eprintln!(
                "{} acknowledged; each once in both inboxes ({} answers 503, {} calls unanswered)",
                want.len(),
                seen.unavailable.load(Ordering::SeqCst),
                seen.no_answer.load(Ordering::SeqCst)
            );
            return;
        }
        if start.elapsed() > Duration::from_secs(120) {
            panic!(
                "after 2 minutes, {missing_l} acknowledged documents missing at gw-h50 and {missing_r} at gw-g22 (logs in {}); gw-h50 says: {}",
                ha.logs(),
                ha.diagnosis()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn no_other_refusals(seen: &Seen) {
    let other = seen.other.lock().unwrap();
    assert!(other.is_empty(), "refused otherwise: {other:?}");
}

#[test]
fn a_node_killed_again_and_again_under_traffic_loses_and_doubles_nothing() {
    let mut ha = Ha::start("ha-kill");
    let docs = documents(1, 301);
    let seen = Arc::new(Seen::default());
    let t = traffic(&ha, docs.clone(), 6, seen.clone());
    // Kill a node (alternately, at moments that vary with the traffic) six times, each
    // while documents are being accepted and relayed, and start it again.
    let mut kills = 0;
    let mut at = 20usize;
    while kills < 6 && !t.is_finished() {
        let got = seen.accepted.lock().unwrap().len();
        if got >= at {
            ha.kill_node(kills % 2);
            kills += 1;
            std::thread::sleep(Duration::from_millis(150 + 70 * kills as u64));
            ha.start_node((kills - 1) % 2);
            at = got + 20 + 7 * kills;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    t.join().unwrap();
    assert!(kills >= 4, "only {kills} kills happened during the traffic");
    no_other_refusals(&seen);
    assert_eq!(
        seen.accepted.lock().unwrap().len(),
        docs.len(),
        "all acknowledged in the end"
    );
    assert_exactly_once(&ha, &docs, &seen);
}

#[test]
fn postgres_stopped_mid_traffic_answers_503_and_recovers_without_a_restart() {
    let ha = Ha::start("ha-pgstop");
    let docs = documents(1, 161);
    let seen = Arc::new(Seen::default());
    let t = traffic(&ha, docs.clone(), 4, seen.clone());
    wait_for(&seen, 40);
    ha.cluster.stop_server("fast");
    // While it is down, submissions are refused with a clear 503.
    more_503s(
        &seen,
        5,
        Duration::from_secs(30),
        "503s while PostgreSQL is down",
    );
    let during = seen.accepted.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        seen.accepted.lock().unwrap().len(),
        during,
        "nothing is acknowledged while the database is down"
    );
    ha.cluster.start_server();
    t.join().unwrap();
    no_other_refusals(&seen);
    assert_eq!(seen.accepted.lock().unwrap().len(), docs.len());
    assert_exactly_once(&ha, &docs, &seen);
    // Both processes are the ones started at the beginning.
    for n in &ha.nodes {
        assert!(n.child.is_some());
    }
}

#[test]
fn a_network_cut_to_postgres_answers_503_and_recovers_without_a_restart() {
    let ha = Ha::start("ha-cut");
    let docs = documents(1, 161);
    let seen = Arc::new(Seen::default());
    let t = traffic(&ha, docs.clone(), 4, seen.clone());
    wait_for(&seen, 40);
    // Every byte between the nodes and PostgreSQL held, nothing closed: the nodes find out
    // only through their timeouts (2 s here).
    ha.db.pause();
    more_503s(&seen, 4, Duration::from_secs(40), "503s during the cut");
    ha.db.resume();
    t.join().unwrap();
    no_other_refusals(&seen);
    assert_eq!(seen.accepted.lock().unwrap().len(), docs.len());
    assert_exactly_once(&ha, &docs, &seen);
}

#[test]
fn a_long_poll_on_one_node_wakes_for_a_delivery_by_the_other_and_both_see_the_whole_gateway() {
    let ha = Ha::start("ha-listen");
    let (n1, n2) = (ha.nodes[0].addr, ha.nodes[1].addr);
    let poller = ha.client_at(n2, Some(&format!("dms/{LOCAL}")));
    let submitter = ha.client_at(n1, Some(&format!("dms/{SENDER}")));
    let doc = support::document(SENDER, &[LOCAL], 7);
    let started = Instant::now();
    let (polled, submitted) = ha.rt.block_on(async {
        let poll = tokio::spawn(async move { poller.get("/v1/inbox?wait=25").await });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let sub = submitter.submit(doc).await.unwrap();
        (poll.await.unwrap().unwrap(), sub)
    });
    assert_eq!(submitted.status, 202, "{}", submitted.json());
    let items = polled.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        items.len(),
        1,
        "node 2's long poll was woken by node 1's delivery (it would have answered empty after 25 s)"
    );
    assert_eq!(items[0]["id"], submitted.json()["id"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    // The operator API of either node sees the message the other accepted.
    let id = submitted.json()["id"].as_str().unwrap().to_owned();
    for addr in [n1, n2] {
        let ops = ha.client_at(addr, Some("operator/ops"));
        let m = ha
            .rt
            .block_on(ops.get("/v1/messages?state=delivered&limit=100"))
            .unwrap();
        assert_eq!(m.status, 200, "{}", m.json());
        assert!(
            m.json().to_string().contains(&id),
            "the message accepted at node 1 is listed at {addr}: {}",
            m.json()
        );
    }
}

/// Wait until `n` documents are acknowledged (the traffic is going).
fn wait_for(seen: &Seen, n: usize) {
    eventually("the traffic to start", Duration::from_secs(60), || {
        (seen.accepted.lock().unwrap().len() >= n).then_some(())
    });
}

/// Wait until `n` more answers 503 `store.unavailable` than now have come.
fn more_503s(seen: &Seen, n: u64, limit: Duration, what: &str) {
    let before = seen.unavailable.load(Ordering::SeqCst);
    eventually(what, limit, || {
        (seen.unavailable.load(Ordering::SeqCst) >= before + n).then_some(())
    });
}
