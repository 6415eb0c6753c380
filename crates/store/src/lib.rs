//! # lienthong-store
//!
//! The durable store of a lienthong gateway: document payloads in an append-only log addressed
//! by SHA-256, and metadata, queues, inboxes, receipts and history in [sled](https://docs.rs/sled/0.34.7).
//! It serves two promises of the design: **durable before acknowledged** (no call that changes
//! state returns `Ok` before the change is fsync'd) and **exactly once into each inbox** (inboxes
//! are deduplicated by message id, whatever crashes and retries happen).
//!
//! The API is the [`Store`] trait, implemented by [`KvStore`]. It is synchronous (call it from
//! `spawn_blocking`) and never reads the clock: operations take `now` as a [`Timestamp`].
//!
//! ## On-disk layout
//!
//! ```text
//! DATA_DIR/
//!   payloads/00000001.log …  the payload log: segments of records, appended in order
//!   meta/                    the sled database (format: sled 0.34)
//! ```
//!
//! A payload record is a 48-byte header, `"LTP1"`, four zero bytes, the payload length (`u64`
//! big-endian) and its SHA-256, then the exact payload bytes. A segment is sealed when the next
//! record would take it past [`StoreConfig::segment_bytes`] (64 MiB by default; one larger
//! payload gets a segment of its own), and the next one is created. Identical bytes are stored
//! once, whoever sends them. Reading re-checks the header and the SHA-256.
//!
//! ## Key spaces and record format (store format 4, record version 1)
//!
//! sled holds one tree, `store`. The logical trees below are key spaces in it: every key
//! starts with its space's tag byte (the table's order, from 0 for `messages` to 28 for
//! `facts_receipts`), so that a group commit is one `Tree::apply_batch`, which sled recovers
//! atomically.
//!
//! Names in keys (sender, agency, hop) are written as `[len: u8] ++ UTF-8 bytes` (1–255 bytes), so
//! a name's prefix never matches a longer name. Ids are the 16 UUID bytes (v7, so byte order is
//! time order); times are `u64` big-endian milliseconds. Record values are
//! `[FORMAT_VERSION = 1] ++ JSON`; a record with another first byte is reported as corrupt, and a
//! future version will add readers for older versions rather than rewrite them.
//!
//! | space | key | value |
//! |---|---|---|
//! | `messages` | id | message record: sender, kind, sha256, size, document id, business type, origin, accepted_at, summary state, per-recipient state, finished_at, purged_at, history length |
//! | `dedup` | sender ++ sha256 | id of the first message with these bytes from this sender (a local submission of them again gets that id; a relay of them under another id is refused as a replay) |
//! | `doc_ids` | sender ++ DocumentId bytes | id ++ sha256 of the latest document with that DocumentId |
//! | `blob_refs` | sha256 ++ id | payload size (u64); present while the message holds its payload |
//! | `by_state` | state tag (u8) ++ id | empty — for listing by summary state |
//! | `history` | id ++ seq (u32) | record `{at, event}` |
//! | `queue` | id ++ hop bytes | queue entry record: recipients, attempt, enqueued_at, due, status |
//! | `queue_ready` | hop ++ due ++ id | empty — entries with status ready ("next due for hop" is a range scan) |
//! | `queue_leased` | hop ++ deadline ++ id | empty — entries with status leased |
//! | `queue_age` | hop ++ enqueued_at ++ id | empty — entries not dead (oldest age per hop) |
//! | `inbox` | agency ++ seq (u64) | inbox record: id, kind, sender, sha256, size, delivered_at, last ack |
//! | `inbox_ids` | agency ++ id | seq — one inbox entry per (agency, id) |
//! | `receipts_issued` | id | `[1] ++ receipt bytes` we signed for a relayed message |
//! | `receipts_received` | id ++ hop bytes | `[1] ++ at (u64) ++ receipt bytes` from the next hop |
//! | `finished` | finished_at ++ id | empty — finished, not yet purged (retention scan) |
//! | `meta` | `format` / `inbox_seq` / `count/`tag / `depth/`hop / `seg/`segment (u32) / `act/` agency field | store format (4); last inbox seq; messages per state; queue depth per hop; live payloads per segment; per agency (field `sent_edoc`, `sent_status`, `received_edoc`, `received_status`, `open`, `done`, `failed`): local submissions, deliveries, and inbox entries by latest acknowledgement (u64 each) |
//! | `status_index` | agency ++ DocumentId ++ `0` ++ id | empty — a status package delivered to the agency, answering that document (written with the delivery; for tracking). Stores from before this tree simply start with it empty. |
//! | `payloads` | sha256 | location: segment (u32) ++ offset of the record (u64) ++ payload length (u64); present while any `blob_refs` key has this digest |
//! | `inbox_open` | agency ++ seq (u64), as in `inbox` | delivered_at (u64) — inbox entries not acknowledged yet (the first per agency is the oldest) |
//! | `facts` | id | record: what the reports need of a document (`lienthong_compliance::DocFacts`: urgency, due date, paper, number, subject, signed, day sent, recall), its recipients apart |
//! | `agg_day` | day (i32, sign bit flipped, BE; Vietnam days since 1970-01-01) ++ agency | `Counts`: `[1] ++ [n] ++ n × u64` — what the facts imply for that agency and day |
//! | `agg_month` | month (year × 12 + month − 1, as above) ++ agency | the same per month, so that a year's report reads 12 entries per agency |
//! | `notice_open` | agency ++ deadline (u64) ++ id | empty — a receipt notice the agency owes |
//! | `due_open` | agency ++ due day (i32 as above) ++ id | empty — a completion (06) the agency owes by a due date |
//! | `queue_urgent` | band (0 = most urgent) ++ hop ++ due ++ id | empty — ready entries of urgent documents (also in `queue_ready`), leased first |
//! | `inbox_urgent` | agency ++ seq | empty — unacknowledged inbox entries of urgent documents, listed first |
//! | `due_day` | day (as in `agg_day`) ++ agency | the completions owed of documents delivered to the agency that day, by due day: `[1] ++ n × (due day (4) ++ count u64)` |
//! | `due_month` | month (as in `agg_month`) ++ agency | the same per month |
//! | `facts_receipts` | id ++ agency | record: one recipient's handling of a document delivered here (delivery, notice deadline and urgent deadline, first 01/02, refusal, first 06, withdrawal), apart from `facts` so that no value grows with the number of recipients |
//!
//! Every operation computes its writes under one store-wide write lock, against sled plus the
//! writes still pending from other operations. The pending writes of many operations are applied
//! together as **one sled batch** (crash-atomic) by the group-commit leader, so records,
//! indexes and counters never disagree on disk (see [`Check::check`], which verifies all of the
//! relations above).
//!
//! ## What is fsync'd, and when
//!
//! 1. A payload is appended to the current segment (its range reserved under a short lock,
//!    written with `pwrite` outside it, so many writers fill a segment at once) and is made
//!    durable **before its writer's metadata joins the pending batch**: concurrent appenders
//!    share `fdatasync`s through a group commit of their own (the first to wait syncs every
//!    segment written so far, for all of them). A new segment's directory entry is fsync'd
//!    before anything is written to it. So no record can reach sled's files, not even through
//!    the OS writing pages back on its own, before the payloads it refers to are on disk, and
//!    the payload IO of one batch overlaps the metadata commit of the previous one. If an
//!    `fdatasync` fails, the log refuses further payloads until the store is reopened (the
//!    kernel may have dropped the pages, and a later sync could succeed falsely). Payloads
//!    never go into sled.
//! 2. The operation's metadata writes join the pending batch; then the caller waits for a
//!    **group commit**: the first waiter to find no flush running becomes the leader, takes the
//!    whole pending batch, applies it to sled as one batch, calls `Db::flush()` and then
//!    `fdatasync`s sled's log file `meta/db` itself; everybody whose writes were in that batch
//!    returns then.
//!    Concurrent writers share the batch and the fsyncs; none returns before the flush
//!    covering its write has completed. Duplicates and no-ops also wait (the original they found
//!    may not be flushed yet). sled's own background flusher is off (`flush_every_ms(None)`).
//!    If applying or flushing fails, the store refuses all further writes until reopened (its
//!    memory may be ahead of the disk).
//!
//!    One exception: **a lease** (and the expiry of an old one) is applied to sled at once and
//!    returns without waiting for a flush; it becomes durable with the next group commit (at
//!    the latest the lease's own ack, or the store's close). A crash may forget it, which is
//!    harmless: its entry is due again after the restart, as recovery makes of a remembered
//!    lease anyway, one attempt goes uncounted, and the next hop deduplicates the resend by
//!    message id. sled recovers a prefix of what was applied, so the records on disk still
//!    agree. This takes one `fsync` wait off every relay.
//!
//!    Why the extra `fdatasync`: on Linux, sled 0.34's `flush` makes the log stable with
//!    `sync_file_range(2)`, which neither commits the file's metadata (its size) nor flushes the
//!    device's write cache — enough for a killed process, not for a power cut. Also, sled writes
//!    log items larger than a quarter of a segment to separate files that it never fsyncs; the
//!    store therefore uses 8 MiB segments and refuses sled values over 96 KiB (at most 1,000
//!    recipients per message, receipts up to 96 KiB), which keeps every node in the log.
//! 3. Purging a payload: the metadata (no `payloads` entry, segment count decremented) is
//!    flushed first; then a hole is punched over its record (`fallocate(PUNCH_HOLE)`; the
//!    space goes back to the file system and the bytes read as zeros), and a sealed segment with
//!    no live payload left is deleted and its directory fsync'd.
//!
//! ## Online backup
//!
//! [`Backup::backup`] writes a consistent copy of the running store to a new folder that opens
//! as a data folder: sled's entries are copied while the writes applied meanwhile are
//! recorded, then at one instant (the cut, under the write lock) the recording is taken and
//! the payload segments' lengths noted; the recorded writes are replayed onto the copy and
//! the segments copied up to those lengths (holes kept). Writes wait only for the cut; purges
//! and sweeps, which punch holes and delete segments, wait for the whole backup. The copy is
//! written to `DEST.partial`, fsync'd, then renamed. Details: `kvstore/backup.rs`.
//!
//! ## Recovery at open
//!
//! - sled replays its log; a batch is recovered entirely or not at all.
//! - Every lease that was in flight becomes ready again with its previous due time, its
//!   recipients go back to queued, and a `lease_expired` event is recorded.
//! - Appending continues at the end of the highest segment. Records no metadata refers to (a
//!   crash between a payload's append and its metadata commit, a refusal, a concurrent identical
//!   submission) are dead space, never read: sealed segments holding nothing live are deleted
//!   at open, and [`Upkeep::sweep_orphan_payloads`] punches holes over dead ranges in the
//!   others (the gateway runs it after opening and after each hourly retention purge).
//! - Every payload referenced by metadata is checked ([`StoreConfig::verify_on_open`]: its
//!   segment exists and is long enough by default, full header and SHA-256 optionally). If any
//!   is missing or damaged the store **refuses to open** with [`StoreError::Corrupt`] naming the
//!   segment, offset and digest, rather than lose data silently. Reading a payload always
//!   re-checks its header and SHA-256.
//! - The format marker must be 4. A format-3 store (the same without the activity counters
//!   and `inbox_open`) is upgraded in place at open: both are counted from the inboxes and
//!   messages and written, with the new marker, in one sled batch. A store of an earlier layout
//!   (format 1: one file per payload under `blobs/`; format 2: the payload log with one sled
//!   tree per logical tree; both kept their marker in a sled tree `meta`) is refused with
//!   [`StoreError::UnsupportedFormat`] naming its version, never read as an empty store.

