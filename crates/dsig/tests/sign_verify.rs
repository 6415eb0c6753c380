//! Signing and verification: every way a signature can be good or bad, each with the
//! reason a clerk would read.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lienthong_dsig::c14n::{self, Method, NodeSet};
use lienthong_dsig::*;
use lienthong_testkit::pki::{DevPki, Issued, LeafSpec};
use lienthong_xml::Document;
use rustls_pki_types::CertificateDer;

const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// 2026-11-22T00:00:00Z: inside every dev certificate's validity.
const NOW: u64 = 1_795_305_600;

fn pki() -> &'static DevPki {
    static P: OnceLock<DevPki> = OnceLock::new();
    P.get_or_init(|| DevPki::generate().unwrap())
}

fn other_pki() -> &'static DevPki {
    static P: OnceLock<DevPki> = OnceLock::new();
    P.get_or_init(|| DevPki::generate_named("Some Other Root CA").unwrap())
}

fn same_name_pki() -> &'static DevPki {
    static P: OnceLock<DevPki> = OnceLock::new();
    P.get_or_init(|| DevPki::generate().unwrap())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        lienthong_testkit::repo_root()
            .join("crates/edxml/tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// The fixture document, with its sender changed to `code`.
fn doc_from(code: &str) -> Vec<u8> {
    String::from_utf8(fixture("edoc_new.edxml"))
        .unwrap()
        .replace("000.00.01.H50", code)
        .into_bytes()
}

fn header() -> Placement {
    Placement::LastChildOf {
        namespace: EDXML_NS.into(),
        local: "edXMLHeader".into(),
    }
}

fn sign_as(input: &[u8], who: &Issued) -> Vec<u8> {
    let key = SigningKey::from_pem(who.key_pem.as_bytes()).unwrap();
    sign_enveloped(
        input,
        &key,
        &[CertificateDer::from(who.cert_der.clone())],
        &header(),
    )
    .unwrap()
}

fn trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_roots_pem(pki().ca.cert_pem.as_bytes()).unwrap();
    t
}

fn check(bytes: &[u8], trust: &TrustStore, agency: Option<&str>, at: u64) -> Report {
    let policy = Policy {
        trust,
        at: unix_time(at),
        expected_agency: agency.map(|c| ExpectedAgency {
            code: c.into(),
            name: None,
            other_codes: Vec::new(),
        }),
    };
    verify_bytes(bytes, &Profile::edxml(), &policy).unwrap()
}

fn assert_problem(r: &Report, code: &str, words: &str) {
    assert!(!r.valid, "expected invalid: {r:#?}");
    let i = r
        .problem_codes
        .iter()
        .position(|c| *c == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", r.problems));
    assert!(
        r.problems[i].contains(words),
        "'{}' does not say '{words}'",
        r.problems[i]
    );
}

#[test]
fn rsa_and_ecdsa_signatures_verify() {
    for (name, code) in [
        ("000.00.01.H50", "000.00.01.H50"),
        ("000.05.21.H50-rsa", "000.05.21.H50"),
    ] {
        let signer = &pki().signers[name];
        let signed = sign_as(&doc_from(code), signer);
        let r = check(&signed, &trust(), Some(code), NOW);
        assert!(r.valid, "{name}: {r:#?}");
        assert_eq!(r.verdict, Verdict::Valid);
        assert!(r.intact && !r.weak);
        assert_eq!(r.signer.as_ref().unwrap().agency.as_deref(), Some(code));
        assert_eq!(r.covers, ["the whole document"]);
        assert_eq!(r.chain.len(), 2);
        assert!(r.chain[1].contains("lienthong DEV Root CA"));
        let expected_alg = if name.ends_with("-rsa") {
            "RSA-SHA256"
        } else {
            "ECDSA-P256-SHA256"
        };
        assert_eq!(r.algorithm.as_deref(), Some(expected_alg));
        // Signing changed nothing but adding the signature: the document still reads the same.
        let before = Document::parse(&doc_from(code)).unwrap();
        let after = Document::parse(&signed).unwrap();
        assert_eq!(
            before.root_element().descendants().count() + 1,
            after
                .root_element()
                .descendants()
                .filter(|e| e.namespace() != Some(XMLDSIG_NS))
                .count()
                + 1
        );
    }
}

#[test]
fn signature_sits_where_the_sdk_places_it() {
    let signed = sign_as(&doc_from("000.00.01.H50"), &pki().signers["000.00.01.H50"]);
    let doc = Document::parse(&signed).unwrap();
    let header = doc
        .root_element()
        .descendants()
        .find(|e| e.is(EDXML_NS, "edXMLHeader"))
        .unwrap();
    assert!(
        header
            .child_elements()
            .last()
            .unwrap()
            .is(XMLDSIG_NS, "Signature")
    );
}

#[test]
fn same_document_id_reference() {
    let input = br#"<r xmlns="urn:x"><a Id="part">signed part</a><b>other</b></r>"#;
    let signer = &pki().signers["000.00.01.H50"];
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let cert = CertificateDer::from(signer.cert_der.clone());
    let signed = sign_with_target(
        input,
        &key,
        std::slice::from_ref(&cert),
        &Placement::RootLastChild,
        &Target::Id("part".into()),
    )
    .unwrap();
    let t = trust();
    let policy = Policy {
        trust: &t,
        at: unix_time(NOW),
        expected_agency: None,
    };
    // Covers only <a>: fine for a profile that allows partial coverage…
    let partial = Profile {
        parent: None,
        cover_root: false,
    };
    let r = verify_bytes(&signed, &partial, &policy).unwrap();
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.covers, ["element <a> (#part)"]);
    // …but not for one that must cover the whole document.
    let r = verify_bytes(&signed, &Profile::whole_document(), &policy).unwrap();
    assert_problem(&r, "sig.partial", "does not cover the whole document");
    // An Id on the root covers everything; the signature inside it needs the enveloped transform.
    let input = br#"<r xmlns="urn:x" Id="doc"><a>x</a></r>"#;
    let signed = sign_with_target(
        input,
        &key,
        &[cert],
        &Placement::RootLastChild,
        &Target::Id("doc".into()),
    )
    .unwrap();
    let r = verify_bytes(&signed, &Profile::whole_document(), &policy).unwrap();
    assert!(r.valid, "{r:#?}");
    assert!(String::from_utf8_lossy(&signed).contains("enveloped-signature"));
}

