//! The traits a connector implements.
//!
//! A [`Connector`] hands out one [`ResourceSyncer`] per resource type. Optional capabilities
//! (provisioning, targeted get, account creation) are separate traits reached through default
//! methods of [`ResourceSyncer`] that return `None`, so adding a capability here never breaks a
//! connector, and [`capabilities`] derives what a connector can do from what it implements.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Error;
use crate::model::{
    Annotations, ConnectorMetadata, Entitlement, Grant, Resource, ResourceId, ResourceType,
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
    async fn entitlements(
        &self,
        resource: &Resource,
        token: Option<&str>,
    ) -> Result<Page<Entitlement>, Error>;

    /// Lists the grants on the entitlements of one resource.
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

/// What an account-creation request carries.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AccountInfo {
    /// Login name.
    pub login: String,
    /// Email addresses.
    pub emails: Vec<String>,
    /// Free-form profile.
    pub profile: Option<prost_types::Struct>,
}

impl AccountInfo {
    /// Account info with a login.
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            ..Self::default()
        }
    }
}

/// Creates accounts (baton's `AccountManager`).
#[async_trait]
pub trait AccountManager: Send + Sync {
    /// Creates an account and returns the new resource.
    async fn create_account(&self, info: &AccountInfo) -> Result<(Resource, Annotations), Error>;
}

/// A capability, as in baton's `Capability` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// Full sync.
    Sync,
    /// Targeted sync of single resources.
    TargetedSync,
    /// Grant and revoke.
    Provision,
    /// Account creation.
    AccountProvisioning,
}

impl Capability {
    /// baton's protojson name, e.g. `CAPABILITY_PROVISION`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Capability::Sync => "CAPABILITY_SYNC",
            Capability::TargetedSync => "CAPABILITY_TARGETED_SYNC",
            Capability::Provision => "CAPABILITY_PROVISION",
            Capability::AccountProvisioning => "CAPABILITY_ACCOUNT_PROVISIONING",
        }
    }
}

/// The capabilities of one resource type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceCapabilities {
    /// The resource type.
    pub resource_type: ResourceType,
    /// What its syncer implements, sorted.
    pub capabilities: Vec<Capability>,
}

/// Derives capabilities from what each syncer implements, like baton's `GetCapabilities`.
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
            caps.sort();
            ResourceCapabilities {
                resource_type: s.resource_type(),
                capabilities: caps,
            }
        })
        .collect()
}
