//! Many tenants, few with SSO: the per-tenant calls are made only where they can return
//! something, the sync stays exact, and its requests are counted against the emulator under
//! each reading of what Descope leaves undocumented:
//!
//! - whether a tenant whose `authType` is `none` can hold groups (the generator's
//!   `scim_tenants_without_sso`): by default only tenants with SSO are asked, and the tenants not
//!   asked are counted in the sync's summary; `with_groups_of_every_tenant` asks them all;
//! - whether `role/all` lists tenant roles (`tenant_roles_only_in_search`): searched by tenant
//!   only when it does not;
//! - how many tenant ids a search takes (`search_max_tenant_ids`): halved until accepted.

use std::sync::Arc;

use descope_connector::{DescopeConfig, DescopeConnector};
use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec};
use descope_mgmt::{RateLimitConfig, RetryConfig};
use secrecy::SecretString;

use descope_c1::testing::{Contents, TestResult, expected, read, sync_to};

const TENANTS: usize = 300;
const SSO_TENANTS: usize = 6;
const USERS: usize = 2_000;

fn data(scim_tenants_without_sso: usize) -> Dataset {
    Dataset::generate(&GenSpec {
        users: USERS,
        tenants: TENANTS,
        sso_tenants: Some(SSO_TENANTS),
        scim_tenants_without_sso,
        project_roles: 4,
        tenant_roles: 1,
        permissions: 6,
        test_users: 5,
        access_keys: 40,
        sso_apps: 2,
        seed: 21,
        ..GenSpec::default()
    })
}

fn connector(emu: &Emulator, every_tenant: bool) -> TestResult<Arc<DescopeConnector>> {
    let config = DescopeConfig::new(
        emu.project_id(),
        SecretString::from(emu.management_key().to_owned()),
    )?
    .with_base_url(emu.base_url())
    .with_rate_limit(RateLimitConfig::disabled())
    .with_groups_of_every_tenant(every_tenant);
    let client = descope_mgmt::Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .rate_limit(RateLimitConfig::disabled())
        .retry(RetryConfig::default().base_delay(std::time::Duration::from_millis(5)))
        .build()?;
    Ok(Arc::new(DescopeConnector::with_client(client, &config)))
}

/// Syncs `data` served by `builder`; returns what the file holds, the emulator's request
/// counts and the sync's counters.
async fn sync(
    data: &Dataset,
    builder: EmulatorBuilder,
    every_tenant: bool,
) -> TestResult<(
    Contents,
    descope_emulator::Counters,
    std::collections::BTreeMap<String, u64>,
)> {
    let emu = builder.dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let stats = sync_to(connector(&emu, every_tenant)?, &path).await?;
    Ok((read(&path)?, emu.counters(), stats.connector_counters))
}

fn assert_exact(got: &Contents, want: &Contents) {
    assert_eq!(got.resources, want.resources);
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
    assert_eq!(got.rows, want.rows, "no duplicates");
}

const GROUPS: &str = "POST /v1/mgmt/group/all";
const ROLE_SEARCH: &str = "POST /v1/mgmt/role/search";
const KEY_SEARCH: &str = "POST /v1/mgmt/accesskey/search";
const USER_SEARCH: &str = "POST /v2/mgmt/user/search";

