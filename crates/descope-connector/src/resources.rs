//! How Descope objects become baton resources, entitlements and grants.

use c1_connector_sdk::model::{
    ChildResourceType, EntitlementImmutable, GroupTrait, RoleTrait, SkipEntitlementsAndGrants,
    UserTrait, json_to_value, resource::StatusValue, user_trait,
};
use c1_connector_sdk::{Entitlement, Resource, ResourceId, ResourceType, Trait};
use descope_mgmt::{Permission, Role, Tenant, User, UserStatus};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::ids::{RoleRef, permission_resource_id, tenant_resource_id, user_resource_id};
use crate::index::display_name;
use crate::{ASSIGNED, GRANTED, MEMBER, PERMISSION_TYPE, ROLE_TYPE, TENANT_TYPE, USER_TYPE};

/// The `user` resource type. Users have no entitlements or grants of their own, so the engine is
/// told to skip those phases for them (no 200,000 empty calls).
pub(crate) fn user_type() -> ResourceType {
    ResourceType::new(USER_TYPE, "User")
        .with_trait(Trait::User)
        .with_description("A Descope user")
        .with_annotation(&SkipEntitlementsAndGrants {})
}

/// The `tenant` resource type.
pub(crate) fn tenant_type() -> ResourceType {
    ResourceType::new(TENANT_TYPE, "Tenant")
        .with_trait(Trait::Group)
        .with_description("A Descope tenant; membership is its 'member' entitlement")
}

/// The `role` resource type.
pub(crate) fn role_type() -> ResourceType {
    ResourceType::new(ROLE_TYPE, "Role")
        .with_trait(Trait::Role)
        .with_description(
            "A Descope role assignment target: a project role, a tenant-scoped role, or a project role within a tenant",
        )
}

/// The `permission` resource type.
pub(crate) fn permission_type() -> ResourceType {
    ResourceType::new(PERMISSION_TYPE, "Permission")
        .with_description("A Descope permission; the roles that confer it are its 'granted' grants")
}

/// A user resource with the user trait; `last_login` (epoch seconds) when it was synced.
pub(crate) fn user_resource(user: &User, last_login: Option<i64>) -> Resource {
    let (status, details) = match &user.status {
        UserStatus::Enabled => (StatusValue::Enabled, ""),
        // An invited user's account exists and can accept its invitation.
        UserStatus::Invited => (StatusValue::Enabled, "invited"),
        UserStatus::Disabled => (StatusValue::Disabled, ""),
        UserStatus::Expired => (StatusValue::Disabled, "expired"),
        _ => (StatusValue::Unspecified, user.status.as_str()),
    };
    let mut login_ids = user.login_ids.iter().filter(|l| !l.is_empty());
    let mut trait_ = UserTrait::new();
    if let Some(login) = login_ids.next() {
        trait_.login = login.clone();
    }
    trait_.login_aliases = login_ids.cloned().collect();
    if !user.email.is_empty() {
        trait_.emails.push(c1_connector_sdk::model::Email::new(
            user.email.clone(),
            true,
        ));
    }
    trait_.status = Some(user_trait::Status {
        status: status as i32,
        details: details.to_owned(),
    });
    trait_.account_type = user_trait::AccountType::Human as i32;
    trait_.last_login = last_login.map(|seconds| prost_types::Timestamp { seconds, nanos: 0 });
    trait_.mfa_status = Some(user_trait::MfaStatus {
        mfa_enabled: user.totp || user.webauthn || user.push,
    });
    trait_.sso_status = Some(user_trait::SsoStatus {
        sso_enabled: user.saml || user.oidc || !user.external_ids.is_empty(),
    });
    if !(user.given_name.is_empty() && user.family_name.is_empty() && user.middle_name.is_empty()) {
        trait_.structured_name = Some(user_trait::StructuredName {
            given_name: user.given_name.clone(),
            family_name: user.family_name.clone(),
            middle_names: if user.middle_name.is_empty() {
                Vec::new()
            } else {
                vec![user.middle_name.clone()]
            },
            prefix: String::new(),
            suffix: String::new(),
        });
    }

    // Built as a protobuf `Struct` directly (what `json_object_to_struct` would make of the
    // same JSON object), not as JSON first and converted, once per user.
    let mut profile = ProfileFields::new();
    profile.insert("userId".into(), pb_str(&user.user_id));
    profile.insert("loginIds".into(), pb_list(&user.login_ids));
    pb_put_str(&mut profile, "email", &user.email);
    pb_put_str(&mut profile, "phone", &user.phone);
    pb_put_str(&mut profile, "picture", &user.picture);
    profile.insert("status".into(), pb_str(user.status.as_str()));
    profile.insert("verifiedEmail".into(), pb_bool(user.verified_email));
    profile.insert("verifiedPhone".into(), pb_bool(user.verified_phone));
    profile.insert("scim".into(), pb_bool(user.scim));
    profile.insert("test".into(), pb_bool(user.test));
    if !user.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            json_to_value(Value::Object(user.custom_attributes.clone())),
        );
    }
    if !user.external_ids.is_empty() {
        profile.insert("externalIds".into(), pb_list(&user.external_ids));
    }

    let mut resource = Resource::new(
        USER_TYPE,
        user_resource_id(&user.user_id),
        display_name(user),
    );
    resource.status = Some(c1_connector_sdk::model::resource::Status {
        status: status as i32,
        details: details.to_owned(),
    });
    if user.test {
        // Test users are Descope's own kind of user for automated tests (created with
        // `user/create/test`, excluded from billing); reviewers filter them out by this.
        resource = resource.with_description("Descope test user");
    }
    if user.created_time > 0 {
        resource = resource.with_created_at(user.created_time);
    }
    trait_.profile = Some(prost_types::Struct { fields: profile });
    resource.with_user_trait(trait_)
}

