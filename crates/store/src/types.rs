//! Value types of the store's API: identifiers, the clock, and the inputs and outputs of operations.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::state::FetchResult;
use crate::state::{EntryStatus, MessageState, RecipientState};

pub use lienthong_compliance::{Counts, Day, DocFacts};
pub use lienthong_types::{MessageId, ParseIdError, Sha256, Timestamp};

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// An edXML document.
    Edoc,
    /// An edXML status package.
    Status,
}

impl MessageKind {
    /// `"edoc"` or `"status"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Edoc => "edoc",
            MessageKind::Status => "status",
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The edXML business type of a document (TraceHeaderList/Bussiness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessType {
    /// A new document.
    New,
    /// Revokes an earlier document with the same DocumentId.
    Revoke,
    /// Updates an earlier document with the same DocumentId.
    Update,
    /// Replaces an earlier document with the same DocumentId.
    Replace,
}

impl BusinessType {
    /// Whether a document of this type may reuse the DocumentId of an earlier, different document.
    pub const fn may_change_document(self) -> bool {
        matches!(
            self,
            BusinessType::Revoke | BusinessType::Update | BusinessType::Replace
        )
    }
}

/// Where an accepted message came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Origin {
    /// Submitted by a document-management system of an agency homed at this gateway.
    Local,
    /// Relayed by another gateway, which gave the id.
    Relayed {
        /// The gateway that sent it to us.
        from_gateway: String,
        /// The message id assigned by the first gateway.
        id: MessageId,
        /// Gateways the message has passed through so far, first first.
        hops: Vec<String>,
    },
}

/// Input of [`crate::Submit::accept`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRequest {
    /// The sending agency's code.
    pub sender: String,
    /// Document or status package.
    pub kind: MessageKind,
    /// The exact bytes; stored and returned unchanged.
    pub bytes: Vec<u8>,
    /// The edXML DocumentId, when the file has one.
    pub document_id: Option<String>,
    /// The business type, when the file has one.
    pub business: Option<BusinessType>,
    /// Recipient agency codes (at least one, no duplicates).
    pub recipients: Vec<String>,
    /// Local submission or relay.
    pub origin: Origin,
    /// For a status package: what it says, kept with the metadata (it outlives retention).
    pub status: Option<StatusNote>,
    /// What the accepting gateway concluded of the envelope signature.
    pub signature: Option<SignatureNote>,
    /// For a document: what the reports need of it (urgency, due date, paper, number,
    /// subject, signed by its sender). The store adds the rest as it happens (sent here,
    /// deliveries, receipt notices, completion, recall).
    pub facts: Option<DocFacts>,
}

/// What the gateway that accepted a message concluded of its envelope signature, kept
/// with its metadata: for tracking and the reports, and so that a next hop is told that a
/// signature that is not valid was accepted under a `record` policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureNote {
    /// The verdict (`valid`, `invalid`, `unsigned`, `legacy`, …).
    pub verdict: String,
    /// Accepted although not valid, under a `record` policy (the gateway's, or that of the
    /// VXP system or uplink that brought it).
    pub recorded: bool,
    /// The signatures inside the document's PDF attachments, one entry per PDF (plain or
    /// inside a ZIP attachment). Absent in records written before they were checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pdfs: Vec<PdfNote>,
}

/// What the accepting gateway concluded of one PDF's signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfNote {
    /// The file's name (the archive entry's, else the attachment's).
    pub name: String,
    /// `valid`, `weak`, `untrusted`, `invalid`, `unsigned`, or `unreadable`.
    pub verdict: String,
    /// A valid organisation signature of the sending agency is on it.
    pub sender_signed: bool,
    /// Its signatures, in signing order.
    pub signers: Vec<PdfSignerNote>,
}

/// One signature of a PDF, as kept with the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfSignerNote {
    /// `person` or `organisation`.
    pub role: String,
    /// The signer's common name.
    pub name: Option<String>,
    /// The agency the certificate speaks for, if any.
    pub agency: Option<String>,
    /// This signature's verdict.
    pub verdict: String,
}

