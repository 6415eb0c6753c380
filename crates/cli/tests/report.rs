//! `lienthong report` and `lienthong queue overdue` against a real federation: the table,
//! CSV, XLSX and JSON, the province's subtree, a gateway below that does not answer (named,
//! exit 1), and the refusals.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
use fed::*;

use support::document;

const FAST_RETRY: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = 600000\n";

const STC: &str = "000.00.11.H50";
const HUYEN: &str = "000.00.21.H50";

#[test]
fn reports_in_every_format_and_a_missing_gateway_named() {
    let mut fed = Fed::start(&["gw-g22", "gw-h50", "gw-h50-giolinh"], FAST_RETRY);
    let sender = fed.f.client("gw-h50", Some(&format!("dms/{STC}"))).unwrap();
    for n in 1..=2 {
        let a = fed
            .rt
            .block_on(sender.submit(document(STC, &[HUYEN], n)))
            .unwrap();
        assert_eq!(a.status, 202);
    }
    let ops = fed.ops("gw-h50");

    // The table (this month by default), the province with the district below it; in
    // Vietnamese (the tests run in English unless told).
    let o = run(
        &["report"],
        &ops,
        &[&"--scope", &"subtree", &"--lang", &"vi"],
    )
    .expect(0);
    let t = o.text();
    for want in [
        "Văn bản đi điện tử",
        "Sở Tài chính tỉnh Quảng Trị",
        "UBND huyện Gio Linh",
        "Tổng cộng",
        "Điểm = 1 khi",
        "gw-h50, gw-h50-giolinh",
    ] {
        assert!(t.contains(want), "{want} missing from:\n{t}");
    }
    let row = t.lines().find(|l| l.contains(STC)).unwrap();
    assert!(row.contains("100.0 %"), "two sent, both signed: {row}");

    // JSON: the figures.
    let j = run(&["report"], &ops, &[&"--format", &"json"])
        .expect(0)
        .json();
    assert_eq!(j["scope"], "gateway");
    let stc = j["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rows"].as_array().unwrap())
        .find(|r| r["agency"] == STC)
        .unwrap()
        .clone();
    assert_eq!(
        (stc["sent"].as_u64(), stc["signed"].as_u64()),
        (Some(2), Some(2))
    );

    // CSV and XLSX files.
    let csv = fed.path("bao-cao.csv");
    let o = run(&["report"], &ops, &[&"--format", &"csv", &"--out", &csv]).expect(0);
    assert!(o.stderr.contains("wrote"), "{}", o.stderr);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let line = text.lines().find(|l| l.contains(STC)).unwrap();
    assert!(line.contains(",2,2,1.0000,"), "{line}");
    let xlsx = fed.path("bao-cao.xlsx");
    run(&["report"], &ops, &[&"--format", &"xlsx", &"--out", &xlsx]).expect(0);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    // An XLSX needs a file; English headings on request.
    run(&["report"], &ops, &[&"--format", &"xlsx"]).expect(2);
    let en = run(&["report"], &ops, &[&"--lang", &"en"]).expect(0).text();
    assert!(en.contains("Signed share") && en.contains("Total"), "{en}");

    // Refusals: a bad period is the gateway's 400; a DMS may not ask.
    let o = run(&["report"], &ops, &[&"--month", &"2026-13"]).expect(1);
    assert!(o.stderr.contains("request.bad_request"), "{}", o.stderr);
    let o = run(&["report"], &fed.dms("gw-h50", STC), &[]).expect(1);
    assert!(o.stderr.contains("auth."), "{}", o.stderr);

    // Nothing is overdue yet.
    let o = run(&["queue", "overdue"], &ops, &[]).expect(0);
    assert!(
        o.text().contains("receipt notices (01/02) overdue: 0"),
        "{}",
        o.text()
    );
    let j = run(&["queue", "overdue"], &ops, &[&"--json"])
        .expect(0)
        .json();
    assert_eq!(j["completions_total"], 0);

    // The district's gateway stops: the province's report names it and exits 1.
    fed.stop("gw-h50-giolinh");
    let o = run(
        &["report"],
        &ops,
        &[&"--scope", &"subtree", &"--lang", &"vi"],
    )
    .expect(1);
    assert!(
        o.text().contains("THIẾU số liệu của cổng gw-h50-giolinh"),
        "{}",
        o.text()
    );
    assert!(o.stderr.contains("báo cáo chưa đầy đủ"), "{}", o.stderr);
    let o = run(&["report"], &ops, &[&"--scope", &"subtree"]).expect(1);
    assert!(o.stderr.contains("partial"), "{}", o.stderr);
    assert!(!o.text().contains("UBND huyện Gio Linh"), "{}", o.text());
}
