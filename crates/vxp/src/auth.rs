//! Who sent a request, and what it asks: the SDK signs a JSON object of its headers
//! (`XroadVnpt-sign-header`) with HMAC-SHA256 under the system's secret
//! (`XroadVnpt-hash-header`, lowercase hex).
//!
//! The check works on the raw bytes received, never on JSON rebuilt from them (the SDK
//! writes its members in Java `HashMap` order): find the system by the `systemid` member,
//! verify the HMAC in constant time under each of its secrets (the current one and, while it
//! is rotated, the previous one), then require every signed member to equal the header of
//! the same name. Parameters are read from the signed JSON only; headers that are not in it
//! (the SDK carries one call's parameters into the next) are ignored.
//!
//! One fallback, for a known SDK defect: with an endpoint of the form `http://host:PORT`,
//! the SDK's Apache stack sends each character's low 8 bits, so a value with characters
//! U+0080–U+00FF arrives as ISO-8859-1. When the raw bytes fail, they are read as
//! ISO-8859-1, written as UTF-8 and checked again. Other non-ASCII characters cannot be
//! recovered; integrators keep header values ASCII.

use std::fmt;

use lienthong_types::Code;
use ring::hmac;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// The prefix of every VXP header (`XroadVnpt-systemid`, …).
pub const PREFIX: &str = "XroadVnpt-";

/// A refused request: the code (the answer's `ErrorCode`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VxpError {
    /// The stable code.
    pub code: Code,
    /// What was wrong, for people.
    pub message: String,
}

impl VxpError {
    /// A refusal with `code`.
    pub fn new(code: Code, message: impl Into<String>) -> VxpError {
        VxpError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for VxpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for VxpError {}

/// An authenticated request: the system that signed it and the parameters it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The `systemid` whose secret verified the HMAC.
    pub system: String,
    /// The signed `XroadVnpt-timestamp`, as sent.
    pub timestamp: String,
    /// Whether the previous secret (not the current one) verified it.
    pub by_previous_secret: bool,
    /// The other signed members, without the prefix, in the order signed.
    params: Vec<(String, String)>,
}

impl Signed {
    /// The signed parameter `name` (`docId`, `from`, …), matched without regard to case:
    /// the SDK's own examples send `docId` and `docid`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every signed parameter.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

/// The secrets of a system: the current one, and the previous one while it is rotated.
#[derive(Clone, Copy)]
pub struct Secrets<'a> {
    /// The secret in force.
    pub current: &'a [u8],
    /// The secret being replaced, accepted too until it is removed.
    pub previous: Option<&'a [u8]>,
}

impl fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(…)")
    }
}

/// The members of a signed header that are not call parameters.
const ENVELOPE: [&str; 3] = ["systemid", "timestamp", "Content-Type"];

