//! Who signed: the facts of the signer's certificate a clerk needs (name, organisation,
//! tax and budget-unit codes, the agency it speaks for), and whether it is a person's or an
//! organisation's.

use x509_parser::prelude::*;

use crate::cms::{self, SignedData};
use crate::crypto;
use crate::report::Signer;
use crate::report::rfc3339;
use crate::trust::PdfTrust;

pub(crate) fn signer(cert: &X509Certificate<'_>, der: &[u8], trust: &PdfTrust) -> Signer {
    let fp = ring::digest::digest(&ring::digest::SHA256, der);
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(fp.as_ref());
    let subj = cert.subject();
    let first = |it: &mut dyn Iterator<Item = &AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    let uids: Vec<String> = subj
        .iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == "0.9.2342.19200300.100.1.1")
        .filter_map(|a| a.as_str().ok().map(str::to_owned))
        .collect();
    let code_after = |prefix: &str| {
        uids.iter()
            .find_map(|u| u.strip_prefix(prefix).map(|v| v.trim().to_owned()))
    };
    let mst = code_after("MST:");
    let mns = code_after("MNS:");
    let agency = san_agency(cert)
        .or_else(|| trust.pinned(&fingerprint).map(str::to_owned))
        .or_else(|| {
            mst.as_deref()
                .and_then(|m| trust.tax_pinned(m))
                .map(str::to_owned)
        })
        .or_else(|| {
            mns.as_deref()
                .and_then(|m| trust.tax_pinned(m))
                .map(str::to_owned)
        })
        .or_else(|| {
            subj.iter_attributes()
                .filter_map(|a| a.as_str().ok())
                .find(|v| looks_like_agency_code(v))
                .map(str::to_owned)
        });
    Signer {
        subject: subj.to_string(),
        common_name: first(&mut subj.iter_common_name()),
        organisation: first(&mut subj.iter_organization()),
        agency,
        mst,
        mns,
        serial: cert.raw_serial_as_string(),
        fingerprint_sha256: fingerprint.iter().map(|b| format!("{b:02x}")).collect(),
        issuer: cert.issuer().to_string(),
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
    }
}

/// `000.00.01.H50`: an edXML agency code.
fn looks_like_agency_code(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 13
        && b.iter().enumerate().all(|(i, c)| match i {
            3 | 6 | 9 => *c == b'.',
            10 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })
}

/// Is the certificate an organisation's (not a person's)? `None` when it cannot tell.
///
/// A person's attributes make a person's; a common name equal to the organisation, a tax
/// or budget-unit code, or an agency named in the subjectAltName (an agency's signing
/// certificate) make an organisation's.
pub(crate) fn organisation_cert(s: &Signer, der: &[u8]) -> Option<bool> {
    if person_attrs(der) {
        return Some(false);
    }
    let names_agency = crypto::parse_cert(der).is_some_and(|c| san_agency(&c).is_some());
    match (&s.common_name, &s.organisation) {
        (Some(cn), Some(o)) if cn == o => Some(true),
        _ if s.mst.is_some() || s.mns.is_some() || names_agency => Some(true),
        _ => None,
    }
}

/// The agency a `urn:lienthong:agency:` subjectAltName URI names.
fn san_agency(cert: &X509Certificate<'_>) -> Option<String> {
    let san = cert.subject_alternative_name().ok().flatten()?;
    san.value.general_names.iter().find_map(|n| match n {
        GeneralName::URI(u) => u.strip_prefix("urn:lienthong:agency:").map(str::to_owned),
        _ => None,
    })
}

/// Does the subject carry attributes only a person's certificate has (title, given name,
/// surname, a personal ID in UID)?
fn person_attrs(der: &[u8]) -> bool {
    let Some(c) = crypto::parse_cert(der) else {
        return false;
    };
    c.subject().iter_attributes().any(|a| {
        let oid = a.attr_type().to_id_string();
        matches!(oid.as_str(), "2.5.4.12" | "2.5.4.42" | "2.5.4.4")
            || (oid == "0.9.2342.19200300.100.1.1"
                && a.as_str()
                    .is_ok_and(|v| ["CMND:", "CCCD:", "HC:"].iter().any(|p| v.starts_with(p))))
    })
}

/// The certificate of `sd` that the signer identifier names.
pub(crate) fn find_cert<'a>(sd: &SignedData<'a>, sid: &cms::Sid<'_>) -> Option<&'a [u8]> {
    sd.certs.iter().copied().find(|der| {
        let Some(c) = crypto::parse_cert(der) else {
            return false;
        };
        match sid {
            cms::Sid::IssuerSerial { issuer, serial } => {
                c.issuer().as_raw() == *issuer && trim0(c.raw_serial()) == trim0(serial)
            }
            cms::Sid::KeyId(k) => c
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0 == k.as_slice()),
                    _ => None,
                })
                .unwrap_or(false),
        }
    })
}

fn trim0(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_agency_codes() {
        assert!(looks_like_agency_code("000.00.01.H50"));
        assert!(!looks_like_agency_code("000.00.01.h50"));
        assert!(!looks_like_agency_code("Văn phòng"));
    }
}
