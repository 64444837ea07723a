//! A ConductorOne connector for Descope.
//!
//! It syncs a Descope project's users, access keys, tenants, groups, roles, permissions, SSO
//! applications, third-party application consents and outbound application connections into
//! baton's data model (and so into a `.c1z` file); grants and revokes role assignments, tenant
//! memberships and SSO application access; revokes consents and connections; creates users;
//! enables, disables and deletes users and access keys; signs users out, resets their MFA and
//! updates their profiles; rotates access keys; and serves Descope's audit log as an event feed. See the
//! crate README for the model, the id formats and the API call behind each change.
//!
//! ```no_run
//! use std::sync::Arc;
//! use c1_connector_sdk::engine::{SyncOptions, Syncer};
//! use c1_connector_sdk::store::C1zWriter;
//! use descope_connector::{DescopeConfig, DescopeConnector};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = DescopeConfig::from_credentials("P2abc:K2secret")?;
//! let connector = Arc::new(DescopeConnector::new(config)?);
//! let mut store = C1zWriter::create("sync.c1z")?;
//! let stats = Syncer::new(connector, SyncOptions::default()).run(&mut store).await?;
//! println!("{} grants", stats.grants);
//! # Ok(()) }
//! ```

/// The README's examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// The crate is built in floors; a module imports only from its own floor or those below it
// (see ARCHITECTURE.md, "descope-connector").
//
// Floor 0, foundations: names, ids, errors, configuration, the building blocks of requests.
mod actions;
mod config;
mod error;
pub mod ids;
mod kinds;
mod principal_lock;
mod resume;
mod tenant_search;
// Floor 1, what the kinds share: the sync's state (catalog, index, session, context, access key
// listing), grant pages, what a change is about and what every change shares, the event feed.
mod catalog;
mod connections;
mod context;
mod events;
mod incremental;
mod index;
mod key_list;
mod known_targets;
mod pages;
mod provisioner;
mod session;
mod target;
// Floor 2, one module per resource kind: its resource, syncer and provisioning.
mod access_key;
mod app;
mod group;
mod outbound_app;
mod permission;
mod role;
mod tenant;
mod third_party_app;
mod user;
// Floor 3: grants and revokes dispatched, targeted syncs, and the connector.
mod connector;
mod provision;
mod targeted;

pub use config::{
    DEFAULT_EVENT_LOOKBACK, DEFAULT_MAX_PARALLEL_FETCHES, DEFAULT_USER_PAGE_OVERLAP,
    DEFAULT_USER_PAGE_SIZE, DescopeConfig,
};
pub use connector::DescopeConnector;
pub use error::ConfigError;
pub use kinds::{
    ACCESS, ACCESS_KEY_TYPE, APP_TYPE, ASSIGNED, GRANTED, GROUP_TYPE, MEMBER, OUTBOUND_APP_TYPE,
    PERMISSION_TYPE, ROLE_TYPE, TENANT_TYPE, THIRD_PARTY_APP_TYPE, USER_TYPE,
};
pub use outbound_app::CONNECTED;
pub use third_party_app::{CONSENT, SCOPE_PREFIX};
pub use user::incident::{RESET_MFA_ACTION, SIGN_OUT_ACTION, UPDATE_PROFILE_ACTION};
