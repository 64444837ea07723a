//! Action schemas (`c1.connector.v2.BatonActionSchema`, with their `c1.config.v1.Field`
//! arguments) and action outcomes (`InvokeActionResponse`, `GetActionStatusResponse`).

use prost_types::{Any, Struct};
use serde_json::Value;

use super::resources::annotations;
use super::values::{Obj, enum_value, strings};
use crate::model::config::{self, Constraint, ConstraintKind, Field, StringFieldType, field};
use crate::model::{
    ActionType, BatonActionSchema, BatonActionStatus, GetActionStatusResponse,
    InvokeActionResponse, struct_to_json,
};

fn string_field_type(n: i32) -> Option<&'static str> {
    StringFieldType::try_from(n).ok().map(|t| match t {
        StringFieldType::TextUnspecified => "STRING_FIELD_TYPE_TEXT_UNSPECIFIED",
        StringFieldType::Random => "STRING_FIELD_TYPE_RANDOM",
        StringFieldType::Oauth2 => "STRING_FIELD_TYPE_OAUTH2",
        StringFieldType::ConnectorDerivedOptions => "STRING_FIELD_TYPE_CONNECTOR_DERIVED_OPTIONS",
        StringFieldType::FileUpload => "STRING_FIELD_TYPE_FILE_UPLOAD",
    })
}

fn config_resource_id(id: &config::ResourceId) -> Value {
    Obj::new()
        .str("resourceTypeId", &id.resource_type_id)
        .str("resourceId", &id.resource_id)
        .done()
}

