//! A grant of a role Descope does not list, against a server that stores any role name it is
//! given (whether Descope refuses an unknown role on a user or an access key is unverified):
//! `NotFound` before any write, for users and access keys alike, and one role listing for both.

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{Entitlement, Resource};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::test]
async fn a_phantom_role_is_not_found_and_nothing_is_written() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/role/all"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"roles": [{"name": "Admin"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"user": {"userId": "U1", "loginIds": ["a@x.io"], "roleNames": []}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/accesskey"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"key": {"id": "K1", "name": "ci", "roleNames": ["Admin"]}})),
        )
        .mount(&server)
        .await;
    // A server that stores whatever it is given, and says so.
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/user/update/role/add"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {
            "userId": "U1", "loginIds": ["a@x.io"], "roleNames": ["NoSuchRoleAnywhere"]}})))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/update"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": {
            "id": "K1", "name": "ci", "roleNames": ["Admin", "NoSuchRoleAnywhere"]}})))
        .expect(0)
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
    let config = DescopeConfig::new("P2test", SecretString::from("K2test".to_owned()))?;
    let c = DescopeConnector::with_client(client, &config);
    let syncers = c.syncers();
    let roles = syncers
        .iter()
        .find(|s| s.resource_type().id == "role")
        .ok_or("a role syncer")?;
    let provisioner = roles.provisioner().ok_or("roles are provisionable")?;
    let phantom = Entitlement::assignment(
        &Resource::new("role", "project/NoSuchRoleAnywhere", "NoSuchRoleAnywhere"),
        "assigned",
    );
    for principal in [
        Resource::new("user", "U1", "a"),
        Resource::new("access_key", "K1", "ci"),
    ] {
        let err = provisioner
            .grant(&principal, &phantom)
            .await
            .expect_err("a phantom role is not granted");
        assert_eq!(err.code(), Code::NotFound, "{err}");
        assert!(!err.is_retryable());
        assert!(err.message().contains("NoSuchRoleAnywhere"), "{err}");
        assert!(
            err.message().contains("role/all"),
            "says where it looked: {err}"
        );
    }
    Ok(())
}
