//! `send` (a file or a folder) and `status` (a sent document's state).

use lienthong_types::Code;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use lienthong_gateway::{Answer, ApiClient};
use serde_json::{Value, json};

use super::common::*;
use super::connection::*;

/// `send [--json] [--concurrency N] PATH`.
#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// An edXML file, or a folder: every `*.edxml` file in it is sent, in name order.
    #[arg(help = say!("remote-help-send-path"))]
    pub(super) path: PathBuf,
    /// Print the gateway's JSON (for a folder: one object with every file's answer).
    #[arg(long, help = say!("remote-help-send-json"))]
    pub(super) json: bool,
    /// Files in flight at once when sending a folder.
    #[arg(
        long,
        default_value_t = 8,
        value_parser = clap::value_parser!(u16).range(1..=64),
        help = say!("remote-help-send-concurrency")
    )]
    pub(super) concurrency: u16,
    /// Print only the message id of each accepted file, one per line (for scripts:
    /// `ID=$(lienthong send -q FILE)`).
    #[arg(short, long, conflicts_with = "json", help = say!("remote-help-send-quiet"))]
    pub(super) quiet: bool,
}

/// `status [--json] FILE`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The status package (edXML with a StatusCode).
    #[arg(help = say!("remote-help-status-file"))]
    pub(super) file: PathBuf,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-status-json"))]
    pub(super) json: bool,
}

/// What happened to one file.
pub(super) enum Sent {
    /// 2xx: the gateway's answer.
    Accepted(Value),
    /// The gateway refused it.
    Refused(Answer),
    /// The file could not be read.
    Unreadable(String),
    /// The gateway could not be reached: why, in words, and the code.
    Unreachable(Code, String),
}

impl Sent {
    pub(super) fn exit(&self) -> u8 {
        match self {
            Sent::Accepted(_) => 0,
            Sent::Refused(_) => 1,
            Sent::Unreadable(_) | Sent::Unreachable(..) => 2,
        }
    }
}

pub(super) async fn send_one(client: &ApiClient, path: &Path) -> Sent {
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) => return Sent::Unreadable(cannot_read(path, &e)),
    };
    match client.submit(bytes).await {
        Ok(a) if a.status.is_success() => Sent::Accepted(a.json()),
        Ok(a) => Sent::Refused(a),
        Err(e) => {
            let (code, message) = transport(&e);
            Sent::Unreachable(code, message)
        }
    }
}

/// The human line of an accepted submission.
pub(super) fn accepted_line(file: &Path, v: &Value) -> String {
    let recipients = v["recipients"]
        .as_array()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let (file, id) = (file.display().to_string(), text(&v["id"]));
    if v["duplicate"] == true {
        say!(
            "remote-send-accepted-duplicate",
            file = file,
            id = id,
            recipients = recipients
        )
    } else {
        say!(
            "remote-send-accepted",
            file = file,
            id = id,
            recipients = recipients
        )
    }
}

/// The `*.edxml` files of a folder, sorted by name.
pub(super) fn edxml_files(dir: &Path) -> Result<Vec<PathBuf>, Fail> {
    let rd = std::fs::read_dir(dir).map_err(|e| Fail::local(Code::IoRead, cannot_read(dir, &e)))?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Fail::local(Code::IoRead, cannot_read(dir, &e)))?;
        let p = entry.path();
        let is_edxml = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("edxml"));
        if is_edxml && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Fail::local(
            Code::UsageEmpty,
            say!("remote-send-no-edxml", dir = dir.display().to_string()),
        ));
    }
    Ok(files)
}

pub(crate) fn send(a: &SendArgs) -> ExitCode {
    block_on(a.json, async {
        if a.path.is_dir() {
            let files = edxml_files(&a.path)?;
            let client = connect(&a.conn)?;
            Ok(send_folder(client, files, a.json, a.quiet, usize::from(a.concurrency)).await)
        } else {
            let client = connect(&a.conn)?;
            match send_one(&client, &a.path).await {
                Sent::Accepted(v) => {
                    if a.json {
                        print_json(&v);
                    } else if a.quiet {
                        out!("{}", text(&v["id"]));
                    } else {
                        out!("{}", accepted_line(&a.path, &v));
                    }
                    Ok(0)
                }
                Sent::Refused(ans) => Err(Fail::Refused(Box::new(ans))),
                Sent::Unreadable(e) => Err(Fail::local(Code::IoRead, e)),
                Sent::Unreachable(code, e) => Err(Fail::local(code, e)),
            }
        }
    })
}

