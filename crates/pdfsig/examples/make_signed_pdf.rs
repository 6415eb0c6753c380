//! Write a PDF signed twice (a person, then the organisation), with a throw-away test PKI,
//! and that PKI's root, for trying `lienthong verify` and for the benchmarks.
//!
//!     cargo run --release -p lienthong-pdfsig --example make_signed_pdf -- OUT_DIR [BYTES]
//!
//! Writes OUT_DIR/signed.pdf (of about BYTES, default a few kilobytes) and OUT_DIR/root.pem.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

fn main() {
    let mut args = std::env::args().skip(1);
    let out =
        std::path::PathBuf::from(args.next().expect("usage: make_signed_pdf OUT_DIR [BYTES]"));
    let size: usize = args
        .next()
        .map_or(0, |s| s.parse().expect("BYTES is a number"));
    std::fs::create_dir_all(&out).unwrap();
    let (pdf, root) = signed_pdf(size);
    std::fs::write(out.join("signed.pdf"), &pdf).unwrap();
    std::fs::write(out.join("root.pem"), root).unwrap();
    println!("{}: {} bytes", out.join("signed.pdf").display(), pdf.len());
}

include!("../benches/support/signed_pdf.rs");
