//! The sled-backed [`Store`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::api::Store;

mod backup;
use crate::blob::{Loc, PayloadLog, Reservation};
use crate::codec::{
    FORMAT_VERSION, SEGMENT_SIZE, check_name, check_value_size, decode, encode, hop_time_id, id_at,
    id_key, name_prefix, prefix_end, show_key, split_time_id, u64_value,
};
use crate::commit::GroupCommit;
use crate::config::{StoreConfig, VerifyLevel};
use crate::error::{Result, StoreError};
use crate::space::Space;
use crate::state::{ActionBy, EntryStatus, Event, MessageState, RecipientState, Refused};
use crate::types::{
    AcceptOutcome, AcceptRequest, AckOutcome, AgencyActivity, BackupReport, BusinessType,
    CheckReport, DeliverOutcome, Dispatch, FailOutcome, FetchResult, HistoryEntry, HopStats,
    InboxCursor, InboxItem, Lease, MessageId, MessageInfo, MessageKind, MessagePage, MessageQuery,
    Origin, QueueEntryInfo, QueueStats, ReceivedReceipt, Sha256, StatusNote, Timestamp,
};

/// Most recipients per message (keeps records well under [`crate::codec::MAX_VALUE`]).
const MAX_RECIPIENTS: usize = 1000;

/// Longest DocumentId accepted.
const MAX_DOCUMENT_ID: usize = 1024;

/// The sled trees. The discriminant indexes [`TREE_NAMES`] and `Inner::trees`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Messages,
    Dedup,
    DocIds,
    BlobRefs,
    ByState,
    History,
    Queue,
    Ready,
    Leased,
    Age,
    Inbox,
    InboxIds,
    ReceiptsIssued,
    ReceiptsReceived,
    Finished,
    Meta,
    StatusIndex,
    Payloads,
    InboxOpen,
}

const N_TREES: usize = 19;

const TREE_NAMES: [&str; N_TREES] = [
    "messages",
    "dedup",
    "doc_ids",
    "blob_refs",
    "by_state",
    "history",
    "queue",
    "queue_ready",
    "queue_leased",
    "queue_age",
    "inbox",
    "inbox_ids",
    "receipts_issued",
    "receipts_received",
    "finished",
    "meta",
    "status_index",
    "payloads",
    "inbox_open",
];

const META_FORMAT: &[u8] = b"format";
const META_INBOX_SEQ: &[u8] = b"inbox_seq";
const META_COUNT: &[u8] = b"count/";
const META_DEPTH: &[u8] = b"depth/";
const META_SEG: &[u8] = b"seg/";
const META_ACTIVITY: &[u8] = b"act/";

/// The activity counters of one agency (`meta` keys `act/` ++ agency ++ field).
const ACT_SENT_EDOC: &str = "sent_edoc";
const ACT_SENT_STATUS: &str = "sent_status";
const ACT_RECEIVED_EDOC: &str = "received_edoc";
const ACT_RECEIVED_STATUS: &str = "received_status";
const ACT_OPEN: &str = "open";
const ACT_DONE: &str = "done";
const ACT_FAILED: &str = "failed";

fn activity_key(agency: &str, field: &str) -> Vec<u8> {
    let mut k = META_ACTIVITY.to_vec();
    k.extend_from_slice(&name_prefix(agency));
    k.extend_from_slice(field.as_bytes());
    k
}

fn sent_field(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Edoc => ACT_SENT_EDOC,
        MessageKind::Status => ACT_SENT_STATUS,
    }
}

fn received_field(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Edoc => ACT_RECEIVED_EDOC,
        MessageKind::Status => ACT_RECEIVED_STATUS,
    }
}

fn ack_field(result: FetchResult) -> &'static str {
    match result {
        FetchResult::Done => ACT_DONE,
        FetchResult::Fail => ACT_FAILED,
    }
}

/// The store layout version in the `meta` space's `format` key (1: one file per payload under
/// `blobs/` and one sled tree per logical tree; 2: the payload log, still one sled tree per
/// logical tree; 3: the payload log and key spaces of the one sled tree `store`; 4: format 3
/// plus the per-agency activity counters and the `inbox_open` index, which opening a format-3
/// store builds in place). Record values carry their own version byte ([`FORMAT_VERSION`]).
const STORE_FORMAT: u8 = 4;

/// The format opening upgrades in place to [`STORE_FORMAT`].
const UPGRADABLE_FORMAT: u8 = 3;

/// The sled tree that held the format marker in formats 1 and 2.
const OLD_META_TREE: &[u8] = b"meta";

/// The stored form of a message (tree `messages`, key = id).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MessageRecord {
    sender: String,
    kind: MessageKind,
    sha256: Sha256,
    size: u64,
    document_id: Option<String>,
    business: Option<BusinessType>,
    origin: Origin,
    accepted_at: Timestamp,
    state: MessageState,
    recipients: BTreeMap<String, RecipientState>,
    finished_at: Option<Timestamp>,
    purged_at: Option<Timestamp>,
    history_len: u32,
    /// Added after format 4 was defined; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<StatusNote>,
}

impl MessageRecord {
    fn info(&self, id: MessageId) -> MessageInfo {
        MessageInfo {
            id,
            sender: self.sender.clone(),
            kind: self.kind,
            sha256: self.sha256,
            size: self.size,
            document_id: self.document_id.clone(),
            business: self.business,
            origin: self.origin.clone(),
            accepted_at: self.accepted_at,
            state: self.state,
            recipients: self.recipients.clone(),
            finished_at: self.finished_at,
            purged_at: self.purged_at,
            status: self.status.clone(),
        }
    }

    fn is_finished(&self) -> bool {
        self.recipients.values().all(RecipientState::is_final)
    }
}

/// The stored form of a queue entry (tree `queue`, key = id ++ hop).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct QueueEntry {
    recipients: Vec<String>,
    attempt: u32,
    enqueued_at: Timestamp,
    due: Timestamp,
    status: EntryStatus,
}

/// The stored form of an inbox entry (tree `inbox`, key = agency ++ seq).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct InboxRecord {
    id: MessageId,
    kind: MessageKind,
    sender: String,
    sha256: Sha256,
    size: u64,
    delivered_at: Timestamp,
    acked: Option<FetchResult>,
}

/// A durable [`Store`] on sled and the payload log. See the crate documentation for the format.
#[derive(Debug)]
pub struct SledStore {
    dir: PathBuf,
    config: StoreConfig,
    db: sled::Db,
    /// sled's log file, for fsync (see `open_at`).
    db_file: std::fs::File,
    trees: Vec<Space>,
    blobs: PayloadLog,
    /// Serialises all metadata writes and guards the write sets not yet applied to sled.
    shared: Mutex<Shared>,
    commit: GroupCommit,
    /// Held by whatever punches holes in or deletes payload segments (purge, sweep) and by an
    /// online backup, which copies the segments and must not see them change under it.
    maintenance: Mutex<()>,
}

impl Drop for SledStore {
    /// Closing makes durable what was applied without waiting for a flush (leases), so that a
    /// clean stop loses nothing and sled has nothing left to write when its handles go.
    fn drop(&mut self) {
        if let Err(e) = self.barrier() {
            tracing::warn!(error = %e, "store: last flush at close failed");
        }
    }
}

/// Write sets per tree: key → new value (`None` = delete).
type WriteSet = Vec<BTreeMap<Vec<u8>, Option<Vec<u8>>>>;

fn empty_write_set() -> WriteSet {
    vec![BTreeMap::new(); N_TREES]
}

/// State behind the write lock.
#[derive(Debug)]
struct Shared {
    /// Writes of operations that have completed their logic but are not yet applied to sled.
    /// The group-commit leader applies them all as one sled batch, then flushes.
    pending: WriteSet,
    /// Set when applying or flushing failed: the in-memory view may be ahead of sled, so every
    /// further write is refused until the store is reopened.
    poisoned: Option<String>,
    /// While an online backup copies sled: every write applied since it began, full keys in
    /// the order applied (`None` = removed), to be replayed onto the copy (see `backup`).
    tap: Option<Tap>,
}

/// One write recorded for a backup: the full sled key and its new value (`None`: removed).
type TappedWrite = (Vec<u8>, Option<Vec<u8>>);

/// The writes recorded while a backup copies sled, bounded: past `max_bytes`
/// ([`StoreConfig::backup_max_replay_bytes`]) the recording stops and the backup fails at
/// its cut (rather than take the memory of a small machine); it can be tried again at a
/// quieter time.
#[derive(Debug, Default)]
struct Tap {
    writes: Vec<TappedWrite>,
    bytes: usize,
    max_bytes: usize,
    overflowed: bool,
}

impl Tap {
    fn record(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if self.overflowed {
            return;
        }
        self.bytes += key.len() + value.as_ref().map_or(0, Vec::len) + 64;
        if self.bytes > self.max_bytes {
            self.overflowed = true;
            self.writes = Vec::new();
            return;
        }
        self.writes.push((key, value));
    }
}

/// [`apply`] under the write lock, also recording the writes for a backup in progress.
fn apply_locked(trees: &[Space], g: &mut Shared, writes: &WriteSet) -> Result<()> {
    apply(trees, writes)?;
    if let Some(tap) = g.tap.as_mut().filter(|t| !t.overflowed) {
        for (space, w) in trees.iter().zip(writes) {
            for (k, v) in w {
                tap.record(space.key(k), v.clone());
            }
        }
    }
    Ok(())
}

/// The writes of one operation, read through the batches not yet applied and sled.
struct Tx<'a> {
    trees: &'a [Space],
    /// Writes of earlier operations not yet applied to sled.
    pending: Option<&'a WriteSet>,
    writes: WriteSet,
    /// Wait for durability even without writes (the caller saw data that may not be flushed yet).
    barrier: bool,
}

