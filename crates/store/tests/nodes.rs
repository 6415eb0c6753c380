//! Two stores on one PostgreSQL database, as two gateway nodes are: what one node knows of
//! the key spaces between its batches (`pg::known`) never outlives another node's write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lienthong_store::*;

mod common;
use common::{Place, req};

const T0: u64 = 1_760_000_000_000;

fn at(ms: u64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

fn deliver_to(agency: &str) -> Dispatch {
    Dispatch {
        deliver: vec![agency.into()],
        ..Dispatch::default()
    }
}

fn healthy(s: &KvStore) {
    let rep = s.check(VerifyLevel::BlobsHashed).unwrap();
    assert!(rep.problems.is_empty(), "{:#?}", rep.problems);
}

/// `sql` run by hand (psql) in the database of `place`; its output.
fn by_hand(place: &Place, sql: &str) -> String {
    let cluster = lienthong_testkit::postgres::shared().unwrap();
    let url = place.url.clone().unwrap();
    cluster.sql(url.rsplit('/').next().unwrap(), sql)
}

/// Two nodes on one new database, or `None` when PostgreSQL is not installed (required
/// under `LIENTHONG_REQUIRE_TOOLS=1`).
fn two_nodes() -> Option<(Place, KvStore, KvStore)> {
    let Some(place) = Place::postgres() else {
        eprintln!("skipped: PostgreSQL is not installed");
        return None;
    };
    let a = place.open(StoreConfig::default(), at(0)).unwrap();
    let b = place.open(StoreConfig::default(), at(0)).unwrap();
    Some((place, a, b))
}

/// Counters and inbox positions are read and written by every accept: taken in turn by two
/// nodes, each must start from the other's last write, never from what it knew before.
#[test]
fn accepts_taken_in_turn_by_two_nodes_keep_inboxes_and_counters_exact() {
    let Some((_place, a, b)) = two_nodes() else {
        return;
    };
    let order = [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0];
    let mut ids = Vec::new();
    for (i, node) in order.iter().enumerate() {
        let s = if *node == 0 { &a } else { &b };
        let mut r = req("A", format!("document {i}").as_bytes(), &["B"]);
        r.document_id = Some(format!("DOC-{i}"));
        let out = s
            .accept_with(&r, &deliver_to("B"), at(1 + i as u64))
            .unwrap();
        assert!(!out.duplicate);
        ids.push(out.id);
    }
    for s in [&a, &b] {
        let inbox = s.list_inbox("B", None, 100, None).unwrap();
        let got: Vec<MessageId> = inbox.iter().map(|i| i.id).collect();
        assert_eq!(got, ids, "every document once, in the order accepted");
        let mut cursors: Vec<_> = inbox.iter().map(|i| i.cursor).collect();
        cursors.dedup();
        assert_eq!(cursors.len(), ids.len(), "no inbox position given twice");
        let activity = s.agency_activity().unwrap();
        let of = |agency: &str| activity.iter().find(|x| x.agency == agency).unwrap();
        assert_eq!(of("A").sent_documents, 20);
        assert_eq!(of("B").received_documents, 20);
        assert_eq!(of("B").unacknowledged, 20);
        healthy(s);
    }
}

/// A node that read a key as absent under the lock (a refused delivery) and then sees
/// another node write it must use the other node's value.
#[test]
fn what_a_node_knew_absent_is_read_again_after_another_node_wrote_it() {
    let Some((_place, a, b)) = two_nodes() else {
        return;
    };
    let id = MessageId::new_v7(at(0));
    // Node b looks for the message under the lock: not there.
    assert_eq!(
        b.deliver(id, "B", at(1)).unwrap_err().code(),
        "store.not_found"
    );
    // Node a accepts it, relayed, into B's inbox.
    let mut r = req("A", b"relayed", &["B"]);
    r.origin = Origin::Relayed {
        from_gateway: "gw-1".into(),
        id,
        hops: vec!["gw-1".into()],
    };
    let out = a.accept_with(&r, &deliver_to("B"), at(2)).unwrap();
    assert_eq!((out.id, out.duplicate), (id, false));
    // Node b now finds the delivery made, and does not make it twice.
    let again = b.deliver(id, "B", at(3)).unwrap();
    assert!(again.duplicate, "delivered by node a already");
    assert_eq!(b.list_inbox("B", None, 10, None).unwrap().len(), 1);
    // And the same bytes relayed again to node b are a duplicate, not a second message.
    let dup = b.accept_with(&r, &deliver_to("B"), at(4)).unwrap();
    assert_eq!((dup.id, dup.duplicate), (id, true));
    healthy(&b);
}

/// A DocumentId changed on one node (an update) is the one the other node checks against.
#[test]
fn a_document_id_moved_by_one_node_is_checked_against_by_the_other() {
    let Some((_place, a, b)) = two_nodes() else {
        return;
    };
    let mut first = req("A", b"v1", &["B"]);
    first.document_id = Some("DOC-1".into());
    first.business = Some(BusinessType::New);
    let v1 = b.accept(&first, at(1)).unwrap();
    let mut update = first.clone();
    update.bytes = b"v2".to_vec();
    update.business = Some(BusinessType::Update);
    let v2 = a.accept(&update, at(2)).unwrap();
    assert_ne!(v1.id, v2.id);
    let mut changed = first.clone();
    changed.bytes = b"v3".to_vec();
    match b.accept(&changed, at(3)) {
        Err(StoreError::Conflict { existing, .. }) => {
            assert_eq!(existing, v2.id, "the DocumentId as node a left it")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.document_message("A", "DOC-1").unwrap(), Some(v2.id));
}

/// Any statement that changes the key spaces moves their generation on, whoever runs it
/// (here a hand-made fix in psql), so that no node keeps what it knew across it.
#[test]
fn every_change_to_the_key_spaces_moves_the_generation_on() {
    let Some((place, a, _b)) = two_nodes() else {
        return;
    };
    let psql = |sql: &str| by_hand(&place, sql);
    let state = || psql("SELECT gen || ' ' || stamp FROM lt_gen");
    let s0 = state();
    a.accept(&req("A", b"x", &["B"]), at(1)).unwrap();
    let s1 = state();
    assert_ne!(s0, s1, "an accept moved it on");
    psql("UPDATE lt_kv SET value = value WHERE space = 0 AND false");
    let s2 = state();
    assert_ne!(s1, s2, "a hand-made statement moved it on");
    let g = |s: &str| s.split_whitespace().next().unwrap().parse::<i64>().unwrap();
    assert!(g(&s2) > g(&s1) && g(&s1) > g(&s0));
    assert_eq!(psql("SELECT count(*) FROM lt_gen").trim(), "1");
}

/// A change made outside the nodes' batches (by hand) is in no node's record of changes:
/// a node that finds it forgets everything it knew, and reads the database again.
#[test]
fn a_hand_made_change_makes_a_node_forget_what_it_knew() {
    let Some((place, a, _b)) = two_nodes() else {
        return;
    };
    let psql = |sql: &str| by_hand(&place, sql);
    let mut first = req("A", b"v1", &["B"]);
    first.document_id = Some("DOC-9".into());
    first.business = Some(BusinessType::New);
    a.accept(&first, at(1)).unwrap();
    // By hand: the DocumentId record goes (space 2 is doc_ids).
    psql("DELETE FROM lt_kv WHERE space = 2");
    assert_eq!(a.document_message("A", "DOC-9").unwrap(), None);
    // Node a knew the record; it must not refuse a new document under that id now.
    let mut again = first.clone();
    again.bytes = b"v2".to_vec();
    let out = a.accept(&again, at(2)).unwrap();
    assert!(!out.duplicate);
    assert_eq!(a.document_message("A", "DOC-9").unwrap(), Some(out.id));
}
