//! Syncs of a project that changes while it is read (issue 20): users deleted and created in
//! front of the user pages during the listing, with one page in flight or sixteen, and what
//! overlapping pages cost. Every user present throughout is in the file with all its grants, and
//! nothing is in it that neither the project before nor the project after explains. (Changes
//! made while the program is stopped and resumed are the program's tests:
//! `crates/baton-descope/tests/it/changes.rs`.)

use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::store::C1zWriter;
use descope_c1::testing::{
    TestResult, assert_exact_under_change, changing_project, connector_with, expected, read,
};
use descope_connector::DescopeConnector;
use descope_emulator::{Dataset, Emulator, UserChurn};

const SEARCH: &str = "POST /v2/mgmt/user/search";

/// A connector that fetches `parallel` user pages at once.
fn connector(emu: &Emulator, parallel: usize) -> TestResult<Arc<DescopeConnector>> {
    connector_with(emu, |config| config.with_max_parallel_fetches(parallel))
}

async fn sync_while_churning(churn: Vec<UserChurn>, parallel: usize) -> TestResult {
    let data = Dataset::generate(&changing_project(3_000));
    let emu = Emulator::builder()
        .dataset(data.clone())
        .latency(Duration::from_millis(1), Duration::from_millis(2))
        .user_churn(churn.clone())
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let mut store = C1zWriter::create(&path)?;
    Syncer::new(connector(&emu, parallel)?, SyncOptions::default())
        .run(&mut store)
        .await?;
    drop(store);
    let churned = emu.churned();
    let wanted_deletions: usize = churn.iter().filter_map(|c| c.delete).map(|d| d.1).sum();
    let wanted_creations: usize = churn.iter().filter_map(|c| c.create).map(|c| c.1).sum();
    assert_eq!(
        (churned.deleted.len(), churned.created.len()),
        (wanted_deletions, wanted_creations),
        "every change happened during the listing ({parallel} in flight)"
    );
    assert_exact_under_change(
        &read(&path)?,
        &data,
        &churned.deleted,
        &churned.created,
        false,
    );
    Ok(())
}

// The first user search is the credentials check (one user); the second is the first page.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_deleted_after_the_first_page_lose_no_other_user() -> TestResult {
    for parallel in [1, 16] {
        let churn = vec![
            // The case: three users at the front, right after the first page.
            UserChurn::after(2).delete(0, 3),
            // More than the pages overlap, a few pages on.
            UserChurn::after(6).delete(100, 40),
            UserChurn::after(12).delete(0, 250),
        ];
        sync_while_churning(churn, parallel).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_created_in_front_of_the_pages_lose_no_other_user() -> TestResult {
    for parallel in [1, 16] {
        let churn = vec![
            UserChurn::after(2).create(0, 5),
            UserChurn::after(7).create(300, 150),
        ];
        sync_while_churning(churn, parallel).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_deleted_and_created_during_the_listing_lose_no_other_user() -> TestResult {
    for parallel in [1, 16] {
        let churn = vec![
            UserChurn::after(2).delete(0, 7).create(50, 3),
            UserChurn::after(5).create(0, 60),
            UserChurn::after(9).delete(200, 120).create(900, 20),
            UserChurn::after(15).delete(0, 30),
        ];
        sync_while_churning(churn, parallel).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_pages_cost_no_request_when_honoured_and_at_most_five_percent_capped()
-> TestResult {
    let data = Dataset::generate(&changing_project(9_000));
    let listed = data.users.iter().filter(|u| !u.test).count() as u64;
    // Side by side, pages of 100: every page, plus an empty one after an exact multiple.
    let side_by_side = listed / 100 + 1;
    for cap in [None, Some(100)] {
        let emu = Emulator::builder()
            .dataset(data.clone())
            .user_search_max_limit(cap)
            .start()
            .await?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sync.c1z");
        let options = SyncOptions::default().with_validate(false);
        Syncer::new(connector(&emu, 16)?, options)
            .run(&mut C1zWriter::create(&path)?)
            .await?;
        let searches = emu.counters().endpoint(SEARCH);
        if cap.is_none() {
            // Pages of 104 every 100: no extra request.
            assert!(searches <= side_by_side, "{searches} vs {side_by_side}");
        } else {
            // Pages capped at 100 move on by 96: 4.2% more, and a page of rounding.
            assert!(
                searches * 100 <= side_by_side * 105,
                "{searches} vs {side_by_side}"
            );
        }
        assert_eq!(read(&path)?, expected(&data, false), "{cap:?}");
    }
    Ok(())
}
