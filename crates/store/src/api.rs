//! The [`Store`] trait: everything the gateway asks of durable storage.

use std::collections::BTreeMap;

use crate::config::VerifyLevel;
use crate::error::Result;
use crate::state::{ActionBy, MessageState};
use crate::types::{
    AcceptOutcome, AcceptRequest, AckOutcome, AgencyActivity, BackupReport, CheckReport,
    DeliverOutcome, Dispatch, FailOutcome, FetchResult, HistoryEntry, InboxCursor, InboxItem,
    Lease, MessageId, MessageInfo, MessageKind, MessagePage, MessageQuery, Overdue, QueueEntryInfo,
    QueueStats, ReceivedReceipt, Timestamp,
};
use lienthong_compliance::{Counts, Day, DocFacts};

/// Durable storage of messages, queues, inboxes, receipts and history.
///
/// Every method that changes state returns only after the change is durable (fsync'd); a method
/// that returns `Err` changed nothing, except where noted. All methods are blocking: call them from
/// `tokio::task::spawn_blocking`. Implementations are `Send + Sync` and safe to share.
///
/// The methods come in job traits ([`Submit`], [`Lookup`], [`Queues`], [`Inboxes`],
/// [`OperatorActions`], [`Reports`], [`Upkeep`], [`Check`], [`Backup`]), each implemented in the module
/// that does that job; anything that implements them all is a `Store`. Callers of a
/// `dyn Store` bring the job traits into scope with `use lienthong_store::prelude::*`.
pub trait Store:
    Submit
    + Lookup
    + Queues
    + Inboxes
    + OperatorActions
    + Reports
    + Upkeep
    + Check
    + Backup
    + Send
    + Sync
{
}

impl<
    S: Submit
        + Lookup
        + Queues
        + Inboxes
        + OperatorActions
        + Reports
        + Upkeep
        + Check
        + Backup
        + Send
        + Sync,
> Store for S
{
}

/// Taking messages in: accept a submission or a relay, with its dispatch plan, in one durable commit.
pub trait Submit {
    /// Accept a message idempotently.
    ///
    /// The payload is made durable in its blob file before any metadata refers to it. Local
    /// submissions: the same sender and bytes give the same id (`duplicate: true`). Relayed: the
    /// id comes from the origin and the same id again is a duplicate; the same id with other bytes
    /// is [`crate::StoreError::IdConflict`]. A document (kind edoc) whose DocumentId is already
    /// used by a different document of the same sender is [`crate::StoreError::Conflict`] unless
    /// its business type is update, revoke or replace.
    fn accept(&self, req: &AcceptRequest, now: Timestamp) -> Result<AcceptOutcome> {
        self.accept_with(req, &Dispatch::default(), now)
    }

    /// [`Submit::accept`], and for a new message also `plan` (deliveries, queue entries, the
    /// issued receipt), all in the same durable commit: a crash leaves either none of it or
    /// all of it. A plan naming a non-recipient, a recipient twice, or an invalid name is
    /// refused before anything is written.
    fn accept_with(
        &self,
        req: &AcceptRequest,
        plan: &Dispatch,
        now: Timestamp,
    ) -> Result<AcceptOutcome>;

    /// Record the receipt this gateway issued for a relayed message. The first one stored wins:
    /// the stored receipt is returned (so a duplicate relay gets the original bytes back).
    fn put_issued_receipt(&self, id: MessageId, receipt: &[u8], now: Timestamp) -> Result<Vec<u8>>;
}

/// Reading messages, their history, receipts and counts. Nothing here writes.
pub trait Lookup {
    /// The exact payload bytes, verified against the SHA-256.
    /// [`crate::StoreError::Purged`] after retention removed them.
    fn read_payload(&self, id: MessageId) -> Result<Vec<u8>>;

    /// Metadata and per-recipient state of a message.
    fn message(&self, id: MessageId) -> Result<MessageInfo>;

    /// The message's history, oldest first.
    fn history(&self, id: MessageId) -> Result<Vec<HistoryEntry>>;

    /// The message's queue entries (one per next hop; dead entries included).
    fn queue_entries(&self, id: MessageId) -> Result<Vec<QueueEntryInfo>>;

    /// The receipt this gateway issued for a message, if any.
    fn issued_receipt(&self, id: MessageId) -> Result<Option<Vec<u8>>>;

    /// The receipts received from next hops for this message.
    fn received_receipts(&self, id: MessageId) -> Result<Vec<ReceivedReceipt>>;

    /// The latest document (kind edoc) `sender` sent with edXML DocumentId `document_id`, if
    /// any (an update, revoke or replace reusing the DocumentId is the latest).
    fn document_message(&self, sender: &str, document_id: &str) -> Result<Option<MessageId>>;

