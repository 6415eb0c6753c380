//! The compliance record: per document its facts (`facts`), per agency and day and per
//! agency and month the counts they imply (`agg_day`, `agg_month`), and the open obligations
//! (`notice_open`: a receipt notice owed; `due_open`: a completion owed by a due date). All
//! are written in the same commit as the accept, delivery or status package that changes
//! them; [`set_facts`] is the one place that derives counts and index keys from facts, and
//! the check recomputes both from the facts records.

use std::collections::BTreeMap;

use lienthong_compliance::{Counts, Day, DocFacts};

use crate::api::Reports;
use crate::error::{Result, StoreError};
use crate::types::{
    AcceptRequest, BusinessType, MessageId, MessageKind, Origin, Overdue, OverdueItem, Timestamp,
};

use super::codec::*;
use super::keys::*;
use super::records::InboxRecord;
use super::{KvStore, Tx};

/// The most entries of an overdue list read to count them (the list itself is limited by the caller).
const MAX_OVERDUE_SCAN: usize = 1_000_000;

/// The index entries the facts of message `id` imply: `(tree, key, value)`. A `due_open`
/// value is the day the document was delivered to that recipient, so that a report's
/// overdue column reads no facts.
pub(super) fn facts_index_keys(id: MessageId, f: &DocFacts) -> Vec<(T, Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(T, Vec<u8>, Vec<u8>)> = f
        .open_notices()
        .into_iter()
        .map(|(a, by)| (T::NoticeOpen, notice_key(a, by, id), Vec::new()))
        .collect();
    for (a, due) in f.open_dues() {
        let delivered = f
            .recipients
            .get(a)
            .map_or(Day(0), |r| Day::of(r.delivered_at));
        out.push((
            T::DueOpen,
            due_key(a, due.0, id),
            ordered_i32(delivered.0).to_vec(),
        ));
    }
    out
}

/// The counts the facts imply, keyed as in `agg_day` and `agg_month`.
pub(super) fn facts_counts(sender: &str, f: &DocFacts) -> Vec<(T, Vec<u8>, Counts)> {
    let mut out = Vec::new();
    for (agency, day, c) in f.contributions(sender) {
        out.push((T::AggDay, agg_key(day.0, &agency), c));
        out.push((T::AggMonth, agg_key(day.month().index(), &agency), c));
    }
    out
}

/// The due-date histograms the facts imply: one `(tree, key, due day)` per completion owed,
/// under the day and the month the document was delivered to that recipient.
pub(super) fn facts_dues(f: &DocFacts) -> Vec<(T, Vec<u8>, i32)> {
    let mut out = Vec::new();
    for (a, due) in f.open_dues() {
        let delivered = f
            .recipients
            .get(a)
            .map_or(Day(0), |r| Day::of(r.delivered_at));
        out.push((T::DueDay, agg_key(delivered.0, a), due.0));
        out.push((T::DueMonth, agg_key(delivered.month().index(), a), due.0));
    }
    out
}

/// First byte of an encoded due-date histogram.
const HIST_VERSION: u8 = 1;

/// A due-date histogram (`due_day`, `due_month` values): completions owed, by due day.
/// Encoded `[1] ++ n × (due day as in keys (4) ++ count u64 BE)`, by due day.
fn hist_to_bytes(h: &BTreeMap<i32, u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 12 * h.len());
    out.push(HIST_VERSION);
    for (due, n) in h {
        out.extend_from_slice(&ordered_i32(*due));
        out.extend_from_slice(&n.to_be_bytes());
    }
    out
}

fn hist_from_bytes(b: &[u8]) -> Option<BTreeMap<i32, u64>> {
    let (&v, rest) = b.split_first()?;
    if v != HIST_VERSION || rest.len() % 12 != 0 {
        return None;
    }
    rest.chunks_exact(12)
        .map(|c| Some((read_ordered_i32(&c[..4])?, u64_value(&c[4..])?)))
        .collect()
}

