//! SSO/SCIM groups of a tenant (read-only).

use serde::{Deserialize, Serialize};

use super::de;

/// A group synchronised into a tenant from an identity provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// Group id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Display name.
    #[serde(deserialize_with = "de::null_default")]
    pub display: String,
    /// Members.
    #[serde(deserialize_with = "de::null_default")]
    pub members: Vec<GroupMember>,
    /// `scim` or `jit`.
    #[serde(deserialize_with = "de::null_default")]
    pub source: String,
    /// SSO configuration id.
    #[serde(deserialize_with = "de::null_default")]
    pub sso_id: String,
}

/// A member of a [`Group`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupMember {
    /// Login id (wire `loginID`, also accepted as `loginId`).
    #[serde(
        rename = "loginID",
        alias = "loginId",
        deserialize_with = "de::null_default"
    )]
    pub login_id: String,
    /// User id.
    #[serde(deserialize_with = "de::null_default")]
    pub user_id: String,
    /// Display name.
    #[serde(deserialize_with = "de::null_default")]
    pub display: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupsBody<'a> {
    pub(crate) tenant_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sso_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupsForMembersBody<'a> {
    pub(crate) tenant_id: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub(crate) login_ids: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub(crate) user_ids: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupMembersBody<'a> {
    pub(crate) tenant_id: &'a str,
    pub(crate) group_id: &'a str,
}

/// Group endpoints answer with a bare JSON array (`null` means none).
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub(crate) struct GroupList(#[serde(deserialize_with = "de::null_default")] pub(crate) Vec<Group>);
