//! `inbox list|get|ack|signature`.

use lienthong_types::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use super::common::*;

/// `inbox list|get|ack`.
#[derive(Debug, clap::Args)]
pub(crate) struct InboxArgs {
    #[command(subcommand)]
    pub(super) command: InboxCommand,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum InboxCommand {
    /// List the messages in the agency's inbox, oldest first.
    List(InboxList),
    /// Fetch one message's exact bytes (to stdout, or to a file with -o).
    Get(InboxGet),
    /// Acknowledge a fetched message: done, or fail with a note.
    Ack(InboxAck),
    /// Who signed a message in the inbox, and whether the signature holds, as the gateway
    /// verifies it (exit 1 when it is not valid).
    Signature(InboxSignature),
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxSignature {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    pub(super) id: String,
    /// Print the gateway's JSON.
    #[arg(long)]
    pub(super) json: bool,
}

/// What an inbox listing shows.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum Kind {
    /// Documents.
    Edoc,
    /// Status packages.
    Status,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxList {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Start after this cursor (the `next` of the previous page).
    #[arg(long, value_name = "CURSOR")]
    pub(super) after: Option<u64>,
    /// At most this many messages (the gateway caps it at 1000).
    #[arg(long, value_name = "N")]
    pub(super) limit: Option<u32>,
    /// Only documents or only status packages.
    #[arg(long, value_enum)]
    pub(super) kind: Option<Kind>,
    /// When nothing is there, wait up to this many seconds (at most 60) for something to be
    /// delivered, and show it as soon as it is (long poll).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=60))]
    pub(super) wait: Option<u64>,
    /// Print the gateway's JSON.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxGet {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    pub(super) id: String,
    /// Write the bytes to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
}

/// The result of taking over a message.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum AckResult {
    /// Taken over successfully.
    Done,
    /// The DMS could not process it.
    Fail,
}

#[derive(Debug, clap::Args)]
pub(super) struct InboxAck {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id.
    pub(super) id: String,
    /// done or fail.
    #[arg(long, value_enum)]
    pub(super) result: AckResult,
    /// A note for the sender's tracking (at most 4096 bytes).
    #[arg(long)]
    pub(super) note: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long)]
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
    let kind = l.kind.map(|k| match k {
        Kind::Edoc => "edoc".to_owned(),
        Kind::Status => "status".to_owned(),
    });
    let path = format!(
        "/v1/inbox{}",
        query(&[
            ("after", l.after.map(|c| c.to_string())),
            ("limit", l.limit.map(|n| n.to_string())),
            ("kind", kind),
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
        note!("the inbox has nothing after this cursor");
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                text(&i["cursor"]),
                text(&i["id"]),
                text(&i["kind"]),
                text(&i["sender"]),
                text(&i["size"]),
                time(&i["delivered_at"]),
                text(&i["acked"]),
            ]
        })
        .collect();
    table(
        &[
            "CURSOR",
            "ID",
            "KIND",
            "FROM",
            "BYTES",
            "DELIVERED",
            "ACKED",
        ],
        &rows,
    );
    if let Some(next) = v["next"].as_str() {
        note!("next page: --after {next}");
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
        let mut out = std::io::stdout().lock();
        let pdfs = v["attachments"].as_array().cloned().unwrap_or_default();
        crate::verify::human(&mut out, report, &format!("message {}", g.id), None)
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
            std::fs::write(p, &a.body).map_err(|e| {
                Fail::local(Code::IoWrite, format!("cannot write {}: {e}", p.display()))
            })?;
            note!(
                "{}: {} bytes written to {}",
                g.id,
                a.body.len(),
                p.display()
            );
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(&a.body)
                .and_then(|()| o.flush())
                .map_err(|e| Fail::local(Code::IoWrite, format!("cannot write to stdout: {e}")))?;
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
        out!("{}: acknowledged ({result})", text(&v["id"]));
    }
    Ok(0)
}
