//! `lienthong verify FILE.pdf`: every signature inside a PDF, for a clerk. The Government
//! CA's roots and intermediates are always trusted; `--trust` adds roots (public CAs such
//! as VNPT-CA or Viettel-CA), `--intermediates` adds issuing CAs, `--crl` adds CRLs.
//! Nothing is fetched from the network.

use std::io::Write;
use std::process::ExitCode;

use lienthong_pdfsig::PdfTrust;
use lienthong_types::Code;

/// The trust for PDF signatures from the command line's files.
pub(crate) fn trust_from(
    roots: &[std::path::PathBuf],
    intermediates: &[std::path::PathBuf],
    crls: &[std::path::PathBuf],
    pins: impl IntoIterator<Item = ([u8; 32], String)>,
) -> Result<PdfTrust, (Code, String)> {
    use lienthong_gateway::trust_files::{PdfTrustFile, PdfTrustFiles};
    PdfTrustFiles::new(true, roots.to_vec(), intermediates.to_vec(), crls.to_vec())
        .read(pins)
        .map_err(|(kind, m)| match kind {
            PdfTrustFile::Certificate => (Code::UsageTrust, m),
            PdfTrustFile::Crl => (Code::UsageCrl, m),
        })
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
    let v = serde_json::to_value(&report).unwrap_or_default();
    let written = if json {
        writeln!(out, "{v:#}")
    } else {
        human(&mut out, &v, file, "")
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

/// The strings of a JSON array (none when it is not one).
pub(crate) fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn verdict_line(verdict: &str) -> &'static str {
    match verdict {
        "valid" => "VALID: every signature is intact and trusted",
        "weak" => "WEAK: the signatures hold, but with a weak algorithm (SHA-1 or a short RSA key)",
        "untrusted" => "UNTRUSTED: intact, but a signer does not chain to a trusted root",
        "unsigned" => "NOT SIGNED: the PDF carries no signature",
        _ => "INVALID",
    }
}

/// May an edXML document with this PDF (its report's JSON) pass: the envelope vouches for
/// a PDF without signatures (or one that cannot be read as a PDF), but a PDF signature
/// that does not hold (invalid, untrusted or weak) fails the whole.
pub(crate) fn attachment_ok(a: &serde_json::Value) -> bool {
    !matches!(
        a["verdict"].as_str(),
        Some("invalid" | "untrusted" | "weak")
    )
}

/// Print a PDF report (its JSON form: from [`lienthong_pdfsig::verify_pdf`] here, or an
/// attachment of a gateway's signature view) for a person; `indent` nests it under an
/// envelope's report.
pub(crate) fn human(
    out: &mut impl Write,
    r: &serde_json::Value,
    file: &str,
    indent: &str,
) -> std::io::Result<()> {
    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let list = strings;
    if let Some(e) = r.get("error").filter(|e| e.is_object()) {
        writeln!(
            out,
            "{indent}UNREADABLE: {file}: {} [{}]",
            s(&e["message"]).unwrap_or_default(),
            s(&e["code"]).unwrap_or_default()
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{indent}{}",
        verdict_line(r["verdict"].as_str().unwrap_or(""))
    )?;
    let revisions = r["revisions"].as_u64().unwrap_or(0);
    writeln!(
        out,
        "{indent}  File:       {file} ({revisions} revision{})",
        if revisions == 1 { "" } else { "s" }
    )?;
    for sig in r["signatures"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "{indent}Signature {} ({}, field {}): {}",
            sig["index"],
            s(&sig["role"]).unwrap_or_default(),
            s(&sig["field"]).unwrap_or_default(),
            s(&sig["verdict"]).unwrap_or_default().to_uppercase()
        )?;
        let who = &sig["signer"];
        if who.is_object() {
            let name = s(&who["common_name"])
                .or_else(|| s(&who["subject"]))
                .unwrap_or_default();
            writeln!(out, "{indent}  Signer:     {name}")?;
            if let Some(o) = s(&who["organisation"]) {
                writeln!(out, "{indent}  Organisation: {o}")?;
            }
            writeln!(
                out,
                "{indent}  Agency:     {}",
                s(&who["agency"]).unwrap_or_else(|| "(the certificate names no agency)".into())
            )?;
            for (k, label) in [("mst", "MST"), ("mns", "MNS")] {
                if let Some(v) = s(&who[k]) {
                    writeln!(out, "{indent}  {label}:        {v}")?;
                }
            }
            writeln!(
                out,
                "{indent}  Certificate: serial {}, valid {} to {}",
                s(&who["serial"]).unwrap_or_default(),
                s(&who["not_before"]).unwrap_or_default(),
                s(&who["not_after"]).unwrap_or_default()
            )?;
        }
        writeln!(
            out,
            "{indent}  Signed at:  {} (claimed)",
            s(&sig["signing_time_claimed"]).unwrap_or_else(|| "not stated".into())
        )?;
        let t = &sig["timestamp"];
        if t.is_object() {
            writeln!(
                out,
                "{indent}  Time-stamp: {} by {}{}{}",
                s(&t["time"]).unwrap_or_else(|| "?".into()),
                s(&t["tsa"]).unwrap_or_else(|| "?".into()),
                if t["valid"] == true {
                    ""
                } else {
                    " (NOT VALID)"
                },
                if t["weak"] == true { " (WEAK)" } else { "" }
            )?;
        }
        let c = &sig["covers"];
        let covers = if c["whole_file"] == true {
            "the whole file".to_owned()
        } else {
            match c["revision"].as_u64() {
                Some(n) => format!("revision {n} of {}", c["revisions"]),
                None => "an unclear part of the file".to_owned(),
            }
        };
        writeln!(out, "{indent}  Covers:     {covers}")?;
        let after: Vec<&str> = list(&c["changes_after"])
            .iter()
            .map(|k| match k.as_str() {
                "signatures" => "later signatures",
                "metadata" => "document information and form structure",
                "form_fields" => "form fields filled in",
                "annotations" => "comments, stamps or other annotations",
                "pages" => "pages added or removed",
                "content" => "page content changed",
                _ => "other changes",
            })
            .collect();
        if !after.is_empty() {
            writeln!(out, "{indent}  Added after: {}", after.join(", "))?;
        }
        let chain: Vec<String> = sig["chain"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let subject = s(&l["subject"]).unwrap_or_default();
                if l["weak"] == true {
                    format!("{subject} (WEAK)")
                } else {
                    subject
                }
            })
            .collect();
        if !chain.is_empty() {
            writeln!(out, "{indent}  Chain:      {}", chain.join("  ->  "))?;
        }
        writeln!(
            out,
            "{indent}  Checked at: {}; revocation {}",
            s(&sig["checked_at"]).unwrap_or_default(),
            s(&sig["revocation"]).unwrap_or_default()
        )?;
        if let Some(a) = s(&sig["algorithm"]).filter(|a| !a.is_empty()) {
            writeln!(
                out,
                "{indent}  Algorithm:  {a}{}",
                if sig["weak"] == true { " (WEAK)" } else { "" }
            )?;
        }
        for (key, codes, label) in [
            ("problems", "problem_codes", "Problems"),
            ("notes", "note_codes", "Notes"),
        ] {
            let items = list(&sig[key]);
            if !items.is_empty() {
                writeln!(out, "{indent}  {label}:")?;
                for (p, c) in items.iter().zip(list(&sig[codes])) {
                    writeln!(out, "{indent}    - {p} [{c}]")?;
                }
            }
        }
    }
    Ok(())
}
