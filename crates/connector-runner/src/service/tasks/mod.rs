//! Running one task: the dispatcher, FinishTask, and the Hello and unsupported-type answers.
//!
//! A handler returns `Result<TaskSuccess, TaskFailure>` and [`TaskContext::finish`] reports
//! it; adding a task type is one match arm in [`TaskContext::handle`] plus its handler.

mod accounts;
mod actions;
mod calls;
mod context;
mod events;
mod finish;
pub(crate) mod last_sync;
mod provision;
mod sync;
mod upload;

pub(crate) use context::{TaskContext, TaskSettings, std_duration};

use futures::FutureExt as _;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::hostinfo;
use super::proto::{HelloRequest, Task, TaskType};
use context::{Handled, Outcome, TaskFailure, grpc_code};

impl TaskContext {
    /// Runs `task` to its end, FinishTask included. `cancel` fires when the service stops
    /// waiting for tasks. A handler that panics is reported with FinishTask as an `Internal`
    /// error saying so (non-retryable: a panic is a bug and would likely happen again), and the
    /// service goes on.
    pub(crate) async fn run(&self, task: &Task, cancel: &CancellationToken) -> Outcome {
        let handled = std::panic::AssertUnwindSafe(self.handle(task, cancel))
            .catch_unwind()
            .await;
        match handled {
            Ok(Handled::Finish(result)) => self.finish(task, result, cancel).await,
            Ok(Handled::Done(outcome)) => outcome,
            Err(panic) => {
                let what = panic_message(panic.as_ref());
                tracing::error!(task_id = %task.id, task_type = task.type_name(), panic = %what, "the task panicked; reporting it as failed");
                let failure = TaskFailure::new(
                    Code::Internal,
                    format!(
                        "the task panicked: {what}; this is a bug in the connector or its runner"
                    ),
                )
                .non_retryable();
                self.finish(task, Err(failure), cancel).await
            }
        }
    }

    /// Runs the handler of `task`'s type.
    async fn handle(&self, task: &Task, cancel: &CancellationToken) -> Handled {
        let result = match &task.task_type {
            Some(TaskType::SyncFull(spec)) => return sync::run(self, task, spec, cancel).await,
            Some(TaskType::Hello(_)) => return Handled::Done(self.answer_hello(task).await),
            Some(TaskType::Grant(spec)) => provision::grant(self, spec, cancel).await,
            Some(TaskType::Revoke(spec)) => provision::revoke(self, spec, cancel).await,
            Some(TaskType::CreateAccount(spec)) => accounts::create(self, spec, cancel).await,
            Some(TaskType::DeleteResource(spec)) => accounts::delete(self, spec, cancel).await,
            Some(TaskType::RotateCredentials(spec)) => accounts::rotate(self, spec, cancel).await,
            Some(TaskType::IssueCredential(spec)) => {
                accounts::issue(self, &task.id, spec, cancel).await
            }
            Some(TaskType::ActionListSchemas(spec)) => actions::list_schemas(self, spec),
            Some(TaskType::ActionGetSchema(spec)) => actions::get_schema(self, spec),
            Some(TaskType::ActionInvoke(spec)) => actions::invoke(self, spec, cancel).await,
            Some(TaskType::ActionStatus(spec)) => actions::status(self, spec, cancel).await,
            Some(TaskType::ListEventFeeds(_)) => events::list_feeds(self),
            Some(TaskType::ListEvents(spec)) => events::list(self, spec, cancel).await,
            // Handlers for further types go here, one arm each (create_resource,
            // rotate_credentials, issue_credential, tickets, ...); `event_feed`,
            // `create_sync_diff` and `compact_syncs` are unsupported in baton's service mode too.
            _ => Err(TaskFailure::new(Code::Unknown, "unsupported task type")),
        };
        Handled::Finish(result)
    }

    /// A Hello task is answered by a Hello carrying its id, and by nothing else.
    async fn answer_hello(&self, task: &Task) -> Outcome {
        match self.hello(&task.id).await {
            Ok(()) => Outcome::Succeeded,
            Err(status) => {
                tracing::error!(task_id = %task.id, code = ?status.code(), message = status.message(), "Hello failed");
                Outcome::Abandoned(format!(
                    "Hello failed: {:?}: {}",
                    status.code(),
                    status.message()
                ))
            }
        }
    }

    /// Sends Hello with this connector's metadata and capabilities.
    pub(crate) async fn hello(&self, task_id: &str) -> Result<(), Status> {
        let request = self.hello_request(task_id).await?;
        self.api.hello(request).await
    }

    async fn hello_request(&self, task_id: &str) -> Result<HelloRequest, Status> {
        // The connector's metadata with its capabilities (field 8), as baton-sdk's builder
        // fills them for GetMetadata.
        let metadata = c1_connector_sdk::ops::metadata_with_capabilities(self.connector.as_ref())
            .await
            .map_err(|e| {
                Status::new(
                    grpc_code(e.code()),
                    format!("the connector could not describe itself: {}", e.message()),
                )
            })?;
        Ok(HelloRequest {
            host_id: String::new(),
            task_id: task_id.to_owned(),
            build_info: Some(hostinfo::build_info(
                &self.settings.package_name,
                &self.settings.package_version,
            )),
            os_info: Some(hostinfo::os_info()),
            connector_metadata: Some(metadata),
            annotations: Vec::new(),
        })
    }
}

/// A panic's message, when it has one.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}
