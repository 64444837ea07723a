//! Search semantics and pagination.

use std::collections::HashSet;

use descope_emulator::{Dataset, Emulator, GenSpec, UserStatus};
use serde_json::json;

use crate::common::{Api, TestResult, ids};

async fn generated(users: usize) -> Api {
    let spec = GenSpec {
        users,
        tenants: 8,
        test_users: 5,
        ..GenSpec::default()
    };
    Api::start(Emulator::builder().dataset(Dataset::generate(&spec))).await
}

#[tokio::test]
async fn page_pagination_returns_every_user_once() -> TestResult {
    let api = generated(1_000).await;
    let expected: Vec<String> = api
        .emu
        .dataset()
        .users
        .iter()
        .filter(|u| !u.test)
        .map(|u| u.user_id.clone())
        .collect();
    let mut seen = Vec::new();
    for page in 0.. {
        let v = api.search(json!({"page": page, "limit": 37})).await;
        assert_eq!(v["total"], expected.len());
        let got = ids(&v);
        if got.is_empty() {
            break;
        }
        seen.extend(got);
    }
    // Every user exactly once, in creation order.
    assert_eq!(seen, expected);
    Ok(())
}

#[tokio::test]
async fn offset_pagination_returns_every_user_once_and_takes_precedence() -> TestResult {
    let api = generated(1_000).await;
    let expected: Vec<String> = api
        .emu
        .dataset()
        .users
        .iter()
        .map(|u| u.user_id.clone())
        .collect();
    // A positive offset wins over page * limit; offset 0 falls back to it.
    let v = api
        .search(json!({"offset": 5, "page": 3, "limit": 10, "withTestUser": true}))
        .await;
    assert_eq!(ids(&v)[0], expected[5]);
    let v = api
        .search(json!({"offset": 0, "page": 3, "limit": 10, "withTestUser": true}))
        .await;
    assert_eq!(ids(&v)[0], expected[30]);

    let mut seen = Vec::new();
    loop {
        let v = api
            .search(json!({"offset": seen.len(), "limit": 64, "withTestUser": true}))
            .await;
        assert_eq!(v["total"], 1_000);
        let got = ids(&v);
        if got.is_empty() {
            break;
        }
        seen.extend(got);
    }
    assert_eq!(seen.len(), expected.len());
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1_000);
    assert_eq!(seen, expected);
    Ok(())
}

#[tokio::test]
async fn defaults_and_past_the_end() -> TestResult {
    let api = generated(250).await;
    let v = api.search(json!({})).await;
    assert_eq!(ids(&v).len(), 100, "limit defaults to 100");
    let v = api.search(json!({"limit": 0, "page": 2})).await;
    assert_eq!(ids(&v).len(), 45, "245 non-test users, third page of 100");
    let v = api.search(json!({"page": 99, "limit": 10})).await;
    assert_eq!(v, json!({"users": [], "total": 245}));
    let (status, e) = api.post("/v2/mgmt/user/search", json!({"limit": -1})).await;
    assert_eq!(status, 400);
    assert_eq!(e["errorCode"], "E011004");
    // v1 is still served, with the same shape.
    let (status, v1) = api.post("/v1/mgmt/user/search", json!({"limit": 5})).await;
    assert_eq!(status, 200);
    assert_eq!(v1["total"], 245);
    Ok(())
}

