//! SSO applications: Descope acting as the identity provider for SAML, OIDC and WS-Fed apps.
//!
//! The settings objects are large and grow often; the fields a reviewer of access needs (entity
//! id, ACS URL, issuer, client id, attribute and group mappings) are typed, and everything else
//! is kept in `other` so nothing the server sends is lost.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::de;

/// An SSO application (Descope as the IdP).
///
/// Which users may use it is on the user: [`crate::User::sso_app_ids`] (an empty list means
/// every application). No endpoint lists the users of an application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct SsoApplication {
    /// Application id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(deserialize_with = "de::null_default")]
    pub description: String,
    /// Whether users can sign in to it.
    #[serde(deserialize_with = "de::null_default")]
    pub enabled: bool,
    /// Logo URL.
    #[serde(deserialize_with = "de::null_default")]
    pub logo: String,
    /// `saml`, `oidc`, `wsfed` (unverified spelling) or something newer.
    pub app_type: SsoAppType,
    /// SAML settings, for SAML apps.
    pub saml_settings: Option<SamlSettings>,
    /// OIDC settings, for OIDC apps.
    pub oidc_settings: Option<OidcSettings>,
    /// WS-Fed settings, for WS-Fed apps (wire `wsFedSettings`, also accepted as
    /// `wsfedSettings`: the SDKs disagree).
    #[serde(alias = "wsfedSettings")]
    pub ws_fed_settings: Option<WsFedSettings>,
    /// Per-application custom attributes.
    #[serde(deserialize_with = "de::null_default")]
    pub custom_attributes: Map<String, Value>,
}

/// The protocol of an [`SsoApplication`]. Unknown strings are kept in
/// [`SsoAppType::Other`], never an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SsoAppType {
    /// `saml`.
    Saml,
    /// `oidc`.
    Oidc,
    /// `wsfed` (the exact string is unverified; `ws-fed` and `wsFed` are read as this too).
    WsFed,
    /// Missing, `null` or empty.
    #[default]
    Unknown,
    /// A type this crate does not know yet.
    Other(String),
}

impl SsoAppType {
    /// The wire string (`""` for [`SsoAppType::Unknown`]).
    pub fn as_str(&self) -> &str {
        match self {
            SsoAppType::Saml => "saml",
            SsoAppType::Oidc => "oidc",
            SsoAppType::WsFed => "wsfed",
            SsoAppType::Unknown => "",
            SsoAppType::Other(s) => s,
        }
    }

    /// Parses a wire string (case-insensitively); never fails.
    ///
    /// ```
    /// use descope_mgmt::SsoAppType;
    /// assert_eq!(SsoAppType::parse("SAML"), SsoAppType::Saml);
    /// assert_eq!(SsoAppType::parse("cas"), SsoAppType::Other("cas".into()));
    /// ```
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "saml" => SsoAppType::Saml,
            "oidc" => SsoAppType::Oidc,
            "wsfed" | "ws-fed" | "ws_fed" => SsoAppType::WsFed,
            "" => SsoAppType::Unknown,
            _ => SsoAppType::Other(s.to_owned()),
        }
    }
}

impl std::fmt::Display for SsoAppType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SsoAppType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SsoAppType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        Ok(s.map_or(SsoAppType::Unknown, |s| SsoAppType::parse(&s)))
    }
}

/// The SAML settings of an application (the service provider's side and the IdP's own).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamlSettings {
    /// The service provider's entity id.
    #[serde(deserialize_with = "de::null_default")]
    pub entity_id: String,
    /// The service provider's assertion consumer service URL.
    #[serde(deserialize_with = "de::null_default")]
    pub acs_url: String,
    /// Other ACS URLs the app may ask for.
    #[serde(deserialize_with = "de::null_default")]
    pub acs_allowed_callbacks: Vec<String>,
    /// The service provider's metadata URL.
    #[serde(deserialize_with = "de::null_default")]
    pub metadata_url: String,
    /// Descope's (the IdP's) entity id.
    #[serde(deserialize_with = "de::null_default")]
    pub idp_entity_id: String,
    /// Descope's SSO URL.
    #[serde(deserialize_with = "de::null_default")]
    pub idp_sso_url: String,
    /// User attributes sent in assertions.
    #[serde(deserialize_with = "de::null_default")]
    pub attribute_mapping: Vec<AttributeMapping>,
    /// Groups sent in assertions, and the roles that produce them.
    #[serde(deserialize_with = "de::null_default")]
    pub groups_mapping: Vec<GroupsMapping>,
    /// Every other setting, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The OIDC settings of an application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct OidcSettings {
    /// Token issuer.
    #[serde(deserialize_with = "de::null_default")]
    pub issuer: String,
    /// Discovery URL.
    #[serde(deserialize_with = "de::null_default")]
    pub discovery_url: String,
    /// The app's dedicated client id (newer apps; empty for legacy ones).
    #[serde(deserialize_with = "de::null_default")]
    pub client_id: String,
    /// `confidential`, `public`, or empty (legacy).
    #[serde(deserialize_with = "de::null_default")]
    pub client_type: String,
    /// Redirect URLs the app may use.
    #[serde(deserialize_with = "de::null_default")]
    pub approved_redirect_urls: Vec<String>,
    /// Every other setting, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The WS-Fed settings of an application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct WsFedSettings {
    /// The relying party's realm.
    #[serde(deserialize_with = "de::null_default")]
    pub realm: String,
    /// Reply URL.
    #[serde(deserialize_with = "de::null_default")]
    pub reply_url: String,
    /// Descope's (the IdP's) entity id.
    #[serde(deserialize_with = "de::null_default")]
    pub idp_entity_id: String,
    /// User attributes sent in tokens.
    #[serde(deserialize_with = "de::null_default")]
    pub attribute_mapping: Vec<AttributeMapping>,
    /// Groups sent in tokens, and the roles that produce them.
    #[serde(deserialize_with = "de::null_default")]
    pub groups_mapping: Vec<GroupsMapping>,
    /// Every other setting, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One attribute sent to an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct AttributeMapping {
    /// Attribute name in the assertion.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Attribute type.
    #[serde(rename = "type", deserialize_with = "de::null_default")]
    pub kind: String,
    /// The user field it comes from.
    #[serde(deserialize_with = "de::null_default")]
    pub value: String,
}

