//! The pager over a project that changes while it is listed: users deleted or created in front
//! of the pages between requests. With overlapping pages every user present throughout the
//! listing is handed over, whatever the timing of the requests (one at a time or 16 in flight),
//! across a listing resumed in a new pager, and on servers that cap the page size or page by
//! page number only; the cost on a project that holds still is bounded.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use descope_mgmt::{PagerOptions, SearchUsersRequest, UserPager};
use rand::{Rng, SeedableRng};
use serde_json::json;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use crate::{TestResult, client, mgmt};

/// A change to the project, made right after the `after`-th search request arrives.
#[derive(Clone, Debug)]
struct Change {
    after: usize,
    /// Delete this many users from this position of the order.
    delete: Option<(usize, usize)>,
    /// Create this many users at this position of the order.
    create: Option<(usize, usize)>,
}

impl Change {
    fn delete(after: usize, at: usize, n: usize) -> Self {
        Change {
            after,
            delete: Some((at, n)),
            create: None,
        }
    }
    fn create(after: usize, at: usize, n: usize) -> Self {
        Change {
            after,
            delete: None,
            create: Some((at, n)),
        }
    }
}

#[derive(Default)]
struct Project {
    order: Vec<String>,
    deleted: BTreeSet<String>,
    created: usize,
}

/// A user search over a project that changes after given requests. `page_only`: the server
/// rejects `offset` (an older backend) and pages by `page × limit`. `cap`: at most this many
/// users a page. `jitter`: responses are delayed up to this long (seeded), so requests in
/// flight finish in any order.
struct Shifting {
    project: Mutex<Project>,
    changes: Vec<Change>,
    requests: AtomicUsize,
    page_only: bool,
    /// The server pages by `page × limit` and ignores `offset` without rejecting it.
    ignores_offset: bool,
    /// These requests (counted from 1) fail with a 503.
    fail: Vec<usize>,
    cap: Option<usize>,
    jitter_ms: u64,
    rng: Mutex<rand::rngs::StdRng>,
}

impl Shifting {
    fn new(n: usize, changes: Vec<Change>) -> Self {
        Shifting {
            project: Mutex::new(Project {
                order: (0..n).map(|i| format!("U{i:06}")).collect(),
                ..Project::default()
            }),
            changes,
            requests: AtomicUsize::new(0),
            page_only: false,
            ignores_offset: false,
            fail: Vec::new(),
            cap: None,
            jitter_ms: 0,
            rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(0)),
        }
    }
}

impl Respond for Shifting {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        if self.page_only && body.get("offset").is_some() {
            return ResponseTemplate::new(400).set_body_json(json!({
                "errorCode": "E011003", "errorDescription": "Request is invalid",
                "errorMessage": "unknown field \"offset\""
            }));
        }
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail.contains(&n) {
            return ResponseTemplate::new(503).set_body_json(json!({
                "errorCode": "E130503", "errorDescription": "unavailable", "errorMessage": "try again"
            }));
        }
        let mut p = self.project.lock().unwrap();
        let limit = body["limit"].as_u64().unwrap_or(100) as usize;
        let limit = self.cap.map_or(limit, |c| c.min(limit));
        let page = body["page"].as_u64().unwrap_or(0) as usize;
        let start = match body["offset"].as_u64() {
            Some(o) if o > 0 && !self.ignores_offset => o as usize,
            _ => page * limit,
        };
        let start = start.min(p.order.len());
        let end = (start + limit).min(p.order.len());
        let users: Vec<_> = p.order[start..end]
            .iter()
            .map(|id| json!({"userId": id, "loginIds": [format!("{id}@example.com")]}))
            .collect();
        let total = p.order.len();
        for c in self.changes.iter().filter(|c| c.after == n) {
            if let Some((at, k)) = c.delete {
                let at = at.min(p.order.len());
                let to = (at + k).min(p.order.len());
                let gone: Vec<String> = p.order.drain(at..to).collect();
                p.deleted.extend(gone);
            }
            if let Some((at, k)) = c.create {
                let at = at.min(p.order.len());
                for i in 0..k {
                    let id = format!("N{:06}", p.created + i);
                    p.order.insert(at + i, id);
                }
                p.created += k;
            }
        }
        drop(p);
        let delay = if self.jitter_ms > 0 {
            self.rng.lock().unwrap().random_range(0..=self.jitter_ms)
        } else {
            0
        };
        ResponseTemplate::new(200)
            .set_body_json(json!({"users": users, "total": total}))
            .set_delay(Duration::from_millis(delay))
    }
}

async fn serve(fake: Shifting) -> (MockServer, std::sync::Arc<Shifting>) {
    let server = MockServer::start().await;
    let fake = std::sync::Arc::new(fake);
    struct Shared(std::sync::Arc<Shifting>);
    impl Respond for Shared {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            self.0.respond(request)
        }
    }
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(Shared(fake.clone()))
        .mount(&server)
        .await;
    (server, fake)
}

