//! Targeted syncs (baton's `--sync-resources`) against the emulator: each target, its children,
//! entitlements and grants equal what a full sync of the same project holds for it, at the
//! cost of the requests counted here.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use c1_connector_sdk::engine::{SyncOptions, SyncStats, Syncer, TargetedResource};
use c1_connector_sdk::model::{Entitlement, Grant, Resource};
use c1_connector_sdk::store::{C1zReader, C1zWriter};
use descope_c1::testing::{TestResult, connector_for, enc, sync_to};
use descope_connector::DescopeConnector;
use descope_emulator::{Dataset, Emulator, GenSpec};
use prost::Message;

fn data() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 450,
        tenants: 6,
        project_roles: 4,
        tenant_roles: 3,
        permissions: 3,
        access_keys: 10,
        sso_apps: 2,
        groups_per_sso_tenant: 2,
        seed: 23,
        ..GenSpec::default()
    })
}

async fn targeted(
    connector: Arc<DescopeConnector>,
    path: &Path,
    targets: &str,
) -> TestResult<SyncStats> {
    let mut store = C1zWriter::create(path)?;
    let options =
        SyncOptions::default().with_targeted_resources(TargetedResource::parse_list(targets)?);
    Ok(Syncer::new(connector, options).run(&mut store).await?)
}

/// What a file holds about one resource: itself, its children, its entitlements and the
/// grants on them, each encoded (byte-equal protobufs).
#[derive(Debug, PartialEq)]
struct About {
    resource: Vec<u8>,
    children: BTreeMap<String, Vec<u8>>,
    entitlements: BTreeMap<String, Vec<u8>>,
    grants: BTreeMap<String, Vec<u8>>,
}

fn key(r: &Resource) -> String {
    let id = r.resource_id();
    format!("{}:{}", id.resource_type, id.resource)
}

fn about(path: &Path, target: &str) -> TestResult<About> {
    let reader = C1zReader::open(path)?;
    let resources = reader.resources()?;
    let resource = resources
        .iter()
        .find(|r| key(r) == target)
        .ok_or_else(|| format!("{target} is not in {}", path.display()))?;
    let children = resources
        .iter()
        .filter(|r| {
            r.parent_resource_id
                .as_ref()
                .is_some_and(|p| format!("{}:{}", p.resource_type, p.resource) == target)
        })
        // A sub-tenant names its parent tenant but is not a listed child (tenants carry
        // `ChildResourceType` for roles and groups only): a targeted sync leaves it out.
        .filter(|r| r.resource_id().resource_type != "tenant")
        .map(|r| (key(r), r.encode_to_vec()))
        .collect();
    let on_target = |e: &Entitlement| e.resource.as_ref().is_some_and(|r| key(r) == target);
    let entitlements: BTreeMap<String, Vec<u8>> = reader
        .entitlements()?
        .into_iter()
        .filter(on_target)
        .map(|e| (e.id.clone(), e.encode_to_vec()))
        .collect();
    let grants = reader
        .grants()?
        .into_iter()
        .filter(|g: &Grant| entitlements.contains_key(g.entitlement_id()))
        .map(|g| (g.id.clone(), g.encode_to_vec()))
        .collect();
    Ok(About {
        resource: resource.encode_to_vec(),
        children,
        entitlements,
        grants,
    })
}

/// Asserts two `About`s are equal, naming what differs (not printing every byte).
fn same(got: &About, want: &About, what: &str) {
    let mut diffs = Vec::new();
    if got.resource != want.resource {
        diffs.push("the resource itself".to_owned());
    }
    for (name, g, w) in [
        ("children", &got.children, &want.children),
        ("entitlements", &got.entitlements, &want.entitlements),
        ("grants", &got.grants, &want.grants),
    ] {
        let only_got: Vec<&String> = g.keys().filter(|k| !w.contains_key(*k)).collect();
        let only_want: Vec<&String> = w.keys().filter(|k| !g.contains_key(*k)).collect();
        let changed: Vec<&String> = g
            .iter()
            .filter(|(k, v)| w.get(*k).is_some_and(|x| x != *v))
            .map(|(k, _)| k)
            .collect();
        if !(only_got.is_empty() && only_want.is_empty() && changed.is_empty()) {
            diffs.push(format!(
                "{name}: only targeted {only_got:?}, only full {only_want:?}, different {changed:?}"
            ));
        }
    }
    assert!(diffs.is_empty(), "{what}: {}", diffs.join("; "));
}

