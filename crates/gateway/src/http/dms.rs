//! The DMS's endpoints (an agency's client certificate): submit, the inbox, its own sent
//! documents, the directory.

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use lienthong_edxml::AgencyCode;
use lienthong_i18n::msg;
use lienthong_store::{FetchResult, InboxCursor, MessageId, MessageKind, RecipientState};
use lienthong_types::Code;
use serde::Deserialize;
use serde_json::{Value, json};

use super::BusySlot;
use super::body::{HeldBody, body_share, read_body};
use super::extract::{AgencyPeer, ApiPath, ApiQuery, KnownPeer, page_limit, parse_id};
use super::operator::search_query;
use crate::core::{document, relay as relay_core};
use crate::error::ApiError;
use crate::state::{AppState, Shared, blocking};

pub(crate) async fn submit(
    State(s): State<Shared>,
    AgencyPeer(caller): AgencyPeer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let snap = s.snapshot();
    let who =
        crate::http::extract::share_key(&snap, &crate::identity::Peer::Agency(caller.clone()));
    let (bytes, _body_share) = read_body(&s, &who, &headers, body).await?;
    let done = crate::intake::submit(
        &s,
        crate::core::document::Submitter::Dms(caller),
        bytes,
        snap.policy,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "id": done.id.to_string(),
            "sha256": done.sha256.to_hex(),
            "recipients": done.recipients.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "duplicate": done.duplicate,
            "signature": done.verdict,
            "pdfs": done.pdfs,
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct InboxQuery {
    after: Option<String>,
    limit: Option<usize>,
    kind: Option<String>,
    /// Long poll: seconds to wait for something new when the list is empty.
    wait: Option<u64>,
}

/// The longest inbox long poll, in seconds (also at most half the request timeout).
pub const MAX_INBOX_WAIT_S: u64 = 60;

/// An inbox cursor given as `after`: 1 to 19 digits (every such number is a cursor; the
/// OpenAPI file says the same pattern), else `request.bad_request`.
fn inbox_cursor(after: &str) -> Result<InboxCursor, ApiError> {
    let digits = (1..=19).contains(&after.len()) && after.bytes().all(|b| b.is_ascii_digit());
    match after.parse::<InboxCursor>() {
        Ok(cursor) if digits => Ok(cursor),
        _ => Err(ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-cursor", value = after),
        )
        .with(json!({"parameter": "after"}))),
    }
}

pub(crate) async fn inbox_list(
    State(s): State<Shared>,
    peer: AgencyPeer,
    slot: Option<Extension<BusySlot>>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Response, ApiError> {
    // The inbox is kept under the agency's main code, also for a certificate naming an alias.
    let agency = peer.main(&s.snapshot());
    let after = match &q.after {
        Some(a) => Some(inbox_cursor(a)?),
        None => None,
    };
    let kind = match q.kind.as_deref() {
        None => None,
        Some("edoc") => Some(MessageKind::Edoc),
        Some("status") => Some(MessageKind::Status),
        Some(k) => {
            return Err(
                ApiError::new(Code::RequestBadRequest, msg!("api-bad-kind", value = k))
                    .with(json!({"parameter": "kind"})),
            );
        }
    };
    let limit = page_limit(q.limit)?;
    let wait = match q.wait {
        Some(w) if w > MAX_INBOX_WAIT_S => {
            return Err(ApiError::new(
                Code::RequestBadRequest,
                msg!("api-bad-wait", value = w, max = MAX_INBOX_WAIT_S),
            )
            .with(json!({"parameter": "wait"})));
        }
        w => Duration::from_secs(w.unwrap_or(0))
            .min(Duration::from_millis(s.limits.request_timeout_ms / 2)),
    };
    let list = || {
        let (st, agency) = (s.clone(), agency.clone());
        blocking(move || Ok(st.store.list_inbox(agency.as_str(), after, limit, kind)?))
    };
    let mut items = list().await?;
    if items.is_empty() && !wait.is_zero() {
        // No slot free: answer at once, as without `wait`.
        if let Some(waiter) = s.inbox_waiters.register(agency.as_str()) {
            if let Some(Extension(slot)) = &slot {
                slot.release();
            }
            let deadline = tokio::time::Instant::now() + wait;
            loop {
                let mut woken = std::pin::pin!(waiter.notified());
                woken.as_mut().enable();
                // Delivered between the last look and `enable`: seen here.
                items = list().await?;
                if !items.is_empty() {
                    break;
                }
                if tokio::time::timeout_at(deadline, woken).await.is_err() {
                    break;
                }
            }
        }
    }
    // Urgent documents come first; those pulled ahead of their turn (`ahead`) come again in
    // order, so the cursor goes on from the last entry listed in order (null on an empty
    // page; a page with `ahead` entries always has entries in order too).
    let next = items
        .iter()
        .filter(|i| !i.ahead)
        .map(|i| i.cursor)
        .max()
        .map(|c| c.to_string());
    // Each entry with what a clerk reads first: number/symbol, subject, names (`view`). An
    // entry whose record cannot be read is listed all the same, with what is known.
    let st = s.clone();
    let items = blocking(move || {
        let snap = st.snapshot();
        Ok(items
            .into_iter()
            .map(|i| {
                let info = st.store.message(i.id).ok();
                let facts = st.store.doc_facts(i.id).ok().flatten();
                let view = super::view::inbox_view(&snap, &i.sender, info.as_ref(), facts.as_ref());
                let mut v = json!(i);
                v["view"] = view;
                v
            })
            .collect::<Vec<Value>>())
    })
    .await?;
    Ok(Json(json!({"items": items, "next": next})).into_response())
}

pub(crate) async fn inbox_get(
    State(s): State<Shared>,
    peer: AgencyPeer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    // The body's share of the memory budget is held until the answer has been sent.
    let (_, share) = inbox_message_with_share(&s, &peer, id).await?;
    let st = s.clone();
    let bytes = blocking(move || Ok(st.store.read_payload(id)?)).await?;
    let mut r = Body::new(HeldBody {
        data: Some(Bytes::from(bytes)),
        _share: share,
    })
    .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

/// Message `id` of the caller's inbox (kept under the agency's main code, also for a
/// certificate naming an alias), with the caller's share of the memory budget for its body.
async fn inbox_message_with_share(
    s: &Shared,
    peer: &AgencyPeer,
    id: MessageId,
) -> Result<(lienthong_store::MessageInfo, crate::budget::BodyPermit), ApiError> {
    let snap = s.snapshot();
    let (agency, who) = (peer.main(&snap), peer.key(&snap));
    let st = s.clone();
    let info = blocking(move || in_inbox(&st, &agency, id)).await?;
    let share = body_share(s, &who, info.size).await?;
    Ok((info, share))
}

/// Whether message `info` is (or was, and was fetched) in `agency`'s inbox here.
pub(crate) fn is_in_inbox(info: &lienthong_store::MessageInfo, agency: &AgencyCode) -> bool {
    matches!(
        info.recipients.get(agency.as_str()),
        Some(RecipientState::Delivered | RecipientState::Fetched { .. })
    )
}

/// Message `id` if it is in `agency`'s inbox; otherwise `not_found` (the same for a
/// message that exists elsewhere, so that other agencies learn nothing).
pub(crate) fn in_inbox(
    s: &AppState,
    agency: &AgencyCode,
    id: MessageId,
) -> Result<lienthong_store::MessageInfo, ApiError> {
    let info = s.store.message(id)?;
    if !is_in_inbox(&info, agency) {
        return Err(ApiError::new(Code::NotFound, msg!("api-not-in-inbox")));
    }
    Ok(info)
}

/// Who signed a message in the caller's inbox, and whether the signature holds: verified
/// by the gateway under its document trust, as of the message's entry into the network
/// (as every hop checked it), with today's revocation lists. A DMS shows this to the clerk
/// instead of implementing XML signatures and the PKI itself. `attachments` reports the
/// signatures inside each PDF attachment (plain or zipped): who signed, in which role,
/// when, what they cover, and whether they hold.
pub(crate) async fn inbox_signature(
    State(s): State<Shared>,
    peer: AgencyPeer,
    lang: Option<Extension<lienthong_i18n::Lang>>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let lang = lang.map(|l| l.0).unwrap_or_default();
    let id = parse_id(&id)?;
    let (info, share) = inbox_message_with_share(&s, &peer, id).await?;
    let st = s.clone();
    let (report, pdfs) = blocking(move || {
        let _share = share;
        let bytes = st.store.read_payload(id)?;
        let snap = st.snapshot();
        let (doc, parsed) = document::read_document(&snap, &bytes)?;
        // As this gateway judged it when it accepted the message, however long ago.
        let at = relay_core::relay_signature_time(id, info.accepted_at, snap.relay_window_ms);
        let report =
            document::signature_report(&snap, &doc, parsed.package.from(), at, st.clock.now());
        // The signatures inside its PDFs, each with its own signing time.
        let pdfs = crate::core::pdfs::check_attachments(
            &parsed.package,
            &snap.pdf_trust,
            i64::try_from(at.as_millis() / 1000).unwrap_or(i64::MAX),
            crate::core::pdfs::gateway_limits(),
        );
        Ok((report, pdfs))
    })
    .await?;
    let mut v = json!({"id": id.to_string(), "signature": report, "attachments": pdfs});
    super::view::signature_texts(&mut v, &report, &pdfs, lang);
    Ok(Json(v).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckBody {
    result: FetchResult,
    note: Option<String>,
}

pub(crate) async fn inbox_ack(
    State(s): State<Shared>,
    peer: AgencyPeer,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    // The inbox is kept under the agency's main code, also for a certificate naming an alias.
    let snap = s.snapshot();
    let (agency, who) = (peer.main(&snap), peer.key(&snap));
    let id = parse_id(&id)?;
    let (bytes, _body_share) = read_body(&s, &who, &headers, body).await?;
    let ack: AckBody = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(Code::RequestBadRequest, msg!("api-bad-ack-body")).because(e))?;
    if ack.note.as_ref().is_some_and(|n| n.len() > 4096) {
        return Err(ApiError::new(
            Code::RequestBadRequest,
            msg!("api-ack-note-too-long"),
        ));
    }
    let st = s.clone();
    blocking(move || {
        Ok(st.store.ack_inbox(
            agency.as_str(),
            id,
            ack.result,
            ack.note.as_deref(),
            st.clock.now(),
        )?)
    })
    .await?;
    Ok(Json(json!({"id": id.to_string(), "result": ack.result})).into_response())
}

pub(crate) async fn agencies(State(s): State<Shared>, _: KnownPeer) -> Result<Response, ApiError> {
    let list: Vec<Value> = s
        .directory()
        .agencies()
        .iter()
        .map(|a| serde_json::to_value(a).unwrap_or(Value::Null))
        .collect();
    Ok(Json(json!({"gateway": s.id.to_string(), "agencies": list})).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct SentQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    since: Option<String>,
    until: Option<String>,
}

/// A DMS's own sent documents and statuses, by state and time: "which of mine are still
/// on their way, and did any fail?" (`GET /v1/messages` for the caller's agency, as sender).
pub(crate) async fn sent_documents(
    State(s): State<Shared>,
    peer: AgencyPeer,
    ApiQuery(q): ApiQuery<SentQuery>,
) -> Result<Response, ApiError> {
    let caller = peer.main(&s.snapshot());
    let state_name = q.state.clone().unwrap_or_else(|| "all".into());
    let mut query = search_query(&state_name, &q.after, &q.since, &q.until, q.limit, None)?;
    query.sender = Some(caller.to_string());
    let st = s.clone();
    let page = blocking(move || Ok(st.store.find_messages(&query)?)).await?;
    Ok(Json(json!({
        "state": state_name,
        "agency": caller.to_string(),
        "messages": page.messages,
        "next": page.next.map(|id| id.to_string()),
        "scanned": page.scanned,
    }))
    .into_response())
}
