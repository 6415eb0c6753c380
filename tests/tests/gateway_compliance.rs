//! A month of traffic across four levels (central, province, district, commune) on a
//! simulated clock, and the compliance report checked cell by cell against counts the test
//! keeps itself from the plan: signed and unsigned documents, paper, due dates, receipt
//! notices on time, late and missing, refusals, recalls, urgent documents, weekends and a
//! holiday. Then the subtree report against the sum of the gateways', a stopped gateway
//! named as missing, and the XLSX read back by openpyxl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lienthong_edxml::{
    BusinessDocType, Date, DocCode, Edoc, MessageHeader, Organization, OtherInfo, Priority,
    ResponseFor, Status, StatusCode, TraceHeaderList,
};
use lienthong_gateway::ApiClient;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_types::FixedClock;
use serde_json::Value;
use support::*;

mod compliance_model;
use compliance_model::*;

fn org(code: &str) -> Organization {
    Organization {
        organ_id: code.into(),
        ..Organization::default()
    }
}

fn doc_id(d: &Doc) -> String {
    format!("{},2026/11/01,{}/VB", d.sender, d.n)
}

fn date_of(day: u32) -> Option<Date> {
    // Day indexes run from 1 November; December follows the 30 days of November.
    match day {
        0..=29 => Date::new(2026, 11, u8::try_from(day + 1).unwrap()),
        _ => Date::new(2026, 12, u8::try_from(day - 29).unwrap()),
    }
}

fn edoc(d: &Doc) -> Vec<u8> {
    let e = Edoc {
        header: MessageHeader {
            from: org(d.sender),
            to: d.to.iter().map(|t| org(t)).collect(),
            document_id: Some(doc_id(d)),
            code: Some(DocCode {
                code_number: Some(d.n.to_string()),
                code_notation: Some("VB".into()),
            }),
            subject: Some(format!("Văn bản mô phỏng số {}", d.n)),
            due_date: d.due.and_then(date_of),
            other_info: Some(OtherInfo {
                priority: Some(if d.urgent {
                    Priority::Flash
                } else {
                    Priority::Normal
                }),
                ..OtherInfo::default()
            }),
            ..MessageHeader::default()
        },
        trace: TraceHeaderList {
            business: Some(lienthong_edxml::Business {
                business_doc_type: Some(BusinessDocType::New),
                paper: Some(i64::from(d.paper)),
                ..Default::default()
            }),
            ..TraceHeaderList::default()
        },
        ..Edoc::default()
    };
    let xml = lienthong_edxml::write_edoc(&e);
    if d.signed {
        sign_xml(&xml, d.sender)
    } else {
        xml.into_bytes()
    }
}

fn status_pkg(from: &str, about: &Doc, to: &str, code: StatusCode) -> Vec<u8> {
    let s = Status {
        from: org(from),
        response_for: ResponseFor {
            organ_id: Some(to.into()),
            code: Some(format!("{}/VB", about.n)),
            promulgation_date: Date::new(2026, 11, 1),
            document_id: Some(doc_id(about)),
        },
        staff_info: None,
        description: Some(code.label_vi().into()),
        status_code: code,
        timestamp: None,
        extra: vec![],
    };
    sign_xml(&lienthong_edxml::write_status(&s), from)
}

/// What happens when, in time order.
enum Event<'a> {
    Send(&'a Doc),
    Notice(&'a Doc, &'static str, StatusCode),
    Complete(&'a Doc, &'static str),
    Recall(&'a Doc),
}

async fn submit(c: &ApiClient, bytes: Vec<u8>) -> String {
    let a = c.submit(bytes).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    a.json()["id"].as_str().unwrap().to_owned()
}

async fn wait_in_inbox(f: &Federation, agency: &str, id: &str) {
    let c = f
        .client(home(agency), Some(&format!("dms/{agency}")))
        .unwrap();
    eventually(
        &format!("{id} in {agency}'s inbox"),
        Duration::from_secs(20),
        || {
            let c = c.clone();
            let path = format!("/v1/inbox/{id}");
            async move { (c.get(&path).await.ok()?.status == 200).then_some(()) }
        },
    )
    .await;
}

async fn report(f: &Federation, gw: &str, query: &str) -> Value {
    let ops = f.client(gw, Some("operator/ops")).unwrap();
    let a = ops
        .get(&format!("/v1/reports/agencies?{query}"))
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    a.json()
}

/// Every agency row of a report, by code.
fn rows(r: &Value) -> BTreeMap<String, Value> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rows"].as_array().unwrap().iter())
        .map(|row| (row["agency"].as_str().unwrap().to_owned(), row.clone()))
        .collect()
}

const FIELDS: [&str; 14] = [
    "sent",
    "signed",
    "paper",
    "recalled",
    "received",
    "notified",
    "same_day",
    "refused",
    "with_due",
    "completed",
    "on_time",
    "urgent",
    "urgent_met",
    "overdue_open",
];

