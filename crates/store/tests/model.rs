//! Model test: random operation sequences run against the store and against a small in-memory
//! model; results, per-recipient states, queue entries and inboxes must agree after every step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use lienthong_store::*;
use proptest::prelude::*;

mod common;
use common::Place;

const T0: u64 = 1_700_000_000_000;
const HOPS: [(&str, &[&str]); 2] = [("gw-a", &["R1", "R2"]), ("gw-b", &["R3"])];
const ALL: [&str; 5] = ["L1", "L2", "R1", "R2", "R3"];

fn policy() -> RetryPolicy {
    RetryPolicy {
        base_ms: 100,
        factor: 2.0,
        cap_ms: 1_000,
        jitter_percent: 25,
        max_attempts: 3,
        max_age_ms: 4_000,
    }
}

fn config() -> StoreConfig {
    StoreConfig {
        retry: policy(),
        ..StoreConfig::default()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Accept {
        sender: u8,
        body: u8,
        recips: u8,
        status: bool,
    },
    Enqueue {
        msg: usize,
        hop: usize,
        delay: u64,
    },
    Lease {
        hop: usize,
        limit: usize,
        lease_ms: u64,
    },
    Ack {
        lease: usize,
    },
    Fail {
        lease: usize,
    },
    Deliver {
        msg: usize,
        agency: usize,
    },
    InboxAck {
        msg: usize,
        agency: usize,
        done: bool,
    },
    Suspend {
        msg: usize,
    },
    Resume {
        msg: usize,
    },
    Cancel {
        msg: usize,
    },
    RetryNow {
        msg: usize,
    },
    Advance {
        ms: u64,
    },
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2u8, 0..4u8, 1..32u8, any::<bool>())
            .prop_map(|(sender, body, recips, status)| Op::Accept { sender, body, recips, status }),
        4 => (0..5usize, 0..2usize, 0..3u64).prop_map(|(msg, hop, delay)| Op::Enqueue { msg, hop, delay }),
        4 => (0..2usize, 1..4usize, 1..4u64).prop_map(|(hop, limit, l)| Op::Lease { hop, limit, lease_ms: l * 300 }),
        3 => (0..5usize).prop_map(|lease| Op::Ack { lease }),
        3 => (0..5usize).prop_map(|lease| Op::Fail { lease }),
        2 => (0..5usize, 0..2usize).prop_map(|(msg, agency)| Op::Deliver { msg, agency }),
        2 => (0..5usize, 0..2usize, any::<bool>()).prop_map(|(msg, agency, done)| Op::InboxAck { msg, agency, done }),
        2 => (0..5usize).prop_map(|msg| Op::Suspend { msg }),
        2 => (0..5usize).prop_map(|msg| Op::Resume { msg }),
        1 => (0..5usize).prop_map(|msg| Op::Cancel { msg }),
        2 => (0..5usize).prop_map(|msg| Op::RetryNow { msg }),
        3 => prop_oneof![0..200u64, 0..3000u64].prop_map(|ms| Op::Advance { ms }),
        1 => Just(Op::Reopen),
    ]
}

/// The model's view of one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
enum M {
    Accepted,
    Queued(String),
    InFlight(String, u32),
    Sched(String, u64, u32),
    Relayed(String),
    Delivered,
    Fetched(bool),
    Susp(Option<String>),
    Dead(String),
    Cancelled,
}