/// One group sent to an application, and which roles put a user in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupsMapping {
    /// Group attribute name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
    /// Attribute type.
    #[serde(rename = "type", deserialize_with = "de::null_default")]
    pub kind: String,
    /// Filter type.
    #[serde(deserialize_with = "de::null_default")]
    pub filter_type: String,
    /// Group value.
    #[serde(deserialize_with = "de::null_default")]
    pub value: String,
    /// Roles whose holders get this group.
    #[serde(deserialize_with = "de::null_default")]
    pub roles: Vec<GroupsMappingRole>,
}

/// A role in a [`GroupsMapping`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupsMappingRole {
    /// Role id.
    #[serde(deserialize_with = "de::null_default")]
    pub id: String,
    /// Role name.
    #[serde(deserialize_with = "de::null_default")]
    pub name: String,
}

/// `{"apps": [...]}` from load-all.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SsoAppsEnvelope {
    #[serde(deserialize_with = "de::null_default")]
    pub(crate) apps: Vec<SsoApplication>,
}

/// Load-one answers with the application flat at the root (what the SDKs see), or wrapped as
/// `{"app": {...}}` (what the API spec says). Both are accepted.
#[derive(Deserialize, Default)]
pub(crate) struct MaybeWrappedSsoApp {
    #[serde(default)]
    app: Option<SsoApplication>,
    #[serde(flatten)]
    flat: SsoApplication,
}

impl MaybeWrappedSsoApp {
    /// The application, or `None` when the answer holds none (no `app` and no `id`).
    pub(crate) fn into_app(self) -> Option<SsoApplication> {
        match self.app {
            Some(app) => Some(app),
            None if !self.flat.id.is_empty() => Some(self.flat),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn saml_app_keeps_typed_and_other_fields() {
        let app: SsoApplication = serde_json::from_value(json!({
            "id":"A1","name":"Wiki","enabled":true,"appType":"saml","oidcSettings":null,
            "samlSettings":{"entityId":"urn:wiki","acsUrl":"https://wiki/acs","idpCert":"CERT",
                "attributeMapping":[{"name":"email","type":"string","value":"email"}],
                "groupsMapping":[{"name":"groups","type":"string","filterType":"all",
                    "value":"eng","roles":[{"id":"R1","name":"Engineer"}]}]},
            "customAttributes":{"owner":"it"}
        }))
        .unwrap();
        assert_eq!(app.app_type, SsoAppType::Saml);
        let saml = app.saml_settings.unwrap();
        assert_eq!(saml.entity_id, "urn:wiki");
        assert_eq!(saml.groups_mapping[0].roles[0].name, "Engineer");
        assert_eq!(saml.attribute_mapping[0].kind, "string");
        assert_eq!(saml.other.get("idpCert"), Some(&json!("CERT")));
        assert!(app.oidc_settings.is_none());
    }

    #[test]
    fn ws_fed_spellings_and_unknown_type() {
        for key in ["wsFedSettings", "wsfedSettings"] {
            let app: SsoApplication =
                serde_json::from_value(json!({"appType":"wsfed", key: {"realm":"urn:r"}})).unwrap();
            assert_eq!(app.app_type, SsoAppType::WsFed);
            assert_eq!(app.ws_fed_settings.unwrap().realm, "urn:r");
        }
        let app: SsoApplication = serde_json::from_value(json!({"appType":"cas"})).unwrap();
        assert_eq!(app.app_type, SsoAppType::Other("cas".into()));
        assert_eq!(app.app_type.as_str(), "cas");
    }

    #[test]
    fn load_one_is_flat_or_wrapped() {
        let flat: MaybeWrappedSsoApp = serde_json::from_str(r#"{"id":"A1","name":"x"}"#).unwrap();
        assert_eq!(flat.into_app().unwrap().id, "A1");
        let wrapped: MaybeWrappedSsoApp =
            serde_json::from_str(r#"{"app":{"id":"A2","appType":"oidc"}}"#).unwrap();
        assert_eq!(wrapped.into_app().unwrap().app_type, SsoAppType::Oidc);
        let empty: MaybeWrappedSsoApp = serde_json::from_str("{}").unwrap();
        assert!(empty.into_app().is_none());
    }
}