/// What a status package says: its code and description, kept with its metadata so that
/// "did the ministry mark it 06?" is answered after retention removed the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    /// The status code as on the wire ("01" … "16").
    pub code: String,
    /// The package's description, if any.
    pub description: Option<String>,
}

/// What to do in the same commit as accepting a new message ([`crate::Submit::accept_with`]):
/// one durable write instead of one per step. Not applied to a duplicate (the original's own
/// dispatch stands; redo it with [`crate::Inboxes::deliver`] and [`crate::Queues::enqueue`],
/// which are idempotent per recipient state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispatch {
    /// Recipients delivered into their inbox here.
    pub deliver: Vec<String>,
    /// Recipients queued per next hop, due at once.
    pub enqueue: Vec<(String, Vec<String>)>,
    /// The receipt this gateway signed for a relayed message.
    pub issued_receipt: Option<Vec<u8>>,
}

/// Output of [`crate::Submit::accept`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptOutcome {
    /// The message id (the original one for a duplicate).
    pub id: MessageId,
    /// SHA-256 of the bytes.
    pub sha256: Sha256,
    /// True when the message was already stored; nothing was changed.
    pub duplicate: bool,
}

/// A leased queue entry: the right to send one message over one hop until `deadline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The message.
    pub id: MessageId,
    /// The next hop (gateway id).
    pub hop: String,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
    /// The recipients behind this hop.
    pub recipients: Vec<String>,
    /// SHA-256 of the payload.
    pub sha256: Sha256,
    /// Payload size in bytes.
    pub size: u64,
    /// After this time the entry may be leased again.
    pub deadline: Timestamp,
}

/// Result of acknowledging a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckOutcome {
    /// The hop is now recorded as relayed with the given receipt.
    Recorded,
    /// The hop had already been acknowledged (e.g. by an earlier lease of the same entry); nothing changed.
    AlreadyRelayed,
}

/// Result of failing a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailOutcome {
    /// Another attempt is scheduled at this time.
    RetryAt(Timestamp),
    /// Attempts or age are exhausted: the entry is dead-lettered.
    Dead,
}

/// A position in an agency's inbox. Sequences grow monotonically; pass the last one seen as `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InboxCursor(pub u64);

impl fmt::Display for InboxCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for InboxCursor {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(InboxCursor)
    }
}

/// Result of a delivery into an inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverOutcome {
    /// The message's position in the inbox.
    pub cursor: InboxCursor,
    /// True when it was already there (nothing changed).
    pub duplicate: bool,
}

/// One message in an inbox listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    /// Position in the inbox.
    pub cursor: InboxCursor,
    /// The message.
    pub id: MessageId,
    /// Document or status.
    pub kind: MessageKind,
    /// Sending agency.
    pub sender: String,
    /// SHA-256 of the bytes.
    pub sha256: Sha256,
    /// Payload size in bytes.
    pub size: u64,
    /// When it was put in the inbox.
    pub delivered_at: Timestamp,
    /// The DMS's last acknowledgement, if any.
    pub acked: Option<FetchResult>,
    /// The document's urgency (edXML priority: 0 thường … 4 hỏa tốc hẹn giờ).
    #[serde(default)]
    pub priority: u8,
    /// Listed ahead of its turn because it is urgent and not acknowledged: it comes again,
    /// in order, when the listing reaches its position.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ahead: bool,
}

