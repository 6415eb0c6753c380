//! Accepting a message with its dispatch plan in one commit: validation, duplicates, the
//! DocumentId rule, and the issued receipt.

use std::collections::HashSet;

use crate::api::Submit;
use crate::blob::{Loc, Reservation};
use crate::error::{Result, StoreError};
use crate::state::{Event, MessageState, RecipientState};
use crate::types::{
    AcceptOutcome, AcceptRequest, BusinessType, Dispatch, MessageId, MessageKind, Origin, Sha256,
    Timestamp,
};

use lienthong_compliance::facts::MAX_PRIORITY;

use super::codec::*;
use super::compliance;
use super::inbox::deliver_in;
use super::keys::*;
use super::queues::enqueue_in;
use super::records::*;
use super::{KvStore, Tx};

/// Longest DocumentId accepted.
pub(super) const MAX_DOCUMENT_ID: usize = 1024;

/// Store the receipt this gateway signed for message `id` (`[version] ++ bytes`).
pub(super) fn put_issued(tx: &mut Tx<'_>, id: MessageId, receipt: &[u8]) {
    let mut v = vec![FORMAT_VERSION];
    v.extend_from_slice(receipt);
    tx.put(T::ReceiptsIssued, id.to_bytes().to_vec(), v);
}

impl KvStore {
    pub(super) fn validate_accept(req: &AcceptRequest) -> Result<()> {
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
    pub(super) fn find_duplicate(
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
                // A new id: the same sender's same bytes under another id is a replay.
                None => {
                    let key = dedup_key(&req.sender, &sha);
                    match tx.get(T::Dedup, &key)?.and_then(|v| id_at(&v)) {
                        Some(existing) if existing != *id => {
                            Err(StoreError::Replayed { id: *id, existing })
                        }
                        _ => Ok(None),
                    }
                }
            },
        }
    }

    /// Refuse a changed document that reuses a DocumentId of the same sender, unless its
    /// business type may change a document (update, replace, revoke).
    pub(super) fn check_document_id(tx: &Tx<'_>, req: &AcceptRequest, sha: Sha256) -> Result<()> {
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
    pub(super) fn payload_loc(tx: &Tx<'_>, sha: &Sha256) -> Result<Option<Loc>> {
        match tx.get(T::Payloads, sha.as_bytes())? {
            None => Ok(None),
            Some(v) => Loc::from_bytes(&v)
                .map(Some)
                .ok_or_else(|| StoreError::corrupt("payload location", format!("payloads/{sha}"))),
        }
    }

    /// Refuse a plan that could not apply to `req`, before anything is written.
    pub(super) fn validate_plan(req: &AcceptRequest, plan: &Dispatch) -> Result<()> {
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
}

/// What one accept has, for its logic under the lock (which may run twice, see
/// `KvStore::write_prepared`).
struct Accepting<'r> {
    req: &'r AcceptRequest,
    plan: &'r Dispatch,
    sha: Sha256,
    /// The id the message gets if it is new (minted before the logic runs, so that both
    /// runs read the same keys).
    id: MessageId,
    /// Where this accept appended the payload, if it did.
    ours: Option<Loc>,
    now: Timestamp,
}

impl KvStore {
    /// The keys an accept of a new message looks up whatever the store holds (on
    /// PostgreSQL they are read together, before anything else).
    fn accept_keys(
        req: &AcceptRequest,
        plan: &Dispatch,
        sha: Sha256,
        id: MessageId,
    ) -> Vec<(T, Vec<u8>)> {
        let mut keys = vec![
            (T::Payloads, sha.as_bytes().to_vec()),
            (T::Dedup, dedup_key(&req.sender, &sha)),
        ];
        if let Some(doc) = req.document_id.as_deref().filter(|d| !d.is_empty()) {
            keys.push((T::DocIds, doc_key(&req.sender, doc)));
        }
        if let Origin::Relayed { .. } = req.origin {
            keys.push((T::Messages, id.to_bytes().to_vec()));
        }
        for agency in &plan.deliver {
            keys.push((T::InboxIds, inbox_id_key(agency, id)));
        }
        keys
    }

