//! Unit tests of every store operation, including the failure paths.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use lienthong_store::*;

mod common;
use common::{Place, on_both, raw_sled, req};

/// The payload-log segment files, in order.
fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("payloads"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Where the payload log holds a record of `bytes` (its digest, then the bytes): the segment
/// and the offset of the first payload byte.
fn record_of(dir: &Path, bytes: &[u8]) -> Option<(PathBuf, u64)> {
    let mut needle = Sha256::digest(bytes).as_bytes().to_vec();
    needle.extend_from_slice(bytes);
    for seg in segments(dir) {
        let data = std::fs::read(&seg).unwrap();
        if let Some(pos) = data.windows(needle.len()).position(|w| w == needle) {
            return Some((seg, (pos + 32) as u64));
        }
    }
    None
}

const T0: u64 = 1_700_000_000_000;

fn at(ms: u64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

/// An operator action with no note.
fn op() -> ActionBy {
    ActionBy::operator("op-test", None)
}

fn config() -> StoreConfig {
    StoreConfig {
        retry: RetryPolicy {
            base_ms: 1_000,
            factor: 2.0,
            cap_ms: 5_000,
            jitter_percent: 0,
            max_attempts: 5,
            max_age_ms: 60_000,
        },
        retention_ms: 10_000,
        ..StoreConfig::default()
    }
}

fn open(dir: &Path) -> KvStore {
    KvStore::open_at(dir, config(), at(0)).unwrap()
}

/// Open (or reopen) the store of `place`, sled or PostgreSQL.
fn open_on(place: &Place) -> KvStore {
    place.open(config(), at(0)).unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn healthy(s: &KvStore) {
    let rep = s.check(VerifyLevel::BlobsHashed).unwrap();
    assert!(rep.problems.is_empty(), "{:#?}", rep.problems);
}

fn rstate(s: &KvStore, id: MessageId, r: &str) -> RecipientState {
    s.message(id).unwrap().recipients[r].clone()
}

fn events(s: &KvStore, id: MessageId) -> Vec<String> {
    s.history(id)
        .unwrap()
        .into_iter()
        .map(|h| {
            serde_json::to_value(&h.event).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

// ---------- identifiers ----------

#[test]
fn ids_and_digests_roundtrip() {
    let id = MessageId::new_v7(at(0));
    let s = id.to_string();
    assert_eq!(s.len(), 36);
    assert_eq!(s.parse::<MessageId>().unwrap(), id);
    assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{s}\""));
    assert_eq!(
        serde_json::from_str::<MessageId>(&format!("\"{s}\"")).unwrap(),
        id
    );
    assert!(
        "67e55044-10b1-426f-9247-bb680e5fe0c8"
            .parse::<MessageId>()
            .is_err(),
        "v4"
    );
    assert!(
        "67e5504410b1426f9247bb680e5fe0c8"
            .parse::<MessageId>()
            .is_err(),
        "simple form"
    );
    assert!(serde_json::from_str::<MessageId>("\"x\"").is_err());

    let sha = Sha256::digest(b"abc");
    assert_eq!(
        sha.to_string(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(sha.to_string().parse::<Sha256>().unwrap(), sha);
    assert_eq!(
        serde_json::from_value::<Sha256>(serde_json::to_value(sha).unwrap()).unwrap(),
        sha
    );
    assert!("zz".repeat(32).parse::<Sha256>().is_err());
    assert!("ab".parse::<Sha256>().is_err());
}

// ---------- accept ----------

#[test]
fn accept_is_idempotent_and_survives_reopen() {
    on_both(|place| {
        let (id, sha) = {
            let s = open_on(place);
            let a = s.accept(&req("A", b"doc-1", &["B", "C"]), at(1)).unwrap();
            assert!(!a.duplicate);
            assert_eq!(a.sha256, Sha256::digest(b"doc-1"));
            let b = s.accept(&req("A", b"doc-1", &["B", "C"]), at(2)).unwrap();
            assert!(b.duplicate);
            assert_eq!(b.id, a.id);
            // Same bytes from another sender: another message, same blob.
            let c = s.accept(&req("Z", b"doc-1", &["B"]), at(3)).unwrap();
            assert!(!c.duplicate);
            assert_ne!(c.id, a.id);
            healthy(&s);
            (a.id, a.sha256)
        };
        let s = open_on(place);
        let m = s.message(id).unwrap();
        assert_eq!(m.sha256, sha);
        assert_eq!(m.sender, "A");
        assert_eq!(m.state, MessageState::Accepted);
        assert_eq!(m.accepted_at, at(1));
        assert_eq!(s.read_payload(id).unwrap(), b"doc-1");
        assert_eq!(events(&s, id), vec!["accepted"]);
        assert!(
            s.accept(&req("A", b"doc-1", &["B"]), at(9))
                .unwrap()
                .duplicate
        );
        healthy(&s);
    });
}

#[test]
fn relayed_messages_keep_their_id_and_dedupe_by_it() {
    on_both(|place| {
        let s = open_on(place);
        let id = MessageId::new_v7(at(0));
        let mut r = req("A", b"relayed", &["B"]);
        r.origin = Origin::Relayed {
            from_gateway: "gw-1".into(),
            id,
            hops: vec!["gw-0".into(), "gw-1".into()],
        };
        let a = s.accept(&r, at(1)).unwrap();
        assert_eq!((a.id, a.duplicate), (id, false));
        let again = s.accept(&r, at(2)).unwrap();
        assert_eq!((again.id, again.duplicate), (id, true));
        assert_eq!(s.message(id).unwrap().origin, r.origin);

        r.bytes = b"other bytes".to_vec();
        let e = s.accept(&r, at(3)).unwrap_err();
        assert_eq!(e.code(), "store.id_conflict");
        healthy(&s);
    });
}

/// A relay of the same sender's same bytes under a new id is a replay: refused, and
/// nothing changes, so no inbox can get the document twice.
#[test]
fn a_relay_replayed_under_a_new_id_is_refused() {
    on_both(|place| {
        let s = open_on(place);
        let first = MessageId::new_v7(at(0));
        let relayed = |id| {
            let mut r = req("A", b"signed once", &["B"]);
            r.origin = Origin::Relayed {
                from_gateway: "gw-1".into(),
                id,
                hops: vec!["gw-0".into(), "gw-1".into()],
            };
            r
        };
        s.accept(&relayed(first), at(1)).unwrap();
        let replay = MessageId::new_v7(at(5));
        let e = s.accept(&relayed(replay), at(6)).unwrap_err();
        assert_eq!(e.code(), "store.replayed");
        assert!(e.to_string().contains(&first.to_string()), "{e}");
        assert_eq!(s.message(replay).unwrap_err().code(), "store.not_found");
        // The honest resend under the first id is still a duplicate, not a replay.
        assert!(s.accept(&relayed(first), at(7)).unwrap().duplicate);
        // Another sender's same bytes are another document.
        let mut other = relayed(MessageId::new_v7(at(8)));
        other.sender = "C".into();
        assert!(!s.accept(&other, at(9)).unwrap().duplicate);
        healthy(&s);
    });
}

#[test]
fn document_id_reuse_is_a_conflict_unless_update_revoke_or_replace() {
    on_both(|place| {
        let s = open_on(place);
        let mut r = req("A", b"v1", &["B"]);
        r.document_id = Some("DOC-1".into());
        r.business = Some(BusinessType::New);
        let first = s.accept(&r, at(1)).unwrap();
        assert_eq!(s.document_message("A", "DOC-1").unwrap(), Some(first.id));
        assert_eq!(s.document_message("B", "DOC-1").unwrap(), None);
        assert_eq!(s.document_message("A", "DOC-2").unwrap(), None);
        assert_eq!(
            s.document_message("", "DOC-1").unwrap_err().code(),
            "store.invalid_input"
        );

        let mut changed = r.clone();
        changed.bytes = b"v2".to_vec();
        let e = s.accept(&changed, at(2)).unwrap_err();
        assert_eq!(e.code(), "store.conflict");
        match &e {
            StoreError::Conflict {
                document_id,
                existing,
                ..
            } => {
                assert_eq!(document_id, "DOC-1");
                assert_eq!(*existing, first.id);
            }
            other => panic!("{other:?}"),
        }
        // The refused payload left no trace.
        if place.url.is_none() {
            assert_eq!(record_of(place.dir.path(), b"v2"), None);
        }
        if place.url.is_none() {
            assert!(record_of(place.dir.path(), b"v1").is_some());
        }

        // No business type at all: still a conflict.
        changed.business = None;
        assert_eq!(
            s.accept(&changed, at(2)).unwrap_err().code(),
            "store.conflict"
        );

        for (i, b) in [
            BusinessType::Update,
            BusinessType::Replace,
            BusinessType::Revoke,
        ]
        .into_iter()
        .enumerate()
        {
            let mut u = r.clone();
            u.bytes = format!("v{}", i + 3).into_bytes();
            u.business = Some(b);
            let out = s.accept(&u, at(3)).unwrap();
            assert!(!out.duplicate);
            // The DocumentId now finds the latest version.
            assert_eq!(s.document_message("A", "DOC-1").unwrap(), Some(out.id));
        }
        // Another sender may use the same DocumentId.
        let mut other = changed.clone();
        other.sender = "Z".into();
        other.business = None;
        s.accept(&other, at(4)).unwrap();
        // Status packages refer to a document's id and never conflict.
        let mut st = req("A", b"status 01", &["B"]);
        st.kind = MessageKind::Status;
        st.document_id = Some("DOC-1".into());
        s.accept(&st, at(5)).unwrap();
        st.bytes = b"status 03".to_vec();
        s.accept(&st, at(6)).unwrap();
        healthy(&s);
    });
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    on_both(|place| {
        let s = open_on(place);
        for r in [
            req("", b"x", &["B"]),
            req("A", b"x", &[]),
            req("A", b"x", &["B", "B"]),
            req(&"A".repeat(256), b"x", &["B"]),
            req("A", b"x", &[""]),
        ] {
            assert_eq!(
                s.accept(&r, at(1)).unwrap_err().code(),
                "store.invalid_input",
                "{r:?}"
            );
        }
        let mut long_doc = req("A", b"x", &["B"]);
        long_doc.document_id = Some("d".repeat(2000));
        assert_eq!(
            s.accept(&long_doc, at(1)).unwrap_err().code(),
            "store.invalid_input"
        );
        // Limits that keep sled values small (see the crate docs).
        let many: Vec<String> = (0..1001).map(|i| format!("A{i}")).collect();
        let mut too_many = req("A", b"x", &["B"]);
        too_many.recipients = many;
        assert_eq!(
            s.accept(&too_many, at(1)).unwrap_err().code(),
            "store.invalid_input"
        );
        let stats = s.queue_stats(at(1)).unwrap();
        assert!(stats.states.values().all(|&n| n == 0));
        let ok = s.accept(&req("A", b"x", &["B"]), at(1)).unwrap();
        let huge = vec![b'r'; 200 * 1024];
        assert_eq!(
            s.put_issued_receipt(ok.id, &huge, at(1))
                .unwrap_err()
                .code(),
            "store.invalid_input"
        );
        s.enqueue(ok.id, "gw", &strings(&["B"]), at(1), at(1))
            .unwrap();
        let l = s.lease("gw", at(1), 1, 100).unwrap().pop().unwrap();
        assert_eq!(
            s.ack_lease(&l, &huge, at(2)).unwrap_err().code(),
            "store.invalid_input"
        );
        assert_eq!(
            s.ack_lease(&l, b"fine", at(2)).unwrap(),
            AckOutcome::Recorded
        );
        let unknown = MessageId::new_v7(at(0));
        assert_eq!(s.message(unknown).unwrap_err().code(), "store.not_found");
        assert_eq!(
            s.read_payload(unknown).unwrap_err().code(),
            "store.not_found"
        );
        assert_eq!(s.history(unknown).unwrap_err().code(), "store.not_found");
        assert_eq!(
            s.suspend(unknown, at(1), &op()).unwrap_err().code(),
            "store.not_found"
        );
        assert_eq!(
            s.deliver(unknown, "B", at(1)).unwrap_err().code(),
            "store.not_found"
        );
        assert_eq!(
            s.enqueue(unknown, "gw", &strings(&["B"]), at(1), at(1))
                .unwrap_err()
                .code(),
            "store.not_found"
        );
        healthy(&s);
    });
}

// ---------- payloads ----------

#[test]
fn corrupt_or_missing_payloads_are_detected_on_read_and_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let s = open(dir.path());
        s.accept(&req("A", b"precious bytes", &["B"]), at(1))
            .unwrap()
            .id
    };
    let (path, off) = record_of(dir.path(), b"precious bytes").unwrap();
    // Same size, one bit flipped: read detects it; open with full hashing refuses.
    {
        use std::os::unix::fs::FileExt;
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(b"z", off + 13).unwrap();
    }
    {
        let s = open(dir.path()); // default check is presence + size: passes
        let e = s.read_payload(id).unwrap_err();
        assert_eq!(e.code(), "store.corrupt");
        assert!(e.to_string().contains(&id.to_string()), "{e}");
        assert_eq!(s.check(VerifyLevel::BlobsHashed).unwrap().problems.len(), 1);
    }
    let strict = StoreConfig {
        verify_on_open: VerifyLevel::BlobsHashed,
        ..config()
    };
    let e = KvStore::open_at(dir.path(), strict, at(2)).unwrap_err();
    assert_eq!(e.code(), "store.corrupt");

    // Truncated: the default open refuses.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(off + 8)
        .unwrap();
    let e = KvStore::open_at(dir.path(), config(), at(2)).unwrap_err();
    assert_eq!(e.code(), "store.corrupt");
    assert!(
        e.to_string().contains("cut short") && e.to_string().contains("00000001.log"),
        "{e}"
    );

    // Missing: refuses, naming the segment and the payload, and creates nothing.
    std::fs::remove_file(&path).unwrap();
    let e = KvStore::open_at(dir.path(), config(), at(2)).unwrap_err();
    assert_eq!(e.code(), "store.corrupt");
    let msg = e.to_string();
    let sha = Sha256::digest(b"precious bytes").to_hex();
    assert!(
        msg.contains("missing") && msg.contains(&sha) && msg.contains("00000001.log"),
        "{msg}"
    );
    assert!(segments(dir.path()).is_empty());

    // Forensics: open without checks still works and reads report the damage.
    let off = StoreConfig {
        verify_on_open: VerifyLevel::Off,
        ..config()
    };
    let s = KvStore::open_at(dir.path(), off, at(2)).unwrap();
    assert_eq!(s.read_payload(id).unwrap_err().code(), "store.corrupt");
}

#[test]
fn orphan_payloads_are_ignored_then_swept_and_dead_segments_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let kept = vec![b'k'; 5000];
    {
        let s = open(dir.path());
        s.accept(&req("A", &kept, &["B"]), at(1)).unwrap();
    }
    // A writer that crashed after appending 20 KB but before its metadata was committed, then
    // a segment rotation, and a segment holding only a crashed writer's record.
    let seg1 = dir.path().join("payloads/00000001.log");
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&seg1)
            .unwrap();
        f.write_all(&[b'o'; 20_000]).unwrap();
    }
    std::fs::write(dir.path().join("payloads/00000002.log"), [b'x'; 100]).unwrap();
    std::fs::write(dir.path().join("payloads/00000003.log"), b"").unwrap();
    let s = open(dir.path());
    let names: Vec<_> = segments(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["00000001.log", "00000003.log"],
        "dead segment 2 removed"
    );
    healthy(&s);
    use std::os::unix::fs::MetadataExt;
    let blocks_before = std::fs::metadata(&seg1).unwrap().blocks();
    assert_eq!(s.sweep_orphan_payloads().unwrap(), 1);
    assert_eq!(s.sweep_orphan_payloads().unwrap(), 0, "already reclaimed");
    let blocks_after = std::fs::metadata(&seg1).unwrap().blocks();
    assert!(
        blocks_after + 32 <= blocks_before,
        "at least 16 KiB given back: {blocks_before} -> {blocks_after} blocks"
    );
    assert_eq!(std::fs::metadata(&seg1).unwrap().len(), 48 + 5000 + 20_000);
    healthy(&s);
    let a = s.accept(&req("C", &kept, &["B"]), at(2)).unwrap();
    assert_eq!(s.read_payload(a.id).unwrap(), kept);
}

#[test]
fn purging_deletes_segments_whose_payloads_are_all_gone() {
    let dir = tempfile::tempdir().unwrap();
    let small = StoreConfig {
        segment_bytes: 300,
        ..config()
    };
    let s = KvStore::open_at(dir.path(), small.clone(), at(0)).unwrap();
    let mut ids = Vec::new();
    for i in 0..4u8 {
        // 48-byte header + 200 bytes: one payload per segment.
        let a = s.accept(&req("A", &[i; 200], &["B"]), at(0)).unwrap();
        if i < 3 {
            s.cancel(a.id, at(1), &op()).unwrap();
        }
        ids.push(a.id);
    }
    assert_eq!(segments(dir.path()).len(), 4);
    assert_eq!(s.purge_expired(at(20_000), 100).unwrap(), 3);
    let left: Vec<_> = segments(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["00000004.log"]);
    assert_eq!(s.read_payload(ids[3]).unwrap(), vec![3u8; 200]);
    healthy(&s);
    drop(s);
    let s = KvStore::open_at(dir.path(), small, at(0)).unwrap();
    healthy(&s);
    let b = s.accept(&req("A", &[9; 200], &["B"]), at(30_000)).unwrap();
    assert_eq!(s.read_payload(b.id).unwrap(), vec![9u8; 200]);
    assert_eq!(segments(dir.path()).len(), 2, "sealed 4, appended to 5");
}

#[test]
fn unknown_format_version_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    {
        let db = raw_sled(dir.path());
        // The format marker: key "format" of the `meta` space (tag 15) of the tree "store".
        db.open_tree("store")
            .unwrap()
            .insert(b"\x0fformat", &[9u8])
            .unwrap();
        db.flush().unwrap();
    }
    let e = KvStore::open_at(dir.path(), config(), at(0)).unwrap_err();
    assert_eq!(e.code(), "store.unsupported_format");
}

