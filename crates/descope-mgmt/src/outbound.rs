//! Outbound applications and the users connected to them: `client.outbound_apps()`.
//!
//! The endpoints verified against the official SDKs, and what stays unverified, are listed
//! on the handler's own docs.

use crate::client::{Call, Client};
use crate::error::Error;
use crate::models::OutboundApp;
use crate::models::outbound::{AppIdsEnvelope, OutboundAppEnvelope, OutboundAppsEnvelope};

/// Outbound application endpoints (`/v1/mgmt/outbound/...`), reads and the per-user token
/// delete only. Every call is retried after a server error (reads, and a delete that converges).
///
/// # What was verified, and where
///
/// Read from the official SDKs (go-sdk at commit `1eb70cb`, python-sdk 2.16.1, node-sdk at
/// commit `892af50`):
///
/// | endpoint | what | source |
/// | --- | --- | --- |
/// | `GET /v1/mgmt/outbound/apps` | every application, `{"apps":[...]}` | go `outbound_application.go:79-91`, `api/client.go:274`; python `outbound_application.py:313-326`; node `outboundapplication.ts:61-65` |
/// | `GET /v1/mgmt/outbound/app/{id}` | one application, `{"app":{...}}` | go `outbound_application.go:68-77, 358-367`; python `:292-311`; node `:56-60` |
/// | `GET /v1/mgmt/outbound/apps-with-user-token?userId=&tenantId=` | `{"appIds":[...]}`: "the IDs of the outbound applications the given user currently holds a valid token for"; `tenantId` optional, "scopes the lookup to tokens associated with that tenant" | go `outbound_application.go:202-222`, `sdk/mgmt.go:1324-1326`; python `:492-519`; node `:138-150` |
/// | `DELETE /v1/mgmt/outbound/user/tokens?appId=&userId=` | deletes tokens "by appID or userID", at least one required | go `outbound_application.go:320-341`, `sdk/mgmt.go:1349-1351`; python `:452-474`; node `:126-131` |
/// | application fields | `id, name, description, templateId, clientId, logo, discoveryUrl, authorizationUrl(+Params), tokenUrl(+Params), revocationUrl, defaultScopes, defaultRedirectUrl, callbackDomain, pkce, accessType, prompt` | go `types.go:1486-1505`; node `types.ts:1151-1171` |
///
/// The token endpoints (`.../user/token`, `.../token/latest`, `.../tenant/token`) return the
/// token itself; this client has **no method** that calls them, and its application model drops
/// unknown fields, so no token or secret is ever fetched or stored.
///
/// # Unverified, and how this client behaves under either reading
///
/// - **Which tokens make an app "connected"**: "currently holds a valid token" does not say
///   whether an expired access token with a refresh token counts, nor whether a lookup without
///   `tenantId` includes tokens tied to a tenant. The listing is reported as Descope answers it;
///   a caller that must see every token asks once without a tenant and once with each of the
///   user's tenants (`tenant_id: Some(..)`), and merges the answers.
/// - **What a token delete with only one of `appId` / `userId` removes**: all of the user's
///   tokens, or every user's tokens for the app. [`OutboundApps::delete_user_tokens`] therefore
///   requires **both**, so it can only remove the one user's tokens for the one application.
///   The endpoint takes no `tenantId` in any of the three SDKs; whether it also removes tokens
///   the user holds for that app within tenants, and whether a 2xx always means they are gone,
///   is unverified: confirm with [`apps_with_user_token`](OutboundApps::apps_with_user_token),
///   without a tenant and within each of the user's tenants.
///
/// ```no_run
/// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
/// let outbound = client.outbound_apps();
/// let apps = outbound.all().await?;
/// for app_id in outbound.apps_with_user_token("U2abc", None).await? {
///     println!("U2abc is connected to {app_id}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OutboundApps {
    client: Client,
}

/// Refuses an id that is empty or would not stay one path segment or one query value as is.
fn require_plain_id(id: &str, what: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    {
        return Err(Error::InvalidArgument(format!(
            "{what} holds characters other than letters, digits, '-', '_', '.' and '~'"
        )));
    }
    Ok(())
}

impl Client {
    /// Outbound applications and which users hold tokens for them (never the tokens).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let connected = client.outbound_apps().apps_with_user_token("U2abc", None).await?;
    /// # Ok(()) }
    /// ```
    pub fn outbound_apps(&self) -> OutboundApps {
        OutboundApps::new(self.clone())
    }
}

