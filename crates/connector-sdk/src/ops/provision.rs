//! [`ProvisioningRunner`]: grant and revoke with the objects looked up by id in a `.c1z`
//! (feature `c1z`), like baton's `--grant-entitlement/--grant-principal[-type]` and
//! `--revoke-grant`, in front of [`Operations::grant`] and [`Operations::revoke`].

#[cfg(feature = "c1z")]
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::operations::Operations;
use crate::connector::Connector;
use crate::engine::RetryPolicy;
use crate::error::Error;
use crate::model::{Annotations, Entitlement, Grant, Resource};

/// Grants and revokes, with the objects recorded in a `.c1z` file or given whole: the lookups
/// and checks of baton's one-shot provisioning in front of [`Operations::grant`] and
/// [`Operations::revoke`] (which pick the provisioner and retry: 3 attempts by default,
/// baton's provisioning rule).
///
/// Before the connector is called, the runner checks what it can: an id of the wrong shape is
/// `InvalidArgument` ("malformed", with the expected shape); an id that is well formed but not in
/// the `.c1z` is `NotFound` (sync again); a principal whose type the entitlement is not grantable
/// to is `InvalidArgument`, naming the types it is grantable to.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use c1_connector_sdk::connector::Connector;
/// # use c1_connector_sdk::error::Error;
/// # use c1_connector_sdk::ops::ProvisioningRunner;
/// # async fn f(connector: Arc<dyn Connector>) -> Result<(), Error> {
/// let runner = ProvisioningRunner::new(connector, "sync.c1z");
/// let annos = runner.grant("role:admin:member", "user", "u1").await?;
/// runner.revoke("role:admin:member:user:u1").await?;
/// # Ok(()) }
/// ```
pub struct ProvisioningRunner {
    ops: Operations,
    #[cfg(feature = "c1z")]
    path: Option<PathBuf>,
}

impl std::fmt::Debug for ProvisioningRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ProvisioningRunner");
        #[cfg(feature = "c1z")]
        d.field("path", &self.path);
        d.field("retry", &self.ops.retry).finish_non_exhaustive()
    }
}

impl ProvisioningRunner {
    /// A runner that looks ids up in the `.c1z` file `c1z`.
    #[cfg(feature = "c1z")]
    #[cfg_attr(docsrs, doc(cfg(feature = "c1z")))]
    pub fn new(connector: Arc<dyn Connector>, c1z: impl AsRef<Path>) -> Self {
        let mut runner = Self::without_file(connector);
        runner.path = Some(c1z.as_ref().to_path_buf());
        runner
    }

    /// A runner for objects given whole ([`ProvisioningRunner::grant_to`],
    /// [`ProvisioningRunner::revoke_grant`]), as ConductorOne's service sends them; it has no
    /// `.c1z` to look ids up in.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use c1_connector_sdk::connector::Connector;
    /// # use c1_connector_sdk::error::Error;
    /// # use c1_connector_sdk::model::Grant;
    /// # use c1_connector_sdk::ops::ProvisioningRunner;
    /// # async fn f(connector: Arc<dyn Connector>, grant: Grant) -> Result<(), Error> {
    /// let runner = ProvisioningRunner::without_file(connector);
    /// runner.revoke_grant(&grant).await?;
    /// # Ok(()) }
    /// ```
    pub fn without_file(connector: Arc<dyn Connector>) -> Self {
        Self {
            ops: Operations::new(connector),
            #[cfg(feature = "c1z")]
            path: None,
        }
    }

