//! Permissions.

use serde::{Deserialize, Serialize};

use super::de;

/// A permission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Permission {
    /// Permission id (not always sent).
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Permission name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Built in to Descope.
    #[serde(deserialize_with = "de::null_default")]
    pub system_default: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PermissionBody<'a> {
    pub(crate) name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) new_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PermissionsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) permissions: Vec<Permission>,
}
