//! The task loop against an in-memory ConductorOne under tokio's paused clock: exact
//! back-off schedules without real sleeps.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use c1_connector_sdk::testing::FakeConnector;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::client::BatonApi;
use super::proto::{
    FinishTaskRequest, GetTaskResponse, HeartbeatResponse, HelloRequest, HelloTask, Task, TaskType,
};
use super::runner::Service;
use super::tasks::{TaskContext, TaskSettings};
use super::timings::Timings;

#[derive(Default)]
struct Mock {
    hello_results: Mutex<VecDeque<Result<(), Status>>>,
    get_task_results: Mutex<VecDeque<Result<GetTaskResponse, Status>>>,
    hellos: Mutex<Vec<(Instant, String)>>,
    polls: Mutex<Vec<Instant>>,
    finished: Mutex<Vec<FinishTaskRequest>>,
}

#[async_trait]
impl BatonApi for Mock {
    async fn hello(&self, request: HelloRequest) -> Result<(), Status> {
        self.hellos
            .lock()
            .unwrap()
            .push((Instant::now(), request.task_id));
        self.hello_results
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(()))
    }
    async fn get_task(&self) -> Result<GetTaskResponse, Status> {
        self.polls.lock().unwrap().push(Instant::now());
        self.get_task_results
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Ok(GetTaskResponse::default()))
    }
    async fn heartbeat(&self, _task_id: &str) -> Result<HeartbeatResponse, Status> {
        Ok(HeartbeatResponse::default())
    }
    async fn finish_task(&self, request: FinishTaskRequest) -> Result<(), Status> {
        self.finished.lock().unwrap().push(request);
        Ok(())
    }
    async fn upload_asset(&self, _: &str, _: &Path, _: [u8; 32]) -> Result<(), Status> {
        Ok(())
    }
}

fn service(api: Arc<Mock>) -> Service {
    Service {
        ctx: Arc::new(TaskContext {
            api,
            connector: Arc::new(FakeConnector::builder().build()),
            settings: TaskSettings {
                temp_dir: std::env::temp_dir(),
                state_dir: None,
                provisioning: false,
                skip_full_sync: false,
                sync_resource_type_ids: Vec::new(),
                sync_workers: None,
                package_name: "test".into(),
                package_version: "0.0.0".into(),
                timings: Timings::default(),
            },
            shutdown_deadline: std::sync::OnceLock::new(),
        }),
        concurrency: 3,
        shutdown_grace: Duration::from_secs(30),
    }
}

fn gaps(times: &[Instant]) -> Vec<u64> {
    times.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect()
}

/// Asserts each gap (in ms) is within `[planned / 2, planned]` for a jittered wait (`true`)
/// or exactly `planned` otherwise.
fn assert_jittered(times: &[Instant], planned_secs: &[(u64, bool)]) {
    let gaps: Vec<u128> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    assert!(gaps.len() >= planned_secs.len(), "{gaps:?}");
    for (i, ((secs, jittered), gap)) in planned_secs.iter().zip(&gaps).enumerate() {
        let planned = u128::from(*secs) * 1000;
        if *jittered {
            assert!(
                *gap >= planned / 2 && *gap <= planned,
                "gap {i}: {gap} ms, planned {planned} ms with jitter; all: {gaps:?}"
            );
        } else {
            assert_eq!(*gap, planned, "gap {i}; all: {gaps:?}");
        }
    }
}

/// Runs the service for `for_how_long` of paused time, then shuts it down.
async fn run_for(svc: Service, for_how_long: Duration) -> Result<(), super::ServiceError> {
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        tokio::time::sleep(for_how_long).await;
        stop.cancel();
    });
    svc.run(shutdown).await
}

#[tokio::test(start_paused = true)]
async fn get_task_errors_wait_failures_squared_seconds_up_to_a_minute_then_reset() {
    let api = Arc::new(Mock::default());
    {
        let mut q = api.get_task_results.lock().unwrap();
        for _ in 0..9 {
            q.push_back(Err(Status::unavailable("down")));
        }
        // A success resets the count; then one more failure waits 1 s again.
        q.push_back(Ok(GetTaskResponse {
            next_poll: Some(prost_types::Duration {
                seconds: 5,
                nanos: 0,
            }),
            ..GetTaskResponse::default()
        }));
        q.push_back(Err(Status::internal("again")));
    }
    run_for(service(api.clone()), Duration::from_secs(400))
        .await
        .unwrap();
    let polls = api.polls.lock().unwrap().clone();
    // Jittered waits within [half, all] of baton's failures² s; next_poll and the floor exact.
    let j = |s| (s, true);
    assert_jittered(
        &polls,
        &[
            j(1),
            j(4),
            j(9),
            j(16),
            j(25),
            j(36),
            j(49),
            j(60),
            j(60),
            (5, false),
            j(1),
        ],
    );
}

