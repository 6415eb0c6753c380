//! Signed PDFs for tests, the demo and benchmarks, made here without outside tools: a
//! small PDF of our own, and incremental updates that add a signature field and a CMS
//! signature (`adbe.pkcs7.detached`, SHA-256, signed attributes contentType, signingTime,
//! messageDigest and ESS signing-certificate-v2) with ring. pyHanko validates what this
//! writes (`crates/pdfsig/tests/oracle.rs`).

use std::fmt::Write as _;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

/// Room left for the CMS in `/Contents` (bytes).
const CONTENTS_ROOM: usize = 8192;

/// A PDF being built: its bytes and what the next update needs to know.
#[derive(Debug, Clone)]
pub struct PdfDraft {
    /// The file so far.
    pub bytes: Vec<u8>,
    next: u32,
    fields: Vec<u32>,
    annots: Vec<u32>,
    last_xref: usize,
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let b: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|x| *x == 0)
            .collect();
        out.push(0x80 | b.len() as u8);
        out.extend_from_slice(&b);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    let n: Vec<u64> = dotted.split('.').filter_map(|p| p.parse().ok()).collect();
    let mut body = vec![(n[0] * 40 + n[1]) as u8];
    for &v in &n[2..] {
        let mut stack = vec![(v & 0x7f) as u8];
        let mut v = v >> 7;
        while v > 0 {
            stack.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        stack.reverse();
        body.extend_from_slice(&stack);
    }
    der(0x06, &body)
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// The parts of a DER certificate a SignerInfo names: the issuer Name and the serial
/// INTEGER, each with tag and length.
fn issuer_and_serial(cert: &[u8]) -> Result<Vec<u8>, String> {
    fn tlv(b: &[u8]) -> Result<(usize, usize), String> {
        // (header length, total length)
        let first = *b.get(1).ok_or("short certificate")?;
        let (len, hdr) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let k = usize::from(first & 0x7f);
            let bytes = b.get(2..2 + k).ok_or("short certificate")?;
            (
                bytes.iter().fold(0usize, |a, x| a << 8 | usize::from(*x)),
                2 + k,
            )
        };
        Ok((hdr, hdr + len))
    }
    let (h, _) = tlv(cert)?; // Certificate
    let tbs = &cert[h..];
    let (h, _) = tlv(tbs)?; // TBSCertificate
    let mut rest = &tbs[h..];
    if rest.first() == Some(&0xa0) {
        let (_, total) = tlv(rest)?;
        rest = &rest[total..]; // version
    }
    let (_, serial_len) = tlv(rest)?;
    let serial = &rest[..serial_len];
    rest = &rest[serial_len..];
    let (_, alg_len) = tlv(rest)?;
    rest = &rest[alg_len..];
    let (_, issuer_len) = tlv(rest)?;
    let issuer = &rest[..issuer_len];
    Ok(seq(&[issuer, serial]))
}

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

fn key_from_pem(pem: &str) -> Result<Key, String> {
    let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| e.to_string())?;
    let bytes = der.secret_der();
    if let Ok(k) = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        bytes,
        &SystemRandom::new(),
    ) {
        return Ok(Key::Ecdsa(k));
    }
    RsaKeyPair::from_pkcs8(bytes)
        .or_else(|_| RsaKeyPair::from_der(bytes))
        .map(Key::Rsa)
        .map_err(|e| format!("not an ECDSA P-256 or RSA key: {e}"))
}

/// A CMS SignedData (DER) over the SHA-256 `digest`, signed with `key_pem` for the first
/// certificate of `chain` (all of which are carried), claiming `signing_time` (Unix
/// seconds).
pub fn cms_signed_data(
    digest: &[u8],
    chain: &[Vec<u8>],
    key_pem: &str,
    signing_time: i64,
) -> Result<Vec<u8>, String> {
    let signer = chain.first().ok_or("no certificate")?;
    let key = key_from_pem(key_pem)?;
    let sha256_alg = seq(&[&oid("2.16.840.1.101.3.4.2.1"), &[0x05, 0x00]]);
    let t = jiff::Timestamp::from_second(signing_time).map_err(|e| e.to_string())?;
    let utc = t.strftime("%y%m%d%H%M%SZ").to_string();
    let attr = |o: &str, v: Vec<u8>| seq(&[&oid(o), &der(0x31, &v)]);
    let ess = seq(&[&seq(&[&seq(&[&der(0x04, &sha256(signer))])])]);
    let mut attrs = [
        attr("1.2.840.113549.1.9.3", oid("1.2.840.113549.1.7.1")),
        attr("1.2.840.113549.1.9.5", der(0x17, utc.as_bytes())),
        attr("1.2.840.113549.1.9.4", der(0x04, digest)),
        attr("1.2.840.113549.1.9.16.2.47", ess),
    ];
    // DER: a SET OF is sorted by encoding
    attrs.sort();
    let attrs = attrs.concat();
    let to_sign = der(0x31, &attrs);
    let rng = SystemRandom::new();
    let (sig, sig_alg) = match &key {
        Key::Rsa(k) => {
            let mut s = vec![0u8; k.public().modulus_len()];
            k.sign(&signature::RSA_PKCS1_SHA256, &rng, &to_sign, &mut s)
                .map_err(|_| "RSA signing failed".to_owned())?;
            (s, seq(&[&oid("1.2.840.113549.1.1.11"), &[0x05, 0x00]]))
        }
        Key::Ecdsa(k) => (
            k.sign(&rng, &to_sign)
                .map_err(|_| "ECDSA signing failed".to_owned())?
                .as_ref()
                .to_vec(),
            seq(&[&oid("1.2.840.10045.4.3.2")]),
        ),
    };
    let signer_info = seq(&[
        &der(0x02, &[1]),
        &issuer_and_serial(signer)?,
        &sha256_alg,
        &der(0xa0, &attrs),
        &sig_alg,
        &der(0x04, &sig),
    ]);
    let certs: Vec<u8> = chain.concat();
    let signed_data = seq(&[
        &der(0x02, &[1]),
        &der(0x31, &sha256_alg),
        &seq(&[&oid("1.2.840.113549.1.7.1")]),
        &der(0xa0, &certs),
        &der(0x31, &signer_info),
    ]);
    Ok(seq(&[
        &oid("1.2.840.113549.1.7.2"),
        &der(0xa0, &signed_data),
    ]))
}