#[test]
fn expired_certificate() {
    let signed = sign_as(&doc_from("000.00.11.H50"), &pki().expired_signer);
    let r = check(&signed, &trust(), Some("000.00.11.H50"), NOW);
    assert_problem(&r, "cert.expired", "certificate expired on 2025-03-01");
    // Valid when checked at a time inside its validity.
    let r = check(&signed, &trust(), Some("000.00.11.H50"), 1_735_689_600); // 2025-01-01
    assert!(r.valid, "{r:#?}");
}

#[test]
fn revoked_certificate() {
    let signed = sign_as(&doc_from("000.00.09.H48"), &pki().revoked_signer);
    let mut t = trust();
    // Without the CRL it cannot be known, and the report says revocation was not checked.
    let r = check(&signed, &t, Some("000.00.09.H48"), NOW);
    assert!(
        r.valid
            && r.notes
                .iter()
                .any(|n| n.contains("revocation was not checked")),
        "{r:#?}"
    );
    t.add_crls(pki().crl_pem.as_bytes()).unwrap();
    let r = check(&signed, &t, Some("000.00.09.H48"), NOW);
    assert_problem(&r, "cert.revoked", "revoked");
    // A signer the CRL does not list stays valid with the CRL loaded.
    let ok = sign_as(&doc_from("000.00.11.H48"), &pki().signers["000.00.11.H48"]);
    assert!(check(&ok, &t, Some("000.00.11.H48"), NOW).valid);
}

