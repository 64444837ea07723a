//! The task loop (baton's `connectorrunner` + `c1api` manager): the startup Hello with
//! back-off, GetTask polling, task slots, and shutdown.
//!
//! Start-up policy: the startup Hello is retried for as long as it fails with a code baton
//! retries (`Unavailable`, `Internal`, a deadline, ...), waiting 1 s doubling to 5 min with
//! jitter; a token endpoint that answers 5xx, times out or cannot be reached counts as
//! `Unavailable` here (see the token module), so the process stays up (its health server
//! answering) until ConductorOne comes back. Only the codes baton treats as final end it:
//! refused credentials (`Unauthenticated`), `PermissionDenied`, `InvalidArgument`, ....
//!
//! Shutdown: polling stops at once; running tasks get `shutdown_grace`; then they are
//! cancelled and get [`Timings::shutdown_finish`](super::Timings::shutdown_finish) to stop and
//! deliver FinishTask (their retries stop at that deadline); whatever still runs then is
//! aborted, naming its task.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::{Id as JoinId, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::backoff::jitter;
use super::error::ServiceError;
use super::tasks::{TaskContext, std_duration};

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
            "; check the client id and secret (they may be revoked: create new ones in ConductorOne), that ConductorOne's certificate is trusted (SSL_CERT_FILE), and that BATON_C1_API_HOST is right if set"
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
            let wait = jitter(timings.hello_backoff(attempt));
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
        let mut running = Running::default();
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
            running.reap();
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
                    wait = jitter(timings.get_task_error_backoff(failures));
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
                    let task_id = task.id.clone();
                    let handle = running.set.spawn(async move {
                        let _slot = permit;
                        run_one(&ctx, task, &cancel).await;
                    });
                    running.ids.insert(handle.id(), task_id);
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

    /// Lets running tasks finish for `shutdown_grace`, then cancels them and gives them
    /// `shutdown_finish` to clean up and deliver FinishTask; whatever still runs then is
    /// aborted.
    async fn drain(&self, mut running: Running, abort_tasks: CancellationToken) {
        running.reap();
        if running.set.is_empty() {
            return;
        }
        tracing::info!(tasks = running.set.len(), grace = ?self.shutdown_grace, "shutting down: waiting for running tasks");
        if tokio::time::timeout(self.shutdown_grace, running.join_all())
            .await
            .is_ok()
        {
            return;
        }
        let finish = self.ctx.settings.timings.shutdown_finish;
        let deadline = Instant::now() + finish;
        // Before cancelling, so every FinishTask retry loop that wakes sees the bound.
        let _ = self.ctx.shutdown_deadline.set(deadline);
        tracing::warn!(
            tasks = running.set.len(),
            ?finish,
            "shutting down: cancelling running tasks"
        );
        abort_tasks.cancel();
        if tokio::time::timeout_at(deadline, running.join_all())
            .await
            .is_err()
        {
            let ids: Vec<&str> = running.ids.values().map(String::as_str).collect();
            tracing::error!(
                tasks = ?ids,
                "tasks did not stop in time; aborting them: ConductorOne will hand them out again when they time out"
            );
            running.set.shutdown().await;
        }
    }
}

/// The running tasks, with their ids for the logs.
#[derive(Default)]
struct Running {
    set: JoinSet<()>,
    ids: HashMap<JoinId, String>,
}

impl Running {
    /// Collects the tasks that ended.
    fn reap(&mut self) {
        while let Some(r) = self.set.try_join_next_with_id() {
            self.ended(r);
        }
    }

    async fn join_all(&mut self) {
        while let Some(r) = self.set.join_next_with_id().await {
            self.ended(r);
        }
    }

    fn ended(&mut self, r: Result<(JoinId, ()), tokio::task::JoinError>) {
        let id = match &r {
            Ok((id, ())) => *id,
            Err(e) => e.id(),
        };
        let task_id = self.ids.remove(&id).unwrap_or_default();
        if let Err(e) = r
            && e.is_panic()
        {
            // Handlers' panics are caught and reported with FinishTask; this is one in
            // FinishTask or the logging around it.
            tracing::error!(task_id, "a task panicked; the service goes on");
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

/// One task, with its start and end log lines.
async fn run_one(ctx: &TaskContext, task: super::proto::Task, cancel: &CancellationToken) {
    let started = Instant::now();
    let task_type = task.type_name();
    tracing::info!(task_id = %task.id, task_type, "task started");
    let outcome = ctx.run(&task, cancel).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(task_id = %task.id, task_type, duration_ms, outcome = %outcome, "task finished");
}
