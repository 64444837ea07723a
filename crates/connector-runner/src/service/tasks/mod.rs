//! Running one task: the dispatcher, FinishTask, and the Hello and unsupported-type answers.
//!
//! A handler returns `Result<TaskSuccess, TaskFailure>` and [`TaskContext::finish`] reports
//! it; adding a task type is one match arm in [`TaskContext::handle`] plus its handler.

mod accounts;
mod actions;
mod calls;
mod events;
mod provision;
mod sync;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::{Code as SdkCode, Connector, Error as SdkError};
use prost_types::Any;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use super::client::BatonApi;
use super::config::Timings;
use super::hostinfo;
use super::proto::{
    FinalState, FinishError, FinishSuccess, FinishTaskRequest, HelloRequest, RpcStatus, Task,
    TaskType,
};

/// What the task handlers share.
pub(crate) struct TaskContext {
    pub(crate) api: Arc<dyn BatonApi>,
    pub(crate) connector: Arc<dyn Connector>,
    pub(crate) settings: TaskSettings,
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

impl TaskContext {
    /// Runs `task` to its end. `cancel` fires when the service stops waiting for tasks.
    pub(crate) async fn handle(&self, task: &Task, cancel: &CancellationToken) -> Outcome {
        match &task.task_type {
            Some(TaskType::SyncFull(spec)) => sync::run(self, task, spec, cancel).await,
            Some(TaskType::Grant(spec)) => {
                let result = provision::grant(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::Revoke(spec)) => {
                let result = provision::revoke(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::Hello(_)) => self.answer_hello(task).await,
            Some(TaskType::CreateAccount(spec)) => {
                let result = accounts::create(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::DeleteResource(spec)) => {
                let result = accounts::delete(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::ActionListSchemas(spec)) => {
                let result = actions::list_schemas(self, spec);
                self.finish(task, result).await
            }
            Some(TaskType::ActionGetSchema(spec)) => {
                let result = actions::get_schema(self, spec);
                self.finish(task, result).await
            }
            Some(TaskType::ActionInvoke(spec)) => {
                let result = actions::invoke(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::ActionStatus(spec)) => {
                let result = actions::status(self, spec, cancel).await;
                self.finish(task, result).await
            }
            Some(TaskType::ListEventFeeds(_)) => {
                let result = events::list_feeds(self);
                self.finish(task, result).await
            }
            Some(TaskType::ListEvents(spec)) => {
                let result = events::list(self, spec, cancel).await;
                self.finish(task, result).await
            }
            // Handlers for further types go here, one arm each (create_resource,
            // rotate_credentials, issue_credential, tickets, ...); `event_feed`,
            // `create_sync_diff` and `compact_syncs` are unsupported in baton's service mode too.
            _ => {
                let failure = TaskFailure::new(Code::Unknown, "unsupported task type");
                self.finish(task, Err(failure)).await
            }
        }
    }

    /// Sends FinishTask once, with its own deadline, whether or not the task was cancelled.
    pub(crate) async fn finish(
        &self,
        task: &Task,
        result: Result<TaskSuccess, TaskFailure>,
    ) -> Outcome {
        let (request, outcome) = match result {
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
        };
        let deadline = self.settings.timings.finish_timeout;
        match tokio::time::timeout(deadline, self.api.finish_task(request)).await {
            Ok(Ok(())) => outcome,
            Ok(Err(status)) => {
                tracing::error!(task_id = %task.id, code = ?status.code(), message = status.message(), "FinishTask failed");
                Outcome::FinishFailed(format!("{:?}: {}", status.code(), status.message()))
            }
            Err(_) => {
                tracing::error!(task_id = %task.id, ?deadline, "FinishTask did not answer in time");
                Outcome::FinishFailed(format!("no answer within {deadline:?}"))
            }
        }
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
        let metadata =
            c1_connector_sdk::capabilities::metadata_with_capabilities(self.connector.as_ref())
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

/// A prost `Duration` as a std one (negative = zero).
pub(crate) fn std_duration(d: Option<&prost_types::Duration>) -> Option<Duration> {
    let d = d?;
    let secs = u64::try_from(d.seconds).ok()?;
    let nanos = u32::try_from(d.nanos).unwrap_or(0);
    Some(Duration::new(secs, nanos))
}
