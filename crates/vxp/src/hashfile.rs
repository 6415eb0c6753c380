//! The SDK's `XroadVnpt-hash-file`: the SHA-256 of the file with each byte written as
//! lowercase hex *without* its leading zero (`0x0b` → `b`, `0x00` → `0`), so 32 to 64
//! characters that cannot be decoded back. It is checked by writing the received file's
//! digest the same way.
//!
//! `sendEdoc` sends the file's bytes and then `\r\n` (and counts them in `Content-Length`);
//! the hash covers the file without them.

use lienthong_types::Code;
use ring::digest;

use crate::auth::VxpError;

/// The SDK's form of a SHA-256 digest.
pub fn sdk_hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:x}");
        s
    })
}

/// The SDK's hash-file value of `bytes`.
pub fn hash_file(bytes: &[u8]) -> String {
    sdk_hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// The file a `sendEdoc` body carries: the body without its trailing CRLF when the hash
/// matches that, else the whole body when the hash matches it; otherwise refused with
/// `vxp.hash_mismatch` (the hash compared in the SDK's form, without regard to case).
pub fn file_of_body<'b>(body: &'b [u8], hash: &str) -> Result<&'b [u8], VxpError> {
    let want = hash.trim();
    if let Some(file) = body.strip_suffix(b"\r\n")
        && hash_file(file).eq_ignore_ascii_case(want)
    {
        return Ok(file);
    }
    if hash_file(body).eq_ignore_ascii_case(want) {
        return Ok(body);
    }
    Err(VxpError::new(
        Code::VxpHashMismatch,
        format!(
            "XroadVnpt-hash-file does not match the file received ({} bytes)",
            body.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_s_example() {
        assert_eq!(
            hash_file(b"abc"),
            "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad"
        );
        assert_eq!(hash_file(b"abc").len(), 61);
        assert_eq!(sdk_hex(&[0x00, 0x0b, 0xff, 0x10]), "0bff10");
    }

    #[test]
    fn the_trailing_crlf_is_the_sdk_s_and_is_stripped() {
        let file = b"<edXMLEnvelope/>";
        let mut body = file.to_vec();
        body.extend_from_slice(b"\r\n");
        assert_eq!(file_of_body(&body, &hash_file(file)).unwrap(), file);
        // A sender that hashes what it sends, CRLF included, keeps it.
        assert_eq!(file_of_body(&body, &hash_file(&body)).unwrap(), &body[..]);
        // Without the CRLF.
        assert_eq!(file_of_body(file, &hash_file(file)).unwrap(), file);
        // Upper case digits are the same hash.
        assert!(file_of_body(file, &hash_file(file).to_uppercase()).is_ok());
        // Anything else is refused.
        for bad in ["", "abc", &hash_file(b"other")] {
            assert_eq!(
                file_of_body(&body, bad).unwrap_err().code,
                Code::VxpHashMismatch
            );
        }
    }
}
