//! The SCIM 2.0 API over raw HTTP: tenant scoping, list paging and filters, user and group CRUD
//! and PATCH, errors, and discovery. Authentication and knobs are in `scim_auth`.

use descope_emulator::{DEMO_SCIM_ACCESS_KEY, Emulator};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Api, TestResult};

/// An emulator with the demo dataset and the demo SCIM key's Authorization value.
pub(crate) struct Scim {
    pub(crate) api: Api,
    pub(crate) auth: String,
    pub(crate) globex: String,
}

pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) location: Option<String>,
    pub(crate) body: Value,
}

impl Scim {
    pub(crate) async fn start(b: descope_emulator::EmulatorBuilder) -> Scim {
        let api = Api::start(b).await;
        let auth = format!("Bearer {}:{DEMO_SCIM_ACCESS_KEY}", api.emu.project_id());
        let globex = api
            .emu
            .dataset()
            .tenants
            .iter()
            .find(|t| t.name == "Globex")
            .unwrap()
            .id
            .clone();
        Scim { api, auth, globex }
    }

    pub(crate) async fn demo() -> Scim {
        Self::start(Emulator::builder()).await
    }

    pub(crate) async fn send_as(
        &self,
        auth: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.api.http.request(method, self.api.url(path));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type").unwrap_or_default();
        let location = header("location");
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Resp {
            status,
            content_type,
            location,
            body,
        }
    }

    pub(crate) async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.send_as(Some(&self.auth), method, path, body).await
    }

    pub(crate) async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    /// The Globex members' user ids, from the management API's view of the data.
    pub(crate) fn members(&self) -> Vec<String> {
        self.api
            .emu
            .dataset()
            .users
            .iter()
            .filter(|u| u.tenant(&self.globex).is_some())
            .map(|u| u.user_id.clone())
            .collect()
    }
}

/// The management API's `group/all` of Globex.
async fn mgmt_groups(s: &Scim) -> Value {
    let (st, v) = s
        .api
        .post("/v1/mgmt/group/all", json!({"tenantId": s.globex}))
        .await;
    assert_eq!(st, 200);
    v
}

pub(crate) fn ids(v: &Value) -> Vec<String> {
    v["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn assert_scim_error(r: &Resp, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        r.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{}",
        r.body
    );
    assert_eq!(r.body["status"], status.to_string());
    assert_eq!(r.body["scimType"].as_str(), scim_type, "{}", r.body);
    assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(
        r.body["errorCode"]
            .as_str()
            .is_some_and(|c| c.starts_with('E'))
    );
}

