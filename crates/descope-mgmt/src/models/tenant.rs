//! Tenants.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{de, map_is_empty, setters};

/// A Descope tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tenant {
    /// Tenant id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Tenant name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Email domains whose users join this tenant on sign-up.
    #[serde(deserialize_with = "de::null_default")]
    pub self_provisioning_domains: Vec<String>,
    /// Custom attributes.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_attributes: Map<String, Value>,
    /// `none`, `saml` or `oidc`.
    #[serde(deserialize_with = "de::null_default")]
    pub auth_type: String,
    /// SSO domains.
    #[serde(deserialize_with = "de::null_default")]
    pub domains: Vec<String>,
    /// Creation time, epoch seconds.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
    /// SSO is enforced (wire `enforceSSO`).
    #[serde(
        rename = "enforceSSO",
        alias = "enforceSso",
        deserialize_with = "de::null_default"
    )]
    pub enforce_sso: bool,
    /// Users exempt from SSO enforcement (wire `enforceSSOExclusions`).
    #[serde(rename = "enforceSSOExclusions", deserialize_with = "de::null_default")]
    pub enforce_sso_exclusions: Vec<String>,
    /// The tenant is disabled.
    #[serde(deserialize_with = "de::null_default")]
    pub disabled: bool,
    /// Role inheritance mode (`none`, `userOnly`, or empty).
    #[serde(deserialize_with = "de::null_default")]
    pub role_inheritance: String,
    /// Roles given to new members.
    #[serde(deserialize_with = "de::null_default")]
    pub default_roles: Vec<String>,
    /// Parent tenant id (also accepted as `parentId`).
    #[serde(alias = "parentId", deserialize_with = "de::null_default")]
    pub parent: String,
    /// Child tenant ids.
    #[serde(deserialize_with = "de::null_default")]
    pub successors: Vec<String>,
    /// Federated application ids.
    #[serde(deserialize_with = "de::null_default")]
    pub federated_app_ids: Vec<String>,
}

/// The body of `POST /v1/mgmt/tenant/create`.
///
/// ```
/// let req = descope_mgmt::CreateTenantRequest::new("Acme").id("acme");
/// assert_eq!(req.id.as_deref(), Some("acme"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateTenantRequest {
    /// Tenant id; Descope generates one when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tenant name (required).
    pub name: String,
    /// Self-provisioning domains.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub self_provisioning_domains: Vec<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Enforce SSO.
    #[serde(rename = "enforceSSO", skip_serializing_if = "Option::is_none")]
    pub enforce_sso: Option<bool>,
    /// Users exempt from SSO enforcement.
    #[serde(rename = "enforceSSOExclusions", skip_serializing_if = "Vec::is_empty")]
    pub enforce_sso_exclusions: Vec<String>,
    /// Disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Role inheritance (`none` or `userOnly`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
    /// Parent tenant id (wire `parent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl CreateTenantRequest {
    /// A tenant named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateTenantRequest {
            name: name.into(),
            ..Self::default()
        }
    }
}

setters!(CreateTenantRequest {
    opt_str id: String,
    list self_provisioning_domains: String,
    val custom_attributes: Map<String, Value>,
    opt enforce_sso: bool,
    list enforce_sso_exclusions: String,
    opt disabled: bool,
    opt_str role_inheritance: String,
    opt_str parent: String,
});

/// The body of `POST /v1/mgmt/tenant/update`: a full override of the tenant's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateTenantRequest {
    /// Tenant id (required).
    pub id: String,
    /// Tenant name (required).
    pub name: String,
    /// Self-provisioning domains.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub self_provisioning_domains: Vec<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Enforce SSO.
    #[serde(rename = "enforceSSO", skip_serializing_if = "Option::is_none")]
    pub enforce_sso: Option<bool>,
    /// Users exempt from SSO enforcement.
    #[serde(rename = "enforceSSOExclusions", skip_serializing_if = "Vec::is_empty")]
    pub enforce_sso_exclusions: Vec<String>,
    /// Disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Role inheritance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
    // No `parent`: the parent tenant is set at creation only (the official SDKs never send it
    // on update).
}

impl UpdateTenantRequest {
    /// An update of tenant `id`, renaming it to `name`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        UpdateTenantRequest {
            id: id.into(),
            name: name.into(),
            ..Self::default()
        }
    }
}

setters!(UpdateTenantRequest {
    list self_provisioning_domains: String,
    val custom_attributes: Map<String, Value>,
    opt enforce_sso: bool,
    list enforce_sso_exclusions: String,
    opt disabled: bool,
    opt_str role_inheritance: String,
});

/// The body of `POST /v1/mgmt/tenant/search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchTenantsRequest {
    /// Tenant ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_ids: Vec<String>,
    /// Tenant names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_names: Vec<String>,
    /// Self-provisioning domains.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_self_provisioning_domains: Vec<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Auth type (`none`, `saml`, `oidc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// SSO domains (wire `tenantSSODomains`).
    #[serde(rename = "tenantSSODomains", skip_serializing_if = "Vec::is_empty")]
    pub tenant_sso_domains: Vec<String>,
    /// Parent tenant id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_tenant_id: Option<String>,
    /// Only top-level tenants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_level_only: Option<bool>,
}

impl SearchTenantsRequest {
    /// An empty filter.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SearchTenantsRequest {
    list tenant_ids: String,
    list tenant_names: String,
    list tenant_self_provisioning_domains: String,
    val custom_attributes: Map<String, Value>,
    opt_str auth_type: String,
    list tenant_sso_domains: String,
    opt_str parent_tenant_id: String,
    opt top_level_only: bool,
});

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteTenantBody<'a> {
    pub(crate) id: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) cascade: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TenantsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) tenants: Vec<Tenant>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct IdEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_alias_and_upper_case_sso() {
        let t: Tenant = serde_json::from_str(
            r#"{"id":"T1","name":"Acme","parentId":"T0","enforceSSO":true,"createdTime":"5","domains":null}"#,
        )
        .unwrap();
        assert_eq!(t.parent, "T0");
        assert!(t.enforce_sso);
        assert_eq!(t.created_time, 5);
    }
}
