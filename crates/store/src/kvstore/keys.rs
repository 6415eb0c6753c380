//! The key schema: the one place that knows key bytes. Every tree's keys are built and
//! parsed here; the crate documentation draws the layout.

use std::collections::HashSet;

use crate::error::{Result, StoreError};
use crate::state::{FetchResult, MessageState};
use crate::types::{MessageId, MessageKind, Sha256, Timestamp};

/// Longest hop, sender or agency name accepted in a key (length-prefixed by one byte).
/// Most recipients per message (keeps records well under [`crate::codec::MAX_VALUE`]).
pub(super) const MAX_RECIPIENTS: usize = 1000;

pub(super) const MAX_NAME: usize = 255;

/// A key for error messages: printable ASCII as is, other bytes as `\xNN`.
pub(super) fn show_key(key: &[u8]) -> String {
    let mut s = String::new();
    for &b in key {
        if b.is_ascii_graphic() {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

/// Check that `name` can be used in keys (1..=255 bytes).
pub(super) fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(StoreError::InvalidInput(format!(
            "{what} must be 1 to {MAX_NAME} bytes long, got {}",
            name.len()
        )));
    }
    Ok(())
}

/// `[len u8] ++ name` — a prefix that no other name's prefix can be confused with.
pub(super) fn name_prefix(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + name.len() + 24);
    // check_name has bounded the length; clamp anyway so a bug cannot panic.
    k.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
    k.extend_from_slice(name.as_bytes());
    k
}

/// The name a key begins with (`[len u8] ++ name`), if it is readable.
pub(super) fn leading_name(key: &[u8]) -> Option<&str> {
    let (&len, rest) = key.split_first()?;
    std::str::from_utf8(rest.get(..usize::from(len))?).ok()
}

/// `[len] name ++ time (8, BE) ++ id (16)`: the key of the ready, leased and age indexes.
pub(super) fn hop_time_id(hop: &str, t: Timestamp, id: MessageId) -> Vec<u8> {
    let mut k = name_prefix(hop);
    k.extend_from_slice(&t.as_millis().to_be_bytes());
    k.extend_from_slice(&id.to_bytes());
    k
}

/// Split the tail of a [`hop_time_id`] key (after the hop prefix).
pub(super) fn split_time_id(tail: &[u8]) -> Option<(Timestamp, MessageId)> {
    if tail.len() != 24 {
        return None;
    }
    let mut t = [0u8; 8];
    t.copy_from_slice(&tail[..8]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&tail[8..]);
    Some((
        Timestamp::from_millis(u64::from_be_bytes(t)),
        MessageId::from_bytes(id)?,
    ))
}

/// `id (16) ++ suffix`.
pub(super) fn id_key(id: MessageId, suffix: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(16 + suffix.len());
    k.extend_from_slice(&id.to_bytes());
    k.extend_from_slice(suffix);
    k
}

/// Parse a 16-byte id at the start of `bytes`.
pub(super) fn id_at(bytes: &[u8]) -> Option<MessageId> {
    let b: [u8; 16] = bytes.get(..16)?.try_into().ok()?;
    MessageId::from_bytes(b)
}

/// A big-endian u64 value.
pub(super) fn u64_value(bytes: &[u8]) -> Option<u64> {
    let b: [u8; 8] = bytes.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

pub(super) use crate::space::prefix_end;

/// The sled trees. The discriminant indexes [`TREE_NAMES`] and `Inner::trees`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum T {
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
    Facts,
    AggDay,
    AggMonth,
    NoticeOpen,
    DueOpen,
    Urgent,
    InboxUrgent,
    DueDay,
    DueMonth,
    FactsReceipts,
}

pub(super) const N_TREES: usize = 29;

pub(super) const TREE_NAMES: [&str; N_TREES] = [
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
    "facts",
    "agg_day",
    "agg_month",
    "notice_open",
    "due_open",
    "queue_urgent",
    "inbox_urgent",
    "due_day",
    "due_month",
    "facts_receipts",
];

pub(super) const META_FORMAT: &[u8] = b"format";

pub(super) const META_INBOX_SEQ: &[u8] = b"inbox_seq";

pub(super) const META_COUNT: &[u8] = b"count/";

pub(super) const META_DEPTH: &[u8] = b"depth/";

pub(super) const META_SEG: &[u8] = b"seg/";

