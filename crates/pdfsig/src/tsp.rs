//! The RFC 3161 time-stamp on a signature: its token read as CMS, its TSTInfo, the imprint
//! over the signature value, the TSA's own signature and its chain at the time it states.

use crate::cms::{self, OID_MESSAGE_DIGEST};
use crate::crypto::{self, Hash, Key};
use crate::report::Timestamp;
use crate::report::rfc3339;
use crate::signer::find_cert;
use crate::trust::{PdfTrust, check_chain};

/// Check a time-stamp token over `signature`. Returns the report, the time it proves,
/// and whether it is broken (not merely untrusted): unreadable, another signature's, or
/// its own signature failing.
pub(crate) fn timestamp(
    token: &[u8],
    signature: &[u8],
    trust: &PdfTrust,
    max_certs: usize,
) -> (Timestamp, Option<i64>, bool) {
    let mut t = Timestamp {
        time: None,
        tsa: None,
        valid: false,
        weak: false,
        imprint_algorithm: String::new(),
        chain: Vec::new(),
        problems: Vec::new(),
    };
    let sd = match cms::parse(token, max_certs) {
        Ok((sd, _)) => sd,
        Err(e) => {
            t.problems
                .push(format!("the time-stamp cannot be read: {}", e.0));
            return (t, None, true);
        }
    };
    if sd.econtent_type != cms::OID_TST_INFO {
        t.problems
            .push("the time-stamp token does not hold TSTInfo".into());
        return (t, None, true);
    }
    let Some(tst) = sd.econtent.as_deref().and_then(|e| cms::tst_info(e).ok()) else {
        t.problems
            .push("the time-stamp's TSTInfo cannot be read".into());
        return (t, None, true);
    };
    let time = tst.gen_time;
    t.time = time.map(rfc3339);
    let Some(ih) = Hash::from_oid(&tst.imprint_alg) else {
        t.problems.push(format!(
            "the time-stamp's imprint algorithm {} is not supported",
            tst.imprint_alg
        ));
        return (t, time, true);
    };
    t.imprint_algorithm = ih.name().into();
    t.weak |= ih == Hash::Sha1;
    let mut ok = true;
    let mut broken = false;
    if ih.digest(signature) != tst.imprint {
        t.problems
            .push("the time-stamp's imprint does not match the signature".into());
        ok = false;
        broken = true;
    }
    let Some(si) = sd.signers.first() else {
        t.problems.push("the time-stamp has no signer".into());
        return (t, time, true);
    };
    let Some(der) = find_cert(&sd, &si.sid) else {
        t.problems
            .push("the time-stamp does not carry the TSA's certificate".into());
        return (t, time, true);
    };
    let Some(cert) = crypto::parse_cert(der) else {
        t.problems
            .push("the TSA's certificate cannot be read".into());
        return (t, time, true);
    };
    t.tsa = Some(cert.subject().to_string());
    let Some(dh) = Hash::from_oid(&si.digest_alg.oid) else {
        t.problems
            .push("the time-stamp's digest algorithm is not supported".into());
        return (t, time, true);
    };
    t.weak |= dh == Hash::Sha1;
    let tst_der = sd.econtent.as_deref().unwrap_or_default();
    let message = match &si.signed_attrs_raw {
        Some(attrs) => {
            let md = si
                .signed(OID_MESSAGE_DIGEST)
                .and_then(|a| a.values.first())
                .map(|v| v.content);
            if md != Some(dh.digest(tst_der).as_slice()) {
                t.problems
                    .push("the time-stamp's content does not match its signed digest".into());
                ok = false;
                broken = true;
            }
            cms::signed_attrs_message(attrs)
        }
        None => tst_der.to_vec(),
    };
    let key = Key::of(&cert);
    t.weak |= key.weak();
    if crypto::verify(&key, &si.sig_alg, dh, &message, &si.signature).is_err() {
        t.problems
            .push("the time-stamp's signature does not verify".into());
        ok = false;
        broken = true;
    }
    let chain = check_chain(
        trust,
        der,
        &sd.certs,
        time.and_then(|x| u64::try_from(x).ok()).unwrap_or(0),
    );
    t.weak |= chain.weak;
    t.chain = chain.links;
    for (_, m) in chain.problems {
        t.problems.push(format!("TSA: {m}"));
        ok = false;
    }
    t.valid = ok && time.is_some();
    (t, time, broken)
}
