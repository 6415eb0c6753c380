//! `queue …`: an operator's view of the queues and messages, and the actions on them.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use lienthong_gateway::ApiClient;
use lienthong_store::MessageState;
use serde_json::{Value, json};

use super::common::*;
use super::connection::*;

/// `queue stats|agencies|list|overdue|retry|suspend|resume|cancel` (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct QueueArgs {
    #[command(subcommand)]
    pub(super) command: QueueCommand,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum QueueCommand {
    /// Queue depth per next hop and the number of messages in each state.
    #[command(about = say!("remote-help-queue-stats"))]
    Stats(QueueStats),
    /// Per agency: documents and statuses sent and received here, and the inbox entries its
    /// DMS has not acknowledged, the longest-waiting agency first.
    #[command(about = say!("remote-help-queue-agencies"))]
    Agencies(QueueStats),
    /// Messages in one state (default: dead).
    #[command(about = say!("remote-help-queue-list"))]
    List(QueueList),
    /// Recipients that have not notified receipt (01/02) by the end of their working day,
    /// and documents past their due date without 06: with names, number and subject.
    #[command(about = say!("remote-help-queue-overdue"))]
    Overdue(super::report::QueueOverdue),
    /// Retry now: a message waiting for its next attempt, or a dead one (fresh attempts).
    #[command(about = say!("remote-help-queue-retry"))]
    Retry(QueueAction),
    /// Hold a message's queued hops until resumed.
    #[command(about = say!("remote-help-queue-suspend"))]
    Suspend(QueueAction),
    /// Resume a suspended message.
    #[command(about = say!("remote-help-queue-resume"))]
    Resume(QueueAction),
    /// Cancel a message's pending hops.
    #[command(about = say!("remote-help-queue-cancel"))]
    Cancel(QueueAction),
}

#[derive(Debug, clap::Args)]
pub(super) struct QueueStats {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-queue-stats-json"))]
    pub(super) json: bool,
}

/// Which messages: a state (or all), an agency, a time window.
#[derive(Debug, clap::Args)]
pub(super) struct Search {
    /// The state (default: dead), or `all`.
    #[arg(
        long,
        value_parser = clap::builder::PossibleValuesParser::new(
            MessageState::ALL.map(MessageState::as_str).into_iter().chain(["all"])
        ),
        help = say!("remote-help-queue-search-state")
    )]
    pub(super) state: Option<String>,
    /// Only messages this agency sent or has among its recipients.
    #[arg(long, value_name = "CODE", help = say!("remote-help-queue-search-agency"))]
    pub(super) agency: Option<String>,
    /// From this time on (2026-11-30 or 2026-11-30T02:00:00Z, UTC).
    #[arg(long, value_name = "TIME", help = say!("remote-help-queue-search-since"))]
    pub(super) since: Option<String>,
    /// Before this time (same forms as --since).
    #[arg(long, value_name = "TIME", help = say!("remote-help-queue-search-until"))]
    pub(super) until: Option<String>,
    /// Only messages with a dead letter whose reason contains this text, e.g.
    /// `signature.required` (to retry those once the peer's trust is fixed).
    #[arg(long, value_name = "TEXT", help = say!("remote-help-queue-search-reason"))]
    pub(super) reason: Option<String>,
}

