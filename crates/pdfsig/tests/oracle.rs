//! The PDF signature corpus, judged three ways: by lienthong, by pyHanko and by pdfsig
//! (poppler). The corpus (37 files: one and two signatures, an attachment, changes allowed
//! and not, a flipped byte, a truncated file, expired, revoked and untrusted signers,
//! SHA-1 in every place, local-time signingTime, signature and document time-stamps,
//! leaf-only CMS, all three SubFilters, xref and object streams, linearized files, BER-encoded CMS, a replaced font, a changed signed widget, an added and a filled-in form field) is made at run time by
//! `oracle/make_corpus.py` with pyHanko, pikepdf and a test PKI of our own.
//!
//! Python with pyHanko and pikepdf is found as `$LIENTHONG_PYTHON`, else `python3`;
//! `.ci/run` installs them in a virtualenv. Without them the test is skipped, unless
//! `LIENTHONG_REQUIRE_TOOLS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lienthong_pdfsig::{PdfReport, PdfTrust, SignatureReport, Verdict, verify_pdf};
use lienthong_types::Code;
use serde_json::Value;

fn python() -> Option<String> {
    lienthong_testkit::python_with("pyhanko, pikepdf, pyhanko_certvalidator")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(name)
}

struct Corpus {
    dir: tempfile::TempDir,
    manifest: Value,
}

impl Corpus {
    fn make(py: &str) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(py)
            .arg(script("make_corpus.py"))
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "make_corpus.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap())
                .unwrap();
        Corpus { dir, manifest }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn files(&self) -> Vec<Value> {
        self.manifest["files"].as_array().unwrap().clone()
    }

    fn trust(&self, kind: &str) -> PdfTrust {
        let mut t = PdfTrust::new();
        if kind != "test" {
            return t;
        }
        for r in self.manifest["roots"].as_array().unwrap() {
            t.add_roots_pem(&std::fs::read(self.path(r.as_str().unwrap())).unwrap())
                .unwrap();
        }
        for r in self.manifest["intermediates"].as_array().unwrap() {
            t.add_intermediates_pem(&std::fs::read(self.path(r.as_str().unwrap())).unwrap())
                .unwrap();
        }
        for r in self.manifest["crls"].as_array().unwrap() {
            t.add_crls(&std::fs::read(self.path(r.as_str().unwrap())).unwrap())
                .unwrap();
        }
        t
    }

    fn ours(&self) -> HashMap<String, Result<PdfReport, lienthong_pdfsig::PdfError>> {
        let now = jiff::Timestamp::now().as_second();
        self.files()
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap().to_owned();
                let bytes = std::fs::read(self.path(&name)).unwrap();
                let r = verify_pdf(&bytes, now, &self.trust(f["trust"].as_str().unwrap()));
                (name, r)
            })
            .collect()
    }
}

