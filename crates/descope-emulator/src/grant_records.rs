//! Access granted outside roles: third-party (inbound) applications and the consents users gave
//! them, outbound applications and the tokens users hold for them, shaped like the objects the
//! official SDKs read (go-sdk `types.go` `ThirdPartyApplication`, `ThirdPartyApplicationConsent`,
//! `OutboundApp`, `OutboundAppUserToken`), so a saved [`Dataset`] reads like Descope data.
//!
//! An outbound token record holds **no token**: only who holds one for which app, its scopes
//! and times. The emulator never serves a token.
//!
//! [`Dataset`]: crate::Dataset

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A third-party application, as `GET /v1/mgmt/thirdparty/apps/load` lists it.
///
/// ```
/// use descope_emulator::{ScopeRecord, ThirdPartyAppRecord};
///
/// let mut app = ThirdPartyAppRecord::new("TPA2partner", "Partner Portal");
/// app.permissions_scopes.push(ScopeRecord::new("admin", ["Tenant Admin"]));
/// assert_eq!(app.client_id, "TPA2partner-client");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ThirdPartyAppRecord {
    /// Application id (unique in the project).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo: String,
    /// Where the app's sign-in page is.
    pub login_page_url: String,
    /// OAuth client id.
    pub client_id: String,
    /// Approved callback URLs.
    pub approved_callback_urls: Vec<String>,
    /// Permission scopes users can consent to.
    pub permissions_scopes: Vec<ScopeRecord>,
    /// Attribute scopes users can consent to.
    pub attributes_scopes: Vec<ScopeRecord>,
    /// Custom attributes.
    pub custom_attributes: Map<String, Value>,
}

impl ThirdPartyAppRecord {
    /// An application with no scopes; its client id is `<id>-client`.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        let id = id.into();
        Self {
            client_id: format!("{id}-client"),
            id,
            name: name.into(),
            ..Self::default()
        }
    }

    /// The names of every scope of the app.
    pub(crate) fn scope_names(&self) -> impl Iterator<Item = &str> {
        self.permissions_scopes
            .iter()
            .chain(&self.attributes_scopes)
            .map(|s| s.name.as_str())
    }
}

/// One scope of a [`ThirdPartyAppRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ScopeRecord {
    /// Scope name.
    pub name: String,
    /// Description.
    pub description: String,
    /// What it grants (role, permission or attribute names).
    pub values: Vec<String>,
}

impl ScopeRecord {
    /// A scope granting `values`, described as its name.
    ///
    /// ```
    /// let s = descope_emulator::ScopeRecord::new("admin", ["Tenant Admin"]);
    /// assert_eq!(s.description, "admin");
    /// ```
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        name: impl Into<String>,
        values: I,
    ) -> Self {
        let name = name.into();
        Self {
            description: name.clone(),
            name,
            values: values.into_iter().map(Into::into).collect(),
        }
    }
}

/// A consent to a third-party application, as `POST /v1/mgmt/thirdparty/consents/search`
/// returns it. A consent with a `tenantId` and no `userId` is a tenant-level consent, which
/// `consents/delete` leaves alone (go-sdk `sdk/mgmt.go:1274-1276`); only
/// `consents/delete/tenant` removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ConsentRecord {
    /// Consent id (unique in the project).
    pub id: String,
    /// The application.
    pub app_id: String,
    /// The user who consented; empty for a tenant-level consent.
    pub user_id: String,
    /// Scope names granted.
    pub scopes: Vec<String>,
    /// Who granted it (a user id).
    pub granted_by: String,
    /// When, epoch seconds.
    pub created_time: i64,
    /// The tenant it was granted for (empty: none).
    pub tenant_id: String,
    /// When it expires, epoch seconds (0: never; sent only when set).
    #[serde(skip_serializing_if = "is_zero")]
    pub expire_time: i64,
}

impl ConsentRecord {
    /// `user_id`'s consent to `scopes` of `app_id`, granted by the user, at no time in
    /// particular (0), for no tenant.
    ///
    /// ```
    /// let mut c = descope_emulator::ConsentRecord::new("CN1", "TPA1", "U1", ["read"]);
    /// c.tenant_id = "T1".into(); // granted within a tenant
    /// assert_eq!(c.granted_by, "U1");
    /// ```
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        id: impl Into<String>,
        app_id: impl Into<String>,
        user_id: impl Into<String>,
        scopes: I,
    ) -> Self {
        let user_id = user_id.into();
        Self {
            id: id.into(),
            app_id: app_id.into(),
            granted_by: user_id.clone(),
            user_id,
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
}

/// An outbound application, as `GET /v1/mgmt/outbound/apps` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct OutboundAppRecord {
    /// Application id (unique in the project).
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// App-library template id.
    pub template_id: String,
    /// OAuth client id at the provider.
    pub client_id: String,
    /// Logo URL.
    pub logo: String,
    /// Scopes requested by default.
    pub default_scopes: Vec<String>,
    /// `offline` or `online`.
    pub access_type: String,
}

impl OutboundAppRecord {
    /// An `offline` application with no default scopes.
    ///
    /// ```
    /// let app = descope_emulator::OutboundAppRecord::new("OA1", "Google Drive");
    /// assert_eq!(app.access_type, "offline");
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            access_type: "offline".into(),
            ..Self::default()
        }
    }
}

/// That a user (or a tenant) holds a token for an outbound application: everything about the
/// token but the token. `POST`/`GET` answers never include it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct OutboundTokenRecord {
    /// Token id (unique in the project; what `DELETE /v1/mgmt/outbound/token?id=` takes).
    pub id: String,
    /// The application.
    pub app_id: String,
    /// The user holding it (empty for a tenant token).
    pub user_id: String,
    /// The tenant it is tied to (empty: none).
    pub tenant_id: String,
    /// Scopes granted at the provider.
    pub scopes: Vec<String>,
    /// When it was obtained, epoch seconds.
    pub created_time: i64,
    /// When the access token expires, epoch seconds (0: never).
    pub access_token_expiry: i64,
    /// Whether a refresh token is kept (an expired access token can then be renewed).
    pub has_refresh_token: bool,
}

impl OutboundTokenRecord {
    /// `user_id`'s token for `app_id`, never expiring, with a refresh token.
    ///
    /// ```
    /// let mut t = descope_emulator::OutboundTokenRecord::new("OT1", "OA1", "U1");
    /// t.has_refresh_token = false;
    /// t.access_token_expiry = 1; // expired long ago: no longer listed as a connection
    /// ```
    pub fn new(
        id: impl Into<String>,
        app_id: impl Into<String>,
        user_id: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            app_id: app_id.into(),
            user_id: user_id.into(),
            has_refresh_token: true,
            ..Self::default()
        }
    }

    /// Whether Descope would call it valid at `now`: unexpired, or renewable.
    pub(crate) fn is_valid(&self, now: i64) -> bool {
        self.has_refresh_token || self.access_token_expiry == 0 || self.access_token_expiry > now
    }
}

/// One `POST /v1/mgmt/user/logout` the emulator accepted ([`Emulator::logouts`]).
///
/// [`Emulator::logouts`]: crate::Emulator::logouts
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutRecord {
    /// The user signed out.
    pub user_id: String,
    /// The session types asked for (empty: all).
    pub session_types: Vec<String>,
    /// When, epoch milliseconds.
    pub at_millis: i64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &i64) -> bool {
    *n == 0
}
