//! ConductorOne's transient faults against the task loop, under tokio's paused clock with the
//! real defaults: a 40 s outage around FinishTask, a handler that panics, and shutdown against
//! the stop timeouts of the deployment examples.
//!
//! A sync writes its file with blocking I/O, during which the paused clock may jump ahead, so
//! timings here are measured from the first FinishTask attempt or from the shutdown, never
//! from the start of a sync; shutdown tests use a grant held up by the connector instead.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Connector, ResourceSyncer};
use c1_connector_sdk::error::Error as SdkError;
use c1_connector_sdk::model::{
    Annotations, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId, ResourceType,
    RoleTrait, Trait,
};
use c1_connector_sdk::page::Page;
use c1_connector_sdk::testing::FakeConnector;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::client::BatonApi;
use super::config::{DEFAULT_SHUTDOWN_GRACE, HEALTH_STOP_TIMEOUT, ServiceConfig};
use super::proto::{
    FinalState, FinishTaskRequest, GetTaskResponse, GrantTask, HeartbeatResponse, HelloRequest,
    HelloTask, SyncFullTask, Task, TaskType,
};
use super::runner::Service;
use super::tasks::{TaskContext, TaskSettings};
use super::timings::Timings;

/// How FinishTask behaves.
#[derive(Clone, Copy)]
enum Finish {
    /// Unreachable until this instant, then fine.
    DownUntil(Instant),
    /// Unreachable from the first attempt for this long, then fine.
    DownFor(Duration),
    /// Never answers.
    Hangs,
}

struct Api {
    tasks: Mutex<VecDeque<Task>>,
    finish: Mutex<Finish>,
    attempts: Mutex<Vec<(Instant, bool)>>,
    delivered: Mutex<Vec<(Instant, FinishTaskRequest)>>,
    hellos: Mutex<Vec<String>>,
}

impl Api {
    fn new(finish: Finish, tasks: impl IntoIterator<Item = Task>) -> Arc<Self> {
        Arc::new(Self {
            tasks: Mutex::new(tasks.into_iter().collect()),
            finish: Mutex::new(finish),
            attempts: Mutex::default(),
            delivered: Mutex::default(),
            hellos: Mutex::default(),
        })
    }
}

#[async_trait]
impl BatonApi for Api {
    async fn hello(&self, request: HelloRequest) -> Result<(), Status> {
        self.hellos.lock().unwrap().push(request.task_id);
        Ok(())
    }
    async fn get_task(&self) -> Result<GetTaskResponse, Status> {
        Ok(GetTaskResponse {
            task: self.tasks.lock().unwrap().pop_front(),
            ..GetTaskResponse::default()
        })
    }
    async fn heartbeat(&self, _task_id: &str) -> Result<HeartbeatResponse, Status> {
        Ok(HeartbeatResponse::default())
    }
    async fn finish_task(&self, request: FinishTaskRequest) -> Result<(), Status> {
        let now = Instant::now();
        let finish = {
            let mut f = self.finish.lock().unwrap();
            if let Finish::DownFor(d) = *f {
                *f = Finish::DownUntil(now + d);
            }
            *f
        };
        let up = match finish {
            Finish::DownUntil(t) => now >= t,
            Finish::DownFor(_) => unreachable!("replaced above"),
            Finish::Hangs => {
                self.attempts.lock().unwrap().push((now, false));
                return std::future::pending().await;
            }
        };
        self.attempts.lock().unwrap().push((now, up));
        if !up {
            return Err(Status::unavailable(
                "ConductorOne at c1.example:443 is not reachable: connection refused",
            ));
        }
        self.delivered.lock().unwrap().push((now, request));
        Ok(())
    }
    async fn upload_asset(&self, _: &str, _: &Path, _: [u8; 32]) -> Result<(), Status> {
        Ok(())
    }
}

fn service(api: Arc<Api>, connector: Arc<dyn Connector>, concurrency: usize) -> Service {
    Service {
        ctx: Arc::new(TaskContext {
            api,
            connector,
            settings: TaskSettings {
                temp_dir: std::env::temp_dir(),
                state_dir: None,
                provisioning: true,
                skip_full_sync: false,
                sync_resource_type_ids: Vec::new(),
                sync_workers: None,
                package_name: "test".into(),
                package_version: "0.0.0".into(),
                timings: Timings::default(),
            },
            shutdown_deadline: std::sync::OnceLock::new(),
        }),
        concurrency,
        shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
    }
}

fn task(n: u32, task_type: TaskType) -> Task {
    Task {
        id: format!("task{n:023}"),
        status: 0,
        debug: false,
        task_type: Some(task_type),
    }
}

fn sync_task(n: u32) -> Task {
    task(n, TaskType::SyncFull(SyncFullTask::default()))
}

