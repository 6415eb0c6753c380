//! `lienthong sign` / `lienthong verify`, and interoperability with xmlsec1 both ways,
//! using the committed development PKI in certs-dev/.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod cmd;

fn root() -> PathBuf {
    lienthong_testkit::repo_root()
}

fn certs(rel: &str) -> PathBuf {
    root().join("certs-dev").join(rel)
}

/// The command, in English (the assertions below read its English messages).
fn lienthong(args: &[&str]) -> Output {
    cmd::command(Some("en_US.UTF-8"))
        .args(args)
        .output()
        .unwrap()
}

/// The command with no language asked for: Vietnamese.
fn lienthong_vi(args: &[&str]) -> Output {
    cmd::command(None).args(args).output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lienthong-sig-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The fixture document, sent by `code`.
fn document(code: &str, name: &str) -> PathBuf {
    let src =
        std::fs::read_to_string(root().join("crates/edxml/tests/fixtures/edoc_new.edxml")).unwrap();
    let out = tmp(name);
    std::fs::write(&out, src.replace("000.00.01.H50", code)).unwrap();
    out
}

fn sign(signer: &str, code: &str, name: &str) -> PathBuf {
    let input = document(code, &format!("{name}.in"));
    let out = tmp(name);
    let o = lienthong(&[
        "sign",
        "--key",
        p(&certs(&format!("signers/{signer}.key"))),
        "--cert",
        p(&certs(&format!("signers/{signer}.pem"))),
        p(&input),
        "-o",
        p(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn verify_json(file: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let ca = certs("ca.pem");
    let mut args = vec!["verify", "--json", "--trust", p(&ca), "--at", "2026-11-22"];
    args.extend_from_slice(extra);
    args.push(p(file));
    let o = lienthong(&args);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code().unwrap(), v)
}

fn xmlsec1_verify(file: &Path) -> bool {
    let o = Command::new("xmlsec1")
        .args([
            "--verify",
            "--trusted-pem",
            p(&certs("ca.pem")),
            "--enabled-reference-uris",
            "empty,same-doc",
        ])
        .arg(file)
        .output()
        .unwrap();
    o.status.success()
}

fn flip_byte_in(file: &Path, needle: &str, out_name: &str) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    let s = String::from_utf8(bytes.clone()).unwrap();
    let at = s.find(needle).unwrap_or_else(|| panic!("{needle}")) + needle.len() + 3;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let out = tmp(out_name);
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn our_signatures_verify_in_xmlsec1_and_tampering_fails_both() {
    if lienthong_testkit::tool("xmlsec1").is_none() {
        return;
    }
    for (signer, code) in [
        ("000.00.01.H50", "000.00.01.H50"),
        ("000.05.21.H50-rsa", "000.05.21.H50"),
    ] {
        let signed = sign(signer, code, &format!("ours-{signer}.edxml"));
        assert!(
            xmlsec1_verify(&signed),
            "xmlsec1 refused our {signer} signature"
        );
        let (rc, v) = verify_json(&signed, &[]);
        assert_eq!((rc, v["valid"].as_bool()), (0, Some(true)), "{v:#}");
        // One changed byte, in the header and in the attachment: both tools refuse.
        for (needle, name) in [
            ("<edXML:Subject>", "hdr"),
            (
                "<edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">",
                "att",
            ),
        ] {
            let bad = flip_byte_in(&signed, needle, &format!("ours-{signer}-{name}.edxml"));
            assert!(
                !xmlsec1_verify(&bad),
                "xmlsec1 accepted a changed byte ({name})"
            );
            let (rc, v) = verify_json(&bad, &[]);
            assert_eq!(rc, 1, "{v:#}");
            assert!(
                v["problems"][0]
                    .as_str()
                    .unwrap()
                    .contains("changed after signing"),
                "{v:#}"
            );
        }
    }
}

const TEMPLATE: &str = r#"  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <SignatureMethod Algorithm="SIGALG"/>
          <Reference URI="">
            <Transforms>
              <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
              <Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
            </Transforms>
            <DigestMethod Algorithm="DIGALG"/>
            <DigestValue/>
          </Reference>
        </SignedInfo>
        <SignatureValue/>
        <KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>
      </Signature>
    </edXML:edXMLHeader>"#;

fn xmlsec1_sign(signer: &str, code: &str, sigalg: &str, digalg: &str, name: &str) -> PathBuf {
    let src = std::fs::read_to_string(document(code, &format!("{name}.plain"))).unwrap();
    let tpl = src.replacen(
        "</edXML:edXMLHeader>",
        &TEMPLATE.replace("SIGALG", sigalg).replace("DIGALG", digalg),
        1,
    );
    let tpl_path = tmp(&format!("{name}.tpl"));
    std::fs::write(&tpl_path, tpl).unwrap();
    let out = tmp(name);
    let key = format!(
        "{},{}",
        p(&certs(&format!("signers/{signer}.key"))),
        p(&certs(&format!("signers/{signer}.pem")))
    );
    let o = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem", &key, "--output", p(&out)])
        .arg(&tpl_path)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "xmlsec1 --sign: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn xmlsec1_signatures_verify_here_and_tampering_fails_both() {
    if lienthong_testkit::tool("xmlsec1").is_none() {
        return;
    }
    let cases = [
        (
            "000.05.21.H50-rsa",
            "000.05.21.H50",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "RSA-SHA256",
        ),
        (
            "000.00.11.H48",
            "000.00.11.H48",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            "ECDSA-P256-SHA256",
        ),
    ];
    for (signer, code, alg, name) in cases {
        let signed = xmlsec1_sign(
            signer,
            code,
            alg,
            "http://www.w3.org/2001/04/xmlenc#sha256",
            &format!("xmlsec-{signer}.edxml"),
        );
        assert!(xmlsec1_verify(&signed));
        let (rc, v) = verify_json(&signed, &[]);
        assert_eq!(rc, 0, "{v:#}");
        assert_eq!(v["valid"], true);
        assert_eq!(v["algorithm"], name);
        assert_eq!(v["signer"]["agency"], code);
        let bad = flip_byte_in(
            &signed,
            "<edXML:Subject>",
            &format!("xmlsec-{signer}-bad.edxml"),
        );
        assert!(!xmlsec1_verify(&bad));
        assert_eq!(verify_json(&bad, &[]).0, 1);
    }
}

#[test]
fn sha1_from_xmlsec1_is_weak() {
    if lienthong_testkit::tool("xmlsec1").is_none() {
        return;
    }
    let signed = xmlsec1_sign(
        "000.05.21.H50-rsa",
        "000.05.21.H50",
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        "sha1.edxml",
    );
    let (rc, v) = verify_json(&signed, &[]);
    assert_eq!(rc, 1);
    assert_eq!(v["weak"], true);
    assert_eq!(v["intact"], true);
    assert!(
        v["problems"][0]
            .as_str()
            .unwrap()
            .contains("weak algorithm: RSA-SHA1"),
        "{v:#}"
    );
}

#[test]
fn verify_reports_each_failure_clearly() {
    // Expired signer.
    let signed = sign("expired", "000.00.11.H50", "expired.edxml");
    let (rc, v) = verify_json(&signed, &[]);
    assert_eq!(rc, 1);
    assert!(
        v["problems"]
            .to_string()
            .contains("certificate expired on 2025-03-01"),
        "{v:#}"
    );
    // Revoked signer, with the CRL.
    let signed = sign("revoked", "000.00.09.H48", "revoked.edxml");
    let crl = certs("ca.crl.pem");
    let (rc, v) = verify_json(&signed, &["--crl", p(&crl)]);
    assert_eq!(rc, 1);
    assert!(v["problems"].to_string().contains("revoked"), "{v:#}");
    // Wrong agency: Sở Tài chính Quảng Trị signs for UBND huyện Gio Linh.
    let signed = sign("000.00.11.H50", "000.00.21.H50", "wrong-agency.edxml");
    let (rc, v) = verify_json(&signed, &[]);
    assert_eq!(rc, 1);
    assert!(v["problems"].to_string().contains("signed by Sở Tài chính tỉnh Quảng Trị (000.00.11.H50) but the document says it is from Văn phòng UBND tỉnh Quảng Trị (000.00.21.H50)"), "{v:#}");
    // Untrusted: no --trust at all.
    let signed = sign("000.00.01.H50", "000.00.01.H50", "untrusted.edxml");
    let o = lienthong(&["verify", "--json", p(&signed)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no trusted root"));
}

#[test]
fn human_report_leads_with_the_verdict() {
    let signed = sign("000.00.01.H50", "000.00.01.H50", "human.edxml");
    let ca = certs("ca.pem");
    let o = lienthong(&["verify", "--trust", p(&ca), p(&signed)]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines[0].starts_with("VALID"), "{s}");
    for label in [
        "Signer:",
        "Agency:",
        "Chain:",
        "Checked at:",
        "Algorithm:",
        "Covers:",
    ] {
        assert!(s.contains(label), "{label} missing in\n{s}");
    }
    let o = lienthong(&[
        "verify",
        "--trust",
        p(&ca),
        p(&root().join("crates/edxml/tests/fixtures/edoc_new.edxml")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("NOT SIGNED"));
}

#[test]
fn the_report_is_in_vietnamese_unless_english_is_asked_for() {
    let signed = sign("000.00.01.H50", "000.00.01.H50", "human-vi.edxml");
    let ca = certs("ca.pem");
    // No language in the environment: Vietnamese.
    let o = lienthong_vi(&["verify", "--trust", p(&ca), p(&signed)]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.starts_with("HỢP LỆ"), "{s}");
    for label in [
        "Người ký:",
        "Cơ quan:",
        "Chuỗi chứng thực:",
        "Thời điểm kiểm tra:",
        "Thuật toán:",
    ] {
        assert!(s.contains(label), "{label} missing in\n{s}");
    }
    assert!(!s.contains("Signer:"), "{s}");
    let o = lienthong_vi(&[
        "verify",
        "--trust",
        p(&ca),
        p(&root().join("crates/edxml/tests/fixtures/edoc_new.edxml")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.starts_with("CHƯA KÝ"), "{s}");
    // A usage error says so in Vietnamese too.
    let o = lienthong_vi(&["verify", "--at", "someday", "--trust", p(&ca), p(&signed)]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(e.starts_with("lỗi:") && e.contains("[usage.at]"), "{e}");

    // --lang en wins over a Vietnamese locale.
    let o = cmd::command(Some("vi_VN.UTF-8"))
        .args(["verify", "--lang", "en", "--trust", p(&ca), p(&signed)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(
        s.starts_with("VALID: the signature is intact and trusted"),
        "{s}"
    );
    assert!(s.contains("Signer:") && s.contains("Checked at:"), "{s}");
    assert!(!s.contains("Người ký:"), "{s}");
}

#[test]
fn usage_and_unreadable_input_exit_2() {
    let ca = certs("ca.pem");
    let bad = root().join("crates/edxml/tests/fixtures/bad_doctype.edxml");
    let o = lienthong(&["verify", "--json", "--trust", p(&ca), p(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["code"], "xml.doctype");
    assert_eq!(
        lienthong(&["verify", "--at", "someday", "--trust", p(&ca), p(&bad)])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        lienthong(&["verify", "--trust", "/nonexistent.pem", p(&bad)])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(lienthong(&["verify"]).status.code(), Some(2));
    // sign: wrong key for the certificate, and an already signed file.
    let input = document("000.00.01.H50", "usage.in");
    let o = lienthong(&[
        "sign",
        "--key",
        p(&certs("signers/000.00.11.H50.key")),
        "--cert",
        p(&certs("signers/000.00.01.H50.pem")),
        p(&input),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not belong"));
    let signed = sign("000.00.01.H50", "000.00.01.H50", "twice.edxml");
    let o = lienthong(&[
        "sign",
        "--key",
        p(&certs("signers/000.00.01.H50.key")),
        "--cert",
        p(&certs("signers/000.00.01.H50.pem")),
        p(&signed),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn receipts_verify_offline() {
    let gw = "gw-h48";
    let key = lienthong_dsig::SigningKey::from_pem(
        &std::fs::read(certs(&format!("gateways/{gw}.key"))).unwrap(),
    )
    .unwrap();
    let chain = lienthong_dsig::certs_from_pem(
        &std::fs::read(certs(&format!("gateways/{gw}.pem"))).unwrap(),
    )
    .unwrap();
    let receipt = lienthong_dsig::Receipt {
        message_id: "0190f3a2-7c1e-7b3a-9f00-00000000abcd".parse().unwrap(),
        document_sha256: "ab".repeat(32).parse().unwrap(),
        receiving_gateway: gw.parse().unwrap(),
        received_at_ms: 1_795_305_600_000,
        hop: 3,
    };
    let path = tmp("receipt.xml");
    std::fs::write(&path, receipt.sign(&key, &chain).unwrap()).unwrap();
    let (rc, v) = verify_json(&path, &[]);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(v["receipt"]["receiving_gateway"], gw);
    assert_eq!(v["receipt"]["hop"], 3);
    if lienthong_testkit::tool("xmlsec1").is_some() {
        assert!(xmlsec1_verify(&path), "xmlsec1 refused our receipt");
    }
    let bad = flip_byte_in(&path, "<DocumentSha256>", "receipt-bad.xml");
    assert_eq!(verify_json(&bad, &[]).0, 1);
}

/// An archived receipt: its gateway certificate expired since, but the receipt is checked as
/// of the time it says the gateway signed it; and it is tied to the document file it is for.
#[test]
fn an_archived_receipt_verifies_as_of_its_time_and_against_its_document() {
    let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
    let dir = tmp("archive-pki");
    pki.write_to(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut spec = lienthong_testkit::pki::LeafSpec::signer("000.00.00.H50", "gw-old", 5_001);
    spec.uris = vec!["urn:lienthong:gateway:gw-old".into()];
    spec.valid = ((2024, 1, 1), (2025, 1, 1));
    let cert = pki.issue(&spec).unwrap();
    let key = lienthong_dsig::SigningKey::from_pem(cert.key_pem.as_bytes()).unwrap();
    let chain = lienthong_dsig::certs_from_pem(cert.cert_pem.as_bytes()).unwrap();
    let doc = tmp("archived.edxml");
    std::fs::write(&doc, b"<exactly these bytes/>").unwrap();
    let other = tmp("other.edxml");
    std::fs::write(&other, b"<other bytes/>").unwrap();
    let receipt = lienthong_dsig::Receipt {
        message_id: "018fd2a0-0000-7000-8000-000000000001".parse().unwrap(),
        document_sha256: lienthong_store::Sha256::digest(b"<exactly these bytes/>"),
        receiving_gateway: "gw-old".parse().unwrap(),
        received_at_ms: 1_717_200_000_000, // 2024-06-01
        hop: 1,
    };
    let path = tmp("archived-receipt.xml");
    std::fs::write(&path, receipt.sign(&key, &chain).unwrap()).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["verify", "--json", "--trust", p(&ca)];
        args.extend_from_slice(extra);
        args.push(p(&path));
        let o = lienthong(&args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        (o.status.code().unwrap(), v)
    };
    // As of its ReceivedAt: valid, and it says so.
    let (rc, v) = run(&[]);
    assert_eq!(rc, 0, "{v:#}");
    assert!(
        v["checked_at"].as_str().unwrap().starts_with("2024-06-01"),
        "{v:#}"
    );
    assert!(v["notes"].to_string().contains("ReceivedAt"), "{v:#}");
    assert!(
        v["notes"]
            .to_string()
            .contains("certificate expired on 01/01/2025 07:00"),
        "{v:#}"
    );
    // As of today: the certificate has expired.
    let (rc, v) = run(&["--at", "2026-11-22"]);
    assert_eq!(rc, 1, "{v:#}");
    assert!(v["problem_codes"].to_string().contains("expired"), "{v:#}");
    // For this document, not another.
    let (rc, v) = run(&["--document", p(&doc)]);
    assert_eq!(rc, 0, "{v:#}");
    let (rc, v) = run(&["--document", p(&other)]);
    assert_eq!(rc, 1, "{v:#}");
    assert!(
        v["problem_codes"]
            .to_string()
            .contains("receipt.other_document"),
        "{v:#}"
    );
    // --document is for receipts only.
    let o = lienthong(&["verify", "--document", p(&doc), p(&doc)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn certs_dev_regenerates() {
    let dir = tmp("pki");
    let o = lienthong(&["certs", "dev", "--out", p(&dir)]);
    assert!(o.status.success());
    for f in [
        "ca.pem",
        "ca.crl.pem",
        "README.md",
        "gateways/gw-g22.pem",
        "dms/000.00.00.H50.key",
        "operator/ops.pem",
        "signers/000.05.21.H50-rsa.pem",
        "signers/expired.pem",
        "signers/revoked.key",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    assert!(
        std::fs::read_to_string(dir.join("README.md"))
            .unwrap()
            .contains("DEVELOPMENT ONLY")
    );
}

#[test]
fn a_signer_pinned_in_a_directory_file_speaks_for_its_agency() {
    use lienthong_testkit::pki::{LeafSpec, issue_from_dev_ca};
    // A clerk's certificate that names only the organisation (as a national CA's do).
    let clerk = issue_from_dev_ca(
        &std::fs::read_to_string(certs("ca.key")).unwrap(),
        &LeafSpec {
            cn: "Trần Thị Bình".into(),
            org: Some("Sở Tài chính tỉnh Quảng Trị".into()),
            uris: vec![],
            ..LeafSpec::signer("unused", "unused", 7101)
        },
    )
    .unwrap();
    let (key, cert) = (tmp("clerk.key"), tmp("clerk.pem"));
    std::fs::write(&key, &clerk.key_pem).unwrap();
    std::fs::write(&cert, &clerk.cert_pem).unwrap();
    let input = document("000.00.11.H50", "pinned.in");
    let signed = tmp("pinned.edxml");
    let o = lienthong(&[
        "sign",
        "--key",
        p(&key),
        "--cert",
        p(&cert),
        p(&input),
        "-o",
        p(&signed),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hex: String = lienthong_store::Sha256::digest(&clerk.cert_der).to_hex();

    // Without the directory: not the sender's signature, and the report says how to pin it.
    let (rc, v) = verify_json(&signed, &[]);
    assert_eq!(rc, 1, "{v:#}");
    assert!(
        v["problems"].to_string().contains(&hex) && v["signer"]["agency"].is_null(),
        "{v:#}"
    );
    // With a directory that pins it: valid, and the signer speaks for the agency.
    let dir = tmp("directory.toml");
    std::fs::write(
        &dir,
        format!(
            "[[gateway]]\nid = \"gw-h50\"\nurl = \"https://127.0.0.1:8441\"\n\n[[agency]]\ncode = \"000.00.11.H50\"\nname = \"Sở Tài chính tỉnh Quảng Trị\"\ngateway = \"gw-h50\"\nsigners = [\"{}\"]\n",
            hex.to_uppercase()
        ),
    )
    .unwrap();
    let (rc, v) = verify_json(&signed, &["--directory", p(&dir)]);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(v["signer"]["agency"], "000.00.11.H50", "{v:#}");
    // As at the gateway, the directory's other codes for the agency speak for it: a document
    // sent under an alias, signed by a certificate naming the main code.
    let aliased = sign("000.00.11.H50", "000.00.99.H50", "alias.edxml");
    let (rc, _) = verify_json(&aliased, &[]);
    assert_eq!(rc, 1, "without the directory the alias is another agency");
    std::fs::write(
        &dir,
        "[[gateway]]\nid = \"gw-h50\"\nurl = \"https://127.0.0.1:8441\"\n\n[[agency]]\ncode = \"000.00.11.H50\"\nname = \"Sở Tài chính tỉnh Quảng Trị\"\ngateway = \"gw-h50\"\naliases = [\"000.00.99.H50\"]\n",
    )
    .unwrap();
    let (rc, v) = verify_json(&aliased, &["--directory", p(&dir)]);
    assert_eq!(rc, 0, "{v:#}");
    // A directory that does not load is a usage error naming the file and the problem.
    std::fs::write(&dir, "[[agency]]\ncode = \"000.00.11.H50\"\nname = \"x\"\ngateway = \"gw-nowhere\"\nsigners = [\"12\"]\n").unwrap();
    let (rc, v) = verify_json(&signed, &["--directory", p(&dir)]);
    assert_eq!(rc, 2, "{v:#}");
    assert_eq!(v["error"]["code"], "usage.directory", "{v:#}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("directory.toml") && msg.contains("signers[0]"),
        "{msg}"
    );
}

/// A signed document that names its sender twice is not verified for either sender: the
/// clerk is told it is ambiguous (exit 2, `edxml.ambiguous`, where the second one is).
#[test]
fn a_document_with_two_senders_is_refused_by_verify() {
    let signed = sign("000.00.01.H50", "000.00.01.H50", "two-senders.edxml");
    let text = std::fs::read_to_string(&signed).unwrap();
    let a = text.find("<edXML:From>").unwrap();
    let b = text[a..].find("</edXML:From>").unwrap() + a + "</edXML:From>".len();
    let spoof = text[a..b].replace("000.00.01.H50", "000.00.00.G22");
    let two = tmp("two-senders-2.edxml");
    std::fs::write(&two, format!("{}{spoof}{}", &text[..b], &text[b..])).unwrap();
    let (rc, v) = verify_json(&two, &[]);
    assert_eq!(rc, 2, "{v:#}");
    assert_eq!(v["error"]["code"], "edxml.ambiguous", "{v:#}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("From"),
        "{v:#}"
    );
    // The document as signed verifies.
    let (rc, v) = verify_json(&signed, &[]);
    assert_eq!((rc, v["valid"].as_bool()), (0, Some(true)), "{v:#}");
}

/// Without `--trust`, a signature that holds is untrusted, not invalid (nobody said whom to
/// trust), with what to do about it; exit 1 all the same. One that does not hold is
/// invalid, with or without `--trust`.
#[test]
fn without_trust_anchors_an_intact_signature_is_untrusted_and_a_broken_one_invalid() {
    let signed = sign("000.00.01.H50", "000.00.01.H50", "no-anchors.edxml");
    let o = lienthong(&["verify", p(&signed)]);
    assert_eq!(o.status.code(), Some(1));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(
        s.starts_with(
            "UNTRUSTED: the signature is intact, but no trust anchors were given (--trust)"
        ),
        "{s}"
    );
    assert!(
        s.contains("no trust anchors given (--trust)") && s.contains("--trust ca.pem"),
        "{s}"
    );
    assert!(!s.contains("INVALID"), "{s}");
    let o = lienthong(&["verify", "--json", p(&signed)]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "untrusted", "{v:#}");
    assert_eq!(v["valid"], false, "{v:#}");
    assert_eq!(v["intact"], true, "{v:#}");
    assert_eq!(
        v["problem_codes"],
        serde_json::json!(["cert.no_trust_roots"])
    );
    assert!(
        v["notes"]
            .to_string()
            .contains("no trust anchors given (--trust)"),
        "{v:#}"
    );
    // The same in Vietnamese.
    let o = lienthong_vi(&["verify", p(&signed)]);
    assert_eq!(o.status.code(), Some(1));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.starts_with("KHÔNG ĐƯỢC TIN CẬY: "), "{s}");
    assert!(s.contains("--trust ca.pem"), "{s}");
    // Changed after signing: invalid, without --trust as with it.
    let bad = flip_byte_in(&signed, "<edXML:Subject>", "no-anchors-changed.edxml");
    let o = lienthong(&["verify", p(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let s = String::from_utf8(o.stdout).unwrap();
    assert!(s.starts_with("INVALID"), "{s}");
    assert!(
        !s.contains("UNTRUSTED") && !s.contains("no trust anchors given"),
        "{s}"
    );
    let o = lienthong(&["verify", "--json", p(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "invalid", "{v:#}");
    // Given the anchor, the intact one is valid.
    let ca = certs("ca.pem");
    let o = lienthong(&["verify", "--trust", p(&ca), p(&signed)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
