use descope_mgmt::{CreateRoleRequest, SearchRolesRequest, UpdateRoleRequest};
use serde_json::json;
use wiremock::matchers::body_json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

#[tokio::test]
async fn all_and_search_decode_scopes() -> TestResult {
    let server = MockServer::start().await;
    let roles = json!({"roles": [
        {"id": "R1", "name": "admin", "description": "Admins", "permissionNames": ["write"], "createdTime": 1700000000,
         "tenantId": "", "default": false, "private": false},
        {"name": "admin", "tenantId": "T1", "permissionNames": null, "default": true, "private": true, "new": 1}
    ]});
    mgmt("GET", "/v1/mgmt/role/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(roles.clone()))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/role/search")
        .and(body_json(
            json!({"tenantIds": ["T1"], "roleNameLike": "adm", "includeProjectRoles": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(roles))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let all = c.roles().all().await?;
    assert!(!all[0].is_tenant_role());
    assert!(all[1].is_tenant_role() && all[1].default && all[1].private);
    assert_eq!(all[0].permission_names, ["write"]);
    let found = c
        .roles()
        .search(
            &SearchRolesRequest::new()
                .tenant_ids(["T1"])
                .role_name_like("adm")
                .include_project_roles(true),
        )
        .await?;
    assert_eq!(found.len(), 2);
    Ok(())
}

#[tokio::test]
async fn create_update_delete() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/role/create")
        .and(body_json(json!({"name": "viewer", "description": "Reads", "permissionNames": ["read"], "tenantId": "T1", "default": true})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/role/update")
        .and(body_json(
            json!({"name": "viewer", "newName": "reader", "permissionNames": ["read"]}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/role/delete")
        .and(body_json(json!({"name": "reader", "tenantId": "T1"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/role/delete")
        .and(body_json(json!({"name": "reader"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    c.roles()
        .create(
            &CreateRoleRequest::new("viewer")
                .description("Reads")
                .permission_names(["read"])
                .tenant_id("T1")
                .default_role(true),
        )
        .await?;
    c.roles()
        .update(&UpdateRoleRequest::new("viewer", "reader").permission_names(["read"]))
        .await?;
    c.roles().delete("reader", Some("T1")).await?;
    c.roles().delete("reader", None).await?;
    Ok(())
}