    /// The accept's writes in `tx`: `None` if the payload vanished (go round and append
    /// it), else the outcome and whether the payload appended by this accept is used.
    fn accept_in(
        &self,
        tx: &mut Tx<'_>,
        a: &Accepting<'_>,
    ) -> Result<Option<(AcceptOutcome, bool)>> {
        let (req, plan, sha, id, now) = (a.req, a.plan, a.sha, a.id, a.now);
        let loc = match Self::payload_loc(tx, &sha)? {
            Some(l) => l,
            None => match a.ours {
                Some(l) => l,
                // Purged (or its purge pending) since our look: go round, append it.
                None => return Ok(None),
            },
        };
        if let Some(out) = self.find_duplicate(tx, req, sha)? {
            tx.barrier = true;
            return Ok(Some((out, false)));
        }
        Self::check_document_id(tx, req, sha)?;
        let document_id = req.document_id.as_deref().filter(|d| !d.is_empty());
        if let (Some(doc), MessageKind::Edoc) = (document_id, req.kind) {
            let mut v = id.to_bytes().to_vec();
            v.extend_from_slice(sha.as_bytes());
            tx.put(T::DocIds, doc_key(&req.sender, doc), v);
        }
        let used = Some(loc) == a.ours;
        if used {
            tx.put(T::Payloads, sha.as_bytes().to_vec(), loc.to_bytes());
            tx.add_counter(&seg_key(loc.seg), 1)?;
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
            signature: req.signature.clone(),
            priority: req
                .facts
                .as_ref()
                .map_or(0, |f| f.priority.min(MAX_PRIORITY)),
        };
        // Every message, local or relayed, claims its sender's bytes: a copy under
        // another id is a duplicate (local) or a replay (relayed).
        tx.put(
            T::Dedup,
            dedup_key(&req.sender, &sha),
            id.to_bytes().to_vec(),
        );
        if let Origin::Local = req.origin {
            tx.add_counter(&activity_key(&req.sender, sent_field(req.kind)), 1)?;
        }
        tx.put(
            T::BlobRefs,
            blob_ref_key(&sha, id),
            size.to_be_bytes().to_vec(),
        );
        tx.event(id, &mut rec, now, Event::Accepted)?;
        tx.save_message(id, &mut rec, None, now)?;
        if let Some(facts) = compliance::initial_facts(req, now) {
            tx.set_facts(id, &req.sender, None, &facts)?;
        }
        if req.kind == MessageKind::Status {
            compliance::on_status(tx, req, now)?;
        }
        for agency in &plan.deliver {
            deliver_in(tx, id, agency, now, &self.config.compliance)?;
        }
        for (hop, recipients) in &plan.enqueue {
            enqueue_in(tx, id, hop, recipients, now, now)?;
        }
        if let Some(receipt) = &plan.issued_receipt {
            put_issued(tx, id, receipt);
        }
        let out = AcceptOutcome {
            id,
            sha256: sha,
            duplicate: false,
        };
        Ok(Some((out, used)))
    }
}

impl Submit for KvStore {
    fn accept_with(
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
        let id = match &req.origin {
            Origin::Local => MessageId::new_v7(now),
            Origin::Relayed { id, .. } => *id,
        };
        let pre = Tx::reader(&self.trees);
        pre.prefetch_keys(&Self::accept_keys(req, plan, sha, id))?;
        if let Some(out) = self.find_duplicate(&pre, req, sha)? {
            self.barrier()?;
            return Ok(out);
        }
        Self::check_document_id(&pre, req, sha)?;
        let mut pre = Some(pre);
        for attempt in 0..2 {
            // 1. The payload is durable in the log before any metadata refers to it, unless
            //    identical bytes are already stored. sled alone may still show a payload whose
            //    purge is pending: then the check under the lock finds it gone and we go round
            //    once more, appending this time whatever sled says.
            let reader = pre.take().unwrap_or_else(|| Tx::reader(&self.trees));
            let stored = match attempt {
                0 => Self::payload_loc(&reader, &sha)?,
                _ => None,
            };
            let appended: Option<(Loc, Option<Reservation>)> = match stored {
                Some(_) => None,
                None => Some(self.blobs.append(&sha, &req.bytes)?),
            };
            let accepting = Accepting {
                req,
                plan,
                sha,
                id,
                ours: appended.as_ref().map(|(l, _)| *l),
                now,
            };
            let done = self.write_prepared(reader, |tx| self.accept_in(tx, &accepting));
            let used = matches!(done, Ok(Some((_, true))));
            // Bytes we appended that nothing refers to (a duplicate, a refusal, identical bytes
            // stored by a concurrent writer) leave no trace: give their range back.
            if let Some((loc, reservation)) = appended {
                if !used && let Err(e) = self.blobs.punch_record(loc) {
                    tracing::warn!(error = %e, "could not reclaim an unused payload range");
                }
                drop(reservation);
            }
            if let Some((out, _)) = done? {
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
}
