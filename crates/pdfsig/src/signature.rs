//! One signature, checked: its ByteRange and `/Contents`, the CMS, the digest, the value,
//! the time-stamp, the certificate path at the signing time, and what came after it.

use lienthong_types::Code;

use crate::cms::{self, OID_DATA, OID_MESSAGE_DIGEST, OID_SIGNING_TIME, OID_TIMESTAMP_TOKEN};
use crate::crypto::{self, Hash, Key, SigFailure};
use crate::doc::Doc;
use crate::object::Obj;
use crate::report::{Covers, Role, SignatureReport, Verdict, rfc3339};
use crate::structure::{self, Change, Found};
use crate::trust::{PdfTrust, check_chain};

/// Vietnam's offset from UTC, seconds.
const VIETNAM: i64 = 7 * 3600;
/// A claimed time within this of the time-stamp is simply the same time.
const SAME_TIME: i64 = 5 * 60;

fn blank(index: usize, f: &Found, revisions: usize, now: i64) -> SignatureReport {
    SignatureReport {
        index,
        field: f.field.clone(),
        subfilter: f
            .sig
            .name(b"SubFilter")
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        role: Role::Person,
        verdict: Verdict::Invalid,
        valid: false,
        signer: None,
        signing_time_claimed: None,
        checked_at: rfc3339(now),
        timestamp: None,
        covers: Covers {
            whole_file: false,
            revision: None,
            revisions,
            changes_after: Vec::new(),
        },
        intact: false,
        trusted: false,
        revocation: "unchecked",
        chain: Vec::new(),
        algorithm: String::new(),
        weak: false,
        problems: Vec::new(),
        problem_codes: Vec::new(),
        notes: Vec::new(),
        note_codes: Vec::new(),
        organisation_cert: None,
    }
}

/// ByteRange `[0 a b c]`, checked against the file.
fn byte_range(f: &Found, len: usize) -> Result<[usize; 4], String> {
    let Some(Obj::Array(a)) = f.sig.get(b"ByteRange") else {
        return Err("the signature has no /ByteRange".into());
    };
    let v: Vec<usize> = a
        .iter()
        .map(|o| o.as_int().and_then(|i| usize::try_from(i).ok()))
        .collect::<Option<_>>()
        .ok_or("the /ByteRange holds a negative or non-integer value")?;
    let [s0, l0, s1, l1] = v.as_slice() else {
        return Err(format!("the /ByteRange has {} numbers, not 4", v.len()));
    };
    if *s0 != 0 {
        return Err("the /ByteRange does not start at the beginning of the file".into());
    }
    if *s1 <= *l0 {
        return Err("the two parts of the /ByteRange overlap".into());
    }
    match s1.checked_add(*l1) {
        Some(end) if end <= len => Ok([*s0, *l0, *s1, *l1]),
        _ => Err(format!(
            "the /ByteRange runs past the end of the file ({len} bytes)"
        )),
    }
}

/// The `/Contents` between the ranges, checked to be exactly the signature dictionary's.
fn contents(doc: &Doc<'_>, f: &Found, r: [usize; 4]) -> Result<Vec<u8>, String> {
    let gap = doc
        .bytes
        .get(r[1]..r[2])
        .ok_or("the /ByteRange gap is outside the file")?;
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Err("the bytes left out of the /ByteRange are not the /Contents hex string".into());
    }
    let mut p = crate::object::Parser::new(gap, 0);
    let decoded = match p.object(0) {
        Ok(Obj::Str(s)) if p.pos == gap.len() => s,
        _ => return Err("the bytes left out of the /ByteRange are not one hex string".into()),
    };
    match f.sig.get(b"Contents") {
        Some(Obj::Str(c)) if *c == decoded => {}
        _ => {
            return Err(
                "the bytes left out of the /ByteRange are not this signature's /Contents".into(),
            );
        }
    }
    if let Some(n) = f.sig_num
        && let Some((_, crate::doc::Entry::At(off))) = doc.entry(n, doc.newest())
        && off > r[1]
    {
        return Err("the /ByteRange gap lies before the signature dictionary".into());
    }
    Ok(decoded)
}

