//! `lienthong inspect FILE [--json]`.

use lienthong_i18n::Lang;
use lienthong_types::Code;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use lienthong_edxml::{Date, DateTime, Package, Parsed, Summary};

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The edXML file.
    #[arg(help = say!("cli-inspect-help-file"))]
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long, help = say!("cli-inspect-help-json"))]
    json: bool,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            let message = say!(
                "cli-inspect-cannot-read",
                file = args.file.display().to_string(),
                error = e.to_string()
            );
            return fail(args, Code::IoRead, &message, &message, None);
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
            // JSON keeps the reader's English; the text is in the reader's language.
            let text = e.render(crate::text::lang());
            fail(
                args,
                e.code(),
                &e.to_string(),
                &text,
                Some((p.line, p.column)),
            )
        }
    }
}

/// Report a failure: `message` in the JSON (with `--json`), `text` on standard error.
fn fail(args: &Args, code: Code, message: &str, text: &str, at: Option<(u32, u32)>) -> ExitCode {
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
    eprintln!(
        "{}",
        say!(
            "cli-inspect-error",
            file = args.file.display().to_string(),
            message = text,
            code = code.to_string()
        )
    );
    ExitCode::from(2)
}

/// The labels of the text form, padded to the same width (13 at least, as in English).
const LABELS: [&str; 13] = [
    "cli-inspect-label-from",
    "cli-inspect-label-to",
    "cli-inspect-label-document-id",
    "cli-inspect-label-code",
    "cli-inspect-label-date",
    "cli-inspect-label-subject",
    "cli-inspect-label-business",
    "cli-inspect-label-attachments",
    "cli-inspect-label-signature",
    "cli-inspect-label-status",
    "cli-inspect-label-about",
    "cli-inspect-label-description",
    "cli-inspect-label-time",
];

/// A day as edXML writes it (Vietnam's calendar), for people.
fn day_text(d: Date) -> String {
    lienthong_types::Timestamp::parse_rfc3339(&format!("{}T00:00:00+07:00", d.iso()))
        .map_or_else(|| d.to_string(), lienthong_i18n::human_day)
}

/// A time as edXML writes it (Vietnam time), for people.
fn time_text(t: DateTime) -> String {
    lienthong_types::Timestamp::parse_rfc3339(&format!("{}+07:00", t.iso()))
        .map_or_else(|| t.to_string(), crate::text::when)
}

/// One line of the text form: `label` (a message id) padded to `width`, then the value.
fn field<W: Write>(out: &mut W, width: usize, label: &str, v: &str) -> std::io::Result<()> {
    writeln!(out, "  {:<width$} {v}", say!(label))
}

fn write_text<W: Write>(out: &mut W, parsed: &Parsed, s: &Summary) -> std::io::Result<()> {
    let width = crate::verify_pdf::width_of(&LABELS).max(13);
    let line = |out: &mut W, id: &str, v: &str| field(out, width, id, v);
    let opt = |out: &mut W, id: &str, v: Option<&str>| match v {
        Some(v) => field(out, width, id, v),
        None => Ok(()),
    };
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
            writeln!(out, "{}", say!("cli-inspect-edoc"))?;
            line(out, "cli-inspect-label-from", &name(&s.from))?;
            for (i, t) in s.to.iter().enumerate() {
                let to = if i == 0 {
                    say!("cli-inspect-label-to")
                } else {
                    String::new()
                };
                writeln!(out, "  {to:<width$} {}", name(t))?;
            }
            if s.to.is_empty() {
                line(out, "cli-inspect-label-to", &say!("cli-inspect-to-none"))?;
            }
            opt(
                out,
                "cli-inspect-label-document-id",
                s.document_id.as_deref(),
            )?;
            opt(out, "cli-inspect-label-code", s.code.as_deref())?;
            if let Some(d) = e
                .header
                .promulgation_info
                .as_ref()
                .and_then(|p| p.promulgation_date)
            {
                line(out, "cli-inspect-label-date", &day_text(d))?;
            }
            opt(out, "cli-inspect-label-subject", s.subject.as_deref())?;
            opt(
                out,
                "cli-inspect-label-business",
                s.business_type.as_deref(),
            )?;
            line(
                out,
                "cli-inspect-label-attachments",
                &s.attachments.len().to_string(),
            )?;
            for a in &s.attachments {
                writeln!(
                    out,
                    "    - {}  {}  {}",
                    a.name
                        .clone()
                        .unwrap_or_else(|| say!("cli-inspect-attachment-unnamed")),
                    a.content_type
                        .clone()
                        .unwrap_or_else(|| say!("cli-inspect-attachment-unknown-type")),
                    a.size.map_or_else(
                        || say!("cli-inspect-attachment-size-unknown"),
                        |n| say!("cli-inspect-attachment-size", bytes = n)
                    ),
                )?;
            }
            let signature = match &e.signature {
                None => say!("cli-inspect-signature-none"),
                Some(sig) if !sig.in_xmldsig_namespace => say!("cli-inspect-signature-legacy"),
                Some(sig) => say!(
                    "cli-inspect-signature-present",
                    algorithm = sig
                        .signature_method
                        .clone()
                        .unwrap_or_else(|| say!("cli-inspect-signature-unknown-algorithm"))
                ),
            };
            line(out, "cli-inspect-label-signature", &signature)?;
        }
        Package::Status(st) => {
            writeln!(out, "{}", say!("cli-inspect-status"))?;
            // The statuses' names are Vietnamese; English gives its own after them.
            let meaning = match crate::text::lang() {
                Lang::Vi => st.status_code.label_vi().to_owned(),
                Lang::En => format!(
                    "{} ({})",
                    st.status_code.label_vi(),
                    st.status_code.label_en()
                ),
            };
            line(
                out,
                "cli-inspect-label-status",
                &format!("{} {meaning}", st.status_code.wire()),
            )?;
            line(out, "cli-inspect-label-from", &name(&s.from))?;
            opt(
                out,
                "cli-inspect-label-to",
                s.to.first().map(String::as_str),
            )?;
            opt(out, "cli-inspect-label-about", s.document_id.as_deref())?;
            opt(out, "cli-inspect-label-code", s.code.as_deref())?;
            opt(
                out,
                "cli-inspect-label-description",
                st.description.as_deref(),
            )?;
            if let Some(t) = st.timestamp {
                line(out, "cli-inspect-label-time", &time_text(t))?;
            }
        }
    }
    if !s.warnings.is_empty() {
        writeln!(
            out,
            "{}",
            say!("cli-inspect-warnings", count = s.warnings.len())
        )?;
        for w in &s.warnings {
            let message = w.msg.render(crate::text::lang());
            match (w.line, w.column) {
                (Some(l), Some(c)) => writeln!(
                    out,
                    "  {}",
                    say!(
                        "cli-inspect-warning-at",
                        line = l,
                        column = c,
                        message = &message,
                        code = w.code.to_string()
                    )
                )?,
                _ => writeln!(out, "  {message} [{}]", w.code)?,
            }
        }
    }
    Ok(())
}
