//! Third-party (inbound) applications and the consents users gave them.
//!
//! Wire shapes from go-sdk `descope/types.go:1649-1663, 1744-1848` and python-sdk 2.16.1
//! `descope/management/third_party_application.py:206-357`; see the `third_party` module of
//! the handlers for what each endpoint does and what stays unverified.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{de, setters};

/// A third-party application: an OAuth client registered in Descope so another party can sign
/// users in and ask them for consent to scopes.
///
/// The app's client secret is never part of it (Descope returns it only from the secret
/// endpoints, which this crate does not call).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ThirdPartyApp {
    /// Application id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Name (unique per project).
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Logo URL.
    #[serde(deserialize_with = "de::null_default")]
    pub logo: String,
    /// Where the app's sign-in page is hosted.
    #[serde(deserialize_with = "de::null_default")]
    pub login_page_url: String,
    /// The OAuth client id.
    #[serde(deserialize_with = "de::null_default")]
    pub client_id: String,
    /// Callback URLs the app may redirect to.
    #[serde(deserialize_with = "de::null_default")]
    pub approved_callback_urls: Vec<String>,
    /// Permission scopes users can consent to (each maps to role or permission values).
    #[serde(deserialize_with = "de::null_default")]
    pub permissions_scopes: Vec<AppScope>,
    /// Attribute scopes users can consent to (each maps to user attributes). Sent by the
    /// Python and Node SDKs; not in the Go SDK's type.
    #[serde(deserialize_with = "de::null_default")]
    pub attributes_scopes: Vec<AppScope>,
    /// How requested scopes map to token claims, and which scopes are mandatory.
    #[serde(deserialize_with = "de::null_default")]
    pub scope_claim_mapping: Vec<ScopeClaimMapping>,
    /// Custom attributes.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_attributes: Map<String, Value>,
    /// Whether PKCE is required on the authorization-code flow.
    #[serde(deserialize_with = "de::null_default")]
    pub force_pkce: bool,
    /// The default `aud` of issued tokens: `projectId`, `clientId`, or empty (both).
    #[serde(deserialize_with = "de::null_default")]
    pub default_audience: String,
}

impl ThirdPartyApp {
    /// Every scope a user can consent to: permission scopes, then attribute scopes.
    ///
    /// ```
    /// let app: descope_mgmt::ThirdPartyApp = serde_json::from_str(
    ///     r#"{"id":"TPA1","permissionsScopes":[{"name":"read"}],"attributesScopes":[{"name":"email"}]}"#,
    /// ).unwrap();
    /// let names: Vec<_> = app.scopes().map(|s| s.name.as_str()).collect();
    /// assert_eq!(names, ["read", "email"]);
    /// ```
    pub fn scopes(&self) -> impl Iterator<Item = &AppScope> {
        self.permissions_scopes
            .iter()
            .chain(&self.attributes_scopes)
    }
}

/// One scope of a [`ThirdPartyApp`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppScope {
    /// Scope name, as it appears in a consent's [`scopes`](Consent::scopes).
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description shown on the consent screen.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// The roles, permissions or attributes the scope grants.
    #[serde(deserialize_with = "de::null_default")]
    pub values: Vec<String>,
    /// Whether the user may leave it out (Node SDK `optional`; absent elsewhere).
    #[serde(deserialize_with = "de::null_default")]
    pub optional: bool,
}

/// How one requested scope maps to token claims (go-sdk `types.go:1656-1669`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScopeClaimMapping {
    /// The scope.
    #[serde(deserialize_with = "de::null_default")]
    pub scope: String,
    /// Claim name → value template.
    #[serde(deserialize_with = "de::null_default")]
    pub claims: Map<String, Value>,
    /// Description shown on the consent screen.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Reuses the project-wide mapping for this scope.
    #[serde(deserialize_with = "de::null_default")]
    pub use_project_mapping: bool,
    /// Always granted; cannot be deselected on consent.
    #[serde(deserialize_with = "de::null_default")]
    pub mandatory: bool,
}

/// A user's consent to a third-party application: which scopes, granted by whom, when.
///
/// ```
/// let c: descope_mgmt::Consent = serde_json::from_str(
///     r#"{"id":"CN1","appId":"TPA1","userId":"U1","scopes":["read"],"grantedBy":"U1","createdTime":1700000000}"#,
/// ).unwrap();
/// assert_eq!((c.app_id.as_str(), c.scopes.len()), ("TPA1", 1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Consent {
    /// Consent id (what [`ThirdPartyApps::delete_consents`] takes).
    ///
    /// [`ThirdPartyApps::delete_consents`]: crate::ThirdPartyApps::delete_consents
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// The application.
    #[serde(deserialize_with = "de::null_default")]
    pub app_id: String,
    /// The user who consented (empty for a tenant-level consent, unverified).
    #[serde(deserialize_with = "de::null_default")]
    pub user_id: String,
    /// Scope names granted.
    #[serde(deserialize_with = "de::null_default")]
    pub scopes: Vec<String>,
    /// The user id the consent was granted by.
    #[serde(deserialize_with = "de::null_default")]
    pub granted_by: String,
    /// When it was granted. The Go SDK's comment says milliseconds, but its type is an `int32`
    /// and its `GetCreatedTime` reads seconds (`types.go:1798-1800, 1849-1851`): **unit
    /// unverified**; kept as sent.
    #[serde(deserialize_with = "de::int64")]
    pub created_time: i64,
    /// The tenant the consent was granted for (empty: none).
    #[serde(deserialize_with = "de::null_default")]
    pub tenant_id: String,
    /// When the consent expires (0: never, or not sent); unit as `created_time`.
    #[serde(deserialize_with = "de::int64")]
    pub expire_time: i64,
    /// When it last changed (0 when not sent); unit as `created_time`.
    #[serde(deserialize_with = "de::int64")]
    pub modified_time: i64,
}

