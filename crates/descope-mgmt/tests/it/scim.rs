use descope_mgmt::{
    ScimGroup, ScimListQuery, ScimMember, ScimMultiValue, ScimName, ScimPatchOperation,
    ScimPatchRequest, ScimUser,
};
use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_json, header, headers, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use crate::{PROJECT_ID, TestResult, client};

const ACCESS_KEY: &str = "K2scimACCESSkey987";

fn scim(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p))
        .and(header(
            "authorization",
            format!("Bearer {PROJECT_ID}:{ACCESS_KEY}").as_str(),
        ))
        .and(crate::no_header("x-descope-license"))
}

fn user_json(id: &str) -> serde_json::Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": id, "userName": format!("{id}@acme.io"),
           "name": {"givenName": "Jane", "familyName": "Doe"},
           "emails": [{"value": "jane@acme.io", "primary": true, "type": "work"}], "active": true,
           "displayName": "Jane Doe",
           "meta": {"created": "2024-01-01T00:00:00Z", "lastModified": "2024-01-02T00:00:00Z", "resourceType": "User"}})
}

#[tokio::test]
async fn list_users_with_paging_params() -> TestResult {
    let server = MockServer::start().await;
    scim("GET", "/scim/v2/Users")
        .and(query_param("filter", "userName eq \"a@b.c\""))
        .and(query_param("startIndex", "1"))
        .and(query_param("count", "10"))
        .and(headers(
            "accept",
            vec!["application/scim+json", "application/json"],
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "Resources": [user_json("U1")]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let page = c
        .scim(SecretString::from(ACCESS_KEY))
        .list_users(
            &ScimListQuery::new()
                .filter("userName eq \"a@b.c\"")
                .start_index(1)
                .count(10),
        )
        .await?;
    assert_eq!(page.total_results, 1);
    let u = &page.resources[0];
    assert_eq!(u.id, "U1");
    assert_eq!(u.active, Some(true));
    assert_eq!(
        u.name.as_ref().and_then(|n| n.given_name.as_deref()),
        Some("Jane")
    );
    assert_eq!(
        u.meta.as_ref().map(|m| m.resource_type.as_str()),
        Some("User")
    );
    Ok(())
}

#[tokio::test]
async fn list_all_users_pages_by_start_index() -> TestResult {
    let server = MockServer::start().await;
    for (start, ids) in [("1", vec!["U1", "U2"]), ("3", vec!["U3"])] {
        let resources: Vec<_> = ids.iter().map(|i| user_json(i)).collect();
        scim("GET", "/scim/v2/Users")
            .and(query_param("startIndex", start))
            .and(query_param("count", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "totalResults": 3, "startIndex": start.parse::<u64>()?, "itemsPerPage": resources.len(), "Resources": resources
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let users: Vec<_> = client(&server)
        .scim(SecretString::from(ACCESS_KEY))
        .list_all_users(ScimListQuery::new().count(2))
        .try_collect()
        .await?;
    assert_eq!(
        users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["U1", "U2", "U3"]
    );
    Ok(())
}

#[tokio::test]
async fn user_crud_accepts_wrapped_and_flat() -> TestResult {
    let server = MockServer::start().await;
    scim("GET", "/scim/v2/Users/U1")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": user_json("U1")})))
        .expect(1)
        .mount(&server)
        .await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "jane@acme.io", "displayName": "Jane Doe",
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"value": "jane@acme.io", "primary": true, "type": "work"}],
        "active": true
    });
    scim("POST", "/scim/v2/Users")
        .and(header("content-type", "application/scim+json"))
        .and(body_json(body.clone()))
        .respond_with(ResponseTemplate::new(201).set_body_json(user_json("U9")))
        .expect(1)
        .mount(&server)
        .await;
    scim("PUT", "/scim/v2/Users/U9")
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": user_json("U9")})))
        .expect(1)
        .mount(&server)
        .await;
    scim("DELETE", "/scim/v2/Users/U9")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server).scim(SecretString::from(ACCESS_KEY));
    assert_eq!(s.get_user("U1").await?.id, "U1");
    let new = ScimUser::new("jane@acme.io")
        .display_name("Jane Doe")
        .name(ScimName::new("Jane", "Doe"))
        .emails(vec![ScimMultiValue::primary("jane@acme.io", "work")])
        .active(true);
    let created = s.create_user(&new).await?;
    assert_eq!(created.id, "U9");
    assert_eq!(s.replace_user(&created.id, &new).await?.id, "U9");
    s.delete_user("U9").await?;
    Ok(())
}

