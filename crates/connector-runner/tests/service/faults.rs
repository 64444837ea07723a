//! Faults: refused tokens, an untrusted server, GetTask errors, interrupted uploads,
//! cancellation by heartbeat, token expiry during a sync, shutdown while a task runs.

use std::time::Duration;

use c1_connector_runner::service::ServiceError;
use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, tasks};
use tonic::Code;

use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, leftovers, start,
};

#[tokio::test]
async fn a_refused_token_fails_startup_with_unauthenticated() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.refuse_tokens(Some(401));
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let result = tokio::time::timeout(WAIT, running.handle).await??;
    let err = result.expect_err("startup must fail");
    assert!(matches!(err, ServiceError::StartupHello { .. }), "{err:?}");
    assert!(err.is_credentials());
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "runner: startup Hello failed: Unauthenticated: failed to get token: 401 Unauthorized"
        ),
        "{msg}"
    );
    assert!(msg.contains("client id and secret"), "{msg}");
    // Not retried: Unauthenticated is fatal for the startup Hello.
    let records = c1.records();
    assert!(records.hellos().is_empty());
    assert_eq!(records.rejections(), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_server_certificate_from_an_untrusted_ca_is_refused() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let mut cfg = config(&c1, temp.path());
    cfg.extra_ca_file = None;
    let running = start(connector_builder().build(), cfg);
    let err = tokio::time::timeout(WAIT, running.handle)
        .await??
        .expect_err("startup must fail");
    let msg = err.to_string();
    assert!(
        msg.contains("Unauthenticated: failed to get token"),
        "{msg}"
    );
    assert!(msg.to_lowercase().contains("certificate"), "{msg}");
    assert_eq!(c1.records().0.len(), 0, "nothing reached the fake");
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn get_task_errors_back_off_quadratically_then_recover() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.fail_get_task([
        Code::Unavailable,
        Code::Internal,
        Code::ResourceExhausted,
        Code::Unauthenticated,
    ]);
    let id = tasks::task_id(1);
    c1.push_task(tasks::hello(&id));
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == id))
        .await?;
    running.stop().await?;
    let polls = records.get_tasks();
    assert!(polls.len() >= 5);
    // Test unit 10 ms: waits of 1², 2², 3² units after the 1st, 2nd, 3rd failure, jittered
    // down to half at most. The fake records a call before answering and the client waits
    // after the answer, so these are lower bounds whatever the load.
    for (i, want) in [5u64, 20, 45].into_iter().enumerate() {
        let gap = polls[i + 1] - polls[i];
        assert!(
            gap >= Duration::from_millis(want),
            "gap {i}: {gap:?} < {want} ms"
        );
    }
    // `Unauthenticated` is ConductorOne refusing the token: a new one is fetched and the poll
    // sent again at once, which brings the task.
    assert_eq!(records.tokens_issued(), 2);
    assert!(polls[4] - polls[3] < Duration::from_secs(5));
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn an_interrupted_upload_is_retried_from_the_start() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.fail_uploads(1);
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    let uploads = records.uploads();
    assert_eq!(uploads.len(), 2);
    assert!(!uploads[0].complete);
    assert_eq!(uploads[0].error.as_deref(), Some("injected upload failure"));
    assert!(uploads[1].complete);
    // The retry sent the whole file again, from its first byte.
    assert!(uploads[1].data.starts_with(&uploads[0].data));
    assert!(matches!(
        records.finished_for(&id)[0].final_state,
        Some(FinalState::Success(_))
    ));
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_heartbeat_answering_cancelled_stops_the_sync_cleanly() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let id = tasks::task_id(1);
    // Heartbeats every 50 ms; the third says cancelled, long before the slow sync ends.
    c1.cancel_after_heartbeats(&id, 3);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().delay(Duration::from_secs(2)).build();
    let running = start(connector, config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    // Removed before FinishTask was sent.
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    running.stop().await?;
    assert!(records.uploads().is_empty());
    let f = &records.finished_for(&id)[0];
    assert_eq!(
        f.status.as_ref().map(|s| s.code),
        Some(Code::Cancelled as i32)
    );
    assert!(matches!(&f.final_state, Some(FinalState::Error(e)) if !e.non_retryable));
    assert_eq!(
        records.heartbeats_for(&id),
        3,
        "no heartbeat after the cancellation"
    );
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_sync_cancelled_at_its_first_heartbeat_is_left_to_conductorone() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let id = tasks::task_id(1);
    c1.cancel_after_heartbeats(&id, 1);
    c1.push_task(tasks::sync_full(&id));
    let after = tasks::task_id(2);
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().build();
    let running = start(
        connector.clone(),
        config(&c1, temp.path()).with_task_concurrency(1),
    );
    c1.wait_until(WAIT, |r| r.heartbeats_for(&id) == 1).await?;
    c1.push_task(tasks::hello(&after));
    let records = c1
        .wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == after))
        .await?;
    running.stop().await?;
    assert!(records.finished_for(&id).is_empty());
    assert!(records.uploads().is_empty());
    assert!(
        connector.call_log().is_empty(),
        "the connector was never called"
    );
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn nine_failed_heartbeats_cancel_the_sync() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.fail_heartbeats(9);
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().delay(Duration::from_secs(3)).build();
    let running = start(connector, config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    let status = records.finished_for(&id)[0].status.clone().expect("status");
    assert_eq!(status.code, Code::Cancelled as i32);
    assert_eq!(status.message, "task failed heartbeat");
    assert_eq!(
        records.heartbeats_for(&id),
        10,
        "the first, then nine failures"
    );
    assert!(records.uploads().is_empty());
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_token_expiring_during_a_long_sync_is_refreshed_before_it_is_refused() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    // The first token lives 11 s, so the client must replace it after 1 s (10 s early);
    // the fake refuses a token once its lifetime is over.
    c1.script_token_lifetimes([11], 3600);
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let connector = connector_builder()
        .delay(Duration::from_millis(400))
        .build();
    let running = start(connector, config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    assert_eq!(records.rejections(), Vec::<String>::new());
    assert_eq!(
        records.tokens_issued(),
        2,
        "one refresh, then the cached token"
    );
    assert!(matches!(
        records.finished_for(&id)[0].final_state,
        Some(FinalState::Success(_))
    ));
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn shutdown_cancels_a_task_still_running_after_the_grace() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().delay(Duration::from_secs(30)).build();
    let running = start(
        connector,
        config(&c1, temp.path()).with_shutdown_grace(Duration::from_millis(200)),
    );
    c1.wait_until(WAIT, |r| r.heartbeats_for(&id) >= 1).await?;
    running.stop().await?;
    let records = c1.records();
    let status = records.finished_for(&id)[0].status.clone().expect("status");
    assert_eq!(status.code, Code::Cancelled as i32);
    assert!(
        status.message.contains("shutting down"),
        "{}",
        status.message
    );
    assert!(records.uploads().is_empty());
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn shutdown_lets_a_task_finish_within_the_grace_and_stops_polling() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let connector = connector_builder()
        .delay(Duration::from_millis(100))
        .build();
    let running = start(
        connector,
        config(&c1, temp.path()).with_shutdown_grace(Duration::from_secs(60)),
    );
    c1.wait_until(WAIT, |r| r.heartbeats_for(&id) >= 1).await?;
    running.shutdown.cancel();
    let polls_at_shutdown = c1.records().get_tasks().len();
    running.stop().await?;
    let records = c1.records();
    assert!(matches!(
        records.finished_for(&id)[0].final_state,
        Some(FinalState::Success(_))
    ));
    assert_eq!(records.uploads().len(), 1);
    // At most the poll already in flight when shutdown fired.
    assert!(records.get_tasks().len() <= polls_at_shutdown + 1);
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}
