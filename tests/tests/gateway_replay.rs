//! A neighbouring gateway cannot make an inbox receive a document twice, nor bring back
//! what left from here, nor invent a path: replays under a new message id are refused by
//! content, and relays must follow the directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_replayed_under_a_new_id_is_not_delivered_again() {
    let mut f = federation("replay", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let from = "000.00.11.H48";
    let to = "000.00.01.H50";
    let doc = document(from, &[to], 51);
    let id = lienthong_store::MessageId::new_v7(lienthong_store::Timestamp::from_millis(
        1_795_305_600_000,
    ));
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &id.to_string(),
        doc.clone(),
        to,
        "gw-h48,gw-g22",
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // The same bytes under a new id: a replay.
    let again = lienthong_store::MessageId::new_v7(lienthong_store::Timestamp::from_millis(
        1_795_305_700_000,
    ));
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &again.to_string(),
        doc.clone(),
        to,
        "gw-h48,gw-g22",
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_deref()),
        (409, Some("document.replayed")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["error"]["detail"]["existing_id"], id.to_string());
    // The honest resend under the first id gets its receipt again.
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &id.to_string(),
        doc,
        to,
        "gw-h48,gw-g22",
    )
    .await;
    assert_eq!(r.status.as_u16(), 200);
    // One document in the inbox.
    let dms = f.client("gw-h50", Some(&format!("dms/{to}"))).unwrap();
    let items = eventually("the delivery", Duration::from_secs(10), || async {
        let ids = inbox_item_ids(&dms, "").await;
        (!ids.is_empty()).then_some(ids)
    })
    .await;
    assert_eq!(items, vec![id.to_string()]);
    f.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_must_follow_the_directory() {
    let mut f = federation("relay-paths", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let new_id = |n: u64| {
        lienthong_store::MessageId::new_v7(lienthong_store::Timestamp::from_millis(
            1_795_305_600_000 + n,
        ))
        .to_string()
    };
    // The parent brings back a document of an agency homed here.
    let here = "000.00.11.H50";
    let doc = document(here, &["000.00.01.H50"], 52);
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &new_id(1),
        doc,
        "000.00.01.H50",
        "gw-g22",
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_deref()),
        (403, Some("auth.relay_not_routed")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in our own subtree"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // A document that did not start at its sender's home gateway.
    let doc = document("000.00.11.H48", &["000.00.01.H50"], 53);
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &new_id(2),
        doc.clone(),
        "000.00.01.H50",
        "gw-g22",
    )
    .await;
    assert_eq!(r.error_code().as_deref(), Some("auth.relay_not_routed"));
    // A hop list that is no path (gw-h50-giomai does not hand on to gw-g22).
    let r = relay_as(
        &f,
        "gw-g22",
        "gw-h50",
        &new_id(3),
        doc,
        "000.00.01.H50",
        "gw-h48,gw-h50-giomai,gw-g22",
    )
    .await;
    assert_eq!(r.error_code().as_deref(), Some("auth.relay_not_routed"));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a path"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    f.stop_all().await;
}
