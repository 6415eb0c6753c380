//! The client side: the headers the SDK sends for a call, for lienthong's uplink to an
//! upstream axis and for tests. The signed JSON holds `systemid`, the call's parameters,
//! `timestamp` and `Content-Type`, each as `XroadVnpt-<name>`; each is also sent as that
//! header, with `XroadVnpt-sign-header-key` (the names joined by `;`), the JSON itself and
//! its HMAC.

use crate::auth::hash_header;

/// The SDK's `User-Agent`.
pub const USER_AGENT: &str = "JAVASDKAgent/1.0.0 XRoad/VPCP";
/// The SDK's `XroadVnpt-version`.
pub const VERSION: &str = "3.0.201608";

/// The headers of a call by `system` with `secret`, at the SDK timestamp `timestamp`,
/// with `params` (name without prefix, value) and the body's `content_type`, in the order
/// the SDK writes them.
pub fn signed_headers(
    system: &str,
    secret: &[u8],
    timestamp: &str,
    params: &[(&str, &str)],
    content_type: &str,
) -> Vec<(String, String)> {
    let mut entries: Vec<(&str, &str)> = vec![("systemid", system)];
    entries.extend(params.iter().copied());
    entries.push(("timestamp", timestamp));
    entries.push(("Content-Type", content_type));
    let mut json = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push('"');
        escape_into(&mut json, &format!("{}{k}", crate::auth::PREFIX));
        json.push_str("\":\"");
        escape_into(&mut json, v);
        json.push('"');
    }
    json.push('}');
    let mut headers: Vec<(String, String)> = entries
        .iter()
        .filter(|(k, _)| *k != "Content-Type")
        .map(|(k, v)| (format!("{}{k}", crate::auth::PREFIX), (*v).to_owned()))
        .collect();
    headers.push(("Content-Type".into(), content_type.into()));
    headers.push(("XroadVnpt-Content-Type".into(), content_type.into()));
    let names: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    headers.push(("XroadVnpt-sign-header-key".into(), names.join(";")));
    headers.push((
        "XroadVnpt-hash-header".into(),
        hash_header(secret, json.as_bytes()),
    ));
    headers.push(("XroadVnpt-sign-header".into(), json));
    headers.push(("User-Agent".into(), USER_AGENT.into()));
    headers.push(("XroadVnpt-version".into(), VERSION.into()));
    headers
}

/// A new secret for a system: 32 random bytes (ring's system random), base64. `None` if the
/// system cannot give random bytes.
pub fn new_secret() -> Option<String> {
    use base64::Engine;
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Escape for a JSON string the way the SDK's gson does: `"`, `\` and control characters;
/// everything else literal.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Secrets, authenticate};

    #[test]
    fn new_secrets_are_long_and_differ() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_eq!(a.len(), 44);
        assert_ne!(a, b);
    }

    #[test]
    fn what_we_sign_the_server_reads() {
        let h = signed_headers(
            "vxp.demo.h50",
            b"secret",
            "05122026T133941+0937",
            &[
                ("servicetype", "eDoc"),
                ("messagetype", "edoc"),
                ("description", "Đã \"nhận\"\n"),
            ],
            "application/json",
        );
        let sign = &h
            .iter()
            .find(|(n, _)| n == "XroadVnpt-sign-header")
            .unwrap()
            .1;
        assert!(
            sign.starts_with(
                r#"{"XroadVnpt-systemid":"vxp.demo.h50","XroadVnpt-servicetype":"eDoc""#
            ),
            "{sign}"
        );
        let key = &h
            .iter()
            .find(|(n, _)| n == "XroadVnpt-sign-header-key")
            .unwrap()
            .1;
        assert_eq!(
            key,
            "systemid;servicetype;messagetype;description;timestamp;Content-Type"
        );
        let view: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        let s = authenticate(&view, |_| {
            Some(Secrets {
                current: b"secret",
                previous: None,
            })
        })
        .unwrap();
        assert_eq!(s.system, "vxp.demo.h50");
        assert_eq!(s.param("description"), Some("Đã \"nhận\"\n"));
    }
}