/// Apply `writes` to sled as one batch of the shared tree, which sled recovers atomically.
fn apply(trees: &[Space], writes: &WriteSet) -> Result<()> {
    if writes.iter().all(BTreeMap::is_empty) {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    for (space, w) in trees.iter().zip(writes) {
        for (k, val) in w {
            match val {
                Some(val) => batch.insert(space.key(k), val.as_slice()),
                None => batch.remove(space.key(k)),
            }
        }
    }
    match trees.first() {
        Some(space) => Ok(space.tree().apply_batch(batch)?),
        None => Ok(()),
    }
}

impl<'a> Tx<'a> {
    /// A transaction seeing sled plus the writes of earlier operations not yet applied.
    fn new(trees: &'a [Space], shared: &'a Shared) -> Tx<'a> {
        Tx {
            trees,
            pending: Some(&shared.pending),
            writes: empty_write_set(),
            barrier: false,
        }
    }

    /// A read-only view of what is applied to sled.
    fn reader(trees: &'a [Space]) -> Tx<'a> {
        Tx {
            trees,
            pending: None,
            writes: empty_write_set(),
            barrier: false,
        }
    }

    fn get(&self, t: T, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(v) = self.writes[t as usize].get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.pending.and_then(|p| p[t as usize].get(key)) {
            return Ok(v.clone());
        }
        Ok(self.trees[t as usize].get(key)?.map(|v| v.to_vec()))
    }

    fn put(&mut self, t: T, key: Vec<u8>, value: Vec<u8>) {
        self.writes[t as usize].insert(key, Some(value));
    }

    fn del(&mut self, t: T, key: Vec<u8>) {
        self.writes[t as usize].insert(key, None);
    }

    /// Keys of tree `t` in `start..end` (`end` = None: unbounded), in order, at most `limit`,
    /// as this transaction sees them (sled merged with the pending and own writes).
    fn keys_in(
        &self,
        t: T,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>> {
        use std::ops::Bound;
        let bounds = (
            Bound::Included(start.to_vec()),
            end.map_or(Bound::Unbounded, |e| Bound::Excluded(e.to_vec())),
        );
        let mut overlay: BTreeMap<Vec<u8>, bool> = BTreeMap::new();
        if let Some(p) = self.pending {
            for (k, v) in p[t as usize].range(bounds.clone()) {
                overlay.insert(k.clone(), v.is_some());
            }
        }
        for (k, v) in self.writes[t as usize].range(bounds) {
            overlay.insert(k.clone(), v.is_some());
        }
        let mut tree_keys = self.trees[t as usize].range(start, end).keys();
        let mut next_tree = || -> Result<Option<Vec<u8>>> {
            Ok(match tree_keys.next() {
                Some(k) => Some(k?.to_vec()),
                None => None,
            })
        };
        let mut over = overlay.into_iter();
        let mut a = next_tree()?;
        let mut b = over.next();
        let mut out = Vec::new();
        while out.len() < limit {
            match (a.take(), b.take()) {
                (None, None) => break,
                (Some(k), None) => {
                    out.push(k);
                    a = next_tree()?;
                }
                (None, Some((k, present))) => {
                    if present {
                        out.push(k);
                    }
                    b = over.next();
                }
                (Some(ka), Some((kb, present))) => {
                    if kb <= ka {
                        if present {
                            out.push(kb.clone());
                        }
                        a = if kb == ka { next_tree()? } else { Some(ka) };
                        b = over.next();
                    } else {
                        out.push(ka);
                        a = next_tree()?;
                        b = Some((kb, present));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Keys of tree `t` starting with `prefix`.
    fn keys_with_prefix(&self, t: T, prefix: &[u8], limit: usize) -> Result<Vec<Vec<u8>>> {
        self.keys_in(t, prefix, prefix_end(prefix).as_deref(), limit)
    }

    // ---- typed helpers ----

    fn load_message(&self, id: MessageId) -> Result<MessageRecord> {
        let key = id.to_bytes();
        match self.get(T::Messages, &key)? {
            Some(v) => decode(&v, TREE_NAMES[T::Messages as usize], &key),
            None => Err(StoreError::not_found("message", id)),
        }
    }

    /// Store `rec` (whose `state` is the state before this operation, `None` if new), keeping the
    /// state index, state counters and finished index in step.
    fn save_message(
        &mut self,
        id: MessageId,
        rec: &mut MessageRecord,
        old_state: Option<MessageState>,
        now: Timestamp,
    ) -> Result<()> {
        let new_state = MessageState::of(&rec.recipients);
        if old_state != Some(new_state) {
            if let Some(old) = old_state {
                self.del(T::ByState, state_key(old, id));
                self.add_counter(&count_key(old), -1)?;
            }
            self.put(T::ByState, state_key(new_state, id), Vec::new());
            self.add_counter(&count_key(new_state), 1)?;
        }
        rec.state = new_state;
        match (rec.is_finished(), rec.finished_at) {
            (true, None) => {
                rec.finished_at = Some(now);
                if rec.purged_at.is_none() {
                    self.put(T::Finished, finished_key(now, id), Vec::new());
                }
            }
            (false, Some(at)) => {
                rec.finished_at = None;
                self.del(T::Finished, finished_key(at, id));
            }
            _ => {}
        }
        self.put(T::Messages, id.to_bytes().to_vec(), encode(rec)?);
        Ok(())
    }

    fn event(
        &mut self,
        id: MessageId,
        rec: &mut MessageRecord,
        at: Timestamp,
        event: Event,
    ) -> Result<()> {
        let key = id_key(id, &rec.history_len.to_be_bytes());
        rec.history_len = rec.history_len.saturating_add(1);
        self.put(T::History, key, encode(&HistoryEntry { at, event })?);
        Ok(())
    }

    fn counter(&self, key: &[u8]) -> Result<u64> {
        match self.get(T::Meta, key)? {
            Some(v) => u64_value(&v)
                .ok_or_else(|| StoreError::corrupt("counter", format!("meta/{}", show_key(key)))),
            None => Ok(0),
        }
    }

    fn add_counter(&mut self, key: &[u8], delta: i64) -> Result<()> {
        let v = self.counter(key)?;
        let n = if delta >= 0 {
            v.saturating_add(delta as u64)
        } else {
            v.saturating_sub(delta.unsigned_abs())
        };
        self.put(T::Meta, key.to_vec(), n.to_be_bytes().to_vec());
        Ok(())
    }

    /// Replace queue entry `old` of `id` at `hop` by `new`, move each of its recipients on
    /// with `step` (`None`: leave that recipient as it is), record `event` and save the
    /// message, which is returned.
    fn move_entry(
        &mut self,
        id: MessageId,
        hop: &str,
        (old, new): (&QueueEntry, &QueueEntry),
        event: Event,
        now: Timestamp,
        step: impl Fn(&RecipientState) -> Option<std::result::Result<RecipientState, Refused>>,
    ) -> Result<MessageRecord> {
        self.set_entry(id, hop, Some(old), Some(new))?;
        let mut rec = self.load_message(id)?;
        let before = rec.state;
        for r in &old.recipients {
            let s = recipient_mut(&mut rec, id, r)?;
            if let Some(next) = step(s) {
                *s = next.map_err(|e| refused(id, e))?;
            }
        }
        self.event(id, &mut rec, now, event)?;
        self.save_message(id, &mut rec, Some(before), now)?;
        Ok(rec)
    }

    /// The message and queue entry a key of the ready index (`queue_ready`) points to.
    fn ready_entry(&self, key: &[u8], hop: &str) -> Result<(MessageId, QueueEntry)> {
        let (_, _, id) = parse_hop_key(key, "queue_ready")?;
        match self.load_entry(id, hop)? {
            Some(e) => Ok((id, e)),
            None => Err(StoreError::corrupt(
                "queue index (ready entry without queue record)",
                format!("queue/{id}/{hop}"),
            )),
        }
    }

    fn load_entry(&self, id: MessageId, hop: &str) -> Result<Option<QueueEntry>> {
        let key = id_key(id, hop.as_bytes());
        match self.get(T::Queue, &key)? {
            Some(v) => Ok(Some(decode(&v, TREE_NAMES[T::Queue as usize], &key)?)),
            None => Ok(None),
        }
    }

    /// Replace entry `(id, hop)` `old` by `new` (either may be absent), keeping the ready, leased
    /// and age indexes and the per-hop depth counter consistent. The single place that derives
    /// index membership from an entry; [`SledStore::check`] verifies the same rules.
    fn set_entry(
        &mut self,
        id: MessageId,
        hop: &str,
        old: Option<&QueueEntry>,
        new: Option<&QueueEntry>,
    ) -> Result<()> {
        let mut depth_delta = 0i64;
        if let Some(o) = old {
            for (t, k) in entry_index_keys(id, hop, o) {
                self.del(t, k);
            }
            if !matches!(o.status, EntryStatus::Dead { .. }) {
                depth_delta -= 1;
            }
        }
        let key = id_key(id, hop.as_bytes());
        match new {
            Some(n) => {
                for (t, k) in entry_index_keys(id, hop, n) {
                    self.put(t, k, Vec::new());
                }
                if !matches!(n.status, EntryStatus::Dead { .. }) {
                    depth_delta += 1;
                }
                self.put(T::Queue, key, encode(n)?);
            }
            None => self.del(T::Queue, key),
        }
        if depth_delta != 0 {
            self.add_counter(&depth_key(hop), depth_delta)?;
        }
        Ok(())
    }
}

/// The index keys an entry must have: ready (status ready), leased (status leased), age (not dead).
fn entry_index_keys(id: MessageId, hop: &str, e: &QueueEntry) -> Vec<(T, Vec<u8>)> {
    let mut out = Vec::with_capacity(2);
    match &e.status {
        EntryStatus::Ready => out.push((T::Ready, hop_time_id(hop, e.due, id))),
        EntryStatus::Leased { deadline } => out.push((T::Leased, hop_time_id(hop, *deadline, id))),
        EntryStatus::Suspended | EntryStatus::Dead { .. } => {}
    }
    if !matches!(e.status, EntryStatus::Dead { .. }) {
        out.push((T::Age, hop_time_id(hop, e.enqueued_at, id)));
    }
    out
}

fn state_key(state: MessageState, id: MessageId) -> Vec<u8> {
    let mut k = vec![state.tag()];
    k.extend_from_slice(&id.to_bytes());
    k
}

fn count_key(state: MessageState) -> Vec<u8> {
    let mut k = META_COUNT.to_vec();
    k.push(state.tag());
    k
}

fn depth_key(hop: &str) -> Vec<u8> {
    let mut k = META_DEPTH.to_vec();
    k.extend_from_slice(hop.as_bytes());
    k
}

fn finished_key(at: Timestamp, id: MessageId) -> Vec<u8> {
    let mut k = at.as_millis().to_be_bytes().to_vec();
    k.extend_from_slice(&id.to_bytes());
    k
}

fn dedup_key(sender: &str, sha: &Sha256) -> Vec<u8> {
    let mut k = name_prefix(sender);
    k.extend_from_slice(sha.as_bytes());
    k
}

fn doc_key(sender: &str, document_id: &str) -> Vec<u8> {
    let mut k = name_prefix(sender);
    k.extend_from_slice(document_id.as_bytes());
    k
}

/// `meta` key of the number of live payloads in segment `seg`.
fn seg_key(seg: u32) -> Vec<u8> {
    let mut k = META_SEG.to_vec();
    k.extend_from_slice(&seg.to_be_bytes());
    k
}

fn blob_ref_key(sha: &Sha256, id: MessageId) -> Vec<u8> {
    let mut k = sha.as_bytes().to_vec();
    k.extend_from_slice(&id.to_bytes());
    k
}

fn inbox_key(agency: &str, seq: u64) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The agency and field of an activity counter key (`act/` ++ name ++ field).
fn parse_activity_key(k: &[u8]) -> Option<(String, String)> {
    let rest = k.strip_prefix(META_ACTIVITY)?;
    let (&len, rest) = rest.split_first()?;
    let name = rest.get(..len as usize)?;
    let field = rest.get(len as usize..)?;
    Some((
        String::from_utf8(name.to_vec()).ok()?,
        String::from_utf8(field.to_vec()).ok()?,
    ))
}

/// The activity counters (`meta` key → value) and the `inbox_open` index (key → delivered_at)
/// that the inboxes and messages imply: what an upgrade from format 3 writes, and what
/// [`SledStore::check`] compares with the stored ones.
type Activity = (BTreeMap<Vec<u8>, u64>, BTreeMap<Vec<u8>, u64>);

/// `status_index` key: the agency's prefix, the DocumentId, a 0 byte (XML text has none),
/// then the status message id.
fn status_index_prefix(agency: &str, document_id: &str) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(document_id.as_bytes());
    k.push(0);
    k
}

fn inbox_id_key(agency: &str, id: MessageId) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(&id.to_bytes());
    k
}

/// End (exclusive) of the keys `prefix ++ t' ++ …` with `t' ≤ t`.
fn upto(prefix: &[u8], t: Timestamp) -> Option<Vec<u8>> {
    match t.as_millis().checked_add(1) {
        Some(n) => {
            let mut k = prefix.to_vec();
            k.extend_from_slice(&n.to_be_bytes());
            Some(k)
        }
        None => prefix_end(prefix),
    }
}

/// Count a message its sender sent from here (relayed ones were sent elsewhere).
fn count_sent(counters: &mut BTreeMap<Vec<u8>, u64>, rec: &MessageRecord) {
    if let Origin::Local = rec.origin {
        *counters
            .entry(activity_key(&rec.sender, sent_field(rec.kind)))
            .or_default() += 1;
    }
}

fn refused(id: MessageId, r: Refused) -> StoreError {
    StoreError::InvalidState {
        id,
        from: r.from.to_owned(),
        action: r.action,
    }
}

fn invalid_state(id: MessageId, from: impl Into<String>, action: &'static str) -> StoreError {
    StoreError::InvalidState {
        id,
        from: from.into(),
        action,
    }
}

fn check_unique_names(what: &str, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Err(StoreError::InvalidInput(format!(
            "at least one {what} is required"
        )));
    }
    if names.len() > MAX_RECIPIENTS {
        return Err(StoreError::InvalidInput(format!(
            "at most {MAX_RECIPIENTS} {what}s per message, got {}",
            names.len()
        )));
    }
    let mut seen = HashSet::new();
    for n in names {
        check_name(what, n)?;
        if !seen.insert(n.as_str()) {
            return Err(StoreError::InvalidInput(format!(
                "{what} '{n}' is listed twice"
            )));
        }
    }
    Ok(())
}

/// How long opening waits for sled's file lock to be released by a handle just closed.
const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Wait (at most `within`) until nobody holds sled's exclusive lock on its log file `db`.
///
/// sled takes the lock with `flock` at open, and a closed `Db` releases it only when its
/// background IO threads have let go of it, a few milliseconds after the last handle was
/// dropped; an open in that window fails with "could not acquire lock" (sled's own tests
/// block on the lock for that reason). This waits for the release, so that closing and
/// reopening a store in one process (tests, an in-process restart) is reliable. A lock held
/// by another process (a second gateway on the same folder) is still reported by sled's open
/// once the wait is over.
fn wait_for_sled_lock(db_file: &Path, within: std::time::Duration) {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FlockOperation, flock};
        let Ok(f) = std::fs::File::open(db_file) else {
            return; // a new store: nothing to wait for
        };
        let deadline = std::time::Instant::now() + within;
        while flock(&f, FlockOperation::NonBlockingLockExclusive).is_err() {
            if std::time::Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // Closing `f` releases the probe's lock; sled takes its own next.
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (db_file, within);
}

impl SledStore {
    /// Open (or create) the store in `dir`, recovering from any crash. Uses the wall clock only to
    /// timestamp the history of leases restored at open; see [`SledStore::open_at`].
    pub fn open(dir: impl AsRef<Path>, config: StoreConfig) -> Result<SledStore> {
        SledStore::open_at(dir, config, Timestamp::now_utc())
    }

    /// Open (or create) the store in `dir`; `now` timestamps recovery events.
    ///
    /// Recovery: leases that were in flight become ready again (due as before); temporary blob
    /// files are removed; then the blobs are checked per [`StoreConfig::verify_on_open`] and the
    /// open **fails** with [`StoreError::Corrupt`] if any referenced payload is missing or damaged.
    pub fn open_at(
        dir: impl AsRef<Path>,
        config: StoreConfig,
        now: Timestamp,
    ) -> Result<SledStore> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io("creating", &dir, e))?;
        wait_for_sled_lock(&dir.join("meta").join("db"), SLED_LOCK_WAIT);
        let db = sled::Config::new()
            .path(dir.join("meta"))
            .cache_capacity(config.cache_capacity_bytes)
            // Durability comes from our group commit only; sled's background flusher would take
            // the same lock as our batches and add latency.
            .flush_every_ms(None)
            .segment_size(SEGMENT_SIZE)
            .open()?;
        // sled makes its log "stable" with sync_file_range(2), which neither commits the file's
        // metadata (its size) nor flushes the device cache. We fsync its log file ourselves after
        // every flush, through our own descriptor (fsync acts on the file, not the descriptor).
        let meta_dir = dir.join("meta");
        let db_path = meta_dir.join("db");
        let db_file =
            std::fs::File::open(&db_path).map_err(|e| StoreError::io("opening", &db_path, e))?;
        for d in [&meta_dir, &dir] {
            std::fs::File::open(d)
                .and_then(|f| f.sync_all())
                .map_err(|e| StoreError::io("syncing directory", d, e))?;
        }
        let shared_tree = db.open_tree("store")?;
        let trees: Vec<Space> = (0..N_TREES)
            .map(|i| Space::new(shared_tree.clone(), i as u8))
            .collect();
        let blobs = PayloadLog::open(&dir, config.segment_bytes)?;
        let store = SledStore {
            dir,
            config,
            db,
            db_file,
            trees,
            blobs,
            shared: Mutex::new(Shared {
                pending: empty_write_set(),
                poisoned: None,
                tap: None,
            }),
            commit: GroupCommit::default(),
            maintenance: Mutex::new(()),
        };
        store.check_format()?;
        store.remove_dead_segments()?;
        let restored = store.restore_leases(now)?;
        if restored > 0 {
            tracing::info!(restored, "in-flight leases restored to ready");
        }
        store.verify_blobs_on_open()?;
        Ok(store)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The configuration in use.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// How many group-commit flushes have run since open (for metrics).
    pub fn flush_count(&self) -> u64 {
        self.commit.flush_count()
    }

    /// Approximate size of the sled files in bytes.
    pub fn metadata_size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn tree(&self, t: T) -> &Space {
        &self.trees[t as usize]
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock cannot leave `pending` half-merged: an operation's writes
        // are merged in one step after its logic succeeded.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn poison(&self, e: &StoreError) {
        tracing::error!(error = %e, "store write failed; refusing further writes until reopened");
        self.lock().poisoned = Some(e.to_string());
    }

    /// The group-commit leader's work: apply every pending write set to sled as one batch,
    /// then flush and fsync sled. Returns the last ticket covered.
    fn apply_and_flush(&self) -> Result<u64> {
        let target = {
            let mut g = self.lock();
            if let Some(p) = &g.poisoned {
                return Err(StoreError::Flush(format!(
                    "store unusable after an earlier failure: {p}"
                )));
            }
            let batch = std::mem::replace(&mut g.pending, empty_write_set());
            // Tickets are issued under this lock after their writes joined `pending`.
            let target = self.commit.issued();
            // Every payload these records refer to was durable before its writer joined the
            // batch (`PayloadLog::append` returns after its fdatasync).
            if let Err(e) = apply_locked(&self.trees, &mut g, &batch) {
                g.poisoned = Some(e.to_string());
                return Err(e);
            }
            target
        };
        let flushed = self.db.flush().map_err(StoreError::from).and_then(|_| {
            self.db_file
                .sync_data()
                .map_err(|e| StoreError::io("syncing", self.dir.join("meta").join("db"), e))
        });
        if let Err(e) = flushed {
            self.poison(&e);
            return Err(e);
        }
        Ok(target)
    }

    /// Wait until everything done so far is durable.
    fn barrier(&self) -> Result<()> {
        let t = self.commit.ticket();
        self.commit.wait(t, || self.apply_and_flush())
    }

    /// Run `f` under the write lock against sled plus the pending writes; add its writes to the
    /// pending batch; then wait (without the lock) for the group commit that applies and flushes
    /// them. An `Err` from `f` discards its writes.
    fn write<R>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        let mut g = self.lock();
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        let mut tx = Tx::new(&self.trees, &g);
        let out = f(&mut tx)?;
        let Tx {
            writes, barrier, ..
        } = tx;
        let wrote = writes.iter().any(|m| !m.is_empty());
        for (pending, own) in g.pending.iter_mut().zip(writes) {
            pending.extend(own);
        }
        let ticket = self.commit.ticket();
        drop(g);
        if wrote || barrier {
            self.commit.wait(ticket, || self.apply_and_flush())?;
        }
        Ok(out)
    }

    /// Like [`Self::write`], but the writes are applied to sled at once and become durable with
    /// the next group commit instead of waiting for one: for state that a crash may lose without
    /// harm. A lease is such state: forgotten, its entry is simply due again after the restart
    /// (what recovery makes of a remembered lease too), its attempt goes uncounted, and the
    /// next hop deduplicates the resend by message id. sled recovers a prefix of what was
    /// applied, so a later durable write (the lease's ack) makes it durable too, and on disk
    /// the records stay consistent.
    fn write_unsynced<R>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        let mut g = self.lock_applied()?;
        if let Some(p) = &g.poisoned {
            return Err(StoreError::Flush(format!(
                "store unusable after an earlier failure: {p}"
            )));
        }
        let mut tx = Tx::new(&self.trees, &g);
        let out = f(&mut tx)?;
        let Tx { writes, .. } = tx;
        if let Err(e) = apply_locked(&self.trees, &mut g, &writes) {
            g.poisoned = Some(e.to_string());
            return Err(e);
        }
        Ok(out)
    }

    /// Lock with everything pending applied to sled (not yet flushed; the tickets waiting for it
    /// are covered by the next flush), for maintenance that reads sled directly.
    fn lock_applied(&self) -> Result<MutexGuard<'_, Shared>> {
        let mut g = self.lock();
        let batch = std::mem::replace(&mut g.pending, empty_write_set());
        apply_locked(&self.trees, &mut g, &batch)
            .inspect_err(|e| g.poisoned = Some(e.to_string()))?;
        Ok(g)
    }

    /// Recount [`Activity`] from the inbox and message records.
    fn recount_activity(&self) -> Result<Activity> {
        let (mut counters, open) = self.recount_inbox_activity()?;
        for item in self.tree(T::Messages).iter() {
            let (k, v) = item?;
            let Ok(rec) = decode::<MessageRecord>(&v, "messages", &k) else {
                continue;
            };
            count_sent(&mut counters, &rec);
        }
        Ok((counters, open))
    }

    /// The part of [`Activity`] that the inbox records give: everything but what was sent.
    fn recount_inbox_activity(&self) -> Result<Activity> {
        let mut counters: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        let mut open = BTreeMap::new();
        for item in self.tree(T::Inbox).iter() {
            let (k, v) = item?;
            let Some((&len, rest)) = k.split_first() else {
                continue;
            };
            let Ok(agency) = std::str::from_utf8(rest.get(..len as usize).unwrap_or_default())
            else {
                continue;
            };
            let Ok(rec) = decode::<InboxRecord>(&v, "inbox", &k) else {
                continue;
            };
            *counters
                .entry(activity_key(agency, received_field(rec.kind)))
                .or_default() += 1;
            match rec.acked {
                None => {
                    *counters.entry(activity_key(agency, ACT_OPEN)).or_default() += 1;
                    open.insert(k.to_vec(), rec.delivered_at.as_millis());
                }
                Some(r) => {
                    *counters
                        .entry(activity_key(agency, ack_field(r)))
                        .or_default() += 1
                }
            }
        }
        Ok((counters, open))
    }

    /// Format 3 → 4: build the activity counters and the `inbox_open` index, and set the new
    /// marker, in one batch (sled recovers it whole or not at all).
    fn upgrade_from_3(&self) -> Result<()> {
        let (counters, open) = self.recount_activity()?;
        let mut w = empty_write_set();
        for (k, n) in &counters {
            w[T::Meta as usize].insert(k.clone(), Some(n.to_be_bytes().to_vec()));
        }
        for (k, at) in &open {
            w[T::InboxOpen as usize].insert(k.clone(), Some(at.to_be_bytes().to_vec()));
        }
        w[T::Meta as usize].insert(META_FORMAT.to_vec(), Some(vec![STORE_FORMAT]));
        apply(&self.trees, &w)?;
        self.db.flush()?;
        self.db_file
            .sync_data()
            .map_err(|e| StoreError::io("syncing", self.dir.join("meta"), e))?;
        tracing::info!(
            agencies = counters.len(),
            unacknowledged = open.len(),
            "store upgraded from format 3 to 4 (per-agency activity counters)"
        );
        Ok(())
    }

    fn check_format(&self) -> Result<()> {
        // A store of an earlier layout keeps its records in other sled trees: refuse it rather
        // than see an empty store.
        if self
            .db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == OLD_META_TREE)
        {
            let found = self
                .db
                .open_tree(OLD_META_TREE)?
                .get(META_FORMAT)?
                .and_then(|v| v.first().copied())
                .unwrap_or(0);
            return Err(StoreError::UnsupportedFormat {
                found,
                supported: STORE_FORMAT,
            });
        }
        let meta = self.tree(T::Meta);
        match meta.get(META_FORMAT)? {
            Some(v) if v.as_ref() == [STORE_FORMAT] => Ok(()),
            Some(v) if v.as_ref() == [UPGRADABLE_FORMAT] => self.upgrade_from_3(),
            Some(v) => Err(StoreError::UnsupportedFormat {
                found: v.first().copied().unwrap_or(0),
                supported: STORE_FORMAT,
            }),
            None => {
                if !self.tree(T::Messages).is_empty() {
                    return Err(StoreError::corrupt(
                        "store (format marker missing but messages present)",
                        self.dir.display().to_string(),
                    ));
                }
                meta.insert(META_FORMAT, &[STORE_FORMAT])?;
                self.db.flush()?;
                self.db_file
                    .sync_all()
                    .map_err(|e| StoreError::io("syncing", self.dir.join("meta"), e))
            }
        }
    }

    fn restore_leases(&self, now: Timestamp) -> Result<usize> {
        let keys: Vec<Vec<u8>> = self
            .tree(T::Leased)
            .iter()
            .keys()
            .map(|k| k.map(|k| k.to_vec()))
            .collect::<std::result::Result<_, _>>()?;
        if keys.is_empty() {
            return Ok(0);
        }
        let n = keys.len();
        self.write(|tx| {
            for key in keys {
                let (hop, _deadline, id) = parse_hop_key(&key, "queue_leased")?;
                tx.del(T::Leased, key.clone());
                self.expire_entry(tx, id, &hop, now)?;
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// A leased entry goes back to ready (due unchanged); its recipients back to queued.
    fn expire_entry(
        &self,
        tx: &mut Tx<'_>,
        id: MessageId,
        hop: &str,
        now: Timestamp,
    ) -> Result<()> {
        let Some(old) = tx.load_entry(id, hop)? else {
            return Err(StoreError::corrupt(
                "queue index (leased entry without queue record)",
                format!("queue/{id}/{hop}"),
            ));
        };
        if !matches!(old.status, EntryStatus::Leased { .. }) {
            return Err(StoreError::corrupt(
                format!(
                    "queue index (leased index but entry is {})",
                    old.status.name()
                ),
                format!("queue/{id}/{hop}"),
            ));
        }
        let new = QueueEntry {
            status: EntryStatus::Ready,
            ..old.clone()
        };
        tx.set_entry(id, hop, Some(&old), Some(&new))?;
        let mut rec = tx.load_message(id)?;
        let before = rec.state;
        for r in &old.recipients {
            if let Some(s) = rec.recipients.get_mut(r)
                && matches!(s, RecipientState::InFlight { .. })
            {
                *s = s.lease_expired().map_err(|e| refused(id, e))?;
            }
        }
        tx.event(
            id,
            &mut rec,
            now,
            Event::LeaseExpired {
                hop: hop.to_owned(),
                attempt: old.attempt,
            },
        )?;
        tx.save_message(id, &mut rec, Some(before), now)
    }

    fn verify_blobs_on_open(&self) -> Result<()> {
        let level = self.config.verify_on_open;
        if level == VerifyLevel::Off {
            return Ok(());
        }
        let mut problems = Vec::new();
        let mut count = 0u64;
        self.verify_blobs(level, &mut problems, &mut count)?;
        if let Some(first) = problems.first() {
            for p in &problems {
                tracing::error!(problem = %p, "store verification failed");
            }
            return Err(StoreError::corrupt(
                format!(
                    "payload store: {} problem(s) among {count} blobs; refusing to open (first shown)",
                    problems.len()
                ),
                first.clone(),
            ));
        }
        Ok(())
    }

    /// Check every blob referenced by `blob_refs` (one per distinct digest).
    fn verify_blobs(
        &self,
        level: VerifyLevel,
        problems: &mut Vec<String>,
        count: &mut u64,
    ) -> Result<()> {
        // Four threads, each over a quarter of the digest space: the checks are system calls
        // (stat or read), which overlap well even on two cores.
        const PARTS: u16 = 4;
        let results: Vec<Result<(Vec<String>, u64)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..PARTS)
                .map(|i| {
                    let start = u8::try_from(i * 256 / PARTS).unwrap_or(u8::MAX);
                    let end = u8::try_from((i + 1) * 256 / PARTS).ok();
                    scope.spawn(move || self.verify_blob_range(level, start, end))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(StoreError::corrupt(
                            "blob check",
                            "verification thread panicked",
                        ))
                    })
                })
                .collect()
        });
        for r in results {
            let (p, n) = r?;
            problems.extend(p);
            *count += n;
        }
        Ok(())
    }

    /// Check the payloads whose digest starts with a byte in `start..end` (`None` = up to 0xff).
    fn verify_blob_range(
        &self,
        level: VerifyLevel,
        start: u8,
        end: Option<u8>,
    ) -> Result<(Vec<String>, u64)> {
        let mut problems = Vec::new();
        let mut count = 0;
        let mut seg_len: BTreeMap<u32, Option<u64>> = BTreeMap::new();
        let tree = self.tree(T::Payloads);
        let iter = match end {
            Some(e) => tree.range(&[start], Some(&[e])),
            None => tree.range(&[start], None),
        };
        for item in iter {
            let (k, v) = item?;
            let (Ok(sb), Some(loc)) = (<[u8; 32]>::try_from(k.as_ref()), Loc::from_bytes(&v))
            else {
                problems.push(format!("payloads/{}: malformed entry", show_key(&k)));
                continue;
            };
            let sha = Sha256::from_bytes(sb);
            count += 1;
            match level {
                VerifyLevel::Off => {}
                VerifyLevel::BlobsPresent => {
                    let len = match seg_len.get(&loc.seg) {
                        Some(l) => *l,
                        None => {
                            let l = self.blobs.segment_len(loc.seg)?;
                            seg_len.insert(loc.seg, l);
                            l
                        }
                    };
                    match len {
                        None => problems
                            .push(format!("{loc}: payload {sha} is missing (no such segment)")),
                        Some(n) if n < loc.end() => problems.push(format!(
                            "{loc}: payload {sha} is cut short (the segment has {n} bytes)"
                        )),
                        Some(_) => {}
                    }
                }
                VerifyLevel::BlobsHashed => {
                    if let Err(e) = self.blobs.read(loc, &sha) {
                        problems.push(format!("payload {sha}: {e}"));
                    }
                }
            }
        }
        Ok((problems, count))
    }

    /// Delete segments no payload lives in (all purged, or only orphans of a crash), except the
    /// one being appended to. Called at open and after purges; takes the write lock.
    fn remove_dead_segments(&self) -> Result<usize> {
        let g = self.lock();
        let tx = Tx::new(&self.trees, &g);
        let mut removed = 0;
        for seg in self.blobs.segments()? {
            if tx.counter(&seg_key(seg))? == 0 && self.blobs.removable(seg) {
                self.blobs.remove(seg)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    // ---------- accept ----------

    fn validate_accept(req: &AcceptRequest) -> Result<()> {
        check_name("sender", &req.sender)?;
        check_unique_names("recipient", &req.recipients)?;
        if let Some(d) = &req.document_id
            && d.len() > MAX_DOCUMENT_ID
        {
            return Err(StoreError::InvalidInput(format!(
                "document id longer than {MAX_DOCUMENT_ID} bytes"
            )));
        }
        if let Origin::Relayed {
            from_gateway, hops, ..
        } = &req.origin
        {
            check_name("gateway id", from_gateway)?;
            for h in hops {
                check_name("hop", h)?;
            }
        }
        Ok(())
    }

    /// The existing message this request duplicates, if any (reads `tx`, i.e. committed data).
    fn find_duplicate(
        &self,
        tx: &Tx<'_>,
        req: &AcceptRequest,
        sha: Sha256,
    ) -> Result<Option<AcceptOutcome>> {
        match &req.origin {
            Origin::Local => {
                let key = dedup_key(&req.sender, &sha);
                match tx.get(T::Dedup, &key)? {
                    Some(v) => {
                        let id = id_at(&v).ok_or_else(|| {
                            StoreError::corrupt("dedup record", format!("dedup/{}", show_key(&key)))
                        })?;
                        Ok(Some(AcceptOutcome {
                            id,
                            sha256: sha,
                            duplicate: true,
                        }))
                    }
                    None => Ok(None),
                }
            }
            Origin::Relayed { id, .. } => match tx.get(T::Messages, &id.to_bytes())? {
                Some(_) => {
                    let rec = tx.load_message(*id)?;
                    if rec.sha256 != sha {
                        return Err(StoreError::IdConflict {
                            id: *id,
                            existing: rec.sha256,
                            given: sha,
                        });
                    }
                    Ok(Some(AcceptOutcome {
                        id: *id,
                        sha256: sha,
                        duplicate: true,
                    }))
                }
                None => Ok(None),
            },
        }
    }

    /// Refuse a changed document that reuses a DocumentId of the same sender, unless its
    /// business type may change a document (update, replace, revoke).
    fn check_document_id(tx: &Tx<'_>, req: &AcceptRequest, sha: Sha256) -> Result<()> {
        let Some(doc) = req.document_id.as_deref().filter(|d| !d.is_empty()) else {
            return Ok(());
        };
        if req.kind != MessageKind::Edoc {
            return Ok(());
        }
        let key = doc_key(&req.sender, doc);
        if let Some(v) = tx.get(T::DocIds, &key)? {
            let existing = id_at(&v).ok_or_else(|| {
                StoreError::corrupt("doc_ids record", format!("doc_ids/{}", show_key(&key)))
            })?;
            let existing_sha = v.get(16..48).map(|b| {
                let mut a = [0u8; 32];
                a.copy_from_slice(b);
                Sha256::from_bytes(a)
            });
            let may_change = req.business.is_some_and(BusinessType::may_change_document);
            if existing_sha != Some(sha) && !may_change {
                return Err(StoreError::Conflict {
                    document_id: doc.to_owned(),
                    sender: req.sender.clone(),
                    existing,
                });
            }
        }
        Ok(())
    }

    /// Where the payload with this digest is stored, as `tx` sees it.
    fn payload_loc(tx: &Tx<'_>, sha: &Sha256) -> Result<Option<Loc>> {
        match tx.get(T::Payloads, sha.as_bytes())? {
            None => Ok(None),
            Some(v) => Loc::from_bytes(&v)
                .map(Some)
                .ok_or_else(|| StoreError::corrupt("payload location", format!("payloads/{sha}"))),
        }
    }

    /// Refuse a plan that could not apply to `req`, before anything is written.
    fn validate_plan(req: &AcceptRequest, plan: &Dispatch) -> Result<()> {
        let mut seen = HashSet::new();
        let targets = plan
            .deliver
            .iter()
            .chain(plan.enqueue.iter().flat_map(|(_, rs)| rs.iter()));
        for r in targets {
            if !req.recipients.contains(r) {
                return Err(StoreError::InvalidInput(format!(
                    "dispatch names '{r}', which is not a recipient"
                )));
            }
            if !seen.insert(r) {
                return Err(StoreError::InvalidInput(format!(
                    "dispatch names recipient '{r}' twice"
                )));
            }
        }
        let mut hops = HashSet::new();
        for (hop, rs) in &plan.enqueue {
            check_name("hop", hop)?;
            if rs.is_empty() || !hops.insert(hop) {
                return Err(StoreError::InvalidInput(format!(
                    "dispatch queues hop '{hop}' twice or with no recipient"
                )));
            }
        }
        if let Some(r) = &plan.issued_receipt {
            check_value_size("receipt", r.len() + 1)?;
        }
        Ok(())
    }

    fn accept_impl(
        &self,
        req: &AcceptRequest,
        plan: &Dispatch,
        now: Timestamp,
    ) -> Result<AcceptOutcome> {
        Self::validate_accept(req)?;
        Self::validate_plan(req, plan)?;
        let sha = Sha256::digest(&req.bytes);
        // Fast paths, before any byte is written: a duplicate needs only a barrier (the original
        // may be unflushed), and a DocumentId conflict is refused with nothing stored.
        {
            let tx = Tx::reader(&self.trees);
            if let Some(out) = self.find_duplicate(&tx, req, sha)? {
                self.barrier()?;
                return Ok(out);
            }
            Self::check_document_id(&tx, req, sha)?;
        }
        let document_id = req.document_id.as_deref().filter(|d| !d.is_empty());
        for attempt in 0..2 {
            // 1. The payload is durable in the log before any metadata refers to it, unless
            //    identical bytes are already stored. sled alone may still show a payload whose
            //    purge is pending: then the check under the lock finds it gone and we go round
            //    once more, appending this time whatever sled says.
            let stored = match attempt {
                0 => Self::payload_loc(&Tx::reader(&self.trees), &sha)?,
                _ => None,
            };
            let appended: Option<(Loc, Reservation)> = match stored {
                Some(_) => None,
                None => Some(self.blobs.append(&sha, &req.bytes)?),
            };
            let ours = appended.as_ref().map(|(l, _)| *l);
            let used = std::cell::Cell::new(false);
            let done = self.write(|tx| {
                let loc = match Self::payload_loc(tx, &sha)? {
                    Some(l) => l,
                    None => match ours {
                        Some(l) => l,
                        // Purged (or its purge pending) since our look: go round, append it.
                        None => return Ok(None),
                    },
                };
                if let Some(out) = self.find_duplicate(tx, req, sha)? {
                    tx.barrier = true;
                    return Ok(Some(out));
                }
                Self::check_document_id(tx, req, sha)?;
                let id = match &req.origin {
                    Origin::Local => MessageId::new_v7(now),
                    Origin::Relayed { id, .. } => *id,
                };
                if let (Some(doc), MessageKind::Edoc) = (document_id, req.kind) {
                    let mut v = id.to_bytes().to_vec();
                    v.extend_from_slice(sha.as_bytes());
                    tx.put(T::DocIds, doc_key(&req.sender, doc), v);
                }
                if Some(loc) == ours {
                    tx.put(T::Payloads, sha.as_bytes().to_vec(), loc.to_bytes());
                    tx.add_counter(&seg_key(loc.seg), 1)?;
                    used.set(true);
                }
                let size = req.bytes.len() as u64;
                let mut rec = MessageRecord {
                    sender: req.sender.clone(),
                    kind: req.kind,
                    sha256: sha,
                    size,
                    document_id: document_id.map(str::to_owned),
                    business: req.business,
                    origin: req.origin.clone(),
                    accepted_at: now,
                    state: MessageState::Accepted,
                    recipients: req
                        .recipients
                        .iter()
                        .map(|r| (r.clone(), RecipientState::Accepted))
                        .collect(),
                    finished_at: None,
                    purged_at: None,
                    history_len: 0,
                    status: req.status.clone(),
                };
                if let Origin::Local = req.origin {
                    tx.put(
                        T::Dedup,
                        dedup_key(&req.sender, &sha),
                        id.to_bytes().to_vec(),
                    );
                    tx.add_counter(&activity_key(&req.sender, sent_field(req.kind)), 1)?;
                }
                tx.put(
                    T::BlobRefs,
                    blob_ref_key(&sha, id),
                    size.to_be_bytes().to_vec(),
                );
                tx.event(id, &mut rec, now, Event::Accepted)?;
                tx.save_message(id, &mut rec, None, now)?;
                for agency in &plan.deliver {
                    deliver_in(tx, id, agency, now)?;
                }
                for (hop, recipients) in &plan.enqueue {
                    enqueue_in(tx, id, hop, recipients, now, now)?;
                }
                if let Some(receipt) = &plan.issued_receipt {
                    put_issued(tx, id, receipt);
                }
                Ok(Some(AcceptOutcome {
                    id,
                    sha256: sha,
                    duplicate: false,
                }))
            });
            // Bytes we appended that nothing refers to (a duplicate, a refusal, identical bytes
            // stored by a concurrent writer) leave no trace: give their range back.
            if let Some((loc, reservation)) = appended {
                if !used.get()
                    && let Err(e) = self.blobs.punch_record(loc)
                {
                    tracing::warn!(error = %e, "could not reclaim an unused payload range");
                }
                drop(reservation);
            }
            if let Some(out) = done? {
                return Ok(out);
            }
        }
        // Unreachable: the second round appends, so the payload is found under the lock.
        Err(StoreError::Io {
            op: "storing payload (its location vanished under the lock)",
            path: self.dir.join("payloads"),
            source: std::io::Error::other("payload vanished"),
        })
    }

    // ---------- queue ----------

    fn lease_impl(
        &self,
        hop: &str,
        now: Timestamp,
        limit: usize,
        lease_ms: u64,
    ) -> Result<Vec<Lease>> {
        check_name("hop", hop)?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let prefix = name_prefix(hop);
        // Expired leases first (rare): back to ready.
        let expired: Vec<Vec<u8>> = self
            .tree(T::Leased)
            .range(&prefix, upto(&prefix, now).as_deref())
            .keys()
            .map(|k| k.map(|k| k.to_vec()))
            .collect::<std::result::Result<_, _>>()?;
        if !expired.is_empty() {
            self.write_unsynced(|tx| {
                for key in expired {
                    // Re-check under the lock: it may have been acked or re-leased meanwhile.
                    if tx.get(T::Leased, &key)?.is_none() {
                        continue;
                    }
                    let (h, _, id) = parse_hop_key(&key, "queue_leased")?;
                    self.expire_entry(tx, id, &h, now)?;
                }
                Ok(())
            })?;
        }
        // Cheap read-only check so that idle polling costs no lock and no flush.
        if self
            .tree(T::Ready)
            .range(&prefix, upto(&prefix, now).as_deref())
            .next()
            .is_none()
        {
            return Ok(Vec::new());
        }
        let deadline = now.plus_millis(lease_ms);
        self.write_unsynced(|tx| {
            let mut out = Vec::new();
            let end = upto(&prefix, now);
            for key in tx.keys_in(T::Ready, &prefix, end.as_deref(), limit)? {
                let (id, old) = tx.ready_entry(&key, hop)?;
                let attempt = old.attempt.saturating_add(1);
                let new = QueueEntry {
                    attempt,
                    status: EntryStatus::Leased { deadline },
                    ..old.clone()
                };
                let event = Event::InFlight {
                    hop: hop.to_owned(),
                    attempt,
                };
                let rec = tx.move_entry(id, hop, (&old, &new), event, now, |s| {
                    Some(s.lease(hop, attempt))
                })?;
                out.push(Lease {
                    id,
                    hop: hop.to_owned(),
                    attempt,
                    recipients: old.recipients.clone(),
                    sha256: rec.sha256,
                    size: rec.size,
                    deadline,
                });
            }
            Ok(out)
        })
    }

    fn ack_impl(&self, lease: &Lease, receipt: &[u8], now: Timestamp) -> Result<AckOutcome> {
        check_name("hop", &lease.hop)?;
        let (id, hop) = (lease.id, lease.hop.as_str());
        check_value_size("receipt", receipt.len() + 9)?;
        let receipt_sha = Sha256::digest(receipt);
        self.write(|tx| {
            let mut rec = tx.load_message(id)?;
            let Some(old) = tx.load_entry(id, hop)? else {
                let relayed = rec
                    .recipients
                    .values()
                    .any(|s| matches!(s, RecipientState::Relayed { hop: h, .. } if h == hop));
                if relayed {
                    tx.barrier = true;
                    return Ok(AckOutcome::AlreadyRelayed);
                }
                return Err(invalid_state(
                    id,
                    rec.state.as_str(),
                    "acknowledge a lease of",
                ));
            };
            tx.set_entry(id, hop, Some(&old), None)?;
            let before = rec.state;
            for r in &old.recipients {
                let s = recipient_mut(&mut rec, id, r)?;
                *s = s.relayed(hop, receipt_sha).map_err(|e| refused(id, e))?;
            }
            let mut v = vec![FORMAT_VERSION];
            v.extend_from_slice(&now.as_millis().to_be_bytes());
            v.extend_from_slice(receipt);
            tx.put(T::ReceiptsReceived, id_key(id, hop.as_bytes()), v);
            tx.event(
                id,
                &mut rec,
                now,
                Event::Relayed {
                    hop: hop.to_owned(),
                    receipt_sha256: receipt_sha,
                },
            )?;
            tx.save_message(id, &mut rec, Some(before), now)?;
            Ok(AckOutcome::Recorded)
        })
    }

    fn fail_impl(
        &self,
        lease: &Lease,
        reason: &str,
        now: Timestamp,
        permanent: bool,
    ) -> Result<FailOutcome> {
        check_name("hop", &lease.hop)?;
        let (id, hop) = (lease.id, lease.hop.as_str());
        self.write(|tx| {
            let mut rec = tx.load_message(id)?;
            let old = match tx.load_entry(id, hop)? {
                Some(e)
                    if e.attempt == lease.attempt
                        && matches!(e.status, EntryStatus::Leased { .. } | EntryStatus::Ready) =>
                {
                    e
                }
                Some(e) => {
                    return Err(invalid_state(
                        id,
                        format!(
                            "{} (attempt {}, lease was for attempt {})",
                            e.status.name(),
                            e.attempt,
                            lease.attempt
                        ),
                        "fail a lease of",
                    ));
                }
                None => return Err(invalid_state(id, rec.state.as_str(), "fail a lease of")),
            };
            let before = rec.state;
            // A permanent refusal is dead at once; otherwise the retry policy decides.
            let next = if permanent {
                None
            } else {
                self.config
                    .retry
                    .next_attempt(id, hop, old.attempt, old.enqueued_at, now)
            };
            let outcome = match next {
                Some(at) => {
                    let new = QueueEntry {
                        due: at,
                        status: EntryStatus::Ready,
                        ..old.clone()
                    };
                    tx.set_entry(id, hop, Some(&old), Some(&new))?;
                    for r in &old.recipients {
                        let s = recipient_mut(&mut rec, id, r)?;
                        *s = s
                            .retry_scheduled(at, old.attempt)
                            .map_err(|e| refused(id, e))?;
                    }
                    tx.event(
                        id,
                        &mut rec,
                        now,
                        Event::RetryScheduled {
                            hop: hop.to_owned(),
                            at,
                            attempt: old.attempt,
                            reason: reason.to_owned(),
                        },
                    )?;
                    FailOutcome::RetryAt(at)
                }
                None => {
                    let why = format!("gave up after {} attempt(s): {reason}", old.attempt);
                    let new = QueueEntry {
                        status: EntryStatus::Dead {
                            reason: why.clone(),
                        },
                        ..old.clone()
                    };
                    tx.set_entry(id, hop, Some(&old), Some(&new))?;
                    for r in &old.recipients {
                        let s = recipient_mut(&mut rec, id, r)?;
                        *s = s.dead(&why).map_err(|e| refused(id, e))?;
                    }
                    tx.event(
                        id,
                        &mut rec,
                        now,
                        Event::Dead {
                            hop: hop.to_owned(),
                            reason: why,
                        },
                    )?;
                    FailOutcome::Dead
                }
            };
            tx.save_message(id, &mut rec, Some(before), now)?;
            Ok(outcome)
        })
    }

    fn entries_of(&self, tx: &Tx<'_>, id: MessageId) -> Result<Vec<(String, QueueEntry)>> {
        let mut out = Vec::new();
        for k in tx.keys_with_prefix(T::Queue, &id.to_bytes(), usize::MAX)? {
            let hop = String::from_utf8(k[16..].to_vec())
                .map_err(|_| StoreError::corrupt("queue key", format!("queue/{}", show_key(&k))))?;
            if let Some(e) = tx.load_entry(id, &hop)? {
                out.push((hop, e));
            }
        }
        Ok(out)
    }

    /// Operator actions share this shape: map every entry, map every recipient, record one event.
    fn operator_action(
        &self,
        id: MessageId,
        now: Timestamp,
        action: &'static str,
        event: Event,
        entry_fn: impl Fn(&QueueEntry) -> Option<Option<QueueEntry>>,
        recipient_fn: impl Fn(&RecipientState) -> Option<std::result::Result<RecipientState, Refused>>,
    ) -> Result<()> {
        if let Err(e) = by_check(&event) {
            return Err(StoreError::InvalidInput(format!("{action} of {id}: {e}")));
        }
        self.write(|tx| {
            let mut rec = tx.load_message(id)?;
            if rec.purged_at.is_some() && action == "retry" {
                return Err(StoreError::Purged { id });
            }
            let before = rec.state;
            let mut changed = false;
            for (_, s) in rec.recipients.iter_mut() {
                if let Some(next) = recipient_fn(s) {
                    *s = next.map_err(|e| refused(id, e))?;
                    changed = true;
                }
            }
            if !changed {
                return Err(invalid_state(id, before.as_str(), action));
            }
            for (hop, e) in self.entries_of(tx, id)? {
                if let Some(new) = entry_fn(&e) {
                    tx.set_entry(id, &hop, Some(&e), new.as_ref())?;
                }
            }
            tx.event(id, &mut rec, now, event)?;
            tx.save_message(id, &mut rec, Some(before), now)
        })
    }

    // ---------- inbox ----------

    fn deliver_impl(&self, id: MessageId, agency: &str, now: Timestamp) -> Result<DeliverOutcome> {
        check_name("agency", agency)?;
        self.write(|tx| deliver_in(tx, id, agency, now))
    }

    fn ack_inbox_impl(
        &self,
        agency: &str,
        id: MessageId,
        result: FetchResult,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        check_name("agency", agency)?;
        self.write(|tx| {
            let ikey = inbox_id_key(agency, id);
            let seq = match tx.get(T::InboxIds, &ikey)? {
                Some(v) => u64_value(&v).ok_or_else(|| {
                    StoreError::corrupt("inbox id record", format!("inbox_ids/{}", show_key(&ikey)))
                })?,
                None => {
                    return Err(StoreError::not_found(
                        "inbox entry",
                        format!("{agency}/{id}"),
                    ));
                }
            };
            let key = inbox_key(agency, seq);
            let mut item: InboxRecord = match tx.get(T::Inbox, &key)? {
                Some(v) => decode(&v, "inbox", &key)?,
                None => {
                    return Err(StoreError::corrupt(
                        "inbox (entry missing for id)",
                        format!("inbox/{agency}/{seq}"),
                    ));
                }
            };
            let mut rec = tx.load_message(id)?;
            let before = rec.state;
            let s = recipient_mut(&mut rec, id, agency)?;
            *s = s.fetched(result).map_err(|e| refused(id, e))?;
            // The counters follow each entry's latest acknowledgement.
            match item.acked {
                None => {
                    tx.del(T::InboxOpen, key.clone());
                    tx.add_counter(&activity_key(agency, ACT_OPEN), -1)?;
                }
                Some(previous) => tx.add_counter(&activity_key(agency, ack_field(previous)), -1)?,
            }
            tx.add_counter(&activity_key(agency, ack_field(result)), 1)?;
            item.acked = Some(result);
            tx.put(T::Inbox, key, encode(&item)?);
            tx.event(
                id,
                &mut rec,
                now,
                Event::Fetched {
                    agency: agency.to_owned(),
                    result,
                    note: note.map(str::to_owned),
                },
            )?;
            tx.save_message(id, &mut rec, Some(before), now)
        })
    }

    // ---------- maintenance ----------

    fn purge_impl(&self, now: Timestamp, limit: usize) -> Result<usize> {
        let _maintenance = self
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let cutoff =
            Timestamp::from_millis(now.as_millis().saturating_sub(self.config.retention_ms));
        if limit == 0 || now.as_millis() < self.config.retention_ms {
            return Ok(0);
        }
        let (purged, dead) = self.write(|tx| {
            let mut dead: Vec<Loc> = Vec::new();
            let mut purged = 0usize;
            let end = upto(&[], cutoff);
            for key in tx.keys_in(T::Finished, &[], end.as_deref(), limit)? {
                tx.del(T::Finished, key.clone());
                let Some(id) = key.get(8..).and_then(id_at) else {
                    return Err(StoreError::corrupt(
                        "finished index key",
                        format!("finished/{}", show_key(&key)),
                    ));
                };
                let mut rec = tx.load_message(id)?;
                if rec.purged_at.is_some() {
                    continue;
                }
                let before = rec.state;
                rec.purged_at = Some(now);
                tx.del(T::BlobRefs, blob_ref_key(&rec.sha256, id));
                // Another message may share the same bytes: the payload goes with its last
                // reference.
                if tx
                    .keys_with_prefix(T::BlobRefs, rec.sha256.as_bytes(), 1)?
                    .is_empty()
                    && let Some(loc) = Self::payload_loc(tx, &rec.sha256)?
                {
                    tx.del(T::Payloads, rec.sha256.as_bytes().to_vec());
                    tx.add_counter(&seg_key(loc.seg), -1)?;
                    dead.push(loc);
                }
                tx.event(id, &mut rec, now, Event::Purged)?;
                tx.save_message(id, &mut rec, Some(before), now)?;
                purged += 1;
            }
            Ok((purged, dead))
        })?;
        // The metadata is durable and nothing refers to these ranges any more (a new accept of
        // the same bytes appends them again): give the space back, then drop empty segments.
        for loc in &dead {
            self.blobs.punch_record(*loc)?;
        }
        if !dead.is_empty() {
            self.remove_dead_segments()?;
        }
        Ok(purged)
    }

    fn sweep_impl(&self) -> Result<usize> {
        let _maintenance = self
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Sealed segments with no reservation outstanding can gain no new payload: appends go to
        // the current segment, and every earlier reservation's entry is already pending or
        // applied. Take them and the pending entries under the lock; scan sled without it (a
        // purge running meanwhile only removes entries, which keeps their ranges, wrongly but
        // harmlessly, counted as live here; the purge gives them back itself).
        let (sealed, pending) = {
            let g = self.lock();
            let current = self.blobs.current();
            let mut sealed = BTreeSet::new();
            for seg in self.blobs.segments()? {
                if seg != current && self.blobs.removable(seg) {
                    sealed.insert(seg);
                }
            }
            let pending: Vec<Loc> = g.pending[T::Payloads as usize]
                .values()
                .filter_map(|v| v.as_deref().and_then(Loc::from_bytes))
                .collect();
            (sealed, pending)
        };
        let mut reclaimed = self.remove_dead_segments()?;
        let mut live: BTreeMap<u32, Vec<(u64, u64)>> = BTreeMap::new();
        let mut add = |loc: Loc| {
            if sealed.contains(&loc.seg) {
                live.entry(loc.seg).or_default().push((loc.off, loc.end()));
            }
        };
        pending.into_iter().for_each(&mut add);
        for item in self.tree(T::Payloads).iter() {
            let (k, v) = item?;
            let loc = Loc::from_bytes(&v).ok_or_else(|| {
                StoreError::corrupt("payload location", format!("payloads/{}", show_key(&k)))
            })?;
            add(loc);
        }
        // Whole file-system blocks between live records (a hole is made of blocks).
        const BLOCK: u64 = 4096;
        for (seg, mut ranges) in live {
            ranges.sort_unstable();
            let Some(len) = self.blobs.segment_len(seg)? else {
                continue;
            };
            let mut at = 0u64;
            for (start, end) in ranges.into_iter().chain([(len, len)]) {
                let from = at.div_ceil(BLOCK) * BLOCK;
                let to = start / BLOCK * BLOCK;
                if to > from && self.blobs.has_data(seg, from, to - from)? {
                    self.blobs.punch(seg, from, to - from)?;
                    reclaimed += 1;
                }
                at = at.max(end);
            }
        }
        Ok(reclaimed)
    }

    fn check_impl(&self, level: VerifyLevel) -> Result<CheckReport> {
        // Apply what is pending and hold the lock: the leader applies batches under this lock,
        // so sled does not change while we read it.
        let _g = self.lock_applied()?;
        let mut rep = CheckReport::default();
        let p = &mut rep.problems;
        let mut state_counts: BTreeMap<MessageState, u64> = BTreeMap::new();
        let mut depth: BTreeMap<String, u64> = BTreeMap::new();
        let tx = Tx::reader(&self.trees);
        let mut entries: BTreeMap<(MessageId, String), QueueEntry> = BTreeMap::new();
        for item in self.tree(T::Queue).iter() {
            let (k, v) = item?;
            let (Some(id), Ok(hop)) = (
                id_at(&k),
                String::from_utf8(k.get(16..).unwrap_or_default().to_vec()),
            ) else {
                p.push(format!("queue/{}: malformed key", show_key(&k)));
                continue;
            };
            match decode::<QueueEntry>(&v, "queue", &k) {
                Ok(e) => {
                    rep.queue_entries += 1;
                    if !matches!(e.status, EntryStatus::Dead { .. }) {
                        *depth.entry(hop.clone()).or_default() += 1;
                    }
                    for (t, key) in entry_index_keys(id, &hop, &e) {
                        if !self.tree(t).contains_key(&key)? {
                            p.push(format!(
                                "queue/{id}/{hop}: missing {} key",
                                TREE_NAMES[t as usize]
                            ));
                        }
                    }
                    entries.insert((id, hop), e);
                }
                Err(e) => p.push(e.to_string()),
            }
        }
        for t in [T::Ready, T::Leased, T::Age] {
            for item in self.tree(t).iter() {
                let k = item?.0;
                match parse_hop_key(&k, TREE_NAMES[t as usize]) {
                    Ok((hop, _, id)) => {
                        let ok = entries.get(&(id, hop.clone())).is_some_and(|e| {
                            entry_index_keys(id, &hop, e)
                                .iter()
                                .any(|(tt, kk)| *tt == t && kk.as_slice() == k.as_ref())
                        });
                        if !ok {
                            p.push(format!(
                                "{}/{id}/{hop}: index key without matching entry",
                                TREE_NAMES[t as usize]
                            ));
                        }
                    }
                    Err(e) => p.push(e.to_string()),
                }
            }
        }
        // Messages, recipients vs entries, indexes.
        let mut inbox_expect: BTreeSet<(String, MessageId)> = BTreeSet::new();
        // What each agency sent, counted in the same pass (for the activity counters).
        let mut sent_counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for item in self.tree(T::Messages).iter() {
            let (k, v) = item?;
            let Some(id) = id_at(&k) else {
                p.push(format!("messages/{}: malformed key", show_key(&k)));
                continue;
            };
            let rec: MessageRecord = match decode(&v, "messages", &k) {
                Ok(r) => r,
                Err(e) => {
                    p.push(e.to_string());
                    continue;
                }
            };
            rep.messages += 1;
            count_sent(&mut sent_counts, &rec);
            *state_counts.entry(rec.state).or_default() += 1;
            if rec.state != MessageState::of(&rec.recipients) {
                p.push(format!(
                    "message {id}: stored state {} but recipients say {}",
                    rec.state,
                    MessageState::of(&rec.recipients)
                ));
            }
            if !self
                .tree(T::ByState)
                .contains_key(state_key(rec.state, id))?
            {
                p.push(format!("message {id}: missing by_state key"));
            }
            if rec.is_finished() != rec.finished_at.is_some() {
                p.push(format!("message {id}: finished_at inconsistent"));
            }
            if let (Some(at), None) = (rec.finished_at, rec.purged_at)
                && !self.tree(T::Finished).contains_key(finished_key(at, id))?
            {
                p.push(format!("message {id}: missing finished key"));
            }
            let has_ref = self
                .tree(T::BlobRefs)
                .contains_key(blob_ref_key(&rec.sha256, id))?;
            if has_ref == rec.purged_at.is_some() {
                p.push(format!(
                    "message {id}: blob reference {} but purged_at is {:?}",
                    if has_ref { "present" } else { "absent" },
                    rec.purged_at
                ));
            }
            let history = self.tree(T::History).scan_prefix(id.to_bytes()).count();
            if history != rec.history_len as usize {
                p.push(format!(
                    "message {id}: {history} history entries, record says {}",
                    rec.history_len
                ));
            }
            if let Origin::Local = rec.origin {
                let dk = dedup_key(&rec.sender, &rec.sha256);
                if tx.get(T::Dedup, &dk)?.and_then(|v| id_at(&v)) != Some(id) {
                    p.push(format!("message {id}: dedup index does not point to it"));
                }
            }
            for (r, s) in &rec.recipients {
                match s {
                    RecipientState::Delivered | RecipientState::Fetched { .. } => {
                        inbox_expect.insert((r.clone(), id));
                    }
                    _ => {}
                }
                let expect_status = match s {
                    RecipientState::Queued { hop } | RecipientState::RetryScheduled { hop, .. } => {
                        Some((hop, "ready"))
                    }
                    RecipientState::InFlight { hop, .. } => Some((hop, "leased")),
                    RecipientState::Suspended { hop: Some(hop) } => Some((hop, "suspended")),
                    RecipientState::Dead { hop, .. } => Some((hop, "dead")),
                    _ => None,
                };
                if let Some((hop, status)) = expect_status {
                    match entries.get(&(id, hop.clone())) {
                        Some(e) if e.status.name() == status && e.recipients.contains(r) => {}
                        Some(e) => p.push(format!(
                            "message {id} recipient {r} is {} but entry for {hop} is {} with {:?}",
                            s.name(),
                            e.status.name(),
                            e.recipients
                        )),
                        None => p.push(format!(
                            "message {id} recipient {r} is {} but there is no entry for {hop}",
                            s.name()
                        )),
                    }
                }
            }
        }
        for ((id, hop), e) in &entries {
            match tx.get(T::Messages, &id.to_bytes())? {
                None => p.push(format!("queue/{id}/{hop}: entry of unknown message")),
                Some(v) => {
                    if let Ok(rec) = decode::<MessageRecord>(&v, "messages", &id.to_bytes()) {
                        for r in &e.recipients {
                            if rec.recipients.get(r).and_then(RecipientState::queue_hop)
                                != Some(hop.as_str())
                            {
                                p.push(format!(
                                    "queue/{id}/{hop}: recipient {r} is not queued for this hop"
                                ));
                            }
                        }
                    }
                }
            }
        }
        // Counters.
        for m in MessageState::ALL {
            let stored = tx.counter(&count_key(m))?;
            let actual = state_counts.get(&m).copied().unwrap_or(0);
            if stored != actual {
                p.push(format!("count of {m}: stored {stored}, actual {actual}"));
            }
            let indexed = self.tree(T::ByState).scan_prefix([m.tag()]).count() as u64;
            if indexed != actual {
                p.push(format!(
                    "by_state index of {m}: {indexed} keys, actual {actual}"
                ));
            }
        }
        for item in self.tree(T::Meta).scan_prefix(META_DEPTH) {
            let (k, v) = item?;
            let hop = String::from_utf8_lossy(&k[META_DEPTH.len()..]).into_owned();
            let stored = u64_value(&v).unwrap_or(u64::MAX);
            let actual = depth.remove(&hop).unwrap_or(0);
            if stored != actual {
                p.push(format!("depth of {hop}: stored {stored}, actual {actual}"));
            }
        }
        for (hop, n) in depth {
            p.push(format!("depth of {hop}: no counter, actual {n}"));
        }
        // Inboxes: every inbox entry unique per agency and matched by inbox_ids.
        let mut seen: BTreeSet<(String, MessageId)> = BTreeSet::new();
        for item in self.tree(T::Inbox).iter() {
            let (k, v) = item?;
            rep.inbox_entries += 1;
            let Some((&len, rest)) = k.split_first() else {
                p.push("inbox: empty key".to_owned());
                continue;
            };
            let agency =
                String::from_utf8_lossy(rest.get(..len as usize).unwrap_or_default()).into_owned();
            match decode::<InboxRecord>(&v, "inbox", &k) {
                Ok(item) => {
                    if !seen.insert((agency.clone(), item.id)) {
                        p.push(format!("inbox of {agency} holds {} twice", item.id));
                    }
                    let seq = rest.get(len as usize..).and_then(u64_value);
                    let idx = tx
                        .get(T::InboxIds, &inbox_id_key(&agency, item.id))?
                        .and_then(|v| u64_value(&v));
                    if idx.is_none() || idx != seq {
                        p.push(format!(
                            "inbox of {agency}: {} not indexed in inbox_ids",
                            item.id
                        ));
                    }
                    if !inbox_expect.remove(&(agency.clone(), item.id)) {
                        p.push(format!(
                            "inbox of {agency}: {} but the recipient is not delivered",
                            item.id
                        ));
                    }
                }
                Err(e) => p.push(e.to_string()),
            }
        }
        for (agency, id) in inbox_expect {
            p.push(format!(
                "message {id} delivered to {agency} but not in the inbox"
            ));
        }
        let ids = self.tree(T::InboxIds).len() as u64;
        if ids != rep.inbox_entries {
            p.push(format!(
                "inbox_ids has {ids} keys for {} inbox entries",
                rep.inbox_entries
            ));
        }
        // Activity counters and the inbox_open index agree with the inboxes and messages.
        let (mut want_counters, want_open) = self.recount_inbox_activity()?;
        for (k, n) in sent_counts {
            *want_counters.entry(k).or_default() += n;
        }
        let mut have_counters: BTreeMap<Vec<u8>, Option<u64>> = BTreeMap::new();
        for item in self.tree(T::Meta).scan_prefix(META_ACTIVITY) {
            let (k, v) = item?;
            have_counters.insert(k.to_vec(), u64_value(&v));
        }
        for (k, n) in &want_counters {
            let have = have_counters.remove(k).flatten().unwrap_or(0);
            if have != *n {
                p.push(format!(
                    "activity counter {}: {have}, actual {n}",
                    show_key(k)
                ));
            }
        }
        for (k, have) in have_counters {
            if have != Some(0) {
                p.push(format!(
                    "activity counter {}: {have:?}, actual 0",
                    show_key(&k)
                ));
            }
        }
        let mut have_open: BTreeMap<Vec<u8>, Option<u64>> = BTreeMap::new();
        for item in self.tree(T::InboxOpen).iter() {
            let (k, v) = item?;
            have_open.insert(k.to_vec(), u64_value(&v));
        }
        for (k, at) in &want_open {
            match have_open.remove(k) {
                Some(Some(h)) if h == *at => {}
                other => p.push(format!(
                    "inbox_open {}: {other:?}, expected delivered_at {at}",
                    show_key(k)
                )),
            }
        }
        for k in have_open.keys() {
            p.push(format!(
                "inbox_open {}: no unacknowledged inbox entry",
                show_key(k)
            ));
        }
        // Payload index: one entry per distinct referenced digest, live counts per segment.
        let mut referenced: BTreeSet<Vec<u8>> = BTreeSet::new();
        for item in self.tree(T::BlobRefs).iter() {
            let k = item?.0;
            if let Some(sha) = k.get(..32) {
                referenced.insert(sha.to_vec());
            }
        }
        let mut per_seg: BTreeMap<u32, u64> = BTreeMap::new();
        for item in self.tree(T::Payloads).iter() {
            let (k, v) = item?;
            if !referenced.remove(k.as_ref()) {
                p.push(format!(
                    "payloads/{}: no message refers to it",
                    show_key(&k)
                ));
            }
            if let Some(loc) = Loc::from_bytes(&v) {
                *per_seg.entry(loc.seg).or_default() += 1;
            }
        }
        for sha in referenced {
            p.push(format!(
                "blob_refs/{}: referenced payload has no location",
                show_key(&sha)
            ));
        }
        for item in self.tree(T::Meta).scan_prefix(META_SEG) {
            let (k, v) = item?;
            let seg = k
                .get(META_SEG.len()..)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes);
            let Some(seg) = seg else {
                p.push(format!("meta/{}: malformed segment counter", show_key(&k)));
                continue;
            };
            let counted = per_seg.remove(&seg).unwrap_or(0);
            if u64_value(&v) != Some(counted) {
                p.push(format!(
                    "segment {seg}: counter says {:?} live payloads, index has {counted}",
                    u64_value(&v)
                ));
            }
        }
        for (seg, n) in per_seg {
            p.push(format!("segment {seg}: {n} live payloads but no counter"));
        }
        let mut blob_count = 0;
        self.verify_blobs(level, p, &mut blob_count)?;
        rep.blobs = blob_count;
        Ok(rep)
    }
}

/// Deliver message `id` into `agency`'s inbox within `tx` (a duplicate delivery returns the
/// existing cursor and asks for a barrier).
fn deliver_in(
    tx: &mut Tx<'_>,
    id: MessageId,
    agency: &str,
    now: Timestamp,
) -> Result<DeliverOutcome> {
    let ikey = inbox_id_key(agency, id);
    if let Some(v) = tx.get(T::InboxIds, &ikey)? {
        let seq = u64_value(&v).ok_or_else(|| {
            StoreError::corrupt("inbox id record", format!("inbox_ids/{}", show_key(&ikey)))
        })?;
        tx.barrier = true;
        return Ok(DeliverOutcome {
            cursor: InboxCursor(seq),
            duplicate: true,
        });
    }
    let mut rec = tx.load_message(id)?;
    let before = rec.state;
    let s = recipient_mut(&mut rec, id, agency)?;
    *s = s.deliver().map_err(|e| refused(id, e))?;
    let seq = tx.counter(META_INBOX_SEQ)?.saturating_add(1);
    tx.put(T::Meta, META_INBOX_SEQ.to_vec(), seq.to_be_bytes().to_vec());
    let item = InboxRecord {
        id,
        kind: rec.kind,
        sender: rec.sender.clone(),
        sha256: rec.sha256,
        size: rec.size,
        delivered_at: now,
        acked: None,
    };
    tx.put(T::Inbox, inbox_key(agency, seq), encode(&item)?);
    tx.put(T::InboxIds, ikey, seq.to_be_bytes().to_vec());
    // Not acknowledged yet: counted, and indexed by position for the oldest one's age.
    tx.put(
        T::InboxOpen,
        inbox_key(agency, seq),
        now.as_millis().to_be_bytes().to_vec(),
    );
    tx.add_counter(&activity_key(agency, ACT_OPEN), 1)?;
    tx.add_counter(&activity_key(agency, received_field(rec.kind)), 1)?;
    // Status packages are indexed by the document they answer, for tracking.
    if let (MessageKind::Status, Some(doc)) = (rec.kind, rec.document_id.as_deref()) {
        let mut k = status_index_prefix(agency, doc);
        k.extend_from_slice(&id.to_bytes());
        tx.put(T::StatusIndex, k, Vec::new());
    }
    tx.event(
        id,
        &mut rec,
        now,
        Event::Delivered {
            agency: agency.to_owned(),
        },
    )?;
    tx.save_message(id, &mut rec, Some(before), now)?;
    Ok(DeliverOutcome {
        cursor: InboxCursor(seq),
        duplicate: false,
    })
}

/// Store the receipt this gateway signed for message `id` (`[version] ++ bytes`).
fn put_issued(tx: &mut Tx<'_>, id: MessageId, receipt: &[u8]) {
    let mut v = vec![FORMAT_VERSION];
    v.extend_from_slice(receipt);
    tx.put(T::ReceiptsIssued, id.to_bytes().to_vec(), v);
}

/// Queue `recipients` of message `id` for `hop` within `tx`.
fn enqueue_in(
    tx: &mut Tx<'_>,
    id: MessageId,
    hop: &str,
    recipients: &[String],
    due: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let mut rec = tx.load_message(id)?;
    if tx.load_entry(id, hop)?.is_some() {
        return Err(invalid_state(
            id,
            format!("already queued for {hop}"),
            "enqueue",
        ));
    }
    let before = rec.state;
    let mut suspended = false;
    for r in recipients {
        let s = recipient_mut(&mut rec, id, r)?;
        *s = s.enqueue(hop).map_err(|e| refused(id, e))?;
        suspended |= matches!(s, RecipientState::Suspended { .. });
    }
    let entry = QueueEntry {
        recipients: recipients.to_vec(),
        attempt: 0,
        enqueued_at: now,
        due,
        status: if suspended {
            EntryStatus::Suspended
        } else {
            EntryStatus::Ready
        },
    };
    tx.set_entry(id, hop, None, Some(&entry))?;
    tx.event(
        id,
        &mut rec,
        now,
        Event::Queued {
            hop: hop.to_owned(),
            recipients: recipients.to_vec(),
        },
    )?;
    tx.save_message(id, &mut rec, Some(before), now)
}

fn recipient_mut<'r>(
    rec: &'r mut MessageRecord,
    id: MessageId,
    agency: &str,
) -> Result<&'r mut RecipientState> {
    rec.recipients.get_mut(agency).ok_or_else(|| {
        StoreError::InvalidInput(format!("'{agency}' is not a recipient of message {id}"))
    })
}

