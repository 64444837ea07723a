//! FinishTask: the report of a task's end, retried until it is delivered or a bound passes.
//!
//! baton sends FinishTask once (30 s deadline): an outage of ConductorOne at the end of a
//! multi-hour sync loses the sync. Here each attempt has [`Timings::finish_timeout`]
//! (30 s), and an attempt that failed with a transient code (`Unavailable`, our deadline, a
//! broken connection, ...) is retried after a jittered, doubling pause (1 s to 60 s) for up to
//! [`Timings::finish_retry_for`] (10 min). A code that would fail the same way again
//! (`InvalidArgument`, `NotFound`, refused credentials) ends it at once. At shutdown the
//! retries stop at the task loop's deadline ([`TaskContext::shutdown_deadline`]), so the
//! process still stops inside its stop timeout.
//!
//! Retrying is safe because the request is the same each time and is keyed by the task id:
//! ConductorOne removes a finished task from its queue (the proto says so), so an attempt whose
//! answer was lost and a later one report the same final state of the same task. What we
//! assume, and the reference does not state, is that a repeat for a task already finished is
//! either accepted again or refused with a non-transient code (which ends the retries and is
//! logged); nothing the connector did is repeated either way, since only the report is sent
//! again.
//!
//! [`Timings::finish_timeout`]: crate::service::Timings::finish_timeout
//! [`Timings::finish_retry_for`]: crate::service::Timings::finish_retry_for

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::Status;

use super::context::{Outcome, TaskContext, TaskFailure, TaskSuccess};
use crate::service::backoff::{is_transient, jitter};
use crate::service::proto::{
    FinalState, FinishError, FinishSuccess, FinishTaskRequest, RpcStatus, Task,
};

impl TaskContext {
    /// Sends FinishTask for `task` with `result`, retrying as the module says, whether or not
    /// the task was cancelled.
    pub(crate) async fn finish(
        &self,
        task: &Task,
        result: Result<TaskSuccess, TaskFailure>,
        cancel: &CancellationToken,
    ) -> Outcome {
        let (request, outcome) = request(task, result);
        match self.deliver(&task.id, request, cancel).await {
            Ok(()) => outcome,
            Err(why) => Outcome::FinishFailed(why),
        }
    }

    async fn deliver(
        &self,
        task_id: &str,
        request: FinishTaskRequest,
        cancel: &CancellationToken,
    ) -> Result<(), String> {
        let timings = &self.settings.timings;
        let give_up_at = Instant::now() + timings.finish_retry_for;
        let mut failures = 0u32;
        loop {
            let attempt = failures + 1;
            let bound = self.finish_bound(give_up_at);
            let per_try = timings
                .finish_timeout
                .min(bound.saturating_duration_since(Instant::now()));
            let status =
                match tokio::time::timeout(per_try, self.api.finish_task(request.clone())).await {
                    Ok(Ok(())) => {
                        if failures > 0 {
                            tracing::info!(task_id, attempt, "FinishTask delivered");
                        }
                        return Ok(());
                    }
                    Ok(Err(status)) => status,
                    Err(_) => Status::deadline_exceeded(format!("no answer within {per_try:?}")),
                };
            let why = format!("{:?}: {}", status.code(), status.message());
            if !is_transient(status.code()) {
                tracing::error!(task_id, attempt, code = ?status.code(), message = status.message(), "FinishTask refused; ConductorOne did not take this task's result");
                return Err(why);
            }
            failures = attempt;
            // Re-read: shutdown may have begun during the attempt.
            let bound = self.finish_bound(give_up_at);
            let left = bound.saturating_duration_since(Instant::now());
            if left.is_zero() {
                tracing::error!(task_id, attempt, code = ?status.code(), message = status.message(), "FinishTask failed; giving up: ConductorOne did not learn this task's result and will hand it out again when it times out");
                return Err(format!("not delivered after {attempt} attempt(s): {why}"));
            }
            let wait = jitter(timings.retry_backoff(failures)).min(left);
            tracing::warn!(task_id, attempt, ?wait, code = ?status.code(), message = status.message(), "FinishTask failed; retrying");
            if cancel.is_cancelled() {
                tokio::time::sleep(wait).await;
            } else {
                // Shutdown moves the bound closer: try again at once under the new one.
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = cancel.cancelled() => {}
                }
            }
        }
    }

    /// When FinishTask retries stop: `give_up_at`, or the shutdown deadline if sooner.
    fn finish_bound(&self, give_up_at: Instant) -> Instant {
        match self.shutdown_deadline.get() {
            Some(d) => give_up_at.min(*d),
            None => give_up_at,
        }
    }
}

/// The FinishTask request for `result`, and the outcome to log once it is delivered.
fn request(task: &Task, result: Result<TaskSuccess, TaskFailure>) -> (FinishTaskRequest, Outcome) {
    match result {
        Ok(success) => (
            FinishTaskRequest {
                host_id: String::new(),
                task_id: task.id.clone(),
                status: None,
                final_state: Some(FinalState::Success(FinishSuccess {
                    annotations: success.annotations,
                    response: success.response,
                })),
            },
            Outcome::Succeeded,
        ),
        Err(failure) => (
            FinishTaskRequest {
                host_id: String::new(),
                task_id: task.id.clone(),
                status: Some(RpcStatus {
                    code: failure.code as i32,
                    message: failure.message.clone(),
                    details: failure.details,
                }),
                final_state: Some(FinalState::Error(FinishError {
                    non_retryable: failure.non_retryable,
                    annotations: Vec::new(),
                    response: None,
                })),
            },
            Outcome::Failed {
                code: failure.code,
                message: failure.message,
            },
        ),
    }
}
