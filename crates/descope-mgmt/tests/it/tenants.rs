use descope_mgmt::{CreateTenantRequest, SearchTenantsRequest, UpdateTenantRequest};
use serde_json::json;
use wiremock::matchers::{body_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, fixture, mgmt};

#[tokio::test]
async fn all_and_search() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/tenant/all")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"tenants": [fixture("tenant"), {"id": "T2"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/tenant/search")
        .and(body_json(json!({"tenantIds": ["T1"], "tenantNames": ["Acme"], "authType": "saml", "topLevelOnly": true})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tenants": [fixture("tenant")]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let all = c.tenants().all().await?;
    assert_eq!(all.len(), 2);
    let t = &all[0];
    assert_eq!(
        (t.id.as_str(), t.name.as_str(), t.parent.as_str()),
        ("T1", "Acme", "T0")
    );
    assert!(t.enforce_sso);
    assert!(t.enforce_sso_exclusions.is_empty());
    assert_eq!(t.created_time, 1_700_000_000);
    assert_eq!(t.default_roles, ["viewer"]);
    let found = c
        .tenants()
        .search(
            &SearchTenantsRequest::new()
                .tenant_ids(["T1"])
                .tenant_names(["Acme"])
                .auth_type("saml")
                .top_level_only(true),
        )
        .await?;
    assert_eq!(found.len(), 1);
    Ok(())
}

#[tokio::test]
async fn load_is_flat() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/tenant")
        .and(query_param("id", "T1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("tenant")))
        .expect(1)
        .mount(&server)
        .await;
    let t = client(&server).tenants().load("T1").await?;
    assert_eq!(t.self_provisioning_domains, ["acme.io"]);
    assert_eq!(t.custom_attributes.get("plan"), Some(&json!("gold")));
    Ok(())
}

#[tokio::test]
async fn create_update_delete() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/tenant/create")
        .and(body_json(json!({"name": "Acme", "selfProvisioningDomains": ["acme.io"], "enforceSSO": true, "parent": "T0"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "T9"})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/tenant/update")
        .and(body_json(
            json!({"id": "T9", "name": "Acme Inc", "disabled": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/tenant/delete")
        .and(body_json(json!({"id": "T9", "cascade": true})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/tenant/delete")
        .and(body_json(json!({"id": "T8"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let id = c
        .tenants()
        .create(
            &CreateTenantRequest::new("Acme")
                .self_provisioning_domains(["acme.io"])
                .enforce_sso(true)
                .parent("T0"),
        )
        .await?;
    assert_eq!(id, "T9");
    c.tenants()
        .update(&UpdateTenantRequest::new("T9", "Acme Inc").disabled(true))
        .await?;
    c.tenants().delete("T9", true).await?;
    c.tenants().delete("T8", false).await?;
    Ok(())
}

#[tokio::test]
async fn create_with_chosen_id_tolerates_empty_answer() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/tenant/create")
        .and(body_json(json!({"id": "acme", "name": "Acme"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let id = client(&server)
        .tenants()
        .create(&CreateTenantRequest::new("Acme").id("acme"))
        .await?;
    assert_eq!(id, "acme");
    Ok(())
}