impl OutboundApps {
    pub(crate) fn new(client: Client) -> Self {
        OutboundApps { client }
    }

    /// `GET /v1/mgmt/outbound/apps`: every outbound application (not paginated).
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// for app in client.outbound_apps().all().await? {
    ///     println!("{} {} scopes {:?}", app.id, app.name, app.default_scopes);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn all(&self) -> Result<Vec<OutboundApp>, Error> {
        let env: OutboundAppsEnvelope = self
            .client
            .call(Call::get("/v1/mgmt/outbound/apps"))
            .await?;
        Ok(env.apps)
    }

    /// `GET /v1/mgmt/outbound/app/{id}`: one application. An answer without it, or with
    /// another one, is an error naming the base URL.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let app = client.outbound_apps().load("OA2abc").await?;
    /// # Ok(()) }
    /// ```
    pub async fn load(&self, id: &str) -> Result<OutboundApp, Error> {
        require_plain_id(id, "outbound application load: the application id")?;
        let env: OutboundAppEnvelope = self
            .client
            .call(Call::get(format!("/v1/mgmt/outbound/app/{id}")))
            .await?;
        self.client
            .expect_one(env.app, "GET /v1/mgmt/outbound/app/{id}", Some(id))
    }

    /// `GET /v1/mgmt/outbound/apps-with-user-token?userId=[&tenantId=]`: the ids of the
    /// applications the user holds a valid token for (one call per user and scope; `tenant_id`,
    /// sent as the `tenantId` query parameter as every official SDK does, limits the lookup to
    /// tokens tied to that tenant). Whether a lookup without it lists the tokens tied to a
    /// tenant is unverified; to see them all, ask within each of the user's tenants too. The
    /// tokens themselves are never fetched.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let outbound = client.outbound_apps();
    /// let user = client.users().load_by_user_id("U2abc").await?;
    /// let mut connected = outbound.apps_with_user_token(&user.user_id, None).await?;
    /// for tenant in &user.user_tenants {
    ///     let within = outbound
    ///         .apps_with_user_token(&user.user_id, Some(&tenant.tenant_id))
    ///         .await?;
    ///     connected.extend(within);
    /// }
    /// connected.sort();
    /// connected.dedup();
    /// # Ok(()) }
    /// ```
    pub async fn apps_with_user_token(
        &self,
        user_id: &str,
        tenant_id: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        if user_id.is_empty() {
            return Err(Error::InvalidArgument(
                "apps with user token: the user id is empty".into(),
            ));
        }
        let mut call = Call::get("/v1/mgmt/outbound/apps-with-user-token").query("userId", user_id);
        if let Some(t) = tenant_id.filter(|t| !t.is_empty()) {
            call = call.query("tenantId", t);
        }
        let env: AppIdsEnvelope = self.client.call(call).await?;
        Ok(env.app_ids)
    }

    /// `DELETE /v1/mgmt/outbound/user/tokens?appId=&userId=`: deletes the tokens `user_id`
    /// holds for application `app_id`. Both are required here (with only one, Descope deletes
    /// every user's tokens for the app, or every token of the user).
    ///
    /// **A 2xx does not prove the deletion**: confirm with
    /// [`apps_with_user_token`](Self::apps_with_user_token). Retried after a server error.
    ///
    /// ```no_run
    /// # async fn run(client: descope_mgmt::Client) -> Result<(), descope_mgmt::Error> {
    /// let outbound = client.outbound_apps();
    /// outbound.delete_user_tokens("OA2abc", "U2abc").await?;
    /// let still = outbound.apps_with_user_token("U2abc", None).await?;
    /// assert!(!still.iter().any(|a| a == "OA2abc"), "Descope kept the connection");
    /// # Ok(()) }
    /// ```
    pub async fn delete_user_tokens(&self, app_id: &str, user_id: &str) -> Result<(), Error> {
        if app_id.is_empty() || user_id.is_empty() {
            return Err(Error::InvalidArgument(
                "outbound token delete: both the application id and the user id are required \
                 (with only one, Descope deletes every user's tokens for the app, or every token \
                 of the user)"
                    .into(),
            ));
        }
        let call = Call::delete("/v1/mgmt/outbound/user/tokens")
            .query("appId", app_id)
            .query("userId", user_id);
        self.client.call_unit(call).await
    }
}
