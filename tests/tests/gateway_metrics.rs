//! `/metrics` as an operator's Prometheus sees it: every counter exists at 0 from the start
//! (so the first dead letter or refusal is an increase an alert sees), every metric has a
//! `# HELP` line, and every metric docs/OPERATIONS.md lists is really served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::*;

const OPERATIONS: &str = include_str!("../../docs/OPERATIONS.md");
const ALERTS: &str = include_str!("../../deploy/prometheus/lienthong-alerts.yml");
const DASHBOARD: &str = include_str!("../../deploy/grafana/lienthong-dashboard.json");

/// The metric names the dashboard's queries use, histogram series (`_bucket`, `_sum`,
/// `_count`) under their histogram's name.
fn charted() -> BTreeSet<String> {
    let d: serde_json::Value = serde_json::from_str(DASHBOARD).unwrap();
    let mut names = BTreeSet::new();
    for p in d["panels"].as_array().unwrap() {
        for t in p["targets"].as_array().unwrap() {
            let e = t["expr"].as_str().unwrap();
            for w in e
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("lienthong_"))
            {
                let base = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| w.strip_suffix(s))
                    .unwrap_or(w);
                names.insert(base.to_owned());
            }
        }
    }
    names
}

/// The metric names the alert rules use (`lienthong_…` words in their `expr` lines).
fn alerted() -> BTreeSet<String> {
    ALERTS
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr:"))
        .flat_map(|e| {
            e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("lienthong_"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The metric names docs/OPERATIONS.md's table lists (`lienthong_…` in its first column).
fn documented() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let table = OPERATIONS
        .split("## Reading metrics")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    for line in table.lines().filter(|l| l.starts_with("| `lienthong_")) {
        let first = line.split('|').nth(1).unwrap();
        for part in first.split('`').filter(|p| p.starts_with("lienthong_")) {
            names.insert(part.split('{').next().unwrap().to_owned());
        }
    }
    names
}

fn served(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && l.starts_with("lienthong_"))
        .map(|l| {
            let name = l.split(['{', ' ']).next().unwrap();
            // Histograms are served as _bucket, _sum and _count series.
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name)
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_start_at_zero_are_described_and_match_the_operations_guide() {
    let mut f = federation("metrics", Some(&["gw-g22", "gw-h50"])).await;
    let text = metrics_text(&f, "gw-h50").await;
    for series in [
        "lienthong_accepted_total 0",
        "lienthong_delivered_total 0",
        "lienthong_relay_duplicates_total 0",
        "lienthong_dead_letters_total{hop=\"gw-g22\"} 0",
        "lienthong_retries_total{hop=\"gw-g22\"} 0",
        "lienthong_relayed_total{hop=\"gw-g22\"} 0",
        "lienthong_refused_total{reason=\"signature.required\"} 0",
        "lienthong_refused_total{reason=\"routing.refused\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == series),
            "missing before any traffic: {series}\n{text}"
        );
    }

    // One document through a relay hop, so that the histograms have samples too.
    let sender = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = sender
        .submit(document("000.00.11.H50", &["000.00.00.G22"], 1))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    eventually(
        "the relay to gw-g22",
        std::time::Duration::from_secs(20),
        || async {
            let t = metrics_text(&f, "gw-h50").await;
            (metric_value(&t, "lienthong_relayed_total{hop=\"gw-g22\"}") == Some(1.0)).then_some(())
        },
    )
    .await;
    let text = metrics_text(&f, "gw-h50").await;
    let served = served(&text);
    for name in &served {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "{name} has no HELP line\n{text}"
        );
    }
    let documented = documented();
    assert!(documented.len() >= 15, "{documented:?}");
    // The relay-receive histogram and the inbox gauges need traffic at this gateway of kinds
    // the other tests cover; the rest must be served now.
    let later: BTreeSet<&str> = [
        "lienthong_relay_received_total",
        "lienthong_relay_receive_duration_seconds",
        "lienthong_document_crl_fresh_days",
        "lienthong_inbox_unacknowledged",
        "lienthong_inbox_oldest_unacknowledged_age_seconds",
        // Only with `[backup] dir`, after a backup (gateway_backup checks it).
        "lienthong_backup_last_success_timestamp_seconds",
        // Only with `[vxp]` (vxp_api checks it).
        "lienthong_vxp_requests_total",
        // Only once a document with a PDF attachment arrived (gateway_pdf_signatures).
        "lienthong_pdf_signatures_total",
    ]
    .into();
    for name in &documented {
        assert!(
            served.contains(name) || later.contains(name.as_str()),
            "docs/OPERATIONS.md lists {name}, /metrics does not serve it\n{text}"
        );
    }
    for name in &served {
        assert!(
            documented.contains(name),
            "/metrics serves {name}, docs/OPERATIONS.md does not explain it"
        );
    }
    // The shipped alert rules: each one named, with an expression, over metrics that exist.
    let rules = ALERTS.matches("- alert: ").count();
    assert!(rules >= 8, "{rules} rules");
    assert_eq!(
        ALERTS.matches("\n        expr: ").count(),
        rules,
        "every rule has one expr"
    );
    let alerted = alerted();
    assert!(alerted.len() >= 8, "{alerted:?}");
    for name in &alerted {
        assert!(
            documented.contains(name),
            "deploy/prometheus/lienthong-alerts.yml uses {name}, which /metrics does not serve"
        );
    }
    // The shipped Grafana dashboard charts only metrics that exist, and most of them.
    let charted = charted();
    for name in &charted {
        assert!(
            documented.contains(name),
            "deploy/grafana/lienthong-dashboard.json charts {name}, which /metrics does not serve"
        );
    }
    assert!(charted.len() >= 20, "{charted:?}");
    f.stop_all().await;
}
