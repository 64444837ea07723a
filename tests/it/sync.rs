//! A full sync of a generated dataset, read back from the `.c1z`, against expectations computed
//! independently from the dataset.

use descope_c1::testing::{TestResult, connector_for, expected, read, sync_to};
use descope_emulator::{Dataset, Emulator, GenSpec};

fn spec() -> GenSpec {
    GenSpec {
        users: 3_000,
        tenants: 25,
        project_roles: 8,
        tenant_roles: 30,
        permissions: 15,
        test_users: 12,
        access_keys: 40,
        sso_apps: 6,
        seed: 7,
        ..GenSpec::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_matches_the_dataset_exactly() -> TestResult {
    let data = Dataset::generate(&spec());
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");

    let stats = sync_to(connector_for(&emu)?, &path).await?;
    let got = read(&path)?;
    let want = expected(&data, false);

    // The dataset exercises every kind of assignment, or this test proves little.
    for needle in ["role:project/", "role:tenant/", "/project/"] {
        assert!(
            want.grants
                .iter()
                .any(|g| g.starts_with(needle) || g.contains(needle)),
            "{needle}"
        );
    }
    assert!(
        data.users.iter().any(|u| u.test),
        "the dataset has test users"
    );
    for (what, has) in [
        (
            "project roles",
            data.access_keys.iter().any(|k| !k.role_names.is_empty()),
        ),
        (
            "tenant roles",
            data.access_keys
                .iter()
                .any(|k| k.key_tenants.iter().any(|t| !t.role_names.is_empty())),
        ),
        (
            "a bound user",
            data.access_keys.iter().any(|k| !k.bound_user_id.is_empty()),
        ),
    ] {
        assert!(has, "the dataset has access keys with {what}");
    }
    for needle in [":access_key:", "group:", "app:"] {
        assert!(
            want.grants.iter().any(|g| g.contains(needle)),
            "the dataset gives grants like {needle}"
        );
    }
    assert!(
        data.users
            .iter()
            .any(|u| !u.test && u.sso_app_ids.is_empty()),
        "users with every app"
    );
    assert!(
        data.tenants.iter().any(|t| !t.parent.is_empty()),
        "the dataset has a tenant hierarchy"
    );

    assert_eq!(got.resource_types, want.resource_types);
    assert_eq!(
        got.resources
            .difference(&want.resources)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "unexpected resources"
    );
    assert_eq!(
        want.resources
            .difference(&got.resources)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing resources"
    );
    assert_eq!(got.entitlements, want.entitlements);
    assert_eq!(
        got.grants
            .difference(&want.grants)
            .take(5)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "unexpected grants"
    );
    assert_eq!(
        want.grants
            .difference(&got.grants)
            .take(5)
            .collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing grants"
    );
    assert_eq!(got.rows, want.rows, "no object is written twice");
    assert_eq!(stats.grants as usize, want.grants.len());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_users_are_synced_only_when_asked() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 200,
        test_users: 5,
        seed: 3,
        ..GenSpec::default()
    });
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("with-tests.c1z");
    let base = connector_for(&emu)?;
    let config = descope_connector::DescopeConfig::new(
        emu.project_id(),
        secrecy::SecretString::from(emu.management_key().to_owned()),
    )?
    .with_test_users(true);
    let connector = std::sync::Arc::new(descope_connector::DescopeConnector::with_client(
        base.client().clone(),
        &config,
    ));
    sync_to(connector, &path).await?;
    assert_eq!(read(&path)?.resources, expected(&data, true).resources);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_fetched_concurrently_and_each_user_once() -> TestResult {
    let data = Dataset::generate(&GenSpec {
        users: 1_050,
        seed: 11,
        ..GenSpec::default()
    });
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector_for(&emu)?, &path).await?;
    // At 100 a page: every page the total covers, plus one page past it only when the total is
    // an exact multiple of the page size. Nothing is fetched twice.
    let listed = data.users.iter().filter(|u| !u.test).count();
    let pages = listed.div_ceil(100) + usize::from(listed % 100 == 0);
    // The engine's credential check is one more (one-user) search.
    let searches = emu
        .counters()
        .requests_by_endpoint
        .get("POST /v2/mgmt/user/search")
        .copied();
    assert_eq!(searches, Some(pages as u64 + 1));
    let got = read(&path)?;
    assert_eq!(
        got.resources
            .iter()
            .filter(|r| r.starts_with("user:"))
            .count(),
        data.users.iter().filter(|u| !u.test).count()
    );
    Ok(())
}
