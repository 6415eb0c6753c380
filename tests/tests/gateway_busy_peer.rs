//! A next hop that answers `server.busy` (its body budget held by a client that declared a
//! big body and stalls) keeps its link up, and the relay waits for its backoff (30 s here).
//! Once the peer takes a relay again, the retries held back are made due at once: the
//! queue drains as soon as the load passes, not a backoff later.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use support::*;
use tokio::io::AsyncWriteExt;

const SLOW_RETRY_AND_SMALL_BUDGET: &str = "\n[retry]\nbase_ms = 30000\nfactor = 2.0\ncap_ms = 60000\njitter_percent = 10\n\n[limits]\nmax_body_bytes = 200000\nmax_buffered_body_bytes = 200000\nmax_buffered_body_bytes_per_identity = 200000\nmin_bytes_per_second = 1000\nheader_timeout_ms = 60000\nrequest_timeout_ms = 600000\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_peer_s_held_back_relays_go_when_it_takes_one_again() {
    let mut f = federation_with(
        "busy-peer",
        Some(&["gw-g22", "gw-h48"]),
        SLOW_RETRY_AND_SMALL_BUDGET,
    )
    .await;
    // A DMS at gw-g22 holds nearly all of its body budget: 198 KB of a declared 199 KB, and
    // then nothing more.
    let mut hoard = try_raw_tls_to(&f, "gw-g22", Some("dms/000.00.00.G22"))
        .await
        .unwrap();
    hoard
        .write_all(b"POST /v1/documents HTTP/1.1\r\nhost: gw\r\ncontent-type: application/xml\r\ncontent-length: 199000\r\n\r\n")
        .await
        .unwrap();
    hoard.write_all(&[b' '; 198_000]).await.unwrap();
    hoard.flush().await.unwrap();
    eventually("the hoarded body held", Duration::from_secs(10), || async {
        let m = metrics_text(&f, "gw-g22").await;
        metric_value(&m, "lienthong_buffered_body_bytes")
            .is_some_and(|v| v >= 190_000.0)
            .then_some(())
    })
    .await;

    // A document from gw-h48 to gw-g22: its relay is answered server.busy.
    let sender = f.client("gw-h48", Some("dms/000.00.11.H48")).unwrap();
    let first = sender
        .submit(document("000.00.11.H48", &["000.00.00.G22"], 1))
        .await
        .unwrap();
    assert_eq!(
        first.status,
        202,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let first_id = first.json()["id"].as_str().unwrap().to_owned();
    let ops = f.client("gw-h48", Some("operator/ops")).unwrap();
    let link = eventually(
        "the relay answered busy",
        Duration::from_secs(20),
        || async {
            let q = ops.get("/v1/queues").await.ok()?.json();
            let l = q["links"]["gw-g22"].clone();
            time_ms(&l["last_busy_at"]).map(|_| l)
        },
    )
    .await;
    assert_eq!(link["up"], true, "a busy peer's link stays up: {link}");

    // The load passes.
    drop(hoard);
    eventually("the hoard released", Duration::from_secs(10), || async {
        let m = metrics_text(&f, "gw-g22").await;
        metric_value(&m, "lienthong_buffered_body_bytes")
            .is_some_and(|v| v < 10_000.0)
            .then_some(())
    })
    .await;
    // The next document goes at once, and takes the one held back with it, long before
    // the 27–33 s of its backoff.
    let released = Instant::now();
    let second = sender
        .submit(document("000.00.11.H48", &["000.00.00.G22"], 2))
        .await
        .unwrap();
    assert_eq!(
        second.status,
        202,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    let second_id = second.json()["id"].as_str().unwrap().to_owned();
    let rcpt = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    let ids = eventually(
        "both documents delivered",
        Duration::from_secs(15),
        || async {
            let ids = inbox_item_ids(&rcpt, "kind=edoc").await;
            (ids.len() == 2).then_some(ids)
        },
    )
    .await;
    assert!(
        ids.contains(&first_id) && ids.contains(&second_id),
        "{ids:?}"
    );
    assert!(
        released.elapsed() < Duration::from_secs(15),
        "the held-back relay waited {:?}",
        released.elapsed()
    );
    f.stop_all().await;
}
