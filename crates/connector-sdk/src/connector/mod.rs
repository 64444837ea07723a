//! The traits a connector implements, and the small types they answer: the floor the rest of
//! the crate stands on (it imports nothing above the model).
//!
//! A [`Connector`] hands out one [`ResourceSyncer`] per resource type. Optional capabilities are
//! separate traits reached through default methods that return `None`, so adding a capability
//! here never breaks a connector, and [`capabilities`] derives what a connector can do from what
//! it implements:
//!
//! | capability | trait | reached through |
//! | --- | --- | --- |
//! | grant and revoke | [`Provisioner`] | [`ResourceSyncer::provisioner`] |
//! | targeted get | [`ResourceGetter`] | [`ResourceSyncer::resource_getter`] |
//! | account creation | [`AccountManager`] (answers [`AccountCreated`], receives [`LocalCredentialOptions`]) | [`ResourceSyncer::account_manager`] |
//! | deletion | [`ResourceDeleter`] | [`ResourceSyncer::resource_deleter`] |
//! | credential rotation | [`CredentialRotator`] (answers [`RotatedCredential`]) | [`ResourceSyncer::credential_rotator`] |
//! | actions | [`ActionProvider`] (answers [`ActionOutcome`]; argument helpers such as [`resource_id_arg`]) | [`ResourceSyncer::action_provider`], [`Connector::action_provider`] |
//! | event feeds | [`EventProvider`], [`EventFeed`] | [`Connector::event_provider`] |
//!
//! What serves ConductorOne's requests with these traits (picking the syncer, checking the
//! request and the answer, retrying) is the operations layer above, the `ops` module.

mod accounts;
mod action_args;
mod actions;
mod credentials;
mod deletion;
mod events;

use std::sync::Arc;

use async_trait::async_trait;

#[cfg(test)]
pub(crate) use accounts::tests::Reverse as ReverseCrypto;
pub use accounts::{
    AccountCreated, AccountManager, CreateAccountResult, CredentialCrypto, CredentialOption,
    LocalCredentialOptions, Password,
};
pub use action_args::{
    bool_arg, check_action_args, resource_id_arg, resource_id_value, string_arg, string_list_arg,
};
pub use actions::{ActionOutcome, ActionProvider};
pub use credentials::{CredentialIssuer, CredentialRotator, IssuedCredential, RotatedCredential};
pub use deletion::ResourceDeleter;
pub use events::{
    EventFeed, EventPage, EventProvider, EventsRequest, LEGACY_FEED_ID, MAX_CURSOR_BYTES,
    MAX_PAGE_SIZE,
};

use crate::error::Error;
use crate::model::{
    Annotations, Capability, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId,
    ResourceType,
};
use crate::page::Page;
use crate::session::SyncSession;

/// A connector: metadata, credential validation and its syncers.
#[async_trait]
pub trait Connector: Send + Sync {
    /// Name and description shown in ConductorOne.
    async fn metadata(&self) -> Result<ConnectorMetadata, Error>;

    /// Checks credentials and connectivity before a sync.
    async fn validate(&self) -> Result<Annotations, Error>;

    /// One syncer per resource type, for uses outside a sync: [`capabilities`], provisioning,
    /// and the default [`Connector::begin_sync`]. A connector with per-sync state creates it in
    /// `begin_sync` instead, so these syncers need not carry any.
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>>;

    /// Starts one sync: the engine calls it once, after the store started (or resumed) the
    /// sync and before any listing, and uses the syncers it returns for that sync only (baton's
    /// `ResourceSyncers(ctx)` with `SyncOpAttrs{Session, SyncID}`).
    ///
    /// A connector that shares state between its syncers during a sync (a cache, an index built
    /// in one phase and read in a later one) creates it here, and may keep what a resumed sync
    /// would otherwise fetch again in [`SyncSession::store`]; see [`crate::session`] for what
    /// that store guarantees. The default returns [`Connector::syncers`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use async_trait::async_trait;
    /// use c1_connector_sdk::prelude::*;
    /// use c1_connector_sdk::session::SyncSession;
    ///
    /// struct Demo;
    ///
    /// #[async_trait]
    /// impl Connector for Demo {
    ///     async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
    ///         Ok(ConnectorMetadata::new("Demo", "Per-sync state"))
    ///     }
    ///     async fn validate(&self) -> Result<Annotations, Error> {
    ///         Ok(Annotations::new())
    ///     }
    ///     fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
    ///         Vec::new()
    ///     }
    ///     async fn begin_sync(&self, session: SyncSession) -> Result<Vec<Arc<dyn ResourceSyncer>>, Error> {
    ///         if session.is_resumed() {
    ///             // What the interrupted run kept for its later phases.
    ///             let _kept = session.store().get("index").await?;
    ///         }
    ///         Ok(self.syncers())
    ///     }
    /// }
    /// ```
    async fn begin_sync(
        &self,
        session: SyncSession,
    ) -> Result<Vec<Arc<dyn ResourceSyncer>>, Error> {
        let _ = session;
        Ok(self.syncers())
    }

    /// What this connector can do, derived from its syncers.
    fn capabilities(&self) -> Vec<ResourceCapabilities> {
        capabilities(&self.syncers())
    }

