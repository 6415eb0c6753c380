//! The agencies' inboxes: deliver, list and acknowledge.

use crate::api::Inboxes;
use crate::error::{Result, StoreError};
use crate::state::Event;
use crate::types::{
    DeliverOutcome, FetchResult, InboxCursor, InboxItem, MessageId, MessageKind, Timestamp,
};

use super::codec::*;
use super::keys::*;
use super::records::*;
use super::{KvStore, Tx};

/// Deliver message `id` into `agency`'s inbox within `tx` (a duplicate delivery returns the
/// existing cursor and asks for a barrier).
pub(super) fn deliver_in(
    tx: &mut Tx<'_>,
    id: MessageId,
    agency: &str,
    now: Timestamp,
    rules: &lienthong_compliance::Rules,
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
        priority: rec.priority,
    };
    tx.put(T::Inbox, inbox_key(agency, seq), encode(&item)?);
    if rec.priority > 0 {
        tx.put(T::InboxUrgent, inbox_key(agency, seq), Vec::new());
    }
    if rec.kind == MessageKind::Edoc {
        super::compliance::on_delivered(tx, id, &rec.sender, agency, now, rules)?;
    }
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

impl Inboxes for KvStore {
    fn deliver(&self, id: MessageId, agency: &str, now: Timestamp) -> Result<DeliverOutcome> {
        check_name("agency", agency)?;
        self.write(|tx| deliver_in(tx, id, agency, now, &self.config.compliance))
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
        self.list_inbox_of(T::Inbox, agency, after, limit, kind)
    }

    fn list_open_inbox(
        &self,
        agency: &str,
        after: Option<InboxCursor>,
        limit: usize,
        kind: Option<MessageKind>,
    ) -> Result<Vec<InboxItem>> {
        self.list_inbox_of(T::InboxOpen, agency, after, limit, kind)
    }

    fn ack_inbox(
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
                    if item.priority > 0 {
                        tx.del(T::InboxUrgent, key.clone());
                    }
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
}

impl KvStore {
    /// The inbox entries of `agency` whose positions `index` holds (the whole inbox, or the
    /// entries not acknowledged yet: both keyed by agency and position), after `after`.
    fn list_inbox_of(
        &self,
        index: T,
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
        let end = prefix_end(&prefix);
        let mut out = Vec::new();
        for item in self.tree(index).range(&start, end.as_deref()) {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item?;
            let rec = match index {
                T::Inbox => Some(decode(&v, "inbox", &k)?),
                _ => None,
            };
            if let Some(i) = self.inbox_item(&k, prefix.len(), rec, kind)? {
                out.push(i);
            }
        }
        // Urgent documents go first: those on this page, and (when the page is full) up to
        // half a page of unacknowledged ones further on, marked `ahead`.
        out.sort_by_key(|i| std::cmp::Reverse(i.priority));
        let last = out.iter().map(|i| i.cursor).max();
        if out.len() >= limit && limit >= 2 {
            let room = limit / 2;
            let mut ahead = Vec::new();
            let from = match last {
                Some(InboxCursor(c)) => inbox_key(agency, c.saturating_add(1)),
                None => start.clone(),
            };
            for k in self
                .tree(T::InboxUrgent)
                .range(&from, end.as_deref())
                .keys()
            {
                if ahead.len() >= room {
                    break;
                }
                if let Some(mut i) = self.inbox_item(&k?, prefix.len(), None, kind)? {
                    i.ahead = true;
                    ahead.push(i);
                }
            }
            ahead.sort_by_key(|i| std::cmp::Reverse(i.priority));
            // The page's own entries from the end make room (the cursor then stops before them).
            let keep = limit.saturating_sub(ahead.len());
            let mut own: Vec<InboxItem> = out;
            own.sort_by_key(|i| i.cursor);
            own.truncate(keep);
            own.sort_by_key(|i| std::cmp::Reverse(i.priority));
            ahead.extend(own);
            out = ahead;
        }
        Ok(out)
    }

    /// The listing item of inbox key `k` (its record read unless given), if of `kind`.
    fn inbox_item(
        &self,
        k: &[u8],
        prefix_len: usize,
        rec: Option<InboxRecord>,
        kind: Option<MessageKind>,
    ) -> Result<Option<InboxItem>> {
        let rec: InboxRecord = match rec {
            Some(r) => r,
            None => match self.tree(T::Inbox).get(k)? {
                Some(v) => decode(&v, "inbox", k)?,
                None => {
                    return Err(StoreError::corrupt(
                        "inbox (index entry without its record)",
                        format!("inbox/{}", show_key(k)),
                    ));
                }
            },
        };
        if kind.is_some_and(|want| want != rec.kind) {
            return Ok(None);
        }
        let seq = k
            .get(prefix_len..)
            .and_then(u64_value)
            .ok_or_else(|| StoreError::corrupt("inbox key", format!("inbox/{}", show_key(k))))?;
        Ok(Some(InboxItem {
            cursor: InboxCursor(seq),
            id: rec.id,
            kind: rec.kind,
            sender: rec.sender,
            sha256: rec.sha256,
            size: rec.size,
            delivered_at: rec.delivered_at,
            acked: rec.acked,
            priority: rec.priority,
            ahead: false,
        }))
    }
}
