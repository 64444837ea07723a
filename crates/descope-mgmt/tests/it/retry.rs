//! Retries run on tokio's paused clock: waits are checked exactly, with no real sleeping.

use std::time::Duration;

use descope_mgmt::{CreateUserRequest, Error, RetryConfig, SearchUsersRequest};
use serde_json::json;
use tokio::time::Instant;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, mgmt};

fn retrying(server: &MockServer, cfg: RetryConfig) -> descope_mgmt::Client {
    builder(server)
        .retry(cfg)
        .__disable_timeouts()
        .build()
        .unwrap()
}

fn ok_page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"users": [], "total": 0}))
}

#[tokio::test(start_paused = true)]
async fn rate_limited_waits_retry_after_then_succeeds() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(json!({"errorCode": "E130429"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ok_page())
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server, RetryConfig::default());
    let start = Instant::now();
    c.users().search(&SearchUsersRequest::new()).await?;
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
    let m = c.metrics();
    assert_eq!((m.requests, m.retries, m.rate_limited), (2, 1, 1));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn rate_limited_without_header_waits_sixty_seconds_even_for_create() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/create")
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/user/create")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"userId": "U1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server, RetryConfig::default());
    let start = Instant::now();
    c.users().create(&CreateUserRequest::new("a@b.c")).await?;
    assert!(start.elapsed() >= Duration::from_secs(60));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn service_unavailable_then_success() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ok_page())
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(
        &server,
        RetryConfig::default().base_delay(Duration::from_millis(100)),
    );
    let start = Instant::now();
    c.users().search(&SearchUsersRequest::new()).await?;
    // First back-off: between half and all of the base delay (equal jitter).
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(50) && waited <= Duration::from_millis(101),
        "{waited:?}"
    );
    assert_eq!(c.metrics().retries, 1);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn attempt_cap_holds() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(530))
        .expect(3)
        .mount(&server)
        .await;
    let c = retrying(&server, RetryConfig::default().max_attempts(3));
    let err = c.roles().all().await.unwrap_err();
    assert_eq!(err.status(), Some(530));
    assert_eq!((c.metrics().requests, c.metrics().retries), (3, 2));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn create_is_not_retried_after_server_error() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/role/create")
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server, RetryConfig::default());
    let err = c
        .roles()
        .create(&descope_mgmt::CreateRoleRequest::new("r"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn idempotent_writes_are_retried_after_server_error() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/update/role/add")
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v2/mgmt/user/update/role/add")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"userId": "U1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server, RetryConfig::default());
    c.users().add_roles("U1", &["r".into()], None).await?;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_budget_gives_up_at_once() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(
        &server,
        RetryConfig::default().max_elapsed(Duration::from_secs(120)),
    );
    let start = Instant::now();
    let err = c.roles().all().await.unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(600)));
    assert!(start.elapsed() < Duration::from_secs(1));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_retried_then_reported() -> TestResult {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let c = descope_mgmt::Client::builder()
        .credentials(&format!("{}:{}", crate::PROJECT_ID, crate::MANAGEMENT_KEY))?
        .base_url(format!("http://127.0.0.1:{port}"))
        .license_handshake(false)
        .rate_limit(descope_mgmt::RateLimitConfig::disabled())
        .retry(RetryConfig::default().max_attempts(2))
        .__disable_timeouts()
        .build()?;
    // A create is retried too: the request never reached Descope.
    let err = c
        .users()
        .create(&CreateUserRequest::new("a@b.c"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: true, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(c.metrics().requests, 2);
    Ok(())
}
