//! What a node knows of `lt_kv` between its batches, so that its operations compute under
//! the write lock from memory instead of asking the database once per value.
//!
//! Every statement that changes `lt_kv` moves its generation on with a new random stamp
//! (schema 3, a trigger: whoever writes). A batch reads the state (generation and stamp)
//! as soon as it holds the lock:
//! - if it is the state this node's last batch left, nobody else wrote since, and every
//!   value this node knew then is still true ([`Known::value`]);
//! - if other nodes' batches ran since, each recorded in `lt_changes` with the state it found
//!   and the one it left, and they chain from this node's state to the one found, only the
//!   keys they wrote are forgotten;
//! - otherwise (a change outside the batches, or a chain too long) everything known is
//!   forgotten, and the run of states begins again from the one found.
//!
//! An operation may also read before it takes the lock (a dry run of its logic, see
//! `KvStore::write_prepared`): each value and page is tagged with the state it was read in
//! ([`Seen`]). Under the lock such a value is still true when its state is one of the
//! node's unbroken run of states and no batch in the run wrote the key since
//! ([`Known::still_true`]); anything else is read again through the batch.
//!
//! A stamp is random, so a state is never mistaken for another one with the same
//! generation (a commit lost by a crashed server, then another node's).

use std::collections::{BTreeMap, HashMap};

use super::page::PageQuery;

/// A state of `lt_kv`: its generation and that generation's stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GenState {
    pub(crate) generation: i64,
    pub(crate) stamp: i64,
}

/// A key in a space.
type Slot = (u8, Vec<u8>);

/// Another node's batch, as `lt_changes` records it: the state it found, the one it left,
/// and the keys it wrote, each with its value in the state found now when it came along
/// (`Some(None)`: absent).
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) from: GenState,
    pub(crate) to: GenState,
    pub(crate) keys: Vec<ChangedKey>,
}

/// A key another node's batch wrote: space, key, and its value now if it came along.
pub(crate) type ChangedKey = (u8, Vec<u8>, Option<Option<Vec<u8>>>);

/// Entries of a page: (key, value).
pub(crate) type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// A page query's identity (space, from, inclusive, to, limit, values).
type PageKey = (u8, Vec<u8>, bool, Option<Vec<u8>>, usize, bool);

fn page_key(q: &PageQuery) -> PageKey {
    (
        q.space,
        q.from.clone(),
        q.inclusive,
        q.to.clone(),
        q.limit,
        q.values,
    )
}

/// Values kept at most, and their bytes at most (past either, they are forgotten; they are
/// read again when needed).
const MAX_VALUES: usize = 100_000;
const MAX_VALUE_BYTES: usize = 64 << 20;
/// Own writes and states remembered at most (past either, the run of states begins again at
/// the current one: what was read before it is read again).
const MAX_WRITTEN: usize = 100_000;
const MAX_STATES: usize = 10_000;

/// What one operation read without the lock, each value and page with the state it was
/// read in.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    values: HashMap<Slot, (GenState, Option<Vec<u8>>)>,
    pages: HashMap<PageKey, (GenState, Entries)>,
}

impl Seen {
    /// A value read before, and the state it was read in.
    pub(crate) fn value(&self, space: u8, key: &[u8]) -> Option<(GenState, Option<Vec<u8>>)> {
        self.values.get(&(space, key.to_vec())).cloned()
    }

    pub(crate) fn put_value(
        &mut self,
        space: u8,
        key: &[u8],
        at: GenState,
        value: Option<Vec<u8>>,
    ) {
        self.values.insert((space, key.to_vec()), (at, value));
    }

    /// A page read before with exactly this query, and the state it was read in.
    pub(crate) fn page(&self, q: &PageQuery) -> Option<(GenState, Entries)> {
        self.pages.get(&page_key(q)).cloned()
    }

    pub(crate) fn put_page(&mut self, q: &PageQuery, at: GenState, entries: Entries) {
        self.pages.insert(page_key(q), (at, entries));
    }
}

/// The bytes a known value is counted for: its key, its value and the map's own share.
fn entry_size(key_len: usize, value: &Option<Vec<u8>>) -> usize {
    key_len + value.as_ref().map_or(0, Vec::len) + 48
}

/// What this node knows of `lt_kv`. See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// The state `values` hold in (`None`: nothing known).
    at: Option<GenState>,
    /// The unbroken run of states: the one found when it began, then the one each batch
    /// left, this node's or another node's recorded in `lt_changes` (generation → stamp).
    states: BTreeMap<i64, i64>,
    /// Values as of `at` (`None`: absent).
    values: HashMap<Slot, Option<Vec<u8>>>,
    value_bytes: usize,
    /// Keys written during the run (by this node, or by the other nodes' batches in it): the
    /// generation the latest write left.
    written: BTreeMap<Slot, i64>,
}

