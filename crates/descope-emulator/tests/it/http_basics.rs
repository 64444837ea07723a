//! Auth, strict decoding, response shapes, and the single-object endpoints.

use descope_emulator::{Emulator, UserStatus};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, decode};

fn assert_descope_error(v: &Value, code: &str) {
    assert_eq!(v["errorCode"], code, "{v}");
    assert!(
        v["errorDescription"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{v}"
    );
    assert!(v.get("errorMessage").is_some(), "{v}");
}

#[tokio::test]
async fn auth_is_required_and_checked() -> TestResult {
    let api = Api::demo().await;
    let url = api.url("/v1/mgmt/tenant/all");
    let (status, v) = decode(api.http.get(&url).send().await?).await;
    assert_eq!(status, 401);
    assert_descope_error(&v, "E011401");
    for wrong in [
        format!("Bearer {}:wrong", api.emu.project_id()),
        format!("Bearer {}", api.emu.project_id()),
        format!(
            "Basic {}:{}",
            api.emu.project_id(),
            api.emu.management_key()
        ),
    ] {
        let resp = api
            .http
            .get(&url)
            .header("Authorization", wrong)
            .send()
            .await?;
        assert_eq!(resp.status(), 401);
    }
    let (status, _) = api.get("/v1/mgmt/tenant/all").await;
    assert_eq!(status, 200);
    assert_eq!(api.emu.counters().unauthorized, 4);

    let custom = Api::start(
        Emulator::builder()
            .project_id("P2custom")
            .management_key("K9"),
    )
    .await;
    assert_eq!(custom.auth, "Bearer P2custom:K9");
    assert_eq!(custom.get("/v1/mgmt/role/all").await.0, 200);
    Ok(())
}

#[tokio::test]
async fn unknown_fields_are_a_validation_error() -> TestResult {
    let api = Api::demo().await;
    let (status, v) = api
        .post("/v2/mgmt/user/search", json!({"limit": 10, "pageSize": 10}))
        .await;
    assert_eq!(status, 400);
    assert_descope_error(&v, "E011003");
    assert!(v["errorMessage"].as_str().unwrap().contains("pageSize"));
    let (status, v) = api
        .post(
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "x", "tenantId": "T", "roleNames": ["r"]}),
        )
        .await;
    assert_eq!(status, 400, "tenant/add defines no roleNames");
    assert_descope_error(&v, "E011003");
    let (status, _) = api
        .post("/v2/mgmt/user/search", json!({"limit": "ten"}))
        .await;
    assert_eq!(status, 400);
    let (status, v) = api.get("/v1/mgmt/nothing/here").await;
    assert_eq!(status, 404);
    assert_descope_error(&v, "E011404");
    Ok(())
}

#[tokio::test]
async fn user_object_uses_descope_names() -> TestResult {
    let api = Api::demo().await;
    let data = api.emu.dataset();
    let u = data
        .users
        .iter()
        .find(|u| !u.user_tenants.is_empty())
        .unwrap();
    let (status, v) = api
        .get(&format!("/v1/mgmt/user?loginId={}", u.login_ids[0]))
        .await;
    assert_eq!(status, 200);
    let user = &v["user"];
    assert_eq!(user["userId"], u.user_id.as_str());
    assert_eq!(
        user["userTenants"][0]["tenantName"],
        u.user_tenants[0].tenant_name.as_str()
    );
    assert!(user["userTenants"][0]["roleNames"].is_array());
    for key in [
        "TOTP",
        "SAML",
        "SCIM",
        "OIDC",
        "OAuth",
        "roleNames",
        "loginIds",
        "status",
    ] {
        assert!(user.get(key).is_some(), "missing {key}");
    }
    // createdTime is in seconds (a 2023+ date, not milliseconds).
    let t = user["createdTime"].as_i64().unwrap();
    assert!((1_600_000_000..4_000_000_000).contains(&t));
    Ok(())
}

