//! Hostile response bodies through the public API: a wiremock server answers every request with
//! the generated body, and every decoding endpoint must return a value or a typed error, never
//! panic. The `decoders` tests run thousands of cases on the decoders directly; here a small
//! case count proves the same holds end to end (transport, envelopes, SCIM) and stays fast.

use std::sync::{Arc, Mutex};

use descope_mgmt::{
    Client, CreateTenantRequest, Error, ScimListQuery, SearchUsersRequest, SecretString,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Number, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{MANAGEMENT_KEY, client};

const CASES: u32 = 64;

const KEYS: &[&str] = &[
    "userId",
    "loginIds",
    "userTenants",
    "roleNames",
    "total",
    "users",
    "user",
    "TOTP",
    "createdTime",
    "status",
    "tenants",
    "roles",
    "permissions",
    "id",
    "name",
    "Resources",
    "totalResults",
    "errorCode",
    "errorDescription",
    "errorMessage",
    "members",
    "loginID",
];

/// The response every request gets: status, body, content type.
#[derive(Clone, Default)]
struct Answer(Arc<Mutex<(u16, Vec<u8>, &'static str)>>);

impl Answer {
    fn set(&self, status: u16, body: Vec<u8>, content_type: &'static str) {
        if let Ok(mut a) = self.0.lock() {
            *a = (status, body, content_type);
        }
    }
}

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (status, body, content_type) = self.0.lock().map(|a| a.clone()).unwrap_or_default();
        ResponseTemplate::new(status).set_body_raw(body, content_type)
    }
}

fn json_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        "-?[0-9]{1,21}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(str::to_owned),
            1 => "\\PC{0,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body: JSON tree, raw bytes, or an HTML page; with whether it is JSON.
fn body() -> impl Strategy<Value = (Vec<u8>, bool)> {
    prop_oneof![
        4 => json_tree().prop_map(|v| (serde_json::to_vec(&v).unwrap_or_default(), true)),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(|b| (b, false)),
        1 => "\\PC{0,64}".prop_map(|t| {
            (format!("<!DOCTYPE html><html><head><title>{t}</title></head><body>{t}</body></html>").into_bytes(), false)
        }),
    ]
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// A decoding result must be a value or a decode error (with a path for JSON bodies).
fn decoded<T>(what: &str, r: Result<T, Error>, is_json: bool) -> Result<(), TestCaseError> {
    match r {
        Ok(_) => Ok(()),
        Err(Error::Decode { path, message, .. }) => {
            prop_assert!(!message.is_empty(), "{what}");
            prop_assert!(
                !is_json || !path.is_empty(),
                "{what}: empty path ({message})"
            );
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("{what}: {other:?}"))),
    }
}

async fn every_endpoint(c: &Client, is_json: bool) -> Result<(), TestCaseError> {
    let users = c.users();
    decoded(
        "search",
        users.search(&SearchUsersRequest::new()).await,
        is_json,
    )?;
    decoded("load", users.load("a@b.c").await, is_json)?;
    decoded("load_many", users.load_many(&["U1".into()]).await, is_json)?;
    decoded("tenants.all", c.tenants().all().await, is_json)?;
    decoded("tenants.load", c.tenants().load("T1").await, is_json)?;
    decoded(
        "tenants.create",
        c.tenants().create(&CreateTenantRequest::new("Acme")).await,
        is_json,
    )?;
    decoded("roles.all", c.roles().all().await, is_json)?;
    decoded("permissions.all", c.permissions().all().await, is_json)?;
    decoded("groups.all", c.groups().all("T1").await, is_json)?;
    let scim = c.scim(SecretString::from("K2scimkey"));
    decoded(
        "scim.list_users",
        scim.list_users(&ScimListQuery::default()).await,
        is_json,
    )?;
    decoded("scim.get_user", scim.get_user("U1").await, is_json)?;
    Ok(())
}

#[test]
fn hostile_success_bodies_through_every_endpoint() {
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
            rt.block_on(every_endpoint(&c, is_json))
        })
        .unwrap();
    let received = rt.block_on(server.received_requests()).unwrap_or_default();
    assert_eq!(
        received.len(),
        CASES as usize * 11,
        "every case reached every endpoint"
    );
}

#[test]
fn hostile_error_bodies_keep_status_and_stay_small() {
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
    let statuses = proptest::sample::select(&[400u16, 401, 403, 404, 429, 500, 502, 503, 520][..]);
    runner()
        .run(&(statuses, body()), |(status, (body, _))| {
            answer.set(status, body, "text/html");
            let err = rt
                .block_on(c.users().load("a@b.c"))
                .err()
                .ok_or_else(|| TestCaseError::fail("an error status decoded as success"))?;
            let api = err
                .api_error()
                .ok_or_else(|| TestCaseError::fail(format!("{err:?}")))?;
            prop_assert_eq!(api.status, status);
            prop_assert!(api.message.len() <= 1024 && api.description.len() <= 1024);
            prop_assert_eq!(err.is_retryable(), status == 429 || status >= 500);
            let shown = format!("{err} {err:?}");
            prop_assert!(!shown.contains(MANAGEMENT_KEY));
            Ok(())
        })
        .unwrap();
}

/// The endpoints of access keys, SSO apps, audit, account lifecycle and groups.
mod more;
