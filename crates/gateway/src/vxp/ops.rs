//! The VXP operations, carried out through the same intake, store and inboxes as the mTLS
//! API: a system's received list is the union of its agencies' inboxes (the entries not
//! acknowledged yet), `getEdoc` gives the exact stored bytes, `updateStatus done` and
//! `fail` acknowledge as the mTLS API's `POST /v1/inbox/{id}/ack` does.

use axum::body::Body;
use axum::http::HeaderMap;
use base64::Engine;
use lienthong_edxml::AgencyCode;
use lienthong_store::{
    FetchResult, MessageId, MessageKind, MessageQuery, RecipientState, Timestamp,
};
use lienthong_types::Code;
use lienthong_vxp::time::{filter_bound, vietnam_iso};
use lienthong_vxp::{Operation, Reply, Signed, VxpError};
use serde_json::{Map, Value, json};

use super::shared::{Done, Vxp};
use super::systems::System;
use crate::core::document::Submitter;
use crate::error::ApiError;
use crate::state::blocking;

/// Items a list answers at most (the SDK has no paging; a DMS takes them and asks again).
pub(crate) const MAX_LIST: usize = 500;

/// Items a count counts at most (more waiting answers this number).
pub(crate) const MAX_COUNT: usize = 10_000;

/// Run `op` for `system`.
pub(super) async fn run(
    v: &Vxp,
    op: Operation,
    system: &System,
    signed: &Signed,
    headers: &HeaderMap,
    body: Body,
) -> Result<Done, VxpError> {
    match op {
        Operation::SendEdoc => send(v, system, signed, headers, body).await,
        Operation::GetReceivedEdocList => received_list(v, system, signed).await,
        Operation::CountReceiveEdoc => count(v, system, MessageKind::Edoc).await,
        Operation::CountReceiveStatus => count(v, system, MessageKind::Status).await,
        Operation::GetEdoc | Operation::DownloadEdoc => get(v, op, system, signed).await,
        Operation::UpdateStatus => update_status(v, system, signed).await,
        Operation::GetSentEdocList => sent_list(v, system, signed).await,
        Operation::GetAgenciesList
        | Operation::GetAgenciesListQd20
        | Operation::GetSynchronizeUnit => Ok(Done::Reply(agencies(v, op))),
        Operation::RegisterAgency | Operation::DeleteAgency => Err(VxpError::new(
            Code::VxpNotSupported,
            "agencies are registered by the gateway's operator in the directory, not through the VXP API",
        )),
    }
}

/// An API refusal as the VXP answer's code and text.
fn api(e: ApiError) -> VxpError {
    VxpError::new(e.code, e.message)
}

fn malformed(message: impl Into<String>) -> VxpError {
    VxpError::new(Code::VxpMalformed, message)
}

/// The system's agencies by the directory's main codes (their inboxes' names).
fn main_codes(v: &Vxp, system: &System) -> Vec<AgencyCode> {
    let snap = v.s.snapshot();
    let mut out: Vec<AgencyCode> = Vec::new();
    for a in &system.agencies {
        let main = snap.directory.main_code(a);
        if !out.contains(&main) {
            out.push(main);
        }
    }
    out
}

