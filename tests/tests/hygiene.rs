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
