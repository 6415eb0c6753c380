//! `lienthong verify FILE [--trust CA…] [--crl CRL…] [--directory FILE] [--at TIME]
//! [--document DOC] [--json]`: for clerks and auditors.
//!
//! A receipt is checked as of its own `ReceivedAt` unless `--at` says otherwise, so that an
//! archived receipt still verifies after the gateway's certificate has expired; with
//! `--document` its SHA-256 must also be that of the document file.
//!
//! Exit 0 valid; 1 invalid, untrusted, unsigned or legacy; 2 unreadable or usage error.

use lienthong_i18n::{Msg, msg};
use lienthong_types::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_dsig::{
    ExpectedAgency, Policy, Profile, TrustStore, Verdict, is_receipt, verify, verify_receipt_doc,
};

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The signed edXML file (its envelope, then the signatures inside each PDF
    /// attachment), a receipt, or a PDF (every signature inside it).
    #[arg(help = say!("cli-verify-help-file"))]
    file: PathBuf,
    /// Trusted root certificates (PEM), repeatable. For a PDF they are added to the
    /// Government CA's roots, which are always trusted.
    #[arg(long, help = say!("cli-verify-help-trust"))]
    trust: Vec<PathBuf>,
    /// For PDF signatures: issuing CA certificates (PEM) offered to every chain, repeatable
    /// (signatures often carry only the signer's certificate).
    #[arg(long, value_name = "PEM", help = say!("cli-verify-help-intermediates"))]
    intermediates: Vec<PathBuf>,
    /// Certificate revocation lists (PEM or DER), repeatable.
    #[arg(long, help = say!("cli-verify-help-crl"))]
    crl: Vec<PathBuf>,
    /// The federation directory (TOML, or JSON if the name ends in `.json`): signing
    /// certificates pinned to an agency there (`signers`) speak for it, as at the gateway.
    #[arg(long, value_name = "FILE", help = say!("cli-verify-help-directory"))]
    directory: Option<PathBuf>,
    /// Check certificates as of this time (RFC 3339 or YYYY-MM-DD, UTC); default now, or
    /// for a receipt the time it says the message was received. A PDF signature is checked
    /// as of its own time (its time-stamp's, else the time it claims); this time serves
    /// those that state none.
    #[arg(long, help = say!("cli-verify-help-at"))]
    at: Option<String>,
    /// For a receipt: the document file it should be for (its SHA-256 must match).
    #[arg(long, value_name = "DOC", help = say!("cli-verify-help-document"))]
    document: Option<PathBuf>,
    /// Print JSON.
    #[arg(long, help = say!("cli-verify-help-json"))]
    json: bool,
}

fn usage(json: bool, code: Code, message: &str) -> ExitCode {
    if json {
        println!(
            "{:#}",
            serde_json::json!({"error": {"code": code, "message": message, "detail": {}}})
        );
    }
    eprintln!(
        "{}",
        say!(
            "cli-verify-error",
            message = message,
            code = code.to_string()
        )
    );
    ExitCode::from(2)
}

