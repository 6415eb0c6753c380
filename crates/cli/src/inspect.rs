//! `lienthong inspect FILE [--json]`.

use lienthong_types::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_edxml::{Package, Parsed, Summary};

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The edXML file.
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                args,
                Code::IoRead,
                &format!("cannot read {}: {e}", args.file.display()),
                None,
            );
        }
    };
    match lienthong_edxml::read(&bytes) {
        Ok(parsed) => {
            let summary = Summary::of(&parsed);
            let mut out = std::io::stdout().lock();
            let res = if args.json {
                serde_json::to_string_pretty(&summary)
                    .map_err(std::io::Error::other)
                    .and_then(|s| writeln!(out, "{s}"))
            } else {
                write_text(&mut out, &parsed, &summary)
            };
            match res {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
        Err(e) => {
            let p = e.position();
            fail(args, e.code(), &e.to_string(), Some((p.line, p.column)))
        }
    }
}

fn fail(args: &Args, code: Code, message: &str, at: Option<(u32, u32)>) -> ExitCode {
    if args.json {
        let v = serde_json::json!({
            "error": {
                "code": code,
                "message": message,
                "detail": {
                    "file": args.file.display().to_string(),
                    "line": at.map(|a| a.0),
                    "column": at.map(|a| a.1),
                }
            }
        });
        println!("{v:#}");
    }
    eprintln!("error: {}: {message} [{code}]", args.file.display());
    ExitCode::from(2)
}

fn write_text(out: &mut impl Write, parsed: &Parsed, s: &Summary) -> std::io::Result<()> {
    let name = |code: &str| -> String {
        let org = match &parsed.package {
            Package::Edoc(e) => std::iter::once(&e.header.from)
                .chain(e.header.to.iter())
                .find(|o| o.organ_id == code)
                .and_then(|o| o.organ_name.clone()),
            Package::Status(st) => (st.from.organ_id == code)
                .then(|| st.from.organ_name.clone())
                .flatten(),
        };
        match org {
            Some(n) => format!("{code}  {n}"),
            None => code.to_owned(),
        }
    };
    match &parsed.package {
        Package::Edoc(e) => {
            writeln!(out, "edXML document (edoc)")?;
            writeln!(out, "  From:         {}", name(&s.from))?;
            for (i, t) in s.to.iter().enumerate() {
                let label = if i == 0 { "To:" } else { "" };
                writeln!(out, "  {label:<13} {}", name(t))?;
            }
            if s.to.is_empty() {
                writeln!(out, "  To:           (none)")?;
            }
            opt(out, "DocumentId:", s.document_id.as_deref())?;
            opt(out, "Số/ký hiệu:", s.code.as_deref())?;
            if let Some(d) = e
                .header
                .promulgation_info
                .as_ref()
                .and_then(|p| p.promulgation_date)
            {
                writeln!(out, "  Date:         {d}")?;
            }
            opt(out, "Subject:", s.subject.as_deref())?;
            opt(out, "Business:", s.business_type.as_deref())?;
            writeln!(out, "  Attachments:  {}", s.attachments.len())?;
            for a in &s.attachments {
                writeln!(
                    out,
                    "    - {}  {}  {}",
                    a.name.as_deref().unwrap_or("(unnamed)"),
                    a.content_type.as_deref().unwrap_or("unknown type"),
                    a.size
                        .map_or("size unknown".to_owned(), |n| format!("{n} bytes")),
                )?;
            }
            match &e.signature {
                None => writeln!(out, "  Signature:    none")?,
                Some(sig) if !sig.in_xmldsig_namespace => writeln!(
                    out,
                    "  Signature:    present, legacy SDK form (not verifiable)"
                )?,
                Some(sig) => writeln!(
                    out,
                    "  Signature:    present ({}); check it with `lienthong verify`",
                    sig.signature_method
                        .as_deref()
                        .unwrap_or("unknown algorithm")
                )?,
            }
        }
        Package::Status(st) => {
            writeln!(out, "edXML status package")?;
            writeln!(
                out,
                "  Status:       {} {} ({})",
                st.status_code.wire(),
                st.status_code.label_vi(),
                st.status_code.label_en()
            )?;
            writeln!(out, "  From:         {}", name(&s.from))?;
            opt(out, "To:", s.to.first().map(String::as_str))?;
            opt(out, "About:", s.document_id.as_deref())?;
            opt(out, "Số/ký hiệu:", s.code.as_deref())?;
            opt(out, "Description:", st.description.as_deref())?;
            if let Some(t) = st.timestamp {
                writeln!(out, "  Time:         {t}")?;
            }
        }
    }
    if !s.warnings.is_empty() {
        writeln!(out, "Warnings ({}):", s.warnings.len())?;
        for w in &s.warnings {
            match (w.line, w.column) {
                (Some(l), Some(c)) => {
                    writeln!(out, "  line {l}, column {c}: {} [{}]", w.message, w.code)?
                }
                _ => writeln!(out, "  {} [{}]", w.message, w.code)?,
            }
        }
    }
    Ok(())
}

fn opt(out: &mut impl Write, label: &str, v: Option<&str>) -> std::io::Result<()> {
    if let Some(v) = v {
        writeln!(out, "  {label:<13} {v}")?;
    }
    Ok(())
}
