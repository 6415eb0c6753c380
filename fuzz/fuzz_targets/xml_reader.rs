//! Fuzz the strict XML reader: it must never panic, and whatever it accepts must
//! serialize to XML that it accepts again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lienthong_xml::{Document, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1 << 20,
        ..Limits::default()
    };
    if let Ok(doc) = Document::parse_with(data, &limits) {
        let again = doc.to_xml();
        let doc2 = Document::parse(again.as_bytes()).expect("our own output must read back");
        assert_eq!(again, doc2.to_xml());
    }
});
