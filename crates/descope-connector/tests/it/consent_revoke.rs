//! Consent and outbound connection revokes against servers that answer 200 without deleting:
//! never reported as revoked. And a scope shared with others in one consent is refused without
//! any delete being sent. A connection is looked up without a tenant and within each of the
//! user's tenants, before and after the delete: one left within a tenant is not a revoke.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::GrantAlreadyRevoked;
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param, query_param_is_missing};
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

async fn revoke(
    c: &DescopeConnector,
    resource_type: &str,
    entitlement: Entitlement,
) -> Result<c1_connector_sdk::model::Annotations, c1_connector_sdk::error::Error> {
    let syncers = c1_connector_sdk::connector::Connector::syncers(c);
    let syncer = syncers
        .iter()
        .find(|s| s.resource_type().id == resource_type)
        .expect("the syncer");
    let grant = Grant::new(&entitlement, Resource::new("user", "U1", "Ann"));
    syncer
        .provisioner()
        .expect("provisionable")
        .revoke(&grant)
        .await
}

fn app_entitlement(slug: &str) -> Entitlement {
    Entitlement::assignment(&Resource::new("third_party_app", "TPA1", "Bot"), slug)
}

fn consents(scopes: &[&str]) -> serde_json::Value {
    json!({"consents": [{"id": "CN1", "appId": "TPA1", "userId": "U1", "scopes": scopes}], "total": 1})
}

#[tokio::test]
async fn a_consent_delete_answering_200_while_the_consent_remains_is_not_a_revoke() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/thirdparty/consents/search"))
        .and(body_partial_json(json!({"appId": "TPA1", "userId": "U1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(consents(&["read"])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/thirdparty/consents/delete"))
        .and(body_partial_json(json!({"consentIds": ["CN1"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    for slug in ["consent", "scope/read"] {
        let err = revoke(&c, "third_party_app", app_entitlement(slug))
            .await
            .expect_err("the consent is still there");
        assert_eq!(err.code(), Code::Unavailable, "{err}");
        assert!(err.to_string().contains("NOT revoked"), "{err}");
        assert!(err.to_string().contains("CN1"), "{err}");
        if slug == "consent" {
            // Only the first one is checked for `expect(1)`; reset for the scope revoke.
            server.verify().await;
            server.reset().await;
            Mock::given(method("POST"))
                .and(path("/v1/mgmt/thirdparty/consents/search"))
                .respond_with(ResponseTemplate::new(200).set_body_json(consents(&["read"])))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/v1/mgmt/thirdparty/consents/delete"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
                .expect(1)
                .mount(&server)
                .await;
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_scope_shared_with_others_is_refused_and_nothing_is_deleted() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/thirdparty/consents/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(consents(&["read", "admin"])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/thirdparty/consents/delete"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let err = revoke(&c, "third_party_app", app_entitlement("scope/read"))
        .await
        .expect_err("one scope of two cannot be revoked");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains("admin") && text.contains("third_party_app:TPA1:consent"),
        "{text}"
    );
    // A scope the user never granted is already revoked, with nothing sent.
    let done = revoke(&c, "third_party_app", app_entitlement("scope/email")).await?;
    assert!(done.contains::<GrantAlreadyRevoked>());
    Ok(())
}

/// `GET /v1/mgmt/user?userId=U1` answers U1, a member of `tenants`.
async fn mount_user(server: &MockServer, tenants: &[&str]) {
    let user_tenants: Vec<_> = tenants.iter().map(|t| json!({"tenantId": t})).collect();
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/user"))
        .and(query_param("userId", "U1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "user": {"userId": "U1", "loginIds": ["ann@example.com"], "userTenants": user_tenants}
        })))
        .mount(server)
        .await;
}

/// A lookup without a tenant (no `tenantId` at all), answering `apps`.
fn untenanted_lookup(apps: &[&str]) -> Mock {
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/outbound/apps-with-user-token"))
        .and(query_param("userId", "U1"))
        .and(query_param_is_missing("tenantId"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"appIds": apps})))
}

/// A lookup within `tenant`, answering `apps`.
fn lookup_within(tenant: &str, apps: &[&str]) -> Mock {
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/outbound/apps-with-user-token"))
        .and(query_param("userId", "U1"))
        .and(query_param("tenantId", tenant))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"appIds": apps})))
}

