//! Verify a 64 KiB signed edXML document: RSA-2048, exclusive C14N over the whole
//! document, chain of 2 (signer + root). Target: at least 3,000 documents/s on one core.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lienthong_dsig::*;
use lienthong_testkit::pki::DevPki;
use rustls_pki_types::CertificateDer;

/// A signed document of about 64 KiB (most of it a base64 attachment), and its trust store.
pub fn signed_64k(pki: &DevPki) -> Vec<u8> {
    let src = std::fs::read_to_string(
        lienthong_testkit::repo_root().join("crates/edxml/tests/fixtures/edoc_new.edxml"),
    )
    .unwrap()
    .replace("000.00.01.H50", "000.05.21.H50");
    let start = src.find("<edXML:ContentTransferEncoded").unwrap();
    let start = src[start..].find('>').unwrap() + start + 1;
    let end = src.find("</edXML:ContentTransferEncoded>").unwrap();
    let filler = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVm".repeat(1200);
    let doc = format!("{}{}{}", &src[..start], &filler[..60_000], &src[end..]);
    let signer = &pki.signers["000.05.21.H50-rsa"];
    let key = SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let placement = Placement::LastChildOf {
        namespace: "http://www.mic.gov.vn/TBT/QCVN_102_2016".into(),
        local: "edXMLHeader".into(),
    };
    sign_enveloped(
        doc.as_bytes(),
        &key,
        &[CertificateDer::from(signer.cert_der.clone())],
        &placement,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let pki = DevPki::generate().unwrap();
    let doc = signed_64k(&pki);
    let mut trust = TrustStore::new();
    trust.add_roots_pem(pki.ca.cert_pem.as_bytes()).unwrap();
    let policy = Policy {
        trust: &trust,
        at: unix_time(1_795_305_600),
        expected_agency: Some(ExpectedAgency {
            code: "000.05.21.H50".into(),
            name: None,
            other_codes: Vec::new(),
        }),
    };
    assert!(
        verify_bytes(&doc, &Profile::edxml(), &policy)
            .unwrap()
            .valid
    );
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    let ca_der = rustls_pki_types::CertificateDer::from(pki.ca.cert_der.clone());
    g.bench_function(
        format!("cold_edxml_{}B_rsa2048_exc_c14n_chain2", doc.len()),
        |b| {
            b.iter(|| {
                // A new trust store each time: the certificate path is validated from scratch.
                let mut fresh = TrustStore::new();
                fresh.add_root_der(ca_der.clone()).unwrap();
                let p = Policy {
                    trust: &fresh,
                    ..policy.clone()
                };
                let r = verify_bytes(std::hint::black_box(&doc), &Profile::edxml(), &p).unwrap();
                assert!(r.valid);
            })
        },
    );
    g.bench_function(
        format!("warm_edxml_{}B_rsa2048_exc_c14n_chain2", doc.len()),
        |b| {
            b.iter(|| {
                let r =
                    verify_bytes(std::hint::black_box(&doc), &Profile::edxml(), &policy).unwrap();
                assert!(r.valid);
            })
        },
    );
    g.finish();
    let mut g = c.benchmark_group("parts");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| lienthong_xml::Document::parse(std::hint::black_box(&doc)).unwrap())
    });
    let parsed = lienthong_xml::Document::parse(&doc).unwrap();
    let exc = c14n::Method::Exclusive {
        comments: false,
        inclusive_prefixes: vec![],
    };
    g.bench_function("c14n_sha256", |b| {
        b.iter(|| {
            let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
            c14n::canonicalize(&parsed, c14n::NodeSet::document(), &exc, &mut ctx).unwrap();
            ctx.finish()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