impl Tx<'_> {
    /// The facts of message `id`: the document's record (`facts`) with its recipients'
    /// receipts, each kept under its own key (`facts_receipts`: id ++ agency), so that a
    /// document delivered to a thousand agencies here never makes one oversized value.
    pub(super) fn load_facts(&self, id: MessageId) -> Result<Option<DocFacts>> {
        if let Some(f) = self.facts.get(&id) {
            return Ok(Some(f.clone()));
        }
        let key = id.to_bytes();
        let Some(v) = self.get(T::Facts, &key)? else {
            return Ok(None);
        };
        let mut f: DocFacts = decode(&v, "facts", &key)?;
        self.prefetch(T::FactsReceipts, &key)?;
        for k in self.keys_with_prefix(T::FactsReceipts, &key, usize::MAX)? {
            let bad = || StoreError::corrupt("facts_receipts key", show_key(&k));
            let (&len, name) = k.get(16..).and_then(<[u8]>::split_first).ok_or_else(bad)?;
            if name.len() != usize::from(len) {
                return Err(bad());
            }
            let agency = String::from_utf8(name.to_vec()).map_err(|_| bad())?;
            let rv = self.get(T::FactsReceipts, &k)?.ok_or_else(bad)?;
            f.recipients
                .insert(agency, decode(&rv, "facts_receipts", &k)?);
        }
        Ok(Some(f))
    }

    /// Write `new`'s record and its receipts that differ from `old`'s.
    fn save_facts(&mut self, id: MessageId, old: Option<&DocFacts>, new: &DocFacts) -> Result<()> {
        let doc = DocFacts {
            recipients: BTreeMap::new(),
            ..new.clone()
        };
        self.put(T::Facts, id.to_bytes().to_vec(), encode(&doc)?);
        let none = BTreeMap::new();
        let before = old.map_or(&none, |o| &o.recipients);
        for (agency, r) in &new.recipients {
            if before.get(agency) != Some(r) {
                self.put(
                    T::FactsReceipts,
                    id_key(id, &name_prefix(agency)),
                    encode(r)?,
                );
            }
        }
        for agency in before.keys().filter(|a| !new.recipients.contains_key(*a)) {
            self.del(T::FactsReceipts, id_key(id, &name_prefix(agency)));
        }
        self.facts.insert(id, new.clone());
        Ok(())
    }

    /// Replace the facts of message `id` (sent by `sender`) `old` by `new`: the record, the
    /// counts (by the difference of what each implies) and the open-obligation indexes.
    pub(super) fn set_facts(
        &mut self,
        id: MessageId,
        sender: &str,
        old: Option<&DocFacts>,
        new: &DocFacts,
    ) -> Result<()> {
        let mut delta: BTreeMap<(T, Vec<u8>), (Counts, Counts)> = BTreeMap::new();
        if let Some(o) = old {
            for (t, k, c) in facts_counts(sender, o) {
                delta.entry((t, k)).or_default().0.add(&c);
            }
            for (t, k, _) in facts_index_keys(id, o) {
                self.del(t, k);
            }
        }
        for (t, k, c) in facts_counts(sender, new) {
            delta.entry((t, k)).or_default().1.add(&c);
        }
        for ((t, k), (before, after)) in delta {
            if before == after {
                continue;
            }
            let mut cur = match self.get(t, &k)? {
                Some(v) => Counts::from_bytes(&v).ok_or_else(|| {
                    StoreError::corrupt(
                        "counts",
                        format!("{}/{}", TREE_NAMES[t as usize], show_key(&k)),
                    )
                })?,
                None => Counts::default(),
            };
            cur.apply(&after.diff(&before));
            if cur.is_zero() {
                self.del(t, k);
            } else {
                self.put(t, k, cur.to_bytes());
            }
        }
        for (t, k, v) in facts_index_keys(id, new) {
            self.put(t, k, v);
        }
        // The due-date histograms, by difference too.
        let mut hist: BTreeMap<(T, Vec<u8>), BTreeMap<i32, i64>> = BTreeMap::new();
        for (sign, f) in [(-1i64, old), (1, Some(new))] {
            for (t, k, due) in f.map(facts_dues).unwrap_or_default() {
                *hist.entry((t, k)).or_default().entry(due).or_default() += sign;
            }
        }
        for ((t, k), deltas) in hist {
            if deltas.values().all(|d| *d == 0) {
                continue;
            }
            let mut cur = match self.get(t, &k)? {
                Some(v) => hist_from_bytes(&v).ok_or_else(|| {
                    StoreError::corrupt(
                        "due histogram",
                        format!("{}/{}", TREE_NAMES[t as usize], show_key(&k)),
                    )
                })?,
                None => BTreeMap::new(),
            };
            for (due, d) in deltas {
                let n = cur.entry(due).or_default();
                *n = n.saturating_add_signed(d);
                if *n == 0 {
                    cur.remove(&due);
                }
            }
            if cur.is_empty() {
                self.del(t, k);
            } else {
                self.put(t, k, hist_to_bytes(&cur));
            }
        }
        self.save_facts(id, old, new)
    }
}

