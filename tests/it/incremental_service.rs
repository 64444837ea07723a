//! Incremental syncs in service mode (issue 23): with `--state-dir`, the first sync task is full
//! and kept; the next is incremental from the kept file, and its upload equals a full sync; sync
//! tasks at once keep a whole file.

use std::time::Duration;

use c1_connector_runner::service::proto::{FinalState, SyncFullTask, Task};
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use c1_connector_runner::service::{self, ServiceError};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use std::path::Path;

use descope_c1::testing::{Snapshot, TestResult, changing_project, client_for, connector_for};
use descope_emulator::{Dataset, Emulator};

use crate::incremental::{random_changes, searches, sync};

const WAIT: Duration = Duration::from_secs(60);

async fn run(c1: &FakeConductorOne, task: Task, path: &Path) -> TestResult {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_sync_task_starts_from_the_last_upload() -> TestResult {
    let data = Dataset::generate(&changing_project(2_500));
    let emu = Emulator::builder().dataset(data.clone()).start().await?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state");
    let c1 = FakeConductorOne::start().await?;
    let config = c1
        .service_config()
        .with_temp_dir(dir.path())
        .with_state_dir(&state);
    let shutdown = CancellationToken::new();
    let run_service: JoinHandle<Result<(), ServiceError>> =
        tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));

    emu.reset_counters();
    let first = dir.path().join("first.c1z");
    run(
        &c1,
        tasks::sync_with(&tasks::task_id(1), SyncFullTask::default()),
        &first,
    )
    .await?;
    let full_searches = searches(&emu);
    let kept = state.join("last-sync.c1z");
    assert_eq!(
        std::fs::read(&kept)?,
        std::fs::read(&first)?,
        "the upload is kept"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&kept)?.permissions().mode() & 0o777,
            0o600
        );
    }

    random_changes(&client_for(&emu)?, &data, 99, 30).await?;
    emu.reset_counters();
    let second = dir.path().join("second.c1z");
    run(
        &c1,
        tasks::sync_with(&tasks::task_id(2), SyncFullTask::default()),
        &second,
    )
    .await?;
    let incremental_searches = searches(&emu);
    assert!(
        incremental_searches * 2 < full_searches,
        "the second task searched users {incremental_searches} times, the first {full_searches}"
    );
    assert_eq!(std::fs::read(&kept)?, std::fs::read(&second)?);

    let full = dir.path().join("full.c1z");
    sync(&connector_for(&emu)?, &full, None).await?;
    Snapshot::read(&second)?.assert_same(&Snapshot::read(&full)?, "service mode's increment");

    // A targeted task neither starts from the kept file nor replaces it.
    let user = data.users.iter().find(|u| !u.test).expect("a user");
    let target = c1_connector_sdk::model::Resource {
        id: Some(c1_connector_sdk::model::ResourceId::new(
            "user",
            user.user_id.clone(),
        )),
        ..Default::default()
    };
    run(
        &c1,
        tasks::sync_targeted(&tasks::task_id(3), vec![target]),
        &dir.path().join("t.c1z"),
    )
    .await?;
    assert_eq!(std::fs::read(&kept)?, std::fs::read(&second)?);

    shutdown.cancel();
    tokio::time::timeout(WAIT, run_service).await???;
    Ok(())
}

/// Two sync tasks at once, with changes in between, ten times: the kept file is always one
/// of the two uploads, whole, and the next task's increment from it equals a full sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_tasks_at_once_keep_a_whole_file_and_the_next_increment_is_exact() -> TestResult {
    let data = Dataset::generate(&changing_project(800));
    let emu = Emulator::builder()
        .dataset(data.clone())
        .latency(Duration::from_millis(1), Duration::from_millis(3))
        .start()
        .await?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state");
    let c1 = FakeConductorOne::start().await?;
    let config = c1
        .service_config()
        .with_temp_dir(dir.path())
        .with_state_dir(&state)
        .with_task_concurrency(3);
    let shutdown = CancellationToken::new();
    let run_service: JoinHandle<Result<(), ServiceError>> =
        tokio::spawn(service::run(connector_for(&emu)?, config, shutdown.clone()));
    let kept = state.join("last-sync.c1z");
    let client = client_for(&emu)?;
    let mut next_id = 1;
    for round in 0..10u64 {
        random_changes(&client, &emu.dataset(), 1_000 + round, 6).await?;
        let (a, b) = (tasks::task_id(next_id), tasks::task_id(next_id + 1));
        next_id += 2;
        c1.push_task(tasks::sync_with(&a, SyncFullTask::default()));
        c1.push_task(tasks::sync_with(&b, SyncFullTask::default()));
        let records = c1
            .wait_until(WAIT, |r| {
                !r.finished_for(&a).is_empty() && !r.finished_for(&b).is_empty()
            })
            .await?;
        let uploads: Vec<Vec<u8>> = records
            .uploads()
            .into_iter()
            .filter(|u| (u.task_id == a || u.task_id == b) && u.complete)
            .map(|u| u.data.clone())
            .collect();
        assert_eq!(uploads.len(), 2, "round {round}: both tasks uploaded");
        let kept_bytes = std::fs::read(&kept)?;
        assert!(
            uploads.contains(&kept_bytes),
            "round {round}: the kept file is one of the two uploads"
        );
        // The next task starts from it; its upload equals a full sync.
        let id = tasks::task_id(next_id);
        next_id += 1;
        let path = dir.path().join("next.c1z");
        emu.reset_counters();
        run(&c1, tasks::sync_with(&id, SyncFullTask::default()), &path).await?;
        let incremental_searches = searches(&emu);
        let full = dir.path().join("full.c1z");
        emu.reset_counters();
        sync(&connector_for(&emu)?, &full, None).await?;
        assert!(
            incremental_searches < searches(&emu),
            "round {round}: the next task was not incremental ({incremental_searches} user searches)"
        );
        Snapshot::read(&path)?.assert_same(
            &Snapshot::read(&full)?,
            &format!("round {round}: the increment after two tasks at once"),
        );
    }
    shutdown.cancel();
    tokio::time::timeout(WAIT, run_service).await???;
    Ok(())
}
