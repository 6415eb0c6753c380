//! Client commands that talk to a gateway over mutual TLS: `send`, `inbox list|get|ack`,
//! `status`, `track` and `queue …`.
//!
//! Every command takes `--gateway URL --cert FILE --key FILE --ca FILE`. Human output is a
//! few lines or a table; `--json` prints the gateway's JSON answer as it came. Exit codes:
//! 0 success; 1 the gateway refused (printed as `error: CODE: MESSAGE` on stderr, and with
//! `--json` the gateway's error object on stdout); 2 a usage, file or connection problem.

use lienthong_types::Code;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use lienthong_gateway::{Answer, ApiClient};
use lienthong_store::MessageState;
use serde_json::{Value, json};

/// Print a line on stdout; a closed pipe is not an error worth a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Print a line on stderr.
macro_rules! note {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

/// Connection options shared by the client commands.
#[derive(Debug, clap::Args)]
pub(crate) struct Conn {
    /// Gateway URL, e.g. https://127.0.0.1:8441
    #[arg(long, value_name = "URL")]
    gateway: String,
    /// Client certificate (PEM): an agency DMS certificate, or an operator's for `queue`.
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// Client key (PKCS#8 PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// CA certificate(s) the gateway's certificate chains to (PEM), repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    ca: Vec<PathBuf>,
}

/// `send [--json] [--concurrency N] PATH`.
#[derive(Debug, clap::Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    conn: Conn,
    /// An edXML file, or a folder: every `*.edxml` file in it is sent, in name order.
    path: PathBuf,
    /// Print the gateway's JSON (for a folder: one object with every file's answer).
    #[arg(long)]
    json: bool,
    /// Files in flight at once when sending a folder.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
}

/// `inbox list|get|ack`.
#[derive(Debug, clap::Args)]
pub(crate) struct InboxArgs {
    #[command(subcommand)]
    command: InboxCommand,
}

