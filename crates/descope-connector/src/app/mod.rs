//! SSO applications: Descope as the identity provider of SAML and OIDC apps.
//!
//! Each app is an `app` resource with one entitlement, `access`. A user's `ssoAppIds` names the
//! apps it may sign in to, and Descope reads an **empty** `ssoAppIds` as access to **every**
//! app (`descope-api.md` 4.2). The sync models that faithfully: a user with an empty list holds
//! `access` on every app, and each such grant carries a `GrantMetadata` annotation saying why
//! (`{"via": "all_apps", ...}`). The index keeps those users in one list rather than one entry
//! per app.
//!
//! Provisioning (dispatched in the crate's `provision` module, above the kinds) never widens access:
//! - granting an app to a user with an empty list changes nothing (already held);
//! - revoking a user's only explicit app would leave the list empty, i.e. every app, so it is
//!   refused, naming the administrator's choices;
//! - revoking an app from a user with an empty list sets the list to every *other* app
//!   (`ssoapp/set`), the one change that removes this app; it is refused when the app is the
//!   project's only one.

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_sdk::connector::{Provisioner, ResourceSyncer};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    AppTrait, Entitlement, Grant, GrantMetadata, Resource, ResourceId, ResourceType,
    app_trait::AppFlag, resource::StatusValue,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::{SsoAppType, SsoApplication};
use serde_json::{Map, Value, json};

use crate::context::SyncContext;
use crate::ids::{decode_component, user_resource_id};
use crate::kinds::{ACCESS, APP_TYPE, app_type, reference, user_type};
use crate::provisioner::DescopeProvisioner;

/// An `app` resource.
pub(crate) fn app_resource(app: &SsoApplication) -> Resource {
    let mut profile = Map::new();
    profile.insert("appId".into(), json!(app.id));
    profile.insert("appType".into(), json!(app.app_type.as_str()));
    profile.insert("enabled".into(), json!(app.enabled));
    if !app.description.is_empty() {
        profile.insert("description".into(), json!(app.description));
    }
    if let Some(saml) = &app.saml_settings {
        if !saml.entity_id.is_empty() {
            profile.insert("samlEntityId".into(), json!(saml.entity_id));
        }
        if !saml.acs_url.is_empty() {
            profile.insert("samlAcsUrl".into(), json!(saml.acs_url));
        }
        if !saml.groups_mapping.is_empty() {
            // Which Descope roles put a user in each group the app receives.
            let mapping: Vec<Value> = saml
                .groups_mapping
                .iter()
                .map(|g| {
                    json!({
                        "group": g.value,
                        "roles": g.roles.iter().map(|r| if r.name.is_empty() { r.id.clone() } else { r.name.clone() }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            profile.insert("groupsMapping".into(), Value::Array(mapping));
        }
    }
    if let Some(oidc) = &app.oidc_settings {
        if !oidc.issuer.is_empty() {
            profile.insert("oidcIssuer".into(), json!(oidc.issuer));
        }
        if !oidc.client_id.is_empty() {
            profile.insert("oidcClientId".into(), json!(oidc.client_id));
        }
    }
    let mut trait_ = AppTrait::new();
    match app.app_type {
        SsoAppType::Saml => trait_ = trait_.with_flag(AppFlag::Saml),
        SsoAppType::Oidc => trait_ = trait_.with_flag(AppFlag::Oidc),
        _ => {}
    }
    if !app.enabled {
        trait_ = trait_.with_flag(AppFlag::Inactive);
    }
    let name = if app.name.is_empty() {
        &app.id
    } else {
        &app.name
    };
    let mut resource = Resource::new(APP_TYPE, user_resource_id(&app.id), name.clone())
        .with_profile(profile)
        .with_status(if app.enabled {
            StatusValue::Enabled
        } else {
            StatusValue::Disabled
        });
    if !app.description.is_empty() {
        resource = resource.with_description(app.description.clone());
    }
    resource.with_app_trait(trait_)
}

/// `app:<id>:access`.
pub(crate) fn access_entitlement(app: &Resource) -> Entitlement {
    Entitlement::assignment(&reference(app), ACCESS)
        .with_display_name(format!("{} access", app.display_name))
        .with_description(format!(
            "May sign in to the SSO application '{}' through Descope",
            app.display_name
        ))
        .with_grantable_to(&[user_type()])
}

/// The annotation of a grant held because the user's `ssoAppIds` is empty.
fn all_apps_annotation() -> prost_types::Any {
    let mut metadata = Map::new();
    metadata.insert("via".into(), json!("all_apps"));
    metadata.insert(
        "reason".into(),
        json!(
            "the user's ssoAppIds is empty, which Descope reads as access to every SSO application"
        ),
    );
    c1_connector_sdk::model::pack(&GrantMetadata {
        metadata: Some(c1_connector_sdk::model::json_object_to_struct(metadata)),
    })
}

/// SSO applications, from `GET /v1/mgmt/sso/idp/apps/load`. Entitlement `access`.
#[derive(Debug)]
pub(crate) struct AppSyncer {
    pub(crate) ctx: Arc<SyncContext>,
    pub(crate) provisioner: DescopeProvisioner,
}

#[async_trait]
impl ResourceSyncer for AppSyncer {
    fn resource_type(&self) -> ResourceType {
        app_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let apps = self.ctx.sso_apps().await?;
        Ok(Page::last(apps.iter().map(app_resource).collect()))
    }

    async fn entitlements(
        &self,
        resource: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![access_entitlement(resource)]))
    }

    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error> {
        let app_id = decode_component(&resource.resource_id().resource)
            .map_err(|e| Error::invalid_argument(e.to_string()))?;
        crate::pages::two_list_grants(
            &self.ctx,
            &access_entitlement(resource),
            |index| index.app_holders(&app_id),
            Some(all_apps_annotation()),
            token,
        )
        .await
    }

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn provisioner(&self) -> Option<&dyn Provisioner> {
        Some(self)
    }
}

pub(crate) mod revoke;
