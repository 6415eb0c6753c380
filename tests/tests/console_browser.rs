//! The operators' console in a real Chromium (headless, driven by Playwright for Python,
//! `tests/tests/console/browser.py`) against real gateways with real data: a dead letter
//! listed with its subject, a search finding a document by its number, the timeline of a
//! relayed message (its signed receipt and the recipient's status), a retry made from the
//! page that changes the message in the store, a monitor refused the action; Vietnamese
//! by default and English by the browser or the switch; on a 1366x768 screen and at 200 %
//! zoom. Screenshots are saved in `target/console-screenshots/` for a person to look at.
//! (`.ci/run` installs Debian's chromium and Playwright.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_edxml::StatusCode;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use serde_json::{Value, json};
use support::*;

const FROM: &str = "000.00.11.H50";
/// Homed at gw-g22: the document is relayed up, with a signed receipt.
const FAR: &str = "000.00.00.G22";
/// Homed at gw-h50-giolinh, which is in the directory but not running: a dead letter.
const UNREACHABLE: &str = "000.00.21.H50";
/// Homed here, at gw-h50.
const LOCAL: &str = "000.00.01.H50";
const RELAYED_N: u32 = 4242;
const LOCAL_N: u32 = 88;
const DEAD_N: u32 = 77;
const NOTE: &str = "đã khắc phục đường truyền tới huyện Gio Linh";

/// One attempt: the message to a gateway that is not running is dead at its first failure.
const FAST_DEATH: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 200\njitter_percent = 10\nmax_attempts = 1\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 5000\n";

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|n| which(n))
        .or_else(|| lienthong_testkit::tool("chromium").map(|p| p.to_string_lossy().into_owned()))
}