/// Split `[len] hop ++ time ++ id`.
fn parse_hop_key(key: &[u8], tree: &str) -> Result<(String, Timestamp, MessageId)> {
    let bad = || StoreError::corrupt("index key", format!("{tree}/{}", show_key(key)));
    let (&len, rest) = key.split_first().ok_or_else(bad)?;
    let hop = rest.get(..len as usize).ok_or_else(bad)?;
    let hop = String::from_utf8(hop.to_vec()).map_err(|_| bad())?;
    let (t, id) = split_time_id(rest.get(len as usize..).ok_or_else(bad)?).ok_or_else(bad)?;
    Ok((hop, t, id))
}

impl Store for SledStore {
    fn accept_with(
        &self,
        req: &AcceptRequest,
        plan: &Dispatch,
        now: Timestamp,
    ) -> Result<AcceptOutcome> {
        self.accept_impl(req, plan, now)
    }

    fn read_payload(&self, id: MessageId) -> Result<Vec<u8>> {
        let rec = Tx::reader(&self.trees).load_message(id)?;
        if rec.purged_at.is_some() {
            return Err(StoreError::Purged { id });
        }
        let loc = Self::payload_loc(&Tx::reader(&self.trees), &rec.sha256)?.ok_or_else(|| {
            StoreError::corrupt(
                "payload location (missing from the index)",
                format!("payloads/{}", rec.sha256),
            )
        })?;
        self.blobs.read(loc, &rec.sha256).map_err(|e| match e {
            StoreError::Corrupt { what, location } => StoreError::Corrupt {
                what: format!("{what} of message {id}"),
                location,
            },
            other => other,
        })
    }

