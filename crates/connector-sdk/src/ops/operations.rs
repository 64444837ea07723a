//! [`Operations`]: every operation on one connector under one retry policy and one cancellation
//! token (see the [module](super) for which operation retries), and the grant and revoke
//! dispatch to the entitlement type's provisioner.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio_util::sync::CancellationToken;

use super::accounts::create_account;
use super::actions::{get_action_schema, get_action_status, invoke_action, list_action_schemas};
use super::deletion::delete_resource;
use super::events::{list_event_feeds, list_events};
use crate::connector::{Connector, CredentialCrypto, Provisioner, ResourceSyncer};
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
/// [module](crate::ops) for which operation retries). Cheap to clone.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # use c1_connector_sdk::model::{Entitlement, Resource};
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
    pub(super) retry: RetryPolicy,
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
        let syncer = provisioner_syncer(self.connector.as_ref(), entitlement)?;
        let provisioner = provisioner_of(syncer.as_ref(), entitlement)?;
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
        let entitlement = revoked_entitlement(grant)?;
        let syncer = provisioner_syncer(self.connector.as_ref(), entitlement)?;
        let provisioner = provisioner_of(syncer.as_ref(), entitlement)?;
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

    /// Serves `RotateCredential` ([`rotate_credentials`](super::rotate_credentials); not retried: each call issues a new
    /// secret).
    pub async fn rotate_credentials(
        &self,
        request: &crate::model::RotateCredentialRequest,
        crypto: Option<&dyn CredentialCrypto>,
    ) -> Result<crate::model::RotateCredentialResponse, Error> {
        self.until_cancelled(super::rotate_credentials(
            self.connector.as_ref(),
            request,
            crypto,
        ))
        .await
    }

    /// Serves `IssueCredential` ([`issue_credential`](super::issue_credential); not retried:
    /// each call mints a new credential).
    pub async fn issue_credential(
        &self,
        request: &crate::model::IssueCredentialRequest,
        crypto: Option<&dyn CredentialCrypto>,
    ) -> Result<crate::model::IssueCredentialResponse, Error> {
        self.until_cancelled(super::issue_credential(
            self.connector.as_ref(),
            request,
            crypto,
        ))
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

/// The syncer whose provisioner serves `entitlement`: the one of its resource type.
///
/// Errors: `NotFound` when the connector has no such type, `Unimplemented` when that type does
/// not provision.
fn provisioner_syncer(
    connector: &dyn Connector,
    entitlement: &Entitlement,
) -> Result<Arc<dyn ResourceSyncer>, Error> {
    let rt = entitlement.resource_id().resource_type;
    let syncer = connector
        .syncers()
        .into_iter()
        .find(|s| s.resource_type().id == rt)
        .ok_or_else(|| Error::not_found(format!("this connector has no resource type {rt:?}")))?;
    provisioner_of(&*syncer, entitlement)?;
    Ok(syncer)
}

/// The provisioner of `syncer` (see [`provisioner_syncer`]).
fn provisioner_of<'a>(
    syncer: &'a dyn ResourceSyncer,
    entitlement: &Entitlement,
) -> Result<&'a dyn Provisioner, Error> {
    syncer.provisioner().ok_or_else(|| {
        Error::unimplemented(format!(
            "resource type {} does not support provisioning",
            entitlement.resource_id().resource_type
        ))
    })
}

/// The entitlement a grant to revoke is on.
fn revoked_entitlement(grant: &Grant) -> Result<&Entitlement, Error> {
    grant.entitlement.as_ref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "grant {} has no entitlement: a grant to revoke must carry the entitlement it is on",
            grant.id
        ))
    })
}
