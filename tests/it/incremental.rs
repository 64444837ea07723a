//! Incremental syncs (issue 23): a sync that starts from the previous file and asks Descope only
//! for what changed must give the file a full sync taken at the same moment gives, byte for
//! byte, under every reading the reference leaves open (emulator knobs), after random changes;
//! and where it cannot, it must list every user and say why.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::engine::{SyncOptions, SyncStats, Syncer};
use c1_connector_sdk::store::{C1zWriter, PreviousC1z};
use descope_c1::testing::{Snapshot, TestResult, changing_project, client_for, connector_for};
use descope_connector::DescopeConnector;
use descope_emulator::{Dataset, Emulator, EmulatorBuilder};
use descope_mgmt::{
    AssociatedTenant, Client, CreateRoleRequest, CreateUserRequest, PatchUserRequest,
};

const SEARCH: &str = "POST /v2/mgmt/user/search";

/// A small deterministic generator (no dependency for three numbers a step).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Runs a sync into `path`, incremental from `previous` when given.
pub(crate) async fn sync(
    connector: &Arc<DescopeConnector>,
    path: &Path,
    previous: Option<&Path>,
) -> TestResult<SyncStats> {
    let mut options = SyncOptions::default();
    if let Some(previous) = previous {
        options = options.with_previous(Arc::new(PreviousC1z::open(previous)?));
    }
    let mut store = C1zWriter::create(path)?;
    Ok(Syncer::new(connector.clone(), options)
        .run(&mut store)
        .await?)
}

pub(crate) fn searches(emu: &Emulator) -> u64 {
    emu.counters()
        .requests_by_endpoint
        .get(SEARCH)
        .copied()
        .unwrap_or(0)
}

fn note(stats: &SyncStats) -> &str {
    stats
        .connector_notes
        .get("sync")
        .map(String::as_str)
        .unwrap_or("")
}

/// `steps` random changes through Descope's API (so the audit log and modified times follow
/// whatever the emulator's knobs say): users created, renamed, deleted (one and in batches),
/// deleted and created again with the same login, given and taken roles and tenants; project
/// roles created and deleted; tenants deleted.
pub(crate) async fn random_changes(
    client: &Client,
    data: &Dataset,
    seed: u64,
    steps: usize,
) -> TestResult {
    let mut rng = Rng(seed);
    let mut live: Vec<(String, String)> = data
        .users
        .iter()
        .filter(|u| !u.test)
        .map(|u| (u.user_id.clone(), u.login_ids[0].clone()))
        .collect();
    let mut tenants: Vec<String> = data.tenants.iter().map(|t| t.id.clone()).collect();
    let mut roles: Vec<String> = data
        .roles
        .iter()
        .filter(|r| r.tenant_id.is_empty())
        .map(|r| r.name.clone())
        .collect();
    let users = client.users();
    for step in 0..steps {
        let pick = rng.below(live.len());
        let (id, login) = live[pick].clone();
        match rng.below(11) {
            0 => {
                let mut req = PatchUserRequest::new(id.clone());
                req.display_name = Some(format!("Renamed {step}"));
                users.patch(&req).await?;
            }
            1 => {
                let role = roles[rng.below(roles.len())].clone();
                users.add_roles(&id, &[role], None).await?;
            }
            2 => {
                let tenant = tenants[rng.below(tenants.len())].clone();
                users.add_tenant(&id, &tenant).await?;
            }
            3 => {
                let user = users.load_by_user_id(&id).await?;
                if let Some(t) = user
                    .user_tenants
                    .iter()
                    .find(|t| tenants.contains(&t.tenant_id))
                {
                    users.remove_tenant(&id, &t.tenant_id).await?;
                }
            }
            4 => {
                users.delete_by_user_id(&id).await?;
                live.swap_remove(pick);
            }
            5 if live.len() > 2 => {
                let a = live.swap_remove(pick);
                let b = live.swap_remove(rng.below(live.len()));
                users.delete_batch(&[a.0, b.0]).await?;
            }
            6 => {
                // Deleted, and a new user created with the same login (a new id).
                users.delete_by_user_id(&id).await?;
                let created = users.create(&CreateUserRequest::new(login.clone())).await?;
                live[pick] = (created.user_id, login);
            }
            7 => {
                let mut req = CreateUserRequest::new(format!("new-{seed}-{step}@example.com"));
                req.role_names = vec![roles[rng.below(roles.len())].clone()];
                let tenant = tenants[rng.below(tenants.len())].clone();
                req.user_tenants = vec![AssociatedTenant::new(tenant, Vec::<String>::new())];
                let created = users.create(&req).await?;
                live.push((created.user_id, format!("new-{seed}-{step}@example.com")));
            }
            8 => {
                // A new project role, given to a user.
                let name = format!("Role {seed}-{step}");
                client
                    .roles()
                    .create(&CreateRoleRequest::new(name.clone()))
                    .await?;
                users
                    .add_roles(&id, std::slice::from_ref(&name), None)
                    .await?;
                roles.push(name);
            }
            9 if roles.len() > 2 => {
                // A project role deleted while users hold it.
                let name = roles.swap_remove(rng.below(roles.len()));
                client.roles().delete(&name, None).await?;
            }
            10 if tenants.len() > 3 => {
                let tenant = tenants.swap_remove(rng.below(tenants.len()));
                client.tenants().delete(&tenant, true).await?;
                // Its sub-tenants went with it.
                tenants = client
                    .tenants()
                    .all()
                    .await?
                    .into_iter()
                    .map(|t| t.id)
                    .collect();
            }
            _ => {
                let mut req = PatchUserRequest::new(id.clone());
                req.given_name = Some(format!("Given {step}"));
                users.patch(&req).await?;
            }
        }
    }
    Ok(())
}

