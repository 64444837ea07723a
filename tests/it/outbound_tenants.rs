//! Outbound tokens tied to a tenant, under both readings of `apps-with-user-token` without
//! `tenantId` (it lists every token of the user, or only those tied to no tenant: the
//! emulator's `outbound_lookup_untenanted_only`) and both of `DELETE outbound/user/tokens`
//! (it deletes the user's tokens within tenants too, or not: `outbound_token_delete_untenanted_only`).
//!
//! The connector asks once without a tenant and once within each tenant of the user, so a sync
//! lists the same grants under either reading, at 1 + (the user's tenants) requests per user;
//! a revoke is confirmed in every one of those scopes, so a token left within a tenant is never
//! reported revoked; a resumed sync looks the users it did not list up the same way.

use c1_connector_sdk::engine::{Phase, SyncOptions, Syncer};
use c1_connector_sdk::error::Code;
use c1_connector_sdk::model::GrantAlreadyRevoked;
use c1_connector_sdk::store::{C1zReader, C1zWriter};
use descope_c1::testing::{TestResult, connector_with, enc, expected_with, read, runner, sync_to};
use descope_emulator::{
    Dataset, DuplicateMode, Emulator, EmulatorBuilder, GenSpec, OutboundTokenRecord,
};
use tokio_util::sync::CancellationToken;

const LOOKUP: &str = "GET /v1/mgmt/outbound/apps-with-user-token";

/// The lookups a sync of `data` sends: one per synced user, and one per tenant of it.
pub(crate) fn lookups_of(data: &Dataset) -> u64 {
    data.users
        .iter()
        .filter(|u| !u.test)
        .map(|u| {
            let tenants: std::collections::BTreeSet<&str> = u
                .user_tenants
                .iter()
                .map(|t| t.tenant_id.as_str())
                .filter(|t| !t.is_empty())
                .collect();
            1 + tenants.len() as u64
        })
        .sum()
}