#[tokio::test]
async fn users_list_pages_and_filters_within_the_tenant() -> TestResult {
    let s = Scim::demo().await;
    let members = s.members();
    assert!(members.len() > 3, "the demo's Globex has members");
    let r = s.get("/scim/v2/Users").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/scim+json");
    let b = &r.body;
    assert_eq!(
        b["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(b["totalResults"], members.len());
    assert_eq!(b["startIndex"], 1);
    assert_eq!(b["itemsPerPage"], members.len());
    assert_eq!(ids(b), members);
    let u = &b["Resources"][0];
    assert_eq!(
        u["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    assert_eq!(u["meta"]["resourceType"], "User");
    assert!(u["meta"]["created"].as_str().unwrap().starts_with("20"));
    assert!(
        u["meta"]["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/scim/v2/Users/{}", members[0]))
    );

    // Pages: 1-based startIndex, count; past the end is empty; count=0 gives only the total.
    let r = s.get("/scim/v2/Users?startIndex=2&count=2").await;
    assert_eq!(ids(&r.body), members[1..3]);
    assert_eq!(
        (
            r.body["startIndex"].as_u64(),
            r.body["itemsPerPage"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let past = members.len() + 1;
    let r = s.get(&format!("/scim/v2/Users?startIndex={past}")).await;
    assert!(ids(&r.body).is_empty());
    assert_eq!(r.body["totalResults"], members.len());
    let r = s.get("/scim/v2/Users?count=0").await;
    assert!(ids(&r.body).is_empty());
    let r = s.get("/scim/v2/Users?startIndex=0&count=1").await;
    assert_eq!(ids(&r.body), members[..1], "startIndex below 1 means 1");

    let data = s.api.emu.dataset();
    let one = data.users.iter().find(|u| u.user_id == members[2]).unwrap();
    let filter = format!("userName eq \"{}\"", one.login_ids[0].to_uppercase());
    let r = s
        .api
        .http
        .get(s.api.url("/scim/v2/Users"))
        .query(&[("filter", filter.as_str())])
        .header("Authorization", &s.auth)
        .send()
        .await?;
    let v: Value = r.json().await?;
    assert_eq!(
        ids(&v),
        std::slice::from_ref(&one.user_id),
        "userName compares case-insensitively"
    );
    let outsider = data
        .users
        .iter()
        .find(|u| u.tenant(&s.globex).is_none())
        .unwrap();
    let r = s
        .api
        .http
        .get(s.api.url("/scim/v2/Users"))
        .query(&[(
            "filter",
            format!("userName eq \"{}\"", outsider.login_ids[0]),
        )])
        .header("Authorization", &s.auth)
        .send()
        .await?;
    let v: Value = r.json().await?;
    assert_eq!(v["totalResults"], 0, "users of other tenants are invisible");

    let r = s.get("/scim/v2/Users?filter=userName%20gt%20%22a%22").await;
    assert_scim_error(&r, 400, Some("invalidFilter"));
    let r = s.get("/scim/v2/Users?filter=title%20eq%20%22a%22").await;
    assert_scim_error(&r, 400, Some("invalidFilter"));
    let r = s.get("/scim/v2/Users?sortBy=userName").await;
    assert_scim_error(&r, 400, Some("invalidSyntax"));
    let r = s.get("/scim/v2/Users?count=ten").await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = s.get(&format!("/scim/v2/Users/{}", outsider.user_id)).await;
    assert_scim_error(&r, 404, None);
    assert_eq!(r.body["errorCode"], "E112102");
    Ok(())
}

#[tokio::test]
async fn users_are_created_replaced_patched_and_deleted() -> TestResult {
    let s = Scim::demo().await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "new.hire@globex.example.com",
        "externalId": "okta-123",
        "displayName": "New Hire",
        "name": {"givenName": "New", "familyName": "Hire"},
        "emails": [{"value": "other@x.io", "type": "home"}, {"value": "new.hire@globex.example.com", "primary": true, "type": "work"}],
        "phoneNumbers": [{"value": "+15550001111", "type": "mobile"}],
        "active": true,
    });
    let r = s
        .send(Method::POST, "/scim/v2/Users", Some(body.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.content_type, "application/scim+json");
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(
        r.location
            .unwrap()
            .ends_with(&format!("/scim/v2/Users/{id}"))
    );
    assert_eq!(r.body["emails"][0]["value"], "new.hire@globex.example.com");
    assert_eq!(r.body["externalId"], "okta-123");
    assert_eq!(r.body["active"], true);

    // The management API sees a SCIM user in Globex.
    let (st, v) = s.api.get(&format!("/v1/mgmt/user?userId={id}")).await;
    assert_eq!(st, 200);
    let u = &v["user"];
    assert_eq!(u["SCIM"], true);
    assert_eq!(u["userTenants"][0]["tenantId"], s.globex.as_str());
    assert_eq!(u["email"], "new.hire@globex.example.com");
    assert_eq!(u["phone"], "+15550001111");
    assert_eq!(u["name"], "New Hire");
    assert_eq!(u["status"], "enabled");
    assert_eq!(
        s.get(&format!("/scim/v2/Users/{id}")).await.body["userName"],
        "new.hire@globex.example.com"
    );

    let r = s.send(Method::POST, "/scim/v2/Users", Some(body)).await;
    assert_scim_error(&r, 409, Some("uniqueness"));
    let r = s
        .send(
            Method::POST,
            "/scim/v2/Users",
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    let r = s
        .send(
            Method::POST,
            "/scim/v2/Users",
            Some(json!({"userName": "a@b.io", "password": "x"})),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidSyntax"));
    let r = s
        .send(
            Method::POST,
            "/scim/v2/Users",
            Some(json!({"schemas": ["urn:x"], "userName": "a@b.io"})),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));

    // PUT replaces: the new userName is the login id, an absent name is cleared.
    let r = s
        .send(
            Method::PUT,
            &format!("/scim/v2/Users/{id}"),
            Some(json!({"userName": "renamed@globex.example.com", "displayName": "Renamed", "active": false,
                        "id": id, "meta": {"resourceType": "User"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["active"], false);
    let (_, v) = s
        .api
        .get("/v1/mgmt/user?loginId=renamed@globex.example.com")
        .await;
    assert_eq!(v["user"]["userId"], id.as_str());
    assert_eq!(v["user"]["status"], "disabled");
    assert_eq!(v["user"]["givenName"], "");
    assert_eq!(
        s.api
            .get("/v1/mgmt/user?loginId=new.hire@globex.example.com")
            .await
            .0,
        404
    );

    // PATCH (as Okta deactivates and Azure reactivates).
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "value": {"active": "True"}},
                       {"op": "replace", "path": "name.familyName", "value": "Doe"}]});
    let r = s
        .send(Method::PATCH, &format!("/scim/v2/Users/{id}"), Some(patch))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["active"], true);
    assert_eq!(r.body["name"]["familyName"], "Doe");

    let r = s
        .send(Method::DELETE, &format!("/scim/v2/Users/{id}"), None)
        .await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    assert_eq!(
        s.api.get(&format!("/v1/mgmt/user?userId={id}")).await.0,
        404
    );
    let r = s
        .send(Method::DELETE, &format!("/scim/v2/Users/{id}"), None)
        .await;
    assert_scim_error(&r, 404, None);
    Ok(())
}

#[tokio::test]
async fn groups_are_the_tenants_groups() -> TestResult {
    let s = Scim::demo().await;
    let members = s.members();
    let before = mgmt_groups(&s).await;
    let r = s.get("/scim/v2/Groups").await;
    assert_eq!(r.status, 200);
    let listed: Vec<Value> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].clone())
        .collect();
    assert_eq!(r.body["totalResults"], listed.len());
    assert_eq!(
        r.body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].clone())
            .collect::<Vec<_>>(),
        listed
    );
    let r = s.get("/scim/v2/Groups?excludedAttributes=members").await;
    assert!(r.body["Resources"][0].get("members").is_none());
    assert!(s.get("/scim/v2/Groups").await.body["Resources"][0]["members"].is_array());

    let r = s
        .send(
            Method::POST,
            "/scim/v2/Groups",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                        "displayName": "Engineering", "externalId": "azure-9",
                        "members": [{"value": members[0]}, {"value": members[1], "display": "ignored"}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let gid = r.body["id"].as_str().unwrap().to_owned();
    assert!(
        r.location
            .unwrap()
            .ends_with(&format!("/scim/v2/Groups/{gid}"))
    );
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2);
    let after = mgmt_groups(&s).await;
    let g = after
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == gid.as_str())
        .unwrap();
    assert_eq!(g["display"], "Engineering");
    assert_eq!(g["source"], "scim");
    assert_eq!(g["members"][1]["userId"], members[1].as_str());
    // The user shows the group.
    let u = s.get(&format!("/scim/v2/Users/{}", members[0])).await;
    assert!(
        u.body["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["value"] == gid.as_str())
    );

    let r = s
        .send(
            Method::POST,
            "/scim/v2/Groups",
            Some(json!({"displayName": "Engineering"})),
        )
        .await;
    assert_scim_error(&r, 409, Some("uniqueness"));
    let outsider = s
        .api
        .emu
        .dataset()
        .users
        .iter()
        .find(|u| u.tenant(&s.globex).is_none())
        .unwrap()
        .user_id
        .clone();
    let r = s
        .send(
            Method::POST,
            "/scim/v2/Groups",
            Some(json!({"displayName": "X", "members": [{"value": outsider}]})),
        )
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));

    let path = format!("/scim/v2/Groups/{gid}");
    let r = s
        .send(
            Method::PATCH,
            &path,
            Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "add", "path": "members", "value": [{"value": members[2]}]},
                                       {"op": "remove", "path": format!("members[value eq \"{}\"]", members[0])}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let now: Vec<&str> = r.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(now, [members[1].as_str(), members[2].as_str()]);
    // Descope's docs spell it `operations`.
    let r = s
        .send(
            Method::PATCH,
            &path,
            Some(json!({"operations": [{"op": "replace", "path": "displayName", "value": "Eng"}]})),
        )
        .await;
    assert_eq!(r.body["displayName"], "Eng");
    let r = s
        .send(Method::PATCH, &path, Some(json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": outsider}]}]})))
        .await;
    assert_scim_error(&r, 400, Some("invalidValue"));
    assert_eq!(
        s.get(&path).await.body["members"].as_array().unwrap().len(),
        2,
        "a failed patch changes nothing"
    );

    let r = s
        .send(
            Method::PUT,
            &path,
            Some(json!({"displayName": "Platform", "members": []})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["members"], json!([]));
    assert!(
        r.body.get("externalId").is_none(),
        "PUT replaces externalId too"
    );
    let r = s
        .api
        .http
        .get(s.api.url("/scim/v2/Groups"))
        .query(&[("filter", "displayName eq \"platform\"")])
        .header("Authorization", &s.auth)
        .send()
        .await?;
    let v: Value = r.json().await?;
    assert_eq!(ids(&v), std::slice::from_ref(&gid));

    let r = s.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, 204);
    assert_eq!(mgmt_groups(&s).await, before);
    assert_scim_error(&s.get(&path).await, 404, None);
    Ok(())
}

#[tokio::test]
async fn service_provider_config_and_resource_types() -> TestResult {
    let s = Scim::demo().await;
    let r = s.get("/scim/v2/ServiceProviderConfig").await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (200, "application/scim+json")
    );
    assert_eq!(r.body["patch"]["supported"], true);
    assert_eq!(r.body["bulk"]["supported"], false);
    assert_eq!(
        r.body["filter"],
        json!({"supported": true, "maxResults": 100})
    );
    assert_eq!(
        r.body["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    let r = s.get("/scim/v2/ResourceTypes").await;
    assert_eq!(r.body["totalResults"], 2);
    assert_eq!(r.body["Resources"][0]["endpoint"], "/Users");
    assert_eq!(
        r.body["Resources"][1]["schema"],
        "urn:ietf:params:scim:schemas:core:2.0:Group"
    );
    let r = s.get("/scim/v2/Schemas").await;
    assert_eq!(r.status, 404);
    Ok(())
}
