//! ConductorOne's transient faults over the real network path: a token endpoint that fails at
//! start-up, an unreachable ConductorOne, odd token lifetimes and tokens revoked early, an
//! outage as FinishTask is sent, a stalled upload, and a connection that goes half-open.

use std::time::Duration;

use c1_connector_runner::service::ServiceError;
use c1_connector_runner::service::proto::FinalState;
use c1_connector_runner::service::testing::{FakeConductorOne, Recorded, Records, tasks};
use c1_connector_sdk::model::Grant;

use crate::proxy::Proxy;
use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, leftovers, member, start, user,
};

fn token_refusals(records: &Records) -> Vec<u16> {
    records
        .0
        .iter()
        .filter_map(|(_, r)| match r {
            Recorded::TokenRefused(status) => Some(*status),
            _ => None,
        })
        .collect()
}

fn succeeded(records: &Records, id: &str) -> bool {
    records
        .finished_for(id)
        .iter()
        .any(|f| matches!(f.final_state, Some(FinalState::Success(_))))
}

#[tokio::test]
async fn a_token_endpoint_answering_503_at_start_up_is_retried_then_syncs_and_grants() -> TestResult
{
    let c1 = FakeConductorOne::start().await?;
    c1.fail_tokens([503, 503]);
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().provisioning(true).build();
    let running = start(connector.clone(), config(&c1, temp.path()));
    let sync_id = tasks::task_id(1);
    let grant_id = tasks::task_id(2);
    c1.push_task(tasks::sync_full(&sync_id));
    c1.push_task(tasks::grant(&grant_id, &member(), &user("u2")));
    let records = c1
        .wait_until(WAIT, |r| succeeded(r, &sync_id) && succeeded(r, &grant_id))
        .await?;
    running.stop().await?;
    assert_eq!(token_refusals(&records), [503, 503]);
    assert_eq!(
        records.hellos()[0].task_id,
        "",
        "the startup Hello, after the retries"
    );
    assert!(records.uploads().iter().any(|u| u.complete));
    assert!(
        connector
            .current_grants()
            .contains(&Grant::new(&member(), user("u2"))),
        "the grant reached the connector"
    );
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn refused_credentials_end_start_up_at_once_even_after_transient_failures() -> TestResult {
    for (before, refusal, line) in [
        (vec![], 400, "400 Bad Request"),
        (vec![502, 429], 401, "401 Unauthorized"),
    ] {
        let c1 = FakeConductorOne::start().await?;
        let mut statuses = before.clone();
        statuses.push(refusal);
        c1.fail_tokens(statuses.clone());
        let temp = tempfile::tempdir()?;
        let running = start(connector_builder().build(), config(&c1, temp.path()));
        let err = tokio::time::timeout(WAIT, running.handle)
            .await??
            .expect_err("start-up must fail");
        assert!(matches!(err, ServiceError::StartupHello { .. }), "{err:?}");
        assert!(err.is_credentials());
        assert!(
            err.to_string().starts_with(&format!(
                "runner: startup Hello failed: Unauthenticated: failed to get token: {line}"
            )),
            "{err}"
        );
        let records = c1.records();
        assert_eq!(
            token_refusals(&records),
            statuses,
            "not retried after {refusal}"
        );
        assert!(records.hellos().is_empty());
        c1.stop().await;
    }
    Ok(())
}

#[tokio::test]
async fn an_unreachable_conductorone_at_start_up_is_waited_for() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.set_unreachable(true);
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    // Retrying (10 ms doubling in tests) rather than exiting.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!running.handle.is_finished(), "the service is still up");
    assert_eq!(c1.records().0.len(), 0, "nothing got through");
    c1.set_unreachable(false);
    let id = tasks::task_id(1);
    c1.push_task(tasks::hello(&id));
    c1.wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == id))
        .await?;
    running.stop().await?;
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_huge_expires_in_is_clamped_and_a_revoked_token_is_replaced_once() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.script_expires_in([Some(i64::MAX)]);
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let sync_id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&sync_id));
    c1.wait_until(WAIT, |r| succeeded(r, &sync_id)).await?;
    assert_eq!(c1.records().tokens_issued(), 1, "the token is cached");
    // ConductorOne revokes it early: the next call is refused once, a new token fetched, the
    // call sent again.
    c1.revoke_tokens();
    let hello_id = tasks::task_id(2);
    c1.push_task(tasks::hello(&hello_id));
    let records = c1
        .wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == hello_id))
        .await?;
    running.stop().await?;
    assert_eq!(records.tokens_issued(), 2);
    let refused = records.rejections();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("Unauthenticated: unknown token"),
        "{refused:?}"
    );
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_token_without_expires_in_is_reused_until_conductorone_refuses_it() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.script_expires_in([None]);
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let sync_id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&sync_id));
    let records = c1.wait_until(WAIT, |r| succeeded(r, &sync_id)).await?;
    let calls = records.get_tasks().len() + records.heartbeats_for(&sync_id) + 3;
    assert!(calls > 4);
    assert_eq!(records.tokens_issued(), 1, "one token for {calls} calls");
    c1.revoke_tokens();
    let hello_id = tasks::task_id(2);
    c1.push_task(tasks::hello(&hello_id));
    let records = c1
        .wait_until(WAIT, |r| r.hellos().iter().any(|h| h.task_id == hello_id))
        .await?;
    running.stop().await?;
    assert_eq!(records.tokens_issued(), 2);
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_finished_sync_is_reported_after_an_outage_that_began_with_its_finish_task() -> TestResult
{
    let c1 = FakeConductorOne::start().await?;
    // The first FinishTask cuts every connection and the server stays away for 2 s: a single
    // attempt (baton's) fails at once.
    let outage = Duration::from_secs(2);
    c1.outage_at_next_finish(outage);
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1.wait_until(WAIT, |r| succeeded(r, &id)).await?;
    running.stop().await?;
    let finished = records.finished_for(&id);
    assert_eq!(finished.len(), 1, "reported once, after the outage");
    let lost = records
        .0
        .iter()
        .find(|(_, r)| matches!(r, Recorded::RpcRejected { message, .. } if message.contains("outage")))
        .map(|(at, _)| *at)
        .ok_or("the outage began")?;
    let delivered = records
        .0
        .iter()
        .find(|(_, r)| matches!(r, Recorded::FinishTask(_)))
        .map(|(at, _)| *at)
        .ok_or("delivered")?;
    assert!(delivered - lost >= outage, "{:?}", delivered - lost);
    assert_eq!(records.uploads().iter().filter(|u| u.complete).count(), 1);
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_stalled_upload_hits_its_deadline_and_is_sent_again() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.stall_uploads(1);
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let temp = tempfile::tempdir()?;
    // The deadline of an attempt: 1 s plus the (small) file at 1 MiB/s.
    let mut cfg = config(&c1, temp.path());
    cfg.timings.upload_deadline_base = Duration::from_secs(1);
    cfg.timings.upload_min_bytes_per_sec = 1 << 20;
    let running = start(connector_builder().build(), cfg);
    let stalled = c1
        .wait_until(WAIT, |r| !r.uploads().is_empty())
        .await?
        .0
        .len();
    let records = c1.wait_until(WAIT, |r| succeeded(r, &id)).await?;
    running.stop().await?;
    let uploads = records.uploads();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    assert_eq!(uploads[0].error.as_deref(), Some("stalled (injected)"));
    assert!(uploads[1].complete);
    assert!(
        uploads[1].data.starts_with(&uploads[0].data),
        "sent again from its start"
    );
    // Heartbeats went on while the stream stalled (every 50 ms), so only the deadline ended it.
    let during: usize = records.0[stalled..]
        .iter()
        .take_while(|(_, r)| !matches!(r, Recorded::Upload(_)))
        .filter(|(_, r)| matches!(r, Recorded::Heartbeat(_)))
        .count();
    assert!(during >= 5, "{during} heartbeats during the stall");
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_half_open_connection_is_replaced_by_keep_alive_before_the_call_deadline() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let proxy = Proxy::start(c1.api_host().parse()?).await?;
    let temp = tempfile::tempdir()?;
    let mut cfg = config(&c1, temp.path()).with_api_host(proxy.address().to_string());
    // Calls may take 120 s; keep-alive notices a dead connection within 0.2 s + 0.3 s.
    cfg.timings.rpc_timeout = Duration::from_secs(120);
    cfg.timings.keep_alive_interval = Duration::from_millis(200);
    cfg.timings.keep_alive_timeout = Duration::from_millis(300);
    let running = start(connector_builder().build(), cfg);
    c1.wait_until(WAIT, |r| r.get_tasks().len() >= 3).await?;
    proxy.freeze_open_connections();
    let id = tasks::task_id(1);
    c1.push_task(tasks::hello(&id));
    // Without keep-alive the poll in flight would wait out its 120 s deadline, and the next
    // one would go to the same dead connection.
    c1.wait_until(Duration::from_secs(30), |r| {
        r.hellos().iter().any(|h| h.task_id == id)
    })
    .await?;
    running.stop().await?;
    c1.stop().await;
    Ok(())
}
