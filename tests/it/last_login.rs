//! `--sync-last-login`: each user's last sign-in from `user/history`, exact against the
//! emulator's login history, under both answer shapes and a server cap on ids per request;
//! no history request at all when it is off.

use std::collections::HashMap;
use std::sync::Arc;

use c1_connector_sdk::model::{AnnotationsExt, UserTrait};
use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::{TestResult, enc, sync_to};
use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec, HistoryShape};
use descope_mgmt::{RateLimitConfig, RetryConfig};
use secrecy::SecretString;

const HISTORY: &str = "POST /v1/mgmt/user/history";

fn data() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 250,
        tenants: 3,
        project_roles: 2,
        tenant_roles: 1,
        permissions: 2,
        logins_per_user: 4,
        seed: 8,
        ..GenSpec::default()
    })
}

fn connector(emu: &Emulator, last_login: bool) -> TestResult<Arc<DescopeConnector>> {
    let config = DescopeConfig::new(
        emu.project_id(),
        SecretString::from(emu.management_key().to_owned()),
    )?
    .with_base_url(emu.base_url())
    .with_rate_limit(RateLimitConfig::disabled())
    .with_sync_last_login(last_login);
    let client = descope_mgmt::Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::disabled())
        .build()?;
    Ok(Arc::new(DescopeConnector::with_client(client, &config)))
}

/// `user id → last login` in a `.c1z` (users without one are left out).
fn last_logins(path: &std::path::Path) -> TestResult<HashMap<String, i64>> {
    let reader = C1zReader::open(path)?;
    let mut out = HashMap::new();
    for r in reader.resources()? {
        let id = r.resource_id();
        if id.resource_type != "user" {
            continue;
        }
        let user: UserTrait = r
            .annotations
            .as_slice()
            .get_annotation()
            .ok_or("a user trait")?;
        if let Some(t) = user.last_login {
            out.insert(id.resource, t.seconds);
        }
    }
    Ok(out)
}

/// Syncs with last login and checks it; returns the faults the emulator injected.
async fn exact(builder: EmulatorBuilder) -> TestResult<u64> {
    let data = data();
    let emu = builder.dataset(data).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let stats = sync_to(connector(&emu, true)?, &path).await?;
    let now = emu.dataset();
    let mut want: HashMap<String, i64> = HashMap::new();
    for login in &now.login_history {
        let synced = now
            .users
            .iter()
            .any(|u| u.user_id == login.user_id && !u.test);
        if synced && login.login_time > 0 {
            let e = want.entry(enc(&login.user_id)).or_insert(login.login_time);
            *e = (*e).max(login.login_time);
        }
    }
    assert!(want.len() > 100, "most users signed in: {}", want.len());
    assert_eq!(last_logins(&path)?, want);
    let requests = emu.counters().endpoint(HISTORY);
    assert!(requests >= 3, "{requests} history requests for 250 users");
    assert!(
        format!("{stats:?}").contains("last-login requests"),
        "{stats:?}"
    );
    Ok(emu.counters().faults)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_login_is_exact_under_both_answer_shapes() -> TestResult {
    exact(Emulator::builder().history_shape(HistoryShape::BareArray)).await?;
    exact(Emulator::builder().history_shape(HistoryShape::Wrapped)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_cap_on_ids_per_request_is_adopted() -> TestResult {
    exact(Emulator::builder().history_max_ids(Some(30))).await?;
    Ok(())
}

/// Errors the client does not retry (retries are off here) reach the engine, which asks for the
/// same user page again: the background walk restarts there and the result is still exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_asked_again_after_errors_restart_the_walk() -> TestResult {
    let builder = Emulator::builder()
        .faults(descope_emulator::Faults {
            server_error: 0.1,
            ..descope_emulator::Faults::none()
        })
        .seed(5);
    let faults = exact(builder).await?;
    assert!(faults > 0, "errors were injected");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_by_default() -> TestResult {
    let emu = Emulator::builder().dataset(data()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector(&emu, false)?, &path).await?;
    assert_eq!(emu.counters().endpoint(HISTORY), 0);
    assert!(last_logins(&path)?.is_empty());
    Ok(())
}
