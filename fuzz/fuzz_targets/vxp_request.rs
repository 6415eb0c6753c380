//! Fuzz the VXP request reading: the input is split at 0x00 bytes into a path, a
//! sign-header, a hash-header, header name/value pairs and a body. Authentication (with a
//! known system, so that the HMAC and header checks are reached when the hash is right),
//! the operation, the sendEdoc body, the timestamp and the list filters give an answer or a
//! refusal, never a panic; what the client side signs, the server side reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lienthong_vxp::auth::{Secrets, hash_header};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let path = parts.next().unwrap_or_default();
    let sign = parts.next().unwrap_or_default();
    let hash = parts.next().unwrap_or_default();
    let rest: Vec<&[u8]> = parts.collect();
    let body = rest.last().copied().unwrap_or_default();
    let path = String::from_utf8_lossy(path);
    let _ = lienthong_vxp::Operation::from_path(&path);
    let good = hash_header(b"fuzz-secret-0123456789", sign);
    let names: Vec<String> = rest
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c[0]).into_owned())
        .collect();
    for hash in [hash, good.as_bytes()] {
        let mut headers: Vec<(&str, &[u8])> = vec![
            ("XroadVnpt-sign-header", sign),
            ("XroadVnpt-hash-header", hash),
        ];
        for (i, c) in rest.chunks(2).enumerate() {
            headers.push((&names[i], c.get(1).copied().unwrap_or_default()));
        }
        let secrets = |_: &str| {
            Some(Secrets {
                current: b"fuzz-secret-0123456789",
                previous: Some(b"old"),
            })
        };
        if let Ok(s) = lienthong_vxp::authenticate(&headers, secrets) {
            let _ = lienthong_vxp::stamp::parse(&s.timestamp);
            for (k, v) in s.params() {
                let _ = s.param(k);
                let _ = lienthong_vxp::time::filter_bound(v, true);
                let _ = lienthong_vxp::hashfile::file_of_body(body, v);
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let _ = lienthong_vxp::time::filter_bound(&text, false);
    let _ = lienthong_vxp::stamp::parse(&text);
    // What the client signs, the server reads back, whatever the values.
    let value = text.chars().take(200).collect::<String>();
    let h = lienthong_vxp::sign::signed_headers(
        "fuzz.system",
        b"fuzz-secret-0123456789",
        "05122026T133941+0937",
        &[("description", &value)],
        "application/json",
    );
    let view: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let s = lienthong_vxp::authenticate(&view, |_| {
        Some(Secrets {
            current: b"fuzz-secret-0123456789",
            previous: None,
        })
    })
    .expect("what the client signs must authenticate");
    assert_eq!(s.param("description"), Some(value.as_str()));
});