pub(super) const META_ACTIVITY: &[u8] = b"act/";

/// The activity counters of one agency (`meta` keys `act/` ++ agency ++ field).
pub(super) const ACT_SENT_EDOC: &str = "sent_edoc";

pub(super) const ACT_SENT_STATUS: &str = "sent_status";

pub(super) const ACT_RECEIVED_EDOC: &str = "received_edoc";

pub(super) const ACT_RECEIVED_STATUS: &str = "received_status";

pub(super) const ACT_OPEN: &str = "open";

pub(super) const ACT_DONE: &str = "done";

pub(super) const ACT_FAILED: &str = "failed";

pub(super) fn activity_key(agency: &str, field: &str) -> Vec<u8> {
    let mut k = META_ACTIVITY.to_vec();
    k.extend_from_slice(&name_prefix(agency));
    k.extend_from_slice(field.as_bytes());
    k
}

pub(super) fn sent_field(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Edoc => ACT_SENT_EDOC,
        MessageKind::Status => ACT_SENT_STATUS,
    }
}

pub(super) fn received_field(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Edoc => ACT_RECEIVED_EDOC,
        MessageKind::Status => ACT_RECEIVED_STATUS,
    }
}

pub(super) fn ack_field(result: FetchResult) -> &'static str {
    match result {
        FetchResult::Done => ACT_DONE,
        FetchResult::Fail => ACT_FAILED,
    }
}

pub(super) fn state_key(state: MessageState, id: MessageId) -> Vec<u8> {
    let mut k = vec![state.tag()];
    k.extend_from_slice(&id.to_bytes());
    k
}

pub(super) fn count_key(state: MessageState) -> Vec<u8> {
    let mut k = META_COUNT.to_vec();
    k.push(state.tag());
    k
}

pub(super) fn depth_key(hop: &str) -> Vec<u8> {
    let mut k = META_DEPTH.to_vec();
    k.extend_from_slice(hop.as_bytes());
    k
}

pub(super) fn finished_key(at: Timestamp, id: MessageId) -> Vec<u8> {
    let mut k = at.as_millis().to_be_bytes().to_vec();
    k.extend_from_slice(&id.to_bytes());
    k
}

pub(super) fn dedup_key(sender: &str, sha: &Sha256) -> Vec<u8> {
    let mut k = name_prefix(sender);
    k.extend_from_slice(sha.as_bytes());
    k
}

pub(super) fn doc_key(sender: &str, document_id: &str) -> Vec<u8> {
    let mut k = name_prefix(sender);
    k.extend_from_slice(document_id.as_bytes());
    k
}

/// `meta` key of the number of live payloads in segment `seg`.
pub(super) fn seg_key(seg: u32) -> Vec<u8> {
    let mut k = META_SEG.to_vec();
    k.extend_from_slice(&seg.to_be_bytes());
    k
}

pub(super) fn blob_ref_key(sha: &Sha256, id: MessageId) -> Vec<u8> {
    let mut k = sha.as_bytes().to_vec();
    k.extend_from_slice(&id.to_bytes());
    k
}

pub(super) fn inbox_key(agency: &str, seq: u64) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The agency and field of an activity counter key (`act/` ++ name ++ field).
pub(super) fn parse_activity_key(k: &[u8]) -> Option<(String, String)> {
    let rest = k.strip_prefix(META_ACTIVITY)?;
    let (&len, rest) = rest.split_first()?;
    let name = rest.get(..len as usize)?;
    let field = rest.get(len as usize..)?;
    Some((
        String::from_utf8(name.to_vec()).ok()?,
        String::from_utf8(field.to_vec()).ok()?,
    ))
}

/// `status_index` key: the agency's prefix, the DocumentId, a 0 byte (XML text has none),
/// then the status message id.
pub(super) fn status_index_prefix(agency: &str, document_id: &str) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(document_id.as_bytes());
    k.push(0);
    k
}

pub(super) fn inbox_id_key(agency: &str, id: MessageId) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(&id.to_bytes());
    k
}

/// An `i32` as 4 bytes that sort in numeric order (the sign bit flipped).
pub(super) fn ordered_i32(v: i32) -> [u8; 4] {
    ((v as u32) ^ 0x8000_0000).to_be_bytes()
}