#[tokio::test]
async fn load_by_login_id_user_id_and_identifier() -> TestResult {
    let api = Api::demo().await;
    let u = api.emu.dataset().users[0].clone();
    for q in [
        format!("loginId={}", u.login_ids[0]),
        format!("userId={}", u.user_id),
        format!("identifier={}", u.login_ids[0]),
        // GO sends both keys, one empty.
        format!("loginId=&userId={}", u.user_id),
    ] {
        let (status, v) = api.get(&format!("/v1/mgmt/user?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(v["user"]["userId"], u.user_id.as_str());
    }
    let (status, v) = api.get("/v1/mgmt/user?loginId=nobody@nowhere").await;
    assert_eq!(status, 404);
    assert_descope_error(&v, "E112102");
    let (status, v) = api.get("/v1/mgmt/user?userId=U2nope").await;
    assert_eq!(status, 404);
    assert_descope_error(&v, "E112102");
    Ok(())
}

#[tokio::test]
async fn batch_load_skips_unknown_ids() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (status, v) = api
        .post(
            "/v1/mgmt/users/load",
            json!({"userIds": [d.users[1].user_id, "U2missing", d.users[4].user_id]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["total"], 2);
    assert_eq!(v["users"][1]["userId"], d.users[4].user_id.as_str());
    Ok(())
}

#[tokio::test]
async fn create_status_delete() -> TestResult {
    let api = Api::demo().await;
    let tenant = api.emu.dataset().tenants[0].clone();
    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({
                "loginId": "new.person@acme.test",
                "email": "new.person@acme.test",
                "displayName": "New Person",
                "roleNames": ["Viewer"],
                "userTenants": [{"tenantId": tenant.id, "roleNames": ["Editor"]}],
                "verifiedEmail": true
            }),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let user = &v["user"];
    let id = user["userId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("U2"));
    assert_eq!(user["name"], "New Person");
    assert_eq!(user["userTenants"][0]["tenantName"], tenant.name.as_str());
    assert_eq!(user["status"], "enabled");

    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "new.person@acme.test"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_descope_error(&v, "E062107");
    let (status, _) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "x@y", "roleNames": ["Nope"]}),
        )
        .await;
    assert_eq!(status, 400);

    let (status, v) = api
        .post(
            "/v1/mgmt/user/update/status",
            json!({"loginId": id, "status": "disabled"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["user"]["status"], "disabled");
    let (status, _) = api
        .post(
            "/v1/mgmt/user/update/status",
            json!({"loginId": id, "status": "asleep"}),
        )
        .await;
    assert_eq!(status, 400);

    let (status, _) = api
        .post("/v1/mgmt/user/delete", json!({"loginId": "", "userId": id}))
        .await;
    assert_eq!(status, 200);
    let (status, v) = api.get(&format!("/v1/mgmt/user?userId={id}")).await;
    assert_eq!(status, 404);
    assert_descope_error(&v, "E112102");
    let (status, _) = api
        .post(
            "/v1/mgmt/user/delete",
            json!({"loginId": "new.person@acme.test"}),
        )
        .await;
    assert_eq!(status, 404);

    let (status, v) = api
        .post("/v1/mgmt/user/create/test", json!({"loginId": "t@test"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["user"]["test"], true);
    assert_eq!(
        api.emu.dataset().users.last().map(|u| u.status),
        Some(UserStatus::Enabled)
    );
    Ok(())
}

#[tokio::test]
async fn catalog_endpoints_have_descope_shapes() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (_, v) = api.get("/v1/mgmt/tenant/all").await;
    assert_eq!(v["tenants"].as_array().unwrap().len(), 3);
    let (status, v) = api
        .get(&format!("/v1/mgmt/tenant?id={}", d.tenants[2].id))
        .await;
    assert_eq!(status, 200);
    // Flat at the root, not wrapped.
    assert_eq!(v["id"], d.tenants[2].id.as_str());
    assert_eq!(v["parent"], d.tenants[2].parent.as_str());
    let (status, _) = api.get("/v1/mgmt/tenant?id=T2nope").await;
    assert_eq!(status, 404);
    let (_, v) = api.get("/v1/mgmt/role/all").await;
    assert_eq!(v["roles"].as_array().unwrap().len(), d.roles.len());
    assert!(v["roles"][0].get("permissionNames").is_some());
    let (_, v) = api.get("/v1/mgmt/permission/all").await;
    assert_eq!(
        v["permissions"].as_array().unwrap().len(),
        d.permissions.len()
    );
    let (_, v) = api.get("/v1/mgmt/license").await;
    assert_eq!(v, json!({"rateLimitTier": "tier4"}));

    let g = &d.groups[0];
    let (status, v) = api
        .post("/v1/mgmt/group/all", json!({"tenantId": g.tenant_id}))
        .await;
    assert_eq!(status, 200);
    let arr = v.as_array().unwrap();
    assert!(arr.iter().any(|x| x["id"] == g.id.as_str()));
    // The member key is `loginId` (Node's types and the API spec; Go's `loginID` tag is
    // case-insensitive on decode).
    assert!(arr[0]["members"][0].get("loginId").is_some());
    assert!(arr[0]["members"][0].get("loginID").is_none());
    let member = &g.members[0];
    let (_, v) = api
        .post(
            "/v1/mgmt/group/member/all",
            json!({"tenantId": g.tenant_id, "userIds": [member.user_id]}),
        )
        .await;
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == g.id.as_str())
    );
    let (_, v) = api
        .post(
            "/v1/mgmt/group/members",
            json!({"tenantId": g.tenant_id, "groupId": g.id}),
        )
        .await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    Ok(())
}

#[tokio::test]
async fn counters_count_per_endpoint() -> TestResult {
    let api = Api::demo().await;
    api.search(json!({})).await;
    api.search(json!({})).await;
    api.get("/v1/mgmt/tenant/all").await;
    let c = api.emu.counters();
    assert_eq!(c.endpoint("POST /v2/mgmt/user/search"), 2);
    assert_eq!(c.endpoint("GET /v1/mgmt/tenant/all"), 1);
    assert_eq!(c.requests, 3);
    api.emu.reset_counters();
    assert_eq!(api.emu.counters().requests, 0);
    Ok(())
}

#[tokio::test]
async fn shutdown_stops_serving() -> TestResult {
    let api = Api::demo().await;
    let url = api.url("/v1/mgmt/license");
    api.emu.shutdown().await;
    assert!(api.http.get(&url).send().await.is_err());
    Ok(())
}
