//! The task loop (baton's `connectorrunner` + `c1api` manager): the startup Hello with
//! back-off, GetTask polling, task slots, and shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::error::ServiceError;
use super::tasks::{TaskContext, std_duration};

/// How long tasks get to send FinishTask once cancelled at shutdown, on top of FinishTask's
/// own deadline.
const CANCEL_SLACK: Duration = Duration::from_secs(5);

/// baton's non-retryable startup Hello codes (`manager.go:178-207`).
fn hello_is_fatal(code: Code) -> bool {
    matches!(
        code,
        Code::Unauthenticated
            | Code::PermissionDenied
            | Code::InvalidArgument
            | Code::Unimplemented
            | Code::FailedPrecondition
            | Code::NotFound
    )
}

fn hint(code: Code) -> &'static str {
    match code {
        Code::Unauthenticated => {
            "; check the client id and secret (they may be revoked: create new ones in ConductorOne), that the token endpoint is reachable and its certificate trusted (SSL_CERT_FILE), and that BATON_C1_API_HOST is right if set"
        }
        Code::PermissionDenied => "; the credentials are not allowed to run this connector",
        _ => "",
    }
}

/// The service: one connector, one ConductorOne.
pub(crate) struct Service {
    pub(crate) ctx: Arc<TaskContext>,
    pub(crate) concurrency: usize,
    pub(crate) shutdown_grace: Duration,
}

impl Service {
    /// Runs until `shutdown` fires (then returns `Ok`) or the startup Hello fails for good.
    pub(crate) async fn run(&self, shutdown: CancellationToken) -> Result<(), ServiceError> {
        if !self.startup_hello(&shutdown).await? {
            return Ok(());
        }
        self.task_loop(shutdown).await;
        Ok(())
    }

    /// `Ok(false)` when shutdown came first.
    async fn startup_hello(&self, shutdown: &CancellationToken) -> Result<bool, ServiceError> {
        let timings = &self.ctx.settings.timings;
        let mut attempt = 0u32;
        loop {
            let result = tokio::select! {
                biased;
                () = shutdown.cancelled() => return Ok(false),
                r = self.ctx.hello("") => r,
            };
            let status = match result {
                Ok(()) => {
                    tracing::info!("connected to ConductorOne (startup Hello answered)");
                    return Ok(true);
                }
                Err(status) => status,
            };
            if hello_is_fatal(status.code()) {
                return Err(ServiceError::StartupHello {
                    code: format!("{:?}", status.code()),
                    message: status.message().to_owned(),
                    hint: hint(status.code()),
                });
            }
            attempt = attempt.saturating_add(1);
            let wait = timings.hello_backoff(attempt);
            tracing::warn!(attempt, ?wait, code = ?status.code(), message = status.message(), "startup Hello failed; retrying");
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return Ok(false),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn task_loop(&self, shutdown: CancellationToken) {
        let timings = self.ctx.settings.timings.clone();
        let slots = Arc::new(Semaphore::new(self.concurrency));
        let mut running: JoinSet<()> = JoinSet::new();
        // Fires when running tasks must stop (the grace after shutdown ran out).
        let abort_tasks = CancellationToken::new();
        let mut wait = Duration::ZERO;
        let mut failures = 0u32;
        loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
            reap(&mut running);
            let permit = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                p = slots.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    // The semaphore is never closed.
                    Err(_) => break,
                },
            };
            let response = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                r = self.ctx.api.get_task() => r,
            };
            let response = match response {
                Ok(r) => r,
                Err(status) => {
                    failures = failures.saturating_add(1);
                    wait = timings.get_task_error_backoff(failures);
                    log_get_task_error(&status, failures, wait);
                    continue;
                }
            };
            failures = 0;
            let next_poll = timings.next_poll(std_duration(response.next_poll.as_ref()));
            match response.task {
                // An empty task (no id, no type) is treated as no work too; baton would answer it
                // with an "unsupported task type" FinishTask for an empty task id.
                Some(task) if !is_no_work(&task) => {
                    let ctx = self.ctx.clone();
                    let cancel = abort_tasks.clone();
                    running.spawn(async move {
                        let _slot = permit;
                        run_one(&ctx, task, &cancel).await;
                    });
                    wait = next_poll;
                }
                _ => {
                    drop(permit);
                    wait = next_poll.max(timings.min_poll);
                }
            }
        }
        self.drain(running, abort_tasks).await;
    }

    /// Lets running tasks finish for `shutdown_grace`, then cancels them and gives them time to
    /// clean up and send FinishTask; whatever still runs after that is aborted.
    async fn drain(&self, mut running: JoinSet<()>, abort_tasks: CancellationToken) {
        reap(&mut running);
        if running.is_empty() {
            return;
        }
        tracing::info!(tasks = running.len(), grace = ?self.shutdown_grace, "shutting down: waiting for running tasks");
        let all_done = async {
            while let Some(r) = running.join_next().await {
                log_join(r);
            }
        };
        if tokio::time::timeout(self.shutdown_grace, all_done)
            .await
            .is_ok()
        {
            return;
        }
        tracing::warn!(
            tasks = running.len(),
            "shutting down: cancelling running tasks"
        );
        abort_tasks.cancel();
        let bound = self.ctx.settings.timings.finish_timeout + CANCEL_SLACK;
        let all_done = async {
            while let Some(r) = running.join_next().await {
                log_join(r);
            }
        };
        if tokio::time::timeout(bound, all_done).await.is_err() {
            tracing::error!(
                tasks = running.len(),
                "tasks did not stop in time; aborting them"
            );
            running.shutdown().await;
        }
    }
}

fn log_get_task_error(status: &Status, failures: u32, wait: Duration) {
    tracing::warn!(failures, ?wait, code = ?status.code(), message = status.message(), "GetTask failed; backing off");
}

/// A `none` task, or an empty one (no id, no type).
fn is_no_work(task: &super::proto::Task) -> bool {
    task.is_none_task() || (task.id.is_empty() && task.task_type.is_none())
}

fn reap(running: &mut JoinSet<()>) {
    while let Some(r) = running.try_join_next() {
        log_join(r);
    }
}

fn log_join(r: Result<(), tokio::task::JoinError>) {
    if let Err(e) = r
        && e.is_panic()
    {
        tracing::error!("a task panicked; the service goes on");
    }
}

/// One task, with its start and end log lines.
async fn run_one(ctx: &TaskContext, task: super::proto::Task, cancel: &CancellationToken) {
    let started = Instant::now();
    let task_type = task.type_name();
    tracing::info!(task_id = %task.id, task_type, "task started");
    let outcome = ctx.handle(&task, cancel).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(task_id = %task.id, task_type, duration_ms, outcome = %outcome, "task finished");
}
