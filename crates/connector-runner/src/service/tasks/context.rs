//! What the task handlers share: the task's context and settings, how a handler ends
//! ([`TaskSuccess`], [`TaskFailure`], [`Handled`]) and how a task ended ([`Outcome`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use c1_connector_sdk::connector::Connector;
use c1_connector_sdk::error::{Code as SdkCode, Error as SdkError};
use prost_types::Any;
use tonic::Code;

use crate::service::client::BatonApi;
use crate::service::timings::Timings;

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
    /// Where the last uploaded full sync is kept (see `last_sync`).
    pub(crate) state_dir: Option<PathBuf>,
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

/// A prost `Duration` as a std one (negative = zero).
pub(crate) fn std_duration(d: Option<&prost_types::Duration>) -> Option<Duration> {
    let d = d?;
    let secs = u64::try_from(d.seconds).ok()?;
    let nanos = u32::try_from(d.nanos).unwrap_or(0);
    Some(Duration::new(secs, nanos))
}
