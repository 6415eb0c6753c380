//! CMS SignedData (RFC 5652) as PDF signatures and RFC 3161 time-stamp tokens carry it:
//! read with [`crate::ber`], keeping the signed attributes' original bytes.

use crate::ber::{self, BerError, Tlv, oid_text};

pub(crate) const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub(crate) const OID_DATA: &str = "1.2.840.113549.1.7.1";
pub(crate) const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub(crate) const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub(crate) const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub(crate) const OID_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
pub(crate) const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
pub(crate) const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub(crate) const OID_SIGNING_CERT: &str = "1.2.840.113549.1.9.16.2.12";

/// How the signer's certificate is named.
#[derive(Debug, Clone)]
pub(crate) enum Sid<'a> {
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    KeyId(Vec<u8>),
}

/// One attribute: its type and its values.
#[derive(Debug, Clone)]
pub(crate) struct Attr<'a> {
    pub(crate) oid: String,
    pub(crate) values: Vec<Tlv<'a>>,
}

/// An algorithm identifier: its OID and its parameters' raw bytes (if any).
#[derive(Debug, Clone)]
pub(crate) struct AlgId<'a> {
    pub(crate) oid: String,
    pub(crate) params: Option<Tlv<'a>>,
}

#[derive(Debug, Clone)]
pub(crate) struct SignerInfo<'a> {
    pub(crate) sid: Sid<'a>,
    pub(crate) digest_alg: AlgId<'a>,
    /// The `[0] IMPLICIT` signed attributes exactly as encoded.
    pub(crate) signed_attrs_raw: Option<Tlv<'a>>,
    pub(crate) signed_attrs: Vec<Attr<'a>>,
    pub(crate) sig_alg: AlgId<'a>,
    pub(crate) signature: Vec<u8>,
    pub(crate) unsigned_attrs: Vec<Attr<'a>>,
}

impl<'a> SignerInfo<'a> {
    pub(crate) fn signed(&self, oid: &str) -> Option<&Attr<'a>> {
        self.signed_attrs.iter().find(|a| a.oid == oid)
    }

    pub(crate) fn unsigned(&self, oid: &str) -> Option<&Attr<'a>> {
        self.unsigned_attrs.iter().find(|a| a.oid == oid)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SignedData<'a> {
    pub(crate) econtent_type: String,
    pub(crate) econtent: Option<Vec<u8>>,
    /// DER of every certificate carried.
    pub(crate) certs: Vec<&'a [u8]>,
    pub(crate) signers: Vec<SignerInfo<'a>>,
}

fn e(what: &'static str) -> BerError {
    BerError(what)
}

/// Read a ContentInfo holding SignedData; returns it and the bytes after it (padding).
pub(crate) fn parse(input: &[u8], max_certs: usize) -> Result<(SignedData<'_>, &[u8]), BerError> {
    let (ci, rest) = ber::read_one(input)?;
    let ci = ci.expect(0x30, "the CMS is not a SEQUENCE")?;
    let parts = ci.children()?;
    let [ct, content, ..] = parts.as_slice() else {
        return Err(e("a ContentInfo without content"));
    };
    if ct.tag != 0x06 || oid_text(ct.content) != OID_SIGNED_DATA {
        return Err(e("the CMS is not SignedData"));
    }
    let content = content.expect(0xa0, "the ContentInfo's content is not [0]")?;
    let sd = content
        .children()?
        .into_iter()
        .next()
        .ok_or(e("empty SignedData"))?
        .expect(0x30, "SignedData is not a SEQUENCE")?;
    Ok((signed_data(&sd, max_certs)?, rest))
}