#[derive(Debug, clap::Subcommand)]
enum InboxCommand {
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
struct InboxSignature {
    #[command(flatten)]
    conn: Conn,
    /// The message id.
    id: String,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// What an inbox listing shows.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Kind {
    /// Documents.
    Edoc,
    /// Status packages.
    Status,
}

#[derive(Debug, clap::Args)]
struct InboxList {
    #[command(flatten)]
    conn: Conn,
    /// Start after this cursor (the `next` of the previous page).
    #[arg(long, value_name = "CURSOR")]
    after: Option<u64>,
    /// At most this many messages (the gateway caps it at 1000).
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Only documents or only status packages.
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// When nothing is there, wait up to this many seconds (at most 60) for something to be
    /// delivered, and show it as soon as it is (long poll).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=60))]
    wait: Option<u64>,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct InboxGet {
    #[command(flatten)]
    conn: Conn,
    /// The message id.
    id: String,
    /// Write the bytes to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The result of taking over a message.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AckResult {
    /// Taken over successfully.
    Done,
    /// The DMS could not process it.
    Fail,
}

#[derive(Debug, clap::Args)]
struct InboxAck {
    #[command(flatten)]
    conn: Conn,
    /// The message id.
    id: String,
    /// done or fail.
    #[arg(long, value_enum)]
    result: AckResult,
    /// A note for the sender's tracking (at most 4096 bytes).
    #[arg(long)]
    note: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// `status [--json] FILE`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    conn: Conn,
    /// The status package (edXML with a StatusCode).
    file: PathBuf,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// `track [--json] ID`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrackArgs {
    #[command(flatten)]
    conn: Conn,
    /// The message id `send` printed.
    id: String,
    /// Save each signed receipt this gateway holds into DIR (`ID.hopN.GATEWAY.receipt.xml`),
    /// to keep with the document and verify offline: `lienthong verify --trust CA
    /// --document DOC RECEIPT`.
    #[arg(long, value_name = "DIR")]
    receipts: Option<std::path::PathBuf>,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// `queue stats|list|retry|suspend|resume|cancel` (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct QueueArgs {
    #[command(subcommand)]
    command: QueueCommand,
}

#[derive(Debug, clap::Subcommand)]
enum QueueCommand {
    /// Queue depth per next hop and the number of messages in each state.
    Stats(QueueStats),
    /// Per agency: documents and statuses sent and received here, and the inbox entries its
    /// DMS has not acknowledged, the longest-waiting agency first.
    Agencies(QueueStats),
    /// Messages in one state (default: dead).
    List(QueueList),
    /// Retry now: a message waiting for its next attempt, or a dead one (fresh attempts).
    Retry(QueueAction),
    /// Hold a message's queued hops until resumed.
    Suspend(QueueAction),
    /// Resume a suspended message.
    Resume(QueueAction),
    /// Cancel a message's pending hops.
    Cancel(QueueAction),
}

#[derive(Debug, clap::Args)]
struct QueueStats {
    #[command(flatten)]
    conn: Conn,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// `certs status`: the certificates a gateway depends on (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct CertsStatus {
    #[command(flatten)]
    conn: Conn,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// `backup`: an online backup of a running gateway (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    conn: Conn,
    /// Return once the backup has started instead of waiting for it.
    #[arg(long)]
    no_wait: bool,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

/// Days after which a certificate is worth a line in `queue stats`.
const CERT_WARN_DAYS: f64 = 30.0;

/// Which messages: a state (or all), an agency, a time window.
#[derive(Debug, clap::Args)]
struct Search {
    /// The state (default: dead), or `all`.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
        MessageState::ALL.map(MessageState::as_str).into_iter().chain(["all"])
    ))]
    state: Option<String>,
    /// Only messages this agency sent or has among its recipients.
    #[arg(long, value_name = "CODE")]
    agency: Option<String>,
    /// From this time on (2026-11-30 or 2026-11-30T02:00:00Z, UTC).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Only messages with a dead letter whose reason contains this text, e.g.
    /// `signature.required` (to retry those once the peer's trust is fixed).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

impl Search {
    fn params(&self) -> [(&'static str, Option<String>); 5] {
        [
            ("state", self.state.clone()),
            ("agency", self.agency.clone()),
            ("since", self.since.clone()),
            ("until", self.until.clone()),
            ("reason", self.reason.clone()),
        ]
    }

    /// How the search reads in a sentence: "dead, of 000.00.21.H50, since 2026-11-30".
    fn describe(&self) -> String {
        let mut s = self.state.clone().unwrap_or_else(|| "dead".into());
        for (word, v) in [
            ("of", &self.agency),
            ("since", &self.since),
            ("until", &self.until),
            ("for", &self.reason),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(", {word} {v}"));
            }
        }
        s
    }
}

#[derive(Debug, clap::Args)]
struct QueueList {
    #[command(flatten)]
    conn: Conn,
    #[command(flatten)]
    search: Search,
    /// Start after this message id (the `next` of the previous page).
    #[arg(long, value_name = "ID")]
    after: Option<String>,
    /// At most this many messages (default 100; the gateway's pages are followed).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Find the document with this edXML DocumentId instead (e.g. what a clerk reads off
    /// the document: `000.00.21.H50,2026/11/22,123/UBND`).
    #[arg(long, value_name = "DOCUMENT_ID",
        conflicts_with_all = ["state", "agency", "after", "since", "until", "reason"])]
    document_id: Option<String>,
    /// The document's sender, when its DocumentId does not start with the agency code.
    #[arg(long, value_name = "CODE", requires = "document_id")]
    sender: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct QueueAction {
    #[command(flatten)]
    conn: Conn,
    /// The message id. Without one, every message that --state (required then), --agency,
    /// --since and --until find, e.g. `--state dead --since 2026-11-30T02:00:00Z`.
    #[arg(required_unless_present = "state",
        conflicts_with_all = ["state", "agency", "since", "until", "reason"])]
    id: Option<String>,
    #[command(flatten)]
    search: Search,
    /// Act on every message found. Without it, only say how many would be acted on and
    /// show the first ones.
    #[arg(long, requires = "state")]
    yes: bool,
    /// Why: kept in each message's history with your operator name, e.g. `--note "peer
    /// certificate renewed, ticket 4711"`.
    #[arg(long)]
    note: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long)]
    json: bool,
}

