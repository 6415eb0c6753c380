//! What a person reads off the client commands, against a real federation on loopback:
//! `track` and `inbox list` name the document (number/symbol, subject) and the agencies
//! (code and name), and each recipient's state in words; `track` lists exactly the receipts
//! `--receipts` saves, under the same names; `queue list` shows a dead letter's reason
//! whole; `certs status` shows clean paths and each certificate's subject.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
use fed::*;

use support::{FAST_RETRY, document};

const T: Duration = Duration::from_secs(30);

/// Sender at gw-h50 (Sở Tài chính tỉnh Quảng Trị).
const SENDER: &str = "000.00.11.H50";
/// Recipient at gw-h48, two hops away: gw-h50 → gw-g22 → gw-h48 (Sở Tài chính tỉnh Quảng Ngãi).
const FAR: &str = "000.00.11.H48";
/// Homed at gw-g22 (Văn phòng Chính phủ).
const CENTRAL: &str = "000.00.00.G22";

/// One attempt: a message to a gateway that is not running is dead at its first failure.
const FAST_DEATH: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 200\njitter_percent = 10\nmax_attempts = 1\nmax_age_ms = 600000\n\n[forward]\nconcurrency_per_peer = 8\nlease_ms = 5000\nrequest_timeout_ms = 5000\n";

/// The text with every run of white space made one space: a wrapped sentence reads whole.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The lines of a section (`receipts:`): those indented under its heading.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect()
}

/// How many receipts a tracking answer holds: this gateway's and the trail's.
fn receipt_count(t: &Value) -> usize {
    let mut n = t["receipts"].as_array().map_or(0, Vec::len);
    let mut level = t["trail"].as_array().cloned().unwrap_or_default();
    while !level.is_empty() {
        let mut next = Vec::new();
        for node in &level {
            n += node["receipts"].as_array().map_or(0, Vec::len);
            next.extend(node["next"].as_array().cloned().unwrap_or_default());
        }
        level = next;
    }
    n
}

#[test]
fn track_and_inbox_name_the_document_and_the_listed_receipts_are_the_saved_ones() {
    let f = Fed::start(&["gw-g22", "gw-h50", "gw-h48"], FAST_RETRY);
    let sender = f.dms("gw-h50", SENDER);
    let far = f.dms("gw-h48", FAR);
    let doc = f.file("doc31.edxml", &document(SENDER, &[FAR], 31));
    let id = run(&["send", "--json"], &sender, &[&doc]).expect(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let subject = "V/v thử nghiệm liên thông số 31";
    let from = format!("Sở Tài chính tỉnh Quảng Trị ({SENDER})");
    let to = format!("Sở Tài chính tỉnh Quảng Ngãi ({FAR})");

    // The inbox at the far end: each entry with its view (no other recipient's state).
    let v = run(&["inbox", "list", "--json", "--wait", "30"], &far, &[])
        .expect(0)
        .json();
    let item = &v["items"][0];
    assert_eq!(item["id"], id.as_str(), "{v:#}");
    assert_eq!(item["view"]["number"], "31/UBND", "{v:#}");
    assert_eq!(item["view"]["subject"], subject, "{v:#}");
    assert_eq!(
        item["view"]["sender_name"], "Sở Tài chính tỉnh Quảng Trị",
        "{v:#}"
    );
    assert_eq!(item["view"]["recipients"][0]["code"], FAR, "{v:#}");
    assert_eq!(
        item["view"]["recipients"][0]["name"], "Sở Tài chính tỉnh Quảng Ngãi",
        "{v:#}"
    );
    assert!(
        item["view"]["recipients"][0].get("state").is_none(),
        "{v:#}"
    );
    let o = run(&["inbox", "list"], &far, &[]).expect(0);
    let text = o.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("CURSOR"), "{text}");
    assert!(
        lines[1].contains(&id) && lines[1].contains(SENDER),
        "{text}"
    );
    assert_eq!(
        lines[2],
        format!("    number: 31/UBND  subject: {subject}"),
        "{text}"
    );
    assert_eq!(lines[3], format!("    from: {from}  to: {to}"), "{text}");
    let o = run(&["inbox", "list", "--lang", "vi"], &far, &[]).expect(0);
    let text = o.text();
    assert!(
        text.contains(&format!("số, ký hiệu: 31/UBND  trích yếu: {subject}"))
            && text.contains(&format!("nơi gửi: {from}  nơi nhận: {to}")),
        "{text}"
    );

    // Tracking at the sender, once the receipt of every hop is there (gw-g22's, and
    // gw-h48's from down the path).
    let t = eventually("both hops' receipts", T, || {
        let t = run(&["track", &id, "--json"], &sender, &[])
            .expect(0)
            .json();
        (receipt_count(&t) == 2).then_some(t)
    });
    assert_eq!(t["view"]["number"], "31/UBND", "{t:#}");
    let o = run(&["track", &id], &sender, &[]).expect(0);
    let text = o.text();
    for want in [
        "  number: 31/UBND\n".to_owned(),
        format!("  subject: {subject}\n"),
        format!("  from: {from}\n"),
        format!("  to: {to}\n"),
        format!("recipients:\n  {FAR}  relayed hop=gw-g22"),
    ] {
        assert!(text.contains(&want), "track lacks {want:?}:\n{text}");
    }
    // Under the recipient's record, its state in words.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("  {FAR}  relayed")))
        .unwrap();
    assert_eq!(
        lines[at + 1],
        "      handed to gw-g22, which signed a receipt",
        "{text}"
    );
    // Each receipt listed by the file name --receipts saves it under.
    let names = [
        format!("{id}.hop1.gw-g22.receipt.xml"),
        format!("{id}.hop2.gw-h48.receipt.xml"),
    ];
    let listed = section(&text, "receipts:");
    assert_eq!(listed.len(), 2, "{text}");
    for (line, (name, by)) in listed.iter().zip(names.iter().zip(["gw-g22", "gw-h48"])) {
        assert!(
            line.contains(&format!("received by {by}")) && line.ends_with(&format!("  {name}")),
            "{line:?} in\n{text}"
        );
    }
    let o = run(&["track", &id, "--lang", "vi"], &sender, &[]).expect(0);
    let text = o.text();
    for want in [
        "  số, ký hiệu: 31/UBND\n".to_owned(),
        format!("  trích yếu: {subject}\n"),
        format!("  nơi gửi: {from}\n"),
        format!("  nơi nhận: {to}\n"),
        "tình trạng tại từng nơi nhận:\n".to_owned(),
        "      đã chuyển cho gw-g22, cổng đó đã ký biên nhận\n".to_owned(),
    ] {
        assert!(text.contains(&want), "track lacks {want:?}:\n{text}");
    }

    // With --receipts: every file listed was saved there, and every file saved is listed.
    let dir = f.path("receipts");
    let o = run(&["track", &id], &sender, &[&"--receipts", &dir]).expect(0);
    let text = o.text();
    let shown = dir.display().to_string();
    let listed: BTreeSet<PathBuf> = section(&text, "receipts:")
        .iter()
        .map(|l| {
            let at = l
                .find(&shown)
                .unwrap_or_else(|| panic!("no path in {l:?}:\n{text}"));
            PathBuf::from(&l[at..])
        })
        .collect();
    let saved: BTreeSet<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(listed, saved, "{text}");
    let expected: BTreeSet<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    assert_eq!(saved, expected, "{text}");
    assert!(listed.iter().all(|p| p.is_file()), "{listed:?}");

    // certs status: clean paths, and each certificate's subject.
    let v = run(&["certs", "status", "--json"], &f.ops("gw-h50"), &[])
        .expect(0)
        .json();
    let o = run(&["certs", "status"], &f.ops("gw-h50"), &[]).expect(0);
    let text = o.text();
    let own: Vec<&str> = text.lines().filter(|l| l.starts_with("own")).collect();
    assert!(!own.is_empty(), "{text}");
    for c in v["own"].as_array().unwrap() {
        let file = c["file"].as_str().unwrap();
        assert!(!file.contains("/../") && !file.contains("/./"), "{file}");
        // The gateway's `own` entries carry the subject (GET /v1/certificates).
        let subject = c["subject"]
            .as_str()
            .unwrap_or_else(|| panic!("no subject in {c:#}"));
        assert!(
            own.iter().any(|l| l.contains(file) && l.contains(subject)),
            "{file} / {subject} not in\n{text}"
        );
    }
}