#[tokio::test]
async fn filters_match_the_dataset() -> TestResult {
    let api = generated(600).await;
    let data = api.emu.dataset();
    let all = |pred: &dyn Fn(&descope_emulator::UserRecord) -> bool| -> Vec<String> {
        data.users
            .iter()
            .filter(|u| pred(u))
            .map(|u| u.user_id.clone())
            .collect()
    };
    let big = json!(10_000);

    let t0 = data.tenants[0].id.clone();
    let t1 = data.tenants[1].id.clone();
    let v = api
        .search(json!({"tenantIds": [t0, t1], "limit": big}))
        .await;
    let want = all(&|u| !u.test && (u.tenant(&t0).is_some() || u.tenant(&t1).is_some()));
    assert!(!want.is_empty());
    assert_eq!(ids(&v), want);
    assert_eq!(v["total"], want.len());

    let v = api
        .search(json!({"roleNames": ["Viewer"], "limit": big}))
        .await;
    let has = |u: &descope_emulator::UserRecord| {
        u.role_names.iter().any(|r| r == "Viewer")
            || u.user_tenants
                .iter()
                .any(|m| m.role_names.iter().any(|r| r == "Viewer"))
    };
    assert_eq!(ids(&v), all(&|u| !u.test && has(u)));

    let v = api
        .search(json!({"statuses": ["disabled", "invited"], "limit": big}))
        .await;
    let want = all(&|u| !u.test && matches!(u.status, UserStatus::Disabled | UserStatus::Invited));
    assert!(!want.is_empty());
    assert_eq!(ids(&v), want);

    let picks = [&data.users[3], &data.users[10], &data.users[599]];
    let v = api
        .search(json!({
            "userIds": [picks[0].user_id, picks[1].user_id],
            "loginIds": [picks[1].login_ids[0], picks[2].login_ids[0]],
            "withTestUser": true
        }))
        .await;
    assert_eq!(
        ids(&v),
        vec![picks[1].user_id.clone()],
        "filters AND together"
    );

    let v = api
        .search(json!({"withTestUser": true, "limit": big}))
        .await;
    assert_eq!(v["total"], 600);
    let (_, v) = api.post("/v2/mgmt/user/search/test", json!({})).await;
    assert_eq!(v["total"], 5);

    let needle = data.users[42].family_name.to_uppercase();
    let v = api
        .search(json!({"text": needle, "limit": big, "withTestUser": true}))
        .await;
    let want = all(&|u| {
        u.name.to_lowercase().contains(&needle.to_lowercase())
            || u.email.to_lowercase().contains(&needle.to_lowercase())
            || u.login_ids
                .iter()
                .any(|l| l.to_lowercase().contains(&needle.to_lowercase()))
    });
    assert_eq!(ids(&v), want);
    Ok(())
}

#[tokio::test]
async fn scoped_filters() -> TestResult {
    use descope_emulator::{RoleRecord, TenantRecord, UserRecord, UserTenantRecord};
    let mut d = Dataset::new();
    d.tenants.push(TenantRecord::new("T1", "Parent"));
    let mut child = TenantRecord::new("T2", "Child");
    child.parent = "T1".into();
    d.tenants.push(child);
    d.roles.push(RoleRecord::new("R1", "Editor", "T2"));
    d.roles.push(RoleRecord::new("R2", "Approver", "T2"));
    let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut a = UserRecord::new("U1", "a@x.io");
    a.user_tenants.push(UserTenantRecord::new(
        "T2",
        "Child",
        names(&["Editor", "Approver"]),
    ));
    a.custom_attributes.insert("dept".into(), "eng".into());
    a.created_time = 1_700_000_000;
    let mut b = UserRecord::new("U2", "b@x.io");
    b.user_tenants
        .push(UserTenantRecord::new("T2", "Child", names(&["Editor"])));
    b.custom_attributes.insert("dept".into(), "ops".into());
    b.created_time = 1_800_000_000;
    let mut c = UserRecord::new("U3", "c@x.io");
    c.user_tenants
        .push(UserTenantRecord::new("T1", "Parent", vec![]));
    d.users.extend([a, b, c]);
    let api = Api::start(Emulator::builder().dataset(d)).await;

    let got = |v: serde_json::Value| ids(&v);
    assert_eq!(got(api.search(json!({"tenantIds": ["T1"]})).await), ["U3"]);
    assert_eq!(
        got(api
            .search(json!({"tenantIds": ["T1"], "includeSubTenants": true}))
            .await),
        ["U1", "U2", "U3"]
    );
    let all_of =
        json!({"tenantRoleNames": {"T2": {"values": ["Editor", "Approver"], "and": true}}});
    assert_eq!(got(api.search(all_of).await), ["U1"]);
    let any_of = json!({"tenantRoleIds": {"T2": {"values": ["R1", "R2"]}}});
    assert_eq!(got(api.search(any_of).await), ["U1", "U2"]);
    let attrs = json!({"customAttributes": {"dept": ["ops", "hr"]}});
    assert_eq!(got(api.search(attrs).await), ["U2"]);
    // Filter times are milliseconds, createdTime seconds; a numeric string is accepted.
    let since = json!({"fromCreatedTime": "1750000000000"});
    assert_eq!(got(api.search(since).await), ["U2"]);
    let (status, _) = api
        .post("/v2/mgmt/user/search", json!({"statuses": ["sleeping"]}))
        .await;
    assert_eq!(status, 400);
    Ok(())
}