/// Every request but the user searches and the per-tenant calls: the licence handshake,
/// tenant/role/permission listings, the full key search, the SSO apps, the third-party apps
/// and the (one page of) consent search, the outbound apps.
const CONSTANT: u64 = 9;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_asked_only_of_tenants_with_sso() -> TestResult {
    let data = data(0);
    let sso = data
        .tenants
        .iter()
        .filter(|t| t.auth_type != "none")
        .count();
    assert_eq!(sso, SSO_TENANTS);
    assert!(data.groups.iter().all(|g| {
        data.tenants
            .iter()
            .any(|t| t.id == g.tenant_id && t.auth_type != "none")
    }));
    let (got, counters, summary) = sync(&data, Emulator::builder(), false).await?;
    assert_exact(&got, &expected(&data, false));
    assert!(got.grants.iter().any(|g| g.starts_with("group:")));
    // One group request per tenant with SSO, none per other tenant.
    assert_eq!(counters.endpoint(GROUPS), SSO_TENANTS as u64);
    assert_eq!(
        summary.get("tenants not asked for groups (authType none)"),
        Some(&((TENANTS - SSO_TENANTS) as u64))
    );
    // role/all lists the tenant roles: no search by tenant. Keys: the full search and one
    // search for all 300 tenants.
    assert_eq!(counters.endpoint(ROLE_SEARCH), 0);
    assert_eq!(counters.endpoint(KEY_SEARCH), 2);
    // O(users / page + tenants with groups + a small constant).
    let pages = USERS.div_ceil(100) as u64;
    assert!(counters.endpoint(USER_SEARCH) <= pages + 2);
    assert!(
        counters.requests <= pages + 2 + SSO_TENANTS as u64 + 2 + CONSTANT,
        "{:?}",
        counters.requests_by_endpoint
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_of_tenants_without_sso_are_counted_or_asked() -> TestResult {
    // The other reading: four tenants without SSO hold SCIM groups.
    let data = data(4);
    let plain_groups: Vec<String> = data
        .groups
        .iter()
        .filter(|g| {
            data.tenants
                .iter()
                .any(|t| t.id == g.tenant_id && t.auth_type == "none")
        })
        .map(|g| g.id.clone())
        .collect();
    assert_eq!(plain_groups.len(), 4 * 2);

    // By default they are not asked: the sync says how many tenants it did not ask, and holds
    // every other group exactly.
    let (got, counters, summary) = sync(&data, Emulator::builder(), false).await?;
    assert_eq!(counters.endpoint(GROUPS), SSO_TENANTS as u64);
    assert_eq!(
        summary.get("tenants not asked for groups (authType none)"),
        Some(&((TENANTS - SSO_TENANTS) as u64))
    );
    let mut without = data.clone();
    without.groups.retain(|g| !plain_groups.contains(&g.id));
    assert_exact(&got, &expected(&without, false));

    // Asking every tenant: exact, at one request per tenant.
    let (got, counters, summary) = sync(&data, Emulator::builder(), true).await?;
    assert_exact(&got, &expected(&data, false));
    assert_eq!(counters.endpoint(GROUPS), TENANTS as u64);
    assert_eq!(
        summary.get("tenants not asked for groups (authType none)"),
        Some(&0)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_by_tenant_are_batched_as_far_as_descope_accepts() -> TestResult {
    let data = data(0);
    // role/all without tenant roles: they are searched by tenant, 300 tenants in one search.
    let (got, counters, _) = sync(
        &data,
        Emulator::builder().tenant_roles_only_in_search(true),
        false,
    )
    .await?;
    assert_exact(&got, &expected(&data, false));
    assert_eq!(counters.endpoint(ROLE_SEARCH), 1);
    assert_eq!(counters.endpoint(KEY_SEARCH), 2);

    // A server that takes at most 64 tenant ids a search: 300 refused, 150 refused, 75
    // refused, then searches of 37.
    let (got, counters, _) = sync(
        &data,
        Emulator::builder()
            .tenant_roles_only_in_search(true)
            .search_max_tenant_ids(Some(64)),
        false,
    )
    .await?;
    assert_exact(&got, &expected(&data, false));
    for (endpoint, extra) in [(ROLE_SEARCH, 0), (KEY_SEARCH, 1)] {
        let n = counters.endpoint(endpoint);
        // 3 refused, then ceil(300 / 37) = 9 accepted (plus the full key search).
        assert_eq!(n, 3 + 9 + extra, "{endpoint}");
    }
    Ok(())
}
