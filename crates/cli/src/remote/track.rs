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
    #[arg(help = say!("remote-help-track-id"))]
    pub(super) id: String,
    /// Save each signed receipt this gateway holds into DIR (`ID.hopN.GATEWAY.receipt.xml`),
    /// to keep with the document and verify offline: `lienthong verify --trust CA
    /// --document DOC RECEIPT`.
    #[arg(long, value_name = "DIR", help = say!("remote-help-track-receipts"))]
    pub(super) receipts: Option<std::path::PathBuf>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-track-json"))]
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
        note!(
            "{}",
            say!("remote-track-saved", path = path.display().to_string())
        );
    }
    if receipts.is_empty() {
        note!("{}", say!("remote-track-no-receipts"));
    }
    Ok(())
}

pub(super) fn print_track(v: &Value) {
    let m = &v["message"];
    out!(
        "{}",
        say!(
            "remote-track-head",
            id = text(&v["id"]),
            kind = kind(&m["kind"]),
            sender = text(&m["sender"]),
            state = text(&m["state"])
        )
    );
    if !m["document_id"].is_null() {
        let id = text(&m["document_id"]);
        out!("  {}", say!("remote-track-document", document = id));
    }
    out!(
        "  {}",
        say!("remote-track-sha256", sha256 = text(&m["sha256"]))
    );
    out!(
        "  {}",
        say!("remote-track-accepted", at = time(&m["accepted_at"]))
    );
    if let Some(origin) = m["origin"].as_object()
        && origin.get("type").and_then(Value::as_str) == Some("relayed")
    {
        out!(
            "  {}",
            say!(
                "remote-track-relayed",
                gateway = origin.get("from_gateway").map(text).unwrap_or_default(),
                hops = origin.get("hops").map(text).unwrap_or_default()
            )
        );
    }
    let sig = &m["signature"];
    if sig.is_object() {
        let verdict = text(&sig["verdict"]);
        if sig["recorded"] == true {
            out!(
                "  {}",
                say!("remote-track-signature-recorded", verdict = verdict)
            );
        } else {
            out!("  {}", say!("remote-track-signature", verdict = verdict));
        }
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
            let (name, verdict) = (text(&p["name"]), text(&p["verdict"]));
            out!(
                "  {}{}{}",
                say!("remote-track-pdf", name = name, verdict = verdict),
                if p["sender_signed"] == true {
                    format!(", {}", say!("remote-track-pdf-sender-signed"))
                } else {
                    String::new()
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
        out!("{}", say!("remote-track-recipients"));
        for (code, st) in rs {
            out!("  {code}  {}", tagged(st, "state"));
        }
    }
    // How far each recipient's copy got, asked gateway by gateway down the path.
    if let Some(e2e) = v["end_to_end"].as_object() {
        out!("{}", say!("remote-track-end-to-end"));
        for (code, st) in e2e {
            let mut st = st.clone();
            let gateway = st
                .as_object_mut()
                .and_then(|o| o.remove("gateway"))
                .map(|g| text(&g))
                .unwrap_or_default();
            let state = tagged(&st, "state");
            out!(
                "  {code}  {}",
                say!("remote-track-at-gateway", gateway = gateway, state = state)
            );
        }
    }
    if let Some(q) = v["queue"].as_array().filter(|q| !q.is_empty()) {
        out!("{}", say!("remote-track-queue"));
        for e in q {
            out!(
                "  {}",
                say!(
                    "remote-track-queue-entry",
                    hop = text(&e["hop"]),
                    status = tagged(&e["status"], "status"),
                    attempt = text(&e["attempt"]),
                    due = time(&e["due"]),
                    recipients = text(&e["recipients"])
                )
            );
        }
    }
    let receipts = v["receipts"].as_array().cloned().unwrap_or_default();
    if receipts.is_empty() {
        out!("{}", say!("remote-track-receipts-none"));
    } else {
        out!("{}", say!("remote-track-receipts"));
    }
    for r in &receipts {
        let rc = &r["receipt"];
        let line = if rc.is_object() {
            say!(
                "remote-track-receipt",
                hop = text(&rc["hop"]),
                gateway = text(&rc["receiving_gateway"]),
                at = time(&rc["received_at_ms"])
            )
        } else {
            say!(
                "remote-track-receipt-unreadable",
                hop = text(&r["hop"]),
                at = time(&r["at"])
            )
        };
        out!("  {line}");
    }
    let statuses = v["statuses"].as_array().cloned().unwrap_or_default();
    if statuses.is_empty() {
        out!("{}", say!("remote-track-statuses-none"));
    } else {
        out!("{}", say!("remote-track-statuses"));
    }
    for s in &statuses {
        let line = say!(
            "remote-track-status",
            code = text(&s["status_code"]),
            label = text(&s["label"]),
            from = text(&s["from"]),
            at = time(&s["received_at"])
        );
        out!("  {line}");
    }
    let history = v["history"].as_array().cloned().unwrap_or_default();
    out!("{}", say!("remote-track-history"));
    for h in &history {
        out!("  {}  {}", time(&h["at"]), tagged(&h["event"], "event"));
    }
}
