//! Outbound applications and users' connections against wiremock: exact method, path, query
//! and auth header; never a token.

use descope_mgmt::Error;
use serde_json::json;
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
}

#[tokio::test]
async fn apps_are_listed_and_loaded_by_path() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/outbound/apps")
        .respond_with(ok().set_body_json(json!({"apps": [
            {"id": "OA1", "name": "Google", "defaultScopes": ["openid"], "clientSecret": "s3cr3t"},
            {"id": "OA2", "name": "Slack", "prompt": ["consent"]}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/outbound/app/OA1")
        .respond_with(ok().set_body_json(json!({"app": {"id": "OA1", "name": "Google"}})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/outbound/app/OA3")
        .respond_with(ok().set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let apps = c.outbound_apps().all().await?;
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[1].prompt, ["consent"]);
    assert!(!format!("{apps:?}").contains("s3cr3t"), "no secret is kept");
    assert_eq!(c.outbound_apps().load("OA1").await?.name, "Google");
    let err = c.outbound_apps().load("OA3").await.unwrap_err();
    assert!(
        err.to_string().contains("holds no outbound application"),
        "{err}"
    );
    for bad in ["", "a/b", "x?y", "a b"] {
        assert!(
            matches!(
                c.outbound_apps().load(bad).await,
                Err(Error::InvalidArgument(_))
            ),
            "{bad:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn connections_are_one_get_per_user() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/outbound/apps-with-user-token")
        .and(query_param("userId", "U1"))
        .and(query_param_is_missing("tenantId"))
        .respond_with(ok().set_body_json(json!({"appIds": ["OA1", "OA2"]})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/outbound/apps-with-user-token")
        .and(query_param("userId", "U1"))
        .and(query_param("tenantId", "T1"))
        .respond_with(ok().set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(
        c.outbound_apps().apps_with_user_token("U1", None).await?,
        ["OA1", "OA2"]
    );
    assert!(
        c.outbound_apps()
            .apps_with_user_token("U1", Some("T1"))
            .await?
            .is_empty()
    );
    assert!(matches!(
        c.outbound_apps().apps_with_user_token("", None).await,
        Err(Error::InvalidArgument(_))
    ));
    Ok(())
}

#[tokio::test]
async fn token_delete_names_both_the_app_and_the_user() -> TestResult {
    let server = MockServer::start().await;
    mgmt("DELETE", "/v1/mgmt/outbound/user/tokens")
        .and(query_param("appId", "OA1"))
        .and(query_param("userId", "U1"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.outbound_apps().delete_user_tokens("OA1", "U1").await?;
    for (app, user) in [("", "U1"), ("OA1", ""), ("", "")] {
        let err = c
            .outbound_apps()
            .delete_user_tokens(app, user)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("both"), "{err}");
    }
    Ok(())
}

#[tokio::test]
async fn a_delete_answered_with_html_is_not_a_success() -> TestResult {
    let server = MockServer::start().await;
    mgmt("DELETE", "/v1/mgmt/outbound/user/tokens")
        .respond_with(ok().set_body_string("<html><title>Portal</title></html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .outbound_apps()
        .delete_user_tokens("OA1", "U1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    Ok(())
}
