//! protojson of what the one-shot commands print: events (`c1.connector.v2.Event`), action
//! schemas (`c1.connector.v2.BatonActionSchema`) and action outcomes.
//!
//! protojson's rules: lowerCamelCase field names, enum values by name, int64 as strings,
//! timestamps in RFC 3339 with 0, 3, 6 or 9 fractional digits, default values left out. The
//! SDK's `store::protojson` renders resources, entitlements, grants and annotations; this module
//! adds the messages it does not cover.

use c1_connector_sdk::model::config::{
    self, Constraint, ConstraintKind, Field, StringFieldType, field,
};
use c1_connector_sdk::model::{
    ActionType, BatonActionSchema, BatonActionStatus, Event, event, struct_to_json,
};
use c1_connector_sdk::store::protojson;
use prost_types::{Any, Struct, Timestamp};
use serde_json::{Map, Value};

/// An object builder that leaves out default values, as protojson does.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Self(Map::new())
    }
    fn str(mut self, k: &str, v: &str) -> Self {
        if !v.is_empty() {
            self.0.insert(k.into(), Value::String(v.into()));
        }
        self
    }
    fn bool(mut self, k: &str, v: bool) -> Self {
        if v {
            self.0.insert(k.into(), Value::Bool(true));
        }
        self
    }
    fn val(mut self, k: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), v);
        }
        self
    }
    fn list(mut self, k: &str, v: Vec<Value>) -> Self {
        if !v.is_empty() {
            self.0.insert(k.into(), Value::Array(v));
        }
        self
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn strings(v: &[String]) -> Vec<Value> {
    v.iter().map(|s| Value::String(s.clone())).collect()
}

fn annotations(list: &[Any]) -> Vec<Value> {
    list.iter().map(protojson::any).collect()
}

/// An enum value by name when known, else by number (as protojson does).
fn enum_value(n: i32, name: Option<&str>) -> Value {
    match name {
        Some(s) => Value::String(s.to_owned()),
        None => Value::from(n),
    }
}

/// A timestamp as protojson writes it: RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits.
pub(crate) fn timestamp(t: &Timestamp) -> Value {
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(t.seconds) else {
        return Value::Null;
    };
    let Ok(whole) = dt.format(&time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    )) else {
        return Value::Null;
    };
    let nanos = u32::try_from(t.nanos).unwrap_or(0);
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    Value::String(format!("{whole}{fraction}Z"))
}

/// `c1.connector.v2.Event`.
pub(crate) fn event(e: &Event) -> Value {
    let mut o = Obj::new()
        .str("id", &e.id)
        .val("occurredAt", e.occurred_at.as_ref().map(timestamp));
    o = match &e.event {
        Some(event::Kind::UsageEvent(u)) => o.val(
            "usageEvent",
            Some(
                Obj::new()
                    .val(
                        "targetResource",
                        u.target_resource.as_ref().map(protojson::resource),
                    )
                    .val(
                        "actorResource",
                        u.actor_resource.as_ref().map(protojson::resource),
                    )
                    .done(),
            ),
        ),
        Some(event::Kind::GrantEvent(g)) => o.val(
            "grantEvent",
            Some(
                Obj::new()
                    .val("grant", g.grant.as_ref().map(protojson::grant))
                    .done(),
            ),
        ),
        Some(event::Kind::RevokeEvent(r)) => o.val(
            "revokeEvent",
            Some(
                Obj::new()
                    .val(
                        "entitlement",
                        r.entitlement.as_ref().map(protojson::entitlement),
                    )
                    .val("principal", r.principal.as_ref().map(protojson::resource))
                    .done(),
            ),
        ),
        Some(event::Kind::ResourceChangeEvent(r)) => o.val(
            "resourceChangeEvent",
            Some(
                Obj::new()
                    .val(
                        "resourceId",
                        r.resource_id.as_ref().map(protojson::resource_id),
                    )
                    .val(
                        "parentResourceId",
                        r.parent_resource_id.as_ref().map(protojson::resource_id),
                    )
                    .done(),
            ),
        ),
        Some(event::Kind::CreateGrantEvent(g)) => o.val(
            "createGrantEvent",
            Some(
                Obj::new()
                    .val(
                        "entitlement",
                        g.entitlement.as_ref().map(protojson::entitlement),
                    )
                    .val("principal", g.principal.as_ref().map(protojson::resource))
                    .list("annotations", annotations(&g.annotations))
                    .done(),
            ),
        ),
        Some(event::Kind::CreateRevokeEvent(g)) => o.val(
            "createRevokeEvent",
            Some(
                Obj::new()
                    .val(
                        "entitlement",
                        g.entitlement.as_ref().map(protojson::entitlement),
                    )
                    .val("principal", g.principal.as_ref().map(protojson::resource))
                    .list("annotations", annotations(&g.annotations))
                    .done(),
            ),
        ),
        None => o,
    };
    o.list("annotations", annotations(&e.annotations)).done()
}

