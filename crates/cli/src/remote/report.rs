//! `report` (the compliance report) and `queue overdue` (what recipients owe past their
//! deadlines), for operators.

use std::io::Write;
use std::path::PathBuf;

use lienthong_compliance::{Day, Report, render};
use lienthong_types::Code;
use serde_json::Value;

use super::common::*;
use super::connection::*;

/// `report`: per agency, for a period, grouped by level (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    conn: Conn,
    /// First day (Vietnam time), with --to.
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        requires = "to",
        conflicts_with_all = ["month", "quarter"],
        help = say!("remote-help-report-from")
    )]
    from: Option<String>,
    /// Last day, included.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from", help = say!("remote-help-report-to"))]
    to: Option<String>,
    /// A month instead (default: this month so far).
    #[arg(long, value_name = "YYYY-MM", conflicts_with = "quarter", help = say!("remote-help-report-month"))]
    month: Option<String>,
    /// A quarter instead, e.g. 2026Q4.
    #[arg(long, value_name = "YYYYQn", help = say!("remote-help-report-quarter"))]
    quarter: Option<String>,
    /// This gateway's agencies, or also those of every gateway below it (a province's
    /// whole network); a gateway that does not answer is named.
    #[arg(
        long,
        default_value = "gateway",
        value_parser = ["gateway", "subtree"],
        help = say!("remote-help-report-scope")
    )]
    scope: String,
    /// A table on the terminal, or the file formats.
    #[arg(
        long,
        default_value = "table",
        value_parser = ["table", "csv", "xlsx", "json"],
        help = say!("remote-help-report-format")
    )]
    format: String,
    /// Write to this file instead of the terminal (required for xlsx).
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        required_if_eq("format", "xlsx"),
        help = say!("remote-help-report-out")
    )]
    out: Option<PathBuf>,
    // The headings' language is the command's own: the global `--lang`, else the locale.
}

/// `queue overdue`.
#[derive(Debug, clap::Args)]
pub(crate) struct QueueOverdue {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Only what this agency owes.
    #[arg(long, value_name = "CODE", help = say!("remote-help-queue-overdue-agency"))]
    pub(super) agency: Option<String>,
    /// At most this many of each kind (default 100).
    #[arg(long, value_name = "N", help = say!("remote-help-queue-overdue-limit"))]
    pub(super) limit: Option<usize>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-queue-overdue-json"))]
    pub(super) json: bool,
}

/// Exit codes: 0 the report; 1 the gateway refused, or the report is partial (a gateway
/// below did not answer: it is named); 2 a usage, file or connection problem.
pub(crate) fn report(a: &ReportArgs) -> std::process::ExitCode {
    block_on(a.format == "json" && a.out.is_none(), run(a))
}

fn params(a: &ReportArgs, format: &str) -> Vec<(&'static str, Option<String>)> {
    let month = match (&a.from, &a.month, &a.quarter) {
        (None, None, None) => Some(
            Day::of(lienthong_types::Timestamp::now_utc())
                .month()
                .to_string(),
        ),
        _ => a.month.clone(),
    };
    vec![
        ("from", a.from.clone()),
        ("to", a.to.clone()),
        ("month", month),
        ("quarter", a.quarter.clone()),
        ("scope", Some(a.scope.clone())),
        ("format", Some(format.to_owned())),
        ("lang", Some(crate::text::lang().tag().to_owned())),
    ]
}

async fn run(a: &ReportArgs) -> Result<u8, Fail> {
    let client = connect(&a.conn)?;
    // The table is drawn here from the JSON; the files come as the gateway made them.
    let wire = if a.format == "table" {
        "json"
    } else {
        a.format.as_str()
    };
    let answer = ok(client
        .get(&format!("/v1/reports/agencies{}", query(&params(a, wire))))
        .await)?;
    let missing = match wire {
        "json" => answer.json()["missing"].as_array().map_or(0, Vec::len),
        // The CSV and XLSX carry no list of missing gateways: ask for the JSON's count.
        _ => 0,
    };
    let bytes: Vec<u8> = if a.format == "table" {
        let report: Report = serde_json::from_slice(&answer.body).map_err(|e| {
            Fail::local(
                Code::Connection,
                say!("remote-report-unreadable", error = e.to_string()),
            )
        })?;
        render::text(&report, crate::text::lang()).into_bytes()
    } else {
        answer.body.to_vec()
    };
    match &a.out {
        Some(path) => {
            std::fs::write(path, &bytes)
                .map_err(|e| Fail::local(Code::IoWrite, cannot_write(path, &e)))?;
            note!(
                "{}",
                say!(
                    "remote-report-wrote",
                    path = path.display().to_string(),
                    bytes = bytes.len()
                )
            );
        }
        None => {
            let _ = std::io::stdout().lock().write_all(&bytes);
        }
    }
    if missing > 0 {
        note!("{}", say!("remote-report-partial", n = missing));
        return Ok(1);
    }
    Ok(0)
}

/// A due date in the gateway's JSON (`2026-12-10`, or days since 1970 as older gateways
/// write it), as `dd/MM/yyyy`.
fn due_day(v: &Value) -> Option<String> {
    let day = match v {
        Value::String(s) => s.parse::<Day>().ok()?,
        Value::Number(n) => Day(i32::try_from(n.as_i64()?).ok()?),
        _ => return None,
    };
    Some(day.vietnamese())
}

pub(super) async fn queue_overdue(o: &QueueOverdue) -> Result<u8, Fail> {
    let client = connect(&o.conn)?;
    let params = [
        ("agency", o.agency.clone()),
        ("limit", o.limit.map(|l| l.to_string())),
    ];
    let v = ok(client.get(&format!("/v1/overdue{}", query(&params))).await)?.json();
    if o.json {
        print_json(&v);
        return Ok(0);
    }
    let named = |code: &Value, name: &Value| match name.as_str() {
        Some(n) => format!("{} ({n})", text(code)),
        None => text(code),
    };
    let now = lienthong_types::Timestamp::now_utc();
    for (key, total) in [
        ("notices", "notices_total"),
        ("completions", "completions_total"),
    ] {
        let items = v[key].as_array().cloned().unwrap_or_default();
        let count = text(&v[total]);
        if key == "notices" {
            out!("{}", say!("remote-overdue-notices", total = count));
        } else {
            out!("{}", say!("remote-overdue-completions", total = count));
        }
        if items.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                let deadline = time_of(&i["deadline"]);
                vec![
                    named(&i["agency"], &i["agency_name"]),
                    named(&i["sender"], &i["sender_name"]),
                    text(&i["number"]),
                    time(&i["delivered_at"]),
                    due_day(&i["due"]).unwrap_or_else(|| time(&i["deadline"])),
                    deadline.map_or_else(|| "-".to_owned(), |d| age(now.millis_since(d) / 1000)),
                    match i["priority"].as_u64() {
                        Some(p) if p > 0 => say!("remote-overdue-priority", p = p),
                        _ => String::new(),
                    },
                    text(&i["subject"]),
                ]
            })
            .collect();
        let head = header(&[
            "remote-overdue-col-recipient",
            "remote-overdue-col-sender",
            "remote-overdue-col-number",
            "remote-overdue-col-delivered",
            "remote-overdue-col-due",
            "remote-overdue-col-late",
            "remote-overdue-col-urgent",
            "remote-overdue-col-subject",
        ]);
        table(&head, &rows);
        let shown = items.len() as u64;
        if v[total].as_u64().unwrap_or(0) > shown {
            out!("{}", say!("remote-overdue-first", n = shown));
        }
    }
    Ok(0)
}
