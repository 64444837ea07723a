//! Outbound applications: third-party services (Google, Slack, ...) Descope holds OAuth tokens
//! for on behalf of users and tenants.
//!
//! Wire shapes from go-sdk `descope/types.go:1486-1505` and
//! `descope/internal/mgmt/outbound_application.go:79-91, 202-222`. This crate never fetches a
//! token: no model here holds one, and unknown fields of an application are dropped rather than
//! kept, so a secret a server might add to the listing is never stored.

use serde::{Deserialize, Serialize};

use super::de;

/// An outbound application (the tokens users hold for it are not part of it).
///
/// ```
/// let app: descope_mgmt::OutboundApp =
///     serde_json::from_str(r#"{"id":"OA1","name":"Slack","defaultScopes":["chat:write"]}"#).unwrap();
/// assert_eq!(app.default_scopes, ["chat:write"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutboundApp {
    /// Application id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// The app-library template it was made from (empty for a custom app).
    #[serde(deserialize_with = "de::null_default")]
    pub template_id: String,
    /// OAuth client id at the provider.
    #[serde(deserialize_with = "de::null_default")]
    pub client_id: String,
    /// Logo URL.
    #[serde(deserialize_with = "de::null_default")]
    pub logo: String,
    /// OIDC discovery URL.
    #[serde(deserialize_with = "de::null_default")]
    pub discovery_url: String,
    /// The provider's authorization URL.
    #[serde(deserialize_with = "de::null_default")]
    pub authorization_url: String,
    /// The provider's token URL.
    #[serde(deserialize_with = "de::null_default")]
    pub token_url: String,
    /// The provider's revocation URL.
    #[serde(deserialize_with = "de::null_default")]
    pub revocation_url: String,
    /// Scopes requested by default.
    #[serde(deserialize_with = "de::null_default")]
    pub default_scopes: Vec<String>,
    /// Default redirect URL.
    #[serde(deserialize_with = "de::null_default")]
    pub default_redirect_url: String,
    /// Callback domain.
    #[serde(deserialize_with = "de::null_default")]
    pub callback_domain: String,
    /// Whether PKCE is used.
    #[serde(deserialize_with = "de::null_default")]
    pub pkce: bool,
    /// `offline` (a refresh token is kept) or `online`.
    #[serde(deserialize_with = "de::null_default")]
    pub access_type: String,
    /// Prompt values sent to the provider (`none`, `login`, `consent`, `select_account`).
    #[serde(deserialize_with = "de::null_default")]
    pub prompt: Vec<String>,
}

/// `{"apps": [...]}` from load-all.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OutboundAppsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) apps: Vec<OutboundApp>,
}

/// `{"app": {...}}` from load-one.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OutboundAppEnvelope {
    pub(crate) app: Option<OutboundApp>,
}

/// `{"appIds": [...]}` from apps-with-user-token. A missing or `null` list is an empty one:
/// protobuf's JSON leaves empty lists out, as for every other list answer.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct AppIdsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) app_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_app_keeps_no_unknown_field() {
        let app: OutboundApp = serde_json::from_value(json!({
            "id":"OA1","name":"Google","clientId":"cid","clientSecret":"never-kept",
            "defaultScopes":["openid"],"prompt":null,"accessType":"offline","pkce":true
        }))
        .unwrap();
        assert_eq!(app.default_scopes, ["openid"]);
        assert!(app.prompt.is_empty() && app.pkce);
        let back = serde_json::to_string(&app).unwrap();
        assert!(!back.contains("never-kept"), "{back}");
    }

    #[test]
    fn app_ids_absent_or_null_are_empty() {
        for body in ["{}", r#"{"appIds":null}"#, r#"{"appIds":[]}"#] {
            let e: AppIdsEnvelope = serde_json::from_str(body).unwrap();
            assert!(e.app_ids.is_empty(), "{body}");
        }
        assert!(serde_json::from_str::<AppIdsEnvelope>(r#"{"appIds":"OA1"}"#).is_err());
    }
}
