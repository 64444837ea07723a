//! "Not found" must mean Descope said so. A base URL that points at something other than the
//! Descope API (a wrong URL, a proxy, a plain file server) answers 404 pages, redirects or 200
//! HTML pages: none of that may read as "not found" (a revoke would report "already revoked"),
//! nor as success, and every such error names the base URL.

use std::future::Future;
use std::pin::Pin;

use descope_mgmt::{Client, DecodeIssue, Error};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

type Call = Box<dyn Fn(Client) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>>;

/// The operations a connector relies on to tell "absent" from "changed": method, path, and the
/// call.
fn operations() -> Vec<(&'static str, &'static str, Call)> {
    vec![
        (
            "GET",
            "/v1/mgmt/user",
            Box::new(|c: Client| {
                Box::pin(async move { c.users().load("jane@acme.io").await.map(|_| ()) })
            }),
        ),
        (
            "POST",
            "/v2/mgmt/user/update/role/add",
            Box::new(|c: Client| {
                Box::pin(async move {
                    c.users()
                        .add_roles("U1", &["viewer".into()], Some("T1"))
                        .await
                        .map(|_| ())
                })
            }),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/role/remove",
            Box::new(|c: Client| {
                Box::pin(async move {
                    c.users()
                        .remove_roles("U1", &["viewer".into()], None)
                        .await
                        .map(|_| ())
                })
            }),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/tenant/add",
            Box::new(|c: Client| {
                Box::pin(async move { c.users().add_tenant("U1", "T1").await.map(|_| ()) })
            }),
        ),
        (
            "POST",
            "/v1/mgmt/user/update/tenant/remove",
            Box::new(|c: Client| {
                Box::pin(async move { c.users().remove_tenant("U1", "T1").await.map(|_| ()) })
            }),
        ),
        (
            "GET",
            "/v1/mgmt/tenant",
            Box::new(|c: Client| Box::pin(async move { c.tenants().load("T1").await.map(|_| ()) })),
        ),
        (
            "POST",
            "/v1/mgmt/role/delete",
            Box::new(|c: Client| Box::pin(async move { c.roles().delete("viewer", None).await })),
        ),
    ]
}

fn foreign_answers() -> Vec<(&'static str, ResponseTemplate)> {
    vec![
        (
            "404 with an HTML page",
            ResponseTemplate::new(404).set_body_raw(
                "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>",
                "text/html",
            ),
        ),
        ("404 with an empty body", ResponseTemplate::new(404)),
        (
            "404 with plain text",
            ResponseTemplate::new(404).set_body_raw("404 page not found\n", "text/plain"),
        ),
        (
            "404 with JSON without errorCode",
            ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found", "status": 404})),
        ),
        (
            "302 redirect",
            ResponseTemplate::new(302)
                .insert_header("Location", "https://login.example.com/sso?session=s3cr3t"),
        ),
        (
            "200 with an HTML page",
            ResponseTemplate::new(200).set_body_raw(
                "<html><head><title>Sign in</title></head><body>portal</body></html>",
                "text/html",
            ),
        ),
    ]
}

#[tokio::test]
async fn nothing_but_descope_says_not_found_and_foreign_answers_name_the_base_url() -> TestResult {
    for (verb, path, call) in operations() {
        for (what, answer) in foreign_answers() {
            let server = MockServer::start().await;
            mgmt(verb, path)
                .respond_with(answer)
                .expect(1)
                .mount(&server)
                .await;
            let err = match call(client(&server)).await {
                Err(err) => err,
                Ok(()) => return Err(format!("{path}, {what}: reported success").into()),
            };
            let text = err.to_string();
            assert!(!err.is_not_found(), "{path}, {what}: {text}");
            assert!(!err.is_from_descope(), "{path}, {what}: {text}");
            assert!(!err.is_retryable(), "{path}, {what}: {text}");
            assert!(text.contains(&server.uri()), "{path}, {what}: {text}");
            assert!(text.contains("base URL"), "{path}, {what}: {text}");
            match &err {
                Error::Decode { issue, .. } => {
                    assert_eq!(*issue, DecodeIssue::NotJson, "{path}, {what}")
                }
                Error::Api(api) => {
                    assert!(api.error_code.is_empty());
                    assert_eq!(api.base_url, format!("{}/", server.uri()));
                }
                other => return Err(format!("{path}, {what}: unexpected {other:?}").into()),
            }
            if what.starts_with("302") {
                assert!(text.contains("redirect") && text.contains("https://login.example.com"));
                assert!(!text.contains("s3cr3t"), "{text}");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn descope_not_found_is_still_not_found() -> TestResult {
    for (verb, path, call) in operations() {
        let server = MockServer::start().await;
        mgmt(verb, path)
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({
                "errorCode": "E112102", "errorDescription": "User not found",
                "errorMessage": "Failed loading user"
            })))
            .expect(1)
            .mount(&server)
            .await;
        let err = call(client(&server))
            .await
            .expect_err("a Descope not-found error");
        assert!(err.is_not_found() && err.is_from_descope(), "{path}: {err}");
        assert_eq!(
            err.to_string(),
            "Descope API error (HTTP 404, E112102): User not found: Failed loading user"
        );
    }
    // An undocumented Descope code on a 404 (a missing tenant or role) counts too.
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/tenant")
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({"errorCode": "E123456", "errorDescription": "Tenant not found"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        client(&server)
            .tenants()
            .load("T1")
            .await
            .unwrap_err()
            .is_not_found()
    );
    Ok(())
}

#[tokio::test]
async fn a_success_without_a_body_or_with_json_is_accepted_for_unit_calls() -> TestResult {
    for answer in [
        ResponseTemplate::new(200),
        ResponseTemplate::new(200).set_body_json(json!({})),
    ] {
        let server = MockServer::start().await;
        mgmt("POST", "/v1/mgmt/role/delete")
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        client(&server).roles().delete("viewer", None).await?;
    }
    Ok(())
}
