//! SSO applications and users' access to them, over HTTP.

use descope_emulator::{Dataset, DuplicateMode, Emulator, GenSpec, SsoAppRecord};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};

fn app_ids(d: &Dataset) -> (String, String, String) {
    let id = |n: &str| d.sso_apps.iter().find(|a| a.name == n).unwrap().id.clone();
    (id("Wiki"), id("Expenses"), id("Legacy CRM"))
}

#[tokio::test]
async fn apps_load_all_and_one_flat() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (s, v) = api.get("/v1/mgmt/sso/idp/apps/load").await;
    assert_eq!(s, 200, "{v}");
    let apps = v["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 3);
    assert_eq!(apps[0], serde_json::to_value(&d.sso_apps[0])?);
    let wiki = &apps[0];
    assert_eq!(
        (wiki["name"].clone(), wiki["appType"].clone()),
        (json!("Wiki"), json!("saml"))
    );
    assert_eq!(wiki["enabled"], true);
    let mapping = &wiki["samlSettings"]["groupsMapping"][0];
    assert_eq!(mapping["filterType"], "roles");
    let role = &mapping["roles"][0];
    assert!(
        d.roles
            .iter()
            .any(|r| r.id == role["id"] && r.name == role["name"])
    );
    assert!(d.groups.iter().any(|g| g.display == mapping["value"]));
    assert!(wiki.get("oidcSettings").is_none());
    assert_eq!(apps[1]["appType"], "oidc");
    assert!(
        apps[1]["oidcSettings"]["issuer"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(apps[2]["enabled"], false);

    // Load one: the application flat at the root.
    let (s, v) = api
        .get(&format!(
            "/v1/mgmt/sso/idp/app/load?id={}",
            d.sso_apps[1].id
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v, apps[1]);
    let (s, v) = api.get("/v1/mgmt/sso/idp/app/load?id=SA2nope").await;
    assert_eq!(s, 404);
    assert_eq!(v["errorCode"], "E119102");
    assert_eq!(v["errorDescription"], "SSO application not found");
    let (s, v) = api.get("/v1/mgmt/sso/idp/app/load").await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011002")));
    let (s, v) = api.get("/v1/mgmt/sso/idp/app/load?id=x&name=y").await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011003")));
    let (s, _) = api.get("/v1/mgmt/sso/idp/apps/load?page=2").await;
    assert_eq!(s, 400);

    // Without applications: an empty list.
    let empty =
        Api::start(Emulator::builder().dataset(Dataset::generate(&GenSpec::default()))).await;
    let (s, v) = empty.get("/v1/mgmt/sso/idp/apps/load").await;
    assert_eq!((s, v), (200, json!({"apps": []})));
    Ok(())
}

#[tokio::test]
async fn users_show_and_change_their_apps() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (wiki, expenses, crm) = app_ids(&d);
    let u = d.users.iter().find(|u| u.sso_app_ids.is_empty()).unwrap();
    let login = u.login_ids[0].clone();
    let (_, v) = api
        .get(&format!("/v1/mgmt/user?userId={}", u.user_id))
        .await;
    assert_eq!(
        v["user"]["ssoAppIds"],
        json!([]),
        "an empty list means every app"
    );

    let (s, v) = api
        .post(
            "/v1/mgmt/user/update/ssoapp/add",
            json!({"loginId": login, "ssoAppIds": [wiki]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["ssoAppIds"], json!([wiki]));
    // The user id works too, and so does the SDKs' create/update spelling `ssoAppIDs`.
    let (s, v) = api
        .post(
            "/v1/mgmt/user/update/ssoapp/add",
            json!({"loginId": u.user_id, "ssoAppIDs": [expenses, wiki]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["ssoAppIds"], json!([wiki, expenses]));
    let (s, v) = api
        .post(
            "/v1/mgmt/user/update/ssoapp/remove",
            json!({"loginId": login, "ssoAppIds": [wiki]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["ssoAppIds"], json!([expenses]));
    let (s, v) = api
        .post(
            "/v1/mgmt/user/update/ssoapp/set",
            json!({"loginId": login, "ssoAppIds": [crm, crm]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["ssoAppIds"], json!([crm]));
    // Setting an empty list (or null) clears it: every app again.
    let (s, v) = api
        .post(
            "/v1/mgmt/user/update/ssoapp/set",
            json!({"loginId": login, "ssoAppIds": null}),
        )
        .await;
    assert_eq!((s, v["user"]["ssoAppIds"].clone()), (200, json!([])));
    // The change is stored: load and search see it.
    api.post(
        "/v1/mgmt/user/update/ssoapp/set",
        json!({"loginId": login, "ssoAppIds": [crm]}),
    )
    .await;
    let (_, v) = api.get(&format!("/v1/mgmt/user?loginId={login}")).await;
    assert_eq!(v["user"]["ssoAppIds"], json!([crm]));
    let v = api.search(json!({"ssoAppIds": [crm], "limit": 100})).await;
    assert!(ids(&v).contains(&u.user_id));
    let listed = d
        .users
        .iter()
        .filter(|x| !x.test && x.sso_app_ids.contains(&crm))
        .count();
    assert_eq!(v["total"], listed + 1);
    Ok(())
}

#[tokio::test]
async fn bad_sso_app_requests_change_nothing() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let (wiki, _, _) = app_ids(&d);
    let u = &d.users[1];
    let login = u.login_ids[0].clone();
    let cases = [
        (
            "add",
            json!({"loginId": login, "ssoAppIds": [wiki, "SA2nope"]}),
            400,
            "E011004",
        ),
        (
            "set",
            json!({"loginId": login, "ssoAppIds": ["SA2nope"]}),
            400,
            "E011004",
        ),
        (
            "remove",
            json!({"loginId": login, "ssoAppIds": ["SA2nope"]}),
            400,
            "E011004",
        ),
        (
            "add",
            json!({"loginId": login, "ssoAppIds": []}),
            400,
            "E011002",
        ),
        (
            "remove",
            json!({"loginId": login, "ssoAppIds": null}),
            400,
            "E011002",
        ),
        (
            "add",
            json!({"loginId": null, "ssoAppIds": [wiki]}),
            400,
            "E011002",
        ),
        (
            "add",
            json!({"loginId": "nobody@x.io", "ssoAppIds": [wiki]}),
            404,
            "E112102",
        ),
        (
            "add",
            json!({"loginId": login, "ssoAppIds": [wiki], "tenantId": "T"}),
            400,
            "E011003",
        ),
    ];
    for (op, body, status, code) in cases {
        let (s, v) = api
            .post(&format!("/v1/mgmt/user/update/ssoapp/{op}"), body.clone())
            .await;
        assert_eq!(
            (s, v["errorCode"].as_str()),
            (status, Some(code)),
            "{op} {body}"
        );
    }
    assert_eq!(api.emu.dataset().users[1], *u);
    let (s, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "new@x.io", "ssoAppIDs": ["SA2nope"]}),
        )
        .await;
    assert_eq!((s, v["errorCode"].as_str()), (400, Some("E011004")));
    let (s, _) = api
        .post(
            "/v1/mgmt/user/update",
            json!({"loginId": login, "ssoAppIDs": ["SA2nope"]}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &json!({"loginId": login, "ssoAppIds": ["SA2nope"]}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        api.emu.dataset().users,
        d.users,
        "refused calls change no user"
    );

    // Create, update and patch store known applications in either spelling.
    let (s, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "new@x.io", "ssoAppIDs": [wiki]}),
        )
        .await;
    assert_eq!((s, v["user"]["ssoAppIds"].clone()), (200, json!([wiki])));
    let (_, v) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &json!({"loginId": "new@x.io", "ssoAppIds": []}),
        )
        .await;
    assert_eq!(v["user"]["ssoAppIds"], json!([]));
    let (_, v) = api
        .post(
            "/v1/mgmt/user/update",
            json!({"loginId": "new@x.io", "ssoAppIds": [wiki]}),
        )
        .await;
    assert_eq!(v["user"]["ssoAppIds"], json!([wiki]));
    Ok(())
}

#[tokio::test]
async fn duplicate_mode_covers_sso_apps() -> TestResult {
    let mut data = Dataset::new();
    data.users
        .push(descope_emulator::UserRecord::new("U1", "a@x.io"));
    data.sso_apps.push(SsoAppRecord::saml("SA1", "Wiki"));
    data.sso_apps.push(SsoAppRecord::oidc("SA2", "CRM"));
    for (mode, dup_status) in [(DuplicateMode::Silent, 200), (DuplicateMode::Error, 400)] {
        let api = Api::start(Emulator::builder().dataset(data.clone()).duplicates(mode)).await;
        let add = json!({"loginId": "a@x.io", "ssoAppIds": ["SA1"]});
        let (s, _) = api
            .post("/v1/mgmt/user/update/ssoapp/add", add.clone())
            .await;
        assert_eq!(s, 200);
        let (s, v) = api.post("/v1/mgmt/user/update/ssoapp/add", add).await;
        assert_eq!(s, dup_status, "{mode:?} {v}");
        let remove = json!({"loginId": "U1", "ssoAppIds": ["SA2"]});
        let (s, v) = api.post("/v1/mgmt/user/update/ssoapp/remove", remove).await;
        assert_eq!(s, dup_status, "{mode:?} {v}");
        if dup_status == 400 {
            assert_eq!(v["errorCode"], "E112104");
            assert_eq!(v["errorDescription"], "User does not have SSO application");
        }
        assert_eq!(api.emu.dataset().users[0].sso_app_ids, ["SA1"]);
    }
    Ok(())
}

#[tokio::test]
async fn role_changes_follow_into_groups_mappings() -> TestResult {
    let api = Api::demo().await;
    let mapped = |v: &Value| v["apps"][0]["samlSettings"]["groupsMapping"].clone();
    let (_, v) = api.get("/v1/mgmt/sso/idp/apps/load").await;
    let before = mapped(&v);
    let role = before[0]["roles"][0]["name"].as_str().unwrap().to_owned();
    let (s, _) = api
        .post(
            "/v1/mgmt/role/update",
            json!({"name": role, "newName": "Writer"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, v) = api.get("/v1/mgmt/sso/idp/apps/load").await;
    assert_eq!(mapped(&v)[0]["roles"][0]["name"], "Writer");
    assert_eq!(mapped(&v)[0]["roles"][0]["id"], before[0]["roles"][0]["id"]);
    let (s, _) = api
        .post("/v1/mgmt/role/delete", json!({"name": "Writer"}))
        .await;
    assert_eq!(s, 200);
    let (_, v) = api.get("/v1/mgmt/sso/idp/apps/load").await;
    assert_eq!(mapped(&v)[0]["roles"], json!([]));
    Ok(())
}

/// Authentication, counters, faults and the request log reach the new paths.
#[tokio::test]
async fn auth_faults_and_counters_apply_to_the_new_paths() -> TestResult {
    let paths = [
        ("GET", "/v1/mgmt/sso/idp/apps/load", Value::Null),
        ("POST", "/v1/mgmt/user/update/ssoapp/add", json!({})),
        ("POST", "/v1/mgmt/user/history", json!([])),
        ("POST", "/v1/mgmt/audit/search", json!({})),
    ];
    let api = Api::demo().await;
    for (method, path, _) in &paths {
        let m = reqwest::Method::from_bytes(method.as_bytes())?;
        let resp = api.http.request(m, api.url(path)).send().await?;
        assert_eq!(resp.status(), 401, "{path}");
    }
    assert_eq!(api.emu.counters().unauthorized, 4);
    assert_eq!(api.emu.counters().endpoint("POST /v1/mgmt/audit/search"), 1);

    let faults = descope_emulator::Faults {
        server_error: 1.0,
        ..descope_emulator::Faults::default()
    };
    let api = Api::start(Emulator::builder().faults(faults).record_requests(true)).await;
    for (method, path, body) in &paths {
        let (s, v) = api.send(method, path, body).await;
        assert!(s == 500 || s == 503, "{path}: {s} {v}");
    }
    assert_eq!(api.emu.counters().faults, 4);
    let logged: Vec<String> = api.emu.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(logged, paths.map(|(_, p, _)| p.to_owned()));
    Ok(())
}