/// A new document's facts as first stored: `req.facts`, with the day it was sent when its
/// agency sent it here (a new document, not an update, replacement or revocation).
pub(super) fn initial_facts(req: &AcceptRequest, now: Timestamp) -> Option<DocFacts> {
    if req.kind != MessageKind::Edoc {
        return None;
    }
    let mut f = req.facts.clone()?;
    f.recipients.clear();
    f.recalled = false;
    f.sent = match (&req.origin, req.business) {
        (Origin::Local, None | Some(BusinessType::New)) => Some(Day::of(now)),
        _ => None,
    };
    Some(f)
}

/// A status package accepted here changes the facts of the document it answers: a
/// recipient's 01/02/06/15 (found under the document's sender, the package's recipient), or
/// the sender's 13 (found under the package's own sender).
pub(super) fn on_status(tx: &mut Tx<'_>, req: &AcceptRequest, now: Timestamp) -> Result<()> {
    let (Some(note), Some(doc)) = (&req.status, req.document_id.as_deref()) else {
        return Ok(());
    };
    let recall = note.code == "13";
    let senders: Vec<&str> = if recall {
        vec![req.sender.as_str()]
    } else {
        req.recipients.iter().map(String::as_str).collect()
    };
    for doc_sender in senders {
        let Some(v) = tx.get(T::DocIds, &doc_key(doc_sender, doc))? else {
            continue;
        };
        let Some(id) = id_at(&v) else { continue };
        let Some(old) = tx.load_facts(id)? else {
            continue;
        };
        let mut new = old.clone();
        let changed = if recall {
            new.on_recall(&req.recipients, matches!(req.origin, Origin::Local))
        } else {
            new.on_status_from_recipient(&req.sender, &note.code, now)
        };
        if changed {
            tx.set_facts(id, doc_sender, Some(&old), &new)?;
        }
    }
    Ok(())
}

/// Delivering document `id` into `agency`'s inbox starts its receipt obligations.
pub(super) fn on_delivered(
    tx: &mut Tx<'_>,
    id: MessageId,
    sender: &str,
    agency: &str,
    now: Timestamp,
    rules: &lienthong_compliance::Rules,
) -> Result<()> {
    if let Some(old) = tx.load_facts(id)? {
        let mut new = old.clone();
        new.on_delivered(agency, now, rules);
        tx.set_facts(id, sender, Some(&old), &new)?;
    }
    Ok(())
}

impl KvStore {
    fn overdue_items(
        &self,
        tree: T,
        agency: Option<&str>,
        past: impl Fn(&[u8]) -> Option<(String, MessageId, Timestamp, Option<Day>)>,
        limit: usize,
    ) -> Result<(Vec<OverdueItem>, u64)> {
        let iter = match agency {
            Some(a) => self.tree(tree).scan_prefix(name_prefix(a)),
            None => self.tree(tree).iter(),
        };
        let (mut items, mut total) = (Vec::new(), 0u64);
        let tx = Tx::reader(&self.trees);
        for (n, item) in iter.keys().enumerate() {
            if n >= MAX_OVERDUE_SCAN {
                break;
            }
            let k = item?;
            let Some((who, id, deadline, due)) = past(&k) else {
                continue;
            };
            total += 1;
            if items.len() >= limit {
                continue;
            }
            let rec = tx.load_message(id)?;
            let facts = tx.load_facts(id)?.unwrap_or_default();
            let delivered_at = facts
                .recipients
                .get(&who)
                .map_or(rec.accepted_at, |r| r.delivered_at);
            items.push(OverdueItem {
                id,
                agency: who,
                sender: rec.sender,
                document_id: rec.document_id,
                number: facts.number,
                subject: facts.subject,
                priority: facts.priority,
                delivered_at,
                deadline,
                due,
            });
        }
        Ok((items, total))
    }
}

