//! What the account, deletion, action and event task handlers share: the provisioning gate,
//! connector calls cut short by shutdown, and how a connector error is reported.
//!
//! Retries are decided per kind of task, as these are not in baton's sources word for word:
//! - tasks that change the connected system (create account, delete resource, invoke action)
//!   report every connector error non-retryable, as baton's create/delete handlers do;
//! - tasks that only read (schemas, action status, event feeds) are retryable when the error is
//!   (`Unavailable`, `DeadlineExceeded`, rate limits...) and non-retryable otherwise. baton
//!   reports action errors retryable whatever they are, and does not finish event tasks whose
//!   connector call failed at all (the task is left to time out on ConductorOne's side).

use std::future::Future;

use c1_connector_sdk::Error as SdkError;
use c1_connector_sdk::model::{AnnotationMessage, pack};
use prost_types::Any;
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::{TaskContext, TaskFailure, TaskSuccess};

/// baton's no-op provisioner's answer when provisioning is off.
pub(super) fn require_provisioning(ctx: &TaskContext) -> Result<(), TaskFailure> {
    if ctx.settings.provisioning {
        Ok(())
    } else {
        Err(
            TaskFailure::new(Code::FailedPrecondition, "provisioning is not enabled")
                .non_retryable(),
        )
    }
}

/// A task that cannot be served as sent (no retry can help).
pub(super) fn malformed(message: &str) -> TaskFailure {
    TaskFailure::new(Code::Unknown, message).non_retryable()
}

/// How a task reports a connector error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// The task changes the connected system; `idempotent` says whether running it again
    /// after an interruption is safe.
    Change { idempotent: bool },
    /// The task only reads.
    Read,
}

impl Kind {
    fn failure(self, e: &SdkError) -> TaskFailure {
        let failure = TaskFailure::from_sdk(e);
        match self {
            Kind::Change { .. } => failure.non_retryable(),
            Kind::Read if e.is_retryable() => failure,
            Kind::Read => failure.non_retryable(),
        }
    }

    fn interrupted(self) -> TaskFailure {
        match self {
            Kind::Change { idempotent: false } => TaskFailure::new(
                Code::Cancelled,
                "the connector service is shutting down; the task may have taken effect: check before running it again",
            )
            .non_retryable(),
            // Account managers and deleters must be idempotent (the SDK's contract), and
            // reads can always run again.
            _ => TaskFailure::new(
                Code::Cancelled,
                "the connector service is shutting down; the task was not finished",
            ),
        }
    }
}

/// Runs a connector call unless the service stops first.
pub(super) async fn call<T>(
    kind: Kind,
    cancel: &CancellationToken,
    call: impl Future<Output = Result<T, SdkError>>,
) -> Result<T, TaskFailure> {
    tokio::select! {
        result = call => result.map_err(|e| kind.failure(&e)),
        () = cancel.cancelled() => Err(kind.interrupted()),
    }
}

/// A success answering `response` (packed as `Any`) with these annotations.
pub(super) fn success<M: AnnotationMessage>(response: &M, annotations: Vec<Any>) -> TaskSuccess {
    TaskSuccess {
        response: Some(pack(response)),
        annotations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn outcome(kind: Kind, result: Result<(), SdkError>) -> TaskFailure {
        call(kind, &CancellationToken::new(), async { result })
            .await
            .expect_err("a failure")
    }

    #[tokio::test]
    async fn reads_are_retried_only_when_the_error_is_transient() {
        let f = outcome(Kind::Read, Err(SdkError::unavailable("down"))).await;
        assert_eq!((f.code, f.non_retryable), (Code::Unavailable, false));
        let f = outcome(Kind::Read, Err(SdkError::invalid_argument("bad"))).await;
        assert_eq!((f.code, f.non_retryable), (Code::InvalidArgument, true));
        let change = Kind::Change { idempotent: true };
        let f = outcome(change, Err(SdkError::unavailable("down"))).await;
        assert_eq!((f.code, f.non_retryable), (Code::Unavailable, true));
    }

    #[tokio::test]
    async fn shutdown_cuts_a_call_short_and_says_whether_to_retry() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let pending = || std::future::pending::<Result<(), SdkError>>();
        for (kind, non_retryable, says) in [
            (Kind::Read, false, "was not finished"),
            (Kind::Change { idempotent: true }, false, "was not finished"),
            (
                Kind::Change { idempotent: false },
                true,
                "may have taken effect",
            ),
        ] {
            let f = call(kind, &cancel, pending()).await.expect_err("cancelled");
            assert_eq!(f.code, Code::Cancelled);
            assert_eq!(f.non_retryable, non_retryable, "{kind:?}");
            assert!(f.message.contains(says), "{kind:?}: {}", f.message);
        }
    }
}