impl QueueAction {
    /// The request body: the note, if any.
    fn body(&self) -> Value {
        match &self.note {
            Some(n) => json!({"note": n}),
            None => json!({}),
        }
    }
}

// ---- running a command ------------------------------------------------------------------

/// Why a command stopped.
#[derive(Debug)]
enum Fail {
    /// A usage, file or connection problem: exit 2.
    Local { code: Code, message: String },
    /// The gateway answered with an error: exit 1.
    Refused(Box<Answer>),
}

impl Fail {
    fn local(code: Code, message: impl Into<String>) -> Fail {
        Fail::Local {
            code,
            message: message.into(),
        }
    }

    fn exit(&self) -> u8 {
        match self {
            Fail::Local { .. } => 2,
            Fail::Refused(_) => 1,
        }
    }

    /// Say what went wrong: one line on stderr; with `--json` also the error object on stdout.
    fn report(&self, json: bool) {
        match self {
            Fail::Local { code, message } => {
                if json {
                    out!(
                        "{:#}",
                        json!({"error": {"code": code, "message": message, "detail": {}}})
                    );
                }
                note!("error: {message}");
            }
            Fail::Refused(a) => {
                let e = refusal(a);
                if json {
                    out!("{:#}", e.body);
                }
                note!("error: {}: {}", e.code, e.message);
                if let Some(d) = e.detail {
                    note!("  detail: {d}");
                }
            }
        }
    }
}

/// A gateway error answer, read leniently.
struct Refusal {
    code: String,
    message: String,
    /// The detail object when it says something.
    detail: Option<Value>,
    /// The whole error body as JSON (built from the status when the body is not JSON).
    body: Value,
}

fn refusal(a: &Answer) -> Refusal {
    let v = a.json();
    let err = &v["error"];
    if let Some(code) = err["code"].as_str() {
        let detail = match &err["detail"] {
            Value::Object(m) if m.is_empty() => None,
            Value::Null => None,
            d => Some(d.clone()),
        };
        return Refusal {
            code: code.to_owned(),
            message: err["message"].as_str().unwrap_or_default().to_owned(),
            detail,
            body: v.clone(),
        };
    }
    let text: String = String::from_utf8_lossy(&a.body).chars().take(300).collect();
    let code = format!("http.{}", a.status.as_u16());
    let message = if text.trim().is_empty() {
        a.status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text.trim().to_owned()
    };
    Refusal {
        body: json!({"error": {"code": code, "message": message, "detail": {}}}),
        code,
        message,
        detail: None,
    }
}

/// Run `f` on a small runtime and turn its outcome into the exit code.
fn block_on<F>(json: bool, f: F) -> ExitCode
where
    F: std::future::Future<Output = Result<u8, Fail>>,
{
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            Fail::local(
                Code::Runtime,
                format!("cannot start the async runtime: {e}"),
            )
            .report(json);
            return ExitCode::from(2);
        }
    };
    match rt.block_on(f) {
        Ok(code) => ExitCode::from(code),
        Err(fail) => {
            fail.report(json);
            ExitCode::from(fail.exit())
        }
    }
}

fn connect(c: &Conn) -> Result<ApiClient, Fail> {
    if !c.gateway.starts_with("https://") {
        return Err(Fail::local(
            Code::UsageGateway,
            format!(
                "--gateway '{}' must be an https:// URL (the gateway speaks mutual TLS only)",
                c.gateway
            ),
        ));
    }
    let ca: Vec<&Path> = c.ca.iter().map(PathBuf::as_path).collect();
    ApiClient::new(&c.gateway, &ca, Some((&c.cert, &c.key)))
        .map_err(|e| Fail::local(Code::UsageCredentials, format!("certificates: {e}")))
}

