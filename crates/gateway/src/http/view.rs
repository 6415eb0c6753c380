//! What a person needs to read a message at a glance, beside the stored record: the
//! subject and number/symbol, the sender's and each recipient's name, each recipient's state
//! in words, and why a send failed in a sentence one can act on (`core::reason`), in the
//! caller's language. The console and `GET /v1/messages` show it as the message's `view`;
//! `GET /v1/inbox` gives each entry a smaller one ([`inbox_view`]).

use lienthong_compliance::DocFacts;
use lienthong_i18n::{Lang, msg};
use lienthong_store::{MessageInfo, RecipientState};
use serde_json::{Value, json};

use crate::core::Snapshot;
use crate::core::reason::explain;

/// An agency's name in the directory, if it has one.
pub(crate) fn agency_name(snap: &Snapshot, code: &str) -> Option<String> {
    snap.directory.agency_by_text(code).map(|a| a.name.clone())
}

/// The view of one message.
pub(crate) fn message_view(
    snap: &Snapshot,
    info: &MessageInfo,
    facts: Option<&DocFacts>,
    lang: Lang,
) -> Value {
    let recipients: Vec<Value> = info
        .recipients
        .iter()
        .map(|(code, state)| {
            let mut r = json!({
                "code": code,
                "name": agency_name(snap, code),
                "state": state.name(),
                "state_text": state_text(state, lang),
            });
            if let RecipientState::Dead { reason, hop } = state {
                r["hop"] = json!(hop);
                r["reason_text"] = json!(explain(reason).render(lang));
            }
            r
        })
        .collect();
    json!({
        "subject": facts.and_then(|f| f.subject.clone()),
        "number": facts.and_then(|f| f.number.clone()),
        "priority": facts.map(|f| f.priority),
        "sender_name": agency_name(snap, &info.sender),
        "state_text": lienthong_i18n::tr(lang, &format!("state-{}", state_id(info)), &[]),
        "recipients": recipients,
    })
}

/// The view of an entry in an agency's inbox: the subject and number/symbol, the sender's
/// name, and the recipients here with their names. Not their states: how the other
/// recipients' copies fare is the sender's and the operators' business, not the reader's.
/// `info` is the stored message, when its record could be read.
pub(crate) fn inbox_view(
    snap: &Snapshot,
    sender: &str,
    info: Option<&MessageInfo>,
    facts: Option<&DocFacts>,
) -> Value {
    let recipients: Vec<Value> = info
        .map(|i| {
            i.recipients
                .keys()
                .map(|code| json!({"code": code, "name": agency_name(snap, code)}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "subject": facts.and_then(|f| f.subject.clone()),
        "number": facts.and_then(|f| f.number.clone()),
        "priority": facts.map(|f| f.priority),
        "sender_name": agency_name(snap, sender),
        "recipients": recipients,
    })
}

/// The summary state's catalog suffix (`state-dead`…).
fn state_id(info: &MessageInfo) -> String {
    serde_json::to_value(info.state)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
        .unwrap_or_default()
}

/// A recipient's state in words.
fn state_text(state: &RecipientState, lang: Lang) -> String {
    let m = match state {
        RecipientState::Accepted => msg!("state-accepted"),
        RecipientState::Queued { hop } => msg!("recipient-queued", hop = hop.as_str()),
        RecipientState::InFlight { hop, attempt } => {
            msg!(
                "recipient-in-flight",
                hop = hop.as_str(),
                attempt = *attempt
            )
        }
        RecipientState::RetryScheduled { hop, at, attempt } => msg!(
            "recipient-retry",
            hop = hop.as_str(),
            at = *at,
            attempt = *attempt
        ),
        RecipientState::Relayed { hop, .. } => msg!("recipient-relayed", hop = hop.as_str()),
        RecipientState::Delivered => msg!("state-delivered"),
        RecipientState::Fetched { .. } => msg!("state-fetched"),
        RecipientState::Suspended { .. } => msg!("state-suspended"),
        RecipientState::Dead { hop, .. } => msg!("recipient-dead", hop = hop.as_str()),
        RecipientState::Cancelled => msg!("state-cancelled"),
    };
    m.render(lang)
}

/// Beside a signature report's problems, notes and coverage (English in JSON, for
/// programs), the same in the caller's language for the clerk: `problems_text`,
/// `notes_text`, `covers_text`, and in each PDF signature `problems_text`, `notes_text`.
pub(crate) fn signature_texts(
    v: &mut Value,
    report: &lienthong_dsig::Report,
    pdfs: &[crate::core::pdfs::AttachmentPdf],
    lang: Lang,
) {
    let said = |m: &[lienthong_i18n::Msg]| -> Value {
        Value::Array(m.iter().map(|m| Value::String(m.render(lang))).collect())
    };
    if let Some(sig) = v.get_mut("signature").and_then(Value::as_object_mut) {
        sig.insert("problems_text".into(), said(&report.problem_msgs));
        sig.insert("notes_text".into(), said(&report.note_msgs));
        sig.insert("covers_text".into(), said(&report.cover_msgs));
    }
    for (k, a) in pdfs.iter().enumerate() {
        let Some(r) = &a.report else { continue };
        for (i, s) in r.signatures.iter().enumerate() {
            // Looked up, never indexed: no shape of the JSON can make this panic.
            if let Some(at) = v
                .get_mut("attachments")
                .and_then(|x| x.get_mut(k))
                .and_then(|x| x.get_mut("signatures"))
                .and_then(|x| x.get_mut(i))
                .and_then(Value::as_object_mut)
            {
                at.insert("problems_text".into(), said(&s.problem_msgs));
                at.insert("notes_text".into(), said(&s.note_msgs));
            }
        }
    }
}
