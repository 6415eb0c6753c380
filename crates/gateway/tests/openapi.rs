//! docs/api/openapi.yaml and the server agree: the same routes (method and path) both
//! ways, the same error codes with the same HTTP statuses both ways, every operation
//! names its callers and declares its path parameters; and a running gateway really
//! serves exactly the methods `ROUTES` lists on each of its paths.
//!
//! The YAML is read with a few lines of indentation logic (no YAML crate): the spec is
//! written in block style with two-space indentation.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use hyper::Method;
use lienthong_gateway::config::SignaturePolicy;
use lienthong_gateway::http::ROUTES;

use lienthong_gateway::federation::{Federation, FederationSpec, NodeSpec};

const SPEC: &str = include_str!("../../../docs/api/openapi.yaml");

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One meaningful line: its indentation and its trimmed text.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

fn lines(src: &str) -> Vec<Line<'_>> {
    src.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim();
            (!t.is_empty() && !t.starts_with('#')).then(|| Line {
                no: i + 1,
                indent: l.len() - l.trim_start().len(),
                text: t,
            })
        })
        .collect()
}

/// The key of a `key:` or `key: value` line, unquoted.
fn key<'a>(l: &Line<'a>) -> Option<&'a str> {
    let k = match l.text.split_once(": ") {
        Some((k, _)) => k,
        None => l.text.strip_suffix(':')?,
    };
    Some(k.trim_matches('"').trim_matches('\''))
}

/// The value of a `key: value` line, unquoted.
fn value<'a>(l: &Line<'a>) -> Option<&'a str> {
    l.text
        .split_once(": ")
        .map(|(_, v)| v.trim().trim_matches('"').trim_matches('\''))
}

/// The lines nested under line `i` (or the whole document for `None`).
fn descendants<'a, 'b>(ls: &'b [Line<'a>], i: Option<usize>) -> &'b [Line<'a>] {
    let Some(i) = i else { return ls };
    let indent = ls[i].indent;
    let end = ls[i + 1..]
        .iter()
        .position(|l| l.indent <= indent)
        .map_or(ls.len(), |p| i + 1 + p);
    &ls[i + 1..end]
}