#[tokio::test]
async fn a_token_delete_answering_200_while_the_app_stays_connected_is_not_a_revoke() -> TestResult
{
    let server = MockServer::start().await;
    mount_user(&server, &[]).await;
    untenanted_lookup(&["OA1"]).expect(2).mount(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/v1/mgmt/outbound/user/tokens"))
        .and(query_param("appId", "OA1"))
        .and(query_param("userId", "U1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let entitlement =
        Entitlement::assignment(&Resource::new("outbound_app", "OA1", "Drive"), "connected");
    let err = revoke(&c, "outbound_app", entitlement)
        .await
        .expect_err("still connected");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    assert!(err.to_string().contains("NOT revoked"), "{err}");
    Ok(())
}

/// Descope lists the app only within tenant T2 (a lookup without `tenantId` that counts only
/// tokens tied to no tenant); the delete, which takes no tenant, answers 200 and the lookup
/// within T2 still lists it: NOT revoked, naming the tenant. Before the delete the connector
/// asked within each of the user's tenants (it would otherwise have said "already revoked").
#[tokio::test]
async fn a_token_left_within_a_tenant_after_the_delete_is_not_a_revoke() -> TestResult {
    let server = MockServer::start().await;
    mount_user(&server, &["T1", "T2"]).await;
    untenanted_lookup(&[]).expect(2).mount(&server).await;
    lookup_within("T1", &["OA9"]).expect(2).mount(&server).await;
    lookup_within("T2", &["OA1"]).expect(2).mount(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/v1/mgmt/outbound/user/tokens"))
        .and(query_param("appId", "OA1"))
        .and(query_param("userId", "U1"))
        .and(|r: &wiremock::Request| r.url.query_pairs().count() == 2)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let entitlement =
        Entitlement::assignment(&Resource::new("outbound_app", "OA1", "Drive"), "connected");
    let err = revoke(&c, "outbound_app", entitlement)
        .await
        .expect_err("still connected within T2");
    assert_eq!(err.code(), Code::Unavailable, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("NOT revoked") && text.contains("'T2'"),
        "{text}"
    );
    Ok(())
}

/// The app listed only within a tenant, and gone from every scope after the delete: revoked.
/// Listed in no scope at all: already revoked, and nothing is deleted.
#[tokio::test]
async fn a_connection_within_a_tenant_is_revoked_once_no_scope_lists_it() -> TestResult {
    let server = MockServer::start().await;
    mount_user(&server, &["T1"]).await;
    untenanted_lookup(&[]).expect(2).mount(&server).await;
    // Listed within T1 until the delete, then not.
    lookup_within("T1", &["OA1"])
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    lookup_within("T1", &[]).expect(1).mount(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/v1/mgmt/outbound/user/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let entitlement =
        Entitlement::assignment(&Resource::new("outbound_app", "OA1", "Drive"), "connected");
    let done = revoke(&c, "outbound_app", entitlement.clone()).await?;
    assert!(!done.contains::<GrantAlreadyRevoked>(), "a real change");
    server.verify().await;

    server.reset().await;
    mount_user(&server, &["T1"]).await;
    untenanted_lookup(&[]).expect(1).mount(&server).await;
    lookup_within("T1", &[]).expect(1).mount(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/v1/mgmt/outbound/user/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let again = revoke(&c, "outbound_app", entitlement).await?;
    assert!(again.contains::<GrantAlreadyRevoked>());
    Ok(())
}
