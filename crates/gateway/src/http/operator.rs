//! The operators' endpoints (an operator certificate): queues and links, searching
//! messages and acting on them, agencies' activity, certificates, backups, the console,
//! metrics.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use lienthong_edxml::AgencyCode;
use lienthong_i18n::{Lang, msg};
use lienthong_store::{ActionBy, MessageId, MessageQuery, MessageState, Timestamp};
use lienthong_types::Code;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::read_body;
use super::extract::{
    ApiPath, ApiQuery, OperatorPeer, ReaderPeer, canonical, page_limit, parse_id, query_id,
    require_json,
};
use crate::apply::wake;
use crate::error::ApiError;
use crate::identity::Peer;
use crate::state::{AppState, Shared, blocking};

pub(crate) async fn metrics(State(s): State<Shared>, _: ReaderPeer) -> Result<Response, ApiError> {
    let st = s.clone();
    let (stats, failed, activity, overdue) = blocking(move || {
        Ok((
            st.store.queue_stats(st.clock.now())?,
            st.store.failure().is_some(),
            st.store.agency_activity()?,
            overdue_totals(&st)?,
        ))
    })
    .await?;
    let at = s.clock.now();
    let inboxes: Vec<crate::metrics::InboxGauge> = activity
        .iter()
        .map(|a| crate::metrics::InboxGauge {
            agency: a.agency.clone(),
            unacknowledged: a.unacknowledged,
            oldest_age_seconds: a
                .oldest_unacknowledged_at
                .map_or(0, |t| at.millis_since(t) / 1000),
        })
        .collect();
    let health = crate::metrics::Health {
        store_failed: failed,
        document_crls_fresh_until: s.snapshot().doc_trust.crls_fresh_until(),
        client_crls_fresh_until: s.tls.revoked().fresh_until,
        inbox_waiters: s.inbox_waiters.waiting(),
        buffered_body_bytes: s.body_budget.held_bytes(),
        overdue_notices: overdue.0,
        overdue_completions: overdue.1,
    };
    let seen = crate::metrics::SeenGauges {
        next_hops: s.tls.next_hops.all(),
        clients: s.tls.clients.all(),
    };
    let text = s
        .metrics
        .render(&stats, &health, &inboxes, &s.links.all(), &seen);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// Operators: per agency homed here (and any other agency with activity here), what it sent
/// and received and what its DMS has not acknowledged yet, oldest first by age; for watching
/// each agency's compliance.
/// Receipt notices and completions overdue now: counted at most once a minute (the count
/// reads every open obligation).
fn overdue_totals(s: &AppState) -> Result<(u64, u64), ApiError> {
    let mut g = s
        .overdue_counted
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((at, n, d)) = *g
        && at.elapsed() < std::time::Duration::from_secs(60)
    {
        return Ok((n, d));
    }
    let o = s.store.overdue(s.clock.now(), None, 0)?;
    *g = Some((std::time::Instant::now(), o.notices_total, o.dues_total));
    Ok((o.notices_total, o.dues_total))
}

pub(crate) async fn agency_activity(
    State(s): State<Shared>,
    _: ReaderPeer,
) -> Result<Response, ApiError> {
    let st = s.clone();
    let stored = blocking(move || Ok(st.store.agency_activity()?)).await?;
    let rows = activity_rows(&s, stored, s.clock.now());
    Ok(Json(json!({"gateway": s.id.to_string(), "agencies": rows})).into_response())
}

/// Activity rows: every agency homed at this gateway (zeros when it did nothing, itself worth
/// knowing), then any other agency with activity here (relayed statuses, say), with names and
/// the age of the oldest unacknowledged inbox entry.
pub(crate) fn activity_rows(
    s: &AppState,
    stored: Vec<lienthong_store::AgencyActivity>,
    now: Timestamp,
) -> Vec<Value> {
    let mut by_code: std::collections::BTreeMap<String, lienthong_store::AgencyActivity> =
        stored.into_iter().map(|a| (a.agency.clone(), a)).collect();
    for a in s.directory().agencies() {
        if a.gateway == s.id {
            let code = a.code.to_string();
            by_code
                .entry(code.clone())
                .or_insert_with(|| lienthong_store::AgencyActivity {
                    agency: code,
                    ..Default::default()
                });
        }
    }
    by_code
        .into_values()
        .map(|a| {
            let known = s.directory().agency_by_text(&a.agency).cloned();
            json!({
                "agency": a.agency,
                "name": known.as_ref().map(|k| k.name.clone()),
                "home": known.as_ref().is_some_and(|k| k.gateway == s.id),
                "sent_documents": a.sent_documents,
                "sent_statuses": a.sent_statuses,
                "received_documents": a.received_documents,
                "received_statuses": a.received_statuses,
                "unacknowledged": a.unacknowledged,
                "oldest_unacknowledged_at": a.oldest_unacknowledged_at,
                "oldest_unacknowledged_age_seconds": a.oldest_unacknowledged_at.map(|t| now.millis_since(t) / 1000),
                "acknowledged_done": a.acknowledged_done,
                "acknowledged_failed": a.acknowledged_failed,
            })
        })
        .collect()
}

pub(crate) async fn queues(
    State(s): State<Shared>,
    _: ReaderPeer,
    lang: Option<Extension<Lang>>,
) -> Result<Response, ApiError> {
    let st = s.clone();
    let stats = blocking(move || Ok(st.store.queue_stats(st.clock.now())?)).await?;
    let now = s.clock.now();
    let lang = lang.map(|l| l.0).unwrap_or_default();
    let links: serde_json::Map<String, Value> = s
        .links
        .all()
        .into_iter()
        .map(|(hop, h)| {
            let mut v = json!(h);
            v["peer_certificate"] = s
                .tls
                .next_hops
                .get(&hop)
                .map_or(Value::Null, |c| seen_json(&c, now));
            if let Some(e) = &h.last_error {
                v["last_error_text"] = json!(crate::core::reason::explain(e).render(lang));
            }
            (hop, v)
        })
        .collect();
    Ok(Json(json!({"gateway": s.id.to_string(), "queues": stats, "links": links})).into_response())
}

/// `GET /console`: the operators' web page ([`crate::console`]), for operators and monitors.
pub(crate) async fn console(
    State(s): State<Shared>,
    ReaderPeer(peer): ReaderPeer,
) -> Result<Response, ApiError> {
    let mut r = crate::console::page(&peer, s.id.as_str()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::console::csp()),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

/// `POST /v1/backups`: start an online backup; 202 with its name. It takes no parameters:
/// the body is `{}` or nothing, and anything else is refused (a caller who means something
/// by it learns that it is not read).
pub(crate) async fn backup_start(
    State(s): State<Shared>,
    OperatorPeer(operator): OperatorPeer,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    crate::console::check_forgery(&headers, &uri, &Peer::Operator(operator.clone()))?;
    let who = Peer::Operator(operator.clone()).key();
    let (bytes, _body_share) = read_body(&s, &who, &headers, body).await?;
    let empty = bytes.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<Value>(&bytes)
            .is_ok_and(|v| v.as_object().is_some_and(serde_json::Map::is_empty));
    if !empty {
        return Err(ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-backup-body"),
        ));
    }
    let metrics = s.metrics.clone();
    let running = s.backups.start(
        s.store.clone(),
        s.clock.clone(),
        format!("operator {operator}"),
        move |r| {
            metrics.backup_done(r);
        },
    )?;
    tracing::info!(backup = %running.name, %operator, "backup started");
    Ok((StatusCode::ACCEPTED, Json(json!(running))).into_response())
}

/// `GET /v1/backups`: the one running, the last failure, and the backups made.
pub(crate) async fn backup_status(
    State(s): State<Shared>,
    _: ReaderPeer,
) -> Result<Response, ApiError> {
    let b = s.backups.clone();
    let v = tokio::task::spawn_blocking(move || b.status())
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(v).into_response())
}

