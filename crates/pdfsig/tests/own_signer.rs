//! PDFs signed by the test kit's signer (the one the gateway tests and the demo use):
//! verified here, and by pyHanko when it is installed, so that what the other tests build
//! on is a real signature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lienthong_pdfsig::{PdfTrust, Role, Verdict, verify_pdf};
use lienthong_testkit::pdf::PdfDraft;
use lienthong_testkit::pki::{DevPki, LeafSpec};
use lienthong_types::Code;

const AGENCY: &str = "000.00.01.H50";
const ORG: &str = "Văn phòng UBND tỉnh Quảng Trị";
const SIGNED_AT: i64 = 1_790_000_000; // 2026-09-21

fn pki() -> DevPki {
    DevPki::generate().unwrap()
}

/// A person's then the organisation's signature, by the development PKI.
fn two_signatures(pki: &DevPki) -> Vec<u8> {
    let person = pki
        .issue(&LeafSpec::person("Nguyễn Văn An", ORG, 7001))
        .unwrap();
    let org = &pki.signers[AGENCY];
    PdfDraft::new("Cong van 123/UBND-VP", 0)
        .sign(
            "ChuKyLanhDao",
            std::slice::from_ref(&person.cert_der),
            &person.key_pem,
            SIGNED_AT,
        )
        .unwrap()
        .sign(
            "ChuKyToChuc",
            std::slice::from_ref(&org.cert_der),
            &org.key_pem,
            SIGNED_AT + 600,
        )
        .unwrap()
        .bytes
}

fn trust(pki: &DevPki) -> PdfTrust {
    let mut t = PdfTrust::new();
    t.add_roots_pem(pki.ca.cert_pem.as_bytes()).unwrap();
    t
}

#[test]
fn a_person_then_the_organisation_verify() {
    let pki = pki();
    let bytes = two_signatures(&pki);
    let r = verify_pdf(&bytes, SIGNED_AT + 3600, &trust(&pki)).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    assert_eq!(r.revisions, 3);
    let (p, o) = (&r.signatures[0], &r.signatures[1]);
    assert_eq!((p.role, o.role), (Role::Person, Role::Organisation));
    assert_eq!(p.field, "ChuKyLanhDao");
    assert_eq!(
        p.signer.as_ref().unwrap().common_name.as_deref(),
        Some("Nguyễn Văn An")
    );
    assert_eq!(p.signer.as_ref().unwrap().agency, None);
    assert_eq!(o.signer.as_ref().unwrap().agency.as_deref(), Some(AGENCY));
    assert_eq!(
        p.signing_time_claimed.as_deref(),
        Some("2026-09-21T14:13:20Z")
    );
    assert_eq!(p.covers.changes_after, ["signatures", "metadata"]);
    assert!(o.covers.whole_file);
    assert!(r.organisation_signed_by(AGENCY));
    assert!(!r.organisation_signed_by("000.00.11.H50"));
    assert!(p.note_codes.contains(&Code::PdfLeafOnly));
    assert_eq!(p.algorithm, "SHA-256 with ECDSA, ECDSA P-256");
}

#[test]
fn a_later_byte_change_a_stranger_and_an_rsa_signer() {
    let pki = pki();
    let mut bytes = two_signatures(&pki);
    let at = bytes.windows(3).position(|w| w == b"123").unwrap();
    bytes[at] = b'9';
    let r = verify_pdf(&bytes, SIGNED_AT, &trust(&pki)).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid);
    for s in &r.signatures {
        assert!(
            s.problem_codes.contains(&Code::PdfDigestMismatch),
            "{:?}",
            s.problems
        );
    }
    // another CA: untrusted
    let other = DevPki::generate_named("Some other root").unwrap();
    let r = verify_pdf(&two_signatures(&other), SIGNED_AT, &trust(&pki)).unwrap();
    assert_eq!(r.verdict, Verdict::Untrusted);
    // an RSA-2048 signer
    let rsa = &pki.signers["000.05.21.H50-rsa"];
    let bytes = PdfDraft::new("x", 0)
        .sign(
            "Sig",
            std::slice::from_ref(&rsa.cert_der),
            &rsa.key_pem,
            SIGNED_AT,
        )
        .unwrap()
        .bytes;
    let r = verify_pdf(&bytes, SIGNED_AT, &trust(&pki)).unwrap();
    assert_eq!(r.verdict, Verdict::Valid, "{r:#?}");
    assert_eq!(
        r.signatures[0].algorithm,
        "SHA-256 with RSASSA-PKCS1-v1_5, RSA-2048"
    );
    // expired at the signing time
    let e = &pki.expired_signer;
    let bytes = PdfDraft::new("x", 0)
        .sign(
            "Sig",
            std::slice::from_ref(&e.cert_der),
            &e.key_pem,
            SIGNED_AT,
        )
        .unwrap()
        .bytes;
    let r = verify_pdf(&bytes, SIGNED_AT, &trust(&pki)).unwrap();
    assert!(r.signatures[0].problem_codes.contains(&Code::CertExpired));
}

#[test]
fn pyhanko_validates_what_the_test_kit_signs() {
    let py = std::env::var("LIENTHONG_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&py)
        .args(["-c", "import pyhanko"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !lienthong_testkit::tools_required(),
            "{py} cannot import pyhanko"
        );
        return;
    }
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pki")).unwrap();
    std::fs::write(dir.path().join("pki/root.pem"), &pki.ca.cert_pem).unwrap();
    std::fs::write(dir.path().join("two.pdf"), two_signatures(&pki)).unwrap();
    let manifest = serde_json::json!({
        "files": [{"name": "two.pdf", "meant": "valid", "notes": "", "trust": "test"}],
        "roots": ["pki/root.pem"], "intermediates": [], "crls": []
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/pyhanko_validate.py");
    let out = std::process::Command::new(&py)
        .arg(script)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sigs = v["two.pdf"]["signatures"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(sigs.len(), 2, "{v}");
    for s in sigs {
        assert_eq!(s["bottom_line"], true, "{s}");
    }
}
