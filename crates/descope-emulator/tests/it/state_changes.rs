//! Writes are seen by the next read; role and tenant semantics; duplicate modes.

use descope_emulator::{Dataset, DuplicateMode, Emulator, RoleRecord, TenantRecord, UserRecord};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};

/// Two tenants (T1 with its own "Editor"), project roles "Viewer" and "Editor", one user.
fn small() -> Dataset {
    let mut d = Dataset::new();
    d.tenants.push(TenantRecord::new("T1", "One"));
    d.tenants.push(TenantRecord::new("T2", "Two"));
    d.roles.push(RoleRecord::new("R1", "Viewer", ""));
    d.roles.push(RoleRecord::new("R2", "Editor", ""));
    d.roles.push(RoleRecord::new("R3", "Editor", "T1"));
    d.roles.push(RoleRecord::new("R4", "Approver", "T1"));
    d.users.push(UserRecord::new("U1", "a@x.io"));
    d.users.push(UserRecord::new("U2", "b@x.io"));
    d
}

async fn with(mode: DuplicateMode) -> Api {
    Api::start(Emulator::builder().dataset(small()).duplicates(mode)).await
}

async fn found(api: &Api, filter: Value) -> Vec<String> {
    ids(&api.search(filter).await)
}

#[tokio::test]
async fn role_add_v1_needs_membership_v2_adds_it() -> TestResult {
    let api = with(DuplicateMode::Silent).await;
    let body = json!({"loginId": "a@x.io", "roleNames": ["Approver"], "tenantId": "T1"});
    let (status, v) = api
        .post("/v1/mgmt/user/update/role/add", body.clone())
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["errorCode"], "E112105");
    assert!(found(&api, json!({"tenantIds": ["T1"]})).await.is_empty());

    let (status, v) = api
        .post("/v2/mgmt/user/update/role/add", body.clone())
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["user"]["userTenants"][0]["tenantName"], "One");
    assert_eq!(
        v["user"]["userTenants"][0]["roleNames"],
        json!(["Approver"])
    );
    assert_eq!(found(&api, json!({"tenantIds": ["T1"]})).await, ["U1"]);
    assert_eq!(
        found(&api, json!({"roleNames": ["Approver"]})).await,
        ["U1"]
    );

    // Now a member: v1 works, with a project role assigned within the tenant.
    let (status, v) = api
        .post(
            "/v1/mgmt/user/update/role/add",
            json!({"identifier": "U1", "roleNames": ["Viewer"], "tenantId": "T1"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["user"]["userTenants"][0]["roleNames"],
        json!(["Approver", "Viewer"])
    );
    assert_eq!(v["user"]["roleNames"], json!([]), "project level untouched");

    // Approver is T1's own role: not assignable in T2 nor at project level.
    let (status, v) = api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "a@x.io", "roleNames": ["Approver"], "tenantId": "T2"}),
        )
        .await;
    assert_eq!((status, v["errorCode"].as_str()), (400, Some("E011004")));
    let (status, _) = api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "a@x.io", "roleNames": ["Approver"]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, v) = api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "nobody", "roleNames": ["Viewer"]}),
        )
        .await;
    assert_eq!((status, v["errorCode"].as_str()), (404, Some("E112102")));
    Ok(())
}