#[test]
fn a_store_of_an_earlier_layout_is_refused_not_read_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Formats 1 and 2 kept the marker in a sled tree of its own.
        let db = raw_sled(dir.path());
        db.open_tree("meta")
            .unwrap()
            .insert("format", &[2u8])
            .unwrap();
        db.open_tree("messages")
            .unwrap()
            .insert([1u8; 16], &b"a message"[..])
            .unwrap();
        db.flush().unwrap();
    }
    let e = KvStore::open_at(dir.path(), config(), at(0)).unwrap_err();
    assert_eq!(e.code(), "store.unsupported_format");
    assert_eq!(
        e.to_string(),
        "unsupported store format version 2 (this build reads version 4)"
    );
}

// ---------- receipts ----------

#[test]
fn issued_receipt_first_one_wins() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(1)).unwrap();
        assert_eq!(s.issued_receipt(a.id).unwrap(), None);
        assert_eq!(
            s.put_issued_receipt(a.id, b"<receipt 1/>", at(2)).unwrap(),
            b"<receipt 1/>"
        );
        assert_eq!(
            s.put_issued_receipt(a.id, b"<receipt 2/>", at(3)).unwrap(),
            b"<receipt 1/>"
        );
        assert_eq!(s.issued_receipt(a.id).unwrap().unwrap(), b"<receipt 1/>");
        let unknown = MessageId::new_v7(at(0));
        assert_eq!(
            s.put_issued_receipt(unknown, b"r", at(1))
                .unwrap_err()
                .code(),
            "store.not_found"
        );
        assert_eq!(
            s.issued_receipt(unknown).unwrap_err().code(),
            "store.not_found"
        );
        drop(s);
        let s = open_on(place);
        assert_eq!(s.issued_receipt(a.id).unwrap().unwrap(), b"<receipt 1/>");
    });
}

// ---------- queues ----------