/// A certificate a peer presented, with the days it has left.
pub(crate) fn seen_json(c: &crate::seen::SeenCert, now: Timestamp) -> Value {
    let mut v = json!(c);
    v["days_left"] = json!(crate::seen::days_left(c.not_after, now));
    v
}

/// `GET /v1/certificates`: every certificate this gateway depends on and when it expires,
/// the one expiring first first in each list: its own (and the CAs it trusts), the next
/// hops' (as presented when their forwarders last connected) and its clients' (DMSs,
/// gateways and operators, as presented when they last connected).
pub(crate) async fn certificates(
    State(s): State<Shared>,
    _: ReaderPeer,
) -> Result<Response, ApiError> {
    let now = s.clock.now();
    let mut own = s.tls.own_certificates();
    own.sort_by_key(|c| c.not_after);
    let own: Vec<Value> = own
        .into_iter()
        .map(|c| {
            let not_after = Timestamp::from_millis(c.not_after.saturating_mul(1000));
            json!({
                "file": c.file,
                "subject": c.subject,
                "not_after": not_after,
                "days_left": crate::seen::days_left(not_after, now),
            })
        })
        .collect();
    let mut next_hops: Vec<(String, Option<crate::seen::SeenCert>)> = s
        .links
        .all()
        .into_iter()
        .map(|(hop, _)| {
            let c = s.tls.next_hops.get(&hop);
            (hop, c)
        })
        .collect();
    // Not yet seen (never connected) last.
    next_hops.sort_by_key(|(hop, c)| {
        (
            c.as_ref().map_or(Timestamp::MAX, |c| c.not_after),
            hop.clone(),
        )
    });
    let next_hops: Vec<Value> = next_hops
        .into_iter()
        .map(|(hop, c)| {
            json!({
                "hop": hop,
                "certificate": c.map_or(Value::Null, |c| seen_json(&c, now)),
            })
        })
        .collect();
    let clients: Vec<Value> = s
        .tls
        .clients
        .all()
        .into_iter()
        .map(|(who, c)| json!({"peer": who, "certificate": seen_json(&c, now)}))
        .collect();
    Ok(Json(json!({
        "gateway": s.id.to_string(),
        "now": now,
        "own": own,
        "next_hops": next_hops,
        "clients": clients,
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct MessagesQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
    /// Start at this time (RFC 3339 or YYYY-MM-DD, UTC): ids are UUID v7, in time order.
    since: Option<String>,
    /// Stop before this time.
    until: Option<String>,
    /// Only messages this agency sent or that have it among their recipients.
    agency: Option<String>,
    /// Only messages with a dead letter whose reason contains this text.
    reason: Option<String>,
    /// Only documents whose number/symbol, subject or DocumentId contains this text.
    text: Option<String>,
    /// Find a document by its edXML DocumentId instead of listing a state.
    document_id: Option<String>,
    /// Its sender (default: the agency code before the first comma of the DocumentId,
    /// as edXML producers write it: `CODE,DATE,NUMBER/NOTATION`).
    sender: Option<String>,
}

pub(crate) fn parse_state(s: &str) -> Option<MessageState> {
    MessageState::ALL.into_iter().find(|m| {
        serde_json::to_value(m)
            .ok()
            .and_then(|v| v.as_str().map(|x| x == s))
            .unwrap_or(false)
    })
}

pub(crate) async fn messages(
    State(s): State<Shared>,
    _: ReaderPeer,
    lang: Option<Extension<Lang>>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Response, ApiError> {
    let lang = lang.map(|l| l.0).unwrap_or_default();
    // Every parameter is checked, also those a search by DocumentId leaves aside: a bad one
    // is refused whatever else is asked.
    let state_name = q.state.clone().unwrap_or_else(|| "dead".into());
    let agency = match &q.agency {
        Some(raw) => {
            let code = AgencyCode::parse(raw).map_err(|e| {
                ApiError::new(
                    Code::RequestBadRequest,
                    msg!("api-bad-agency", value = raw.as_str()),
                )
                .with(json!({"parameter": "agency"}))
                .because(e)
            })?;
            Some(canonical(&s.snapshot(), &code))
        }
        None => None,
    };
    let sender = q.sender.as_deref().map(sender_code).transpose()?;
    let mut query = search_query(
        &state_name,
        &q.after,
        &q.since,
        &q.until,
        q.limit,
        agency.as_ref(),
    )?;
    if let Some(doc) = q.document_id.clone() {
        return find_document(&s, doc, sender, lang).await;
    }
    query.reason = q.reason.clone().filter(|r| !r.is_empty());
    query.text = q.text.clone().filter(|t| !t.trim().is_empty());
    let st = s.clone();
    let (page, views) = blocking(move || {
        let page = st.store.find_messages(&query)?;
        let views = views_of(&st, &page.messages, lang)?;
        Ok((page, views))
    })
    .await?;
    let mut body = json!({
        "state": state_name,
        "messages": with_views(&page.messages, views),
        "next": page.next.map(|id| id.to_string()),
        "scanned": page.scanned,
    });
    if let Some(a) = agency {
        body["agency"] = json!(a.to_string());
    }
    Ok(Json(body).into_response())
}

/// The store query of a search: `state` (a state or `all`), `after` (an id), `since` and
/// `until` (times), `limit` (1…1000, default 100), and optionally an agency; each refused
/// with `request.bad_request` naming it when it does not read.
pub(crate) fn search_query(
    state_name: &str,
    after: &Option<String>,
    since: &Option<String>,
    until: &Option<String>,
    limit: Option<usize>,
    agency: Option<&AgencyCode>,
) -> Result<MessageQuery, ApiError> {
    let state = match state_name {
        "all" => None,
        name => Some(parse_state(name).ok_or_else(|| {
            ApiError::new(Code::RequestBadRequest, msg!("api-bad-state", value = name))
                .with(json!({"parameter": "state"}))
        })?),
    };
    let after = after.as_deref().map(|a| query_id("after", a)).transpose()?;
    let since = since.as_deref().map(|t| time_id("since", t)).transpose()?;
    let before = until.as_deref().map(|t| time_id("until", t)).transpose()?;
    Ok(MessageQuery {
        state,
        // Whichever starts later.
        after: after.max(since),
        before,
        agency: agency.map(ToString::to_string),
        sender: None,
        reason: None,
        text: None,
        limit: page_limit(limit)?,
        scan_limit: MESSAGES_SCAN_LIMIT,
    })
}

/// How many messages one `GET /v1/messages` page examines at most: a search for a rare
/// agency in a store of millions answers in bounded time, and says where to go on.
pub(crate) const MESSAGES_SCAN_LIMIT: usize = 20_000;

/// The first possible message id at the time `value` (query parameter `name`): a date or
/// an RFC 3339 time, one before 1970 read as 1970 (no message is older) and one in the
/// year 9999 as its end.
pub(crate) fn time_id(name: &str, value: &str) -> Result<MessageId, ApiError> {
    let secs = lienthong_dsig::time::parse_bound(value).ok_or_else(|| {
        ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-time", name = name, value = value),
        )
        .with(json!({"parameter": name}))
    })?;
    Ok(MessageId::first_at(Timestamp::from_millis(
        secs.saturating_mul(1000),
    )))
}

/// `sender` as an agency code, else `request.bad_request` naming it.
fn sender_code(raw: &str) -> Result<AgencyCode, ApiError> {
    AgencyCode::parse(raw).map_err(|e| {
        ApiError::new(Code::RequestBadRequest, msg!("api-bad-sender", value = raw))
            .with(json!({"parameter": "sender"}))
            .because(e)
    })
}

/// An operator asked about "document 123/UBND-VP": the message with that DocumentId, sent
/// by `sender` (when not given, the agency code before the DocumentId's first comma).
pub(crate) async fn find_document(
    s: &Shared,
    document_id: String,
    sender: Option<AgencyCode>,
    lang: Lang,
) -> Result<Response, ApiError> {
    let sender = match sender {
        Some(code) => code,
        None => sender_code(document_id.split(',').next().unwrap_or_default().trim())?,
    };
    let sender = s.directory().main_code(&sender);
    let st = s.clone();
    let (doc, code) = (document_id.clone(), sender.to_string());
    let (list, views) = blocking(move || {
        let found = match st.store.document_message(&code, &doc)? {
            Some(id) => vec![st.store.message(id)?],
            None => Vec::new(),
        };
        let views = views_of(&st, &found, lang)?;
        Ok((found, views))
    })
    .await?;
    Ok(Json(json!({
        "document_id": document_id,
        "sender": sender.to_string(),
        "messages": with_views(&list, views),
        "next": null,
    }))
    .into_response())
}

/// Each message's view (names, subject, number, states and reasons in words).
fn views_of(
    s: &AppState,
    messages: &[lienthong_store::MessageInfo],
    lang: Lang,
) -> Result<Vec<Value>, ApiError> {
    let snap = s.snapshot();
    messages
        .iter()
        .map(|m| {
            let facts = s.store.doc_facts(m.id)?;
            Ok(super::view::message_view(&snap, m, facts.as_ref(), lang))
        })
        .collect()
}

/// The messages as JSON, each with its `view`.
fn with_views(messages: &[lienthong_store::MessageInfo], views: Vec<Value>) -> Vec<Value> {
    messages
        .iter()
        .zip(views)
        .map(|(m, v)| {
            let mut j = json!(m);
            j["view"] = v;
            j
        })
        .collect()
}

/// The optional body of an operator action.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    /// Why: kept in the message's history with the operator's name.
    note: Option<String>,
}

pub(crate) async fn message_action(
    State(s): State<Shared>,
    OperatorPeer(operator): OperatorPeer,
    ApiPath((id, action)): ApiPath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    crate::console::check_forgery(&headers, &uri, &Peer::Operator(operator.clone()))?;
    let id = parse_id(&id)?;
    let who = Peer::Operator(operator.clone()).key();
    let (bytes, _body_share) = read_body(&s, &who, &headers, body).await?;
    let body: ActionBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        ActionBody::default()
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(Code::RequestBadRequest, msg!("api-bad-action-body")).because(e)
        })?
    };
    let by = ActionBy::operator(operator.clone(), body.note.filter(|n| !n.trim().is_empty()));
    by.check().map_err(|e| {
        ApiError::new(
            Code::RequestBadRequest,
            msg!("api-bad-note", reason = e.to_string()),
        )
    })?;
    let st = s.clone();
    let act = action.clone();
    let who = by.clone();
    let hops = blocking(move || {
        let now = st.clock.now();
        match act.as_str() {
            "retry" => st.store.retry_now(id, now, &who)?,
            "suspend" => st.store.suspend(id, now, &who)?,
            "resume" => st.store.resume(id, now, &who)?,
            "cancel" => st.store.cancel(id, now, &who)?,
            other => {
                return Err(ApiError::new(
                    Code::NotFound,
                    msg!("api-no-action", action = other),
                ));
            }
        }
        Ok(st
            .store
            .queue_entries(id)?
            .into_iter()
            .map(|e| e.hop)
            .collect::<Vec<_>>())
    })
    .await?;
    wake(&s, &hops);
    tracing::info!(
        message_id = %id,
        action = %action,
        operator = %operator,
        note = by.note.as_deref().unwrap_or(""),
        "operator action"
    );
    Ok(Json(json!({"id": id.to_string(), "action": action, "done": true})).into_response())
}
