//! The gateway's decisions, sans IO: plain synchronous functions over a [`Snapshot`] and a
//! few inputs (the bytes, the peer, the time passed in), returning a decision. Handlers and
//! forwarders are thin drivers around them (read the body, call the decision, carry it out
//! against the store and the network), so every decision is tested here without sockets.
//!
//! | decision | function |
//! |---|---|
//! | is this document acceptable (XML, edXML, recipients, signature under the policy) | [`document::check_document`] |
//! | may this agency's DMS submit it | [`document::check_submitter_of`] |
//! | who signed the PDFs inside it; does the main one carry the sender's organisation signature | [`pdfs::check_attachments`], [`pdfs::require_organisation_signature`] |
//! | may this gateway relay it to us | [`relay::authorize_relay`], [`relay::check_relayed_sender`] |
//! | as of when is a relayed signature judged | [`relay::relay_signature_time`] |
//! | where does each recipient go (plan the dispatch) | [`dispatch::route_all`], [`dispatch::plan`] |
//! | what is left to do after a crash | [`dispatch::recovery`] |
//! | is a peer's refusal permanent or worth a retry, and what it says of the link | [`peer::judge_answer`] |
//! | is the link up, down, and when to probe it | [`link`] |
//! | is this receipt good; sign ours | [`receipt::check_receipt`], [`receipt::issue_receipt`] |
//! | what a send's failure means for an operator | [`reason::explain`] |

pub mod dispatch;
pub mod document;
pub mod link;
pub mod pdfs;
pub mod peer;
pub mod reason;
pub mod receipt;
pub mod relay;
mod snapshot;

pub use snapshot::{Signing, Snapshot};

use lienthong_i18n::{Lang, Msg};
use lienthong_types::Code;
use serde_json::{Value, json};

/// A decision's "no": the code, a message for people, and a detail object for programs.
/// The HTTP shell turns it into the JSON error (`ApiError`).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The code (its HTTP status and whether a retry can help come from it).
    pub code: Code,
    /// For people, in English (logs, tests).
    pub message: String,
    /// What it says, for any language.
    pub text: Text,
    /// For programs: nested causes go under `causes`.
    pub detail: Value,
}

impl Refusal {
    /// A refusal with this code and message, no detail.
    pub fn new(code: Code, text: impl Into<Text>) -> Refusal {
        let text = text.into();
        Refusal {
            code,
            message: text.render(code, Lang::En).0,
            text,
            detail: json!({}),
        }
    }

    /// With a detail object.
    pub fn with(mut self, detail: Value) -> Refusal {
        self.detail = detail;
        self
    }
}

#[cfg(test)]
pub(crate) mod fixture;

/// What an error says: a catalog message, or a text from elsewhere (a library's error).
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    /// From the catalogs, in any language.
    Msg(Msg),
    /// As given (English); the reader sees the code's meaning with it as the reason.
    Raw(String),
}

impl From<Msg> for Text {
    fn from(m: Msg) -> Text {
        Text::Msg(m)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Raw(s)
    }
}

impl Text {
    /// The message in `lang`, and the reason to put beside it (for a raw text).
    pub fn render(&self, code: Code, lang: Lang) -> (String, Option<String>) {
        match self {
            Text::Msg(m) => (m.render(lang), None),
            Text::Raw(r) if lang == Lang::En => (r.clone(), None),
            Text::Raw(r) => (
                lienthong_i18n::code_message(code, lang),
                (!r.is_empty()).then(|| r.clone()),
            ),
        }
    }
}
