//! RFC 3161 time-stamp tokens: on a signature (the imprint is over the signature value)
//! and as a document time-stamp (`ETSI.RFC3161`: the imprint is over the signed byte
//! ranges). The token is read as CMS; its TSTInfo, the imprint, the TSA's own signature and
//! its chain at the time it states are checked.

use lienthong_i18n::{Msg, msg};
use lienthong_types::Code;

use crate::cms::{self, OID_MESSAGE_DIGEST};
use crate::crypto::{self, Hash, Key};
use crate::report::Timestamp;
use crate::report::{prefixed, rfc3339};
use crate::signer::find_cert;
use crate::trust::{PdfTrust, check_chain};

/// What checking a token found.
pub(crate) struct Checked {
    pub(crate) report: Timestamp,
    /// The time it proves.
    pub(crate) time: Option<i64>,
    /// Broken, not merely untrusted: unreadable, over other bytes, or its own signature
    /// failing.
    pub(crate) broken: bool,
    /// The imprint did not match.
    pub(crate) imprint_mismatch: bool,
    /// The TSA's certificate (DER).
    pub(crate) tsa_der: Option<Vec<u8>>,
    /// The TSA's signature algorithm, named.
    pub(crate) algorithm: String,
    /// The problems of the TSA's chain, with their codes (`prefix` not yet set).
    pub(crate) chain_problems: Vec<(Code, Msg)>,
    /// A CRL covered the TSA.
    pub(crate) revocation_checked: bool,
}

/// Check a time-stamp token over `signature`. Returns the report, the time it proves,
/// and whether it is broken (not merely untrusted): unreadable, another signature's, or
/// its own signature failing.
pub(crate) fn timestamp(
    token: &[u8],
    signature: &[u8],
    trust: &PdfTrust,
    max_certs: usize,
) -> (Timestamp, Option<i64>, bool) {
    let c = check_token(token, &mut |h| h.digest(signature), false, trust, max_certs);
    (c.report, c.time, c.broken)
}

/// Check a token whose imprint must be `expected(hash)`: the digest of the signed bytes
/// for a document time-stamp (`document`), else of a signature's value.
pub(crate) fn check_token(
    token: &[u8],
    expected: &mut dyn FnMut(Hash) -> Vec<u8>,
    document: bool,
    trust: &PdfTrust,
    max_certs: usize,
) -> Checked {
    let (report, time, broken, extra) = check_inner(token, expected, document, trust, max_certs);
    let (imprint_mismatch, tsa_der, algorithm, chain_problems, revocation_checked) =
        extra.unwrap_or_default();
    Checked {
        report,
        time,
        broken,
        imprint_mismatch,
        tsa_der,
        algorithm,
        chain_problems,
        revocation_checked,
    }
}

type Extra = (bool, Option<Vec<u8>>, String, Vec<(Code, Msg)>, bool);

fn check_inner(
    token: &[u8],
    expected: &mut dyn FnMut(Hash) -> Vec<u8>,
    document: bool,
    trust: &PdfTrust,
    max_certs: usize,
) -> (Timestamp, Option<i64>, bool, Option<Extra>) {
    let mut t = Timestamp {
        time: None,
        tsa: None,
        valid: false,
        weak: false,
        imprint_algorithm: String::new(),
        chain: Vec::new(),
        problems: Vec::new(),
        problem_msgs: Vec::new(),
    };
    let sd = match cms::parse(token, max_certs) {
        Ok((sd, _)) => sd,
        Err(e) => {
            t.problem(msg!("pdf-tsp-unreadable", detail = e.0));
            return (t, None, true, None);
        }
    };
    if sd.econtent_type != cms::OID_TST_INFO {
        t.problem(msg!("pdf-tsp-no-tstinfo"));
        return (t, None, true, None);
    }
    let Some(tst) = sd.econtent.as_deref().and_then(|e| cms::tst_info(e).ok()) else {
        t.problem(msg!("pdf-tsp-tstinfo-unreadable"));
        return (t, None, true, None);
    };
    let time = tst.gen_time;
    t.time = time.map(rfc3339);
    let Some(ih) = Hash::from_oid(&tst.imprint_alg) else {
        t.problem(msg!("pdf-tsp-imprint-unsupported", oid = &tst.imprint_alg));
        return (t, time, true, None);
    };
    t.imprint_algorithm = ih.name().into();
    t.weak |= ih == Hash::Sha1;
    let mut ok = true;
    let mut broken = false;
    let imprint_mismatch = expected(ih) != tst.imprint;
    if imprint_mismatch {
        let what = if document {
            msg!("pdf-tsp-imprint-bytes")
        } else {
            msg!("pdf-tsp-imprint-signature")
        };
        t.problem(what);
        ok = false;
        broken = true;
    }
    let Some(si) = sd.signers.first() else {
        t.problem(msg!("pdf-tsp-no-signer"));
        return (t, time, true, None);
    };
    let Some(der) = find_cert(&sd, &si.sid) else {
        t.problem(msg!("pdf-tsp-no-certificate"));
        return (t, time, true, None);
    };
    let Some(cert) = crypto::parse_cert(der) else {
        t.problem(msg!("pdf-tsp-cert-unreadable"));
        return (t, time, true, None);
    };
    t.tsa = Some(cert.subject().to_string());
    let Some(dh) = Hash::from_oid(&si.digest_alg.oid) else {
        t.problem(msg!("pdf-tsp-digest-unsupported"));
        return (t, time, true, None);
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
                t.problem(msg!("pdf-tsp-content-changed"));
                ok = false;
                broken = true;
            }
            cms::signed_attrs_message(attrs)
        }
        None => tst_der.to_vec(),
    };
    let key = Key::of(&cert);
    t.weak |= key.weak();
    let algorithm = match crypto::verify(&key, &si.sig_alg, dh, &message, &si.signature) {
        Ok(name) => name,
        Err(_) => {
            t.problem(msg!("pdf-tsp-bad-signature"));
            ok = false;
            broken = true;
            format!("{} with {}", dh.name(), key.describe())
        }
    };
    let chain = check_chain(
        trust,
        der,
        &sd.certs,
        time.and_then(|x| u64::try_from(x).ok()).unwrap_or(0),
    );
    t.weak |= chain.weak;
    t.chain = chain.links;
    for (_, m) in &chain.problems {
        t.problem(prefixed(m.clone(), "pdf-prefix-tsa-short"));
        ok = false;
    }
    t.valid = ok && time.is_some();
    let extra = (
        imprint_mismatch,
        Some(der.to_vec()),
        algorithm,
        chain.problems,
        chain.revocation_checked,
    );
    (t, time, broken, Some(extra))
}
