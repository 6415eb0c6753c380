//! The uplink's poller: ask the upstream what waits for this gateway's system, take each
//! item, store it durably and dispatch it, and only then acknowledge it upstream. Never the
//! other way round: a crash or a lost answer between the two makes the upstream list the
//! item again, and taking it again finds it stored (by its bytes) and acknowledges it.

use std::sync::Arc;

use lienthong_edxml::AgencyCode;
use lienthong_store::{MessageId, Origin, StoreError};
use lienthong_types::Code;
use lienthong_vxp::Operation;

use super::Uplink;
use crate::apply::{planned, wake};
use crate::core::{dispatch as route, document};
use crate::error::ApiError;
use crate::state::{Shared, blocking};

pub(super) async fn run(state: Shared, up: Arc<Uplink>, stop: Arc<tokio::sync::Notify>) {
    loop {
        for kind in ["edoc", "status"] {
            if let Err(e) = poll_once(&state, &up, kind).await {
                // The link is down (as for a peer): sends wait; when a poll or a send gets
                // through again, the sends held back are due at once.
                crate::forward::link_outcome(&state, &up.hop, Some(&format!("uplink: {e}"))).await;
                break;
            }
        }
        tokio::select! {
            () = stop.notified() => return,
            () = tokio::time::sleep(up.every) => {}
        }
    }
}

/// What became of one item taken from upstream.
enum Taken {
    /// Stored now, or found stored already (taken before): acknowledge it.
    Stored,
    /// Refused for good (not edXML, no recipient here, a signature policy): tell upstream.
    Refused(String),
}

/// List the items of `kind` waiting upstream and take each. An error means the upstream
/// could not be asked (the link).
async fn poll_once(s: &Shared, up: &Uplink, kind: &str) -> Result<(), String> {
    let listed = up
        .client
        .call(
            Operation::GetReceivedEdocList,
            &[("servicetype", "eDoc"), ("messagetype", kind)],
            None,
        )
        .await?;
    if !listed.ok() {
        return Err(format!("getReceivedEdocList: {}", listed.excerpt()));
    }
    crate::forward::link_outcome(s, &up.hop, None).await;
    let items = listed.json()["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for item in items {
        let Some(doc_id) = item["docId"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| item["docId"].as_u64().map(|n| n.to_string()))
        else {
            continue;
        };
        // One item that cannot be taken now (too slow, refused) does not hold up the others.
        let got = match up
            .client
            .call(Operation::GetEdoc, &[("docId", &doc_id)], None)
            .await
        {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, error = %e, "uplink: getEdoc failed; taken at a later poll");
                continue;
            }
        };
        if !got.ok() {
            tracing::warn!(hop = %up.hop, doc_id = %doc_id, answer = %got.excerpt(), "uplink: getEdoc refused; taken at a later poll");
            continue;
        }
        let bytes = match base64_data(&got.json()) {
            Some(b) => b,
            None => {
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, "uplink: getEdoc's data is not base64; taken at a later poll");
                continue;
            }
        };
        // The list says what the bytes must be, when it says it (lienthong's VXP API does):
        // anything else was damaged on the way, and is never stored.
        if let Some(want) = item["contentSha256"].as_str() {
            let have = lienthong_store::Sha256::digest(&bytes).to_hex();
            if !have.eq_ignore_ascii_case(want) {
                s.metrics.refused(Code::VxpHashMismatch.as_str());
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, listed = %want, received = %have, "uplink: getEdoc's bytes do not match the listed SHA-256; not stored, taken at a later poll");
                continue;
            }
        }
        let answer = match take(s, up, bytes).await {
            Ok(Taken::Stored) => up.client.update_status(&doc_id, "done").await,
            Ok(Taken::Refused(why)) => refuse(up, &doc_id, &why).await,
            Err(e) if e.code.retry() == lienthong_types::Retry::Never => {
                refuse(up, &doc_id, &format!("{}: {}", e.code, e.message)).await
            }
            Err(e) => {
                // Not stored (the store cannot write, the body budget is spent): neither
                // acknowledged, so the upstream lists it again.
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, error = %e.message, "uplink: not stored now; taken at a later poll");
                continue;
            }
        };
        match answer {
            Ok(a) if a.ok() => {}
            Ok(a) => {
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, answer = %a.excerpt(), "uplink: updateStatus refused; the item will be listed and found stored again");
            }
            Err(e) => {
                tracing::warn!(hop = %up.hop, doc_id = %doc_id, error = %e, "uplink: updateStatus failed; the item will be listed and found stored again");
            }
        }
    }
    Ok(())
}

