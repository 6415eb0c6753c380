//! The client commands (`send`, `inbox`, `status`, `track`, `queue`) against a real
//! federation of gateways on loopback (mutual TLS, the committed certs-dev PKI), running
//! the `lienthong` binary: outputs, exit codes, byte-identical fetches, failure paths.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use lienthong_edxml::StatusCode;
use serde_json::Value;

const T: Duration = Duration::from_secs(30);

/// Sender at gw-h50.
const SENDER: &str = "000.00.11.H50";
/// Recipient at gw-h50 (local to the sender's gateway).
const NEAR: &str = "000.00.01.H50";
/// Recipient at gw-h48 (another province: gw-h50 → gw-g22 → gw-h48).
const FAR: &str = "000.00.11.H48";

/// Fast retries, for federations where every gateway is up.
const FAST_RETRY: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 5000\n";
/// Slow retries: a failed hop stays `retry_scheduled` for a minute, so operator actions
/// meet a known state.
const SLOW_RETRY: &str = "\n[retry]\nbase_ms = 60000\nfactor = 2.0\ncap_ms = 60000\njitter_percent = 0\nmax_attempts = 1000\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 2000\n";

// ---- documents: shared with the workspace's integration tests ------------------------

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
use fed::*;

use support::{certs, document, status};

