//! `inbox list|get|ack|signature`.

use lienthong_types::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use super::common::*;
use super::connection::*;

/// `inbox list|get|ack`.
#[derive(Debug, clap::Args)]
pub(crate) struct InboxArgs {
    #[command(subcommand)]
    pub(super) command: InboxCommand,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum InboxCommand {
    /// List the messages in the agency's inbox, oldest first.
    #[command(about = say!("remote-help-inbox-list"))]
    List(InboxList),
    /// Fetch one message's exact bytes (to stdout, or to a file with -o).
    #[command(about = say!("remote-help-inbox-get"))]
    Get(InboxGet),
    /// Acknowledge a fetched message: done, or fail with a note.
    #[command(about = say!("remote-help-inbox-ack"))]
    Ack(InboxAck),
    /// Who signed a message in the inbox, and whether the signature holds, as the gateway
    /// verifies it (exit 1 when it is not valid).
    #[command(about = say!("remote-help-inbox-signature"))]
    Signature(InboxSignature),
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxSignature {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    #[arg(help = say!("remote-help-inbox-signature-id"))]
    pub(super) id: String,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-inbox-signature-json"))]
    pub(super) json: bool,
}

/// What an inbox listing shows.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum Kind {
    /// Documents.
    #[value(help = say!("remote-help-inbox-list-kind-edoc"))]
    Edoc,
    /// Status packages.
    #[value(help = say!("remote-help-inbox-list-kind-status"))]
    Status,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxList {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Start after this cursor (the `next` of the previous page).
    #[arg(long, value_name = "CURSOR", help = say!("remote-help-inbox-list-after"))]
    pub(super) after: Option<u64>,
    /// At most this many messages (the gateway caps it at 1000).
    #[arg(long, value_name = "N", help = say!("remote-help-inbox-list-limit"))]
    pub(super) limit: Option<u32>,
    /// Only documents or only status packages.
    #[arg(long, value_enum, help = say!("remote-help-inbox-list-kind"))]
    pub(super) kind: Option<Kind>,
    /// When nothing is there, wait up to this many seconds (at most 60) for something to be
    /// delivered, and show it as soon as it is (long poll).
    #[arg(
        long,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(0..=60),
        help = say!("remote-help-inbox-list-wait")
    )]
    pub(super) wait: Option<u64>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-inbox-list-json"))]
    pub(super) json: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxGet {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    #[arg(help = say!("remote-help-inbox-get-id"))]
    pub(super) id: String,
    /// Write the bytes to this file instead of stdout.
    #[arg(short, long, value_name = "FILE", help = say!("remote-help-inbox-get-output"))]
    pub(super) output: Option<PathBuf>,
}

/// The result of taking over a message.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum AckResult {
    /// Taken over successfully.
    #[value(help = say!("remote-help-inbox-ack-result-done"))]
    Done,
    /// The DMS could not process it.
    #[value(help = say!("remote-help-inbox-ack-result-fail"))]
    Fail,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxAck {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    #[arg(help = say!("remote-help-inbox-ack-id"))]
    pub(super) id: String,
    /// done or fail.
    #[arg(long, value_enum, help = say!("remote-help-inbox-ack-result"))]
    pub(super) result: AckResult,
    /// A note for the sender's tracking (at most 4096 bytes).
    #[arg(long, help = say!("remote-help-inbox-ack-note"))]
    pub(super) note: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-inbox-ack-json"))]
    pub(super) json: bool,
}

pub(crate) fn inbox(a: &InboxArgs) -> ExitCode {
    match &a.command {
        InboxCommand::List(l) => block_on(l.json, inbox_list(l)),
        InboxCommand::Get(g) => block_on(false, inbox_get(g)),
        InboxCommand::Ack(k) => block_on(k.json, inbox_ack(k)),
        InboxCommand::Signature(g) => block_on(g.json, inbox_signature(g)),
    }
}

pub(super) async fn inbox_list(l: &InboxList) -> Result<u8, Fail> {
    let client =
        connect(&l.conn)?.with_timeout(std::time::Duration::from_secs(60 + l.wait.unwrap_or(0)));
    let wanted = l.kind.map(|k| match k {
        Kind::Edoc => "edoc".to_owned(),
        Kind::Status => "status".to_owned(),
    });
    let path = format!(
        "/v1/inbox{}",
        query(&[
            ("after", l.after.map(|c| c.to_string())),
            ("limit", l.limit.map(|n| n.to_string())),
            ("kind", wanted),
            ("wait", l.wait.map(|w| w.to_string())),
        ])
    );
    let v = ok(client.get(&path).await)?.json();
    if l.json {
        print_json(&v);
        return Ok(0);
    }
    let items = v["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        note!("{}", say!("remote-inbox-empty"));
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                text(&i["cursor"]),
                text(&i["id"]),
                kind(&i["kind"]),
                text(&i["sender"]),
                text(&i["size"]),
                time(&i["delivered_at"]),
                match i["acked"].as_str() {
                    Some("done") => say!("remote-inbox-acked-done"),
                    Some("fail") => say!("remote-inbox-acked-fail"),
                    _ => text(&i["acked"]),
                },
            ]
        })
        .collect();
    let head = header(&[
        "remote-inbox-col-cursor",
        "remote-inbox-col-id",
        "remote-inbox-col-kind",
        "remote-inbox-col-from",
        "remote-inbox-col-bytes",
        "remote-inbox-col-delivered",
        "remote-inbox-col-acked",
    ]);
    // Under each row, what a clerk knows the message by: number/symbol, subject, sender and
    // recipients with their names (the gateway's `view`; nothing more from one without).
    let mut lines = table_lines(&head, &rows).into_iter();
    if let Some(h) = lines.next() {
        out!("{h}");
    }
    for (i, line) in items.iter().zip(lines) {
        out!("{line}");
        for group in super::track::view_lines(i, &i["view"]) {
            out!("    {}", group.join("  "));
        }
    }
    if let Some(next) = v["next"].as_str() {
        note!("{}", say!("remote-next-page", next = next));
    }
    Ok(0)
}