pub(crate) fn run(args: &Args) -> ExitCode {
    if let Ok(head) = read_head(&args.file)
        && lienthong_pdfsig::is_pdf(&head)
    {
        return run_pdf(args);
    }
    let mut trust = TrustStore::new();
    for p in &args.trust {
        let res = std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| trust.add_roots_pem(&b).map_err(|e| e.to_string()));
        if let Err(e) = res {
            return usage(
                args.json,
                Code::UsageTrust,
                &format!("{}: {e}", p.display()),
            );
        }
    }
    for p in &args.crl {
        let res = std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| trust.add_crls(&b).map_err(|e| e.to_string()));
        if let Err(e) = res {
            return usage(args.json, Code::UsageCrl, &format!("{}: {e}", p.display()));
        }
    }
    let mut directory = None;
    if let Some(p) = &args.directory {
        let loaded = load_directory(p);
        match loaded {
            Ok(dir) => {
                trust.set_pins(dir.signer_pins().map(|(fp, c)| (fp, c.to_string())));
                directory = Some(dir);
            }
            Err(e) => {
                return usage(
                    args.json,
                    Code::UsageDirectory,
                    &format!("{}: {e}", p.display()),
                );
            }
        }
    }
    let bytes = match read_input(args) {
        Ok(b) => b,
        Err(code) => return code,
    };
    // A receipt's own time, when no --at is given.
    let receipt_time = match &args.at {
        None => lienthong_dsig::Receipt::parse(&bytes)
            .ok()
            .map(|r| r.received_at_ms / 1000),
        Some(_) => None,
    };
    let at = match (&args.at, receipt_time) {
        (None, Some(secs)) => lienthong_dsig::unix_time(secs),
        (None, None) => lienthong_dsig::unix_time(
            lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis() / 1000,
        ),
        (Some(t), _) => match lienthong_dsig::time::parse_time(t) {
            Some(s) => lienthong_dsig::unix_time(s),
            None => {
                return usage(args.json, Code::UsageAt, &say!("cli-verify-bad-at", at = t));
            }
        },
    };
    let doc = match lienthong_xml::Document::parse(&bytes) {
        Ok(d) => d,
        Err(e) => {
            return usage(
                args.json,
                e.code(),
                &say!(
                    "cli-verify-not-xml",
                    file = args.file.display().to_string(),
                    error = e.render(crate::text::lang())
                ),
            );
        }
    };
    let mut policy = Policy {
        trust: &trust,
        at,
        expected_agency: None,
    };
    if args.document.is_some() && !is_receipt(&doc) {
        return usage(
            args.json,
            Code::UsageDocument,
            &say!("cli-verify-document-without-receipt"),
        );
    }
    let mut attachments = Vec::new();
    let (mut report, what, receipt) = if is_receipt(&doc) {
        match verify_receipt_doc(&doc, &policy) {
            Ok((r, mut rep)) => {
                if receipt_time.is_some() {
                    add_note(&mut rep, msg!("cli-verify-note-receipt-time"));
                    // The receipt states its own time: say when its certificate is no
                    // longer valid today, so that nobody mistakes it for a current one.
                    let today = lienthong_dsig::time::format_rfc3339(
                        lienthong_dsig::unix_time(
                            lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis()
                                / 1000,
                        )
                        .as_secs(),
                    );
                    if let Some(s) = &rep.signer
                        && s.certificate.not_after < today
                    {
                        let note = msg!(
                            "cli-verify-note-gateway-cert-expired",
                            date = crate::verify_pdf::time_text(&s.certificate.not_after)
                        );
                        add_note(&mut rep, note);
                    }
                }
                if let Some(path) = &args.document {
                    let content = match std::fs::read(path) {
                        Ok(c) => c,
                        Err(e) => {
                            return usage(
                                args.json,
                                Code::IoRead,
                                &say!(
                                    "cli-verify-cannot-read",
                                    file = path.display().to_string(),
                                    error = e.to_string()
                                ),
                            );
                        }
                    };
                    let sha = lienthong_store::Sha256::digest(&content);
                    if sha == r.document_sha256 {
                        add_note(
                            &mut rep,
                            msg!(
                                "cli-verify-note-receipt-for",
                                file = path.display().to_string(),
                                sha = sha.to_string()
                            ),
                        );
                    } else {
                        let problem = msg!(
                            "cli-verify-problem-receipt-other-document",
                            expected = r.document_sha256.to_string(),
                            file = path.display().to_string(),
                            sha = sha.to_string()
                        );
                        rep.problem_codes.push(Code::ReceiptOtherDocument);
                        rep.problems.push(problem.render(crate::text::lang()));
                        rep.problem_msgs.push(problem);
                        rep.valid = false;
                        rep.verdict = Verdict::Invalid;
                    }
                }
                (rep, say!("cli-verify-what-receipt"), Some(r))
            }
            Err(e) => {
                return usage(
                    args.json,
                    e.code(),
                    &format!("{}: {e}", args.file.display()),
                );
            }
        }
    } else if doc.root_element().namespace() == Some(lienthong_edxml::EDXML_NS) {
        let parsed = match lienthong_edxml::from_document(&doc, &bytes) {
            Ok(p) => p,
            Err(e) => {
                return usage(
                    args.json,
                    e.code(),
                    &format!("{}: {e}", args.file.display()),
                );
            }
        };
        let from = parsed.package.from();
        policy.expected_agency = Some(ExpectedAgency {
            code: from.organ_id.clone(),
            name: from.organ_name.clone(),
            // As the gateway: the directory's other codes for the agency (its main code and
            // aliases) speak for it too.
            other_codes: directory
                .as_ref()
                .and_then(|d| {
                    let code = lienthong_routing::AgencyCode::parse(&from.organ_id).ok()?;
                    let a = d.agency(&code)?;
                    Some(
                        std::iter::once(&a.code)
                            .chain(&a.aliases)
                            .map(ToString::to_string)
                            .collect(),
                    )
                })
                .unwrap_or_default(),
        });
        let what = match parsed.package.kind() {
            lienthong_edxml::PackageKind::Edoc => {
                say!("cli-verify-what-edoc", agency = &from.organ_id)
            }
            lienthong_edxml::PackageKind::Status => {
                say!("cli-verify-what-status", agency = &from.organ_id)
            }
        };
        // Then the signatures inside its PDF attachments (plain or zipped), under the PDF
        // trust: the Government CA, --trust, --intermediates, --crl.
        let pins = directory.iter().flat_map(|d| {
            d.signer_pins()
                .map(|(fp, c)| (fp, c.to_string()))
                .collect::<Vec<_>>()
        });
        let pdf_trust = match crate::verify_pdf::trust_from(
            &args.trust,
            &args.intermediates,
            &args.crl,
            pins,
        ) {
            Ok(t) => t,
            Err((code, m)) => return usage(args.json, code, &m),
        };
        attachments = lienthong_gateway::core::pdfs::check_attachments(
            &parsed.package,
            &pdf_trust,
            i64::try_from(at.as_secs()).unwrap_or(i64::MAX),
            lienthong_pdfsig::Limits::default(),
        );
        (verify(&doc, &Profile::edxml(), &policy), what, None)
    } else {
        (
            verify(&doc, &Profile::whole_document(), &policy),
            say!("cli-verify-what-xml"),
            None,
        )
    };
    // Intact, and nothing against it but that no trust anchors were given: untrusted, with
    // what to do about it. A broken signature stays invalid, --trust or not.
    let untrusted = untrusted_for_want_of_anchors(&report);
    if untrusted {
        report.note(msg!("sig-untrusted-hint"));
    }
    let verdict_of = |v: &mut serde_json::Value| {
        if let Some(obj) = v.as_object_mut().filter(|_| untrusted) {
            obj.insert("verdict".into(), serde_json::json!("untrusted"));
        }
    };
    let mut out = std::io::stdout().lock();
    let pdfs: Vec<serde_json::Value> = attachments
        .iter()
        .map(|a| serde_json::to_value(a).unwrap_or_default())
        .collect();
    let written = if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        verdict_of(&mut v);
        if let (Some(r), Some(obj)) = (&receipt, v.as_object_mut()) {
            obj.insert(
                "receipt".into(),
                serde_json::to_value(r).unwrap_or_default(),
            );
        }
        if let Some(obj) = v.as_object_mut().filter(|_| receipt.is_none()) {
            obj.insert("attachments".into(), serde_json::Value::Array(pdfs.clone()));
        }
        writeln!(out, "{v:#}")
    } else {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        verdict_of(&mut v);
        // The report's own words in the reader's language (JSON keeps them in English).
        if let Some(obj) = v.as_object_mut() {
            for (key, texts, msgs) in [
                ("problems", &report.problems, &report.problem_msgs),
                ("notes", &report.notes, &report.note_msgs),
                ("covers", &report.covers, &report.cover_msgs),
            ] {
                obj.insert(key.into(), serde_json::json!(localized(texts, msgs)));
            }
        }
        human(&mut out, &v, &what, receipt.as_ref())
            .and_then(|()| print_attachments(&mut out, &pdfs))
    };
    if written.is_err() {
        return ExitCode::from(2);
    }
    if report.valid && pdfs.iter().all(crate::verify_pdf::attachment_ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Whether a report has nothing against the signature but that no trust anchors were given
/// (`--trust`): it is intact, and every problem is the missing anchors. Such a signature is
/// untrusted rather than invalid: nobody said whom to trust.
fn untrusted_for_want_of_anchors(report: &lienthong_dsig::Report) -> bool {
    report.verdict == Verdict::Invalid
        && report.intact
        && !report.problem_codes.is_empty()
        && report
            .problem_codes
            .iter()
            .all(|c| *c == Code::CertNoTrustRoots)
}

/// A note the command adds to a report: in `notes` as it is printed (the language of this
/// run, as before), and its message in `note_msgs`, so that the two stay in step.
fn add_note(report: &mut lienthong_dsig::Report, note: Msg) {
    report.notes.push(note.render(crate::text::lang()));
    report.note_msgs.push(note);
}

/// Texts of a report in the reader's language: each from its message where there is one,
/// else as written.
fn localized(texts: &[String], msgs: &[Msg]) -> Vec<String> {
    let lang = crate::text::lang();
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| msgs.get(i).map_or_else(|| t.clone(), |m| m.render(lang)))
        .collect()
}