/// Check one signature. `now` is used when the signature claims no time.
pub(crate) fn check(
    doc: &Doc<'_>,
    trust: &PdfTrust,
    f: &Found,
    digests: &mut crate::digest::RangeDigests<'_>,
    now: i64,
) -> Result<SignatureReport, crate::error::PdfError> {
    let mut rep = blank(0, f, doc.revisions.len(), now);
    let subfilter = rep.subfilter.clone();
    let doc_timestamp = subfilter == "ETSI.RFC3161";
    let legacy_sha1 = match subfilter.as_str() {
        "adbe.pkcs7.detached" | "ETSI.CAdES.detached" | "ETSI.RFC3161" => false,
        "adbe.pkcs7.sha1" => true,
        other => {
            rep.problem(
                Code::PdfSubfilter,
                format!("the signature format '{other}' is not supported"),
            );
            return Ok(finish(rep));
        }
    };
    let r = match byte_range(f, doc.bytes.len()) {
        Ok(r) => r,
        Err(e) => {
            rep.problem(Code::PdfByteRange, e);
            return Ok(finish(rep));
        }
    };
    let raw = match contents(doc, f, r) {
        Ok(c) => c,
        Err(e) => {
            rep.problem(Code::PdfByteRange, e);
            return Ok(finish(rep));
        }
    };
    if raw.len() > doc.limits.max_contents_bytes {
        rep.problem(
            Code::PdfCms,
            format!(
                "the /Contents is {} bytes; at most {} are read",
                raw.len(),
                doc.limits.max_contents_bytes
            ),
        );
        return Ok(finish(rep));
    }
    // coverage
    let end = r[2] + r[3];
    let rev = doc
        .revisions
        .iter()
        .position(|v| end == v.end || end == v.eof_at);
    rep.covers.whole_file = end == doc.bytes.len();
    rep.covers.revision = rev.map(|i| i + 1);
    match rev {
        Some(i) => {
            let kinds: Vec<Change> = structure::changes_after(doc, i)?;
            let mdp = structure::docmdp(doc, &f.sig);
            rep.covers.changes_after = kinds.iter().map(|c| c.name()).collect();
            let said = |k: &mut dyn Iterator<Item = &Change>| {
                k.map(|c| c.describe()).collect::<Vec<_>>().join(", ")
            };
            if i + 1 < doc.revisions.len() {
                rep.note(
                    Code::PdfLaterRevision,
                    format!(
                        "the signature covers revision {} of {}; added after it: {}",
                        i + 1,
                        doc.revisions.len(),
                        if kinds.is_empty() {
                            "nothing that changes the document".to_owned()
                        } else {
                            said(&mut kinds.iter())
                        }
                    ),
                );
            }
            let bad = said(&mut kinds.iter().filter(|c| !c.allowed(mdp)));
            if !bad.is_empty() {
                rep.problem(
                    Code::PdfModified,
                    format!(
                        "the file was changed after this signature in ways it does not allow: {bad}"
                    ),
                );
            }
        }
        None if rep.covers.whole_file => {}
        None => rep.problem(
            Code::PdfByteRange,
            "the signed bytes do not end where a revision of the file ends",
        ),
    }
    if doc_timestamp {
        return Ok(finish(document_timestamp(
            rep,
            &raw,
            r,
            digests,
            trust,
            doc.limits.max_certificates,
        )));
    }
    // CMS
    let sd = match cms::parse(&raw, doc.limits.max_certificates) {
        Ok((sd, padding)) => {
            if padding.iter().any(|b| *b != 0) {
                rep.problem(Code::PdfCms, "the /Contents holds data after the CMS");
            }
            sd
        }
        Err(e) => {
            rep.problem(
                Code::PdfCms,
                format!("the signature data cannot be read: {}", e.0),
            );
            return Ok(finish(rep));
        }
    };
    let Some(si) = sd.signers.first() else {
        rep.problem(Code::PdfCms, "the CMS has no signer");
        return Ok(finish(rep));
    };
    if sd.signers.len() > 1 {
        rep.note(
            Code::PdfCms,
            format!(
                "the CMS has {} signers; the first is checked",
                sd.signers.len()
            ),
        );
    }
    let Some(cert_der) = crate::signer::find_cert(&sd, &si.sid) else {
        rep.problem(
            Code::PdfNoCertificate,
            "the CMS does not carry the signer's certificate",
        );
        return Ok(finish(rep));
    };
    let Some(cert) = crypto::parse_cert(cert_der) else {
        rep.problem(
            Code::CertMalformed,
            "the signer's certificate cannot be read",
        );
        return Ok(finish(rep));
    };
    let who = crate::signer::signer(&cert, cert_der, trust);
    rep.organisation_cert = crate::signer::organisation_cert(&who, cert_der);
    rep.signer = Some(who);
    let Some(dh) = Hash::from_oid(&si.digest_alg.oid) else {
        rep.problem(
            Code::PdfCms,
            format!(
                "the digest algorithm {} is not supported",
                si.digest_alg.oid
            ),
        );
        return Ok(finish(rep));
    };
    let mut weak = legacy_sha1 || dh == Hash::Sha1;
    // the content the signature covers
    let ranges_digest = digests.digest(r, if legacy_sha1 { Hash::Sha1 } else { dh });
    let content: Vec<u8> = if legacy_sha1 {
        match &sd.econtent {
            Some(ec) if *ec == ranges_digest => ec.clone(),
            Some(_) => {
                rep.problem(Code::PdfDigestMismatch, "the signed bytes were changed after signing (their SHA-1 is not the one signed)");
                return Ok(finish(rep));
            }
            None => {
                rep.problem(
                    Code::PdfCms,
                    "an adbe.pkcs7.sha1 signature without the signed digest",
                );
                return Ok(finish(rep));
            }
        }
    } else {
        if sd.econtent.is_some() {
            rep.problem(Code::PdfCms, "a detached signature that carries content");
        }
        Vec::new()
    };
    let message: Vec<u8> = match &si.signed_attrs_raw {
        Some(t) => {
            let md = si
                .signed(OID_MESSAGE_DIGEST)
                .and_then(|a| a.values.first())
                .map(|v| v.content.to_vec());
            let expected = if legacy_sha1 {
                dh.digest(&content)
            } else {
                ranges_digest.clone()
            };
            match md {
                Some(md) if md == expected => {}
                Some(_) => {
                    rep.problem(Code::PdfDigestMismatch, "the signed bytes were changed after signing (their digest is not the one signed)");
                }
                None => rep.problem(Code::PdfCms, "the signed attributes have no messageDigest"),
            }
            if let Some(ct) = si
                .signed(cms::OID_CONTENT_TYPE)
                .and_then(|a| a.values.first())
                && crate::ber::oid_text(ct.content) != OID_DATA
            {
                rep.problem(Code::PdfCms, "the signed content type is not data");
            }
            cms::signed_attrs_message(t)
        }
        None => {
            // no signed attributes: the signature is over the content itself
            if legacy_sha1 {
                content.clone()
            } else {
                ranges_bytes(doc, r)
            }
        }
    };
    if let Some(problem) = signing_certificate_mismatch(si, cert_der) {
        rep.problem(Code::PdfCms, problem);
    }
    let key = Key::of(&cert);
    weak |= key.weak();
    match crypto::verify(&key, &si.sig_alg, dh, &message, &si.signature) {
        Ok(name) => {
            rep.algorithm = name;
            if !rep.problem_codes.contains(&Code::PdfDigestMismatch)
                && !rep.problem_codes.contains(&Code::PdfCms)
            {
                rep.intact = true;
            }
        }
        Err(SigFailure::Invalid) => {
            rep.algorithm = format!("{} with {}", dh.name(), key.describe());
            rep.problem(Code::PdfBadSignature, "the signature value does not verify with the signer's certificate (forged, or the signed attributes were changed)");
        }
        Err(SigFailure::Unsupported(what)) => {
            rep.algorithm = what.clone();
            rep.problem(Code::PdfCms, format!("{what} is not supported"));
        }
    }
    if sd.certs.len() == 1 {
        rep.note(Code::PdfLeafOnly, "the signature carries only the signer's certificate; its issuers came from the trust configuration");
    }
    // times
    let claimed = si
        .signed(OID_SIGNING_TIME)
        .and_then(|a| a.values.first())
        .and_then(|v| cms::asn1_time(v.tag, v.content))
        .or_else(|| match f.sig.get(b"M") {
            Some(Obj::Str(m)) => pdf_date(m),
            _ => None,
        });
    rep.signing_time_claimed = claimed.map(rfc3339);
    let ts = si
        .unsigned(OID_TIMESTAMP_TOKEN)
        .and_then(|a| a.values.first())
        .map(|t| crate::tsp::timestamp(t.raw, &si.signature, trust, doc.limits.max_certificates));
    let mut at = claimed.unwrap_or(now);
    if let Some((t, time, broken)) = ts {
        if t.weak {
            rep.note(
                Code::PdfTimestampWeak,
                "the time-stamp uses SHA-1; the time it proves is used with that caveat",
            );
        }
        if broken {
            rep.problem(
                Code::PdfTimestampInvalid,
                format!("the time-stamp does not hold: {}", t.problems.join("; ")),
            );
        } else if let (true, Some(time)) = (t.valid, time) {
            at = time;
            if let Some(c) = claimed {
                let diff = c - time;
                if (diff - VIETNAM).abs() <= 3600 {
                    rep.note(Code::PdfTimeLocal, "the claimed signing time is Vietnam local time labelled UTC (7 hours ahead of the time-stamp); the time-stamp is used");
                } else if diff.abs() > SAME_TIME {
                    rep.note(Code::PdfTimeDiffers, format!(
                        "the claimed signing time is {} minutes {} the time-stamp; the time-stamp is used",
                        diff.abs() / 60,
                        if diff > 0 { "after" } else { "before" }
                    ));
                }
            }
        } else {
            rep.note(
                Code::PdfTimestampInvalid,
                format!(
                    "the time-stamp is not trusted ({}); the claimed signing time is used",
                    t.problems.join("; ")
                ),
            );
        }
        rep.timestamp = Some(t);
    } else if claimed.is_none() {
        rep.note(Code::PdfTimeDiffers, "the signature claims no signing time; certificates were checked at the verification time");
    }
    rep.checked_at = rfc3339(at);
    // the signer's certificate
    let info_ku = cert
        .key_usage()
        .ok()
        .flatten()
        .map(|k| (k.value.digital_signature(), k.value.non_repudiation()));
    match info_ku {
        None => rep.problem(Code::CertNoKeyUsage, "the signer's certificate has no KeyUsage extension"),
        Some((false, false)) => rep.problem(Code::CertKeyUsage, "the signer's certificate is not for signing (neither digitalSignature nor nonRepudiation)"),
        _ => {}
    }
    let chain = check_chain(trust, cert_der, &sd.certs, u64::try_from(at).unwrap_or(0));
    weak |= chain.weak;
    rep.chain = chain.links;
    chain_findings(
        &mut rep,
        chain.problems,
        chain.revocation_checked,
        "the signer's",
        "",
    );
    rep.trusted = !rep
        .problem_codes
        .iter()
        .any(|c| c.family() == lienthong_types::Family::Certificate);
    if weak {
        rep.weak = true;
        rep.note(
            Code::PdfWeak,
            weak_reason(legacy_sha1, dh, &key, rep.chain.iter().any(|l| l.weak)),
        );
    }
    Ok(finish(rep))
}

