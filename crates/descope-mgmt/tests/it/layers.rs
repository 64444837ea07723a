//! Layers added with `ClientBuilder::with_layer` work on standard `http` types and see every
//! attempt; the connect budget bounds an unreachable base URL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use descope_mgmt::layer::{BoxError, bytes::Bytes, http};
use descope_mgmt::{Error, RetryConfig, SearchUsersRequest};
use serde_json::json;
use tokio::time::Instant;
use tower::util::{AndThenLayer, MapRequestLayer};
use wiremock::matchers::{body_json, header};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, mgmt};

fn counting(
    count: Arc<AtomicU64>,
) -> MapRequestLayer<impl Fn(http::Request<Bytes>) -> http::Request<Bytes> + Clone> {
    MapRequestLayer::new(move |req: http::Request<Bytes>| {
        count.fetch_add(1, Ordering::Relaxed);
        req
    })
}

#[tokio::test]
async fn a_layer_adds_a_header_to_the_request() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .and(header("x-request-source", "nightly-sync"))
        .and(header("x-descope-sdk-name", "rust-descope-mgmt"))
        .and(body_json(json!({"limit": 1})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": [], "total": 0})))
        .expect(1)
        .mount(&server)
        .await;
    let sensitive = Arc::new(AtomicU64::new(0));
    let seen = sensitive.clone();
    let c = builder(&server)
        .with_layer(MapRequestLayer::new(
            move |mut req: http::Request<Bytes>| {
                // The key's header is marked sensitive, so a layer that logs headers shows nothing.
                if req
                    .headers()
                    .get("authorization")
                    .is_some_and(http::HeaderValue::is_sensitive)
                {
                    seen.fetch_add(1, Ordering::Relaxed);
                }
                req.headers_mut().insert(
                    "x-request-source",
                    http::HeaderValue::from_static("nightly-sync"),
                );
                req
            },
        ))
        .build()?;
    c.users()
        .search(&SearchUsersRequest::new().limit(1))
        .await?;
    assert_eq!(sensitive.load(Ordering::Relaxed), 1);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_layer_sees_every_attempt_inside_the_retry_layer() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(1)
        .mount(&server)
        .await;
    let attempts = Arc::new(AtomicU64::new(0));
    let c = builder(&server)
        .retry(RetryConfig::default())
        .__disable_timeouts()
        .with_layer(counting(attempts.clone()))
        .build()?;
    c.roles().all().await?;
    assert_eq!(attempts.load(Ordering::Relaxed), 3);
    assert_eq!(c.metrics().requests, 3);
    assert_eq!(c.metrics().retries, 2);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn an_error_that_exhausted_the_client_retries_says_so() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let c = builder(&server)
        .retry(RetryConfig::default())
        .__disable_timeouts()
        .build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 4);
    assert!(err.client_retried());
    // Without client retries, the caller may retry: one attempt.
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server).__disable_timeouts().build()?;
    let err = c.roles().all().await.unwrap_err();
    assert_eq!((err.attempts(), err.client_retried()), (1, false));
    Ok(())
}

#[tokio::test]
async fn a_layer_error_is_a_transport_error_naming_the_layer() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .with_layer(AndThenLayer::new(|_resp: http::Response<Bytes>| async {
            Err::<http::Response<Bytes>, BoxError>("quota of the audit proxy exceeded".into())
        }))
        .build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: false, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("with_layer") && text.contains("quota"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn a_layer_that_changes_the_response_is_what_the_client_sees() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/user")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"userId": "U1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .with_layer(tower::util::MapResponseLayer::new(
            |_resp: http::Response<Bytes>| {
                http::Response::builder()
                    .status(404)
                    .body(Bytes::from_static(b"<html>gone</html>"))
                    .unwrap_or_default()
            },
        ))
        .build()?;
    let err = c.users().load("U1").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_not_found());
    Ok(())
}

/// Each attempt through a network that drops the SYN: the layer below hangs for the default
/// connect timeout, then fails to connect.
#[tokio::test(start_paused = true)]
async fn an_unreachable_base_url_fails_within_the_connect_budget() -> TestResult {
    for handshake in [false, true] {
        let attempts = Arc::new(AtomicU64::new(0));
        let counter = attempts.clone();
        let c = descope_mgmt::Client::builder()
            .credentials(&format!("{}:{}", crate::PROJECT_ID, crate::MANAGEMENT_KEY))?
            // Nothing listens there; the layer below answers before anything is sent.
            .base_url("http://127.0.0.1:9")
            .license_handshake(handshake)
            .with_layer(tower::layer::layer_fn(move |_inner| {
                let counter = counter.clone();
                tower::service_fn(move |_req: http::Request<Bytes>| {
                    let counter = counter.clone();
                    async move {
                        counter.fetch_add(1, Ordering::Relaxed);
                        // The default connect timeout, spent without an answer.
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        Err::<http::Response<Bytes>, BoxError>(Box::new(Error::Transport {
                            message: "could not connect to http://127.0.0.1:9/".into(),
                            connect: true,
                            attempts: 1,
                            source: None,
                        }))
                    }
                })
            }))
            .build()?;
        let start = Instant::now();
        let err = c.roles().all().await.unwrap_err();
        let took = start.elapsed();
        assert!(
            matches!(err, Error::Transport { connect: true, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("http://127.0.0.1:9/"), "{err}");
        // Two attempts of 5 s fit the 15 s budget; a third could end past it.
        assert_eq!(attempts.load(Ordering::Relaxed), 2, "handshake {handshake}");
        assert_eq!(err.attempts(), 2);
        assert!(took <= Duration::from_secs(15), "{took:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_names_the_base_url() -> TestResult {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let c = descope_mgmt::Client::builder()
        .credentials(&format!("{}:{}", crate::PROJECT_ID, crate::MANAGEMENT_KEY))?
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryConfig::default().base_delay(Duration::from_millis(1)))
        .build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { connect: true, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("http://127.0.0.1:{port}/")),
        "{text}"
    );
    // The licence handshake could not connect either: it failed the call, after the client's
    // attempts, without sending the call itself.
    assert_eq!(err.attempts(), 4);
    assert_eq!(c.metrics().requests, 4);
    Ok(())
}