fn read_head(p: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(p)?.take(1024).read_to_end(&mut head)?;
    Ok(head)
}

/// The file to verify, or the usage error that it cannot be read.
fn read_input(args: &Args) -> Result<Vec<u8>, ExitCode> {
    std::fs::read(&args.file).map_err(|e| {
        usage(
            args.json,
            Code::IoRead,
            &say!(
                "cli-verify-cannot-read",
                file = args.file.display().to_string(),
                error = e.to_string()
            ),
        )
    })
}

fn load_directory(p: &std::path::Path) -> Result<lienthong_routing::Directory, String> {
    let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
    let json = p
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let dir = if json {
        lienthong_routing::Directory::from_json(&text)
    } else {
        lienthong_routing::Directory::from_toml(&text)
    };
    dir.map_err(|e| e.to_string())
}

fn now_secs() -> i64 {
    i64::try_from(lienthong_types::Clock::now(&lienthong_types::SystemClock).as_millis() / 1000)
        .unwrap_or(i64::MAX)
}

fn run_pdf(args: &Args) -> ExitCode {
    let mut pins = Vec::new();
    if let Some(p) = &args.directory {
        match load_directory(p) {
            Ok(dir) => pins.extend(dir.signer_pins().map(|(fp, c)| (fp, c.to_string()))),
            Err(e) => {
                return usage(
                    args.json,
                    Code::UsageDirectory,
                    &format!("{}: {e}", p.display()),
                );
            }
        }
    }
    let trust =
        match crate::verify_pdf::trust_from(&args.trust, &args.intermediates, &args.crl, pins) {
            Ok(t) => t,
            Err((code, m)) => return usage(args.json, code, &m),
        };
    let now = match &args.at {
        None => now_secs(),
        Some(t) => match lienthong_dsig::time::parse_time(t).and_then(|s| i64::try_from(s).ok()) {
            Some(s) => s,
            None => {
                return usage(args.json, Code::UsageAt, &say!("cli-verify-bad-at", at = t));
            }
        },
    };
    let bytes = match read_input(args) {
        Ok(b) => b,
        Err(code) => return code,
    };
    crate::verify_pdf::run(
        &bytes,
        &args.file.display().to_string(),
        &trust,
        now,
        args.json,
    )
}