impl PdfDraft {
    /// A one-page document saying `text`, padded with `filler` bytes of page content (to
    /// make files of a given size).
    pub fn new(text: &str, filler: usize) -> PdfDraft {
        let mut content = format!("BT /F1 14 Tf 40 780 Td ({}) Tj ET\n", escape(text));
        // comments: invisible, uncompressed bulk
        while content.len() < filler {
            content.push_str("% lienthong test filler line, 64 bytes long....................\n");
        }
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        ];
        let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(bytes.len());
            bytes.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = bytes.len();
        let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for o in offsets {
            let _ = writeln!(x, "{o:010} 00000 n ");
        }
        let _ = write!(
            x,
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        bytes.extend_from_slice(x.as_bytes());
        PdfDraft {
            bytes,
            next: 6,
            fields: Vec::new(),
            annots: Vec::new(),
            last_xref: xref,
        }
    }

    /// Add a signature in field `field` by the first certificate of `chain` (DER, signer
    /// first), with `key_pem`, claiming `signing_time` (Unix seconds), as an incremental
    /// update covering the whole file as it then is.
    pub fn sign(
        mut self,
        field: &str,
        chain: &[Vec<u8>],
        key_pem: &str,
        signing_time: i64,
    ) -> Result<PdfDraft, String> {
        let (sig, widget) = (self.next, self.next + 1);
        self.next += 2;
        self.fields.push(widget);
        self.annots.push(widget);
        let refs = |v: &[u32]| {
            v.iter()
                .map(|n| format!("{n} 0 R"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let m = jiff::Timestamp::from_second(signing_time)
            .map(|t| t.strftime("D:%Y%m%d%H%M%SZ").to_string())
            .map_err(|e| e.to_string())?;
        let placeholder = "0".repeat(CONTENTS_ROOM * 2);
        let br_placeholder = "[0 0000000000 0000000000 0000000000]";
        let objects: Vec<(u32, String)> = vec![
            (
                sig,
                format!(
                    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M ({m}) /ByteRange {br_placeholder} /Contents <{placeholder}> >>"
                ),
            ),
            (
                widget,
                format!(
                    "<< /Type /Annot /Subtype /Widget /FT /Sig /T ({}) /V {sig} 0 R /F 132 /Rect [0 0 0 0] /P 3 0 R >>",
                    escape(field)
                ),
            ),
            (
                1,
                format!(
                    "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{}] /SigFlags 3 >> >>",
                    refs(&self.fields)
                ),
            ),
            (
                3,
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [{}] >>",
                    refs(&self.annots)
                ),
            ),
        ];
        let mut offsets = Vec::new();
        let mut sig_at = 0;
        for (n, body) in &objects {
            offsets.push((*n, self.bytes.len()));
            if *n == sig {
                sig_at = self.bytes.len();
            }
            self.bytes
                .extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
        }
        offsets.sort();
        let xref = self.bytes.len();
        let mut x = String::from("xref\n0 1\n0000000000 65535 f \n");
        for (n, o) in &offsets {
            let _ = write!(x, "{n} 1\n{o:010} 00000 n \n");
        }
        let _ = write!(
            x,
            "trailer\n<< /Size {} /Root 1 0 R /Prev {} >>\nstartxref\n{xref}\n%%EOF\n",
            self.next, self.last_xref
        );
        self.bytes.extend_from_slice(x.as_bytes());
        self.last_xref = xref;
        // the ByteRange leaves out exactly the hex string, brackets included
        let contents_at =
            find_from(&self.bytes, b"/Contents <", sig_at).ok_or("no /Contents")? + 10;
        let contents_end = contents_at + placeholder.len() + 2;
        let total = self.bytes.len();
        let br = format!(
            "[0 {contents_at:010} {contents_end:010} {:010}]",
            total - contents_end
        );
        let br_at =
            find_from(&self.bytes, br_placeholder.as_bytes(), sig_at).ok_or("no /ByteRange")?;
        self.bytes[br_at..br_at + br.len()].copy_from_slice(br.as_bytes());
        let mut signed = self.bytes[..contents_at].to_vec();
        signed.extend_from_slice(&self.bytes[contents_end..]);
        let cms = cms_signed_data(&sha256(&signed), chain, key_pem, signing_time)?;
        if cms.len() > CONTENTS_ROOM {
            return Err(format!(
                "the CMS is {} bytes, more than the {CONTENTS_ROOM} reserved",
                cms.len()
            ));
        }
        let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
        self.bytes[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self)
    }
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}