/// Read [`ordered_i32`].
pub(super) fn read_ordered_i32(b: &[u8]) -> Option<i32> {
    let a: [u8; 4] = b.try_into().ok()?;
    Some((u32::from_be_bytes(a) ^ 0x8000_0000) as i32)
}

/// `agg_day` / `agg_month` key: the day or month number ++ the agency's prefix.
pub(super) fn agg_key(period: i32, agency: &str) -> Vec<u8> {
    let mut k = ordered_i32(period).to_vec();
    k.extend_from_slice(&name_prefix(agency));
    k
}

/// Split an [`agg_key`].
pub(super) fn parse_agg_key(k: &[u8]) -> Option<(i32, String)> {
    let period = read_ordered_i32(k.get(..4)?)?;
    let (&len, name) = k.get(4..)?.split_first()?;
    if name.len() != usize::from(len) {
        return None;
    }
    Some((period, String::from_utf8(name.to_vec()).ok()?))
}

/// `notice_open` key: agency ++ deadline ++ id.
pub(super) fn notice_key(agency: &str, by: Timestamp, id: MessageId) -> Vec<u8> {
    hop_time_id(agency, by, id)
}

/// `due_open` key: agency ++ due day ++ id.
pub(super) fn due_key(agency: &str, due: i32, id: MessageId) -> Vec<u8> {
    let mut k = name_prefix(agency);
    k.extend_from_slice(&ordered_i32(due));
    k.extend_from_slice(&id.to_bytes());
    k
}

/// Split a [`due_key`].
pub(super) fn parse_due_key(k: &[u8]) -> Option<(String, i32, MessageId)> {
    let (&len, rest) = k.split_first()?;
    let name = String::from_utf8(rest.get(..usize::from(len))?.to_vec()).ok()?;
    let tail = rest.get(usize::from(len)..)?;
    if tail.len() != 20 {
        return None;
    }
    Some((name, read_ordered_i32(&tail[..4])?, id_at(&tail[4..])?))
}

/// `queue_urgent` key: the urgency band (0 for the most urgent) ++ hop ++ due ++ id.
pub(super) fn urgent_key(band: u8, hop: &str, due: Timestamp, id: MessageId) -> Vec<u8> {
    let mut k = vec![band];
    k.extend_from_slice(&hop_time_id(hop, due, id));
    k
}

/// End (exclusive) of the keys `prefix ++ t' ++ …` with `t' ≤ t`.
pub(super) fn upto(prefix: &[u8], t: Timestamp) -> Option<Vec<u8>> {
    match t.as_millis().checked_add(1) {
        Some(n) => {
            let mut k = prefix.to_vec();
            k.extend_from_slice(&n.to_be_bytes());
            Some(k)
        }
        None => prefix_end(prefix),
    }
}

/// Split `[len] hop ++ time ++ id`.
pub(super) fn parse_hop_key(key: &[u8], tree: &str) -> Result<(String, Timestamp, MessageId)> {
    let bad = || StoreError::corrupt("index key", format!("{tree}/{}", show_key(key)));
    let (&len, rest) = key.split_first().ok_or_else(bad)?;
    let hop = rest.get(..len as usize).ok_or_else(bad)?;
    let hop = String::from_utf8(hop.to_vec()).map_err(|_| bad())?;
    let (t, id) = split_time_id(rest.get(len as usize..).ok_or_else(bad)?).ok_or_else(bad)?;
    Ok((hop, t, id))
}

pub(super) fn check_unique_names(what: &str, names: &[String]) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{MessageId, Timestamp};

    #[test]
    fn keys_order_by_time() {
        let id = MessageId::new_v7(Timestamp::from_millis(5));
        let a = hop_time_id("gw", Timestamp::from_millis(1), id);
        let b = hop_time_id("gw", Timestamp::from_millis(256), id);
        assert!(a < b);
        assert!(a.starts_with(&name_prefix("gw")));
        assert!(!a.starts_with(&name_prefix("g")));
        let (t, i) = split_time_id(&b[3..]).unwrap();
        assert_eq!((t, i), (Timestamp::from_millis(256), id));
        assert_eq!(prefix_end(&[1, 255]), Some(vec![2]));
        assert_eq!(prefix_end(&[255]), None);
        assert!(check_name("hop", "").is_err());
        assert!(check_name("hop", &"x".repeat(256)).is_err());
    }
}
