//! A signed document that names its sender twice is refused: a DMS that showed the second
//! `From` would show a spoofed sender, so no reading is chosen for it. And a DMS posting
//! another agency's document is refused for that before the costly signature check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_with_two_senders_is_refused_and_leaves_no_trace() {
    let mut f = federation("ambiguous", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let me = "000.00.11.H50";
    let xml = edoc_xml(me, &["000.00.11.H48"], 31);
    // The same MessageHeader with a second From naming another agency.
    let a = xml.find("<edXML:From>").unwrap();
    let b = xml[a..].find("</edXML:From>").unwrap() + a + "</edXML:From>".len();
    let spoof = xml[a..b].replace(me, "000.00.00.G22");
    let ambiguous = format!("{}{spoof}{}", &xml[..b], &xml[b..]);
    let signed = sign_xml(&ambiguous, me);
    let dms = f.client("gw-h50", Some(&format!("dms/{me}"))).unwrap();
    let r = dms.submit(signed).await.unwrap();
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_deref()),
        (400, Some("document.ambiguous")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["error"]["detail"]["causes"][0]["code"], "edxml.ambiguous");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("From"),
        "{v}"
    );
    // Nothing was stored.
    let g = f.running("gw-h50").unwrap();
    let stats = g
        .state
        .store
        .queue_stats(lienthong_store::Timestamp::from_millis(0))
        .unwrap();
    assert_eq!(stats.states.values().sum::<u64>(), 0);
    // The same document with one sender goes through.
    let r = dms.submit(sign_xml(&xml, me)).await.unwrap();
    assert_eq!(
        r.status.as_u16(),
        202,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    f.stop_all().await;
}

/// A DMS posting a document of another agency is refused for that before its signature is
/// checked (the cheap check first): an unsigned document of another agency is
/// `auth.wrong_agency`, not `signature.required`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_is_checked_before_the_signature() {
    let mut f = federation("sender-first", Some(&["gw-g22", "gw-h50", "gw-h48"])).await;
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let unsigned = edoc_xml("000.00.01.H50", &["000.00.11.H48"], 81).into_bytes();
    let r = dms.submit(unsigned.clone()).await.unwrap();
    assert_eq!(
        (r.status.as_u16(), r.error_code().as_deref()),
        (403, Some("auth.wrong_agency")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // Its own agency's unsigned document is refused for the signature.
    let own = edoc_xml("000.00.11.H50", &["000.00.11.H48"], 82).into_bytes();
    let r = dms.submit(own).await.unwrap();
    assert_eq!(r.error_code().as_deref(), Some("signature.required"));
    f.stop_all().await;
}
