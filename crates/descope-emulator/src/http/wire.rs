//! Request bodies, written from the reference document. Every struct denies unknown fields,
//! as Descope's gateway does, and accepts the documented aliases (`identifier` for `loginId`...).

use std::collections::BTreeMap;

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Decodes a JSON body strictly; an empty body is `{}`. Errors become 400 `E011003`.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::invalid_request(e.to_string()))
}

/// An int64 that Descope accepts as a JSON number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Int64(pub(crate) i64);

impl<'de> Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(i64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Self(n)),
            Raw::S(s) => s
                .parse()
                .map(Self)
                .map_err(|_| de::Error::custom(format!("invalid int64 {s:?}"))),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // sort is accepted but the emulator always returns creation order
pub(crate) struct SortField {
    pub(crate) field: String,
    #[serde(default)]
    pub(crate) desc: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleFilter {
    #[serde(default)]
    pub(crate) values: Vec<String>,
    #[serde(default)]
    pub(crate) and: bool,
}

/// `POST /v1|v2/mgmt/user/search` (and `/test`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // accepted fields whose semantics the emulator does not model
pub(crate) struct SearchUsers {
    pub(crate) page: Option<i64>,
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
    pub(crate) sort: Option<Vec<SortField>>,
    pub(crate) text: Option<String>,
    #[serde(alias = "identifier")]
    pub(crate) login_id: Option<String>,
    pub(crate) login_ids: Option<Vec<String>>,
    pub(crate) user_ids: Option<Vec<String>>,
    pub(crate) emails: Option<Vec<String>>,
    pub(crate) phones: Option<Vec<String>>,
    pub(crate) statuses: Option<Vec<String>>,
    pub(crate) tenant_ids: Option<Vec<String>>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) tenant_role_ids: Option<BTreeMap<String, RoleFilter>>,
    pub(crate) tenant_role_names: Option<BTreeMap<String, RoleFilter>>,
    pub(crate) include_sub_tenants: Option<bool>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
    #[serde(alias = "ssoAppIDs")]
    pub(crate) sso_app_ids: Option<Vec<String>>,
    pub(crate) with_test_user: Option<bool>,
    pub(crate) test_users_only: Option<bool>,
    pub(crate) sso_only: Option<bool>,
    pub(crate) scim_only: Option<bool>,
    pub(crate) from_created_time: Option<Int64>,
    pub(crate) to_created_time: Option<Int64>,
    pub(crate) from_modified_time: Option<Int64>,
    pub(crate) to_modified_time: Option<Int64>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    pub(crate) password: Option<bool>,
    pub(crate) totp: Option<bool>,
    pub(crate) webauthn: Option<bool>,
    pub(crate) scim: Option<bool>,
    pub(crate) selected_columns: Option<Vec<String>>,
}

/// `POST /v1/mgmt/users/load`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct LoadUsers {
    pub(crate) user_ids: Vec<String>,
    pub(crate) include_invalid_users: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreateUserTenant {
    pub(crate) tenant_id: String,
    pub(crate) role_names: Vec<String>,
}

/// `POST /v1/mgmt/user/create` (and `/create/test`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // invite options are accepted; the emulator sends no mail
pub(crate) struct CreateUser {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    #[serde(alias = "name")]
    pub(crate) display_name: String,
    pub(crate) given_name: String,
    pub(crate) middle_name: String,
    pub(crate) family_name: String,
    pub(crate) picture: String,
    pub(crate) custom_attributes: Map<String, Value>,
    pub(crate) role_names: Vec<String>,
    pub(crate) user_tenants: Vec<CreateUserTenant>,
    #[serde(alias = "additionalIdentifiers")]
    pub(crate) additional_login_ids: Vec<String>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    #[serde(rename = "ssoAppIDs", alias = "ssoAppIds")]
    pub(crate) sso_app_ids: Vec<String>,
    pub(crate) invite: bool,
    pub(crate) invite_url: String,
    pub(crate) send_mail: Option<bool>,
    #[serde(rename = "sendSMS")]
    pub(crate) send_sms: Option<bool>,
    pub(crate) template_id: String,
    pub(crate) template_options: BTreeMap<String, String>,
    pub(crate) locale: String,
    pub(crate) test: bool,
    pub(crate) status: Option<String>,
}

/// `POST /v1/mgmt/user/update`: a full replacement of the profile, roles and tenants.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateUser {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    #[serde(alias = "name")]
    pub(crate) display_name: String,
    pub(crate) given_name: String,
    pub(crate) middle_name: String,
    pub(crate) family_name: String,
    pub(crate) picture: String,
    pub(crate) custom_attributes: Map<String, Value>,
    pub(crate) role_names: Vec<String>,
    pub(crate) user_tenants: Vec<CreateUserTenant>,
    #[serde(alias = "additionalIdentifiers")]
    pub(crate) additional_login_ids: Vec<String>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    #[serde(rename = "ssoAppIDs", alias = "ssoAppIds")]
    pub(crate) sso_app_ids: Vec<String>,
}