fn pyhanko(py: &str, corpus: &Corpus, lenient: bool) -> Value {
    let mut cmd = Command::new(py);
    cmd.arg(script("pyhanko_validate.py"))
        .arg(corpus.dir.path());
    if lenient {
        cmd.arg("--allow-sha1");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "pyhanko_validate.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn field<'a>(v: &'a Value, file: &str, field: &str) -> Option<&'a Value> {
    v[file]["signatures"]
        .as_array()?
        .iter()
        .find(|s| s["field"].as_str() == Some(field))
}

fn codes(s: &SignatureReport) -> &[Code] {
    &s.problem_codes
}

#[test]
fn our_verdicts_agree_with_pyhanko_and_the_corpus() {
    let Some(py) = python() else { return };
    let corpus = Corpus::make(&py);
    assert!(corpus.files().len() >= 25);
    let strict = pyhanko(&py, &corpus, false);
    let lenient = pyhanko(&py, &corpus, true);
    let ours = corpus.ours();
    for f in corpus.files() {
        let name = f["name"].as_str().unwrap();
        let meant = f["meant"].as_str().unwrap();
        let ctx = format!("{name} ({})", f["notes"].as_str().unwrap());
        let report = match &ours[name] {
            Err(e) => {
                assert_eq!(meant, "error", "{ctx}: refused: {e}");
                assert!(
                    strict[name]["error"].is_string(),
                    "{ctx}: pyHanko read it: {}",
                    strict[name]
                );
                assert!(
                    matches!(e.code, Code::PdfXref | Code::PdfUnreadable),
                    "{ctx}: {e:?}"
                );
                continue;
            }
            Ok(r) => r,
        };
        assert_eq!(report.verdict.as_str(), meant, "{ctx}: {report:#?}");
        assert_eq!(report.valid, meant == "valid", "{ctx}");
        if meant == "unsigned" {
            assert!(report.signatures.is_empty());
            assert_eq!(strict[name]["signatures"], Value::Array(vec![]), "{ctx}");
            continue;
        }
        for s in &report.signatures {
            let ctx = format!("{ctx}, signature {}", s.field);
            if s.subfilter == "adbe.pkcs7.sha1" {
                // pyHanko does not read this legacy format (it lists no signature); pdfsig
                // judges it in the other test.
                assert!(
                    strict[name]["signatures"].as_array().unwrap().is_empty(),
                    "{ctx}"
                );
                continue;
            }
            let st = field(&strict, name, &s.field)
                .unwrap_or_else(|| panic!("{ctx}: pyHanko did not see it"));
            let le = field(&lenient, name, &s.field).unwrap();
            let (sb, lb) = (st["bottom_line"] == true, le["bottom_line"] == true);
            // intact means the same to both
            assert_eq!(
                s.intact,
                st["intact"] == true && st["valid"] == true,
                "{ctx}: intact; pyHanko {st}"
            );
            match s.verdict {
                Verdict::Valid => {
                    let weak_ts = s.timestamp.as_ref().is_some_and(|t| t.weak);
                    assert!(
                        lb && (sb || weak_ts),
                        "{ctx}: valid here; pyHanko strict {st} lenient {le}"
                    );
                }
                Verdict::Weak => {
                    assert!(
                        !sb && st["intact"] == true && st["valid"] == true,
                        "{ctx}: weak here; pyHanko {st}"
                    );
                    assert!(s.weak);
                }
                Verdict::Untrusted => {
                    assert!(
                        !lb && le["trusted"] == false && le["intact"] == true,
                        "{ctx}: untrusted here; pyHanko {le}"
                    );
                }
                Verdict::Invalid => {
                    assert!(
                        !lb,
                        "{ctx}: invalid here, valid to pyHanko: {le} ({:?})",
                        s.problems
                    );
                    // say why in the same terms
                    if le["docmdp_ok"] == false {
                        assert!(
                            codes(s).contains(&Code::PdfModified),
                            "{ctx}: {:?}",
                            s.problems
                        );
                    }
                    if st["intact"] == false {
                        assert!(
                            codes(s).contains(&Code::PdfDigestMismatch),
                            "{ctx}: {:?}",
                            s.problems
                        );
                    }
                    if le["intact"] == true && le["trusted"] == false {
                        assert!(
                            codes(s)
                                .iter()
                                .any(|c| matches!(c, Code::CertExpired | Code::CertRevoked)),
                            "{ctx}: {:?}",
                            s.problems
                        );
                    }
                }
                Verdict::Unsigned => unreachable!(),
            }
            if sb && lb {
                assert_eq!(
                    s.verdict,
                    Verdict::Valid,
                    "{ctx}: valid to pyHanko: {:?}",
                    s.problems
                );
            }
        }
    }
}

#[test]
fn the_corpus_reports_say_who_when_and_what_changed() {
    let Some(py) = python() else { return };
    let corpus = Corpus::make(&py);
    let ours = corpus.ours();
    let get = |n: &str| ours[n].as_ref().unwrap();
    let agency = corpus.manifest["agency"].as_str().unwrap();

    // person then organisation: the roles, the order, the agency and the tax codes
    let two = get("02-person-then-organisation.pdf");
    assert_eq!(two.signatures.len(), 2);
    let (p, o) = (&two.signatures[0], &two.signatures[1]);
    assert_eq!((p.index, o.index), (1, 2));
    assert_eq!(p.role, lienthong_pdfsig::Role::Person);
    assert_eq!(o.role, lienthong_pdfsig::Role::Organisation);
    assert_eq!(
        p.signer.as_ref().unwrap().common_name.as_deref(),
        Some("Nguyễn Văn An")
    );
    let os = o.signer.as_ref().unwrap();
    assert_eq!(os.agency.as_deref(), Some(agency));
    assert_eq!(
        (os.mst.as_deref(), os.mns.as_deref()),
        (Some("0100000001"), Some("1000001"))
    );
    assert!(two.organisation_signed_by(agency));
    assert_eq!(p.covers.revision, Some(2));
    assert_eq!(p.covers.revisions, 3);
    assert!(!p.covers.whole_file && o.covers.whole_file);
    assert!(
        p.covers.changes_after.contains(&"signatures"),
        "{:?}",
        p.covers
    );
    assert!(p.note_codes.contains(&Code::PdfLaterRevision));
    assert_eq!(p.revocation, "checked");

    // changes that are not allowed are named
    let text = get("05-text-appended.pdf");
    assert!(text.signatures[0].covers.changes_after.contains(&"content"));
    let page = get("06-page-added.pdf");
    assert!(page.signatures[0].covers.changes_after.contains(&"pages"));
    let annot = get("07-annotation-added.pdf");
    assert!(
        annot.signatures[0]
            .covers
            .changes_after
            .contains(&"annotations")
    );

    // times
    let ts = get("17-timestamped.pdf").signatures[0]
        .timestamp
        .clone()
        .unwrap();
    assert!(ts.valid && !ts.weak, "{ts:?}");
    assert_eq!(ts.imprint_algorithm, "SHA-256");
    assert!(ts.tsa.unwrap().contains("Lienthong Test TSA"));
    let local = &get("18-local-signing-time.pdf").signatures[0];
    assert!(
        local.note_codes.contains(&Code::PdfTimeLocal),
        "{:?}",
        local.notes
    );
    assert!(local.valid);
    let earlier = &get("19-timestamp-earlier.pdf").signatures[0];
    assert!(
        earlier.note_codes.contains(&Code::PdfTimeDiffers),
        "{:?}",
        earlier.notes
    );
    assert_eq!(
        earlier.checked_at,
        earlier.timestamp.as_ref().unwrap().time.clone().unwrap()
    );
    let weak_ts = &get("20-timestamp-sha1-imprint.pdf").signatures[0];
    let t = weak_ts.timestamp.as_ref().unwrap();
    assert!(t.valid && t.weak, "{t:?}");
    assert_eq!(t.imprint_algorithm, "SHA-1");
    assert!(t.chain.iter().any(|l| l.weak), "{:?}", t.chain);
    assert!(
        weak_ts.valid && !weak_ts.weak,
        "a weak time-stamp does not weaken the signature"
    );
    assert!(weak_ts.note_codes.contains(&Code::PdfTimestampWeak));

    // where intermediates came from
    let leaf = &get("16-leaf-only.pdf").signatures[0];
    assert!(leaf.note_codes.contains(&Code::PdfLeafOnly));
    assert_eq!(
        leaf.chain.iter().map(|l| l.source).collect::<Vec<_>>(),
        ["signer", "configured", "root"]
    );
    let full = &get("03-organisation-cades.pdf").signatures[0];
    assert_eq!(full.subfilter, "ETSI.CAdES.detached");
    assert_eq!(
        full.chain.iter().map(|l| l.source).collect::<Vec<_>>(),
        ["signer", "cms", "root"]
    );

    // weak algorithms: each says why
    for (name, why) in [
        ("15-sha1.pdf", "SHA-1 digest"),
        ("23-adbe-pkcs7-sha1.pdf", "adbe.pkcs7.sha1"),
        ("24-sha1-chain.pdf", "certificate chain"),
        ("25-rsa-1024.pdf", "RSA-1024"),
    ] {
        let s = &get(name).signatures[0];
        assert!(s.weak && s.intact, "{name}");
        assert!(
            s.notes.iter().any(|n| n.contains(why)),
            "{name}: {:?}",
            s.notes
        );
    }
    // a document time-stamp after the organisation's signature
    let lta = get("29-document-timestamp.pdf");
    assert_eq!(lta.verdict, Verdict::Valid, "{lta:#?}");
    let (sig, dts) = (&lta.signatures[0], &lta.signatures[1]);
    assert_eq!(sig.role, lienthong_pdfsig::Role::Organisation);
    assert!(
        !sig.covers.changes_after.contains(&"other"),
        "{:?}",
        sig.covers
    );
    assert_eq!(dts.role, lienthong_pdfsig::Role::Timestamp);
    assert_eq!(dts.subfilter, "ETSI.RFC3161");
    assert!(dts.covers.whole_file && dts.intact && dts.trusted);
    assert_eq!(
        dts.signer.as_ref().unwrap().common_name.as_deref(),
        Some("Lienthong Test TSA")
    );
    assert!(dts.timestamp.as_ref().unwrap().valid);
    assert!(!lta.organisation_signed_by("nobody"));
    let flipped = get("30-document-timestamp-flipped.pdf");
    for s in &flipped.signatures {
        assert!(
            s.problem_codes.contains(&Code::PdfDigestMismatch),
            "{:?}",
            s.problems
        );
    }
    // a linearized file: its first-page and main cross-reference sections are one revision
    let lin = get("31-linearized.pdf");
    assert_eq!(lin.revisions, 3, "{lin:#?}");
    assert_eq!(lin.signatures[0].covers.revision, Some(2));
    // no trust anchors at all: untrusted, with the reason
    let none = &get("26-no-trust.pdf").signatures[0];
    assert!(none.problem_codes.contains(&Code::CertNoTrustRoots));
    // the JSON shape of the issue
    let v = serde_json::to_value(two).unwrap();
    for k in ["valid", "verdict", "file", "signatures"] {
        assert!(v.get(k).is_some(), "{k}");
    }
    for k in [
        "index",
        "field",
        "role",
        "signer",
        "signing_time_claimed",
        "timestamp",
        "covers",
        "chain",
        "algorithm",
        "weak",
        "problems",
        "problem_codes",
        "notes",
    ] {
        assert!(v["signatures"][0].get(k).is_some(), "{k}");
    }
    for k in [
        "subject",
        "organisation",
        "agency",
        "mst",
        "mns",
        "serial",
        "fingerprint_sha256",
    ] {
        assert!(v["signatures"][1]["signer"].get(k).is_some(), "{k}");
    }
    for k in ["whole_file", "revision", "revisions", "changes_after"] {
        assert!(v["signatures"][0]["covers"].get(k).is_some(), "{k}");
    }
}

/// pdfsig's text for each signature: field name -> (Key -> value).
fn pdfsig(nssdir: &Path, file: &Path) -> Option<Vec<HashMap<String, String>>> {
    let out = Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", nssdir.display()))
        .arg("-no-ocsp")
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("Digital Signature Info") && !text.contains("does not contain any signatures")
    {
        return None;
    }
    let mut sigs = Vec::new();
    for line in text.lines() {
        if line.starts_with("Signature #") {
            sigs.push(HashMap::new());
        } else if let Some(rest) = line.trim_start().strip_prefix("- ")
            && let Some(cur) = sigs.last_mut()
        {
            match rest.split_once(": ") {
                Some((k, v)) => cur.insert(k.to_owned(), v.to_owned()),
                None => cur.insert(rest.to_owned(), String::new()),
            };
        }
    }
    Some(sigs)
}

fn nss_db(corpus: &Corpus, with_roots: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sql:{}", dir.path().display());
    let run = |args: &[&str]| {
        let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["certutil", "-N", "-d", &db, "--empty-password"]);
    if with_roots {
        // roots trusted for signing, intermediates only known
        for (key, trust) in [("roots", "CT,C,C"), ("intermediates", ",,")] {
            for (i, r) in corpus.manifest[key].as_array().unwrap().iter().enumerate() {
                let p = corpus.path(r.as_str().unwrap());
                let nick = format!("{key}{i}");
                run(&[
                    "certutil",
                    "-A",
                    "-d",
                    &db,
                    "-n",
                    &nick,
                    "-t",
                    trust,
                    "-i",
                    p.to_str().unwrap(),
                ]);
            }
        }
        for r in corpus.manifest["crls"].as_array().unwrap() {
            let p = corpus.path(r.as_str().unwrap());
            run(&[
                "crlutil",
                "-I",
                "-d",
                &db,
                "-t",
                "1",
                "-i",
                p.to_str().unwrap(),
            ]);
        }
    }
    dir
}

#[test]
fn our_verdicts_agree_with_pdfsig() {
    let Some(py) = python() else { return };
    if lienthong_testkit::tool("pdfsig").is_none() || lienthong_testkit::tool("certutil").is_none()
    {
        return;
    }
    let corpus = Corpus::make(&py);
    let trusted = nss_db(&corpus, true);
    let empty = nss_db(&corpus, false);
    let ours = corpus.ours();
    for f in corpus.files() {
        let name = f["name"].as_str().unwrap();
        let db = if f["trust"] == "test" {
            trusted.path()
        } else {
            empty.path()
        };
        let theirs = pdfsig(db, &corpus.path(name));
        let report = match &ours[name] {
            Err(e) => {
                // poppler repairs what it can: a file cut short reads to it as unsigned. It
                // must not find a valid signature in what we refuse.
                let valid = theirs.iter().flatten().any(|t| {
                    t.get("Signature Validation").map(String::as_str) == Some("Signature is Valid.")
                });
                assert!(
                    !valid,
                    "{name}: we refuse it ({e}) but pdfsig finds a valid signature"
                );
                continue;
            }
            Ok(r) => r,
        };
        let theirs = theirs.unwrap_or_else(|| panic!("{name}: pdfsig cannot read it; we can"));
        assert_eq!(theirs.len(), report.signatures.len(), "{name}");
        for s in &report.signatures {
            let t = theirs
                .iter()
                .find(|t| t.get("Signature Field Name") == Some(&s.field))
                .unwrap_or_else(|| panic!("{name}: pdfsig has no {}", s.field));
            let ctx = format!("{name} {}: pdfsig {t:?}", s.field);
            if s.subfilter == "ETSI.RFC3161" {
                // poppler 22.12 does not validate document time-stamps ("Signature Type:
                // unknown", "has not yet been verified"): only the coverage compares
                assert_eq!(t["Signature Type"], "unknown", "{ctx}");
                assert_eq!(
                    t.contains_key("Total document signed"),
                    s.covers.whole_file,
                    "{ctx}"
                );
                continue;
            }
            let sig = t["Signature Validation"].as_str();
            assert_eq!(sig == "Signature is Valid.", s.intact, "{ctx}");
            assert_eq!(
                sig == "Digest Mismatch.",
                s.problem_codes.contains(&Code::PdfDigestMismatch),
                "{ctx}"
            );
            assert_eq!(
                t.contains_key("Total document signed"),
                s.covers.whole_file,
                "{ctx}"
            );
            assert_eq!(t["Signature Type"], s.subfilter, "{ctx}");
            if !s.intact {
                continue;
            }
            let cert = t.get("Certificate Validation").map_or("", String::as_str);
            let has = |c: Code| s.problem_codes.contains(&c);
            match cert {
                "Certificate is Trusted." => assert!(s.trusted, "{ctx}: {:?}", s.problems),
                "Certificate has Expired" => assert!(has(Code::CertExpired), "{ctx}"),
                "Certificate has been Revoked." => assert!(has(Code::CertRevoked), "{ctx}"),
                "Certificate issuer isn't Trusted." | "Certificate issuer is unknown." => {
                    assert!(
                        has(Code::CertUntrusted) || has(Code::CertNoTrustRoots),
                        "{ctx}"
                    )
                }
                // NSS refuses SHA-1 certificate links and certificates with only a URI in
                // subjectAltName without saying why: no opinion to compare.
                "Unknown issue with Certificate or corrupted data." => {}
                other => panic!("{ctx}: unexpected certificate status {other}"),
            }
            if !s.trusted && cert == "Certificate is Trusted." {
                panic!("{ctx}");
            }
        }
    }
}
