//! The records the emulator stores, shaped like Descope's wire objects.
//!
//! Each record (de)serializes with Descope's own field names (camelCase, plus the upper-case
//! `TOTP`, `SAML`, `SCIM`, `OIDC` and `OAuth` keys of the user object), so a saved [`Dataset`]
//! reads like Descope data and the server can serialize responses straight from borrowed
//! records. Decoding is tolerant: every field defaults when absent.
//!
//! [`Dataset`]: crate::Dataset

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user's status, as Descope spells it on the wire (`enabled`, `disabled`, `invited`, `expired`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum UserStatus {
    /// The user can log in.
    #[default]
    Enabled,
    /// The user was deactivated.
    Disabled,
    /// The user was invited and has not logged in yet.
    Invited,
    /// The user's invitation or access expired.
    Expired,
}

impl UserStatus {
    /// The wire spelling (`"enabled"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
            Self::Invited => "invited",
            Self::Expired => "expired",
        }
    }

    /// Parses the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "enabled" => Some(Self::Enabled),
            "disabled" => Some(Self::Disabled),
            "invited" => Some(Self::Invited),
            "expired" => Some(Self::Expired),
            _ => None,
        }
    }
}

/// A user, as the Descope user object (`user` / `users[]`) carries it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct UserRecord {
    /// Immutable unique id (`U2...`).
    pub user_id: String,
    /// Login ids; the first is the primary one.
    pub login_ids: Vec<String>,
    /// Display name.
    pub name: String,
    /// Given name.
    pub given_name: String,
    /// Middle name.
    pub middle_name: String,
    /// Family name.
    pub family_name: String,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: String,
    /// Whether the email is verified.
    pub verified_email: bool,
    /// Whether the phone is verified.
    pub verified_phone: bool,
    /// Project-level role names.
    pub role_names: Vec<String>,
    /// Tenant memberships with their tenant-level role names.
    pub user_tenants: Vec<UserTenantRecord>,
    /// Status.
    pub status: UserStatus,
    /// Creation time in epoch **seconds**.
    pub created_time: i64,
    /// Last modification time in epoch **seconds** (`modifiedTime`, the unit of `createdTime`:
    /// the Go SDK reads it as an `int32`; Descope's docs and API spec do not list it). The
    /// running emulator sets it at creation and on every change made through the API, and keeps
    /// the millisecond it happened (the `occurred` of the change's audit record) to answer the
    /// search filters `fromModifiedTime` and `toModifiedTime`, which take milliseconds. A value
    /// below `createdTime` (0 in data written before this field existed) is read as
    /// `createdTime`.
    pub modified_time: i64,
    /// Custom attributes (arbitrary JSON values).
    pub custom_attributes: Map<String, Value>,
    /// Whether this is a test user (excluded from search unless `withTestUser`).
    pub test: bool,
    /// TOTP configured.
    #[serde(rename = "TOTP", alias = "totp")]
    pub totp: bool,
    /// SAML user.
    #[serde(rename = "SAML", alias = "saml")]
    pub saml: bool,
    /// Provisioned or updated through SCIM.
    #[serde(rename = "SCIM", alias = "scim")]
    pub scim: bool,
    /// OIDC user.
    #[serde(rename = "OIDC", alias = "oidc")]
    pub oidc: bool,
    /// OAuth providers the user logged in with.
    #[serde(rename = "OAuth", alias = "oauth")]
    pub oauth: BTreeMap<String, bool>,
    /// WebAuthn configured.
    pub webauthn: bool,
    /// Password configured.
    pub password: bool,
    /// Push configured.
    pub push: bool,
    /// Picture URL.
    pub picture: String,
    /// SSO external ids.
    pub external_ids: Vec<String>,
    /// SSO apps the user may access (empty = all).
    pub sso_app_ids: Vec<String>,
    /// Whether the user is editable.
    pub editable: bool,
    /// Family memberships (`userFamilies`), set through `familyAssociations` on create, update
    /// and patch. Sent only when non-empty, so data without families serializes as before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_families: Vec<UserFamilyRecord>,
    /// Whether the user is a family dependent (no login credentials of their own). Sent only
    /// when true. The emulator serves no endpoint that creates dependents; datasets may hold them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dependent: bool,
}

impl UserRecord {
    /// A user with the given id and a single login id, enabled, everything else empty.
    pub fn new(user_id: impl Into<String>, login_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            login_ids: vec![login_id.into()],
            editable: true,
            ..Self::default()
        }
    }

    /// The membership of `tenant_id`, if any.
    pub fn tenant(&self, tenant_id: &str) -> Option<&UserTenantRecord> {
        self.user_tenants.iter().find(|t| t.tenant_id == tenant_id)
    }
}