fn check_rows(
    got: &BTreeMap<String, Value>,
    want: &BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    agencies: &[&str],
    what: &str,
) {
    for a in agencies {
        let row = got
            .get(*a)
            .unwrap_or_else(|| panic!("{what}: no row for {a}"));
        let w = &want[a];
        for k in FIELDS {
            assert_eq!(
                row[k].as_u64(),
                Some(w.get(k).copied().unwrap_or(0)),
                "{what}: {a} {k}: {row}"
            );
        }
        assert_eq!(row["level"], level(a), "{what}: {a}");
        let s = row["score"].as_f64().unwrap();
        assert!(
            (s - score(w)).abs() < 1e-9,
            "{what}: {a} score {s}, expected {}",
            score(w)
        );
        let ratio = |p: &str, q: &str| {
            let (p, q) = (
                w.get(p).copied().unwrap_or(0),
                w.get(q).copied().unwrap_or(0),
            );
            (q > 0).then(|| p as f64 / q as f64)
        };
        assert_eq!(
            row["signed_ratio"].as_f64(),
            ratio("signed", "sent"),
            "{what}: {a}"
        );
        assert_eq!(
            row["same_day_ratio"].as_f64(),
            ratio("same_day", "received"),
            "{what}: {a}"
        );
    }
}