impl Known {
    /// The generation this node knows, if any: other nodes' batches after it are what
    /// [`Known::begin`] needs.
    pub(crate) fn generation(&self) -> Option<i64> {
        self.at.map(|a| a.generation)
    }

    /// A batch holds the lock and found `found`, after other nodes' batches `changes` (in
    /// order, those after [`Known::generation`]): returns whether what was known still
    /// holds, but for the keys they changed (else it is all forgotten and a new run begins
    /// at `found`).
    pub(crate) fn begin(&mut self, found: GenState, changes: &[Change]) -> bool {
        if self.at == Some(found) {
            return true;
        }
        // The list may begin with this node's own last batches (it was asked for before
        // they were recorded): those are known already.
        let Some(known_at) = self.at else {
            self.restart(Some(found));
            return false;
        };
        let theirs = match changes
            .iter()
            .position(|c| c.to.generation > known_at.generation)
        {
            Some(i) => &changes[i..],
            None => &[],
        };
        let own_ok = changes
            .iter()
            .all(|c| c.to.generation != known_at.generation || c.to == known_at);
        let mut at = known_at;
        let mut chained = own_ok;
        for c in theirs {
            chained &= c.from == at;
            at = c.to;
        }
        if !(chained && at == found) {
            self.restart(Some(found));
            return false;
        }
        self.at = Some(found);
        for c in theirs {
            for (space, key, now) in &c.keys {
                let slot = (*space, key.clone());
                if let Some(old) = self.values.remove(&slot) {
                    self.value_bytes = self
                        .value_bytes
                        .saturating_sub(entry_size(slot.1.len(), &old));
                }
                self.written.insert(slot, c.to.generation);
                if let Some(v) = now {
                    self.learn(*space, key.clone(), v.clone());
                }
            }
            self.states.insert(c.to.generation, c.to.stamp);
        }
        self.bound_run();
        true
    }

    /// Past the bounds of own writes or states, a new run from the state known: what was
    /// read before it is read again.
    fn bound_run(&mut self) {
        if let Some(at) = self.at
            && (self.written.len() >= MAX_WRITTEN || self.states.len() >= MAX_STATES)
        {
            self.written.clear();
            self.states.clear();
            self.states.insert(at.generation, at.stamp);
        }
    }

    /// Forget everything (a batch whose outcome is unknown).
    pub(crate) fn forget(&mut self) {
        self.restart(None);
    }

    fn restart(&mut self, at: Option<GenState>) {
        self.at = at;
        self.states.clear();
        self.written.clear();
        self.values.clear();
        self.value_bytes = 0;
        if let Some(s) = at {
            self.states.insert(s.generation, s.stamp);
        }
    }

    /// The value of a key as of the batch's state, if known.
    pub(crate) fn value(&self, space: u8, key: &[u8]) -> Option<Option<Vec<u8>>> {
        self.value_at(space, key).map(|(_, v)| v)
    }

    /// The value of a key as of the state known, with that state, if known (for a dry run
    /// outside the lock: the state is checked again under it).
    pub(crate) fn value_at(&self, space: u8, key: &[u8]) -> Option<(GenState, Option<Vec<u8>>)> {
        let at = self.at?;
        Some((at, self.values.get(&(space, key.to_vec()))?.clone()))
    }

    /// A value read under the lock, in the batch's state.
    pub(crate) fn learn(&mut self, space: u8, key: Vec<u8>, value: Option<Vec<u8>>) {
        if self.at.is_none() {
            return;
        }
        let key_len = key.len();
        let size = entry_size(key_len, &value);
        if self.values.len() >= MAX_VALUES || self.value_bytes + size > MAX_VALUE_BYTES {
            self.values.clear();
            self.value_bytes = 0;
        }
        self.value_bytes += size;
        if let Some(old) = self.values.insert((space, key), value) {
            self.value_bytes = self.value_bytes.saturating_sub(entry_size(key_len, &old));
        }
    }

    /// Whether a value read in state `seen` is still the value now.
    pub(crate) fn still_true(&self, space: u8, key: &[u8], seen: GenState) -> bool {
        self.in_run(seen)
            && self
                .written
                .get(&(space, key.to_vec()))
                .is_none_or(|w| *w <= seen.generation)
    }

    /// Whether a page read in state `seen` is still the page now: no key in its range was
    /// written since.
    pub(crate) fn page_still_true(&self, q: &PageQuery, seen: GenState) -> bool {
        use std::ops::Bound;
        if !self.in_run(seen) {
            return false;
        }
        let from = (q.space, q.from.clone());
        let to = match &q.to {
            Some(to) => Bound::Excluded((q.space, to.clone())),
            None => match q.space.checked_add(1) {
                Some(next) => Bound::Excluded((next, Vec::new())),
                None => Bound::Unbounded,
            },
        };
        let from = if q.inclusive {
            Bound::Included(from)
        } else {
            Bound::Excluded(from)
        };
        !self
            .written
            .range((from, to))
            .any(|(_, w)| *w > seen.generation)
    }

