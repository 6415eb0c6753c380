//! The compliance record: facts kept with the accept, counts per agency and day kept with
//! every change, the open obligations, and urgent documents going first on links and in
//! inboxes without starving ordinary ones.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use lienthong_compliance::{Calendar, Rules, TimeOfDay, UrgencyRules};
use lienthong_store::*;

mod common;
use common::{Place, on_both, raw_sled};

/// Vietnam local time `"2026-11-02 09:00"`.
fn vn(s: &str) -> Timestamp {
    let (d, t) = s.split_once(' ').unwrap();
    let day: Day = d.parse().unwrap();
    let tod: TimeOfDay = t.parse().unwrap();
    day.at_minute(tod.0)
}

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

fn config() -> StoreConfig {
    StoreConfig {
        retention_ms: 1_000,
        compliance: Rules {
            calendar: Calendar::new(&["2026-11-20".into()], "08:00", "17:00").unwrap(),
            urgency: UrgencyRules::default(),
        },
        ..StoreConfig::default()
    }
}

fn open(dir: &Path) -> KvStore {
    KvStore::open_at(dir, config(), vn("2026-11-01 08:00")).unwrap()
}

/// Open (or reopen) the store of `place`, sled or PostgreSQL.
fn open_on(place: &Place) -> KvStore {
    place.open(config(), vn("2026-11-01 08:00")).unwrap()
}

