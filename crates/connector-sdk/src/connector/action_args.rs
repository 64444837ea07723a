//! Action arguments: checking them against a schema, and reading and writing typed values.

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};

use crate::error::Error;
use crate::model::config::{ConstraintKind, Field, field};
use crate::model::{BatonActionSchema, ResourceId};

fn present(args: &Struct, key: &str) -> bool {
    args.fields
        .get(key)
        .is_some_and(|v| !matches!(v.kind, None | Some(Kind::NullValue(_))))
}

fn kind_fits(field: &Field, value: &Value) -> bool {
    match (&field.field, &value.kind) {
        (Some(field::Kind::StringField(_)), Some(Kind::StringValue(_)))
        | (Some(field::Kind::BoolField(_)), Some(Kind::BoolValue(_))) => true,
        (Some(field::Kind::IntField(_)), Some(Kind::NumberValue(n))) => n.fract() == 0.0,
        (Some(field::Kind::StringSliceField(_)), Some(Kind::ListValue(l))) => l
            .values
            .iter()
            .all(|v| matches!(v.kind, Some(Kind::StringValue(_)))),
        (Some(field::Kind::ResourceIdField(_)), Some(Kind::StructValue(s))) => {
            resource_id_of(s).is_some()
        }
        // A kind this crate does not model: nothing to check.
        (None, _) => true,
        _ => false,
    }
}

fn kind_name(field: &Field) -> &'static str {
    match field.field {
        Some(field::Kind::StringField(_)) => "a string",
        Some(field::Kind::BoolField(_)) => "a boolean",
        Some(field::Kind::IntField(_)) => "an integer",
        Some(field::Kind::StringSliceField(_)) => "a list of strings",
        Some(field::Kind::ResourceIdField(_)) => {
            "a struct {\"resource_type_id\": ..., \"resource_id\": ...}"
        }
        None => "any value",
    }
}

/// Checks arguments against a schema: required arguments present (not null), modelled kinds of
/// the right type (strings, booleans, integral numbers, lists of strings, resource ids), and the
/// schema's constraints as baton checks them. Arguments the schema does not name are allowed.
///
/// ```
/// use c1_connector_sdk::connector::check_action_args;
/// use c1_connector_sdk::model::{BatonActionSchema, config::Field};
/// let schema = BatonActionSchema::new("rename", "Rename").with_argument(Field::string("name", "Name").required());
/// let err = check_action_args(&schema, &prost_types::Struct::default()).unwrap_err();
/// assert!(err.message().contains("name"));
/// ```
pub fn check_action_args(schema: &BatonActionSchema, args: &Struct) -> Result<(), Error> {
    for f in &schema.arguments {
        match args.fields.get(&f.name).filter(|_| present(args, &f.name)) {
            Some(v) if !kind_fits(f, v) => {
                return Err(Error::invalid_argument(format!(
                    "argument {:?} of action {:?} must be {}",
                    f.name,
                    schema.name,
                    kind_name(f)
                )));
            }
            None if f.is_required => {
                return Err(Error::invalid_argument(format!(
                    "action {:?} needs the argument {:?}",
                    schema.name, f.name
                )));
            }
            _ => {}
        }
    }
    for c in &schema.constraints {
        let mut names: Vec<&str> = Vec::new();
        for n in &c.field_names {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        let count = names.iter().filter(|n| present(args, n)).count();
        let fail = |what: &str| {
            Err(Error::invalid_argument(format!(
                "arguments of action {:?}: {what}: {}",
                schema.name,
                names.join(", ")
            )))
        };
        match ConstraintKind::try_from(c.kind) {
            Ok(ConstraintKind::Unspecified) => {}
            Ok(ConstraintKind::RequiredTogether) if count > 0 && count < names.len() => {
                return fail("required together");
            }
            Ok(ConstraintKind::MutuallyExclusive) if count > 1 => {
                return fail("mutually exclusive");
            }
            Ok(ConstraintKind::AtLeastOne) if count == 0 => {
                return fail("at least one is required");
            }
            Ok(ConstraintKind::DependentOn)
                if count > 0 && c.secondary_field_names.iter().any(|n| !present(args, n)) =>
            {
                return Err(Error::invalid_argument(format!(
                    "arguments of action {:?}: {} need {}",
                    schema.name,
                    names.join(", "),
                    c.secondary_field_names.join(", ")
                )));
            }
            Ok(_) => {}
            Err(_) => {
                return Err(Error::invalid_argument(format!(
                    "action {:?} has a constraint of unknown kind {}",
                    schema.name, c.kind
                )));
            }
        }
    }
    Ok(())
}

fn str_field<'a>(s: &'a Struct, keys: [&str; 2]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| match s.fields.get(*k)?.kind.as_ref()? {
            Kind::StringValue(v) => Some(v.as_str()),
            _ => None,
        })
}

