//! Account lifecycle endpoints of `client.users()` against wiremock.

use std::collections::BTreeMap;
use std::time::Duration;

use descope_mgmt::{
    AssociatedTenant, CreateUserRequest, Error, InviteOptions, RateLimitConfig, RateWindow,
    RetryConfig, User,
};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::body_json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, client, fixture, mgmt};

fn user_resp() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "user": fixture("user") }))
}

#[tokio::test]
async fn invite_sends_create_with_the_invitation_fields() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/create")
        .and(body_json(json!({
            "loginId": "jane@acme.io", "email": "jane@acme.io",
            "userTenants": [{"tenantId": "T1", "roleNames": ["viewer"]}],
            "invite": true, "inviteUrl": "https://app.acme.io/accept", "sendMail": true,
            "sendSMS": false, "templateId": "tmpl-1", "templateOptions": {"company": "Acme"},
            "locale": "en"
        })))
        .respond_with(user_resp())
        .expect(1)
        .mount(&server)
        .await;
    let mut template = BTreeMap::new();
    template.insert("company".to_owned(), "Acme".to_owned());
    let user = client(&server)
        .users()
        .invite(
            &CreateUserRequest::new("jane@acme.io")
                .email("jane@acme.io")
                .user_tenants(vec![AssociatedTenant::new("T1", ["viewer"])])
                // The options win over the request's own invitation fields.
                .locale("fr"),
            &InviteOptions::new()
                .invite_url("https://app.acme.io/accept")
                .send_mail(true)
                .send_sms(false)
                .template_id("tmpl-1")
                .template_options(template)
                .locale("en"),
        )
        .await?;
    assert_eq!(user.user_id, "U2abc");
    Ok(())
}