#[test]
fn enqueue_lease_ack_records_receipt_and_relays() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B", "C", "D"]), at(1)).unwrap();
        s.enqueue(a.id, "gw-p", &strings(&["B", "C"]), at(1), at(1))
            .unwrap();
        assert_eq!(
            rstate(&s, a.id, "B"),
            RecipientState::Queued { hop: "gw-p".into() }
        );
        assert_eq!(rstate(&s, a.id, "D"), RecipientState::Accepted);
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Queued);
        // Same hop twice, unknown recipient, recipient already queued: refused.
        assert_eq!(
            s.enqueue(a.id, "gw-p", &strings(&["D"]), at(1), at(1))
                .unwrap_err()
                .code(),
            "store.invalid_state"
        );
        assert_eq!(
            s.enqueue(a.id, "gw-q", &strings(&["X"]), at(1), at(1))
                .unwrap_err()
                .code(),
            "store.invalid_input"
        );
        assert_eq!(
            s.enqueue(a.id, "gw-q", &strings(&["B"]), at(1), at(1))
                .unwrap_err()
                .code(),
            "store.invalid_state"
        );
        assert_eq!(
            s.enqueue(a.id, "", &strings(&["D"]), at(1), at(1))
                .unwrap_err()
                .code(),
            "store.invalid_input"
        );

        let leases = s.lease("gw-p", at(2), 10, 30_000).unwrap();
        assert_eq!(leases.len(), 1);
        let l = &leases[0];
        assert_eq!(
            (l.id, l.attempt, l.deadline, l.sha256),
            (a.id, 1, at(30_002), a.sha256)
        );
        assert_eq!(l.recipients, strings(&["B", "C"]));
        assert_eq!(
            rstate(&s, a.id, "C"),
            RecipientState::InFlight {
                hop: "gw-p".into(),
                attempt: 1
            }
        );
        assert!(
            s.lease("gw-p", at(3), 10, 30_000).unwrap().is_empty(),
            "leased entries are not leased twice"
        );

        assert_eq!(
            s.ack_lease(l, b"<signed receipt/>", at(4)).unwrap(),
            AckOutcome::Recorded
        );
        let sha = Sha256::digest(b"<signed receipt/>");
        assert_eq!(
            rstate(&s, a.id, "B"),
            RecipientState::Relayed {
                hop: "gw-p".into(),
                receipt_sha256: sha
            }
        );
        assert!(s.queue_entries(a.id).unwrap().is_empty());
        let rr = s.received_receipts(a.id).unwrap();
        assert_eq!(rr.len(), 1);
        assert_eq!(
            (rr[0].hop.as_str(), rr[0].at, rr[0].bytes.as_slice()),
            ("gw-p", at(4), &b"<signed receipt/>"[..])
        );
        assert_eq!(
            s.ack_lease(l, b"<signed receipt/>", at(5)).unwrap(),
            AckOutcome::AlreadyRelayed
        );
        assert_eq!(
            events(&s, a.id),
            vec!["accepted", "queued", "in_flight", "relayed"]
        );
        let h = s.history(a.id).unwrap();
        assert_eq!(
            h.iter().map(|e| e.at).collect::<Vec<_>>(),
            vec![at(1), at(1), at(2), at(4)]
        );
        healthy(&s);
    });
}

#[test]
fn lease_takes_due_items_oldest_first_up_to_limit() {
    on_both(|place| {
        let s = open_on(place);
        let mut ids = Vec::new();
        for i in 0..5u64 {
            let a = s
                .accept(&req("A", format!("m{i}").as_bytes(), &["B"]), at(0))
                .unwrap();
            // due times 50, 40, 30, 20, 10
            s.enqueue(a.id, "gw", &strings(&["B"]), at(50 - 10 * i), at(0))
                .unwrap();
            ids.push(a.id);
        }
        let other = s.accept(&req("A", b"other hop", &["B"]), at(0)).unwrap();
        s.enqueue(other.id, "gw2", &strings(&["B"]), at(0), at(0))
            .unwrap();
        assert_eq!(s.next_due("gw").unwrap(), Some(at(10)));
        assert_eq!(s.next_due("nobody").unwrap(), None);
        assert!(s.lease("gw", at(9), 10, 1000).unwrap().is_empty());
        let l = s.lease("gw", at(35), 2, 1000).unwrap();
        assert_eq!(
            l.iter().map(|l| l.id).collect::<Vec<_>>(),
            vec![ids[4], ids[3]]
        );
        let l = s.lease("gw", at(35), 10, 1000).unwrap();
        assert_eq!(l.iter().map(|l| l.id).collect::<Vec<_>>(), vec![ids[2]]);
        assert!(s.lease("gw", at(35), 0, 1000).unwrap().is_empty());
        assert_eq!(s.lease("gw", at(100), 10, 1000).unwrap().len(), 2);
        assert_eq!(s.lease("gw2", at(100), 10, 1000).unwrap().len(), 1);
        healthy(&s);
    });
}

#[test]
fn failures_back_off_exponentially_capped_then_dead_after_attempts() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let mut now = at(0);
        let mut delays = Vec::new();
        for attempt in 1..=4u32 {
            let l = s.lease("gw", now, 1, 100).unwrap().pop().unwrap();
            assert_eq!(l.attempt, attempt);
            let FailOutcome::RetryAt(next) = s.fail_lease(&l, "connection refused", now).unwrap()
            else {
                panic!("expected a retry")
            };
            assert_eq!(
                rstate(&s, a.id, "B"),
                RecipientState::RetryScheduled {
                    hop: "gw".into(),
                    at: next,
                    attempt
                }
            );
            assert_eq!(s.message(a.id).unwrap().state, MessageState::RetryScheduled);
            assert!(
                s.lease("gw", now, 1, 100).unwrap().is_empty(),
                "not due before the backoff"
            );
            delays.push(next.millis_since(now));
            now = next;
        }
        assert_eq!(
            delays,
            vec![1000, 2000, 4000, 5000],
            "grows ×2 and is capped at 5 s"
        );
        let l = s.lease("gw", now, 1, 100).unwrap().pop().unwrap();
        assert_eq!(l.attempt, 5);
        assert_eq!(
            s.fail_lease(&l, "still refused", now).unwrap(),
            FailOutcome::Dead
        );
        assert!(matches!(rstate(&s, a.id, "B"), RecipientState::Dead { .. }));
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Dead);
        assert!(s.lease("gw", at(1_000_000), 10, 100).unwrap().is_empty());
        let e = &s.queue_entries(a.id).unwrap()[0];
        assert!(matches!(e.status, EntryStatus::Dead { .. }));
        assert_eq!(events(&s, a.id).last().unwrap(), "dead");
        // Failing again with the stale lease is refused.
        assert_eq!(
            s.fail_lease(&l, "x", now).unwrap_err().code(),
            "store.invalid_state"
        );
        let st = s.queue_stats(now).unwrap();
        assert_eq!(st.states[&MessageState::Dead], 1);
        assert_eq!(st.hops[0].depth, 0);

        // Operator retry: due now, fresh attempt budget.
        s.retry_now(a.id, now, &op()).unwrap();
        assert_eq!(
            rstate(&s, a.id, "B"),
            RecipientState::Queued { hop: "gw".into() }
        );
        let l = s.lease("gw", now, 1, 100).unwrap().pop().unwrap();
        assert_eq!(l.attempt, 1);
        assert!(matches!(
            s.fail_lease(&l, "x", now).unwrap(),
            FailOutcome::RetryAt(_)
        ));
        // retry_now also pulls a scheduled retry forward.
        s.retry_now(a.id, now, &op()).unwrap();
        assert_eq!(s.lease("gw", now, 1, 100).unwrap().len(), 1);
        // Nothing dead or scheduled now: refused.
        assert_eq!(
            s.retry_now(a.id, now, &op()).unwrap_err().code(),
            "store.invalid_state"
        );
        healthy(&s);
    });
}

#[test]
fn a_recovered_link_pulls_its_scheduled_retries_forward() {
    on_both(|place| {
        let s = open_on(place);
        // Three messages to "gw" and one to "other", each failed once: retries due at t = 1000.
        let mut ids = Vec::new();
        for (i, hop) in ["gw", "gw", "gw", "other"].into_iter().enumerate() {
            let a = s
                .accept(&req("A", format!("m{i}").as_bytes(), &["B"]), at(0))
                .unwrap();
            s.enqueue(a.id, hop, &strings(&["B"]), at(0), at(0))
                .unwrap();
            let l = s.lease(hop, at(0), 1, 100).unwrap().pop().unwrap();
            s.fail_lease(&l, "connection refused", at(0)).unwrap();
            ids.push(a.id);
        }
        // A fourth to "gw" that is due anyway, and a suspended one: both left alone.
        let due = s.accept(&req("A", b"due", &["B"]), at(0)).unwrap().id;
        s.enqueue(due, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let held = s.accept(&req("A", b"held", &["B"]), at(0)).unwrap().id;
        s.enqueue(held, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        s.suspend(held, at(0), &op()).unwrap();

        // The link works again at t = 10: two, then one, then none, in batches of two.
        let now = at(10);
        assert_eq!(s.retry_hop_now("gw", now, 2).unwrap(), 2);
        assert_eq!(s.retry_hop_now("gw", now, 2).unwrap(), 1);
        assert_eq!(s.retry_hop_now("gw", now, 2).unwrap(), 0);
        for id in &ids[..3] {
            assert_eq!(
                rstate(&s, *id, "B"),
                RecipientState::Queued { hop: "gw".into() }
            );
            assert_eq!(events(&s, *id).last().unwrap(), "link_recovered");
        }
        // The other hop's retry still waits; the due one and the suspended one have no such event.
        assert!(matches!(
            rstate(&s, ids[3], "B"),
            RecipientState::RetryScheduled { .. }
        ));
        assert!(!events(&s, due).contains(&"link_recovered".to_owned()));
        assert!(!events(&s, held).contains(&"link_recovered".to_owned()));
        // All four are due now; the next attempt is the second of the three that failed.
        let leases = s.lease("gw", now, 10, 100).unwrap();
        let mut attempts: Vec<u32> = leases.iter().map(|l| l.attempt).collect();
        attempts.sort();
        assert_eq!(attempts, vec![1, 2, 2, 2]);
        // Bad input: a hop name that cannot be one.
        assert_eq!(
            s.retry_hop_now("", now, 10).unwrap_err().code(),
            "store.invalid_input"
        );
        healthy(&s);
    });
}

#[test]
fn dead_after_max_age() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let l = s.lease("gw", at(59_999), 1, 100).unwrap().pop().unwrap();
        assert!(matches!(
            s.fail_lease(&l, "x", at(59_999)).unwrap(),
            FailOutcome::RetryAt(_)
        ));
        let l = s.lease("gw", at(70_000), 1, 100).unwrap().pop().unwrap();
        assert_eq!(l.attempt, 2);
        assert_eq!(
            s.fail_lease(&l, "x", at(70_000)).unwrap(),
            FailOutcome::Dead
        );
        healthy(&s);
    });
}