    /// Messages whose summary state is `state`, by id (= time) order, after `after`, at most `limit`.
    fn list_messages(
        &self,
        state: MessageState,
        after: Option<MessageId>,
        limit: usize,
    ) -> Result<Vec<MessageInfo>> {
        let mut q = MessageQuery::state(state, limit);
        q.after = after;
        Ok(self.find_messages(&q)?.messages)
    }

    /// The messages that match `query`, by id (= time) order: at most `query.limit` of them,
    /// having examined at most `query.scan_limit` messages. With a state, the state index is
    /// read; without one, every message record in the id range.
    fn find_messages(&self, query: &MessageQuery) -> Result<MessagePage>;

    /// Queue depth and oldest age per hop, and message counts per state.
    fn queue_stats(&self, now: Timestamp) -> Result<QueueStats>;

    /// Per agency: what it sent and received here and what its DMS has not acknowledged yet,
    /// from counters kept with every write (no scan), ordered by agency code. Agencies with no
    /// activity at all are not listed.
    fn agency_activity(&self) -> Result<Vec<AgencyActivity>>;
}

/// The forwarding queues, one per next hop: enqueue, lease, acknowledge, fail, retry.
pub trait Queues {
    /// Queue the message for `hop` with the recipients behind it (all in state accepted), due at
    /// `due`. One entry per message and hop.
    fn enqueue(
        &self,
        id: MessageId,
        hop: &str,
        recipients: &[String],
        due: Timestamp,
        now: Timestamp,
    ) -> Result<()>;

    /// Lease up to `limit` entries of `hop` that are due at `now`, oldest due first, until
    /// `now + lease_ms`. Leases whose deadline has passed become leasable again first.
    /// A lease is not waited on to be durable: a crash may forget it, and the entry is then due
    /// again (see the crate documentation).
    fn lease(&self, hop: &str, now: Timestamp, limit: usize, lease_ms: u64) -> Result<Vec<Lease>>;

    /// Extend `lease`, if it is still current (the same attempt, still leased), until
    /// `deadline`: a sender that is still sending says so, so that leases can be short and
    /// the leases of a node that died expire soon, while a slow transfer keeps its own.
    /// `Ok(false)`: the lease is not current any more (it expired and the entry was leased
    /// again, or it was acknowledged, failed, suspended or cancelled). Like a lease, not
    /// waited on to be durable on the embedded store.
    fn renew_lease(&self, lease: &Lease, deadline: Timestamp) -> Result<bool>;

    /// When the next entry of `hop` is due (ready entries only), if any.
    fn next_due(&self, hop: &str) -> Result<Option<Timestamp>>;

    /// The hop acknowledged: atomically remove the entry, keep the peer's receipt and mark the
    /// recipients relayed. A late acknowledgement (lease expired, re-leased, suspended, dead) is
    /// still recorded; a second one is [`AckOutcome::AlreadyRelayed`].
    fn ack_lease(&self, lease: &Lease, receipt: &[u8], now: Timestamp) -> Result<AckOutcome>;

    /// The attempt failed: schedule a retry with backoff, or dead-letter the entry.
    /// The lease must be current (same attempt, not suspended or acknowledged).
    fn fail_lease(&self, lease: &Lease, reason: &str, now: Timestamp) -> Result<FailOutcome>;

    /// The peer refused the message itself (not a transient failure): dead-letter the entry
    /// at once, keeping `reason`. An operator can still retry it. The default implementation
    /// treats it as an ordinary failure.
    fn fail_lease_permanently(
        &self,
        lease: &Lease,
        reason: &str,
        now: Timestamp,
    ) -> Result<FailOutcome> {
        self.fail_lease(lease, reason, now)
    }

    /// The link to `hop` works again: make at most `limit` of its entries that wait for a
    /// retry later than `now` due now (attempt counts unchanged, event `link_recovered`).
    /// Returns how many; call again until it returns fewer than `limit`.
    fn retry_hop_now(&self, hop: &str, now: Timestamp, limit: usize) -> Result<usize>;
}

/// The agencies' inboxes: deliver, list and acknowledge.
pub trait Inboxes {
    /// Put the message into `agency`'s inbox (the agency must be a recipient in state accepted).
    /// Delivering again is a no-op reporting `duplicate`.
    fn deliver(&self, id: MessageId, agency: &str, now: Timestamp) -> Result<DeliverOutcome>;

    /// Status packages delivered to `agency` that answer its document `document_id`
    /// (edXML ResponseFor/DocumentId), oldest id first.
    fn statuses_delivered(&self, agency: &str, document_id: &str) -> Result<Vec<MessageId>>;

    /// Messages in `agency`'s inbox after `after`, oldest first, at most `limit`, optionally only
    /// documents or only status packages.
    fn list_inbox(
        &self,
        agency: &str,
        after: Option<InboxCursor>,
        limit: usize,
        kind: Option<MessageKind>,
    ) -> Result<Vec<InboxItem>>;