/// `messagetype`: `edoc` (the default) or `status`.
fn message_type(signed: &Signed) -> Result<MessageKind, VxpError> {
    match signed
        .param("messagetype")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("edoc") => Ok(MessageKind::Edoc),
        Some("status") => Ok(MessageKind::Status),
        Some(other) => Err(malformed(format!(
            "messagetype '{}': edoc or status",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

fn kind_name(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Edoc => "edoc",
        MessageKind::Status => "status",
    }
}

async fn send(
    v: &Vxp,
    system: &System,
    signed: &Signed,
    headers: &HeaderMap,
    body: Body,
) -> Result<Done, VxpError> {
    let kind = message_type(signed)?;
    let hash = signed
        .param("hash-file")
        .ok_or_else(|| malformed("sendEdoc needs XroadVnpt-hash-file"))?
        .to_owned();
    if let Some(from) = signed.param("from").filter(|f| !f.trim().is_empty()) {
        let snap = v.s.snapshot();
        let code = AgencyCode::parse(from.trim())
            .map_err(|e| malformed(format!("XroadVnpt-from: {e}")))?;
        let main = snap.directory.main_code(&code);
        if !main_codes(v, system).contains(&main) {
            return Err(VxpError::new(
                Code::VxpAgencyNotAllowed,
                format!("system '{}' may not send as {from}", system.id),
            ));
        }
    }
    let who = format!("vxp:{}", system.id);
    let (bytes, _share) = crate::http::body::read_body(&v.s, &who, headers, body)
        .await
        .map_err(api)?;
    let file = lienthong_vxp::hashfile::file_of_body(&bytes, &hash)?;
    let file = bytes.slice_ref(file);
    let caller = Submitter::System {
        id: system.id.clone(),
        agencies: system.agencies.clone(),
    };
    let done = crate::intake::submit(&v.s, caller, file, system.policy)
        .await
        .map_err(api)?;
    if done.kind != kind {
        tracing::info!(system = %system.id, message_id = %done.id, "sendEdoc: messagetype {} for a {}; taken as what the file is", kind_name(kind), kind_name(done.kind));
    }
    Ok(Done::Reply(Reply::ok().with("DocId", done.id.to_string())))
}

/// The entries waiting for the system's agencies, of `kind`, delivered within the filters.
async fn waiting(
    v: &Vxp,
    system: &System,
    kind: MessageKind,
    window: (Option<u64>, Option<u64>),
    limit: usize,
) -> Result<Vec<(AgencyCode, lienthong_store::InboxItem)>, VxpError> {
    let agencies = main_codes(v, system);
    let st = v.s.clone();
    blocking(move || {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for a in agencies {
            let mut after = None;
            while out.len() < limit {
                let page = st
                    .store
                    .list_open_inbox(a.as_str(), after, 200, Some(kind))?;
                if page.is_empty() {
                    break;
                }
                // Urgent entries listed ahead of their turn come again later: go on from the
                // last one listed in order, and take each once.
                after = page
                    .iter()
                    .filter(|i| !i.ahead)
                    .map(|i| i.cursor)
                    .max()
                    .or(after);
                let full = page.len() < 200;
                for item in page {
                    // Once per agency: a document to two of the system's agencies is
                    // listed for each.
                    if !seen.insert((a.clone(), item.id)) {
                        continue;
                    }
                    let at = item.delivered_at.as_millis();
                    if window.0.is_some_and(|from| at < from) || window.1.is_some_and(|to| at > to)
                    {
                        continue;
                    }
                    if out.len() < limit {
                        out.push((a.clone(), item));
                    }
                }
                if full {
                    break;
                }
            }
        }
        // Urgent documents first (stable: otherwise in the order delivered).
        out.sort_by_key(|(_, i)| std::cmp::Reverse(i.priority));
        Ok(out)
    })
    .await
    .map_err(api)
}

async fn received_list(v: &Vxp, system: &System, signed: &Signed) -> Result<Done, VxpError> {
    let kind = message_type(signed)?;
    let items = waiting(v, system, kind, window(signed)?, MAX_LIST).await?;
    let data: Vec<Value> = items
        .iter()
        .map(|(agency, i)| {
            let at = vietnam_iso(i.delivered_at.as_millis());
            json!({
                "docId": i.id.to_string(),
                "serviceType": "eDoc",
                "messageType": kind_name(i.kind),
                "created_time": at,
                "updated_time": at,
                "from": i.sender,
                "to": agency.to_string(),
                "status": "initial",
                "status_desc": "waiting to be taken",
                // What getEdoc's bytes must be (a lienthong uplink checks it).
                "contentSha256": i.sha256.to_hex(),
                "contentLength": i.size.to_string(),
            })
        })
        .collect();
    Ok(Done::Reply(Reply::ok().with("data", data)))
}

async fn count(v: &Vxp, system: &System, kind: MessageKind) -> Result<Done, VxpError> {
    let n = waiting(v, system, kind, (None, None), MAX_COUNT)
        .await?
        .len();
    Ok(Done::Reply(Reply::ok().with("count", n)))
}

/// The `docId` parameter as a message id.
fn doc_id(signed: &Signed) -> Result<MessageId, VxpError> {
    let raw = signed
        .param("docId")
        .ok_or_else(|| malformed("XroadVnpt-docId is needed"))?;
    raw.trim().parse::<MessageId>().map_err(|_| {
        VxpError::new(
            Code::VxpNotFound,
            format!(
                "no document '{}' for this system",
                raw.chars().take(60).collect::<String>()
            ),
        )
    })
}

/// The message `id` in the inboxes of the system's agencies: those agencies (at least one)
/// and how it stands.
async fn find(
    v: &Vxp,
    system: &System,
    id: MessageId,
) -> Result<(Vec<AgencyCode>, lienthong_store::MessageInfo), VxpError> {
    let agencies = main_codes(v, system);
    let st = v.s.clone();
    let found = blocking(move || {
        let info = match st.store.message(id) {
            Ok(i) => i,
            Err(e) if e.code() == Code::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let ours: Vec<AgencyCode> = agencies
            .into_iter()
            .filter(|a| crate::http::dms::is_in_inbox(&info, a))
            .collect();
        Ok((!ours.is_empty()).then_some((ours, info)))
    })
    .await
    .map_err(api)?;
    found.ok_or_else(|| {
        VxpError::new(
            Code::VxpNotFound,
            format!("no document {id} for system '{}'", system.id),
        )
    })
}

async fn get(v: &Vxp, op: Operation, system: &System, signed: &Signed) -> Result<Done, VxpError> {
    let id = doc_id(signed)?;
    let (_, info) = find(v, system, id).await?;
    let who = format!("vxp:{}", system.id);
    // Its share of the memory budget, held until the answer is sent: the bytes, and for
    // getEdoc their base64 and the JSON around it (about four times the document at most).
    let need = match op {
        Operation::DownloadEdoc => info.size,
        _ => info.size.saturating_mul(4),
    };
    let share = crate::http::body::body_share(&v.s, &who, need)
        .await
        .map_err(api)?;
    let st = v.s.clone();
    let bytes = blocking(move || Ok(st.store.read_payload(id)?))
        .await
        .map_err(api)?;
    if op == Operation::DownloadEdoc {
        return Ok(Done::raw(
            Body::new(crate::http::body::HeldBody {
                data: Some(bytes::Bytes::from(bytes)),
                _share: share,
            }),
            "application/xml",
        ));
    }
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    drop(bytes);
    let json = Reply::ok().with("data", data).to_bytes();
    Ok(Done::raw(
        Body::new(crate::http::body::HeldBody {
            data: Some(bytes::Bytes::from(json)),
            _share: share,
        }),
        "application/json",
    ))
}

async fn update_status(v: &Vxp, system: &System, signed: &Signed) -> Result<Done, VxpError> {
    let id = doc_id(signed)?;
    let result = match signed
        .param("status")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("done") => Some(FetchResult::Done),
        Some("fail") => Some(FetchResult::Fail),
        Some("processing") => None,
        other => {
            return Err(malformed(format!(
                "status '{}': done, fail or processing",
                other
                    .unwrap_or_default()
                    .chars()
                    .take(40)
                    .collect::<String>()
            )));
        }
    };
    let (agencies, info) = find(v, system, id).await?;
    let Some(result) = result else {
        // In progress at the DMS: nothing changes here; the item stays listed.
        return Ok(Done::Reply(Reply::ok()));
    };
    // The system answers for each of its agencies the message went to (one docId in its
    // list per agency); the same answer again (the SDK re-sends a POST whose answer it
    // lost) changes nothing.
    let todo: Vec<AgencyCode> = agencies
        .into_iter()
        .filter(|a| info.recipients.get(a.as_str()) != Some(&RecipientState::Fetched { result }))
        .collect();
    if todo.is_empty() {
        return Ok(Done::Reply(Reply::ok()));
    }
    let note = signed
        .param("description")
        .map(|d| d.chars().take(1000).collect::<String>());
    let st = v.s.clone();
    blocking(move || {
        for agency in todo {
            st.store
                .ack_inbox(agency.as_str(), id, result, note.as_deref(), st.clock.now())?;
        }
        Ok(())
    })
    .await
    .map_err(api)?;
    Ok(Done::Reply(Reply::ok()))
}

/// The window of a list: `fromDate` and `toDate` when given (`None` when not).
fn window(signed: &Signed) -> Result<(Option<u64>, Option<u64>), VxpError> {
    let bound = |name: &str, end| -> Result<Option<u64>, VxpError> {
        match signed.param(name).filter(|t| !t.trim().is_empty()) {
            None => Ok(None),
            Some(t) => filter_bound(t, end).map(Some).ok_or_else(|| {
                malformed(format!(
                    "{name} '{}': a date such as 2026-12-05 or 05/12/2026, with or without a time",
                    t.chars().take(40).collect::<String>()
                ))
            }),
        }
    };
    Ok((bound("fromDate", false)?, bound("toDate", true)?))
}

/// How far back the sent list looks without `fromDate`, ms (7 days).
const SENT_DEFAULT_WINDOW_MS: u64 = 7 * 24 * 3_600_000;

async fn sent_list(v: &Vxp, system: &System, signed: &Signed) -> Result<Done, VxpError> {
    let kind = message_type(signed)?;
    let wanted = signed
        .param("docId")
        .and_then(|d| d.trim().parse::<MessageId>().ok());
    let (from, to) = window(signed)?;
    let now = v.s.clock.now().as_millis();
    let from = from.unwrap_or(now.saturating_sub(SENT_DEFAULT_WINDOW_MS));
    let agencies: Vec<String> = main_codes(v, system)
        .iter()
        .map(ToString::to_string)
        .collect();
    let st = v.s.clone();
    let messages = blocking(move || {
        // `docId` names one of the system's sent messages: that one. Anything else is a
        // parameter the SDK carried over from an earlier call (a received item's id), not
        // a filter.
        if let Some(id) = wanted {
            match st.store.message(id) {
                Ok(m) if agencies.contains(&m.sender) => return Ok(vec![m]),
                Ok(_) => {}
                Err(e) if e.code() == Code::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut out = Vec::new();
        for a in agencies {
            let query = MessageQuery {
                state: None,
                after: Some(MessageId::first_at(Timestamp::from_millis(from))),
                before: to
                    .map(|t| MessageId::first_at(Timestamp::from_millis(t.saturating_add(1)))),
                agency: None,
                sender: Some(a),
                reason: None,
                text: None,
                limit: MAX_LIST,
                scan_limit: crate::http::operator::MESSAGES_SCAN_LIMIT,
            };
            for m in st.store.find_messages(&query)?.messages {
                if m.kind == kind && out.len() < MAX_LIST {
                    out.push(m);
                }
            }
        }
        Ok(out)
    })
    .await
    .map_err(api)?;
    let mut data = Vec::new();
    for m in &messages {
        for (to, state) in &m.recipients {
            let (send_status, receive_status) = sent_states(state);
            data.push(json!({
                "serviceType": "eDoc",
                "messageType": kind_name(m.kind),
                "senderDocId": m.id.to_string(),
                "receiverDocId": m.id.to_string(),
                "fromCode": m.sender,
                "toCode": to,
                "sentTime": vietnam_iso(m.accepted_at.as_millis()),
                "sendStatus": send_status,
                "sendStatusDesc": send_status,
                "receiveStatus": receive_status,
                "receiveStatusDesc": receive_status,
            }));
        }
    }
    Ok(Done::Reply(Reply::ok().with("data", data)))
}

/// Where a recipient stands, as the sent list's `sendStatus` and `receiveStatus`.
fn sent_states(state: &RecipientState) -> (&'static str, &'static str) {
    match state {
        RecipientState::Fetched {
            result: FetchResult::Done,
        } => ("sent", "done"),
        RecipientState::Fetched {
            result: FetchResult::Fail,
        } => ("sent", "fail"),
        RecipientState::Delivered | RecipientState::Relayed { .. } => ("sent", "initial"),
        RecipientState::Dead { .. } | RecipientState::Cancelled => ("fail", "initial"),
        _ => ("processing", "initial"),
    }
}

/// The directory's agencies in the shapes of the three agency operations.
fn agencies(v: &Vxp, op: Operation) -> Reply {
    let dir = v.s.directory();
    let data: Vec<Value> = dir
        .agencies()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut m = Map::new();
            m.insert("id".into(), (i + 1).to_string().into());
            m.insert("code".into(), a.code.to_string().into());
            m.insert("name".into(), a.name.clone().into());
            m.insert("mail".into(), "".into());
            let parent = a
                .parent
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            match op {
                Operation::GetAgenciesListQd20 => {
                    m.insert("code102".into(), a.code.to_string().into());
                }
                Operation::GetSynchronizeUnit => {
                    m.insert("pid".into(), parent.clone().into());
                    m.insert("centerCode".into(), a.gateway.to_string().into());
                    m.insert("modifyDate".into(), "".into());
                    m.insert("version".into(), 1.into());
                    m.insert("deleted".into(), false.into());
                    m.insert("isAgency".into(), true.into());
                }
                _ => {
                    m.insert("pid".into(), parent.clone().into());
                    m.insert(
                        "oldCode".into(),
                        a.aliases
                            .first()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                            .into(),
                    );
                }
            }
            Value::Object(m)
        })
        .collect();
    Reply::ok().with("data", data)
}
