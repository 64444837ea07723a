//! `create_account` and `delete_resource` tasks (baton-sdk's `pkg/tasks/c1api/create_account.go`
//! and `delete_resource.go`), through the SDK's operations (`create_account`, `delete_resource`).
//!
//! Generated credentials (a random password) are encrypted to the request's encryption configs
//! with the SDK's `crypto::BatonCrypto` (baton's `baton/age/v1` and `baton/jwk/v1` providers);
//! the SDK checks the configs before any account is created and refuses a request without one.
//! A chosen (encrypted) password is still refused (`Unimplemented`): decrypting it needs the
//! client secret's key, which the task context does not carry. Refusals are reported
//! non-retryable with their code and message.

use c1_connector_sdk::crypto::BatonCrypto;
use c1_connector_sdk::model::{
    CreateAccountRequest, DeleteResourceRequest, ResourceId, RotateCredentialRequest,
};
use tokio_util::sync::CancellationToken;

use super::calls::{self, Kind, malformed, operations, require_provisioning};
use super::context::{TaskContext, TaskFailure, TaskSuccess};
use crate::service::proto::{
    CreateAccountTask, DeleteResourceTask, IssueCredentialTask, RotateCredentialsTask,
};

/// Account creation: the response is `Any(c1.connector.v2.CreateAccountResponse)`, and its
/// annotations are the success annotations.
pub(super) async fn create(
    ctx: &TaskContext,
    spec: &CreateAccountTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    if spec.account_info.is_none() {
        return Err(malformed("malformed create account task"));
    }
    require_provisioning(ctx)?;
    let request = CreateAccountRequest {
        account_info: spec.account_info.clone(),
        credential_options: spec.credential_options.clone(),
        encryption_configs: spec.encryption_configs.clone(),
        resource_type_id: spec.resource_type_id.clone(),
    };
    let crypto = BatonCrypto::new();
    let result = operations(ctx, cancel)
        .create_account(&request, Some(&crypto))
        .await;
    let response = Kind::Change { idempotent: true }.report(result, cancel)?;
    let annotations = response.annotations.clone();
    Ok(calls::success(&response, annotations))
}

/// Resource deletion: the response is `Any(c1.connector.v2.DeleteResourceResponse)` (with
/// `ResourceDoesNotExist` when it was already gone), its annotations the success annotations.
pub(super) async fn delete(
    ctx: &TaskContext,
    spec: &DeleteResourceTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    require_whole_id(spec.resource_id.as_ref(), "delete resource")?;
    require_provisioning(ctx)?;
    let request = DeleteResourceRequest {
        resource_id: spec.resource_id.clone(),
        parent_resource_id: spec.parent_resource_id.clone(),
    };
    let result = operations(ctx, cancel).delete_resource(&request).await;
    let response = Kind::Change { idempotent: true }.report(result, cancel)?;
    let annotations = response.annotations.clone();
    Ok(calls::success(&response, annotations))
}

/// Credential rotation (baton-sdk's `pkg/tasks/c1api/rotate_credentials.go`): the response is
/// `Any(c1.connector.v2.RotateCredentialResponse)` carrying the new secret encrypted to the
/// task's encryption configs with the SDK's `BatonCrypto`; a task without any is refused before
/// anything is rotated. Not retried: each rotation issues a new secret.
pub(super) async fn rotate(
    ctx: &TaskContext,
    spec: &RotateCredentialsTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    require_whole_id(spec.resource_id.as_ref(), "rotate credentials")?;
    require_provisioning(ctx)?;
    let request = RotateCredentialRequest {
        resource_id: spec.resource_id.clone(),
        credential_options: spec.credential_options.clone(),
        encryption_configs: spec.encryption_configs.clone(),
    };
    let crypto = BatonCrypto::new();
    let result = operations(ctx, cancel)
        .rotate_credentials(&request, Some(&crypto))
        .await;
    let response = Kind::Change { idempotent: false }.report(result, cancel)?;
    let annotations = response.annotations.clone();
    Ok(calls::success(&response, annotations))
}

/// Credential issuance (baton-sdk's `pkg/tasks/c1api/issue_credential.go`): a task without an
/// identity, options or encryption configs is malformed (non-retryable, as baton); the request
/// id is the task id; the response is `Any(c1.connector.v2.IssueCredentialResponse)` with the
/// secret encrypted by `BatonCrypto`. Never retried (issuance is not idempotent).
pub(super) async fn issue(
    ctx: &TaskContext,
    task_id: &str,
    spec: &IssueCredentialTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    if spec.identity_id.is_none()
        || spec.credential_options.is_none()
        || spec.encryption_configs.is_empty()
    {
        return Err(malformed("malformed issue credential task"));
    }
    require_provisioning(ctx)?;
    let request = c1_connector_sdk::model::IssueCredentialRequest {
        identity_id: spec.identity_id.clone(),
        credential_options: spec.credential_options.clone(),
        encryption_configs: spec.encryption_configs.clone(),
        request_id: task_id.to_owned(),
        expires_at: spec.expires_at,
    };
    let crypto = BatonCrypto::new();
    let result = operations(ctx, cancel)
        .issue_credential(&request, Some(&crypto))
        .await;
    let response = Kind::Change { idempotent: false }.report(result, cancel)?;
    let annotations = response.annotations.clone();
    Ok(calls::success(&response, annotations))
}

/// A task that names a resource must name it whole (its type and its id); else it is malformed
/// (non-retryable, as baton answers).
fn require_whole_id(id: Option<&ResourceId>, task: &str) -> Result<(), TaskFailure> {
    if id.is_some_and(|id| !id.resource_type.is_empty() && !id.resource.is_empty()) {
        Ok(())
    } else {
        Err(malformed(&format!("malformed {task} task")))
    }
}
