//! Operator actions on one message: suspend, resume, cancel, retry now.

use crate::api::OperatorActions;
use crate::error::{Result, StoreError};
use crate::state::{ActionBy, EntryStatus, Event, RecipientState, Refused};
use crate::types::{MessageId, Timestamp};

use super::KvStore;
use super::records::*;

/// The `by` of an operator's event, checked before anything is written.
pub(super) fn by_check(event: &Event) -> std::result::Result<(), String> {
    match event {
        Event::Suspended { by }
        | Event::Resumed { by }
        | Event::Cancelled { by }
        | Event::RetryNow { by } => by.check(),
        _ => Ok(()),
    }
}

impl KvStore {
    /// Operator actions share this shape: map every entry, map every recipient, record one event.
    pub(super) fn operator_action(
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
}

impl OperatorActions for KvStore {
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
}
