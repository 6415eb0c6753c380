//! `GET /console`: a read-only web page for operators (operator certificate in the
//! browser): links and queues, dead letters with their reasons, each agency's fetching,
//! certificates expiring first, backups. It is one embedded HTML file that calls the
//! operator API (`/v1/queues`, `/v1/messages`, `/v1/agencies/activity`,
//! `/v1/certificates`, `/v1/backups`) from the same origin; it changes nothing.
//!
//! The page writes everything it shows with `textContent` (agency names, reasons and
//! certificate subjects come from other parties). Its Content-Security-Policy allows only
//! its own inline script and style (by SHA-256), requests to this origin, and no framing.

use std::sync::OnceLock;

use base64::Engine;

/// The page.
pub const PAGE: &str = include_str!("console.html");

/// The API paths the page calls (checked against the router by a test).
pub const CALLS: &[&str] = &[
    "/v1/queues",
    "/v1/messages",
    "/v1/agencies/activity",
    "/v1/certificates",
    "/v1/backups",
];

/// The text between `<tag>` and `</tag>` in the page.
fn inline(tag: &str) -> &'static str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    PAGE.find(&open)
        .map(|i| i + open.len())
        .and_then(|start| {
            PAGE[start..]
                .find(&close)
                .map(|len| &PAGE[start..start + len])
        })
        .unwrap_or("")
}

fn sha256_source(text: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    )
}

/// The page's Content-Security-Policy.
pub fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            sha256_source(inline("script")),
            sha256_source(inline("style")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_page_s_own_script_and_style_only() {
        let script = inline("script");
        let style = inline("style");
        assert!(script.contains("REFRESH_MS") && style.contains("table"));
        assert_eq!(PAGE.matches("<script>").count(), 1, "one inline script");
        assert_eq!(PAGE.matches("<style>").count(), 1, "one inline style");
        let csp = csp();
        assert!(csp.contains(&sha256_source(script)), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(axum::http::HeaderValue::from_str(csp).is_ok(), "{csp}");
        // Every call of the page is listed, and nothing it shows is parsed as HTML.
        for c in CALLS {
            assert!(PAGE.contains(&format!("\"{c}")), "{c}");
        }
        assert!(!PAGE.contains("innerHTML") && !PAGE.contains("insertAdjacentHTML"));
        assert!(
            !PAGE.contains("http://") && !PAGE.contains("https://"),
            "nothing from elsewhere"
        );
    }
}
