//! Request bodies, written from the reference document and checked against the bodies the
//! official Go and Python SDKs send. Every struct denies unknown fields, as Descope's gateway
//! does, accepts the documented aliases (`identifier` for `loginId`...), and reads JSON `null`
//! in any field as "unset" (the SDKs send `null` for empty strings, lists and maps).
//!
//! Here: those decoding rules ([`parse`], `nullable`, [`Int64`]) and the bodies of the user
//! endpoints; the tenant, role, permission and group bodies are in [`catalog`], the access key
//! bodies in [`keys`].

mod catalog;
pub(crate) mod keys;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

pub(crate) use self::catalog::*;
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

/// Decodes a field whose JSON `null` means "unset" (its default). Go's nil slices and maps and
/// Python's `None` arrive as `null`, and Descope accepts them wherever a field is optional.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(dead_code)] // sort is accepted but the emulator always returns creation order
pub(crate) struct SortField {
    #[serde(deserialize_with = "nullable")]
    pub(crate) field: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) desc: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RoleFilter {
    #[serde(deserialize_with = "nullable")]
    pub(crate) values: Vec<String>,
    #[serde(deserialize_with = "nullable")]
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
    /// A `null` tenant entry is unset, like any other `null`.
    pub(crate) tenant_role_ids: Option<BTreeMap<String, Option<RoleFilter>>>,
    pub(crate) tenant_role_names: Option<BTreeMap<String, Option<RoleFilter>>>,
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
    pub(crate) family_ids: Option<Vec<String>>,
    pub(crate) dependent: Option<bool>,
    pub(crate) lock_reasons: Option<Vec<String>>,
    pub(crate) temp_lock_reasons: Option<Vec<String>>,
}

/// `POST /v1/mgmt/users/load`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct LoadUsers {
    #[serde(deserialize_with = "nullable")]
    pub(crate) user_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) include_invalid_users: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreateUserTenant {
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_names: Vec<String>,
}

/// `POST /v1/mgmt/user/create` (and `/create/test`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[allow(dead_code)] // invite options are accepted; the emulator sends no mail
pub(crate) struct CreateUser {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) email: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) phone: String,
    #[serde(alias = "name", deserialize_with = "nullable")]
    pub(crate) display_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) given_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) middle_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) family_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) picture: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) custom_attributes: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) user_tenants: Vec<CreateUserTenant>,
    #[serde(alias = "additionalIdentifiers", deserialize_with = "nullable")]
    pub(crate) additional_login_ids: Vec<String>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    #[serde(
        rename = "ssoAppIDs",
        alias = "ssoAppIds",
        deserialize_with = "nullable"
    )]
    pub(crate) sso_app_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) invite: bool,
    #[serde(deserialize_with = "nullable")]
    pub(crate) invite_url: String,
    pub(crate) send_mail: Option<bool>,
    #[serde(rename = "sendSMS")]
    pub(crate) send_sms: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) template_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) template_options: BTreeMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) locale: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) test: bool,
    pub(crate) status: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) family_associations: Vec<FamilyAssociation>,
}

/// One entry of `familyAssociations` (create, update, patch): a family membership with the
/// user's roles and family-scoped attribute values in it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct FamilyAssociation {
    #[serde(deserialize_with = "nullable")]
    pub(crate) family_id: String,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) family_scoped_attributes: Option<Map<String, Value>>,
}

/// `POST /v1/mgmt/user/update`: a full replacement of the profile, roles, tenants and families.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateUser {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) email: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) phone: String,
    #[serde(alias = "name", deserialize_with = "nullable")]
    pub(crate) display_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) given_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) middle_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) family_name: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) picture: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) custom_attributes: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) user_tenants: Vec<CreateUserTenant>,
    #[serde(alias = "additionalIdentifiers", deserialize_with = "nullable")]
    pub(crate) additional_login_ids: Vec<String>,
    pub(crate) verified_email: Option<bool>,
    pub(crate) verified_phone: Option<bool>,
    #[serde(
        rename = "ssoAppIDs",
        alias = "ssoAppIds",
        deserialize_with = "nullable"
    )]
    pub(crate) sso_app_ids: Vec<String>,
    /// Python sends it (false by default); Go never does. Applied only when sent.
    pub(crate) test: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) family_associations: Vec<FamilyAssociation>,
}

/// `PATCH /v1/mgmt/user/patch`: only the fields present change.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct PatchUser {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
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
    pub(crate) status: Option<String>,
    /// Go: marks the user as provisioned through SCIM (the user object's `SCIM`).
    pub(crate) scim: Option<bool>,
    #[serde(alias = "additionalIdentifiers")]
    pub(crate) additional_login_ids: Option<Vec<String>>,
    /// Python sends it only when true.
    pub(crate) test: Option<bool>,
    pub(crate) family_associations: Option<Vec<FamilyAssociation>>,
}

/// `POST /v1/mgmt/user/delete`: `loginId` or `userId` (GO sends both, one empty).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct DeleteUser {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) user_id: String,
}

/// `POST /v1/mgmt/user/update/status`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateStatus {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) status: String,
}

/// Role add (v1/v2), remove and set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateRoles {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) role_names: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
}

/// Tenant add and remove.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateTenant {
    #[serde(alias = "identifier", deserialize_with = "nullable")]
    pub(crate) login_id: String,
    #[serde(deserialize_with = "nullable")]
    pub(crate) tenant_id: String,
}