/// The body of `POST /v1/mgmt/thirdparty/consents/search`: every filter set must match.
/// Unset filters are not sent.
///
/// ```
/// use descope_mgmt::SearchConsentsRequest;
/// let req = SearchConsentsRequest::new().app_id("TPA1").limit(100);
/// assert_eq!(serde_json::to_value(&req).unwrap(), serde_json::json!({"appId":"TPA1","limit":100}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchConsentsRequest {
    /// Only this application's consents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Only this user's consents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Only this consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<String>,
    /// Only consents granted for this tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Page number, from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Consents per page (the server's default and maximum are unverified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl SearchConsentsRequest {
    /// A search for every consent of the project.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(SearchConsentsRequest {
    opt_str app_id: String,
    opt_str user_id: String,
    opt_str consent_id: String,
    opt_str tenant_id: String,
    opt page: u32,
    opt limit: u32,
});

/// One page of a consent search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ConsentPage {
    /// The consents of this page.
    #[serde(deserialize_with = "de::null_default")]
    pub consents: Vec<Consent>,
    /// How many consents match in all, when the server says (`None` when it does not).
    #[serde(default, deserialize_with = "optional_total")]
    pub total: Option<u64>,
}

/// `total` as a number or numeric string; absent or `null` is `None`.
fn optional_total<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v: Option<Value> = Option::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => de::uint64(v).map(Some).map_err(serde::de::Error::custom),
    }
}

/// `{"apps": [...], "total": n}` from the application listing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ThirdPartyAppsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) apps: Vec<ThirdPartyApp>,
    #[serde(deserialize_with = "optional_total")]
    pub(crate) total: Option<u64>,
}

/// Load-one answers with the application flat at the root (go-sdk
/// `third_party_application.go:311-318`); `{"app": ...}` is read too.
#[derive(Deserialize, Default)]
pub(crate) struct MaybeWrappedThirdPartyApp {
    #[serde(default)]
    app: Option<ThirdPartyApp>,
    #[serde(flatten)]
    flat: ThirdPartyApp,
}

impl MaybeWrappedThirdPartyApp {
    /// The application, or `None` when the answer holds none.
    pub(crate) fn into_app(self) -> Option<ThirdPartyApp> {
        match self.app {
            Some(app) => Some(app),
            None if !self.flat.id.is_empty() => Some(self.flat),
            None => None,
        }
    }
}

/// `{"page": p, "limit": l}` for the paged (POST) application listing.
#[derive(Serialize)]
pub(crate) struct PageBody {
    pub(crate) page: u32,
    pub(crate) limit: u32,
}

/// `{"consentIds": [...]}`: the only consent delete this crate sends.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConsentIdsBody<'a> {
    pub(crate) consent_ids: &'a [String],
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn consent_decodes_every_field_and_tolerates_nulls() {
        let c: Consent = serde_json::from_value(json!({
            "id":"C1","appId":"TPA1","userId":"U1","scopes":["read","email"],
            "grantedBy":"U1","createdTime":"1700000000","tenantId":"T1","expireTime":null,
            "somethingNew":true
        }))
        .unwrap();
        assert_eq!(c.scopes, ["read", "email"]);
        assert_eq!(c.created_time, 1_700_000_000);
        assert_eq!(c.expire_time, 0);
        let page: ConsentPage = serde_json::from_value(json!({"consents":null})).unwrap();
        assert!(page.consents.is_empty() && page.total.is_none());
        let page: ConsentPage = serde_json::from_value(json!({"total":"7"})).unwrap();
        assert_eq!(page.total, Some(7));
        assert!(serde_json::from_value::<ConsentPage>(json!({"total":"x"})).is_err());
    }

    #[test]
    fn app_keeps_scopes_of_both_kinds() {
        let a: ThirdPartyApp = serde_json::from_value(json!({
            "id":"TPA1","name":"Partner","clientId":"C1",
            "permissionsScopes":[{"name":"admin","description":"Admin","values":["Tenant Admin"]}],
            "attributesScopes":[{"name":"email","values":["email"],"optional":true}],
            "scopeClaimMapping":[{"scope":"admin","mandatory":true}],
            "jwtBearerSettings":{"issuers":{}}
        }))
        .unwrap();
        assert_eq!(a.permissions_scopes[0].values, ["Tenant Admin"]);
        assert!(a.attributes_scopes[0].optional);
        assert!(a.scope_claim_mapping[0].mandatory);
        assert_eq!(a.scopes().count(), 2);
    }

    #[test]
    fn load_one_is_flat_or_wrapped() {
        let flat: MaybeWrappedThirdPartyApp = serde_json::from_str(r#"{"id":"A1"}"#).unwrap();
        assert_eq!(flat.into_app().unwrap().id, "A1");
        let wrapped: MaybeWrappedThirdPartyApp =
            serde_json::from_str(r#"{"app":{"id":"A2"}}"#).unwrap();
        assert_eq!(wrapped.into_app().unwrap().id, "A2");
        let empty: MaybeWrappedThirdPartyApp = serde_json::from_str("{}").unwrap();
        assert!(empty.into_app().is_none());
    }
}
