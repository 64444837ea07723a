//! Access key provisioning against servers that do not behave like the emulator: a base URL
//! that answers every path with an HTML 404, and an update that answers 200 without applying
//! the change. Neither may ever be reported as granted or revoked.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
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

fn role_entitlement(name: &str) -> Entitlement {
    Entitlement::assignment(
        &Resource::new("role", format!("project/{name}"), name),
        "assigned",
    )
}

fn key_principal() -> Resource {
    Resource::new("access_key", "K2abc", "CI")
}

async fn grant(
    c: &DescopeConnector,
    role: &str,
) -> Result<c1_connector_sdk::model::Annotations, c1_connector_sdk::error::Error> {
    let syncers = c1_connector_sdk::connector::Connector::syncers(c);
    let roles = syncers
        .iter()
        .find(|s| s.resource_type().id == "role")
        .expect("a role syncer");
    roles
        .provisioner()
        .expect("roles are provisionable")
        .grant(&key_principal(), &role_entitlement(role))
        .await
}

async fn revoke(
    c: &DescopeConnector,
    role: &str,
) -> Result<c1_connector_sdk::model::Annotations, c1_connector_sdk::error::Error> {
    let syncers = c1_connector_sdk::connector::Connector::syncers(c);
    let roles = syncers
        .iter()
        .find(|s| s.resource_type().id == "role")
        .expect("a role syncer");
    let grant = Grant::new(&role_entitlement(role), key_principal());
    roles
        .provisioner()
        .expect("roles are provisionable")
        .revoke(&grant)
        .await
}

fn key(roles: &[&str]) -> serde_json::Value {
    json!({"key": {"id": "K2abc", "name": "CI", "status": "active", "roleNames": roles, "permittedIps": ["10.0.0.0/8"]}})
}

#[tokio::test]
async fn html_404_everywhere_is_never_a_success() -> TestResult {
    for body in ["<html><body>Not Found</body></html>", ""] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(404).set_body_string(body))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404).set_body_string(body))
            .mount(&server)
            .await;
        let c = connector(&server)?;
        for result in [grant(&c, "Viewer").await, revoke(&c, "Viewer").await] {
            let err = result.expect_err("a 404 without Descope's error body is not 'not found'");
            assert_ne!(err.code(), Code::NotFound, "{err}");
            assert!(!err.to_string().contains("already"), "{err}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn an_update_that_changes_nothing_is_not_a_grant() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/accesskey"))
        .respond_with(ResponseTemplate::new(200).set_body_json(key(&["Viewer"])))
        .mount(&server)
        .await;
    // Answers 200 and the unchanged key.
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/update"))
        .respond_with(ResponseTemplate::new(200).set_body_json(key(&["Viewer"])))
        .expect(2)
        .mount(&server)
        .await;
    // Descope lists both roles, so the grant goes ahead to the write.
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/role/all"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"roles": [{"name": "Viewer"}, {"name": "Editor"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let err = grant(&c, "Editor").await.expect_err("not applied");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert!(
        err.to_string().contains("does not show the change"),
        "{err}"
    );
    let err = revoke(&c, "Viewer").await.expect_err("not applied");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");

    // The update sent everything else back unchanged, and only the one list.
    let requests = server.received_requests().await.unwrap_or_default();
    let update = requests
        .iter()
        .find(|r| r.url.path() == "/v1/mgmt/accesskey/update")
        .ok_or("an update was sent")?;
    let body: serde_json::Value = serde_json::from_slice(&update.body)?;
    assert_eq!(
        body,
        json!({"id": "K2abc", "name": "CI", "roleNames": ["Viewer", "Editor"], "permittedIps": ["10.0.0.0/8"]})
    );
    Ok(())
}

/// The last user page also fetches the access keys. When that fails, the engine asks for the
/// page again, and the page's users must come back: none may be recorded by the failed attempt
/// and then skipped as already seen.
#[tokio::test]
async fn a_failure_at_the_end_of_the_user_listing_loses_no_user() -> TestResult {
    let server = MockServer::start().await;
    // Pages of two users: the second (offset 2) is short, so it is the last, and the failure
    // comes there.
    for (offset, ids) in [(0, vec!["U1", "U2"]), (2, vec!["U3"])] {
        let users: Vec<_> = ids
            .iter()
            .map(
                |id| json!({"userId": id, "loginIds": [format!("{id}@x.io")], "status": "enabled"}),
            )
            .collect();
        Mock::given(method("POST"))
            .and(path("/v2/mgmt/user/search"))
            .and(body_partial_json(json!({ "offset": offset })))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "users": users, "total": 3 })),
            )
            .mount(&server)
            .await;
    }
    for p in [
        "/v1/mgmt/tenant/all",
        "/v1/mgmt/role/all",
        "/v1/mgmt/permission/all",
    ] {
        let key = p
            .trim_start_matches("/v1/mgmt/")
            .trim_end_matches("/all")
            .to_owned()
            + "s";
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ key: [] })))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/search"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": [] })))
        .mount(&server)
        .await;
    let client = Client::builder()
        .project_id("P2test")
        .management_key(SecretString::from("K2test".to_owned()))
        .base_url(server.uri())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let config = DescopeConfig::new("P2test", SecretString::from("K2test".to_owned()))?
        .with_user_page_size(2)
        .with_max_parallel_fetches(1);
    let c = DescopeConnector::with_client(client, &config);
    let syncers = c1_connector_sdk::connector::Connector::syncers(&c);
    let users = syncers
        .iter()
        .find(|s| s.resource_type().id == "user")
        .ok_or("a user syncer")?;
    let first = users.list(None, None).await?;
    let token = first.next_token.clone().ok_or("a second page")?;
    let failed = users.list(None, Some(&token)).await;
    assert!(
        failed.is_err(),
        "the key search failed: {:?}",
        failed.map(|p| (p.items.len(), p.next_token))
    );
    let again = users.list(None, Some(&token)).await?;
    let ids: Vec<String> = again
        .items
        .iter()
        .map(|r| r.resource_id().resource)
        .collect();
    assert_eq!(ids, ["U3"]);
    Ok(())
}

/// An update whose answer echoes the lists sent, while Descope keeps the key as it was: the
/// fresh read decides, for a grant and for the revoke of the key's last role (which sends `[]`).
#[tokio::test]
async fn an_update_answer_that_echoes_the_request_is_not_trusted() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/accesskey"))
        .respond_with(ResponseTemplate::new(200).set_body_json(key(&["Viewer"])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/role/all"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"roles": [{"name": "Viewer"}, {"name": "Editor"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/update"))
        .and(body_partial_json(
            json!({"roleNames": ["Viewer", "Editor"]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(key(&["Viewer", "Editor"])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/update"))
        .and(body_partial_json(json!({"roleNames": []})))
        .respond_with(ResponseTemplate::new(200).set_body_json(key(&[])))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let err = grant(&c, "Editor").await.expect_err("not applied");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert!(
        err.message().contains(r#"roleNames ["Viewer"]"#),
        "says what Descope holds: {err}"
    );
    let err = revoke(&c, "Viewer").await.expect_err("not applied");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(err.message().contains(r#"roleNames ["Viewer"]"#), "{err}");
    Ok(())
}
