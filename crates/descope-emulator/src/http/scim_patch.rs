//! SCIM PATCH (RFC 7644 section 3.5.2) of groups and users: operations are applied to a copy,
//! which is saved only when every operation succeeded.

use serde_json::Value;

use super::scim_wire::{MemberIn, OpIn, parse_filter};
use crate::error::ApiError;
use crate::records::UserRecord;
use crate::state::{ScimGroupChanges, ScimUserFields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
}

fn kind(op: Option<&str>) -> Result<Kind, ApiError> {
    match op.map(str::to_ascii_lowercase).as_deref() {
        Some("add") => Ok(Kind::Add),
        Some("remove") => Ok(Kind::Remove),
        Some("replace") => Ok(Kind::Replace),
        other => Err(ApiError::invalid_argument(format!(
            "op must be add, remove or replace, not {other:?}"
        ))),
    }
}

fn string(attr: &str, v: Option<Value>) -> Result<String, ApiError> {
    match v {
        Some(Value::String(s)) => Ok(s),
        other => Err(ApiError::invalid_argument(format!(
            "{attr} needs a string value, not {other:?}"
        ))),
    }
}

/// `true`/`false`, also as the strings some identity providers send (`"False"`).
fn boolean(attr: &str, v: Option<Value>) -> Result<bool, ApiError> {
    match v {
        Some(Value::Bool(b)) => Ok(b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(ApiError::invalid_argument(format!(
            "{attr} needs a boolean value, not {other:?}"
        ))),
    }
}

fn member_ids(v: Value) -> Result<Vec<String>, ApiError> {
    let list = match v {
        Value::Array(a) => a,
        one @ Value::Object(_) => vec![one],
        other => {
            return Err(ApiError::invalid_argument(format!(
                "members needs a list of {{\"value\": <user id>}}, not {other}"
            )));
        }
    };
    list.into_iter()
        .map(|m| {
            serde_json::from_value::<MemberIn>(m)
                .map_err(|e| ApiError::invalid_request(format!("members: {e}")))
                .map(|m| m.value.unwrap_or_default())
        })
        .collect()
}

/// The operations' `(kind, attribute, value)` triples: a path-less operation's object value
/// becomes one triple per key.
fn expand(ops: Vec<OpIn>) -> Result<Vec<(Kind, String, Option<Value>)>, ApiError> {
    let mut out = Vec::new();
    for op in ops {
        let k = kind(op.op.as_deref())?;
        match op.path.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(path) => out.push((k, path.to_owned(), op.value)),
            None => {
                let Some(Value::Object(obj)) = op.value else {
                    return Err(ApiError::invalid_argument(
                        "an operation without a path needs an object value (noTarget)",
                    ));
                };
                if k == Kind::Remove {
                    return Err(ApiError::invalid_argument("remove needs a path (noTarget)"));
                }
                out.extend(obj.into_iter().map(|(a, v)| (k, a, Some(v))));
            }
        }
    }
    Ok(out)
}

/// `members[<filter on value>]`: the filter's text.
fn member_filter(path: &str) -> Option<&str> {
    let lower = path.to_ascii_lowercase();
    (lower.starts_with("members[") && path.ends_with(']')).then(|| &path[8..path.len() - 1])
}

fn unsupported_path(path: &str) -> ApiError {
    ApiError::invalid_argument(format!("invalidPath: the emulator cannot patch {path:?}"))
}

