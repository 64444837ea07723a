//! Concurrent changes to one principal through service mode, as ConductorOne hands them out:
//! the runner's `FakeConductorOne` queues the tasks at once and the service takes three at a time
//! (`task_concurrency` 3), against the emulator with 5 ms + up to 15 ms of latency per request so
//! the loads and writes of the tasks really overlap. Each scenario runs 20 times on fresh state.
//!
//! - One access key holding `[Admin, role-2]`: revoke `Admin`, grant `role-1`, grant `role-28`
//!   at once end with exactly `[role-2, role-1, role-28]` and three successes.
//! - One user with SSO apps `[A, B]`: revoke `A` and revoke `B` at once. Descope must never hold
//!   `[]` (every app) or an app outside `[A, B]` for the user, at any point (checked on every
//!   change in the emulator's audit trail, in the order it applied them), and the revokes
//!   reported done are exactly the apps the user no longer holds.
//! - Another writer (the emulator's `concurrent_key_writer`) updates the key right after each of
//!   our updates: the grant fails as a retryable `Aborted` naming what Descope holds, never a
//!   success; when it does so only once, the runner's retry makes the change from what Descope
//!   holds and keeps the other writer's role.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_runner::service::{self, ServiceError};
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use descope_c1::testing::{TestResult, connector_for, enc};
use descope_emulator::{
    AccessKeyRecord, ConcurrentKeyWriter, Dataset, Emulator, RoleRecord, SsoAppRecord, UserRecord,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const RUNS: u32 = 20;
/// gRPC's codes, as FinishTask carries them.
const FAILED_PRECONDITION: i32 = 9;
const ABORTED: i32 = 10;
const UNAVAILABLE: i32 = 14;
/// A bound on liveness only (tasks that never finish), generous for a loaded CI machine.
const WAIT: Duration = Duration::from_secs(120);
const KEY: &str = "K2RaceKey000000000000000000";
const USER: &str = "U2RaceUser00000000000000000";
const APP_A: &str = "SA2RaceAppA";
const APP_B: &str = "SA2RaceAppB";
const APP_C: &str = "SA2RaceAppC";

/// Thirty project roles (`Admin`, `role-1` .. `role-29`), a key holding `[Admin, role-2]`, three
/// apps and a user listing `[A, B]`.
fn dataset() -> Dataset {
    let mut data = Dataset::new();
    data.roles.push(RoleRecord::new("R2admin", "Admin", ""));
    for i in 1..30 {
        data.roles.push(RoleRecord::new(
            format!("R2role{i}"),
            format!("role-{i}"),
            "",
        ));
    }
    let mut key = AccessKeyRecord::new(KEY, "race key");
    key.role_names = vec!["Admin".into(), "role-2".into()];
    data.access_keys.push(key);
    for (id, name) in [(APP_A, "A"), (APP_B, "B"), (APP_C, "C")] {
        data.sso_apps.push(SsoAppRecord::saml(id, name));
    }
    let mut user = UserRecord::new(USER, "race@acme.io");
    user.sso_app_ids = vec![APP_A.into(), APP_B.into()];
    data.users.push(user);
    data
}

async fn emulator(writer: Option<ConcurrentKeyWriter>) -> TestResult<Emulator> {
    let mut builder = Emulator::builder()
        .dataset(dataset())
        .latency(Duration::from_millis(5), Duration::from_millis(15));
    if let Some(writer) = writer {
        builder = builder.concurrent_key_writer(writer);
    }
    Ok(builder.start().await?)
}

/// The service, in this process, for the real Descope connector against `emu`.
struct Service {
    shutdown: CancellationToken,
    run: JoinHandle<Result<(), ServiceError>>,
}

impl Service {
    fn start(emu: &Emulator, c1: &FakeConductorOne, dir: &std::path::Path) -> TestResult<Self> {
        let connector = connector_for(emu)?;
        let config = c1
            .service_config()
            .with_task_concurrency(3)
            .with_provisioning(true)
            .with_temp_dir(dir);
        let shutdown = CancellationToken::new();
        let run = tokio::spawn(service::run(connector, config, shutdown.clone()));
        Ok(Service { shutdown, run })
    }

    async fn stop(self) -> TestResult {
        self.shutdown.cancel();
        tokio::time::timeout(WAIT, self.run).await???;
        Ok(())
    }
}

fn role(name: &str) -> Entitlement {
    let role = Resource::new("role", format!("project/{}", enc(name)), name);
    Entitlement::assignment(&role, "assigned")
}

fn app(id: &str) -> Entitlement {
    Entitlement::assignment(&Resource::new("app", enc(id), id), "access")
}

fn key_principal() -> Resource {
    Resource::new("access_key", enc(KEY), "race key")
}

fn user_principal() -> Resource {
    Resource::new("user", enc(USER), "race")
}

fn key_roles(emu: &Emulator) -> BTreeSet<String> {
    emu.dataset()
        .access_keys
        .into_iter()
        .find(|k| k.id == KEY)
        .map(|k| k.role_names.into_iter().collect())
        .unwrap_or_default()
}

fn user_apps(emu: &Emulator) -> Vec<String> {
    emu.dataset()
        .users
        .into_iter()
        .find(|u| u.user_id == USER)
        .map(|u| u.sso_app_ids)
        .unwrap_or_default()
}

/// Queues `tasks` at once and waits for all their FinishTasks; `(id, success, code, message)`
/// each, in task order.
async fn run_at_once(
    c1: &FakeConductorOne,
    tasks: Vec<c1_connector_runner::service::proto::Task>,
) -> TestResult<Vec<(String, bool, i32, String)>> {
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    for task in tasks {
        c1.push_task(task);
    }
    let records = c1
        .wait_until(WAIT, |r| {
            ids.iter().all(|id| !r.finished_for(id).is_empty())
        })
        .await?;
    Ok(ids
        .iter()
        .map(|id| {
            let finish = &records.finished_for(id)[0];
            let success = matches!(finish.final_state, Some(FinalState::Success(_)));
            let (code, message) = finish
                .status
                .as_ref()
                .map(|s| (s.code, s.message.clone()))
                .unwrap_or_default();
            (id.clone(), success, code, message)
        })
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_changes_to_one_access_key_lose_nothing() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    // The service asks for the next task as soon as it took one: the three run together.
    c1.set_next_poll(Some(Duration::ZERO));
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    for run in 0..RUNS {
        let emu = emulator(None).await?;
        let service = Service::start(&emu, &c1, dir.path())?;
        let first = 1000 + run * 10;
        let results = run_at_once(
            &c1,
            vec![
                tasks::revoke(
                    &tasks::task_id(first),
                    &Grant::new(&role("Admin"), key_principal()),
                ),
                tasks::grant(
                    &tasks::task_id(first + 1),
                    &role("role-1"),
                    &key_principal(),
                ),
                tasks::grant(
                    &tasks::task_id(first + 2),
                    &role("role-28"),
                    &key_principal(),
                ),
            ],
        )
        .await?;
        service.stop().await?;
        for (id, success, code, message) in &results {
            assert!(success, "run {run}: task {id} failed: {code} {message}");
        }
        let want: BTreeSet<String> = ["role-2", "role-1", "role-28"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(key_roles(&emu), want, "run {run}");
        // Every update the key went through, in the order the emulator applied them, is one
        // task's change on top of the one before: never a list without role-2, never Admin back.
        let updates = key_role_history(&emu);
        assert_eq!(
            updates.len(),
            3,
            "run {run}: one update per task: {updates:?}"
        );
        for roles in &updates {
            assert!(roles.contains("role-2"), "run {run}: {updates:?}");
        }
        assert!(!updates[2].contains("Admin"), "run {run}: {updates:?}");
    }
    eprintln!(
        "{RUNS} runs of three parallel changes to one access key in {:?}",
        started.elapsed()
    );
    Ok(())
}

/// The key's `roleNames` after each change, from the emulator's audit trail (applied order).
fn key_role_history(emu: &Emulator) -> Vec<BTreeSet<String>> {
    emu.dataset()
        .audit
        .iter()
        .filter(|a| a.action == "AccessKeyModified")
        .filter_map(|a| a.data.get("changes")?.get("roleNames")?.as_array().cloned())
        .map(|roles| {
            roles
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The user's `ssoAppIds` after each change to them, from the emulator's audit trail.
fn user_app_history(emu: &Emulator) -> Vec<Vec<String>> {
    emu.dataset()
        .audit
        .iter()
        .filter(|a| a.action == "UserModified" && a.user_id == USER)
        .filter_map(|a| a.data.get("changes")?.get("ssoAppIds").cloned())
        .map(|apps| {
            apps.as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|a| a.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_revokes_of_a_users_last_two_apps_never_widen() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.set_next_poll(Some(Duration::ZERO));
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let allowed: BTreeSet<&str> = [APP_A, APP_B].into_iter().collect();
    for run in 0..RUNS {
        let emu = emulator(None).await?;
        let service = Service::start(&emu, &c1, dir.path())?;
        let first = 2000 + run * 10;
        let results = run_at_once(
            &c1,
            vec![
                tasks::revoke(
                    &tasks::task_id(first),
                    &Grant::new(&app(APP_A), user_principal()),
                ),
                tasks::revoke(
                    &tasks::task_id(first + 1),
                    &Grant::new(&app(APP_B), user_principal()),
                ),
            ],
        )
        .await?;
        service.stop().await?;

        // Never every app, never an app outside [A, B], at any point.
        let history = user_app_history(&emu);
        for apps in &history {
            assert!(
                !apps.is_empty(),
                "run {run}: passed through [] (every app): {history:?}"
            );
            assert!(
                apps.iter().all(|a| allowed.contains(a.as_str())),
                "run {run}: widened: {history:?}"
            );
        }
        let now = user_apps(&emu);
        assert!(!now.is_empty(), "run {run}: ends with every app");
        // Reported done exactly when the app is gone; the other revoke refused with the choices.
        for ((id, success, code, message), revoked) in results.iter().zip([APP_A, APP_B]) {
            let gone = !now.iter().any(|a| a == revoked);
            assert_eq!(
                *success, gone,
                "run {run}: task {id} for {revoked}: success {success}, app gone {gone}, now {now:?}: {code} {message}"
            );
            if !success {
                assert_eq!(*code, FAILED_PRECONDITION, "run {run}: {message}");
                assert!(
                    message.contains("EVERY application"),
                    "run {run}: {message}"
                );
                assert!(
                    message.contains("disable the user"),
                    "run {run}: names the choices: {message}"
                );
            }
        }
        assert_eq!(
            results.iter().filter(|r| r.1).count(),
            1,
            "run {run}: one revoke succeeds, the other is refused: {results:?}"
        );
    }
    eprintln!(
        "{RUNS} runs of two parallel app revokes in {:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_writer_between_load_and_confirmation_is_never_a_success() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.set_next_poll(Some(Duration::ZERO));
    let dir = tempfile::tempdir()?;

    // The connector alone: the first attempt fails, retryable, saying what Descope holds.
    let emu = emulator(Some(ConcurrentKeyWriter::new(KEY, "role-7"))).await?;
    let connector = connector_for(&emu)?;
    let roles = c1_connector_sdk::connector::Connector::syncers(&*connector)
        .into_iter()
        .find(|s| s.resource_type().id == "role")
        .ok_or("a role syncer")?;
    let err = roles
        .provisioner()
        .ok_or("roles are provisionable")?
        .grant(&key_principal(), &role("role-1"))
        .await
        .expect_err("the other writer's update replaced ours");
    assert_eq!(err.code(), c1_connector_sdk::error::Code::Aborted, "{err}");
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        err.message()
            .contains(r#"roleNames ["Admin", "role-2", "role-7"]"#),
        "says what Descope holds: {err}"
    );
    // The next attempt decides from what Descope holds and keeps the other writer's role.
    let done = roles
        .provisioner()
        .ok_or("roles are provisionable")?
        .grant(&key_principal(), &role("role-1"))
        .await;
    assert!(done.is_ok(), "{done:?}");
    let want: BTreeSet<String> = ["Admin", "role-2", "role-7", "role-1"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(key_roles(&emu), want);
    drop(emu);

    // Through service mode, the other writer after every attempt: the task fails (Aborted,
    // what Descope holds), never a success.
    let emu = emulator(Some(ConcurrentKeyWriter::new(KEY, "role-7").times(10))).await?;
    let service = Service::start(&emu, &c1, dir.path())?;
    let results = run_at_once(
        &c1,
        vec![tasks::grant(
            &tasks::task_id(3000),
            &role("role-1"),
            &key_principal(),
        )],
    )
    .await?;
    service.stop().await?;
    let (id, success, code, message) = &results[0];
    assert!(!success, "task {id} reported a lost change as done");
    // The first attempt sees the other writer's list (Aborted); the runner's retries then load
    // that list, and the other writer writes it back after each of their updates, so the last
    // attempt sees the list it loaded (the update "did not take effect": Unavailable). Either
    // way: a retryable failure saying what Descope holds.
    assert!(
        *code == ABORTED || *code == UNAVAILABLE,
        "{code}: {message}"
    );
    assert!(
        message.contains(r#"roleNames ["Admin", "role-2", "role-7"]"#),
        "says what Descope holds: {message}"
    );
    assert!(!key_roles(&emu).contains("role-1"));
    let finish = &c1.records().finished_for(id)[0];
    assert!(
        matches!(&finish.final_state, Some(FinalState::Error(e)) if !e.non_retryable),
        "ConductorOne may send the task again"
    );
    let attempts = emu
        .dataset()
        .audit
        .iter()
        .filter(|a| a.action == "AccessKeyModified" && a.actor_id != "concurrent-writer")
        .count();
    assert_eq!(
        attempts, 3,
        "the runner retried the retryable error (3 attempts)"
    );

    // Once only: the runner's retry of the retryable error makes the change.
    let emu = emulator(Some(ConcurrentKeyWriter::new(KEY, "role-7"))).await?;
    let service = Service::start(&emu, &c1, dir.path())?;
    let results = run_at_once(
        &c1,
        vec![tasks::grant(
            &tasks::task_id(3001),
            &role("role-1"),
            &key_principal(),
        )],
    )
    .await?;
    service.stop().await?;
    assert!(results[0].1, "{results:?}");
    assert_eq!(key_roles(&emu), want);
    Ok(())
}