impl Search {
    pub(super) fn params(&self) -> [(&'static str, Option<String>); 5] {
        [
            ("state", self.state.clone()),
            ("agency", self.agency.clone()),
            ("since", self.since.clone()),
            ("until", self.until.clone()),
            ("reason", self.reason.clone()),
        ]
    }

    /// How the search reads in a sentence: "dead, of 000.00.21.H50, since 2026-11-30".
    pub(super) fn describe(&self) -> String {
        let mut s = self.state.clone().unwrap_or_else(|| "dead".into());
        let parts = [
            self.agency
                .as_ref()
                .map(|v| say!("remote-search-agency", agency = v)),
            self.since
                .as_ref()
                .map(|v| say!("remote-search-since", time = v)),
            self.until
                .as_ref()
                .map(|v| say!("remote-search-until", time = v)),
            self.reason
                .as_ref()
                .map(|v| say!("remote-search-reason", reason = v)),
        ];
        for part in parts.into_iter().flatten() {
            s.push_str(", ");
            s.push_str(&part);
        }
        s
    }
}

#[derive(Debug, clap::Args)]
pub(super) struct QueueList {
    #[command(flatten)]
    pub(super) conn: Conn,
    #[command(flatten)]
    pub(super) search: Search,
    /// Start after this message id (the `next` of the previous page).
    #[arg(long, value_name = "ID", help = say!("remote-help-queue-list-after"))]
    pub(super) after: Option<String>,
    /// At most this many messages (default 100; the gateway's pages are followed).
    #[arg(long, value_name = "N", help = say!("remote-help-queue-list-limit"))]
    pub(super) limit: Option<usize>,
    /// Find the document with this edXML DocumentId instead (e.g. what a clerk reads off
    /// the document: `000.00.21.H50,2026/11/22,123/UBND`).
    #[arg(
        long,
        value_name = "DOCUMENT_ID",
        conflicts_with_all = ["state", "agency", "after", "since", "until", "reason"],
        help = say!("remote-help-queue-list-document-id")
    )]
    pub(super) document_id: Option<String>,
    /// The document's sender, when its DocumentId does not start with the agency code.
    #[arg(long, value_name = "CODE", requires = "document_id", help = say!("remote-help-queue-list-sender"))]
    pub(super) sender: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-queue-list-json"))]
    pub(super) json: bool,
}

#[derive(Debug, clap::Args)]
pub(super) struct QueueAction {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// The message id. Without one, every message that --state (required then), --agency,
    /// --since and --until find, e.g. `--state dead --since 2026-11-30T02:00:00Z`.
    #[arg(
        required_unless_present = "state",
        conflicts_with_all = ["state", "agency", "since", "until", "reason"],
        help = say!("remote-help-queue-action-id")
    )]
    pub(super) id: Option<String>,
    #[command(flatten)]
    pub(super) search: Search,
    /// Act on every message found. Without it, only say how many would be acted on and
    /// show the first ones.
    #[arg(long, requires = "state", help = say!("remote-help-queue-action-yes"))]
    pub(super) yes: bool,
    /// Why: kept in each message's history with your operator name, e.g. `--note "peer
    /// certificate renewed, ticket 4711"`.
    #[arg(long, help = say!("remote-help-queue-action-note"))]
    pub(super) note: Option<String>,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-queue-action-json"))]
    pub(super) json: bool,
}

impl QueueAction {
    /// The request body: the note, if any.
    pub(super) fn body(&self) -> Value {
        match &self.note {
            Some(n) => json!({"note": n}),
            None => json!({}),
        }
    }
}

pub(crate) fn queue(a: &QueueArgs) -> ExitCode {
    match &a.command {
        QueueCommand::Stats(s) => block_on(s.json, queue_stats(s)),
        QueueCommand::Agencies(s) => block_on(s.json, queue_agencies(s)),
        QueueCommand::List(l) => block_on(l.json, queue_list(l)),
        QueueCommand::Overdue(o) => block_on(o.json, super::report::queue_overdue(o)),
        QueueCommand::Retry(x) => block_on(x.json, queue_action(x, "retry")),
        QueueCommand::Suspend(x) => block_on(x.json, queue_action(x, "suspend")),
        QueueCommand::Resume(x) => block_on(x.json, queue_action(x, "resume")),
        QueueCommand::Cancel(x) => block_on(x.json, queue_action(x, "cancel")),
    }
}

pub(super) async fn queue_agencies(s: &QueueStats) -> Result<u8, Fail> {
    let client = connect(&s.conn)?;
    let v = ok(client.get("/v1/agencies/activity").await)?.json();
    if s.json {
        print_json(&v);
        return Ok(0);
    }
    out!("{}", say!("remote-gateway", gateway = text(&v["gateway"])));
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
    let head = header(&[
        "remote-agencies-col-agency",
        "remote-agencies-col-sent",
        "remote-agencies-col-received",
        "remote-agencies-col-unacked",
        "remote-agencies-col-oldest-unacked",
        "remote-agencies-col-failed",
        "remote-agencies-col-name",
    ]);
    table(&head, &rows);
    Ok(0)
}

