//! Why a send failed, for people: the forwarder keeps a failure's text as it happened (a
//! peer's answer, the TLS library's words, the operating system's), and this turns it into
//! a sentence an operator can act on, in either language. Sans IO: text in, message out.

use lienthong_i18n::{Msg, msg};
use lienthong_types::Code;

/// A failure's stored text, explained.
pub fn explain(raw: &str) -> Msg {
    let lower = raw.to_ascii_lowercase();
    if let Some(rest) = raw.strip_prefix("peer answered ") {
        return peer_answer(rest);
    }
    if lower.starts_with("receipt: ") {
        return msg!("reason-receipt");
    }
    if lower.contains("did not answer in time") || lower.contains("did not arrive in time") {
        return msg!("reason-timeout");
    }
    if lower.contains("connection refused") {
        return msg!("reason-connection-refused");
    }
    if lower.contains("dns error") || lower.contains("failed to lookup") {
        return msg!("reason-name-unknown");
    }
    // The peer's certificate, as we judged it (rustls' CertificateError names).
    if lower.contains("invalid peer certificate") {
        return if lower.contains("expired") || lower.contains("notvalidyet") {
            msg!("reason-peer-certificate-expired")
        } else if lower.contains("notvalidforname") {
            msg!("reason-peer-certificate-name")
        } else if lower.contains("revoked") {
            msg!("reason-peer-certificate-revoked")
        } else {
            msg!("reason-peer-certificate-untrusted")
        };
    }
    // Our certificate, as the peer judged it (a TLS alert it sent).
    if lower.contains("received fatal alert") {
        return msg!("reason-our-certificate-refused");
    }
    if lower.contains("no tls client configuration") {
        return msg!("reason-no-client-certificate");
    }
    if lower.contains("connection reset")
        || lower.contains("broken pipe")
        || lower.contains("connection closed")
    {
        return msg!("reason-connection-lost");
    }
    if lower.starts_with("connection:") {
        return msg!("reason-connection-failed");
    }
    msg!("reason-other")
}

/// `STATUS: BODY`, the body the peer's JSON error (or anything else).
fn peer_answer(rest: &str) -> Msg {
    let (status, body) = rest.split_once(": ").unwrap_or((rest, ""));
    let code = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().and_then(Code::parse));
    match code {
        Some(code) => msg!("reason-refused", code = code),
        None => msg!(
            "reason-peer-status",
            status = status.split(' ').next().unwrap_or(status)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_reads_as_what_to_do() {
        for (raw, id) in [
            (
                r#"peer answered 422 Unprocessable Entity: {"error":{"code":"signature.required","message":"x","detail":{}}}"#,
                "reason-refused",
            ),
            (
                "peer answered 502 Bad Gateway: <html>",
                "reason-peer-status",
            ),
            (
                "receipt: the receipt is for another message id",
                "reason-receipt",
            ),
            ("the peer did not answer in time", "reason-timeout"),
            (
                "connection: client error (Connect): tcp connect error: Connection refused (os error 111)",
                "reason-connection-refused",
            ),
            (
                "connection: dns error: failed to lookup address",
                "reason-name-unknown",
            ),
            (
                "connection: client error (Connect): invalid peer certificate: UnknownIssuer",
                "reason-peer-certificate-untrusted",
            ),
            (
                "connection: invalid peer certificate: Expired",
                "reason-peer-certificate-expired",
            ),
            (
                "connection: invalid peer certificate: NotValidForName",
                "reason-peer-certificate-name",
            ),
            (
                "connection: received fatal alert: BadCertificate",
                "reason-our-certificate-refused",
            ),
            (
                "connection: stream closed because of a broken pipe",
                "reason-connection-lost",
            ),
            ("connection: something new", "reason-connection-failed"),
            ("", "reason-other"),
            ("peer answered ", "reason-peer-status"),
        ] {
            assert_eq!(explain(raw).id, id, "{raw}");
        }
        let m = explain(
            r#"peer answered 422 Unprocessable Entity: {"error":{"code":"signature.required"}}"#,
        );
        let en = m.render(lienthong_i18n::Lang::En);
        assert!(en.contains("signature is not acceptable"), "{en}");
        let vi = m.render(lienthong_i18n::Lang::Vi);
        assert!(vi.contains("chữ ký số"), "{vi}");
    }
}