/// Tell the upstream that item `doc_id` is refused here for good, and why.
async fn refuse(
    up: &Uplink,
    doc_id: &str,
    why: &str,
) -> Result<crate::vxp::client::VxpAnswer, String> {
    tracing::warn!(hop = %up.hop, doc_id = %doc_id, reason = %why, "uplink: refused what the upstream gave; told it so");
    up.client
        .call(
            Operation::UpdateStatus,
            &[("docId", doc_id), ("status", "fail"), ("description", why)],
            None,
        )
        .await
}

fn base64_data(v: &serde_json::Value) -> Option<Vec<u8>> {
    use base64::Engine;
    let data = v["data"].as_str()?;
    let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean.as_bytes())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(clean.as_bytes()))
        .ok()
}

/// Check, store and dispatch what came down, as a relay from the uplink's hop: the
/// recipients are the document's that this side reaches (known here, not behind the uplink).
async fn take(s: &Shared, up: &Uplink, bytes: Vec<u8>) -> Result<Taken, ApiError> {
    let hop = up.hop.clone();
    let policy = up.policy;
    let st = s.clone();
    let kept = bytes::Bytes::from(bytes);
    let body = kept.clone();
    let (taken, hops) = blocking(move || {
        let now = st.clock.now();
        let snap = st.snapshot();
        let Some(up_id) = snap.uplink.clone() else {
            return Err(ApiError::internal("no uplink in the snapshot"));
        };
        let checked = match document::check_document(&snap, &body, None, policy, now, now) {
            Ok(c) => c,
            Err(r) if r.code.retry() == lienthong_types::Retry::Never => {
                return Ok((Taken::Refused(format!("{}: {}", r.code, r.message)), vec![]));
            }
            Err(r) => return Err(r.into()),
        };
        let dir = &snap.directory;
        let ours = |c: &AgencyCode| dir.agency(c).is_some_and(|a| !a.uplink);
        // A sender of this side cannot come down from upstream.
        if AgencyCode::parse(&checked.sender).is_ok_and(|c| ours(&c)) {
            return Ok((
                Taken::Refused(format!(
                    "{} is an agency of this side; its documents do not come from upstream",
                    checked.sender
                )),
                vec![],
            ));
        }
        let recipients: Vec<AgencyCode> = checked
            .recipients
            .iter()
            .filter(|c| ours(c))
            .cloned()
            .collect();
        if recipients.is_empty() {
            return Ok((
                Taken::Refused("no recipient of it is reached through this gateway".into()),
                vec![],
            ));
        }
        let from = [up_id.clone()];
        let next = route::route_all(&snap, &recipients, &from, now)?;
        let plan = route::plan(&next, None);
        // From the uplink's hop, as a relay (so that the same bytes taken twice are found
        // stored), but with no hop behind it: for the gateways below, the message starts
        // here, where the directory homes the agencies behind the uplink.
        let origin = Origin::Relayed {
            from_gateway: hop.clone(),
            id: MessageId::new_v7(now),
            hops: Vec::new(),
        };
        match st.store.accept_with(
            &checked.accept_request(&body, &recipients, origin),
            &plan,
            now,
        ) {
            Ok(outcome) if outcome.duplicate => Ok((Taken::Stored, vec![])),
            Ok(_) => Ok((Taken::Stored, planned(&st, &plan))),
            // The same bytes taken before, under another id: stored already.
            Err(StoreError::Replayed { .. }) => Ok((Taken::Stored, vec![])),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    if !hops.is_empty() {
        wake(s, &hops);
    }
    drop(kept);
    Ok(taken)
}
