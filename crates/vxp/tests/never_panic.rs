//! Whatever a client sends, reading it never panics: the signed headers (with non-ASCII and
//! Vietnamese text), the paths, the bodies and the timestamps.
#![allow(clippy::unwrap_used)]

use lienthong_vxp::auth::{Secrets, hash_header};
use lienthong_vxp::{Operation, authenticate, hashfile, stamp};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 {}\":,\\-]{0,80}",
        "[ăâđêôơưẠ-ỹà-ỵ\"{}:, ]{0,40}",
    ]
}

proptest! {
    #[test]
    fn authentication_never_panics(sign in text(), hash in text(), raw in proptest::collection::vec(any::<u8>(), 0..200), value in text()) {
        let signed_json = format!("{{\"XroadVnpt-systemid\":\"s\",\"XroadVnpt-x\":{}}}", serde_json::to_string(&value).unwrap());
        let good_hash = hash_header(b"k", signed_json.as_bytes());
        let cases: Vec<Vec<(&str, &[u8])>> = vec![
            vec![("XroadVnpt-sign-header", sign.as_bytes()), ("XroadVnpt-hash-header", hash.as_bytes())],
            vec![("XroadVnpt-sign-header", &raw), ("XroadVnpt-hash-header", good_hash.as_bytes())],
            vec![
                ("XroadVnpt-sign-header", signed_json.as_bytes()),
                ("XroadVnpt-hash-header", good_hash.as_bytes()),
                ("XroadVnpt-systemid", b"s"),
                ("XroadVnpt-x", &raw),
            ],
        ];
        for h in cases {
            let _ = authenticate(&h, |_| Some(Secrets { current: b"k", previous: Some(b"j") }));
        }
    }

    #[test]
    fn paths_bodies_and_stamps_never_panic(path in text(), body in proptest::collection::vec(any::<u8>(), 0..300), hash in text(), stamp_text in text()) {
        let _ = Operation::from_path(&path);
        let _ = hashfile::file_of_body(&body, &hash);
        let _ = stamp::parse(&stamp_text);
    }
}
