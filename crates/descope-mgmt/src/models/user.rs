//! Users: the user object, its status, and the response envelopes.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::de;

/// A Descope user, as returned by search, load, create, update and the role/tenant endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// Immutable unique id (e.g. `U2J5ES9S8TkvCgOvcrkpzUgVTEBM`).
    #[serde(deserialize_with = "de::null_default")]
    pub user_id: String,
    /// Login ids; the first is the primary one.
    #[serde(deserialize_with = "de::null_default")]
    pub login_ids: Vec<String>,
    /// Display name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Given name.
    #[serde(deserialize_with = "de::null_default")]
    pub given_name: String,
    /// Middle name.
    #[serde(deserialize_with = "de::null_default")]
    pub middle_name: String,
    /// Family name.
    #[serde(deserialize_with = "de::null_default")]
    pub family_name: String,
    /// Email address.
    #[serde(deserialize_with = "de::null_default")]
    pub email: String,
    /// Phone number.
    #[serde(deserialize_with = "de::null_default")]
    pub phone: String,
    /// Whether the email is verified.
    #[serde(deserialize_with = "de::null_default")]
    pub verified_email: bool,
    /// Whether the phone is verified.
    #[serde(deserialize_with = "de::null_default")]
    pub verified_phone: bool,
    /// Project-level (non-tenant) roles.
    #[serde(deserialize_with = "de::null_default")]
    pub role_names: Vec<String>,
    /// Tenant memberships with their tenant roles.
    #[serde(deserialize_with = "de::null_default")]
    pub user_tenants: Vec<UserTenant>,
    /// Project-level permissions.
    #[serde(deserialize_with = "de::null_default")]
    pub permissions: Vec<String>,
    /// Account status.
    pub status: UserStatus,
    /// Creation time, epoch seconds.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
    /// Last modification time, epoch seconds (not always present).
    #[serde(deserialize_with = "de::int64")]
    pub modified_time: i64,
    /// Custom attributes, arbitrary JSON values.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_attributes: Map<String, Value>,
    /// Picture URL.
    #[serde(deserialize_with = "de::null_default")]
    pub picture: String,
    /// True for test users.
    #[serde(deserialize_with = "de::null_default")]
    pub test: bool,
    /// SSO external ids.
    #[serde(deserialize_with = "de::null_default")]
    pub external_ids: Vec<String>,
    /// SSO applications the user may access (empty means all).
    #[serde(deserialize_with = "de::null_default", alias = "ssoAppIDs")]
    pub sso_app_ids: Vec<String>,
    /// Has TOTP set up (wire key `TOTP`).
    #[serde(rename = "TOTP", alias = "totp", deserialize_with = "de::null_default")]
    pub totp: bool,
    /// Signed in through SAML (wire key `SAML`).
    #[serde(rename = "SAML", alias = "saml", deserialize_with = "de::null_default")]
    pub saml: bool,
    /// Provisioned or updated through SCIM (wire key `SCIM`).
    #[serde(rename = "SCIM", alias = "scim", deserialize_with = "de::null_default")]
    pub scim: bool,
    /// Signed in through OIDC (wire key `OIDC`).
    #[serde(rename = "OIDC", alias = "oidc", deserialize_with = "de::null_default")]
    pub oidc: bool,
    /// OAuth providers used (wire key `OAuth`).
    #[serde(
        rename = "OAuth",
        alias = "oauth",
        deserialize_with = "de::null_default"
    )]
    pub oauth: BTreeMap<String, bool>,
    /// Has a passkey.
    #[serde(deserialize_with = "de::null_default")]
    pub webauthn: bool,
    /// Has a password.
    #[serde(deserialize_with = "de::null_default")]
    pub password: bool,
    /// Has push authentication.
    #[serde(deserialize_with = "de::null_default")]
    pub push: bool,
    /// Whether the user may be edited.
    #[serde(deserialize_with = "de::null_default")]
    pub editable: bool,
}

impl User {
    /// The primary login id (the first one), or the user id when there is none.
    pub fn primary_login_id(&self) -> &str {
        self.login_ids
            .first()
            .map_or(self.user_id.as_str(), String::as_str)
    }

    /// The user's roles in one tenant (empty when not a member).
    pub fn tenant_roles(&self, tenant_id: &str) -> &[String] {
        self.user_tenants
            .iter()
            .find(|t| t.tenant_id == tenant_id)
            .map_or(&[], |t| t.role_names.as_slice())
    }

    /// True if the user is a member of the tenant.
    pub fn is_member_of(&self, tenant_id: &str) -> bool {
        self.user_tenants.iter().any(|t| t.tenant_id == tenant_id)
    }
}

/// A user's membership in a tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserTenant {
    /// Tenant id.
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_id: String,
    /// Tenant name.
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_name: String,
    /// Roles the user has in this tenant.
    #[serde(deserialize_with = "de::null_default")]
    pub role_names: Vec<String>,
    /// Permissions the user has in this tenant.
    #[serde(deserialize_with = "de::null_default")]
    pub permissions: Vec<String>,
}