fn which(name: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .map(|p| p.to_string_lossy().into_owned())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_works_the_console_in_a_real_browser() {
    let Some(py) = lienthong_testkit::python_with("playwright") else {
        return;
    };
    let Some(chromium) = chromium() else {
        return;
    };
    let root = tempdir("console-browser");
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50", "gw-h50-giolinh"])),
        certs: certs(),
        root: root.clone(),
        policy: SignaturePolicy::Require,
        extra_toml: FAST_DEATH.to_owned(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start("gw-g22").await.unwrap();
    f.start("gw-h50").await.unwrap();
    f.release_ports();
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let far = f.client("gw-g22", Some(&format!("dms/{FAR}"))).unwrap();

    // A document relayed up to the central gateway, and its recipient's "arrived" back.
    let a = sender
        .submit(document(FROM, &[FAR], RELAYED_N))
        .await
        .unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let relayed_id = a.json()["id"].as_str().unwrap().to_owned();
    let s = far
        .submit(status(FAR, FROM, RELAYED_N, StatusCode::Arrived))
        .await
        .unwrap();
    assert_eq!(s.status, 202, "{}", String::from_utf8_lossy(&s.body));
    // A document delivered here, and its recipient's receipt notice: the same-day chart.
    let a = sender
        .submit(document(FROM, &[LOCAL], LOCAL_N))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    let local = f.client("gw-h50", Some(&format!("dms/{LOCAL}"))).unwrap();
    let s = local
        .submit(status(LOCAL, FROM, LOCAL_N, StatusCode::Arrived))
        .await
        .unwrap();
    assert_eq!(s.status, 202, "{}", String::from_utf8_lossy(&s.body));
    // A document to a gateway that is not running: a dead letter.
    let a = sender
        .submit(document(FROM, &[UNREACHABLE], DEAD_N))
        .await
        .unwrap();
    assert_eq!(a.status, 202);
    let dead_id = a.json()["id"].as_str().unwrap().to_owned();
    eventually("the dead letter", Duration::from_secs(30), || async {
        let t = ops
            .get(&format!("/v1/documents/{dead_id}"))
            .await
            .unwrap()
            .json();
        (t["message"]["state"] == "dead").then_some(())
    })
    .await;
    eventually(
        "the status at the sender",
        Duration::from_secs(30),
        || async {
            let t = ops
                .get(&format!("/v1/documents/{relayed_id}"))
                .await
                .unwrap()
                .json();
            (t["statuses"].as_array().is_some_and(|s| !s.is_empty())
                && t["message"]["state"] == "relayed")
                .then_some(())
        },
    )
    .await;

    let out = lienthong_testkit::repo_root().join("target/console-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let pki = certs();
    let plan = json!({
        "url": f.url("gw-h50").unwrap(),
        "chromium": chromium,
        "out": out,
        "operator": {"cert": pki.join("operator/ops.pem"), "key": pki.join("operator/ops.key")},
        "monitor": {"cert": pki.join("monitor/prometheus.pem"), "key": pki.join("monitor/prometheus.key")},
        "relayed_id": relayed_id,
        "relayed_number": format!("{RELAYED_N}/UBND"),
        "dead_id": dead_id,
        "note": NOTE,
    });
    let plan_file = root.join("plan.json");
    std::fs::write(&plan_file, plan.to_string()).unwrap();
    let script = lienthong_testkit::repo_root().join("tests/tests/console/browser.py");
    // The gateways serve on this runtime while the browser runs in its own process.
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&py)
            .arg(&script)
            .arg(&plan_file)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the browser run failed:\n{stderr}");
    let seen: Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&run.stdout)));
    let s = |k: &str| {
        seen[k]
            .as_str()
            .unwrap_or_else(|| panic!("no {k}: {seen:#}"))
            .to_owned()
    };

    // Vietnamese by default: the dead letter listed with its subject, number, names and a
    // reason in words (not the TLS or socket library's).
    assert_eq!(s("html_lang"), "vi");
    assert!(
        s("vi_nav").contains("Tổng quan") && s("vi_nav").contains("Tìm kiếm"),
        "{seen:#}"
    );
    let dead = s("vi_dead");
    for want in [
        "Thư chết",
        &format!("V/v thử nghiệm liên thông số {DEAD_N}"),
        &format!("{DEAD_N}/UBND"),
        "Sở Tài chính tỉnh Quảng Trị",
        "UBND huyện Gio Linh",
        "từ chối kết nối",
    ] {
        assert!(dead.contains(want), "{want:?} not in {dead}");
    }
    assert!(
        !dead.contains("os error") && !dead.contains("tcp connect"),
        "{dead}"
    );
    assert!(s("vi_links").contains("mất kết nối"), "{}", s("vi_links"));
    assert!(
        seen["vi_overflow"].as_i64().unwrap() <= 0,
        "sideways scrolling at 1366 px"
    );
    // The search by number/symbol finds the relayed document.
    assert!(
        s("search").contains(&format!("V/v thử nghiệm liên thông số {RELAYED_N}")),
        "{}",
        s("search")
    );
    // The relayed message's timeline: the hop's signed receipt, the recipient's status.
    let timeline = s("timeline");
    for want in [
        "biên nhận có ký số từ gw-g22",
        "đã đến",
        "Văn phòng Chính phủ",
        "đã chuyển cho gw-g22",
    ] {
        assert!(timeline.contains(want), "{want:?} not in {timeline}");
    }
    assert!(
        s("message_head").contains("hợp lệ"),
        "{}",
        s("message_head")
    );
    // The retry: refused without a reason, confirmed with one, kept with who and why.
    assert!(
        s("without_note").contains("Hãy ghi lý do"),
        "{}",
        s("without_note")
    );
    assert!(s("confirm").contains("Gửi lại ngay 1 gói tin") && s("confirm").contains(NOTE));
    assert!(
        s("action_result").contains("đã thực hiện 1/1"),
        "{}",
        s("action_result")
    );
    assert!(
        s("after_retry_timeline").contains(&format!("yêu cầu gửi lại ngay bởi ops: {NOTE}")),
        "{}",
        s("after_retry_timeline")
    );
    // ... and in the store, as the API reads it.
    let t = ops
        .get(&format!("/v1/documents/{dead_id}"))
        .await
        .unwrap()
        .json();
    let history = t["history"].as_array().unwrap();
    let retried = history
        .iter()
        .position(|h| h["event"]["event"] == "retry_now")
        .unwrap_or_else(|| panic!("no retry in {history:#?}"));
    assert_eq!(history[retried]["event"]["operator"], "ops");
    assert_eq!(history[retried]["event"]["note"], NOTE);
    // Out of the dead letters: waiting for its link again (or tried again already).
    eventually("the retried message", Duration::from_secs(30), || async {
        let t = ops
            .get(&format!("/v1/documents/{dead_id}"))
            .await
            .unwrap()
            .json();
        let h = t["history"].as_array().cloned().unwrap_or_default();
        (t["message"]["state"] != "dead"
            || h[retried + 1..]
                .iter()
                .any(|e| e["event"]["event"] == "in_flight"))
        .then_some(())
    })
    .await;
    // Compliance with its charts, certificates.
    assert!(
        s("compliance").contains("Sở Tài chính tỉnh Quảng Trị"),
        "{}",
        s("compliance")
    );
    assert!(
        seen["chart_bars"].as_u64().unwrap() >= 6,
        "two agencies, three bars each"
    );
    assert!(seen["same_day_bars"].as_u64().unwrap() >= 2, "{seen:#}");
    assert!(s("compliance").contains("100.0 %"), "{}", s("compliance"));
    assert!(
        s("certificates").contains("của cổng này"),
        "{}",
        s("certificates")
    );
    // English by the switch (kept for the next visit) and by the browser.
    assert_eq!(s("en_html_lang"), "en");
    assert!(s("en_nav").contains("Overview") && s("en_nav").contains("Search"));
    assert!(
        s("en_dead").contains("Dead letters") && s("en_dead").contains("refused the connection"),
        "{}",
        s("en_dead")
    );
    assert!(s("en_after_reload").contains("Overview"));
    assert!(
        s("en_timeline").contains("signed receipt from gw-g22")
            && s("en_timeline").contains("arrived"),
        "{}",
        s("en_timeline")
    );
    // 200 % zoom: no sideways scrolling of the page, the menu still there.
    assert!(seen["zoom_overflow"].as_i64().unwrap() <= 0, "{seen:#}");
    assert_eq!(seen["zoom_nav_visible"], true);
    assert!(s("zoom_dead").contains(&format!("{DEAD_N}/UBND")));
    // The overview refreshes itself, but never under an operator choosing or writing.
    assert_eq!(seen["busy_note"], "đang viết lý do", "{seen:#}");
    assert_eq!(seen["busy_checked"], true);
    assert_eq!(seen["busy_status_same"], true, "no refresh while busy");
    assert_eq!(seen["idle_refreshed"], true, "a refresh once idle");
    // A monitor reads, and is refused the action by the page and by the gateway.
    assert!(
        s("monitor_who").contains("giám sát prometheus"),
        "{}",
        s("monitor_who")
    );
    assert!(s("monitor_actions").contains("chỉ được xem"));
    assert_eq!(seen["monitor_buttons_disabled"], true);
    assert_eq!(s("monitor_refused"), "auth.forbidden");
    // Nothing went wrong in the page's script.
    assert_eq!(seen["errors"], json!([]), "{seen:#}");
    for png in [
        "overview-vi.png",
        "search-vi.png",
        "message-vi.png",
        "confirm-vi.png",
        "compliance-vi.png",
        "certificates-vi.png",
        "overview-en.png",
        "message-en.png",
        "overview-vi-200.png",
        "monitor-vi.png",
    ] {
        let len = std::fs::metadata(out.join(png))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 5_000, "{png}: {len} bytes");
    }
    f.stop_all().await;
}
