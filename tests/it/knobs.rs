//! The exact sync under each reading of the API the reference leaves open (the emulator's
//! knobs): tenant roles listed only by `role/search`, a backend that ignores `offset`, a silent
//! cap on the search `limit`, and roles that no listing returns at all. Each run is compared
//! with expectations computed from the dataset alone, and bounded in requests.

use descope_c1::testing::{TestResult, connector_for, expected, read, sync_to};
use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec};

const SEARCH: &str = "POST /v2/mgmt/user/search";

fn data(users: usize) -> Dataset {
    Dataset::generate(&GenSpec {
        users,
        tenants: 12,
        project_roles: 6,
        tenant_roles: 9,
        permissions: 10,
        seed: 11,
        ..GenSpec::default()
    })
}

/// Syncs `data` served by `builder` and checks the result is exactly what the dataset says;
/// returns the number of user-search requests.
async fn exact(data: &Dataset, builder: EmulatorBuilder) -> TestResult<u64> {
    let emu = builder.dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector_for(&emu)?, &path).await?;
    let got = read(&path)?;
    let want = expected(data, false);
    assert_eq!(got.resources, want.resources);
    assert_eq!(got.entitlements, want.entitlements);
    assert_eq!(
        got.grants.difference(&want.grants).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "unexpected grants"
    );
    assert_eq!(
        want.grants.difference(&got.grants).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "missing grants"
    );
    assert_eq!(got.rows, want.rows, "no duplicates");
    Ok(emu.counters().endpoint(SEARCH))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_roles_listed_only_by_role_search() -> TestResult {
    let data = data(600);
    assert!(data.roles.iter().any(|r| !r.tenant_id.is_empty()));
    exact(&data, Emulator::builder().tenant_roles_only_in_search(true)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_ignores_offset() -> TestResult {
    let data = data(600);
    let searches = exact(&data, Emulator::builder().ignore_search_offset(true)).await?;
    // 100 users a page; the credential check's one-user search and one probe past the end;
    // and, since pages overlap (asked at offsets the server ignores), the second page comes
    // back as the first: the pages prefetched until then are dropped and the listing goes on by
    // page number (at most one prefetched page per page of the project here).
    assert!(searches <= 2 * (600 / 100) + 3, "{searches} searches");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_cap_on_the_page_size() -> TestResult {
    for (users, cap) in [(600usize, 40usize), (600, 99), (30, 1)] {
        let data = data(users);
        let searches = exact(&data, Emulator::builder().user_search_max_limit(Some(cap))).await?;
        let pages = users.div_ceil(cap) as u64;
        // The first page shows the cap (the later ones are then asked at its size), the
        // credential check adds one search, and a page may be probed past the end.
        assert!(
            searches <= pages + 4,
            "cap {cap}: {searches} searches for {pages} pages"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_that_no_listing_returns_are_synced_from_the_assignments() -> TestResult {
    let mut data = data(200);
    // Assignments to roles no role record defines: a project-level one, and one in a
    // tenant on every user who is a member of it.
    let tenant = data
        .users
        .iter()
        .filter(|u| !u.test)
        .find_map(|u| u.user_tenants.first())
        .map(|m| m.tenant_id.clone())
        .ok_or("some user is a member of a tenant")?;
    let mut assigned = 0;
    for user in data.users.iter_mut().filter(|u| !u.test) {
        if assigned < 5 {
            user.role_names.push("Ghost role".to_owned());
        }
        if let Some(m) = user.user_tenants.iter_mut().find(|m| m.tenant_id == tenant) {
            m.role_names.push("Phantom/role".to_owned());
            assigned += 1;
        }
    }
    assert!(assigned > 0, "some of the users are members of the tenant");
    exact(&data, Emulator::builder()).await?;
    // And with tenant roles missing from role/all as well.
    exact(&data, Emulator::builder().tenant_roles_only_in_search(true)).await?;
    Ok(())
}
