//! Rust counterpart of ConductorOne's Go `baton-sdk`: connector traits, baton's data model, a
//! sync engine, `.c1z` and JSON Lines stores, and the operations ConductorOne asks of a
//! connector.
//!
//! The crate knows nothing of any particular API and has no HTTP client. A connector implements
//! [`Connector`] and one [`ResourceSyncer`] per resource type; [`engine::Syncer`] runs a full
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
pub mod protojson;
pub mod session;
pub mod store;
mod targeted;
#[cfg(feature = "test-util")]
pub mod testing;

pub use connector::{
    AccountCreated, AccountInfo, AccountManager, ActionOutcome, ActionProvider, Capability,
    Connector, CredentialCrypto, EventFeed, EventPage, EventProvider, EventsRequest,
    LocalCredentialOptions, Provisioner, ResourceCapabilities, ResourceDeleter, ResourceGetter,
    ResourceSyncer, capabilities,
};
pub use error::{Code, Error};
pub use model::*;
pub use ops::{capabilities_json, connector_capabilities, metadata_with_capabilities};
pub use page::{Page, PageToken};
pub use session::{SessionStore, SyncCounters, SyncSession};

/// The names a connector usually needs, in one import.
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

// Old paths, kept so that code written against them still builds until the public-path pass
// of issue 22 removes them: the traits moved to `connector`, the functions serving requests to
// `ops`. New code uses those.

/// Old path of account creation: [`connector::AccountManager`] and its types, and
/// [`ops::create_account`].
pub mod accounts {
    pub use crate::connector::{
        AccountCreated, AccountManager, CreateAccountResult, CredentialCrypto, CredentialOption,
        LocalCredentialOptions, Password,
    };
    pub use crate::ops::{account_manager_syncer, create_account};
}

/// Old path of actions: [`connector::ActionProvider`] and its helpers, and the `ops` functions.
pub mod actions {
    pub use crate::connector::{
        ActionOutcome, ActionProvider, bool_arg, check_action_args, resource_id_arg,
        resource_id_value, string_arg, string_list_arg,
    };
    pub use crate::ops::{
        action_provider_syncer, action_schemas, get_action_schema, get_action_status,
        invoke_action, list_action_schemas,
    };
}

/// Old path of capabilities: [`connector::capabilities`] and the `ops` functions.
pub mod capabilities {
    pub use crate::connector::{ResourceCapabilities, capabilities};
    pub use crate::ops::{capabilities_json, connector_capabilities, metadata_with_capabilities};
}

/// Old path of deletion: [`connector::ResourceDeleter`] and the `ops` functions.
pub mod deletion {
    pub use crate::connector::ResourceDeleter;
    pub use crate::ops::{delete_resource, delete_resource_v2, deleter_syncer};
}

/// Old path of event feeds: [`connector::EventProvider`] and its types, and the `ops` functions.
pub mod events {
    pub use crate::connector::{
        EventFeed, EventPage, EventProvider, EventsRequest, LEGACY_FEED_ID, MAX_CURSOR_BYTES,
        MAX_PAGE_SIZE,
    };
    pub use crate::ops::{RegisteredFeed, event_feed, event_feeds, list_event_feeds, list_events};
}

/// Old path of [`ops::ProvisioningRunner`].
pub mod provision {
    pub use crate::ops::ProvisioningRunner;
}
