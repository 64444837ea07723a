//! The bodies the official Go and Python SDKs send are accepted: their default bodies, and the
//! patch, `test` and `familyAssociations` fields (`null` handling is in `sdk_nulls`).

use descope_emulator::{
    Dataset, Emulator, GroupMemberRecord, GroupRecord, PermissionRecord, RoleRecord, TenantRecord,
    UserRecord, UserTenantRecord,
};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};

/// Tenant T1 ("One") with its role "Editor", project role "Viewer", permission "users:read",
/// users U1 (in T1 as Editor) and U2, test user U3, and T1's group G1 (SSO "S1") holding U1.
pub(crate) fn fixture() -> Dataset {
    let mut d = Dataset::new();
    d.tenants.push(TenantRecord::new("T1", "One"));
    let mut viewer = RoleRecord::new("R1", "Viewer", "");
    viewer.permission_names.push("users:read".into());
    d.roles.push(viewer);
    d.roles.push(RoleRecord::new("R2", "Editor", "T1"));
    d.permissions
        .push(PermissionRecord::new("P1", "users:read"));
    let mut u1 = UserRecord::new("U1", "a@x.io");
    u1.user_tenants
        .push(UserTenantRecord::new("T1", "One", vec!["Editor".into()]));
    d.users.push(u1);
    d.users.push(UserRecord::new("U2", "b@x.io"));
    let mut u3 = UserRecord::new("U3", "t@x.io");
    u3.test = true;
    d.users.push(u3);
    let mut g = GroupRecord::default();
    g.tenant_id = "T1".into();
    g.id = "G1".into();
    g.display = "Group one".into();
    g.sso_id = "S1".into();
    let mut m = GroupMemberRecord::default();
    m.login_id = "a@x.io".into();
    m.user_id = "U1".into();
    g.members.push(m);
    d.groups.push(g);
    // Real creation times, so a zero time filter that were applied would exclude them.
    for (i, u) in d.users.iter_mut().enumerate() {
        u.created_time = 1_700_000_000 + i64::try_from(i).unwrap();
    }
    d
}

async fn api() -> Api {
    Api::start(Emulator::builder().dataset(fixture())).await
}

