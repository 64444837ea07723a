//! SCIM 2.0 resources (RFC 7643/7644) as served by Descope at `/scim/v2`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{de, setters};

/// The SCIM core User schema URN.
pub const SCIM_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The SCIM core Group schema URN.
pub const SCIM_GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The SCIM PatchOp message URN.
pub const SCIM_PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM user. Used both as the request body of create/replace and as the decoded response;
/// server-owned fields (`id`, `meta`) are never sent.
///
/// ```
/// use descope_mgmt::{ScimUser, ScimMultiValue};
/// let user = ScimUser::new("jane@acme.io")
///     .display_name("Jane Doe")
///     .emails(vec![ScimMultiValue::primary("jane@acme.io", "work")])
///     .active(true);
/// assert_eq!(user.user_name, "jane@acme.io");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimUser {
    /// Schema URNs.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub schemas: Vec<String>,
    /// Descope user id (server-assigned).
    #[serde(skip_serializing, deserialize_with = "de::null_default")]
    pub id: String,
    /// The identity provider's id for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The login id.
    #[serde(deserialize_with = "de::null_default")]
    pub user_name: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Structured name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<ScimName>,
    /// Emails.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub emails: Vec<ScimMultiValue>,
    /// Phone numbers.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub phone_numbers: Vec<ScimMultiValue>,
    /// Active (enabled) flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Groups the user belongs to (read-only).
    #[serde(skip_serializing, deserialize_with = "de::null_default")]
    pub groups: Vec<ScimMember>,
    /// Resource metadata (read-only).
    #[serde(skip_serializing)]
    pub meta: Option<ScimMeta>,
}

impl ScimUser {
    /// A user with the core schema and `user_name` set.
    pub fn new(user_name: impl Into<String>) -> Self {
        ScimUser {
            schemas: vec![SCIM_USER_SCHEMA.to_owned()],
            user_name: user_name.into(),
            ..Self::default()
        }
    }
}

setters!(ScimUser {
    opt_str external_id: String,
    opt_str display_name: String,
    opt name: ScimName,
    val emails: Vec<ScimMultiValue>,
    val phone_numbers: Vec<ScimMultiValue>,
    opt active: bool,
});

/// A SCIM structured name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimName {
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name, formatted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
}

impl ScimName {
    /// A name with given and family parts.
    pub fn new(given_name: impl Into<String>, family_name: impl Into<String>) -> Self {
        ScimName {
            given_name: Some(given_name.into()),
            family_name: Some(family_name.into()),
            ..Self::default()
        }
    }
}

/// A SCIM multi-valued attribute entry (email, phone number).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimMultiValue {
    /// The value.
    #[serde(deserialize_with = "de::null_default")]
    pub value: String,
    /// Primary flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// `work`, `home`, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl ScimMultiValue {
    /// A primary value of the given type.
    pub fn primary(value: impl Into<String>, kind: impl Into<String>) -> Self {
        ScimMultiValue {
            value: value.into(),
            primary: Some(true),
            kind: Some(kind.into()),
        }
    }
}

/// A group member or a user's group reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimMember {
    /// The member's (or group's) id.
    #[serde(deserialize_with = "de::null_default")]
    pub value: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl ScimMember {
    /// A reference to `value`.
    pub fn new(value: impl Into<String>) -> Self {
        ScimMember {
            value: value.into(),
            display: None,
        }
    }
}

/// SCIM resource metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimMeta {
    /// `User` or `Group`.
    #[serde(deserialize_with = "de::null_default")]
    pub resource_type: String,
    /// Creation time: RFC 3339 text as the SCIM standard says, or whatever else the server
    /// sends, kept as it came.
    pub created: ScimTime,
    /// Last modification time, like `created`.
    pub last_modified: ScimTime,
    /// Canonical URL.
    #[serde(deserialize_with = "de::null_default")]
    pub location: String,
    /// Version (ETag).
    #[serde(deserialize_with = "de::null_default")]
    pub version: String,
}

/// A timestamp in SCIM metadata. The standard says RFC 3339 text; a server that sends something
/// else (an object, a number) does not fail the whole resource: the value is kept as it came.
///
/// ```
/// use descope_mgmt::ScimTime;
/// let t: ScimTime = serde_json::from_str(r#""2024-01-01T00:00:00Z""#).unwrap();
/// assert_eq!(t.as_text(), Some("2024-01-01T00:00:00Z"));
/// let odd: ScimTime = serde_json::from_str(r#"{"seconds":1704067200}"#).unwrap();
/// assert_eq!(odd.as_text(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScimTime {
    /// Text, as the standard says (empty when missing or `null`).
    Text(String),
    /// Anything else, as sent.
    Raw(serde_json::Value),
}

impl Default for ScimTime {
    fn default() -> Self {
        ScimTime::Text(String::new())
    }
}

