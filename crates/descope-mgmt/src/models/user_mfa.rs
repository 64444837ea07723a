//! A user's second factors as the management API shows them (passkeys), and the bodies of the
//! endpoints that remove them or change one custom attribute.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::de;

/// A passkey (WebAuthn credential) registered by a user, from `mgmt/user/passkeys/list`
/// (go-sdk `user.go:704-743`).
///
/// ```
/// let p: descope_mgmt::Passkey = serde_json::from_str(r#"{"id":"cred1","rpId":"acme.io"}"#).unwrap();
/// assert_eq!(p.rp_id, "acme.io");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Passkey {
    /// The credential id (what removing one passkey takes).
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// The relying party id it is bound to.
    #[serde(deserialize_with = "de::null_default")]
    pub rp_id: String,
    /// The kind of authenticator.
    #[serde(deserialize_with = "de::null_default")]
    pub kind: String,
    /// The name the user gave it.
    #[serde(deserialize_with = "de::null_default")]
    pub display_name: String,
    /// Registration time, epoch seconds.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
}

/// `{"passkeys": [...]}`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PasskeysEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) passkeys: Vec<Passkey>,
}

/// `{"loginId", "attributeKey", "attributeValue"}` of `mgmt/user/update/customAttribute`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomAttributeBody<'a> {
    pub(crate) login_id: &'a str,
    pub(crate) attribute_key: &'a str,
    pub(crate) attribute_value: &'a Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkeys_decode_tolerantly() {
        let e: PasskeysEnvelope = serde_json::from_str(
            r#"{"passkeys":[{"id":"cred1","rpId":"acme.io","kind":"platform","displayName":"Mac","createdTime":"1700000000"},{}]}"#,
        )
        .unwrap();
        assert_eq!(e.passkeys[0].created_time, 1_700_000_000);
        assert_eq!(e.passkeys[1], Passkey::default());
        let e: PasskeysEnvelope = serde_json::from_str(r#"{"passkeys":null}"#).unwrap();
        assert!(e.passkeys.is_empty());
    }
}
