//! The `descope-mgmt` client's incremental listing (`from_modified_time`, through
//! `search_all` and the pager) against the emulator, under each reading of the modified-time
//! knobs: exactly the users created or changed since the instant come back, paged, with their
//! `modifiedTime`; deleted users do not.

use std::collections::BTreeSet;

use descope_emulator::{Dataset, Emulator, EmulatorBuilder, GenSpec};
use descope_mgmt::{
    Client, CreateUserRequest, PagerOptions, PatchUserRequest, SearchUsersRequest, SecretString,
};
use futures::TryStreamExt;

use crate::common::TestResult;

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .project_id(emu.project_id())
        .management_key(SecretString::from(emu.management_key().to_owned()))
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(d.as_millis()).unwrap()
}

/// What one run saw: the users listed since the instant by `search_all` and by the pager, the
/// ids of the users patched, given a role, and created, and whether a search from the exact
/// millisecond of the last patch found that user.
struct Run {
    by_search_all: BTreeSet<String>,
    by_pager: BTreeSet<String>,
    patched: BTreeSet<String>,
    role_added: BTreeSet<String>,
    created: BTreeSet<String>,
    exact_ms_found: bool,
}

async fn run(b: EmulatorBuilder) -> Result<Run, Box<dyn std::error::Error + Send + Sync>> {
    let spec = GenSpec {
        users: 120,
        ..GenSpec::default()
    };
    let emu = b.dataset(Dataset::generate(&spec)).start().await?;
    let c = client(&emu);
    let data = emu.dataset();
    let real: Vec<_> = data.users.iter().filter(|u| !u.test).collect();
    let role = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .unwrap()
        .name
        .clone();
    let since = now_ms();

    let mut patched = BTreeSet::new();
    for u in &real[10..13] {
        let req = PatchUserRequest::new(u.user_id.clone()).given_name("Changed");
        patched.insert(c.users().patch(&req).await?.user_id);
    }
    let mut role_added = BTreeSet::new();
    for u in real[20..40]
        .iter()
        .filter(|u| !u.role_names.contains(&role))
        .take(2)
    {
        c.users()
            .add_roles(&u.user_id, std::slice::from_ref(&role), None)
            .await?;
        role_added.insert(u.user_id.clone());
    }
    let mut created = BTreeSet::new();
    for i in 0..3 {
        let u = c
            .users()
            .create(&CreateUserRequest::new(format!("new{i}@x.io")))
            .await?;
        assert!(
            u.modified_time * 1000 >= since - 999,
            "modifiedTime in seconds: {u:?}"
        );
        created.insert(u.user_id);
    }
    // Changed, then deleted: gone from the listing.
    let gone = &real[50];
    let req = PatchUserRequest::new(gone.user_id.clone()).given_name("Soon gone");
    c.users().patch(&req).await?;
    c.users().delete(&gone.user_id).await?;

    // One millisecond early, so a change in the very millisecond `since` was read counts under the
    // exclusive reading too (a real client subtracts a larger safety margin).
    let search = SearchUsersRequest::new()
        .from_modified_time(since - 1)
        .limit(2);
    let by_search_all: BTreeSet<String> = c
        .users()
        .search_all(search.clone())
        .map_ok(|u| u.user_id)
        .try_collect()
        .await?;
    let pager = c
        .users()
        .pager(search, PagerOptions::default().page_size(2));
    let by_pager: BTreeSet<String> = pager
        .into_stream()
        .map_ok(|u| u.user_id)
        .try_collect()
        .await?;
    assert!(!by_search_all.contains(&gone.user_id));

    // The exact millisecond of the last patch of a user still there.
    let last = patched.iter().next_back().unwrap().clone();
    let at = emu
        .dataset()
        .audit
        .iter()
        .filter(|a| a.user_id == last && a.action == "UserModified")
        .map(|a| a.occurred)
        .max()
        .unwrap();
    let exact = SearchUsersRequest::new()
        .from_modified_time(at)
        .user_ids([last.clone()]);
    let exact_ms_found = c.users().search(&exact).await?.users.len() == 1;
    emu.shutdown().await;
    Ok(Run {
        by_search_all,
        by_pager,
        patched,
        role_added,
        created,
        exact_ms_found,
    })
}

#[tokio::test]
async fn incremental_listing_under_each_reading() -> TestResult {
    for exclusive in [false, true] {
        for bumps in [true, false] {
            let b = Emulator::builder()
                .from_modified_time_exclusive(exclusive)
                .assignment_changes_bump_modified(bumps);
            let r = run(b).await?;
            let mut want: BTreeSet<String> = r.patched.union(&r.created).cloned().collect();
            if bumps {
                want.extend(r.role_added.iter().cloned());
            }
            assert_eq!(r.role_added.len(), 2);
            assert_eq!(
                r.by_search_all, want,
                "exclusive {exclusive}, bumps {bumps}"
            );
            assert_eq!(r.by_pager, want, "exclusive {exclusive}, bumps {bumps}");
            assert_eq!(r.exact_ms_found, !exclusive, "exclusive {exclusive}");
        }
    }
    Ok(())
}
