//! Single-object answers that hold no object: `200 {}`, `{"user":null}`, `{"user":{}}` and
//! another user than the one asked for, on every endpoint answered with one user (and the
//! access key and tenant loads). Each is an error naming the base URL, never a user.

use descope_mgmt::{
    Client, CreateUserRequest, DecodeIssue, Error, InviteOptions, PatchUserRequest,
    UpdateAccessKeyRequest, UpdateUserRequest, User, UserStatusUpdate,
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

/// The bad answers of a single-user endpoint asked about `U2abc` / `jane@acme.io`.
fn bad_user_answers() -> Vec<(&'static str, Value)> {
    vec![
        ("no user", json!({})),
        ("null user", json!({"user": null})),
        ("empty user", json!({"user": {}})),
        (
            "another user",
            json!({"user": {"userId": "U2other", "loginIds": ["bob@acme.io"]}}),
        ),
    ]
}

type Call = fn(Client) -> futures::future::BoxFuture<'static, Result<User, Error>>;

/// Every endpoint answered with one user: (method, path, call).
fn user_endpoints() -> Vec<(&'static str, &'static str, Call)> {
    vec![
        ("GET", "/v1/mgmt/user", |c| {
            Box::pin(async move { c.users().load("jane@acme.io").await })
        }),
        ("GET", "/v1/mgmt/user", |c| {
            Box::pin(async move { c.users().load_by_user_id("U2abc").await })
        }),
        ("POST", "/v1/mgmt/user/update", |c| {
            Box::pin(async move {
                let mut req = UpdateUserRequest::from_user(&User::default());
                req.login_id = "U2abc".into();
                c.users().update(&req).await
            })
        }),
        ("PATCH", "/v1/mgmt/user/patch", |c| {
            Box::pin(async move {
                let mut req = PatchUserRequest::default();
                req.login_id = "U2abc".into();
                c.users().patch(&req).await
            })
        }),
        ("POST", "/v1/mgmt/user/update/status", |c| {
            Box::pin(async move {
                c.users()
                    .update_status("U2abc", UserStatusUpdate::Disabled)
                    .await
            })
        }),
        ("POST", "/v2/mgmt/user/update/role/add", |c| {
            Box::pin(async move {
                c.users()
                    .add_roles("U2abc", &["viewer".to_owned()], None)
                    .await
            })
        }),
        ("POST", "/v1/mgmt/user/update/role/add", |c| {
            Box::pin(async move {
                c.users()
                    .add_roles_v1("U2abc", &["viewer".to_owned()], Some("T1"))
                    .await
            })
        }),
        ("POST", "/v1/mgmt/user/update/role/remove", |c| {
            Box::pin(async move {
                c.users()
                    .remove_roles("U2abc", &["viewer".to_owned()], None)
                    .await
            })
        }),
        ("POST", "/v1/mgmt/user/update/role/set", |c| {
            Box::pin(async move {
                c.users()
                    .set_roles("U2abc", &["viewer".to_owned()], None)
                    .await
            })
        }),
        ("POST", "/v1/mgmt/user/update/tenant/add", |c| {
            Box::pin(async move { c.users().add_tenant("U2abc", "T1").await })
        }),
        ("POST", "/v1/mgmt/user/update/tenant/remove", |c| {
            Box::pin(async move { c.users().remove_tenant("U2abc", "T1").await })
        }),
        ("POST", "/v1/mgmt/user/update/ssoapp/add", |c| {
            Box::pin(async move { c.users().add_sso_apps("U2abc", &["SA1".to_owned()]).await })
        }),
        ("POST", "/v1/mgmt/user/update/ssoapp/set", |c| {
            Box::pin(async move { c.users().set_sso_apps("U2abc", &["SA1".to_owned()]).await })
        }),
        ("POST", "/v1/mgmt/user/update/ssoapp/remove", |c| {
            Box::pin(async move {
                c.users()
                    .remove_sso_apps("U2abc", &["SA1".to_owned()])
                    .await
            })
        }),
    ]
}

fn assert_refused(err: &Error, base_url: &str, context: &str) {
    assert!(
        matches!(
            err,
            Error::Decode {
                issue: DecodeIssue::Shape,
                ..
            }
        ),
        "{context}: {err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(base_url),
        "{context}: names the base URL: {text}"
    );
    assert!(!err.is_not_found() && !err.is_retryable(), "{context}");
}

#[tokio::test]
async fn every_single_user_answer_must_hold_the_user_asked_for() -> TestResult {
    for (verb, path, call) in user_endpoints() {
        for (what, body) in bad_user_answers() {
            let server = MockServer::start().await;
            mgmt(verb, path)
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .expect(1)
                .mount(&server)
                .await;
            let err = call(client(&server))
                .await
                .expect_err(&format!("{path} answering {what}"));
            assert_refused(&err, &server.uri(), &format!("{path} answering {what}"));
        }
        // The same endpoint answering the user asked for (by user id, or by login id in any
        // case) is accepted.
        let server = MockServer::start().await;
        mgmt(verb, path)
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"user": {"userId": "U2abc", "loginIds": ["Jane@Acme.io"]}}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
        let user = call(client(&server)).await?;
        assert_eq!(user.user_id, "U2abc", "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn creates_must_answer_with_a_user_id() -> TestResult {
    for (what, body) in [
        ("no user", json!({})),
        ("null user", json!({"user": null})),
        ("empty user", json!({"user": {}})),
    ] {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(3)
            .mount(&server)
            .await;
        let c = client(&server);
        let req = CreateUserRequest::new("jane@acme.io");
        let results = [
            c.users().create(&req).await,
            c.users().invite(&req, &InviteOptions::new()).await,
            c.users().create_test_user(&req).await,
        ];
        for result in results {
            let err = result.expect_err(what);
            assert_refused(&err, &server.uri(), what);
        }
    }
    Ok(())
}

#[tokio::test]
async fn key_and_tenant_answers_must_hold_the_one_asked_for() -> TestResult {
    for (what, body) in [
        ("no key", json!({})),
        ("null key", json!({"key": null})),
        ("empty key", json!({"key": {}})),
        (
            "another key",
            json!({"key": {"id": "K2other", "name": "x"}}),
        ),
    ] {
        let server = MockServer::start().await;
        mgmt("GET", "/v1/mgmt/accesskey")
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
        mgmt("POST", "/v1/mgmt/accesskey/update")
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        let err = c.access_keys().load("K2abc").await.expect_err(what);
        assert_refused(&err, &server.uri(), what);
        let mut req = UpdateAccessKeyRequest::new("K2abc", "ci");
        req.role_names = Some(vec!["viewer".into()]);
        let err = c.access_keys().update(&req).await.expect_err(what);
        assert_refused(&err, &server.uri(), what);
    }
    for (what, body) in [
        ("no tenant", json!({})),
        ("another tenant", json!({"id": "T2", "name": "Globex"})),
    ] {
        let server = MockServer::start().await;
        mgmt("GET", "/v1/mgmt/tenant")
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server).tenants().load("T1").await.expect_err(what);
        assert_refused(&err, &server.uri(), what);
    }
    Ok(())
}