impl M {
    fn from_store(s: &RecipientState) -> M {
        match s {
            RecipientState::Accepted => M::Accepted,
            RecipientState::Queued { hop } => M::Queued(hop.clone()),
            RecipientState::InFlight { hop, attempt } => M::InFlight(hop.clone(), *attempt),
            RecipientState::RetryScheduled { hop, at, attempt } => {
                M::Sched(hop.clone(), at.as_millis(), *attempt)
            }
            RecipientState::Relayed { hop, .. } => M::Relayed(hop.clone()),
            RecipientState::Delivered => M::Delivered,
            RecipientState::Fetched { result } => M::Fetched(*result == FetchResult::Done),
            RecipientState::Suspended { hop } => M::Susp(hop.clone()),
            RecipientState::Dead { hop, .. } => M::Dead(hop.clone()),
            RecipientState::Cancelled => M::Cancelled,
        }
    }
    fn hop(&self) -> Option<&str> {
        match self {
            M::Queued(h) | M::InFlight(h, _) | M::Sched(h, _, _) | M::Dead(h) => Some(h),
            M::Susp(h) => h.as_deref(),
            _ => None,
        }
    }
    fn pending(&self) -> bool {
        matches!(
            self,
            M::Accepted | M::Queued(_) | M::InFlight(..) | M::Sched(..)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum St {
    Ready,
    Leased(u64),
    Susp,
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    recips: Vec<String>,
    attempt: u32,
    enqueued_at: u64,
    due: u64,
    st: St,
}

#[derive(Debug, Clone)]
struct Msg {
    id: MessageId,
    recips: BTreeMap<String, M>,
    entries: BTreeMap<String, Entry>,
}

#[derive(Default)]
struct Model {
    msgs: Vec<Msg>,
    by_content: BTreeMap<(u8, u8), usize>,
    inbox: BTreeMap<String, Vec<MessageId>>,
    leases: Vec<Lease>,
}

fn code<T>(r: &Result<T>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    }
}

impl Model {
    fn find(&self, id: MessageId) -> Option<usize> {
        self.msgs.iter().position(|m| m.id == id)
    }

    fn expire(&mut self, hop: &str, now: u64) {
        for m in &mut self.msgs {
            if let Some(e) = m.entries.get_mut(hop)
                && matches!(e.st, St::Leased(d) if d <= now)
            {
                e.st = St::Ready;
                for r in &e.recips {
                    if let Some(M::InFlight(h, _)) = m.recips.get(r) {
                        let h = h.clone();
                        m.recips.insert(r.clone(), M::Queued(h));
                    }
                }
            }
        }
    }

    fn lease(&mut self, hop: &str, now: u64, limit: usize, lease_ms: u64) -> Vec<(MessageId, u32)> {
        self.expire(hop, now);
        let mut due: Vec<(u64, MessageId, usize)> = self
            .msgs
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                m.entries
                    .get(hop)
                    .filter(|e| e.st == St::Ready && e.due <= now)
                    .map(|e| (e.due, m.id, i))
            })
            .collect();
        due.sort();
        due.truncate(limit);
        let mut out = Vec::new();
        for (_, id, i) in due {
            let m = &mut self.msgs[i];
            let e = m.entries.get_mut(hop).unwrap();
            e.attempt += 1;
            e.st = St::Leased(now + lease_ms);
            for r in &e.recips {
                m.recips
                    .insert(r.clone(), M::InFlight(hop.to_owned(), e.attempt));
            }
            out.push((id, e.attempt));
        }
        out
    }

    fn restart(&mut self) {
        for m in &mut self.msgs {
            for e in m.entries.values_mut() {
                if let St::Leased(_) = e.st {
                    e.st = St::Ready;
                    for r in &e.recips {
                        if let Some(M::InFlight(h, _)) = m.recips.get(r) {
                            let h = h.clone();
                            m.recips.insert(r.clone(), M::Queued(h));
                        }
                    }
                }
            }
        }
    }
}

