//! What every change shares: the Descope client, the per-principal locks and the cache of
//! listed targets (one value per connector), and the loads and errors of read-modify-writes.

use std::sync::Arc;

use c1_connector_sdk::error::{Code, Error};
use descope_mgmt::{Client, User};

use crate::known_targets::KnownTargets;
use crate::principal_lock::{PrincipalGuard, PrincipalKey, PrincipalLocks};

/// Applies grants and revokes through the Descope client, one change per principal at a time.
///
/// One value is made per connector and cloned into every syncer, so all of them share the
/// per-principal locks and the cache of listed roles, tenants and applications.
#[derive(Debug, Clone)]
pub(crate) struct DescopeProvisioner {
    pub(crate) client: Client,
    pub(crate) locks: PrincipalLocks,
    pub(crate) known: Arc<KnownTargets>,
}

impl DescopeProvisioner {
    pub(crate) fn new(client: Client) -> Self {
        DescopeProvisioner {
            client,
            locks: PrincipalLocks::default(),
            known: Arc::default(),
        }
    }

    /// The Descope client.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Holds `principal` against every other change made by this process (see
    /// [`crate::principal_lock`]).
    pub(crate) async fn lock(&self, principal: PrincipalKey) -> PrincipalGuard {
        self.locks.lock(principal).await
    }
}

/// The error of a read-modify-write whose confirming read shows neither the state it was
/// decided from nor the state it wrote: another writer changed `what` in between (Descope has
/// no compare-and-set). Never a success; `Aborted` and retryable, since the next attempt decides
/// again from what Descope holds then. `holds` says what that is.
pub(crate) fn changed_concurrently(what: &str, holds: &str) -> Error {
    Error::new(
        Code::Aborted,
        format!(
            "{what}: another writer (another connector process, the Descope console, an API \
             client) changed it between this change's load and its confirming read, and Descope \
             has no compare-and-set, so this change is not reported as done. Descope now holds \
             {holds}. Retry: the change is decided again from what Descope holds"
        ),
    )
    .with_retryable(true)
}

/// Loads a user by user id; `None` only when Descope says it does not exist.
pub(crate) async fn load_user(client: &Client, user_id: &str) -> Result<Option<User>, Error> {
    crate::error::found(
        client.users().load_by_user_id(user_id).await,
        &format!("loading user '{user_id}'"),
    )
}