/// The days `from..=to` as ranges of the monthly and daily spaces: whole months from the
/// monthly one, the days at either end from the daily one. `(monthly, first, last)`.
fn spans(from: Day, to: Day) -> Vec<(bool, i32, i32)> {
    if from > to {
        return Vec::new();
    }
    let (first, last) = (from.month(), to.month());
    let full_from = if first.first() == from {
        first
    } else {
        first.next()
    };
    let full_to_excl = if last.last() == to { last.next() } else { last };
    if full_from.index() < full_to_excl.index() {
        vec![
            (true, full_from.index(), full_to_excl.index() - 1),
            (false, from.0, full_from.first().0 - 1),
            (false, full_to_excl.first().0, to.0),
        ]
    } else {
        vec![(false, from.0, to.0)]
    }
}

impl KvStore {
    /// `tree`'s entries with period numbers in `first..=last`: `(agency, value)`.
    fn period_entries(
        &self,
        tree: T,
        first: i32,
        last: i32,
        mut each: impl FnMut(String, &[u8]) -> Result<()>,
    ) -> Result<()> {
        if first > last {
            return Ok(());
        }
        let start = ordered_i32(first);
        let end = last.checked_add(1).map(ordered_i32);
        for item in self.tree(tree).range(&start, end.as_ref().map(|e| &e[..])) {
            let (k, v) = item?;
            let (_, agency) = parse_agg_key(&k).ok_or_else(|| {
                StoreError::corrupt(
                    "aggregate key",
                    format!("{}/{}", TREE_NAMES[tree as usize], show_key(&k)),
                )
            })?;
            each(agency, &v)?;
        }
        Ok(())
    }
}

