//! Crash torture: a child process (this test binary re-executed) runs a random mix of operations
//! from several threads and prints, after each call that returned `Ok`, what is now durable. The
//! parent kills it with SIGKILL after a random number of lines, possibly several times on the same
//! directory, then reopens the store and checks that every printed fact holds and that all records,
//! indexes, counters and blobs are consistent.
//!
//! `LIENTHONG_TORTURE_ITERS` sets the number of iterations (default 40),
//! `LIENTHONG_TORTURE_SEED` the first seed (default 1); a failure names the seed and keeps the
//! directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lienthong_store::*;

const CHILD_ENV: &str = "LIENTHONG_TORTURE_CHILD";
const T0: u64 = 1_700_000_000_000;
const HOPS: [(&str, &[&str]); 2] = [("gw-a", &["R1", "R2"]), ("gw-b", &["R3"])];
const LOCAL: [&str; 2] = ["L1", "L2"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// The DocumentId of pooled document `k` (the same for both senders).
fn pooled_doc_id(k: u64) -> String {
    format!("pooled-{k}")
}

fn config() -> StoreConfig {
    StoreConfig {
        retry: RetryPolicy {
            base_ms: 50,
            factor: 2.0,
            cap_ms: 400,
            jitter_percent: 30,
            max_attempts: 4,
            max_age_ms: 5_000,
        },
        retention_ms: 2_000,
        verify_on_open: VerifyLevel::BlobsPresent,
        cache_capacity_bytes: 16 * 1024 * 1024,
        // Small segments: rotations, segment deletions and sweeps happen under the kills too.
        segment_bytes: 96 * 1024,
        ..StoreConfig::default()
    }
}

fn receipt(id: MessageId, hop: &str) -> Vec<u8> {
    format!("<receipt id='{id}' hop='{hop}'/>").into_bytes()
}

// ---------------------------------------------------------------- child

#[derive(Default)]
struct Known {
    msgs: Vec<(MessageId, Vec<String>)>,
    leases: Vec<Lease>,
}

fn child_main(spec: &str) {
    let mut parts = spec.split('|');
    let (Some(dir), Some(seed), Some(round)) = (parts.next(), parts.next(), parts.next()) else {
        println!("T ERROR bad spec");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().unwrap();
    let round: u64 = round.parse().unwrap();
    let clock = Arc::new(AtomicU64::new(T0 + round * 1_000_000));
    let now = Timestamp::from_millis(clock.load(Ordering::SeqCst));
    let store = match KvStore::open_at(dir, config(), now) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            println!("T ERROR open: {e}");
            std::process::exit(2);
        }
    };
    println!("T OPENED");
    let known = Arc::new(Mutex::new(Known::default()));
    {
        let mut k = known.lock().unwrap();
        for st in MessageState::ALL {
            for m in store.list_messages(st, None, 100_000).unwrap() {
                k.msgs.push((m.id, m.recipients.keys().cloned().collect()));
            }
        }
    }
    let threads: Vec<_> = (0..3u64)
        .map(|t| {
            let (store, known, clock) = (store.clone(), known.clone(), clock.clone());
            let dir = dir.to_owned();
            std::thread::spawn(move || {
                let mut rng = Rng(seed ^ (t + 1).wrapping_mul(0x1234_5678_9abc_def1));
                for op in 0..400u64 {
                    let now =
                        Timestamp::from_millis(clock.fetch_add(rng.below(60), Ordering::SeqCst));
                    // Online backups while the others write (and the kills come): each must
                    // open as a healthy store, and must not harm this one.
                    if t == 0 && op % 50 == 10 {
                        let folder = backups_of(Path::new(&dir));
                        std::fs::create_dir_all(&folder).unwrap();
                        let dest = folder.join(format!("r{round}-{op}"));
                        match store.backup(&dest, now) {
                            Ok(_) => println!("T BACKUP {}", dest.display()),
                            Err(e) => {
                                println!("T ERROR backup {}: {e}", e.code());
                                std::process::exit(2);
                            }
                        }
                    }
                    if let Err(e) = child_op(&*store, &known, &mut rng, now)
                        && (e.is_transient() || e.code() == "store.corrupt")
                    {
                        println!("T ERROR {}: {e}", e.code());
                        std::process::exit(2);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    println!("T DONE");
}

fn child_op(s: &dyn Store, known: &Mutex<Known>, rng: &mut Rng, now: Timestamp) -> Result<()> {
    let pick = |rng: &mut Rng| {
        let k = known.lock().unwrap();
        if k.msgs.is_empty() {
            None
        } else {
            Some(k.msgs[rng.below(k.msgs.len() as u64) as usize].clone())
        }
    };
    match rng.below(100) {
        0..=24 => {
            let sender = ["S1", "S2"][rng.below(2) as usize];
            let bytes = if rng.chance(30) {
                format!("pooled document {}", rng.below(6)).into_bytes()
            } else {
                let n = 50 + rng.below(20_000) as usize;
                let fill = rng.next().to_le_bytes();
                let mut v: Vec<u8> = (0..n).map(|i| fill[i % 8] ^ (i as u8)).collect();
                v.extend_from_slice(&rng.next().to_le_bytes());
                v
            };
            let all = ["L1", "L2", "R1", "R2", "R3"];
            let mut recipients: Vec<String> = all
                .iter()
                .filter(|_| rng.chance(45))
                .map(|s| s.to_string())
                .collect();
            if recipients.is_empty() {
                recipients.push(all[rng.below(5) as usize].to_string());
            }
            // Documents carry what the reports need; status packages answer the pooled
            // documents, so that receipt notices, completions and recalls change counts
            // under the kills too.
            let req = if rng.chance(20) {
                let code = ["01", "02", "06", "13", "15"][rng.below(5) as usize];
                let doc_sender = ["S1", "S2"][rng.below(2) as usize];
                let local = LOCAL[rng.below(2) as usize];
                let (from, to) = if code == "13" {
                    (doc_sender, local)
                } else {
                    (local, doc_sender)
                };
                AcceptRequest {
                    sender: from.into(),
                    kind: MessageKind::Status,
                    bytes: format!("status {code} {from} {}", rng.next()).into_bytes(),
                    document_id: Some(pooled_doc_id(rng.below(6))),
                    business: None,
                    recipients: vec![to.into()],
                    origin: Origin::Local,
                    status: Some(StatusNote {
                        code: code.into(),
                        description: None,
                    }),
                    signature: None,
                    facts: None,
                }
            } else {
                let pooled = String::from_utf8(bytes.clone())
                    .ok()
                    .and_then(|t| t.strip_prefix("pooled document ")?.parse::<u64>().ok());
                AcceptRequest {
                    sender: sender.into(),
                    kind: MessageKind::Edoc,
                    document_id: Some(match pooled {
                        Some(k) => pooled_doc_id(k),
                        None => Sha256::digest(&bytes).to_string()[..16].to_owned(),
                    }),
                    bytes,
                    business: None,
                    recipients,
                    origin: Origin::Local,
                    status: None,
                    signature: None,
                    facts: Some(DocFacts {
                        priority: rng.below(5) as u8,
                        due: rng
                            .chance(50)
                            .then(|| Day::of(Timestamp::from_millis(T0)).next()),
                        signed: rng.chance(50),
                        paper: rng.chance(20),
                        ..DocFacts::default()
                    }),
                }
            };
            // Sometimes the whole dispatch (deliveries, queue entries, a receipt) rides in the
            // accept's commit.
            let plan = if rng.chance(40) {
                let mut p = Dispatch {
                    deliver: req
                        .recipients
                        .iter()
                        .filter(|r| LOCAL.contains(&r.as_str()))
                        .cloned()
                        .collect(),
                    ..Dispatch::default()
                };
                for (hop, behind) in HOPS {
                    let rs: Vec<String> = req
                        .recipients
                        .iter()
                        .filter(|r| behind.contains(&r.as_str()))
                        .cloned()
                        .collect();
                    if !rs.is_empty() {
                        p.enqueue.push((hop.to_owned(), rs));
                    }
                }
                if rng.chance(50) {
                    p.issued_receipt = Some(format!("<planned {}/>", rng.below(1000)).into_bytes());
                }
                p
            } else {
                Dispatch::default()
            };
            let out = s.accept_with(&req, &plan, now)?;
            println!("T ACCEPTED {} {} {}", out.id, out.sha256, req.sender);
            if !out.duplicate {
                for a in &plan.deliver {
                    println!("T PLANNED_DELIVERY {a} {}", out.id);
                }
                for (hop, rs) in &plan.enqueue {
                    println!("T ENQUEUED {} {hop} {}", out.id, rs.join(","));
                }
                if let Some(r) = &plan.issued_receipt {
                    println!("T ISSUED {} {}", out.id, Sha256::digest(r));
                }
            }
            if !out.duplicate {
                known
                    .lock()
                    .unwrap()
                    .msgs
                    .push((out.id, req.recipients.clone()));
            }
        }
        25..=39 => {
            let Some((id, recips)) = pick(rng) else {
                return Ok(());
            };
            let (hop, behind) = HOPS[rng.below(2) as usize];
            let r: Vec<String> = recips
                .iter()
                .filter(|r| behind.contains(&r.as_str()))
                .cloned()
                .collect();
            if r.is_empty() {
                return Ok(());
            }
            let due = now.plus_millis(rng.below(3) * 50);
            s.enqueue(id, hop, &r, due, now)?;
            println!("T ENQUEUED {id} {hop} {}", r.join(","));
        }
        40..=49 => {
            let Some((id, recips)) = pick(rng) else {
                return Ok(());
            };
            let local: Vec<&String> = recips
                .iter()
                .filter(|r| LOCAL.contains(&r.as_str()))
                .collect();
            if local.is_empty() {
                return Ok(());
            }
            let agency = local[rng.below(local.len() as u64) as usize];
            let d = s.deliver(id, agency, now)?;
            println!("T DELIVERED {agency} {id} {}", d.cursor);
        }
        50..=64 => {
            let (hop, _) = HOPS[rng.below(2) as usize];
            let leases = s.lease(hop, now, 1 + rng.below(4) as usize, 20 + rng.below(500))?;
            for l in &leases {
                println!("T LEASED {} {} {}", l.id, l.hop, l.attempt);
            }
            known.lock().unwrap().leases.extend(leases);
        }
        65..=74 => {
            let l = {
                let mut k = known.lock().unwrap();
                if k.leases.is_empty() {
                    return Ok(());
                }
                let i = rng.below(k.leases.len() as u64) as usize;
                k.leases.swap_remove(i)
            };
            let out = s.ack_lease(&l, &receipt(l.id, &l.hop), now)?;
            println!("T ACKED {} {} {:?}", l.id, l.hop, out);
        }
        75..=82 => {
            let l = {
                let mut k = known.lock().unwrap();
                if k.leases.is_empty() {
                    return Ok(());
                }
                let i = rng.below(k.leases.len() as u64) as usize;
                k.leases.swap_remove(i)
            };
            let out = s.fail_lease(&l, "peer unreachable", now)?;
            println!("T FAILED {} {} {:?}", l.id, l.hop, out);
        }
        83..=88 => {
            let Some((id, recips)) = pick(rng) else {
                return Ok(());
            };
            let Some(agency) = recips.iter().find(|r| LOCAL.contains(&r.as_str())) else {
                return Ok(());
            };
            let result = if rng.chance(80) {
                FetchResult::Done
            } else {
                FetchResult::Fail
            };
            s.ack_inbox(agency, id, result, Some("note"), now)?;
            println!("T FETCHED {agency} {id}");
        }
        89..=90 => {
            let Some((id, _)) = pick(rng) else {
                return Ok(());
            };
            s.suspend(id, now, &ActionBy::operator("torture", None))?;
            println!("T SUSPENDED {id}");
        }
        91..=92 => {
            let Some((id, _)) = pick(rng) else {
                return Ok(());
            };
            s.resume(id, now, &ActionBy::operator("torture", None))?;
            println!("T RESUMED {id}");
        }
        93 => {
            let Some((id, _)) = pick(rng) else {
                return Ok(());
            };
            s.cancel(id, now, &ActionBy::operator("torture", None))?;
            println!("T CANCELLED {id}");
        }
        94..=95 => {
            let Some((id, _)) = pick(rng) else {
                return Ok(());
            };
            s.retry_now(id, now, &ActionBy::operator("torture", None))?;
            println!("T RETRIED {id}");
        }
        96..=97 => {
            let Some((id, _)) = pick(rng) else {
                return Ok(());
            };
            let r =
                s.put_issued_receipt(id, format!("<issued {}/>", rng.below(1000)).as_bytes(), now)?;
            println!("T ISSUED {id} {}", Sha256::digest(&r));
        }
        _ => {
            let n = s.purge_expired(now, 1 + rng.below(5) as usize)?;
            println!("T PURGED {n}");
            if rng.chance(30) {
                let n = s.sweep_orphan_payloads()?;
                println!("T SWEPT {n}");
            }
        }
    }
    Ok(())
}

#[test]
fn torture_child() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child_main(&spec);
    }
}

// ---------------------------------------------------------------- parent

#[derive(Default)]
struct Facts {
    accepted: HashMap<MessageId, (Sha256, String)>,
    enqueued: Vec<(MessageId, String, Vec<String>)>,
    acked: HashSet<(MessageId, String)>,
    delivered: HashMap<(String, MessageId), u64>,
    /// Deliveries made in an accept's commit (no cursor printed).
    planned: HashSet<(String, MessageId)>,
    fetched: HashSet<(String, MessageId)>,
    cancelled: HashSet<MessageId>,
    issued: HashMap<MessageId, String>,
    leased: u64,
    lines: u64,
    kills: u64,
    /// Online backups completed (each checked after the iteration).
    backups: u64,
}

/// Where the child puts its online backups: beside the store, never inside it.
fn backups_of(store: &Path) -> PathBuf {
    store.with_file_name("backups")
}

/// Every complete backup (one with its `BACKUP.json`) opens as a store and checks healthy.
fn verify_backups(store: &Path) -> Result<u64, String> {
    let Ok(entries) = std::fs::read_dir(backups_of(store)) else {
        return Ok(0);
    };
    let mut n = 0;
    for e in entries {
        let path = e.map_err(|e| e.to_string())?.path();
        if !path.join("BACKUP.json").is_file() {
            continue; // cut short by a kill: `.partial`, never used
        }
        let b = KvStore::open_at(&path, config(), Timestamp::from_millis(T0 + 300_000_000))
            .map_err(|e| format!("backup {} does not open: {e}", path.display()))?;
        let report = b
            .check(VerifyLevel::BlobsHashed)
            .map_err(|e| e.to_string())?;
        if !report.problems.is_empty() {
            return Err(format!("backup {}: {:?}", path.display(), report.problems));
        }
        n += 1;
    }
    Ok(n)
}

fn id(s: &str) -> Result<MessageId, String> {
    s.parse().map_err(|e| format!("bad id {s}: {e}"))
}

fn record(f: &mut Facts, line: &str) -> Result<(), String> {
    let w: Vec<&str> = line.split(' ').collect();
    f.lines += 1;
    match w.as_slice() {
        ["OPENED"]
        | ["DONE"]
        | ["SUSPENDED", _]
        | ["RESUMED", _]
        | ["RETRIED", _]
        | ["PURGED", _]
        | ["SWEPT", _] => {}
        ["BACKUP", _] => f.backups += 1,
        ["ACCEPTED", i, sha, sender] => {
            let sha: Sha256 = sha.parse().map_err(|e| format!("{e}"))?;
            f.accepted.insert(id(i)?, (sha, sender.to_string()));
        }
        ["ENQUEUED", i, hop, r] => f.enqueued.push((
            id(i)?,
            hop.to_string(),
            r.split(',').map(str::to_owned).collect(),
        )),
        ["LEASED", ..] => f.leased += 1,
        ["ACKED", i, hop, _] => {
            f.acked.insert((id(i)?, hop.to_string()));
        }
        ["FAILED", ..] => {}
        ["DELIVERED", a, i, c] => {
            let c: u64 = c.parse().map_err(|e| format!("{e}"))?;
            if let Some(old) = f.delivered.insert((a.to_string(), id(i)?), c)
                && old != c
            {
                return Err(format!("{line}: delivered before at cursor {old}"));
            }
        }
        ["PLANNED_DELIVERY", a, i] => {
            f.planned.insert((a.to_string(), id(i)?));
        }
        ["FETCHED", a, i] => {
            f.fetched.insert((a.to_string(), id(i)?));
        }
        ["CANCELLED", i] => {
            f.cancelled.insert(id(i)?);
        }
        ["ISSUED", i, sha] => {
            if let Some(old) = f.issued.insert(id(i)?, sha.to_string())
                && old != *sha
            {
                return Err(format!("{line}: issued receipt changed from {old}"));
            }
        }
        ["ERROR", ..] => return Err(format!("child reported: {line}")),
        _ => return Err(format!("unparseable line: {line}")),
    }
    Ok(())
}

fn run_child(
    dir: &Path,
    seed: u64,
    round: u64,
    kill_after: Option<u64>,
    f: &mut Facts,
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "torture_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, format!("{}|{seed}|{round}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut n = 0u64;
    let mut killed = false;
    if kill_after == Some(0) {
        let _ = child.kill();
        killed = true;
    }
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let Some(fact) = line.strip_prefix("T ") else {
            continue;
        };
        record(f, fact)?;
        n += 1;
        if !killed && kill_after.is_some_and(|k| n >= k) {
            child.kill().map_err(|e| e.to_string())?;
            killed = true;
            // Lines already in the pipe were printed after a durable Ok: keep reading them.
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if killed {
        f.kills += 1;
    } else if !status.success() {
        return Err(format!("child exited with {status}"));
    }
    Ok(())
}

fn verify(dir: &Path, f: &Facts) -> Result<(), String> {
    let s = KvStore::open_at(dir, config(), Timestamp::from_millis(T0 + 100_000_000))
        .map_err(|e| format!("reopen failed: {e}"))?;
    let rep = s
        .check(VerifyLevel::BlobsHashed)
        .map_err(|e| e.to_string())?;
    if !rep.problems.is_empty() {
        return Err(format!("inconsistent store: {:#?}", rep.problems));
    }
    // The counts never drift: the documents sent here, summed over every day, are exactly
    // the documents whose facts say so, and include every acknowledged one.
    let sent_counted: u64 = s
        .agency_counts(Day(0), Day(100_000))
        .map_err(|e| e.to_string())?
        .values()
        .map(|c| c.sent)
        .sum();
    let mut sent_facts = 0u64;
    let page = s
        .find_messages(&MessageQuery {
            state: None,
            after: None,
            before: None,
            agency: None,
            sender: None,
            reason: None,
            text: None,
            limit: usize::MAX,
            scan_limit: usize::MAX,
        })
        .map_err(|e| e.to_string())?;
    for m in &page.messages {
        if let Some(facts) = s.doc_facts(m.id).map_err(|e| e.to_string())? {
            sent_facts += u64::from(facts.sent.is_some());
        }
    }
    if sent_counted != sent_facts {
        return Err(format!(
            "documents sent: counted {sent_counted}, facts say {sent_facts}"
        ));
    }
    let acked_docs = f
        .accepted
        .keys()
        .filter(|i| s.message(**i).is_ok_and(|m| m.kind == MessageKind::Edoc))
        .count() as u64;
    if sent_counted < acked_docs {
        return Err(format!(
            "documents sent: counted {sent_counted}, fewer than the {acked_docs} acknowledged"
        ));
    }
    for (i, (sha, sender)) in &f.accepted {
        let m = s
            .message(*i)
            .map_err(|e| format!("acknowledged message {i} lost: {e}"))?;
        if m.sha256 != *sha || m.sender != *sender {
            return Err(format!("message {i}: sha/sender changed"));
        }
        match s.read_payload(*i) {
            Ok(bytes) if Sha256::digest(&bytes) == *sha => {}
            Err(StoreError::Purged { .. }) if m.purged_at.is_some() => {}
            other => return Err(format!("payload of {i}: {:?}", other.map(|b| b.len()))),
        }
    }
    for (i, hop, recips) in &f.enqueued {
        let m = s.message(*i).map_err(|e| e.to_string())?;
        for r in recips {
            if m.recipients[r] == RecipientState::Accepted {
                return Err(format!(
                    "{i}: {r} was enqueued for {hop} but is accepted again"
                ));
            }
        }
    }
    for (i, hop) in &f.acked {
        let m = s.message(*i).map_err(|e| e.to_string())?;
        if !s
            .received_receipts(*i)
            .map_err(|e| e.to_string())?
            .iter()
            .any(|r| r.hop == *hop && r.bytes == receipt(*i, hop))
        {
            return Err(format!("{i}: acknowledged hop {hop} has no receipt"));
        }
        if s.queue_entries(*i)
            .map_err(|e| e.to_string())?
            .iter()
            .any(|e| e.hop == *hop)
        {
            return Err(format!("{i}: acknowledged hop {hop} still queued"));
        }
        if !m
            .recipients
            .values()
            .any(|st| matches!(st, RecipientState::Relayed { hop: h, .. } if h == hop))
        {
            return Err(format!("{i}: acknowledged hop {hop} not relayed"));
        }
    }
    // Inboxes: exactly once, and everything delivered is there at its cursor.
    let mut inbox: BTreeMap<(String, MessageId), u64> = BTreeMap::new();
    for agency in LOCAL {
        for item in s
            .list_inbox(agency, None, usize::MAX, None)
            .map_err(|e| e.to_string())?
        {
            if inbox
                .insert((agency.to_owned(), item.id), item.cursor.0)
                .is_some()
            {
                return Err(format!("inbox {agency} holds {} twice", item.id));
            }
        }
    }
    for (key, cursor) in &f.delivered {
        if inbox.get(key) != Some(cursor) {
            return Err(format!(
                "delivered {key:?} at {cursor} but inbox has {:?}",
                inbox.get(key)
            ));
        }
    }
    for key in &f.planned {
        if !inbox.contains_key(key) {
            return Err(format!(
                "delivered {key:?} with its accept but not in the inbox"
            ));
        }
    }
    for (agency, i) in &f.fetched {
        let m = s.message(*i).map_err(|e| e.to_string())?;
        if !matches!(m.recipients[agency], RecipientState::Fetched { .. }) {
            return Err(format!(
                "{i}: fetched by {agency} but state is {:?}",
                m.recipients[agency]
            ));
        }
    }
    for i in &f.cancelled {
        if !s.queue_entries(*i).map_err(|e| e.to_string())?.is_empty() {
            return Err(format!("{i}: cancelled but still queued"));
        }
    }
    for (i, sha) in &f.issued {
        let r = s
            .issued_receipt(*i)
            .map_err(|e| e.to_string())?
            .ok_or(format!("{i}: issued receipt lost"))?;
        if Sha256::digest(&r).to_string() != *sha {
            return Err(format!("{i}: issued receipt changed"));
        }
    }
    // In-flight leases were restored: nothing is leased, and every ready entry can be leased now.
    let stats = s
        .queue_stats(Timestamp::from_millis(T0 + 100_000_000))
        .map_err(|e| e.to_string())?;
    if stats.hops.iter().any(|h| h.in_flight != 0) {
        return Err(format!("leases survived a restart: {stats:?}"));
    }
    let mut ready = 0;
    for st in MessageState::ALL {
        for m in s
            .list_messages(st, None, usize::MAX)
            .map_err(|e| e.to_string())?
        {
            ready += s
                .queue_entries(m.id)
                .map_err(|e| e.to_string())?
                .iter()
                .filter(|e| e.status == EntryStatus::Ready)
                .count();
        }
    }
    let far = Timestamp::from_millis(T0 + 200_000_000);
    let mut leased = 0;
    for (hop, _) in HOPS {
        leased += s
            .lease(hop, far, usize::MAX, 1000)
            .map_err(|e| e.to_string())?
            .len();
    }
    if leased != ready {
        return Err(format!(
            "{ready} ready entries but {leased} could be leased"
        ));
    }
    Ok(())
}

fn iteration(seed: u64, dir: &Path, f: &mut Facts) -> Result<(), String> {
    let mut rng = Rng(seed);
    let rounds = 1 + rng.below(3);
    for round in 0..rounds {
        // Kill after 0..150 lines (0 = during open/recovery); sometimes let the child finish.
        let kill_after = if rng.chance(10) {
            None
        } else {
            Some(rng.below(150))
        };
        run_child(dir, rng.next(), round, kill_after, f)?;
    }
    verify(dir, f)?;
    let complete = verify_backups(dir)?;
    if complete < f.backups {
        return Err(format!(
            "{} backups reported done, {complete} complete on disk",
            f.backups
        ));
    }
    Ok(())
}

#[test]
fn crash_torture() {
    let iters: u64 = std::env::var("LIENTHONG_TORTURE_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let first: u64 = std::env::var("LIENTHONG_TORTURE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let started = std::time::Instant::now();
    let mut totals = Facts::default();
    for seed in first..first + iters {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Facts::default();
        if let Err(e) = iteration(seed, &dir.path().join("store"), &mut f) {
            let kept = dir.keep();
            panic!(
                "torture failed with LIENTHONG_TORTURE_SEED={seed} (rerun with LIENTHONG_TORTURE_ITERS=1); \
                 store kept at {}: {e}",
                kept.display()
            );
        }
        totals.lines += f.lines;
        totals.kills += f.kills;
        totals.leased += f.leased;
        totals.backups += f.backups;
        totals.accepted.extend(f.accepted.drain());
        totals.delivered.extend(f.delivered.drain());
        totals.acked.extend(f.acked.drain());
    }
    eprintln!(
        "torture: {iters} iterations from seed {first} in {:.1?}: {} kills, {} durable facts checked \
         ({} accepted, {} delivered, {} acked hops, {} leases), {} online backups checked",
        started.elapsed(),
        totals.kills,
        totals.lines,
        totals.accepted.len(),
        totals.delivered.len(),
        totals.acked.len(),
        totals.leased,
        totals.backups,
    );
}