mod api;
mod blob;
mod commit;
mod config;
mod error;
mod kvstore;
mod payloads;
mod pg;
mod space;
pub mod state;
mod types;

pub use api::{
    Backup, Check, Inboxes, Lookup, OperatorActions, Queues, Reports, Store, Submit, Upkeep,
};
pub use config::{RetryPolicy, StoreConfig, VerifyLevel};
pub use error::{Result, StoreError};
pub use kvstore::KvStore;
pub use pg::PgOptions;
pub use pg::listen::{ChangeHook, StoreChange};
pub use state::{ActionBy, EntryStatus, Event, MessageState, RecipientState};
pub use types::{
    AcceptOutcome, AcceptRequest, AckOutcome, AgencyActivity, BackupReport, BusinessType,
    CheckReport, CopyReport, Counts, Day, DeliverOutcome, Dispatch, DocFacts, FailOutcome,
    FetchResult, HistoryEntry, HopStats, InboxCursor, InboxItem, Lease, MessageId, MessageInfo,
    MessageKind, MessagePage, MessageQuery, Origin, Overdue, OverdueItem, ParseIdError, PdfNote,
    PdfSignerNote, QueueEntryInfo, QueueStats, ReceivedReceipt, Sha256, SignatureNote, StatusNote,
    Timestamp,
};

/// How [`Upkeep::failure`] begins when a PostgreSQL store's database does not answer: the
/// gateway recovers by itself once it does (unlike a failed disk, which needs a restart).
pub const DATABASE_UNREACHABLE: &str = "database unreachable";

/// The [`Store`] trait and the job traits it is made of, for `use lienthong_store::prelude::*`
/// where a `dyn Store` is called.
pub mod prelude {
    pub use crate::api::{
        Backup, Check, Inboxes, Lookup, OperatorActions, Queues, Reports, Store, Submit, Upkeep,
    };
}