impl Reports for KvStore {
    fn agency_counts(&self, from: Day, to: Day) -> Result<BTreeMap<String, Counts>> {
        let mut out: BTreeMap<String, Counts> = BTreeMap::new();
        for (monthly, first, last) in spans(from, to) {
            let tree = if monthly { T::AggMonth } else { T::AggDay };
            self.period_entries(tree, first, last, |agency, v| {
                let c = Counts::from_bytes(v).ok_or_else(|| {
                    StoreError::corrupt("counts", format!("{}/{agency}", TREE_NAMES[tree as usize]))
                })?;
                out.entry(agency).or_default().add(&c);
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn overdue_open(&self, from: Day, to: Day, today: Day) -> Result<BTreeMap<String, u64>> {
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        for (monthly, first, last) in spans(from, to) {
            let tree = if monthly { T::DueMonth } else { T::DueDay };
            self.period_entries(tree, first, last, |agency, v| {
                let h = hist_from_bytes(v).ok_or_else(|| {
                    StoreError::corrupt(
                        "due histogram",
                        format!("{}/{agency}", TREE_NAMES[tree as usize]),
                    )
                })?;
                let n: u64 = h.range(..today.0).map(|(_, n)| *n).sum();
                if n > 0 {
                    *out.entry(agency).or_default() += n;
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn overdue(&self, now: Timestamp, agency: Option<&str>, limit: usize) -> Result<Overdue> {
        let today = Day::of(now);
        let (notices, notices_total) = self.overdue_items(
            T::NoticeOpen,
            agency,
            |k| {
                let (a, by, id) = parse_hop_key(k, "notice_open").ok()?;
                (by < now).then_some((a, id, by, None))
            },
            limit,
        )?;
        let (dues, dues_total) = self.overdue_items(
            T::DueOpen,
            agency,
            |k| {
                let (a, due, id) = parse_due_key(k)?;
                (due < today.0).then(|| (a, id, Day(due).next().at_minute(0), Some(Day(due))))
            },
            limit,
        )?;
        Ok(Overdue {
            notices,
            notices_total,
            dues,
            dues_total,
        })
    }

    fn doc_facts(&self, id: MessageId) -> Result<Option<DocFacts>> {
        Tx::reader(&self.trees).load_facts(id)
    }
}

/// The spaces derived from the facts records.
const DERIVED: [T; 6] = [
    T::AggDay,
    T::AggMonth,
    T::DueDay,
    T::DueMonth,
    T::NoticeOpen,
    T::DueOpen,
];

/// Entries of the derived spaces: `(space, key)` to the value bytes.
type Derived = BTreeMap<(T, Vec<u8>), Vec<u8>>;

/// What the derived spaces must hold, recomputed from every facts record: each entry's
/// exact value bytes. Problems with the records themselves go to `p`.
fn expected(store: &KvStore, p: &mut Vec<String>) -> Result<Derived> {
    let mut counts: BTreeMap<(T, Vec<u8>), Counts> = BTreeMap::new();
    let mut hists: BTreeMap<(T, Vec<u8>), BTreeMap<i32, u64>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    let tx = Tx::reader(&store.trees);
    for item in store.tree(T::Facts).iter().keys() {
        let k = item?;
        let Some(id) = id_at(&k).filter(|_| k.len() == 16) else {
            p.push(format!("facts/{}: malformed key", show_key(&k)));
            continue;
        };
        let f: DocFacts = match tx.load_facts(id) {
            Ok(Some(f)) => f,
            Ok(None) => continue,
            Err(e) => {
                p.push(e.to_string());
                continue;
            }
        };
        let sender = match tx.load_message(id) {
            Ok(rec) => rec.sender,
            Err(_) => {
                p.push(format!("facts/{id}: no message record"));
                continue;
            }
        };
        for (t, key, c) in facts_counts(&sender, &f) {
            counts.entry((t, key)).or_default().add(&c);
        }
        for (t, key, due) in facts_dues(&f) {
            *hists.entry((t, key)).or_default().entry(due).or_default() += 1;
        }
        for (t, key, value) in facts_index_keys(id, &f) {
            out.insert((t, key), value);
        }
    }
    out.extend(
        counts
            .into_iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| (k, c.to_bytes())),
    );
    out.extend(hists.into_iter().map(|(k, h)| (k, hist_to_bytes(&h))));
    Ok(out)
}

/// Compare the derived spaces with what the facts records imply.
pub(super) fn check(store: &KvStore, p: &mut Vec<String>) -> Result<()> {
    let mut want = expected(store, p)?;
    for t in DERIVED {
        let name = TREE_NAMES[t as usize];
        for item in store.tree(t).iter() {
            let (k, v) = item?;
            match want.remove(&(t, k.to_vec())) {
                Some(w) if w.as_slice() == v.as_ref() => {}
                Some(w) => p.push(format!(
                    "{name}/{}: {:?}, expected {w:?}",
                    show_key(&k),
                    v.as_ref()
                )),
                None => p.push(format!(
                    "{name}/{}: no facts record implies it",
                    show_key(&k)
                )),
            }
        }
    }
    for item in store.tree(T::FactsReceipts).iter().keys() {
        let k = item?;
        let has_record = match id_at(&k) {
            Some(id) => store.tree(T::Facts).contains_key(id.to_bytes())?,
            None => false,
        };
        if !has_record {
            p.push(format!("facts_receipts/{}: no facts record", show_key(&k)));
        }
    }
    for (t, k) in want.keys() {
        p.push(format!(
            "{}/{}: missing, implied by the facts records",
            TREE_NAMES[*t as usize],
            show_key(k)
        ));
    }
    Ok(())
}

/// `inbox_urgent` holds exactly the unacknowledged inbox entries of urgent documents.
pub(super) fn check_inbox_urgent(store: &KvStore, p: &mut Vec<String>) -> Result<()> {
    let mut want = std::collections::BTreeSet::new();
    for item in store.tree(T::Inbox).iter() {
        let (k, v) = item?;
        if let Ok(rec) = decode::<InboxRecord>(&v, "inbox", &k)
            && rec.acked.is_none()
            && rec.priority > 0
        {
            want.insert(k.to_vec());
        }
    }
    for item in store.tree(T::InboxUrgent).iter().keys() {
        let k = item?;
        if !want.remove(k.as_ref()) {
            p.push(format!(
                "inbox_urgent/{}: no open urgent inbox entry",
                show_key(&k)
            ));
        }
    }
    for k in want {
        p.push(format!(
            "inbox/{}: open and urgent, missing from inbox_urgent",
            show_key(&k)
        ));
    }
    Ok(())
}
