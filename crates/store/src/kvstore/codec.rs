//! Record values: a format byte, then JSON.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::keys::show_key;
use crate::error::{Result, StoreError};

/// Version byte at the start of every JSON record value, and of the store as a whole.
pub(super) const FORMAT_VERSION: u8 = 1;

/// `[FORMAT_VERSION] ++ JSON`.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_VERSION];
    serde_json::to_writer(&mut out, value)
        .map_err(|e| StoreError::InvalidInput(format!("cannot encode record: {e}")))?;
    check_value_size("record", out.len())?;
    Ok(out)
}

/// Largest value stored in sled. sled 0.34 writes log items larger than a quarter of a segment
/// to separate files that it never fsyncs; with 8 MiB segments and leaf nodes of at most ~17
/// entries, values up to this size keep every node inside the (fsync'd) log.
pub(super) const MAX_VALUE: usize = 96 * 1024;

/// sled segment size used by the store (see [`MAX_VALUE`]).
pub(super) const SEGMENT_SIZE: usize = 8 * 1024 * 1024;

/// Refuse values that could push a sled node out of the log.
pub(super) fn check_value_size(what: &str, len: usize) -> Result<()> {
    if len > MAX_VALUE {
        return Err(StoreError::InvalidInput(format!(
            "{what} of {len} bytes is larger than the {MAX_VALUE} bytes the metadata store accepts"
        )));
    }
    Ok(())
}

/// Inverse of [`encode`]; anything else is [`StoreError::Corrupt`] naming the tree and key.
pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8], tree: &str, key: &[u8]) -> Result<T> {
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

pub(super) fn receipt_body(v: &[u8], header: usize, tree: &str, key: &[u8]) -> Result<Vec<u8>> {
    match v.first() {
        Some(&FORMAT_VERSION) if v.len() >= header => Ok(v[header..].to_vec()),
        _ => Err(StoreError::corrupt(
            "receipt record",
            format!("{tree}/{}", show_key(key)),
        )),
    }
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
}
