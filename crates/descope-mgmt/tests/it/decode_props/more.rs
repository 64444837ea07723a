//! Hostile success and error bodies through the access key, SSO app, audit, lifecycle and
//! group endpoints: a value or a typed error, never a panic, never a leaked secret.

use descope_mgmt::{
    Client, CreateAccessKeyRequest, CreateUserRequest, InviteOptions, SearchAccessKeysRequest,
    SearchAuditRequest, UpdateAccessKeyRequest,
};
use futures::TryStreamExt;
use proptest::prelude::*;
use wiremock::{Mock, MockServer};

use super::{Answer, CASES, body, decoded, runner};
use crate::{MANAGEMENT_KEY, client};

/// Calls that decode a body; the number of requests they send is `ENDPOINTS`.
const ENDPOINTS: usize = 13;

async fn every_new_endpoint(c: &Client, is_json: bool) -> Result<(), TestCaseError> {
    let keys = c.access_keys();
    decoded(
        "access_keys.search",
        keys.search(&SearchAccessKeysRequest::new()).await,
        is_json,
    )?;
    decoded("access_keys.load", keys.load("K1").await, is_json)?;
    decoded(
        "access_keys.create",
        keys.create(&CreateAccessKeyRequest::new("n")).await,
        is_json,
    )?;
    decoded(
        "access_keys.update",
        keys.update(&UpdateAccessKeyRequest::new("K1", "n")).await,
        is_json,
    )?;
    decoded("access_keys.rotate", keys.rotate("K1").await, is_json)?;
    decoded("sso_apps.all", c.sso_apps().all().await, is_json)?;
    decoded("sso_apps.load", c.sso_apps().load("SA1").await, is_json)?;
    decoded(
        "audit.search",
        c.audit().search(&SearchAuditRequest::new()).await,
        is_json,
    )?;
    // One page only: the walk's own stopping rules are tested elsewhere.
    decoded(
        "audit.search_all",
        c.audit()
            .search_all(SearchAuditRequest::new().to(1).size(1000))
            .try_next()
            .await,
        is_json,
    )?;
    let users = c.users();
    decoded(
        "users.history",
        users.history(&["U1".into()]).await,
        is_json,
    )?;
    decoded(
        "users.invite",
        users
            .invite(&CreateUserRequest::new("a@b.c"), &InviteOptions::new())
            .await,
        is_json,
    )?;
    decoded(
        "users.add_sso_apps",
        users.add_sso_apps("U1", &["SA1".into()]).await,
        is_json,
    )?;
    decoded(
        "groups.for_members",
        c.groups().for_members("T1", &[], &["U1".into()]).await,
        is_json,
    )?;
    Ok(())
}

#[test]
fn hostile_success_bodies_through_every_new_endpoint() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let answer = Answer::default();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(answer.clone())
            .mount(&server)
            .await;
        server
    });
    let c = client(&server);
    runner()
        .run(&body(), |(body, is_json)| {
            answer.set(200, body, "application/json");
            rt.block_on(every_new_endpoint(&c, is_json))
        })
        .unwrap();
    let received = rt.block_on(server.received_requests()).unwrap_or_default();
    assert_eq!(
        received.len(),
        CASES as usize * ENDPOINTS,
        "every case reached every endpoint"
    );
}

#[test]
fn hostile_error_bodies_from_a_create_keep_status_and_hide_keys() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let answer = Answer::default();
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(answer.clone())
            .mount(&server)
            .await;
        server
    });
    let c = client(&server);
    let statuses = proptest::sample::select(&[400u16, 401, 403, 404, 429, 500, 503][..]);
    runner()
        .run(&(statuses, body()), |(status, (body, _))| {
            answer.set(status, body, "text/html");
            let err = rt
                .block_on(c.access_keys().create(&CreateAccessKeyRequest::new("n")))
                .err()
                .ok_or_else(|| TestCaseError::fail("an error status decoded as success"))?;
            prop_assert_eq!(err.status(), Some(status));
            let shown = format!("{err} {err:?}");
            prop_assert!(!shown.contains(MANAGEMENT_KEY));
            Ok(())
        })
        .unwrap();
}
