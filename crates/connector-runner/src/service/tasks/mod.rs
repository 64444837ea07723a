//! Running one task: the dispatcher, FinishTask, and the Hello and unsupported-type answers.
//!
//! A handler returns `Result<TaskSuccess, TaskFailure>` and [`TaskContext::finish`] reports
//! it; adding a task type is one match arm in [`TaskContext::handle`] plus its handler.

mod accounts;
mod actions;
mod calls;
mod events;
mod finish;
mod provision;
mod sync;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::{Code as SdkCode, Connector, Error as SdkError};
use futures::FutureExt as _;
use prost_types::Any;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::client::BatonApi;
use super::hostinfo;
use super::proto::{HelloRequest, Task, TaskType};
use super::timings::Timings;

/// What the task handlers share.
pub(crate) struct TaskContext {
    pub(crate) api: Arc<dyn BatonApi>,
    pub(crate) connector: Arc<dyn Connector>,
    pub(crate) settings: TaskSettings,
    /// Set by the task loop when it cancels running tasks at shutdown: FinishTask retries stop
    /// at this instant.
    pub(crate) shutdown_deadline: std::sync::OnceLock<tokio::time::Instant>,
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The settings task handlers read.
#[derive(Debug, Clone)]
pub(crate) struct TaskSettings {
    pub(crate) temp_dir: PathBuf,
    pub(crate) provisioning: bool,
    pub(crate) skip_full_sync: bool,
    pub(crate) sync_resource_type_ids: Vec<String>,
    pub(crate) sync_workers: Option<usize>,
    pub(crate) package_name: String,
    pub(crate) package_version: String,
    pub(crate) timings: Timings,
}

/// A handler's success: FinishTask's `success` fields.
#[derive(Debug, Default)]
pub(crate) struct TaskSuccess {
    pub(crate) response: Option<Any>,
    pub(crate) annotations: Vec<Any>,
}

/// A handler's failure: FinishTask's `status` and `error` fields.
#[derive(Debug, Clone)]
pub(crate) struct TaskFailure {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) non_retryable: bool,
    pub(crate) details: Vec<Any>,
}

impl TaskFailure {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            non_retryable: false,
            details: Vec::new(),
        }
    }

    /// A connector error with its code.
    pub(crate) fn from_sdk(e: &SdkError) -> Self {
        Self::new(grpc_code(e.code()), e.message())
    }

    #[must_use]
    pub(crate) fn non_retryable(mut self) -> Self {
        self.non_retryable = true;
        self
    }
}

/// The SDK's code as a gRPC code.
pub(crate) fn grpc_code(code: SdkCode) -> Code {
    match code {
        SdkCode::Cancelled => Code::Cancelled,
        SdkCode::InvalidArgument => Code::InvalidArgument,
        SdkCode::DeadlineExceeded => Code::DeadlineExceeded,
        SdkCode::NotFound => Code::NotFound,
        SdkCode::AlreadyExists => Code::AlreadyExists,
        SdkCode::PermissionDenied => Code::PermissionDenied,
        SdkCode::ResourceExhausted => Code::ResourceExhausted,
        SdkCode::FailedPrecondition => Code::FailedPrecondition,
        SdkCode::Aborted => Code::Aborted,
        SdkCode::OutOfRange => Code::OutOfRange,
        SdkCode::Unimplemented => Code::Unimplemented,
        SdkCode::Internal => Code::Internal,
        SdkCode::Unavailable => Code::Unavailable,
        SdkCode::DataLoss => Code::DataLoss,
        SdkCode::Unauthenticated => Code::Unauthenticated,
        _ => Code::Unknown,
    }
}

/// How a task ended, for its log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// FinishTask(success) was sent (or, for a Hello task, Hello was answered).
    Succeeded,
    /// FinishTask(error) was sent.
    Failed { code: Code, message: String },
    /// Nothing more was sent (the first heartbeat failed or said cancelled, a Hello failed).
    Abandoned(String),
    /// The task finished but FinishTask could not be delivered.
    FinishFailed(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Succeeded => f.write_str("succeeded"),
            Outcome::Failed { code, message } => write!(f, "failed ({code:?}: {message})"),
            Outcome::Abandoned(why) => write!(f, "abandoned ({why})"),
            Outcome::FinishFailed(why) => write!(f, "FinishTask failed ({why})"),
        }
    }
}

/// What a handler leaves to do.
#[derive(Debug)]
pub(crate) enum Handled {
    /// Report this with FinishTask.
    Finish(Result<TaskSuccess, TaskFailure>),
    /// Nothing more to send (a Hello task, a sync abandoned before it began).
    Done(Outcome),
}

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

/// A prost `Duration` as a std one (negative = zero).
pub(crate) fn std_duration(d: Option<&prost_types::Duration>) -> Option<Duration> {
    let d = d?;
    let secs = u64::try_from(d.seconds).ok()?;
    let nanos = u32::try_from(d.nanos).unwrap_or(0);
    Some(Duration::new(secs, nanos))
}
