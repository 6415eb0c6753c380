//! Workspace hygiene the code review would otherwise have to remember.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every crate says what it is for, in its crate docs and its manifest.
#[test]
fn every_crate_is_documented() {
    let root = lienthong_testkit::repo_root();
    let mut n = 0;
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = read(&dir.join("Cargo.toml"));
        assert!(
            manifest.contains("description = \""),
            "{} has no description",
            dir.display()
        );
        let src = if dir.join("src/lib.rs").exists() {
            dir.join("src/lib.rs")
        } else {
            dir.join("src/main.rs")
        };
        let text = read(&src);
        let docs: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
        assert!(docs.len() >= 3, "{} has no crate docs", src.display());
        n += 1;
    }
    assert!(n >= 5);
}

/// The README starts with the two commands a newcomer needs.
#[test]
fn readme_opens_with_the_two_commands() {
    let readme = read(&lienthong_testkit::repo_root().join("README.md"));
    let head: String = readme.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo run --release -- demo"), "{head}");
    assert!(head.contains("cargo test --workspace"), "{head}");
    let ci = read(&lienthong_testkit::repo_root().join(".ci/run"));
    assert!(ci.contains("cargo test --workspace"));
}

/// The development PKI is labelled as such wherever it is committed.
#[test]
fn dev_certificates_are_labelled() {
    let dir = lienthong_testkit::repo_root().join("certs-dev");
    let readme = read(&dir.join("README.md"));
    assert!(
        readme.to_lowercase().contains("development only"),
        "certs-dev/README.md must say it is for development only"
    );
}

/// A document written by the edxml crate and checked by the xml crate agree on the tree.
#[test]
fn edxml_output_is_strict_xml() {
    let dir = lienthong_testkit::repo_root().join("crates/edxml/tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("bad_")
        {
            continue;
        }
        let parsed = lienthong_edxml::read(&std::fs::read(&path).unwrap()).unwrap();
        let xml = lienthong_edxml::write(&parsed.package);
        let doc = lienthong_xml::Document::parse(xml.as_bytes()).unwrap();
        assert!(doc.root_element().is(lienthong_edxml::EDXML_NS, "edXML"));
    }
}

/// The gateway's handlers read query and path parameters only through its own extractors
/// (`ApiQuery`, `ApiPath` in `http/extract.rs`), which refuse with the API's JSON error and
/// read an empty query parameter as one left out; axum's `Query` and `Path` would answer a
/// bad parameter in plain text.
#[test]
fn gateway_handlers_take_parameters_through_the_api_s_extractors() {
    let dir = lienthong_testkit::repo_root().join("crates/gateway/src/http");
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        if file.file_name().is_some_and(|n| n == "extract.rs") {
            continue;
        }
        let text = read(&file);
        for (no, line) in text.lines().enumerate() {
            for word in ["Query", "Path"] {
                let raw = line.match_indices(word).any(|(at, _)| {
                    let before = line[..at].chars().next_back();
                    let after = line[at + word.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && matches!(after, Some('<' | '(' | ',' | '}' | ';'))
                });
                if raw {
                    bad.push(format!("{}:{}: {line}", file.display(), no + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "axum's own extractors: {bad:#?}");
}
