//! The user pager against a fake user search that misbehaves in every way the reference allows:
//! honouring only `page` or only `offset` (or neither), capping the page size, a `total` that
//! lies either way, users repeated across pages, an empty page mid-way, rejecting `offset`.
//! Every case ends in the complete listing or a typed error, with a bounded number of requests.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use descope_mgmt::{Error, PagerOptions, PagingErrorKind, SearchUsersRequest, UserPager};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use crate::{TestResult, client, mgmt};

/// Which paging fields the fake honours.
#[derive(Clone, Copy, Default)]
enum Honours {
    /// Descope's documented rule: a positive `offset` wins, else `page × limit`.
    #[default]
    Both,
    PageOnly,
    OffsetOnly,
    /// Always the first page.
    Neither,
    /// A 400 for any request that carries `offset`; `page × limit` otherwise.
    RejectsOffset,
}

#[derive(Clone, Default)]
struct Fake {
    honours: Honours,
    /// Never more than this many users per page...
    cap: Option<usize>,
    /// ... from this row on (0: from the start).
    cap_from: usize,
    /// Report this total instead of the true one.
    total: Option<u64>,
    /// Also return the last user of the previous page at the start of each page.
    overlap: bool,
    /// Answer `"users": null` (with the true total) at this row, this many times.
    null_at: Option<(usize, usize)>,
}

struct Search {
    users: Vec<Value>,
    fake: Fake,
    bodies: Arc<Mutex<Vec<Value>>>,
    nulls_left: Mutex<usize>,
}

impl Respond for Search {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        self.bodies.lock().unwrap().push(body.clone());
        let limit = body["limit"].as_u64().unwrap_or(100) as usize;
        let page = body["page"].as_u64().unwrap_or(0) as usize;
        let offset = body["offset"].as_u64().unwrap_or(0) as usize;
        let start = match self.fake.honours {
            Honours::Both if offset > 0 => offset,
            Honours::Both | Honours::PageOnly => page * limit,
            Honours::OffsetOnly => offset,
            Honours::Neither => 0,
            Honours::RejectsOffset if body.get("offset").is_some() => {
                return ResponseTemplate::new(400).set_body_json(json!({
                    "errorCode": "E011003", "errorDescription": "Request is invalid",
                    "errorMessage": "unknown field \"offset\""
                }));
            }
            Honours::RejectsOffset => page * limit,
        };
        let n = self.users.len();
        let total = self.fake.total.unwrap_or(n as u64);
        if let Some((at, _)) = self.fake.null_at {
            let mut left = self.nulls_left.lock().unwrap();
            if at == start && *left > 0 {
                *left -= 1;
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"users": null, "total": total}));
            }
        }
        let take = match self.fake.cap {
            Some(cap) if start >= self.fake.cap_from => cap.min(limit),
            _ => limit,
        };
        let start = start.min(n);
        let from = if self.fake.overlap && start > 0 {
            start - 1
        } else {
            start
        };
        let end = (start + take).min(n);
        ResponseTemplate::new(200)
            .set_body_json(json!({"users": self.users[from..end].to_vec(), "total": total}))
    }
}

fn users(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"userId": format!("U{i:06}"), "loginIds": [format!("u{i}@example.com")]}))
        .collect()
}

/// A fake with `n` users; `requests` bounds the number of searches it must see.
async fn fake(
    n: usize,
    fake: Fake,
    requests: impl Into<wiremock::Times>,
) -> (MockServer, Arc<Mutex<Vec<Value>>>) {
    let server = MockServer::start().await;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let nulls = fake.null_at.map_or(0, |(_, k)| k);
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(Search {
            users: users(n),
            fake,
            bodies: bodies.clone(),
            nulls_left: Mutex::new(nulls),
        })
        .expect(requests)
        .mount(&server)
        .await;
    (server, bodies)
}

fn pager(server: &MockServer, page_size: u32) -> UserPager {
    client(server).users().pager(
        SearchUsersRequest::new(),
        PagerOptions::default()
            .page_size(page_size)
            .max_in_flight(4),
    )
}

/// Every user id of the listing, in order, or the first error.
async fn list(pager: &UserPager) -> Result<Vec<String>, Error> {
    let mut ids = Vec::new();
    while let Some(batch) = pager.next_page().await? {
        ids.extend(batch.users.into_iter().map(|u| u.user_id));
    }
    Ok(ids)
}

fn assert_complete(ids: &[String], n: usize) {
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no user is listed twice");
    assert_eq!(ids.len(), n, "every user is listed");
    let expected: Vec<String> = (0..n).map(|i| format!("U{i:06}")).collect();
    assert_eq!(ids, expected, "in order");
}

