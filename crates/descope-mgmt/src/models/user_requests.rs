//! Request bodies of the user endpoints (strict: unset fields are never sent).

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

/// A tenant membership in a create/update request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedTenant {
    /// Tenant id.
    pub tenant_id: String,
    /// Roles in that tenant.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
}

impl AssociatedTenant {
    /// Membership of `tenant_id` with `role_names`.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        tenant_id: impl Into<String>,
        role_names: I,
    ) -> Self {
        AssociatedTenant {
            tenant_id: tenant_id.into(),
            role_names: role_names.into_iter().map(Into::into).collect(),
        }
    }
}

/// The body of `POST /v1/mgmt/user/create`.
///
/// ```
/// use descope_mgmt::CreateUserRequest;
/// let req = CreateUserRequest::new("jane@acme.io").email("jane@acme.io").display_name("Jane");
/// assert_eq!(req.login_id, "jane@acme.io");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateUserRequest {
    /// The login id (required).
    pub login_id: String,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Display name (wire `displayName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Project-level roles. Set these only when the user has no tenants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
    /// Tenant memberships and tenant roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_tenants: Vec<AssociatedTenant>,
    /// Additional login ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_login_ids: Vec<String>,
    /// Mark the email verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Mark the phone verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// SSO application ids (wire `ssoAppIDs`, the SDKs' spelling).
    #[serde(rename = "ssoAppIDs", skip_serializing_if = "Vec::is_empty")]
    pub sso_app_ids: Vec<String>,
    /// Send an invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite: Option<bool>,
    /// Invitation URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
    /// Send the invitation by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_mail: Option<bool>,
    /// Send the invitation by SMS (wire `sendSMS`).
    #[serde(rename = "sendSMS", skip_serializing_if = "Option::is_none")]
    pub send_sms: Option<bool>,
    /// Invitation template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Invitation template options.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub template_options: BTreeMap<String, String>,
    /// Invitation locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

impl CreateUserRequest {
    /// A request creating `login_id` with nothing else set.
    pub fn new(login_id: impl Into<String>) -> Self {
        CreateUserRequest {
            login_id: login_id.into(),
            ..Self::default()
        }
    }
}

setters!(CreateUserRequest {
    opt_str email: String,
    opt_str phone: String,
    opt_str display_name: String,
    opt_str given_name: String,
    opt_str middle_name: String,
    opt_str family_name: String,
    opt_str picture: String,
    val custom_attributes: Map<String, Value>,
    list role_names: String,
    val user_tenants: Vec<AssociatedTenant>,
    list additional_login_ids: String,
    opt verified_email: bool,
    opt verified_phone: bool,
    list sso_app_ids: String,
    opt invite: bool,
    opt_str invite_url: String,
    opt send_mail: bool,
    opt send_sms: bool,
    opt_str template_id: String,
    val template_options: BTreeMap<String, String>,
    opt_str locale: String,
});

/// The body of `POST /v1/mgmt/user/update`: a **full replacement** of the user's fields
/// (anything not set here is cleared by Descope). To change a loaded user without clearing
/// anything by omission, start from [`UpdateUserRequest::from_user`].
///
/// ```
/// use descope_mgmt::{UpdateUserRequest, User};
/// # let user = User::default();
/// // A loaded user, with one field changed: everything else is sent back as it was.
/// let req = UpdateUserRequest::from_user(&user).display_name("Jane Q. Doe");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateUserRequest {
    /// Login id or user id of the user to update (required).
    pub login_id: String,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "map_is_empty")]
    pub custom_attributes: Map<String, Value>,
    /// Project-level roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_names: Vec<String>,
    /// Tenant memberships and roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_tenants: Vec<AssociatedTenant>,
    /// Additional login ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_login_ids: Vec<String>,
    /// Email verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Phone verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// SSO application ids (wire `ssoAppIDs`, the Go and Python SDKs' spelling).
    #[serde(rename = "ssoAppIDs", skip_serializing_if = "Vec::is_empty")]
    pub sso_app_ids: Vec<String>,
    /// Whether the user is a test user (the Python SDK sends it on every update).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<bool>,
}

impl UpdateUserRequest {
    /// A request replacing the fields of `login_id_or_user_id`.
    pub fn new(login_id_or_user_id: impl Into<String>) -> Self {
        UpdateUserRequest {
            login_id: login_id_or_user_id.into(),
            ..Self::default()
        }
    }