/// A user's account status. Unknown strings decode as [`UserStatus::Other`], never as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserStatus {
    /// `enabled`: may sign in.
    Enabled,
    /// `disabled`: may not sign in.
    Disabled,
    /// `invited`: invited, not yet signed in.
    Invited,
    /// `expired`: the invitation expired.
    Expired,
    /// Missing, `null` or empty.
    #[default]
    Unknown,
    /// A status this crate does not know yet.
    Other(String),
}

impl UserStatus {
    /// The wire string (`""` for [`UserStatus::Unknown`]).
    pub fn as_str(&self) -> &str {
        match self {
            UserStatus::Enabled => "enabled",
            UserStatus::Disabled => "disabled",
            UserStatus::Invited => "invited",
            UserStatus::Expired => "expired",
            UserStatus::Unknown => "",
            UserStatus::Other(s) => s,
        }
    }

    /// Parses a wire string; never fails.
    pub fn parse(s: &str) -> Self {
        match s {
            "enabled" => UserStatus::Enabled,
            "disabled" => UserStatus::Disabled,
            "invited" => UserStatus::Invited,
            "expired" => UserStatus::Expired,
            "" => UserStatus::Unknown,
            other => UserStatus::Other(other.to_owned()),
        }
    }
}

/// The statuses [`crate::Users::update_status`] can set: Descope's status endpoint accepts only
/// `enabled` and `disabled` (the official SDKs reject anything else before sending).
///
/// ```
/// use descope_mgmt::{UserStatus, UserStatusUpdate};
/// assert_eq!(UserStatusUpdate::Disabled.as_str(), "disabled");
/// assert_eq!(UserStatus::from(UserStatusUpdate::Enabled), UserStatus::Enabled);
/// assert!(UserStatusUpdate::try_from(UserStatus::Invited).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatusUpdate {
    /// `enabled`: the user may sign in.
    Enabled,
    /// `disabled`: the user may not sign in.
    Disabled,
}

impl UserStatusUpdate {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatusUpdate::Enabled => "enabled",
            UserStatusUpdate::Disabled => "disabled",
        }
    }
}

impl std::fmt::Display for UserStatusUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<UserStatusUpdate> for UserStatus {
    fn from(s: UserStatusUpdate) -> Self {
        match s {
            UserStatusUpdate::Enabled => UserStatus::Enabled,
            UserStatusUpdate::Disabled => UserStatus::Disabled,
        }
    }
}

impl TryFrom<UserStatus> for UserStatusUpdate {
    type Error = crate::Error;

    /// `Enabled` and `Disabled` convert; any other status is an [`crate::Error::InvalidArgument`].
    fn try_from(s: UserStatus) -> Result<Self, crate::Error> {
        match s {
            UserStatus::Enabled => Ok(UserStatusUpdate::Enabled),
            UserStatus::Disabled => Ok(UserStatusUpdate::Disabled),
            other => Err(crate::Error::InvalidArgument(format!(
                "a user's status can only be set to `enabled` or `disabled`, not {:?}",
                other.as_str()
            ))),
        }
    }
}

impl std::fmt::Display for UserStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for UserStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UserStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        Ok(s.map_or(UserStatus::Unknown, |s| UserStatus::parse(&s)))
    }
}

/// One page of a user search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserPage {
    /// The users on this page.
    #[serde(deserialize_with = "de::null_default")]
    pub users: Vec<User>,
    /// The number of users matching the filter, across all pages.
    #[serde(deserialize_with = "de::uint64")]
    pub total: u64,
}

/// `{"user": {...}}`, the envelope of single-user responses. A missing or `null` user is kept
/// as `None`, so the handler refuses it (see `answer.rs`) rather than reading an empty user.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UserEnvelope {
    pub(crate) user: Option<User>,
}

/// `{"users": [...]}` from load-many.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct UsersEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) users: Vec<User>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_documented_example_with_upper_case_keys() {
        let json = r#"{"userId":"U2abc","loginIds":["jane@acme.io"],"name":"Jane","email":"jane@acme.io",
            "verifiedEmail":true,"roleNames":["viewer"],
            "userTenants":[{"tenantId":"T1","tenantName":"Acme","roleNames":["Tenant Admin"],"permissions":["x"]}],
            "status":"enabled","createdTime":"1700000000","customAttributes":{},"test":false,
            "TOTP":true,"SAML":false,"SCIM":true,"OAuth":{"google":true},"webauthn":false,"password":false,
            "ssoAppIds":null,"brandNew":{"x":1}}"#;
        let u: User = serde_json::from_str(json).unwrap();
        assert_eq!(u.user_id, "U2abc");
        assert_eq!(u.created_time, 1_700_000_000);
        assert!(u.totp && u.scim && !u.saml);
        assert_eq!(u.oauth.get("google"), Some(&true));
        assert_eq!(u.status, UserStatus::Enabled);
        assert_eq!(u.tenant_roles("T1"), ["Tenant Admin".to_owned()]);
        assert!(u.sso_app_ids.is_empty());
    }

    #[test]
    fn unknown_status_is_kept() {
        let u: User = serde_json::from_str(r#"{"status":"suspended"}"#).unwrap();
        assert_eq!(u.status, UserStatus::Other("suspended".into()));
        let u: User = serde_json::from_str(r#"{"status":null}"#).unwrap();
        assert_eq!(u.status, UserStatus::Unknown);
    }
}
