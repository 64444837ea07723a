//! `action_list_schemas`, `action_get_schema`, `action_invoke` and `action_status` tasks
//! (baton-sdk's `pkg/tasks/c1api/actions.go`), through the SDK's operations.
//!
//! As in baton: the responses are the connector's `ListActionSchemasResponse`,
//! `GetActionSchemaResponse`, `InvokeActionResponse` and `GetActionStatusResponse` packed as
//! `Any`, with no success annotations; an invocation whose status is `FAILED` finishes with an
//! error (`UNKNOWN`, the response's `error` text, or "action failed"), and one still pending or
//! running is a success that ConductorOne follows up with `action_status`.
//!
//! Beyond baton: invoking needs `--provisioning` (an action such as disabling an account
//! changes access; baton does not gate actions), and a task without the name or id it needs is
//! non-retryable (no retry can supply it).

use c1_connector_sdk::model::{
    BatonActionStatus, GetActionSchemaRequest, GetActionStatusRequest, InvokeActionRequest,
    ListActionSchemasRequest,
};
use c1_connector_sdk::ops::Operations;
use tokio_util::sync::CancellationToken;
use tonic::Code;

use super::calls::{self, Kind, malformed, operations, require_provisioning};
use super::context::{TaskContext, TaskFailure, TaskSuccess};
use crate::service::proto::{
    ActionGetSchemaTask, ActionInvokeTask, ActionListSchemasTask, ActionStatusTask,
};

/// Lists the schemas (of one resource type, when the task names one).
pub(super) fn list_schemas(
    ctx: &TaskContext,
    spec: &ActionListSchemasTask,
) -> Result<TaskSuccess, TaskFailure> {
    let request = ListActionSchemasRequest {
        annotations: spec.annotations.clone(),
        resource_type_id: spec.resource_type_id.clone(),
    };
    let response = Operations::new(ctx.connector.clone())
        .list_action_schemas(&request)
        .map_err(|e| TaskFailure::from_sdk(&e).non_retryable())?;
    Ok(calls::success(&response, Vec::new()))
}

/// One schema by name.
pub(super) fn get_schema(
    ctx: &TaskContext,
    spec: &ActionGetSchemaTask,
) -> Result<TaskSuccess, TaskFailure> {
    if spec.name.is_empty() {
        return Err(malformed("action name required"));
    }
    let request = GetActionSchemaRequest {
        name: spec.name.clone(),
        annotations: spec.annotations.clone(),
    };
    let response = Operations::new(ctx.connector.clone())
        .get_action_schema(&request)
        .map_err(|e| TaskFailure::from_sdk(&e).non_retryable())?;
    Ok(calls::success(&response, Vec::new()))
}

/// Invokes an action.
pub(super) async fn invoke(
    ctx: &TaskContext,
    spec: &ActionInvokeTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    if spec.name.is_empty() {
        return Err(malformed("action name required"));
    }
    require_provisioning(ctx)?;
    let request = InvokeActionRequest {
        name: spec.name.clone(),
        args: spec.args.clone(),
        annotations: spec.annotations.clone(),
        resource_type_id: spec.resource_type_id.clone(),
        inline_wait: None,
    };
    // Actions need not be idempotent: one interrupted by shutdown is not offered for a retry.
    let result = operations(ctx, cancel).invoke_action(&request).await;
    let response = Kind::Change { idempotent: false }.report(result, cancel)?;
    if response.status == BatonActionStatus::Failed as i32 {
        let message = response
            .error_message()
            .unwrap_or("action failed")
            .to_owned();
        tracing::error!(action_id = %response.id, action_name = %response.name, error = %message, "action failed");
        return Err(TaskFailure::new(Code::Unknown, message).non_retryable());
    }
    Ok(calls::success(&response, Vec::new()))
}

/// The status of an action.
pub(super) async fn status(
    ctx: &TaskContext,
    spec: &ActionStatusTask,
    cancel: &CancellationToken,
) -> Result<TaskSuccess, TaskFailure> {
    if spec.id.is_empty() {
        return Err(malformed("action id required"));
    }
    let request = GetActionStatusRequest {
        name: spec.name.clone(),
        id: spec.id.clone(),
        annotations: spec.annotations.clone(),
    };
    let result = operations(ctx, cancel).get_action_status(&request).await;
    let response = Kind::Read.report(result, cancel)?;
    Ok(calls::success(&response, Vec::new()))
}
