//! `track`: a message's trail across gateways, and its receipts.

use lienthong_types::Code;
use std::io::Write;
use std::process::ExitCode;

use serde_json::Value;

use super::common::*;

/// `track [--json] ID`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrackArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id `send` printed.
    pub(super) id: String,
    /// Save each signed receipt this gateway holds into DIR (`ID.hopN.GATEWAY.receipt.xml`),
    /// to keep with the document and verify offline: `lienthong verify --trust CA
    /// --document DOC RECEIPT`.
    #[arg(long, value_name = "DIR")]
    pub(super) receipts: Option<std::path::PathBuf>,
    /// Print the gateway's JSON.
    #[arg(long)]
    pub(super) json: bool,
}

pub(crate) fn track(a: &TrackArgs) -> ExitCode {
    block_on(a.json, async {
        let client = connect(&a.conn)?;
        let v = ok(client
            .get(&format!("/v1/documents/{}?trail=true", enc(&a.id)))
            .await)?
        .json();
        if a.json {
            print_json(&v);
        } else {
            print_track(&v);
        }
        if let Some(dir) = &a.receipts {
            save_receipts(&v, dir)?;
        }
        Ok(0)
    })
}

/// Write the receipts of a tracking answer as files, byte for byte as the peers signed them.
pub(super) fn save_receipts(v: &Value, dir: &std::path::Path) -> Result<(), Fail> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Fail::local(Code::IoWrite, format!("{}: {e}", dir.display())))?;
    let id = text(&v["id"]);
    // This gateway's receipts, then those of every gateway down the path (the trail).
    let mut receipts = v["receipts"].as_array().cloned().unwrap_or_default();
    let mut nodes: Vec<Value> = v["trail"].as_array().cloned().unwrap_or_default();
    while let Some(node) = nodes.pop() {
        receipts.extend(node["receipts"].as_array().cloned().unwrap_or_default());
        nodes.extend(node["next"].as_array().cloned().unwrap_or_default());
    }
    for r in &receipts {
        let Some(xml) = r["xml"].as_str() else {
            continue;
        };
        // Names come from the gateway's answer: keep only what is safe in a file name.
        let safe = |s: String| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let name = format!(
            "{}.hop{}.{}.receipt.xml",
            safe(id.clone()),
            safe(text(&r["receipt"]["hop"])),
            safe(text(&r["hop"]))
        );
        let path = dir.join(name.trim_start_matches('.'));
        std::fs::write(&path, xml.as_bytes())
            .map_err(|e| Fail::local(Code::IoWrite, format!("{}: {e}", path.display())))?;
        note!("saved {}", path.display());
    }
    if receipts.is_empty() {
        note!("no receipts yet: the message has not been handed to another gateway");
    }
    Ok(())
}

pub(super) fn print_track(v: &Value) {
    let m = &v["message"];
    out!(
        "{} {} from {}: {}",
        text(&v["id"]),
        text(&m["kind"]),
        text(&m["sender"]),
        text(&m["state"])
    );
    if !m["document_id"].is_null() {
        out!("  document: {}", text(&m["document_id"]));
    }
    out!("  sha256:   {}", text(&m["sha256"]));
    out!("  accepted: {}", time(&m["accepted_at"]));
    if let Some(origin) = m["origin"].as_object()
        && origin.get("type").and_then(Value::as_str) == Some("relayed")
    {
        out!(
            "  relayed from {} (hops {})",
            origin.get("from_gateway").map(text).unwrap_or_default(),
            origin.get("hops").map(text).unwrap_or_default()
        );
    }
    let sig = &m["signature"];
    if sig.is_object() {
        out!(
            "  signature: {}{}",
            text(&sig["verdict"]),
            if sig["recorded"] == true {
                " (accepted under a record policy)"
            } else {
                ""
            }
        );
        for p in sig["pdfs"].as_array().into_iter().flatten() {
            let signers: Vec<String> = p["signers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    format!(
                        "{} {}{}: {}",
                        text(&x["role"]),
                        x["name"].as_str().unwrap_or("?"),
                        x["agency"]
                            .as_str()
                            .map(|a| format!(" ({a})"))
                            .unwrap_or_default(),
                        text(&x["verdict"])
                    )
                })
                .collect();
            out!(
                "  pdf {}: {}{}{}",
                text(&p["name"]),
                text(&p["verdict"]),
                if p["sender_signed"] == true {
                    ", signed by the sending agency"
                } else {
                    ""
                },
                if signers.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", signers.join("; "))
                }
            );
        }
    }
    if let Some(rs) = m["recipients"].as_object() {
        out!("recipients:");
        for (code, st) in rs {
            out!("  {code}  {}", tagged(st, "state"));
        }
    }
    // How far each recipient's copy got, asked gateway by gateway down the path.
    if let Some(e2e) = v["end_to_end"].as_object() {
        out!("end to end:");
        for (code, st) in e2e {
            let mut st = st.clone();
            let gateway = st
                .as_object_mut()
                .and_then(|o| o.remove("gateway"))
                .map(|g| text(&g))
                .unwrap_or_default();
            out!("  {code}  at {gateway}: {}", tagged(&st, "state"));
        }
    }
    if let Some(q) = v["queue"].as_array().filter(|q| !q.is_empty()) {
        out!("queue:");
        for e in q {
            out!(
                "  {}  {}  attempt {}  due {}  for {}",
                text(&e["hop"]),
                tagged(&e["status"], "status"),
                text(&e["attempt"]),
                time(&e["due"]),
                text(&e["recipients"])
            );
        }
    }
    let receipts = v["receipts"].as_array().cloned().unwrap_or_default();
    out!(
        "receipts:{}",
        if receipts.is_empty() { " none" } else { "" }
    );
    for r in &receipts {
        let rc = &r["receipt"];
        if rc.is_object() {
            let at = rc["received_at_ms"].clone();
            out!(
                "  hop {}  received by {}  at {}",
                text(&rc["hop"]),
                text(&rc["receiving_gateway"]),
                time(&at)
            );
        } else {
            out!(
                "  to {}  at {}  (the stored receipt could not be read)",
                text(&r["hop"]),
                time(&r["at"])
            );
        }
    }
    let statuses = v["statuses"].as_array().cloned().unwrap_or_default();
    out!(
        "statuses:{}",
        if statuses.is_empty() { " none" } else { "" }
    );
    for s in &statuses {
        out!(
            "  {} {}  from {}  at {}",
            text(&s["status_code"]),
            text(&s["label"]),
            text(&s["from"]),
            time(&s["received_at"])
        );
    }
    let history = v["history"].as_array().cloned().unwrap_or_default();
    out!("history:");
    for h in &history {
        out!("  {}  {}", time(&h["at"]), tagged(&h["event"], "event"));
    }
}
