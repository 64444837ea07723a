//! SSO applications and groups: the conformance sequence on an app in both duplicate modes,
//! access never widened by a revoke (the last explicit app refused; "every app" narrowed to
//! the other apps), and group memberships read-only.

use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use descope_c1::testing::{TestResult, connector_for, enc, read, runner, sync_to};
use descope_emulator::{Dataset, DuplicateMode, Emulator, GenSpec};

fn data() -> Dataset {
    Dataset::generate(&GenSpec {
        users: 60,
        tenants: 4,
        project_roles: 2,
        tenant_roles: 2,
        permissions: 2,
        sso_apps: 4,
        seed: 17,
        ..GenSpec::default()
    })
}

fn apps_of(emu: &Emulator, user_id: &str) -> Vec<String> {
    emu.dataset()
        .users
        .into_iter()
        .find(|u| u.user_id == user_id)
        .map(|u| u.sso_app_ids)
        .unwrap_or_default()
}

async fn conformance(mode: DuplicateMode) -> TestResult {
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

    // A user with explicit apps (at least two, so one can go) and an app it lacks.
    let user = data
        .users
        .iter()
        .find(|u| !u.test && !u.sso_app_ids.is_empty())
        .ok_or("a user with explicit apps")?;
    let app = data
        .sso_apps
        .iter()
        .find(|a| !user.sso_app_ids.contains(&a.id))
        .ok_or("an app the user lacks")?;
    let entitlement = format!("app:{}:access", enc(&app.id));
    let principal = enc(&user.user_id);
    let grant_id = format!("{entitlement}:user:{principal}");

    let first = runner(&connector, &path)
        .grant(&entitlement, "user", &principal)
        .await?;
    assert!(!first.contains::<GrantAlreadyExists>());
    assert!(apps_of(&emu, &user.user_id).contains(&app.id));
    sync_to(connector.clone(), &path).await?;
    assert!(read(&path)?.grants.contains(&grant_id));
    let again = runner(&connector, &path)
        .grant(&entitlement, "user", &principal)
        .await?;
    assert!(again.contains::<GrantAlreadyExists>());

    let revoked = runner(&connector, &path).revoke(&grant_id).await?;
    assert!(!revoked.contains::<GrantAlreadyRevoked>());
    assert_eq!(
        apps_of(&emu, &user.user_id),
        user.sso_app_ids,
        "back as before"
    );
    let again = runner(&connector, &path).revoke(&grant_id).await?;
    assert!(again.contains::<GrantAlreadyRevoked>());
    sync_to(connector.clone(), &path).await?;
    assert!(!read(&path)?.grants.contains(&grant_id));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_conformance_when_descope_ignores_duplicates() -> TestResult {
    conformance(DuplicateMode::Silent).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_conformance_when_descope_rejects_duplicates() -> TestResult {
    conformance(DuplicateMode::Error).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revokes_never_widen_app_access() -> TestResult {
    let data = data();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let app = &data.sso_apps[0];
    let entitlement = format!("app:{}:access", enc(&app.id));

    // The only explicit app: removing it would mean every app.
    let single = data
        .users
        .iter()
        .find(|u| !u.test && u.sso_app_ids.len() == 1)
        .ok_or("a user with one app")?;
    let only = enc(&single.sso_app_ids[0]);
    let grant_id = format!("app:{only}:access:user:{}", enc(&single.user_id));
    let err = runner(&connector, &path)
        .revoke(&grant_id)
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(err.to_string().contains("EVERY application"), "{err}");
    assert_eq!(apps_of(&emu, &single.user_id), single.sso_app_ids);

    // Every app (an empty list): the grant is already held, and a revoke lists the others.
    let everything = data
        .users
        .iter()
        .find(|u| !u.test && u.sso_app_ids.is_empty())
        .ok_or("a user with every app")?;
    let principal = enc(&everything.user_id);
    let held = runner(&connector, &path)
        .grant(&entitlement, "user", &principal)
        .await?;
    assert!(held.contains::<GrantAlreadyExists>());
    assert!(apps_of(&emu, &everything.user_id).is_empty(), "unchanged");
    let grant_id = format!("{entitlement}:user:{principal}");
    runner(&connector, &path).revoke(&grant_id).await?;
    let mut now = apps_of(&emu, &everything.user_id);
    now.sort();
    let mut others: Vec<String> = data
        .sso_apps
        .iter()
        .map(|a| a.id.clone())
        .filter(|id| id != &app.id)
        .collect();
    others.sort();
    assert_eq!(now, others, "every other app, explicitly");
    sync_to(connector.clone(), &path).await?;
    let grants = read(&path)?.grants;
    assert!(!grants.contains(&grant_id));
    for other in &others {
        assert!(grants.contains(&format!("app:{}:access:user:{principal}", enc(other))));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_memberships_are_read_only() -> TestResult {
    let data = data();
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let connector = connector_for(&emu)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let grant_id = read(&path)?
        .grants
        .into_iter()
        .find(|g| g.starts_with("group:"))
        .ok_or("a group grant")?;
    let before = emu.dataset();
    let err = runner(&connector, &path)
        .revoke(&grant_id)
        .await
        .expect_err("read-only");
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(emu.dataset().groups, before.groups);
    Ok(())
}
