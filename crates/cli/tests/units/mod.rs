//! Reading and verifying the systemd units in deploy/ (shared by the deploy tests).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folders a unit lets the service write under `ProtectSystem=strict`: its
/// `StateDirectory=` entries (under /var/lib) and its `ReadWritePaths=`.
pub fn writable_paths(unit: &str) -> Vec<PathBuf> {
    let mut writable = Vec::new();
    for line in unit.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        for path in value.split_whitespace() {
            match key.trim() {
                "StateDirectory" => writable.push(Path::new("/var/lib").join(path)),
                "ReadWritePaths" => {
                    writable.push(PathBuf::from(path.trim_start_matches(['-', '+'])))
                }
                _ => {}
            }
        }
    }
    writable
}

/// `systemd-analyze verify` finds nothing wrong with `unit`, saved as `name` with its
/// commands made this build's binary (verify checks that they exist). Skipped, saying so,
/// without systemd-analyze (a failure under `LIENTHONG_REQUIRE_TOOLS=1`).
pub fn verify(unit: &str, name: &str) {
    let Some(systemd_analyze) = lienthong_testkit::tool("systemd-analyze") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    let bin = env!("CARGO_BIN_EXE_lienthong");
    std::fs::write(&copy, unit.replace("/usr/local/bin/lienthong", bin)).unwrap();
    let out = Command::new(systemd_analyze)
        .args(["verify", "--man=no"])
        .arg(&copy)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let complaints: Vec<&str> = report.lines().filter(|l| l.contains("lienthong")).collect();
    assert!(
        out.status.success() && complaints.is_empty(),
        "systemd-analyze verify {name}:\n{report}"
    );
}