#[test]
fn expired_leases_become_leasable_and_late_acks_still_count() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let first = s.lease("gw", at(1), 1, 1000).unwrap().pop().unwrap();
        assert!(
            s.lease("gw", at(1000), 1, 1000).unwrap().is_empty(),
            "deadline not passed yet"
        );
        let second = s.lease("gw", at(1001), 1, 1000).unwrap().pop().unwrap();
        assert_eq!(second.attempt, 2);
        assert!(events(&s, a.id).contains(&"lease_expired".to_owned()));
        // The first holder's failure is stale.
        assert_eq!(
            s.fail_lease(&first, "late", at(1002)).unwrap_err().code(),
            "store.invalid_state"
        );
        // But its receipt is real: recorded.
        assert_eq!(
            s.ack_lease(&first, b"r", at(1003)).unwrap(),
            AckOutcome::Recorded
        );
        assert_eq!(
            s.ack_lease(&second, b"r", at(1004)).unwrap(),
            AckOutcome::AlreadyRelayed
        );
        healthy(&s);
    });
}

#[test]
fn a_renewed_lease_stays_its_senders_and_a_stale_one_cannot_be_renewed() {
    on_both(|place| {
        let s = open_on(place);
        let a = s
            .accept(&req("A", b"slow transfer", &["B"]), at(0))
            .unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let l = s.lease("gw", at(1), 10, 1_000).unwrap().pop().unwrap();
        // Still sending at 800 ms: renewed until 5 s.
        assert!(s.renew_lease(&l, at(5_000)).unwrap());
        assert!(
            s.lease("gw", at(2_000), 10, 1_000).unwrap().is_empty(),
            "not leased again before the renewed deadline"
        );
        healthy(&s);
        // The sender went quiet: at the renewed deadline another takes it.
        let again = s.lease("gw", at(5_001), 10, 1_000).unwrap();
        assert_eq!((again.len(), again[0].attempt), (1, 2));
        assert!(
            !s.renew_lease(&l, at(9_000)).unwrap(),
            "the first lease is no longer current"
        );
        assert!(s.renew_lease(&again[0], at(9_000)).unwrap());
        s.ack_lease(&again[0], b"receipt", at(6_000)).unwrap();
        assert!(
            !s.renew_lease(&again[0], at(10_000)).unwrap(),
            "acknowledged"
        );
        assert!(events(&s, a.id).contains(&"lease_expired".to_owned()));
        healthy(&s);
    });
}

#[test]
fn reopening_restores_in_flight_leases_on_sled_and_leaves_them_to_expire_on_postgres() {
    on_both(|place| {
        let id = {
            let s = open_on(place);
            let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
            s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
                .unwrap();
            assert_eq!(s.lease("gw", at(1), 10, 3_600_000).unwrap().len(), 1);
            a.id
        };
        let s = open_on(place);
        if place.url.is_some() {
            // On PostgreSQL another node of the gateway may hold the lease: opening leaves it
            // alone, and it is leased again once its deadline has passed.
            assert_eq!(
                rstate(&s, id, "B"),
                RecipientState::InFlight {
                    hop: "gw".into(),
                    attempt: 1
                }
            );
            assert!(s.lease("gw", at(2), 10, 1000).unwrap().is_empty());
            let l = s.lease("gw", at(3_600_002), 10, 1000).unwrap();
            assert_eq!((l.len(), l[0].attempt), (1, 2));
            healthy(&s);
            return;
        }
        assert_eq!(
            rstate(&s, id, "B"),
            RecipientState::Queued { hop: "gw".into() }
        );
        assert_eq!(s.queue_stats(at(2)).unwrap().hops[0].in_flight, 0);
        let l = s.lease("gw", at(2), 10, 1000).unwrap();
        assert_eq!(
            l.len(),
            1,
            "the lease is available long before its deadline"
        );
        assert_eq!(l[0].attempt, 2);
        healthy(&s);
    });
}

// ---------- operator actions ----------

#[test]
fn operator_actions_record_who_and_why_and_refuse_bad_notes_without_a_trace() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let before = s.history(a.id).unwrap();
        for (bad, why) in [
            (
                ActionBy::operator("op-an", Some("x".repeat(ActionBy::MAX_NOTE + 1))),
                "longer than",
            ),
            (
                ActionBy::operator("op-an", Some("line\nbreak".into())),
                "control or invisible",
            ),
            (
                ActionBy::operator("op\u{1b}[31m", None),
                "control or invisible",
            ),
            (
                // A right-to-left override: the terminal would show the note reversed.
                ActionBy::operator("op-an", Some("gửi \u{202E}nhầm".into())),
                "control or invisible",
            ),
        ] {
            let e = s.suspend(a.id, at(1), &bad).unwrap_err();
            assert_eq!(e.code(), "store.invalid_input", "{e}");
            assert!(e.to_string().contains(why), "{e}");
        }
        assert_eq!(
            s.history(a.id).unwrap(),
            before,
            "a refused action leaves no trace"
        );
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Queued);

        let held = ActionBy::operator(
            "op-an",
            Some("Sở Nội vụ hỏi lại người nhận, phiếu #4711".into()),
        );
        s.suspend(a.id, at(2), &held).unwrap();
        let freed = ActionBy::operator("op-binh", None);
        s.resume(a.id, at(3), &freed).unwrap();
        let h = s.history(a.id).unwrap();
        assert_eq!(h[h.len() - 2].event, Event::Suspended { by: held });
        assert_eq!(h[h.len() - 1].event, Event::Resumed { by: freed });
        // Kept across a reopen, as JSON with flat fields next to the tag.
        drop(s);
        let s = open_on(place);
        let h = s.history(a.id).unwrap();
        let shown = serde_json::to_value(&h[h.len() - 2]).unwrap();
        assert_eq!(shown["event"]["event"], "suspended");
        assert_eq!(shown["event"]["operator"], "op-an");
        assert_eq!(
            shown["event"]["note"],
            "Sở Nội vụ hỏi lại người nhận, phiếu #4711"
        );
        healthy(&s);
    });
}

#[test]
fn suspend_resume_cancel() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B", "C", "L"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        s.deliver(a.id, "L", at(0)).unwrap();
        assert_eq!(
            s.resume(a.id, at(1), &op()).unwrap_err().code(),
            "store.invalid_state"
        );
        s.suspend(a.id, at(1), &op()).unwrap();
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Suspended);
        assert_eq!(
            rstate(&s, a.id, "B"),
            RecipientState::Suspended {
                hop: Some("gw".into())
            }
        );
        assert_eq!(
            rstate(&s, a.id, "C"),
            RecipientState::Suspended { hop: None }
        );
        assert_eq!(
            rstate(&s, a.id, "L"),
            RecipientState::Delivered,
            "delivered is not touched"
        );
        assert!(
            s.lease("gw", at(2), 10, 100).unwrap().is_empty(),
            "suspended entries are not leased"
        );
        assert_eq!(
            s.suspend(a.id, at(2), &op()).unwrap_err().code(),
            "store.invalid_state"
        );
        // Routing a suspended recipient keeps it suspended.
        s.enqueue(a.id, "gw2", &strings(&["C"]), at(0), at(2))
            .unwrap();
        assert!(s.lease("gw2", at(3), 10, 100).unwrap().is_empty());
        s.resume(a.id, at(10), &op()).unwrap();
        assert_eq!(
            s.queue_entries(a.id)
                .unwrap()
                .iter()
                .map(|e| e.due)
                .collect::<Vec<_>>(),
            vec![at(10), at(10)]
        );
        assert_eq!(s.lease("gw", at(10), 10, 100).unwrap().len(), 1);
        s.cancel(a.id, at(11), &op()).unwrap();
        assert_eq!(rstate(&s, a.id, "B"), RecipientState::Cancelled);
        assert_eq!(rstate(&s, a.id, "C"), RecipientState::Cancelled);
        assert_eq!(rstate(&s, a.id, "L"), RecipientState::Delivered);
        assert!(s.queue_entries(a.id).unwrap().is_empty());
        for r in [
            s.cancel(a.id, at(12), &op()),
            s.resume(a.id, at(12), &op()),
            s.suspend(a.id, at(12), &op()),
            s.retry_now(a.id, at(12), &op()),
        ] {
            assert_eq!(r.unwrap_err().code(), "store.invalid_state");
        }
        assert_eq!(
            events(&s, a.id),
            vec![
                "accepted",
                "queued",
                "delivered",
                "suspended",
                "queued",
                "resumed",
                "in_flight",
                "cancelled"
            ]
        );
        assert_eq!(
            s.history(a.id).unwrap().last().unwrap().event,
            Event::Cancelled { by: op() },
            "the history keeps who acted"
        );
        assert_eq!(
            s.queue_stats(at(12))
                .unwrap()
                .hops
                .iter()
                .map(|h| h.depth)
                .sum::<u64>(),
            0
        );
        healthy(&s);
    });
}

#[test]
fn suspending_an_in_flight_message_still_accepts_its_receipt() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["B"]), at(0)).unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let l = s.lease("gw", at(1), 1, 100).unwrap().pop().unwrap();
        s.suspend(a.id, at(2), &op()).unwrap();
        assert_eq!(
            s.fail_lease(&l, "x", at(3)).unwrap_err().code(),
            "store.invalid_state"
        );
        assert_eq!(s.ack_lease(&l, b"r", at(3)).unwrap(), AckOutcome::Recorded);
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Relayed);
        healthy(&s);
    });
}

// ---------- inboxes ----------