fn healthy(s: &KvStore) {
    let rep = s.check(VerifyLevel::BlobsHashed).unwrap();
    assert!(rep.problems.is_empty(), "{:#?}", rep.problems);
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn doc(sender: &str, id: &str, to: &[&str], facts: DocFacts) -> AcceptRequest {
    AcceptRequest {
        sender: sender.into(),
        kind: MessageKind::Edoc,
        bytes: format!("<doc id='{id}' from='{sender}'/>").into_bytes(),
        document_id: Some(id.into()),
        business: Some(BusinessType::New),
        recipients: strings(to),
        origin: Origin::Local,
        status: None,
        signature: None,
        facts: Some(facts),
    }
}

fn status(from: &str, doc_sender: &str, doc_id: &str, code: &str, salt: u32) -> AcceptRequest {
    AcceptRequest {
        sender: from.into(),
        kind: MessageKind::Status,
        bytes: format!("<status {code} {doc_id} {from} {salt}/>").into_bytes(),
        document_id: Some(doc_id.into()),
        business: None,
        recipients: strings(&[doc_sender]),
        origin: Origin::Local,
        status: Some(StatusNote {
            code: code.into(),
            description: None,
        }),
        signature: None,
        facts: None,
    }
}

fn deliver_all(deliver: &[&str]) -> Dispatch {
    Dispatch {
        deliver: strings(deliver),
        ..Dispatch::default()
    }
}

fn counts(s: &KvStore, from: &str, to: &str) -> BTreeMap<String, Counts> {
    s.agency_counts(day(from), day(to)).unwrap()
}

#[test]
fn a_document_and_its_statuses_make_the_counts() {
    on_both(|place| {
        let s = open_on(place);
        let facts = DocFacts {
            due: Some(day("2026-11-05")),
            paper: true,
            signed: true,
            number: Some("12/UBND-VP".into()),
            subject: Some("Về việc báo cáo".into()),
            ..DocFacts::default()
        };
        // Monday 2 November, 10:00: A sends to B, C and D, all homed here.
        let sent = vn("2026-11-02 10:00");
        let id = s
            .accept_with(
                &doc("A", "D-1", &["B", "C", "D"], facts),
                &deliver_all(&["B", "C", "D"]),
                sent,
            )
            .unwrap()
            .id;
        let c = counts(&s, "2026-11-02", "2026-11-02");
        assert_eq!((c["A"].sent, c["A"].signed, c["A"].paper), (1, 1, 1));
        assert_eq!((c["B"].received, c["B"].with_due), (1, 1));
        // B notifies the same day; C refuses the next day; D says nothing.
        s.accept(&status("B", "A", "D-1", "01", 0), vn("2026-11-02 16:59"))
            .unwrap();
        s.accept(&status("C", "A", "D-1", "02", 0), vn("2026-11-03 09:00"))
            .unwrap();
        // A second 01 does not move the first.
        s.accept(&status("B", "A", "D-1", "01", 1), vn("2026-11-04 09:00"))
            .unwrap();
        // A status for a document nobody here has changes nothing.
        s.accept(
            &status("B", "A", "NO-SUCH", "01", 0),
            vn("2026-11-02 11:00"),
        )
        .unwrap();
        let c = counts(&s, "2026-11-01", "2026-11-30");
        assert_eq!((c["B"].notified, c["B"].same_day), (1, 1));
        assert_eq!(
            (c["C"].notified, c["C"].same_day, c["C"].refused),
            (1, 0, 1)
        );
        assert_eq!(c["D"].notified, 0);
        // Overdue on the 4th: D's notice (due Monday 17:00); nothing past its due date yet.
        let o = s.overdue(vn("2026-11-04 12:00"), None, 10).unwrap();
        assert_eq!(o.notices_total, 1);
        assert_eq!(o.notices[0].agency, "D");
        assert_eq!(o.notices[0].number.as_deref(), Some("12/UBND-VP"));
        assert_eq!(o.notices[0].deadline, vn("2026-11-02 17:00"));
        assert_eq!(o.dues_total, 0);
        // On the 6th, B and D are past the due date (C refused it); B completes late on the 6th.
        s.accept(&status("B", "A", "D-1", "06", 0), vn("2026-11-06 10:00"))
            .unwrap();
        let o = s.overdue(vn("2026-11-06 12:00"), None, 10).unwrap();
        assert_eq!(o.dues_total, 1);
        assert_eq!(
            (o.dues[0].agency.as_str(), o.dues[0].due),
            ("D", Some(day("2026-11-05")))
        );
        assert_eq!(
            s.overdue(vn("2026-11-06 12:00"), Some("B"), 10)
                .unwrap()
                .dues_total,
            0
        );
        let c = counts(&s, "2026-11-01", "2026-11-30");
        assert_eq!((c["B"].completed, c["B"].on_time), (1, 0));
        let open = s
            .overdue_open(day("2026-11-01"), day("2026-11-30"), day("2026-11-06"))
            .unwrap();
        assert_eq!(open.get("D"), Some(&1));
        assert_eq!(open.get("B"), None);
        // The sender recalls it: D owes nothing any more, and A's row counts a recall.
        s.accept(
            &AcceptRequest {
                recipients: strings(&["D"]),
                ..status("A", "D", "D-1", "13", 0)
            },
            vn("2026-11-06 13:00"),
        )
        .unwrap();
        let o = s.overdue(vn("2026-11-06 14:00"), None, 10).unwrap();
        assert_eq!((o.notices_total, o.dues_total), (0, 0));
        assert_eq!(counts(&s, "2026-11-01", "2026-11-30")["A"].recalled, 1);
        let f = s.doc_facts(id).unwrap().unwrap();
        assert!(f.recipients["D"].withdrawn && f.recalled);
        healthy(&s);
        // Nothing counted on other days.
        assert!(counts(&s, "2026-11-03", "2026-11-30").is_empty());
        assert!(counts(&s, "2026-10-01", "2026-11-01").is_empty());
    });
}

#[test]
fn counts_survive_reopen_purge_and_backup() {
    on_both(|place| {
        let backup = tempfile::tempdir().unwrap();
        let dest = backup.path().join("copy");
        let before = {
            let s = open_on(place);
            for i in 0..20u32 {
                let t = vn("2026-11-02 09:00").plus_millis(u64::from(i) * 3_600_000 * 13);
                let id = s
                    .accept_with(
                        &doc(
                            "A",
                            &format!("D-{i}"),
                            &["B"],
                            DocFacts {
                                signed: i % 2 == 0,
                                ..DocFacts::default()
                            },
                        ),
                        &deliver_all(&["B"]),
                        t,
                    )
                    .unwrap()
                    .id;
                s.ack_inbox("B", id, FetchResult::Done, None, t).unwrap();
            }
            // Every payload purged: the counts stay.
            let purged = s.purge_expired(vn("2026-12-30 00:00"), 1000).unwrap();
            assert_eq!(purged, 20);
            let c = counts(&s, "2026-11-01", "2026-12-31");
            assert_eq!((c["A"].sent, c["A"].signed, c["B"].received), (20, 10, 20));
            s.backup(&dest, vn("2026-12-30 00:00")).unwrap();
            c
        };
        let s = open_on(place);
        assert_eq!(counts(&s, "2026-11-01", "2026-12-31"), before);
        healthy(&s);
        let copy = open(&dest);
        assert_eq!(counts(&copy, "2026-11-01", "2026-12-31"), before);
        healthy(&copy);
    });
}

#[test]
fn a_period_sums_whole_months_and_edge_days_alike() {
    on_both(|place| {
        let s = open_on(place);
        // One document a day from 20 October to 10 December, 07:00 (before opening hours).
        let first = day("2026-10-20");
        let mut per_day = Vec::new();
        for i in 0..52 {
            let dd = Day(first.0 + i);
            let t = dd.at_minute(7 * 60);
            s.accept_with(
                &doc("A", &format!("P-{i}"), &["B"], DocFacts::default()),
                &deliver_all(&["B"]),
                t,
            )
            .unwrap();
            per_day.push(dd);
        }
        for (from, to) in [
            ("2026-10-20", "2026-12-10"),
            ("2026-10-31", "2026-12-01"),
            ("2026-11-01", "2026-11-30"),
            ("2026-11-15", "2026-11-15"),
            ("2026-10-01", "2026-10-31"),
            ("2026-12-01", "2027-01-31"),
        ] {
            let (f, t) = (day(from), day(to));
            let want = per_day.iter().filter(|d| f <= **d && **d <= t).count() as u64;
            let c = counts(&s, from, to);
            assert_eq!(c.get("A").map_or(0, |c| c.sent), want, "{from}..{to}");
            assert_eq!(c.get("B").map_or(0, |c| c.received), want, "{from}..{to}");
        }
        assert!(
            counts(&s, "2026-12-01", "2026-11-01").is_empty(),
            "reversed period"
        );
        healthy(&s);
    });
}

#[test]
fn updates_and_relays_are_not_counted_as_sent_here() {
    on_both(|place| {
        let s = open_on(place);
        let t = vn("2026-11-02 10:00");
        s.accept(&doc("A", "U-1", &["B"], DocFacts::default()), t)
            .unwrap();
        s.accept(
            &AcceptRequest {
                business: Some(BusinessType::Update),
                bytes: b"<doc id='U-1' v='2'/>".to_vec(),
                ..doc("A", "U-1", &["B"], DocFacts::default())
            },
            t,
        )
        .unwrap();
        let relayed = AcceptRequest {
            origin: Origin::Relayed {
                from_gateway: "gw-up".into(),
                id: MessageId::new_v7(t),
                hops: vec!["gw-up".into()],
            },
            ..doc("X", "R-1", &["B"], DocFacts::default())
        };
        s.accept_with(&relayed, &deliver_all(&["B"]), t).unwrap();
        let c = counts(&s, "2026-11-02", "2026-11-02");
        assert_eq!(c["A"].sent, 1, "the update is the same document");
        assert!(!c.contains_key("X"), "sent elsewhere");
        assert_eq!(c["B"].received, 1);
        healthy(&s);
    });
}

#[test]
fn urgent_deadlines_are_tighter_and_counted() {
    on_both(|place| {
        let s = open_on(place);
        let t = vn("2026-11-02 16:30");
        let urgent = |id: &str, p: u8| {
            doc(
                "A",
                id,
                &["B"],
                DocFacts {
                    priority: p,
                    ..DocFacts::default()
                },
            )
        };
        // hỏa tốc at 16:30: one working hour → 08:30 the next morning.
        s.accept_with(&urgent("H-1", 3), &deliver_all(&["B"]), t)
            .unwrap();
        s.accept_with(&urgent("H-2", 3), &deliver_all(&["B"]), t)
            .unwrap();
        s.accept(&status("B", "A", "H-1", "01", 0), vn("2026-11-02 16:50"))
            .unwrap();
        s.accept(&status("B", "A", "H-2", "01", 0), vn("2026-11-03 09:00"))
            .unwrap();
        let c = counts(&s, "2026-11-02", "2026-11-02");
        assert_eq!((c["B"].urgent, c["B"].urgent_met), (2, 1));
        assert_eq!(c["B"].same_day, 1);
        // At 16:30 the end of the day is the stricter deadline; at 09:00 the hour is: a third,
        // delivered on Tuesday 09:00 and never answered, is overdue from 10:00.
        assert_eq!(
            s.doc_facts(s.document_message("A", "H-2").unwrap().unwrap())
                .unwrap()
                .unwrap()
                .recipients["B"]
                .urgent_by,
            Some(vn("2026-11-03 08:30"))
        );
        s.accept_with(
            &urgent("H-3", 3),
            &deliver_all(&["B"]),
            vn("2026-11-03 09:00"),
        )
        .unwrap();
        assert_eq!(
            s.overdue(vn("2026-11-03 09:59"), None, 10)
                .unwrap()
                .notices_total,
            0
        );
        let o = s.overdue(vn("2026-11-03 10:01"), None, 10).unwrap();
        assert_eq!(o.notices_total, 1);
        assert_eq!(o.notices[0].priority, 3);
        healthy(&s);
    });
}

#[test]
fn urgent_entries_overtake_a_deep_queue_without_starving_it() {
    on_both(|place| {
        let s = open_on(place);
        let t = vn("2026-11-02 09:00");
        let n = std::cell::Cell::new(0u64);
        let enqueue = |id: &str, p: u8| {
            n.set(n.get() + 1);
            s.accept_with(
                &doc(
                    "A",
                    id,
                    &["Z"],
                    DocFacts {
                        priority: p,
                        ..DocFacts::default()
                    },
                ),
                &Dispatch {
                    enqueue: vec![("gw-z".into(), strings(&["Z"]))],
                    ..Dispatch::default()
                },
                t.plus_millis(n.get()),
            )
            .unwrap()
            .id
        };
        let ordinary: Vec<MessageId> = (0..50).map(|i| enqueue(&format!("O-{i}"), 0)).collect();
        let khan: Vec<MessageId> = (0..4).map(|i| enqueue(&format!("K-{i}"), 1)).collect();
        let hoa_toc = enqueue("F-0", 3);
        let later = t.plus_millis(1_000);
        let mut order = Vec::new();
        for _ in 0..12 {
            let l = s.lease("gw-z", later, 1, 60_000).unwrap();
            assert_eq!(l.len(), 1);
            order.push(l[0].id);
            s.ack_lease(&l[0], b"receipt", later).unwrap();
        }
        // hỏa tốc first, then khẩn, with an ordinary one after every three urgent ones.
        assert_eq!(
            order[..7],
            [
                hoa_toc,
                khan[0],
                khan[1],
                ordinary[0],
                khan[2],
                khan[3],
                ordinary[1]
            ]
        );
        assert_eq!(order[7..], ordinary[2..7]);
        // A batch lease mixes the same way.
        let more: Vec<MessageId> = (0..6).map(|i| enqueue(&format!("K2-{i}"), 1)).collect();
        let batch: Vec<MessageId> = s
            .lease("gw-z", later.plus_millis(1_000), 8, 60_000)
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(batch.len(), 8);
        assert_eq!(batch.iter().filter(|i| more.contains(i)).count(), 6);
        assert_eq!(batch.iter().filter(|i| ordinary.contains(i)).count(), 2);
        healthy(&s);
    });
}

#[test]
fn urgent_documents_come_first_in_the_inbox() {
    on_both(|place| {
        let s = open_on(place);
        let t = vn("2026-11-02 09:00");
        let put = |id: &str, p: u8| {
            s.accept_with(
                &doc(
                    "A",
                    id,
                    &["B"],
                    DocFacts {
                        priority: p,
                        ..DocFacts::default()
                    },
                ),
                &deliver_all(&["B"]),
                t,
            )
            .unwrap()
            .id
        };
        let ordinary: Vec<MessageId> = (0..10).map(|i| put(&format!("O-{i}"), 0)).collect();
        let urgent = put("F-1", 3);
        // A page of 4: the urgent one, pulled ahead, then the first three in order.
        let page = s.list_open_inbox("B", None, 4, None).unwrap();
        assert_eq!(page[0].id, urgent);
        assert!(page[0].ahead && page[0].priority == 3);
        assert_eq!(
            page[1..].iter().map(|i| i.id).collect::<Vec<_>>(),
            ordinary[..3]
        );
        assert!(page[1..].iter().all(|i| !i.ahead));
        // The whole listing also puts it first; it appears once.
        let all = s.list_inbox("B", None, 100, None).unwrap();
        assert_eq!(all[0].id, urgent);
        assert_eq!(all.len(), 11);
        // Acknowledged, it is no longer pulled ahead.
        s.ack_inbox("B", urgent, FetchResult::Done, None, t)
            .unwrap();
        let page = s.list_open_inbox("B", None, 4, None).unwrap();
        assert!(page.iter().all(|i| i.id != urgent && !i.ahead));
        healthy(&s);
    });
}

#[test]
fn check_recomputes_the_counts_and_finds_every_difference() {
    let d = tempfile::tempdir().unwrap();
    {
        let s = open(d.path());
        s.accept_with(
            &doc(
                "A",
                "C-1",
                &["B"],
                DocFacts {
                    due: Some(day("2026-11-05")),
                    ..DocFacts::default()
                },
            ),
            &deliver_all(&["B"]),
            vn("2026-11-02 10:00"),
        )
        .unwrap();
        healthy(&s);
    }
    {
        // Tags: agg_day 20, notice_open 22, due_month 27 (the store's key spaces).
        let db = raw_sled(d.path());
        let t = db.open_tree("store").unwrap();
        let first = |tag: u8| t.scan_prefix([tag]).next().unwrap().unwrap();
        let (k, v) = first(20);
        let mut c = Counts::from_bytes(&v[..]).unwrap();
        c.sent += 5;
        t.insert(k, c.to_bytes()).unwrap();
        let (k, _) = first(27);
        t.remove(k).unwrap();
        let (k, _) = first(22);
        let mut stray = k.to_vec();
        *stray.last_mut().unwrap() ^= 1;
        t.insert(stray, &[][..]).unwrap();
        db.flush().unwrap();
    }
    let s = open(d.path());
    let problems = s.check(VerifyLevel::BlobsPresent).unwrap().problems;
    let has = |what: &str| problems.iter().any(|p| p.contains(what));
    assert!(has("agg_day/"), "{problems:#?}");
    assert!(
        has("due_month/") && has("missing, implied by the facts"),
        "{problems:#?}"
    );
    assert!(
        has("notice_open/") && has("no facts record implies it"),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

#[test]
fn a_document_to_a_thousand_agencies_here_is_kept_and_counted() {
    on_both(|place| {
        let s = open_on(place);
        let to: Vec<String> = (0..1000)
            .map(|i| format!("{:03}.{:02}.21.H50", i % 1000, i / 1000))
            .collect();
        let refs: Vec<&str> = to.iter().map(String::as_str).collect();
        let t = vn("2026-11-02 09:00");
        let id = s
            .accept_with(
                &doc(
                    "A",
                    "BIG",
                    &refs,
                    DocFacts {
                        priority: 3,
                        due: Some(day("2026-11-04")),
                        subject: Some("Chỉ thị gửi toàn tỉnh".repeat(14)),
                        ..DocFacts::default()
                    },
                ),
                &deliver_all(&refs),
                t,
            )
            .unwrap()
            .id;
        // A hundred notify, half of them complete: each change rewrites one receipt.
        for (i, r) in to.iter().take(100).enumerate() {
            s.accept(&status(r, "A", "BIG", "01", 0), t.plus_millis(60_000))
                .unwrap();
            if i % 2 == 0 {
                s.accept(&status(r, "A", "BIG", "06", 0), vn("2026-11-03 10:00"))
                    .unwrap();
            }
        }
        let f = s.doc_facts(id).unwrap().unwrap();
        assert_eq!(f.recipients.len(), 1000);
        let c = counts(&s, "2026-11-02", "2026-11-02");
        let total = |k: fn(&Counts) -> u64| c.values().map(k).sum::<u64>();
        assert_eq!(total(|c| c.received), 1000);
        assert_eq!(total(|c| c.same_day), 100);
        assert_eq!(total(|c| c.urgent_met), 100);
        assert_eq!(total(|c| c.on_time), 50);
        let open = s
            .overdue_open(day("2026-11-01"), day("2026-11-30"), day("2026-11-10"))
            .unwrap();
        assert_eq!(open.values().sum::<u64>(), 950);
        healthy(&s);
    });
}

/// An operator searching for "the document 12/UBND-VP" or "the budget report" finds it by
/// number/symbol, subject or DocumentId, in any case, combined with the other filters.
#[test]
fn a_search_by_text_reads_the_number_subject_and_document_id() {
    on_both(|place| {
        let s = open_on(place);
        let at = vn("2026-11-02 10:00");
        for (id, number, subject) in [
            (
                "A,2026/11/02,12/UBND-VP",
                "12/UBND-VP",
                "V/v báo cáo Ngân sách quý IV",
            ),
            (
                "A,2026/11/02,13/UBND-VP",
                "13/UBND-VP",
                "V/v phối hợp triển khai",
            ),
            ("A,2026/11/02,112/SNV", "112/SNV", "V/v tuyển dụng"),
        ] {
            let facts = DocFacts {
                number: Some(number.into()),
                subject: Some(subject.into()),
                ..DocFacts::default()
            };
            s.accept_with(&doc("A", id, &["B"], facts), &deliver_all(&["B"]), at)
                .unwrap();
        }
        // A status has no facts: it is found by its DocumentId only.
        s.accept(&status("B", "A", "A,2026/11/02,12/UBND-VP", "01", 0), at)
            .unwrap();
        let find = |text: &str, state: Option<MessageState>| {
            let mut q = MessageQuery {
                text: Some(text.into()),
                ..MessageQuery::state(MessageState::Delivered, 100)
            };
            q.state = state;
            let page = s.find_messages(&q).unwrap();
            let mut ids: Vec<String> = page
                .messages
                .iter()
                .map(|m| m.document_id.clone().unwrap_or_default())
                .collect();
            ids.sort();
            ids
        };
        let d12 = "A,2026/11/02,12/UBND-VP".to_owned();
        // By number/symbol (the document) and by DocumentId (the document and its status).
        assert_eq!(find("12/UBND", None), vec![d12.clone(), d12.clone()]);
        assert_eq!(
            find("13/ubnd-vp", None),
            vec!["A,2026/11/02,13/UBND-VP".to_owned()]
        );
        // By subject, ignoring case, Vietnamese letters too.
        assert_eq!(find("ngân sách", None), vec![d12.clone()]);
        assert_eq!(
            find("TUYỂN DỤNG", None),
            vec!["A,2026/11/02,112/SNV".to_owned()]
        );
        assert_eq!(find("nothing like this", None), Vec::<String>::new());
        // With the other filters: none of them has been fetched.
        assert_eq!(
            find("12/UBND", Some(MessageState::Fetched)),
            Vec::<String>::new()
        );
        // An empty text is no filter.
        assert_eq!(find("", None).len(), 4);
    });
}