pub(super) async fn queue_stats(s: &QueueStats) -> Result<u8, Fail> {
    let client = connect(&s.conn)?;
    let v = ok(client.get("/v1/queues").await)?.json();
    if s.json {
        print_json(&v);
        return Ok(0);
    }
    out!("{}", say!("remote-gateway", gateway = text(&v["gateway"])));
    let hops = v["queues"]["hops"].as_array().cloned().unwrap_or_default();
    let links = v["links"].as_object().cloned().unwrap_or_default();
    let link_word = |hop: &str| match links.get(hop) {
        Some(l) if l["up"] == false => say!("remote-link-down"),
        Some(_) => say!("remote-link-up"),
        None => "-".to_owned(),
    };
    if hops.is_empty() {
        out!("{}", say!("remote-queue-no-queues"));
    } else {
        let rows: Vec<Vec<String>> = hops
            .iter()
            .map(|h| {
                vec![
                    text(&h["hop"]),
                    text(&h["depth"]),
                    text(&h["in_flight"]),
                    h["oldest_age_ms"].as_u64().map_or_else(
                        || "-".to_owned(),
                        |ms| say!("remote-age-seconds", n = ms / 1000),
                    ),
                    link_word(h["hop"].as_str().unwrap_or("")),
                ]
            })
            .collect();
        let head = header(&[
            "remote-queue-col-hop",
            "remote-queue-col-depth",
            "remote-queue-col-in-flight",
            "remote-queue-col-oldest",
            "remote-queue-col-link",
        ]);
        table(&head, &rows);
    }
    // Why a link is down, in words; and a next hop whose certificate expires soon.
    for (hop, l) in &links {
        if l["up"] == false {
            out!(
                "{}",
                say!(
                    "remote-queue-link-down",
                    hop = hop,
                    since = time(&l["since"]),
                    failures = text(&l["consecutive_failures"]),
                    error = text(&l["last_error"])
                )
            );
        }
        let c = &l["peer_certificate"];
        if let Some(days) = c["days_left"].as_f64()
            && days < CERT_WARN_DAYS
        {
            let (at, shown) = (time(&c["not_after"]), format!("{days:.1}"));
            out!(
                "{}",
                if days < 0.0 {
                    say!(
                        "remote-queue-cert-expired",
                        hop = hop,
                        at = at,
                        days = shown
                    )
                } else {
                    say!(
                        "remote-queue-cert-expires",
                        hop = hop,
                        at = at,
                        days = shown
                    )
                }
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
    if shown.is_empty() {
        out!("{}", say!("remote-queue-messages-none"));
    } else {
        out!(
            "{}",
            say!("remote-queue-messages", states = shown.join(" "))
        );
    }
    Ok(0)
}

/// Follow the gateway's pages of a search from `after` until `want` messages are found or
/// the search ends, calling `each` on every message found. Returns where a further page
/// would start (`None`: nothing left).
pub(super) async fn search_pages(
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

/// One table row per message: its state and each recipient's in words (the gateway's
/// `view`, in the language asked for, falling back to the raw record from a gateway without
/// one); and beside the row, why each dead letter is dead, whole, to print under it (see
/// [`message_table`]): a reason is a sentence, too long for a column and never cut.
pub(super) fn message_row(m: &Value) -> (Vec<String>, Vec<String>) {
    let view = &m["view"];
    let mut reasons = Vec::new();
    let recipients = match view["recipients"].as_array() {
        Some(list) => list
            .iter()
            .map(|r| {
                let who = text(&r["code"]);
                // A dead letter says where (in its state) and why (under the row), so that
                // a list of them can be sorted out before retrying.
                if let Some(why) = r["reason_text"].as_str() {
                    reasons.push(format!("{who}: {why}"));
                }
                format!("{who}: {}", text(&r["state_text"]))
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => m["recipients"]
            .as_object()
            .map(|r| {
                r.iter()
                    .map(|(c, s)| match s["reason"].as_str() {
                        Some(why) => {
                            reasons.push(format!("{c}: {why}"));
                            format!("{c}=dead@{}", text(&s["hop"]))
                        }
                        None => format!("{c}={}", text(&s["state"])),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
    };
    let state = view["state_text"]
        .as_str()
        .map_or_else(|| text(&m["state"]), str::to_owned);
    let row = vec![
        text(&m["id"]),
        state,
        kind(&m["kind"]),
        text(&m["sender"]),
        time(&m["accepted_at"]),
        recipients,
    ];
    (row, reasons)
}

/// How wide the text under a table row is (after its indent of four spaces).
pub(super) const UNDER_ROW_WIDTH: usize = 76;

/// `text` in lines of at most `width` columns, broken between words only (a word longer
/// than the width has its own line, whole): nothing is ever cut.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width).break_words(false);
    textwrap::wrap(text, options)
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Print rows of [`message_row`] as a table, each dead letter's reason wrapped on word
/// boundaries under its row, indented.
pub(super) fn message_table(rows: &[(Vec<String>, Vec<String>)]) {
    // One line per row: a cell with a line break would shift the reasons off their rows.
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(r, _)| r.iter().map(|c| c.replace(['\n', '\r'], " ")).collect())
        .collect();
    let mut lines = table_lines(&message_header(), &cells).into_iter();
    if let Some(head) = lines.next() {
        out!("{head}");
    }
    for ((_, reasons), line) in rows.iter().zip(lines) {
        out!("{line}");
        for reason in reasons {
            for part in wrap(reason, UNDER_ROW_WIDTH) {
                out!("    {part}");
            }
        }
    }
}

/// The header of [`message_row`]'s table.
pub(super) fn message_header() -> Vec<String> {
    header(&[
        "remote-messages-col-id",
        "remote-messages-col-state",
        "remote-messages-col-kind",
        "remote-messages-col-from",
        "remote-messages-col-accepted",
        "remote-messages-col-recipients",
    ])
}

/// What an operator action is called: retry, suspend, resume, cancel.
pub(super) fn action_word(action: &str) -> String {
    match action {
        "retry" => say!("remote-action-retry"),
        "suspend" => say!("remote-action-suspend"),
        "resume" => say!("remote-action-resume"),
        "cancel" => say!("remote-action-cancel"),
        other => other.to_owned(),
    }
}

pub(super) async fn queue_list(l: &QueueList) -> Result<u8, Fail> {
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
            Some(d) => note!(
                "{}",
                say!(
                    "remote-queue-no-document",
                    document = d,
                    sender = text(&head["sender"])
                )
            ),
            None => note!(
                "{}",
                say!("remote-queue-no-messages", search = l.search.describe())
            ),
        }
    } else {
        let rows: Vec<_> = msgs.iter().map(message_row).collect();
        message_table(&rows);
    }
    if let Some(next) = next {
        note!("{}", say!("remote-next-page", next = next));
    }
    Ok(0)
}

/// How many operator actions a bulk `queue retry|suspend|resume|cancel` has in flight.
pub(super) const BULK_CONCURRENCY: usize = 8;

pub(super) async fn queue_action(x: &QueueAction, action: &str) -> Result<u8, Fail> {
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
        out!(
            "{}",
            say!(
                "remote-queue-action-done",
                id = text(&v["id"]),
                action = action_word(action)
            )
        );
    }
    Ok(0)
}

/// `queue retry --state dead --since …`: find every message first (acting changes their
/// state, hence the pages), then act on each, a few at a time, with a progress bar.
pub(super) async fn queue_action_bulk(
    client: &ApiClient,
    x: &QueueAction,
    action: &str,
) -> Result<u8, Fail> {
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
    let word = action_word(action);
    if !x.yes {
        if x.json {
            print_json(&json!({"action": action, "matched": ids.len(), "done": 0, "ids": ids}));
        } else if ids.is_empty() {
            note!(
                "{}",
                say!("remote-queue-bulk-none", search = &what, action = &word)
            );
        } else {
            note!(
                "{}",
                say!("remote-queue-bulk-found", n = ids.len(), search = &what)
            );
            message_table(&preview);
            note!("{}", say!("remote-queue-bulk-confirm", action = &word));
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
                    let line = say!(
                        "remote-error-item-refused",
                        item = &id,
                        code = &code,
                        message = &message
                    );
                    pb.suspend(|| note!("{line}"));
                }
                failed.push(json!({"id": id, "code": code, "message": message}));
            }
            Some(Err(e)) => {
                let line = say!("remote-queue-task-failed", error = e.to_string());
                pb.suspend(|| note!("{line}"));
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
            "{}",
            say!(
                "remote-queue-bulk-done",
                action = &word,
                done = done,
                total = ids.len(),
                search = &what,
                failed = failed.len()
            )
        );
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_breaks_between_words_and_cuts_nothing() {
        let reason = "cổng liên thông kế tiếp từ chối kết nối: cổng không chạy, hoặc không ở địa chỉ và cổng này";
        let lines = wrap(reason, 30);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), reason);
        // A word longer than the width keeps its own line, whole.
        let long = "x".repeat(40);
        assert_eq!(
            wrap(&format!("a {long} b"), 30),
            vec!["a", long.as_str(), "b"]
        );
        assert!(wrap("", 30).is_empty());
    }
}