pub(super) async fn inbox_signature(g: &InboxSignature) -> Result<u8, Fail> {
    let client = connect(&g.conn)?;
    let v = ok(client
        .get(&format!("/v1/inbox/{}/signature", enc(&g.id)))
        .await)?
    .json();
    let report = &v["signature"];
    if g.json {
        print_json(&v);
    } else {
        // The gateway's words in the language asked for, where it gives them.
        let mut v = v.clone();
        said_in_language(&mut v);
        let report = &v["signature"];
        let mut out = std::io::stdout().lock();
        let pdfs = v["attachments"].as_array().cloned().unwrap_or_default();
        let what = say!("remote-inbox-signature-of", id = &g.id);
        crate::verify::human(&mut out, report, &what, None)
            .and_then(|()| crate::verify::print_attachments(&mut out, &pdfs))
            .map_err(|e| Fail::local(Code::IoWrite, e.to_string()))?;
    }
    let pdfs_ok = v["attachments"]
        .as_array()
        .is_none_or(|a| a.iter().all(crate::verify_pdf::attachment_ok));
    Ok(if report["valid"] == true && pdfs_ok {
        0
    } else {
        1
    })
}

pub(super) async fn inbox_get(g: &InboxGet) -> Result<u8, Fail> {
    let client = connect(&g.conn)?;
    let a = ok(client.get(&format!("/v1/inbox/{}", enc(&g.id))).await)?;
    match &g.output {
        Some(p) => {
            std::fs::write(p, &a.body)
                .map_err(|e| Fail::local(Code::IoWrite, cannot_write(p, &e)))?;
            note!(
                "{}",
                say!(
                    "remote-inbox-written",
                    id = &g.id,
                    bytes = a.body.len(),
                    path = p.display().to_string()
                )
            );
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(&a.body).and_then(|()| o.flush()).map_err(|e| {
                Fail::local(
                    Code::IoWrite,
                    say!("remote-cannot-write-stdout", error = e.to_string()),
                )
            })?;
        }
    }
    Ok(0)
}

pub(super) async fn inbox_ack(k: &InboxAck) -> Result<u8, Fail> {
    let client = connect(&k.conn)?;
    let result = match k.result {
        AckResult::Done => "done",
        AckResult::Fail => "fail",
    };
    let mut body = json!({"result": result});
    if let Some(n) = &k.note {
        body["note"] = json!(n);
    }
    let v = ok(client
        .post_json(&format!("/v1/inbox/{}/ack", enc(&k.id)), &body)
        .await)?
    .json();
    if k.json {
        print_json(&v);
    } else {
        out!(
            "{}",
            say!("remote-inbox-acked", id = text(&v["id"]), result = result)
        );
    }
    Ok(0)
}

/// Wherever a report has `problems_text`, `notes_text` or `covers_text` (the gateway's
/// words in the reader's language), show those instead of the English lists.
fn said_in_language(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for key in ["problems", "notes", "covers"] {
                if let Some(t) = m.get(&format!("{key}_text")).cloned()
                    && t.is_array()
                {
                    m.insert(key.to_owned(), t);
                }
            }
            for x in m.values_mut() {
                said_in_language(x);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(said_in_language),
        _ => {}
    }
}