fn string_field_type(n: i32) -> Value {
    let name = StringFieldType::try_from(n).ok().map(|t| match t {
        StringFieldType::TextUnspecified => "STRING_FIELD_TYPE_TEXT_UNSPECIFIED",
        StringFieldType::Random => "STRING_FIELD_TYPE_RANDOM",
        StringFieldType::Oauth2 => "STRING_FIELD_TYPE_OAUTH2",
        StringFieldType::ConnectorDerivedOptions => "STRING_FIELD_TYPE_CONNECTOR_DERIVED_OPTIONS",
        StringFieldType::FileUpload => "STRING_FIELD_TYPE_FILE_UPLOAD",
        _ => "",
    });
    enum_value(n, name.filter(|s| !s.is_empty()))
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
            let mut k = Obj::new().str("defaultValue", &s.default_value);
            if s.r#type != 0 {
                k = k.val("type", Some(string_field_type(s.r#type)));
            }
            (
                "stringField",
                k.list("allowedExtensions", strings(&s.allowed_extensions))
                    .list("options", options)
                    .str("suggestedValue", &s.suggested_value)
                    .done(),
            )
        }
        Some(field::Kind::IntField(i)) => {
            // protojson writes int64 as a string.
            let mut k = Obj::new();
            if i.default_value != 0 {
                k = k.val(
                    "defaultValue",
                    Some(Value::String(i.default_value.to_string())),
                );
            }
            if i.suggested_value != 0 {
                k = k.val(
                    "suggestedValue",
                    Some(Value::String(i.suggested_value.to_string())),
                );
            }
            ("intField", k.done())
        }
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
        _ => "",
    });
    let mut o = Obj::new();
    if c.kind != 0 {
        o = o.val(
            "kind",
            Some(enum_value(c.kind, kind.filter(|s| !s.is_empty()))),
        );
    }
    o.list("fieldNames", strings(&c.field_names))
        .list("secondaryFieldNames", strings(&c.secondary_field_names))
        .str("name", &c.name)
        .str("helpText", &c.help_text)
        .bool("isFieldGroup", c.is_field_group)
        .done()
}

/// `c1.connector.v2.BatonActionSchema`.
pub(crate) fn action_schema(s: &BatonActionSchema) -> Value {
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

/// An action's state as `InvokeActionResponse` / `GetActionStatusResponse` carry it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionState {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) status: i32,
    pub(crate) annotations: Vec<Any>,
    pub(crate) response: Option<Struct>,
}

impl ActionState {
    /// The status, `Unspecified` for a value this build does not know.
    pub(crate) fn status(&self) -> BatonActionStatus {
        BatonActionStatus::try_from(self.status).unwrap_or(BatonActionStatus::Unspecified)
    }

    /// The status's protojson name (its number when unknown).
    pub(crate) fn status_name(&self) -> String {
        match BatonActionStatus::try_from(self.status) {
            Ok(s) => s.proto_name().to_owned(),
            Err(_) => self.status.to_string(),
        }
    }

    /// The `error` string of the response, as baton's action manager reports failures.
    pub(crate) fn error_message(&self) -> Option<String> {
        match &self.response.as_ref()?.fields.get("error")?.kind {
            Some(prost_types::value::Kind::StringValue(s)) => Some(s.clone()),
            _ => None,
        }
    }

    /// protojson of `InvokeActionResponse` (`id`, `status`, `annotations`, `response`, `name`).
    pub(crate) fn to_json(&self) -> Value {
        let mut o = Obj::new().str("id", &self.id);
        if self.status != 0 {
            o = o.val(
                "status",
                Some(enum_value(
                    self.status,
                    BatonActionStatus::try_from(self.status)
                        .ok()
                        .map(BatonActionStatus::proto_name),
                )),
            );
        }
        o.list("annotations", annotations(&self.annotations))
            .val("response", self.response.as_ref().map(struct_to_json))
            .str("name", &self.name)
            .done()
    }
}

#[cfg(test)]
mod tests {
    use c1_connector_sdk::model::{Resource, ResourceId};
    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_are_protojson() {
        let t = |seconds, nanos| timestamp(&Timestamp { seconds, nanos });
        assert_eq!(t(0, 0), json!("1970-01-01T00:00:00Z"));
        assert_eq!(t(1, 500_000_000), json!("1970-01-01T00:00:01.500Z"));
        assert_eq!(t(1, 1_000), json!("1970-01-01T00:00:01.000001Z"));
        assert_eq!(t(1, 7), json!("1970-01-01T00:00:01.000000007Z"));
    }

    #[test]
    fn events_are_protojson() {
        let usage = Event::usage(
            "e1",
            1_700_000_000,
            Resource::new("app", "a1", "App"),
            Resource::new("user", "u1", "Ann"),
        );
        let v = event(&usage);
        assert_eq!(v["id"], "e1");
        assert_eq!(v["occurredAt"], "2023-11-14T22:13:20Z");
        assert_eq!(
            v["usageEvent"]["targetResource"]["id"],
            json!({"resourceType": "app", "resource": "a1"})
        );
        assert_eq!(v["usageEvent"]["actorResource"]["displayName"], "Ann");
        let change = Event::resource_change(
            "e2",
            5,
            ResourceId::new("user", "u1"),
            Some(ResourceId::new("tenant", "t1")),
        );
        let v = event(&change);
        assert_eq!(
            v["resourceChangeEvent"],
            json!({
                "resourceId": {"resourceType": "user", "resource": "u1"},
                "parentResourceId": {"resourceType": "tenant", "resource": "t1"}
            })
        );
        assert!(v.get("annotations").is_none());
    }

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
