//! Request bodies of the access key endpoints, written from the reference document. Like every
//! emulator wire type they deny unknown fields; every optional field also accepts JSON `null`
//! (GO sends `null` for unset lists and maps, PY for unset values), which means "absent".

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Int64;

/// One `keyTenants[]` item of a request: only `tenantId` and `roleNames` (`tenantName` exists
/// in responses only).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct KeyTenant {
    pub(crate) tenant_id: Option<String>,
    pub(crate) role_names: Option<Vec<String>>,
}

impl KeyTenant {
    pub(crate) fn into_pair(self) -> (String, Vec<String>) {
        (
            self.tenant_id.unwrap_or_default(),
            self.role_names.unwrap_or_default(),
        )
    }
}

/// `POST /v1/mgmt/accesskey/create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct CreateKey {
    pub(crate) name: Option<String>,
    pub(crate) expire_time: Option<Int64>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) key_tenants: Option<Vec<KeyTenant>>,
    pub(crate) user_id: Option<String>,
    pub(crate) custom_claims: Option<Map<String, Value>>,
    pub(crate) description: Option<String>,
    pub(crate) permitted_ips: Option<Vec<String>>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
}

/// `POST /v1/mgmt/accesskey/update`: `id` and `name` required; every other field replaces
/// the stored value when present (non-null) and keeps it when absent or `null`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UpdateKey {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) role_names: Option<Vec<String>>,
    pub(crate) key_tenants: Option<Vec<KeyTenant>>,
    pub(crate) custom_claims: Option<Map<String, Value>>,
    pub(crate) permitted_ips: Option<Vec<String>>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
}

/// One `sort[]` item of a key search.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct KeySort {
    pub(crate) field: Option<String>,
    pub(crate) desc: Option<bool>,
}

/// `POST /v1/mgmt/accesskey/search` (`{}` lists every key; no paging).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct SearchKeys {
    pub(crate) tenant_ids: Option<Vec<String>>,
    pub(crate) bound_user_id: Option<String>,
    pub(crate) creating_user: Option<String>,
    pub(crate) custom_attributes: Option<Map<String, Value>>,
    pub(crate) text: Option<String>,
    pub(crate) sort: Option<Vec<KeySort>>,
}

/// `{"id"}` of activate, deactivate, delete and rotate.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct KeyId {
    pub(crate) id: Option<String>,
}

/// `{"ids":[...]}` of the batch calls.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct KeyIds {
    pub(crate) ids: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::wire::parse;

    #[test]
    fn nulls_are_absent_and_unknown_fields_rejected() {
        // What GO's create sends for a key with only a name.
        let c: CreateKey = parse(
            br#"{"name":"k","expireTime":0,"roleNames":null,"keyTenants":[],"userId":"",
                "customClaims":null,"description":"","permittedIps":null,"customAttributes":null}"#,
        )
        .unwrap();
        assert_eq!(c.name.as_deref(), Some("k"));
        assert!(c.role_names.is_none() && c.custom_claims.is_none());
        let c: CreateKey = parse(br#"{"name":"k","expireTime":"1700000000"}"#).unwrap();
        assert_eq!(c.expire_time, Some(Int64(1_700_000_000)));

        let e =
            parse::<CreateKey>(br#"{"name":"k","keyTenants":[{"tenantId":"T","tenantName":"x"}]}"#)
                .unwrap_err();
        assert_eq!(e.code, "E011003");
        assert!(e.message.contains("tenantName"), "{}", e.message);

        let u: UpdateKey =
            parse(br#"{"id":"K","name":"n","roleNames":[],"keyTenants":null,"description":null}"#)
                .unwrap();
        assert_eq!(u.role_names, Some(vec![]));
        assert!(u.key_tenants.is_none() && u.description.is_none());

        let s: SearchKeys =
            parse(br#"{"tenantIds":null,"boundUserId":null,"creatingUser":null,"customAttributes":null,"sort":[{"field":"name","desc":null}]}"#)
                .unwrap();
        assert!(s.tenant_ids.is_none());
        assert!(parse::<KeyIds>(br#"{"ids":["a"],"id":"b"}"#).is_err());
    }
}