#[tokio::test]
async fn role_remove_and_set_are_seen_by_search() -> TestResult {
    let api = with(DuplicateMode::Silent).await;
    let (status, _) = api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "b@x.io", "roleNames": ["Viewer", "Editor"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(found(&api, json!({"roleNames": ["Editor"]})).await, ["U2"]);
    let (_, v) = api
        .post(
            "/v1/mgmt/user/update/role/remove",
            json!({"loginId": "U2", "roleNames": ["Editor"]}),
        )
        .await;
    assert_eq!(v["user"]["roleNames"], json!(["Viewer"]));
    assert!(
        found(&api, json!({"roleNames": ["Editor"]}))
            .await
            .is_empty()
    );
    let (_, v) = api
        .post(
            "/v1/mgmt/user/update/role/set",
            json!({"loginId": "U2", "roleNames": ["Editor"]}),
        )
        .await;
    assert_eq!(v["user"]["roleNames"], json!(["Editor"]));
    assert!(
        found(&api, json!({"roleNames": ["Viewer"]}))
            .await
            .is_empty()
    );
    // Set in a tenant needs membership.
    let (status, _) = api
        .post(
            "/v1/mgmt/user/update/role/set",
            json!({"loginId": "U2", "roleNames": ["Editor"], "tenantId": "T2"}),
        )
        .await;
    assert_eq!(status, 400);
    Ok(())
}

#[tokio::test]
async fn tenant_add_remove_are_seen_by_search() -> TestResult {
    let api = with(DuplicateMode::Silent).await;
    let (status, v) = api
        .post(
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "a@x.io", "tenantId": "T2"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        v["user"]["userTenants"],
        json!([{"tenantId": "T2", "tenantName": "Two", "roleNames": []}])
    );
    assert_eq!(found(&api, json!({"tenantIds": ["T2"]})).await, ["U1"]);
    let (status, v) = api
        .post(
            "/v1/mgmt/user/update/tenant/remove",
            json!({"loginId": "U1", "tenantId": "T2"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["user"]["userTenants"], json!([]));
    assert!(found(&api, json!({"tenantIds": ["T2"]})).await.is_empty());
    let (status, _) = api
        .post(
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "a@x.io", "tenantId": "T404"}),
        )
        .await;
    assert_eq!(status, 400);
    Ok(())
}

#[tokio::test]
async fn duplicates_silent_returns_unchanged_user() -> TestResult {
    let api = with(DuplicateMode::Silent).await;
    let add = json!({"loginId": "a@x.io", "roleNames": ["Viewer"]});
    let (_, first) = api.post("/v2/mgmt/user/update/role/add", add.clone()).await;
    let (status, again) = api.post("/v2/mgmt/user/update/role/add", add).await;
    assert_eq!(status, 200);
    assert_eq!(first, again);
    let rm = json!({"loginId": "a@x.io", "roleNames": ["Editor"]});
    assert_eq!(
        api.post("/v1/mgmt/user/update/role/remove", rm).await.0,
        200
    );
    let t = json!({"loginId": "a@x.io", "tenantId": "T1"});
    assert_eq!(
        api.post("/v1/mgmt/user/update/tenant/remove", t.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        api.post("/v1/mgmt/user/update/tenant/add", t.clone())
            .await
            .0,
        200
    );
    assert_eq!(api.post("/v1/mgmt/user/update/tenant/add", t).await.0, 200);
    Ok(())
}

#[tokio::test]
async fn duplicates_error_is_a_descope_error() -> TestResult {
    let api = with(DuplicateMode::Error).await;
    let add = json!({"loginId": "a@x.io", "roleNames": ["Viewer"]});
    assert_eq!(
        api.post("/v2/mgmt/user/update/role/add", add.clone())
            .await
            .0,
        200
    );
    let (status, v) = api.post("/v2/mgmt/user/update/role/add", add.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(v["errorCode"], "E112104");
    assert_eq!(v["errorDescription"], "User already has role");
    assert_eq!(
        api.post("/v1/mgmt/user/update/role/remove", add.clone())
            .await
            .0,
        200
    );
    let (status, v) = api.post("/v1/mgmt/user/update/role/remove", add).await;
    assert_eq!(status, 400);
    assert_eq!(v["errorDescription"], "User does not have role");
    let t = json!({"loginId": "a@x.io", "tenantId": "T1"});
    assert_eq!(
        api.post("/v1/mgmt/user/update/tenant/remove", t.clone())
            .await
            .0,
        400
    );
    assert_eq!(
        api.post("/v1/mgmt/user/update/tenant/add", t.clone())
            .await
            .0,
        200
    );
    assert_eq!(api.post("/v1/mgmt/user/update/tenant/add", t).await.0, 400);
    Ok(())
}

#[tokio::test]
async fn tenants_roles_permissions_create_and_delete() -> TestResult {
    let api = with(DuplicateMode::Silent).await;
    let (status, v) = api
        .post(
            "/v1/mgmt/tenant/create",
            json!({"name": "Three", "selfProvisioningDomains": ["three.io"]}),
        )
        .await;
    assert_eq!(status, 200);
    let t3 = v["id"].as_str().unwrap().to_owned();
    let (status, v) = api
        .post(
            "/v1/mgmt/tenant/create",
            json!({"id": "T4", "name": "Four", "parent": t3}),
        )
        .await;
    assert_eq!((status, v["id"].as_str()), (200, Some("T4")));
    assert_eq!(
        api.post("/v1/mgmt/tenant/create", json!({"name": "Three"}))
            .await
            .0,
        400
    );
    let (_, v) = api.get("/v1/mgmt/tenant?id=T4").await;
    assert_eq!(v["parent"], t3.as_str());

    // Role names are unique per scope.
    let perm = json!({"name": "docs:read", "description": "Read docs"});
    assert_eq!(
        api.post("/v1/mgmt/permission/create", perm.clone()).await.0,
        200
    );
    assert_eq!(api.post("/v1/mgmt/permission/create", perm).await.0, 400);
    let role = json!({"name": "Reader", "tenantId": "T4", "permissionNames": ["docs:read"]});
    assert_eq!(api.post("/v1/mgmt/role/create", role.clone()).await.0, 200);
    assert_eq!(api.post("/v1/mgmt/role/create", role).await.0, 400);
    assert_eq!(
        api.post("/v1/mgmt/role/create", json!({"name": "Reader"}))
            .await
            .0,
        200
    );
    assert_eq!(
        api.post(
            "/v1/mgmt/role/create",
            json!({"name": "X", "permissionNames": ["nope"]})
        )
        .await
        .0,
        400
    );
    let (status, _) = api
        .post(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "a@x.io", "roleNames": ["Reader"], "tenantId": "T4"}),
        )
        .await;
    assert_eq!(status, 200);

    // Deleting the permission unlinks it from roles.
    assert_eq!(
        api.post("/v1/mgmt/permission/delete", json!({"name": "docs:read"}))
            .await
            .0,
        200
    );
    let (_, v) = api.get("/v1/mgmt/role/all").await;
    let reader = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tenantId"] == "T4")
        .cloned()
        .unwrap();
    assert_eq!(reader["permissionNames"], json!([]));

    // Deleting the parent tenant needs cascade; it then takes the child, its roles and memberships.
    assert_eq!(
        api.post("/v1/mgmt/tenant/delete", json!({"id": t3}))
            .await
            .0,
        400
    );
    assert_eq!(
        api.post("/v1/mgmt/tenant/delete", json!({"id": t3, "cascade": true}))
            .await
            .0,
        200
    );
    assert_eq!(api.get("/v1/mgmt/tenant?id=T4").await.0, 404);
    assert!(found(&api, json!({"tenantIds": ["T4"]})).await.is_empty());
    let d = api.emu.dataset();
    assert!(d.roles.iter().all(|r| r.tenant_id != "T4"));
    assert!(d.users[0].user_tenants.is_empty());

    assert_eq!(
        api.post("/v1/mgmt/role/delete", json!({"name": "Reader"}))
            .await
            .0,
        200
    );
    assert_eq!(
        api.post("/v1/mgmt/role/delete", json!({"name": "Reader"}))
            .await
            .0,
        404
    );
    Ok(())
}