fn signed_data<'a>(sd: &Tlv<'a>, max_certs: usize) -> Result<SignedData<'a>, BerError> {
    let mut it = sd.children()?.into_iter();
    it.next()
        .ok_or(e("SignedData without a version"))?
        .expect(0x02, "a bad SignedData version")?;
    it.next()
        .ok_or(e("SignedData without digestAlgorithms"))?
        .expect(0x31, "digestAlgorithms is not a SET")?;
    let eci = it
        .next()
        .ok_or(e("SignedData without encapContentInfo"))?
        .expect(0x30, "encapContentInfo is not a SEQUENCE")?;
    let eci_parts = eci.children()?;
    let econtent_type = eci_parts
        .first()
        .filter(|t| t.tag == 0x06)
        .map(|t| oid_text(t.content))
        .ok_or(e("encapContentInfo without a content type"))?;
    let econtent = match eci_parts.get(1) {
        Some(ec) => {
            let ec = ec.expect(0xa0, "eContent is not [0]")?;
            let inner = ec
                .children()?
                .into_iter()
                .next()
                .ok_or(e("empty eContent"))?;
            if inner.tag & 0x1f != 0x04 {
                return Err(e("eContent is not an OCTET STRING"));
            }
            Some(inner.octets()?.into_owned())
        }
        None => None,
    };
    let mut certs = Vec::new();
    let mut signers = Vec::new();
    for t in it {
        match t.tag {
            0xa0 => {
                for c in t.children()? {
                    if c.tag == 0x30 {
                        if certs.len() >= max_certs {
                            return Err(e("too many certificates in the CMS"));
                        }
                        certs.push(c.raw);
                    }
                }
            }
            0xa1 => {} // CRLs in the CMS are not used: revocation comes from the configuration
            0x31 => {
                for si in t.children()? {
                    if signers.len() >= 16 {
                        return Err(e("too many signers in the CMS"));
                    }
                    signers.push(signer_info(
                        &si.expect(0x30, "a SignerInfo is not a SEQUENCE")?,
                    )?);
                }
            }
            _ => return Err(e("an unexpected field in SignedData")),
        }
    }
    if signers.is_empty() {
        return Err(e("SignedData without a signer"));
    }
    Ok(SignedData {
        econtent_type,
        econtent,
        certs,
        signers,
    })
}

pub(crate) fn alg_id<'a>(t: &Tlv<'a>) -> Result<AlgId<'a>, BerError> {
    let kids = t
        .expect(0x30, "an AlgorithmIdentifier is not a SEQUENCE")?
        .children()?;
    let oid = kids
        .first()
        .filter(|o| o.tag == 0x06)
        .map(|o| oid_text(o.content))
        .ok_or(e("an AlgorithmIdentifier without an OID"))?;
    Ok(AlgId {
        oid,
        params: kids.get(1).copied().filter(|p| p.tag != 0x05),
    })
}

fn attributes<'a>(t: &Tlv<'a>) -> Result<Vec<Attr<'a>>, BerError> {
    let mut out = Vec::new();
    for a in t.children()? {
        let kids = a
            .expect(0x30, "an Attribute is not a SEQUENCE")?
            .children()?;
        let (Some(oid), Some(vals)) = (kids.first(), kids.get(1)) else {
            return Err(e("a malformed Attribute"));
        };
        if oid.tag != 0x06 {
            return Err(e("an Attribute without a type"));
        }
        out.push(Attr {
            oid: oid_text(oid.content),
            values: vals
                .expect(0x31, "Attribute values are not a SET")?
                .children()?,
        });
    }
    Ok(out)
}

fn signer_info<'a>(si: &Tlv<'a>) -> Result<SignerInfo<'a>, BerError> {
    let mut it = si.children()?.into_iter().peekable();
    it.next()
        .ok_or(e("SignerInfo without a version"))?
        .expect(0x02, "a bad SignerInfo version")?;
    let sid_t = it
        .next()
        .ok_or(e("SignerInfo without a signer identifier"))?;
    let sid = match sid_t.tag {
        0x30 => {
            let k = sid_t.children()?;
            match k.as_slice() {
                [issuer, serial] if issuer.tag == 0x30 && serial.tag == 0x02 => Sid::IssuerSerial {
                    issuer: issuer.raw,
                    serial: serial.content,
                },
                _ => return Err(e("a malformed IssuerAndSerialNumber")),
            }
        }
        0x80 | 0xa0 => Sid::KeyId(sid_t.octets()?.into_owned()),
        _ => return Err(e("a malformed signer identifier")),
    };
    let digest_alg = alg_id(
        &it.next()
            .ok_or(e("SignerInfo without a digest algorithm"))?,
    )?;
    let mut signed_attrs_raw = None;
    let mut signed_attrs = Vec::new();
    if let Some(t) = it.peek().filter(|t| t.tag == 0xa0).copied() {
        it.next();
        signed_attrs_raw = Some(t);
        signed_attrs = attributes(&t)?;
    }
    let sig_alg = alg_id(
        &it.next()
            .ok_or(e("SignerInfo without a signature algorithm"))?,
    )?;
    let sig_t = it.next().ok_or(e("SignerInfo without a signature"))?;
    if sig_t.tag & 0x1f != 0x04 {
        return Err(e("the signature is not an OCTET STRING"));
    }
    let signature = sig_t.octets()?.into_owned();
    let mut unsigned_attrs = Vec::new();
    if let Some(t) = it.next() {
        unsigned_attrs = attributes(&t.expect(0xa1, "unexpected data after the signature")?)?;
    }
    Ok(SignerInfo {
        sid,
        digest_alg,
        signed_attrs_raw,
        signed_attrs,
        sig_alg,
        signature,
        unsigned_attrs,
    })
}

