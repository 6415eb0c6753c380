//! Retention (purging payloads of finished messages) and the sweep of dead payload ranges.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::PoisonError;

use crate::api::Upkeep;
use crate::blob::Loc;
use crate::error::{Result, StoreError};
use crate::state::Event;
use crate::types::Timestamp;

use super::KvStore;
use super::keys::*;

impl Upkeep for KvStore {
    fn purge_expired(&self, now: Timestamp, limit: usize) -> Result<usize> {
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

    fn sweep_orphan_payloads(&self) -> Result<usize> {
        if let Some(engine) = self.pg() {
            return engine.sweep_payloads(T::Payloads as u8);
        }
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

    fn failure(&self) -> Option<String> {
        if let Some(engine) = self.pg() {
            return engine
                .ping()
                .err()
                .map(|e| format!("{}: {e}", crate::DATABASE_UNREACHABLE));
        }
        if let Some(p) = &self.lock().poisoned {
            return Some(format!("metadata: {p}"));
        }
        self.blobs.failure().map(|f| format!("payload log: {f}"))
    }

    fn on_change(&self, hook: crate::pg::listen::ChangeHook) {
        if let Some(engine) = self.pg() {
            engine.listen(hook);
        }
    }

    #[cfg(feature = "fault-injection")]
    fn inject_sync_failure(&self) {
        if let Some(log) = self.blobs.log() {
            log.fail_next_sync
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}
