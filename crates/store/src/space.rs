//! Key spaces: the store's logical trees as prefixes of one sled tree.
//!
//! Every logical tree (`messages`, `queue`, …) is the set of keys of the sled tree `store` that
//! begin with the tree's tag byte. One sled tree lets a group commit apply a whole batch with
//! `Tree::apply_batch`, which sled recovers atomically after a crash, instead of a transaction
//! across seventeen trees (sled's transactional insert reads every key before writing it, and
//! that read was a third of the commit leader's time). On PostgreSQL a logical tree is the
//! rows of `lt_kv` with its tag as `space`, read in pages (`pg::kv::Pages`).

use sled::{IVec, Tree};

use crate::error::Result;
use crate::pg::Engine;
use crate::pg::kv::Pages;

/// One logical tree: a tag in sled's shared tree, or a `space` of PostgreSQL's `lt_kv`.
#[derive(Debug, Clone)]
pub(crate) enum Space {
    /// In the sled tree `store`, keys prefixed with the tag byte.
    Sled {
        /// The shared tree.
        tree: Tree,
        /// The tag byte.
        tag: u8,
    },
    /// Rows of `lt_kv` with `space = tag`.
    Pg {
        /// The database.
        engine: Engine,
        /// The space.
        tag: u8,
    },
}

/// Iterator over a space's entries, keys without the tag byte, in key order.
pub(crate) enum SpaceIter {
    Sled(sled::Iter),
    /// Read in pages from the pool's connections.
    Pg(Pages<'static>),
}

impl Iterator for SpaceIter {
    type Item = Result<(IVec, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            SpaceIter::Sled(it) => it
                .next()
                .map(|r| r.map(|(k, v)| (strip(&k), v)).map_err(Into::into)),
            SpaceIter::Pg(pages) => pages
                .next()
                .map(|r| r.map(|(k, v)| (IVec::from(k), IVec::from(v)))),
        }
    }
}

impl SpaceIter {
    /// The keys only.
    pub(crate) fn keys(mut self) -> impl Iterator<Item = Result<IVec>> {
        if let SpaceIter::Pg(pages) = &mut self {
            pages.query.values = false;
        }
        self.map(|r| r.map(|(k, _)| k))
    }
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
        Space::Sled { tree, tag }
    }

    /// The space `tag` of a PostgreSQL store.
    pub(crate) fn pg(engine: Engine, tag: u8) -> Space {
        Space::Pg { engine, tag }
    }

    /// The sled tree all spaces share (sled only).
    pub(crate) fn tree(&self) -> Option<&Tree> {
        match self {
            Space::Sled { tree, .. } => Some(tree),
            Space::Pg { .. } => None,
        }
    }

    fn tag(&self) -> u8 {
        match self {
            Space::Sled { tag, .. } | Space::Pg { tag, .. } => *tag,
        }
    }

    /// The full sled key of `key` in this space.
    pub(crate) fn key(&self, key: &[u8]) -> Vec<u8> {
        let mut k = Vec::with_capacity(1 + key.len());
        k.push(self.tag());
        k.extend_from_slice(key);
        k
    }

    pub(crate) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<IVec>> {
        match self {
            Space::Sled { tree, .. } => Ok(tree.get(self.key(key.as_ref()))?),
            Space::Pg { engine, tag } => Ok(engine.get(*tag, key.as_ref())?.map(IVec::from)),
        }
    }

    pub(crate) fn contains_key(&self, key: impl AsRef<[u8]>) -> Result<bool> {
        match self {
            Space::Sled { tree, .. } => Ok(tree.contains_key(self.key(key.as_ref()))?),
            Space::Pg { .. } => Ok(self.get(key)?.is_some()),
        }
    }

    /// Write one key directly (outside the group commit: only for the format marker; sled
    /// only, a PostgreSQL store writes it in a batch).
    pub(crate) fn insert(&self, key: &[u8], value: &[u8]) -> Result<()> {
        match self {
            Space::Sled { tree, .. } => Ok(tree.insert(self.key(key), value).map(|_| ())?),
            Space::Pg { .. } => Err(crate::error::StoreError::InvalidInput(
                "direct insert into a PostgreSQL key space".into(),
            )),
        }
    }

    fn pg_iter(engine: &Engine, tag: u8, from: &[u8], to: Option<&[u8]>) -> SpaceIter {
        let engine = engine.clone();
        SpaceIter::Pg(Pages::new(
            tag,
            from,
            to,
            true,
            Box::new(move |q| engine.page(q)),
        ))
    }

    /// Every entry, in key order.
    pub(crate) fn iter(&self) -> SpaceIter {
        match self {
            Space::Sled { tree, tag } => SpaceIter::Sled(tree.scan_prefix([*tag])),
            Space::Pg { engine, tag } => Self::pg_iter(engine, *tag, &[], None),
        }
    }

    /// Entries whose key starts with `prefix`.
    pub(crate) fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> SpaceIter {
        match self {
            Space::Sled { tree, .. } => {
                SpaceIter::Sled(tree.scan_prefix(self.key(prefix.as_ref())))
            }
            Space::Pg { engine, tag } => {
                let p = prefix.as_ref();
                Self::pg_iter(engine, *tag, p, prefix_end(p).as_deref())
            }
        }
    }

    /// Entries with keys in `start..end` (`None`: to the end of the space).
    pub(crate) fn range(&self, start: &[u8], end: Option<&[u8]>) -> SpaceIter {
        match self {
            Space::Sled { tree, tag } => {
                let from = self.key(start);
                SpaceIter::Sled(match end {
                    Some(e) => tree.range(from..self.key(e)),
                    None => match tag.checked_add(1) {
                        Some(next) => tree.range(from..vec![next]),
                        None => tree.range(from..),
                    },
                })
            }
            Space::Pg { engine, tag } => Self::pg_iter(engine, *tag, start, end),
        }
    }

    /// Number of entries (a scan on sled, a count on PostgreSQL).
    pub(crate) fn len(&self) -> Result<usize> {
        match self {
            Space::Sled { .. } => {
                let mut n = 0;
                for item in self.iter() {
                    item?;
                    n += 1;
                }
                Ok(n)
            }
            Space::Pg { engine, tag } => {
                Ok(usize::try_from(engine.count(*tag)?).unwrap_or(usize::MAX))
            }
        }
    }

    pub(crate) fn is_empty(&self) -> Result<bool> {
        match self.iter().next() {
            None => Ok(true),
            Some(r) => r.map(|_| false),
        }
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
        assert_eq!((a.len().unwrap(), b.len().unwrap()), (4, 4));
        assert!(!a.is_empty().unwrap() && Space::new(tree, 3).is_empty().unwrap());
    }
}
