//! Rust counterpart of ConductorOne's Go `baton-sdk`: connector traits, baton's data model, a
//! sync engine, `.c1z` and JSON Lines stores, and a provisioning runner.
//!
//! The crate knows nothing of any particular API and has no HTTP client. A connector implements
//! [`Connector`] and one [`ResourceSyncer`] per resource type; [`engine::Syncer`] runs a full
//! sync into a [`store::SyncStore`] such as `store::C1zWriter` (default feature `c1z`), whose
//! files ConductorOne's `baton` tools read.
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use c1_connector_sdk::prelude::*;
//!
//! struct Users;
//!
//! #[async_trait]
//! impl ResourceSyncer for Users {
//!     fn resource_type(&self) -> ResourceType {
//!         ResourceType::new("user", "User").with_trait(Trait::User)
//!     }
//!     async fn list(&self, _parent: Option<&ResourceId>, _token: Option<&str>) -> Result<Page<Resource>, Error> {
//!         let alice = Resource::new("user", "alice", "Alice").with_user_trait(UserTrait::new());
//!         Ok(Page::last(vec![alice]))
//!     }
//!     async fn entitlements(&self, _r: &Resource, _t: Option<&str>) -> Result<Page<Entitlement>, Error> {
//!         Ok(Page::empty())
//!     }
//!     async fn grants(&self, _r: &Resource, _t: Option<&str>) -> Result<Page<Grant>, Error> {
//!         Ok(Page::empty())
//!     }
//! }
//!
//! struct Demo;
//!
//! #[async_trait]
//! impl Connector for Demo {
//!     async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
//!         Ok(ConnectorMetadata::new("Demo", "A demo connector"))
//!     }
//!     async fn validate(&self) -> Result<Annotations, Error> {
//!         Ok(Annotations::new())
//!     }
//!     fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
//!         vec![Arc::new(Users)]
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Error> {
//! let dir = tempfile::tempdir()?;
//! let mut store = C1zWriter::create(dir.path().join("sync.c1z"))?;
//! let stats = Syncer::new(Arc::new(Demo), SyncOptions::default()).run(&mut store).await?;
//! assert_eq!(stats.resources_by_type["user"], 1);
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

/// The README's examples, compiled and run as doc tests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "c1z"))]
pub struct ReadmeDoctests;

pub mod accounts;
pub mod actions;
pub mod capabilities;
pub mod connector;
pub mod deletion;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod model;
pub mod page;
pub mod protojson;
pub mod provision;
pub mod session;
pub mod store;
#[cfg(feature = "test-util")]
pub mod testing;

pub use accounts::{AccountCreated, CredentialCrypto, LocalCredentialOptions};
pub use actions::{ActionOutcome, ActionProvider};
pub use capabilities::{capabilities_json, connector_capabilities, metadata_with_capabilities};
pub use connector::{
    AccountInfo, AccountManager, Capability, Connector, Provisioner, ResourceCapabilities,
    ResourceGetter, ResourceSyncer, capabilities,
};
pub use deletion::ResourceDeleter;
pub use error::{Code, Error};
pub use events::{EventFeed, EventPage, EventProvider, EventsRequest};
pub use model::*;
pub use page::{Page, PageToken};
pub use session::{SessionStore, SyncCounters, SyncSession};

/// The names a connector usually needs, in one import.
pub mod prelude {
    pub use crate::accounts::{AccountCreated, AccountManager, LocalCredentialOptions};
    pub use crate::actions::{ActionOutcome, ActionProvider};
    pub use crate::connector::{Connector, Provisioner, ResourceGetter, ResourceSyncer};
    pub use crate::deletion::ResourceDeleter;
    pub use crate::engine::{SyncOptions, SyncStats, Syncer};
    pub use crate::error::{Code, Error};
    pub use crate::events::{EventFeed, EventPage, EventProvider, EventsRequest};
    pub use crate::model::{
        AnnotationMessage, Annotations, ChildResourceType, ConnectorMetadata, Entitlement, Grant,
        GrantAlreadyExists, GrantAlreadyRevoked, GroupTrait, Resource, ResourceId, ResourceType,
        RoleTrait, SkipEntitlementsAndGrants, Trait, UserTrait,
    };
    pub use crate::page::Page;
    pub use crate::session::{SessionStore, SyncCounters, SyncSession};
    #[cfg(feature = "c1z")]
    pub use crate::store::{C1zReader, C1zWriter};
    pub use crate::store::{JsonlWriter, SyncStore};
}
