//! SSO/SCIM groups of a tenant (read-only).

use serde::{Deserialize, Serialize};

use super::de;
use super::list::{ListKey, ListOrEnvelope};

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
    /// Login id (wire `loginId`; the Go SDK's `loginID` spelling is accepted too).
    #[serde(alias = "loginID", deserialize_with = "de::null_default")]
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

pub(crate) struct GroupsKey;
impl ListKey for GroupsKey {
    const KEY: &'static str = "groups";
}

/// Group endpoints answer with a bare JSON array (what the SDKs see) or `{"groups": [...]}` (what
/// the API spec says); `null` means none.
#[derive(Default)]
pub(crate) struct GroupList(pub(crate) Vec<Group>);

impl<'de> Deserialize<'de> for GroupList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ListOrEnvelope::<Group, GroupsKey>::deserialize(d).map(|l| GroupList(l.into_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_and_both_spellings() {
        let bare: GroupList =
            serde_json::from_str(r#"[{"id":"G1","members":[{"loginID":"a"}]}]"#).unwrap();
        assert_eq!(bare.0[0].members[0].login_id, "a");
        let wrapped: GroupList =
            serde_json::from_str(r#"{"groups":[{"id":"G2","members":[{"loginId":"b"}]}]}"#)
                .unwrap();
        assert_eq!(wrapped.0[0].members[0].login_id, "b");
        assert!(
            serde_json::from_str::<GroupList>("null")
                .unwrap()
                .0
                .is_empty()
        );
        let member = serde_json::to_value(&wrapped.0[0].members[0]).unwrap();
        assert_eq!(member["loginId"], "b");
    }
}
