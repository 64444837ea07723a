//! `ActionService` (baton's `ActionManager`): collects and checks the schemas (the SDK sets
//! each schema's `resource_type_id`, as baton's registry does), routes an invocation to its
//! provider, checks its arguments against the schema, and checks the provider's answer.

use std::collections::HashSet;
use std::sync::Arc;

use prost_types::Struct;

use crate::connector::{
    ActionOutcome, ActionProvider, Connector, ResourceSyncer, check_action_args,
};
use crate::error::Error;
use crate::model::{
    ActionType, BatonActionSchema, BatonActionStatus, GetActionSchemaRequest,
    GetActionSchemaResponse, GetActionStatusRequest, GetActionStatusResponse, InvokeActionRequest,
    InvokeActionResponse, ListActionSchemasRequest, ListActionSchemasResponse,
};

/// Where a provider lives.
enum Scope {
    Global,
    Type(Arc<dyn ResourceSyncer>),
}

impl Scope {
    fn provider<'a>(&'a self, connector: &'a dyn Connector) -> Option<&'a dyn ActionProvider> {
        match self {
            Scope::Global => connector.action_provider(),
            Scope::Type(s) => s.action_provider(),
        }
    }
}

fn check_schemas(scope: &str, schemas: &[BatonActionSchema], typed: bool) -> Result<(), Error> {
    let mut names = HashSet::new();
    let mut types: Vec<(ActionType, &str)> = Vec::new();
    for s in schemas {
        if s.name.is_empty() {
            return Err(Error::invalid_argument(format!(
                "an action of {scope} has an empty name"
            )));
        }
        if !names.insert(s.name.as_str()) {
            return Err(Error::invalid_argument(format!(
                "{scope} declares the action {:?} twice",
                s.name
            )));
        }
        if typed {
            for t in s.action_type_values() {
                if matches!(t, ActionType::Unspecified | ActionType::Dynamic) {
                    continue;
                }
                if let Some((_, other)) = types.iter().find(|(x, _)| *x == t) {
                    return Err(Error::invalid_argument(format!(
                        "{scope} declares action type {} on both {other:?} and {:?}",
                        t.proto_name(),
                        s.name
                    )));
                }
                types.push((t, &s.name));
            }
        }
    }
    Ok(())
}

/// Every action schema of a connector, checked: global ones first (with an empty
/// `resource_type_id`), then each syncer's in syncer order (with `resource_type_id` set to the
/// syncer's type).
///
/// Errors: `InvalidArgument` for an empty or duplicate name, or a duplicate action type within a
/// resource type (baton refuses the same at registration).
pub fn action_schemas(connector: &dyn Connector) -> Result<Vec<BatonActionSchema>, Error> {
    let mut out = Vec::new();
    if let Some(p) = connector.action_provider() {
        let mut schemas = p.action_schemas();
        check_schemas("the connector's global actions", &schemas, false)?;
        for s in &mut schemas {
            s.resource_type_id.clear();
        }
        out.extend(schemas);
    }
    for syncer in connector.syncers() {
        if let Some(p) = syncer.action_provider() {
            let id = syncer.resource_type().id;
            let mut schemas = p.action_schemas();
            check_schemas(&format!("resource type {id}"), &schemas, true)?;
            for s in &mut schemas {
                s.resource_type_id.clone_from(&id);
            }
            out.extend(schemas);
        }
    }
    Ok(out)
}

/// The syncer of `resource_type_id` if it offers actions.
///
/// Errors: `Unimplemented` naming the types that offer actions.
pub fn action_provider_syncer(
    syncers: &[Arc<dyn ResourceSyncer>],
    resource_type_id: &str,
) -> Result<Arc<dyn ResourceSyncer>, Error> {
    syncers
        .iter()
        .find(|s| s.resource_type().id == resource_type_id && s.action_provider().is_some())
        .cloned()
        .ok_or_else(|| {
            let supported: Vec<String> = syncers
                .iter()
                .filter(|s| s.action_provider().is_some())
                .map(|s| s.resource_type().id)
                .collect();
            Error::unimplemented(format!(
                "resource type {resource_type_id:?} has no actions; types that do: {}",
                if supported.is_empty() {
                    "none".to_owned()
                } else {
                    supported.join(", ")
                }
            ))
        })
}

