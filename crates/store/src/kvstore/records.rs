//! The stored forms of messages, queue entries and inbox entries, and the transaction
//! helpers that keep a record and its indexes and counters in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::state::{EntryStatus, Event, MessageState, RecipientState, Refused};
use crate::types::{
    BusinessType, FetchResult, HistoryEntry, MessageId, MessageInfo, MessageKind, Origin, Sha256,
    SignatureNote, StatusNote, Timestamp,
};

use super::Tx;
use super::codec::*;
use super::keys::*;

/// The index keys an entry must have: ready (status ready), leased (status leased), age (not dead).
pub(super) fn entry_index_keys(id: MessageId, hop: &str, e: &QueueEntry) -> Vec<(T, Vec<u8>)> {
    let mut out = Vec::with_capacity(2);
    match &e.status {
        EntryStatus::Ready => {
            out.push((T::Ready, hop_time_id(hop, e.due, id)));
            if let Some(band) = urgency_band(e.priority) {
                out.push((T::Urgent, urgent_key(band, hop, e.due, id)));
            }
        }
        EntryStatus::Leased { deadline } => out.push((T::Leased, hop_time_id(hop, *deadline, id))),
        EntryStatus::Suspended | EntryStatus::Dead { .. } => {}
    }
    if !matches!(e.status, EntryStatus::Dead { .. }) {
        out.push((T::Age, hop_time_id(hop, e.enqueued_at, id)));
    }
    out
}

/// The band of an urgent priority in `queue_urgent` (0 for the most urgent), `None` for
/// ordinary documents.
pub(super) fn urgency_band(priority: u8) -> Option<u8> {
    (priority > 0)
        .then(|| lienthong_compliance::facts::MAX_PRIORITY.saturating_sub(priority.min(4)))
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

/// The stored form of a message (tree `messages`, key = id).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct MessageRecord {
    pub(super) sender: String,
    pub(super) kind: MessageKind,
    pub(super) sha256: Sha256,
    pub(super) size: u64,
    pub(super) document_id: Option<String>,
    pub(super) business: Option<BusinessType>,
    pub(super) origin: Origin,
    pub(super) accepted_at: Timestamp,
    pub(super) state: MessageState,
    pub(super) recipients: BTreeMap<String, RecipientState>,
    pub(super) finished_at: Option<Timestamp>,
    pub(super) purged_at: Option<Timestamp>,
    pub(super) history_len: u32,
    /// Added after format 4 was defined; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) status: Option<StatusNote>,
    /// Added after format 4 was defined; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) signature: Option<SignatureNote>,
    /// The document's urgency (edXML priority 0–4); absent means 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) priority: u8,
}

impl MessageRecord {
    pub(super) fn info(&self, id: MessageId) -> MessageInfo {
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
            signature: self.signature.clone(),
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        self.recipients.values().all(RecipientState::is_final)
    }
}

/// The stored form of a queue entry (tree `queue`, key = id ++ hop).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct QueueEntry {
    pub(super) recipients: Vec<String>,
    pub(super) attempt: u32,
    pub(super) enqueued_at: Timestamp,
    pub(super) due: Timestamp,
    pub(super) status: EntryStatus,
    /// The message's urgency: urgent entries are also in `queue_urgent`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) priority: u8,
}

/// The stored form of an inbox entry (tree `inbox`, key = agency ++ seq).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct InboxRecord {
    pub(super) id: MessageId,
    pub(super) kind: MessageKind,
    pub(super) sender: String,
    pub(super) sha256: Sha256,
    pub(super) size: u64,
    pub(super) delivered_at: Timestamp,
    pub(super) acked: Option<FetchResult>,
    /// The message's urgency: open urgent entries are also in `inbox_urgent`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) priority: u8,
}

/// The activity counters (`meta` key → value) and the `inbox_open` index (key → delivered_at)
/// that the inboxes and messages imply: what an upgrade from format 3 writes, and what
/// [`KvStore::check`] compares with the stored ones.
pub(super) type Activity = (BTreeMap<Vec<u8>, u64>, BTreeMap<Vec<u8>, u64>);

/// Count a message its sender sent from here (relayed ones were sent elsewhere).
pub(super) fn count_sent(counters: &mut BTreeMap<Vec<u8>, u64>, rec: &MessageRecord) {
    if let Origin::Local = rec.origin {
        *counters
            .entry(activity_key(&rec.sender, sent_field(rec.kind)))
            .or_default() += 1;
    }
}

pub(super) fn refused(id: MessageId, r: Refused) -> StoreError {
    StoreError::InvalidState {
        id,
        from: r.from.to_owned(),
        action: r.action,
    }
}

pub(super) fn invalid_state(
    id: MessageId,
    from: impl Into<String>,
    action: &'static str,
) -> StoreError {
    StoreError::InvalidState {
        id,
        from: from.into(),
        action,
    }
}

pub(super) fn recipient_mut<'r>(
    rec: &'r mut MessageRecord,
    id: MessageId,
    agency: &str,
) -> Result<&'r mut RecipientState> {
    rec.recipients.get_mut(agency).ok_or_else(|| {
        StoreError::InvalidInput(format!("'{agency}' is not a recipient of message {id}"))
    })
}

impl Tx<'_> {
    pub(super) fn load_message(&self, id: MessageId) -> Result<MessageRecord> {
        let key = id.to_bytes();
        match self.get(T::Messages, &key)? {
            Some(v) => decode(&v, TREE_NAMES[T::Messages as usize], &key),
            None => Err(StoreError::not_found("message", id)),
        }
    }

    /// Store `rec` (whose `state` is the state before this operation, `None` if new), keeping the
    /// state index, state counters and finished index in step.
    pub(super) fn save_message(
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

    pub(super) fn event(
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

    pub(super) fn counter(&self, key: &[u8]) -> Result<u64> {
        match self.get(T::Meta, key)? {
            Some(v) => u64_value(&v)
                .ok_or_else(|| StoreError::corrupt("counter", format!("meta/{}", show_key(key)))),
            None => Ok(0),
        }
    }

    pub(super) fn add_counter(&mut self, key: &[u8], delta: i64) -> Result<()> {
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
    pub(super) fn move_entry(
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
    pub(super) fn ready_entry(&self, key: &[u8], hop: &str) -> Result<(MessageId, QueueEntry)> {
        let (_, _, id) = parse_hop_key(key, "queue_ready")?;
        match self.load_entry(id, hop)? {
            Some(e) => Ok((id, e)),
            None => Err(StoreError::corrupt(
                "queue index (ready entry without queue record)",
                format!("queue/{id}/{hop}"),
            )),
        }
    }

    pub(super) fn load_entry(&self, id: MessageId, hop: &str) -> Result<Option<QueueEntry>> {
        let key = id_key(id, hop.as_bytes());
        match self.get(T::Queue, &key)? {
            Some(v) => Ok(Some(decode(&v, TREE_NAMES[T::Queue as usize], &key)?)),
            None => Ok(None),
        }
    }

    /// Replace entry `(id, hop)` `old` by `new` (either may be absent), keeping the ready, leased
    /// and age indexes and the per-hop depth counter consistent. The single place that derives
    /// index membership from an entry; [`KvStore::check`] verifies the same rules.
    pub(super) fn set_entry(
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
