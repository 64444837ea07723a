//! `--list-action-schemas`, `--invoke-action` and `--action-status` (baton-sdk's
//! `pkg/tasks/local/action_schema_list.go` and `action_invoker.go`).
//!
//! As baton's one-shot invoker does, an action still in flight (pending or running) is asked
//! for its status every second until it settles. Only `COMPLETE` is success: `FAILED` exits 1
//! with the action's error, and so does any status that is neither (baton would report
//! success for those; it cannot be known that the action took effect).

use std::time::Duration;

use c1_connector_sdk::model::{
    BatonActionStatus, GetActionStatusRequest, InvokeActionRequest, InvokeActionResponse,
    ListActionSchemasRequest, json_object_to_struct,
};
use c1_connector_sdk::ops::{Operations, action_schemas};
use c1_connector_sdk::protojson;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::flags::{given, parse_object};
use super::interrupt::unless_interrupted;
use super::io::Io;
use crate::cli::BatonArgs;
use crate::exit::{Exit, Failure, Outcome};

/// An action to invoke, from the flags.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invoke {
    pub(crate) name: String,
    pub(crate) resource_type: String,
    pub(crate) args: prost_types::Struct,
}

impl Invoke {
    pub(crate) fn from_args(args: &BatonArgs) -> Result<Self, Failure> {
        let map = parse_object(
            &args.invoke_action_args,
            "--invoke-action-args",
            r#"'{"resource_id":{"resource_type_id":"user","resource_id":"U1"}}'"#,
        )?;
        Ok(Invoke {
            name: given(&args.invoke_action).unwrap_or_default().to_owned(),
            resource_type: given(&args.invoke_action_resource_type)
                .unwrap_or_default()
                .to_owned(),
            args: json_object_to_struct(map),
        })
    }
}

/// Prints the schemas (`{"schemas": [...]}`) and how many there are.
pub(super) fn list(ops: &Operations, resource_type: &str, io: &mut Io<'_>) -> Result<(), Outcome> {
    let request = ListActionSchemasRequest {
        resource_type_id: resource_type.to_owned(),
        ..ListActionSchemasRequest::default()
    };
    let response = ops.list_action_schemas(&request)?;
    let schemas: Vec<Value> = response
        .schemas
        .iter()
        .map(protojson::action_schema)
        .collect();
    io.out_json(&json!({ "schemas": schemas }), true)?;
    if resource_type.is_empty() {
        io.note(&format!("{} action schema(s)", schemas.len()));
    } else if schemas.is_empty() {
        // baton answers an empty list for a type without actions; say which types have some.
        let mut types: Vec<String> = action_schemas(ops.connector().as_ref())?
            .into_iter()
            .map(|s| {
                if s.resource_type_id.is_empty() {
                    "(global)".to_owned()
                } else {
                    s.resource_type_id
                }
            })
            .collect();
        types.dedup();
        io.note(&format!(
            "resource type {resource_type} has no actions; actions exist for: {}",
            if types.is_empty() {
                "none".to_owned()
            } else {
                types.join(", ")
            }
        ));
    } else {
        io.note(&format!(
            "{} action schema(s) for resource type {resource_type}",
            schemas.len()
        ));
    }
    Ok(())
}

fn label(name: &str, resource_type: &str) -> String {
    if resource_type.is_empty() {
        format!("action '{name}'")
    } else {
        format!("action '{name}' of {resource_type}")
    }
}

/// Invokes the action, follows it until it settles, prints its outcome.
pub(super) async fn invoke(
    ops: &Operations,
    invoke: &Invoke,
    interval: Duration,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let what = label(&invoke.name, &invoke.resource_type);
    let request = InvokeActionRequest {
        name: invoke.name.clone(),
        args: Some(invoke.args.clone()),
        resource_type_id: invoke.resource_type.clone(),
        ..InvokeActionRequest::default()
    };
    let response = unless_interrupted(
        cancel,
        || format!("interrupted: {what} may or may not have been started"),
        ops.invoke_action(&request).await,
    )?;
    let mut state = response;
    io.note(&format!(
        "{what} (id {}): {}",
        state.id,
        status_name(state.status)
    ));
    // The SDK refuses an in-flight answer without an id, so `state.id` is usable here.
    while state.status().is_in_flight() {
        let waiting = status_name(state.status);
        let id = state.id.clone();
        let interrupted = || {
            format!(
                "interrupted while {what} was {waiting}: it may still finish; see its status with --action-status {id}"
            )
        };
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = cancel.cancelled() => {
                return Err(Failure::new(Exit::Interrupted, interrupted()).into());
            }
        }
        let request = GetActionStatusRequest {
            name: state.name.clone(),
            id: state.id.clone(),
            ..GetActionStatusRequest::default()
        };
        let status =
            unless_interrupted(cancel, interrupted, ops.get_action_status(&request).await)?;
        let changed = status.status != state.status;
        state = InvokeActionResponse {
            id: state.id,
            name: if status.name.is_empty() {
                state.name
            } else {
                status.name
            },
            status: status.status,
            annotations: status.annotations,
            response: status.response,
        };
        if changed {
            io.note(&format!(
                "{what} (id {}): {}",
                state.id,
                status_name(state.status)
            ));
        }
    }
    io.out_json(&protojson::invoke_action_response(&state), false)?;
    settled(&what, &state)
}

/// A status's protojson name (its number when unknown).
fn status_name(status: i32) -> String {
    match BatonActionStatus::try_from(status) {
        Ok(s) => s.proto_name().to_owned(),
        Err(_) => status.to_string(),
    }
}

/// Only `COMPLETE` is success.
fn settled(what: &str, state: &InvokeActionResponse) -> Result<(), Outcome> {
    match state.status() {
        BatonActionStatus::Complete => Ok(()),
        BatonActionStatus::Failed => Err(Failure::failed(format!(
            "{what} (id {}) failed: {}",
            state.id,
            state
                .error_message()
                .unwrap_or("the connector gave no reason")
        ))
        .into()),
        _ => Err(Failure::failed(format!(
            "{what} (id {}) ended with status {}: it is not known whether it took effect",
            state.id,
            status_name(state.status)
        ))
        .into()),
    }
}

/// Prints an action's current status.
pub(super) async fn status(
    ops: &Operations,
    id: &str,
    io: &mut Io<'_>,
    cancel: &CancellationToken,
) -> Result<(), Outcome> {
    let request = GetActionStatusRequest {
        id: id.to_owned(),
        ..GetActionStatusRequest::default()
    };
    let response = unless_interrupted(
        cancel,
        || "interrupted".to_owned(),
        ops.get_action_status(&request).await,
    )?;
    io.out_json(&protojson::action_status_response(&response), false)?;
    let mut line = format!("action {id}: {}", status_name(response.status));
    if let Some(error) = response
        .error_message()
        .filter(|_| response.status() == BatonActionStatus::Failed)
    {
        line.push_str(&format!(" ({error})"));
    }
    io.note(&line);
    Ok(())
}
