//! Tracking: a sender's (or operator's) view of a message here, and the trail beyond this
//! gateway, asked of the next hops that signed receipts (`GET /v1/relay/{id}`), all within
//! a time budget.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::BodyExt;
use lienthong_dsig::Receipt;
use lienthong_edxml::Package;
use lienthong_store::{MessageId, MessageKind, Origin, StatusNote};
use lienthong_types::Code;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ApiPath, ApiQuery, GatewayPeer, KnownPeer, canonical, parse_id};
use crate::error::ApiError;
use crate::identity::Peer;
use crate::state::{AppState, Shared, blocking};

/// `GET /v1/documents/{id}?trail=true`: also ask the gateways down the path. Off by default:
/// a DMS that polls tracking must not make every gateway on the path work for it.
#[derive(Debug, Deserialize)]
pub(crate) struct TrackQuery {
    trail: Option<bool>,
}

pub(crate) async fn track(
    State(s): State<Shared>,
    KnownPeer(peer): KnownPeer,
    lang: Option<axum::Extension<lienthong_i18n::Lang>>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> Result<Response, ApiError> {
    let lang = lang.map(|l| l.0).unwrap_or_default();
    let id = parse_id(&id)?;
    let st = s.clone();
    let mut view = blocking(move || {
        let info = st.store.message(id)?;
        let allowed = match &peer {
            Peer::Operator(_) | Peer::Monitor(_) => true,
            Peer::Agency(a) => {
                info.sender == a.as_str() || canonical(&st.snapshot(), a).as_str() == info.sender
            }
            _ => false,
        };
        if !allowed {
            return Err(ApiError::new(
                Code::NotFound,
                lienthong_i18n::msg!("api-not-sent-by-you"),
            ));
        }
        let history = st.store.history(id)?;
        let queue = st.store.queue_entries(id)?;
        let receipts: Vec<Value> = st
            .store
            .received_receipts(id)?
            .into_iter()
            .map(|r| {
                let parsed = Receipt::parse(&r.bytes).ok();
                json!({
                    "hop": r.hop,
                    "at": r.at,
                    "receipt": parsed,
                    "xml": String::from_utf8_lossy(&r.bytes),
                })
            })
            .collect();
        let statuses = statuses_for(&st, &info)?;
        let facts = st.store.doc_facts(id)?;
        let view = super::view::message_view(&st.snapshot(), &info, facts.as_ref(), lang);
        Ok(json!({
            "id": id.to_string(),
            "view": view,
            "message": info,
            "queue": queue,
            "receipts": receipts,
            "statuses": statuses,
            "history": history,
            "facts": facts,
        }))
    })
    .await?;
    if q.trail == Some(true) {
        // Beyond this gateway: ask each next hop that signed a receipt, which asks its own.
        let hops: Vec<String> = view["receipts"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["hop"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_millis(TRAIL_BUDGET_MS);
        let next = trail_next(&s, id, hops, TRAIL_MAX_DEPTH, deadline).await;
        let recipients = view["message"]["recipients"].clone();
        view["end_to_end"] = end_to_end(s.id.as_str(), &recipients, &next);
        view["trail"] = Value::Array(next);
    }
    Ok(Json(view).into_response())
}

/// How many gateways down a trail may go (far beyond any real path; the hop limit is lower).
pub(crate) const TRAIL_MAX_DEPTH: u32 = 16;

/// Time for a whole trail: every gateway down the path answers within it, or is reported as
/// not answering.
pub(crate) const TRAIL_BUDGET_MS: u64 = 3_000;

/// Largest trail answer read from a peer.
pub(crate) const TRAIL_MAX_BYTES: usize = 1024 * 1024;

/// `GET /v1/relay/{id}?depth=N&budget_ms=T`.
#[derive(Debug, Deserialize)]
pub(crate) struct TrailQuery {
    depth: Option<u32>,
    budget_ms: Option<u64>,
}

/// For a gateway that relayed the message here (or one before it on the path): this
/// gateway's state of each recipient behind it, the receipts of its own next hops, and (down
/// to `depth` more gateways, within `budget_ms`) their trails in turn.
pub(crate) async fn relay_trail(
    State(s): State<Shared>,
    GatewayPeer(caller): GatewayPeer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrailQuery>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let st = s.clone();
    let (mut node, hops) = blocking(move || {
        // Only gateways the message came through may ask.
        let info = relayed_message(&st, id, |hops| hops.iter().any(|h| h == caller.as_str()))?;
        let receipts: Vec<Value> = st
            .store
            .received_receipts(id)?
            .into_iter()
            .map(|r| {
                // The signed XML too: the sender keeps every hop's receipt, not only the
                // first, and a clerk verifies each offline.
                json!({"hop": r.hop, "at": r.at, "receipt": Receipt::parse(&r.bytes).ok(),
                       "xml": String::from_utf8_lossy(&r.bytes)})
            })
            .collect();
        let hops = receipts
            .iter()
            .filter_map(|r| r["hop"].as_str().map(str::to_owned))
            .collect::<Vec<_>>();
        Ok((
            json!({
                "gateway": st.id.to_string(),
                "recipients": info.recipients,
                "queue": st.store.queue_entries(id)?,
                "receipts": receipts,
            }),
            hops,
        ))
    })
    .await?;
    let depth = q.depth.unwrap_or(0).min(TRAIL_MAX_DEPTH);
    let budget = q.budget_ms.unwrap_or(TRAIL_BUDGET_MS).min(TRAIL_BUDGET_MS);
    let deadline = Instant::now() + Duration::from_millis(budget);
    node["next"] = Value::Array(trail_next(&s, id, hops, depth, deadline).await);
    Ok(Json(node).into_response())
}

/// The receipt this gateway signed for a message, for the gateway that relayed it here: a
/// sender that lost our answer asks before sending a big body again, and acknowledges with
/// this receipt if we have the message. `not_found` when we do not (or to anyone else).
pub(crate) async fn relay_receipt(
    State(s): State<Shared>,
    GatewayPeer(caller): GatewayPeer,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let st = s.clone();
    let receipt = blocking(move || {
        // Only the gateway that relayed it here may ask.
        relayed_message(&st, id, |hops| {
            hops.last().map(String::as_str) == Some(caller.as_str())
        })?;
        st.store.issued_receipt(id)?.ok_or_else(not_relayed_here)
    })
    .await?;
    let mut r = receipt.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

pub(crate) fn not_relayed_here() -> ApiError {
    ApiError::new(
        Code::NotFound,
        lienthong_i18n::msg!("api-not-relayed-by-you"),
    )
}

/// A message that came here by relay with a hop list that `may_ask` accepts; otherwise
/// `not_found`, the same as for a message that is not here, so that gateways off the path
/// learn nothing.
pub(crate) fn relayed_message(
    s: &AppState,
    id: MessageId,
    may_ask: impl FnOnce(&[String]) -> bool,
) -> Result<lienthong_store::MessageInfo, ApiError> {
    let info = match s.store.message(id) {
        Ok(i) => i,
        Err(e) if e.code() == Code::StoreNotFound => return Err(not_relayed_here()),
        Err(e) => return Err(e.into()),
    };
    match &info.origin {
        Origin::Relayed { hops, .. } if may_ask(hops) => Ok(info),
        _ => Err(not_relayed_here()),
    }
}

/// The trails of `hops` for message `id`, asked concurrently; a hop that cannot answer in
/// time (down, or too far) is listed with the reason instead.
pub(crate) async fn trail_next(
    s: &Shared,
    id: MessageId,
    hops: Vec<String>,
    depth: u32,
    deadline: Instant,
) -> Vec<Value> {
    if hops.is_empty() {
        return Vec::new();
    }
    if depth == 0 {
        return hops
            .into_iter()
            .map(|h| json!({"gateway": h, "error": "not asked: the trail is deep enough"}))
            .collect();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, hop) in hops.iter().enumerate() {
        let url = s.peer_urls.get(hop).cloned();
        let client = crate::net::client(&s.tls, hop, crate::net::CONNECT_LIMIT, s.clock.clone());
        // Leave each level a little of the budget to answer in.
        let left = deadline.saturating_duration_since(Instant::now());
        let sub_budget = left.saturating_sub(Duration::from_millis(200));
        let path = format!(
            "/v1/relay/{id}?depth={}&budget_ms={}",
            depth - 1,
            sub_budget.as_millis()
        );
        tasks.spawn(async move {
            let answer = match (url, client) {
                (None, _) => Err("no URL for this gateway".to_owned()),
                (_, None) => Err("no client TLS configuration".to_owned()),
                (Some(url), Some(client)) => {
                    tokio::time::timeout(left, trail_get(&client, &url, &path))
                        .await
                        .unwrap_or_else(|_| Err("did not answer in time".to_owned()))
                }
            };
            (i, answer)
        });
    }
    let mut out: Vec<Value> = hops
        .iter()
        .map(|h| json!({"gateway": h, "error": "did not answer"}))
        .collect();
    while let Some(done) = tasks.join_next().await {
        if let Ok((i, answer)) = done
            && let Some(slot) = out.get_mut(i)
        {
            match answer {
                // The peer's answer is shown as it is, but must name the gateway asked.
                Ok(v) if v["gateway"] == slot["gateway"] => *slot = v,
                Ok(_) => slot["error"] = json!("answered for another gateway"),
                Err(e) => slot["error"] = json!(e),
            }
        }
    }
    out
}

pub(crate) async fn trail_get(
    client: &crate::net::HttpsClient,
    base: &str,
    path: &str,
) -> Result<Value, String> {
    let body = peer_get(client, base, path, TRAIL_MAX_BYTES).await?;
    serde_json::from_slice(&body).map_err(|e| format!("unreadable answer: {e}"))
}

/// `GET base+path` from a peer gateway: the body of a success (at most `max_bytes`), or
/// why not in words (the connection, or the status with the error code it answered).
pub(crate) async fn peer_get(
    client: &crate::net::HttpsClient,
    base: &str,
    path: &str,
    max_bytes: usize,
) -> Result<Bytes, String> {
    let req = hyper::Request::get(format!("{}{path}", base.trim_end_matches('/')))
        .body(http_body_util::Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let resp = client
        .request(req)
        .await
        .map_err(|e| format!("connection: {}", crate::net::error_chain(&e)))?;
    let status = resp.status();
    let body = http_body_util::Limited::new(resp.into_body(), max_bytes)
        .collect()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?
        .to_bytes();
    if !status.is_success() {
        let code = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("answered {status} {code}").trim_end().to_owned());
    }
    Ok(body)
}

/// Per recipient, the furthest state known: follow `relayed` into the next hop's trail as
/// long as it answered, so the sender sees `delivered`/`fetched` at the recipient's gateway,
/// or `dead` with the reason wherever the message stopped.
pub(crate) fn end_to_end(here: &str, recipients: &Value, next: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(rs) = recipients.as_object() {
        for (code, state) in rs {
            out.insert(code.clone(), follow(code, here, state, next, 0));
        }
    }
    Value::Object(out)
}

pub(crate) fn follow(
    code: &str,
    gateway: &str,
    state: &Value,
    next: &[Value],
    depth: u32,
) -> Value {
    let mut known = state.clone();
    if state["state"] == "relayed"
        && depth < TRAIL_MAX_DEPTH
        && let Some(hop) = state["hop"].as_str()
        && let Some(node) = next.iter().find(|n| n["gateway"] == hop)
    {
        if let Some(err) = node.get("error") {
            known["beyond"] = json!(format!("{hop}: {}", err.as_str().unwrap_or("no answer")));
        } else if let Some(further) = node["recipients"].get(code) {
            let deeper = node["next"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            return follow(code, hop, further, deeper, depth + 1);
        }
    }
    if let Some(obj) = known.as_object_mut() {
        obj.insert("gateway".into(), json!(gateway));
    }
    known
}

/// Business statuses that came back for a document: status packages delivered to the
/// sender here whose ResponseFor names this document's DocumentId (a store index).
pub(crate) fn statuses_for(
    s: &AppState,
    info: &lienthong_store::MessageInfo,
) -> Result<Vec<Value>, ApiError> {
    let Some(doc_id) = &info.document_id else {
        return Ok(vec![]);
    };
    if info.kind != MessageKind::Edoc {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    let snap = s.snapshot();
    // The store indexes delivered status packages by the document they answer.
    for id in s.store.statuses_delivered(&info.sender, doc_id)? {
        let m = s.store.message(id)?;
        // Only statuses from this document's recipients (or about a recall, from them).
        if !info.recipients.contains_key(&m.sender) {
            continue;
        }
        // Kept with the metadata (it outlives retention); read off the bytes for messages
        // stored before it was.
        let note = m.status.clone().or_else(|| {
            s.store
                .read_payload(id)
                .ok()
                .and_then(|b| lienthong_edxml::read(&b).ok())
                .and_then(|p| match p.package {
                    Package::Status(st) => Some(StatusNote {
                        code: st.status_code.wire().to_owned(),
                        description: st.description.clone(),
                    }),
                    Package::Edoc(_) => None,
                })
        });
        let code = note.map(|n| {
            let label = lienthong_edxml::StatusCode::from_wire(&n.code)
                .label_vi()
                .to_owned();
            (n.code, label, n.description)
        });
        out.push((
            id,
            json!({
                "message_id": id.to_string(),
                "from": m.sender,
                "from_name": super::view::agency_name(&snap, &m.sender),
                "status_code": code.as_ref().map(|c| c.0.clone()),
                "label": code.as_ref().map(|c| c.1.clone()),
                "description": code.and_then(|c| c.2),
                "received_at": m.accepted_at,
            }),
        ));
    }
    // Relays run in parallel, so arrival order is not sending order. Ids are UUIDv7 given
    // by the gateway that accepted each status, so they sort by when it was sent.
    out.sort_by_key(|(id, _)| *id);
    Ok(out.into_iter().map(|(_, v)| v).collect())
}
