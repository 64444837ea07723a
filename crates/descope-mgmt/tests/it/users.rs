use std::collections::BTreeMap;

use descope_mgmt::{
    AssociatedTenant, CreateUserRequest, PatchUserRequest, RoleFilter, SearchUsersRequest,
    SortField, UpdateUserRequest, UserStatus, UserStatusUpdate,
};
use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, fixture, mgmt};

fn user_resp() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "user": fixture("user") }))
}

#[tokio::test]
async fn search_sends_every_filter_and_decodes_page() -> TestResult {
    let server = MockServer::start().await;
    let mut tenant_roles = BTreeMap::new();
    tenant_roles.insert("T1".to_owned(), RoleFilter::any(["admin", "viewer"]));
    let req = SearchUsersRequest::new()
        .page(1)
        .limit(2)
        .offset(10)
        .sort(vec![SortField::asc("createdTime")])
        .text("jane")
        .login_ids(["jane@acme.io"])
        .user_ids(["U1"])
        .emails(["jane@acme.io"])
        .phones(["+1555"])
        .statuses(vec![UserStatus::Enabled, UserStatus::Invited])
        .tenant_ids(["T1"])
        .role_names(["viewer"])
        .tenant_role_names(tenant_roles)
        .include_sub_tenants(true)
        .with_test_user(false)
        .sso_only(false)
        .scim_only(true)
        .from_created_time(1_700_000_000_000)
        .to_modified_time(1_800_000_000_000)
        .verified_email(true);
    mgmt("POST", "/v2/mgmt/user/search")
        .and(header("x-descope-project-id", crate::PROJECT_ID))
        .and(header("x-descope-sdk-name", "rust-descope-mgmt"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "page": 1, "limit": 2, "offset": 10,
            "sort": [{"field": "createdTime", "desc": false}],
            "text": "jane", "loginIds": ["jane@acme.io"], "userIds": ["U1"],
            "emails": ["jane@acme.io"], "phones": ["+1555"], "statuses": ["enabled", "invited"],
            "tenantIds": ["T1"], "roleNames": ["viewer"],
            "tenantRoleNames": {"T1": {"values": ["admin", "viewer"], "and": false}},
            "includeSubTenants": true, "withTestUser": false, "ssoOnly": false, "scimOnly": true,
            "fromCreatedTime": 1_700_000_000_000_i64, "toModifiedTime": 1_800_000_000_000_i64,
            "verifiedEmail": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": [fixture("user"), {"userId": "U2min"}],
            "total": "85",
            "extra": true
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server).users().search(&req).await?;
    assert_eq!(page.total, 85);
    assert_eq!(page.users.len(), 2);
    let u = &page.users[0];
    assert_eq!(u.user_id, "U2abc");
    assert_eq!(u.login_ids, ["jane@acme.io", "jane"]);
    assert_eq!(u.phone, "");
    assert_eq!(u.modified_time, 1_700_000_100);
    assert!(u.totp && u.scim && !u.saml && !u.oidc && u.password && u.editable);
    assert_eq!(u.oauth.get("google"), Some(&true));
    assert_eq!(u.user_tenants[1].tenant_name, "");
    assert!(u.user_tenants[1].role_names.is_empty());
    assert_eq!(u.custom_attributes.get("level"), Some(&json!(3)));
    let minimal = &page.users[1];
    assert_eq!(minimal.status, UserStatus::Unknown);
    assert!(minimal.login_ids.is_empty());
    Ok(())
}

#[tokio::test]
async fn empty_search_sends_empty_object() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": null})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .users()
        .search(&SearchUsersRequest::new())
        .await?;
    assert!(page.users.is_empty());
    assert_eq!(page.total, 0);
    Ok(())
}

