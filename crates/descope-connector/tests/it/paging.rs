//! User paging against a server that misbehaves: a `total` that lies either way, a capped page
//! size, users repeated across pages, `null` where the list should be. Every case ends in the
//! complete, duplicate-free listing or in a typed error: never a panic, never a short listing.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::error::Code;
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How the fake user search misbehaves.
#[derive(Clone, Default)]
struct Behaviour {
    /// Report this total instead of the true one.
    total: Option<u64>,
    /// Never return more than this many users per page.
    cap: Option<u64>,
    /// Also return the last user of the previous page at the start of each page.
    overlap: bool,
    /// Answer `"users": null` (with the true total) at this offset, this many times.
    null_at: Option<(u64, usize)>,
}

struct Search {
    users: Vec<Value>,
    behaviour: Behaviour,
    offsets: Arc<Mutex<Vec<u64>>>,
    nulls_left: Mutex<usize>,
}

impl Respond for Search {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let limit = body["limit"].as_u64().unwrap_or(100);
        let offset = body["offset"].as_u64().unwrap_or(0);
        self.offsets.lock().unwrap().push(offset);
        let total = self.behaviour.total.unwrap_or(self.users.len() as u64);
        if let Some((at, _)) = self.behaviour.null_at {
            let mut left = self.nulls_left.lock().unwrap();
            if at == offset && *left > 0 {
                *left -= 1;
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"users": null, "total": total}));
            }
        }
        let take = self.behaviour.cap.map_or(limit, |c| c.min(limit)) as usize;
        let start = (offset as usize).min(self.users.len());
        let from = if self.behaviour.overlap && start > 0 {
            start - 1
        } else {
            start
        };
        let end = (start + take).min(self.users.len());
        let page: Vec<Value> = self.users[from..end].to_vec();
        ResponseTemplate::new(200).set_body_json(json!({"users": page, "total": total}))
    }
}

fn users(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"userId": format!("U{i:05}"), "loginIds": [format!("u{i}@example.com")], "name": format!("User {i}"), "status": "enabled"}))
        .collect()
}

async fn server(n: usize, behaviour: Behaviour) -> TestResult<(MockServer, Arc<Mutex<Vec<u64>>>)> {
    let server = MockServer::start().await;
    let offsets = Arc::new(Mutex::new(Vec::new()));
    let nulls = behaviour.null_at.map_or(0, |(_, n)| n);
    Mock::given(method("POST"))
        .and(path("/v2/mgmt/user/search"))
        .respond_with(Search {
            users: users(n),
            behaviour,
            offsets: offsets.clone(),
            nulls_left: Mutex::new(nulls),
        })
        .mount(&server)
        .await;
    for (p, key) in [
        ("/v1/mgmt/tenant/all", "tenants"),
        ("/v1/mgmt/role/all", "roles"),
        ("/v1/mgmt/permission/all", "permissions"),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ key: [] })))
            .expect(1)
            .mount(&server)
            .await;
    }
    // The user listing ends by recording the project's access keys (none here).
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/accesskey/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": [] })))
        .mount(&server)
        .await;
    Ok((server, offsets))
}

fn connector(server: &MockServer, page_size: u32) -> TestResult<DescopeConnector> {
    let client = Client::builder()
        .project_id("P2test")
        .management_key(SecretString::from("K2test".to_owned()))
        .base_url(server.uri())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let config = DescopeConfig::new("P2test", SecretString::from("K2test".to_owned()))?
        .with_user_page_size(page_size)
        .with_max_parallel_fetches(4);
    Ok(DescopeConnector::with_client(client, &config))
}

/// Lists every user through the connector's user syncer, as the engine does.
async fn list_all(
    connector: &DescopeConnector,
) -> Result<Vec<String>, c1_connector_sdk::error::Error> {
    let syncers = connector.syncers();
    let user_syncer = syncers
        .iter()
        .find(|s| s.resource_type().id == "user")
        .expect("a user syncer");
    let mut token: Option<String> = None;
    let mut ids = Vec::new();
    loop {
        let page = user_syncer.list(None, token.as_deref()).await?;
        ids.extend(page.items.iter().map(|r| r.resource_id().resource));
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(ids),
        }
    }
}

fn assert_complete(ids: &[String], n: usize) {
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no user is listed twice");
    assert_eq!(ids.len(), n, "every user is listed");
}

#[tokio::test]
async fn an_honest_total() -> TestResult {
    let (server, offsets) = server(1_234, Behaviour::default()).await?;
    assert_complete(&list_all(&connector(&server, 100)?).await?, 1_234);
    // 13 pages, each asked for once.
    let asked: BTreeSet<u64> = offsets.lock().unwrap().iter().copied().collect();
    assert_eq!(asked, (0..13).map(|p| p * 100).collect());
    Ok(())
}

#[tokio::test]
async fn a_total_that_is_too_low() -> TestResult {
    for total in [150, 200, 0] {
        let (server, _) = server(
            530,
            Behaviour {
                total: Some(total),
                ..Behaviour::default()
            },
        )
        .await?;
        assert_complete(&list_all(&connector(&server, 100)?).await?, 530);
    }
    Ok(())
}

#[tokio::test]
async fn a_total_that_is_too_high_is_a_typed_error_not_a_short_listing() -> TestResult {
    let (server, _) = server(
        120,
        Behaviour {
            total: Some(10_000),
            ..Behaviour::default()
        },
    )
    .await?;
    // The short page at 100 claims 10,000 users; the next page is empty while its own total
    // still claims more: a contradiction, reported as a typed, retryable error.
    let err = list_all(&connector(&server, 100)?)
        .await
        .expect_err("a self-contradicting empty page");
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.to_string().contains("offset 120"), "{err}");
    Ok(())
}

#[tokio::test]
async fn a_server_that_caps_the_page_size() -> TestResult {
    let (server, offsets) = server(
        1_000,
        Behaviour {
            cap: Some(40),
            ..Behaviour::default()
        },
    )
    .await?;
    assert_complete(&list_all(&connector(&server, 100)?).await?, 1_000);
    // After the first capped page, pages are asked for at the server's size, each starting 4
    // users (the overlap) before the previous one ended: 40 - 4.
    assert!(offsets.lock().unwrap().contains(&36));
    Ok(())
}

#[tokio::test]
async fn users_repeated_across_pages_are_listed_once() -> TestResult {
    let (server, _) = server(
        777,
        Behaviour {
            overlap: true,
            ..Behaviour::default()
        },
    )
    .await?;
    assert_complete(&list_all(&connector(&server, 100)?).await?, 777);
    Ok(())
}

#[tokio::test]
async fn null_users_is_an_error_until_the_page_comes() -> TestResult {
    let (server, _) = server(
        450,
        Behaviour {
            null_at: Some((200, 1)),
            ..Behaviour::default()
        },
    )
    .await?;
    let connector = connector(&server, 100)?;
    // The engine retries Unavailable; retrying the same page token here does the same.
    let syncers = connector.syncers();
    let user_syncer = &syncers[0];
    let mut token: Option<String> = None;
    let mut ids = Vec::new();
    let mut errors = 0;
    loop {
        match user_syncer.list(None, token.as_deref()).await {
            Ok(page) => {
                ids.extend(page.items.iter().map(|r| r.resource_id().resource));
                match page.next_token {
                    Some(next) => token = Some(next),
                    None => break,
                }
            }
            Err(err) => {
                assert_eq!(err.code(), Code::Unavailable);
                errors += 1;
                assert!(errors < 3, "the page comes on the retry");
            }
        }
    }
    assert_eq!(errors, 1);
    assert_complete(&ids, 450);
    Ok(())
}