#[test]
fn a_dead_letter_s_reason_is_shown_whole() {
    let mut f = Fed::start(&["gw-g22", "gw-h50"], FAST_DEATH);
    // The central gateway is down: the first attempt fails, and it is the last.
    f.stop("gw-g22");
    let sender = f.dms("gw-h50", SENDER);
    let ops = f.ops("gw-h50");
    let doc = f.file("doc77.edxml", &document(SENDER, &[CENTRAL], 77));
    let id = run(&["send", "--json"], &sender, &[&doc]).expect(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = eventually("the dead letter", T, || {
        let v = run(&["queue", "list", "--state", "dead", "--json"], &ops, &[])
            .expect(0)
            .json();
        (v["messages"][0]["id"] == id.as_str()).then_some(v)
    });
    let reason = v["messages"][0]["view"]["recipients"][0]["reason_text"]
        .as_str()
        .unwrap_or_else(|| panic!("no reason in {v:#}"))
        .to_owned();
    let whole = format!("{CENTRAL}: {reason}");
    // Longer than the width it is wrapped to: it takes more than one line.
    assert!(whole.chars().count() > 76, "{whole}");

    let o = run(&["queue", "list", "--state", "dead"], &ops, &[]).expect(0);
    let text = o.text();
    let row = text
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("no row for {id}:\n{text}"));
    assert!(
        row.contains(&format!(
            "{CENTRAL}: dead letter: gw-g22 could not be reached"
        )),
        "{text}"
    );
    let under: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with(&id))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect();
    assert!(under.len() >= 2, "{text}");
    assert!(under.iter().all(|l| l.chars().count() <= 80), "{text}");
    assert_eq!(words(&under.join(" ")), words(&whole), "{text}");

    // The same in Vietnamese.
    let v = run(
        &["queue", "list", "--state", "dead", "--json", "--lang", "vi"],
        &ops,
        &[],
    )
    .expect(0)
    .json();
    let reason_vi = v["messages"][0]["view"]["recipients"][0]["reason_text"]
        .as_str()
        .unwrap()
        .to_owned();
    let o = run(
        &["queue", "list", "--state", "dead", "--lang", "vi"],
        &ops,
        &[],
    )
    .expect(0);
    assert!(
        words(&o.text()).contains(&words(&format!("{CENTRAL}: {reason_vi}"))),
        "{}",
        o.text()
    );

    // Tracking says it in words too, whole.
    let o = run(&["track", &id], &sender, &[]).expect(0);
    let text = o.text();
    assert!(
        text.contains("      dead letter: gw-g22 could not be reached\n"),
        "{text}"
    );
    assert!(words(&text).contains(&words(&reason)), "{text}");
}
