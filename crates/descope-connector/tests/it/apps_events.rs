//! SSO app provisioning and the event feed against servers that misbehave: an app add that
//! answers 200 without applying the change, and an audit search that answers every page with
//! the same records. Neither may report a change that did not happen, or loop.

use c1_connector_sdk::connector::{Connector, EventsRequest};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{Entitlement, Resource};
use c1_connector_sdk::ops::event_feed;
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn connector(server: &MockServer) -> TestResult<DescopeConnector> {
    let client = Client::builder()
        .project_id("P2test")
        .management_key(SecretString::from("K2test".to_owned()))
        .base_url(server.uri())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let config = DescopeConfig::new("P2test", SecretString::from("K2test".to_owned()))?;
    Ok(DescopeConnector::with_client(client, &config))
}

#[tokio::test]
async fn an_app_add_that_changes_nothing_is_not_a_grant() -> TestResult {
    let server = MockServer::start().await;
    let user = json!({"user": {"userId": "U1", "loginIds": ["a@x.io"], "status": "enabled", "ssoAppIds": ["A1"]}});
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user.clone()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/user/update/ssoapp/add"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user))
        .expect(1)
        .mount(&server)
        .await;
    // Descope lists the app, so the grant goes ahead to the write.
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/sso/idp/apps/load"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"apps": [{"id": "A1"}, {"id": "A2"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let syncers = c.syncers();
    let apps = syncers
        .iter()
        .find(|s| s.resource_type().id == "app")
        .ok_or("an app syncer")?;
    let entitlement = Entitlement::assignment(&Resource::new("app", "A2", "Wiki"), "access");
    let err = apps
        .provisioner()
        .ok_or("apps are provisionable")?
        .grant(&Resource::new("user", "U1", "a"), &entitlement)
        .await
        .expect_err("not applied");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert!(
        err.to_string().contains("does not show the change"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn an_audit_search_that_repeats_its_pages_ends() -> TestResult {
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let audits: Vec<_> = (0..5)
        .map(|i| {
            json!({"ID": format!("A{i}"), "action": "UserModified", "userId": format!("U{i}"),
                   "occurred": now - 60_000 + i})
        })
        .collect();
    // Every page, whatever its number: the same five records, and a total of 3,000.
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/audit/search"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"audits": audits, "total": 3000})),
        )
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let feed = event_feed(&c, "")?;
    let mut cursor = String::new();
    let mut ids = Vec::new();
    for _ in 0..10 {
        let page = feed
            .list_events(&EventsRequest::from_cursor(cursor.clone(), 100))
            .await?;
        ids.extend(page.events.into_iter().map(|e| e.id));
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(ids, ["A0", "A1", "A2", "A3", "A4"], "each record once");
    let again = feed
        .list_events(&EventsRequest::from_cursor(cursor, 100))
        .await?;
    assert!(again.events.is_empty() && !again.has_more);
    Ok(())
}