#[test]
fn agency_activity_counts_what_each_agency_sent_received_and_left_unacknowledged() {
    on_both(|place| {
        let s = open_on(place);
        assert!(s.agency_activity().unwrap().is_empty());
        let a = s.accept(&req("A", b"one", &["L", "M"]), at(0)).unwrap();
        // A duplicate submission is not counted again.
        s.accept(&req("A", b"one", &["L", "M"]), at(1)).unwrap();
        let b = s.accept(&req("A", b"two", &["L"]), at(2)).unwrap();
        let mut status = req("L", b"status of one", &["A"]);
        status.kind = MessageKind::Status;
        let st = s.accept(&status, at(3)).unwrap();
        // A relayed message is not a local submission of its sender.
        let mut relayed = req("Z", b"from afar", &["L"]);
        relayed.origin = Origin::Relayed {
            from_gateway: "gw".into(),
            id: MessageId::new_v7(at(3)),
            hops: vec!["gw".into()],
        };
        let r = s.accept(&relayed, at(3)).unwrap();
        s.deliver(a.id, "L", at(10)).unwrap();
        s.deliver(a.id, "L", at(11)).unwrap(); // duplicate delivery
        s.deliver(a.id, "M", at(12)).unwrap();
        s.deliver(b.id, "L", at(20)).unwrap();
        s.deliver(st.id, "A", at(30)).unwrap();
        s.deliver(r.id, "L", at(40)).unwrap();
        let find = |who: &str| {
            s.agency_activity()
                .unwrap()
                .into_iter()
                .find(|x| x.agency == who)
                .unwrap()
        };
        let l = find("L");
        assert_eq!(
            (
                l.sent_documents,
                l.sent_statuses,
                l.received_documents,
                l.unacknowledged
            ),
            (0, 1, 3, 3)
        );
        assert_eq!(l.oldest_unacknowledged_at, Some(at(10)));
        assert_eq!(find("A").sent_documents, 2);
        assert_eq!(find("A").received_statuses, 1);
        assert!(!s.agency_activity().unwrap().iter().any(|x| x.agency == "Z"));

        // Acknowledging the oldest moves the oldest on; a later `fail` then `done` counts once.
        s.ack_inbox("L", a.id, FetchResult::Done, None, at(50))
            .unwrap();
        s.ack_inbox("L", b.id, FetchResult::Fail, Some("unreadable"), at(51))
            .unwrap();
        let l = find("L");
        assert_eq!(
            (l.unacknowledged, l.acknowledged_done, l.acknowledged_failed),
            (1, 1, 1)
        );
        assert_eq!(l.oldest_unacknowledged_at, Some(at(40)));
        // What a polling DMS still has to take: only the entry not acknowledged, in order,
        // by kind, after a cursor.
        let open_ids = |kind, after| -> Vec<MessageId> {
            s.list_open_inbox("L", after, 10, kind)
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect()
        };
        assert_eq!(open_ids(None, None), vec![r.id]);
        assert_eq!(
            open_ids(Some(MessageKind::Status), None),
            Vec::<MessageId>::new()
        );
        assert_eq!(s.list_inbox("L", None, 10, None).unwrap().len(), 3);
        let cursor = s.list_open_inbox("L", None, 10, None).unwrap()[0].cursor;
        assert!(open_ids(None, Some(cursor)).is_empty());
        s.ack_inbox("L", b.id, FetchResult::Done, None, at(52))
            .unwrap();
        s.ack_inbox("L", r.id, FetchResult::Done, None, at(53))
            .unwrap();
        let l = find("L");
        assert_eq!(
            (l.unacknowledged, l.acknowledged_done, l.acknowledged_failed),
            (0, 3, 0)
        );
        assert_eq!(l.oldest_unacknowledged_at, None);
        healthy(&s);
        // The counters survive a reopen.
        drop(s);
        let s = open_on(place);
        assert_eq!(
            s.agency_activity()
                .unwrap()
                .iter()
                .find(|x| x.agency == "L")
                .unwrap()
                .acknowledged_done,
            3
        );
        healthy(&s);
    });
}

#[test]
fn a_format_3_store_is_upgraded_in_place_with_its_activity_counted() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let a = s.accept(&req("A", b"one", &["L"]), at(0)).unwrap();
    let b = s.accept(&req("A", b"two", &["L"]), at(1)).unwrap();
    s.deliver(a.id, "L", at(10)).unwrap();
    s.deliver(b.id, "L", at(11)).unwrap();
    s.ack_inbox("L", a.id, FetchResult::Done, None, at(12))
        .unwrap();
    let before = s.agency_activity().unwrap();
    drop(s);
    {
        // Make it a format-3 store: no activity counters (meta keys "act/…", tag 15), no
        // inbox_open (tag 18), marker 3.
        let db = raw_sled(dir.path());
        let t = db.open_tree("store").unwrap();
        let stale: Vec<_> = t
            .scan_prefix(b"\x0fact/")
            .chain(t.scan_prefix([18u8]))
            .map(|r| r.unwrap().0)
            .collect();
        assert!(stale.len() >= 4, "{}", stale.len());
        for k in stale {
            t.remove(k).unwrap();
        }
        t.insert(b"\x0fformat", &[3u8]).unwrap();
        db.flush().unwrap();
    }
    let s = open(dir.path());
    assert_eq!(s.agency_activity().unwrap(), before);
    healthy(&s);
    drop(s);
    let db = raw_sled(dir.path());
    assert_eq!(
        db.open_tree("store")
            .unwrap()
            .get(b"\x0fformat")
            .unwrap()
            .unwrap()
            .as_ref(),
        [4u8]
    );
}

#[test]
fn check_reports_activity_counters_that_disagree_with_the_inboxes() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let a = s.accept(&req("A", b"one", &["L"]), at(0)).unwrap();
    s.deliver(a.id, "L", at(10)).unwrap();
    drop(s);
    {
        let db = raw_sled(dir.path());
        let t = db.open_tree("store").unwrap();
        let open_key: Vec<u8> = t.scan_prefix([18u8]).next().unwrap().unwrap().0.to_vec();
        t.remove(open_key).unwrap();
        // And A's count of documents sent: 5 instead of 1.
        let sent_key: Vec<u8> = t
            .scan_prefix(b"\x0fact/")
            .map(|r| r.unwrap().0.to_vec())
            .find(|k| k.ends_with(b"sent_edoc"))
            .unwrap();
        t.insert(sent_key, &5u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let s = open(dir.path());
    let rep = s.check(VerifyLevel::BlobsPresent).unwrap();
    assert!(
        rep.problems.iter().any(|p| p.starts_with("inbox_open")),
        "{:#?}",
        rep.problems
    );
    assert!(
        rep.problems
            .iter()
            .any(|p| p.starts_with("activity counter") && p.ends_with(": 5, actual 1")),
        "{:#?}",
        rep.problems
    );
}

#[test]
fn deliver_is_exactly_once() {
    on_both(|place| {
        let s = open_on(place);
        let a = s.accept(&req("A", b"x", &["L", "M"]), at(0)).unwrap();
        let d1 = s.deliver(a.id, "L", at(1)).unwrap();
        assert!(!d1.duplicate);
        let d2 = s.deliver(a.id, "L", at(2)).unwrap();
        assert_eq!((d2.cursor, d2.duplicate), (d1.cursor, true));
        assert_eq!(s.list_inbox("L", None, 10, None).unwrap().len(), 1);
        assert_eq!(
            s.deliver(a.id, "Q", at(2)).unwrap_err().code(),
            "store.invalid_input"
        );
        s.enqueue(a.id, "gw", &strings(&["M"]), at(0), at(0))
            .unwrap();
        assert_eq!(
            s.deliver(a.id, "M", at(2)).unwrap_err().code(),
            "store.invalid_state"
        );
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Queued);
        healthy(&s);
    });
}

#[test]
fn inbox_paging_filter_and_ack() {
    on_both(|place| {
        let s = open_on(place);
        let mut ids = Vec::new();
        for i in 0..7u64 {
            let mut r = req("A", format!("m{i}").as_bytes(), &["L", "M"]);
            if i % 3 == 2 {
                r.kind = MessageKind::Status;
            }
            let a = s.accept(&r, at(i)).unwrap();
            s.deliver(a.id, "L", at(i)).unwrap();
            if i == 3 {
                s.deliver(a.id, "M", at(i)).unwrap();
            }
            ids.push(a.id);
        }
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = s.list_inbox("L", after, 3, None).unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 3);
            after = Some(page.last().unwrap().cursor);
            seen.extend(page.into_iter().map(|i| i.id));
        }
        assert_eq!(seen, ids, "oldest first, no gaps, no repeats");
        let statuses = s
            .list_inbox("L", None, 10, Some(MessageKind::Status))
            .unwrap();
        assert_eq!(
            statuses.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![ids[2], ids[5]]
        );
        let docs = s
            .list_inbox("L", None, 10, Some(MessageKind::Edoc))
            .unwrap();
        assert_eq!(docs.len(), 5);
        let m = s.list_inbox("M", None, 10, None).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].id, m[0].sender.as_str(), m[0].size), (ids[3], "A", 2));
        assert!(s.list_inbox("nobody", None, 10, None).unwrap().is_empty());
        assert!(
            s.list_inbox("L", Some(InboxCursor(u64::MAX)), 10, None)
                .unwrap()
                .is_empty()
        );

        s.ack_inbox("L", ids[0], FetchResult::Fail, Some("virus scan"), at(10))
            .unwrap();
        assert_eq!(
            rstate(&s, ids[0], "L"),
            RecipientState::Fetched {
                result: FetchResult::Fail
            }
        );
        s.ack_inbox("L", ids[0], FetchResult::Done, None, at(11))
            .unwrap();
        assert_eq!(
            s.list_inbox("L", None, 1, None).unwrap()[0].acked,
            Some(FetchResult::Done)
        );
        let h = s.history(ids[0]).unwrap();
        assert_eq!(
            h.last().unwrap().event,
            Event::Fetched {
                agency: "L".into(),
                result: FetchResult::Done,
                note: None
            }
        );
        assert!(h.iter().any(|e| e.event
            == Event::Fetched {
                agency: "L".into(),
                result: FetchResult::Fail,
                note: Some("virus scan".into())
            }));
        // M has not been routed yet, so the message as a whole is still accepted.
        assert_eq!(s.message(ids[0]).unwrap().state, MessageState::Accepted);
        assert_eq!(
            s.ack_inbox("M", ids[0], FetchResult::Done, None, at(12))
                .unwrap_err()
                .code(),
            "store.not_found"
        );
        healthy(&s);
    });
}

