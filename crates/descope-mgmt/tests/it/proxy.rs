//! What sits between the client and Descope misbehaves too: proxies answer with HTML error pages
//! (some echo the request's headers), cut bodies short, or stream without end. Each case must be
//! a typed, bounded, secret-free error, retried only where the policy says so.

use std::time::Duration;

use descope_mgmt::{CreateUserRequest, Error, RetryConfig, SearchUsersRequest};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use crate::{MANAGEMENT_KEY, TestResult, builder, client, mgmt};

const BAD_GATEWAY: &str = "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n\
     <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>\n</html>\n";

fn html(status: u16, page: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(page.as_bytes().to_vec(), "text/html; charset=utf-8")
}

fn retrying(server: &MockServer) -> descope_mgmt::Client {
    builder(server)
        .retry(RetryConfig::default())
        .__disable_timeouts()
        .build()
        .unwrap()
}

#[tokio::test]
async fn html_5xx_is_a_retryable_api_error_with_the_status() -> TestResult {
    for status in [502, 503] {
        let server = MockServer::start().await;
        mgmt("GET", "/v1/mgmt/user")
            .respond_with(html(status, BAD_GATEWAY))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server).users().load("x").await.unwrap_err();
        let api = err.api_error().ok_or("not an API error")?;
        assert_eq!(api.status, status);
        assert!(err.is_retryable());
        assert!(api.description.contains("HTML"), "{}", api.description);
        assert_eq!(api.message, "502 Bad Gateway");
        assert!(!err.to_string().contains("<center>"), "{err}");
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn html_503_is_retried_for_reads_and_not_for_creates() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(html(503, "<html><title>Service Unavailable</title></html>"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": [], "total": 0})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/user/create")
        .respond_with(html(503, "<html><title>Service Unavailable</title></html>"))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server);
    c.users().search(&SearchUsersRequest::new()).await?;
    assert_eq!(c.metrics().retries, 2);
    let err = c
        .users()
        .create(&CreateUserRequest::new("a@b.c"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(
        err.is_retryable(),
        "retryable in kind, but a create is not repeated"
    );
    assert_eq!(c.metrics().retries, 2);
    Ok(())
}

#[tokio::test]
async fn html_200_is_a_decode_error_that_says_what_to_check() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(html(
            200,
            "<html><head><title>Sign in to the corporate proxy</title></head></html>",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .users()
        .search(&SearchUsersRequest::new())
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, ".");
            assert!(message.contains("HTML page, not JSON"), "{message}");
            assert!(
                message.contains("base URL") && message.contains("proxy"),
                "{message}"
            );
        }
        other => return Err(format!("unexpected {other:?}").into()),
    }
    assert!(!err.is_retryable());
    Ok(())
}

/// A gateway error page that echoes the request's headers, padded to 200 KB.
struct EchoingLoginPage;

impl Respond for EchoingLoginPage {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let page = format!(
            "<html><body><h1>401 Authorization Required</h1><pre>Authorization: {auth}\n\
             x-descope-sdk-name: rust</pre>{}</body></html>",
            "<p>padding</p>".repeat(15_000)
        );
        html(401, &page)
    }
}

#[tokio::test]
async fn html_401_is_short_and_never_echoes_headers() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/user")
        .respond_with(EchoingLoginPage)
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).users().load("x").await.unwrap_err();
    let api = err.api_error().ok_or("not an API error")?;
    assert_eq!(api.status, 401);
    assert!(!err.is_retryable());
    assert!(api.message.len() <= 300, "{} bytes", api.message.len());
    assert!(
        api.message.starts_with("401 Authorization Required"),
        "{}",
        api.message
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.len() < 1024, "{} bytes", shown.len());
    assert!(!shown.contains(MANAGEMENT_KEY), "{shown}");
    assert!(!shown.contains("Bearer P2"), "{shown}");
    Ok(())
}

/// Serves one connection with `response` (written in full, then the socket is closed) after
/// reading the request head.
async fn raw_server(response: impl FnOnce() -> Vec<Vec<u8>> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        for part in response() {
            if sock.write_all(&part).await.is_err() {
                return;
            }
        }
        let _ = sock.shutdown().await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_limit() -> TestResult {
    // No Content-Length: the cap has to be enforced while streaming.
    let url = raw_server(|| {
        let mut parts = vec![
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                .to_vec(),
        ];
        let chunk = format!("2000\r\n{}\r\n", "x".repeat(0x2000)).into_bytes();
        parts.extend(std::iter::repeat_n(chunk, 64));
        parts
    })
    .await;
    let c = descope_mgmt::Client::builder()
        .credentials(&format!("P2test:{MANAGEMENT_KEY}"))?
        .base_url(url)
        .license_handshake(false)
        .rate_limit(descope_mgmt::RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .max_response_bytes(16 * 1024)
        .build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 16384 }),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test]
async fn body_cut_short_is_a_transport_error() -> TestResult {
    let url = raw_server(|| {
        vec![
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"roles\":[".to_vec(),
        ]
    })
    .await;
    let c = descope_mgmt::Client::builder()
        .credentials(&format!("P2test:{MANAGEMENT_KEY}"))?
        .base_url(url)
        .license_handshake(false)
        .rate_limit(descope_mgmt::RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let err = c.roles().all().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(!format!("{err} {err:?}").contains(MANAGEMENT_KEY));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn absurd_retry_after_is_clamped_and_gives_up() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(
            ResponseTemplate::new(429).insert_header("Retry-After", "99999999999999999999999"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server);
    let start = Instant::now();
    let err = c
        .users()
        .search(&SearchUsersRequest::new())
        .await
        .unwrap_err();
    // One hour exceeds the retry budget (300 s): the error comes back at once.
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert!(err.is_rate_limited());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn negative_or_fractional_retry_after_falls_back_to_the_default() -> TestResult {
    for value in ["-5", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        let server = MockServer::start().await;
        mgmt("POST", "/v2/mgmt/user/search")
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", value))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        mgmt("POST", "/v2/mgmt/user/search")
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": []})))
            .expect(1)
            .mount(&server)
            .await;
        let c = retrying(&server);
        let start = Instant::now();
        c.users().search(&SearchUsersRequest::new()).await?;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(60) && waited < Duration::from_secs(61),
            "{value}: {waited:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn hostile_licence_answers_are_ignored() -> TestResult {
    for answer in [
        html(200, BAD_GATEWAY),
        ResponseTemplate::new(200).set_body_json(json!({"rateLimitTier": 5})),
        ResponseTemplate::new(200).set_body_json(json!({"rateLimitTier": "t".repeat(100_000)})),
        ResponseTemplate::new(200).set_body_json(json!({"rateLimitTier": "tier1\r\nx-evil: 1"})),
        html(503, BAD_GATEWAY),
    ] {
        let server = MockServer::start().await;
        mgmt("GET", "/v1/mgmt/license")
            .respond_with(answer)
            .mount(&server)
            .await;
        mgmt("GET", "/v1/mgmt/role/all")
            .and(crate::no_header("x-descope-license"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": null})))
            .expect(1)
            .mount(&server)
            .await;
        let c = builder(&server).license_handshake(true).build()?;
        assert!(c.roles().all().await?.is_empty());
        assert_eq!(c.license_tier().await, None);
    }
    Ok(())
}