/// Bodies exactly as the SDKs build them with their defaults (Python 2.16.1, Go 1.30.0).
#[tokio::test]
async fn sdk_default_bodies_are_accepted() -> TestResult {
    let api = api().await;
    // Python search_all() and Go SearchAll(nil): Go sends every key, zero times included.
    let py = api
        .search(
            json!({"tenantIds": [], "roleNames": [], "limit": 0, "page": 0,
            "testUsersOnly": false, "withTestUser": false}),
        )
        .await;
    assert_eq!(ids(&py), ["U1", "U2"]);
    let go = api
        .search(
            json!({"tenantIds": null, "roleNames": null, "limit": 0, "page": 0,
            "sort": null, "text": "", "loginIds": null, "testUsersOnly": false,
            "withTestUser": false, "customAttributes": null, "statuses": null, "emails": null,
            "phones": null, "ssoAppIds": null, "fromCreatedTime": 0, "toCreatedTime": 0,
            "fromModifiedTime": 0, "toModifiedTime": 0, "userIds": null,
            "tenantRoleIds": null, "tenantRoleNames": null, "includeSubTenants": false}),
        )
        .await;
    assert_eq!(ids(&go), ["U1", "U2"], "Go's zero times are no filter");

    // Python tenant.search_all() and Go's tenant search.
    for body in [
        json!({"tenantIds": null, "tenantNames": null,
            "tenantSelfProvisioningDomains": null, "customAttributes": null}),
        json!({"tenantIds": null, "tenantNames": null,
            "tenantSelfProvisioningDomains": null, "customAttributes": null, "authType": ""}),
    ] {
        let (status, v) = api.post("/v1/mgmt/tenant/search", body).await;
        assert_eq!(
            (status, v["tenants"].as_array().map(Vec::len)),
            (200, Some(1)),
            "{v}"
        );
    }

    // Python user.create(login_id) and Go's Create(loginID, &User{}).
    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "py@x.io", "email": null, "phone": null, "displayName": null,
                "roleNames": [], "userTenants": [], "test": false, "picture": null,
                "customAttributes": null, "additionalLoginIds": null, "ssoAppIDs": null,
                "invite": false}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "go@x.io", "email": "", "phone": "", "displayName": "",
                "givenName": "", "middleName": "", "familyName": "", "roleNames": null,
                "userTenants": [], "customAttributes": null, "picture": "",
                "additionalLoginIds": null, "ssoAppIDs": null, "invite": false}),
        )
        .await;
    assert_eq!(status, 200, "{v}");

    // Python user.update(login_id) (test false, empty families) and Go's Patch with `name`.
    let (status, v) = api
        .post(
            "/v1/mgmt/user/update",
            json!({"loginId": "py@x.io", "email": null, "phone": null, "displayName": null,
                "roleNames": [], "userTenants": [], "test": false, "picture": null,
                "customAttributes": null, "additionalLoginIds": null, "ssoAppIDs": null,
                "familyAssociations": []}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &json!({"loginId": "go@x.io", "name": "Go User", "scim": true,
                "additionalLoginIds": ["go2@x.io"], "status": "disabled"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["user"]["name"], "Go User");

    // Python role.create / role.search() / group calls.
    let (status, v) = api
        .post(
            "/v1/mgmt/role/create",
            json!({"name": "Auditor", "description": null, "permissionNames": null,
                "tenantId": null, "default": false, "private": false}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api.post("/v1/mgmt/role/search", json!({})).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = api
        .post(
            "/v1/mgmt/group/member/all",
            json!({"tenantId": "T1", "loginIds": [], "userIds": ["U1"], "ssoId": "S1"}),
        )
        .await;
    assert_eq!((status, v.as_array().map(Vec::len)), (200, Some(1)), "{v}");
    let (status, v) = api
        .post(
            "/v1/mgmt/group/members",
            json!({"tenantId": "T1", "groupId": "G1", "ssoId": "other"}),
        )
        .await;
    assert_eq!(
        (status, v),
        (200, json!([])),
        "another SSO configuration's group"
    );
    Ok(())
}

#[tokio::test]
async fn patch_applies_status_scim_login_ids_test_and_families() -> TestResult {
    let api = api().await;
    let patch = |body: Value| {
        let api = &api;
        async move { api.send("PATCH", "/v1/mgmt/user/patch", &body).await }
    };
    let (status, v) = patch(
        json!({"loginId": "b@x.io", "status": "invited", "scim": true,
        "additionalLoginIds": ["b2@x.io", "b3@x.io"]}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let u = &v["user"];
    assert_eq!(u["status"], "invited");
    assert_eq!(u["SCIM"], true);
    assert_eq!(u["loginIds"], json!(["b@x.io", "b2@x.io", "b3@x.io"]));
    // The new login ids address the user; the next patch replaces the extra ones.
    let (status, v) = patch(json!({"loginId": "b3@x.io", "additionalLoginIds": ["b4@x.io"]})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["user"]["loginIds"], json!(["b@x.io", "b4@x.io"]));
    assert_eq!(api.get("/v1/mgmt/user?loginId=b2%40x.io").await.0, 404);
    assert_eq!(
        ids(&api.search(json!({"statuses": ["invited"]})).await),
        ["U2"]
    );
    assert_eq!(ids(&api.search(json!({"scimOnly": true})).await), ["U2"]);

    for s in ["expired", "disabled", "enabled"] {
        let (status, v) = patch(json!({"loginId": "U2", "status": s})).await;
        assert_eq!((status, &v["user"]["status"]), (200, &json!(s)));
    }
    let (status, v) = patch(json!({"loginId": "U2", "status": "paused"})).await;
    assert_eq!((status, &v["errorCode"]), (400, &json!("E011004")), "{v}");

    let (_, v) = patch(json!({"loginId": "U2", "test": true,
        "familyAssociations": [{"familyId": "F1", "roleNames": ["Guardian"]}]}))
    .await;
    assert_eq!(v["user"]["test"], true);
    assert_eq!(
        v["user"]["userFamilies"],
        json!([{"familyId": "F1", "roleNames": ["Guardian"], "permissions": [],
            "familyScopedAttributes": {}}])
    );
    assert_eq!(
        ids(&api.search(json!({})).await),
        ["U1"],
        "U2 is a test user now"
    );
    // A patch without the key keeps the families; an empty list clears them.
    let (_, v) = patch(json!({"loginId": "U2", "name": "Bee"})).await;
    assert_eq!(v["user"]["userFamilies"][0]["familyId"], "F1");
    let (_, v) = patch(json!({"loginId": "U2", "familyAssociations": []})).await;
    assert!(v["user"].get("userFamilies").is_none(), "{v}");
    Ok(())
}

#[tokio::test]
async fn create_and_update_round_trip_test_and_family_associations() -> TestResult {
    let api = api().await;
    let families = json!([
        {"familyId": "F1", "roleNames": ["Family Admin"],
            "familyScopedAttributes": {"nickname": "Mom"}},
        {"familyId": "F2"}
    ]);
    let user_families = json!([
        {"familyId": "F1", "roleNames": ["Family Admin"], "permissions": [],
            "familyScopedAttributes": {"nickname": "Mom"}},
        {"familyId": "F2", "roleNames": [], "permissions": [], "familyScopedAttributes": {}}
    ]);
    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "g@x.io", "test": true, "familyAssociations": families}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["user"]["test"], true);
    assert_eq!(v["user"]["userFamilies"], user_families);
    let (_, loaded) = api.get("/v1/mgmt/user?loginId=g%40x.io").await;
    assert_eq!(loaded["user"], v["user"], "load returns what create stored");

    // A test user is found only with test users, and by family.
    assert_eq!(ids(&api.search(json!({})).await), ["U1", "U2"]);
    let by_family = api
        .search(json!({"familyIds": ["F2"], "withTestUser": true}))
        .await;
    assert_eq!(by_family["users"][0]["loginIds"], json!(["g@x.io"]));
    assert_eq!(by_family["total"], 1);
    let none = api
        .search(json!({"familyIds": ["F9"], "withTestUser": true}))
        .await;
    assert_eq!(none["total"], 0);

    // Update is a full replacement: families sent are kept, `test` stays unless sent.
    let (_, v) = api
        .post(
            "/v1/mgmt/user/update",
            json!({"loginId": "g@x.io", "displayName": "G", "familyAssociations": families}),
        )
        .await;
    assert_eq!(
        (&v["user"]["test"], &v["user"]["userFamilies"]),
        (&json!(true), &user_families)
    );
    let (_, cleared) = api
        .post(
            "/v1/mgmt/user/update",
            json!({"loginId": "g@x.io", "test": false}),
        )
        .await;
    assert_eq!(cleared["user"]["test"], false);
    assert_eq!(cleared["user"]["name"], "");
    assert!(
        cleared["user"].get("userFamilies").is_none(),
        "update without families clears them"
    );

    // Bad family lists are refused and change nothing.
    for (bad, code) in [
        (json!([{"familyId": ""}]), "E011002"),
        (json!([{"familyId": "F1"}, {"familyId": "F1"}]), "E011004"),
        (json!([{"familyId": "F1", "role": "x"}]), "E011003"),
    ] {
        let (status, v) = api
            .post(
                "/v1/mgmt/user/update",
                json!({"loginId": "g@x.io", "familyAssociations": bad}),
            )
            .await;
        assert_eq!((status, &v["errorCode"]), (400, &json!(code)), "{bad}: {v}");
    }
    let (_, v) = api.get("/v1/mgmt/user?loginId=g%40x.io").await;
    assert_eq!(v, cleared);
    Ok(())
}

/// The search filters the newer SDKs may send: `dependent` against the stored flag, and lock
/// reasons, which match nobody (the emulator models no locked users).
#[tokio::test]
async fn dependent_and_lock_reason_filters() -> TestResult {
    let mut d = fixture();
    d.users[1].dependent = true;
    let api = Api::start(Emulator::builder().dataset(d)).await;
    assert_eq!(ids(&api.search(json!({"dependent": true})).await), ["U2"]);
    assert_eq!(ids(&api.search(json!({"dependent": false})).await), ["U1"]);
    let (_, v) = api.get("/v1/mgmt/user?userId=U2").await;
    assert_eq!(v["user"]["dependent"], true);
    for f in ["lockReasons", "tempLockReasons"] {
        let v = api.search(json!({ f: ["password"] })).await;
        assert_eq!(v["total"], 0, "{f}");
        let v = api.search(json!({ f: [] })).await;
        assert_eq!(v["total"], 2, "an empty {f} filters nothing");
    }
    Ok(())
}
