//! `lienthong inspect` on fixtures, the public samples and files that must be refused.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::process::Command;

mod cmd;

/// The command, in English (the assertions below read its English messages).
fn lienthong() -> Command {
    cmd::command(Some("en_US.UTF-8"))
}

fn fixture(name: &str) -> std::path::PathBuf {
    lienthong_testkit::repo_root()
        .join("crates/edxml/tests/fixtures")
        .join(name)
}

fn inspect_json(path: &std::path::Path) -> (i32, serde_json::Value, String) {
    let out = lienthong()
        .arg("inspect")
        .arg("--json")
        .arg(path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_for_a_document() {
    let (code, v, _) = inspect_json(&fixture("edoc_update.edxml"));
    assert_eq!(code, 0);
    assert_eq!(v["kind"], "edoc");
    assert_eq!(v["from"], "000.00.01.H50");
    assert_eq!(
        v["to"],
        serde_json::json!(["000.00.11.H50", "000.00.00.H48"])
    );
    assert_eq!(v["document_id"], "000.00.01.H50,2026/11/20,123/UBND-VP");
    assert_eq!(v["code"], "123/UBND-VP");
    assert_eq!(
        v["subject"],
        "V/v triển khai liên thông văn bản điện tử 4 cấp"
    );
    assert_eq!(v["status_code"], serde_json::Value::Null);
    assert_eq!(v["business_type"], "update");
    assert_eq!(v["attachments"][0]["name"], "Cong van 123-UBND.pdf");
    assert_eq!(v["attachments"][0]["content_type"], "application/pdf");
    assert_eq!(v["warnings"], serde_json::json!([]));
}

#[test]
fn json_for_every_status_fixture() {
    for code in ["01", "02", "03", "04", "05", "06", "13", "15", "16"] {
        let (rc, v, _) = inspect_json(&fixture(&format!("status_{code}.edxml")));
        assert_eq!(rc, 0);
        assert_eq!(v["kind"], "status");
        assert_eq!(v["status_code"], code);
        assert_eq!(v["business_type"], serde_json::Value::Null);
        assert_eq!(v["attachments"], serde_json::json!([]));
    }
}

#[test]
fn text_output_reads_well() {
    let out = lienthong()
        .arg("inspect")
        .arg(fixture("edoc_lenient.edxml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("edXML document (edoc)"), "{s}");
    assert!(s.contains("000.00.11.H53  Sở Nội vụ tỉnh Tây Ninh"), "{s}");
    assert!(s.contains("phu-luc.docx"), "{s}");
    assert!(s.contains("Warnings ("), "{s}");
    assert!(s.contains("[edxml.odd_agency_code]"), "{s}");
}

#[test]
fn text_output_is_in_vietnamese_unless_english_is_asked_for() {
    // No language in the environment: Vietnamese.
    let out = cmd::command(None)
        .arg("inspect")
        .arg(fixture("edoc_lenient.edxml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("Văn bản edXML (edoc)"), "{s}");
    assert!(s.contains("Nơi gửi:"), "{s}");
    assert!(s.contains("000.00.11.H53  Sở Nội vụ tỉnh Tây Ninh"), "{s}");
    assert!(s.contains("Cảnh báo ("), "{s}");
    assert!(s.contains("[edxml.odd_agency_code]"), "{s}");
    assert!(
        s.contains("Tệp đính kèm:") && !s.contains("Attachments:"),
        "{s}"
    );
    let out = cmd::command(None)
        .arg("inspect")
        .arg("/nonexistent/file.edxml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        e.contains("không đọc được") && e.contains("[io.read]"),
        "{e}"
    );

    // --lang en wins over a Vietnamese locale.
    let out = cmd::command(Some("vi_VN.UTF-8"))
        .args(["inspect", "--lang", "en"])
        .arg(fixture("edoc_lenient.edxml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("edXML document (edoc)"), "{s}");
    assert!(s.contains("  From:         000.00."), "{s}");
    assert!(s.contains("Warnings ("), "{s}");
}

#[test]
fn unreadable_files_exit_2_with_problem_and_position() {
    let cases = [
        ("bad_doctype.edxml", "xml.doctype", Some(2)),
        ("bad_billion_laughs.edxml", "xml.doctype", Some(2)),
        ("bad_truncated.edxml", "xml.truncated", None),
        ("bad_namespace.edxml", "edxml.not_edxml", Some(3)),
    ];
    for (name, code, line) in cases {
        let (rc, v, stderr) = inspect_json(&fixture(name));
        assert_eq!(rc, 2, "{name}");
        assert_eq!(v["error"]["code"], code, "{name}: {v}");
        assert!(v["error"]["detail"]["line"].is_number(), "{name}: {v}");
        if let Some(l) = line {
            assert_eq!(v["error"]["detail"]["line"], l, "{name}: {v}");
        }
        assert!(
            stderr.contains(code) && stderr.contains("line"),
            "{name}: {stderr}"
        );
        // Text mode too.
        let out = lienthong()
            .arg("inspect")
            .arg(fixture(name))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
    }
    let out = lienthong()
        .arg("inspect")
        .arg("/nonexistent/file.edxml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = lienthong().arg("inspect").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn every_shared_sample_inspects() {
    let Some(shared) = lienthong_testkit::shared_dir() else {
        return;
    };
    for entry in std::fs::read_dir(shared.join("samples/edxml")).unwrap() {
        let path = entry.unwrap().path();
        let (rc, v, stderr) = inspect_json(&path);
        assert_eq!(rc, 0, "{}: {stderr}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("status") {
            assert_eq!(v["kind"], "status");
            assert_eq!(v["status_code"], name.split('_').nth(2).unwrap());
        } else {
            assert_eq!(v["kind"], "edoc");
            assert!(v["subject"].is_string());
            assert!(!v["to"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn demo_once_succeeds() {
    let out = lienthong().args(["demo", "--once"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "status 06",
        "status 02",
        "status 13",
        "status 15",
        "receipt signed by gw-h48 verified",
        "signed receipts verified",
        "latency p99",
        // the PDF inside each document, signed by a person then the commune, verified
        "(person) then UBND xã Gio Mai - ký số văn bản (organisation, 000.05.21.H50): valid",
        "PDF signatures verified",
    ] {
        assert!(s.contains(needle), "'{needle}' missing in:\n{s}");
    }
}
