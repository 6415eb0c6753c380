//! A relayed document's signature is checked as of the time the message entered the network
//! (its UUID v7 id), not the time of this hop: a document signed while its signer's
//! certificate was valid is not refused by the next gateway because the certificate expired
//! while the message waited in a queue. A message that claims to be older than anything may
//! travel (`retry.max_age_ms`) gets no such allowance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_store::{MessageId, Sha256, Timestamp};
use support::*;

/// Retries for up to about three years, so that a message id from early 2025 is in the window.
const LONG_WINDOW: &str = "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = 100000000000\n";

async fn relay(f: &Federation, doc: &[u8], id: MessageId) -> lienthong_gateway::Answer {
    let c = f.client("gw-g22", Some("gateways/gw-h50")).unwrap();
    let (id, sha) = (id.to_string(), Sha256::digest(doc).to_hex());
    c.call_with_headers(
        hyper::Method::POST,
        "/v1/relay",
        doc.to_vec(),
        &[
            ("lienthong-message-id", id.as_str()),
            ("lienthong-sha256", sha.as_str()),
            ("lienthong-recipients", "000.00.00.G22"),
            ("lienthong-hops", "gw-h50"),
        ],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_signer_is_judged_as_of_sending() {
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: certs(),
        root: tempdir("relay-time"),
        policy: SignaturePolicy::Require,
        extra_toml: LONG_WINDOW.into(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    // signers/expired.pem: 000.00.11.H50's signer, valid 2024-03-01 to 2025-03-01.
    let doc = sign_xml(
        &edoc_xml("000.00.11.H50", &["000.00.00.G22"], 31),
        "expired",
    );

    // Sent on 2025-01-15, when the certificate was valid: accepted.
    let jan_2025 = Timestamp::from_millis(1_736_899_200_000);
    let a = relay(&f, &doc, MessageId::new_v7(jan_2025)).await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));

    // The same bytes sent today: the certificate had expired, refused.
    let b = relay(&f, &doc, MessageId::new_v7(Timestamp::now_utc())).await;
    assert_eq!(
        b.error_code().as_deref(),
        Some("signature.required"),
        "{}",
        String::from_utf8_lossy(&b.body)
    );
    assert!(
        b.json()["error"]["detail"]["problem_codes"]
            .to_string()
            .contains("expired")
    );

    // Sent in 2023, before the certificate existed: refused as of then.
    let old = Timestamp::from_millis(1_672_531_200_000);
    let c = relay(&f, &doc, MessageId::new_v7(old)).await;
    assert_eq!(c.error_code().as_deref(), Some("signature.required"));
    f.stop_all().await;
}
