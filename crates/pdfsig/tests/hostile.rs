//! Hostile PDFs are refused with a clear error (code, what, where), or reported as a
//! broken signature, without a panic and within the limits: ByteRanges out of bounds,
//! overlapping or negative; a huge /Contents; cyclic references; deep nesting; xref loops;
//! compression bombs; a 100 MB file. The files are built here byte by byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use lienthong_pdfsig::{Limits, PdfTrust, Verdict, verify_pdf, verify_pdf_with};
use lienthong_types::Code;
use proptest::prelude::*;

/// A PDF of the given objects (bodies without `N 0 obj`), with a classic xref table, and a
/// trailer naming object 1 as the catalog. `extra_trailer` goes into the trailer.
fn pdf(objects: &[Vec<u8>], extra_trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
    for o in &offsets {
        writeln!(out, "{o:010} 00000 n ").unwrap();
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R {extra_trailer} >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .unwrap();
    out
}

/// A one-page document with one signature field whose value is `sig` (object 5).
fn with_signature(sig: &str) -> Vec<u8> {
    pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>".to_vec(),
            b"<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>".to_vec(),
            sig.as_bytes().to_vec(),
        ],
        "",
    )
}

fn now() -> i64 {
    1_780_000_000
}

fn trust() -> PdfTrust {
    PdfTrust::government()
}

fn one_problem(bytes: &[u8]) -> (Verdict, Vec<Code>, Vec<String>) {
    let r = verify_pdf(bytes, now(), &trust()).unwrap();
    assert_eq!(r.signatures.len(), 1);
    let s = &r.signatures[0];
    (s.verdict, s.problem_codes.clone(), s.problems.clone())
}

#[test]
fn byte_ranges_out_of_bounds_overlapping_or_negative_are_broken_signatures() {
    for (range, says) in [
        ("[0 10 20 999999]", "past the end"),
        ("[0 100 50 10]", "overlap"),
        ("[0 -5 10 10]", "negative"),
        ("[5 10 20 10]", "beginning"),
        ("[0 10 20]", "not 4"),
        ("[0 10 20 (x)]", "non-integer"),
    ] {
        let bytes = with_signature(&format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange {range} /Contents <3000> >>"
        ));
        let (v, codes, problems) = one_problem(&bytes);
        assert_eq!(v, Verdict::Invalid, "{range}");
        assert_eq!(codes, [Code::PdfByteRange], "{range}");
        assert!(problems[0].contains(says), "{range}: {problems:?}");
    }
    // a ByteRange that leaves out something else than the /Contents
    let bytes = with_signature(
        "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 20 40 10] /Contents <3000> >>",
    );
    let (_, codes, problems) = one_problem(&bytes);
    assert_eq!(codes, [Code::PdfByteRange]);
    assert!(problems[0].contains("/Contents"), "{problems:?}");
}