/// Serves `ListActionSchemas`: every action when `resource_type_id` is empty, otherwise that
/// type's actions (an empty list for a type without actions, as baton answers).
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::list_action_schemas;
/// use c1_connector_sdk::model::ListActionSchemasRequest;
/// let request = ListActionSchemasRequest { resource_type_id: "user".into(), ..Default::default() };
/// for schema in list_action_schemas(connector, &request)?.schemas {
///     println!("{}", schema.name);
/// }
/// # Ok(()) }
/// ```
pub fn list_action_schemas(
    connector: &dyn Connector,
    request: &ListActionSchemasRequest,
) -> Result<ListActionSchemasResponse, Error> {
    let mut schemas = action_schemas(connector)?;
    if !request.resource_type_id.is_empty() {
        schemas.retain(|s| s.resource_type_id == request.resource_type_id);
    }
    Ok(ListActionSchemasResponse {
        schemas,
        annotations: Vec::new(),
    })
}

/// Serves `GetActionSchema`: the global action of that name, or else the one resource-scoped
/// action of that name. (baton looks only at global actions; the fallback is this SDK's
/// addition.)
///
/// Errors: `NotFound` naming the actions there are; `InvalidArgument` when several resource
/// types have an action of that name (list by type instead).
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::get_action_schema;
/// use c1_connector_sdk::model::GetActionSchemaRequest;
/// let request = GetActionSchemaRequest { name: "disable".into(), ..Default::default() };
/// let schema = get_action_schema(connector, &request)?.schema;
/// # Ok(()) }
/// ```
pub fn get_action_schema(
    connector: &dyn Connector,
    request: &GetActionSchemaRequest,
) -> Result<GetActionSchemaResponse, Error> {
    let schemas = action_schemas(connector)?;
    let global = schemas
        .iter()
        .find(|s| s.resource_type_id.is_empty() && s.name == request.name);
    let schema = match global {
        Some(s) => s.clone(),
        None => {
            let scoped: Vec<&BatonActionSchema> =
                schemas.iter().filter(|s| s.name == request.name).collect();
            match scoped.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    let names: Vec<String> = schemas.iter().map(display_name).collect();
                    return Err(Error::not_found(format!(
                        "action {:?} not found; actions: {}",
                        request.name,
                        if names.is_empty() {
                            "none".to_owned()
                        } else {
                            names.join(", ")
                        }
                    )));
                }
                many => {
                    let types: Vec<&str> =
                        many.iter().map(|s| s.resource_type_id.as_str()).collect();
                    return Err(Error::invalid_argument(format!(
                        "several resource types have an action {:?} ({}): list the schemas of one type instead",
                        request.name,
                        types.join(", ")
                    )));
                }
            }
        }
    };
    Ok(GetActionSchemaResponse {
        schema: Some(schema),
        annotations: Vec::new(),
    })
}

fn display_name(s: &BatonActionSchema) -> String {
    if s.resource_type_id.is_empty() {
        s.name.clone()
    } else {
        format!("{}/{}", s.resource_type_id, s.name)
    }
}

/// Serves `InvokeAction`: a global action when `resource_type_id` is empty, otherwise that
/// type's action.
///
/// Errors: `InvalidArgument` for an empty name or arguments that do not fit the schema;
/// `Unimplemented` when the connector or the type has no actions; `NotFound` for an unknown
/// action name; `Internal` when the provider answers without a status, or in flight without an
/// id (it could never be followed up).
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::{connector::resource_id_value, ops::invoke_action};
/// use c1_connector_sdk::model::{InvokeActionRequest, ResourceId};
/// let mut args = prost_types::Struct::default();
/// args.fields.insert("resource_id".into(), resource_id_value(&ResourceId::new("user", "U1")));
/// let request = InvokeActionRequest {
///     name: "disable".into(),
///     args: Some(args),
///     resource_type_id: "user".into(),
///     ..Default::default()
/// };
/// let response = invoke_action(connector, &request).await?;
/// # Ok(()) }
/// ```
pub async fn invoke_action(
    connector: &dyn Connector,
    request: &InvokeActionRequest,
) -> Result<InvokeActionResponse, Error> {
    if request.name.is_empty() {
        return Err(Error::invalid_argument("invoke action request has no name"));
    }
    let scope = if request.resource_type_id.is_empty() {
        if connector.action_provider().is_none() {
            return Err(Error::unimplemented(
                "this connector has no global actions: name a resource_type_id for a resource action",
            ));
        }
        Scope::Global
    } else {
        Scope::Type(action_provider_syncer(
            &connector.syncers(),
            &request.resource_type_id,
        )?)
    };
    let schemas: Vec<BatonActionSchema> = action_schemas(connector)?
        .into_iter()
        .filter(|s| s.resource_type_id == request.resource_type_id)
        .collect();
    let schema = schemas
        .iter()
        .find(|s| s.name == request.name)
        .ok_or_else(|| {
            let names: Vec<&str> = schemas.iter().map(|s| s.name.as_str()).collect();
            Error::not_found(format!(
                "action {:?} not found{}; actions there: {}",
                request.name,
                if request.resource_type_id.is_empty() {
                    String::new()
                } else {
                    format!(" for resource type {}", request.resource_type_id)
                },
                names.join(", ")
            ))
        })?;
    let empty = Struct::default();
    let args = request.args.as_ref().unwrap_or(&empty);
    check_action_args(schema, args)?;
    let provider = scope
        .provider(connector)
        .ok_or_else(|| Error::internal("the action provider disappeared between two calls"))?;
    let outcome = provider.invoke_action(&request.name, args).await?;
    let status = check_outcome(&request.name, &outcome)?;
    Ok(InvokeActionResponse {
        id: outcome.id,
        status: status as i32,
        annotations: outcome.annotations.into_inner(),
        response: outcome.response,
        name: if outcome.name.is_empty() {
            request.name.clone()
        } else {
            outcome.name
        },
    })
}

