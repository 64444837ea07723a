//! What the task handlers share: the provisioning gate, the SDK's operations under the task's
//! cancellation, and how their result is reported (the operations themselves, and the
//! in-process retries of grant and revoke, are the SDK's: `c1_connector_sdk::ops`).
//!
//! Whether ConductorOne may send a failed task again is decided per kind of task, as these are
//! not in baton's sources word for word:
//! - grant and revoke report a connector error non-retryable, as baton does, except a transient
//!   one (`Aborted`, `Unavailable`, `DeadlineExceeded`) the connector marks retryable
//!   ([`Kind::Provision`]);
//! - tasks that change the connected system (create account, delete resource, invoke action)
//!   report every connector error non-retryable, as baton's create/delete handlers do;
//! - tasks that only read (schemas, action status, event feeds) are retryable when the error is
//!   (`Unavailable`, `DeadlineExceeded`, rate limits...) and non-retryable otherwise. baton
//!   reports action errors retryable whatever they are, and does not finish event tasks whose
//!   connector call failed at all (the task is left to time out on ConductorOne's side).

use c1_connector_sdk::error::{Code as SdkCode, Error as SdkError};
use c1_connector_sdk::model::{AnnotationMessage, pack};
use c1_connector_sdk::ops::Operations;
use prost_types::Any;
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::context::{TaskContext, TaskFailure, TaskSuccess};

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

/// The SDK's operations on the task's connector, stopped when `cancel` fires (the service is
/// shutting down).
pub(super) fn operations(ctx: &TaskContext, cancel: &CancellationToken) -> Operations {
    Operations::new(ctx.connector.clone()).with_cancel(cancel.clone())
}

/// How a task reports a connector error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A grant or revoke (provisioners are idempotent).
    Provision,
    /// The task changes the connected system; `idempotent` says whether running it again
    /// after an interruption is safe.
    Change { idempotent: bool },
    /// The task only reads.
    Read,
}

impl Kind {
    /// The result of an operation as the task reports it; `cancel` is the token the operations
    /// were given, so a `Cancelled` answer after it fired is the shutdown's.
    pub(super) fn report<T>(
        self,
        result: Result<T, SdkError>,
        cancel: &CancellationToken,
    ) -> Result<T, TaskFailure> {
        result.map_err(|e| {
            if e.code() == SdkCode::Cancelled && cancel.is_cancelled() {
                self.interrupted()
            } else {
                self.failure(&e)
            }
        })
    }

    fn failure(self, e: &SdkError) -> TaskFailure {
        let failure = TaskFailure::from_sdk(e);
        match self {
            // The change is not done, and the connector says another attempt may succeed:
            // another writer changed the principal between its read and its write (`Aborted`;
            // Descope has no compare-and-set), or the change does not show yet. Provisioners
            // decide again from a fresh read, so ConductorOne may safely send the task again;
            // reporting it final would leave the access request failed for good.
            Kind::Provision if transient(e) && e.is_retryable() => failure,
            Kind::Provision | Kind::Change { .. } => failure.non_retryable(),
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

/// A conflict with another writer, or a change that does not show yet.
fn transient(e: &SdkError) -> bool {
    matches!(
        e.code(),
        SdkCode::Aborted | SdkCode::Unavailable | SdkCode::DeadlineExceeded
    )
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
    use std::sync::Arc;
    use std::time::Duration;

    use c1_connector_sdk::model::{AccountInfo, CreateAccountRequest};
    use c1_connector_sdk::testing::FakeConnector;

    use super::*;

    fn outcome(kind: Kind, result: Result<(), SdkError>) -> TaskFailure {
        kind.report(result, &CancellationToken::new())
            .expect_err("a failure")
    }

    #[test]
    fn reads_are_retried_only_when_the_error_is_transient() {
        let f = outcome(Kind::Read, Err(SdkError::unavailable("down")));
        assert_eq!((f.code, f.non_retryable), (Code::Unavailable, false));
        let f = outcome(Kind::Read, Err(SdkError::invalid_argument("bad")));
        assert_eq!((f.code, f.non_retryable), (Code::InvalidArgument, true));
        let change = Kind::Change { idempotent: true };
        let f = outcome(change, Err(SdkError::unavailable("down")));
        assert_eq!((f.code, f.non_retryable), (Code::Unavailable, true));
    }

    #[test]
    fn only_a_retryable_conflict_is_reported_retryable() {
        let provision = |e: SdkError| outcome(Kind::Provision, Err(e));
        let conflict = || SdkError::new(SdkCode::Aborted, "another writer changed the key");
        let f = provision(conflict().with_retryable(true));
        assert_eq!((f.code, f.non_retryable), (Code::Aborted, false));
        let final_conflict = conflict().with_retryable(true).with_retryable(false);
        assert!(provision(final_conflict).non_retryable);
        let unmarked = SdkError::new(SdkCode::Aborted, "aborted");
        assert!(provision(unmarked).non_retryable);
        let not_yet = || SdkError::unavailable("the key does not show the change yet");
        assert!(!provision(not_yet()).non_retryable);
        // The Descope connector marks errors its client already retried as final.
        assert!(provision(not_yet().with_retryable(false)).non_retryable);
        for code in [
            SdkCode::PermissionDenied,
            SdkCode::FailedPrecondition,
            SdkCode::NotFound,
            SdkCode::Internal,
        ] {
            let f = provision(SdkError::new(code, "x"));
            assert!(f.non_retryable, "{code:?} stays non-retryable, as in baton");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_cuts_a_call_short_and_says_whether_to_retry() {
        // A connector that would answer in an hour; the service is already shutting down.
        let connector = FakeConnector::builder()
            .accounts("user")
            .delay(Duration::from_secs(3600))
            .build();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let ops = Operations::new(Arc::new(connector)).with_cancel(cancel.clone());
        let request = CreateAccountRequest {
            account_info: Some(AccountInfo::new("ann")),
            resource_type_id: "user".into(),
            ..Default::default()
        };
        let started = tokio::time::Instant::now();
        for (kind, non_retryable, says) in [
            (Kind::Read, false, "was not finished"),
            (Kind::Provision, false, "was not finished"),
            (Kind::Change { idempotent: true }, false, "was not finished"),
            (
                Kind::Change { idempotent: false },
                true,
                "may have taken effect",
            ),
        ] {
            let result = ops.create_account(&request, None).await;
            let f = kind.report(result, &cancel).expect_err("cancelled");
            assert_eq!(f.code, Code::Cancelled);
            assert_eq!(f.non_retryable, non_retryable, "{kind:?}");
            assert!(f.message.contains(says), "{kind:?}: {}", f.message);
        }
        assert!(started.elapsed() < Duration::from_secs(3600), "cut short");
        // A connector's own `Cancelled`, while the service runs, is the connector's error.
        let f = Kind::Read
            .report::<()>(
                Err(SdkError::new(SdkCode::Cancelled, "upstream gave up")),
                &CancellationToken::new(),
            )
            .expect_err("a failure");
        assert_eq!(
            (f.code, f.message.as_str()),
            (Code::Cancelled, "upstream gave up")
        );
    }
}