/// Indices (into `ls`) of the direct children of line `i`.
fn children(ls: &[Line<'_>], i: Option<usize>) -> Vec<usize> {
    let start = i.map_or(0, |i| i + 1);
    let d = descendants(ls, i);
    let Some(first) = d.first() else {
        return vec![];
    };
    d.iter()
        .enumerate()
        .filter(|(_, l)| l.indent == first.indent)
        .map(|(k, _)| start + k)
        .collect()
}

/// The child of `i` with this key.
fn child(ls: &[Line<'_>], i: Option<usize>, k: &str) -> Option<usize> {
    children(ls, i)
        .into_iter()
        .find(|&c| key(&ls[c]) == Some(k))
}

/// Follow a path of keys from the top.
fn at(ls: &[Line<'_>], path: &[&str]) -> usize {
    let mut cur = None;
    for k in path {
        cur = Some(
            child(ls, cur, k).unwrap_or_else(|| panic!("openapi.yaml has no {}", path.join("."))),
        );
    }
    cur.unwrap()
}

/// (method, path) of every operation under `paths:`.
fn spec_routes(ls: &[Line<'_>]) -> BTreeMap<(String, String), usize> {
    let paths = at(ls, &["paths"]);
    let mut out = BTreeMap::new();
    for p in children(ls, Some(paths)) {
        let path = key(&ls[p]).unwrap();
        assert!(path.starts_with('/'), "line {}: {path}", ls[p].no);
        assert_eq!(
            ls[p].indent, 2,
            "line {}: paths are indented by 2",
            ls[p].no
        );
        for m in children(ls, Some(p)) {
            let method = key(&ls[m]).unwrap();
            if method == "parameters" || method == "summary" || method == "description" {
                continue;
            }
            assert!(
                METHODS.contains(&method),
                "line {}: {method} is not an HTTP method",
                ls[m].no
            );
            assert_eq!(
                ls[m].indent, 4,
                "line {}: methods are indented by 4",
                ls[m].no
            );
            let dup = out.insert((method.to_owned(), path.to_owned()), m);
            assert!(dup.is_none(), "{method} {path} twice");
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let ls = lines(SPEC);
    let spec: BTreeSet<(String, String)> = spec_routes(&ls).into_keys().collect();
    let server: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(server.len(), ROUTES.len(), "ROUTES lists a route twice");
    let undocumented: Vec<_> = server.difference(&spec).collect();
    let phantom: Vec<_> = spec.difference(&server).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in docs/api/openapi.yaml: {undocumented:?}"
    );
    assert!(
        phantom.is_empty(),
        "in docs/api/openapi.yaml but not served (app::ROUTES): {phantom:?}"
    );
    assert_eq!(at(&ls, &["openapi"]), 0);
    assert_eq!(value(&ls[0]), Some("3.0.3"));
}

#[test]
fn every_error_code_is_documented_with_its_status_and_nothing_else_is() {
    let ls = lines(SPEC);
    let schema = at(&ls, &["components", "schemas", "ErrorCode"]);
    let en = child(&ls, Some(schema), "enum").expect("ErrorCode has an enum");
    let listed: Vec<&str> = children(&ls, Some(en))
        .into_iter()
        .map(|i| {
            ls[i]
                .text
                .strip_prefix("- ")
                .unwrap_or_else(|| panic!("line {}: not a list item", ls[i].no))
                .trim()
        })
        .collect();
    let spec_codes: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(spec_codes.len(), listed.len(), "a code is listed twice");
    let codes = api_codes();
    let server_codes: BTreeSet<&str> = codes.iter().map(|(c, _)| *c).collect();
    assert_eq!(server_codes.len(), codes.len(), "Code lists a code twice");
    let undocumented: Vec<_> = server_codes.difference(&spec_codes).collect();
    let phantom: Vec<_> = spec_codes.difference(&server_codes).collect();
    assert!(
        undocumented.is_empty(),
        "error codes missing from ErrorCode: {undocumented:?}"
    );
    assert!(
        phantom.is_empty(),
        "ErrorCode lists codes the server does not have: {phantom:?}"
    );

    // The statuses: x-http-status and the table in the description.
    let st = child(&ls, Some(schema), "x-http-status").expect("ErrorCode has x-http-status");
    let statuses: BTreeMap<&str, u16> = children(&ls, Some(st))
        .into_iter()
        .map(|i| {
            (
                key(&ls[i]).unwrap(),
                value(&ls[i]).unwrap().parse().unwrap(),
            )
        })
        .collect();
    let expected: BTreeMap<&str, u16> = api_codes().into_iter().collect();
    assert_eq!(
        statuses, expected,
        "x-http-status of ErrorCode vs lienthong_types::Code"
    );
    let description = descendants(&ls, child(&ls, Some(schema), "description"));
    for (code, status) in api_codes() {
        let row = format!("| `{code}` | {status} |");
        assert!(
            description.iter().any(|l| l.text.starts_with(&row)),
            "the ErrorCode description has no row {row}"
        );
    }

    // Each status the server can answer has a reusable response that names its codes.
    let responses = at(&ls, &["components", "responses"]);
    for (code, _) in api_codes() {
        let named = children(&ls, Some(responses)).into_iter().any(|r| {
            descendants(&ls, Some(r))
                .iter()
                .any(|l| l.text.contains(&format!("`{code}`")))
        });
        assert!(
            named,
            "no response in components.responses mentions `{code}`"
        );
    }
}

#[test]
fn every_operation_names_its_callers_and_declares_its_path_parameters() {
    let ls = lines(SPEC);
    let params = at(&ls, &["components", "parameters"]);
    for ((method, path), op) in spec_routes(&ls) {
        let callers = child(&ls, Some(op), "x-callers")
            .and_then(|c| value(&ls[c]))
            .unwrap_or_else(|| panic!("{method} {path} has no x-callers"));
        let callers: Vec<&str> = callers
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(str::trim)
            .collect();
        for c in &callers {
            assert!(
                ["agency", "gateway", "operator", "monitor", "none"].contains(c),
                "{method} {path}: unknown caller {c}"
            );
        }
        let open = path == "/healthz" || path == "/readyz";
        assert_eq!(
            callers == ["none"],
            open,
            "{method} {path}: only health checks are open without a certificate"
        );
        let body = descendants(&ls, Some(op));
        assert!(
            body.iter().any(|l| l.text.starts_with("Callers:")),
            "{method} {path}: the description says who may call it"
        );
        // Every {param} of the path is declared, directly or through components.parameters.
        let mut declared = BTreeSet::new();
        for l in body {
            let t = l.text.trim_start_matches("- ");
            if let Some(n) = t.strip_prefix("name: ") {
                declared.insert(n.trim().to_owned());
            }
            if let Some(r) = t.strip_prefix("$ref: ") {
                let r = r.trim_matches('"');
                if let Some(p) = r.strip_prefix("#/components/parameters/") {
                    let c = child(&ls, Some(params), p)
                        .unwrap_or_else(|| panic!("{method} {path}: no parameter {p}"));
                    let n = child(&ls, Some(c), "name").and_then(|n| value(&ls[n]));
                    declared.insert(n.unwrap().to_owned());
                }
            }
        }
        for seg in path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                assert!(
                    declared.contains(name),
                    "{method} {path}: path parameter {name} is not declared"
                );
            }
        }
    }
    // The relay transport headers are all documented.
    for h in [
        lienthong_gateway::headers::MESSAGE_ID,
        lienthong_gateway::headers::SHA256,
        lienthong_gateway::headers::RECIPIENTS,
        lienthong_gateway::headers::HOPS,
    ] {
        assert!(
            SPEC.contains(&format!("name: {h}\n")),
            "relay header {h} is not documented"
        );
    }
}

/// A running gateway serves every method of `ROUTES` on its path, and no other method of
/// the methods probed: so `ROUTES` (which the spec is checked against) is the router. Its
/// health answers hold exactly the fields the spec lists for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_serves_exactly_the_listed_routes() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = FederationSpec {
        nodes: vec![NodeSpec {
            id: "gw-g22".into(),
            parent: None,
            agencies: vec![("000.00.00.G22".into(), "Văn phòng Chính phủ".into())],
        }],
        certs: lienthong_testkit::repo_root().join("certs-dev"),
        root: tmp.path().to_path_buf(),
        policy: SignaturePolicy::Require,
        extra_toml: String::new(),
    };
    let mut f = Federation::prepare(&spec).unwrap();
    f.start_all().await.unwrap();
    let anonymous = f.client("gw-g22", None).unwrap();
    let paths: BTreeSet<&str> = ROUTES.iter().map(|(_, p)| *p).collect();
    let probes = [Method::GET, Method::POST, Method::PUT, Method::DELETE];
    let mut problems = Vec::new();
    for path in paths {
        let concrete = path
            .replace("{id}", "0190f3a2-7c1e-7a4b-9d2e-3f4a5b6c7d8e")
            .replace("{action}", "retry");
        for m in &probes {
            let listed = ROUTES
                .iter()
                .any(|(lm, lp)| *lp == path && lm.eq_ignore_ascii_case(m.as_str()));
            let a = anonymous.call(m.clone(), &concrete, None).await.unwrap();
            let status = a.status.as_u16();
            let fine = if listed {
                // Served: open endpoints answer, the others want a certificate.
                let open = path == "/healthz" || path == "/readyz";
                if open {
                    status == 200
                } else {
                    status == 401 && a.error_code().as_deref() == Some("auth.no_client_certificate")
                }
            } else {
                status == 405
            };
            if !fine {
                problems.push(format!(
                    "{m} {concrete} (listed: {listed}) -> {status} {}",
                    String::from_utf8_lossy(&a.body)
                ));
            }
        }
    }
    // And something that is not a route falls back to not_found.
    let a = anonymous.get("/v1/nothing-here").await.unwrap();
    assert_eq!(a.status.as_u16(), 404);
    assert_eq!(a.error_code().as_deref(), Some("not_found"));
    // The health answers hold the fields the file lists for them, no more and no fewer.
    let ls = lines(SPEC);
    for path in ["/healthz", "/readyz"] {
        let a = anonymous.get(path).await.unwrap();
        let served: BTreeSet<String> = a.json().as_object().unwrap().keys().cloned().collect();
        let schema = at(
            &ls,
            &[
                "paths",
                path,
                "get",
                "responses",
                "200",
                "content",
                "application/json",
                "schema",
            ],
        );
        let properties = child(&ls, Some(schema), "properties").unwrap();
        let listed: BTreeSet<String> = children(&ls, Some(properties))
            .into_iter()
            .map(|i| key(&ls[i]).unwrap().to_owned())
            .collect();
        if served != listed {
            problems.push(format!(
                "{path} answers {served:?}; the file lists {listed:?}"
            ));
        }
    }
    f.stop_all().await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_console_calls_only_endpoints_that_exist() {
    for call in lienthong_gateway::console::CALLS {
        assert!(
            lienthong_gateway::http::ROUTES.contains(&("get", call)),
            "the console calls GET {call}, which the router does not serve"
        );
    }
}

/// The codes the API answers with, and their HTTP statuses, from the one vocabulary.
fn api_codes() -> Vec<(&'static str, u16)> {
    lienthong_types::Code::api()
        .map(|c| (c.as_str(), c.http_status()))
        .collect()
}
