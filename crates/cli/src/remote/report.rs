//! `report` (the compliance report) and `queue overdue` (what recipients owe past their
//! deadlines), for operators.

use std::io::Write;
use std::path::PathBuf;

use lienthong_compliance::{Day, Lang, Report, render};
use lienthong_types::Code;
use serde_json::Value;

use super::common::*;

/// `report`: per agency, for a period, grouped by level (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    conn: Conn,
    /// First day (Vietnam time), with --to.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to", conflicts_with_all = ["month", "quarter"])]
    from: Option<String>,
    /// Last day, included.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<String>,
    /// A month instead (default: this month so far).
    #[arg(long, value_name = "YYYY-MM", conflicts_with = "quarter")]
    month: Option<String>,
    /// A quarter instead, e.g. 2026Q4.
    #[arg(long, value_name = "YYYYQn")]
    quarter: Option<String>,
    /// This gateway's agencies, or also those of every gateway below it (a province's
    /// whole network); a gateway that does not answer is named.
    #[arg(long, default_value = "gateway", value_parser = ["gateway", "subtree"])]
    scope: String,
    /// A table on the terminal, or the file formats.
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "xlsx", "json"])]
    format: String,
    /// Write to this file instead of the terminal (required for xlsx).
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        required_if_eq("format", "xlsx")
    )]
    out: Option<PathBuf>,
    /// The headings' language.
    #[arg(long, default_value = "vi", value_parser = ["vi", "en"])]
    lang: String,
}

/// `queue overdue`.
#[derive(Debug, clap::Args)]
pub(crate) struct QueueOverdue {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Only what this agency owes.
    #[arg(long, value_name = "CODE")]
    pub(super) agency: Option<String>,
    /// At most this many of each kind (default 100).
    #[arg(long, value_name = "N")]
    pub(super) limit: Option<usize>,
    /// Print the gateway's JSON.
    #[arg(long)]
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
        ("lang", Some(a.lang.clone())),
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
                format!("the gateway's report is unreadable: {e}"),
            )
        })?;
        let lang = if a.lang == "en" { Lang::En } else { Lang::Vi };
        render::text(&report, lang).into_bytes()
    } else {
        answer.body.to_vec()
    };
    match &a.out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                Fail::local(
                    Code::IoWrite,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            note!("wrote {} ({} bytes)", path.display(), bytes.len());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(&bytes);
        }
    }
    if missing > 0 {
        note!(
            "the report is partial: {missing} gateway(s) below did not answer (named in the report)"
        );
        return Ok(1);
    }
    Ok(0)
}

/// `dd/MM/yyyy HH:mm`, Vietnam time, of milliseconds since the epoch.
fn vn_time(v: &Value) -> String {
    let Some(ms) = v.as_u64() else {
        return "-".to_owned();
    };
    let t = lienthong_types::Timestamp::from_millis(ms);
    let local = (ms + 7 * 3_600_000) % 86_400_000;
    format!(
        "{} {:02}:{:02}",
        Day::of(t).vietnamese(),
        local / 3_600_000,
        local / 60_000 % 60
    )
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
    let now = serde_json::json!(lienthong_types::Timestamp::now_utc().as_millis());
    for (key, total, title) in [
        (
            "notices",
            "notices_total",
            "receipt notices (01/02) overdue",
        ),
        (
            "completions",
            "completions_total",
            "completions (06) past the due date",
        ),
    ] {
        let items = v[key].as_array().cloned().unwrap_or_default();
        out!("{}: {}", title, text(&v[total]));
        if items.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                let late = now
                    .as_u64()
                    .unwrap_or(0)
                    .saturating_sub(i["deadline"].as_u64().unwrap_or(0));
                vec![
                    named(&i["agency"], &i["agency_name"]),
                    named(&i["sender"], &i["sender_name"]),
                    text(&i["number"]),
                    vn_time(&i["delivered_at"]),
                    match i["due"].as_str() {
                        Some(d) => d.to_owned(),
                        None => vn_time(&i["deadline"]),
                    },
                    age(late / 1000),
                    match i["priority"].as_u64() {
                        Some(p) if p > 0 => format!("P{p}"),
                        _ => String::new(),
                    },
                    text(&i["subject"]),
                ]
            })
            .collect();
        table(
            &[
                "RECIPIENT",
                "SENDER",
                "NUMBER",
                "DELIVERED",
                "DUE",
                "LATE",
                "URGENT",
                "SUBJECT",
            ],
            &rows,
        );
        let shown = items.len() as u64;
        if v[total].as_u64().unwrap_or(0) > shown {
            out!("(first {shown}; --limit N for more)");
        }
    }
    Ok(0)
}
