//! Fuzz the PDF signature verifier: any bytes give a report or an error with a `pdf.*`
//! code, never a panic, and a report never calls a signature valid that nothing trusts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = lienthong_pdfsig::Limits {
        // small budgets keep each run fast; the defaults are tested by the crate's tests
        max_inflated_stream: 4 << 20,
        max_inflated_total: 8 << 20,
        ..lienthong_pdfsig::Limits::default()
    };
    let trust = lienthong_pdfsig::PdfTrust::new();
    match lienthong_pdfsig::verify_pdf_with(data, 1_795_305_600, &trust, limits) {
        Ok(r) => assert!(!r.valid, "nothing is trusted, so nothing is valid"),
        Err(e) => assert!(e.code.as_str().starts_with("pdf."), "{e:?}"),
    }
});