    /// A request that sends back every field of a loaded `user` the update endpoint takes, so
    /// that changing one field (with the setters) clears nothing by omission.
    ///
    /// The user is addressed by its primary login id (its user id when it has none); the other
    /// login ids go in `additionalLoginIds`. Sent: email, phone, display name, given, middle and
    /// family names, picture, custom attributes, project roles, tenants with their roles,
    /// additional login ids, email and phone verification, SSO app ids and `test`: the fields of
    /// the official SDKs' update bodies. Not sent, because the endpoint does not take them: the
    /// status (use [`crate::Users::update_status`]), permissions (they follow from roles), and
    /// what Descope derives itself (authentication methods, timestamps, tenant names).
    ///
    /// Note: Descope documents project roles as meant for users without tenants; a user loaded
    /// with both gets both back, as it had them.
    pub fn from_user(user: &crate::User) -> Self {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        UpdateUserRequest {
            login_id: user.primary_login_id().to_owned(),
            email: non_empty(&user.email),
            phone: non_empty(&user.phone),
            display_name: non_empty(&user.name),
            given_name: non_empty(&user.given_name),
            middle_name: non_empty(&user.middle_name),
            family_name: non_empty(&user.family_name),
            picture: non_empty(&user.picture),
            custom_attributes: user.custom_attributes.clone(),
            role_names: user.role_names.clone(),
            user_tenants: user
                .user_tenants
                .iter()
                .map(|t| AssociatedTenant::new(t.tenant_id.clone(), t.role_names.iter().cloned()))
                .collect(),
            additional_login_ids: user.login_ids.iter().skip(1).cloned().collect(),
            verified_email: Some(user.verified_email),
            verified_phone: Some(user.verified_phone),
            sso_app_ids: user.sso_app_ids.clone(),
            test: Some(user.test),
        }
    }
}

setters!(UpdateUserRequest {
    opt_str email: String,
    opt_str phone: String,
    opt_str display_name: String,
    opt_str given_name: String,
    opt_str middle_name: String,
    opt_str family_name: String,
    opt_str picture: String,
    val custom_attributes: Map<String, Value>,
    list role_names: String,
    val user_tenants: Vec<AssociatedTenant>,
    list additional_login_ids: String,
    opt verified_email: bool,
    opt verified_phone: bool,
    list sso_app_ids: String,
    opt test: bool,
});

/// The body of `PATCH /v1/mgmt/user/patch`: only the fields set here change.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PatchUserRequest {
    /// Login id or user id of the user to patch (required).
    pub login_id: String,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Picture URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Custom attributes (replaces the whole map when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Project-level roles (replaces them when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_names: Option<Vec<String>>,
    /// Tenant memberships (replaces them when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_tenants: Option<Vec<AssociatedTenant>>,
    /// Email verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_email: Option<bool>,
    /// Phone verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<bool>,
    /// SSO application ids (replaces them when set).
    #[serde(rename = "ssoAppIds", skip_serializing_if = "Option::is_none")]
    pub sso_app_ids: Option<Vec<String>>,
}

impl PatchUserRequest {
    /// A patch of `login_id_or_user_id` changing nothing yet.
    pub fn new(login_id_or_user_id: impl Into<String>) -> Self {
        PatchUserRequest {
            login_id: login_id_or_user_id.into(),
            ..Self::default()
        }
    }
}

setters!(PatchUserRequest {
    opt_str email: String,
    opt_str phone: String,
    opt_str display_name: String,
    opt_str given_name: String,
    opt_str middle_name: String,
    opt_str family_name: String,
    opt_str picture: String,
    opt custom_attributes: Map<String, Value>,
    opt role_names: Vec<String>,
    opt user_tenants: Vec<AssociatedTenant>,
    opt verified_email: bool,
    opt verified_phone: bool,
    opt sso_app_ids: Vec<String>,
});

// Bodies of the smaller user endpoints; private because the handlers take plain arguments.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginIdBody<'a> {
    pub(crate) login_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserIdsBody<'a> {
    pub(crate) user_ids: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusBody<'a> {
    pub(crate) login_id: &'a str,
    pub(crate) status: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RolesBody<'a> {
    pub(crate) login_id: &'a str,
    pub(crate) role_names: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tenant_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantBody<'a> {
    pub(crate) login_id: &'a str,
    pub(crate) tenant_id: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_search_sends_empty_object() {
        let v = serde_json::to_value(SearchUsersRequest::new()).unwrap();
        assert_eq!(v, serde_json::json!({}));
    }

    #[test]
    fn update_from_a_loaded_user_sends_every_field_back() {
        let user: crate::User = serde_json::from_value(serde_json::json!({
            "userId": "U2abc", "loginIds": ["jane@acme.io", "jane2"], "name": "Jane",
            "givenName": "Jane", "middleName": "Q", "familyName": "Doe",
            "email": "jane@acme.io", "phone": "+15551234567", "verifiedEmail": true,
            "verifiedPhone": false, "roleNames": ["viewer"],
            "userTenants": [{"tenantId": "T1", "tenantName": "Acme", "roleNames": ["admin"]}],
            "status": "enabled", "customAttributes": {"team": "blue"}, "picture": "https://p/x.png",
            "test": true, "ssoAppIds": ["app1"], "permissions": ["p"], "createdTime": 5
        }))
        .unwrap();
        let v = serde_json::to_value(UpdateUserRequest::from_user(&user)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "loginId": "jane@acme.io", "email": "jane@acme.io", "phone": "+15551234567",
                "displayName": "Jane", "givenName": "Jane", "middleName": "Q",
                "familyName": "Doe", "picture": "https://p/x.png",
                "customAttributes": {"team": "blue"}, "roleNames": ["viewer"],
                "userTenants": [{"tenantId": "T1", "roleNames": ["admin"]}],
                "additionalLoginIds": ["jane2"], "verifiedEmail": true, "verifiedPhone": false,
                "ssoAppIDs": ["app1"], "test": true
            })
        );
        // Without login ids the user id addresses the user.
        let bare = crate::User::default();
        assert_eq!(UpdateUserRequest::from_user(&bare).login_id, "");
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
