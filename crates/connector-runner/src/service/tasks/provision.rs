//! Grant and revoke tasks, through the provisioner of the syncer of the entitlement's resource
//! type (as `c1_connector_sdk::provision` does from a `.c1z`, here from the task's messages).
//!
//! As in baton: a connector error is reported non-retryable with its code, except a transient
//! one the connector marks retryable (a conflict with another writer, a change that does not
//! show yet: see [`failure`]); the task's
//! `duration` and annotations are not passed on; the response is the connector's reply packed
//! as `Any` and its annotations (`GrantAlreadyExists`, `GrantAlreadyRevoked`, ...) are also the
//! success annotations. Calls failing with `Unavailable` / `DeadlineExceeded` are retried as
//! the SDK's provisioning runner does (3 attempts). A call cut short by shutdown is reported
//! `Cancelled` and retryable (our choice: provisioners are idempotent, so ConductorOne may
//! safely try again).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use c1_connector_sdk::engine::RetryPolicy;
use c1_connector_sdk::{
    Code as SdkCode, Entitlement, Error as SdkError, Provisioner, ResourceSyncer,
};
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::{TaskContext, TaskFailure, TaskSuccess};
use crate::service::proto::{GrantResponse, GrantTask, RevokeResponse, RevokeTask};

/// baton's no-op provisioner's answer when provisioning is off.
fn not_enabled() -> TaskFailure {
    TaskFailure::new(Code::FailedPrecondition, "provisioning is not enabled").non_retryable()
}

fn syncer_for(
    ctx: &TaskContext,
    entitlement: &Entitlement,
) -> Result<Arc<dyn ResourceSyncer>, TaskFailure> {
    let resource_type = entitlement.resource_id().resource_type;
    ctx.connector
        .syncers()
        .into_iter()
        .find(|s| s.resource_type().id == resource_type)
        .ok_or_else(|| {
            TaskFailure::new(
                Code::NotFound,
                format!("this connector has no resource type {resource_type:?}"),
            )
            .non_retryable()
        })
}

fn provisioner_of<'a>(
    syncer: &'a Arc<dyn ResourceSyncer>,
    entitlement: &Entitlement,
) -> Result<&'a dyn Provisioner, TaskFailure> {
    syncer.provisioner().ok_or_else(|| {
        TaskFailure::new(
            Code::Unimplemented,
            format!(
                "resource type {} does not support provisioning",
                entitlement.resource_id().resource_type
            ),
        )
        .non_retryable()
    })
}

fn failure(e: &SdkError, cancel: &CancellationToken) -> TaskFailure {
    if e.code() == SdkCode::Cancelled && cancel.is_cancelled() {
        return TaskFailure::new(
            Code::Cancelled,
            "the connector service is shutting down; the task was not finished",
        );
    }
    let transient = matches!(
        e.code(),
        SdkCode::Aborted | SdkCode::Unavailable | SdkCode::DeadlineExceeded
    );
    if transient && e.is_retryable() {
        // The change is not done, and the connector says another attempt may succeed: another
        // writer changed the principal between its read and its write (`Aborted`; Descope has
        // no compare-and-set), or the change does not show yet. Provisioners decide again from
        // a fresh read, so ConductorOne may safely send the task again; reporting it final
        // would leave the access request failed for good.
        return TaskFailure::from_sdk(e);
    }
    TaskFailure::from_sdk(e).non_retryable()
}

/// A grant task.
pub(super) async fn grant(
    ctx: &TaskContext,
    spec: &GrantTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    let (Some(entitlement), Some(principal)) = (&spec.entitlement, &spec.principal) else {
        return Err(TaskFailure::new(Code::Unknown, "malformed grant task").non_retryable());
    };
    if !ctx.settings.provisioning {
        return Err(not_enabled());
    }
    let syncer = syncer_for(ctx, entitlement)?;
    let provisioner = provisioner_of(&syncer, entitlement)?;
    let retries = Arc::new(AtomicU64::new(0));
    let annotations = RetryPolicy::new(2)
        .run(cancel, &retries, || {
            provisioner.grant(principal, entitlement)
        })
        .await
        .map_err(|e| failure(&e, cancel))?;
    let response = GrantResponse::from_annotations(annotations);
    Ok(TaskSuccess {
        annotations: response.annotations.clone(),
        response: Some(response.to_any()),
    })
}

/// A revoke task.
pub(super) async fn revoke(
    ctx: &TaskContext,
    spec: &RevokeTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    let Some(grant) = &spec.grant else {
        return Err(TaskFailure::new(Code::Unknown, "invalid task type").non_retryable());
    };
    if !ctx.settings.provisioning {
        return Err(not_enabled());
    }
    let Some(entitlement) = &grant.entitlement else {
        return Err(TaskFailure::new(
            Code::InvalidArgument,
            "the grant to revoke has no entitlement",
        )
        .non_retryable());
    };
    let syncer = syncer_for(ctx, entitlement)?;
    let provisioner = provisioner_of(&syncer, entitlement)?;
    let retries = Arc::new(AtomicU64::new(0));
    let annotations = RetryPolicy::new(2)
        .run(cancel, &retries, || provisioner.revoke(grant))
        .await
        .map_err(|e| failure(&e, cancel))?;
    let response = RevokeResponse::from_annotations(annotations);
    Ok(TaskSuccess {
        annotations: response.annotations.clone(),
        response: Some(response.to_any()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_retryable_conflict_is_reported_retryable() {
        let cancel = CancellationToken::new();
        let conflict =
            SdkError::new(SdkCode::Aborted, "another writer changed the key").with_retryable(true);
        let f = failure(&conflict, &cancel);
        assert_eq!((f.code, f.non_retryable), (Code::Aborted, false));
        let final_conflict = conflict.with_retryable(false);
        assert!(failure(&final_conflict, &cancel).non_retryable);
        let unmarked = SdkError::new(SdkCode::Aborted, "aborted");
        assert!(failure(&unmarked, &cancel).non_retryable);
        let not_yet = SdkError::unavailable("the key does not show the change yet");
        assert!(!failure(&not_yet, &cancel).non_retryable);
        // The Descope connector marks errors its client already retried as final.
        assert!(failure(&not_yet.with_retryable(false), &cancel).non_retryable);
        for code in [
            SdkCode::PermissionDenied,
            SdkCode::FailedPrecondition,
            SdkCode::NotFound,
            SdkCode::Internal,
        ] {
            let f = failure(&SdkError::new(code, "x"), &cancel);
            assert!(f.non_retryable, "{code:?} stays non-retryable, as in baton");
        }
    }
}