/// Send every file, `concurrency` at a time, with a progress bar on stderr (drawn only on a
/// terminal). Stops starting new files once the gateway cannot be reached.
pub(super) async fn send_folder(
    client: ApiClient,
    files: Vec<PathBuf>,
    json: bool,
    quiet: bool,
    concurrency: usize,
) -> u8 {
    let total = files.len();
    let pb = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    let template = format!(
        "{{spinner}} [{{bar:40}}] {{pos}}/{{len}} {{per_sec}} {} {{eta}} {{msg}}",
        say!("remote-send-eta")
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        pb.set_style(style.progress_chars("=> "));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut results: Vec<Option<Sent>> = Vec::new();
    results.resize_with(total, || None);
    let mut tasks = tokio::task::JoinSet::new();
    let mut queue = files.iter().cloned().enumerate();
    let mut record = |i: usize, sent: Sent, pb: &ProgressBar, stop: &AtomicBool| {
        let Some(file) = files.get(i) else { return };
        if !json {
            pb.suspend(|| match &sent {
                Sent::Accepted(v) if quiet => out!("{}", text(&v["id"])),
                Sent::Accepted(v) => out!("{}", accepted_line(file, v)),
                Sent::Refused(ans) => {
                    let r = refusal(ans);
                    let item = file.display().to_string();
                    let (code, message) = (r.code, r.message);
                    note!(
                        "{}",
                        say!(
                            "remote-error-item-refused",
                            item = item,
                            code = code,
                            message = message
                        )
                    );
                }
                Sent::Unreadable(e) | Sent::Unreachable(_, e) => {
                    let item = file.display().to_string();
                    note!("{}", say!("remote-error-item", item = item, error = e));
                }
            });
        }
        if matches!(sent, Sent::Unreachable(..)) {
            stop.store(true, Ordering::Relaxed);
        }
        pb.inc(1);
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(sent);
        }
    };
    loop {
        while tasks.len() < concurrency && !stop.load(Ordering::Relaxed) {
            let Some((i, path)) = queue.next() else { break };
            let c = client.clone();
            tasks.spawn(async move { (i, send_one(&c, &path).await) });
        }
        match tasks.join_next().await {
            Some(Ok((i, sent))) => record(i, sent, &pb, &stop),
            Some(Err(e)) => {
                // A task that panicked or was cancelled: nothing to attribute it to.
                pb.suspend(|| note!("{}", say!("remote-send-task-failed", error = e.to_string())));
                stop.store(true, Ordering::Relaxed);
            }
            None => break,
        }
    }
    pb.finish_and_clear();

    let mut accepted = 0usize;
    let mut duplicates = 0usize;
    let mut refused = 0usize;
    let mut failed = 0usize;
    let mut not_sent = 0usize;
    let mut exit = 0u8;
    let mut rows = Vec::new();
    for (file, r) in files.iter().zip(&results) {
        let file_s = file.display().to_string();
        match r {
            Some(sent) => {
                exit = exit.max(sent.exit());
                match sent {
                    Sent::Accepted(v) => {
                        accepted += 1;
                        if v["duplicate"] == true {
                            duplicates += 1;
                        }
                        rows.push(json!({"file": file_s, "status": "accepted", "response": v}));
                    }
                    Sent::Refused(ans) => {
                        refused += 1;
                        rows.push(json!({"file": file_s, "status": "refused",
                            "http_status": ans.status.as_u16(), "response": refusal(ans).body}));
                    }
                    Sent::Unreadable(e) | Sent::Unreachable(_, e) => {
                        failed += 1;
                        let code = match sent {
                            Sent::Unreachable(code, _) => *code,
                            _ => Code::IoRead,
                        };
                        rows.push(json!({"file": file_s, "status": "failed",
                            "response": {"error": {"code": code, "message": e, "detail": {}}}}));
                    }
                }
            }
            None => {
                not_sent += 1;
                exit = 2;
                rows.push(json!({"file": file_s, "status": "not_sent"}));
            }
        }
    }
    if json {
        print_json(&json!({
            "files": total, "accepted": accepted, "duplicates": duplicates,
            "refused": refused, "failed": failed, "not_sent": not_sent, "results": rows,
        }));
    } else {
        let mut s = say!(
            "remote-send-summary",
            total = total,
            accepted = accepted,
            duplicates = duplicates,
            refused = refused
        );
        if failed > 0 {
            s.push_str(", ");
            s.push_str(&say!("remote-send-summary-failed", failed = failed));
        }
        if not_sent > 0 {
            s.push_str(", ");
            s.push_str(&say!("remote-send-summary-not-sent", n = not_sent));
        }
        note!("{s}");
    }
    exit
}

pub(crate) fn status(a: &StatusArgs) -> ExitCode {
    block_on(a.json, async {
        let bytes = std::fs::read(&a.file)
            .map_err(|e| Fail::local(Code::IoRead, cannot_read(&a.file, &e)))?;
        let parsed = lienthong_edxml::read(&bytes).map_err(|e| {
            let p = e.position();
            Fail::local(
                Code::UsageNotEdxml,
                say!(
                    "remote-status-not-edxml",
                    file = a.file.display().to_string(),
                    line = p.line.to_string(),
                    column = p.column.to_string(),
                    error = e.to_string()
                ),
            )
        })?;
        // The status's name as QCVN 102 writes it (the gateway's tracking shows the same).
        let (code, label) = match &parsed.package {
            lienthong_edxml::Package::Status(s) => (
                s.status_code.wire().to_owned(),
                s.status_code.label_vi().to_owned(),
            ),
            lienthong_edxml::Package::Edoc(_) => {
                return Err(Fail::local(
                    Code::UsageNotStatus,
                    say!(
                        "remote-status-is-document",
                        file = a.file.display().to_string()
                    ),
                ));
            }
        };
        let client = connect(&a.conn)?;
        let v = ok(client.submit(bytes).await)?.json();
        if a.json {
            print_json(&v);
        } else {
            let line = accepted_line(&a.file, &v);
            out!(
                "{}",
                say!(
                    "remote-status-sent",
                    line = line,
                    code = code,
                    label = label
                )
            );
        }
        Ok(0)
    })
}
