//! Operators search messages by agency and time (`GET /v1/messages?state=all&agency=…`):
//! "did the district's document to the commune leave here, and where is it now?".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use lienthong_gateway::client::ApiClient;
use serde_json::Value;
use support::*;

const FROM: &str = "000.00.11.H50";
const TO: &str = "000.00.00.H50";
const OTHER: &str = "000.00.01.H50";
const FAR: &str = "000.00.00.G22";

/// Every page of a search, following `next` to its end: the ids found, and the pages.
async fn search(ops: &ApiClient, query: &str) -> (Vec<String>, Vec<Value>) {
    let mut ids = Vec::new();
    let mut pages = Vec::new();
    let mut after = String::new();
    loop {
        let a = ops
            .get(&format!("/v1/messages?{query}{after}"))
            .await
            .unwrap();
        assert_eq!(
            a.status,
            200,
            "{query}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let j = a.json();
        ids.extend(
            j["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned()),
        );
        let next = j["next"].clone();
        pages.push(j);
        match next.as_str() {
            Some(n) => after = format!("&after={n}"),
            None => return (ids, pages),
        }
        assert!(pages.len() < 20, "{query}: no end of pages");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_find_messages_by_agency_and_time() {
    let mut f = federation("search", Some(&["gw-g22", "gw-h50"])).await;
    // Refusals' messages in English, which this test reads.
    let ops = f
        .client("gw-h50", Some("operator/ops"))
        .unwrap()
        .with_language("en");
    let submit = |from: &'static str, to: &'static [&'static str], n: u32| {
        let c = f.client("gw-h50", Some(&format!("dms/{from}"))).unwrap();
        async move {
            let a = c.submit(document(from, to, n)).await.unwrap();
            assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
            a.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let local = submit(FROM, &[TO], 1).await;
    let relayed = submit(FROM, &[FAR], 2).await;
    let reply = submit(TO, &[OTHER], 3).await;

    // Every state: as sender or as recipient, in id (= time) order, to the end.
    let (ids, pages) = search(&ops, &format!("state=all&agency={TO}")).await;
    assert_eq!(ids, [local.clone(), reply.clone()]);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["agency"], TO);
    assert_eq!(pages[0]["scanned"], 3);
    assert!(pages[0]["next"].is_null());
    // A recipient homed at another gateway: the message that left for it.
    let (ids, pages) = search(&ops, &format!("state=all&agency={FAR}")).await;
    assert_eq!(ids, std::slice::from_ref(&relayed));
    let m = &pages[0]["messages"][0];
    assert_eq!(m["sender"], FROM);
    assert!(m["recipients"][FAR].is_object(), "{m}");
    // Each listed with what a person reads: subject, number, names, states in words (in
    // the language asked for).
    let v = &m["view"];
    assert_eq!(v["number"], "2/UBND", "{m}");
    assert_eq!(v["subject"], "V/v thử nghiệm liên thông số 2", "{m}");
    assert_eq!(v["sender_name"], "Sở Tài chính tỉnh Quảng Trị", "{m}");
    assert_eq!(v["recipients"][0]["name"], "Văn phòng Chính phủ", "{m}");
    // By number/symbol, subject or DocumentId, any part, any case.
    let (ids, _) = search(&ops, "state=all&text=2/UBND").await;
    assert_eq!(ids, std::slice::from_ref(&relayed));
    let (ids, _) = search(&ops, "state=all&text=S%E1%BB%90%202").await;
    assert_eq!(ids, std::slice::from_ref(&relayed), "'SỐ 2' finds 'số 2'");
    let (ids, _) = search(&ops, &format!("state=all&text={TO}")).await;
    assert_eq!(
        ids,
        std::slice::from_ref(&reply),
        "its DocumentId starts with its sender"
    );
    // One at a time: the sender's two, over pages.
    let (ids, pages) = search(&ops, &format!("state=all&agency={FROM}&limit=1")).await;
    assert_eq!(ids, [local.clone(), relayed.clone()]);
    assert!(pages.len() >= 2);
    // With a state: the sender has no dead letters.
    let (ids, _) = search(&ops, &format!("state=dead&agency={FROM}")).await;
    assert!(ids.is_empty());
    // A time window: nothing before 2000 or from tomorrow on; all of it today.
    let (ids, _) = search(&ops, &format!("state=all&agency={TO}&until=2000-01-01")).await;
    assert!(ids.is_empty());
    let (ids, _) = search(&ops, "state=all&since=2999-01-01").await;
    assert!(ids.is_empty());
    let (ids, _) = search(&ops, "state=all&since=2000-01-01&until=2999-01-01").await;
    assert_eq!(ids, [local.clone(), relayed.clone(), reply.clone()]);

    // Bad input: a clear error, naming the parameter.
    for (query, what) in [
        ("state=all&agency=nonsense", "agency 'nonsense'"),
        ("state=all&until=soon", "until='soon'"),
        ("state=everything", "state='everything'"),
    ] {
        let a = ops.get(&format!("/v1/messages?{query}")).await.unwrap();
        assert_eq!(a.status, 400, "{query}");
        assert_eq!(a.error_code().as_deref(), Some("request.bad_request"));
        let body = String::from_utf8_lossy(&a.body).into_owned();
        assert!(body.contains(what), "{query}: {body}");
    }
    // Only operators search everything.
    let dms = f.client("gw-h50", Some(&format!("dms/{TO}"))).unwrap();
    assert_eq!(dms.get("/v1/messages?state=all").await.unwrap().status, 403);

    // A DMS lists what its own agency sent (not what it received), in every state.
    let sender = f.client("gw-h50", Some(&format!("dms/{FROM}"))).unwrap();
    let mine = |c: ApiClient, query: &'static str| async move {
        let a = c.get(&format!("/v1/documents{query}")).await.unwrap();
        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
        let j = a.json();
        let ids: Vec<String> = j["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        (ids, j)
    };
    let (ids, j) = mine(sender.clone(), "").await;
    assert_eq!(ids, [local, relayed]);
    assert_eq!(j["state"], "all");
    assert_eq!(j["agency"], FROM);
    assert!(j["next"].is_null());
    let (ids, _) = mine(dms.clone(), "").await;
    assert_eq!(ids, [reply], "TO sent only the reply");
    let (ids, _) = mine(sender.clone(), "?state=dead").await;
    assert!(ids.is_empty());
    let (ids, _) = mine(sender.clone(), "?since=2999-01-01").await;
    assert!(ids.is_empty());
    let a = sender.get("/v1/documents?since=soon").await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("request.bad_request"));
    assert_eq!(ops.get("/v1/documents").await.unwrap().status, 403);
    f.stop_all().await;
}

/// Query parameters are read alike on every endpoint: one that cannot be read is
/// `request.bad_request` in the API's JSON shape, naming the parameter in
/// `detail.parameter` (the parser's words in `detail.reason`, beside a catalog message);
/// one given with an empty value is the same as one left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_parameters_are_refused_alike_and_empty_ones_are_left_out() {
    let mut f = federation("search-params", Some(&["gw-g22", "gw-h50"])).await;
    let client = |who: &str| f.client("gw-h50", Some(who)).unwrap().with_language("en");
    let ops = client("operator/ops");
    let sender = client(&format!("dms/{FROM}"));
    let reader = client(&format!("dms/{TO}"));
    let a = sender.submit(document(FROM, &[TO], 1)).await.unwrap();
    assert_eq!(a.status, 202, "{}", String::from_utf8_lossy(&a.body));
    let id = a.json()["id"].as_str().unwrap().to_owned();

    // A UUID, but not a version 7 one: not a message id.
    let not_v7 = "123e4567-e89b-42d3-a456-426614174000";
    for (c, path, parameter) in [
        (&sender, format!("/v1/documents?after={not_v7}"), "after"),
        (
            &ops,
            format!("/v1/messages?state=all&after={not_v7}"),
            "after",
        ),
        (&ops, format!("/v1/documents/{id}?trail=null"), "trail"),
        (&ops, "/v1/messages?limit=0".to_owned(), "limit"),
        (&ops, "/v1/messages?limit=1001".to_owned(), "limit"),
        (&ops, "/v1/messages?limit=5&limit=6".to_owned(), "limit"),
        (&ops, "/v1/overdue?limit=-1".to_owned(), "limit"),
        (&reader, "/v1/inbox?after=abc".to_owned(), "after"),
        (&reader, "/v1/inbox?limit=5000".to_owned(), "limit"),
        // Checked also when a search by DocumentId leaves it aside.
        (
            &ops,
            "/v1/messages?document_id=X&state=nonsense".to_owned(),
            "state",
        ),
    ] {
        let a = c.get(&path).await.unwrap();
        let body = String::from_utf8_lossy(&a.body).into_owned();
        assert_eq!(a.status, 400, "{path}: {body}");
        let e = a.json();
        assert_eq!(e["error"]["code"], "request.bad_request", "{path}: {body}");
        assert_eq!(
            e["error"]["detail"]["parameter"], parameter,
            "{path}: {body}"
        );
    }
    // The message is the catalog's, in the caller's language; the parser's words are the
    // reason beside it.
    let a = ops
        .get(&format!("/v1/documents/{id}?trail=null"))
        .await
        .unwrap();
    assert_eq!(
        a.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let e = a.json();
    assert_eq!(
        e["error"]["message"], "query parameter trail has a value this endpoint cannot read",
        "{e}"
    );
    assert_eq!(
        e["error"]["detail"]["reason"], "provided string was not `true` or `false`",
        "{e}"
    );
    let vi = f.client("gw-h50", Some("operator/ops")).unwrap();
    let a = vi
        .get(&format!("/v1/documents/{id}?trail=null"))
        .await
        .unwrap();
    assert_eq!(
        a.json()["error"]["message"],
        "giá trị của tham số truy vấn trail không đọc được"
    );

    // Given empty, as if left out.
    for (c, path) in [
        (
            &ops,
            "/v1/messages?state=&document_id=&sender=&agency=&after=&since=&until=&limit=&reason=&text="
                .to_owned(),
        ),
        (&sender, "/v1/documents?state=&after=&limit=&since=&until=".to_owned()),
        (&ops, format!("/v1/documents/{id}?trail=")),
        (&ops, format!("/v1/documents/{id}?trail")),
        (&reader, "/v1/inbox?after=&limit=&kind=&wait=".to_owned()),
        (&ops, "/v1/overdue?agency=&limit=".to_owned()),
    ] {
        let a = c.get(&path).await.unwrap();
        assert_eq!(a.status, 200, "{path}: {}", String::from_utf8_lossy(&a.body));
    }
    let a = ops.get("/v1/messages?state=&document_id=").await.unwrap();
    assert_eq!(a.json()["state"], "dead", "the default state");
    let a = sender.get("/v1/documents?state=").await.unwrap().json();
    assert_eq!(a["state"], "all", "{a}");
    assert_eq!(a["messages"][0]["id"], id.as_str(), "{a}");
    f.stop_all().await;
}
