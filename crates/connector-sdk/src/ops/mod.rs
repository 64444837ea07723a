//! The operations layer: everything ConductorOne asks of a connector besides a sync, each served
//! in one place over the traits of [`crate::connector`]. Both of the runner's ways in (one-shot
//! flags and service-mode tasks) call these; they only map their input to a call and the result
//! to their output.
//!
//! | request | function | [`Operations`] method |
//! | --- | --- | --- |
//! | grant / revoke | (dispatch to the entitlement type's [`Provisioner`](crate::connector::Provisioner)) | [`grant`](Operations::grant), [`revoke`](Operations::revoke); by id in a `.c1z`: [`ProvisioningRunner`] |
//! | `CreateAccount` | [`create_account`] | [`create_account`](Operations::create_account) |
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
//! error is retryable ([`Error::is_retryable`]: `Unavailable`, `DeadlineExceeded`, unless the
//! connector marked it final); provisioners must be idempotent, so a repeat is safe. The other
//! operations are not retried in the process, as in baton: creating an account or deleting one
//! is left to the caller to repeat, an action need not be idempotent at all, and reads are cheap
//! for the caller to ask again. Every async method stops waiting when the token fires and
//! answers `Cancelled`; the call's effect is then unknown (the caller says what that means for
//! its user).

mod accounts;
mod actions;
mod capabilities;
mod deletion;
mod events;
mod provision;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio_util::sync::CancellationToken;

pub use accounts::{account_manager_syncer, create_account};
pub use actions::{
    action_provider_syncer, action_schemas, get_action_schema, get_action_status, invoke_action,
    list_action_schemas,
};
pub use capabilities::{capabilities_json, connector_capabilities, metadata_with_capabilities};
pub use deletion::{delete_resource, delete_resource_v2, deleter_syncer};
pub use events::{RegisteredFeed, event_feed, event_feeds, list_event_feeds, list_events};
pub use provision::ProvisioningRunner;

use crate::connector::{Connector, CredentialCrypto};
use crate::engine::RetryPolicy;
use crate::error::Error;
use crate::model::{
    Annotations, CreateAccountRequest, CreateAccountResponse, DeleteResourceRequest,
    DeleteResourceResponse, Entitlement, GetActionSchemaRequest, GetActionSchemaResponse,
    GetActionStatusRequest, GetActionStatusResponse, Grant, InvokeActionRequest,
    InvokeActionResponse, ListActionSchemasRequest, ListActionSchemasResponse,
    ListEventFeedsRequest, ListEventFeedsResponse, ListEventsRequest, ListEventsResponse, Resource,
};

/// The operations on one connector, under one retry policy and one cancellation token (see the
/// [module](self) for which operation retries). Cheap to clone.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use c1_connector_sdk::{Connector, Entitlement, Error, Resource};
/// # async fn f(connector: Arc<dyn Connector>, user: Resource, admin: Entitlement) -> Result<(), Error> {
/// use c1_connector_sdk::model::GrantAlreadyExists;
/// use c1_connector_sdk::ops::Operations;
/// use tokio_util::sync::CancellationToken;
///
/// let shutdown = CancellationToken::new();
/// let ops = Operations::new(connector).with_cancel(shutdown.clone());
/// let annotations = ops.grant(&user, &admin).await?;
/// if annotations.contains::<GrantAlreadyExists>() {
///     println!("nothing to do: the user had it already");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Operations {
    connector: Arc<dyn Connector>,
    retry: RetryPolicy,
    cancel: CancellationToken,
}