impl ScimTime {
    /// The text, when the server sent a non-empty string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ScimTime::Text(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

impl Serialize for ScimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ScimTime::Text(t) => s.serialize_str(t),
            ScimTime::Raw(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ScimTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => ScimTime::Text(s),
            serde_json::Value::Null => ScimTime::default(),
            other => ScimTime::Raw(other),
        })
    }
}

/// A SCIM group (a Descope role within the tenant, through the group-mapping rules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimGroup {
    /// Schema URNs.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub schemas: Vec<String>,
    /// Group id (server-assigned).
    #[serde(skip_serializing, deserialize_with = "de::null_default")]
    pub id: String,
    /// Display name.
    #[serde(deserialize_with = "de::null_default")]
    pub display_name: String,
    /// The identity provider's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Members.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub members: Vec<ScimMember>,
    /// Metadata (read-only).
    #[serde(skip_serializing)]
    pub meta: Option<ScimMeta>,
}

impl ScimGroup {
    /// A group with the core schema and `display_name` set.
    pub fn new(display_name: impl Into<String>) -> Self {
        ScimGroup {
            schemas: vec![SCIM_GROUP_SCHEMA.to_owned()],
            display_name: display_name.into(),
            ..Self::default()
        }
    }
}

setters!(ScimGroup {
    opt_str external_id: String,
    val members: Vec<ScimMember>,
});

/// A SCIM list response, one page of resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    default,
    rename_all = "camelCase",
    bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>")
)]
#[non_exhaustive]
pub struct ScimListResponse<T> {
    /// Schema URNs.
    #[serde(deserialize_with = "de::null_default")]
    pub schemas: Vec<String>,
    /// Matches across all pages.
    #[serde(deserialize_with = "de::uint64")]
    pub total_results: u64,
    /// 1-based index of the first resource on this page.
    #[serde(deserialize_with = "de::uint64")]
    pub start_index: u64,
    /// Resources on this page.
    #[serde(deserialize_with = "de::uint64")]
    pub items_per_page: u64,
    /// The resources (wire `Resources`).
    #[serde(
        rename = "Resources",
        alias = "resources",
        deserialize_with = "de::null_default"
    )]
    pub resources: Vec<T>,
}

impl<T> Default for ScimListResponse<T> {
    fn default() -> Self {
        ScimListResponse {
            schemas: Vec::new(),
            total_results: 0,
            start_index: 0,
            items_per_page: 0,
            resources: Vec::new(),
        }
    }
}

/// Query parameters of a SCIM list (`filter`, `startIndex`, `count`, `excludedAttributes`).
///
/// ```
/// let q = descope_mgmt::ScimListQuery::new().filter("userName eq \"jane@acme.io\"").count(50);
/// assert_eq!(q.count, Some(50));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScimListQuery {
    /// A SCIM filter expression.
    pub filter: Option<String>,
    /// 1-based start index.
    pub start_index: Option<u64>,
    /// Page size.
    pub count: Option<u64>,
    /// Attributes to leave out (groups: e.g. `members`).
    pub excluded_attributes: Option<String>,
}

impl ScimListQuery {
    /// No filter, server-default paging.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(f) = &self.filter {
            q.push(("filter", f.clone()));
        }
        if let Some(s) = self.start_index {
            q.push(("startIndex", s.to_string()));
        }
        if let Some(c) = self.count {
            q.push(("count", c.to_string()));
        }
        if let Some(e) = &self.excluded_attributes {
            q.push(("excludedAttributes", e.clone()));
        }
        q
    }
}

setters!(ScimListQuery {
    opt_str filter: String,
    opt start_index: u64,
    opt count: u64,
    opt_str excluded_attributes: String,
});

/// One operation of a SCIM PATCH.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ScimPatchOperation {
    /// `add`, `remove` or `replace`.
    pub op: String,
    /// Target attribute path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl ScimPatchOperation {
    /// Adds `members` to a group.
    pub fn add_members<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        let members: Vec<Value> = ids
            .into_iter()
            .map(|id| serde_json::json!({ "value": id.into() }))
            .collect();
        ScimPatchOperation {
            op: "add".into(),
            path: Some("members".into()),
            value: Some(Value::Array(members)),
        }
    }

    /// Removes one member from a group.
    pub fn remove_member(id: &str) -> Self {
        ScimPatchOperation {
            op: "remove".into(),
            path: Some(format!("members[value eq \"{}\"]", id.replace('"', "\\\""))),
            value: None,
        }
    }

    /// Replaces an attribute.
    pub fn replace(path: impl Into<String>, value: Value) -> Self {
        ScimPatchOperation {
            op: "replace".into(),
            path: Some(path.into()),
            value: Some(value),
        }
    }
}

/// A SCIM PATCH request (standard `PatchOp` message with `Operations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ScimPatchRequest {
    /// Always the PatchOp URN.
    pub schemas: Vec<String>,
    /// The operations.
    #[serde(rename = "Operations")]
    pub operations: Vec<ScimPatchOperation>,
}

impl ScimPatchRequest {
    /// A PATCH with `operations`.
    pub fn new(operations: Vec<ScimPatchOperation>) -> Self {
        ScimPatchRequest {
            schemas: vec![SCIM_PATCH_OP_SCHEMA.to_owned()],
            operations,
        }
    }
}