/// A tenant resource; tenant-scoped roles (and project roles within it) are its children.
pub(crate) fn tenant_resource(tenant: &Tenant, catalog: &Catalog) -> Resource {
    let mut profile = Map::new();
    profile.insert("tenantId".into(), json!(tenant.id));
    put_str(&mut profile, "authType", &tenant.auth_type);
    if !tenant.domains.is_empty() {
        profile.insert("domains".into(), json!(tenant.domains));
    }
    if !tenant.self_provisioning_domains.is_empty() {
        profile.insert(
            "selfProvisioningDomains".into(),
            json!(tenant.self_provisioning_domains),
        );
    }
    put_str(&mut profile, "parentTenantId", &tenant.parent);
    profile.insert("enforceSSO".into(), json!(tenant.enforce_sso));
    profile.insert("disabled".into(), json!(tenant.disabled));
    if !tenant.custom_attributes.is_empty() {
        profile.insert(
            "customAttributes".into(),
            Value::Object(tenant.custom_attributes.clone()),
        );
    }
    let name = if tenant.name.is_empty() {
        &tenant.id
    } else {
        &tenant.name
    };
    let mut resource = Resource::new(TENANT_TYPE, tenant_resource_id(&tenant.id), name.clone())
        .with_profile(profile)
        .with_annotation(&ChildResourceType::new(ROLE_TYPE))
        .with_annotation(&ChildResourceType::new(crate::GROUP_TYPE));
    if !tenant.parent.is_empty() && catalog.tenant(&tenant.parent).is_some() {
        resource = resource.with_parent(ResourceId::new(
            TENANT_TYPE,
            tenant_resource_id(&tenant.parent),
        ));
    }
    if tenant.created_time > 0 {
        resource = resource.with_created_at(tenant.created_time);
    }
    resource
        .with_status(if tenant.disabled {
            StatusValue::Disabled
        } else {
            StatusValue::Enabled
        })
        .with_group_trait(GroupTrait::default())
}

/// A role resource for an assignment target.
pub(crate) fn role_resource(target: &RoleRef, role: &Role, catalog: &Catalog) -> Resource {
    let tenant_name = |id: &str| {
        catalog
            .tenant(id)
            .map(|t| t.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.to_owned())
    };
    let (display, scope, description) = match target {
        RoleRef::Project { name } => (name.clone(), "project".to_owned(), role.description.clone()),
        RoleRef::TenantScoped { tenant_id, name } => (
            format!("{name} ({})", tenant_name(tenant_id)),
            tenant_id.clone(),
            role.description.clone(),
        ),
        RoleRef::ProjectInTenant { tenant_id, name } => (
            format!("{name} in {}", tenant_name(tenant_id)),
            tenant_id.clone(),
            format!(
                "Project role '{name}' assigned within tenant '{}'. {}",
                tenant_name(tenant_id),
                role.description
            )
            .trim_end()
            .to_owned(),
        ),
    };
    let kind = match target {
        RoleRef::Project { .. } => "project",
        RoleRef::TenantScoped { .. } => "tenant",
        RoleRef::ProjectInTenant { .. } => "projectInTenant",
    };
    let mut profile = Map::new();
    profile.insert("name".into(), json!(target.name()));
    profile.insert("kind".into(), json!(kind));
    profile.insert("scope".into(), json!(scope));
    if let Some(t) = target.tenant_id() {
        profile.insert("tenantId".into(), json!(t));
    }
    put_str(&mut profile, "roleId", &role.id);
    put_str(&mut profile, "description", &role.description);
    profile.insert("permissionNames".into(), json!(role.permission_names));
    profile.insert("default".into(), json!(role.default));
    profile.insert("private".into(), json!(role.private));

    let mut resource = Resource::new(ROLE_TYPE, target.resource_id(), display)
        .with_description(description)
        .with_profile(profile);
    if let Some(t) = target.tenant_id() {
        resource = resource.with_parent(ResourceId::new(TENANT_TYPE, tenant_resource_id(t)));
    }
    if role.created_time > 0 {
        resource = resource.with_created_at(role.created_time);
    }
    resource.with_role_trait(RoleTrait::default())
}

