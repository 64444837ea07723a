//! The client-side limiter, on tokio's paused clock.

use std::time::Duration;

use descope_mgmt::{RateLimitConfig, RateWindow, RetryConfig, SearchUsersRequest};
use futures::future::join_all;
use serde_json::json;
use tokio::time::Instant;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, mgmt};

fn limited(server: &MockServer, cfg: RateLimitConfig) -> descope_mgmt::Client {
    builder(server)
        .rate_limit(cfg)
        .__disable_timeouts()
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn burst_goes_out_then_window_spaces_the_rest() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(7)
        .mount(&server)
        .await;
    let minute = Duration::from_secs(60);
    let c = limited(
        &server,
        RateLimitConfig::custom(RateWindow::new(10, minute), RateWindow::new(3, minute)),
    );
    let start = Instant::now();
    let mut sent_at = Vec::new();
    for _ in 0..7 {
        c.roles().all().await?;
        sent_at.push(start.elapsed());
    }
    let secs: Vec<u64> = sent_at.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [0, 0, 0, 60, 60, 60, 120]);
    assert_eq!(c.metrics().throttle_wait, Duration::from_secs(120));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_the_window() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/permission/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"permissions": []})))
        .expect(5)
        .mount(&server)
        .await;
    let minute = Duration::from_secs(60);
    let c = limited(
        &server,
        RateLimitConfig::custom(RateWindow::new(10, minute), RateWindow::new(3, minute)),
    );
    let start = Instant::now();
    let results = join_all((0..5).map(|_| {
        let c = c.clone();
        async move { c.permissions().all().await }
    }))
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert!(start.elapsed() >= minute);
    assert!(
        c.metrics().throttle_wait >= minute * 2,
        "two callers waited a minute each"
    );
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn descope_defaults_let_two_hundred_searches_through_at_once() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": []})))
        .expect(201)
        .mount(&server)
        .await;
    let c = limited(&server, RateLimitConfig::descope());
    let start = Instant::now();
    for _ in 0..200 {
        c.users().search(&SearchUsersRequest::new()).await?;
    }
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "a 200-page sync must not wait"
    );
    c.users().search(&SearchUsersRequest::new()).await?;
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(60),
        "the 201st waits for the window"
    );
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_429_locks_out_its_class_only() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": []})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .rate_limit(RateLimitConfig::descope())
        .retry(RetryConfig::disabled())
        .__disable_timeouts()
        .build()?;
    let start = Instant::now();
    let err = c
        .users()
        .search(&SearchUsersRequest::new())
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    c.roles().all().await?;
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "other classes are not held back"
    );
    c.users().search(&SearchUsersRequest::new()).await?;
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert_eq!(c.metrics().rate_limited, 1);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn disabled_limiter_never_waits() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(150)
        .mount(&server)
        .await;
    let c = limited(&server, RateLimitConfig::disabled());
    let start = Instant::now();
    for _ in 0..150 {
        c.roles().all().await?;
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(c.metrics().throttle_wait, Duration::ZERO);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_wait_in_progress_shows_in_the_metrics() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(2)
        .mount(&server)
        .await;
    let minute = Duration::from_secs(60);
    let c = limited(
        &server,
        RateLimitConfig::custom(RateWindow::new(1, minute), RateWindow::new(1, minute)),
    );
    c.roles().all().await?;
    let m = c.metrics();
    assert_eq!((m.throttled_requests, m.throttle_remaining), (0, None));
    let waiting = tokio::spawn({
        let c = c.clone();
        async move { c.roles().all().await }
    });
    // Let the second call reach the limiter without letting the paused clock move.
    while c.metrics().throttled_requests == 0 {
        tokio::task::yield_now().await;
    }
    let remaining = c.metrics().throttle_remaining.ok_or("a wait in progress")?;
    assert!(
        remaining > Duration::from_secs(59) && remaining <= minute,
        "{remaining:?}"
    );
    waiting.await??;
    let m = c.metrics();
    assert_eq!((m.throttled_requests, m.throttle_remaining), (0, None));
    assert!(m.throttle_wait >= Duration::from_secs(59));
    Ok(())
}
