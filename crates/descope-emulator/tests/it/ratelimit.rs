//! Rate limits and lock-out over HTTP, with tokio's paused clock driving the windows.

use std::time::Duration;

use descope_emulator::{Emulator, RateLimit, RateLimits};
use serde_json::json;

use crate::common::{Api, TestResult};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test(start_paused = true)]
async fn lockout_then_recovery() -> TestResult {
    let limits = RateLimits::off()
        .with_user_search_update(Some(RateLimit::new(3, secs(6), secs(6))))
        .with_general(Some(RateLimit::new(100, secs(60), secs(60))));
    let api = Api::start(Emulator::builder().rate_limits(limits)).await;
    for _ in 0..3 {
        api.search(json!({})).await;
    }
    let resp = api
        .http
        .post(api.url("/v2/mgmt/user/search"))
        .header("Authorization", &api.auth)
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "6");
    let body: serde_json::Value = resp.json().await?;
    assert_eq!(body["errorCode"], "E130429");

    // Another class is not affected; the licence call is never limited.
    assert_eq!(api.get("/v1/mgmt/tenant/all").await.0, 200);
    // Role updates share the search class.
    let (status, _) = api
        .post(
            "/v1/mgmt/user/update/role/remove",
            json!({"loginId": "x", "roleNames": ["y"]}),
        )
        .await;
    assert_eq!(status, 429);

    tokio::time::advance(secs(4)).await;
    let resp = api
        .http
        .post(api.url("/v2/mgmt/user/search"))
        .header("Authorization", &api.auth)
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(resp.status(), 429, "still locked out");
    assert_eq!(resp.headers()["retry-after"], "2");

    tokio::time::advance(secs(2)).await;
    assert_eq!(api.post("/v2/mgmt/user/search", json!({})).await.0, 200);
    let c = api.emu.counters();
    assert_eq!(c.rate_limited, 3);
    assert_eq!(c.faults, 0);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn descope_preset_scaled_allows_200_per_window() -> TestResult {
    let api = Api::start(Emulator::builder().rate_limits(RateLimits::descope().scaled(10.0))).await;
    for i in 0..200 {
        let (status, _) = api.post("/v2/mgmt/user/search", json!({"limit": 1})).await;
        assert_eq!(status, 200, "request {i}");
    }
    let (status, _) = api.post("/v2/mgmt/user/search", json!({"limit": 1})).await;
    assert_eq!(status, 429);
    tokio::time::advance(secs(6)).await;
    assert_eq!(
        api.post("/v2/mgmt/user/search", json!({"limit": 1}))
            .await
            .0,
        200
    );
    // General class: 100 per 6 s.
    for _ in 0..100 {
        assert_eq!(api.get("/v1/mgmt/role/all").await.0, 200);
    }
    assert_eq!(api.get("/v1/mgmt/role/all").await.0, 429);
    assert_eq!(api.get("/v1/mgmt/license").await.0, 200);
    Ok(())
}

#[tokio::test]
async fn off_by_default() -> TestResult {
    let api = Api::demo().await;
    for _ in 0..250 {
        assert_eq!(api.get("/v1/mgmt/permission/all").await.0, 200);
    }
    assert_eq!(api.emu.counters().rate_limited, 0);
    Ok(())
}