#[test]
fn untrusted_root() {
    let signed = sign_as(
        &doc_from("000.00.01.H50"),
        &other_pki().signers["000.00.01.H50"],
    );
    let r = check(&signed, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "cert.untrusted", "not issued by a trusted authority");
    assert!(r.intact, "the signature itself is intact");
    let r = check(&signed, &TrustStore::new(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "cert.no_trust_roots", "no trusted root");
    // An authority with the same name but another key: a forgery of the trusted CA.
    let signed = sign_as(
        &doc_from("000.00.01.H50"),
        &same_name_pki().signers["000.00.01.H50"],
    );
    let r = check(&signed, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(
        &r,
        "cert.bad_chain_signature",
        "not signed by the trusted authority of that name",
    );
}

#[test]
fn wrong_agency() {
    // Sở Tài chính Quảng Trị signs a document that claims to be from UBND huyện Gio Linh.
    let signed = sign_as(&doc_from("000.00.21.H50"), &pki().signers["000.00.11.H50"]);
    let t = trust();
    let policy = Policy {
        trust: &t,
        at: unix_time(NOW),
        expected_agency: Some(ExpectedAgency {
            code: "000.00.21.H50".into(),
            name: Some("UBND huyện Gio Linh".into()),
            other_codes: Vec::new(),
        }),
    };
    let r = verify_bytes(&signed, &Profile::edxml(), &policy).unwrap();
    assert_problem(
        &r,
        "sig.wrong_agency",
        "signed by Sở Tài chính tỉnh Quảng Trị (000.00.11.H50) but the document says it is from UBND huyện Gio Linh (000.00.21.H50)",
    );
}

#[test]
fn a_certificate_naming_another_code_of_the_same_agency() {
    // After a merger the document uses the agency's new code (an alias in the directory of
    // the old one), while its certificate still names the old code.
    let signed = sign_as(&doc_from("000.00.21.H50"), &pki().signers["000.00.11.H50"]);
    let t = trust();
    let policy = |other_codes: Vec<String>| Policy {
        trust: &t,
        at: unix_time(NOW),
        expected_agency: Some(ExpectedAgency {
            code: "000.00.21.H50".into(),
            name: None,
            other_codes,
        }),
    };
    let r = verify_bytes(
        &signed,
        &Profile::edxml(),
        &policy(vec!["000.00.11.H50".into()]),
    )
    .unwrap();
    assert!(r.valid, "{:?}", r.problems);
    // Another agency's code among them does not make a stranger's certificate speak for it.
    let r = verify_bytes(
        &signed,
        &Profile::edxml(),
        &policy(vec!["000.00.31.H50".into()]),
    )
    .unwrap();
    assert_problem(&r, "sig.wrong_agency", "signed by");
}

#[test]
fn agency_in_a_subject_attribute_or_pinned() {
    // A certificate without our SAN URI, naming the agency in its subject (as national CAs may).
    let spec = LeafSpec {
        uris: vec![],
        org: Some("000.00.11.H50".into()),
        ..LeafSpec::signer("x", "Sở Tài chính", 777)
    };
    let cert = pki().issue(&spec).unwrap();
    let signed = sign_as(&doc_from("000.00.11.H50"), &cert);
    assert!(check(&signed, &trust(), Some("000.00.11.H50"), NOW).valid);
    // Or pinned by fingerprint.
    let spec = LeafSpec {
        uris: vec![],
        ..LeafSpec::signer("x", "Sở Tài chính", 778)
    };
    let cert = pki().issue(&spec).unwrap();
    let signed = sign_as(&doc_from("000.00.11.H50"), &cert);
    let r = check(&signed, &trust(), Some("000.00.11.H50"), NOW);
    assert_problem(
        &r,
        "sig.wrong_agency",
        "but the document says it is from 000.00.11.H50",
    );
    let mut t = trust();
    let fp: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, &cert.cert_der)
        .as_ref()
        .try_into()
        .unwrap();
    // The refusal tells how to pin it.
    let hex: String = fp.iter().map(|b| format!("{b:02x}")).collect();
    assert_problem(
        &r,
        "sig.wrong_agency",
        &format!(
            "names no agency code: if it signs for 000.00.11.H50, pin it in the directory (signers = [\"{hex}\"])"
        ),
    );
    t.pin(fp, "000.00.11.H50");
    assert!(check(&signed, &t, Some("000.00.11.H50"), NOW).valid);
    // No hint where a pin would not be the fix: an untrusted chain ...
    let hint = |r: &Report| {
        r.problems
            .iter()
            .any(|p| p.contains("pin it in the directory"))
    };
    let r = check(&signed, &TrustStore::new(), Some("000.00.11.H50"), NOW);
    assert!(!r.valid && !hint(&r), "{:?}", r.problems);
    // ... or a certificate that names another agency's code in its subject.
    let other = pki()
        .issue(&LeafSpec {
            uris: vec![],
            ..LeafSpec::signer("x", "000.00.21.H50", 780)
        })
        .unwrap();
    let r = check(
        &sign_as(&doc_from("000.00.11.H50"), &other),
        &trust(),
        Some("000.00.11.H50"),
        NOW,
    );
    assert!(
        r.problem_codes.iter().any(|c| *c == "sig.wrong_agency") && !hint(&r),
        "{:?}",
        r.problems
    );
}

#[test]
fn key_usage_must_allow_signing() {
    let spec = LeafSpec {
        key_usages: vec![lienthong_testkit::rcgen::KeyUsagePurpose::KeyEncipherment],
        ..LeafSpec::signer("000.00.11.H50", "Sở", 779)
    };
    let cert = pki().issue(&spec).unwrap();
    let r = check(
        &sign_as(&doc_from("000.00.11.H50"), &cert),
        &trust(),
        Some("000.00.11.H50"),
        NOW,
    );
    assert_problem(&r, "cert.key_usage", "not for signing");
    let spec = LeafSpec {
        key_usages: vec![],
        ..LeafSpec::signer("000.00.11.H50", "Sở", 780)
    };
    let cert = pki().issue(&spec).unwrap();
    let r = check(
        &sign_as(&doc_from("000.00.11.H50"), &cert),
        &trust(),
        Some("000.00.11.H50"),
        NOW,
    );
    assert_problem(&r, "cert.no_key_usage", "no KeyUsage");
}

fn signed_ok() -> Vec<u8> {
    sign_as(&doc_from("000.00.01.H50"), &pki().signers["000.00.01.H50"])
}

fn replace_once(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(s.contains(from), "{from} not found");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn tampered_header_and_attachment() {
    let signed = signed_ok();
    let header = replace_once(&signed, "triển khai", "trien khai");
    let r = check(&header, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "sig.digest_mismatch", "changed after signing");
    // One base64 character of the attachment.
    let s = String::from_utf8(signed.clone()).unwrap();
    let i = s.find("<edXML:ContentTransferEncoded").unwrap();
    let j = s[i..].find('>').unwrap() + i + 20;
    let mut b = signed.clone();
    b[j] = if b[j] == b'A' { b'B' } else { b'A' };
    let r = check(&b, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "sig.digest_mismatch", "changed after signing");
    // A changed SignedInfo breaks the signature value.
    let si = replace_once(
        &signed,
        "<Reference URI=\"\">",
        "<Reference URI=\"\" Type=\"x\">",
    );
    let r = check(&si, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "sig.bad_value", "does not verify");
    // Appending an element after signing.
    let extra = replace_once(
        &signed,
        "</edXML:edXMLBody>",
        "<edXML:Extra/></edXML:edXMLBody>",
    );
    assert_problem(
        &check(&extra, &trust(), None, NOW),
        "sig.digest_mismatch",
        "changed",
    );
}

/// Signature wrapping, in its known variants. The signed content is moved or duplicated
/// so that a naive verifier checks one element while the application reads another.
#[test]
fn wrapping_attacks_fail() {
    let signer = &pki().signers["000.00.01.H50"];
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let cert = CertificateDer::from(signer.cert_der.clone());
    let original = String::from_utf8(doc_from("000.00.01.H50"))
        .unwrap()
        .replacen("<edXML xmlns", "<edXML Id=\"doc\" xmlns", 1);
    let signed = sign_with_target(
        original.as_bytes(),
        &key,
        &[cert],
        &header(),
        &Target::Id("doc".into()),
    )
    .unwrap();
    let s = String::from_utf8(signed.clone()).unwrap();
    assert!(
        check(&signed, &trust(), Some("000.00.01.H50"), NOW).valid,
        "the untouched document is valid"
    );

    // 1. The original signed root moved inside a wrapper of a forged document whose own
    //    envelope says something else: #doc still finds the original, but the root read by
    //    the application is not what was signed.
    let sig = &s[s.find("<Signature").unwrap()..s.find("</Signature>").unwrap() + 12];
    let orig_root = s[s.find("<edXML ").unwrap()..].trim_end();
    let env =
        &s[s.find("<edXML:edXMLEnvelope").unwrap()..s.find("</edXML:edXMLEnvelope>").unwrap() + 22];
    let forged_env = env
        .replacen(sig, "", 1)
        .replacen("triển khai", "CHUYỂN TIỀN", 1);
    let wrapped = format!(
        "<edXML Id=\"evil\" xmlns=\"{EDXML_NS}\">{forged_env}<Wrapper xmlns=\"urn:evil\">{orig_root}</Wrapper></edXML>"
    );
    let r = check(wrapped.as_bytes(), &trust(), Some("000.00.01.H50"), NOW);
    assert!(r.intact, "the moved signature itself still matches: {r:#?}");
    assert_problem(&r, "sig.partial", "does not cover the whole document");

    // 2. A second element with the same Id.
    let dup = s.replacen(
        "<edXML:edXMLBody>",
        "<edXML:edXMLBody><edXML:Decoy Id=\"doc\"/>",
        1,
    );
    assert_problem(
        &check(dup.as_bytes(), &trust(), None, NOW),
        "sig.duplicate_id",
        "more than one element",
    );

    // 3. A second signature (the forged one) added next to the real one.
    let two = s.replacen("</edXML:edXMLBody>", &format!("{sig}</edXML:edXMLBody>"), 1);
    assert_problem(
        &check(two.as_bytes(), &trust(), None, NOW),
        "sig.multiple",
        "2 signatures",
    );

    // 4. The signature moved out of edXMLHeader (into the body).
    let moved = s.replacen(sig, "", 1).replacen(
        "</edXML:edXMLBody>",
        &format!("{sig}</edXML:edXMLBody>"),
        1,
    );
    let r = check(moved.as_bytes(), &trust(), None, NOW);
    assert_problem(&r, "sig.misplaced", "not where");

    // 5. A signature over a part only (the body), while the header the router reads is free.
    let input = String::from_utf8(doc_from("000.00.01.H50"))
        .unwrap()
        .replacen("<edXML:edXMLBody>", "<edXML:edXMLBody Id=\"body\">", 1);
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let part = sign_with_target(
        input.as_bytes(),
        &key,
        &[CertificateDer::from(signer.cert_der.clone())],
        &header(),
        &Target::Id("body".into()),
    )
    .unwrap();
    let forged = replace_once(&part, "triển khai", "CHUYỂN TIỀN");
    let r = check(&forged, &trust(), Some("000.00.01.H50"), NOW);
    assert_problem(&r, "sig.partial", "does not cover the whole document");
}

/// Insert a hand-made Signature (SignedInfo given, digests and value computed) into a document.
fn craft(
    input: &[u8],
    signed_info: &str,
    digest: &'static ring::digest::Algorithm,
    sign: impl Fn(&[u8]) -> Vec<u8>,
    cert_der: &[u8],
    key_info_extra: &str,
) -> Vec<u8> {
    let cert = STANDARD.encode(cert_der);
    let make = |si: &str, value: &str| {
        let sig = format!(
            "<Signature xmlns=\"{XMLDSIG_NS}\">{si}<SignatureValue>{value}</SignatureValue><KeyInfo>{key_info_extra}<X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></Signature>"
        );
        String::from_utf8(input.to_vec()).unwrap().replacen(
            "</edXML:edXMLHeader>",
            &format!("{sig}</edXML:edXMLHeader>"),
            1,
        )
    };
    let draft = make(&signed_info.replace("{DIGEST}", ""), "");
    let doc = Document::parse(draft.as_bytes()).unwrap();
    let sig = doc
        .root_element()
        .descendants()
        .find(|e| e.is(XMLDSIG_NS, "Signature"))
        .unwrap()
        .id();
    let mut ctx = ring::digest::Context::new(digest);
    let exc = Method::Exclusive {
        comments: false,
        inclusive_prefixes: vec![],
    };
    c14n::canonicalize(&doc, NodeSet::document().without(sig), &exc, &mut ctx).unwrap();
    let si = signed_info.replace("{DIGEST}", &STANDARD.encode(ctx.finish()));
    let with_digest =
        Document::parse(format!("<Signature xmlns=\"{XMLDSIG_NS}\">{si}</Signature>").as_bytes())
            .unwrap();
    let si_id = with_digest
        .root_element()
        .child_elements()
        .next()
        .unwrap()
        .id();
    let canonical = c14n::canonicalize_to_vec(&with_digest, NodeSet::subtree(si_id), &exc).unwrap();
    make(&si, &STANDARD.encode(sign(&canonical))).into_bytes()
}

fn signed_info(sig_alg: &str, transforms: &str, digest_alg: &str, uri: &str) -> String {
    format!(
        "<SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><SignatureMethod Algorithm=\"{sig_alg}\"/><Reference URI=\"{uri}\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>{transforms}<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms><DigestMethod Algorithm=\"{digest_alg}\"/><DigestValue>{{DIGEST}}</DigestValue></Reference></SignedInfo>"
    )
}

fn rsa_signer() -> (&'static Issued, ring::signature::RsaKeyPair) {
    let who = &pki().signers["000.05.21.H50-rsa"];
    let der = rustls_pki_types::PrivateKeyDer::from_pem_slice(who.key_pem.as_bytes()).unwrap();
    let rustls_pki_types::PrivateKeyDer::Pkcs8(p8) = der else {
        panic!()
    };
    (
        who,
        ring::signature::RsaKeyPair::from_pkcs8(p8.secret_pkcs8_der()).unwrap(),
    )
}

use rustls_pki_types::pem::PemObject;

fn rsa_sign(
    kp: &ring::signature::RsaKeyPair,
    enc: &'static dyn ring::signature::RsaEncoding,
    data: &[u8],
) -> Vec<u8> {
    let mut out = vec![0; kp.public().modulus_len()];
    kp.sign(enc, &ring::rand::SystemRandom::new(), data, &mut out)
        .unwrap();
    out
}

/// RSA-SHA1 signing (ring refuses to make SHA-1 signatures, rightly): openssl as the oracle.
fn openssl_sha1_sign(key_pem: &str, data: &[u8]) -> Option<Vec<u8>> {
    let openssl = lienthong_testkit::tool("openssl")?;
    let dir = std::env::temp_dir().join(format!("lienthong-sha1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("k.pem");
    let input = dir.join("in");
    std::fs::write(&key, key_pem).unwrap();
    std::fs::write(&input, data).unwrap();
    let out = std::process::Command::new(openssl)
        .args(["dgst", "-sha1", "-sign"])
        .arg(&key)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
    Some(out.stdout)
}

#[test]
fn sha1_is_verified_but_flagged_weak() {
    let (who, kp) = rsa_signer();
    let si = signed_info(
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        "",
    );
    if openssl_sha1_sign(&who.key_pem, b"probe").is_none() {
        return;
    }
    let doc = craft(
        &doc_from("000.05.21.H50"),
        &si,
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        |d| openssl_sha1_sign(&who.key_pem, d).unwrap(),
        &who.cert_der,
        "",
    );
    let r = check(&doc, &trust(), Some("000.05.21.H50"), NOW);
    assert!(r.intact, "{r:#?}");
    assert!(r.weak);
    assert_problem(&r, "sig.weak", "weak algorithm: RSA-SHA1 with SHA-1");
    assert_eq!(
        r.problems.len(),
        1,
        "weakness is the only problem: {:?}",
        r.problems
    );
    // A SHA-1 digest under an RSA-SHA256 signature is weak too.
    let si = signed_info(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        "",
    );
    let doc = craft(
        &doc_from("000.05.21.H50"),
        &si,
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        |d| rsa_sign(&kp, &ring::signature::RSA_PKCS1_SHA256, d),
        &who.cert_der,
        "",
    );
    let r = check(&doc, &trust(), Some("000.05.21.H50"), NOW);
    assert!(r.intact && r.weak);
    assert_problem(&r, "sig.weak", "SHA-1");
}

#[test]
fn dangerous_constructs_fail_closed() {
    let (who, kp) = rsa_signer();
    let sign = |d: &[u8]| rsa_sign(&kp, &ring::signature::RSA_PKCS1_SHA256, d);
    let rsa = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    let sha = "http://www.w3.org/2001/04/xmlenc#sha256";
    let base = doc_from("000.05.21.H50");
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (
            signed_info(
                rsa,
                "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><XPath>1</XPath></Transform>",
                sha,
                "",
            ),
            "",
            "sig.refused_reference",
            "XPath transforms are refused",
        ),
        (
            signed_info(
                rsa,
                "<Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\"/>",
                sha,
                "",
            ),
            "",
            "sig.refused_reference",
            "XPath Filter 2.0",
        ),
        (
            signed_info(
                rsa,
                "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>",
                sha,
                "",
            ),
            "",
            "sig.refused_reference",
            "XSLT transforms are refused",
        ),
        (
            signed_info(rsa, "", sha, "http://attacker.example/doc.xml"),
            "",
            "sig.refused_reference",
            "external reference",
        ),
        (
            signed_info(rsa, "", sha, "#xpointer(/)"),
            "",
            "sig.refused_reference",
            "XPointer",
        ),
        (
            signed_info("http://www.w3.org/2000/09/xmldsig#hmac-sha1", "", sha, ""),
            "",
            "sig.hmac",
            "HMAC signatures are refused",
        ),
        (
            signed_info(rsa, "", sha, ""),
            "<RetrievalMethod URI=\"http://attacker.example/key\"/>",
            "sig.key_info",
            "RetrievalMethod is refused",
        ),
        (
            signed_info(rsa, "", "http://www.w3.org/2001/04/xmldsig-more#md5", ""),
            "",
            "sig.refused_reference",
            "unsupported digest",
        ),
    ];
    for (si, key_info, code, words) in cases {
        let doc = craft(
            &base,
            &si,
            &ring::digest::SHA256,
            sign,
            &who.cert_der,
            key_info,
        );
        let r = check(&doc, &trust(), None, NOW);
        assert_problem(&r, code, words);
        assert_eq!(r.verdict, Verdict::Invalid);
    }
}

#[test]
fn no_certificate_is_not_trusted() {
    let signed = String::from_utf8(signed_ok()).unwrap();
    let i = signed.find("<KeyInfo>").unwrap();
    let j = signed.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
    let stripped = format!("{}{}", &signed[..i], &signed[j..]);
    assert_problem(
        &check(stripped.as_bytes(), &trust(), None, NOW),
        "sig.no_certificate",
        "no X.509 certificate",
    );
}

#[test]
fn unsigned_and_legacy_documents() {
    let r = check(&fixture("edoc_new.edxml"), &trust(), None, NOW);
    assert_eq!(r.verdict, Verdict::Unsigned);
    assert!(!r.valid);
    // The national SDK's form: Signature without the XML Signature namespace.
    if let Some(shared) = lienthong_testkit::shared_dir() {
        for entry in std::fs::read_dir(shared.join("samples/edxml")).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let r = check(&bytes, &trust(), None, NOW);
            if String::from_utf8_lossy(&bytes).contains("<Signature>") {
                assert_eq!(r.verdict, Verdict::Legacy, "{}", path.display());
                assert!(r.problems[0].contains("legacy"), "{:?}", r.problems);
            } else {
                assert_eq!(r.verdict, Verdict::Unsigned, "{}", path.display());
            }
            assert!(!r.valid);
        }
    }
    // The SDK's non-standard exclusive C14N URI inside a namespaced signature.
    let signed = String::from_utf8(signed_ok()).unwrap();
    let legacy = signed.replace(
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/TR/xml-exc-c14n#",
    );
    let r = check(legacy.as_bytes(), &trust(), None, NOW);
    assert_eq!(r.verdict, Verdict::Legacy);
    assert!(!r.valid);
}

#[test]
fn signing_refuses_bad_inputs() {
    let signer = &pki().signers["000.00.01.H50"];
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let other = CertificateDer::from(pki().signers["000.00.11.H50"].cert_der.clone());
    let err = sign_enveloped(&doc_from("000.00.01.H50"), &key, &[other], &header()).unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
    let cert = CertificateDer::from(signer.cert_der.clone());
    let err =
        sign_enveloped(&signed_ok(), &key, std::slice::from_ref(&cert), &header()).unwrap_err();
    assert!(err.to_string().contains("already has a Signature"), "{err}");
    let err = sign_enveloped(b"<a/>", &key, std::slice::from_ref(&cert), &header()).unwrap_err();
    assert!(err.to_string().contains("edXMLHeader"), "{err}");
    let err = sign_enveloped(b"<!DOCTYPE a><a/>", &key, &[cert], &header()).unwrap_err();
    assert_eq!(err.code(), "xml.doctype");
    let err = SigningKey::from_pem(
        lienthong_testkit::pki::rsa_key_pem(1024)
            .unwrap()
            .as_bytes(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("at least 2048"), "{err}");
    assert!(SigningKey::from_pem(b"not a key").is_err());
}

#[test]
fn empty_parent_element_is_expanded() {
    let signer = &pki().signers["000.00.01.H50"];
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let cert = CertificateDer::from(signer.cert_der.clone());
    let signed = sign_enveloped(
        b"<r xmlns=\"urn:x\">\n  <h/>\n</r>",
        &key,
        &[cert],
        &Placement::LastChildOf {
            namespace: "urn:x".into(),
            local: "h".into(),
        },
    )
    .unwrap();
    let t = trust();
    let policy = Policy {
        trust: &t,
        at: unix_time(NOW),
        expected_agency: None,
    };
    let profile = Profile {
        parent: Some(("urn:x".into(), "h".into())),
        cover_root: true,
    };
    assert!(verify_bytes(&signed, &profile, &policy).unwrap().valid);
}

#[test]
fn receipts_sign_and_verify() {
    let gw = &pki().gateways["gw-h50"];
    let key = SigningKey::from_pem(gw.key_pem.as_bytes()).unwrap();
    let cert = CertificateDer::from(gw.cert_der.clone());
    let receipt = Receipt {
        message_id: "0190f3a2-7c1e-7b3a-9f00-000000000001".parse().unwrap(),
        document_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            .parse()
            .unwrap(),
        receiving_gateway: "gw-h50".parse().unwrap(),
        received_at_ms: NOW * 1000 + 123,
        hop: 2,
    };
    let signed = receipt.sign(&key, std::slice::from_ref(&cert)).unwrap();
    let t = trust();
    let policy = Policy {
        trust: &t,
        at: unix_time(NOW),
        expected_agency: None,
    };
    let (back, report) = verify_receipt(&signed, &policy).unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(back, receipt);
    // Tampered: another hash.
    let tampered = replace_once(&signed, "9f86d081", "0f86d081");
    let (_, report) = verify_receipt(&tampered, &policy).unwrap();
    assert!(
        !report.valid
            && report
                .problem_codes
                .iter()
                .any(|c| *c == "sig.digest_mismatch")
    );
    // Signed by a gateway other than the one it names.
    let other = Receipt {
        receiving_gateway: "gw-g22".parse().unwrap(),
        ..receipt.clone()
    };
    let (_, report) = verify_receipt(&other.sign(&key, &[cert]).unwrap(), &policy).unwrap();
    assert!(!report.valid);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("signed by a certificate of gw-h50")),
        "{:?}",
        report.problems
    );
    // Golden layout of the unsigned receipt.
    assert_eq!(
        receipt.to_xml(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Receipt xmlns=\"urn:lienthong:receipt:1\" version=\"1\">\n  <MessageId>0190f3a2-7c1e-7b3a-9f00-000000000001</MessageId>\n  <DocumentSha256>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</DocumentSha256>\n  <ReceivingGateway>gw-h50</ReceivingGateway>\n  <ReceivedAt>2026-11-22T00:00:00.123Z</ReceivedAt>\n  <Hop>2</Hop>\n</Receipt>\n"
    );
}

/// The path-validation cache never outlives what it cached: a later verification time past
/// the certificate's expiry, or a CRL added to the store, gives the fresh answer.
#[test]
fn validation_cache_respects_time_and_changes() {
    let signed = sign_as(&doc_from("000.00.11.H50"), &pki().expired_signer);
    let t = trust();
    for _ in 0..2 {
        assert!(check(&signed, &t, Some("000.00.11.H50"), 1_735_689_600).valid); // 2025-01-01, cached
    }
    let r = check(&signed, &t, Some("000.00.11.H50"), NOW);
    assert_problem(&r, "cert.expired", "expired on 2025-03-01");
    let r = check(&signed, &t, Some("000.00.11.H50"), 1_700_000_000); // 2023-11: before validity
    assert_problem(&r, "cert.not_yet_valid", "not valid until 2024-03-01");

    let revoked = sign_as(&doc_from("000.00.09.H48"), &pki().revoked_signer);
    let mut t = trust();
    assert!(check(&revoked, &t, Some("000.00.09.H48"), NOW).valid); // cached without a CRL
    t.add_crls(&pki().crl_der).unwrap();
    assert_problem(
        &check(&revoked, &t, Some("000.00.09.H48"), NOW),
        "cert.revoked",
        "revoked",
    );
    // A clone shares nothing that could go stale: adding a root to it resets its cache.
    let mut c = t.clone();
    c.add_roots_pem(other_pki().ca.cert_pem.as_bytes()).unwrap();
    assert_problem(
        &check(&revoked, &c, Some("000.00.09.H48"), NOW),
        "cert.revoked",
        "revoked",
    );
}

/// The receipts we sign validate against schemas/receipt.xsd (xmllint as the oracle), and
/// the schema is not vacuous: an unsigned receipt, or one without its hop, is refused.
#[test]
fn signed_receipts_validate_against_the_receipt_xsd() {
    let xsd = lienthong_testkit::repo_root().join("schemas/receipt.xsd");
    let dir = std::env::temp_dir().join(format!("lienthong-receipt-xsd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gw = &pki().gateways["gw-h50"];
    let key = SigningKey::from_pem(gw.key_pem.as_bytes()).unwrap();
    let cert = CertificateDer::from(gw.cert_der.clone());
    let mut files = Vec::new();
    for (i, hop) in [1u32, 2, 7, u32::MAX].into_iter().enumerate() {
        let receipt = Receipt {
            message_id: format!("0190f3a2-7c1e-7b3a-9f00-00000000000{i}")
                .parse()
                .unwrap(),
            document_sha256: format!("{:064x}", i + 1).parse().unwrap(),
            receiving_gateway: ["gw-h50", "gw-h50-giolinh", "a", "gw-9"][i]
                .parse()
                .unwrap(),
            received_at_ms: NOW * 1000 + i as u64 * 1_001,
            hop,
        };
        let p = dir.join(format!("receipt-{i}.xml"));
        std::fs::write(&p, receipt.sign(&key, std::slice::from_ref(&cert)).unwrap()).unwrap();
        files.push(p);
    }
    let Some(checked) = lienthong_testkit::xmllint_schema(&xsd, &files) else {
        return;
    };
    checked.unwrap_or_else(|report| panic!("xmllint refused our receipts:\n{report}"));
    let receipt = Receipt {
        message_id: "0190f3a2-7c1e-7b3a-9f00-000000000001".parse().unwrap(),
        document_sha256: "ab".repeat(32).parse().unwrap(),
        receiving_gateway: "gw-h50".parse().unwrap(),
        received_at_ms: NOW * 1000,
        hop: 1,
    };
    let unsigned = dir.join("unsigned.xml");
    std::fs::write(&unsigned, receipt.to_xml()).unwrap();
    let signed = String::from_utf8(receipt.sign(&key, &[cert]).unwrap()).unwrap();
    let no_hop = dir.join("no-hop.xml");
    std::fs::write(&no_hop, replace_once(signed.as_bytes(), "<Hop>1</Hop>", "")).unwrap();
    for bad in [unsigned, no_hop] {
        let checked = lienthong_testkit::xmllint_schema(&xsd, std::slice::from_ref(&bad));
        assert!(
            checked.is_some_and(|r| r.is_err()),
            "{} validated",
            bad.display()
        );
    }
}
