//! No client can take the connection pool from the others: clients without a certificate
//! have a small pool of their own, one identity holds at most its share, handshakes are
//! capped per address, and idle connections are closed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use support::*;
use tokio::io::AsyncWriteExt;

async fn one_gateway(tag: &str, limits: &str) -> Federation {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22"])),
        certs: certs(),
        root: tempdir(tag),
        policy: SignaturePolicy::Require,
        extra_toml: format!("{FAST_RETRY}\n[limits]\n{limits}\n"),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    f
}

/// The client preface and an empty SETTINGS frame: an HTTP/2 connection that is open and
/// then asks for nothing.
const H2_PREFACE_AND_SETTINGS: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// The attack: a client without a certificate opens more idle HTTP/2 connections than the
/// whole pool holds. An agency's DMS is still served at once, the connections beyond the
/// anonymous caps are closed at once, and the rest when idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_flood_without_certificates_locks_nobody_out() {
    let mut f = one_gateway(
        "h2-flood",
        "max_connections = 24\nmax_anonymous_connections = 8\nmax_anonymous_per_address = 4\nidle_timeout_ms = 1500",
    )
    .await;
    let mut flood = Vec::new();
    for _ in 0..40 {
        // Past the caps the server may close before the handshake ends: that is a refusal too.
        if let Ok(mut c) = try_raw_tls_to(&f, "gw-g22", None).await {
            let _ = c.write_all(H2_PREFACE_AND_SETTINGS).await;
            let _ = c.flush().await;
            flood.push(c);
        }
    }
    // An honest client, during the flood: served, and quickly.
    let dms = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
    let started = Instant::now();
    let r = dms.get("/v1/agencies").await.unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the DMS waited {:?}",
        started.elapsed()
    );
    // At most 4 of the flood (the per-address cap) are still open a moment later…
    let mut still_open = Vec::new();
    for mut c in flood {
        if !closed_within(&mut c, Duration::from_millis(300)).await {
            still_open.push(c);
        }
    }
    assert!(
        still_open.len() <= 4,
        "{} idle anonymous connections still open",
        still_open.len()
    );
    // …and they too are closed once idle.
    for c in &mut still_open {
        assert!(
            closed_within(c, Duration::from_secs(6)).await,
            "an idle connection was kept open"
        );
    }
    let m = metrics_text(&f, "gw-g22").await;
    assert!(
        metric_value(
            &m,
            "lienthong_connections_refused_total{reason=\"anonymous\"}"
        )
        .is_some_and(|v| v >= 30.0),
        "{m}"
    );
    if !still_open.is_empty() {
        assert!(
            metric_value(&m, "lienthong_connections_closed_total{reason=\"idle\"}")
                .is_some_and(|v| v >= 1.0),
            "{m}"
        );
    }
    f.stop_all().await;
}

/// One identity cannot hold the pool: past its share its new connections are closed, and
/// another identity is still served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_identity_holds_at_most_its_share() {
    let mut f = one_gateway("per-identity", "max_connections_per_identity = 3").await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(raw_tls(&f, Some("dms/000.00.00.G22")).await);
    }
    for c in &mut held {
        assert!(!closed_within(c, Duration::from_millis(200)).await);
    }
    // The fourth of the same identity is closed at once.
    if let Ok(mut c) = try_raw_tls_to(&f, "gw-g22", Some("dms/000.00.00.G22")).await {
        assert!(closed_within(&mut c, Duration::from_secs(2)).await);
    }
    // Another identity is served.
    let ops = f.client("gw-g22", Some("operator/ops")).unwrap();
    assert_eq!(ops.get("/v1/queues").await.unwrap().status, 200);
    // Giving one back lets the identity in again.
    held.pop();
    eventually("a slot comes back", Duration::from_secs(5), || async {
        let c = f.client("gw-g22", Some("dms/000.00.00.G22")).unwrap();
        let r = c.get("/v1/agencies").await.ok()?;
        (r.status == 200).then_some(())
    })
    .await;
    f.stop_all().await;
}

/// Handshakes in progress are capped per address: connections that never start TLS beyond
/// the cap are closed at once instead of waiting out the handshake timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_handshakes_are_capped_per_address() {
    let mut f = one_gateway(
        "handshakes",
        "max_handshakes_per_address = 3\nhandshake_timeout_ms = 20000",
    )
    .await;
    let addr = f.nodes["gw-g22"].addr;
    let mut stalled = Vec::new();
    for _ in 0..6 {
        stalled.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut closed = 0;
    for c in &mut stalled {
        if closed_within(c, Duration::from_millis(500)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 3, "the connections past the cap are closed at once");
    drop(stalled);
    // Until the gateway has seen the stalled connections close, their slots are taken and
    // this address's next handshake is refused too: ask again.
    let m = eventually(
        "the cap's refusals counted",
        Duration::from_secs(5),
        || async {
            let m = try_metrics_text(&f, "gw-g22").await.ok()?;
            metric_value(
                &m,
                "lienthong_connections_refused_total{reason=\"handshakes_per_address\"}",
            )
            .filter(|v| *v >= 3.0)
        },
    )
    .await;
    assert!(m >= 3.0);
    f.stop_all().await;
}
