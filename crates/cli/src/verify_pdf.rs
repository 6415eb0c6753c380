//! `lienthong verify FILE.pdf`: every signature inside a PDF, for a clerk. The Government
//! CA's roots and intermediates are always trusted; `--trust` adds roots (public CAs such
//! as VNPT-CA or Viettel-CA), `--intermediates` adds issuing CAs, `--crl` adds CRLs.
//! Nothing is fetched from the network.

use std::io::Write;
use std::process::ExitCode;

use lienthong_pdfsig::{PdfReport, PdfTrust, Role};
use lienthong_types::Code;

/// The trust for PDF signatures from the command line's files.
pub(crate) fn trust_from(
    roots: &[std::path::PathBuf],
    intermediates: &[std::path::PathBuf],
    crls: &[std::path::PathBuf],
    pins: impl IntoIterator<Item = ([u8; 32], String)>,
) -> Result<PdfTrust, (Code, String)> {
    let mut trust = PdfTrust::government();
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    for p in roots {
        read(p)
            .and_then(|b| {
                trust
                    .add_roots_pem(&b)
                    .map_err(|e| format!("{}: {e}", p.display()))
            })
            .map_err(|m| (Code::UsageTrust, m))?;
    }
    for p in intermediates {
        read(p)
            .and_then(|b| {
                trust
                    .add_intermediates_pem(&b)
                    .map_err(|e| format!("{}: {e}", p.display()))
            })
            .map_err(|m| (Code::UsageTrust, m))?;
    }
    for p in crls {
        read(p)
            .and_then(|b| {
                trust
                    .add_crls(&b)
                    .map_err(|e| format!("{}: {e}", p.display()))
            })
            .map_err(|m| (Code::UsageCrl, m))?;
    }
    for (fp, agency) in pins {
        trust.pin_fingerprint(fp, &agency);
    }
    Ok(trust)
}

/// Verify PDF bytes and print the report; the exit code is 0 valid, 1 not valid, 2
/// unreadable.
pub(crate) fn run(bytes: &[u8], file: &str, trust: &PdfTrust, now: i64, json: bool) -> ExitCode {
    let report = match lienthong_pdfsig::verify_pdf(bytes, now, trust) {
        Ok(mut r) => {
            r.file = Some(file.to_owned());
            r
        }
        Err(e) => {
            if json {
                println!(
                    "{:#}",
                    serde_json::json!({"error": {"code": e.code, "message": e.what, "detail": {"file": file, "offset": e.at}}})
                );
            }
            eprintln!("error: {file}: {e} [{}]", e.code);
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    let written = if json {
        writeln!(
            out,
            "{:#}",
            serde_json::to_value(&report).unwrap_or_default()
        )
    } else {
        human(&mut out, &report, file, "")
    };
    if written.is_err() {
        return ExitCode::from(2);
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn verdict_line(r: &PdfReport) -> &'static str {
    match r.verdict {
        lienthong_pdfsig::Verdict::Valid => "VALID: every signature is intact and trusted",
        lienthong_pdfsig::Verdict::Weak => {
            "WEAK: the signatures hold, but with a weak algorithm (SHA-1 or a short RSA key)"
        }
        lienthong_pdfsig::Verdict::Untrusted => {
            "UNTRUSTED: intact, but a signer does not chain to a trusted root"
        }
        lienthong_pdfsig::Verdict::Unsigned => "NOT SIGNED: the PDF carries no signature",
        lienthong_pdfsig::Verdict::Invalid => "INVALID",
    }
}

/// Print a PDF report for a person; `indent` nests it under an envelope's report.
pub(crate) fn human(
    out: &mut impl Write,
    r: &PdfReport,
    file: &str,
    indent: &str,
) -> std::io::Result<()> {
    writeln!(out, "{indent}{}", verdict_line(r))?;
    writeln!(
        out,
        "{indent}  File:       {file} ({} revision{})",
        r.revisions,
        if r.revisions == 1 { "" } else { "s" }
    )?;
    for s in &r.signatures {
        let role = match s.role {
            Role::Person => "person",
            Role::Organisation => "organisation",
        };
        writeln!(
            out,
            "{indent}Signature {} ({role}, field {}): {}",
            s.index,
            s.field,
            s.verdict.as_str().to_uppercase()
        )?;
        if let Some(who) = &s.signer {
            writeln!(
                out,
                "{indent}  Signer:     {}",
                who.common_name.as_deref().unwrap_or(&who.subject)
            )?;
            if let Some(o) = &who.organisation {
                writeln!(out, "{indent}  Organisation: {o}")?;
            }
            writeln!(
                out,
                "{indent}  Agency:     {}",
                who.agency
                    .as_deref()
                    .unwrap_or("(the certificate names no agency)")
            )?;
            if let Some(m) = &who.mst {
                writeln!(out, "{indent}  MST:        {m}")?;
            }
            if let Some(m) = &who.mns {
                writeln!(out, "{indent}  MNS:        {m}")?;
            }
            writeln!(
                out,
                "{indent}  Certificate: serial {}, valid {} to {}",
                who.serial, who.not_before, who.not_after
            )?;
        }
        writeln!(
            out,
            "{indent}  Signed at:  {} (claimed)",
            s.signing_time_claimed.as_deref().unwrap_or("not stated")
        )?;
        if let Some(t) = &s.timestamp {
            writeln!(
                out,
                "{indent}  Time-stamp: {} by {}{}{}",
                t.time.as_deref().unwrap_or("?"),
                t.tsa.as_deref().unwrap_or("?"),
                if t.valid { "" } else { " (NOT VALID)" },
                if t.weak { " (WEAK)" } else { "" }
            )?;
        }
        let covers = if s.covers.whole_file {
            "the whole file".to_owned()
        } else {
            match s.covers.revision {
                Some(n) => format!("revision {n} of {}", s.covers.revisions),
                None => "an unclear part of the file".to_owned(),
            }
        };
        writeln!(out, "{indent}  Covers:     {covers}")?;
        if !s.covers.changes_after.is_empty() {
            writeln!(
                out,
                "{indent}  Added after: {}",
                s.covers.changes_after.join(", ")
            )?;
        }
        let chain: Vec<String> = s
            .chain
            .iter()
            .map(|l| {
                if l.weak {
                    format!("{} (WEAK)", l.subject)
                } else {
                    l.subject.clone()
                }
            })
            .collect();
        if !chain.is_empty() {
            writeln!(out, "{indent}  Chain:      {}", chain.join("  ->  "))?;
        }
        writeln!(
            out,
            "{indent}  Checked at: {}; revocation {}",
            s.checked_at, s.revocation
        )?;
        if !s.algorithm.is_empty() {
            writeln!(
                out,
                "{indent}  Algorithm:  {}{}",
                s.algorithm,
                if s.weak { " (WEAK)" } else { "" }
            )?;
        }
        if !s.problems.is_empty() {
            writeln!(out, "{indent}  Problems:")?;
            for (p, c) in s.problems.iter().zip(&s.problem_codes) {
                writeln!(out, "{indent}    - {p} [{c}]")?;
            }
        }
        if !s.notes.is_empty() {
            writeln!(out, "{indent}  Notes:")?;
            for (n, c) in s.notes.iter().zip(&s.note_codes) {
                writeln!(out, "{indent}    - {n} [{c}]")?;
            }
        }
    }
    Ok(())
}
