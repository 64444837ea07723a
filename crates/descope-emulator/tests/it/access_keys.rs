//! Access key endpoints over HTTP: shapes, validation, update semantics, batch calls, search,
//! the expired-key knob, cascades and the rate-limit class.

use std::time::Duration;

use descope_emulator::{
    ConcurrentKeyWriter, Dataset, Emulator, ExpiredKeyStatus, GenSpec, RateLimit, RateLimits,
};
use serde_json::{Value, json};

use crate::common::{Api, TestResult};

const CI: &str = "K2DemoCiPipeline00000000000";
const SCIM: &str = "K2DemoGlobexScim00000000000";
const LEGACY: &str = "K2DemoLegacyImport000000000";
const PARTNER: &str = "K2DemoExpiredPartner0000000";
const BOUND: &str = "K2DemoSupportBot00000000000";

fn assert_error(status: u16, v: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{v}");
    assert_eq!(v["errorCode"], code, "{v}");
    assert!(
        v["errorDescription"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}

fn key_ids(v: &Value) -> Vec<String> {
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn load(api: &Api, id: &str) -> (u16, Value) {
    api.get(&format!("/v1/mgmt/accesskey?id={id}")).await
}

#[tokio::test]
async fn create_load_and_search_show_the_descope_object() -> TestResult {
    let api = Api::demo().await;
    let data = api.emu.dataset();
    let globex = data.tenants.iter().find(|t| t.name == "Globex").unwrap();
    // What GO sends: null for unset lists and maps, "" for unset strings.
    let (status, v) = api
        .post(
            "/v1/mgmt/accesskey/create",
            json!({"name": "deployer", "expireTime": 0, "roleNames": ["Viewer"],
                   "keyTenants": [{"tenantId": globex.id, "roleNames": ["Tenant Admin"]}],
                   "userId": "", "customClaims": {"team": "ops"}, "description": "",
                   "permittedIps": null, "customAttributes": null}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let cleartext = v["cleartext"].as_str().unwrap();
    assert!(cleartext.len() >= 32);
    let key = &v["key"];
    for field in [
        "id",
        "name",
        "description",
        "roleNames",
        "keyTenants",
        "status",
        "createdTime",
        "expireTime",
        "createdBy",
        "clientId",
        "boundUserId",
        "customClaims",
        "permittedIps",
        "customAttributes",
        "editable",
    ] {
        assert!(key.get(field).is_some(), "missing {field}: {key}");
    }
    assert!(key.get("secretHash").is_none(), "the hash is never served");
    assert!(!v.to_string().contains(api.emu.management_key()));
    assert_eq!(key["status"], "active");
    assert_eq!(key["expireTime"], 0);
    assert_eq!(key["keyTenants"][0]["tenantName"], "Globex");
    assert_eq!(key["keyTenants"][0]["roleNames"], json!(["Tenant Admin"]));
    assert_eq!(key["customClaims"]["team"], "ops");
    let t = key["createdTime"].as_i64().unwrap();
    assert!((1_600_000_000..4_000_000_000).contains(&t), "seconds");
    let id = key["id"].as_str().unwrap();
    assert!(id.starts_with("K2"));

    let (status, loaded) = load(&api, id).await;
    assert_eq!(status, 200);
    assert_eq!(&loaded["key"], key);
    let (status, all) = api.post("/v1/mgmt/accesskey/search", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(key_ids(&all), [CI, SCIM, LEGACY, PARTNER, BOUND, id]);
    assert!(all.get("total").is_none(), "no paging, no total");
    // An empty body is `{}`.
    let resp = api
        .http
        .post(api.url("/v1/mgmt/accesskey/search"))
        .header("Authorization", &api.auth)
        .send()
        .await?;
    let v: Value = resp.json().await?;
    assert_eq!(key_ids(&v).len(), 6);
    assert_eq!(
        api.emu.dataset().access_keys.last().unwrap().id,
        id,
        "the dataset snapshot has the new key"
    );
    Ok(())
}

#[tokio::test]
async fn create_validates_its_body() -> TestResult {
    let api = Api::demo().await;
    let path = "/v1/mgmt/accesskey/create";
    let (s, v) = api.post(path, json!({"description": "x"})).await;
    assert_error(s, &v, 400, "E011002");
    assert_eq!(v["errorMessage"], "The name field is required");
    let (s, v) = api
        .post(path, json!({"name": "k", "roleNames": ["Nope"]}))
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api
        .post(
            path,
            json!({"name": "k", "keyTenants": [{"tenantId": "T2nope"}]}),
        )
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api
        .post(
            path,
            json!({"name": "k", "keyTenants": [{"tenantId": "T", "tenantName": "x"}]}),
        )
        .await;
    assert_error(s, &v, 400, "E011003");
    let (s, v) = api
        .post(path, json!({"name": "k", "permittedIps": ["10.0.0.0/40"]}))
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api
        .post(path, json!({"name": "k", "userId": "U2nobody"}))
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api.post(path, json!({"name": "k", "bogus": 1})).await;
    assert_error(s, &v, 400, "E011003");
    let (s, v) = api.post(path, json!({"name": "k", "expireTime": -5})).await;
    assert_error(s, &v, 400, "E011004");
    assert_eq!(
        api.emu.dataset().access_keys.len(),
        5,
        "nothing was created"
    );
    Ok(())
}

#[tokio::test]
async fn update_replaces_present_fields_and_keeps_absent_ones() -> TestResult {
    let api = Api::demo().await;
    let path = "/v1/mgmt/accesskey/update";
    let (s, v) = api.post(path, json!({"name": "x"})).await;
    assert_error(s, &v, 400, "E011002");
    assert_eq!(v["errorMessage"], "The id field is required");
    let (s, v) = api.post(path, json!({"id": CI})).await;
    assert_error(s, &v, 400, "E011002");
    assert_eq!(v["errorMessage"], "The name field is required");
    let (s, v) = api.post(path, json!({"id": "K2nope", "name": "x"})).await;
    assert_error(s, &v, 404, "E117102");

    // Only id and name (RUBY): the name changes, everything else stays.
    let (_, before) = load(&api, CI).await;
    let (s, v) = api.post(path, json!({"id": CI, "name": "CI v2"})).await;
    assert_eq!(s, 200, "{v}");
    let mut expected = before["key"].clone();
    expected["name"] = json!("CI v2");
    assert_eq!(v["key"], expected);

    // null is absent; present values replace; [] clears.
    let (s, v) = api
        .post(
            path,
            json!({"id": CI, "name": "CI v2", "description": null, "roleNames": [],
                   "permittedIps": ["192.168.0.0/16", "::1"], "customAttributes": {"env": "prod"}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let k = &v["key"];
    assert_eq!(k["description"], before["key"]["description"]);
    assert_eq!(k["roleNames"], json!([]));
    assert_eq!(k["permittedIps"], json!(["192.168.0.0/16", "::1"]));
    assert_eq!(k["customAttributes"], json!({"env": "prod"}));

    let acme = &api.emu.dataset().tenants[0];
    let (s, v) = api
        .post(
            path,
            json!({"id": CI, "name": "CI v2",
                   "keyTenants": [{"tenantId": acme.id, "roleNames": ["Approver", "Viewer"]}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["key"]["keyTenants"][0]["tenantName"], "Acme Corp");
    // A failing update changes nothing.
    let (s, _) = api
        .post(
            path,
            json!({"id": CI, "name": "broken", "roleNames": ["Nope"]}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(load(&api, CI).await.1["key"]["name"], "CI v2");
    Ok(())
}

#[tokio::test]
async fn status_delete_and_their_batches() -> TestResult {
    let api = Api::demo().await;
    let status_of = |v: &Value| v["key"]["status"].as_str().unwrap().to_owned();
    let (s, v) = api
        .post("/v1/mgmt/accesskey/deactivate", json!({"id": CI}))
        .await;
    assert_eq!((s, &v), (200, &json!({})));
    assert_eq!(status_of(&load(&api, CI).await.1), "inactive");
    api.post("/v1/mgmt/accesskey/activate", json!({"id": CI}))
        .await;
    assert_eq!(status_of(&load(&api, CI).await.1), "active");

    let (s, v) = api
        .post(
            "/v1/mgmt/accesskey/deactivate/batch",
            json!({"ids": [CI, SCIM]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(status_of(&load(&api, SCIM).await.1), "inactive");
    // All or nothing: an unknown id fails the batch and changes no key.
    let (s, v) = api
        .post(
            "/v1/mgmt/accesskey/activate/batch",
            json!({"ids": [CI, "K2nope"]}),
        )
        .await;
    assert_error(s, &v, 404, "E117102");
    assert_eq!(status_of(&load(&api, CI).await.1), "inactive");
    api.post(
        "/v1/mgmt/accesskey/activate/batch",
        json!({"ids": [CI, SCIM]}),
    )
    .await;
    assert_eq!(status_of(&load(&api, CI).await.1), "active");

    for (path, body) in [
        ("/v1/mgmt/accesskey/activate", json!({})),
        ("/v1/mgmt/accesskey/delete", json!({"id": ""})),
        ("/v1/mgmt/accesskey/delete/batch", json!({"ids": []})),
        ("/v1/mgmt/accesskey/deactivate/batch", json!({"ids": null})),
    ] {
        let (s, v) = api.post(path, body).await;
        assert_error(s, &v, 400, "E011002");
    }
    let (s, v) = api
        .post("/v1/mgmt/accesskey/delete", json!({"id": "K2nope"}))
        .await;
    assert_error(s, &v, 404, "E117102");
    let (s, _) = api
        .post("/v1/mgmt/accesskey/delete", json!({"id": CI}))
        .await;
    assert_eq!(s, 200);
    let (s, v) = load(&api, CI).await;
    assert_error(s, &v, 404, "E117102");
    let (s, v) = api
        .post(
            "/v1/mgmt/accesskey/delete/batch",
            json!({"ids": [LEGACY, CI]}),
        )
        .await;
    assert_error(s, &v, 404, "E117102");
    api.post(
        "/v1/mgmt/accesskey/delete/batch",
        json!({"ids": [LEGACY, BOUND]}),
    )
    .await;
    let left = key_ids(&api.post("/v1/mgmt/accesskey/search", json!({})).await.1);
    assert_eq!(left, [SCIM, PARTNER]);
    let (s, v) = load(&api, "").await;
    assert_error(s, &v, 400, "E011002");
    let (s, v) = api.get(&format!("/v1/mgmt/accesskey?id={CI}&x=1")).await;
    assert_error(s, &v, 400, "E011003");
    Ok(())
}

#[tokio::test]
async fn rotate_gives_a_new_secret_to_active_unexpired_keys_only() -> TestResult {
    let api = Api::demo().await;
    let (s, v) = api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": CI}))
        .await;
    assert_eq!(s, 200, "{v}");
    let first = v["cleartext"].as_str().unwrap().to_owned();
    assert_eq!(v["key"]["id"], CI);
    assert_eq!(v["key"]["roleNames"], json!(["Viewer"]));
    let (_, v) = api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": CI}))
        .await;
    assert_ne!(v["cleartext"].as_str().unwrap(), first);
    let (s, v) = api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": LEGACY}))
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": PARTNER}))
        .await;
    assert_error(s, &v, 400, "E011004");
    let (s, v) = api
        .post("/v1/mgmt/accesskey/rotate", json!({"id": "K2no"}))
        .await;
    assert_error(s, &v, 404, "E117102");
    Ok(())
}

#[tokio::test]
async fn search_filters_and_sorts() -> TestResult {
    let api = Api::demo().await;
    let data = api.emu.dataset();
    let search = |body: Value| {
        let api = &api;
        async move {
            let (s, v) = api.post("/v1/mgmt/accesskey/search", body).await;
            assert_eq!(s, 200, "{v}");
            key_ids(&v)
        }
    };
    let globex = &data.tenants.iter().find(|t| t.name == "Globex").unwrap().id;
    let acme = &data.tenants[0].id;
    assert_eq!(search(json!({"tenantIds": [globex]})).await, [SCIM]);
    assert_eq!(
        search(json!({"tenantIds": [globex, acme]})).await,
        [SCIM, PARTNER]
    );
    // PY sends [] and nulls for unset filters.
    assert_eq!(
        search(
            json!({"tenantIds": [], "boundUserId": null, "creatingUser": null,
                      "customAttributes": null})
        )
        .await
        .len(),
        5
    );
    let bound_to = &data.access_keys[4].bound_user_id;
    assert_eq!(search(json!({"boundUserId": bound_to})).await, [BOUND]);
    assert_eq!(search(json!({"creatingUser": bound_to})).await, [BOUND]);
    assert_eq!(search(json!({"text": "legacy"})).await, [LEGACY]);
    assert_eq!(search(json!({"text": "PIPELINE"})).await, [CI]);
    assert_eq!(
        search(json!({"sort": [{"field": "name", "desc": true}]})).await,
        [BOUND, LEGACY, SCIM, CI, PARTNER]
    );
    assert_eq!(
        search(
            json!({"sort": [{"field": "createdTime", "desc": true}], "tenantIds": [acme, globex]})
        )
        .await,
        [PARTNER, SCIM]
    );
    // Unknown sort fields are accepted and leave creation order.
    assert_eq!(
        search(json!({"sort": [{"field": "colour"}]})).await.len(),
        5
    );
    let (s, _) = api
        .post("/v1/mgmt/accesskey/search", json!({"page": 1}))
        .await;
    assert_eq!(s, 400, "no paging fields");

    api.post(
        "/v1/mgmt/accesskey/update",
        json!({"id": CI, "name": "CI pipeline", "customAttributes": {"env": "prod"}}),
    )
    .await;
    assert_eq!(
        search(json!({"customAttributes": {"env": "prod"}})).await,
        [CI]
    );
    assert_eq!(
        search(json!({"customAttributes": {"env": ["dev", "prod"]}})).await,
        [CI]
    );
    assert!(
        search(json!({"customAttributes": {"env": "dev"}}))
            .await
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn expired_keys_show_active_or_expired_by_knob() -> TestResult {
    for (mode, want) in [
        (ExpiredKeyStatus::Stored, "active"),
        (ExpiredKeyStatus::Expired, "expired"),
    ] {
        let api = Api::start(Emulator::builder().expired_key_status(mode)).await;
        let (_, v) = load(&api, PARTNER).await;
        assert_eq!(v["key"]["status"], want, "{mode:?}");
        assert!(v["key"]["expireTime"].as_i64().unwrap() > 0);
        let (_, v) = api.post("/v1/mgmt/accesskey/search", json!({})).await;
        let statuses: Vec<&str> = v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["active", "active", "inactive", want, "active"]);
        // Unexpired keys are unaffected by the knob.
        assert_eq!(load(&api, CI).await.1["key"]["status"], "active");
    }
    Ok(())
}

#[tokio::test]
async fn tenant_role_and_user_changes_reach_keys() -> TestResult {
    let api = Api::demo().await;
    let data = api.emu.dataset();
    let acme = data.tenants[0].id.clone();

    // Renaming a project role follows into keys' roles; deleting it removes it.
    let (s, v) = api
        .post(
            "/v1/mgmt/role/update",
            json!({"name": "Viewer", "newName": "Reader"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        load(&api, CI).await.1["key"]["roleNames"],
        json!(["Reader"])
    );
    api.post("/v1/mgmt/role/delete", json!({"name": "Reader"}))
        .await;
    assert_eq!(load(&api, CI).await.1["key"]["roleNames"], json!([]));

    // A tenant rename reaches keyTenants[].tenantName; a tenant delete drops the association.
    let (s, v) = api
        .post(
            "/v1/mgmt/tenant/update",
            json!({"id": acme, "name": "Acme Inc"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = load(&api, PARTNER).await;
    assert_eq!(v["key"]["keyTenants"][0]["tenantName"], "Acme Inc");
    api.post(
        "/v1/mgmt/tenant/delete",
        json!({"id": acme, "cascade": true}),
    )
    .await;
    assert_eq!(load(&api, PARTNER).await.1["key"]["keyTenants"], json!([]));

    // Deleting the user a key is bound to leaves the key and its boundUserId as they were.
    let bound_to = data.access_keys[4].bound_user_id.clone();
    let (s, _) = api
        .post("/v1/mgmt/user/delete", json!({"userId": bound_to}))
        .await;
    assert_eq!(s, 200);
    let (s, v) = load(&api, BOUND).await;
    assert_eq!(s, 200);
    assert_eq!(v["key"]["boundUserId"], bound_to.as_str());
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn access_key_calls_count_in_the_general_class() -> TestResult {
    let limits = RateLimits::off().with_general(Some(RateLimit::new(
        2,
        Duration::from_secs(10),
        Duration::from_secs(10),
    )));
    let api = Api::start(Emulator::builder().rate_limits(limits)).await;
    assert_eq!(
        api.post("/v1/mgmt/accesskey/search", json!({})).await.0,
        200
    );
    assert_eq!(load(&api, CI).await.0, 200);
    let (s, v) = api.post("/v1/mgmt/accesskey/search", json!({})).await;
    assert_eq!((s, v["errorCode"].as_str()), (429, Some("E130429")));
    assert_eq!(api.post("/v1/mgmt/user/logout", json!({})).await.0, 429);
    Ok(())
}

#[tokio::test]
async fn generated_keys_are_served() -> TestResult {
    let spec = GenSpec {
        users: 60,
        access_keys: 24,
        ..GenSpec::default()
    };
    let api = Api::start(Emulator::builder().dataset(Dataset::generate(&spec))).await;
    let (_, v) = api.post("/v1/mgmt/accesskey/search", json!({})).await;
    assert_eq!(key_ids(&v).len(), 24);
    let statuses: Vec<&str> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"inactive") && statuses.contains(&"active"));
    Ok(())
}

/// The `concurrent_key_writer` knob: right after the client's update (answered as applied),
/// another writer's update computed from the key before it lands, once per `times`.
#[tokio::test]
async fn a_concurrent_writer_follows_the_next_updates() -> TestResult {
    let api = Api::start(
        Emulator::builder().concurrent_key_writer(ConcurrentKeyWriter::new(CI, "Auditor").times(1)),
    )
    .await;
    let (_, before) = load(&api, CI).await;
    assert_eq!(before["key"]["roleNames"], json!(["Viewer"]));
    let update = json!({"id": CI, "name": "CI pipeline", "roleNames": ["Viewer", "Editor"]});
    let (status, answer) = api.post("/v1/mgmt/accesskey/update", update.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["key"]["roleNames"],
        json!(["Viewer", "Editor"]),
        "our write, as applied"
    );
    let (_, now) = load(&api, CI).await;
    assert_eq!(
        now["key"]["roleNames"],
        json!(["Viewer", "Auditor"]),
        "the other writer's list, from the key before our update"
    );
    let audit = api.emu.dataset().audit;
    let last = audit.last().ok_or("audited")?;
    assert_eq!(last.action, "AccessKeyModified");
    assert_eq!(last.actor_id, "concurrent-writer");
    // Only once: the next update stays.
    let (_, answer) = api.post("/v1/mgmt/accesskey/update", update).await;
    let (_, now) = load(&api, CI).await;
    assert_eq!(now["key"]["roleNames"], answer["key"]["roleNames"]);
    assert_eq!(now["key"]["roleNames"], json!(["Viewer", "Editor"]));
    Ok(())
}
