//! The program stopped (SIGTERM) while the project changes, and run again (issue 20): users
//! deleted and created while it is stopped; a role created and another deleted between the two
//! runs; an option changed between them; a finished partial file of another project. Every user
//! present throughout is in the file with all its grants, and nothing is in it that neither the
//! project before nor the project after explains. (Changes during one listing are the
//! library-level tests' `tests/it/changes.rs`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use c1_connector_sdk::engine::{SyncOptions, Syncer};
use c1_connector_sdk::store::{C1zReader, C1zWriter};
use descope_c1::testing::{
    TestResult, assert_exact_under_change, changing_project, client_for, connector_with, enc,
    expected, read,
};
use descope_emulator::{Dataset, Emulator};
use prost::Message;

/// Runs a sync into `path`; with `term`, sends SIGTERM once the file holds a checkpoint whose
/// user listing is under way. Returns the exit status and standard error.
async fn run(
    emu: &Emulator,
    path: &Path,
    extra: &[&str],
    term: bool,
) -> TestResult<(ExitStatus, String)> {
    let log = path.with_extension(format!("{}.log", std::process::id()));
    let mut cmd = crate::cli::command()?;
    cmd.arg("-f")
        .arg(path)
        .arg("--no-rate-limit")
        .args(["--user-page-size", "20", "--max-parallel-fetches", "1"])
        .args(extra)
        .env("DESCOPE_PROJECT_ID", emu.project_id())
        .env("DESCOPE_MANAGEMENT_KEY", emu.management_key())
        .env("DESCOPE_BASE_URL", emu.base_url())
        .env("BATON_CHECKPOINT_INTERVAL_MS", "50")
        .env("BATON_CHECKPOINT_SAVE_SPACING", "0")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    let mut child = tokio::process::Command::from(cmd).spawn()?;
    if term {
        loop {
            if child.try_wait()?.is_some() {
                return Err("the run ended before its user listing was checkpointed".into());
            }
            if user_token(&partial(path)).is_some_and(|t| t >= 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let pid = child.id().ok_or("exited")?.to_string();
        let sent = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await?;
        assert!(sent.success());
    }
    let status = tokio::time::timeout(Duration::from_secs(120), child.wait()).await??;
    let stderr = std::fs::read_to_string(&log)?;
    std::fs::remove_file(&log)?;
    Ok((status, stderr))
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    name.into()
}

/// The user listing's page token in the partial file's checkpoint, if it is under way there.
fn user_token(partial: &Path) -> Option<u64> {
    let syncs = C1zReader::open(partial).ok()?.syncs().ok()?;
    let token: serde_json::Value = serde_json::from_str(&syncs.first()?.sync_token).ok()?;
    token["resource_jobs"]
        .as_array()?
        .iter()
        .find(|j| j["resource_type"] == "user" && j.get("parent").is_none())?["token"]
        .as_str()?
        .parse()
        .ok()
}

/// Every object of the file's selected sync, encoded and sorted.
fn objects(path: &Path) -> TestResult<Vec<Vec<u8>>> {
    let r = C1zReader::open(path)?;
    let mut all: Vec<Vec<u8>> = Vec::new();
    all.extend(r.resources()?.iter().map(Message::encode_to_vec));
    all.extend(r.entitlements()?.iter().map(Message::encode_to_vec));
    all.extend(r.grants()?.iter().map(Message::encode_to_vec));
    all.sort();
    Ok(all)
}

async fn emulator(data: &Dataset) -> TestResult<Emulator> {
    Ok(Emulator::builder()
        .dataset(data.clone())
        .latency(Duration::from_millis(2), Duration::ZERO)
        .start()
        .await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_sync_after_users_were_deleted_in_front_loses_no_other_user() -> TestResult {
    let data = Dataset::generate(&changing_project(3_000));
    let emu = emulator(&data).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let (status, stderr) = run(&emu, &path, &[], true).await?;
    assert_eq!(status.code(), Some(130), "{stderr}");
    let token = user_token(&partial(&path)).ok_or("a user listing under way")?;

    // While the sync is stopped: 45 users at the front of the order are deleted (every later
    // user shifts back past the saved page token), and 10 are created.
    let c = client_for(&emu)?;
    let deleted: Vec<String> = data
        .users
        .iter()
        .take(45)
        .map(|u| u.user_id.clone())
        .collect();
    for id in &deleted {
        c.users().delete_by_user_id(id).await?;
    }
    let mut created = Vec::new();
    for i in 0..10 {
        let req = descope_mgmt::CreateUserRequest::new(format!("resumed-{i}@example.com"));
        created.push(c.users().create(&req).await?.user_id);
    }

    let (status, stderr) = run(&emu, &path, &[], false).await?;
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("resuming sync"),
        "resumed from {token}: {stderr}"
    );
    assert!(
        stderr.contains("shares no user with the page before it"),
        "the shift was seen and the range fetched again: {stderr}"
    );
    assert!(
        !stderr.contains("announced more users"),
        "no false warning on resume: {stderr}"
    );
    assert_exact_under_change(&read(&path)?, &data, &deleted, &created, false);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_after_roles_changed_equals_a_fresh_sync_at_that_point() -> TestResult {
    let data = Dataset::generate(&changing_project(2_000));
    let emu = emulator(&data).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    let (status, stderr) = run(&emu, &path, &[], true).await?;
    assert_eq!(status.code(), Some(130), "{stderr}");

    // While the sync is stopped: a role created, another deleted.
    let c = client_for(&emu)?;
    c.roles()
        .create(&descope_mgmt::CreateRoleRequest::new(
            "Created while stopped",
        ))
        .await?;
    let gone = data
        .roles
        .iter()
        .find(|r| r.tenant_id.is_empty())
        .ok_or("a project role")?;
    c.roles().delete(&gone.name, None).await?;

    let (status, stderr) = run(&emu, &path, &[], false).await?;
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("was not resumed") && stderr.contains("project's roles changed"),
        "{stderr}"
    );
    let fresh = dir.path().join("fresh.c1z");
    let (status, stderr) = run(&emu, &fresh, &[], false).await?;
    assert!(status.success(), "{stderr}");
    let (got, want) = (objects(&path)?, objects(&fresh)?);
    assert!(got == want, "the resumed file differs from a fresh sync");
    let ids = read(&path)?;
    assert!(
        ids.resources
            .contains(&format!("role:project/{}", enc("Created while stopped")))
    );
    assert!(
        !ids.resources
            .contains(&format!("role:project/{}", enc(&gone.name)))
            || data.users.iter().any(|u| u.role_names.contains(&gone.name)),
        "the deleted role is gone unless users still hold it"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_option_changed_between_runs_sets_the_partial_file_aside() -> TestResult {
    let data = Dataset::generate(&changing_project(2_000));
    let emu = emulator(&data).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    for option in ["--include-test-users", "--sync-last-login"] {
        let (status, stderr) = run(&emu, &path, &[], true).await?;
        assert_eq!(status.code(), Some(130), "{stderr}");
        let (status, stderr) = run(&emu, &path, &[option], false).await?;
        assert!(status.success(), "{stderr}");
        assert!(
            stderr.contains("was not resumed")
                && stderr.contains(&format!("without {option}, and this run is with {option}")),
            "{stderr}"
        );
        let got = read(&path)?;
        let want = expected(&data, option == "--include-test-users");
        assert_eq!(got.grants, want.grants, "{option}");
        assert_eq!(got.resources, want.resources, "{option}");
    }
    let aside: BTreeSet<String> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    assert!(aside.contains("sync.c1z.partial.set-aside-1"), "{aside:?}");
    assert!(aside.contains("sync.c1z.partial.set-aside-2"), "{aside:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_partial_file_of_another_project_never_replaces_the_file() -> TestResult {
    let data = Dataset::generate(&changing_project(300));
    let emu = emulator(&data).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sync.c1z");
    // A finished sync of another project left in the partial file (a run stopped between
    // finishing and renaming), and an older file in place.
    let mut store = C1zWriter::open_or_resume(partial(&path))?;
    Syncer::new(
        connector_with(&emu, |config| config.with_max_parallel_fetches(4))?,
        SyncOptions::default().with_source("descope project P2SomeOtherProject"),
    )
    .run(&mut store)
    .await?;
    drop(store);
    std::fs::write(&path, b"the previous file")?;

    let (status, stderr) = run(&emu, &path, &[], false).await?;
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("was not resumed") && stderr.contains("P2SomeOtherProject"),
        "{stderr}"
    );
    assert!(
        partial(&path)
            .with_extension("partial.set-aside-1")
            .exists()
    );
    assert_eq!(read(&path)?, expected(&data, false));
    Ok(())
}