#[tokio::test]
async fn group_crud_and_patch() -> TestResult {
    let server = MockServer::start().await;
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "G1", "displayName": "Eng",
                       "members": [{"value": "U1", "display": "Jane"}]});
    scim("GET", "/scim/v2/Groups")
        .and(query_param("excludedAttributes", "members"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"totalResults": "1", "Resources": [group.clone()]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    scim("GET", "/scim/v2/Groups/G1")
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let create_body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Eng",
                             "externalId": "okta-1", "members": [{"value": "U1"}]});
    scim("POST", "/scim/v2/Groups")
        .and(body_json(create_body.clone()))
        .respond_with(ResponseTemplate::new(201).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    scim("PUT", "/scim/v2/Groups/G1")
        .and(body_json(create_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    scim("PATCH", "/scim/v2/Groups/G1")
        .and(body_json(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                {"op": "add", "path": "members", "value": [{"value": "U2"}]},
                {"op": "remove", "path": "members[value eq \"U1\"]"}
            ]}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    scim("DELETE", "/scim/v2/Groups/G1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server).scim(SecretString::from(ACCESS_KEY));
    let mut q = ScimListQuery::new();
    q.excluded_attributes = Some("members".into());
    let page = s.list_groups(&q).await?;
    assert_eq!(page.total_results, 1);
    assert_eq!(
        page.resources[0].members[0].display.as_deref(),
        Some("Jane")
    );
    assert_eq!(s.get_group("G1").await?.display_name, "Eng");
    let g = ScimGroup::new("Eng")
        .external_id("okta-1")
        .members(vec![ScimMember::new("U1")]);
    assert_eq!(s.create_group(&g).await?.id, "G1");
    s.replace_group("G1", &g).await?;
    let patched = s
        .patch_group(
            "G1",
            &ScimPatchRequest::new(vec![
                ScimPatchOperation::add_members(["U2"]),
                ScimPatchOperation::remove_member("U1"),
            ]),
        )
        .await?;
    assert!(patched.is_none());
    s.delete_group("G1").await?;
    Ok(())
}

#[tokio::test]
async fn discovery_endpoints_without_license_header() -> TestResult {
    let server = MockServer::start().await;
    // The handshake is on for the management key, but SCIM calls never carry its header.
    crate::mgmt("GET", "/v1/mgmt/license")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rateLimitTier": "tier2"})))
        .expect(0)
        .mount(&server)
        .await;
    scim("GET", "/scim/v2/ServiceProviderConfig")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "patch": {"supported": true}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": 100}, "changePassword": {"supported": false},
            "sort": {"supported": false}, "etag": {"supported": false},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    scim("GET", "/scim/v2/ResourceTypes")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"totalResults": 2, "Resources": [
            {"id": "User", "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"},
            {"id": "Group", "name": "Group", "endpoint": "/Groups"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = crate::builder(&server).license_handshake(true).build()?;
    let s = c.scim(SecretString::from(ACCESS_KEY));
    let cfg = s.service_provider_config().await?;
    assert!(cfg.patch.supported && cfg.filter.supported);
    assert_eq!(cfg.filter.max_results, 100);
    assert_eq!(cfg.authentication_schemes[0].kind, "oauthbearertoken");
    let types = s.resource_types().await?;
    assert_eq!(types[1].endpoint, "/Groups");
    Ok(())
}

#[tokio::test]
async fn resource_types_as_bare_array() -> TestResult {
    let server = MockServer::start().await;
    scim("GET", "/scim/v2/ResourceTypes")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "User"}])))
        .expect(1)
        .mount(&server)
        .await;
    let types = client(&server)
        .scim(SecretString::from(ACCESS_KEY))
        .resource_types()
        .await?;
    assert_eq!(types[0].id, "User");
    Ok(())
}

#[tokio::test]
async fn empty_or_dot_ids_are_refused_before_sending() -> TestResult {
    let server = MockServer::start().await;
    let s = client(&server).scim(SecretString::from(ACCESS_KEY));
    for id in ["", ".", ".."] {
        let err = s.delete_user(id).await.unwrap_err();
        assert!(
            matches!(err, descope_mgmt::Error::InvalidArgument(_)),
            "{id:?}: {err:?}"
        );
        assert!(s.get_group(id).await.is_err());
    }
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    Ok(())
}
