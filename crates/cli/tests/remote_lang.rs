//! The client commands speak Vietnamese unless asked otherwise: with no locale at all (or
//! one that names neither language) their tables, messages and times are Vietnamese;
//! `LANG=vi_VN.UTF-8` is Vietnamese too, and `--lang en` wins over it.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;
use fed::*;

use support::document;

const FAST_RETRY: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = 600000\n";

/// Sender at gw-h50.
const SENDER: &str = "000.00.11.H50";
/// Recipient at gw-h50.
const NEAR: &str = "000.00.01.H50";

/// Whether `text` holds a time as people read it: `dd/MM/yyyy HH:mm`.
fn has_human_time(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let shaped = |w: &str, seps: &[(usize, u8)], len: usize| {
        w.len() == len
            && w.bytes()
                .enumerate()
                .all(|(i, c)| match seps.iter().find(|(at, _)| *at == i) {
                    Some((_, sep)) => c == *sep,
                    None => c.is_ascii_digit(),
                })
    };
    words
        .windows(2)
        .any(|p| shaped(p[0], &[(2, b'/'), (5, b'/')], 10) && shaped(p[1], &[(2, b':')], 5))
}

#[test]
fn vietnamese_without_a_locale_and_the_flag_wins_over_lang() {
    let f = Fed::start(&["gw-h50"], FAST_RETRY);
    let sender = f.dms("gw-h50", SENDER);
    let near = f.dms("gw-h50", NEAR);
    let ops = f.ops("gw-h50");
    let doc = f.file("doc.edxml", &document(SENDER, &[NEAR], 1));
    let id = run(&["send", "--json"], &sender, &[&doc]).expect(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // No locale at all: Vietnamese headers, words and times.
    let o = run_lang(&["inbox", "list"], &near, &[], None).expect(0);
    let text = o.text();
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    assert!(
        head.starts_with("VỊ TRÍ") && head.contains("NƠI GỬI") && head.contains("THỜI GIAN ĐẾN"),
        "{text}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.contains(&id) && row.contains("văn bản") && row.contains(SENDER),
        "{text}"
    );
    assert!(has_human_time(row), "{row}");
    assert!(
        o.stderr.contains("trang tiếp theo: --after"),
        "{}",
        o.stderr
    );

    // A locale that names neither language (a server's C locale) leaves Vietnamese.
    let o = run_lang(&["queue", "list"], &ops, &[], Some("C.UTF-8")).expect(0);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr.contains("không có gói tin nào (dead)"),
        "{}",
        o.stderr
    );
    let o = run_lang(&["queue", "stats"], &ops, &[], None).expect(0);
    assert!(
        o.text().starts_with("cổng liên thông gw-h50\n"),
        "{}",
        o.text()
    );

    // The sender's tracking: Vietnamese labels, the time in Vietnam time.
    let o = run_lang(&["track", &id], &sender, &[], None).expect(0);
    let text = o.text();
    for want in ["cổng nhận lúc: ", "nơi nhận:", "lịch sử:"] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    assert!(has_human_time(&text), "{text}");

    // An error of the command itself, and the gateway's refusal, start with "lỗi: ".
    let mut http = sender.clone();
    http[1] = f.f.url("gw-h50").unwrap().replace("https", "http").into();
    let o = run_lang(&["send"], &http, &[&doc], None).expect(2);
    assert!(
        o.stderr.starts_with("lỗi: --gateway '") && o.stderr.contains("phải là một URL https://"),
        "{}",
        o.stderr
    );
    let o = run_lang(&["queue", "stats"], &sender, &[], None).expect(1);
    assert!(
        o.stderr.starts_with("lỗi: auth.forbidden: "),
        "{}",
        o.stderr
    );

    // LANG=vi_VN.UTF-8 is Vietnamese; `--lang en` wins over it.
    let o = run_lang(&["inbox", "list"], &near, &[], Some("vi_VN.UTF-8")).expect(0);
    assert!(o.text().starts_with("VỊ TRÍ"), "{}", o.text());
    let o = run_lang(
        &["inbox", "list", "--lang", "en"],
        &near,
        &[],
        Some("vi_VN.UTF-8"),
    )
    .expect(0);
    let text = o.text();
    assert!(text.starts_with("CURSOR"), "{text}");
    assert!(
        text.lines().nth(1).is_some_and(|r| r.contains("edoc")),
        "{text}"
    );
    assert!(o.stderr.contains("next page: --after"), "{}", o.stderr);
    let o = run_lang(
        &["queue", "list", "--lang", "en"],
        &ops,
        &[],
        Some("vi_VN.UTF-8"),
    )
    .expect(0);
    assert!(o.stderr.contains("no messages (dead)"), "{}", o.stderr);
}
