//! `lienthong verify FILE.pdf`: every signature inside a PDF, for a clerk. The Government
//! CA's roots and intermediates are always trusted; `--trust` adds roots (public CAs such
//! as VNPT-CA or Viettel-CA), `--intermediates` adds issuing CAs, `--crl` adds CRLs.
//! Nothing is fetched from the network.

use std::io::Write;
use std::process::ExitCode;

use lienthong_pdfsig::{PdfReport, PdfTrust};
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
            eprintln!(
                "{}",
                say!(
                    "cli-verify-error",
                    message = format!("{file}: {e}"),
                    code = e.code.to_string()
                )
            );
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    let v = serde_json::to_value(&report).unwrap_or_default();
    let written = if json {
        writeln!(out, "{v:#}")
    } else {
        human_with(&mut out, &v, file, "", Some(&report))
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

/// A time from a report (RFC 3339) as people read it; the text itself if it is not one.
pub(crate) fn time_text(text: &str) -> String {
    lienthong_types::Timestamp::parse_rfc3339(text)
        .map_or_else(|| text.to_owned(), crate::text::when)
}

/// A verdict (`valid`, `invalid`…) as one word in capitals, in the chosen language.
pub(crate) fn verdict_word(verdict: &str) -> String {
    match verdict {
        "valid" => say!("cli-verify-word-valid"),
        "invalid" => say!("cli-verify-word-invalid"),
        "weak" => say!("cli-verify-word-weak"),
        "untrusted" => say!("cli-verify-word-untrusted"),
        "unsigned" => say!("cli-verify-word-unsigned"),
        "legacy" => say!("cli-verify-word-legacy"),
        other => other.to_uppercase(),
    }
}

/// ` (WEAK)`, after an algorithm or a certificate that uses a weak one; nothing otherwise.
pub(crate) fn weak_mark(weak: bool) -> String {
    if weak {
        format!(" ({})", say!("cli-verify-word-weak"))
    } else {
        String::new()
    }
}

/// `label` padded with spaces to `width` characters (a longer one is left as it is).
pub(crate) fn pad(label: &str, width: usize) -> String {
    format!("{label:<width$}")
}

/// The width the labels `ids` are padded to: the longest of them in the chosen language.
pub(crate) fn width_of(ids: &[&str]) -> usize {
    ids.iter()
        .map(|id| say!(*id).chars().count())
        .max()
        .unwrap_or(0)
}

fn verdict_line(verdict: &str) -> String {
    match verdict {
        "valid" => say!("cli-verify-pdf-verdict-valid"),
        "weak" => say!("cli-verify-pdf-verdict-weak"),
        "untrusted" => say!("cli-verify-pdf-verdict-untrusted"),
        "unsigned" => say!("cli-verify-pdf-verdict-unsigned"),
        _ => say!("cli-verify-pdf-verdict-invalid"),
    }
}

fn role_word(role: &str) -> String {
    match role {
        "person" => say!("cli-verify-pdf-role-person"),
        "organisation" => say!("cli-verify-pdf-role-organisation"),
        "timestamp" => say!("cli-verify-pdf-role-timestamp"),
        other => other.to_owned(),
    }
}

fn revocation_word(revocation: &str) -> String {
    match revocation {
        "checked" => say!("cli-verify-pdf-revocation-checked"),
        "unchecked" => say!("cli-verify-pdf-revocation-unchecked"),
        "revoked" => say!("cli-verify-pdf-revocation-revoked"),
        other => other.to_owned(),
    }
}

fn change_words(kind: &str) -> String {
    match kind {
        "signatures" => say!("cli-verify-pdf-change-signatures"),
        "metadata" => say!("cli-verify-pdf-change-metadata"),
        "form_fields" => say!("cli-verify-pdf-change-form-fields"),
        "annotations" => say!("cli-verify-pdf-change-annotations"),
        "pages" => say!("cli-verify-pdf-change-pages"),
        "content" => say!("cli-verify-pdf-change-content"),
        _ => say!("cli-verify-pdf-change-other"),
    }
}

/// The labels that line up in a PDF report; longer ones (organisation, certificate, added
/// after) push their value on.
const ALIGNED: [&str; 9] = [
    "cli-verify-pdf-label-file",
    "cli-verify-label-signer",
    "cli-verify-label-agency",
    "cli-verify-pdf-label-signed-at",
    "cli-verify-pdf-label-timestamp",
    "cli-verify-label-covers",
    "cli-verify-label-chain",
    "cli-verify-label-checked-at",
    "cli-verify-label-algorithm",
];

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
    human_with(out, r, file, indent, None)
}