fn sync_type(path: &Path) -> TestResult<String> {
    let reader = C1zReader::open(path)?;
    Ok(reader
        .selected_sync()
        .map(|s| s.sync_type.clone())
        .unwrap_or_default())
}

/// The targets of the dataset the tests name: a user with tenants and roles, a key with a
/// tenant, a tenant with members and groups, a project role, a tenant-scoped role, a group and
/// an SSO application.
struct Named {
    user: String,
    key: String,
    tenant: String,
    project_role: String,
    tenant_role: String,
}

fn named(data: &Dataset) -> Named {
    let user = data
        .users
        .iter()
        .find(|u| !u.user_tenants.is_empty() && !u.role_names.is_empty() && !u.test)
        .expect("a user with tenants and roles");
    let key = data
        .access_keys
        .iter()
        .find(|k| !k.key_tenants.is_empty())
        .expect("a key with a tenant");
    let tenant = &user.user_tenants[0].tenant_id;
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .expect("a project role");
    let tenant_role = data
        .roles
        .iter()
        .find(|r| !r.tenant_id.is_empty())
        .expect("a tenant role");
    Named {
        user: format!("user:{}", enc(&user.user_id)),
        key: format!("access_key:{}", enc(&key.id)),
        tenant: format!("tenant:{}", enc(tenant)),
        project_role: format!(
            "role:{}",
            descope_connector::ids::RoleRef::Project {
                name: role.name.clone()
            }
            .resource_id()
        ),
        tenant_role: format!(
            "role:{}",
            descope_connector::ids::RoleRef::TenantScoped {
                tenant_id: tenant_role.tenant_id.clone(),
                name: tenant_role.name.clone(),
            }
            .resource_id()
        ),
    }
}

#[tokio::test]
async fn a_targeted_user_key_and_tenant_equal_the_full_sync_at_a_counted_cost() -> TestResult {
    let data = data();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let full = dir.path().join("full.c1z");
    // One connector for every sync, as in service mode: the client's one-time license
    // handshake (`GET /v1/mgmt/license`, once per process) is behind us.
    let connector = connector_for(&emu)?;
    sync_to(connector.clone(), &full).await?;
    let n = named(&data);

    // A user: the credential check and one user/load.
    emu.reset_counters();
    let path = dir.path().join("user.c1z");
    let stats = targeted(connector.clone(), &path, &n.user).await?;
    let c = emu.counters();
    assert_eq!(c.requests, 2, "{:?}", c.requests_by_endpoint);
    assert_eq!(
        c.endpoint("POST /v2/mgmt/user/search"),
        1,
        "the credential check"
    );
    assert_eq!(stats.resources(), 1);
    assert_eq!(sync_type(&path)?, "partial");
    same(&about(&path, &n.user)?, &about(&full, &n.user)?, &n.user);

    // An access key: the credential check and one accesskey/load.
    emu.reset_counters();
    let path = dir.path().join("key.c1z");
    targeted(connector.clone(), &path, &n.key).await?;
    let c = emu.counters();
    assert_eq!(c.requests, 2, "{:?}", c.requests_by_endpoint);
    same(&about(&path, &n.key)?, &about(&full, &n.key)?, &n.key);

    // A tenant: its roles and groups (children), its members' grants.
    emu.reset_counters();
    let path = dir.path().join("tenant.c1z");
    targeted(connector.clone(), &path, &n.tenant).await?;
    let c = emu.counters();
    let got = about(&path, &n.tenant)?;
    same(&got, &about(&full, &n.tenant)?, &n.tenant);
    assert!(!got.grants.is_empty() && !got.children.is_empty());
    // The members' search pages: one per 100 members (page of 104 with the overlap).
    let members = data
        .users
        .iter()
        .filter(|u| {
            !u.test
                && u.user_tenants
                    .iter()
                    .any(|t| enc(&t.tenant_id) == n.tenant["tenant:".len()..])
        })
        .count() as u64;
    eprintln!(
        "tenant target: {members} members, {:?}",
        c.requests_by_endpoint
    );
    assert_eq!(
        c.endpoint("POST /v2/mgmt/user/search"),
        1 + members.div_ceil(100).max(1),
        "the credential check and the members' pages: {:?}",
        c.requests_by_endpoint
    );
    // Besides: the catalog (tenants, roles, permissions), the access keys (one search, checked
    // by tenant) and the tenant's groups when it has SSO. Nothing else, and never a listing
    // of every user.
    assert_eq!(
        c.requests,
        c.endpoint("POST /v2/mgmt/user/search")
            + 3
            + c.endpoint("POST /v1/mgmt/accesskey/search")
            + c.endpoint("POST /v1/mgmt/group/all"),
        "{:?}",
        c.requests_by_endpoint
    );
    assert!(c.endpoint("POST /v1/mgmt/accesskey/search") <= 2);
    assert!(c.endpoint("POST /v1/mgmt/group/all") <= 1);
    Ok(())
}