/// The same document without a signature (refused under policy `require`).
fn unsigned(from: &str, to: &[&str], n: u32) -> Vec<u8> {
    support::edoc_xml(from, to, n).into_bytes()
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v:#}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `dd/MM/yyyy HH:mm`.
fn is_human_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16
        && b.iter().enumerate().all(|(i, c)| match i {
            2 | 5 => *c == b'/',
            10 => *c == b' ',
            13 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

fn events(track: &Value) -> Vec<String> {
    track["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"]["event"].as_str().unwrap().to_owned())
        .collect()
}

// ---- tests ------------------------------------------------------------------------------

#[test]
fn send_fetch_ack_status_and_track() {
    let f = Fed::start(&["gw-g22", "gw-h50", "gw-h48"], FAST_RETRY);
    let doc = document(SENDER, &[FAR, NEAR], 1);
    let doc_file = f.file("doc1.edxml", &doc);
    let sender = f.dms("gw-h50", SENDER);

    // send --json: the gateway's answer.
    let v = run(&["send", "--json"], &sender, &[&doc_file])
        .expect(0)
        .json();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["recipients"], serde_json::json!([FAR, NEAR]));
    assert_eq!(v["duplicate"], false);
    assert_eq!(v["signature"], "valid");
    // send (human) again: idempotent, same id, marked as a duplicate.
    let o = run(&["send"], &sender, &[&doc_file]).expect(0);
    assert_eq!(
        o.text().trim(),
        format!(
            "{}: {id} -> {FAR}, {NEAR} (duplicate: already accepted)",
            doc_file.display()
        )
    );

    // The far recipient's inbox, once relayed through gw-g22: a long poll answered by the
    // delivery (it would end empty after 30 s).
    let far = f.dms("gw-h48", FAR);
    let listing = run(&["inbox", "list", "--json", "--wait", "30"], &far, &[])
        .expect(0)
        .json();
    assert_eq!(
        ids(&listing, "items"),
        std::slice::from_ref(&id),
        "{listing}"
    );
    let o = run(&["inbox", "list", "--wait", "61"], &far, &[]).expect(2);
    assert!(o.stderr.contains("61"), "{}", o.stderr);
    assert_eq!(listing["items"][0]["sender"], SENDER);
    assert_eq!(listing["items"][0]["kind"], "edoc");
    assert_eq!(listing["items"][0]["size"], doc.len());
    let o = run(&["inbox", "list"], &far, &[]).expect(0);
    let text = o.text();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("CURSOR"), "{text}");
    let row = lines.next().unwrap();
    assert!(
        row.contains(&id) && row.contains("edoc") && row.contains(SENDER),
        "{text}"
    );
    assert!(o.stderr.contains("next page: --after"), "{}", o.stderr);
    let o = run(&["inbox", "list", "--kind", "status"], &far, &[]).expect(0);
    assert!(o.text().is_empty(), "{}", o.text());

    // inbox get: the exact bytes, to a file and to stdout.
    let got = f.path("got.edxml");
    let o = run(&["inbox", "get", &id], &far, &[&"-o", &got]).expect(0);
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&got).unwrap(), doc, "byte-identical (file)");
    let o = run(&["inbox", "get", &id], &far, &[]).expect(0);
    assert_eq!(o.stdout, doc, "byte-identical (stdout)");
    // The local recipient has it at once (delivered before the 202).
    let near = f.dms("gw-h50", NEAR);
    let o = run(&["inbox", "get", &id], &near, &[]).expect(0);
    assert_eq!(o.stdout, doc, "byte-identical (local recipient)");

    // inbox ack.
    let o = run(
        &["inbox", "ack", &id, "--result", "done", "--note", "đã nhận"],
        &far,
        &[],
    )
    .expect(0);
    assert_eq!(o.text().trim(), format!("{id}: acknowledged (done)"));
    let v = run(
        &["inbox", "ack", &id, "--result", "fail", "--json"],
        &near,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(v, serde_json::json!({"id": id, "result": "fail"}));
    let v = run(&["inbox", "list", "--json"], &far, &[])
        .expect(0)
        .json();
    assert_eq!(v["items"][0]["acked"], "done");

    // queue agencies: the far agency's figures at its gateway, and the near one's at gw-h50
    // (its DMS answered `fail`).
    let o = run(&["queue", "agencies"], &f.ops("gw-h48"), &[]).expect(0);
    let text = o.text();
    assert!(
        text.contains("AGENCY") && text.contains("UNACKED"),
        "{text}"
    );
    let cols = |text: &str, code: &str| -> Vec<String> {
        let row = text
            .lines()
            .find(|l| l.starts_with(code))
            .unwrap_or_else(|| panic!("no {code} in {text}"));
        row.split_whitespace().take(6).map(str::to_owned).collect()
    };
    assert_eq!(cols(&text, FAR), [FAR, "0", "1", "0", "-", "0"], "{text}");
    let o = run(&["queue", "agencies"], &f.ops("gw-h50"), &[]).expect(0);
    assert_eq!(
        cols(&o.text(), NEAR),
        [NEAR, "0", "1", "0", "-", "1"],
        "{}",
        o.text()
    );
    assert_eq!(cols(&o.text(), SENDER)[1], "1", "{}", o.text());

    // status: the far recipient answers 01; it travels back to the sender.
    let st_file = f.file(
        "status01.edxml",
        &status(FAR, SENDER, 1, StatusCode::Arrived),
    );
    let o = run(&["status"], &far, &[&st_file]).expect(0);
    let line = o.text();
    assert!(
        line.contains(&format!("-> {SENDER}")) && line.contains("(status 01 Đã đến)"),
        "{line}"
    );
    let st_file2 = f.file(
        "status03.edxml",
        &status(FAR, SENDER, 1, StatusCode::Accepted),
    );
    let v = run(&["status", "--json"], &far, &[&st_file2])
        .expect(0)
        .json();
    assert_eq!(v["recipients"], serde_json::json!([SENDER]));
    let status_id = v["id"].as_str().unwrap().to_owned();

    // track --json at the sender's gateway: receipts and both statuses.
    let t = eventually("statuses back at the sender", T, || {
        let t = run(&["track", &id, "--json"], &sender, &[])
            .expect(0)
            .json();
        let ok = t["statuses"].as_array().is_some_and(|s| s.len() == 2)
            && t["receipts"].as_array().is_some_and(|r| r.len() == 1);
        ok.then_some(t)
    });
    assert_eq!(t["id"], id.as_str());
    assert_eq!(t["receipts"][0]["receipt"]["receiving_gateway"], "gw-g22");
    assert_eq!(t["receipts"][0]["receipt"]["hop"], 1);
    assert_eq!(t["statuses"][0]["status_code"], "01");
    assert_eq!(t["statuses"][1]["status_code"], "03");
    assert_eq!(t["statuses"][1]["message_id"], status_id.as_str());
    // The status is in the sender's inbox too.
    let v = run(
        &["inbox", "list", "--kind", "status", "--json"],
        &sender,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(ids(&v, "items").len(), 2);

    // track (human).
    let o = run(&["track", &id], &sender, &[]).expect(0);
    let text = o.text();
    for want in [
        format!("{id} edoc from {SENDER}"),
        format!("document: {SENDER},2026/11/22,1/UBND"),
        format!("{FAR}  relayed hop=gw-g22"),
        format!("{NEAR}  fetched result=fail"),
        "receipts:\n  hop 1  received by gw-g22  at ".to_owned(),
        format!("statuses:\n  01 Đã đến  from {FAR}  at "),
        format!("  03 Đã tiếp nhận  from {FAR}"),
        "history:\n".to_owned(),
        " accepted\n".to_owned(),
        format!(" delivered agency={NEAR}"),
        " relayed hop=gw-g22".to_owned(),
        // Followed down the path: the far copy at its own gateway.
        format!("end to end:\n  {NEAR}  at gw-h50: fetched result=fail"),
        format!("  {FAR}  at gw-h48: fetched result=done"),
    ] {
        assert!(text.contains(&want), "track output lacks {want:?}:\n{text}");
    }
    // Times as people read them: dd/MM/yyyy HH:mm, Vietnam time.
    let accepted = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("accepted: "))
        .unwrap_or_else(|| panic!("no accepted time in {text}"));
    assert!(is_human_time(accepted), "{accepted:?}");

    // The clerk keeps the receipts with the document and checks them offline against it.
    let saved = f.path("receipts");
    let o = run(&["track", &id], &sender, &[&"--receipts", &saved]).expect(0);
    assert!(o.stderr.contains("saved "), "{}", o.stderr);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&saved)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // Every hop's: gw-g22's, and gw-h48's from further down the path.
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            format!("{id}.hop1.gw-g22.receipt.xml"),
            format!("{id}.hop2.gw-h48.receipt.xml")
        ]
    );
    let ca = certs().join("ca.pem");
    for (file, by) in files.iter().zip(["gw-g22", "gw-h48"]) {
        let ok = lienthong([
            OsString::from("verify"),
            "--trust".into(),
            ca.clone().into(),
            "--document".into(),
            doc_file.clone().into(),
            file.clone().into(),
        ]);
        assert_eq!(ok.code, 0, "{}\n{}", ok.text(), ok.stderr);
        assert!(
            ok.text().contains(&format!("received by {by}")),
            "{}",
            ok.text()
        );
    }
    let other = f.file("other.edxml", b"<not the document/>");
    lienthong([
        OsString::from("verify"),
        "--trust".into(),
        ca.into(),
        "--document".into(),
        other.into(),
        files[0].clone().into(),
    ])
    .expect(1);

    // Only the sender (or an operator) may track it.
    let o = run(&["track", &id], &near, &[]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    assert!(o.stdout.is_empty());
    let v = run(&["track", &id, "--json"], &f.ops("gw-h50"), &[])
        .expect(0)
        .json();
    assert_eq!(v["message"]["sender"], SENDER);

    // certs status: every certificate gw-h50 depends on, with its days left: its own, the
    // next hop it relayed to, and the clients that connected (the sender's DMS, the
    // operator). The table agrees with the JSON.
    let v = run(&["certs", "status", "--json"], &f.ops("gw-h50"), &[])
        .expect(0)
        .json();
    let o = run(&["certs", "status"], &f.ops("gw-h50"), &[]).expect(0);
    let shown = o.text();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines[0], "gateway gw-h50");
    assert!(
        lines[1].starts_with("WHAT") && lines[1].contains("DAYS"),
        "{}",
        o.text()
    );
    let row = |what: &str, who: &str| -> Vec<String> {
        let l = lines
            .iter()
            .find(|l| l.starts_with(what) && l.contains(who))
            .unwrap_or_else(|| panic!("no {what} {who}:\n{}", o.text()));
        l.split_whitespace().map(str::to_owned).collect()
    };
    let hop = v["next_hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hop"] == "gw-g22")
        .unwrap();
    // next, hop, gw-g22, dd/MM/yyyy, HH:mm, days, subject…
    let r = row("next hop", "gw-g22");
    assert!(is_human_time(&r[3..5].join(" ")), "{r:?}");
    assert_eq!(
        r[5].parse::<f64>().unwrap(),
        hop["certificate"]["days_left"].as_f64().unwrap(),
        "{r:?}"
    );
    assert!(r[6..].join(" ").contains("CN=gw-g22"), "{r:?}");
    let r = row("client", &format!("agency {SENDER}"));
    assert!(r[5].parse::<f64>().unwrap() > 0.0, "{r:?}");
    row("client", "operator ops");
    row("own", "gw-h50.pem");
    // The table lists soonest first.
    let days: Vec<f64> = lines[2..]
        .iter()
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.contains('.').then(|| w.parse::<f64>().ok()).flatten())
        })
        .collect();
    assert!(
        days.len() >= 4 && days.windows(2).all(|w| w[0] <= w[1]),
        "{days:?}\n{}",
        o.text()
    );
    // A DMS certificate is not an operator's.
    let o = run(&["certs", "status"], &sender, &[]).expect(1);
    assert!(
        o.stderr.starts_with("error: auth.forbidden: "),
        "{}",
        o.stderr
    );
}

