//! SCIM authentication with access keys (active, unexpired, Tenant Admin of one tenant, bound
//! to a user, rotated), and the knobs (rate-limit class, faults) on SCIM paths.

use std::time::Duration;

use descope_emulator::{DEMO_SCIM_ACCESS_KEY, Emulator, Faults, RateLimit, RateLimits};
use reqwest::Method;
use serde_json::json;

use crate::common::TestResult;
use crate::scim::{Scim, assert_scim_error, ids};

#[tokio::test]
async fn only_an_active_tenant_admin_access_key_authenticates() -> TestResult {
    let s = Scim::demo().await;
    let pid = s.api.emu.project_id().to_owned();
    let r = s.send_as(None, Method::GET, "/scim/v2/Users", None).await;
    assert_scim_error(&r, 401, None);
    for wrong in [
        s.api.auth.clone(), // the management key is not an access key
        format!("Bearer P2other:{DEMO_SCIM_ACCESS_KEY}"),
        format!("Bearer {pid}:K2wrong"),
        format!("Bearer {DEMO_SCIM_ACCESS_KEY}"),
    ] {
        let r = s
            .send_as(Some(&wrong), Method::GET, "/scim/v2/Users", None)
            .await;
        assert_eq!(r.status, 401, "{wrong}");
    }
    assert_eq!(s.api.emu.counters().unauthorized, 5);
    // ... and an access key does not open the management API.
    let r = s.send(Method::GET, "/v1/mgmt/tenant/all", None).await;
    assert_eq!(r.status, 401);

    // A key without Tenant Admin authenticates but may not: 403.
    let (_, v) = s
        .api
        .post(
            "/v1/mgmt/accesskey/rotate",
            json!({"id": "K2DemoCiPipeline00000000000"}),
        )
        .await;
    let ci = format!("Bearer {pid}:{}", v["cleartext"].as_str().unwrap());
    let r = s
        .send_as(Some(&ci), Method::GET, "/scim/v2/Users", None)
        .await;
    assert_scim_error(&r, 403, None);

    // Deactivated: 401 until activated again.
    let scim_id = "K2DemoGlobexScim00000000000";
    s.api
        .post("/v1/mgmt/accesskey/deactivate", json!({"id": scim_id}))
        .await;
    assert_eq!(s.get("/scim/v2/Users").await.status, 401);
    s.api
        .post("/v1/mgmt/accesskey/activate", json!({"id": scim_id}))
        .await;
    assert_eq!(s.get("/scim/v2/Users").await.status, 200);

    // Expired: 401. A key created already expired shows that.
    let (_, v) = s
        .api
        .post(
            "/v1/mgmt/accesskey/create",
            json!({"name": "old", "expireTime": 1_700_000_000,
                   "keyTenants": [{"tenantId": s.globex, "roleNames": ["Tenant Admin"]}]}),
        )
        .await;
    let old = format!("Bearer {pid}:{}", v["cleartext"].as_str().unwrap());
    let r = s
        .send_as(Some(&old), Method::GET, "/scim/v2/Users", None)
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body["detail"].as_str().unwrap().contains("expired"));

    // Rotation: the old secret stops working at once, the new one works.
    let (_, v) = s
        .api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": scim_id}))
        .await;
    let new = format!("Bearer {pid}:{}", v["cleartext"].as_str().unwrap());
    assert_eq!(s.get("/scim/v2/Users").await.status, 401);
    let r = s
        .send_as(Some(&new), Method::GET, "/scim/v2/Users", None)
        .await;
    assert_eq!(r.status, 200);
    Ok(())
}

#[tokio::test]
async fn a_key_bound_to_a_user_acts_with_the_users_roles() -> TestResult {
    let s = Scim::demo().await;
    let data = s.api.emu.dataset();
    let admin = data
        .users
        .iter()
        .find(|u| u.tenant(&s.globex).is_some() && !u.test)
        .unwrap();
    // The key holds no roles itself; its user becomes Tenant Admin of Globex.
    let (_, v) = s
        .api
        .post(
            "/v1/mgmt/accesskey/create",
            json!({"name": "bound", "userId": admin.user_id}),
        )
        .await;
    let auth = format!(
        "Bearer {}:{}",
        s.api.emu.project_id(),
        v["cleartext"].as_str().unwrap()
    );
    let r = s
        .send_as(Some(&auth), Method::GET, "/scim/v2/Users", None)
        .await;
    assert_eq!(r.status, 403);
    let (st, _) = s
        .api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": admin.user_id, "tenantId": s.globex, "roleNames": ["Tenant Admin"]}),
        )
        .await;
    assert_eq!(st, 200);
    let r = s
        .send_as(Some(&auth), Method::GET, "/scim/v2/Users", None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r.body), s.members());
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn scim_has_its_own_rate_limit_class() -> TestResult {
    let limits = RateLimits::off()
        .with_scim(Some(RateLimit::new(
            2,
            Duration::from_secs(10),
            Duration::from_secs(10),
        )))
        .with_general(Some(RateLimit::new(
            1,
            Duration::from_secs(10),
            Duration::from_secs(10),
        )));
    let s = Scim::start(Emulator::builder().rate_limits(limits)).await;
    assert_eq!(s.get("/scim/v2/Users").await.status, 200);
    assert_eq!(s.get("/scim/v2/Groups").await.status, 200);
    let r = s.get("/scim/v2/Users").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["errorCode"], "E130429");
    // The general class is untouched by SCIM calls.
    assert_eq!(s.api.get("/v1/mgmt/tenant/all").await.0, 200);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(s.get("/scim/v2/Users").await.status, 200);
    Ok(())
}

#[tokio::test]
async fn faults_hit_scim_too() -> TestResult {
    let f = Faults {
        server_error: 1.0,
        ..Faults::default()
    };
    let s = Scim::start(Emulator::builder().faults(f)).await;
    let r = s.get("/scim/v2/Users").await;
    assert!(r.status == 500 || r.status == 503);
    assert_eq!(s.api.emu.counters().endpoint("GET /scim/v2/Users"), 1);
    Ok(())
}