#[tokio::test]
async fn targeted_roles_groups_apps_and_permissions_equal_the_full_sync() -> TestResult {
    let data = data();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let full = dir.path().join("full.c1z");
    sync_to(connector_for(&emu)?, &full).await?;
    let n = named(&data);
    let full_reader = C1zReader::open(&full)?;
    let resources = full_reader.resources()?;
    // The group with the most members.
    let group = resources
        .iter()
        .filter(|r| r.resource_id().resource_type == "group")
        .map(key)
        .max_by_key(|g| about(&full, g).map(|a| a.grants.len()).unwrap_or(0))
        .ok_or("a group")?;
    let app = resources
        .iter()
        .find(|r| r.resource_id().resource_type == "app")
        .map(key)
        .ok_or("an app")?;
    let permission = resources
        .iter()
        .find(|r| r.resource_id().resource_type == "permission")
        .map(key)
        .ok_or("a permission")?;
    let all = [
        n.project_role.clone(),
        n.tenant_role.clone(),
        group,
        app,
        permission,
        n.user.clone(),
    ];
    // Each alone, then all in one sync.
    for t in &all[..4] {
        assert!(
            !about(&full, t)?.grants.is_empty(),
            "{t} has grants to compare"
        );
    }
    for (i, t) in all.iter().enumerate() {
        let path = dir.path().join(format!("t{i}.c1z"));
        targeted(connector_for(&emu)?, &path, t).await?;
        same(&about(&path, t)?, &about(&full, t)?, t);
    }
    let path = dir.path().join("all.c1z");
    targeted(connector_for(&emu)?, &path, &all.join(",")).await?;
    for t in &all {
        same(
            &about(&path, t)?,
            &about(&full, t)?,
            &format!("{t} among others"),
        );
    }
    Ok(())
}

