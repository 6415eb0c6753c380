//! The answer to every operation but `downloadEdoc`: a JSON object with `status` (`OK` or
//! `FAIL`), `ErrorCode` (`"0"` on success, the stable code otherwise) and `ErrorDesc`, which
//! the SDK needs present and non-null, and the operation's own members (`DocId`, `data`,
//! `count`).
//!
//! Written as ASCII only (every other character as `\uXXXX`): the SDK's `sendEdoc` stack
//! reads the answer as US-ASCII in 2.0.1. No member of a list item is ever `null` (one would
//! make the SDK drop the whole list), so null members are left out.

use lienthong_types::Code;
use serde_json::{Map, Value};

use crate::op::Operation;

/// An answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    ok: bool,
    code: String,
    desc: String,
    extra: Map<String, Value>,
}

impl Reply {
    /// Success: `status` OK, `ErrorCode` "0".
    pub fn ok() -> Reply {
        Reply {
            ok: true,
            code: "0".into(),
            desc: String::new(),
            extra: Map::new(),
        }
    }

    /// Failure of `op` with `code`: `status` FAIL, and the members `op`'s answer always
    /// carries, empty (`DocId` for `sendEdoc`, `data` for `getEdoc`: the SDK returns an
    /// object of nulls without them).
    pub fn fail(op: Option<Operation>, code: Code, desc: impl Into<String>) -> Reply {
        let mut r = Reply {
            ok: false,
            code: code.as_str().into(),
            desc: desc.into(),
            extra: Map::new(),
        };
        match op {
            Some(Operation::SendEdoc) => r = r.with("DocId", ""),
            Some(Operation::GetEdoc) => r = r.with("data", ""),
            Some(Operation::CountReceiveEdoc | Operation::CountReceiveStatus) => {
                r = r.with("count", 0)
            }
            _ => {}
        }
        r
    }

    /// With the member `key`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Reply {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// Whether it is a success.
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// Its `ErrorCode`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The JSON bytes, ASCII only, with null members left out at every depth.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert(
            "status".into(),
            (if self.ok { "OK" } else { "FAIL" }).into(),
        );
        m.insert("ErrorCode".into(), self.code.clone().into());
        m.insert("ErrorDesc".into(), self.desc.clone().into());
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        let mut v = Value::Object(m);
        drop_nulls(&mut v);
        ascii_json(&v)
    }
}

/// Leave out the null members of every object.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// JSON with every non-ASCII character escaped as `\uXXXX` (UTF-16, surrogate pairs
/// beyond the BMP).
pub fn ascii_json(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    // Writing a Value to a Vec cannot fail.
    let _ = serde::Serialize::serialize(v, &mut ser);
    out
}

struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{u:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_ascii_and_carry_the_envelope() {
        let r = Reply::ok().with("data", json!([{"name": "Sở Nội vụ 𝄞", "mail": null}]));
        let bytes = r.to_bytes();
        assert!(bytes.is_ascii(), "{}", String::from_utf8_lossy(&bytes));
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains(r"S\u1edf N\u1ed9i v\u1ee5 \ud834\udd1e"),
            "{text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "OK");
        assert_eq!(v["ErrorCode"], "0");
        assert_eq!(v["ErrorDesc"], "");
        assert_eq!(v["data"][0]["name"], "Sở Nội vụ 𝄞");
        assert!(
            v["data"][0].get("mail").is_none(),
            "null members are left out"
        );
    }

    #[test]
    fn failures_keep_what_the_sdk_needs() {
        let v: Value = serde_json::from_slice(
            &Reply::fail(Some(Operation::SendEdoc), Code::VxpBadSignature, "sai").to_bytes(),
        )
        .unwrap();
        assert_eq!(v["status"], "FAIL");
        assert_eq!(v["ErrorCode"], "vxp.bad_signature");
        assert_eq!(v["ErrorDesc"], "sai");
        assert_eq!(v["DocId"], "");
        let v: Value = serde_json::from_slice(
            &Reply::fail(Some(Operation::GetEdoc), Code::VxpNotFound, "x").to_bytes(),
        )
        .unwrap();
        assert_eq!(v["data"], "");
        let v: Value = serde_json::from_slice(
            &Reply::fail(Some(Operation::CountReceiveEdoc), Code::VxpNotFound, "x").to_bytes(),
        )
        .unwrap();
        assert_eq!(v["count"], 0);
        assert!(!Reply::fail(None, Code::Internal, "").is_ok());
    }
}
