//! The README, followed as written: every ```sh block of README.md, in order, as one bash
//! script, on the federation that its own `deploy/federation.sh start` starts. The commands
//! are read from the README itself, so the two cannot drift apart.
//!
//! What stands in for what a new user has:
//! * `lienthong` is the binary under test (first on `PATH`); `cargo run --release -- ARGS`
//!   runs it too, and `cargo build --release` is skipped (the test was built for it);
//! * `cargo run --release -p lienthong-pdfsig --example make_signed_pdf -- ARGS` runs that
//!   example as `cargo test` built it;
//! * the commands run in a fresh folder holding links to the repository's `certs-dev`,
//!   `crates`, `deploy`, `docs` and `schemas`, with `HOME` and `XDG_CONFIG_HOME` in it (the
//!   profiles written there are the test's own);
//! * a block right after `<!-- readme-test: skip: WHY -->` is not run (the demo runs until
//!   stopped, `serve` serves in the foreground); any other `cargo` command fails the test, so
//!   that a new one gets a decision.
//!
//! The federation uses fixed ports (8440-8444, 8450-8451), as does deploy.rs: the two are
//! separate test binaries, which cargo runs one after the other.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod cmd;

/// The marker that keeps the next block from being run.
const SKIP: &str = "<!-- readme-test: skip:";

/// The README's shell blocks in order, without the skipped ones: (first line number, text).
fn shell_blocks(readme: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut skip_next = false;
    let mut lines = readme.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.starts_with(SKIP) {
            skip_next = true;
            continue;
        }
        let Some(lang) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                skip_next = false;
            }
            continue;
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if lang.trim() == "sh" && !skip_next {
            blocks.push((n + 2, body));
        }
        skip_next = false;
    }
    blocks
}

/// One README line as the test runs it.
fn translate(line: &str, examples: &Path) -> Result<String, String> {
    let t = line.trim_start();
    if !t.starts_with("cargo ") {
        return Ok(line.to_owned());
    }
    if t.starts_with("cargo build --release") {
        return Ok(": the binary under test stands in for cargo build --release".to_owned());
    }
    if let Some(rest) = t.strip_prefix("cargo run --release -- ") {
        return Ok(format!("lienthong {rest}"));
    }
    let example = "cargo run --release -p lienthong-pdfsig --example make_signed_pdf -- ";
    if let Some(rest) = t.strip_prefix(example) {
        let exe = examples.join("make_signed_pdf");
        return Ok(format!("'{}' {rest}", exe.display()));
    }
    Err(format!("the README test does not know how to run: {line}"))
}

#[test]
fn the_readme_runs_as_written() {
    let root = lienthong_testkit::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = shell_blocks(&readme);
    let all: String = blocks.iter().map(|(_, b)| b.as_str()).collect();
    // The walk-through is there, from the federation's start to the receipt's check.
    for step in [
        "deploy/federation.sh start",
        "lienthong profile add",
        "lienthong send",
        "lienthong inbox get",
        "lienthong status",
        "--receipts receipts/",
        "lienthong verify --trust certs-dev/ca.pem \"receipts/",
        "deploy/federation.sh stop",
    ] {
        assert!(all.contains(step), "the README's commands lack {step}");
    }
    assert!(!all.contains('…'), "a README command has a placeholder (…)");
    assert!(
        !all.contains("../shared"),
        "a README command needs ../shared"
    );

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_lienthong"));
    let bin_dir = bin.parent().unwrap().to_path_buf();
    let examples = bin_dir.join("examples");
    let mut script = String::from("set -euo pipefail\nPS4='+ README: '\nset -x\n");
    for (line_no, body) in &blocks {
        script.push_str(&format!(": README.md line {line_no}\n"));
        for line in body.lines() {
            match translate(line, &examples) {
                Ok(l) => {
                    script.push_str(&l);
                    script.push('\n');
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    if !examples.join("make_signed_pdf").exists() {
        // Built by `cargo test --workspace` (what CI runs), not by `-p lienthong` alone.
        assert!(
            !lienthong_testkit::tools_required(),
            "the make_signed_pdf example is not built"
        );
        eprintln!("SKIP: the make_signed_pdf example is not built; run cargo test --workspace");
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    for link in ["certs-dev", "crates", "deploy", "docs", "schemas"] {
        std::os::unix::fs::symlink(root.join(link), dir.path().join(link)).unwrap();
    }
    let data = root.join("deploy/federation/data");
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(root.join("deploy/federation/backups"));
    std::fs::write(dir.path().join("readme.sh"), &script).unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut readme_sh = Command::new("timeout");
    readme_sh
        .args(["600", "bash", "readme.sh"])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join(".config"))
        .env("LIENTHONG_BIN", &bin)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    for k in cmd::CONNECTION_VARS {
        readme_sh.env_remove(k);
    }
    let out = readme_sh.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        // Leave no gateway running behind a failure.
        let _ = Command::new("bash")
            .arg(root.join("deploy/federation.sh"))
            .arg("stop")
            .env("LIENTHONG_BIN", &bin)
            .output();
        panic!(
            "the README failed (exit {:?})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            out.status.code()
        );
    }
    // What a user would look for: the letter arrived unchanged, the receipts were saved and
    // the one the README names verifies, in Vietnamese (no language was chosen).
    assert!(stdout.contains("byte-identical"), "{stdout}");
    let receipts: Vec<_> = std::fs::read_dir(dir.path().join("receipts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        receipts.iter().any(|r| r.contains(".hop1.gw-g22.")),
        "{receipts:?}"
    );
    assert!(stdout.contains("HỢP LỆ"), "{stdout}");
    assert!(
        stderr.contains("gw-h48 ready on https://127.0.0.1:8444")
            || stdout.contains("gw-h48 ready on https://127.0.0.1:8444"),
        "{stdout}\n{stderr}"
    );
    // The profiles were written in the test's own folder.
    assert!(dir.path().join(".config/lienthong/profile.toml").exists());
}

#[test]
fn skipped_blocks_say_why_and_other_cargo_commands_are_refused() {
    let readme = "<!-- readme-test: skip: runs forever -->\n```sh\ncargo run --release -- demo\n```\n\n```sh\nlienthong inspect x\n```\n```\nnot shell\n```\n";
    let blocks = shell_blocks(readme);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    assert_eq!(blocks[0].1, "lienthong inspect x\n");
    let ex = Path::new("/ex");
    assert_eq!(
        translate("cargo run --release -- inspect f", ex).unwrap(),
        "lienthong inspect f"
    );
    assert!(translate("cargo install lienthong", ex).is_err());
    assert_eq!(translate("  echo hi", ex).unwrap(), "  echo hi");
}
