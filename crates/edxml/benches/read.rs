//! Reading a 64 KiB edXML document: the header fields, and each attachment's base64 decoded
//! and inspected. The gateway does this for every submission, so it sits on the hot path.
//!
//! `cargo bench -p lienthong-edxml --bench read`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The fixture document with its attachment replaced by ~60 KB of base64, wrapped at 76
/// characters per line as most producers write it (`wrap = None`: one line).
fn doc_64k(wrap: Option<usize>) -> Vec<u8> {
    let src = std::fs::read_to_string(
        lienthong_testkit::repo_root().join("crates/edxml/tests/fixtures/edoc_new.edxml"),
    )
    .unwrap();
    let start = src.find("<edXML:ContentTransferEncoded").unwrap();
    let start = src[start..].find('>').unwrap() + start + 1;
    let end = src.find("</edXML:ContentTransferEncoded>").unwrap();
    let raw: Vec<u8> = (0..45_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let b64 = lienthong_edxml::attach::encode_base64(&raw);
    let body = match wrap {
        Some(w) => b64
            .as_bytes()
            .chunks(w)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n"),
        None => b64,
    };
    format!("{}{}{}", &src[..start], body, &src[end..]).into_bytes()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    for (name, wrap) in [("wrapped76", Some(76)), ("one_line", None)] {
        let doc = doc_64k(wrap);
        g.throughput(Throughput::Bytes(doc.len() as u64));
        let parsed = lienthong_xml::Document::parse(&doc).unwrap();
        let check = lienthong_edxml::from_document(&parsed, &doc).unwrap();
        let a = match &check.package {
            lienthong_edxml::Package::Edoc(e) => &e.attachments[0],
            _ => panic!("not an edoc"),
        };
        assert_eq!(a.inspection.as_ref().unwrap().decoded_len, Some(45_000));
        g.bench_function(format!("from_document_{name}_{}B", doc.len()), |b| {
            b.iter(|| lienthong_edxml::from_document(std::hint::black_box(&parsed), &doc).unwrap())
        });
        let text = std::str::from_utf8(&doc).unwrap();
        let s = text.find("<edXML:ContentTransferEncoded").unwrap();
        let s = text[s..].find('>').unwrap() + s + 1;
        let e = text.find("</edXML:ContentTransferEncoded>").unwrap();
        let encoded = &text[s..e];
        g.bench_function(format!("decode_base64_{name}"), |b| {
            b.iter(|| {
                lienthong_edxml::attach::decode_base64(std::hint::black_box(encoded)).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
