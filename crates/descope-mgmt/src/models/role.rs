//! Roles.

use serde::{Deserialize, Serialize};

use super::{de, setters};

/// A role. Names are unique per scope: a project role (empty `tenant_id`) and a tenant role may
/// share a name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Role {
    /// Role id (not always sent).
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Role name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Permissions the role grants.
    #[serde(deserialize_with = "de::null_default")]
    pub permission_names: Vec<String>,
    /// Creation time, epoch seconds.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
    /// Owning tenant; empty for project roles.
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_id: String,
    /// Given to new users by default.
    #[serde(deserialize_with = "de::null_default")]
    pub default: bool,
    /// Hidden from tenant admins.
    #[serde(deserialize_with = "de::null_default")]
    pub private: bool,
}

impl Role {
    /// True for a role that belongs to a tenant rather than the project.
    pub fn is_tenant_role(&self) -> bool {
        !self.tenant_id.is_empty()
    }
}

/// The body of `POST /v1/mgmt/role/create`.
///
/// ```
/// let req = descope_mgmt::CreateRoleRequest::new("viewer").permission_names(["read"]);
/// assert_eq!(req.permission_names, vec!["read".to_owned()]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateRoleRequest {
    /// Role name (required).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Permissions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permission_names: Vec<String>,
    /// Owning tenant; unset for a project role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Default role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Private role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
}

impl CreateRoleRequest {
    /// A role named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateRoleRequest {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Sets `default` (given to new users by default).
    #[must_use]
    pub fn default_role(mut self, value: bool) -> Self {
        self.default = Some(value);
        self
    }
}

setters!(CreateRoleRequest {
    val description: String,
    list permission_names: String,
    opt_str tenant_id: String,
    opt private: bool,
});

/// The body of `POST /v1/mgmt/role/update`: a full override of the role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateRoleRequest {
    /// Current name (required).
    pub name: String,
    /// New name (required; the same as `name` to keep it).
    pub new_name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Permissions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permission_names: Vec<String>,
    /// Owning tenant; unset for a project role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Default role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// Private role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
}

impl UpdateRoleRequest {
    /// An update of role `name`, renamed to `new_name` (pass the same name to keep it).
    pub fn new(name: impl Into<String>, new_name: impl Into<String>) -> Self {
        UpdateRoleRequest {
            name: name.into(),
            new_name: new_name.into(),
            ..Default::default()
        }
    }

    /// Sets `default` (given to new users by default).
    #[must_use]
    pub fn default_role(mut self, value: bool) -> Self {
        self.default = Some(value);
        self
    }
}

setters!(UpdateRoleRequest {
    val description: String,
    list permission_names: String,
    opt_str tenant_id: String,
    opt private: bool,
});

/// The body of `POST /v1/mgmt/role/search`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchRolesRequest {
    /// Tenant ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_ids: Vec<String>,
    /// Exact role names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
    /// Case-insensitive "contains" on the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name_like: Option<String>,
    /// Roles granting any of these permissions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permission_names: Vec<String>,
    /// Role ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_ids: Vec<String>,
    /// Include project roles when filtering by tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_project_roles: Option<bool>,
}

impl SearchRolesRequest {
    /// An empty filter.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SearchRolesRequest {
    list tenant_ids: String,
    list role_names: String,
    opt_str role_name_like: String,
    list permission_names: String,
    list role_ids: String,
    opt include_project_roles: bool,
});

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteRoleBody<'a> {
    pub(crate) name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tenant_id: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RolesEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) roles: Vec<Role>,
}
