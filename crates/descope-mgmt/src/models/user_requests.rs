//! Request bodies of the user endpoints (strict: unset fields are never sent).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{map_is_empty, setters};

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
}