/// One tenant membership of a user (`userTenants[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct UserTenantRecord {
    /// The tenant's id.
    pub tenant_id: String,
    /// The tenant's name (denormalised, as Descope returns it).
    pub tenant_name: String,
    /// Role names held in this tenant: the tenant's own roles or project roles assigned within it.
    pub role_names: Vec<String>,
}

impl UserTenantRecord {
    /// A membership of `tenant_id` (named `tenant_name`) with the given roles.
    pub fn new(
        tenant_id: impl Into<String>,
        tenant_name: impl Into<String>,
        role_names: Vec<String>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            tenant_name: tenant_name.into(),
            role_names,
        }
    }
}

/// One family membership of a user (`userFamilies[]`).
///
/// Requests name it `familyAssociations[]` (`familyId`, `roleNames`, `familyScopedAttributes`);
/// the user object returns it as `userFamilies[]` with `permissions` added. Families themselves
/// are not modelled: any non-empty family id is accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct UserFamilyRecord {
    /// The family's id.
    pub family_id: String,
    /// The user's role names in the family.
    pub role_names: Vec<String>,
    /// Permissions of those roles (the emulator models no family roles, so empty unless a
    /// dataset sets them).
    pub permissions: Vec<String>,
    /// The user's family-scoped attribute values.
    pub family_scoped_attributes: Map<String, Value>,
}

impl UserFamilyRecord {
    /// A membership of `family_id` with the given roles and no attributes.
    pub fn new(family_id: impl Into<String>, role_names: Vec<String>) -> Self {
        Self {
            family_id: family_id.into(),
            role_names,
            ..Self::default()
        }
    }
}

/// A tenant, as `GET /v1/mgmt/tenant` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct TenantRecord {
    /// Tenant id.
    pub id: String,
    /// Tenant name (unique in the project).
    pub name: String,
    /// Domains whose users join the tenant on sign-up.
    pub self_provisioning_domains: Vec<String>,
    /// SSO domains.
    pub domains: Vec<String>,
    /// `none`, `saml` or `oidc`.
    pub auth_type: String,
    /// Parent tenant id (empty for a top-level tenant).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub parent: String,
    /// Creation time in epoch seconds.
    pub created_time: i64,
    /// Custom attributes.
    pub custom_attributes: Map<String, Value>,
    /// Whether the tenant is disabled.
    pub disabled: bool,
    /// Whether SSO is enforced.
    #[serde(rename = "enforceSSO", alias = "enforceSso")]
    pub enforce_sso: bool,
}

impl TenantRecord {
    /// A top-level tenant with the given id and name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            auth_type: "none".to_owned(),
            ..Self::default()
        }
    }
}

/// A role, project-level (`tenant_id` empty) or scoped to one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct RoleRecord {
    /// Role id.
    pub id: String,
    /// Role name (unique per scope).
    pub name: String,
    /// Description.
    pub description: String,
    /// Names of the permissions the role grants.
    pub permission_names: Vec<String>,
    /// Owning tenant; empty for a project role.
    pub tenant_id: String,
    /// Creation time in epoch seconds.
    pub created_time: i64,
    /// Whether new users get the role by default.
    pub default: bool,
    /// Whether the role is private.
    pub private: bool,
}

impl RoleRecord {
    /// A role named `name` in the scope `tenant_id` (empty = project).
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        tenant_id: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            tenant_id: tenant_id.into(),
            ..Self::default()
        }
    }
}

/// A permission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct PermissionRecord {
    /// Permission id.
    pub id: String,
    /// Permission name (unique).
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether Descope created it.
    pub system_default: bool,
}

impl PermissionRecord {
    /// A permission named `name`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            ..Self::default()
        }
    }
}

/// An SSO/SCIM group of a tenant, as the group endpoints return it, plus its tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct GroupRecord {
    /// The tenant the group belongs to. Descope's group object has no such field; the emulator
    /// stores it to answer per-tenant queries and also sends it (clients ignore unknown fields).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tenant_id: String,
    /// Group id.
    pub id: String,
    /// Display name.
    pub display: String,
    /// Members.
    pub members: Vec<GroupMemberRecord>,
    /// `scim` or `jit`.
    pub source: String,
    /// SSO configuration id.
    pub sso_id: String,
    /// The identity provider's id for a group created over SCIM (`externalId`; an extra field
    /// clients ignore, left out when empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub external_id: String,
}

/// One member of a [`GroupRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct GroupMemberRecord {
    /// The member's login id (JSON `loginId`, as Node's types and the API spec spell it; the
    /// Go SDK's `loginID` tag is read too).
    #[serde(rename = "loginId", alias = "loginID")]
    pub login_id: String,
    /// The member's user id.
    pub user_id: String,
    /// Display name.
    pub display: String,
}