/// A permission resource.
pub(crate) fn permission_resource(permission: &Permission) -> Resource {
    let mut profile = Map::new();
    profile.insert("name".into(), json!(permission.name));
    put_str(&mut profile, "description", &permission.description);
    profile.insert("systemDefault".into(), json!(permission.system_default));
    Resource::new(
        PERMISSION_TYPE,
        permission_resource_id(&permission.name),
        permission.name.clone(),
    )
    .with_description(permission.description.clone())
    .with_profile(profile)
}

/// A resource reduced to its id and display name, as entitlements and grants refer to it.
///
/// baton's own rows do the same: the full resource (profile, traits) is stored once, in the
/// resources table; repeating it inside every entitlement and each of a million grants would only
/// cost space and time.
pub(crate) fn reference(resource: &Resource) -> Resource {
    Resource {
        id: resource.id.clone(),
        display_name: resource.display_name.clone(),
        ..Resource::default()
    }
}

/// An entitlement as a grant embeds it: what baton's own grant rows carry (id, display name,
/// grantable-to types by id, name and traits, purpose, slug, and the resource reference). The
/// description and annotations live in the entitlements table, once.
pub(crate) fn for_grants(entitlement: &Entitlement) -> Entitlement {
    Entitlement {
        resource: entitlement.resource.clone(),
        id: entitlement.id.clone(),
        display_name: entitlement.display_name.clone(),
        grantable_to: entitlement
            .grantable_to
            .iter()
            .map(|t| ResourceType {
                id: t.id.clone(),
                display_name: t.display_name.clone(),
                traits: t.traits.clone(),
                ..ResourceType::default()
            })
            .collect(),
        purpose: entitlement.purpose,
        slug: entitlement.slug.clone(),
        ..Entitlement::default()
    }
}

/// `tenant:<T>:member`.
pub(crate) fn member_entitlement(tenant: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(tenant), MEMBER)
        .with_display_name(format!("{} member", tenant.display_name))
        .with_description(format!(
            "Member of the Descope tenant '{}'",
            tenant.display_name
        ))
        .with_grantable_to(&[user_type(), crate::access_keys::access_key_type()])
}

/// `role:<id>:assigned`.
pub(crate) fn assigned_entitlement(role: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(role), ASSIGNED)
        .with_display_name(format!("{} assigned", role.display_name))
        .with_description(format!("Has the Descope role '{}'", role.display_name))
        .with_grantable_to(&[user_type(), crate::access_keys::access_key_type()])
}

/// `permission:<name>:granted`: read-only, changed by editing roles in Descope.
pub(crate) fn granted_entitlement(permission: &Resource) -> Entitlement {
    Entitlement::permission(&reference(permission), GRANTED)
        .with_display_name(format!("{} granted", permission.display_name))
        .with_description(format!(
            "Roles that confer the Descope permission '{}' (read-only: edit the roles in Descope)",
            permission.display_name
        ))
        .with_grantable_to(&[role_type()])
        .with_annotation(&EntitlementImmutable::default())
}

type ProfileFields = std::collections::BTreeMap<String, prost_types::Value>;

fn pb_str(s: &str) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::StringValue(s.to_owned())),
    }
}

fn pb_bool(b: bool) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::BoolValue(b)),
    }
}

fn pb_list(items: &[String]) -> prost_types::Value {
    prost_types::Value {
        kind: Some(prost_types::value::Kind::ListValue(
            prost_types::ListValue {
                values: items.iter().map(|s| pb_str(s)).collect(),
            },
        )),
    }
}

fn pb_put_str(map: &mut ProfileFields, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), pb_str(value));
    }
}

fn put_str(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}