fn check_outcome(name: &str, outcome: &ActionOutcome) -> Result<BatonActionStatus, Error> {
    match outcome.status {
        BatonActionStatus::Unspecified => Err(Error::internal(format!(
            "action {name:?} answered without a status"
        ))),
        s if s.is_in_flight() && outcome.id.is_empty() => Err(Error::internal(format!(
            "action {name:?} is {} but has no id to follow it up with",
            s.proto_name()
        ))),
        s => Ok(s),
    }
}

/// Serves `GetActionStatus`: asks the global provider, then each syncer's, for the id.
///
/// Errors: `InvalidArgument` for an empty id; `NotFound` when no provider knows it.
///
/// ```no_run
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # async fn f(connector: &dyn Connector) -> Result<(), Error> {
/// use c1_connector_sdk::ops::get_action_status;
/// use c1_connector_sdk::model::GetActionStatusRequest;
/// let request = GetActionStatusRequest { id: "a-1".into(), ..Default::default() };
/// let status = get_action_status(connector, &request).await?.status;
/// # Ok(()) }
/// ```
pub async fn get_action_status(
    connector: &dyn Connector,
    request: &GetActionStatusRequest,
) -> Result<GetActionStatusResponse, Error> {
    if request.id.is_empty() {
        return Err(Error::invalid_argument("action status request has no id"));
    }
    let mut found = None;
    if let Some(p) = connector.action_provider() {
        found = p.action_status(&request.id).await?;
    }
    if found.is_none() {
        for syncer in connector.syncers() {
            if let Some(p) = syncer.action_provider()
                && let Some(o) = p.action_status(&request.id).await?
            {
                found = Some(o);
                break;
            }
        }
    }
    let outcome =
        found.ok_or_else(|| Error::not_found(format!("action id {:?} not found", request.id)))?;
    let name = if outcome.name.is_empty() {
        request.name.clone()
    } else {
        outcome.name.clone()
    };
    let status = check_outcome(&name, &outcome)?;
    Ok(GetActionStatusResponse {
        name,
        id: request.id.clone(),
        status: status as i32,
        annotations: outcome.annotations.into_inner(),
        response: outcome.response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_action_types_are_refused() {
        let a = BatonActionSchema::new("a", "").with_action_type(ActionType::AccountDisable);
        let b = BatonActionSchema::new("b", "").with_action_type(ActionType::AccountDisable);
        let d1 = BatonActionSchema::new("c", "").with_action_type(ActionType::Dynamic);
        let d2 = BatonActionSchema::new("d", "").with_action_type(ActionType::Dynamic);
        assert!(check_schemas("t", &[a.clone(), d1.clone(), d2], true).is_ok());
        assert!(check_schemas("t", &[a.clone(), b], true).is_err());
        assert!(check_schemas("t", &[a.clone(), a], true).is_err());
    }

    #[test]
    fn in_flight_needs_an_id() {
        assert!(check_outcome("a", &ActionOutcome::pending("")).is_err());
        assert!(
            check_outcome(
                "a",
                &ActionOutcome::new("1", BatonActionStatus::Unspecified)
            )
            .is_err()
        );
        assert_eq!(
            check_outcome("a", &ActionOutcome::complete("", None)).unwrap(),
            BatonActionStatus::Complete
        );
    }
}
