//! Baton's id formats. These are an external contract: byte-stable, and never parsed back
//! (an id may itself contain `:`).

use crate::error::Error;
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
/// use c1_connector_sdk::ids;
/// use c1_connector_sdk::model::ResourceId;
/// let role = ResourceId::new("role", "admin");
/// assert_eq!(ids::entitlement_id(&role, "assigned"), "role:admin:assigned");
/// ```
pub fn entitlement_id(resource: &ResourceId, name: &str) -> String {
    format!("{}:{}:{}", resource.resource_type, resource.resource, name)
}

/// A grant id: `<entitlement id>:<principal type>:<principal id>`.
///
/// ```
/// use c1_connector_sdk::ids;
/// use c1_connector_sdk::model::ResourceId;
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

/// The shape of an entitlement id, as error messages show it.
pub const ENTITLEMENT_ID_SHAPE: &str = "<resource-type>:<resource-id>:<slug>";
/// The shape of a grant id, as error messages show it.
pub const GRANT_ID_SHAPE: &str = "<entitlement-id>:<principal-type>:<principal-id>";

/// Checks that `id` has the shape of an entitlement id ([`ENTITLEMENT_ID_SHAPE`]): at least three
/// `:`-separated parts, with a non-empty resource type first and a non-empty slug last. The
/// resource id in between may itself contain `:`, so this is a shape check, not a parse.
///
/// ```
/// use c1_connector_sdk::ids;
/// use c1_connector_sdk::error::Code;
/// assert!(ids::check_entitlement_id("role:admin:assigned").is_ok());
/// let err = ids::check_entitlement_id("admin").unwrap_err();
/// assert_eq!(err.code(), Code::InvalidArgument);
/// assert!(err.message().contains("<resource-type>:<resource-id>:<slug>"));
/// ```
pub fn check_entitlement_id(id: &str) -> Result<(), Error> {
    let parts: Vec<&str> = id.split(':').collect();
    let ok = parts.len() >= 3
        && !parts[0].is_empty()
        && parts.last().is_some_and(|s| !s.is_empty())
        && parts[1..parts.len() - 1].iter().any(|p| !p.is_empty());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "malformed entitlement id {id:?}: expected {ENTITLEMENT_ID_SHAPE}, e.g. \"role:admin:assigned\"; take ids from a .c1z or from baton's output"
        )))
    }
}

/// Checks that `id` has the shape of a grant id ([`GRANT_ID_SHAPE`]): an entitlement id followed
/// by a principal type and a non-empty principal id, so at least five `:`-separated parts with
/// non-empty first and last parts.
///
/// ```
/// use c1_connector_sdk::ids;
/// use c1_connector_sdk::error::Code;
/// assert!(ids::check_grant_id("role:admin:assigned:user:123").is_ok());
/// let err = ids::check_grant_id("role:admin:assigned").unwrap_err();
/// assert_eq!(err.code(), Code::InvalidArgument);
/// ```
pub fn check_grant_id(id: &str) -> Result<(), Error> {
    let parts: Vec<&str> = id.split(':').collect();
    let ok = parts.len() >= 5
        && !parts[0].is_empty()
        && parts.last().is_some_and(|s| !s.is_empty())
        && !parts[parts.len() - 2].is_empty();
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "malformed grant id {id:?}: expected {GRANT_ID_SHAPE}, e.g. \"role:admin:assigned:user:123\"; take ids from a .c1z or from baton's output"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for ok in ["a:b:c", "role:t:1:admin:assigned", "a:b:c:d"] {
            assert!(check_entitlement_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "a:b", ":b:c", "a:b:", "a::c", "a:::c"] {
            assert!(check_entitlement_id(bad).is_err(), "{bad:?}");
        }
        for ok in ["a:b:c:user:1", "role:t%3A1:admin:assigned:user:u:1"] {
            assert!(check_grant_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a:b:c",
            "a:b:c:user",
            "a:b:c:user:",
            "a:b:c::1",
            ":b:c:user:1",
        ] {
            assert!(check_grant_id(bad).is_err(), "{bad:?}");
        }
    }
}