    fn message(&self, id: MessageId) -> Result<MessageInfo> {
        Ok(Tx::reader(&self.trees).load_message(id)?.info(id))
    }

    fn history(&self, id: MessageId) -> Result<Vec<HistoryEntry>> {
        Tx::reader(&self.trees).load_message(id)?;
        self.tree(T::History)
            .scan_prefix(id.to_bytes())
            .map(|item| {
                let (k, v) = item?;
                decode(&v, "history", &k)
            })
            .collect()
    }

    fn queue_entries(&self, id: MessageId) -> Result<Vec<QueueEntryInfo>> {
        let tx = Tx::reader(&self.trees);
        tx.load_message(id)?;
        Ok(self
            .entries_of(&tx, id)?
            .into_iter()
            .map(|(hop, e)| QueueEntryInfo {
                hop,
                recipients: e.recipients,
                attempt: e.attempt,
                enqueued_at: e.enqueued_at,
                due: e.due,
                status: e.status,
            })
            .collect())
    }

    fn put_issued_receipt(
        &self,
        id: MessageId,
        receipt: &[u8],
        _now: Timestamp,
    ) -> Result<Vec<u8>> {
        check_value_size("receipt", receipt.len() + 1)?;
        self.write(|tx| {
            tx.load_message(id)?;
            let key = id.to_bytes().to_vec();
            if let Some(v) = tx.get(T::ReceiptsIssued, &key)? {
                tx.barrier = true;
                return receipt_body(&v, 1, "receipts_issued", &key);
            }
            put_issued(tx, id, receipt);
            Ok(receipt.to_vec())
        })
    }