/// A full sync, random changes, then an incremental sync and a full one: they must be equal,
/// and the incremental one must have been incremental.
async fn incremental_equals_full(
    knobs: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
    seed: u64,
    steps: usize,
) -> TestResult {
    let data = Dataset::generate(&changing_project(1_500));
    let emu = knobs(
        Emulator::builder()
            .dataset(data.clone())
            .latency(Duration::ZERO, Duration::from_millis(1)),
    )
    .start()
    .await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let (previous, incremental, full) = (
        dir.path().join("previous.c1z"),
        dir.path().join("incremental.c1z"),
        dir.path().join("full.c1z"),
    );
    sync(&connector, &previous, None).await?;
    random_changes(&client_for(&emu)?, &data, seed, steps).await?;

    emu.reset_counters();
    let stats = sync(&connector, &incremental, Some(&previous)).await?;
    let incremental_searches = searches(&emu);
    assert!(
        note(&stats).starts_with("incremental:"),
        "seed {seed}: the sync was not incremental: {}",
        note(&stats)
    );
    emu.reset_counters();
    sync(&connector, &full, None).await?;
    let full_searches = searches(&emu);
    Snapshot::read(&incremental)?.assert_same(
        &Snapshot::read(&full)?,
        &format!("seed {seed}, {steps} changes: incremental vs full"),
    );
    assert!(
        incremental_searches < full_searches,
        "seed {seed}: the incremental sync made {incremental_searches} user searches, a full one {full_searches}"
    );

    // And again from the incremental file: its records carry the next increment.
    random_changes(&client_for(&emu)?, &emu.dataset(), seed ^ 0x5eed, steps / 2).await?;
    let second = dir.path().join("second.c1z");
    let stats = sync(&connector, &second, Some(&incremental)).await?;
    assert!(note(&stats).starts_with("incremental:"), "{}", note(&stats));
    sync(&connector, &full, None).await?;
    Snapshot::read(&second)?.assert_same(
        &Snapshot::read(&full)?,
        &format!("seed {seed}: second incremental vs full"),
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_give_the_full_sync_by_default() -> TestResult {
    for seed in 1..=4 {
        incremental_equals_full(|b| b, seed, 40).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_give_the_full_sync_when_from_modified_time_is_exclusive() -> TestResult {
    for seed in 11..=13 {
        incremental_equals_full(|b| b.from_modified_time_exclusive(true), seed, 40).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_give_the_full_sync_when_assignments_keep_the_modified_time() -> TestResult {
    for seed in 21..=23 {
        incremental_equals_full(|b| b.assignment_changes_bump_modified(false), seed, 40).await?;
    }
    Ok(())
}

/// A project, a full sync of it into `previous.c1z`, and its connector.
async fn synced(
    knobs: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> TestResult<(Emulator, Arc<DescopeConnector>, tempfile::TempDir)> {
    let emu = knobs(Emulator::builder().dataset(Dataset::generate(&changing_project(300))))
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    sync(&connector, &dir.path().join("previous.c1z"), None).await?;
    Ok((emu, connector, dir))
}

/// An incremental sync from `previous.c1z` into `incremental.c1z` and a full one: equal; the
/// incremental one's note.
async fn compare(
    connector: &Arc<DescopeConnector>,
    dir: &Path,
    previous: &str,
) -> TestResult<String> {
    let stats = sync(
        connector,
        &dir.join("incremental.c1z"),
        Some(&dir.join(previous)),
    )
    .await?;
    sync(connector, &dir.join("full.c1z"), None).await?;
    Snapshot::read(&dir.join("incremental.c1z"))?.assert_same(
        &Snapshot::read(&dir.join("full.c1z"))?,
        "after the fallback",
    );
    Ok(note(&stats).to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_record_that_names_no_user_means_a_full_sync() -> TestResult {
    // A deletion Descope logged without saying whose (a shape the reference does not rule out).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let mut data = Dataset::generate(&changing_project(300));
    data.audit.push(descope_emulator::AuditRecord::new(
        "A-anon",
        "UserDeleted",
        now,
    ));
    let emu = Emulator::builder().dataset(data).start().await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    sync(&connector, &dir.path().join("previous.c1z"), None).await?;
    let note = compare(&connector, dir.path(), "previous.c1z").await?;
    assert!(
        note.starts_with("full: the audit record 'A-anon'"),
        "{note}"
    );
    assert!(note.contains("names no user"), "{note}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_the_lagging_audit_log_does_not_show_yet_means_a_full_sync() -> TestResult {
    let (emu, connector, dir) =
        synced(|b| b.audit_ingestion_delay(Duration::from_secs(30))).await?;
    let victim = emu.dataset().users[5].user_id.clone();
    client_for(&emu)?.users().delete_by_user_id(&victim).await?;
    let note = compare(&connector, dir.path(), "previous.c1z").await?;
    assert!(note.starts_with("full: Descope counts"), "{note}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_lagging_audit_log_an_assignment_that_keeps_the_modified_time_shows_in_the_next_increment()
-> TestResult {
    let lag = Duration::from_secs(2);
    let (emu, connector, dir) = synced(|b| {
        b.audit_ingestion_delay(lag)
            .assignment_changes_bump_modified(false)
    })
    .await?;
    let data = emu.dataset();
    let user = data.users.iter().find(|u| !u.test).expect("a user");
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty() && !user.role_names.contains(&r.name))
        .expect("a role the user lacks");
    client_for(&emu)?
        .users()
        .add_roles(&user.user_id, std::slice::from_ref(&role.name), None)
        .await?;
    // Right away, the change is in neither the modified times nor the audit log yet: the
    // increment (correctly incremental by the count) may miss it...
    let first = sync(
        &connector,
        &dir.path().join("first.c1z"),
        Some(&dir.path().join("previous.c1z")),
    )
    .await?;
    assert!(note(&first).starts_with("incremental:"), "{}", note(&first));
    // ...and the next increment, from that file, reads the audit log from before that sync
    // started, where the record now is.
    tokio::time::sleep(lag + Duration::from_millis(500)).await;
    let note = compare(&connector, dir.path(), "first.c1z").await?;
    assert!(note.starts_with("incremental: 1 users changed"), "{note}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_whose_data_change_without_the_user_mean_a_full_sync() -> TestResult {
    let (emu, _, dir) = synced(|b| b).await?;
    let connector = descope_c1::testing::connector_with(&emu, |c| c.with_sync_last_login(true))?;
    let note = compare(&connector, dir.path(), "previous.c1z").await?;
    assert!(note.starts_with("full: --sync-last-login"), "{note}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_projects_or_too_old_a_previous_sync_means_a_full_sync() -> TestResult {
    use c1_connector_sdk::previous::MemoryPrevious;
    let emu = Emulator::builder()
        .dataset(Dataset::generate(&changing_project(50)))
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let marker = |project: &str| {
        format!(r#"{{"format":3,"project":"{project}","test_users":false,"users":50}}"#)
            .into_bytes()
    };
    let cases = [
        (
            MemoryPrevious::new(now - 60_000).with_kept("kept/descope/sync", marker("Pother")),
            "full: the previous file is a sync of project 'Pother'",
        ),
        (
            MemoryPrevious::new(now - 31 * 24 * 3_600_000)
                .with_kept("kept/descope/sync", marker(emu.project_id())),
            "full: the previous sync started 31 days ago",
        ),
        (
            MemoryPrevious::new(now - 60_000),
            "full: the previous file keeps no record of its users",
        ),
    ];
    let dir = tempfile::tempdir()?;
    for (previous, wanted) in cases {
        let mut store = C1zWriter::create(dir.path().join("out.c1z"))?;
        let stats = Syncer::new(
            connector.clone(),
            SyncOptions::default().with_previous(Arc::new(previous)),
        )
        .run(&mut store)
        .await?;
        assert!(
            note(&stats).starts_with(wanted),
            "{} vs {wanted}",
            note(&stats)
        );
        let listed = emu.dataset().users.iter().filter(|u| !u.test).count() as u64;
        assert_eq!(stats.connector_counters["users synced"], listed);
    }
    Ok(())
}
