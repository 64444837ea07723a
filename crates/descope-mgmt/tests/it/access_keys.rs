//! Access key endpoints against wiremock: exact method, path, auth header and JSON body.

use std::time::{Duration, SystemTime};

use descope_mgmt::{
    AccessKeyStatus, AssociatedTenant, CreateAccessKeyRequest, Error, RetryConfig,
    SearchAccessKeysRequest, SortField, UpdateAccessKeyRequest,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, builder, client, mgmt};

const CLEARTEXT: &str = "K2cleartextSECRETvalue77";

fn key_json() -> Value {
    json!({"id":"K2abc","name":"ci","description":"deploys","roleNames":["reader"],
        "keyTenants":[{"tenantId":"T1","tenantName":"Acme","roleNames":["deployer"]}],
        "status":"active","createdTime":1_700_000_000,"expireTime":"1900000000",
        "createdBy":"admin@acme.io","clientId":"C1","boundUserId":"",
        "permittedIps":["10.0.0.0/8"],"customClaims":{"team":"infra"},
        "customAttributes":{"cost":7},"editable":true,"somethingNew":[1]})
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
}

#[tokio::test]
async fn search_sends_every_filter_and_decodes_keys() -> TestResult {
    let server = MockServer::start().await;
    let mut attrs = serde_json::Map::new();
    attrs.insert("cost".into(), json!(7));
    mgmt("POST", "/v1/mgmt/accesskey/search")
        .and(body_json(json!({
            "tenantIds": ["T1", "T2"], "boundUserId": "U1", "creatingUser": "admin",
            "customAttributes": {"cost": 7}, "sort": [{"field": "name", "desc": true}],
            "text": "ci"
        })))
        .respond_with(ok().set_body_json(json!({"keys": [key_json(), {"id": "K2min"}]})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/search")
        .and(body_json(json!({})))
        .respond_with(ok().set_body_json(json!({"keys": null})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let keys = c
        .access_keys()
        .search(
            &SearchAccessKeysRequest::new()
                .tenant_ids(["T1", "T2"])
                .bound_user_id("U1")
                .creating_user("admin")
                .custom_attributes(attrs)
                .sort(vec![SortField::desc("name")])
                .text("ci"),
        )
        .await?;
    assert_eq!(keys.len(), 2);
    let k = &keys[0];
    assert_eq!(k.status, AccessKeyStatus::Active);
    assert_eq!(k.expire_time, 1_900_000_000);
    assert_eq!(k.tenant_roles("T1"), ["deployer".to_owned()]);
    assert_eq!(k.key_tenants[0].tenant_name, "Acme");
    assert_eq!(k.custom_claims.get("team"), Some(&json!("infra")));
    assert!(k.editable && !k.is_expired(SystemTime::now()));
    assert_eq!(keys[1].status, AccessKeyStatus::Unknown);
    assert!(
        c.access_keys()
            .search(&SearchAccessKeysRequest::new())
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn load_by_id_and_refuse_an_answer_without_a_key() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/accesskey")
        .and(query_param("id", "K2abc"))
        .respond_with(ok().set_body_json(json!({"key": key_json()})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/accesskey")
        .and(query_param("id", "K2gone"))
        .respond_with(ok().set_body_json(json!({"key": null})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.access_keys().load("K2abc").await?.name, "ci");
    match c.access_keys().load("K2gone").await {
        Err(Error::Decode { path, message, .. }) => {
            assert_eq!(path, "key");
            assert!(message.contains("no access key"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn create_sends_the_body_and_returns_the_secret_once() -> TestResult {
    let server = MockServer::start().await;
    let mut claims = serde_json::Map::new();
    claims.insert("team".into(), json!("infra"));
    mgmt("POST", "/v1/mgmt/accesskey/create")
        .and(body_json(json!({
            "name": "ci", "expireTime": 1_900_000_000, "description": "deploys",
            "keyTenants": [{"tenantId": "T1", "roleNames": ["deployer"]}],
            "userId": "U1", "customClaims": {"team": "infra"}, "permittedIps": ["10.0.0.0/8"]
        })))
        .respond_with(ok().set_body_json(json!({"key": key_json(), "cleartext": CLEARTEXT})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/create")
        .and(body_json(json!({"name": "bare", "expireTime": 0})))
        .respond_with(ok().set_body_json(json!({"key": {"id": "K2bare"}, "cleartext": "x"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let created = c
        .access_keys()
        .create(
            &CreateAccessKeyRequest::new("ci")
                .expire_time(1_900_000_000)
                .description("deploys")
                .key_tenants(vec![AssociatedTenant::new("T1", ["deployer"])])
                .user_id("U1")
                .custom_claims(claims)
                .permitted_ips(["10.0.0.0/8"]),
        )
        .await?;
    assert_eq!(created.key.id, "K2abc");
    assert_eq!(created.cleartext.expose_secret(), CLEARTEXT);
    assert!(!format!("{created:?}").contains(CLEARTEXT));
    let bare = c
        .access_keys()
        .create(&CreateAccessKeyRequest::new("bare"))
        .await?;
    assert_eq!(bare.key.id, "K2bare");
    Ok(())
}

#[tokio::test]
async fn a_create_answer_without_its_secret_is_an_error_naming_the_key() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/accesskey/create")
        .and(body_json(json!({"name": "ci", "expireTime": 0})))
        .respond_with(ok().set_body_json(json!({"key": {"id": "K2lost"}, "cleartext": ""})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/rotate")
        .and(body_json(json!({"id": "K2abc"})))
        .respond_with(ok().set_body_json(json!({
            "key": {"id": "K2abc", "createdTime": "not a time"},
            "cleartext": CLEARTEXT
        })))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    match c
        .access_keys()
        .create(&CreateAccessKeyRequest::new("ci"))
        .await
    {
        Err(Error::Decode { path, message, .. }) => {
            assert_eq!(path, "cleartext");
            assert!(
                message.contains("K2lost") && message.contains("lost"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A broken answer that does carry the secret: the error says the rotation probably
    // happened, and never shows the secret.
    let err = c
        .access_keys()
        .rotate("K2abc")
        .await
        .err()
        .ok_or("decoded")?;
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("probably applied"), "{shown}");
    assert!(!shown.contains(CLEARTEXT), "{shown}");
    Ok(())
}

#[tokio::test]
async fn update_sends_only_what_is_set() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/accesskey/update")
        .and(body_json(json!({"id": "K2abc", "name": "renamed"})))
        .respond_with(ok().set_body_json(json!({"key": {"id": "K2abc", "name": "renamed"}})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/update")
        .and(body_json(
            json!({"id": "K2abc", "name": "ci", "roleNames": [],
            "permittedIps": [], "description": ""}),
        ))
        .respond_with(ok().set_body_json(json!({"key": {"id": "K2abc"}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let k = c
        .access_keys()
        .update(&UpdateAccessKeyRequest::new("K2abc", "renamed"))
        .await?;
    assert_eq!(k.name, "renamed");
    c.access_keys()
        .update(
            &UpdateAccessKeyRequest::new("K2abc", "ci")
                .role_names(Vec::new())
                .permitted_ips(Vec::new())
                .description(""),
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn read_modify_write_changes_only_what_the_caller_changes() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/accesskey")
        .and(query_param("id", "K2abc"))
        .respond_with(ok().set_body_json(json!({"key": key_json()})))
        .expect(1)
        .mount(&server)
        .await;
    // Every stored value is sent back; only the project roles changed.
    mgmt("POST", "/v1/mgmt/accesskey/update")
        .and(body_json(json!({
            "id": "K2abc", "name": "ci", "description": "deploys",
            "roleNames": ["reader", "writer"],
            "keyTenants": [{"tenantId": "T1", "roleNames": ["deployer"]}],
            "customClaims": {"team": "infra"}, "permittedIps": ["10.0.0.0/8"],
            "customAttributes": {"cost": 7}
        })))
        .respond_with(ok().set_body_json(json!({"key": key_json()})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let key = c.access_keys().load("K2abc").await?;
    let mut req = UpdateAccessKeyRequest::from_key(&key);
    let mut roles = key.role_names.clone();
    roles.push("writer".into());
    req.role_names = Some(roles);
    c.access_keys().update(&req).await?;
    Ok(())
}

#[tokio::test]
async fn status_and_delete_calls_send_ids() -> TestResult {
    let server = MockServer::start().await;
    for (p, body) in [
        ("/v1/mgmt/accesskey/activate", json!({"id": "K1"})),
        ("/v1/mgmt/accesskey/deactivate", json!({"id": "K1"})),
        ("/v1/mgmt/accesskey/delete", json!({"id": "K1"})),
        (
            "/v1/mgmt/accesskey/activate/batch",
            json!({"ids": ["K1", "K2"]}),
        ),
        (
            "/v1/mgmt/accesskey/deactivate/batch",
            json!({"ids": ["K1", "K2"]}),
        ),
        (
            "/v1/mgmt/accesskey/delete/batch",
            json!({"ids": ["K1", "K2"]}),
        ),
    ] {
        // These answer with an empty body (or `{}`); either is success.
        mgmt("POST", p)
            .and(body_json(body))
            .respond_with(ok())
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let keys = c.access_keys();
    let ids = ["K1".to_owned(), "K2".to_owned()];
    keys.activate("K1").await?;
    keys.deactivate("K1").await?;
    keys.delete("K1").await?;
    keys.activate_batch(&ids).await?;
    keys.deactivate_batch(&ids).await?;
    keys.delete_batch(&ids).await?;
    Ok(())
}

#[tokio::test]
async fn rotate_returns_the_new_secret() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/accesskey/rotate")
        .and(body_json(json!({"id": "K2abc"})))
        .respond_with(ok().set_body_json(json!({"key": key_json(), "cleartext": CLEARTEXT})))
        .expect(1)
        .mount(&server)
        .await;
    let rotated = client(&server).access_keys().rotate("K2abc").await?;
    assert_eq!(rotated.key.id, "K2abc");
    assert_eq!(rotated.cleartext.expose_secret(), CLEARTEXT);
    Ok(())
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() -> TestResult {
    let server = MockServer::start().await;
    let c = client(&server);
    let keys = c.access_keys();
    let bad = |r: Result<(), Error>| matches!(r, Err(Error::InvalidArgument(_)));
    assert!(bad(keys.load("").await.map(|_| ())));
    assert!(bad(keys.activate("").await));
    assert!(bad(keys.deactivate("").await));
    assert!(bad(keys.delete("").await));
    assert!(bad(keys.rotate("").await.map(|_| ())));
    assert!(bad(keys.delete_batch(&[]).await));
    assert!(bad(keys
        .activate_batch(&["K1".into(), String::new()])
        .await));
    assert!(bad(keys.deactivate_batch(&[]).await));
    assert!(bad(keys
        .create(&CreateAccessKeyRequest::new(""))
        .await
        .map(|_| ())));
    assert!(bad(keys
        .update(&UpdateAccessKeyRequest::new("K1", ""))
        .await
        .map(|_| ())));
    assert!(bad(keys
        .update(&UpdateAccessKeyRequest::new("", "n"))
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
async fn create_and_rotate_are_not_retried_after_a_server_error() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/accesskey/create")
        .and(body_json(json!({"name": "ci", "expireTime": 0})))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/rotate")
        .and(body_json(json!({"id": "K1"})))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let c = retrying(&server);
    let err = c
        .access_keys()
        .create(&CreateAccessKeyRequest::new("ci"))
        .await
        .err()
        .ok_or("created")?;
    assert_eq!(err.status(), Some(503));
    let err = c.access_keys().rotate("K1").await.err().ok_or("rotated")?;
    assert_eq!(err.status(), Some(502));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn update_and_deactivate_are_retried_after_a_server_error() -> TestResult {
    let server = MockServer::start().await;
    for (p, body, answer) in [
        (
            "/v1/mgmt/accesskey/update",
            json!({"id": "K1", "name": "n"}),
            json!({"key": {"id": "K1"}}),
        ),
        (
            "/v1/mgmt/accesskey/deactivate",
            json!({"id": "K1"}),
            json!({}),
        ),
    ] {
        mgmt("POST", p)
            .and(body_json(body.clone()))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        mgmt("POST", p)
            .and(body_json(body))
            .respond_with(ok().set_body_json(answer))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = retrying(&server);
    c.access_keys()
        .update(&UpdateAccessKeyRequest::new("K1", "n"))
        .await?;
    c.access_keys().deactivate("K1").await?;
    assert_eq!(c.metrics().retries, 2);
    Ok(())
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Creates and rotates a key with every `tracing` event recorded, and returns the record.
async fn traced_create_and_rotate() -> Result<String, Box<dyn std::error::Error>> {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/accesskey/create")
        .and(body_json(json!({"name": "ci", "expireTime": 0})))
        .respond_with(ok().set_body_json(json!({"key": key_json(), "cleartext": CLEARTEXT})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/accesskey/rotate")
        .and(body_json(json!({"id": "K2abc"})))
        .respond_with(ok().set_body_json(json!({"key": key_json(), "cleartext": CLEARTEXT})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let created = c
        .access_keys()
        .create(&CreateAccessKeyRequest::new("ci"))
        .await?;
    tracing::info!(?created, "created");
    let rotated = c.access_keys().rotate("K2abc").await?;
    tracing::info!(?rotated, "rotated");
    let text = captured.0.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(String::from_utf8(text)?)
}

#[tokio::test]
async fn the_secret_never_reaches_tracing_output() -> TestResult {
    // tracing caches callsite interest process-wide; see `secrets.rs` for why this retries.
    for _ in 0..5 {
        let text = traced_create_and_rotate().await?;
        assert!(!text.contains(CLEARTEXT), "secret leaked: {text}");
        if text.contains("descope.request") && text.contains("rotated") {
            return Ok(());
        }
    }
    Err("no request span or event in five runs".into())
}
