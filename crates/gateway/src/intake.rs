//! A document or status package from an agency's DMS, whichever API brought it (the mTLS
//! API's `POST /v1/documents` or the VXP API's `sendEdoc`): the decision core's checks, the
//! store's accept with its dispatch in one commit, then the forwarders woken.

use std::time::Instant;

use bytes::Bytes;
use lienthong_dsig::Verdict;
use lienthong_edxml::AgencyCode;
use lienthong_store::{MessageId, MessageKind, Origin, Sha256};

use crate::apply::{dispatch, planned, wake};
use crate::config::SignaturePolicy;
use crate::core::document::Submitter;
use crate::core::{dispatch as route, document};
use crate::error::ApiError;
use crate::state::{Shared, blocking};

/// What accepting a submission did.
#[derive(Debug, Clone)]
pub(crate) struct Submitted {
    /// The message id (the same as before for a duplicate).
    pub id: MessageId,
    /// SHA-256 of the bytes.
    pub sha256: Sha256,
    /// Document or status package.
    pub kind: MessageKind,
    /// The recipients, by their main codes.
    pub recipients: Vec<AgencyCode>,
    /// The same document was accepted before: nothing new was stored.
    pub duplicate: bool,
    /// The envelope signature's verdict.
    pub verdict: Verdict,
    /// What the signatures inside its PDF attachments came to.
    pub pdfs: Vec<lienthong_store::PdfNote>,
}

/// Accept `bytes` from `caller` (an agency's DMS or a VXP system), under the signature
/// `policy`.
pub(crate) async fn submit(
    s: &Shared,
    caller: Submitter,
    bytes: Bytes,
    policy: SignaturePolicy,
) -> Result<Submitted, ApiError> {
    let started = Instant::now();
    let kept = bytes.clone();
    let st = s.clone();
    let (done, hops) = blocking(move || {
        let now = st.clock.now();
        // One snapshot for the whole decision, whatever a reload does meanwhile.
        let snap = st.snapshot();
        let checked = document::check_document(&snap, &bytes, Some(&caller), policy, now, now)?;
        let next = route::route_all(&snap, &checked.recipients, &[], now)?;
        let plan = route::plan(&next, None);
        let outcome = st.store.accept_with(
            &checked.accept_request(&bytes, &checked.recipients, Origin::Local),
            &plan,
            now,
        )?;
        if !checked.problems.is_empty() {
            tracing::warn!(message_id = %outcome.id, verdict = ?checked.verdict, problems = ?checked.problems, "accepted under policy 'record' with a signature that is not valid");
        }
        let broken: Vec<String> = checked
            .pdfs
            .iter()
            .filter(|p| matches!(p.verdict.as_str(), "invalid" | "untrusted" | "weak"))
            .map(|p| format!("{} ({})", p.name, p.verdict))
            .collect();
        if !broken.is_empty() && !outcome.duplicate {
            tracing::warn!(message_id = %outcome.id, pdfs = ?broken, "accepted with PDF signatures that do not hold (pdf_signatures = \"record\"; tracking says why)");
        }
        let hops = if outcome.duplicate {
            dispatch(&st, outcome.id, &next, now)?
        } else {
            planned(&st, &plan)
        };
        Ok((
            Submitted {
                id: outcome.id,
                sha256: outcome.sha256,
                kind: checked.kind,
                recipients: checked.recipients,
                duplicate: outcome.duplicate,
                verdict: checked.verdict,
                pdfs: checked.pdfs,
            },
            hops,
        ))
    })
    .await?;
    if !done.duplicate && !hops.is_empty() {
        s.hot
            .put(done.id, kept, Vec::new(), done.verdict != Verdict::Valid);
    }
    wake(s, &hops);
    if !done.duplicate {
        s.metrics.accepted(started.elapsed());
        s.metrics
            .pdf_verdicts(done.pdfs.iter().map(|p| p.verdict.as_str()));
    }
    tracing::info!(message_id = %done.id, duplicate = done.duplicate, "document accepted");
    Ok(done)
}