    /// Event feeds (a connector-level capability).
    fn event_provider(&self) -> Option<&dyn EventProvider> {
        None
    }

    /// Global actions, not scoped to a resource type.
    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        None
    }
}

/// Syncs one resource type. Every listing is paged by an opaque token: `None` asks for the
/// first page, and a page whose `next_token` is `None` is the last one.
#[async_trait]
pub trait ResourceSyncer: Send + Sync {
    /// The resource type this syncer lists.
    fn resource_type(&self) -> ResourceType;

    /// Lists resources: top-level ones when `parent` is `None`, otherwise the children of `parent`
    /// (asked for when a parent carries a `ChildResourceType` annotation naming this type).
    async fn list(
        &self,
        parent: Option<&ResourceId>,
        token: Option<&str>,
    ) -> Result<Page<Resource>, Error>;

    /// Lists the entitlements of one resource.
    ///
    /// A [`Code::NotFound`](crate::error::Code::NotFound) error here (and from [`grants`](Self::grants))
    /// means "this resource vanished since it was listed": the engine logs a warning and goes on.
    /// An error from state shared by every resource (an index, a catalog) must be marked
    /// [`Error::in_shared_state`], whatever its code, so that it fails the sync instead.
    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<&str>,
    ) -> Result<Page<Entitlement>, Error>;

    /// Lists the grants on the entitlements of one resource (see
    /// [`entitlements`](Self::entitlements) for what a `NotFound` error means).
    async fn grants(&self, resource: &Resource, token: Option<&str>) -> Result<Page<Grant>, Error>;

    /// Grant and revoke support for entitlements of this type's resources.
    fn provisioner(&self) -> Option<&dyn Provisioner> {
        None
    }

    /// Targeted get of one resource.
    fn resource_getter(&self) -> Option<&dyn ResourceGetter> {
        None
    }

    /// Account creation for this type.
    fn account_manager(&self) -> Option<&dyn AccountManager> {
        None
    }

    /// Deletion of this type's resources.
    fn resource_deleter(&self) -> Option<&dyn ResourceDeleter> {
        None
    }

    /// Actions scoped to this type (for example enable and disable).
    fn action_provider(&self) -> Option<&dyn ActionProvider> {
        None
    }

    /// Credential rotation of this type's resources.
    fn credential_rotator(&self) -> Option<&dyn CredentialRotator> {
        None
    }

    /// Credential issuance for this type's resources (the identities credentials are minted for).
    fn credential_issuer(&self) -> Option<&dyn CredentialIssuer> {
        None
    }
}

/// Grants and revokes entitlements.
///
/// Both calls must be idempotent: granting what is already granted returns
/// [`GrantAlreadyExists`](crate::model::GrantAlreadyExists) in the annotations, revoking what is
/// not granted returns [`GrantAlreadyRevoked`](crate::model::GrantAlreadyRevoked).
#[async_trait]
pub trait Provisioner: Send + Sync {
    /// Grants `entitlement` to `principal`.
    async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<Annotations, Error>;

    /// Revokes `grant`.
    async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error>;
}

/// Fetches one resource by id (baton's `ResourceTargetedSyncer`).
#[async_trait]
pub trait ResourceGetter: Send + Sync {
    /// Fetches the resource `id`, optionally under `parent`.
    async fn get(&self, id: &ResourceId, parent: Option<&ResourceId>) -> Result<Resource, Error>;
}

/// The capabilities of one resource type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceCapabilities {
    /// The resource type.
    pub resource_type: ResourceType,
    /// What its syncer implements, in baton's order (`SYNC` first).
    pub capabilities: Vec<Capability>,
}

/// Derives each syncer's capabilities from what it implements, like baton's `GetCapabilities`,
/// in syncer order.
///
/// ```
/// use std::sync::Arc;
/// use c1_connector_sdk::connector::{ResourceSyncer, capabilities};
/// use c1_connector_sdk::model::Capability;
/// # fn syncers() -> Vec<Arc<dyn ResourceSyncer>> { Vec::new() }
/// for rc in capabilities(&syncers()) {
///     assert_eq!(rc.capabilities[0], Capability::Sync);
/// }
/// ```
pub fn capabilities(syncers: &[Arc<dyn ResourceSyncer>]) -> Vec<ResourceCapabilities> {
    syncers
        .iter()
        .map(|s| {
            let mut caps = vec![Capability::Sync];
            if s.resource_getter().is_some() {
                caps.push(Capability::TargetedSync);
            }
            if s.provisioner().is_some() {
                caps.push(Capability::Provision);
            }
            if s.account_manager().is_some() {
                caps.push(Capability::AccountProvisioning);
            }
            if s.credential_rotator().is_some() {
                caps.push(Capability::CredentialRotation);
            }
            if s.resource_deleter().is_some() {
                caps.push(Capability::ResourceDelete);
            }
            if s.credential_issuer().is_some() {
                caps.push(Capability::CredentialIssue);
            }
            ResourceCapabilities {
                resource_type: s.resource_type(),
                capabilities: caps,
            }
        })
        .collect()
}
