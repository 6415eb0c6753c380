//! One signature, checked: its ByteRange and `/Contents`, the CMS, the digest, the value,
//! the time-stamp, the certificate path at the signing time, and what came after it.

use lienthong_i18n::{Arg, Msg, msg};
use lienthong_types::Code;

use crate::cms::{self, OID_DATA, OID_MESSAGE_DIGEST, OID_SIGNING_TIME, OID_TIMESTAMP_TOKEN};
use crate::crypto::{self, Hash, Key, SigFailure};
use crate::doc::Doc;
use crate::object::Obj;
use crate::report::{Covers, Role, SignatureReport, Verdict, prefixed, rfc3339};
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
        problem_msgs: Vec::new(),
        note_msgs: Vec::new(),
        organisation_cert: None,
    }
}

/// ByteRange `[0 a b c]`, checked against the file.
fn byte_range(f: &Found, len: usize) -> Result<[usize; 4], Msg> {
    let Some(Obj::Array(a)) = f.sig.get(b"ByteRange") else {
        return Err(msg!("pdf-byterange-missing"));
    };
    let v: Vec<usize> = a
        .iter()
        .map(|o| o.as_int().and_then(|i| usize::try_from(i).ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| msg!("pdf-byterange-value"))?;
    let [s0, l0, s1, l1] = v.as_slice() else {
        return Err(msg!("pdf-byterange-count", count = v.len()));
    };
    if *s0 != 0 {
        return Err(msg!("pdf-byterange-start"));
    }
    if *s1 <= *l0 {
        return Err(msg!("pdf-byterange-overlap"));
    }
    match s1.checked_add(*l1) {
        Some(end) if end <= len => Ok([*s0, *l0, *s1, *l1]),
        _ => Err(msg!("pdf-byterange-past-end", size = len)),
    }
}

/// The `/Contents` between the ranges, checked to be exactly the signature dictionary's.
fn contents(doc: &Doc<'_>, f: &Found, r: [usize; 4]) -> Result<Vec<u8>, Msg> {
    let gap = doc
        .bytes
        .get(r[1]..r[2])
        .ok_or_else(|| msg!("pdf-gap-outside"))?;
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Err(msg!("pdf-gap-not-contents"));
    }
    let mut p = crate::object::Parser::new(gap, 0);
    let decoded = match p.object(0) {
        Ok(Obj::Str(s)) if p.pos == gap.len() => s,
        _ => return Err(msg!("pdf-gap-not-one-string")),
    };
    match f.sig.get(b"Contents") {
        Some(Obj::Str(c)) if *c == decoded => {}
        _ => return Err(msg!("pdf-gap-other-contents")),
    }
    if let Some(n) = f.sig_num
        && let Some((_, crate::doc::Entry::At(off))) = doc.entry(n, doc.newest())
        && off > r[1]
    {
        return Err(msg!("pdf-gap-before-dictionary"));
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
            rep.problem(Code::PdfSubfilter, msg!("pdf-subfilter", format = other));
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
            msg!(
                "pdf-contents-too-large",
                size = raw.len(),
                limit = doc.limits.max_contents_bytes
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
            if i + 1 < doc.revisions.len() {
                let mut m = msg!(
                    "pdf-later-revision",
                    revision = i + 1,
                    revisions = doc.revisions.len()
                );
                m.args.extend(if kinds.is_empty() {
                    change_slots(&[], Some("pdf-change-nothing"))
                } else {
                    change_slots(&kinds, None)
                });
                rep.note(Code::PdfLaterRevision, m);
            }
            let bad: Vec<Change> = kinds.iter().copied().filter(|c| !c.allowed(mdp)).collect();
            if !bad.is_empty() {
                let mut m = msg!("pdf-modified");
                m.args.extend(change_slots(&bad, None));
                rep.problem(Code::PdfModified, m);
            }
        }
        None if rep.covers.whole_file => {}
        None => rep.problem(Code::PdfByteRange, msg!("pdf-byterange-not-revision")),
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
                rep.problem(Code::PdfCms, msg!("pdf-cms-trailing"));
            }
            sd
        }
        Err(e) => {
            rep.problem(Code::PdfCms, msg!("pdf-cms-unreadable", detail = e.0));
            return Ok(finish(rep));
        }
    };
    let Some(si) = sd.signers.first() else {
        rep.problem(Code::PdfCms, msg!("pdf-cms-no-signer"));
        return Ok(finish(rep));
    };
    if sd.signers.len() > 1 {
        rep.note(
            Code::PdfCms,
            msg!("pdf-cms-signers", count = sd.signers.len()),
        );
    }
    let Some(cert_der) = crate::signer::find_cert(&sd, &si.sid) else {
        rep.problem(Code::PdfNoCertificate, msg!("pdf-cms-no-certificate"));
        return Ok(finish(rep));
    };
    let Some(cert) = crypto::parse_cert(cert_der) else {
        rep.problem(Code::CertMalformed, msg!("pdf-cert-unreadable"));
        return Ok(finish(rep));
    };
    let who = crate::signer::signer(&cert, cert_der, trust);
    rep.organisation_cert = crate::signer::organisation_cert(&who, cert_der);
    rep.signer = Some(who);
    let Some(dh) = Hash::from_oid(&si.digest_alg.oid) else {
        rep.problem(
            Code::PdfCms,
            msg!("pdf-digest-unsupported", oid = &si.digest_alg.oid),
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
                rep.problem(Code::PdfDigestMismatch, msg!("pdf-sha1-changed"));
                return Ok(finish(rep));
            }
            None => {
                rep.problem(Code::PdfCms, msg!("pdf-sha1-no-digest"));
                return Ok(finish(rep));
            }
        }
    } else {
        if sd.econtent.is_some() {
            rep.problem(Code::PdfCms, msg!("pdf-detached-content"));
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
                    rep.problem(Code::PdfDigestMismatch, msg!("pdf-digest-changed"));
                }
                None => rep.problem(Code::PdfCms, msg!("pdf-no-message-digest")),
            }
            if let Some(ct) = si
                .signed(cms::OID_CONTENT_TYPE)
                .and_then(|a| a.values.first())
                && crate::ber::oid_text(ct.content) != OID_DATA
            {
                rep.problem(Code::PdfCms, msg!("pdf-content-type"));
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
            rep.problem(Code::PdfBadSignature, msg!("pdf-bad-signature"));
        }
        Err(SigFailure::Unsupported(what, problem)) => {
            rep.algorithm = what;
            rep.problem(Code::PdfCms, problem);
        }
    }
    if sd.certs.len() == 1 {
        rep.note(Code::PdfLeafOnly, msg!("pdf-leaf-only"));
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
            rep.note(Code::PdfTimestampWeak, msg!("pdf-timestamp-weak"));
        }
        if broken {
            rep.problem(
                Code::PdfTimestampInvalid,
                msg!("pdf-timestamp-broken", problems = t.problem_list()),
            );
        } else if let (true, Some(time)) = (t.valid, time) {
            at = time;
            if let Some(c) = claimed {
                let diff = c - time;
                if (diff - VIETNAM).abs() <= 3600 {
                    rep.note(Code::PdfTimeLocal, msg!("pdf-time-local"));
                } else if diff.abs() > SAME_TIME {
                    let minutes = diff.abs() / 60;
                    rep.note(
                        Code::PdfTimeDiffers,
                        if diff > 0 {
                            msg!("pdf-time-after", minutes = minutes)
                        } else {
                            msg!("pdf-time-before", minutes = minutes)
                        },
                    );
                }
            }
        } else {
            rep.note(
                Code::PdfTimestampInvalid,
                msg!("pdf-timestamp-untrusted", problems = t.problem_list()),
            );
        }
        rep.timestamp = Some(t);
    } else if claimed.is_none() {
        rep.note(Code::PdfTimeDiffers, msg!("pdf-no-signing-time"));
    }
    rep.checked_at = rfc3339(at);
    // the signer's certificate
    let info_ku = cert
        .key_usage()
        .ok()
        .flatten()
        .map(|k| (k.value.digital_signature(), k.value.non_repudiation()));
    match info_ku {
        None => rep.problem(Code::CertNoKeyUsage, msg!("pdf-no-key-usage")),
        Some((false, false)) => rep.problem(Code::CertKeyUsage, msg!("pdf-key-usage")),
        _ => {}
    }
    let chain = check_chain(trust, cert_der, &sd.certs, u64::try_from(at).unwrap_or(0));
    weak |= chain.weak;
    rep.chain = chain.links;
    chain_findings(&mut rep, chain.problems, chain.revocation_checked, false);
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
fn signing_certificate_mismatch(si: &cms::SignerInfo<'_>, cert_der: &[u8]) -> Option<Msg> {
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
        return Some(msg!("pdf-signing-cert-unreadable"));
    };
    let (hash, value) = match (v1, id.first(), id.get(1)) {
        (true, Some(h), _) => (Hash::Sha1, h),
        (false, Some(alg), Some(h)) if alg.tag == 0x30 => {
            match cms::alg_id(alg).ok().and_then(|a| Hash::from_oid(&a.oid)) {
                Some(hash) => (hash, h),
                None => return Some(msg!("pdf-signing-cert-hash")),
            }
        }
        (false, Some(h), _) => (Hash::Sha256, h),
        _ => return Some(msg!("pdf-signing-cert-unreadable")),
    };
    if hash.digest(cert_der) == value.content {
        None
    } else {
        Some(msg!("pdf-signing-cert-other"))
    }
}

