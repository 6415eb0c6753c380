//! A relayed document's signature is checked as of the time the message entered the network
//! (its UUID v7 id), not the time of this hop: a document signed while its signer's
//! certificate was valid is not refused by the next gateway because the certificate expired
//! while the message waited in a queue. How far back is bounded by `retry.max_age_ms`: a
//! message that claims to be older is judged as of the window's start.
//!
//! `certs-dev/signers/expired.pem` (000.00.11.H50) was valid from 2024-03-01 to 2025-03-01.
//! The windows are computed from today, so the test means the same whenever it runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::federation::{Federation, FederationSpec};
use lienthong_store::{MessageId, Timestamp};
use support::*;

/// 2024-06-01 and 2025-06-01, 00:00 UTC: the certificate was valid at the first, expired at
/// the second.
const JUNE_2024: u64 = 1_717_200_000_000;
const JUNE_2025: u64 = 1_748_736_000_000;
/// 2025-01-15: the certificate was valid.
const JAN_2025: u64 = 1_736_899_200_000;

fn retry(max_age_ms: u64) -> String {
    format!(
        "\n[retry]\nbase_ms = 100\nfactor = 2.0\ncap_ms = 1000\njitter_percent = 10\nmax_attempts = 1000\nmax_age_ms = {max_age_ms}\n"
    )
}

async fn relay(
    f: &Federation,
    from: &str,
    to: &str,
    recipient: &str,
    doc: &[u8],
    sent: u64,
) -> lienthong_gateway::Answer {
    let id = MessageId::new_v7(Timestamp::from_millis(sent)).to_string();
    relay_as(f, from, to, &id, doc.to_vec(), recipient, from).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_signer_is_judged_as_of_sending() {
    let now = Timestamp::now_utc().as_millis();
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50", "gw-h50-giolinh"])),
        certs: certs(),
        root: tempdir("relay-time"),
        policy: SignaturePolicy::Require,
        // Every gateway looks back to June 2024 ...
        extra_toml: retry(now - JUNE_2024),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    // ... but the commune gateway only to June 2025.
    let cfg = f.nodes["gw-h50-giolinh"].config_path.clone();
    let text = std::fs::read_to_string(&cfg).unwrap();
    let long = format!("max_age_ms = {}", now - JUNE_2024);
    assert!(text.contains(&long));
    std::fs::write(
        &cfg,
        text.replace(&long, &format!("max_age_ms = {}", now - JUNE_2025)),
    )
    .unwrap();
    f.start_all().await.unwrap();

    // Up to the national gateway.
    let up = sign_xml(
        &edoc_xml("000.00.11.H50", &["000.00.00.G22"], 31),
        "expired",
    );
    // Sent in January 2025, when the certificate was valid: accepted.
    let a = relay(&f, "gw-h50", "gw-g22", "000.00.00.G22", &up, JAN_2025).await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    // The same bytes sent today: the certificate had expired, refused.
    let b = relay(&f, "gw-h50", "gw-g22", "000.00.00.G22", &up, now).await;
    assert_eq!(
        b.error_code().as_deref(),
        Some("signature.required"),
        "{}",
        String::from_utf8_lossy(&b.body)
    );
    assert!(
        b.json()["error"]["detail"]["problem_codes"]
            .to_string()
            .contains("cert.expired")
    );

    // Down to the commune, whose window starts in June 2025: a message claiming January
    // 2025 is judged as of June 2025, when the certificate had expired.
    let down = sign_xml(
        &edoc_xml("000.00.11.H50", &["000.00.21.H50"], 32),
        "expired",
    );
    let c = relay(
        &f,
        "gw-h50",
        "gw-h50-giolinh",
        "000.00.21.H50",
        &down,
        JAN_2025,
    )
    .await;
    assert_eq!(
        c.error_code().as_deref(),
        Some("signature.required"),
        "{}",
        String::from_utf8_lossy(&c.body)
    );
    // The national gateway, looking back further, judges a message that claims to be from
    // 2023 (before the certificate existed) as of its window's start, June 2024.
    let old = relay(
        &f,
        "gw-h50",
        "gw-g22",
        "000.00.00.G22",
        &sign_xml(
            &edoc_xml("000.00.11.H50", &["000.00.00.G22"], 33),
            "expired",
        ),
        1_672_531_200_000,
    )
    .await;
    assert_eq!(old.status, 200, "{}", String::from_utf8_lossy(&old.body));
    f.stop_all().await;
}

/// Judged as of sending, but not with stale revocation lists: a CRL past its nextUpdate today
/// cannot vouch that the signer was not revoked since, whenever the message was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_revocation_lists_are_not_trusted_for_old_messages() {
    let pki_dir = tempdir("relay-time-crl-pki");
    let pki = lienthong_testkit::pki::DevPki::generate().unwrap();
    pki.write_to(&pki_dir).unwrap();
    // The CA's CRL ran out on 2026-06-01 (the committed one lasts to 2036).
    let (stale, _) = pki.crl_until(&[], 2, (2026, 6, 1)).unwrap();
    std::fs::write(pki_dir.join("ca.crl.pem"), stale).unwrap();
    let now = Timestamp::now_utc().as_millis();
    let spec = FederationSpec {
        nodes: nodes(Some(&["gw-g22", "gw-h50"])),
        certs: pki_dir.clone(),
        root: tempdir("relay-time-crl"),
        policy: SignaturePolicy::Require,
        extra_toml: retry(now - JUNE_2024),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let signer = &pki.signers["000.00.11.H50"];
    let key = lienthong_dsig::SigningKey::from_pem(signer.key_pem.as_bytes()).unwrap();
    let chain = lienthong_dsig::certs_from_pem(signer.cert_pem.as_bytes()).unwrap();
    let placement = lienthong_dsig::Placement::LastChildOf {
        namespace: lienthong_edxml::EDXML_NS.into(),
        local: "edXMLHeader".into(),
    };
    let doc = lienthong_dsig::sign_enveloped(
        edoc_xml("000.00.11.H50", &["000.00.00.G22"], 41).as_bytes(),
        &key,
        &chain,
        &placement,
    )
    .unwrap();
    // Sent on 2026-03-01, while the CRL was fresh: still refused today, for the CRL.
    let march_2026 = 1_772_323_200_000;
    let a = relay(&f, "gw-h50", "gw-g22", "000.00.00.G22", &doc, march_2026).await;
    assert_eq!(
        a.error_code().as_deref(),
        Some("signature.required"),
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let codes = a.json()["error"]["detail"]["problem_codes"].to_string();
    assert!(codes.contains("cert.crl_expired"), "{codes}");
    f.stop_all().await;
}
