//! `/metrics` as an operator's Prometheus sees it: every counter exists at 0 from the start
//! (so the first dead letter or refusal is an increase an alert sees), so does every metric
//! the shipped alerts and dashboard read (but those of peers), every metric has a `# HELP`
//! line, every metric docs/OPERATIONS.md lists is really served, and labels are stable,
//! bounded names (no file paths, one value per label).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::*;

const OPERATIONS: &str = include_str!("../../docs/OPERATIONS.md");
const ALERTS: &str = include_str!("../../deploy/prometheus/lienthong-alerts.yml");
const DASHBOARD: &str = include_str!("../../deploy/grafana/lienthong-dashboard.json");

/// The metric names a PromQL expression uses (its `lienthong_…` words), histogram series
/// (`_bucket`, `_sum`, `_count`) under their histogram's name.
fn metric_names(expr: &str) -> Vec<String> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("lienthong_"))
        .map(|w| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| w.strip_suffix(s))
                .unwrap_or(w)
                .to_owned()
        })
        .collect()
}

/// The metric names the dashboard's queries use.
fn charted() -> BTreeSet<String> {
    let d: serde_json::Value = serde_json::from_str(DASHBOARD).unwrap();
    let mut names = BTreeSet::new();
    for p in d["panels"].as_array().unwrap() {
        for t in p["targets"].as_array().unwrap() {
            names.extend(metric_names(t["expr"].as_str().unwrap()));
        }
    }
    names
}

/// The metric names the alert rules use (in their `expr` lines).
fn alerted() -> BTreeSet<String> {
    ALERTS
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr:"))
        .flat_map(metric_names)
        .collect()
}

/// The labels of a series line (`name{a="x",b="y"} 1`), values unescaped.
fn labels(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(open) = line.find('{') else {
        return out;
    };
    let mut rest = &line[open + 1..];
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim_start_matches(',').to_owned();
        let mut value = String::new();
        let mut end = None;
        let mut chars = rest[eq + 2..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => value.extend(chars.next().map(|(_, c)| c)),
                '"' => {
                    end = Some(eq + 2 + i + 1);
                    break;
                }
                c => value.push(c),
            }
        }
        out.push((name, value));
        match end {
            Some(end) if !rest[end..].starts_with('}') => rest = &rest[end..],
            _ => break,
        }
    }
    out
}

/// Every value label `label` has in the series of `text`.
fn label_values(text: &str, label: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("lienthong_"))
        .flat_map(labels)
        .filter(|(name, _)| name == label)
        .map(|(_, value)| value)
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
    // With a backup folder, so that the backup gauge is served (at 0) as it would be in
    // service.
    let mut f = federation_with(
        "metrics",
        Some(&["gw-g22", "gw-h50"]),
        &format!("{FAST_RETRY}\n[backup]\ndir = \"backups\"\n"),
    )
    .await;
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
        "lienthong_pdf_signatures_total{verdict=\"invalid\"} 0",
        "lienthong_queue_depth{hop=\"gw-g22\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == series),
            "missing before any traffic: {series}\n{text}"
        );
    }
    // Every metric the shipped alerts and dashboard read is there before any traffic too,
    // at 0 or its real value, but for those that come with a peer.
    let with_a_peer: BTreeSet<&str> = [
        // A next hop's certificate: once the forwarder has connected to it.
        "lienthong_peer_certificate_expiry_timestamp_seconds",
        // An agency's inbox: once a document for it has arrived.
        "lienthong_inbox_oldest_unacknowledged_age_seconds",
    ]
    .into();
    let before = served(&text);
    for name in alerted().union(&charted()) {
        assert!(
            before.contains(name) || with_a_peer.contains(name.as_str()),
            "{name} (alerts or dashboard) is not served before any traffic\n{text}"
        );
    }
    assert_eq!(
        metric_value(&text, "lienthong_backup_last_success_timestamp_seconds"),
        Some(0.0),
        "no backup yet\n{text}"
    );
    // Certificates are named by their role in the configuration, not by a file's path.
    let mut certificates = label_values(&text, "certificate");
    certificates.sort();
    assert_eq!(certificates, ["client_ca", "tls"], "{text}");
    // The version (the workspace's, the gateway's too) and the gateway, at 1.
    let build = text
        .lines()
        .find(|l| l.starts_with("lienthong_build_info{"))
        .unwrap_or_else(|| panic!("no lienthong_build_info\n{text}"));
    let mut build_labels = labels(build);
    build_labels.sort();
    assert_eq!(
        build_labels,
        [
            ("gateway".to_owned(), "gw-h50".to_owned()),
            ("version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        ],
        "{build}"
    );
    assert!(build.ends_with("} 1"), "{build}");

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
    // A peer is labelled by its kind and its id, two labels, not one holding both.
    for peer in label_values(&text, "peer") {
        assert!(!peer.contains(' '), "peer=\"{peer}\"\n{text}");
    }
    for kind in label_values(&text, "kind") {
        assert!(
            ["agency", "gateway", "operator", "monitor"].contains(&kind.as_str()),
            "kind=\"{kind}\"\n{text}"
        );
    }
    let sender_expiry = "lienthong_client_certificate_expiry_timestamp_seconds\
        {kind=\"agency\",id=\"000.00.11.H50\"}";
    assert!(
        metric_value(&text, sender_expiry).is_some_and(|t| t > 0.0),
        "{sender_expiry}\n{text}"
    );
    for certificate in label_values(&text, "certificate") {
        assert!(!certificate.contains('/'), "certificate=\"{certificate}\"");
    }
    let served = served(&text);
    for name in &served {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "{name} has no HELP line\n{text}"
        );
    }
    let documented = documented();
    assert!(documented.len() >= 15, "{documented:?}");
    // The inbox gauges need a document for an agency of this gateway, which the other tests
    // send; the rest must be served now.
    let later: BTreeSet<&str> = [
        "lienthong_inbox_unacknowledged",
        "lienthong_inbox_oldest_unacknowledged_age_seconds",
        // Only with `[vxp]` (vxp_api checks it).
        "lienthong_vxp_requests_total",
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
