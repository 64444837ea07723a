//! Resource types, resources, entitlements, grants and their annotations, the shape baton's
//! `-o json` prints.

use prost::Message;
use prost_types::Any;
use serde_json::{Map, Value, json};

use super::values::{Obj, base64, strings, timestamp};

use crate::model::{
    self, ChildResourceType, Email, Entitlement, EntitlementImmutable, ExternalLink, Grant,
    GrantExpandable, GrantImmutable, GroupTrait, Purpose, RateLimitDescription, Resource,
    ResourceId, ResourceType, RoleTrait, Trait, UserTrait, any_type_name, struct_to_json,
};

/// Renders a list of annotations.
pub(super) fn annotations(list: &[Any]) -> Vec<Value> {
    list.iter().map(any).collect()
}

/// Renders an annotation `Any` as protojson (`{"@type": ..., fields...}`). Types this crate
/// does not model are rendered with their raw bytes in base64 under `value`.
pub fn any(a: &Any) -> Value {
    let bytes = a.value.as_slice();
    let name = any_type_name(a);
    let body = trait_body(name, bytes).or_else(|| annotation_body(name, bytes));
    let mut out = Map::new();
    out.insert("@type".into(), Value::String(a.type_url.clone()));
    match body {
        Some(Value::Object(fields)) => out.extend(fields),
        _ => {
            out.insert("value".into(), Value::String(base64(bytes)));
        }
    }
    Value::Object(out)
}

/// The fields of a resource trait, `None` for another type or bytes that do not decode.
fn trait_body(name: &str, bytes: &[u8]) -> Option<Value> {
    let profile_only = |profile: Option<&prost_types::Struct>| {
        Obj::new()
            .val("profile", profile.map(struct_to_json))
            .done()
    };
    match name {
        "UserTrait" => UserTrait::decode(bytes).ok().map(|u| user_trait(&u)),
        "GroupTrait" => GroupTrait::decode(bytes)
            .ok()
            .map(|g| profile_only(g.profile.as_ref())),
        "RoleTrait" => RoleTrait::decode(bytes)
            .ok()
            .map(|r| profile_only(r.profile.as_ref())),
        "SecretTrait" => model::SecretTrait::decode(bytes)
            .ok()
            .map(|t| secret_trait(&t)),
        "AppTrait" => model::AppTrait::decode(bytes).ok().map(|t| app_trait(&t)),
        _ => None,
    }
}

/// The fields of another annotation, `None` for a type this crate does not model or bytes that
/// do not decode.
fn annotation_body(name: &str, bytes: &[u8]) -> Option<Value> {
    let source = |source_id: &str, metadata: Option<&prost_types::Struct>| {
        Obj::new()
            .str("sourceId", source_id)
            .val("metadata", metadata.map(struct_to_json))
            .done()
    };
    match name {
        "GrantMetadata" => model::GrantMetadata::decode(bytes).ok().map(|c| {
            Obj::new()
                .val("metadata", c.metadata.as_ref().map(struct_to_json))
                .done()
        }),
        "ChildResourceType" => ChildResourceType::decode(bytes)
            .ok()
            .map(|c| Obj::new().str("resourceTypeId", &c.resource_type_id).done()),
        "ExternalLink" => ExternalLink::decode(bytes)
            .ok()
            .map(|c| Obj::new().str("url", &c.url).done()),
        "GrantImmutable" => GrantImmutable::decode(bytes)
            .ok()
            .map(|c| source(&c.source_id, c.metadata.as_ref())),
        "EntitlementImmutable" => EntitlementImmutable::decode(bytes)
            .ok()
            .map(|c| source(&c.source_id, c.metadata.as_ref())),
        "GrantExpandable" => GrantExpandable::decode(bytes).ok().map(|c| {
            Obj::new()
                .list("entitlementIds", strings(&c.entitlement_ids))
                .bool("shallow", c.shallow)
                .list("resourceTypeIds", strings(&c.resource_type_ids))
                .done()
        }),
        "RateLimitDescription" => RateLimitDescription::decode(bytes)
            .ok()
            .map(|c| rate_limit(&c)),
        "SkipEntitlementsAndGrants"
        | "SkipEntitlements"
        | "SkipGrants"
        | "GrantAlreadyExists"
        | "GrantAlreadyRevoked" => Some(json!({})),
        _ => None,
    }
}

fn secret_trait(t: &model::SecretTrait) -> Value {
    let kind = model::secret_trait::CredentialType::try_from(t.credential_type)
        .map(|k| k.as_str_name())
        .unwrap_or("");
    let kind = if kind == "CREDENTIAL_TYPE_UNSPECIFIED" {
        ""
    } else {
        kind
    };
    Obj::new()
        .val("expiresAt", t.expires_at.as_ref().map(timestamp))
        .val("lastUsedAt", t.last_used_at.as_ref().map(timestamp))
        .val("createdById", t.created_by_id.as_ref().map(resource_id))
        .val("identityId", t.identity_id.as_ref().map(resource_id))
        .str("credentialType", kind)
        .str("credentialDetail", &t.credential_detail)
        .done()
}

fn app_trait(t: &model::AppTrait) -> Value {
    let flags: Vec<Value> = t
        .flags
        .iter()
        .filter_map(|f| model::app_trait::AppFlag::try_from(*f).ok())
        .map(|f| Value::String(f.as_str_name().to_owned()))
        .collect();
    Obj::new()
        .str("helpUrl", &t.help_url)
        .val("profile", t.profile.as_ref().map(struct_to_json))
        .list("flags", flags)
        .done()
}