#[tokio::test]
async fn identifier_and_user_id_work_in_mutations() -> TestResult {
    let api = Api::demo().await;
    let u = api.emu.dataset().users[0].clone();
    for ident in [u.user_id.as_str(), u.login_ids[0].as_str()] {
        let (status, v) = api
            .post(
                "/v1/mgmt/user/update/status",
                json!({"identifier": ident, "status": "disabled"}),
            )
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["user"]["userId"], u.user_id.as_str());
    }
    let v = api
        .search(json!({"userIds": [u.user_id], "statuses": ["disabled"]}))
        .await;
    assert_eq!(v["total"], 1);
    let (status, v) = api
        .post(
            "/v1/mgmt/user/patch",
            json!({"loginId": u.user_id, "givenName": "Patched"}),
        )
        .await;
    assert_eq!(status, 405, "patch is PATCH only: {v}");
    let resp = api
        .http
        .patch(api.url("/v1/mgmt/user/patch"))
        .header("Authorization", &api.auth)
        .json(&json!({"loginId": u.user_id, "givenName": "Patched"}))
        .send()
        .await?;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await?;
    assert_eq!(v["user"]["givenName"], "Patched");
    assert_eq!(v["user"]["familyName"], u.family_name.as_str());
    Ok(())
}

/// Later pages of a search reuse the first page's matches (see `MatchCache`); a write in
/// between must be seen by the next page, and different searches must not share results.
#[tokio::test]
async fn pages_after_a_write_see_the_write() -> TestResult {
    let api = generated(300).await;
    let first = api.search(json!({"page": 0, "limit": 100})).await;
    assert_eq!(first["total"], 295);
    let deleted = ids(&first)[0].clone();

    let (status, v) = api
        .post("/v1/mgmt/user/create", json!({"loginId": "late@acme.test"}))
        .await;
    assert_eq!(status, 200, "{v}");
    let created = v["user"]["userId"].as_str().unwrap().to_owned();
    let (status, v) = api
        .post("/v1/mgmt/user/delete", json!({"userId": deleted}))
        .await;
    assert_eq!(status, 200, "{v}");

    let mut seen = Vec::new();
    for page in 0..3 {
        let v = api.search(json!({"page": page, "limit": 100})).await;
        assert_eq!(v["total"], 295, "one created, one deleted");
        seen.extend(ids(&v));
    }
    assert!(!seen.contains(&deleted));
    assert_eq!(seen.last(), Some(&created), "new users come last");

    // Interleaved searches with different filters, and the test-user endpoint with the same
    // body, each keep their own results.
    let with_test = api.search(json!({"page": 2, "withTestUser": true})).await;
    let without = api.search(json!({"page": 2})).await;
    let (_, only_test) = api
        .post("/v2/mgmt/user/search/test", json!({"page": 0}))
        .await;
    assert_eq!(with_test["total"], 300);
    assert_eq!(ids(&with_test).len(), 100);
    assert_eq!(without["total"], 295);
    assert_eq!(ids(&without).len(), 95);
    assert_eq!(only_test["total"], 5);
    let (status, v) = api
        .post("/v2/mgmt/user/search/test", json!({"page": 1}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["users"], json!([]));
    Ok(())
}
