//! Outbound applications (apps Descope holds users' OAuth tokens for, such as Google Drive or
//! Slack) and who has connected them.
//!
//! Each outbound application is an `outbound_app` resource (`GET /v1/mgmt/outbound/apps`, one
//! request a sync) with one entitlement, `connected`: the user holds a token for the app. Which
//! apps a user is connected to costs one `GET /v1/mgmt/outbound/apps-with-user-token` per user
//! and one more per tenant of the user (tokens tied to a tenant: see `crate::connections`),
//! so the grants are opt-in ([`DescopeConfig::with_sync_outbound_connections`](crate::DescopeConfig::with_sync_outbound_connections),
//! `--sync-outbound-connections`). The lookups are made for each user page as it is fetched, by
//! the same background walk as `--sync-last-login` (`user::last_login`), so the user listing
//! needs no second pass; a user the walk did not cover (a resumed sync that listed part of the
//! users in another process) is looked up when the grants are read. No token is ever fetched.
//!
//! A grant cannot be made (a connection is the user authorising the app at the provider); a
//! revoke deletes the user's tokens for the app (`DELETE /v1/mgmt/outbound/user/tokens` with
//! both `appId` and `userId`) and is reported done only when fresh lookups without a tenant
//! and within each of the user's tenants no longer list it.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    Annotations, AppTrait, Entitlement, Grant, GrantAlreadyRevoked, Resource, ResourceId,
    ResourceType, Trait,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::{Client, OutboundApp};
use serde_json::{Map, json};
use tokio::sync::OnceCell;

use crate::connections::{Scope, listed_in};
use crate::context::SyncContext;
use crate::error::from_descope;
use crate::ids::{decode_component, user_resource_id};
use crate::kinds::{OUTBOUND_APP_TYPE, USER_TYPE, for_grants, reference, user_type};
use crate::principal_lock::PrincipalKey;
use crate::provisioner::{DescopeProvisioner, load_user};

/// Slug of an outbound application's entitlement: the user holds a token for it.
pub const CONNECTED: &str = "connected";

/// The `outbound_app` resource type.
pub(crate) fn outbound_app_type() -> ResourceType {
    ResourceType::new(OUTBOUND_APP_TYPE, "Outbound application")
        .with_trait(Trait::App)
        .with_description(
            "An application Descope holds users' OAuth tokens for (Google Drive, Slack, ...); its \
             'connected' entitlement is held by the users holding a token for it (synced with \
             --sync-outbound-connections)",
        )
}

fn app_resource(app: &OutboundApp, connections_synced: bool) -> Resource {
    let mut profile = Map::new();
    profile.insert("appId".into(), json!(app.id));
    for (key, value) in [
        ("description", &app.description),
        ("templateId", &app.template_id),
        ("clientId", &app.client_id),
        ("discoveryUrl", &app.discovery_url),
        ("authorizationUrl", &app.authorization_url),
        ("tokenUrl", &app.token_url),
        ("accessType", &app.access_type),
    ] {
        if !value.is_empty() {
            profile.insert(key.into(), json!(value));
        }
    }
    if !app.default_scopes.is_empty() {
        profile.insert("defaultScopes".into(), json!(app.default_scopes));
    }
    profile.insert("connectionsSynced".into(), json!(connections_synced));
    let name = if app.name.is_empty() {
        &app.id
    } else {
        &app.name
    };
    let mut resource = Resource::new(OUTBOUND_APP_TYPE, user_resource_id(&app.id), name.clone())
        .with_profile(profile)
        .with_app_trait(AppTrait::new());
    if !app.description.is_empty() {
        resource = resource.with_description(app.description.clone());
    }
    resource
}

/// `outbound_app:<id>:connected`.
fn connected_entitlement(app: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(app), CONNECTED)
        .with_display_name(format!("{} connected", app.display_name))
        .with_description(format!(
            "Holds a token Descope keeps for the outbound application '{}' (the user connected \
             it). Revoking deletes the user's tokens for it",
            app.display_name
        ))
        .with_grantable_to(&[user_type()])
}