/// Every request carried `page`, `limit` and `offset = page × limit`, and nothing else.
fn assert_consistent(bodies: &[Value]) {
    for body in bodies {
        let obj = body.as_object().expect("a JSON object");
        let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["limit", "offset", "page"]), "{body}");
        let (page, limit, offset) = (
            body["page"].as_u64().unwrap(),
            body["limit"].as_u64().unwrap(),
            body["offset"].as_u64().unwrap(),
        );
        assert_eq!(offset, page * limit, "{body}");
    }
}

fn paging_kind(err: &Error) -> Option<PagingErrorKind> {
    match err {
        Error::Paging(e) => Some(e.kind),
        _ => None,
    }
}

#[tokio::test]
async fn an_honest_total_sends_page_and_offset_together() -> TestResult {
    let (server, bodies) = fake(1_234, Fake::default(), 13).await;
    let pager = pager(&server, 100);
    assert_complete(&list(&pager).await?, 1_234);
    let bodies = bodies.lock().unwrap().clone();
    assert_consistent(&bodies);
    let offsets: BTreeSet<u64> = bodies
        .iter()
        .map(|b| b["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, (0..13).map(|p| p * 100).collect());
    let stats = pager.stats().await;
    assert_eq!(
        (stats.announced, stats.yielded, stats.shortfall()),
        (1_234, 1_234, 0)
    );
    assert_eq!(
        (stats.requests, stats.duplicates, stats.page_size),
        (13, 0, 100)
    );
    Ok(())
}

#[tokio::test]
async fn a_server_that_honours_page_only_or_offset_only() -> TestResult {
    for honours in [Honours::PageOnly, Honours::OffsetOnly] {
        let fake_server = Fake {
            honours,
            ..Fake::default()
        };
        // 1,000 is an exact multiple: one more (empty) page confirms the end.
        let (server, bodies) = fake(1_000, fake_server, 11).await;
        assert_complete(&list(&pager(&server, 100)).await?, 1_000);
        assert_consistent(&bodies.lock().unwrap());
    }
    Ok(())
}

#[tokio::test]
async fn a_server_that_ignores_page_and_offset_stops_with_a_clear_error() -> TestResult {
    let fake_server = Fake {
        honours: Honours::Neither,
        ..Fake::default()
    };
    // The first page, then at most what the pager keeps outstanding (4) plus the one it takes.
    let (server, _) = fake(2_000, fake_server, 2..=6).await;
    let pager = pager(&server, 100);
    let first = pager.next_page().await?.ok_or("a first page")?;
    assert_eq!(first.users.len(), 100);
    let err = pager.next_page().await.unwrap_err();
    assert_eq!(
        paging_kind(&err),
        Some(PagingErrorKind::NoNewUsers),
        "{err}"
    );
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains("offset 100") && text.contains(&server.uri()),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn a_capped_page_size_costs_at_most_two_extra_requests() -> TestResult {
    for (cap, n) in [(1usize, 57usize), (40, 1_000), (99, 1_000), (99, 990)] {
        // ceil(n / cap) pages, the first asked at 100, plus an empty page after an exact
        // multiple.
        let bound = n.div_ceil(cap) as u64 + 2;
        let fake_server = Fake {
            cap: Some(cap),
            ..Fake::default()
        };
        let (server, bodies) = fake(n, fake_server, 1..=bound).await;
        let pager = pager(&server, 100);
        assert_complete(&list(&pager).await?, n);
        assert_consistent(&bodies.lock().unwrap());
        assert_eq!(pager.stats().await.page_size as usize, cap);
    }
    Ok(())
}

#[tokio::test]
async fn a_cap_that_appears_mid_way_is_handled() -> TestResult {
    let fake_server = Fake {
        cap: Some(30),
        cap_from: 300,
        ..Fake::default()
    };
    // Pages of 100 up to 300, then of 30: about 3 + 24 requests, plus at most the outstanding
    // pages of the old size (4) that are discarded and a realigned page.
    let (server, bodies) = fake(1_000, fake_server, 27..=36).await;
    let pager = pager(&server, 100);
    assert_complete(&list(&pager).await?, 1_000);
    assert_consistent(&bodies.lock().unwrap());
    Ok(())
}

#[tokio::test]
async fn a_total_that_is_too_low_never_shortens_the_listing() -> TestResult {
    for total in [150, 200, 0] {
        let fake_server = Fake {
            total: Some(total),
            ..Fake::default()
        };
        let (server, _) = fake(530, fake_server, 6..=8).await;
        let pager = pager(&server, 100);
        assert_complete(&list(&pager).await?, 530);
        assert_eq!(pager.stats().await.yielded, 530);
    }
    // Too low and capped on the same first page: the page past the total is confirmed.
    let fake_server = Fake {
        total: Some(30),
        cap: Some(40),
        ..Fake::default()
    };
    let (server, bodies) = fake(200, fake_server, 6..=8).await;
    assert_complete(&list(&pager(&server, 100)).await?, 200);
    assert_consistent(&bodies.lock().unwrap());
    Ok(())
}

#[tokio::test]
async fn a_total_that_is_too_high_is_a_retryable_error_not_a_short_listing() -> TestResult {
    let fake_server = Fake {
        total: Some(10_000),
        ..Fake::default()
    };
    // The first page, the outstanding pages at 100.. (4), and those at 120.. (4).
    let (server, _) = fake(120, fake_server, 3..=9).await;
    let err = list(&pager(&server, 100)).await.unwrap_err();
    assert_eq!(
        paging_kind(&err),
        Some(PagingErrorKind::EmptyPageBeforeTotal),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(err.to_string().contains("offset 120"), "{err}");
    Ok(())
}

#[tokio::test]
async fn users_repeated_across_pages_are_handed_over_once() -> TestResult {
    let fake_server = Fake {
        overlap: true,
        ..Fake::default()
    };
    // The repeated user makes the last page end one row too far: one more page confirms it.
    let (server, _) = fake(777, fake_server, 8..=9).await;
    let pager = pager(&server, 100);
    assert_complete(&list(&pager).await?, 777);
    assert!(pager.stats().await.duplicates >= 7);
    Ok(())
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_retryable_and_the_retry_continues() -> TestResult {
    let fake_server = Fake {
        null_at: Some((200, 1)),
        ..Fake::default()
    };
    let (server, _) = fake(450, fake_server, 6..=10).await;
    let pager = pager(&server, 100);
    let mut ids = Vec::new();
    let mut errors = 0;
    loop {
        match pager.next_page().await {
            Ok(Some(batch)) => ids.extend(batch.users.into_iter().map(|u| u.user_id)),
            Ok(None) => break,
            Err(err) => {
                assert_eq!(
                    paging_kind(&err),
                    Some(PagingErrorKind::EmptyPageBeforeTotal)
                );
                assert!(err.is_retryable());
                errors += 1;
                assert!(errors < 3, "the page comes on the retry");
            }
        }
    }
    assert_eq!(errors, 1);
    assert_complete(&ids, 450);
    Ok(())
}

#[tokio::test]
async fn a_backend_that_rejects_offset_is_paged_by_page_number() -> TestResult {
    let fake_server = Fake {
        honours: Honours::RejectsOffset,
        ..Fake::default()
    };
    // The first page twice (with and without `offset`), then pages without it.
    let (server, bodies) = fake(350, fake_server, 5..=8).await;
    assert_complete(&list(&pager(&server, 100)).await?, 350);
    let bodies = bodies.lock().unwrap().clone();
    assert!(bodies[0].get("offset").is_some());
    assert!(
        bodies[1..].iter().all(|b| b.get("offset").is_none()),
        "{bodies:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_page_token_continues_and_another_offset_starts_over() -> TestResult {
    let (server, _) = fake(250, Fake::default(), 3..=8).await;
    let pager = pager(&server, 100);
    let first = pager.page(0).await?;
    let next = first.next_offset.ok_or("more pages")?;
    assert_eq!(next, 100);
    let second = pager.page(next).await?;
    assert_eq!(second.users[0].user_id, "U000100");
    // Back to the start: a new listing, nothing is held back as already seen.
    let again = pager.page(0).await?;
    assert_eq!(again.users.len(), 100);
    assert_eq!(pager.stats().await.yielded, 100);
    Ok(())
}

#[tokio::test]
async fn search_all_is_the_pager() -> TestResult {
    let fake_server = Fake {
        cap: Some(40),
        overlap: true,
        ..Fake::default()
    };
    let (server, bodies) = fake(333, fake_server, 1..=12).await;
    let ids: Vec<String> = futures::TryStreamExt::try_collect::<Vec<_>>(
        client(&server)
            .users()
            .search_all(SearchUsersRequest::new().limit(100)),
    )
    .await?
    .into_iter()
    .map(|u| u.user_id)
    .collect();
    assert_complete(&ids, 333);
    assert_consistent(&bodies.lock().unwrap());
    Ok(())
}

#[tokio::test]
async fn a_resumed_listing_is_bounded_by_where_it_started() -> TestResult {
    // A total too low, and a listing resumed at 300 in a fresh pager: it still completes.
    let fake_server = Fake {
        total: Some(150),
        ..Fake::default()
    };
    let (server, _) = fake(530, fake_server, 3..=5).await;
    let resumed = pager(&server, 100);
    let mut ids = Vec::new();
    let mut batch = resumed.page(300).await?;
    loop {
        ids.extend(batch.users.iter().map(|u| u.user_id.clone()));
        match batch.next_offset {
            Some(next) => batch = resumed.page(next).await?,
            None => break,
        }
    }
    let expected: Vec<String> = (300..530).map(|i| format!("U{i:06}")).collect();
    assert_eq!(ids, expected);
    // Resumed past the end of a project that shrank: an empty last page, not an error.
    let (server, _) = fake(120, Fake::default(), 1).await;
    let batch = pager(&server, 100).page(500).await?;
    assert!(batch.users.is_empty() && batch.next_offset.is_none());
    Ok(())
}
