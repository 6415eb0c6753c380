//! `POST /v1/relay`: a neighbouring gateway hands us a message; we check it (the core's
//! relay and document decisions), store it with its dispatch and our signed receipt in one
//! durable commit, and answer with the receipt.

use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lienthong_edxml::AgencyCode;
use lienthong_i18n::msg;
use lienthong_routing::GatewayId;
use lienthong_store::{MessageId, Origin};
use lienthong_types::Code;
use serde_json::json;

use super::body::read_body;
use super::extract::GatewayPeer;
use crate::apply::{dispatch, planned, wake};
use crate::core::relay::headers;
use crate::core::{dispatch as route, document, receipt, relay as relay_core};
use crate::error::ApiError;
use crate::state::{Shared, blocking};

pub(crate) fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Result<&'h str, ApiError> {
    h.get(name).and_then(|v| v.to_str().ok()).ok_or_else(|| {
        ApiError::new(
            Code::RequestBadRequest,
            msg!("api-header-missing", name = name),
        )
    })
}

pub(crate) async fn relay(
    State(s): State<Shared>,
    GatewayPeer(from): GatewayPeer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let from_log = from.clone();
    let id = header_str(&headers, headers::MESSAGE_ID)?
        .parse::<MessageId>()
        .map_err(|_| {
            ApiError::new(
                Code::RequestBadRequest,
                msg!("api-header-invalid", name = headers::MESSAGE_ID),
            )
        })?;
    let sha = header_str(&headers, headers::SHA256)?.to_ascii_lowercase();
    let mut hops = Vec::new();
    for h in header_str(&headers, headers::HOPS)?
        .split(',')
        .filter(|h| !h.is_empty())
    {
        hops.push(GatewayId::parse(h.trim()).map_err(|e| {
            ApiError::new(
                Code::RequestBadRequest,
                msg!("api-header-invalid", name = headers::HOPS),
            )
            .because(e)
        })?);
    }
    let mut recipients = Vec::new();
    for r in header_str(&headers, headers::RECIPIENTS)?
        .split(',')
        .filter(|r| !r.is_empty())
    {
        let code = AgencyCode::parse(r.trim()).map_err(|e| {
            ApiError::new(
                Code::RequestBadRequest,
                msg!("api-header-invalid", name = headers::RECIPIENTS),
            )
            .because(e)
        })?;
        recipients.push(code);
    }
    // The sender's home gateway says it accepted a signature that is not valid under a
    // `record` policy (a VXP system's, say). Taken only with the whole directory and from
    // the home gateway itself (see below).
    let home_recorded = headers
        .get(relay_core::headers::SIGNATURE_POLICY)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"record"));
    // Before reading the body: a hop list that does not end with the caller, or is not a
    // path, is refused cheaply. The decision below checks it again on its own snapshot (a
    // reload may come between), so that it stands on its own.
    relay_core::check_hop_list(&s.snapshot(), &from, &hops)?;
    let who = crate::identity::Peer::Gateway(from.clone()).key();
    let (bytes, _body_share) = read_body(&s, &who, &headers, body).await?;
    let kept = bytes.clone();
    let path: Vec<String> = hops.iter().map(ToString::to_string).collect();
    let st = s.clone();
    let started = Instant::now();
    let (receipt, wake_hops, duplicate, recorded, pdfs) = blocking(move || {
        let now = st.clock.now();
        // A duplicate gets the original receipt, before any other work.
        if let Ok(Some(r)) = st.store.issued_receipt(id) {
            return Ok((r, vec![], true, false, Vec::new()));
        }
        let actual = lienthong_store::Sha256::digest(&bytes);
        if actual.to_hex() != sha {
            return Err(ApiError::new(Code::DocumentChecksum, msg!("api-checksum"))
                .with(json!({"expected": sha, "actual": actual.to_hex()})));
        }
        // One snapshot for the whole decision, whatever a reload does meanwhile.
        let snap = st.snapshot();
        let recipients: Vec<AgencyCode> = recipients
            .into_iter()
            .map(|c| snap.directory.main_code(&c))
            .collect();
        relay_core::authorize_relay(&snap, &from, &hops, &recipients, now)?;
        let signature_at = relay_core::relay_signature_time(id, now, snap.relay_window_ms);
        // Only straight from the gateway where the message started (`check_relayed_content`
        // makes sure that is the sender's home): a waiver passed on by another gateway
        // could be that gateway's forgery.
        let waived = home_recorded
            && snap.full_directory
            && snap.accept_recorded_relays
            && hops.len() == 1
            && hops.first() == Some(&from);
        let policy = if waived {
            crate::config::SignaturePolicy::Record
        } else {
            snap.policy
        };
        let checked = document::check_document(&snap, &bytes, None, policy, signature_at, now)?;
        relay_core::check_relayed_content(
            &snap,
            &from,
            &hops,
            &recipients,
            &checked.recipients,
            &checked.sender,
        )?;
        if waived {
            relay_core::check_recorded_waiver(&snap, &checked.sender, checked.verdict)?;
        }
        let next = route::route_all(&snap, &recipients, &hops, now)?;
        // Sign the receipt first, so that it is stored in the same commit as the message.
        let signed = receipt::issue_receipt(&snap, id, actual, hops.len(), now)
            .map_err(ApiError::internal)?;
        let plan = route::plan(&next, Some(signed.clone()));
        let outcome = st.store.accept_with(
            &checked.accept_request(
                &bytes,
                &recipients,
                Origin::Relayed {
                    from_gateway: from.to_string(),
                    id,
                    hops: hops.iter().map(ToString::to_string).collect(),
                },
            ),
            &plan,
            now,
        )?;
        if !outcome.duplicate {
            let recorded = checked.verdict != lienthong_dsig::Verdict::Valid;
            let pdfs: Vec<String> = checked.pdfs.into_iter().map(|p| p.verdict).collect();
            return Ok((signed, planned(&st, &plan), false, recorded, pdfs));
        }
        let wake = dispatch(&st, id, &next, now)?;
        // A duplicate gets the receipt stored first (the same bytes as the original's).
        let stored = st.store.put_issued_receipt(id, &signed, now)?;
        Ok((stored, wake, true, false, Vec::new()))
    })
    .await?;
    if !duplicate && !wake_hops.is_empty() {
        s.hot.put(id, kept, path, recorded);
    }
    wake(&s, &wake_hops);
    s.metrics.received_relay(started.elapsed(), duplicate);
    s.metrics.pdf_verdicts(pdfs.iter().map(String::as_str));
    tracing::info!(message_id = %id, from = %from_log, "relay received");
    let mut r = receipt.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}
