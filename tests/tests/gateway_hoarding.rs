//! One DMS cannot hoard the memory budget for bodies: declaring big bodies on several
//! connections and sending them slowly (but above the minimum rate) gets it its own share
//! and no more, and the other agencies' submissions go through meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickle_of_declared_big_bodies_does_not_starve_other_agencies() {
    let mut f = federation_with(
        "hoard",
        Some(&["gw-g22", "gw-h48"]),
        "\n[limits]\nmax_body_bytes = 4000000\nmax_buffered_body_bytes = 16000000\nmax_buffered_body_bytes_per_identity = 6000000\nmin_bytes_per_second = 2000\nheader_timeout_ms = 2000\n",
    )
    .await;
    let attacker = "dms/000.00.09.H48";
    let stop = Arc::new(AtomicBool::new(false));
    let mut trickles = Vec::new();
    for _ in 0..6 {
        let mut c = try_raw_tls_to(&f, "gw-h48", Some(attacker)).await.unwrap();
        let stop = stop.clone();
        trickles.push(tokio::spawn(async move {
            let head = "POST /v1/documents HTTP/1.1\r\nhost: gw\r\ncontent-type: application/xml\r\ncontent-length: 3999000\r\n\r\n";
            if c.write_all(head.as_bytes()).await.is_err() {
                return String::new();
            }
            // 5,000 bytes a second: above the minimum rate, so never cut off for slowness.
            // An answer (a refusal) is read as soon as it comes.
            let mut buf = vec![0u8; 4096];
            let mut answer = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(5), c.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => {
                        answer.extend_from_slice(&buf[..n]);
                        break;
                    }
                    Ok(_) => break,
                    Err(_) => {}
                }
                if c.write_all(&[b' '; 1000]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(195)).await;
            }
            String::from_utf8_lossy(&answer).into_owned()
        }));
    }
    // Let the attack take hold.
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Another agency of the same gateway submits meanwhile: served, quickly.
    let honest = f.client("gw-h48", Some("dms/000.00.11.H48")).unwrap();
    let started = Instant::now();
    let r = honest
        .submit(document("000.00.11.H48", &["000.00.00.H48"], 61))
        .await
        .unwrap();
    assert_eq!(
        r.status.as_u16(),
        202,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the honest submission waited {:?}",
        started.elapsed()
    );
    stop.store(true, Ordering::Relaxed);
    let mut busy = 0;
    for t in trickles {
        let answer = t.await.unwrap();
        if answer.contains(" 503 ") && answer.contains("server.busy") {
            busy += 1;
        }
    }
    // The attacker got its share (one 4 MB body of its 6 MB) and a refusal for the rest.
    assert!(busy >= 5, "{busy} of the attacker's 6 bodies were refused");
    f.stop_all().await;
}
