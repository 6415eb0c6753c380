//! The forwarding queues: enqueue, lease, acknowledge, fail and retry.

use crate::api::Queues;
use crate::error::{Result, StoreError};
use crate::state::{EntryStatus, Event, RecipientState};
use crate::types::{AckOutcome, FailOutcome, Lease, MessageId, Sha256, Timestamp};

use super::codec::*;
use super::keys::*;
use super::records::*;
use super::{KvStore, Tx};

/// Queue `recipients` of message `id` for `hop` within `tx`.
pub(super) fn enqueue_in(
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
        priority: rec.priority,
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

impl KvStore {
    /// A leased entry goes back to ready (due unchanged); its recipients back to queued.
    pub(super) fn expire_entry(
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

    pub(super) fn fail_impl(
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

    pub(super) fn entries_of(
        &self,
        tx: &Tx<'_>,
        id: MessageId,
    ) -> Result<Vec<(String, QueueEntry)>> {
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
}

impl Queues for KvStore {
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
            for key in self.pick_due(tx, hop, now, limit)? {
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

    fn renew_lease(&self, lease: &Lease, deadline: Timestamp) -> Result<bool> {
        check_name("hop", &lease.hop)?;
        let (id, hop) = (lease.id, lease.hop.as_str());
        self.write_unsynced(|tx| match tx.load_entry(id, hop)? {
            Some(old)
                if old.attempt == lease.attempt
                    && matches!(old.status, EntryStatus::Leased { .. }) =>
            {
                let new = QueueEntry {
                    status: EntryStatus::Leased { deadline },
                    ..old.clone()
                };
                tx.set_entry(id, hop, Some(&old), Some(&new))?;
                Ok(true)
            }
            _ => Ok(false),
        })
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
}

/// Urgent entries leased in a row, while ordinary ones wait, before an ordinary one gets a turn.
const URGENT_RUN: u32 = 3;

impl KvStore {
    /// The `queue_ready` keys of `hop` to lease now, at most `limit`: urgent entries first
    /// (the most urgent band first, then by due time), but never more than [`URGENT_RUN`] in
    /// a row while ordinary entries are due too, so that ordinary traffic keeps flowing.
    fn pick_due(
        &self,
        tx: &Tx<'_>,
        hop: &str,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>> {
        let prefix = name_prefix(hop);
        let mut urgent: std::collections::VecDeque<Vec<u8>> = Default::default();
        for band in 0..=lienthong_compliance::facts::MAX_PRIORITY {
            if urgent.len() >= limit {
                break;
            }
            let mut p = vec![band];
            p.extend_from_slice(&prefix);
            let end = upto(&p, now);
            for k in tx.keys_in(T::Urgent, &p, end.as_deref(), limit - urgent.len())? {
                // The same entry's `queue_ready` key: the urgent key without its band.
                urgent.push_back(k.get(1..).unwrap_or_default().to_vec());
            }
        }
        let taken: std::collections::HashSet<Vec<u8>> = urgent.iter().cloned().collect();
        let end = upto(&prefix, now);
        let mut ordinary: std::collections::VecDeque<Vec<u8>> = tx
            .keys_in(
                T::Ready,
                &prefix,
                end.as_deref(),
                limit.saturating_add(urgent.len()),
            )?
            .into_iter()
            .filter(|k| !taken.contains(k))
            .collect();
        let mut streaks = self
            .urgent_streaks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let streak = streaks.entry(hop.to_owned()).or_default();
        if urgent.is_empty() {
            // Nothing urgent waits: the next urgent entry starts a new run.
            *streak = 0;
        }
        let mut out = Vec::new();
        while out.len() < limit {
            let take_urgent = match (urgent.front(), ordinary.front()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(_), Some(_)) => *streak < URGENT_RUN,
            };
            if take_urgent {
                out.extend(urgent.pop_front());
                *streak += 1;
            } else {
                out.extend(ordinary.pop_front());
                *streak = 0;
            }
        }
        Ok(out)
    }
}