/// Put a certificate path's problems and its revocation status into the report: the
/// signer's, or (`tsa`) the time-stamping authority's, whose problems say so first.
fn chain_findings(
    rep: &mut SignatureReport,
    problems: Vec<(Code, Msg)>,
    revocation_checked: bool,
    tsa: bool,
) {
    for (code, m) in problems {
        if code == Code::CertRevoked {
            rep.revocation = "revoked";
        }
        let m = if tsa {
            prefixed(m, "pdf-prefix-tsa")
        } else {
            m
        };
        rep.problem(code, m);
    }
    if rep.revocation != "revoked" {
        if revocation_checked {
            rep.revocation = "checked";
        } else if tsa {
            rep.note(Code::PdfRevocationUnchecked, msg!("pdf-crl-none-tsa"));
        } else {
            rep.note(Code::PdfRevocationUnchecked, msg!("pdf-crl-none-signer"));
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
    let c = crate::tsp::check_token(token, &mut |h| digests.digest(r, h), true, trust, max_certs);
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
        rep.problem(Code::PdfDigestMismatch, msg!("pdf-doc-timestamp-changed"));
    } else if c.broken {
        rep.problem(
            Code::PdfTimestampInvalid,
            msg!(
                "pdf-doc-timestamp-broken",
                problems = c.report.problem_list()
            ),
        );
    } else {
        rep.intact = true;
    }
    chain_findings(
        &mut rep,
        c.chain_problems.clone(),
        c.revocation_checked,
        true,
    );
    rep.trusted = c.chain_problems.is_empty();
    if c.report.weak {
        rep.weak = true;
        rep.note(Code::PdfWeak, msg!("pdf-doc-timestamp-weak"));
    }
    rep.timestamp = Some(c.report);
    rep
}

/// Why a signature is weak: its format or digest, its key, its chain; each message names
/// the reasons that hold, in that order.
fn weak_reason(sha1_filter: bool, dh: Hash, key: &Key, chain: bool) -> Msg {
    let digest = if sha1_filter {
        Some(Arg::Msg("pdf-weak-format"))
    } else if dh == Hash::Sha1 {
        Some(Arg::Msg("pdf-weak-sha1"))
    } else {
        None
    };
    let key = key.weak().then(|| key.describe());
    match (digest, key, chain) {
        (Some(d), None, false) => msg!("pdf-weak-d", digest = d),
        (Some(d), Some(k), false) => msg!("pdf-weak-dk", digest = d, key = k),
        (Some(d), None, true) => msg!("pdf-weak-dc", digest = d),
        (Some(d), Some(k), true) => msg!("pdf-weak-dkc", digest = d, key = k),
        (None, Some(k), false) => msg!("pdf-weak-k", key = k),
        (None, Some(k), true) => msg!("pdf-weak-kc", key = k),
        (None, None, true) => msg!("pdf-weak-c"),
        (None, None, false) => msg!("pdf-weak-none"),
    }
}

/// The changes after a signature as the values `c1`…`c7` of a message that lists them:
/// the first (or `first`, when given, for an empty list) as `pdf-change-KIND`, the others
/// as `pdf-change-KIND-more` (with the separator), the rest empty.
fn change_slots(kinds: &[Change], first: Option<&'static str>) -> Vec<(&'static str, Arg)> {
    const SLOTS: [&str; 7] = ["c1", "c2", "c3", "c4", "c5", "c6", "c7"];
    let mut ids: Vec<&'static str> = first.into_iter().collect();
    for c in kinds {
        let (alone, more) = c.message_ids();
        ids.push(if ids.is_empty() { alone } else { more });
    }
    SLOTS
        .iter()
        .enumerate()
        .map(|(i, slot)| (*slot, Arg::Msg(ids.get(i).copied().unwrap_or("pdf-empty"))))
        .collect()
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