// ---------- listing and stats ----------

#[test]
fn find_dead_letters_by_their_reason() {
    on_both(|place| {
        let s = open_on(place);
        let mut ids = Vec::new();
        for (i, why) in [
            "signature.required: unsigned",
            "routing.refused: unknown agency",
        ]
        .into_iter()
        .enumerate()
        {
            // Accepted a millisecond apart, so that ids (UUID v7) are in accept order.
            let t = at(i as u64);
            let a = s
                .accept(&req("A", format!("m{i}").as_bytes(), &["B"]), t)
                .unwrap();
            s.enqueue(a.id, "gw", &strings(&["B"]), t, t).unwrap();
            let l = s.lease("gw", t, 1, 100).unwrap().pop().unwrap();
            assert_eq!(
                s.fail_lease_permanently(&l, why, at(5)).unwrap(),
                FailOutcome::Dead
            );
            ids.push(a.id);
        }
        let mut q = MessageQuery::state(MessageState::Dead, 100);
        let found = |q: &MessageQuery| -> Vec<MessageId> {
            s.find_messages(q)
                .unwrap()
                .messages
                .iter()
                .map(|m| m.id)
                .collect()
        };
        assert_eq!(found(&q), ids);
        q.reason = Some("signature.required".into());
        assert_eq!(found(&q), vec![ids[0]]);
        q.reason = Some("routing".into());
        assert_eq!(found(&q), vec![ids[1]]);
        q.reason = Some("disk full".into());
        assert!(found(&q).is_empty());
        // Any state: the reason still selects the dead letter.
        q.state = None;
        q.reason = Some("unknown agency".into());
        assert_eq!(found(&q), vec![ids[1]]);
    });
}

