//! Resource ids of the Descope connector, and the role model they encode.
//!
//! Descope has three kinds of role assignment, and each becomes its own `role` resource so that
//! every assignment a user can hold is one entitlement (`role:<id>:assigned`):
//!
//! | kind | Descope data | resource id |
//! | --- | --- | --- |
//! | project role at project level | `user.roleNames` | `project/<role>` |
//! | tenant-scoped role (role with `tenantId`) | `user.userTenants[T].roleNames` | `tenant/<T>/<role>` |
//! | project role assigned within a tenant | `user.userTenants[T].roleNames` naming a project role | `tenant/<T>/project/<role>` |
//!
//! Every component is percent-encoded (`%`, `/` and `:` become `%25`, `%2F` and `%3A`), so a name that
//! contains `/` or `:` can never make two assignments share an id, and an id always parses back into
//! exactly the assignment it was made from.

use std::fmt;

use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::ResourceId;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// The characters escaped in an id component: the separators of our ids (`/`) and of baton's
/// (`:`), the escape character itself, and control characters.
const COMPONENT: &AsciiSet = &CONTROLS.add(b'%').add(b'/').add(b':');

/// Percent-encodes one id component.
pub fn encode_component(raw: &str) -> String {
    utf8_percent_encode(raw, COMPONENT).to_string()
}

/// Decodes one id component, refusing anything [`encode_component`] could not have produced.
pub fn decode_component(encoded: &str) -> Result<String, IdError> {
    if encoded.is_empty() {
        return Err(IdError::new(encoded, "an id component is empty"));
    }
    if encoded.contains(['/', ':']) {
        return Err(IdError::new(
            encoded,
            "an id component contains an unescaped '/' or ':'",
        ));
    }
    let decoded = percent_decode_str(encoded)
        .decode_utf8()
        .map_err(|_| IdError::new(encoded, "an id component is not valid UTF-8 once decoded"))?;
    // Only canonical encodings are accepted, so that one assignment has exactly one id.
    if encode_component(&decoded) != encoded {
        return Err(IdError::new(
            encoded,
            "an id component is not canonically encoded",
        ));
    }
    Ok(decoded.into_owned())
}

/// A role assignment target in Descope: what a `role` resource of this connector stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RoleRef {
    /// A project role, assigned at project level (`user.roleNames`).
    Project {
        /// The role's name.
        name: String,
    },
    /// A tenant-scoped role (a role whose `tenantId` is set), assigned within its tenant.
    TenantScoped {
        /// The tenant that defines the role.
        tenant_id: String,
        /// The role's name, unique within the tenant.
        name: String,
    },
    /// A project role assigned within a tenant (`user.userTenants[].roleNames` naming a project role).
    ProjectInTenant {
        /// The tenant in which the project role is assigned.
        tenant_id: String,
        /// The project role's name.
        name: String,
    },
}

impl RoleRef {
    /// The role's name, as Descope's role add/remove endpoints take it.
    pub fn name(&self) -> &str {
        match self {
            RoleRef::Project { name }
            | RoleRef::TenantScoped { name, .. }
            | RoleRef::ProjectInTenant { name, .. } => name,
        }
    }

    /// The tenant the assignment lives in (`None` for a project-level assignment).
    pub fn tenant_id(&self) -> Option<&str> {
        match self {
            RoleRef::Project { .. } => None,
            RoleRef::TenantScoped { tenant_id, .. }
            | RoleRef::ProjectInTenant { tenant_id, .. } => Some(tenant_id),
        }
    }

    /// The `role` resource id that stands for this assignment target.
    pub fn resource_id(&self) -> String {
        match self {
            RoleRef::Project { name } => format!("project/{}", encode_component(name)),
            RoleRef::TenantScoped { tenant_id, name } => {
                format!(
                    "tenant/{}/{}",
                    encode_component(tenant_id),
                    encode_component(name)
                )
            }
            RoleRef::ProjectInTenant { tenant_id, name } => format!(
                "tenant/{}/project/{}",
                encode_component(tenant_id),
                encode_component(name)
            ),
        }
    }

    /// Parses a `role` resource id produced by [`RoleRef::resource_id`].
    ///
    /// ```
    /// use descope_connector::ids::RoleRef;
    ///
    /// let role = RoleRef::TenantScoped { tenant_id: "T1".into(), name: "a/b:c".into() };
    /// let id = role.resource_id();
    /// assert_eq!(id, "tenant/T1/a%2Fb%3Ac");
    /// assert_eq!(RoleRef::parse(&id)?, role);
    /// # Ok::<(), descope_connector::ids::IdError>(())
    /// ```
    pub fn parse(id: &str) -> Result<RoleRef, IdError> {
        let parts: Vec<&str> = id.split('/').collect();
        match parts.as_slice() {
            ["project", name] => Ok(RoleRef::Project {
                name: decode_component(name)?,
            }),
            ["tenant", tenant, "project", name] => Ok(RoleRef::ProjectInTenant {
                tenant_id: decode_component(tenant)?,
                name: decode_component(name)?,
            }),
            ["tenant", tenant, name] => Ok(RoleRef::TenantScoped {
                tenant_id: decode_component(tenant)?,
                name: decode_component(name)?,
            }),
            _ => Err(IdError::new(
                id,
                "a role id has the form project/<role>, tenant/<tenant>/<role> or tenant/<tenant>/project/<role>",
            )),
        }
    }
}