fn resource_id_of(s: &Struct) -> Option<ResourceId> {
    Some(ResourceId::new(
        str_field(s, ["resource_type_id", "resource_type"])?,
        str_field(s, ["resource_id", "resource"])?,
    ))
}

/// A string argument.
pub fn string_arg<'a>(args: &'a Struct, key: &str) -> Option<&'a str> {
    match args.fields.get(key)?.kind.as_ref()? {
        Kind::StringValue(s) => Some(s),
        _ => None,
    }
}

/// A boolean argument.
pub fn bool_arg(args: &Struct, key: &str) -> Option<bool> {
    match args.fields.get(key)?.kind.as_ref()? {
        Kind::BoolValue(b) => Some(*b),
        _ => None,
    }
}

/// A resource-id argument: a struct with `resource_type_id` (or `resource_type`) and
/// `resource_id` (or `resource`), as baton reads it.
///
/// ```
/// use c1_connector_sdk::connector::{resource_id_arg, resource_id_value};
/// use c1_connector_sdk::model::ResourceId;
/// let mut args = prost_types::Struct::default();
/// args.fields.insert("who".into(), resource_id_value(&ResourceId::new("user", "U1")));
/// assert_eq!(resource_id_arg(&args, "who"), Some(ResourceId::new("user", "U1")));
/// ```
pub fn resource_id_arg(args: &Struct, key: &str) -> Option<ResourceId> {
    match args.fields.get(key)?.kind.as_ref()? {
        Kind::StructValue(s) => resource_id_of(s),
        _ => None,
    }
}

/// A list-of-strings argument.
pub fn string_list_arg(args: &Struct, key: &str) -> Option<Vec<String>> {
    match args.fields.get(key)?.kind.as_ref()? {
        Kind::ListValue(ListValue { values }) => values
            .iter()
            .map(|v| match &v.kind {
                Some(Kind::StringValue(s)) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The argument value of a resource id: `{"resource_type_id": ..., "resource_id": ...}`.
pub fn resource_id_value(id: &ResourceId) -> Value {
    let mut s = Struct::default();
    for (k, v) in [
        ("resource_type_id", &id.resource_type),
        ("resource_id", &id.resource),
    ] {
        s.fields.insert(
            k.into(),
            Value {
                kind: Some(Kind::StringValue(v.clone())),
            },
        );
    }
    Value {
        kind: Some(Kind::StructValue(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Constraint;

    fn s(v: &str) -> Value {
        Value {
            kind: Some(Kind::StringValue(v.into())),
        }
    }

    #[test]
    fn args_are_checked_like_baton() {
        let schema = BatonActionSchema::new("a", "A")
            .with_argument(Field::resource_id("who", "Who").required())
            .with_argument(Field::bool("force", "Force"))
            .with_argument(Field::string("x", "X"))
            .with_argument(Field::string("y", "Y"))
            .with_constraint(Constraint {
                kind: ConstraintKind::MutuallyExclusive as i32,
                field_names: vec!["x".into(), "y".into()],
                ..Default::default()
            });
        let mut args = Struct::default();
        assert!(check_action_args(&schema, &args).is_err());
        args.fields
            .insert("who".into(), resource_id_value(&ResourceId::new("u", "1")));
        check_action_args(&schema, &args).unwrap();
        args.fields.insert("force".into(), s("yes"));
        let e = check_action_args(&schema, &args).unwrap_err();
        assert!(e.message().contains("boolean"), "{e}");
        args.fields.remove("force");
        args.fields.insert("x".into(), s("1"));
        args.fields.insert("y".into(), s("2"));
        let e = check_action_args(&schema, &args).unwrap_err();
        assert!(e.message().contains("mutually exclusive"), "{e}");
        args.fields.insert(
            "y".into(),
            Value {
                kind: Some(Kind::NullValue(0)),
            },
        );
        check_action_args(&schema, &args).unwrap();
    }

    #[test]
    fn dependent_on_and_at_least_one() {
        let schema = BatonActionSchema::new("a", "A")
            .with_constraint(Constraint {
                kind: ConstraintKind::DependentOn as i32,
                field_names: vec!["a".into()],
                secondary_field_names: vec!["b".into()],
                ..Default::default()
            })
            .with_constraint(Constraint {
                kind: ConstraintKind::AtLeastOne as i32,
                field_names: vec!["a".into(), "c".into()],
                ..Default::default()
            });
        let mut args = Struct::default();
        assert!(check_action_args(&schema, &args).is_err());
        args.fields.insert("a".into(), s("1"));
        assert!(check_action_args(&schema, &args).is_err());
        args.fields.insert("b".into(), s("1"));
        check_action_args(&schema, &args).unwrap();
    }
}
