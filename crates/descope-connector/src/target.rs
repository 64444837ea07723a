//! What a grant or revoke is about: its target (a role, a tenant membership, an SSO application)
//! and its principal (a user or an access key).

use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{Entitlement, ResourceId};
use descope_mgmt::User;

use crate::ids::{RoleRef, decode_component};
use crate::kinds::{ACCESS_KEY_TYPE, ASSIGNED, MEMBER, USER_TYPE};

/// What a grant or revoke request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Role(RoleRef),
    TenantMember(String),
    /// Access to an SSO application (by app id).
    App(String),
}

impl Target {
    /// Reads the target from an entitlement of a `role` or `tenant` resource.
    pub(crate) fn from_entitlement(entitlement: &Entitlement) -> Result<Target, Error> {
        let resource_id = entitlement
            .resource
            .as_ref()
            .and_then(|r| r.id.as_ref())
            .ok_or_else(|| Error::invalid_argument("the entitlement has no resource"))?;
        match (
            resource_id.resource_type.as_str(),
            entitlement.slug.as_str(),
        ) {
            ("role", ASSIGNED) => {
                let role = RoleRef::parse(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::Role(role))
            }
            ("tenant", MEMBER) => {
                let tenant = decode_component(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::TenantMember(tenant))
            }
            (crate::kinds::APP_TYPE, crate::kinds::ACCESS) => {
                let app = decode_component(&resource_id.resource)
                    .map_err(|e| Error::invalid_argument(e.to_string()))?;
                Ok(Target::App(app))
            }
            (crate::kinds::GROUP_TYPE, _) => Err(Error::failed_precondition(format!(
                "group memberships are read-only: Descope groups come from the tenant's identity provider (SCIM or SSO); \
                 change '{}' there",
                resource_id.resource
            ))),
            ("permission", _) => Err(Error::failed_precondition(format!(
                "permission grants are read-only: to change which roles confer '{}', edit the roles in the Descope console",
                resource_id.resource
            ))),
            (ty, slug) => Err(Error::invalid_argument(format!(
                "entitlement '{}' ({ty}/{slug}) is not provisionable by the Descope connector: only role 'assigned' and tenant 'member' entitlements are",
                entitlement.id
            ))),
        }
    }

    pub(crate) fn held_by(&self, user: &User) -> bool {
        match self {
            Target::Role(role) => match role.tenant_id() {
                None => user.role_names.iter().any(|r| r == role.name()),
                Some(tenant) => user.user_tenants.iter().any(|t| {
                    t.tenant_id == tenant && t.role_names.iter().any(|r| r == role.name())
                }),
            },
            Target::TenantMember(tenant) => {
                user.user_tenants.iter().any(|t| &t.tenant_id == tenant)
            }
            // An empty list is every app.
            Target::App(app) => {
                user.sso_app_ids.is_empty() || user.sso_app_ids.iter().any(|a| a == app)
            }
        }
    }

    /// What `user` holds of the kind this target is, for messages.
    pub(crate) fn holdings(&self, user: &User) -> String {
        match self {
            Target::Role(role) => match role.tenant_id() {
                None => format!("roleNames {:?}", user.role_names),
                Some(tenant) => match user.user_tenants.iter().find(|t| t.tenant_id == tenant) {
                    Some(t) => format!("roleNames {:?} in tenant '{tenant}'", t.role_names),
                    None => format!("no membership of tenant '{tenant}'"),
                },
            },
            Target::TenantMember(_) => format!(
                "userTenants {:?}",
                user.user_tenants
                    .iter()
                    .map(|t| t.tenant_id.as_str())
                    .collect::<Vec<_>>()
            ),
            Target::App(_) => format!("ssoAppIds {:?}", user.sso_app_ids),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Target::Role(role) => role.to_string(),
            Target::TenantMember(tenant) => format!("membership of tenant '{tenant}'"),
            Target::App(app) => format!("access to SSO application '{app}'"),
        }
    }
}

/// A principal of a grant: a Descope user or an access key, by its Descope id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    User(String),
    AccessKey(String),
}

impl Principal {
    /// Reads a principal from a `user` or `access_key` resource id.
    pub(crate) fn from_id(principal: &ResourceId) -> Result<Principal, Error> {
        let id = || {
            decode_component(&principal.resource)
                .map_err(|e| Error::invalid_argument(e.to_string()))
        };
        match principal.resource_type.as_str() {
            USER_TYPE => Ok(Principal::User(id()?)),
            ACCESS_KEY_TYPE => Ok(Principal::AccessKey(id()?)),
            other => Err(Error::invalid_argument(format!(
                "only users and access keys can be granted Descope roles and tenant memberships, not '{other}' resources"
            ))),
        }
    }
}
