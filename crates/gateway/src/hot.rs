//! Payloads just accepted, kept in memory for their forwarders: a document accepted here and
//! queued for a next hop is usually sent within milliseconds, and its forwarder then takes
//! the bytes from here instead of reading them back from the store (a blocking-pool task, a
//! read and a SHA-256 check per hop). Bounded by bytes, oldest out first; a message not
//! here is read from the store as before. The bytes are the ones the store was given, so
//! delivery stays byte-identical.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;
use lienthong_store::MessageId;

/// What a forwarder needs of a message besides its lease.
#[derive(Debug, Clone)]
pub struct Hot {
    /// The exact bytes accepted.
    pub body: Bytes,
    /// The gateways it passed before this one (empty for a local submission).
    pub hops: Vec<String>,
    /// Its envelope signature is not valid and was accepted under a `record` policy.
    pub recorded: bool,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<MessageId, Hot>,
    order: VecDeque<MessageId>,
    bytes: usize,
}

/// The cache.
#[derive(Debug)]
pub struct HotPayloads {
    inner: Mutex<Inner>,
    max_bytes: usize,
}

impl HotPayloads {
    /// Holding at most `max_bytes` of bodies (0: off).
    pub fn new(max_bytes: usize) -> HotPayloads {
        HotPayloads {
            inner: Mutex::new(Inner::default()),
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keep `body` of message `id` (after the store accepted it). Bodies larger than a
    /// quarter of the cache are not kept.
    pub fn put(&self, id: MessageId, body: Bytes, hops: Vec<String>, recorded: bool) {
        if body.len() > self.max_bytes / 4 {
            return;
        }
        let mut g = self.lock();
        if g.map.contains_key(&id) {
            return;
        }
        g.bytes += body.len();
        g.map.insert(
            id,
            Hot {
                body,
                hops,
                recorded,
            },
        );
        g.order.push_back(id);
        while g.bytes > self.max_bytes {
            let Some(old) = g.order.pop_front() else {
                break;
            };
            if let Some(h) = g.map.remove(&old) {
                g.bytes -= h.body.len();
            }
        }
    }

    /// The message's bytes and hops, if still here.
    pub fn get(&self, id: MessageId) -> Option<Hot> {
        self.lock().map.get(&id).cloned()
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_store::Timestamp;

    fn id(n: u64) -> MessageId {
        MessageId::new_v7(Timestamp::from_millis(1_700_000_000_000 + n))
    }

    #[test]
    fn keeps_the_newest_within_its_bytes() {
        let c = HotPayloads::new(100);
        let ids: Vec<MessageId> = (0..5).map(id).collect();
        for (n, i) in ids.iter().enumerate() {
            c.put(
                *i,
                Bytes::from(vec![n as u8; 20]),
                vec![format!("gw-{n}")],
                false,
            );
        }
        assert_eq!(c.bytes(), 100);
        assert_eq!(c.get(ids[0]).unwrap().body, Bytes::from(vec![0u8; 20]));
        // One more pushes the oldest out.
        c.put(id(9), Bytes::from(vec![9u8; 20]), vec![], false);
        assert!(c.get(ids[0]).is_none());
        assert_eq!(c.get(ids[1]).unwrap().hops, ["gw-1"]);
        assert_eq!(c.bytes(), 100);
        // The same id again changes nothing; a body over a quarter is not kept.
        c.put(ids[1], Bytes::from(vec![7u8; 20]), vec![], false);
        assert_eq!(c.get(ids[1]).unwrap().body, Bytes::from(vec![1u8; 20]));
        c.put(id(10), Bytes::from(vec![1u8; 26]), vec![], false);
        assert!(c.get(id(10)).is_none());
        // Off.
        let off = HotPayloads::new(0);
        off.put(id(1), Bytes::from_static(b"x"), vec![], false);
        assert!(off.get(id(1)).is_none());
    }
}
