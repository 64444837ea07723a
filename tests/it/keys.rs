//! Access keys: synced as `access_key` resources with their status and secret trait, and
//! provisioned through `accesskey/update` by read-modify-write: the conformance sequence on a
//! key's project role, tenant membership and tenant role, everything else on the key kept, the
//! refusals Descope's rules call for, and both readings of an empty list in an update.

use std::path::Path;
use std::sync::Arc;

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked, SecretTrait};
use c1_connector_sdk::store::C1zReader;
use descope_c1::testing::{TestResult, connector_for, enc, read, runner, sync_to};
use descope_emulator::{
    AccessKeyRecord, AccessKeyStatus, Dataset, DuplicateMode, Emulator, ExpiredKeyStatus, GenSpec,
};

fn data() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 80,
        tenants: 5,
        project_roles: 4,
        tenant_roles: 3,
        permissions: 3,
        access_keys: 12,
        seed: 21,
        ..GenSpec::default()
    })
}

fn key(emu: &Emulator, id: &str) -> AccessKeyRecord {
    emu.dataset()
        .access_keys
        .into_iter()
        .find(|k| k.id == id)
        .expect("the key exists")
}

/// Everything but the assignments, which a role or tenant change must leave alone.
fn rest(k: &AccessKeyRecord) -> String {
    let mut k = k.clone();
    k.role_names.clear();
    k.key_tenants.clear();
    serde_json::to_string(&k).unwrap_or_default()
}

fn plain_project_key(data: &Dataset) -> &AccessKeyRecord {
    data.access_keys
        .iter()
        .find(|k| {
            k.bound_user_id.is_empty()
                && k.key_tenants.is_empty()
                && !k.role_names.is_empty()
                && k.status == AccessKeyStatus::Active
        })
        .expect("a key with project roles only")
}

fn tenant_key(data: &Dataset) -> &AccessKeyRecord {
    data.access_keys
        .iter()
        .find(|k| {
            k.bound_user_id.is_empty() && k.role_names.is_empty() && !k.key_tenants.is_empty()
        })
        .expect("a key with tenants only")
}

/// Grant, re-sync and find it, grant again (already exists), revoke, revoke again (already
/// revoked), re-sync and find it gone; the key's other fields unchanged throughout.
async fn sequence(
    emu: &Emulator,
    connector: &Arc<descope_connector::DescopeConnector>,
    path: &Path,
    key_id: &str,
    entitlement: &str,
) -> TestResult {
    let principal = enc(key_id);
    let grant_id = format!("{entitlement}:access_key:{principal}");
    let before = rest(&key(emu, key_id));

    let first = runner(connector, path)
        .grant(entitlement, "access_key", &principal)
        .await?;
    assert!(!first.contains::<GrantAlreadyExists>(), "{entitlement}");
    assert_eq!(rest(&key(emu, key_id)), before, "nothing else changed");
    sync_to(connector.clone(), path).await?;
    assert!(read(path)?.grants.contains(&grant_id), "{grant_id} synced");

    let again = runner(connector, path)
        .grant(entitlement, "access_key", &principal)
        .await?;
    assert!(again.contains::<GrantAlreadyExists>(), "{entitlement}");

    let revoked = runner(connector, path).revoke(&grant_id).await?;
    assert!(!revoked.contains::<GrantAlreadyRevoked>(), "{grant_id}");
    let again = runner(connector, path).revoke(&grant_id).await?;
    assert!(again.contains::<GrantAlreadyRevoked>(), "{grant_id}");
    assert_eq!(rest(&key(emu, key_id)), before, "nothing else changed");

    sync_to(connector.clone(), path).await?;
    assert!(!read(path)?.grants.contains(&grant_id), "{grant_id} gone");
    Ok(())
}

/// Under both readings of an expired key's status (the stored one, or `expired`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_synced_with_status_and_secret_trait() -> TestResult {
    for mode in [ExpiredKeyStatus::Stored, ExpiredKeyStatus::Expired] {
        synced_keys(mode).await?;
    }
    Ok(())
}