/// The ESS signing-certificate attribute (v2, or v1 with SHA-1), when signed, binds the
/// signature to one certificate: a CMS that names another is refused.
fn signing_certificate_mismatch(si: &cms::SignerInfo<'_>, cert_der: &[u8]) -> Option<String> {
    let (attr, v1) = match (
        si.signed(cms::OID_SIGNING_CERT_V2),
        si.signed(cms::OID_SIGNING_CERT),
    ) {
        (Some(a), _) => (a, false),
        (None, Some(a)) => (a, true),
        (None, None) => return None,
    };
    let first_id = attr
        .values
        .first()
        .and_then(|v| v.children().ok())
        .and_then(|certs| certs.first().copied())
        .and_then(|seq| seq.children().ok())
        .and_then(|ids| ids.first().copied())
        .and_then(|id| id.children().ok());
    let Some(id) = first_id else {
        return Some("the signed signing-certificate attribute cannot be read".into());
    };
    let (hash, value) = match (v1, id.first(), id.get(1)) {
        (true, Some(h), _) => (Hash::Sha1, h),
        (false, Some(alg), Some(h)) if alg.tag == 0x30 => {
            match cms::alg_id(alg).ok().and_then(|a| Hash::from_oid(&a.oid)) {
                Some(hash) => (hash, h),
                None => {
                    return Some("the signing-certificate attribute uses an unknown hash".into());
                }
            }
        }
        (false, Some(h), _) => (Hash::Sha256, h),
        _ => return Some("the signed signing-certificate attribute cannot be read".into()),
    };
    if hash.digest(cert_der) == value.content {
        None
    } else {
        Some("the signed signing-certificate attribute names another certificate than the one carried".into())
    }
}

