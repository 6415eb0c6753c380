// The benchmark document, shared by the bench and the example that writes it to a file.

/// A PDF of about `size` bytes signed by a person, then the organisation (RSA-2048), and
/// the PEM root that signs both certificates.
pub fn signed_pdf(size: usize) -> (Vec<u8>, String) {
    use lienthong_testkit::pdf::PdfDraft;
    use lienthong_testkit::pki::{DevPki, LeafSpec};
    let pki = DevPki::generate().expect("PKI");
    let person = pki
        .issue(&LeafSpec::person(
            "Nguyễn Văn An",
            "Văn phòng UBND tỉnh",
            7001,
        ))
        .expect("person");
    let org = &pki.signers["000.05.21.H50-rsa"];
    let bytes = PdfDraft::new("Quyet dinh 1/QD-UBND", size)
        .sign(
            "ChuKyLanhDao",
            std::slice::from_ref(&person.cert_der),
            &person.key_pem,
            1_790_000_000,
        )
        .expect("first signature")
        .sign(
            "ChuKyToChuc",
            std::slice::from_ref(&org.cert_der),
            &org.key_pem,
            1_790_000_600,
        )
        .expect("second signature")
        .bytes;
    (bytes, pki.ca.cert_pem.clone())
}
