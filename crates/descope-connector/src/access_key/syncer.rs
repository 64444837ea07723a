//! The `access_key` syncer: lists the project's keys, deletes them, and enables or disables
//! them as baton resource actions.
//!
//! Every change is confirmed by loading the key again afterwards: a delete is done when Descope
//! says the key does not exist, an activation when the key loads as `active`. Descope's
//! activate, deactivate and delete answer with an empty body, so the answer alone proves
//! nothing.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use c1_connector_sdk::connector::{
    ActionOutcome, ActionProvider, ResourceDeleter, ResourceSyncer, resource_id_arg,
};
use c1_connector_sdk::error::Error;
use c1_connector_sdk::model::{
    ActionType, Annotations, BatonActionSchema, Entitlement, Grant, Resource, ResourceDoesNotExist,
    ResourceId, ResourceType, config::Field,
};
use c1_connector_sdk::page::Page;
use descope_mgmt::{AccessKey, Client};

use crate::access_key::resource::access_key_resource;
use crate::actions::{Change, action_response};
use crate::context::SyncContext;
use crate::error::from_descope;
use crate::kinds::{ACCESS_KEY_TYPE, access_key_type};
use crate::principal_lock::PrincipalKey;
use crate::provisioner::DescopeProvisioner;

/// Name of the action that activates a key.
pub(crate) const ENABLE_ACTION: &str = "enable_access_key";
/// Name of the action that deactivates a key.
pub(crate) const DISABLE_ACTION: &str = "disable_access_key";

/// Access keys, from `POST /v1/mgmt/accesskey/search` (see [`crate::key_list`]).
#[derive(Debug)]
pub(crate) struct AccessKeySyncer {
    pub(crate) ctx: Arc<SyncContext>,
    /// The connector's provisioner: its per-principal locks serialise deletes and status
    /// changes with grants and revokes.
    pub(crate) provisioner: DescopeProvisioner,
}

#[async_trait]
impl ResourceSyncer for AccessKeySyncer {
    fn resource_type(&self) -> ResourceType {
        access_key_type()
    }

    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _token: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::last(Vec::new()));
        }
        let keys = self.ctx.access_keys().await?;
        let now = SystemTime::now();
        let resources = keys
            .iter()
            .map(|key| access_key_resource(key, now))
            .collect();
        Ok(Page::last(resources))
    }

    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(Vec::new()))
    }

    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::last(Vec::new()))
    }

    fn resource_getter(&self) -> Option<&dyn c1_connector_sdk::connector::ResourceGetter> {
        Some(self)
    }

    fn resource_deleter(&self) -> Option<&dyn ResourceDeleter> {
        Some(self)
    }

    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        Some(self)
    }

    fn credential_rotator(&self) -> Option<&dyn c1_connector_sdk::connector::CredentialRotator> {
        Some(self)
    }
}

/// The Descope key id of an `access_key` resource id.
pub(crate) fn key_id(id: &ResourceId) -> Result<String, Error> {
    crate::ids::component_of(id, ACCESS_KEY_TYPE)
}

/// Loads a key; `None` only when Descope itself says it does not exist.
pub(crate) async fn load_key(client: &Client, key_id: &str) -> Result<Option<AccessKey>, Error> {
    crate::error::found(
        client.access_keys().load(key_id).await,
        &format!("loading access key '{key_id}'"),
    )
}

fn missing(key_id: &str) -> Error {
    Error::not_found(format!(
        "access key '{key_id}' does not exist in Descope; re-sync and retry"
    ))
}

