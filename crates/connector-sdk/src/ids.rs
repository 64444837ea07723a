//! Baton's id formats. These are an external contract: byte-stable, and never parsed back
//! (an id may itself contain `:`).

use crate::model::ResourceId;

/// A resource type id from its display name: lower case, spaces replaced by `-`
/// (`"Custom Role"` → `"custom-role"`), like baton's `NewResourceType`.
///
/// ```
/// assert_eq!(c1_connector_sdk::ids::resource_type_id("Custom Role"), "custom-role");
/// ```
pub fn resource_type_id(name: &str) -> String {
    name.to_lowercase().replace(' ', "-")
}

/// An entitlement id: `<resource type>:<resource id>:<name>`.
///
/// ```
/// use c1_connector_sdk::{ids, ResourceId};
/// let role = ResourceId::new("role", "admin");
/// assert_eq!(ids::entitlement_id(&role, "assigned"), "role:admin:assigned");
/// ```
pub fn entitlement_id(resource: &ResourceId, name: &str) -> String {
    format!("{}:{}:{}", resource.resource_type, resource.resource, name)
}

/// A grant id: `<entitlement id>:<principal type>:<principal id>`.
///
/// ```
/// use c1_connector_sdk::{ids, ResourceId};
/// let user = ResourceId::new("user", "123");
/// assert_eq!(ids::grant_id("role:admin:assigned", &user), "role:admin:assigned:user:123");
/// ```
pub fn grant_id(entitlement_id: &str, principal: &ResourceId) -> String {
    format!(
        "{}:{}:{}",
        entitlement_id, principal.resource_type, principal.resource
    )
}

/// The `external_id` of a resource row in a `.c1z`: `<resource type>:<resource id>`.
pub fn resource_key(resource: &ResourceId) -> String {
    format!("{}:{}", resource.resource_type, resource.resource)
}
