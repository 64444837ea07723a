//! The operations layer: everything ConductorOne asks of a connector besides a sync, each served
//! in one place over the traits of [`crate::connector`]. Both of the runner's ways in (one-shot
//! flags and service-mode tasks) call these; they only map their input to a call and the result
//! to their output.
//!
//! | request | function | [`Operations`] method |
//! | --- | --- | --- |
//! | grant / revoke | (dispatch to the entitlement type's [`Provisioner`](crate::connector::Provisioner)) | [`grant`](Operations::grant), [`revoke`](Operations::revoke); by id in a `.c1z`: [`ProvisioningRunner`] |
//! | `CreateAccount` | [`create_account`] | [`create_account`](Operations::create_account) |
//! | `IssueCredential` | [`issue_credential`] | [`issue_credential`](Operations::issue_credential) |
//! | `RotateCredential` | [`rotate_credentials`] | [`rotate_credentials`](Operations::rotate_credentials) |
//! | `DeleteResource`, `DeleteResourceV2` | [`delete_resource`], [`delete_resource_v2`] | [`delete_resource`](Operations::delete_resource) |
//! | `ListActionSchemas`, `GetActionSchema` | [`list_action_schemas`], [`get_action_schema`] | [`list_action_schemas`](Operations::list_action_schemas), [`get_action_schema`](Operations::get_action_schema) |
//! | `InvokeAction`, `GetActionStatus` | [`invoke_action`], [`get_action_status`] | [`invoke_action`](Operations::invoke_action), [`get_action_status`](Operations::get_action_status) |
//! | `ListEventFeeds`, `ListEvents` | [`list_event_feeds`], [`list_events`] | [`list_event_feeds`](Operations::list_event_feeds), [`list_events`](Operations::list_events) |
//! | `GetMetadata` (with capabilities), the `capabilities` document | [`metadata_with_capabilities`], [`connector_capabilities`], [`capabilities_json`] | |
//!
//! # Retries and cancellation, in one place
//!
//! [`Operations`] holds the one retry policy and the cancellation token. Grant and revoke are
//! retried under the policy (by default 2 retries, baton's 3 provisioning attempts) when the
//! error is retryable ([`Error::is_retryable`](crate::error::Error::is_retryable): `Unavailable`, `DeadlineExceeded`, unless the
//! connector marked it final); provisioners must be idempotent, so a repeat is safe. The other
//! operations are not retried in the process, as in baton: creating an account or deleting one
//! is left to the caller to repeat, an action need not be idempotent at all, and reads are cheap
//! for the caller to ask again. Every async method stops waiting when the token fires and
//! answers `Cancelled`; the call's effect is then unknown (the caller says what that means for
//! its user).

mod accounts;
mod actions;
mod capabilities;
mod credentials;
mod deletion;
mod events;
mod operations;
mod provision;

pub use accounts::{account_manager_syncer, create_account};
pub use actions::{
    action_provider_syncer, action_schemas, get_action_schema, get_action_status, invoke_action,
    list_action_schemas,
};
pub use capabilities::{capabilities_json, connector_capabilities, metadata_with_capabilities};
pub use credentials::{issue_credential, rotate_credentials};
pub use deletion::{delete_resource, delete_resource_v2, deleter_syncer};
pub use events::{RegisteredFeed, event_feed, event_feeds, list_event_feeds, list_events};
pub use operations::Operations;
pub use provision::ProvisioningRunner;
