//! Audit search against wiremock: exact bodies, the paging walk, and its rate-limit window.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use descope_mgmt::{Error, RateLimitConfig, RateWindow, SearchAuditRequest};
use futures::TryStreamExt;
use serde_json::{Value, json};
use tokio::time::Instant;
use wiremock::matchers::body_json;
use wiremock::{MockServer, Request, ResponseTemplate};

use crate::{TestResult, builder, client, mgmt};

fn audits(ids: &[&str]) -> Value {
    json!(
        ids.iter()
            .map(|id| json!({"ID": id, "action": "LoginSucceed", "occurred": "1700000000000"}))
            .collect::<Vec<_>>()
    )
}

fn page(ids: &[&str], total: Option<u64>) -> ResponseTemplate {
    let mut body = json!({"audits": audits(ids)});
    if let Some(t) = total {
        body["total"] = json!(t);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn search_sends_every_filter_and_decodes_the_page() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/audit/search")
        .and(body_json(json!({
            "userIds": ["U1"], "actions": ["LoginSucceed", "LoginFailed"],
            "excludedActions": ["UserRefresh"], "devices": ["Desktop"], "methods": ["otp"],
            "geos": ["US"], "remoteAddresses": ["1.2.3.4"], "externalIds": ["jane@acme.io"],
            "tenants": ["T1"], "noTenants": true, "text": "jane",
            "from": 1_700_000_000_000_i64, "to": 1_700_000_100_000_i64, "size": 500, "page": 2
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "audits": [
                {"ID": "A1", "projectId": "P2x", "userId": "U1", "action": "LoginFailed",
                 "type": "warn", "actorId": "U1", "occurred": "1700000050000",
                 "device": "Desktop", "method": "otp", "geo": "US", "remoteAddress": "1.2.3.4",
                 "externalIds": ["jane@acme.io"], "tenants": ["T1"],
                 "data": {"error_message": "bad code"}},
                {"id": "A2", "occurred": 1_700_000_060_000_i64, "tenants": null}
            ],
            "total": "1002"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let req = SearchAuditRequest::new()
        .user_ids(["U1"])
        .actions(["LoginSucceed", "LoginFailed"])
        .excluded_actions(["UserRefresh"])
        .devices(["Desktop"])
        .methods(["otp"])
        .geos(["US"])
        .remote_addresses(["1.2.3.4"])
        .login_ids(["jane@acme.io"])
        .tenants(["T1"])
        .no_tenants(true)
        .text("jane")
        .since(UNIX_EPOCH + Duration::from_millis(1_700_000_000_000))
        .to(1_700_000_100_000)
        .size(500)
        .page(2);
    let p = client(&server).audit().search(&req).await?;
    assert_eq!(p.total, 1002);
    let a = &p.audits[0];
    assert_eq!((a.id.as_str(), a.kind.as_str()), ("A1", "warn"));
    assert_eq!(
        a.occurred_at(),
        Some(UNIX_EPOCH + Duration::from_millis(1_700_000_050_000))
    );
    assert_eq!(a.login_ids, ["jane@acme.io"]);
    assert_eq!(a.data.get("error_message"), Some(&json!("bad code")));
    assert_eq!(p.audits[1].id, "A2");
    assert_eq!(p.audits[1].occurred, 1_700_000_060_000);
    Ok(())
}

#[tokio::test]
async fn a_page_above_the_maximum_is_refused_before_sending() -> TestResult {
    let server = MockServer::start().await;
    let c = client(&server);
    let big = SearchAuditRequest::new().size(1001);
    assert!(matches!(
        c.audit().search(&big).await,
        Err(Error::InvalidArgument(_))
    ));
    let first = c.audit().search_all(big).try_next().await;
    assert!(matches!(first, Err(Error::InvalidArgument(_))));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    Ok(())
}

/// The body without `to`, and `to` itself.
fn split_to(req: &Request) -> Option<(Value, i64)> {
    let mut body: Value = serde_json::from_slice(&req.body).ok()?;
    let to = body.as_object_mut()?.remove("to")?.as_i64()?;
    Some((body, to))
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX)
}

#[tokio::test]
async fn search_all_pins_the_window_and_pages_until_total() -> TestResult {
    let server = MockServer::start().await;
    let before = now_ms();
    let stream = client(&server)
        .audit()
        .search_all(SearchAuditRequest::new().actions(["LoginSucceed"]).size(2));
    let after = now_ms();
    for (p, ids) in [(0, &["A1", "A2"][..]), (1, &["A3", "A4"]), (2, &["A5"])] {
        let want = json!({"actions": ["LoginSucceed"], "size": 2, "page": p});
        mgmt("POST", "/v1/mgmt/audit/search")
            .and(move |req: &Request| {
                split_to(req)
                    .is_some_and(|(body, to)| body == want && (before..=after).contains(&to))
            })
            .respond_with(page(ids, Some(5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let got: Vec<String> = stream.map_ok(|a| a.id).try_collect().await?;
    assert_eq!(got, ["A1", "A2", "A3", "A4", "A5"]);
    // The same `to` on every page.
    let tos: Vec<i64> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| split_to(r).map(|(_, to)| to))
        .collect();
    assert_eq!(tos.len(), 3);
    assert!(tos.iter().all(|t| *t == tos[0]), "{tos:?}");
    Ok(())
}

#[tokio::test]
async fn search_all_keeps_a_given_window_and_stops_at_a_short_page_without_total() -> TestResult {
    let server = MockServer::start().await;
    for (p, ids) in [(3, &["A1", "A2"][..]), (4, &["A3"])] {
        mgmt("POST", "/v1/mgmt/audit/search")
            .and(body_json(
                json!({"from": 10, "to": 20, "size": 2, "page": p}),
            ))
            .respond_with(page(ids, None))
            .expect(1)
            .mount(&server)
            .await;
    }
    let req = SearchAuditRequest::new().from(10).to(20).size(2).page(3);
    let got: Vec<String> = client(&server)
        .audit()
        .search_all(req)
        .map_ok(|a| a.id)
        .try_collect()
        .await?;
    assert_eq!(got, ["A1", "A2", "A3"]);
    Ok(())
}

#[tokio::test]
async fn search_all_trusts_total_over_a_capped_page_and_skips_overlap() -> TestResult {
    let server = MockServer::start().await;
    // The server serves 2 where 4 were asked (a cap), and page 1 repeats the last record of
    // page 0: every record comes once, and the walk goes on until `total`.
    for (p, ids) in [
        (0, &["A1", "A2"][..]),
        (1, &["A2", "A3"]),
        (2, &["A4", "A5"]),
    ] {
        mgmt("POST", "/v1/mgmt/audit/search")
            .and(body_json(json!({"to": 20, "size": 4, "page": p})))
            .respond_with(page(ids, Some(5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let got: Vec<String> = client(&server)
        .audit()
        .search_all(SearchAuditRequest::new().to(20).size(4))
        .map_ok(|a| a.id)
        .try_collect()
        .await?;
    assert_eq!(got, ["A1", "A2", "A3", "A4", "A5"]);
    Ok(())
}

#[tokio::test]
async fn search_all_ends_with_an_error_when_the_server_ignores_page() -> TestResult {
    let server = MockServer::start().await;
    // Every page is the first page, and there is no total: without the check this would loop
    // forever.
    mgmt("POST", "/v1/mgmt/audit/search")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"audits": [
            {"action": "LoginSucceed", "occurred": "1"},
            {"action": "LoginFailed", "occurred": "2"}
        ]})))
        .expect(2)
        .mount(&server)
        .await;
    let mut stream = client(&server)
        .audit()
        .search_all(SearchAuditRequest::new().to(20).size(2));
    let mut yielded = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => yielded += 1,
            Ok(None) => return Err("the walk ended without noticing the repeated page".into()),
            Err(e) => break e,
        }
    };
    assert_eq!(yielded, 2);
    match err {
        Error::Decode { message, .. } => assert!(message.contains("`page`"), "{message}"),
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn audit_search_has_its_own_rate_limit_window() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/audit/search")
        .and(body_json(json!({})))
        .respond_with(page(&[], Some(0)))
        .expect(3)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(1)
        .mount(&server)
        .await;
    let minute = Duration::from_secs(60);
    assert_eq!(
        RateLimitConfig::descope().audit_search,
        Some(RateWindow::new(10, minute))
    );
    let c = builder(&server)
        .rate_limit(RateLimitConfig::descope().with_audit_search(Some(RateWindow::new(2, minute))))
        .__disable_timeouts()
        .build()?;
    let start = Instant::now();
    let req = SearchAuditRequest::new();
    c.audit().search(&req).await?;
    c.audit().search(&req).await?;
    assert_eq!(start.elapsed(), Duration::ZERO);
    // Another class is not held back by the audit window.
    c.roles().all().await?;
    assert_eq!(start.elapsed(), Duration::ZERO);
    c.audit().search(&req).await?;
    assert_eq!(start.elapsed(), minute);
    assert_eq!(c.metrics().throttle_wait, minute);
    Ok(())
}