/// Put a certificate path's problems (each prefixed) and its revocation status into the
/// report; `whose` names the certificate holder in the note.
fn chain_findings(
    rep: &mut SignatureReport,
    problems: Vec<(Code, String)>,
    revocation_checked: bool,
    whose: &str,
    prefix: &str,
) {
    for (code, m) in problems {
        if code == Code::CertRevoked {
            rep.revocation = "revoked";
        }
        rep.problem(code, format!("{prefix}{m}"));
    }
    if rep.revocation != "revoked" {
        if revocation_checked {
            rep.revocation = "checked";
        } else {
            rep.note(
                Code::PdfRevocationUnchecked,
                format!("no configured CRL covers {whose} issuer; revocation was not checked"),
            );
        }
    }
}

/// A document time-stamp (`ETSI.RFC3161`): the token's imprint must be the digest of the
/// signed ranges; the TSA is its signer.
fn document_timestamp(
    mut rep: SignatureReport,
    token: &[u8],
    r: [usize; 4],
    digests: &mut crate::digest::RangeDigests<'_>,
    trust: &PdfTrust,
    max_certs: usize,
) -> SignatureReport {
    rep.role = Role::Timestamp;
    let c = crate::tsp::check_token(
        token,
        &mut |h| digests.digest(r, h),
        "the signed bytes",
        trust,
        max_certs,
    );
    if let Some(der) = &c.tsa_der
        && let Some(cert) = crypto::parse_cert(der)
    {
        rep.signer = Some(crate::signer::signer(&cert, der, trust));
    }
    rep.algorithm = c.algorithm.clone();
    rep.chain = c.report.chain.clone();
    if let Some(t) = c.time {
        rep.checked_at = rfc3339(t);
    }
    if c.imprint_mismatch {
        rep.problem(
            Code::PdfDigestMismatch,
            "the signed bytes were changed after the document time-stamp (its imprint is not their digest)",
        );
    } else if c.broken {
        rep.problem(
            Code::PdfTimestampInvalid,
            format!(
                "the document time-stamp does not hold: {}",
                c.report.problems.join("; ")
            ),
        );
    } else {
        rep.intact = true;
    }
    chain_findings(
        &mut rep,
        c.chain_problems.clone(),
        c.revocation_checked,
        "the time-stamping authority's",
        "the time-stamping authority: ",
    );
    rep.trusted = c.chain_problems.is_empty();
    if c.report.weak {
        rep.weak = true;
        rep.note(
            Code::PdfWeak,
            "weak algorithms: the document time-stamp uses SHA-1, a short RSA key or a SHA-1 certificate link",
        );
    }
    rep.timestamp = Some(c.report);
    rep
}