    /// Uses another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.ops = self.ops.with_retry(retry);
        self
    }

    /// Uses this cancellation token.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.ops = self.ops.with_cancel(cancel);
        self
    }

    #[cfg(feature = "c1z")]
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::store::C1zReader) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let path = self.path.clone().ok_or_else(|| {
            Error::failed_precondition(
                "this provisioning runner has no .c1z file to look ids up in: create it with ProvisioningRunner::new",
            )
        })?;
        tokio::task::spawn_blocking(move || {
            let reader = crate::store::C1zReader::open(&path)?;
            f(&reader)
        })
        .await
        .map_err(|e| Error::internal("c1z lookup task failed").with_source(e))?
    }

    /// Grants `entitlement_id` to the principal `principal_type`/`principal_id`, both read
    /// from the `.c1z`. A repeated grant returns `GrantAlreadyExists` if the connector says so.
    #[cfg(feature = "c1z")]
    #[cfg_attr(docsrs, doc(cfg(feature = "c1z")))]
    pub async fn grant(
        &self,
        entitlement_id: &str,
        principal_type: &str,
        principal_id: &str,
    ) -> Result<Annotations, Error> {
        crate::ids::check_entitlement_id(entitlement_id)?;
        if principal_type.is_empty() || principal_id.is_empty() {
            return Err(Error::invalid_argument(format!(
                "malformed principal {principal_type:?}/{principal_id:?}: both the principal's resource type (e.g. \"user\") and its id are needed"
            )));
        }
        let (eid, pt, pid) = (
            entitlement_id.to_owned(),
            principal_type.to_owned(),
            principal_id.to_owned(),
        );
        let (entitlement, principal): (Entitlement, Option<Resource>) = self
            .read(move |r| {
                let e = r
                    .get_entitlement(&eid)?
                    .ok_or_else(|| Error::not_found(format!("entitlement {eid} is not in the .c1z file: sync again and take the id from the new file")))?;
                // The principal is looked up only if the entitlement accepts its type, so that
                // a wrong type is reported as such rather than as a missing principal.
                let p = if grantable(&e, &pt) {
                    r.get_resource(&pt, &pid)?
                } else {
                    None
                };
                Ok((e, p))
            })
            .await?;
        check_grantable(&entitlement, principal_type)?;
        let principal = principal.ok_or_else(|| {
            Error::not_found(format!("principal {principal_type}:{principal_id} is not in the .c1z file: sync again (the principal may be new) and take the id from the new file"))
        })?;
        self.grant_to(&principal, &entitlement).await
    }

    /// Revokes `grant_id`, read from the `.c1z`. A repeated revoke returns
    /// `GrantAlreadyRevoked` if the connector says so.
    #[cfg(feature = "c1z")]
    #[cfg_attr(docsrs, doc(cfg(feature = "c1z")))]
    pub async fn revoke(&self, grant_id: &str) -> Result<Annotations, Error> {
        crate::ids::check_grant_id(grant_id)?;
        let gid = grant_id.to_owned();
        let grant: Grant = self
            .read(move |r| {
                r.get_grant(&gid)?
                    .ok_or_else(|| Error::not_found(format!("grant {gid} is not in the .c1z file: sync again and take the id from the new file (it may already be revoked)")))
            })
            .await?;
        self.revoke_grant(&grant).await
    }

    /// Grants `entitlement` to `principal`, both given whole. Checks that the entitlement is
    /// grantable to the principal's type, then grants with [`Operations::grant`].
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use c1_connector_sdk::connector::Connector;
    /// # use c1_connector_sdk::error::Error;
    /// # use c1_connector_sdk::model::{Entitlement, Resource};
    /// # use c1_connector_sdk::ops::ProvisioningRunner;
    /// # async fn f(connector: Arc<dyn Connector>, user: Resource, role_assigned: Entitlement) -> Result<(), Error> {
    /// let runner = ProvisioningRunner::without_file(connector);
    /// runner.grant_to(&user, &role_assigned).await?;
    /// # Ok(()) }
    /// ```
    pub async fn grant_to(
        &self,
        principal: &Resource,
        entitlement: &Entitlement,
    ) -> Result<Annotations, Error> {
        check_grantable(entitlement, &principal.resource_id().resource_type)?;
        self.ops.grant(principal, entitlement).await
    }

    /// Revokes `grant`, given whole, with [`Operations::revoke`].
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use c1_connector_sdk::connector::Connector;
    /// # use c1_connector_sdk::error::Error;
    /// # use c1_connector_sdk::model::Grant;
    /// # use c1_connector_sdk::ops::ProvisioningRunner;
    /// # async fn f(connector: Arc<dyn Connector>, grant: Grant) -> Result<(), Error> {
    /// ProvisioningRunner::without_file(connector).revoke_grant(&grant).await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke_grant(&self, grant: &Grant) -> Result<Annotations, Error> {
        self.ops.revoke(grant).await
    }
}

/// Whether `entitlement` may be granted to a principal of `principal_type`. An entitlement that
/// names no types is grantable to any (baton leaves the check to the connector then).
fn grantable(entitlement: &Entitlement, principal_type: &str) -> bool {
    entitlement.grantable_to.is_empty()
        || entitlement
            .grantable_to
            .iter()
            .any(|t| t.id == principal_type)
}

fn check_grantable(entitlement: &Entitlement, principal_type: &str) -> Result<(), Error> {
    if grantable(entitlement, principal_type) {
        return Ok(());
    }
    let types: Vec<&str> = entitlement
        .grantable_to
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    Err(Error::invalid_argument(format!(
        "entitlement {} is grantable to principals of type {}, not {principal_type:?}",
        entitlement.id,
        types.join(", ")
    )))
}
