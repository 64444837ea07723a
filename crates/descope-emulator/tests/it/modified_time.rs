//! Users' modified time: served as `modifiedTime` (epoch seconds), moved by every change made
//! through the API to the millisecond of the change's audit record, and searched by
//! `fromModifiedTime` / `toModifiedTime` (epoch milliseconds) under both readings of each
//! knob.

use descope_emulator::{Emulator, EmulatorBuilder};
use serde_json::{Value, json};

use crate::common::{Api, TestResult, ids};

/// The `occurred` (epoch ms) of the last `UserCreated` or `UserModified` record about `user_id`.
fn last_change(api: &Api, user_id: &str) -> i64 {
    api.emu
        .dataset()
        .audit
        .iter()
        .filter(|a| {
            a.user_id == user_id && matches!(a.action.as_str(), "UserCreated" | "UserModified")
        })
        .map(|a| a.occurred)
        .max()
        .expect("the change is audited")
}

/// A v2 search of the users modified in `from..=to` (0 = unset).
async fn modified(api: &Api, from: i64, to: i64) -> Vec<String> {
    ids(&api
        .search(json!({"fromModifiedTime": from, "toModifiedTime": to}))
        .await)
}

/// Creates `login_id`; returns its user object.
async fn create(api: &Api, path: &str, login_id: &str) -> Value {
    let (status, v) = api.post(path, json!({"loginId": login_id})).await;
    assert_eq!(status, 200, "{v}");
    v["user"].clone()
}