/// Applies PATCH operations to a group: `displayName`, `externalId`, `members` (add, replace,
/// remove all or the listed ones) and `members[value eq "..."]` (remove).
pub(crate) fn apply_group_ops(d: &mut ScimGroupChanges, ops: Vec<OpIn>) -> Result<(), ApiError> {
    for (k, path, value) in expand(ops)? {
        if let Some(inner) = member_filter(&path) {
            if k != Kind::Remove {
                return Err(unsupported_path(&path));
            }
            let f = parse_filter(inner)?;
            if f.0
                .iter()
                .flatten()
                .any(|t| !t.attr.eq_ignore_ascii_case("value"))
            {
                return Err(unsupported_path(&path));
            }
            d.members.retain(|id| {
                !f.0.iter()
                    .any(|and| and.iter().all(|t| t.holds(std::slice::from_ref(id), true)))
            });
            continue;
        }
        match (path.to_ascii_lowercase().as_str(), k) {
            ("displayname", Kind::Remove) => {
                return Err(ApiError::invalid_argument(
                    "displayName is required and cannot be removed (mutability)",
                ));
            }
            ("displayname", _) => d.display_name = string("displayName", value)?,
            ("externalid", Kind::Remove) => d.external_id.clear(),
            ("externalid", _) => d.external_id = string("externalId", value)?,
            ("members", Kind::Remove) => match value {
                None | Some(Value::Null) => d.members.clear(),
                Some(v) => {
                    let gone = member_ids(v)?;
                    d.members.retain(|m| !gone.contains(m));
                }
            },
            ("members", kind) => {
                let ids = member_ids(value.unwrap_or(Value::Array(Vec::new())))?;
                if kind == Kind::Replace {
                    d.members = ids;
                } else {
                    d.members.extend(ids);
                }
            }
            // Read-only attributes an identity provider may echo in a path-less value.
            ("id" | "schemas" | "meta", _) => {}
            _ => return Err(unsupported_path(&path)),
        }
    }
    Ok(())
}

/// The fields of `u` as a SCIM replace would set them, before any operation.
fn current(u: &UserRecord) -> ScimUserFields {
    ScimUserFields {
        user_name: u.login_ids.first().cloned().unwrap_or_default(),
        display_name: u.name.clone(),
        given_name: u.given_name.clone(),
        middle_name: u.middle_name.clone(),
        family_name: u.family_name.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
        active: None,
        external_id: None,
        custom_attributes: None,
    }
}

/// The value of a multi-valued attribute's patch: a string, or a list whose primary (or first)
/// entry's `value` counts.
fn multi_value(attr: &str, v: Option<Value>) -> Result<String, ApiError> {
    match v {
        Some(Value::String(s)) => Ok(s),
        Some(list @ Value::Array(_)) => {
            let list: Vec<super::scim_wire::MultiIn> = serde_json::from_value(list)
                .map_err(|e| ApiError::invalid_request(format!("{attr}: {e}")))?;
            Ok(super::scim_wire::primary(Some(list)))
        }
        other => Err(ApiError::invalid_argument(format!(
            "{attr} needs a string or a list of values, not {other:?}"
        ))),
    }
}