#[test]
fn find_messages_by_agency_and_time_in_bounded_pages() {
    on_both(|place| {
        let s = open_on(place);
        // Ten messages at t = 0..10: A sends to B (even) or to C (odd); B sends one to A at t = 10.
        let mut ids = Vec::new();
        for i in 0..10u64 {
            let to = if i % 2 == 0 { "B" } else { "C" };
            let a = s
                .accept(&req("A", format!("m{i}").as_bytes(), &[to]), at(i))
                .unwrap();
            ids.push(a.id);
        }
        let from_b = s.accept(&req("B", b"reply", &["A"]), at(10)).unwrap().id;
        s.enqueue(ids[2], "gw", &strings(&["B"]), at(100), at(2))
            .unwrap();
        let all = |agency: Option<&str>| MessageQuery {
            state: None,
            after: None,
            before: None,
            agency: agency.map(str::to_owned),
            sender: None,
            reason: None,
            text: None,
            limit: 100,
            scan_limit: usize::MAX,
        };
        let found = |p: &MessagePage| p.messages.iter().map(|m| m.id).collect::<Vec<_>>();

        // Every state, by id order: B is the recipient of the even ones and the sender of the last.
        let p = s.find_messages(&all(Some("B"))).unwrap();
        let mut want: Vec<_> = ids.iter().step_by(2).copied().collect();
        want.push(from_b);
        assert_eq!(found(&p), want);
        assert_eq!(p.next, None, "searched to the end");
        assert_eq!(p.scanned, 11);
        assert_eq!(s.find_messages(&all(None)).unwrap().messages.len(), 11);
        assert!(
            s.find_messages(&all(Some("Z")))
                .unwrap()
                .messages
                .is_empty()
        );

        // With a state: only the queued one of B's.
        let mut q = all(Some("B"));
        q.state = Some(MessageState::Queued);
        assert_eq!(found(&s.find_messages(&q).unwrap()), vec![ids[2]]);
        // As sender only: B sent the last one; A sent the first ten.
        let mut q = all(None);
        q.sender = Some("B".into());
        assert_eq!(found(&s.find_messages(&q).unwrap()), vec![from_b]);
        q.sender = Some("A".into());
        assert_eq!(found(&s.find_messages(&q).unwrap()), ids);

        // A time window [t3, t7): after first_at(3) .. before first_at(7).
        let mut q = all(Some("C"));
        q.after = Some(MessageId::first_at(at(3)));
        q.before = Some(MessageId::first_at(at(7)));
        assert_eq!(found(&s.find_messages(&q).unwrap()), vec![ids[3], ids[5]]);
        // An empty or reversed window is an empty page with nothing after it.
        q.before = q.after;
        let p = s.find_messages(&q).unwrap();
        assert!(p.messages.is_empty() && p.next.is_none());

        // A bounded scan: 3 messages examined per page; C's five arrive over four pages, some
        // short, each telling where to go on, the last one with nothing after it.
        let mut q = all(Some("C"));
        q.scan_limit = 3;
        let mut got = Vec::new();
        let mut pages = 0;
        loop {
            let p = s.find_messages(&q).unwrap();
            pages += 1;
            assert!(p.scanned <= 3);
            got.extend(found(&p));
            match p.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        assert_eq!(
            got,
            ids.iter().skip(1).step_by(2).copied().collect::<Vec<_>>()
        );
        assert_eq!(pages, 4);

        // The page limit: two of B's, then the rest from `next`.
        let mut q = all(Some("B"));
        q.limit = 2;
        let p = s.find_messages(&q).unwrap();
        assert_eq!(found(&p), vec![ids[0], ids[2]]);
        q.after = p.next;
        q.limit = 100;
        assert_eq!(found(&s.find_messages(&q).unwrap()), want[2..]);

        // A full last page says whether anything is left after it.
        let mut q = all(Some("B"));
        q.after = Some(ids[7]);
        q.limit = 2;
        let p = s.find_messages(&q).unwrap();
        assert_eq!(found(&p), vec![ids[8], from_b]);
        assert_eq!(p.next, None);
    });
}

#[test]
fn list_messages_by_state_with_paging() {
    on_both(|place| {
        let s = open_on(place);
        let mut queued = Vec::new();
        for i in 0..5u64 {
            let a = s
                .accept(&req("A", format!("m{i}").as_bytes(), &["B"]), at(i))
                .unwrap();
            if i % 2 == 0 {
                s.enqueue(a.id, "gw", &strings(&["B"]), at(100), at(i))
                    .unwrap();
                queued.push(a.id);
            }
        }
        let q = s.list_messages(MessageState::Queued, None, 2).unwrap();
        assert_eq!(q.iter().map(|m| m.id).collect::<Vec<_>>(), queued[..2]);
        let q2 = s
            .list_messages(MessageState::Queued, Some(q[1].id), 10)
            .unwrap();
        assert_eq!(q2.iter().map(|m| m.id).collect::<Vec<_>>(), queued[2..]);
        assert_eq!(
            s.list_messages(MessageState::Accepted, None, 10)
                .unwrap()
                .len(),
            2
        );
        assert!(
            s.list_messages(MessageState::Dead, None, 10)
                .unwrap()
                .is_empty()
        );
        let st = s.queue_stats(at(10)).unwrap();
        assert_eq!(st.states[&MessageState::Queued], 3);
        assert_eq!(st.states[&MessageState::Accepted], 2);
        assert_eq!(
            st.hops,
            vec![HopStats {
                hop: "gw".into(),
                depth: 3,
                in_flight: 0,
                oldest_age_ms: 10
            }]
        );
        s.lease("gw", at(100), 1, 50).unwrap();
        let st = s.queue_stats(at(100)).unwrap();
        assert_eq!((st.hops[0].depth, st.hops[0].in_flight), (3, 1));
        assert_eq!(st.states[&MessageState::InFlight], 1);
        healthy(&s);
    });
}

// ---------- retention ----------

#[test]
fn retention_purges_payloads_of_finished_messages_only() {
    on_both(|place| {
        let s = open_on(place);
        // Finished: relayed.
        let relayed = s.accept(&req("A", b"shared bytes", &["B"]), at(0)).unwrap();
        s.enqueue(relayed.id, "gw", &strings(&["B"]), at(0), at(0))
            .unwrap();
        let l = s.lease("gw", at(0), 1, 100).unwrap().pop().unwrap();
        s.ack_lease(&l, b"receipt", at(1)).unwrap();
        // Same bytes from another sender, not finished: the blob must survive.
        let sharing = s.accept(&req("Z", b"shared bytes", &["B"]), at(1)).unwrap();
        // Finished: delivered and fetched.
        let fetched = s.accept(&req("A", b"local", &["L"]), at(0)).unwrap();
        s.deliver(fetched.id, "L", at(0)).unwrap();
        s.ack_inbox("L", fetched.id, FetchResult::Done, None, at(2))
            .unwrap();
        // Delivered but not fetched: kept.
        let unfetched = s.accept(&req("A", b"unfetched", &["L"]), at(0)).unwrap();
        s.deliver(unfetched.id, "L", at(0)).unwrap();
        // Cancelled.
        let cancelled = s.accept(&req("A", b"cancel me", &["B"]), at(0)).unwrap();
        s.cancel(cancelled.id, at(3), &op()).unwrap();
        assert_eq!(s.message(cancelled.id).unwrap().finished_at, Some(at(3)));

        assert_eq!(
            s.purge_expired(at(10_000), 100).unwrap(),
            0,
            "retention not reached"
        );
        assert_eq!(s.purge_expired(at(10_002), 1).unwrap(), 1, "limit honoured");
        assert_eq!(s.purge_expired(at(20_000), 100).unwrap(), 2);
        assert_eq!(s.purge_expired(at(20_000), 100).unwrap(), 0);
        for id in [relayed.id, fetched.id, cancelled.id] {
            assert_eq!(s.read_payload(id).unwrap_err().code(), "store.purged");
            let m = s.message(id).unwrap();
            assert!(m.purged_at.is_some());
            assert_eq!(events(&s, id).last().unwrap(), "purged");
        }
        assert_eq!(
            s.received_receipts(relayed.id).unwrap().len(),
            1,
            "receipts kept"
        );
        assert_eq!(s.read_payload(sharing.id).unwrap(), b"shared bytes");
        assert_eq!(s.read_payload(unfetched.id).unwrap(), b"unfetched");
        if place.url.is_none() {
            assert_eq!(
                record_of(place.dir.path(), b"local"),
                None,
                "purged bytes are gone"
            );
            assert!(record_of(place.dir.path(), b"shared bytes").is_some());
        }
        assert_eq!(
            s.retry_now(cancelled.id, at(20_001), &op())
                .unwrap_err()
                .code(),
            "store.purged"
        );
        // Same sender, same bytes after the purge: still the same message (purged).
        let again = s.accept(&req("A", b"local", &["L"]), at(20_002)).unwrap();
        assert_eq!((again.id, again.duplicate), (fetched.id, true));
        healthy(&s);
        drop(s);
        let s = open_on(place);
        healthy(&s);
    });
}

// ---------- concurrency ----------

#[test]
fn concurrent_accepts_share_flushes_and_are_all_durable() {
    on_both(|place| {
        let ids = {
            let s = std::sync::Arc::new(open_on(place));
            let threads: Vec<_> = (0..8)
                .map(|t| {
                    let s = s.clone();
                    std::thread::spawn(move || {
                        (0..25)
                            .map(|i| {
                                let a = s
                                    .accept(&req("A", format!("{t}/{i}").as_bytes(), &["L"]), at(0))
                                    .unwrap();
                                s.deliver(a.id, "L", at(1)).unwrap();
                                a.id
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let ids: Vec<MessageId> = threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect();
            assert!(s.flush_count() <= 400 + 2);
            healthy(&s);
            ids
        };
        let s = open_on(place);
        let inbox = s.list_inbox("L", None, 1000, None).unwrap();
        assert_eq!(inbox.len(), 200);
        let mut a: Vec<_> = inbox.iter().map(|i| i.id).collect();
        let mut b = ids.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        healthy(&s);
    });
}

#[test]
fn a_permanent_refusal_dead_letters_at_once_and_can_be_retried() {
    on_both(|place| {
        let s = open_on(place);
        let now = at(1_000);
        let a = s
            .accept(&req("A", b"refused by the peer", &["B"]), now)
            .unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), now, now).unwrap();
        let l = s.lease("gw", now, 1, 100).unwrap().pop().unwrap();
        assert_eq!(l.attempt, 1, "first attempt");
        assert_eq!(
            s.fail_lease_permanently(&l, "peer answered 422: routing.refused", now)
                .unwrap(),
            FailOutcome::Dead
        );
        assert!(matches!(rstate(&s, a.id, "B"), RecipientState::Dead { .. }));
        assert_eq!(s.message(a.id).unwrap().state, MessageState::Dead);
        assert!(s.lease("gw", at(10_000_000), 10, 100).unwrap().is_empty());
        assert_eq!(events(&s, a.id).last().unwrap(), "dead");
        // The operator can still send it again.
        s.retry_now(a.id, now, &op()).unwrap();
        assert_eq!(s.lease("gw", now, 1, 100).unwrap().len(), 1);
        healthy(&s);
    });
}

#[test]
fn delivered_statuses_are_indexed_by_the_document_they_answer() {
    on_both(|place| {
        let now = at(1_000);
        let status = |doc: &str, body: &[u8]| AcceptRequest {
            kind: MessageKind::Status,
            document_id: Some(doc.to_owned()),
            status: Some(StatusNote {
                code: String::from_utf8_lossy(&body[..2]).into_owned(),
                description: Some("đã nhận".into()),
            }),
            ..req("B", body, &["A"])
        };
        let (s1, s2, other, prefix) = {
            let s = open_on(place);
            let s1 = s.accept(&status("DOC-1", b"01"), now).unwrap().id;
            let s2 = s.accept(&status("DOC-1", b"03"), now).unwrap().id;
            let other = s.accept(&status("DOC-2", b"01 for 2"), now).unwrap().id;
            let prefix = s.accept(&status("DOC-1X", b"01 for 1X"), now).unwrap().id;
            for id in [s1, s2, other, prefix] {
                s.deliver(id, "A", now).unwrap();
            }
            // Delivering again does not index twice.
            assert!(s.deliver(s1, "A", now).unwrap().duplicate);
            // An undelivered status is not indexed.
            s.accept(&status("DOC-1", b"04"), now).unwrap();
            (s1, s2, other, prefix)
        };
        let s = open_on(place);
        let mut want = vec![s1, s2];
        want.sort();
        assert_eq!(
            s.statuses_delivered("A", "DOC-1").unwrap(),
            want,
            "survives reopen, no prefix matches"
        );
        assert_eq!(s.statuses_delivered("A", "DOC-2").unwrap(), vec![other]);
        assert_eq!(s.statuses_delivered("A", "DOC-1X").unwrap(), vec![prefix]);
        assert!(s.statuses_delivered("B", "DOC-1").unwrap().is_empty());
        assert!(s.statuses_delivered("A", "DOC").unwrap().is_empty());
        // What each status said is kept with its metadata (and so outlives retention).
        let note = s.message(s2).unwrap().status.unwrap();
        assert_eq!(
            (note.code.as_str(), note.description.as_deref()),
            ("03", Some("đã nhận"))
        );
        // A document is not indexed as a status.
        let e = s
            .accept(
                &AcceptRequest {
                    document_id: Some("DOC-9".into()),
                    ..req("B", b"doc", &["A"])
                },
                now,
            )
            .unwrap()
            .id;
        s.deliver(e, "A", now).unwrap();
        assert!(s.statuses_delivered("A", "DOC-9").unwrap().is_empty());
        healthy(&s);
    });
}

// ---------- accept with dispatch ----------

fn plan(deliver: &[&str], enqueue: &[(&str, &[&str])], receipt: Option<&[u8]>) -> Dispatch {
    Dispatch {
        deliver: strings(deliver),
        enqueue: enqueue
            .iter()
            .map(|(h, rs)| (h.to_string(), strings(rs)))
            .collect(),
        issued_receipt: receipt.map(<[u8]>::to_vec),
    }
}

#[test]
fn accept_with_dispatch_is_one_commit_and_not_repeated_for_a_duplicate() {
    on_both(|place| {
        let s = open_on(place);
        let r = req("A", b"dispatched in one commit", &["L1", "L2", "R1", "R2"]);
        let p = plan(&["L1", "L2"], &[("gw", &["R1", "R2"])], Some(b"<receipt/>"));
        let flushes = s.flush_count();
        let a = s.accept_with(&r, &p, at(1)).unwrap();
        assert_eq!(
            s.flush_count() - flushes,
            1,
            "one group commit for all of it"
        );
        assert!(!a.duplicate);
        let m = s.message(a.id).unwrap();
        assert_eq!(m.recipients["L1"], RecipientState::Delivered);
        assert_eq!(m.recipients["L2"], RecipientState::Delivered);
        assert!(matches!(m.recipients["R1"], RecipientState::Queued { .. }));
        for agency in ["L1", "L2"] {
            let items = s.list_inbox(agency, None, 10, None).unwrap();
            assert_eq!(items.iter().map(|i| i.id).collect::<Vec<_>>(), [a.id]);
        }
        let leases = s.lease("gw", at(1), 10, 1_000).unwrap();
        assert_eq!(leases.len(), 1);
        assert_eq!(leases[0].recipients, strings(&["R1", "R2"]));
        assert_eq!(s.issued_receipt(a.id).unwrap().unwrap(), b"<receipt/>");
        assert_eq!(
            events(&s, a.id),
            ["accepted", "delivered", "delivered", "queued", "in_flight"]
        );

        // The same submission again: a duplicate, and the plan is not applied twice.
        let again = s.accept_with(&r, &p, at(2)).unwrap();
        assert_eq!((again.id, again.duplicate), (a.id, true));
        assert_eq!(s.list_inbox("L1", None, 10, None).unwrap().len(), 1);
        assert_eq!(events(&s, a.id).len(), 5);
        healthy(&s);
        drop(s);
        let s = open_on(place);
        assert_eq!(s.list_inbox("L2", None, 10, None).unwrap().len(), 1);
        healthy(&s);
    });
}

#[test]
fn an_impossible_dispatch_is_refused_and_stores_nothing() {
    on_both(|place| {
        let s = open_on(place);
        let r = req("A", b"refused with its plan", &["L1", "R1"]);
        for (p, what) in [
            (plan(&["X"], &[], None), "not a recipient"),
            (plan(&["L1"], &[("gw", &["L1"])], None), "twice"),
            (
                plan(&[], &[("gw", &["R1"]), ("gw", &["L1"])], None),
                "twice",
            ),
            (plan(&[], &[("gw", &[])], None), "no recipient"),
            (plan(&[], &[("", &["R1"])], None), "hop"),
        ] {
            let e = s.accept_with(&r, &p, at(1)).unwrap_err();
            assert_eq!(e.code(), "store.invalid_input", "{p:?}");
            assert!(e.to_string().contains(what), "{e}");
        }
        let huge = vec![b'x'; 200 * 1024];
        let e = s
            .accept_with(&r, &plan(&[], &[], Some(&huge)), at(1))
            .unwrap_err();
        assert_eq!(e.code(), "store.invalid_input");
        if place.url.is_none() {
            assert_eq!(record_of(place.dir.path(), b"refused with its plan"), None);
        }
        assert!(
            s.list_messages(MessageState::Accepted, None, 10)
                .unwrap()
                .is_empty()
        );
        healthy(&s);
    });
}

#[test]
fn first_at_is_the_lower_bound_of_a_millisecond() {
    for t in [0u64, 1, 1_764_547_200_000, (1 << 48) - 2] {
        let first = MessageId::first_at(Timestamp::from_millis(t));
        for _ in 0..100 {
            assert!(MessageId::new_v7(Timestamp::from_millis(t)) > first);
            assert!(MessageId::new_v7(Timestamp::from_millis(t + 1)) > first);
            if t > 0 {
                assert!(MessageId::new_v7(Timestamp::from_millis(t - 1)) < first);
            }
        }
        // It is a valid v7 id, so it round-trips.
        assert_eq!(MessageId::from_bytes(first.to_bytes()), Some(first));
    }
}

// ---------- online backup ----------

/// Everything a message is in `s`: its record, queue entries, history, and the digest of
/// its payload (or the error that replaces it).
fn snapshot(s: &KvStore, id: MessageId) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        s.message(id),
        s.queue_entries(id),
        s.history(id),
        s.read_payload(id)
            .map(|p| Sha256::digest(&p))
            .map_err(|e| e.code())
    )
}

/// Bytes allocated on disk for the files under `dir` (holes take none).
fn allocated(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().blocks() * 512)
        .sum()
}

#[test]
fn online_backup_is_the_store_at_one_instant_and_opens_as_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let s = open(&tmp.path().join("data"));
    // A purged document (its payload a hole), documents queued, delivered, fetched.
    let purged = s
        .accept(&req("A", &vec![7u8; 256 * 1024], &["L"]), at(0))
        .unwrap()
        .id;
    s.deliver(purged, "L", at(0)).unwrap();
    s.ack_inbox("L", purged, FetchResult::Done, None, at(1))
        .unwrap();
    let mut ids = vec![purged];
    for n in 0..40u32 {
        let body: Vec<u8> = (0..5_000u32).map(|i| (i * 31 + n) as u8).collect();
        let a = s
            .accept(&req("A", &body, &["B", "L"]), at(2 + u64::from(n)))
            .unwrap();
        s.enqueue(a.id, "gw", &strings(&["B"]), at(2), at(2))
            .unwrap();
        s.deliver(a.id, "L", at(2)).unwrap();
        ids.push(a.id);
    }
    assert_eq!(s.purge_expired(at(20_000), 100).unwrap(), 1);
    let to_cancel = ids[5];
    let to_ack = ids[6];

    // Back up while other writes go on: they land after the copy began, so they reach the
    // backup through the replay.
    let dest = tmp.path().join("backup-1");
    let mut during = None;
    let report = s
        .backup_with(&dest, at(21_000), || {
            let x = s
                .accept(&req("C", b"written during the backup", &["L"]), at(21_000))
                .unwrap();
            s.deliver(x.id, "L", at(21_000)).unwrap();
            s.cancel(to_cancel, at(21_000), &op()).unwrap();
            s.ack_inbox("L", to_ack, FetchResult::Done, None, at(21_000))
                .unwrap();
            during = Some(x.id);
        })
        .unwrap();
    let during = during.unwrap();
    ids.push(during);
    assert!(report.replayed > 0, "{report:?}");
    assert!(report.entries > 100, "{report:?}");
    assert_eq!(report.segments, 1, "{report:?}");
    assert_eq!(report.dir, dest);
    assert_eq!(report.at, at(21_000));
    let manifest: BackupReport =
        serde_json::from_slice(&std::fs::read(dest.join("BACKUP.json")).unwrap()).unwrap();
    assert_eq!(manifest, report);
    assert!(!tmp.path().join("backup-1.partial").exists());

    // Written after the backup: not in it.
    let late = s
        .accept(&req("C", b"written after the backup", &["L"]), at(22_000))
        .unwrap()
        .id;

    // The purged payload stays a hole in the copy.
    let (src, copy) = (tmp.path().join("data/payloads"), dest.join("payloads"));
    let logical = report.segment_bytes;
    assert!(
        allocated(&src) + 200 * 1024 < logical,
        "the purge made a hole: {} of {logical}",
        allocated(&src)
    );
    assert!(
        allocated(&copy) <= allocated(&src) + 8192,
        "holes copied as data: {} > {}",
        allocated(&copy),
        allocated(&src)
    );

    let b = KvStore::open_at(&dest, config(), at(30_000)).unwrap();
    healthy(&b);
    for id in &ids {
        assert_eq!(snapshot(&b, *id), snapshot(&s, *id), "{id}");
    }
    assert_eq!(
        b.message(late).unwrap_err().code(),
        "store.not_found",
        "after the cut"
    );
    assert_eq!(rstate(&b, to_cancel, "B"), RecipientState::Cancelled);
    assert_eq!(
        b.history(to_cancel).unwrap().last().unwrap().event,
        Event::Cancelled { by: op() }
    );
    assert_eq!(b.read_payload(purged).unwrap_err().code(), "store.purged");
    assert_eq!(
        b.read_payload(during).unwrap(),
        b"written during the backup"
    );
    // The copy works on its own: it accepts, and the original is untouched by it.
    let own = b
        .accept(&req("C", b"only in the copy", &["L"]), at(30_001))
        .unwrap()
        .id;
    assert_eq!(s.message(own).unwrap_err().code(), "store.not_found");
    healthy(&s);
}

#[test]
fn backup_refuses_a_folder_that_exists_or_lies_inside_the_store_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let s = open(&data);
    s.accept(&req("A", b"x", &["L"]), at(0)).unwrap();
    let exists = tmp.path().join("exists");
    std::fs::create_dir(&exists).unwrap();
    std::fs::write(exists.join("keep"), b"mine").unwrap();
    for (dest, why) in [
        (exists.clone(), "exists already"),
        (data.join("inside"), "inside the data folder"),
        (tmp.path().join("missing/backup"), "is not a folder"),
    ] {
        let e = s.backup(&dest, at(1)).unwrap_err();
        assert_eq!(e.code(), "store.invalid_input", "{e}");
        assert!(e.to_string().contains(why), "{e}");
    }
    assert_eq!(std::fs::read(exists.join("keep")).unwrap(), b"mine");
    assert!(!data.join("inside").exists());
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["data", "exists"]);
    // A backup cut short earlier (its `.partial` folder) is replaced, never used.
    let partial = tmp.path().join("b.partial");
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join("junk"), b"x").unwrap();
    s.backup(&tmp.path().join("b"), at(2)).unwrap();
    assert!(!partial.exists());
    assert!(!tmp.path().join("b/junk").exists());
    // Writes go on after a backup.
    s.accept(&req("A", b"y", &["L"]), at(3)).unwrap();
    healthy(&s);
    healthy(&KvStore::open_at(tmp.path().join("b"), config(), at(4)).unwrap());
}