/// Group totals and the overall total are the sums of their rows.
fn check_totals(r: &Value) {
    let mut all = BTreeMap::new();
    for g in r["groups"].as_array().unwrap() {
        let mut sum = BTreeMap::new();
        for row in g["rows"].as_array().unwrap() {
            assert_eq!(row["level"], g["level"]);
            for k in FIELDS {
                *sum.entry(k).or_insert(0u64) += row[k].as_u64().unwrap();
            }
        }
        for k in FIELDS {
            assert_eq!(
                g["total"][k].as_u64(),
                Some(sum[k]),
                "group {} {k}",
                g["level"]
            );
            *all.entry(k).or_insert(0u64) += sum[k];
        }
    }
    for k in FIELDS {
        assert_eq!(r["total"][k].as_u64(), Some(all[k]), "total {k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_of_traffic_is_reported_cell_by_cell() {
    let docs = plan(20_261_101);
    assert!(docs.len() > 40, "a month's worth: {}", docs.len());
    let clock = Arc::new(FixedClock::new(At { day: 1, min: 0 }.ts()));
    let spec = FederationSpec {
        nodes: nodes(Some(&[
            "gw-g22",
            "gw-h50",
            "gw-h50-giolinh",
            "gw-h50-giomai",
        ])),
        certs: certs(),
        root: tempdir("compliance"),
        // Unsigned documents are accepted and counted as such.
        policy: SignaturePolicy::Record,
        extra_toml: format!("{FAST_RETRY}\n[calendar]\nholidays = [\"2026-11-20\"]\n"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    // The district's UBND is a level-2 code like a department: the directory says which.
    let dir = f.directory_path().unwrap();
    let text = std::fs::read_to_string(&dir).unwrap();
    let patched = text.replace(
        &format!("code = \"{HUYEN}\"\n"),
        &format!("code = \"{HUYEN}\"\nlevel = \"district\"\n"),
    );
    assert_ne!(text, patched);
    std::fs::write(&dir, patched).unwrap();
    f.use_clock(clock.clone());
    f.start_all().await.unwrap();
    let dms: BTreeMap<&str, ApiClient> = AGENCIES
        .iter()
        .map(|a| (*a, f.client(home(a), Some(&format!("dms/{a}"))).unwrap()))
        .collect();

    // Every event of the month, in time order.
    let mut events: Vec<(At, u8, Event<'_>)> = Vec::new();
    for d in &docs {
        events.push((d.at, 0, Event::Send(d)));
        if let Some(t) = d.recall {
            events.push((t, 1, Event::Recall(d)));
        }
        for (r, a) in &d.answers {
            if let Some((code, t)) = &a.notice {
                events.push((*t, 2, Event::Notice(d, r, code.clone())));
            }
            if let Some(t) = a.completed {
                events.push((t, 3, Event::Complete(d, r)));
            }
        }
    }
    events.sort_by_key(|(t, order, _)| (*t, *order));
    let mut ids: BTreeMap<u32, String> = BTreeMap::new();
    for (t, _, e) in &events {
        clock.set(t.ts());
        match e {
            Event::Send(d) => {
                let id = submit(&dms[d.sender], edoc(d)).await;
                // Delivered at this instant everywhere before the clock moves on.
                for r in &d.to {
                    wait_in_inbox(&f, r, &id).await;
                }
                ids.insert(d.n, id);
            }
            Event::Notice(d, r, code) => {
                submit(&dms[r], status_pkg(r, d, d.sender, code.clone())).await;
            }
            Event::Complete(d, r) => {
                submit(&dms[r], status_pkg(r, d, d.sender, StatusCode::Completed)).await;
            }
            Event::Recall(d) => {
                for r in &d.to {
                    let id = submit(
                        &dms[d.sender],
                        status_pkg(d.sender, d, r, StatusCode::RecallRequested),
                    )
                    .await;
                    // The recipients' obligations end when the recall reaches them.
                    wait_in_inbox(&f, r, &id).await;
                }
            }
        }
    }
    assert_eq!(ids.len(), docs.len());

    // Reported on 5 December, 10:00.
    let today = 34;
    clock.set(
        At {
            day: today,
            min: 600,
        }
        .ts(),
    );
    let want = expected(&docs, 0, 29, today);
    // Sanity of the plan: every kind of cell is exercised.
    for k in FIELDS {
        assert!(
            want.values().any(|w| w.get(k).copied().unwrap_or(0) > 0),
            "the plan never makes {k}"
        );
    }
    let whole = report(&f, "gw-g22", "month=2026-11&scope=subtree").await;
    assert_eq!(whole["scope"], "subtree");
    assert!(
        whole["missing"].as_array().unwrap().is_empty(),
        "{}",
        whole["missing"]
    );
    assert_eq!(whole["gateways"].as_array().unwrap().len(), 4);
    check_rows(&rows(&whole), &want, &AGENCIES, "subtree of gw-g22");
    check_totals(&whole);
    let levels: Vec<&str> = whole["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["central", "province", "department", "district", "commune"]
    );
    assert!(whole["formula"].as_str().unwrap().contains("90 %"));

    // Each gateway's own report has its agencies; the subtree is their sum.
    let mut summed: BTreeMap<String, Value> = BTreeMap::new();
    for gw in ["gw-g22", "gw-h50", "gw-h50-giolinh", "gw-h50-giomai"] {
        let r = report(&f, gw, "from=2026-11-01&to=2026-11-30").await;
        assert_eq!(r["scope"], "gateway");
        let mine: Vec<&str> = AGENCIES.iter().copied().filter(|a| home(a) == gw).collect();
        let got = rows(&r);
        assert_eq!(
            got.keys().map(String::as_str).collect::<Vec<_>>(),
            mine,
            "{gw}"
        );
        check_rows(&got, &want, &mine, gw);
        check_totals(&r);
        summed.extend(got);
    }
    assert_eq!(summed, rows(&whole));
    // The province's subtree: its three gateways.
    let province = report(&f, "gw-h50", "month=2026-11&scope=subtree").await;
    let mut three: Vec<&str> = AGENCIES.iter().copied().filter(|a| *a != G22).collect();
    three.sort();
    assert_eq!(
        rows(&province)
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        three
    );
    check_rows(&rows(&province), &want, &three, "subtree of gw-h50");

    // A week in the middle (edge days of a month, no whole month).
    let week = report(&f, "gw-g22", "from=2026-11-09&to=2026-11-15&scope=subtree").await;
    check_rows(
        &rows(&week),
        &expected(&docs, 8, 14, today),
        &AGENCIES,
        "one week",
    );
    check_totals(&week);

    // The XLSX, read by openpyxl, says what the JSON says.
    xlsx_matches_json(&f, &whole).await;

    // Overdue now: what the operator and each DMS see agree with the plan.
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let o = ops.get("/v1/overdue?limit=1000").await.unwrap().json();
    let due_here: u64 = [UBND, VP, STC]
        .iter()
        .map(|a| want[a].get("overdue_open").copied().unwrap_or(0))
        .sum();
    assert_eq!(o["completions_total"].as_u64(), Some(due_here), "{o}");
    let mine = dms[STC].get("/v1/inbox/overdue").await.unwrap().json();
    assert_eq!(
        mine["completions_total"].as_u64(),
        want[STC].get("overdue_open").copied().or(Some(0)),
        "{mine}"
    );
    assert!(
        mine["completions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["agency"] == STC),
        "{mine}"
    );
    let text = metrics_text(&f, "gw-h50").await;
    assert_eq!(
        metric_value(&text, "lienthong_overdue_completions"),
        Some(due_here as f64)
    );
    assert!(metric_value(&text, "lienthong_overdue_receipt_notices").is_some());

    // Only a gateway's parent may ask for its figures, and bad periods are refused.
    let stranger = f.client("gw-h50-giomai", Some("gateways/gw-g22")).unwrap();
    let a = stranger
        .get(&format!(
            "/v1/reports/gateway?from=2026-11-01&to=2026-11-30&nonce={}",
            ids[&1]
        ))
        .await
        .unwrap();
    assert_eq!(a.status, 403, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    for q in [
        "month=2026-13",
        "from=2026-11-30&to=2026-11-01",
        "month=2026-11&quarter=2026Q4",
        "",
        "month=2026-11&scope=world",
        "month=2026-11&format=pdf",
        "from=2000-01-01&to=2026-01-01",
    ] {
        let a = ops.get(&format!("/v1/reports/agencies?{q}")).await.unwrap();
        assert_eq!(a.status, 400, "{q}: {}", String::from_utf8_lossy(&a.body));
        assert_eq!(
            a.error_code().as_deref(),
            Some("request.bad_request"),
            "{q}"
        );
    }
    let dms_asks = dms[STC]
        .get("/v1/reports/agencies?month=2026-11")
        .await
        .unwrap();
    assert_eq!(dms_asks.status, 403);

    // A stopped gateway is named, and its agencies are not in the report.
    f.stop("gw-h50-giomai").await;
    let partial = report(&f, "gw-h50", "month=2026-11&scope=subtree").await;
    let missing = partial["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{partial}");
    assert_eq!(missing[0]["gateway"], "gw-h50-giomai");
    assert!(!missing[0]["reason"].as_str().unwrap().is_empty());
    assert!(!rows(&partial).contains_key(XA));
    check_rows(
        &rows(&partial),
        &want,
        &[UBND, VP, STC, HUYEN],
        "without the commune",
    );
    f.stop_all().await;
}

/// The report's XLSX: a header row in Vietnamese, frozen panes, number formats, bold totals,
/// and every cell equal to the JSON's.
async fn xlsx_matches_json(f: &Federation, json: &Value) {
    let Some(py) = lienthong_testkit::python_with("openpyxl") else {
        return;
    };
    let ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    let a = ops
        .get("/v1/reports/agencies?month=2026-11&scope=subtree&format=xlsx")
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(
        a.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let dir = tempdir("compliance-xlsx");
    let path = dir.join("report.xlsx");
    std::fs::write(&path, &a.body).unwrap();
    let script = r#"
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = []
for r in ws.iter_rows():
    rows.append([{"v": c.value, "fmt": c.number_format, "bold": bool(c.font and c.font.b)} for c in r])
print(json.dumps({"freeze": ws.freeze_panes, "rows": rows}, default=str))
"#;
    let out = std::process::Command::new(py)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let x: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(x["freeze"], "C2");
    let sheet = x["rows"].as_array().unwrap();
    let head: Vec<&str> = sheet[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["v"].as_str().unwrap())
        .collect();
    assert_eq!(
        head[..4],
        ["Cấp", "Mã định danh", "Tên cơ quan", "Văn bản đi điện tử"]
    );
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    // Data rows: each group's rows then its total, then the overall total.
    let mut expect: Vec<(&Value, bool)> = Vec::new();
    for g in json["groups"].as_array().unwrap() {
        expect.extend(g["rows"].as_array().unwrap().iter().map(|r| (r, false)));
        expect.push((&g["total"], true));
    }
    expect.push((&json["total"], true));
    for (i, (want, total)) in expect.iter().enumerate() {
        let row = sheet[i + 1].as_array().unwrap();
        let cell = |name: &str| &row[col(name)];
        assert_eq!(
            cell("Mã định danh")["v"].as_str().unwrap_or(""),
            want["agency"].as_str().unwrap()
        );
        for (name, key) in [
            ("Văn bản đi điện tử", "sent"),
            ("Ký số hợp lệ", "signed"),
            ("Văn bản đến", "received"),
            ("Báo nhận trong ngày", "same_day"),
            ("Từ chối (02)", "refused"),
            ("Thu hồi (13/15)", "recalled"),
            ("Hoàn thành đúng hạn (06)", "on_time"),
            ("Quá hạn chưa hoàn thành", "overdue_open"),
            ("Kèm bản giấy", "paper"),
        ] {
            assert_eq!(
                cell(name)["v"].as_f64(),
                want[key].as_f64(),
                "row {i} {name}"
            );
            assert_eq!(cell(name)["fmt"], "#,##0");
            assert_eq!(cell(name)["bold"], *total);
        }
        let share = cell("Tỷ lệ ký số");
        assert_eq!(
            share["v"].as_f64(),
            want["signed_ratio"].as_f64(),
            "row {i}"
        );
        assert_eq!(share["fmt"], "0.0%");
        assert_eq!(
            cell("Điểm")["v"].as_f64(),
            want["score"].as_f64(),
            "row {i}"
        );
        assert_eq!(cell("Điểm")["fmt"], "0.00");
    }
    // The rule is written under the table.
    let footer: Vec<String> = sheet[expect.len() + 1..]
        .iter()
        .filter_map(|r| r[0]["v"].as_str().map(str::to_owned))
        .collect();
    assert!(
        footer.iter().any(|l| l.starts_with("Điểm = 1")),
        "{footer:?}"
    );
}