fn pager(server: &MockServer, overlap: u32, in_flight: usize) -> UserPager {
    client(server).users().pager(
        SearchUsersRequest::new(),
        PagerOptions::default()
            .page_size(100)
            .max_in_flight(in_flight)
            .overlap(overlap),
    )
}

async fn list(pager: &UserPager) -> Result<BTreeSet<String>, descope_mgmt::Error> {
    let mut ids = BTreeSet::new();
    while let Some(batch) = pager.next_page().await? {
        ids.extend(batch.users.into_iter().map(|u| u.user_id));
    }
    Ok(ids)
}

/// The users of the first `n` that were never deleted.
fn present_throughout(n: usize, fake: &Shifting) -> BTreeSet<String> {
    let p = fake.project.lock().unwrap();
    (0..n)
        .map(|i| format!("U{i:06}"))
        .filter(|id| !p.deleted.contains(id))
        .collect()
}

fn missing(want: &BTreeSet<String>, got: &BTreeSet<String>) -> Vec<String> {
    want.difference(got).cloned().collect()
}

#[tokio::test]
async fn side_by_side_pages_lose_the_users_that_slide_across_a_boundary() -> TestResult {
    // The case: three users at the front deleted right after the first page. Without
    // overlap (the official SDKs' paging, and this pager's default) three users are in no
    // page, and nothing shows it: this is what overlapping pages are for.
    let (server, fake) = serve(Shifting::new(3_000, vec![Change::delete(1, 0, 3)])).await;
    let got = list(&pager(&server, 0, 1)).await?;
    let lost = missing(&present_throughout(3_000, &fake), &got);
    assert_eq!(lost, ["U000100", "U000101", "U000102"]);
    Ok(())
}

