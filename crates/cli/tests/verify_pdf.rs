//! `lienthong verify FILE.pdf` and `lienthong verify FILE.edxml` with PDF attachments: the
//! report a clerk reads, its JSON, and the exit codes (0 valid; 1 invalid, untrusted, weak
//! or unsigned; 2 unreadable or a usage error).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};
use std::process::Output;

mod cmd;

use lienthong_edxml::Attachment;
use lienthong_edxml::attach::{encode_base64, zip_single_stored};
use lienthong_testkit::pdf::PdfDraft;

const FROM: &str = "000.00.01.H50";

fn certs(rel: &str) -> PathBuf {
    lienthong_testkit::repo_root().join("certs-dev").join(rel)
}

/// The command, in English (the assertions below read its English messages).
fn lienthong(args: &[&str]) -> Output {
    cmd::command(Some("en_US.UTF-8"))
        .args(args)
        .output()
        .unwrap()
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("lienthong-verify-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A PDF signed by agency `code`'s certificate of the committed development PKI.
fn signed_pdf(code: &str) -> Vec<u8> {
    let chain: Vec<Vec<u8>> = lienthong_dsig::certs_from_pem(
        &std::fs::read(certs(&format!("signers/{code}.pem"))).unwrap(),
    )
    .unwrap()
    .into_iter()
    .map(|c| c.to_vec())
    .collect();
    let key = std::fs::read_to_string(certs(&format!("signers/{code}.key"))).unwrap();
    PdfDraft::new("Cong van 7/UBND", 0)
        .sign("ChuKyToChuc", &chain, &key, 1_790_000_000)
        .unwrap()
        .bytes
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn a_signed_pdf_is_reported_with_its_signer_and_exit_codes() {
    let ca = certs("ca.pem");
    let good = write("good.pdf", &signed_pdf(FROM));
    // trusted with --trust: valid, exit 0, the clerk sees who signed for which agency
    let o = lienthong(&["verify", p(&good), "--trust", p(&ca)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.starts_with("VALID"), "{text}");
    assert!(text.contains(&format!("Agency:     {FROM}")), "{text}");
    // the agency's own signing certificate is the organisation's
    assert!(
        text.contains("Signature 1 (organisation, field ChuKyToChuc): VALID"),
        "{text}"
    );
    assert!(text.contains("Covers:     the whole file"), "{text}");
    let o = lienthong(&["verify", p(&good), "--trust", p(&ca), "--json"]);
    let v = json_of(&o);
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["file"], p(&good));
    assert_eq!(v["signatures"][0]["signer"]["agency"], FROM);
    // only the Government CA (the dev CA is not trusted): untrusted, exit 1
    let o = lienthong(&["verify", p(&good), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_of(&o)["verdict"], "untrusted");
    // changed after signing: invalid, exit 1, the reason with its code
    let mut bad = signed_pdf(FROM);
    let at = bad.windows(4).position(|w| w == b"Cong").unwrap();
    bad[at] = b'K';
    let bad = write("bad.pdf", &bad);
    let o = lienthong(&["verify", p(&bad), "--trust", p(&ca)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.starts_with("INVALID"), "{text}");
    assert!(text.contains("[pdf.digest_mismatch]"), "{text}");
    // unsigned: exit 1
    let plain = write("plain.pdf", &PdfDraft::new("x", 0).bytes);
    let o = lienthong(&["verify", p(&plain), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_of(&o)["verdict"], "unsigned");
    // unreadable: exit 2 with the code and where
    let broken = write("broken.pdf", b"%PDF-1.7\nnothing else\n");
    let o = lienthong(&["verify", p(&broken), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let e = &json_of(&o)["error"];
    assert_eq!(e["code"], "pdf.xref", "{e}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("[pdf.xref]"));
    // a bad trust file: usage, exit 2
    let o = lienthong(&["verify", p(&good), "--trust", p(&plain)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("usage.trust"));
}

#[test]
fn an_edxml_file_reports_its_envelope_then_each_pdf_attachment() {
    let ca = certs("ca.pem");
    let pdf = signed_pdf(FROM);
    let mut bad = pdf.clone();
    let at = bad.windows(4).position(|w| w == b"Cong").unwrap();
    bad[at] = b'K';
    let mut doc = lienthong_edxml::Edoc::default();
    doc.header.from.organ_id = FROM.into();
    doc.header.to.push(lienthong_edxml::Organization {
        organ_id: "000.00.00.H50".into(),
        ..Default::default()
    });
    doc.header.subject = Some("V/v thử".into());
    let attach = |name: &str, bytes: Vec<u8>| Attachment {
        attachment_name: Some(name.into()),
        encoded: encode_base64(&bytes),
        ..Attachment::default()
    };
    doc.attachments = vec![
        attach("zipped.zip", zip_single_stored("Quyết định.pdf", &pdf)),
        attach("plain.pdf", bad),
    ];
    let unsigned = write("doc.edxml", lienthong_edxml::write_edoc(&doc).as_bytes());
    let signed = dir().join("doc.signed.edxml");
    let o = lienthong(&[
        "sign",
        "--key",
        p(&certs(&format!("signers/{FROM}.key"))),
        "--cert",
        p(&certs(&format!("signers/{FROM}.pem"))),
        p(&unsigned),
        "-o",
        p(&signed),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = lienthong(&["verify", p(&signed), "--trust", p(&ca), "--json"]);
    let v = json_of(&o);
    assert_eq!(v["verdict"], "valid", "the envelope: {v:#}");
    let a = v["attachments"].as_array().unwrap();
    assert_eq!(a.len(), 2, "{v:#}");
    assert_eq!(a[0]["name"], "Quyết định.pdf");
    assert_eq!(a[0]["verdict"], "valid");
    assert_eq!(a[1]["name"], "plain.pdf");
    assert_eq!(a[1]["verdict"], "invalid");
    // a PDF signature that does not hold fails the whole
    assert_eq!(o.status.code(), Some(1));
    let o = lienthong(&["verify", p(&signed), "--trust", p(&ca)]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Attachment Quyết định.pdf:\n  VALID"),
        "{text}"
    );
    assert!(text.contains("Attachment plain.pdf:\n  INVALID"), "{text}");
}

#[test]
fn a_pdf_report_is_in_vietnamese_unless_english_is_asked_for() {
    let ca = certs("ca.pem");
    let good = write("good-vi.pdf", &signed_pdf(FROM));
    // No language in the environment: Vietnamese.
    let o = cmd::command(None)
        .args(["verify", p(&good), "--trust", p(&ca)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.starts_with("HỢP LỆ"), "{text}");
    assert!(
        text.contains("Chữ ký 1 (tổ chức, trường ChuKyToChuc): HỢP LỆ"),
        "{text}"
    );
    assert!(text.contains("Cơ quan:") && text.contains(FROM), "{text}");
    assert!(text.contains("toàn bộ tệp"), "{text}");
    assert!(!text.contains("Signer:"), "{text}");

    // --lang en wins over a Vietnamese locale.
    let o = cmd::command(Some("vi_VN.UTF-8"))
        .args(["verify", "--lang", "en", p(&good), "--trust", p(&ca)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.starts_with("VALID"), "{text}");
    assert!(text.contains(&format!("Agency:     {FROM}")), "{text}");
    assert!(
        text.contains("Signature 1 (organisation, field ChuKyToChuc): VALID"),
        "{text}"
    );
}
