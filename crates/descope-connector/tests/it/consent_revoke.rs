//! Consent and outbound connection revokes against servers that answer 200 without deleting:
//! never reported as revoked. And a scope shared with others in one consent is refused without
//! any delete being sent.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::GrantAlreadyRevoked;
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param};
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

#[tokio::test]
async fn a_token_delete_answering_200_while_the_app_stays_connected_is_not_a_revoke() -> TestResult
{
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/outbound/apps-with-user-token"))
        .and(query_param("userId", "U1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"appIds": ["OA1"]})))
        .mount(&server)
        .await;
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