#[test]
fn unreadable_cms_and_unknown_formats_are_broken_signatures() {
    // a ByteRange that frames the /Contents exactly, around garbage
    let sig = "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 AAAAAAAA BBBBBBBB CCCCCCCC] /Contents <0102030405> >>";
    let mut bytes = with_signature(sig);
    let start = find(&bytes, b"<0102030405>");
    let end = start + b"<0102030405>".len();
    let len = bytes.len();
    for (ph, v) in [
        ("AAAAAAAA", start),
        ("BBBBBBBB", end),
        ("CCCCCCCC", len - end),
    ] {
        let at = find(&bytes, ph.as_bytes());
        bytes.splice(at..at + 8, format!("{v:8}").bytes());
    }
    let (v, codes, _) = one_problem(&bytes);
    assert_eq!((v, codes), (Verdict::Invalid, vec![Code::PdfCms]));
    let other =
        with_signature("<< /Type /Sig /SubFilter /x.custom /ByteRange [0 1 2 3] /Contents <00> >>");
    assert_eq!(one_problem(&other).1, [Code::PdfSubfilter]);
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = find(hay, from);
    let mut out = hay[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&hay[at + from.len()..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

#[test]
fn a_huge_contents_is_refused_by_its_size() {
    let hex = "00".repeat(2 << 20);
    let bytes = with_signature(&format!(
        "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 1 2 3] /Contents <{hex}> >>"
    ));
    let r = verify_pdf(&bytes, now(), &trust()).unwrap();
    let s = &r.signatures[0];
    assert_eq!(s.verdict, Verdict::Invalid);
    assert!(!s.problem_codes.is_empty());
}

#[test]
fn cycles_and_deep_nesting_end() {
    // a field that is its own kid, and a catalog whose fields list loops
    let bytes = pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R 3 0 R] >> >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            b"<< /T (a) /Kids [3 0 R 4 0 R] >>".to_vec(),
            b"<< /T (b) /Parent 3 0 R /Kids [3 0 R] >>".to_vec(),
        ],
        "",
    );
    let r = verify_pdf(&bytes, now(), &trust()).unwrap();
    assert_eq!(r.verdict, Verdict::Unsigned);
    // nesting
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let bytes = pdf(
        &[
            format!("<< /Type /Catalog /Pages 2 0 R /AcroForm {deep} >>").into_bytes(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
        ],
        "",
    );
    let e = verify_pdf(&bytes, now(), &trust()).unwrap_err();
    assert_eq!(e.code, Code::PdfTooComplex, "{e}");
    assert!(e.at.is_some());
}

#[test]
fn xref_loops_and_damage_are_refused() {
    let good = with_signature("<< /Type /Sig >>");
    let xref_at = find(&good, b"\nxref\n") + 1;
    // /Prev pointing at itself
    let looped = replace(
        &good,
        b"/Root 1 0 R",
        format!("/Root 1 0 R /Prev {xref_at}").as_bytes(),
    );
    let e = verify_pdf(&looped, now(), &trust()).unwrap_err();
    assert_eq!(e.code, Code::PdfXref);
    assert!(e.what.contains("loop"), "{e}");
    // startxref pointing nowhere
    let lost = replace(
        &good,
        format!("startxref\n{xref_at}").as_bytes(),
        b"startxref\n99999999",
    );
    assert_eq!(
        verify_pdf(&lost, now(), &trust()).unwrap_err().code,
        Code::PdfXref
    );
    // an entry pointing at another object (object 1 listed where object 2 is)
    let one = format!("{:010} 00000 n", find(&good, b"1 0 obj"));
    let two = format!("{:010} 00000 n", find(&good, b"2 0 obj"));
    let wrong = replace(&good, one.as_bytes(), two.as_bytes());
    let e = verify_pdf(&wrong, now(), &trust()).unwrap_err();
    assert_eq!(e.code, Code::PdfXref, "{e}");
    assert!(e.what.contains("points at object 2"), "{e}");
    // no header, no startxref, truncated
    assert_eq!(
        verify_pdf(b"hello", now(), &trust()).unwrap_err().code,
        Code::PdfUnreadable
    );
    assert_eq!(
        verify_pdf(b"%PDF-1.7\n", now(), &trust()).unwrap_err().code,
        Code::PdfXref
    );
    for cut in [10, good.len() / 2, good.len() - 8] {
        assert!(
            verify_pdf(&good[..cut], now(), &trust()).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_compression_bomb_stops_at_the_budget() {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..48 {
        z.write_all(&zeros).unwrap();
    }
    let bomb = z.finish().unwrap();
    // an xref stream that inflates to 48 MiB
    let mut out = b"%PDF-1.7\n".to_vec();
    let at = out.len();
    write!(
        out,
        "1 0 obj\n<< /Type /XRef /Size 2 /W [1 4 2] /Filter /FlateDecode /Length {} >>\nstream\n",
        bomb.len()
    )
    .unwrap();
    out.extend_from_slice(&bomb);
    write!(out, "\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").unwrap();
    let e = verify_pdf(&out, now(), &trust()).unwrap_err();
    assert_eq!(e.code, Code::PdfTooComplex, "{e}");
    assert!(e.what.contains("bomb"), "{e}");
    // and a smaller budget stops it sooner
    let small = Limits {
        max_inflated_stream: 1 << 20,
        ..Limits::default()
    };
    assert_eq!(
        verify_pdf_with(&out, now(), &trust(), small)
            .unwrap_err()
            .code,
        Code::PdfTooComplex
    );
}

#[test]
fn a_100_mb_file_is_refused_by_its_size_before_reading() {
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(100 << 20, b' ');
    let e = verify_pdf(&big, now(), &trust()).unwrap_err();
    assert_eq!(e.code, Code::PdfTooLarge);
    assert!(e.what.contains("104857600"), "{e}");
}

#[test]
fn the_government_ca_ships_pinned_by_fingerprint() {
    let expected = [
        (
            "vgca-rootca-g2.pem",
            "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8",
        ),
        (
            "vgca-rootca-g1.pem",
            "f7bc89054cec7f12730d7b8cd3eb7955b163835087e5eb873edfb584763b3f90",
        ),
        (
            "vgca-cpcag2.pem",
            "d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b",
        ),
        (
            "vgca-cp-g1.pem",
            "75e969c07ba35c29c72bbc1bfb880f20f3891a619b00b77eb02ca6160736a1fe",
        ),
    ];
    let shipped: Vec<(&str, &str)> = lienthong_pdfsig::GOVERNMENT_ROOTS
        .iter()
        .chain(lienthong_pdfsig::GOVERNMENT_INTERMEDIATES)
        .copied()
        .collect();
    assert_eq!(shipped.len(), expected.len());
    for (name, fp) in expected {
        let pem = shipped.iter().find(|(n, _)| *n == name).unwrap().1;
        let der = pem_body(pem);
        let got: String = ring::digest::digest(&ring::digest::SHA256, &der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, fp, "{name}");
    }
    assert!(PdfTrust::government().has_roots());
}

fn pem_body(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever bytes are changed, cut or inserted, the verifier answers (a report or an
    /// error with a code) and never panics.
    #[test]
    fn damaged_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = with_signature(
            "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <3082000102> /M (D:20250301070000+07'00') >>",
        );
        for (at, b, kind) in edits {
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                _ => { bytes.remove(i); }
            }
        }
        let keep = cut.index(bytes.len() + 1).max(bytes.len() * 3 / 4);
        bytes.truncate(keep);
        match verify_pdf(&bytes, now(), &trust()) {
            Ok(r) => prop_assert!(r.verdict != Verdict::Valid),
            Err(e) => prop_assert!(e.code.as_str().starts_with("pdf.")),
        }
    }
}