fn users(range: std::ops::Range<u32>) -> serde_json::Value {
    json!(
        range
            .map(|i| json!({"userId": format!("U{i}")}))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn search_all_pages_until_total() -> TestResult {
    let server = MockServer::start().await;
    // Every request carries the page both ways: `page` and `offset = page × limit`.
    for (page, range) in [(0, 0..2), (1, 2..4), (2, 4..5)] {
        mgmt("POST", "/v2/mgmt/user/search")
            .and(body_json(
                json!({"page": page, "limit": 2, "offset": page * 2, "tenantIds": ["T1"]}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"users": users(range), "total": 5})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> = client(&server)
        .users()
        .search_all(SearchUsersRequest::new().limit(2).tenant_ids(["T1"]))
        .try_collect()
        .await?;
    let ids: Vec<_> = all.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["U0", "U1", "U2", "U3", "U4"]);
    Ok(())
}

#[tokio::test]
async fn search_all_by_offset_stops_at_empty_page() -> TestResult {
    let server = MockServer::start().await;
    for (offset, range) in [(0, 0..2), (2, 2..4), (4, 4..4)] {
        mgmt("POST", "/v2/mgmt/user/search")
            .and(body_json(
                json!({"page": offset / 2, "offset": offset, "limit": 2}),
            ))
            // No `total`: an old backend; the stream must still end.
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": users(range)})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> = client(&server)
        .users()
        .search_all(SearchUsersRequest::new().limit(2).offset(0))
        .try_collect()
        .await?;
    assert_eq!(all.len(), 4);
    Ok(())
}

#[tokio::test]
async fn search_all_surfaces_errors() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v2/mgmt/user/search")
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errorCode": "E011003"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .users()
        .search_all(SearchUsersRequest::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    Ok(())
}

#[tokio::test]
async fn load_by_login_id_and_user_id() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/user")
        .and(query_param("loginId", "jane@acme.io"))
        .and(crate::no_header("content-type"))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/user")
        .and(query_param("userId", "U2abc"))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.users().load("jane@acme.io").await?.user_id, "U2abc");
    assert_eq!(
        c.users().load_by_user_id("U2abc").await?.email,
        "jane@acme.io"
    );
    Ok(())
}

#[tokio::test]
async fn load_many() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/users/load")
        .and(body_json(json!({"userIds": ["U1", "U2"]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"users": [{"userId": "U1"}, {"userId": "U2"}], "total": 2})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let users = client(&server)
        .users()
        .load_many(&["U1".into(), "U2".into()])
        .await?;
    assert_eq!(users.len(), 2);
    Ok(())
}

#[tokio::test]
async fn create_sends_only_set_fields() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/create")
        .and(body_json(json!({
            "loginId": "jane@acme.io",
            "email": "jane@acme.io",
            "displayName": "Jane Doe",
            "userTenants": [{"tenantId": "T1", "roleNames": ["viewer"]}],
            "ssoAppIDs": ["app1"],
            "invite": true,
            "sendSMS": false
        })))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let req = CreateUserRequest::new("jane@acme.io")
        .email("jane@acme.io")
        .display_name("Jane Doe")
        .user_tenants(vec![AssociatedTenant::new("T1", ["viewer"])])
        .sso_app_ids(["app1"])
        .invite(true)
        .send_sms(false);
    let user = client(&server).users().create(&req).await?;
    assert_eq!(user.user_id, "U2abc");
    Ok(())
}

#[tokio::test]
async fn update_and_patch() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/update")
        .and(body_json(json!({"loginId": "U2abc", "email": "j@acme.io", "roleNames": ["viewer"], "verifiedEmail": true})))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    mgmt("PATCH", "/v1/mgmt/user/patch")
        .and(body_json(
            json!({"loginId": "U2abc", "givenName": "Janet", "roleNames": []}),
        ))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.users()
        .update(
            &UpdateUserRequest::new("U2abc")
                .email("j@acme.io")
                .role_names(["viewer"])
                .verified_email(true),
        )
        .await?;
    // An explicitly empty list is sent (it clears the roles); unset fields are not.
    c.users()
        .patch(
            &PatchUserRequest::new("U2abc")
                .given_name("Janet")
                .role_names(Vec::new()),
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_load_then_update_round_trip_sends_every_field_back() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/user")
        .and(query_param("loginId", "jane@acme.io"))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    // Everything the fixture holds that the update endpoint takes, with one change (the
    // display name); the membership of T2 (no roles) is kept.
    mgmt("POST", "/v1/mgmt/user/update")
        .and(body_json(json!({
            "loginId": "jane@acme.io", "email": "jane@acme.io", "displayName": "Jane Q. Doe",
            "givenName": "Jane", "familyName": "Doe", "picture": "https://example.com/p.png",
            "customAttributes": {"department": "eng", "level": 3}, "roleNames": ["viewer"],
            "userTenants": [{"tenantId": "T1", "roleNames": ["Tenant Admin"]}, {"tenantId": "T2"}],
            "additionalLoginIds": ["jane"], "verifiedEmail": true, "verifiedPhone": false,
            "test": false
        })))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let user = c.users().load("jane@acme.io").await?;
    c.users()
        .update(&UpdateUserRequest::from_user(&user).display_name("Jane Q. Doe"))
        .await?;
    Ok(())
}

#[tokio::test]
async fn delete_and_status() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/delete")
        .and(body_json(json!({"loginId": "U2abc"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/user/update/status")
        .and(body_json(json!({"loginId": "U2abc", "status": "disabled"})))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.users().delete("U2abc").await?;
    c.users()
        .update_status("U2abc", UserStatusUpdate::Disabled)
        .await?;
    Ok(())
}

#[tokio::test]
async fn role_endpoints_use_login_id_field_and_omit_empty_tenant() -> TestResult {
    let server = MockServer::start().await;
    let cases = [
        ("/v2/mgmt/user/update/role/add", Some("T1")),
        ("/v1/mgmt/user/update/role/add", Some("T1")),
        ("/v1/mgmt/user/update/role/remove", None),
        ("/v1/mgmt/user/update/role/set", Some("T2")),
    ];
    for (p, tenant) in cases {
        let mut body = json!({"loginId": "U2abc", "roleNames": ["admin", "viewer"]});
        if let Some(t) = tenant {
            body["tenantId"] = json!(t);
        }
        mgmt("POST", p)
            .and(body_json(body))
            .respond_with(user_resp())
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let roles = vec!["admin".to_owned(), "viewer".to_owned()];
    let u = c.users().add_roles("U2abc", &roles, Some("T1")).await?;
    assert_eq!(u.tenant_roles("T1"), ["Tenant Admin".to_owned()]);
    c.users().add_roles_v1("U2abc", &roles, Some("T1")).await?;
    c.users().remove_roles("U2abc", &roles, None).await?;
    c.users().set_roles("U2abc", &roles, Some("T2")).await?;
    Ok(())
}

#[tokio::test]
async fn tenant_membership() -> TestResult {
    let server = MockServer::start().await;
    for p in [
        "/v1/mgmt/user/update/tenant/add",
        "/v1/mgmt/user/update/tenant/remove",
    ] {
        mgmt("POST", p)
            .and(body_json(
                json!({"loginId": "jane@acme.io", "tenantId": "T9"}),
            ))
            .respond_with(user_resp())
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    c.users().add_tenant("jane@acme.io", "T9").await?;
    c.users().remove_tenant("jane@acme.io", "T9").await?;
    Ok(())
}

#[tokio::test]
async fn license_handshake_once_then_header() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/license")
        .and(crate::no_header("x-descope-license"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rateLimitTier": "tier3"})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/role/all")
        .and(header("x-descope-license", "tier3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(2)
        .mount(&server)
        .await;
    let c = crate::builder(&server).license_handshake(true).build()?;
    c.roles().all().await?;
    c.clone().roles().all().await?;
    assert_eq!(c.license_tier().await.as_deref(), Some("tier3"));
    assert_eq!(c.metrics().requests, 3);
    Ok(())
}

#[tokio::test]
async fn license_handshake_failure_is_not_fatal() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/license")
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/role/all")
        .and(crate::no_header("x-descope-license"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"roles": []})))
        .expect(2)
        .mount(&server)
        .await;
    let c = crate::builder(&server).license_handshake(true).build()?;
    c.roles().all().await?;
    c.roles().all().await?;
    Ok(())
}

#[tokio::test]
async fn search_all_trusts_total_when_server_caps_the_page_size() -> TestResult {
    let server = MockServer::start().await;
    // Asked for 200 per page, the server sends at most 100: a short page is not the end, and
    // the next pages are asked at the server's size, aligned.
    for (page, limit, range) in [(0, 200, 0..100), (1, 100, 100..200), (2, 100, 200..250)] {
        mgmt("POST", "/v2/mgmt/user/search")
            .and(body_json(
                json!({"page": page, "limit": limit, "offset": page * limit}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"users": users(range), "total": 250})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let all: Vec<_> = client(&server)
        .users()
        .search_all(SearchUsersRequest::new().limit(200))
        .try_collect()
        .await?;
    assert_eq!(all.len(), 250);
    assert_eq!(all[249].user_id, "U249");
    Ok(())
}