#[async_trait]
impl ResourceDeleter for AccessKeySyncer {
    /// Deletes the key with `POST /v1/mgmt/accesskey/delete`, then loads it to confirm. A key
    /// that Descope says does not exist is answered with `ResourceDoesNotExist`.
    async fn delete(
        &self,
        id: &ResourceId,
        _parent: Option<&ResourceId>,
    ) -> Result<Annotations, Error> {
        let key_id = key_id(id)?;
        let client = self.provisioner.client();
        let _held = self
            .provisioner
            .lock(PrincipalKey::AccessKey(key_id.clone()))
            .await;
        if load_key(client, &key_id).await?.is_none() {
            let mut annotations = Annotations::default();
            annotations.push(&ResourceDoesNotExist {});
            return Ok(annotations);
        }
        let result = client.access_keys().delete(&key_id).await;
        match load_key(client, &key_id).await {
            Ok(None) => Ok(Annotations::default()),
            Ok(Some(_)) => Err(match result {
                Err(err) => from_descope(&format!("deleting access key '{key_id}'"), err),
                Ok(()) => Error::unavailable(format!(
                    "Descope accepted deleting access key '{key_id}', but the key still loads; retry"
                )),
            }),
            Err(load_err) => Err(match result {
                Err(err) => from_descope(&format!("deleting access key '{key_id}'"), err),
                Ok(()) => load_err.context(format!(
                    "access key '{key_id}' was deleted but the deletion could not be confirmed"
                )),
            }),
        }
    }
}

#[async_trait]
impl ActionProvider for AccessKeySyncer {
    fn action_schemas(&self) -> Vec<BatonActionSchema> {
        vec![
            BatonActionSchema::new(ENABLE_ACTION, "Enable access key")
                .with_description(
                    "Activates a deactivated Descope access key (POST /v1/mgmt/accesskey/activate); an expired key stays expired",
                )
                .with_argument(Field::resource_id("resource_id", "Access key").required())
                .with_action_type(ActionType::ResourceEnable),
            BatonActionSchema::new(DISABLE_ACTION, "Disable access key")
                .with_description(
                    "Deactivates a Descope access key so it can no longer authenticate (POST /v1/mgmt/accesskey/deactivate)",
                )
                .with_argument(Field::resource_id("resource_id", "Access key").required())
                .with_action_type(ActionType::ResourceDisable),
        ]
    }

    async fn invoke_action(
        &self,
        name: &str,
        args: &prost_types::Struct,
    ) -> Result<ActionOutcome, Error> {
        let active = match name {
            ENABLE_ACTION => true,
            DISABLE_ACTION => false,
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown access key action '{other}': use {ENABLE_ACTION} or {DISABLE_ACTION}"
                )));
            }
        };
        let id = resource_id_arg(args, "resource_id")
            .ok_or_else(|| Error::invalid_argument("the argument resource_id is required"))?;
        let key_id = key_id(&id)?;
        let outcome = {
            let _held = self
                .provisioner
                .lock(PrincipalKey::AccessKey(key_id.clone()))
                .await;
            set_key_active(self.provisioner.client(), &key_id, active).await?
        };
        Ok(ActionOutcome::complete(
            format!("{name}:{key_id}"),
            Some(action_response(&key_id, outcome)),
        ))
    }
}

/// Activates or deactivates a key, idempotently, and confirms the new status by loading it.
pub(crate) async fn set_key_active(
    client: &Client,
    key_id: &str,
    active: bool,
) -> Result<Change, Error> {
    let wanted = if active { "active" } else { "inactive" };
    let verb = if active { "activating" } else { "deactivating" };
    let key = load_key(client, key_id)
        .await?
        .ok_or_else(|| missing(key_id))?;
    if key.status.as_str() == wanted {
        return Ok(Change::Unchanged);
    }
    let keys = client.access_keys();
    let result = if active {
        keys.activate(key_id).await
    } else {
        keys.deactivate(key_id).await
    };
    match load_key(client, key_id).await {
        Ok(Some(key)) if key.status.as_str() == wanted => Ok(Change::Changed),
        Ok(found) => Err(match result {
            Err(err) => from_descope(&format!("{verb} access key '{key_id}'"), err),
            Ok(()) if found.is_none() => {
                Error::not_found(format!("access key '{key_id}' was deleted while {verb} it"))
            }
            Ok(()) => Error::unavailable(format!(
                "Descope accepted {verb} access key '{key_id}', but the key does not show the change; retry"
            )),
        }),
        Err(load_err) => Err(match result {
            Err(err) => from_descope(&format!("{verb} access key '{key_id}'"), err),
            Ok(()) => load_err.context(format!(
                "{verb} access key '{key_id}' could not be confirmed"
            )),
        }),
    }
}
