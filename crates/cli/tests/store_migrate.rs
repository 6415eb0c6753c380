//! `lienthong store migrate`: a stopped gateway's embedded store moves into PostgreSQL,
//! is proven by the store check, and the gateway then serves the same messages, byte for
//! byte, from the database. And what it refuses: a running gateway's store, a destination
//! that is not empty, an endpoint it cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../tests/tests/support/mod.rs"]
mod support;

mod fed;

use fed::{Fed, lienthong, run};

const SENDER: &str = "000.00.01.H50";
const RECIPIENT: &str = "000.00.11.H50";

#[test]
fn a_stopped_gateways_store_moves_into_postgres_and_is_served_from_there() {
    let Some(cluster) = lienthong_testkit::postgres::shared() else {
        return;
    };
    let url = cluster.database();
    let mut f = Fed::start(&["gw-h50"], "");
    let sender = f.dms("gw-h50", SENDER);
    let near = f.dms("gw-h50", RECIPIENT);
    let mut sent = Vec::new();
    for n in 1..=3 {
        let bytes = support::document(SENDER, &[RECIPIENT], n);
        let file = f.file(&format!("d{n}.edxml"), &bytes);
        let id = run(&["send", "--json"], &sender, &[&file]).expect(0).json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        sent.push((id, bytes));
    }
    run(
        &["inbox", "ack", &sent[0].0, "--result", "done"],
        &near,
        &[],
    )
    .expect(0);
    let data = f.path("fed/gw-h50/data");
    let from = format!("sled:{}", data.display());

    // While the gateway runs, its store is held: refused, and the database stays empty.
    let o = lienthong(["store", "migrate", "--from", &from, "--to", &url]).expect(2);
    assert!(o.stderr.contains("stop it first"), "{}", o.stderr);
    f.stop("gw-h50");
    // An endpoint that names no engine.
    let o = lienthong(["store", "migrate", "--from", "/var/lib/x", "--to", &url]).expect(2);
    assert!(o.stderr.contains("sled:DIR"), "{}", o.stderr);

    let o = lienthong(["store", "migrate", "--from", &from, "--to", &url]).expect(0);
    let text = o.text();
    assert!(
        text.contains("copied") && text.contains("3 payloads"),
        "{text}"
    );
    assert!(text.contains("verified"), "{text}");
    // Once only: the destination is no longer empty.
    let o = lienthong(["store", "migrate", "--from", &from, "--to", &url]).expect(2);
    assert!(o.stderr.contains("not empty"), "{}", o.stderr);

    // The gateway's configuration switched to the database: the check finds it healthy…
    let config = f.f.nodes["gw-h50"].config_path.clone();
    let text = std::fs::read_to_string(&config).unwrap();
    let pg: String = text
        .lines()
        .filter(|l| !l.starts_with("data_dir = "))
        .collect::<Vec<_>>()
        .join("\n")
        + &format!("\n[store]\nengine = \"postgres\"\nurl = \"{url}\"\n");
    std::fs::write(&config, pg).unwrap();
    let o = lienthong([
        "check-store",
        "--config",
        config.to_str().unwrap(),
        "--hashes",
    ])
    .expect(0);
    assert!(o.text().contains("3 messages"), "{}", o.text());
    assert!(o.text().contains("healthy"), "{}", o.text());

    // … and serves the same inbox, the same bytes, the same acknowledgement.
    f.rt.block_on(f.f.start("gw-h50")).unwrap();
    let listing = run(&["inbox", "list", "--json"], &near, &[])
        .expect(0)
        .json();
    let items = listing["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{listing}");
    for (id, bytes) in &sent {
        let got = f.path(&format!("got-{id}.edxml"));
        run(&["inbox", "get", id], &near, &[&"-o", &got]).expect(0);
        assert_eq!(
            &std::fs::read(&got).unwrap(),
            bytes,
            "byte-identical after the move"
        );
    }
    let acked: Vec<&str> = items
        .iter()
        .filter(|i| i["acked"] == "done")
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(acked, [sent[0].0.as_str()]);
    // New work goes on in the database.
    let file = f.file("d4.edxml", &support::document(SENDER, &[RECIPIENT], 4));
    run(&["send"], &sender, &[&file]).expect(0);
    let n = run(&["inbox", "list", "--json"], &near, &[])
        .expect(0)
        .json()["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n, 4);
}
