//! Grants only of what Descope lists, through service mode against the emulator. (The emulator
//! refuses an unknown role itself; `descope-connector`'s `phantom` test covers a server that
//! stores any name. Here the point is that nothing reaches Descope at all.)
//!
//! - a grant of `role:project/NoSuchRoleAnywhere:assigned` (and of a tenant or an app Descope does
//!   not have) fails `NotFound` with no write sent;
//! - the lookups behind the check are cached: a burst of grants costs one `role/all`, one tenant
//!   load per tenant and one app listing, and a refused grant costs nothing more when the answer
//!   is fresh;
//! - a role created in Descope after the cache was filled is granted (a miss is looked up again
//!   once the answer is older than 2 s);
//! - a revoke of an assignment of a role Descope no longer lists still removes it.

use std::time::Duration;

use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_runner::service::{self};
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use descope_c1::testing::{TestResult, connector_for, enc};
use descope_emulator::{Dataset, Emulator, RoleRecord, SsoAppRecord, TenantRecord, UserRecord};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(30);
const NOT_FOUND: i32 = 5;

fn dataset() -> Dataset {
    let mut data = Dataset::new();
    for name in ["Admin", "Viewer", "Editor"] {
        data.roles
            .push(RoleRecord::new(format!("R2{name}"), name, ""));
    }
    data.tenants.push(TenantRecord::new("T2Acme", "Acme"));
    data.sso_apps.push(SsoAppRecord::saml("SA2Wiki", "Wiki"));
    for i in 0..4 {
        let mut user = UserRecord::new(format!("U2user{i}"), format!("user{i}@acme.io"));
        user.sso_app_ids = vec!["SA2Wiki".into()];
        data.users.push(user);
    }
    // A user holding a role the project no longer lists (deleted since it was assigned).
    data.users[3].role_names = vec!["GhostRole".into()];
    data
}

fn role(name: &str) -> Entitlement {
    Entitlement::assignment(
        &Resource::new("role", format!("project/{}", enc(name)), name),
        "assigned",
    )
}

fn user(i: u32) -> Resource {
    Resource::new("user", format!("U2user{i}"), format!("user{i}"))
}

fn roles_of(emu: &Emulator, i: u32) -> Vec<String> {
    emu.dataset()
        .users
        .into_iter()
        .find(|u| u.user_id == format!("U2user{i}"))
        .map(|u| u.role_names)
        .unwrap_or_default()
}

fn count(emu: &Emulator, method: &str, path: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// Runs one task and returns (success, code, message).
async fn run(
    c1: &FakeConductorOne,
    task: c1_connector_runner::service::proto::Task,
) -> TestResult<(bool, i32, String)> {
    let id = task.id.clone();
    c1.push_task(task);
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    let finish = &records.finished_for(&id)[0];
    let (code, message) = finish
        .status
        .as_ref()
        .map(|s| (s.code, s.message.clone()))
        .unwrap_or_default();
    Ok((
        matches!(finish.final_state, Some(FinalState::Success(_))),
        code,
        message,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_of_what_descope_does_not_list_is_not_found_before_any_write() -> TestResult {
    let emu = Emulator::builder()
        .dataset(dataset())
        .record_requests(true)
        .start()
        .await?;
    let c1 = FakeConductorOne::start().await?;
    let dir = tempfile::tempdir()?;
    let config = c1
        .service_config()
        .with_provisioning(true)
        .with_temp_dir(dir.path());
    let shutdown = CancellationToken::new();
    let service = tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));

    // The phantom role: NotFound, nothing written.
    let (ok, code, message) = run(
        &c1,
        tasks::grant(&tasks::task_id(1), &role("NoSuchRoleAnywhere"), &user(0)),
    )
    .await?;
    assert!(!ok, "a phantom role was reported granted");
    assert_eq!(code, NOT_FOUND, "{message}");
    assert!(message.contains("NoSuchRoleAnywhere"), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    assert_eq!(count(&emu, "POST", "/v1/mgmt/user/update/role/add"), 0);
    assert_eq!(
        count(&emu, "GET", "/v1/mgmt/user"),
        0,
        "not even the user is loaded"
    );
    assert!(roles_of(&emu, 0).is_empty());

    // A tenant and an app Descope does not have: NotFound too.
    let tenant = Entitlement::assignment(&Resource::new("tenant", "T2Nowhere", "x"), "member");
    let (ok, code, message) = run(&c1, tasks::grant(&tasks::task_id(2), &tenant, &user(0))).await?;
    assert!(!ok && code == NOT_FOUND, "{code} {message}");
    let app = Entitlement::assignment(&Resource::new("app", "SA2Nowhere", "x"), "access");
    let (ok, code, message) = run(&c1, tasks::grant(&tasks::task_id(3), &app, &user(0))).await?;
    assert!(!ok && code == NOT_FOUND, "{code} {message}");
    let writes = emu
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/mgmt/user/update"))
        .count();
    assert_eq!(writes, 0, "no write for any of them");

    // A burst of grants of listed targets: one lookup each, whatever the number of grants.
    let mut n = 10;
    for (i, name) in ["Admin", "Viewer", "Editor"].into_iter().enumerate() {
        for u in 0..3 {
            n += 1;
            let (ok, code, message) =
                run(&c1, tasks::grant(&tasks::task_id(n), &role(name), &user(u))).await?;
            assert!(ok, "grant {i}/{u}: {code} {message}");
        }
    }
    let acme = Entitlement::assignment(&Resource::new("tenant", "T2Acme", "Acme"), "member");
    for u in 0..3 {
        n += 1;
        let (ok, code, message) =
            run(&c1, tasks::grant(&tasks::task_id(n), &acme, &user(u))).await?;
        assert!(ok, "{code} {message}");
    }
    assert_eq!(
        count(&emu, "GET", "/v1/mgmt/role/all"),
        1,
        "one role listing for the phantom and nine grants"
    );
    let tenant_loads: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/mgmt/tenant")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        tenant_loads,
        ["id=T2Nowhere", "id=T2Acme"],
        "one load per tenant"
    );
    assert_eq!(count(&emu, "GET", "/v1/mgmt/sso/idp/apps/load"), 1);

    // A role created in Descope after the listing was cached is granted once the answer is
    // older than 2 s (the miss is looked up again, once).
    let client = descope_mgmt::Client::builder()
        .project_id(emu.project_id())
        .management_key(secrecy::SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .build()?;
    client
        .roles()
        .create(&descope_mgmt::CreateRoleRequest::new("Brand New"))
        .await?;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    n += 1;
    let (ok, code, message) = run(
        &c1,
        tasks::grant(&tasks::task_id(n), &role("Brand New"), &user(0)),
    )
    .await?;
    assert!(ok, "{code} {message}");
    assert!(roles_of(&emu, 0).contains(&"Brand New".to_owned()));
    assert_eq!(count(&emu, "GET", "/v1/mgmt/role/all"), 2);

    // A revoke of a role Descope no longer lists removes the stale assignment.
    n += 1;
    let ghost = Grant::new(&role("GhostRole"), user(3));
    let (ok, code, message) = run(&c1, tasks::revoke(&tasks::task_id(n), &ghost)).await?;
    assert!(ok, "{code} {message}");
    assert!(roles_of(&emu, 3).is_empty());

    shutdown.cancel();
    tokio::time::timeout(WAIT, service).await???;
    Ok(())
}
