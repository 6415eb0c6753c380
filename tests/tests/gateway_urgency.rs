//! Urgent documents under load: with a deep queue of ordinary documents waiting on a link,
//! hỏa tốc documents sent after them overtake them, while ordinary ones keep flowing (at
//! most three urgent in a row); and the recipient's inbox lists the urgent ones first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use lienthong_edxml::{DocCode, Edoc, MessageHeader, Organization, OtherInfo, Priority};
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.G22";

fn org(code: &str) -> Organization {
    Organization {
        organ_id: code.into(),
        ..Organization::default()
    }
}

fn doc(n: u32, priority: Priority) -> Vec<u8> {
    let e = Edoc {
        header: MessageHeader {
            from: org(FROM),
            to: vec![org(TO)],
            document_id: Some(format!("{FROM},2026/12/01,{n}/KH")),
            code: Some(DocCode {
                code_number: Some(n.to_string()),
                code_notation: Some("KH".into()),
            }),
            subject: Some(format!("Văn bản số {n}")),
            other_info: Some(OtherInfo {
                priority: Some(priority),
                ..OtherInfo::default()
            }),
            ..MessageHeader::default()
        },
        ..Edoc::default()
    };
    sign_xml(&lienthong_edxml::write_edoc(&e), FROM)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hoa_toc_overtakes_a_deep_queue_while_ordinary_documents_still_flow() {
    const ORDINARY: u32 = 150;
    const URGENT: u32 = 24;
    let mut f = federation("urgency", Some(&["gw-g22", "gw-h50"])).await;
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    // The national gateway is down: the queue towards it grows.
    f.stop("gw-g22").await;
    let mut urgent_ids = Vec::new();
    for n in 0..ORDINARY {
        let a = sender.submit(doc(n, Priority::Normal)).await.unwrap();
        assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    }
    for n in 0..URGENT {
        let a = sender.submit(doc(1000 + n, Priority::Flash)).await.unwrap();
        assert_eq!(a.status, 202);
        urgent_ids.push(a.json()["id"].as_str().unwrap().to_owned());
    }
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let depth = ops.get("/v1/queues").await.unwrap().json();
    let hop = depth["queues"]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hop"] == "gw-g22")
        .unwrap()
        .clone();
    assert_eq!(
        hop["depth"].as_u64(),
        Some(u64::from(ORDINARY + URGENT)),
        "{hop}"
    );
    // The link comes back.
    f.start("gw-g22").await.unwrap();
    let inbox = f.client("gw-g22", Some(&format!("dms/{TO}"))).unwrap();
    let total = (ORDINARY + URGENT) as usize;
    let items = eventually("every document delivered", Duration::from_secs(90), || {
        let inbox = inbox.clone();
        async move {
            let v = inbox.get("/v1/inbox?limit=1000").await.ok()?.json();
            let items = v["items"].as_array()?.clone();
            (items.len() == total).then_some(items)
        }
    })
    .await;
    // The listing puts the urgent documents first.
    assert!(
        items[..URGENT as usize].iter().all(|i| i["priority"] == 3),
        "urgent first in the listing"
    );
    // The order they arrived in: the inbox position.
    let mut arrived: Vec<(u64, bool)> = items
        .iter()
        .map(|i| {
            (
                i["cursor"].as_u64().unwrap(),
                urgent_ids.contains(&i["id"].as_str().unwrap().to_owned()),
            )
        })
        .collect();
    arrived.sort();
    let order: Vec<bool> = arrived.into_iter().map(|(_, u)| u).collect();
    let first_urgent = order.iter().position(|u| *u).unwrap();
    let last_urgent = order.iter().rposition(|u| *u).unwrap();
    // Every urgent document was sent before most ordinary ones although it was queued after all of them.
    assert!(
        first_urgent < 16,
        "the first hỏa tốc document arrived {first_urgent}th: {order:?}"
    );
    assert!(
        last_urgent < total / 2,
        "the urgent ones all arrived in the first half: last at {last_urgent}: {order:?}"
    );
    // Ordinary documents kept flowing among them: at least one in every few deliveries.
    let ordinary_among_urgent = order[..=last_urgent].iter().filter(|u| !**u).count();
    assert!(
        ordinary_among_urgent >= (URGENT as usize) / 4,
        "{ordinary_among_urgent} ordinary documents among the urgent ones: {order:?}"
    );
    // Paging with small pages reaches every document; urgent ones not yet acknowledged are
    // pulled ahead (marked) and come again in order; the page after the end is empty with
    // no `next`.
    let mut after: Option<String> = None;
    let (mut seen, mut pulled) = (std::collections::BTreeSet::new(), 0);
    let mut pages = 0;
    loop {
        let q = match &after {
            Some(c) => format!("/v1/inbox?limit=10&after={c}"),
            None => "/v1/inbox?limit=10".to_owned(),
        };
        let v = inbox.get(&q).await.unwrap().json();
        pages += 1;
        assert!(pages < 100, "paging does not end");
        for i in v["items"].as_array().unwrap() {
            if i["ahead"] == true {
                pulled += 1;
                assert_eq!(i["priority"], 3, "{i}");
            } else {
                assert!(
                    seen.insert(i["id"].as_str().unwrap().to_owned()),
                    "{i} twice in order"
                );
            }
        }
        match v["next"].as_str() {
            Some(c) => after = Some(c.to_owned()),
            None => {
                assert!(v["items"].as_array().unwrap().is_empty(), "{v}");
                break;
            }
        }
    }
    assert_eq!(seen.len(), total);
    assert!(
        pulled > 0,
        "urgent documents were pulled ahead of their turn"
    );
    f.stop_all().await;
}
