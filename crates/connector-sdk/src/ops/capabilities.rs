//! What a connector can do, derived from the traits it implements (baton's
//! `GetCapabilities`), and the JSON document baton's `capabilities` subcommand prints.
//!
//! Per resource type, in baton's order: `SYNC` always; `TARGETED_SYNC` with a
//! [`ResourceGetter`](crate::connector::ResourceGetter); `PROVISION` with a
//! [`Provisioner`](crate::connector::Provisioner); `ACCOUNT_PROVISIONING` with an
//! [`AccountManager`](crate::connector::AccountManager); `RESOURCE_DELETE` with a
//! [`ResourceDeleter`](crate::connector::ResourceDeleter).
//!
//! For the connector: the union of those, plus `SERVICE_MODE_TARGETED_SYNC` when any type has
//! targeted sync, `EVENT_FEED_V2` when it has event feeds, and `ACTIONS` when it or any type
//! offers an action; sorted by number.

mod document;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

pub use document::capabilities_json;

use super::actions::action_schemas;
use super::events::event_feeds;
use crate::connector::{Connector, ResourceSyncer, capabilities};
use crate::error::Error;
use crate::model::{
    AnnotationsExt, Capability, CapabilityDetailCredentialOption, CapabilityPermissions,
    ConnectorCapabilities, ConnectorMetadata, CredentialDetails, Deprecated, OptInRequired,
    ResourceTypeCapability, SkipSyncAnomalyDetection,
};

fn credential_details(syncers: &[Arc<dyn ResourceSyncer>]) -> Result<CredentialDetails, Error> {
    // baton reports the details of one account manager (and one rotator); with several, this
    // SDK takes the first syncer's (baton's pick is a Go map's iteration order).
    let rotation = syncers
        .iter()
        .find_map(|s| s.credential_rotator().map(|r| r.rotation_details()));
    let Some((id, details)) = syncers.iter().find_map(|s| {
        s.account_manager()
            .map(|m| (s.resource_type().id, m.capability_details()))
    }) else {
        return Ok(CredentialDetails {
            capability_account_provisioning: None,
            capability_credential_rotation: rotation,
        });
    };
    let preferred = CapabilityDetailCredentialOption::try_from(details.preferred_credential_option)
        .unwrap_or(CapabilityDetailCredentialOption::Unspecified);
    if preferred == CapabilityDetailCredentialOption::Unspecified {
        return Err(Error::invalid_argument(format!(
            "the account manager of {id} declares no preferred credential option"
        )));
    }
    if !details.supports(preferred) {
        return Err(Error::invalid_argument(format!(
            "the account manager of {id} prefers {}, which is not among its supported options",
            preferred.proto_name()
        )));
    }
    Ok(CredentialDetails {
        capability_account_provisioning: Some(details),
        capability_credential_rotation: rotation,
    })
}

/// baton's `ConnectorCapabilities` for a connector: one entry per resource type (sorted by id,
/// with the permissions and flags its annotations declare), the connector-level capabilities,
/// and the credential details of its account manager.
///
/// Errors (`InvalidArgument`, as baton refuses them when building the connector): two syncers
/// with the same resource type id; an account manager whose preferred credential option is unset
/// or not supported; invalid event feeds or action schemas (see
/// [`event_feeds`](crate::ops::event_feeds) and [`action_schemas`](crate::ops::action_schemas)).
///
/// ```
/// use c1_connector_sdk::ops::connector_capabilities;
/// use c1_connector_sdk::model::{Capability, ResourceType};
/// use c1_connector_sdk::testing::FakeConnector;
/// let fake = FakeConnector::builder().resource_type(ResourceType::new("user", "User")).build();
/// let caps = connector_capabilities(&fake)?;
/// assert!(caps.has(Capability::Sync));
/// # Ok::<(), c1_connector_sdk::error::Error>(())
/// ```
pub fn connector_capabilities(connector: &dyn Connector) -> Result<ConnectorCapabilities, Error> {
    let syncers = connector.syncers();
    let mut ids = HashSet::new();
    for s in &syncers {
        let id = s.resource_type().id;
        if !ids.insert(id.clone()) {
            return Err(Error::invalid_argument(format!(
                "two syncers declare the resource type {id:?}"
            )));
        }
    }

    let mut connector_caps = BTreeSet::new();
    let mut per_type = Vec::new();
    for rc in capabilities(&syncers) {
        connector_caps.extend(rc.capabilities.iter().copied());
        let annos = &rc.resource_type.annotations;
        per_type.push(ResourceTypeCapability {
            capabilities: rc.capabilities.iter().map(|c| *c as i32).collect(),
            permissions: Some(
                annos
                    .get_annotation::<CapabilityPermissions>()
                    .unwrap_or_default(),
            ),
            opt_in_required: annos.contains_annotation::<OptInRequired>(),
            skip_sync_anomaly_detection: annos.contains_annotation::<SkipSyncAnomalyDetection>(),
            deprecated: annos.contains_annotation::<Deprecated>(),
            resource_type: Some(rc.resource_type),
        });
    }
    per_type.sort_by(|a, b| {
        let id = |r: &ResourceTypeCapability| r.resource_type.as_ref().map(|t| t.id.clone());
        id(a).cmp(&id(b))
    });
    if connector_caps.contains(&Capability::TargetedSync) {
        connector_caps.insert(Capability::ServiceModeTargetedSync);
    }
    if !event_feeds(connector)?.is_empty() {
        connector_caps.insert(Capability::EventFeedV2);
    }
    if !action_schemas(connector)?.is_empty() {
        connector_caps.insert(Capability::Actions);
    }

    Ok(ConnectorCapabilities {
        resource_type_capabilities: per_type,
        connector_capabilities: connector_caps.into_iter().map(|c| c as i32).collect(),
        credential_details: Some(credential_details(&syncers)?),
    })
}

/// The connector's metadata with `capabilities` (field 8) filled from
/// [`connector_capabilities`], as baton's builder answers `GetMetadata` (and service mode's
/// Hello sends it). Capabilities the connector set itself are replaced.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), c1_connector_sdk::error::Error> {
/// use c1_connector_sdk::ops::metadata_with_capabilities;
/// use c1_connector_sdk::model::ResourceType;
/// use c1_connector_sdk::testing::FakeConnector;
/// let fake = FakeConnector::builder().resource_type(ResourceType::new("user", "User")).build();
/// let metadata = metadata_with_capabilities(&fake).await?;
/// assert!(metadata.capabilities.is_some());
/// # Ok(()) }
/// ```
pub async fn metadata_with_capabilities(
    connector: &dyn Connector,
) -> Result<ConnectorMetadata, Error> {
    let mut metadata = connector.metadata().await?;
    metadata.capabilities = Some(connector_capabilities(connector)?);
    Ok(metadata)
}
