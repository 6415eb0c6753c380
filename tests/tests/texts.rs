//! No text a person reads is written outside the message catalogs (crates/i18n/locales):
//! the command line's output and errors, the gateway's API errors, the console page and
//! the reports all take theirs from the catalogs, in Vietnamese and English. This scans
//! the sources for the places such text is made and fails on a literal with words in it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    lienthong_testkit::repo_root()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without its `#[cfg(test)]` modules (tests may say what they like).
fn without_tests(src: &str) -> &str {
    src.find("#[cfg(test)]").map_or(src, |i| &src[..i])
}

/// The string literal starting at `s` (after optional whitespace), and where it ends.
fn literal(s: &str) -> Option<(String, usize)> {
    let start = s.len() - s.trim_start().len();
    let t = &s[start..];
    if let Some(rest) = t.strip_prefix("r#\"") {
        let end = rest.find("\"#")?;
        return Some((rest[..end].to_owned(), start + 3 + end + 2));
    }
    let rest = t.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some((out, start + 1 + i + 1)),
            c => out.push(c),
        }
    }
    None
}

/// Whether a format string says something in words (outside its `{…}` placeholders): two
/// letters in a row.
fn has_words(format: &str) -> bool {
    let mut depth = 0;
    let mut run = 0;
    for c in format.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 && c.is_alphabetic() => {
                run += 1;
                if run >= 2 {
                    return true;
                }
            }
            _ => run = 0,
        }
    }
    false
}

/// A shell command shown to copy (`curl …`, `lienthong …`): the same in every language.
fn is_command(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("curl ") || t.starts_with("lienthong ")
}

/// Every `name(` call in `src` whose argument number `arg` (0-based, split at top-level
/// commas) is a string literal with words: (line, literal).
fn worded_calls(src: &str, name: &str, arg: usize) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = src[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        // A whole name, not the end of a longer one.
        if src[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        // Skip to argument `arg`.
        let mut pos = from;
        let mut depth = 0;
        let mut n = 0;
        let bytes = src.as_bytes();
        let mut ok = true;
        while n < arg {
            match bytes.get(pos) {
                Some(b'(' | b'[' | b'{') => depth += 1,
                Some(b')' | b']' | b'}') => {
                    if depth == 0 {
                        ok = false;
                        break;
                    }
                    depth -= 1;
                }
                Some(b',') if depth == 0 => n += 1,
                Some(b'"') => {
                    if let Some((_, len)) = literal(&src[pos..]) {
                        pos += len;
                        continue;
                    }
                }
                None => {
                    ok = false;
                    break;
                }
                _ => {}
            }
            pos += 1;
        }
        if !ok {
            continue;
        }
        if let Some((lit, _)) = literal(&src[pos..])
            && has_words(&lit)
            && !is_command(&lit)
        {
            found.push((src[..at].lines().count(), lit));
        }
    }
    found
}

#[test]
fn the_command_line_prints_only_catalog_messages() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/cli/src"), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let src = without_tests(&src);
        for (name, arg) in [
            ("println!(", 0),
            ("print!(", 0),
            ("eprintln!(", 0),
            ("eprint!(", 0),
            ("out!(", 0),
            ("note!(", 0),
            ("writeln!(", 1),
            ("Fail::local(", 1),
            ("bail(", 1),
        ] {
            for (line, lit) in worded_calls(src, name, arg) {
                bad.push(format!("{}:{line}: {name} {lit:?}", f.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "text outside the catalogs:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_gateway_s_errors_say_catalog_messages() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/gateway/src"), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let src = without_tests(&src);
        for name in ["ApiError::new(", "Refusal::new("] {
            for (line, lit) in worded_calls(src, name, 1) {
                bad.push(format!("{}:{line}: {lit:?}", f.display()));
            }
            // A message made with format! is English text too.
            let mut from = 0;
            while let Some(i) = src[from..].find(name) {
                let at = from + i;
                from = at + name.len();
                let call: String = src[from..].chars().take(160).collect();
                let second = call.split_once(',').map(|x| x.1.trim_start()).unwrap_or("");
                if second.starts_with("format!(") {
                    bad.push(format!(
                        "{}:{}: {name} with format!",
                        f.display(),
                        src[..at].lines().count()
                    ));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "text outside the catalogs:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_console_page_writes_only_catalog_messages() {
    let page = std::fs::read_to_string(root().join("crates/gateway/src/console.html")).unwrap();
    let (head, rest) = page.split_once("<body>").unwrap();
    // The markup: no words between tags (the brand in the title aside).
    let markup: String = rest
        .split("<script")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once("</script>").map_or("", |x| x.1)
            }
        })
        .collect();
    let mut bad = Vec::new();
    for text in markup
        .split('<')
        .filter_map(|t| t.split_once('>').map(|x| x.1))
    {
        if has_words(text.trim()) {
            bad.push(text.trim().to_owned());
        }
    }
    assert!(head.contains("<title>lienthong</title>"));
    // The script: whatever it puts on the page goes through T(…) or comes from the gateway.
    let script = page.split("<script>").nth(1).unwrap();
    for name in ["el(", "link("] {
        for (_, lit) in worded_calls(script, name, 1) {
            bad.push(format!("{name} {lit:?}"));
        }
    }
    for name in [".textContent = ", "alert(", "confirm(", "prompt("] {
        let mut from = 0;
        while let Some(i) = script[from..].find(name) {
            from += i + name.len();
            if let Some((lit, _)) = literal(&script[from..])
                && has_words(&lit)
            {
                bad.push(format!("{name}{lit:?}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "text outside the catalogs:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_vietnamese_is_written_in_code_outside_the_catalogs() {
    // Vietnamese letters in a string literal of program code mean a message someone wrote
    // in place. Allowed: the development federation's agency names (test data), and the
    // status labels edXML itself defines (QCVN 102's own words, sent to DMSs).
    let allowed = [
        "crates/testkit/",
        "crates/edxml/src/model.rs",
        "crates/i18n/",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if allowed.iter().any(|a| rel.starts_with(a)) || !rel.contains("/src/") {
            continue;
        }
        let src = std::fs::read_to_string(f).unwrap();
        let code = without_tests(&src);
        for (n, line) in code.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            let mut rest = line;
            while let Some(i) = rest.find('"') {
                let Some((lit, len)) = literal(&rest[i..]) else {
                    break;
                };
                if lit
                    .chars()
                    .any(|c| "ăâđêôơưĂÂĐÊÔƠƯ".contains(c) || ('\u{1EA0}'..='\u{1EF9}').contains(&c))
                {
                    bad.push(format!("{rel}:{}: {lit:?}", n + 1));
                }
                rest = &rest[i + len.max(1)..];
            }
        }
    }
    assert!(
        bad.is_empty(),
        "Vietnamese outside the catalogs:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_what_it_looks_for() {
    assert!(has_words("sent {n} files"));
    assert!(!has_words("{}: {:#}"));
    assert!(!has_words("  {} {}"));
    assert!(has_words("lỗi: {x}"));
    let src =
        r#"println!("{}", say!("x")); println!("done {n}"); Fail::local(Code::X, "no such file");"#;
    assert_eq!(worded_calls(src, "println!(", 0).len(), 1);
    assert_eq!(worded_calls(src, "Fail::local(", 1).len(), 1);
    assert_eq!(literal(r#"  "a\"b" rest"#), Some(("ab".to_owned(), 8)));
}
