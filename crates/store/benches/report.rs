//! The compliance report over a year: a store with 1,000,000 messages recorded over 365
//! days between 2,000 agencies (seven documents in ten, each delivered to one agency; the
//! rest status packages 01 and 06 answering earlier documents), then the year's report
//! timed five times: the counts of every agency (`Reports::agency_counts`), the overdue
//! column (`Reports::overdue_open`), the report grouped by level, and its JSON and XLSX.
//!
//! `cargo bench -p lienthong-store --bench report`. Environment: `LIENTHONG_BENCH_N`
//! (messages, default 1,000,000), `LIENTHONG_BENCH_AGENCIES` (2,000),
//! `LIENTHONG_BENCH_THREADS` (64 writers), `LIENTHONG_BENCH_DIR` (parent of the store).

#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lienthong_compliance::{AgencyInfo, Day, Lang, Level, ScoreRule, Tally, render};
use lienthong_store::prelude::*;
use lienthong_store::{
    AcceptRequest, BusinessType, Dispatch, DocFacts, KvStore, MessageKind, Origin, StatusNote,
    StoreConfig, Timestamp,
};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn agency(i: u64) -> String {
    format!(
        "{:03}.{:02}.{:02}.H50",
        i % 1000,
        (i / 1000) % 100,
        1 + i % 37
    )
}

/// Document `i` of the plan: its sender and recipient.
fn pair(i: u64, agencies: u64) -> (u64, u64) {
    let s = i.wrapping_mul(2_654_435_761) % agencies;
    let r = (s + 1 + i % (agencies - 1)) % agencies;
    (s, r)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env("LIENTHONG_BENCH_N", 1_000_000);
    let agencies = env("LIENTHONG_BENCH_AGENCIES", 2_000).max(2);
    let threads = env("LIENTHONG_BENCH_THREADS", 64);
    let parent = std::env::var("LIENTHONG_BENCH_DIR")
        .unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let dir = tempfile::tempdir_in(parent).expect("temp dir");
    let year: Day = "2026-01-01".parse().expect("day");
    let start_ms = year.at_minute(0).as_millis();
    let step = 365 * 86_400_000 / n.max(1);
    let store = Arc::new(
        KvStore::open_at(
            dir.path(),
            StoreConfig::default(),
            Timestamp::from_millis(start_ms),
        )
        .expect("open"),
    );
    println!(
        "machine: {} cores; filling {n} messages, {agencies} agencies, {threads} writers",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let next = Arc::new(AtomicU64::new(0));
    let fill = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, next) = (store.clone(), next.clone());
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let now = Timestamp::from_millis(start_ms + i * step);
                    let (req, plan) = if i % 10 < 7 {
                        let (s, r) = pair(i, agencies);
                        let facts = DocFacts {
                            priority: u8::from(i % 13 == 0) * 3,
                            due: (i % 5 < 2).then(|| Day(Day::of(now).0 + 5)),
                            paper: i % 7 == 0,
                            signed: i % 4 != 0,
                            number: Some(format!("{i}/UBND")),
                            subject: Some(format!("Văn bản số {i}")),
                            ..DocFacts::default()
                        };
                        let req = AcceptRequest {
                            sender: agency(s),
                            kind: MessageKind::Edoc,
                            bytes: format!("<edoc n='{i}'/>").into_bytes(),
                            document_id: Some(format!("D{i}")),
                            business: Some(BusinessType::New),
                            recipients: vec![agency(r)],
                            origin: Origin::Local,
                            status: None,
                            signature: None,
                            facts: Some(facts),
                        };
                        let plan = Dispatch {
                            deliver: vec![agency(r)],
                            ..Dispatch::default()
                        };
                        (req, plan)
                    } else {
                        // A status from the recipient of a document a thousand earlier.
                        let doc = (i.saturating_sub(1000) / 10) * 10 + i % 7;
                        let (s, r) = pair(doc, agencies);
                        let code = if i % 10 == 7 { "01" } else { "06" };
                        let req = AcceptRequest {
                            sender: agency(r),
                            kind: MessageKind::Status,
                            bytes: format!("<status n='{i}' code='{code}'/>").into_bytes(),
                            document_id: Some(format!("D{doc}")),
                            business: None,
                            recipients: vec![agency(s)],
                            origin: Origin::Local,
                            status: Some(StatusNote {
                                code: code.into(),
                                description: None,
                            }),
                            signature: None,
                            facts: None,
                        };
                        (req, Dispatch::default())
                    };
                    store.accept_with(&req, &plan, now).expect("accept");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer");
    }
    let took = fill.elapsed().as_secs_f64();
    println!(
        "filled in {took:.1} s ({:.0} messages/s)",
        n as f64 / took.max(1e-9)
    );
    let today = Day(year.0 + 400);
    let (from, to) = (year, Day(year.0 + 364));
    let info = |code: &str| AgencyInfo {
        name: format!("Cơ quan {code}"),
        level: if code.starts_with("000.00") {
            Level::Province
        } else {
            Level::Commune
        },
    };
    let mut times = Vec::new();
    for run in 0..5 {
        let t = Instant::now();
        let counts = store.agency_counts(from, to).expect("counts");
        let overdue = store.overdue_open(from, to, today).expect("overdue");
        let t_read = t.elapsed();
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        for (code, c) in counts {
            tallies.entry(code).or_default().counts.add(&c);
        }
        for (code, k) in overdue {
            tallies.entry(code).or_default().overdue_open += k;
        }
        let report = lienthong_compliance::build(
            (from, to),
            &tallies,
            info,
            &ScoreRule::default(),
            Lang::Vi,
        );
        let json = serde_json::to_vec(&report).expect("json");
        let t_json = t.elapsed();
        let xlsx = render::xlsx(&report, Lang::Vi).expect("xlsx");
        let total = t.elapsed();
        let sent: u64 = report.total.tally.counts.sent;
        println!(
            "run {run}: {} agencies, {sent} documents sent, {} overdue: counts read {:.0} ms, report and JSON ({} KiB) {:.0} ms, XLSX ({} KiB) {:.0} ms; total {:.0} ms",
            tallies.len(),
            report.total.tally.overdue_open,
            t_read.as_secs_f64() * 1000.0,
            json.len() / 1024,
            (t_json - t_read).as_secs_f64() * 1000.0,
            xlsx.len() / 1024,
            (total - t_json).as_secs_f64() * 1000.0,
            total.as_secs_f64() * 1000.0
        );
        times.push(total.as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "year report: median {:.0} ms, worst {:.0} ms (target ≤ 1000 ms)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
