//! Request bodies of the tenant, role, permission and group endpoints (the rules are the parent
//! module's: unknown fields denied, aliases accepted, `null` read as unset).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{SortField, nullable};

/// `POST /v1/mgmt/tenant/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // accepted, not modelled
pub(crate) struct CreateTenant {
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) self_provisioning_domains: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) custom_attributes: Map<String, Value>,
    #[serde(rename = "enforceSSO", deserialize_with = "nullable")]
    pub(crate) enforce_sso: bool,
    #[serde(rename = "enforceSSOExclusions", deserialize_with = "nullable")]
    pub(crate) enforce_sso_exclusions: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) disabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_inheritance: String,
    #[serde(alias = "parentId", deserialize_with = "nullable")]
    pub(crate) parent: String,
    /// Python sends it when given.
    #[serde(deserialize_with = "nullable")]
    pub(crate) federated_app_ids: Vec<String>,
}

/// `POST /v1/mgmt/tenant/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct SearchTenants {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_self_provisioning_domains: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) custom_attributes: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) auth_type: String,
    #[serde(
        rename = "tenantSSODomains",
        alias = "tenantSsoDomains",
        deserialize_with = "nullable"
    )]
    pub(crate) tenant_sso_domains: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) parent_tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) top_level_only: bool,
}

/// `POST /v1/mgmt/tenant/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteTenant {
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) cascade: bool,
}

/// `POST /v1/mgmt/role/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreateRole {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) description: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) permission_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) default: bool,
    #[serde(deserialize_with = "nullable")]
    pub(crate) private: bool,
}

/// `POST /v1/mgmt/role/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // sort is accepted; roles keep creation order
pub(crate) struct SearchRoles {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_name_like: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) permission_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) include_project_roles: bool,
    #[serde(deserialize_with = "nullable")]
    pub(crate) text: String,
    pub(crate) sort: Option<Vec<SortField>>,
}

/// `POST /v1/mgmt/role/update`: a full override, addressed by `name` (in `tenantId`'s scope) or `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateRole {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) new_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) description: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) permission_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) default: bool,
    #[serde(deserialize_with = "nullable")]
    pub(crate) private: bool,
}

/// `POST /v1/mgmt/role/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteRole {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
}

/// `POST /v1/mgmt/permission/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreatePermission {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) description: String,
}

/// `POST /v1/mgmt/permission/update`: a full override, addressed by `name` or `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdatePermission {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) new_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) description: String,
}

/// `POST /v1/mgmt/permission/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeletePermission {
    #[serde(deserialize_with = "nullable")]
    pub(crate) name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) id: String,
}

/// `POST /v1/mgmt/group/all`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupsAll {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) sso_id: String,
}

/// `POST /v1/mgmt/group/member/all`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupsForMembers {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) login_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) user_ids: Vec<String>,
    /// Sent only when set (Go, Python); `default_ssoid` names the default SSO configuration.
    #[serde(deserialize_with = "nullable")]
    pub(crate) sso_id: String,
}

/// `POST /v1/mgmt/group/members`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupMembers {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) group_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) sso_id: String,
}