/// A task of no type: answered at once with FinishTask(`UNKNOWN: unsupported task type`).
fn untyped_task(n: u32) -> Task {
    Task {
        task_type: None,
        ..task(n, TaskType::Hello(HelloTask::default()))
    }
}

fn role() -> Resource {
    Resource::new("role", "admin", "Admin").with_role_trait(RoleTrait::default())
}

/// A connector whose grants take an hour.
fn slow_grants() -> Arc<dyn Connector> {
    Arc::new(
        FakeConnector::builder()
            .resource_type(ResourceType::new("role", "Role").with_trait(Trait::Role))
            .resources([role()])
            .entitlement(Entitlement::assignment(&role(), "member"))
            .provisioning(true)
            .delay(Duration::from_secs(3600))
            .build(),
    )
}

fn grant_task(n: u32) -> Task {
    task(
        n,
        TaskType::Grant(GrantTask {
            entitlement: Some(Entitlement::assignment(&role(), "member")),
            principal: Some(Resource::new("user", "u1", "u1")),
            annotations: Vec::new(),
            duration: None,
        }),
    )
}

/// Runs the service until `done` holds (checked every simulated second), then shuts it down
/// and returns how long the shutdown took.
async fn run_until(svc: Service, api: &Api, done: impl Fn(&Api) -> bool) -> Duration {
    let shutdown = CancellationToken::new();
    let run = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { svc.run(shutdown).await }
    });
    for _ in 0..(24 * 3600) {
        if done(api) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    if !done(api) {
        let attempts = api.attempts.lock().unwrap().clone();
        panic!(
            "the condition never held: FinishTask attempts {:?} s ago, {} delivered, Hellos {:?}, {} tasks left",
            attempts
                .iter()
                .map(|a| a.0.elapsed().as_secs())
                .collect::<Vec<_>>(),
            api.delivered.lock().unwrap().len(),
            api.hellos.lock().unwrap(),
            api.tasks.lock().unwrap().len(),
        );
    }
    let stopping = Instant::now();
    shutdown.cancel();
    run.await.unwrap().unwrap();
    stopping.elapsed()
}