    fn issued_receipt(&self, id: MessageId) -> Result<Option<Vec<u8>>> {
        let key = id.to_bytes();
        match self.tree(T::ReceiptsIssued).get(key)? {
            Some(v) => Ok(Some(receipt_body(&v, 1, "receipts_issued", &key)?)),
            None => {
                Tx::reader(&self.trees).load_message(id)?;
                Ok(None)
            }
        }
    }

    fn received_receipts(&self, id: MessageId) -> Result<Vec<ReceivedReceipt>> {
        Tx::reader(&self.trees).load_message(id)?;
        let mut out = Vec::new();
        for item in self.tree(T::ReceiptsReceived).scan_prefix(id.to_bytes()) {
            let (k, v) = item?;
            let hop = String::from_utf8(k[16..].to_vec()).map_err(|_| {
                StoreError::corrupt("receipt key", format!("receipts_received/{}", show_key(&k)))
            })?;
            let body = receipt_body(&v, 9, "receipts_received", &k)?;
            let at = v
                .get(1..9)
                .and_then(u64_value)
                .map(Timestamp::from_millis)
                .unwrap_or_default();
            out.push(ReceivedReceipt {
                hop,
                at,
                bytes: body,
            });
        }
        Ok(out)
    }

    fn enqueue(
        &self,
        id: MessageId,
        hop: &str,
        recipients: &[String],
        due: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        check_name("hop", hop)?;
        check_unique_names("recipient", recipients)?;
        self.write(|tx| enqueue_in(tx, id, hop, recipients, due, now))
    }

