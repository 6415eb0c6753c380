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

/// `send [--json] [--concurrency N] PATH`.
#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// An edXML file, or a folder: every `*.edxml` file in it is sent, in name order.
    pub(super) path: PathBuf,
    /// Print the gateway's JSON (for a folder: one object with every file's answer).
    #[arg(long)]
    pub(super) json: bool,
    /// Files in flight at once when sending a folder.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(super) concurrency: u16,
}

/// `status [--json] FILE`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The status package (edXML with a StatusCode).
    pub(super) file: PathBuf,
    /// Print the gateway's JSON.
    #[arg(long)]
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
    /// The gateway could not be reached.
    Unreachable(String),
}

impl Sent {
    pub(super) fn exit(&self) -> u8 {
        match self {
            Sent::Accepted(_) => 0,
            Sent::Refused(_) => 1,
            Sent::Unreadable(_) | Sent::Unreachable(_) => 2,
        }
    }
}

pub(super) async fn send_one(client: &ApiClient, path: &Path) -> Sent {
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) => return Sent::Unreadable(format!("cannot read {}: {e}", path.display())),
    };
    match client.submit(bytes).await {
        Ok(a) if a.status.is_success() => Sent::Accepted(a.json()),
        Ok(a) => Sent::Refused(a),
        Err(e) => Sent::Unreachable(e),
    }
}

/// The human line of an accepted submission.
pub(super) fn accepted_line(file: &Path, v: &Value) -> String {
    let recipients = v["recipients"]
        .as_array()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let dup = if v["duplicate"] == true {
        " (duplicate: already accepted)"
    } else {
        ""
    };
    format!(
        "{}: {} -> {recipients}{dup}",
        file.display(),
        text(&v["id"])
    )
}

/// The `*.edxml` files of a folder, sorted by name.
pub(super) fn edxml_files(dir: &Path) -> Result<Vec<PathBuf>, Fail> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| Fail::local(Code::IoRead, format!("cannot read {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| {
            Fail::local(Code::IoRead, format!("cannot read {}: {e}", dir.display()))
        })?;
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
            format!("{} holds no .edxml files", dir.display()),
        ));
    }
    Ok(files)
}

pub(crate) fn send(a: &SendArgs) -> ExitCode {
    block_on(a.json, async {
        if a.path.is_dir() {
            let files = edxml_files(&a.path)?;
            let client = connect(&a.conn)?;
            Ok(send_folder(client, files, a.json, usize::from(a.concurrency)).await)
        } else {
            let client = connect(&a.conn)?;
            match send_one(&client, &a.path).await {
                Sent::Accepted(v) => {
                    if a.json {
                        print_json(&v);
                    } else {
                        out!("{}", accepted_line(&a.path, &v));
                    }
                    Ok(0)
                }
                Sent::Refused(ans) => Err(Fail::Refused(Box::new(ans))),
                Sent::Unreadable(e) => Err(Fail::local(Code::IoRead, e)),
                Sent::Unreachable(e) => Err(Fail::local(Code::Connection, e)),
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
    concurrency: usize,
) -> u8 {
    let total = files.len();
    let pb = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {per_sec} eta {eta} {msg}")
    {
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
                Sent::Accepted(v) => out!("{}", accepted_line(file, v)),
                Sent::Refused(ans) => {
                    let r = refusal(ans);
                    note!("error: {}: {}: {}", file.display(), r.code, r.message);
                }
                Sent::Unreadable(e) | Sent::Unreachable(e) => {
                    note!("error: {}: {e}", file.display());
                }
            });
        }
        if matches!(sent, Sent::Unreachable(_)) {
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
                pb.suspend(|| note!("error: a submission task failed: {e}"));
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
                    Sent::Unreadable(e) | Sent::Unreachable(e) => {
                        failed += 1;
                        let code = if matches!(sent, Sent::Unreadable(_)) {
                            Code::IoRead
                        } else {
                            Code::Connection
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
        let mut s = format!(
            "{total} files: {accepted} accepted ({duplicates} already there), {refused} refused"
        );
        if failed > 0 {
            s.push_str(&format!(", {failed} failed"));
        }
        if not_sent > 0 {
            s.push_str(&format!(
                ", {not_sent} not sent (the gateway could not be reached)"
            ));
        }
        note!("{s}");
    }
    exit
}

pub(crate) fn status(a: &StatusArgs) -> ExitCode {
    block_on(a.json, async {
        let bytes = std::fs::read(&a.file).map_err(|e| {
            Fail::local(
                Code::IoRead,
                format!("cannot read {}: {e}", a.file.display()),
            )
        })?;
        let parsed = lienthong_edxml::read(&bytes).map_err(|e| {
            let p = e.position();
            Fail::local(
                Code::UsageNotEdxml,
                format!(
                    "{}:{}:{}: not readable as edXML: {e}",
                    a.file.display(),
                    p.line,
                    p.column
                ),
            )
        })?;
        let (code, label) = match &parsed.package {
            lienthong_edxml::Package::Status(s) => (
                s.status_code.wire().to_owned(),
                s.status_code.label_vi().to_owned(),
            ),
            lienthong_edxml::Package::Edoc(_) => {
                return Err(Fail::local(
                    Code::UsageNotStatus,
                    format!(
                        "{} is a document, not a status package (use `lienthong send`)",
                        a.file.display()
                    ),
                ));
            }
        };
        let client = connect(&a.conn)?;
        let v = ok(client.submit(bytes).await)?.json();
        if a.json {
            print_json(&v);
        } else {
            out!("{} (status {code} {label})", accepted_line(&a.file, &v));
        }
        Ok(0)
    })
}
