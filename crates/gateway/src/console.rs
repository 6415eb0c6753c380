//! `GET /console`: the operators' web page (an operator's or a monitor's certificate in the
//! browser). One embedded HTML file (`console.html`) that calls the operator API from the
//! same origin: the overview (links, queues, dead letters and stuck messages listed with
//! their subject, number and names), search, a message's timeline with its receipts,
//! statuses, actions and signature verdicts, actions on one message or a selection, the
//! compliance report with charts, and certificates expiring first.
//!
//! Vietnamese by default, English on request: the page carries the `console-` messages of
//! both catalogs as data and follows the browser's language, with a switch. The page is
//! given, as data beside it, who is looking (operator or monitor) and the anti-forgery token
//! its state-changing calls must carry ([`check_forgery`]).
//!
//! The page writes everything it shows with `textContent` (agency names, reasons and
//! subjects come from other parties). Its Content-Security-Policy allows only its own
//! inline script and style (by SHA-256), requests to this origin, and no framing.

use std::sync::OnceLock;

use axum::http::{HeaderMap, Uri, header};
use base64::Engine;
use lienthong_i18n::{Lang, msg};
use lienthong_types::Code;
use serde_json::json;

use crate::error::ApiError;
use crate::identity::Peer;

/// The page, before the session and catalogs are put in.
pub const TEMPLATE: &str = include_str!("console.html");

/// The request header carrying the anti-forgery token.
pub const CSRF_HEADER: &str = "x-lienthong-csrf";

/// The API paths the page calls (checked against the router by a test).
pub const CALLS: &[&str] = &[
    "/v1/queues",
    "/v1/messages",
    "/v1/agencies/activity",
    "/v1/certificates",
    "/v1/backups",
    "/v1/documents/{id}",
    "/v1/reports/agencies",
    "/v1/overdue",
];

/// The text between `<tag>` and `</tag>` in the page.
fn inline(tag: &str) -> &'static str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    TEMPLATE
        .find(&open)
        .map(|i| i + open.len())
        .and_then(|start| {
            TEMPLATE[start..]
                .find(&close)
                .map(|len| &TEMPLATE[start..start + len])
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
             img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            sha256_source(inline("script")),
            sha256_source(inline("style")),
        )
    })
}

/// JSON safe inside a `<script type="application/json">` block: no `<` can close it.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The console's messages in both languages, as data for the page.
fn catalog() -> &'static str {
    static CATALOG: OnceLock<String> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut all = serde_json::Map::new();
        for lang in Lang::ALL {
            all.insert(
                lang.tag().to_owned(),
                json!(lienthong_i18n::plain_patterns(lang, "console-")),
            );
        }
        script_json(&serde_json::Value::Object(all))
    })
}

/// The page for `peer` at gateway `gateway`.
pub fn page(peer: &Peer, gateway: &str) -> String {
    let (role, who) = match peer {
        Peer::Operator(name) => ("operator", name.clone()),
        Peer::Monitor(name) => ("monitor", name.clone()),
        other => ("monitor", other.to_string()),
    };
    let session = json!({
        "gateway": gateway,
        "who": who,
        "role": role,
        "csrf": csrf_token(peer),
    });
    TEMPLATE.replacen("{{CATALOG}}", catalog(), 1).replacen(
        "{{SESSION}}",
        &script_json(&session),
        1,
    )
}

/// A secret of this process, for the anti-forgery tokens.
fn secret() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        // Without randomness (which ring's system source does not lack on Linux) the token
        // would still be bound to the identity, only guessable: fail closed instead below.
        if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut k).is_err() {
            k = [0xff; 32];
        }
        k
    })
}

/// The anti-forgery token of `peer`'s console: an HMAC of its identity under this
/// process's secret. A page of another site cannot read it (same-origin policy), so it
/// cannot make the browser act with the operator's certificate.
pub fn csrf_token(peer: &Peer) -> String {
    let tag = ring::hmac::sign(&csrf_key(), peer.key().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
}

fn csrf_key() -> ring::hmac::Key {
    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret())
}

