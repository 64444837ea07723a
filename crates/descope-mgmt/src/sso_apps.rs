//! SSO application endpoints: `client.sso_apps()` (read-only).

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::{MaybeWrappedSsoApp, SsoApplication, SsoAppsEnvelope};

/// The project's SSO applications (Descope acting as the identity provider). Reads only, so
/// every call is retried after a server error.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// for app in client.sso_apps().all().await? {
///     println!("{} {} ({}, enabled: {})", app.id, app.name, app.app_type, app.enabled);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SsoApps {
    client: Client,
}

impl Client {
    /// SSO application endpoints (read-only).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let apps = client.sso_apps().all().await?;
    /// # Ok(()) }
    /// ```
    pub fn sso_apps(&self) -> SsoApps {
        SsoApps::new(self.clone())
    }
}

impl SsoApps {
    pub(crate) fn new(client: Client) -> Self {
        SsoApps { client }
    }

    /// `GET /v1/mgmt/sso/idp/apps/load`: every application (not paginated).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let saml: Vec<_> = client.sso_apps().all().await?
    ///     .into_iter()
    ///     .filter(|a| a.app_type == descope_mgmt::SsoAppType::Saml)
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub async fn all(&self) -> Result<Vec<SsoApplication>, Error> {
        let call = Call::get("/v1/mgmt/sso/idp/apps/load");
        Ok(self.client.call::<SsoAppsEnvelope>(call).await?.apps)
    }

    /// `GET /v1/mgmt/sso/idp/app/load?id=`: one application. The answer may be the application
    /// flat at the root or wrapped as `{"app": ...}`; both are accepted. An answer with neither
    /// an `app` nor an `id` is a decode error, not an empty application.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let app = client.sso_apps().load("SA2abc").await?;
    /// if let Some(saml) = &app.saml_settings {
    ///     println!("{} -> {}", saml.entity_id, saml.acs_url);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn load(&self, id: &str) -> Result<SsoApplication, Error> {
        if id.is_empty() {
            return Err(Error::InvalidArgument(
                "SSO application load: the application id is empty".into(),
            ));
        }
        let call = Call::get("/v1/mgmt/sso/idp/app/load").query("id", id);
        self.client
            .call::<MaybeWrappedSsoApp>(call)
            .await?
            .into_app()
            .ok_or_else(|| Error::Decode {
                issue: crate::error::DecodeIssue::Shape,
                path: ".".into(),
                message: "the answer holds no SSO application (neither `app` nor `id`)".into(),
            })
    }
}
