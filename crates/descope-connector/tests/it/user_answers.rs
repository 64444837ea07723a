//! Every user provisioning path against a server (a proxy, a mock, a misrouted base URL) that
//! answers 200 without the user: `{}`, `{"user":null}`, `{"user":{}}`, a user without an id that
//! shows the change, and another user that shows it. On the load that decides the change, and on
//! the write (or the read that confirms it), each is an error naming the base URL: never a
//! success, never "already revoked", never a write decided from such a load.

use c1_connector_sdk::connector::{Connector, resource_id_value};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_mgmt::{Client, RateLimitConfig, RetryConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn connector(server: &MockServer) -> TestResult<DescopeConnector> {
    let client = Client::builder()
        .project_id("P2test")
        .management_key(SecretString::from("K2test".to_owned()))
        .base_url(server.uri())
        .license_handshake(false)
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    let config = DescopeConfig::new("P2test", SecretString::from("K2test".to_owned()))?;
    Ok(DescopeConnector::with_client(client, &config))
}

/// What one path does to user `U1`.
#[derive(Clone, Copy)]
enum Change {
    GrantRole,
    GrantTenant,
    GrantApp,
    RevokeRole,
    RevokeTenant,
    RevokeApp,
    /// Revoking one app from a user with every app (`ssoAppIds` empty): `ssoapp/set`.
    RevokeAppFromAll,
    Disable,
    Enable,
}

struct Case {
    change: Change,
    write: &'static str,
    /// The user's fields before the change, and after it.
    before: Value,
    after: Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            change: Change::GrantRole,
            write: "/v1/mgmt/user/update/role/add",
            before: json!({"roleNames": []}),
            after: json!({"roleNames": ["Editor"]}),
        },
        Case {
            change: Change::GrantTenant,
            write: "/v1/mgmt/user/update/tenant/add",
            before: json!({"userTenants": []}),
            after: json!({"userTenants": [{"tenantId": "T1", "roleNames": []}]}),
        },
        Case {
            change: Change::GrantApp,
            write: "/v1/mgmt/user/update/ssoapp/add",
            before: json!({"ssoAppIds": ["A1"]}),
            after: json!({"ssoAppIds": ["A1", "A2"]}),
        },
        Case {
            change: Change::RevokeRole,
            write: "/v1/mgmt/user/update/role/remove",
            before: json!({"roleNames": ["Viewer"]}),
            after: json!({"roleNames": []}),
        },
        Case {
            change: Change::RevokeTenant,
            write: "/v1/mgmt/user/update/tenant/remove",
            before: json!({"userTenants": [{"tenantId": "T1", "roleNames": []}]}),
            after: json!({"userTenants": []}),
        },
        Case {
            change: Change::RevokeApp,
            write: "/v1/mgmt/user/update/ssoapp/remove",
            before: json!({"ssoAppIds": ["A1", "A2"]}),
            after: json!({"ssoAppIds": ["A2"]}),
        },
        Case {
            change: Change::RevokeAppFromAll,
            write: "/v1/mgmt/user/update/ssoapp/set",
            before: json!({"ssoAppIds": []}),
            after: json!({"ssoAppIds": ["A2"]}),
        },
        Case {
            change: Change::Disable,
            write: "/v1/mgmt/user/update/status",
            before: json!({"status": "enabled"}),
            after: json!({"status": "disabled"}),
        },
        Case {
            change: Change::Enable,
            write: "/v1/mgmt/user/update/status",
            before: json!({"status": "disabled"}),
            after: json!({"status": "enabled"}),
        },
    ]
}

/// User `id` with `fields` laid over a plain enabled user.
fn user(id: Option<&str>, fields: &Value) -> Value {
    let mut user = json!({"loginIds": ["ann@acme.io"], "status": "enabled"});
    if let Some(id) = id {
        user["userId"] = json!(id);
    }
    if let (Some(u), Some(f)) = (user.as_object_mut(), fields.as_object()) {
        for (k, v) in f {
            u.insert(k.clone(), v.clone());
        }
    }
    user
}

/// Answers of one user that are not that user.
fn not_the_user(shown: &Value) -> Vec<(&'static str, Value)> {
    vec![
        ("{}", json!({})),
        ("null user", json!({"user": null})),
        ("empty user", json!({"user": {}})),
        ("no userId", json!({"user": user(None, shown)})),
        (
            "another user",
            json!({"user": {"userId": "U2other", "loginIds": ["bob@acme.io"], "status": shown["status"].clone(),
                   "roleNames": shown["roleNames"].clone(), "ssoAppIds": shown["ssoAppIds"].clone(),
                   "userTenants": shown["userTenants"].clone()}}),
        ),
    ]
}