    fn lease(&self, hop: &str, now: Timestamp, limit: usize, lease_ms: u64) -> Result<Vec<Lease>> {
        self.lease_impl(hop, now, limit, lease_ms)
    }

    fn next_due(&self, hop: &str) -> Result<Option<Timestamp>> {
        check_name("hop", hop)?;
        match self
            .tree(T::Ready)
            .scan_prefix(name_prefix(hop))
            .keys()
            .next()
        {
            Some(k) => Ok(Some(parse_hop_key(&k?, "queue_ready")?.1)),
            None => Ok(None),
        }
    }

    fn ack_lease(&self, lease: &Lease, receipt: &[u8], now: Timestamp) -> Result<AckOutcome> {
        self.ack_impl(lease, receipt, now)
    }

    fn fail_lease(&self, lease: &Lease, reason: &str, now: Timestamp) -> Result<FailOutcome> {
        self.fail_impl(lease, reason, now, false)
    }

    fn fail_lease_permanently(
        &self,
        lease: &Lease,
        reason: &str,
        now: Timestamp,
    ) -> Result<FailOutcome> {
        self.fail_impl(lease, reason, now, true)
    }

    fn suspend(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()> {
        self.operator_action(
            id,
            now,
            "suspend",
            Event::Suspended { by: by.clone() },
            |e| match e.status {
                EntryStatus::Ready | EntryStatus::Leased { .. } => Some(Some(QueueEntry {
                    status: EntryStatus::Suspended,
                    ..e.clone()
                })),
                _ => None,
            },
            |s| s.is_pending().then(|| s.suspend()),
        )
    }

    fn resume(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()> {
        self.operator_action(
            id,
            now,
            "resume",
            Event::Resumed { by: by.clone() },
            |e| match e.status {
                EntryStatus::Suspended => Some(Some(QueueEntry {
                    status: EntryStatus::Ready,
                    due: now,
                    ..e.clone()
                })),
                _ => None,
            },
            |s| matches!(s, RecipientState::Suspended { .. }).then(|| s.resume()),
        )
    }

    fn cancel(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()> {
        self.operator_action(
            id,
            now,
            "cancel",
            Event::Cancelled { by: by.clone() },
            |_| Some(None),
            |s| {
                (!s.is_final() || matches!(s, RecipientState::Dead { .. }))
                    .then(|| s.cancel())
                    .filter(|r| r.is_ok())
            },
        )
    }

    fn retry_now(&self, id: MessageId, now: Timestamp, by: &ActionBy) -> Result<()> {
        self.operator_action(
            id,
            now,
            "retry",
            Event::RetryNow { by: by.clone() },
            |e| match e.status {
                EntryStatus::Dead { .. } => Some(Some(QueueEntry {
                    status: EntryStatus::Ready,
                    due: now,
                    attempt: 0,
                    enqueued_at: now,
                    ..e.clone()
                })),
                EntryStatus::Ready if e.due > now => Some(Some(QueueEntry {
                    due: now,
                    ..e.clone()
                })),
                _ => None,
            },
            |s| {
                matches!(
                    s,
                    RecipientState::Dead { .. } | RecipientState::RetryScheduled { .. }
                )
                .then(|| s.retry_now())
            },
        )
    }

    fn retry_hop_now(&self, hop: &str, now: Timestamp, limit: usize) -> Result<usize> {
        check_name("hop", hop)?;
        let prefix = name_prefix(hop);
        let Some(start) = upto(&prefix, now) else {
            return Ok(0);
        };
        let end = prefix_end(&prefix);
        self.write(|tx| {
            let keys = tx.keys_in(T::Ready, &start, end.as_deref(), limit)?;
            for key in &keys {
                let (id, old) = tx.ready_entry(key, hop)?;
                let new = QueueEntry {
                    due: now,
                    ..old.clone()
                };
                let event = Event::LinkRecovered {
                    hop: hop.to_owned(),
                };
                tx.move_entry(id, hop, (&old, &new), event, now, |s| {
                    matches!(s, RecipientState::RetryScheduled { .. }).then(|| s.retry_now())
                })?;
            }
            Ok(keys.len())
        })
    }

    fn deliver(&self, id: MessageId, agency: &str, now: Timestamp) -> Result<DeliverOutcome> {
        self.deliver_impl(id, agency, now)
    }

    fn document_message(&self, sender: &str, document_id: &str) -> Result<Option<MessageId>> {
        check_name("sender", sender)?;
        let key = doc_key(sender, document_id);
        match self.tree(T::DocIds).get(&key)? {
            None => Ok(None),
            Some(v) => id_at(&v).map(Some).ok_or_else(|| {
                StoreError::corrupt("doc_ids record", format!("doc_ids/{}", show_key(&key)))
            }),
        }
    }

    fn statuses_delivered(&self, agency: &str, document_id: &str) -> Result<Vec<MessageId>> {
        check_name("agency", agency)?;
        let prefix = status_index_prefix(agency, document_id);
        let mut out = Vec::new();
        for item in self.tree(T::StatusIndex).scan_prefix(&prefix).keys() {
            let k = item?;
            let raw: Option<[u8; 16]> = k.get(prefix.len()..).and_then(|b| b.try_into().ok());
            match raw.and_then(MessageId::from_bytes) {
                Some(id) => out.push(id),
                None => {
                    return Err(StoreError::corrupt(
                        "status index key",
                        format!("status_index/{}", show_key(&k)),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn list_inbox(
        &self,
        agency: &str,
        after: Option<InboxCursor>,
        limit: usize,
        kind: Option<MessageKind>,
    ) -> Result<Vec<InboxItem>> {
        check_name("agency", agency)?;
        let prefix = name_prefix(agency);
        let start = match after {
            Some(InboxCursor(c)) => match c.checked_add(1) {
                Some(n) => inbox_key(agency, n),
                None => return Ok(Vec::new()),
            },
            None => prefix.clone(),
        };
        let mut out = Vec::new();
        for item in self
            .tree(T::Inbox)
            .range(&start, prefix_end(&prefix).as_deref())
        {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item?;
            let rec: InboxRecord = decode(&v, "inbox", &k)?;
            if kind.is_some_and(|want| want != rec.kind) {
                continue;
            }
            let seq = k.get(prefix.len()..).and_then(u64_value).ok_or_else(|| {
                StoreError::corrupt("inbox key", format!("inbox/{}", show_key(&k)))
            })?;
            out.push(InboxItem {
                cursor: InboxCursor(seq),
                id: rec.id,
                kind: rec.kind,
                sender: rec.sender,
                sha256: rec.sha256,
                size: rec.size,
                delivered_at: rec.delivered_at,
                acked: rec.acked,
            });
        }
        Ok(out)
    }

    fn ack_inbox(
        &self,
        agency: &str,
        id: MessageId,
        result: FetchResult,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.ack_inbox_impl(agency, id, result, note, now)
    }

    fn find_messages(&self, q: &MessageQuery) -> Result<MessagePage> {
        // The keys to walk: the state index (tag ++ id) or the message records (id), both in
        // id order, from just after `after` to just before `before`.
        let (tree, prefix) = match q.state {
            Some(state) => (T::ByState, vec![state.tag()]),
            None => (T::Messages, Vec::new()),
        };
        let key_of = |id: MessageId| {
            let mut k = prefix.clone();
            k.extend_from_slice(&id.to_bytes());
            k
        };
        let start = match q.after {
            Some(id) => {
                let mut k = key_of(id);
                k.push(0);
                k
            }
            None => prefix.clone(),
        };
        let end = match q.before {
            Some(id) => Some(key_of(id)),
            None => prefix_end(&prefix),
        };
        if end.as_ref().is_some_and(|e| *e <= start) {
            return Ok(MessagePage {
                messages: Vec::new(),
                next: None,
                scanned: 0,
            });
        }
        let tx = Tx::reader(&self.trees);
        let mut page = MessagePage {
            messages: Vec::new(),
            next: None,
            scanned: 0,
        };
        let mut keys = self.tree(tree).range(&start, end.as_deref()).keys();
        loop {
            if page.messages.len() >= q.limit || page.scanned >= q.scan_limit {
                // Stopped early: go on after the last one examined, unless nothing is left.
                if keys.next().transpose()?.is_none() {
                    page.next = None;
                }
                return Ok(page);
            }
            let Some(k) = keys.next().transpose()? else {
                page.next = None;
                return Ok(page);
            };
            let id = k.get(prefix.len()..).and_then(id_at).ok_or_else(|| {
                StoreError::corrupt(
                    "message key",
                    format!("{}/{}", TREE_NAMES[tree as usize], show_key(&k)),
                )
            })?;
            page.scanned += 1;
            page.next = Some(id);
            // A concurrent writer may have moved it on; list what is there now.
            let rec = match tx.load_message(id) {
                Ok(rec) => rec,
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let wanted = q
                .agency
                .as_deref()
                .is_none_or(|a| rec.sender == a || rec.recipients.contains_key(a))
                && q.sender.as_deref().is_none_or(|a| rec.sender == a)
                && q.reason.as_deref().is_none_or(|r| {
                    rec.recipients.values().any(
                        |s| matches!(s, RecipientState::Dead { reason, .. } if reason.contains(r)),
                    )
                });
            if wanted {
                page.messages.push(rec.info(id));
            }
        }
    }

    fn queue_stats(&self, now: Timestamp) -> Result<QueueStats> {
        let mut hops = Vec::new();
        for item in self.tree(T::Meta).scan_prefix(META_DEPTH) {
            let (k, v) = item?;
            let hop = String::from_utf8_lossy(&k[META_DEPTH.len()..]).into_owned();
            let depth = u64_value(&v).unwrap_or(0);
            let prefix = name_prefix(&hop);
            let in_flight = self.tree(T::Leased).scan_prefix(&prefix).count() as u64;
            let oldest = match self.tree(T::Age).scan_prefix(&prefix).keys().next() {
                Some(k) => Some(parse_hop_key(&k?, "queue_age")?.1),
                None => None,
            };
            hops.push(HopStats {
                hop,
                depth,
                in_flight,
                oldest_age_ms: oldest.map_or(0, |t| now.millis_since(t)),
            });
        }
        let tx = Tx::reader(&self.trees);
        let mut states = BTreeMap::new();
        for m in MessageState::ALL {
            states.insert(m, tx.counter(&count_key(m))?);
        }
        Ok(QueueStats { hops, states })
    }

    fn agency_activity(&self) -> Result<Vec<AgencyActivity>> {
        let mut by_agency: BTreeMap<String, AgencyActivity> = BTreeMap::new();
        for item in self.tree(T::Meta).scan_prefix(META_ACTIVITY) {
            let (k, v) = item?;
            let Some((agency, field)) = parse_activity_key(&k) else {
                return Err(StoreError::corrupt(
                    "activity counter key",
                    format!("meta/{}", show_key(&k)),
                ));
            };
            let n = u64_value(&v).ok_or_else(|| {
                StoreError::corrupt("activity counter", format!("meta/{}", show_key(&k)))
            })?;
            let a = by_agency
                .entry(agency.clone())
                .or_insert_with(|| AgencyActivity {
                    agency,
                    ..AgencyActivity::default()
                });
            match field.as_str() {
                ACT_SENT_EDOC => a.sent_documents = n,
                ACT_SENT_STATUS => a.sent_statuses = n,
                ACT_RECEIVED_EDOC => a.received_documents = n,
                ACT_RECEIVED_STATUS => a.received_statuses = n,
                ACT_OPEN => a.unacknowledged = n,
                ACT_DONE => a.acknowledged_done = n,
                ACT_FAILED => a.acknowledged_failed = n,
                _ => {}
            }
        }
        for a in by_agency.values_mut() {
            if a.unacknowledged > 0
                && let Some(item) = self
                    .tree(T::InboxOpen)
                    .scan_prefix(name_prefix(&a.agency))
                    .next()
            {
                let (_, v) = item?;
                a.oldest_unacknowledged_at = u64_value(&v).map(Timestamp::from_millis);
            }
        }
        Ok(by_agency.into_values().collect())
    }

    fn purge_expired(&self, now: Timestamp, limit: usize) -> Result<usize> {
        self.purge_impl(now, limit)
    }

    fn failure(&self) -> Option<String> {
        if let Some(p) = &self.lock().poisoned {
            return Some(format!("metadata: {p}"));
        }
        self.blobs.failure().map(|f| format!("payload log: {f}"))
    }

    #[cfg(feature = "fault-injection")]
    fn inject_sync_failure(&self) {
        self.blobs
            .fail_next_sync
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn sweep_orphan_payloads(&self) -> Result<usize> {
        self.sweep_impl()
    }

    fn check(&self, level: VerifyLevel) -> Result<CheckReport> {
        self.check_impl(level)
    }

    fn backup(&self, dest: &Path, now: Timestamp) -> Result<BackupReport> {
        self.backup_with(dest, now, || ())
    }
}

/// The `by` of an operator's event, checked before anything is written.
fn by_check(event: &Event) -> std::result::Result<(), String> {
    match event {
        Event::Suspended { by }
        | Event::Resumed { by }
        | Event::Cancelled { by }
        | Event::RetryNow { by } => by.check(),
        _ => Ok(()),
    }
}

fn receipt_body(v: &[u8], header: usize, tree: &str, key: &[u8]) -> Result<Vec<u8>> {
    match v.first() {
        Some(&FORMAT_VERSION) if v.len() >= header => Ok(v[header..].to_vec()),
        _ => Err(StoreError::corrupt(
            "receipt record",
            format!("{tree}/{}", show_key(key)),
        )),
    }
}