#[tokio::test(start_paused = true)]
async fn a_finished_sync_is_reported_after_a_40_second_outage_of_conductorone() {
    let api = Api::new(Finish::DownFor(Duration::from_secs(40)), [sync_task(1)]);
    let svc = service(api.clone(), Arc::new(FakeConnector::builder().build()), 3);
    run_until(svc, &api, |a| !a.delivered.lock().unwrap().is_empty()).await;

    let attempts = api.attempts.lock().unwrap().clone();
    let delivered = api.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "reported once");
    assert!(matches!(
        delivered[0].1.final_state,
        Some(FinalState::Success(_))
    ));
    let first = attempts[0].0;
    let (at, _) = delivered[0];
    // Retried through the outage (1 s doubling to 60 s, jittered), delivered once it ended:
    // within one more wait (at most 60 s) of the end.
    assert!(attempts.len() >= 5, "{} attempts", attempts.len());
    assert!(at - first >= Duration::from_secs(40), "{:?}", at - first);
    let most = Duration::from_secs(40) + Timings::default().retry_max;
    assert!(at - first <= most, "{:?}", at - first);
    assert!(attempts[..attempts.len() - 1].iter().all(|(_, up)| !up));
    // The waits grow: no tight loop.
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(
        gaps.iter().all(|g| *g >= Duration::from_millis(500)),
        "{gaps:?}"
    );
    assert!(gaps.last() > gaps.first(), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn finish_task_gives_up_after_its_budget_and_the_service_goes_on() {
    let api = Api::new(
        Finish::DownFor(Duration::from_secs(3600)),
        [
            untyped_task(1),
            task(2, TaskType::Hello(HelloTask::default())),
        ],
    );
    let svc = service(api.clone(), Arc::new(FakeConnector::builder().build()), 1);
    // With one slot, the Hello task waits for the first task's FinishTask retries to end.
    run_until(svc, &api, |a| a.hellos.lock().unwrap().len() == 2).await;
    let attempts = api.attempts.lock().unwrap().clone();
    let span = attempts.last().unwrap().0 - attempts[0].0;
    let budget = Timings::default().finish_retry_for;
    assert!(span <= budget, "{span:?}");
    assert!(span >= budget - Duration::from_secs(60), "{span:?}");
    assert!(api.delivered.lock().unwrap().is_empty());
}

/// A connector whose only resource type panics when listed.
struct Panicky;

#[async_trait]
impl Connector for Panicky {
    async fn metadata(&self) -> Result<ConnectorMetadata, SdkError> {
        Ok(ConnectorMetadata::new("Panicky", "panics when listing"))
    }
    async fn validate(&self) -> Result<Annotations, SdkError> {
        Ok(Annotations::default())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        vec![Arc::new(Panicky)]
    }
}

#[async_trait]
impl ResourceSyncer for Panicky {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("user", "User")
    }
    async fn list(
        &self,
        _: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, SdkError> {
        panic!("index out of bounds: the len is 0 but the index is 0")
    }
    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, SdkError> {
        Ok(Page::empty())
    }
    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, SdkError> {
        Ok(Page::empty())
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_is_finished_as_an_error_frees_its_slot_and_the_service_goes_on() {
    let api = Api::new(
        Finish::DownUntil(Instant::now()),
        [sync_task(1), task(2, TaskType::Hello(HelloTask::default()))],
    );
    // One slot: the Hello task runs only if the panicking task gave its slot back.
    let svc = service(api.clone(), Arc::new(Panicky), 1);
    run_until(svc, &api, |a| a.hellos.lock().unwrap().len() == 2).await;
    let delivered = api.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    let finish = &delivered[0].1;
    assert_eq!(finish.task_id, format!("task{:023}", 1));
    let status = finish.status.clone().expect("an error status");
    assert_eq!(status.code, Code::Internal as i32);
    assert!(
        status
            .message
            .starts_with("the task panicked: index out of bounds"),
        "{}",
        status.message
    );
    assert!(matches!(&finish.final_state, Some(FinalState::Error(e)) if e.non_retryable));
    assert_eq!(api.hellos.lock().unwrap()[1], format!("task{:023}", 2));
}

/// The task was handed out (checked a simulated second later, so it is running).
fn started(api: &Api) -> bool {
    api.tasks.lock().unwrap().is_empty()
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_within_the_budget_even_when_finish_task_never_answers() {
    // A grant that would take an hour, and a ConductorOne that never answers FinishTask.
    let api = Api::new(Finish::Hangs, [grant_task(1)]);
    let svc = service(api.clone(), slow_grants(), 3);
    let took = run_until(svc, &api, started).await;
    let budget = DEFAULT_SHUTDOWN_GRACE + Timings::default().shutdown_finish;
    assert!(took <= budget, "shutdown took {took:?}, budget {budget:?}");
    assert!(
        took >= DEFAULT_SHUTDOWN_GRACE,
        "the grace was given: {took:?}"
    );
    assert!(
        !api.attempts.lock().unwrap().is_empty(),
        "the cancelled grant's FinishTask was attempted"
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_retries_a_failing_finish_task_until_the_deadline_and_no_longer() {
    let api = Api::new(Finish::DownFor(Duration::from_secs(3600)), [grant_task(1)]);
    let svc = service(api.clone(), slow_grants(), 3);
    let took = run_until(svc, &api, started).await;
    let budget = DEFAULT_SHUTDOWN_GRACE + Timings::default().shutdown_finish;
    assert!(took <= budget, "shutdown took {took:?}, budget {budget:?}");
    // Several attempts within the 15 s after cancellation, the cancelled grant reported.
    let attempts = api.attempts.lock().unwrap().clone();
    assert!(attempts.len() >= 3, "{} attempts", attempts.len());
    let span = attempts.last().unwrap().0 - attempts[0].0;
    assert!(span <= Timings::default().shutdown_finish, "{span:?}");
}

/// The stop timeouts of the deployment examples in docs/OPERATIONS.md.
fn example_stop_timeouts() -> Vec<(&'static str, Duration)> {
    let doc = include_str!("../../../../docs/OPERATIONS.md");
    let value = |key: &str, end: char| -> Duration {
        let start = doc
            .find(key)
            .unwrap_or_else(|| panic!("{key} not in docs/OPERATIONS.md"))
            + key.len();
        let digits: String = doc[start..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let rest = doc[start..].trim_start()[digits.len()..].chars().next();
        if end != ' ' {
            assert_eq!(rest, Some(end), "{key}{digits} must be in seconds");
        }
        Duration::from_secs(digits.parse().expect("a number of seconds"))
    };
    vec![
        ("systemd TimeoutStopSec", value("TimeoutStopSec=", 's')),
        (
            "Kubernetes terminationGracePeriodSeconds",
            value("terminationGracePeriodSeconds:", ' '),
        ),
    ]
}

#[test]
fn the_worst_case_shutdown_fits_the_examples_stop_timeouts_with_margin() {
    let config = ServiceConfig::new("a@b/c", secrecy::SecretString::from("x"));
    let worst = config.worst_case_shutdown();
    assert_eq!(
        worst,
        DEFAULT_SHUTDOWN_GRACE + Timings::default().shutdown_finish + HEALTH_STOP_TIMEOUT
    );
    // Margin for the signal to arrive, the process to exit and a loaded host.
    let margin = Duration::from_secs(5);
    for (what, timeout) in example_stop_timeouts() {
        assert!(
            worst + margin <= timeout,
            "{what} is {timeout:?}, but a shutdown may take {worst:?} (+{margin:?} margin)"
        );
    }
}