/// Outbound applications, and with `--sync-outbound-connections` who is connected to them.
#[derive(Debug)]
pub(crate) struct OutboundAppSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
    apps: OnceCell<Arc<Vec<OutboundApp>>>,
}

impl OutboundAppSyncer {
    pub(crate) fn new(ctx: Arc<SyncContext>, provisioner: DescopeProvisioner) -> Self {
        OutboundAppSyncer {
            ctx,
            provisioner,
            apps: OnceCell::new(),
        }
    }

    async fn apps(&self) -> Result<Arc<Vec<OutboundApp>>, Error> {
        self.apps
            .get_or_try_init(|| async {
                self.ctx.counters.add("outbound application requests", 1);
                let apps = self.ctx.client.outbound_apps().all().await.map_err(|e| {
                    from_descope(
                        "loading the outbound applications (to sync without them, leave \
                         'outbound_app' out of --sync-resource-types)",
                        e,
                    )
                })?;
                let mut seen = std::collections::BTreeSet::new();
                let apps: Vec<OutboundApp> = apps
                    .into_iter()
                    .filter(|a| !a.id.is_empty() && seen.insert(a.id.clone()))
                    .collect();
                self.ctx
                    .counters
                    .set("outbound applications synced", apps.len() as u64);
                crate::resume::pin(
                    &self.ctx.session,
                    "outbound applications",
                    &crate::resume::digest(&apps),
                )
                .await?;
                Ok(Arc::new(apps))
            })
            .await
            .cloned()
            .map_err(Error::in_shared_state)
    }
}

#[async_trait]
impl ResourceSyncer for OutboundAppSyncer {
    fn resource_type(&self) -> ResourceType {
        outbound_app_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let synced = self.ctx.pager_config.outbound_connections;
        Ok(Page::last(
            self.apps()
                .await?
                .iter()
                .map(|a| app_resource(a, synced))
                .collect(),
        ))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![connected_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        if !self.ctx.pager_config.outbound_connections {
            return Ok(Page::last(Vec::new()));
        }
        let app_id = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        let holders = self.ctx.connection_holders().await?;
        let entitlement = for_grants(&connected_entitlement(resource));
        let grants = holders
            .get(&app_id)
            .into_iter()
            .flatten()
            .map(|(id, name)| {
                Grant::new(
                    &entitlement,
                    Resource::new(USER_TYPE, id.clone(), name.clone()),
                )
            })
            .collect();
        Ok(Page::last(grants))
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

#[async_trait]
impl Provisioner for OutboundAppSyncer {
    /// Refused: a connection is the user authorising the application at its provider.
    async fn grant(&self, _: &Resource, entitlement: &Entitlement) -> Result<Annotations, Error> {
        Err(Error::failed_precondition(format!(
            "'{}' cannot be granted: a user connects an outbound application by authorising it \
             at the provider (OAuth) in a Descope flow; the Management API cannot create the \
             token. Ask the user to connect the application",
            entitlement.id
        ))
        .with_retryable(false))
    }

    async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
        let (app_id, user_id) = revoke_target(grant)?;
        let _held = self
            .provisioner
            .lock(PrincipalKey::User(user_id.clone()))
            .await;
        revoke(self.provisioner.client(), &app_id, &user_id).await
    }
}

/// The application and user a `connected` grant names.
fn revoke_target(grant: &Grant) -> Result<(String, String), Error> {
    let entitlement = grant
        .entitlement
        .as_ref()
        .ok_or_else(|| Error::invalid_argument("the grant has no entitlement"))?;
    let app = entitlement
        .resource
        .as_ref()
        .and_then(|r| r.id.as_ref())
        .filter(|id| id.resource_type == OUTBOUND_APP_TYPE)
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "'{}' is not an entitlement of an outbound application",
                entitlement.id
            ))
        })?;
    let principal = grant
        .principal
        .as_ref()
        .and_then(|p| p.id.as_ref())
        .ok_or_else(|| Error::invalid_argument("the grant has no principal"))?;
    if principal.resource_type != USER_TYPE {
        return Err(Error::invalid_argument(format!(
            "outbound connections belong to users, not to a '{}'",
            principal.resource_type
        )));
    }
    let decode = |s: &str| decode_component(s).map_err(|e| Error::invalid_argument(e.to_string()));
    Ok((decode(&app.resource)?, decode(&principal.resource)?))
}