/// The bytes a signature over signed attributes covers: their encoding with the
/// `[0] IMPLICIT` tag replaced by SET OF (RFC 5652 §5.4), never re-sorted. For an
/// indefinite length the definite form is rebuilt around the same content.
pub(crate) fn signed_attrs_message(t: &Tlv<'_>) -> Vec<u8> {
    if !t.indefinite {
        let mut out = t.raw.to_vec();
        if let Some(first) = out.first_mut() {
            *first = 0x31;
        }
        return out;
    }
    let n = t.content.len();
    let mut out = vec![0x31];
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(t.content);
    out
}

/// RFC 3161 TSTInfo: what the verifier needs.
#[derive(Debug, Clone)]
pub(crate) struct TstInfo {
    pub(crate) imprint_alg: String,
    pub(crate) imprint: Vec<u8>,
    /// genTime, Unix seconds.
    pub(crate) gen_time: Option<i64>,
}

pub(crate) fn tst_info(der: &[u8]) -> Result<TstInfo, BerError> {
    let (t, _) = ber::read_one(der)?;
    let kids = t.expect(0x30, "TSTInfo is not a SEQUENCE")?.children()?;
    let mi = kids.get(2).ok_or(e("TSTInfo without a messageImprint"))?;
    let mi = mi.expect(0x30, "a malformed messageImprint")?.children()?;
    let (Some(alg), Some(hash)) = (mi.first(), mi.get(1)) else {
        return Err(e("a malformed messageImprint"));
    };
    let gen_time = kids
        .get(4)
        .filter(|t| t.tag == 0x18)
        .and_then(|t| asn1_time(t.tag, t.content));
    Ok(TstInfo {
        imprint_alg: alg_id(alg)?.oid,
        imprint: hash.content.to_vec(),
        gen_time,
    })
}

/// A UTCTime (0x17) or GeneralizedTime (0x18) as Unix seconds. Fractions are dropped;
/// a zone offset is applied.
pub(crate) fn asn1_time(tag: u8, content: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(content).ok()?;
    let date = match tag {
        0x17 => {
            let yy: i16 = s.get(0..2)?.parse().ok()?;
            let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
            format!("{year:04}{}", s.get(2..)?)
        }
        0x18 => s.to_owned(),
        _ => return None,
    };
    let num = |a: usize, b: usize| -> Option<i64> { date.get(a..b)?.parse().ok() };
    let (y, mo, d, h, mi) = (
        num(0, 4)?,
        num(4, 6)?,
        num(6, 8)?,
        num(8, 10)?,
        num(10, 12)?,
    );
    let mut idx = 12;
    let sec = if date
        .get(12..14)
        .is_some_and(|x| x.bytes().all(|b| b.is_ascii_digit()))
    {
        idx = 14;
        num(12, 14)?
    } else {
        0
    };
    let mut tail = date.get(idx..)?;
    if let Some(frac) = tail.strip_prefix('.') {
        tail = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match tail {
        "Z" | "" => 0,
        t if t.len() == 5 && (t.starts_with('+') || t.starts_with('-')) => {
            let sign = if t.starts_with('-') { -1 } else { 1 };
            let hh: i64 = t.get(1..3)?.parse().ok()?;
            let mm: i64 = t.get(3..5)?.parse().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
        _ => return None,
    };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(sec.min(59)).ok()?,
        0,
    )
    .ok()?;
    let ts = dt
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_second();
    Some(ts - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times() {
        assert_eq!(asn1_time(0x17, b"250301000000Z"), Some(1_740_787_200));
        assert_eq!(asn1_time(0x18, b"20250301070000+0700"), Some(1_740_787_200));
        assert_eq!(asn1_time(0x18, b"20250301000000.123Z"), Some(1_740_787_200));
        assert_eq!(asn1_time(0x18, b"2025130100"), None);
        assert_eq!(asn1_time(0x17, b"garbage"), None);
    }

    #[test]
    fn refuses_what_is_not_signed_data() {
        assert!(parse(&[0x30, 0x03, 0x06, 0x01, 0x01], 8).is_err());
        assert!(parse(b"", 8).is_err());
    }
}