#[tokio::test(start_paused = true)]
async fn next_poll_is_honoured_clamped_and_never_a_tight_loop() {
    let api = Arc::new(Mock::default());
    {
        let mut q = api.get_task_results.lock().unwrap();
        let poll = |s: i64| {
            Ok(GetTaskResponse {
                next_poll: Some(prost_types::Duration {
                    seconds: s,
                    nanos: 0,
                }),
                ..GetTaskResponse::default()
            })
        };
        q.push_back(poll(7));
        q.push_back(poll(3600)); // clamped to 5 min
        q.push_back(poll(0)); // zero: the 1 s floor
        q.push_back(Ok(GetTaskResponse::default())); // absent: the 1 s floor
        q.push_back(poll(-5)); // negative: as absent
    }
    run_for(service(api.clone()), Duration::from_secs(320))
        .await
        .unwrap();
    let polls = api.polls.lock().unwrap().clone();
    assert_eq!(gaps(&polls)[..5], [7, 300, 1, 1, 1]);
}

#[tokio::test(start_paused = true)]
async fn the_startup_hello_backs_off_exponentially_and_stops_at_a_fatal_code() {
    let api = Arc::new(Mock::default());
    {
        let mut q = api.hello_results.lock().unwrap();
        for _ in 0..10 {
            q.push_back(Err(Status::unavailable("not yet")));
        }
        q.push_back(Err(Status::new(
            Code::Unauthenticated,
            "failed to get token: 401 Unauthorized",
        )));
    }
    let err = run_for(service(api.clone()), Duration::from_secs(3600))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with(
        "runner: startup Hello failed: Unauthenticated: failed to get token: 401 Unauthorized"
    ));
    let times: Vec<Instant> = api.hellos.lock().unwrap().iter().map(|h| h.0).collect();
    assert_eq!(times.len(), 11);
    let planned: Vec<(u64, bool)> = [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
        .into_iter()
        .map(|s| (s, true))
        .collect();
    assert_jittered(&times, &planned);
    assert!(
        api.polls.lock().unwrap().is_empty(),
        "no polling without a Hello"
    );
}

#[tokio::test(start_paused = true)]
async fn every_non_retryable_hello_code_is_fatal_and_others_are_retried() {
    for code in [
        Code::Unauthenticated,
        Code::PermissionDenied,
        Code::InvalidArgument,
        Code::Unimplemented,
        Code::FailedPrecondition,
        Code::NotFound,
    ] {
        let api = Arc::new(Mock::default());
        api.hello_results
            .lock()
            .unwrap()
            .push_back(Err(Status::new(code, "no")));
        assert!(
            run_for(service(api.clone()), Duration::from_secs(10))
                .await
                .is_err(),
            "{code:?}"
        );
        assert_eq!(api.hellos.lock().unwrap().len(), 1);
    }
    for code in [
        Code::Unavailable,
        Code::Unknown,
        Code::DeadlineExceeded,
        Code::Internal,
        Code::ResourceExhausted,
    ] {
        let api = Arc::new(Mock::default());
        api.hello_results
            .lock()
            .unwrap()
            .push_back(Err(Status::new(code, "later")));
        run_for(service(api.clone()), Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(api.hellos.lock().unwrap().len(), 2, "{code:?} retried");
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_during_the_hello_back_off_returns_ok() {
    let api = Arc::new(Mock::default());
    for _ in 0..100 {
        api.hello_results
            .lock()
            .unwrap()
            .push_back(Err(Status::unavailable("down")));
    }
    run_for(service(api.clone()), Duration::from_secs(20))
        .await
        .unwrap();
    // Waits of at most 1, 2, 4, 8, 16 s (at least half each): 5 to 8 Hellos in 20 s, and the
    // run ended there rather than at the next attempt.
    let n = api.hellos.lock().unwrap().len();
    assert!((5..=8).contains(&n), "{n} Hellos");
}

#[tokio::test(start_paused = true)]
async fn a_hello_task_is_answered_with_its_id_and_a_task_after_a_task_polls_at_next_poll() {
    let api = Arc::new(Mock::default());
    let id = "task00000000000000000000009".to_owned();
    api.get_task_results
        .lock()
        .unwrap()
        .push_back(Ok(GetTaskResponse {
            task: Some(Task {
                id: id.clone(),
                status: 0,
                debug: false,
                task_type: Some(TaskType::Hello(HelloTask::default())),
            }),
            next_poll: None,
            ..GetTaskResponse::default()
        }));
    run_for(service(api.clone()), Duration::from_secs(5))
        .await
        .unwrap();
    let hellos = api.hellos.lock().unwrap().clone();
    assert_eq!(hellos.len(), 2);
    assert_eq!(hellos[1].1, id);
    assert!(api.finished.lock().unwrap().is_empty());
    // After a task, the next poll follows next_poll (absent = at once); then the 1 s floor.
    let polls = api.polls.lock().unwrap().clone();
    assert_eq!(gaps(&polls)[..2], [0, 1]);
}
