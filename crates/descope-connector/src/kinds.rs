//! The resource kinds: their type ids and entitlement slugs (the crate's public names), their
//! resource types (which other kinds name as grantable-to), and the shapes every kind's resources
//! share in entitlements and grants.

use c1_connector_sdk::model::{
    Entitlement, Resource, ResourceType, SkipEntitlementsAndGrants, Trait,
};
use serde_json::{Map, Value};

/// Resource type id of users.
pub const USER_TYPE: &str = "user";
/// Resource type id of access keys (Descope's non-human identities).
pub const ACCESS_KEY_TYPE: &str = "access_key";
/// Resource type id of tenants.
pub const TENANT_TYPE: &str = "tenant";
/// Resource type id of roles (every kind of role assignment target).
pub const ROLE_TYPE: &str = "role";
/// Resource type id of permissions.
pub const PERMISSION_TYPE: &str = "permission";
/// Resource type id of SSO applications.
pub const APP_TYPE: &str = "app";
/// Resource type id of groups (a tenant's SCIM or SSO groups).
pub const GROUP_TYPE: &str = "group";
/// Resource type id of third-party (inbound OAuth) applications.
pub const THIRD_PARTY_APP_TYPE: &str = "third_party_app";
/// Resource type id of outbound applications (apps Descope holds users' tokens for).
pub const OUTBOUND_APP_TYPE: &str = "outbound_app";
/// Slug of an SSO application's access entitlement.
pub const ACCESS: &str = "access";
/// Slug of a tenant's membership entitlement (and a group's).
pub const MEMBER: &str = "member";
/// Slug of a role's assignment entitlement.
pub const ASSIGNED: &str = "assigned";
/// Slug of a permission's entitlement (held by roles).
pub const GRANTED: &str = "granted";

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

/// The `access_key` resource type. Keys have no entitlements of their own: they hold roles and
/// tenant memberships, which are grants on the role and tenant entitlements.
pub(crate) fn access_key_type() -> ResourceType {
    ResourceType::new(ACCESS_KEY_TYPE, "Access key")
        .with_trait(Trait::Secret)
        .with_description(
            "A Descope access key: a non-human identity with project roles and tenant roles of its own",
        )
        .with_annotation(&SkipEntitlementsAndGrants {})
}

/// What a key's status means for baton: `(status, details)`.
/// The `app` resource type.
pub(crate) fn app_type() -> ResourceType {
    ResourceType::new(APP_TYPE, "SSO application")
        .with_trait(Trait::App)
        .with_description(
            "A SAML or OIDC application that Descope signs users in to; its 'access' entitlement is held by the users whose ssoAppIds name it, or whose ssoAppIds is empty (every app)",
        )
}

/// The `group` resource type.
pub(crate) fn group_type() -> ResourceType {
    ResourceType::new(GROUP_TYPE, "Group")
        .with_trait(Trait::Group)
        .with_description(
            "A tenant's SCIM or SSO group in Descope (read-only: its members come from the identity provider)",
        )
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

/// Puts `value` at `key` in a resource profile, unless it is empty.
pub(crate) fn put_str(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.to_owned(), Value::String(value.to_owned()));
    }
}