/// Deletes `user_id`'s tokens for `app_id`, reported only once fresh lookups in every scope
/// (without a tenant, and within each of the user's tenants) no longer list the application.
///
/// `DELETE /v1/mgmt/outbound/user/tokens` takes no tenant in any official SDK, and whether it
/// deletes the tokens tied to a tenant is unverified; the one delete that could reach such a
/// token alone (`DELETE /v1/mgmt/outbound/token?id=`) needs the token's id, which only the
/// endpoints returning the token itself reveal. So a token a lookup still lists within a tenant
/// after the delete is an error saying the connection was NOT revoked, never a success.
async fn revoke(client: &Client, app_id: &str, user_id: &str) -> Result<Annotations, Error> {
    let what = format!("user '{user_id}''s connection to outbound application '{app_id}'");
    let already = || {
        let mut annotations = Annotations::default();
        annotations.push(&GrantAlreadyRevoked {});
        annotations
    };
    // The user's tenants, for the lookups within each. Descope no longer knowing the user:
    // it holds no token a lookup could list.
    let Some(user) = load_user(client, user_id).await? else {
        return Ok(already());
    };
    let scopes = Scope::all_of(user.user_tenants.iter().map(|t| t.tenant_id.as_str()));
    let before = listed_in(client, user_id, app_id, &scopes)
        .await
        .map_err(|e| from_descope(&format!("looking up {what}"), e))?;
    if before.is_none() {
        return Ok(already());
    }
    tracing::info!(app = %app_id, user = %user_id, "deleting the user's outbound application tokens");
    let written = client
        .outbound_apps()
        .delete_user_tokens(app_id, user_id)
        .await;
    let after = match listed_in(client, user_id, app_id, &scopes).await {
        Ok(after) => after,
        Err(err) => {
            return Err(match written {
                Err(write) => from_descope(&format!("revoking {what}"), write),
                Ok(()) => from_descope(
                    &format!(
                        "Descope accepted revoking {what}, but it could not be looked up again \
                         to confirm it"
                    ),
                    err,
                ),
            });
        }
    };
    let Some(kept) = after else {
        tracing::info!(
            app = %app_id,
            user = %user_id,
            lookups = scopes.len(),
            "outbound tokens deleted (confirmed by fresh lookups without a tenant and within each of the user's tenants)"
        );
        return Ok(Annotations::default());
    };
    Err(match (written, kept) {
        (Err(write), _) => from_descope(&format!("revoking {what}"), write),
        (Ok(()), Scope::Untenanted) => Error::unavailable(format!(
            "Descope accepted deleting {what}, but a fresh lookup still lists the application: \
             the connection was NOT revoked. Retry; if it persists, remove the token in the \
             Descope console"
        )),
        (Ok(()), Scope::Tenant(tenant)) => Error::unavailable(format!(
            "Descope accepted deleting {what}, but a fresh lookup within tenant '{tenant}' \
             still lists the application: the connection was NOT revoked. The delete \
             (DELETE /v1/mgmt/outbound/user/tokens) takes no tenant and may keep the tokens the \
             user holds within a tenant; retry, and if it persists, remove the user's token for \
             the application in tenant '{tenant}' in the Descope console"
        )),
    })
}
