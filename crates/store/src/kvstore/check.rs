//! The consistency check: every record, index, counter and, per level, payload.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::Check;
use crate::blob::Loc;
use crate::config::VerifyLevel;
use crate::error::Result;
use crate::state::{EntryStatus, MessageState, RecipientState};
use crate::types::{CheckReport, MessageId, Origin};

use super::codec::*;
use super::keys::*;
use super::records::*;
use super::{KvStore, Tx};

impl Check for KvStore {
    fn check(&self, level: VerifyLevel) -> Result<CheckReport> {
        // Everything pending applied and every write held off (on PostgreSQL, on every node)
        // while the key spaces are read.
        self.with_writes_held(|| self.check_held(level))
    }
}

impl KvStore {
    fn check_held(&self, level: VerifyLevel) -> Result<CheckReport> {
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
        for t in [T::Ready, T::Leased, T::Age, T::Urgent] {
            for item in self.tree(t).iter() {
                let k = item?.0;
                // `queue_urgent` keys start with the urgency band.
                let hop_key = if t == T::Urgent {
                    k.get(1..).unwrap_or_default()
                } else {
                    &k[..]
                };
                match parse_hop_key(hop_key, TREE_NAMES[t as usize]) {
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
            // A local message is in the dedup index; a relayed one is too, or (in a store
            // that did not index relays) has no entry, but never another message's.
            let dk = dedup_key(&rec.sender, &rec.sha256);
            let indexed = tx.get(T::Dedup, &dk)?.and_then(|v| id_at(&v));
            let fine = match rec.origin {
                Origin::Local => indexed == Some(id),
                Origin::Relayed { .. } => indexed.is_none_or(|i| i == id),
            };
            if !fine {
                p.push(format!("message {id}: dedup index does not point to it"));
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
        let ids = self.tree(T::InboxIds).len()? as u64;
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
        super::compliance::check(self, p)?;
        super::compliance::check_inbox_urgent(self, p)?;
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
