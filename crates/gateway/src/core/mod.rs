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

pub mod dispatch;
pub mod document;
pub mod link;
pub mod pdfs;
pub mod peer;
pub mod receipt;
pub mod relay;
mod snapshot;

pub use snapshot::{Signing, Snapshot};

use lienthong_types::Code;
use serde_json::{Value, json};

/// A decision's "no": the code, a message for people, and a detail object for programs.
/// The HTTP shell turns it into the JSON error (`ApiError`).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The code (its HTTP status and whether a retry can help come from it).
    pub code: Code,
    /// For people.
    pub message: String,
    /// For programs: nested causes go under `causes`.
    pub detail: Value,
}

impl Refusal {
    /// A refusal with this code and message, no detail.
    pub fn new(code: Code, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
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