async fn synced_keys(mode: ExpiredKeyStatus) -> TestResult {
    let data = data();
    let emu = Emulator::builder()
        .dataset(data.clone())
        .expired_key_status(mode)
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector_for(&emu)?, &path).await?;
    let reader = C1zReader::open(&path)?;
    let resources = reader.resources()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let mut expired_seen = false;
    for k in &data.access_keys {
        let r = resources
            .iter()
            .find(|r| {
                let id = r.resource_id();
                id.resource_type == "access_key" && id.resource == enc(&k.id)
            })
            .ok_or_else(|| format!("key {} synced", k.id))?;
        assert_eq!(r.display_name, k.name);
        let status = r.status.as_ref().ok_or("a status")?;
        let expired = k.expire_time > 0 && k.expire_time <= now;
        expired_seen |= expired;
        let (want, details) = match (k.status, expired, mode) {
            (_, true, ExpiredKeyStatus::Expired) => (2, "expired"),
            (AccessKeyStatus::Inactive, _, _) => (2, "inactive"),
            (_, true, _) => (2, "expired"),
            _ => (1, ""),
        };
        assert_eq!(
            (status.status, status.details.as_str()),
            (want, details),
            "{} ({mode:?})",
            k.id
        );
        let secret: SecretTrait =
            c1_connector_sdk::model::AnnotationsExt::get_annotation(r.annotations.as_slice())
                .ok_or("a secret trait")?;
        assert_eq!(
            secret.expires_at.map(|t| t.seconds).unwrap_or_default(),
            k.expire_time
        );
        let identity = secret.identity_id.map(|i| i.resource).unwrap_or_default();
        assert_eq!(identity, enc(&k.bound_user_id), "bound user as identity");
    }
    assert!(expired_seen, "the dataset has expired keys");
    assert!(
        data.access_keys
            .iter()
            .any(|k| k.status == AccessKeyStatus::Inactive)
    );
    assert!(data.access_keys.iter().any(|k| !k.bound_user_id.is_empty()));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_access_keys_when_descope_ignores_duplicates() -> TestResult {
    key_conformance(DuplicateMode::Silent).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_access_keys_when_descope_rejects_duplicates() -> TestResult {
    key_conformance(DuplicateMode::Error).await
}

async fn key_conformance(mode: DuplicateMode) -> TestResult {
    let data = data();
    let emu = Emulator::builder()
        .dataset(data.clone())
        .duplicates(mode)
        .start()
        .await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;

    // A project role the key lacks.
    let k = plain_project_key(&data);
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty() && !k.role_names.contains(&r.name))
        .ok_or("a project role the key lacks")?;
    let entitlement = format!("role:project/{}:assigned", enc(&role.name));
    sequence(&emu, &connector, &path, &k.id, &entitlement).await?;

    // A tenant the key is not in, then a tenant role there (membership first).
    let k = tenant_key(&data);
    let tenant = data
        .tenants
        .iter()
        .find(|t| !k.key_tenants.iter().any(|kt| kt.tenant_id == t.id))
        .ok_or("a tenant the key is not in")?;
    let member = format!("tenant:{}:member", enc(&tenant.id));
    sequence(&emu, &connector, &path, &k.id, &member).await?;
    let tenant_role = data
        .roles
        .iter()
        .find(|r| !r.tenant_id.is_empty())
        .ok_or("a tenant role")?;
    let kt = k
        .key_tenants
        .iter()
        .find(|t| t.tenant_id == tenant_role.tenant_id);
    let role_entitlement = format!(
        "role:tenant/{}/{}:assigned",
        enc(&tenant_role.tenant_id),
        enc(&tenant_role.name)
    );
    if kt.is_none() {
        let member = format!("tenant:{}:member", enc(&tenant_role.tenant_id));
        runner(&connector, &path)
            .grant(&member, "access_key", &enc(&k.id))
            .await?;
        sync_to(connector.clone(), &path).await?;
    }
    assert!(
        !kt.is_some_and(|t| t.role_names.contains(&tenant_role.name)),
        "the dataset gives a tenant role the key lacks"
    );
    sequence(&emu, &connector, &path, &k.id, &role_entitlement).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_change_nothing() -> TestResult {
    let data = data();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let before = emu.dataset().access_keys;

    let project_role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .ok_or("a project role")?;
    let bound = data
        .access_keys
        .iter()
        .find(|k| !k.bound_user_id.is_empty())
        .ok_or("a bound key")?;
    let project = plain_project_key(&data);
    let tenanted = tenant_key(&data);
    let outside = data
        .tenants
        .iter()
        .find(|t| !tenanted.key_tenants.iter().any(|kt| kt.tenant_id == t.id))
        .ok_or("a tenant outside the key")?;
    let outside_role = data
        .roles
        .iter()
        .find(|r| r.tenant_id == outside.id)
        .ok_or("a role of that tenant")?;
    let cases = [
        (
            bound,
            format!("role:project/{}:assigned", enc(&project_role.name)),
            "bound to user",
        ),
        (
            project,
            format!("tenant:{}:member", enc(&data.tenants[0].id)),
            "either project roles or",
        ),
        (
            tenanted,
            format!("role:project/{}:assigned", enc(&project_role.name)),
            "either project roles or",
        ),
        (
            tenanted,
            format!(
                "role:tenant/{}/{}:assigned",
                enc(&outside.id),
                enc(&outside_role.name)
            ),
            &format!("tenant:{}:member", enc(&outside.id)),
        ),
    ];
    for (k, entitlement, says) in cases {
        let err = runner(&connector, &path)
            .grant(&entitlement, "access_key", &enc(&k.id))
            .await
            .expect_err("refused");
        assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
        assert!(err.to_string().contains(says), "{entitlement}: {err}");
    }
    assert_eq!(emu.dataset().access_keys, before, "no key changed");
    Ok(())
}

/// Revoking a key's last project role sends `"roleNames": []`: whether Descope clears the list
/// or keeps it is unverified. Under "clears", the revoke succeeds; under "keeps", it fails
/// saying so, and never reports success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_last_role_under_both_readings_of_an_empty_list() -> TestResult {
    for keeps in [false, true] {
        let data = data();
        let emu = Emulator::builder()
            .dataset(data.clone())
            .key_update_empty_list_keeps(keeps)
            .start()
            .await?;
        let connector = connector_for(&emu)?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sync.c1z");
        sync_to(connector.clone(), &path).await?;
        let k = data
            .access_keys
            .iter()
            .find(|k| {
                k.bound_user_id.is_empty() && k.key_tenants.is_empty() && k.role_names.len() == 1
            })
            .ok_or("a key with one project role")?;
        let grant_id = format!(
            "role:project/{}:assigned:access_key:{}",
            enc(&k.role_names[0]),
            enc(&k.id)
        );
        let result = runner(&connector, &path).revoke(&grant_id).await;
        let after = key(&emu, &k.id);
        if keeps {
            let err = result.expect_err("not reported as revoked");
            assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
            assert!(err.to_string().contains("empty list"), "{err}");
            assert_eq!(after.role_names, k.role_names);
        } else {
            let done = result?;
            assert!(!done.contains::<GrantAlreadyRevoked>());
            assert!(after.role_names.is_empty());
        }
    }
    Ok(())
}

/// A search that silently caps its answer would drop keys: the sync fails saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capped_key_search_fails_the_sync() -> TestResult {
    let data = data();
    let emu = Emulator::builder()
        .dataset(data.clone())
        .access_key_search_cap(Some(5))
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let err = sync_to(connector_for(&emu)?, &path)
        .await
        .expect_err("a capped search cannot be synced completely");
    assert!(err.to_string().contains("caps its answer"), "{err}");

    // Without access keys the sync still works.
    let connector = connector_for(&emu)?;
    let mut store = c1_connector_sdk::store::C1zWriter::create(&path)?;
    c1_connector_sdk::engine::Syncer::new(
        connector,
        c1_connector_sdk::engine::SyncOptions::default().with_sync_resource_types([
            "user",
            "tenant",
            "role",
            "permission",
        ]),
    )
    .run(&mut store)
    .await?;
    let got = read(&path)?;
    assert!(!got.resources.iter().any(|r| r.starts_with("access_key:")));
    Ok(())
}