impl fmt::Display for RoleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleRef::Project { name } => write!(f, "project role '{name}'"),
            RoleRef::TenantScoped { tenant_id, name } => {
                write!(f, "tenant role '{name}' of tenant '{tenant_id}'")
            }
            RoleRef::ProjectInTenant { tenant_id, name } => {
                write!(f, "project role '{name}' within tenant '{tenant_id}'")
            }
        }
    }
}

/// The resource id of a tenant.
pub fn tenant_resource_id(tenant_id: &str) -> String {
    encode_component(tenant_id)
}

/// The resource id of a user (its Descope user id, escaped).
pub fn user_resource_id(user_id: &str) -> String {
    encode_component(user_id)
}

/// The resource id of a permission (its name, escaped).
pub fn permission_resource_id(name: &str) -> String {
    encode_component(name)
}

/// An id that this connector did not produce, or that is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid Descope connector id '{id}': {reason}; take ids from a sync of this connector (`baton resources` / `baton entitlements`)"
)]
pub struct IdError {
    id: String,
    reason: &'static str,
}

impl IdError {
    fn new(id: &str, reason: &'static str) -> Self {
        IdError {
            id: id.to_owned(),
            reason,
        }
    }

    /// The id that failed to parse.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The Descope id in a resource id of type `resource_type` (an error for any other type).
pub(crate) fn component_of(id: &ResourceId, resource_type: &str) -> Result<String, Error> {
    if id.resource_type != resource_type {
        return Err(Error::invalid_argument(format!(
            "expected a {resource_type} resource, got a '{}' resource",
            id.resource_type
        )));
    }
    decode_component(&id.resource).map_err(|e| Error::invalid_argument(e.to_string()))
}

/// The tenant resource id of a key's tenant (for messages).
pub(crate) fn tenant_entitlement_id(tenant_id: &str) -> String {
    format!("tenant:{}:member", tenant_resource_id(tenant_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_role() -> impl Strategy<Value = RoleRef> {
        let s = ".{1,12}";
        prop_oneof![
            s.prop_map(|name| RoleRef::Project { name }),
            (s, s).prop_map(|(tenant_id, name)| RoleRef::TenantScoped { tenant_id, name }),
            (s, s).prop_map(|(tenant_id, name)| RoleRef::ProjectInTenant { tenant_id, name }),
        ]
    }

    proptest! {
        #[test]
        fn role_ids_round_trip(role in any_role()) {
            let id = role.resource_id();
            prop_assert!(!id.contains(':'), "baton ids are ':'-joined; ours never contain one: {id}");
            prop_assert_eq!(RoleRef::parse(&id).unwrap(), role);
        }

        #[test]
        fn distinct_assignments_never_share_an_id(a in any_role(), b in any_role()) {
            prop_assume!(a != b);
            prop_assert_ne!(a.resource_id(), b.resource_id());
        }

        #[test]
        fn components_round_trip(raw in ".{1,24}") {
            prop_assert_eq!(decode_component(&encode_component(&raw)).unwrap(), raw);
        }

        #[test]
        fn parse_never_panics(id in ".{0,40}") {
            let _ = RoleRef::parse(&id);
        }
    }

    #[test]
    fn project_and_tenant_roles_of_one_name_differ() {
        let p = RoleRef::Project {
            name: "Admin".into(),
        };
        let t = RoleRef::TenantScoped {
            tenant_id: "T1".into(),
            name: "Admin".into(),
        };
        let pt = RoleRef::ProjectInTenant {
            tenant_id: "T1".into(),
            name: "Admin".into(),
        };
        assert_eq!(p.resource_id(), "project/Admin");
        assert_eq!(t.resource_id(), "tenant/T1/Admin");
        assert_eq!(pt.resource_id(), "tenant/T1/project/Admin");
    }

    #[test]
    fn a_tenant_role_named_project_does_not_collide() {
        // "tenant/T/project" (a tenant role named "project") vs "tenant/T/project/x".
        let t = RoleRef::TenantScoped {
            tenant_id: "T".into(),
            name: "project".into(),
        };
        assert_eq!(RoleRef::parse(&t.resource_id()).unwrap(), t);
    }

    #[test]
    fn rejects_foreign_and_non_canonical_ids() {
        for bad in [
            "",
            "admin",
            "project/",
            "project/a/b",
            "tenant/T",
            "project/a%2fb",
            "project/%ZZ",
            "x/y",
        ] {
            assert!(RoleRef::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
