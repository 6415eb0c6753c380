//! What every client command shares: failures and their exit codes, the runtime, query
//! strings and the output helpers (the connection options are in [`super::connection`]).

use lienthong_types::Code;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use lienthong_gateway::Answer;
use serde_json::{Value, json};

/// Why a command stopped.
#[derive(Debug)]
pub(super) enum Fail {
    /// A usage, file or connection problem: exit 2.
    Local { code: Code, message: String },
    /// The gateway answered with an error: exit 1.
    Refused(Box<Answer>),
}

impl Fail {
    pub(super) fn local(code: Code, message: impl Into<String>) -> Fail {
        Fail::Local {
            code,
            message: message.into(),
        }
    }

    pub(super) fn exit(&self) -> u8 {
        match self {
            Fail::Local { .. } => 2,
            Fail::Refused(_) => 1,
        }
    }

    /// Say what went wrong: one line on stderr; with `--json` also the error object on stdout.
    pub(super) fn report(&self, json: bool) {
        match self {
            Fail::Local { code, message } => {
                if json {
                    out!(
                        "{:#}",
                        json!({"error": {"code": code, "message": message, "detail": {}}})
                    );
                }
                note!("{}", say!("remote-error", message = message));
            }
            Fail::Refused(a) => {
                let e = refusal(a);
                if json {
                    out!("{:#}", e.body);
                }
                note!(
                    "{}",
                    say!("remote-error-refused", code = &e.code, message = &e.message)
                );
                if let Some(d) = e.detail {
                    note!("  {}", say!("remote-error-detail", detail = d.to_string()));
                }
            }
        }
    }
}

/// A gateway error answer, read leniently.
pub(super) struct Refusal {
    pub(super) code: String,
    pub(super) message: String,
    /// The detail object when it says something.
    pub(super) detail: Option<Value>,
    /// The whole error body as JSON (built from the status when the body is not JSON).
    pub(super) body: Value,
}

pub(super) fn refusal(a: &Answer) -> Refusal {
    let v = a.json();
    let err = &v["error"];
    if let Some(code) = err["code"].as_str() {
        let detail = match &err["detail"] {
            Value::Object(m) if m.is_empty() => None,
            Value::Null => None,
            d => Some(d.clone()),
        };
        // A refusal without words says what its code means.
        let message = match err["message"].as_str() {
            Some(m) if !m.trim().is_empty() => m.to_owned(),
            _ => Code::parse(code).map_or_else(String::new, |c| {
                lienthong_i18n::code_message(c, crate::text::lang())
            }),
        };
        return Refusal {
            code: code.to_owned(),
            message,
            detail,
            body: v.clone(),
        };
    }
    let text: String = String::from_utf8_lossy(&a.body).chars().take(300).collect();
    let code = format!("http.{}", a.status.as_u16());
    let message = if text.trim().is_empty() {
        a.status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text.trim().to_owned()
    };
    Refusal {
        body: json!({"error": {"code": code, "message": message, "detail": {}}}),
        code,
        message,
        detail: None,
    }
}

/// Run `f` on a small runtime and turn its outcome into the exit code.
pub(super) fn block_on<F>(json: bool, f: F) -> ExitCode
where
    F: std::future::Future<Output = Result<u8, Fail>>,
{
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            Fail::local(Code::Runtime, say!("remote-runtime", error = e.to_string())).report(json);
            return ExitCode::from(2);
        }
    };
    match rt.block_on(f) {
        Ok(code) => ExitCode::from(code),
        Err(fail) => {
            fail.report(json);
            ExitCode::from(fail.exit())
        }
    }
}

