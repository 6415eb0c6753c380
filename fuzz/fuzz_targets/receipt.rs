//! Fuzz the receipt reader and verifier: any bytes give an error or a receipt and report,
//! never a panic; a receipt that reads writes back to one that reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = lienthong_dsig::Receipt::parse(data) {
        let again = lienthong_dsig::Receipt::parse(r.to_xml().as_bytes())
            .expect("a receipt written back must read");
        assert_eq!(again, r);
    }
    let trust = lienthong_dsig::TrustStore::new();
    let policy = lienthong_dsig::Policy {
        trust: &trust,
        at: lienthong_dsig::unix_time(1_795_305_600),
        expected_agency: None,
    };
    let _ = lienthong_dsig::verify_receipt(data, &policy);
});