    fn in_run(&self, seen: GenState) -> bool {
        self.at.is_some_and(|at| seen.generation <= at.generation)
            && self.states.get(&seen.generation) == Some(&seen.stamp)
    }

    /// The batch wrote `writes` (`None`: deleted) and the transaction is now in state
    /// `after`; called before its `COMMIT`, so that the next batch, which waits for the
    /// lock the commit releases, finds it recorded.
    pub(crate) fn wrote(
        &mut self,
        writes: impl IntoIterator<Item = (u8, Vec<u8>, Option<Vec<u8>>)>,
        after: GenState,
    ) {
        if self.at.is_none() {
            return;
        }
        self.bound_run();
        self.at = Some(after);
        self.states.insert(after.generation, after.stamp);
        for (space, key, value) in writes {
            self.written.insert((space, key.clone()), after.generation);
            self.learn(space, key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(generation: i64, stamp: i64) -> GenState {
        GenState { generation, stamp }
    }

    /// Another node's batch from `from` to `to` that wrote `key` (space 1).
    fn change(from: GenState, to: GenState, key: &[u8]) -> Change {
        Change {
            from,
            to,
            keys: vec![(1, key.to_vec(), None)],
        }
    }

    fn q(space: u8, from: &[u8], to: Option<&[u8]>) -> PageQuery {
        PageQuery {
            space,
            from: from.to_vec(),
            inclusive: true,
            to: to.map(<[u8]>::to_vec),
            limit: 16,
            values: true,
        }
    }

    #[test]
    fn values_hold_across_own_batches_and_go_when_another_node_writes() {
        let mut k = Known::default();
        assert!(!k.begin(st(5, 50), &[]), "nothing known at first");
        k.learn(1, b"a".to_vec(), Some(b"1".to_vec()));
        k.wrote([(1, b"b".to_vec(), Some(b"2".to_vec()))], st(7, 70));
        assert!(k.begin(st(7, 70), &[]), "our own state: still known");
        assert_eq!(k.value(1, b"a"), Some(Some(b"1".to_vec())));
        assert_eq!(k.value(1, b"b"), Some(Some(b"2".to_vec())));
        assert_eq!(k.value(1, b"c"), None);
        // Another node committed: same generation would not do either (the stamp differs).
        assert!(!k.begin(st(7, 71), &[]));
        assert_eq!(k.value(1, b"a"), None);
        assert!(!k.begin(st(9, 90), &[]));
        assert_eq!(k.value(1, b"b"), None);
    }

    #[test]
    fn a_value_seen_before_the_lock_holds_until_this_node_writes_its_key() {
        let mut k = Known::default();
        k.begin(st(5, 50), &[]);
        let seen = st(5, 50);
        k.wrote([(1, b"x".to_vec(), Some(b"1".to_vec()))], st(6, 60));
        assert!(k.begin(st(6, 60), &[]));
        assert!(k.still_true(1, b"y", seen), "not written since");
        assert!(!k.still_true(1, b"x", seen), "written since it was seen");
        assert!(k.still_true(1, b"x", st(6, 60)), "seen after the write");
        assert!(!k.still_true(1, b"y", st(6, 61)), "a state not in the run");
        assert!(!k.still_true(1, b"y", st(4, 40)), "a state before the run");
        // Another node wrote: nothing seen before holds.
        assert!(!k.begin(st(8, 80), &[]));
        assert!(!k.still_true(1, b"y", seen));
        assert!(k.still_true(1, b"y", st(8, 80)));
    }

    #[test]
    fn another_nodes_batches_in_a_chain_drop_only_their_keys() {
        let mut k = Known::default();
        k.begin(st(1, 10), &[]);
        k.learn(1, b"a".to_vec(), Some(b"1".to_vec()));
        k.learn(1, b"b".to_vec(), Some(b"2".to_vec()));
        let seen = st(1, 10);
        let changes = [
            change(st(1, 10), st(3, 30), b"a"),
            change(st(3, 30), st(4, 40), b"c"),
        ];
        assert!(k.begin(st(4, 40), &changes), "kept, but for their keys");
        assert_eq!(k.value(1, b"a"), None, "changed by the other node");
        assert_eq!(k.value(1, b"b"), Some(Some(b"2".to_vec())));
        assert!(!k.still_true(1, b"a", seen));
        assert!(!k.still_true(1, b"c", seen));
        assert!(k.still_true(1, b"b", seen));
        assert!(k.still_true(1, b"a", st(3, 30)), "seen after their change");
        assert!(k.still_true(1, b"b", st(4, 40)));
        // Their small values come along: known as of the state found.
        let with_value = Change {
            from: st(4, 40),
            to: st(5, 50),
            keys: vec![
                (1, b"n".to_vec(), Some(Some(b"7".to_vec()))),
                (1, b"gone".to_vec(), Some(None)),
            ],
        };
        assert!(k.begin(st(5, 50), &[with_value]));
        assert_eq!(k.value(1, b"n"), Some(Some(b"7".to_vec())));
        assert_eq!(k.value(1, b"gone"), Some(None));
        assert!(
            !k.still_true(1, b"n", st(4, 40)),
            "seen before their change"
        );
        let changes = [
            change(st(5, 50), st(6, 60), b"a"),
            change(st(6, 60), st(7, 70), b"c"),
        ];
        assert!(k.begin(st(7, 70), &changes));

        // A gap in the chain (a change outside the batches): everything goes.
        let gap = [change(st(8, 80), st(9, 90), b"c")];
        assert!(!k.begin(st(9, 90), &gap));
        assert_eq!(k.value(1, b"b"), None);
        assert!(!k.still_true(1, b"b", st(4, 40)));
        // A chain that does not end at the state found, or starts elsewhere: the same.
        k.learn(1, b"b".to_vec(), None);
        assert!(!k.begin(st(11, 110), &[change(st(9, 90), st(10, 100), b"c")]));
        assert_eq!(k.value(1, b"b"), None);
        k.learn(1, b"b".to_vec(), None);
        assert!(!k.begin(st(12, 120), &[change(st(11, 111), st(12, 120), b"c")]));
        assert_eq!(k.value(1, b"b"), None);
    }

    #[test]
    fn the_nodes_own_batches_at_the_head_of_the_changes_are_skipped() {
        let mut k = Known::default();
        k.begin(st(1, 10), &[]);
        k.wrote([(1, b"mine".to_vec(), Some(b"1".to_vec()))], st(2, 20));
        let changes = [
            change(st(1, 10), st(2, 20), b"mine"),
            change(st(2, 20), st(3, 30), b"theirs"),
        ];
        assert!(k.begin(st(3, 30), &changes));
        assert_eq!(k.value(1, b"mine"), Some(Some(b"1".to_vec())));
        assert!(!k.still_true(1, b"theirs", st(2, 20)));
        // A row claiming this node's generation with another stamp is not its own.
        let mut k2 = Known::default();
        k2.begin(st(1, 10), &[]);
        k2.wrote([(1, b"mine".to_vec(), None)], st(2, 20));
        let forged = [
            change(st(1, 10), st(2, 21), b"x"),
            change(st(2, 20), st(3, 30), b"y"),
        ];
        assert!(!k2.begin(st(3, 30), &forged));
    }

    #[test]
    fn a_page_holds_unless_a_key_in_its_range_was_written() {
        let mut k = Known::default();
        k.begin(st(1, 10), &[]);
        let seen = st(1, 10);
        k.wrote([(2, b"m5".to_vec(), None)], st(2, 20));
        assert!(k.page_still_true(&q(2, b"a", Some(b"m")), seen));
        assert!(!k.page_still_true(&q(2, b"m", Some(b"n")), seen));
        assert!(
            !k.page_still_true(&q(2, b"m", None), seen),
            "to the end of the space"
        );
        assert!(k.page_still_true(&q(3, b"", None), seen), "another space");
        assert!(
            k.page_still_true(&q(1, b"", None), seen),
            "the space before"
        );
        let mut after = q(2, b"m5", None);
        after.inclusive = false;
        assert!(
            k.page_still_true(&after, seen),
            "starts after the key written"
        );
    }

    #[test]
    fn forgetting_and_bounds_never_leave_a_stale_value() {
        let mut k = Known::default();
        k.begin(st(1, 10), &[]);
        k.learn(1, b"a".to_vec(), None);
        k.forget();
        assert_eq!(k.value(1, b"a"), None);
        assert!(!k.still_true(1, b"a", st(1, 10)));
        k.learn(1, b"a".to_vec(), None);
        assert_eq!(k.value(1, b"a"), None, "nothing is learnt outside a batch");
        // Past the bound of own writes, the run begins again at the current state.
        k.begin(st(1, 10), &[]);
        let seen = st(1, 10);
        let many = (0..MAX_WRITTEN as u32 + 1).map(|i| (1, i.to_be_bytes().to_vec(), None));
        k.wrote(many, st(2, 20));
        k.wrote([(1, b"z".to_vec(), None)], st(3, 30));
        assert!(!k.still_true(1, b"q", seen), "before the new run");
        assert!(k.still_true(1, b"q", st(2, 20)));
        assert!(!k.still_true(1, b"z", st(2, 20)), "written in the new run");
    }
}
