//! `track`: a message's trail across gateways, and its receipts.

use lienthong_types::Code;
use std::io::Write;
use std::process::ExitCode;

use serde_json::Value;

use super::common::*;
use super::connection::*;

/// `track [--json] ID`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrackArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id `send` printed.
    #[arg(help = say!("remote-help-track-id"))]
    pub(super) id: String,
    /// Save each signed receipt, this gateway's and those of every gateway down the path,
    /// into DIR (`ID.hopN.GATEWAY.receipt.xml`), to keep with the document and verify
    /// offline: `lienthong verify --trust CA --document DOC RECEIPT`.
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
        let receipts = receipts_of(&v);
        // Saved before anything is printed: the list printed names files that are there.
        if let Some(dir) = &a.receipts {
            save_receipts(&receipts, dir)?;
        }
        if a.json {
            print_json(&v);
        } else {
            print_track(&v, &receipts, a.receipts.as_deref());
        }
        Ok(0)
    })
}

/// A receipt of a tracking answer, and the name of the file `--receipts` saves it in (none
/// when the answer carries no signed XML for it).
pub(super) struct Kept {
    /// The receipt as the gateway listed it (`hop`, `at`, `receipt`, `xml`).
    pub(super) entry: Value,
    /// `ID.hopN.GATEWAY.receipt.xml`.
    pub(super) file: Option<String>,
}

/// Names come from the gateway's answer: keep only what is safe in a file name.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Every receipt of a tracking answer: this gateway's, then those of the gateways down the
/// path (the trail), nearest first, each with its file name. `track` lists exactly these
/// and `--receipts` saves exactly these, so that the list and the folder agree.
pub(super) fn receipts_of(v: &Value) -> Vec<Kept> {
    let id = safe(&text(&v["id"]));
    let mut all: Vec<Value> = v["receipts"].as_array().cloned().unwrap_or_default();
    let mut level: Vec<Value> = v["trail"].as_array().cloned().unwrap_or_default();
    while !level.is_empty() {
        let mut next = Vec::new();
        for node in &level {
            all.extend(node["receipts"].as_array().cloned().unwrap_or_default());
            next.extend(node["next"].as_array().cloned().unwrap_or_default());
        }
        level = next;
    }
    // (file name, XML) of those kept: the same receipt twice is kept once, and two
    // receipts that would share a name get `.2`, `.3`… rather than overwrite each other.
    let mut named: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for entry in all {
        let Some(xml) = entry["xml"].as_str().map(str::to_owned) else {
            out.push(Kept { entry, file: None });
            continue;
        };
        let stem = format!(
            "{id}.hop{}.{}",
            safe(&text(&entry["receipt"]["hop"])),
            safe(&text(&entry["hop"]))
        );
        let stem = stem.trim_start_matches('.').to_owned();
        if named.iter().any(|(_, x)| *x == xml) {
            continue;
        }
        let mut file = format!("{stem}.receipt.xml");
        let mut n = 1;
        while named.iter().any(|(f, _)| *f == file) {
            n += 1;
            file = format!("{stem}.{n}.receipt.xml");
        }
        named.push((file.clone(), xml));
        out.push(Kept {
            entry,
            file: Some(file),
        });
    }
    out
}

/// Write the receipts of a tracking answer as files, byte for byte as the peers signed them.
pub(super) fn save_receipts(receipts: &[Kept], dir: &std::path::Path) -> Result<(), Fail> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Fail::local(Code::IoWrite, format!("{}: {e}", dir.display())))?;
    let mut saved = 0usize;
    for r in receipts {
        let (Some(file), Some(xml)) = (&r.file, r.entry["xml"].as_str()) else {
            continue;
        };
        let path = dir.join(file);
        std::fs::write(&path, xml.as_bytes())
            .map_err(|e| Fail::local(Code::IoWrite, format!("{}: {e}", path.display())))?;
        note!(
            "{}",
            say!("remote-track-saved", path = path.display().to_string())
        );
        saved += 1;
    }
    if saved == 0 {
        note!("{}", say!("remote-track-no-receipts"));
    }
    Ok(())
}

/// What a clerk knows a tracked or listed message by, from the gateway's `view` (nothing
/// from a gateway without one): its number/symbol and subject, then its sender and
/// recipients with their names; each group without its missing parts, none if empty.
pub(super) fn view_lines(m: &Value, view: &Value) -> Vec<Vec<String>> {
    if !view.is_object() {
        return Vec::new();
    }
    let mut document = Vec::new();
    if let Some(n) = view["number"].as_str() {
        document.push(say!("remote-view-number", number = n));
    }
    if let Some(s) = view["subject"].as_str() {
        document.push(say!("remote-view-subject", subject = s));
    }
    let mut parties = vec![say!(
        "remote-view-from",
        from = agency(&text(&m["sender"]), &view["sender_name"])
    )];
    let to: Vec<String> = view["recipients"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| agency(&text(&r["code"]), &r["name"]))
        .collect();
    if !to.is_empty() {
        parties.push(say!("remote-view-to", to = to.join(", ")));
    }
    [document, parties]
        .into_iter()
        .filter(|g| !g.is_empty())
        .collect()
}

/// `Name (CODE)`, or the code alone when the directory gives no name.
pub(super) fn agency(code: &str, name: &Value) -> String {
    match name.as_str() {
        Some(n) if !n.trim().is_empty() => format!("{n} ({code})"),
        _ => code.to_owned(),
    }
}

/// The tracking answer for a person. `receipts` are [`receipts_of`] it; with `--receipts
/// DIR` each is shown by the path it was saved at, else by its file name.
pub(super) fn print_track(v: &Value, receipts: &[Kept], dir: Option<&std::path::Path>) {
    let m = &v["message"];
    let view = &v["view"];
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
    for line in view_lines(m, view).into_iter().flatten() {
        out!("  {line}");
    }
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
        let seen = view["recipients"].as_array().cloned().unwrap_or_default();
        for (code, st) in rs {
            out!("  {code}  {}", tagged(st, "state"));
            // In words, and why a dead letter is dead: whole, wrapped under it.
            let Some(r) = seen
                .iter()
                .find(|r| r["code"].as_str() == Some(code.as_str()))
            else {
                continue;
            };
            if let Some(words) = r["state_text"].as_str() {
                out!("      {words}");
            }
            if let Some(why) = r["reason_text"].as_str() {
                for part in super::queue::wrap(why, super::queue::UNDER_ROW_WIDTH - 2) {
                    out!("      {part}");
                }
            }
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
    // Every receipt down the path, each with the file `--receipts` saves it in.
    if receipts.is_empty() {
        out!("{}", say!("remote-track-receipts-none"));
    } else {
        out!("{}", say!("remote-track-receipts"));
    }
    for kept in receipts {
        let r = &kept.entry;
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
        let file = match (&kept.file, dir) {
            (Some(f), Some(d)) => d.join(f).display().to_string(),
            (Some(f), None) => f.clone(),
            (None, _) => say!("remote-track-receipt-no-xml"),
        };
        out!("  {line}  {file}");
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