#[tokio::test]
async fn changes_move_the_modified_time_to_their_audit_record() -> TestResult {
    let api = Api::demo().await;
    let before = api.search(json!({"limit": 500})).await;
    for u in before["users"].as_array().unwrap() {
        let (created, modified) = (u["createdTime"].as_i64(), u["modifiedTime"].as_i64());
        assert!(
            modified >= created,
            "modifiedTime in seconds, not before createdTime: {u}"
        );
    }
    let user = api.emu.dataset().users[0].clone();
    let (status, v) = api
        .send(
            "PATCH",
            "/v1/mgmt/user/patch",
            &json!({"loginId": user.user_id, "givenName": "Patched"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let at = last_change(&api, &user.user_id);
    assert_eq!(v["user"]["modifiedTime"].as_i64(), Some(at / 1000));
    assert!(at / 1000 >= user.modified_time);

    // Inclusive from, inclusive to, milliseconds; generated users were modified long ago.
    assert_eq!(modified(&api, at, 0).await, [user.user_id.as_str()]);
    assert!(modified(&api, at + 1, 0).await.is_empty());
    assert_eq!(modified(&api, at, at).await, [user.user_id.as_str()]);
    assert!(modified(&api, at - 1000, at - 1).await.is_empty());
    let all = api.search(json!({})).await["total"].as_i64();
    let earlier = json!({"fromModifiedTime": 1, "toModifiedTime": at - 1});
    let earlier = api.search(earlier).await["total"].as_i64();
    assert_eq!(
        earlier.zip(all).map(|(e, a)| a - e),
        Some(1),
        "all but the patched user"
    );
    // v1 and a numeric string as well.
    let (status, v) = api
        .post(
            "/v1/mgmt/user/search",
            json!({"fromModifiedTime": at.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(ids(&v), [user.user_id.as_str()]);
    Ok(())
}

#[tokio::test]
async fn every_kind_of_write_moves_it() -> TestResult {
    let api = Api::demo().await;
    let d = api.emu.dataset();
    let user = d.users[0].clone();
    let login = user.login_ids[0].clone();
    let tenant = d.tenants[0].id.clone();
    let writes = [
        (
            "/v1/mgmt/user/update/status",
            json!({"loginId": login, "status": "disabled"}),
        ),
        (
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": login, "tenantId": tenant}),
        ),
        (
            "/v1/mgmt/user/update/tenant/remove",
            json!({"loginId": login, "tenantId": tenant}),
        ),
        (
            "/v1/mgmt/user/update/customAttribute",
            json!({"loginId": login, "attributeKey": "dept", "attributeValue": "ops"}),
        ),
        ("/v1/mgmt/user/totp/delete", json!({"loginId": login})),
    ];
    for (path, body) in writes {
        let from = now_ms();
        let (status, v) = api.post(path, body).await;
        assert_eq!(status, 200, "{path}: {v}");
        assert_eq!(
            modified(&api, from, 0).await,
            [user.user_id.as_str()],
            "{path}"
        );
        assert!(last_change(&api, &user.user_id) >= from);
    }
    Ok(())
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::test]
async fn exclusive_from_skips_the_exact_millisecond() -> TestResult {
    let api = Api::start(Emulator::builder().from_modified_time_exclusive(true)).await;
    let u = create(&api, "/v1/mgmt/user/create", "new@x.io").await;
    let id = u["userId"].as_str().unwrap().to_owned();
    let at = last_change(&api, &id);
    assert!(modified(&api, at, 0).await.is_empty(), "exclusive");
    assert_eq!(modified(&api, at - 1, 0).await, [id.as_str()]);
    assert_eq!(modified(&api, at - 1, at).await, [id], "to stays inclusive");
    Ok(())
}

/// Adds a project role to the demo's first user; returns whether a search from just before
/// the call finds the user, and the number of `UserModified` records about it.
async fn role_add_found(b: EmulatorBuilder) -> (bool, usize) {
    let api = Api::start(b).await;
    let d = api.emu.dataset();
    let user = d.users[0].clone();
    let role = d
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty() && !user.role_names.contains(&r.name))
        .unwrap()
        .name
        .clone();
    let from = now_ms();
    let body = json!({"loginId": user.login_ids[0], "roleNames": [role]});
    let (status, v) = api.post("/v2/mgmt/user/update/role/add", body).await;
    assert_eq!(status, 200, "{v}");
    let audited = api
        .emu
        .dataset()
        .audit
        .iter()
        .filter(|a| a.user_id == user.user_id && a.action == "UserModified")
        .count();
    (modified(&api, from, 0).await == [user.user_id], audited)
}

#[tokio::test]
async fn assignment_changes_bump_or_not_by_knob() -> TestResult {
    assert_eq!(role_add_found(Emulator::builder()).await, (true, 1));
    let off = Emulator::builder().assignment_changes_bump_modified(false);
    assert_eq!(role_add_found(off).await, (false, 1), "audited, not bumped");
    Ok(())
}

#[tokio::test]
async fn test_user_search_honours_the_filters() -> TestResult {
    let api = Api::demo().await;
    let from = now_ms();
    let u = create(&api, "/v1/mgmt/user/create/test", "tester@x.io").await;
    let id = u["userId"].as_str().unwrap().to_owned();
    let search = |body: Value| api.post("/v2/mgmt/user/search/test", body);
    let (status, v) = search(json!({"fromModifiedTime": from})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(ids(&v), [id.as_str()]);
    let (_, v) = search(json!({"toModifiedTime": from - 1})).await;
    assert!(!ids(&v).contains(&id));
    assert!(
        !ids(&v).is_empty(),
        "the demo's test users were modified long ago"
    );
    Ok(())
}

#[tokio::test]
async fn a_recreated_login_is_a_new_user_with_a_fresh_time() -> TestResult {
    let api = Api::demo().await;
    let first = create(&api, "/v1/mgmt/user/create", "again@x.io").await;
    let first_id = first["userId"].as_str().unwrap().to_owned();
    let first_at = last_change(&api, &first_id);
    let (status, v) = api
        .post("/v1/mgmt/user/delete", json!({"loginId": "again@x.io"}))
        .await;
    assert_eq!(status, 200, "{v}");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = create(&api, "/v1/mgmt/user/create", "again@x.io").await;
    let second_id = second["userId"].as_str().unwrap().to_owned();
    assert_ne!(first_id, second_id, "a new user id");
    let second_at = last_change(&api, &second_id);
    assert!(second_at > first_at, "a fresh modified time");
    assert_eq!(second["modifiedTime"].as_i64(), Some(second_at / 1000));
    assert_eq!(modified(&api, first_at, 0).await, [second_id]);
    Ok(())
}

#[tokio::test]
async fn scim_writes_move_it() -> TestResult {
    let s = crate::scim::Scim::demo().await;
    let id = s.members()[0].clone();
    let from = now_ms();
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "name.familyName", "value": "Scimmed"}]});
    let r = s
        .send(
            reqwest::Method::PATCH,
            &format!("/scim/v2/Users/{id}"),
            Some(patch),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(modified(&s.api, from, 0).await, [id.as_str()]);
    assert!(last_change(&s.api, &id) >= from);
    Ok(())
}