    /// As [`Inboxes::list_inbox`], only the messages the agency's DMS has not acknowledged
    /// (neither done nor failed): what a polling DMS still has to take.
    fn list_open_inbox(
        &self,
        agency: &str,
        after: Option<InboxCursor>,
        limit: usize,
        kind: Option<MessageKind>,
    ) -> Result<Vec<InboxItem>>;

    /// The agency's DMS acknowledges a fetch.
    fn ack_inbox(
        &self,
        agency: &str,
        id: MessageId,
        result: FetchResult,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()>;
}

/// What an operator does to one message; each records who and why.
pub trait OperatorActions {
    /// Operator: hold every pending recipient and queue entry of the message. The history
    /// records `by` (who and why) with the event; so do the three actions below.
    fn suspend(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()>;

    /// Operator: release a suspended message; its entries are due now.
    fn resume(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()>;

    /// Operator: cancel everything not yet handed on. Final.
    fn cancel(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()>;

    /// Operator: make dead and scheduled entries due now (dead ones get a fresh attempt budget).
    fn retry_now(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()>;
}

/// The compliance record: counts per agency and period, and what is overdue. Nothing here
/// writes; the record is kept by accepting, delivering and the status packages.
pub trait Reports {
    /// Each agency's counts summed over the days `from..=to` (Vietnam time), from the
    /// monthly and daily aggregates: O(agencies × (months + edge days)), no message read.
    fn agency_counts(&self, from: Day, to: Day) -> Result<BTreeMap<String, Counts>>;

    /// Per recipient agency: documents delivered to it on days `from..=to` whose due date
    /// is before `today` and that it has not completed (06), refused or had recalled.
    fn overdue_open(&self, from: Day, to: Day, today: Day) -> Result<BTreeMap<String, u64>>;

    /// Receipt notices and completions owed past their deadline at `now`, of one agency
    /// or all, at most `limit` of each (with the totals).
    fn overdue(&self, now: Timestamp, agency: Option<&str>, limit: usize) -> Result<Overdue>;

    /// The facts kept of a document, if any.
    fn doc_facts(&self, id: MessageId) -> Result<Option<DocFacts>>;
}

/// Retention and the store's health.
pub trait Upkeep {
    /// Purge the payloads of up to `limit` messages that finished at least the configured
    /// retention before `now`. Metadata, history and receipts stay. Returns how many were purged.
    fn purge_expired(&self, now: Timestamp, limit: usize) -> Result<usize>;

    /// Give back the disk space of payload-log ranges nothing refers to (bytes a writer
    /// appended before a crash kept its metadata from being committed, holes a purge could not
    /// punch before a crash) and delete segments with no live payload. Runs beside other
    /// operations; the store's write lock is held only briefly. Returns how many dead ranges
    /// and segments were reclaimed.
    fn sweep_orphan_payloads(&self) -> Result<usize>;

    /// Why the store refuses every write until it is reopened, if it does: a failed flush or
    /// `fdatasync` (disk full, IO error) leaves the kernel's view of the files uncertain, so the
    /// store stops rather than acknowledge writes it cannot vouch for. Readiness probes and
    /// metrics report it; reads keep working. On PostgreSQL: the database does not answer
    /// now (beginning with [`crate::DATABASE_UNREACHABLE`]; nothing to reopen, it recovers
    /// when the database answers again).
    fn failure(&self) -> Option<String> {
        None
    }

    /// Tell `hook` what other processes sharing this store change: on PostgreSQL, every
    /// node's deliveries and ready queue entries (through `LISTEN`/`NOTIFY`), so that this
    /// node's long polls and forwarders wake. A store only one process uses has nothing to
    /// tell (the default).
    fn on_change(&self, hook: crate::pg::listen::ChangeHook) {
        let _ = hook;
    }

    /// Tests only (feature `fault-injection`): the next `fdatasync` of a payload fails with EIO,
    /// as on a failing disk, so that the failure paths above can be exercised for real.
    #[cfg(feature = "fault-injection")]
    fn inject_sync_failure(&self) {}
}

/// The consistency check.
pub trait Check {
    /// Check every record, index, counter and (per `level`) payload. Problems are listed in the
    /// report; `Err` only when checking itself failed.
    fn check(&self, level: VerifyLevel) -> Result<CheckReport>;
}

/// The online backup.
pub trait Backup {
    /// Online backup: write a consistent copy of the store, as of one instant during the
    /// call, to the new folder `dest` (refused if it exists or lies inside the data folder),
    /// while the store keeps working. Writes wait only for that instant; purges and sweeps
    /// wait for the whole backup. `dest` is a data folder that opens as it is. `now` is
    /// recorded in its `BACKUP.json`.
    fn backup(&self, dest: &std::path::Path, now: Timestamp) -> Result<BackupReport>;
}