/// `PATCH /v1/mgmt/user/patch`: only the fields present change.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct PatchUser {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    #[serde(alias = "name")]
    pub(crate) display_name: Option<String>,
    pub(crate) given_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) picture: Option<String>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) user_tenants: Option<Vec<CreateUserTenant>>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    #[serde(rename = "ssoAppIds", alias = "ssoAppIDs")]
    pub(crate) sso_app_ids: Option<Vec<String>>,
}

/// `POST /v1/mgmt/user/delete`: `loginId` or `userId` (GO sends both, one empty).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteUser {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) user_id: String,
}

/// `POST /v1/mgmt/user/update/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateStatus {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) status: String,
}

/// Role add (v1/v2), remove and set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateRoles {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) role_names: Vec<String>,
    pub(crate) tenant_id: String,
}

/// Tenant add and remove.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateTenant {
    #[serde(alias = "identifier")]
    pub(crate) login_id: String,
    pub(crate) tenant_id: String,
}

/// `POST /v1/mgmt/tenant/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // accepted, not modelled
pub(crate) struct CreateTenant {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) self_provisioning_domains: Vec<String>,
    pub(crate) custom_attributes: Map<String, Value>,
    #[serde(rename = "enforceSSO")]
    pub(crate) enforce_sso: bool,
    #[serde(rename = "enforceSSOExclusions")]
    pub(crate) enforce_sso_exclusions: Vec<String>,
    pub(crate) disabled: bool,
    pub(crate) role_inheritance: String,
    #[serde(alias = "parentId")]
    pub(crate) parent: String,
}

/// `POST /v1/mgmt/tenant/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct SearchTenants {
    pub(crate) tenant_ids: Vec<String>,
    pub(crate) tenant_names: Vec<String>,
    pub(crate) tenant_self_provisioning_domains: Vec<String>,
    pub(crate) custom_attributes: Map<String, Value>,
    pub(crate) auth_type: String,
    #[serde(rename = "tenantSSODomains", alias = "tenantSsoDomains")]
    pub(crate) tenant_sso_domains: Vec<String>,
    pub(crate) parent_tenant_id: String,
    pub(crate) top_level_only: bool,
}

/// `POST /v1/mgmt/tenant/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteTenant {
    pub(crate) id: String,
    pub(crate) cascade: bool,
}

/// `POST /v1/mgmt/role/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreateRole {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) permission_names: Vec<String>,
    pub(crate) tenant_id: String,
    pub(crate) default: bool,
    pub(crate) private: bool,
}

/// `POST /v1/mgmt/role/search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // sort is accepted; roles keep creation order
pub(crate) struct SearchRoles {
    pub(crate) tenant_ids: Vec<String>,
    pub(crate) role_names: Vec<String>,
    pub(crate) role_name_like: String,
    pub(crate) permission_names: Vec<String>,
    pub(crate) role_ids: Vec<String>,
    pub(crate) include_project_roles: bool,
    pub(crate) text: String,
    pub(crate) sort: Option<Vec<SortField>>,
}

/// `POST /v1/mgmt/role/update`: a full override, addressed by `name` (in `tenantId`'s scope) or `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateRole {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) new_name: String,
    pub(crate) description: String,
    pub(crate) permission_names: Vec<String>,
    pub(crate) tenant_id: String,
    pub(crate) default: bool,
    pub(crate) private: bool,
}

/// `POST /v1/mgmt/role/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteRole {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) tenant_id: String,
}

/// `POST /v1/mgmt/permission/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreatePermission {
    pub(crate) name: String,
    pub(crate) description: String,
}

/// `POST /v1/mgmt/permission/update`: a full override, addressed by `name` or `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdatePermission {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) new_name: String,
    pub(crate) description: String,
}

/// `POST /v1/mgmt/permission/delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeletePermission {
    pub(crate) name: String,
    pub(crate) id: String,
}

/// `POST /v1/mgmt/group/all`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupsAll {
    pub(crate) tenant_id: String,
    pub(crate) sso_id: String,
}

/// `POST /v1/mgmt/group/member/all`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupsForMembers {
    pub(crate) tenant_id: String,
    pub(crate) login_ids: Vec<String>,
    pub(crate) user_ids: Vec<String>,
}

/// `POST /v1/mgmt/group/members`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupMembers {
    pub(crate) tenant_id: String,
    pub(crate) group_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_aliases() {
        let r: UpdateRoles = parse(br#"{"identifier":"a","roleNames":["x"]}"#).unwrap();
        assert_eq!(r.login_id, "a");
        let e = parse::<UpdateRoles>(br#"{"loginId":"a","bogus":1}"#).unwrap_err();
        assert_eq!(e.code, "E011003");
        assert!(e.message.contains("bogus"));
        let s: SearchUsers =
            parse(br#"{"fromCreatedTime":"1700000000000","sort":null,"limit":5}"#).unwrap();
        assert_eq!(s.from_created_time, Some(Int64(1_700_000_000_000)));
        assert_eq!(s.limit, Some(5));
        let _: SearchUsers = parse(b"").unwrap();
    }
}