/// `c1.config.v1.Field` (the kinds the SDK models).
fn config_field(f: &Field) -> Value {
    let o = Obj::new()
        .str("name", &f.name)
        .str("displayName", &f.display_name)
        .str("description", &f.description)
        .str("placeholder", &f.placeholder)
        .bool("isRequired", f.is_required)
        .bool("isOps", f.is_ops)
        .bool("isSecret", f.is_secret);
    let (key, kind) = match &f.field {
        Some(field::Kind::StringField(s)) => {
            let options = s
                .options
                .iter()
                .map(|o| {
                    Obj::new()
                        .str("name", &o.name)
                        .str("value", &o.value)
                        .str("displayName", &o.display_name)
                        .done()
                })
                .collect();
            (
                "stringField",
                Obj::new()
                    .str("defaultValue", &s.default_value)
                    .enumeration("type", s.r#type, string_field_type(s.r#type))
                    .list("allowedExtensions", strings(&s.allowed_extensions))
                    .list("options", options)
                    .str("suggestedValue", &s.suggested_value)
                    .done(),
            )
        }
        Some(field::Kind::IntField(i)) => (
            "intField",
            Obj::new()
                .int64("defaultValue", i.default_value)
                .int64("suggestedValue", i.suggested_value)
                .done(),
        ),
        Some(field::Kind::BoolField(b)) => (
            "boolField",
            Obj::new()
                .bool("defaultValue", b.default_value)
                .bool("suggestedValue", b.suggested_value)
                .done(),
        ),
        Some(field::Kind::StringSliceField(s)) => (
            "stringSliceField",
            Obj::new()
                .list("defaultValue", strings(&s.default_value))
                .list("suggestedValue", strings(&s.suggested_value))
                .done(),
        ),
        Some(field::Kind::ResourceIdField(r)) => (
            "resourceIdField",
            Obj::new()
                .val(
                    "defaultValue",
                    r.default_value.as_ref().map(config_resource_id),
                )
                .done(),
        ),
        None => return o.done(),
    };
    o.val(key, Some(kind)).done()
}

fn constraint(c: &Constraint) -> Value {
    let kind = ConstraintKind::try_from(c.kind).ok().map(|k| match k {
        ConstraintKind::Unspecified => "CONSTRAINT_KIND_UNSPECIFIED",
        ConstraintKind::RequiredTogether => "CONSTRAINT_KIND_REQUIRED_TOGETHER",
        ConstraintKind::AtLeastOne => "CONSTRAINT_KIND_AT_LEAST_ONE",
        ConstraintKind::MutuallyExclusive => "CONSTRAINT_KIND_MUTUALLY_EXCLUSIVE",
        ConstraintKind::DependentOn => "CONSTRAINT_KIND_DEPENDENT_ON",
    });
    Obj::new()
        .enumeration("kind", c.kind, kind)
        .list("fieldNames", strings(&c.field_names))
        .list("secondaryFieldNames", strings(&c.secondary_field_names))
        .str("name", &c.name)
        .str("helpText", &c.help_text)
        .bool("isFieldGroup", c.is_field_group)
        .done()
}

/// Renders a `c1.connector.v2.BatonActionSchema` (its argument and return fields as
/// `c1.config.v1.Field`).
///
/// ```
/// use c1_connector_sdk::model::{ActionType, BatonActionSchema, config::Field};
/// let disable = BatonActionSchema::new("disable", "Disable user")
///     .with_argument(Field::resource_id("resource_id", "User").required())
///     .with_action_type(ActionType::AccountDisable);
/// let json = c1_connector_sdk::protojson::action_schema(&disable);
/// assert_eq!(json["actionType"][0], "ACTION_TYPE_ACCOUNT_DISABLE");
/// assert_eq!(json["arguments"][0]["isRequired"], true);
/// ```
pub fn action_schema(s: &BatonActionSchema) -> Value {
    let types = s
        .action_type
        .iter()
        .map(|t| {
            enum_value(
                *t,
                ActionType::try_from(*t).ok().map(ActionType::proto_name),
            )
        })
        .collect();
    Obj::new()
        .str("name", &s.name)
        .list("arguments", s.arguments.iter().map(config_field).collect())
        .list(
            "constraints",
            s.constraints.iter().map(constraint).collect(),
        )
        .list(
            "returnTypes",
            s.return_types.iter().map(config_field).collect(),
        )
        .str("displayName", &s.display_name)
        .str("description", &s.description)
        .list("actionType", types)
        .str("resourceTypeId", &s.resource_type_id)
        .done()
}

/// Renders an `InvokeActionResponse` (`id`, `status`, `annotations`, `response`, `name`).
///
/// ```
/// use c1_connector_sdk::model::{BatonActionStatus, InvokeActionResponse};
/// let done = InvokeActionResponse { id: "a-1".into(), name: "disable".into(), status: BatonActionStatus::Complete as i32, ..Default::default() };
/// assert_eq!(
///     c1_connector_sdk::protojson::invoke_action_response(&done).to_string(),
///     r#"{"id":"a-1","name":"disable","status":"BATON_ACTION_STATUS_COMPLETE"}"#
/// );
/// ```
pub fn invoke_action_response(r: &InvokeActionResponse) -> Value {
    action_outcome(
        &r.id,
        &r.name,
        r.status,
        &r.annotations,
        r.response.as_ref(),
    )
}

/// Renders a `GetActionStatusResponse` (the same fields as [`invoke_action_response`]).
///
/// ```
/// use c1_connector_sdk::model::{BatonActionStatus, GetActionStatusResponse};
/// let pending = GetActionStatusResponse { id: "a-1".into(), status: BatonActionStatus::Pending as i32, ..Default::default() };
/// let json = c1_connector_sdk::protojson::action_status_response(&pending);
/// assert_eq!(json["status"], "BATON_ACTION_STATUS_PENDING");
/// ```
pub fn action_status_response(r: &GetActionStatusResponse) -> Value {
    action_outcome(
        &r.id,
        &r.name,
        r.status,
        &r.annotations,
        r.response.as_ref(),
    )
}

fn action_outcome(
    id: &str,
    name: &str,
    status: i32,
    annos: &[Any],
    response: Option<&Struct>,
) -> Value {
    let status_name = BatonActionStatus::try_from(status)
        .ok()
        .map(BatonActionStatus::proto_name);
    Obj::new()
        .str("id", id)
        .enumeration("status", status, status_name)
        .list("annotations", annotations(annos))
        .val("response", response.map(struct_to_json))
        .str("name", name)
        .done()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn action_schemas_are_protojson() {
        let s = BatonActionSchema::new("disable", "Disable user")
            .with_argument(Field::resource_id("resource_id", "User").required())
            .with_return_type(Field::string("status", "Status"))
            .with_action_type(ActionType::AccountDisable);
        let v = action_schema(&s);
        assert_eq!(v["name"], "disable");
        assert_eq!(v["actionType"], json!(["ACTION_TYPE_ACCOUNT_DISABLE"]));
        assert_eq!(v["arguments"][0]["name"], "resource_id");
        assert_eq!(v["arguments"][0]["isRequired"], true);
        assert_eq!(v["arguments"][0]["resourceIdField"], json!({}));
        assert_eq!(v["returnTypes"][0]["stringField"], json!({}));
    }
}