impl std::fmt::Debug for Operations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operations")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Operations {
    /// The operations of `connector`, with baton's provisioning retries (2 retries after the
    /// first attempt) and a token nobody cancels.
    pub fn new(connector: Arc<dyn Connector>) -> Self {
        Self {
            connector,
            retry: RetryPolicy::new(2),
            cancel: CancellationToken::new(),
        }
    }

    /// Uses another retry policy for grant and revoke.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Stops waiting for the connector when `cancel` fires (the call answers `Cancelled`).
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// The connector.
    pub fn connector(&self) -> &Arc<dyn Connector> {
        &self.connector
    }

    /// Awaits `call` unless the token fires first.
    async fn until_cancelled<T>(
        &self,
        call: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => Err(Error::cancelled("cancelled")),
            result = call => result,
        }
    }

    /// Grants `entitlement` to `principal` with the provisioner of the entitlement's resource
    /// type, retrying under the policy. The connector says whether it was granted already
    /// (`GrantAlreadyExists` in the annotations).
    ///
    /// Errors: `NotFound` when the connector has no syncer of the entitlement's type,
    /// `Unimplemented` when that type does not provision, `Cancelled` when the token fired, or
    /// the provisioner's last error.
    pub async fn grant(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<Annotations, Error> {
        let syncer = provision::provisioner_syncer(self.connector.as_ref(), entitlement)?;
        let provisioner = provision::provisioner_of(syncer.as_ref(), entitlement)?;
        let retries = Arc::new(AtomicU64::new(0));
        self.retry
            .run(&self.cancel, &retries, || {
                provisioner.grant(principal, entitlement)
            })
            .await
    }

    /// Revokes `grant` with the provisioner of its entitlement's resource type, retrying under
    /// the policy (`GrantAlreadyRevoked` when it was not granted).
    ///
    /// Errors: `InvalidArgument` when the grant carries no entitlement, else as
    /// [`grant`](Self::grant).
    pub async fn revoke(&self, grant: &Grant) -> Result<Annotations, Error> {
        let entitlement = provision::revoked_entitlement(grant)?;
        let syncer = provision::provisioner_syncer(self.connector.as_ref(), entitlement)?;
        let provisioner = provision::provisioner_of(syncer.as_ref(), entitlement)?;
        let retries = Arc::new(AtomicU64::new(0));
        self.retry
            .run(&self.cancel, &retries, || provisioner.revoke(grant))
            .await
    }

    /// Serves `CreateAccount` ([`create_account`]).
    pub async fn create_account(
        &self,
        request: &CreateAccountRequest,
        crypto: Option<&dyn CredentialCrypto>,
    ) -> Result<CreateAccountResponse, Error> {
        self.until_cancelled(create_account(self.connector.as_ref(), request, crypto))
            .await
    }

    /// Serves `DeleteResource` ([`delete_resource`]).
    pub async fn delete_resource(
        &self,
        request: &DeleteResourceRequest,
    ) -> Result<DeleteResourceResponse, Error> {
        self.until_cancelled(delete_resource(self.connector.as_ref(), request))
            .await
    }

    /// Serves `ListActionSchemas` ([`list_action_schemas`]; no connector call is made).
    pub fn list_action_schemas(
        &self,
        request: &ListActionSchemasRequest,
    ) -> Result<ListActionSchemasResponse, Error> {
        list_action_schemas(self.connector.as_ref(), request)
    }

    /// Serves `GetActionSchema` ([`get_action_schema`]; no connector call is made).
    pub fn get_action_schema(
        &self,
        request: &GetActionSchemaRequest,
    ) -> Result<GetActionSchemaResponse, Error> {
        get_action_schema(self.connector.as_ref(), request)
    }

    /// Serves `InvokeAction` ([`invoke_action`]).
    pub async fn invoke_action(
        &self,
        request: &InvokeActionRequest,
    ) -> Result<InvokeActionResponse, Error> {
        self.until_cancelled(invoke_action(self.connector.as_ref(), request))
            .await
    }

    /// Serves `GetActionStatus` ([`get_action_status`]).
    pub async fn get_action_status(
        &self,
        request: &GetActionStatusRequest,
    ) -> Result<GetActionStatusResponse, Error> {
        self.until_cancelled(get_action_status(self.connector.as_ref(), request))
            .await
    }

    /// Serves `ListEventFeeds` ([`list_event_feeds`]; no connector call is made).
    pub fn list_event_feeds(
        &self,
        request: &ListEventFeedsRequest,
    ) -> Result<ListEventFeedsResponse, Error> {
        list_event_feeds(self.connector.as_ref(), request)
    }

    /// Serves `ListEvents`: one page ([`list_events`]).
    pub async fn list_events(
        &self,
        request: &ListEventsRequest,
    ) -> Result<ListEventsResponse, Error> {
        self.until_cancelled(list_events(self.connector.as_ref(), request))
            .await
    }
}
