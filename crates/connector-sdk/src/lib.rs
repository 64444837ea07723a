//! Rust counterpart of ConductorOne's Go `baton-sdk`: connector traits, baton's data model, a
//! sync engine, `.c1z` and JSON Lines stores, and the operations ConductorOne asks of a
//! connector.
//!
//! The crate knows nothing of any particular API and has no HTTP client. A connector implements
//! [`connector::Connector`] and one [`connector::ResourceSyncer`] per resource type; [`engine::Syncer`] runs a full
//! sync into a [`store::SyncStore`] such as `store::C1zWriter` (default feature `c1z`), whose
//! files ConductorOne's `baton` tools read.
//!
//! The modules stand on floors, each importing only the ones below it:
//!
//! | floor | modules |
//! | --- | --- |
//! | the operations ConductorOne asks for (grant, revoke, accounts, deletion, actions, events, capabilities) | [`ops`] |
//! | the sync engine | [`engine`] |
//! | where a sync goes | [`store`] |
//! | the traits a connector implements, and its per-sync session | [`connector`], [`session`] |
//! | baton's model, its ids, errors, pages, protojson | [`model`], [`ids`], [`error`], [`page`], [`protojson`] |
//!
//! Each public type has one path, the module that defines it: `c1_connector_sdk::model::Resource`,
//! `connector::ResourceSyncer`, `ops::Operations`, `engine::Syncer`, `store::C1zWriter`,
//! `error::{Error, Code}`, `page::Page`, `session::SessionStore`. The [`prelude`] gathers the
//! names a connector usually needs for one glob import.
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

pub mod compact;
pub mod connector;
#[cfg(feature = "crypto")]
pub mod crypto;
pub mod engine;
pub mod error;
pub mod ids;
pub mod model;
pub mod ops;
pub mod page;
pub mod previous;
pub mod protojson;
pub mod session;
pub mod store;
mod targeted;
#[cfg(feature = "test-util")]
pub mod testing;

/// The names a connector usually needs, in one glob import (`use c1_connector_sdk::prelude::*;`).
///
/// The prelude is the crate's one convenience path: every name in it also has its one real path,
/// the module that defines it (or, for a private submodule, its parent's re-export), which is
/// where it is documented and how the rest of the workspace names it: [`model::Resource`],
/// [`connector::ResourceSyncer`], [`error::Error`], [`page::Page`], [`session::SessionStore`],
/// [`engine::Syncer`], `store::C1zWriter`. Nothing else is re-exported at the crate root.
pub mod prelude {
    pub use crate::connector::{
        AccountCreated, AccountManager, ActionOutcome, ActionProvider, Connector, EventFeed,
        EventPage, EventProvider, EventsRequest, LocalCredentialOptions, Provisioner,
        ResourceDeleter, ResourceGetter, ResourceSyncer,
    };
    pub use crate::engine::{SyncOptions, SyncStats, Syncer};
    pub use crate::error::{Code, Error};
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
