//! On-disk encodings: record values (format byte + JSON) and binary index keys.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, StoreError};
use crate::types::{MessageId, Timestamp};

/// Version byte at the start of every JSON record value, and of the store as a whole.
pub(crate) const FORMAT_VERSION: u8 = 1;

/// Longest hop, sender or agency name accepted in a key (length-prefixed by one byte).
pub(crate) const MAX_NAME: usize = 255;

/// `[FORMAT_VERSION] ++ JSON`.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_VERSION];
    serde_json::to_writer(&mut out, value)
        .map_err(|e| StoreError::InvalidInput(format!("cannot encode record: {e}")))?;
    check_value_size("record", out.len())?;
    Ok(out)
}

/// Largest value stored in sled. sled 0.34 writes log items larger than a quarter of a segment
/// to separate files that it never fsyncs; with 8 MiB segments and leaf nodes of at most ~17
/// entries, values up to this size keep every node inside the (fsync'd) log.
pub(crate) const MAX_VALUE: usize = 96 * 1024;

/// sled segment size used by the store (see [`MAX_VALUE`]).
pub(crate) const SEGMENT_SIZE: usize = 8 * 1024 * 1024;

/// Refuse values that could push a sled node out of the log.
pub(crate) fn check_value_size(what: &str, len: usize) -> Result<()> {
    if len > MAX_VALUE {
        return Err(StoreError::InvalidInput(format!(
            "{what} of {len} bytes is larger than the {MAX_VALUE} bytes the metadata store accepts"
        )));
    }
    Ok(())
}

/// Inverse of [`encode`]; anything else is [`StoreError::Corrupt`] naming the tree and key.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], tree: &str, key: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => serde_json::from_slice(body).map_err(|e| {
            StoreError::corrupt(format!("record ({e})"), format!("{tree}/{}", show_key(key)))
        }),
        Some((v, _)) => Err(StoreError::corrupt(
            format!("record (unknown format version {v})"),
            format!("{tree}/{}", show_key(key)),
        )),
        None => Err(StoreError::corrupt(
            "record (empty)",
            format!("{tree}/{}", show_key(key)),
        )),
    }
}

/// A key for error messages: printable ASCII as is, other bytes as `\xNN`.
pub(crate) fn show_key(key: &[u8]) -> String {
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
pub(crate) fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(StoreError::InvalidInput(format!(
            "{what} must be 1 to {MAX_NAME} bytes long, got {}",
            name.len()
        )));
    }
    Ok(())
}

/// `[len u8] ++ name` — a prefix that no other name's prefix can be confused with.
pub(crate) fn name_prefix(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + name.len() + 24);
    // check_name has bounded the length; clamp anyway so a bug cannot panic.
    k.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
    k.extend_from_slice(name.as_bytes());
    k
}

/// `[len] name ++ time (8, BE) ++ id (16)`: the key of the ready, leased and age indexes.
pub(crate) fn hop_time_id(hop: &str, t: Timestamp, id: MessageId) -> Vec<u8> {
    let mut k = name_prefix(hop);
    k.extend_from_slice(&t.as_millis().to_be_bytes());
    k.extend_from_slice(&id.to_bytes());
    k
}

/// Split the tail of a [`hop_time_id`] key (after the hop prefix).
pub(crate) fn split_time_id(tail: &[u8]) -> Option<(Timestamp, MessageId)> {
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
pub(crate) fn id_key(id: MessageId, suffix: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(16 + suffix.len());
    k.extend_from_slice(&id.to_bytes());
    k.extend_from_slice(suffix);
    k
}

/// Parse a 16-byte id at the start of `bytes`.
pub(crate) fn id_at(bytes: &[u8]) -> Option<MessageId> {
    let b: [u8; 16] = bytes.get(..16)?.try_into().ok()?;
    MessageId::from_bytes(b)
}

/// A big-endian u64 value.
pub(crate) fn u64_value(bytes: &[u8]) -> Option<u64> {
    let b: [u8; 8] = bytes.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

/// The smallest key greater than every key starting with `prefix` (None: no upper bound).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_roundtrip_and_corruption() {
        let v = encode(&vec![1u32, 2]).unwrap();
        assert_eq!(v[0], FORMAT_VERSION);
        assert_eq!(decode::<Vec<u32>>(&v, "t", b"k").unwrap(), vec![1, 2]);
        let mut bad = v.clone();
        bad[0] = 9;
        let e = decode::<Vec<u32>>(&bad, "t", b"k\x00").unwrap_err();
        assert_eq!(e.code(), "store.corrupt");
        assert!(e.to_string().contains("t/k\\x00"), "{e}");
        assert!(decode::<Vec<u32>>(&[], "t", b"k").is_err());
        assert!(decode::<Vec<u32>>(&[FORMAT_VERSION, b'{'], "t", b"k").is_err());
    }

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
