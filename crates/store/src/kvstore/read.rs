//! Reading messages, history, receipts, queue counts and agency activity.

use std::collections::BTreeMap;

use crate::api::Lookup;
use crate::error::{Result, StoreError};
use crate::state::{MessageState, RecipientState};
use crate::types::{
    AgencyActivity, HistoryEntry, HopStats, MessageId, MessageInfo, MessagePage, MessageQuery,
    QueueEntryInfo, QueueStats, ReceivedReceipt, Timestamp,
};

use super::codec::*;
use super::keys::*;
use super::{KvStore, Tx};

impl Lookup for KvStore {
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
            if wanted && !text_matches(&tx, id, &rec, q.text.as_deref())? {
                continue;
            }
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
}

/// Whether the message's number/symbol, subject or DocumentId contains `text`, ignoring case
/// (always, without a text).
fn text_matches(
    tx: &Tx<'_>,
    id: MessageId,
    rec: &super::records::MessageRecord,
    text: Option<&str>,
) -> Result<bool> {
    let Some(text) = text.map(str::to_lowercase).filter(|t| !t.is_empty()) else {
        return Ok(true);
    };
    let has = |s: &str| s.to_lowercase().contains(&text);
    if rec.document_id.as_deref().is_some_and(has) {
        return Ok(true);
    }
    Ok(tx.load_facts(id)?.is_some_and(|f| {
        f.number.as_deref().is_some_and(has) || f.subject.as_deref().is_some_and(has)
    }))
}