/// Applies PATCH operations to a user and returns the fields to save: `active`, `userName`,
/// `displayName`, `name` and its parts, `emails`, `phoneNumbers` (also as
/// `emails[type eq "work"].value`), and `externalId`.
pub(crate) fn apply_user_ops(u: &UserRecord, ops: Vec<OpIn>) -> Result<ScimUserFields, ApiError> {
    let mut f = current(u);
    for (k, path, value) in expand(ops)? {
        let lower = path.to_ascii_lowercase();
        // `emails[type eq "work"].value` addresses the one email Descope keeps.
        let attr = match lower.split_once('[') {
            Some((base, rest)) if rest.ends_with("].value") || rest.ends_with(']') => base,
            _ => lower.as_str(),
        };
        let remove = k == Kind::Remove;
        match attr {
            "active" if remove => f.active = Some(false),
            "active" => f.active = Some(boolean("active", value)?),
            "username" if remove => {
                return Err(ApiError::invalid_argument(
                    "userName is required and cannot be removed (mutability)",
                ));
            }
            "username" => f.user_name = string("userName", value)?,
            "displayname" if remove => f.display_name.clear(),
            "displayname" => f.display_name = string("displayName", value)?,
            "name.givenname" if remove => f.given_name.clear(),
            "name.givenname" => f.given_name = string("name.givenName", value)?,
            "name.middlename" if remove => f.middle_name.clear(),
            "name.middlename" => f.middle_name = string("name.middleName", value)?,
            "name.familyname" if remove => f.family_name.clear(),
            "name.familyname" => f.family_name = string("name.familyName", value)?,
            "name" if remove => {
                f.given_name.clear();
                f.middle_name.clear();
                f.family_name.clear();
            }
            "name" => {
                let n: super::scim_wire::NameIn =
                    serde_json::from_value(value.unwrap_or(Value::Null))
                        .map_err(|e| ApiError::invalid_request(format!("name: {e}")))?;
                f.given_name = n.given_name.unwrap_or_default();
                f.middle_name = n.middle_name.unwrap_or_default();
                f.family_name = n.family_name.unwrap_or_default();
            }
            "emails" | "emails.value" if remove => f.email.clear(),
            "emails" | "emails.value" => f.email = multi_value("emails", value)?,
            "phonenumbers" | "phonenumbers.value" if remove => f.phone.clear(),
            "phonenumbers" | "phonenumbers.value" => {
                f.phone = multi_value("phoneNumbers", value)?;
            }
            "externalid" if remove => f.external_id = Some(String::new()),
            "externalid" => f.external_id = Some(string("externalId", value)?),
            "id" | "schemas" | "meta" => {}
            _ => return Err(unsupported_path(&path)),
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::scim_wire::PatchIn;
    use crate::http::wire::parse;

    fn ops(body: &str) -> Vec<OpIn> {
        parse::<PatchIn>(body.as_bytes())
            .unwrap()
            .into_ops()
            .unwrap()
    }

    #[test]
    fn group_operations() {
        let mut d = ScimGroupChanges {
            display_name: "A".into(),
            external_id: String::new(),
            members: vec!["U1".into(), "U2".into()],
        };
        apply_group_ops(
            &mut d,
            ops(r#"{"Operations":[
                {"op":"Add","path":"members","value":[{"value":"U3"}]},
                {"op":"remove","path":"members[value eq \"U1\"]"},
                {"op":"replace","value":{"displayName":"B","externalId":"x","id":"ignored"}}]}"#),
        )
        .unwrap();
        assert_eq!(d.members, ["U2", "U3"]);
        assert_eq!(
            (d.display_name.as_str(), d.external_id.as_str()),
            ("B", "x")
        );

        apply_group_ops(
            &mut d,
            ops(r#"{"operations":[{"op":"remove","path":"members","value":[{"value":"U2"}]}]}"#),
        )
        .unwrap();
        assert_eq!(d.members, ["U3"]);
        apply_group_ops(
            &mut d,
            ops(r#"{"Operations":[{"op":"remove","path":"members"}]}"#),
        )
        .unwrap();
        assert!(d.members.is_empty());

        for bad in [
            r#"{"Operations":[{"op":"move","path":"members"}]}"#,
            r#"{"Operations":[{"op":"remove","path":"displayName"}]}"#,
            r#"{"Operations":[{"op":"add","path":"owner","value":"x"}]}"#,
            r#"{"Operations":[{"op":"add","path":"members[value eq \"U1\"]","value":"x"}]}"#,
            r#"{"Operations":[{"op":"replace","path":"displayName","value":3}]}"#,
            r#"{"Operations":[{"op":"remove"}]}"#,
        ] {
            assert!(apply_group_ops(&mut d, ops(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_operations() {
        let mut u = UserRecord::new("U1", "a@x.io");
        u.email = "a@x.io".into();
        let f = apply_user_ops(
            &u,
            ops(r#"{"Operations":[
                {"op":"replace","value":{"active":"False","displayName":"Ann"}},
                {"op":"replace","path":"emails[type eq \"work\"].value","value":"b@x.io"},
                {"op":"add","path":"name.familyName","value":"Lee"}]}"#),
        )
        .unwrap();
        assert_eq!(f.active, Some(false));
        assert_eq!(f.display_name, "Ann");
        assert_eq!(f.email, "b@x.io");
        assert_eq!(f.family_name, "Lee");
        assert_eq!(f.user_name, "a@x.io");
        assert!(
            apply_user_ops(
                &u,
                ops(r#"{"Operations":[{"op":"remove","path":"userName"}]}"#)
            )
            .is_err()
        );
    }
}
