use std::time::Duration;

use descope_mgmt::Error;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

async fn error_for(body: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/user")
        .respond_with(body)
        .expect(1)
        .mount(&server)
        .await;
    client(&server).users().load("x").await.unwrap_err()
}

fn descope_error(status: u16, code: &str, desc: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        json!({"errorCode": code, "errorDescription": desc, "errorMessage": "detail"}),
    )
}

#[tokio::test]
async fn statuses_decode_into_typed_errors() -> TestResult {
    for (status, code) in [
        (400, "E011003"),
        (401, "E011004"),
        (403, "E011003"),
        (500, "E000000"),
        (503, ""),
    ] {
        let err = error_for(descope_error(status, code, "desc")).await;
        let api = err.api_error().ok_or("not an API error")?;
        assert_eq!(api.status, status);
        assert_eq!(api.error_code, code);
        assert_eq!(api.description, "desc");
        assert_eq!(api.message, "detail");
        assert!(!err.is_not_found());
        assert_eq!(err.is_retryable(), status >= 500, "{status}");
    }
    Ok(())
}

#[tokio::test]
async fn not_found() -> TestResult {
    let err = error_for(descope_error(404, "E112102", "User not found")).await;
    assert!(err.is_not_found());
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("E112102"), "{err}");
    Ok(())
}

#[tokio::test]
async fn rate_limited_with_retry_after() -> TestResult {
    let err = error_for(
        descope_error(429, "E130429", "Rate limit exceeded").insert_header("Retry-After", "17"),
    )
    .await;
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(17)));
    Ok(())
}

#[tokio::test]
async fn non_json_error_body() -> TestResult {
    let err =
        error_for(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>")).await;
    assert_eq!(err.status(), Some(502));
    assert!(err.is_retryable());
    Ok(())
}

#[tokio::test]
async fn malformed_body_is_a_decode_error_naming_the_path() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"users": [{"userId": "U1"}, {"loginIds": 5}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .users()
        .search(&Default::default())
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "users[1].loginIds"),
        other => return Err(format!("unexpected {other:?}").into()),
    }
    Ok(())
}

#[tokio::test]
async fn truncated_and_empty_bodies_are_decode_errors() -> TestResult {
    for body in [
        r#"{"users":[{"userId":"U1""#,
        "",
        "not json",
        r#"{"users":[]} trailing"#,
    ] {
        let server = MockServer::start().await;
        mgmt("POST", "/v2/mgmt/user/search")
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server)
            .users()
            .search(&Default::default())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body:?}: {err:?}");
    }
    Ok(())
}

#[tokio::test]
async fn oversized_body_is_refused() -> TestResult {
    let server = MockServer::start().await;
    let big = json!({"roles": [{"description": "x".repeat(4096)}]});
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(big))
        .expect(1)
        .mount(&server)
        .await;
    let c = crate::builder(&server).max_response_bytes(1024).build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024 }),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn configuration_errors() {
    let no_key = descope_mgmt::Client::builder()
        .project_id("P2x")
        .build()
        .unwrap_err();
    assert!(matches!(no_key, Error::Config(_)));
    let http = descope_mgmt::Client::builder()
        .credentials("P2x:K2y")
        .and_then(|b| b.base_url("http://api.descope.com").build())
        .unwrap_err();
    assert!(http.to_string().contains("clear text"), "{http}");
    assert!(
        descope_mgmt::Client::builder()
            .project_id("P2x")
            .management_key("bad key\n".to_owned().into())
            .build()
            .is_err()
    );
}