/// A state-changing call from a browser (it sends `Origin` or `Sec-Fetch-Site`) must come
/// from this gateway's own origin and carry the console's token for this identity; the
/// command line and other programs send neither header and are not asked. (Every such call
/// must also be JSON, `require_json`: a form on another site cannot send that.)
pub fn check_forgery(headers: &HeaderMap, uri: &Uri, peer: &Peer) -> Result<(), ApiError> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if origin.is_none() && site.is_none() {
        return Ok(());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let same_site = site.is_none_or(|s| s == "same-origin");
    let same_origin = match (origin, host) {
        (None, _) => true,
        (Some(o), Some(h)) => o.eq_ignore_ascii_case(&format!("https://{h}")),
        (Some(_), None) => false,
    };
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    // Checked as an HMAC tag (in constant time), not compared as text.
    let token_ok = token
        .and_then(|t| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
        })
        .is_some_and(|tag| ring::hmac::verify(&csrf_key(), peer.key().as_bytes(), &tag).is_ok());
    if same_site && same_origin && token_ok {
        Ok(())
    } else {
        Err(ApiError::new(Code::AuthForbidden, msg!("api-forgery")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_page_s_own_script_and_style_only() {
        let script = inline("script");
        let style = inline("style");
        assert!(script.contains("REFRESH_MS") && style.contains("table"));
        assert_eq!(TEMPLATE.matches("<script>").count(), 1, "one inline script");
        assert_eq!(TEMPLATE.matches("<style>").count(), 1, "one inline style");
        let csp = csp();
        assert!(csp.contains(&sha256_source(script)), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(axum::http::HeaderValue::from_str(csp).is_ok(), "{csp}");
        // Every call of the page is listed, and nothing it shows is parsed as HTML.
        for c in CALLS {
            let fixed = c.split('{').next().unwrap_or(c);
            assert!(TEMPLATE.contains(&format!("\"{fixed}")), "{c}");
        }
        assert!(!TEMPLATE.contains("innerHTML") && !TEMPLATE.contains("insertAdjacentHTML"));
        assert!(!TEMPLATE.contains("eval(") && !TEMPLATE.contains("new Function"));
        // Nothing from elsewhere (the SVG namespace is a name, not an address).
        let rest = TEMPLATE.replace("\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !rest.contains("http://") && !rest.contains("https://"),
            "nothing from elsewhere"
        );
    }

    #[test]
    fn the_page_carries_its_session_and_both_catalogs_as_inert_data() {
        let peer = Peer::Operator("an </script><b>".into());
        let p = page(&peer, "gw-h50");
        assert!(!p.contains("{{SESSION}}") && !p.contains("{{CATALOG}}"));
        assert!(!p.contains("an </script>"), "no way out of the data block");
        assert_eq!(p.matches("</script>").count(), 3);
        assert!(p.contains(&csrf_token(&peer)));
        assert!(p.contains("\"role\":\"operator\""));
        assert!(page(&Peer::Monitor("prom".into()), "g").contains("\"role\":\"monitor\""));
        // Every message the page uses is in both languages.
        let script = inline("script");
        let used: std::collections::BTreeSet<&str> = script
            .split(['"', '\''])
            .filter(|w| w.starts_with("console-") && !w.contains(' ') && !w.ends_with('-'))
            .collect();
        assert!(used.len() > 40, "{}", used.len());
        for lang in Lang::ALL {
            let have = lienthong_i18n::plain_patterns(lang, "console-");
            for id in &used {
                assert!(have.contains_key(*id), "{lang}: {id}");
            }
        }
    }

    #[test]
    fn browsers_must_show_the_token_and_come_from_here() {
        let op = Peer::Operator("ops".into());
        let uri: Uri = "/v1/messages/x/retry".parse().unwrap();
        let headers = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            h
        };
        let token = csrf_token(&op);
        // Programs (no browser headers) are not asked.
        assert!(check_forgery(&headers(&[]), &uri, &op).is_ok());
        let good = [
            ("origin", "https://127.0.0.1:8443"),
            ("host", "127.0.0.1:8443"),
            ("sec-fetch-site", "same-origin"),
            (CSRF_HEADER, token.as_str()),
        ];
        assert!(check_forgery(&headers(&good), &uri, &op).is_ok());
        for bad in [
            vec![good[0], good[1], good[2]],
            vec![
                ("origin", "https://evil.example"),
                good[1],
                good[2],
                good[3],
            ],
            vec![good[0], good[1], ("sec-fetch-site", "cross-site"), good[3]],
            vec![good[0], good[1], good[2], (CSRF_HEADER, "x")],
            vec![("sec-fetch-site", "same-origin"), good[1]],
        ] {
            let e = check_forgery(&headers(&bad), &uri, &op).unwrap_err();
            assert_eq!(e.code, Code::AuthForbidden, "{bad:?}");
        }
        // Another identity's token does not do.
        let other = csrf_token(&Peer::Operator("someone".into()));
        let mut h = headers(&good);
        h.insert(CSRF_HEADER, other.parse().unwrap());
        assert!(check_forgery(&h, &uri, &op).is_err());
    }
}