#[test]
fn send_a_folder() {
    let f = Fed::start(&["gw-h50"], FAST_RETRY);
    let sender = f.dms("gw-h50", SENDER);
    let near = f.dms("gw-h50", NEAR);
    let mut docs = Vec::new();
    for n in 1..=6 {
        let d = document(SENDER, &[NEAR], n);
        f.file(&format!("out/doc-{n:02}.edxml"), &d);
        docs.push(d);
    }
    f.file("out/zz-unsigned.edxml", &unsigned(SENDER, &[NEAR], 99));
    f.file("out/notes.txt", b"not sent");
    std::fs::create_dir_all(f.path("out/sub.edxml")).unwrap(); // a folder, skipped
    let folder = f.path("out");

    // One refused file: exit 1; six lines on stdout in some order, the refusal on stderr.
    let o = run(&["send", "--concurrency", "3"], &sender, &[&folder]).expect(1);
    let text = o.text();
    assert_eq!(text.lines().count(), 6, "{text}");
    for n in 1..=6 {
        let name = folder.join(format!("doc-{n:02}.edxml"));
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{}: ", name.display())))
            .unwrap_or_else(|| panic!("no line for {}: {text}", name.display()));
        assert!(line.ends_with(&format!(" -> {NEAR}")), "{line}");
    }
    let refused = format!(
        "error: {}: signature.required: ",
        folder.join("zz-unsigned.edxml").display()
    );
    assert!(o.stderr.contains(&refused), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("7 files: 6 accepted (0 already there), 1 refused"),
        "{}",
        o.stderr
    );
    assert!(!text.contains("notes.txt") && !o.stderr.contains("notes.txt"));

    // Again with --json: everything is a duplicate; results in file order.
    let v = run(&["send", "--json"], &sender, &[&folder])
        .expect(1)
        .json();
    assert_eq!(v["files"], 7);
    assert_eq!(v["accepted"], 6);
    assert_eq!(v["duplicates"], 6);
    assert_eq!(v["refused"], 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    assert!(
        results[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("doc-01.edxml")
    );
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[0]["response"]["duplicate"], true);
    assert_eq!(results[6]["status"], "refused");
    assert_eq!(results[6]["http_status"], 422);
    assert_eq!(
        results[6]["response"]["error"]["code"],
        "signature.required"
    );

    // Without the bad file: exit 0.
    std::fs::remove_file(folder.join("zz-unsigned.edxml")).unwrap();
    let o = run(&["send"], &sender, &[&folder]).expect(0);
    assert!(
        o.stderr
            .contains("6 files: 6 accepted (6 already there), 0 refused"),
        "{}",
        o.stderr
    );

    // The recipient's inbox, paged; every document byte-identical.
    let v = run(&["inbox", "list", "--json"], &near, &[])
        .expect(0)
        .json();
    let all = ids(&v, "items");
    assert_eq!(all.len(), 6);
    let page = run(&["inbox", "list", "--limit", "2", "--json"], &near, &[])
        .expect(0)
        .json();
    assert_eq!(ids(&page, "items"), all[..2]);
    let next = page["next"].as_str().unwrap().to_owned();
    let page2 = run(
        &["inbox", "list", "--limit", "10", "--after", &next, "--json"],
        &near,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(ids(&page2, "items"), all[2..]);
    let mut fetched: Vec<Vec<u8>> = all
        .iter()
        .map(|id| run(&["inbox", "get", id], &near, &[]).expect(0).stdout)
        .collect();
    fetched.sort();
    docs.sort();
    assert_eq!(fetched, docs);
    // Who signed it, as the gateway verifies it.
    let o = run(&["inbox", "signature", &all[0]], &near, &[]).expect(0);
    let text = o.text();
    assert!(
        text.starts_with("VALID: the signature is intact and trusted\n")
            && text.contains(&format!("  Agency:     {SENDER}\n"))
            && text.contains("  Chain:      "),
        "{text}"
    );
    let v = run(&["inbox", "signature", &all[0], "--json"], &near, &[])
        .expect(0)
        .json();
    assert_eq!(v["signature"]["signer"]["agency"], SENDER, "{v:#}");
    // Not in this inbox: the gateway's refusal, exit 1.
    let o = run(&["inbox", "signature", &all[0]], &sender, &[]).expect(1);
    assert!(o.stderr.contains("not_found"), "{}", o.stderr);
    let v = run(&["inbox", "list", "--kind", "status", "--json"], &near, &[])
        .expect(0)
        .json();
    assert_eq!(v["items"], serde_json::json!([]));
}

#[test]
fn operator_queue_commands() {
    let mut f = Fed::start(&["gw-g22", "gw-h50", "gw-h48"], SLOW_RETRY);
    // The national gateway is down: gw-h50 cannot hand the message on.
    f.stop("gw-g22");
    let sender = f.dms("gw-h50", SENDER);
    let ops = f.ops("gw-h50");
    let doc_file = f.file("doc.edxml", &document(SENDER, &[FAR], 7));
    let id = run(&["send", "--json"], &sender, &[&doc_file])
        .expect(0)
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let listed = |state: &str| {
        let v = run(&["queue", "list", "--state", state, "--json"], &ops, &[])
            .expect(0)
            .json();
        assert_eq!(v["state"], state);
        ids(&v, "messages")
    };
    eventually("a scheduled retry", T, || {
        listed("retry_scheduled").contains(&id).then_some(())
    });
    let o = run(&["queue", "list", "--state", "retry_scheduled"], &ops, &[]).expect(0);
    let text = o.text();
    assert!(text.starts_with("ID"), "{text}");
    assert!(
        text.contains(&id)
            && text.contains("waiting to retry")
            && text.contains(&format!("{FAR}: sending to gw-g22 failed")),
        "{text}"
    );
    // Default state: dead; none.
    let o = run(&["queue", "list"], &ops, &[]).expect(0);
    assert!(o.stdout.is_empty());
    assert!(o.stderr.contains("no messages (dead)"), "{}", o.stderr);
    let o = run(
        &[
            "queue",
            "list",
            "--state",
            "dead",
            "--reason",
            "signature.required",
        ],
        &ops,
        &[],
    )
    .expect(0);
    assert!(
        o.stderr
            .contains("no messages (dead, for signature.required)"),
        "{}",
        o.stderr
    );

    // From a time on: ids are in time order.
    let since = |t: &str| {
        let v = run(
            &[
                "queue",
                "list",
                "--state",
                "retry_scheduled",
                "--since",
                t,
                "--json",
            ],
            &ops,
            &[],
        )
        .expect(0)
        .json();
        ids(&v, "messages")
    };
    assert!(since("2026-01-01").contains(&id));
    assert!(since("2099-01-01").is_empty());
    let o = run(&["queue", "list", "--since", "yesterday"], &ops, &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("not a time"), "{}", o.stderr);

    // Found by the DocumentId a clerk reads off the document (its sender taken from it).
    let doc_id = format!("{SENDER},2026/11/22,7/UBND");
    let v = run(
        &["queue", "list", "--document-id", &doc_id, "--json"],
        &ops,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(ids(&v, "messages"), vec![id.clone()], "{v:#}");
    assert_eq!(v["sender"], SENDER);
    let o = run(&["queue", "list", "--document-id", &doc_id], &ops, &[]).expect(0);
    assert!(o.text().contains(&id), "{}", o.text());
    // Another sender's DocumentId of the same text: nothing.
    let o = run(
        &["queue", "list", "--document-id", &doc_id, "--sender", NEAR],
        &ops,
        &[],
    )
    .expect(0);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr
            .contains(&format!("no document {doc_id} from {NEAR}")),
        "{}",
        o.stderr
    );
    // A DocumentId that names no agency, without --sender: a clear refusal.
    let o = run(
        &["queue", "list", "--document-id", "123/UBND-VP"],
        &ops,
        &[],
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("request.bad_request"), "{}", o.stderr);

    // stats.
    let v = run(&["queue", "stats", "--json"], &ops, &[])
        .expect(0)
        .json();
    assert_eq!(v["gateway"], "gw-h50");
    let hop = v["queues"]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hop"] == "gw-g22")
        .cloned()
        .unwrap();
    assert_eq!(hop["depth"], 1);
    let o = run(&["queue", "stats"], &ops, &[]).expect(0);
    let text = o.text();
    assert!(text.starts_with("gateway gw-h50\nHOP"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("gw-g22") && l.split_whitespace().nth(1) == Some("1")),
        "{text}"
    );
    assert!(text.contains("retry_scheduled=1"), "{text}");
    // gw-g22 is down: the link says so, and why.
    assert!(
        text.lines()
            .any(|l| l.starts_with("gw-g22") && l.split_whitespace().nth(4) == Some("down")),
        "{text}"
    );
    assert!(
        text.contains("link to gw-g22 down since ") && text.contains("connection"),
        "{text}"
    );

    // retry: due now. gw-g22 is still down, so it waits in the queue, not sent (and not
    // spending an attempt) until the link works; the retry makes the gateway probe it.
    let failures = || {
        run(&["queue", "stats", "--json"], &ops, &[])
            .expect(0)
            .json()["links"]["gw-g22"]["consecutive_failures"]
            .as_u64()
            .unwrap()
    };
    let before = failures();
    let o = run(&["queue", "retry", &id], &ops, &[]).expect(0);
    assert_eq!(o.text().trim(), format!("{id}: retry done"));
    let t = run(&["track", &id, "--json"], &ops, &[]).expect(0).json();
    assert!(events(&t).contains(&"retry_now".to_owned()));
    assert_eq!(
        events(&t)
            .iter()
            .filter(|e| *e == "retry_scheduled")
            .count(),
        1
    );
    assert!(listed("queued").contains(&id));
    eventually("a probe of the link", T, || {
        (failures() > before).then_some(())
    });

    // Search by agency: a second document to FAR, and both are found in every state.
    let doc2 = f.file("doc2.edxml", &document(SENDER, &[FAR], 8));
    let id2 = run(&["send", "--json"], &sender, &[&doc2]).expect(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let both = vec![id.clone(), id2.clone()];
    let v = run(
        &["queue", "list", "--state", "all", "--agency", FAR, "--json"],
        &ops,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(ids(&v, "messages"), both, "{v:#}");
    assert!(v["next"].is_null());
    let v = run(
        &[
            "queue", "list", "--state", "all", "--agency", NEAR, "--json",
        ],
        &ops,
        &[],
    )
    .expect(0)
    .json();
    assert!(ids(&v, "messages").is_empty());
    // Pages are followed: one at a time gives the first and where to go on.
    let v = run(
        &[
            "queue", "list", "--state", "all", "--agency", FAR, "--limit", "1", "--json",
        ],
        &ops,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(ids(&v, "messages"), vec![id.clone()]);
    assert_eq!(v["next"], id.as_str());
    eventually("both queued", T, || {
        (listed("queued") == both).then_some(())
    });

    // Bulk: without --yes, only what would be done; nothing changes.
    let search = ["--state", "queued", "--agency", FAR];
    let o = run(&[&["queue", "suspend"][..], &search].concat(), &ops, &[]).expect(0);
    assert!(
        o.stderr
            .contains(&format!("2 messages found (queued, of {FAR})"))
            && o.stderr.contains("add --yes to suspend them"),
        "{}",
        o.stderr
    );
    assert!(
        o.text().contains(&id) && o.text().contains(&id2),
        "{}",
        o.text()
    );
    assert!(listed("suspended").is_empty());
    // With --yes: every one, and the count.
    let v = run(
        &[&["queue", "suspend"][..], &search, &["--yes", "--json"]].concat(),
        &ops,
        &[],
    )
    .expect(0)
    .json();
    assert_eq!(
        (v["matched"].as_u64(), v["done"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    assert_eq!(v["failed"], serde_json::json!([]));
    assert_eq!(listed("suspended"), both);
    let o = run(
        &["queue", "resume", "--state", "suspended", "--yes"],
        &ops,
        &[],
    )
    .expect(0);
    assert_eq!(
        o.text().trim(),
        "resume: 2 of 2 messages (suspended) done, 0 failed"
    );
    assert!(listed("suspended").is_empty());
    // A bulk action needs a search; an id and a search together are a usage error.
    run(&["queue", "retry"], &ops, &[]).expect(2);
    run(&["queue", "retry", &id, "--state", "dead"], &ops, &[]).expect(2);

    // suspend, resume, cancel.
    let v = run(&["queue", "suspend", &id, "--json"], &ops, &[])
        .expect(0)
        .json();
    assert_eq!(
        v,
        serde_json::json!({"id": id, "action": "suspend", "done": true})
    );
    assert_eq!(listed("suspended"), std::slice::from_ref(&id));
    assert!(!listed("retry_scheduled").contains(&id));
    run(&["queue", "resume", &id], &ops, &[]).expect(0);
    assert!(!listed("suspended").contains(&id));
    // Not suspended any more: resuming again does not fit its state.
    let o = run(&["queue", "resume", &id], &ops, &[]).expect(1);
    assert!(
        o.stderr.starts_with("error: state.invalid: "),
        "{}",
        o.stderr
    );
    run(
        &["queue", "cancel", &id, "--note", "gửi nhầm người nhận"],
        &ops,
        &[],
    )
    .expect(0);
    assert_eq!(listed("cancelled"), std::slice::from_ref(&id));
    let o = run(&["queue", "retry", &id, "--json"], &ops, &[]).expect(1);
    assert_eq!(o.json()["error"]["code"], "state.invalid");
    let t = run(&["track", &id], &ops, &[]).expect(0);
    assert!(
        t.text().contains(&format!("{FAR}  cancelled")),
        "{}",
        t.text()
    );
    // The history names the operator of every action, and the note given.
    assert!(
        t.text().contains(" suspended operator=ops\n")
            && t.text().contains(" resumed operator=ops\n")
            && t.text()
                .contains(" cancelled operator=ops note=gửi nhầm người nhận\n"),
        "{}",
        t.text()
    );
    // A note the gateway refuses: nothing done, the reason shown, exit 1.
    let o = run(
        &["queue", "suspend", &id2, "--note", &"x".repeat(1001)],
        &ops,
        &[],
    )
    .expect(1);
    assert!(
        o.stderr.starts_with(
            "error: request.bad_request: the note is not acceptable: note is longer than 1000 bytes"
        ),
        "{}",
        o.stderr
    );
    assert!(!listed("suspended").contains(&id2));
    // A bulk action that does not fit a message's state says which and why, and exits 1.
    let v = run(
        &["queue", "retry", "--state", "cancelled", "--yes", "--json"],
        &ops,
        &[],
    )
    .expect(1)
    .json();
    assert_eq!(
        (v["matched"].as_u64(), v["done"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );
    assert_eq!(v["failed"][0]["id"], id.as_str());
    assert_eq!(v["failed"][0]["code"], "state.invalid");

    // A DMS certificate is not an operator's.
    let o = run(&["queue", "stats"], &sender, &[]).expect(1);
    assert!(
        o.stderr.starts_with("error: auth.forbidden: "),
        "{}",
        o.stderr
    );
    // Unknown message ids.
    let unknown = "0190f3a2-7c1e-7a4b-9d2e-3f4a5b6c7d8e";
    let o = run(&["queue", "suspend", unknown], &ops, &[]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    let o = run(&["queue", "cancel", "not-an-id"], &ops, &[]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    // A state that does not exist is a usage error, caught before any request.
    run(&["queue", "list", "--state", "lost"], &ops, &[]).expect(2);
}

#[test]
fn failures() {
    let f = Fed::start(&["gw-h50"], FAST_RETRY);
    let sender = f.dms("gw-h50", SENDER);
    let good = f.file("good.edxml", &document(SENDER, &[NEAR], 1));

    // A CA that did not issue the gateway's certificate: the TLS handshake fails (exit 2).
    let mut wrong_ca = sender.clone();
    let i = wrong_ca.iter().position(|a| a == "--ca").unwrap();
    wrong_ca[i + 1] = certs().join("gateways/gw-h48.pem").into();
    let o = run(&["send"], &wrong_ca, &[&good]).expect(2);
    assert!(
        o.stderr
            .starts_with("error: the gateway https://127.0.0.1:")
            && o.stderr.contains("is not signed by the CA in --ca"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.is_empty());
    let o = run(&["inbox", "list", "--json"], &wrong_ca, &[]).expect(2);
    assert_eq!(o.json()["error"]["code"], "connection.server_untrusted");

    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut down = sender.clone();
    down[1] = format!("https://127.0.0.1:{port}").into();
    let o = run(
        &["track", "0190f3a2-7c1e-7a4b-9d2e-3f4a5b6c7d8e"],
        &down,
        &[],
    )
    .expect(2);
    assert!(
        o.stderr
            .starts_with(&format!("error: nothing is listening on 127.0.0.1:{port}")),
        "{}",
        o.stderr
    );
    // A folder stops at the first connection failure and says what was not sent.
    for n in 1..=3 {
        f.file(
            &format!("batch/{n}.edxml"),
            &document(SENDER, &[NEAR], 10 + n),
        );
    }
    let o = run(&["send", "--concurrency", "1"], &down, &[&f.path("batch")]).expect(2);
    assert!(o.stderr.contains("2 not sent"), "{}", o.stderr);

    // Plain http, a missing key file, a missing --ca.
    let mut http = sender.clone();
    http[1] = f.f.url("gw-h50").unwrap().replace("https", "http").into();
    let o = run(&["send"], &http, &[&good]).expect(2);
    assert!(o.stderr.contains("must be an https:// URL"), "{}", o.stderr);
    let mut no_key = sender.clone();
    no_key[5] = f.path("missing.key").into();
    let o = run(&["send"], &no_key, &[&good]).expect(2);
    assert!(o.stderr.contains("missing.key"), "{}", o.stderr);
    run(&["send"], &sender[..6], &[&good]).expect(2);

    // Refused documents (exit 1): unsigned; from another agency than the certificate's.
    let bad = f.file("unsigned.edxml", &unsigned(SENDER, &[NEAR], 2));
    let o = run(&["send"], &sender, &[&bad]).expect(1);
    assert!(
        o.stderr
            .starts_with("error: signature.required: the document's signature is not acceptable"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("  detail: {"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
    let o = run(&["send", "--json"], &sender, &[&bad]).expect(1);
    assert_eq!(o.json()["error"]["code"], "signature.required");
    assert!(o.json()["error"]["detail"]["problems"].is_array());
    let other = f.file("other.edxml", &document(NEAR, &[SENDER], 3));
    let o = run(&["send"], &sender, &[&other]).expect(1);
    assert!(
        o.stderr.starts_with("error: auth.wrong_agency: "),
        "{}",
        o.stderr
    );
    let unknown_recipient = f.file("unknown.edxml", &document(SENDER, &[FAR], 4));
    let o = run(&["send"], &sender, &[&unknown_recipient]).expect(1);
    assert!(
        o.stderr.starts_with("error: routing.refused: "),
        "{}",
        o.stderr
    );
    let not_xml = f.file("junk.edxml", b"this is not XML");
    let o = run(&["send"], &sender, &[&not_xml]).expect(1);
    assert!(
        o.stderr.starts_with("error: document.unreadable: "),
        "{}",
        o.stderr
    );
    // A file that does not exist; an empty folder.
    run(&["send"], &sender, &[&f.path("nope.edxml")]).expect(2);
    std::fs::create_dir_all(f.path("empty")).unwrap();
    let o = run(&["send"], &sender, &[&f.path("empty")]).expect(2);
    assert!(o.stderr.contains("holds no .edxml files"), "{}", o.stderr);

    // status refuses, locally, anything that is not a status package.
    let o = run(&["status"], &sender, &[&good]).expect(2);
    assert!(
        o.stderr.contains("is a document, not a status package"),
        "{}",
        o.stderr
    );
    let o = run(&["status", "--json"], &sender, &[&not_xml]).expect(2);
    assert_eq!(o.json()["error"]["code"], "usage.not_edxml");
    // ... but a status package about an unknown document is still the gateway's call.
    let st = f.file("st.edxml", &status(SENDER, NEAR, 1, StatusCode::Processing));
    let v = run(&["status", "--json"], &sender, &[&st]).expect(0).json();
    assert_eq!(v["recipients"], serde_json::json!([NEAR]));

    // Unknown message ids (exit 1, not_found).
    let unknown = "0190f3a2-7c1e-7a4b-9d2e-3f4a5b6c7d8e";
    let o = run(&["track", unknown, "--json"], &sender, &[]).expect(1);
    assert_eq!(o.json()["error"]["code"], "not_found");
    let o = run(&["inbox", "get", unknown], &sender, &[&"-o", &f.path("x")]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    assert!(!f.path("x").exists(), "nothing written on a refusal");
    let o = run(&["inbox", "ack", unknown, "--result", "done"], &sender, &[]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    let o = run(&["inbox", "get", "../../metrics"], &sender, &[]).expect(1);
    assert!(o.stderr.starts_with("error: not_found: "), "{}", o.stderr);
    // A message that is not in this agency's inbox.
    let id = run(&["send", "--json"], &sender, &[&good]).expect(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    run(&["inbox", "get", &id], &sender, &[]).expect(1);
    run(&["inbox", "get", &id], &f.dms("gw-h50", NEAR), &[]).expect(0);
    // An operator certificate on a DMS endpoint.
    let o = run(&["inbox", "list"], &f.ops("gw-h50"), &[]).expect(1);
    assert!(
        o.stderr.starts_with("error: auth.forbidden: "),
        "{}",
        o.stderr
    );

    // Usage errors from the command line (exit 2).
    run(&["inbox", "ack", &id], &sender, &[]).expect(2);
    run(&["inbox", "ack", &id, "--result", "maybe"], &sender, &[]).expect(2);
    run(&["inbox", "list", "--kind", "other"], &sender, &[]).expect(2);
    run(&["send", "--concurrency", "0"], &sender, &[&good]).expect(2);
}

#[test]
fn backup_waits_for_the_gateway_and_reports() {
    let f = Fed::start(
        &["gw-h50"],
        &format!("{FAST_RETRY}\n[backup]\ndir = \"backups\"\n"),
    );
    let sender = f.dms("gw-h50", SENDER);
    let doc = f.file("doc.edxml", &document(SENDER, &[NEAR], 1));
    run(&["send"], &sender, &[&doc]).expect(0);
    let ops = f.ops("gw-h50");
    let o = run(&["backup"], &ops, &[]).expect(0);
    let shown = o.text();
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[0].starts_with("backup gw-h50-") && lines[0].contains(" done: "),
        "{}",
        o.text()
    );
    let dir = PathBuf::from(lines[1].trim());
    assert!(dir.join("BACKUP.json").is_file(), "{}", o.text());
    assert!(dir.join("payloads").is_dir() && dir.join("meta").is_dir());
    // The backup is a data folder that check-store finds healthy.
    let c = lienthong([
        OsString::from("check-store"),
        "--data".into(),
        dir.clone().into(),
    ]);
    assert_eq!(c.code, 0, "{}\n{}", c.text(), c.stderr);
    // --json: the report; --no-wait: the start only.
    let v = run(&["backup", "--json"], &ops, &[]).expect(0).json();
    assert!(v["entries"].as_u64().unwrap() > 0, "{v}");
    let v = run(&["backup", "--no-wait", "--json"], &ops, &[])
        .expect(0)
        .json();
    assert!(v["name"].as_str().unwrap().starts_with("gw-h50-"), "{v}");
    // A DMS certificate is not an operator's.
    let o = run(&["backup"], &sender, &[]).expect(1);
    assert!(
        o.stderr.starts_with("error: auth.forbidden: "),
        "{}",
        o.stderr
    );
}

#[test]
fn backup_without_a_backup_folder_is_refused() {
    let f = Fed::start(&["gw-h50"], FAST_RETRY);
    let o = run(&["backup"], &f.ops("gw-h50"), &[]).expect(1);
    assert!(
        o.stderr
            .starts_with("error: backup.not_configured: no backup folder"),
        "{}",
        o.stderr
    );
}

#[test]
fn help_names_every_client_command() {
    let o = lienthong(["--help"]).expect(0);
    for c in [
        "send", "inbox", "status", "track", "queue", "backup", "certs",
    ] {
        assert!(o.text().contains(c), "{}", o.text());
    }
    let o = lienthong(["queue", "--help"]).expect(0);
    for c in ["stats", "list", "retry", "suspend", "resume", "cancel"] {
        assert!(o.text().contains(c), "{}", o.text());
    }
    let o = lienthong(["inbox", "get", "--help"]).expect(0);
    for c in ["--gateway", "--cert", "--key", "--ca", "--output"] {
        assert!(o.text().contains(c), "{}", o.text());
    }
}

/// `check-store` on a stopped gateway: healthy after real traffic, every damaged payload
/// named (not just the first), and a clear refusal while the gateway still holds the store.
#[test]
fn check_store_finds_damage_and_refuses_a_running_store() {
    let mut f = Fed::start(&["gw-h50"], FAST_RETRY);
    let sender = f.dms("gw-h50", SENDER);
    for n in 0..3 {
        let doc = f.file(&format!("d{n}.edxml"), &document(SENDER, &[NEAR], 40 + n));
        run(&["send"], &sender, &[&doc]).expect(0);
    }
    let config = f.f.nodes["gw-h50"].config_path.clone();

    // Still running: the store is held exclusively.
    let busy = lienthong([
        OsString::from("check-store"),
        "--config".into(),
        config.clone().into(),
    ])
    .expect(2);
    assert!(busy.stderr.contains("stop it first"), "{}", busy.stderr);

    f.stop("gw-h50");
    let ok = lienthong([
        OsString::from("check-store"),
        "--config".into(),
        config.clone().into(),
        "--hashes".into(),
    ])
    .expect(0);
    assert!(ok.text().contains("3 messages"), "{}", ok.text());
    assert!(ok.text().contains("healthy"), "{}", ok.text());

    // Flip one byte inside each of two stored documents (past each 48-byte record header).
    let text = std::fs::read_to_string(&config).unwrap();
    let data_dir = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("data_dir = "))
        .map(|v| PathBuf::from(v.trim_matches('"')))
        .unwrap();
    let segs: Vec<PathBuf> = std::fs::read_dir(data_dir.join("payloads"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    assert_eq!(segs.len(), 1, "{segs:?}");
    let seg = segs[0].clone();
    let mut bytes = std::fs::read(&seg).unwrap();
    let records: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"LTP1")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(records.len(), 3, "three payload records in the log");
    for &r in &records[..2] {
        bytes[r + 48 + 100] ^= 0x20;
    }
    std::fs::write(&seg, &bytes).unwrap();

    // Presence alone cannot see it; reading the bytes back does, for both.
    lienthong([
        OsString::from("check-store"),
        "--config".into(),
        config.clone().into(),
    ])
    .expect(0);
    let bad = lienthong([
        OsString::from("check-store"),
        "--config".into(),
        config.into(),
        "--hashes".into(),
    ])
    .expect(1);
    assert!(bad.text().contains("2 problem(s)"), "{}", bad.text());

    // A config whose data_dir does not exist is refused, not created.
    let missing = f.file(
        "missing.toml",
        text.replace(
            &data_dir.display().to_string(),
            &f.path("nowhere").display().to_string(),
        )
        .as_bytes(),
    );
    let none = lienthong([
        OsString::from("check-store"),
        "--config".into(),
        missing.into(),
    ])
    .expect(2);
    assert!(none.stderr.contains("no store here"), "{}", none.stderr);
    assert!(!f.path("nowhere").exists());
    // Nor is an existing folder without a store made into one.
    std::fs::create_dir_all(f.path("empty")).unwrap();
    let empty = f.file(
        "empty.toml",
        text.replace(
            &data_dir.display().to_string(),
            &f.path("empty").display().to_string(),
        )
        .as_bytes(),
    );
    let e = lienthong([
        OsString::from("check-store"),
        "--config".into(),
        empty.into(),
    ])
    .expect(2);
    assert!(e.stderr.contains("no meta/db"), "{}", e.stderr);
    assert_eq!(std::fs::read_dir(f.path("empty")).unwrap().count(), 0);
}
