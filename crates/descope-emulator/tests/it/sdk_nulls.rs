//! `null` is "unset" in every optional field of every endpoint: accepted, and meaning exactly
//! what leaving the field out means.

use descope_emulator::Emulator;
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};
use crate::sdk_bodies::fixture;

async fn api() -> Api {
    Api::start(Emulator::builder().dataset(fixture())).await
}

/// A JSON object of `fields`, all `null`, plus `set`.
fn nulls(fields: &[&str], set: Value) -> Value {
    let mut body: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), Value::Null))
        .collect();
    body.extend(set.as_object().unwrap().clone());
    Value::Object(body)
}

const SEARCH_FIELDS: &[&str] = &[
    "page",
    "limit",
    "offset",
    "sort",
    "text",
    "loginId",
    "loginIds",
    "userIds",
    "emails",
    "phones",
    "statuses",
    "tenantIds",
    "roleNames",
    "tenantRoleIds",
    "tenantRoleNames",
    "includeSubTenants",
    "customAttributes",
    "ssoAppIds",
    "withTestUser",
    "testUsersOnly",
    "ssoOnly",
    "scimOnly",
    "fromCreatedTime",
    "toCreatedTime",
    "fromModifiedTime",
    "toModifiedTime",
    "verifiedEmail",
    "verifiedPhone",
    "password",
    "totp",
    "webauthn",
    "scim",
    "selectedColumns",
    "familyIds",
    "dependent",
    "lockReasons",
    "tempLockReasons",
];

const CREATE_FIELDS: &[&str] = &[
    "email",
    "phone",
    "displayName",
    "givenName",
    "middleName",
    "familyName",
    "picture",
    "customAttributes",
    "roleNames",
    "userTenants",
    "additionalLoginIds",
    "verifiedEmail",
    "verifiedPhone",
    "ssoAppIDs",
    "invite",
    "inviteUrl",
    "sendMail",
    "sendSMS",
    "templateId",
    "templateOptions",
    "locale",
    "test",
    "status",
    "familyAssociations",
];

const UPDATE_FIELDS: &[&str] = &[
    "email",
    "phone",
    "displayName",
    "givenName",
    "middleName",
    "familyName",
    "picture",
    "customAttributes",
    "roleNames",
    "userTenants",
    "additionalLoginIds",
    "verifiedEmail",
    "verifiedPhone",
    "ssoAppIDs",
    "test",
    "familyAssociations",
];

const PATCH_FIELDS: &[&str] = &[
    "email",
    "phone",
    "displayName",
    "givenName",
    "middleName",
    "familyName",
    "picture",
    "customAttributes",
    "roleNames",
    "userTenants",
    "verifiedEmail",
    "verifiedPhone",
    "ssoAppIds",
    "status",
    "scim",
    "additionalLoginIds",
    "test",
    "familyAssociations",
];

const TENANT_FIELDS: &[&str] = &[
    "selfProvisioningDomains",
    "customAttributes",
    "enforceSSO",
    "enforceSSOExclusions",
    "disabled",
    "roleInheritance",
    "parent",
    "federatedAppIds",
];

const ROLE_FIELDS: &[&str] = &[
    "description",
    "permissionNames",
    "tenantId",
    "default",
    "private",
];