fn rate_limit(c: &RateLimitDescription) -> Value {
    let status = model::RateLimitStatus::try_from(c.status)
        .map(|s| match s {
            model::RateLimitStatus::Ok => "STATUS_OK",
            model::RateLimitStatus::Overlimit => "STATUS_OVERLIMIT",
            model::RateLimitStatus::Error => "STATUS_ERROR",
            _ => "",
        })
        .unwrap_or("");
    Obj::new()
        .str("status", status)
        .int64("limit", c.limit)
        .int64("remaining", c.remaining)
        .val("resetAt", c.reset_at.as_ref().map(timestamp))
        .done()
}

fn user_trait(u: &UserTrait) -> Value {
    let emails = u
        .emails
        .iter()
        .map(|e: &Email| {
            Obj::new()
                .str("address", &e.address)
                .bool("isPrimary", e.is_primary)
                .done()
        })
        .collect();
    let status = u.status.as_ref().map(|s| {
        let name = model::resource::StatusValue::try_from(s.status)
            .map(|v| v.proto_name())
            .unwrap_or("");
        Obj::new()
            .str("status", if s.status == 0 { "" } else { name })
            .str("details", &s.details)
            .done()
    });
    let account_type = model::user_trait::AccountType::try_from(u.account_type)
        .ok()
        .filter(|a| *a as i32 != 0)
        .map(|a| Value::String(a.proto_name().into()));
    Obj::new()
        .list("emails", emails)
        .val("status", status)
        .val("profile", u.profile.as_ref().map(struct_to_json))
        .val("accountType", account_type)
        .str("login", &u.login)
        .list("loginAliases", strings(&u.login_aliases))
        .val("createdAt", u.created_at.as_ref().map(timestamp))
        .val("lastLogin", u.last_login.as_ref().map(timestamp))
        .list("employeeIds", strings(&u.employee_ids))
        .done()
}

/// Renders a resource type.
pub fn resource_type(rt: &ResourceType) -> Value {
    let traits = rt
        .traits
        .iter()
        .map(|t| match Trait::try_from(*t) {
            Ok(t) => Value::String(t.proto_name().into()),
            Err(_) => Value::from(*t),
        })
        .collect();
    Obj::new()
        .str("id", &rt.id)
        .str("displayName", &rt.display_name)
        .list("traits", traits)
        .list("annotations", annotations(&rt.annotations))
        .str("description", &rt.description)
        .bool("sourcedExternally", rt.sourced_externally)
        .done()
}

/// Renders a resource id.
pub fn resource_id(id: &ResourceId) -> Value {
    Obj::new()
        .str("resourceType", &id.resource_type)
        .str("resource", &id.resource)
        .bool("batonResource", id.baton_resource)
        .done()
}

/// Renders a resource.
pub fn resource(r: &Resource) -> Value {
    let status = r.status.as_ref().map(|s| {
        let name = model::resource::StatusValue::try_from(s.status)
            .ok()
            .filter(|v| *v as i32 != 0)
            .map(|v| v.resource_proto_name())
            .unwrap_or("");
        Obj::new()
            .str("status", name)
            .str("details", &s.details)
            .done()
    });
    Obj::new()
        .val("id", r.id.as_ref().map(resource_id))
        .val(
            "parentResourceId",
            r.parent_resource_id.as_ref().map(resource_id),
        )
        .str("displayName", &r.display_name)
        .list("annotations", annotations(&r.annotations))
        .str("description", &r.description)
        .bool("batonResource", r.baton_resource)
        .val("profile", r.profile.as_ref().map(struct_to_json))
        .val("status", status)
        .val("createdAt", r.created_at.as_ref().map(timestamp))
        .done()
}

/// Renders an entitlement.
pub fn entitlement(e: &Entitlement) -> Value {
    let purpose = Purpose::try_from(e.purpose)
        .ok()
        .filter(|p| *p as i32 != 0)
        .map(|p| Value::String(p.proto_name().into()));
    Obj::new()
        .val("resource", e.resource.as_ref().map(resource))
        .str("id", &e.id)
        .str("displayName", &e.display_name)
        .str("description", &e.description)
        .list(
            "grantableTo",
            e.grantable_to.iter().map(resource_type).collect(),
        )
        .list("annotations", annotations(&e.annotations))
        .val("purpose", purpose)
        .str("slug", &e.slug)
        .done()
}

/// Renders a grant.
pub fn grant(g: &Grant) -> Value {
    let sources = g.sources.as_ref().map(|s| {
        let m: Map<String, Value> = s
            .sources
            .iter()
            .map(|(k, v)| (k.clone(), Obj::new().bool("isDirect", v.is_direct).done()))
            .collect();
        json!({ "sources": m })
    });
    Obj::new()
        .val("entitlement", g.entitlement.as_ref().map(entitlement))
        .val("principal", g.principal.as_ref().map(resource))
        .str("id", &g.id)
        .list("annotations", annotations(&g.annotations))
        .val("sources", sources)
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_baton_cli_shape() {
        let user = ResourceType::new("user", "User").with_trait(Trait::User);
        assert_eq!(
            resource_type(&user).to_string(),
            r#"{"displayName":"User","id":"user","traits":["TRAIT_USER"]}"#
        );
        let alice = Resource::new("user", "alice", "Alice");
        let e = Entitlement::assignment(&alice, "manager")
            .with_display_name("Alice's manager")
            .with_grantable_to(&[user]);
        let v = entitlement(&e);
        assert_eq!(v["purpose"], "PURPOSE_VALUE_ASSIGNMENT");
        assert_eq!(v["resource"]["id"]["resourceType"], "user");
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;
    use crate::model::resource::StatusValue;

    #[test]
    fn resource_status_uses_the_resource_status_enum() {
        let r = Resource::new("user", "u1", "U").with_status(StatusValue::Disabled);
        assert_eq!(resource(&r)["status"]["status"], "RESOURCE_STATUS_DISABLED");
    }
}
