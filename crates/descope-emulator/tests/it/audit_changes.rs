//! Every change made through the API writes an audit record; refused calls write none.

use descope_emulator::DEMO_SCIM_ACCESS_KEY;
use serde_json::{Value, json};

use crate::audit_search::{audit, audits};
use crate::common::{Api, TestResult};

/// The newest record of `action`.
async fn latest(api: &Api, action: &str) -> Value {
    let v = audit(api, json!({"actions": [action], "size": 1})).await;
    audits(&v)
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no {action} record"))
}

async fn total(api: &Api) -> u64 {
    audit(api, json!({})).await["total"].as_u64().unwrap()
}

async fn ok(api: &Api, path: &str, body: Value) -> Value {
    let (s, v) = api.post(path, body.clone()).await;
    assert_eq!(s, 200, "{path} {body}: {v}");
    v
}

fn has(list: &Value, item: &str) -> bool {
    list.as_array().unwrap().iter().any(|x| x == item)
}

#[tokio::test]
async fn user_changes() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let acme = d.tenants[0].id.clone();
    let wiki = d.sso_apps[0].id.clone();
    let body = json!({"loginId": "audit@x.io", "roleNames": ["Viewer"],
        "userTenants": [{"tenantId": acme, "roleNames": ["Approver"]}]});
    let v = ok(&api, "/v1/mgmt/user/create", body).await;
    let id = v["user"]["userId"].as_str().unwrap().to_owned();
    let a = latest(&api, "UserCreated").await;
    assert_eq!(
        (a["userId"].as_str(), a["type"].as_str()),
        (Some(id.as_str()), Some("info"))
    );
    assert_eq!(a["externalIds"], json!(["audit@x.io"]));
    assert_eq!(a["tenants"], json!([acme]));
    assert_eq!(a["actorId"], "management-key");
    assert_eq!(a["data"]["operation"], "create");
    assert_eq!(a["data"]["roleNames"], json!(["Viewer"]));
    assert_eq!(
        a["data"]["userTenants"][0]["roleNames"],
        json!(["Approver"])
    );
    // The newest records come first in an unfiltered search too.
    assert_eq!(audits(&audit(&api, json!({"size": 1})).await)[0], a);

    ok(
        &api,
        "/v1/mgmt/user/create/test",
        json!({"loginId": "t@x.io"}),
    )
    .await;
    assert_eq!(
        latest(&api, "UserCreated").await["data"]["operation"],
        "create.test"
    );

    let steps = [
        (
            "/v1/mgmt/user/update",
            json!({"loginId": id, "displayName": "Audited",
            "roleNames": ["Viewer"], "userTenants": [{"tenantId": acme}]}),
            "update",
            "name",
        ),
        (
            "/v1/mgmt/user/update/status",
            json!({"loginId": id, "status": "disabled"}),
            "status",
            "status",
        ),
        (
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": id, "tenantId": acme,
            "roleNames": ["Editor"]}),
            "roles.add",
            "userTenants",
        ),
        (
            "/v1/mgmt/user/update/role/remove",
            json!({"loginId": id, "roleNames": ["Viewer"]}),
            "roles.remove",
            "roleNames",
        ),
        (
            "/v1/mgmt/user/update/role/set",
            json!({"loginId": id, "roleNames": ["Auditor"]}),
            "roles.set",
            "roleNames",
        ),
        (
            "/v1/mgmt/user/update/tenant/remove",
            json!({"loginId": id, "tenantId": acme}),
            "tenant.remove",
            "userTenants",
        ),
        (
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": id, "tenantId": acme}),
            "tenant.add",
            "userTenants",
        ),
        (
            "/v1/mgmt/user/update/ssoapp/add",
            json!({"loginId": id, "ssoAppIds": [wiki]}),
            "ssoApps.add",
            "ssoAppIds",
        ),
        (
            "/v1/mgmt/user/update/ssoapp/set",
            json!({"loginId": id, "ssoAppIds": []}),
            "ssoApps.set",
            "ssoAppIds",
        ),
    ];
    for (path, body, operation, field) in steps {
        ok(&api, path, body).await;
        let a = latest(&api, "UserModified").await;
        assert_eq!(a["data"]["operation"], operation, "{path}");
        assert_eq!(a["userId"], id.as_str());
        assert!(has(&a["data"]["changedFields"], field), "{path}: {a}");
        assert!(has(&a["tenants"], &acme), "{path}: {a}");
    }
    let a = latest(&api, "UserModified").await;
    assert_eq!(a["data"]["changes"]["ssoAppIds"], json!([]));
    let (s, _) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &json!({"loginId": id, "phone": "+15550001"}),
        )
        .await;
    assert_eq!(s, 200);
    let a = latest(&api, "UserModified").await;
    assert_eq!(a["data"]["operation"], "patch");
    assert_eq!(a["data"]["changedFields"], json!(["phone"]));
    assert_eq!(a["data"]["changes"], json!({"phone": "+15550001"}));
    // A role add in a tenant names the roles and the tenant.
    ok(
        &api,
        "/v2/mgmt/user/update/role/add",
        json!({"loginId": id, "tenantId": acme, "roleNames": ["Approver"]}),
    )
    .await;
    let a = latest(&api, "UserModified").await;
    assert_eq!(a["data"]["roleNames"], json!(["Approver"]));
    assert_eq!(a["data"]["tenantId"], acme.as_str());

    ok(&api, "/v1/mgmt/user/delete", json!({"userId": id})).await;
    let a = latest(&api, "UserDeleted").await;
    assert_eq!(
        (a["userId"].as_str(), a["externalIds"].clone()),
        (Some(id.as_str()), json!(["audit@x.io"]))
    );
    let batch: Vec<String> = d.users[..2].iter().map(|u| u.user_id.clone()).collect();
    ok(
        &api,
        "/v1/mgmt/user/delete/batch",
        json!({"userIds": batch}),
    )
    .await;
    let a = latest(&api, "UsersDeleted").await;
    assert_eq!(a["data"]["userIds"], json!(batch));
    assert_eq!(a["data"]["operation"], "delete.batch");
    let resp = api
        .http
        .delete(api.url("/v1/mgmt/user/test/delete/all"))
        .header("Authorization", &api.auth)
        .send()
        .await?;
    assert_eq!(resp.status(), 200);
    let a = latest(&api, "UsersDeleted").await;
    assert_eq!(a["data"]["operation"], "delete.test.all");
    assert_eq!(
        a["data"]["userIds"].as_array().unwrap().len(),
        d.users.iter().filter(|u| u.test).count() + 1
    );

    // Refused calls write nothing.
    let before = total(&api).await;
    let (s, _) = api
        .post(
            "/v1/mgmt/user/update/role/add",
            json!({"loginId": "nobody", "roleNames": ["x"]}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post("/v1/mgmt/user/create", json!({"loginId": ""}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(total(&api).await, before);
    Ok(())
}

#[tokio::test]
async fn access_key_changes_never_carry_the_secret() -> TestResult {
    let api = Api::demo().await;
    let acme = api.emu.dataset().tenants[0].id.clone();
    let v = ok(
        &api,
        "/v1/mgmt/accesskey/create",
        json!({"name": "Audited",
        "keyTenants": [{"tenantId": acme, "roleNames": ["Approver"]}]}),
    )
    .await;
    let id = v["key"]["id"].as_str().unwrap().to_owned();
    let cleartext = v["cleartext"].as_str().unwrap().to_owned();
    let a = latest(&api, "AccessKeyCreated").await;
    assert_eq!(a["data"]["accessKeyId"], id.as_str());
    assert_eq!(a["data"]["name"], "Audited");
    assert_eq!(a["tenants"], json!([acme]));
    ok(
        &api,
        "/v1/mgmt/accesskey/update",
        json!({"id": id, "name": "Renamed"}),
    )
    .await;
    let a = latest(&api, "AccessKeyModified").await;
    assert_eq!(a["data"]["operation"], "update");
    assert_eq!(a["data"]["changedFields"], json!(["name"]));
    for op in ["deactivate", "activate"] {
        ok(&api, &format!("/v1/mgmt/accesskey/{op}"), json!({"id": id})).await;
        let a = latest(&api, "AccessKeyModified").await;
        assert_eq!(a["data"]["operation"], op);
        assert_eq!(a["data"]["changedFields"], json!(["status"]));
    }
    let v = ok(&api, "/v1/mgmt/accesskey/rotate", json!({"id": id})).await;
    let rotated = v["cleartext"].as_str().unwrap().to_owned();
    let a = latest(&api, "AccessKeyModified").await;
    assert_eq!(a["data"]["operation"], "rotate");
    assert_eq!(
        a["data"]["changedFields"],
        json!([]),
        "the secret's hash is never audited"
    );
    ok(&api, "/v1/mgmt/accesskey/delete", json!({"id": id})).await;
    assert_eq!(
        latest(&api, "AccessKeyDeleted").await["data"]["accessKeyId"],
        id.as_str()
    );
    let keys: Vec<String> = api.emu.dataset().access_keys[..2]
        .iter()
        .map(|k| k.id.clone())
        .collect();
    ok(
        &api,
        "/v1/mgmt/accesskey/delete/batch",
        json!({"ids": keys}),
    )
    .await;
    assert_eq!(
        latest(&api, "AccessKeysDeleted").await["data"]["accessKeyIds"],
        json!(keys)
    );

    let everything = audit(&api, json!({})).await.to_string();
    for secret in [&cleartext, &rotated, &api.emu.management_key().to_owned()] {
        assert!(
            !everything.contains(secret.as_str()),
            "a secret in the audit trail"
        );
    }
    assert!(!everything.contains("secretHash"));
    Ok(())
}

#[tokio::test]
async fn tenant_role_and_permission_changes() -> TestResult {
    let api = Api::demo().await;
    let v = ok(&api, "/v1/mgmt/tenant/create", json!({"name": "Audit Inc"})).await;
    let t = v["id"].as_str().unwrap().to_owned();
    let a = latest(&api, "TenantCreated").await;
    assert_eq!(
        (a["tenants"].clone(), a["data"]["name"].clone()),
        (json!([t]), json!("Audit Inc"))
    );
    ok(
        &api,
        "/v1/mgmt/tenant/update",
        json!({"id": t, "name": "Audit Corp"}),
    )
    .await;
    let a = latest(&api, "TenantModified").await;
    assert_eq!(a["data"]["changes"]["name"], "Audit Corp");

    ok(
        &api,
        "/v1/mgmt/permission/create",
        json!({"name": "audit:read"}),
    )
    .await;
    assert_eq!(
        latest(&api, "PermissionCreated").await["data"]["permissionName"],
        "audit:read"
    );
    ok(
        &api,
        "/v1/mgmt/role/create",
        json!({"name": "Auditor2", "tenantId": t, "permissionNames": ["audit:read"]}),
    )
    .await;
    let a = latest(&api, "RoleCreated").await;
    assert_eq!(
        (a["data"]["roleName"].clone(), a["tenants"].clone()),
        (json!("Auditor2"), json!([t]))
    );
    ok(
        &api,
        "/v1/mgmt/permission/update",
        json!({"name": "audit:read", "newName": "audit:view"}),
    )
    .await;
    let a = latest(&api, "PermissionModified").await;
    assert_eq!(a["data"]["changes"]["name"], "audit:view");
    ok(
        &api,
        "/v1/mgmt/role/update",
        json!({"name": "Auditor2", "tenantId": t, "newName": "Auditor3"}),
    )
    .await;
    let a = latest(&api, "RoleModified").await;
    assert_eq!(
        (
            a["data"]["roleName"].clone(),
            a["data"]["changes"]["name"].clone()
        ),
        (json!("Auditor2"), json!("Auditor3"))
    );
    ok(
        &api,
        "/v1/mgmt/role/delete",
        json!({"name": "Auditor3", "tenantId": t}),
    )
    .await;
    assert_eq!(
        latest(&api, "RoleDeleted").await["data"]["roleName"],
        "Auditor3"
    );
    ok(
        &api,
        "/v1/mgmt/permission/delete",
        json!({"name": "audit:view"}),
    )
    .await;
    assert_eq!(
        latest(&api, "PermissionDeleted").await["data"]["permissionName"],
        "audit:view"
    );
    ok(&api, "/v1/mgmt/tenant/delete", json!({"id": t})).await;
    let a = latest(&api, "TenantDeleted").await;
    assert_eq!(a["data"]["deletedTenantIds"], json!([t]));
    // The tenant filter finds the tenant's whole story.
    let v = audit(&api, json!({"tenants": [t]})).await;
    let actions: Vec<&str> = audits(&v)
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "TenantDeleted",
            "RoleDeleted",
            "RoleModified",
            "RoleCreated",
            "TenantModified",
            "TenantCreated"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn scim_changes_name_the_access_key() -> TestResult {
    let api = Api::demo().await;
    let key = api
        .emu
        .dataset()
        .access_keys
        .into_iter()
        .find(|k| k.name == "Globex SCIM")
        .unwrap();
    let auth = format!("Bearer {}:{DEMO_SCIM_ACCESS_KEY}", api.emu.project_id());
    let resp = api
        .http
        .post(api.url("/scim/v2/Users"))
        .header("Authorization", &auth)
        .json(
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "scim.audit@globex.example.com"}),
        )
        .send()
        .await?;
    assert_eq!(resp.status(), 201);
    let a = latest(&api, "UserCreated").await;
    assert_eq!(a["actorId"], key.id.as_str());
    assert_eq!(a["data"]["operation"], "scim.create");
    let resp = api
        .http
        .post(api.url("/scim/v2/Groups"))
        .header("Authorization", &auth)
        .json(
            &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Audited group"}),
        )
        .send()
        .await?;
    assert_eq!(resp.status(), 201);
    let a = latest(&api, "GroupCreated").await;
    assert_eq!(
        (a["actorId"].as_str(), a["data"]["displayName"].as_str()),
        (Some(key.id.as_str()), Some("Audited group"))
    );
    Ok(())
}