/// A supported/unsupported flag in the service provider configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimSupported {
    /// Supported.
    #[serde(deserialize_with = "de::null_default")]
    pub supported: bool,
}

/// Bulk capabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimBulk {
    /// Supported.
    #[serde(deserialize_with = "de::null_default")]
    pub supported: bool,
    /// Max operations per request.
    #[serde(deserialize_with = "de::uint64")]
    pub max_operations: u64,
    /// Max payload size in bytes.
    #[serde(deserialize_with = "de::uint64")]
    pub max_payload_size: u64,
}

/// Filter capabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimFilter {
    /// Supported.
    #[serde(deserialize_with = "de::null_default")]
    pub supported: bool,
    /// Max results per list.
    #[serde(deserialize_with = "de::uint64")]
    pub max_results: u64,
}

/// An authentication scheme in the service provider configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimAuthScheme {
    /// e.g. `oauthbearertoken`.
    #[serde(rename = "type", deserialize_with = "de::null_default")]
    pub kind: String,
    /// Name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
}

/// `GET /scim/v2/ServiceProviderConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimServiceProviderConfig {
    /// Schema URNs.
    #[serde(deserialize_with = "de::null_default")]
    pub schemas: Vec<String>,
    /// PATCH support.
    #[serde(deserialize_with = "de::null_default")]
    pub patch: ScimSupported,
    /// Bulk support.
    #[serde(deserialize_with = "de::null_default")]
    pub bulk: ScimBulk,
    /// Filter support.
    #[serde(deserialize_with = "de::null_default")]
    pub filter: ScimFilter,
    /// Password change support.
    #[serde(deserialize_with = "de::null_default")]
    pub change_password: ScimSupported,
    /// Sort support.
    #[serde(deserialize_with = "de::null_default")]
    pub sort: ScimSupported,
    /// ETag support.
    #[serde(deserialize_with = "de::null_default")]
    pub etag: ScimSupported,
    /// Authentication schemes.
    #[serde(deserialize_with = "de::null_default")]
    pub authentication_schemes: Vec<ScimAuthScheme>,
}

/// An entry of `GET /scim/v2/ResourceTypes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimResourceType {
    /// Id (`User`, `Group`).
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Endpoint (`/Users`).
    #[serde(deserialize_with = "de::null_default")]
    pub endpoint: String,
    /// Schema URN.
    #[serde(deserialize_with = "de::null_default")]
    pub schema: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
}

/// Descope's docs show single users wrapped as `{"user": {...}}`; standard SCIM returns the user
/// flat. Accept both.
#[derive(Deserialize)]
pub(crate) struct MaybeWrappedUser {
    #[serde(default)]
    user: Option<ScimUser>,
    #[serde(flatten)]
    flat: ScimUser,
}

impl MaybeWrappedUser {
    pub(crate) fn into_user(self) -> ScimUser {
        self.user.unwrap_or(self.flat)
    }
}

/// Resource types come as a list response or as a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ResourceTypes {
    List(ScimListResponse<ScimResourceType>),
    Bare(Vec<ScimResourceType>),
}

impl ResourceTypes {
    pub(crate) fn into_vec(self) -> Vec<ScimResourceType> {
        match self {
            ResourceTypes::List(l) => l.resources,
            ResourceTypes::Bare(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_request_omits_server_fields() {
        let mut u = ScimUser::new("a@b.c").active(true);
        u.id = "U1".into();
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"schemas":[SCIM_USER_SCHEMA],"userName":"a@b.c","active":true})
        );
    }

    #[test]
    fn meta_times_decode_as_text_or_raw() {
        let u: ScimUser = serde_json::from_str(
            r#"{"id":"U1","meta":{"created":{"seconds":1},"lastModified":"2024-01-02T00:00:00Z"}}"#,
        )
        .unwrap();
        let meta = u.meta.unwrap();
        assert_eq!(
            meta.created,
            ScimTime::Raw(serde_json::json!({"seconds": 1}))
        );
        assert_eq!(meta.last_modified.as_text(), Some("2024-01-02T00:00:00Z"));
        let u: ScimUser =
            serde_json::from_str(r#"{"meta":{"created":null,"lastModified":5}}"#).unwrap();
        let meta = u.meta.unwrap();
        assert_eq!(meta.created.as_text(), None);
        assert_eq!(meta.last_modified, ScimTime::Raw(serde_json::json!(5)));
    }

    #[test]
    fn wrapped_and_flat_users_decode() {
        let flat: MaybeWrappedUser = serde_json::from_str(r#"{"id":"U1","userName":"a"}"#).unwrap();
        assert_eq!(flat.into_user().id, "U1");
        let wrapped: MaybeWrappedUser =
            serde_json::from_str(r#"{"user":{"id":"U2","userName":"b"}}"#).unwrap();
        assert_eq!(wrapped.into_user().id, "U2");
    }
}