/// The PDF attachments' reports, under the envelope's.
pub(crate) fn print_attachments(
    out: &mut impl Write,
    pdfs: &[serde_json::Value],
) -> std::io::Result<()> {
    for a in pdfs {
        let name = a["name"].as_str().unwrap_or("?");
        writeln!(out, "{}", say!("cli-verify-attachment", name = name))?;
        crate::verify_pdf::human(out, a, name, "  ")?;
    }
    Ok(())
}

/// The labels of a verification report, padded to the same width.
const LABELS: [&str; 10] = [
    "cli-verify-label-document",
    "cli-verify-label-receipt",
    "cli-verify-label-signer",
    "cli-verify-label-agency",
    "cli-verify-label-valid",
    "cli-verify-label-serial",
    "cli-verify-label-chain",
    "cli-verify-label-checked-at",
    "cli-verify-label-algorithm",
    "cli-verify-label-covers",
];

/// Print a verification report (its JSON form: from [`verify`] here, or from a gateway's
/// `GET /v1/inbox/{id}/signature`) for a person.
pub(crate) fn human(
    out: &mut impl Write,
    r: &serde_json::Value,
    what: &str,
    receipt: Option<&lienthong_dsig::Receipt>,
) -> std::io::Result<()> {
    use crate::verify_pdf::{pad, time_text, weak_mark, width_of};
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("?").to_owned();
    let list = crate::verify_pdf::strings;
    let width = width_of(&LABELS);
    let label = |id: &str| pad(&say!(id), width);
    let verdict = match r["verdict"].as_str() {
        Some("valid") => say!("cli-verify-verdict-valid"),
        Some("unsigned") => say!("cli-verify-verdict-unsigned"),
        Some("legacy") => say!("cli-verify-verdict-legacy"),
        Some("untrusted") => say!("sig-verdict-untrusted"),
        _ => say!("cli-verify-verdict-invalid"),
    };
    writeln!(out, "{verdict}")?;
    writeln!(out, "  {} {what}", label("cli-verify-label-document"))?;
    if let Some(rc) = receipt {
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-receipt"),
            say!(
                "cli-verify-receipt",
                message = rc.message_id.to_string(),
                sha = rc.document_sha256.to_string(),
                gateway = rc.receiving_gateway.to_string(),
                hop = rc.hop.to_string()
            )
        )?;
    }
    let signer = &r["signer"];
    if signer.is_object() {
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-signer"),
            s(&signer["subject"])
        )?;
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-agency"),
            signer["agency"]
                .as_str()
                .map_or_else(|| say!("cli-verify-no-agency"), str::to_owned)
        )?;
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-valid"),
            say!(
                "cli-verify-validity",
                from = time_text(&s(&signer["not_before"])),
                to = time_text(&s(&signer["not_after"]))
            )
        )?;
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-serial"),
            s(&signer["serial"])
        )?;
    }
    let chain = list(&r["chain"]);
    if !chain.is_empty() {
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-chain"),
            chain.join("  ->  ")
        )?;
    }
    writeln!(
        out,
        "  {} {}",
        label("cli-verify-label-checked-at"),
        time_text(&s(&r["checked_at"]))
    )?;
    if let Some(a) = r["algorithm"].as_str() {
        writeln!(
            out,
            "  {} {}{}",
            label("cli-verify-label-algorithm"),
            say!(
                "cli-verify-algorithm",
                algorithm = a,
                digest = r["digest"].as_str().unwrap_or("?")
            ),
            weak_mark(r["weak"] == true)
        )?;
    }
    let covers = list(&r["covers"]);
    if !covers.is_empty() {
        writeln!(
            out,
            "  {} {}",
            label("cli-verify-label-covers"),
            covers.join(", ")
        )?;
    }
    let problems = list(&r["problems"]);
    if !problems.is_empty() {
        writeln!(out, "{}", say!("cli-verify-problems"))?;
        for (p, c) in problems.iter().zip(list(&r["problem_codes"])) {
            writeln!(out, "  - {p} [{c}]")?;
        }
    }
    let notes = list(&r["notes"]);
    if !notes.is_empty() {
        writeln!(out, "{}", say!("cli-verify-notes"))?;
        for n in &notes {
            writeln!(out, "  - {n}")?;
        }
    }
    Ok(())
}