/// Every target of the dataset compared with a full sync, under the readings the reference
/// leaves open and the paging a server may impose: `roleNames` matching project-level
/// assignments only, `role/all` without tenant roles, a capped page size, `offset` ignored.
#[tokio::test]
async fn targeted_syncs_equal_the_full_sync_under_each_knob() -> TestResult {
    use descope_emulator::EmulatorBuilder;
    type Knob = fn(EmulatorBuilder) -> EmulatorBuilder;
    let knobs: Vec<(&str, Knob)> = vec![
        ("roleNames at project level only", |b| {
            b.role_names_filter_project_only(true)
        }),
        ("tenant roles only in role/search", |b| {
            b.tenant_roles_only_in_search(true)
        }),
        ("pages capped at 30", |b| b.user_search_max_limit(Some(30))),
        ("offset ignored", |b| b.ignore_search_offset(true)),
    ];
    let data = data();
    let n = named(&data);
    for (name, knob) in knobs {
        let emu = knob(Emulator::builder().dataset(data.clone()))
            .start()
            .await?;
        let dir = tempfile::tempdir()?;
        let full = dir.path().join("full.c1z");
        sync_to(connector_for(&emu)?, &full).await?;
        let targets = [
            n.user.clone(),
            n.key.clone(),
            n.tenant.clone(),
            n.project_role.clone(),
            n.tenant_role.clone(),
        ];
        let path = dir.path().join("t.c1z");
        targeted(connector_for(&emu)?, &path, &targets.join(",")).await?;
        for t in &targets {
            same(
                &about(&path, t)?,
                &about(&full, t)?,
                &format!("{name}: {t}"),
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_target_descope_does_not_hold_is_a_warning_not_a_failure() -> TestResult {
    let emu = Emulator::builder().dataset(data()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("t.c1z");
    let stats = targeted(
        connector_for(&emu)?,
        &path,
        "user:U-nobody,tenant:T-nowhere,access_key:K-none,role:project/no-such-role",
    )
    .await?;
    assert_eq!(stats.warnings, 4);
    assert_eq!(stats.resources(), 0);
    assert_eq!(sync_type(&path)?, "partial");
    Ok(())
}

/// Service mode: ConductorOne's sync tasks that name targeted resources, or resource types,
/// are honoured (not a full sync in disguise), through the runner's `FakeConductorOne`.
mod service_mode {
    use std::time::Duration;

    use c1_connector_runner::service::proto::{FinalState, SyncFullTask};
    use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
    use c1_connector_runner::service::{self, ServiceError};
    use c1_connector_sdk::model::{Resource, ResourceId};
    use c1_connector_sdk::store::C1zReader;
    use descope_c1::testing::{TestResult, connector_for};
    use descope_emulator::Emulator;
    use tokio::task::JoinHandle;
    use tokio_util::sync::CancellationToken;

    use super::{about, data, named, same, sync_type};

    const WAIT: Duration = Duration::from_secs(60);

    /// Runs one task, waits for its FinishTask, and writes its upload to `path`.
    async fn run(
        c1: &FakeConductorOne,
        task: c1_connector_runner::service::proto::Task,
        path: &std::path::Path,
    ) -> TestResult {
        let id = task.id.clone();
        c1.push_task(task);
        let records = c1
            .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
            .await?;
        let finish = &records.finished_for(&id)[0];
        assert!(
            matches!(finish.final_state, Some(FinalState::Success(_))),
            "{finish:?}"
        );
        let upload = records
            .uploads()
            .into_iter()
            .find(|u| u.task_id == id && u.complete)
            .ok_or("no upload")?;
        std::fs::write(path, &upload.data)?;
        Ok(())
    }

    fn target(key: &str) -> Resource {
        let (t, id) = key.split_once(':').unwrap_or_default();
        Resource {
            id: Some(ResourceId::new(t, id)),
            ..Resource::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn targeted_and_type_selected_tasks_are_honoured() -> TestResult {
        let data = data();
        let emu = Emulator::builder().dataset(data.clone()).start().await?;
        let dir = tempfile::tempdir()?;
        let full = dir.path().join("full.c1z");
        super::sync_to(connector_for(&emu)?, &full).await?;
        let n = named(&data);

        let c1 = FakeConductorOne::start().await?;
        let config = c1.service_config().with_temp_dir(dir.path());
        let shutdown = CancellationToken::new();
        let run_service: JoinHandle<Result<(), ServiceError>> =
            tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));

        // A user, twice: the second costs the credential check and one user/load (the first
        // also paid the client's one-time license handshake).
        let path = dir.path().join("user.c1z");
        run(
            &c1,
            tasks::sync_targeted(&tasks::task_id(1), vec![target(&n.user)]),
            &path,
        )
        .await?;
        emu.reset_counters();
        run(
            &c1,
            tasks::sync_targeted(&tasks::task_id(2), vec![target(&n.user)]),
            &path,
        )
        .await?;
        let c = emu.counters();
        assert_eq!(c.requests, 2, "{:?}", c.requests_by_endpoint);
        assert_eq!(sync_type(&path)?, "partial");
        assert_eq!(C1zReader::open(&path)?.resources()?.len(), 1);
        same(&about(&path, &n.user)?, &about(&full, &n.user)?, &n.user);

        // A tenant and a key, the tenant's grants skipped.
        let path = dir.path().join("tenant.c1z");
        let spec = SyncFullTask {
            targeted_sync_resources: vec![target(&n.tenant), target(&n.key)],
            skip_grants: true,
            ..SyncFullTask::default()
        };
        run(&c1, tasks::sync_with(&tasks::task_id(3), spec), &path).await?;
        let got = about(&path, &n.tenant)?;
        let want = about(&full, &n.tenant)?;
        assert_eq!(got.resource, want.resource);
        assert_eq!(got.entitlements, want.entitlements);
        assert!(got.grants.is_empty() && !want.grants.is_empty());
        same(&about(&path, &n.key)?, &about(&full, &n.key)?, &n.key);

        // Resource types only: a full sync of the tenants, no user listed.
        emu.reset_counters();
        let path = dir.path().join("types.c1z");
        let spec = SyncFullTask {
            sync_resource_type_ids: vec!["tenant".into()],
            ..SyncFullTask::default()
        };
        run(&c1, tasks::sync_with(&tasks::task_id(4), spec), &path).await?;
        assert_eq!(sync_type(&path)?, "full");
        let reader = C1zReader::open(&path)?;
        assert!(
            reader
                .resources()?
                .iter()
                .all(|r| r.resource_id().resource_type == "tenant")
        );
        assert_eq!(reader.resource_types()?.len(), 1);

        shutdown.cancel();
        tokio::time::timeout(WAIT, run_service).await???;
        Ok(())
    }
}
