//! Third-party applications and consents against wiremock: exact method, path, auth header and
//! JSON body; paging under every answer the SDKs leave open.

use std::time::Duration;

use descope_mgmt::{Error, RetryConfig, SearchConsentsRequest};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, client, mgmt};

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
}

fn consent(id: &str) -> Value {
    json!({"id": id, "appId": "TPA1", "userId": format!("U-{id}"), "scopes": ["read"],
        "grantedBy": "admin", "createdTime": 1_700_000_000, "tenantId": "T1"})
}

fn consents(range: std::ops::Range<usize>) -> Vec<Value> {
    range.map(|i| consent(&format!("C{i}"))).collect()
}

fn app(id: &str) -> Value {
    json!({"id": id, "name": format!("app {id}"), "clientId": format!("cid-{id}"),
        "permissionsScopes": [{"name": "admin", "description": "Admin", "values": ["Tenant Admin"]}],
        "attributesScopes": null, "loginPageUrl": "https://x/login"})
}

#[tokio::test]
async fn all_apps_are_one_get_and_load_checks_the_id() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/thirdparty/apps/load")
        .respond_with(ok().set_body_json(json!({"apps": [app("A1"), app("A2"), app("A1")]})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/thirdparty/app/load")
        .and(query_param("id", "A1"))
        .respond_with(ok().set_body_json(app("A1")))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/thirdparty/app/load")
        .and(query_param("id", "A9"))
        .respond_with(ok().set_body_json(app("A1")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let apps = c.third_party_apps().all().await?;
    assert_eq!(
        apps.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["A1", "A2"],
        "deduplicated by id"
    );
    assert_eq!(apps[0].permissions_scopes[0].values, ["Tenant Admin"]);
    assert_eq!(c.third_party_apps().load("A1").await?.client_id, "cid-A1");
    let err = c.third_party_apps().load("A9").await.unwrap_err();
    assert!(err.to_string().contains("not 'A9'"), "{err}");
    assert!(matches!(
        c.third_party_apps().load("").await,
        Err(Error::InvalidArgument(_))
    ));
    Ok(())
}

#[tokio::test]
async fn a_paged_app_listing_is_read_through_the_post_form() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/thirdparty/apps/load")
        .respond_with(ok().set_body_json(json!({"apps": [app("A0")], "total": 3})))
        .expect(1)
        .mount(&server)
        .await;
    for (page, ids) in [(0, vec!["A0", "A1"]), (1, vec!["A2"])] {
        let apps: Vec<Value> = ids.into_iter().map(app).collect();
        mgmt("POST", "/v1/mgmt/thirdparty/apps/load")
            .and(body_json(json!({"page": page, "limit": 100})))
            .respond_with(ok().set_body_json(json!({"apps": apps, "total": 3})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let apps = client(&server).third_party_apps().all().await?;
    assert_eq!(apps.len(), 3);
    Ok(())
}

#[tokio::test]
async fn an_app_listing_that_ignores_pages_is_an_error_not_a_short_list() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/thirdparty/apps/load")
        .respond_with(ok().set_body_json(json!({"apps": [app("A0")], "total": 5})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/thirdparty/apps/load")
        .respond_with(ok().set_body_json(json!({"apps": [app("A0")], "total": 5})))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).third_party_apps().all().await.unwrap_err();
    assert!(matches!(err, Error::Incomplete { .. }), "{err:?}");
    assert!(err.to_string().contains("ignores `page`"), "{err}");
    assert!(!err.is_retryable());
    Ok(())
}

#[tokio::test]
async fn search_sends_only_the_filters_set() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/thirdparty/consents/search")
        .and(body_json(
            json!({"appId": "TPA1", "userId": "U1", "consentId": "C1",
            "tenantId": "T1", "page": 2, "limit": 10}),
        ))
        .respond_with(ok().set_body_json(json!({"consents": [consent("C1")], "total": 21})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/thirdparty/consents/search")
        .and(body_json(json!({})))
        .respond_with(ok().set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let page = c
        .third_party_apps()
        .search_consents(
            &SearchConsentsRequest::new()
                .app_id("TPA1")
                .user_id("U1")
                .consent_id("C1")
                .tenant_id("T1")
                .page(2)
                .limit(10),
        )
        .await?;
    assert_eq!(page.total, Some(21));
    let c1 = &page.consents[0];
    assert_eq!((c1.app_id.as_str(), c1.tenant_id.as_str()), ("TPA1", "T1"));
    assert_eq!(c1.scopes, ["read"]);
    let empty = c
        .third_party_apps()
        .search_consents(&SearchConsentsRequest::new())
        .await?;
    assert!(empty.consents.is_empty() && empty.total.is_none());
    Ok(())
}

/// Mounts consent pages of `limit` (as asked) holding `pages[i]`, each with `total`.
async fn mount_pages(server: &MockServer, limit: u32, pages: Vec<Vec<Value>>, total: Option<u64>) {
    for (page, items) in pages.into_iter().enumerate() {
        let mut body = json!({"consents": items});
        if let Some(t) = total {
            body["total"] = json!(t);
        }
        mgmt("POST", "/v1/mgmt/thirdparty/consents/search")
            .and(body_json(
                json!({"appId": "TPA1", "page": page, "limit": limit}),
            ))
            .respond_with(ok().set_body_json(body))
            .expect(1)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn search_all_reads_until_the_total_even_when_pages_are_capped() -> TestResult {
    let server = MockServer::start().await;
    // Asked for 5 per page; the server silently serves 3 (a cap): 8 consents in 3 pages.
    mount_pages(
        &server,
        5,
        vec![consents(0..3), consents(3..6), consents(6..8)],
        Some(8),
    )
    .await;
    let all = client(&server)
        .third_party_apps()
        .search_all_consents(SearchConsentsRequest::new().app_id("TPA1").limit(5).page(9))
        .await?;
    assert_eq!(all.len(), 8);
    assert_eq!(all[7].id, "C7");
    Ok(())
}

#[tokio::test]
async fn without_a_total_search_all_reads_until_an_empty_page() -> TestResult {
    let server = MockServer::start().await;
    mount_pages(
        &server,
        100,
        vec![consents(0..100), consents(100..130), vec![]],
        None,
    )
    .await;
    let all = client(&server)
        .third_party_apps()
        .search_all_consents(SearchConsentsRequest::new().app_id("TPA1"))
        .await?;
    assert_eq!(all.len(), 130);
    Ok(())
}

#[tokio::test]
async fn search_all_refuses_pages_it_cannot_trust() -> TestResult {
    // The server ignores `page`: page 1 repeats page 0.
    let server = MockServer::start().await;
    mount_pages(&server, 2, vec![consents(0..2), consents(0..2)], Some(4)).await;
    let err = client(&server)
        .third_party_apps()
        .search_all_consents(SearchConsentsRequest::new().app_id("TPA1").limit(2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ignores `page`"), "{err}");
    assert!(!err.is_retryable());

    // An empty page before the total: retryable, nothing partial returned.
    let server = MockServer::start().await;
    mount_pages(&server, 2, vec![consents(0..2), vec![]], Some(4)).await;
    let err = client(&server)
        .third_party_apps()
        .search_all_consents(SearchConsentsRequest::new().app_id("TPA1").limit(2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("came back empty"), "{err}");
    assert!(err.is_retryable());

    // The total changed during the listing (a consent was given meanwhile).
    let server = MockServer::start().await;
    for (page, items, total) in [(0, consents(0..2), 3), (1, consents(2..4), 4)] {
        mgmt("POST", "/v1/mgmt/thirdparty/consents/search")
            .and(body_json(
                json!({"appId": "TPA1", "page": page, "limit": 2}),
            ))
            .respond_with(ok().set_body_json(json!({"consents": items, "total": total})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let err = client(&server)
        .third_party_apps()
        .search_all_consents(SearchConsentsRequest::new().app_id("TPA1").limit(2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("from 3 to 4"), "{err}");
    assert!(err.is_retryable());
    Ok(())
}

#[tokio::test]
async fn delete_sends_consent_ids_only() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/thirdparty/consents/delete")
        .and(body_json(json!({"consentIds": ["C1", "C2"]})))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.third_party_apps()
        .delete_consents(&["C1".into(), "C2".into()])
        .await?;
    for bad in [vec![], vec![String::new()]] {
        let err = c
            .third_party_apps()
            .delete_consents(&bad)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn reads_and_the_delete_are_retried_after_a_server_error() -> TestResult {
    let server = MockServer::start().await;
    for p in [
        "/v1/mgmt/thirdparty/consents/search",
        "/v1/mgmt/thirdparty/consents/delete",
    ] {
        mgmt("POST", p)
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        mgmt("POST", p)
            .respond_with(ok().set_body_json(json!({})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = builder(&server)
        .retry(RetryConfig::default().base_delay(Duration::from_millis(1)))
        .__disable_timeouts()
        .build()?;
    c.third_party_apps()
        .search_consents(&SearchConsentsRequest::new())
        .await?;
    c.third_party_apps().delete_consents(&["C1".into()]).await?;
    Ok(())
}