/// The answer if it is a success, the refusal otherwise; a transport error is exit 2.
fn ok(r: Result<Answer, String>) -> Result<Answer, Fail> {
    match r {
        Ok(a) if a.status.is_success() => Ok(a),
        Ok(a) => Err(Fail::Refused(Box::new(a))),
        Err(e) => Err(Fail::local(Code::Connection, e)),
    }
}

/// Percent-encode one path segment or query value.
fn enc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// A query string from the parameters that are set.
fn query(params: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn print_json(v: &Value) {
    out!("{v:#}");
}

/// Milliseconds since the epoch as UTC time, to the second.
fn time(v: &Value) -> String {
    match v.as_u64() {
        Some(ms) => lienthong_dsig::time::format_rfc3339(ms / 1000),
        None => "-".to_owned(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A tagged object (`{"state": "queued", "hop": "gw-h50"}`) as `queued hop=gw-h50`; fields
/// named `at` or ending in `_at` are shown as times.
fn tagged(v: &Value, tag: &str) -> String {
    let Some(m) = v.as_object() else {
        return text(v);
    };
    let mut s = m.get(tag).map(text).unwrap_or_else(|| "?".to_owned());
    // Free text (a failure's reason, an operator's note) goes last: it can be long.
    let free = |k: &str| k == "reason" || k == "note";
    let fields = m.iter().filter(|(k, _)| !free(k));
    for (k, val) in fields.chain(m.iter().filter(|(k, _)| free(k))) {
        if k == tag || val.is_null() {
            continue;
        }
        let shown = if k == "at" || k.ends_with("_at") {
            time(val)
        } else if k.ends_with("sha256") {
            text(val).chars().take(16).collect()
        } else {
            text(val)
        };
        s.push_str(&format!(" {k}={shown}"));
    }
    s
}

/// Print rows as a table with a header, columns two spaces apart.
fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(x) = w.get_mut(i) {
                *x = (*x).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                let pad = w.get(i).copied().unwrap_or(0);
                s.push_str(&format!("{c:<pad$}  "));
            }
        }
        out!("{}", s.trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

// ---- send and status --------------------------------------------------------------------

/// What happened to one file.
enum Sent {
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
    fn exit(&self) -> u8 {
        match self {
            Sent::Accepted(_) => 0,
            Sent::Refused(_) => 1,
            Sent::Unreadable(_) | Sent::Unreachable(_) => 2,
        }
    }
}

async fn send_one(client: &ApiClient, path: &Path) -> Sent {
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
fn accepted_line(file: &Path, v: &Value) -> String {
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
fn edxml_files(dir: &Path) -> Result<Vec<PathBuf>, Fail> {
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
async fn send_folder(client: ApiClient, files: Vec<PathBuf>, json: bool, concurrency: usize) -> u8 {
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

// ---- inbox ------------------------------------------------------------------------------

pub(crate) fn inbox(a: &InboxArgs) -> ExitCode {
    match &a.command {
        InboxCommand::List(l) => block_on(l.json, inbox_list(l)),
        InboxCommand::Get(g) => block_on(false, inbox_get(g)),
        InboxCommand::Ack(k) => block_on(k.json, inbox_ack(k)),
        InboxCommand::Signature(g) => block_on(g.json, inbox_signature(g)),
    }
}

async fn inbox_list(l: &InboxList) -> Result<u8, Fail> {
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

async fn inbox_signature(g: &InboxSignature) -> Result<u8, Fail> {
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
        crate::verify::human(&mut out, report, &format!("message {}", g.id), None)
            .map_err(|e| Fail::local(Code::IoWrite, e.to_string()))?;
    }
    Ok(if report["valid"] == true { 0 } else { 1 })
}

async fn inbox_get(g: &InboxGet) -> Result<u8, Fail> {
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

async fn inbox_ack(k: &InboxAck) -> Result<u8, Fail> {
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

// ---- track ------------------------------------------------------------------------------

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
fn save_receipts(v: &Value, dir: &std::path::Path) -> Result<(), Fail> {
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

fn print_track(v: &Value) {
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

// ---- queue ------------------------------------------------------------------------------

pub(crate) fn queue(a: &QueueArgs) -> ExitCode {
    match &a.command {
        QueueCommand::Stats(s) => block_on(s.json, queue_stats(s)),
        QueueCommand::Agencies(s) => block_on(s.json, queue_agencies(s)),
        QueueCommand::List(l) => block_on(l.json, queue_list(l)),
        QueueCommand::Retry(x) => block_on(x.json, queue_action(x, "retry")),
        QueueCommand::Suspend(x) => block_on(x.json, queue_action(x, "suspend")),
        QueueCommand::Resume(x) => block_on(x.json, queue_action(x, "resume")),
        QueueCommand::Cancel(x) => block_on(x.json, queue_action(x, "cancel")),
    }
}

async fn queue_agencies(s: &QueueStats) -> Result<u8, Fail> {
    let client = connect(&s.conn)?;
    let v = ok(client.get("/v1/agencies/activity").await)?.json();
    if s.json {
        print_json(&v);
        return Ok(0);
    }
    out!("gateway {}", text(&v["gateway"]));
    let mut rows = v["agencies"].as_array().cloned().unwrap_or_default();
    // The agency whose post has waited longest first.
    rows.sort_by_key(|r| {
        std::cmp::Reverse(r["oldest_unacknowledged_age_seconds"].as_u64().unwrap_or(0))
    });
    let count =
        |r: &Value, a: &str, b: &str| r[a].as_u64().unwrap_or(0) + r[b].as_u64().unwrap_or(0);
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                text(&r["agency"]),
                count(r, "sent_documents", "sent_statuses").to_string(),
                count(r, "received_documents", "received_statuses").to_string(),
                text(&r["unacknowledged"]),
                r["oldest_unacknowledged_age_seconds"]
                    .as_u64()
                    .map_or_else(|| "-".to_owned(), age),
                text(&r["acknowledged_failed"]),
                r["name"].as_str().unwrap_or("").to_owned(),
            ]
        })
        .collect();
    table(
        &[
            "AGENCY",
            "SENT",
            "RECEIVED",
            "UNACKED",
            "OLDEST_UNACKED",
            "FAILED",
            "NAME",
        ],
        &rows,
    );
    Ok(0)
}

/// A duration in seconds, as an operator reads it: 45s, 12m, 5h, 3d.
fn age(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

async fn queue_stats(s: &QueueStats) -> Result<u8, Fail> {
    let client = connect(&s.conn)?;
    let v = ok(client.get("/v1/queues").await)?.json();
    if s.json {
        print_json(&v);
        return Ok(0);
    }
    out!("gateway {}", text(&v["gateway"]));
    let hops = v["queues"]["hops"].as_array().cloned().unwrap_or_default();
    let links = v["links"].as_object().cloned().unwrap_or_default();
    let link_word = |hop: &str| match links.get(hop) {
        Some(l) if l["up"] == false => "down".to_owned(),
        Some(_) => "up".to_owned(),
        None => "-".to_owned(),
    };
    if hops.is_empty() {
        out!("no queues");
    } else {
        let rows: Vec<Vec<String>> = hops
            .iter()
            .map(|h| {
                vec![
                    text(&h["hop"]),
                    text(&h["depth"]),
                    text(&h["in_flight"]),
                    h["oldest_age_ms"]
                        .as_u64()
                        .map_or_else(|| "-".to_owned(), |ms| format!("{}s", ms / 1000)),
                    link_word(h["hop"].as_str().unwrap_or("")),
                ]
            })
            .collect();
        table(&["HOP", "DEPTH", "IN_FLIGHT", "OLDEST", "LINK"], &rows);
    }
    // Why a link is down, in words; and a next hop whose certificate expires soon.
    for (hop, l) in &links {
        if l["up"] == false {
            out!(
                "link to {hop} down since {}, {} failure(s) in a row: {}",
                time(&l["since"]),
                text(&l["consecutive_failures"]),
                text(&l["last_error"])
            );
        }
        let c = &l["peer_certificate"];
        if let Some(days) = c["days_left"].as_f64()
            && days < CERT_WARN_DAYS
        {
            out!(
                "certificate of {hop} {} {} ({days:.1} days): its operators must renew it",
                if days < 0.0 { "expired" } else { "expires" },
                time(&c["not_after"]),
            );
        }
    }
    let states: BTreeMap<String, Value> = v["queues"]["states"]
        .as_object()
        .map(|m| m.clone().into_iter().collect())
        .unwrap_or_default();
    let shown: Vec<String> = states
        .iter()
        .filter(|(_, n)| n.as_u64() != Some(0))
        .map(|(k, n)| format!("{k}={}", text(n)))
        .collect();
    out!(
        "messages: {}",
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(" ")
        }
    );
    Ok(0)
}

/// `lienthong backup`: start an online backup and wait for it (exit 1 if it failed).
pub(crate) fn backup(a: &BackupArgs) -> ExitCode {
    block_on(a.json, backup_run(a))
}

/// How often `backup` asks whether its backup has finished.
const BACKUP_POLL: std::time::Duration = std::time::Duration::from_millis(250);

async fn backup_run(a: &BackupArgs) -> Result<u8, Fail> {
    let client = connect(&a.conn)?;
    let started = ok(client.post_json("/v1/backups", &json!({})).await)?.json();
    let name = text(&started["name"]);
    if a.no_wait {
        if a.json {
            print_json(&started);
        } else {
            out!("backup {name} started; `GET /v1/backups` says when it is done");
        }
        return Ok(0);
    }
    let pb = if a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    pb.set_message(format!("backup {name}"));
    loop {
        pb.tick();
        let v = ok(client.get("/v1/backups").await)?.json();
        if v["running"]["name"].as_str() == Some(name.as_str()) {
            tokio::time::sleep(BACKUP_POLL).await;
            continue;
        }
        pb.finish_and_clear();
        let done = v["backups"].as_array().and_then(|list| {
            list.iter()
                .find(|b| b["dir"].as_str().is_some_and(|d| d.ends_with(&name)))
                .cloned()
        });
        if let Some(r) = done {
            if a.json {
                print_json(&r);
            } else {
                out!(
                    "backup {name} done: {} metadata entries ({} written while it ran), {} payload segment(s) of {} bytes; writes paused {} ms, took {} ms",
                    text(&r["entries"]),
                    text(&r["replayed"]),
                    text(&r["segments"]),
                    text(&r["segment_bytes"]),
                    text(&r["paused_ms"]),
                    text(&r["took_ms"]),
                );
                out!("  {}", text(&r["dir"]));
            }
            return Ok(0);
        }
        let failed = &v["last_error"];
        let why = if failed["name"].as_str() == Some(name.as_str()) {
            text(&failed["error"])
        } else {
            "it is neither running nor listed (was the gateway restarted?)".to_owned()
        };
        if a.json {
            print_json(&json!({"name": name, "error": why}));
        } else {
            note!("error: backup {name} failed: {why}");
        }
        return Ok(1);
    }
}

/// `lienthong certs status`: every certificate the gateway depends on, the one expiring
/// first first.
pub(crate) fn certs_status(a: &CertsStatus) -> ExitCode {
    block_on(a.json, certs_status_run(a))
}

async fn certs_status_run(a: &CertsStatus) -> Result<u8, Fail> {
    let client = connect(&a.conn)?;
    let v = ok(client.get("/v1/certificates").await)?.json();
    if a.json {
        print_json(&v);
        return Ok(0);
    }
    out!("gateway {}", text(&v["gateway"]));
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    // (days left, row): every kind in one table, soonest first.
    let mut rows: Vec<(f64, Vec<String>)> = Vec::new();
    let mut row = |what: &str, who: String, c: &Value| {
        let days = c["days_left"].as_f64();
        rows.push((
            days.unwrap_or(f64::INFINITY),
            vec![
                what.to_owned(),
                who,
                c.get("not_after").map_or_else(|| "-".to_owned(), time),
                days.map_or_else(|| "-".to_owned(), |d| format!("{d:.1}")),
                c.get("subject").map_or_else(String::new, text),
            ],
        ));
    };
    for c in list("own") {
        row("own", text(&c["file"]), &c);
    }
    for h in list("next_hops") {
        let who = text(&h["hop"]);
        if h["certificate"].is_null() {
            row(
                "next hop",
                format!("{who} (not connected yet)"),
                &Value::Null,
            );
        } else {
            row("next hop", who, &h["certificate"]);
        }
    }
    for c in list("clients") {
        row("client", text(&c["peer"]), &c["certificate"]);
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let soon = rows.iter().filter(|(d, _)| *d < CERT_WARN_DAYS).count();
    table(
        &["WHAT", "WHO", "EXPIRES", "DAYS", "SUBJECT"],
        &rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
    );
    if soon > 0 {
        note!("{soon} certificate(s) expire within {CERT_WARN_DAYS} days");
    }
    Ok(0)
}

/// Follow the gateway's pages of a search from `after` until `want` messages are found or
/// the search ends, calling `each` on every message found. Returns where a further page
/// would start (`None`: nothing left).
async fn search_pages(
    client: &ApiClient,
    search: &Search,
    mut after: Option<String>,
    want: usize,
    mut each: impl FnMut(&Value),
) -> Result<Option<String>, Fail> {
    let mut found = 0usize;
    loop {
        let mut params = search.params().to_vec();
        params.push(("after", after.clone()));
        params.push((
            "limit",
            Some(want.saturating_sub(found).min(1000).to_string()),
        ));
        let v = ok(client.get(&format!("/v1/messages{}", query(&params))).await)?.json();
        for m in v["messages"].as_array().into_iter().flatten() {
            each(m);
            found += 1;
        }
        after = v["next"].as_str().map(str::to_owned);
        if after.is_none() || found >= want {
            return Ok(after);
        }
    }
}

/// One table row per message.
fn message_row(m: &Value) -> Vec<String> {
    let recipients = m["recipients"]
        .as_object()
        .map(|r| {
            r.iter()
                .map(|(c, s)| match s["reason"].as_str() {
                    // A dead letter says where and why, so that a list of them can be
                    // sorted out before retrying.
                    Some(why) => format!(
                        "{c}=dead@{}: {}",
                        text(&s["hop"]),
                        why.chars().take(80).collect::<String>()
                    ),
                    None => format!("{c}={}", text(&s["state"])),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    vec![
        text(&m["id"]),
        text(&m["state"]),
        text(&m["kind"]),
        text(&m["sender"]),
        time(&m["accepted_at"]),
        recipients,
    ]
}

const MESSAGE_HEADER: [&str; 6] = ["ID", "STATE", "KIND", "FROM", "ACCEPTED", "RECIPIENTS"];

async fn queue_list(l: &QueueList) -> Result<u8, Fail> {
    let client = connect(&l.conn)?;
    let (msgs, next, head) = match &l.document_id {
        Some(doc) => {
            let path = format!(
                "/v1/messages{}",
                query(&[
                    ("document_id", Some(doc.clone())),
                    ("sender", l.sender.clone())
                ])
            );
            let v = ok(client.get(&path).await)?.json();
            let msgs = v["messages"].as_array().cloned().unwrap_or_default();
            let head = json!({"document_id": doc, "sender": v["sender"]});
            (msgs, None, head)
        }
        None => {
            let mut msgs = Vec::new();
            let want = l.limit.unwrap_or(100).max(1);
            let next = search_pages(&client, &l.search, l.after.clone(), want, |m| {
                msgs.push(m.clone())
            })
            .await?;
            let s = &l.search;
            let head = json!({"state": s.state.as_deref().unwrap_or("dead"),
                "agency": s.agency, "since": s.since, "until": s.until});
            (msgs, next, head)
        }
    };
    if l.json {
        let mut v = head;
        v["messages"] = Value::Array(msgs);
        v["next"] = json!(next);
        print_json(&v);
        return Ok(0);
    }
    if msgs.is_empty() {
        match &l.document_id {
            Some(d) => note!("no document {d} from {}", text(&head["sender"])),
            None => note!("no messages ({})", l.search.describe()),
        }
    } else {
        let rows: Vec<Vec<String>> = msgs.iter().map(message_row).collect();
        table(&MESSAGE_HEADER, &rows);
    }
    if let Some(next) = next {
        note!("next page: --after {next}");
    }
    Ok(0)
}

/// How many operator actions a bulk `queue retry|suspend|resume|cancel` has in flight.
const BULK_CONCURRENCY: usize = 8;

async fn queue_action(x: &QueueAction, action: &str) -> Result<u8, Fail> {
    let client = connect(&x.conn)?;
    let Some(id) = &x.id else {
        return queue_action_bulk(&client, x, action).await;
    };
    let v = ok(client
        .post_json(&format!("/v1/messages/{}/{action}", enc(id)), &x.body())
        .await)?
    .json();
    if x.json {
        print_json(&v);
    } else {
        out!("{}: {action} done", text(&v["id"]));
    }
    Ok(0)
}

/// `queue retry --state dead --since …`: find every message first (acting changes their
/// state, hence the pages), then act on each, a few at a time, with a progress bar.
async fn queue_action_bulk(client: &ApiClient, x: &QueueAction, action: &str) -> Result<u8, Fail> {
    let mut ids = Vec::new();
    let mut preview = Vec::new();
    search_pages(client, &x.search, None, usize::MAX, |m| {
        if preview.len() < 10 {
            preview.push(message_row(m));
        }
        if let Some(id) = m["id"].as_str() {
            ids.push(id.to_owned());
        }
    })
    .await?;
    let what = x.search.describe();
    if !x.yes {
        if x.json {
            print_json(&json!({"action": action, "matched": ids.len(), "done": 0, "ids": ids}));
        } else if ids.is_empty() {
            note!("no messages ({what}): nothing to {action}");
        } else {
            note!("{} messages found ({what}); the first ones:", ids.len());
            table(&MESSAGE_HEADER, &preview);
            note!("nothing done yet: add --yes to {action} them");
        }
        return Ok(0);
    }
    let pb = ProgressBar::new(u64::try_from(ids.len()).unwrap_or(u64::MAX));
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {per_sec} {msg}")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    let mut tasks = tokio::task::JoinSet::new();
    let mut queue = ids.iter().cloned();
    let mut done = 0usize;
    let mut failed: Vec<Value> = Vec::new();
    loop {
        while tasks.len() < BULK_CONCURRENCY {
            let Some(id) = queue.next() else { break };
            let c = client.clone();
            let path = format!("/v1/messages/{}/{action}", enc(&id));
            let body = x.body();
            tasks.spawn(async move { (id, ok(c.post_json(&path, &body).await)) });
        }
        match tasks.join_next().await {
            Some(Ok((_, Ok(_)))) => done += 1,
            Some(Ok((id, Err(e)))) => {
                let (code, message) = match &e {
                    Fail::Local { code, message } => (code.as_str().to_owned(), message.clone()),
                    Fail::Refused(a) => {
                        let r = refusal(a);
                        (r.code, r.message)
                    }
                };
                if !x.json {
                    pb.suspend(|| note!("error: {id}: {code}: {message}"));
                }
                failed.push(json!({"id": id, "code": code, "message": message}));
            }
            Some(Err(e)) => {
                pb.suspend(|| note!("error: an action task failed: {e}"));
                failed.push(json!({"id": null, "code": "task", "message": e.to_string()}));
            }
            None => break,
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    if x.json {
        print_json(
            &json!({"action": action, "matched": ids.len(), "done": done, "failed": failed}),
        );
    } else {
        out!(
            "{action}: {done} of {} messages ({what}) done, {} failed",
            ids.len(),
            failed.len()
        );
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}