/// Authenticate a request from its headers (`name`, raw value; names in any case, as
/// received), with `secrets_for` giving a system's secrets by its id.
pub fn authenticate<'s>(
    headers: &[(&str, &[u8])],
    secrets_for: impl Fn(&str) -> Option<Secrets<'s>>,
) -> Result<Signed, VxpError> {
    let sign_header = one(headers, "XroadVnpt-sign-header")?;
    let hash_header = one(headers, "XroadVnpt-hash-header")?;
    let (Some(raw), Some(hash)) = (sign_header, hash_header) else {
        return Err(VxpError::new(
            Code::VxpUnsigned,
            "the request carries no XroadVnpt-sign-header and XroadVnpt-hash-header",
        ));
    };
    let tag = parse_tag(hash)?;
    // The text that was signed: UTF-8 as received or, for the SDK's 8-bit defect,
    // ISO-8859-1 re-encoded.
    let latin1 = (!raw.is_ascii()).then(|| latin1_to_utf8(raw));
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t.to_owned(),
        Err(_) => latin1.clone().unwrap_or_default(),
    };
    let members = parse_members(&text)?;
    let system = member(&members, "systemid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            VxpError::new(
                Code::VxpMalformed,
                "the signed header has no XroadVnpt-systemid",
            )
        })?;
    let secrets = secrets_for(system).ok_or_else(|| {
        VxpError::new(
            Code::VxpUnknownSystem,
            format!("no system '{}' is configured here", printable(system)),
        )
    })?;
    let candidates = [Some(raw.to_vec()), latin1.clone().map(String::into_bytes)];
    let mut verified = None;
    'find: for (previous, secret) in [(false, Some(secrets.current)), (true, secrets.previous)] {
        let Some(secret) = secret else { continue };
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        for signed in candidates.iter().flatten() {
            if hmac::verify(&key, signed, &tag).is_ok() {
                verified = Some((previous, signed.clone()));
                break 'find;
            }
        }
    }
    let Some((by_previous_secret, signed_bytes)) = verified else {
        return Err(VxpError::new(
            Code::VxpBadSignature,
            format!(
                "XroadVnpt-hash-header is not the HMAC-SHA256 of XroadVnpt-sign-header under the secret of system '{}'",
                printable(system)
            ),
        ));
    };
    // The members of what was verified (the same as parsed unless the fallback applied).
    let members = if signed_bytes.as_slice() == raw {
        members
    } else {
        parse_members(&String::from_utf8_lossy(&signed_bytes))?
    };
    for (name, value) in &members {
        let received = one(headers, name)?.ok_or_else(|| {
            VxpError::new(
                Code::VxpHeaderMismatch,
                format!("{name} is signed but not sent"),
            )
        })?;
        let same = received == value.as_bytes()
            || (!received.is_ascii() && latin1_to_utf8(received) == *value);
        if !same {
            return Err(VxpError::new(
                Code::VxpHeaderMismatch,
                format!("{name} differs from its signed value"),
            ));
        }
    }
    let system = member(&members, "systemid").unwrap_or_default().to_owned();
    let timestamp = member(&members, "timestamp").unwrap_or_default().to_owned();
    let params = members
        .into_iter()
        .filter_map(|(k, v)| {
            let name = k.get(PREFIX.len()..)?.to_owned();
            (!ENVELOPE.iter().any(|e| e.eq_ignore_ascii_case(&name))).then_some((name, v))
        })
        .collect();
    Ok(Signed {
        system,
        timestamp,
        by_previous_secret,
        params,
    })
}

/// The lowercase hex HMAC-SHA256 of `sign_header` under `secret` (the secret's UTF-8 bytes,
/// as the SDK uses them: not base64-decoded): the `XroadVnpt-hash-header` value.
pub fn hash_header(secret: &[u8], sign_header: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hex(hmac::sign(&key, sign_header).as_ref())
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The value of header `name` if it is sent once; an error if it is sent more than once
/// (which value was meant is then ambiguous).
fn one<'h>(headers: &[(&str, &'h [u8])], name: &str) -> Result<Option<&'h [u8]>, VxpError> {
    let mut found = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v);
    let first = found.next();
    if found.next().is_some() {
        return Err(VxpError::new(
            Code::VxpMalformed,
            format!("{name} is sent more than once"),
        ));
    }
    Ok(first)
}

/// The 32 bytes of a 64-digit hex HMAC.
fn parse_tag(hash: &[u8]) -> Result<[u8; 32], VxpError> {
    let bad = || {
        VxpError::new(
            Code::VxpMalformed,
            "XroadVnpt-hash-header is not 64 hexadecimal digits",
        )
    };
    if hash.len() != 64 {
        return Err(bad());
    }
    let mut tag = [0u8; 32];
    for (i, pair) in hash.chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).map_err(|_| bad())?;
        tag[i] = u8::from_str_radix(digits, 16).map_err(|_| bad())?;
    }
    Ok(tag)
}

/// Bytes read as ISO-8859-1, as UTF-8 text.
fn latin1_to_utf8(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A value fit for a message: control characters dropped, at most 100 characters.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// The signed member `XroadVnpt-<name>`.
fn member<'m>(members: &'m [(String, String)], name: &str) -> Option<&'m str> {
    members
        .iter()
        .find(|(k, _)| {
            k.strip_prefix(PREFIX)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|(_, v)| v.as_str())
}

/// The most members a signed header may have (the SDK sends about a dozen).
const MAX_MEMBERS: usize = 64;

