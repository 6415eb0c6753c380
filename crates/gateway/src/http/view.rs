//! What a person needs to read a message at a glance, beside the stored record: the
//! subject and number/symbol, the sender's and each recipient's name, each recipient's state
//! in words, and why a send failed in a sentence one can act on (`core::reason`), in the
//! caller's language. The console and `GET /v1/messages` show it as the message's `view`.

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