#[tokio::test]
async fn create_test_user_posts_to_its_own_path_with_the_test_flag() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/create/test")
        .and(body_json(
            json!({"loginId": "test-1@acme.io", "email": "test-1@acme.io", "test": true}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"user": {"userId": "U2test", "test": true}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let user = client(&server)
        .users()
        .create_test_user(&CreateUserRequest::new("test-1@acme.io").email("test-1@acme.io"))
        .await?;
    assert!(user.test);
    Ok(())
}

#[tokio::test]
async fn deletes_and_logouts_send_the_right_key() -> TestResult {
    let server = MockServer::start().await;
    for (p, body) in [
        ("/v1/mgmt/user/delete", json!({"userId": "U1"})),
        (
            "/v1/mgmt/user/delete/batch",
            json!({"userIds": ["U1", "U2"]}),
        ),
        ("/v1/mgmt/user/logout", json!({"loginId": "jane@acme.io"})),
        ("/v1/mgmt/user/logout", json!({"userId": "U1"})),
    ] {
        mgmt("POST", p)
            .and(body_json(body))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
    }
    mgmt("DELETE", "/v1/mgmt/user/test/delete/all")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let users = c.users();
    users.delete_by_user_id("U1").await?;
    users.delete_batch(&["U1".into(), "U2".into()]).await?;
    users.logout("jane@acme.io").await?;
    users.logout_by_user_id("U1").await?;
    users.delete_all_test_users().await?;
    Ok(())
}

#[tokio::test]
async fn sso_app_assignment_sends_lower_case_ids_key() -> TestResult {
    let server = MockServer::start().await;
    for op in ["add", "set", "remove"] {
        mgmt("POST", &format!("/v1/mgmt/user/update/ssoapp/{op}"))
            .and(body_json(
                json!({"loginId": "jane@acme.io", "ssoAppIds": ["SA1", "SA2"]}),
            ))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"user": {"userId": "U2abc", "loginIds": ["jane@acme.io"], "ssoAppIDs": ["SA1", "SA2"]}}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    // `set` with an empty list is sent as such (Descope reads it as "every app").
    mgmt("POST", "/v1/mgmt/user/update/ssoapp/set")
        .and(body_json(json!({"loginId": "U2abc", "ssoAppIds": []})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"user": {"userId": "U2abc"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let users = c.users();
    let apps = ["SA1".to_owned(), "SA2".to_owned()];
    let u = users.add_sso_apps("jane@acme.io", &apps).await?;
    // The user model reads both spellings of the key.
    assert_eq!(u.sso_app_ids, apps);
    users.set_sso_apps("jane@acme.io", &apps).await?;
    users.remove_sso_apps("jane@acme.io", &apps).await?;
    assert!(
        users
            .set_sso_apps("U2abc", &[])
            .await?
            .sso_app_ids
            .is_empty()
    );
    let lower: User = serde_json::from_value(json!({"ssoAppIds": ["SA9"]}))?;
    assert_eq!(lower.sso_app_ids, ["SA9"]);
    Ok(())
}

#[tokio::test]
async fn history_sends_a_bare_array_and_reads_both_answers() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/history")
        .and(body_json(json!(["U1", "U2"])))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"userId": "U1", "loginTime": 1_700_000_000, "city": "Paris", "country": "FR",
             "ip": "1.2.3.4", "selectedTenant": "T1"},
            {"userId": "U2", "loginTime": "1700000100"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/user/history")
        .and(body_json(json!(["U3"])))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"usersAuthHistory": [{"userId": "U3", "loginTime": 5}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let h = c.users().history(&["U1".into(), "U2".into()]).await?;
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0].city.as_str(), h[0].selected_tenant.as_str()),
        ("Paris", "T1")
    );
    assert_eq!(h[1].login_time, 1_700_000_100);
    assert_eq!(c.users().history(&["U3".into()]).await?[0].user_id, "U3");
    // Nothing to ask: nothing sent.
    assert!(c.users().history(&[]).await?.is_empty());
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn history_batched_chunks_the_ids_through_the_rate_limiter() -> TestResult {
    let server = MockServer::start().await;
    for chunk in [json!(["U1", "U2"]), json!(["U3", "U4"]), json!(["U5"])] {
        let answer: Vec<_> = chunk
            .as_array()
            .map(|ids| ids.iter().map(|id| json!({"userId": id})).collect())
            .unwrap_or_default();
        mgmt("POST", "/v1/mgmt/user/history")
            .and(body_json(chunk))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .expect(1)
            .mount(&server)
            .await;
    }
    let minute = Duration::from_secs(60);
    let c = builder(&server)
        .rate_limit(RateLimitConfig::custom(
            RateWindow::new(200, minute),
            RateWindow::new(2, minute),
        ))
        .__disable_timeouts()
        .build()?;
    let ids: Vec<String> = (1..=5).map(|i| format!("U{i}")).collect();
    let start = Instant::now();
    let h = c.users().history_batched(&ids, 2).await?;
    let got: Vec<&str> = h.iter().map(|r| r.user_id.as_str()).collect();
    assert_eq!(got, ["U1", "U2", "U3", "U4", "U5"]);
    // Two calls fit the window; the third waits for it.
    assert_eq!(start.elapsed(), minute);
    Ok(())
}

#[tokio::test]
async fn history_batched_uses_the_default_chunk_for_zero() -> TestResult {
    let server = MockServer::start().await;
    let ids: Vec<String> = (0..150).map(|i| format!("U{i}")).collect();
    for chunk in ids.chunks(descope_mgmt::DEFAULT_HISTORY_CHUNK) {
        mgmt("POST", "/v1/mgmt/user/history")
            .and(body_json(json!(chunk)))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(null)))
            .expect(1)
            .mount(&server)
            .await;
    }
    assert!(
        client(&server)
            .users()
            .history_batched(&ids, 0)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() -> TestResult {
    let server = MockServer::start().await;
    let c = client(&server);
    let users = c.users();
    let bad = |r: Result<(), Error>| matches!(r, Err(Error::InvalidArgument(_)));
    assert!(bad(users
        .invite(&CreateUserRequest::new(""), &InviteOptions::new())
        .await
        .map(|_| ())));
    assert!(bad(users
        .create_test_user(&CreateUserRequest::new(""))
        .await
        .map(|_| ())));
    assert!(bad(users.delete_by_user_id("").await));
    assert!(bad(users.delete_batch(&[]).await));
    assert!(bad(users.delete_batch(&["U1".into(), String::new()]).await));
    assert!(bad(users.logout("").await));
    assert!(bad(users.logout_by_user_id("").await));
    assert!(bad(users
        .add_sso_apps("", &["SA1".into()])
        .await
        .map(|_| ())));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    Ok(())
}

fn retrying(server: &MockServer) -> descope_mgmt::Client {
    builder(server)
        .retry(RetryConfig::default().base_delay(Duration::from_millis(1)))
        .__disable_timeouts()
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn invite_is_not_retried_but_sso_set_and_history_are() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/create")
        .and(body_json(json!({"loginId": "a@b.c", "invite": true})))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    for (p, body, answer) in [
        (
            "/v1/mgmt/user/update/ssoapp/set",
            json!({"loginId": "U1", "ssoAppIds": ["SA1"]}),
            json!({"user": {"userId": "U1"}}),
        ),
        ("/v1/mgmt/user/history", json!(["U1"]), json!([])),
        ("/v1/mgmt/user/delete", json!({"userId": "U1"}), json!({})),
    ] {
        mgmt("POST", p)
            .and(body_json(body.clone()))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        mgmt("POST", p)
            .and(body_json(body))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = retrying(&server);
    let err = c
        .users()
        .invite(&CreateUserRequest::new("a@b.c"), &InviteOptions::new())
        .await
        .err()
        .ok_or("invited")?;
    assert_eq!(err.status(), Some(503));
    c.users().set_sso_apps("U1", &["SA1".into()]).await?;
    c.users().history(&["U1".into()]).await?;
    c.users().delete_by_user_id("U1").await?;
    assert_eq!(c.metrics().retries, 3);
    Ok(())
}
