//! The opt-in request log: method, path, query and body of every request, never a header.

use descope_emulator::{Emulator, RateLimit, RateLimits, RecordedBody};
use serde_json::json;

use crate::common::{Api, TestResult, decode};

#[tokio::test]
async fn requests_are_logged_in_order_without_headers() -> TestResult {
    let api = Api::start(Emulator::builder().record_requests(true)).await;
    let search = json!({"limit": 5, "tenantIds": null, "text": "a"});
    assert_eq!(
        api.post("/v2/mgmt/user/search", search.clone()).await.0,
        200
    );
    assert_eq!(
        api.get("/v1/mgmt/user?loginId=nobody%40x.io&x=1").await.0,
        400
    );
    let patch = json!({"loginId": "nobody@x.io", "phone": null});
    assert_eq!(
        api.send("PATCH", "/v1/mgmt/user/patch", &patch).await.0,
        404
    );
    // Refused before any handler: still logged, with the body it carried.
    let resp = api
        .http
        .post(api.url("/v1/mgmt/role/search"))
        .header("Authorization", "Bearer wrong")
        .body("not json")
        .send()
        .await?;
    assert_eq!(decode(resp).await.0, 401);
    assert_eq!(api.get("/v1/mgmt/tenant/all").await.0, 200);

    let log = api.emu.requests();
    let summary: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.query.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "/v2/mgmt/user/search", None),
            ("GET", "/v1/mgmt/user", Some("loginId=nobody%40x.io&x=1")),
            ("PATCH", "/v1/mgmt/user/patch", None),
            ("POST", "/v1/mgmt/role/search", None),
            ("GET", "/v1/mgmt/tenant/all", None),
        ]
    );
    assert_eq!(log[0].json(), Some(&search), "nulls are kept as sent");
    assert_eq!(log[1].body, RecordedBody::Empty);
    assert_eq!(log[2].json(), Some(&patch));
    assert_eq!(log[3].body, RecordedBody::NotJson("not json".into()));
    assert_eq!(log[3].json(), None);
    let debug = format!("{log:?}");
    assert!(!debug.contains(api.emu.management_key()), "{debug}");
    assert!(!debug.contains("Bearer"), "{debug}");

    // The logged search was answered as usual; clearing empties the log.
    api.emu.clear_requests();
    assert!(api.emu.requests().is_empty());
    assert_eq!(api.post("/v1/mgmt/role/search", json!({})).await.0, 200);
    assert_eq!(api.emu.requests().len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_log_is_off_by_default_and_sees_rate_limited_requests() -> TestResult {
    let api = Api::demo().await;
    assert_eq!(api.post("/v2/mgmt/user/search", json!({})).await.0, 200);
    assert!(api.emu.requests().is_empty());

    let one = RateLimit::new(
        1,
        std::time::Duration::from_secs(600),
        std::time::Duration::from_secs(600),
    );
    let limited = Api::start(
        Emulator::builder()
            .record_requests(true)
            .rate_limits(RateLimits::off().with_general(Some(one))),
    )
    .await;
    assert_eq!(limited.get("/v1/mgmt/role/all").await.0, 200);
    assert_eq!(limited.get("/v1/mgmt/role/all").await.0, 429);
    assert_eq!(limited.emu.requests().len(), 2);
    Ok(())
}
