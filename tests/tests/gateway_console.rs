//! The operators' web page: served to an operator certificate only, with a policy that lets
//! it run nothing but its own script and reach nothing but this gateway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_for_operators_with_a_strict_policy() {
    let mut f = federation("console", Some(&["gw-g22", "gw-h50"])).await;
    let ops = f.client("gw-h50", Some("operator/ops")).unwrap();
    let a = ops.get("/console").await.unwrap();
    assert_eq!(a.status, 200);
    let h = |name: &str| {
        a.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name}"))
            .to_owned()
    };
    assert_eq!(h("content-type"), "text/html; charset=utf-8");
    let csp = h("content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; script-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("cache-control"), "no-store");
    let page = String::from_utf8(a.body.to_vec()).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.contains("/v1/queues"));
    // The API calls the page makes answer an operator.
    for call in lienthong_gateway::console::CALLS {
        let r = ops.get(call).await.unwrap();
        assert!(
            r.status == 200 || r.error_code().as_deref() == Some("backup.not_configured"),
            "{call}: {}",
            r.status
        );
    }
    // Not for a DMS, nor without a certificate.
    let dms = f.client("gw-h50", Some("dms/000.00.11.H50")).unwrap();
    let a = dms.get("/console").await.unwrap();
    assert_eq!(a.error_code().as_deref(), Some("auth.forbidden"));
    let a = f
        .client("gw-h50", None)
        .unwrap()
        .get("/console")
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    f.stop_all().await;
}
