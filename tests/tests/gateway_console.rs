//! The operators' web page: served to operator and monitor certificates only, with a policy
//! that lets it run nothing but its own script and reach nothing but this gateway; what a
//! monitor may not do; the anti-forgery check of browser calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_for_operators_with_a_strict_policy() {
    let mut f = federation("console", Some(&["gw-g22", "gw-h50"])).await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let a = ops.get("/console").await.unwrap();
    assert_eq!(a.status, 200);
    let h = |name: &str| {
        a.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name}"))
            .to_owned()
    };
    assert_eq!(h("content-type"), "text/html; charset=utf-8");
    let csp = h("content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; script-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("cache-control"), "no-store");
    let page = String::from_utf8(a.body.to_vec()).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.contains("/v1/queues"));
    // The API calls the page makes answer an operator and a monitor.
    let monitor = f.client("gw-h50", Some("monitor/prometheus")).unwrap();
    for call in lienthong_gateway::console::CALLS {
        let path = match *call {
            "/v1/documents/{id}" => continue,
            "/v1/reports/agencies" => "/v1/reports/agencies?month=2026-11",
            c => c,
        };
        for (who, c) in [("operator", &ops), ("monitor", &monitor)] {
            let r = c.get(path).await.unwrap();
            assert!(
                r.status == 200 || r.error_code().as_deref() == Some("backup.not_configured"),
                "{who} {path}: {}",
                r.status
            );
        }
    }
    let page = monitor.get("/console").await.unwrap();
    assert_eq!(page.status, 200);
    let text = String::from_utf8(page.body.to_vec()).unwrap();
    assert!(
        text.contains("\"role\":\"monitor\""),
        "the page knows it is a monitor"
    );
    assert!(text.contains("\"console-nav-overview\":\"Tổng quan\""));
    assert!(text.contains("\"console-nav-overview\":\"Overview\""));
    // Not for a DMS, nor without a certificate; the refusal in the caller's language.
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = dms.get("/console").await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    let vi = a.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(vi.contains("người vận hành hoặc người giám sát"), "{vi}");
    let en = f
        .client("gw-h50", Some("dms/000.00.11.H50"))
        .unwrap()
        .with_language("en-GB,en;q=0.9,vi;q=0.5")
        .get("/console")
        .await
        .unwrap();
    assert_eq!(en.error_code().as_deref(), Some("auth.forbidden"));
    let en = en.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(en.contains("operator or monitor certificate"), "{en}");
    let a = f
        .client("gw-h50", None)
        .unwrap()
        .get("/console")
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    f.stop_all().await;
}

/// A monitor (Prometheus' certificate) reads metrics, the console and reports, and may do
/// nothing else: no action on a message, no backup, no document, no relay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_reads_and_acts_on_nothing() {
    let mut f = federation("console-monitor", Some(&["gw-g22", "gw-h50"])).await;
    let monitor = f.client("gw-h50", Some("monitor/prometheus")).unwrap();
    let sender = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = sender
        .submit(document("000.00.11.H50", &["000.00.01.H50"], 5))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let m = monitor.get("/metrics").await.unwrap();
    assert_eq!(m.status, 200);
    assert!(String::from_utf8_lossy(&m.body).contains("lienthong_"));
    for path in [
        "/v1/queues",
        "/v1/overdue",
        "/v1/reports/agencies?month=2026-11",
        "/v1/messages?state=all",
    ] {
        assert_eq!(monitor.get(path).await.unwrap().status, 200, "{path}");
    }
    let t = monitor.get(&format!("/v1/documents/{id}")).await.unwrap();
    assert_eq!(t.status, 200, "a monitor reads a message's page");
    for action in ["retry", "suspend", "resume", "cancel"] {
        let a = monitor
            .post_json(
                &format!("/v1/messages/{id}/{action}"),
                &serde_json::json!({"note": "x"}),
            )
            .await
            .unwrap();
        assert_eq!(
            a.error_code().as_deref(),
            Some("auth.forbidden"),
            "{action}"
        );
    }
    let a = monitor
        .post_json("/v1/backups", &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    let a = monitor
        .submit(document("000.00.11.H50", &["000.00.01.H50"], 6))
        .await
        .unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    for path in [
        "/v1/inbox",
        "/v1/relay/00000000-0000-7000-8000-000000000000",
    ] {
        let a = monitor.get(path).await.unwrap();
        assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"), "{path}");
    }
    // Nothing it tried changed the message.
    let after = sender
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert!(
        after["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["event"].get("operator").is_none()),
        "{after:#}"
    );
    f.stop_all().await;
}

/// A browser's state-changing call must carry the console's token and come from the
/// gateway's own origin; the command line (no browser headers) is not asked for one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_actions_need_the_console_s_token() {
    let mut f = federation("console-csrf", Some(&["gw-g22", "gw-h50"])).await;
    // The central gateway is down: the message waits in a queue, where it can be suspended.
    f.stop("gw-g22").await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let sender = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = sender
        .submit(document("000.00.11.H50", &["000.00.00.G22"], 9))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let url = f.url("gw-h50").unwrap();
    let host = url.trim_start_matches("https://").to_owned();
    let page = String::from_utf8(ops.get("/console").await.unwrap().body.to_vec()).unwrap();
    let token = page
        .split("\"csrf\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let post = |headers: Vec<(&'static str, String)>| {
        let ops = &ops;
        let id = id.clone();
        async move {
            let mut h: Vec<(&str, &str)> = vec![("content-type", "application/json")];
            for (k, v) in &headers {
                h.push((k, v.as_str()));
            }
            ops.call_with_headers(
                hyper::Method::POST,
                &format!("/v1/messages/{id}/suspend"),
                br#"{"note": "test"}"#.to_vec(),
                &h,
            )
            .await
            .unwrap()
        }
    };
    let origin = format!("https://{host}");
    // From another site, or without the token: refused, nothing changed.
    for headers in [
        vec![
            ("origin", "https://evil.example".to_owned()),
            ("x-lienthong-csrf", token.clone()),
        ],
        vec![("origin", origin.clone())],
        vec![
            ("sec-fetch-site", "cross-site".to_owned()),
            ("x-lienthong-csrf", token.clone()),
        ],
    ] {
        let a = post(headers.clone()).await;
        assert_eq!(
            a.error_code().as_deref(),
            Some("auth.forbidden"),
            "{headers:?}"
        );
    }
    let t = ops
        .get(&format!("/v1/documents/{id}"))
        .await
        .unwrap()
        .json();
    assert_ne!(t["message"]["state"], "suspended");
    // The console's own call, and the command line's.
    let a = post(vec![
        ("origin", origin.clone()),
        ("sec-fetch-site", "same-origin".to_owned()),
        ("x-lienthong-csrf", token.clone()),
    ])
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let a = ops
        .post_json(
            &format!("/v1/messages/{id}/resume"),
            &serde_json::json!({"note": "cli"}),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    f.stop_all().await;
}
