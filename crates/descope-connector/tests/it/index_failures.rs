//! A Descope 404 while building the assignment index (listing users again for the grants phase)
//! fails the sync with its cause. The engine skips a `NotFound` from one resource's grants as a
//! vanished resource; every tenant's grants read this index, so skipping would end the sync
//! "successfully" with no membership at all.

use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::store::C1zWriter;
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::test]
async fn a_404_while_listing_users_for_the_index_fails_the_sync() -> TestResult {
    let server = MockServer::start().await;
    for (verb, p, body) in [
        (
            "GET",
            "/v1/mgmt/tenant/all",
            json!({"tenants": [{"id": "T1", "name": "Acme"}, {"id": "T2", "name": "Globex"}]}),
        ),
        ("GET", "/v1/mgmt/role/all", json!({"roles": []})),
        ("GET", "/v1/mgmt/permission/all", json!({"permissions": []})),
        ("POST", "/v1/mgmt/role/search", json!({"roles": []})),
    ] {
        Mock::given(method(verb))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    // Descope's own 404 (an error body with an error code): "not found" to the client.
    Mock::given(method("POST"))
        .and(path("/v2/mgmt/user/search"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"errorCode": "E011004", "errorDescription": "Not found", "errorMessage": "no such project"}),
        ))
        .expect(1..)
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
    let connector = Arc::new(DescopeConnector::with_client(client, &config));
    let dir = tempfile::tempdir()?;
    let mut store = C1zWriter::create(dir.path().join("sync.c1z"))?;
    // Tenants only: their grants are read from the index, which then lists every user.
    let options = SyncOptions::default()
        .with_validate(false)
        .with_sync_resource_types(["tenant".to_owned()]);
    let err = Syncer::new(connector, options)
        .run(&mut store)
        .await
        .expect_err("the sync fails, not a warning per tenant");
    assert_eq!(err.code(), Code::NotFound, "{err}");
    assert!(
        err.message().contains("searching users"),
        "says what failed: {err}"
    );
    assert!(
        !dir.path().join("sync.c1z").exists(),
        "no file at the target"
    );
    Ok(())
}