/// The demo with more tokens tied to tenants: user 1's Slack token is tied to its first tenant
/// already; user 0 also holds Google Drive within its first tenant (and without one), and a
/// member of two tenants holds Google Drive within one and Slack within the other, and nothing
/// without a tenant. Returns the dataset and the grants only a lookup within a tenant finds
/// under the untenanted-only reading.
fn demo_with_tenant_tokens() -> (Dataset, Vec<String>) {
    let mut data = Dataset::demo();
    let (drive, slack) = (
        data.outbound_apps[0].id.clone(),
        data.outbound_apps[1].id.clone(),
    );
    let tenant_of = |i: usize| data.users[i].user_tenants[0].tenant_id.clone();
    let tied = |id: &str, app: &str, user: &str, tenant: String| {
        let mut t = OutboundTokenRecord::new(id, app, user);
        t.tenant_id = tenant;
        t
    };
    let u0 = data.users[0].user_id.clone();
    let extra = tied("OT2TiedDrive0", &drive, &u0, tenant_of(0));
    data.outbound_tokens.push(extra);
    let two = data
        .users
        .iter()
        .position(|u| {
            !u.test
                && u.user_tenants.len() >= 2
                && !data.outbound_tokens.iter().any(|t| t.user_id == u.user_id)
        })
        .expect("a user of two tenants without tokens");
    let u2 = data.users[two].user_id.clone();
    let (ta, tb) = (
        data.users[two].user_tenants[0].tenant_id.clone(),
        data.users[two].user_tenants[1].tenant_id.clone(),
    );
    assert_ne!(ta, tb);
    let a = tied("OT2TiedDriveA", &drive, &u2, ta);
    let b = tied("OT2TiedSlackB", &slack, &u2, tb);
    data.outbound_tokens.extend([a, b]);
    data.validate().expect("a valid dataset");

    let u1 = &data.users[1];
    let tied_slack = data
        .outbound_tokens
        .iter()
        .find(|t| t.user_id == u1.user_id && !t.tenant_id.is_empty())
        .expect("the demo ties user 1's Slack token to a tenant");
    assert!(
        u1.user_tenants
            .iter()
            .any(|t| t.tenant_id == tied_slack.tenant_id),
        "to one of user 1's tenants"
    );
    let grant =
        |app: &str, user: &str| format!("outbound_app:{}:connected:user:{}", enc(app), enc(user));
    let only_within = vec![
        grant(&tied_slack.app_id, &u1.user_id),
        grant(&drive, &u2),
        grant(&slack, &u2),
    ];
    (data, only_within)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_lists_the_same_connections_under_either_reading_at_one_plus_tenants_lookups_a_user()
-> TestResult {
    let (data, only_within) = demo_with_tenant_tokens();
    let want = expected_with(&data, false, true);
    for grant in &only_within {
        assert!(want.grants.contains(grant), "{grant} is expected");
    }
    let lookups = lookups_of(&data);
    let users = data.users.iter().filter(|u| !u.test).count() as u64;
    assert!(lookups > users, "some users are members of tenants");
    let dir = tempfile::tempdir()?;
    for untenanted_only in [true, false] {
        let emu = Emulator::builder()
            .dataset(data.clone())
            .outbound_lookup_untenanted_only(untenanted_only)
            .start()
            .await?;
        let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
        let path = dir.path().join(format!("sync-{untenanted_only}.c1z"));
        let stats = sync_to(connector, &path).await?;
        let got = read(&path)?;
        assert_eq!(got, want, "untenanted_only: {untenanted_only}");
        // One connection per (user, app), however many scopes list it.
        assert_eq!(got.rows.2, got.grants.len());
        // One lookup without a tenant and one within each tenant, per user; none more.
        assert_eq!(
            emu.counters().endpoint(LOOKUP),
            lookups,
            "{untenanted_only}"
        );
        assert_eq!(
            stats.connector_counters.get("outbound connection requests"),
            Some(&lookups)
        );
    }
    Ok(())
}

/// ConductorOne's conformance sequence for connections held only within a tenant, and for one
/// held both without a tenant and within one, when a lookup without `tenantId` lists only the
/// tokens tied to no tenant: grant refused, revoke, revoke again (already revoked), re-sync.
async fn conformance_when_the_lookup_is_untenanted_only(mode: DuplicateMode) -> TestResult {
    let (data, only_within) = demo_with_tenant_tokens();
    let emu = Emulator::builder()
        .dataset(data.clone())
        .duplicates(mode)
        .outbound_lookup_untenanted_only(true)
        .start()
        .await?;
    let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    sync_to(connector.clone(), &path).await?;
    let drive = &data.outbound_apps[0].id;
    let u0 = &data.users[0].user_id;
    let both = format!("outbound_app:{}:connected:user:{}", enc(drive), enc(u0));
    for grant_id in only_within.iter().take(2).chain([&both]) {
        assert!(read(&path)?.grants.contains(grant_id), "{grant_id} synced");
        let (entitlement, principal) = grant_id.rsplit_once(":user:").expect("a user grant");
        let err = runner(&connector, &path)
            .grant(entitlement, "user", principal)
            .await
            .expect_err("no grant");
        assert_eq!(err.code(), Code::FailedPrecondition, "{err}");

        let revoked = runner(&connector, &path).revoke(grant_id).await?;
        assert!(
            !revoked.contains::<GrantAlreadyRevoked>(),
            "{grant_id}: a real change, not 'already revoked'"
        );
        let again = runner(&connector, &path).revoke(grant_id).await?;
        assert!(
            again.contains::<GrantAlreadyRevoked>(),
            "{grant_id}: repeat"
        );
        sync_to(connector.clone(), &path).await?;
        assert!(!read(&path)?.grants.contains(grant_id), "{grant_id} gone");
    }
    // Every token of those users for those apps went, the rest stayed.
    let revoked: Vec<(String, String)> = only_within
        .iter()
        .take(2)
        .chain([&both])
        .map(|g| {
            data.outbound_tokens
                .iter()
                .find(|t| {
                    g == &format!(
                        "outbound_app:{}:connected:user:{}",
                        enc(&t.app_id),
                        enc(&t.user_id)
                    )
                })
                .map(|t| (t.app_id.clone(), t.user_id.clone()))
                .expect("a token of the grant")
        })
        .collect();
    let left: Vec<_> = data
        .outbound_tokens
        .iter()
        .filter(|t| !revoked.contains(&(t.app_id.clone(), t.user_id.clone())))
        .cloned()
        .collect();
    assert_eq!(emu.dataset().outbound_tokens, left);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_of_tenant_tied_connections_when_the_lookup_is_untenanted_only_ignoring_duplicates()
-> TestResult {
    conformance_when_the_lookup_is_untenanted_only(DuplicateMode::Silent).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_of_tenant_tied_connections_when_the_lookup_is_untenanted_only_rejecting_duplicates()
-> TestResult {
    conformance_when_the_lookup_is_untenanted_only(DuplicateMode::Error).await
}

/// `DELETE outbound/user/tokens` takes no tenant; a Descope that keeps the user's tokens within
/// tenants leaves the connection in place, and that is an error saying NOT revoked (under
/// either reading of the lookup), never a success or "already revoked".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_that_keeps_tokens_within_a_tenant_is_never_reported_as_a_revoke() -> TestResult {
    let (data, only_within) = demo_with_tenant_tokens();
    let drive = &data.outbound_apps[0].id;
    let u0 = &data.users[0].user_id;
    let both = format!("outbound_app:{}:connected:user:{}", enc(drive), enc(u0));
    for untenanted_only in [true, false] {
        let emu = Emulator::builder()
            .dataset(data.clone())
            .outbound_lookup_untenanted_only(untenanted_only)
            .outbound_token_delete_untenanted_only(true)
            .start()
            .await?;
        let connector = connector_with(&emu, |c| c.with_sync_outbound_connections(true))?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sync.c1z");
        sync_to(connector.clone(), &path).await?;
        for grant_id in [&only_within[0], &both] {
            let err = runner(&connector, &path)
                .revoke(grant_id)
                .await
                .expect_err("Descope kept a token within a tenant");
            assert!(
                err.to_string().contains("NOT revoked"),
                "{untenanted_only} {grant_id}: {err}"
            );
        }
        // The tokens within tenants are all still there; user 0's Drive token without a tenant
        // went (the delete did that much).
        let now = emu.dataset().outbound_tokens;
        let kept: Vec<_> = data
            .outbound_tokens
            .iter()
            .filter(|t| !(t.tenant_id.is_empty() && &t.app_id == drive && &t.user_id == u0))
            .cloned()
            .collect();
        assert_eq!(now, kept, "untenanted_only: {untenanted_only}");
        // The connections are still synced.
        sync_to(connector.clone(), &path).await?;
        let got = read(&path)?;
        assert!(got.grants.contains(&only_within[0]) && got.grants.contains(&both));
    }
    Ok(())
}

/// A generated project whose tokens are mostly tied to one of their user's tenants (every
/// other one; a few users hold the app both without a tenant and within one).
fn generated_with_tenant_tokens() -> Dataset {
    let mut data = Dataset::generate(&GenSpec {
        users: 120,
        tenants: 5,
        outbound_apps: 3,
        seed: 24,
        ..GenSpec::default()
    });
    let tenants: std::collections::HashMap<String, Vec<String>> = data
        .users
        .iter()
        .map(|u| {
            (
                u.user_id.clone(),
                u.user_tenants.iter().map(|t| t.tenant_id.clone()).collect(),
            )
        })
        .collect();
    let mut extra = Vec::new();
    for (i, t) in data.outbound_tokens.iter_mut().enumerate() {
        let Some(of_user) = tenants.get(&t.user_id).filter(|v| !v.is_empty()) else {
            continue;
        };
        let tenant = of_user[i % of_user.len()].clone();
        match i % 3 {
            0 => t.tenant_id = tenant,
            1 => {
                let mut again = t.clone();
                again.id = format!("{}Tied", t.id);
                again.tenant_id = tenant;
                extra.push(again);
            }
            _ => {}
        }
    }
    data.outbound_tokens.extend(extra);
    assert!(
        data.outbound_tokens
            .iter()
            .filter(|t| !t.tenant_id.is_empty())
            .count()
            > 5
    );
    data.validate().expect("a valid dataset");
    data
}

/// The emulator under the untenanted-only reading, with `data`.
fn untenanted_only(data: &Dataset) -> EmulatorBuilder {
    Emulator::builder()
        .dataset(data.clone())
        .outbound_lookup_untenanted_only(true)
}

/// A sync interrupted in its grants phase and resumed by a new connector (a new process): the
/// users it did not list in that process are looked up when the grants are read, within each of
/// their tenants too (read from the session's user records), and the file holds every
/// connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_sync_looks_users_up_within_their_tenants_too() -> TestResult {
    let data = generated_with_tenant_tokens();
    let want = expected_with(&data, false, true);
    assert!(want.grants.iter().any(|g| g.starts_with("outbound_app:")));
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");

    let emu = untenanted_only(&data).start().await?;
    let connector = connector_with(&emu, |c| {
        c.with_sync_outbound_connections(true)
            .with_user_page_size(20)
    })?;
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    let options = SyncOptions::default()
        .with_concurrency(1)
        .with_cancel(cancel)
        .with_progress(move |p| {
            if p.phase == Phase::Grants && p.grants >= 1 {
                c.cancel();
            }
        });
    let mut w = C1zWriter::open_or_resume(&path)?;
    let err = Syncer::new(connector, options)
        .run(&mut w)
        .await
        .expect_err("interrupted");
    assert_eq!(err.code(), Code::Cancelled, "{err}");
    drop(w);
    let syncs = C1zReader::open(&path)?.syncs()?;
    assert!(!syncs[0].is_finished());
    assert!(
        !read(&path)?
            .grants
            .iter()
            .any(|g| g.starts_with("outbound_app:")),
        "interrupted before the connections were written"
    );

    // A new process: it lists no user, and looks every user up when the grants are read.
    let emu = untenanted_only(&data).start().await?;
    let connector = connector_with(&emu, |c| {
        c.with_sync_outbound_connections(true)
            .with_user_page_size(20)
    })?;
    let mut w = C1zWriter::open_or_resume(&path)?;
    assert!(w.resumed_sync_id().is_some());
    let stats = Syncer::new(connector, SyncOptions::default().with_validate(false))
        .run(&mut w)
        .await?;
    drop(w);
    assert_eq!(read(&path)?, want);
    assert_eq!(emu.counters().endpoint("POST /v2/mgmt/user/search"), 0);
    assert_eq!(emu.counters().endpoint(LOOKUP), lookups_of(&data));
    assert_eq!(
        stats.connector_counters.get("outbound connection requests"),
        Some(&lookups_of(&data))
    );
    Ok(())
}
