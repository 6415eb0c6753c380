//! # lienthong-testkit
//!
//! Shared helpers for lienthong's tests:
//!
//! * [`shared_dir`] finds the project's `../shared` folder (public sample edXML files,
//!   reference notes), which sits beside the checkout on developer machines and in CI.
//!   Its samples are read in place, never copied into the repository.
//! * [`tool`] finds an external oracle program (`xmllint`, `xmlsec1`, `openssl`). Tests
//!   that need one skip with a notice when it is missing, unless
//!   `LIENTHONG_REQUIRE_TOOLS=1` is set (as `.ci/run` does), in which case a missing tool
//!   is a test failure, so CI can never pass by skipping.
//! * [`pki`] makes the development PKI (rcgen) and [`federation`] defines the demo
//!   federation's gateways and agencies.
//! * [`postgres`] starts throw-away PostgreSQL clusters.

pub mod federation;
pub mod pdf;
pub mod pki;
pub mod postgres;

/// rcgen, re-exported for tests that make odd certificates.
pub use rcgen;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    // crates/testkit -> crates -> root
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Is `LIENTHONG_REQUIRE_TOOLS=1` set?
pub fn tools_required() -> bool {
    std::env::var("LIENTHONG_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// A Python (`$LIENTHONG_PYTHON`, else `python3`) that can import `modules` (comma
/// separated, as in an `import` statement), for tests that use Python tools as oracles:
/// `None` (the check is skipped, with a note) when there is none, unless
/// `LIENTHONG_REQUIRE_TOOLS=1`, which makes that a failure.
pub fn python_with(modules: &str) -> Option<String> {
    let py = std::env::var("LIENTHONG_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&py)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    assert!(
        !tools_required(),
        "LIENTHONG_REQUIRE_TOOLS=1 but {py} cannot import {modules} (set LIENTHONG_PYTHON)"
    );
    eprintln!("note: no Python with {modules}; that check is skipped");
    None
}

/// The `shared` folder beside the checkout (or `$LIENTHONG_SHARED_DIR`), if present.
/// With `LIENTHONG_REQUIRE_TOOLS=1` its absence is a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let candidates = std::env::var_os("LIENTHONG_SHARED_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(repo_root().parent().map(|p| p.join("shared")));
    for c in candidates {
        if c.join("samples").is_dir() {
            return Some(c);
        }
    }
    assert!(
        !tools_required(),
        "LIENTHONG_REQUIRE_TOOLS=1 but ../shared (or $LIENTHONG_SHARED_DIR) was not found"
    );
    eprintln!("note: ../shared not found; tests that read the public samples are skipped");
    None
}

/// Path of an external program if it can be run (`NAME --version` succeeds).
/// With `LIENTHONG_REQUIRE_TOOLS=1` a missing program is a failure.
pub fn tool(name: &str) -> Option<PathBuf> {
    let ok = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if ok {
        return Some(PathBuf::from(name));
    }
    assert!(
        !tools_required(),
        "LIENTHONG_REQUIRE_TOOLS=1 but `{name}` is not installed"
    );
    eprintln!("note: `{name}` not installed; the test that needs it is skipped");
    None
}

/// Validate `files` against the schema `xsd` with xmllint, the oracle for our schemas:
/// `Some(Ok(()))` when every file validates, `Some(Err(xmllint's report))` when any does not,
/// `None` when xmllint is not installed (a failure with `LIENTHONG_REQUIRE_TOOLS=1`).
pub fn xmllint_schema(xsd: &Path, files: &[PathBuf]) -> Option<Result<(), String>> {
    let xmllint = tool("xmllint")?;
    let out = match Command::new(xmllint)
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .args(files)
        .output()
    {
        Ok(out) => out,
        Err(e) => return Some(Err(format!("xmllint did not run: {e}"))),
    };
    let report = String::from_utf8_lossy(&out.stderr).into_owned();
    let validated = report.matches(" validates").count();
    Some(if out.status.success() && validated == files.len() {
        Ok(())
    } else {
        Err(report)
    })
}
