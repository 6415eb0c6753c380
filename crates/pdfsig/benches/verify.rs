//! Verify a 5 MB PDF with two signatures (a person's ECDSA P-256, the organisation's
//! RSA-2048), in process, on one core. Target: at least 150 documents/s.
//!
//!     cargo bench -p lienthong-pdfsig --bench verify

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_pdfsig::{PdfTrust, Verdict, verify_pdf};

include!("support/signed_pdf.rs");

fn bench(c: &mut Criterion) {
    let (pdf, root) = signed_pdf(5 << 20);
    let mut trust = PdfTrust::government();
    trust.add_roots_pem(root.as_bytes()).unwrap();
    let now = 1_790_003_600;
    assert_eq!(
        verify_pdf(&pdf, now, &trust).unwrap().verdict,
        Verdict::Valid
    );
    let mut g = c.benchmark_group("pdf");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_5mb_two_signatures", |b| {
        b.iter(|| verify_pdf(std::hint::black_box(&pdf), now, &trust).unwrap())
    });
    // the same file with the trust store built each time (the CLI's case)
    g.bench_function("verify_5mb_two_signatures_fresh_trust", |b| {
        b.iter(|| {
            let mut t = PdfTrust::government();
            t.add_roots_pem(root.as_bytes()).unwrap();
            verify_pdf(std::hint::black_box(&pdf), now, &t).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