/// The members of the signed JSON object, in order: each name starts with `XroadVnpt-`
/// and appears once; each value is a string, a number or a boolean (as its JSON text).
fn parse_members(text: &str) -> Result<Vec<(String, String)>, VxpError> {
    let members = serde_json::Deserializer::from_str(text)
        .deserialize_map(MembersVisitor)
        .map_err(|e| {
            VxpError::new(
                Code::VxpMalformed,
                format!("XroadVnpt-sign-header is not a flat JSON object: {e}"),
            )
        })?;
    for (i, (name, _)) in members.iter().enumerate() {
        if !name.starts_with(PREFIX) || name.len() == PREFIX.len() {
            return Err(VxpError::new(
                Code::VxpMalformed,
                format!(
                    "the signed member '{}' is not an XroadVnpt- header",
                    printable(name)
                ),
            ));
        }
        if members[..i]
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Err(VxpError::new(
                Code::VxpMalformed,
                format!("the signed member '{}' appears twice", printable(name)),
            ));
        }
    }
    Ok(members)
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.len() >= MAX_MEMBERS {
                return Err(de::Error::custom(format!(
                    "more than {MAX_MEMBERS} members"
                )));
            }
            let value = match map.next_value::<serde_json::Value>()? {
                serde_json::Value::String(s) => s,
                v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => v.to_string(),
                _ => {
                    return Err(de::Error::custom(format!(
                        "the member {name} is not a string, number or boolean"
                    )));
                }
            };
            out.push((name, value));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret-Test-Key/+=";
    const LIST: &str = r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc","XroadVnpt-timestamp":"05122026T133941+0937","XroadVnpt-Content-Type":"application/json"}"#;
    const STATUS: &str = r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"status","XroadVnpt-hash-file":"3373411a218f38f8e256a596117405cb2035f14491befac3f1d491baa3ba24","XroadVnpt-from":"","XroadVnpt-timestamp":"05122026T133941+0921","XroadVnpt-Content-Type":"application/octet-stream"}"#;

    #[test]
    fn the_contract_s_worked_examples() {
        assert_eq!(
            hash_header(SECRET, LIST.as_bytes()),
            "914d1a654b6dfcde041d03e261313418b827a5e4775bccf109fd92f8963032e2"
        );
        assert_eq!(
            hash_header(SECRET, STATUS.as_bytes()),
            "50e6bb53d1c03e3762453fc632597e6bab9d64ca86dd6fcfe2cba6807589f573"
        );
    }

    /// The headers the SDK sends for the signed JSON `json` (every member as a header).
    fn headers_for(json: &str, hash: &str) -> Vec<(String, Vec<u8>)> {
        let members = parse_members(json).unwrap();
        let mut h: Vec<(String, Vec<u8>)> = members
            .into_iter()
            .map(|(k, v)| (k, v.into_bytes()))
            .collect();
        h.push(("XroadVnpt-sign-header".into(), json.as_bytes().to_vec()));
        h.push(("XroadVnpt-hash-header".into(), hash.as_bytes().to_vec()));
        h
    }

    fn check(h: &[(String, Vec<u8>)], current: &[u8]) -> Result<Signed, VxpError> {
        let view: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        authenticate(&view, |s| {
            (s == "drv.sys.01").then_some(Secrets {
                current,
                previous: Some(b"old-secret"),
            })
        })
    }

    #[test]
    fn a_signed_request_is_read_and_a_changed_one_refused() {
        let hash = hash_header(SECRET, LIST.as_bytes());
        let h = headers_for(LIST, &hash);
        let s = check(&h, SECRET).unwrap();
        assert_eq!(s.system, "drv.sys.01");
        assert_eq!(s.timestamp, "05122026T133941+0937");
        assert_eq!(s.param("MessageType"), Some("edoc"));
        assert_eq!(
            s.params().len(),
            2,
            "systemid, timestamp, Content-Type are not parameters"
        );
        assert!(!s.by_previous_secret);
        // Another secret.
        assert_eq!(check(&h, b"wrong").unwrap_err().code, Code::VxpBadSignature);
        // The previous secret still works while it is rotated.
        let old = hash_header(b"old-secret", LIST.as_bytes());
        assert!(
            check(&headers_for(LIST, &old), SECRET)
                .unwrap()
                .by_previous_secret
        );
        // A header that disagrees with its signed value.
        let mut changed = h.clone();
        changed[2].1 = b"status".to_vec();
        assert_eq!(
            check(&changed, SECRET).unwrap_err().code,
            Code::VxpHeaderMismatch
        );
        // A signed header that is not sent.
        let missing: Vec<_> = h
            .iter()
            .filter(|(n, _)| n != "XroadVnpt-messagetype")
            .cloned()
            .collect();
        assert_eq!(
            check(&missing, SECRET).unwrap_err().code,
            Code::VxpHeaderMismatch
        );
        // A header sent twice.
        let mut twice = h.clone();
        twice.push(("xroadvnpt-messagetype".into(), b"edoc".to_vec()));
        assert_eq!(check(&twice, SECRET).unwrap_err().code, Code::VxpMalformed);
        // Unsigned extra headers (leaked from an earlier call) are ignored.
        let mut leaked = h.clone();
        leaked.push(("XroadVnpt-docId".into(), b"42".to_vec()));
        let s = check(&leaked, SECRET).unwrap();
        assert_eq!(s.param("docId"), None);
    }

    #[test]
    fn unknown_systems_and_unsigned_requests_are_refused() {
        let other = LIST.replace("drv.sys.01", "other.sys");
        let h = headers_for(&other, &hash_header(SECRET, other.as_bytes()));
        assert_eq!(check(&h, SECRET).unwrap_err().code, Code::VxpUnknownSystem);
        let none: Vec<(String, Vec<u8>)> =
            vec![("XroadVnpt-systemid".into(), b"drv.sys.01".to_vec())];
        assert_eq!(check(&none, SECRET).unwrap_err().code, Code::VxpUnsigned);
        for bad in ["zz", &"g".repeat(64)] {
            let h = headers_for(LIST, bad);
            assert_eq!(
                check(&h, SECRET).unwrap_err().code,
                Code::VxpMalformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_signed_headers_are_refused() {
        for bad in [
            "not json",
            "[]",
            r#"{"XroadVnpt-systemid":"drv.sys.01","other":"x"}"#,
            r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-a":{"nested":1}}"#,
            r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-a":null}"#,
            r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-SYSTEMID":"x"}"#,
            r#"{"XroadVnpt-a":"b"}"#,
            r#"{"XroadVnpt-":"b","XroadVnpt-systemid":"drv.sys.01"}"#,
        ] {
            let h = headers_for_raw(bad);
            assert_eq!(
                check(&h, SECRET).unwrap_err().code,
                Code::VxpMalformed,
                "{bad}"
            );
        }
    }

    fn headers_for_raw(json: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("XroadVnpt-sign-header".into(), json.as_bytes().to_vec()),
            (
                "XroadVnpt-hash-header".into(),
                hash_header(SECRET, json.as_bytes()).into_bytes(),
            ),
        ]
    }

    #[test]
    fn the_sdk_s_eight_bit_headers_are_recovered_for_latin1_characters() {
        // Signed as UTF-8 ("Hà" has U+00E0), sent with each character's low 8 bits.
        let json = r#"{"XroadVnpt-systemid":"drv.sys.01","XroadVnpt-description":"Hà","XroadVnpt-timestamp":"05122026T133941+0937"}"#;
        let hash = hash_header(SECRET, json.as_bytes());
        let eight_bit = |s: &str| {
            s.chars()
                .map(|c| (c as u32 & 0xff) as u8)
                .collect::<Vec<u8>>()
        };
        let h = vec![
            ("XroadVnpt-systemid".to_owned(), b"drv.sys.01".to_vec()),
            ("XroadVnpt-description".to_owned(), eight_bit("Hà")),
            (
                "XroadVnpt-timestamp".to_owned(),
                b"05122026T133941+0937".to_vec(),
            ),
            ("XroadVnpt-sign-header".to_owned(), eight_bit(json)),
            ("XroadVnpt-hash-header".to_owned(), hash.into_bytes()),
        ];
        let s = check(&h, SECRET).unwrap();
        assert_eq!(s.param("description"), Some("Hà"));
        // Sent as UTF-8 (the SDK's other stack): read as it is.
        let h = headers_for(json, &hash_header(SECRET, json.as_bytes()));
        assert_eq!(check(&h, SECRET).unwrap().param("description"), Some("Hà"));
    }
}