/// A recipient that owes something past its deadline: a receipt notice (status 01/02) past
/// the end of its working day (or an urgent document's tighter threshold), or completion
/// (06) past the document's due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueItem {
    /// The document.
    pub id: MessageId,
    /// The recipient that owes it.
    pub agency: String,
    /// The document's sender.
    pub sender: String,
    /// The edXML DocumentId.
    pub document_id: Option<String>,
    /// Số/ký hiệu.
    pub number: Option<String>,
    /// Trích yếu.
    pub subject: Option<String>,
    /// Urgency, 0–4.
    pub priority: u8,
    /// When it was delivered to the recipient.
    pub delivered_at: Timestamp,
    /// The deadline that passed.
    pub deadline: Timestamp,
    /// The due date, for a completion owed.
    pub due: Option<Day>,
}

/// What is overdue now ([`crate::Reports::overdue`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    /// Receipt notices owed past their deadline (at most the limit asked for).
    pub notices: Vec<OverdueItem>,
    /// How many there are in all.
    pub notices_total: u64,
    /// Completions owed past their due date (at most the limit asked for).
    pub dues: Vec<OverdueItem>,
    /// How many there are in all.
    pub dues_total: u64,
}

/// What an operator looks for: see [`crate::Lookup::find_messages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageQuery {
    /// Only messages whose summary state is this; `None`: every state.
    pub state: Option<MessageState>,
    /// Start after this id (ids are UUID v7: time order).
    pub after: Option<MessageId>,
    /// Stop before this id.
    pub before: Option<MessageId>,
    /// Only messages this agency sent or that have it among their recipients.
    pub agency: Option<String>,
    /// Only messages this agency sent.
    pub sender: Option<String>,
    /// Only messages with a dead-lettered recipient whose reason contains this text
    /// (e.g. `signature.required`, to retry those once the peer's trust is fixed).
    pub reason: Option<String>,
    /// Only documents whose number/symbol, subject or DocumentId contains this text,
    /// ignoring case (`123/UBND`, `ngân sách`).
    pub text: Option<String>,
    /// At most this many messages in the page.
    pub limit: usize,
    /// Examine at most this many messages for one page, so that a search for something
    /// rare in a large store answers in bounded time; the page's `next` says where to go on.
    pub scan_limit: usize,
}

impl MessageQuery {
    /// Messages in `state`, up to `limit`, no other filter.
    pub fn state(state: MessageState, limit: usize) -> MessageQuery {
        MessageQuery {
            state: Some(state),
            after: None,
            before: None,
            agency: None,
            sender: None,
            reason: None,
            text: None,
            limit,
            scan_limit: usize::MAX,
        }
    }
}

/// One page of [`crate::Lookup::find_messages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// The messages found, by id order.
    pub messages: Vec<MessageInfo>,
    /// Where the next page starts (`after`): the last message examined. `None` when the range
    /// was searched to its end. A page may be short, even empty, and still have a `next`: it
    /// ran out of its `scan_limit` (or reached `limit`).
    pub next: Option<MessageId>,
    /// How many messages were examined.
    pub scanned: usize,
}

/// Everything the store knows about one message (for tracking and operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInfo {
    /// The id.
    pub id: MessageId,
    /// Sending agency.
    pub sender: String,
    /// Document or status.
    pub kind: MessageKind,
    /// SHA-256 of the payload.
    pub sha256: Sha256,
    /// Payload size in bytes.
    pub size: u64,
    /// edXML DocumentId, if any.
    pub document_id: Option<String>,
    /// Business type, if any.
    pub business: Option<BusinessType>,
    /// Local or relayed.
    pub origin: Origin,
    /// When this gateway accepted it.
    pub accepted_at: Timestamp,
    /// The summary state (see [`MessageState`]).
    pub state: MessageState,
    /// Current state of each recipient.
    pub recipients: BTreeMap<String, RecipientState>,
    /// When every recipient reached a final state, if they have.
    pub finished_at: Option<Timestamp>,
    /// When the payload was purged by retention, if it was.
    pub purged_at: Option<Timestamp>,
    /// For a status package: what it says (absent for messages stored before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusNote>,
    /// The envelope signature's verdict at acceptance (absent for messages stored before it
    /// was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureNote>,
}