/// Percent-encode one path segment or query value.
pub(super) fn enc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// A query string from the parameters that are set.
pub(super) fn query(params: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

pub(super) fn print_json(v: &Value) {
    out!("{v:#}");
}

/// A time in the gateway's JSON: RFC 3339 text, or milliseconds since the epoch (the form
/// older gateways write).
pub(super) fn time_of(v: &Value) -> Option<lienthong_types::Timestamp> {
    if v.is_null() {
        return None;
    }
    serde_json::from_value::<lienthong_types::Timestamp>(v.clone()).ok()
}

/// A time in the gateway's JSON as people read it: `dd/MM/yyyy HH:mm`, Vietnam time.
pub(super) fn time(v: &Value) -> String {
    time_of(v).map_or_else(|| "-".to_owned(), crate::text::when)
}

pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A tagged object (`{"state": "queued", "hop": "gw-h50"}`) as `queued hop=gw-h50`; fields
/// named `at` or ending in `_at` are shown as times.
pub(super) fn tagged(v: &Value, tag: &str) -> String {
    let Some(m) = v.as_object() else {
        return text(v);
    };
    let mut s = m.get(tag).map(text).unwrap_or_else(|| "?".to_owned());
    // Free text (a failure's reason, an operator's note) goes last: it can be long.
    let free = |k: &str| k == "reason" || k == "note";
    let fields = m.iter().filter(|(k, _)| !free(k));
    for (k, val) in fields.chain(m.iter().filter(|(k, _)| free(k))) {
        if k == tag || val.is_null() {
            continue;
        }
        let shown = if k == "at" || k.ends_with("_at") {
            time(val)
        } else if k.ends_with("sha256") {
            text(val).chars().take(16).collect()
        } else {
            text(val)
        };
        s.push_str(&format!(" {k}={shown}"));
    }
    s
}

/// Print rows as a table with a header, columns two spaces apart.
pub(super) fn table<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) {
    for line in table_lines(header, rows) {
        out!("{line}");
    }
}

/// The lines of [`table`]: columns aligned by display width (a Vietnamese letter with its
/// marks takes one column), no trailing spaces.
pub(super) fn table_lines<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> Vec<String> {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING)
        .set_header(header.iter().map(AsRef::as_ref))
        .add_rows(rows.iter().map(|r| r.iter().map(String::as_str)));
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
    }
    t.lines()
        .map(|l| l.trim_end().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A duration in seconds, as an operator reads it: 45s, 12m, 5h, 3d (45 giây, 12 phút…).
pub(super) fn age(secs: u64) -> String {
    match secs {
        s if s < 120 => say!("remote-age-seconds", n = s),
        s if s < 7200 => say!("remote-age-minutes", n = s / 60),
        s if s < 172_800 => say!("remote-age-hours", n = s / 3600),
        s => say!("remote-age-days", n = s / 86_400),
    }
}

/// The table header of these column messages, in the chosen language.
pub(super) fn header(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| lienthong_i18n::tr(crate::text::lang(), id, &[]))
        .collect()
}

/// A message kind (`edoc`, `status`) in words.
pub(super) fn kind(v: &Value) -> String {
    match v.as_str() {
        Some("edoc") => say!("remote-kind-edoc"),
        Some("status") => say!("remote-kind-status"),
        _ => text(v),
    }
}

/// `cannot read PATH: ERROR`.
pub(super) fn cannot_read(path: &Path, e: &std::io::Error) -> String {
    say!(
        "remote-cannot-read",
        path = path.display().to_string(),
        error = e.to_string()
    )
}

/// `cannot write PATH: ERROR`.
pub(super) fn cannot_write(path: &Path, e: &std::io::Error) -> String {
    say!(
        "remote-cannot-write",
        path = path.display().to_string(),
        error = e.to_string()
    )
}

/// Days after which a certificate is worth a line in `queue stats`.
pub(super) const CERT_WARN_DAYS: f64 = 30.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_by_display_width() {
        let rows = vec![
            vec!["Sở Tài chính".to_owned(), "1".to_owned()],
            vec!["UBND xã".to_owned(), "22".to_owned()],
        ];
        let lines = table_lines(&["AGENCY", "N"], &rows);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("AGENCY"), "{lines:?}");
        // the second column starts at the same display column on every line
        let col = |l: &str| {
            let cs: Vec<char> = l.chars().collect();
            let gap = cs.windows(2).position(|w| w == [' ', ' '])?;
            (gap..cs.len()).find(|&i| cs[i] != ' ')
        };
        assert_eq!(col(&lines[0]), Some("Sở Tài chính".chars().count() + 2));
        assert_eq!(col(&lines[1]), col(&lines[0]));
        assert_eq!(col(&lines[2]), col(&lines[0]));
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
    }
}
