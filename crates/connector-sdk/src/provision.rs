//! One-shot provisioning, like baton's `--grant-entitlement/--grant-principal[-type]` and
//! `--revoke-grant`: look the objects up in a `.c1z`, then call the connector's provisioner.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio_util::sync::CancellationToken;

use crate::connector::{Connector, ResourceSyncer};
use crate::engine::RetryPolicy;
use crate::error::Error;
use crate::model::{Annotations, Entitlement, Grant, Resource};
use crate::store::C1zReader;

/// Grants and revokes using the objects recorded in a `.c1z` file.
///
/// The provisioner used is the one of the syncer of the *entitlement's* resource type, as in
/// baton. Calls failing with `Unavailable` / `DeadlineExceeded` are retried (3 attempts by
/// default, baton's provisioning rule).
///
/// ```no_run
/// # use std::sync::Arc;
/// # use c1_connector_sdk::{Connector, Error, provision::ProvisioningRunner};
/// # async fn f(connector: Arc<dyn Connector>) -> Result<(), Error> {
/// let runner = ProvisioningRunner::new(connector, "sync.c1z");
/// let annos = runner.grant("role:admin:member", "user", "u1").await?;
/// runner.revoke("role:admin:member:user:u1").await?;
/// # Ok(()) }
/// ```
pub struct ProvisioningRunner {
    connector: Arc<dyn Connector>,
    path: PathBuf,
    retry: RetryPolicy,
    cancel: CancellationToken,
}

impl std::fmt::Debug for ProvisioningRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvisioningRunner")
            .field("path", &self.path)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ProvisioningRunner {
    /// A runner reading `c1z`.
    pub fn new(connector: Arc<dyn Connector>, c1z: impl AsRef<Path>) -> Self {
        Self {
            connector,
            path: c1z.as_ref().to_path_buf(),
            retry: RetryPolicy::new(2),
            cancel: CancellationToken::new(),
        }
    }

    /// Uses another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses this cancellation token.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&C1zReader) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let reader = C1zReader::open(&path)?;
            f(&reader)
        })
        .await
        .map_err(|e| Error::internal("c1z lookup task failed").with_source(e))?
    }

    fn syncer_for(&self, entitlement: &Entitlement) -> Result<Arc<dyn ResourceSyncer>, Error> {
        let rt = entitlement.resource_id().resource_type;
        self.connector
            .syncers()
            .into_iter()
            .find(|s| s.resource_type().id == rt)
            .ok_or_else(|| Error::not_found(format!("no syncer for resource type {rt:?}")))
    }

    /// Grants `entitlement_id` to the principal `principal_type`/`principal_id`, both read
    /// from the `.c1z`. A repeated grant returns `GrantAlreadyExists` if the connector says so.
    pub async fn grant(
        &self,
        entitlement_id: &str,
        principal_type: &str,
        principal_id: &str,
    ) -> Result<Annotations, Error> {
        let (eid, pt, pid) = (
            entitlement_id.to_owned(),
            principal_type.to_owned(),
            principal_id.to_owned(),
        );
        let (entitlement, principal): (Entitlement, Resource) = self
            .read(move |r| {
                let e = r
                    .get_entitlement(&eid)?
                    .ok_or_else(|| Error::not_found(format!("entitlement {eid} is not in the .c1z file: sync again and take the id from the new file")))?;
                let p = r
                    .get_resource(&pt, &pid)?
                    .ok_or_else(|| Error::not_found(format!("principal {pt}:{pid} is not in the .c1z file: sync again (the principal may be new) and take the id from the new file")))?;
                Ok((e, p))
            })
            .await?;
        let syncer = self.syncer_for(&entitlement)?;
        let provisioner = syncer.provisioner().ok_or_else(|| {
            Error::unimplemented(format!(
                "resource type {} does not support provisioning",
                entitlement.resource_id().resource_type
            ))
        })?;
        let retries = Arc::new(AtomicU64::new(0));
        self.retry
            .run(&self.cancel, &retries, || {
                provisioner.grant(&principal, &entitlement)
            })
            .await
    }

    /// Revokes `grant_id`, read from the `.c1z`. A repeated revoke returns
    /// `GrantAlreadyRevoked` if the connector says so.
    pub async fn revoke(&self, grant_id: &str) -> Result<Annotations, Error> {
        let gid = grant_id.to_owned();
        let grant: Grant = self
            .read(move |r| {
                r.get_grant(&gid)?
                    .ok_or_else(|| Error::not_found(format!("grant {gid} is not in the .c1z file: sync again and take the id from the new file (it may already be revoked)")))
            })
            .await?;
        let entitlement = grant
            .entitlement
            .clone()
            .ok_or_else(|| Error::invalid_argument("grant has no entitlement"))?;
        let syncer = self.syncer_for(&entitlement)?;
        let provisioner = syncer.provisioner().ok_or_else(|| {
            Error::unimplemented(format!(
                "resource type {} does not support provisioning",
                entitlement.resource_id().resource_type
            ))
        })?;
        let retries = Arc::new(AtomicU64::new(0));
        self.retry
            .run(&self.cancel, &retries, || provisioner.revoke(&grant))
            .await
    }
}
