//! Signatures inside PDF files, the ones that carry legal value under Decree 30/2020:
//! the competent person's and the organisation's (applied by the clerk).
//!
//! [`verify_pdf`] takes the file's bytes, the time, and a [`PdfTrust`], and reports every
//! signature: who signed (and for which agency), in which role, when (claimed and
//! time-stamped), what it covers and what was added after it, whether the bytes are
//! intact, whether the certificate chains to a trusted root at the signing time and is not
//! revoked, and which algorithms are weak. It does no I/O and fetches nothing.
//!
//! The PDF reader and the BER/CMS reader are this crate's own, bounded by [`Limits`]:
//! see `docs/ARCHITECTURE.md` for why no PDF or CMS crate is used.

mod ber;
mod cms;
mod crypto;
mod digest;
mod doc;
mod error;
mod limits;
mod object;
mod report;
mod signature;
mod signer;
mod stream;
mod structure;
mod trust;
mod tsp;

pub use error::PdfError;
pub use limits::Limits;
pub use report::{Covers, PdfReport, Role, SignatureReport, Signer, Timestamp, Verdict};
pub use trust::{ChainLink, GOVERNMENT_INTERMEDIATES, GOVERNMENT_ROOTS, PdfTrust, TrustError};

/// Does `bytes` look like a PDF (a `%PDF-` header near the start)?
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..1024.min(bytes.len()))
        .is_some_and(|h| h.windows(5).any(|w| w == b"%PDF-"))
}

/// Verify every signature in a PDF file as of `now` (Unix seconds; used for signatures
/// that claim no time). An unreadable or hostile file is an error; a signature that does
/// not hold is a finding in the report.
pub fn verify_pdf(bytes: &[u8], now: i64, trust: &PdfTrust) -> Result<PdfReport, PdfError> {
    verify_pdf_with(bytes, now, trust, Limits::default())
}

/// [`verify_pdf`] with other limits.
pub fn verify_pdf_with(
    bytes: &[u8],
    now: i64,
    trust: &PdfTrust,
    limits: Limits,
) -> Result<PdfReport, PdfError> {
    let doc = doc::Doc::open(bytes, limits)?;
    let mut found = structure::signatures(&doc)?;
    // signing order: by where the signed bytes end
    let end_of = |f: &structure::Found| -> i64 {
        match f.sig.get(b"ByteRange").and_then(object::Obj::as_array) {
            Some([_, _, s, l]) => s
                .as_int()
                .unwrap_or(0)
                .saturating_add(l.as_int().unwrap_or(0)),
            _ => i64::MAX,
        }
    };
    found.sort_by_key(end_of);
    let mut digests = digest::RangeDigests::new(bytes);
    let mut signatures = Vec::with_capacity(found.len());
    for f in &found {
        signatures.push(signature::check(&doc, trust, f, &mut digests, now)?);
    }
    // Unclear from the certificate: the last of several signatures (time-stamps aside) is
    // the clerk's organisation signature; a single one or an earlier one is a person's.
    let people: Vec<usize> = (0..signatures.len())
        .filter(|i| {
            signatures
                .get(*i)
                .is_some_and(|s| s.role != Role::Timestamp)
        })
        .collect();
    for (k, s) in signatures.iter_mut().enumerate() {
        s.index = k + 1;
        if s.role == Role::Timestamp {
            continue;
        }
        let last = people.len() > 1 && people.last() == Some(&k);
        s.role = match s.organisation_cert {
            Some(true) => Role::Organisation,
            Some(false) => Role::Person,
            None if last => Role::Organisation,
            None => Role::Person,
        };
    }
    let verdict = if signatures.is_empty() {
        Verdict::Unsigned
    } else {
        signatures
            .iter()
            .map(|s| s.verdict)
            .max()
            .unwrap_or(Verdict::Invalid)
    };
    Ok(PdfReport {
        valid: verdict == Verdict::Valid,
        verdict,
        file: None,
        revisions: doc.revisions.len(),
        signatures,
    })
}