/// [`human`], given also the report `r` was made from, when it is at hand: its problems
/// and notes are then said in the chosen language (the JSON has them in English only).
pub(crate) fn human_with(
    out: &mut impl Write,
    r: &serde_json::Value,
    file: &str,
    indent: &str,
    report: Option<&PdfReport>,
) -> std::io::Result<()> {
    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let list = strings;
    let width = width_of(&ALIGNED);
    let label = |id: &str| pad(&say!(id), width);
    if let Some(e) = r.get("error").filter(|e| e.is_object()) {
        let line = say!(
            "cli-verify-pdf-unreadable",
            file = file,
            message = s(&e["message"]).unwrap_or_default(),
            code = s(&e["code"]).unwrap_or_default()
        );
        writeln!(out, "{indent}{line}")?;
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
        "{indent}  {} {}",
        label("cli-verify-pdf-label-file"),
        say!("cli-verify-pdf-file", file = file, revisions = revisions)
    )?;
    for (n, sig) in r["signatures"].as_array().into_iter().flatten().enumerate() {
        let msgs = report.and_then(|x| x.signatures.get(n));
        let head = say!(
            "cli-verify-pdf-signature",
            index = sig["index"].to_string(),
            role = role_word(&s(&sig["role"]).unwrap_or_default()),
            field = s(&sig["field"]).unwrap_or_default(),
            verdict = verdict_word(&s(&sig["verdict"]).unwrap_or_default())
        );
        writeln!(out, "{indent}{head}")?;
        let who = &sig["signer"];
        if who.is_object() {
            let name = s(&who["common_name"])
                .or_else(|| s(&who["subject"]))
                .unwrap_or_default();
            writeln!(out, "{indent}  {} {name}", label("cli-verify-label-signer"))?;
            if let Some(o) = s(&who["organisation"]) {
                writeln!(
                    out,
                    "{indent}  {} {o}",
                    label("cli-verify-pdf-label-organisation")
                )?;
            }
            writeln!(
                out,
                "{indent}  {} {}",
                label("cli-verify-label-agency"),
                s(&who["agency"]).unwrap_or_else(|| say!("cli-verify-no-agency"))
            )?;
            // Tax and budget-unit codes: the same abbreviations in both languages.
            for (k, name) in [("mst", "MST:"), ("mns", "MNS:")] {
                if let Some(v) = s(&who[k]) {
                    writeln!(out, "{indent}  {} {v}", pad(name, width))?;
                }
            }
            writeln!(
                out,
                "{indent}  {} {}",
                label("cli-verify-pdf-label-certificate"),
                say!(
                    "cli-verify-pdf-certificate",
                    serial = s(&who["serial"]).unwrap_or_default(),
                    from = time_text(&s(&who["not_before"]).unwrap_or_default()),
                    to = time_text(&s(&who["not_after"]).unwrap_or_default())
                )
            )?;
        }
        let signed_at = match s(&sig["signing_time_claimed"]) {
            Some(t) => say!("cli-verify-pdf-signed-at", time = time_text(&t)),
            None => say!("cli-verify-pdf-signed-at-none"),
        };
        writeln!(
            out,
            "{indent}  {} {signed_at}",
            label("cli-verify-pdf-label-signed-at")
        )?;
        let t = &sig["timestamp"];
        if t.is_object() {
            let not_valid = if t["valid"] == true {
                String::new()
            } else {
                format!(" ({})", say!("cli-verify-pdf-not-valid"))
            };
            writeln!(
                out,
                "{indent}  {} {}{not_valid}{}",
                label("cli-verify-pdf-label-timestamp"),
                say!(
                    "cli-verify-pdf-timestamp",
                    time = s(&t["time"]).map_or_else(|| "?".into(), |x| time_text(&x)),
                    tsa = s(&t["tsa"]).unwrap_or_else(|| "?".into())
                ),
                weak_mark(t["weak"] == true)
            )?;
        }
        let c = &sig["covers"];
        let covers = if c["whole_file"] == true {
            say!("cli-verify-pdf-covers-whole-file")
        } else {
            match c["revision"].as_u64() {
                Some(n) => say!(
                    "cli-verify-pdf-covers-revision",
                    revision = n,
                    revisions = c["revisions"].to_string()
                ),
                None => say!("cli-verify-pdf-covers-unclear"),
            }
        };
        writeln!(
            out,
            "{indent}  {} {covers}",
            label("cli-verify-label-covers")
        )?;
        let after: Vec<String> = list(&c["changes_after"])
            .iter()
            .map(|k| change_words(k))
            .collect();
        if !after.is_empty() {
            writeln!(
                out,
                "{indent}  {} {}",
                label("cli-verify-pdf-label-added-after"),
                after.join(", ")
            )?;
        }
        let chain: Vec<String> = sig["chain"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let subject = s(&l["subject"]).unwrap_or_default();
                format!("{subject}{}", weak_mark(l["weak"] == true))
            })
            .collect();
        if !chain.is_empty() {
            writeln!(
                out,
                "{indent}  {} {}",
                label("cli-verify-label-chain"),
                chain.join("  ->  ")
            )?;
        }
        writeln!(
            out,
            "{indent}  {} {}",
            label("cli-verify-label-checked-at"),
            say!(
                "cli-verify-pdf-checked-at",
                time = time_text(&s(&sig["checked_at"]).unwrap_or_default()),
                revocation = revocation_word(&s(&sig["revocation"]).unwrap_or_default())
            )
        )?;
        if let Some(a) = s(&sig["algorithm"]).filter(|a| !a.is_empty()) {
            writeln!(
                out,
                "{indent}  {} {a}{}",
                label("cli-verify-label-algorithm"),
                weak_mark(sig["weak"] == true)
            )?;
        }
        for (key, codes, heading, said) in [
            (
                "problems",
                "problem_codes",
                say!("cli-verify-problems"),
                msgs.map(|m| m.problem_msgs.as_slice()),
            ),
            (
                "notes",
                "note_codes",
                say!("cli-verify-notes"),
                msgs.map(|m| m.note_msgs.as_slice()),
            ),
        ] {
            let items = list(&sig[key]);
            if !items.is_empty() {
                writeln!(out, "{indent}  {heading}")?;
                for (k, (p, c)) in items.iter().zip(list(&sig[codes])).enumerate() {
                    // In the chosen language when the message is at hand, else as the JSON has it.
                    let text = said
                        .and_then(|m| m.get(k))
                        .map_or_else(|| p.clone(), |m| m.render(crate::text::lang()));
                    writeln!(out, "{indent}    - {text} [{c}]")?;
                }
            }
        }
    }
    Ok(())
}
