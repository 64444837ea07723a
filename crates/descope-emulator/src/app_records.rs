//! SSO applications (Descope acting as the identity provider), shaped like Descope's
//! `SSOApplication` object so a saved [`Dataset`] reads like Descope data and the server serves
//! the records as they are.
//!
//! [`Dataset`]: crate::Dataset

use serde::{Deserialize, Serialize};

/// An SSO application, as `GET /v1/mgmt/sso/idp/apps/load` lists it.
///
/// Which users may use it is on the user: [`UserRecord::sso_app_ids`], where an **empty** list
/// means every application.
///
/// ```
/// use descope_emulator::{SamlSettingsRecord, SsoAppRecord};
///
/// let mut wiki = SsoAppRecord::saml("SA2wiki", "Wiki");
/// wiki.description = "Team wiki".into();
/// if let Some(saml) = &mut wiki.saml_settings {
///     saml.entity_id = "https://wiki.example.com/saml".into();
/// }
/// assert_eq!(wiki.app_type, "saml");
/// assert!(wiki.enabled && wiki.oidc_settings.is_none());
/// ```
///
/// [`UserRecord::sso_app_ids`]: crate::UserRecord::sso_app_ids
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SsoAppRecord {
    /// Application id (unique in the project).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether users can sign in to it.
    pub enabled: bool,
    /// Logo URL.
    pub logo: String,
    /// `saml` or `oidc` (any other string is kept and served as is).
    pub app_type: String,
    /// SAML settings (SAML applications); left out when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_settings: Option<SamlSettingsRecord>,
    /// OIDC settings (OIDC applications); left out when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_settings: Option<OidcSettingsRecord>,
}

impl SsoAppRecord {
    /// An enabled SAML application with empty SAML settings.
    pub fn saml(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            enabled: true,
            app_type: "saml".to_owned(),
            saml_settings: Some(SamlSettingsRecord::default()),
            ..Self::default()
        }
    }

    /// An enabled OIDC application with empty OIDC settings.
    pub fn oidc(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            enabled: true,
            app_type: "oidc".to_owned(),
            oidc_settings: Some(OidcSettingsRecord::default()),
            ..Self::default()
        }
    }
}

/// The SAML settings of an [`SsoAppRecord`] (a realistic subset of Descope's).
///
/// ```
/// use descope_emulator::{AttributeMappingRecord, SamlSettingsRecord};
///
/// let mut saml = SamlSettingsRecord::default();
/// saml.entity_id = "https://crm.example.com/saml".into();
/// saml.acs_url = "https://crm.example.com/saml/acs".into();
/// saml.attribute_mapping.push(AttributeMappingRecord::new("email", "email"));
/// let json = serde_json::to_value(&saml).unwrap();
/// assert_eq!(json["acsUrl"], "https://crm.example.com/saml/acs");
/// assert_eq!(json["attributeMapping"][0]["type"], "string");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SamlSettingsRecord {
    /// Descope's login page for the application.
    pub login_page_url: String,
    /// Descope's (the IdP's) signing certificate.
    pub idp_cert: String,
    /// Whether the service provider's settings come from its metadata URL.
    pub use_metadata_info: bool,
    /// The service provider's metadata URL.
    pub metadata_url: String,
    /// The service provider's entity id.
    pub entity_id: String,
    /// The service provider's assertion consumer service URL.
    pub acs_url: String,
    /// Other ACS URLs the application may ask for.
    pub acs_allowed_callbacks: Vec<String>,
    /// Descope's metadata URL for the application.
    pub idp_metadata_url: String,
    /// Descope's entity id for the application.
    pub idp_entity_id: String,
    /// Descope's SSO URL for the application.
    pub idp_sso_url: String,
    /// `email`, `phone` or `loginId`.
    pub subject_name_id_type: String,
    /// The NameID format URN.
    pub subject_name_id_format: String,
    /// User attributes sent in assertions.
    pub attribute_mapping: Vec<AttributeMappingRecord>,
    /// Groups sent in assertions, and the roles whose holders get them.
    pub groups_mapping: Vec<GroupsMappingRecord>,
}

/// One user attribute sent to an application.
///
/// ```
/// let a = descope_emulator::AttributeMappingRecord::new("mail", "email");
/// assert_eq!((a.name.as_str(), a.kind.as_str(), a.value.as_str()), ("mail", "string", "email"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AttributeMappingRecord {
    /// Attribute name in the assertion.
    pub name: String,
    /// Attribute type (`string`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The user field it comes from.
    pub value: String,
}

impl AttributeMappingRecord {
    /// Attribute `name` of type `string` taken from the user field `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: "string".to_owned(),
            value: value.into(),
        }
    }
}

/// One group sent to an application (`value`), and the roles that put a user in it: "this group
/// maps to these roles".
///
/// ```
/// use descope_emulator::{GroupsMappingRecord, MappedRoleRecord};
///
/// let mut m = GroupsMappingRecord::default();
/// m.name = "groups".into();
/// m.value = "Engineering".into();
/// m.roles.push(MappedRoleRecord::new("ROL000002", "Editor"));
/// let json = serde_json::to_value(&m).unwrap();
/// assert_eq!(json["roles"][0], serde_json::json!({"id": "ROL000002", "name": "Editor"}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct GroupsMappingRecord {
    /// The group attribute's name in the assertion (`groups`).
    pub name: String,
    /// Attribute type (`string`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Filter type (`roles`).
    pub filter_type: String,
    /// The group's value. Generated and demo data use a tenant group's display name, so a
    /// reader can tell which group maps to which role.
    pub value: String,
    /// The roles whose holders get the group (ids and names of the dataset's roles; renames and
    /// deletions through the API follow into them).
    pub roles: Vec<MappedRoleRecord>,
}

/// A role named by a [`GroupsMappingRecord`].
///
/// ```
/// let r = descope_emulator::MappedRoleRecord::new("ROL000002", "Editor");
/// assert_eq!(r.name, "Editor");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct MappedRoleRecord {
    /// Role id.
    pub id: String,
    /// Role name.
    pub name: String,
}

impl MappedRoleRecord {
    /// The role `id` named `name`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// The OIDC settings of an [`SsoAppRecord`] (a realistic subset of Descope's).
///
/// ```
/// use descope_emulator::SsoAppRecord;
///
/// let mut crm = SsoAppRecord::oidc("SA2crm", "CRM");
/// if let Some(oidc) = &mut crm.oidc_settings {
///     oidc.issuer = "https://auth.example.com/SA2crm".into();
///     oidc.client_type = "confidential".into();
/// }
/// let json = serde_json::to_value(&crm).unwrap();
/// assert_eq!(json["oidcSettings"]["clientType"], "confidential");
/// assert!(json.get("samlSettings").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct OidcSettingsRecord {
    /// Descope's login page for the application.
    pub login_page_url: String,
    /// Token issuer.
    pub issuer: String,
    /// Discovery URL.
    pub discovery_url: String,
    /// Whether every sign-in must authenticate again.
    pub force_authentication: bool,
    /// The application's client id.
    pub client_id: String,
    /// `confidential` or `public`.
    pub client_type: String,
    /// Redirect URLs the application may use.
    pub approved_redirect_urls: Vec<String>,
}