#[tokio::test]
async fn deletions_in_front_of_the_pages_lose_no_user() -> TestResult {
    // Fewer deletions than the overlap, more, more than a page, and more than several pages.
    for (at_request, count) in [(1, 3), (1, 4), (3, 10), (5, 150), (8, 650)] {
        for in_flight in [1, 16] {
            let changes = vec![Change::delete(at_request, 0, count)];
            let (server, fake) = serve(Shifting::new(3_000, changes)).await;
            let pager = pager(&server, 4, in_flight);
            let got = list(&pager).await?;
            let lost = missing(&present_throughout(3_000, &fake), &got);
            assert!(
                lost.is_empty(),
                "{count} deleted after request {at_request}, {in_flight} in flight: lost {lost:?}"
            );
            let stats = pager.stats().await;
            if count >= 4 {
                assert!(stats.shifts >= 1, "{count}: {stats:?}");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn creations_in_front_of_the_pages_lose_no_user() -> TestResult {
    for in_flight in [1, 16] {
        let changes = vec![Change::create(2, 0, 40), Change::create(6, 250, 300)];
        let (server, fake) = serve(Shifting::new(2_000, changes)).await;
        let got = list(&pager(&server, 4, in_flight)).await?;
        let lost = missing(&present_throughout(2_000, &fake), &got);
        assert!(lost.is_empty(), "{in_flight} in flight: lost {lost:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_project_that_churns_while_pages_are_in_flight_loses_no_user() -> TestResult {
    // Deletions and creations at random places after random requests, responses finishing in
    // any order: 24 runs of each concurrency.
    for seed in 0..24u64 {
        for in_flight in [1, 16] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let changes: Vec<Change> = (0..6)
                .map(|_| {
                    let after = rng.random_range(1..30);
                    let at = rng.random_range(0..2_500);
                    let n = rng.random_range(1..60);
                    if rng.random_bool(0.5) {
                        Change::delete(after, at, n)
                    } else {
                        Change::create(after, at, n)
                    }
                })
                .collect();
            let mut fake = Shifting::new(2_500, changes.clone());
            fake.jitter_ms = 3;
            fake.rng = Mutex::new(rand::rngs::StdRng::seed_from_u64(seed));
            let (server, fake) = serve(fake).await;
            let got = list(&pager(&server, 4, in_flight)).await?;
            let lost = missing(&present_throughout(2_500, &fake), &got);
            assert!(
                lost.is_empty(),
                "seed {seed}, {in_flight} in flight, {changes:?}: lost {lost:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_resumed_listing_checks_its_first_page_against_the_saved_boundary() -> TestResult {
    // Three pages in one pager, then 30 users deleted at the front, then a new pager resumes
    // from the saved token and boundary (a new process, days later).
    let (server, fake) = serve(Shifting::new(1_000, vec![Change::delete(3, 0, 30)])).await;
    let first = pager(&server, 4, 1);
    let mut got = BTreeSet::new();
    let mut resume = None;
    for _ in 0..3 {
        let batch = first.next_page().await?.ok_or("a page")?;
        got.extend(batch.users.iter().map(|u| u.user_id.clone()));
        resume = Some((
            batch.next_offset.ok_or("more pages")?,
            batch.boundary.clone(),
        ));
    }
    drop(first);
    let (mut token, boundary) = resume.ok_or("a token")?;
    let boundary = boundary.ok_or("overlapping pages have a boundary")?;
    let resumed = pager(&server, 4, 4);
    let mut batch = resumed.page_after(token, Some(&boundary)).await?;
    loop {
        got.extend(batch.users.iter().map(|u| u.user_id.clone()));
        match batch.next_offset {
            Some(next) => {
                token = next;
                batch = resumed.page(token).await?;
            }
            None => break,
        }
    }
    let lost = missing(&present_throughout(1_000, &fake), &got);
    assert!(lost.is_empty(), "lost {lost:?}");
    assert!(resumed.stats().await.shifts >= 1);
    Ok(())
}

#[tokio::test]
async fn overlap_costs_no_request_when_honoured_and_under_five_percent_when_capped() -> TestResult {
    for (cap, n) in [
        (None, 10_000usize),
        (None, 10_050),
        (Some(100), 10_000),
        (Some(100), 9_999),
    ] {
        let side_by_side = {
            let mut fake = Shifting::new(n, Vec::new());
            fake.cap = cap;
            let (server, _) = serve(fake).await;
            let p = pager(&server, 0, 16);
            assert_eq!(list(&p).await?.len(), n);
            p.stats().await.requests
        };
        let overlapping = {
            let mut fake = Shifting::new(n, Vec::new());
            fake.cap = cap;
            let (server, _) = serve(fake).await;
            let p = pager(&server, 4, 16);
            assert_eq!(list(&p).await?.len(), n);
            let stats = p.stats().await;
            assert_eq!((stats.shifts, stats.refetches, stats.unverified), (0, 0, 0));
            stats.requests
        };
        if cap.is_none() {
            assert!(
                overlapping <= side_by_side,
                "{n}: {overlapping} vs {side_by_side}"
            );
        }
        // At most 5% more: 4 repeated users of every 100 when the server caps pages at 100.
        assert!(
            overlapping * 100 <= side_by_side * 105,
            "{cap:?} {n}: {overlapping} vs {side_by_side}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_server_paging_by_page_number_only_completes_with_unverified_boundaries() -> TestResult {
    let mut fake = Shifting::new(1_234, Vec::new());
    fake.page_only = true;
    let (server, _) = serve(fake).await;
    let p = pager(&server, 4, 4);
    assert_eq!(list(&p).await?.len(), 1_234);
    assert!(p.stats().await.unverified > 0);
    Ok(())
}

#[tokio::test]
async fn a_server_that_ignores_offset_silently_is_paged_by_page_number() -> TestResult {
    for n in [1_234, 10_400] {
        let mut fake = Shifting::new(n, Vec::new());
        fake.ignores_offset = true;
        let (server, _) = serve(fake).await;
        let p = pager(&server, 4, 4);
        assert_eq!(list(&p).await?.len(), n);
        let stats = p.stats().await;
        assert!(stats.unverified > 0);
        // The first page answered twice, the prefetched pages dropped when that shows (4 in
        // flight), and one more past an exact multiple.
        assert!(stats.requests <= (n as u64).div_ceil(104) + 6, "{stats:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_listing_resumed_after_an_unknown_boundary_lists_again_from_the_first_page() -> TestResult
{
    let (server, _) = serve(Shifting::new(1_000, Vec::new())).await;
    let p = pager(&server, 4, 4);
    let first = p
        .page_after(500, Some(&descope_mgmt::PageBoundary::unknown()))
        .await?;
    // The users before the resumed page come again, so none can have been skipped.
    let ids: BTreeSet<String> = first.users.iter().map(|u| u.user_id.clone()).collect();
    assert!(
        ids.contains("U000000") && ids.contains("U000499"),
        "{}",
        ids.len()
    );
    let mut all = ids;
    let mut next = first.next_offset;
    while let Some(at) = next {
        let batch = p.page(at).await?;
        all.extend(batch.users.into_iter().map(|u| u.user_id));
        next = batch.next_offset;
    }
    assert_eq!(all.len(), 1_000);
    assert_eq!(p.stats().await.shifts, 1);
    Ok(())
}

#[tokio::test]
async fn a_request_failing_while_a_gap_is_closed_loses_no_user_on_retry() -> TestResult {
    // Users deleted in front after the second request; then each of the next requests fails
    // once in turn (the refetch of the page before, the walk forward, a prefetched page...),
    // and the caller retries the batch as the engine does.
    for fail in 3..14 {
        for in_flight in [1, 4] {
            let mut fake = Shifting::new(1_500, vec![Change::delete(2, 0, 250)]);
            fake.fail = vec![fail];
            let (server, fake) = serve(fake).await;
            let p = pager(&server, 4, in_flight);
            let mut got = BTreeSet::new();
            let mut errors = 0;
            loop {
                match p.next_page().await {
                    Ok(Some(batch)) => got.extend(batch.users.into_iter().map(|u| u.user_id)),
                    Ok(None) => break,
                    Err(e) => {
                        errors += 1;
                        assert!(errors < 5, "{e}");
                    }
                }
            }
            let lost = missing(&present_throughout(1_500, &fake), &got);
            assert!(
                lost.is_empty(),
                "failing request {fail}, {in_flight} in flight: lost {lost:?}"
            );
        }
    }
    Ok(())
}
