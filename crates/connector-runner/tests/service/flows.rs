//! The scripted queue: a full sync, grants, a revoke, a hello and unsupported types.

use std::time::Duration;

use c1_connector_runner::service::proto::{
    FinalState, GRANT_RESPONSE_TYPE_URL, GrantResponse, REVOKE_RESPONSE_TYPE_URL, RevokeResponse,
};
use c1_connector_runner::service::testing::{CLIENT_HOST, FakeConductorOne, HOST_ID, tasks};
use c1_connector_sdk::error::Code as SdkCode;
use c1_connector_sdk::model::{AnnotationsExt, Grant, GrantAlreadyExists, GrantAlreadyRevoked};
use c1_connector_sdk::store::C1zReader;
use c1_connector_sdk::testing::{FakeOp, Fault};
use prost::Message as _;
use sha2::{Digest as _, Sha256};

use c1_connector_runner::service::testing::fixtures::{
    TestResult, WAIT, config, connector_builder, leftovers, member, start, user,
};

#[tokio::test]
async fn the_scripted_queue_is_worked_as_baton_does() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().provisioning(true).build();
    let (sync, grant, grant_again, revoke, hello, unsupported, untyped) = (
        tasks::task_id(1),
        tasks::task_id(2),
        tasks::task_id(3),
        tasks::task_id(4),
        tasks::task_id(5),
        tasks::task_id(6),
        tasks::task_id(7),
    );
    c1.push_task(tasks::sync_full(&sync));
    c1.push_task(tasks::grant(&grant, &member(), &user("u2")));
    let running = start(
        connector.clone(),
        config(&c1, temp.path()).with_task_concurrency(1),
    );

    // With one slot, tasks run one after another: the grant is done before the next ones.
    c1.wait_until(WAIT, |r| r.finished_for(&grant).len() == 1)
        .await?;
    c1.push_task(tasks::grant(&grant_again, &member(), &user("u2")));
    c1.wait_until(WAIT, |r| r.finished_for(&grant_again).len() == 1)
        .await?;
    let u2_grant = Grant::new(&member(), user("u2"));
    c1.push_task(tasks::revoke(&revoke, &u2_grant));
    c1.push_task(tasks::hello(&hello));
    c1.push_task(tasks::unsupported(&unsupported));
    c1.push_task(tasks::untyped(&untyped));
    let records = c1
        .wait_until(WAIT, |r| {
            r.finished_for(&untyped).len() == 1 && r.hellos().iter().any(|h| h.task_id == hello)
        })
        .await?;
    running.stop().await?;

    assert_eq!(
        records.rejections(),
        Vec::<String>::new(),
        "the fake accepted every call"
    );

    // Startup Hello: empty task id, the connector's metadata with its capabilities.
    let hellos = records.hellos();
    let startup = &hellos[0];
    assert_eq!(startup.task_id, "");
    assert_eq!(startup.host_id, HOST_ID);
    let metadata = startup.connector_metadata.as_ref().expect("metadata");
    assert_eq!(metadata.display_name, "Fake");
    let caps = metadata.capabilities.as_ref().expect("capabilities");
    assert_eq!(
        caps.connector_capabilities,
        vec![
            c1_connector_sdk::model::Capability::Provision as i32,
            c1_connector_sdk::model::Capability::Sync as i32
        ]
    );
    let os = startup.os_info.as_ref().expect("os_info");
    assert!(
        !os.hostname.is_empty()
            && !os.kernel_arch.is_empty()
            && !os.virtualization_system.is_empty()
    );
    assert!(
        !startup
            .build_info
            .as_ref()
            .expect("build_info")
            .package_version
            .is_empty()
    );

    // Full sync: one complete upload whose checksum matches, readable, with the objects.
    let uploads = records.uploads();
    assert_eq!(uploads.len(), 1);
    let upload = &uploads[0];
    assert_eq!(upload.task_id, sync);
    assert!(upload.complete, "{:?}", upload.error);
    assert_eq!(upload.sha256, Sha256::digest(&upload.data).to_vec());
    assert!(upload.chunk_sizes.iter().all(|n| *n <= 512 * 1024));
    assert!(upload.data.starts_with(b"C1ZF\0"));
    let copy = temp.path().join("received.c1z");
    std::fs::write(&copy, &upload.data)?;
    let reader = C1zReader::open(&copy)?;
    assert_eq!(reader.resource_types()?.len(), 2);
    assert_eq!(reader.resources()?.len(), 4);
    assert_eq!(reader.entitlements()?.len(), 1);
    assert_eq!(reader.grants()?.len(), 1);
    drop(reader);
    std::fs::remove_file(&copy)?;
    let finished = records.finished_for(&sync);
    assert_eq!(finished.len(), 1);
    assert!(finished[0].status.is_none());
    match &finished[0].final_state {
        Some(FinalState::Success(s)) => {
            assert!(s.response.is_none());
            assert!(s.annotations.is_empty());
        }
        other => panic!("sync not finished with success: {other:?}"),
    }
    // The sync's upload came before its FinishTask, after its first heartbeat.
    assert!(records.heartbeats_for(&sync) >= 1);

    // Grant: success with the connector's (empty) annotations; the repeat says already exists.
    let response = |id: &str| match &records.finished_for(id)[0].final_state {
        Some(FinalState::Success(s)) => s.clone(),
        other => panic!("{id} not a success: {other:?}"),
    };
    let first = response(&grant);
    let any = first.response.as_ref().expect("a response");
    assert_eq!(any.type_url, GRANT_RESPONSE_TYPE_URL);
    assert!(
        GrantResponse::decode(any.value.as_slice())?
            .annotations
            .is_empty()
    );
    let again = response(&grant_again);
    let any = again.response.as_ref().expect("a response");
    assert_eq!(any.type_url, GRANT_RESPONSE_TYPE_URL);
    assert!(
        GrantResponse::decode(any.value.as_slice())?
            .annotations
            .contains_annotation::<GrantAlreadyExists>()
    );
    assert!(
        again
            .annotations
            .contains_annotation::<GrantAlreadyExists>()
    );
    // Revoke: success, and the grant is gone from the connector.
    let revoked = response(&revoke);
    let any = revoked.response.as_ref().expect("a response");
    assert_eq!(any.type_url, REVOKE_RESPONSE_TYPE_URL);
    assert!(
        !RevokeResponse::decode(any.value.as_slice())?
            .annotations
            .contains_annotation::<GrantAlreadyRevoked>()
    );
    assert!(
        connector
            .current_grants()
            .iter()
            .all(|g| g.id != u2_grant.id)
    );

    // Hello task: answered by Hello, never by FinishTask.
    assert!(records.finished_for(&hello).is_empty());

    // Unsupported and untyped: UNKNOWN "unsupported task type", retryable.
    for id in [&unsupported, &untyped] {
        let f = &records.finished_for(id)[0];
        let status = f.status.as_ref().expect("a status");
        assert_eq!(
            (status.code, status.message.as_str()),
            (2, "unsupported task type")
        );
        match &f.final_state {
            Some(FinalState::Error(e)) => assert!(!e.non_retryable),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(leftovers(temp.path()), Vec::<String>::new());
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_audience_is_the_client_id_host_even_with_an_api_host_override() -> TestResult {
    // The fake listens on 127.0.0.1 (the override) and accepts only assertions whose `aud` is
    // the client id's host without its port.
    let c1 = FakeConductorOne::start().await?;
    assert!(c1.client_id().contains(&format!("{CLIENT_HOST}:8443/")));
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1.wait_until(WAIT, |r| !r.hellos().is_empty()).await?;
    running.stop().await?;
    assert_eq!(records.rejections(), Vec::<String>::new());
    assert_eq!(records.tokens_issued(), 1);
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn grants_without_provisioning_fail_like_batons_noop_provisioner() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().provisioning(true).build();
    let id = tasks::task_id(1);
    c1.push_task(tasks::grant(&id, &member(), &user("u3")));
    let running = start(
        connector.clone(),
        config(&c1, temp.path()).with_provisioning(false),
    );
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    let f = &records.finished_for(&id)[0];
    let status = f.status.as_ref().expect("status");
    assert_eq!(
        (status.code, status.message.as_str()),
        (9, "provisioning is not enabled")
    );
    assert!(matches!(&f.final_state, Some(FinalState::Error(e)) if e.non_retryable));
    assert!(connector.call_log().iter().all(|c| !c.starts_with("grant")));
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn connector_errors_keep_their_code_and_are_not_retried_by_c1() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let connector = connector_builder()
        .provisioning(true)
        .fault(Fault::new(FakeOp::Provision, SdkCode::PermissionDenied))
        .build();
    let id = tasks::task_id(1);
    c1.push_task(tasks::grant(&id, &member(), &user("u3")));
    let running = start(connector, config(&c1, temp.path()));
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    let f = &records.finished_for(&id)[0];
    let status = f.status.as_ref().expect("status");
    assert_eq!(status.code, 7, "PermissionDenied");
    assert!(status.message.contains("injected"), "{}", status.message);
    assert!(matches!(&f.final_state, Some(FinalState::Error(e)) if e.non_retryable));
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_sync_task_with_skip_full_sync_uploads_an_empty_finished_sync() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    let temp = tempfile::tempdir()?;
    let connector = connector_builder().build();
    let id = tasks::task_id(1);
    c1.push_task(tasks::sync_full(&id));
    let running = start(
        connector.clone(),
        config(&c1, temp.path()).with_skip_full_sync(true),
    );
    let records = c1
        .wait_until(WAIT, |r| !r.finished_for(&id).is_empty())
        .await?;
    running.stop().await?;
    let upload = &records.uploads()[0];
    assert!(upload.complete);
    let copy = temp.path().join("received.c1z");
    std::fs::write(&copy, &upload.data)?;
    let reader = C1zReader::open(&copy)?;
    assert!(reader.resources()?.is_empty());
    assert!(reader.syncs()?.iter().all(|s| s.is_finished()));
    assert_eq!(connector.call_log(), vec!["validate".to_owned()]);
    c1.stop().await;
    Ok(())
}

#[tokio::test]
async fn with_no_next_poll_the_client_still_waits_between_empty_polls() -> TestResult {
    let c1 = FakeConductorOne::start().await?;
    c1.set_next_poll(None);
    let temp = tempfile::tempdir()?;
    let running = start(connector_builder().build(), config(&c1, temp.path()));
    let records = c1.wait_until(WAIT, |r| r.get_tasks().len() >= 5).await?;
    running.stop().await?;
    // The test config's floor is 10 ms: consecutive empty polls are at least that far apart.
    let times = records.get_tasks();
    for pair in times.windows(2).take(4) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(10),
            "{:?}",
            pair[1] - pair[0]
        );
    }
    c1.stop().await;
    Ok(())
}