fn compare(store: &KvStore, model: &Model) -> std::result::Result<(), TestCaseError> {
    for m in &model.msgs {
        let info = store
            .message(m.id)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: BTreeMap<String, M> = info
            .recipients
            .iter()
            .map(|(k, v)| (k.clone(), M::from_store(v)))
            .collect();
        prop_assert_eq!(&got, &m.recips, "recipients of {}", m.id);
        let entries: BTreeMap<String, Entry> = store
            .queue_entries(m.id)
            .unwrap()
            .into_iter()
            .map(|e| {
                let st = match e.status {
                    EntryStatus::Ready => St::Ready,
                    EntryStatus::Leased { deadline } => St::Leased(deadline.as_millis()),
                    EntryStatus::Suspended => St::Susp,
                    EntryStatus::Dead { .. } => St::Dead,
                };
                (
                    e.hop,
                    Entry {
                        recips: e.recipients,
                        attempt: e.attempt,
                        enqueued_at: e.enqueued_at.as_millis(),
                        due: e.due.as_millis(),
                        st,
                    },
                )
            })
            .collect();
        prop_assert_eq!(&entries, &m.entries, "entries of {}", m.id);
    }
    for agency in ["L1", "L2"] {
        let got: Vec<MessageId> = store
            .list_inbox(agency, None, 10_000, None)
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        let want = model.inbox.get(agency).cloned().unwrap_or_default();
        prop_assert_eq!(got, want, "inbox of {}", agency);
    }
    // Search by agency, three messages examined per page, pages followed to the end.
    for agency in ALL {
        let mut want: Vec<MessageId> = model
            .msgs
            .iter()
            .filter(|m| m.recips.contains_key(agency))
            .map(|m| m.id)
            .collect();
        want.sort();
        let mut q = MessageQuery {
            state: None,
            after: None,
            before: None,
            agency: Some(agency.to_owned()),
            sender: None,
            reason: None,
            text: None,
            limit: 1000,
            scan_limit: 3,
        };
        let mut got = Vec::new();
        loop {
            let page = store.find_messages(&q).unwrap();
            got.extend(page.messages.iter().map(|m| m.id));
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        prop_assert_eq!(got, want, "messages found for {}", agency);
    }
    // The activity counters, kept incrementally, against the model's inboxes.
    let activity = store.agency_activity().unwrap();
    for agency in ["L1", "L2"] {
        let a = activity
            .iter()
            .find(|a| a.agency == agency)
            .cloned()
            .unwrap_or_default();
        let delivered = model.inbox.get(agency).map_or(0, Vec::len) as u64;
        let count = |f: &dyn Fn(&M) -> bool| {
            model
                .msgs
                .iter()
                .filter(|m| m.recips.get(agency).is_some_and(f))
                .count() as u64
        };
        prop_assert_eq!(
            a.received_documents + a.received_statuses,
            delivered,
            "received by {}",
            agency
        );
        prop_assert_eq!(
            a.unacknowledged,
            count(&|s| matches!(s, M::Delivered)),
            "unacknowledged at {}",
            agency
        );
        prop_assert_eq!(
            a.acknowledged_done,
            count(&|s| matches!(s, M::Fetched(true))),
            "done at {}",
            agency
        );
        prop_assert_eq!(
            a.acknowledged_failed,
            count(&|s| matches!(s, M::Fetched(false))),
            "failed at {}",
            agency
        );
        prop_assert_eq!(
            a.oldest_unacknowledged_at.is_some(),
            a.unacknowledged > 0,
            "oldest at {}",
            agency
        );
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> std::result::Result<(), TestCaseError> {
    run_on(&Place::sled(), ops)
}

/// Run `ops` on the store of `place` and the model side by side.
fn run_on(place: &Place, ops: Vec<Op>) -> std::result::Result<(), TestCaseError> {
    let mut now = T0;
    let mut store = place.open(config(), Timestamp::from_millis(now)).unwrap();
    let mut model = Model::default();
    let ts = |n: u64| Timestamp::from_millis(n);
    for op in ops {
        now += 1;
        match op {
            Op::Accept {
                sender,
                body,
                recips,
                status,
            } => {
                let recipients: Vec<String> = ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| recips & (1 << i) != 0)
                    .map(|(_, r)| r.to_string())
                    .collect();
                let req = AcceptRequest {
                    sender: format!("S{sender}"),
                    kind: if status {
                        MessageKind::Status
                    } else {
                        MessageKind::Edoc
                    },
                    bytes: format!("body {body}").into_bytes(),
                    document_id: None,
                    business: None,
                    recipients: recipients.clone(),
                    origin: Origin::Local,
                    status: None,
                    signature: None,
                    facts: None,
                };
                let out = store.accept(&req, ts(now)).unwrap();
                match model.by_content.get(&(sender, body)) {
                    Some(&i) => {
                        prop_assert!(out.duplicate);
                        prop_assert_eq!(out.id, model.msgs[i].id);
                    }
                    None => {
                        prop_assert!(!out.duplicate);
                        model.by_content.insert((sender, body), model.msgs.len());
                        model.msgs.push(Msg {
                            id: out.id,
                            recips: recipients.into_iter().map(|r| (r, M::Accepted)).collect(),
                            entries: BTreeMap::new(),
                        });
                    }
                }
            }
            Op::Enqueue { msg, hop, delay } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let (hop, behind) = HOPS[hop];
                let recips: Vec<String> = m
                    .recips
                    .keys()
                    .filter(|r| behind.contains(&r.as_str()))
                    .cloned()
                    .collect();
                if recips.is_empty() {
                    continue;
                }
                let r = store.enqueue(m.id, hop, &recips, ts(now + delay * 700), ts(now));
                let expect = if m.entries.contains_key(hop) {
                    "store.invalid_state"
                } else if recips
                    .iter()
                    .all(|r| matches!(m.recips[r], M::Accepted | M::Susp(None)))
                {
                    "ok"
                } else {
                    "store.invalid_state"
                };
                prop_assert_eq!(code(&r), expect);
                if expect == "ok" {
                    let mut susp = false;
                    for r in &recips {
                        let next = if m.recips[r] == M::Accepted {
                            M::Queued(hop.into())
                        } else {
                            susp = true;
                            M::Susp(Some(hop.into()))
                        };
                        m.recips.insert(r.clone(), next);
                    }
                    m.entries.insert(
                        hop.into(),
                        Entry {
                            recips,
                            attempt: 0,
                            enqueued_at: now,
                            due: now + delay * 700,
                            st: if susp { St::Susp } else { St::Ready },
                        },
                    );
                }
            }
            Op::Lease {
                hop,
                limit,
                lease_ms,
            } => {
                let hop = HOPS[hop].0;
                let got = store.lease(hop, ts(now), limit, lease_ms).unwrap();
                let want = model.lease(hop, now, limit, lease_ms);
                prop_assert_eq!(
                    got.iter().map(|l| (l.id, l.attempt)).collect::<Vec<_>>(),
                    want
                );
                model.leases.extend(got);
            }
            Op::Ack { lease } => {
                if model.leases.is_empty() {
                    continue;
                }
                let l = model.leases.remove(lease % model.leases.len());
                let r = store.ack_lease(&l, b"receipt", ts(now));
                let i = model.find(l.id).unwrap();
                let m = &mut model.msgs[i];
                match m.entries.remove(&l.hop) {
                    Some(e) => {
                        prop_assert_eq!(r.unwrap(), AckOutcome::Recorded);
                        for r in e.recips {
                            m.recips.insert(r, M::Relayed(l.hop.clone()));
                        }
                    }
                    None if m.recips.values().any(|s| *s == M::Relayed(l.hop.clone())) => {
                        prop_assert_eq!(r.unwrap(), AckOutcome::AlreadyRelayed)
                    }
                    None => prop_assert_eq!(code(&r), "store.invalid_state"),
                }
            }
            Op::Fail { lease } => {
                if model.leases.is_empty() {
                    continue;
                }
                let l = model.leases.remove(lease % model.leases.len());
                let r = store.fail_lease(&l, "down", ts(now));
                let i = model.find(l.id).unwrap();
                let m = &mut model.msgs[i];
                match m.entries.get_mut(&l.hop) {
                    Some(e)
                        if e.attempt == l.attempt && matches!(e.st, St::Leased(_) | St::Ready) =>
                    {
                        match policy().next_attempt(
                            l.id,
                            &l.hop,
                            e.attempt,
                            ts(e.enqueued_at),
                            ts(now),
                        ) {
                            Some(at) => {
                                prop_assert_eq!(r.unwrap(), FailOutcome::RetryAt(at));
                                e.st = St::Ready;
                                e.due = at.as_millis();
                                for rc in &e.recips {
                                    m.recips.insert(
                                        rc.clone(),
                                        M::Sched(l.hop.clone(), at.as_millis(), e.attempt),
                                    );
                                }
                            }
                            None => {
                                prop_assert_eq!(r.unwrap(), FailOutcome::Dead);
                                e.st = St::Dead;
                                for rc in &e.recips {
                                    m.recips.insert(rc.clone(), M::Dead(l.hop.clone()));
                                }
                            }
                        }
                    }
                    _ => prop_assert_eq!(code(&r), "store.invalid_state"),
                }
            }
            Op::Deliver { msg, agency } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let agency = ["L1", "L2"][agency];
                let r = store.deliver(m.id, agency, ts(now));
                let inbox = model.inbox.entry(agency.into()).or_default();
                if inbox.contains(&m.id) {
                    prop_assert!(r.unwrap().duplicate);
                } else {
                    match m.recips.get(agency) {
                        None => prop_assert_eq!(code(&r), "store.invalid_input"),
                        Some(M::Accepted) => {
                            prop_assert!(!r.unwrap().duplicate);
                            m.recips.insert(agency.into(), M::Delivered);
                            inbox.push(m.id);
                        }
                        Some(_) => prop_assert_eq!(code(&r), "store.invalid_state"),
                    }
                }
            }
            Op::InboxAck { msg, agency, done } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let agency = ["L1", "L2"][agency];
                let result = if done {
                    FetchResult::Done
                } else {
                    FetchResult::Fail
                };
                let r = store.ack_inbox(agency, m.id, result, None, ts(now));
                if model.inbox.get(agency).is_some_and(|i| i.contains(&m.id)) {
                    prop_assert_eq!(code(&r), "ok");
                    m.recips.insert(agency.into(), M::Fetched(done));
                } else {
                    prop_assert_eq!(code(&r), "store.not_found");
                }
            }
            Op::Suspend { msg } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let r = store.suspend(m.id, ts(now), &ActionBy::default());
                if m.recips.values().any(M::pending) {
                    prop_assert_eq!(code(&r), "ok");
                    for s in m.recips.values_mut() {
                        if s.pending() {
                            *s = M::Susp(s.hop().map(str::to_owned));
                        }
                    }
                    for e in m.entries.values_mut() {
                        if matches!(e.st, St::Ready | St::Leased(_)) {
                            e.st = St::Susp;
                        }
                    }
                } else {
                    prop_assert_eq!(code(&r), "store.invalid_state");
                }
            }
            Op::Resume { msg } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let r = store.resume(m.id, ts(now), &ActionBy::default());
                if m.recips.values().any(|s| matches!(s, M::Susp(_))) {
                    prop_assert_eq!(code(&r), "ok");
                    for s in m.recips.values_mut() {
                        if let M::Susp(h) = s {
                            *s = match h.take() {
                                Some(h) => M::Queued(h),
                                None => M::Accepted,
                            };
                        }
                    }
                    for e in m.entries.values_mut() {
                        if e.st == St::Susp {
                            e.st = St::Ready;
                            e.due = now;
                        }
                    }
                } else {
                    prop_assert_eq!(code(&r), "store.invalid_state");
                }
            }
            Op::Cancel { msg } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let r = store.cancel(m.id, ts(now), &ActionBy::default());
                let cancellable = |s: &M| s.pending() || matches!(s, M::Susp(_) | M::Dead(_));
                if m.recips.values().any(cancellable) {
                    prop_assert_eq!(code(&r), "ok");
                    for s in m.recips.values_mut() {
                        if cancellable(s) {
                            *s = M::Cancelled;
                        }
                    }
                    m.entries.clear();
                } else {
                    prop_assert_eq!(code(&r), "store.invalid_state");
                }
            }
            Op::RetryNow { msg } => {
                let n = model.msgs.len();
                let Some(m) = model.msgs.get_mut(msg % n.max(1)) else {
                    continue;
                };
                let r = store.retry_now(m.id, ts(now), &ActionBy::default());
                if m.recips
                    .values()
                    .any(|s| matches!(s, M::Dead(_) | M::Sched(..)))
                {
                    prop_assert_eq!(code(&r), "ok");
                    for s in m.recips.values_mut() {
                        if let M::Dead(h) | M::Sched(h, _, _) = s {
                            *s = M::Queued(h.clone());
                        }
                    }
                    for e in m.entries.values_mut() {
                        match e.st {
                            St::Dead => {
                                *e = Entry {
                                    st: St::Ready,
                                    due: now,
                                    attempt: 0,
                                    enqueued_at: now,
                                    recips: e.recips.clone(),
                                }
                            }
                            St::Ready if e.due > now => e.due = now,
                            _ => {}
                        }
                    }
                } else {
                    prop_assert_eq!(code(&r), "store.invalid_state");
                }
            }
            Op::Advance { ms } => now += ms,
            Op::Reopen => {
                drop(store);
                store = place.open(config(), ts(now)).unwrap();
                // sled: this process held every lease, so reopening releases them. On
                // PostgreSQL another node may hold them: they stay until they expire.
                if place.url.is_none() {
                    model.restart();
                }
            }
        }
        compare(&store, &model)?;
    }
    let rep = store.check(VerifyLevel::BlobsHashed).unwrap();
    prop_assert!(rep.problems.is_empty(), "{:#?}", rep.problems);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_model(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}

proptest! {
    // Fewer cases: each has a database of its own.
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn postgres_store_agrees_with_model(ops in proptest::collection::vec(op(), 1..60)) {
        if let Some(place) = Place::postgres() {
            run_on(&place, ops)?;
        }
    }
}

#[test]
fn model_smoke_suspend_resume() {
    run(vec![
        Op::Accept {
            sender: 0,
            body: 0,
            recips: 0b11111,
            status: false,
        },
        Op::Enqueue {
            msg: 0,
            hop: 0,
            delay: 2,
        },
        Op::Suspend { msg: 0 },
        Op::Resume { msg: 0 },
    ])
    .unwrap();
}
