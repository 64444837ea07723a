//! Grant and revoke tasks, through the SDK's operations (`Operations::grant` / `revoke`: the
//! provisioner of the syncer of the entitlement's resource type, with baton's 3 attempts for a
//! retryable error).
//!
//! As in baton: a connector error is reported non-retryable with its code, except a transient
//! one the connector marks retryable (a conflict with another writer, a change that does not
//! show yet: see [`Kind::Provision`]); the task's `duration` and annotations are not passed on;
//! the response is the connector's reply packed as `Any` and its annotations
//! (`GrantAlreadyExists`, `GrantAlreadyRevoked`, ...) are also the success annotations. A call
//! cut short by shutdown is reported `Cancelled` and retryable (our choice: provisioners are
//! idempotent, so ConductorOne may safely try again).

use tokio_util::sync::CancellationToken;

use super::calls::{Kind, malformed, operations, require_provisioning};
use super::context::{TaskContext, TaskFailure, TaskSuccess};
use crate::service::proto::{GrantResponse, GrantTask, RevokeResponse, RevokeTask};

/// A grant task.
pub(super) async fn grant(
    ctx: &TaskContext,
    spec: &GrantTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    let (Some(entitlement), Some(principal)) = (&spec.entitlement, &spec.principal) else {
        return Err(malformed("malformed grant task"));
    };
    require_provisioning(ctx)?;
    let result = operations(ctx, cancel).grant(principal, entitlement).await;
    let response = GrantResponse::from_annotations(Kind::Provision.report(result, cancel)?);
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
        return Err(malformed("invalid task type"));
    };
    require_provisioning(ctx)?;
    let result = operations(ctx, cancel).revoke(grant).await;
    let response = RevokeResponse::from_annotations(Kind::Provision.report(result, cancel)?);
    Ok(TaskSuccess {
        annotations: response.annotations.clone(),
        response: Some(response.to_any()),
    })
}