/// One queue entry of a message (one per next hop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntryInfo {
    /// The next hop.
    pub hop: String,
    /// Recipients behind it.
    pub recipients: Vec<String>,
    /// Attempts started so far.
    pub attempt: u32,
    /// When it was (last) queued; retry age counts from here.
    pub enqueued_at: Timestamp,
    /// When it is next due.
    pub due: Timestamp,
    /// Ready, leased, suspended or dead.
    pub status: EntryStatus,
}

/// A receipt received from a peer for one of our hops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedReceipt {
    /// The hop it proves.
    pub hop: String,
    /// When the lease was acknowledged.
    pub at: Timestamp,
    /// The receipt bytes, as received.
    pub bytes: Vec<u8>,
}

/// Queue figures for one hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopStats {
    /// The hop.
    pub hop: String,
    /// Entries waiting for this hop: ready, scheduled, in flight or suspended (not dead).
    pub depth: u64,
    /// Entries currently leased.
    pub in_flight: u64,
    /// Age of the oldest waiting entry, in milliseconds (0 when empty).
    pub oldest_age_ms: u64,
}

/// What one agency sent and received through this gateway, and what its DMS has not yet
/// acknowledged: for operators watching each agency's compliance (a DMS that stopped fetching
/// shows as a growing `unacknowledged` with an old `oldest_unacknowledged_at`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyActivity {
    /// The agency code (as stored: inboxes are kept under the main code).
    pub agency: String,
    /// Documents it submitted here (duplicates not counted).
    pub sent_documents: u64,
    /// Status packages it submitted here.
    pub sent_statuses: u64,
    /// Documents delivered to its inbox.
    pub received_documents: u64,
    /// Status packages delivered to its inbox.
    pub received_statuses: u64,
    /// Inbox entries its DMS has not acknowledged yet.
    pub unacknowledged: u64,
    /// When the oldest of those was delivered.
    pub oldest_unacknowledged_at: Option<Timestamp>,
    /// Inbox entries whose latest acknowledgement is `done`.
    pub acknowledged_done: u64,
    /// Inbox entries whose latest acknowledgement is `fail` (the DMS could not take it over).
    pub acknowledged_failed: u64,
}

/// Queue and state statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueStats {
    /// One row per hop that has (or had) entries.
    pub hops: Vec<HopStats>,
    /// Number of messages in each summary state.
    pub states: BTreeMap<MessageState, u64>,
}

/// What [`crate::Backup::backup`] copied. Also written, as JSON, to `BACKUP.json` in the
/// backup folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    /// The folder written: a data folder a gateway can open as it is.
    pub dir: std::path::PathBuf,
    /// When it was asked for (the `now` given to [`crate::Backup::backup`]); the copy is of
    /// an instant during the backup.
    pub at: Timestamp,
    /// Metadata entries copied (messages, queues, inboxes, history, receipts, indexes).
    pub entries: u64,
    /// Writes made while the copy ran, replayed onto it.
    pub replayed: u64,
    /// Payload segments copied.
    pub segments: u32,
    /// Their total length in bytes (holes of purged payloads count but take no space).
    pub segment_bytes: u64,
    /// How long writes waited for the backup, in ms (only at the cut).
    pub paused_ms: u64,
    /// The whole backup, in ms.
    pub took_ms: u64,
}

/// What [`crate::Check::check`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// Messages examined.
    pub messages: u64,
    /// Queue entries examined.
    pub queue_entries: u64,
    /// Inbox entries examined.
    pub inbox_entries: u64,
    /// Blob files examined.
    pub blobs: u64,
    /// Everything inconsistent, one line each. Empty means healthy.
    pub problems: Vec<String>,
}

/// One line of a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub event: crate::state::Event,
}

/// What a copy did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Entries of the key spaces written (payload locations and counters included).
    pub entries: u64,
    /// Distinct payloads copied.
    pub payloads: u64,
    /// Their bytes.
    pub payload_bytes: u64,
}