/// What Descope lists, so every grant passes the check of its target.
async fn catalog(server: &MockServer) {
    for (p, body) in [
        (
            "/v1/mgmt/role/all",
            json!({"roles": [{"name": "Editor"}, {"name": "Viewer"}]}),
        ),
        ("/v1/mgmt/tenant", json!({"id": "T1", "name": "Acme"})),
        (
            "/v1/mgmt/sso/idp/apps/load",
            json!({"apps": [{"id": "A1"}, {"id": "A2"}]}),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
}

fn action_args() -> prost_types::Struct {
    let mut args = c1_connector_sdk::model::json_object_to_struct(serde_json::Map::new());
    args.fields.insert(
        "resource_id".into(),
        resource_id_value(&ResourceId::new("user", "U1")),
    );
    args
}

/// Runs `change` on user `U1`; `Ok` means the connector reported it done (or already so).
async fn run(c: &DescopeConnector, change: Change) -> Result<String, Error> {
    let syncers = c.syncers();
    let of = |ty: &str| {
        syncers
            .iter()
            .find(|s| s.resource_type().id == ty)
            .cloned()
            .expect("a syncer")
    };
    let principal = Resource::new("user", "U1", "Ann");
    let (ty, resource, slug) = match change {
        Change::GrantRole | Change::RevokeRole => ("role", "project/Editor", "assigned"),
        Change::GrantTenant | Change::RevokeTenant => ("tenant", "T1", "member"),
        Change::GrantApp => ("app", "A2", "access"),
        Change::RevokeApp | Change::RevokeAppFromAll => ("app", "A1", "access"),
        Change::Disable | Change::Enable => {
            let name = if matches!(change, Change::Disable) {
                "disable_user"
            } else {
                "enable_user"
            };
            let outcome = of("user")
                .action_provider()
                .expect("user actions")
                .invoke_action(name, &action_args())
                .await?;
            return Ok(format!("{outcome:?}"));
        }
    };
    let resource = if matches!(change, Change::RevokeRole) {
        "project/Viewer"
    } else {
        resource
    };
    let entitlement = Entitlement::assignment(&Resource::new(ty, resource, resource), slug);
    let provisioner = of(ty);
    let provisioner = provisioner.provisioner().expect("provisionable");
    let annotations = match change {
        Change::GrantRole | Change::GrantTenant | Change::GrantApp => {
            provisioner.grant(&principal, &entitlement).await?
        }
        _ => {
            provisioner
                .revoke(&Grant::new(&entitlement, principal))
                .await?
        }
    };
    Ok(format!("{annotations:?}"))
}

fn assert_refused(result: Result<String, Error>, base_url: &str, context: &str) {
    let err = match result {
        Ok(done) => panic!("{context}: reported done: {done}"),
        Err(err) => err,
    };
    assert!(
        err.to_string().contains(base_url),
        "{context}: names the base URL: {err}"
    );
}

#[tokio::test]
async fn a_load_without_the_user_decides_nothing() -> TestResult {
    for case in cases() {
        for (what, body) in not_the_user(&case.before) {
            let server = MockServer::start().await;
            catalog(&server).await;
            Mock::given(method("GET"))
                .and(path("/v1/mgmt/user"))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path(case.write))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
                .expect(0)
                .mount(&server)
                .await;
            let c = connector(&server)?;
            assert_refused(
                run(&c, case.change).await,
                &server.uri(),
                &format!("{} with a load answering {what}", case.write),
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_write_answered_without_the_user_is_not_done() -> TestResult {
    for case in cases() {
        for (what, body) in not_the_user(&case.after) {
            let server = MockServer::start().await;
            catalog(&server).await;
            // Descope holds the user as before the change, whatever the write answers.
            Mock::given(method("GET"))
                .and(path("/v1/mgmt/user"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"user": user(Some("U1"), &case.before)})),
                )
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path(case.write))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .expect(1)
                .mount(&server)
                .await;
            let c = connector(&server)?;
            let context = format!("{} answering {what}", case.write);
            assert_refused(run(&c, case.change).await, &server.uri(), &context);
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_delete_confirmed_by_a_load_without_the_user_is_not_done() -> TestResult {
    for (what, body) in not_the_user(&json!({})) {
        let server = MockServer::start().await;
        // The first load finds the user; the one after the delete answers without it.
        Mock::given(method("GET"))
            .and(path("/v1/mgmt/user"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"user": user(Some("U1"), &json!({}))})),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/mgmt/user"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/mgmt/user/delete"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let c = connector(&server)?;
        let syncers = c.syncers();
        let users = syncers
            .iter()
            .find(|s| s.resource_type().id == "user")
            .ok_or("a user syncer")?;
        let result = users
            .resource_deleter()
            .ok_or("users are deletable")?
            .delete(&ResourceId::new("user", "U1"), None)
            .await
            .map(|a| format!("{a:?}"));
        assert_refused(
            result,
            &server.uri(),
            &format!("delete confirmed by {what}"),
        );
    }
    Ok(())
}

/// `ssoapp/set` answered with the list it was sent (an echo) while Descope keeps the user's
/// empty list (every app): the fresh read decides, and the revoke is not reported done.
#[tokio::test]
async fn an_app_set_answer_that_echoes_the_request_is_not_trusted() -> TestResult {
    let server = MockServer::start().await;
    catalog(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/mgmt/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"user": user(Some("U1"), &json!({"ssoAppIds": []}))})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mgmt/user/update/ssoapp/set"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"user": user(Some("U1"), &json!({"ssoAppIds": ["A2"]}))})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server)?;
    let err = run(&c, Change::RevokeAppFromAll)
        .await
        .expect_err("Descope still gives every app");
    assert!(
        err.message().contains("ssoAppIds []"),
        "says what Descope holds: {err}"
    );
    Ok(())
}
