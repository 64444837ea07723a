//! The body of user search (`POST /v2/mgmt/user/search`): every documented filter, and its sort
//! keys and per-tenant role filters (strict: unset filters are never sent).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{UserStatus, map_is_empty, setters};

/// A sort key for user search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SortField {
    /// Field name, e.g. `createdTime`.
    pub field: String,
    /// Descending when true.
    pub desc: bool,
}

impl SortField {
    /// Ascending order on `field`.
    pub fn asc(field: impl Into<String>) -> Self {
        SortField {
            field: field.into(),
            desc: false,
        }
    }
    /// Descending order on `field`.
    pub fn desc(field: impl Into<String>) -> Self {
        SortField {
            field: field.into(),
            desc: true,
        }
    }
}

/// Roles to match within one tenant (`tenantRoleIds` / `tenantRoleNames` filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoleFilter {
    /// Role ids or names.
    pub values: Vec<String>,
    /// When true, the user must have all of them; otherwise any.
    pub and: bool,
}

impl RoleFilter {
    /// Matches users with any of `values`.
    pub fn any<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        RoleFilter {
            values: values.into_iter().map(Into::into).collect(),
            and: false,
        }
    }
    /// Matches users with all of `values`.
    pub fn all<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        RoleFilter {
            values: values.into_iter().map(Into::into).collect(),
            and: true,
        }
    }
}

/// The body of `POST /v2/mgmt/user/search`: every documented filter; unset filters are not sent.
///
/// ```
/// use descope_mgmt::{SearchUsersRequest, SortField};
/// let req = SearchUsersRequest::new()
///     .limit(200)
///     .tenant_ids(["T1"])
///     .sort(vec![SortField::asc("createdTime")]);
/// assert_eq!(req.limit, Some(200));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchUsersRequest {
    /// Page number, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size (server default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Direct row offset; takes precedence over `page` (newer backends only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Sort order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SortField>,
    /// Free-text search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A single login id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// Login ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub login_ids: Vec<String>,
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
    /// Emails.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Phones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Statuses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<UserStatus>,
    /// Users must be members of at least one of these tenants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_ids: Vec<String>,
    /// Users must have one of these (project) roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
    /// Role ids per tenant id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tenant_role_ids: BTreeMap<String, RoleFilter>,
    /// Role names per tenant id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tenant_role_names: BTreeMap<String, RoleFilter>,
    /// Include members of sub-tenants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_sub_tenants: Option<bool>,
    /// Custom attribute filters: a value or an array of values per attribute.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// SSO application ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sso_app_ids: Vec<String>,
    /// Also return test users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_test_user: Option<bool>,
    /// Return only test users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_users_only: Option<bool>,
    /// Only users with SSO external ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso_only: Option<bool>,
    /// Only users provisioned or updated through SCIM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_only: Option<bool>,
    /// Created at or after, epoch **milliseconds**.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_created_time: Option<i64>,
    /// Created at or before, epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_created_time: Option<i64>,
    /// Modified at or after, epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_modified_time: Option<i64>,
    /// Modified at or before, epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_modified_time: Option<i64>,
    /// Email verification state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Phone verification state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// Has a password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<bool>,
    /// Has TOTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp: Option<bool>,
    /// Has a passkey.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<bool>,
    /// SCIM-managed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim: Option<bool>,
    /// Columns to return (semantics undocumented).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub selected_columns: Vec<String>,
}

impl SearchUsersRequest {
    /// An empty filter: all users, server-default paging.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SearchUsersRequest {
    opt page: u32,
    opt limit: u32,
    opt offset: u64,
    val sort: Vec<SortField>,
    opt_str text: String,
    opt_str login_id: String,
    list login_ids: String,
    list user_ids: String,
    list emails: String,
    list phones: String,
    val statuses: Vec<UserStatus>,
    list tenant_ids: String,
    list role_names: String,
    val tenant_role_ids: BTreeMap<String, RoleFilter>,
    val tenant_role_names: BTreeMap<String, RoleFilter>,
    opt include_sub_tenants: bool,
    val custom_attributes: Map<String, Value>,
    list sso_app_ids: String,
    opt with_test_user: bool,
    opt test_users_only: bool,
    opt sso_only: bool,
    opt scim_only: bool,
    opt from_created_time: i64,
    opt to_created_time: i64,
    opt from_modified_time: i64,
    opt to_modified_time: i64,
    opt verified_email: bool,
    opt verified_phone: bool,
    opt password: bool,
    opt totp: bool,
    opt webauthn: bool,
    opt scim: bool,
    list selected_columns: String,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_search_sends_empty_object() {
        let v = serde_json::to_value(SearchUsersRequest::new()).unwrap();
        assert_eq!(v, serde_json::json!({}));
    }

    #[test]
    fn search_filters_encode_with_wire_names() {
        let mut roles = BTreeMap::new();
        roles.insert("T1".to_owned(), RoleFilter::all(["admin"]));
        let req = SearchUsersRequest::new()
            .page(2)
            .limit(50)
            .statuses(vec![UserStatus::Enabled])
            .tenant_role_names(roles)
            .from_created_time(1_700_000_000_000);
        let v = serde_json::to_value(req).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"page":2,"limit":50,"statuses":["enabled"],
                "tenantRoleNames":{"T1":{"values":["admin"],"and":true}},
                "fromCreatedTime":1_700_000_000_000_i64})
        );
    }
}
