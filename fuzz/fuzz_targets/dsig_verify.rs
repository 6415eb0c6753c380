//! Fuzz the signature verifier on the edXML profile: any bytes give an error or a report,
//! never a panic, and a report that says valid has a signer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = lienthong_dsig::TrustStore::new();
    let policy = lienthong_dsig::Policy {
        trust: &trust,
        at: lienthong_dsig::unix_time(1_795_305_600),
        expected_agency: None,
    };
    if let Ok(report) =
        lienthong_dsig::verify_bytes(data, &lienthong_dsig::Profile::edxml(), &policy)
    {
        assert!(!report.valid || report.signer.is_some());
    }
});