/// Every endpoint with a body, with every optional field it defines `null` (and the required
/// ones set): each is a success, on a fresh emulator.
#[tokio::test]
async fn null_is_accepted_as_unset_by_every_endpoint() -> TestResult {
    let rows: Vec<(&str, &str, Value)> = vec![
        (
            "POST",
            "/v2/mgmt/user/search",
            nulls(SEARCH_FIELDS, json!({})),
        ),
        (
            "POST",
            "/v1/mgmt/user/search",
            nulls(SEARCH_FIELDS, json!({})),
        ),
        (
            "POST",
            "/v2/mgmt/user/search/test",
            nulls(SEARCH_FIELDS, json!({})),
        ),
        (
            "POST",
            "/v1/mgmt/user/search/test",
            nulls(SEARCH_FIELDS, json!({})),
        ),
        (
            "POST",
            "/v1/mgmt/users/load",
            json!({"userIds": ["U1"], "includeInvalidUsers": null}),
        ),
        (
            "POST",
            "/v1/mgmt/user/create",
            nulls(CREATE_FIELDS, json!({"loginId": "new@x.io"})),
        ),
        (
            "POST",
            "/v1/mgmt/user/create/test",
            nulls(CREATE_FIELDS, json!({"loginId": "new@x.io"})),
        ),
        (
            "POST",
            "/v1/mgmt/user/update",
            nulls(UPDATE_FIELDS, json!({"loginId": "a@x.io"})),
        ),
        (
            "PATCH",
            "/v1/mgmt/user/patch",
            nulls(PATCH_FIELDS, json!({"loginId": "a@x.io"})),
        ),
        (
            "POST",
            "/v1/mgmt/user/delete",
            json!({"loginId": "a@x.io", "userId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/user/delete",
            json!({"loginId": null, "userId": "U1"}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/status",
            json!({"loginId": "a@x.io", "status": "disabled"}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/role/add",
            json!({"loginId": "a@x.io", "roleNames": ["Viewer"], "tenantId": null}),
        ),
        (
            "POST",
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "a@x.io", "roleNames": ["Viewer"], "tenantId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/role/remove",
            json!({"loginId": "a@x.io", "roleNames": ["Viewer"], "tenantId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/role/set",
            json!({"loginId": "a@x.io", "roleNames": null, "tenantId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "b@x.io", "tenantId": "T1"}),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/tenant/remove",
            json!({"loginId": "a@x.io", "tenantId": "T1"}),
        ),
        (
            "POST",
            "/v1/mgmt/tenant/search",
            nulls(
                &[
                    "tenantIds",
                    "tenantNames",
                    "tenantSelfProvisioningDomains",
                    "customAttributes",
                    "authType",
                    "tenantSSODomains",
                    "parentTenantId",
                    "topLevelOnly",
                ],
                json!({}),
            ),
        ),
        (
            "POST",
            "/v1/mgmt/tenant/create",
            nulls(TENANT_FIELDS, json!({"id": null, "name": "New"})),
        ),
        (
            "POST",
            "/v1/mgmt/tenant/update",
            nulls(TENANT_FIELDS, json!({"id": "T1", "name": "One"})),
        ),
        (
            "POST",
            "/v1/mgmt/tenant/delete",
            json!({"id": "T1", "cascade": null}),
        ),
        (
            "POST",
            "/v1/mgmt/role/create",
            nulls(ROLE_FIELDS, json!({"name": "New"})),
        ),
        (
            "POST",
            "/v1/mgmt/role/update",
            nulls(
                ROLE_FIELDS,
                json!({"name": "Viewer", "id": null, "newName": "Viewer 2"}),
            ),
        ),
        (
            "POST",
            "/v1/mgmt/role/delete",
            json!({"name": "Viewer", "id": null, "tenantId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/role/search",
            nulls(
                &[
                    "tenantIds",
                    "roleNames",
                    "roleNameLike",
                    "permissionNames",
                    "roleIds",
                    "includeProjectRoles",
                    "text",
                    "sort",
                ],
                json!({}),
            ),
        ),
        (
            "POST",
            "/v1/mgmt/permission/create",
            json!({"name": "users:write", "description": null}),
        ),
        (
            "POST",
            "/v1/mgmt/permission/update",
            json!({"name": "users:read", "id": null, "newName": "users:list", "description": null}),
        ),
        (
            "POST",
            "/v1/mgmt/permission/delete",
            json!({"name": "users:read", "id": null}),
        ),
        (
            "POST",
            "/v1/mgmt/group/all",
            json!({"tenantId": "T1", "ssoId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/group/member/all",
            json!({"tenantId": "T1", "loginIds": null, "userIds": ["U1"], "ssoId": null}),
        ),
        (
            "POST",
            "/v1/mgmt/group/members",
            json!({"tenantId": "T1", "groupId": "G1", "ssoId": null}),
        ),
    ];
    for (method, path, body) in rows {
        let api = api().await;
        let (status, v) = api.send(method, path, &body).await;
        assert_eq!(status, 200, "{method} {path} {body}: {v}");
    }
    Ok(())
}

/// `null` means exactly what leaving the field out means.
#[tokio::test]
async fn null_fields_change_nothing() -> TestResult {
    let api = api().await;
    let all = api.search(json!({})).await;
    assert_eq!(api.search(nulls(SEARCH_FIELDS, json!({}))).await, all);
    assert_eq!(ids(&all), ["U1", "U2"]);

    let (_, before) = api.get("/v1/mgmt/user?loginId=a%40x.io").await;
    let (status, after) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &nulls(PATCH_FIELDS, json!({"loginId": "a@x.io"})),
        )
        .await;
    assert_eq!(status, 200, "{after}");
    // The patch is a write all the same, so only the modified time moves.
    let (mut before, mut after) = (before, after);
    for v in [&mut before, &mut after] {
        v["user"].as_object_mut().unwrap().remove("modifiedTime");
    }
    assert_eq!(after, before, "a patch of nulls changes nothing");

    let (status, v) = api
        .post(
            "/v1/mgmt/user/create",
            nulls(CREATE_FIELDS, json!({"loginId": "new@x.io"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let u = &v["user"];
    assert_eq!(u["loginIds"], json!(["new@x.io"]));
    assert_eq!(
        (&u["status"], &u["test"]),
        (&json!("enabled"), &json!(false))
    );
    assert_eq!(u["phone"], "");
    assert!(u.get("userFamilies").is_none(), "{u}");
    Ok(())
}

/// A required field sent as `null` is missing (400 `E011002`), not a decoding error; unknown
/// fields are still refused even when `null`.
#[tokio::test]
async fn null_required_fields_are_missing_and_unknown_fields_still_refused() -> TestResult {
    let api = api().await;
    for (path, body) in [
        ("/v1/mgmt/user/create", json!({"loginId": null})),
        (
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "a@x.io", "tenantId": null}),
        ),
        ("/v1/mgmt/tenant/create", json!({"name": null})),
        ("/v1/mgmt/group/all", json!({"tenantId": null})),
    ] {
        let (status, v) = api.post(path, body).await;
        assert_eq!(
            (status, &v["errorCode"]),
            (400, &json!("E011002")),
            "{path}: {v}"
        );
    }
    for (path, body) in [
        ("/v2/mgmt/user/search", json!({"pageSize": null})),
        (
            "/v1/mgmt/user/create",
            json!({"loginId": "x@x.io", "bogus": null}),
        ),
        ("/v1/mgmt/role/search", json!({"tenantId": null})),
    ] {
        let (status, v) = api.post(path, body).await;
        assert_eq!(
            (status, &v["errorCode"]),
            (400, &json!("E011003")),
            "{path}: {v}"
        );
    }
    Ok(())
}
