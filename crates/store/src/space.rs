//! Key spaces: the store's logical trees as prefixes of one sled tree.
//!
//! Every logical tree (`messages`, `queue`, …) is the set of keys of the sled tree `store` that
//! begin with the tree's tag byte. One sled tree lets a group commit apply a whole batch with
//! `Tree::apply_batch`, which sled recovers atomically after a crash, instead of a transaction
//! across seventeen trees (sled's transactional insert reads every key before writing it, and
//! that read was a third of the commit leader's time).

use sled::{IVec, Tree};

/// One logical tree.
#[derive(Debug, Clone)]
pub(crate) struct Space {
    tree: Tree,
    tag: u8,
}

/// Iterator over a space's entries, keys without the tag byte.
pub(crate) struct SpaceIter(sled::Iter);

impl Iterator for SpaceIter {
    type Item = sled::Result<(IVec, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| r.map(|(k, v)| (strip(&k), v)))
    }
}

impl SpaceIter {
    /// The keys only.
    pub(crate) fn keys(self) -> impl Iterator<Item = sled::Result<IVec>> {
        self.map(|r| r.map(|(k, _)| k))
    }
}

/// A key without its tag byte (every stored key has one).
fn strip(k: &IVec) -> IVec {
    match k.len() {
        0 => IVec::default(),
        n => k.subslice(1, n - 1),
    }
}

impl Space {
    /// The space with tag `tag` in `tree`.
    pub(crate) fn new(tree: Tree, tag: u8) -> Space {
        Space { tree, tag }
    }

    /// The sled tree all spaces share.
    pub(crate) fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The full sled key of `key` in this space.
    pub(crate) fn key(&self, key: &[u8]) -> Vec<u8> {
        let mut k = Vec::with_capacity(1 + key.len());
        k.push(self.tag);
        k.extend_from_slice(key);
        k
    }

    pub(crate) fn get(&self, key: impl AsRef<[u8]>) -> sled::Result<Option<IVec>> {
        self.tree.get(self.key(key.as_ref()))
    }

    pub(crate) fn contains_key(&self, key: impl AsRef<[u8]>) -> sled::Result<bool> {
        self.tree.contains_key(self.key(key.as_ref()))
    }

    /// Write one key directly (outside the group commit: only for the format marker).
    pub(crate) fn insert(&self, key: &[u8], value: &[u8]) -> sled::Result<()> {
        self.tree.insert(self.key(key), value).map(|_| ())
    }

    /// Every entry, in key order.
    pub(crate) fn iter(&self) -> SpaceIter {
        SpaceIter(self.tree.scan_prefix([self.tag]))
    }

    /// Entries whose key starts with `prefix`.
    pub(crate) fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> SpaceIter {
        SpaceIter(self.tree.scan_prefix(self.key(prefix.as_ref())))
    }

    /// Entries with keys in `start..end` (`None`: to the end of the space).
    pub(crate) fn range(&self, start: &[u8], end: Option<&[u8]>) -> SpaceIter {
        let from = self.key(start);
        SpaceIter(match end {
            Some(e) => self.tree.range(from..self.key(e)),
            None => match self.tag.checked_add(1) {
                Some(next) => self.tree.range(from..vec![next]),
                None => self.tree.range(from..),
            },
        })
    }

    /// Number of entries (a scan).
    pub(crate) fn len(&self) -> usize {
        self.iter().count()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_do_not_see_each_other() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("store").unwrap();
        let (a, b, last) = (
            Space::new(tree.clone(), 1),
            Space::new(tree.clone(), 2),
            Space::new(tree.clone(), 255),
        );
        for k in [&b"x"[..], b"y1", b"y2", b"z"] {
            a.insert(k, b"a").unwrap();
            b.insert(k, b"b").unwrap();
            last.insert(k, b"l").unwrap();
        }
        assert_eq!(a.get(b"y1").unwrap().unwrap(), b"a");
        assert!(b.contains_key(b"z").unwrap() && !b.contains_key(b"w").unwrap());
        let keys =
            |it: SpaceIter| -> Vec<Vec<u8>> { it.keys().map(|k| k.unwrap().to_vec()).collect() };
        assert_eq!(keys(a.iter()), [&b"x"[..], b"y1", b"y2", b"z"]);
        assert_eq!(keys(b.scan_prefix(b"y")), [&b"y1"[..], b"y2"]);
        assert_eq!(keys(a.range(b"y1", None)), [&b"y1"[..], b"y2", b"z"]);
        assert_eq!(keys(a.range(b"x", Some(b"y2"))), [&b"x"[..], b"y1"]);
        assert_eq!(keys(last.range(b"y", None)), [&b"y1"[..], b"y2", b"z"]);
        assert_eq!((a.len(), b.len()), (4, 4));
        assert!(!a.is_empty() && Space::new(tree, 3).is_empty());
    }
}