#[test]
fn a_backup_under_concurrent_writes_is_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let s = std::sync::Arc::new(open(&tmp.path().join("data")));
    let before: Vec<MessageId> = (0..200u32)
        .map(|n| {
            let a = s
                .accept(
                    &req("A", format!("before {n}").as_bytes(), &["B", "L"]),
                    at(1),
                )
                .unwrap();
            s.enqueue(a.id, "gw", &strings(&["B"]), at(1), at(1))
                .unwrap();
            a.id
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..4u32)
        .map(|w| {
            let (s, stop, progress) = (s.clone(), stop.clone(), progress.clone());
            std::thread::spawn(move || {
                let mut n = 0u32;
                let mut done = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let body = format!("writer {w} message {n}");
                    let a = s
                        .accept(&req("W", body.as_bytes(), &["B", "L"]), at(2))
                        .unwrap();
                    s.enqueue(a.id, "gw", &strings(&["B"]), at(2), at(2))
                        .unwrap();
                    s.deliver(a.id, "L", at(2)).unwrap();
                    for l in s.lease("gw", at(2), 2, 60_000).unwrap() {
                        s.ack_lease(&l, b"receipt", at(3)).unwrap();
                    }
                    done.push(a.id);
                    progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    n += 1;
                }
                done
            })
        })
        .collect();
    // Let the writers get going before the backup starts.
    while progress.load(std::sync::atomic::Ordering::Relaxed) < 20 {
        std::thread::yield_now();
    }
    let dest = tmp.path().join("backup");
    let report = s.backup(&dest, at(4)).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written: Vec<MessageId> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let b = KvStore::open_at(&dest, config(), at(5)).unwrap();
    healthy(&b);
    for id in &before {
        assert_eq!(b.read_payload(*id).unwrap(), s.read_payload(*id).unwrap());
    }
    // The concurrent messages the copy has carry the same bytes as the original's.
    let mut copied = 0;
    for id in &written {
        if let Ok(p) = b.read_payload(*id) {
            assert_eq!(p, s.read_payload(*id).unwrap());
            copied += 1;
        }
    }
    assert!(copied >= 20, "written before the backup began: {copied}");
    eprintln!(
        "{report:?}; {copied} of {} concurrent messages in the copy",
        written.len()
    );
}

#[test]
fn a_backup_during_too_many_writes_is_abandoned_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let small = StoreConfig {
        backup_max_replay_bytes: 4096,
        ..config()
    };
    let s = KvStore::open_at(tmp.path().join("data"), small, at(0)).unwrap();
    s.accept(&req("A", b"before", &["L"]), at(0)).unwrap();
    let dest = tmp.path().join("b");
    let e = s
        .backup_with(&dest, at(1), || {
            for n in 0..50u32 {
                s.accept(&req("A", format!("during {n}").as_bytes(), &["L"]), at(1))
                    .unwrap();
            }
        })
        .unwrap_err();
    assert!(e.to_string().contains("backup abandoned"), "{e}");
    assert!(!dest.exists() && !tmp.path().join("b.partial").exists());
    // The store works on, records nothing any more, and the next backup succeeds.
    s.accept(&req("A", b"after", &["L"]), at(2)).unwrap();
    let r = s.backup(&dest, at(3)).unwrap();
    assert_eq!(r.replayed, 0);
    healthy(&s);
    healthy(&KvStore::open_at(&dest, config(), at(4)).unwrap());
}

#[test]
fn reopening_right_after_a_close_waits_for_sleds_lock() {
    // sled releases its file lock a moment after its last handle is dropped (its IO threads
    // let go); an open in that moment used to fail with "could not acquire lock".
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    for i in 0..200u64 {
        {
            let db = raw_sled(dir.path());
            db.open_tree("store")
                .unwrap()
                .insert(b"\x0fprobe", &i.to_be_bytes())
                .unwrap();
            db.flush().unwrap();
        }
        let s = open(dir.path());
        s.accept(&req("A", format!("m{i}").as_bytes(), &["B"]), at(i))
            .unwrap();
    }
    // A store still open elsewhere is refused, after the wait, with sled's reason.
    let s = open(dir.path());
    let e = KvStore::open_at(dir.path(), config(), at(0)).unwrap_err();
    assert_eq!(e.code(), "store.sled");
    assert!(e.to_string().contains("could not acquire lock"), "{e}");
    drop(s);
}