fn weak_reason(sha1_filter: bool, dh: Hash, key: &Key, chain: bool) -> String {
    let mut why = Vec::new();
    if sha1_filter {
        why.push("the adbe.pkcs7.sha1 format".to_owned());
    } else if dh == Hash::Sha1 {
        why.push("a SHA-1 digest".to_owned());
    }
    if key.weak() {
        why.push(format!("an {} key", key.describe()));
    }
    if chain {
        why.push("a SHA-1 or short-key link in the certificate chain".to_owned());
    }
    format!("weak algorithms: {}", why.join(", "))
}

fn ranges_bytes(doc: &Doc<'_>, r: [usize; 4]) -> Vec<u8> {
    let mut v = doc
        .bytes
        .get(r[0]..r[0] + r[1])
        .unwrap_or_default()
        .to_vec();
    v.extend_from_slice(doc.bytes.get(r[2]..r[2] + r[3]).unwrap_or_default());
    v
}

/// Set the verdict from the problems and weakness.
pub(crate) fn finish(mut rep: SignatureReport) -> SignatureReport {
    let untrusted = |c: &Code| matches!(c, Code::CertUntrusted | Code::CertNoTrustRoots);
    rep.verdict = if rep
        .problem_codes
        .iter()
        .any(|c| !untrusted(c) && *c != Code::PdfWeak)
    {
        Verdict::Invalid
    } else if rep.problem_codes.iter().any(untrusted) {
        Verdict::Untrusted
    } else if rep.weak || rep.problem_codes.contains(&Code::PdfWeak) {
        Verdict::Weak
    } else if rep.intact {
        Verdict::Valid
    } else {
        Verdict::Invalid
    };
    rep.valid = rep.verdict == Verdict::Valid;
    rep
}

/// A PDF date `D:YYYYMMDDHHmmSSOHH'mm'` as Unix seconds.
fn pdf_date(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let mut full = digits.clone();
    // a date may stop after the year, month, day, hour or minute
    full.push_str(
        "0101000000"
            .get(digits.len().saturating_sub(4)..)
            .unwrap_or_default(),
    );
    let rest = s.get(digits.len()..).unwrap_or_default().replace('\'', "");
    let zone = match rest.as_str() {
        "" | "Z" => "Z".to_owned(),
        z if z.len() >= 5 => z.get(..5)?.to_owned(),
        z if z.len() == 3 => format!("{z}00"),
        _ => return None,
    };
    cms::asn1_time(0x18, format!("{}{}", full.get(..14)?, zone).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pdf_dates_and_agency_codes() {
        assert_eq!(pdf_date(b"D:20250301070000+07'00'"), Some(1_740_787_200));
        assert_eq!(pdf_date(b"D:20250301000000Z"), Some(1_740_787_200));
        assert_eq!(pdf_date(b"D:2025"), Some(1_735_689_600));
        assert_eq!(pdf_date(b"yesterday"), None);
    }
}
