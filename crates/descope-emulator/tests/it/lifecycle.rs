//! Account lifecycle over HTTP: invitations, test users, delete (single, batch, all test users)
//! and logout.

use serde_json::{Value, json};

use crate::common::{Api, TestResult};

fn assert_error(status: u16, v: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{v}");
    assert_eq!(v["errorCode"], code, "{v}");
}

#[tokio::test]
async fn invite_creates_an_invited_user_or_reinvites_an_existing_one() -> TestResult {
    let api = Api::demo().await;
    let users_before = api.emu.dataset().users.len();
    let (s, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "invitee@acme-corp.example.com", "email": "invitee@acme-corp.example.com",
                   "displayName": "Invitee", "invite": true, "inviteUrl": "https://app.example.com/invite",
                   "sendMail": true, "sendSMS": false, "templateId": "tmpl-1",
                   "templateOptions": {"team": "blue"}, "locale": "en-US"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["status"], "invited");
    let id = v["user"]["userId"].as_str().unwrap().to_owned();

    // Invite again by login id or by user id: the same user comes back, nothing is created.
    for ident in ["invitee@acme-corp.example.com", id.as_str()] {
        let (s, v) = api
            .post(
                "/v1/mgmt/user/create",
                json!({"loginId": ident, "displayName": "Changed?", "invite": true}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["user"]["userId"], id.as_str());
        assert_eq!(v["user"]["name"], "Invitee", "a re-invite changes nothing");
    }
    assert_eq!(api.emu.dataset().users.len(), users_before + 1);
    // Without `invite`, an existing login id is still a conflict.
    let (s, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "invitee@acme-corp.example.com"}),
        )
        .await;
    assert_error(s, &v, 400, "E062107");
    // An explicit status wins over the invite default.
    let (_, v) = api
        .post(
            "/v1/mgmt/user/create",
            json!({"loginId": "enabled@x.io", "invite": true, "status": "enabled"}),
        )
        .await;
    assert_eq!(v["user"]["status"], "enabled");
    Ok(())
}

#[tokio::test]
async fn test_users_are_created_found_and_deleted_all_at_once() -> TestResult {
    let api = Api::demo().await;
    let before = api.emu.dataset();
    let demo_tests = before.users.iter().filter(|u| u.test).count();
    assert!(demo_tests > 0);
    let (s, v) = api
        .post(
            "/v1/mgmt/user/create/test",
            json!({"loginId": "tester@x.io"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["user"]["test"], true);
    let (_, v) = api.post("/v2/mgmt/user/search/test", json!({})).await;
    assert_eq!(v["total"], demo_tests + 1);

    let resp = api
        .http
        .delete(api.url("/v1/mgmt/user/test/delete/all"))
        .header("Authorization", &api.auth)
        .send()
        .await?;
    assert_eq!(resp.status(), 200);
    let after = api.emu.dataset();
    assert!(after.users.iter().all(|u| !u.test));
    assert_eq!(after.users.len(), before.users.len() - demo_tests);
    let (_, v) = api.post("/v2/mgmt/user/search/test", json!({})).await;
    assert_eq!(v["total"], 0);
    // Search still finds the remaining users by login id (the indexes are intact).
    let last = after.users.last().unwrap();
    let (s, v) = api
        .get(&format!("/v1/mgmt/user?loginId={}", last.login_ids[0]))
        .await;
    assert_eq!(
        (s, v["user"]["userId"].as_str()),
        (200, Some(last.user_id.as_str()))
    );
    Ok(())
}

#[tokio::test]
async fn delete_takes_login_id_or_user_id_in_either_key() -> TestResult {
    let api = Api::demo().await;
    let users = api.emu.dataset().users;
    // GO: both keys, one empty.
    let (s, v) = api
        .post(
            "/v1/mgmt/user/delete",
            json!({"loginId": users[0].login_ids[0], "userId": ""}),
        )
        .await;
    assert_eq!((s, &v), (200, &json!({})));
    let (s, _) = api
        .post(
            "/v1/mgmt/user/delete",
            json!({"loginId": "", "userId": users[1].user_id}),
        )
        .await;
    assert_eq!(s, 200);
    // PY/NODE: one key; a user id in `loginId` works too.
    let (s, _) = api
        .post("/v1/mgmt/user/delete", json!({"loginId": users[2].user_id}))
        .await;
    assert_eq!(s, 200);
    for u in &users[..3] {
        assert_eq!(
            api.get(&format!("/v1/mgmt/user?userId={}", u.user_id))
                .await
                .0,
            404
        );
    }
    let (s, v) = api
        .post(
            "/v1/mgmt/user/delete",
            json!({"loginId": users[0].login_ids[0]}),
        )
        .await;
    assert_error(s, &v, 404, "E112102");
    let (s, v) = api
        .post("/v1/mgmt/user/delete", json!({"loginId": "", "userId": ""}))
        .await;
    assert_error(s, &v, 400, "E011002");
    Ok(())
}

#[tokio::test]
async fn delete_batch_is_all_or_nothing() -> TestResult {
    let api = Api::demo().await;
    let users = api.emu.dataset().users;
    let ids = [users[4].user_id.clone(), users[7].user_id.clone()];
    let (s, v) = api
        .post(
            "/v1/mgmt/user/delete/batch",
            json!({"userIds": [ids[0], "U2nobody", ids[1]]}),
        )
        .await;
    assert_error(s, &v, 404, "E112102");
    assert_eq!(api.emu.dataset().users.len(), users.len(), "nobody deleted");
    let (s, v) = api
        .post("/v1/mgmt/user/delete/batch", json!({"userIds": ids}))
        .await;
    assert_eq!((s, &v), (200, &json!({})));
    let left = api.emu.dataset().users;
    assert_eq!(left.len(), users.len() - 2);
    assert!(left.iter().all(|u| !ids.contains(&u.user_id)));
    // Deleted users leave their groups too.
    assert!(
        api.emu
            .dataset()
            .groups
            .iter()
            .flat_map(|g| &g.members)
            .all(|m| !ids.contains(&m.user_id))
    );
    for body in [json!({}), json!({"userIds": []}), json!({"userIds": null})] {
        let (s, v) = api.post("/v1/mgmt/user/delete/batch", body).await;
        assert_error(s, &v, 400, "E011002");
    }
    let (s, v) = api
        .post("/v1/mgmt/user/delete/batch", json!({"loginIds": ["x"]}))
        .await;
    assert_error(s, &v, 400, "E011003");
    Ok(())
}

#[tokio::test]
async fn logout_names_an_existing_user() -> TestResult {
    let api = Api::demo().await;
    let u = api.emu.dataset().users[0].clone();
    for body in [
        json!({"loginId": u.login_ids[0]}),
        json!({"userId": u.user_id}),
        // GO: both keys, the unused one empty, and sessionTypes null or a list.
        json!({"userId": "", "loginId": u.login_ids[0], "sessionTypes": null}),
        json!({"userId": u.user_id, "loginId": "", "sessionTypes": ["web"]}),
    ] {
        let (s, v) = api.post("/v1/mgmt/user/logout", body.clone()).await;
        assert_eq!((s, &v), (200, &json!({})), "{body}");
    }
    let (s, v) = api
        .post("/v1/mgmt/user/logout", json!({"loginId": "ghost@x.io"}))
        .await;
    assert_error(s, &v, 404, "E112102");
    let (s, v) = api.post("/v1/mgmt/user/logout", json!({})).await;
    assert_error(s, &v, 400, "E011002");
    assert_eq!(api.emu.dataset().users[0], u, "logout changes no data");
    Ok(())
}
